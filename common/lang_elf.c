/* lang_elf.c - the "elf-binary" analyzer: Go build info and cargo-auditable data in one pass.
 *
 * The walker offers each executable to one analyzer only, so Go and Rust binaries share
 * this pass. Per chunk of the entry's data, in order:
 *
 *   head   the first min(size, ELF_HEAD_MAX) bytes; not "\x7fELF" -> stop at once (scripts,
 *          most executables stop after their first chunk). When complete: ELF header,
 *          program headers, PT_NOTE notes (Go build ID: name "Go\0\0", type 4) and
 *          tail_start = max(p_offset + p_filesz) over PT_LOAD.
 *   go     the 16-byte aligned build info magic scan (go_scan_*, lang_gobin.c) from the
 *          first writable non-executable PT_LOAD (where Go's linker puts .go.buildinfo, and
 *          where Go's own debug/buildinfo looks) up to tail_start (to the end for a Go
 *          binary); a Go binary stops the pass as soon as its build info blob is captured.
 *   tail   non-Go ELF only: the bytes from tail_start to the end, where non-allocated
 *          sections (.dep-v0, .comment, .symtab, .shstrtab) and the section headers live,
 *          when that is at most ELF_TAIL_MAX bytes (else a per-file error, unless the file
 *          turned out to be Go). At the end .dep-v0 is looked up through the section headers
 *          and inflated (lang_rust.c).
 *
 * Memory per file: 64 KiB head + at most GO_BLOB_MAX (~1 MiB) + at most ELF_TAIL_MAX, each
 * grown only as far as the data needs (a stripped binary's tail is a few KiB).
 * Invariants: nothing is read past what the stream delivered; every header field is checked
 * by elf_lite before use; lying program headers (segments past the end, tables outside the
 * head) and section headers (past the end) are per-file DD_EPARSE errors.
 * Deliberately not done: Mach-O / PE, .so files without an executable bit, Go < 1.18, and
 * Go binaries without a build ID note whose build info lies after the last PT_LOAD byte.
 */
#include "lang_elf.h"

#include "buf.h"
#include "elf_lite.h"
#include "lang_gobin.h"
#include "lang_rust.h"

#include <string.h>

#define GO_NOTE_NAME     "Go\0\0"
#define GO_NOTE_NAME_LEN 4u
#define GO_NOTE_BUILDID  4u
/* Rust's std is shipped with its source paths remapped to "/rustc/<commit>/library/...", and
 * panic locations keep them in .rodata: a cheap sign that a binary is Rust. */
#define RUST_MARKER     "/rustc/"
#define RUST_MARKER_LEN 7u

struct elf_pass {
    uint64_t size;      /* entry size, 0 = unknown */
    uint64_t pos;       /* file offset of the next chunk */
    struct buf head;    /* file bytes [0, head.len) */
    size_t head_target; /* head is complete at this length */
    bool head_done;
    struct elf_lite eh;
    bool go_note;      /* Go build ID note seen */
    bool go_on;        /* still feeding the Go scanner */
    uint64_t go_start; /* the Go scanner sees file bytes [go_start, go_limit) only */
    uint64_t go_limit;
    struct go_scan gs;
    bool want_tail; /* capturing [tail_start, end) */
    bool tail_too_big;
    bool rust_scan; /* looking for RUST_MARKER (only when the tail cannot be captured) */
    bool rust_seen;
    uint64_t rust_next; /* file offset of the next byte the marker scan needs */
    uint8_t rust_carry[RUST_MARKER_LEN - 1]; /* last bytes scanned, for markers across chunks */
    size_t rust_carry_len;
    uint64_t tail_start;
    struct buf tail; /* file bytes [tail_start, tail_start + tail.len) */
};

bool lang_elf_want_entry(const char *path, unsigned mode, uint64_t size)
{
    (void)path;
    return (mode & 0111) != 0 && size >= ELF_MIN_BYTES;
}

/* Scan file bytes [off, off + n) for RUST_MARKER; calls must be contiguous in the file. */
static void rust_scan(struct elf_pass *ep, uint64_t off, const uint8_t *p, size_t n)
{
    if (ep->rust_seen || off + n <= ep->rust_next)
        return;
    size_t skip = off < ep->rust_next ? (size_t)(ep->rust_next - off) : 0;
    p += skip;
    n -= skip;
    ep->rust_next += n;
    /* a marker split between the carried bytes and this chunk */
    uint8_t joint[2 * (RUST_MARKER_LEN - 1)];
    size_t k = n < RUST_MARKER_LEN - 1 ? n : RUST_MARKER_LEN - 1;
    memcpy(joint, ep->rust_carry, ep->rust_carry_len);
    memcpy(joint + ep->rust_carry_len, p, k);
    size_t jn = ep->rust_carry_len + k;
    for (size_t i = 0; i + RUST_MARKER_LEN <= jn; i++) {
        if (memcmp(joint + i, RUST_MARKER, RUST_MARKER_LEN) == 0)
            ep->rust_seen = true;
    }
    for (const uint8_t *q = p; !ep->rust_seen && (size_t)(q - p) < n;) {
        q = memchr(q, '/', n - (size_t)(q - p));
        if (q == NULL)
            break;
        if (n - (size_t)(q - p) >= RUST_MARKER_LEN && memcmp(q, RUST_MARKER, RUST_MARKER_LEN) == 0)
            ep->rust_seen = true;
        q++;
    }
    /* keep the last RUST_MARKER_LEN - 1 bytes of carry + chunk */
    size_t keep = RUST_MARKER_LEN - 1;
    if (n >= keep) {
        memcpy(ep->rust_carry, p + n - keep, keep);
        ep->rust_carry_len = keep;
    } else {
        size_t total = ep->rust_carry_len + n;
        size_t from = total > keep ? total - keep : 0;
        memcpy(joint, ep->rust_carry, ep->rust_carry_len);
        memcpy(joint + ep->rust_carry_len, p, n);
        ep->rust_carry_len = total - from;
        memcpy(ep->rust_carry, joint + from, ep->rust_carry_len);
    }
}

