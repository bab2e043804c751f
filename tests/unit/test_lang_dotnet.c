/* test_lang_dotnet.c - .deps.json, packages.lock.json and the .NET analyzers' want(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "lang_dotnet.h"
#include "lang_php.h"

#define FIX  DD_SOURCE_DIR "/tests/fixtures/lang/dotnet/"
#define DEPS "app/WebApp.deps.json"
#define LOCK "src/WebApp/packages.lock.json"

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

static void expect_pkg(const struct pkg *p, const char *name, const char *version, const char *path)
{
    assert_int_equal(p->type, PKG_TYPE_NUGET);
    assert_string_equal(p->name, name);
    assert_string_equal(p->version, version);
    assert_string_equal(p->file_path, path);
    assert_null(p->licence);
    assert_null(p->src_name);
    assert_null(p->arch);
    assert_int_equal(p->epoch, -1);
    assert_int_equal(p->layer, -1);
}

static void test_lang_dotnet_deps_packages_only(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "WebApp.deps.json", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(dotnet_deps_parse(DEPS, data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    /* Projects and the runtimepack are not NuGet packages; "libraries" order is kept. */
    assert_int_equal(l.n, 4);
    expect_pkg(&l.v[0], "Newtonsoft.Json", "13.0.1", DEPS);
    expect_pkg(&l.v[1], "Serilog", "2.12.0", DEPS);
    expect_pkg(&l.v[2], "Serilog.AspNetCore", "6.1.0", DEPS);
    expect_pkg(&l.v[3], "System.Text.Encodings.Web", "4.7.2", DEPS);
    pkg_list_cleanup(&l);
    free(data);
}

static int deps_text(const char *t, struct pkg_list *l, struct dd_error *err)
{
    pkg_list_init(l);
    dd_error_clear(err);
    return dotnet_deps_parse(DEPS, (const uint8_t *)t, strlen(t), l, err);
}

static void test_lang_dotnet_deps_hostile(void **state)
{
    (void)state;
    struct pkg_list l;
    struct dd_error err = {0};
    /* Bad keys and types are skipped with a partial error; the good entry stays. */
    const char *t =
        "{\"libraries\": {\"NoVersion\": {\"type\": \"package\"}, \"A/B/C\": {\"type\": "
        "\"package\"}, \"Sp ace/1.0\": {\"type\": \"package\"}, \"X/1 0\": {\"type\": "
        "\"package\"}, \"Y/\": {\"type\": \"package\"}, \"Z/1\": {\"type\": 3}, "
        "\"W/2\": [], \"Good/1.2.3-beta.1\": {\"type\": \"package\"}}}";
    assert_int_equal(deps_text(t, &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "NoVersion"));
    assert_int_equal(l.n, 1);
    expect_pkg(&l.v[0], "Good", "1.2.3-beta.1", DEPS);
    pkg_list_cleanup(&l);

    static const char *const bad[] = {
        "[]",
        "{}",
        "{\"libraries\": []}",
        "{\"libraries\": {",
        "null",
        "{\"libraries\": \"x\"}",
        "{\"libraries\": {\"\xc3\x28/1\": {\"type\": \"package\"}}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(deps_text(bad[i], &l, &err), DD_EPARSE);
        assert_non_null(strstr(err.msg, DEPS));
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
    }

    /* Deep nesting inside an ignored member is still refused before parsing. */
    size_t depth = 5000;
    char *deep = malloc(2 * depth + 64);
    assert_non_null(deep);
    int off = snprintf(deep, 64, "{\"libraries\": {}, \"x\": ");
    memset(deep + off, '[', depth);
    memset(deep + off + depth, ']', depth);
    strcpy(deep + off + 2 * depth, "}");
    assert_int_equal(deps_text(deep, &l, &err), DD_ELIMIT);
    pkg_list_cleanup(&l);
    free(deep);
}

