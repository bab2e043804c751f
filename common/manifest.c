/* manifest.c - parse OCI / Docker manifests, indexes and image configs; choose a platform.
 *
 * Input is an untrusted registry body, already capped by the caller; we check the length
 * again and hand it to jansson with JSON_REJECT_DUPLICATES (jansson also rejects invalid
 * UTF-8 and "\u0000"). Every field is type-checked; anything unexpected is an error that
 * names the field, e.g. "manifest: layers[2].size: must be a non-negative integer".
 *
 * Deciding the kind (manifest.h):
 *
 *   Content-Type (parameters dropped) ─ one of the four ─▶ that type
 *          │ schema 1 type ─▶ DD_EUNSUPPORTED
 *          ▼ absent / generic (application/json, ...)
 *   body "mediaType" ─ one of the four ─▶ that type
 *          ▼ absent
 *   shape: "manifests" ─▶ OCI index;  "config" + "layers" ─▶ OCI image
 *
 * Only container images get through: a config media type other than the OCI / Docker image
 * config (helm, wasm, cosign, in-toto ...), a top-level artifactType, or a layer media type
 * that is clearly not a filesystem tar are DD_EUNSUPPORTED with the offending type in the
 * message. Layer media types we do not know but that look like tars get
 * LAYER_COMP_UNKNOWN so the walker sniffs the magic bytes.
 *
 * Invariants: every descriptor in a successful result has a valid sha256 digest and a size
 * >= 0; every string is a private copy (the json tree is freed before returning).
 * Not done here: fetching, digest verification of bodies, nested index resolution.
 */
#include "manifest.h"
#include "image_ref.h"
#include "pkg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MT_DOCKER_V1        "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MT_OCI_CONFIG       "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_CONFIG    "application/vnd.docker.container.image.v1+json"
#define MEDIA_TYPE_MAX      255 /* RFC 6838: 127 + '/' + 127 */

/* ---------------------------------------------------------------------------------------- */
/* small json helpers; ctx names the object for messages ("manifest", "layers[3]") */

static int load_json(const uint8_t *body, size_t len, size_t max, const char *what, json_t **out,
                     struct dd_error *err)
{
    if (body == NULL || len == 0)
        return dd_error_set(err, DD_EPARSE, "%s: empty body", what);
    if (len > max)
        return dd_error_set(err, DD_ETOOBIG, "%s: %zu bytes is more than the %zu byte limit", what,
                            len, (size_t)max);
    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "%s: invalid JSON at line %d column %d: %s", what,
                            jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return dd_error_set(err, DD_EPARSE, "%s: top level is not a JSON object", what);
    }
    *out = root;
    return 0;
}

/* Borrowed string member; NULL when absent or null and !required. */
static int get_str(json_t *obj, const char *key, bool required, const char *ctx, const char **out,
                   struct dd_error *err)
{
    json_t *v = json_object_get(obj, key); /* borrowed */
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (!required)
            return 0;
        dd_error_set(err, DD_EPARSE, "%s: missing \"%s\"", ctx, key);
        return DD_EPARSE;
    }
    if (!json_is_string(v)) {
        dd_error_set(err, DD_EPARSE, "%s: \"%s\" must be a string", ctx, key);
        return DD_EPARSE;
    }
    *out = json_string_value(v);
    return 0;
}

static int dup_str(json_t *obj, const char *key, bool required, const char *ctx, char **out,
                   struct dd_error *err)
{
    const char *s = NULL;
    int rc = get_str(obj, key, required, ctx, &s, err);
    if (rc)
        return rc;
    if (s == NULL) {
        *out = NULL;
        return 0;
    }
    *out = dd_strdup(s);
    if (*out == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
    return 0;
}

static char ascii_lower(char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c | 0x20);
    return c;
}

/* Copy a media type without parameters, trimmed and lowercased; "" when it does not fit. */
static void media_type_base(const char *in, char out[MEDIA_TYPE_MAX + 1])
{
    out[0] = '\0';
    if (in == NULL)
        return;
    while (*in == ' ' || *in == '\t')
        in++;
    size_t n = strcspn(in, ";");
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
        n--;
    if (n > MEDIA_TYPE_MAX)
        return;
    for (size_t i = 0; i < n; i++)
        out[i] = ascii_lower(in[i]);
    out[n] = '\0';
}

