/* advdb_update.c - `db update`: refresh the advisory DB from an OSV bulk mirror (see
 * advdb_update.h for the protocol).
 *
 * Design: blocking libcurl easy transfers (one handle, reused), retried on transient
 * failures with registry.c's policy. all.zip goes to a temp file beside the DB (DB.dl.zip,
 * capped at ADVDB_MAX_ZIP_DOWNLOAD) and is read by the builder's streaming zip reader;
 * modified_id.csv and <ID>.json go to capped memory buffers. Everything is fetched and
 * parsed into a fresh builder before anything is written; the new file is built as DB.new,
 * verified, and renamed over DB. Any failure before that rename leaves DB untouched.
 *
 * Invariants: an ID from modified_id.csv becomes part of a URL only if it is made of
 * [A-Za-z0-9._:-] (no '/', no "..": a hostile mirror cannot steer requests elsewhere);
 * ecosystem names are URL-escaped.
 *
 * Deliberately not done: parallel downloads, conditional GETs (ETag), deleting records that
 * vanished upstream without being withdrawn (a --full run does).
 */
#include "advdb_update.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "advdb.h"
#include "buf.h"
#include "registry.h"

#define URL_MAX 4096

void advdb_update_opts_default(struct advdb_update_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->mirror = ADVDB_DEFAULT_MIRROR;
    o->max_retries = 3;
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 600000;
}

int advdb_default_path(char **out)
{
    const char *env = getenv("DRYDOCK_DB");
    const char *home = getenv("HOME");
    char *p;
    if (env && *env) {
        p = strdup(env);
    } else if (home && *home) {
        size_t n = strlen(home) + sizeof("/.cache/drydock/advisories.db");
        p = malloc(n);
        if (p)
            snprintf(p, n, "%s/.cache/drydock/advisories.db", home);
    } else {
        return DD_ENOTFOUND;
    }
    if (p == NULL)
        return DD_ENOMEM;
    *out = p;
    return 0;
}

struct sink {
    struct buf *mem; /* either mem ... */
    FILE *file;      /* ... or file */
    uint64_t written, max;
    bool too_big, io_error;
};

static size_t on_data(char *p, size_t sz, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t len = sz * n;
    if (s->written + len > s->max) {
        s->too_big = true;
        return 0;
    }
    if (s->mem && buf_append(s->mem, p, len) != 0) {
        s->too_big = true;
        return 0;
    }
    if (s->file && fwrite(p, 1, len, s->file) != len) {
        s->io_error = true;
        return 0;
    }
    s->written += len;
    return len;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

struct fetcher {
    CURL *easy;
    const struct advdb_update_opts *o;
};

/* GET url into the sink (reset on each attempt). 200 only; 404 is DD_ENOTFOUND. */
static int fetch(struct fetcher *f, const char *url, struct sink *s, struct dd_error *err)
{
    char errbuf[CURL_ERROR_SIZE];
    for (int attempt = 0;; attempt++) {
        CURL *e = f->easy;
        curl_easy_reset(e);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, f->o->connect_timeout_ms);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, f->o->timeout_ms);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "drydock/" DD_VERSION);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        errbuf[0] = '\0';
        s->written = 0;
        s->too_big = s->io_error = false;
        if (s->mem)
            buf_reset(s->mem);
        if (s->file && (fflush(s->file) != 0 || ftruncate(fileno(s->file), 0) != 0 ||
                        fseek(s->file, 0, SEEK_SET) != 0))
            return dd_error_set(err, DD_EIO, "%s: cannot rewind the download file", url);
        CURLcode c = curl_easy_perform(e);
        if (s->too_big)
            return dd_error_set(err, DD_ETOOBIG, "%s: larger than %llu bytes", url,
                                (unsigned long long)s->max);
        if (s->io_error)
            return dd_error_set(err, DD_EIO, "%s: writing the download: %s", url, strerror(errno));
        if (c != CURLE_OK) {
            if (curl_code_retryable(c) && attempt < f->o->max_retries) {
                sleep_ms(retry_delay_ms(attempt, NULL));
                continue;
            }
            return dd_error_set(err, c == CURLE_PARTIAL_FILE ? DD_ETRUNC : DD_ENET, "%s: %s", url,
                                errbuf[0] ? errbuf : curl_easy_strerror(c));
        }
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (status == 200)
            break;
        if (http_status_retryable(status) && attempt < f->o->max_retries) {
            sleep_ms(retry_delay_ms(attempt, NULL));
            continue;
        }
        if (status == 404)
            return dd_error_set(err, DD_ENOTFOUND, "%s: 404 not found", url);
        return dd_error_set(err, DD_EHTTP, "%s: HTTP %ld", url, status);
    }
    if (s->file && fflush(s->file) != 0)
        return dd_error_set(err, DD_EIO, "%s: writing the download: %s", url, strerror(errno));
    return 0;
}

