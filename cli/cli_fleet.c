/* cli_fleet.c - `drydock rule|task|status|report`: a client of drydock-scheduler's HTTP API
 * (docs/api.md).
 *
 *   drydock rule add --name N --namespace NS [--repository R] [--tag-regex RE] [--on-push]
 *                    [--cron EXPR] [--no-manual] [--registry URL] [--credentials NAME]
 *                    [--notify JSON-ARRAY] [--disabled]      or   drydock rule add --file F
 *   drydock rule list | show ID | rm ID | run ID
 *   drydock task list [--rule ID] [--limit N] | show ID
 *   drydock status IMAGE          drydock report IMAGE
 * Common: --server URL ($DRYDOCK_SERVER, default http://127.0.0.1:8080), --token T
 * ($DRYDOCK_TOKEN), --json (print the API's JSON instead of the human form).
 *
 * Design: one blocking libcurl request per command; the body is built and printed with
 * jansson. The token goes in an Authorization header only (never on the command line of a
 * child, never printed). Responses are capped (64 MiB: a report can be large).
 *
 * Exit codes: 0 success, 1 the server said no (the API's "error" is printed) or cannot be
 * reached, 2 usage.
 */
#include <curl/curl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "image_ref.h"

#define FLEET_RESPONSE_MAX (64u << 20)

struct client {
    const char *server;
    const char *token;
    bool json;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    return buf_append(ctx, p, sz * n) == 0 ? sz * n : 0;
}

