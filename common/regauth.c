/* regauth.c - registry authentication parsing: challenges, Docker credentials, token replies.
 *
 * WWW-Authenticate (RFC 7235 section 4.1 / 2.1):
 *
 *   header     = challenge *( OWS "," OWS challenge )
 *   challenge  = auth-scheme [ 1*SP ( token68 / auth-param *( OWS "," OWS auth-param ) ) ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 *
 * A comma is ambiguous (next param or next challenge); we look ahead: "token BWS =" is a
 * param, anything else starts a new challenge. Scheme and param names are case-insensitive;
 * a repeated realm/service/scope in one challenge is an error (RFC 7235: MUST NOT repeat).
 * The first Basic or Bearer challenge wins; other schemes are skipped. A Bearer realm must be
 * an http:// or https:// URL.
 *
 * Docker config.json: exact keys are tried first in the order the header lists; then any
 * key whose host part (scheme and path stripped, case-insensitive) equals the host, the way
 * the docker CLI normalises keys. Credential helpers (credsStore, credHelpers) and identity
 * tokens are not supported: such entries give DD_ENOTFOUND with a message saying so.
 *
 * Token replies: the token must be printable ASCII without spaces, since it goes into an
 * Authorization header verbatim. Messages never contain secrets.
 *
 * base64: RFC 4648 standard alphabet, no line breaks; decoding rejects any character outside
 * the alphabet (including whitespace) and misplaced padding, and accepts missing padding.
 */
#include "regauth.h"
#include "pkg.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AUTH_HEADER_MAX        16384                 /* bytes of a WWW-Authenticate value */
#define AUTH_PARAM_MAX         4096                  /* bytes of one decoded param value */
#define DOCKER_CONFIG_MAX      ((size_t)1024 * 1024) /* bytes of a config.json */
#define TOKEN_REPLY_MAX        ((size_t)1024 * 1024) /* bytes of a token endpoint reply */
#define TOKEN_MAX              65536                 /* bytes of a bearer token */
#define TOKEN_DEFAULT_EXPIRY_S 60
#define TOKEN_MAX_EXPIRY_S     86400

/* ---------------------------------------------------------------------------------------- */
/* base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const uint8_t *data, size_t len)
{
    if (len > (SIZE_MAX / 4) * 3 - 3)
        return NULL;
    size_t olen = (len + 2) / 3 * 4;
    char *out = malloc(olen + 1);
    if (out == NULL)
        return NULL;
    char *w = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        *w++ = b64_alphabet[v >> 18 & 63];
        *w++ = b64_alphabet[v >> 12 & 63];
        *w++ = b64_alphabet[v >> 6 & 63];
        *w++ = b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        *w++ = b64_alphabet[v >> 18 & 63];
        *w++ = b64_alphabet[v >> 12 & 63];
        *w++ = '=';
        *w++ = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        *w++ = b64_alphabet[v >> 18 & 63];
        *w++ = b64_alphabet[v >> 12 & 63];
        *w++ = b64_alphabet[v >> 6 & 63];
        *w++ = '=';
    }
    *w = '\0';
    return out;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int base64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    if (s == NULL)
        return DD_EINVAL;
    size_t len = strlen(s);
    size_t data_len = len;
    while (data_len > 0 && s[data_len - 1] == '=')
        data_len--;
    size_t pad = len - data_len;
    /* 1 data char in the last group cannot encode a byte */
    if (data_len % 4 == 1)
        return DD_EPARSE;
    if (pad > 0 && (len % 4 != 0 || pad > 2 || (data_len % 4) + pad != 4))
        return DD_EPARSE;
    uint8_t *buf = malloc(data_len / 4 * 3 + 3 + 1);
    if (buf == NULL)
        return DD_ENOMEM;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = b64_value(s[i]);
        if (v < 0) {
            free(buf);
            return DD_EPARSE;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (uint8_t)(acc >> bits & 0xff);
        }
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* WWW-Authenticate */

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_token68_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

