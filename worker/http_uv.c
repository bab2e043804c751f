/* http_uv.c - curl multi on libuv (see http_uv.h).
 *
 * Each socket curl cares about gets a struct sock_watch holding its uv_poll_t; it is stored
 * with curl_multi_assign so later socket callbacks find it, and freed in the poll's close
 * callback (never before: libuv still owns the handle until then). Per-transfer state lives
 * in a struct xfer set as CURLOPT_PRIVATE.
 */
#include "http_uv.h"

#include <stdlib.h>

#include "err.h"

struct sock_watch {
    uv_poll_t poll;
    curl_socket_t fd;
    struct http_uv *h;
};

struct xfer {
    http_done_cb done;
    void *ctx;
};

static void check_done(struct http_uv *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        struct xfer *x = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
        curl_multi_remove_handle(h->multi, easy);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        h->active--;
        if (x) {
            http_done_cb done = x->done;
            void *ctx = x->ctx;
            free(x);
            done(easy, result, ctx);
        }
    }
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    struct sock_watch *w = p->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(w->h->multi, w->fd, flags, &running);
    check_done(w->h);
}

static void on_poll_closed(uv_handle_t *hd)
{
    free(hd->data);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct http_uv *h = userp;
    struct sock_watch *w = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (w) {
            uv_poll_stop(&w->poll);
            uv_close((uv_handle_t *)&w->poll, on_poll_closed);
            curl_multi_assign(h->multi, fd, NULL);
        }
        return 0;
    }
    if (w == NULL) {
        w = calloc(1, sizeof(*w));
        if (w == NULL)
            return -1;
        w->fd = fd;
        w->h = h;
        if (uv_poll_init_socket(h->loop, &w->poll, fd) != 0) {
            free(w);
            return -1;
        }
        w->poll.data = w;
        curl_multi_assign(h->multi, fd, w);
    }
    int ev = 0;
    if (what & CURL_POLL_IN)
        ev |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        ev |= UV_WRITABLE;
    uv_poll_start(&w->poll, ev, on_poll);
    return 0;
}

static void on_timeout(uv_timer_t *t)
{
    struct http_uv *h = t->data;
    int running;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(h);
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http_uv *h = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

int http_uv_init(struct http_uv *h, uv_loop_t *loop)
{
    h->loop = loop;
    h->active = 0;
    h->closing = 0;
    h->on_closed = NULL;
    h->multi = curl_multi_init();
    if (h->multi == NULL)
        return DD_ENOMEM;
    if (uv_timer_init(loop, &h->timer) != 0) {
        curl_multi_cleanup(h->multi);
        return DD_ENOMEM;
    }
    h->timer.data = h;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L);
    return 0;
}

static void on_timer_closed(uv_handle_t *hd)
{
    struct http_uv *h = hd->data;
    if (h->on_closed)
        h->on_closed(h);
}

void http_uv_close(struct http_uv *h, void (*on_closed)(struct http_uv *h))
{
    h->closing = 1;
    h->on_closed = on_closed;
    /* cleanup calls on_socket(REMOVE) for every socket, closing their polls */
    curl_multi_cleanup(h->multi);
    h->multi = NULL;
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_timer_closed);
}

int http_uv_add(struct http_uv *h, CURL *easy, http_done_cb done, void *ctx)
{
    struct xfer *x = malloc(sizeof(*x));
    if (x == NULL)
        return DD_ENOMEM;
    x->done = done;
    x->ctx = ctx;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
    if (curl_multi_add_handle(h->multi, easy) != CURLM_OK) {
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        free(x);
        return DD_EINVAL;
    }
    h->active++;
    return 0;
}
