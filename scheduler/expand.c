/* expand.c - turn a scan rule into jobs (see expand.h for the flow and the seams).
 *
 * Design: a straight loop over the source's answers with every decision recorded: an image
 * is either queued or skipped with a reason a person can act on. A source that can fork
 * (the registry) gets the same decisions made on EXPAND_THREADS threads (below), since a
 * remote registry costs a round trip or two per tag. Repository scope does not
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

#include <pthread.h>
#include <stdbool.h>
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

/* --- several threads ------------------------------------------------------------------------
 *
 * A work list of items shared by the threads: a repository (list its tags, match them, add one
 * item per matching tag) or a tag (resolve its digest, enqueue). Any thread takes any item,
 * so one repository of thousands of tags is spread as well as thousands of repositories. One
 * mutex guards the list, the statistics and every sink call; the registry round trips run
 * outside it, each thread on its own forked source. */

struct item {
    char *repo;
    char *tag; /* NULL: a repository to list */
};

struct par {
    const struct scan_rule *rule;
    const struct expand_sink *sink;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct item *items;
    size_t head, n, cap;
    size_t busy;     /* threads holding an item (which may add items) */
    size_t reserved; /* digests being resolved that will count against the image limit */
    struct expand_stats st;
    int rc; /* first sink error: everyone stops */
    struct dd_error err;
};

struct worker_arg {
    struct par *p;
    const struct expand_source *parent;
};

/* Under p->mu. */
static int par_push(struct par *p, const char *repo, const char *tag)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 64;
        struct item *nv = realloc(p->items, nc * sizeof(*nv));
        if (nv == NULL)
            return DD_ENOMEM;
        p->items = nv;
        p->cap = nc;
    }
    struct item *it = &p->items[p->n];
    it->repo = strdup(repo);
    it->tag = tag ? strdup(tag) : NULL;
    if (it->repo == NULL || (tag && it->tag == NULL)) {
        free(it->repo);
        free(it->tag);
        return DD_ENOMEM;
    }
    p->n++;
    return 0;
}

/* Under p->mu: a sink error stops the run (the first one is kept). */
static void par_fail(struct par *p, int rc, const struct dd_error *e, const char *repo)
{
    if (p->rc)
        return;
    p->rc = rc;
    if (e && e->code)
        p->err = *e;
    else
        dd_error_set(&p->err, rc, "recording a result for %s failed", repo);
}

static int par_skip(struct par *p, const char *repo, const char *tag, const char *reason)
{
    pthread_mutex_lock(&p->mu);
    int rc = p->rc ? p->rc : skip(p->sink, &p->st, repo, tag, reason);
    if (rc && !p->rc)
        par_fail(p, rc, NULL, repo);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void par_repo(struct par *p, const struct expand_source *src, const char *repo)
{
    struct str_list tags;
    str_list_init(&tags);
    struct dd_error e = {0};
    char reason[DD_ERRMSG_MAX + 32];
    int rc = src->tags(src->ctx, repo, &tags, &e);
    if (rc) {
        snprintf(reason, sizeof(reason), "tag list failed: %s", e.msg);
        par_skip(p, repo, NULL, reason);
    } else if (tags.n == 0) {
        par_skip(p, repo, NULL, "no tags (empty or deleted repository)");
    }
    for (size_t i = 0; rc == 0 && i < tags.n; i++) {
        const char *tag = tags.v[i];
        int m = scan_rule_match_tag(p->rule, tag);
        pthread_mutex_lock(&p->mu);
        p->st.tags++;
        int r = p->rc;
        if (r == 0 && m == 0)
            r = skip(p->sink, &p->st, repo, tag, "no tag match");
        else if (r == 0 && m < 0)
            r = skip(p->sink, &p->st, repo, tag,
                     m == DD_ELIMIT ? "tag regex hit the match limit" : "tag regex failed");
        else if (r == 0 && (r = par_push(p, repo, tag)) == 0)
            pthread_cond_broadcast(&p->cv);
        if (r && !p->rc)
            par_fail(p, r, NULL, repo);
        rc = p->rc;
        pthread_mutex_unlock(&p->mu);
    }
    str_list_cleanup(&tags);
}

static void par_tag(struct par *p, const struct expand_source *src, const char *repo,
                    const char *tag)
{
    pthread_mutex_lock(&p->mu);
    bool over = p->st.queued + p->reserved >= EXPAND_MAX_IMAGES;
    if (!over)
        p->reserved++;
    pthread_mutex_unlock(&p->mu);
    if (over) {
        par_skip(p, repo, tag, "image limit per run reached");
        return;
    }
    char *digest = NULL;
    char reason[DD_ERRMSG_MAX + 32];
    struct dd_error e = {0};
    int d = src->digest(src->ctx, repo, tag, &digest, &e);
    pthread_mutex_lock(&p->mu);
    p->reserved--;
    int rc = p->rc;
    if (rc == 0 && d == DD_ENOTFOUND) {
        rc = skip(p->sink, &p->st, repo, tag, "manifest unknown");
    } else if (rc == 0 && d) {
        snprintf(reason, sizeof(reason), "manifest failed: %s", e.msg);
        rc = skip(p->sink, &p->st, repo, tag, reason);
    } else if (rc == 0) {
        struct dd_error se = {0};
        int q = p->sink->enqueue(p->sink->ctx, repo, tag, digest, &se);
        if (q == 1)
            p->st.queued++;
        else if (q == 0)
            rc = skip(p->sink, &p->st, repo, tag, "already queued");
        else
            par_fail(p, q, &se, repo);
    }
    if (rc && !p->rc)
        par_fail(p, rc, NULL, repo);
    pthread_mutex_unlock(&p->mu);
    free(digest);
}

static void *par_worker(void *arg)
{
    struct worker_arg *wa = arg;
    struct par *p = wa->p;
    struct expand_source src = *wa->parent;
    void *ctx = NULL;
    struct dd_error e = {0};
    if (wa->parent->fork(wa->parent->ctx, &ctx, &e) != 0)
        return NULL; /* the other threads (and the first one, on the parent) carry on */
    src.ctx = ctx;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->rc == 0 && p->head == p->n && p->busy > 0)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->rc || p->head == p->n) {
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            break;
        }
        struct item it = p->items[p->head++];
        p->busy++;
        pthread_mutex_unlock(&p->mu);
        if (it.tag)
            par_tag(p, &src, it.repo, it.tag);
        else
            par_repo(p, &src, it.repo);
        free(it.repo);
        free(it.tag);
        pthread_mutex_lock(&p->mu);
        p->busy--;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    wa->parent->fork_free(ctx);
    return NULL;
}

