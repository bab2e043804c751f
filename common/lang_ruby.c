/* lang_ruby.c - Ruby gems from installed specifications and from Bundler lockfiles.
 *
 * Installed gems: RubyGems writes one Ruby file per installed gem under
 * <GEM_HOME>/specifications/ (Debian also uses /usr/share/rubygems-integration/all/
 * specifications/ and specifications/default/ for gems bundled with Ruby):
 *
 *   # stub: rake 13.0.6 ruby lib
 *   Gem::Specification.new do |s|
 *     s.name = "rake".freeze
 *     s.version = "13.0.6"
 *     s.licenses = ["MIT".freeze]
 *     ...
 *
 * We never evaluate Ruby. A bounded, line-based tokenizer recognises exactly the shape
 * `<ident>.<attr> = <literal>` for attr name/version/license/licenses, where a literal is a
 * "..." or '...' string or a %q{...}-style string (any of {} () <> [] as delimiters, as old
 * RubyGems wrote), optionally followed by .freeze; licenses is a [literal, ...] list. A
 * literal holding a backslash escape is not used (names and versions never need one). When
 * the name or version is missing or not a literal (`s.version = Foo::VERSION`), the file
 * name "<name>-<version>[-<platform>].gemspec" is used instead.
 *
 * Gemfile.lock (Bundler's lockfile; sections start in column 0):
 *
 *   GEM                              source section (also GIT, PATH, PLUGIN SOURCE)
 *     remote: https://rubygems.org/
 *     specs:
 *       nokogiri (1.15.4-x86_64-linux)   spec: 4 spaces, "name (version[-platform])"
 *         racc (~> 1.4)                 its dependency: 6 spaces, ignored
 *   PLATFORMS / DEPENDENCIES / RUBY VERSION / CHECKSUMS / BUNDLED WITH   ignored
 *
 * Like Bundler's own parser we split "version-platform" at the first '-'.
 * Invariants: never reads past data + len; every kept string is bounded (RUBY_MAX_*), the
 * number of lockfile packages by RUBY_MAX_PACKAGES.
 * Deliberately not done: evaluating Ruby, dependency edges, telling runtime from development
 * gems (a lockfile does not say which groups were installed).
 */
#include "lang_ruby.h"
#include "analyzer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct span {
    const char *p;
    size_t n;
};

static bool span_eq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident(char c)
{
    return is_alnum(c) || c == '_';
}

/* Gem names: letters, digits, '_', '-', '.' (RubyGems' VALID_NAME_PATTERN). */
static bool name_ok(struct span s)
{
    if (s.p == NULL || s.n == 0 || s.n > RUBY_MAX_NAME)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

/* Gem::Version strings: start with a digit; letters, digits, '.', '-', '_' after it. */
static bool version_ok(struct span s)
{
    if (s.p == NULL || s.n == 0 || s.n > RUBY_MAX_VERSION || !is_digit(s.p[0]))
        return false;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!is_alnum(c) && c != '.' && c != '-' && c != '_')
            return false;
    }
    return true;
}

