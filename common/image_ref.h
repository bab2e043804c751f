/* image_ref.h - container image references in the Docker grammar.
 *
 *   [host[:port]/]path[:tag][@sha256:<64 hex>]
 *
 * The first component is a registry host when it contains '.' or ':' or is "localhost".
 * Without one the registry is docker.io and a single-component path gets "library/".
 * Neither tag nor digest means tag "latest". Path components are lowercase [a-z0-9] runs
 * joined by '.', '_', '__' or '-'+ ; tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
 */
#ifndef DD_IMAGE_REF_H
#define DD_IMAGE_REF_H

#include <stdbool.h>

#include "err.h"

struct image_ref {
    char *registry;   /* "docker.io", "127.0.0.1:5000", "ghcr.io" */
    char *repository; /* "library/debian", "ns/app/web" */
    char *tag;        /* NULL when only a digest was given */
    char *digest;     /* "sha256:<64 lowercase hex>" or NULL */
};

int image_ref_parse(const char *s, struct image_ref *out, struct dd_error *err);
void image_ref_cleanup(struct image_ref *r);
/* "registry/repository[:tag][@digest]"; caller frees; NULL on ENOMEM. */
char *image_ref_format(const struct image_ref *r);
/* Host the API is served on: "registry-1.docker.io" for docker.io, else registry. */
const char *image_ref_api_host(const struct image_ref *r);
/* True for localhost, 127.0.0.0/8 and [::1] (with or without port): plain HTTP allowed. */
bool image_ref_is_loopback(const struct image_ref *r);
/* The reference to ask the registry for: the digest when set, else the tag. */
const char *image_ref_reference(const struct image_ref *r);
/* True when s is "sha256:" + 64 lowercase hex. */
bool digest_is_valid(const char *s);

#endif