/* METHOD server+path with an optional JSON body; *status and out filled. 0 or -1 (printed). */
static int request(const struct client *c, const char *method, const char *path, const char *body,
                   long *status, struct buf *out)
{
    CURL *e = curl_easy_init();
    if (e == NULL) {
        fprintf(stderr, "drydock: cannot initialise libcurl\n");
        return -1;
    }
    struct buf url, auth;
    buf_init(&url, 8192);
    buf_init(&auth, 4096);
    struct curl_slist *h = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc = -1;
    const char *srv = c->server;
    size_t sl = strlen(srv);
    while (sl > 0 && srv[sl - 1] == '/')
        sl--;
    if (buf_printf(&url, "%.*s%s", (int)sl, srv, path) != 0 ||
        buf_printf(&auth, "Authorization: Bearer %s", c->token ? c->token : "") != 0) {
        fprintf(stderr, "drydock: URL or token too long\n");
        goto out;
    }
    h = curl_slist_append(h, (const char *)auth.data);
    h = curl_slist_append(h, "Accept: application/json");
    if (body)
        h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, (const char *)url.data);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "drydock/" DD_VERSION);
    if (body)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    CURLcode cc = curl_easy_perform(e);
    if (cc != CURLE_OK) {
        fprintf(stderr, "drydock: %s %.*s: %s\n", method, (int)sl, srv,
                errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    rc = 0;
out:
    curl_slist_free_all(h);
    if (auth.data)
        memset(auth.data, 0, auth.len);
    buf_cleanup(&auth);
    buf_cleanup(&url);
    curl_easy_cleanup(e);
    return rc;
}

/* Run a request and parse the JSON reply. Prints the API's error for non-2xx. Returns the
 * reply (new reference) or NULL. raw (optional) receives the body bytes. */
static json_t *call(const struct client *c, const char *method, const char *path, const char *body,
                    struct buf *raw)
{
    struct buf out;
    buf_init(&out, FLEET_RESPONSE_MAX);
    long status = 0;
    json_t *j = NULL;
    if (request(c, method, path, body, &status, &out) != 0)
        goto done;
    json_error_t je;
    j = out.len ? json_loadb((const char *)out.data, out.len, 0, &je) : NULL;
    if (status < 200 || status > 299) {
        const char *msg = json_string_value(json_object_get(j, "error"));
        fprintf(stderr, "drydock: %s %s: HTTP %ld: %s\n", method, path, status,
                msg ? msg : "(no error message)");
        json_decref(j);
        j = NULL;
        goto done;
    }
    if (j == NULL) {
        fprintf(stderr, "drydock: %s %s: the reply is not JSON\n", method, path);
        goto done;
    }
    if (raw) {
        *raw = out;
        buf_init(&out, 0);
    }
done:
    buf_cleanup(&out);
    return j;
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
        printf("%s\n", s);
    free(s);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "-";
}

static bool escape_ok(const char *s)
{
    /* IDs and names that go into a path: no '/', '?', '#', '%' or spaces */
    return s[0] && strpbrk(s, "/?#% \t\r\n") == NULL;
}

/* --- common flags ------------------------------------------------------------------------ */

enum { OPT_SERVER = 1000, OPT_TOKEN, OPT_JSON };

#define COMMON_OPTS                                                                                \
    {"server", required_argument, NULL, OPT_SERVER},                                               \
        {"token", required_argument, NULL, OPT_TOKEN}, {"json", no_argument, NULL, OPT_JSON},      \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

static bool common_opt(int o, struct client *c)
{
    switch (o) {
    case OPT_SERVER:
        c->server = optarg;
        return true;
    case OPT_TOKEN:
        c->token = optarg;
        return true;
    case OPT_JSON:
        c->json = true;
        return true;
    default:
        return false;
    }
}

static void client_init(struct client *c)
{
    c->server = getenv("DRYDOCK_SERVER");
    if (c->server == NULL || c->server[0] == '\0')
        c->server = "http://127.0.0.1:8080";
    c->token = getenv("DRYDOCK_TOKEN");
    c->json = false;
}

static int need_token(const struct client *c)
{
    if (c->token == NULL || c->token[0] == '\0') {
        fprintf(stderr, "drydock: no API token: use --token or set DRYDOCK_TOKEN\n");
        return -1;
    }
    return 0;
}

static void usage_rule(FILE *out)
{
    fprintf(out,
            "usage: drydock rule add --name N --namespace NS [--repository R] [--tag-regex RE]\n"
            "                        [--on-push] [--cron EXPR] [--no-manual] [--registry URL]\n"
            "                        [--credentials NAME] [--notify JSON-ARRAY] [--disabled]\n"
            "       drydock rule add --file RULE.json\n"
            "       drydock rule list | show ID | rm ID | run ID\n"
            "common: --server URL ($DRYDOCK_SERVER) --token T ($DRYDOCK_TOKEN) --json\n");
}

/* --- rule -------------------------------------------------------------------------------- */

static int rule_add(const struct client *c, int argc, char **argv)
{
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"namespace", required_argument, NULL, 's'},
                                         {"repository", required_argument, NULL, 'r'},
                                         {"tag-regex", required_argument, NULL, 'x'},
                                         {"on-push", no_argument, NULL, 'p'},
                                         {"cron", required_argument, NULL, 'c'},
                                         {"no-manual", no_argument, NULL, 'm'},
                                         {"registry", required_argument, NULL, 'g'},
                                         {"credentials", required_argument, NULL, 'C'},
                                         {"notify", required_argument, NULL, 'N'},
                                         {"disabled", no_argument, NULL, 'd'},
                                         {"file", required_argument, NULL, 'f'},
                                         COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    struct client cl = *c;
    const char *name = NULL, *ns = NULL, *repo = NULL, *re = NULL, *cron = NULL, *reg = NULL,
               *cred = NULL, *notify = NULL, *file = NULL;
    bool on_push = false, manual = true, enabled = true;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (common_opt(o, &cl))
            continue;
        switch (o) {
        case 'n':
            name = optarg;
            break;
        case 's':
            ns = optarg;
            break;
        case 'r':
            repo = optarg;
            break;
        case 'x':
            re = optarg;
            break;
        case 'p':
            on_push = true;
            break;
        case 'c':
            cron = optarg;
            break;
        case 'm':
            manual = false;
            break;
        case 'g':
            reg = optarg;
            break;
        case 'C':
            cred = optarg;
            break;
        case 'N':
            notify = optarg;
            break;
        case 'd':
            enabled = false;
            break;
        case 'f':
            file = optarg;
            break;
        case 'h':
            usage_rule(stdout);
            return CLI_EXIT_OK;
        default:
            usage_rule(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc || (file == NULL && (name == NULL || ns == NULL))) {
        usage_rule(stderr);
        return CLI_EXIT_USAGE;
    }
    if (need_token(&cl))
        return CLI_EXIT_USAGE;
    json_t *rule = NULL;
    json_error_t je;
    if (file) {
        rule = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
        if (rule == NULL) {
            fprintf(stderr, "drydock: %s: line %d: %s\n", file, je.line, je.text);
            return CLI_EXIT_USAGE;
        }
    } else {
        json_t *notify_j = NULL;
        if (notify && (notify_j = json_loads(notify, 0, &je)) == NULL) {
            fprintf(stderr, "drydock: --notify: not JSON: %s\n", je.text);
            return CLI_EXIT_USAGE;
        }
        rule = json_pack("{s:s, s:s, s:s, s:{s:b, s:b}, s:b}", "name", name, "scope",
                         repo ? "repository" : "namespace", "namespace", ns, "triggers", "manual",
                         manual, "on_push", on_push, "enabled", enabled);
        if (rule == NULL) {
            json_decref(notify_j);
            fprintf(stderr, "drydock: bad --name or --namespace (not UTF-8?)\n");
            return CLI_EXIT_USAGE;
        }
        if (repo)
            json_object_set_new(rule, "repository", json_string(repo));
        if (re)
            json_object_set_new(rule, "tag_regex", json_string(re));
        if (cron)
            json_object_set_new(json_object_get(rule, "triggers"), "cron", json_string(cron));
        if (notify_j)
            json_object_set_new(rule, "notify", notify_j);
        if (reg) {
            json_t *r = json_pack("{s:s}", "url", reg);
            if (r && cred)
                json_object_set_new(r, "credentials", json_string(cred));
            json_object_set_new(rule, "registry", r);
        } else if (cred) {
            fprintf(stderr, "drydock: --credentials needs --registry\n");
            json_decref(rule);
            return CLI_EXIT_USAGE;
        }
    }
    char *body = json_dumps(rule, JSON_COMPACT);
    json_decref(rule);
    if (body == NULL)
        return CLI_EXIT_FAILED;
    json_t *res = call(&cl, "POST", "/api/v1/rules", body, NULL);
    free(body);
    if (res == NULL)
        return CLI_EXIT_FAILED;
    if (cl.json)
        print_json(res);
    else
        printf("%s\n", str(res, "id"));
    json_decref(res);
    return CLI_EXIT_OK;
}

static void print_rule_line(json_t *r)
{
    json_t *t = json_object_get(r, "triggers");
    char trig[300];
    snprintf(trig, sizeof(trig), "%s%s%s%s",
             json_is_true(json_object_get(t, "manual")) ? "manual " : "",
             json_is_true(json_object_get(t, "on_push")) ? "on_push " : "",
             json_object_get(t, "cron") ? "cron=" : "",
             json_object_get(t, "cron") ? str(t, "cron") : "");
    char scope[600];
    if (json_is_string(json_object_get(r, "repository")))
        snprintf(scope, sizeof(scope), "%s/%s", str(r, "namespace"), str(r, "repository"));
    else
        snprintf(scope, sizeof(scope), "%s/*", str(r, "namespace"));
    printf("%-16s  %-24s  %-28s  %-16s  %s%s\n", str(r, "id"), str(r, "name"), scope,
           str(r, "tag_regex"), trig,
           json_is_false(json_object_get(r, "enabled")) ? " (disabled)" : "");
}

static int rule_id_cmd(const struct client *c, const char *method, const char *id,
                       const char *suffix)
{
    if (!escape_ok(id)) {
        fprintf(stderr, "drydock: '%s' is not a rule id\n", id);
        return CLI_EXIT_USAGE;
    }
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/rules/%s%s", id, suffix);
    json_t *res = call(c, method, path, strcmp(method, "POST") == 0 ? "" : NULL, NULL);
    if (res == NULL)
        return CLI_EXIT_FAILED;
    if (c->json || strcmp(method, "GET") == 0)
        print_json(res);
    else if (strcmp(suffix, "/run") == 0)
        printf("%s\n", str(res, "task_id"));
    else
        printf("deleted %s\n", id);
    json_decref(res);
    return CLI_EXIT_OK;
}

/* "drydock rule --help": the subcommand slot holds the help flag. */
static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0;
}

