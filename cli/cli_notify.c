/* cli_notify.c - `drydock notify dead-letters list|replay`: a client of drydock-scheduler's
 * dead-letter API (docs/api.md, "Notifications").
 *
 *   drydock notify dead-letters list [--limit N] [--format table|json]
 *   drydock notify dead-letters replay ID | --all
 * Common: --server URL ($DRYDOCK_SERVER, default http://127.0.0.1:8080), --token T
 * ($DRYDOCK_TOKEN).
 *
 *   GET  /api/v1/notify/dead-letters?limit=N     -> {"dead_letters": [...]}, newest first
 *   POST /api/v1/notify/dead-letters/ID/replay   -> {"replayed": 1}
 *   POST /api/v1/notify/dead-letters/replay      -> {"replayed": N}
 *
 * Design: one blocking libcurl request per command, like cli_fleet.c (whose request helper is
 * private to it). The token goes in an Authorization header only and is wiped after use. The
 * reply is capped at 16 MiB (1000 dead letters with 512-byte reasons fit many times over).
 * The table is for people: reasons are cut to 60 columns; --format json prints the API's
 * reply unchanged for scripts.
 *
 * Exit codes: 0 success, 1 the server said no or cannot be reached, 2 usage.
 */
#include "cli_notify.h"

#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cli.h"

#define NOTIFY_RESPONSE_MAX (16u << 20)

struct nclient {
    const char *server;
    const char *token;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: drydock notify dead-letters list [--limit N] [--format table|json]\n"
            "       drydock notify dead-letters replay ID | --all\n"
            "common: --server URL ($DRYDOCK_SERVER) --token T ($DRYDOCK_TOKEN)\n"
            "\n"
            "Dead letters are notifications drydock-notifier gave up on (retries exhausted or a\n"
            "permanent error). replay queues them again for the same target.\n");
}

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    return buf_append(ctx, p, sz * n) == 0 ? sz * n : 0;
}

/* METHOD server+path; the parsed 2xx JSON reply (new reference) or NULL (printed). */
static json_t *call(const struct nclient *c, const char *method, const char *path)
{
    CURL *e = curl_easy_init();
    struct buf url, auth, out;
    buf_init(&url, 8192);
    buf_init(&auth, 4096);
    buf_init(&out, NOTIFY_RESPONSE_MAX);
    struct curl_slist *h = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    json_t *j = NULL;
    long status = 0;
    const char *srv = c->server;
    size_t sl = strlen(srv);
    while (sl > 0 && srv[sl - 1] == '/')
        sl--;
    if (e == NULL) {
        fprintf(stderr, "drydock: cannot initialise libcurl\n");
        goto out;
    }
    if (buf_printf(&url, "%.*s%s", (int)sl, srv, path) != 0 ||
        buf_printf(&auth, "Authorization: Bearer %s", c->token) != 0) {
        fprintf(stderr, "drydock: URL or token too long\n");
        goto out;
    }
    h = curl_slist_append(h, (const char *)auth.data);
    h = curl_slist_append(h, "Accept: application/json");
    curl_easy_setopt(e, CURLOPT_URL, (const char *)url.data);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "drydock/" DD_VERSION);
    CURLcode cc = curl_easy_perform(e);
    if (cc != CURLE_OK) {
        fprintf(stderr, "drydock: %s %.*s: %s\n", method, (int)sl, srv,
                errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    json_error_t je;
    j = out.len ? json_loadb((const char *)out.data, out.len, 0, &je) : NULL;
    if (status < 200 || status > 299) {
        const char *msg = json_string_value(json_object_get(j, "error"));
        fprintf(stderr, "drydock: %s %s: HTTP %ld: %s\n", method, path, status,
                msg ? msg : "(no error message)");
        json_decref(j);
        j = NULL;
    } else if (j == NULL) {
        fprintf(stderr, "drydock: %s %s: the reply is not JSON\n", method, path);
    }
out:
    curl_slist_free_all(h);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    buf_cleanup(&auth);
    buf_cleanup(&url);
    buf_cleanup(&out);
    curl_easy_cleanup(e);
    return j;
}

static const char *str_or(json_t *o, const char *k, const char *dflt)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v && v[0] ? v : dflt;
}

/* "2026-11-28T15:04:05Z" from ms; "-" when absent. */
static void fmt_time(json_t *ms, char *out, size_t cap)
{
    if (!json_is_integer(ms)) {
        snprintf(out, cap, "-");
        return;
    }
    time_t t = (time_t)(json_integer_value(ms) / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "-");
}

