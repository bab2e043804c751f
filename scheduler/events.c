/* events.c - parse registry notification envelopes into tagged manifest pushes (events.h).
 *
 * Design: the registry retries a delivery until it gets a 2xx, so one bad event in an
 * envelope must not make the whole envelope fail forever: individual events that are not
 * what we want, or malformed, are counted as ignored; only an envelope that is not JSON or
 * has no "events" array is an error (400).
 *
 * Invariants: a kept event has a valid repository name, a tag in the Docker tag grammar and
 * a sha256 digest; its strings are owned copies.
 *
 * It deliberately does not match rules or touch Redis (the caller does).
 */
#include "events.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"
#include "rules.h"

static bool tag_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || (i > 0 && (c == '.' || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}

static bool manifest_type(const char *mt)
{
    static const char *const types[] = {
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", NULL};
    for (size_t i = 0; types[i]; i++)
        if (strcmp(mt, types[i]) == 0)
            return true;
    return false;
}

void push_events_cleanup(struct push_events *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].repository);
        free(e->v[i].tag);
        free(e->v[i].digest);
        free(e->v[i].media_type);
        free(e->v[i].host);
    }
    free(e->v);
    memset(e, 0, sizeof(*e));
}

int registry_events_parse(const char *body, size_t len, struct push_events *out,
                          struct dd_error *err)
{
    json_error_t je;
    struct push_events res = {0};
    int rc = 0;
    json_t *root = json_loadb(body, len, 0, &je);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "events: bad JSON at line %d: %s", je.line, je.text);
    json_t *evs = json_object_get(root, "events");
    if (!json_is_array(evs)) {
        rc = dd_error_set(err, DD_EPARSE, "events: no \"events\" array");
        goto out;
    }
    if (json_array_size(evs) > EVENTS_MAX_PER_BODY) {
        rc = dd_error_set(err, DD_ELIMIT, "events: more than %d events", EVENTS_MAX_PER_BODY);
        goto out;
    }
    res.v = calloc(json_array_size(evs) + 1, sizeof(*res.v));
    if (res.v == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    size_t i;
    json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        json_t *target = json_object_get(ev, "target");
        const char *action = json_string_value(json_object_get(ev, "action"));
        const char *repo = json_string_value(json_object_get(target, "repository"));
        const char *tag = json_string_value(json_object_get(target, "tag"));
        const char *digest = json_string_value(json_object_get(target, "digest"));
        const char *mt = json_string_value(json_object_get(target, "mediaType"));
        const char *host =
            json_string_value(json_object_get(json_object_get(ev, "request"), "host"));
        if (action == NULL || strcmp(action, "push") != 0 || repo == NULL || tag == NULL ||
            digest == NULL || mt == NULL || !manifest_type(mt) || !repo_name_valid(repo) ||
            !tag_valid(tag) || !digest_is_valid(digest)) {
            res.ignored++;
            continue;
        }
        struct push_event *p = &res.v[res.n];
        p->repository = strdup(repo);
        p->tag = strdup(tag);
        p->digest = strdup(digest);
        p->media_type = strdup(mt);
        p->host = host && strlen(host) < 256 ? strdup(host) : NULL;
        res.n++;
        if (!p->repository || !p->tag || !p->digest || !p->media_type) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
    }
    *out = res;
    memset(&res, 0, sizeof(res));
out:
    push_events_cleanup(&res);
    json_decref(root);
    return rc;
}
