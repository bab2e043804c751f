/* lang_util.c - small helpers shared by the language-package parsers.
 *
 * Design: every parser funnels its packages through lang_pkg_add(), so one place decides what
 * a usable name or version is (bounded, valid UTF-8, printable) and the report writers never
 * meet bytes they cannot encode. Lockfiles list one package many times (npm's nested copies,
 * pnpm peer variants): lang_pkgs_dedup() collapses them per file.
 * Deliberately not done: any ecosystem-specific normalisation (that lives with each parser).
 */
#include "lang_util.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "json_pull.h"

bool lang_field_ok(const char *s, size_t n)
{
    if (s == NULL || n == 0 || n > LANG_MAX_FIELD)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return utf8_valid(s, n);
}

static bool licence_ok(const char *s)
{
    size_t n = strnlen(s, LANG_MAX_LICENCE + 1);
    if (n == 0 || n > LANG_MAX_LICENCE)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return utf8_valid(s, n);
}

int lang_pkg_add(struct pkg_list *out, enum pkg_type type, const char *name, size_t name_n,
                 const char *version, size_t version_n, const char *licence, const char *path)
{
    if (!lang_field_ok(name, name_n) || !lang_field_ok(version, version_n))
        return DD_EINVAL;
    char *n = dd_strndup(name, name_n);
    char *v = dd_strndup(version, version_n);
    if (licence && !licence_ok(licence))
        licence = NULL; /* a licence is optional: drop what the reports could not encode */
    char *l = licence ? dd_strdup(licence) : NULL;
    char *f = dd_strdup(path);
    struct pkg *p = NULL;
    if (n == NULL || v == NULL || (licence && l == NULL) || (path && f == NULL) ||
        pkg_list_add(out, &p) != 0) {
        free(n);
        free(v);
        free(l);
        free(f);
        return DD_ENOMEM;
    }
    p->type = type;
    p->name = n;
    p->version = v;
    p->licence = l;
    p->file_path = f;
    return 0;
}

static int cmp_name_version(const void *a, const void *b)
{
    const struct pkg *x = a;
    const struct pkg *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->version, y->version);
}

void lang_pkgs_dedup(struct pkg_list *out, size_t start)
{
    if (start >= out->n)
        return;
    size_t n = out->n - start;
    struct pkg *v = out->v + start;
    qsort(v, n, sizeof(*v), cmp_name_version);
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        if (w > 0 && cmp_name_version(&v[w - 1], &v[r]) == 0) {
            pkg_cleanup(&v[r]);
            continue;
        }
        if (w != r) {
            v[w] = v[r];
            memset(&v[r], 0, sizeof(v[r]));
        }
        w++;
    }
    out->n = start + w;
}

bool lang_path_has_dir(const char *path, const char *dir)
{
    size_t dn = strlen(dir);
    const char *c = path;
    while (*c) {
        const char *slash = strchr(c, '/');
        if (slash == NULL)
            return false; /* the last component is the file itself */
        if ((size_t)(slash - c) == dn && memcmp(c, dir, dn) == 0)
            return true;
        c = slash + 1;
    }
    return false;
}

const char *lang_path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}
