/* rules.c - scan rule model, JSON codec, validation and matching (see rules.h).
 *
 * Design: one strict reader (scan_rule_from_json) serves both the API (stored = false) and
 * the Redis copy (stored = true), so a rule that was accepted once always loads again. The
 * reader checks every key against a fixed list (unknown keys are errors: a typo such as
 * "tag_regx" must not silently mean "all tags"), compiles the tag regex with PCRE2 and
 * parses the cron expression, so a rule in the store is always runnable.
 *
 * Invariants: a struct scan_rule from this module has a compiled regex, a valid scope, a
 * registry host, and notify is an array. Regex matching runs with a match limit and a depth
 * limit so a pathological pattern cannot pin a thread.
 *
 * Notify targets are checked per type (docs/rules.md): the URL scheme, caps on every string,
 * min_severity normalised to upper case, unknown keys rejected; the error names the field
 * and index ("notify[1].url: must start with https:// for type \"https\""). Their secrets are
 * kept (Redis is trusted, the notifier needs them); scan_rule_json_redact hides them and the
 * DingTalk access_token for API replies, scan_rule_json_unredact maps the placeholder of a
 * PUT back to the stored value before validation, which never accepts a placeholder (so any
 * accepted rule is storable as it is).
 *
 * It deliberately does not keep registry secrets: a "password" (or any unknown key) in
 * "registry" is rejected with a message pointing at credentials references. It does not
 * check that a ca_file exists: the notifier reads it, maybe on another host.
 */
#include "rules.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#define REGEX_MATCH_LIMIT 1000000u
#define REGEX_DEPTH_LIMIT 10000u

int random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof(raw))
        return DD_EINVAL;
    size_t got = 0;
    while (got < nbytes) {
        ssize_t n = getrandom(raw + got, nbytes - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        got += (size_t)n;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return 0;
}

static bool component_valid(const char *s, size_t n)
{
    if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool repo_name_valid(const char *s)
{
    size_t total = strlen(s);
    if (total == 0 || total > RULE_REPO_NAME_MAX)
        return false;
    const char *p = s;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!component_valid(p, n))
            return false;
        if (slash == NULL)
            return true;
        p = slash + 1;
    }
}

bool repo_split(const char *repository, size_t *ns_len, const char **rest_out)
{
    const char *slash = strchr(repository, '/');
    if (slash == NULL || slash == repository || slash[1] == '\0')
        return false;
    *ns_len = (size_t)(slash - repository);
    *rest_out = slash + 1;
    return true;
}

void scan_rule_free(struct scan_rule *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->namespace_);
    free(r->repository);
    free(r->tag_regex);
    pcre2_code_free(r->re);
    free(r->cron);
    json_decref(r->notify);
    free(r->registry_url);
    free(r->registry_host);
    free(r->credentials);
    free(r);
}

static bool key_allowed(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(key, allowed[i]) == 0)
            return true;
    return false;
}

/* Reject keys not in allowed; what names the object in the message. */
static int check_keys(json_t *obj, const char *const *allowed, const char *what,
                      struct dd_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (!key_allowed(key, allowed))
            return dd_error_set(err, DD_EINVAL, "%s: unknown field '%.64s'", what, key);
    }
    return 0;
}

