/* test_regauth.c - WWW-Authenticate challenges, Docker config.json lookup, token replies and
 * base64. Expected values written by hand (base64 vectors from RFC 4648 section 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "regauth.h"

static void test_regauth_challenge_docker_hub(void **state)
{
    (void)state;
    struct auth_challenge c;
    struct dd_error err = {0};
    assert_int_equal(auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\","
                                          "service=\"registry.docker.io\","
                                          "scope=\"repository:library/debian:pull\"",
                                          &c, &err),
                     0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BEARER);
    assert_string_equal(c.realm, "https://auth.docker.io/token");
    assert_string_equal(c.service, "registry.docker.io");
    assert_string_equal(c.scope, "repository:library/debian:pull");
    auth_challenge_cleanup(&c);
    auth_challenge_cleanup(&c);
    auth_challenge_cleanup(NULL);
}

static void test_regauth_challenge_syntax_variants(void **state)
{
    (void)state;
    struct auth_challenge c;
    struct dd_error err = {0};
    /* case-insensitive scheme and names, BWS around '=', token values, escapes */
    assert_int_equal(auth_challenge_parse("bEaReR  REALM = https://h.example/t , "
                                          "Service=\"a\\\"b\\\\c\", scope=x",
                                          &c, &err),
                     0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BEARER);
    assert_string_equal(c.realm, "https://h.example/t");
    assert_string_equal(c.service, "a\"b\\c");
    assert_string_equal(c.scope, "x");
    auth_challenge_cleanup(&c);

    /* Basic with realm; service/scope stay NULL */
    assert_int_equal(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c, &err), 0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BASIC);
    assert_string_equal(c.realm, "Registry Realm");
    assert_null(c.service);
    assert_null(c.scope);
    auth_challenge_cleanup(&c);

    /* Basic without params */
    assert_int_equal(auth_challenge_parse("Basic", &c, &err), 0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BASIC);
    assert_null(c.realm);
    auth_challenge_cleanup(&c);

    /* several challenges: unknown schemes (token68 and params) skipped, first known wins */
    assert_int_equal(auth_challenge_parse("Negotiate YII=, NTLM, Digest realm=\"d\", "
                                          "qop=\"auth\", Bearer realm=\"http://127.0.0.1:1/tok\","
                                          "service=s, Basic realm=\"b\"",
                                          &c, &err),
                     0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BEARER);
    assert_string_equal(c.realm, "http://127.0.0.1:1/tok");
    assert_string_equal(c.service, "s");
    auth_challenge_cleanup(&c);

    /* Basic first, then Bearer: Basic wins; an error param is ignored */
    assert_int_equal(auth_challenge_parse("Basic realm=\"r\",, Bearer realm=\"https://a/b\","
                                          "error=\"insufficient_scope\"",
                                          &c, &err),
                     0);
    assert_int_equal(c.scheme, AUTH_SCHEME_BASIC);
    assert_string_equal(c.realm, "r");
    auth_challenge_cleanup(&c);
}

static void expect_challenge_fail(const char *h, int code, const char *part)
{
    struct auth_challenge c = {.scheme = AUTH_SCHEME_BASIC};
    struct dd_error err = {0};
    int rc = auth_challenge_parse(h, &c, &err);
    if (rc != code)
        fail_msg("\"%s\": got %d (%s), want %d", h ? h : "(null)", rc, err.msg, code);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
    assert_int_equal(c.scheme, AUTH_SCHEME_BASIC);
    assert_null(c.realm);
}

