/* catalog.c - registry catalog and tag listing with Link paging (see catalog.h).
 *
 * Design: one blocking curl easy handle per lister (a lister serves one expansion on one
 * thread), one cached struct registry for the repository being expanded (tags, then the
 * digests of its tags). Pages are capped in size and in number, and the total entries too,
 * so a hostile registry cannot keep us paging forever or make us hold unbounded lists.
 *
 * Invariants: a Link next URL is followed only when it stays on the same origin.
 *
 * It deliberately does not follow a catalog Bearer challenge (see catalog.h).
 */
#include "catalog.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "image_ref.h"
#include "registry.h"

#define MANIFEST_MAX_BYTES (4u << 20)

struct registry_lister {
    char *host;
    char *base; /* "http://host" or "https://host" */
    bool insecure;
    int page_size; /* ?n= */
    char *username, *password;
    CURL *easy;
    char *cur_repo;       /* repository cur is for */
    struct registry *cur; /* client for cur_repo */
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

int link_next_url(const char *link, const char *base, char **out, struct dd_error *err)
{
    *out = NULL;
    if (link == NULL)
        return 0;
    const char *p = link;
    while (*p) {
        while (is_space(*p) || *p == ',')
            p++;
        if (*p != '<')
            return dd_error_set(err, DD_EPARSE, "Link header: expected '<'");
        const char *u = p + 1;
        const char *ue = strchr(u, '>');
        if (ue == NULL)
            return dd_error_set(err, DD_EPARSE, "Link header: unterminated '<'");
        p = ue + 1;
        bool next = false;
        /* parameters up to the next ',' outside quotes */
        while (*p && *p != ',') {
            while (is_space(*p) || *p == ';')
                p++;
            const char *k = p;
            while (*p && *p != '=' && *p != ';' && *p != ',')
                p++;
            size_t klen = (size_t)(p - k);
            while (klen > 0 && is_space(k[klen - 1]))
                klen--;
            if (*p != '=')
                continue;
            p++;
            while (is_space(*p))
                p++;
            const char *v;
            size_t vlen;
            if (*p == '"') {
                v = ++p;
                while (*p && *p != '"')
                    p++;
                vlen = (size_t)(p - v);
                if (*p == '"')
                    p++;
            } else {
                v = p;
                while (*p && *p != ';' && *p != ',' && !is_space(*p))
                    p++;
                vlen = (size_t)(p - v);
            }
            if (klen == 3 && strncmp(k, "rel", 3) == 0) {
                /* rel may hold several space-separated types */
                for (size_t i = 0; i + 4 <= vlen; i++) {
                    if (strncmp(v + i, "next", 4) == 0 && (i == 0 || is_space(v[i - 1])) &&
                        (i + 4 == vlen || is_space(v[i + 4])))
                        next = true;
                }
            }
        }
        if (next) {
            size_t ulen = (size_t)(ue - u);
            size_t blen = strlen(base);
            char *r;
            if (ulen > 0 && u[0] == '/' && (ulen < 2 || u[1] != '/')) {
                r = malloc(blen + ulen + 1);
                if (r == NULL)
                    return dd_error_set(err, DD_ENOMEM, "out of memory");
                memcpy(r, base, blen);
                memcpy(r + blen, u, ulen);
                r[blen + ulen] = '\0';
            } else if (ulen > blen && strncmp(u, base, blen) == 0 && u[blen] == '/') {
                r = strndup(u, ulen);
                if (r == NULL)
                    return dd_error_set(err, DD_ENOMEM, "out of memory");
            } else {
                return dd_error_set(err, DD_EHOSTILE,
                                    "Link header: next page is not on the registry's origin");
            }
            if (strpbrk(r, " \r\n\t") != NULL) {
                free(r);
                return dd_error_set(err, DD_EPARSE, "Link header: whitespace in URL");
            }
            *out = r;
            return 0;
        }
    }
    return 0;
}

static int parse_list(const char *body, size_t len, const char *key, bool null_ok,
                      struct str_list *out, struct dd_error *err)
{
    json_error_t je;
    int rc = 0;
    json_t *root = json_loadb(body, len, 0, &je);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "bad JSON at line %d: %s", je.line, je.text);
    json_t *arr = json_object_get(root, key);
    if (arr == NULL || json_is_null(arr)) {
        if (!null_ok && arr == NULL)
            rc = dd_error_set(err, DD_EPARSE, "no \"%s\" array", key);
        goto out;
    }
    if (!json_is_array(arr)) {
        rc = dd_error_set(err, DD_EPARSE, "\"%s\" is not an array", key);
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || s[0] == '\0' || strlen(s) != json_string_length(v) || strlen(s) > 255) {
            rc = dd_error_set(err, DD_EPARSE, "\"%s\"[%zu] is not a usable name", key, i);
            goto out;
        }
        if (out->n >= CATALOG_MAX_ENTRIES) {
            rc = dd_error_set(err, DD_ELIMIT, "more than %d entries", CATALOG_MAX_ENTRIES);
            goto out;
        }
        if (str_list_push(out, s) != 0) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
    }