/* Optional string field: absent -> *out NULL; present but not a string -> error. */
static int get_str(json_t *obj, const char *key, size_t max, const char *what, char **out,
                   struct dd_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return dd_error_set(err, DD_EINVAL, "%s%s: must be a string", what, key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n > max)
        return dd_error_set(err, DD_EINVAL, "%s%s: longer than %zu bytes", what, key, max);
    if (strlen(s) != n)
        return dd_error_set(err, DD_EINVAL, "%s%s: contains a NUL byte", what, key);
    *out = strdup(s);
    if (*out == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    return 0;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

/* "http://host[:port]" | "https://host" | "host[:port]" (a trailing '/' allowed, no path). */
static int parse_registry_url(const char *url, struct scan_rule *r, struct dd_error *err)
{
    const char *h = url;
    bool insecure = false;
    if (strncmp(h, "http://", 7) == 0) {
        h += 7;
        insecure = true;
    } else if (strncmp(h, "https://", 8) == 0) {
        h += 8;
    } else if (strstr(h, "://")) {
        return dd_error_set(err, DD_EINVAL, "registry.url: scheme must be http or https");
    }
    size_t n = strlen(h);
    if (n > 0 && h[n - 1] == '/')
        n--;
    if (n == 0 || n > 255)
        return dd_error_set(err, DD_EINVAL, "registry.url: missing or overlong host");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return dd_error_set(err, DD_EINVAL,
                                "registry.url: bad character in host (no path, user or query "
                                "allowed)");
    }
    r->registry_host = strndup(h, n);
    size_t ulen = (size_t)(h - url) + n;
    r->registry_url = strndup(url, ulen);
    if (r->registry_host == NULL || r->registry_url == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    r->registry_insecure = insecure;
    return 0;
}

static int compile_regex(struct scan_rule *r, struct dd_error *err)
{
    int errcode = 0;
    PCRE2_SIZE off = 0;
    r->re = pcre2_compile((PCRE2_SPTR)r->tag_regex, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode,
                          &off, NULL);
    if (r->re == NULL) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(errcode, msg, sizeof(msg)) < 0)
            snprintf((char *)msg, sizeof(msg), "error %d", errcode);
        return dd_error_set(err, DD_EINVAL, "tag_regex: %s at offset %zu", (const char *)msg,
                            (size_t)off);
    }
    return 0;
}

