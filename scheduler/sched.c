/* sched.c - scheduler core (see sched.h for the threads and the flow).
 *
 * Design: HTTP threads only touch Redis; anything that talks to a registry (rule expansion,
 * resolving a tag to a digest for POST /scans) is a request on a bounded queue served by one
 * runner thread. A full queue is an error the API turns into 503 rather than unbounded
 * memory. Push events are handled inline: their digest is in the event, so they need Redis
 * only.
 *
 * Task status: EXPANDING while the runner works on it, FAILED with "error" when expansion
 * failed as a whole (catalog unreachable, Redis gone), RUNNING once its jobs are queued (the
 * API derives DONE from the job records), DONE immediately when nothing was queued.
 *
 * It deliberately does not keep rules in memory: they are read from Redis when needed, so
 * several schedulers can share one Redis and edits take effect at once.
 */
#include "sched.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "events.h"
#include "expand.h"
#include "image_ref.h"
#include "log.h"

#define CONFIG_MAX_BYTES (1u << 20)

enum run_kind { RUN_RULE, RUN_SCAN };

struct run_req {
    enum run_kind kind;
    char task_id[33];
    char rule_id[RULE_ID_HEX_LEN + 1];
    char *image;       /* RUN_SCAN */
    char *credentials; /* RUN_SCAN, may be NULL */
    struct run_req *next;
};

struct sched {
    const struct sched_config *cfg;
    struct store *store;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct run_req *head, *tail; /* guarded by lock */
    size_t queued;               /* guarded by lock */
    bool stopping;               /* guarded by lock */
    bool started;
    pthread_t runner, cron;
};

/* --- config ------------------------------------------------------------------------------ */

void sched_config_init(struct sched_config *c)
{
    memset(c, 0, sizeof(*c));
    c->listen_port = 8080;
    c->redis_port = 6379;
    c->api_threads = 4;
    c->cron = true;
    c->catalog_page_size = CATALOG_PAGE_SIZE;
}

void sched_config_cleanup(struct sched_config *c)
{
    free(c->listen_host);
    free(c->token);
    free(c->events_token);
    free(c->redis_host);
    free(c->prefix);
    free(c->default_registry);
    for (size_t i = 0; i < c->n_creds; i++) {
        free(c->creds[i].name);
        free(c->creds[i].username);
        if (c->creds[i].password)
            memset(c->creds[i].password, 0, strlen(c->creds[i].password));
        free(c->creds[i].password);
    }
    free(c->creds);
    memset(c, 0, sizeof(*c));
}

const struct sched_credentials *sched_config_creds(const struct sched_config *c, const char *name)
{
    for (size_t i = 0; name && i < c->n_creds; i++)
        if (strcmp(c->creds[i].name, name) == 0)
            return &c->creds[i];
    return NULL;
}

static int cfg_str(json_t *o, const char *key, char **dst, struct dd_error *err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return dd_error_set(err, DD_EINVAL, "config: %s must be a string", key);
    char *d = strdup(json_string_value(v));
    if (d == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    free(*dst);
    *dst = d;
    return 0;
}

static int cfg_int(json_t *o, const char *key, int lo, int hi, int *dst, struct dd_error *err)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return dd_error_set(err, DD_EINVAL, "config: %s must be an integer %d..%d", key, lo, hi);
    *dst = (int)json_integer_value(v);
    return 0;
}

/* "password": literal, "password_env": variable name, "password_file": first line of file */
static int cfg_password(json_t *c, const char *name, char **out, struct dd_error *err)
{
    const char *lit = json_string_value(json_object_get(c, "password"));
    const char *env = json_string_value(json_object_get(c, "password_env"));
    const char *file = json_string_value(json_object_get(c, "password_file"));
    char line[4096] = "";
    if (lit) {
        snprintf(line, sizeof(line), "%s", lit);
    } else if (env) {
        const char *v = getenv(env);
        if (v == NULL)
            return dd_error_set(err, DD_EINVAL, "config: credentials %s: $%s is not set", name,
                                env);
        snprintf(line, sizeof(line), "%s", v);
    } else if (file) {
        FILE *f = fopen(file, "r");
        if (f == NULL)
            return dd_error_set(err, -errno, "config: credentials %s: cannot read %s", name, file);
        if (fgets(line, sizeof(line), f) == NULL)
            line[0] = '\0';
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
    }
    *out = strdup(line);
    memset(line, 0, sizeof(line));
    return *out ? 0 : dd_error_set(err, DD_ENOMEM, "out of memory");
}

