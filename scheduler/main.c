/* main.c - drydock-scheduler: flags and config, then the API, runner and cron threads until
 * SIGTERM/SIGINT. Everything else lives in the ddscheduler library.
 *
 *   drydock-scheduler [--config FILE] [--listen HOST:PORT] [--redis HOST:PORT]
 *                     [--prefix P] [--token T] [--events-token T] [--default-registry HOST]
 *                     [--no-cron] [--cron-now] [--log-level L]
 *   drydock-scheduler --dump-jobs [--redis HOST:PORT] [--prefix P]
 *                     print the jobs stream's Job messages as JSON lines (tests, debugging)
 *
 * --cron-now runs the current minute's cron check at start (the tick is claimed in Redis, so
 * it never runs a rule twice in one minute). Tokens can also come from $DRYDOCK_TOKEN and
 * $DRYDOCK_EVENTS_TOKEN (kept out of ps).
 */
#include <curl/curl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "log.h"
#include "sched.h"
#include "store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: drydock-scheduler [--config FILE] [--listen HOST:PORT] [--redis HOST:PORT]\n"
            "         [--prefix P] [--token T] [--events-token T] [--default-registry HOST]\n"
            "         [--no-cron] [--cron-now] [--log-level debug|info|warn|error]\n"
            "       drydock-scheduler --dump-jobs [--redis HOST:PORT] [--prefix P]\n");
}

static int set_str(char **dst, const char *v)
{
    char *d = strdup(v);
    if (d == NULL)
        return -1;
    free(*dst);
    *dst = d;
    return 0;
}

static int split_host_port(const char *s, char **host, int *port)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535)
        return -1;
    char *h = strndup(s, (size_t)(colon - s));
    if (h == NULL)
        return -1;
    free(*host);
    *host = h;
    *port = (int)p;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"listen", required_argument, NULL, 'l'},
                                         {"redis", required_argument, NULL, 'r'},
                                         {"prefix", required_argument, NULL, 'p'},
                                         {"token", required_argument, NULL, 't'},
                                         {"events-token", required_argument, NULL, 'e'},
                                         {"default-registry", required_argument, NULL, 'g'},
                                         {"no-cron", no_argument, NULL, 'n'},
                                         {"log-level", required_argument, NULL, 'L'},
                                         {"dump-jobs", no_argument, NULL, 'D'},
                                         {"cron-now", no_argument, NULL, 'C'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct sched_config cfg;
    sched_config_init(&cfg);
    struct dd_error err = {0};
    struct sched *s = NULL;
    struct api *a = NULL;
    enum log_level lvl = LOG_INFO;
    int rc = 1, o;
    bool dump = false, no_cron = false, cron_now = false;
    const char *listen = NULL, *redis = NULL, *prefix = NULL, *token = getenv("DRYDOCK_TOKEN"),
               *etoken = getenv("DRYDOCK_EVENTS_TOKEN"), *defreg = NULL, *config = NULL;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            config = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'r':
            redis = optarg;
            break;
        case 'p':
            prefix = optarg;
            break;
        case 't':
            token = optarg;
            break;
        case 'e':
            etoken = optarg;
            break;
        case 'g':
            defreg = optarg;
            break;
        case 'n':
            no_cron = true;
            break;
        case 'D':
            dump = true;
            break;
        case 'C':
            cron_now = true;
            break;
        case 'L':
            if (log_level_parse(optarg, &lvl) != 0) {
                fprintf(stderr, "drydock-scheduler: bad --log-level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    log_setup("scheduler", lvl, stderr);
    if (config && sched_config_load(config, &cfg, &err) != 0) {
        fprintf(stderr, "drydock-scheduler: %s\n", err.msg);
        goto out;
    }
    if ((listen && split_host_port(listen, &cfg.listen_host, &cfg.listen_port) != 0) ||
        (redis && split_host_port(redis, &cfg.redis_host, &cfg.redis_port) != 0)) {
        fprintf(stderr, "drydock-scheduler: --listen/--redis want HOST:PORT\n");
        rc = 2;
        goto out;
    }
    if ((prefix && set_str(&cfg.prefix, prefix)) || (token && set_str(&cfg.token, token)) ||
        (etoken && set_str(&cfg.events_token, etoken)) ||
        (defreg && set_str(&cfg.default_registry, defreg)))
        goto out;
    if (no_cron)
        cfg.cron = false;
    if (dump) {
        cfg.cron = false;
        if (sched_new(&cfg, &s, &err) != 0 || store_dump_jobs(sched_store(s), stdout, &err)) {
            fprintf(stderr, "drydock-scheduler: %s\n", err.msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    /* signals are taken by sigwait below; threads started from here inherit the mask */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        log_error("msg=\"cannot initialise libcurl\"");
        goto out;
    }
    if (sched_new(&cfg, &s, &err) != 0 || sched_start(s, &err) != 0 ||
        api_start(s, &a, &err) != 0) {
        log_error("msg=\"cannot start\" error=\"%s\"", err.msg);
        goto out_curl;
    }
    log_info("msg=\"listening\" host=%s port=%d redis=%s:%d cron=%s",
             cfg.listen_host ? cfg.listen_host : "127.0.0.1", api_port(a),
             cfg.redis_host ? cfg.redis_host : "127.0.0.1", cfg.redis_port,
             cfg.cron ? "on" : "off");
    if (cron_now) { /* run this minute's cron check at once (tests, catching up) */
        struct dd_error ce = {0};
        if (sched_cron_tick(s, time(NULL), &ce) != 0)
            log_warn("msg=\"cron check failed\" error=\"%s\"", ce.msg);
    }
    int sig = 0;
    sigwait(&set, &sig);
    log_info("msg=\"stopping\" signal=%d", sig);
    rc = 0;
out_curl:
    api_stop(a);
    a = NULL;
    sched_free(s);
    s = NULL;
    curl_global_cleanup();
out:
    api_stop(a);
    sched_free(s);
    sched_config_cleanup(&cfg);
    return rc;
}
