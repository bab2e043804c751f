/* worker.c - the drydock-worker daemon core: Redis intake, job lifecycle, reclaim, metrics.
 *
 * One libuv loop runs everything: two Redis connections (intake: the blocking XREADGROUP;
 * cmd: everything else), the scan pipeline (worker/scan.h), the timers and the tiny HTTP
 * endpoint. Matching and report rendering run in the thread pool.
 *
 *   XREADGROUP ─▶ decode Job ─▶ BEGIN (Lua: final? attempt += 1, status) ─▶ image_scan
 *        ▲                                                                      │
 *        │        XAUTOCLAIM (idle > reclaim_idle_ms) ─▶ same path              ▼
 *        │                                           match + report (thread pool)
 *        │                                                                      │
 *        └── slot free ◀── XACK ◀── FINAL (Lua: HSETNX final; record, tag, pending,
 *                                          event, metrics) ◀── SET dd:report:<id> ◀┘
 *
 * Retry model (docs/worker.md): a delivery that fails is left pending (never XACKed) and its
 * heartbeat stops; any worker's XAUTOCLAIM redelivers it once it has been idle for
 * reclaim_idle_ms, exactly as for a worker killed with kill -9. There is one redelivery path.
 * `attempt` in dd:job:<id> is incremented by the BEGIN script at every delivery; a delivery
 * beyond max_attempts writes FAILED with the last reason and XACKs. Running jobs stay owned
 * through a heartbeat (XCLAIM ... JUSTID resets the idle time without counting a delivery).
 *
 * Invariants: a job is XACKed only after its final record is written or found written; the
 * final record is written at most once per job (HSETNX final in the same script); a job whose
 * worker dies stays pending and is reclaimed; a job's advisory DB does not change mid-job
 * (db_ref counts holders; a new file is opened between jobs).
 *
 * Not here: scheduling, dedup decisions (the scheduler's), notification delivery.
 */
#define _GNU_SOURCE /* asprintf */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "advdb.h"
#include "findings.h"
#include "kv_conf.h"
#include "layer_cache.h"
#include "probe_http.h"
#include "match.h"
#include "queue.h"
#include "redis_uv.h"
#include "report.h"
#include "report_vuln.h"
#include "scan.h"

#define GROUP           "workers"
#define MAX_ERROR_CHARS 480
#define N_BUCKETS       11

static const double BUCKETS_S[N_BUCKETS] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

/* BEGIN: one delivery starts. KEYS: job, tag (or ""). ARGV: worker, started_at, image, digest,
 * task_id, rule_id, platform, job_id. Returns {-1, ""} when the job already has its final
 * record, else {attempt, last error}. */
static const char BEGIN_LUA[] =
    "if redis.call('HEXISTS', KEYS[1], 'final') == 1 then return {-1, ''} end\n"
    "local a = redis.call('HINCRBY', KEYS[1], 'attempt', 1)\n"
    "local st = 'SCANNING'\n"
    "if a > 1 then st = 'RETRYING' end\n"
    "local e = redis.call('HGET', KEYS[1], 'error') or ''\n"
    "redis.call('HSET', KEYS[1], 'status', st, 'worker', ARGV[1], 'started_at', ARGV[2],\n"
    "  'image', ARGV[3], 'task_id', ARGV[5], 'rule_id', ARGV[6], 'platform', ARGV[7])\n"
    "if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'digest', ARGV[4]) end\n"
    "if KEYS[2] ~= '' then\n"
    "  local cur = redis.call('HGET', KEYS[2], 'job_id')\n"
    "  if cur == ARGV[8] then redis.call('HSET', KEYS[2], 'status', st) end\n"
    "end\n"
    "return {a, e}\n";

/* FINAL: the job's final record, once. KEYS: job, tag (or ""), pending (or ""), events,
 * metric counter. ARGV: worker, status, critical, high, medium, low, unknown, packages, error,
 * finished_at, db_built_at, digest, job_id, event payload, note. Returns 1 when written, 0
 * when another delivery already wrote it. */
static const char FINAL_LUA[] =
    "if redis.call('HSETNX', KEYS[1], 'final', ARGV[1]) == 0 then return 0 end\n"
    "redis.call('HSET', KEYS[1], 'status', ARGV[2], 'critical', ARGV[3], 'high', ARGV[4],\n"
    "  'medium', ARGV[5], 'low', ARGV[6], 'unknown', ARGV[7], 'packages', ARGV[8],\n"
    "  'error', ARGV[9], 'finished_at', ARGV[10], 'db_built_at', ARGV[11], 'note', ARGV[15])\n"
    "if ARGV[12] ~= '' then redis.call('HSET', KEYS[1], 'digest', ARGV[12]) end\n"
    "if KEYS[2] ~= '' then\n"
    "  local cur = redis.call('HGET', KEYS[2], 'job_id')\n"
    "  if cur == false or cur == ARGV[13] then\n"
    "    redis.call('HSET', KEYS[2], 'job_id', ARGV[13], 'digest', ARGV[12], 'status', ARGV[2],\n"
    "      'scanned_at', ARGV[10])\n"
    "  end\n"
    "end\n"
    "if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) == ARGV[13] then\n"
    "  redis.call('DEL', KEYS[3])\n"
    "end\n"
    "redis.call('XADD', KEYS[4], 'MAXLEN', '~', '100000', '*', 'event', ARGV[14])\n"
    "redis.call('INCRBY', KEYS[5], 1)\n"
    "return 1\n";

/* --- configuration --------------------------------------------------------------------- */

void worker_config_default(struct worker_config *c)
{
    memset(c, 0, sizeof(*c));
    c->redis_host = strdup("127.0.0.1");
    c->redis_port = 6379;
    c->concurrency = 2;
    c->walk_threads = 2;
    c->prefix = strdup("dd:");
    c->log_level = LOG_INFO;
    c->max_attempts = 3;
    c->reclaim_idle_ms = 30000;
    c->reclaim_interval_ms = 5000;
    c->block_ms = 2000;
    c->command_timeout_ms = 10000;
    c->shutdown_timeout_ms = 30000;
    c->report_ttl_s = 30ull * 86400;
    c->layer_cache = true;
    c->layer_cache_ttl_s = 7ull * 86400;
    c->layer_cache_max_bytes = 4ull << 20;
    c->layer_claim_ttl_ms = LAYER_CLAIM_TTL_MS;
    c->layer_claim_wait_ms = LAYER_CLAIM_WAIT_MS;
}

void worker_config_cleanup(struct worker_config *c)
{
    free(c->redis_host);
    free(c->db_path);
    free(c->prefix);
    free(c->name);
    free(c->http_addr);
    memset(c, 0, sizeof(*c));
}