/* Parse common flags only; leaves positional args at argv[optind..]. */
static int parse_common(int argc, char **argv, struct client *c, void (*usage)(FILE *))
{
    static const struct option opts[] = {COMMON_OPTS, {NULL, 0, NULL, 0}};
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (common_opt(o, c))
            continue;
        if (o == 'h') {
            usage(stdout);
            return CLI_EXIT_OK + 100;
        }
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_rule(int argc, char **argv)
{
    struct client c;
    client_init(&c);
    if (argc < 2) {
        usage_rule(stderr);
        return CLI_EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        usage_rule(stdout);
        return CLI_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "add") == 0)
        return rule_add(&c, argc - 1, argv + 1);
    int rc = parse_common(argc - 1, argv + 1, &c, usage_rule);
    if (rc)
        return rc == 100 ? CLI_EXIT_OK : rc;
    int npos = argc - 1 - optind;
    char **pos = argv + 1 + optind;
    if (need_token(&c))
        return CLI_EXIT_USAGE;
    if (strcmp(sub, "list") == 0 && npos == 0) {
        json_t *res = call(&c, "GET", "/api/v1/rules", NULL, NULL);
        if (res == NULL)
            return CLI_EXIT_FAILED;
        if (c.json) {
            print_json(res);
        } else {
            printf("%-16s  %-24s  %-28s  %-16s  %s\n", "ID", "NAME", "SCOPE", "TAG REGEX",
                   "TRIGGERS");
            size_t i;
            json_t *r;
            json_array_foreach(json_object_get(res, "rules"), i, r) print_rule_line(r);
        }
        json_decref(res);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "show") == 0 && npos == 1)
        return rule_id_cmd(&c, "GET", pos[0], "");
    if ((strcmp(sub, "rm") == 0 || strcmp(sub, "delete") == 0) && npos == 1)
        return rule_id_cmd(&c, "DELETE", pos[0], "");
    if (strcmp(sub, "run") == 0 && npos == 1)
        return rule_id_cmd(&c, "POST", pos[0], "/run");
    usage_rule(stderr);
    return CLI_EXIT_USAGE;
}

