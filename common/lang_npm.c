/* lang_npm.c - Node.js packages from installed package.json files and npm/yarn/pnpm lockfiles.
 *
 * Where packages come from in an image:
 *
 *   app/package.json                          the application itself: not a dependency
 *   app/node_modules/express/package.json     installed package (a package root)
 *   app/node_modules/@types/node/package.json scoped package root
 *   app/node_modules/send/node_modules/ms/package.json   nested copy: its own package
 *   app/node_modules/x/lib/package.json       inside a package, not a root: ignored
 *   app/package-lock.json, yarn.lock, pnpm-lock.yaml      lockfiles (not under node_modules)
 *
 * Design: package.json and package-lock.json go through json_pull (no tree, bounded nesting),
 * so a 20 MB lockfile costs no more heap than the packages it lists. yarn v1 has its own
 * line format ("name@range:" headers, "  version \"x\"" fields) and is read line by line;
 * yarn berry and pnpm write block YAML that yaml_lite splits into indented key/value lines.
 * Each lockfile parser collapses duplicates (nested copies, peer variants) per file.
 * Invariants: nothing is appended for an entry until all of it has been read; every name and
 * version passes lang_field_ok().
 * Deliberately not done: resolving which lockfile entries are actually installed (the
 * node_modules package.json files answer that), dev-dependency graphs for yarn and pnpm 9
 * (they do not mark dev entries; see lang_npm.h), git/file/URL dependencies.
 */
#include "lang_npm.h"

#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json_pull.h"
#include "lang_util.h"
#include "yaml_lite.h"

/* ---- paths ------------------------------------------------------------------------------- */

static bool name_component_ok(const char *s, size_t n)
{
    return n > 0 && s[0] != '.' && s[0] != '@' && !(n == 12 && memcmp(s, "node_modules", 12) == 0);
}

bool npm_path_is_package_json(const char *path)
{
    /* Walk back over the last four components: [nm] [@scope] name package.json */
    size_t len = strlen(path);
    static const char pj[] = "package.json";
    if (len < sizeof(pj) - 1 || strcmp(path + len - (sizeof(pj) - 1), pj) != 0)
        return false;
    if (len > sizeof(pj) - 1 && path[len - sizeof(pj)] != '/')
        return false;
    const char *comp[3] = {NULL, NULL, NULL}; /* name, previous, the one before */
    size_t clen[3] = {0, 0, 0};
    size_t end = len - (sizeof(pj) - 1); /* index just past the '/' before package.json */
    for (int k = 0; k < 3; k++) {
        if (end == 0)
            break;
        size_t e = end - 1; /* the '/' */
        size_t s = e;
        while (s > 0 && path[s - 1] != '/')
            s--;
        comp[k] = path + s;
        clen[k] = e - s;
        end = s;
    }
    if (comp[1] == NULL || !name_component_ok(comp[0], clen[0]))
        return false;
    if (clen[1] == 12 && memcmp(comp[1], "node_modules", 12) == 0)
        return true;
    return comp[2] != NULL && clen[1] > 1 && comp[1][0] == '@' && clen[2] == 12 &&
           memcmp(comp[2], "node_modules", 12) == 0;
}

bool npm_path_is_lockfile(const char *path)
{
    const char *b = lang_path_base(path);
    if (strcmp(b, "package-lock.json") != 0 && strcmp(b, "npm-shrinkwrap.json") != 0 &&
        strcmp(b, "yarn.lock") != 0 && strcmp(b, "pnpm-lock.yaml") != 0)
        return false;
    return !lang_path_has_dir(path, "node_modules");
}

/* ---- package.json ------------------------------------------------------------------------ */

/* Append one licence name to b, separated by ", ". */
static int licence_append(struct buf *b, const struct json_str *s)
{
    char *t = json_str_dup(s, LANG_MAX_LICENCE);
    if (t == NULL || t[0] == '\0') {
        free(t);
        return 0; /* unusable licence text is dropped, not an error */
    }
    int rc = 0;
    if (b->len > 0)
        rc = buf_append_str(b, ", ");
    if (rc == 0)
        rc = buf_append_str(b, t);
    free(t);
    return rc == DD_ETOOBIG ? 0 : rc;
}

