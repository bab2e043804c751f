/* lang_python.c - Python distributions and application lockfiles.
 *
 * Where packages come from in an image:
 *
 *   usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO    Debian (directory form)
 *   usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info       Debian (plain file form)
 *   usr/local/lib/python3.11/site-packages/pip-23.0.1.dist-info/METADATA   pip (wheel)
 *   venv/lib/python3.11/site-packages/foo-1.0-py3.11.egg/EGG-INFO/PKG-INFO  eggs
 *   app/poetry.lock, app/Pipfile.lock, app/requirements*.txt                 application pins
 *
 * Design: metadata files are read header by header up to the first blank line (the long
 * description after it is never touched). poetry.lock is read by a small TOML cursor that
 * knows tables, array tables, key = value with the four string forms, and skips arrays and
 * inline tables across lines with a bounded depth: enough for the shape poetry writes, and it
 * rejects what it does not understand with a line number instead of guessing. Pipfile.lock
 * goes through json_pull. requirements files are read logical line by logical line
 * (backslash continuations joined in a capped buffer).
 * Invariants: names are PEP 503-normalised before they leave this file; nothing reads past
 * data + len.
 * Deliberately not done: resolving requirements includes (-r other.txt) or constraints files,
 * evaluating environment markers, reading RECORD/top_level.txt, wheel files themselves.
 */
#include "lang_python.h"

#include "analyzer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "json_pull.h"
#include "lang_util.h"

/* ---- paths ------------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* "lib/python3.11/", "lib/python3/", "lib64/python2.7/" anywhere in the path. */
static bool has_lib_python(const char *path)
{
    for (const char *c = path; (c = strstr(c, "python")) != NULL; c++) {
        if (c - path < 4 || c[-1] != '/')
            continue;
        const char *comp = c - 1;
        while (comp > path && comp[-1] != '/')
            comp--;
        size_t clen = (size_t)(c - 1 - comp);
        if (!((clen == 3 && memcmp(comp, "lib", 3) == 0) ||
              (clen == 5 && memcmp(comp, "lib64", 5) == 0)))
            continue;
        const char *v = c + 6;
        while (*v && (isdigit((unsigned char)*v) || *v == '.'))
            v++;
        if (v > c + 6 && *v == '/')
            return true;
    }
    return false;
}

static bool in_python_lib(const char *path)
{
    return lang_path_has_dir(path, "site-packages") || lang_path_has_dir(path, "dist-packages") ||
           has_lib_python(path);
}

bool python_path_is_metadata(const char *path)
{
    bool shape = false;
    if (ends_with(path, ".dist-info/METADATA") || ends_with(path, ".egg-info/PKG-INFO") ||
        ends_with(path, ".egg/EGG-INFO/PKG-INFO"))
        shape = true;
    else if (ends_with(path, ".egg-info") && strlen(lang_path_base(path)) > 9)
        shape = true; /* Debian's plain-file egg-info */
    return shape && in_python_lib(path);
}

bool python_path_is_lockfile(const char *path)
{
    const char *b = lang_path_base(path);
    bool name = strcmp(b, "poetry.lock") == 0 || strcmp(b, "Pipfile.lock") == 0 ||
                (strncmp(b, "requirements", 12) == 0 && ends_with(b, ".txt"));
    if (!name || in_python_lib(path) || lang_path_has_dir(path, "node_modules"))
        return false;
    return strncmp(path, "usr/share/", 10) != 0;
}

char *python_name_normalise(const char *name, size_t n)
{
    char *o = malloc(n + 1);
    if (o == NULL)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '-' || c == '_' || c == '.') {
            if (w == 0 || o[w - 1] != '-')
                o[w++] = '-';
            continue;
        }
        o[w++] = (char)tolower((unsigned char)c);
    }
    o[w] = '\0';
    return o;
}