static int read_triggers(json_t *t, struct scan_rule *r, struct dd_error *err)
{
    static const char *const keys[] = {"manual", "on_push", "cron", NULL};
    if (t == NULL || json_is_null(t)) {
        r->manual = true;
        return 0;
    }
    if (!json_is_object(t))
        return dd_error_set(err, DD_EINVAL,
                            "triggers: must be an object like {\"manual\": true, \"on_push\": "
                            "true, \"cron\": \"0 3 * * *\"}");
    int rc = check_keys(t, keys, "triggers", err);
    if (rc)
        return rc;
    json_t *m = json_object_get(t, "manual");
    json_t *p = json_object_get(t, "on_push");
    if ((m && !json_is_boolean(m)) || (p && !json_is_boolean(p)))
        return dd_error_set(err, DD_EINVAL, "triggers: manual and on_push must be booleans");
    r->manual = m ? json_is_true(m) : true;
    r->on_push = p ? json_is_true(p) : false;
    rc = get_str(t, "cron", CRON_EXPR_MAX_BYTES - 1, "triggers.", &r->cron, err);
    if (rc)
        return rc;
    if (r->cron) {
        rc = cron_parse(r->cron, &r->cron_expr, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* --- notify targets (docs/rules.md) ---------------------------------------------------- */

#define PLACEHOLDER_MSG                                                                            \
    "\"" RULE_REDACTED "\" stands for a stored value: send it back only in a PUT whose stored "    \
    "rule has a target of the same type and URL"

static const char *const SEVERITIES[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN", NULL};

/* Optional string of target i: absent -> *out NULL; present: a string of 1..max printable
 * bytes without NUL. *out is borrowed from t. */
static int target_str(json_t *t, size_t i, const char *key, size_t max, const char **out,
                      struct dd_error *err)
{
    json_t *v = json_object_get(t, key);
    *out = NULL;
    if (v == NULL)
        return 0;
    if (!json_is_string(v))
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: must be a string", i, key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: must not be empty", i, key);
    if (n > max)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: longer than %zu bytes", i, key, max);
    if (strlen(s) != n || !printable(s))
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: contains control characters", i, key);
    *out = s;
    return 0;
}

/* The URL check shared by the three types: scheme(s), a host, no spaces, no user info (a
 * password in a URL ends up in logs; a target authenticates with "secret"). */
static int check_target_url(const char *url, size_t i, const char *key, const char *type,
                            struct dd_error *err)
{
    bool dingtalk = strcmp(type, "dingtalk") == 0;
    const char *h = NULL;
    if (strncmp(url, "https://", 8) == 0 && strcmp(type, "http") != 0)
        h = url + 8;
    else if (strncmp(url, "http://", 7) == 0 && strcmp(type, "https") != 0)
        h = url + 7;
    if (h == NULL)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: must start with %s for type \"%s\"", i,
                            key,
                            dingtalk                     ? "https:// or http://"
                            : strcmp(type, "https") == 0 ? "https://"
                                                         : "http://",
                            type);
    size_t hl = strcspn(h, "/?#");
    if (hl == 0)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: no host after the scheme", i, key);
    if (memchr(h, '@', hl))
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu].%s: user info in the URL is not accepted (give the key "
                            "in \"secret\")",
                            i, key);
    if (strpbrk(url, " \t"))
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: contains a space", i, key);
    if (strstr(url, RULE_REDACTED))
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: %s", i, key, PLACEHOLDER_MSG);
    return 0;
}

/* Validate notify[i] and return its normalised copy (min_severity upper case) in *out. */
static int read_target(json_t *t, size_t i, json_t **out, struct dd_error *err)
{
    static const char *const dingtalk_keys[] = {
        "type", "webhook_url", "secret", "min_severity", "only_on_change", "name", NULL};
    static const char *const http_keys[] = {"type",           "url",  "secret", "min_severity",
                                            "only_on_change", "name", NULL};
    static const char *const https_keys[] = {"type",           "url",  "secret",  "min_severity",
                                             "only_on_change", "name", "ca_file", NULL};
    const char *type = NULL, *url = NULL, *s = NULL;
    const char *const *keys;
    if (!json_is_object(t))
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu]: must be an object like {\"type\": \"http\", \"url\": "
                            "\"http://...\"}",
                            i);
    int rc = target_str(t, i, "type", 16, &type, err);
    if (rc)
        return rc;
    if (type == NULL)
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu].type: required (\"dingtalk\", \"http\" or \"https\")", i);
    if (strcmp(type, "dingtalk") == 0)
        keys = dingtalk_keys;
    else if (strcmp(type, "http") == 0)
        keys = http_keys;
    else if (strcmp(type, "https") == 0)
        keys = https_keys;
    else
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu].type: unknown type \"%s\" (\"dingtalk\", \"http\" or "
                            "\"https\")",
                            i, type);
    const char *key;
    json_t *v;
    json_object_foreach(t, key, v)
    {
        (void)v;
        if (key_allowed(key, keys))
            continue;
        if (strcmp(key, "ca_file") == 0)
            return dd_error_set(err, DD_EINVAL,
                                "notify[%zu].ca_file: only allowed for type \"https\"", i);
        if (strcmp(key, "url") == 0 || strcmp(key, "webhook_url") == 0)
            return dd_error_set(err, DD_EINVAL,
                                "notify[%zu].%s: not a field of type \"%s\" (use \"%s\")", i, key,
                                type, keys == dingtalk_keys ? "webhook_url" : "url");
        return dd_error_set(err, DD_EINVAL, "notify[%zu]: unknown field '%.64s' for type \"%s\"", i,
                            key, type);
    }
    const char *ukey = keys == dingtalk_keys ? "webhook_url" : "url";
    if ((rc = target_str(t, i, ukey, NOTIFY_URL_MAX, &url, err)) != 0)
        return rc;
    if (url == NULL)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].%s: required for type \"%s\"", i, ukey,
                            type);
    if ((rc = check_target_url(url, i, ukey, type, err)) != 0)
        return rc;
    if ((rc = target_str(t, i, "secret", NOTIFY_SECRET_MAX, &s, err)) != 0)
        return rc;
    if (s && strcmp(s, RULE_REDACTED) == 0)
        return dd_error_set(err, DD_EINVAL, "notify[%zu].secret: %s", i, PLACEHOLDER_MSG);
    if ((rc = target_str(t, i, "name", NOTIFY_NAME_MAX, &s, err)) != 0)
        return rc;
    if ((rc = target_str(t, i, "ca_file", NOTIFY_CA_FILE_MAX, &s, err)) != 0)
        return rc;
    if (s && s[0] != '/')
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu].ca_file: must be an absolute path (read by the notifier)",
                            i);
    json_t *oc = json_object_get(t, "only_on_change");
    if (oc && !json_is_boolean(oc))
        return dd_error_set(err, DD_EINVAL, "notify[%zu].only_on_change: must be a boolean", i);
    if ((rc = target_str(t, i, "min_severity", 16, &s, err)) != 0)
        return rc;
    const char *sev = NULL;
    for (size_t k = 0; s && SEVERITIES[k]; k++)
        if (strcasecmp(s, SEVERITIES[k]) == 0)
            sev = SEVERITIES[k];
    if (s && sev == NULL)
        return dd_error_set(err, DD_EINVAL,
                            "notify[%zu].min_severity: must be one of CRITICAL, HIGH, MEDIUM, LOW, "
                            "UNKNOWN",
                            i);
    json_t *copy = json_deep_copy(t);
    if (copy == NULL || (sev && json_object_set_new(copy, "min_severity", json_string(sev)))) {
        json_decref(copy);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    *out = copy;
    return 0;
}

