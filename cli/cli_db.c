/* cli_db.c - `drydock db build|update|info`: make, refresh and describe the advisory DB.
 *
 * build: OSV directories, .json records and all.zip bulk files into one DB file (written to
 * FILE.tmp, then renamed). Malformed records are located warnings on stderr, capped at
 * --max-warnings (the rest are counted); a source that cannot be read at all (corrupt zip,
 * zip bomb, missing path) is an error for that source, the DB is still written from the
 * others and the exit code is 1.
 * update: see advdb_update.h; the old DB keeps serving unless the new one verified.
 * info: build time, age, records per ecosystem.
 * query: the entries a lookup returns (for people debugging a match).
 *
 * stdout carries the summary / info; warnings and errors go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advdb.h"
#include "advdb_build.h"
#include "advdb_update.h"
#include "buf.h"
#include "cli.h"

struct warn_state {
    const char *prog;
    unsigned long printed, suppressed, cap;
};

static void on_warn(const char *where, const char *msg, void *ctx)
{
    struct warn_state *w = ctx;
    if (w->printed < w->cap) {
        fprintf(stderr, "%s: warning: %s: %s\n", w->prog, where, msg);
        w->printed++;
    } else {
        w->suppressed++;
    }
}

static void db_usage(FILE *out)
{
    fprintf(out,
            "usage: drydock db build --from PATH [--from PATH...] --out FILE\n"
            "       drydock db update [--mirror URL] [--ecosystems LIST] [--db FILE]\n"
            "       drydock db info [--db FILE]\n"
            "       drydock db query [--db FILE] ECOSYSTEM NAME\n"
            "\n"
            "build   PATH: a directory of OSV .json records (recursive), an OSV all.zip bulk\n"
            "        file, or one .json record\n"
            "  --max-warnings N        print at most N malformed-record warnings (default %d)\n"
            "update  first run downloads <mirror>/<Ecosystem>/all.zip; later runs fetch only\n"
            "        the records modified_id.csv lists as changed\n"
            "  --mirror URL            default %s\n"
            "  --ecosystems LIST       comma-separated (default: %s);\n"
            "                          'all': every ecosystem in <mirror>/ecosystems.txt\n"
            "  --full                  download all.zip again even when the DB has a cursor\n"
            "  --db FILE               default $DRYDOCK_DB or ~/.cache/drydock/advisories.db\n"
            "\n"
            "query   print the affected entries a lookup of (ECOSYSTEM, NAME) returns\n"
            "\n"
            "exit codes: 0 ok, 1 failed (stderr says why; an update leaves the old DB), 2 usage\n",
            ADVDB_WARN_DEFAULT_CAP, ADVDB_DEFAULT_MIRROR, ADVDB_DEFAULT_ECOSYSTEMS);
}

static void print_counts(FILE *out, const struct advdb_info *info)
{
    for (size_t i = 0; i < info->n_ecosystems; i++)
        fprintf(out, "  %-20s %" PRIu64 "\n", info->ecosystems[i].ecosystem,
                info->ecosystems[i].records);
}

static void format_age(char *out, size_t cap, int64_t s)
{
    if (s < 0)
        snprintf(out, cap, "in the future (clock skew?)");
    else if (s < 120)
        snprintf(out, cap, "%" PRId64 "s ago", s);
    else if (s < (int64_t)2 * 3600)
        snprintf(out, cap, "%" PRId64 "m ago", s / 60);
    else if (s < (int64_t)2 * 86400)
        snprintf(out, cap, "%" PRId64 "h ago", s / 3600);
    else
        snprintf(out, cap, "%" PRId64 "d ago", s / 86400);
}

static int print_info(FILE *out, const char *path, struct advdb *db, const char *prog)
{
    struct advdb_info info;
    struct dd_error err = {0};
    char age[64];
    if (advdb_get_info(db, &info, &err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, err.msg);
        return CLI_EXIT_FAILED;
    }
    int64_t a = advdb_age_s(db);
    format_age(age, sizeof(age), a);
    fprintf(out, "database:  %s\n", path);
    fprintf(out, "format:    %u\n", info.format_version);
    fprintf(out, "built:     %s (%s%s)\n", info.built_at, age,
            a > ADVDB_DEFAULT_MAX_AGE_S ? ", stale: run 'drydock db update'" : "");
    fprintf(out, "source:    %s\n", info.source);
    fprintf(out,
            "records:   %" PRIu64 " (index entries %" PRIu64 ", skipped %" PRIu64
            ", withdrawn %" PRIu64 ", duplicates %" PRIu64 ")\n",
            info.records, info.entries, info.skipped, info.withdrawn, info.duplicates);
    fprintf(out, "ecosystems:\n");
    print_counts(out, &info);
    for (size_t i = 0; i < info.n_cursors; i++)
        fprintf(out, "cursor:    %s %s\n", info.cursors[i].ecosystem,
                info.cursors[i].last_modified);
    advdb_info_cleanup(&info);
    return CLI_EXIT_OK;
}

static int db_build(int argc, char **argv)
{
    enum { OPT_FROM = 256, OPT_OUT, OPT_MAXW };
    static const struct option opts[] = {
        {"from", required_argument, NULL, OPT_FROM},
        {"out", required_argument, NULL, OPT_OUT},
        {"max-warnings", required_argument, NULL, OPT_MAXW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "drydock db build";
    const char **from = NULL;
    size_t n_from = 0;
    const char *out_path = NULL;
    struct warn_state ws = {prog, 0, 0, ADVDB_WARN_DEFAULT_CAP};
    struct advdb_builder *b = NULL;
    struct advdb *db = NULL;
    struct buf source;
    int rc = CLI_EXIT_USAGE, c;

    buf_init(&source, 1u << 16);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FROM: {
            const char **f = realloc(from, (n_from + 1) * sizeof(*from));
            if (f == NULL) {
                rc = CLI_EXIT_FAILED;
                goto out;
            }
            from = f;
            from[n_from++] = optarg;
            break;
        }
        case OPT_OUT:
            out_path = optarg;
            break;
        case OPT_MAXW: {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg) {
                fprintf(stderr, "%s: --max-warnings needs a number\n", prog);
                goto out;
            }
            ws.cap = v;
            break;
        }
        case 'h':
            db_usage(stdout);
            rc = CLI_EXIT_OK;
            goto out;
        default:
            db_usage(stderr);
            goto out;
        }
    }
    if (optind != argc || n_from == 0 || out_path == NULL) {
        fprintf(stderr, "%s: need --from PATH (one or more) and --out FILE\n", prog);
        db_usage(stderr);
        goto out;
    }
    rc = CLI_EXIT_FAILED;
    if (advdb_builder_new(&b) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    advdb_builder_set_warn(b, on_warn, &ws);
    unsigned failed = 0;
    for (size_t i = 0; i < n_from; i++) {
        struct dd_error err = {0};
        (void)buf_printf(&source, "%s%s", i ? " " : "", from[i]);
        if (advdb_builder_add_path(b, from[i], &err) != 0) {
            fprintf(stderr, "%s: error: %s\n", prog, err.msg);
            failed++;
        }
    }
    struct dd_error err = {0};
    struct advdb_build_meta meta = {.source = source.data ? (char *)source.data : ""};
    if (advdb_builder_write(b, out_path, &meta, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        goto out;
    }
    if (advdb_open(out_path, &db, &err) != 0) {
        fprintf(stderr, "%s: the new database does not open: %s\n", prog, err.msg);
        goto out;
    }
    struct advdb_build_stats st;
    advdb_builder_stats(b, &st);
    if (ws.suppressed)
        fprintf(stderr, "%s: %lu more warnings not shown\n", prog, ws.suppressed);
    printf("built %s: %" PRIu64 " records (%" PRIu64 " skipped as malformed or unreadable, %" PRIu64
           " YAML; %" PRIu64 " withdrawn; %" PRIu64 " older duplicates)\n",
           out_path, advdb_record_count(db), st.skipped - st.yaml, st.yaml, st.withdrawn,
           st.duplicates);
    struct advdb_info info;
    if (advdb_get_info(db, &info, &err) == 0) {
        print_counts(stdout, &info);
        advdb_info_cleanup(&info);
    }
    if (failed) {
        fprintf(stderr, "%s: %u source(s) failed; the database was written without them\n", prog,
                failed);
        goto out;
    }
    rc = CLI_EXIT_OK;
out:
    advdb_close(db);
    advdb_builder_free(b);
    free(from);
    buf_cleanup(&source);
    return rc;
}

/* The shared front of `db info` and `db query`: `--db FILE` (else the default path) and
 * exactly n_operands operands; opens the DB. Returns an exit code; 0 with *db set means go on
 * (the caller closes *db and frees *def), 0 with *db NULL means --help was printed. */
