/* notify_sign.c - HMAC-SHA256 signatures for notifications (see notify_sign.h).
 *
 * Design: OpenSSL's one-shot HMAC() and EVP_EncodeBlock (standard base64 with padding, the
 * alphabet DingTalk's reference implementations use); the percent-encoding is written here so
 * that '+', '/' and '=' of the base64 text are always encoded, whatever curl's escaping does.
 *
 * Invariants: nothing here keeps or logs a secret; outputs are freshly allocated and owned by
 * the caller; out-parameters are untouched on failure.
 *
 * Not here: clocks (the caller passes the timestamp), HTTP.
 */
#include "notify_sign.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static int hmac_raw(const char *key, size_t key_len, const void *data, size_t len,
                    unsigned char mac[EVP_MAX_MD_SIZE], unsigned *mac_len)
{
    if (key_len > INT32_MAX)
        return DD_EINVAL;
    /* HMAC() wants a non-NULL data pointer even for an empty message */
    static const unsigned char empty[1] = {0};
    if (HMAC(EVP_sha256(), key_len ? key : "", (int)key_len,
             len ? (const unsigned char *)data : empty, len, mac, mac_len) == NULL)
        return DD_ENOMEM;
    return 0;
}

int notify_hmac_hex(const char *key, size_t key_len, const void *data, size_t len,
                    char out[NOTIFY_HMAC_HEX_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mac_len = 0;
    int rc = hmac_raw(key, key_len, data, len, mac, &mac_len);
    if (rc)
        return rc;
    if (mac_len != 32)
        return DD_EINVAL;
    for (unsigned i = 0; i < mac_len; i++) {
        out[2 * i] = hex[mac[i] >> 4];
        out[2 * i + 1] = hex[mac[i] & 15];
    }
    out[NOTIFY_HMAC_HEX_LEN] = '\0';
    return 0;
}

int notify_urlencode(const char *s, size_t len, char **out)
{
    static const char hex[] = "0123456789ABCDEF";
    if (len > (SIZE_MAX - 1) / 3)
        return DD_ETOOBIG;
    char *o = malloc(3 * len + 1), *p = o;
    if (o == NULL)
        return DD_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    *p = '\0';
    *out = o;
    return 0;
}

int notify_dingtalk_sign(const char *secret, int64_t timestamp_ms, char **out)
{
    char *msg = NULL, *sign = NULL;
    unsigned char mac[EVP_MAX_MD_SIZE], b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    unsigned mac_len = 0;
    size_t slen = strlen(secret);
    int rc = DD_ENOMEM;
    if (slen > 4096)
        return DD_ETOOBIG;
    msg = malloc(slen + 32);
    if (msg == NULL)
        goto out;
    int n = snprintf(msg, slen + 32, "%" PRId64 "\n%s", timestamp_ms, secret);
    if (n < 0)
        goto out;
    rc = hmac_raw(secret, slen, msg, (size_t)n, mac, &mac_len);
    if (rc)
        goto out;
    int b = EVP_EncodeBlock(b64, mac, (int)mac_len);
    if (b < 0) {
        rc = DD_EINVAL;
        goto out;
    }
    rc = notify_urlencode((const char *)b64, (size_t)b, &sign);
    if (rc)
        goto out;
    *out = sign;
    sign = NULL;
out:
    if (msg) {
        memset(msg, 0, slen + 32); /* it holds the secret */
        free(msg);
    }
    free(sign);
    return rc;
}

int notify_dingtalk_url(const char *webhook_url, const char *secret, int64_t timestamp_ms,
                        char **out)
{
    char *sign = NULL, *url = NULL;
    int rc;
    if (secret == NULL || *secret == '\0') {
        url = strdup(webhook_url);
        if (url == NULL)
            return DD_ENOMEM;
        *out = url;
        return 0;
    }
    rc = notify_dingtalk_sign(secret, timestamp_ms, &sign);
    if (rc)
        return rc;
    size_t cap = strlen(webhook_url) + strlen(sign) + 64;
    url = malloc(cap);
    if (url == NULL) {
        rc = DD_ENOMEM;
        goto out;
    }
    snprintf(url, cap, "%s%ctimestamp=%" PRId64 "&sign=%s", webhook_url,
             strchr(webhook_url, '?') ? '&' : '?', timestamp_ms, sign);
    *out = url;
    url = NULL;
out:
    free(sign);
    free(url);
    return rc;
}