static void test_regauth_challenge_error_paths(void **state)
{
    (void)state;
    expect_challenge_fail(NULL, DD_EPARSE, "missing header");
    expect_challenge_fail("", DD_EPARSE, "empty header");
    expect_challenge_fail("  , ", DD_EPARSE, "empty header");
    expect_challenge_fail("Negotiate abc", DD_EUNSUPPORTED, "no Basic or Bearer");
    expect_challenge_fail("Bearer service=\"x\"", DD_EPARSE, "no realm");
    expect_challenge_fail("Bearer realm=\"ftp://x/token\"", DD_EPARSE, "not an http(s) URL");
    expect_challenge_fail("Bearer realm=\"file:///etc/passwd\"", DD_EPARSE, "http(s)");
    expect_challenge_fail("Bearer realm=\"https://x", DD_EPARSE, "unterminated quoted string");
    expect_challenge_fail("Bearer realm=\"https://x\\", DD_EPARSE, "unterminated");
    expect_challenge_fail("Bearer realm=\"https://x\r\nSet-Cookie: a\"", DD_EPARSE,
                          "control character");
    expect_challenge_fail("Bearer realm=\"https://a\",realm=\"https://b\"", DD_EPARSE,
                          "\"realm\" repeated");
    expect_challenge_fail("Bearer realm=\"https://a\" scope=x", DD_EPARSE, "expected ','");
    expect_challenge_fail("Bearer realm=", DD_EPARSE, "no realm"); /* "realm=" is a token68 */
    expect_challenge_fail("Bearer realm=\\x", DD_EPARSE, "expected a token or quoted string");
    expect_challenge_fail("\"Bearer\" realm=x", DD_EPARSE, "expected an auth scheme at offset 0");
    expect_challenge_fail("Bearer@ realm=x", DD_EPARSE, "invalid character after scheme");

    size_t n = 20000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    expect_challenge_fail(big, DD_ETOOBIG, "longer than");
    /* a quoted value longer than the per-param cap */
    memcpy(big, "Bearer realm=\"", 14);
    big[10000] = '"';
    big[10001] = '\0';
    expect_challenge_fail(big, DD_ETOOBIG, "parameter value longer than");
    free(big);
}

#define CFG_HUB                                                                                    \
    "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHVidXNlcjpodWI6cGFzcw==\"},"         \
    "\"ghcr.io\":{\"username\":\"gh\",\"password\":\"tok\"},"                                      \
    "\"https://quay.io/v2/\":{\"auth\":\"cXU6cHc\"},"                                              \
    "\"localhost:5000\":{\"auth\":\"bG9jYWw6\"}},\"credsStore\":\"desktop\"}"

static int lookup(const char *cfg, const char *host, char **u, char **p, struct dd_error *err)
{
    return docker_config_lookup((const uint8_t *)cfg, strlen(cfg), host, u, p, err);
}

static void test_regauth_docker_config_lookup(void **state)
{
    (void)state;
    char *u = NULL, *p = NULL;
    struct dd_error err = {0};
    /* "hubuser:hub:pass": the password may contain ':' */
    assert_int_equal(lookup(CFG_HUB, "docker.io", &u, &p, &err), 0);
    assert_string_equal(u, "hubuser");
    assert_string_equal(p, "hub:pass");
    free(u);
    free(p);
    assert_int_equal(lookup(CFG_HUB, "registry-1.docker.io", &u, &p, &err), 0);
    assert_string_equal(u, "hubuser");
    free(u);
    free(p);
    assert_int_equal(lookup(CFG_HUB, "ghcr.io", &u, &p, &err), 0);
    assert_string_equal(u, "gh");
    assert_string_equal(p, "tok");
    free(u);
    free(p);
    /* key with scheme and a path other than /v1/: matched by host part; no padding */
    assert_int_equal(lookup(CFG_HUB, "quay.io", &u, &p, &err), 0);
    assert_string_equal(u, "qu");
    assert_string_equal(p, "pw");
    free(u);
    free(p);
    /* empty password */
    assert_int_equal(lookup(CFG_HUB, "localhost:5000", &u, &p, &err), 0);
    assert_string_equal(u, "local");
    assert_string_equal(p, "");
    free(u);
    free(p);
    u = p = NULL;
    assert_int_equal(lookup(CFG_HUB, "example.com", &u, &p, &err), DD_ENOTFOUND);
    assert_non_null(strstr(err.msg, "credential helpers are not supported"));
    assert_null(u);
    assert_null(p);

    /* "https://host" and "http://host" keys */
    dd_error_clear(&err);
    assert_int_equal(lookup("{\"auths\":{\"http://reg.local:8080\":{\"auth\":\"YTpi\"}}}",
                            "reg.local:8080", &u, &p, &err),
                     0);
    assert_string_equal(u, "a");
    assert_string_equal(p, "b");
    free(u);
    free(p);
}

static void expect_lookup_fail(const char *cfg, const char *host, int code, const char *part)
{
    char *u = NULL, *p = NULL;
    struct dd_error err = {0};
    int rc = lookup(cfg, host, &u, &p, &err);
    if (rc != code)
        fail_msg("%s: got %d (%s), want %d", cfg, rc, err.msg, code);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
    assert_null(u);
    assert_null(p);
    /* never leak the secret into the message */
    assert_null(strstr(err.msg, "s3cret"));
}