/* Normalise name and append the package; DD_EINVAL when name or version is unusable. */
static int add_pypi(struct pkg_list *out, const char *name, size_t name_n, const char *version,
                    size_t version_n, const char *licence, const char *path)
{
    if (!lang_field_ok(name, name_n))
        return DD_EINVAL;
    char *norm = python_name_normalise(name, name_n);
    if (norm == NULL)
        return DD_ENOMEM;
    int rc =
        lang_pkg_add(out, PKG_TYPE_PYPI, norm, strlen(norm), version, version_n, licence, path);
    free(norm);
    return rc;
}

static void list_truncate(struct pkg_list *l, size_t n)
{
    while (l->n > n)
        pkg_cleanup(&l->v[--l->n]);
}

/* ---- METADATA / PKG-INFO ----------------------------------------------------------------- */

struct span {
    const char *p;
    size_t n;
};

static struct span trim(struct span s)
{
    while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

static bool span_eq(struct span s, const char *lit)
{
    return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool span_ieq(struct span s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

/* Classifier "License :: OSI Approved :: MIT License" -> "MIT License". */
static int classifier_licence(struct span v, struct buf *b)
{
    static const char pre[] = "License ::";
    if (v.n < sizeof(pre) - 1 || memcmp(v.p, pre, sizeof(pre) - 1) != 0)
        return 0;
    size_t last = 0;
    for (size_t i = 0; i + 4 <= v.n; i++) {
        if (memcmp(v.p + i, " :: ", 4) == 0)
            last = i + 4;
    }
    struct span l = trim((struct span){v.p + last, v.n - last});
    if (last == 0 || l.n == 0 || (l.n == 12 && memcmp(l.p, "OSI Approved", 12) == 0))
        return 0;
    int rc = 0;
    if (b->len > 0)
        rc = buf_append_str(b, ", ");
    if (rc == 0)
        rc = buf_append(b, l.p, l.n);
    return rc == DD_ETOOBIG ? 0 : rc;
}

int python_metadata_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                          struct dd_error *err)
{
    const char *p = (const char *)data, *end = p + len;
    struct span name = {0}, version = {0}, license = {0}, expr = {0};
    bool license_multi = false, last_was_license = false, any = false;
    struct buf cls;
    char *licence = NULL;
    size_t lineno = 0;
    int rc = 0;
    buf_init(&cls, LANG_MAX_LICENCE);
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* UTF-8 byte order mark */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct span line = {p, (size_t)((nl ? nl : end) - p)};
        p = nl ? nl + 1 : end;
        lineno++;
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        if (line.n == 0)
            break; /* end of the header block: the description follows */
        if (line.p[0] == ' ' || line.p[0] == '\t') {
            if (last_was_license)
                license_multi = true; /* a licence text, not a licence name */
            continue;
        }
        last_was_license = false;
        const char *colon = memchr(line.p, ':', line.n);
        if (colon == NULL) {
            if (!any) {
                rc = dd_error_set(err, DD_EPARSE, "line %zu: not a metadata header", lineno);
                goto out;
            }
            continue;
        }
        any = true;
        struct span key = trim((struct span){line.p, (size_t)(colon - line.p)});
        struct span val = trim((struct span){colon + 1, (size_t)(line.p + line.n - colon - 1)});
        if (span_ieq(key, "Name") && name.p == NULL) {
            name = val;
        } else if (span_ieq(key, "Version") && version.p == NULL) {
            version = val;
        } else if (span_ieq(key, "License") && license.p == NULL) {
            license = val;
            last_was_license = true;
        } else if (span_ieq(key, "License-Expression") && expr.p == NULL) {
            expr = val;
        } else if (span_ieq(key, "Classifier")) {
            rc = classifier_licence(val, &cls);
            if (rc != 0) {
                rc = dd_error_set(err, rc, "out of memory");
                goto out;
            }
        }
    }
    if (name.n == 0 || version.n == 0) {
        rc = dd_error_set(err, DD_EPARSE, "%s field missing", name.n == 0 ? "Name" : "Version");
        goto out;
    }
    if (expr.n > 0)
        licence = dd_strndup(expr.p, expr.n);
    else if (license.n > 0 && !license_multi && !span_ieq(license, "UNKNOWN"))
        licence = dd_strndup(license.p, license.n);
    else if (cls.len > 0)
        licence = buf_take(&cls, NULL);
    rc = add_pypi(out, name.p, name.n, version.p, version.n, licence, path);
    if (rc == DD_EINVAL)
        rc = dd_error_set(err, DD_EPARSE, "invalid Name or Version (not UTF-8 or too long)");
    else if (rc != 0)
        rc = dd_error_set(err, rc, "out of memory");
out:
    free(licence);
    buf_cleanup(&cls);
    return rc;
}

/* ---- poetry.lock (TOML subset) ----------------------------------------------------------- */

/*
 *   [[package]]                 array table: a new package
 *   name = "certifi"            key = value; basic "..", literal '..', multi-line """..""" /
 * '''..''' version = "2020.12.5" files = [ {file = "x", hash = "y"},      arrays and inline tables
 * may span lines
 *   ]
 *   [package.dependencies]      any other table header ends the package's own keys
 *   [metadata]
 *   lock-version = "2.0"
 */
struct toml {
    const char *p, *start, *end;
    const char *err_at;
    const char *msg;
    int code;
};

static bool toml_fail(struct toml *t, int code, const char *msg)
{
    if (t->msg == NULL) {
        t->msg = msg;
        t->code = code;
        t->err_at = t->p;
    }
    return false;
}

/* Skip spaces/tabs, and also newlines and comments when nl is set. */
static void toml_ws(struct toml *t, bool nl)
{
    while (t->p < t->end) {
        char c = *t->p;
        if (c == ' ' || c == '\t' || c == '\r' || (nl && c == '\n')) {
            t->p++;
        } else if (c == '#' && nl) {
            while (t->p < t->end && *t->p != '\n')
                t->p++;
        } else {
            break;
        }
    }
}

/* At the end of a line: only a comment may follow. */
static bool toml_eol(struct toml *t)
{
    toml_ws(t, false);
    if (t->p < t->end && *t->p == '#')
        while (t->p < t->end && *t->p != '\n')
            t->p++;
    if (t->p < t->end && *t->p != '\n')
        return toml_fail(t, DD_EPARSE, "unexpected text after value");
    if (t->p < t->end)
        t->p++;
    return true;
}

/* A string at t->p; *out is the raw inside (escapes undecoded), *escaped says whether a
 * backslash escape occurs (basic strings only). */
static bool toml_string(struct toml *t, struct span *out, bool *escaped)
{
    char q = *t->p;
    bool multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
    *escaped = false;
    t->p += multi ? 3 : 1;
    const char *s = t->p;
    while (t->p < t->end) {
        char c = *t->p;
        if (c == '\\' && q == '"') {
            *escaped = true;
            t->p += 2;
            continue;
        }
        if (c == '\n' && !multi)
            break;
        if (c == q && (!multi || (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q))) {
            out->p = s;
            out->n = (size_t)(t->p - s);
            t->p += multi ? 3 : 1;
            /* a multi-line string may end with up to two quotes of content before its three */
            for (int extra = 0; multi && extra < 2 && t->p < t->end && *t->p == q; extra++) {
                t->p++;
                out->n++;
            }
            return true;
        }
        t->p++;
    }
    if (t->p > t->end)
        t->p = t->end;
    return toml_fail(t, DD_EPARSE, "unterminated string");
}

/* Skip any value; arrays and inline tables nest up to PYTHON_MAX_DEPTH. */
static bool toml_skip_value(struct toml *t, unsigned depth)
{
    struct span s;
    bool esc;
    if (t->p >= t->end)
        return toml_fail(t, DD_EPARSE, "missing value");
    char c = *t->p;
    if (c == '"' || c == '\'')
        return toml_string(t, &s, &esc);
    if (c == '[' || c == '{') {
        char close = c == '[' ? ']' : '}';
        if (depth >= PYTHON_MAX_DEPTH)
            return toml_fail(t, DD_ELIMIT, "nesting too deep");
        t->p++;
        for (;;) {
            toml_ws(t, true);
            if (t->p >= t->end)
                return toml_fail(t, DD_EPARSE, "unterminated array or table");
            if (*t->p == close) {
                t->p++;
                return true;
            }
            if (*t->p == ',') {
                t->p++;
                continue;
            }
            if (close == '}') {
                /* key = value inside an inline table */
                while (t->p < t->end && *t->p != '=' && *t->p != '\n' && *t->p != '}')
                    t->p++;
                if (t->p >= t->end || *t->p != '=')
                    return toml_fail(t, DD_EPARSE, "expected '=' in inline table");
                t->p++;
                toml_ws(t, false);
            }
            if (!toml_skip_value(t, depth + 1))
                return false;
        }
    }
    /* bare scalar: number, boolean, date */
    const char *s0 = t->p;
    while (t->p < t->end && *t->p != '\n' && *t->p != ',' && *t->p != ']' && *t->p != '}' &&
           *t->p != '#' && *t->p != ' ' && *t->p != '\t' && *t->p != '\r')
        t->p++;
    if (t->p == s0)
        return toml_fail(t, DD_EPARSE, "missing value");
    return true;
}

struct poetry_entry {
    struct span name, version, category;
    bool name_esc, version_esc;
    size_t lineno;
    bool open;
};

static size_t line_of(const char *start, const char *at)
{
    size_t n = 1;
    for (const char *c = start; c < at; c++)
        n += *c == '\n';
    return n;
}

static int poetry_commit(struct poetry_entry *e, struct pkg_list *out, const char *path,
                         size_t *bad_line)
{
    if (!e->open)
        return 0;
    e->open = false;
    if (e->category.n == 3 && memcmp(e->category.p, "dev", 3) == 0)
        return 0;
    int rc = DD_EINVAL;
    if (e->name.n > 0 && e->version.n > 0 && !e->name_esc && !e->version_esc)
        rc = add_pypi(out, e->name.p, e->name.n, e->version.p, e->version.n, NULL, path);
    if (rc == DD_EINVAL) {
        if (*bad_line == 0)
            *bad_line = e->lineno;
        rc = 0;
    }
    return rc;
}

int poetry_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err)
{
    struct toml t = {.p = (const char *)data, .start = (const char *)data};
    struct poetry_entry e = {0};
    struct span lock_version = {0};
    enum { T_ROOT, T_PACKAGE, T_METADATA, T_OTHER } table = T_ROOT;
    size_t bad_line = 0, start = out->n;
    int rc = 0;
    t.end = t.p + len;
    if (memchr(data, '\0', len) != NULL)
        return dd_error_set(err, DD_EPARSE, "line %zu: NUL byte",
                            line_of(t.start, memchr(data, '\0', len)));
    while (rc == 0 && t.msg == NULL) {
        toml_ws(&t, true);
        if (t.p >= t.end)
            break;
        if (*t.p == '[') {
            bool array = t.end - t.p >= 2 && t.p[1] == '[';
            const char *s = t.p + (array ? 2 : 1);
            const char *close = s;
            while (close < t.end && *close != ']' && *close != '\n')
                close++;
            if (close >= t.end || *close != ']' ||
                (array && (close + 1 >= t.end || close[1] != ']'))) {
                toml_fail(&t, DD_EPARSE, "bad table header");
                break;
            }
            struct span name = trim((struct span){s, (size_t)(close - s)});
            t.p = close + (array ? 2 : 1);
            if (!toml_eol(&t))
                break;
            rc = poetry_commit(&e, out, path, &bad_line);
            if (array && name.n == 7 && memcmp(name.p, "package", 7) == 0) {
                table = T_PACKAGE;
                memset(&e, 0, sizeof(e));
                e.open = true;
                e.lineno = line_of(t.start, s);
            } else if (!array && name.n == 8 && memcmp(name.p, "metadata", 8) == 0) {
                table = T_METADATA;
            } else {
                table = T_OTHER;
            }
            continue;
        }
        /* key = value */
        struct span key;
        bool esc = false;
        if (*t.p == '"' || *t.p == '\'') {
            if (!toml_string(&t, &key, &esc))
                break;
        } else {
            key.p = t.p;
            while (t.p < t.end &&
                   (isalnum((unsigned char)*t.p) || *t.p == '-' || *t.p == '_' || *t.p == '.'))
                t.p++;
            key.n = (size_t)(t.p - key.p);
            if (key.n == 0) {
                toml_fail(&t, DD_EPARSE, "expected a key");
                break;
            }
        }
        toml_ws(&t, false);
        if (t.p >= t.end || *t.p != '=') {
            toml_fail(&t, DD_EPARSE, "expected '='");
            break;
        }
        t.p++;
        toml_ws(&t, false);
        struct span *want = NULL;
        bool *want_esc = NULL;
        if (table == T_PACKAGE && span_eq(key, "name"))
            want = &e.name, want_esc = &e.name_esc;
        else if (table == T_PACKAGE && span_eq(key, "version"))
            want = &e.version, want_esc = &e.version_esc;
        else if (table == T_PACKAGE && span_eq(key, "category"))
            want = &e.category, want_esc = &esc;
        else if (table == T_METADATA && span_eq(key, "lock-version"))
            want = &lock_version, want_esc = &esc;
        if (want != NULL && t.p < t.end && (*t.p == '"' || *t.p == '\'')) {
            if (!toml_string(&t, want, want_esc))
                break;
        } else if (!toml_skip_value(&t, 0)) {
            break;
        }
        toml_eol(&t);
    }
    if (rc == 0)
        rc = poetry_commit(&e, out, path, &bad_line); /* a complete entry before an error */
    if (rc != 0) {
        rc = dd_error_set(err, rc, "out of memory");
        goto done;
    }
    if (lock_version.n > 0 && !(lock_version.p[0] >= '1' && lock_version.p[0] <= '2' &&
                                (lock_version.n == 1 || lock_version.p[1] == '.'))) {
        list_truncate(out, start);
        rc = dd_error_set(err, DD_EUNSUPPORTED, "unsupported lock-version %.*s",
                          (int)(lock_version.n > 16 ? 16 : lock_version.n), lock_version.p);
        goto done;
    }
    if (t.msg != NULL)
        rc = dd_error_set(err, t.code, "line %zu: %s", line_of(t.start, t.err_at), t.msg);
    else if (bad_line > 0)
        rc = dd_error_set(err, DD_EPARSE, "line %zu: unusable package entry", bad_line);
done:
    lang_pkgs_dedup(out, start);
    return rc;
}