static int read_notify(json_t *n, struct scan_rule *r, struct dd_error *err)
{
    if (n == NULL || json_is_null(n)) {
        r->notify = json_array();
        return r->notify ? 0 : dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    if (!json_is_array(n))
        return dd_error_set(err, DD_EINVAL, "notify: must be an array of objects");
    if (json_array_size(n) > RULE_NOTIFY_MAX)
        return dd_error_set(err, DD_EINVAL, "notify: more than %d targets", RULE_NOTIFY_MAX);
    json_t *arr = json_array();
    if (arr == NULL)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    size_t i;
    json_t *v;
    json_array_foreach(n, i, v)
    {
        json_t *t = NULL;
        int rc = read_target(v, i, &t, err);
        if (rc == 0 && json_array_append_new(arr, t) != 0)
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        if (rc) {
            json_decref(arr);
            return rc;
        }
    }
    r->notify = arr;
    return 0;
}

/* The URL of a target with a dingtalk query string replaced by "?<redacted>" (new string). */
static char *redacted_url(const char *type, const char *url)
{
    const char *q = strchr(url, '?');
    if (strcmp(type, "dingtalk") != 0 || q == NULL)
        return strdup(url);
    size_t n = (size_t)(q - url);
    char *o = malloc(n + sizeof("?" RULE_REDACTED));
    if (o) {
        memcpy(o, url, n);
        memcpy(o + n, "?" RULE_REDACTED, sizeof("?" RULE_REDACTED));
    }
    return o;
}

static const char *target_url(json_t *t)
{
    const char *u = json_string_value(json_object_get(t, "url"));
    return u ? u : json_string_value(json_object_get(t, "webhook_url"));
}

int scan_rule_json_redact(json_t *rule)
{
    json_t *n = json_object_get(rule, "notify");
    size_t i;
    json_t *t;
    json_array_foreach(n, i, t)
    {
        const char *type = json_string_value(json_object_get(t, "type"));
        if (json_object_get(t, "secret") &&
            json_object_set_new(t, "secret", json_string(RULE_REDACTED)) != 0)
            return DD_ENOMEM;
        const char *url = json_string_value(json_object_get(t, "webhook_url"));
        if (type && url && strcmp(type, "dingtalk") == 0) {
            char *red = redacted_url(type, url);
            if (red == NULL || json_object_set_new(t, "webhook_url", json_string(red)) != 0) {
                free(red);
                return DD_ENOMEM;
            }
            free(red);
        }
    }
    return 0;
}

/* Does stored target s match given target g? Same type; same URL, or (when g's URL is the
 * redacted form) the same redacted URL. */
static bool target_same(json_t *g, json_t *s)
{
    if (!json_is_object(g) || !json_is_object(s))
        return false;
    const char *gt = json_string_value(json_object_get(g, "type"));
    const char *st = json_string_value(json_object_get(s, "type"));
    const char *gu = target_url(g), *su = target_url(s);
    if (!gt || !st || !gu || !su || strcmp(gt, st) != 0)
        return false;
    if (strcmp(gu, su) == 0)
        return true;
    if (strstr(gu, RULE_REDACTED) == NULL)
        return false;
    char *red = redacted_url(st, su);
    bool same = red && strcmp(red, gu) == 0;
    free(red);
    return same;
}

int scan_rule_json_unredact(json_t *rule, json_t *stored_notify)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(rule, "notify"), i, t)
    {
        const char *sec = json_string_value(json_object_get(t, "secret"));
        const char *url = target_url(t);
        bool sec_ph = sec && strcmp(sec, RULE_REDACTED) == 0;
        bool url_ph = url && strstr(url, RULE_REDACTED) != NULL;
        if (!sec_ph && !url_ph)
            continue;
        json_t *match = NULL;
        json_t *same_index = json_array_get(stored_notify, i);
        if (same_index && target_same(t, same_index)) {
            match = same_index;
        } else {
            size_t j;
            json_t *s;
            json_array_foreach(stored_notify, j, s)
            {
                if (target_same(t, s)) {
                    match = s;
                    break;
                }
            }
        }
        if (match == NULL)
            continue; /* the placeholder stays: validation rejects it */
        if (url_ph) {
            const char *key = json_object_get(t, "url") ? "url" : "webhook_url";
            if (json_object_set_new(t, key, json_string(target_url(match))) != 0)
                return DD_ENOMEM;
        }
        json_t *ssec = json_object_get(match, "secret");
        if (sec_ph && json_is_string(ssec) &&
            json_object_set_new(t, "secret", json_copy(ssec)) != 0)
            return DD_ENOMEM;
    }
    return 0;
}