static void test_regauth_docker_config_error_paths(void **state)
{
    (void)state;
    expect_lookup_fail("", "h", DD_EPARSE, "empty");
    expect_lookup_fail("{", "h", DD_EPARSE, "invalid JSON");
    expect_lookup_fail("[]", "h", DD_EPARSE, "not an object");
    expect_lookup_fail("{}", "h", DD_ENOTFOUND, "no \"auths\"");
    expect_lookup_fail("{\"auths\":[]}", "h", DD_EPARSE, "\"auths\" is not an object");
    expect_lookup_fail("{\"auths\":{\"h\":1}}", "h", DD_EPARSE, "is not an object");
    expect_lookup_fail("{\"auths\":{\"h\":{\"auth\":5}}}", "h", DD_EPARSE, "auth is not a string");
    /* "user s3cret" has no ':' -> dXNlciBzM2NyZXQ= */
    expect_lookup_fail("{\"auths\":{\"h\":{\"auth\":\"dXNlciBzM2NyZXQ=\"}}}", "h", DD_EPARSE,
                       "does not decode to user:password");
    expect_lookup_fail("{\"auths\":{\"h\":{\"auth\":\"not base64!\"}}}", "h", DD_EPARSE,
                       "not valid base64");
    /* "a\0:b" -> YQA6Yg== */
    expect_lookup_fail("{\"auths\":{\"h\":{\"auth\":\"YQA6Yg==\"}}}", "h", DD_EPARSE,
                       "does not decode");
    expect_lookup_fail("{\"auths\":{\"h\":{\"identitytoken\":\"s3cret\"}}}", "h", DD_ENOTFOUND,
                       "identity tokens and credential helpers are not supported");
    expect_lookup_fail("{\"auths\":{\"h\":{\"username\":1,\"password\":\"s3cret\"}}}", "h",
                       DD_EPARSE, "must be strings");
    expect_lookup_fail("{\"auths\":{\"h\":{}},\"auths\":{}}", "h", DD_EPARSE, "invalid JSON");
    expect_lookup_fail("{\"auths\":{}}", "", DD_EINVAL, "invalid host");
    /* a key that only shares a prefix with the host does not match */
    expect_lookup_fail("{\"auths\":{\"https://ghcr.io.evil.com/\":{\"auth\":\"YTpi\"}}}", "ghcr.io",
                       DD_ENOTFOUND, "no credentials for ghcr.io");
}

