/* notifier.c - the drydock-notifier daemon core (see notifier.h, docs/notify.md).
 *
 * One libuv loop runs two Redis connections (intake: the blocking XREADGROUP; cmd: everything
 * else, worker/redis_uv.c), curl multi for the deliveries (worker/http_uv.c), one 100 ms tick
 * timer for backoffs and DingTalk windows, the heartbeat and reclaim timers, the /healthz +
 * /metrics endpoint and the signals.
 *
 *   XREADGROUP dd:events dd:notify:replay ─▶ event ─▶ GET dd:rule:<id> ─▶ one delivery per
 *   XAUTOCLAIM (idle > reclaim_idle_ms) ──┘                               target (replay: one)
 *
 *   delivery: MGET sent-marker last-state ─▶ skip (sent / below min_severity / unchanged)
 *               └─▶ ready ─▶ [dingtalk: robot window full? queue; window opens: ONE batch]
 *                    ─▶ POST ─▶ 2xx (+ errcode 0) ─▶ SET sent NX EX, SET last, INCRBY ─▶ done
 *                            └─ failure ─▶ attempts < max and retryable: backoff ─▶ ready
 *                                       └─ else XADD dd:dead, INCRBY ─▶ done
 *   event: every delivery done ─▶ XACK (replay: + XDEL)
 *
 * Invariants: an event is XACKed only when each of its deliveries is delivered, skipped or
 * dead-lettered AND that outcome was written to Redis; any Redis failure on the way leaves the
 * event unacknowledged (dropped from memory, its heartbeat stops, XAUTOCLAIM redelivers it and
 * the sent markers keep delivered targets from being sent again). Events held in memory stay
 * owned through a heartbeat (XCLAIM ... JUSTID every reclaim_idle_ms / 3), so a long backoff
 * is not mistaken for a dead notifier. No struct is freed while a Redis command or a transfer
 * refers to it (ev->refs counts both). Secrets and DingTalk access tokens never reach a log
 * line or a dead letter: URLs are logged through notify_url_redact and failure reasons are
 * scrubbed of the target's secret and URL query.
 *
 * Not here: validation of rules (scheduler/rules.c), replay (the API/CLI XADDs to
 * dd:notify:replay), the formats (common/notify_*.c).
 */
#define _GNU_SOURCE /* asprintf */
#include "notifier.h"

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "buf.h"
#include "http_uv.h"
#include "notify_msg.h"
#include "notify_retry.h"
#include "notify_rule.h"
#include "notify_sign.h"
#include "probe_http.h"
#include "queue.h"
#include "redis_uv.h"

#ifndef DD_VERSION
#define DD_VERSION "0"
#endif

#define GROUP         "notifier"
#define TICK_MS       100
#define SENT_TTL_S    "604800"  /* 7 days */
#define LAST_TTL_S    "7776000" /* 90 days */
#define DEAD_MAXLEN   "100000"
#define RESP_MAX      NOTIFY_REPLY_MAX_BYTES
#define STREAM_EVENTS 0
#define STREAM_REPLAY 1
#define N_STREAMS     2

enum dstate {
    D_CHECK,   /* MGET of the marker and the last state outstanding */
    D_READY,   /* waiting for a free request slot */
    D_ROBOT,   /* queued behind a DingTalk robot's rate window */
    D_SENDING, /* in a request */
    D_BACKOFF, /* waiting until due_ms */
    D_RECORD,  /* delivered or dead: the Redis writes are outstanding */
    D_DONE,    /* outcome written (or nothing to do) */
    D_ABANDON, /* outcome not written: the event must not be acked */
};

struct nevent;
struct robot;

struct delivery {
    struct nevent *ev;
    size_t idx;                    /* target index in the rule */
    const struct notify_target *t; /* into ev->rule */
    enum dstate st;
    int attempts;
    uint64_t due_ms;        /* uv_now() based, D_BACKOFF */
    bool recheck;           /* D_BACKOFF: check the marker again instead of sending */
    struct delivery *qnext; /* ready queue or robot queue */
    char reason[NOTIFY_REASON_MAX];
};

struct nevent {
    struct notifier *n;
    struct nevent *prev, *next;
    int stream;
    char id[64];
    uint8_t *raw; /* the CompletionEvent bytes, kept for dead letters */
    size_t raw_len;
    struct queue_event ev;
    int replay_target;                          /* -1 unless a replay */
    char replay_key[NOTIFY_TARGET_KEY_LEN + 1]; /* the replayed target's key ("": by index) */
    struct notify_rule rule;
    struct notify_image im;
    char state[96]; /* notify_state() */
    struct notify_finding *findings;
    size_t n_findings;
    struct delivery *d;
    size_t nd;
    int refs;     /* Redis commands and requests referring to this event */
    bool failed;  /* some outcome was not written: never ack */
    bool acking;  /* XACK sent */
    bool dropped; /* left the held list; freed when refs reaches 0 */
};

struct robot {
    struct robot *next;
    char *url;         /* the webhook URL: one robot */
    uint64_t *sent_ms; /* ring of the last dingtalk_per_minute send times (uv_now) */
    size_t pos;
    struct delivery *qhead, *qtail;
    size_t qlen;
    bool busy; /* a message to this robot is in flight: the next waits for its reply (an
                  errcode 130101 there must close the window before anything else leaves) */
};

struct request {
    struct notifier *n;
    struct request *prev, *next;
    CURL *easy;
    struct curl_slist *hdrs;
    char *url, *body;
    struct buf resp;
    int64_t retry_after_ms; /* -1: none */
    char errbuf[CURL_ERROR_SIZE];
    struct robot *robot; /* dingtalk */
    size_t robot_slot;   /* its send-time slot in robot->sent_ms */
    struct delivery **members;
    size_t n_members;
};

struct metrics {
    uint64_t events, events_bad, events_no_rule, events_no_route, events_acked, reclaimed;
    uint64_t delivered, failed_attempts, dead, skipped_sent, skipped_severity, skipped_unchanged;
    uint64_t dingtalk_batches, dingtalk_queued_total, requests;
};

struct notifier {
    const struct notifier_config *cfg;
    uv_loop_t *loop;
    char name[160];
    char k_stream[N_STREAMS][QUEUE_MAX_KEY];
    char k_dead[QUEUE_MAX_KEY];
    struct redis_uv cmd, intake;
    struct http_uv http;
    struct nevent *events;
    int held;
    struct delivery *rhead, *rtail; /* ready queue */
    struct robot *robots;
    struct request *requests;
    int in_flight;
    int ops; /* Redis commands outstanding */
    int groups_ready;
    bool reading, reclaiming[N_STREAMS], stopping, closed;
    uv_timer_t tick, heartbeat, reclaim, stop_timer, retry_timer;
    uv_signal_t sigterm, sigint;
    struct probe_http probe; /* /healthz, /metrics */
    uint64_t rnd;
    struct metrics m;
};

static void pump(struct notifier *n);
static void event_check_done(struct nevent *e);
static void maybe_stopped(struct notifier *n);
static void intake_maybe(struct notifier *n);
static void delivery_check(struct delivery *d);

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t rnd32(struct notifier *n)
{
    /* xorshift64*: jitter only, not security */
    n->rnd ^= n->rnd >> 12;
    n->rnd ^= n->rnd << 25;
    n->rnd ^= n->rnd >> 27;
    return (uint32_t)((n->rnd * 2685821657736338717ull) >> 32);
}

