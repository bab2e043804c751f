/* yaml_lite.h - a line reader for the block-style YAML that package managers generate
 * (pnpm-lock.yaml, yarn berry's yarn.lock).
 *
 * Not a YAML parser: it splits each non-blank, non-comment line into indentation, an optional
 * "- " list marker, an optional "key:" and the rest of the line as a scalar. Callers rebuild
 * the little structure they need from the indentation. Flow collections ({...}, [...]) and
 * block scalars are handed back as raw text; anchors, aliases, tags and multi-document
 * streams are not interpreted.
 */
#ifndef DD_YAML_LITE_H
#define DD_YAML_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define YAML_LITE_MAX_LINE (64 * 1024) /* a longer line is DD_ETOOBIG, bytes */

struct yaml_span {
    const char *p;
    size_t n;
};

struct yaml_line {
    size_t lineno;        /* 1-based */
    unsigned indent;      /* leading spaces */
    bool list_item;       /* the content started with "- " (or was a lone "-") */
    bool has_key;         /* "key:" form */
    struct yaml_span key; /* without quotes; quoted escapes are not decoded */
    bool key_quoted;
    struct yaml_span value; /* trimmed, quotes removed, comment stripped; may be empty */
    bool value_quoted;
};

struct yaml_lite {
    const char *p, *end;
    size_t lineno;
};

void yaml_lite_init(struct yaml_lite *y, const uint8_t *data, size_t len);
/* Read the next meaningful line into *l. Returns 1 for a line, 0 at the end, DD_EPARSE for an
 * unterminated quote or a NUL byte, DD_ETOOBIG for a line over YAML_LITE_MAX_LINE; on error
 * err says "line N: ...". */
int yaml_lite_next(struct yaml_lite *y, struct yaml_line *l, struct dd_error *err);

bool yaml_span_eq(struct yaml_span s, const char *lit);

#endif
