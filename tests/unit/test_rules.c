/* test_rules.c - scan rule JSON validation, regex compile errors, scope and tag matching.
 * Expected messages and offsets come from PCRE2's own error texts (pcre2test gives the same). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
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
        "\"team/web\", \"notify\": [{\"type\": \"http\", \"url\": \"http://h/x\"}], \"registry\": "
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

#define NS_RULE "{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"ns\", " REG ", "

/* A rule whose notify array is the given JSON text. */
static void expect_bad_notify(const char *notify, const char *needle)
{
    char json[8192];
    snprintf(json, sizeof(json), NS_RULE "\"notify\": %s}", notify);
    expect_bad(json, needle);
}

static struct scan_rule *parse_notify_ok(const char *notify)
{
    char json[8192];
    snprintf(json, sizeof(json), NS_RULE "\"notify\": %s}", notify);
    return parse_ok(json);
}

static const char *target_field(const struct scan_rule *r, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(r->notify, i), key));
}

static void test_rules_notify_targets_accepted_and_normalised(void **state)
{
    (void)state;
    struct scan_rule *r = parse_notify_ok(
        "[{\"type\": \"dingtalk\", \"webhook_url\": "
        "\"https://oapi.dingtalk.com/robot/send?access_token=T\", \"secret\": \"SECabc\", "
        "\"min_severity\": \"high\", \"only_on_change\": true, \"name\": \"ops-robot\"},"
        " {\"type\": \"http\", \"url\": \"http://hooks.local/drydock\", \"secret\": \"k\"},"
        " {\"type\": \"https\", \"url\": \"https://hooks.local:8443/dd?x=1\", \"ca_file\": "
        "\"/etc/ssl/my-ca.pem\", \"min_severity\": \"Unknown\"},"
        " {\"type\": \"dingtalk\", \"webhook_url\": \"http://127.0.0.1:9/robot/send\"}]");
    assert_int_equal(json_array_size(r->notify), 4);
    assert_string_equal(target_field(r, 0, "min_severity"), "HIGH");
    assert_string_equal(target_field(r, 0, "secret"), "SECabc");
    assert_true(json_is_true(json_object_get(json_array_get(r->notify, 0), "only_on_change")));
    assert_string_equal(target_field(r, 1, "url"), "http://hooks.local/drydock");
    assert_string_equal(target_field(r, 2, "min_severity"), "UNKNOWN");
    assert_string_equal(target_field(r, 2, "ca_file"), "/etc/ssl/my-ca.pem");
    /* the stored form keeps the secrets and loads again */
    memcpy(r->id, "0123456789abcdef", 17);
    json_t *j = scan_rule_to_json(r);
    struct scan_rule *back = NULL;
    struct dd_error e = {0};
    assert_int_equal(scan_rule_from_json(j, true, &back, &e), 0);
    assert_string_equal(target_field(back, 0, "secret"), "SECabc");
    assert_string_equal(target_field(back, 0, "webhook_url"),
                        "https://oapi.dingtalk.com/robot/send?access_token=T");
    json_decref(j);
    scan_rule_free(back);
    scan_rule_free(r);
}

