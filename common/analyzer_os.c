/* analyzer_os.c - the OS analyzers: release files, dpkg, apk and rpm databases.
 *
 * Each analyzer is a want() predicate over normalised layer paths (exact names only, so the
 * walker buffers nothing else) and a parse() wrapper that hands the bytes to the format
 * parser in os_release.c, dpkg.c, apk.c or rpmdb.c. The wrappers add nothing but dispatch:
 * all validation lives in the parsers.
 * Deliberately not done: merging several release files into one OS verdict (the layer merge
 * decides which file wins), or looking at paths outside the fixed lists below.
 */
#include "analyzer.h"
#include "apk.h"
#include "dpkg.h"
#include "os_release.h"
#include "rpmdb.h"

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

/* ---- apk --------------------------------------------------------------------------------- */

static bool want_apk(const char *path)
{
    return strcmp(path, "lib/apk/db/installed") == 0;
}

static int parse_apk(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                     struct dd_error *err)
{
    return apk_installed_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_apk = {
    .name = "apk",
    .version = 1,
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

static int parse_rpm(const char *path, const uint8_t *data, size_t len, struct file_facts *out,
                     struct dd_error *err)
{
    return rpmdb_parse(path, data, len, &out->pkgs, err);
}

const struct analyzer analyzer_rpm = {
    .name = "rpm",
    .version = 1,
    .max_file_bytes = (size_t)48 * 1024 * 1024,
    .want = want_rpm,
    .parse = parse_rpm,
};
