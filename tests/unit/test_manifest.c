/* test_manifest.c - manifests, indexes, platform selection and image configs.
 * Fixtures in tests/fixtures/manifests are real skopeo/umoci output (oci_manifest_skopeo,
 * docker_v2s2_skopeo, oci_config_umoci) or hand-written in the real formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/manifests/"
#define H1  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D1  "sha256:" H1
#define CFG_OCI                                                                                    \
    "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1 "\",\"size\":"  \
    "7}"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static int parse_str(const char *ct, const char *body, struct manifest *m, struct dd_error *err)
{
    return manifest_parse(ct, (const uint8_t *)body, strlen(body), m, err);
}

static void expect_fail(const char *ct, const char *body, int code, const char *part)
{
    struct manifest m = {.n_layers = 777};
    struct dd_error err = {0};
    int rc = parse_str(ct, body, &m, &err);
    if (rc != code)
        fail_msg("body %.80s: got %d (%s), want %d", body, rc, err.msg, code);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
    assert_int_equal(m.n_layers, 777); /* untouched */
}

static void test_manifest_parse_skopeo_oci_without_media_type(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "oci_manifest_skopeo.json", &len);
    struct manifest m;
    struct dd_error err = {0};
    /* shape decides: no Content-Type, no mediaType in the body */
    assert_int_equal(manifest_parse(NULL, (uint8_t *)body, len, &m, &err), 0);
    assert_int_equal(m.kind, MANIFEST_IMAGE);
    assert_string_equal(m.media_type, MT_OCI_MANIFEST);
    assert_string_equal(m.config.digest,
                        "sha256:94890a82cb5c6ca44b98624f11ca7e1a03295ea1670c93465707474a5efcb62f");
    assert_int_equal(m.config.size, 479);
    assert_int_equal(m.n_layers, 1);
    assert_string_equal(m.layers[0].digest,
                        "sha256:23c2dfd6cad13aa48c2d3f4b15db3f955cb0c8abfd5f1d3bac4a200b9583c8dc");
    assert_int_equal(m.layers[0].size, 191);
    assert_int_equal(m.layers[0].compression, LAYER_COMP_GZIP);
    assert_int_equal(m.layers[0].nondistributable, 0);
    manifest_cleanup(&m);
    /* and with the Content-Type the registry sends, parameters ignored */
    assert_int_equal(manifest_parse("Application/VND.oci.image.manifest.v1+json; charset=utf-8",
                                    (uint8_t *)body, len, &m, &err),
                     0);
    assert_string_equal(m.media_type, MT_OCI_MANIFEST);
    manifest_cleanup(&m);
    manifest_cleanup(&m);
    free(body);
}

static void test_manifest_parse_docker_v2s2(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "docker_v2s2_skopeo.json", &len);
    struct manifest m;
    assert_int_equal(manifest_parse("application/json", (uint8_t *)body, len, &m, NULL), 0);
    assert_int_equal(m.kind, MANIFEST_IMAGE);
    assert_string_equal(m.media_type, MT_DOCKER_MANIFEST);
    assert_string_equal(m.config.media_type, "application/vnd.docker.container.image.v1+json");
    assert_int_equal(m.n_layers, 1);
    assert_string_equal(m.layers[0].media_type,
                        "application/vnd.docker.image.rootfs.diff.tar.gzip");
    assert_int_equal(m.layers[0].compression, LAYER_COMP_GZIP);
    manifest_cleanup(&m);
    free(body);
}

static void test_manifest_parse_oci_index_and_select(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "oci_index_buildx.json", &len);
    struct manifest m;
    struct dd_error err = {0};
    assert_int_equal(manifest_parse(MT_OCI_INDEX, (uint8_t *)body, len, &m, &err), 0);
    assert_int_equal(m.kind, MANIFEST_INDEX);
    assert_int_equal(m.n_manifests, 3);
    assert_string_equal(m.manifests[1].platform.arch, "arm64");
    assert_string_equal(m.manifests[1].platform.variant, "v8");
    assert_string_equal(m.manifests[2].platform.os, "unknown");

    struct platform want;
    const struct descriptor *d = NULL;
    assert_int_equal(platform_parse("linux/amd64", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_string_equal(d->digest,
                        "sha256:1826d639a0bff87532d2f2128088e1b2333a0f15e914bb163a3d4a4e9a07f83c");
    platform_cleanup(&want);

    /* aarch64 normalises to arm64; no variant wanted matches v8 */
    assert_int_equal(platform_parse("linux/aarch64", &want, NULL), 0);
    assert_string_equal(want.arch, "arm64");
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_string_equal(d->digest,
                        "sha256:b40a0febb9719c28bdba23c3250c12ee3ba24fe14656f1ceacf56e9ab0872b31");
    platform_cleanup(&want);

    /* the attestation (unknown/unknown) is never chosen */
    assert_int_equal(platform_parse("unknown/unknown", &want, NULL), 0);
    d = NULL;
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), DD_ENOPLATFORM);
    assert_null(d);
    platform_cleanup(&want);

    dd_error_clear(&err);
    assert_int_equal(platform_parse("linux/s390x", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), DD_ENOPLATFORM);
    assert_string_equal(err.msg,
                        "no manifest for linux/s390x; available: linux/amd64, linux/arm64/v8");
    platform_cleanup(&want);
    manifest_cleanup(&m);
    free(body);
}

