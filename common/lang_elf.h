/* lang_elf.h - one streaming pass over an executable ELF file for Go build info and
 * cargo-auditable dependency lists (the walker gives each file to one analyzer, so both
 * binary formats share this entry point; the format parsers live in lang_gobin.c and
 * lang_rust.c).
 */
#ifndef DD_LANG_ELF_H
#define DD_LANG_ELF_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer.h"
#include "blob_source.h"
#include "err.h"

#define ELF_HEAD_MAX  ((size_t)64 * 1024) /* first bytes kept: ELF header, phdrs, early notes */
#define ELF_TAIL_MAX  ((size_t)16 << 20)  /* most bytes after the last PT_LOAD we capture */
#define ELF_MIN_BYTES 1024u               /* want_entry: smaller files are no Go/Rust binary */

/* want_entry: a regular file with any executable bit and at least ELF_MIN_BYTES. */
bool lang_elf_want_entry(const char *path, unsigned mode, uint64_t size);

/* Read src once: stop after the first bytes unless they are ELF; Go binaries (Go build ID
 * note or build info magic) are read until their build info is captured; other ELF files
 * to the end, capturing the bytes after the last PT_LOAD segment (at most ELF_TAIL_MAX)
 * where the non-allocated .dep-v0 section and the section headers live. size is the
 * entry's size (0 = unknown). Adds PKG_TYPE_GOLANG / PKG_TYPE_CARGO packages to out. */
int lang_elf_parse_stream(const char *path, uint64_t size, struct blob_source *src,
                          struct pkg_list *out, struct dd_error *err);

#endif
