/* api.h - the scheduler's HTTP API on libmicrohttpd (paths and shapes: docs/api.md).
 *
 * Every request except GET /healthz needs `Authorization: Bearer <token>`; POST
 * /api/v1/registry/events takes the events token instead (the registry config's headers:).
 * Bodies are capped at API_BODY_MAX_BYTES; errors are `{"error": "..."}` with a 4xx/5xx.
 */
#ifndef DD_SCHED_API_H
#define DD_SCHED_API_H

#include "err.h"
#include "sched.h"

#define API_BODY_MAX_BYTES (1u << 20)

struct api;

/* Listen on cfg->listen_host:listen_port (port 0: any; see api_port). */
int api_start(struct sched *s, struct api **out, struct dd_error *err);
int api_port(const struct api *a);
void api_stop(struct api *a);

#endif