/* ---- Pipfile.lock ------------------------------------------------------------------------ */

static int pipfile_section(struct json_pull *j, struct pkg_list *out, const char *path,
                           size_t *bad_off)
{
    struct json_str name, k, ver = {0};
    size_t i = 0;
    int rc = 0;
    json_pull_object_begin(j);
    while (rc == 0 && json_pull_object_next(j, &i, &name)) {
        size_t m = 0;
        bool has_ver = false;
        if (json_pull_peek(j) != JSON_KIND_OBJECT) {
            json_pull_skip(j);
            continue;
        }
        json_pull_object_begin(j);
        while (json_pull_object_next(j, &m, &k)) {
            if (json_str_eq(&k, "version") && json_pull_peek(j) == JSON_KIND_STRING)
                has_ver = json_pull_string(j, &ver);
            else
                json_pull_skip(j);
        }
        if (j->failed || !has_ver)
            continue; /* editable / VCS entries carry no version */
        char *n = json_str_dup(&name, LANG_MAX_FIELD);
        char *v = json_str_dup(&ver, LANG_MAX_FIELD);
        const char *vp = v;
        if (v != NULL && strncmp(v, "===", 3) == 0)
            vp = v + 3;
        else if (v != NULL && strncmp(v, "==", 2) == 0)
            vp = v + 2;
        else
            vp = NULL; /* not a pin */
        if (n == NULL || v == NULL)
            rc = DD_EINVAL;
        else if (vp != NULL)
            rc = add_pypi(out, n, strlen(n), vp, strlen(vp), NULL, path);
        if (rc == DD_EINVAL) {
            if (*bad_off == 0)
                *bad_off = (size_t)(j->p - j->start);
            rc = 0;
        }
        free(n);
        free(v);
    }
    return rc;
}