/* "license": "MIT" | {"type": "MIT", "url": ...}; "licenses": ["MIT" | {"type": ...}, ...] */
static int read_licence_value(struct json_pull *j, struct buf *b)
{
    enum json_kind k = json_pull_peek(j);
    struct json_str s;
    int rc = 0;
    if (k == JSON_KIND_STRING) {
        if (json_pull_string(j, &s))
            rc = licence_append(b, &s);
        return rc;
    }
    if (k != JSON_KIND_OBJECT) {
        json_pull_skip(j);
        return 0;
    }
    size_t i = 0;
    struct json_str key;
    json_pull_object_begin(j);
    while (rc == 0 && json_pull_object_next(j, &i, &key)) {
        if (json_str_eq(&key, "type") && json_pull_peek(j) == JSON_KIND_STRING) {
            if (json_pull_string(j, &s))
                rc = licence_append(b, &s);
        } else {
            json_pull_skip(j);
        }
    }
    return rc;
}

int npm_package_json_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                           struct dd_error *err)
{
    struct json_pull j;
    struct json_str key, name = {0}, version = {0};
    bool has_name = false, has_version = false;
    struct buf lic, lics;
    char *licence = NULL;
    int rc = 0;
    size_t i = 0;
    buf_init(&lic, LANG_MAX_LICENCE);
    buf_init(&lics, LANG_MAX_LICENCE);
    json_pull_init(&j, data, len, NPM_MAX_DEPTH);
    if (json_pull_peek(&j) != JSON_KIND_OBJECT) {
        rc = dd_error_set(err, DD_EPARSE, "not a JSON object");
        goto out;
    }
    json_pull_object_begin(&j);
    while (rc == 0 && json_pull_object_next(&j, &i, &key)) {
        enum json_kind k = json_pull_peek(&j);
        if (json_str_eq(&key, "name") && !has_name && k == JSON_KIND_STRING) {
            has_name = json_pull_string(&j, &name);
        } else if (json_str_eq(&key, "version") && !has_version && k == JSON_KIND_STRING) {
            has_version = json_pull_string(&j, &version);
        } else if (json_str_eq(&key, "license") && lic.len == 0) {
            rc = read_licence_value(&j, &lic);
        } else if (json_str_eq(&key, "licenses") && lics.len == 0 && k == JSON_KIND_ARRAY) {
            size_t e = 0;
            json_pull_array_begin(&j);
            while (rc == 0 && json_pull_array_next(&j, &e))
                rc = read_licence_value(&j, &lics);
        } else {
            json_pull_skip(&j);
        }
    }
    if (rc != 0) {
        rc = dd_error_set(err, rc, "out of memory");
        goto out;
    }
    json_pull_end(&j);
    if (j.failed) {
        rc = json_pull_error(&j, err);
        goto out;
    }
    if (!has_name || !has_version)
        goto out; /* not an installable package (e.g. a private stub): nothing to report */
    char *n = json_str_dup(&name, LANG_MAX_FIELD);
    char *v = json_str_dup(&version, LANG_MAX_FIELD);
    struct buf *lb = lic.len > 0 ? &lic : &lics;
    if (lb->len > 0)
        licence = buf_take(lb, NULL);
    if (n == NULL || v == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "invalid package %s", n == NULL ? "name" : "version");
    } else {
        rc = lang_pkg_add(out, PKG_TYPE_NPM, n, strlen(n), v, strlen(v), licence, path);
        if (rc == DD_EINVAL)
            rc = dd_error_set(err, DD_EPARSE, "invalid package name or version");
        else if (rc != 0)
            rc = dd_error_set(err, rc, "out of memory");
    }
    free(n);
    free(v);
out:
    free(licence);
    buf_cleanup(&lic);
    buf_cleanup(&lics);
    return rc;
}

/* ---- package-lock.json ------------------------------------------------------------------- */

