/* dpkg.c - parse dpkg's status database into installed packages.
 *
 * Format (deb-control(5) / RFC 822-like), one stanza per package, stanzas separated by blank
 * (or whitespace-only) lines:
 *
 *   Package: bash                  field names are case-insensitive
 *   Status: install ok installed   <want> <flag> <status>
 *   Source: bash (5.2.15-2)        "name" or "name (version)"
 *   Version: 5.2.15-2+b8
 *   Description: GNU Bourne Again SHell
 *    continuation lines start with a space or tab
 *
 * Design: a single pass over the bytes; only the five fields we keep are looked at, their
 * values trimmed and bounded by DPKG_MAX_VALUE. A stanza is committed to the output when it
 * ends, so a malformed stanza never leaves a half-filled package behind.
 * Invariants: never reads past data + len; a stanza count cap bounds the work.
 * Deliberately not done: Conffiles/Description handling, multi-arch de-duplication, checking
 * that versions are well-formed (the version comparator's job), the status.d *.md5sums files.
 */
#include "dpkg.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct span {
    const char *p;
    size_t n;
};

struct stanza {
    struct span package, version, arch, status, source;
    bool any_field; /* saw at least one "Field: value" line */
};

static void span_trim(struct span *s)
{
    while (s->n > 0 && isspace((unsigned char)s->p[0])) {
        s->p++;
        s->n--;
    }
    while (s->n > 0 && isspace((unsigned char)s->p[s->n - 1]))
        s->n--;
}

static bool span_eq(struct span s, const char *w)
{
    return s.n == strlen(w) && memcmp(s.p, w, s.n) == 0;
}

/* Split the next whitespace-separated word off s. */
static struct span next_word(struct span *s)
{
    span_trim(s);
    struct span w = {s->p, 0};
    while (w.n < s->n && !isspace((unsigned char)s->p[w.n]))
        w.n++;
    s->p += w.n;
    s->n -= w.n;
    return w;
}

static bool status_installed(struct span st)
{
    if (st.p == NULL)
        return true; /* distroless status.d stanzas carry no Status field */
    struct span rest = st;
    struct span want = next_word(&rest);
    struct span flag = next_word(&rest);
    struct span state = next_word(&rest);
    span_trim(&rest);
    return want.n > 0 && span_eq(flag, "ok") && span_eq(state, "installed") && rest.n == 0;
}

static bool value_ok(struct span s)
{
    if (s.n == 0 || s.n > DPKG_MAX_VALUE)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if ((unsigned char)s.p[i] < 0x20 && s.p[i] != '\t')
            return false;
    }
    return true;
}

/* Turn a finished stanza into a package if it describes an installed one. */
static int stanza_commit(const struct stanza *st, const char *path, struct pkg_list *out)
{
    if (!value_ok(st->package) || !value_ok(st->version) || !status_installed(st->status))
        return 0;

    struct span src_name = st->package;
    struct span src_version = st->version;
    if (st->source.p != NULL) {
        struct span rest = st->source;
        struct span w = next_word(&rest);
        if (w.n > 0)
            src_name = w;
        span_trim(&rest);
        if (rest.n >= 2 && rest.p[0] == '(' && rest.p[rest.n - 1] == ')') {
            struct span v = {rest.p + 1, rest.n - 2};
            span_trim(&v);
            if (v.n > 0)
                src_version = v;
        }
    }

    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = PKG_TYPE_DEB;
    p.epoch = -1;
    p.layer = -1;
    p.name = dd_strndup(st->package.p, st->package.n);
    p.version = dd_strndup(st->version.p, st->version.n);
    p.src_name = dd_strndup(src_name.p, src_name.n);
    p.src_version = dd_strndup(src_version.p, src_version.n);
    p.file_path = dd_strdup(path);
    if (value_ok(st->arch))
        p.arch = dd_strndup(st->arch.p, st->arch.n);
    if (!p.name || !p.version || !p.src_name || !p.src_version || (path && !p.file_path) ||
        (value_ok(st->arch) && !p.arch)) {
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

static bool path_is_md5sums(const char *path)
{
    static const char suffix[] = ".md5sums";
    size_t n = path ? strlen(path) : 0;
    return n >= sizeof(suffix) - 1 && strcmp(path + n - (sizeof(suffix) - 1), suffix) == 0;
}

int dpkg_status_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err)
{
    const char *what = path ? path : "dpkg status";
    if (path_is_md5sums(path))
        return 0;

    const char *p = (const char *)data;
    const char *end = p + len;
    struct stanza st;
    memset(&st, 0, sizeof(st));
    bool in_stanza = false;
    bool any_field = false;
    bool non_blank = false;
    size_t stanzas = 0;
    int rc = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        struct span line = {p, (size_t)(le - p)};
        p = nl ? nl + 1 : end;

        struct span t = line;
        span_trim(&t);
        if (t.n == 0) { /* blank: ends the stanza */
            if (in_stanza) {
                rc = stanza_commit(&st, path, out);
                if (rc != 0)
                    goto out;
                memset(&st, 0, sizeof(st));
                in_stanza = false;
            }
            continue;
        }
        non_blank = true;
        if (line.p[0] == ' ' || line.p[0] == '\t')
            continue; /* continuation of a multi-line field we do not keep */
        if (!in_stanza) {
            if (++stanzas > DPKG_MAX_STANZAS) {
                rc = dd_error_set(err, DD_ELIMIT, "%s: more than %d stanzas", what,
                                  DPKG_MAX_STANZAS);
                goto out;
            }
            in_stanza = true;
        }
        const char *colon = memchr(line.p, ':', line.n);
        if (colon == NULL || colon == line.p)
            continue; /* not a field line: ignore, dpkg would reject the file */
        struct span name = {line.p, (size_t)(colon - line.p)};
        struct span value = {colon + 1, line.n - name.n - 1};
        span_trim(&name);
        span_trim(&value);
        any_field = true;

        struct span *slot = NULL;
        if (name.n == 7 && strncasecmp(name.p, "Package", 7) == 0)
            slot = &st.package;
        else if (name.n == 7 && strncasecmp(name.p, "Version", 7) == 0)
            slot = &st.version;
        else if (name.n == 12 && strncasecmp(name.p, "Architecture", 12) == 0)
            slot = &st.arch;
        else if (name.n == 6 && strncasecmp(name.p, "Status", 6) == 0)
            slot = &st.status;
        else if (name.n == 6 && strncasecmp(name.p, "Source", 6) == 0)
            slot = &st.source;
        if (slot != NULL)
            *slot = value;
    }
    if (in_stanza) {
        rc = stanza_commit(&st, path, out);
        if (rc != 0)
            goto out;
    }
    if (non_blank && !any_field)
        rc = dd_error_set(err, DD_EPARSE, "%s: no \"Field: value\" line found", what);
out:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "%s: out of memory", what);
    return rc;
}
