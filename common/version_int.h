/* version_int.h - internal interface between version.c and the per-scheme comparators.
 *
 * Each scheme exports one function vers_<scheme>_cmp(a, b, cmp, err). When b is NULL it only
 * validates a. The dispatcher in version.c has already checked that the strings are non-NULL
 * and at most VERSION_MAX_LEN bytes long. Not part of the public API.
 */
#ifndef DD_VERSION_INT_H
#define DD_VERSION_INT_H

#include <stddef.h>

#include "err.h"

/* Fill err with "not a valid <label> version: '<v>' (<why>)". v is quoted with
 * non-printable bytes escaped and truncated to keep the message short. why may be NULL. */
void vers_fail_msg(struct dd_error *err, const char *label, const char *v, const char *why);

/* vers_fail_msg(), then DD_EPARSE (inline, so analysers see that failure is never 0). */
static inline int vers_fail(struct dd_error *err, const char *label, const char *v, const char *why)
{
    vers_fail_msg(err, label, v, why);
    return DD_EPARSE;
}

/* Compare two unsigned decimal digit strings of any length by value (leading zeros
 * ignored). Returns -1, 0 or 1. */
int vers_numcmp(const char *a, size_t alen, const char *b, size_t blen);

/* Byte-wise lexicographic comparison of two counted strings; -1, 0 or 1. */
int vers_bytecmp(const char *a, size_t alen, const char *b, size_t blen);

int vers_dpkg_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_rpm_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_apk_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_semver_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_go_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_nuget_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_pep440_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_maven_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_gem_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);
int vers_composer_cmp(const char *a, const char *b, int *cmp, struct dd_error *err);

#endif
