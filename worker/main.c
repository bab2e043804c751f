/* main.c - drydock-worker: parse flags and the config file, then run the daemon (worker.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "worker.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: drydock-worker [--config FILE] [options]\n"
                 "\n"
                 "Take scan jobs from Redis (docs/redis.md) and write their records and reports.\n"
                 "\n"
                 "  --config FILE         key = value settings (docs/worker.md); flags override\n"
                 "  --redis HOST:PORT     Redis (default 127.0.0.1:6379)\n"
                 "  --concurrency N       jobs at once (default 2)\n"
                 "  --db PATH             advisory DB (none: inventory only)\n"
                 "  --prefix P            key prefix (default dd:)\n"
                 "  --name NAME           consumer name (default <host>:<pid>)\n"
                 "  --http ADDR:PORT      serve /healthz and /metrics\n"
                 "  --log-level L         debug, info, warn, error\n"
                 "  --set KEY=VALUE       any config setting\n"
                 "  --enqueue IMAGE...    (tests) enqueue one job per IMAGE and exit; --task T\n");
}

int main(int argc, char **argv)
{
    enum {
        OPT_CONFIG = 256,
        OPT_REDIS,
        OPT_CONC,
        OPT_DB,
        OPT_PREFIX,
        OPT_NAME,
        OPT_HTTP,
        OPT_LOG,
        OPT_SET,
        OPT_ENQUEUE,
        OPT_TASK
    };
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"redis", required_argument, NULL, OPT_REDIS},
        {"concurrency", required_argument, NULL, OPT_CONC},
        {"db", required_argument, NULL, OPT_DB},
        {"prefix", required_argument, NULL, OPT_PREFIX},
        {"name", required_argument, NULL, OPT_NAME},
        {"http", required_argument, NULL, OPT_HTTP},
        {"log-level", required_argument, NULL, OPT_LOG},
        {"set", required_argument, NULL, OPT_SET},
        {"enqueue", no_argument, NULL, OPT_ENQUEUE},
        {"task", required_argument, NULL, OPT_TASK},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct worker_config cfg;
    struct dd_error err = {0};
    const char *config = NULL, *task = NULL;
    bool enqueue = false;
    int rc = 2, c;
    worker_config_default(&cfg);
    /* the config file first, whatever its position: flags override it */
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            config = argv[i + 1];
    if (config && worker_config_load(&cfg, config, &err) != 0) {
        fprintf(stderr, "drydock-worker: %s\n", err.msg);
        goto out;
    }
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        const char *key = NULL;
        char *eq;
        switch (c) {
        case OPT_CONFIG:
            continue;
        case OPT_REDIS:
            key = "redis";
            break;
        case OPT_CONC:
            key = "concurrency";
            break;
        case OPT_DB:
            key = "db";
            break;
        case OPT_PREFIX:
            key = "prefix";
            break;
        case OPT_NAME:
            key = "name";
            break;
        case OPT_HTTP:
            key = "http";
            break;
        case OPT_LOG:
            key = "log_level";
            break;
        case OPT_SET:
            eq = strchr(optarg, '=');
            if (eq == NULL) {
                fprintf(stderr, "drydock-worker: --set wants KEY=VALUE\n");
                goto out;
            }
            *eq = '\0';
            if (worker_config_set(&cfg, optarg, eq + 1, &err) != 0) {
                fprintf(stderr, "drydock-worker: --set %s: %s\n", optarg, err.msg);
                goto out;
            }
            continue;
        case OPT_ENQUEUE:
            enqueue = true;
            continue;
        case OPT_TASK:
            task = optarg;
            continue;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
        if (worker_config_set(&cfg, key, optarg, &err) != 0) {
            fprintf(stderr, "drydock-worker: %s\n", err.msg);
            goto out;
        }
    }
    log_setup("worker", cfg.log_level, stderr);
    if (enqueue) {
        if (optind >= argc) {
            fprintf(stderr, "drydock-worker: --enqueue needs at least one IMAGE\n");
            goto out;
        }
        rc = worker_enqueue(&cfg, (const char *const *)argv + optind, (size_t)(argc - optind), task,
                            &err) == 0
                 ? 0
                 : 1;
        if (rc)
            fprintf(stderr, "drydock-worker: %s\n", err.msg);
        goto out;
    }
    if (optind != argc) {
        fprintf(stderr, "drydock-worker: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        goto out;
    }
    rc = worker_run(&cfg);
out:
    worker_config_cleanup(&cfg);
    return rc;
}