static void test_manifest_select_platform_prefers_exact_variant(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "docker_manifest_list.json", &len);
    struct manifest m;
    struct dd_error err = {0};
    assert_int_equal(manifest_parse(NULL, (uint8_t *)body, len, &m, &err), 0);
    assert_string_equal(m.media_type, MT_DOCKER_LIST);
    assert_int_equal(m.n_manifests, 4);
    struct platform want;
    const struct descriptor *d;
    assert_int_equal(platform_parse("linux/arm/v7", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_string_equal(d->digest,
                        "sha256:f41305da8997aa55af2dea57112c044520c423c836457b57fd4153c33f1dc42f");
    platform_cleanup(&want);
    assert_int_equal(platform_parse("linux/arm64/v8", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_string_equal(d->digest,
                        "sha256:b40a0febb9719c28bdba23c3250c12ee3ba24fe14656f1ceacf56e9ab0872b31");
    platform_cleanup(&want);
    assert_int_equal(platform_parse("windows/x86_64", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_string_equal(d->digest,
                        "sha256:0e028aeb0fbb4d615db7a45a4e7760f5b8bbcab88ef10987da35050915ba9ae5");
    platform_cleanup(&want);
    assert_int_equal(platform_parse("linux/arm/v6", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), DD_ENOPLATFORM);
    platform_cleanup(&want);
    manifest_cleanup(&m);
    free(body);

    /* arm64 entries v8 (no variant) and v9: want arm64 picks the default v8 one even though
     * the v9 entry comes first; want arm64/v8 also matches the variant-less entry */
    const char *idx =
        "{\"schemaVersion\":2,\"manifests\":["
        "{\"digest\":\"sha256:" H1 "\",\"size\":1,"
        "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v9\"}},"
        "{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
        "\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"aarch64\"}}]}";
    assert_int_equal(parse_str(NULL, idx, &m, &err), 0);
    assert_int_equal(platform_parse("linux/arm64", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_int_equal(d->size, 2);
    platform_cleanup(&want);
    assert_int_equal(platform_parse("linux/arm64/v8", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_int_equal(d->size, 2);
    platform_cleanup(&want);
    assert_int_equal(platform_parse("linux/arm64/v9", &want, NULL), 0);
    assert_int_equal(manifest_select_platform(&m, &want, &d, &err), 0);
    assert_int_equal(d->size, 1);
    platform_cleanup(&want);
    manifest_cleanup(&m);
}

static void test_manifest_parse_rejects_schema1(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "docker_schema1_signed.json", &len);
    struct manifest m;
    struct dd_error err = {0};
    assert_int_equal(manifest_parse("application/vnd.docker.distribution.manifest.v1+prettyjws",
                                    (uint8_t *)body, len, &m, &err),
                     DD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "schema 1"));
    dd_error_clear(&err);
    assert_int_equal(manifest_parse("application/vnd.docker.distribution.manifest.v1+json",
                                    (uint8_t *)body, len, &m, &err),
                     DD_EUNSUPPORTED);
    dd_error_clear(&err);
    /* no Content-Type: schemaVersion 1 in the body */
    assert_int_equal(manifest_parse(NULL, (uint8_t *)body, len, &m, &err), DD_EUNSUPPORTED);
    assert_non_null(strstr(err.msg, "schema 1"));
    free(body);
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"mediaType\":"
                "\"application/vnd.docker.distribution.manifest.v1+json\"}",
                DD_EUNSUPPORTED, "schema 1");
}

static void test_manifest_parse_rejects_helm_chart(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "helm_chart_artifact.json", &len);
    struct manifest m;
    struct dd_error err = {0};
    assert_int_equal(manifest_parse(MT_OCI_MANIFEST, (uint8_t *)body, len, &m, &err),
                     DD_EUNSUPPORTED);
    assert_string_equal(err.msg, "not a container image (config media type "
                                 "application/vnd.cncf.helm.config.v1+json)");
    free(body);
}

static void test_manifest_parse_rejects_artifacts_and_bad_layers(void **state)
{
    (void)state;
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"artifactType\":\"application/vnd.dev.cosign.artifact."
                "sig.v1+json\",\"config\":" CFG_OCI ",\"layers\":[]}",
                DD_EUNSUPPORTED, "not a container image (artifactType");
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/"
                "vnd.wasm.config.v0+json\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
                DD_EUNSUPPORTED, "config media type application/vnd.wasm.config.v0+json");
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1 "\",\"size\":1}]}",
                DD_EUNSUPPORTED,
                "layers[0]: media type \"application/vnd.oci.image.config.v1+json\" is not");
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\",\"digest\":\"" D1
                "\",\"size\":1}]}",
                DD_EUNSUPPORTED, "helm.chart.content");
    expect_fail(NULL,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\"" D1
                "\",\"size\":1}]}",
                DD_EUNSUPPORTED, "cosign");
}

static void test_manifest_parse_layer_media_types(void **state)
{
    (void)state;
    static const struct {
        const char *mt;
        enum layer_compression comp;
        int nondist;
    } cases[] = {
        {"application/vnd.oci.image.layer.v1.tar", LAYER_COMP_NONE, 0},
        {"application/vnd.oci.image.layer.v1.tar+gzip", LAYER_COMP_GZIP, 0},
        {"application/vnd.oci.image.layer.v1.tar+zstd", LAYER_COMP_ZSTD, 0},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_COMP_NONE, 1},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_COMP_GZIP, 1},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_COMP_ZSTD, 1},
        {"application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_COMP_GZIP, 0},
        {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_COMP_GZIP, 1},
        {"application/vnd.docker.image.rootfs.diff.tar", LAYER_COMP_UNKNOWN, 0},
        {"application/x-tar", LAYER_COMP_UNKNOWN, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"schemaVersion\":2,\"config\":" CFG_OCI
                 ",\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"" D1 "\",\"size\":0,"
                 "\"urls\":[\"https://example.com/x\"]}]}",
                 cases[i].mt);
        struct manifest m;
        struct dd_error err = {0};
        if (parse_str(NULL, body, &m, &err) != 0)
            fail_msg("%s: %s", cases[i].mt, err.msg);
        assert_int_equal(m.layers[0].compression, cases[i].comp);
        assert_int_equal(m.layers[0].nondistributable, cases[i].nondist);
        manifest_cleanup(&m);
    }
}

