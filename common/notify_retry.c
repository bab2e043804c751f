/* notify_retry.c - retry decisions for notifications (see notify_retry.h).
 *
 * Design: the daemon feeds each finished exchange through notify_http_verdict (and, for
 * DingTalk, notify_dingtalk_reply_parse), and each failure through notify_backoff_ms and
 * notify_retry_after_parse; so the whole retry policy is here, testable without a network or
 * a clock. The HTTP date parser accepts only IMF-fixdate, the format RFC 9110 requires senders
 * to use; the obsolete RFC 850 and asctime forms are rejected (then the backoff applies).
 *
 * Invariants: every arithmetic step saturates instead of overflowing; no input makes a delay
 * larger than the caller's max (Retry-After is clamped by notify_retry_delay_ms).
 *
 * Not here: timers, randomness, HTTP.
 */
#include "notify_retry.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

enum notify_verdict notify_http_verdict(long status)
{
    if (status >= 200 && status <= 299)
        return NOTIFY_DELIVERED;
    if (status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599))
        return NOTIFY_RETRY;
    return NOTIFY_PERMANENT;
}

static int parse_digits(const char *s, size_t n, int *out)
{
    int v = 0;
    if (n == 0)
        return DD_EPARSE;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return DD_EPARSE;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (exactly 29 bytes) -> seconds since the epoch */
static int parse_imf_fixdate(const char *s, size_t n, int64_t *out)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    int day, year, hh, mm, ss, mon = -1, wday = -1;
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        return DD_EPARSE;
    for (int i = 0; i < 7; i++)
        if (memcmp(s, days[i], 3) == 0)
            wday = i;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months[i], 3) == 0)
            mon = i;
    if (wday < 0 || mon < 0 || parse_digits(s + 5, 2, &day) || parse_digits(s + 12, 4, &year) ||
        parse_digits(s + 17, 2, &hh) || parse_digits(s + 20, 2, &mm) ||
        parse_digits(s + 23, 2, &ss))
        return DD_EPARSE;
    if (day < 1 || day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 60)
        return DD_EPARSE;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = day;
    tm.tm_hour = hh;
    tm.tm_min = mm;
    tm.tm_sec = ss;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != day) /* 31 Feb normalises to March: reject */
        return DD_EPARSE;
    *out = (int64_t)t;
    return 0;
}

int notify_retry_after_parse(const char *value, size_t len, int64_t now_s, uint64_t *delay_ms)
{
    if (value == NULL)
        return DD_EPARSE;
    while (len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        len--;
    }
    while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' || value[len - 1] == '\r' ||
                       value[len - 1] == '\n'))
        len--;
    if (len == 0)
        return DD_EPARSE;
    if (value[0] >= '0' && value[0] <= '9') {
        int64_t s = 0;
        for (size_t i = 0; i < len; i++) {
            if (value[i] < '0' || value[i] > '9')
                return DD_EPARSE;
            if (s < NOTIFY_RETRY_AFTER_MAX_S)
                s = s * 10 + (value[i] - '0');
        }
        if (s > NOTIFY_RETRY_AFTER_MAX_S)
            s = NOTIFY_RETRY_AFTER_MAX_S;
        *delay_ms = (uint64_t)s * 1000;
        return 0;
    }
    int64_t at;
    if (parse_imf_fixdate(value, len, &at) != 0)
        return DD_EPARSE;
    int64_t d = at - now_s;
    if (d < 0)
        d = 0;
    if (d > NOTIFY_RETRY_AFTER_MAX_S)
        d = NOTIFY_RETRY_AFTER_MAX_S;
    *delay_ms = (uint64_t)d * 1000;
    return 0;
}

uint64_t notify_backoff_ms(unsigned attempt, uint64_t base_ms, uint64_t max_ms, uint32_t rnd)
{
    uint64_t d = base_ms;
    if (attempt == 0)
        attempt = 1;
    for (unsigned i = 1; i < attempt && d < max_ms; i++)
        d = d > UINT64_MAX / 2 ? UINT64_MAX : d * 2;
    if (d > max_ms)
        d = max_ms;
    uint64_t half = d / 2;
    return half + (uint64_t)rnd % (d - half + 1);
}

uint64_t notify_retry_delay_ms(uint64_t backoff_ms, int64_t retry_after_ms, uint64_t max_ms)
{
    uint64_t d = backoff_ms;
    if (retry_after_ms >= 0 && (uint64_t)retry_after_ms > d)
        d = (uint64_t)retry_after_ms;
    return d > max_ms ? max_ms : d;
}

int notify_dingtalk_reply_parse(const char *body, size_t len, long *errcode, char *errmsg,
                                size_t cap, struct dd_error *err)
{
    json_error_t je;
    json_t *root = NULL; /* owned */
    int rc = DD_EPARSE;
    if (body == NULL || len > NOTIFY_REPLY_MAX_BYTES)
        return dd_error_set(err, DD_EPARSE, "reply missing or larger than %u bytes",
                            (unsigned)NOTIFY_REPLY_MAX_BYTES);
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL || !json_is_object(root)) {
        dd_error_set(err, DD_EPARSE, "reply is not a JSON object");
        goto out;
    }
    json_t *code = json_object_get(root, "errcode"); /* borrowed */
    if (!json_is_integer(code)) {
        dd_error_set(err, DD_EPARSE, "reply has no integer errcode");
        goto out;
    }
    json_int_t v = json_integer_value(code);
    if (v > 2147483647 || v < -2147483647) {
        dd_error_set(err, DD_EPARSE, "errcode out of range");
        goto out;
    }
    if (errmsg && cap > 0) {
        const char *m = json_string_value(json_object_get(root, "errmsg"));
        size_t o = 0;
        for (size_t i = 0; m && m[i] && o + 1 < cap && o < NOTIFY_ERRMSG_MAX; i++) {
            unsigned char c = (unsigned char)m[i];
            errmsg[o++] = (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? (char)c : '?';
        }
        errmsg[o] = '\0';
    }
    *errcode = (long)v;
    rc = 0;
out:
    json_decref(root);
    return rc;
}