int worker_config_set(struct worker_config *c, const char *key, const char *v, struct dd_error *err)
{
    uint64_t n = 0;
    int rc = 0;
    if (strcmp(key, "redis") == 0) {
        char *host;
        int port;
        rc = redis_addr_parse(v, &host, &port);
        if (rc == 0) {
            free(c->redis_host);
            c->redis_host = host;
            c->redis_port = port;
        }
    } else if (strcmp(key, "concurrency") == 0) {
        if ((rc = kv_parse_u64(v, 1, 256, &n)) == 0)
            c->concurrency = (int)n;
    } else if (strcmp(key, "walk_threads") == 0) {
        if ((rc = kv_parse_u64(v, 1, 64, &n)) == 0)
            c->walk_threads = (int)n;
    } else if (strcmp(key, "db") == 0) {
        rc = kv_set_str(&c->db_path, v);
    } else if (strcmp(key, "prefix") == 0) {
        rc = strlen(v) > 64 ? DD_EINVAL : kv_set_str(&c->prefix, v);
    } else if (strcmp(key, "name") == 0) {
        rc = queue_id_validate(v) ? DD_EINVAL : kv_set_str(&c->name, v);
    } else if (strcmp(key, "http") == 0) {
        char *host;
        int port;
        rc = redis_addr_parse(v, &host, &port);
        if (rc == 0) {
            free(host);
            rc = kv_set_str(&c->http_addr, v);
        }
    } else if (strcmp(key, "log_level") == 0) {
        rc = log_level_parse(v, &c->log_level) ? DD_EINVAL : 0;
    } else if (strcmp(key, "max_attempts") == 0) {
        if ((rc = kv_parse_u64(v, 1, 100, &n)) == 0)
            c->max_attempts = (int)n;
    } else if (strcmp(key, "reclaim_idle_ms") == 0) {
        rc = kv_parse_u64(v, 100, 86400000, &c->reclaim_idle_ms);
    } else if (strcmp(key, "reclaim_interval_ms") == 0) {
        rc = kv_parse_u64(v, 50, 3600000, &c->reclaim_interval_ms);
    } else if (strcmp(key, "block_ms") == 0) {
        rc = kv_parse_u64(v, 10, 60000, &c->block_ms);
    } else if (strcmp(key, "command_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 100, 600000, &c->command_timeout_ms);
    } else if (strcmp(key, "shutdown_timeout_ms") == 0) {
        rc = kv_parse_u64(v, 0, 3600000, &c->shutdown_timeout_ms);
    } else if (strcmp(key, "report_ttl_s") == 0) {
        rc = kv_parse_u64(v, 1, 10ull * 365 * 86400, &c->report_ttl_s);
    } else if (strcmp(key, "layer_cache") == 0) {
        rc = kv_parse_bool(v, &c->layer_cache);
    } else if (strcmp(key, "layer_cache_ttl_s") == 0) {
        rc = kv_parse_u64(v, 1, 365ull * 86400, &c->layer_cache_ttl_s);
    } else if (strcmp(key, "layer_cache_max_bytes") == 0) {
        rc = kv_parse_u64(v, 0, QUEUE_MAX_LAYER_BYTES, &c->layer_cache_max_bytes);
    } else if (strcmp(key, "layer_claim_ttl_ms") == 0) {
        rc = kv_parse_u64(v, 300, 3600000, &c->layer_claim_ttl_ms);
    } else if (strcmp(key, "layer_claim_wait_ms") == 0) {
        rc = kv_parse_u64(v, 0, 3600000, &c->layer_claim_wait_ms);
    } else if (strcmp(key, "insecure") == 0) {
        rc = kv_parse_bool(v, &c->insecure);
    } else {
        return dd_error_set(err, DD_EINVAL, "unknown setting '%s'", key);
    }
    if (rc == DD_ENOMEM)
        return dd_error_set(err, rc, "out of memory");
    if (rc)
        return dd_error_set(err, DD_EINVAL, "bad value '%s' for %s", v, key);
    return 0;
}

static int config_set_cb(void *ctx, const char *key, const char *value, struct dd_error *err)
{
    return worker_config_set(ctx, key, value, err);
}

int worker_config_load(struct worker_config *c, const char *path, struct dd_error *err)
{
    return kv_conf_load(path, config_set_cb, c, err);
}

/* --- state ----------------------------------------------------------------------------- */

struct db_ref {
    struct advdb *db;
    char *built_at;
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
    int refs; /* jobs holding it, plus 1 while it is the current one */
};

enum job_phase { JOB_BEGIN, JOB_SCAN, JOB_MATCH, JOB_WRITE, JOB_ACK };

struct job {
    struct worker *w;
    struct job *prev, *next;
    char stream_id[64];
    struct queue_job j;
    enum job_phase phase;
    bool owned; /* heartbeat keeps the stream entry ours */
    bool abandoned;
    long long attempt;
    int64_t started_at_ms;
    uint64_t t_recv_ns; /* delivered by XREADGROUP (or reclaimed) */
    uint64_t t0_ns;     /* scan started (the BEGIN script has run) */
    uint64_t t_scanned_ns, t_matched_ns;
    char *prev_error;
    struct image_scan *scan;
    struct db_ref *db;
    uv_work_t work;
    /* outcome */
    int rc;
    char *error;
    char *note;
    char *digest;
    char *report;
    struct queue_counts counts;
    uint32_t packages;
};

struct metrics {
    uint64_t jobs_done, jobs_failed, jobs_retried, jobs_reclaimed, jobs_duplicate, bad_payloads;
    uint64_t duration_buckets[N_BUCKETS + 1];
    double duration_sum_s;
    uint64_t duration_count;
    long long queue_depth, pending; /* from Redis, refreshed by the stats timer */
};

struct worker {
    const struct worker_config *cfg;
    uv_loop_t *loop;
    char name[160];
    char k_jobs[QUEUE_MAX_KEY], k_events[QUEUE_MAX_KEY];
    struct redis_uv cmd, intake;
    struct scan_ctx scan;
    struct layer_cache cache;
    struct db_ref *db;
    struct job *jobs_head;
    int running;
    bool group_ready;
    bool reading;
    bool stopping;
    bool reclaiming;
    uv_timer_t reclaim_timer, heartbeat_timer, stats_timer, stop_timer, retry_read_timer;
    uv_signal_t sigterm, sigint;
    struct probe_http probe; /* /healthz, /metrics */
    struct metrics m;
    int exit_code;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void intake_maybe(struct worker *w);
static void job_finish(struct job *jb, const char *status);
static void maybe_stopped(struct worker *w);

/* --- advisory DB: reopened between jobs when the file changed ------------------------------ */

static void db_release(struct db_ref *d)
{
    if (d == NULL || --d->refs > 0)
        return;
    advdb_close(d->db);
    free(d->built_at);
    free(d);
}

/* The current DB (a new reference), reopening it when the file changed; NULL when none. */
static struct db_ref *db_acquire(struct worker *w)
{
    const char *path = w->cfg->db_path;
    struct stat st;
    if (path == NULL)
        return NULL;
    if (stat(path, &st) != 0) {
        if (w->db == NULL)
            return NULL;
        w->db->refs++;
        return w->db; /* keep using what we have */
    }
    struct db_ref *cur = w->db;
    bool same = cur && cur->dev == st.st_dev && cur->ino == st.st_ino && cur->size == st.st_size &&
                cur->mtime.tv_sec == st.st_mtim.tv_sec && cur->mtime.tv_nsec == st.st_mtim.tv_nsec;
    if (!same) {
        struct dd_error e = {0};
        struct advdb *db = NULL;
        struct advdb_info info;
        memset(&info, 0, sizeof(info));
        struct db_ref *d = calloc(1, sizeof(*d));
        if (d && advdb_open(path, &db, &e) == 0 && advdb_get_info(db, &info, &e) == 0) {
            d->db = db;
            d->built_at = info.built_at;
            info.built_at = NULL;
            d->dev = st.st_dev;
            d->ino = st.st_ino;
            d->size = st.st_size;
            d->mtime = st.st_mtim;
            d->refs = 1;
            log_info("msg=\"advisory DB opened\" path=%s built_at=%s", path,
                     d->built_at ? d->built_at : "?");
            db_release(w->db);
            w->db = d;
        } else {
            log_warn("msg=\"cannot open advisory DB, keeping the previous one\" "
                     "path=%s error=\"%s\"",
                     path, e.msg);
            advdb_close(db);
            free(d);
        }
        advdb_info_cleanup(&info);
    }
    if (w->db)
        w->db->refs++;
    return w->db;
}

/* --- jobs -------------------------------------------------------------------------------- */

static void job_free(struct job *jb)
{
    if (jb == NULL)
        return;
    queue_job_cleanup(&jb->j);
    image_scan_free(jb->scan);
    db_release(jb->db);
    free(jb->prev_error);
    free(jb->error);
    free(jb->note);
    free(jb->digest);
    free(jb->report);
    free(jb);
}

static void job_unlink(struct job *jb)
{
    struct worker *w = jb->w;
    if (jb->prev)
        jb->prev->next = jb->next;
    else
        w->jobs_head = jb->next;
    if (jb->next)
        jb->next->prev = jb->prev;
    jb->prev = jb->next = NULL;
    w->running--;
}

/* The job leaves this worker (acked, or left pending for a retry). */
static void job_release(struct job *jb)
{
    struct worker *w = jb->w;
    job_unlink(jb);
    job_free(jb);
    if (w->stopping)
        maybe_stopped(w);
    else
        intake_maybe(w);
}

/* A copy of at most max bytes of s (len known, or strnlen'd). */
static char *copy_capped(const char *s, size_t len, size_t max)
{
    return dd_strndup(s, len < max ? len : max);
}

static void job_set_error(struct job *jb, int rc, const char *msg)
{
    jb->rc = rc ? rc : DD_EINVAL;
    free(jb->error);
    const char *m = msg && *msg ? msg : dd_strerror(jb->rc);
    jb->error = copy_capped(m, strnlen(m, MAX_ERROR_CHARS), MAX_ERROR_CHARS);
}

static void on_acked(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct job *jb = ud;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
        log_warn("entry=%s msg=\"XACK failed; the entry will be reclaimed and seen "
                 "as final\"",
                 jb->stream_id);
    job_release(jb);
}

static void job_ack(struct job *jb)
{
    struct worker *w = jb->w;
    jb->phase = JOB_ACK;
    jb->owned = false;
    if (redis_uv_commandf(&w->cmd, on_acked, jb, w->cfg->command_timeout_ms, "XACK %s %s %s",
                          w->k_jobs, GROUP, jb->stream_id) != 0) {
        job_release(jb);
        return;
    }
    /* acked entries are deleted: XLEN dd:jobs is then the work waiting or running */
    redis_uv_commandf(&w->cmd, NULL, NULL, w->cfg->command_timeout_ms, "XDEL %s %s", w->k_jobs,
                      jb->stream_id);
}

static void observe_duration(struct worker *w, uint64_t t0_ns)
{
    double s = (double)(uv_hrtime() - t0_ns) / 1e9;
    size_t i = 0;
    while (i < N_BUCKETS && s > BUCKETS_S[i])
        i++;
    w->m.duration_buckets[i]++;
    w->m.duration_sum_s += s;
    w->m.duration_count++;
}

static void on_final_written(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct job *jb = ud;
    struct worker *w = jb->w;
    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        /* unknown outcome: leave it pending; a reclaim retries and the guard decides */
        log_warn("job=%s msg=\"final record write failed; left pending\" error=\"%s\"",
                 jb->j.job_id, reply && reply->type == REDIS_REPLY_ERROR ? reply->str : "no reply");
        job_release(jb);
        return;
    }
    if (reply->integer == 0) {
        w->m.jobs_duplicate++;
        log_info("job=%s msg=\"final record already written by another delivery\"", jb->j.job_id);
    } else {
        observe_duration(w, jb->t0_ns);
        if (jb->rc == 0)
            w->m.jobs_done++;
        else
            w->m.jobs_failed++;
        /* ms: scan start to final record; queue_us: the queue's share of a delivery
         * (BEGIN before the scan, report + FINAL after matching), for the fleet bench */
        uint64_t now = uv_hrtime();
        uint64_t queue_ns = (jb->t0_ns > jb->t_recv_ns ? jb->t0_ns - jb->t_recv_ns : 0) +
                            (jb->t_matched_ns && jb->t_scanned_ns ? now - jb->t_matched_ns : 0);
        log_info(
            "job=%s image=%s status=%s attempt=%lld packages=%u critical=%u "
            "high=%u ms=%llu scan_ms=%llu match_ms=%llu queue_us=%llu%s%s%s",
            jb->j.job_id, jb->j.image, jb->rc ? "FAILED" : "COMPLETE", jb->attempt, jb->packages,
            jb->counts.critical, jb->counts.high, (unsigned long long)((now - jb->t0_ns) / 1000000),
            (unsigned long long)(jb->t_scanned_ns ? (jb->t_scanned_ns - jb->t0_ns) / 1000000 : 0),
            (unsigned long long)(jb->t_matched_ns && jb->t_scanned_ns
                                     ? (jb->t_matched_ns - jb->t_scanned_ns) / 1000000
                                     : 0),
            (unsigned long long)(queue_ns / 1000), jb->error ? " error=\"" : "",
            jb->error ? jb->error : "", jb->error ? "\"" : "");
    }
    job_ack(jb);
}

/* Write the final record (COMPLETE or FAILED) with the FINAL script, then XACK. */
static void job_finish(struct job *jb, const char *status)
{
    struct worker *w = jb->w;
    const struct worker_config *c = w->cfg;
    char k_job[QUEUE_MAX_KEY], k_tag[QUEUE_MAX_KEY] = "", k_pend[QUEUE_MAX_KEY] = "",
                               k_metric[QUEUE_MAX_KEY];
    char n[7][24], fin[24];
    uint8_t *ev = NULL;
    size_t ev_len = 0;
    bool failed = strcmp(status, "FAILED") == 0;
    jb->phase = JOB_WRITE;
    int64_t t = now_ms();
    const char *digest = jb->digest ? jb->digest : (*jb->j.digest ? jb->j.digest : "");
    queue_key(k_job, sizeof(k_job), c->prefix, "job", jb->j.job_id);
    if (queue_key_tag(k_tag, sizeof(k_tag), c->prefix, jb->j.image) != 0)
        k_tag[0] = '\0';
    if (*jb->j.digest && queue_key(k_pend, sizeof(k_pend), c->prefix, "pending", jb->j.digest))
        k_pend[0] = '\0';
    queue_key(k_metric, sizeof(k_metric), c->prefix, "metrics",
              failed ? "jobs_failed" : "jobs_done");
    struct queue_event e = {
        .job_id = jb->j.job_id,
        .task_id = jb->j.task_id,
        .rule_id = jb->j.rule_id,
        .summary = {.job_id = jb->j.job_id,
                    .image = jb->j.image,
                    .digest = (char *)digest,
                    .status = failed ? QUEUE_STATUS_FAILED : QUEUE_STATUS_COMPLETE,
                    .counts = jb->counts,
                    .packages = jb->packages,
                    .error = jb->error,
                    .attempt = jb->attempt > 0 ? (uint32_t)jb->attempt : 0,
                    .started_at_ms = jb->started_at_ms,
                    .finished_at_ms = t,
                    .db_built_at = jb->db ? jb->db->built_at : NULL},
        .occurred_at_ms = t};
    if (queue_event_encode(&e, &ev, &ev_len) != 0) {
        job_release(jb); /* out of memory: leave it pending */
        return;
    }
    snprintf(n[0], sizeof(n[0]), "%u", jb->counts.critical);
    snprintf(n[1], sizeof(n[1]), "%u", jb->counts.high);
    snprintf(n[2], sizeof(n[2]), "%u", jb->counts.medium);
    snprintf(n[3], sizeof(n[3]), "%u", jb->counts.low);
    snprintf(n[4], sizeof(n[4]), "%u", jb->counts.unknown);
    snprintf(n[5], sizeof(n[5]), "%u", jb->packages);
    snprintf(fin, sizeof(fin), "%lld", (long long)t);
    const char *db_built = jb->db && jb->db->built_at ? jb->db->built_at : "";
    const char *argv[] = {"EVAL",
                          FINAL_LUA,
                          "5",
                          k_job,
                          k_tag,
                          k_pend,
                          w->k_events,
                          k_metric,
                          w->name,
                          status,
                          n[0],
                          n[1],
                          n[2],
                          n[3],
                          n[4],
                          n[5],
                          jb->error ? jb->error : "",
                          fin,
                          db_built,
                          digest,
                          jb->j.job_id,
                          (const char *)ev,
                          jb->note ? jb->note : ""};
    size_t lens[sizeof(argv) / sizeof(argv[0])];
    for (size_t i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
        lens[i] = i == 21 ? ev_len : strlen(argv[i]); /* 21: the binary event */
    int rc = redis_uv_command(&w->cmd, on_final_written, jb, c->command_timeout_ms,
                              (int)(sizeof(argv) / sizeof(argv[0])), argv, lens);
    free(ev);
    if (rc)
        job_release(jb);
}

static void on_retry_marked(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    (void)reply;
    job_release(ud);
}

/* A failed delivery: FAILED for good after max_attempts, else RETRYING and left pending. */
static void job_failed(struct job *jb)
{
    struct worker *w = jb->w;
    if (jb->attempt >= w->cfg->max_attempts) {
        char *msg = NULL;
        if (jb->attempt > 1 &&
            asprintf(&msg, "after %lld attempts: %s", jb->attempt, jb->error) > 0) {
            free(jb->error);
            jb->error = msg;
        }
        job_finish(jb, "FAILED");
        return;
    }
    char k_job[QUEUE_MAX_KEY], k_metric[QUEUE_MAX_KEY];
    queue_key(k_job, sizeof(k_job), w->cfg->prefix, "job", jb->j.job_id);
    queue_key(k_metric, sizeof(k_metric), w->cfg->prefix, "metrics", "jobs_retried");
    w->m.jobs_retried++;
    jb->owned = false; /* the heartbeat stops: reclaimed after reclaim_idle_ms */
    log_warn("job=%s image=%s attempt=%lld msg=\"scan failed, will retry\" "
             "error=\"%s\"",
             jb->j.job_id, jb->j.image, jb->attempt, jb->error);
    redis_uv_commandf(&w->cmd, NULL, NULL, w->cfg->command_timeout_ms, "INCRBY %s 1", k_metric);
    if (redis_uv_commandf(&w->cmd, on_retry_marked, jb, w->cfg->command_timeout_ms,
                          "HSET %s status RETRYING error %s worker %s", k_job, jb->error,
                          w->name) != 0)
        job_release(jb);
}

static int lookup_advdb(void *src, const char *ecosystem, const char *name, advdb_hit_cb cb,
                        void *cb_ctx, struct dd_error *err)
{
    return advdb_lookup(src, ecosystem, name, cb, cb_ctx, err);
}

/* Thread pool: match and render the report. Touches only the job. */
static void match_work(uv_work_t *req)
{
    struct job *jb = req->data;
    struct image_scan *s = jb->scan;
    struct finding_list findings;
    struct dd_error e = {0};
    finding_list_init(&findings);
    json_t *doc = NULL;
    struct image_meta meta = {.artifact = s->image,
                              .digest = s->manifest_digest,
                              .index_digest = s->index_digest,
                              .media_type = s->manifest_media_type,
                              .config = &s->config,
                              .layers = s->layers,
                              .n_layers = s->n_layers};
    jb->packages = (uint32_t)s->inv.pkgs.n;
    if (jb->db) {
        if (match_inventory(&s->inv, lookup_advdb, jb->db->db, &findings, &e) != 0) {
            job_set_error(jb, e.code, e.msg);
            goto out;
        }
        size_t counts[SEVERITY_CRITICAL + 1] = {0};
        finding_list_count(&findings, counts);
        jb->counts.critical = (uint32_t)counts[SEVERITY_CRITICAL];
        jb->counts.high = (uint32_t)counts[SEVERITY_HIGH];
        jb->counts.medium = (uint32_t)counts[SEVERITY_MEDIUM];
        jb->counts.low = (uint32_t)counts[SEVERITY_LOW];
        jb->counts.unknown = (uint32_t)counts[SEVERITY_UNKNOWN];
        struct vuln_report vr = {&meta, &s->inv, &findings, jb->db->built_at, 0};
        doc = report_vuln_json(&vr);
    } else {
        doc = report_inventory_json(&meta, &s->inv);
    }
    if (doc)
        jb->report = json_dumps(doc, JSON_COMPACT);
    if (jb->report == NULL)
        job_set_error(jb, DD_ENOMEM, "cannot render the report");
out:
    json_decref(doc);
    finding_list_cleanup(&findings);
}

static void on_report_stored(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct job *jb = ud;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        job_set_error(jb, DD_EIO, "cannot store the report in Redis");
        job_failed(jb);
        return;
    }
    job_finish(jb, "COMPLETE");
}

static void after_match(uv_work_t *req, int status)
{
    (void)status;
    struct job *jb = req->data;
    struct worker *w = jb->w;
    jb->t_matched_ns = uv_hrtime();
    if (jb->abandoned) {
        job_release(jb);
        return;
    }
    if (jb->rc) {
        job_failed(jb);
        return;
    }
    char k_rep[QUEUE_MAX_KEY];
    queue_key(k_rep, sizeof(k_rep), w->cfg->prefix, "report", jb->j.job_id);
    if (redis_uv_commandf(&w->cmd, on_report_stored, jb, w->cfg->command_timeout_ms,
                          "SET %s %b EX %llu", k_rep, jb->report, strlen(jb->report),
                          (unsigned long long)w->cfg->report_ttl_s) != 0) {
        job_set_error(jb, DD_ENET, "Redis unavailable while storing the report");
        job_release(jb); /* left pending */
    }
}

static void on_scan_done(struct image_scan *s, void *ud)
{
    struct job *jb = ud;
    struct worker *w = jb->w;
    if (jb->abandoned) {
        job_release(jb);
        return;
    }
    if (s->rc) {
        job_set_error(jb, s->rc, s->err.msg);
        job_failed(jb);
        return;
    }
    jb->t_scanned_ns = uv_hrtime();
    const char *d = s->index_digest ? s->index_digest : s->manifest_digest;
    jb->digest = dd_strdup(d);
    if (jb->db == NULL && w->cfg->db_path)
        jb->note = dd_strdup("inventory only: the advisory DB could not be opened");
    else if (jb->db == NULL)
        jb->note = dd_strdup("inventory only: no advisory DB configured");
    jb->phase = JOB_MATCH;
    jb->work.data = jb;
    if (uv_queue_work(w->loop, &jb->work, match_work, after_match) != 0) {
        job_set_error(jb, DD_ENOMEM, "cannot queue matching");
        job_failed(jb);
    }
}

static void job_start_scan(struct job *jb)
{
    struct worker *w = jb->w;
    struct scan_request req;
    struct dd_error e = {0};
    scan_request_default(&req);
    req.image = jb->j.image;
    req.platform = *jb->j.platform ? jb->j.platform : NULL;
    req.registry.insecure = w->cfg->insecure;
    req.cache = w->cfg->layer_cache ? layer_cache_hooks(&w->cache) : NULL;
    jb->db = db_acquire(w);
    jb->phase = JOB_SCAN;
    jb->t0_ns = uv_hrtime();
    if (image_scan_start(&w->scan, &req, on_scan_done, jb, &jb->scan, &e) != 0) {
        job_set_error(jb, e.code, e.msg);
        job_failed(jb);
    }
}

static void on_begin(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct job *jb = ud;
    struct worker *w = jb->w;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER) {
        log_warn("job=%s msg=\"cannot start the job record; left pending\" error=\"%s\"",
                 jb->j.job_id, reply && reply->type == REDIS_REPLY_ERROR ? reply->str : "no reply");
        job_release(jb);
        return;
    }
    jb->attempt = reply->element[0]->integer;
    if (reply->element[1]->type == REDIS_REPLY_STRING && reply->element[1]->len > 0)
        jb->prev_error =
            copy_capped(reply->element[1]->str, reply->element[1]->len, MAX_ERROR_CHARS);
    if (jb->attempt < 0) {
        w->m.jobs_duplicate++;
        log_info("job=%s msg=\"already final, acknowledging\"", jb->j.job_id);
        job_ack(jb);
        return;
    }
    if (jb->attempt > w->cfg->max_attempts) {
        /* earlier deliveries died without a verdict (worker killed, crash on this image) */
        char msg[MAX_ERROR_CHARS + 64];
        snprintf(msg, sizeof(msg), "gave up after %d attempts: %s", w->cfg->max_attempts,
                 jb->prev_error ? jb->prev_error : "worker lost while scanning");
        job_set_error(jb, DD_ECANCELLED, msg);
        jb->t0_ns = uv_hrtime();
        job_finish(jb, "FAILED");
        return;
    }
    log_info("job=%s image=%s attempt=%lld msg=started", jb->j.job_id, jb->j.image, jb->attempt);
    job_start_scan(jb);
}