int sched_config_load(const char *path, struct sched_config *c, struct dd_error *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc = 0;
    if (root == NULL)
        return dd_error_set(err, DD_EINVAL, "config %s: line %d: %s", path, je.line, je.text);
    if (!json_is_object(root)) {
        rc = dd_error_set(err, DD_EINVAL, "config %s: not a JSON object", path);
        goto out;
    }
    json_t *redis = json_object_get(root, "redis");
    if ((rc = cfg_str(root, "listen_host", &c->listen_host, err)) ||
        (rc = cfg_int(root, "listen_port", 0, 65535, &c->listen_port, err)) ||
        (rc = cfg_str(root, "token", &c->token, err)) ||
        (rc = cfg_str(root, "events_token", &c->events_token, err)) ||
        (rc = cfg_str(root, "default_registry", &c->default_registry, err)) ||
        (rc = cfg_int(root, "api_threads", 1, 64, &c->api_threads, err)) ||
        (rc = cfg_int(root, "catalog_page_size", 1, 1000, &c->catalog_page_size, err)))
        goto out;
    if (json_is_boolean(json_object_get(root, "cron")))
        c->cron = json_is_true(json_object_get(root, "cron"));
    if (redis && ((rc = cfg_str(redis, "host", &c->redis_host, err)) ||
                  (rc = cfg_int(redis, "port", 1, 65535, &c->redis_port, err)) ||
                  (rc = cfg_str(redis, "prefix", &c->prefix, err))))
        goto out;
    json_t *creds = json_object_get(root, "credentials");
    if (creds && !json_is_object(creds)) {
        rc = dd_error_set(err, DD_EINVAL, "config: credentials must be an object of names");
        goto out;
    }
    const char *name;
    json_t *cv;
    json_object_foreach(creds, name, cv)
    {
        struct sched_credentials *nv = realloc(c->creds, (c->n_creds + 1) * sizeof(*nv));
        if (nv == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        c->creds = nv;
        struct sched_credentials *e = &c->creds[c->n_creds];
        memset(e, 0, sizeof(*e));
        const char *user = json_string_value(json_object_get(cv, "username"));
        if (user == NULL) {
            rc = dd_error_set(err, DD_EINVAL, "config: credentials %s: no username", name);
            goto out;
        }
        e->name = strdup(name);
        e->username = strdup(user);
        c->n_creds++;
        if (e->name == NULL || e->username == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        if ((rc = cfg_password(cv, name, &e->password, err)) != 0)
            goto out;
    }
out:
    json_decref(root);
    return rc;
}

/* --- lifecycle --------------------------------------------------------------------------- */

int sched_new(const struct sched_config *cfg, struct sched **out, struct dd_error *err)
{
    struct sched *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    s->cfg = cfg;
    int rc = store_new(cfg->redis_host ? cfg->redis_host : "127.0.0.1", cfg->redis_port,
                       cfg->prefix ? cfg->prefix : "dd:", &s->store, err);
    if (rc) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    *out = s;
    return 0;
}

struct store *sched_store(struct sched *s)
{
    return s->store;
}

const struct sched_config *sched_config(const struct sched *s)
{
    return s->cfg;
}

static void run_req_free(struct run_req *r)
{
    if (r == NULL)
        return;
    free(r->image);
    free(r->credentials);
    free(r);
}

void sched_free(struct sched *s)
{
    if (s == NULL)
        return;
    sched_stop(s);
    while (s->head) {
        struct run_req *n = s->head->next;
        run_req_free(s->head);
        s->head = n;
    }
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    store_free(s->store);
    free(s);
}

/* --- rules ------------------------------------------------------------------------------- */

void sched_rules_free(struct scan_rule **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        scan_rule_free(v[i]);
    free(v);
}

int sched_rules_load(struct sched *s, struct scan_rule ***out, size_t *n, struct dd_error *err)
{
    struct str_list ids;
    str_list_init(&ids);
    int rc = store_rule_ids(s->store, &ids, err);
    struct scan_rule **v = NULL;
    size_t count = 0;
    if (rc)
        goto out;
    v = calloc(ids.n + 1, sizeof(struct scan_rule *));
    if (v == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ids.n; i++) {
        char *json = NULL;
        struct dd_error e = {0};
        if (store_rule_get(s->store, ids.v[i], &json, &e) != 0)
            continue;
        if (scan_rule_parse(json, strlen(json), true, &v[count], &e) == 0)
            count++;
        else
            log_warn("rule=%s msg=\"stored rule does not load: %s\"", ids.v[i], e.msg);
        free(json);
    }
    *out = v;
    *n = count;
    v = NULL;
    count = 0;
out:
    sched_rules_free(v, count);
    str_list_cleanup(&ids);
    return rc;
}

/* --- run queue --------------------------------------------------------------------------- */

static int queue_push(struct sched *s, struct run_req *r, struct dd_error *err)
{
    pthread_mutex_lock(&s->lock);
    if (s->queued >= SCHED_RUN_QUEUE_MAX) {
        pthread_mutex_unlock(&s->lock);
        return dd_error_set(err, DD_ELIMIT, "run queue full (%d waiting); retry later",
                            SCHED_RUN_QUEUE_MAX);
    }
    if (s->tail)
        s->tail->next = r;
    else
        s->head = r;
    s->tail = r;
    s->queued++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static int new_task(struct sched *s, const char *kind, const char *rule_id, char *task_id,
                    struct dd_error *err)
{
    int rc = random_hex(task_id, 16);
    if (rc)
        return dd_error_set(err, rc, "no randomness for a task id");
    return store_task_create(s->store, task_id, kind, rule_id, now_ms(), "EXPANDING", err);
}

int sched_rule_run(struct sched *s, const char *rule_id, char *task_id, struct dd_error *err)
{
    char *json = NULL;
    int rc = store_rule_get(s->store, rule_id, &json, err);
    free(json);
    if (rc)
        return rc;
    struct run_req *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    r->kind = RUN_RULE;
    snprintf(r->rule_id, sizeof(r->rule_id), "%s", rule_id);
    rc = new_task(s, "rule", rule_id, r->task_id, err);
    if (rc == 0)
        rc = queue_push(s, r, err);
    if (rc) {
        if (r->task_id[0]) {
            (void)store_task_set(s->store, r->task_id, "status", "FAILED", NULL);
            (void)store_task_set(s->store, r->task_id, "error", err ? err->msg : "", NULL);
        }
        run_req_free(r);
        return rc;
    }
    memcpy(task_id, r->task_id, 33);
    return 0;
}

int sched_scan_image(struct sched *s, const char *image, const char *credentials, char *task_id,
                     struct dd_error *err)
{
    struct image_ref ref = {0};
    int rc = image_ref_parse(image, &ref, err);
    if (rc)
        return rc;
    image_ref_cleanup(&ref);
    if (credentials && sched_config_creds(s->cfg, credentials) == NULL)
        return dd_error_set(err, DD_EINVAL, "credentials: no entry named '%.64s' in the config",
                            credentials);
    struct run_req *r = calloc(1, sizeof(*r));
    if (r == NULL || (r->image = strdup(image)) == NULL ||
        (credentials && (r->credentials = strdup(credentials)) == NULL)) {
        run_req_free(r);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    r->kind = RUN_SCAN;
    rc = new_task(s, "scan", NULL, r->task_id, err);
    if (rc == 0)
        rc = queue_push(s, r, err);
    if (rc) {
        run_req_free(r);
        return rc;
    }
    memcpy(task_id, r->task_id, 33);
    return 0;
}

/* --- runner ------------------------------------------------------------------------------ */

struct sink_ctx {
    struct sched *s;
    const char *task_id;
    const char *rule_id;
    const char *registry;
};

static int on_sink_enqueue(void *ctx, const char *repo, const char *tag, const char *digest,
                           struct dd_error *err)
{
    struct sink_ctx *c = ctx;
    struct job_spec j = {.task_id = c->task_id,
                         .rule_id = c->rule_id,
                         .registry = c->registry,
                         .repo = repo,
                         .tag = tag,
                         .digest = digest};
    char job_id[33];
    return store_enqueue(c->s->store, &j, job_id, err);
}

static int on_sink_skip(void *ctx, const char *repo, const char *tag, const char *reason)
{
    struct sink_ctx *c = ctx;
    char image[STORE_KEY_MAX];
    snprintf(image, sizeof(image), "%s/%s%s%s", c->registry, repo, tag ? ":" : "", tag ? tag : "");
    return store_task_skip(c->s->store, c->task_id, image, reason, NULL);
}

static void finish_task(struct sched *s, const char *task_id, int rc, const struct dd_error *e,
                        size_t queued)
{
    if (rc) {
        (void)store_task_set(s->store, task_id, "error", e->msg, NULL);
        (void)store_task_set(s->store, task_id, "status", "FAILED", NULL);
        log_warn("task=%s msg=\"expansion failed: %s\"", task_id, e->msg);
    } else {
        (void)store_task_set(s->store, task_id, "status", queued ? "RUNNING" : "DONE", NULL);
    }
    char ms[32];
    snprintf(ms, sizeof(ms), "%lld", (long long)now_ms());
    (void)store_task_set(s->store, task_id, "expanded_at", ms, NULL);
}

static int lister_for(struct sched *s, const char *host, bool insecure, const char *cred_name,
                      struct registry_lister **out, struct dd_error *err)
{
    const struct sched_credentials *cr = sched_config_creds(s->cfg, cred_name);
    if (cred_name && cr == NULL)
        return dd_error_set(err, DD_EINVAL, "credentials '%.64s' are not in the config", cred_name);
    return registry_lister_new(host, insecure, cr ? cr->username : NULL, cr ? cr->password : NULL,
                               out, err);
}

static void run_rule(struct sched *s, struct run_req *r)
{
    struct dd_error e = {0};
    struct scan_rule *rule = NULL;
    struct registry_lister *l = NULL;
    struct expand_stats st = {0};
    char *json = NULL;
    int rc = store_rule_get(s->store, r->rule_id, &json, &e);
    if (rc == 0)
        rc = scan_rule_parse(json, strlen(json), true, &rule, &e);
    if (rc == 0)
        rc = lister_for(s, rule->registry_host, rule->registry_insecure, rule->credentials, &l, &e);
    if (rc == 0) {
        struct expand_source src;
        registry_lister_source(l, &src);
        struct sink_ctx c = {s, r->task_id, rule->id, rule->registry_host};
        struct expand_sink sink = {&c, on_sink_enqueue, on_sink_skip};
        rc = expand_rule(rule, &src, &sink, &st, &e);
    }
    log_info("task=%s rule=%s repos=%zu tags=%zu queued=%zu skipped=%zu rc=%d", r->task_id,
             r->rule_id, st.repos, st.tags, st.queued, st.skipped, rc);
    finish_task(s, r->task_id, rc, &e, st.queued);
    registry_lister_free(l);
    scan_rule_free(rule);
    free(json);
}

static void run_scan(struct sched *s, struct run_req *r)
{
    struct dd_error e = {0};
    struct image_ref ref = {0};
    struct registry_lister *l = NULL;
    char *digest = NULL;
    int queued = 0;
    int rc = image_ref_parse(r->image, &ref, &e);
    if (rc)
        goto out;
    if (ref.digest) {
        digest = strdup(ref.digest);
        if (digest == NULL) {
            rc = dd_error_set(&e, DD_ENOMEM, "out of memory");
            goto out;
        }
    } else {
        rc = lister_for(s, ref.registry, false, r->credentials, &l, &e);
        if (rc)
            goto out;
        struct expand_source src;
        registry_lister_source(l, &src);
        rc = src.digest(l, ref.repository, ref.tag, &digest, &e);
        if (rc == DD_ENOTFOUND) {
            char image[STORE_KEY_MAX];
            snprintf(image, sizeof(image), "%s/%s:%s", ref.registry, ref.repository, ref.tag);
            rc = store_task_skip(s->store, r->task_id, image, "manifest unknown", &e);
            goto out;
        }
        if (rc)
            goto out;
    }
    struct job_spec j = {.task_id = r->task_id,
                         .registry = ref.registry,
                         .repo = ref.repository,
                         .tag = ref.tag,
                         .digest = digest};
    char job_id[33];
    queued = store_enqueue(s->store, &j, job_id, &e);
    if (queued == 0) {
        char image[STORE_KEY_MAX];
        snprintf(image, sizeof(image), "%s/%s:%s", ref.registry, ref.repository,
                 ref.tag ? ref.tag : "");
        rc = store_task_skip(s->store, r->task_id, image, "already queued", &e);
    } else if (queued < 0) {
        rc = queued;
        queued = 0;
    }
out:
    finish_task(s, r->task_id, rc, &e, (size_t)queued);
    free(digest);
    registry_lister_free(l);
    image_ref_cleanup(&ref);
}

static void *runner_main(void *arg)
{
    struct sched *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->head == NULL && !s->stopping)
            pthread_cond_wait(&s->cond, &s->lock);
        if (s->stopping) {
            pthread_mutex_unlock(&s->lock);
            return NULL;
        }
        struct run_req *r = s->head;
        s->head = r->next;
        if (s->head == NULL)
            s->tail = NULL;
        s->queued--;
        pthread_mutex_unlock(&s->lock);
        if (r->kind == RUN_RULE)
            run_rule(s, r);
        else
            run_scan(s, r);
        run_req_free(r);
    }
}

/* --- push events ------------------------------------------------------------------------- */

int sched_handle_events(struct sched *s, const char *body, size_t len, const char *registry,
                        json_t **result, struct dd_error *err)
{
    struct push_events evs = {0};
    struct scan_rule **rules = NULL;
    size_t nrules = 0, queued = 0, dups = 0, unmatched = 0;
    int rc = registry_events_parse(body, len, &evs, err);
    if (rc)
        return rc;
    if (evs.n > 0 && (rc = sched_rules_load(s, &rules, &nrules, err)) != 0)
        goto out;
    for (size_t i = 0; i < evs.n; i++) {
        const struct push_event *ev = &evs.v[i];
        bool matched = false;
        for (size_t k = 0; k < nrules; k++) {
            const struct scan_rule *r = rules[k];
            if (!r->enabled || !r->on_push || !scan_rule_in_scope(r, ev->repository))
                continue;
            if (registry && strcmp(registry, r->registry_host) != 0)
                continue;
            if (scan_rule_match_tag(r, ev->tag) != 1)
                continue;
            matched = true;
            char task_id[33], job_id[33];
            rc = random_hex(task_id, 16);
            if (rc == 0)
                rc = store_task_create(s->store, task_id, "push", r->id, now_ms(), "RUNNING", err);
            if (rc)
                goto out;
            struct job_spec j = {.task_id = task_id,
                                 .rule_id = r->id,
                                 .registry = r->registry_host,
                                 .repo = ev->repository,
                                 .tag = ev->tag,
                                 .digest = ev->digest};
            int q = store_enqueue(s->store, &j, job_id, err);
            if (q < 0) {
                rc = q;
                goto out;
            }
            char image[STORE_KEY_MAX];
            snprintf(image, sizeof(image), "%s/%s:%s", r->registry_host, ev->repository, ev->tag);
            if (q == 1) {
                queued++;
                log_info("event=push rule=%s task=%s job=%s image=%s", r->id, task_id, job_id,
                         image);
            } else {
                dups++;
                (void)store_task_skip(s->store, task_id, image, "already queued", NULL);
                (void)store_task_set(s->store, task_id, "status", "DONE", NULL);
            }
        }
        if (!matched)
            unmatched++;
    }
    *result = json_pack("{s:I, s:I, s:I, s:I}", "queued", (json_int_t)queued, "duplicates",
                        (json_int_t)dups, "unmatched", (json_int_t)unmatched, "ignored",
                        (json_int_t)evs.ignored);
    if (*result == NULL)
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
out:
    sched_rules_free(rules, nrules);
    push_events_cleanup(&evs);
    return rc;
}

/* --- cron -------------------------------------------------------------------------------- */

int sched_cron_tick(struct sched *s, time_t t, struct dd_error *err)
{
    struct scan_rule **rules = NULL;
    size_t n = 0;
    int rc = sched_rules_load(s, &rules, &n, err);
    if (rc)
        return rc;
    struct tm tm;
    gmtime_r(&t, &tm); /* schedules are in UTC */
    long minute = (long)(t / 60);
    for (size_t i = 0; i < n; i++) {
        struct scan_rule *r = rules[i];
        if (!r->enabled || r->cron == NULL || !cron_match(&r->cron_expr, &tm))
            continue;
        char key[STORE_KEY_MAX], mstr[32];
        snprintf(mstr, sizeof(mstr), "%ld", minute);
        if (store_key(s->store, key, "cron:%s:%ld", r->id, minute))
            continue;
        redisReply *rep = NULL;
        struct dd_error e = {0};
        if (store_cmdv(s->store, &rep, &e, "SET", key, mstr, "NX", "EX", "600", STORE_END) != 0)
            continue;
        bool mine = rep->type != REDIS_REPLY_NIL;
        freeReplyObject(rep);
        if (!mine)
            continue; /* another scheduler took this tick */
        char task_id[33];
        if (sched_rule_run(s, r->id, task_id, &e) == 0)
            log_info("event=cron rule=%s task=%s", r->id, task_id);
        else
            log_warn("event=cron rule=%s msg=\"%s\"", r->id, e.msg);
    }
    sched_rules_free(rules, n);
    return 0;
}

static void *cron_main(void *arg)
{
    struct sched *s = arg;
    time_t last = time(NULL) / 60;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        time_t now = time(NULL);
        struct timespec until = {(now / 60 + 1) * 60, 0};
        int w = pthread_cond_timedwait(&s->cond, &s->lock, &until);
        if (s->stopping)
            break;
        now = time(NULL);
        if (w != ETIMEDOUT && now / 60 == last)
            continue;
        if (now / 60 == last)
            continue;
        last = now / 60;
        pthread_mutex_unlock(&s->lock);
        struct dd_error e = {0};
        if (sched_cron_tick(s, now, &e) != 0)
            log_warn("event=cron msg=\"%s\"", e.msg);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int sched_start(struct sched *s, struct dd_error *err)
{
    if (pthread_create(&s->runner, NULL, runner_main, s) != 0)
        return dd_error_set(err, DD_ENOMEM, "cannot start the runner thread");
    if (s->cfg->cron && pthread_create(&s->cron, NULL, cron_main, s) != 0) {
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->runner, NULL);
        return dd_error_set(err, DD_ENOMEM, "cannot start the cron thread");
    }
    s->started = true;
    return 0;
}

void sched_stop(struct sched *s)
{
    if (!s->started)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->runner, NULL);
    if (s->cfg->cron)
        pthread_join(s->cron, NULL);
    s->started = false;
}
