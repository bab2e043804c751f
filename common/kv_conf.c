/* kv_conf.c - "key = value" configuration files (see kv_conf.h).
 *
 * The file is trusted (the operator's own), but a wrong line still gets a message naming the
 * file and line; values are checked by the callers' setters.
 */
#include "kv_conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int kv_conf_load(const char *path, kv_conf_set_fn set, void *ctx, struct dd_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return dd_error_set(err, -errno, "%s: %s", path, strerror(errno));
    char line[KV_CONF_LINE_MAX];
    unsigned lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = dd_error_set(err, DD_ETOOBIG, "%s:%u: line too long", path, lineno);
            break;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        /* an inline comment starts at a '#' after whitespace */
        for (char *h = strchr(s, '#'); h; h = strchr(h + 1, '#'))
            if (h[-1] == ' ' || h[-1] == '\t') {
                *h = '\0';
                s = trim(s);
                break;
            }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = dd_error_set(err, DD_EPARSE, "%s:%u: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        rc = set(ctx, trim(s), trim(eq + 1), err);
        if (rc) {
            dd_error_prefix(err, "%s:%u: ", path, lineno);
            break;
        }
    }
    fclose(f);
    return rc;
}

int kv_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0')
        return DD_EINVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return DD_EINVAL;
    *out = v;
    return 0;
}

int kv_parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "1") == 0 ||
        strcmp(s, "on") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "0") == 0 ||
             strcmp(s, "off") == 0)
        *out = false;
    else
        return DD_EINVAL;
    return 0;
}

int kv_set_str(char **dst, const char *v)
{
    char *d = strdup(v);
    if (d == NULL)
        return DD_ENOMEM;
    free(*dst);
    *dst = d;
    return 0;
}