/* One stream entry delivered to us (fresh or reclaimed): [id, [field, value, ...]]. */
static void job_take_entry(struct worker *w, const redisReply *entry, bool reclaimed)
{
    if (entry == NULL || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING)
        return;
    const redisReply *id = entry->element[0], *fields = entry->element[1];
    const redisReply *payload = NULL;
    for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements;
         i += 2)
        if (fields->element[i]->type == REDIS_REPLY_STRING &&
            strcmp(fields->element[i]->str, "job") == 0)
            payload = fields->element[i + 1];
    struct job *jb = calloc(1, sizeof(*jb));
    struct dd_error e = {0};
    if (jb == NULL)
        return; /* stays pending; reclaimed later */
    jb->w = w;
    jb->t_recv_ns = uv_hrtime();
    snprintf(jb->stream_id, sizeof(jb->stream_id), "%s", id->str);
    int rc = payload && payload->type == REDIS_REPLY_STRING
                 ? queue_job_decode((const uint8_t *)payload->str, payload->len, &jb->j, &e)
                 : dd_error_set(&e, DD_EPARSE, "entry has no 'job' field");
    /* link first: every path out goes through job_release */
    jb->next = w->jobs_head;
    if (w->jobs_head)
        w->jobs_head->prev = jb;
    w->jobs_head = jb;
    w->running++;
    if (rc) {
        /* no job ID to write a record under: drop it, loudly */
        w->m.bad_payloads++;
        log_error("entry=%s msg=\"undecodable job, acknowledged and dropped\" "
                  "error=\"%s\"",
                  jb->stream_id, e.msg);
        job_ack(jb);
        return;
    }
    if (reclaimed)
        w->m.jobs_reclaimed++;
    jb->owned = true;
    jb->started_at_ms = now_ms();
    char k_job[QUEUE_MAX_KEY], k_tag[QUEUE_MAX_KEY] = "", started[24];
    queue_key(k_job, sizeof(k_job), w->cfg->prefix, "job", jb->j.job_id);
    if (queue_key_tag(k_tag, sizeof(k_tag), w->cfg->prefix, jb->j.image) != 0)
        k_tag[0] = '\0';
    snprintf(started, sizeof(started), "%lld", (long long)jb->started_at_ms);
    const char *argv[] = {"EVAL",        BEGIN_LUA,      "2",         k_job,        k_tag,
                          w->name,       started,        jb->j.image, jb->j.digest, jb->j.task_id,
                          jb->j.rule_id, jb->j.platform, jb->j.job_id};
    size_t lens[sizeof(argv) / sizeof(argv[0])];
    for (size_t i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
        lens[i] = strlen(argv[i]);
    jb->phase = JOB_BEGIN;
    if (redis_uv_command(&w->cmd, on_begin, jb, w->cfg->command_timeout_ms,
                         (int)(sizeof(argv) / sizeof(argv[0])), argv, lens) != 0)
        job_release(jb);
}

