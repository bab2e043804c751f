/* test_image_ref.c - image reference grammar, normalisation, formatting and loopback checks.
 * Expected values are written by hand from Docker's distribution/reference rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIG   "sha256:" HEX64

struct good {
    const char *in;
    const char *registry, *repository, *tag, *digest;
};

static const struct good goods[] = {
    {"debian", "docker.io", "library/debian", "latest", NULL},
    {"debian:bookworm", "docker.io", "library/debian", "bookworm", NULL},
    {"library/debian:12", "docker.io", "library/debian", "12", NULL},
    {"docker.io/debian", "docker.io", "library/debian", "latest", NULL},
    {"index.docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", NULL},
    {"registry-1.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", NULL},
    {"bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", NULL},
    {"ghcr.io/owner/app:v1.2.3", "ghcr.io", "owner/app", "v1.2.3", NULL},
    {"ghcr.io/app", "ghcr.io", "app", "latest", NULL},
    {"quay.io/prometheus/node-exporter:latest", "quay.io", "prometheus/node-exporter", "latest",
     NULL},
    {"localhost/app", "localhost", "app", "latest", NULL},
    {"localhost:5000/ns/app:dev", "localhost:5000", "ns/app", "dev", NULL},
    {"127.0.0.1:5000/app@" DIG, "127.0.0.1:5000", "app", NULL, DIG},
    {"[::1]:5000/app:1", "[::1]:5000", "app", "1", NULL},
    {"[2001:db8::1]/team/app", "[2001:db8::1]", "team/app", "latest", NULL},
    {"registry.example.com:443/a/b/c/d:tag", "registry.example.com:443", "a/b/c/d", "tag", NULL},
    {"example.com/a.b/c_d/e__f/g-h/i---j", "example.com", "a.b/c_d/e__f/g-h/i---j", "latest", NULL},
    {"debian@" DIG, "docker.io", "library/debian", NULL, DIG},
    {"debian:12@" DIG, "docker.io", "library/debian", "12", DIG},
    /* no '/', so ":5000" is a tag, exactly as docker reads it */
    {"localhost:5000", "docker.io", "library/localhost", "5000", NULL},
    {"my-registry.local:8080/app:TAG_Upper-1.0", "my-registry.local:8080", "app", "TAG_Upper-1.0",
     NULL},
    {"a", "docker.io", "library/a", "latest", NULL},
    {"0/1", "docker.io", "0/1", "latest", NULL},
    {"Registry.Example.COM/app", "Registry.Example.COM", "app", "latest", NULL},
    {"docker.io/library/busybox:1.36.1-musl", "docker.io", "library/busybox", "1.36.1-musl", NULL},
    {"gcr.io/distroless/static-debian12:nonroot", "gcr.io", "distroless/static-debian12", "nonroot",
     NULL},
    {"mcr.microsoft.com/dotnet/runtime:8.0", "mcr.microsoft.com", "dotnet/runtime", "8.0", NULL},
    {"app:_x", "docker.io", "library/app", "_x", NULL},
    {"xn--bcher-kva.example/app", "xn--bcher-kva.example", "app", "latest", NULL},
    {"docker.io/bitnami/redis", "docker.io", "bitnami/redis", "latest", NULL},
    {"10.1.2.3:80/x/y@" DIG, "10.1.2.3:80", "x/y", NULL, DIG},
};

struct bad {
    const char *in;
    int code;
    const char *msg_part;
};

