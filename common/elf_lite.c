/* elf_lite.c - bounded ELF header, program header, section header and note readers.
 *
 * Design: no struct is ever overlaid on file bytes; every field is read with an explicit
 * width and byte order from a window whose bounds are checked first (offset <= len and
 * size <= len - offset, which cannot overflow). 32- and 64-bit ELF in either byte order.
 * Invariants: a function that returns 0 has checked every offset it hands out against the
 * window it was given; nothing here allocates or keeps pointers.
 * Deliberately not done: relocation, dynamic section, symbol tables, compressed sections
 * (SHF_COMPRESSED) - the analyzers only need headers, notes and one named section.
 */
#include "elf_lite.h"

#include <string.h>

#define EI_CLASS       4
#define EI_DATA        5
#define ELFCLASS32     1
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define ELFDATA2MSB    2
#define EHDR32_SIZE    52u
#define EHDR64_SIZE    64u
#define PHDR32_SIZE    32u
#define PHDR64_SIZE    56u
#define SHDR32_SIZE    40u
#define SHDR64_SIZE    64u
#define SHN_XINDEX     0xffffu
#define SHSTR_NAME_MAX 256u /* longest section name we compare against */

static uint16_t rd16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)((p[0] << 8) | p[1]) : (uint16_t)((p[1] << 8) | p[0]);
}