/* Add name@version unless the version is not a registry version; resolves "npm:" aliases
 * ("npm:real-name@1.2.3"). Returns 0 when skipped, DD_EINVAL for an unusable name or
 * version, DD_ENOMEM. */
static int add_lock_pkg(struct pkg_list *out, const char *name, size_t name_n, const char *version,
                        size_t version_n, const char *path)
{
    if (version_n > 4 && memcmp(version, "npm:", 4) == 0) {
        const char *a = version + 4;
        size_t an = version_n - 4;
        size_t at = an;
        while (at > 1 && a[at - 1] != '@')
            at--;
        if (at <= 1)
            return DD_EINVAL;
        name = a;
        name_n = at - 1;
        version = a + at;
        version_n = an - at;
    }
    if (memchr(version, ':', version_n) != NULL || memchr(version, '/', version_n) != NULL)
        return 0; /* git+https://, file:, github:user/repo, tarball URLs */
    return lang_pkg_add(out, PKG_TYPE_NPM, name, name_n, version, version_n, NULL, path);
}

struct lock_ctx {
    struct json_pull *j;
    const char *path;
    struct pkg_list *out;
    int bad;        /* entries refused by lang_field_ok */
    size_t bad_off; /* byte offset of the first one */
};

/* Turn an add_lock_pkg result into a parse status: DD_EINVAL entries are counted, not fatal. */
static int note_add(struct lock_ctx *c, int rc)
{
    if (rc == DD_EINVAL) {
        if (c->bad++ == 0)
            c->bad_off = (size_t)(c->j->p - c->j->start);
        return 0;
    }
    return rc;
}

/* One "packages" entry: {"version", "name", "dev", "link", ...}. */
static int lock_v2_entry(struct lock_ctx *c, const struct json_str *key)
{
    struct json_pull *j = c->j;
    struct json_str k, version = {0}, name = {0};
    bool has_version = false, has_name = false, dev = false, link = false;
    size_t i = 0;
    if (json_pull_peek(j) != JSON_KIND_OBJECT) {
        json_pull_skip(j);
        return note_add(c, DD_EINVAL);
    }
    json_pull_object_begin(j);
    while (json_pull_object_next(j, &i, &k)) {
        enum json_kind kind = json_pull_peek(j);
        if (json_str_eq(&k, "version") && kind == JSON_KIND_STRING)
            has_version = json_pull_string(j, &version);
        else if (json_str_eq(&k, "name") && kind == JSON_KIND_STRING)
            has_name = json_pull_string(j, &name);
        else if (json_str_eq(&k, "dev"))
            json_pull_bool(j, &dev);
        else if (json_str_eq(&k, "link"))
            json_pull_bool(j, &link);
        else
            json_pull_skip(j);
    }
    if (j->failed || dev || link || !has_version)
        return 0;
    /* The key names the install location; the package name follows the last node_modules/. */
    char *kd = json_str_dup(key, 4096);
    char *nd = has_name ? json_str_dup(&name, LANG_MAX_FIELD) : NULL;
    char *vd = json_str_dup(&version, LANG_MAX_FIELD);
    int rc = 0;
    if (kd == NULL || vd == NULL || (has_name && nd == NULL)) {
        rc = note_add(c, DD_EINVAL);
        goto out;
    }
    const char *nm = NULL;
    for (const char *s = strstr(kd, "node_modules/"); s; s = strstr(s + 1, "node_modules/")) {
        if (s == kd || s[-1] == '/')
            nm = s + 13;
    }
    if (nm == NULL)
        goto out; /* "" (the project) or a workspace folder */
    const char *pname = nd ? nd : nm;
    rc = note_add(c, add_lock_pkg(c->out, pname, strlen(pname), vd, strlen(vd), c->path));
out:
    free(kd);
    free(nd);
    free(vd);
    return rc;
}

static int lock_v2_packages(struct lock_ctx *c)
{
    struct json_str key;
    size_t i = 0;
    int rc = 0;
    if (!json_pull_object_begin(c->j))
        return 0;
    while (rc == 0 && json_pull_object_next(c->j, &i, &key))
        rc = lock_v2_entry(c, &key);
    return rc;
}