struct cursor {
    const char *s;
    size_t pos, len;
};

static void skip_ows(struct cursor *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t'))
        c->pos++;
}

static size_t token_len_at(const struct cursor *c, size_t pos)
{
    size_t n = 0;
    while (pos + n < c->len && is_tchar((unsigned char)c->s[pos + n]))
        n++;
    return n;
}

/* Unquoted values: RFC 7235 says token, but we also take ':' '/' '@' etc. so an unquoted
 * realm URL still parses; anything visible except ',', '"' and '\\'. */
static bool is_value_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && c != ',' && c != '"' && c != '\\';
}

static size_t value_len_at(const struct cursor *c, size_t pos)
{
    size_t n = 0;
    while (pos + n < c->len && is_value_char((unsigned char)c->s[pos + n]))
        n++;
    return n;
}

/* True when an auth-param starts at pos: "token BWS = BWS" then a value. "abc=" followed by
 * ',' or the end, or "abc==", is a token68 instead. */
static bool param_starts_at(const struct cursor *c, size_t pos)
{
    size_t n = token_len_at(c, pos);
    if (n == 0)
        return false;
    pos += n;
    while (pos < c->len && (c->s[pos] == ' ' || c->s[pos] == '\t'))
        pos++;
    if (pos >= c->len || c->s[pos] != '=')
        return false;
    pos++;
    while (pos < c->len && (c->s[pos] == ' ' || c->s[pos] == '\t'))
        pos++;
    return pos < c->len && c->s[pos] != '=' && c->s[pos] != ',';
}

/* Reads a token or quoted-string value into a fresh string (*out may stay NULL on error). */
static int read_value(struct cursor *c, char **out, struct dd_error *err)
{
    if (c->pos < c->len && c->s[c->pos] == '"') {
        size_t start = c->pos;
        c->pos++;
        char *v = malloc(AUTH_PARAM_MAX + 1);
        if (v == NULL)
            return dd_error_set(err, DD_ENOMEM, "out of memory");
        size_t n = 0;
        for (;;) {
            if (c->pos >= c->len) {
                free(v);
                return dd_error_set(err, DD_EPARSE,
                                    "WWW-Authenticate: unterminated quoted string at offset %zu",
                                    start);
            }
            unsigned char ch = (unsigned char)c->s[c->pos++];
            if (ch == '"')
                break;
            if (ch == '\\') {
                if (c->pos >= c->len) {
                    free(v);
                    return dd_error_set(err, DD_EPARSE,
                                        "WWW-Authenticate: unterminated quoted string at "
                                        "offset %zu",
                                        start);
                }
                ch = (unsigned char)c->s[c->pos++];
            }
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                free(v);
                return dd_error_set(err, DD_EPARSE,
                                    "WWW-Authenticate: control character in quoted string at "
                                    "offset %zu",
                                    c->pos - 1);
            }
            if (n == AUTH_PARAM_MAX) {
                free(v);
                return dd_error_set(err, DD_ETOOBIG,
                                    "WWW-Authenticate: parameter value longer than %d bytes",
                                    AUTH_PARAM_MAX);
            }
            v[n++] = (char)ch;
        }
        v[n] = '\0';
        *out = v;
        return 0;
    }
    size_t n = value_len_at(c, c->pos);
    if (n == 0)
        return dd_error_set(err, DD_EPARSE,
                            "WWW-Authenticate: expected a token or quoted string at offset %zu",
                            c->pos);
    if (n > AUTH_PARAM_MAX)
        return dd_error_set(err, DD_ETOOBIG,
                            "WWW-Authenticate: parameter value longer than %d bytes",
                            AUTH_PARAM_MAX);
    *out = dd_strndup(c->s + c->pos, n);
    if (*out == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    c->pos += n;
    return 0;
}

void auth_challenge_cleanup(struct auth_challenge *c)
{
    if (c == NULL)
        return;
    free(c->realm);
    free(c->service);
    free(c->scope);
    memset(c, 0, sizeof(*c));
}

