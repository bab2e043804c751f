/* layer_walk.c - stream one layer through the decoder and libarchive's tar reader.
 *
 * Every entry costs one header parse; file data that no analyzer wants is skipped by
 * libarchive without being copied (our read callback hands out the decoder's buffer by
 * pointer). A wanted file is read through a buffer capped at its analyzer's max_file_bytes
 * and parsed at once, so nothing of a layer is kept but the facts.
 *
 * Names never touch the host filesystem: they are normalised strings. Entries with absolute
 * names or ".." components are recorded as hostile and skipped.
 *
 * What it does not do: merge layers (image.c), follow links across layers (image.c resolves
 * them in the merged view), or keep any file content after parsing.
 */
#include "layer_walk.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define LAYER_MAX_PATH     4096
#define LAYER_MAX_PROBLEMS 1000 /* per layer; later ones are counted in the last message */

void layer_result_init(struct layer_result *r)
{
    memset(r, 0, sizeof(*r));
}

void layer_result_cleanup(struct layer_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_files; i++) {
        free(r->files[i].path);
        file_facts_cleanup(&r->files[i].facts);
    }
    free(r->files);
    for (size_t i = 0; i < r->n_links; i++) {
        free(r->links[i].path);
        free(r->links[i].target);
    }
    free(r->links);
    for (size_t i = 0; i < r->n_pending; i++) {
        free(r->pending[i].path);
        free(r->pending[i].target);
    }
    free(r->pending);
    for (size_t i = 0; i < r->n_whiteouts; i++)
        free(r->whiteouts[i]);
    free(r->whiteouts);
    for (size_t i = 0; i < r->n_opaques; i++)
        free(r->opaques[i]);
    free(r->opaques);
    for (size_t i = 0; i < r->n_errors; i++) {
        free(r->errors[i].path);
        free(r->errors[i].reason);
    }
    free(r->errors);
    free(r->tar_error);
    memset(r, 0, sizeof(*r));
}

void layer_walk_opts_default(struct layer_walk_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->hint = LAYER_COMP_UNKNOWN;
    layer_limits_default(&o->limits);
}

/* Grow an array of elements of size sz so that one more fits. */
static int grow(void **v, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*v, ncap * sz);
    if (p == NULL)
        return DD_ENOMEM;
    *v = p;
    *cap = ncap;
    return 0;
}

static int add_problem(struct layer_result *r, const char *path, const char *reason)
{
    if (r->n_errors >= LAYER_MAX_PROBLEMS)
        return 0;
    if (grow((void **)&r->errors, &r->cap_errors, r->n_errors, sizeof(*r->errors)))
        return DD_ENOMEM;
    struct layer_problem *p = &r->errors[r->n_errors];
    p->path = dd_strdup(path);
    p->reason = dd_strdup(r->n_errors == LAYER_MAX_PROBLEMS - 1 ? "too many problems; rest omitted"
                                                                : reason);
    if ((path && p->path == NULL) || p->reason == NULL) {
        free(p->path);
        free(p->reason);
        return DD_ENOMEM;
    }
    r->n_errors++;
    return 0;
}

static int add_string(char ***v, size_t *n, size_t *cap, char *s)
{
    if (grow((void **)v, cap, *n, sizeof(**v))) {
        free(s);
        return DD_ENOMEM;
    }
    (*v)[(*n)++] = s;
    return 0;
}

int layer_path_normalise(const char *name, char **out)
{
    size_t len = strlen(name);
    if (len > LAYER_MAX_PATH)
        return DD_EINVAL;
    if (name[0] == '/')
        return DD_EHOSTILE;
    char *res = malloc(len + 1);
    if (res == NULL)
        return DD_ENOMEM;
    size_t o = 0;
    const char *p = name;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        if (clen == 0 || (clen == 1 && p[0] == '.')) {
            /* empty or "." component: skip */
        } else if (clen == 2 && p[0] == '.' && p[1] == '.') {
            free(res);
            return DD_EHOSTILE;
        } else {
            if (o)
                res[o++] = '/';
            memcpy(res + o, p, clen);
            o += clen;
        }
        p += clen;
        if (*p == '/')
            p++;
    }
    res[o] = '\0';
    if (o == 0) {
        free(res);
        return DD_EINVAL;
    }
    *out = res;
    return 0;
}

