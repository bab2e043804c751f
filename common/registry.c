/* registry.c - blocking OCI distribution client (see registry.h for the request flow).
 *
 * Scheme: https, except plain http for loopback registries; with insecure, https without
 * verification first and http when TLS cannot be spoken at all (like Docker's
 * insecure-registries).
 *
 * Auth: the ping's challenge decides. Basic sends the credentials on every request; Bearer
 * trades them (or nothing, anonymously) for a token at the realm. The Authorization value is
 * kept under a mutex because layer transfers read it from other threads.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "registry.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest.h"
#include "regauth.h"

#define TOKEN_MAX_BYTES         (1u << 20)
#define DOCKER_CONFIG_MAX_BYTES (1u << 20)

struct registry {
    char *host;       /* API host[:port] */
    char *repository; /* "library/debian" */
    char *base;       /* "https://host" */
    struct registry_opts opts;
    char *username, *password; /* owned copies; from opts or docker config */
    pthread_mutex_t lock;
    char *authorization; /* "Bearer x" / "Basic y" / NULL; guarded by lock */
    bool connected;
    struct auth_challenge challenge;
};

void registry_opts_default(struct registry_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->connect_timeout_ms = 10000;
    o->request_timeout_ms = 60000;
    o->low_speed_time_s = 60;
    o->max_retries = 4;
    o->user_agent = "drydock/" DD_VERSION;
}

static void secure_free(char *s)
{
    if (s == NULL)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    free(s);
}

static void load_docker_config(struct registry *r)
{
    char path[4096];
    const char *p = r->opts.docker_config;
    if (p == NULL) {
        const char *dir = getenv("DOCKER_CONFIG");
        const char *home = getenv("HOME");
        if (dir)
            snprintf(path, sizeof(path), "%s/config.json", dir);
        else if (home)
            snprintf(path, sizeof(path), "%s/.docker/config.json", home);
        else
            return;
        p = path;
    }
    FILE *f = fopen(p, "rb");
    if (f == NULL)
        return;
    struct buf b;
    buf_init(&b, DOCKER_CONFIG_MAX_BYTES);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(&b, chunk, n))
            break;
    }
    fclose(f);
    struct dd_error e = {0};
    char *user = NULL, *pass = NULL;
    /* Docker Hub's credentials are stored under its v1 index URL. */
    const char *key = strcmp(r->host, "registry-1.docker.io") == 0 ? "docker.io" : r->host;
    if (b.data && docker_config_lookup(b.data, b.len, key, &user, &pass, &e) == 0) {
        r->username = user;
        r->password = pass;
    }
    if (b.data)
        memset(b.data, 0, b.len);
    buf_cleanup(&b);
}

