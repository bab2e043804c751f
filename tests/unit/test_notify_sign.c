/* test_notify_sign.c - unit tests for common/notify_sign.c.
 *
 * Expected values were computed outside drydock with OpenSSL's command line, e.g.
 *   printf '1700000000000\nSEC000test' | openssl dgst -sha256 -hmac 'SEC000test' -binary | base64
 *     -> 1hLl2KkRX3rps9FaitIUwaac+CtAFEaP345jvdrTL7c=
 *   printf '{"event_type":"SCAN_COMPLETED"}' | openssl dgst -sha256 -hmac 'hmac key'
 *     -> 4b8f0d09f4e46e666e9cb69ec2fbc26780aae50cb395d22d0e7d9427d4830435
 * and the percent-encoding of '+', '/' and '=' was written by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "notify_sign.h"

static void test_notify_sign_hmac_hex_matches_openssl(void **state)
{
    (void)state;
    char hex[NOTIFY_HMAC_HEX_LEN + 1];
    const char *body = "{\"event_type\":\"SCAN_COMPLETED\"}";
    assert_int_equal(notify_hmac_hex("hmac key", 8, body, strlen(body), hex), 0);
    assert_string_equal(hex, "4b8f0d09f4e46e666e9cb69ec2fbc26780aae50cb395d22d0e7d9427d4830435");
}

static void test_notify_sign_hmac_hex_empty_body(void **state)
{
    (void)state;
    char hex[NOTIFY_HMAC_HEX_LEN + 1];
    assert_int_equal(notify_hmac_hex("k", 1, "", 0, hex), 0);
    assert_string_equal(hex, "8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620");
}

static void test_notify_sign_dingtalk_matches_openssl(void **state)
{
    (void)state;
    char *s = NULL;
    assert_int_equal(notify_dingtalk_sign("SEC000test", 1700000000000LL, &s), 0);
    assert_string_equal(s, "1hLl2KkRX3rps9FaitIUwaac%2BCtAFEaP345jvdrTL7c%3D");
    free(s);
    assert_int_equal(notify_dingtalk_sign("SECx", 1700000000002LL, &s), 0);
    assert_string_equal(s, "Ng1JnntphpSqOjb6BX7Zd%2FuoeGX6NcyYyqO2Kf1fklY%3D");
    free(s);
}

static void test_notify_sign_dingtalk_url_appends_with_amp(void **state)
{
    (void)state;
    char *u = NULL;
    assert_int_equal(notify_dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=T",
                                         "SEC000test", 1700000000000LL, &u),
                     0);
    assert_string_equal(u, "https://oapi.dingtalk.com/robot/send?access_token=T"
                           "&timestamp=1700000000000"
                           "&sign=1hLl2KkRX3rps9FaitIUwaac%2BCtAFEaP345jvdrTL7c%3D");
    free(u);
}

static void test_notify_sign_dingtalk_url_without_query_uses_question_mark(void **state)
{
    (void)state;
    char *u = NULL;
    assert_int_equal(notify_dingtalk_url("http://127.0.0.1:9/robot", "SECx", 1700000000002LL, &u),
                     0);
    assert_string_equal(u, "http://127.0.0.1:9/robot?timestamp=1700000000002"
                           "&sign=Ng1JnntphpSqOjb6BX7Zd%2FuoeGX6NcyYyqO2Kf1fklY%3D");
    free(u);
}

static void test_notify_sign_dingtalk_url_without_secret_is_unchanged(void **state)
{
    (void)state;
    char *u = NULL;
    assert_int_equal(notify_dingtalk_url("https://h/robot/send?access_token=T", NULL, 5, &u), 0);
    assert_string_equal(u, "https://h/robot/send?access_token=T");
    free(u);
    assert_int_equal(notify_dingtalk_url("https://h/r", "", 5, &u), 0);
    assert_string_equal(u, "https://h/r");
    free(u);
}

static void test_notify_sign_urlencode_reserved_and_utf8(void **state)
{
    (void)state;
    char *o = NULL;
    const char in[] = "a+b/c=d e~_.-\xc3\xa9\n";
    assert_int_equal(notify_urlencode(in, sizeof(in) - 1, &o), 0);
    assert_string_equal(o, "a%2Bb%2Fc%3Dd%20e~_.-%C3%A9%0A");
    free(o);
    assert_int_equal(notify_urlencode("x\0y", 3, &o), 0);
    assert_string_equal(o, "x%00y");
    free(o);
}

static void test_notify_sign_dingtalk_rejects_huge_secret(void **state)
{
    (void)state;
    char *big = malloc(5000), *s = (char *)0x1;
    memset(big, 'a', 4999);
    big[4999] = '\0';
    assert_int_equal(notify_dingtalk_sign(big, 1, &s), DD_ETOOBIG);
    assert_ptr_equal(s, (char *)0x1); /* untouched on failure */
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_sign_hmac_hex_matches_openssl),
        cmocka_unit_test(test_notify_sign_hmac_hex_empty_body),
        cmocka_unit_test(test_notify_sign_dingtalk_matches_openssl),
        cmocka_unit_test(test_notify_sign_dingtalk_url_appends_with_amp),
        cmocka_unit_test(test_notify_sign_dingtalk_url_without_query_uses_question_mark),
        cmocka_unit_test(test_notify_sign_dingtalk_url_without_secret_is_unchanged),
        cmocka_unit_test(test_notify_sign_urlencode_reserved_and_utf8),
        cmocka_unit_test(test_notify_sign_dingtalk_rejects_huge_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