int layer_link_resolve(const char *link_path, const char *target, char **out)
{
    size_t cap = strlen(link_path) + strlen(target) + 2;
    if (cap > 2 * LAYER_MAX_PATH)
        return DD_EINVAL;
    char *res = malloc(cap);
    if (res == NULL)
        return DD_ENOMEM;
    size_t o = 0;
    if (target[0] != '/') {
        /* start from the link's directory */
        const char *slash = strrchr(link_path, '/');
        if (slash) {
            o = (size_t)(slash - link_path);
            memcpy(res, link_path, o);
        }
    }
    res[o] = '\0';
    const char *p = target;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        if (clen == 0 || (clen == 1 && p[0] == '.')) {
        } else if (clen == 2 && p[0] == '.' && p[1] == '.') {
            char *up = strrchr(res, '/');
            o = up ? (size_t)(up - res) : 0; /* ".." at the root stays at the root */
            res[o] = '\0';
        } else {
            if (o)
                res[o++] = '/';
            memcpy(res + o, p, clen);
            o += clen;
            res[o] = '\0';
        }
        p += clen;
        if (*p == '/')
            p++;
    }
    if (o == 0) {
        free(res);
        return DD_EINVAL;
    }
    *out = res;
    return 0;
}

/* libarchive read callback state */
struct walk_io {
    struct blob_source tar; /* decoder output */
    struct dd_error err;
    int rc;
};

static la_ssize_t on_archive_read(struct archive *a, void *ctx, const void **buf)
{
    struct walk_io *io = ctx;
    const uint8_t *p = NULL;
    size_t n = 0;
    int rc = io->tar.next(io->tar.ctx, &p, &n, &io->err);
    if (rc) {
        io->rc = rc;
        archive_set_error(a, EIO, "%s", io->err.msg);
        return -1;
    }
    *buf = p;
    return (la_ssize_t)n;
}

static struct layer_file *find_file(struct layer_result *r, const char *path)
{
    for (size_t i = 0; i < r->n_files; i++) {
        if (strcmp(r->files[i].path, path) == 0)
            return &r->files[i];
    }
    return NULL;
}

/* Drop an earlier record of path in this layer (a tar may contain a path twice: last wins). */
static void forget_path(struct layer_result *r, const char *path)
{
    for (size_t i = 0; i < r->n_files; i++) {
        if (strcmp(r->files[i].path, path) == 0) {
            free(r->files[i].path);
            file_facts_cleanup(&r->files[i].facts);
            r->files[i] = r->files[--r->n_files];
            break;
        }
    }
    for (size_t i = 0; i < r->n_links; i++) {
        if (strcmp(r->links[i].path, path) == 0) {
            free(r->links[i].path);
            free(r->links[i].target);
            r->links[i] = r->links[--r->n_links];
            break;
        }
    }
}