static void fmt_into(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* snprintf without -Wformat-truncation noise: truncation is intended everywhere it is used */
static void fmt_into(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

#define set_reason(d, ...) fmt_into((d)->reason, sizeof((d)->reason), __VA_ARGS__)

/* --- Redis commands with an outstanding-count ------------------------------------------ */

struct op {
    struct notifier *n;
    redis_reply_cb cb;
    void *ud;
};

static void on_op(struct redis_uv *r, redisReply *reply, void *ud)
{
    struct op *o = ud;
    struct notifier *n = o->n;
    n->ops--;
    if (o->cb)
        o->cb(r, reply, o->ud);
    free(o);
    maybe_stopped(n);
}

/* argv with lens (NULL: strlen of each). 0, or DD_E* and cb is never called. */
static int rcmd_argv(struct notifier *n, redis_reply_cb cb, void *ud, int argc, const char **argv,
                     const size_t *lens)
{
    size_t l[32];
    struct op *o;
    if (argc > 32)
        return DD_EINVAL;
    if (lens == NULL) {
        for (int i = 0; i < argc; i++)
            l[i] = strlen(argv[i]);
        lens = l;
    }
    if ((o = malloc(sizeof(*o))) == NULL)
        return DD_ENOMEM;
    o->n = n;
    o->cb = cb;
    o->ud = ud;
    int rc = redis_uv_command(&n->cmd, on_op, o, n->cfg->command_timeout_ms, argc, argv, lens);
    if (rc) {
        free(o);
        return rc;
    }
    n->ops++;
    return 0;
}

static bool reply_ok(const redisReply *r)
{
    return r != NULL && r->type != REDIS_REPLY_ERROR;
}

/* --- events ---------------------------------------------------------------------------- */

static void event_free(struct nevent *e)
{
    queue_event_cleanup(&e->ev);
    notify_rule_cleanup(&e->rule);
    notify_image_cleanup(&e->im);
    notify_findings_free(e->findings, e->n_findings);
    free(e->raw);
    free(e->d);
    free(e);
}

/* Leave the held list (acked, or abandoned to be reclaimed later); freed once unreferenced. */
static void event_drop(struct nevent *e)
{
    struct notifier *n = e->n;
    if (!e->dropped) {
        e->dropped = true;
        if (e->prev)
            e->prev->next = e->next;
        else
            n->events = e->next;
        if (e->next)
            e->next->prev = e->prev;
        n->held--;
        intake_maybe(n);
    }
    if (e->refs == 0)
        event_free(e);
}

static void ev_unref(struct nevent *e)
{
    if (--e->refs == 0 && e->dropped)
        event_free(e);
}

static void on_acked(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct nevent *e = ud;
    if (reply_ok(reply)) {
        e->n->m.events_acked++;
        log_debug("entry=%s job=%s msg=acknowledged", e->id, e->ev.job_id ? e->ev.job_id : "-");
    }
    ev_unref(e);
    event_drop(e);
}

static void event_ack(struct nevent *e)
{
    struct notifier *n = e->n;
    const char *k = n->k_stream[e->stream];
    const char *ack[] = {"XACK", k, GROUP, e->id};
    e->acking = true;
    if (e->stream == STREAM_REPLAY) /* a replay request is consumed work: delete it too */
        rcmd_argv(n, NULL, NULL, 3, (const char *[]){"XDEL", k, e->id}, NULL);
    if (rcmd_argv(n, on_acked, e, 4, ack, NULL) == 0) {
        e->refs++;
        return;
    }
    event_drop(e);
}

static void event_check_done(struct nevent *e)
{
    if (e->acking || e->dropped)
        return;
    for (size_t i = 0; i < e->nd; i++) {
        if (e->d[i].st == D_ABANDON)
            e->failed = true;
        else if (e->d[i].st != D_DONE)
            return;
    }
    if (e->failed) {
        log_warn("entry=%s job=%s msg=\"outcome not recorded: left pending for redelivery\"", e->id,
                 e->ev.job_id ? e->ev.job_id : "-");
        event_drop(e);
        return;
    }
    event_ack(e);
}

/* --- outcome records ------------------------------------------------------------------- */

static void d_log(const struct delivery *d, enum log_level lvl, const char *msg, const char *extra)
{
    if (lvl < log_min_level)
        return;
    char *safe = NULL;
    if (d->t && d->t->url)
        notify_url_redact(d->t->url, &safe);
    log_write(
        lvl,
        "entry=%s job=%s rule=%s target=%zu type=%s name=\"%s\" url=%s attempt=%d msg=\"%s\"%s%s",
        d->ev->id, d->ev->ev.job_id, d->ev->ev.rule_id, d->idx,
        d->t && d->t->valid ? notify_type_name(d->t->type) : "invalid",
        d->t && d->t->name ? d->t->name : "", safe ? safe : "-", d->attempts, msg, extra ? " " : "",
        extra ? extra : "");
    free(safe);
}

static void on_recorded(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct delivery *d = ud;
    struct nevent *e = d->ev;
    if (d->st == D_RECORD)
        d->st = reply_ok(reply) ? D_DONE : D_ABANDON;
    if (d->st == D_ABANDON)
        d_log(d, LOG_WARN, "could not record the outcome in Redis", NULL);
    event_check_done(e);
    ev_unref(e);
}

/* <prefix>notify:<kind>:<a>:<target key>[:<c>] */
static void key3(char *out, size_t cap, const char *prefix, const char *kind, const char *a,
                 const char *b, const char *c)
{
    if (c)
        snprintf(out, cap, "%snotify:%s:%s:%s:%s", prefix, kind, a, b, c);
    else
        snprintf(out, cap, "%snotify:%s:%s:%s", prefix, kind, a, b);
}

/* Record a success: the sent marker (NX: a concurrent duplicate keeps the first), the last
 * state for only_on_change, the fleet counter. The MULTI makes the three one outcome. */
static void record_delivered(struct delivery *d)
{
    struct nevent *e = d->ev;
    struct notifier *n = e->n;
    char k_sent[QUEUE_MAX_KEY], k_last[QUEUE_MAX_KEY * 2], k_metric[QUEUE_MAX_KEY];
    char val[QUEUE_MAX_KEY];
    key3(k_sent, sizeof(k_sent), n->cfg->prefix, "sent", e->ev.job_id, d->t->key, NULL);
    key3(k_last, sizeof(k_last), n->cfg->prefix, "last", e->ev.rule_id, d->t->key, e->im.image);
    snprintf(k_metric, sizeof(k_metric), "%smetrics:notify_sent", n->cfg->prefix);
    snprintf(val, sizeof(val), "%s:%s", e->ev.job_id, d->t->key);
    n->m.delivered++;
    d->st = D_RECORD;
    d_log(d, LOG_INFO, "delivered", NULL);
    int rc = rcmd_argv(n, NULL, NULL, 1, (const char *[]){"MULTI"}, NULL);
    rc = rc ? rc
            : rcmd_argv(n, NULL, NULL, 6,
                        (const char *[]){"SET", k_sent, val, "NX", "EX", SENT_TTL_S}, NULL);
    rc = rc ? rc
            : rcmd_argv(n, NULL, NULL, 5,
                        (const char *[]){"SET", k_last, e->state, "EX", LAST_TTL_S}, NULL);
    rc = rc ? rc : rcmd_argv(n, NULL, NULL, 3, (const char *[]){"INCRBY", k_metric, "1"}, NULL);
    rc = rc ? rc : rcmd_argv(n, on_recorded, d, 1, (const char *[]){"EXEC"}, NULL);
    if (rc) {
        d->st = D_ABANDON;
        event_check_done(e);
        return;
    }
    e->refs++;
}

static void record_dead(struct delivery *d)
{
    struct nevent *e = d->ev;
    struct notifier *n = e->n;
    char tgt[24], attempts[24], at[24], k_metric[QUEUE_MAX_KEY];
    snprintf(tgt, sizeof(tgt), "%zu", d->idx);
    snprintf(attempts, sizeof(attempts), "%d", d->attempts);
    snprintf(at, sizeof(at), "%" PRId64, wall_ms());
    snprintf(k_metric, sizeof(k_metric), "%smetrics:notify_dead", n->cfg->prefix);
    const char *type = d->t && d->t->valid ? notify_type_name(d->t->type) : "invalid";
    const char *name = d->t && d->t->name ? d->t->name : "";
    const char *argv[] = {"XADD",        n->k_dead,
                          "MAXLEN",      "~",
                          DEAD_MAXLEN,   "*",
                          "event",       (char *)e->raw,
                          "rule_id",     e->ev.rule_id,
                          "target",      tgt,
                          "target_type", type,
                          "target_name", name,
                          "reason",      d->reason,
                          "attempts",    attempts,
                          "failed_at",   at,
                          "target_key",  d->t ? d->t->key : ""};
    size_t lens[sizeof(argv) / sizeof(argv[0])];
    for (size_t i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
        lens[i] = i == 7 ? e->raw_len : strlen(argv[i]);
    n->m.dead++;
    d->st = D_RECORD;
    d_log(d, LOG_ERROR, "dead-lettered", NULL);
    log_error("entry=%s job=%s target=%zu reason=\"%s\"", e->id, e->ev.job_id, d->idx, d->reason);
    int rc = rcmd_argv(n, NULL, NULL, 1, (const char *[]){"MULTI"}, NULL);
    rc = rc ? rc : rcmd_argv(n, NULL, NULL, (int)(sizeof(argv) / sizeof(argv[0])), argv, lens);
    rc = rc ? rc : rcmd_argv(n, NULL, NULL, 3, (const char *[]){"INCRBY", k_metric, "1"}, NULL);
    rc = rc ? rc : rcmd_argv(n, on_recorded, d, 1, (const char *[]){"EXEC"}, NULL);
    if (rc) {
        d->st = D_ABANDON;
        event_check_done(e);
        return;
    }
    e->refs++;
}

/* --- the ready queue and DingTalk robots ----------------------------------------------- */

static void ready_push(struct notifier *n, struct delivery *d)
{
    d->st = D_READY;
    d->qnext = NULL;
    if (n->rtail)
        n->rtail->qnext = d;
    else
        n->rhead = d;
    n->rtail = d;
}

static struct robot *robot_get(struct notifier *n, const char *url)
{
    for (struct robot *r = n->robots; r; r = r->next)
        if (strcmp(r->url, url) == 0)
            return r;
    struct robot *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->url = strdup(url);
    r->sent_ms = calloc((size_t)n->cfg->dingtalk_per_minute, sizeof(uint64_t));
    if (r->url == NULL || r->sent_ms == NULL) {
        free(r->url);
        free(r->sent_ms);
        free(r);
        return NULL;
    }
    r->next = n->robots;
    n->robots = r;
    return r;
}

/* True when one more message fits in the robot's window now. The ring holds the last
 * per_minute send times; 0 = unused slot. */
static bool robot_open(struct notifier *n, const struct robot *r)
{
    if (r->busy)
        return false;
    uint64_t oldest = r->sent_ms[r->pos];
    return oldest == 0 || uv_now(n->loop) - oldest >= n->cfg->dingtalk_window_ms;
}

/* Note a send in the ring; returns its slot (see robot_note_done). */
static size_t robot_note_send(struct notifier *n, struct robot *r)
{
    size_t slot = r->pos;
    r->sent_ms[slot] = uv_now(n->loop);
    if (r->sent_ms[slot] == 0)
        r->sent_ms[slot] = 1;
    r->pos = (r->pos + 1) % (size_t)n->cfg->dingtalk_per_minute;
    return slot;
}

/* The reply came: count the message from now, not from when it left. The robot counts when
 * the message arrives, which can be well after the send on a slow network; the window must
 * hold at the robot's end, so the later time is the safe one. */
static void robot_note_done(struct notifier *n, struct robot *r, size_t slot)
{
    uint64_t now = uv_now(n->loop);
    if (slot < (size_t)n->cfg->dingtalk_per_minute && r->sent_ms[slot] && r->sent_ms[slot] < now)
        r->sent_ms[slot] = now;
}

/* The robot said "too many messages" (errcode 130101): treat its window as full. */
static void robot_close_window(struct notifier *n, struct robot *r)
{
    for (int i = 0; i < n->cfg->dingtalk_per_minute; i++)
        robot_note_send(n, r);
}

/* --- requests -------------------------------------------------------------------------- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct request *q = ud;
    size_t len = size * nmemb;
    /* past the cap the rest is discarded: the verdict needs only the first bytes */
    if (q->resp.len < q->resp.max)
        buf_append(&q->resp, ptr,
                   len < q->resp.max - q->resp.len ? len : q->resp.max - q->resp.len);
    return len;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct request *q = ud;
    size_t len = size * nmemb;
    uint64_t ms;
    if (len > 12 && strncasecmp(ptr, "retry-after:", 12) == 0 &&
        notify_retry_after_parse(ptr + 12, len - 12, wall_ms() / 1000, &ms) == 0)
        q->retry_after_ms = ms > INT64_MAX ? INT64_MAX : (int64_t)ms;
    return len;
}

static void request_free(struct request *q)
{
    struct notifier *n = q->n;
    if (q->prev)
        q->prev->next = q->next;
    else if (n->requests == q)
        n->requests = q->next;
    if (q->next)
        q->next->prev = q->prev;
    if (q->easy)
        curl_easy_cleanup(q->easy);
    curl_slist_free_all(q->hdrs);
    free(q->url);
    free(q->body);
    buf_cleanup(&q->resp);
    free(q->members);
    free(q);
}

/* Remove what must not be stored or logged from a failure text: the target's secret and the
 * query of its URL (DingTalk's access_token), wherever they appear. */
static void scrub(char *s, const struct notify_target *t)
{
    const char *needles[2] = {t && t->secret ? t->secret : NULL, NULL};
    const char *q = t && t->url ? strchr(t->url, '?') : NULL;
    if (q && q[1])
        needles[1] = q + 1;
    for (int i = 0; i < 2; i++) {
        size_t nl = needles[i] ? strlen(needles[i]) : 0;
        char *p;
        if (nl < 4)
            continue;
        while ((p = strstr(s, needles[i])) != NULL) {
            memset(p, '*', nl);
        }
    }
    for (char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
            *p = ' ';
}

static void delivery_failed(struct delivery *d, bool permanent, int64_t retry_after_ms)
{
    struct notifier *n = d->ev->n;
    char k_metric[QUEUE_MAX_KEY];
    scrub(d->reason, d->t);
    n->m.failed_attempts++;
    snprintf(k_metric, sizeof(k_metric), "%smetrics:notify_failed_attempts", n->cfg->prefix);
    rcmd_argv(n, NULL, NULL, 3, (const char *[]){"INCRBY", k_metric, "1"}, NULL);
    if (permanent || d->attempts >= n->cfg->max_attempts) {
        if (!permanent) {
            char tmp[NOTIFY_REASON_MAX];
            memcpy(tmp, d->reason, sizeof(tmp));
            set_reason(d, "after %d attempts: %s", d->attempts, tmp);
        }
        record_dead(d);
        return;
    }
    uint64_t delay =
        notify_retry_delay_ms(notify_backoff_ms((unsigned)d->attempts, n->cfg->backoff_base_ms,
                                                n->cfg->backoff_max_ms, rnd32(n)),
                              retry_after_ms, n->cfg->backoff_max_ms);
    char extra[NOTIFY_REASON_MAX + 64];
    fmt_into(extra, sizeof(extra), "retry_in_ms=%" PRIu64 " reason=\"%s\"", delay, d->reason);
    d_log(d, LOG_WARN, "delivery failed, will retry", extra);
    d->st = D_BACKOFF;
    d->due_ms = uv_now(n->loop) + delay;
}

static void on_request_done(CURL *easy, CURLcode result, void *ctx)
{
    struct request *q = ctx;
    struct notifier *n = q->n;
    long status = 0;
    (void)easy;
    n->in_flight--;
    if (q->robot) {
        q->robot->busy = false;
        robot_note_done(n, q->robot, q->robot_slot);
    }
    curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
    for (size_t i = 0; i < q->n_members; i++) {
        struct delivery *d = q->members[i];
        bool dingtalk = d->t->type == NOTIFY_TYPE_DINGTALK;
        bool permanent = false;
        d->attempts++;
        if (result != CURLE_OK) {
            set_reason(d, "transport: %s%s%s", curl_easy_strerror(result), q->errbuf[0] ? ": " : "",
                       q->errbuf);
        } else {
            enum notify_verdict v = notify_http_verdict(status);
            if (v == NOTIFY_DELIVERED && dingtalk) {
                long code = 0;
                char msg[NOTIFY_ERRMSG_MAX + 1] = "";
                struct dd_error e = {0};
                if (notify_dingtalk_reply_parse((const char *)q->resp.data, q->resp.len, &code, msg,
                                                sizeof(msg), &e) != 0) {
                    set_reason(d, "HTTP %ld: bad DingTalk reply: %s", status, e.msg);
                    v = NOTIFY_RETRY;
                } else if (code != 0) {
                    set_reason(d, "DingTalk errcode %ld: %s", code, msg);
                    v = NOTIFY_RETRY;
                    if (code == NOTIFY_DINGTALK_RATE_LIMITED && q->robot)
                        robot_close_window(n, q->robot);
                }
            } else if (v != NOTIFY_DELIVERED) {
                set_reason(d, "HTTP %ld", status);
                permanent = v == NOTIFY_PERMANENT;
                if (status == 429 && q->robot)
                    robot_close_window(n, q->robot);
            }
            if (v == NOTIFY_DELIVERED) {
                record_delivered(d);
                ev_unref(d->ev);
                continue;
            }
        }
        delivery_failed(d, permanent, q->retry_after_ms);
        event_check_done(d->ev);
        ev_unref(d->ev);
    }
    q->n_members = 0;
    request_free(q);
    pump(n);
    maybe_stopped(n);
}

/* Start one POST carrying members (one delivery, or a DingTalk batch for one robot). Takes
 * the members' event references on success; on failure the members are failed attempts. */
static void request_start(struct notifier *n, struct delivery **members, size_t nm,
                          struct robot *robot)
{
    struct request *q = calloc(1, sizeof(*q));
    struct notify_scan *scans = NULL;
    const struct delivery *d0 = members[0];
    const struct notify_target *t = d0->t;
    char hdr[256], sig[NOTIFY_HMAC_HEX_LEN + 1];
    size_t blen = 0;
    int rc = DD_ENOMEM;
    if (q == NULL)
        goto fail;
    q->n = n;
    q->members = members;
    q->n_members = nm;
    members = NULL;
    q->robot = robot;
    q->retry_after_ms = -1;
    buf_init(&q->resp, RESP_MAX);
    if (t->type == NOTIFY_TYPE_DINGTALK) {
        if ((scans = calloc(nm, sizeof(*scans))) == NULL)
            goto fail;
        for (size_t i = 0; i < nm; i++) {
            const struct nevent *e = q->members[i]->ev;
            scans[i] = (struct notify_scan){&e->ev, e->rule.name, e->findings, e->n_findings};
        }
        if ((rc = notify_dingtalk_body(scans, nm, n->cfg->report_base_url, &q->body, &blen)) ||
            (rc = notify_dingtalk_url(t->url, t->secret, wall_ms(), &q->url)))
            goto fail;
    } else {
        if ((rc = notify_payload_json(&d0->ev->ev, d0->ev->rule.name, n->cfg->report_base_url,
                                      &q->body, &blen)) ||
            (q->url = strdup(t->url)) == NULL)
            goto fail;
    }
    rc = DD_ENOMEM;
    if ((q->easy = curl_easy_init()) == NULL)
        goto fail;
    struct curl_slist *h = q->hdrs;
#define ADD_HDR(...)                                                                               \
    do {                                                                                           \
        snprintf(hdr, sizeof(hdr), __VA_ARGS__);                                                   \
        struct curl_slist *nh = curl_slist_append(h, hdr);                                         \
        if (nh == NULL)                                                                            \
            goto fail;                                                                             \
        h = q->hdrs = nh;                                                                          \
    } while (0)
    ADD_HDR("Content-Type: application/json");
    ADD_HDR("User-Agent: drydock-notifier/%s", DD_VERSION);
    ADD_HDR("Expect:");
    if (nm == 1) {
        ADD_HDR("X-Drydock-Event: %s", notify_event_type(&d0->ev->ev));
        ADD_HDR("Idempotency-Key: %s:%s", d0->ev->ev.job_id, d0->t->key);
    }
    if (t->type != NOTIFY_TYPE_DINGTALK && t->secret) {
        if (notify_hmac_hex(t->secret, strlen(t->secret), q->body, blen, sig) != 0)
            goto fail;
        ADD_HDR("X-Drydock-Signature: sha256=%s", sig);
    }
#undef ADD_HDR
    CURL *c = q->easy;
    curl_easy_setopt(c, CURLOPT_URL, q->url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, q->hdrs);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)n->cfg->request_timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)n->cfg->connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                     t->type == NOTIFY_TYPE_HTTP    ? "http"
                     : t->type == NOTIFY_TYPE_HTTPS ? "https"
                                                    : "http,https");
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (t->ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, t->ca_file);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, q);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, q);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, q->errbuf);
    if ((rc = http_uv_add(&n->http, c, on_request_done, q)) != 0)
        goto fail;
    for (size_t i = 0; i < nm; i++) {
        q->members[i]->st = D_SENDING;
        q->members[i]->ev->refs++;
    }
    q->next = n->requests;
    if (n->requests)
        n->requests->prev = q;
    n->requests = q;
    n->in_flight++;
    n->m.requests++;
    if (robot) {
        robot->busy = true;
        q->robot_slot = robot_note_send(n, robot);
        if (nm > 1)
            n->m.dingtalk_batches++;
    }
    for (size_t i = 0; i < nm; i++)
        d_log(q->members[i], LOG_DEBUG, nm > 1 ? "sending (batched)" : "sending", NULL);
    free(scans);
    return;