static bool is_schema1(const char *mt)
{
    return strcmp(mt, MT_DOCKER_V1) == 0 || strcmp(mt, MT_DOCKER_V1_SIGNED) == 0;
}

/* Returns the canonical constant for one of the four manifest types, else NULL. */
static const char *known_manifest_type(const char *mt, enum manifest_kind *kind)
{
    static const struct {
        const char *mt;
        enum manifest_kind kind;
    } known[] = {
        {MT_OCI_MANIFEST, MANIFEST_IMAGE},
        {MT_DOCKER_MANIFEST, MANIFEST_IMAGE},
        {MT_OCI_INDEX, MANIFEST_INDEX},
        {MT_DOCKER_LIST, MANIFEST_INDEX},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(mt, known[i].mt) == 0) {
            *kind = known[i].kind;
            return known[i].mt;
        }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* platforms */

static const char *normalise_arch(const char *a)
{
    if (strcmp(a, "aarch64") == 0)
        return "arm64";
    if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0)
        return "amd64";
    return a;
}

/* The variant an arch implies when none is given (Docker's defaults). */
static const char *default_variant(const char *arch)
{
    if (strcmp(arch, "arm64") == 0)
        return "v8";
    if (strcmp(arch, "arm") == 0)
        return "v7";
    return NULL;
}

void platform_cleanup(struct platform *p)
{
    if (p == NULL)
        return;
    free(p->os);
    free(p->arch);
    free(p->variant);
    p->os = p->arch = p->variant = NULL;
}

static bool platform_token_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static char *dup_lower(const char *s, size_t n)
{
    char *p = dd_strndup(s, n);
    if (p)
        for (char *q = p; *q; q++)
            *q = ascii_lower(*q);
    return p;
}

int platform_parse(const char *s, struct platform *out, struct dd_error *err)
{
    struct platform p = {0};
    int rc = 0;
    if (s == NULL || s[0] == '\0')
        return dd_error_set(err, DD_EINVAL, "empty platform (expected os/arch[/variant])");
    const char *parts[3];
    size_t lens[3];
    size_t n = 0;
    const char *cur = s;
    for (;;) {
        const char *slash = strchr(cur, '/');
        size_t len = slash ? (size_t)(slash - cur) : strlen(cur);
        if (n == 3)
            return dd_error_set(err, DD_EINVAL,
                                "platform \"%.64s\": too many components (expected "
                                "os/arch[/variant])",
                                s);
        if (!platform_token_ok(cur, len))
            return dd_error_set(err, DD_EINVAL,
                                "platform \"%.64s\": component %zu is empty or has invalid "
                                "characters",
                                s, n + 1);
        parts[n] = cur;
        lens[n] = len;
        n++;
        if (slash == NULL)
            break;
        cur = slash + 1;
    }
    if (n < 2)
        return dd_error_set(err, DD_EINVAL, "platform \"%.64s\": expected os/arch[/variant]", s);
    p.os = dup_lower(parts[0], lens[0]);
    char *arch = dup_lower(parts[1], lens[1]);
    if (arch) {
        p.arch = dd_strdup(normalise_arch(arch));
        free(arch);
    }
    if (n == 3)
        p.variant = dup_lower(parts[2], lens[2]);
    if (p.os == NULL || p.arch == NULL || (n == 3 && p.variant == NULL)) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *out = p;
    return 0;
out:
    platform_cleanup(&p);
    return rc;
}

/* 0 = no match, 1 = os/arch match (variant unspecified), 2 = exact match. */
static int platform_score(const struct platform *entry, const struct platform *want)
{
    if (entry->os == NULL || entry->arch == NULL)
        return 0;
    if (strcasecmp(entry->os, want->os) != 0)
        return 0;
    if (strcmp(normalise_arch(entry->arch), normalise_arch(want->arch)) != 0)
        return 0;
    const char *arch = normalise_arch(want->arch);
    const char *ev = entry->variant ? entry->variant : default_variant(arch);
    const char *wv = want->variant ? want->variant : default_variant(arch);
    bool same = (ev == NULL && wv == NULL) || (ev && wv && strcasecmp(ev, wv) == 0);
    if (want->variant != NULL)
        return same ? 2 : 0;
    return same ? 2 : 1;
}