/* --- intake ------------------------------------------------------------------------------ */

static void on_read(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct worker *w = ud;
    w->reading = false;
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        log_warn("msg=\"XREADGROUP failed\" error=\"%s\"", reply->str);
        if (strncmp(reply->str, "NOGROUP", 7) == 0)
            w->group_ready = false;
    }
    /* reply: [[stream, [[id, fields], ...]]] or nil on timeout */
    if (reply && reply->type == REDIS_REPLY_ARRAY) {
        for (size_t s = 0; s < reply->elements; s++) {
            const redisReply *st = reply->element[s];
            if (st->type != REDIS_REPLY_ARRAY || st->elements != 2 ||
                st->element[1]->type != REDIS_REPLY_ARRAY)
                continue;
            for (size_t i = 0; i < st->element[1]->elements; i++)
                job_take_entry(w, st->element[1]->element[i], false);
        }
    }
    /* after an error the 250 ms retry timer tries again: no spinning */
    if (reply != NULL && reply->type != REDIS_REPLY_ERROR)
        intake_maybe(w);
}

static void intake_maybe(struct worker *w)
{
    int free_slots = w->cfg->concurrency - w->running;
    if (w->stopping || w->reading || !w->group_ready || free_slots <= 0 || !w->intake.connected)
        return;
    char count[16], block[24];
    snprintf(count, sizeof(count), "%d", free_slots);
    snprintf(block, sizeof(block), "%llu", (unsigned long long)w->cfg->block_ms);
    const char *argv[] = {"XREADGROUP", "GROUP", GROUP,     w->name,   "COUNT", count,
                          "BLOCK",      block,   "STREAMS", w->k_jobs, ">"};
    size_t lens[11];
    for (int i = 0; i < 11; i++)
        lens[i] = strlen(argv[i]);
    if (redis_uv_command(&w->intake, on_read, w, w->cfg->block_ms + w->cfg->command_timeout_ms, 11,
                         argv, lens) == 0)
        w->reading = true;
}

