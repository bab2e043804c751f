/* lang_php.c - PHP Composer packages from composer.lock and vendor/composer/installed.json;
 * and lang_json_load(), the guarded JSON loader shared with the .NET parser.
 *
 * composer.lock (written by `composer update`):
 *
 *   { "_readme": [...], "content-hash": "...",
 *     "packages":     [ {"name": "monolog/monolog", "version": "2.9.1",
 *                        "license": ["MIT"], "dist": {...}, ...}, ... ],
 *     "packages-dev": [ ... same shape: require-dev, possibly not installed ... ],
 *     "aliases": [], "platform": {...}, "plugin-api-version": "2.3.0" }
 *
 * vendor/composer/installed.json (what `composer install` put on disk):
 *   Composer 1: [ {"name": ..., "version": ..., ...}, ... ]
 *   Composer 2: { "packages": [ ... ], "dev": true, "dev-package-names": [...] }
 *
 * Design: lang_json_load() first scans the bytes once (strings skipped) to bound nesting
 * depth and the number of values, then lets jansson build the tree; we walk only the shapes
 * above. Entries that are not objects with a valid string name and version are skipped and
 * reported as a partial DD_EPARSE naming the first one. Versions are kept as written
 * ("v1.27.0", "dev-main"): the Packagist comparator normalises them.
 * Invariants: every kept string is bounded (PHP_MAX_*); the JSON tree is freed before return.
 * Deliberately not done: dependency edges, aliases, deciding whether packages-dev of a lock
 * were installed (the analyzer reports "packages" only; installed.json is authoritative).
 */
#include "lang_php.h"
#include "analyzer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lang_json_load(const uint8_t *data, size_t len, const char *what, json_t **out,
                   struct dd_error *err)
{
    if (data == NULL || len == 0)
        return dd_error_set(err, DD_EPARSE, "%s: empty file", what);
    if (len > LANG_JSON_MAX_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "%s: %zu bytes is more than the %zu byte limit", what,
                            len, LANG_JSON_MAX_BYTES);
    size_t depth = 0, items = 1;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < len; i++) {
        char c = (char)data[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        switch (c) {
        case '"':
            in_str = true;
            break;
        case '{':
        case '[':
            if (++depth > LANG_JSON_MAX_DEPTH)
                return dd_error_set(err, DD_ELIMIT, "%s: JSON nested deeper than %d levels", what,
                                    LANG_JSON_MAX_DEPTH);
            items++;
            break;
        case '}':
        case ']':
            if (depth > 0)
                depth--;
            break;
        case ',':
        case ':':
            items++;
            break;
        default:
            break;
        }
        if (items > LANG_JSON_MAX_ITEMS)
            return dd_error_set(err, DD_ELIMIT, "%s: more than %d JSON values", what,
                                LANG_JSON_MAX_ITEMS);
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, len, 0, &jerr);
    if (root == NULL)
        return dd_error_set(err, DD_EPARSE, "%s: invalid JSON at line %d column %d: %s", what,
                            jerr.line, jerr.column, jerr.text);
    *out = root;
    return 0;
}

/* ---- Composer package entries ------------------------------------------------------------ */

static bool printable(const char *s, size_t n, bool spaces)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || (!spaces && c == ' '))
            return false;
    }
    return true;
}

