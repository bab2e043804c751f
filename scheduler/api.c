/* api.c - HTTP API of the scheduler on libmicrohttpd (see api.h, docs/api.md).
 *
 * Design: MHD's internal thread pool (cfg api_threads) runs the handlers; they only touch
 * Redis (through store.c, one mutex-guarded connection) and hand registry work to the
 * scheduler's runner thread, so a request never waits on a registry. A request body is
 * collected into a capped struct buf; a Content-Length over the cap is refused before any
 * body is read, a chunked body that grows past it is refused when it ends.
 *
 * Routing is a split of the path into segments; repository names contain '/', so the
 * /repos/ routes are matched from the end (".../tags/<tag>/scan-status").
 *
 * Invariants: every response is JSON (except /metrics, Prometheus text, and /report, the
 * stored JSON report verbatim); every error body is {"error": "..."}; no response contains
 * a secret: rules hold registry credential NAMES only, and notify secrets and DingTalk
 * access tokens are redacted from every rule reply (scan_rule_json_redact); a PUT that sends
 * the placeholder back keeps the stored value.
 *
 * Dead letters (docs/api.md): the notifier's dd:dead stream is listed newest first; a replay
 * moves one entry to dd:notify:replay and deletes it from dd:dead in one Lua script, so two
 * concurrent replays of the same entry deliver it once.
 *
 * It deliberately does not serve TLS (put it behind a proxy) or CORS.
 */
#include "api.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "queue.h"
#include "rules.h"
#include "store.h"

#define MAX_SEGMENTS   64
#define TASKS_LIST_MAX 500
#define TASK_JOBS_MAX  10000
#define DEAD_LIST_DEF  100
#define DEAD_LIST_MAX  1000
#define DEAD_BATCH     "200" /* entries moved per EVAL by a replay of all */

struct api {
    struct sched *s;
    const struct sched_config *cfg;
    struct MHD_Daemon *d;
};

struct req {
    struct buf body;
    bool too_big;
};

/* --- responses --------------------------------------------------------------------------- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *ctype,
                                 const char *text, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Takes ownership of j. */
static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
    char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (txt == NULL)
        return send_text(c, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
    size_t n = strlen(txt);
    char *line = realloc(txt, n + 2);
    if (line) {
        txt = line;
        txt[n++] = '\n';
        txt[n] = '\0';
    }
    enum MHD_Result ret = send_text(c, status, "application/json", txt, n);
    free(txt);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[DD_ERRMSG_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return send_json(c, status, json_pack("{s:s}", "error", msg));
}

static enum MHD_Result send_method_not_allowed(struct MHD_Connection *c, const char *allow)
{
    const char *msg = "{\"error\":\"method not allowed\"}\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Allow", allow);
    enum MHD_Result ret = MHD_queue_response(c, 405, r);
    MHD_destroy_response(r);
    return ret;
}

/* Map a DD_E* from the core to an HTTP status. */
static unsigned status_for(int rc)
{
    switch (rc) {
    case DD_EINVAL:
    case DD_EPARSE:
        return 400;
    case DD_ENOTFOUND:
        return 404;
    case DD_ETOOBIG:
        return 413;
    case DD_ELIMIT:
    case DD_ENET:
    case DD_EIO:
        return 503;
    default:
        return 500;
    }
}

static enum MHD_Result send_rc(struct MHD_Connection *c, int rc, const struct dd_error *e)
{
    return send_error(c, status_for(rc), "%s", e->msg[0] ? e->msg : dd_strerror(rc));
}

/* --- helpers ----------------------------------------------------------------------------- */

static bool token_equal(const char *given, const char *want)
{
    size_t gl = strlen(given), wl = strlen(want);
    unsigned char d = (unsigned char)(gl != wl);
    for (size_t i = 0; i < wl; i++)
        d |= (unsigned char)(want[i] ^ (i < gl ? given[i] : 0));
    return d == 0;
}

static bool authorized(struct MHD_Connection *c, const char *token)
{
    if (token == NULL || token[0] == '\0')
        return false;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    return token_equal(h + 7, token);
}