static void test_rules_notify_rejects_bad_targets(void **state)
{
    (void)state;
    static const struct {
        const char *notify, *needle;
    } cases[] = {
        {"[\"http://x\"]", "notify[0]: must be an object"},
        {"[{\"url\": \"http://x\"}]", "notify[0].type: required"},
        {"[{\"type\": 3, \"url\": \"http://x\"}]", "notify[0].type: must be a string"},
        {"[{\"type\": \"webhook\", \"url\": \"http://x\"}]",
         "notify[0].type: unknown type \"webhook\""},
        {"[{\"type\": \"http\", \"url\": \"http://a\"}, {\"type\": \"https\", \"url\": "
         "\"http://hooks.local/drydock\"}]",
         "notify[1].url: must start with https:// for type \"https\""},
        {"[{\"type\": \"http\", \"url\": \"https://a\"}]",
         "notify[0].url: must start with http:// for type \"http\""},
        {"[{\"type\": \"dingtalk\", \"webhook_url\": \"ftp://a\"}]",
         "notify[0].webhook_url: must start with https:// or http://"},
        {"[{\"type\": \"http\"}]", "notify[0].url: required for type \"http\""},
        {"[{\"type\": \"dingtalk\", \"url\": \"https://a\"}]",
         "notify[0].url: not a field of type \"dingtalk\" (use \"webhook_url\")"},
        {"[{\"type\": \"http\", \"webhook_url\": \"http://a\"}]",
         "notify[0].webhook_url: not a field of type \"http\""},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"ca_file\": \"/x\"}]",
         "notify[0].ca_file: only allowed for type \"https\""},
        {"[{\"type\": \"https\", \"url\": \"https://a\", \"ca_file\": \"ca.pem\"}]",
         "notify[0].ca_file: must be an absolute path"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"headers\": {}}]",
         "notify[0]: unknown field 'headers' for type \"http\""},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"min_severity\": \"SEVERE\"}]",
         "notify[0].min_severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"min_severity\": 3}]",
         "notify[0].min_severity: must be a string"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"only_on_change\": \"yes\"}]",
         "notify[0].only_on_change: must be a boolean"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"secret\": \"\"}]",
         "notify[0].secret: must not be empty"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"secret\": 12}]",
         "notify[0].secret: must be a string"},
        {"[{\"type\": \"http\", \"url\": \"http://a\", \"name\": \"a\\u0007b\"}]",
         "notify[0].name: contains control characters"},
        {"[{\"type\": \"http\", \"url\": \"http://a\\u0001b\"}]",
         "notify[0].url: contains control characters"},
        {"[{\"type\": \"http\", \"url\": \"http:///path\"}]", "notify[0].url: no host"},
        {"[{\"type\": \"http\", \"url\": \"http://user:pw@h/x\"}]",
         "notify[0].url: user info in the URL is not accepted"},
        {"[{\"type\": \"http\", \"url\": \"http://h/a b\"}]", "notify[0].url: contains a space"},
        /* a placeholder that scan_rule_json_unredact did not resolve */
        {"[{\"type\": \"http\", \"url\": \"http://h/x?<redacted>\"}]",
         "notify[0].url: \"<redacted>\" stands for a stored value"},
        {"[{\"type\": \"dingtalk\", \"webhook_url\": \"https://h/r?<redacted>\"}]",
         "notify[0].webhook_url: \"<redacted>\" stands for a stored value"},
        {"[{\"type\": \"http\", \"url\": \"http://h/x\", \"secret\": \"<redacted>\"}]",
         "notify[0].secret: \"<redacted>\" stands for a stored value"},
        {"[{\"type\": \"http\", \"url\": \"http://a\"}, 5]", "notify[1]: must be an object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_bad_notify(cases[i].notify, cases[i].needle);
}

