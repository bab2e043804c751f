/* test_lang_python.c - METADATA/PKG-INFO, poetry.lock, Pipfile.lock, requirements*.txt and the
 * Python analyzers' path rules. Fixture provenance: tests/fixtures/lang/python/README. Expected
 * values were read from the fixture files by hand; names are PEP 503-normalised by hand.
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
#include "lang_python.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/python/"

typedef lang_parse_fn parse_fn;

#define read_file   tu_read_file
#define joined      tu_joined
#define expect_text tu_expect_text
static void expect_file(parse_fn fn, const char *file, const char *path, int rc, const char *expect)
{
    tu_expect_file(fn, PKG_TYPE_PYPI, file, path, rc, expect);
}

/* Licence of the single package a metadata file yields (NULL when none). */
static void expect_licence(const char *file, const char *licence)
{
    size_t len;
    uint8_t *data = tu_read_file(file, &len);
    struct pkg_list l;
    pkg_list_init(&l);
    assert_int_equal(python_metadata_parse("p", data, len, &l, NULL), 0);
    assert_int_equal(l.n, 1);
    if (licence == NULL)
        assert_null(l.v[0].licence);
    else
        assert_string_equal(l.v[0].licence, licence);
    pkg_list_cleanup(&l);
    free(data);
}

static void test_lang_python_paths(void **state)
{
    (void)state;
    static const char *const yes[] = {
        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
        "usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info",
        "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA",
        "usr/local/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA",
        "opt/venv/lib/python3.11/site-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO",
        "usr/lib/python2.7/wsgiref.egg-info",
        "usr/lib64/python3.9/lib-dynload/Python-3.9.egg-info",
        NULL,
    };
    static const char *const no[] = {
        "app/six-1.16.0.egg-info/PKG-INFO",
        "usr/share/doc/x.dist-info/METADATA",
        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/top_level.txt",
        "usr/lib/python3/dist-packages/x.dist-info/RECORD",
        "usr/lib/python3/dist-packages/.egg-info",
        "usr/lib/pythonista/x.egg-info",
        NULL,
    };
    for (const char *const *p = yes; *p; p++) {
        if (!python_path_is_metadata(*p))
            fail_msg("want %s", *p);
        assert_true(analyzer_python_pkg.want(*p));
    }
    for (const char *const *p = no; *p; p++) {
        if (python_path_is_metadata(*p))
            fail_msg("do not want %s", *p);
    }
    assert_true(python_path_is_lockfile("app/poetry.lock"));
    assert_true(python_path_is_lockfile("Pipfile.lock"));
    assert_true(python_path_is_lockfile("srv/app/requirements.txt"));
    assert_true(python_path_is_lockfile("srv/app/requirements-prod.txt"));
    assert_true(analyzer_python_lock.want("srv/app/requirements-prod.txt"));
    assert_false(python_path_is_lockfile("srv/app/requirements.in"));
    assert_false(python_path_is_lockfile("srv/app/dev-requirements.txt"));
    assert_false(python_path_is_lockfile("usr/lib/python3/dist-packages/foo/requirements.txt"));
    assert_false(python_path_is_lockfile("usr/local/lib/python3.11/site-packages/x/poetry.lock"));
    assert_false(python_path_is_lockfile("app/node_modules/x/requirements.txt"));
    assert_false(python_path_is_lockfile("usr/share/doc/x/requirements.txt"));
}

static void test_lang_python_normalise(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"PyYAML", "pyyaml"},
        {"zope.interface", "zope-interface"},
        {"Foo__Bar-.baz", "foo-bar-baz"},
        {"python_apt", "python-apt"},
        {"a", "a"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *n = python_name_normalise(cases[i][0], strlen(cases[i][0]));
        assert_string_equal(n, cases[i][1]);
        free(n);
    }
}

