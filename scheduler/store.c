/* store.c - Redis access for the scheduler (see store.h and docs/redis.md).
 *
 * Design: one blocking hiredis connection guarded by a mutex; API threads, the expansion
 * thread and the cron thread take turns. Commands are short (no blocking reads), so the lock
 * is held for one round trip (or one pipelined batch in store_enqueue). A broken connection
 * (I/O error, EOF) is reopened once per command; the command is then retried once. The mutex
 * is recursive so store_enqueue can hold it across MULTI..EXEC.
 *
 * Enqueue order matters because a worker may finish a job before we return:
 *
 *   SET  dd:pending:<digest> <job> NX EX 3600   -- nil: a job for the digest is pending: dup
 *   MULTI
 *     HSET  dd:job:<job>   status QUEUED image digest task_id rule_id queued_at platform
 *     HSET  dd:tag:<image> job_id digest status=QUEUED task_id
 *     RPUSH dd:task:<task>:jobs <job>
 *     XADD  dd:jobs * job <Job protobuf>           -- last: the record exists before a worker
 *   EXEC                                           --        can see the job
 *
 * It deliberately does not cache anything: Redis is the only state, so any number of
 * schedulers can serve the same fleet.
 */
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drydock.pb-c.h"
#include "rules.h"

#define STORE_MAX_ARGS 32

struct store {
    char *host;
    int port;
    char prefix[64];
    pthread_mutex_t lock;
    redisContext *c; /* guarded by lock; NULL when disconnected */
};

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_locked(struct store *s, struct dd_error *err)
{
    if (s->c) {
        redisFree(s->c);
        s->c = NULL;
    }
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout(s->host, s->port, tv);
    if (c == NULL)
        return dd_error_set(err, DD_ENOMEM, "redis: out of memory");
    if (c->err) {
        dd_error_set(err, DD_ENET, "redis %s:%d: %s", s->host, s->port, c->errstr);
        redisFree(c);
        return DD_ENET;
    }
    struct timeval cmd_tv = {10, 0};
    redisSetTimeout(c, cmd_tv);
    s->c = c;
    return 0;
}

int store_new(const char *host, int port, const char *prefix, struct store **out,
              struct dd_error *err)
{
    struct store *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->host = strdup(host)) == NULL) {
        free(s);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    if (strlen(prefix) >= sizeof(s->prefix)) {
        free(s->host);
        free(s);
        return dd_error_set(err, DD_EINVAL, "redis prefix longer than 63 bytes");
    }
    snprintf(s->prefix, sizeof(s->prefix), "%s", prefix);
    s->port = port;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE); /* MULTI..EXEC holds it across */
    pthread_mutex_init(&s->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    /* a Redis that is down at start is not fatal: commands reconnect */
    struct dd_error e = {0};
    pthread_mutex_lock(&s->lock);
    (void)connect_locked(s, &e);
    pthread_mutex_unlock(&s->lock);
    *out = s;
    return 0;
}

void store_free(struct store *s)
{
    if (s == NULL)
        return;
    if (s->c)
        redisFree(s->c);
    pthread_mutex_destroy(&s->lock);
    free(s->host);
    free(s);
}

const char *store_prefix(const struct store *s)
{
    return s->prefix;
}

int store_key(const struct store *s, char *out, const char *fmt, ...)
{
    size_t pl = strlen(s->prefix);
    memcpy(out, s->prefix, pl);
    va_list ap;
    va_start(ap, fmt);
    /* va_start is just above: the analyzer's valist warning here is a false positive */
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
    int n = vsnprintf(out + pl, STORE_KEY_MAX - pl, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= STORE_KEY_MAX - pl)
        return DD_ETOOBIG;
    return 0;
}

static int check_reply(redisReply *r, struct dd_error *err)
{
    if (r->type == REDIS_REPLY_ERROR)
        return dd_error_set(err, DD_EIO, "redis: %.*s", (int)r->len, r->str);
    return 0;
}

