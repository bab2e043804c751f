/* apk.h - installed Alpine packages from lib/apk/db/installed. */
#ifndef DD_APK_H
#define DD_APK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define APK_MAX_PACKAGES 100000 /* more is DD_ELIMIT (packages so far are kept) */
#define APK_MAX_VALUE    4096   /* a kept field longer than this drops its package, bytes */

/* Parse the installed database and append one PKG_TYPE_APK package per block with both P: and
 * V: to out: name (P), version (V), arch (A), src_name (o, else name), src_version = version,
 * licence (L), file_path = path. Blocks without P: or V: are skipped.
 * Returns 0; DD_EPARSE when non-blank input holds no "X:value" line at all; DD_ELIMIT past
 * APK_MAX_PACKAGES; DD_ENOMEM. On error, packages already appended stay in out. */
int apk_installed_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                        struct dd_error *err);

#endif
