/* pkg.h - the inventory's unit: one installed package, and the detected operating system.
 *
 * Every string is heap-owned by the struct pkg and freed by pkg_cleanup(). A pkg_list owns its
 * packages. Parsers fill name/version/... and file_path; the layer merge sets layer.
 */
#ifndef DD_PKG_H
#define DD_PKG_H

#include <stdbool.h>
#include <stddef.h>

enum pkg_type {
    PKG_TYPE_DEB,
    PKG_TYPE_APK,
    PKG_TYPE_RPM,
    PKG_TYPE_NPM,
    PKG_TYPE_PYPI,
    PKG_TYPE_GOLANG,
    PKG_TYPE_MAVEN,
    PKG_TYPE_GEM,
    PKG_TYPE_CARGO,
    PKG_TYPE_COMPOSER,
    PKG_TYPE_NUGET,
    PKG_TYPE__COUNT
};

struct pkg {
    enum pkg_type type;
    char *name;        /* binary package name; npm "@scope/name"; maven "group:artifact" */
    char *version;     /* deb: "[epoch:]upstream[-revision]"; rpm: VERSION only; else as written */
    char *release;     /* rpm RELEASE; NULL elsewhere */
    int epoch;         /* rpm EPOCH; -1 when absent (deb keeps its epoch inside version) */
    char *arch;        /* NULL when unknown */
    char *src_name;    /* deb Source, apk origin, rpm source rpm name; NULL = same as name */
    char *src_version; /* deb source version, rpm source "version-release"; NULL = same */
    char *licence;     /* NULL when unknown */
    char *file_path;   /* file in the image it was found in: normalised, no leading '/' */
    int layer;         /* index of the layer that introduced it; -1 until merged */
};

struct pkg_list {
    struct pkg *v;
    size_t n;
    size_t cap;
};

struct os_info {
    char *family;   /* os-release ID: "debian", "ubuntu", "alpine", "rhel", "almalinux", ... */
    char *version;  /* VERSION_ID ("12", "22.04", "3.18.4"), or from debian_version etc. */
    char *codename; /* VERSION_CODENAME ("bookworm") or NULL */
    char *name;     /* PRETTY_NAME or NULL */
};

const char *pkg_type_name(enum pkg_type t); /* "deb", "apk", "rpm", "npm", "pypi", ... */
bool pkg_type_is_os(enum pkg_type t);

void pkg_cleanup(struct pkg *p);
/* Deep copy; returns DD_ENOMEM (dst zeroed) on failure. */
int pkg_copy(struct pkg *dst, const struct pkg *src);

void pkg_list_init(struct pkg_list *l);
void pkg_list_cleanup(struct pkg_list *l);
/* Append a zeroed package (epoch = -1, layer = -1) and return it in *out. */
int pkg_list_add(struct pkg_list *l, struct pkg **out);
/* Move every package of src to the end of dst; src becomes empty. */
int pkg_list_move(struct pkg_list *dst, struct pkg_list *src);
void pkg_list_sort(struct pkg_list *l); /* by type, name, version, file_path */

void os_info_cleanup(struct os_info *os);
int os_info_copy(struct os_info *dst, const struct os_info *src);

/* strdup that accepts NULL; and a copy of at most n bytes (stops at a NUL). Both return NULL
 * on NULL/ENOMEM. */
char *dd_strdup(const char *s);
char *dd_strndup(const char *s, size_t n);

#endif