static uint32_t rd32(const uint8_t *p, bool be)
{
    if (be)
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static uint64_t rd64(const uint8_t *p, bool be)
{
    uint64_t hi = rd32(be ? p : p + 4, be);
    uint64_t lo = rd32(be ? p + 4 : p, be);
    return (hi << 32) | lo;
}

/* Does [off, off + n) fit in a window [win_off, win_off + win_len)? On success *rel is the
 * offset of off inside the window. */
static bool in_window(uint64_t off, uint64_t n, uint64_t win_off, size_t win_len, size_t *rel)
{
    if (off < win_off)
        return false;
    uint64_t r = off - win_off;
    if (r > win_len || n > win_len - r)
        return false;
    *rel = (size_t)r;
    return true;
}

bool elf_lite_is_elf(const uint8_t *data, size_t len)
{
    return len >= 4 && memcmp(data,
                              "\x7f"
                              "ELF",
                              4) == 0;
}

int elf_lite_header_parse(const uint8_t *data, size_t len, struct elf_lite *out,
                          struct dd_error *err)
{
    struct elf_lite h = {0};
    if (!elf_lite_is_elf(data, len))
        return dd_error_set(err, DD_EPARSE, "not an ELF file");
    if (len < EHDR32_SIZE)
        return dd_error_set(err, DD_EPARSE, "ELF header truncated at %zu bytes", len);
    if (data[EI_CLASS] == ELFCLASS64)
        h.is64 = true;
    else if (data[EI_CLASS] != ELFCLASS32)
        return dd_error_set(err, DD_EPARSE, "ELF class %u unknown", data[EI_CLASS]);
    if (data[EI_DATA] == ELFDATA2MSB)
        h.big_endian = true;
    else if (data[EI_DATA] != ELFDATA2LSB)
        return dd_error_set(err, DD_EPARSE, "ELF byte order %u unknown", data[EI_DATA]);
    bool be = h.big_endian;
    if (h.is64 && len < EHDR64_SIZE)
        return dd_error_set(err, DD_EPARSE, "ELF header truncated at %zu bytes", len);
    h.type = rd16(data + 16, be);
    h.machine = rd16(data + 18, be);
    if (h.is64) {
        h.phoff = rd64(data + 32, be);
        h.shoff = rd64(data + 40, be);
        h.phentsize = rd16(data + 54, be);
        h.phnum = rd16(data + 56, be);
        h.shentsize = rd16(data + 58, be);
        h.shnum = rd16(data + 60, be);
        h.shstrndx = rd16(data + 62, be);
    } else {
        h.phoff = rd32(data + 28, be);
        h.shoff = rd32(data + 32, be);
        h.phentsize = rd16(data + 42, be);
        h.phnum = rd16(data + 44, be);
        h.shentsize = rd16(data + 46, be);
        h.shnum = rd16(data + 48, be);
        h.shstrndx = rd16(data + 50, be);
    }
    if (h.phnum && h.phentsize < (h.is64 ? PHDR64_SIZE : PHDR32_SIZE))
        return dd_error_set(err, DD_EPARSE, "ELF program header size %u too small", h.phentsize);
    if (h.shoff && h.shentsize < (h.is64 ? SHDR64_SIZE : SHDR32_SIZE))
        return dd_error_set(err, DD_EPARSE, "ELF section header size %u too small", h.shentsize);
    *out = h;
    return 0;
}

int elf_lite_phdr_get(const struct elf_lite *h, const uint8_t *head, size_t head_len, unsigned i,
                      struct elf_lite_phdr *out)
{
    if (i >= h->phnum)
        return DD_EINVAL;
    size_t rel;
    uint64_t off = h->phoff + (uint64_t)i * h->phentsize;
    if (off < h->phoff || !in_window(off, h->phentsize, 0, head_len, &rel))
        return DD_ENOTFOUND;
    const uint8_t *p = head + rel;
    bool be = h->big_endian;
    struct elf_lite_phdr ph = {0};
    ph.type = rd32(p, be);
    if (h->is64) {
        ph.flags = rd32(p + 4, be);
        ph.offset = rd64(p + 8, be);
        ph.vaddr = rd64(p + 16, be);
        ph.filesz = rd64(p + 32, be);
        ph.memsz = rd64(p + 40, be);
    } else {
        ph.offset = rd32(p + 4, be);
        ph.vaddr = rd32(p + 8, be);
        ph.filesz = rd32(p + 16, be);
        ph.memsz = rd32(p + 20, be);
        ph.flags = rd32(p + 24, be);
    }
    *out = ph;
    return 0;
}

int elf_lite_shdr_get(const struct elf_lite *h, const uint8_t *win, size_t win_len,
                      uint64_t win_off, unsigned i, struct elf_lite_shdr *out)
{
    size_t rel;
    uint64_t off = h->shoff + (uint64_t)i * h->shentsize;
    if (h->shoff == 0 || off < h->shoff || !in_window(off, h->shentsize, win_off, win_len, &rel))
        return DD_ENOTFOUND;
    const uint8_t *p = win + rel;
    bool be = h->big_endian;
    struct elf_lite_shdr sh = {0};
    sh.name = rd32(p, be);
    sh.type = rd32(p + 4, be);
    if (h->is64) {
        sh.flags = rd64(p + 8, be);
        sh.offset = rd64(p + 24, be);
        sh.size = rd64(p + 32, be);
        sh.link = rd32(p + 40, be);
        sh.info = rd32(p + 44, be);
    } else {
        sh.flags = rd32(p + 8, be);
        sh.offset = rd32(p + 16, be);
        sh.size = rd32(p + 20, be);
        sh.link = rd32(p + 24, be);
        sh.info = rd32(p + 28, be);
    }
    *out = sh;
    return 0;
}

/* Outside the window: a lie when past the end of the file, otherwise just out of sight. */
static int outside(uint64_t off, uint64_t n, uint64_t file_end, struct dd_error *err,
                   const char *what)
{
    if (off > file_end || n > file_end - off)
        return dd_error_set(err, DD_EPARSE, "%s (offset %llu, %llu bytes) past the end of the file",
                            what, (unsigned long long)off, (unsigned long long)n);
    return DD_ENOTFOUND;
}

int elf_lite_section_find(const struct elf_lite *h, const uint8_t *win, size_t win_len,
                          uint64_t win_off, uint64_t file_size, const char *name,
                          struct elf_lite_shdr *out, const uint8_t **data, struct dd_error *err)
{
    if (h->shoff == 0)
        return DD_ENOTFOUND;
    uint64_t file_end = file_size ? file_size : win_off + win_len;
    struct elf_lite_shdr s0;
    if (elf_lite_shdr_get(h, win, win_len, win_off, 0, &s0) != 0)
        return outside(h->shoff, h->shentsize, file_end, err, "section header table");
    uint64_t shnum = h->shnum ? h->shnum : s0.size; /* extended numbering keeps it in shdr 0 */
    uint64_t strndx = h->shstrndx == SHN_XINDEX ? s0.link : h->shstrndx;
    /* the whole table must be in the window: this also bounds shnum by the window size */
    size_t rel;
    if (shnum > UINT64_MAX / h->shentsize)
        return dd_error_set(err, DD_EPARSE, "section count %llu overflows",
                            (unsigned long long)shnum);
    if (!in_window(h->shoff, shnum * h->shentsize, win_off, win_len, &rel))
        return outside(h->shoff, shnum * h->shentsize, file_end, err, "section header table");
    if (strndx == 0 || strndx >= shnum)
        return dd_error_set(err, DD_EPARSE, "section name table index %llu out of range",
                            (unsigned long long)strndx);
    struct elf_lite_shdr strsh = {0};
    if (elf_lite_shdr_get(h, win, win_len, win_off, (unsigned)strndx, &strsh) != 0)
        return DD_ENOTFOUND; /* unreachable: the whole table is in the window */
    size_t str_rel;
    if (!in_window(strsh.offset, strsh.size, win_off, win_len, &str_rel))
        return outside(strsh.offset, strsh.size, file_end, err, "section name table");
    const char *strtab = (const char *)win + str_rel;
    size_t nlen = strlen(name);
    for (uint64_t i = 1; i < shnum; i++) {
        struct elf_lite_shdr sh = {0};
        if (elf_lite_shdr_get(h, win, win_len, win_off, (unsigned)i, &sh) != 0)
            return DD_ENOTFOUND; /* unreachable: the whole table is in the window */
        if (sh.name >= strsh.size || strsh.size - sh.name < nlen + 1)
            continue;
        if (memcmp(strtab + sh.name, name, nlen + 1) != 0)
            continue;
        size_t data_rel;
        if (!in_window(sh.offset, sh.size, win_off, win_len, &data_rel))
            return outside(sh.offset, sh.size, file_end, err, name);
        *out = sh;
        *data = win + data_rel;
        return 0;
    }
    return DD_ENOTFOUND;
}

bool elf_lite_has_note(const struct elf_lite *h, const uint8_t *notes, size_t len, const void *name,
                       size_t namesz, uint32_t type)
{
    size_t pos = 0;
    while (len - pos >= 12) {
        uint32_t nsz = rd32(notes + pos, h->big_endian);
        uint32_t descsz = rd32(notes + pos + 4, h->big_endian);
        uint32_t ntype = rd32(notes + pos + 8, h->big_endian);
        pos += 12;
        uint64_t name_pad = ((uint64_t)nsz + 3) & ~(uint64_t)3;
        uint64_t desc_pad = ((uint64_t)descsz + 3) & ~(uint64_t)3;
        if (name_pad > len - pos)
            return false;
        if (ntype == type && nsz == namesz && memcmp(notes + pos, name, namesz) == 0)
            return true;
        pos += (size_t)name_pad;
        if (desc_pad > len - pos)
            return false;
        pos += (size_t)desc_pad;
    }
    return false;
}