static void test_manifest_parse_error_paths(void **state)
{
    (void)state;
    expect_fail(NULL, "", DD_EPARSE, "empty body");
    expect_fail(NULL, "[]", DD_EPARSE, "not a JSON object");
    expect_fail(NULL, "{\"schemaVersion\":2,", DD_EPARSE, "invalid JSON");
    expect_fail(NULL, "{\"schemaVersion\":2,\"schemaVersion\":2}", DD_EPARSE, "invalid JSON");
    expect_fail(NULL, "{\"schemaVersion\":2,\"mediaType\":\"\xff\"}", DD_EPARSE, "invalid JSON");
    expect_fail(NULL, "{\"schemaVersion\":2}", DD_EPARSE, "cannot tell the kind");
    expect_fail(NULL, "{\"schemaVersion\":2,\"mediaType\":7}", DD_EPARSE, "must be a string");
    expect_fail(NULL, "{\"schemaVersion\":2,\"mediaType\":\"text/html\"}", DD_EUNSUPPORTED,
                "unsupported mediaType \"text/html\"");
    expect_fail(MT_OCI_MANIFEST, "{\"config\":" CFG_OCI ",\"layers\":[]}", DD_EPARSE,
                "missing \"schemaVersion\"");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":\"2\",\"config\":" CFG_OCI ",\"layers\":[]}",
                DD_EUNSUPPORTED, "must be 2");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":3,\"config\":" CFG_OCI ",\"layers\":[]}",
                DD_EUNSUPPORTED, "must be 2");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"layers\":[]}", DD_EPARSE,
                "missing \"config\"");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":" CFG_OCI "}", DD_EPARSE,
                "missing \"layers\"");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":{}}",
                DD_EPARSE, "\"layers\" must be an array");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":[],\"layers\":[]}", DD_EPARSE,
                "config: must be an object");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":{\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
                DD_EPARSE, "config: missing \"mediaType\"");
    expect_fail(
        MT_OCI_MANIFEST,
        "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
        "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:abc\",\"size\":1}]}",
        DD_EPARSE, "layers[0]: invalid digest \"sha256:abc\"");
    expect_fail(
        MT_OCI_MANIFEST,
        "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
        "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha512:abc\",\"size\":1}]}",
        DD_EUNSUPPORTED, "invalid digest");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1 "\",\"size\":-1}]}",
                DD_EPARSE, "layers[0]: \"size\" must be a non-negative integer");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1 "\",\"size\":1.5}]}",
                DD_EPARSE, "non-negative integer");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1 "\"}]}",
                DD_EPARSE, "missing \"size\"");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1
                "\",\"size\":99999999999999999999}]}",
                DD_EPARSE, "invalid JSON");
    expect_fail(MT_OCI_MANIFEST,
                "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[{\"mediaType\":"
                "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D1
                "\",\"size\":1,\"urls\":\"x\"}]}",
                DD_EPARSE, "\"urls\" must be an array");
    expect_fail(MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[\"x\"]}",
                DD_EPARSE, "layers[0]: must be an object");
    expect_fail(MT_OCI_INDEX, "{\"schemaVersion\":2}", DD_EPARSE, "missing \"manifests\"");
    expect_fail(MT_OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":{}}", DD_EPARSE,
                "must be an array");
    expect_fail(MT_OCI_INDEX,
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1
                "\",\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
                DD_EPARSE, "manifests[0].platform: missing \"architecture\"");
    expect_fail(MT_OCI_INDEX,
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"" D1
                "\",\"size\":1,\"platform\":\"linux/amd64\"}]}",
                DD_EPARSE, "platform: must be an object");
    expect_fail(MT_OCI_INDEX,
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                "\"application/vnd.docker.distribution.manifest.v1+prettyjws\",\"digest\":\"" D1
                "\",\"size\":1}]}",
                DD_EUNSUPPORTED, "schema 1");
}