fail:
    free(scans);
    {
        struct delivery **ms = q ? q->members : members;
        for (size_t i = 0; i < nm; i++) {
            ms[i]->attempts++;
            set_reason(ms[i], "cannot build the request: %s", dd_strerror(rc));
            delivery_failed(ms[i], false, -1);
            event_check_done(ms[i]->ev);
        }
        if (q) {
            q->n_members = 0;
            request_free(q);
        } else {
            free(members);
        }
    }
}

static void send_single(struct notifier *n, struct delivery *d, struct robot *r)
{
    struct delivery **m = malloc(sizeof(*m));
    if (m == NULL) {
        d->st = D_BACKOFF; /* try again at the next tick */
        d->due_ms = uv_now(n->loop) + TICK_MS;
        return;
    }
    m[0] = d;
    request_start(n, m, 1, r);
}

/* Messages the robot's window still takes now. */
static size_t robot_free_slots(struct notifier *n, const struct robot *r)
{
    size_t k = 0;
    for (int i = 0; i < n->cfg->dingtalk_per_minute; i++)
        k += r->sent_ms[i] == 0 || uv_now(n->loop) - r->sent_ms[i] >= n->cfg->dingtalk_window_ms;
    return k;
}

/* Send what a robot has queued once it is free: one message at a time while its window has
 * room for every queued one, else (the rate limit hit) one batched message for all of it. */
