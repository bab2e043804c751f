/* elf_lite.h - a bounded reader for the few ELF structures the binary analyzers need.
 *
 * Everything works on caller-held windows of the file: the first bytes (ELF header, program
 * headers, early notes) or a captured tail (section headers, .shstrtab, non-allocated
 * sections). Every offset and count read from the file is checked against the window before
 * it is used; nothing here allocates.
 *
 *   file:  [ELF header][phdrs] .. PT_LOAD segments .. [non-alloc sections][shdrs]
 *          ^ head window (first KiBs)                 ^ tail window [win_off, win_off+win_len)
 */
#ifndef DD_ELF_LITE_H
#define DD_ELF_LITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ELF_LITE_PT_LOAD 1u
#define ELF_LITE_PT_NOTE 4u
#define ELF_LITE_PF_X    1u
#define ELF_LITE_PF_W    2u

struct elf_lite {
    bool is64;
    bool big_endian;
    uint16_t type;      /* e_type: 2 EXEC, 3 DYN, ... */
    uint16_t machine;   /* e_machine */
    uint64_t phoff;     /* file offset of the program header table, bytes */
    uint64_t shoff;     /* file offset of the section header table, bytes (0 = none) */
    uint16_t phentsize; /* bytes per program header */
    uint16_t phnum;
    uint16_t shentsize; /* bytes per section header */
    uint16_t shnum;     /* as written; 0 with shoff != 0 means "extended", see shdr 0 */
    uint16_t shstrndx;  /* as written; 0xffff means "extended", see shdr 0 */
};

struct elf_lite_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset; /* bytes into the file */
    uint64_t vaddr;
    uint64_t filesz; /* bytes */
    uint64_t memsz;  /* bytes */
};

struct elf_lite_shdr {
    uint32_t name; /* offset into .shstrtab */
    uint32_t type;
    uint64_t flags;
    uint64_t offset; /* bytes into the file */
    uint64_t size;   /* bytes */
    uint32_t link;
    uint32_t info;
};

/* True when data starts with "\x7fELF". */
bool elf_lite_is_elf(const uint8_t *data, size_t len);

/* Parse the ELF header from the file's first len bytes. DD_EPARSE (err filled) when the
 * bytes are not a sane ELF header: unknown class or byte order, entry sizes too small for
 * the class, truncated header. */
int elf_lite_header_parse(const uint8_t *data, size_t len, struct elf_lite *out,
                          struct dd_error *err);

/* Program header i, read from head (the file's first head_len bytes). DD_ENOTFOUND when
 * the table lies (partly) outside head; DD_EINVAL when i >= phnum. */
int elf_lite_phdr_get(const struct elf_lite *h, const uint8_t *head, size_t head_len, unsigned i,
                      struct elf_lite_phdr *out);

/* Section header i, read from a window holding file bytes [win_off, win_off + win_len).
 * DD_ENOTFOUND when the header lies outside the window. */
int elf_lite_shdr_get(const struct elf_lite *h, const uint8_t *win, size_t win_len,
                      uint64_t win_off, unsigned i, struct elf_lite_shdr *out);

/* Find the section called name. The section header table, .shstrtab and the section's own
 * bytes must all lie inside the window; *data then points at the section's bytes inside win.
 * DD_ENOTFOUND when there is no such section, or when a structure lies inside the file but
 * outside the window (a legal layout we cannot see); DD_EPARSE (err filled) when the headers
 * lie: a structure past file_size (0 = unknown: the window's end), offsets overflowing. */
int elf_lite_section_find(const struct elf_lite *h, const uint8_t *win, size_t win_len,
                          uint64_t win_off, uint64_t file_size, const char *name,
                          struct elf_lite_shdr *out, const uint8_t **data, struct dd_error *err);

/* True when the note area (the bytes of a PT_NOTE segment or SHT_NOTE section) holds a note
 * whose name is exactly the namesz bytes at name (NULs included: Go writes "Go\0\0", 4) and
 * whose type is type. Malformed notes end the walk. */
bool elf_lite_has_note(const struct elf_lite *h, const uint8_t *notes, size_t len, const void *name,
                       size_t namesz, uint32_t type);

#endif
