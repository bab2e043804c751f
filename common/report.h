/* report.h - inventory reports: drydock's JSON and CycloneDX 1.5, and package URLs.
 *
 * The JSON shape (`drydock sbom --format json`) is documented in docs/formats.md; field
 * names there are a contract. Writers build a jansson tree and dump it once: reports are
 * small next to what was scanned.
 */
#ifndef DD_REPORT_H
#define DD_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "inventory.h"
#include "manifest.h"
#include "pkg.h"

struct image_layer {
    char *digest;
    char *diff_id; /* NULL when the config did not list it */
    char *media_type;
    int64_t size;
    uint64_t entries;
    uint64_t bytes_out;
    enum layer_compression compression;
    bool skipped; /* foreign layer */
    char *error;  /* the layer's fatal error, if any */
};

struct image_meta {
    const char *artifact;     /* the reference as given */
    const char *digest;       /* image manifest digest */
    const char *index_digest; /* when the reference named an index, else NULL */
    const char *media_type;
    const struct image_config *config;
    const struct image_layer *layers;
    size_t n_layers;
};

/* Package URL per the purl spec (type-specific rules in docs/formats.md); malloc'd. */
char *purl_for_pkg(const struct pkg *p, const struct os_info *os, bool has_os);
/* Percent-encode everything but unreserved characters; malloc'd. */
char *purl_encode(const char *s);

json_t *report_inventory_json(const struct image_meta *m, const struct inventory *inv);
json_t *report_cyclonedx_json(const struct image_meta *m, const struct inventory *inv);
/* A human-readable table: image, OS, then one line per package; returns 0 or -errno. */
int report_write_inventory_table(FILE *out, const struct image_meta *m,
                                 const struct inventory *inv);
/* Dump with a trailing newline; returns 0 or -errno. */
int report_write(FILE *out, json_t *doc);

#endif
