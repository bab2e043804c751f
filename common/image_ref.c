/* image_ref.c - parse, normalise and format container image references.
 *
 * Grammar (Docker's distribution/reference, which every registry client follows):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path                  (at most 255 bytes as written)
 *   domain     := host [ ":" port ]
 *   host       := dcomp ( "." dcomp )* | "[" IPv6 "]"   dcomp :=
 * [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])? path       := pcomp ( "/" pcomp )* pcomp      := [a-z0-9]+
 * ( sep [a-z0-9]+ )*          sep := "." | "_" | "__" | "-"+ tag        :=
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} digest     := "sha256:" [0-9a-f]{64}
 *
 * Splitting: the digest starts at the first '@' (a name never contains one); the tag starts at
 * the last ':' that follows the last '/' (a port's ':' always precedes a '/'). The first path
 * component is a domain when it contains '.' or ':' or is "localhost". (Docker also takes an
 * uppercase first component as a host; we do not, so "Foo/bar" fails with "repository name
 * must be lowercase" instead of trying to reach a registry called "Foo".)
 *
 * Normalisation: no domain, "index.docker.io" and "registry-1.docker.io" all become
 * "docker.io"; on docker.io a single-component path gets "library/"; no tag and no digest
 * means "latest". A bare 64-hex string is rejected, since Docker treats it as an image ID.
 *
 * Errors say what is wrong and at which byte offset of the input. This module does not
 * resolve names, talk to a registry, or support digest algorithms other than sha256.
 */
#include "image_ref.h"
#include "pkg.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN  128
#define REF_MAX_LEN  4096 /* whole input; anything longer is rejected before scanning */

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
    return is_alnum(c) || c == '_';
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool digest_is_valid(const char *s)
{
    if (s == NULL || strncmp(s, "sha256:", 7) != 0)
        return false;
    for (size_t i = 0; i < 64; i++)
        if (!is_lower_hex(s[7 + i]))
            return false;
    return s[7 + 64] == '\0';
}

/* Check a digest occupying s[0..len) at offset off of the input. */
static int check_digest(const char *s, size_t len, size_t off, struct dd_error *err)
{
    const char *colon = memchr(s, ':', len);
    if (colon == NULL)
        return dd_error_set(err, DD_EINVAL,
                            "invalid digest at offset %zu: expected \"sha256:<64 hex digits>\"",
                            off);
    size_t alen = (size_t)(colon - s);
    if (alen != 6 || memcmp(s, "sha256", 6) != 0)
        return dd_error_set(err, DD_EUNSUPPORTED,
                            "unsupported digest algorithm \"%.*s\" at offset %zu (only sha256)",
                            (int)(alen > 32 ? 32 : alen), s, off);
    size_t hlen = len - alen - 1;
    for (size_t i = 0; i < hlen; i++) {
        char c = colon[1 + i];
        if (c >= 'A' && c <= 'F')
            return dd_error_set(err, DD_EINVAL,
                                "invalid digest at offset %zu: hex must be lowercase",
                                off + alen + 1 + i);
        if (!is_lower_hex(c))
            return dd_error_set(err, DD_EINVAL,
                                "invalid digest at offset %zu: '%c' is not a hex digit",
                                off + alen + 1 + i, (c >= 0x21 && c < 0x7f) ? c : '?');
    }
    if (hlen != 64)
        return dd_error_set(err, DD_EINVAL,
                            "invalid digest at offset %zu: sha256 needs 64 hex digits, got %zu",
                            off, hlen);
    return 0;
}

static int check_tag(const char *s, size_t len, size_t off, struct dd_error *err)
{
    if (len == 0)
        return dd_error_set(err, DD_EINVAL, "empty tag at offset %zu", off);
    if (len > TAG_MAX_LEN)
        return dd_error_set(err, DD_EINVAL, "tag at offset %zu is longer than %d characters", off,
                            TAG_MAX_LEN);
    if (!is_word(s[0]))
        return dd_error_set(err, DD_EINVAL,
                            "invalid tag at offset %zu: must start with [A-Za-z0-9_]", off);
    for (size_t i = 1; i < len; i++)
        if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
            return dd_error_set(err, DD_EINVAL,
                                "invalid character in tag at offset %zu (allowed: "
                                "[A-Za-z0-9_.-])",
                                off + i);
    return 0;
}

/* One path component: [a-z0-9]+ ( sep [a-z0-9]+ )*. */
static int check_path_component(const char *s, size_t len, size_t off, struct dd_error *err)
{
    if (len == 0)
        return dd_error_set(err, DD_EINVAL, "empty path component at offset %zu", off);
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return dd_error_set(err, DD_EINVAL, "repository name must be lowercase (offset %zu)",
                                off + i);
    size_t i = 0;
    while (i < len) {
        if (!is_lower_alnum(s[i]))
            return dd_error_set(err, DD_EINVAL,
                                "invalid character in repository name at offset %zu", off + i);
        while (i < len && is_lower_alnum(s[i]))
            i++;
        if (i == len)
            break;
        /* a separator follows, then at least one alnum */
        size_t sep = i;
        if (s[i] == '.') {
            i++;
        } else if (s[i] == '_') {
            i++;
            if (i < len && s[i] == '_')
                i++;
        } else if (s[i] == '-') {
            while (i < len && s[i] == '-')
                i++;
        } else {
            return dd_error_set(err, DD_EINVAL,
                                "invalid character in repository name at offset %zu", off + i);
        }
        if (i == len || !is_lower_alnum(s[i]))
            return dd_error_set(err, DD_EINVAL,
                                "invalid separator in repository name at offset %zu (separators "
                                "are '.', '_', '__' or dashes, between [a-z0-9] runs)",
                                off + sep);
    }
    return 0;
}