static const struct bad bads[] = {
    {"", DD_EINVAL, "empty image reference"},
    {"Debian", DD_EINVAL, "repository name must be lowercase (offset 0)"},
    {"docker.io/Library/debian", DD_EINVAL, "must be lowercase (offset 10)"},
    {"ghcr.io/owner/App:1", DD_EINVAL, "must be lowercase (offset 14)"},
    {"debian:", DD_EINVAL, "empty tag at offset 7"},
    {"debian:-bad", DD_EINVAL, "must start with"},
    {"debian:a/b", DD_EINVAL, "invalid port"},
    {"debian:a+b", DD_EINVAL, "invalid character in tag at offset 8"},
    {"debian@sha256:abc", DD_EINVAL, "needs 64 hex digits, got 3"},
    {"debian@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", DD_EINVAL,
     "hex must be lowercase"},
    {"debian@sha512:" HEX64 HEX64, DD_EUNSUPPORTED, "unsupported digest algorithm \"sha512\""},
    {"debian@md5:abc", DD_EUNSUPPORTED, "only sha256"},
    {"debian@" HEX64, DD_EINVAL, "invalid digest at offset 7"},
    {"a..b", DD_EINVAL, "invalid separator in repository name at offset 1"},
    {"a___b", DD_EINVAL, "invalid separator"},
    {"a._b", DD_EINVAL, "invalid separator"},
    {"-a", DD_EINVAL, "invalid character in repository name at offset 0"},
    {"a-", DD_EINVAL, "invalid separator in repository name at offset 1"},
    {"ghcr.io//app", DD_EINVAL, "empty path component at offset 8"},
    {"ghcr.io/", DD_EINVAL, "empty repository path"},
    {"ghcr.io/app/", DD_EINVAL, "empty path component at offset 12"},
    {"/app", DD_EINVAL, "empty path component at offset 0"},
    {"localhost:99999/app", DD_EINVAL, "greater than 65535"},
    {"localhost:/app", DD_EINVAL, "empty port"},
    {"exa_mple.com/app", DD_EINVAL, "invalid character in registry host at offset 3"},
    {"-bad.com/app", DD_EINVAL, "starts or ends with '-'"},
    {"bad..com/app", DD_EINVAL, "empty label in registry host"},
    {"[::1/app", DD_EINVAL, "unterminated '['"},
    {"[zz::1]/app", DD_EINVAL, "invalid IPv6 address"},
    {"[::1]x/app", DD_EINVAL, "after ']'"},
    {HEX64, DD_EINVAL, "image ID"},
    {"app@", DD_EINVAL, "empty digest after '@' at offset 3"},
    {"app:1@", DD_EINVAL, "empty digest"},
    {"a b", DD_EINVAL, "invalid character in repository name at offset 1"},
    {"app@" DIG "@" DIG, DD_EINVAL, "is not a hex digit"},
    {":tag", DD_EINVAL, "empty repository name"},
    {"ghcr.io/app:t\xc3\xa9", DD_EINVAL, "invalid character in tag"},
};

static void test_image_ref_parse_valid_references(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
        const struct good *g = &goods[i];
        struct image_ref r = {0};
        struct dd_error err = {0};
        int rc = image_ref_parse(g->in, &r, &err);
        if (rc != 0)
            fail_msg("\"%s\": unexpected error %d: %s", g->in, rc, err.msg);
        assert_string_equal(r.registry, g->registry);
        assert_string_equal(r.repository, g->repository);
        if (g->tag)
            assert_string_equal(r.tag, g->tag);
        else
            assert_null(r.tag);
        if (g->digest)
            assert_string_equal(r.digest, g->digest);
        else
            assert_null(r.digest);
        image_ref_cleanup(&r);
    }
}

static void test_image_ref_parse_invalid_references(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
        const struct bad *b = &bads[i];
        struct image_ref r = {(char *)"untouched", NULL, NULL, NULL};
        struct dd_error err = {0};
        int rc = image_ref_parse(b->in, &r, &err);
        if (rc != b->code)
            fail_msg("\"%s\": got %d (%s), want %d", b->in, rc, err.msg, b->code);
        assert_int_equal(err.code, b->code);
        if (strstr(err.msg, b->msg_part) == NULL)
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", b->in, err.msg, b->msg_part);
        assert_string_equal(r.registry, "untouched"); /* out untouched on failure */
    }
}

