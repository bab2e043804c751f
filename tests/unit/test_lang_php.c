/* test_lang_php.c - composer.lock, installed.json, the guarded JSON loader, and want(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "lang_php.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/php/"

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static void expect_pkg(const struct pkg *p, const char *name, const char *version,
                       const char *licence, const char *path)
{
    assert_int_equal(p->type, PKG_TYPE_COMPOSER);
    assert_string_equal(p->name, name);
    assert_string_equal(p->version, version);
    if (licence)
        assert_string_equal(p->licence, licence);
    else
        assert_null(p->licence);
    assert_string_equal(p->file_path, path);
    assert_null(p->src_name);
    assert_null(p->src_version);
    assert_null(p->arch);
    assert_int_equal(p->epoch, -1);
    assert_int_equal(p->layer, -1);
}

#define LOCK "srv/app/composer.lock"
#define INST "srv/app/vendor/composer/installed.json"

static void test_lang_php_composer_lock_real(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "composer.lock", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(composer_lock_parse(LOCK, data, len, false, &l, &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(l.n, 4);
    expect_pkg(&l.v[0], "acme/dual-licensed", "0.2.0", "LGPL-2.1-only, GPL-3.0-or-later", LOCK);
    expect_pkg(&l.v[1], "monolog/monolog", "2.9.1", "MIT", LOCK);
    expect_pkg(&l.v[2], "psr/log", "1.1.4", "MIT", LOCK);
    expect_pkg(&l.v[3], "symfony/polyfill-mbstring", "v1.27.0", "MIT", LOCK);
    pkg_list_cleanup(&l);

    /* With dev packages: require-dev ones follow. */
    pkg_list_init(&l);
    assert_int_equal(composer_lock_parse(LOCK, data, len, true, &l, &err), 0);
    assert_int_equal(l.n, 5);
    expect_pkg(&l.v[4], "phpunit/php-timer", "5.0.3", "BSD-3-Clause", LOCK);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_php_installed_composer2(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "installed-composer2.json", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(composer_installed_parse(INST, data, len, &l, &err), 0);
    /* Installed with dev packages: all five are on disk, in installed.json's order. */
    assert_int_equal(l.n, 5);
    expect_pkg(&l.v[0], "acme/dual-licensed", "0.2.0", "LGPL-2.1-only, GPL-3.0-or-later", INST);
    expect_pkg(&l.v[1], "monolog/monolog", "2.9.1", "MIT", INST);
    expect_pkg(&l.v[2], "phpunit/php-timer", "5.0.3", "BSD-3-Clause", INST);
    expect_pkg(&l.v[3], "psr/log", "1.1.4", "MIT", INST);
    expect_pkg(&l.v[4], "symfony/polyfill-mbstring", "v1.27.0", "MIT", INST);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_php_installed_composer1(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "installed-composer1.json", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(composer_installed_parse(INST, data, len, &l, NULL), 0);
    assert_int_equal(l.n, 3);
    expect_pkg(&l.v[0], "guzzlehttp/psr7", "1.6.1", "MIT", INST);
    expect_pkg(&l.v[1], "symfony/http-foundation", "v4.3.2", "MIT", INST);
    expect_pkg(&l.v[2], "acme/internal", "dev-master", NULL, INST);
    pkg_list_cleanup(&l);
    free(data);
}

static int parse_lock_text(const char *t, struct pkg_list *l, struct dd_error *err)
{
    pkg_list_init(l);
    dd_error_clear(err);
    return composer_lock_parse(LOCK, (const uint8_t *)t, strlen(t), false, l, err);
}

static void test_lang_php_bad_entries_are_partial(void **state)
{
    (void)state;
    struct pkg_list l;
    struct dd_error err = {0};
    const char *t = "{\"packages\": [1, {\"name\": \"a/b\"}, {\"name\": \"ok/one\", \"version\": "
                    "\"1.0\", \"license\": [\"MIT\", 7]}, {\"name\": \"noslash\", \"version\": "
                    "\"1\"}, {\"name\": \"a/b/c\", \"version\": \"1\"}, {\"name\": \"x/y\", "
                    "\"version\": \"1 0\"}, {\"name\": \"x/y\", \"version\": 1}, {\"name\": "
                    "\"x/\\u00e9\", \"version\": \"1\"}, {\"name\": \"ok/two\", \"version\": "
                    "\"2.0\", \"license\": \"GPL\\n\"}]}";
    assert_int_equal(parse_lock_text(t, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "packages[0]"));
    assert_int_equal(l.n, 2);
    /* A licence list with a non-string, or a control character, is dropped, not the package. */
    expect_pkg(&l.v[0], "ok/one", "1.0", NULL, LOCK);
    expect_pkg(&l.v[1], "ok/two", "2.0", NULL, LOCK);
    pkg_list_cleanup(&l);
}

static void test_lang_php_rejects_wrong_shapes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "\"packages\"",
        "{\"packages\": {\"a/b\": \"1\"}}",
        "{\"packages\": [",
        "{\"packages\": [{\"name\": \"a/b\", \"version\": \"\xff\"}]}", /* invalid UTF-8 */
        "{\"name\": \"a/b\", \"version\": \"1\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pkg_list l;
        struct dd_error err = {0};
        assert_int_equal(parse_lock_text(bad[i], &l, &err), DD_EPARSE);
        assert_int_equal(err.code, DD_EPARSE);
        assert_non_null(strstr(err.msg, LOCK));
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
    }
    /* installed.json: an object without "packages" is not Composer 2. */
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    const char *t = "{\"dev\": true}";
    assert_int_equal(composer_installed_parse(INST, (const uint8_t *)t, strlen(t), &l, &err),
                     DD_EPARSE);
    assert_non_null(strstr(err.msg, "Composer 1"));
    pkg_list_cleanup(&l);
}