static int lock_v1_dependencies(struct lock_ctx *c, struct pkg_list *into);

/* One v1 "dependencies" entry: {"version", "dev", "dependencies": {...nested...}}. */
static int lock_v1_entry(struct lock_ctx *c, const struct json_str *key, struct pkg_list *into)
{
    struct json_pull *j = c->j;
    struct json_str k, version = {0};
    bool has_version = false, dev = false;
    size_t i = 0;
    int rc = 0;
    if (json_pull_peek(j) != JSON_KIND_OBJECT) {
        json_pull_skip(j);
        return note_add(c, DD_EINVAL);
    }
    json_pull_object_begin(j);
    while (rc == 0 && json_pull_object_next(j, &i, &k)) {
        enum json_kind kind = json_pull_peek(j);
        if (json_str_eq(&k, "version") && kind == JSON_KIND_STRING)
            has_version = json_pull_string(j, &version);
        else if (json_str_eq(&k, "dev"))
            json_pull_bool(j, &dev);
        else if (json_str_eq(&k, "dependencies") && kind == JSON_KIND_OBJECT)
            rc = lock_v1_dependencies(c, into);
        else
            json_pull_skip(j);
    }
    if (rc != 0 || j->failed || dev || !has_version)
        return rc;
    char *nd = json_str_dup(key, LANG_MAX_FIELD);
    char *vd = json_str_dup(&version, LANG_MAX_FIELD);
    if (nd == NULL || vd == NULL)
        rc = note_add(c, DD_EINVAL);
    else
        rc = note_add(c, add_lock_pkg(into, nd, strlen(nd), vd, strlen(vd), c->path));
    free(nd);
    free(vd);
    return rc;
}

static int lock_v1_dependencies(struct lock_ctx *c, struct pkg_list *into)
{
    struct json_str key;
    size_t i = 0;
    int rc = 0;
    if (!json_pull_object_begin(c->j))
        return 0;
    while (rc == 0 && json_pull_object_next(c->j, &i, &key))
        rc = lock_v1_entry(c, &key, into);
    return rc;
}

static void list_truncate(struct pkg_list *l, size_t n)
{
    while (l->n > n)
        pkg_cleanup(&l->v[--l->n]);
}

static int bad_entries_error(const struct lock_ctx *c, const char *start, struct dd_error *err)
{
    size_t line = 1;
    for (const char *p = start; p < start + c->bad_off; p++)
        line += *p == '\n';
    return dd_error_set(err, DD_EPARSE, "line %zu: %d unusable package entr%s", line, c->bad,
                        c->bad == 1 ? "y" : "ies");
}

int npm_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                   struct dd_error *err)
{
    struct json_pull j;
    struct json_str key, num = {0};
    struct pkg_list v1;
    struct lock_ctx c = {.j = &j, .path = path, .out = out};
    size_t start = out->n;
    size_t i = 0;
    bool has_packages = false, has_version = false;
    int rc = 0;
    pkg_list_init(&v1);
    json_pull_init(&j, data, len, NPM_MAX_DEPTH);
    if (json_pull_peek(&j) != JSON_KIND_OBJECT) {
        rc = dd_error_set(err, DD_EPARSE, "not a JSON object");
        goto out;
    }
    json_pull_object_begin(&j);
    while (rc == 0 && json_pull_object_next(&j, &i, &key)) {
        enum json_kind k = json_pull_peek(&j);
        if (json_str_eq(&key, "lockfileVersion") && k == JSON_KIND_NUMBER) {
            has_version = json_pull_number(&j, &num);
        } else if (json_str_eq(&key, "packages") && k == JSON_KIND_OBJECT && !has_packages) {
            has_packages = true;
            rc = lock_v2_packages(&c);
        } else if (json_str_eq(&key, "dependencies") && k == JSON_KIND_OBJECT && v1.n == 0) {
            rc = lock_v1_dependencies(&c, &v1);
        } else {
            json_pull_skip(&j);
        }
    }
    if (rc != 0) {
        rc = dd_error_set(err, rc, "out of memory");
        goto out;
    }
    json_pull_end(&j);
    if (has_version && !((num.n == 1 && num.p[0] >= '1' && num.p[0] <= '3'))) {
        list_truncate(out, start);
        rc = dd_error_set(err, DD_EUNSUPPORTED, "unsupported lockfileVersion %.*s",
                          (int)(num.n > 16 ? 16 : num.n), num.p);
        goto out;
    }
    if (!has_packages) {
        rc = pkg_list_move(out, &v1);
        if (rc != 0) {
            rc = dd_error_set(err, rc, "out of memory");
            goto out;
        }
    }
    lang_pkgs_dedup(out, start);
    if (j.failed)
        rc = json_pull_error(&j, err);
    else if (c.bad > 0)
        rc = bad_entries_error(&c, (const char *)data, err);
out:
    pkg_list_cleanup(&v1);
    return rc;
}

