/* analyzer.h - the contract between the layer walker and the package analyzers.
 *
 * The walker offers every regular file path of a layer to want(); only when an analyzer says
 * yes is the file read, through a buffer capped at max_file_bytes, and handed to parse().
 * Everything else is skipped without being buffered. Paths are normalised: relative, no
 * leading "/" or "./", no "." or ".." components, no duplicate slashes.
 *
 * parse() receives NUL-terminated bytes (data[len] == 0) that are untrusted: it must never
 * crash, log or abort; it adds what it recognises to out and returns 0, or returns a DD_E*
 * code with err filled ("line 12: Version field missing") and leaves out in a state that
 * out's cleanup can free. A partial result with an error is allowed (best effort).
 */
#ifndef DD_ANALYZER_H
#define DD_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blob_source.h"
#include "err.h"
#include "pkg.h"

struct file_facts {
    struct pkg_list pkgs; /* packages found in this file; file_path set by parse() */
    struct os_info os;    /* set by OS identification analyzers */
    bool has_os;
    /* Paths an OS package database says its packages installed (dpkg info/<pkg>.list, distroless
     * status.d/<pkg>.md5sums, apk F:/R: lines), kept only where an application analyzer would read
     * them (analyzers_app_wants): the merge drops application packages found in such files,
     * as they belong to the OS package (Debian's python3-requests is not a PyPI install). */
    char **owned;
    size_t n_owned, cap_owned;
};

void file_facts_init(struct file_facts *f);
void file_facts_cleanup(struct file_facts *f);
/* Append path[0..len) (a leading '/' dropped); at most FACTS_MAX_OWNED. 0 or DD_ENOMEM. */
#define FACTS_MAX_OWNED 200000
int file_facts_add_owned(struct file_facts *f, const char *path, size_t len);

struct analyzer {
    const char *name;      /* "dpkg", "apk", "rpm", "os-release", ... */
    int version;           /* bump when output changes: part of the layer cache key */
    size_t max_file_bytes; /* a larger wanted file is reported as an error, never read
                              (ignored for parse_stream analyzers) */
    bool (*want)(const char *path);
    /* Buffered parse: the whole file, at most max_file_bytes. NULL when parse_stream is set. */
    int (*parse)(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                 struct dd_error *err);
    /* Optional: also want regular files want() does not name, by mode bits and size (for
     * example every executable, to find Go binaries). Called only when no analyzer wanted
     * the path itself; must be cheap. */
    bool (*want_entry)(const char *path, unsigned mode, uint64_t size);
    /* Optional streaming parse, used instead of parse() when set: data arrives through src in
     * chunks (borrowed until the next call; *len == 0 at the end). The analyzer may stop
     * early (the walker skips the rest) and must keep its own memory bounded whatever size
     * says: a 300 MB jar or a 200 MB Go binary must not be buffered. */
    int (*parse_stream)(const char *path, uint64_t size, struct blob_source *src,
                        struct file_facts *out, struct dd_error *err);
};

/* Every analyzer, NULL-terminated, in a fixed order (the index is stable within a build). */
extern const struct analyzer *const analyzers_all[];
size_t analyzers_count(void);
/* Index in tab (NULL-terminated) of the first analyzer wanting path, or -1. */
int analyzers_match_in(const struct analyzer *const *tab, const char *path);
/* Index in tab of the first analyzer whose want_entry() takes this file, or -1. */
int analyzers_match_entry_in(const struct analyzer *const *tab, const char *path, unsigned mode,
                             uint64_t size);
/* analyzers_match_in(analyzers_all, path). */
int analyzers_match(const char *path);
/* True when an application (non-OS) analyzer of analyzers_all wants the path by name. */
bool analyzers_app_wants(const char *path);
/* True when analyzers_all[index] reads lockfiles (package-lock.json, poetry.lock, Gemfile.lock,
 * composer.lock, packages.lock.json, Cargo.lock): what a build resolved, not what is installed. */
bool analyzers_is_lockfile(int index);

/* The OS analyzers (common/analyzer_os.c). */
extern const struct analyzer analyzer_os_release;
extern const struct analyzer analyzer_dpkg;
extern const struct analyzer analyzer_apk;
extern const struct analyzer analyzer_rpm;
extern const struct analyzer analyzer_dpkg_files;

/* Node.js (common/lang_npm.c) and Python (common/lang_python.c). */
extern const struct analyzer analyzer_node_pkg;
extern const struct analyzer analyzer_node_lock;
extern const struct analyzer analyzer_python_pkg;
extern const struct analyzer analyzer_python_lock;

/* Ruby gems (common/lang_ruby.c). */
extern const struct analyzer analyzer_gemspec;
extern const struct analyzer analyzer_gemfile_lock;

/* PHP Composer (common/lang_php.c). */
extern const struct analyzer analyzer_composer_lock;
extern const struct analyzer analyzer_composer_installed;

/* .NET NuGet (common/lang_dotnet.c). */
extern const struct analyzer analyzer_dotnet_deps;
extern const struct analyzer analyzer_nuget_lock;

/* Java archives (common/lang_java.c). */
extern const struct analyzer analyzer_jar;

/* Go and cargo-auditable binaries (common/lang_elf.c), Cargo.lock (common/lang_rust.c). */
extern const struct analyzer analyzer_elf_binary;
extern const struct analyzer analyzer_cargo_lock;

#endif
