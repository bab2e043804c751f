/* test_lang_npm.c - package.json, package-lock.json, yarn.lock, pnpm-lock.yaml and the Node.js
 * analyzers' path rules.
 *
 * Fixtures in tests/fixtures/lang/npm/ come from the real tools (make_fixtures.sh there):
 * `npm install lodash@4.17.15 minimist@1.2.0 express@4.17.1` (node_modules copies and
 * package-lock v3; v1 and v2 by --lockfile-version), and yarn 1.22.22, yarn 4.5.3, pnpm
 * 7.33.7 / 8.15.9 / 9.15.0 lockfiles for an app pinning the same packages with ms@2.1.3 as a
 * devDependency. NPM_LS below is `npm ls --all --json` of that install, flattened with jq to
 * unique name@version pairs. The yarn/pnpm resolutions add http-errors@1.7.3 and
 * inherits@2.0.4 (npm deduplicated them differently) and the dev-only ms@2.1.3, checked with
 * awk/grep over the lockfiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "lang_test_util.h"
#include "lang_npm.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/npm/"

static const char NPM_LS[] =
    "accepts@1.3.8 array-flatten@1.1.1 body-parser@1.19.0 bytes@3.1.0 content-disposition@0.5.3 "
    "content-type@1.0.5 cookie-signature@1.0.6 cookie@0.4.0 debug@2.6.9 depd@1.1.2 "
    "destroy@1.0.4 ee-first@1.1.1 encodeurl@1.0.4 escape-html@1.0.3 etag@1.8.1 express@4.17.1 "
    "finalhandler@1.1.2 forwarded@0.2.0 fresh@0.5.2 http-errors@1.7.2 iconv-lite@0.4.24 "
    "inherits@2.0.3 ipaddr.js@1.9.1 lodash@4.17.15 media-typer@0.3.0 merge-descriptors@1.0.1 "
    "methods@1.1.2 mime-db@1.52.0 mime-types@2.1.35 mime@1.6.0 minimist@1.2.0 ms@2.0.0 "
    "ms@2.1.1 negotiator@0.6.3 on-finished@2.3.0 parseurl@1.3.3 path-to-regexp@0.1.7 "
    "proxy-addr@2.0.8 qs@6.7.0 range-parser@1.2.1 raw-body@2.4.0 safe-buffer@5.1.2 "
    "safer-buffer@2.1.2 send@0.17.1 serve-static@1.14.1 setprototypeof@1.1.1 statuses@1.5.0 "
    "toidentifier@1.0.0 type-is@1.6.18 unpipe@1.0.0 utils-merge@1.0.1 vary@1.1.2";

typedef lang_parse_fn parse_fn;

static const struct pkg *find(const struct pkg_list *l, const char *name, const char *version)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].name, name) == 0 && strcmp(l->v[i].version, version) == 0)
            return &l->v[i];
    }
    return NULL;
}

#define read_file   tu_read_file
#define joined      tu_joined
#define expect_text tu_expect_text
static void expect_file(parse_fn fn, const char *file, const char *path, int rc, const char *expect)
{
    tu_expect_file(fn, PKG_TYPE_NPM, file, path, rc, expect);
}

static void test_lang_npm_paths(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "app/node_modules/express/package.json",
        "node_modules/lodash/package.json",
        "app/node_modules/@types/node/package.json",
        "app/node_modules/send/node_modules/ms/package.json",
        "app/node_modules/.pnpm/lodash@4.17.15/node_modules/lodash/package.json",
        "usr/local/lib/node_modules/npm/package.json",
        NULL,
    };
    static const char *const no[] = {
        "app/package.json",
        "package.json",
        "app/node_modules/express/lib/package.json",
        "app/node_modules/@types/node/ts4.8/package.json",
        "app/node_modules/@types/package.json",
        "app/node_modules/.bin/package.json",
        "app/node_modules/node_modules/package.json",
        "app/node_modules/express/package.json.bak",
        "app/node_modules/express/xpackage.json",
        "node_modules/package.json",
        NULL,
    };
    for (const char *const *p = yes; *p; p++) {
        if (!npm_path_is_package_json(*p))
            fail_msg("want %s", *p);
        assert_true(analyzer_node_pkg.want(*p));
    }
    for (const char *const *p = no; *p; p++) {
        if (npm_path_is_package_json(*p))
            fail_msg("do not want %s", *p);
    }
    assert_true(npm_path_is_lockfile("app/package-lock.json"));
    assert_true(npm_path_is_lockfile("package-lock.json"));
    assert_true(npm_path_is_lockfile("srv/web/npm-shrinkwrap.json"));
    assert_true(npm_path_is_lockfile("app/yarn.lock"));
    assert_true(npm_path_is_lockfile("app/pnpm-lock.yaml"));
    assert_true(analyzer_node_lock.want("app/pnpm-lock.yaml"));
    assert_false(npm_path_is_lockfile("app/node_modules/x/package-lock.json"));
    assert_false(npm_path_is_lockfile("app/node_modules/.package-lock.json"));
    assert_false(npm_path_is_lockfile("app/node_modules/x/yarn.lock"));
    assert_false(npm_path_is_lockfile("app/my-yarn.lock"));
    assert_false(npm_path_is_lockfile("app/package.json"));
}

static void test_lang_npm_package_json_fixtures(void **state)
{
    (void)state;
    expect_file(npm_package_json_parse, FIX "app/node_modules/express/package.json",
                "app/node_modules/express/package.json", 0, "express@4.17.1");
    expect_file(npm_package_json_parse, FIX "app/node_modules/lodash/package.json",
                "app/node_modules/lodash/package.json", 0, "lodash@4.17.15");
    /* minimist has "author": {"name": ...}: only the top-level name counts */
    expect_file(npm_package_json_parse, FIX "app/node_modules/minimist/package.json",
                "app/node_modules/minimist/package.json", 0, "minimist@1.2.0");
    expect_file(npm_package_json_parse, FIX "app/node_modules/ms/package.json",
                "app/node_modules/ms/package.json", 0, "ms@2.0.0");
    expect_file(npm_package_json_parse, FIX "app/node_modules/send/node_modules/ms/package.json",
                "app/node_modules/send/node_modules/ms/package.json", 0, "ms@2.1.1");
    /* the application's own package.json has no name/version: nothing */
    expect_file(npm_package_json_parse, FIX "app/package.json", "app/package.json", 0, "");

    size_t len;
    uint8_t *data = tu_read_file(FIX "app/node_modules/express/package.json", &len);
    struct file_facts ff;
    file_facts_init(&ff);
    assert_int_equal(
        analyzer_node_pkg.parse("app/node_modules/express/package.json", data, len, &ff, NULL), 0);
    assert_int_equal(ff.pkgs.n, 1);
    assert_string_equal(ff.pkgs.v[0].licence, "MIT");
    assert_null(ff.pkgs.v[0].src_name);
    file_facts_cleanup(&ff);
    free(data);
}