static bool entry_is_manifest(const struct descriptor *d)
{
    enum manifest_kind k;
    if (d->media_type == NULL)
        return true;
    char mt[MEDIA_TYPE_MAX + 1];
    media_type_base(d->media_type, mt);
    return known_manifest_type(mt, &k) != NULL;
}

int manifest_select_platform(const struct manifest *index, const struct platform *want,
                             const struct descriptor **out, struct dd_error *err)
{
    if (index == NULL || want == NULL || want->os == NULL || want->arch == NULL)
        return dd_error_set(err, DD_EINVAL, "select platform: missing index or platform");
    if (index->kind != MANIFEST_INDEX)
        return dd_error_set(err, DD_EINVAL, "select platform: not an index");
    const struct descriptor *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < index->n_manifests; i++) {
        const struct descriptor *d = &index->manifests[i];
        if (d->platform.os == NULL || strcmp(d->platform.os, "unknown") == 0)
            continue; /* attestations and platform-less entries */
        if (!entry_is_manifest(d))
            continue;
        int score = platform_score(&d->platform, want);
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    if (best) {
        *out = best;
        return 0;
    }

    char offer[DD_ERRMSG_MAX - 96];
    size_t used = 0;
    offer[0] = '\0';
    for (size_t i = 0; i < index->n_manifests; i++) {
        const struct platform *p = &index->manifests[i].platform;
        if (p->os == NULL || p->arch == NULL || strcmp(p->os, "unknown") == 0)
            continue;
        int w =
            snprintf(offer + used, sizeof(offer) - used, "%s%.32s/%.32s%s%.16s", used ? ", " : "",
                     p->os, p->arch, p->variant ? "/" : "", p->variant ? p->variant : "");
        if (w < 0 || (size_t)w >= sizeof(offer) - used) {
            /* truncated: mark it and stop */
            snprintf(offer + sizeof(offer) - 5, 5, "...");
            break;
        }
        used += (size_t)w;
    }
    return dd_error_set(err, DD_ENOPLATFORM, "no manifest for %.32s/%.32s%s%.16s; available: %s",
                        want->os, want->arch, want->variant ? "/" : "",
                        want->variant ? want->variant : "", used ? offer : "none");
}

/* ---------------------------------------------------------------------------------------- */
/* descriptors */

static void descriptor_cleanup(struct descriptor *d)
{
    free(d->media_type);
    free(d->digest);
    platform_cleanup(&d->platform);
    memset(d, 0, sizeof(*d));
}