/* Parses one challenge's parameters (after the scheme); keep says whether to store them. */
static int parse_params(struct cursor *c, bool keep, struct auth_challenge *ch,
                        struct dd_error *err)
{
    for (;;) {
        skip_ows(c);
        if (c->pos >= c->len)
            return 0;
        if (c->s[c->pos] == ',') {
            /* empty list elements are allowed; decide param vs next challenge */
            c->pos++;
            skip_ows(c);
            while (c->pos < c->len && c->s[c->pos] == ',') {
                c->pos++;
                skip_ows(c);
            }
            if (!param_starts_at(c, c->pos))
                return 0;
        } else if (!param_starts_at(c, c->pos)) {
            return dd_error_set(err, DD_EPARSE,
                                "WWW-Authenticate: expected name=value at offset %zu", c->pos);
        }
        size_t nlen = token_len_at(c, c->pos);
        const char *name = c->s + c->pos;
        c->pos += nlen;
        skip_ows(c);
        c->pos++; /* '=' (checked by param_starts_at) */
        skip_ows(c);
        char *value = NULL;
        int rc = read_value(c, &value, err);
        if (rc)
            return rc;
        char **slot = NULL;
        if (keep) {
            if (nlen == 5 && strncasecmp(name, "realm", 5) == 0)
                slot = &ch->realm;
            else if (nlen == 7 && strncasecmp(name, "service", 7) == 0)
                slot = &ch->service;
            else if (nlen == 5 && strncasecmp(name, "scope", 5) == 0)
                slot = &ch->scope;
        }
        if (slot && *slot) {
            free(value);
            return dd_error_set(err, DD_EPARSE,
                                "WWW-Authenticate: parameter \"%.*s\" repeated in one challenge",
                                (int)nlen, name);
        }
        if (slot)
            *slot = value;
        else
            free(value);
        skip_ows(c);
        if (c->pos < c->len && c->s[c->pos] != ',')
            return dd_error_set(err, DD_EPARSE, "WWW-Authenticate: expected ',' at offset %zu",
                                c->pos);
    }
}