int store_cmd(struct store *s, redisReply **reply, int argc, const char **argv, const size_t *lens,
              struct dd_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (s->c == NULL || s->c->err) {
            rc = connect_locked(s, err);
            if (rc)
                goto out;
        }
        r = redisCommandArgv(s->c, argc, argv, lens);
        if (r)
            break;
        dd_error_set(err, DD_ENET, "redis %s:%d: %s", s->host, s->port, s->c->errstr);
        if (attempt == 0)
            dd_error_clear(err);
    }
    if (r == NULL) {
        rc = err && err->code ? err->code : DD_ENET;
        goto out;
    }
    rc = check_reply(r, err);
    if (rc) {
        freeReplyObject(r);
        goto out;
    }
    *reply = r;
out:
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int store_cmdv(struct store *s, redisReply **reply, struct dd_error *err, ...)
{
    const char *argv[STORE_MAX_ARGS];
    size_t lens[STORE_MAX_ARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && argc < STORE_MAX_ARGS) {
        argv[argc] = a;
        lens[argc] = strlen(a);
        argc++;
    }
    va_end(ap);
    redisReply *r = NULL;
    int rc = store_cmd(s, &r, argc, argv, lens, err);
    if (rc == 0) {
        if (reply)
            *reply = r;
        else
            freeReplyObject(r);
    }
    return rc;
}

int store_rule_put(struct store *s, const char *id, const char *json, struct dd_error *err)
{
    char key[STORE_KEY_MAX], set[STORE_KEY_MAX];
    if (store_key(s, key, "rule:%s", id) || store_key(s, set, "rules"))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    int rc = store_cmdv(s, NULL, err, "SET", key, json, STORE_END);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "SADD", set, id, STORE_END);
    return rc;
}

int store_rule_get(struct store *s, const char *id, char **json, struct dd_error *err)
{
    char key[STORE_KEY_MAX];
    if (store_key(s, key, "rule:%s", id))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    redisReply *r = NULL;
    int rc = store_cmdv(s, &r, err, "GET", key, STORE_END);
    if (rc)
        return rc;
    if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        return dd_error_set(err, DD_ENOTFOUND, "no rule %s", id);
    }
    char *v = strndup(r->str, r->len);
    freeReplyObject(r);
    if (v == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    *json = v;
    return 0;
}

int store_rule_del(struct store *s, const char *id, struct dd_error *err)
{
    char key[STORE_KEY_MAX], set[STORE_KEY_MAX];
    if (store_key(s, key, "rule:%s", id) || store_key(s, set, "rules"))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    redisReply *r = NULL;
    int rc = store_cmdv(s, &r, err, "DEL", key, STORE_END);
    if (rc)
        return rc;
    long long n = r->integer;
    freeReplyObject(r);
    rc = store_cmdv(s, NULL, err, "SREM", set, id, STORE_END);
    if (rc == 0 && n == 0)
        rc = dd_error_set(err, DD_ENOTFOUND, "no rule %s", id);
    return rc;
}

int store_rule_ids(struct store *s, struct str_list *out, struct dd_error *err)
{
    char set[STORE_KEY_MAX];
    if (store_key(s, set, "rules"))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    redisReply *r = NULL;
    int rc = store_cmdv(s, &r, err, "SMEMBERS", set, STORE_END);
    if (rc)
        return rc;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        redisReply *e = r->element[i];
        if (e->type == REDIS_REPLY_STRING && str_list_push(out, e->str) != 0) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            break;
        }
    }
    freeReplyObject(r);
    return rc;
}

int store_task_create(struct store *s, const char *task_id, const char *kind, const char *rule_id,
                      int64_t created_ms, const char *status, struct dd_error *err)
{
    char key[STORE_KEY_MAX], zkey[STORE_KEY_MAX], rkey[STORE_KEY_MAX], ms[32];
    if (store_key(s, key, "task:%s", task_id) || store_key(s, zkey, "tasks") ||
        store_key(s, rkey, "rule:%s:tasks", rule_id ? rule_id : ""))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    snprintf(ms, sizeof(ms), "%lld", (long long)created_ms);
    int rc =
        store_cmdv(s, NULL, err, "HSET", key, "kind", kind, "rule_id", rule_id ? rule_id : "",
                   "created_at", ms, "status", status, "images", "0", "skipped", "0", STORE_END);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "ZADD", zkey, ms, task_id, STORE_END);
    if (rc == 0 && rule_id)
        rc = store_cmdv(s, NULL, err, "ZADD", rkey, ms, task_id, STORE_END);
    return rc;
}