static void on_group(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct worker *w = ud;
    if (reply && (reply->type != REDIS_REPLY_ERROR || strncmp(reply->str, "BUSYGROUP", 9) == 0)) {
        w->group_ready = true;
        intake_maybe(w);
        return;
    }
    log_warn("msg=\"XGROUP CREATE failed\" error=\"%s\"",
             reply ? reply->str : "no reply"); /* the retry timer tries again */
}

static void ensure_group(struct worker *w)
{
    /* "0", not "$": a group created after the scheduler's first XADD must still see it.
     * Entries already finished are recognised by their final record and just acked. */
    redis_uv_commandf(&w->cmd, on_group, w, w->cfg->command_timeout_ms,
                      "XGROUP CREATE %s %s 0 MKSTREAM", w->k_jobs, GROUP);
}

static void on_cmd_up(struct redis_uv *r, void *ud)
{
    (void)r;
    ensure_group(ud);
}

static void on_intake_up(struct redis_uv *r, void *ud)
{
    (void)r;
    intake_maybe(ud);
}

static void on_retry_read_timer(uv_timer_t *t)
{
    struct worker *w = t->data;
    if (!w->group_ready && w->cmd.connected)
        ensure_group(w);
    intake_maybe(w);
}

/* --- reclaim and heartbeat ------------------------------------------------------------- */

