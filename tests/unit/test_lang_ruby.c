/* test_lang_ruby.c - installed gemspecs, Gemfile.lock and the two Ruby analyzers' want(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "lang_ruby.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/ruby/"

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

static void expect_gem(const struct pkg *p, const char *name, const char *version,
                       const char *licence, const char *path)
{
    assert_int_equal(p->type, PKG_TYPE_GEM);
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
    assert_null(p->release);
    assert_int_equal(p->epoch, -1);
    assert_int_equal(p->layer, -1);
}

/* Parses a text gemspec under a given path; expects success and one package. */
static struct pkg_list parse_spec_ok(const char *path, const char *text)
{
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(gemspec_parse(path, (const uint8_t *)text, strlen(text), &l, &err), 0);
    assert_int_equal(err.code, 0);
    assert_int_equal(l.n, 1);
    return l;
}

static void test_lang_ruby_gemspec_debian_files(void **state)
{
    (void)state;
    static const struct {
        const char *file, *name, *version, *licence;
    } cases[] = {
        {"specifications/rake-13.0.6.gemspec", "rake", "13.0.6", "MIT"},
        {"specifications/minitest-5.15.0.gemspec", "minitest", "5.15.0", "MIT"},
        {"specifications/default/json-2.6.1.gemspec", "json", "2.6.1", "Ruby"},
        {"specifications/default/bundler-2.3.7.gemspec", "bundler", "2.3.7", "MIT"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char fix[512], path[512];
        snprintf(fix, sizeof(fix), FIX "%s", cases[i].file);
        snprintf(path, sizeof(path), "usr/lib/ruby/gems/3.1.0/%s", cases[i].file);
        size_t len;
        uint8_t *data = read_file(fix, &len);
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        assert_int_equal(gemspec_parse(path, data, len, &l, &err), 0);
        assert_int_equal(l.n, 1);
        expect_gem(&l.v[0], cases[i].name, cases[i].version, cases[i].licence, path);
        pkg_list_cleanup(&l);
        free(data);
    }
}

static void test_lang_ruby_gemspec_licence_list_joined(void **state)
{
    (void)state;
    struct pkg_list l = parse_spec_ok(
        "s/specifications/erb-2.2.3.gemspec",
        "Gem::Specification.new do |s|\n  s.name = \"erb\".freeze\n  s.version = \"2.2.3\"\n"
        "  s.licenses = [\"Ruby\".freeze, \"BSD-2-Clause\".freeze]\nend\n");
    expect_gem(&l.v[0], "erb", "2.2.3", "Ruby, BSD-2-Clause", "s/specifications/erb-2.2.3.gemspec");
    pkg_list_cleanup(&l);
}

/* RubyGems 1.x wrote %q{} literals and a single license; any receiver name is fine. */
static void test_lang_ruby_gemspec_old_rubygems_syntax(void **state)
{
    (void)state;
    struct pkg_list l =
        parse_spec_ok("x/specifications/whatever.gemspec",
                      "Gem::Specification.new do |spec|\r\n  spec.name = %q{rack}\r\n"
                      "  spec.version = \"1.6.13\"\r\n  spec.license = %q<MIT>\r\nend\r\n");
    expect_gem(&l.v[0], "rack", "1.6.13", "MIT", "x/specifications/whatever.gemspec");
    pkg_list_cleanup(&l);
}

static void test_lang_ruby_gemspec_falls_back_to_file_name(void **state)
{
    (void)state;
    /* Non-literal version, no name: both come from the file name; platform suffix dropped. */
    struct pkg_list l = parse_spec_ok(
        "g/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
        "Gem::Specification.new do |s|\n  s.version = Nokogiri::VERSION\n  s.name == \"x\"\n");
    expect_gem(&l.v[0], "nokogiri", "1.15.4", NULL,
               "g/specifications/nokogiri-1.15.4-x86_64-linux.gemspec");
    pkg_list_cleanup(&l);

    /* Dashes in the name: the first "-<digit>" starts the version. */
    l = parse_spec_ok("g/specifications/net-http-0.2.0.gemspec", "");
    expect_gem(&l.v[0], "net-http", "0.2.0", NULL, "g/specifications/net-http-0.2.0.gemspec");
    pkg_list_cleanup(&l);

    /* A name with an escape is not used, the file name is. */
    l = parse_spec_ok("g/specifications/a-1.gemspec", "s.name = \"b\\x41\"\ns.version = \"2\"\n");
    expect_gem(&l.v[0], "a", "2", NULL, "g/specifications/a-1.gemspec");
    pkg_list_cleanup(&l);
}

static void test_lang_ruby_gemspec_rejects_unusable(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "s.name = \"rake\"\n",                         /* no version anywhere */
        "s.name = \"ra ke\"\ns.version = \"1.0\"\n",   /* bad name; file name has none */
        "s.name = \"rake\n\"\ns.version = \"1.0\"\n",  /* unterminated on its line */
        "s.name = \"rake\"\ns.version = \"v1.0\"\n",   /* version must start with a digit */
        "s.name = 'rake'\ns.version = '1.0' + '.1'\n", /* fine: trailing code ignored */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct pkg_list l;
        pkg_list_init(&l);
        struct dd_error err = {0};
        int rc = gemspec_parse("specifications/nover.gemspec", (const uint8_t *)bad[i],
                               strlen(bad[i]), &l, &err);
        if (i == 5) {
            assert_int_equal(rc, 0);
            expect_gem(&l.v[0], "rake", "1.0", NULL, "specifications/nover.gemspec");
        } else {
            assert_int_equal(rc, DD_EPARSE);
            assert_int_equal(err.code, DD_EPARSE);
            assert_non_null(strstr(err.msg, "specifications/nover.gemspec"));
            assert_int_equal(l.n, 0);
        }
        pkg_list_cleanup(&l);
    }
}

