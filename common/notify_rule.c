/* notify_rule.c - the notifier's reading of a rule's "notify" array (see notify_rule.h).
 *
 * Design: jansson parses the rule (duplicates rejected); each target is checked on its own and
 * a bad one is kept, marked invalid with a reason that names the index and the field (never
 * the value of a secret or a URL). URL checks are only the scheme per type and the caps; curl
 * does the rest and refuses other protocols (the daemon restricts CURLOPT_PROTOCOLS).
 *
 * Invariants: out-parameters untouched on failure; every string copied is capped; a valid
 * target has a non-NULL url and name.
 *
 * Not here: the scheduler's full validation (unknown keys, redaction): scheduler/rules.c.
 */
#include "notify_rule.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const SEV_NAMES[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

const char *notify_type_name(enum notify_type t)
{
    switch (t) {
    case NOTIFY_TYPE_DINGTALK:
        return "dingtalk";
    case NOTIFY_TYPE_HTTP:
        return "http";
    case NOTIFY_TYPE_HTTPS:
        return "https";
    }
    return "unknown";
}

enum notify_severity notify_severity_parse(const char *s)
{
    for (int i = 0; s && i < 5; i++)
        if (strcasecmp(s, SEV_NAMES[i]) == 0)
            return (enum notify_severity)i;
    return NOTIFY_SEV_NONE;
}

const char *notify_severity_name(enum notify_severity s)
{
    return s >= NOTIFY_SEV_UNKNOWN && s <= NOTIFY_SEV_CRITICAL ? SEV_NAMES[s] : "NONE";
}

bool notify_min_severity_met(enum queue_status status, const struct queue_counts *c,
                             enum notify_severity min)
{
    if (min == NOTIFY_SEV_NONE || status == QUEUE_STATUS_FAILED)
        return true;
    const uint32_t by_level[5] = {c->unknown, c->low, c->medium, c->high, c->critical};
    for (int i = (int)min; i <= (int)NOTIFY_SEV_CRITICAL; i++)
        if (i >= 0 && by_level[i] > 0)
            return true;
    return false;
}

