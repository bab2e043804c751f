/* cli_image.h - what every image-taking subcommand shares (`sbom`, `scan`): the registry and
 * limit flags, the password from stdin, and running the worker's scan pipeline for one image
 * on a private loop with a progress line. */
#ifndef DD_CLI_IMAGE_H
#define DD_CLI_IMAGE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "scan.h"

enum {
    CLI_IMG_PLATFORM = 300,
    CLI_IMG_INSECURE,
    CLI_IMG_USER,
    CLI_IMG_PASS_STDIN,
    CLI_IMG_CA,
    CLI_IMG_MAX_BYTES,
    CLI_IMG_MAX_RATIO,
    CLI_IMG_MAX_ENTRIES,
    CLI_IMG_THREADS,
};

/* Put these in a subcommand's struct option array (then its own, then the terminator). */
#define CLI_IMAGE_LONGOPTS                                                                         \
    {"platform", required_argument, NULL, CLI_IMG_PLATFORM},                                       \
        {"insecure", no_argument, NULL, CLI_IMG_INSECURE},                                         \
        {"username", required_argument, NULL, CLI_IMG_USER},                                       \
        {"password-stdin", no_argument, NULL, CLI_IMG_PASS_STDIN},                                 \
        {"ca-file", required_argument, NULL, CLI_IMG_CA},                                          \
        {"max-layer-bytes", required_argument, NULL, CLI_IMG_MAX_BYTES},                           \
        {"max-layer-ratio", required_argument, NULL, CLI_IMG_MAX_RATIO},                           \
        {"max-layer-entries", required_argument, NULL, CLI_IMG_MAX_ENTRIES},                       \
    {                                                                                              \
        "threads", required_argument, NULL, CLI_IMG_THREADS                                        \
    }

#define CLI_IMAGE_USAGE                                                                            \
    "  --platform P            os/arch[/variant] from a multi-platform index\n"                    \
    "                          (default linux/amd64)\n"                                            \
    "  --insecure              allow plain HTTP and unverified TLS for the registry\n"             \
    "                          (loopback registries always use plain HTTP)\n"                      \
    "  --username U            registry user (default: ~/.docker/config.json)\n"                   \
    "  --password-stdin        read the registry password from stdin\n"                            \
    "  --ca-file FILE          extra CA certificates for the registry\n"                           \
    "  --max-layer-bytes N     uncompressed bytes allowed per layer (default 32G)\n"               \
    "  --max-layer-ratio N     decompression ratio allowed past 256M (default 200)\n"              \
    "  --max-layer-entries N   tar entries allowed per layer (default 5000000)\n"                  \
    "  --threads N             layers walked in parallel (default: CPUs, min 2;\n"                 \
    "                          env DRYDOCK_THREADS)\n"

struct cli_image_args {
    struct scan_request req;
    const char *username;
    bool pass_stdin;
    char *password; /* owned, wiped on cleanup */
    int threads;
    bool quiet;
};

void cli_image_args_init(struct cli_image_args *a);
void cli_image_args_cleanup(struct cli_image_args *a);
/* Handle one getopt result: 1 handled, 0 not ours, -1 bad value (message printed). */
int cli_image_opt(const char *prog, struct cli_image_args *a, int c, const char *arg);
/* Check the reference and platform, read the password: 0, or an exit code. */
int cli_image_prepare(const char *prog, struct cli_image_args *a, const char *image);
/* Run the scan to the end: 0 with *out set (free with image_scan_free), or an exit code
 * after printing why. Per-file problems are printed as warnings unless quiet. */
int cli_image_run(const char *prog, struct cli_image_args *a, struct image_scan **out);
/* The scan's image metadata for the report writers (borrows from s). */
void cli_image_meta(const struct image_scan *s, struct image_meta *m);

#endif
