/* lang_gobin.h - Go build info: the modules compiled into a Go binary, read from a stream.
 *
 * Go >= 1.18 writes, at a 16-byte aligned file offset inside the data segment:
 *
 *   0               14        15      16           32
 *   "\xff Go buildinf:" ptrsize  flags   (padding)    uvarint len, Go version,
 *                                                    uvarint len, modinfo
 *
 * flags & 2 means the two strings follow inline (the only format read here; older binaries
 * point at Go string headers elsewhere and get DD_EUNSUPPORTED). modinfo is 16 sentinel bytes,
 * tab-separated lines (path / mod / dep / "=>" replacement / build), 16 sentinel bytes.
 */
#ifndef DD_LANG_GOBIN_H
#define DD_LANG_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "pkg.h"

#define GO_BUILDINFO_MAGIC     "\xff Go buildinf:"
#define GO_BUILDINFO_MAGIC_LEN 14
#define GO_BUILDINFO_HDR_LEN   32
#define GO_VERSION_MAX         ((size_t)4096)    /* bytes of the Go version string */
#define GO_MODINFO_MAX         ((size_t)1 << 20) /* bytes of modinfo */
/* The most bytes a blob can span: header, two 10-byte uvarints, both strings. */
#define GO_BLOB_MAX (GO_BUILDINFO_HDR_LEN + 20 + GO_VERSION_MAX + GO_MODINFO_MAX)

/* Parse a build info blob that starts at the magic; data may run past its end. Adds the
 * toolchain ("stdlib"), the main module (unless "(devel)") and every dependency (replacement
 * wins) to out, each with file_path = path, type PKG_TYPE_GOLANG.
 * DD_ETRUNC: data ends before the blob does; DD_EUNSUPPORTED: pre-1.18 pointer format;
 * DD_EPARSE / DD_ETOOBIG: garbage lengths or header. Partial results stay in out. */
int go_buildinfo_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err);

/* Parse modinfo text (sentinels already stripped) built by toolchain goversion ("go1.19.8";
 * may be NULL: no stdlib package). "line N: ..." errors; partial results stay in out. */
int go_modinfo_parse(const char *path, const char *goversion, const char *modinfo, size_t len,
                     struct pkg_list *out, struct dd_error *err);

/* The toolchain version as the stdlib package version: "go1.19.8" -> "v1.19.8",
 * "go1.22.3 X:boringcrypto" -> "v1.22.3", "go1.21rc2" -> "v1.21.0-rc.2", "go1.20" -> "v1.20".
 * *out is heap-owned by the caller. DD_EPARSE for anything else ("devel go1.22-abc ..."). */
int go_stdlib_version(const char *goversion, char **out);

/* A streaming search for the blob: feed the file's bytes in order, in chunks of any size.
 * It looks for the magic at 16-byte aligned offsets only (keeping at most one partial
 * 16-byte block across chunks), then captures the blob, never more than GO_BLOB_MAX bytes. */
struct go_scan {
    uint64_t pos;       /* file offset of the next byte fed */
    uint8_t blk[16];    /* a partial aligned block carried over between chunks */
    size_t blk_len;     /* bytes in blk */
    bool found;         /* magic seen; blob capture under way or complete */
    bool complete;      /* blob captured whole (or known bad): feed no more */
    uint64_t found_off; /* file offset of the magic */
    struct buf blob;    /* bytes from the magic on */
};

void go_scan_init(struct go_scan *s);
void go_scan_cleanup(struct go_scan *s);
/* Returns 0 (keep feeding), 1 (done: the blob is captured or known bad) or DD_ENOMEM. */
int go_scan_feed(struct go_scan *s, const uint8_t *data, size_t len);
/* Pass over the next len bytes of the file unexamined (before the magic is found only). */
void go_scan_skip(struct go_scan *s, uint64_t len);
/* Parse what was captured into out. 0 with nothing added when no magic was seen. */
int go_scan_finish(struct go_scan *s, const char *path, struct pkg_list *out, struct dd_error *err);

#endif