static void test_rules_notify_caps(void **state)
{
    (void)state;
    char *notify = malloc(16384);
    assert_non_null(notify);
    /* 33 targets */
    size_t off = (size_t)snprintf(notify, 16384, "[");
    for (int i = 0; i < RULE_NOTIFY_MAX + 1; i++)
        off +=
            (size_t)snprintf(notify + off, 16384 - off,
                             "%s{\"type\": \"http\", \"url\": \"http://h/%d\"}", i ? "," : "", i);
    snprintf(notify + off, 16384 - off, "]");
    expect_bad_notify(notify, "notify: more than 32 targets");
    /* exactly 32 is fine */
    off = (size_t)snprintf(notify, 16384, "[");
    for (int i = 0; i < RULE_NOTIFY_MAX; i++)
        off +=
            (size_t)snprintf(notify + off, 16384 - off,
                             "%s{\"type\": \"http\", \"url\": \"http://h/%d\"}", i ? "," : "", i);
    snprintf(notify + off, 16384 - off, "]");
    scan_rule_free(parse_notify_ok(notify));
    /* url 2048 ok, 2049 not; secret 256 / 257; name 128 / 129 */
    static const struct {
        const char *pre, *post;
        size_t ok_len;
        const char *needle;
    } caps[] = {
        {"[{\"type\": \"http\", \"url\": \"http://", "\"}]", NOTIFY_URL_MAX - 7,
         "notify[0].url: longer than 2048 bytes"},
        {"[{\"type\": \"http\", \"url\": \"http://h\", \"secret\": \"", "\"}]", NOTIFY_SECRET_MAX,
         "notify[0].secret: longer than 256 bytes"},
        {"[{\"type\": \"http\", \"url\": \"http://h\", \"name\": \"", "\"}]", NOTIFY_NAME_MAX,
         "notify[0].name: longer than 128 bytes"},
    };
    char *fill = malloc(NOTIFY_URL_MAX + 2);
    assert_non_null(fill);
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        memset(fill, 'a', caps[c].ok_len);
        fill[caps[c].ok_len] = '\0';
        snprintf(notify, 16384, "%s%s%s", caps[c].pre, fill, caps[c].post);
        scan_rule_free(parse_notify_ok(notify));
        fill[caps[c].ok_len] = 'a';
        fill[caps[c].ok_len + 1] = '\0';
        snprintf(notify, 16384, "%s%s%s", caps[c].pre, fill, caps[c].post);
        expect_bad_notify(notify, caps[c].needle);
    }
    free(fill);
    free(notify);
}

static void test_rules_notify_redact_hides_secrets_and_access_token(void **state)
{
    (void)state;
    struct scan_rule *r = parse_notify_ok(
        "[{\"type\": \"dingtalk\", \"webhook_url\": "
        "\"https://oapi.dingtalk.com/robot/send?access_token=T0ken\", \"secret\": \"SECabc\"},"
        " {\"type\": \"http\", \"url\": \"http://hooks.local/drydock?team=a\", \"secret\": \"k1\"},"
        " {\"type\": \"https\", \"url\": \"https://hooks.local/drydock\"},"
        " {\"type\": \"dingtalk\", \"webhook_url\": \"https://h/robot\"}]");
    memcpy(r->id, "0123456789abcdef", 17);
    json_t *j = scan_rule_to_json(r);
    assert_int_equal(scan_rule_json_redact(j), 0);
    char *txt = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_non_null(txt);
    assert_null(strstr(txt, "SECabc"));
    assert_null(strstr(txt, "T0ken"));
    assert_null(strstr(txt, "k1"));
    json_t *n = json_object_get(j, "notify");
    assert_string_equal(json_string_value(json_object_get(json_array_get(n, 0), "webhook_url")),
                        "https://oapi.dingtalk.com/robot/send?<redacted>");
    assert_string_equal(json_string_value(json_object_get(json_array_get(n, 0), "secret")),
                        "<redacted>");
    /* http URLs are not credentials: kept; a target without a secret gets none */
    assert_string_equal(json_string_value(json_object_get(json_array_get(n, 1), "url")),
                        "http://hooks.local/drydock?team=a");
    assert_string_equal(json_string_value(json_object_get(json_array_get(n, 1), "secret")),
                        "<redacted>");
    assert_null(json_object_get(json_array_get(n, 2), "secret"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(n, 3), "webhook_url")),
                        "https://h/robot");
    /* the stored form refuses the placeholder */
    struct scan_rule *back = NULL;
    struct dd_error e = {0};
    assert_int_equal(scan_rule_from_json(j, true, &back, &e), DD_EINVAL);
    assert_null(back);
    assert_non_null(strstr(e.msg, "notify[0].webhook_url: \"<redacted>\""));
    free(txt);
    json_decref(j);
    scan_rule_free(r);
}