static void test_manifest_parse_limits(void **state)
{
    (void)state;
    struct manifest m;
    struct dd_error err = {0};
    uint8_t dummy[4] = "{}";
    assert_int_equal(manifest_parse(NULL, dummy, MANIFEST_MAX_BYTES + 1, &m, &err), DD_ETOOBIG);

    /* 1025 layers */
    const char *layer = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":"
                        "\"" D1 "\",\"size\":1}";
    size_t cap = 200 + (MANIFEST_MAX_LAYERS + 1) * (strlen(layer) + 1);
    char *body = malloc(cap);
    assert_non_null(body);
    char *w = body + sprintf(body, "{\"schemaVersion\":2,\"config\":" CFG_OCI ",\"layers\":[");
    for (int i = 0; i <= MANIFEST_MAX_LAYERS; i++)
        w += sprintf(w, "%s%s", i ? "," : "", layer);
    strcpy(w, "]}");
    dd_error_clear(&err);
    assert_int_equal(parse_str(NULL, body, &m, &err), DD_ELIMIT);
    assert_non_null(strstr(err.msg, "1025 layers"));
    free(body);

    const char *entry = "{\"digest\":\"" D1 "\",\"size\":1}";
    cap = 200 + (MANIFEST_MAX_ENTRIES + 1) * (strlen(entry) + 1);
    body = malloc(cap);
    assert_non_null(body);
    w = body + sprintf(body, "{\"schemaVersion\":2,\"manifests\":[");
    for (int i = 0; i <= MANIFEST_MAX_ENTRIES; i++)
        w += sprintf(w, "%s%s", i ? "," : "", entry);
    strcpy(w, "]}");
    dd_error_clear(&err);
    assert_int_equal(parse_str(NULL, body, &m, &err), DD_ELIMIT);
    free(body);
}