int store_task_set(struct store *s, const char *task_id, const char *field, const char *value,
                   struct dd_error *err)
{
    char key[STORE_KEY_MAX];
    if (store_key(s, key, "task:%s", task_id))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    return store_cmdv(s, NULL, err, "HSET", key, field, value, STORE_END);
}

int store_task_skip(struct store *s, const char *task_id, const char *image, const char *reason,
                    struct dd_error *err)
{
    char key[STORE_KEY_MAX], lkey[STORE_KEY_MAX];
    if (store_key(s, key, "task:%s", task_id) || store_key(s, lkey, "task:%s:skipped", task_id))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    size_t n = strlen(image) + strlen(reason) + 2;
    char *line = malloc(n);
    if (line == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    snprintf(line, n, "%s\t%s", image, reason);
    int rc = store_cmdv(s, NULL, err, "RPUSH", lkey, line, STORE_END);
    free(line);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "HINCRBY", key, "skipped", "1", STORE_END);
    return rc;
}

int store_enqueue(struct store *s, const struct job_spec *j, char *job_id_out, struct dd_error *err)
{
    char job_id[33], image[STORE_KEY_MAX], pkey[STORE_KEY_MAX], jkey[STORE_KEY_MAX],
        tkey[STORE_KEY_MAX], lkey[STORE_KEY_MAX], skey[STORE_KEY_MAX], tkkey[STORE_KEY_MAX], ms[32],
        ttl[16];
    uint8_t *packed = NULL;
    redisReply *r = NULL;
    int rc = random_hex(job_id, 16);
    if (rc)
        return dd_error_set(err, rc, "no randomness for a job id");
    int n = j->tag ? snprintf(image, sizeof(image), "%s/%s:%s", j->registry, j->repo, j->tag)
                   : snprintf(image, sizeof(image), "%s/%s@%s", j->registry, j->repo, j->digest);
    if (n < 0 || (size_t)n >= sizeof(image) || store_key(s, pkey, "pending:%s", j->digest) ||
        store_key(s, jkey, "job:%s", job_id) || store_key(s, tkey, "tag:%s", image) ||
        store_key(s, lkey, "task:%s:jobs", j->task_id) || store_key(s, skey, "jobs") ||
        store_key(s, tkkey, "task:%s", j->task_id))
        return dd_error_set(err, DD_ETOOBIG, "image name too long");
    snprintf(ttl, sizeof(ttl), "%d", STORE_PENDING_TTL_S);
    rc = store_cmdv(s, &r, err, "SET", pkey, job_id, "NX", "EX", ttl, STORE_END);
    if (rc)
        return rc;
    bool dup = r->type == REDIS_REPLY_NIL;
    freeReplyObject(r);
    r = NULL;
    if (dup) {
        rc = store_cmdv(s, &r, err, "GET", pkey, STORE_END);
        if (rc == 0 && r->type == REDIS_REPLY_STRING && r->len < 33)
            snprintf(job_id_out, 33, "%s", r->str);
        else
            job_id_out[0] = '\0';
        freeReplyObject(r);
        return 0;
    }
    int64_t t = now_ms();
    snprintf(ms, sizeof(ms), "%lld", (long long)t);
    const char *platform = j->platform ? j->platform : "linux/amd64";
    Drydock__Job job = DRYDOCK__JOB__INIT;
    job.job_id = job_id;
    job.task_id = (char *)j->task_id;
    job.image = image;
    job.digest = (char *)j->digest;
    job.platform = (char *)platform;
    job.attempt = 1;
    job.enqueued_at_ms = t;
    job.rule_id = (char *)(j->rule_id ? j->rule_id : "");
    size_t plen = drydock__job__get_packed_size(&job);
    packed = malloc(plen ? plen : 1);
    if (packed == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto undo;
    }
    drydock__job__pack(&job, packed);
    pthread_mutex_lock(&s->lock); /* recursive: no other thread's command inside MULTI */
    if ((rc = store_cmdv(s, NULL, err, "MULTI", STORE_END)) != 0) {
        pthread_mutex_unlock(&s->lock);
        goto undo;
    }
    rc = store_cmdv(s, NULL, err, "HSET", jkey, "status", "QUEUED", "image", image, "digest",
                    j->digest, "platform", platform, "task_id", j->task_id, "rule_id",
                    j->rule_id ? j->rule_id : "", "queued_at", ms, STORE_END);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "HSET", tkey, "job_id", job_id, "digest", j->digest, "status",
                        "QUEUED", "task_id", j->task_id, STORE_END);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "RPUSH", lkey, job_id, STORE_END);
    if (rc == 0)
        rc = store_cmdv(s, NULL, err, "HINCRBY", tkkey, "images", "1", STORE_END);
    if (rc == 0) {
        const char *argv[] = {"XADD", skey, "*", "job", (const char *)packed};
        size_t lens[] = {4, strlen(skey), 1, 3, plen};
        rc = store_cmd(s, &r, 5, argv, lens, err);
        freeReplyObject(r);
        r = NULL;
    }
    if (rc) {
        (void)store_cmdv(s, NULL, NULL, "DISCARD", STORE_END);
        pthread_mutex_unlock(&s->lock);
        goto undo;
    }
    rc = store_cmdv(s, &r, err, "EXEC", STORE_END);
    pthread_mutex_unlock(&s->lock);
    if (rc == 0 && (r->type != REDIS_REPLY_ARRAY || r->elements != 5))
        rc = dd_error_set(err, DD_EIO, "redis: enqueue transaction aborted");
    for (size_t i = 0; rc == 0 && i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_ERROR)
            rc = dd_error_set(err, DD_EIO, "redis: %s", r->element[i]->str);
    freeReplyObject(r);
    if (rc)
        goto undo;
    free(packed);
    memcpy(job_id_out, job_id, 33);
    return 1;
