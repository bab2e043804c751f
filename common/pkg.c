/* pkg.c - package and OS records: lifecycle, copying, ordering. */
#include "pkg.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

static const char *const pkg_type_names[PKG_TYPE__COUNT] = {
    "deb", "apk", "rpm", "npm", "pypi", "golang", "maven", "gem", "cargo", "composer", "nuget",
};

const char *pkg_type_name(enum pkg_type t)
{
    return (unsigned)t < PKG_TYPE__COUNT ? pkg_type_names[t] : "unknown";
}

bool pkg_type_is_os(enum pkg_type t)
{
    return t == PKG_TYPE_DEB || t == PKG_TYPE_APK || t == PKG_TYPE_RPM;
}

char *dd_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *dd_strndup(const char *s, size_t n)
{
    if (s == NULL)
        return NULL;
    n = strnlen(s, n); /* never read past a shorter string's end */
    char *p = malloc(n + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void pkg_cleanup(struct pkg *p)
{
    if (p == NULL)
        return;
    free(p->name);
    free(p->version);
    free(p->release);
    free(p->arch);
    free(p->src_name);
    free(p->src_version);
    free(p->licence);
    free(p->file_path);
    memset(p, 0, sizeof(*p));
    p->epoch = -1;
    p->layer = -1;
}

static int dup_field(char **dst, const char *src)
{
    if (src == NULL) {
        *dst = NULL;
        return 0;
    }
    *dst = strdup(src);
    return *dst ? 0 : DD_ENOMEM;
}

int pkg_copy(struct pkg *dst, const struct pkg *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->type = src->type;
    dst->epoch = src->epoch;
    dst->layer = src->layer;
    if (dup_field(&dst->name, src->name) || dup_field(&dst->version, src->version) ||
        dup_field(&dst->release, src->release) || dup_field(&dst->arch, src->arch) ||
        dup_field(&dst->src_name, src->src_name) ||
        dup_field(&dst->src_version, src->src_version) || dup_field(&dst->licence, src->licence) ||
        dup_field(&dst->file_path, src->file_path)) {
        pkg_cleanup(dst);
        memset(dst, 0, sizeof(*dst));
        return DD_ENOMEM;
    }
    return 0;
}

void pkg_list_init(struct pkg_list *l)
{
    l->v = NULL;
    l->n = 0;
    l->cap = 0;
}

void pkg_list_cleanup(struct pkg_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        pkg_cleanup(&l->v[i]);
    free(l->v);
    pkg_list_init(l);
}

int pkg_list_add(struct pkg_list *l, struct pkg **out)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        struct pkg *v = realloc(l->v, ncap * sizeof(*v));
        if (v == NULL)
            return DD_ENOMEM;
        l->v = v;
        l->cap = ncap;
    }
    struct pkg *p = &l->v[l->n++];
    memset(p, 0, sizeof(*p));
    p->epoch = -1;
    p->layer = -1;
    *out = p;
    return 0;
}

int pkg_list_move(struct pkg_list *dst, struct pkg_list *src)
{
    if (src->n == 0)
        return 0;
    if (dst->n + src->n > dst->cap) {
        size_t ncap = dst->cap ? dst->cap : 16;
        while (ncap < dst->n + src->n)
            ncap *= 2;
        struct pkg *v = realloc(dst->v, ncap * sizeof(*v));
        if (v == NULL)
            return DD_ENOMEM;
        dst->v = v;
        dst->cap = ncap;
    }
    memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
    dst->n += src->n;
    free(src->v);
    pkg_list_init(src);
    return 0;
}

static int strcmp_null(const char *a, const char *b)
{
    if (a == b)
        return 0;
    if (a == NULL)
        return -1;
    if (b == NULL)
        return 1;
    return strcmp(a, b);
}

static int pkg_cmp(const void *pa, const void *pb)
{
    const struct pkg *a = pa;
    const struct pkg *b = pb;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    int c = strcmp_null(a->name, b->name);
    if (c == 0)
        c = strcmp_null(a->version, b->version);
    if (c == 0)
        c = strcmp_null(a->release, b->release);
    if (c == 0)
        c = strcmp_null(a->arch, b->arch);
    if (c == 0)
        c = strcmp_null(a->file_path, b->file_path);
    return c;
}

void pkg_list_sort(struct pkg_list *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof(*l->v), pkg_cmp);
}

void os_info_cleanup(struct os_info *os)
{
    if (os == NULL)
        return;
    free(os->family);
    free(os->version);
    free(os->codename);
    free(os->name);
    memset(os, 0, sizeof(*os));
}

int os_info_copy(struct os_info *dst, const struct os_info *src)
{
    memset(dst, 0, sizeof(*dst));
    if (dup_field(&dst->family, src->family) || dup_field(&dst->version, src->version) ||
        dup_field(&dst->codename, src->codename) || dup_field(&dst->name, src->name)) {
        os_info_cleanup(dst);
        return DD_ENOMEM;
    }
    return 0;
}