static void on_autoclaim(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct worker *w = ud;
    w->reclaiming = false;
    /* [next cursor, [[id, fields], ...], [deleted ids]] */
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[1]->type != REDIS_REPLY_ARRAY)
        return;
    const redisReply *entries = reply->element[1];
    for (size_t i = 0; i < entries->elements; i++) {
        if (w->stopping)
            break; /* claimed but not started: reclaimed again later */
        log_info("entry=%s msg=\"reclaimed an idle job\"",
                 entries->element[i]->type == REDIS_REPLY_ARRAY && entries->element[i]->elements > 0
                     ? entries->element[i]->element[0]->str
                     : "?");
        job_take_entry(w, entries->element[i], true);
    }
}

static void on_reclaim_timer(uv_timer_t *t)
{
    struct worker *w = t->data;
    int free_slots = w->cfg->concurrency - w->running;
    if (w->stopping || w->reclaiming || free_slots <= 0 || !w->cmd.connected || !w->group_ready)
        return;
    if (redis_uv_commandf(&w->cmd, on_autoclaim, w, w->cfg->command_timeout_ms,
                          "XAUTOCLAIM %s %s %s %llu 0-0 COUNT %d", w->k_jobs, GROUP, w->name,
                          (unsigned long long)w->cfg->reclaim_idle_ms, free_slots) == 0)
        w->reclaiming = true;
}

static void on_heartbeat_timer(uv_timer_t *t)
{
    struct worker *w = t->data;
    const char *argv[5 + 256 + 1];
    size_t lens[5 + 256 + 1];
    int argc = 0;
    argv[argc++] = "XCLAIM";
    argv[argc++] = w->k_jobs;
    argv[argc++] = GROUP;
    argv[argc++] = w->name;
    argv[argc++] = "0";
    for (struct job *jb = w->jobs_head; jb && argc < 5 + 256; jb = jb->next)
        if (jb->owned)
            argv[argc++] = jb->stream_id;
    if (argc == 5 || !w->cmd.connected)
        return;
    argv[argc++] = "JUSTID";
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    redis_uv_command(&w->cmd, NULL, NULL, w->cfg->command_timeout_ms, argc, argv, lens);
}