/* ---- yarn.lock --------------------------------------------------------------------------- */

/* From a yarn spec ("name@range", "@scope/name@range", "alias@npm:real@range") take the
 * package name: the text before the '@' that starts the range (never the leading '@'). */
static bool yarn_spec_name(const char *s, size_t n, const char **name, size_t *name_n)
{
    size_t at = 1;
    while (at < n && s[at] != '@')
        at++;
    if (at >= n)
        return false;
    *name = s;
    *name_n = at;
    return true;
}

struct yarn_entry {
    const char *spec; /* first spec of the header, unquoted */
    size_t spec_n;
    struct yaml_span version, resolution;
    size_t lineno;
    bool open;
};

static int yarn_v1_commit(struct yarn_entry *e, struct pkg_list *out, const char *path,
                          size_t *bad_line)
{
    if (!e->open || e->version.n == 0)
        return 0;
    const char *name;
    size_t nn;
    int rc = DD_EINVAL;
    if (yarn_spec_name(e->spec, e->spec_n, &name, &nn)) {
        const char *range = name + nn + 1;
        size_t rn = e->spec_n - nn - 1;
        /* alias@npm:real@range: the package installed is "real" */
        if (rn > 4 && memcmp(range, "npm:", 4) == 0 &&
            !yarn_spec_name(range + 4, rn - 4, &name, &nn))
            name = NULL;
        if (name != NULL)
            rc = lang_pkg_add(out, PKG_TYPE_NPM, name, nn, e->version.p, e->version.n, NULL, path);
    }
    if (rc == DD_EINVAL) {
        if (*bad_line == 0)
            *bad_line = e->lineno;
        rc = 0;
    }
    return rc;
}

/* Unquote a yarn v1 token: "x" -> x. */
static struct yaml_span v1_unquote(const char *s, size_t n)
{
    struct yaml_span r = {s, n};
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        r.p++;
        r.n -= 2;
    }
    return r;
}

static int yarn_v1_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                         struct dd_error *err)
{
    const char *p = (const char *)data, *end = p + len;
    struct yarn_entry e = {0};
    size_t lineno = 0, bad_line = 0, start = out->n;
    int rc = 0;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *le = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (le > s && le[-1] == '\r')
            le--;
        if (le == s || s[0] == '#')
            continue;
        if (memchr(s, '\0', (size_t)(le - s)) != NULL) {
            rc = dd_error_set(err, DD_EPARSE, "line %zu: NUL byte", lineno);
            break;
        }
        if (s[0] != ' ') {
            /* header: spec[, spec...]: */
            rc = yarn_v1_commit(&e, out, path, &bad_line);
            memset(&e, 0, sizeof(e));
            if (le[-1] != ':') {
                rc = rc ? rc : dd_error_set(err, DD_EPARSE, "line %zu: expected \"spec:\"", lineno);
                break;
            }
            const char *comma = memchr(s, ',', (size_t)(le - 1 - s));
            const char *se = comma ? comma : le - 1;
            struct yaml_span sp = v1_unquote(s, (size_t)(se - s));
            e.spec = sp.p;
            e.spec_n = sp.n;
            e.lineno = lineno;
            e.open = true;
            continue;
        }
        /* field: exactly two spaces, then "version \"x\"" */
        if (!e.open || (le - s) < 3 || s[1] != ' ' || s[2] == ' ')
            continue;
        const char *f = s + 2;
        const char *sp = memchr(f, ' ', (size_t)(le - f));
        if (sp == NULL)
            continue;
        if ((size_t)(sp - f) == 7 && memcmp(f, "version", 7) == 0) {
            struct yaml_span v = v1_unquote(sp + 1, (size_t)(le - sp - 1));
            e.version = v;
        }
    }
    if (rc == 0)
        rc = yarn_v1_commit(&e, out, path, &bad_line);
    if (rc == DD_ENOMEM)
        rc = dd_error_set(err, rc, "out of memory");
    lang_pkgs_dedup(out, start);
    if (rc == 0 && bad_line > 0)
        rc = dd_error_set(err, DD_EPARSE, "line %zu: unusable package entry", bad_line);
    return rc;
}