static void test_lang_python_metadata_fixtures(void **state)
{
    (void)state;
    expect_file(python_metadata_parse, FIX "six-1.16.0.PKG-INFO",
                "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", 0, "six@1.16.0");
    expect_file(python_metadata_parse, FIX "PyYAML-6.0.METADATA",
                "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", 0, "pyyaml@6.0");
    expect_file(python_metadata_parse, FIX "python_apt-2.6.0.PKG-INFO", "p", 0, "python-apt@2.6.0");
    expect_file(python_metadata_parse, FIX "setuptools-66.1.1.PKG-INFO", "p", 0,
                "setuptools@66.1.1");
    expect_file(python_metadata_parse, FIX "cryptography-38.0.4.METADATA", "p", 0,
                "cryptography@38.0.4");
    expect_file(python_metadata_parse, FIX "wsgiref.egg-info", "usr/lib/python2.7/wsgiref.egg-info",
                0, "wsgiref@0.1.2");
    expect_file(python_metadata_parse, FIX "Python-2.7.18-py2.7.egg-info", "p", 0, "python@2.7.18");
    expect_licence(FIX "six-1.16.0.PKG-INFO", "MIT");
    expect_licence(FIX "python_apt-2.6.0.PKG-INFO", "GNU GPL");
    expect_licence(FIX "cryptography-38.0.4.METADATA", "BSD-3-Clause OR Apache-2.0");
    expect_licence(FIX "wsgiref.egg-info", "PSF or ZPL");
    /* no License header: the classifier */
    expect_licence(FIX "setuptools-66.1.1.PKG-INFO", "MIT License");
    expect_licence(FIX "Python-2.7.18-py2.7.egg-info", "PSF license");

    size_t len;
    uint8_t *data = tu_read_file(FIX "six-1.16.0.PKG-INFO", &len);
    struct file_facts ff;
    file_facts_init(&ff);
    assert_int_equal(analyzer_python_pkg.parse("usr/lib/python3/dist-packages/six.egg-info/"
                                               "PKG-INFO",
                                               data, len, &ff, NULL),
                     0);
    assert_int_equal(ff.pkgs.n, 1);
    assert_int_equal(ff.pkgs.v[0].type, PKG_TYPE_PYPI);
    file_facts_cleanup(&ff);
    free(data);
}