static int read_wanted(struct archive *a, struct archive_entry *e, const char *path,
                       const struct analyzer *const *tab, int idx, struct buf *content,
                       struct layer_result *r)
{
    const struct analyzer *an = tab[idx];
    char reason[DD_ERRMSG_MAX + 64];
    if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > an->max_file_bytes) {
        snprintf(reason, sizeof(reason), "%s: file of %lld bytes exceeds the %zu byte limit",
                 an->name, (long long)archive_entry_size(e), an->max_file_bytes);
        return add_problem(r, path, reason);
    }
    buf_init(content, an->max_file_bytes);
    for (;;) {
        const void *blk;
        size_t len;
        la_int64_t off;
        int ar = archive_read_data_block(a, &blk, &len, &off);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar < ARCHIVE_WARN)
            return 1; /* the tar itself failed: caller handles */
        /* sparse files: fill holes with zeros */
        if ((uint64_t)off > content->len) {
            size_t hole = (size_t)off - content->len;
            static const uint8_t zeros[4096];
            while (hole) {
                size_t k = hole > sizeof(zeros) ? sizeof(zeros) : hole;
                if (buf_append(content, zeros, k)) {
                    snprintf(reason, sizeof(reason), "%s: file exceeds the %zu byte limit",
                             an->name, an->max_file_bytes);
                    buf_cleanup(content);
                    return add_problem(r, path, reason);
                }
                hole -= k;
            }
        }
        int rc = buf_append(content, blk, len);
        if (rc == DD_ETOOBIG) {
            snprintf(reason, sizeof(reason), "%s: file exceeds the %zu byte limit", an->name,
                     an->max_file_bytes);
            buf_cleanup(content);
            return add_problem(r, path, reason);
        }
        if (rc)
            return rc;
    }
    if (grow((void **)&r->files, &r->cap_files, r->n_files, sizeof(*r->files)))
        return DD_ENOMEM;
    struct layer_file *f = &r->files[r->n_files];
    f->path = dd_strdup(path);
    if (f->path == NULL)
        return DD_ENOMEM;
    f->analyzer = idx;
    file_facts_init(&f->facts);
    struct dd_error perr = {0};
    static const uint8_t empty[1] = {0};
    int prc =
        an->parse(path, content->data ? content->data : empty, content->len, &f->facts, &perr);
    r->n_files++;
    if (prc) {
        snprintf(reason, sizeof(reason), "%s: %s", an->name,
                 perr.msg[0] ? perr.msg : dd_strerror(prc));
        return add_problem(r, path, reason);
    }
    return 0;
}

/* The data of the current tar entry as a blob_source, for streaming analyzers. Sparse holes
 * are handed out as zeros so offsets stay true. */
struct entry_src {
    struct archive *a;
    int64_t pos;
    bool tar_failed;
    const uint8_t *pending;
    size_t pending_len;
    int64_t pending_off;
};

static int entry_next(void *ctx, const uint8_t **data, size_t *len, struct dd_error *err)
{
    static const uint8_t zeros[16384];
    struct entry_src *es = ctx;
    for (;;) {
        if (es->pending) {
            if (es->pos < es->pending_off) {
                int64_t hole = es->pending_off - es->pos;
                size_t k = hole > (int64_t)sizeof(zeros) ? sizeof(zeros) : (size_t)hole;
                *data = zeros;
                *len = k;
                es->pos += (int64_t)k;
                return 0;
            }
            *data = es->pending;
            *len = es->pending_len;
            es->pos += (int64_t)es->pending_len;
            es->pending = NULL;
            return 0;
        }
        const void *blk;
        size_t n;
        la_int64_t off;
        int ar = archive_read_data_block(es->a, &blk, &n, &off);
        if (ar == ARCHIVE_EOF) {
            *len = 0;
            return 0;
        }
        if (ar < ARCHIVE_WARN) {
            es->tar_failed = true;
            return dd_error_set(err, DD_ETRUNC, "tar data ends inside the file");
        }
        if (n == 0)
            continue;
        es->pending = blk;
        es->pending_len = n;
        es->pending_off = off;
    }
}