int pipfile_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err)
{
    struct json_pull j;
    struct json_str key, spec = {0};
    size_t i = 0, bad_off = 0, start = out->n;
    bool has_spec = false;
    int rc = 0;
    json_pull_init(&j, data, len, PYTHON_MAX_DEPTH);
    if (json_pull_peek(&j) != JSON_KIND_OBJECT)
        return dd_error_set(err, DD_EPARSE, "not a JSON object");
    json_pull_object_begin(&j);
    while (rc == 0 && json_pull_object_next(&j, &i, &key)) {
        enum json_kind k = json_pull_peek(&j);
        if (json_str_eq(&key, "default") && k == JSON_KIND_OBJECT) {
            rc = pipfile_section(&j, out, path, &bad_off);
        } else if (json_str_eq(&key, "_meta") && k == JSON_KIND_OBJECT) {
            size_t m = 0;
            struct json_str mk;
            json_pull_object_begin(&j);
            while (json_pull_object_next(&j, &m, &mk)) {
                if (json_str_eq(&mk, "pipfile-spec") && json_pull_peek(&j) == JSON_KIND_NUMBER)
                    has_spec = json_pull_number(&j, &spec);
                else
                    json_pull_skip(&j);
            }
        } else {
            json_pull_skip(&j);
        }
    }
    if (rc != 0)
        return dd_error_set(err, rc, "out of memory");
    json_pull_end(&j);
    if (has_spec && !(spec.n == 1 && spec.p[0] >= '1' && spec.p[0] <= '6')) {
        list_truncate(out, start);
        return dd_error_set(err, DD_EUNSUPPORTED, "unsupported pipfile-spec %.*s",
                            (int)(spec.n > 16 ? 16 : spec.n), spec.p);
    }
    lang_pkgs_dedup(out, start);
    if (j.failed)
        return json_pull_error(&j, err);
    if (bad_off > 0) {
        size_t line = 1;
        for (size_t k = 0; k < bad_off && k < len; k++)
            line += data[k] == '\n';
        return dd_error_set(err, DD_EPARSE, "line %zu: unusable package entry", line);
    }
    return 0;
}

