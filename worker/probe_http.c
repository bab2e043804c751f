/* probe_http.c - /healthz and /metrics on the loop (see probe_http.h).
 *
 * Design: accept, read until the end of the request head (or 2 KiB), answer from the first
 * line only, close. No keep-alive, no request bodies, no other methods: it is a probe for
 * orchestrators and Prometheus, not an API.
 */
#define _GNU_SOURCE /* asprintf */
#include "probe_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "redis_uv.h"

struct conn {
    uv_tcp_t tcp;
    struct probe_http *p;
    char buf[2048];
    size_t len;
    uv_write_t wr;
    char *resp;
};

static void on_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    free(c->resp);
    free(c);
}

static void on_written(uv_write_t *req, int status)
{
    (void)status;
    struct conn *c = req->data;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct conn *c = h->data;
    buf->base = c->buf + c->len;
    buf->len = sizeof(c->buf) - 1 - c->len;
}

static void respond(struct conn *c, int code, const char *ctype, const char *body)
{
    const char *reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Service Unavailable";
    if (asprintf(&c->resp,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n%s",
                 code, reason, ctype, strlen(body), body) < 0) {
        c->resp = NULL;
        uv_close((uv_handle_t *)&c->tcp, on_closed);
        return;
    }
    uv_buf_t b = uv_buf_init(c->resp, (unsigned)strlen(c->resp));
    c->wr.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct conn *c = s->data;
    if (n < 0 || (n == 0 && c->len + 1 >= sizeof(c->buf))) {
        uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    if (strstr(c->buf, "\r\n\r\n") == NULL && strstr(c->buf, "\n\n") == NULL) {
        if (c->len + 1 >= sizeof(c->buf))
            uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    uv_read_stop(s);
    struct probe_http *p = c->p;
    if (strncmp(c->buf, "GET /healthz ", 13) == 0) {
        bool ok = p->healthy(p->ctx);
        respond(c, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "unavailable\n");
    } else if (strncmp(c->buf, "GET /metrics ", 13) == 0) {
        char *text = p->metrics(p->ctx);
        respond(c, text ? 200 : 503, "text/plain; version=0.0.4", text ? text : "");
        free(text);
    } else {
        respond(c, 404, "text/plain", "not found\n");
    }
}

static void on_conn(uv_stream_t *server, int status)
{
    struct probe_http *p = server->data;
    if (status < 0)
        return;
    struct conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    c->p = p;
    uv_tcp_init(server->loop, &c->tcp);
    c->tcp.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}

int probe_http_start(struct probe_http *p, uv_loop_t *loop, const char *addr_port,
                     probe_healthy_fn healthy, probe_metrics_fn metrics, void *ctx)
{
    char *host = NULL;
    int port = 0;
    struct sockaddr_in addr;
    int rc = redis_addr_parse(addr_port, &host, &port);
    if (rc)
        return rc;
    rc = uv_ip4_addr(host, port, &addr);
    free(host);
    if (rc)
        return DD_EINVAL;
    p->healthy = healthy;
    p->metrics = metrics;
    p->ctx = ctx;
    uv_tcp_init(loop, &p->tcp);
    p->tcp.data = p;
    p->on = true;
    rc = uv_tcp_bind(&p->tcp, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&p->tcp, 64, on_conn);
    if (rc) {
        log_error("msg=\"cannot listen\" http=%s error=\"%s\"", addr_port, uv_strerror(rc));
        return DD_EIO;
    }
    log_info("msg=\"http listening\" http=%s", addr_port);
    return 0;
}
