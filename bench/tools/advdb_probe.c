/* advdb_probe.c - measure an advisory DB: open time, lookup time for a set of package names,
 * and (with --sqlite FILE) the same lookups against an SQLite index of the same postings, so
 * the file-format decision in docs/advdb.md rests on numbers.
 *
 *   advdb_probe DB [--runs N] [--names N] [--sqlite FILE] [--parse-dir DIR]
 *
 * Names: every (ecosystem, name) the DB indexes, sampled evenly to N (default 1000), 80% of
 * them real and 20% misses (the real names with a suffix). Prints key=value lines.
 * --parse-dir: time osv_parse over every *.json under DIR (what re-parsing on lookup would
 * cost per record).
 */
#include <dirent.h>
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "advdb.h"
#include "advdb_build.h"
#include "buf.h"
#include "inventory.h"
#include "match.h"

struct pair {
    char *eco, *name;
};

struct pairs {
    struct pair *v;
    size_t n, cap;
    size_t approx_bytes; /* summed over records, for the SQLite blob */
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int on_record(const struct advisory *adv, size_t idx, void *ctx)
{
    (void)idx;
    struct pairs *p = ctx;
    for (size_t i = 0; i < adv->n_affected; i++) {
        if (p->n == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 1024;
            p->v = realloc(p->v, p->cap * sizeof(*p->v));
            if (p->v == NULL)
                return 1;
        }
        p->v[p->n].eco = strdup(adv->affected[i].ecosystem);
        p->v[p->n].name = strdup(adv->affected[i].name);
        p->n++;
    }
    return 0;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    int c = strcmp(x->eco, y->eco);
    return c ? c : strcmp(x->name, y->name);
}

struct hits {
    unsigned long entries;
    unsigned long versions;
};

static int on_hit(const struct advisory *adv, size_t idx, void *ctx)
{
    struct hits *h = ctx;
    h->entries++;
    h->versions += adv->affected[idx].n_versions;
    return 0;
}

static void time_parse_dir(const char *dir, double *total_ms, unsigned long *n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            time_parse_dir(path, total_ms, n);
            continue;
        }
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".json") != 0 || st.st_size > (8 << 20))
            continue;
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        char *data = malloc((size_t)st.st_size + 1);
        size_t got = data ? fread(data, 1, (size_t)st.st_size, f) : 0;
        fclose(f);
        struct advisory adv;
        double t0 = now_ms();
        if (data && osv_parse((const uint8_t *)data, got, &adv, NULL) == 0) {
            *total_ms += now_ms() - t0;
            (*n)++;
            advisory_cleanup(&adv);
        }
        free(data);
    }
    closedir(d);
}

static int probe_lookup(void *src, const char *eco, const char *name, advdb_hit_cb cb, void *ctx,
                        struct dd_error *err)
{
    return advdb_lookup(src, eco, name, cb, ctx, err);
}