int registry_new(const struct image_ref *ref, const struct registry_opts *opts,
                 struct registry **out, struct dd_error *err)
{
    struct registry *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    if (opts)
        r->opts = *opts;
    else
        registry_opts_default(&r->opts);
    r->opts.username = r->opts.password = NULL; /* never keep borrowed secrets */
    r->host = strdup(image_ref_api_host(ref));
    r->repository = strdup(ref->repository);
    size_t blen = strlen(r->host) + 16;
    r->base = malloc(blen);
    if (r->host == NULL || r->repository == NULL || r->base == NULL) {
        registry_free(r);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    snprintf(r->base, blen, "%s://%s", image_ref_is_loopback(ref) ? "http" : "https", r->host);
    if (opts && opts->username) {
        r->username = strdup(opts->username);
        r->password = strdup(opts->password ? opts->password : "");
        if (r->username == NULL || r->password == NULL) {
            registry_free(r);
            return dd_error_set(err, DD_ENOMEM, "out of memory");
        }
    } else {
        load_docker_config(r);
    }
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return 0;
}

void registry_free(struct registry *r)
{
    if (r == NULL)
        return;
    free(r->host);
    free(r->repository);
    free(r->base);
    secure_free(r->username);
    secure_free(r->password);
    secure_free(r->authorization);
    auth_challenge_cleanup(&r->challenge);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

const char *registry_host(const struct registry *r)
{
    return r->host;
}

const char *registry_repository(const struct registry *r)
{
    return r->repository;
}

bool http_status_retryable(long status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
           status == 504;
}

bool curl_code_retryable(CURLcode c)
{
    switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

long retry_delay_ms(int attempt, const char *retry_after)
{
    if (retry_after && *retry_after) {
        char *end;
        errno = 0;
        long s = strtol(retry_after, &end, 10);
        if (errno == 0 && end != retry_after && s >= 0)
            return (s > 60 ? 60 : s) * 1000;
        struct tm tm = {0};
        if (strptime(retry_after, "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
            time_t when = timegm(&tm);
            long d = (long)(when - time(NULL));
            if (d < 0)
                d = 0;
            return (d > 60 ? 60 : d) * 1000;
        }
    }
    long base = 250L << (attempt > 6 ? 6 : attempt);
    if (base > 10000)
        base = 10000;
    /* full jitter on the upper half: spreads a fleet's retries */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned seed = (unsigned)ts.tv_nsec ^ (unsigned)attempt;
    return base / 2 + (long)(rand_r(&seed) % (unsigned)(base / 2 + 1));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

int registry_curl_error(CURLcode c, const char *errbuf, const char *what, struct dd_error *err)
{
    const char *detail = errbuf && errbuf[0] ? errbuf : curl_easy_strerror(c);
    switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return dd_error_set(err, DD_ENET, "%s: cannot resolve host (%s)", what, detail);
    case CURLE_COULDNT_CONNECT:
        return dd_error_set(err, DD_ENET, "%s: cannot connect (%s)", what, detail);
    case CURLE_OPERATION_TIMEDOUT:
        return dd_error_set(err, DD_ENET, "%s: timed out (%s)", what, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
        return dd_error_set(err, DD_ENET,
                            "%s: TLS failure (%s); use --insecure only for a registry you trust",
                            what, detail);
    default:
        return dd_error_set(err, DD_ENET, "%s: %s", what, detail);
    }
}

int registry_http_error(long status, const char *what, struct dd_error *err)
{
    switch (status) {
    case 401:
        return dd_error_set(err, DD_EAUTH,
                            "%s: unauthorized (HTTP 401): credentials missing or wrong", what);
    case 403:
        return dd_error_set(err, DD_EAUTH, "%s: access denied (HTTP 403)", what);
    case 404:
        return dd_error_set(err, DD_ENOTFOUND, "%s: not found (HTTP 404)", what);
    case 429:
        return dd_error_set(err, DD_EHTTP, "%s: rate limited (HTTP 429), retries exhausted", what);
    default:
        return dd_error_set(err, DD_EHTTP, "%s: unexpected HTTP status %ld", what, status);
    }
}

void registry_setup_easy(struct registry *r, CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_USERAGENT, r->opts.user_agent);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, r->opts.connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, r->opts.low_speed_time_s);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, NULL);
    if (r->opts.ca_file)
        curl_easy_setopt(easy, CURLOPT_CAINFO, r->opts.ca_file);
    if (r->opts.insecure) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

struct resp {
    struct buf *body;
    bool too_big;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ctx)
{
    struct resp *rs = ctx;
    if (buf_append(rs->body, p, sz * n) != 0) {
        rs->too_big = true;
        return 0;
    }
    return sz * n;
}

static char *header_dup(CURL *easy, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL)
        return NULL;
    return strdup(h->value);
}

/* One GET with retries on transient failures. Fills *status; headers read through easy. */
static int http_get(struct registry *r, CURL *easy, const char *url, struct curl_slist *hdrs,
                    const char *basic_user, const char *basic_pass, struct buf *body,
                    long timeout_ms, const char *what, long *status, struct dd_error *err)
{
    char errbuf[CURL_ERROR_SIZE];
    struct resp rs = {body, false};
    for (int attempt = 0;; attempt++) {
        curl_easy_reset(easy);
        registry_setup_easy(r, easy);
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &rs);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
        if (basic_user) {
            curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
            curl_easy_setopt(easy, CURLOPT_USERNAME, basic_user);
            curl_easy_setopt(easy, CURLOPT_PASSWORD, basic_pass ? basic_pass : "");
        }
        errbuf[0] = '\0';
        buf_reset(body);
        rs.too_big = false;
        CURLcode c = curl_easy_perform(easy);
        if (rs.too_big)
            return dd_error_set(err, DD_ETOOBIG, "%s: response larger than %zu bytes", what,
                                body->max);
        if (c != CURLE_OK) {
            if (curl_code_retryable(c) && attempt < r->opts.max_retries) {
                sleep_ms(retry_delay_ms(attempt, NULL));
                continue;
            }
            return registry_curl_error(c, errbuf, what, err);
        }
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, status);
        if (http_status_retryable(*status) && attempt < r->opts.max_retries) {
            char *ra = header_dup(easy, "Retry-After");
            long d = retry_delay_ms(attempt, ra);
            free(ra);
            sleep_ms(d);
            continue;
        }
        return 0;
    }
}

