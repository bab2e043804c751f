/* lang_rust.h - Rust crates: Cargo.lock files and cargo-auditable dependency lists.
 *
 * Cargo.lock (lockfile versions 1-4) is TOML of one known shape:
 *
 *   version = 3                      # absent in v1/v2 lockfiles
 *   [[package]]
 *   name = "serde"
 *   version = "1.0.188"
 *   source = "registry+https://github.com/rust-lang/crates.io-index"   # absent: workspace
 *   checksum = "..."
 *   dependencies = [ "serde_derive", ]
 *   [metadata]                       # v1: "checksum ..." keys; ignored
 *
 * cargo-auditable embeds zlib(JSON) in the ELF section .dep-v0:
 *   {"packages":[{"name":"x","version":"1.0.0","source":"crates.io","kind":"runtime",
 *                 "dependencies":[1,2],"root":true}, ...]}
 */
#ifndef DD_LANG_RUST_H
#define DD_LANG_RUST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define CARGO_LOCK_MAX_BYTES     ((size_t)8 << 20) /* bigger Cargo.lock files are not read */
#define CARGO_AUDIT_INFLATED_MAX ((size_t)8 << 20) /* cap on the inflated .dep-v0 JSON, bytes */
#define CARGO_AUDIT_PACKAGES_MAX 100000u           /* entries in one dependency list */

/* Parse a Cargo.lock (data[len] need not be NUL). Every [[package]] (and a v1 [root]) with a
 * name and a version becomes a PKG_TYPE_CARGO package with file_path = path. "line N: ..."
 * errors; DD_EUNSUPPORTED for a lockfile version above 4. Partial results stay in out. */
int cargo_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                     struct dd_error *err);

/* Inflate a .dep-v0 payload (zlib) and parse it. DD_EBOMB past CARGO_AUDIT_INFLATED_MAX. */
int cargo_auditable_parse(const char *path, const uint8_t *z, size_t zlen, struct pkg_list *out,
                          struct dd_error *err);

/* Parse the (inflated) JSON. Only kind "runtime" packages (the default when absent) are
 * reported, the root crate included, as Trivy does. */
int cargo_auditable_json_parse(const char *path, const uint8_t *json, size_t len,
                               struct pkg_list *out, struct dd_error *err);

#endif
