/* lang_dotnet.c - NuGet packages of .NET applications: <app>.deps.json and
 * packages.lock.json.
 *
 * <app>.deps.json (the .NET host reads it to resolve assemblies at run time):
 *
 *   { "runtimeTarget": {"name": ".NETCoreApp,Version=v6.0", ...},
 *     "targets":   { ".NETCoreApp,Version=v6.0": { "<Id>/<Version>": {"runtime": {...}} } },
 *     "libraries": { "WebApp/1.0.0":           {"type": "project", ...},
 *                    "Newtonsoft.Json/13.0.1": {"type": "package", "sha512": "...",
 *                                               "path": "newtonsoft.json/13.0.1"} } }
 *
 * packages.lock.json (`dotnet restore --use-lock-file`):
 *
 *   { "version": 1,
 *     "dependencies": { "net6.0": { "Newtonsoft.Json": {"type": "Direct",
 *                                     "requested": "[13.0.1, )", "resolved": "13.0.1"},
 *                                   "MyLib": {"type": "Project"} },
 *                       "net6.0/linux-x64": { ... } } }
 *
 * Design: the guarded loader of lang_php.c (depth, value count and byte caps) builds the
 * tree; we walk only "libraries" (deps.json) or "dependencies" (lock). The lock repeats a
 * package per target framework: a jansson object keyed "id/version" de-duplicates in
 * O(1) per entry. Unusable entries are skipped and reported as a partial DD_EPARSE.
 * Invariants: every kept string is bounded (DOTNET_MAX_*); the tree is freed before return.
 * Deliberately not done: "targets" asset lists (deps.json "libraries" already names every
 * package once), project references, packages.config / .csproj files.
 */
#include "lang_dotnet.h"
#include "analyzer.h"
#include "lang_php.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool id_ok(const char *s, size_t n)
{
    if (n == 0 || n > DOTNET_MAX_NAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

static bool version_ok(const char *s, size_t n)
{
    if (n == 0 || n > DOTNET_MAX_VERSION)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c > 0x7e || c == '/')
            return false;
    }
    return true;
}

struct walk {
    const char *path, *what;
    struct pkg_list *out;
    size_t added;
    char first_bad[128]; /* first skipped entry, for the partial error; "" when none */
    struct dd_error *err;
};

__attribute__((format(printf, 2, 3))) static void note_bad(struct walk *w, const char *fmt, ...)
{
    if (w->first_bad[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->first_bad, sizeof(w->first_bad), fmt, ap);
    va_end(ap);
    if (n < 0)
        w->first_bad[0] = '?';
}

static int add_nuget(struct walk *w, const char *id, size_t id_len, const char *version,
                     size_t version_len)
{
    if (++w->added > DOTNET_MAX_PACKAGES)
        return dd_error_set(w->err, DD_ELIMIT, "%s: more than %d packages", w->what,
                            DOTNET_MAX_PACKAGES);
    struct pkg *slot;
    char *n = dd_strndup(id, id_len);
    char *v = dd_strndup(version, version_len);
    char *f = dd_strdup(w->path);
    if (n == NULL || v == NULL || (w->path && f == NULL) || pkg_list_add(w->out, &slot) != 0) {
        free(n);
        free(v);
        free(f);
        return DD_ENOMEM;
    }
    slot->type = PKG_TYPE_NUGET;
    slot->name = n;
    slot->version = v;
    slot->file_path = f;
    return 0;
}

static int finish(struct walk *w, int rc)
{
    if (rc == DD_ENOMEM)
        return dd_error_set(w->err, rc, "%s: out of memory", w->what);
    if (rc == 0 && w->first_bad[0] != '\0')
        return dd_error_set(w->err, DD_EPARSE, "%s: %s", w->what, w->first_bad);
    return rc;
}

/* Borrowed string member of o, or NULL when absent, not a string or holding a NUL. */
static const char *str_member(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key); /* borrowed */
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

int dotnet_deps_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err)
{
    struct walk w = {.path = path, .what = path ? path : "deps.json", .out = out, .err = err};
    json_t *root = NULL; /* owned */
    int rc = lang_json_load(data, len, w.what, &root, err);
    if (rc != 0)
        return rc;
    json_t *libs = json_object_get(root, "libraries"); /* borrowed */
    if (!json_is_object(libs)) {
        rc = dd_error_set(err, DD_EPARSE, "%s: not a .deps.json (no \"libraries\" object)", w.what);
        goto out;
    }
    const char *key;
    json_t *lib; /* borrowed */
    json_object_foreach(libs, key, lib)
    {
        const char *type = json_is_object(lib) ? str_member(lib, "type") : NULL;
        if (type == NULL) {
            note_bad(&w, "libraries[\"%.60s\"]: no \"type\"", key);
            continue;
        }
        if (strcmp(type, "package") != 0)
            continue;
        const char *slash = strchr(key, '/');
        size_t klen = strlen(key);
        if (slash == NULL || !id_ok(key, (size_t)(slash - key)) ||
            !version_ok(slash + 1, klen - (size_t)(slash - key) - 1)) {
            note_bad(&w, "libraries[\"%.60s\"]: not \"<id>/<version>\"", key);
            continue;
        }
        rc = add_nuget(&w, key, (size_t)(slash - key), slash + 1, klen - (size_t)(slash - key) - 1);
        if (rc != 0)
            break;
    }
    rc = finish(&w, rc);
out:
    json_decref(root);
    return rc;
}