static int parse_size(json_t *obj, const char *ctx, int64_t *out, struct dd_error *err)
{
    json_t *v = json_object_get(obj, "size"); /* borrowed */
    if (v == NULL)
        return dd_error_set(err, DD_EPARSE, "%s: missing \"size\"", ctx);
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return dd_error_set(err, DD_EPARSE, "%s: \"size\" must be a non-negative integer", ctx);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* Fills d (zeroed by the caller) from a descriptor object; the caller cleans d on failure. */
static int parse_descriptor(json_t *o, const char *ctx, bool media_required, struct descriptor *d,
                            struct dd_error *err)
{
    if (!json_is_object(o))
        return dd_error_set(err, DD_EPARSE, "%s: must be an object", ctx);
    int rc = dup_str(o, "mediaType", media_required, ctx, &d->media_type, err);
    if (rc)
        return rc;
    const char *dg;
    rc = get_str(o, "digest", true, ctx, &dg, err);
    if (rc)
        return rc;
    if (!digest_is_valid(dg))
        return dd_error_set(
            err,
            strncmp(dg, "sha256:", 7) == 0 || strchr(dg, ':') == NULL ? DD_EPARSE : DD_EUNSUPPORTED,
            "%s: invalid digest \"%.80s\" (expected sha256:<64 lowercase hex>)", ctx, dg);
    d->digest = dd_strdup(dg);
    if (d->digest == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
    rc = parse_size(o, ctx, &d->size, err);
    if (rc)
        return rc;
    json_t *urls = json_object_get(o, "urls"); /* borrowed */
    if (urls && !json_is_null(urls) && !json_is_array(urls))
        return dd_error_set(err, DD_EPARSE, "%s: \"urls\" must be an array", ctx);
    json_t *ann = json_object_get(o, "annotations"); /* borrowed */
    if (ann && !json_is_null(ann) && !json_is_object(ann))
        return dd_error_set(err, DD_EPARSE, "%s: \"annotations\" must be an object", ctx);
    return 0;
}

static int parse_platform_obj(json_t *o, const char *ctx, struct platform *p, struct dd_error *err)
{
    if (!json_is_object(o))
        return dd_error_set(err, DD_EPARSE, "%s.platform: must be an object", ctx);
    char pctx[64];
    snprintf(pctx, sizeof(pctx), "%s.platform", ctx);
    const char *os, *arch, *variant;
    int rc = get_str(o, "os", true, pctx, &os, err);
    if (rc == 0)
        rc = get_str(o, "architecture", true, pctx, &arch, err);
    if (rc == 0)
        rc = get_str(o, "variant", false, pctx, &variant, err);
    if (rc)
        return rc;
    if (os[0] == '\0' || arch[0] == '\0')
        return dd_error_set(err, DD_EPARSE, "%s: empty os or architecture", pctx);
    p->os = dd_strdup(os);
    p->arch = dd_strdup(normalise_arch(arch));
    p->variant = (variant && variant[0]) ? dd_strdup(variant) : NULL;
    if (p->os == NULL || p->arch == NULL || (variant && variant[0] && p->variant == NULL))
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", pctx);
    return 0;
}

/* Layer media type -> compression; DD_EUNSUPPORTED for things that are not filesystem tars. */
static int classify_layer(struct descriptor *d, const char *ctx, struct dd_error *err)
{
    static const struct {
        const char *mt;
        enum layer_compression comp;
        int nondist;
    } known[] = {
        {"application/vnd.oci.image.layer.v1.tar", LAYER_COMP_NONE, 0},
        {"application/vnd.oci.image.layer.v1.tar+gzip", LAYER_COMP_GZIP, 0},
        {"application/vnd.oci.image.layer.v1.tar+zstd", LAYER_COMP_ZSTD, 0},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_COMP_NONE, 1},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_COMP_GZIP, 1},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_COMP_ZSTD, 1},
        {"application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_COMP_GZIP, 0},
        {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_COMP_GZIP, 1},
    };
    char mt[MEDIA_TYPE_MAX + 1];
    media_type_base(d->media_type, mt);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(mt, known[i].mt) == 0) {
            d->compression = known[i].comp;
            d->nondistributable = known[i].nondist;
            return 0;
        }
    /* Not a filesystem layer, even when the name mentions tar (helm chart content is
     * "application/vnd.cncf.helm.chart.content.v1.tar+gzip"). */
    static const char *const not_layers[] = {"helm", ".config.", "cosign",    "in-toto",
                                             "wasm", "manifest", "signature", "sbom"};
    bool reject = strchr(mt, '/') == NULL;
    for (size_t i = 0; !reject && i < sizeof(not_layers) / sizeof(not_layers[0]); i++)
        reject = strstr(mt, not_layers[i]) != NULL;
    if (!reject && (strstr(mt, ".tar") || strstr(mt, "+tar") || strstr(mt, "/tar") ||
                    strstr(mt, "x-tar") || strstr(mt, ".rootfs."))) {
        d->compression = LAYER_COMP_UNKNOWN;
        d->nondistributable =
            strstr(mt, "nondistributable") != NULL || strstr(mt, "foreign") != NULL;
        return 0;
    }
    return dd_error_set(err, DD_EUNSUPPORTED,
                        "%s: media type \"%.128s\" is not a container filesystem layer", ctx,
                        d->media_type);
}

