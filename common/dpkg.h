/* dpkg.h - installed Debian packages from var/lib/dpkg/status and var/lib/dpkg/status.d/. */
#ifndef DD_DPKG_H
#define DD_DPKG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define DPKG_MAX_STANZAS 100000 /* more is DD_ELIMIT (packages so far are kept) */
#define DPKG_MAX_VALUE   4096   /* a kept field longer than this drops its stanza, bytes */

/* Parse a dpkg status file (or a distroless status.d/<name> file) and append one PKG_TYPE_DEB
 * package per installed stanza to out. Installed = Status "<want> ok installed", or no Status
 * field at all (distroless). Each package has name, version (with epoch), arch, src_name
 * (Source, else name), src_version (Source's "(version)", else version), file_path = path.
 * Stanzas without Package or Version are skipped. A path ending in ".md5sums" yields nothing.
 * Returns 0; DD_EPARSE when non-blank input holds no "Field: value" line at all; DD_ELIMIT
 * past DPKG_MAX_STANZAS; DD_ENOMEM. On error, packages already appended stay in out. */
int dpkg_status_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err);

#endif
