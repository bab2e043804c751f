/* cli_sbom.c - `drydock sbom IMAGE`: run the worker's scan pipeline for one image on a
 * private libuv loop and print its inventory.
 *
 * Flags are the contract: --format cyclonedx|json, --platform, --insecure, --username with
 * --password-stdin. stdout carries only the report; progress and warnings go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_image.h"
#include "report.h"

static void sbom_usage(FILE *out)
{
    fprintf(out,
            "usage: drydock sbom IMAGE [options]\n"
            "\n"
            "Inventory the packages of IMAGE (any OCI registry; no Docker needed).\n"
            "\n"
            "  --format F              cyclonedx (default), json, or table (for people)\n"
            "  -o, --output FILE       write the report to FILE instead of stdout\n"
            "  -q, --quiet             no progress line and no warnings on stderr\n" CLI_IMAGE_USAGE
            "\n"
            "exit codes: 0 ok, 1 scan failed (stderr says why), 2 usage error\n");
}

int cli_sbom(int argc, char **argv)
{
    enum { OPT_FORMAT = 256 };
    static const struct option opts[] = {
        CLI_IMAGE_LONGOPTS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *prog = "drydock sbom";
    const char *format = "cyclonedx";
    const char *output = NULL;
    struct cli_image_args a;
    struct image_scan *s = NULL;
    FILE *out = stdout;
    int rc;

    cli_image_args_init(&a);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        int h = cli_image_opt(prog, &a, c, optarg);
        if (h < 0)
            return CLI_EXIT_USAGE;
        if (h > 0)
            continue;
        switch (c) {
        case OPT_FORMAT:
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'q':
            a.quiet = true;
            break;
        case 'h':
            sbom_usage(stdout);
            return CLI_EXIT_OK;
        default:
            sbom_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "%s: expected exactly one IMAGE\n", prog);
        sbom_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(format, "cyclonedx") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "table") != 0) {
        fprintf(stderr, "%s: unknown format '%s' (cyclonedx, json or table)\n", prog, format);
        return CLI_EXIT_USAGE;
    }
    rc = cli_image_prepare(prog, &a, argv[optind]);
    if (rc == 0)
        rc = cli_image_run(prog, &a, &s);
    if (rc)
        goto out;
    rc = CLI_EXIT_FAILED;
    struct image_meta meta;
    cli_image_meta(s, &meta);
    if (output && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, output, strerror(errno));
        goto out;
    }
    int wrc;
    if (strcmp(format, "table") == 0) {
        wrc = report_write_inventory_table(out, &meta, &s->inv);
    } else {
        json_t *doc = strcmp(format, "json") == 0 ? report_inventory_json(&meta, &s->inv)
                                                  : report_cyclonedx_json(&meta, &s->inv);
        wrc = report_write(out, doc);
        json_decref(doc);
    }
    if (out != stdout && fclose(out) != 0)
        wrc = -errno;
    if (wrc) {
        fprintf(stderr, "%s: cannot write the report: %s\n", prog, dd_strerror(wrc));
        goto out;
    }
    rc = CLI_EXIT_OK;
out:
    image_scan_free(s);
    cli_image_args_cleanup(&a);
    return rc;
}