/* Parse the body as a JSON object (duplicates rejected). */
static json_t *body_json(struct req *rq, struct dd_error *e)
{
    json_error_t je;
    if (rq->body.len == 0) {
        dd_error_set(e, DD_EINVAL, "request body required (JSON object)");
        return NULL;
    }
    json_t *j = json_loadb((const char *)rq->body.data, rq->body.len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        dd_error_set(e, DD_EINVAL, "bad JSON at line %d column %d: %s", je.line, je.column,
                     je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        dd_error_set(e, DD_EINVAL, "body must be a JSON object");
        return NULL;
    }
    return j;
}

static bool id_valid(const char *s, size_t len)
{
    return strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

/* A string field, NULL when absent or empty (workers write error "" on success). */
static const char *nonempty(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && v[0] ? v : NULL;
}

static json_int_t str_int(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? (json_int_t)strtoll(v, NULL, 10) : 0;
}

/* --- rules ------------------------------------------------------------------------------- */

/* Create (id NULL) or replace a rule. stored_notify (borrowed, may be NULL): the stored rule's
 * notify array, where "<redacted>" placeholders of the body are looked up. */
static enum MHD_Result rule_save(struct api *a, struct MHD_Connection *c, struct req *rq,
                                 const char *id, int64_t created_at, json_t *stored_notify,
                                 unsigned status)
{
    struct dd_error e = {0};
    struct scan_rule *r = NULL;
    char *txt = NULL;
    enum MHD_Result ret;
    json_t *j = body_json(rq, &e);
    if (j == NULL)
        return send_error(c, 400, "%s", e.msg);
    if (json_object_get(j, "registry") == NULL && a->cfg->default_registry) {
        json_t *reg = json_pack("{s:s}", "url", a->cfg->default_registry);
        json_object_set_new(j, "registry", reg);
    }
    int rc = scan_rule_json_unredact(j, stored_notify);
    if (rc)
        dd_error_set(&e, rc, "out of memory");
    else
        rc = scan_rule_from_json(j, false, &r, &e);
    json_decref(j);
    if (rc) {
        ret = send_error(c, status_for(rc), "%s", e.msg);
        goto out;
    }
    if (r->credentials && sched_config_creds(a->cfg, r->credentials) == NULL) {
        ret = send_error(c, 400, "registry.credentials: no entry named '%s' in the config",
                         r->credentials);
        goto out;
    }
    if (id) {
        snprintf(r->id, sizeof(r->id), "%s", id);
    } else if (random_hex(r->id, RULE_ID_HEX_LEN / 2) != 0) {
        ret = send_error(c, 500, "no randomness for an id");
        goto out;
    }
    r->updated_at_ms = now_ms();
    r->created_at_ms = created_at ? created_at : r->updated_at_ms;
    json_t *out = scan_rule_to_json(r);
    txt = out ? json_dumps(out, JSON_COMPACT) : NULL;
    if (txt == NULL) {
        json_decref(out);
        ret = send_error(c, 500, "out of memory");
        goto out;
    }
    rc = store_rule_put(sched_store(a->s), r->id, txt, &e);
    if (rc) {
        json_decref(out);
        ret = send_rc(c, rc, &e);
        goto out;
    }
    log_info("msg=\"rule saved\" rule=%s name=\"%s\" notify_targets=%zu", r->id, r->name,
             json_array_size(r->notify));
    if (scan_rule_json_redact(out) != 0) {
        json_decref(out);
        ret = send_error(c, 500, "out of memory");
        goto out;
    }
    ret = send_json(c, status, out);
out:
    free(txt);
    scan_rule_free(r);
    return ret;
}

/* The stored rule as JSON; DD_ENOTFOUND when missing. */
static int rule_load_json(struct api *a, const char *id, json_t **out, struct dd_error *e)
{
    char *txt = NULL;
    int rc = store_rule_get(sched_store(a->s), id, &txt, e);
    if (rc)
        return rc;
    json_error_t je;
    json_t *j = json_loads(txt, 0, &je);
    free(txt);
    if (j == NULL)
        return dd_error_set(e, DD_EIO, "stored rule %s is not JSON", id);
    *out = j;
    return 0;
}

static enum MHD_Result rules_list(struct api *a, struct MHD_Connection *c)
{
    struct str_list ids;
    struct dd_error e = {0};
    str_list_init(&ids);
    int rc = store_rule_ids(sched_store(a->s), &ids, &e);
    if (rc) {
        str_list_cleanup(&ids);
        return send_rc(c, rc, &e);
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < ids.n; i++) {
        json_t *j = NULL;
        if (rule_load_json(a, ids.v[i], &j, &e) == 0) {
            if (scan_rule_json_redact(j) != 0) {
                json_decref(j);
                json_decref(arr);
                str_list_cleanup(&ids);
                return send_error(c, 500, "out of memory");
            }
            json_array_append_new(arr, j);
        }
    }
    str_list_cleanup(&ids);
    return send_json(c, 200, json_pack("{s:o}", "rules", arr));
}

static enum MHD_Result route_rule(struct api *a, struct MHD_Connection *c, struct req *rq,
                                  const char *method, const char *id, const char *action)
{
    struct dd_error e = {0};
    if (!id_valid(id, RULE_ID_HEX_LEN))
        return send_error(c, 404, "no rule %s", id);
    if (action) {
        if (strcmp(action, "run") != 0)
            return send_error(c, 404, "no such resource");
        if (strcmp(method, "POST") != 0)
            return send_method_not_allowed(c, "POST");
        char task_id[33];
        int rc = sched_rule_run(a->s, id, task_id, &e);
        if (rc)
            return send_rc(c, rc, &e);
        return send_json(c, 202, json_pack("{s:s, s:s}", "task_id", task_id, "rule_id", id));
    }
    if (strcmp(method, "GET") == 0) {
        json_t *j = NULL;
        int rc = rule_load_json(a, id, &j, &e);
        if (rc == 0 && scan_rule_json_redact(j) != 0) {
            json_decref(j);
            return send_error(c, 500, "out of memory");
        }
        return rc ? send_rc(c, rc, &e) : send_json(c, 200, j);
    }
    if (strcmp(method, "PUT") == 0) {
        json_t *j = NULL;
        int rc = rule_load_json(a, id, &j, &e);
        if (rc)
            return send_rc(c, rc, &e);
        int64_t created = (int64_t)json_integer_value(json_object_get(j, "created_at"));
        enum MHD_Result ret = rule_save(a, c, rq, id, created, json_object_get(j, "notify"), 200);
        json_decref(j);
        return ret;
    }
    if (strcmp(method, "DELETE") == 0) {
        int rc = store_rule_del(sched_store(a->s), id, &e);
        if (rc)
            return send_rc(c, rc, &e);
        log_info("msg=\"rule deleted\" rule=%s", id);
        return send_json(c, 200, json_pack("{s:s, s:b}", "id", id, "deleted", 1));
    }
    return send_method_not_allowed(c, "GET, PUT, DELETE");
}

/* --- tasks ------------------------------------------------------------------------------- */

static bool status_final(const char *st)
{
    return st && (strcmp(st, "COMPLETE") == 0 || strcmp(st, "FAILED") == 0);
}

/* The task as JSON: summary counts always, jobs and skipped when detail. */
static int task_json(struct api *a, const char *task_id, bool detail, json_t **out,
                     struct dd_error *e)
{
    struct store *st = sched_store(a->s);
    char key[STORE_KEY_MAX];
    json_t *h = NULL, *counts = NULL, *jobs = NULL, *skipped = NULL;
    redisReply *r = NULL;
    if (store_key(st, key, "task:%s", task_id))
        return dd_error_set(e, DD_ENOTFOUND, "no task %s", task_id);
    int rc = store_hgetall_json(st, key, &h, e);
    if (rc) {
        if (rc == DD_ENOTFOUND)
            dd_error_set(e, DD_ENOTFOUND, "no task %s", task_id);
        return rc;
    }
    counts = json_object();
    jobs = json_array();
    if (store_key(st, key, "task:%s:jobs", task_id) == 0)
        rc = store_cmdv(st, &r, e, "LRANGE", key, "0", "9999", STORE_END);
    if (rc)
        goto out;
    size_t final_n = 0, n_jobs = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING)
            continue;
        const char *jid = r->element[i]->str;
        json_t *jh = NULL;
        char jkey[STORE_KEY_MAX];
        struct dd_error je = {0};
        n_jobs++;
        if (store_key(st, jkey, "job:%s", jid) || store_hgetall_json(st, jkey, &jh, &je) != 0)
            jh = json_pack("{s:s}", "status", "UNKNOWN");
        if (jh == NULL)
            continue;
        const char *status = json_string_value(json_object_get(jh, "status"));
        if (status == NULL)
            status = "UNKNOWN";
        if (status_final(status))
            final_n++;
        json_object_set_new(counts, status,
                            json_integer(json_integer_value(json_object_get(counts, status)) + 1));
        if (detail) {
            json_t *job = json_pack(
                "{s:s, s:s?, s:s?, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:s?}", "job_id",
                jid, "image", json_string_value(json_object_get(jh, "image")), "digest",
                json_string_value(json_object_get(jh, "digest")), "status", status, "summary",
                "critical", str_int(jh, "critical"), "high", str_int(jh, "high"), "medium",
                str_int(jh, "medium"), "low", str_int(jh, "low"), "unknown", str_int(jh, "unknown"),
                "packages", str_int(jh, "packages"), "attempt", str_int(jh, "attempt"), "error",
                nonempty(jh, "error"));
            if (job) {
                const char *fin = json_string_value(json_object_get(jh, "finished_at"));
                if (fin)
                    json_object_set_new(job, "finished_at", json_integer(strtoll(fin, NULL, 10)));
                json_array_append_new(jobs, job);
            }
        }
        json_decref(jh);
    }
    freeReplyObject(r);
    r = NULL;
    const char *status = json_string_value(json_object_get(h, "status"));
    if (status && strcmp(status, "RUNNING") == 0 && n_jobs > 0 && final_n == n_jobs)
        status = "DONE";
    json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?, s:I, s:I, s:I, s:O}", "task_id", task_id, "kind",
                          json_string_value(json_object_get(h, "kind")), "rule_id",
                          json_string_value(json_object_get(h, "rule_id")), "status", status,
                          "created_at", str_int(h, "created_at"), "images", str_int(h, "images"),
                          "skipped_count", str_int(h, "skipped"), "counts", counts);
    if (o == NULL) {
        rc = dd_error_set(e, DD_ENOMEM, "out of memory");
        goto out;
    }
    const char *error = nonempty(h, "error");
    if (error)
        json_object_set_new(o, "error", json_string(error));
    if (detail) {
        skipped = json_array();
        if (store_key(st, key, "task:%s:skipped", task_id) == 0 &&
            store_cmdv(st, &r, e, "LRANGE", key, "0", "9999", STORE_END) == 0) {
            for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
                const char *line = r->element[i]->str;
                const char *tab = line ? strchr(line, '\t') : NULL;
                if (tab == NULL)
                    continue;
                json_t *sk = json_pack("{s:s%, s:s}", "image", line, (size_t)(tab - line), "reason",
                                       tab + 1);
                if (sk)
                    json_array_append_new(skipped, sk);
            }
        }
        json_object_set(o, "jobs", jobs);
        json_object_set(o, "skipped", skipped);
    }
    *out = o;