static void test_image_ref_parse_tag_length_limit(void **state)
{
    (void)state;
    char in[300];
    struct image_ref r;
    struct dd_error err = {0};
    strcpy(in, "app:");
    memset(in + 4, 'a', 128);
    in[4 + 128] = '\0';
    assert_int_equal(image_ref_parse(in, &r, &err), 0);
    assert_int_equal(strlen(r.tag), 128);
    image_ref_cleanup(&r);
    strcpy(in, "app:");
    memset(in + 4, 'a', 129);
    in[4 + 129] = '\0';
    assert_int_equal(image_ref_parse(in, &r, &err), DD_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 128"));
}

static void test_image_ref_parse_name_length_limit(void **state)
{
    (void)state;
    char in[400];
    struct image_ref r;
    struct dd_error err = {0};
    /* "ghcr.io/" (8) + 247 = 255: accepted */
    strcpy(in, "ghcr.io/");
    memset(in + 8, 'a', 247);
    strcpy(in + 8 + 247, ":tag");
    assert_int_equal(image_ref_parse(in, &r, &err), 0);
    assert_int_equal(strlen(r.repository), 247);
    image_ref_cleanup(&r);
    memset(in + 8, 'a', 248);
    strcpy(in + 8 + 248, ":tag");
    assert_int_equal(image_ref_parse(in, &r, &err), DD_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 255"));
}

static void test_image_ref_parse_rejects_huge_input(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *in = malloc(n + 1);
    assert_non_null(in);
    memset(in, 'a', n);
    in[n] = '\0';
    struct image_ref r;
    struct dd_error err = {0};
    assert_int_equal(image_ref_parse(in, &r, &err), DD_EINVAL);
    assert_non_null(strstr(err.msg, "longer than"));
    free(in);
    assert_int_equal(image_ref_parse(NULL, &r, NULL), DD_EINVAL);
}

static void test_image_ref_format_round_trip(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"debian", "docker.io/library/debian:latest"},
        {"ghcr.io/o/a:1@" DIG, "ghcr.io/o/a:1@" DIG},
        {"localhost:5000/a@" DIG, "localhost:5000/a@" DIG},
        {"[::1]:5000/x/y:z", "[::1]:5000/x/y:z"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct image_ref r, r2;
        assert_int_equal(image_ref_parse(cases[i].in, &r, NULL), 0);
        char *s = image_ref_format(&r);
        assert_non_null(s);
        assert_string_equal(s, cases[i].out);
        assert_int_equal(image_ref_parse(s, &r2, NULL), 0);
        assert_string_equal(r2.repository, r.repository);
        free(s);
        image_ref_cleanup(&r);
        image_ref_cleanup(&r2);
    }
}

static void test_image_ref_api_host_and_reference(void **state)
{
    (void)state;
    struct image_ref r;
    assert_int_equal(image_ref_parse("index.docker.io/alpine:3.19", &r, NULL), 0);
    assert_string_equal(image_ref_api_host(&r), "registry-1.docker.io");
    assert_string_equal(image_ref_reference(&r), "3.19");
    image_ref_cleanup(&r);
    assert_int_equal(image_ref_parse("ghcr.io/a:1@" DIG, &r, NULL), 0);
    assert_string_equal(image_ref_api_host(&r), "ghcr.io");
    assert_string_equal(image_ref_reference(&r), DIG);
    image_ref_cleanup(&r);
    image_ref_cleanup(&r); /* idempotent */
    image_ref_cleanup(NULL);
}

static void test_image_ref_is_loopback(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool loop;
    } cases[] = {
        {"localhost/a", true},
        {"localhost:5000/a", true},
        {"LOCALHOST:5000/a", true},
        {"127.0.0.1/a", true},
        {"127.5.6.7:80/a", true},
        {"[::1]/a", true},
        {"[::1]:5000/a", true},
        {"[0:0:0:0:0:0:0:1]:5000/a", true},
        {"128.0.0.1/a", false},
        {"localhost.example.com/a", false},
        {"[::2]:5000/a", false},
        {"debian", false},
        {"10.0.0.1:5000/a", false},
        {"127.0.0.1.nip.io/a", false},
        {"127.0.0.1.example:5/a", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct image_ref r;
        struct dd_error err = {0};
        if (image_ref_parse(cases[i].in, &r, &err) != 0)
            fail_msg("%s: %s", cases[i].in, err.msg);
        if (image_ref_is_loopback(&r) != cases[i].loop)
            fail_msg("%s: loopback should be %d", cases[i].in, cases[i].loop);
        image_ref_cleanup(&r);
    }
}

static void test_image_ref_digest_is_valid(void **state)
{
    (void)state;
    assert_true(digest_is_valid(DIG));
    assert_false(digest_is_valid(NULL));
    assert_false(digest_is_valid(""));
    assert_false(digest_is_valid("sha256:"));
    assert_false(digest_is_valid(DIG "0"));
    assert_false(
        digest_is_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
    assert_false(digest_is_valid("sha512:" HEX64 HEX64));
    assert_false(digest_is_valid("SHA256:" HEX64));
    assert_false(digest_is_valid(" sha256:" HEX64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_ref_parse_valid_references),
        cmocka_unit_test(test_image_ref_parse_invalid_references),
        cmocka_unit_test(test_image_ref_parse_tag_length_limit),
        cmocka_unit_test(test_image_ref_parse_name_length_limit),
        cmocka_unit_test(test_image_ref_parse_rejects_huge_input),
        cmocka_unit_test(test_image_ref_format_round_trip),
        cmocka_unit_test(test_image_ref_api_host_and_reference),
        cmocka_unit_test(test_image_ref_is_loopback),
        cmocka_unit_test(test_image_ref_digest_is_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