out:
    json_decref(root);
    return rc;
}

int catalog_parse_repos(const char *body, size_t len, struct str_list *out, struct dd_error *err)
{
    return parse_list(body, len, "repositories", false, out, err);
}

int catalog_parse_tags(const char *body, size_t len, struct str_list *out, struct dd_error *err)
{
    return parse_list(body, len, "tags", true, out, err);
}

int registry_lister_new(const char *host, bool insecure, const char *username, const char *password,
                        struct registry_lister **out, struct dd_error *err)
{
    struct registry_lister *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    struct image_ref ref = {.registry = (char *)host, .repository = "x"};
    bool plain = insecure || image_ref_is_loopback(&ref);
    size_t n = strlen(host) + 16;
    l->host = strdup(host);
    l->base = malloc(n);
    l->easy = curl_easy_init();
    l->insecure = insecure;
    l->page_size = CATALOG_PAGE_SIZE;
    if (username) {
        l->username = strdup(username);
        l->password = strdup(password ? password : "");
    }
    if (l->host == NULL || l->base == NULL || l->easy == NULL ||
        (username && (l->username == NULL || l->password == NULL))) {
        registry_lister_free(l);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    snprintf(l->base, n, "%s://%s", plain ? "http" : "https", host);
    *out = l;
    return 0;
}

void registry_lister_set_page_size(struct registry_lister *l, int n)
{
    if (n >= 1 && n <= 1000)
        l->page_size = n;
}

void registry_lister_free(struct registry_lister *l)
{
    if (l == NULL)
        return;
    registry_free(l->cur);
    free(l->cur_repo);
    if (l->easy)
        curl_easy_cleanup(l->easy);
    free(l->host);
    free(l->base);
    if (l->password)
        memset(l->password, 0, strlen(l->password));
    free(l->username);
    free(l->password);
    free(l);
}

/* The client for repo, created (and authenticated) on first use. */
static int lister_client(struct registry_lister *l, const char *repo, struct registry **out,
                         struct dd_error *err)
{
    if (l->cur && strcmp(l->cur_repo, repo) == 0) {
        *out = l->cur;
        return 0;
    }
    registry_free(l->cur);
    free(l->cur_repo);
    l->cur = NULL;
    l->cur_repo = strdup(repo);
    if (l->cur_repo == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    struct image_ref ref = {.registry = l->host, .repository = (char *)repo, .tag = "latest"};
    struct registry_opts o;
    registry_opts_default(&o);
    o.insecure = l->insecure;
    o.username = l->username;
    o.password = l->password;
    o.max_retries = 2;
    o.cred_hint = "a rule's registry.credentials, a name in the scheduler's config";
    int rc = registry_new(&ref, &o, &l->cur, err);
    if (rc == 0)
        rc = registry_connect(l->cur, err);
    if (rc) {
        registry_free(l->cur);
        l->cur = NULL;
        return rc;
    }
    *out = l->cur;
    return 0;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    return buf_append(ctx, p, sz * n) == 0 ? sz * n : 0;
}

/* GET url (headers from client when given, else Basic when configured); fills body, *status
 * and *next (the Link next URL or NULL). */
static int get_page(struct registry_lister *l, struct registry *client, const char *url,
                    struct buf *body, long *status, char **next, struct dd_error *err)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = client ? registry_blob_headers(client, 0) : NULL;
    CURL *e = l->easy;
    curl_easy_reset(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "drydock-scheduler/" DD_VERSION);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    if (hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    else if (l->username) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERNAME, l->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, l->password);
    }
    if (l->insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    buf_reset(body);
    CURLcode c = curl_easy_perform(e);
    curl_slist_free_all(hdrs);
    if (c == CURLE_WRITE_ERROR)
        return dd_error_set(err, DD_ETOOBIG, "%s: page larger than %zu bytes", url, body->max);
    if (c != CURLE_OK)
        return registry_curl_error(c, errbuf, "registry listing", err);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
    struct curl_header *h = NULL;
    const char *link = NULL;
    if (curl_easy_header(e, "Link", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        link = h->value;
    return link_next_url(link, l->base, next, err);
}

typedef int (*page_parser)(const char *, size_t, struct str_list *, struct dd_error *);

static int list_all(struct registry_lister *l, struct registry *client, const char *first,
                    page_parser parse, const char *what, struct str_list *out, struct dd_error *err)
{
    struct buf body;
    buf_init(&body, CATALOG_PAGE_MAX_BYTES);
    char *url = strdup(first);
    int rc = 0;
    if (url == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    for (int page = 0; url; page++) {
        if (page >= CATALOG_MAX_PAGES) {
            rc = dd_error_set(err, DD_ELIMIT, "%s: more than %d pages", what, CATALOG_MAX_PAGES);
            goto out;
        }
        long status = 0;
        char *next = NULL;
        rc = get_page(l, client, url, &body, &status, &next, err);
        if (rc)
            goto out;
        if (status != 200) {
            free(next);
            if (status == 404 && parse == catalog_parse_tags) /* repository gone: no tags */
                goto out;
            rc = registry_http_error(status, what, err);
            goto out;
        }
        rc = parse(body.data ? (const char *)body.data : "", body.len, out, err);
        if (rc) {
            free(next);
            dd_error_prefix(err, "%s: ", what);
            goto out;
        }
        free(url);
        url = next;
    }
out:
    free(url);
    buf_cleanup(&body);
    return rc;
}

static int on_catalog(void *ctx, struct str_list *out, struct dd_error *err)
{
    struct registry_lister *l = ctx;
    char url[512];
    snprintf(url, sizeof(url), "%s/v2/_catalog?n=%d", l->base, l->page_size);
    char what[300];
    snprintf(what, sizeof(what), "catalog of %s", l->host);
    /* A client of its own, authenticated for the catalog: anonymous or Basic as the
     * registry asks, or a Bearer token with scope registry:catalog:* (Harbor, distribution
     * with token auth) where a repository-scoped token would be refused. */
    struct registry *client = NULL;
    struct image_ref ref = {.registry = l->host, .repository = "catalog", .tag = "latest"};
    struct registry_opts o;
    registry_opts_default(&o);
    o.insecure = l->insecure;
    o.username = l->username;
    o.password = l->password;
    o.max_retries = 2;
    o.cred_hint = "a rule's registry.credentials, a name in the scheduler's config";
    o.scope = "registry:catalog:*";
    int rc = registry_new(&ref, &o, &client, err);
    if (rc == 0)
        rc = registry_connect(client, err);
    if (rc == 0)
        rc = list_all(l, client, url, catalog_parse_repos, what, out, err);
    registry_free(client);
    return rc;
}

static int on_tags(void *ctx, const char *repo, struct str_list *out, struct dd_error *err)
{
    struct registry_lister *l = ctx;
    struct registry *client = NULL;
    int rc = lister_client(l, repo, &client, err);
    if (rc)
        return rc;
    char url[1024];
    snprintf(url, sizeof(url), "%s/v2/%s/tags/list?n=%d", l->base, repo, l->page_size);
    char what[300];
    snprintf(what, sizeof(what), "tags of %s", repo);
    return list_all(l, client, url, catalog_parse_tags, what, out, err);
}

static int on_digest(void *ctx, const char *repo, const char *tag, char **out, struct dd_error *err)
{
    struct registry_lister *l = ctx;
    struct registry *client = NULL;
    int rc = lister_client(l, repo, &client, err);
    if (rc)
        return rc;
    struct buf body;
    buf_init(&body, MANIFEST_MAX_BYTES);
    char *ct = NULL, *digest = NULL;
    rc = registry_fetch_manifest(client, tag, &body, &ct, &digest, err);
    buf_cleanup(&body);
    free(ct);
    if (rc == 0)
        *out = digest;
    return rc;
}

static int on_fork(void *ctx, void **out, struct dd_error *err)
{
    struct registry_lister *l = ctx, *n = NULL;
    int rc = registry_lister_new(l->host, l->insecure, l->username, l->password, &n, err);
    if (rc == 0) {
        n->page_size = l->page_size;
        *out = n;
    }
    return rc;
}

static void on_fork_free(void *ctx)
{
    registry_lister_free(ctx);
}

void registry_lister_source(struct registry_lister *l, struct expand_source *src)
{
    src->ctx = l;
    src->catalog = on_catalog;
    src->tags = on_tags;
    src->digest = on_digest;
    src->fork = on_fork;
    src->fork_free = on_fork_free;
}
