/* cli_scan.c - `drydock scan IMAGE`: inventory an image (the same pipeline as `sbom`), match
 * it against the advisory DB, filter, and report.
 *
 * Flags are the contract (docs/scan-json.md): the image flags of cli_image.h, --db,
 * --db-max-age, --format table|json|sarif|cyclonedx, --severity, --ignore-unfixed,
 * --ignorefile, --exit-code, -o, -q. stdout carries only the report. Order of filters:
 * ignore file first (counted as "ignored"), then --severity and --ignore-unfixed.
 *
 * Exit codes: 0 ok (or findings but no --exit-code), N from --exit-code when findings remain
 * after the filters, 1 the scan failed, 2 usage error (bad flag, unreadable ignore file).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advdb.h"
#include "advdb_update.h"
#include "cli.h"
#include "cli_image.h"
#include "findings.h"
#include "match.h"
#include "report.h"
#include "report_vuln.h"

#define DEFAULT_IGNOREFILE ".drydockignore"
#define MAX_ERRORS_SHOWN   20

static void scan_usage(FILE *out)
{
    fprintf(out,
            "usage: drydock scan IMAGE [options]\n"
            "\n"
            "Find the known vulnerabilities of IMAGE's OS and application packages.\n"
            "\n"
            "  --db FILE               advisory DB (default $DRYDOCK_DB or\n"
            "                          ~/.cache/drydock/advisories.db; see 'drydock db')\n"
            "  --db-max-age D          warn when the DB is older (default 48h; s, m, h, d)\n"
            "  --format F              table (default), json, sarif or cyclonedx\n"
            "  --severity LIST         only these severities, e.g. HIGH,CRITICAL\n"
            "  --ignore-unfixed        only findings with a fixed version\n"
            "  --ignorefile FILE       IDs to ignore (default ./.drydockignore if present)\n"
            "  --exit-code N           exit N when findings remain after the filters\n"
            "  -o, --output FILE       write the report to FILE instead of stdout\n"
            "  -q, --quiet             no progress line and no warnings on stderr\n" CLI_IMAGE_USAGE
            "\n"
            "exit codes: 0 ok, N (--exit-code) findings remain, 1 scan failed, 2 usage error\n");
}

/* "48h", "2d", "90m", "3600s", "3600" -> seconds. */
static int parse_duration(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || v < 0)
        return -1;
    int64_t mul = 1;
    switch (*end) {
    case '\0':
    case 's':
        break;
    case 'm':
        mul = 60;
        break;
    case 'h':
        mul = 3600;
        break;
    case 'd':
        mul = 86400;
        break;
    default:
        return -1;
    }
    if (*end && end[1] != '\0')
        return -1;
    if (v > INT64_MAX / mul)
        return -1;
    *out = (int64_t)v * mul;
    return 0;
}

static int lookup_advdb(void *src, const char *ecosystem, const char *name, advdb_hit_cb cb,
                        void *cb_ctx, struct dd_error *err)
{
    return advdb_lookup(src, ecosystem, name, cb, cb_ctx, err);
}

