/* test_notify_msg.c - unit tests for common/notify_msg.c: the HTTP payload (docs/notify.md,
 * written out by hand below), the DingTalk markdown, top findings from a report, the
 * only_on_change state. 1795878245 = `date -u -d 2026-11-28T15:04:05Z +%s`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "notify_msg.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct queue_event make_event(const char *image, enum queue_status st, const char *error)
{
    struct queue_event e = {0};
    e.job_id = (char *)"job1";
    e.task_id = (char *)"task1";
    e.rule_id = (char *)"r1";
    e.occurred_at_ms = 1795878245123LL;
    e.summary.job_id = (char *)"job1";
    e.summary.image = (char *)image;
    e.summary.digest = (char *)DIGEST;
    e.summary.status = st;
    e.summary.error = (char *)error;
    e.summary.counts = (struct queue_counts){.critical = 0, .high = 1, .medium = 2};
    return e;
}

static void test_notify_msg_payload_exact(void **state)
{
    (void)state;
    struct queue_event e = make_event("127.0.0.1:5000/apps/web:1.0", QUEUE_STATUS_COMPLETE, "");
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_payload_json(&e, "web", "http://127.0.0.1:8080/", &out, &len), 0);
    const char *want =
        "{\"event_type\":\"SCAN_COMPLETED\",\"event_id\":\"job1\","
        "\"occurred_at\":\"2026-11-28T15:04:05Z\",\"rule\":{\"id\":\"r1\",\"name\":\"web\"},"
        "\"image\":\"127.0.0.1:5000/apps/web:1.0\",\"repository\":\"apps/web\",\"tag\":\"1.0\","
        "\"digest\":\"" DIGEST "\",\"status\":\"COMPLETE\","
        "\"summary\":{\"critical\":0,\"high\":1,\"medium\":2,\"low\":0,\"unknown\":0},"
        "\"error\":null,"
        "\"report_url\":\"http://127.0.0.1:8080/api/v1/repos/apps/web/tags/1.0/report\"}";
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
}

static void test_notify_msg_payload_failed_push_reference(void **state)
{
    (void)state;
    /* push jobs name tag@digest: the payload's image drops the digest (it has its own field) */
    struct queue_event e = make_event("127.0.0.1:5000/apps/web/api:v2@" DIGEST, QUEUE_STATUS_FAILED,
                                      "manifest unknown \xff\"x\"");
    e.summary.digest = (char *)"";
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_payload_json(&e, NULL, "https://dd.example", &out, &len), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "event_type")), "SCAN_FAILED");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "FAILED");
    assert_string_equal(json_string_value(json_object_get(j, "image")),
                        "127.0.0.1:5000/apps/web/api:v2");
    assert_string_equal(json_string_value(json_object_get(j, "repository")), "apps/web/api");
    assert_string_equal(json_string_value(json_object_get(j, "tag")), "v2");
    assert_true(json_is_null(json_object_get(j, "digest")));
    /* invalid UTF-8 in the error is replaced, not dropped */
    assert_string_equal(json_string_value(json_object_get(j, "error")), "manifest unknown ?\"x\"");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "rule"), "name")), "");
    assert_string_equal(json_string_value(json_object_get(j, "report_url")),
                        "https://dd.example/api/v1/repos/apps/web/api/tags/v2/report");
    json_decref(j);
    free(out);
}

static void test_notify_msg_payload_digest_only_has_no_report_url(void **state)
{
    (void)state;
    struct queue_event e = make_event("127.0.0.1:5000/apps/web@" DIGEST, QUEUE_STATUS_COMPLETE, "");
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_payload_json(&e, "w", "http://x", &out, &len), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_true(json_is_null(json_object_get(j, "tag")));
    assert_true(json_is_null(json_object_get(j, "report_url")));
    assert_string_equal(json_string_value(json_object_get(j, "image")),
                        "127.0.0.1:5000/apps/web@" DIGEST);
    json_decref(j);
    free(out);
}

static const char REPORT[] =
    "{\"schema_version\":1,\"results\":["
    "{\"class\":\"os-pkgs\",\"vulnerabilities\":["
    " {\"id\":\"CVE-1\",\"package\":\"libssl3\",\"installed_version\":\"3.0.11\","
    "  \"fixed_version\":\"3.0.13\",\"severity\":\"HIGH\"},"
    " {\"id\":\"CVE-2\",\"package\":\"zlib\",\"installed_version\":\"1.2\","
    "  \"fixed_version\":null,\"severity\":\"LOW\"}]},"
    "{\"class\":\"lang-pkgs\",\"vulnerabilities\":["
    " {\"id\":\"GHSA-3\",\"package\":\"lodash\",\"installed_version\":\"4.17.15\","
    "  \"fixed_version\":\"4.17.21\",\"severity\":\"CRITICAL\"},"
    " {\"id\":\"CVE-4\",\"package\":\"[evil](http://x) *b*\",\"installed_version\":\"1\","
    "  \"severity\":\"weird\"},"
    " {\"id\":\"CVE-5\",\"package\":\"minimist\",\"installed_version\":\"1.2.0\","
    "  \"fixed_version\":\"1.2.6\",\"severity\":\"HIGH\"}]}]}";

