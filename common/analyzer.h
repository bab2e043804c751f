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

#include "err.h"
#include "pkg.h"

struct file_facts {
    struct pkg_list pkgs; /* packages found in this file; file_path set by parse() */
    struct os_info os;    /* set by OS identification analyzers */
    bool has_os;
};

void file_facts_init(struct file_facts *f);
void file_facts_cleanup(struct file_facts *f);

struct analyzer {
    const char *name;      /* "dpkg", "apk", "rpm", "os-release", ... */
    int version;           /* bump when output changes: part of the layer cache key */
    size_t max_file_bytes; /* a larger wanted file is reported as an error, never read */
    bool (*want)(const char *path);
    int (*parse)(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                 struct dd_error *err);
};

/* Every analyzer, NULL-terminated, in a fixed order (the index is stable within a build). */
extern const struct analyzer *const analyzers_all[];
size_t analyzers_count(void);
/* Index of the first analyzer wanting path, or -1. */
int analyzers_match(const char *path);

/* The OS analyzers (common/analyzer_os.c). */
extern const struct analyzer analyzer_os_release;
extern const struct analyzer analyzer_dpkg;
extern const struct analyzer analyzer_apk;
extern const struct analyzer analyzer_rpm;

#endif