out:
    freeReplyObject(r);
    json_decref(h);
    json_decref(counts);
    json_decref(jobs);
    json_decref(skipped);
    return rc;
}

static enum MHD_Result tasks_list(struct api *a, struct MHD_Connection *c)
{
    struct store *st = sched_store(a->s);
    struct dd_error e = {0};
    const char *rule = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rule");
    const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > TASKS_LIST_MAX)
        return send_error(c, 400, "limit: 1..%d", TASKS_LIST_MAX);
    char key[STORE_KEY_MAX], stop[24];
    if (rule && !id_valid(rule, RULE_ID_HEX_LEN))
        return send_error(c, 400, "rule: not a rule id");
    if (rule ? store_key(st, key, "rule:%s:tasks", rule) : store_key(st, key, "tasks"))
        return send_error(c, 400, "bad rule id");
    snprintf(stop, sizeof(stop), "%ld", limit - 1);
    redisReply *r = NULL;
    int rc = store_cmdv(st, &r, &e, "ZREVRANGE", key, "0", stop, STORE_END);
    if (rc)
        return send_rc(c, rc, &e);
    json_t *arr = json_array();
    for (size_t i = 0; arr && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        json_t *t = NULL;
        struct dd_error te = {0};
        if (task_json(a, r->element[i]->str, false, &t, &te) == 0)
            json_array_append_new(arr, t);
    }
    freeReplyObject(r);
    return send_json(c, 200, json_pack("{s:o}", "tasks", arr));
}