static void test_lang_ruby_gemspec_hostile_bytes(void **state)
{
    (void)state;
    /* Huge name, invalid UTF-8, NULs, unterminated literals: never a crash, no bogus name. */
    size_t n = 200000;
    char *big = malloc(n + 64);
    assert_non_null(big);
    memcpy(big, "s.name = \"", 10);
    memset(big + 10, 'a', n);
    memcpy(big + 10 + n, "\"\ns.version = \"1\xff\"\n", 20);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(
        gemspec_parse("specifications/z-9.9.gemspec", (uint8_t *)big, n + 30, &l, &err), 0);
    expect_gem(&l.v[0], "z", "9.9", NULL, "specifications/z-9.9.gemspec");
    pkg_list_cleanup(&l);
    free(big);

    static const uint8_t nul[] = "s.name = \"a\0b\"\ns.licenses = [\"MIT\", \ns.version = '1.2'";
    pkg_list_init(&l);
    assert_int_equal(gemspec_parse("specifications/q-3.gemspec", nul, sizeof(nul) - 1, &l, NULL),
                     0);
    expect_gem(&l.v[0], "q", "1.2", NULL, "specifications/q-3.gemspec");
    pkg_list_cleanup(&l);
}

static void test_lang_ruby_gemfile_lock_bundler_output(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "Gemfile.lock", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(gemfile_lock_parse("app/Gemfile.lock", data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    /* PATH first, then GEM; the indented dependency lines are not packages. */
    assert_int_equal(l.n, 5);
    expect_gem(&l.v[0], "mylib", "0.3.1", NULL, "app/Gemfile.lock");
    expect_gem(&l.v[1], "minitest", "5.15.0", NULL, "app/Gemfile.lock");
    expect_gem(&l.v[2], "power_assert", "2.0.1", NULL, "app/Gemfile.lock");
    expect_gem(&l.v[3], "rake", "13.0.6", NULL, "app/Gemfile.lock");
    expect_gem(&l.v[4], "test-unit", "3.5.3", NULL, "app/Gemfile.lock");
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_ruby_gemfile_lock_git_and_platforms(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "Gemfile-git-platform.lock", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(gemfile_lock_parse("srv/Gemfile.lock", data, len, &l, NULL), 0);
    assert_int_equal(l.n, 6);
    expect_gem(&l.v[0], "actioncable", "7.1.0.alpha", NULL, "srv/Gemfile.lock");
    expect_gem(&l.v[1], "rails", "7.1.0.alpha", NULL, "srv/Gemfile.lock");
    expect_gem(&l.v[2], "mini_portile2", "2.8.4", NULL, "srv/Gemfile.lock");
    /* Three platform variants of nokogiri 1.15.4 are one package. */
    expect_gem(&l.v[3], "nokogiri", "1.15.4", NULL, "srv/Gemfile.lock");
    expect_gem(&l.v[4], "racc", "1.7.1", NULL, "srv/Gemfile.lock");
    expect_gem(&l.v[5], "sqlite3", "1.6.6", NULL, "srv/Gemfile.lock");
    /* CHECKSUMS, PLATFORMS and DEPENDENCIES lines are not specs. */
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_ruby_gemfile_lock_hostile(void **state)
{
    (void)state;
    struct pkg_list l;
    struct dd_error err = {0};
    /* Not a lockfile at all. */
    const char *t = "{\"not\": \"a lockfile\"}\n";
    pkg_list_init(&l);
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (const uint8_t *)t, strlen(t), &l, &err),
                     DD_EPARSE);
    assert_non_null(strstr(err.msg, "no GEM"));
    pkg_list_cleanup(&l);

    /* Empty and blank input: nothing, no error. */
    pkg_list_init(&l);
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (const uint8_t *)"\n \r\n", 4, &l, NULL),
                     0);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);

    /* Malformed spec lines are skipped; CRLF and a missing final newline are fine. */
    t = "GEM\r\n  specs:\r\n    ok (1.0)\r\n    (2.0)\r\n    bad name (1.0)\r\n    noparen\r\n"
        "    x (1.0\r\n    y ()\r\n    z (-linux)\r\n    \xc3\x28 (1.0)\r\n    last (3.0-java)";
    pkg_list_init(&l);
    dd_error_clear(&err);
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (const uint8_t *)t, strlen(t), &l, &err),
                     0);
    assert_int_equal(l.n, 2);
    expect_gem(&l.v[0], "ok", "1.0", NULL, "Gemfile.lock");
    expect_gem(&l.v[1], "last", "3.0", NULL, "Gemfile.lock");
    pkg_list_cleanup(&l);

    /* Specs outside a "specs:" block or a source section are not packages. */
    t = "GEM\n  remote: x\n    early (1.0)\nDEPENDENCIES\n  specs:\n    dep (1.0)\n";
    pkg_list_init(&l);
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (const uint8_t *)t, strlen(t), &l, NULL),
                     0);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);

    /* An absurdly long line is a per-file error; what came before is kept. */
    size_t n = RUBY_MAX_LINE + 100;
    char *big = malloc(n + 64);
    assert_non_null(big);
    strcpy(big, "GEM\n  specs:\n    a (1)\n");
    size_t off = strlen(big);
    memset(big + off, 'x', n);
    pkg_list_init(&l);
    dd_error_clear(&err);
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (uint8_t *)big, off + n, &l, &err),
                     DD_EPARSE);
    assert_non_null(strstr(err.msg, "line 4"));
    assert_int_equal(l.n, 1);
    pkg_list_cleanup(&l);
    free(big);
}

