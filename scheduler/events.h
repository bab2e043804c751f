/* events.h - CNCF distribution registry notifications (the scan-on-push intake).
 *
 *   POST /api/v1/registry/events   Content-Type: application/vnd.docker.distribution.events.v1+json
 *   {"events": [{"id", "timestamp", "action": "push",
 *                "target": {"mediaType", "size", "digest", "repository", "tag", "url", ...},
 *                "request": {"host", ...}, "actor": {}, "source": {...}}]}
 *
 * Only manifest pushes carrying a tag are kept: blob events (layers, configs), pulls,
 * deletes and pushes by digest (e.g. an index's children) are counted as ignored.
 */
#ifndef DD_SCHED_EVENTS_H
#define DD_SCHED_EVENTS_H

#include <stddef.h>

#include "err.h"

#define EVENTS_MAX_PER_BODY 1000

struct push_event {
    char *repository; /* "apps/web" */
    char *tag;        /* "1.0" */
    char *digest;     /* "sha256:..." */
    char *media_type; /* manifest or index media type */
    char *host;       /* request.host, may be NULL */
};

struct push_events {
    struct push_event *v;
    size_t n;
    size_t ignored; /* events that are not tagged manifest pushes */
};

/* Parse an envelope; malformed events are ignored, a malformed envelope is DD_EPARSE. */
int registry_events_parse(const char *body, size_t len, struct push_events *out,
                          struct dd_error *err);
void push_events_cleanup(struct push_events *e);

#endif
