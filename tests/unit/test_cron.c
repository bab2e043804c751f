/* test_cron.c - the 5-field cron parser and matcher. Expected bit sets and match results are
 * written by hand from crontab(5) (Vixie cron semantics: dom/dow OR when both restricted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "cron.h"

/* A struct tm for a given UTC time (wday filled in by timegm/gmtime). */
static struct tm at(int year, int mon, int mday, int hour, int min)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    return tm;
}

static void test_cron_parse_star_sets_every_value(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("* * * * *", &c, &e), 0);
    assert_true(c.minutes == 0x0fffffffffffffffULL);
    assert_int_equal(c.hours, 0xffffff);
    assert_int_equal(c.mdays, 0xfffffffe);
    assert_int_equal(c.months, 0x1ffe);
    assert_int_equal(c.wdays, 0x7f);
    assert_true(c.mday_star);
    assert_true(c.wday_star);
}

static void test_cron_parse_steps_ranges_lists(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("*/15 1-5/2 1,15 jan-mar mon-fri", &c, &e), 0);
    assert_true(c.minutes == ((1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45)));
    assert_int_equal(c.hours, (1 << 1) | (1 << 3) | (1 << 5));
    assert_int_equal(c.mdays, (1 << 1) | (1 << 15));
    assert_int_equal(c.months, (1 << 1) | (1 << 2) | (1 << 3));
    assert_int_equal(c.wdays, 0x3e);
    assert_false(c.mday_star);
    assert_false(c.wday_star);
    /* "a/n" runs from a to the end of the range */
    assert_int_equal(cron_parse("5/20 * * * *", &c, &e), 0);
    assert_true(c.minutes == ((1ULL << 5) | (1ULL << 25) | (1ULL << 45)));
}

static void test_cron_parse_sunday_is_0_and_7(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("0 0 * * 7", &c, &e), 0);
    assert_int_equal(c.wdays, 1);
    assert_int_equal(cron_parse("0 0 * * SUN", &c, &e), 0);
    assert_int_equal(c.wdays, 1);
}

static void test_cron_parse_rejects_bad_expressions(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 0 * *",
        "* * 32 * *",
        "* * * 13 *",
        "* * * 0 *",
        "* * * * 8",
        "5-1 * * * *",
        "*/0 * * * *",
        "1,,2 * * * *",
        "1, * * * *",
        "a * * * *",
        "* * * foo *",
        "*/ * * * *",
        "1-* * * * *",
        "-1 * * * *",
        "1000 * * * *",
        "* * * * mon-",
        "*/1000 * * * *",
        "@daily",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cron_expr c;
        struct dd_error e = {0};
        if (cron_parse(bad[i], &c, &e) != DD_EINVAL)
            fail_msg("accepted '%s'", bad[i]);
        assert_true(strlen(e.msg) > 0);
    }
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse(NULL, &c, &e), DD_EINVAL);
    char huge[600];
    memset(huge, '1', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(cron_parse(huge, &c, &e), DD_EINVAL);
}

static void test_cron_parse_error_names_the_field(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("0 25 * * *", &c, &e), DD_EINVAL);
    assert_non_null(strstr(e.msg, "hour"));
}

static void test_cron_match_minutes_and_hours(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("30 3 * * *", &c, &e), 0);
    struct tm a = at(2024, 5, 17, 3, 30), b = at(2024, 5, 17, 3, 31), d = at(2024, 5, 17, 4, 30);
    assert_true(cron_match(&c, &a));
    assert_false(cron_match(&c, &b));
    assert_false(cron_match(&c, &d));
}

static void test_cron_match_dom_or_dow_when_both_restricted(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    /* 2024-05-13 is a Monday, 2024-05-01 a Wednesday, 2024-05-14 a Tuesday */
    assert_int_equal(cron_parse("0 0 1 * mon", &c, &e), 0);
    struct tm mon = at(2024, 5, 13, 0, 0), first = at(2024, 5, 1, 0, 0),
              tue = at(2024, 5, 14, 0, 0);
    assert_true(cron_match(&c, &mon));
    assert_true(cron_match(&c, &first));
    assert_false(cron_match(&c, &tue));
    /* dow unrestricted: dom must match */
    assert_int_equal(cron_parse("0 0 1 * *", &c, &e), 0);
    assert_false(cron_match(&c, &mon));
    assert_true(cron_match(&c, &first));
    /* dom unrestricted: dow must match */
    assert_int_equal(cron_parse("0 0 * * 1", &c, &e), 0);
    assert_true(cron_match(&c, &mon));
    assert_false(cron_match(&c, &first));
}

static void test_cron_match_month_and_out_of_range_tm(void **state)
{
    (void)state;
    struct cron_expr c;
    struct dd_error e = {0};
    assert_int_equal(cron_parse("0 12 * dec *", &c, &e), 0);
    struct tm dec = at(2023, 12, 25, 12, 0), nov = at(2023, 11, 25, 12, 0);
    assert_true(cron_match(&c, &dec));
    assert_false(cron_match(&c, &nov));
    struct tm broken = dec;
    broken.tm_min = 61;
    assert_false(cron_match(&c, &broken));
    broken = dec;
    broken.tm_wday = -1;
    assert_false(cron_match(&c, &broken));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cron_parse_star_sets_every_value),
        cmocka_unit_test(test_cron_parse_steps_ranges_lists),
        cmocka_unit_test(test_cron_parse_sunday_is_0_and_7),
        cmocka_unit_test(test_cron_parse_rejects_bad_expressions),
        cmocka_unit_test(test_cron_parse_error_names_the_field),
        cmocka_unit_test(test_cron_match_minutes_and_hours),
        cmocka_unit_test(test_cron_match_dom_or_dow_when_both_restricted),
        cmocka_unit_test(test_cron_match_month_and_out_of_range_tm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