/* Feed the Go scanner the part of file bytes [off, off + n) inside [go_start, go_limit)
 * that it has not seen yet. Returns go_scan_feed's result, or 0 when there was nothing. */
static int feed_go(struct elf_pass *ep, uint64_t off, const uint8_t *p, size_t n)
{
    uint64_t lo = off > ep->gs.pos ? off : ep->gs.pos;
    if (lo < ep->go_start)
        lo = ep->go_start;
    uint64_t hi = off + n < ep->go_limit ? off + n : ep->go_limit;
    if (lo >= hi)
        return 0;
    if (ep->gs.pos < lo)
        go_scan_skip(&ep->gs, lo - ep->gs.pos);
    return go_scan_feed(&ep->gs, p + (lo - off), (size_t)(hi - lo));
}

static int analyse_head(struct elf_pass *ep, struct dd_error *err)
{
    const uint8_t *h = ep->head.data;
    size_t hl = ep->head.len;
    int rc = elf_lite_header_parse(h, hl, &ep->eh, err);
    if (rc)
        return rc;
    uint64_t tail_start = 0, data_start = 0;
    bool any_load = false, any_data = false;
    for (unsigned i = 0; i < ep->eh.phnum; i++) {
        struct elf_lite_phdr ph;
        if (elf_lite_phdr_get(&ep->eh, h, hl, i, &ph) != 0)
            return dd_error_set(err, DD_EPARSE,
                                "program headers (%u at offset %llu) outside the first %zu bytes",
                                ep->eh.phnum, (unsigned long long)ep->eh.phoff, hl);
        uint64_t end = ph.offset + ph.filesz;
        if (ph.type == ELF_LITE_PT_LOAD &&
            (ph.flags & (ELF_LITE_PF_X | ELF_LITE_PF_W)) == ELF_LITE_PF_W &&
            (!any_data || ph.offset < data_start)) {
            data_start = ph.offset; /* Go puts .go.buildinfo in the data segment */
            any_data = true;
        }
        if (ph.type == ELF_LITE_PT_LOAD) {
            if (end < ph.offset || (ep->size && end > ep->size))
                return dd_error_set(err, DD_EPARSE,
                                    "program header %u: segment past the end of the file", i);
            if (end > tail_start)
                tail_start = end;
            any_load = true;
        } else if (ph.type == ELF_LITE_PT_NOTE && end >= ph.offset && end <= hl) {
            if (elf_lite_has_note(&ep->eh, h + ph.offset, (size_t)ph.filesz, GO_NOTE_NAME,
                                  GO_NOTE_NAME_LEN, GO_NOTE_BUILDID))
                ep->go_note = true;
        }
    }
    ep->tail_start = tail_start;
    /* Like Go's debug/buildinfo: the blob is in the first writable, non-executable segment,
     * so .rodata (which may embed other binaries, or the magic as data) is never searched. */
    ep->go_start = data_start;
    if (ep->go_note) {
        ep->go_limit = UINT64_MAX; /* a Go binary carries no .dep-v0 */
        return 0;
    }
    ep->go_limit = any_load ? tail_start : UINT64_MAX;
    const struct elf_lite *eh = &ep->eh;
    if (!any_load || eh->shoff == 0 || eh->shoff < tail_start)
        return 0; /* no section headers after the loaded bytes: nothing to capture */
    if (ep->size && eh->shnum &&
        (eh->shoff > ep->size || (uint64_t)eh->shnum * eh->shentsize > ep->size - eh->shoff))
        return dd_error_set(err, DD_EPARSE, "section header table past the end of the file");
    if (ep->size && ep->size > tail_start && ep->size - tail_start > ELF_TAIL_MAX) {
        /* too big to capture: worth an error only when the binary looks like Rust */
        ep->tail_too_big = true;
        ep->rust_scan = true;
        rust_scan(ep, 0, h, hl < tail_start ? hl : (size_t)tail_start);
        return 0;
    }
    ep->want_tail = true;
    if (tail_start < hl && buf_append(&ep->tail, h + tail_start, hl - (size_t)tail_start) != 0)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    return 0;
}