static void test_lang_dotnet_nuget_lock(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = read_file(FIX "packages.lock.json", &len);
    struct pkg_list l;
    pkg_list_init(&l);
    struct dd_error err = {0};
    assert_int_equal(nuget_lock_parse(LOCK, data, len, &l, &err), 0);
    assert_int_equal(err.code, 0);
    /* Newtonsoft.Json appears under two targets but once here; the Project is skipped. */
    assert_int_equal(l.n, 4);
    expect_pkg(&l.v[0], "Newtonsoft.Json", "13.0.1", LOCK);
    expect_pkg(&l.v[1], "Serilog.AspNetCore", "6.1.0", LOCK);
    expect_pkg(&l.v[2], "Serilog", "2.12.0", LOCK);
    expect_pkg(&l.v[3], "System.Runtime.InteropServices.RuntimeInformation", "4.3.0", LOCK);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_dotnet_nuget_lock_versions(void **state)
{
    (void)state;
    struct pkg_list l;
    struct dd_error err = {0};
    const char *t = "{\"version\": 3, \"dependencies\": {}}";
    pkg_list_init(&l);
    assert_int_equal(nuget_lock_parse(LOCK, (const uint8_t *)t, strlen(t), &l, &err),
                     DD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "version 3"));
    pkg_list_cleanup(&l);

    /* Version 2 (central package management) has the same shape. */
    t = "{\"version\": 2, \"dependencies\": {\"net8.0\": {\"A\": {\"type\": \"CentralTransitive\", "
        "\"requested\": \"[1.0.0, )\", \"resolved\": \"1.0.0\"}, \"B\": {\"type\": \"Direct\"}, "
        "\"C\": 5}, \"net7.0\": 7}}";
    pkg_list_init(&l);
    dd_error_clear(&err);
    assert_int_equal(nuget_lock_parse(LOCK, (const uint8_t *)t, strlen(t), &l, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "\"B\""));
    assert_int_equal(l.n, 1);
    expect_pkg(&l.v[0], "A", "1.0.0", LOCK);
    pkg_list_cleanup(&l);

    static const char *const bad[] = {
        "{\"dependencies\": {}}",
        "{\"version\": \"1\", \"dependencies\": {}}",
        "{\"version\": 1, \"dependencies\": []}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        pkg_list_init(&l);
        dd_error_clear(&err);
        assert_int_equal(nuget_lock_parse(LOCK, (const uint8_t *)bad[i], strlen(bad[i]), &l, &err),
                         DD_EPARSE);
        assert_int_equal(l.n, 0);
        pkg_list_cleanup(&l);
    }
}

static void test_lang_dotnet_want(void **state)
{
    (void)state;
    assert_true(analyzer_dotnet_deps.want("app/WebApp.deps.json"));
    assert_true(analyzer_dotnet_deps.want("usr/share/dotnet/shared/Microsoft.NETCore.App/6.0.16/"
                                          "Microsoft.NETCore.App.deps.json"));
    assert_false(analyzer_dotnet_deps.want("app/.deps.json"));
    assert_false(analyzer_dotnet_deps.want("app/WebApp.runtimeconfig.json"));
    assert_true(analyzer_nuget_lock.want("src/WebApp/packages.lock.json"));
    assert_false(analyzer_nuget_lock.want("src/WebApp/package-lock.json"));

    int i = analyzers_match("app/WebApp.deps.json");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_dotnet_deps);
    i = analyzers_match("src/WebApp/packages.lock.json");
    assert_true(i >= 0);
    assert_ptr_equal(analyzers_all[i], &analyzer_nuget_lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_dotnet_deps_packages_only),
        cmocka_unit_test(test_lang_dotnet_deps_hostile),
        cmocka_unit_test(test_lang_dotnet_nuget_lock),
        cmocka_unit_test(test_lang_dotnet_nuget_lock_versions),
        cmocka_unit_test(test_lang_dotnet_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