static int check_port(const char *s, size_t len, size_t off, struct dd_error *err)
{
    if (len == 0)
        return dd_error_set(err, DD_EINVAL, "empty port at offset %zu", off);
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return dd_error_set(err, DD_EINVAL, "invalid port at offset %zu: not a number",
                                off + i);
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > 65535)
            return dd_error_set(err, DD_EINVAL, "port at offset %zu is greater than 65535", off);
    }
    return 0;
}

/* host[:port] in s[0..len). */
static int check_domain(const char *s, size_t len, struct dd_error *err)
{
    size_t hlen;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return dd_error_set(err, DD_EINVAL, "unterminated '[' in registry host at offset 0");
        hlen = (size_t)(close - s) + 1;
        char addr[64];
        size_t alen = hlen - 2;
        bool ok = alen > 0 && alen < sizeof(addr);
        for (size_t i = 1; ok && i < hlen - 1; i++)
            ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                 (s[i] >= 'A' && s[i] <= 'F') || s[i] == ':' || s[i] == '.';
        if (ok) {
            struct in6_addr a6;
            memcpy(addr, s + 1, alen);
            addr[alen] = '\0';
            ok = inet_pton(AF_INET6, addr, &a6) == 1;
        }
        if (!ok)
            return dd_error_set(err, DD_EINVAL,
                                "invalid IPv6 address in registry host at "
                                "offset 0");
        if (hlen < len && s[hlen] != ':')
            return dd_error_set(err, DD_EINVAL,
                                "invalid character after ']' in registry host at offset %zu", hlen);
    } else {
        const char *colon = memchr(s, ':', len);
        hlen = colon ? (size_t)(colon - s) : len;
        if (hlen == 0)
            return dd_error_set(err, DD_EINVAL, "empty registry host at offset 0");
        size_t start = 0;
        for (size_t i = 0; i <= hlen; i++) {
            if (i < hlen && s[i] != '.') {
                if (!is_alnum(s[i]) && s[i] != '-')
                    return dd_error_set(err, DD_EINVAL,
                                        "invalid character in registry host at offset %zu", i);
                continue;
            }
            /* component s[start..i) */
            if (i == start)
                return dd_error_set(err, DD_EINVAL, "empty label in registry host at offset %zu",
                                    i);
            if (s[start] == '-' || s[i - 1] == '-')
                return dd_error_set(err, DD_EINVAL,
                                    "registry host label at offset %zu starts or ends with '-'",
                                    start);
            start = i + 1;
        }
    }
    if (hlen < len)
        return check_port(s + hlen + 1, len - hlen - 1, hlen + 1, err);
    return 0;
}

static bool first_component_is_domain(const char *s, size_t len)
{
    if (len == 9 && memcmp(s, "localhost", 9) == 0)
        return true;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' || s[i] == ':')
            return true;
    return false;
}

static bool is_docker_hub(const char *s, size_t len)
{
    return (len == 9 && memcmp(s, "docker.io", 9) == 0) ||
           (len == 15 && memcmp(s, "index.docker.io", 15) == 0) ||
           (len == 20 && memcmp(s, "registry-1.docker.io", 20) == 0);
}

