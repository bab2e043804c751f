/* notify_sign.h - signatures for outgoing notifications (docs/notify.md).
 *
 *   HTTP(S):  X-Drydock-Signature: sha256=<lowercase hex HMAC-SHA256(secret, raw body)>
 *   DingTalk: <webhook_url>{?|&}timestamp=<ms>&sign=<urlencode(base64(
 *                 HMAC-SHA256(secret, "<ms>\n<secret>")))>
 *
 * Pure functions over buffers: no clock, no I/O. The caller passes the timestamp.
 */
#ifndef DD_NOTIFY_SIGN_H
#define DD_NOTIFY_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define NOTIFY_HMAC_HEX_LEN 64 /* hex digits of a SHA-256 HMAC */

/* Lowercase hex HMAC-SHA256(key, data) into out (NOTIFY_HMAC_HEX_LEN + 1 bytes). 0 or DD_E*. */
int notify_hmac_hex(const char *key, size_t key_len, const void *data, size_t len,
                    char out[NOTIFY_HMAC_HEX_LEN + 1]);

/* Percent-encode s for a query value: unreserved characters (A-Z a-z 0-9 - . _ ~) stay,
 * every other byte becomes %XX (uppercase). malloc'd into *out; 0 or DD_ENOMEM. */
int notify_urlencode(const char *s, size_t len, char **out);

/* The DingTalk sign parameter (already URL-encoded) for timestamp_ms; malloc'd into *out. */
int notify_dingtalk_sign(const char *secret, int64_t timestamp_ms, char **out);

/* webhook_url with "timestamp=<ms>&sign=<sign>" appended ('?' when the URL has no query,
 * else '&'); without a secret (NULL or "") the URL is returned unchanged. malloc'd. */
int notify_dingtalk_url(const char *webhook_url, const char *secret, int64_t timestamp_ms,
                        char **out);

#endif
