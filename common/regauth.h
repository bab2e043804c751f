/* regauth.h - registry authentication helpers (parsing only, no network).
 *
 * WWW-Authenticate challenges (RFC 7235 auth-params, quoted strings with escapes), Docker
 * config.json credentials, and the token endpoint's JSON reply.
 */
#ifndef DD_REGAUTH_H
#define DD_REGAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum auth_scheme { AUTH_SCHEME_NONE, AUTH_SCHEME_BASIC, AUTH_SCHEME_BEARER };

struct auth_challenge {
    enum auth_scheme scheme;
    char *realm;   /* Bearer: token endpoint URL (must be http/https) */
    char *service; /* may be NULL */
    char *scope;   /* may be NULL */
};

/* Parse a WWW-Authenticate header value; the first Basic or Bearer challenge wins. */
int auth_challenge_parse(const char *header, struct auth_challenge *out, struct dd_error *err);
void auth_challenge_cleanup(struct auth_challenge *c);

/* Look up credentials for host in a Docker config.json body: auths.<key>.auth (base64
 * "user:password") or auths.<key>.username/password, where key is host, "https://host",
 * "http://host", "https://host/v1/" (and "https://index.docker.io/v1/" for docker.io), then
 * any key whose host part (scheme and path dropped) equals host; docker.io,
 * index.docker.io and registry-1.docker.io are one host. Returns DD_ENOTFOUND when there is
 * no entry or the entry has no inline credentials (credential helpers and identity tokens
 * are not supported). Caller frees *user and *pass. */
int docker_config_lookup(const uint8_t *body, size_t len, const char *host, char **user,
                         char **pass, struct dd_error *err);

/* The token endpoint reply: {"token": ...} or {"access_token": ...}; expires_in seconds
 * (default 60 when absent or <= 0, at most 86400). The token must be printable ASCII
 * without spaces (it goes into a header verbatim); no token is DD_EAUTH. */
int auth_token_parse(const uint8_t *body, size_t len, char **token, int *expires_in_s,
                     struct dd_error *err);

/* Standard base64 without newlines; caller frees. */
char *base64_encode(const uint8_t *data, size_t len);
/* Returns DD_EPARSE on bad input; *out is NUL-terminated, caller frees. */
int base64_decode(const char *s, uint8_t **out, size_t *out_len);

#endif
