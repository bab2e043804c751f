/* os_release.h - identify the operating system of an image from its release files.
 *
 * All functions take untrusted bytes (need not be NUL-terminated), fill an EMPTY (zeroed)
 * struct os_info on success and leave it untouched on failure. Strings are heap-owned by the
 * os_info (os_info_cleanup() frees them).
 */
#ifndef DD_OS_RELEASE_H
#define DD_OS_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define OS_RELEASE_MAX_BYTES ((size_t)64 * 1024) /* larger input is DD_ETOOBIG */
#define OS_RELEASE_MAX_LINE  4096                /* longer lines are ignored, bytes */

/* etc/os-release, usr/lib/os-release: KEY=value lines with shell-like quoting.
 * ID -> family (lowercased; "linux" when absent), VERSION_ID -> version,
 * VERSION_CODENAME (else UBUNTU_CODENAME) -> codename, PRETTY_NAME -> name.
 * DD_EPARSE when no KEY=value line is found at all. */
int os_release_parse(const uint8_t *data, size_t len, struct os_info *out, struct dd_error *err);

/* etc/alpine-release: "3.18.4" -> family "alpine", version "3.18.4". */
int os_release_parse_alpine(const uint8_t *data, size_t len, struct os_info *out,
                            struct dd_error *err);

/* etc/debian_version: "12.5" -> family "debian", version "12.5";
 * "bookworm/sid" -> family "debian", version NULL, codename "bookworm". */
int os_release_parse_debian_version(const uint8_t *data, size_t len, struct os_info *out,
                                    struct dd_error *err);

/* etc/redhat-release and friends: "AlmaLinux release 9.3 (Shamrock Pink Squirrel)" ->
 * family "almalinux", version "9.3", codename "Shamrock Pink Squirrel", name = the line.
 * The family comes from the distribution name in the text (Red Hat -> "rhel", CentOS ->
 * "centos", Rocky -> "rocky", AlmaLinux -> "almalinux", Fedora -> "fedora"); when the text
 * names none of them, family_hint is used (may be NULL: then "rhel"). */
int os_release_parse_redhat(const uint8_t *data, size_t len, const char *family_hint,
                            struct os_info *out, struct dd_error *err);

#endif