static bool licence_ok(struct span s)
{
    if (s.n == 0 || s.n > RUBY_MAX_LICENCE)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

static int add_gem(struct pkg_list *out, const char *path, struct span name, struct span version,
                   const char *licence)
{
    struct pkg *slot;
    char *n = dd_strndup(name.p, name.n);
    char *v = dd_strndup(version.p, version.n);
    char *l = dd_strdup(licence);
    char *f = dd_strdup(path);
    if (n == NULL || v == NULL || (licence && l == NULL) || (path && f == NULL) ||
        pkg_list_add(out, &slot) != 0) {
        free(n);
        free(v);
        free(l);
        free(f);
        return DD_ENOMEM;
    }
    slot->type = PKG_TYPE_GEM;
    slot->name = n;
    slot->version = v;
    slot->licence = l;
    slot->file_path = f;
    return 0;
}

/* ---- gemspec ----------------------------------------------------------------------------- */

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* A Ruby string literal at *pp: "...", '...', %q/%Q with {} () <> [] delimiters, then an
 * optional ".freeze". On success *pp points after it and *out spans the raw content; *usable
 * is false when the content has a backslash (an escape we do not decode). False when there
 * is no complete literal here. */
static bool ruby_string(const char **pp, const char *end, struct span *out, bool *usable)
{
    const char *p = *pp;
    char close;
    if (p >= end)
        return false;
    if (*p == '"' || *p == '\'') {
        close = *p++;
    } else if (*p == '%' && end - p >= 3 && (p[1] == 'q' || p[1] == 'Q')) {
        switch (p[2]) {
        case '{':
            close = '}';
            break;
        case '(':
            close = ')';
            break;
        case '<':
            close = '>';
            break;
        case '[':
            close = ']';
            break;
        default:
            return false;
        }
        p += 3;
    } else {
        return false;
    }
    const char *start = p;
    *usable = true;
    while (p < end && *p != close) {
        if (*p == '\\') {
            *usable = false;
            if (++p == end)
                return false;
        }
        p++;
    }
    if (p >= end)
        return false;
    out->p = start;
    out->n = (size_t)(p - start);
    p++;
    static const char freeze[] = ".freeze";
    if ((size_t)(end - p) >= sizeof(freeze) - 1 && memcmp(p, freeze, sizeof(freeze) - 1) == 0)
        p += sizeof(freeze) - 1;
    *pp = p;
    return true;
}

struct gemspec_fields {
    struct span name, version;
    bool have_name, have_version, have_licence;
    char licence[RUBY_MAX_LICENCE + 1];
};

/* Appends one licence to the ", "-joined list; false when it does not fit. */
static bool licence_append(char *dst, struct span s)
{
    size_t have = strlen(dst);
    size_t sep = have ? 2 : 0;
    if (!licence_ok(s) || have + sep + s.n > RUBY_MAX_LICENCE)
        return false;
    if (sep)
        memcpy(dst + have, ", ", 2);
    memcpy(dst + have + sep, s.p, s.n);
    dst[have + sep + s.n] = '\0';
    return true;
}

/* `[lit, lit, ...]` at p: the joined licence list, or false (licence left unknown). */
static bool licence_list(const char *p, const char *end, char *dst)
{
    dst[0] = '\0';
    if (p >= end || *p != '[')
        return false;
    p = skip_blanks(p + 1, end);
    if (p < end && *p == ']')
        return false; /* an empty list says nothing */
    for (;;) {
        struct span s;
        bool usable;
        if (!ruby_string(&p, end, &s, &usable) || !usable || !licence_append(dst, s))
            return false;
        p = skip_blanks(p, end);
        if (p < end && *p == ']')
            return true;
        if (p >= end || *p != ',')
            return false;
        p = skip_blanks(p + 1, end);
    }
}

/* One line: `<ident>.<attr> = <value>`; fills what it recognises, first assignment wins. */
static void gemspec_line(const char *p, const char *end, struct gemspec_fields *f)
{
    p = skip_blanks(p, end);
    const char *id = p;
    while (p < end && is_ident(*p))
        p++;
    if (p == id || p >= end || *p != '.')
        return;
    const char *attr = ++p;
    while (p < end && is_ident(*p))
        p++;
    struct span a = {attr, (size_t)(p - attr)};
    p = skip_blanks(p, end);
    if (p >= end || *p != '=' || (end - p >= 2 && (p[1] == '=' || p[1] == '~')))
        return;
    p = skip_blanks(p + 1, end);

    struct span s;
    bool usable;
    if (span_eq(a, "name") && !f->have_name) {
        if (ruby_string(&p, end, &s, &usable) && usable && name_ok(s)) {
            f->name = s;
            f->have_name = true;
        }
    } else if (span_eq(a, "version") && !f->have_version) {
        if (ruby_string(&p, end, &s, &usable) && usable && version_ok(s)) {
            f->version = s;
            f->have_version = true;
        }
    } else if (span_eq(a, "licenses") && !f->have_licence) {
        f->have_licence = licence_list(p, end, f->licence);
    } else if (span_eq(a, "license") && !f->have_licence) {
        f->licence[0] = '\0';
        f->have_licence =
            ruby_string(&p, end, &s, &usable) && usable && licence_append(f->licence, s);
    }
}

/* "<dir>/<name>-<version>[-<platform>].gemspec": split before the first "-<digit>". */
static void gemspec_from_file_name(const char *path, struct span *name, struct span *version)
{
    static const char ext[] = ".gemspec";
    name->p = version->p = NULL;
    name->n = version->n = 0;
    if (path == NULL)
        return;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n <= sizeof(ext) - 1 || strcmp(base + n - (sizeof(ext) - 1), ext) != 0)
        return;
    n -= sizeof(ext) - 1;
    for (size_t i = 1; i + 1 < n; i++) {
        if (base[i] == '-' && is_digit(base[i + 1])) {
            name->p = base;
            name->n = i;
            version->p = base + i + 1;
            const char *dash = memchr(version->p, '-', n - i - 1);
            version->n = dash ? (size_t)(dash - version->p) : n - i - 1;
            return;
        }
    }
}

int gemspec_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                  struct dd_error *err)
{
    const char *what = path ? path : "gemspec";
    const char *p = (const char *)data;
    const char *end = p ? p + len : p;
    struct gemspec_fields f;
    memset(&f, 0, sizeof(f));
    int rc = 0;

    while (p < end && !(f.have_name && f.have_version && f.have_licence)) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        gemspec_line(p, le, &f);
        p = nl ? nl + 1 : end;
    }
    struct span fname, fversion;
    gemspec_from_file_name(path, &fname, &fversion);
    struct span name = f.have_name ? f.name : fname;
    struct span version = f.have_version ? f.version : fversion;
    if (!name_ok(name) || !version_ok(version)) {
        rc = dd_error_set(err, DD_EPARSE, "%s: no literal gem name and version, and none in %s",
                          what, "the file name");
        goto out;
    }
    rc = add_gem(out, path, name, version, f.have_licence ? f.licence : NULL);
out:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "%s: out of memory", what);
    return rc;
}

/* ---- Gemfile.lock ------------------------------------------------------------------------ */

static bool is_source_header(struct span s)
{
    return span_eq(s, "GEM") || span_eq(s, "GIT") || span_eq(s, "PATH") ||
           span_eq(s, "PLUGIN SOURCE");
}

/* "name (version[-platform])" after the indent; false when the line is not a spec. */
static bool lock_spec(struct span line, struct span *name, struct span *version)
{
    const char *open = NULL;
    for (size_t i = 0; i + 1 < line.n; i++) {
        if (line.p[i] == ' ' && line.p[i + 1] == '(') {
            open = line.p + i;
            break;
        }
    }
    if (open == NULL || line.p[line.n - 1] != ')')
        return false;
    name->p = line.p;
    name->n = (size_t)(open - line.p);
    const char *v = open + 2;
    const char *close = line.p + line.n - 1;
    if (close < v)
        return false;
    const char *dash = memchr(v, '-', (size_t)(close - v));
    version->p = v;
    version->n = (size_t)((dash ? dash : close) - v);
    return name_ok(*name) && version_ok(*version);
}

int gemfile_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err)
{
    const char *what = path ? path : "Gemfile.lock";
    const char *p = (const char *)data;
    const char *end = p ? p + len : p;
    bool in_source = false, in_specs = false, saw_source = false, non_blank = false;
    size_t lineno = 0, added = 0;
    struct span last_name = {NULL, 0}, last_version = {NULL, 0};
    int rc = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        struct span line = {p, (size_t)(le - p)};
        p = nl ? nl + 1 : end;
        lineno++;
        if (line.n > RUBY_MAX_LINE) {
            rc = dd_error_set(err, DD_EPARSE, "%s: line %zu: longer than %d bytes", what, lineno,
                              RUBY_MAX_LINE);
            goto out;
        }
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        size_t indent = 0;
        while (indent < line.n && line.p[indent] == ' ')
            indent++;
        if (indent == line.n)
            continue;
        non_blank = true;
        struct span rest = {line.p + indent, line.n - indent};
        if (indent == 0) {
            in_source = is_source_header(rest);
            saw_source = saw_source || in_source;
            in_specs = false;
        } else if (indent == 2 && in_source) {
            in_specs = span_eq(rest, "specs:");
        } else if (indent == 4 && in_specs) {
            struct span name, version;
            if (!lock_spec(rest, &name, &version))
                continue;
            /* Platform variants of one gem are adjacent (Bundler sorts specs). */
            if (last_name.p && name.n == last_name.n && version.n == last_version.n &&
                memcmp(name.p, last_name.p, name.n) == 0 &&
                memcmp(version.p, last_version.p, version.n) == 0)
                continue;
            if (++added > RUBY_MAX_PACKAGES) {
                rc = dd_error_set(err, DD_ELIMIT, "%s: more than %d gems", what, RUBY_MAX_PACKAGES);
                goto out;
            }
            rc = add_gem(out, path, name, version, NULL);
            if (rc != 0)
                goto out;
            last_name = name;
            last_version = version;
        }
    }
    if (non_blank && !saw_source)
        rc = dd_error_set(err, DD_EPARSE, "%s: no GEM, GIT or PATH section", what);
out:
    if (rc == DD_ENOMEM)
        dd_error_set(err, rc, "%s: out of memory", what);
    return rc;
}

/* ---- analyzers --------------------------------------------------------------------------- */

static bool has_dir(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    for (const char *p = path; (p = strstr(p, dir)) != NULL; p++) {
        if ((p == path || p[-1] == '/') && p[n] == '/')
            return true;
    }
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Any ".../specifications/[...]/x.gemspec": GEM_HOME/specifications and its default/. */
static bool want_gemspec(const char *path)
{
    return ends_with(path, ".gemspec") && has_dir(path, "specifications");
}

static int parse_gemspec(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                         struct dd_error *err)
{
    return gemspec_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_gemspec = {
    .name = "gemspec",
    .version = 1,
    .max_file_bytes = (size_t)4 * 1024 * 1024,
    .want = want_gemspec,
    .parse = parse_gemspec,
};

/* An application's Gemfile.lock; the lockfiles that gems ship in their own source trees
 * (GEM_HOME/gems/<gem>/Gemfile.lock) describe their development setup, not the image. */
static bool want_gemfile_lock(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcmp(base, "Gemfile.lock") == 0 && !has_dir(path, "gems");
}

static int parse_gemfile_lock(const char *path, const uint8_t *data, size_t len,
                              struct file_facts *out, struct dd_error *err)
{
    return gemfile_lock_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_gemfile_lock = {
    .name = "gemfile-lock",
    .version = 1,
    .max_file_bytes = (size_t)8 * 1024 * 1024,
    .want = want_gemfile_lock,
    .parse = parse_gemfile_lock,
};