static void test_lang_php_json_limits(void **state)
{
    (void)state;
    json_t *root = NULL;
    struct dd_error err = {0};

    /* Deep nesting: refused by the byte scan before jansson recurses. */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 1);
    assert_non_null(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    assert_int_equal(lang_json_load((uint8_t *)deep, 2 * depth, "d.json", &root, &err), DD_ELIMIT);
    assert_null(root);
    assert_non_null(strstr(err.msg, "deeper"));
    /* Exactly the limit is fine; brackets inside strings do not count. */
    memset(deep, '[', LANG_JSON_MAX_DEPTH);
    memset(deep + LANG_JSON_MAX_DEPTH, ']', LANG_JSON_MAX_DEPTH);
    assert_int_equal(
        lang_json_load((uint8_t *)deep, 2 * LANG_JSON_MAX_DEPTH, "d.json", &root, NULL), 0);
    json_decref(root);
    root = NULL;
    free(deep);
    const char *s =
        "{\"k\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\""
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}";
    assert_int_equal(lang_json_load((const uint8_t *)s, strlen(s), "s.json", &root, NULL), 0);
    json_decref(root);
    root = NULL;

    /* Very many tiny values: refused before jansson allocates them. */
    size_t n = (size_t)LANG_JSON_MAX_ITEMS + 10;
    char *many = malloc(2 * n + 2);
    assert_non_null(many);
    many[0] = '[';
    for (size_t i = 0; i < n; i++) {
        many[1 + 2 * i] = '0';
        many[2 + 2 * i] = ',';
    }
    many[2 * n] = ']';
    dd_error_clear(&err);
    assert_int_equal(lang_json_load((uint8_t *)many, 2 * n + 1, "m.json", &root, &err), DD_ELIMIT);
    free(many);

    /* Over the byte limit: DD_ETOOBIG without reading the bytes. */
    static const uint8_t one[1] = {'{'};
    dd_error_clear(&err);
    assert_int_equal(lang_json_load(one, (size_t)LANG_JSON_MAX_BYTES + 1, "b.json", &root, &err),
                     DD_ETOOBIG);
    assert_null(root);
}

static void test_lang_php_huge_string_skipped(void **state)
{
    (void)state;
    size_t n = 100000;
    char *t = malloc(n + 128);
    assert_non_null(t);
    int off = snprintf(t, n + 128, "{\"packages\": [{\"name\": \"a/b\", \"version\": \"");
    memset(t + off, '1', n);
    strcpy(t + off + n, "\"}, {\"name\": \"c/d\", \"version\": \"3\"}]}");
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(composer_lock_parse(LOCK, (uint8_t *)t, strlen(t), false, &l, &err),
                     DD_EPARSE);
    assert_int_equal(l.n, 1);
    expect_pkg(&l.v[0], "c/d", "3", NULL, LOCK);
    pkg_list_cleanup(&l);
    free(t);
}

static void test_lang_php_want(void **state)
{
    (void)state;
    assert_true(analyzer_composer_lock.want("var/www/html/composer.lock"));
    assert_true(analyzer_composer_lock.want("composer.lock"));
    assert_false(analyzer_composer_lock.want("var/www/html/vendor/psr/log/composer.lock"));
    assert_false(analyzer_composer_lock.want("var/www/html/composer.json"));
    assert_true(analyzer_composer_installed.want("var/www/html/vendor/composer/installed.json"));
    assert_true(analyzer_composer_installed.want("vendor/composer/installed.json"));
    assert_false(analyzer_composer_installed.want("var/www/html/myvendor/composer/installed.json"));
    assert_false(analyzer_composer_installed.want("vendor/composer/installed.php"));

    int i = analyzers_match("var/www/html/composer.lock");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_composer_lock);
    i = analyzers_match("var/www/html/vendor/composer/installed.json");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_composer_installed);

    /* The analyzer reports only "packages" of a lock (require-dev is often not installed). */
    size_t len;
    uint8_t *data = read_file(FIX "composer.lock", &len);
    struct file_facts ff;
    file_facts_init(&ff);
    assert_int_equal(analyzer_composer_lock.parse(LOCK, data, len, &ff, NULL), 0);
    assert_int_equal(ff.pkgs.n, 4);
    file_facts_cleanup(&ff);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_php_composer_lock_real),
        cmocka_unit_test(test_lang_php_installed_composer2),
        cmocka_unit_test(test_lang_php_installed_composer1),
        cmocka_unit_test(test_lang_php_bad_entries_are_partial),
        cmocka_unit_test(test_lang_php_rejects_wrong_shapes),
        cmocka_unit_test(test_lang_php_json_limits),
        cmocka_unit_test(test_lang_php_huge_string_skipped),
        cmocka_unit_test(test_lang_php_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