static void robot_flush(struct notifier *n, struct robot *r)
{
    if (r->qlen == 0 || !robot_open(n, r) || n->in_flight >= n->cfg->concurrency)
        return;
    if (robot_free_slots(n, r) >= r->qlen) {
        struct delivery *d = r->qhead;
        r->qhead = d->qnext;
        if (r->qhead == NULL)
            r->qtail = NULL;
        d->qnext = NULL;
        r->qlen--;
        send_single(n, d, r);
        return;
    }
    struct delivery **m = malloc(r->qlen * sizeof(*m));
    if (m == NULL)
        return;
    size_t k = 0;
    for (struct delivery *d = r->qhead; d; d = d->qnext)
        m[k++] = d;
    r->qhead = r->qtail = NULL;
    r->qlen = 0;
    log_info("robot_queue=%zu msg=\"DingTalk window open: sending %s\"", k,
             k > 1 ? "one batched message" : "the queued message");
    request_start(n, m, k, r);
}

static void pump(struct notifier *n)
{
    if (n->stopping)
        return;
    for (struct robot *r = n->robots; r; r = r->next)
        robot_flush(n, r);
    while (n->rhead && n->in_flight < n->cfg->concurrency) {
        struct delivery *d = n->rhead;
        n->rhead = d->qnext;
        if (n->rhead == NULL)
            n->rtail = NULL;
        d->qnext = NULL;
        if (d->t->type != NOTIFY_TYPE_DINGTALK) {
            send_single(n, d, NULL);
            continue;
        }
        struct robot *r = robot_get(n, d->t->url);
        if (r && r->qlen == 0 && robot_open(n, r)) {
            send_single(n, d, r);
            continue;
        }
        if (r == NULL) {
            send_single(n, d, NULL);
            continue;
        }
        d->st = D_ROBOT;
        if (r->qtail)
            r->qtail->qnext = d;
        else
            r->qhead = d;
        r->qtail = d;
        r->qlen++;
        n->m.dingtalk_queued_total++;
        d_log(d, LOG_INFO,
              "DingTalk robot busy or its rate window full: queued for a batched message", NULL);
    }
}

