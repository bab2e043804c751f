/* apk.c - parse apk-tools' installed database (lib/apk/db/installed, the v2 text format).
 *
 * Format (apk-package(5): "v2-index-character" of each field), one block per package,
 * blocks separated by blank lines, every line "<letter>:<value>":
 *
 *   C:Q1p78yvTLG094tHE1+dToJGbmYzQE=   pull checksum       P:busybox   name
 *   V:1.36.1-r5                         version             A:x86_64    arch
 *   o:busybox                           origin (source)     L:GPL-2.0-only   licence
 *   S/I/T/U/m/t/c/D/p/i/k               sizes, text, deps: ignored
 *   F:/R:/a:/Z:/M:/r:/q:/s:             files and install state of the block: ignored
 *
 * Design: one pass, spans into the input for the fields we keep, a package is committed when
 * its block ends. Invariants: never reads past data + len; values are bounded by APK_MAX_VALUE
 * and the number of packages by APK_MAX_PACKAGES.
 * Deliberately not done: file lists (F/R), dependency parsing, checksum verification.
 */
#include "apk.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct span {
    const char *p;
    size_t n;
};

struct block {
    struct span name, version, arch, origin, licence;
};

static bool value_ok(struct span s)
{
    if (s.p == NULL || s.n == 0 || s.n > APK_MAX_VALUE)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if ((unsigned char)s.p[i] < 0x20 && s.p[i] != '\t')
            return false;
    }
    return true;
}

static char *dup_opt(struct span s, bool *oom)
{
    if (!value_ok(s))
        return NULL;
    char *v = dd_strndup(s.p, s.n);
    if (v == NULL)
        *oom = true;
    return v;
}

static int block_commit(const struct block *b, const char *path, struct pkg_list *out)
{
    if (!value_ok(b->name) || !value_ok(b->version))
        return 0;
    bool oom = false;
    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = PKG_TYPE_APK;
    p.epoch = -1;
    p.layer = -1;
    p.name = dup_opt(b->name, &oom);
    p.version = dup_opt(b->version, &oom);
    p.arch = dup_opt(b->arch, &oom);
    p.src_name = dup_opt(value_ok(b->origin) ? b->origin : b->name, &oom);
    p.src_version = dup_opt(b->version, &oom);
    p.licence = dup_opt(b->licence, &oom);
    p.file_path = dd_strdup(path);
    if (oom || (path && !p.file_path)) {
        pkg_cleanup(&p);
        return DD_ENOMEM;
    }
    struct pkg *slot;
    if (pkg_list_add(out, &slot) != 0) {
        pkg_cleanup(&p);
        return DD_ENOMEM;
    }
    *slot = p;
    return 0;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    }
    return true;
}

int apk_installed_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                        struct dd_error *err)
{
    const char *what = path ? path : "apk installed";
    const char *p = (const char *)data;
    const char *end = p + len;
    struct block b;
    memset(&b, 0, sizeof(b));
    bool in_block = false;
    bool any_field = false;
    bool non_blank = false;
    size_t blocks = 0;
    int rc = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *line = p;
        size_t n = (size_t)(le - p);
        p = nl ? nl + 1 : end;
        if (n > 0 && line[n - 1] == '\r')
            n--;

        if (is_blank(line, n)) {
            if (in_block) {
                rc = block_commit(&b, path, out);
                if (rc != 0)
                    goto out;
                memset(&b, 0, sizeof(b));
                in_block = false;
            }
            continue;
        }
        non_blank = true;
        if (!in_block) {
            if (++blocks > APK_MAX_PACKAGES) {
                rc = dd_error_set(err, DD_ELIMIT, "%s: more than %d packages", what,
                                  APK_MAX_PACKAGES);
                goto out;
            }
            in_block = true;
        }
        if (n < 2 || line[1] != ':')
            continue; /* not "X:value": apk would stop reading here; we skip the line */
        any_field = true;
        struct span v = {line + 2, n - 2};
        switch (line[0]) {
        case 'P':
            b.name = v;
            break;
        case 'V':
            b.version = v;
            break;
        case 'A':
            b.arch = v;
            break;
        case 'o':
            b.origin = v;
            break;
        case 'L':
            b.licence = v;
            break;
        default:
            break;
        }
    }
    if (in_block) {
        rc = block_commit(&b, path, out);
        if (rc != 0)
            goto out;
    }
    if (non_blank && !any_field)
        rc = dd_error_set(err, DD_EPARSE, "%s: no \"X:value\" line found", what);
out:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "%s: out of memory", what);
    return rc;
}