/* --- stats and HTTP ---------------------------------------------------------------------- */

static void on_xlen(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct worker *w = ud;
    if (reply && reply->type == REDIS_REPLY_INTEGER)
        w->m.queue_depth = reply->integer;
}

static void on_xpending(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct worker *w = ud;
    if (reply && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 1 &&
        reply->element[0]->type == REDIS_REPLY_INTEGER)
        w->m.pending = reply->element[0]->integer;
}

static void on_stats_timer(uv_timer_t *t)
{
    struct worker *w = t->data;
    if (!w->cmd.connected || !w->group_ready)
        return;
    redis_uv_commandf(&w->cmd, on_xlen, w, w->cfg->command_timeout_ms, "XLEN %s", w->k_jobs);
    redis_uv_commandf(&w->cmd, on_xpending, w, w->cfg->command_timeout_ms, "XPENDING %s %s",
                      w->k_jobs, GROUP);
}

static char *metrics_text(struct worker *w)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL)
        return NULL;
    const struct metrics *m = &w->m;
    fprintf(f,
            "# TYPE drydock_worker_up gauge\ndrydock_worker_up 1\n"
            "# TYPE drydock_worker_redis_connected gauge\ndrydock_worker_redis_connected %d\n"
            "# TYPE drydock_worker_jobs_running gauge\ndrydock_worker_jobs_running %d\n"
            "# TYPE drydock_queue_depth gauge\ndrydock_queue_depth %lld\n"
            "# TYPE drydock_queue_pending gauge\ndrydock_queue_pending %lld\n"
            "# TYPE drydock_worker_jobs_done_total counter\ndrydock_worker_jobs_done_total %llu\n"
            "# TYPE drydock_worker_jobs_failed_total counter\n"
            "drydock_worker_jobs_failed_total %llu\n"
            "# TYPE drydock_worker_jobs_retried_total counter\n"
            "drydock_worker_jobs_retried_total %llu\n"
            "# TYPE drydock_worker_jobs_reclaimed_total counter\n"
            "drydock_worker_jobs_reclaimed_total %llu\n"
            "# TYPE drydock_worker_jobs_duplicate_total counter\n"
            "drydock_worker_jobs_duplicate_total %llu\n"
            "# TYPE drydock_worker_bad_payloads_total counter\n"
            "drydock_worker_bad_payloads_total %llu\n"
            "# TYPE drydock_worker_layer_cache_hits_total counter\n"
            "drydock_worker_layer_cache_hits_total %llu\n"
            "# TYPE drydock_worker_layer_cache_misses_total counter\n"
            "drydock_worker_layer_cache_misses_total %llu\n"
            "# TYPE drydock_worker_layer_cache_stores_total counter\n"
            "drydock_worker_layer_cache_stores_total %llu\n"
            "# TYPE drydock_worker_layers_fetched_total counter\n"
            "drydock_worker_layers_fetched_total %llu\n"
            "# TYPE drydock_worker_layer_fetch_waits_total counter\n"
            "drydock_worker_layer_fetch_waits_total %llu\n"
            "# TYPE drydock_worker_layer_fetch_wait_timeouts_total counter\n"
            "drydock_worker_layer_fetch_wait_timeouts_total %llu\n",
            w->cmd.connected ? 1 : 0, w->running, m->queue_depth, m->pending,
            (unsigned long long)m->jobs_done, (unsigned long long)m->jobs_failed,
            (unsigned long long)m->jobs_retried, (unsigned long long)m->jobs_reclaimed,
            (unsigned long long)m->jobs_duplicate, (unsigned long long)m->bad_payloads,
            (unsigned long long)w->cache.hits, (unsigned long long)w->cache.misses,
            (unsigned long long)w->cache.stores, (unsigned long long)w->cache.fetched,
            (unsigned long long)w->cache.waits, (unsigned long long)w->cache.wait_timeouts);
    fprintf(f, "# TYPE drydock_worker_scan_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i < N_BUCKETS; i++) {
        cum += m->duration_buckets[i];
        fprintf(f, "drydock_worker_scan_duration_seconds_bucket{le=\"%g\"} %llu\n", BUCKETS_S[i],
                (unsigned long long)cum);
    }
    cum += m->duration_buckets[N_BUCKETS];
    fprintf(f,
            "drydock_worker_scan_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
            "drydock_worker_scan_duration_seconds_sum %.3f\n"
            "drydock_worker_scan_duration_seconds_count %llu\n",
            (unsigned long long)cum, m->duration_sum_s, (unsigned long long)m->duration_count);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static bool probe_healthy(void *ctx)
{
    struct worker *w = ctx;
    return w->cmd.connected && !w->stopping;
}

static char *probe_metrics(void *ctx)
{
    return metrics_text(ctx);
}

/* --- start and stop ---------------------------------------------------------------------- */

static void close_handle(uv_handle_t *h)
{
    if (h->loop && !uv_is_closing(h))
        uv_close(h, NULL);
}

static void shut_everything(struct worker *w)
{
    uv_timer_stop(&w->stop_timer);
    close_handle((uv_handle_t *)&w->reclaim_timer);
    close_handle((uv_handle_t *)&w->heartbeat_timer);
    close_handle((uv_handle_t *)&w->stats_timer);
    close_handle((uv_handle_t *)&w->stop_timer);
    close_handle((uv_handle_t *)&w->retry_read_timer);
    close_handle((uv_handle_t *)&w->sigterm);
    close_handle((uv_handle_t *)&w->sigint);
    if (w->probe.on)
        close_handle((uv_handle_t *)&w->probe.tcp);
    redis_uv_close(&w->cmd, NULL);
    redis_uv_close(&w->intake, NULL);
    layer_cache_cleanup(&w->cache);
    scan_ctx_close(&w->scan, NULL);
}

static void maybe_stopped(struct worker *w)
{
    if (w->running > 0)
        return;
    log_info("msg=\"stopped\" done=%llu failed=%llu", (unsigned long long)w->m.jobs_done,
             (unsigned long long)w->m.jobs_failed);
    shut_everything(w);
}

static void on_stop_timeout(uv_timer_t *t)
{
    struct worker *w = t->data;
    log_warn("msg=\"shutdown timeout: abandoning running jobs (they stay pending "
             "and will be reclaimed)\" running=%d",
             w->running);
    for (struct job *jb = w->jobs_head; jb; jb = jb->next) {
        jb->abandoned = true;
        if (jb->scan)
            jb->scan->cancel = 1;
    }
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct worker *w = s->data;
    if (w->stopping)
        return;
    log_info("msg=\"stopping: no new jobs, waiting for running ones\" signal=%d "
             "running=%d",
             signum, w->running);
    w->stopping = true;
    redis_uv_close(&w->intake, NULL); /* a blocked XREADGROUP: its entries stay pending */
    uv_timer_stop(&w->reclaim_timer);
    uv_timer_start(&w->stop_timer, on_stop_timeout, w->cfg->shutdown_timeout_ms, 0);
    maybe_stopped(w);
}