static int yarn_berry_commit(struct yarn_entry *e, struct pkg_list *out, const char *path,
                             size_t *bad_line)
{
    if (!e->open || e->resolution.n == 0 || e->version.n == 0)
        return 0;
    /* resolution "name@npm:1.2.3"; workspace:, patch:, link:, portal:, git URLs are skipped */
    const char *r = e->resolution.p;
    size_t rn = e->resolution.n;
    size_t at = 1;
    while (at + 5 <= rn && memcmp(r + at, "@npm:", 5) != 0)
        at++;
    if (at + 5 > rn)
        return 0;
    int rc = lang_pkg_add(out, PKG_TYPE_NPM, r, at, e->version.p, e->version.n, NULL, path);
    if (rc == DD_EINVAL) {
        if (*bad_line == 0)
            *bad_line = e->lineno;
        rc = 0;
    }
    return rc;
}

static int yarn_berry_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                            struct dd_error *err)
{
    struct yaml_lite y;
    struct yaml_line l;
    struct yarn_entry e = {0};
    bool in_meta = false, meta_version = false;
    size_t bad_line = 0, start = out->n;
    int rc = 0, r;
    yaml_lite_init(&y, data, len);
    while (rc == 0 && (r = yaml_lite_next(&y, &l, err)) == 1) {
        if (l.indent == 0) {
            rc = yarn_berry_commit(&e, out, path, &bad_line);
            memset(&e, 0, sizeof(e));
            in_meta = l.has_key && yaml_span_eq(l.key, "__metadata");
            e.open = !in_meta && l.has_key;
            e.lineno = l.lineno;
            continue;
        }
        if (!l.has_key || l.list_item || l.indent != 2)
            continue; /* yarn writes its fields at two spaces; deeper lines are nested maps */
        if (in_meta && yaml_span_eq(l.key, "version")) {
            meta_version = true;
            if (!(l.value.n == 1 && l.value.p[0] >= '4' && l.value.p[0] <= '8')) {
                list_truncate(out, start);
                return dd_error_set(err, DD_EUNSUPPORTED,
                                    "line %zu: unsupported yarn lockfile version %.*s", l.lineno,
                                    (int)(l.value.n > 16 ? 16 : l.value.n), l.value.p);
            }
        } else if (e.open && yaml_span_eq(l.key, "version")) {
            e.version = l.value;
        } else if (e.open && yaml_span_eq(l.key, "resolution")) {
            e.resolution = l.value;
        }
    }
    if (r < 0)
        rc = r;
    if (rc == 0)
        rc = yarn_berry_commit(&e, out, path, &bad_line);
    if (rc == DD_ENOMEM)
        rc = dd_error_set(err, rc, "out of memory");
    lang_pkgs_dedup(out, start);
    if (rc == 0 && !meta_version)
        rc = dd_error_set(err, DD_EPARSE, "__metadata has no version");
    if (rc == 0 && bad_line > 0)
        rc = dd_error_set(err, DD_EPARSE, "line %zu: unusable package entry", bad_line);
    return rc;
}