/* --- repos: scan status and report ------------------------------------------------------- */

static const char *scan_status_of(const char *job_status)
{
    if (job_status == NULL)
        return "NOT_SCANNED";
    if (strcmp(job_status, "QUEUED") == 0 || strcmp(job_status, "SCANNING") == 0)
        return "SCANNING";
    if (strcmp(job_status, "COMPLETE") == 0 || strcmp(job_status, "FAILED") == 0 ||
        strcmp(job_status, "RETRYING") == 0)
        return job_status;
    return "SCANNING";
}

static enum MHD_Result route_repo(struct api *a, struct MHD_Connection *c, const char *method,
                                  char **seg, size_t nseg)
{
    /* seg: repos ns repo... tags TAG what */
    if (nseg < 6 || strcmp(seg[nseg - 3], "tags") != 0)
        return send_error(c, 404, "no such resource");
    const char *what = seg[nseg - 1];
    const char *tag = seg[nseg - 2];
    if (strcmp(what, "scan-status") != 0 && strcmp(what, "report") != 0)
        return send_error(c, 404, "no such resource");
    if (strcmp(method, "GET") != 0)
        return send_method_not_allowed(c, "GET");
    char repo[512] = "";
    size_t off = 0;
    for (size_t i = 1; i < nseg - 3; i++) {
        int n = snprintf(repo + off, sizeof(repo) - off, "%s%s", i > 1 ? "/" : "", seg[i]);
        if (n < 0 || (size_t)n >= sizeof(repo) - off)
            return send_error(c, 400, "repository name too long");
        off += (size_t)n;
    }
    if (!repo_name_valid(repo))
        return send_error(c, 400, "bad repository name '%s'", repo);
    const char *registry = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "registry");
    if (registry == NULL)
        registry = a->cfg->default_registry;
    if (registry == NULL)
        return send_error(c, 400, "registry: give ?registry=HOST (no default_registry set)");
    struct store *st = sched_store(a->s);
    struct dd_error e = {0};
    char key[STORE_KEY_MAX];
    if (store_key(st, key, "tag:%s/%s:%s", registry, repo, tag))
        return send_error(c, 400, "name too long");
    json_t *th = NULL, *jh = NULL;
    int rc = store_hgetall_json(st, key, &th, &e);
    if (rc && rc != DD_ENOTFOUND)
        return send_rc(c, rc, &e);
    const char *job_id = th ? json_string_value(json_object_get(th, "job_id")) : NULL;
    if (job_id && store_key(st, key, "job:%s", job_id) == 0)
        (void)store_hgetall_json(st, key, &jh, &e);
    enum MHD_Result ret;
    if (strcmp(what, "report") == 0) {
        redisReply *r = NULL;
        const char *tstatus = th ? json_string_value(json_object_get(th, "status")) : NULL;
        if (job_id == NULL || store_key(st, key, "report:%s", job_id) ||
            store_cmdv(st, &r, &e, "GET", key, STORE_END) != 0 || r->type != REDIS_REPLY_STRING) {
            ret = send_error(c, 404, "no report for %s/%s:%s (status %s)", registry, repo, tag,
                             scan_status_of(tstatus));
        } else {
            ret = send_text(c, 200, "application/json", r->str, r->len);
        }
        freeReplyObject(r);
        goto out;
    }
    json_t *src = jh ? jh : th;
    const char *status = src ? json_string_value(json_object_get(src, "status")) : NULL;
    const char *digest = th ? json_string_value(json_object_get(th, "digest")) : NULL;
    const char *task_id = th ? json_string_value(json_object_get(th, "task_id")) : NULL;
    if (task_id == NULL && jh)
        task_id = json_string_value(json_object_get(jh, "task_id"));
    json_int_t scanned = th ? str_int(th, "scanned_at") : 0;
    if (scanned == 0 && jh)
        scanned = str_int(jh, "finished_at");
    json_t *o =
        json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "image", "", "status", scan_status_of(status),
                  "digest", digest, "task_id", task_id, "job_id", job_id);
    if (o) {
        char image[STORE_KEY_MAX];
        snprintf(image, sizeof(image), "%s/%s:%s", registry, repo, tag);
        json_object_set_new(o, "image", json_string(image));
        json_t *j = jh ? jh : json_object();
        json_object_set_new(o, "summary",
                            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "critical",
                                      str_int(j, "critical"), "high", str_int(j, "high"), "medium",
                                      str_int(j, "medium"), "low", str_int(j, "low"), "unknown",
                                      str_int(j, "unknown"), "packages", str_int(j, "packages")));
        if (j != jh)
            json_decref(j);
        json_object_set_new(o, "scanned_at", scanned ? json_integer(scanned) : json_null());
        const char *error = jh ? nonempty(jh, "error") : NULL;
        if (error)
            json_object_set_new(o, "error", json_string(error));
    }
    ret = send_json(c, 200, o);