static int open_db_cmd(const char *prog, int argc, char **argv, int n_operands,
                       const char *operands_msg, const char **path_out, struct advdb **db,
                       char **def)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL;
    struct dd_error err = {0};
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            path = optarg;
            break;
        case 'h':
            db_usage(stdout);
            return CLI_EXIT_OK;
        default:
            db_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != n_operands) {
        if (n_operands == 0)
            fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
        else
            fprintf(stderr, "%s: %s\n", prog, operands_msg);
        return CLI_EXIT_USAGE;
    }
    if (path == NULL) {
        if (advdb_default_path(def) != 0) {
            fprintf(stderr, "%s: no --db, and neither $DRYDOCK_DB nor $HOME is set\n", prog);
            return CLI_EXIT_USAGE;
        }
        path = *def;
    }
    if (advdb_open(path, db, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return CLI_EXIT_FAILED;
    }
    *path_out = path;
    return 0;
}

static int db_info(int argc, char **argv)
{
    const char *prog = "drydock db info";
    char *def = NULL;
    struct advdb *db = NULL;
    const char *path = NULL;
    int rc = open_db_cmd(prog, argc, argv, 0, NULL, &path, &db, &def);
    if (rc == 0 && db)
        rc = print_info(stdout, path, db, prog);
    advdb_close(db);
    free(def);
    return rc;
}