/* repos: the repositories in scope. */
static int expand_parallel(const struct scan_rule *rule, const struct expand_source *src,
                           const struct expand_sink *sink, const struct str_list *repos,
                           struct expand_stats *st, struct dd_error *err)
{
    struct par p;
    memset(&p, 0, sizeof(p));
    p.rule = rule;
    p.sink = sink;
    p.st = *st;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < repos->n; i++)
        rc = par_push(&p, repos->v[i], NULL);
    if (rc) {
        rc = dd_error_set(err, rc, "out of memory");
        goto out;
    }
    size_t nt = repos->n < EXPAND_THREADS ? repos->n : EXPAND_THREADS;
    pthread_t th[EXPAND_THREADS];
    struct worker_arg wa = {&p, src};
    size_t started = 0;
    for (size_t i = 0; i < nt; i++)
        if (pthread_create(&th[started], NULL, par_worker, &wa) == 0)
            started++;
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    /* no thread could fork a source (or none was started): finish here, on the parent's */
    while (p.rc == 0 && p.head < p.n) {
        struct item it = p.items[p.head++];
        if (it.tag)
            par_tag(&p, src, it.repo, it.tag);
        else
            par_repo(&p, src, it.repo);
        free(it.repo);
        free(it.tag);
    }
    rc = p.rc;
    if (rc && err)
        *err = p.err;
out:
    for (size_t i = p.head; i < p.n; i++) { /* taken items were freed by their taker */
        free(p.items[i].repo);
        free(p.items[i].tag);
    }
    free(p.items);
    *st = p.st;
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

int expand_rule(const struct scan_rule *rule, const struct expand_source *src,
                const struct expand_sink *sink, struct expand_stats *stats, struct dd_error *err)
{
    struct expand_stats st = {0};
    struct str_list repos, in_scope;
    str_list_init(&repos);
    str_list_init(&in_scope);
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
    if (src->fork && src->fork_free) {
        for (size_t i = 0; i < repos.n && rc == 0; i++)
            if (scan_rule_in_scope(rule, repos.v[i])) {
                st.repos++;
                rc = str_list_push(&in_scope, repos.v[i]);
            }
        if (rc)
            rc = dd_error_set(err, rc, "out of memory");
        else
            rc = expand_parallel(rule, src, sink, &in_scope, &st, err);
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
    str_list_cleanup(&in_scope);
    str_list_cleanup(&repos);
    if (stats)
        *stats = st;
    return rc;
}