static void test_lang_python_metadata_forms(void **state)
{
    (void)state;
    struct pkg_list l;
    pkg_list_init(&l);
    /* License-Expression wins; a multi-line License (a licence text) is not a name; CRLF */
    const char *t = "Metadata-Version: 2.4\r\nname: Foo.Bar\r\nVERSION: 1.0rc1\r\n"
                    "License: Copyright (c) someone\r\n        All rights reserved.\r\n"
                    "License-Expression: MIT OR Apache-2.0\r\n\r\nName: body\r\n";
    assert_int_equal(python_metadata_parse("p", (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "foo-bar");
    assert_string_equal(l.v[0].version, "1.0rc1");
    assert_string_equal(l.v[0].licence, "MIT OR Apache-2.0");
    pkg_list_cleanup(&l);
    pkg_list_init(&l);
    t = "Name: x\nVersion: 1\nLicense: line one\n  line two\n"
        "Classifier: License :: OSI Approved :: BSD License\n"
        "Classifier: License :: OSI Approved\nClassifier: License :: Public Domain\n";
    assert_int_equal(python_metadata_parse("p", (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_string_equal(l.v[0].licence, "BSD License, Public Domain");
    pkg_list_cleanup(&l);
    pkg_list_init(&l);
    t = "Name: x\nVersion: 1\nLicense: UNKNOWN\n";
    assert_int_equal(python_metadata_parse("p", (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_null(l.v[0].licence);
    pkg_list_cleanup(&l);
    /* a BOM is tolerated */
    tu_expect_text(python_metadata_parse, "\xEF\xBB\xBFName: bom\nVersion: 2\n", 0, "bom@2");
}

static void test_lang_python_metadata_hostile(void **state)
{
    (void)state;
    tu_expect_text(python_metadata_parse, "", DD_EPARSE, "");
    tu_expect_text(python_metadata_parse, "Name: x\n", DD_EPARSE, "");
    tu_expect_text(python_metadata_parse, "Version: 1\n", DD_EPARSE, "");
    tu_expect_text(python_metadata_parse, "\nName: x\nVersion: 1\n", DD_EPARSE, "");
    tu_expect_text(python_metadata_parse, "garbage without colon\nName: x\nVersion: 1\n", DD_EPARSE,
                   "");
    /* Latin-1 bytes in Name: not UTF-8 */
    tu_expect_text(python_metadata_parse, "Name: caf\xE9\nVersion: 1\n", DD_EPARSE, "");
    tu_expect_text(python_metadata_parse, "Name: x y\nVersion: 1\n", DD_EPARSE, "");
    /* invalid UTF-8 in License only: the package stays, the licence goes */
    struct pkg_list l;
    pkg_list_init(&l);
    const char *t = "Name: x\nVersion: 1\nLicense: \xFF\xFE\n";
    assert_int_equal(python_metadata_parse("p", (const uint8_t *)t, strlen(t), &l, NULL), 0);
    assert_int_equal(l.n, 1);
    assert_null(l.v[0].licence);
    pkg_list_cleanup(&l);
    /* NUL inside a value */
    pkg_list_init(&l);
    static const uint8_t nul[] = "Name: a\0b\nVersion: 1\n";
    assert_int_equal(python_metadata_parse("p", nul, sizeof(nul) - 1, &l, NULL), DD_EPARSE);
    assert_int_equal(l.n, 0);
    pkg_list_cleanup(&l);
}

static void test_lang_python_poetry(void **state)
{
    (void)state;
    expect_file(poetry_lock_parse, FIX "poetry.v2.lock", "app/poetry.lock", 0,
                "certifi@2024.2.2 charset-normalizer@3.3.2 mylib@0.3.0 requests@2.31.0 "
                "zope-interface@6.2");
    /* category = "dev" (pytest) is skipped */
    expect_file(poetry_lock_parse, FIX "poetry.v1.lock", "app/poetry.lock", 0,
                "flask@1.1.2 jinja2@2.11.3");
    tu_expect_text(poetry_lock_parse,
                   "[[package]]\nname = 'lit'\nversion = \"1.0\" # c\n"
                   "description = \"\"\"multi\nline \"quoted\" \"\"\"\n"
                   "extras = {a = [\"x\", {b = 1}], c = true}\n"
                   "[[package]]\n\"name\" = \"q\"\nversion = \"2\"\n",
                   0, "lit@1.0 q@2");
    tu_expect_text(
        poetry_lock_parse,
        "[[package]]\nname = \"a\"\nversion = \"1\"\n[metadata]\nlock-version = \"3.0\"\n",
        DD_EUNSUPPORTED, "");
    tu_expect_text(poetry_lock_parse, "[[package]]\nname = \"a\"\nversion = \"1\"\nfiles = [\n",
                   DD_EPARSE, "a@1");
    tu_expect_text(poetry_lock_parse, "[[package]\nname = \"a\"\n", DD_EPARSE, "");
    tu_expect_text(poetry_lock_parse, "[[package]]\nname \"a\"\n", DD_EPARSE, "");
    tu_expect_text(poetry_lock_parse, "[[package]]\nname = \"a\nversion = \"1\"\n", DD_EPARSE, "");
    tu_expect_text(poetry_lock_parse, "[[package]]\nname = \"a\"\n", DD_EPARSE, "");
    char deep[256];
    memset(deep, 0, sizeof(deep));
    strcpy(deep, "x = ");
    memset(deep + 4, '[', 100);
    tu_expect_text(poetry_lock_parse, deep, DD_ELIMIT, "");
}

static void test_lang_python_pipfile(void **state)
{
    (void)state;
    /* develop (pytest), editable (mylib) and git (toolz) entries are skipped */
    expect_file(pipfile_lock_parse, FIX "Pipfile.lock", "app/Pipfile.lock", 0,
                "certifi@2024.2.2 requests@2.31.0 ruamel-yaml@0.18.6");
    tu_expect_text(pipfile_lock_parse, "{\"_meta\":{\"pipfile-spec\":7},\"default\":{}}",
                   DD_EUNSUPPORTED, "");
    tu_expect_text(pipfile_lock_parse,
                   "{\"default\":{\"a\":{\"version\":\">=1\"},"
                   "\"b\":{\"version\":\"===2\"},\"c\":3}}",
                   0, "b@2");
    tu_expect_text(pipfile_lock_parse, "[]", DD_EPARSE, "");
    tu_expect_text(pipfile_lock_parse, "{\"default\":{\"a\":{\"version\":\"==1\"}", DD_EPARSE,
                   "a@1");
    tu_expect_text(pipfile_lock_parse, "{\"default\":{\"a b\":{\"version\":\"==1\"}}}", DD_EPARSE,
                   "");
}

static void test_lang_python_requirements(void **state)
{
    (void)state;
    expect_file(requirements_parse, FIX "requirements-freeze.txt", "app/requirements.txt", 0,
                "argcomplete@2.0.0 blinker@1.5 crcmod@1.7 cryptography@38.0.4 "
                "dbus-python@1.3.2 distro@1.8.0 httplib2@0.20.4 lazr-restfulclient@0.14.5 "
                "lazr-uri@1.0.6 oauthlib@3.2.2 packaging@23.0 perf@0.1 pyflakes@2.5.0 "
                "pygments@2.14.0 pygobject@3.42.2 pyjwt@2.6.0 pyopenssl@23.0.0 "
                "pyparsing@3.0.9 python-apt@2.6.0 pyyaml@6.0 six@1.16.0 toml@0.10.2 "
                "wadllib@1.3.6 xmltodict@0.13.0 yq@3.1.0");
    tu_expect_text(
        requirements_parse,
        "# comment\n"
        "-r base.txt\n"
        "-e git+https://x/y.git#egg=y\n"
        "--index-url https://pypi.example/simple\n"
        "Django == 4.2.1 ; python_version >= \"3.8\"  # pinned\n"
        "requests[security,socks]==2.31.0 \\\n"
        "    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n"
        "urllib3>=1.26\n"
        "idna\n"
        "six==1.*\n"
        "attrs==23.1.0,<24\n"
        "pkg @ https://example.com/pkg.tar.gz\n"
        "Flask_Login===0.6.2\r\n"
        "  numpy==1.26.0+cpu\n"
        "dup==1\ndup==1\n",
        0, "django@4.2.1 dup@1 flask-login@0.6.2 numpy@1.26.0+cpu requests@2.31.0");
    tu_expect_text(requirements_parse, "bad[extra==1\nok==2\n", DD_EPARSE, "ok@2");
    char *big = malloc(PYTHON_MAX_REQ_LINE + 64);
    assert_non_null(big);
    memset(big, 'a', PYTHON_MAX_REQ_LINE + 10);
    strcpy(big + PYTHON_MAX_REQ_LINE + 10, "==1\nok==2\n");
    tu_expect_text(requirements_parse, big, DD_EPARSE, "ok@2");
    free(big);
    tu_expect_text(requirements_parse, "a==\xC3\x28\n", 0, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_python_paths),
        cmocka_unit_test(test_lang_python_normalise),
        cmocka_unit_test(test_lang_python_metadata_fixtures),
        cmocka_unit_test(test_lang_python_metadata_forms),
        cmocka_unit_test(test_lang_python_metadata_hostile),
        cmocka_unit_test(test_lang_python_poetry),
        cmocka_unit_test(test_lang_python_pipfile),
        cmocka_unit_test(test_lang_python_requirements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