static const char *licence_of(const char *json)
{
    static char keep[256];
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(npm_package_json_parse("p", (const uint8_t *)json, strlen(json), &l, NULL), 0);
    assert_int_equal(l.n, 1);
    const char *r = NULL;
    if (l.v[0].licence) {
        snprintf(keep, sizeof(keep), "%s", l.v[0].licence);
        r = keep;
    }
    pkg_list_cleanup(&l);
    return r;
}

static void test_lang_npm_package_json_forms(void **state)
{
    (void)state;
    tu_expect_text(npm_package_json_parse, "{\"name\":\"@babel/core\",\"version\":\"7.12.3\"}", 0,
                   "@babel/core@7.12.3");
    assert_string_equal(licence_of("{\"name\":\"a\",\"version\":\"1\",\"license\":{\"type\":"
                                   "\"ISC\",\"url\":\"x\"}}"),
                        "ISC");
    assert_string_equal(licence_of("{\"name\":\"a\",\"version\":\"1\",\"licenses\":[{\"type\":"
                                   "\"MIT\"},{\"type\":\"Apache-2.0\"}]}"),
                        "MIT, Apache-2.0");
    assert_string_equal(licence_of("{\"licenses\":[\"BSD\"],\"license\":\"MIT\",\"name\":\"a\","
                                   "\"version\":\"1\"}"),
                        "MIT");
    assert_null(licence_of("{\"name\":\"a\",\"version\":\"1\",\"license\":7}"));
    /* escapes are decoded: "\u0061" is "a" */
    tu_expect_text(npm_package_json_parse, "{\"name\":\"\\u0061b\",\"version\":\"1.0.0\"}", 0,
                   "ab@1.0.0");
    /* a BOM-less, whitespace-padded object with a trailing newline */
    tu_expect_text(npm_package_json_parse, " \n{ \"version\" : \"2.0.0\" , \"name\" : \"z\" }\n", 0,
                   "z@2.0.0");
    /* missing or non-string version: no package, no error */
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\"}", 0, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\",\"version\":1}", 0, "");
}

