/* expand.c - turn a scan rule into jobs (see expand.h for the flow and the seams).
 *
 * Design: a straight loop over the source's answers with every decision recorded: an image
 * is either queued or skipped with a reason a person can act on. Repository scope does not
 * list the catalog at all (one repository is known), so a registry that refuses _catalog
 * still serves repository rules.
 *
 * Invariants: each (repo, tag) is reported exactly once, queued or skipped; the sink's
 * errors stop the expansion (Redis gone: do not pretend to have queued), the source's
 * per-repository errors do not.
 *
 * It deliberately does not talk to the network or Redis itself.
 */
#include "expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void str_list_init(struct str_list *l)
{
    memset(l, 0, sizeof(*l));
}

void str_list_cleanup(struct str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

int str_list_push(struct str_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        char **nv = realloc(l->v, nc * sizeof(*nv));
        if (nv == NULL)
            return DD_ENOMEM;
        l->v = nv;
        l->cap = nc;
    }
    char *c = strdup(s);
    if (c == NULL)
        return DD_ENOMEM;
    l->v[l->n++] = c;
    return 0;
}

static int skip(const struct expand_sink *sink, struct expand_stats *st, const char *repo,
                const char *tag, const char *reason)
{
    st->skipped++;
    return sink->skip(sink->ctx, repo, tag, reason);
}

static int expand_repo(const struct scan_rule *rule, const struct expand_source *src,
                       const struct expand_sink *sink, const char *repo, struct expand_stats *st,
                       struct dd_error *err)
{
    struct str_list tags;
    str_list_init(&tags);
    struct dd_error e = {0};
    char reason[DD_ERRMSG_MAX + 32];
    int rc = src->tags(src->ctx, repo, &tags, &e);
    if (rc) {
        snprintf(reason, sizeof(reason), "tag list failed: %s", e.msg);
        rc = skip(sink, st, repo, NULL, reason);
        goto out;
    }
    if (tags.n == 0) {
        rc = skip(sink, st, repo, NULL, "no tags (empty or deleted repository)");
        goto out;
    }
    for (size_t i = 0; i < tags.n; i++) {
        const char *tag = tags.v[i];
        st->tags++;
        int m = scan_rule_match_tag(rule, tag);
        if (m == 0) {
            rc = skip(sink, st, repo, tag, "no tag match");
        } else if (m < 0) {
            rc = skip(sink, st, repo, tag,
                      m == DD_ELIMIT ? "tag regex hit the match limit" : "tag regex failed");
        } else if (st->queued >= EXPAND_MAX_IMAGES) {
            rc = skip(sink, st, repo, tag, "image limit per run reached");
        } else {
            char *digest = NULL;
            dd_error_clear(&e);
            int d = src->digest(src->ctx, repo, tag, &digest, &e);
            if (d == DD_ENOTFOUND) {
                rc = skip(sink, st, repo, tag, "manifest unknown");
            } else if (d) {
                snprintf(reason, sizeof(reason), "manifest failed: %s", e.msg);
                rc = skip(sink, st, repo, tag, reason);
            } else {
                int q = sink->enqueue(sink->ctx, repo, tag, digest, err);
                if (q == 1)
                    st->queued++;
                else if (q == 0)
                    rc = skip(sink, st, repo, tag, "already queued");
                else
                    rc = q;
            }
            free(digest);
        }
        if (rc)
            goto out;
    }
out:
    str_list_cleanup(&tags);
    return rc;
}

int expand_rule(const struct scan_rule *rule, const struct expand_source *src,
                const struct expand_sink *sink, struct expand_stats *stats, struct dd_error *err)
{
    struct expand_stats st = {0};
    struct str_list repos;
    str_list_init(&repos);
    int rc = 0;
    if (rule->scope == RULE_SCOPE_REPOSITORY) {
        size_t n = strlen(rule->namespace_) + strlen(rule->repository) + 2;
        char *full = malloc(n);
        if (full == NULL) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
        snprintf(full, n, "%s/%s", rule->namespace_, rule->repository);
        rc = str_list_push(&repos, full);
        free(full);
        if (rc) {
            rc = dd_error_set(err, rc, "out of memory");
            goto out;
        }
    } else {
        rc = src->catalog(src->ctx, &repos, err);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < repos.n; i++) {
        if (!scan_rule_in_scope(rule, repos.v[i]))
            continue;
        st.repos++;
        rc = expand_repo(rule, src, sink, repos.v[i], &st, err);
        if (rc) {
            if (err && err->code == 0)
                dd_error_set(err, rc, "recording a result for %s failed", repos.v[i]);
            goto out;
        }
    }
out:
    str_list_cleanup(&repos);
    if (stats)
        *stats = st;
    return rc;
}