/* Print s cut to width columns (bytes; control characters shown as '?'). */
static void print_cut(const char *s, int width)
{
    int n = 0;
    for (; *s && n < width; s++, n++)
        putchar((unsigned char)*s < 0x20 ? '?' : *s);
    if (*s)
        fputs("...", stdout);
}

static void print_table(json_t *reply)
{
    json_t *arr = json_object_get(reply, "dead_letters");
    if (json_array_size(arr) == 0) {
        printf("no dead letters\n");
        return;
    }
    printf("%-17s %-20s %-22s %-8s %-3s %s\n", "ID", "FAILED AT", "TARGET", "STATUS", "TRY",
           "IMAGE / REASON");
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        char when[32], target[64];
        fmt_time(json_object_get(d, "failed_at"), when, sizeof(when));
        snprintf(target, sizeof(target), "%lld:%s%s%.24s",
                 (long long)json_integer_value(json_object_get(d, "target")),
                 str_or(d, "target_type", "?"), str_or(d, "target_name", NULL) ? "/" : "",
                 str_or(d, "target_name", ""));
        printf("%-17s %-20s %-22s %-8s %-3lld %s\n", str_or(d, "id", "-"), when, target,
               str_or(d, "status", "-"),
               (long long)json_integer_value(json_object_get(d, "attempts")),
               str_or(d, "image", "-"));
        printf("%-17s ", "");
        print_cut(str_or(d, "reason", "-"), 60);
        putchar('\n');
    }
}

int cli_notify(int argc, char **argv)
{
    static const struct option opts[] = {{"server", required_argument, NULL, 's'},
                                         {"token", required_argument, NULL, 't'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct nclient c = {getenv("DRYDOCK_SERVER"), getenv("DRYDOCK_TOKEN")};
    const char *format = "table";
    long limit = 0;
    bool all = false;
    int o;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 3 || strcmp(argv[1], "dead-letters") != 0 ||
        (strcmp(argv[2], "list") != 0 && strcmp(argv[2], "replay") != 0)) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    bool list = strcmp(argv[2], "list") == 0;
    optind = 1;
    while ((o = getopt_long(argc - 2, argv + 2, "h", opts, NULL)) != -1) {
        char *end = NULL;
        switch (o) {
        case 's':
            c.server = optarg;
            break;
        case 't':
            c.token = optarg;
            break;
        case 'f':
            format = optarg;
            break;
        case 'l':
            limit = strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || limit < 1 || limit > 1000) {
                fprintf(stderr, "drydock: --limit: 1..1000\n");
                return CLI_EXIT_USAGE;
            }
            break;
        case 'a':
            all = true;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    int rest = argc - 2 - optind;
    char **operands = argv + 2 + optind;
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        fprintf(stderr, "drydock: --format: table or json\n");
        return CLI_EXIT_USAGE;
    }
    if (list ? (rest != 0 || all) : (all ? rest != 0 : rest != 1) || (!list && limit)) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (c.server == NULL || c.server[0] == '\0')
        c.server = "http://127.0.0.1:8080";
    if (c.token == NULL || c.token[0] == '\0') {
        fprintf(stderr, "drydock: no API token: use --token or set DRYDOCK_TOKEN\n");
        return CLI_EXIT_USAGE;
    }
    char path[256];
    if (list) {
        snprintf(path, sizeof(path), "/api/v1/notify/dead-letters?limit=%ld", limit ? limit : 100);
    } else if (all) {
        snprintf(path, sizeof(path), "/api/v1/notify/dead-letters/replay");
    } else {
        const char *id = operands[0];
        size_t a = strspn(id, "0123456789");
        if (a == 0 || id[a] != '-' || strspn(id + a + 1, "0123456789") == 0 ||
            id[a + 1 + strspn(id + a + 1, "0123456789")] != '\0' || strlen(id) > 48) {
            fprintf(stderr, "drydock: '%.64s' is not a dead-letter ID (like 1700000000000-0)\n",
                    id);
            return CLI_EXIT_USAGE;
        }
        snprintf(path, sizeof(path), "/api/v1/notify/dead-letters/%s/replay", id);
    }
    json_t *reply = call(&c, list ? "GET" : "POST", path);
    if (reply == NULL)
        return CLI_EXIT_FAILED;
    if (strcmp(format, "json") == 0) {
        char *s = json_dumps(reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            printf("%s\n", s);
        free(s);
    } else if (list) {
        print_table(reply);
    } else {
        printf("replayed %lld\n",
               (long long)json_integer_value(json_object_get(reply, "replayed")));
    }
    json_decref(reply);
    return CLI_EXIT_OK;
}