int auth_challenge_parse(const char *header, struct auth_challenge *out, struct dd_error *err)
{
    struct auth_challenge found = {0};
    int rc = 0;
    if (header == NULL)
        return dd_error_set(err, DD_EPARSE, "WWW-Authenticate: missing header");
    size_t len = strnlen(header, AUTH_HEADER_MAX + 1);
    if (len > AUTH_HEADER_MAX)
        return dd_error_set(err, DD_ETOOBIG, "WWW-Authenticate: longer than %d bytes",
                            AUTH_HEADER_MAX);
    struct cursor c = {header, 0, len};
    bool any = false;

    for (;;) {
        skip_ows(&c);
        while (c.pos < c.len && c.s[c.pos] == ',') {
            c.pos++;
            skip_ows(&c);
        }
        if (c.pos >= c.len)
            break;
        size_t slen = token_len_at(&c, c.pos);
        if (slen == 0) {
            rc = dd_error_set(err, DD_EPARSE,
                              "WWW-Authenticate: expected an auth scheme at offset %zu", c.pos);
            goto out;
        }
        const char *scheme = c.s + c.pos;
        c.pos += slen;
        any = true;
        enum auth_scheme sc = AUTH_SCHEME_NONE;
        if (slen == 5 && strncasecmp(scheme, "Basic", 5) == 0)
            sc = AUTH_SCHEME_BASIC;
        else if (slen == 6 && strncasecmp(scheme, "Bearer", 6) == 0)
            sc = AUTH_SCHEME_BEARER;
        bool keep = sc != AUTH_SCHEME_NONE && found.scheme == AUTH_SCHEME_NONE;

        if (c.pos < c.len && c.s[c.pos] != ' ' && c.s[c.pos] != '\t' && c.s[c.pos] != ',') {
            rc = dd_error_set(err, DD_EPARSE,
                              "WWW-Authenticate: invalid character after scheme at offset %zu",
                              c.pos);
            goto out;
        }
        skip_ows(&c);
        /* token68 (e.g. "Negotiate abc==") instead of params */
        if (c.pos < c.len && c.s[c.pos] != ',' && !param_starts_at(&c, c.pos)) {
            size_t t = 0;
            while (c.pos + t < c.len && is_token68_char((unsigned char)c.s[c.pos + t]))
                t++;
            while (t > 0 && c.pos + t < c.len && c.s[c.pos + t] == '=')
                t++;
            if (t == 0) {
                rc = dd_error_set(err, DD_EPARSE,
                                  "WWW-Authenticate: invalid character at offset %zu", c.pos);
                goto out;
            }
            c.pos += t;
            skip_ows(&c);
            if (c.pos < c.len && c.s[c.pos] != ',') {
                rc = dd_error_set(err, DD_EPARSE, "WWW-Authenticate: expected ',' at offset %zu",
                                  c.pos);
                goto out;
            }
        } else {
            struct auth_challenge tmp = {0};
            rc = parse_params(&c, keep, &tmp, err);
            if (rc) {
                auth_challenge_cleanup(&tmp);
                goto out;
            }
            if (keep) {
                tmp.scheme = sc;
                found = tmp;
            }
        }
        if (keep && found.scheme == AUTH_SCHEME_NONE)
            found.scheme = sc; /* scheme with token68 or nothing after it */
    }

    if (!any) {
        rc = dd_error_set(err, DD_EPARSE, "WWW-Authenticate: empty header");
        goto out;
    }
    if (found.scheme == AUTH_SCHEME_NONE) {
        rc = dd_error_set(err, DD_EUNSUPPORTED, "WWW-Authenticate: no Basic or Bearer challenge");
        goto out;
    }
    if (found.scheme == AUTH_SCHEME_BEARER) {
        if (found.realm == NULL) {
            rc = dd_error_set(err, DD_EPARSE, "WWW-Authenticate: Bearer challenge has no realm");
            goto out;
        }
        if (strncasecmp(found.realm, "https://", 8) != 0 &&
            strncasecmp(found.realm, "http://", 7) != 0) {
            rc = dd_error_set(err, DD_EPARSE,
                              "WWW-Authenticate: Bearer realm is not an http(s) URL");
            goto out;
        }
    }
    *out = found;
    memset(&found, 0, sizeof(found));
out:
    auth_challenge_cleanup(&found);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Docker config.json */

static bool is_docker_hub_host(const char *h, size_t n)
{
    return (n == 9 && strncasecmp(h, "docker.io", 9) == 0) ||
           (n == 15 && strncasecmp(h, "index.docker.io", 15) == 0) ||
           (n == 20 && strncasecmp(h, "registry-1.docker.io", 20) == 0);
}

/* Host part of a config key: scheme and anything from the first '/' dropped. */
static void key_host(const char *key, const char **h, size_t *n)
{
    if (strncasecmp(key, "https://", 8) == 0)
        key += 8;
    else if (strncasecmp(key, "http://", 7) == 0)
        key += 7;
    *h = key;
    *n = strcspn(key, "/");
}

static int creds_from_entry(json_t *entry, const char *key, char **user, char **pass,
                            struct dd_error *err)
{
    char *u = NULL, *p = NULL;
    uint8_t *dec = NULL;
    size_t dec_len = 0;
    int rc = 0;
    if (!json_is_object(entry)) {
        rc = dd_error_set(err, DD_EPARSE, "docker config: auths entry \"%.100s\" is not an object",
                          key);
        goto out;
    }
    json_t *auth = json_object_get(entry, "auth"); /* borrowed */
    if (auth && !json_is_null(auth) && !json_is_string(auth)) {
        rc = dd_error_set(err, DD_EPARSE, "docker config: \"%.100s\".auth is not a string", key);
        goto out;
    }
    if (auth && json_is_string(auth) && json_string_length(auth) > 0) {
        rc = base64_decode(json_string_value(auth), &dec, &dec_len);
        if (rc == DD_ENOMEM) {
            rc = dd_error_set(err, rc, "out of memory");
            goto out;
        }
        if (rc) {
            rc = dd_error_set(err, DD_EPARSE, "docker config: \"%.100s\".auth is not valid base64",
                              key);
            goto out;
        }
        const char *colon = memchr(dec, ':', dec_len);
        if (colon == NULL || memchr(dec, '\0', dec_len) != NULL) {
            rc = dd_error_set(err, DD_EPARSE,
                              "docker config: \"%.100s\".auth does not decode to user:password",
                              key);
            goto out;
        }
        u = dd_strndup((const char *)dec, (size_t)(colon - (const char *)dec));
        p = dd_strdup(colon + 1);
    } else {
        json_t *ju = json_object_get(entry, "username"); /* borrowed */
        json_t *jp = json_object_get(entry, "password"); /* borrowed */
        if ((ju && !json_is_null(ju) && !json_is_string(ju)) ||
            (jp && !json_is_null(jp) && !json_is_string(jp))) {
            rc = dd_error_set(err, DD_EPARSE,
                              "docker config: \"%.100s\" username/password must be strings", key);
            goto out;
        }
        if (!json_is_string(ju) || json_string_length(ju) == 0) {
            rc = dd_error_set(err, DD_ENOTFOUND,
                              "docker config: entry \"%.100s\" has no inline credentials "
                              "(identity tokens and credential helpers are not supported)",
                              key);
            goto out;
        }
        u = dd_strdup(json_string_value(ju));
        p = dd_strdup(json_is_string(jp) ? json_string_value(jp) : "");
    }
    if (u == NULL || p == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *user = u;
    *pass = p;
    u = p = NULL;
out:
    if (p) {
        memset(p, 0, strlen(p));
        free(p);
    }
    free(u);
    if (dec) {
        memset(dec, 0, dec_len);
        free(dec);
    }
    return rc;
}

int docker_config_lookup(const uint8_t *body, size_t len, const char *host, char **user,
                         char **pass, struct dd_error *err)
{
    json_t *root = NULL; /* owned */
    int rc = 0;
    char *keys[5] = {0};
    if (host == NULL || host[0] == '\0' || strlen(host) > 255)
        return dd_error_set(err, DD_EINVAL, "docker config: invalid host");
    if (body == NULL || len == 0)
        return dd_error_set(err, DD_EPARSE, "docker config: empty");
    if (len > DOCKER_CONFIG_MAX)
        return dd_error_set(err, DD_ETOOBIG, "docker config: larger than %zu bytes",
                            DOCKER_CONFIG_MAX);
    json_error_t jerr;
    root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "docker config: invalid JSON at line %d: %s", jerr.line,
                            jerr.text);
    if (!json_is_object(root)) {
        rc = dd_error_set(err, DD_EPARSE, "docker config: top level is not an object");
        goto out;
    }
    json_t *auths = json_object_get(root, "auths"); /* borrowed */
    if (auths == NULL || json_is_null(auths)) {
        rc = dd_error_set(err, DD_ENOTFOUND, "docker config: no \"auths\" for %s", host);
        goto out;
    }
    if (!json_is_object(auths)) {
        rc = dd_error_set(err, DD_EPARSE, "docker config: \"auths\" is not an object");
        goto out;
    }

    size_t hlen = strlen(host);
    bool hub = is_docker_hub_host(host, hlen);
    static const char *const prefix[4] = {"", "https://", "http://", "https://"};
    static const char *const suffix[4] = {"", "", "", "/v1/"};
    for (size_t i = 0; i < 4; i++) {
        keys[i] = malloc(hlen + 16);
        if (keys[i] == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        snprintf(keys[i], hlen + 16, "%s%s%s", prefix[i], host, suffix[i]);
    }
    keys[4] = hub ? dd_strdup("https://index.docker.io/v1/") : NULL;
    for (size_t i = 0; i < 5; i++) {
        if (keys[i] == NULL)
            continue;
        json_t *e = json_object_get(auths, keys[i]); /* borrowed */
        if (e) {
            rc = creds_from_entry(e, keys[i], user, pass, err);
            goto out;
        }
    }
    /* second pass: any key whose host part matches */
    const char *k;
    json_t *v; /* borrowed */
    json_object_foreach(auths, k, v)
    {
        const char *kh;
        size_t kn;
        key_host(k, &kh, &kn);
        if ((kn == hlen && strncasecmp(kh, host, hlen) == 0) ||
            (hub && is_docker_hub_host(kh, kn))) {
            rc = creds_from_entry(v, k, user, pass, err);
            goto out;
        }
    }
    rc = dd_error_set(err, DD_ENOTFOUND, "docker config: no credentials for %s%s", host,
                      (json_object_get(root, "credsStore") || json_object_get(root, "credHelpers"))
                          ? " (credential helpers are not supported)"
                          : "");
out:
    for (size_t i = 0; i < 5; i++)
        free(keys[i]);
    json_decref(root);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* token reply */

int auth_token_parse(const uint8_t *body, size_t len, char **token, int *expires_in_s,
                     struct dd_error *err)
{
    json_t *root = NULL; /* owned */
    int rc = 0;
    if (body == NULL || len == 0)
        return dd_error_set(err, DD_EPARSE, "token reply: empty body");
    if (len > TOKEN_REPLY_MAX)
        return dd_error_set(err, DD_ETOOBIG, "token reply: larger than %zu bytes", TOKEN_REPLY_MAX);
    json_error_t jerr;
    root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "token reply: invalid JSON at line %d: %s", jerr.line,
                            jerr.text);
    if (!json_is_object(root)) {
        rc = dd_error_set(err, DD_EPARSE, "token reply: top level is not an object");
        goto out;
    }
    json_t *t = json_object_get(root, "token"); /* borrowed */
    if (t == NULL || json_is_null(t) || (json_is_string(t) && json_string_length(t) == 0))
        t = json_object_get(root, "access_token");
    if (t == NULL || json_is_null(t)) {
        rc = dd_error_set(err, DD_EAUTH, "token reply: no \"token\" or \"access_token\"");
        goto out;
    }
    if (!json_is_string(t)) {
        rc = dd_error_set(err, DD_EPARSE, "token reply: token is not a string");
        goto out;
    }
    size_t tlen = json_string_length(t);
    const char *tv = json_string_value(t);
    if (tlen == 0 || tlen > TOKEN_MAX) {
        rc = dd_error_set(err, DD_EPARSE, "token reply: token is empty or longer than %d bytes",
                          TOKEN_MAX);
        goto out;
    }
    for (size_t i = 0; i < tlen; i++)
        if ((unsigned char)tv[i] < 0x21 || (unsigned char)tv[i] > 0x7e) {
            rc = dd_error_set(err, DD_EPARSE,
                              "token reply: token has a character not allowed in a header");
            goto out;
        }
    int expires = TOKEN_DEFAULT_EXPIRY_S;
    json_t *e = json_object_get(root, "expires_in"); /* borrowed */
    if (e && !json_is_null(e)) {
        if (!json_is_integer(e)) {
            rc = dd_error_set(err, DD_EPARSE, "token reply: expires_in is not an integer");
            goto out;
        }
        json_int_t ev = json_integer_value(e);
        if (ev > TOKEN_MAX_EXPIRY_S)
            expires = TOKEN_MAX_EXPIRY_S;
        else if (ev > 0)
            expires = (int)ev;
    }
    char *copy = dd_strndup(tv, tlen);
    if (copy == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *token = copy;
    *expires_in_s = expires;
out:
    json_decref(root);
    return rc;
}