/* Split a comma-separated list in place (spaces inside names are kept: "Rocky Linux"). */
static size_t split_list(char *s, const char **out, size_t cap)
{
    size_t n = 0;
    for (char *tok = strtok(s, ","); tok && n < cap; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        if (*tok)
            out[n++] = tok;
    }
    return n;
}

static int db_update(int argc, char **argv)
{
    enum { OPT_MIRROR = 256, OPT_ECOS, OPT_FULL, OPT_RETRIES, OPT_MAXW };
    static const struct option opts[] = {
        {"mirror", required_argument, NULL, OPT_MIRROR},
        {"ecosystems", required_argument, NULL, OPT_ECOS},
        {"db", required_argument, NULL, 'd'},
        {"full", no_argument, NULL, OPT_FULL},
        {"retries", required_argument, NULL, OPT_RETRIES},
        {"max-warnings", required_argument, NULL, OPT_MAXW},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "drydock db update";
    struct advdb_update_opts o;
    struct advdb_update_result res;
    struct warn_state ws = {prog, 0, 0, ADVDB_WARN_DEFAULT_CAP};
    const char *ecos[64];
    char *list = NULL, *def = NULL;
    struct dd_error err = {0};
    struct advdb *db = NULL;
    int rc = CLI_EXIT_USAGE, c;

    advdb_update_opts_default(&o);
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_MIRROR:
            o.mirror = optarg;
            break;
        case OPT_ECOS:
            free(list);
            list = strdup(optarg);
            break;
        case 'd':
            o.db_path = optarg;
            break;
        case OPT_FULL:
            o.full = true;
            break;
        case OPT_RETRIES:
        case OPT_MAXW: {
            char *end;
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (errno || *end || end == optarg || v > 1000000) {
                fprintf(stderr, "%s: --%s needs a number\n", prog,
                        c == OPT_RETRIES ? "retries" : "max-warnings");
                goto out;
            }
            if (c == OPT_RETRIES)
                o.max_retries = (int)(v > 10 ? 10 : v);
            else
                ws.cap = v;
            break;
        }
        case 'h':
            db_usage(stdout);
            rc = CLI_EXIT_OK;
            goto out;
        default:
            db_usage(stderr);
            goto out;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
        goto out;
    }
    if (list == NULL)
        list = strdup(ADVDB_DEFAULT_ECOSYSTEMS);
    if (list == NULL) {
        rc = CLI_EXIT_FAILED;
        goto out;
    }
    o.n_ecosystems = split_list(list, ecos, sizeof(ecos) / sizeof(ecos[0]));
    o.ecosystems = ecos;
    if (o.n_ecosystems == 0) {
        fprintf(stderr, "%s: --ecosystems is empty\n", prog);
        goto out;
    }
    if (o.db_path == NULL && advdb_default_path(&def) != 0) {
        fprintf(stderr, "%s: no --db, and neither $DRYDOCK_DB nor $HOME is set\n", prog);
        goto out;
    }
    if (o.db_path == NULL)
        o.db_path = def;
    o.warn = on_warn;
    o.warn_ctx = &ws;
    rc = CLI_EXIT_FAILED;
    if (advdb_update(&o, &res, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        fprintf(stderr, "%s: %s was left unchanged\n", prog, o.db_path);
        goto out;
    }
    if (ws.suppressed)
        fprintf(stderr, "%s: %lu more warnings not shown\n", prog, ws.suppressed);
    printf("updated %s: %" PRIu64 " records (was %" PRIu64 "); %u ecosystem(s) from all.zip, %u "
           "incremental with %" PRIu64 " changed record(s); %" PRIu64 " skipped\n",
           o.db_path, res.records, res.old_records, res.full_ecosystems, res.incr_ecosystems,
           res.fetched_records, res.skipped);
    rc = CLI_EXIT_OK;
out:
    advdb_close(db);
    free(list);
    free(def);
    return rc;
}

static int on_query_hit(const struct advisory *adv, size_t idx, void *ctx)
{
    (void)ctx;
    const struct osv_affected *f = &adv->affected[idx];
    printf("%s\taffected[%zu]\t%s\t%s\tmodified=%s\tranges=%zu\tversions=%zu\tseverity=%s\n",
           adv->id, idx, f->ecosystem, f->name, adv->modified ? adv->modified : "-", f->n_ranges,
           f->n_versions, f->severity ? f->severity : "-");
    return 0;
}

/* `db query [--db FILE] ECOSYSTEM NAME`: what a lookup returns, one line per affected entry
 * (a debugging aid; the matcher does the version work). */
static int db_query(int argc, char **argv)
{
    const char *prog = "drydock db query";
    char *def = NULL;
    struct advdb *db = NULL;
    const char *path = NULL;
    struct dd_error err = {0};
    int rc = open_db_cmd(prog, argc, argv, 2, "expected ECOSYSTEM NAME", &path, &db, &def);
    if (rc == 0 && db &&
        advdb_lookup(db, argv[optind], argv[optind + 1], on_query_hit, NULL, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        rc = CLI_EXIT_FAILED;
    }
    advdb_close(db);
    free(def);
    return rc;
}

int cli_db(int argc, char **argv)
{
    if (argc < 2) {
        db_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "build") == 0)
        return db_build(argc - 1, argv + 1);
    if (strcmp(sub, "update") == 0)
        return db_update(argc - 1, argv + 1);
    if (strcmp(sub, "info") == 0)
        return db_info(argc - 1, argv + 1);
    if (strcmp(sub, "query") == 0)
        return db_query(argc - 1, argv + 1);
    if (strcmp(sub, "help") == 0 || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        db_usage(stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "drydock db: unknown subcommand '%s' (build, update, info or query)\n", sub);
    return CLI_EXIT_USAGE;
}