out:
    json_decref(th);
    json_decref(jh);
    return ret;
}

/* --- notify dead letters ---------------------------------------------------------------- */

/* A Redis stream ID "<ms>-<seq>". */
static bool stream_id_valid(const char *s)
{
    size_t a = strspn(s, "0123456789");
    if (a == 0 || a > 20 || s[a] != '-')
        return false;
    size_t b = strspn(s + a + 1, "0123456789");
    return b > 0 && b <= 20 && s[a + 1 + b] == '\0';
}

/* One dd:dead entry (XRANGE element: [id, [field, value, ...]]) as the API's JSON object. */
static json_t *dead_letter_json(const redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING ||
        entry->element[1]->type != REDIS_REPLY_ARRAY)
        return NULL;
    const redisReply *f = entry->element[1];
    const redisReply *event = NULL;
    json_t *o = json_pack("{s:s, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}", "id",
                          entry->element[0]->str, "job_id", "rule_id", "target", "target_key",
                          "target_type", "target_name", "image", "digest", "status", "reason",
                          "attempts", "failed_at");
    if (o == NULL)
        return NULL;
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, "event") == 0) {
            event = v;
        } else if (strcmp(k->str, "target") == 0 || strcmp(k->str, "attempts") == 0 ||
                   strcmp(k->str, "failed_at") == 0) {
            char *end = NULL;
            long long n = strtoll(v->str, &end, 10);
            if (end != v->str && *end == '\0')
                json_object_set_new(o, k->str, json_integer(n));
        } else if (strcmp(k->str, "rule_id") == 0 || strcmp(k->str, "target_type") == 0 ||
                   strcmp(k->str, "target_name") == 0 || strcmp(k->str, "reason") == 0 ||
                   strcmp(k->str, "target_key") == 0) {
            json_t *sv = json_stringn(v->str, v->len); /* NULL when not UTF-8: stays null */
            if (sv)
                json_object_set_new(o, k->str, sv);
        }
    }
    struct queue_event ev = {0};
    struct dd_error e = {0};
    if (event && queue_event_decode((const uint8_t *)event->str, event->len, &ev, &e) == 0) {
        json_object_set_new(o, "job_id", json_string(ev.job_id));
        if (ev.summary.image && ev.summary.image[0])
            json_object_set_new(o, "image", json_string(ev.summary.image));
        if (ev.summary.digest && ev.summary.digest[0])
            json_object_set_new(o, "digest", json_string(ev.summary.digest));
        json_object_set_new(o, "status", json_string(queue_status_name(ev.summary.status)));
        queue_event_cleanup(&ev);
    }
    return o;
}

static enum MHD_Result dead_letters_list(struct api *a, struct MHD_Connection *c)
{
    struct store *st = sched_store(a->s);
    struct dd_error e = {0};
    const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    char *end = NULL;
    long limit = lim ? strtol(lim, &end, 10) : DEAD_LIST_DEF;
    if (lim && (end == lim || *end != '\0' || limit < 1 || limit > DEAD_LIST_MAX))
        return send_error(c, 400, "limit: 1..%d", DEAD_LIST_MAX);
    char key[STORE_KEY_MAX], count[24];
    store_key(st, key, "dead");
    snprintf(count, sizeof(count), "%ld", limit);
    redisReply *r = NULL;
    int rc = store_cmdv(st, &r, &e, "XREVRANGE", key, "+", "-", "COUNT", count, STORE_END);
    if (rc)
        return send_rc(c, rc, &e);
    json_t *arr = json_array();
    for (size_t i = 0; arr && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        json_t *d = dead_letter_json(r->element[i]);
        if (d)
            json_array_append_new(arr, d);
    }
    freeReplyObject(r);
    return send_json(c, 200, json_pack("{s:o}", "dead_letters", arr));
}

