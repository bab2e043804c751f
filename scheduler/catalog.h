/* catalog.h - registry listing for rule expansion: _catalog and tags/list with Link paging,
 * manifest digests; an expand_source backed by a real registry.
 *
 *   GET /v2/_catalog?n=100            {"repositories": [...]}   Link: <...>; rel="next"
 *   GET /v2/<repo>/tags/list?n=100    {"name": ..., "tags": [...] | null}
 *   GET /v2/<repo>/manifests/<tag>    (common/registry.c: all four Accept types, digest)
 *
 * Auth: everything goes through common/registry.c (anonymous, Basic, or a Bearer token):
 * tags and manifests with a token scoped repository:<repo>:pull, _catalog with one scoped
 * registry:catalog:* (what Harbor and token-auth distribution registries demand).
 */
#ifndef DD_SCHED_CATALOG_H
#define DD_SCHED_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "expand.h"

#define CATALOG_PAGE_SIZE      100
#define CATALOG_MAX_PAGES      10000
#define CATALOG_MAX_ENTRIES    200000
#define CATALOG_PAGE_MAX_BYTES (4u << 20)

/* The next-page URL of a Link header value, resolved against base ("http://host:port").
 * *out is NULL when there is no rel="next". Only same-origin relative URLs ("/v2/...") and
 * absolute URLs starting with base are accepted (a registry must not send us elsewhere). */
int link_next_url(const char *link, const char *base, char **out, struct dd_error *err);
/* {"repositories": [...]} -> append each name to out. */
int catalog_parse_repos(const char *body, size_t len, struct str_list *out, struct dd_error *err);
/* {"name": ..., "tags": [...] | null} -> append each tag to out. */
int catalog_parse_tags(const char *body, size_t len, struct str_list *out, struct dd_error *err);

struct registry_lister;

/* host is "host[:port]"; insecure allows http on a non-loopback host. username/password are
 * copied (NULL: anonymous / docker config). */
int registry_lister_new(const char *host, bool insecure, const char *username, const char *password,
                        struct registry_lister **out, struct dd_error *err);
void registry_lister_free(struct registry_lister *l);
/* Entries per page asked with ?n= (1..1000; default CATALOG_PAGE_SIZE). */
void registry_lister_set_page_size(struct registry_lister *l, int n);
/* An expand_source whose ctx is l. */
void registry_lister_source(struct registry_lister *l, struct expand_source *src);

#endif
