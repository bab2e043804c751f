/* test_rules.c - scan rule JSON validation, regex compile errors, scope and tag matching.
 * Expected messages and offsets come from PCRE2's own error texts (pcre2test gives the same). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define REG "\"registry\": {\"url\": \"http://127.0.0.1:5000\"}"

static struct scan_rule *parse_ok(const char *json)
{
    struct scan_rule *r = NULL;
    struct dd_error e = {0};
    int rc = scan_rule_parse(json, strlen(json), false, &r, &e);
    if (rc != 0)
        fail_msg("rejected %s: %s", json, e.msg);
    return r;
}

static void expect_bad(const char *json, const char *needle)
{
    struct scan_rule *r = NULL;
    struct dd_error e = {0};
    int rc = scan_rule_parse(json, strlen(json), false, &r, &e);
    if (rc == 0)
        fail_msg("accepted %s", json);
    assert_null(r);
    if (strstr(e.msg, needle) == NULL)
        fail_msg("message for %s is '%s', wanted '%s'", json, e.msg, needle);
}

static void test_rules_parse_namespace_rule(void **state)
{
    (void)state;
    struct scan_rule *r = parse_ok("{\"name\": \"apps\", \"scope\": \"namespace\", \"namespace\": "
                                   "\"apps\", \"tag_regex\": \"^v1\\\\.\", \"triggers\": "
                                   "{\"on_push\": true, \"cron\": \"0 3 * * *\"}, " REG "}");
    assert_string_equal(r->name, "apps");
    assert_int_equal(r->scope, RULE_SCOPE_NAMESPACE);
    assert_string_equal(r->namespace_, "apps");
    assert_null(r->repository);
    assert_true(r->manual);
    assert_true(r->on_push);
    assert_string_equal(r->cron, "0 3 * * *");
    assert_string_equal(r->registry_host, "127.0.0.1:5000");
    assert_true(r->registry_insecure);
    assert_null(r->credentials);
    assert_true(r->enabled);
    assert_true(json_is_array(r->notify));
    assert_int_equal(scan_rule_match_tag(r, "v1.2"), 1);
    assert_int_equal(scan_rule_match_tag(r, "v10"), 0);
    assert_int_equal(scan_rule_match_tag(r, "xv1.2"), 0);
    assert_true(scan_rule_in_scope(r, "apps/web"));
    assert_true(scan_rule_in_scope(r, "apps/team/web"));
    assert_false(scan_rule_in_scope(r, "apps"));
    assert_false(scan_rule_in_scope(r, "appsx/web"));
    assert_false(scan_rule_in_scope(r, "other/apps"));
    scan_rule_free(r);
}

static void test_rules_parse_repository_rule_and_defaults(void **state)
{
    (void)state;
    struct scan_rule *r = parse_ok(
        "{\"name\": \"web\", \"scope\": \"repository\", \"namespace\": \"apps\", \"repository\": "
        "\"team/web\", \"notify\": [{\"type\": \"dingtalk\", \"url\": \"x\"}], \"registry\": "
        "{\"url\": \"https://reg.example.com/\", \"credentials\": \"ci\"}}");
    assert_int_equal(r->scope, RULE_SCOPE_REPOSITORY);
    assert_string_equal(r->repository, "team/web");
    assert_string_equal(r->tag_regex, ".*");
    assert_true(r->manual);
    assert_false(r->on_push);
    assert_null(r->cron);
    assert_string_equal(r->registry_host, "reg.example.com");
    assert_string_equal(r->registry_url, "https://reg.example.com");
    assert_false(r->registry_insecure);
    assert_string_equal(r->credentials, "ci");
    assert_int_equal(json_array_size(r->notify), 1);
    assert_true(scan_rule_in_scope(r, "apps/team/web"));
    assert_false(scan_rule_in_scope(r, "apps/team/web2"));
    assert_false(scan_rule_in_scope(r, "apps/web"));
    assert_int_equal(scan_rule_match_tag(r, "anything"), 1);
    scan_rule_free(r);
}

static void test_rules_round_trip_through_stored_form(void **state)
{
    (void)state;
    struct scan_rule *r = parse_ok("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": "
                                   "\"ns\", \"triggers\": {\"manual\": false, \"cron\": \"*/5 * * "
                                   "* *\"}, \"enabled\": false, " REG "}");
    memcpy(r->id, "0123456789abcdef", 17);
    r->created_at_ms = 1700000000000;
    r->updated_at_ms = 1700000000001;
    json_t *j = scan_rule_to_json(r);
    assert_non_null(j);
    assert_null(json_object_get(j, "password"));
    struct scan_rule *back = NULL;
    struct dd_error e = {0};
    assert_int_equal(scan_rule_from_json(j, true, &back, &e), 0);
    assert_string_equal(back->id, "0123456789abcdef");
    assert_int_equal(back->created_at_ms, 1700000000000);
    assert_false(back->manual);
    assert_false(back->enabled);
    assert_string_equal(back->cron, "*/5 * * * *");
    /* the API form must not accept server-side fields */
    struct scan_rule *api = NULL;
    assert_int_equal(scan_rule_from_json(j, false, &api, &e), DD_EINVAL);
    assert_null(api);
    json_decref(j);
    scan_rule_free(back);
    scan_rule_free(r);
}

static void test_rules_bad_regex_reports_pcre2_message_and_offset(void **state)
{
    (void)state;
    expect_bad("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"tag_regex\": "
               "\"(^1\", " REG "}",
               "tag_regex: missing closing parenthesis at offset 3");
    expect_bad("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"tag_regex\": "
               "\"a{2,1}\", " REG "}",
               "at offset 5");
    expect_bad("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"tag_regex\": "
               "\"[z-a]\", " REG "}",
               "tag_regex: range out of order");
}