static void test_notify_msg_report_top_orders_by_severity(void **state)
{
    (void)state;
    struct notify_finding *f = NULL;
    size_t n = 0;
    struct dd_error err = {0};
    assert_int_equal(notify_report_top(REPORT, strlen(REPORT), 10, &f, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_string_equal(f[0].id, "GHSA-3");
    assert_int_equal(f[0].severity, NOTIFY_SEV_CRITICAL);
    assert_string_equal(f[1].id, "CVE-1"); /* HIGH, report order */
    assert_string_equal(f[1].fixed, "3.0.13");
    assert_string_equal(f[2].id, "CVE-5");
    assert_string_equal(f[3].id, "CVE-2"); /* LOW */
    assert_null(f[3].fixed);
    assert_string_equal(f[4].id, "CVE-4"); /* unrecognised severity counts as UNKNOWN */
    assert_int_equal(f[4].severity, NOTIFY_SEV_UNKNOWN);
    notify_findings_free(f, n);
    assert_int_equal(notify_report_top(REPORT, strlen(REPORT), 2, &f, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(f[1].id, "CVE-1");
    notify_findings_free(f, n);
}

static void test_notify_msg_report_top_hostile(void **state)
{
    (void)state;
    static const char *const ok_empty[] = {
        "{}",
        "{\"results\":7}",
        "{\"results\":[1,\"x\",{\"vulnerabilities\":{}}]}",
        "{\"results\":[{\"vulnerabilities\":[1,null,{\"severity\":5}]}]}",
    };
    for (size_t i = 0; i < sizeof(ok_empty) / sizeof(ok_empty[0]); i++) {
        struct notify_finding *f = NULL;
        size_t n = 99;
        assert_int_equal(notify_report_top(ok_empty[i], strlen(ok_empty[i]), 10, &f, &n, NULL), 0);
        notify_findings_free(f, n);
    }
    struct notify_finding *f = (struct notify_finding *)0x1;
    size_t n = 99;
    assert_int_equal(notify_report_top("[]", 2, 10, &f, &n, NULL), DD_EPARSE);
    assert_int_equal(notify_report_top("{", 1, 10, &f, &n, NULL), DD_EPARSE);
    assert_ptr_equal(f, (struct notify_finding *)0x1);
    assert_int_equal(n, 99);
}

static void test_notify_msg_dingtalk_single(void **state)
{
    (void)state;
    struct queue_event e = make_event("127.0.0.1:5000/apps/web:1.0", QUEUE_STATUS_COMPLETE, "");
    struct notify_finding *f = NULL;
    size_t nf = 0;
    assert_int_equal(notify_report_top(REPORT, strlen(REPORT), 10, &f, &nf, NULL), 0);
    struct notify_scan s = {&e, "web", f, nf};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_dingtalk_body(&s, 1, "http://127.0.0.1:8080", &out, &len), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "msgtype")), "markdown");
    json_t *md = json_object_get(j, "markdown");
    assert_string_equal(json_string_value(json_object_get(md, "title")),
                        "drydock: COMPLETE apps/web:1.0");
    const char *want = "#### drydock scan COMPLETE\n\n"
                       "- **Image**: 127.0.0.1:5000/apps/web:1.0\n"
                       "- **Digest**: " DIGEST "\n"
                       "- **Status**: COMPLETE\n"
                       "- **Rule**: web\n"
                       "- **Findings**: CRITICAL 0 · HIGH 1 · MEDIUM 2 · LOW 0 · UNKNOWN 0\n"
                       "\n**Top findings**\n\n"
                       "1. **CRITICAL** GHSA-3 lodash 4.17.15 → fixed in 4.17.21\n"
                       "2. **HIGH** CVE-1 libssl3 3.0.11 → fixed in 3.0.13\n"
                       "3. **HIGH** CVE-5 minimist 1.2.0 → fixed in 1.2.6\n"
                       "4. **LOW** CVE-2 zlib 1.2 (no fix yet)\n"
                       "5. **UNKNOWN** CVE-4 \\[evil\\]\\(http://x\\) \\*b\\* 1 (no fix yet)\n"
                       "\n[Report](http://127.0.0.1:8080/api/v1/repos/apps/web/tags/1.0/report)\n";
    assert_string_equal(json_string_value(json_object_get(md, "text")), want);
    json_decref(j);
    free(out);
    notify_findings_free(f, nf);
}

static void test_notify_msg_dingtalk_failed_and_batch(void **state)
{
    (void)state;
    struct queue_event a = make_event("127.0.0.1:5000/apps/a:1", QUEUE_STATUS_FAILED,
                                      "registry said 500\nretry later");
    struct queue_event b = make_event("127.0.0.1:5000/apps/b:2", QUEUE_STATUS_COMPLETE, "");
    struct notify_scan one = {&a, "r", NULL, 0};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_dingtalk_body(&one, 1, "http://h", &out, &len), 0);
    json_t *j = json_loads(out, 0, NULL);
    const char *text = json_string_value(json_object_get(json_object_get(j, "markdown"), "text"));
    assert_non_null(strstr(text, "- **Error**: registry said 500 retry later\n"));
    assert_null(strstr(text, "Findings"));
    json_decref(j);
    free(out);
    struct notify_scan two[2] = {{&a, "r", NULL, 0}, {&b, "r", NULL, 0}};
    assert_int_equal(notify_dingtalk_body(two, 2, "http://h", &out, &len), 0);
    j = json_loads(out, 0, NULL);
    json_t *md = json_object_get(j, "markdown");
    assert_string_equal(json_string_value(json_object_get(md, "title")), "drydock: 2 scan results");
    assert_string_equal(
        json_string_value(json_object_get(md, "text")),
        "#### drydock: 2 scans finished\n\n"
        "- **127.0.0.1:5000/apps/a:1** FAILED: registry said 500 retry later "
        "[Report](http://h/api/v1/repos/apps/a/tags/1/report)\n"
        "- **127.0.0.1:5000/apps/b:2** COMPLETE: CRITICAL 0 · HIGH 1 · MEDIUM 2 · LOW 0 · "
        "UNKNOWN 0 [Report](http://h/api/v1/repos/apps/b/tags/2/report)\n");
    json_decref(j);
    free(out);
    assert_int_equal(notify_dingtalk_body(two, 0, "http://h", &out, &len), DD_EINVAL);
}

