/* rules.h - scan rules: the model, its JSON form, validation and matching.
 *
 * A rule names what to scan (a namespace, or one repository, and a tag regex), when (manual,
 * on_push, cron), where (registry URL + the NAME of a credentials entry in the scheduler's
 * config: registry secrets never live in a rule) and whom to tell (notify: up to 32 targets
 * of type dingtalk, http or https, validated here and read by drydock-notifier). Notify
 * targets may carry a secret (HMAC key, DingTalk signing secret): Redis keeps it, the API
 * never returns it (scan_rule_json_redact), and a PUT that sends the placeholder back keeps
 * the stored value (scan_rule_json_unredact). Repository names follow the registry model:
 * namespace = the first path component, repository = the rest ("apps/web/api" -> "apps" +
 * "web/api").
 *
 * JSON (docs/rules.md):
 *   {"id": "<16 hex>", "name": "web", "scope": "namespace" | "repository",
 *    "namespace": "apps", "repository": "web", "tag_regex": "^1\\.",
 *    "triggers": {"manual": true, "on_push": true, "cron": "0 3 * * *"},
 *    "notify": [{"type": "http", "url": "http://hooks/dd", "secret": "k", "name": "ops",
 *                "min_severity": "HIGH", "only_on_change": false}],
 *    "registry": {"url": "http://127.0.0.1:5000", "credentials": "ci-pull"},
 *    "enabled": true, "created_at": <ms>, "updated_at": <ms>}
 */
#ifndef DD_SCHED_RULES_H
#define DD_SCHED_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cron.h"
#include "err.h"

#define RULE_ID_HEX_LEN      16
#define RULE_NAME_MAX        128
#define RULE_REGEX_MAX_BYTES 1024
#define RULE_NOTIFY_MAX      32
#define RULE_JSON_MAX_BYTES  65536
#define RULE_REPO_NAME_MAX   255

/* Notify targets (docs/rules.md). */
#define RULE_REDACTED      "<redacted>" /* what the API shows instead of a secret */
#define NOTIFY_URL_MAX     2048
#define NOTIFY_SECRET_MAX  256
#define NOTIFY_NAME_MAX    128
#define NOTIFY_CA_FILE_MAX 1024

enum rule_scope { RULE_SCOPE_NAMESPACE = 0, RULE_SCOPE_REPOSITORY = 1 };

struct scan_rule {
    char id[RULE_ID_HEX_LEN + 1];
    char *name;
    enum rule_scope scope;
    char *namespace_; /* first path component */
    char *repository; /* the rest; NULL for namespace scope */
    char *tag_regex;  /* source text */
    pcre2_code *re;   /* compiled tag_regex; read-only, shareable between threads */
    bool manual, on_push;
    char *cron; /* NULL when there is no cron trigger */
    struct cron_expr cron_expr;
    json_t *notify;         /* owned; a JSON array of objects */
    char *registry_url;     /* as given, normalised without a trailing '/' */
    char *registry_host;    /* host[:port] */
    bool registry_insecure; /* the URL said http:// */
    char *credentials;      /* credentials reference name or NULL */
    bool enabled;
    int64_t created_at_ms, updated_at_ms;
};

/* Build a rule from parsed JSON (borrowed). With stored = false (API input) the server-side
 * fields id/created_at/updated_at are rejected; with stored = true they are read. Unknown
 * fields, wrong types, bad names, a bad regex (PCRE2 message and offset) or a bad cron
 * expression are DD_EINVAL with a message in err. */
int scan_rule_from_json(json_t *obj, bool stored, struct scan_rule **out, struct dd_error *err);
/* Same from text (capped at RULE_JSON_MAX_BYTES). */
int scan_rule_parse(const char *text, size_t len, bool stored, struct scan_rule **out,
                    struct dd_error *err);
/* The JSON form (new reference); NULL on ENOMEM. */
json_t *scan_rule_to_json(const struct scan_rule *r);
void scan_rule_free(struct scan_rule *r);

/* Redact a rule's JSON form in place for an API reply: every notify "secret" becomes
 * "<redacted>", and the query string of a dingtalk "webhook_url" (its access_token) becomes
 * "?<redacted>". 0 or DD_ENOMEM. */
int scan_rule_json_redact(json_t *rule);
/* Before validation of an API body (rule JSON, modified in place): a notify target whose
 * secret is "<redacted>" or whose dingtalk webhook_url carries "?<redacted>" takes the secret
 * / URL of the stored target (stored_notify: the stored rule's "notify" array, borrowed, NULL
 * for a new rule) with the same type and URL (compared in redacted form when the URL is
 * redacted), preferring the same index. A placeholder without such a target is left for
 * scan_rule_from_json to reject (it never accepts one). 0 or DD_ENOMEM. */
int scan_rule_json_unredact(json_t *rule, json_t *stored_notify);

/* True when repository ("ns/rest") lies in the rule's scope. */
bool scan_rule_in_scope(const struct scan_rule *r, const char *repository);
/* 1 when tag matches the tag regex, 0 when not, negative DD_E* when the match itself failed
 * (e.g. the PCRE2 match limit: a pathological regex). */
int scan_rule_match_tag(const struct scan_rule *r, const char *tag);

/* Split "ns/rest" at the first '/'; *rest_out points into repository. False when there is no
 * '/' (a single-component repository has no namespace in this model). */
bool repo_split(const char *repository, size_t *ns_len, const char **rest_out);
/* True for a valid repository path "a/b/c" (lowercase [a-z0-9] runs joined by . _ __ -). */
bool repo_name_valid(const char *s);

/* Random lowercase hex of nbytes bytes into out (2*nbytes+1 chars). */
int random_hex(char *out, size_t nbytes);

#endif