/* KEYS dd:dead dd:notify:replay; ARGV: from, to, count. Moves up to count entries of dd:dead
 * in [from, to] to the replay stream (docs/redis.md) and deletes them; returns how many. */
static const char DEAD_REPLAY_LUA[] =
    "local es = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2], 'COUNT', ARGV[3])\n"
    "local n = 0\n"
    "for _, e in ipairs(es) do\n"
    "  local h = {}\n"
    "  for i = 1, #e[2], 2 do h[e[2][i]] = e[2][i + 1] end\n"
    "  if h['event'] then\n"
    "    redis.call('XADD', KEYS[2], '*', 'event', h['event'], 'rule_id', h['rule_id'] or '',\n"
    "               'target', h['target'] or '', 'target_key', h['target_key'] or '',\n"
    "               'dead_id', e[1])\n"
    "    n = n + 1\n"
    "  end\n"
    "  redis.call('XDEL', KEYS[1], e[1])\n"
    "end\n"
    "return {n, #es}\n";

/* Replay dd:dead entries in [from, to], batch by batch; *replayed counts them. */
static int dead_replay(struct api *a, const char *from, const char *to, long long *replayed,
                       struct dd_error *e)
{
    struct store *st = sched_store(a->s);
    char dead[STORE_KEY_MAX], replay[STORE_KEY_MAX];
    store_key(st, dead, "dead");
    store_key(st, replay, "notify:replay");
    *replayed = 0;
    for (;;) {
        redisReply *r = NULL;
        int rc = store_cmdv(st, &r, e, "EVAL", DEAD_REPLAY_LUA, "2", dead, replay, from, to,
                            DEAD_BATCH, STORE_END);
        if (rc)
            return rc;
        long long n = 0, seen = 0;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            n = r->element[0]->integer;
            seen = r->element[1]->integer;
        }
        freeReplyObject(r);
        *replayed += n;
        if (seen < atoll(DEAD_BATCH))
            return 0;
    }
}

static enum MHD_Result route_dead_letters(struct api *a, struct MHD_Connection *c,
                                          const char *method, char **seg, size_t nseg)
{
    /* seg: dead-letters [ID] [replay] */
    struct dd_error e = {0};
    long long n = 0;
    if (nseg == 1) {
        if (strcmp(method, "GET") != 0)
            return send_method_not_allowed(c, "GET");
        return dead_letters_list(a, c);
    }
    if (nseg == 2 && strcmp(seg[1], "replay") == 0) {
        if (strcmp(method, "POST") != 0)
            return send_method_not_allowed(c, "POST");
        /* everything up to the newest entry now: letters dead-lettered during the replay
         * wait for the next one instead of looping */
        char key[STORE_KEY_MAX], last[48] = "";
        redisReply *r = NULL;
        store_key(sched_store(a->s), key, "dead");
        int rc = store_cmdv(sched_store(a->s), &r, &e, "XREVRANGE", key, "+", "-", "COUNT", "1",
                            STORE_END);
        if (rc)
            return send_rc(c, rc, &e);
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
            r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2 &&
            r->element[0]->element[0]->type == REDIS_REPLY_STRING)
            snprintf(last, sizeof(last), "%s", r->element[0]->element[0]->str);
        freeReplyObject(r);
        if (last[0] && (rc = dead_replay(a, "-", last, &n, &e)) != 0)
            return send_rc(c, rc, &e);
        log_info("msg=\"dead letters replayed\" count=%lld", n);
        return send_json(c, 200, json_pack("{s:I}", "replayed", (json_int_t)n));
    }
    if (nseg == 3 && strcmp(seg[2], "replay") == 0) {
        if (strcmp(method, "POST") != 0)
            return send_method_not_allowed(c, "POST");
        if (!stream_id_valid(seg[1]))
            return send_error(c, 404, "no dead letter %.64s", seg[1]);
        int rc = dead_replay(a, seg[1], seg[1], &n, &e);
        if (rc)
            return send_rc(c, rc, &e);
        if (n == 0)
            return send_error(c, 404, "no dead letter %s", seg[1]);
        log_info("msg=\"dead letter replayed\" dead_id=%s", seg[1]);
        return send_json(c, 200, json_pack("{s:I}", "replayed", (json_int_t)n));
    }
    return send_error(c, 404, "no such resource");
}

/* --- metrics ----------------------------------------------------------------------------- */

static long long int_reply(struct store *st, struct dd_error *e, const char *cmd, const char *key)
{
    redisReply *r = NULL;
    long long v = 0;
    if (store_cmdv(st, &r, e, cmd, key, STORE_END) == 0) {
        if (r->type == REDIS_REPLY_INTEGER)
            v = r->integer;
        else if (r->type == REDIS_REPLY_STRING)
            v = strtoll(r->str, NULL, 10);
        freeReplyObject(r);
    }
    return v;
}