static int stream_wanted(struct archive *a, struct archive_entry *e, const char *path,
                         const struct analyzer *const *tab, int idx, struct layer_result *r)
{
    const struct analyzer *an = tab[idx];
    if (grow((void **)&r->files, &r->cap_files, r->n_files, sizeof(*r->files)))
        return DD_ENOMEM;
    struct layer_file *f = &r->files[r->n_files];
    f->path = dd_strdup(path);
    if (f->path == NULL)
        return DD_ENOMEM;
    f->analyzer = idx;
    file_facts_init(&f->facts);
    r->n_files++;
    struct entry_src es = {.a = a};
    struct blob_source src = {&es, entry_next};
    struct dd_error perr = {0};
    uint64_t size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
    int prc = an->parse_stream(path, size, &src, &f->facts, &perr);
    if (es.tar_failed)
        return 1;
    if (prc) {
        char reason[DD_ERRMSG_MAX + 64];
        snprintf(reason, sizeof(reason), "%s: %s", an->name,
                 perr.msg[0] ? perr.msg : dd_strerror(prc));
        return add_problem(r, path, reason);
    }
    return 0;
}

static int on_whiteout(struct layer_result *r, const char *path)
{
    const char *base = strrchr(path, '/');
    size_t dirlen = base ? (size_t)(base - path) : 0;
    base = base ? base + 1 : path;
    const char *name = base + 4; /* after ".wh." */
    if (strcmp(name, ".wh..opq") == 0) {
        char *dir = dd_strndup(path, dirlen); /* "" means the root */
        if (dir == NULL)
            return DD_ENOMEM;
        return add_string(&r->opaques, &r->n_opaques, &r->cap_opaques, dir);
    }
    if (strncmp(name, ".wh.", 4) == 0 || name[0] == '\0')
        return 0; /* other aufs metadata (.wh..wh.plnk, .wh..wh.aufs): no meaning here */
    size_t nlen = strlen(name);
    char *target = malloc(dirlen + 1 + nlen + 1);
    if (target == NULL)
        return DD_ENOMEM;
    if (dirlen) {
        memcpy(target, path, dirlen);
        target[dirlen] = '/';
        memcpy(target + dirlen + 1, name, nlen + 1);
    } else {
        memcpy(target, name, nlen + 1);
    }
    return add_string(&r->whiteouts, &r->n_whiteouts, &r->cap_whiteouts, target);
}

static int on_link(struct layer_result *r, const char *path, const char *raw_target, bool hard)
{
    char *target = NULL;
    int rc;
    if (hard) {
        rc = layer_path_normalise(raw_target, &target);
        if (rc == DD_EHOSTILE)
            return add_problem(r, path, "hard link to a hostile path");
        if (rc)
            return add_problem(r, path, "hard link to an invalid path");
        /* The target's content came earlier in this layer: share its facts. */
        struct layer_file *src = find_file(r, target);
        if (src) {
            if (grow((void **)&r->files, &r->cap_files, r->n_files, sizeof(*r->files))) {
                free(target);
                return DD_ENOMEM;
            }
            src = find_file(r, target); /* the array may have moved */
            struct layer_file *f = &r->files[r->n_files];
            f->path = dd_strdup(path);
            f->analyzer = src->analyzer;
            file_facts_init(&f->facts);
            rc = f->path ? 0 : DD_ENOMEM;
            for (size_t i = 0; rc == 0 && i < src->facts.pkgs.n; i++) {
                struct pkg *p;
                rc = pkg_list_add(&f->facts.pkgs, &p);
                if (rc == 0)
                    rc = pkg_copy(p, &src->facts.pkgs.v[i]);
                if (rc == 0) {
                    /* keep what follows the file's own path ("app.jar!/BOOT-INF/lib/x.jar") */
                    const char *fp = src->facts.pkgs.v[i].file_path;
                    size_t tl = strlen(target);
                    const char *rest = fp && strncmp(fp, target, tl) == 0 ? fp + tl : "";
                    size_t n = strlen(path) + strlen(rest) + 1;
                    char *np = malloc(n);
                    if (np == NULL) {
                        rc = DD_ENOMEM;
                    } else {
                        snprintf(np, n, "%s%s", path, rest);
                        free(p->file_path);
                        p->file_path = np;
                    }
                }
            }
            if (rc == 0 && src->facts.has_os) {
                rc = os_info_copy(&f->facts.os, &src->facts.os);
                f->facts.has_os = rc == 0;
            }
            for (size_t i = 0; rc == 0 && i < src->facts.n_owned; i++)
                rc = file_facts_add_owned(&f->facts, src->facts.owned[i],
                                          strlen(src->facts.owned[i]));
            r->n_files++;
            free(target);
            return rc;
        }
        /* The target was not read: only a second pass over the layer can get its bytes. */
        if (r->n_pending >= LAYER_MAX_PROBLEMS) {
            free(target);
            return add_problem(r, path, "too many hard links to unread files");
        }
        if (grow((void **)&r->pending, &r->cap_pending, r->n_pending, sizeof(*r->pending))) {
            free(target);
            return DD_ENOMEM;
        }
        struct layer_link *pl = &r->pending[r->n_pending];
        pl->path = dd_strdup(path);
        pl->target = target;
        pl->hard = true;
        if (pl->path == NULL) {
            free(target);
            return DD_ENOMEM;
        }
        r->n_pending++;
        return 0;
    } else {
        rc = layer_link_resolve(path, raw_target, &target);
        if (rc == DD_EINVAL)
            return add_problem(r, path, "symlink to the root or an invalid path");
        if (rc)
            return rc;
    }
    if (grow((void **)&r->links, &r->cap_links, r->n_links, sizeof(*r->links))) {
        free(target);
        return DD_ENOMEM;
    }
    struct layer_link *l = &r->links[r->n_links];
    l->path = dd_strdup(path);
    l->target = target;
    l->hard = hard;
    if (l->path == NULL) {
        free(target);
        return DD_ENOMEM;
    }
    r->n_links++;
    return 0;
}

