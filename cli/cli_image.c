/* cli_image.c - the image-taking subcommands' shared flags and the one-image scan run. */
#include "cli_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "image_ref.h"
#include "report.h"

#define PASSWORD_MAX       4096
#define MAX_WARNINGS_SHOWN 20

struct image_run {
    struct scan_ctx ctx;
    struct image_scan *scan;
    uv_timer_t progress;
    bool show_progress;
    bool done;
};

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
    struct image_run *run = t->data;
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
    struct image_run *run = ud;
    run->done = true;
    if (run->show_progress) {
        uv_timer_stop(&run->progress);
        fprintf(stderr, "\r\033[K");
    }
    uv_close((uv_handle_t *)&run->progress, NULL);
    scan_ctx_close(&run->ctx, NULL);
}

void cli_image_args_init(struct cli_image_args *a)
{
    memset(a, 0, sizeof(*a));
    scan_request_default(&a->req);
    const char *env_threads = getenv("DRYDOCK_THREADS");
    if (env_threads)
        a->threads = atoi(env_threads);
}

void cli_image_args_cleanup(struct cli_image_args *a)
{
    if (a->password) {
        memset(a->password, 0, PASSWORD_MAX);
        free(a->password);
        a->password = NULL;
    }
}

int cli_image_opt(const char *prog, struct cli_image_args *a, int c, const char *arg)
{
    uint64_t v;
    switch (c) {
    case CLI_IMG_PLATFORM:
        a->req.platform = arg;
        return 1;
    case CLI_IMG_INSECURE:
        a->req.registry.insecure = true;
        return 1;
    case CLI_IMG_USER:
        a->username = arg;
        return 1;
    case CLI_IMG_PASS_STDIN:
        a->pass_stdin = true;
        return 1;
    case CLI_IMG_CA:
        a->req.registry.ca_file = arg;
        return 1;
    case CLI_IMG_MAX_BYTES:
        if (parse_size(arg, &v) || v == 0)
            break;
        a->req.limits.max_bytes = v;
        return 1;
    case CLI_IMG_MAX_RATIO:
        if (parse_size(arg, &v) || v == 0 || v > UINT32_MAX)
            break;
        a->req.limits.max_ratio = (uint32_t)v;
        return 1;
    case CLI_IMG_MAX_ENTRIES:
        if (parse_size(arg, &v) || v == 0)
            break;
        a->req.limits.max_entries = v;
        return 1;
    case CLI_IMG_THREADS:
        a->threads = atoi(arg);
        if (a->threads < 1 || a->threads > 64)
            break;
        return 1;
    default:
        return 0;
    }
    fprintf(stderr, "%s: bad value '%s' for an option\n", prog, arg);
    return -1;
}

int cli_image_prepare(const char *prog, struct cli_image_args *a, const char *image)
{
    if (a->pass_stdin && a->username == NULL) {
        fprintf(stderr, "%s: --password-stdin needs --username\n", prog);
        return CLI_EXIT_USAGE;
    }
    a->req.image = image;
    struct image_ref ref;
    struct dd_error e = {0};
    if (image_ref_parse(image, &ref, &e) != 0) {
        fprintf(stderr, "%s: invalid image reference '%s': %s\n", prog, image, e.msg);
        return CLI_EXIT_USAGE;
    }
    image_ref_cleanup(&ref);
    if (a->req.platform) {
        struct platform pl;
        dd_error_clear(&e);
        if (platform_parse(a->req.platform, &pl, &e) != 0) {
            fprintf(stderr, "%s: invalid --platform '%s': %s\n", prog, a->req.platform, e.msg);
            return CLI_EXIT_USAGE;
        }
        platform_cleanup(&pl);
    }
    if (a->pass_stdin && read_password(&a->password) != 0) {
        fprintf(stderr, "%s: cannot read the password from stdin\n", prog);
        return CLI_EXIT_FAILED;
    }
    a->req.registry.username = a->username;
    a->req.registry.password = a->password;
    a->req.registry.cred_hint = "--username/--password-stdin or ~/.docker/config.json";
    if (a->threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        a->threads = n < 2 ? 2 : (int)n;
    }
    return 0;
}

int cli_image_run(const char *prog, struct cli_image_args *a, struct image_scan **out)
{
    int exit_code = CLI_EXIT_FAILED;
    scan_threadpool_setup(a->threads);
    uv_loop_t loop;
    struct image_run run = {0};
    struct dd_error err = {0};
    uv_loop_init(&loop);
    if (scan_ctx_init(&run.ctx, &loop, a->threads) != 0) {
        fprintf(stderr, "%s: cannot initialise the scan loop\n", prog);
        goto out_loop;
    }
    uv_timer_init(&loop, &run.progress);
    run.progress.data = &run;
    run.show_progress = !a->quiet && isatty(STDERR_FILENO);
    if (image_scan_start(&run.ctx, &a->req, on_scan_done, &run, &run.scan, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        uv_close((uv_handle_t *)&run.progress, NULL);
        scan_ctx_close(&run.ctx, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    if (a->password)
        memset(a->password, 0, strlen(a->password));
    if (run.show_progress)
        uv_timer_start(&run.progress, on_progress, 250, 250);
    uv_run(&loop, UV_RUN_DEFAULT);

    struct image_scan *s = run.scan;
    if (s->rc != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, s->image, s->err.msg);
        image_scan_free(s);
        goto out_loop;
    }
    if (!a->quiet) {
        for (size_t i = 0; i < s->inv.n_problems && i < MAX_WARNINGS_SHOWN; i++) {
            const struct inventory_problem *p = &s->inv.problems[i];
            fprintf(stderr, "%s: warning: ", prog);
            if (p->layer >= 0)
                fprintf(stderr, "layer %d: ", p->layer);
            if (p->path)
                fprintf(stderr, "%s: ", p->path);
            fprintf(stderr, "%s\n", p->reason);
        }
        if (s->inv.n_problems > MAX_WARNINGS_SHOWN)
            fprintf(stderr, "%s: ... %zu more warnings in the report's errors[]\n", prog,
                    s->inv.n_problems - MAX_WARNINGS_SHOWN);
    }
    *out = s;
    exit_code = 0;
out_loop:
    uv_loop_close(&loop);
    return exit_code;
}

void cli_image_meta(const struct image_scan *s, struct image_meta *m)
{
    m->artifact = s->image;
    m->digest = s->manifest_digest;
    m->index_digest = s->index_digest;
    m->media_type = s->manifest_media_type;
    m->config = &s->config;
    m->layers = s->layers;
    m->n_layers = s->n_layers;
}