static void test_rules_rejects_bad_fields(void **state)
{
    (void)state;
    static const struct {
        const char *json, *needle;
    } cases[] = {
        {"[]", "must be a JSON object"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"tag_regx\": "
         "\".\", " REG "}",
         "unknown field 'tag_regx'"},
        {"{\"scope\": \"namespace\", \"namespace\": \"ns\", " REG "}", "name: required"},
        {"{\"name\": 5, \"scope\": \"namespace\", \"namespace\": \"ns\", " REG "}",
         "name: must be a string"},
        {"{\"name\": \"a\\nb\", \"scope\": \"namespace\", \"namespace\": \"ns\", " REG "}",
         "printable"},
        {"{\"name\": \"n\", \"scope\": \"global\", \"namespace\": \"ns\", " REG "}", "scope:"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", " REG "}", "namespace: required"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"a/b\", " REG "}",
         "namespace:"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"Apps\", " REG "}",
         "namespace:"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"repository\": "
         "\"web\", " REG "}",
         "not allowed with scope"},
        {"{\"name\": \"n\", \"scope\": \"repository\", \"namespace\": \"ns\", " REG "}",
         "repository: required"},
        {"{\"name\": \"n\", \"scope\": \"repository\", \"namespace\": \"ns\", \"repository\": "
         "\"a//b\", " REG "}",
         "repository:"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"triggers\": "
         "[\"manual\"], " REG "}",
         "triggers: must be an object"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"triggers\": "
         "{\"push\": true}, " REG "}",
         "triggers: unknown field 'push'"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"triggers\": "
         "{\"on_push\": 1}, " REG "}",
         "booleans"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"triggers\": "
         "{\"cron\": \"61 * * * *\"}, " REG "}",
         "cron minute field"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"notify\": {}, " REG
         "}",
         "notify: must be an array"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"notify\": [{}], " REG
         "}",
         "notify[0]"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\"}", "registry: must be"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"registry\": "
         "{\"url\": \"r:5000\", \"password\": \"hunter2\"}}",
         "secrets are not accepted"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"registry\": "
         "{\"url\": \"ftp://r\"}}",
         "scheme"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"registry\": "
         "{\"url\": \"http://u@r/path\"}}",
         "bad character"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"enabled\": "
         "\"yes\", " REG "}",
         "enabled"},
        {"{\"name\": \"n\", \"name\": \"m\", \"scope\": \"namespace\", \"namespace\": \"ns\", " REG
         "}",
         "bad JSON"},
        {"{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"id\": "
         "\"0123456789abcdef\", " REG "}",
         "set by the server"},
        {"{\"name\": \"n\", \"scope\": \"nam", "bad JSON"},
        {"{\"name\": \"\xff\xfe\", \"scope\": \"namespace\", \"namespace\": \"ns\", " REG "}",
         "bad JSON"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_bad(cases[i].json, cases[i].needle);
}

static void test_rules_rejects_oversized_input(void **state)
{
    (void)state;
    size_t n = RULE_JSON_MAX_BYTES + 10;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    struct scan_rule *r = NULL;
    struct dd_error e = {0};
    assert_int_equal(scan_rule_parse(big, n, false, &r, &e), DD_ETOOBIG);
    free(big);
    /* a regex over the cap */
    char json[4096];
    char re[RULE_REGEX_MAX_BYTES + 2];
    memset(re, 'a', sizeof(re) - 1);
    re[sizeof(re) - 1] = '\0';
    snprintf(json, sizeof(json),
             "{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", \"tag_regex\": "
             "\"%s\", " REG "}",
             re);
    expect_bad(json, "longer than");
}

static void test_rules_pathological_regex_hits_match_limit(void **state)
{
    (void)state;
    struct scan_rule *r = parse_ok("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": "
                                   "\"ns\", \"tag_regex\": \"^(a+)+$\", " REG "}");
    char tag[129];
    memset(tag, 'a', 40);
    tag[40] = 'b';
    tag[41] = '\0';
    assert_int_equal(scan_rule_match_tag(r, tag), DD_ELIMIT);
    assert_int_equal(scan_rule_match_tag(r, "aaa"), 1);
    /* invalid UTF-8 in a tag is a failed match, not a crash */
    assert_true(scan_rule_match_tag(r, "\xff") < 0);
    scan_rule_free(r);
}

static void test_rules_repo_helpers(void **state)
{
    (void)state;
    assert_true(repo_name_valid("apps/web"));
    assert_true(repo_name_valid("a.b_c-d/e__f/g"));
    assert_false(repo_name_valid(""));
    assert_false(repo_name_valid("/apps"));
    assert_false(repo_name_valid("apps/"));
    assert_false(repo_name_valid("Apps/web"));
    assert_false(repo_name_valid("apps/-web"));
    assert_false(repo_name_valid("apps/web app"));
    size_t nl = 0;
    const char *rest = NULL;
    assert_true(repo_split("apps/team/web", &nl, &rest));
    assert_int_equal(nl, 4);
    assert_string_equal(rest, "team/web");
    assert_false(repo_split("alpine", &nl, &rest));
    char hex[33];
    assert_int_equal(random_hex(hex, 16), 0);
    assert_int_equal(strlen(hex), 32);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_parse_namespace_rule),
        cmocka_unit_test(test_rules_parse_repository_rule_and_defaults),
        cmocka_unit_test(test_rules_round_trip_through_stored_form),
        cmocka_unit_test(test_rules_bad_regex_reports_pcre2_message_and_offset),
        cmocka_unit_test(test_rules_rejects_bad_fields),
        cmocka_unit_test(test_rules_rejects_oversized_input),
        cmocka_unit_test(test_rules_pathological_regex_hits_match_limit),
        cmocka_unit_test(test_rules_repo_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
