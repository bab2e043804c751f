/* analyzer_os.c - the OS analyzers: release files, dpkg, apk and rpm databases, and the
 * files the OS package managers say they installed.
 *
 * Each analyzer is a want() predicate over normalised layer paths (exact names, or one
 * directory of dpkg's, so the walker buffers nothing else) and a parse() wrapper that hands
 * the bytes to the format parser in os_release.c, dpkg.c, apk.c or rpmdb.c; all package
 * validation lives in the parsers. Ownership: dpkg's info/<pkg>.list (and distroless
 * status.d/<pkg>.md5sums), apk's F:/R: lines and rpm headers' file lists name the files each
 * package installed; the ones an application analyzer would read are recorded
 * (file_facts.owned) so that the merge does not report an OS package's Python metadata or jar
 * a second time as a PyPI or Maven package (Trivy and Grype behave the same way).
 * Deliberately not done: merging several release files into one OS verdict (the layer merge
 * decides which file wins), looking at paths outside the fixed lists below.
 */
#include "analyzer.h"
#include "apk.h"
#include "dpkg.h"
#include "os_release.h"
#include "rpmdb.h"

#include <stdio.h>
#include <string.h>

static bool path_in(const char *path, const char *const *list)
{
    for (; *list; list++) {
        if (strcmp(path, *list) == 0)
            return true;
    }
    return false;
}

/* ---- os-release and friends -------------------------------------------------------------- */

static const char *const os_paths[] = {
    "etc/os-release",     "usr/lib/os-release",
    "etc/alpine-release", "etc/debian_version",
    "etc/redhat-release", "etc/centos-release",
    "etc/rocky-release",  "etc/almalinux-release",
    "etc/fedora-release", NULL,
};

static bool want_os_release(const char *path)
{
    return path_in(path, os_paths);
}

static int parse_os_release(const char *path, const uint8_t *data, size_t len,
                            struct file_facts *out, struct dd_error *err)
{
    struct os_info os = {0};
    int rc;
    if (strcmp(path, "etc/os-release") == 0 || strcmp(path, "usr/lib/os-release") == 0)
        rc = os_release_parse(data, len, &os, err);
    else if (strcmp(path, "etc/alpine-release") == 0)
        rc = os_release_parse_alpine(data, len, &os, err);
    else if (strcmp(path, "etc/debian_version") == 0)
        rc = os_release_parse_debian_version(data, len, &os, err);
    else if (strcmp(path, "etc/centos-release") == 0)
        rc = os_release_parse_redhat(data, len, "centos", &os, err);
    else if (strcmp(path, "etc/rocky-release") == 0)
        rc = os_release_parse_redhat(data, len, "rocky", &os, err);
    else if (strcmp(path, "etc/almalinux-release") == 0)
        rc = os_release_parse_redhat(data, len, "almalinux", &os, err);
    else if (strcmp(path, "etc/fedora-release") == 0)
        rc = os_release_parse_redhat(data, len, "fedora", &os, err);
    else if (strcmp(path, "etc/redhat-release") == 0)
        rc = os_release_parse_redhat(data, len, "rhel", &os, err);
    else
        return dd_error_set(err, DD_EINVAL, "%s: not an OS release file", path);
    if (rc != 0)
        return rc;
    os_info_cleanup(&out->os);
    out->os = os;
    out->has_os = true;
    return 0;
}

const struct analyzer analyzer_os_release = {
    .name = "os-release",
    .version = 1,
    .max_file_bytes = (size_t)64 * 1024,
    .want = want_os_release,
    .parse = parse_os_release,
};

/* ---- dpkg -------------------------------------------------------------------------------- */

static bool want_dpkg(const char *path)
{
    static const char dir[] = "var/lib/dpkg/status.d/";
    static const char suffix[] = ".md5sums";
    if (strcmp(path, "var/lib/dpkg/status") == 0)
        return true;
    if (strncmp(path, dir, sizeof(dir) - 1) != 0)
        return false;
    const char *name = path + sizeof(dir) - 1;
    size_t n = strlen(name);
    if (n == 0 || strchr(name, '/') != NULL)
        return false;
    return !(n >= sizeof(suffix) - 1 && strcmp(name + n - (sizeof(suffix) - 1), suffix) == 0);
}

