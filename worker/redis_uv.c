/* redis_uv.c - hiredis async on libuv with deadlines and reconnection (see redis_uv.h).
 *
 * Design: hiredis's own libuv adapter (hiredis/adapters/libuv.h, redisLibuvAttach) does the
 * socket I/O. This module adds what hiredis 0.14 lacks:
 *
 *   command ──▶ struct redis_req {deadline} appended to r->head..tail ──▶ hiredis
 *   reply   ◀── on_reply: unlink req, call the user's callback, free req
 *   watchdog (100 ms): head->deadline passed ──▶ drop the connection: hiredis calls every
 *            outstanding on_reply with NULL, then we reconnect with backoff
 *
 * Invariants: r->ac is NULL whenever the connection is not usable for new commands; every
 * struct redis_req handed to hiredis is freed exactly once, in on_reply (hiredis calls every
 * callback exactly once, with NULL when the context is freed).
 *
 * Not here: pub/sub (callbacks that fire many times), TLS, AUTH (add a command on up).
 */
#include "redis_uv.h"

#include <hiredis/adapters/libuv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"

#define WATCHDOG_MS    100
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
/* A connect that neither succeeds nor fails within this is dropped and retried: hiredis
 * 0.14's libuv adapter swallows poll errors (a refused connect while Redis is down), so
 * on_connect may never run. */
#define CONNECT_TIMEOUT_MS 2000

struct redis_req {
    struct redis_uv *r;
    redis_reply_cb cb;
    void *ud;
    uint64_t deadline_ms; /* uv_now() based */
    struct redis_req *prev, *next;
};

static void connect_now(struct redis_uv *r);

static void on_reconnect_timer(uv_timer_t *t)
{
    connect_now(t->data);
}

static void req_unlink(struct redis_uv *r, struct redis_req *q)
{
    if (q->prev)
        q->prev->next = q->next;
    else
        r->head = q->next;
    if (q->next)
        q->next->prev = q->prev;
    else
        r->tail = q->prev;
    q->prev = q->next = NULL;
    r->outstanding--;
}

static void schedule_reconnect(struct redis_uv *r)
{
    if (r->closing)
        return;
    uv_timer_start(&r->reconnect, on_reconnect_timer, r->backoff_ms, 0);
    r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
}

/* Free the context: outstanding callbacks run with NULL (inside redisAsyncFree). */
static void drop_connection(struct redis_uv *r)
{
    redisAsyncContext *ac = r->ac;
    if (ac == NULL)
        return;
    r->ac = NULL;
    r->connected = false;
    redisAsyncFree(ac);
    schedule_reconnect(r);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct redis_uv *r = ac->data;
    if (r == NULL || r->ac != ac)
        return;
    if (status != REDIS_OK) {
        log_warn("conn=%s msg=\"connect failed\" addr=%s:%d error=\"%s\"", r->name, r->host,
                 r->port, ac->errstr);
        r->ac = NULL; /* hiredis frees it after this callback */
        r->connected = false;
        schedule_reconnect(r);
        return;
    }
    r->connected = true;
    r->backoff_ms = BACKOFF_MIN_MS;
    log_debug("conn=%s msg=connected addr=%s:%d", r->name, r->host, r->port);
    if (r->on_up)
        r->on_up(r, r->up_ud);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct redis_uv *r = ac->data;
    if (r == NULL || r->ac != ac)
        return; /* our own drop_connection: already handled */
    if (status != REDIS_OK)
        log_warn("conn=%s msg=\"connection lost\" error=\"%s\"", r->name, ac->errstr);
    r->ac = NULL;
    r->connected = false;
    schedule_reconnect(r);
}

static void connect_now(struct redis_uv *r)
{
    if (r->closing || r->ac)
        return;
    redisAsyncContext *ac = redisAsyncConnect(r->host, r->port);
    if (ac == NULL) {
        schedule_reconnect(r);
        return;
    }
    if (ac->err) {
        log_warn("conn=%s msg=\"connect failed\" error=\"%s\"", r->name, ac->errstr);
        redisAsyncFree(ac);
        schedule_reconnect(r);
        return;
    }
    ac->data = r;
    if (redisLibuvAttach(ac, r->loop) != REDIS_OK) {
        redisAsyncFree(ac);
        schedule_reconnect(r);
        return;
    }
    r->ac = ac;
    r->connect_started_ms = uv_now(r->loop);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
}