static void target_invalid(struct notify_target *t, size_t idx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void target_invalid(struct notify_target *t, size_t idx, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(t->reason, sizeof(t->reason), "notify[%zu].", idx);
    if (n < 0 || (size_t)n >= sizeof(t->reason))
        n = 0;
    va_start(ap, fmt);
    vsnprintf(t->reason + n, sizeof(t->reason) - (size_t)n, fmt, ap);
    va_end(ap);
    t->valid = false;
}

/* A string member: absent -> *out NULL and 0; wrong type, too long, NUL inside -> -1. */
static int get_str(json_t *obj, const char *key, size_t max, char **out)
{
    json_t *v = json_object_get(obj, key); /* borrowed */
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return -1;
    *out = strdup(json_string_value(v));
    return *out ? 0 : -2;
}

static bool starts_with(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

static bool url_has_host(const char *url)
{
    const char *h = strstr(url, "://");
    return h && h[3] != '\0' && h[3] != '/' && h[3] != '?' && h[3] != '#';
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == ' ')
            return true;
    return false;
}

/* Fill t from obj; returns DD_ENOMEM only: every data problem marks t invalid. */
static int target_parse(json_t *obj, size_t idx, struct notify_target *t)
{
    char *type = NULL, *sev = NULL;
    int rc = 0, r;
    memset(t, 0, sizeof(*t));
    t->valid = true;
    t->min_severity = NOTIFY_SEV_NONE;
    if (!json_is_object(obj)) {
        target_invalid(t, idx, "type: target is not an object");
        return 0;
    }
    if ((r = get_str(obj, "type", 16, &type)) != 0 || type == NULL) {
        if (r == -2)
            return DD_ENOMEM;
        target_invalid(t, idx, "type: missing or not a short string");
        goto out;
    }
    if (strcmp(type, "dingtalk") == 0)
        t->type = NOTIFY_TYPE_DINGTALK;
    else if (strcmp(type, "http") == 0)
        t->type = NOTIFY_TYPE_HTTP;
    else if (strcmp(type, "https") == 0)
        t->type = NOTIFY_TYPE_HTTPS;
    else {
        target_invalid(t, idx, "type: unknown target type");
        goto out;
    }
    const char *url_key = t->type == NOTIFY_TYPE_DINGTALK ? "webhook_url" : "url";
    r = get_str(obj, url_key, NOTIFY_URL_MAX, &t->url);
    if (r == -2)
        goto oom;
    if (r || t->url == NULL || t->url[0] == '\0') {
        target_invalid(t, idx, "%s: missing, not a string or longer than %d bytes", url_key,
                       NOTIFY_URL_MAX);
        goto out;
    }
    bool scheme_ok = t->type == NOTIFY_TYPE_HTTP ? starts_with(t->url, "http://")
                     : t->type == NOTIFY_TYPE_HTTPS
                         ? starts_with(t->url, "https://")
                         : starts_with(t->url, "https://") || starts_with(t->url, "http://");
    if (!scheme_ok || !url_has_host(t->url) || has_ctl(t->url)) {
        target_invalid(t, idx, "%s: not a valid %s URL for type \"%s\"", url_key,
                       t->type == NOTIFY_TYPE_HTTP ? "http://" : "https://", type);
        goto out;
    }
    r = get_str(obj, "secret", NOTIFY_SECRET_MAX, &t->secret);
    if (r == -2)
        goto oom;
    if (r) {
        target_invalid(t, idx, "secret: not a string or longer than %d bytes", NOTIFY_SECRET_MAX);
        goto out;
    }
    if (t->secret && t->secret[0] == '\0') {
        free(t->secret);
        t->secret = NULL;
    }
    r = get_str(obj, "ca_file", NOTIFY_CA_FILE_MAX, &t->ca_file);
    if (r == -2)
        goto oom;
    if (r || (t->ca_file && (t->type != NOTIFY_TYPE_HTTPS || t->ca_file[0] == '\0'))) {
        target_invalid(t, idx, "ca_file: only a non-empty path on an https target");
        goto out;
    }
    r = get_str(obj, "name", NOTIFY_NAME_MAX, &t->name);
    if (r == -2)
        goto oom;
    if (r) {
        target_invalid(t, idx, "name: not a string or longer than %d bytes", NOTIFY_NAME_MAX);
        goto out;
    }
    if (t->name == NULL && (t->name = strdup("")) == NULL)
        goto oom;
    r = get_str(obj, "min_severity", 16, &sev);
    if (r == -2)
        goto oom;
    if (r || (sev && (t->min_severity = notify_severity_parse(sev)) == NOTIFY_SEV_NONE)) {
        target_invalid(t, idx, "min_severity: one of CRITICAL HIGH MEDIUM LOW UNKNOWN");
        goto out;
    }
    json_t *ooc = json_object_get(obj, "only_on_change"); /* borrowed */
    if (ooc && !json_is_boolean(ooc) && !json_is_null(ooc)) {
        target_invalid(t, idx, "only_on_change: not a boolean");
        goto out;
    }
    t->only_on_change = json_is_true(ooc);
    goto out;
oom:
    rc = DD_ENOMEM;
out:
    if (t->valid && t->url)
        notify_target_key(t->type, t->url, t->key);
    else
        snprintf(t->key, sizeof(t->key), "invalid%zu", idx);
    free(type);
    free(sev);
    return rc;
}

void notify_target_key(enum notify_type type, const char *url, char out[NOTIFY_TARGET_KEY_LEN + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char buf[NOTIFY_URL_MAX + 32];
    int len = snprintf(buf, sizeof(buf), "%s\n%s", notify_type_name(type), url);
    if (len < 0 || (size_t)len >= sizeof(buf) ||
        EVP_Digest(buf, (size_t)len, md, &n, EVP_sha256(), NULL) != 1 || n < 8) {
        snprintf(out, NOTIFY_TARGET_KEY_LEN + 1, "unhashable");
        return;
    }
    for (size_t i = 0; i < NOTIFY_TARGET_KEY_LEN / 2; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void target_cleanup(struct notify_target *t)
{
    free(t->url);
    if (t->secret) {
        memset(t->secret, 0, strlen(t->secret));
        free(t->secret);
    }
    free(t->ca_file);
    free(t->name);
    memset(t, 0, sizeof(*t));
}

void notify_rule_cleanup(struct notify_rule *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_targets; i++)
        target_cleanup(&r->targets[i]);
    free(r->targets);
    free(r->id);
    free(r->name);
    memset(r, 0, sizeof(*r));
}

int notify_rule_parse(const char *text, size_t len, struct notify_rule *out, struct dd_error *err)
{
    struct notify_rule r = {0};
    json_t *root = NULL; /* owned */
    json_error_t je;
    int rc = DD_EPARSE;
    if (text == NULL || len > NOTIFY_RULE_MAX_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "rule larger than %d bytes", NOTIFY_RULE_MAX_BYTES);
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL || !json_is_object(root)) {
        dd_error_set(err, DD_EPARSE, "rule is not a JSON object");
        goto out;
    }
    int g1 = get_str(root, "id", QUEUE_MAX_ID, &r.id), g2 = get_str(root, "name", 1024, &r.name);
    if (g1 == -2 || g2 == -2) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    if (g1 || g2) {
        dd_error_set(err, DD_EPARSE, "rule id or name is not a string");
        goto out;
    }
    if ((r.id == NULL && (r.id = strdup("")) == NULL) ||
        (r.name == NULL && (r.name = strdup("")) == NULL)) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    json_t *en = json_object_get(root, "enabled"); /* borrowed */
    if (en && !json_is_boolean(en)) {
        dd_error_set(err, DD_EPARSE, "rule enabled is not a boolean");
        goto out;
    }
    r.enabled = en == NULL || json_is_true(en);
    json_t *arr = json_object_get(root, "notify"); /* borrowed */
    if (arr && !json_is_null(arr)) {
        if (!json_is_array(arr) || json_array_size(arr) > NOTIFY_TARGETS_MAX) {
            dd_error_set(err, DD_EPARSE, "rule notify is not an array of at most %d targets",
                         NOTIFY_TARGETS_MAX);
            goto out;
        }
        size_t n = json_array_size(arr);
        if (n) {
            r.targets = calloc(n, sizeof(*r.targets));
            if (r.targets == NULL) {
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto out;
            }
        }
        for (size_t i = 0; i < n; i++) {
            r.n_targets = i + 1;
            if (target_parse(json_array_get(arr, i), i, &r.targets[i]) != 0) {
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto out;
            }
        }
    }
    *out = r;
    memset(&r, 0, sizeof(r));
    rc = 0;
out:
    notify_rule_cleanup(&r);
    json_decref(root);
    return rc;
}

int notify_url_redact(const char *url, char **out)
{
    const char *sch = url ? strstr(url, "://") : NULL;
    if (sch == NULL)
        return DD_EINVAL;
    const char *auth = sch + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', auth_len);
    /* user info may itself contain '@'-free text; take the last '@' of the authority */
    for (const char *p = at; p && p < auth + auth_len;) {
        at = p;
        p = memchr(p + 1, '@', (size_t)(auth + auth_len - (p + 1)));
    }
    const char *host = at ? at + 1 : auth;
    size_t path_len = strcspn(host, "?#");
    bool redacted = host[path_len] != '\0';
    size_t cap = (size_t)(sch + 3 - url) + path_len + 16;
    char *o = malloc(cap);
    if (o == NULL)
        return DD_ENOMEM;
    snprintf(o, cap, "%.*s%.*s%s", (int)(sch + 3 - url), url, (int)path_len, host,
             redacted ? "?<redacted>" : "");
    *out = o;
    return 0;
}