/* Every field of every finding, one line each: compares two matcher builds exactly. */
static void dump_findings(const char *path, const struct inventory *inv,
                          const struct finding_list *fl)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    for (size_t i = 0; i < fl->n; i++) {
        const struct finding *x = &fl->v[i];
        fprintf(f, "%s|%s|%s|%s|%s|%s|%s|%d|%d|%s|%.1f|%s|%s|%s|", x->id,
                inv->pkgs.v[x->pkg_index].name, x->pkg_name, x->matched_name, x->ecosystem,
                x->installed_version, x->matched_version, (int)x->status, (int)x->severity,
                x->severity_source ? x->severity_source : "", x->has_cvss ? x->cvss_score : -1,
                x->cvss_vector ? x->cvss_vector : "", x->cvss_version ? x->cvss_version : "",
                x->fixed_version ? x->fixed_version : "");
        for (size_t k = 0; k < x->n_aliases; k++)
            fprintf(f, "%s,", x->aliases[k]);
        fprintf(f, "|%s|", x->title ? x->title : "");
        for (size_t k = 0; k < x->n_references; k++)
            fprintf(f, "%s,", x->references[k]);
        fprintf(f, "\n");
    }
    for (size_t i = 0; i < fl->n_errors; i++)
        fprintf(f, "error|%zu|%s|%s\n", fl->errors[i].pkg_index,
                fl->errors[i].advisory ? fl->errors[i].advisory : "", fl->errors[i].msg);
    fclose(f);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"runs", required_argument, NULL, 'r'},   {"names", required_argument, NULL, 'n'},
        {"sqlite", required_argument, NULL, 's'}, {"parse-dir", required_argument, NULL, 'p'},
        {"match-only", no_argument, NULL, 'm'},   {"dump", required_argument, NULL, 'd'},
        {"os", required_argument, NULL, 'o'},     {NULL, 0, NULL, 0},
    };
    int runs = 21, want = 1000, c;
    const char *sqlite_path = NULL, *parse_dir = NULL;
    bool match_only = false;      /* for profiling the matcher alone */
    const char *dump_path = NULL; /* every finding of the match run, one line each */
    const char *os_eco = NULL;    /* match OS packages of this ecosystem ("AlmaLinux:9") */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'r')
            runs = atoi(optarg);
        else if (c == 'n')
            want = atoi(optarg);
        else if (c == 's')
            sqlite_path = optarg;
        else if (c == 'p')
            parse_dir = optarg;
        else if (c == 'm')
            match_only = true;
        else if (c == 'd')
            dump_path = optarg;
        else if (c == 'o')
            os_eco = optarg;
        else
            return 2;
    }
    if (optind != argc - 1 || runs < 1 || want < 1) {
        fprintf(stderr,
                "usage: advdb_probe DB [--runs N] [--names N] [--sqlite FILE] [--parse-dir DIR] "
                "[--match-only] [--dump FILE] [--os Debian:12|Alpine:v3.18|AlmaLinux:9]\n");
        return 2;
    }
    const char *path = argv[optind];
    struct dd_error err = {0};
    struct advdb *db = NULL;
    double *t = calloc((size_t)runs, sizeof(double));

    /* open: median of runs (each a fresh open + first lookup of a miss + close) */
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        if (advdb_open(path, &db, &err) != 0) {
            fprintf(stderr, "advdb_probe: %s\n", err.msg);
            return 1;
        }
        struct hits h = {0};
        advdb_lookup(db, "npm", "no-such-package", on_hit, &h, NULL);
        t[i] = now_ms() - t0;
        advdb_close(db);
    }
    qsort(t, (size_t)runs, sizeof(double), cmp_d);
    printf("open_ms=%.3f\n", t[runs / 2]);

    advdb_open(path, &db, &err);
    struct pairs all = {0};
    advdb_foreach(db, on_record, &all, NULL);
    qsort(all.v, all.n, sizeof(*all.v), cmp_pair);
    size_t u = 0;
    for (size_t i = 0; i < all.n; i++) {
        if (u > 0 && cmp_pair(&all.v[u - 1], &all.v[i]) == 0) {
            free(all.v[i].eco);
            free(all.v[i].name);
            continue;
        }
        all.v[u++] = all.v[i];
    }
    all.n = u;
    /* the query set: evenly spaced real names, every fifth turned into a miss */
    struct pair *q = calloc((size_t)want, sizeof(*q));
    for (int i = 0; i < want; i++) {
        struct pair *p = &all.v[(size_t)i * all.n / (size_t)want];
        q[i].eco = strdup(p->eco);
        if (i % 5 == 4) {
            size_t l = strlen(p->name) + 16;
            q[i].name = malloc(l);
            snprintf(q[i].name, l, "%s-drydock-miss", p->name);
        } else {
            q[i].name = strdup(p->name);
        }
    }
    printf("indexed_names=%zu queries=%d\n", all.n, want);
    struct hits h = {0};
    for (int r = 0; r < runs && !match_only; r++) {
        h.entries = h.versions = 0;
        double t0 = now_ms();
        for (int i = 0; i < want; i++)
            advdb_lookup(db, q[i].eco, q[i].name, on_hit, &h, NULL);
        t[r] = now_ms() - t0;
    }
    qsort(t, (size_t)runs, sizeof(double), cmp_d);
    printf("lookup_ms=%.3f hits=%lu versions_seen=%lu\n", t[runs / 2], h.entries, h.versions);

    /* Full matching (lookup + range evaluation + alias merge + sort) of an inventory of
     * `want` language packages: names drawn evenly from the language ecosystems' indexed
     * names (every fifth a miss), each at a low version so ranges get evaluated. */
    {
        struct inventory inv;
        inventory_init(&inv);
        size_t n_lang = 0;
        enum pkg_type os_type = PKG_TYPE_DEB;
        if (os_eco) {
            /* OS packages instead: names of that ecosystem, a low version, the OS set */
            const char *colon = strchr(os_eco, ':');
            const char *fam = strncmp(os_eco, "Debian", 6) == 0   ? "debian"
                              : strncmp(os_eco, "Alpine", 6) == 0 ? "alpine"
                                                                  : "almalinux";
            os_type = fam[1] == 'e'                    ? PKG_TYPE_DEB
                      : fam[1] == 'l' && fam[2] == 'p' ? PKG_TYPE_APK
                                                       : PKG_TYPE_RPM;
            inv.os.family = strdup(fam);
            inv.os.version = strdup(colon ? colon + 1 + (colon[1] == 'v') : "0");
            inv.has_os = true;
        }
        for (size_t i = 0; i < all.n; i++) {
            const char *e = all.v[i].eco;
            if (os_eco)
                n_lang += strcmp(e, os_eco) == 0;
            else
                n_lang += strcmp(e, "npm") == 0 || strcmp(e, "PyPI") == 0 || strcmp(e, "Go") == 0 ||
                          strcmp(e, "crates.io") == 0 || strcmp(e, "Maven") == 0;
        }
        size_t seen = 0, taken = 0;
        for (size_t i = 0; i < all.n && n_lang && taken < (size_t)want; i++) {
            const char *e = all.v[i].eco;
            enum pkg_type ty;
            const char *ver = "1.0.0";
            if (os_eco) {
                if (strcmp(e, os_eco) != 0)
                    continue;
                ty = os_type;
                ver = ty == PKG_TYPE_DEB ? "0.1-1" : ty == PKG_TYPE_APK ? "0.1-r0" : "0.1";
            } else if (strcmp(e, "npm") == 0)
                ty = PKG_TYPE_NPM;
            else if (strcmp(e, "PyPI") == 0)
                ty = PKG_TYPE_PYPI;
            else if (strcmp(e, "Go") == 0)
                ty = PKG_TYPE_GOLANG, ver = "v1.0.0";
            else if (strcmp(e, "crates.io") == 0)
                ty = PKG_TYPE_CARGO;
            else if (strcmp(e, "Maven") == 0)
                ty = PKG_TYPE_MAVEN;
            else
                continue;
            /* take names evenly spaced over the language names */
            if (seen++ * (size_t)want / n_lang != taken)
                continue;
            struct pkg *pk;
            if (pkg_list_add(&inv.pkgs, &pk) != 0)
                break;
            pk->type = ty;
            size_t l = strlen(all.v[i].name) + 16;
            pk->name = malloc(l);
            snprintf(pk->name, l, "%s%s", all.v[i].name, taken % 5 == 4 ? "-drydock-miss" : "");
            pk->version = strdup(ver);
            pk->file_path = strdup("bench");
            if (os_eco && ty != PKG_TYPE_RPM) { /* looked up by source package */
                pk->src_name = strdup(pk->name);
                pk->src_version = strdup(ver);
            }
            if (os_eco && ty == PKG_TYPE_RPM)
                pk->release = strdup("1.el9");
            taken++;
        }
        size_t findings = 0;
        for (int r = 0; r < runs; r++) {
            struct finding_list fl;
            finding_list_init(&fl);
            double t0 = now_ms();
            match_inventory(&inv, probe_lookup, db, &fl, NULL);
            t[r] = now_ms() - t0;
            findings = fl.n;
            if (dump_path && r == 0)
                dump_findings(dump_path, &inv, &fl);
            finding_list_cleanup(&fl);
        }
        qsort(t, (size_t)runs, sizeof(double), cmp_d);
        printf("match_ms=%.3f packages=%zu findings=%zu\n", t[runs / 2], inv.pkgs.n, findings);
        inventory_cleanup(&inv);
    }

    if (sqlite_path) {
        /* Same postings in SQLite: (eco, name) -> (record id, affected index) plus a blob per
         * record of the size our encoding has, fetched per hit like a real design would. */
        sqlite3 *s = NULL;
        remove(sqlite_path);
        sqlite3_open(sqlite_path, &s);
        sqlite3_exec(s,
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "CREATE TABLE post(eco TEXT, name TEXT, rec INTEGER, aff INTEGER);"
                     "CREATE TABLE rec(id INTEGER PRIMARY KEY, body BLOB);",
                     NULL, NULL, NULL);
        sqlite3_exec(s, "BEGIN", NULL, NULL, NULL);
        sqlite3_stmt *ins = NULL, *insr = NULL;
        sqlite3_prepare_v2(s, "INSERT INTO post VALUES(?,?,?,0)", -1, &ins, NULL);
        sqlite3_prepare_v2(s, "INSERT INTO rec VALUES(?,zeroblob(?))", -1, &insr, NULL);
        for (size_t i = 0; i < all.n; i++) {
            sqlite3_bind_text(ins, 1, all.v[i].eco, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, all.v[i].name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 3, (sqlite3_int64)i);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            sqlite3_bind_int64(insr, 1, (sqlite3_int64)i);
            sqlite3_bind_int(insr, 2, 1000); /* ~ one encoded record */
            sqlite3_step(insr);
            sqlite3_reset(insr);
        }
        sqlite3_finalize(ins);
        sqlite3_finalize(insr);
        sqlite3_exec(s, "COMMIT; CREATE INDEX post_key ON post(eco, name);", NULL, NULL, NULL);
        sqlite3_close(s);
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms();
            sqlite3_open_v2(sqlite_path, &s, SQLITE_OPEN_READONLY, NULL);
            sqlite3_exec(s, "PRAGMA mmap_size=268435456", NULL, NULL, NULL);
            sqlite3_stmt *st = NULL;
            sqlite3_prepare_v2(s,
                               "SELECT r.body FROM post p JOIN rec r ON r.id = p.rec "
                               "WHERE p.eco = ? AND p.name = ?",
                               -1, &st, NULL);
            sqlite3_finalize(st);
            t[r] = now_ms() - t0;
            sqlite3_close(s);
        }
        qsort(t, (size_t)runs, sizeof(double), cmp_d);
        printf("sqlite_open_ms=%.3f\n", t[runs / 2]);
        sqlite3_open_v2(sqlite_path, &s, SQLITE_OPEN_READONLY, NULL);
        sqlite3_exec(s, "PRAGMA mmap_size=268435456", NULL, NULL, NULL);
        sqlite3_stmt *st = NULL;
        sqlite3_prepare_v2(s,
                           "SELECT r.body FROM post p JOIN rec r ON r.id = p.rec "
                           "WHERE p.eco = ? AND p.name = ?",
                           -1, &st, NULL);
        unsigned long rows = 0;
        for (int r = 0; r < runs; r++) {
            rows = 0;
            double t0 = now_ms();
            for (int i = 0; i < want; i++) {
                sqlite3_bind_text(st, 1, q[i].eco, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, q[i].name, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                    (void)sqlite3_column_blob(st, 0);
                    rows++;
                }
                sqlite3_reset(st);
            }
            t[r] = now_ms() - t0;
        }
        qsort(t, (size_t)runs, sizeof(double), cmp_d);
        printf("sqlite_query_ms=%.3f sqlite_rows=%lu (index query + blob fetch only, no "
               "decoding)\n",
               t[runs / 2], rows);
        sqlite3_finalize(st);
        sqlite3_close(s);
    }
    if (parse_dir) {
        double total = 0;
        unsigned long n = 0;
        time_parse_dir(parse_dir, &total, &n);
        if (n)
            printf("osv_parse_us_per_record=%.1f parsed=%lu\n", total * 1000.0 / (double)n, n);
    }
    advdb_close(db);
    for (size_t i = 0; i < all.n; i++) {
        free(all.v[i].eco);
        free(all.v[i].name);
    }
    free(all.v);
    for (int i = 0; i < want; i++) {
        free(q[i].eco);
        free(q[i].name);
    }
    free(q);
    free(t);
    return 0;
}