static void on_tick(uv_timer_t *t)
{
    struct notifier *n = t->data;
    uint64_t now = uv_now(n->loop);
    if (n->stopping)
        return;
    for (struct nevent *e = n->events; e; e = e->next)
        for (size_t i = 0; i < e->nd; i++)
            if (e->d[i].st == D_BACKOFF && e->d[i].due_ms <= now) {
                if (e->d[i].recheck) {
                    e->d[i].recheck = false;
                    delivery_check(&e->d[i]);
                    event_check_done(e);
                } else {
                    ready_push(n, &e->d[i]);
                }
            }
    pump(n);
}

/* --- per-target checks ----------------------------------------------------------------- */

static void on_checked(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct delivery *d = ud;
    struct nevent *e = d->ev;
    struct notifier *n = e->n;
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        d->st = D_ABANDON;
    } else if (reply->element[0]->type == REDIS_REPLY_STRING) {
        n->m.skipped_sent++;
        d_log(d, LOG_INFO, "already delivered: not sending again", NULL);
        d->st = D_DONE;
    } else if (e->replay_target < 0 &&
               !notify_min_severity_met(e->ev.summary.status, &e->ev.summary.counts,
                                        d->t->min_severity)) {
        n->m.skipped_severity++;
        d_log(d, LOG_DEBUG, "below min_severity: not sent", NULL);
        d->st = D_DONE;
    } else if (e->replay_target < 0 && d->t->only_on_change &&
               reply->element[1]->type == REDIS_REPLY_STRING &&
               strcmp(reply->element[1]->str, e->state) == 0) {
        n->m.skipped_unchanged++;
        d_log(d, LOG_DEBUG, "unchanged since the last notification: not sent", NULL);
        d->st = D_DONE;
    } else {
        ready_push(n, d);
    }
    event_check_done(e);
    ev_unref(e);
    pump(n);
}

static void delivery_check(struct delivery *d)
{
    struct nevent *e = d->ev;
    struct notifier *n = e->n;
    char k_sent[QUEUE_MAX_KEY], k_last[QUEUE_MAX_KEY * 2];
    if (!d->t->valid) {
        set_reason(d, "invalid target: %s", d->t->reason);
        record_dead(d);
        return;
    }
    /* the same job and target in another entry held here (two replays, a replay racing the
     * original): let the first finish, then look at the marker again */
    for (struct nevent *x = n->events; x; x = x->next) {
        if (x == e || strcmp(x->ev.job_id ? x->ev.job_id : "", e->ev.job_id) != 0)
            continue;
        for (size_t i = 0; i < x->nd; i++)
            if (strcmp(x->d[i].t->key, d->t->key) == 0 && x->d[i].st != D_DONE &&
                x->d[i].st != D_ABANDON && !(x->d[i].st == D_BACKOFF && x->d[i].recheck)) {
                d->st = D_BACKOFF;
                d->recheck = true;
                d->due_ms = uv_now(n->loop) + 1000;
                return;
            }
    }
    key3(k_sent, sizeof(k_sent), n->cfg->prefix, "sent", e->ev.job_id, d->t->key, NULL);
    key3(k_last, sizeof(k_last), n->cfg->prefix, "last", e->ev.rule_id, d->t->key, e->im.image);
    d->st = D_CHECK;
    if (rcmd_argv(n, on_checked, d, 3, (const char *[]){"MGET", k_sent, k_last}, NULL) != 0) {
        d->st = D_ABANDON;
        event_check_done(e);
        return;
    }
    e->refs++;
}

static void event_start_deliveries(struct nevent *e)
{
    for (size_t i = 0; i < e->nd && !e->dropped; i++)
        delivery_check(&e->d[i]);
    event_check_done(e);
}

static void on_report(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct nevent *e = ud;
    struct dd_error err = {0};
    if (reply && reply->type == REDIS_REPLY_STRING &&
        notify_report_top(reply->str, reply->len, NOTIFY_TOP_FINDINGS, &e->findings, &e->n_findings,
                          &err) != 0)
        log_warn("entry=%s job=%s msg=\"report unreadable: message without findings\" "
                 "error=\"%s\"",
                 e->id, e->ev.job_id, err.msg);
    if (!e->n->stopping)
        event_start_deliveries(e);
    else
        event_drop(e);
    ev_unref(e);
}