static enum MHD_Result metrics(struct api *a, struct MHD_Connection *c)
{
    struct store *st = sched_store(a->s);
    struct dd_error e = {0};
    char key[STORE_KEY_MAX];
    struct buf b;
    buf_init(&b, 1u << 16);
    store_key(st, key, "jobs");
    long long xlen = int_reply(st, &e, "XLEN", key);
    long long pending = 0, lag = -1;
    redisReply *r = NULL;
    if (store_cmdv(st, &r, &e, "XPENDING", key, "workers", STORE_END) == 0) {
        if (r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
            r->element[0]->type == REDIS_REPLY_INTEGER)
            pending = r->element[0]->integer;
        freeReplyObject(r);
    }
    r = NULL;
    if (store_cmdv(st, &r, &e, "XINFO", "GROUPS", key, STORE_END) == 0) {
        for (size_t g = 0; r->type == REDIS_REPLY_ARRAY && g < r->elements; g++) {
            redisReply *gr = r->element[g];
            bool workers = false;
            long long l = -1;
            for (size_t i = 0; gr->type == REDIS_REPLY_ARRAY && i + 1 < gr->elements; i += 2) {
                const char *k = gr->element[i]->str;
                redisReply *v = gr->element[i + 1];
                if (k && strcmp(k, "name") == 0 && v->str && strcmp(v->str, "workers") == 0)
                    workers = true;
                if (k && strcmp(k, "lag") == 0 && v->type == REDIS_REPLY_INTEGER)
                    l = v->integer;
            }
            if (workers)
                lag = l;
        }
        freeReplyObject(r);
    }
    if (lag < 0) /* no group yet, or lag unknown after XDELs: workers XDEL finished entries */
        lag = xlen > pending ? xlen - pending : 0;
    buf_printf(&b,
               "# HELP drydock_jobs_queue_depth Jobs not yet delivered to any worker.\n"
               "# TYPE drydock_jobs_queue_depth gauge\ndrydock_jobs_queue_depth %lld\n"
               "# HELP drydock_jobs_pending Jobs delivered to a worker and not yet acknowledged.\n"
               "# TYPE drydock_jobs_pending gauge\ndrydock_jobs_pending %lld\n"
               "# HELP drydock_jobs_stream_length Entries in the jobs stream.\n"
               "# TYPE drydock_jobs_stream_length gauge\ndrydock_jobs_stream_length %lld\n",
               lag, pending, xlen);
    static const char *const counters[] = {"jobs_done",          "jobs_failed",
                                           "jobs_retried",       "layer_cache_hits",
                                           "layer_cache_misses", "layers_fetched",
                                           "notify_sent",        "notify_failed_attempts",
                                           "notify_dead",        NULL};
    for (size_t i = 0; counters[i]; i++) {
        store_key(st, key, "metrics:%s", counters[i]);
        long long v = int_reply(st, &e, "GET", key);
        buf_printf(&b, "# TYPE drydock_%s_total counter\ndrydock_%s_total %lld\n", counters[i],
                   counters[i], v);
    }
    store_key(st, key, "rules");
    buf_printf(&b, "# TYPE drydock_rules gauge\ndrydock_rules %lld\n",
               int_reply(st, &e, "SCARD", key));
    enum MHD_Result ret =
        send_text(c, 200, "text/plain; version=0.0.4", b.data ? (const char *)b.data : "", b.len);
    buf_cleanup(&b);
    return ret;
}

/* --- dispatch ---------------------------------------------------------------------------- */

