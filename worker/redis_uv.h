/* redis_uv.h - one hiredis async connection on a libuv loop, with command timeouts and
 * reconnection.
 *
 * hiredis 0.14 has no command timeouts: every command here carries a deadline, and a
 * watchdog timer drops the whole connection when the oldest outstanding command is late
 * (replies come back in order, so the oldest one is the only one to watch). Dropping the
 * connection calls every outstanding callback with reply == NULL; then the connection is
 * re-established with backoff. Commands sent while disconnected fail at once (the callback
 * is not called: redis_uv_command returns DD_ENET).
 *
 * Replies live only during the callback (hiredis rule): copy what you keep.
 */
#ifndef DD_REDIS_UV_H
#define DD_REDIS_UV_H

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct redis_uv;
/* reply is NULL when the command failed (timeout, connection lost, shutdown). */
typedef void (*redis_reply_cb)(struct redis_uv *r, redisReply *reply, void *ud);
/* Called on the loop thread each time the connection comes up (e.g. to create groups). */
typedef void (*redis_up_cb)(struct redis_uv *r, void *ud);

struct redis_req;

struct redis_uv {
    uv_loop_t *loop;
    char *host;
    int port;
    const char *name; /* for logs: "cmd", "intake" */
    redisAsyncContext *ac;
    bool connected;
    bool closing;
    uv_timer_t watchdog;  /* checks the oldest command's deadline every 100 ms */
    uv_timer_t reconnect; /* backoff between connection attempts */
    unsigned backoff_ms;
    uint64_t connect_started_ms;   /* uv_now() when the pending connect began */
    struct redis_req *head, *tail; /* outstanding commands, oldest first */
    size_t outstanding;
    redis_up_cb on_up;
    void *up_ud;
    int handles_open;
    void (*on_closed)(struct redis_uv *r);
};

/* Starts connecting (asynchronously). 0 or DD_E*. */
int redis_uv_init(struct redis_uv *r, uv_loop_t *loop, const char *host, int port, const char *name,
                  redis_up_cb on_up, void *up_ud);
/* Send argv; cb runs once (with NULL on failure) unless this returns non-zero. */
int redis_uv_command(struct redis_uv *r, redis_reply_cb cb, void *ud, uint64_t timeout_ms, int argc,
                     const char **argv, const size_t *argvlen);
/* printf-style convenience (hiredis format: %s, %b with pointer + size). */
int redis_uv_commandf(struct redis_uv *r, redis_reply_cb cb, void *ud, uint64_t timeout_ms,
                      const char *fmt, ...);
/* Drop the connection (outstanding callbacks get NULL), stop reconnecting, close the timers;
 * on_closed runs once everything is released. */
void redis_uv_close(struct redis_uv *r, void (*on_closed)(struct redis_uv *r));

/* "host:port" -> host (malloc'd) and port; 0 or DD_EINVAL. */
int redis_addr_parse(const char *s, char **host, int *port);

#endif