static void on_rule(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct nevent *e = ud;
    struct notifier *n = e->n;
    struct dd_error err = {0};
    bool dingtalk = false;
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        log_warn("entry=%s job=%s msg=\"cannot read the rule: left pending\"", e->id, e->ev.job_id);
        goto drop;
    }
    if (reply->type != REDIS_REPLY_STRING) {
        n->m.events_no_rule++;
        log_info("entry=%s job=%s rule=%s msg=\"rule deleted: nothing to send\"", e->id,
                 e->ev.job_id, e->ev.rule_id);
        goto ack;
    }
    if (notify_rule_parse(reply->str, reply->len, &e->rule, &err) != 0) {
        n->m.events_no_rule++;
        log_error("entry=%s job=%s rule=%s msg=\"rule unreadable: nothing sent\" error=\"%s\"",
                  e->id, e->ev.job_id, e->ev.rule_id, err.msg);
        goto ack;
    }
    if (!e->rule.enabled) {
        n->m.events_no_rule++;
        log_info("entry=%s job=%s rule=%s msg=\"rule disabled: nothing to send\"", e->id,
                 e->ev.job_id, e->ev.rule_id);
        goto ack;
    }
    size_t first = 0, count = e->rule.n_targets;
    if (e->replay_target >= 0 && e->replay_key[0]) {
        /* by key: the rule may have been edited since (targets reordered, added, removed) */
        size_t k = 0;
        while (k < e->rule.n_targets && strcmp(e->rule.targets[k].key, e->replay_key) != 0)
            k++;
        e->replay_target = k < e->rule.n_targets ? (int)k : (int)NOTIFY_TARGETS_MAX;
    }
    if (e->replay_target >= 0) {
        if ((size_t)e->replay_target >= e->rule.n_targets) {
            log_warn("entry=%s job=%s rule=%s target=%d msg=\"replay of a target the rule no "
                     "longer has: dropped\"",
                     e->id, e->ev.job_id, e->ev.rule_id, e->replay_target);
            goto ack;
        }
        first = (size_t)e->replay_target;
        count = 1;
    }
    if (count == 0)
        goto ack;
    if ((e->d = calloc(count, sizeof(*e->d))) == NULL)
        goto drop;
    e->nd = count;
    for (size_t i = 0; i < count; i++) {
        e->d[i].ev = e;
        e->d[i].idx = first + i;
        e->d[i].t = &e->rule.targets[first + i];
        if (e->d[i].t->valid && e->d[i].t->type == NOTIFY_TYPE_DINGTALK)
            dingtalk = true;
    }
    if (dingtalk && e->ev.summary.status == QUEUE_STATUS_COMPLETE) {
        char k[QUEUE_MAX_KEY];
        queue_key(k, sizeof(k), n->cfg->prefix, "report", e->ev.job_id);
        if (rcmd_argv(n, on_report, e, 2, (const char *[]){"GET", k}, NULL) == 0) {
            e->refs++;
            ev_unref(e);
            return;
        }
    }
    event_start_deliveries(e);
    ev_unref(e);
    return;
ack:
    event_ack(e);
    ev_unref(e);
    return;
drop:
    event_drop(e);
    ev_unref(e);
}

/* One stream entry: [id, [field, value, ...]] (or nil for an entry deleted while pending). */
static void take_entry(struct notifier *n, int stream, const redisReply *entry, bool reclaimed)
{
    if (entry == NULL || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING || entry->element[0]->len >= 64)
        return;
    const char *sid = entry->element[0]->str;
    for (struct nevent *x = n->events; x; x = x->next)
        if (x->stream == stream && strcmp(x->id, sid) == 0)
            return; /* already ours */
    const redisReply *fields = entry->element[1], *payload = NULL, *target = NULL,
                     *target_key = NULL;
    for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements;
         i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp(k->str, "event") == 0)
            payload = v;
        else if (strcmp(k->str, "target") == 0)
            target = v;
        else if (strcmp(k->str, "target_key") == 0)
            target_key = v;
    }
    struct nevent *e = calloc(1, sizeof(*e));
    struct dd_error err = {0};
    if (e == NULL)
        return; /* stays pending; reclaimed later */
    e->n = n;
    e->stream = stream;
    e->replay_target = -1;
    snprintf(e->id, sizeof(e->id), "%s", sid);
    e->next = n->events;
    if (n->events)
        n->events->prev = e;
    n->events = e;
    n->held++;
    n->m.events++;
    if (reclaimed) {
        n->m.reclaimed++;
        log_info("entry=%s stream=%s msg=\"reclaimed an idle event\"", e->id, n->k_stream[stream]);
    }
    int rc = payload ? queue_event_decode((const uint8_t *)payload->str, payload->len, &e->ev, &err)
                     : dd_error_set(&err, DD_EPARSE, "entry has no 'event' field");
    if (rc == 0 && stream == STREAM_REPLAY) {
        char *end = NULL;
        long t = target ? strtol(target->str, &end, 10) : -1;
        if (target == NULL || end == target->str || *end != '\0' || t < 0 ||
            t >= NOTIFY_TARGETS_MAX)
            rc = dd_error_set(&err, DD_EPARSE, "replay entry without a valid 'target'");
        e->replay_target = (int)t;
        if (target_key && target_key->len > 0 && target_key->len <= NOTIFY_TARGET_KEY_LEN)
            snprintf(e->replay_key, sizeof(e->replay_key), "%s", target_key->str);
    }
    if (rc == 0 && (e->raw = malloc(payload->len + 1)) != NULL) {
        memcpy(e->raw, payload->str, payload->len);
        e->raw_len = payload->len;
    } else if (rc == 0) {
        event_drop(e);
        return;
    }
    if (rc) {
        n->m.events_bad++;
        log_error("entry=%s stream=%s msg=\"undecodable entry: acknowledged and dropped\" "
                  "error=\"%s\"",
                  e->id, n->k_stream[stream], err.msg);
        event_ack(e);
        return;
    }
    if (e->ev.rule_id == NULL || e->ev.rule_id[0] == '\0') {
        n->m.events_no_route++;
        log_debug("entry=%s job=%s msg=\"no rule: nobody to notify\"", e->id, e->ev.job_id);
        event_ack(e);
        return;
    }
    if (notify_image_split(e->ev.summary.image ? e->ev.summary.image : "", &e->im) != 0 ||
        notify_state(&e->ev, e->state, sizeof(e->state)) != 0) {
        event_drop(e);
        return;
    }
    char k[QUEUE_MAX_KEY];
    if (queue_key(k, sizeof(k), n->cfg->prefix, "rule", e->ev.rule_id) != 0 ||
        rcmd_argv(n, on_rule, e, 2, (const char *[]){"GET", k}, NULL) != 0) {
        event_drop(e);
        return;
    }
    e->refs++;
}

/* --- intake, groups, reclaim, heartbeat ------------------------------------------------ */