/* scan_rule_json_unredact on an API body, then the body must validate. */
static struct scan_rule *unredact_parse(const char *notify, json_t *stored, const char *needle)
{
    char json[8192];
    json_error_t je;
    snprintf(json, sizeof(json), NS_RULE "\"notify\": %s}", notify);
    json_t *body = json_loads(json, 0, &je);
    assert_non_null(body);
    assert_int_equal(scan_rule_json_unredact(body, stored), 0);
    struct scan_rule *r = NULL;
    struct dd_error e = {0};
    int rc = scan_rule_from_json(body, false, &r, &e);
    json_decref(body);
    if (needle == NULL && rc != 0)
        fail_msg("rejected %s: %s", notify, e.msg);
    if (needle && (rc == 0 || strstr(e.msg, needle) == NULL))
        fail_msg("for %s: rc %d message '%s', wanted '%s'", notify, rc, e.msg, needle);
    return r;
}

static void test_rules_notify_unredact_keeps_stored_secrets(void **state)
{
    (void)state;
    json_error_t je;
    json_t *stored =
        json_loads("[{\"type\": \"http\", \"url\": \"http://a/1\", \"secret\": \"s-http\"},"
                   " {\"type\": \"dingtalk\", \"webhook_url\": \"https://d/robot?access_token=TT\","
                   "  \"secret\": \"s-ding\"},"
                   " {\"type\": \"https\", \"url\": \"https://b/2\"}]",
                   0, &je);
    assert_non_null(stored);
    /* a GET reply sent back reordered, with one target added */
    struct scan_rule *r = unredact_parse(
        "[{\"type\": \"dingtalk\", \"webhook_url\": \"https://d/robot?<redacted>\", \"secret\": "
        "\"<redacted>\"},"
        " {\"type\": \"http\", \"url\": \"http://new/\", \"secret\": \"fresh\"},"
        " {\"type\": \"http\", \"url\": \"http://a/1\", \"secret\": \"<redacted>\"}]",
        stored, NULL);
    assert_string_equal(target_field(r, 0, "webhook_url"), "https://d/robot?access_token=TT");
    assert_string_equal(target_field(r, 0, "secret"), "s-ding");
    assert_string_equal(target_field(r, 1, "secret"), "fresh");
    assert_string_equal(target_field(r, 2, "secret"), "s-http");
    scan_rule_free(r);
    /* a new access token with the old secret: the URL must match exactly, so it does not */
    unredact_parse("[{\"type\": \"dingtalk\", \"webhook_url\": "
                   "\"https://d/robot?access_token=NEW\", \"secret\": \"<redacted>\"}]",
                   stored, "notify[0].secret: \"<redacted>\" stands for a stored value");
    /* same URL, other type: no match */
    unredact_parse("[{\"type\": \"https\", \"url\": \"https://a/1\", \"secret\": \"<redacted>\"}]",
                   stored, "notify[0].secret");
    /* the stored target has no secret */
    unredact_parse("[{\"type\": \"https\", \"url\": \"https://b/2\", \"secret\": \"<redacted>\"}]",
                   stored, "notify[0].secret");
    /* a new rule (POST): nothing stored to map to */
    unredact_parse("[{\"type\": \"http\", \"url\": \"http://a/1\", \"secret\": \"<redacted>\"}]",
                   NULL, "notify[0].secret");
    /* hostile bodies are left to validation */
    unredact_parse("[5, {\"secret\": \"<redacted>\"}]", stored, "notify[0]: must be an object");
    unredact_parse("{\"secret\": \"<redacted>\"}", stored, "notify: must be an array");
    /* no placeholders: untouched, even with nothing stored */
    r = unredact_parse("[{\"type\": \"http\", \"url\": \"http://a/1\", \"secret\": \"x\"}]", NULL,
                       NULL);
    assert_string_equal(target_field(r, 0, "secret"), "x");
    scan_rule_free(r);
    json_decref(stored);
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
        cmocka_unit_test(test_rules_notify_targets_accepted_and_normalised),
        cmocka_unit_test(test_rules_notify_rejects_bad_targets),
        cmocka_unit_test(test_rules_notify_caps),
        cmocka_unit_test(test_rules_notify_redact_hides_secrets_and_access_token),
        cmocka_unit_test(test_rules_notify_unredact_keeps_stored_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
