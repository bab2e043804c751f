/* main.c - drydock-notifier: parse flags and the config file, then run the daemon
 * (notifier.c). */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notifier.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: drydock-notifier [--config FILE] [options]\n"
                 "\n"
                 "Deliver scan-completion notifications (DingTalk, HTTP, HTTPS) from Redis\n"
                 "(docs/notify.md).\n"
                 "\n"
                 "  --config FILE         key = value settings (docs/notify.md); flags override\n"
                 "  --redis HOST:PORT     Redis (default 127.0.0.1:6379)\n"
                 "  --prefix P            key prefix (default dd:)\n"
                 "  --name NAME           consumer name (default <host>:<pid>)\n"
                 "  --http ADDR:PORT      serve /healthz and /metrics\n"
                 "  --log-level L         debug, info, warn, error\n"
                 "  --set KEY=VALUE       any config setting\n");
}

int main(int argc, char **argv)
{
    enum { OPT_CONFIG = 256, OPT_REDIS, OPT_PREFIX, OPT_NAME, OPT_HTTP, OPT_LOG, OPT_SET };
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"redis", required_argument, NULL, OPT_REDIS},
        {"prefix", required_argument, NULL, OPT_PREFIX},
        {"name", required_argument, NULL, OPT_NAME},
        {"http", required_argument, NULL, OPT_HTTP},
        {"log-level", required_argument, NULL, OPT_LOG},
        {"set", required_argument, NULL, OPT_SET},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct notifier_config cfg;
    struct dd_error err = {0};
    const char *config = NULL;
    int rc = 2, c;
    notifier_config_default(&cfg);
    /* the config file first, whatever its position: flags override it */
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--config") == 0)
            config = argv[i + 1];
    if (config && notifier_config_load(&cfg, config, &err) != 0) {
        fprintf(stderr, "drydock-notifier: %s\n", err.msg);
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
                fprintf(stderr, "drydock-notifier: --set wants KEY=VALUE\n");
                goto out;
            }
            *eq = '\0';
            if (notifier_config_set(&cfg, optarg, eq + 1, &err) != 0) {
                fprintf(stderr, "drydock-notifier: --set %s: %s\n", optarg, err.msg);
                goto out;
            }
            continue;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
        if (notifier_config_set(&cfg, key, optarg, &err) != 0) {
            fprintf(stderr, "drydock-notifier: %s\n", err.msg);
            goto out;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "drydock-notifier: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        goto out;
    }
    log_setup("notifier", cfg.log_level, stderr);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "drydock-notifier: curl_global_init failed\n");
        rc = 1;
        goto out;
    }
    rc = notifier_run(&cfg);
    curl_global_cleanup();
out:
    notifier_config_cleanup(&cfg);
    return rc;
}
