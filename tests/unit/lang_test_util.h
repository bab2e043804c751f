/* lang_test_util.h - helpers the language-analyzer tests share: read a fixture, render a
 * package list as a sorted "name@version ..." string, and parse a file or a string expecting
 * a return code and exactly that list. Include after cmocka.h. */
#ifndef DD_TEST_LANG_TEST_UTIL_H
#define DD_TEST_LANG_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pkg.h"

typedef int (*lang_parse_fn)(const char *, const uint8_t *, size_t, struct pkg_list *,
                             struct dd_error *);

/* The whole file, NUL-terminated (len excludes the NUL). */
static inline uint8_t *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return b;
}

static inline int tu_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name@version ..." sorted bytewise, for comparison with hand-made lists. */
static inline char *tu_joined(const struct pkg_list *l)
{
    char **items = calloc(l->n + 1, sizeof(char *));
    size_t total = 1;
    assert_non_null(items);
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->v[i].name) + strlen(l->v[i].version) + 2;
        items[i] = malloc(n);
        assert_non_null(items[i]);
        snprintf(items[i], n, "%s@%s", l->v[i].name, l->v[i].version);
        total += n;
    }
    qsort(items, l->n, sizeof(char *), tu_cmp_str);
    char *out = calloc(1, total);
    assert_non_null(out);
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            strcat(out, " ");
        strcat(out, items[i]);
        free(items[i]);
    }
    free(items);
    return out;
}

/* Parse a fixture file as image path `path`; expect rc, the sorted list, the package type
 * and file_path on every package. */
static inline void tu_expect_file(lang_parse_fn fn, enum pkg_type type, const char *file,
                                  const char *path, int rc, const char *expect)
{
    size_t len;
    uint8_t *data = tu_read_file(file, &len);
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    int got = fn(path, data, len, &l, &err);
    if (got != rc)
        fprintf(stderr, "%s: rc %d %s\n", file, got, err.msg);
    assert_int_equal(got, rc);
    char *s = tu_joined(&l);
    assert_string_equal(s, expect);
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(l.v[i].type, type);
        assert_string_equal(l.v[i].file_path, path);
    }
    free(s);
    free(data);
    pkg_list_cleanup(&l);
}

/* Parse a string; expect rc (with a message when non-zero) and the list. */
static inline void tu_expect_text(lang_parse_fn fn, const char *text, int rc, const char *expect)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    int got = fn("app/x", (const uint8_t *)text, strlen(text), &l, &err);
    if (got != rc)
        fprintf(stderr, "rc %d (%s) for: %.80s\n", got, err.msg, text);
    assert_int_equal(got, rc);
    if (rc != 0)
        assert_true(err.msg[0] != '\0');
    char *s = tu_joined(&l);
    assert_string_equal(s, expect);
    free(s);
    pkg_list_cleanup(&l);
}

#endif
