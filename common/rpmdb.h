/* rpmdb.h - installed RPM packages from an rpm database file (sqlite, Berkeley DB or NDB). */
#ifndef DD_RPMDB_H
#define DD_RPMDB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define RPM_HEADER_MAX_TAGS  0xffff              /* index entries; rpm's own limit */
#define RPM_HEADER_MAX_BYTES (64u * 1024 * 1024) /* data store of one header */
#define RPMDB_MAX_PACKAGES   200000              /* more is DD_ELIMIT */

/* Parse one header blob as stored in an rpm database (no lead, no magic):
 *
 *   be32 il | be32 dl | il x { be32 tag, type, offset, count } | dl bytes of data
 *
 * and fill *out (overwritten, not freed first) with type PKG_TYPE_RPM, name, version, release,
 * epoch (-1 when absent), arch, licence, and src_name/src_version from SOURCERPM
 * ("openssl-3.0.7-24.el9.src.rpm" -> "openssl", "3.0.7-24.el9"; without a usable SOURCERPM,
 * name and "version-release"). file_path and layer are left NULL / -1.
 * DD_ETRUNC when the blob is shorter than il/dl say; DD_EPARSE for anything out of bounds or
 * mistyped, or a missing NAME or VERSION; out untouched on failure. */
int rpm_header_parse(const uint8_t *blob, size_t len, struct pkg *out, struct dd_error *err);

/* Parse a whole database file, choosing the format by its magic: "SQLite format 3" (opened
 * from memory, read-only), Berkeley DB hash (0x00061561 in either byte order), NDB ("RpmP").
 * Appends one package per header (gpg-pubkey pseudo-packages skipped), file_path = path.
 * Returns 0; DD_EUNSUPPORTED for another format; DD_EPARSE / DD_ETRUNC when the database or
 * one of its headers is damaged (err says which; packages that did parse stay in out);
 * DD_ELIMIT past RPMDB_MAX_PACKAGES; DD_ENOMEM. */
int rpmdb_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                struct dd_error *err);

/* Called once per file a header lists, with its path without the leading '/' (len bytes,
 * NUL-terminated); non-zero stops and is returned. */
typedef int (*rpm_file_cb)(const char *path, size_t len, void *ctx);

/* The files of one header: BASENAMES joined to DIRNAMES by DIRINDEXES (rpm >= 4.1), else the
 * old FILENAMES. 0 also when the header lists no files; DD_ETRUNC / DD_EPARSE when those tags
 * are mistyped or out of bounds (a path over 4 KiB is skipped). */
int rpm_header_files(const uint8_t *blob, size_t len, rpm_file_cb cb, void *ctx,
                     struct dd_error *err);

/* rpmdb_parse, also calling files_cb (may be NULL) for every file of every package parsed;
 * a header whose file list is damaged keeps its package (the error is reported as for a
 * damaged record). */
int rpmdb_parse_files(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      rpm_file_cb files_cb, void *files_ctx, struct dd_error *err);

#endif