/* "vendor/name": exactly one '/', both halves [A-Za-z0-9_.-]+. */
static bool composer_name_ok(const char *s)
{
    size_t n = strlen(s);
    const char *slash = strchr(s, '/');
    if (n == 0 || n > PHP_MAX_NAME || slash == NULL || slash == s || slash[1] == '\0' ||
        strchr(slash + 1, '/') != NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

/* Borrowed string member of o, or NULL when absent, not a string or holding a NUL. */
static const char *str_member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key); /* borrowed */
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

/* "license": "MIT" or ["MIT", "GPL-2.0-or-later"]; NULL (no error) when unusable. */
static char *licence_of(json_t *o, bool *oom)
{
    char buf[PHP_MAX_LICENCE + 1];
    size_t have = 0;
    json_t *lic = json_object_get(o, "license"); /* borrowed */
    json_t *one = json_is_string(lic) ? lic : NULL;
    size_t n = json_is_array(lic) ? json_array_size(lic) : (one ? 1 : 0);
    for (size_t i = 0; i < n; i++) {
        json_t *v = one ? one : json_array_get(lic, i); /* borrowed */
        if (!json_is_string(v))
            return NULL;
        const char *s = json_string_value(v);
        size_t sl = json_string_length(v);
        size_t sep = have ? 2 : 0;
        if (sl == 0 || !printable(s, sl, true) || have + sep + sl > PHP_MAX_LICENCE)
            return NULL;
        memcpy(buf + have, ", ", sep);
        memcpy(buf + have + sep, s, sl);
        have += sep + sl;
    }
    if (have == 0)
        return NULL;
    char *r = dd_strndup(buf, have);
    if (r == NULL)
        *oom = true;
    return r;
}

struct walk {
    const char *path, *what;
    struct pkg_list *out;
    size_t added;
    char first_bad[96]; /* "packages[3]", empty when every entry was usable */
    struct dd_error *err;
};

static int add_entry(struct walk *w, json_t *e, const char *field, size_t idx)
{
    const char *name = json_is_object(e) ? str_member(e, "name") : NULL;
    const char *version = json_is_object(e) ? str_member(e, "version") : NULL;
    if (name == NULL || version == NULL || !composer_name_ok(name) || version[0] == '\0' ||
        strlen(version) > PHP_MAX_VERSION || !printable(version, strlen(version), false)) {
        if (w->first_bad[0] == '\0')
            snprintf(w->first_bad, sizeof(w->first_bad), "%s[%zu]", field, idx);
        return 0;
    }
    if (++w->added > PHP_MAX_PACKAGES)
        return dd_error_set(w->err, DD_ELIMIT, "%s: more than %d packages", w->what,
                            PHP_MAX_PACKAGES);
    bool oom = false;
    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = PKG_TYPE_COMPOSER;
    p.epoch = -1;
    p.layer = -1;
    p.name = dd_strdup(name);
    p.version = dd_strdup(version);
    p.licence = licence_of(e, &oom);
    p.file_path = dd_strdup(w->path);
    struct pkg *slot;
    if (oom || !p.name || !p.version || (w->path && !p.file_path) ||
        pkg_list_add(w->out, &slot) != 0) {
        pkg_cleanup(&p);
        return DD_ENOMEM;
    }
    *slot = p;
    return 0;
}

static int add_array(struct walk *w, json_t *arr, const char *field)
{
    for (size_t i = 0; i < json_array_size(arr); i++) {
        int rc = add_entry(w, json_array_get(arr, i), field, i);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int finish(struct walk *w, int rc)
{
    if (rc == DD_ENOMEM)
        return dd_error_set(w->err, rc, "%s: out of memory", w->what);
    if (rc == 0 && w->first_bad[0] != '\0')
        return dd_error_set(w->err, DD_EPARSE, "%s: %s: no valid \"name\" and \"version\"", w->what,
                            w->first_bad);
    return rc;
}

int composer_lock_parse(const char *path, const uint8_t *data, size_t len, bool include_dev,
                        struct pkg_list *out, struct dd_error *err)
{
    struct walk w = {.path = path, .what = path ? path : "composer.lock", .out = out, .err = err};
    json_t *root = NULL; /* owned */
    int rc = lang_json_load(data, len, w.what, &root, err);
    if (rc != 0)
        return rc;
    json_t *pkgs = json_object_get(root, "packages"); /* borrowed */
    if (!json_is_object(root) || !json_is_array(pkgs)) {
        rc =
            dd_error_set(err, DD_EPARSE, "%s: not a composer.lock (no \"packages\" array)", w.what);
        goto out;
    }
    rc = add_array(&w, pkgs, "packages");
    json_t *dev = json_object_get(root, "packages-dev"); /* borrowed */
    if (rc == 0 && include_dev && json_is_array(dev))
        rc = add_array(&w, dev, "packages-dev");
    rc = finish(&w, rc);
out:
    json_decref(root);
    return rc;
}

int composer_installed_parse(const char *path, const uint8_t *data, size_t len,
                             struct pkg_list *out, struct dd_error *err)
{
    struct walk w = {.path = path, .what = path ? path : "installed.json", .out = out, .err = err};
    json_t *root = NULL; /* owned */
    int rc = lang_json_load(data, len, w.what, &root, err);
    if (rc != 0)
        return rc;
    json_t *pkgs = json_is_array(root) ? root : json_object_get(root, "packages"); /* borrowed */
    if (!json_is_array(pkgs)) {
        rc = dd_error_set(err, DD_EPARSE,
                          "%s: neither a Composer 1 array nor a Composer 2 \"packages\" object",
                          w.what);
        goto out;
    }
    rc = finish(&w, add_array(&w, pkgs, "packages"));
out:
    json_decref(root);
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

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* An application's composer.lock; packages under vendor/ ship their own development locks. */
static bool want_composer_lock(const char *path)
{
    return strcmp(base_name(path), "composer.lock") == 0 && !has_dir(path, "vendor");
}

static int parse_composer_lock(const char *path, const uint8_t *data, size_t len,
                               struct file_facts *out, struct dd_error *err)
{
    return composer_lock_parse(path, data, len, false, &out->pkgs, err);
}

const struct analyzer analyzer_composer_lock = {
    .name = "composer-lock",
    .version = 1,
    .max_file_bytes = LANG_JSON_MAX_BYTES,
    .want = want_composer_lock,
    .parse = parse_composer_lock,
};

static bool want_composer_installed(const char *path)
{
    static const char tail[] = "vendor/composer/installed.json";
    size_t n = strlen(path), m = sizeof(tail) - 1;
    return n >= m && strcmp(path + n - m, tail) == 0 && (n == m || path[n - m - 1] == '/');
}

static int parse_composer_installed(const char *path, const uint8_t *data, size_t len,
                                    struct file_facts *out, struct dd_error *err)
{
    return composer_installed_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_composer_installed = {
    .name = "composer-installed",
    .version = 1,
    .max_file_bytes = LANG_JSON_MAX_BYTES,
    .want = want_composer_installed,
    .parse = parse_composer_installed,
};