static void test_lang_npm_package_json_hostile(void **state)
{
    (void)state;
    tu_expect_text(npm_package_json_parse, "", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "[]", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "\"name\"", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\",\"version\":\"1\"", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\",\"version\":\"1\"} x", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\" \"version\":\"1\"}", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\",\"version\":\"1\",}", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\tb\",\"version\":\"1\"}", DD_EPARSE, "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\\x\",\"version\":\"1\"}", DD_EPARSE, "");
    /* invalid UTF-8, escaped NUL, lone surrogate, space in name */
    tu_expect_text(npm_package_json_parse, "{\"name\":\"\xC3\x28\",\"version\":\"1\"}", DD_EPARSE,
                   "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\\u0000\",\"version\":\"1\"}", DD_EPARSE,
                   "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a\\ud800\",\"version\":\"1\"}", DD_EPARSE,
                   "");
    tu_expect_text(npm_package_json_parse, "{\"name\":\"a b\",\"version\":\"1\"}", DD_EPARSE, "");
    /* deep nesting is refused with DD_ELIMIT, not recursion */
    char deep[4096];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof(deep), "{\"name\":\"a\",\"version\":\"1\",\"x\":");
    for (int i = 0; i < 1000; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    tu_expect_text(npm_package_json_parse, deep, DD_ELIMIT, "");
    /* a huge name: refused, not truncated */
    size_t big = 1 << 20;
    char *huge = malloc(big + 64);
    assert_non_null(huge);
    strcpy(huge, "{\"version\":\"1\",\"name\":\"");
    size_t h = strlen(huge);
    memset(huge + h, 'a', big);
    strcpy(huge + h + big, "\"}");
    tu_expect_text(npm_package_json_parse, huge, DD_EPARSE, "");
    free(huge);
    /* NUL inside the data (not NUL-terminated input) */
    struct pkg_list l;
    pkg_list_init(&l);
    static const uint8_t nul[] = "{\"name\":\"a\0\",\"version\":\"1\"}";
    assert_int_equal(npm_package_json_parse("p", nul, sizeof(nul) - 1, &l, NULL), DD_EPARSE);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
}

static void test_lang_npm_lock_fixtures(void **state)
{
    (void)state;
    expect_file(npm_lock_parse, FIX "package-lock.v1.json", "app/package-lock.json", 0, NPM_LS);
    expect_file(npm_lock_parse, FIX "package-lock.v2.json", "app/package-lock.json", 0, NPM_LS);
    expect_file(npm_lock_parse, FIX "package-lock.v3.json", "app/package-lock.json", 0, NPM_LS);
    size_t len;
    uint8_t *data = tu_read_file(FIX "package-lock.v3.json", &len);
    struct file_facts ff;
    file_facts_init(&ff);
    assert_int_equal(analyzer_node_lock.parse("srv/npm-shrinkwrap.json", data, len, &ff, NULL), 0);
    assert_int_equal(ff.pkgs.n, 52);
    assert_non_null(find(&ff.pkgs, "ms", "2.1.1"));
    file_facts_cleanup(&ff);
    free(data);
}

