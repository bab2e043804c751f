/* rules.h - scan rules: the model, its JSON form, validation and matching.
 *
 * A rule names what to scan (a namespace, or one repository, and a tag regex), when (manual,
 * on_push, cron), where (registry URL + the NAME of a credentials entry in the scheduler's
 * config: secrets never live in a rule) and whom to tell (notify: an opaque JSON array kept
 * for the notifier). Repository names follow the registry model: namespace = the first path
 * component, repository = the rest ("apps/web/api" -> "apps" + "web/api").
 *
 * JSON (docs/rules.md):
 *   {"id": "<16 hex>", "name": "web", "scope": "namespace" | "repository",
 *    "namespace": "apps", "repository": "web", "tag_regex": "^1\\.",
 *    "triggers": {"manual": true, "on_push": true, "cron": "0 3 * * *"},
 *    "notify": [{"type": "webhook", ...}],
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