int yarn_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                    struct dd_error *err)
{
    /* Berry files carry a top-level "__metadata:" key; classic ones never do. */
    const char *p = (const char *)data, *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        if (n >= 11 && memcmp(p, "__metadata:", 11) == 0)
            return yarn_berry_parse(path, data, len, out, err);
        p = nl ? nl + 1 : end;
    }
    return yarn_v1_parse(path, data, len, out, err);
}

/* ---- pnpm-lock.yaml ---------------------------------------------------------------------- */

/* Keep only the package name's last one or two path segments ("host/@scope/name" ->
 * "@scope/name", "host/name" -> "name"). */
static void strip_host(const char **name, size_t *n)
{
    const char *s = *name;
    size_t len = *n;
    size_t last = len;
    while (last > 0 && s[last - 1] != '/')
        last--;
    if (last == 0)
        return;
    size_t prev = last - 1;
    while (prev > 0 && s[prev - 1] != '/')
        prev--;
    size_t from = s[prev] == '@' ? prev : last;
    *name = s + from;
    *n = len - from;
}

/* Split a packages key into name and version per lockfile major version.
 *   5: /name/1.0.0_peer@2.0.0     /@scope/name/1.0.0
 *   6: /name@1.0.0(peer@2.0.0)    /@scope/name@1.0.0
 *   9: name@1.0.0(peer@2.0.0)     @scope/name@1.0.0 */
static bool pnpm_split_key(int major, struct yaml_span key, const char **name, size_t *name_n,
                           const char **ver, size_t *ver_n)
{
    const char *s = key.p;
    size_t n = key.n;
    if (n > 0 && s[0] == '/') {
        s++;
        n--;
    }
    if (major == 5) {
        size_t slash = n;
        while (slash > 0 && s[slash - 1] != '/')
            slash--;
        if (slash <= 1)
            return false;
        *ver = s + slash;
        *ver_n = n - slash;
        const char *us = memchr(*ver, '_', *ver_n);
        if (us)
            *ver_n = (size_t)(us - *ver);
        *name = s;
        *name_n = slash - 1;
    } else {
        const char *paren = memchr(s, '(', n);
        if (paren)
            n = (size_t)(paren - s);
        size_t at = n;
        while (at > 1 && s[at - 1] != '@')
            at--;
        if (at <= 1)
            return false;
        *name = s;
        *name_n = at - 1;
        *ver = s + at;
        *ver_n = n - at;
    }
    strip_host(name, name_n);
    return *name_n > 0 && *ver_n > 0;
}

struct pnpm_entry {
    struct yaml_span key, name, version;
    size_t lineno;
    unsigned field_indent; /* indentation of the entry's own fields; 0 until seen */
    bool open, dev;
};

static int pnpm_commit(int major, struct pnpm_entry *e, struct pkg_list *out, const char *path,
                       size_t *bad_line)
{
    if (!e->open || e->dev)
        return 0;
    const char *name, *ver;
    size_t nn, vn;
    int rc;
    if (e->name.n > 0 && e->version.n > 0) {
        rc = lang_pkg_add(out, PKG_TYPE_NPM, e->name.p, e->name.n, e->version.p, e->version.n, NULL,
                          path);
    } else if (pnpm_split_key(major, e->key, &name, &nn, &ver, &vn)) {
        if (memchr(ver, ':', vn) != NULL || memchr(ver, '/', vn) != NULL)
            return 0; /* tarball or git dependency without name/version fields */
        rc = lang_pkg_add(out, PKG_TYPE_NPM, name, nn, ver, vn, NULL, path);
    } else {
        rc = DD_EINVAL;
    }
    if (rc == DD_EINVAL) {
        if (*bad_line == 0)
            *bad_line = e->lineno;
        rc = 0;
    }
    return rc;
}

/* "5.4", '6.0', "9.0" -> 5, 6, 9; -1 when not a number. */
static int pnpm_major(struct yaml_span v)
{
    int m = 0;
    size_t i = 0;
    while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9' && m < 1000)
        m = m * 10 + (v.p[i++] - '0');
    return i == 0 || (i < v.n && v.p[i] != '.') ? -1 : m;
}

