/* json_pull.h - a zero-copy pull reader for JSON held in memory (lockfiles, package.json).
 *
 * The reader walks the bytes once without building a tree: callers ask for the next member of
 * an object or element of an array, take the strings and booleans they need and skip the rest.
 * Memory use is constant whatever the input (strings are spans into the caller's bytes until
 * json_pull_str_dup() decodes one), nesting is capped, and the first error is sticky: every
 * later call is a no-op returning false, so a caller's loop ends and one check at the end
 * reports "line N: message".
 *
 *   struct json_pull j;  struct json_str key;  size_t i = 0;
 *   json_pull_init(&j, data, len, 64);
 *   if (json_pull_object_begin(&j))
 *       while (json_pull_object_next(&j, &i, &key))
 *           json_str_eq(&key, "version") ? json_pull_string(&j, &v) : json_pull_skip(&j);
 *   if (j.failed) ... json_pull_error(&j, err) ...
 */
#ifndef DD_JSON_PULL_H
#define DD_JSON_PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define JSON_PULL_MAX_DEPTH 256 /* hard ceiling for the max_depth given to json_pull_init */

enum json_kind {
    JSON_KIND_NONE, /* end of input or error */
    JSON_KIND_OBJECT,
    JSON_KIND_ARRAY,
    JSON_KIND_STRING,
    JSON_KIND_NUMBER,
    JSON_KIND_TRUE,
    JSON_KIND_FALSE,
    JSON_KIND_NULL,
};

/* A string as it appears between its quotes (escapes not decoded). */
struct json_str {
    const char *p;
    size_t n;
    bool escaped; /* contains a backslash escape */
};

struct json_pull {
    const char *p, *start, *end;
    unsigned depth, max_depth;
    bool failed;
    int code;        /* DD_E* of the first error */
    const char *msg; /* static text of the first error */
    size_t err_off;  /* byte offset of the first error */
};

void json_pull_init(struct json_pull *j, const uint8_t *data, size_t len, unsigned max_depth);
/* Kind of the next value, without consuming it. */
enum json_kind json_pull_peek(struct json_pull *j);
/* Consume '{' / '['; false (and an error) when the next value is something else. */
bool json_pull_object_begin(struct json_pull *j);
bool json_pull_array_begin(struct json_pull *j);
/* Advance to the next member: true with *key set and the ':' consumed (the caller must then
 * read or skip the value); false at the closing '}' (consumed) or on error. *i counts members
 * and must start at 0. */
bool json_pull_object_next(struct json_pull *j, size_t *i, struct json_str *key);
/* Same for arrays: true when an element follows. */
bool json_pull_array_next(struct json_pull *j, size_t *i);
/* Read a string value; false (with an error) when the value is not a string. */
bool json_pull_string(struct json_pull *j, struct json_str *out);
/* Read a number; *out is its text as written (e.g. "3", "-1.5e3"). */
bool json_pull_number(struct json_pull *j, struct json_str *out);
/* Read true/false; any other value is consumed and yields false with *out untouched. */
bool json_pull_bool(struct json_pull *j, bool *out);
/* Skip one value of any kind (nesting bounded by max_depth). */
bool json_pull_skip(struct json_pull *j);
/* After the top-level value: only whitespace may follow. */
bool json_pull_end(struct json_pull *j);
/* Copy the first error into err as "line N: msg" and return its code (0 when none). */
int json_pull_error(const struct json_pull *j, struct dd_error *err);

/* Compare an undecoded string with a literal (escaped strings are decoded on the fly). */
bool json_str_eq(const struct json_str *s, const char *lit);
/* Decode into a fresh NUL-terminated string of at most max_bytes. NULL when the string holds
 * invalid escapes, a NUL, invalid UTF-8, is longer than max_bytes, or on ENOMEM. */
char *json_str_dup(const struct json_str *s, size_t max_bytes);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points > 0x10FFFF). */
bool utf8_valid(const char *s, size_t n);

#endif