static int read_registry(json_t *g, struct scan_rule *r, struct dd_error *err)
{
    static const char *const keys[] = {"url", "credentials", NULL};
    if (!json_is_object(g))
        return dd_error_set(err, DD_EINVAL,
                            "registry: must be an object {\"url\": ..., \"credentials\": NAME}");
    if (json_object_get(g, "password") || json_object_get(g, "username") ||
        json_object_get(g, "token"))
        return dd_error_set(err, DD_EINVAL,
                            "registry: secrets are not accepted in rules; name a credentials "
                            "entry of the scheduler config in registry.credentials");
    int rc = check_keys(g, keys, "registry", err);
    if (rc)
        return rc;
    char *url = NULL;
    rc = get_str(g, "url", 300, "registry.", &url, err);
    if (rc)
        return rc;
    if (url == NULL)
        return dd_error_set(err, DD_EINVAL, "registry.url: required");
    rc = parse_registry_url(url, r, err);
    free(url);
    if (rc)
        return rc;
    rc = get_str(g, "credentials", 128, "registry.", &r->credentials, err);
    if (rc)
        return rc;
    if (r->credentials && (r->credentials[0] == '\0' || !printable(r->credentials)))
        return dd_error_set(err, DD_EINVAL, "registry.credentials: empty or not printable");
    return 0;
}

