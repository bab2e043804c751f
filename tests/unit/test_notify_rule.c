/* test_notify_rule.c - unit tests for common/notify_rule.c: the notifier's reading of a rule's
 * notify targets (docs/notify.md), hostile rules, URL redaction. Expected values by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_rule.h"

static int parse(const char *s, struct notify_rule *r)
{
    struct dd_error err = {0};
    return notify_rule_parse(s, strlen(s), r, &err);
}

static void test_notify_rule_parse_three_target_types(void **state)
{
    (void)state;
    struct notify_rule r;
    const char *j =
        "{\"id\":\"0123456789abcdef\",\"name\":\"web\",\"enabled\":true,\"scope\":\"namespace\","
        "\"notify\":["
        "{\"type\":\"dingtalk\",\"webhook_url\":\"https://oapi.dingtalk.com/robot/send?access_"
        "token=T\",\"secret\":\"SEC1\",\"min_severity\":\"high\",\"only_on_change\":true,"
        "\"name\":\"ops-robot\"},"
        "{\"type\":\"http\",\"url\":\"http://hooks.local/drydock\",\"secret\":\"k\"},"
        "{\"type\":\"https\",\"url\":\"https://hooks.local/d\",\"ca_file\":\"/etc/ca.pem\","
        "\"future_key\":1}]}";
    assert_int_equal(parse(j, &r), 0);
    assert_string_equal(r.id, "0123456789abcdef");
    assert_string_equal(r.name, "web");
    assert_true(r.enabled);
    assert_int_equal(r.n_targets, 3);
    const struct notify_target *t = r.targets;
    assert_true(t[0].valid);
    assert_int_equal(t[0].type, NOTIFY_TYPE_DINGTALK);
    assert_string_equal(t[0].url, "https://oapi.dingtalk.com/robot/send?access_token=T");
    assert_string_equal(t[0].secret, "SEC1");
    assert_string_equal(t[0].name, "ops-robot");
    assert_int_equal(t[0].min_severity, NOTIFY_SEV_HIGH);
    assert_true(t[0].only_on_change);
    assert_true(t[1].valid);
    assert_int_equal(t[1].type, NOTIFY_TYPE_HTTP);
    assert_string_equal(t[1].secret, "k");
    assert_string_equal(t[1].name, "");
    assert_int_equal(t[1].min_severity, NOTIFY_SEV_NONE);
    assert_false(t[1].only_on_change);
    assert_null(t[1].ca_file);
    assert_true(t[2].valid);
    assert_int_equal(t[2].type, NOTIFY_TYPE_HTTPS);
    assert_string_equal(t[2].ca_file, "/etc/ca.pem");
    assert_null(t[2].secret);
    notify_rule_cleanup(&r);
}

/* A target's key: sha256sum of "<type>\n<url>", first 16 hex digits (values from sha256sum);
 * stable under reordering, "invalid<index>" for an invalid target. */
static void test_notify_rule_target_keys(void **state)
{
    (void)state;
    struct notify_rule r;
    assert_int_equal(
        parse("{\"id\":\"r\",\"notify\":["
              "{\"type\":\"nope\"},"
              "{\"type\":\"dingtalk\",\"webhook_url\":"
              "\"https://oapi.dingtalk.com/robot/send?access_token=T\",\"secret\":\"S\"},"
              "{\"type\":\"http\",\"url\":\"http://hooks.local/drydock\"}]}",
              &r),
        0);
    assert_int_equal(r.n_targets, 3);
    assert_string_equal(r.targets[0].key, "invalid0");
    assert_string_equal(r.targets[1].key, "bf754645c65fcf3e");
    assert_string_equal(r.targets[2].key, "bfab8f5babe4ef1a");
    notify_rule_cleanup(&r);
    char k[NOTIFY_TARGET_KEY_LEN + 1];
    notify_target_key(NOTIFY_TYPE_HTTP, "http://hooks.local/drydock", k);
    assert_string_equal(k, "bfab8f5babe4ef1a");
}

static void test_notify_rule_parse_defaults(void **state)
{
    (void)state;
    struct notify_rule r;
    assert_int_equal(parse("{}", &r), 0);
    assert_string_equal(r.id, "");
    assert_string_equal(r.name, "");
    assert_true(r.enabled);
    assert_int_equal(r.n_targets, 0);
    notify_rule_cleanup(&r);
    assert_int_equal(parse("{\"enabled\":false,\"notify\":null}", &r), 0);
    assert_false(r.enabled);
    notify_rule_cleanup(&r);
}

