/* expand.h - rule expansion: catalog -> repositories in scope -> tags -> regex -> digests.
 *
 *   source.catalog()          every repository (the real source pages /v2/_catalog)
 *     └ in scope? ─ no: ignored (outside the rule, not "considered")
 *   source.tags(repo)         every tag (paged /v2/<repo>/tags/list); none: "no tags"
 *     └ regex match? ─ no:    skip "no tag match"
 *   source.digest(repo, tag)  HEAD/GET manifest; 404: skip "manifest unknown"
 *   sink.enqueue(...)         1 = queued, 0 = skip "already queued" (digest dedup)
 *
 * The source and the sink are the seams: the scheduler plugs in the registry (catalog.c)
 * and Redis (store.c); unit tests plug in fakes. A failing catalog is an error of the whole
 * expansion; a failing tag list or digest only skips that repository or image, with the
 * reason. With a forking source the tag lists and digests are fetched on several threads;
 * the sink is then called from those threads, one call at a time (never concurrently), in
 * no particular order between images.
 */
#ifndef DD_SCHED_EXPAND_H
#define DD_SCHED_EXPAND_H

#include <stddef.h>

#include "err.h"
#include "rules.h"

#define EXPAND_MAX_IMAGES 100000 /* images enqueued per run, a runaway guard */

struct str_list {
    char **v;
    size_t n, cap;
};

void str_list_init(struct str_list *l);
void str_list_cleanup(struct str_list *l);
/* Appends a copy of s. */
int str_list_push(struct str_list *l, const char *s);

struct expand_source {
    void *ctx;
    /* All repositories of the registry into out. */
    int (*catalog)(void *ctx, struct str_list *out, struct dd_error *err);
    /* All tags of repo into out (none for a repository with "tags": null). */
    int (*tags)(void *ctx, const char *repo, struct str_list *out, struct dd_error *err);
    /* The manifest digest of repo:tag (malloc'd); DD_ENOTFOUND when the manifest is unknown. */
    int (*digest)(void *ctx, const char *repo, const char *tag, char **out, struct dd_error *err);
    /* Optional: a second context on the same registry (its own connections) for a worker
     * thread, and its release. When set, expand_rule lists tags and resolves digests on up to
     * EXPAND_THREADS threads: against a remote registry every tag costs a round trip or two,
     * and one thread would take minutes for a namespace of thousands of images. */
    int (*fork)(void *ctx, void **out, struct dd_error *err);
    void (*fork_free)(void *ctx);
};

#define EXPAND_THREADS 8

struct expand_sink {
    void *ctx;
    /* Queue a job for repo:tag@digest: 1 queued, 0 duplicate (already queued), <0 error. */
    int (*enqueue)(void *ctx, const char *repo, const char *tag, const char *digest,
                   struct dd_error *err);
    /* Record that repo[:tag] was considered and skipped, and why. */
    int (*skip)(void *ctx, const char *repo, const char *tag, const char *reason);
};

struct expand_stats {
    size_t repos;   /* repositories in scope */
    size_t tags;    /* tags considered */
    size_t queued;  /* jobs enqueued */
    size_t skipped; /* tags (or repositories) skipped, each with a reason */
};

int expand_rule(const struct scan_rule *rule, const struct expand_source *src,
                const struct expand_sink *sink, struct expand_stats *stats, struct dd_error *err);

#endif