void manifest_cleanup(struct manifest *m)
{
    if (m == NULL)
        return;
    free(m->media_type);
    descriptor_cleanup(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        descriptor_cleanup(&m->layers[i]);
    free(m->layers);
    for (size_t i = 0; i < m->n_manifests; i++)
        descriptor_cleanup(&m->manifests[i]);
    free(m->manifests);
    memset(m, 0, sizeof(*m));
}

static int parse_image(json_t *root, struct manifest *m, struct dd_error *err)
{
    const char *artifact;
    int rc = get_str(root, "artifactType", false, "manifest", &artifact, err);
    if (rc)
        return rc;
    if (artifact)
        return dd_error_set(err, DD_EUNSUPPORTED, "not a container image (artifactType %.128s)",
                            artifact);
    json_t *cfg = json_object_get(root, "config"); /* borrowed */
    if (cfg == NULL)
        return dd_error_set(err, DD_EPARSE, "manifest: missing \"config\"");
    rc = parse_descriptor(cfg, "manifest: config", true, &m->config, err);
    if (rc)
        return rc;
    char mt[MEDIA_TYPE_MAX + 1];
    media_type_base(m->config.media_type, mt);
    if (strcmp(mt, MT_OCI_CONFIG) != 0 && strcmp(mt, MT_DOCKER_CONFIG) != 0)
        return dd_error_set(err, DD_EUNSUPPORTED,
                            "not a container image (config media type %.128s)",
                            m->config.media_type);

    json_t *layers = json_object_get(root, "layers"); /* borrowed */
    if (layers == NULL)
        return dd_error_set(err, DD_EPARSE, "manifest: missing \"layers\"");
    if (!json_is_array(layers))
        return dd_error_set(err, DD_EPARSE, "manifest: \"layers\" must be an array");
    size_t n = json_array_size(layers);
    if (n > MANIFEST_MAX_LAYERS)
        return dd_error_set(err, DD_ELIMIT, "manifest: %zu layers is more than the limit of %d", n,
                            MANIFEST_MAX_LAYERS);
    if (n) {
        m->layers = calloc(n, sizeof(*m->layers));
        if (m->layers == NULL)
            return dd_error_set(err, DD_ENOMEM, "manifest: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        char ctx[48];
        snprintf(ctx, sizeof(ctx), "manifest: layers[%zu]", i);
        m->n_layers = i + 1; /* so cleanup frees a half-filled entry */
        rc = parse_descriptor(json_array_get(layers, i), ctx, true, &m->layers[i], err);
        if (rc == 0)
            rc = classify_layer(&m->layers[i], ctx, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int parse_index(json_t *root, struct manifest *m, struct dd_error *err)
{
    json_t *arr = json_object_get(root, "manifests"); /* borrowed */
    if (arr == NULL)
        return dd_error_set(err, DD_EPARSE, "index: missing \"manifests\"");
    if (!json_is_array(arr))
        return dd_error_set(err, DD_EPARSE, "index: \"manifests\" must be an array");
    size_t n = json_array_size(arr);
    if (n > MANIFEST_MAX_ENTRIES)
        return dd_error_set(err, DD_ELIMIT, "index: %zu entries is more than the limit of %d", n,
                            MANIFEST_MAX_ENTRIES);
    if (n) {
        m->manifests = calloc(n, sizeof(*m->manifests));
        if (m->manifests == NULL)
            return dd_error_set(err, DD_ENOMEM, "index: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        char ctx[48];
        snprintf(ctx, sizeof(ctx), "index: manifests[%zu]", i);
        m->n_manifests = i + 1;
        json_t *e = json_array_get(arr, i); /* borrowed */
        int rc = parse_descriptor(e, ctx, false, &m->manifests[i], err);
        if (rc)
            return rc;
        if (m->manifests[i].media_type) {
            char mt[MEDIA_TYPE_MAX + 1];
            media_type_base(m->manifests[i].media_type, mt);
            if (is_schema1(mt))
                return dd_error_set(err, DD_EUNSUPPORTED,
                                    "%s: Docker schema 1 manifests are unsupported", ctx);
        }
        json_t *plat = json_object_get(e, "platform"); /* borrowed */
        if (plat && !json_is_null(plat)) {
            rc = parse_platform_obj(plat, ctx, &m->manifests[i].platform, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int manifest_parse(const char *content_type, const uint8_t *body, size_t len, struct manifest *out,
                   struct dd_error *err)
{
    struct manifest m = {0};
    json_t *root = NULL; /* owned */
    int rc = 0;
    const char *chosen = NULL;
    char mt[MEDIA_TYPE_MAX + 1];

    media_type_base(content_type, mt);
    if (is_schema1(mt))
        return dd_error_set(err, DD_EUNSUPPORTED,
                            "Docker schema 1 manifests are unsupported (Content-Type %s)", mt);
    chosen = known_manifest_type(mt, &m.kind);

    rc = load_json(body, len, MANIFEST_MAX_BYTES, "manifest", &root, err);
    if (rc)
        return rc;

    json_t *sv = json_object_get(root, "schemaVersion"); /* borrowed */
    if (sv != NULL && json_is_integer(sv) && json_integer_value(sv) == 1) {
        rc = dd_error_set(err, DD_EUNSUPPORTED,
                          "Docker schema 1 manifests are unsupported (schemaVersion 1)");
        goto out;
    }
    const char *body_mt;
    rc = get_str(root, "mediaType", false, "manifest", &body_mt, err);
    if (rc)
        goto out;
    if (chosen == NULL && body_mt != NULL) {
        media_type_base(body_mt, mt);
        if (is_schema1(mt)) {
            rc = dd_error_set(err, DD_EUNSUPPORTED,
                              "Docker schema 1 manifests are unsupported (mediaType %s)", mt);
            goto out;
        }
        chosen = known_manifest_type(mt, &m.kind);
        if (chosen == NULL) {
            rc = dd_error_set(err, DD_EUNSUPPORTED, "manifest: unsupported mediaType \"%.128s\"",
                              body_mt);
            goto out;
        }
    }
    if (chosen == NULL) {
        if (json_object_get(root, "manifests") != NULL) {
            chosen = MT_OCI_INDEX;
            m.kind = MANIFEST_INDEX;
        } else if (json_object_get(root, "config") != NULL &&
                   json_object_get(root, "layers") != NULL) {
            chosen = MT_OCI_MANIFEST;
            m.kind = MANIFEST_IMAGE;
        } else {
            rc = dd_error_set(err, DD_EPARSE,
                              "manifest: cannot tell the kind (no known Content-Type or "
                              "mediaType, neither \"manifests\" nor \"config\"+\"layers\")");
            goto out;
        }
    }

    if (sv == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "manifest: missing \"schemaVersion\"");
        goto out;
    }
    if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
        rc = dd_error_set(err, DD_EUNSUPPORTED, "manifest: \"schemaVersion\" must be 2");
        goto out;
    }

    m.media_type = dd_strdup(chosen);
    if (m.media_type == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "manifest: out of memory");
        goto out;
    }
    rc = m.kind == MANIFEST_IMAGE ? parse_image(root, &m, err) : parse_index(root, &m, err);
    if (rc)
        goto out;

    *out = m;
    memset(&m, 0, sizeof(m));
out:
    manifest_cleanup(&m);
    json_decref(root);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* image config */

void image_config_cleanup(struct image_config *c)
{
    if (c == NULL)
        return;
    free(c->os);
    free(c->arch);
    free(c->variant);
    free(c->created);
    for (size_t i = 0; i < c->n_diff_ids; i++)
        free(c->diff_ids[i]);
    free(c->diff_ids);
    for (size_t i = 0; i < c->n_env; i++)
        free(c->env[i]);
    free(c->env);
    free(c->user);
    for (size_t i = 0; i < c->n_labels; i++) {
        free(c->label_keys[i]);
        free(c->label_values[i]);
    }
    free(c->label_keys);
    free(c->label_values);
    for (size_t i = 0; i < c->n_history; i++)
        free(c->history_created_by[i]);
    free(c->history_created_by);
    free(c->history_empty_layer);
    memset(c, 0, sizeof(*c));
}

/* A JSON array of strings (null or absent = empty) into a fresh char* array. */
static int parse_str_array(json_t *parent, const char *key, const char *ctx, size_t max,
                           char ***out, size_t *n_out, struct dd_error *err)
{
    json_t *arr = json_object_get(parent, key); /* borrowed */
    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return dd_error_set(err, DD_EPARSE, "%s: \"%s\" must be an array", ctx, key);
    size_t n = json_array_size(arr);
    if (n > max)
        return dd_error_set(err, DD_ELIMIT, "%s: \"%s\" has %zu entries, more than the limit %zu",
                            ctx, key, n, max);
    if (n == 0)
        return 0;
    *out = calloc(n, sizeof(char *));
    if (*out == NULL)
        return dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i); /* borrowed */
        if (!json_is_string(v))
            return dd_error_set(err, DD_EPARSE, "%s: %s[%zu] must be a string", ctx, key, i);
        (*out)[i] = dd_strdup(json_string_value(v));
        if ((*out)[i] == NULL)
            return dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
        *n_out = i + 1;
    }
    return 0;
}

static int parse_labels(json_t *cfg, struct image_config *c, struct dd_error *err)
{
    json_t *labels = json_object_get(cfg, "Labels"); /* borrowed */
    if (labels == NULL || json_is_null(labels))
        return 0;
    if (!json_is_object(labels))
        return dd_error_set(err, DD_EPARSE, "image config: config.Labels must be an object");
    size_t n = json_object_size(labels);
    if (n > CONFIG_MAX_LABELS)
        return dd_error_set(err, DD_ELIMIT, "image config: %zu labels, more than the limit %d", n,
                            CONFIG_MAX_LABELS);
    if (n == 0)
        return 0;
    c->label_keys = calloc(n, sizeof(char *));
    c->label_values = calloc(n, sizeof(char *));
    if (c->label_keys == NULL || c->label_values == NULL)
        return dd_error_set(err, DD_ENOMEM, "image config: out of memory");
    const char *k;
    json_t *v; /* borrowed */
    size_t i = 0;
    json_object_foreach(labels, k, v)
    {
        if (!json_is_string(v))
            return dd_error_set(err, DD_EPARSE,
                                "image config: label \"%.64s\" value must be a string", k);
        c->label_keys[i] = dd_strdup(k);
        c->label_values[i] = dd_strdup(json_string_value(v));
        c->n_labels = i + 1;
        if (c->label_keys[i] == NULL || c->label_values[i] == NULL)
            return dd_error_set(err, DD_ENOMEM, "image config: out of memory");
        i++;
    }
    return 0;
}

static int parse_history(json_t *root, struct image_config *c, struct dd_error *err)
{
    json_t *hist = json_object_get(root, "history"); /* borrowed */
    if (hist == NULL || json_is_null(hist))
        return 0;
    if (!json_is_array(hist))
        return dd_error_set(err, DD_EPARSE, "image config: \"history\" must be an array");
    size_t n = json_array_size(hist);
    if (n > CONFIG_MAX_HISTORY)
        return dd_error_set(err, DD_ELIMIT,
                            "image config: %zu history entries, more than the limit %d", n,
                            CONFIG_MAX_HISTORY);
    if (n == 0)
        return 0;
    c->history_created_by = calloc(n, sizeof(char *));
    c->history_empty_layer = calloc(n, sizeof(int));
    if (c->history_created_by == NULL || c->history_empty_layer == NULL)
        return dd_error_set(err, DD_ENOMEM, "image config: out of memory");
    for (size_t i = 0; i < n; i++) {
        char ctx[48];
        snprintf(ctx, sizeof(ctx), "image config: history[%zu]", i);
        json_t *h = json_array_get(hist, i); /* borrowed */
        if (!json_is_object(h))
            return dd_error_set(err, DD_EPARSE, "%s: must be an object", ctx);
        const char *by;
        int rc = get_str(h, "created_by", false, ctx, &by, err);
        if (rc)
            return rc;
        c->history_created_by[i] = dd_strdup(by ? by : "");
        c->n_history = i + 1;
        if (c->history_created_by[i] == NULL)
            return dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
        json_t *el = json_object_get(h, "empty_layer"); /* borrowed */
        if (el && !json_is_null(el) && !json_is_boolean(el))
            return dd_error_set(err, DD_EPARSE, "%s: \"empty_layer\" must be a boolean", ctx);
        c->history_empty_layer[i] = el && json_is_true(el);
    }
    return 0;
}

int image_config_parse(const uint8_t *body, size_t len, struct image_config *out,
                       struct dd_error *err)
{
    struct image_config c = {0};
    json_t *root = NULL; /* owned */
    const char *ctx = "image config";
    int rc = load_json(body, len, CONFIG_MAX_BYTES, ctx, &root, err);
    if (rc)
        return rc;

    rc = dup_str(root, "os", true, ctx, &c.os, err);
    if (rc == 0)
        rc = dup_str(root, "architecture", true, ctx, &c.arch, err);
    if (rc == 0)
        rc = dup_str(root, "variant", false, ctx, &c.variant, err);
    if (rc == 0)
        rc = dup_str(root, "created", false, ctx, &c.created, err);
    if (rc)
        goto out;
    if (c.arch) {
        const char *na = normalise_arch(c.arch);
        if (na != c.arch) {
            char *p = dd_strdup(na);
            if (p == NULL) {
                rc = dd_error_set(err, DD_ENOMEM, "%s: out of memory", ctx);
                goto out;
            }
            free(c.arch);
            c.arch = p;
        }
    }

    json_t *cfg = json_object_get(root, "config"); /* borrowed */
    if (cfg && !json_is_null(cfg)) {
        if (!json_is_object(cfg)) {
            rc = dd_error_set(err, DD_EPARSE, "%s: \"config\" must be an object", ctx);
            goto out;
        }
        rc = parse_str_array(cfg, "Env", "image config: config", CONFIG_MAX_ENV, &c.env, &c.n_env,
                             err);
        if (rc == 0)
            rc = dup_str(cfg, "User", false, "image config: config", &c.user, err);
        if (rc == 0)
            rc = parse_labels(cfg, &c, err);
        if (rc)
            goto out;
    }

    json_t *rootfs = json_object_get(root, "rootfs"); /* borrowed */
    if (rootfs == NULL || !json_is_object(rootfs)) {
        rc = dd_error_set(err, DD_EPARSE, "%s: missing or non-object \"rootfs\"", ctx);
        goto out;
    }
    const char *type;
    rc = get_str(rootfs, "type", true, "image config: rootfs", &type, err);
    if (rc)
        goto out;
    if (strcmp(type, "layers") != 0) {
        rc = dd_error_set(err, DD_EUNSUPPORTED, "%s: rootfs.type \"%.64s\" is not \"layers\"", ctx,
                          type);
        goto out;
    }
    json_t *ids = json_object_get(rootfs, "diff_ids"); /* borrowed */
    if (ids == NULL || !json_is_array(ids)) {
        rc = dd_error_set(err, DD_EPARSE, "%s: rootfs.diff_ids must be an array", ctx);
        goto out;
    }
    rc = parse_str_array(rootfs, "diff_ids", "image config: rootfs", MANIFEST_MAX_LAYERS,
                         &c.diff_ids, &c.n_diff_ids, err);
    if (rc)
        goto out;
    for (size_t i = 0; i < c.n_diff_ids; i++)
        if (!digest_is_valid(c.diff_ids[i])) {
            rc = dd_error_set(err, DD_EPARSE,
                              "%s: rootfs.diff_ids[%zu] \"%.80s\" is not a sha256 digest", ctx, i,
                              c.diff_ids[i]);
            goto out;
        }

    rc = parse_history(root, &c, err);
    if (rc)
        goto out;

    *out = c;
    memset(&c, 0, sizeof(c));
out:
    image_config_cleanup(&c);
    json_decref(root);
    return rc;
}

int image_config_check_layers(const struct image_config *c, const struct manifest *m,
                              struct dd_error *err)
{
    if (m->kind != MANIFEST_IMAGE)
        return dd_error_set(err, DD_EINVAL, "image config check: manifest is an index");
    if (c->n_diff_ids != m->n_layers)
        return dd_error_set(err, DD_EPARSE,
                            "image config has %zu diff_ids but the manifest has %zu layers",
                            c->n_diff_ids, m->n_layers);
    return 0;
}