static void test_lang_npm_lock_entries(void **state)
{
    (void)state;
    /* v3: root, workspace folder, link, dev, alias ("name"), nested and scoped copies */
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":3,\"packages\":{"
                   "\"\":{\"name\":\"app\",\"version\":\"1.0.0\"},"
                   "\"packages/ws\":{\"name\":\"ws-pkg\",\"version\":\"0.1.0\"},"
                   "\"node_modules/ws-pkg\":{\"resolved\":\"packages/ws\",\"link\":true},"
                   "\"node_modules/jest\":{\"version\":\"29.0.0\",\"dev\":true},"
                   "\"node_modules/fsevents\":{\"version\":\"2.3.2\",\"devOptional\":true},"
                   "\"node_modules/old\":{\"name\":\"real\",\"version\":\"2.0.0\"},"
                   "\"node_modules/a/node_modules/@s/b\":{\"version\":\"1.0.0\"},"
                   "\"node_modules/@s/b\":{\"version\":\"1.0.0\"},"
                   "\"node_modules/gitdep\":{\"version\":\"1.0.0\",\"resolved\":\"git+ssh://x\"}"
                   "}}",
                   0, "@s/b@1.0.0 fsevents@2.3.2 gitdep@1.0.0 real@2.0.0");
    /* v1: nested dependencies, dev, npm: alias, git and file versions */
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":1,\"dependencies\":{"
                   "\"a\":{\"version\":\"1.0.0\",\"dependencies\":{\"b\":{\"version\":\"2.0.0\"}}},"
                   "\"d\":{\"version\":\"3.0.0\",\"dev\":true},"
                   "\"al\":{\"version\":\"npm:@x/real@4.0.0\"},"
                   "\"g\":{\"version\":\"github:u/r#abc\"},"
                   "\"f\":{\"version\":\"file:../f\"}}}",
                   0, "@x/real@4.0.0 a@1.0.0 b@2.0.0");
    /* v2 carries both maps: "packages" wins */
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":2,\"dependencies\":{\"x\":{\"version\":\"9.9.9\"}},"
                   "\"packages\":{\"node_modules/x\":{\"version\":\"1.0.0\"}}}",
                   0, "x@1.0.0");
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":4,\"packages\":{\"node_modules/x\":"
                   "{\"version\":\"1.0.0\"}}}",
                   DD_EUNSUPPORTED, "");
    tu_expect_text(npm_lock_parse, "{\"lockfileVersion\":\"3\"}", 0, "");
    tu_expect_text(npm_lock_parse, "[1,2]", DD_EPARSE, "");
    /* one unusable entry is reported, the others kept */
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":3,\"packages\":{\"node_modules/ok\":{\"version\":\"1\"},"
                   "\"node_modules/bad\":{\"version\":\"1 2\"},\"node_modules/s\":\"str\"}}",
                   DD_EPARSE, "ok@1");
    /* truncated in the middle: what was complete is kept */
    tu_expect_text(npm_lock_parse,
                   "{\"lockfileVersion\":3,\"packages\":{\"node_modules/ok\":{\"version\":\"1\"},"
                   "\"node_modules/b\":{\"vers",
                   DD_EPARSE, "ok@1");
}

static void test_lang_npm_yarn_fixtures(void **state)
{
    (void)state;
    char expect[sizeof(NPM_LS) + 64];
    /* NPM_LS plus http-errors@1.7.3, inherits@2.0.4 and the dev-only ms@2.1.3 */
    const char *ls = NPM_LS;
    const char *p1 = strstr(ls, "iconv-lite@");
    const char *p2 = strstr(ls, "ipaddr.js@");
    const char *p3 = strstr(ls, "negotiator@");
    snprintf(expect, sizeof(expect), "%.*shttp-errors@1.7.3 %.*sinherits@2.0.4 %.*sms@2.1.3 %s",
             (int)(p1 - ls), ls, (int)(p2 - p1), p1, (int)(p3 - p2), p2, p3);
    expect_file(yarn_lock_parse, FIX "yarn.v1.lock", "app/yarn.lock", 0, expect);
    expect_file(yarn_lock_parse, FIX "yarn.berry.lock", "app/yarn.lock", 0, expect);
    expect_file(pnpm_lock_parse, FIX "pnpm-lock.v9.yaml", "app/pnpm-lock.yaml", 0, expect);
    /* pnpm 7 and 8 mark ms@2.1.3 "dev: true" */
    char *ms = strstr(expect, "ms@2.1.3 ");
    memmove(ms, ms + 9, strlen(ms + 9) + 1);
    expect_file(pnpm_lock_parse, FIX "pnpm-lock.v5.yaml", "app/pnpm-lock.yaml", 0, expect);
    expect_file(pnpm_lock_parse, FIX "pnpm-lock.v6.yaml", "app/pnpm-lock.yaml", 0, expect);
}