static int set_authorization(struct registry *r, const char *value)
{
    char *v = value ? strdup(value) : NULL;
    if (value && v == NULL)
        return DD_ENOMEM;
    pthread_mutex_lock(&r->lock);
    secure_free(r->authorization);
    r->authorization = v;
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static int fetch_token(struct registry *r, CURL *easy, const struct auth_challenge *ch,
                       struct dd_error *err)
{
    struct buf body;
    int rc = 0;
    char *url = NULL;
    char *token = NULL;
    buf_init(&body, TOKEN_MAX_BYTES);
    if (ch->realm == NULL ||
        (strncmp(ch->realm, "https://", 8) != 0 && strncmp(ch->realm, "http://", 7) != 0)) {
        rc = dd_error_set(err, DD_EAUTH, "registry %s: bearer challenge without a usable realm",
                          r->host);
        goto out;
    }
    struct buf u;
    buf_init(&u, 16384);
    char *svc = ch->service ? curl_easy_escape(easy, ch->service, 0) : NULL;
    char scope_raw[1024];
    if (r->opts.scope)
        snprintf(scope_raw, sizeof(scope_raw), "%s", r->opts.scope);
    else
        snprintf(scope_raw, sizeof(scope_raw), "repository:%s:pull", r->repository);
    char *scope = curl_easy_escape(easy, scope_raw, 0);
    rc = buf_printf(&u, "%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?");
    if (rc == 0 && svc)
        rc = buf_printf(&u, "service=%s&", svc);
    if (rc == 0)
        rc = buf_printf(&u, "scope=%s", scope ? scope : "");
    curl_free(svc);
    curl_free(scope);
    if (rc) {
        buf_cleanup(&u);
        rc = dd_error_set(err, rc, "token URL too long");
        goto out;
    }
    url = buf_take(&u, NULL);
    long status = 0;
    char what[300];
    snprintf(what, sizeof(what), "token for %s", r->repository);
    rc = http_get(r, easy, url, NULL, r->username, r->password, &body, r->opts.request_timeout_ms,
                  what, &status, err);
    if (rc)
        goto out;
    if (status == 401 || status == 403) {
        rc = dd_error_set(err, DD_EAUTH, "registry %s: token request refused (HTTP %ld): %s%s%s%s",
                          r->host, status,
                          r->username ? "wrong username or password" : "credentials required",
                          r->username || !r->opts.cred_hint ? "" : " (",
                          r->username || !r->opts.cred_hint ? "" : r->opts.cred_hint,
                          r->username || !r->opts.cred_hint ? "" : ")");
        goto out;
    }
    if (status != 200) {
        rc = registry_http_error(status, what, err);
        goto out;
    }
    int expires = 0;
    struct dd_error e = {0};
    if (auth_token_parse(body.data, body.len, &token, &expires, &e) != 0) {
        rc = dd_error_set(err, DD_EAUTH, "registry %s: bad token reply: %s", r->host, e.msg);
        goto out;
    }
    size_t hl = strlen(token) + 8;
    char *hv = malloc(hl);
    if (hv == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(hv, hl, "Bearer %s", token);
    rc = set_authorization(r, hv);
    secure_free(hv);
out:
    secure_free(token);
    free(url);
    if (body.data)
        memset(body.data, 0, body.len);
    buf_cleanup(&body);
    return rc;
}

static int use_basic(struct registry *r, struct dd_error *err)
{
    if (r->username == NULL)
        return dd_error_set(err, DD_EAUTH, "registry %s requires credentials%s%s%s", r->host,
                            r->opts.cred_hint ? " (" : "",
                            r->opts.cred_hint ? r->opts.cred_hint : "",
                            r->opts.cred_hint ? ")" : "");
    size_t ul = strlen(r->username), pl = strlen(r->password);
    char *raw = malloc(ul + pl + 2);
    if (raw == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    memcpy(raw, r->username, ul);
    raw[ul] = ':';
    memcpy(raw + ul + 1, r->password, pl + 1);
    char *b64 = base64_encode((const uint8_t *)raw, ul + pl + 1);
    secure_free(raw);
    if (b64 == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    size_t hl = strlen(b64) + 8;
    char *hv = malloc(hl);
    if (hv == NULL) {
        secure_free(b64);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    snprintf(hv, hl, "Basic %s", b64);
    secure_free(b64);
    int rc = set_authorization(r, hv);
    secure_free(hv);
    return rc ? dd_error_set(err, rc, "out of memory") : 0;
}

static int authenticate(struct registry *r, CURL *easy, const char *www, struct dd_error *err)
{
    struct auth_challenge ch = {0};
    struct dd_error e = {0};
    if (www == NULL || auth_challenge_parse(www, &ch, &e) != 0)
        return dd_error_set(err, DD_EAUTH, "registry %s: HTTP 401 without a usable challenge%s%s",
                            r->host, e.msg[0] ? ": " : "", e.msg);
    int rc;
    if (ch.scheme == AUTH_SCHEME_BEARER)
        rc = fetch_token(r, easy, &ch, err);
    else if (ch.scheme == AUTH_SCHEME_BASIC)
        rc = use_basic(r, err);
    else
        rc = dd_error_set(err, DD_EAUTH, "registry %s: unsupported auth scheme", r->host);
    auth_challenge_cleanup(&ch);
    return rc;
}

int registry_connect(struct registry *r, struct dd_error *err)
{
    if (r->connected)
        return 0;
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    struct buf body;
    buf_init(&body, 64 * 1024);
    char url[2048];
    char what[512];
    long status = 0;
    int rc;
    snprintf(url, sizeof(url), "%s/v2/", r->base);
    snprintf(what, sizeof(what), "registry %s", r->host);
    rc = http_get(r, easy, url, NULL, NULL, NULL, &body, r->opts.request_timeout_ms, what, &status,
                  err);
    if (rc == DD_ENET && r->opts.insecure && strncmp(r->base, "https://", 8) == 0 &&
        err->code == DD_ENET) {
        /* insecure registries may speak plain HTTP only */
        struct dd_error e2 = {0};
        char *hb = malloc(strlen(r->host) + 8);
        if (hb == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        sprintf(hb, "http://%s", r->host);
        snprintf(url, sizeof(url), "%s/v2/", hb);
        rc = http_get(r, easy, url, NULL, NULL, NULL, &body, r->opts.request_timeout_ms, what,
                      &status, &e2);
        if (rc == 0) {
            free(r->base);
            r->base = hb;
            dd_error_clear(err);
        } else {
            free(hb);
        }
    }
    if (rc)
        goto out;
    if (status == 401) {
        char *www = header_dup(easy, "WWW-Authenticate");
        rc = authenticate(r, easy, www, err);
        free(www);
        if (rc)
            goto out;
    } else if (status == 404) {
        rc = dd_error_set(err, DD_ENOTFOUND,
                          "%s does not serve the OCI distribution API (/v2/ 404)", r->host);
        goto out;
    } else if (status != 200) {
        rc = registry_http_error(status, what, err);
        goto out;
    } else if (r->username) {
        /* Anonymous access works; credentials are still sent if a request asks for them. */
    }
    r->connected = true;
out:
    buf_cleanup(&body);
    curl_easy_cleanup(easy);
    return rc;
}

int registry_reauth(struct registry *r, const char *www_authenticate, struct dd_error *err)
{
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    int rc = authenticate(r, easy, www_authenticate, err);
    curl_easy_cleanup(easy);
    return rc;
}

static struct curl_slist *auth_header(struct registry *r, struct curl_slist *l)
{
    pthread_mutex_lock(&r->lock);
    if (r->authorization) {
        size_t n = strlen(r->authorization) + 16;
        char *h = malloc(n);
        if (h) {
            snprintf(h, n, "Authorization: %s", r->authorization);
            struct curl_slist *nl = curl_slist_append(l, h);
            secure_free(h);
            if (nl)
                l = nl;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return l;
}

struct curl_slist *registry_blob_headers(struct registry *r, long long offset)
{
    struct curl_slist *l = auth_header(r, NULL);
    if (offset > 0) {
        char range[64];
        snprintf(range, sizeof(range), "Range: bytes=%lld-", offset);
        struct curl_slist *nl = curl_slist_append(l, range);
        if (nl)
            l = nl;
    }
    return l;
}

char *registry_blob_url(struct registry *r, const char *digest)
{
    size_t n = strlen(r->base) + strlen(r->repository) + strlen(digest) + 16;
    char *u = malloc(n);
    if (u)
        snprintf(u, n, "%s/v2/%s/blobs/%s", r->base, r->repository, digest);
    return u;
}

static void sha256_hex(const uint8_t *p, size_t n, char out[72])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    strcpy(out, "sha256:");
    for (int i = 0; i < 32; i++)
        snprintf(out + 7 + i * 2, 3, "%02x", md[i]);
}

/* GET with auth: on 401 run the token flow once and try again. */
static int authed_get(struct registry *r, CURL *easy, const char *url, struct curl_slist *extra,
                      struct buf *body, const char *what, long *status, struct dd_error *err)
{
    int rc = registry_connect(r, err);
    if (rc)
        return rc;
    for (int round = 0; round < 2; round++) {
        struct curl_slist *hdrs = NULL;
        for (struct curl_slist *s = extra; s; s = s->next)
            hdrs = curl_slist_append(hdrs, s->data);
        hdrs = auth_header(r, hdrs);
        rc = http_get(r, easy, url, hdrs, NULL, NULL, body, r->opts.request_timeout_ms, what,
                      status, err);
        curl_slist_free_all(hdrs);
        if (rc)
            return rc;
        if (*status != 401 || round == 1)
            return 0;
        char *www = header_dup(easy, "WWW-Authenticate");
        rc = authenticate(r, easy, www, err);
        free(www);
        if (rc)
            return rc;
    }
    return 0;
}

int registry_fetch_manifest(struct registry *r, const char *reference, struct buf *body,
                            char **content_type, char **digest, struct dd_error *err)
{
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    struct curl_slist *accept =
        curl_slist_append(NULL, "Accept: " MT_OCI_MANIFEST ", " MT_OCI_INDEX ", " MT_DOCKER_MANIFEST
                                ", " MT_DOCKER_LIST);
    char *url = NULL;
    char what[1024];
    long status = 0;
    int rc;
    size_t n = strlen(r->base) + strlen(r->repository) + strlen(reference) + 32;
    url = malloc(n);
    if (accept == NULL || url == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(url, n, "%s/v2/%s/manifests/%s", r->base, r->repository, reference);
    snprintf(what, sizeof(what), "manifest %s/%s%s%s", r->host, r->repository,
             reference[0] == 's' && strchr(reference, ':') ? "@" : ":", reference);
    rc = authed_get(r, easy, url, accept, body, what, &status, err);
    if (rc) {
        if (rc == DD_ETOOBIG)
            dd_error_prefix(err, "manifest over the %u byte cap: ", MANIFEST_MAX_BYTES);
        goto out;
    }
    if (status != 200) {
        rc = registry_http_error(status, what, err);
        goto out;
    }
    char dg[72];
    sha256_hex(body->data ? body->data : (const uint8_t *)"", body->len, dg);
    if (digest_is_valid(reference) && strcmp(dg, reference) != 0) {
        rc = dd_error_set(err, DD_EDIGEST, "%s: content digest is %s", what, dg);
        goto out;
    }
    char *ct = header_dup(easy, "Content-Type");
    char *d = strdup(dg);
    if (d == NULL) {
        free(ct);
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *content_type = ct;
    *digest = d;
out:
    free(url);
    curl_slist_free_all(accept);
    curl_easy_cleanup(easy);
    return rc;
}

int registry_fetch_blob(struct registry *r, const char *digest, struct buf *body,
                        struct dd_error *err)
{
    CURL *easy = curl_easy_init();
    if (easy == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    char what[512];
    long status = 0;
    int rc;
    char *url = registry_blob_url(r, digest);
    if (url == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(what, sizeof(what), "blob %.80s", digest);
    rc = authed_get(r, easy, url, NULL, body, what, &status, err);
    if (rc)
        goto out;
    if (status != 200) {
        rc = registry_http_error(status, what, err);
        goto out;
    }
    char dg[72];
    sha256_hex(body->data ? body->data : (const uint8_t *)"", body->len, dg);
    if (strcmp(dg, digest) != 0)
        rc = dd_error_set(err, DD_EDIGEST, "%s: digest mismatch (content is %.19s..)", what, dg);
out:
    free(url);
    curl_easy_cleanup(easy);
    return rc;
}