static int eco_url(struct fetcher *f, const char *eco, const char *leaf, char *out, size_t cap,
                   struct dd_error *err)
{
    char *esc = curl_easy_escape(f->easy, eco, 0);
    if (esc == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    const char *m = f->o->mirror;
    size_t ml = strlen(m);
    while (ml > 0 && m[ml - 1] == '/')
        ml--;
    int n = snprintf(out, cap, "%.*s/%s/%s", (int)ml, m, esc, leaf);
    curl_free(esc);
    if (n < 0 || (size_t)n >= cap)
        return dd_error_set(err, DD_ETOOBIG, "mirror URL too long");
    return 0;
}

static bool id_ok(const char *s, size_t n)
{
    if (n == 0 || n > 200 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

/* modified_id.csv: IDs newer than cursor (all of them when cursor is NULL is not used).
 * *newest: the first line's time (malloc'd). ids: malloc'd array of malloc'd IDs. */
struct changes {
    char *newest;
    char **ids;
    size_t n, cap;
    bool too_many;
};

static void changes_cleanup(struct changes *c)
{
    free(c->newest);
    for (size_t i = 0; i < c->n; i++)
        free(c->ids[i]);
    free(c->ids);
    memset(c, 0, sizeof(*c));
}

static int parse_csv(const char *url, const char *text, size_t len, const char *cursor,
                     struct changes *out, struct dd_error *err)
{
    const char *p = text, *end = text + len;
    size_t line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        size_t ll = (size_t)(le - p);
        if (ll > 0 && p[ll - 1] == '\r')
            ll--;
        if (ll == 0) {
            p = le + 1;
            continue;
        }
        const char *comma = memchr(p, ',', ll);
        if (comma == NULL || comma == p || memchr(p, '\0', ll) != NULL)
            return dd_error_set(err, DD_EPARSE, "%s: line %zu: expected '<time>,<id>'", url, line);
        size_t tl = (size_t)(comma - p);
        const char *id = comma + 1;
        size_t il = ll - tl - 1;
        if (tl > 64)
            return dd_error_set(err, DD_EPARSE, "%s: line %zu: bad time", url, line);
        char t[65];
        memcpy(t, p, tl);
        t[tl] = '\0';
        if (out->newest == NULL && (out->newest = strdup(t)) == NULL)
            return dd_error_set(err, DD_ENOMEM, "out of memory");
        if (cursor == NULL)
            break; /* only the newest time was wanted */
        if (strcmp(t, cursor) <= 0)
            break; /* newest first: everything below was seen */
        if (!id_ok(id, il))
            return dd_error_set(err, DD_EHOSTILE, "%s: line %zu: ID '%.*s' is not a plain ID", url,
                                line, (int)(il > 80 ? 80 : il), id);
        if (out->n >= ADVDB_UPDATE_MAX_CHANGED) {
            out->too_many = true;
            break;
        }
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 64;
            char **v = realloc(out->ids, nc * sizeof(*v));
            if (v == NULL)
                return dd_error_set(err, DD_ENOMEM, "out of memory");
            out->ids = v;
            out->cap = nc;
        }
        if ((out->ids[out->n] = strndup(id, il)) == NULL)
            return dd_error_set(err, DD_ENOMEM, "out of memory");
        out->n++;
        p = le + 1;
    }
    return 0;
}

struct job {
    struct fetcher *f;
    struct advdb_builder *b;
    struct advdb_update_result *res;
    const char *dl_path; /* temp zip path */
    const char *eco;
    const char *cursor; /* NULL: full */
};

static int update_full(struct job *j, const char *newest_hint, struct dd_error *err)
{
    char url[URL_MAX];
    struct sink s = {0};
    int rc;
    (void)newest_hint;
    if ((rc = eco_url(j->f, j->eco, "all.zip", url, sizeof(url), err)) != 0)
        return rc;
    s.file = fopen(j->dl_path, "w+");
    s.max = ADVDB_MAX_ZIP_DOWNLOAD;
    if (s.file == NULL)
        return dd_error_set(err, -errno, "%s: %s", j->dl_path, strerror(errno));
    rc = fetch(j->f, url, &s, err);
    if (fclose(s.file) != 0 && rc == 0)
        rc = dd_error_set(err, DD_EIO, "%s: %s", j->dl_path, strerror(errno));
    if (rc == 0) {
        struct dd_error zerr = {0};
        if (advdb_builder_add_path(j->b, j->dl_path, &zerr) != 0)
            rc = dd_error_set(err, zerr.code, "%s: %s", url, zerr.msg);
    }
    unlink(j->dl_path);
    if (rc == 0)
        j->res->full_ecosystems++;
    return rc;
}

static int update_ecosystem(struct job *j, char **new_cursor, struct dd_error *err)
{
    char url[URL_MAX];
    struct buf csv, rec;
    struct changes ch = {0};
    struct sink s = {0};
    int rc;

    buf_init(&csv, ADVDB_MAX_CSV_BYTES);
    buf_init(&rec, ADVDB_MAX_FILE_BYTES);
    if ((rc = eco_url(j->f, j->eco, "modified_id.csv", url, sizeof(url), err)) != 0)
        goto out;
    s.mem = &csv;
    s.max = ADVDB_MAX_CSV_BYTES;
    rc = fetch(j->f, url, &s, err);
    if (rc == DD_ENOTFOUND && j->cursor == NULL) {
        /* A mirror without modified_id.csv: full downloads every time. */
        dd_error_clear(err);
        rc = update_full(j, NULL, err);
        goto out;
    }
    if (rc)
        goto out;
    if ((rc = parse_csv(url, (const char *)csv.data, csv.len, j->cursor, &ch, err)) != 0)
        goto out;
    if (j->cursor == NULL || ch.too_many) {
        rc = update_full(j, ch.newest, err);
    } else {
        for (size_t i = 0; i < ch.n && rc == 0; i++) {
            char leaf[256];
            snprintf(leaf, sizeof(leaf), "%s.json", ch.ids[i]);
            if ((rc = eco_url(j->f, j->eco, leaf, url, sizeof(url), err)) != 0)
                break;
            struct sink rs = {.mem = &rec, .max = ADVDB_MAX_FILE_BYTES};
            if ((rc = fetch(j->f, url, &rs, err)) != 0)
                break;
            rc = advdb_builder_add_json(j->b, rec.data, rec.len, url, err);
            j->res->fetched_records++;
        }
        if (rc == 0)
            j->res->incr_ecosystems++;
    }
    if (rc == 0 && ch.newest) {
        *new_cursor = ch.newest;
        ch.newest = NULL;
    }
out:
    changes_cleanup(&ch);
    buf_cleanup(&rec);
    buf_cleanup(&csv);
    return rc;
}

static char *path_with(const char *base, const char *suffix)
{
    size_t n = strlen(base) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s", base, suffix);
    return p;
}

static int mkdir_parents(const char *path)
{
    char *dir = strdup(path);
    int rc = 0;
    if (dir == NULL)
        return DD_ENOMEM;
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            rc = -errno;
        *p = '/';
    }
    free(dir);
    return rc;
}