int cli_scan(int argc, char **argv)
{
    enum {
        OPT_FORMAT = 256,
        OPT_DB,
        OPT_DB_MAX_AGE,
        OPT_SEVERITY,
        OPT_IGNORE_UNFIXED,
        OPT_IGNOREFILE,
        OPT_EXIT_CODE,
    };
    static const struct option opts[] = {
        CLI_IMAGE_LONGOPTS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"db", required_argument, NULL, OPT_DB},
        {"db-max-age", required_argument, NULL, OPT_DB_MAX_AGE},
        {"severity", required_argument, NULL, OPT_SEVERITY},
        {"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
        {"ignorefile", required_argument, NULL, OPT_IGNOREFILE},
        {"exit-code", required_argument, NULL, OPT_EXIT_CODE},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "drydock scan";
    const char *format = "table", *output = NULL, *db_path = NULL, *ignorefile = NULL;
    char *def_db = NULL;
    int64_t max_age_s = ADVDB_DEFAULT_MAX_AGE_S;
    int exit_code = 0;
    struct finding_filter filter = {0};
    struct ignore_list ignores;
    struct finding_list findings;
    struct advdb_info info;
    struct cli_image_args a;
    struct image_scan *s = NULL;
    struct advdb *db = NULL;
    const char **src_names = NULL;
    struct dd_error err = {0};
    FILE *out = stdout;
    int rc = CLI_EXIT_USAGE;

    ignore_list_init(&ignores);
    finding_list_init(&findings);
    memset(&info, 0, sizeof(info));
    cli_image_args_init(&a);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        int h = cli_image_opt(prog, &a, c, optarg);
        if (h < 0)
            goto out;
        if (h > 0)
            continue;
        switch (c) {
        case OPT_FORMAT:
            format = optarg;
            break;
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_DB_MAX_AGE:
            if (parse_duration(optarg, &max_age_s) != 0) {
                fprintf(stderr, "%s: bad --db-max-age '%s' (e.g. 48h, 2d, 3600s)\n", prog, optarg);
                goto out;
            }
            break;
        case OPT_SEVERITY:
            if (severity_mask_parse(optarg, &filter.severity_mask, &err) != 0) {
                fprintf(stderr, "%s: --severity: %s\n", prog, err.msg);
                goto out;
            }
            break;
        case OPT_IGNORE_UNFIXED:
            filter.ignore_unfixed = true;
            break;
        case OPT_IGNOREFILE:
            ignorefile = optarg;
            break;
        case OPT_EXIT_CODE: {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < 0 || v > 255) {
                fprintf(stderr, "%s: --exit-code wants 0..255, got '%s'\n", prog, optarg);
                goto out;
            }
            exit_code = (int)v;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'q':
            a.quiet = true;
            break;
        case 'h':
            scan_usage(stdout);
            rc = CLI_EXIT_OK;
            goto out;
        default:
            scan_usage(stderr);
            goto out;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "%s: expected exactly one IMAGE\n", prog);
        scan_usage(stderr);
        goto out;
    }
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "sarif") != 0 && strcmp(format, "cyclonedx") != 0) {
        fprintf(stderr, "%s: unknown format '%s' (table, json, sarif or cyclonedx)\n", prog,
                format);
        goto out;
    }
    /* the ignore file: an explicit one must exist; the default one is optional */
    int irc = ignore_list_load(ignorefile ? ignorefile : DEFAULT_IGNOREFILE, &ignores, &err);
    if (irc != 0 && !(irc == DD_ENOTFOUND && ignorefile == NULL)) {
        fprintf(stderr, "%s: ignore file: %s\n", prog, err.msg);
        goto out;
    }
    dd_error_clear(&err);
    if (db_path == NULL) {
        if (advdb_default_path(&def_db) != 0) {
            fprintf(stderr, "%s: no --db, and neither $DRYDOCK_DB nor $HOME is set\n", prog);
            goto out;
        }
        db_path = def_db;
    }
    rc = CLI_EXIT_FAILED;
    if (advdb_open(db_path, &db, &err) != 0 || advdb_get_info(db, &info, &err) != 0) {
        fprintf(stderr, "%s: advisory DB %s: %s\n", prog, db_path, err.msg);
        fprintf(stderr, "%s: build one with 'drydock db build' or 'drydock db update'\n", prog);
        goto out;
    }
    time_t now = time(NULL);
    if (!a.quiet && info.built_at_s > 0 && (int64_t)now - info.built_at_s > max_age_s)
        fprintf(stderr,
                "%s: warning: the advisory DB was built %s, more than %lld hours ago; run "
                "'drydock db update'\n",
                prog, info.built_at ? info.built_at : "?", (long long)(max_age_s / 3600));
    rc = cli_image_prepare(prog, &a, argv[optind]);
    if (rc == 0)
        rc = cli_image_run(prog, &a, &s);
    if (rc)
        goto out;
    rc = CLI_EXIT_FAILED;
    if (match_inventory(&s->inv, lookup_advdb, db, &findings, &err) != 0) {
        fprintf(stderr, "%s: matching failed: %s\n", prog, err.msg);
        goto out;
    }
    if (!a.quiet) {
        for (size_t i = 0; i < findings.n_errors && i < MAX_ERRORS_SHOWN; i++)
            fprintf(stderr, "%s: warning: %s%s%s\n", prog,
                    findings.errors[i].advisory ? findings.errors[i].advisory : "",
                    findings.errors[i].advisory ? ": " : "", findings.errors[i].msg);
        if (findings.n_errors > MAX_ERRORS_SHOWN)
            fprintf(stderr, "%s: ... %zu more matching errors in the report\n", prog,
                    findings.n_errors - MAX_ERRORS_SHOWN);
        for (size_t i = 0; i < ignores.n; i++)
            if (ignores.v[i].expires_s >= 0 && (int64_t)now >= ignores.v[i].expires_s)
                fprintf(stderr, "%s: warning: ignore rule for %s (line %u) expired on %s\n", prog,
                        ignores.v[i].id, ignores.v[i].line, ignores.v[i].expires);
    }
    src_names = calloc(s->inv.pkgs.n + 1, sizeof(*src_names));
    if (!src_names) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto out;
    }
    for (size_t i = 0; i < s->inv.pkgs.n; i++)
        src_names[i] = s->inv.pkgs.v[i].src_name;
    struct finding_filter by_ignore = {.ignores = &ignores, .now_s = (int64_t)now};
    size_t n_ignored = finding_list_filter(&findings, &by_ignore, src_names, s->inv.pkgs.n);
    finding_list_filter(&findings, &filter, src_names, s->inv.pkgs.n);

    struct image_meta meta;
    cli_image_meta(s, &meta);
    struct vuln_report vr = {&meta, &s->inv, &findings, info.built_at, n_ignored};
    if (output && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, output, strerror(errno));
        out = stdout;
        goto out;
    }
    int wrc;
    if (strcmp(format, "table") == 0) {
        wrc = report_vuln_write_table(out, &vr);
    } else {
        json_t *doc = strcmp(format, "json") == 0    ? report_vuln_json(&vr)
                      : strcmp(format, "sarif") == 0 ? report_vuln_sarif(&vr)
                                                     : report_vuln_cyclonedx(&vr);
        wrc = report_write(out, doc);
        json_decref(doc);
    }
    if (out != stdout && fclose(out) != 0 && wrc == 0)
        wrc = -errno;
    out = stdout;
    if (wrc) {
        fprintf(stderr, "%s: cannot write the report: %s\n", prog, dd_strerror(wrc));
        goto out;
    }
    rc = exit_code && findings.n > 0 ? exit_code : CLI_EXIT_OK;
out:
    if (out != stdout)
        fclose(out);
    free(src_names);
    image_scan_free(s);
    advdb_info_cleanup(&info);
    advdb_close(db);
    free(def_db);
    finding_list_cleanup(&findings);
    ignore_list_cleanup(&ignores);
    cli_image_args_cleanup(&a);
    return rc;
}