static void on_read(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct notifier *n = ud;
    n->reading = false;
    if (reply && reply->type == REDIS_REPLY_ERROR) {
        log_warn("msg=\"XREADGROUP failed\" error=\"%s\"", reply->str);
        if (strncmp(reply->str, "NOGROUP", 7) == 0)
            n->groups_ready = 0;
        return; /* the retry timer reads again */
    }
    if (reply && reply->type == REDIS_REPLY_ARRAY) {
        for (size_t s = 0; s < reply->elements; s++) {
            const redisReply *st = reply->element[s];
            if (st->type != REDIS_REPLY_ARRAY || st->elements != 2 ||
                st->element[0]->type != REDIS_REPLY_STRING ||
                st->element[1]->type != REDIS_REPLY_ARRAY)
                continue;
            int which = strcmp(st->element[0]->str, n->k_stream[STREAM_REPLAY]) == 0
                            ? STREAM_REPLAY
                            : STREAM_EVENTS;
            for (size_t i = 0; i < st->element[1]->elements; i++)
                take_entry(n, which, st->element[1]->element[i], false);
        }
    }
    if (reply)
        intake_maybe(n);
}

static void intake_maybe(struct notifier *n)
{
    int free_slots = n->cfg->max_events - n->held;
    if (n->stopping || n->reading || n->groups_ready != N_STREAMS || free_slots <= 0 ||
        !n->intake.connected)
        return;
    char count[16], block[24];
    snprintf(count, sizeof(count), "%d", free_slots > 64 ? 64 : free_slots);
    snprintf(block, sizeof(block), "%" PRIu64, n->cfg->block_ms);
    const char *argv[] = {"XREADGROUP",
                          "GROUP",
                          GROUP,
                          n->name,
                          "COUNT",
                          count,
                          "BLOCK",
                          block,
                          "STREAMS",
                          n->k_stream[STREAM_EVENTS],
                          n->k_stream[STREAM_REPLAY],
                          ">",
                          ">"};
    size_t lens[13];
    for (int i = 0; i < 13; i++)
        lens[i] = strlen(argv[i]);
    if (redis_uv_command(&n->intake, on_read, n, n->cfg->block_ms + n->cfg->command_timeout_ms, 13,
                         argv, lens) == 0)
        n->reading = true;
}

static void on_group(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct notifier *n = ud;
    if (reply && (reply->type != REDIS_REPLY_ERROR || strncmp(reply->str, "BUSYGROUP", 9) == 0)) {
        if (n->groups_ready < N_STREAMS)
            n->groups_ready++;
        intake_maybe(n);
        return;
    }
    log_warn("msg=\"XGROUP CREATE failed\" error=\"%s\"", reply ? reply->str : "no reply");
}

static void ensure_groups(struct notifier *n)
{
    n->groups_ready = 0;
    /* dd:events: "$" (the contract: a new group starts with new events); the replay stream:
     * "0", a replay queued before any notifier ran must still be delivered */
    rcmd_argv(
        n, on_group, n, 6,
        (const char *[]){"XGROUP", "CREATE", n->k_stream[STREAM_EVENTS], GROUP, "$", "MKSTREAM"},
        NULL);
    rcmd_argv(
        n, on_group, n, 6,
        (const char *[]){"XGROUP", "CREATE", n->k_stream[STREAM_REPLAY], GROUP, "0", "MKSTREAM"},
        NULL);
}

static void on_cmd_up(struct redis_uv *r, void *ud)
{
    (void)r;
    ensure_groups(ud);
}

static void on_intake_up(struct redis_uv *r, void *ud)
{
    (void)r;
    intake_maybe(ud);
}

static void on_retry_timer(uv_timer_t *t)
{
    struct notifier *n = t->data;
    if (n->groups_ready != N_STREAMS && n->cmd.connected && !n->stopping && n->ops == 0)
        ensure_groups(n);
    intake_maybe(n);
}

struct claim_ctx {
    struct notifier *n;
    int stream;
};

static void on_autoclaim(struct redis_uv *r, redisReply *reply, void *ud)
{
    (void)r;
    struct claim_ctx *c = ud;
    struct notifier *n = c->n;
    int stream = c->stream;
    free(c);
    n->reclaiming[stream] = false;
    /* [next cursor, [[id, fields] | nil, ...], [deleted ids]] */
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements < 2 ||
        reply->element[1]->type != REDIS_REPLY_ARRAY)
        return;
    const redisReply *entries = reply->element[1];
    for (size_t i = 0; i < entries->elements && !n->stopping; i++)
        take_entry(n, stream, entries->element[i], true);
}

static void on_reclaim_timer(uv_timer_t *t)
{
    struct notifier *n = t->data;
    int free_slots = n->cfg->max_events - n->held;
    if (n->stopping || free_slots <= 0 || !n->cmd.connected || n->groups_ready != N_STREAMS)
        return;
    for (int s = 0; s < N_STREAMS; s++) {
        if (n->reclaiming[s])
            continue;
        char idle[24], count[16];
        snprintf(idle, sizeof(idle), "%" PRIu64, n->cfg->reclaim_idle_ms);
        snprintf(count, sizeof(count), "%d", free_slots > 64 ? 64 : free_slots);
        struct claim_ctx *c = malloc(sizeof(*c));
        if (c == NULL)
            return;
        c->n = n;
        c->stream = s;
        if (rcmd_argv(n, on_autoclaim, c, 8,
                      (const char *[]){"XAUTOCLAIM", n->k_stream[s], GROUP, n->name, idle, "0-0",
                                       "COUNT", count},
                      NULL) == 0)
            n->reclaiming[s] = true;
        else
            free(c);
    }
}

static void on_heartbeat_timer(uv_timer_t *t)
{
    struct notifier *n = t->data;
    if (!n->cmd.connected)
        return;
    for (int s = 0; s < N_STREAMS; s++) {
        const char *argv[32];
        size_t lens[32];
        int argc = 0;
        struct nevent *e = n->events;
        while (e) {
            argc = 0;
            argv[argc++] = "XCLAIM";
            argv[argc++] = n->k_stream[s];
            argv[argc++] = GROUP;
            argv[argc++] = n->name;
            argv[argc++] = "0";
            for (; e && argc < 31; e = e->next)
                if (e->stream == s && !e->acking)
                    argv[argc++] = e->id;
            if (argc == 5)
                break;
            argv[argc++] = "JUSTID";
            for (int i = 0; i < argc; i++)
                lens[i] = strlen(argv[i]);
            rcmd_argv(n, NULL, NULL, argc, argv, lens);
        }
    }
}

/* --- /healthz and /metrics ------------------------------------------------------------- */

static char *metrics_text(struct notifier *n)
{
    char *out = NULL;
    size_t len = 0, queued = 0, backoff = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL)
        return NULL;
    for (struct robot *r = n->robots; r; r = r->next)
        queued += r->qlen;
    for (struct nevent *e = n->events; e; e = e->next)
        for (size_t i = 0; i < e->nd; i++)
            backoff += e->d[i].st == D_BACKOFF;
    const struct metrics *m = &n->m;
#define G(name, v)                                                                                 \
    fprintf(f, "# TYPE drydock_notifier_" name " gauge\ndrydock_notifier_" name " %llu\n",         \
            (unsigned long long)(v))