static void test_manifest_platform_parse(void **state)
{
    (void)state;
    struct platform p;
    struct dd_error err = {0};
    assert_int_equal(platform_parse("linux/x86_64", &p, &err), 0);
    assert_string_equal(p.os, "linux");
    assert_string_equal(p.arch, "amd64");
    assert_null(p.variant);
    platform_cleanup(&p);
    assert_int_equal(platform_parse("Linux/ARM64/V8", &p, &err), 0);
    assert_string_equal(p.os, "linux");
    assert_string_equal(p.arch, "arm64");
    assert_string_equal(p.variant, "v8");
    platform_cleanup(&p);
    platform_cleanup(&p);
    static const char *const bad[] = {"",
                                      "linux",
                                      "linux/",
                                      "/amd64",
                                      "linux//v8",
                                      "linux/amd64/v1/x",
                                      "linux/am d64",
                                      "linux/amd64/"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dd_error_clear(&err);
        if (platform_parse(bad[i], &p, &err) != DD_EINVAL)
            fail_msg("platform \"%s\" should be rejected", bad[i]);
        assert_int_equal(err.code, DD_EINVAL);
    }
}

static void test_manifest_image_config_umoci(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "oci_config_umoci.json", &len);
    struct image_config c;
    struct dd_error err = {0};
    assert_int_equal(image_config_parse((uint8_t *)body, len, &c, &err), 0);
    assert_string_equal(c.os, "linux");
    assert_string_equal(c.arch, "amd64");
    assert_null(c.variant);
    assert_string_equal(c.user, "1000");
    assert_int_equal(c.n_env, 1);
    assert_string_equal(c.env[0], "PATH=/usr/bin");
    assert_int_equal(c.n_labels, 1);
    assert_string_equal(c.label_keys[0], "org.opencontainers.image.title");
    assert_string_equal(c.label_values[0], "demo");
    assert_int_equal(c.n_diff_ids, 1);
    assert_string_equal(c.diff_ids[0],
                        "sha256:ec3c48c0466ba202c6824011d46c3521ee5dba71ac4e77a520b13573caa79da9");
    assert_int_equal(c.n_history, 2);
    assert_string_equal(c.history_created_by[0], "umoci raw add-layer");
    assert_int_equal(c.history_empty_layer[0], 0);
    assert_int_equal(c.history_empty_layer[1], 1);
    assert_string_equal(c.created, "2026-11-28T13:22:47.220393609Z");

    /* the real manifest for this config has one layer */
    size_t mlen;
    char *mbody = slurp(FIX "oci_manifest_skopeo.json", &mlen);
    struct manifest m;
    assert_int_equal(manifest_parse(NULL, (uint8_t *)mbody, mlen, &m, NULL), 0);
    assert_int_equal(image_config_check_layers(&c, &m, &err), 0);
    m.n_layers = 0; /* pretend: mismatch */
    assert_int_equal(image_config_check_layers(&c, &m, &err), DD_EPARSE);
    m.n_layers = 1;
    manifest_cleanup(&m);
    free(mbody);
    image_config_cleanup(&c);
    image_config_cleanup(&c);
    free(body);
}

static void test_manifest_image_config_docker_history(void **state)
{
    (void)state;
    size_t len;
    char *body = slurp(FIX "docker_config_history.json", &len);
    struct image_config c;
    struct dd_error err = {0};
    assert_int_equal(image_config_parse((uint8_t *)body, len, &c, &err), 0);
    assert_string_equal(c.arch, "arm64");
    assert_string_equal(c.variant, "v8");
    assert_string_equal(c.user, "");
    assert_int_equal(c.n_labels, 0); /* "Labels": null */
    assert_int_equal(c.n_env, 2);
    assert_string_equal(c.env[1], "LANG=C.UTF-8");
    assert_int_equal(c.n_diff_ids, 2);
    assert_int_equal(c.n_history, 3);
    assert_int_equal(c.history_empty_layer[1], 1);
    assert_string_equal(c.history_created_by[2],
                        "RUN /bin/sh -c apt-get update && apt-get install -y "
                        "--no-install-recommends curl # buildkit");
    image_config_cleanup(&c);
    free(body);
}