static void test_notify_msg_dingtalk_batch_is_capped(void **state)
{
    (void)state;
    enum { N = 400 };
    struct queue_event *ev = calloc(N, sizeof(*ev));
    struct notify_scan *s = calloc(N, sizeof(*s));
    for (int i = 0; i < N; i++) {
        ev[i] = make_event("127.0.0.1:5000/apps/some-long-repository-name/component:1.0.0",
                           QUEUE_STATUS_COMPLETE, "");
        s[i] = (struct notify_scan){&ev[i], "r", NULL, 0};
    }
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(notify_dingtalk_body(s, N, "http://h", &out, &len), 0);
    assert_true(len < 20000);
    assert_non_null(strstr(out, "more\\n"));
    free(out);
    free(s);
    free(ev);
}

static void test_notify_msg_state_and_time(void **state)
{
    (void)state;
    struct queue_event e = make_event("r/a/b:1", QUEUE_STATUS_COMPLETE, "");
    e.summary.counts = (struct queue_counts){5, 4, 3, 2, 1};
    char s[64];
    assert_int_equal(notify_state(&e, s, sizeof(s)), 0);
    assert_string_equal(s, "COMPLETE 5 4 3 2 1");
    char tiny[4];
    assert_int_equal(notify_state(&e, tiny, sizeof(tiny)), DD_ETOOBIG);
    char t[32];
    notify_time_rfc3339(1795878245999LL, t, sizeof(t));
    assert_string_equal(t, "2026-11-28T15:04:05Z");
    notify_time_rfc3339(-5, t, sizeof(t));
    assert_string_equal(t, "1970-01-01T00:00:00Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify_msg_payload_exact),
        cmocka_unit_test(test_notify_msg_payload_failed_push_reference),
        cmocka_unit_test(test_notify_msg_payload_digest_only_has_no_report_url),
        cmocka_unit_test(test_notify_msg_report_top_orders_by_severity),
        cmocka_unit_test(test_notify_msg_report_top_hostile),
        cmocka_unit_test(test_notify_msg_dingtalk_single),
        cmocka_unit_test(test_notify_msg_dingtalk_failed_and_batch),
        cmocka_unit_test(test_notify_msg_dingtalk_batch_is_capped),
        cmocka_unit_test(test_notify_msg_state_and_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
