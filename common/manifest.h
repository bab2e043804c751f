/* manifest.h - OCI / Docker manifests, indexes and image configs (parsing only).
 *
 * Accepted manifest media types:
 *   application/vnd.oci.image.manifest.v1+json        (image)
 *   application/vnd.oci.image.index.v1+json           (index)
 *   application/vnd.docker.distribution.manifest.v2+json       (image)
 *   application/vnd.docker.distribution.manifest.list.v2+json  (index)
 * The Content-Type header wins when it names one of these; otherwise the body's mediaType;
 * otherwise the shape (skopeo-pushed OCI manifests carry no mediaType): "manifests" means an
 * index, "layers" + "config" an image. Schema 1 is rejected as unsupported.
 */
#ifndef DD_MANIFEST_H
#define DD_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MANIFEST_MAX_BYTES   (4u * 1024 * 1024) /* cap on a manifest or index body */
#define CONFIG_MAX_BYTES     (8u * 1024 * 1024) /* cap on an image config blob */
#define MANIFEST_MAX_LAYERS  1024
#define MANIFEST_MAX_ENTRIES 1024 /* index entries */
#define CONFIG_MAX_ENV       4096 /* config.Env entries */
#define CONFIG_MAX_LABELS    4096 /* config.Labels entries */
#define CONFIG_MAX_HISTORY   4096 /* history[] entries */

#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"

enum manifest_kind { MANIFEST_IMAGE, MANIFEST_INDEX };

enum layer_compression {
    LAYER_COMP_UNKNOWN, /* decide from the stream's magic bytes */
    LAYER_COMP_NONE,
    LAYER_COMP_GZIP,
    LAYER_COMP_ZSTD,
};

struct platform {
    char *os;      /* "linux" */
    char *arch;    /* "amd64" */
    char *variant; /* "v8" or NULL */
};

struct descriptor {
    char *media_type;                   /* may be NULL in an index entry */
    char *digest;                       /* validated "sha256:<hex>" */
    int64_t size;                       /* bytes, >= 0 */
    struct platform platform;           /* index entries only; fields NULL otherwise */
    enum layer_compression compression; /* layers only, from media_type */
    int nondistributable;               /* foreign layer (urls outside the registry): skipped */
};

struct manifest {
    enum manifest_kind kind;
    char *media_type;          /* the one that was decided on */
    struct descriptor config;  /* image only */
    struct descriptor *layers; /* image only */
    size_t n_layers;
    struct descriptor *manifests; /* index only */
    size_t n_manifests;
};

struct image_config {
    char *os, *arch, *variant;
    char *created;
    char **diff_ids; /* rootfs.diff_ids, validated digests; n must equal the layer count */
    size_t n_diff_ids;
    char **env; /* config.Env */
    size_t n_env;
    char *user;
    char **label_keys, **label_values;
    size_t n_labels;
    char **history_created_by; /* history[].created_by ("" when absent) */
    int *history_empty_layer;  /* history[].empty_layer */
    size_t n_history;
};

int manifest_parse(const char *content_type, const uint8_t *body, size_t len, struct manifest *out,
                   struct dd_error *err);
void manifest_cleanup(struct manifest *m);

/* "linux/amd64", "linux/arm64/v8"; os and arch required. Lowercased; "aarch64" becomes
 * "arm64" and "x86_64" "amd64". */
int platform_parse(const char *s, struct platform *out, struct dd_error *err);
void platform_cleanup(struct platform *p);

/* Choose the index entry for want (variant compared only when want has one; arm64 without
 * variant matches v8, arm without variant v7). Entries with os "unknown" (buildx
 * attestations), without a platform, or with a non-manifest media type are skipped; among
 * several matches the one whose variant equals want's (or its default) wins, else the first.
 * Returns DD_ENOPLATFORM listing the platforms on offer in err. */
int manifest_select_platform(const struct manifest *index, const struct platform *want,
                             const struct descriptor **out, struct dd_error *err);

/* Parse an image config blob. os and architecture are required ("aarch64"/"x86_64" are
 * normalised), rootfs.type must be "layers" and every diff_id a valid digest. */
int image_config_parse(const uint8_t *body, size_t len, struct image_config *out,
                       struct dd_error *err);
void image_config_cleanup(struct image_config *c);
/* DD_EPARSE unless the config has exactly one diff_id per manifest layer. */
int image_config_check_layers(const struct image_config *c, const struct manifest *m,
                              struct dd_error *err);

#endif