static void test_lang_ruby_gemfile_lock_entry_cap(void **state)
{
    (void)state;
    size_t cap = (size_t)RUBY_MAX_PACKAGES + 2;
    size_t max = 16 + cap * 24;
    char *t = malloc(max);
    assert_non_null(t);
    size_t off = (size_t)snprintf(t, max, "GEM\n  specs:\n");
    for (size_t i = 0; i < cap; i++)
        off += (size_t)snprintf(t + off, max - off, "    g%zu (1.%zu)\n", i, i);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(gemfile_lock_parse("Gemfile.lock", (uint8_t *)t, off, &l, &err), DD_ELIMIT);
    assert_int_equal(l.n, RUBY_MAX_PACKAGES);
    pkg_list_cleanup(&l);
    free(t);
}

static void test_lang_ruby_want(void **state)
{
    (void)state;
    assert_true(
        analyzer_gemspec.want("usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec"));
    assert_true(
        analyzer_gemspec.want("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec"));
    assert_true(analyzer_gemspec.want(
        "usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec"));
    assert_true(
        analyzer_gemspec.want("app/vendor/bundle/ruby/3.2.0/specifications/rack-3.0.8.gemspec"));
    /* A gem's own source gemspec is not an installed gem. */
    assert_false(analyzer_gemspec.want("usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/rake.gemspec"));
    assert_false(analyzer_gemspec.want("xspecifications/a-1.gemspec"));
    assert_false(analyzer_gemspec.want("specifications/a-1.gemspec.bak"));

    assert_true(analyzer_gemfile_lock.want("srv/app/Gemfile.lock"));
    assert_true(analyzer_gemfile_lock.want("Gemfile.lock"));
    assert_false(
        analyzer_gemfile_lock.want("usr/lib/ruby/gems/3.1.0/gems/rake-13.0.6/Gemfile.lock"));
    assert_false(analyzer_gemfile_lock.want("srv/app/Gemfile"));
    assert_false(analyzer_gemfile_lock.want("srv/app/XGemfile.lock"));
}

/* Through the analyzer table: the first analyzer wanting a path is ours. */
static void test_lang_ruby_registered(void **state)
{
    (void)state;
    int i = analyzers_match("usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.6.gemspec");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_gemspec);
    i = analyzers_match("srv/app/Gemfile.lock");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_gemfile_lock);

    struct file_facts ff;
    file_facts_init(&ff);
    const char *t = "GEM\n  specs:\n    rack (3.0.8)\n";
    struct dd_error err = {0};
    assert_int_equal(analyzer_gemfile_lock.parse("srv/app/Gemfile.lock", (const uint8_t *)t,
                                                 strlen(t), &ff, &err),
                     0);
    assert_int_equal(ff.pkgs.n, 1);
    expect_gem(&ff.pkgs.v[0], "rack", "3.0.8", NULL, "srv/app/Gemfile.lock");
    file_facts_cleanup(&ff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_ruby_gemspec_debian_files),
        cmocka_unit_test(test_lang_ruby_gemspec_licence_list_joined),
        cmocka_unit_test(test_lang_ruby_gemspec_old_rubygems_syntax),
        cmocka_unit_test(test_lang_ruby_gemspec_falls_back_to_file_name),
        cmocka_unit_test(test_lang_ruby_gemspec_rejects_unusable),
        cmocka_unit_test(test_lang_ruby_gemspec_hostile_bytes),
        cmocka_unit_test(test_lang_ruby_gemfile_lock_bundler_output),
        cmocka_unit_test(test_lang_ruby_gemfile_lock_git_and_platforms),
        cmocka_unit_test(test_lang_ruby_gemfile_lock_hostile),
        cmocka_unit_test(test_lang_ruby_gemfile_lock_entry_cap),
        cmocka_unit_test(test_lang_ruby_want),
        cmocka_unit_test(test_lang_ruby_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
