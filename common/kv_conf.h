/* kv_conf.h - "key = value" configuration files and their value parsers, shared by the
 * daemons whose config is such a file (drydock-worker, drydock-notifier).
 *
 * File format: one setting a line; blank lines and lines starting with '#' ignored; an
 * inline comment starts at a '#' preceded by whitespace; spaces around key and value
 * trimmed; lines at most KV_CONF_LINE_MAX bytes.
 */
#ifndef DD_KV_CONF_H
#define DD_KV_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define KV_CONF_LINE_MAX 2048

/* Apply one setting; non-zero (err filled) stops the load. */
typedef int (*kv_conf_set_fn)(void *ctx, const char *key, const char *value, struct dd_error *err);

/* Read path and call set for each setting, in order. The errno of an unreadable file
 * (negated), DD_ETOOBIG for a long line, DD_EPARSE for a line without '=', or set's error;
 * err is prefixed "<path>:<line>: ". */
int kv_conf_load(const char *path, kv_conf_set_fn set, void *ctx, struct dd_error *err);

/* Decimal in [min, max] (no sign, no trailing characters): 0 or DD_EINVAL. */
int kv_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* true/yes/1/on, false/no/0/off: 0 or DD_EINVAL. */
int kv_parse_bool(const char *s, bool *out);
/* Replace *dst with a copy of v: 0 or DD_ENOMEM (*dst untouched then). */
int kv_set_str(char **dst, const char *v);

#endif