/* --- task -------------------------------------------------------------------------------- */

static void usage_task(FILE *out)
{
    fprintf(out, "usage: drydock task list [--rule ID] [--limit N]\n"
                 "       drydock task show ID\n"
                 "common: --server URL ($DRYDOCK_SERVER) --token T ($DRYDOCK_TOKEN) --json\n");
}

static void print_counts(json_t *counts)
{
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach(counts, k, v)
    {
        printf("%s%s=%lld", first ? "" : ",", k, (long long)json_integer_value(v));
        first = false;
    }
    if (first)
        printf("-");
}

int cli_task(int argc, char **argv)
{
    static const struct option opts[] = {{"rule", required_argument, NULL, 'r'},
                                         {"limit", required_argument, NULL, 'l'},
                                         COMMON_OPTS,
                                         {NULL, 0, NULL, 0}};
    struct client c;
    client_init(&c);
    if (argc < 2) {
        usage_task(stderr);
        return CLI_EXIT_USAGE;
    }
    if (is_help(argv[1])) {
        usage_task(stdout);
        return CLI_EXIT_OK;
    }
    const char *sub = argv[1], *rule = NULL, *limit = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        if (common_opt(o, &c))
            continue;
        switch (o) {
        case 'r':
            rule = optarg;
            break;
        case 'l':
            limit = optarg;
            break;
        case 'h':
            usage_task(stdout);
            return CLI_EXIT_OK;
        default:
            usage_task(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    int npos = argc - 1 - optind;
    char **pos = argv + 1 + optind;
    if (need_token(&c))
        return CLI_EXIT_USAGE;
    char path[512];
    if (strcmp(sub, "list") == 0 && npos == 0) {
        if ((rule && !escape_ok(rule)) || (limit && !escape_ok(limit))) {
            fprintf(stderr, "drydock: bad --rule or --limit\n");
            return CLI_EXIT_USAGE;
        }
        snprintf(path, sizeof(path), "/api/v1/tasks?%s%s%s%s", rule ? "rule=" : "",
                 rule ? rule : "", limit ? "&limit=" : "", limit ? limit : "");
        json_t *res = call(&c, "GET", path, NULL, NULL);
        if (res == NULL)
            return CLI_EXIT_FAILED;
        if (c.json) {
            print_json(res);
        } else {
            printf("%-32s  %-5s  %-16s  %-9s  %6s  %7s  %s\n", "TASK", "KIND", "RULE", "STATUS",
                   "IMAGES", "SKIPPED", "JOBS");
            size_t i;
            json_t *t;
            json_array_foreach(json_object_get(res, "tasks"), i, t)
            {
                printf("%-32s  %-5s  %-16s  %-9s  %6lld  %7lld  ", str(t, "task_id"),
                       str(t, "kind"), str(t, "rule_id")[0] ? str(t, "rule_id") : "-",
                       str(t, "status"),
                       (long long)json_integer_value(json_object_get(t, "images")),
                       (long long)json_integer_value(json_object_get(t, "skipped_count")));
                print_counts(json_object_get(t, "counts"));
                printf("\n");
            }
        }
        json_decref(res);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "show") == 0 && npos == 1) {
        if (!escape_ok(pos[0])) {
            fprintf(stderr, "drydock: '%s' is not a task id\n", pos[0]);
            return CLI_EXIT_USAGE;
        }
        snprintf(path, sizeof(path), "/api/v1/tasks/%s", pos[0]);
        json_t *res = call(&c, "GET", path, NULL, NULL);
        if (res == NULL)
            return CLI_EXIT_FAILED;
        if (c.json) {
            print_json(res);
        } else {
            printf("task %s  kind=%s  status=%s  images=%lld  skipped=%lld\n", str(res, "task_id"),
                   str(res, "kind"), str(res, "status"),
                   (long long)json_integer_value(json_object_get(res, "images")),
                   (long long)json_integer_value(json_object_get(res, "skipped_count")));
            if (json_object_get(res, "error"))
                printf("error: %s\n", str(res, "error"));
            size_t i;
            json_t *j;
            json_array_foreach(json_object_get(res, "jobs"), i, j)
            {
                json_t *s = json_object_get(j, "summary");
                printf("  %-9s  %s  C=%lld H=%lld M=%lld L=%lld U=%lld%s%s\n", str(j, "status"),
                       str(j, "image"),
                       (long long)json_integer_value(json_object_get(s, "critical")),
                       (long long)json_integer_value(json_object_get(s, "high")),
                       (long long)json_integer_value(json_object_get(s, "medium")),
                       (long long)json_integer_value(json_object_get(s, "low")),
                       (long long)json_integer_value(json_object_get(s, "unknown")),
                       json_object_get(j, "error") ? "  error: " : "",
                       json_object_get(j, "error") ? str(j, "error") : "");
            }
            json_array_foreach(json_object_get(res, "skipped"), i, j)
                printf("  %-9s  %s  (%s)\n", "SKIPPED", str(j, "image"), str(j, "reason"));
        }
        json_decref(res);
        return CLI_EXIT_OK;
    }
    usage_task(stderr);
    return CLI_EXIT_USAGE;
}

/* --- status / report --------------------------------------------------------------------- */

static void usage_image(FILE *out)
{
    fprintf(out, "usage: drydock status IMAGE | drydock report IMAGE\n"
                 "common: --server URL ($DRYDOCK_SERVER) --token T ($DRYDOCK_TOKEN) --json\n");
}

static int image_cmd(int argc, char **argv, const char *what)
{
    struct client c;
    client_init(&c);
    int rc = parse_common(argc, argv, &c, usage_image);
    if (rc)
        return rc == 100 ? CLI_EXIT_OK : rc;
    if (argc - optind != 1) {
        usage_image(stderr);
        return CLI_EXIT_USAGE;
    }
    if (need_token(&c))
        return CLI_EXIT_USAGE;
    struct image_ref ref;
    struct dd_error err = {0};
    if (image_ref_parse(argv[optind], &ref, &err) != 0) {
        fprintf(stderr, "drydock: %s\n", err.msg);
        return CLI_EXIT_USAGE;
    }
    if (ref.tag == NULL || strchr(ref.repository, '/') == NULL) {
        fprintf(stderr, "drydock: %s: need a tag and a namespace/repository name\n", argv[optind]);
        image_ref_cleanup(&ref);
        return CLI_EXIT_USAGE;
    }
    char path[2048];
    snprintf(path, sizeof(path), "/api/v1/repos/%s/tags/%s/%s?registry=%s", ref.repository, ref.tag,
             what, ref.registry);
    image_ref_cleanup(&ref);
    struct buf raw;
    buf_init(&raw, 0);
    json_t *res = call(&c, "GET", path, NULL, &raw);
    if (res == NULL) {
        buf_cleanup(&raw);
        return CLI_EXIT_FAILED;
    }
    if (strcmp(what, "report") == 0) {
        fwrite(raw.data, 1, raw.len, stdout); /* verbatim: the stored report */
        if (raw.len && raw.data[raw.len - 1] != '\n')
            putchar('\n');
    } else if (c.json) {
        print_json(res);
    } else {
        json_t *s = json_object_get(res, "summary");
        printf("%s  %s  digest=%s  task=%s\n", str(res, "image"), str(res, "status"),
               str(res, "digest"), str(res, "task_id"));
        printf("critical=%lld high=%lld medium=%lld low=%lld unknown=%lld packages=%lld\n",
               (long long)json_integer_value(json_object_get(s, "critical")),
               (long long)json_integer_value(json_object_get(s, "high")),
               (long long)json_integer_value(json_object_get(s, "medium")),
               (long long)json_integer_value(json_object_get(s, "low")),
               (long long)json_integer_value(json_object_get(s, "unknown")),
               (long long)json_integer_value(json_object_get(s, "packages")));
        if (json_object_get(res, "error"))
            printf("error: %s\n", str(res, "error"));
    }
    json_decref(res);
    buf_cleanup(&raw);
    return CLI_EXIT_OK;
}

int cli_status(int argc, char **argv)
{
    return image_cmd(argc, argv, "scan-status");
}

int cli_report(int argc, char **argv)
{
    return image_cmd(argc, argv, "report");
}