int nuget_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                     struct dd_error *err)
{
    struct walk w = {
        .path = path, .what = path ? path : "packages.lock.json", .out = out, .err = err};
    json_t *root = NULL; /* owned */
    json_t *seen = NULL; /* owned: "id/version" -> null */
    char keybuf[DOTNET_MAX_NAME + DOTNET_MAX_VERSION + 2];
    int rc = lang_json_load(data, len, w.what, &root, err);
    if (rc != 0)
        return rc;
    json_t *ver = json_object_get(root, "version");       /* borrowed */
    json_t *deps = json_object_get(root, "dependencies"); /* borrowed */
    if (!json_is_integer(ver) || !json_is_object(deps)) {
        rc = dd_error_set(err, DD_EPARSE,
                          "%s: not a NuGet lock file (no integer \"version\" and "
                          "\"dependencies\" object)",
                          w.what);
        goto out;
    }
    if (json_integer_value(ver) != 1 && json_integer_value(ver) != 2) {
        rc = dd_error_set(err, DD_EUNSUPPORTED, "%s: lock file version %lld is not supported",
                          w.what, (long long)json_integer_value(ver));
        goto out;
    }
    seen = json_object();
    if (seen == NULL) {
        rc = DD_ENOMEM;
        goto done;
    }
    const char *tfm;
    json_t *pkgs; /* borrowed */
    json_object_foreach(deps, tfm, pkgs)
    {
        if (!json_is_object(pkgs)) {
            note_bad(&w, "dependencies[\"%.60s\"]: not an object", tfm);
            continue;
        }
        const char *id;
        json_t *e; /* borrowed */
        json_object_foreach(pkgs, id, e)
        {
            const char *type = json_is_object(e) ? str_member(e, "type") : NULL;
            if (type && strcmp(type, "Project") == 0)
                continue;
            const char *resolved = json_is_object(e) ? str_member(e, "resolved") : NULL;
            size_t id_len = strlen(id);
            if (resolved == NULL || !id_ok(id, id_len) || !version_ok(resolved, strlen(resolved))) {
                note_bad(&w, "%.60s: \"%.60s\" has no usable \"resolved\" version", tfm, id);
                continue;
            }
            snprintf(keybuf, sizeof(keybuf), "%s/%s", id, resolved);
            if (json_object_get(seen, keybuf) != NULL)
                continue;
            if (json_object_set_new(seen, keybuf, json_null()) != 0) {
                rc = DD_ENOMEM;
                goto done;
            }
            rc = add_nuget(&w, id, id_len, resolved, strlen(resolved));
            if (rc != 0)
                goto done;
        }
    }
done:
    rc = finish(&w, rc);
out:
    json_decref(seen);
    json_decref(root);
    return rc;
}

/* ---- analyzers --------------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* "<app>.deps.json" anywhere: published apps keep it next to <app>.dll. */
static bool want_dotnet_deps(const char *path)
{
    static const char ext[] = ".deps.json";
    const char *b = base_name(path);
    size_t n = strlen(b);
    return n > sizeof(ext) - 1 && strcmp(b + n - (sizeof(ext) - 1), ext) == 0;
}

static int parse_dotnet_deps(const char *path, const uint8_t *data, size_t len,
                             struct file_facts *out, struct dd_error *err)
{
    return dotnet_deps_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_dotnet_deps = {
    .name = "dotnet-deps",
    .version = 1,
    .max_file_bytes = LANG_JSON_MAX_BYTES,
    .want = want_dotnet_deps,
    .parse = parse_dotnet_deps,
};

static bool want_nuget_lock(const char *path)
{
    return strcmp(base_name(path), "packages.lock.json") == 0;
}

static int parse_nuget_lock(const char *path, const uint8_t *data, size_t len,
                            struct file_facts *out, struct dd_error *err)
{
    return nuget_lock_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_nuget_lock = {
    .name = "nuget-lock",
    .version = 1,
    .max_file_bytes = LANG_JSON_MAX_BYTES,
    .want = want_nuget_lock,
    .parse = parse_nuget_lock,
};