/* ---- requirements*.txt ------------------------------------------------------------------- */

static bool req_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

static bool req_version_char(char c)
{
    return isalnum((unsigned char)c) || c == '.' || c == '+' || c == '!' || c == '-' || c == '_';
}

/* One logical line (comment already removed). Returns 0 (added or skipped), DD_EINVAL, or
 * DD_ENOMEM. */
static int req_line(const char *s, size_t n, struct pkg_list *out, const char *path)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == n || s[i] == '-')
        return 0; /* blank, or an option / -r include / -e editable */
    size_t ns = i;
    if (!isalnum((unsigned char)s[i]))
        return 0; /* URL, path or something else that is not a name */
    while (i < n && req_name_char(s[i]))
        i++;
    size_t ne = i;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] == '[') {
        const char *close = memchr(s + i, ']', n - i);
        if (close == NULL)
            return DD_EINVAL;
        i = (size_t)(close - s) + 1;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
    }
    if (n - i < 2 || s[i] != '=' || s[i + 1] != '=')
        return 0; /* unpinned (>=, ~=, none) or "name @ url" */
    i += 2;
    if (i < n && s[i] == '=')
        i++; /* === arbitrary equality */
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t vs = i;
    while (i < n && req_version_char(s[i]))
        i++;
    size_t ve = i;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (ve == vs || (i < n && s[i] != ';' && s[i] != '-'))
        return 0; /* "==1.*", "==1.0,<2": not a single pin */
    return add_pypi(out, s + ns, ne - ns, s + vs, ve - vs, NULL, path);
}

