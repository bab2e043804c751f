/* layer_walk.h - walk one layer's tar stream and collect what the analyzers find.
 *
 * Input: a blob_source of the (compressed) layer blob. Output: a struct layer_result keyed
 * by file path, so that layers can be merged in order later (image.c) with whiteouts applied:
 *
 *   files[]     analysed files: path -> analyzer index + facts (packages, OS)
 *   links[]     symlinks/hard links at paths an analyzer wants: path -> target path
 *   whiteouts[] paths this layer deletes from lower layers (".wh.NAME")
 *   opaques[]   directories whose lower-layer content this layer hides (".wh..wh..opq")
 *   errors[]    per-file problems (hostile names, oversized or unparsable files)
 *   pending[]   hard links at wanted paths to files this pass did not read (see extra)
 *
 * A layer either fails as a whole (return code + err: digest mismatch, corrupt compression,
 * bomb limits, entry count limit) or succeeds, possibly with errors[] and, when the tar itself
 * is corrupt or truncated, with tar_error set and the entries read so far kept (best effort).
 */
#ifndef DD_LAYER_WALK_H
#define DD_LAYER_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "blob_source.h"
#include "decoder.h"
#include "err.h"

struct layer_file {
    char *path;
    int analyzer; /* index into analyzers_all */
    struct file_facts facts;
};

struct layer_link {
    char *path;
    char *target; /* normalised absolute-in-image path, no leading '/' */
    bool hard;
};

struct layer_problem {
    char *path; /* may be NULL */
    char *reason;
};

struct layer_result {
    struct layer_file *files;
    size_t n_files, cap_files;
    struct layer_link *links;
    size_t n_links, cap_links;
    char **whiteouts;
    size_t n_whiteouts, cap_whiteouts;
    char **opaques;
    size_t n_opaques, cap_opaques;
    struct layer_problem *errors;
    size_t n_errors, cap_errors;
    /* hard links at wanted paths whose target came earlier in the tar but was not read:
     * a second pass (layer_walk_opts.extra) reads the targets as these paths */
    struct layer_link *pending;
    size_t n_pending, cap_pending;
    char *tar_error;                    /* set when the tar ended badly; the result is partial */
    uint64_t entries;                   /* tar entries seen */
    uint64_t bytes_in;                  /* compressed bytes */
    uint64_t bytes_out;                 /* tar bytes */
    enum layer_compression compression; /* as detected */
};

void layer_result_init(struct layer_result *r);
void layer_result_cleanup(struct layer_result *r);

struct layer_walk_opts {
    const char *expected_digest; /* verified over the compressed bytes; NULL skips */
    enum layer_compression hint;
    struct layer_limits limits;
    volatile int *cancel; /* polled between entries when non-NULL */
    /* second pass for hard links: read regular files at extra[i].target as extra[i].path */
    const struct layer_link *extra;
    size_t n_extra;
    /* NULL-terminated analyzer table; NULL means analyzers_all (tests pass their own) */
    const struct analyzer *const *analyzers;
};

void layer_walk_opts_default(struct layer_walk_opts *o);

int layer_walk(struct blob_source *src, const struct layer_walk_opts *opts,
               struct layer_result *out, struct dd_error *err);

/* Normalise a tar entry name: strips "./" and leading "/"-free forms, folds "//" and "/./",
 * drops a trailing "/". Returns DD_EHOSTILE for an absolute name or any ".." component,
 * DD_EINVAL for an empty result (the root itself) or an over-long name. *out is malloc'd. */
int layer_path_normalise(const char *name, char **out);
/* Resolve a symlink target relative to the link's directory, lexically, clamped at the root
 * (like a chroot). *out is malloc'd, normalised. */
int layer_link_resolve(const char *link_path, const char *target, char **out);

#endif