static int read_ms(json_t *obj, const char *key, int64_t *out, struct dd_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return dd_error_set(err, DD_EINVAL, "%s: must be a non-negative integer (ms)", key);
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int scan_rule_from_json(json_t *obj, bool stored, struct scan_rule **out, struct dd_error *err)
{
    static const char *const api_keys[] = {"name",      "scope",    "namespace", "repository",
                                           "tag_regex", "triggers", "notify",    "registry",
                                           "enabled",   NULL};
    static const char *const stored_keys[] = {
        "name",     "scope",   "namespace", "repository", "tag_regex",  "triggers", "notify",
        "registry", "enabled", "id",        "created_at", "updated_at", NULL};
    int rc = 0;
    char *scope = NULL;
    struct scan_rule *r = NULL;
    if (!json_is_object(obj)) {
        rc = dd_error_set(err, DD_EINVAL, "rule: must be a JSON object");
        goto out;
    }
    if (!stored && (json_object_get(obj, "id") || json_object_get(obj, "created_at") ||
                    json_object_get(obj, "updated_at"))) {
        rc = dd_error_set(err, DD_EINVAL, "id, created_at and updated_at are set by the server");
        goto out;
    }
    rc = check_keys(obj, stored ? stored_keys : api_keys, "rule", err);
    if (rc)
        goto out;
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    if (stored) {
        json_t *id = json_object_get(obj, "id");
        const char *ids = json_string_value(id);
        if (ids == NULL || strlen(ids) != RULE_ID_HEX_LEN ||
            strspn(ids, "0123456789abcdef") != RULE_ID_HEX_LEN) {
            rc = dd_error_set(err, DD_EINVAL, "id: must be %d lowercase hex digits",
                              RULE_ID_HEX_LEN);
            goto out;
        }
        memcpy(r->id, ids, RULE_ID_HEX_LEN + 1);
        if ((rc = read_ms(obj, "created_at", &r->created_at_ms, err)) != 0 ||
            (rc = read_ms(obj, "updated_at", &r->updated_at_ms, err)) != 0)
            goto out;
    }
    if ((rc = get_str(obj, "name", RULE_NAME_MAX, "", &r->name, err)) != 0)
        goto out;
    if (r->name == NULL || r->name[0] == '\0' || !printable(r->name)) {
        rc = dd_error_set(err, DD_EINVAL, "name: required, printable, at most %d bytes",
                          RULE_NAME_MAX);
        goto out;
    }
    if ((rc = get_str(obj, "scope", 32, "", &scope, err)) != 0)
        goto out;
    if (scope == NULL || (strcmp(scope, "namespace") != 0 && strcmp(scope, "repository") != 0)) {
        rc = dd_error_set(err, DD_EINVAL, "scope: must be \"namespace\" or \"repository\"");
        goto out;
    }
    r->scope = strcmp(scope, "namespace") == 0 ? RULE_SCOPE_NAMESPACE : RULE_SCOPE_REPOSITORY;
    if ((rc = get_str(obj, "namespace", RULE_REPO_NAME_MAX, "", &r->namespace_, err)) != 0)
        goto out;
    if (r->namespace_ == NULL || strchr(r->namespace_, '/') || !repo_name_valid(r->namespace_)) {
        rc = dd_error_set(err, DD_EINVAL,
                          "namespace: required; one path component of lowercase letters, "
                          "digits, '.', '_' or '-'");
        goto out;
    }
    if ((rc = get_str(obj, "repository", RULE_REPO_NAME_MAX, "", &r->repository, err)) != 0)
        goto out;
    if (r->scope == RULE_SCOPE_REPOSITORY) {
        if (r->repository == NULL || !repo_name_valid(r->repository) ||
            strlen(r->namespace_) + 1 + strlen(r->repository) > RULE_REPO_NAME_MAX) {
            rc = dd_error_set(err, DD_EINVAL,
                              "repository: required for scope \"repository\"; the path after "
                              "the namespace, e.g. \"web\" or \"team/web\"");
            goto out;
        }
    } else if (r->repository) {
        rc = dd_error_set(err, DD_EINVAL,
                          "repository: not allowed with scope \"namespace\" (use scope "
                          "\"repository\")");
        goto out;
    }
    if ((rc = get_str(obj, "tag_regex", RULE_REGEX_MAX_BYTES, "", &r->tag_regex, err)) != 0)
        goto out;
    if (r->tag_regex == NULL && (r->tag_regex = strdup(".*")) == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = compile_regex(r, err)) != 0)
        goto out;
    if ((rc = read_triggers(json_object_get(obj, "triggers"), r, err)) != 0)
        goto out;
    if ((rc = read_notify(json_object_get(obj, "notify"), r, err)) != 0)
        goto out;
    if ((rc = read_registry(json_object_get(obj, "registry"), r, err)) != 0)
        goto out;
    json_t *en = json_object_get(obj, "enabled");
    if (en && !json_is_boolean(en)) {
        rc = dd_error_set(err, DD_EINVAL, "enabled: must be a boolean");
        goto out;
    }
    r->enabled = en ? json_is_true(en) : true;
    *out = r;
    r = NULL;
out:
    free(scope);
    scan_rule_free(r);
    return rc;
}