static void capture_tail(struct elf_pass *ep, const uint8_t *p, size_t n)
{
    uint64_t have = ep->tail_start + ep->tail.len; /* next file offset the tail needs */
    uint64_t from = ep->pos > have ? ep->pos : have;
    if (from >= ep->pos + n)
        return;
    size_t skip = (size_t)(from - ep->pos);
    if (buf_append(&ep->tail, p + skip, n - skip) != 0) {
        /* over ELF_TAIL_MAX (size was unknown or wrong) or out of memory */
        ep->want_tail = false;
        ep->tail_too_big = true;
        buf_cleanup(&ep->tail);
        buf_init(&ep->tail, ELF_TAIL_MAX);
    }
}

int lang_elf_parse_stream(const char *path, uint64_t size, struct blob_source *src,
                          struct pkg_list *out, struct dd_error *err)
{
    struct elf_pass ep = {0};
    int rc = 0;
    ep.size = size;
    ep.head_target = size && size < ELF_HEAD_MAX ? (size_t)size : ELF_HEAD_MAX;
    ep.go_on = true;
    ep.go_limit = UINT64_MAX;
    ep.rust_scan = size == 0; /* a tail overflow may only show at its end: watch from the start */
    buf_init(&ep.head, ELF_HEAD_MAX);
    buf_init(&ep.tail, ELF_TAIL_MAX);
    go_scan_init(&ep.gs);
    for (;;) {
        const uint8_t *p;
        size_t n = 0;
        if ((rc = src->next(src->ctx, &p, &n, err)) != 0)
            goto out;
        if (n == 0)
            break;
        if (!ep.head_done) {
            size_t take = ep.head_target - ep.head.len;
            if (take > n)
                take = n;
            if (buf_append(&ep.head, p, take) != 0) {
                rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                goto out;
            }
            if (ep.head.len >= 4 && !elf_lite_is_elf(ep.head.data, ep.head.len))
                goto out; /* not ELF: nothing for us, stop reading */
            if (ep.head.len == ep.head_target) {
                ep.head_done = true;
                if ((rc = analyse_head(&ep, err)) != 0)
                    goto out;
            }
        }
        if (ep.head_done && ep.go_on) {
            /* the head's bytes first (once), then this chunk's */
            int g = feed_go(&ep, 0, ep.head.data, ep.head.len);
            if (g == 0)
                g = feed_go(&ep, ep.pos, p, n);
            if (g < 0) {
                rc = dd_error_set(err, g, "out of memory");
                goto out;
            }
            if (g == 1 || ep.pos + n >= ep.go_limit)
                ep.go_on = false;
        }
        if (ep.want_tail)
            capture_tail(&ep, p, n);
        if (ep.rust_scan && ep.pos < ep.go_limit)
            rust_scan(&ep, ep.pos, p,
                      ep.pos + n > ep.go_limit ? (size_t)(ep.go_limit - ep.pos) : n);
        ep.pos += n;
        if (ep.head_done && !ep.go_on && !ep.want_tail)
            break; /* the walker skips the rest */
    }
    if (!ep.head_done) {
        /* the stream ended inside the head (size unknown or wrong) */
        if (!elf_lite_is_elf(ep.head.data, ep.head.len))
            goto out;
        ep.head_done = true;
        if ((rc = analyse_head(&ep, err)) != 0)
            goto out;
        if (feed_go(&ep, 0, ep.head.data, ep.head.len) < 0) {
            rc = dd_error_set(err, DD_ENOMEM, "out of memory");
            goto out;
        }
    }
    int grc = go_scan_finish(&ep.gs, path, out, err);
    int rrc = 0;
    if (ep.want_tail) {
        struct elf_lite_shdr sh;
        const uint8_t *dep = NULL;
        rrc = elf_lite_section_find(&ep.eh, ep.tail.data, ep.tail.len, ep.tail_start, size,
                                    ".dep-v0", &sh, &dep, err);
        if (rrc == 0)
            rrc = cargo_auditable_parse(path, dep, (size_t)sh.size, out, err);
        else if (rrc == DD_ENOTFOUND)
            rrc = 0;
    } else if (ep.tail_too_big && ep.rust_seen && !ep.gs.found) {
        rrc = dd_error_set(err, DD_ETOOBIG, "ELF tail too large for cargo-auditable scan");
    }
    rc = grc ? grc : rrc;
out:
    go_scan_cleanup(&ep.gs);
    buf_cleanup(&ep.tail);
    buf_cleanup(&ep.head);
    return rc;
}

/* ---- the analyzer --------------------------------------------------------------------- */

static bool want_no_path(const char *path)
{
    (void)path;
    return false; /* binaries are picked by want_entry (mode and size), never by name */
}

static int elf_parse_stream(const char *path, uint64_t size, struct blob_source *src,
                            struct file_facts *out, struct dd_error *err)
{
    return lang_elf_parse_stream(path, size, src, &out->pkgs, err);
}

const struct analyzer analyzer_elf_binary = {
    .name = "elf-binary",
    .version = 1,
    .max_file_bytes = 0,
    .want = want_no_path,
    .want_entry = lang_elf_want_entry,
    .parse_stream = elf_parse_stream,
};
