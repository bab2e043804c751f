/* tar_util.h - build real tar streams in memory for tests, with libarchive's writer.
 *
 * tb_new() starts a tar (ustar/pax) in memory; tb_file/tb_symlink/tb_hardlink/tb_dir add
 * entries; tb_finish() returns the bytes compressed as asked. Everything is real tar bytes:
 * the walker under test reads them exactly as it would read a registry blob.
 */
#ifndef DD_TEST_TAR_UTIL_H
#define DD_TEST_TAR_UTIL_H

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tb {
    struct archive *a;
    unsigned char *mem;
    size_t cap;
    size_t used;
};

enum tb_comp { TB_NONE, TB_GZIP, TB_ZSTD };

static inline void tb_new(struct tb *t, enum tb_comp comp, size_t cap)
{
    t->a = archive_write_new();
    archive_write_set_format_pax_restricted(t->a);
    if (comp == TB_GZIP)
        archive_write_add_filter_gzip(t->a);
    else if (comp == TB_ZSTD)
        archive_write_add_filter_zstd(t->a);
    archive_write_set_bytes_in_last_block(t->a, 1);
    t->cap = cap;
    t->mem = malloc(cap);
    t->used = 0;
    archive_write_open_memory(t->a, t->mem, t->cap, &t->used);
}

static inline void tb_entry(struct tb *t, const char *name, unsigned type, const char *data,
                            size_t len, const char *link, int hard)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_size(e, (la_int64_t)len);
    if (link && hard)
        archive_entry_set_hardlink(e, link);
    else if (link)
        archive_entry_set_symlink(e, link);
    archive_write_header(t->a, e);
    if (len)
        archive_write_data(t->a, data, len);
    archive_entry_free(e);
}

static inline void tb_file(struct tb *t, const char *name, const char *data)
{
    tb_entry(t, name, AE_IFREG, data, strlen(data), NULL, 0);
}

static inline void tb_symlink(struct tb *t, const char *name, const char *target)
{
    tb_entry(t, name, AE_IFLNK, NULL, 0, target, 0);
}

static inline void tb_hardlink(struct tb *t, const char *name, const char *target)
{
    tb_entry(t, name, AE_IFREG, NULL, 0, target, 1);
}

static inline void tb_dir(struct tb *t, const char *name)
{
    tb_entry(t, name, AE_IFDIR, NULL, 0, NULL, 0);
}

/* Close the archive; the bytes are t->mem[0..t->used). */
static inline void tb_finish(struct tb *t)
{
    archive_write_close(t->a);
    archive_write_free(t->a);
    t->a = NULL;
}

static inline void tb_free(struct tb *t)
{
    free(t->mem);
}

static inline void tb_sha256(const unsigned char *p, size_t n, char out[72])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
    strcpy(out, "sha256:");
    for (int i = 0; i < 32; i++)
        snprintf(out + 7 + i * 2, 3, "%02x", md[i]);
}

#define OS_RELEASE_DEBIAN12                                                                        \
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"                  \
    "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"

#define DPKG_STANZA(name, ver)                                                                     \
    "Package: " name "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " ver          \
    "\nDescription: test\n\n"

#endif