int scan_rule_parse(const char *text, size_t len, bool stored, struct scan_rule **out,
                    struct dd_error *err)
{
    if (len > RULE_JSON_MAX_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "rule: larger than %d bytes", RULE_JSON_MAX_BYTES);
    json_error_t je;
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (obj == NULL)
        return dd_error_set(err, DD_EINVAL, "rule: bad JSON at line %d column %d: %s", je.line,
                            je.column, je.text);
    int rc = scan_rule_from_json(obj, stored, out, err);
    json_decref(obj);
    return rc;
}

json_t *scan_rule_to_json(const struct scan_rule *r)
{
    json_t *trig = json_pack("{s:b, s:b}", "manual", r->manual, "on_push", r->on_push);
    if (trig && r->cron)
        json_object_set_new(trig, "cron", json_string(r->cron));
    json_t *reg = json_pack("{s:s}", "url", r->registry_url);
    if (reg && r->credentials)
        json_object_set_new(reg, "credentials", json_string(r->credentials));
    if (trig == NULL || reg == NULL) {
        json_decref(trig);
        json_decref(reg);
        return NULL;
    }
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:O, s:o, s:b, s:I, s:I}", "id", r->id, "name",
                  r->name, "scope", r->scope == RULE_SCOPE_NAMESPACE ? "namespace" : "repository",
                  "namespace", r->namespace_, "repository", r->repository, "triggers", trig,
                  "notify", r->notify, "registry", reg, "enabled", r->enabled, "created_at",
                  (json_int_t)r->created_at_ms, "updated_at", (json_int_t)r->updated_at_ms);
    if (o)
        json_object_set_new(o, "tag_regex", json_string(r->tag_regex));
    return o;
}

bool scan_rule_in_scope(const struct scan_rule *r, const char *repository)
{
    size_t ns_len;
    const char *rest;
    if (!repo_split(repository, &ns_len, &rest))
        return false;
    if (strlen(r->namespace_) != ns_len || strncmp(r->namespace_, repository, ns_len) != 0)
        return false;
    if (r->scope == RULE_SCOPE_NAMESPACE)
        return true;
    return strcmp(r->repository, rest) == 0;
}

int scan_rule_match_tag(const struct scan_rule *r, const char *tag)
{
    int ret;
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->re, NULL);
    if (mc == NULL || md == NULL) {
        ret = DD_ENOMEM;
        goto out;
    }
    pcre2_set_match_limit(mc, REGEX_MATCH_LIMIT);
    pcre2_set_depth_limit(mc, REGEX_DEPTH_LIMIT);
    int rc = pcre2_match(r->re, (PCRE2_SPTR)tag, PCRE2_ZERO_TERMINATED, 0, 0, md, mc);
    if (rc >= 0)
        ret = 1;
    else if (rc == PCRE2_ERROR_NOMATCH)
        ret = 0;
    else if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT)
        ret = DD_ELIMIT;
    else
        ret = DD_EINVAL; /* e.g. a tag that is not valid UTF-8 */
out:
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return ret;
}