int layer_walk(struct blob_source *src, const struct layer_walk_opts *opts,
               struct layer_result *out, struct dd_error *err)
{
    struct decoder *dec = NULL;
    struct archive *a = NULL;
    struct walk_io io = {0};
    struct layer_result r;
    struct buf content;
    char *path = NULL;
    int rc;

    const struct analyzer *const *tab = opts->analyzers ? opts->analyzers : analyzers_all;
    layer_result_init(&r);
    buf_init(&content, 0);
    rc = decoder_new(src, opts->hint, opts->expected_digest, &opts->limits, &dec);
    if (rc) {
        dd_error_set(err, rc, "cannot verify digest %s", opts->expected_digest);
        goto out;
    }
    decoder_source(dec, &io.tar);
    a = archive_read_new();
    if (a == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (archive_read_open2(a, &io, NULL, on_archive_read, NULL, NULL) != ARCHIVE_OK) {
        if (io.rc) {
            rc = dd_error_set(err, io.rc, "%s", io.err.msg);
            goto out;
        }
        /* An empty layer (zero bytes of tar) is valid: nothing in it. */
        if (decoder_bytes_out(dec) == 0)
            goto drain;
        rc = dd_error_set(err, DD_EUNSUPPORTED, "layer is not a tar archive (%s)",
                          archive_error_string(a) ? archive_error_string(a) : "unknown format");
        goto out;
    }
    for (;;) {
        struct archive_entry *e;
        int ar = archive_read_next_header(a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (io.rc) {
            rc = dd_error_set(err, io.rc, "%s", io.err.msg);
            goto out;
        }
        if (ar < ARCHIVE_WARN) {
            char msg[DD_ERRMSG_MAX];
            snprintf(msg, sizeof(msg), "tar stream ends badly after %llu entries: %s",
                     (unsigned long long)r.entries,
                     archive_error_string(a) ? archive_error_string(a) : "unknown error");
            r.tar_error = dd_strdup(msg);
            if (ar == ARCHIVE_FATAL)
                break;
            continue;
        }
        if (opts->cancel && *opts->cancel) {
            rc = dd_error_set(err, DD_ECANCELLED, "cancelled");
            goto out;
        }
        if (++r.entries > opts->limits.max_entries) {
            rc =
                dd_error_set(err, DD_ELIMIT, "layer has more than %llu entries (max_layer_entries)",
                             (unsigned long long)opts->limits.max_entries);
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (name == NULL) {
            rc = add_problem(&r, NULL, "entry without a usable name skipped");
            if (rc)
                goto nomem;
            continue;
        }
        free(path);
        path = NULL;
        int nrc = layer_path_normalise(name, &path);
        if (nrc == DD_EHOSTILE) {
            char reason[64 + LAYER_MAX_PATH];
            snprintf(reason, sizeof(reason), "hostile entry name skipped (%s)",
                     name[0] == '/' ? "absolute path" : "'..' component");
            if ((rc = add_problem(&r, name, reason)) != 0)
                goto nomem;
            continue;
        }
        if (nrc == DD_EINVAL)
            continue; /* the root directory itself, or an over-long name */
        if (nrc) {
            rc = nrc;
            goto nomem;
        }
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (strncmp(base, ".wh.", 4) == 0) {
            if ((rc = on_whiteout(&r, path)) != 0)
                goto nomem;
            continue;
        }
        const char *hard = archive_entry_hardlink(e);
        /* second pass: this link's content was already read from its target */
        if (hard && opts->n_extra && find_file(&r, path))
            continue;
        forget_path(&r, path);
        mode_t type = archive_entry_filetype(e);
        if (hard || type == AE_IFLNK) {
            if (analyzers_match_in(tab, path) < 0)
                continue;
            const char *t = hard ? hard : archive_entry_symlink(e);
            if (t == NULL)
                continue;
            if ((rc = on_link(&r, path, t, hard != NULL)) != 0)
                goto nomem;
            continue;
        }
        if (type != AE_IFREG)
            continue;
        const char *as_path = path;
        int idx = analyzers_match_in(tab, path);
        for (size_t i = 0; idx < 0 && i < opts->n_extra; i++) {
            if (strcmp(opts->extra[i].target, path) == 0) {
                as_path = opts->extra[i].path;
                idx = analyzers_match_in(tab, as_path);
            }
        }
        if (idx < 0 && opts->n_extra == 0)
            idx = analyzers_match_entry_in(
                tab, path, (unsigned)archive_entry_mode(e),
                archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0);
        if (idx < 0)
            continue;
        if (tab[idx]->parse_stream)
            rc = stream_wanted(a, e, as_path, tab, idx, &r);
        else
            rc = read_wanted(a, e, as_path, tab, idx, &content, &r);
        buf_cleanup(&content);
        if (rc == 1) {
            char msg[DD_ERRMSG_MAX];
            if (io.rc) {
                rc = dd_error_set(err, io.rc, "%s", io.err.msg);
                goto out;
            }
            snprintf(msg, sizeof(msg), "tar stream ends badly inside %.200s: %s", path,
                     archive_error_string(a) ? archive_error_string(a) : "unknown error");
            r.tar_error = dd_strdup(msg);
            break;
        }
        if (rc)
            goto nomem;
    }
drain:
    if (io.rc) {
        rc = dd_error_set(err, io.rc, "%s", io.err.msg);
        goto out;
    }
    rc = decoder_drain(dec, err);
    if (rc)
        goto out;
    r.bytes_in = decoder_bytes_in(dec);
    r.bytes_out = decoder_bytes_out(dec);
    r.compression = decoder_compression(dec);
    *out = r;
    layer_result_init(&r);
    rc = 0;
    goto out;
nomem:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "out of memory");
    else
        dd_error_set(err, rc, "%s", dd_strerror(rc));
out:
    free(path);
    buf_cleanup(&content);
    if (a)
        archive_read_free(a);
    decoder_free(dec);
    layer_result_cleanup(&r);
    return rc;
}
