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
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "image_ref.h"
#include "report.h"
#include "scan.h"

#define PASSWORD_MAX       4096
#define MAX_WARNINGS_SHOWN 20

struct sbom_run {
    struct scan_ctx ctx;
    struct image_scan *scan;
    uv_timer_t progress;
    bool show_progress;
    bool done;
};

static void sbom_usage(FILE *out)
{
    fprintf(out, "usage: drydock sbom IMAGE [options]\n"
                 "\n"
                 "Inventory the OS packages of IMAGE (any OCI registry; no Docker needed).\n"
                 "\n"
                 "  --format F              cyclonedx (default), json, or table (for people)\n"
                 "  -o, --output FILE       write the report to FILE instead of stdout\n"
                 "  --platform P            os/arch[/variant] from a multi-platform index\n"
                 "                          (default linux/amd64)\n"
                 "  --insecure              allow plain HTTP and unverified TLS for the registry\n"
                 "                          (loopback registries always use plain HTTP)\n"
                 "  --username U            registry user (default: ~/.docker/config.json)\n"
                 "  --password-stdin        read the registry password from stdin\n"
                 "  --ca-file FILE          extra CA certificates for the registry\n"
                 "  --max-layer-bytes N     uncompressed bytes allowed per layer (default 32G)\n"
                 "  --max-layer-ratio N     decompression ratio allowed past 256M (default 200)\n"
                 "  --max-layer-entries N   tar entries allowed per layer (default 5000000)\n"
                 "  --threads N             layers walked in parallel (default: CPUs, min 2;\n"
                 "                          env DRYDOCK_THREADS)\n"
                 "  -q, --quiet             no progress line and no warnings on stderr\n"
                 "\n"
                 "exit codes: 0 ok, 1 scan failed (stderr says why), 2 usage error\n");
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0' || (shift && v > (~0ull >> shift)))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

static int read_password(char **out)
{
    char *buf = malloc(PASSWORD_MAX);
    if (buf == NULL)
        return -1;
    size_t n = fread(buf, 1, PASSWORD_MAX - 1, stdin);
    buf[n] = '\0';
    /* one trailing newline (echo / printf) is not part of the password */
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    *out = buf;
    return 0;
}

static void on_progress(uv_timer_t *t)
{
    struct sbom_run *run = t->data;
    struct image_scan *s = run->scan;
    if (s == NULL || s->n_layers == 0)
        return;
    fprintf(stderr, "\r\033[Kdrydock: layers %zu/%zu, %.1f/%.1f MB fetched", s->layers_done,
            s->n_layers, (double)s->bytes_fetched / 1e6, (double)s->bytes_total / 1e6);
    fflush(stderr);
}

static void on_scan_done(struct image_scan *s, void *ud)
{
    (void)s;
    struct sbom_run *run = ud;
    run->done = true;
    if (run->show_progress) {
        uv_timer_stop(&run->progress);
        fprintf(stderr, "\r\033[K");
    }
    uv_close((uv_handle_t *)&run->progress, NULL);
    scan_ctx_close(&run->ctx, NULL);
}

int cli_sbom(int argc, char **argv)
{
    enum {
        OPT_FORMAT = 256,
        OPT_PLATFORM,
        OPT_INSECURE,
        OPT_USER,
        OPT_PASS_STDIN,
        OPT_CA,
        OPT_MAX_BYTES,
        OPT_MAX_RATIO,
        OPT_MAX_ENTRIES,
        OPT_THREADS
    };
    static const struct option opts[] = {
        {"format", required_argument, NULL, OPT_FORMAT},
        {"output", required_argument, NULL, 'o'},
        {"platform", required_argument, NULL, OPT_PLATFORM},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"username", required_argument, NULL, OPT_USER},
        {"password-stdin", no_argument, NULL, OPT_PASS_STDIN},
        {"ca-file", required_argument, NULL, OPT_CA},
        {"max-layer-bytes", required_argument, NULL, OPT_MAX_BYTES},
        {"max-layer-ratio", required_argument, NULL, OPT_MAX_RATIO},
        {"max-layer-entries", required_argument, NULL, OPT_MAX_ENTRIES},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct scan_request req;
    const char *format = "cyclonedx";
    const char *output = NULL;
    const char *username = NULL;
    bool pass_stdin = false, quiet = false;
    char *password = NULL;
    int threads = 0;
    int exit_code = CLI_EXIT_FAILED;
    uint64_t v;
    FILE *out = stdout;

    scan_request_default(&req);
    const char *env_threads = getenv("DRYDOCK_THREADS");
    if (env_threads)
        threads = atoi(env_threads);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT:
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_PLATFORM:
            req.platform = optarg;
            break;
        case OPT_INSECURE:
            req.registry.insecure = true;
            break;
        case OPT_USER:
            username = optarg;
            break;
        case OPT_PASS_STDIN:
            pass_stdin = true;
            break;
        case OPT_CA:
            req.registry.ca_file = optarg;
            break;
        case OPT_MAX_BYTES:
            if (parse_size(optarg, &v) || v == 0)
                goto bad_value;
            req.limits.max_bytes = v;
            break;
        case OPT_MAX_RATIO:
            if (parse_size(optarg, &v) || v == 0 || v > UINT32_MAX)
                goto bad_value;
            req.limits.max_ratio = (uint32_t)v;
            break;
        case OPT_MAX_ENTRIES:
            if (parse_size(optarg, &v) || v == 0)
                goto bad_value;
            req.limits.max_entries = v;
            break;
        case OPT_THREADS:
            threads = atoi(optarg);
            if (threads < 1 || threads > 64)
                goto bad_value;
            break;
        case 'q':
            quiet = true;
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
        fprintf(stderr, "drydock sbom: expected exactly one IMAGE\n");
        sbom_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(format, "cyclonedx") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "table") != 0) {
        fprintf(stderr, "drydock sbom: unknown format '%s' (cyclonedx, json or table)\n", format);
        return CLI_EXIT_USAGE;
    }
    if (pass_stdin && username == NULL) {
        fprintf(stderr, "drydock sbom: --password-stdin needs --username\n");
        return CLI_EXIT_USAGE;
    }
    req.image = argv[optind];
    {
        struct image_ref ref;
        struct dd_error e = {0};
        if (image_ref_parse(req.image, &ref, &e) != 0) {
            fprintf(stderr, "drydock sbom: invalid image reference '%s': %s\n", req.image, e.msg);
            return CLI_EXIT_USAGE;
        }
        image_ref_cleanup(&ref);
    }
    if (req.platform) {
        struct platform pl;
        struct dd_error e = {0};
        if (platform_parse(req.platform, &pl, &e) != 0) {
            fprintf(stderr, "drydock sbom: invalid --platform '%s': %s\n", req.platform, e.msg);
            return CLI_EXIT_USAGE;
        }
        platform_cleanup(&pl);
    }
    if (pass_stdin && read_password(&password) != 0) {
        fprintf(stderr, "drydock sbom: cannot read the password from stdin\n");
        return CLI_EXIT_FAILED;
    }
    req.registry.username = username;
    req.registry.password = password;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 2 ? 2 : (int)n;
    }

    scan_threadpool_setup(threads);
    uv_loop_t loop;
    struct sbom_run run = {0};
    struct dd_error err = {0};
    uv_loop_init(&loop);
    if (scan_ctx_init(&run.ctx, &loop, threads) != 0) {
        fprintf(stderr, "drydock sbom: cannot initialise the scan loop\n");
        goto out_loop;
    }
    uv_timer_init(&loop, &run.progress);
    run.progress.data = &run;
    run.show_progress = !quiet && isatty(STDERR_FILENO);
    if (image_scan_start(&run.ctx, &req, on_scan_done, &run, &run.scan, &err) != 0) {
        fprintf(stderr, "drydock sbom: %s\n", err.msg);
        uv_close((uv_handle_t *)&run.progress, NULL);
        scan_ctx_close(&run.ctx, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    if (password) {
        memset(password, 0, strlen(password));
    }
    if (run.show_progress)
        uv_timer_start(&run.progress, on_progress, 250, 250);
    uv_run(&loop, UV_RUN_DEFAULT);

    struct image_scan *s = run.scan;
    if (s->rc != 0) {
        fprintf(stderr, "drydock sbom: %s: %s\n", s->image, s->err.msg);
        goto out_scan;
    }
    if (!quiet) {
        for (size_t i = 0; i < s->inv.n_problems && i < MAX_WARNINGS_SHOWN; i++) {
            const struct inventory_problem *p = &s->inv.problems[i];
            fprintf(stderr, "drydock sbom: warning: ");
            if (p->layer >= 0)
                fprintf(stderr, "layer %d: ", p->layer);
            if (p->path)
                fprintf(stderr, "%s: ", p->path);
            fprintf(stderr, "%s\n", p->reason);
        }
        if (s->inv.n_problems > MAX_WARNINGS_SHOWN)
            fprintf(stderr, "drydock sbom: ... %zu more warnings in the report's errors[]\n",
                    s->inv.n_problems - MAX_WARNINGS_SHOWN);
    }
    struct image_meta meta = {
        .artifact = s->image,
        .digest = s->manifest_digest,
        .index_digest = s->index_digest,
        .media_type = s->manifest_media_type,
        .config = &s->config,
        .layers = s->layers,
        .n_layers = s->n_layers,
    };
    if (output && (out = fopen(output, "w")) == NULL) {
        fprintf(stderr, "drydock sbom: cannot write %s: %s\n", output, strerror(errno));
        goto out_scan;
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
        fprintf(stderr, "drydock sbom: cannot write the report: %s\n", dd_strerror(wrc));
        goto out_scan;
    }
    exit_code = CLI_EXIT_OK;
out_scan:
    image_scan_free(run.scan);
out_loop:
    uv_loop_close(&loop);
    if (password) {
        memset(password, 0, PASSWORD_MAX);
        free(password);
    }
    return exit_code;
bad_value:
    fprintf(stderr, "drydock sbom: bad value '%s' for an option\n", optarg);
    return CLI_EXIT_USAGE;
}