int worker_run(const struct worker_config *c)
{
    struct worker *w = calloc(1, sizeof(*w));
    uv_loop_t loop;
    int rc = 1;
    if (w == NULL)
        return 1;
    w->cfg = c;
    if (c->name) {
        snprintf(w->name, sizeof(w->name), "%s", c->name);
    } else {
        char host[64] = "host";
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(w->name, sizeof(w->name), "%s:%d", host, (int)getpid());
    }
    queue_key_stream(w->k_jobs, sizeof(w->k_jobs), c->prefix, "jobs");
    queue_key_stream(w->k_events, sizeof(w->k_events), c->prefix, "events");
    scan_threadpool_setup(c->walk_threads + 1);
    uv_loop_init(&loop);
    w->loop = &loop;
    if (scan_ctx_init(&w->scan, &loop, c->walk_threads) != 0) {
        log_error("msg=\"cannot initialise the scan pipeline\"");
        goto out_loop;
    }
    uv_timer_init(&loop, &w->reclaim_timer);
    uv_timer_init(&loop, &w->heartbeat_timer);
    uv_timer_init(&loop, &w->stats_timer);
    uv_timer_init(&loop, &w->stop_timer);
    uv_timer_init(&loop, &w->retry_read_timer);
    w->reclaim_timer.data = w->heartbeat_timer.data = w->stats_timer.data = w;
    w->stop_timer.data = w->retry_read_timer.data = w;
    uv_timer_set_repeat(&w->retry_read_timer, 250);
    uv_timer_start(&w->retry_read_timer, on_retry_read_timer, 250, 250);
    uv_signal_init(&loop, &w->sigterm);
    uv_signal_init(&loop, &w->sigint);
    w->sigterm.data = w->sigint.data = w;
    uv_signal_start(&w->sigterm, on_signal, SIGTERM);
    uv_signal_start(&w->sigint, on_signal, SIGINT);
    if (redis_uv_init(&w->cmd, &loop, c->redis_host, c->redis_port, "cmd", on_cmd_up, w) != 0 ||
        redis_uv_init(&w->intake, &loop, c->redis_host, c->redis_port, "intake", on_intake_up, w) !=
            0) {
        log_error("msg=\"out of memory\"");
        shut_everything(w);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    layer_cache_init(&w->cache, &w->cmd, c->prefix, c->layer_cache_ttl_s, c->layer_cache_max_bytes,
                     c->command_timeout_ms);
    layer_cache_set_owner(&w->cache, w->name);
    w->cache.claim_ttl_ms = c->layer_claim_ttl_ms;
    w->cache.claim_wait_ms = c->layer_claim_wait_ms;
    uv_timer_start(&w->reclaim_timer, on_reclaim_timer, c->reclaim_interval_ms,
                   c->reclaim_interval_ms);
    uint64_t hb = c->reclaim_idle_ms / 3 ? c->reclaim_idle_ms / 3 : 1;
    uv_timer_start(&w->heartbeat_timer, on_heartbeat_timer, hb, hb);
    uv_timer_start(&w->stats_timer, on_stats_timer, 100, 2000);
    if (c->http_addr &&
        probe_http_start(&w->probe, w->loop, c->http_addr, probe_healthy, probe_metrics, w) != 0) {
        shut_everything(w);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    struct db_ref *d = db_acquire(w);
    if (d == NULL)
        log_warn("msg=\"no advisory DB: jobs complete with inventory only\" db=%s",
                 c->db_path ? c->db_path : "(none)");
    db_release(d);
    log_info("msg=started name=%s redis=%s:%d concurrency=%d analyzer_version=%u", w->name,
             c->redis_host, c->redis_port, c->concurrency, queue_analyzer_version());
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = 0;
out_loop:
    if (uv_loop_close(&loop) != 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    db_release(w->db);
    free(w);
    return rc;
}

/* --- enqueue (tests, bench) -------------------------------------------------------------- */

int worker_enqueue(const struct worker_config *c, const char *const *images, size_t n,
                   const char *task_id, struct dd_error *err)
{
    struct timeval tv = {5, 0};
    redisContext *rc = redisConnectWithTimeout(c->redis_host, c->redis_port, tv);
    int ret = 0;
    char k_jobs[QUEUE_MAX_KEY];
    if (rc == NULL || rc->err) {
        ret = dd_error_set(err, DD_ENET, "redis %s:%d: %s", c->redis_host, c->redis_port,
                           rc ? rc->errstr : "out of memory");
        goto out;
    }
    queue_key_stream(k_jobs, sizeof(k_jobs), c->prefix, "jobs");
    unsigned seed = (unsigned)getpid() ^ (unsigned)now_ms();
    for (size_t i = 0; i < n; i++) {
        char id[48], k_job[QUEUE_MAX_KEY], ms[24];
        snprintf(id, sizeof(id), "J%llx%04x%zu", (unsigned long long)now_ms(),
                 rand_r(&seed) & 0xffff, i);
        int64_t t = now_ms();
        snprintf(ms, sizeof(ms), "%lld", (long long)t);
        struct queue_job j = {.job_id = id,
                              .task_id = (char *)(task_id ? task_id : ""),
                              .image = (char *)images[i],
                              .attempt = 1,
                              .enqueued_at_ms = t};
        uint8_t *b = NULL;
        size_t blen = 0;
        if (queue_job_encode(&j, &b, &blen) != 0) {
            ret = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        queue_key(k_job, sizeof(k_job), c->prefix, "job", id);
        redisAppendCommand(rc, "HSET %s status QUEUED image %s task_id %s queued_at %s", k_job,
                           images[i], j.task_id, ms);
        redisAppendCommand(rc, "XADD %s * job %b", k_jobs, b, blen);
        free(b);
        for (int k = 0; k < 2; k++) {
            redisReply *r = NULL;
            if (redisGetReply(rc, (void **)&r) != REDIS_OK || r == NULL ||
                r->type == REDIS_REPLY_ERROR) {
                ret = dd_error_set(err, DD_ENET, "enqueue %s: %s", images[i],
                                   r ? r->str : rc->errstr);
                freeReplyObject(r);
                goto out;
            }
            freeReplyObject(r);
        }
        printf("%s\t%s\n", id, images[i]);
    }
    fflush(stdout);
out:
    if (rc)
        redisFree(rc);
    return ret;
}