/* Each bad target is kept, marked invalid, with a reason naming its index and field. */
static void test_notify_rule_bad_targets_are_marked_not_fatal(void **state)
{
    (void)state;
    static const struct {
        const char *target, *reason_prefix;
    } cases[] = {
        {"{\"type\":\"webhook\",\"url\":\"http://x\"}", "notify[1].type:"},
        {"{\"url\":\"http://x\"}", "notify[1].type:"},
        {"7", "notify[1].type:"},
        {"{\"type\":\"http\",\"url\":\"https://x\"}", "notify[1].url:"},
        {"{\"type\":\"https\",\"url\":\"http://x\"}", "notify[1].url:"},
        {"{\"type\":\"http\"}", "notify[1].url:"},
        {"{\"type\":\"http\",\"url\":\"http://\"}", "notify[1].url:"},
        {"{\"type\":\"http\",\"url\":\"http://a b\"}", "notify[1].url:"},
        {"{\"type\":\"dingtalk\",\"webhook_url\":\"ftp://x\"}", "notify[1].webhook_url:"},
        {"{\"type\":\"dingtalk\",\"url\":\"https://x\"}", "notify[1].webhook_url:"},
        {"{\"type\":\"http\",\"url\":\"http://x\",\"ca_file\":\"/ca\"}", "notify[1].ca_file:"},
        {"{\"type\":\"http\",\"url\":\"http://x\",\"secret\":5}", "notify[1].secret:"},
        {"{\"type\":\"http\",\"url\":\"http://x\",\"min_severity\":\"SEVERE\"}",
         "notify[1].min_severity:"},
        {"{\"type\":\"http\",\"url\":\"http://x\",\"only_on_change\":\"yes\"}",
         "notify[1].only_on_change:"},
        {"{\"type\":\"http\",\"url\":\"http://x\",\"name\":[]}", "notify[1].name:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char j[1024];
        struct notify_rule r;
        snprintf(j, sizeof(j), "{\"notify\":[{\"type\":\"http\",\"url\":\"http://ok\"},%s]}",
                 cases[i].target);
        assert_int_equal(parse(j, &r), 0);
        assert_int_equal(r.n_targets, 2);
        assert_true(r.targets[0].valid);
        assert_false(r.targets[1].valid);
        assert_memory_equal(r.targets[1].reason, cases[i].reason_prefix,
                            strlen(cases[i].reason_prefix));
        notify_rule_cleanup(&r);
    }
}

static void test_notify_rule_reason_never_contains_secret_or_url(void **state)
{
    (void)state;
    struct notify_rule r;
    const char *j = "{\"notify\":[{\"type\":\"https\",\"url\":\"http://h/?access_token=TOPSECRET\","
                    "\"secret\":\"SECRETVALUE\"}]}";
    assert_int_equal(parse(j, &r), 0);
    assert_false(r.targets[0].valid);
    assert_null(strstr(r.targets[0].reason, "TOPSECRET"));
    assert_null(strstr(r.targets[0].reason, "SECRETVALUE"));
    notify_rule_cleanup(&r);
}

static void test_notify_rule_rejects_hostile_rules(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "null",
        "{\"notify\":{}}",
        "{\"notify\":\"x\"}",
        "{\"enabled\":\"yes\"}",
        "{\"name\":3}",
        "{\"id\":\"a\",\"id\":\"b\"}",
        "{\"notify\":[",
        /* jansson refuses \u0000 in strings: the whole rule is unreadable */
        "{\"notify\":[{\"type\":\"http\",\"url\":\"http://x\",\"secret\":\"a\\u0000b\"}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct notify_rule r = {.id = (char *)0x1};
        struct dd_error err = {0};
        assert_int_not_equal(notify_rule_parse(bad[i], strlen(bad[i]), &r, &err), 0);
        assert_ptr_equal(r.id, (char *)0x1);
        assert_true(err.msg[0] != '\0');
    }
    /* 33 targets: more than the cap */
    char j[4096] = "{\"notify\":[";
    for (int i = 0; i < 33; i++)
        strcat(j, i ? ",{}" : "{}");
    strcat(j, "]}");
    struct notify_rule r;
    assert_int_equal(parse(j, &r), DD_EPARSE);
    /* a rule larger than the cap is refused before parsing */
    size_t n = NOTIFY_RULE_MAX_BYTES + 1;
    char *big = malloc(n);
    memset(big, ' ', n);
    struct dd_error err = {0};
    assert_int_equal(notify_rule_parse(big, n, &r, &err), DD_ETOOBIG);
    free(big);
}