static void test_lang_npm_yarn_forms(void **state)
{
    (void)state;
    tu_expect_text(yarn_lock_parse,
                   "# yarn lockfile v1\r\n\r\n"
                   "\"@babel/code-frame@^7.0.0\", \"@babel/code-frame@^7.10.4\":\r\n"
                   "  version \"7.12.13\"\r\n"
                   "  dependencies:\r\n"
                   "    version \"0.0.0\"\r\n"
                   "\r\n"
                   "alias@npm:real@^1.0.0:\n"
                   "  version \"1.2.0\"\n"
                   "\n"
                   "nover@^1:\n"
                   "  resolved \"x\"\n",
                   0, "@babel/code-frame@7.12.13 real@1.2.0");
    tu_expect_text(yarn_lock_parse, "# yarn lockfile v1\nnot a header\n  version \"1\"\n",
                   DD_EPARSE, "");
    tu_expect_text(yarn_lock_parse,
                   "__metadata:\n  version: 6\n  cacheKey: 8\n\n"
                   "\"@s/a@npm:^1.0.0, @s/a@npm:^1.1.0\":\n"
                   "  version: 1.1.0\n  resolution: \"@s/a@npm:1.1.0\"\n"
                   "  dependencies:\n    version: \"npm:9.9.9\"\n\n"
                   "\"app@workspace:.\":\n  version: 0.0.0-use.local\n"
                   "  resolution: \"app@workspace:.\"\n\n"
                   "\"p@patch:p@npm%3A1.0.0#./x::version=1.0.0&hash=1\":\n"
                   "  version: 1.0.0\n  resolution: \"p@patch:p@npm%3A1.0.0#./x\"\n",
                   0, "@s/a@1.1.0");
    tu_expect_text(yarn_lock_parse,
                   "__metadata:\n  version: 9\n\n\"a@npm:1\":\n  version: 1\n"
                   "  resolution: \"a@npm:1\"\n",
                   DD_EUNSUPPORTED, "");
    tu_expect_text(yarn_lock_parse, "__metadata:\n  cacheKey: 8\n", DD_EPARSE, "");
    tu_expect_text(yarn_lock_parse, "__metadata:\n  version: 8\n\"a@npm:1:\n  version: 1\n",
                   DD_EPARSE, "");
}

static void test_lang_npm_pnpm_forms(void **state)
{
    (void)state;
    tu_expect_text(pnpm_lock_parse,
                   "lockfileVersion: 5.3\n\npackages:\n\n"
                   "  /@babel/core/7.12.3:\n    resolution: {integrity: x}\n    dev: false\n\n"
                   "  /react-dom/17.0.2_react@17.0.2:\n    dependencies:\n      dev: true\n\n"
                   "  registry.example.com/@s/x/1.0.0:\n    dev: false\n\n"
                   "  /jest/29.0.0:\n    dev: true\n\n"
                   "  github.com/u/r/abc:\n    name: fromgit\n    version: 2.0.0\n",
                   0, "@babel/core@7.12.3 @s/x@1.0.0 fromgit@2.0.0 react-dom@17.0.2");
    tu_expect_text(pnpm_lock_parse,
                   "lockfileVersion: '6.0'\npackages:\n"
                   "  /@babel/core@7.12.3:\n    dev: false\n"
                   "  /react-dom@17.0.2(react@17.0.2):\n    dev: false\n"
                   "  /react-dom@17.0.2(react@18.0.0):\n    dev: false\n",
                   0, "@babel/core@7.12.3 react-dom@17.0.2");
    tu_expect_text(pnpm_lock_parse,
                   "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n"
                   "      x:\n        version: 1.0.0\npackages:\n"
                   "  '@babel/core@7.12.3':\n    resolution: {integrity: x}\n"
                   "  tar@https://example.com/t.tgz:\n    resolution: {tarball: x}\n"
                   "  x@1.0.0:\n    resolution: {integrity: y}\n"
                   "snapshots:\n  y@9.9.9: {}\n",
                   0, "@babel/core@7.12.3 x@1.0.0");
    tu_expect_text(pnpm_lock_parse, "lockfileVersion: '7.0'\npackages:\n  /a@1:\n    dev: false\n",
                   DD_EUNSUPPORTED, "");
    tu_expect_text(pnpm_lock_parse, "packages:\n  /a@1:\n    dev: false\n", DD_EPARSE, "");
    tu_expect_text(pnpm_lock_parse, "dependencies:\n  a: 1\n", DD_EPARSE, "");
    tu_expect_text(pnpm_lock_parse, "lockfileVersion: '9.0'\npackages:\n  'a@1:\n", DD_EPARSE, "");
    tu_expect_text(pnpm_lock_parse, "lockfileVersion: '9.0'\npackages:\n  nover:\n", DD_EPARSE, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_npm_paths),
        cmocka_unit_test(test_lang_npm_package_json_fixtures),
        cmocka_unit_test(test_lang_npm_package_json_forms),
        cmocka_unit_test(test_lang_npm_package_json_hostile),
        cmocka_unit_test(test_lang_npm_lock_fixtures),
        cmocka_unit_test(test_lang_npm_lock_entries),
        cmocka_unit_test(test_lang_npm_yarn_fixtures),
        cmocka_unit_test(test_lang_npm_yarn_forms),
        cmocka_unit_test(test_lang_npm_pnpm_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
