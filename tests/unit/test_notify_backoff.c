/* test_notify_backoff.c - unit tests for common/notify_retry.c (named apart from the integration
 * test test_notify_retry.sh: ctest names must be unique).
 *
 * Expected values: HTTP semantics from RFC 9110 (Retry-After, IMF-fixdate; 784111777 is
 * `date -u -d "Sun, 06 Nov 1994 08:49:37 GMT" +%s`), the backoff formula from docs/notify.md
 * worked by hand, DingTalk replies as the robot API documents them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "notify_retry.h"

static void test_notify_retry_verdicts(void **state)
{
    (void)state;
    assert_int_equal(notify_http_verdict(200), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_verdict(204), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_verdict(299), NOTIFY_DELIVERED);
    assert_int_equal(notify_http_verdict(408), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(425), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(429), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(500), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(503), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(599), NOTIFY_RETRY);
    assert_int_equal(notify_http_verdict(400), NOTIFY_PERMANENT);
    assert_int_equal(notify_http_verdict(401), NOTIFY_PERMANENT);
    assert_int_equal(notify_http_verdict(404), NOTIFY_PERMANENT);
    assert_int_equal(notify_http_verdict(301), NOTIFY_PERMANENT);
    assert_int_equal(notify_http_verdict(600), NOTIFY_PERMANENT);
    assert_int_equal(notify_http_verdict(0), NOTIFY_PERMANENT);
}

static void test_notify_retry_after_seconds(void **state)
{
    (void)state;
    uint64_t ms = 7;
    assert_int_equal(notify_retry_after_parse("120", 3, 0, &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(notify_retry_after_parse(" 0\r\n", 4, 0, &ms), 0);
    assert_int_equal(ms, 0);
    /* absurd values clamp to a year instead of overflowing */
    const char *huge = "99999999999999999999999999";
    assert_int_equal(notify_retry_after_parse(huge, strlen(huge), 0, &ms), 0);
    assert_int_equal(ms, 365ull * 86400 * 1000);
}

static void test_notify_retry_after_http_date(void **state)
{
    (void)state;
    uint64_t ms = 0;
    const char *d = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_int_equal(notify_retry_after_parse(d, strlen(d), 784111777 - 30, &ms), 0);
    assert_int_equal(ms, 30000);
    /* a date in the past means now */
    assert_int_equal(notify_retry_after_parse(d, strlen(d), 784111777 + 100, &ms), 0);
    assert_int_equal(ms, 0);
}

static void test_notify_retry_after_rejects_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "-5",
        "1.5",
        "12abc",
        "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850: obsolete, not accepted */
        "Sun Nov  6 08:49:37 1994",       /* asctime */
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 31 Feb 2025 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:3",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t ms = 4242;
        assert_int_equal(notify_retry_after_parse(bad[i], strlen(bad[i]), 1000, &ms), DD_EPARSE);
        assert_int_equal(ms, 4242);
    }
    uint64_t ms = 1;
    assert_int_equal(notify_retry_after_parse(NULL, 0, 0, &ms), DD_EPARSE);
}

static void test_notify_retry_backoff_doubles_within_jitter(void **state)
{
    (void)state;
    /* base 1000: attempt 1 -> [500, 1000], 2 -> [1000, 2000], 4 -> [4000, 8000] */
    assert_int_equal(notify_backoff_ms(1, 1000, 300000, 0), 500);
    assert_int_equal(notify_backoff_ms(1, 1000, 300000, 500), 1000);
    assert_int_equal(notify_backoff_ms(1, 1000, 300000, 501), 500);
    assert_int_equal(notify_backoff_ms(2, 1000, 300000, 0), 1000);
    assert_int_equal(notify_backoff_ms(2, 1000, 300000, 1000), 2000);
    assert_int_equal(notify_backoff_ms(4, 1000, 300000, 0), 4000);
    for (uint32_t r = 0; r < 5000; r += 7) {
        uint64_t v = notify_backoff_ms(3, 1000, 300000, r * 2654435761u);
        assert_true(v >= 2000 && v <= 4000);
    }
}

static void test_notify_retry_backoff_caps_at_max(void **state)
{
    (void)state;
    /* 1000 * 2^9 = 512000 > 300000: capped, jitter still in [150000, 300000] */
    assert_int_equal(notify_backoff_ms(10, 1000, 300000, 0), 150000);
    assert_int_equal(notify_backoff_ms(10, 1000, 300000, 150000), 300000);
    /* enormous attempt counts do not overflow */
    assert_int_equal(notify_backoff_ms(4000000000u, 1000, 300000, 0), 150000);
    assert_int_equal(notify_backoff_ms(200, UINT64_MAX / 3, UINT64_MAX, 0), UINT64_MAX / 2);
    /* attempt 0 is treated as 1 */
    assert_int_equal(notify_backoff_ms(0, 1000, 300000, 0), 500);
}