int pnpm_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                    struct dd_error *err)
{
    struct yaml_lite y;
    struct yaml_line l;
    struct pnpm_entry e = {0};
    int major = -1, rc = 0, r;
    bool in_packages = false;
    unsigned entry_indent = 0;
    size_t bad_line = 0, start = out->n;
    yaml_lite_init(&y, data, len);
    while (rc == 0 && (r = yaml_lite_next(&y, &l, err)) == 1) {
        if (l.indent == 0) {
            rc = pnpm_commit(major, &e, out, path, &bad_line);
            memset(&e, 0, sizeof(e));
            in_packages = false;
            if (!l.has_key)
                continue;
            if (yaml_span_eq(l.key, "lockfileVersion")) {
                major = pnpm_major(l.value);
                if (major != 5 && major != 6 && major != 9) {
                    list_truncate(out, start);
                    return dd_error_set(err, DD_EUNSUPPORTED,
                                        "line %zu: unsupported lockfileVersion %.*s", l.lineno,
                                        (int)(l.value.n > 16 ? 16 : l.value.n), l.value.p);
                }
            } else if (yaml_span_eq(l.key, "packages")) {
                if (major < 0)
                    return dd_error_set(err, DD_EPARSE, "line %zu: packages before lockfileVersion",
                                        l.lineno);
                in_packages = true;
                entry_indent = 0;
            }
            continue;
        }
        if (!in_packages || l.list_item)
            continue;
        if (entry_indent == 0)
            entry_indent = l.indent;
        if (l.indent == entry_indent) {
            rc = pnpm_commit(major, &e, out, path, &bad_line);
            memset(&e, 0, sizeof(e));
            e.open = l.has_key;
            e.key = l.key;
            e.lineno = l.lineno;
            continue;
        }
        if (!e.open || l.indent < entry_indent)
            continue;
        /* Fields sit directly under the entry; deeper lines belong to nested maps
         * (dependencies: {dev: ...} must not count as the entry's own "dev"). */
        if (e.field_indent == 0)
            e.field_indent = l.indent;
        if (l.indent != e.field_indent || !l.has_key)
            continue;
        if (yaml_span_eq(l.key, "dev"))
            e.dev = yaml_span_eq(l.value, "true");
        else if (yaml_span_eq(l.key, "name"))
            e.name = l.value;
        else if (yaml_span_eq(l.key, "version"))
            e.version = l.value;
    }
    if (r < 0)
        rc = r;
    if (rc == 0)
        rc = pnpm_commit(major, &e, out, path, &bad_line);
    if (rc == DD_ENOMEM)
        rc = dd_error_set(err, rc, "out of memory");
    lang_pkgs_dedup(out, start);
    if (rc == 0 && major < 0)
        rc = dd_error_set(err, DD_EPARSE, "no lockfileVersion");
    if (rc == 0 && bad_line > 0)
        rc = dd_error_set(err, DD_EPARSE, "line %zu: unusable package entry", bad_line);
    return rc;
}

/* ---- analyzers --------------------------------------------------------------------------- */

static int parse_node_pkg(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                          struct dd_error *err)
{
    return npm_package_json_parse(path, data, len, &out->pkgs, err);
}

static int parse_node_lock(const char *path, const uint8_t *data, size_t len,
                           struct file_facts *out, struct dd_error *err)
{
    const char *b = lang_path_base(path);
    if (strcmp(b, "yarn.lock") == 0)
        return yarn_lock_parse(path, data, len, &out->pkgs, err);
    if (strcmp(b, "pnpm-lock.yaml") == 0)
        return pnpm_lock_parse(path, data, len, &out->pkgs, err);
    return npm_lock_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_node_pkg = {
    .name = "node-pkg",
    .version = 1,
    .max_file_bytes = (size_t)4 * 1024 * 1024,
    .want = npm_path_is_package_json,
    .parse = parse_node_pkg,
};

const struct analyzer analyzer_node_lock = {
    .name = "node-lock",
    .version = 1,
    .max_file_bytes = (size_t)16 * 1024 * 1024,
    .want = npm_path_is_lockfile,
    .parse = parse_node_lock,
};