static const char *cursor_of(const struct advdb_info *info, const char *eco)
{
    for (size_t i = 0; info && i < info->n_cursors; i++)
        if (strcmp(info->cursors[i].ecosystem, eco) == 0)
            return info->cursors[i].last_modified;
    return NULL;
}

/* <mirror>/ecosystems.txt: one ecosystem per line. Names must be printable and hold no '/'
 * (they become a path segment). */
#define ECOSYSTEMS_TXT_MAX_BYTES (1u << 20)
#define ECOSYSTEMS_MAX           1024

static int fetch_ecosystem_list(struct fetcher *f, char ***out, size_t *n_out, struct dd_error *err)
{
    char url[URL_MAX];
    struct buf body;
    struct sink s = {.mem = &body, .max = ECOSYSTEMS_TXT_MAX_BYTES};
    char **v = NULL;
    size_t n = 0;
    int rc;
    const char *m = f->o->mirror;
    size_t ml = strlen(m);
    while (ml > 0 && m[ml - 1] == '/')
        ml--;
    if (snprintf(url, sizeof(url), "%.*s/ecosystems.txt", (int)ml, m) >= (int)sizeof(url))
        return dd_error_set(err, DD_ETOOBIG, "mirror URL too long");
    buf_init(&body, ECOSYSTEMS_TXT_MAX_BYTES);
    if ((rc = fetch(f, url, &s, err)) != 0)
        goto out;
    v = calloc(ECOSYSTEMS_MAX, sizeof(*v));
    if (v == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    const char *p = (const char *)body.data, *end = p + body.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t l = (size_t)(le - p);
        while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' '))
            l--;
        if (l > 0) {
            bool ok = l <= 100 && !(l <= 2 && p[0] == '.');
            for (size_t i = 0; i < l && ok; i++)
                ok = (unsigned char)p[i] >= 0x20 && p[i] != '/' && p[i] != 0x7f;
            if (!ok) {
                rc = dd_error_set(err, DD_EHOSTILE, "%s: '%.*s' is not an ecosystem name", url,
                                  (int)(l > 60 ? 60 : l), p);
                goto out;
            }
            if (n == ECOSYSTEMS_MAX) {
                rc = dd_error_set(err, DD_ELIMIT, "%s: more than %d ecosystems", url,
                                  ECOSYSTEMS_MAX);
                goto out;
            }
            if ((v[n] = strndup(p, l)) == NULL) {
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto out;
            }
            n++;
        }
        p = le + 1;
    }
    if (n == 0) {
        rc = dd_error_set(err, DD_EPARSE, "%s: no ecosystems listed", url);
        goto out;
    }
    *out = v;
    *n_out = n;
    v = NULL;
