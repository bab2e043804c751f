/* lang_util.h - helpers shared by the language-package parsers (npm, Python). */
#ifndef DD_LANG_UTIL_H
#define DD_LANG_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg.h"

#define LANG_MAX_FIELD   512  /* a longer package name or version is refused, bytes */
#define LANG_MAX_LICENCE 1024 /* a longer licence is dropped, bytes */

/* True when s[0..n) is acceptable as a package name or version: 1..LANG_MAX_FIELD bytes of
 * valid UTF-8 without control characters or spaces. */
bool lang_field_ok(const char *s, size_t n);

/* Append one package of type with copies of name[0..name_n) and version[0..version_n),
 * licence (NUL-terminated, may be NULL; dropped when empty, over LANG_MAX_LICENCE, not UTF-8
 * or holding control characters) and file_path = path. Returns DD_EINVAL (nothing
 * appended) when name or version fails lang_field_ok(); DD_ENOMEM. */
int lang_pkg_add(struct pkg_list *out, enum pkg_type type, const char *name, size_t name_n,
                 const char *version, size_t version_n, const char *licence, const char *path);

/* Sort out->v[start..n) by name then version and drop exact duplicates (name, version). */
void lang_pkgs_dedup(struct pkg_list *out, size_t start);

/* True when path has a component exactly equal to dir ("a/node_modules/b" has
 * "node_modules"). */
bool lang_path_has_dir(const char *path, const char *dir);

/* The last component of path. */
const char *lang_path_base(const char *path);

#endif
