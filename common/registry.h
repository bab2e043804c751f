/* registry.h - an OCI distribution API client for one repository (blocking, libcurl easy).
 *
 * Used for the small requests (ping, token, manifests, config) from a thread-pool thread in
 * the worker, or directly by tests. Layer blobs are streamed by the caller's own transfer
 * (the worker drives them with curl multi on its event loop); for that, this module hands
 * out the URL, the current Authorization header and the shared curl options, and re-runs the
 * token flow when a blob request comes back 401.
 *
 *   GET /v2/                 ping: 200 -> anonymous, 401 -> WWW-Authenticate challenge
 *   GET <realm>?service=&scope=repository:<repo>:pull   Bearer token (Basic creds if any)
 *   GET /v2/<repo>/manifests/<ref>   all four Accept types; digest checked
 *   GET /v2/<repo>/blobs/<digest>    config (small, checked) or layers (streamed elsewhere)
 *
 * Thread safety: a struct registry may be shared by threads; the auth state is guarded by a
 * mutex. Secrets never appear in error messages.
 */
#ifndef DD_REGISTRY_H
#define DD_REGISTRY_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "image_ref.h"

struct registry_opts {
    bool insecure;             /* plain HTTP allowed, TLS not verified */
    const char *username;      /* borrowed; NULL: docker config.json, then anonymous */
    const char *password;      /* borrowed */
    const char *docker_config; /* path; NULL: $DOCKER_CONFIG/config.json, ~/.docker/config.json */
    const char *ca_file;       /* extra CA bundle, NULL for the system store */
    long connect_timeout_ms;   /* default 10000 */
    long request_timeout_ms;   /* small requests; default 60000 */
    long low_speed_time_s;     /* abort a transfer below 1 KiB/s for this long; default 60 */
    int max_retries;           /* 429/5xx/resets; default 4 */
    const char *user_agent;
    const char *scope;     /* Bearer token scope; NULL: "repository:<repository>:pull" (borrowed) */
    const char *cred_hint; /* where credentials come from, for "credentials required" messages
                              (the CLI: its flags); NULL: no hint (borrowed) */
};

void registry_opts_default(struct registry_opts *o);

struct registry;

int registry_new(const struct image_ref *ref, const struct registry_opts *opts,
                 struct registry **out, struct dd_error *err);
void registry_free(struct registry *r);

/* Ping and authenticate. Called by the fetch functions when needed. */
int registry_connect(struct registry *r, struct dd_error *err);

/* Fetch a manifest or index by tag or digest. *content_type and *digest are malloc'd;
 * the digest is computed over the body (and must equal reference when that is a digest). */
int registry_fetch_manifest(struct registry *r, const char *reference, struct buf *body,
                            char **content_type, char **digest, struct dd_error *err);
/* Fetch a small blob fully into body (capped at body->max) and verify its digest. */
int registry_fetch_blob(struct registry *r, const char *digest, struct buf *body,
                        struct dd_error *err);

/* For streaming transfers driven elsewhere. */
char *registry_blob_url(struct registry *r, const char *digest);
/* Set URL-independent options: TLS, timeouts, redirects, user agent. */
void registry_setup_easy(struct registry *r, CURL *easy);
/* Headers for a blob GET: Authorization (when any) and, when offset > 0, Range. */
struct curl_slist *registry_blob_headers(struct registry *r, long long offset);
/* A blob request got 401: run the token flow again with this challenge (may be NULL). */
int registry_reauth(struct registry *r, const char *www_authenticate, struct dd_error *err);
const char *registry_host(const struct registry *r);
const char *registry_repository(const struct registry *r);

/* Retry policy shared by every transfer. */
bool http_status_retryable(long status);
bool curl_code_retryable(CURLcode c);
/* Delay before retry number attempt (0-based): exponential with jitter, or Retry-After
 * (seconds or an HTTP date) when given, capped at 60 s. */
long retry_delay_ms(int attempt, const char *retry_after);
/* Map a transport failure to DD_E* with a clear message. */
int registry_curl_error(CURLcode c, const char *errbuf, const char *what, struct dd_error *err);
/* Map an HTTP status on what ("manifest x", "blob y") to DD_E* with a message. */
int registry_http_error(long status, const char *what, struct dd_error *err);

#endif
