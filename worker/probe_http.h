/* probe_http.h - /healthz and /metrics served by a daemon's own libuv loop (the worker's and
 * the notifier's): a minimal HTTP/1.1 responder, one GET per connection, request head capped
 * at 2 KiB, "Connection: close". Because the loop itself answers, a wedged loop fails the
 * health check.
 *
 *   GET /healthz -> 200 "ok" when healthy(ctx), else 503 "unavailable"
 *   GET /metrics -> 200 metrics(ctx) (Prometheus text, malloc'd), 503 when it returns NULL
 *   anything else -> 404
 */
#ifndef DD_PROBE_HTTP_H
#define DD_PROBE_HTTP_H

#include <stdbool.h>
#include <uv.h>

typedef bool (*probe_healthy_fn)(void *ctx);
typedef char *(*probe_metrics_fn)(void *ctx);

struct probe_http {
    uv_tcp_t tcp;
    bool on; /* tcp is initialised: the owner uv_closes it at shutdown */
    probe_healthy_fn healthy;
    probe_metrics_fn metrics;
    void *ctx;
};

/* Listen on "ADDR:PORT" (IPv4). 0, DD_EINVAL for a bad address, DD_EIO when it cannot
 * listen (logged with the address). */
int probe_http_start(struct probe_http *p, uv_loop_t *loop, const char *addr_port,
                     probe_healthy_fn healthy, probe_metrics_fn metrics, void *ctx);

#endif