#define C(name, v)                                                                                 \
    fprintf(f, "# TYPE drydock_notifier_" name " counter\ndrydock_notifier_" name " %llu\n",       \
            (unsigned long long)(v))
    G("up", 1);
    G("redis_connected", n->cmd.connected ? 1 : 0);
    G("events_held", n->held);
    G("requests_in_flight", n->in_flight);
    G("deliveries_backoff", backoff);
    G("dingtalk_queued", queued);
    C("events_total", m->events);
    C("events_acked_total", m->events_acked);
    C("events_reclaimed_total", m->reclaimed);
    C("events_bad_total", m->events_bad);
    C("events_no_rule_total", m->events_no_rule);
    C("events_unrouted_total", m->events_no_route);
    C("delivered_total", m->delivered);
    C("failed_attempts_total", m->failed_attempts);
    C("dead_letters_total", m->dead);
    C("skipped_already_sent_total", m->skipped_sent);
    C("skipped_min_severity_total", m->skipped_severity);
    C("skipped_unchanged_total", m->skipped_unchanged);
    C("requests_total", m->requests);
    C("dingtalk_batches_total", m->dingtalk_batches);
    C("dingtalk_queued_total", m->dingtalk_queued_total);
#undef G
#undef C
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static bool probe_healthy(void *ctx)
{
    struct notifier *n = ctx;
    return n->cmd.connected && !n->stopping;
}

static char *probe_metrics(void *ctx)
{
    return metrics_text(ctx);
}

/* --- start and stop -------------------------------------------------------------------- */

static void close_handle(uv_handle_t *h)
{
    if (h->loop && !uv_is_closing(h))
        uv_close(h, NULL);
}

static void shut_everything(struct notifier *n)
{
    if (n->closed)
        return;
    n->closed = true;
    uv_timer_stop(&n->stop_timer);
    close_handle((uv_handle_t *)&n->tick);
    close_handle((uv_handle_t *)&n->heartbeat);
    close_handle((uv_handle_t *)&n->reclaim);
    close_handle((uv_handle_t *)&n->stop_timer);
    close_handle((uv_handle_t *)&n->retry_timer);
    close_handle((uv_handle_t *)&n->sigterm);
    close_handle((uv_handle_t *)&n->sigint);
    if (n->probe.on)
        close_handle((uv_handle_t *)&n->probe.tcp);
    if (n->http.multi) {
        /* transfers still running are abandoned without callbacks: free them here */
        struct request *q = n->requests;
        while (q) {
            struct request *next = q->next;
            curl_multi_remove_handle(n->http.multi, q->easy);
            for (size_t i = 0; i < q->n_members; i++)
                ev_unref(q->members[i]->ev);
            q->n_members = 0;
            request_free(q);
            q = next;
        }
        n->in_flight = 0;
        http_uv_close(&n->http, NULL);
    }
    redis_uv_close(&n->intake, NULL);
    redis_uv_close(&n->cmd, NULL); /* outstanding callbacks run now, with NULL */
    /* events never acked stay pending in Redis: another notifier (or the restart) takes them */
    while (n->events) {
        struct nevent *e = n->events;
        e->refs = 0;
        event_drop(e);
    }
    while (n->robots) {
        struct robot *r = n->robots;
        n->robots = r->next;
        free(r->url);
        free(r->sent_ms);
        free(r);
    }
}

static void maybe_stopped(struct notifier *n)
{
    if (!n->stopping || n->closed || n->in_flight > 0 || n->ops > 0)
        return;
    log_info("msg=stopped delivered=%llu dead=%llu held_unacked=%d",
             (unsigned long long)n->m.delivered, (unsigned long long)n->m.dead, n->held);
    shut_everything(n);
}

static void on_stop_timeout(uv_timer_t *t)
{
    struct notifier *n = t->data;
    log_warn("msg=\"shutdown timeout: abandoning requests in flight (their events stay "
             "pending)\" in_flight=%d",
             n->in_flight);
    shut_everything(n);
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct notifier *n = s->data;
    if (n->stopping)
        return;
    log_info("msg=\"stopping: no new events, finishing requests in flight\" signal=%d "
             "in_flight=%d held=%d",
             signum, n->in_flight, n->held);
    n->stopping = true;
    redis_uv_close(&n->intake, NULL);
    uv_timer_stop(&n->reclaim);
    uv_timer_stop(&n->tick);
    uv_timer_start(&n->stop_timer, on_stop_timeout, n->cfg->shutdown_timeout_ms, 0);
    maybe_stopped(n);
}

int notifier_run(const struct notifier_config *c)
{
    struct notifier *n = calloc(1, sizeof(*n));
    uv_loop_t loop;
    int rc = 1;
    if (n == NULL)
        return 1;
    n->cfg = c;
    if (c->name) {
        snprintf(n->name, sizeof(n->name), "%s", c->name);
    } else {
        char host[64] = "host";
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        snprintf(n->name, sizeof(n->name), "%s:%d", host, (int)getpid());
    }
    n->rnd = ((uint64_t)wall_ms() << 16) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
    queue_key_stream(n->k_stream[STREAM_EVENTS], QUEUE_MAX_KEY, c->prefix, "events");
    queue_key_stream(n->k_stream[STREAM_REPLAY], QUEUE_MAX_KEY, c->prefix, "notify:replay");
    queue_key_stream(n->k_dead, sizeof(n->k_dead), c->prefix, "dead");
    uv_loop_init(&loop);
    n->loop = &loop;
    if (http_uv_init(&n->http, &loop) != 0) {
        log_error("msg=\"cannot initialise curl\"");
        goto out_loop;
    }
    uv_timer_init(&loop, &n->tick);
    uv_timer_init(&loop, &n->heartbeat);
    uv_timer_init(&loop, &n->reclaim);
    uv_timer_init(&loop, &n->stop_timer);
    uv_timer_init(&loop, &n->retry_timer);
    n->tick.data = n->heartbeat.data = n->reclaim.data = n->stop_timer.data = n;
    n->retry_timer.data = n;
    uv_signal_init(&loop, &n->sigterm);
    uv_signal_init(&loop, &n->sigint);
    n->sigterm.data = n->sigint.data = n;
    uv_signal_start(&n->sigterm, on_signal, SIGTERM);
    uv_signal_start(&n->sigint, on_signal, SIGINT);
    if (redis_uv_init(&n->cmd, &loop, c->redis_host, c->redis_port, "cmd", on_cmd_up, n) != 0 ||
        redis_uv_init(&n->intake, &loop, c->redis_host, c->redis_port, "intake", on_intake_up, n) !=
            0) {
        log_error("msg=\"out of memory\"");
        n->stopping = true;
        shut_everything(n);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    uv_timer_start(&n->tick, on_tick, TICK_MS, TICK_MS);
    uv_timer_start(&n->retry_timer, on_retry_timer, 250, 250);
    uv_timer_start(&n->reclaim, on_reclaim_timer, c->reclaim_interval_ms, c->reclaim_interval_ms);
    uint64_t hb = c->reclaim_idle_ms / 3 ? c->reclaim_idle_ms / 3 : 1;
    uv_timer_start(&n->heartbeat, on_heartbeat_timer, hb, hb);
    if (c->http_addr &&
        probe_http_start(&n->probe, n->loop, c->http_addr, probe_healthy, probe_metrics, n) != 0) {
        n->stopping = true;
        shut_everything(n);
        uv_run(&loop, UV_RUN_DEFAULT);
        goto out_loop;
    }
    log_info("msg=started name=%s redis=%s:%d concurrency=%d max_attempts=%d", n->name,
             c->redis_host, c->redis_port, c->concurrency, c->max_attempts);
    uv_run(&loop, UV_RUN_DEFAULT);
    rc = 0;
out_loop:
    if (uv_loop_close(&loop) != 0) {
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    free(n);
    return rc;
}