undo:
    /* release the dedup claim so a retry can queue the digest */
    (void)store_cmdv(s, NULL, NULL, "DEL", pkey, STORE_END);
    free(packed);
    return rc;
}

int store_hgetall_json(struct store *s, const char *key, json_t **out, struct dd_error *err)
{
    redisReply *r = NULL;
    int rc = store_cmdv(s, &r, err, "HGETALL", key, STORE_END);
    if (rc)
        return rc;
    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        freeReplyObject(r);
        return dd_error_set(err, DD_ENOTFOUND, "not found");
    }
    json_t *o = json_object();
    for (size_t i = 0; o && i + 1 < r->elements; i += 2) {
        redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        json_t *sv = json_stringn_nocheck(v->str, v->len);
        if (sv == NULL || !json_is_string(sv))
            continue;
        char *kz = strndup(k->str, k->len);
        if (kz)
            json_object_set_new(o, kz, sv);
        else
            json_decref(sv);
        free(kz);
    }
    freeReplyObject(r);
    if (o == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    *out = o;
    return 0;
}

int store_dump_jobs(struct store *s, FILE *out, struct dd_error *err)
{
    char skey[STORE_KEY_MAX];
    if (store_key(s, skey, "jobs"))
        return dd_error_set(err, DD_ETOOBIG, "key too long");
    redisReply *r = NULL;
    int rc = store_cmdv(s, &r, err, "XRANGE", skey, "-", "+", STORE_END);
    if (rc)
        return rc;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
            continue;
        redisReply *fields = e->element[1];
        for (size_t f = 0; f + 1 < fields->elements; f += 2) {
            redisReply *k = fields->element[f], *v = fields->element[f + 1];
            if (k->type != REDIS_REPLY_STRING || strcmp(k->str, "job") != 0)
                continue;
            Drydock__Job *job = drydock__job__unpack(NULL, v->len, (const uint8_t *)v->str);
            if (job == NULL) {
                fprintf(out, "{\"stream_id\":\"%s\",\"error\":\"undecodable Job\"}\n",
                        e->element[0]->str);
                continue;
            }
            json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "stream_id", e->element[0]->str,
                "job_id", job->job_id, "task_id", job->task_id, "image", job->image, "digest",
                job->digest, "platform", job->platform, "attempt", (int)job->attempt,
                "enqueued_at_ms", (json_int_t)job->enqueued_at_ms, "rule_id", job->rule_id);
            char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
            if (txt)
                fprintf(out, "%s\n", txt);
            free(txt);
            json_decref(o);
            drydock__job__free_unpacked(job, NULL);
        }
    }
    freeReplyObject(r);
    return 0;
}