static int parse_dpkg(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                      struct dd_error *err)
{
    return dpkg_status_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_dpkg = {
    .name = "dpkg",
    .version = 1,
    .max_file_bytes = (size_t)32 * 1024 * 1024,
    .want = want_dpkg,
    .parse = parse_dpkg,
};

/* ---- dpkg file lists ---------------------------------------------------------------------- */

/* var/lib/dpkg/info/<pkg>[:<arch>].list (one absolute path a line) and, in distroless images,
 * var/lib/dpkg/status.d/<pkg>.md5sums ("<md5>  <relative path>" a line). */
static bool want_dpkg_files(const char *path)
{
    static const char info[] = "var/lib/dpkg/info/", statusd[] = "var/lib/dpkg/status.d/";
    size_t n = strlen(path);
    if (strncmp(path, info, sizeof(info) - 1) == 0)
        return n > sizeof(info) - 1 + 5 && strchr(path + sizeof(info) - 1, '/') == NULL &&
               strcmp(path + n - 5, ".list") == 0;
    if (strncmp(path, statusd, sizeof(statusd) - 1) == 0)
        return n > sizeof(statusd) - 1 + 8 && strchr(path + sizeof(statusd) - 1, '/') == NULL &&
               strcmp(path + n - 8, ".md5sums") == 0;
    return false;
}

/* Keep the listed paths an application analyzer would read. A line that is not a path is
 * skipped: a file list is evidence about other files, never an inventory of its own. */
static int parse_dpkg_files(const char *path, const uint8_t *data, size_t len,
                            struct file_facts *out, struct dd_error *err)
{
    bool md5 = strcmp(path + strlen(path) - 8, ".md5sums") == 0;
    char buf[4096];
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        const char *line = (const char *)data + i;
        size_t n = e - i;
        i = e + 1;
        if (md5) { /* "<32 hex>  <path>" */
            if (n < 35 || line[32] != ' ' || line[33] != ' ')
                continue;
            line += 34;
            n -= 34;
        }
        if (n == 0 || n >= sizeof(buf) || memchr(line, '\0', n) != NULL)
            continue;
        memcpy(buf, line, n);
        buf[n] = '\0';
        const char *rel = buf;
        while (*rel == '/')
            rel++;
        if (*rel && analyzers_app_wants(rel) && file_facts_add_owned(out, rel, strlen(rel)) != 0)
            return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    return 0;
}

const struct analyzer analyzer_dpkg_files = {
    .name = "dpkg-files",
    .version = 1,
    .max_file_bytes = (size_t)16 * 1024 * 1024,
    .want = want_dpkg_files,
    .parse = parse_dpkg_files,
};

/* ---- apk --------------------------------------------------------------------------------- */

static bool want_apk(const char *path)
{
    return strcmp(path, "lib/apk/db/installed") == 0;
}

/* The files apk says it installed: "F:<dir>" then "R:<name>" lines, per package (a blank
 * line ends a package). Only paths an application analyzer would read are kept. */
static int apk_owned(const uint8_t *data, size_t len, struct file_facts *out)
{
    char dir[2048] = "", full[4096];
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        const char *line = (const char *)data + i;
        size_t n = e - i;
        i = e + 1;
        if (n == 0) {
            dir[0] = '\0';
        } else if (n > 2 && line[0] == 'F' && line[1] == ':' && n - 2 < sizeof(dir)) {
            memcpy(dir, line + 2, n - 2);
            dir[n - 2] = '\0';
        } else if (n > 2 && line[0] == 'R' && line[1] == ':') {
            int m = snprintf(full, sizeof(full), "%s%s%.*s", dir, *dir ? "/" : "", (int)(n - 2),
                             line + 2);
            if (m <= 0 || (size_t)m >= sizeof(full) || memchr(full, '\0', (size_t)m) != NULL)
                continue;
            if (analyzers_app_wants(full) && file_facts_add_owned(out, full, (size_t)m) != 0)
                return DD_ENOMEM;
        }
    }
    return 0;
}

static int parse_apk(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                     struct dd_error *err)
{
    int rc = apk_installed_parse(path, data, len, &out->pkgs, err);
    if (rc == 0 && apk_owned(data, len, out) != 0)
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
    return rc;
}

const struct analyzer analyzer_apk = {
    .name = "apk",
    .version = 2, /* 2: owned files */
    .max_file_bytes = (size_t)16 * 1024 * 1024,
    .want = want_apk,
    .parse = parse_apk,
};

/* ---- rpm --------------------------------------------------------------------------------- */

static const char *const rpm_paths[] = {
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    NULL,
};

static bool want_rpm(const char *path)
{
    return path_in(path, rpm_paths);
}

/* rpm's file lists: the ones an application analyzer would read become owned paths. */
static int rpm_owned(const char *path, size_t len, void *ctx)
{
    if (!analyzers_app_wants(path))
        return 0;
    return file_facts_add_owned(ctx, path, len) ? DD_ENOMEM : 0;
}

static int parse_rpm(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                     struct dd_error *err)
{
    return rpmdb_parse_files(path, data, len, &out->pkgs, rpm_owned, out, err);
}

const struct analyzer analyzer_rpm = {
    .name = "rpm",
    .version = 2, /* 2: owned files */
    .max_file_bytes = (size_t)48 * 1024 * 1024,
    .want = want_rpm,
    .parse = parse_rpm,
};