static void on_watchdog(uv_timer_t *t)
{
    struct redis_uv *r = t->data;
    if (r->ac && !r->connected && uv_now(r->loop) - r->connect_started_ms > CONNECT_TIMEOUT_MS) {
        log_warn("conn=%s msg=\"connect timed out, retrying\" addr=%s:%d", r->name, r->host,
                 r->port);
        drop_connection(r);
        return;
    }
    if (r->head && uv_now(r->loop) > r->head->deadline_ms && r->ac) {
        log_warn("conn=%s msg=\"command timed out, reconnecting\" outstanding=%zu", r->name,
                 r->outstanding);
        drop_connection(r);
    }
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    (void)ac;
    struct redis_req *q = privdata;
    struct redis_uv *r = q->r;
    req_unlink(r, q);
    if (q->cb)
        q->cb(r, reply, q->ud);
    free(q);
}

static struct redis_req *req_new(struct redis_uv *r, redis_reply_cb cb, void *ud,
                                 uint64_t timeout_ms)
{
    struct redis_req *q = calloc(1, sizeof(*q));
    if (q == NULL)
        return NULL;
    q->r = r;
    q->cb = cb;
    q->ud = ud;
    q->deadline_ms = uv_now(r->loop) + timeout_ms;
    return q;
}

static void req_link(struct redis_uv *r, struct redis_req *q)
{
    q->prev = r->tail;
    if (r->tail)
        r->tail->next = q;
    else
        r->head = q;
    r->tail = q;
    r->outstanding++;
}

int redis_uv_command(struct redis_uv *r, redis_reply_cb cb, void *ud, uint64_t timeout_ms, int argc,
                     const char **argv, const size_t *argvlen)
{
    if (r->ac == NULL || !r->connected || r->closing)
        return DD_ENET;
    struct redis_req *q = req_new(r, cb, ud, timeout_ms);
    if (q == NULL)
        return DD_ENOMEM;
    req_link(r, q);
    if (redisAsyncCommandArgv(r->ac, on_reply, q, argc, argv, argvlen) != REDIS_OK) {
        req_unlink(r, q);
        free(q);
        return DD_ENET;
    }
    return 0;
}

int redis_uv_commandf(struct redis_uv *r, redis_reply_cb cb, void *ud, uint64_t timeout_ms,
                      const char *fmt, ...)
{
    if (r->ac == NULL || !r->connected || r->closing)
        return DD_ENET;
    struct redis_req *q = req_new(r, cb, ud, timeout_ms);
    if (q == NULL)
        return DD_ENOMEM;
    req_link(r, q);
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(r->ac, on_reply, q, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        req_unlink(r, q);
        free(q);
        return DD_ENET;
    }
    return 0;
}

int redis_uv_init(struct redis_uv *r, uv_loop_t *loop, const char *host, int port, const char *name,
                  redis_up_cb on_up, void *up_ud)
{
    memset(r, 0, sizeof(*r));
    r->loop = loop;
    r->host = strdup(host);
    if (r->host == NULL)
        return DD_ENOMEM;
    r->port = port;
    r->name = name;
    r->on_up = on_up;
    r->up_ud = up_ud;
    r->backoff_ms = BACKOFF_MIN_MS;
    uv_timer_init(loop, &r->watchdog);
    uv_timer_init(loop, &r->reconnect);
    r->watchdog.data = r;
    r->reconnect.data = r;
    r->handles_open = 2;
    uv_timer_start(&r->watchdog, on_watchdog, WATCHDOG_MS, WATCHDOG_MS);
    connect_now(r);
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    struct redis_uv *r = h->data;
    if (--r->handles_open > 0)
        return;
    free(r->host);
    r->host = NULL;
    if (r->on_closed)
        r->on_closed(r);
}

void redis_uv_close(struct redis_uv *r, void (*on_closed)(struct redis_uv *r))
{
    if (r->closing)
        return;
    r->closing = true;
    r->on_closed = on_closed;
    redisAsyncContext *ac = r->ac;
    if (ac) {
        r->ac = NULL;
        r->connected = false;
        redisAsyncFree(ac);
    }
    uv_timer_stop(&r->watchdog);
    uv_timer_stop(&r->reconnect);
    uv_close((uv_handle_t *)&r->watchdog, on_timer_closed);
    uv_close((uv_handle_t *)&r->reconnect, on_timer_closed);
}

int redis_addr_parse(const char *s, char **host, int *port)
{
    const char *colon = s ? strrchr(s, ':') : NULL;
    if (colon == NULL || colon == s)
        return DD_EINVAL;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || p <= 0 || p > 65535)
        return DD_EINVAL;
    char *h = strndup(s, (size_t)(colon - s));
    if (h == NULL)
        return DD_ENOMEM;
    *host = h;
    *port = (int)p;
    return 0;
}
