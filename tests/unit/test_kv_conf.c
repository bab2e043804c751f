/* test_kv_conf.c - "key = value" config files: comments, trimming, errors with file and line,
 * and the value parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_conf.h"

struct seen {
    char log[512];
    int fail_on_key; /* set() fails for key "bad" when set */
};

static int record(void *ctx, const char *key, const char *value, struct dd_error *err)
{
    struct seen *s = ctx;
    if (s->fail_on_key && strcmp(key, "bad") == 0)
        return dd_error_set(err, DD_EINVAL, "bad value for %s", key);
    size_t n = strlen(s->log);
    snprintf(s->log + n, sizeof(s->log) - n, "[%s=%s]", key, value);
    return 0;
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof(path), "/tmp/dd-kvconf-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_kv_conf_reads_settings_in_order(void **state)
{
    (void)state;
    char *p = write_tmp("# a comment\n\n  redis = 127.0.0.1:6379  \n"
                        "name=w1 # inline comment\nurl = http://h/#frag\n\tempty =\r\n");
    struct seen s = {0};
    struct dd_error err = {0};
    assert_int_equal(kv_conf_load(p, record, &s, &err), 0);
    assert_string_equal(s.log, "[redis=127.0.0.1:6379][name=w1][url=http://h/#frag][empty=]");
    unlink(p);
}

static void test_kv_conf_errors_name_file_and_line(void **state)
{
    (void)state;
    char *p = write_tmp("a = 1\nno equals sign\n");
    struct seen s = {0};
    struct dd_error err = {0};
    assert_int_equal(kv_conf_load(p, record, &s, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, ":2: expected key = value"));
    unlink(p);
    p = write_tmp("a = 1\nbad = 2\n");
    s = (struct seen){.fail_on_key = 1};
    err = (struct dd_error){0}; /* an error keeps its first message */
    assert_int_equal(kv_conf_load(p, record, &s, &err), DD_EINVAL);
    assert_non_null(strstr(err.msg, ":2: bad value for bad"));
    unlink(p);
    char big[KV_CONF_LINE_MAX + 16];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    p = write_tmp(big);
    err = (struct dd_error){0};
    assert_int_equal(kv_conf_load(p, record, &s, &err), DD_ETOOBIG);
    unlink(p);
    err = (struct dd_error){0};
    assert_true(kv_conf_load("/nonexistent/drydock.conf", record, &s, &err) < 0);
    assert_non_null(strstr(err.msg, "/nonexistent/drydock.conf"));
}

static void test_kv_conf_value_parsers(void **state)
{
    (void)state;
    uint64_t u = 7;
    assert_int_equal(kv_parse_u64("42", 1, 100, &u), 0);
    assert_int_equal(u, 42);
    assert_int_equal(kv_parse_u64("0", 1, 100, &u), DD_EINVAL);
    assert_int_equal(kv_parse_u64("101", 1, 100, &u), DD_EINVAL);
    assert_int_equal(kv_parse_u64("-1", 0, 100, &u), DD_EINVAL);
    assert_int_equal(kv_parse_u64("12x", 0, 100, &u), DD_EINVAL);
    assert_int_equal(kv_parse_u64("", 0, 100, &u), DD_EINVAL);
    assert_int_equal(kv_parse_u64("99999999999999999999999", 0, UINT64_MAX, &u), DD_EINVAL);
    assert_int_equal(u, 42);
    bool b = false;
    assert_int_equal(kv_parse_bool("on", &b), 0);
    assert_true(b);
    assert_int_equal(kv_parse_bool("no", &b), 0);
    assert_false(b);
    assert_int_equal(kv_parse_bool("True", &b), DD_EINVAL);
    char *s = NULL;
    assert_int_equal(kv_set_str(&s, "a"), 0);
    assert_int_equal(kv_set_str(&s, "b"), 0);
    assert_string_equal(s, "b");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kv_conf_reads_settings_in_order),
        cmocka_unit_test(test_kv_conf_errors_name_file_and_line),
        cmocka_unit_test(test_kv_conf_value_parsers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