static void test_notify_retry_delay_prefers_larger_retry_after(void **state)
{
    (void)state;
    assert_int_equal(notify_retry_delay_ms(800, -1, 300000), 800);
    assert_int_equal(notify_retry_delay_ms(800, 100, 300000), 800);
    assert_int_equal(notify_retry_delay_ms(800, 5000, 300000), 5000);
    assert_int_equal(notify_retry_delay_ms(800, 86400000, 300000), 300000);
}

static void test_notify_retry_dingtalk_reply_ok_and_errors(void **state)
{
    (void)state;
    long code = -1;
    char msg[64];
    struct dd_error err = {0};
    const char *ok = "{\"errcode\":0,\"errmsg\":\"ok\"}";
    assert_int_equal(notify_dingtalk_reply_parse(ok, strlen(ok), &code, msg, sizeof(msg), &err), 0);
    assert_int_equal(code, 0);
    assert_string_equal(msg, "ok");
    const char *lim = "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per "
                      "minute\"}";
    assert_int_equal(notify_dingtalk_reply_parse(lim, strlen(lim), &code, msg, sizeof(msg), &err),
                     0);
    assert_int_equal(code, NOTIFY_DINGTALK_RATE_LIMITED);
    assert_string_equal(msg, "send too fast, exceed 20 times per minute");
    /* errmsg with quotes, control characters and UTF-8 is flattened to printable ASCII */
    const char *odd = "{\"errcode\":310000,\"errmsg\":\"sign \\\"bad\\\"\\n\xc3\xa9\"}";
    assert_int_equal(notify_dingtalk_reply_parse(odd, strlen(odd), &code, msg, sizeof(msg), &err),
                     0);
    assert_int_equal(code, 310000);
    /* "sign ", '"' -> ?, "bad", '"' -> ?, newline -> ?, two UTF-8 bytes -> ?? */
    assert_string_equal(msg, "sign ?bad????");
    /* errmsg is optional and the output is truncated to cap */
    const char *nomsg = "{\"errcode\":1}";
    assert_int_equal(
        notify_dingtalk_reply_parse(nomsg, strlen(nomsg), &code, msg, sizeof(msg), &err), 0);
    assert_string_equal(msg, "");
    char tiny[4];
    assert_int_equal(notify_dingtalk_reply_parse(ok, strlen(ok), &code, tiny, sizeof(tiny), &err),
                     0);
    assert_string_equal(tiny, "ok");
}

static void test_notify_retry_dingtalk_reply_rejects_hostile(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "not json",
        "[0]",
        "{\"errmsg\":\"ok\"}",
        "{\"errcode\":\"0\"}",
        "{\"errcode\":0.0}",
        "{\"errcode\":99999999999}",
        "{\"errcode\":0,\"errcode\":1}",
        "{\"errcode\":0",
        "<html>502 Bad Gateway</html>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long code = 77;
        struct dd_error err = {0};
        assert_int_equal(notify_dingtalk_reply_parse(bad[i], strlen(bad[i]), &code, NULL, 0, &err),
                         DD_EPARSE);
        assert_int_equal(code, 77);
        assert_true(err.msg[0] != '\0');
    }
    long code = 5;
    char big[NOTIFY_REPLY_MAX_BYTES + 2];
    memset(big, ' ', sizeof(big));
    assert_int_equal(notify_dingtalk_reply_parse(big, sizeof(big), &code, NULL, 0, NULL),
                     DD_EPARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_retry_verdicts),
        cmocka_unit_test(test_notify_retry_after_seconds),
        cmocka_unit_test(test_notify_retry_after_http_date),
        cmocka_unit_test(test_notify_retry_after_rejects_garbage),
        cmocka_unit_test(test_notify_retry_backoff_doubles_within_jitter),
        cmocka_unit_test(test_notify_retry_backoff_caps_at_max),
        cmocka_unit_test(test_notify_retry_delay_prefers_larger_retry_after),
        cmocka_unit_test(test_notify_retry_dingtalk_reply_ok_and_errors),
        cmocka_unit_test(test_notify_retry_dingtalk_reply_rejects_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