static void test_regauth_token_parse(void **state)
{
    (void)state;
    char *t = NULL;
    int exp = 0;
    struct dd_error err = {0};
    const char *b1 = "{\"token\":\"eyJhbGciOiJSUzI1NiJ9.e30.sig\",\"access_token\":\"eyJhbGciOi"
                     "JSUzI1NiJ9.e30.sig\",\"expires_in\":300,\"issued_at\":\"2024-03-01T10:00:"
                     "00.123Z\"}";
    assert_int_equal(auth_token_parse((const uint8_t *)b1, strlen(b1), &t, &exp, &err), 0);
    assert_string_equal(t, "eyJhbGciOiJSUzI1NiJ9.e30.sig");
    assert_int_equal(exp, 300);
    free(t);
    const char *b2 = "{\"access_token\":\"abc\"}";
    assert_int_equal(auth_token_parse((const uint8_t *)b2, strlen(b2), &t, &exp, &err), 0);
    assert_string_equal(t, "abc");
    assert_int_equal(exp, 60);
    free(t);
    const char *b3 = "{\"token\":\"abc\",\"expires_in\":0}";
    assert_int_equal(auth_token_parse((const uint8_t *)b3, strlen(b3), &t, &exp, &err), 0);
    assert_int_equal(exp, 60);
    free(t);
    const char *b4 = "{\"token\":\"abc\",\"expires_in\":99999999}";
    assert_int_equal(auth_token_parse((const uint8_t *)b4, strlen(b4), &t, &exp, &err), 0);
    assert_int_equal(exp, 86400);
    free(t);

    static const struct {
        const char *body;
        int code;
        const char *part;
    } bad[] = {
        {"", DD_EPARSE, "empty body"},
        {"{\"token\":", DD_EPARSE, "invalid JSON"},
        {"[\"abc\"]", DD_EPARSE, "not an object"},
        {"{}", DD_EAUTH, "no \"token\""},
        {"{\"token\":\"\"}", DD_EAUTH, "no \"token\""},
        {"{\"token\":5}", DD_EPARSE, "not a string"},
        {"{\"token\":\"a b\"}", DD_EPARSE, "not allowed in a header"},
        {"{\"token\":\"a\\r\\nX-Evil: 1\"}", DD_EPARSE, "not allowed in a header"},
        {"{\"token\":\"caf\xc3\xa9\"}", DD_EPARSE, "not allowed in a header"},
        {"{\"token\":\"abc\",\"expires_in\":\"300\"}", DD_EPARSE, "not an integer"},
        {"{\"token\":\"abc\",\"token\":\"def\"}", DD_EPARSE, "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = NULL;
        exp = -5;
        dd_error_clear(&err);
        int rc =
            auth_token_parse((const uint8_t *)bad[i].body, strlen(bad[i].body), &t, &exp, &err);
        if (rc != bad[i].code || strstr(err.msg, bad[i].part) == NULL)
            fail_msg("%s: got %d \"%s\"", bad[i].body, rc, err.msg);
        assert_null(t);
        assert_int_equal(exp, -5);
    }
}

static void test_regauth_base64_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *plain, *enc;
    } v[] = {{"", ""},
             {"f", "Zg=="},
             {"fo", "Zm8="},
             {"foo", "Zm9v"},
             {"foob", "Zm9vYg=="},
             {"fooba", "Zm9vYmE="},
             {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char *e = base64_encode((const uint8_t *)v[i].plain, strlen(v[i].plain));
        assert_non_null(e);
        assert_string_equal(e, v[i].enc);
        free(e);
        uint8_t *d = NULL;
        size_t n = 99;
        assert_int_equal(base64_decode(v[i].enc, &d, &n), 0);
        assert_int_equal(n, strlen(v[i].plain));
        assert_memory_equal(d, v[i].plain, n);
        assert_int_equal(d[n], 0);
        free(d);
    }
    /* missing padding accepted */
    uint8_t *d = NULL;
    size_t n = 0;
    assert_int_equal(base64_decode("Zm9vYg", &d, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(d, "foob", 4);
    free(d);
    assert_int_equal(base64_decode("Zm8", &d, &n), 0);
    assert_int_equal(n, 2);
    free(d);
    /* all byte values, '+' and '/' */
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char *e = base64_encode(all, sizeof(all));
    assert_non_null(e);
    assert_int_equal(strlen(e), 344);
    assert_int_equal(base64_decode(e, &d, &n), 0);
    assert_int_equal(n, 256);
    assert_memory_equal(d, all, 256);
    free(d);
    free(e);
    const uint8_t pm[3] = {0xfb, 0xff, 0xbf};
    e = base64_encode(pm, 3);
    assert_string_equal(e, "+/+/");
    free(e);
}

static void test_regauth_base64_rejects_bad_input(void **state)
{
    (void)state;
    static const char *const bad[] = {"Zm9v\n",   "Zm 9v", "Zm9v!", "Z",        "Zm9vY",
                                      "Zg=",      "Zg===", "Z===",  "=Zg=",     "Zm=v",
                                      "Zm9v====", "Zm9-",  "Zm9_",  "Zg==Zg==", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *d = (uint8_t *)"untouched";
        size_t n = 7;
        if (base64_decode(bad[i], &d, &n) != DD_EPARSE)
            fail_msg("\"%s\" should be rejected", bad[i]);
        assert_string_equal((char *)d, "untouched");
        assert_int_equal(n, 7);
    }
    uint8_t *d;
    size_t n;
    assert_int_equal(base64_decode(NULL, &d, &n), DD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regauth_challenge_docker_hub),
        cmocka_unit_test(test_regauth_challenge_syntax_variants),
        cmocka_unit_test(test_regauth_challenge_error_paths),
        cmocka_unit_test(test_regauth_docker_config_lookup),
        cmocka_unit_test(test_regauth_docker_config_error_paths),
        cmocka_unit_test(test_regauth_token_parse),
        cmocka_unit_test(test_regauth_base64_vectors),
        cmocka_unit_test(test_regauth_base64_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