static void expect_config_fail(const char *body, int code, const char *part)
{
    struct image_config c = {.n_env = 555};
    struct dd_error err = {0};
    int rc = image_config_parse((const uint8_t *)body, strlen(body), &c, &err);
    if (rc != code)
        fail_msg("config %.80s: got %d (%s), want %d", body, rc, err.msg, code);
    if (strstr(err.msg, part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, part);
    assert_int_equal(c.n_env, 555);
}

#define RFS "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}"

static void test_manifest_image_config_error_paths(void **state)
{
    (void)state;
    expect_config_fail("", DD_EPARSE, "empty body");
    expect_config_fail("[\"x\"]", DD_EPARSE, "not a JSON object");
    expect_config_fail("{\"architecture\":\"amd64\"," RFS "}", DD_EPARSE, "missing \"os\"");
    expect_config_fail("{\"os\":\"linux\"," RFS "}", DD_EPARSE, "missing \"architecture\"");
    expect_config_fail("{\"os\":1,\"architecture\":\"amd64\"," RFS "}", DD_EPARSE,
                       "\"os\" must be a string");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\"}", DD_EPARSE, "\"rootfs\"");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":"
                       "\"layered\",\"diff_ids\":[]}}",
                       DD_EUNSUPPORTED, "rootfs.type \"layered\"");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":"
                       "\"layers\"}}",
                       DD_EPARSE, "diff_ids must be an array");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":"
                       "\"layers\",\"diff_ids\":[\"sha256:zz\"]}}",
                       DD_EPARSE, "diff_ids[0] \"sha256:zz\" is not a sha256 digest");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":"
                       "\"layers\",\"diff_ids\":[7]}}",
                       DD_EPARSE, "diff_ids[0] must be a string");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Env\":"
                       "\"PATH=/bin\"}," RFS "}",
                       DD_EPARSE, "\"Env\" must be an array");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Env\":"
                       "[\"A=1\",null]}," RFS "}",
                       DD_EPARSE, "Env[1] must be a string");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Labels\":"
                       "{\"a\":1}}," RFS "}",
                       DD_EPARSE, "label \"a\" value must be a string");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"Labels\":"
                       "[]}," RFS "}",
                       DD_EPARSE, "Labels must be an object");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"User\":"
                       "0}," RFS "}",
                       DD_EPARSE, "\"User\" must be a string");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":5," RFS "}",
                       DD_EPARSE, "\"config\" must be an object");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\"," RFS ",\"history\":{}}",
                       DD_EPARSE, "\"history\" must be an array");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\"," RFS ",\"history\":[1]}",
                       DD_EPARSE, "history[0]: must be an object");
    expect_config_fail("{\"os\":\"linux\",\"architecture\":\"amd64\"," RFS
                       ",\"history\":[{\"empty_layer\":\"yes\"}]}",
                       DD_EPARSE, "\"empty_layer\" must be a boolean");
    expect_config_fail("{\"os\":\"linux\",\"os\":\"linux\",\"architecture\":\"amd64\"," RFS "}",
                       DD_EPARSE, "invalid JSON");
    expect_config_fail("{\"os\":\"lin\\u0000ux\",\"architecture\":\"amd64\"," RFS "}", DD_EPARSE,
                       "invalid JSON");
}

static void test_manifest_image_config_history_limit(void **state)
{
    (void)state;
    size_t cap = 256 + (CONFIG_MAX_HISTORY + 1) * 3;
    char *body = malloc(cap);
    assert_non_null(body);
    char *w =
        body + sprintf(body, "{\"os\":\"linux\",\"architecture\":\"amd64\"," RFS ",\"history\":[");
    for (int i = 0; i <= CONFIG_MAX_HISTORY; i++)
        w += sprintf(w, "%s{}", i ? "," : "");
    strcpy(w, "]}");
    struct image_config c;
    struct dd_error err = {0};
    assert_int_equal(image_config_parse((uint8_t *)body, strlen(body), &c, &err), DD_ELIMIT);
    assert_non_null(strstr(err.msg, "4097 history entries"));
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_parse_skopeo_oci_without_media_type),
        cmocka_unit_test(test_manifest_parse_docker_v2s2),
        cmocka_unit_test(test_manifest_parse_oci_index_and_select),
        cmocka_unit_test(test_manifest_select_platform_prefers_exact_variant),
        cmocka_unit_test(test_manifest_parse_rejects_schema1),
        cmocka_unit_test(test_manifest_parse_rejects_helm_chart),
        cmocka_unit_test(test_manifest_parse_rejects_artifacts_and_bad_layers),
        cmocka_unit_test(test_manifest_parse_layer_media_types),
        cmocka_unit_test(test_manifest_parse_error_paths),
        cmocka_unit_test(test_manifest_parse_limits),
        cmocka_unit_test(test_manifest_platform_parse),
        cmocka_unit_test(test_manifest_image_config_umoci),
        cmocka_unit_test(test_manifest_image_config_docker_history),
        cmocka_unit_test(test_manifest_image_config_error_paths),
        cmocka_unit_test(test_manifest_image_config_history_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