static enum MHD_Result route(struct api *a, struct MHD_Connection *c, const char *url,
                             const char *method, struct req *rq)
{
    struct dd_error e = {0};
    char path[2048];
    char *seg[MAX_SEGMENTS];
    size_t nseg = 0;
    if (strlen(url) >= sizeof(path))
        return send_error(c, 414, "URL too long");
    snprintf(path, sizeof(path), "%s", url);
    char *save = NULL;
    for (char *t = strtok_r(path, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (nseg == MAX_SEGMENTS)
            return send_error(c, 404, "no such resource");
        seg[nseg++] = t;
    }
    if (nseg == 1 && strcmp(seg[0], "healthz") == 0) {
        if (strcmp(method, "GET") != 0)
            return send_method_not_allowed(c, "GET");
        redisReply *r = NULL;
        if (store_cmdv(sched_store(a->s), &r, &e, "PING", STORE_END) != 0)
            return send_error(c, 503, "redis: %s", e.msg);
        freeReplyObject(r);
        return send_json(c, 200, json_pack("{s:s}", "status", "ok"));
    }
    bool events = nseg == 4 && strcmp(seg[0], "api") == 0 && strcmp(seg[1], "v1") == 0 &&
                  strcmp(seg[2], "registry") == 0 && strcmp(seg[3], "events") == 0;
    const char *token = events && a->cfg->events_token ? a->cfg->events_token : a->cfg->token;
    if (!authorized(c, token)) {
        log_info("msg=\"unauthorized request\" method=%s", method);
        return send_error(c, 401, "unauthorized: send Authorization: Bearer <token>");
    }
    if (rq->too_big)
        return send_error(c, 413, "request body larger than %u bytes", API_BODY_MAX_BYTES);
    if (nseg == 1 && strcmp(seg[0], "metrics") == 0) {
        if (strcmp(method, "GET") != 0)
            return send_method_not_allowed(c, "GET");
        return metrics(a, c);
    }
    if (nseg < 3 || strcmp(seg[0], "api") != 0 || strcmp(seg[1], "v1") != 0)
        return send_error(c, 404, "no such resource");
    const char *res = seg[2];
    if (strcmp(res, "rules") == 0) {
        if (nseg == 3) {
            if (strcmp(method, "GET") == 0)
                return rules_list(a, c);
            if (strcmp(method, "POST") == 0)
                return rule_save(a, c, rq, NULL, 0, NULL, 201);
            return send_method_not_allowed(c, "GET, POST");
        }
        if (nseg <= 5)
            return route_rule(a, c, rq, method, seg[3], nseg == 5 ? seg[4] : NULL);
    } else if (strcmp(res, "tasks") == 0) {
        if (strcmp(method, "GET") != 0)
            return send_method_not_allowed(c, "GET");
        if (nseg == 3)
            return tasks_list(a, c);
        if (nseg == 4) {
            if (!id_valid(seg[3], 32))
                return send_error(c, 404, "no task %s", seg[3]);
            json_t *t = NULL;
            int rc = task_json(a, seg[3], true, &t, &e);
            return rc ? send_rc(c, rc, &e) : send_json(c, 200, t);
        }
    } else if (strcmp(res, "scans") == 0 && nseg == 3) {
        if (strcmp(method, "POST") != 0)
            return send_method_not_allowed(c, "POST");
        json_t *j = body_json(rq, &e);
        if (j == NULL)
            return send_error(c, 400, "%s", e.msg);
        const char *key;
        json_t *v;
        json_object_foreach(j, key, v)
        {
            if (strcmp(key, "image") != 0 && strcmp(key, "credentials") != 0) {
                enum MHD_Result ret = send_error(c, 400, "unknown field '%.64s'", key);
                json_decref(j);
                return ret;
            }
        }
        const char *image = json_string_value(json_object_get(j, "image"));
        json_t *cr = json_object_get(j, "credentials");
        if (image == NULL || (cr && !json_is_string(cr))) {
            json_decref(j);
            return send_error(c, 400, "image: required string; credentials: optional string");
        }
        char task_id[33];
        int rc = sched_scan_image(a->s, image, json_string_value(cr), task_id, &e);
        json_decref(j);
        if (rc)
            return send_rc(c, rc == DD_EPARSE ? DD_EINVAL : rc, &e);
        return send_json(c, 202, json_pack("{s:s}", "task_id", task_id));
    } else if (strcmp(res, "repos") == 0) {
        return route_repo(a, c, method, seg + 2, nseg - 2);
    } else if (strcmp(res, "notify") == 0 && nseg >= 4 && nseg <= 6 &&
               strcmp(seg[3], "dead-letters") == 0) {
        return route_dead_letters(a, c, method, seg + 3, nseg - 3);
    } else if (events) {
        if (strcmp(method, "POST") != 0)
            return send_method_not_allowed(c, "POST");
        const char *registry = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "registry");
        json_t *result = NULL;
        int rc = sched_handle_events(a->s, rq->body.data ? (const char *)rq->body.data : "",
                                     rq->body.len, registry, &result, &e);
        if (rc)
            return send_rc(c, rc, &e);
        return send_json(c, 200, result);
    }
    return send_error(c, 404, "no such resource");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct api *a = cls;
    struct req *rq = *con_cls;
    if (rq == NULL) {
        rq = calloc(1, sizeof(*rq));
        if (rq == NULL)
            return MHD_NO;
        buf_init(&rq->body, API_BODY_MAX_BYTES);
        *con_cls = rq;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > API_BODY_MAX_BYTES)
            return send_error(c, 413, "request body larger than %u bytes", API_BODY_MAX_BYTES);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!rq->too_big && buf_append(&rq->body, upload_data, *upload_data_size) != 0)
            rq->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return route(a, c, url, method, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct req *rq = *con_cls;
    if (rq == NULL)
        return;
    buf_cleanup(&rq->body);
    free(rq);
    *con_cls = NULL;
}

int api_start(struct sched *s, struct api **out, struct dd_error *err)
{
    const struct sched_config *cfg = sched_config(s);
    if (cfg->token == NULL || cfg->token[0] == '\0')
        return dd_error_set(err, DD_EINVAL, "an API token is required (config \"token\")");
    struct api *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    a->s = s;
    a->cfg = cfg;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)cfg->listen_port);
    const char *host = cfg->listen_host ? cfg->listen_host : "127.0.0.1";
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        free(a);
        return dd_error_set(err, DD_EINVAL, "listen_host: '%s' is not an IPv4 address", host);
    }
    a->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, a, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)cfg->api_threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 256u, MHD_OPTION_END);
    if (a->d == NULL) {
        free(a);
        return dd_error_set(err, DD_EIO, "cannot listen on %s:%d", host, cfg->listen_port);
    }
    *out = a;
    return 0;
}

int api_port(const struct api *a)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(a->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? (int)i->port : -1;
}

void api_stop(struct api *a)
{
    if (a == NULL)
        return;
    MHD_stop_daemon(a->d);
    free(a);
}