int image_ref_parse(const char *s, struct image_ref *out, struct dd_error *err)
{
    struct image_ref r = {0};
    int rc = 0;

    if (s == NULL || s[0] == '\0')
        return dd_error_set(err, DD_EINVAL, "empty image reference");
    size_t total = strnlen(s, REF_MAX_LEN + 1);
    if (total > REF_MAX_LEN)
        return dd_error_set(err, DD_EINVAL, "image reference longer than %d bytes", REF_MAX_LEN);

    /* bare image ID */
    if (total == 64) {
        size_t i = 0;
        while (i < 64 && is_lower_hex(s[i]))
            i++;
        if (i == 64)
            return dd_error_set(err, DD_EINVAL,
                                "a 64-hex-digit string is an image ID, not a reference "
                                "(use name@sha256:...)");
    }

    const char *at = strchr(s, '@');
    size_t name_tag_len = at ? (size_t)(at - s) : total;
    const char *dig = NULL;
    size_t dig_len = 0;
    if (at) {
        dig = at + 1;
        dig_len = total - name_tag_len - 1;
        if (dig_len == 0)
            return dd_error_set(err, DD_EINVAL, "empty digest after '@' at offset %zu",
                                name_tag_len);
        rc = check_digest(dig, dig_len, name_tag_len + 1, err);
        if (rc)
            return rc;
    }

    /* tag: the last ':' after the last '/' */
    size_t name_len = name_tag_len;
    const char *tag = NULL;
    size_t tag_len = 0;
    for (size_t i = name_tag_len; i > 0; i--) {
        char c = s[i - 1];
        if (c == '/')
            break;
        if (c == ':') {
            name_len = i - 1;
            tag = s + i;
            tag_len = name_tag_len - i;
            break;
        }
    }
    if (tag) {
        rc = check_tag(tag, tag_len, (size_t)(tag - s), err);
        if (rc)
            return rc;
    }
    if (name_len == 0)
        return dd_error_set(err, DD_EINVAL, "empty repository name at offset 0");
    if (name_len > NAME_MAX_LEN)
        return dd_error_set(err, DD_EINVAL, "repository name longer than %d characters",
                            NAME_MAX_LEN);

    /* domain */
    const char *slash = memchr(s, '/', name_len);
    size_t path_off = 0;
    const char *domain = NULL;
    size_t domain_len = 0;
    if (slash && first_component_is_domain(s, (size_t)(slash - s))) {
        domain = s;
        domain_len = (size_t)(slash - s);
        rc = check_domain(domain, domain_len, err);
        if (rc)
            return rc;
        path_off = domain_len + 1;
    }
    if (path_off >= name_len)
        return dd_error_set(err, DD_EINVAL, "empty repository path at offset %zu", path_off);

    /* path components */
    size_t start = path_off;
    size_t n_components = 0;
    for (size_t i = path_off; i <= name_len; i++) {
        if (i < name_len && s[i] != '/')
            continue;
        rc = check_path_component(s + start, i - start, start, err);
        if (rc)
            return rc;
        n_components++;
        start = i + 1;
    }

    bool hub = domain == NULL || is_docker_hub(domain, domain_len);
    r.registry = hub ? dd_strdup("docker.io") : dd_strndup(domain, domain_len);
    if (hub && n_components == 1) {
        size_t plen = name_len - path_off;
        r.repository = malloc(8 + plen + 1);
        if (r.repository) {
            memcpy(r.repository, "library/", 8);
            memcpy(r.repository + 8, s + path_off, plen);
            r.repository[8 + plen] = '\0';
        }
    } else {
        r.repository = dd_strndup(s + path_off, name_len - path_off);
    }
    if (tag)
        r.tag = dd_strndup(tag, tag_len);
    else if (dig == NULL)
        r.tag = dd_strdup("latest");
    if (dig)
        r.digest = dd_strndup(dig, dig_len);
    if (r.registry == NULL || r.repository == NULL || (r.tag == NULL && (tag || !dig)) ||
        (dig && r.digest == NULL)) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory parsing image reference");
        goto out;
    }
    *out = r;
    return 0;
out:
    image_ref_cleanup(&r);
    return rc;
}

void image_ref_cleanup(struct image_ref *r)
{
    if (r == NULL)
        return;
    free(r->registry);
    free(r->repository);
    free(r->tag);
    free(r->digest);
    r->registry = r->repository = r->tag = r->digest = NULL;
}

char *image_ref_format(const struct image_ref *r)
{
    size_t n = strlen(r->registry) + 1 + strlen(r->repository) + 1;
    if (r->tag)
        n += 1 + strlen(r->tag);
    if (r->digest)
        n += 1 + strlen(r->digest);
    char *p = malloc(n);
    if (p == NULL)
        return NULL;
    char *w = p;
    w = stpcpy(w, r->registry);
    *w++ = '/';
    w = stpcpy(w, r->repository);
    if (r->tag) {
        *w++ = ':';
        w = stpcpy(w, r->tag);
    }
    if (r->digest) {
        *w++ = '@';
        stpcpy(w, r->digest);
    }
    return p;
}

const char *image_ref_api_host(const struct image_ref *r)
{
    if (strcmp(r->registry, "docker.io") == 0)
        return "registry-1.docker.io";
    return r->registry;
}

bool image_ref_is_loopback(const struct image_ref *r)
{
    const char *h = r->registry;
    if (h == NULL)
        return false;
    char host[64];
    size_t hlen;
    if (h[0] == '[') {
        const char *close = strchr(h, ']');
        if (close == NULL)
            return false;
        hlen = (size_t)(close - h - 1);
        if (hlen >= sizeof(host) || (close[1] != '\0' && close[1] != ':'))
            return false;
        memcpy(host, h + 1, hlen);
        host[hlen] = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, host, &a6) == 1 &&
               memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
    }
    const char *colon = strchr(h, ':');
    hlen = colon ? (size_t)(colon - h) : strlen(h);
    if (hlen >= sizeof(host))
        return false;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) != 1)
        return false;
    return (ntohl(a4.s_addr) >> 24) == 127;
}

const char *image_ref_reference(const struct image_ref *r)
{
    return r->digest ? r->digest : r->tag;
}