out:
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
    buf_cleanup(&body);
    return rc;
}

int advdb_update(const struct advdb_update_opts *o, struct advdb_update_result *res,
                 struct dd_error *err)
{
    struct advdb_update_opts opts = *o;
    struct advdb_update_result r;
    struct fetcher f = {NULL, &opts};
    struct advdb *old = NULL, *fresh = NULL;
    struct advdb_info info;
    bool have_info = false;
    struct advdb_builder *b = NULL;
    char *def = NULL, *new_path = NULL, *dl_path = NULL, *lock_path = NULL;
    char **cursors = NULL;
    const char **cursor_ecos = NULL;
    char **listed = NULL; /* from ecosystems.txt */
    size_t n_listed = 0;
    int lock_fd = -1, rc;

    memset(&r, 0, sizeof(r));
    if (opts.mirror == NULL)
        opts.mirror = ADVDB_DEFAULT_MIRROR;
    if (opts.db_path == NULL) {
        if ((rc = advdb_default_path(&def)) != 0) {
            dd_error_set(err, rc, "no DB path: neither $DRYDOCK_DB nor $HOME is set");
            goto out;
        }
        opts.db_path = def;
    }
    if (opts.n_ecosystems == 0) {
        rc = dd_error_set(err, DD_EINVAL, "no ecosystems to update");
        goto out;
    }
    if (opts.n_ecosystems == 1 && strcmp(opts.ecosystems[0], "all") == 0) {
        if ((f.easy = curl_easy_init()) == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = fetch_ecosystem_list(&f, &listed, &n_listed, err)) != 0)
            goto out;
        opts.ecosystems = (const char *const *)listed;
        opts.n_ecosystems = n_listed;
    }
    new_path = path_with(opts.db_path, ".new");
    dl_path = path_with(opts.db_path, ".dl.zip");
    lock_path = path_with(opts.db_path, ".lock");
    cursors = calloc(opts.n_ecosystems, sizeof(*cursors));
    cursor_ecos = calloc(opts.n_ecosystems, sizeof(*cursor_ecos));
    if (f.easy == NULL)
        f.easy = curl_easy_init();
    if (!new_path || !dl_path || !lock_path || !cursors || !cursor_ecos || !f.easy) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = mkdir_parents(opts.db_path)) != 0) {
        dd_error_set(err, rc, "%s: cannot create its directory: %s", opts.db_path, dd_strerror(rc));
        goto out;
    }
    lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
        rc = dd_error_set(err, lock_fd < 0 ? -errno : DD_EIO,
                          "%s: another update is running (or the lock cannot be taken)", lock_path);
        goto out;
    }
    if ((rc = advdb_builder_new(&b)) != 0) {
        dd_error_set(err, rc, "out of memory");
        goto out;
    }
    advdb_builder_set_warn(b, opts.warn, opts.warn_ctx);
    struct dd_error oerr = {0};
    if (access(opts.db_path, F_OK) == 0) {
        if (advdb_open(opts.db_path, &old, &oerr) != 0 || advdb_get_info(old, &info, &oerr) != 0) {
            /* An unreadable old DB is replaced by a full download, never merged. */
            if (opts.warn)
                opts.warn(opts.db_path, oerr.msg, opts.warn_ctx);
            advdb_close(old);
            old = NULL;
        } else {
            have_info = true;
            r.old_records = advdb_record_count(old);
            if ((rc = advdb_builder_add_db(b, old, err)) != 0)
                goto out;
        }
    }
    for (size_t i = 0; i < opts.n_ecosystems; i++) {
        const char *eco = opts.ecosystems[i];
        const char *cur = have_info && !opts.full ? cursor_of(&info, eco) : NULL;
        struct job j = {&f, b, &r, dl_path, eco, cur};
        if ((rc = update_ecosystem(&j, &cursors[i], err)) != 0)
            goto out;
        cursor_ecos[i] = eco;
    }
    /* Keep cursors of ecosystems this run did not touch. */
    size_t n_cur = 0;
    const char **ce = calloc(opts.n_ecosystems + (have_info ? info.n_cursors : 0) + 1, sizeof(*ce));
    const char **ct = calloc(opts.n_ecosystems + (have_info ? info.n_cursors : 0) + 1, sizeof(*ct));
    if (ce == NULL || ct == NULL) {
        free(ce);
        free(ct);
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < opts.n_ecosystems; i++)
        if (cursors[i]) {
            ce[n_cur] = cursor_ecos[i];
            ct[n_cur++] = cursors[i];
        }
    for (size_t i = 0; have_info && i < info.n_cursors; i++) {
        bool touched = false;
        for (size_t k = 0; k < opts.n_ecosystems; k++)
            touched |= strcmp(opts.ecosystems[k], info.cursors[i].ecosystem) == 0;
        if (!touched) {
            ce[n_cur] = info.cursors[i].ecosystem;
            ct[n_cur++] = info.cursors[i].last_modified;
        }
    }
    struct advdb_build_meta meta = {.source = opts.mirror,
                                    .mirror = opts.mirror,
                                    .cursor_ecosystems = ce,
                                    .cursor_times = ct,
                                    .n_cursors = n_cur};
    rc = advdb_builder_write(b, new_path, &meta, err);
    free(ce);
    free(ct);
    if (rc)
        goto out;
    if ((rc = advdb_open(new_path, &fresh, err)) != 0 || (rc = advdb_verify(fresh, err)) != 0) {
        dd_error_prefix(err, "new DB %s failed verification: ", new_path);
        unlink(new_path);
        goto out;
    }
    r.records = advdb_record_count(fresh);
    if (r.records == 0 || r.records < r.old_records / 2) {
        rc = dd_error_set(err, DD_EPARSE,
                          "new DB has %llu records, the old one %llu: refusing to replace it",
                          (unsigned long long)r.records, (unsigned long long)r.old_records);
        unlink(new_path);
        goto out;
    }
    if (rename(new_path, opts.db_path) != 0) {
        rc = dd_error_set(err, -errno, "rename %s -> %s: %s", new_path, opts.db_path,
                          strerror(errno));
        unlink(new_path);
        goto out;
    }
    struct advdb_build_stats st;
    advdb_builder_stats(b, &st);
    r.skipped = st.skipped;
    *res = r;
    rc = 0;
out:
    advdb_close(fresh);
    if (have_info)
        advdb_info_cleanup(&info);
    advdb_close(old);
    advdb_builder_free(b);
    for (size_t i = 0; cursors && i < opts.n_ecosystems; i++)
        free(cursors[i]);
    free(cursors);
    free(cursor_ecos);
    for (size_t i = 0; i < n_listed; i++)
        free(listed[i]);
    free(listed);
    if (f.easy)
        curl_easy_cleanup(f.easy);
    if (lock_fd >= 0)
        close(lock_fd);
    free(lock_path);
    free(dl_path);
    free(new_path);
    free(def);
    return rc;
}
