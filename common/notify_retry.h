/* notify_retry.h - when to retry a notification and how long to wait (docs/notify.md).
 *
 *   HTTP status  2xx -> delivered; 408, 425, 429, 5xx -> retry; anything else -> permanent
 *   backoff      min(max, base * 2^(attempt-1)), full jitter in [50%, 100%] of that
 *   Retry-After  delta-seconds or an HTTP date; wins when larger (capped at max)
 *   DingTalk     200 + {"errcode": 0} -> delivered; errcode != 0 -> retry
 *
 * Pure functions: the caller passes the clock and the random number.
 */
#ifndef DD_NOTIFY_RETRY_H
#define DD_NOTIFY_RETRY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NOTIFY_DINGTALK_RATE_LIMITED 130101L /* errcode: too many messages for this robot */
#define NOTIFY_REPLY_MAX_BYTES       65536   /* DingTalk reply bodies we read at most */
#define NOTIFY_ERRMSG_MAX            200     /* bytes of a peer's errmsg we keep */
#define NOTIFY_RETRY_AFTER_MAX_S     (365LL * 86400)

enum notify_verdict { NOTIFY_DELIVERED = 0, NOTIFY_RETRY = 1, NOTIFY_PERMANENT = 2 };

/* The verdict for an HTTP status of a completed exchange (transport failures: NOTIFY_RETRY,
 * decided by the caller). */
enum notify_verdict notify_http_verdict(long status);

/* Retry-After header value (without the name; surrounding blanks allowed): delta-seconds
 * (clamped to NOTIFY_RETRY_AFTER_MAX_S) or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT");
 * a date in the past is 0. *delay_ms untouched and DD_EPARSE on anything else. */
int notify_retry_after_parse(const char *value, size_t len, int64_t now_s, uint64_t *delay_ms);

/* Exponential backoff for attempt (1 = the wait after the first failure) with full jitter in
 * [50%, 100%]: rnd is any uniformly random 32-bit number. Never more than max_ms. */
uint64_t notify_backoff_ms(unsigned attempt, uint64_t base_ms, uint64_t max_ms, uint32_t rnd);

/* The wait before the next attempt: backoff, or the Retry-After delay when larger, capped at
 * max_ms (retry_after_ms < 0: no header). */
uint64_t notify_retry_delay_ms(uint64_t backoff_ms, int64_t retry_after_ms, uint64_t max_ms);

/* A DingTalk reply body: a JSON object with an integer "errcode" and optionally a string
 * "errmsg", copied sanitised (printable ASCII only; '"', '\\' and others become '?'), capped at
 * NOTIFY_ERRMSG_MAX bytes, into errmsg (cap bytes incl. NUL). DD_EPARSE with err filled when
 * the body is not such an object or is larger than NOTIFY_REPLY_MAX_BYTES. */
int notify_dingtalk_reply_parse(const char *body, size_t len, long *errcode, char *errmsg,
                                size_t cap, struct dd_error *err);

#endif
