/* http_uv.h - libcurl's multi interface driven by a libuv loop.
 *
 * curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to time out
 * (CURLMOPT_TIMERFUNCTION); we map those onto uv_poll_t and one uv_timer_t and call
 * curl_multi_socket_action when they fire. Every added transfer gets a done callback on the
 * loop thread, exactly once, after curl has let go of it.
 */
#ifndef DD_HTTP_UV_H
#define DD_HTTP_UV_H

#include <curl/curl.h>
#include <uv.h>

typedef void (*http_done_cb)(CURL *easy, CURLcode result, void *ctx);

struct http_uv {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    int active; /* transfers added and not yet done */
    int closing;
    void (*on_closed)(struct http_uv *h);
};

int http_uv_init(struct http_uv *h, uv_loop_t *loop);
/* Close the timer and the multi handle; transfers still running are abandoned without
 * callbacks. on_closed runs once every uv handle is closed. */
void http_uv_close(struct http_uv *h, void (*on_closed)(struct http_uv *h));

/* Start a transfer. Returns 0, or DD_E* and then done is never called. */
int http_uv_add(struct http_uv *h, CURL *easy, http_done_cb done, void *ctx);

#endif