static void test_notify_rule_url_cap(void **state)
{
    (void)state;
    size_t n = NOTIFY_URL_MAX + 200;
    char *j = malloc(n);
    char *url = malloc(NOTIFY_URL_MAX + 2);
    memset(url, 'a', NOTIFY_URL_MAX + 1);
    memcpy(url, "http://", 7);
    url[NOTIFY_URL_MAX + 1] = '\0';
    snprintf(j, n, "{\"notify\":[{\"type\":\"http\",\"url\":\"%s\"}]}", url);
    struct notify_rule r;
    assert_int_equal(parse(j, &r), 0);
    assert_false(r.targets[0].valid);
    notify_rule_cleanup(&r);
    url[NOTIFY_URL_MAX] = '\0'; /* exactly at the cap: fine */
    snprintf(j, n, "{\"notify\":[{\"type\":\"http\",\"url\":\"%s\"}]}", url);
    assert_int_equal(parse(j, &r), 0);
    assert_true(r.targets[0].valid);
    notify_rule_cleanup(&r);
    free(url);
    free(j);
}

static void test_notify_rule_min_severity(void **state)
{
    (void)state;
    struct queue_counts none = {0}, one_medium = {.medium = 1}, one_crit = {.critical = 1};
    assert_true(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &none, NOTIFY_SEV_NONE));
    assert_false(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &none, NOTIFY_SEV_UNKNOWN));
    assert_true(notify_min_severity_met(QUEUE_STATUS_FAILED, &none, NOTIFY_SEV_CRITICAL));
    assert_false(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &one_medium, NOTIFY_SEV_HIGH));
    assert_true(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &one_medium, NOTIFY_SEV_MEDIUM));
    assert_true(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &one_medium, NOTIFY_SEV_LOW));
    assert_true(notify_min_severity_met(QUEUE_STATUS_COMPLETE, &one_crit, NOTIFY_SEV_HIGH));
    assert_int_equal(notify_severity_parse("Critical"), NOTIFY_SEV_CRITICAL);
    assert_int_equal(notify_severity_parse("unknown"), NOTIFY_SEV_UNKNOWN);
    assert_int_equal(notify_severity_parse("none"), NOTIFY_SEV_NONE);
    assert_int_equal(notify_severity_parse(NULL), NOTIFY_SEV_NONE);
    assert_string_equal(notify_severity_name(NOTIFY_SEV_LOW), "LOW");
    assert_string_equal(notify_type_name(NOTIFY_TYPE_HTTPS), "https");
}

static void test_notify_rule_url_redact(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"https://oapi.dingtalk.com/robot/send?access_token=T",
         "https://oapi.dingtalk.com/robot/send?<redacted>"},
        {"http://user:pw@hooks.local:8080/a/b", "http://hooks.local:8080/a/b"},
        {"http://a@b@host/p#frag", "http://host/p?<redacted>"},
        {"http://host", "http://host"},
        {"http://host?x", "http://host?<redacted>"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *o = NULL;
        assert_int_equal(notify_url_redact(cases[i].in, &o), 0);
        assert_string_equal(o, cases[i].out);
        free(o);
    }
    char *o = (char *)0x1;
    assert_int_equal(notify_url_redact("no scheme", &o), DD_EINVAL);
    assert_ptr_equal(o, (char *)0x1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_rule_parse_three_target_types),
        cmocka_unit_test(test_notify_rule_parse_defaults),
        cmocka_unit_test(test_notify_rule_target_keys),
        cmocka_unit_test(test_notify_rule_bad_targets_are_marked_not_fatal),
        cmocka_unit_test(test_notify_rule_reason_never_contains_secret_or_url),
        cmocka_unit_test(test_notify_rule_rejects_hostile_rules),
        cmocka_unit_test(test_notify_rule_url_cap),
        cmocka_unit_test(test_notify_rule_min_severity),
        cmocka_unit_test(test_notify_rule_url_redact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