int requirements_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err)
{
    const char *p = (const char *)data, *end = p + len;
    struct buf line;
    size_t lineno = 0, first_line = 0, bad_line = 0, start = out->n;
    bool too_long = false;
    int rc = 0;
    buf_init(&line, PYTHON_MAX_REQ_LINE);
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (rc == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *s = p, *e = nl ? nl : end;
        p = nl ? nl + 1 : end;
        lineno++;
        if (line.len == 0 && !too_long)
            first_line = lineno;
        if (e > s && e[-1] == '\r')
            e--;
        /* A comment starts at '#' at the line start or after whitespace. */
        const char *c = s;
        for (; c < e; c++) {
            if (*c == '#' && (c == s || c[-1] == ' ' || c[-1] == '\t'))
                break;
        }
        bool cont = c == e && e > s && e[-1] == '\\';
        const char *ce = cont ? e - 1 : c;
        if (!too_long && buf_append(&line, s, (size_t)(ce - s)) == DD_ETOOBIG)
            too_long = true;
        if (!too_long && cont && buf_append(&line, " ", 1) == DD_ETOOBIG)
            too_long = true;
        if (cont && p < end)
            continue;
        if (!too_long && line.len > 0) {
            if (memchr(line.data, '\0', line.len) != NULL)
                rc = DD_EINVAL;
            else
                rc = req_line((const char *)line.data, line.len, out, path);
            if (rc == DD_EINVAL) {
                if (bad_line == 0)
                    bad_line = first_line;
                rc = 0;
            }
        } else if (too_long && bad_line == 0) {
            bad_line = first_line;
        }
        buf_reset(&line);
        too_long = false;
    }
    buf_cleanup(&line);
    lang_pkgs_dedup(out, start);
    if (rc != 0)
        return dd_error_set(err, rc, "out of memory");
    if (bad_line > 0)
        return dd_error_set(err, DD_EPARSE, "line %zu: unusable requirement", bad_line);
    return 0;
}

/* ---- analyzers --------------------------------------------------------------------------- */

static int parse_python_pkg(const char *path, const uint8_t *data, size_t len,
                            struct file_facts *out, struct dd_error *err)
{
    return python_metadata_parse(path, data, len, &out->pkgs, err);
}

static int parse_python_lock(const char *path, const uint8_t *data, size_t len,
                             struct file_facts *out, struct dd_error *err)
{
    const char *b = lang_path_base(path);
    if (strcmp(b, "poetry.lock") == 0)
        return poetry_lock_parse(path, data, len, &out->pkgs, err);
    if (strcmp(b, "Pipfile.lock") == 0)
        return pipfile_lock_parse(path, data, len, &out->pkgs, err);
    return requirements_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_python_pkg = {
    .name = "python-pkg",
    .version = 1,
    .max_file_bytes = (size_t)4 * 1024 * 1024,
    .want = python_path_is_metadata,
    .parse = parse_python_pkg,
};

const struct analyzer analyzer_python_lock = {
    .name = "python-lock",
    .version = 1,
    .max_file_bytes = (size_t)16 * 1024 * 1024,
    .want = python_path_is_lockfile,
    .parse = parse_python_lock,
};
