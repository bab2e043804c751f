/* version.c - scheme names, OSV ecosystem mapping and the dispatcher in front of the
 * per-scheme comparators (version_<scheme>.c).
 *
 * Design: each scheme lives in its own file and exports vers_<scheme>_cmp(a, b, cmp, err),
 * which parses both strings and compares them; with b == NULL it only validates a. This file
 * checks arguments and the length cap once, so the scheme code can assume non-NULL strings
 * of at most VERSION_MAX_LEN bytes. Shared helpers (numeric digit-string comparison, error
 * messages) live here too.
 *
 * Invariants: no allocation outlives a call; no global mutable state; *cmp is written only
 * on success.
 *
 * Deliberately not here: version ranges and OSV event semantics ("introduced": "0",
 * last_affected) - those belong to the advisory matcher.
 */
#include "version.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "version_int.h"

typedef int (*vers_cmp_fn)(const char *a, const char *b, int *cmp, struct dd_error *err);

static const struct {
    const char *name;
    vers_cmp_fn fn;
} SCHEMES[VERS__COUNT] = {
    [VERS_DPKG] = {"dpkg", vers_dpkg_cmp},    [VERS_RPM] = {"rpm", vers_rpm_cmp},
    [VERS_APK] = {"apk", vers_apk_cmp},       [VERS_SEMVER] = {"semver", vers_semver_cmp},
    [VERS_GO] = {"go", vers_go_cmp},          [VERS_PEP440] = {"pep440", vers_pep440_cmp},
    [VERS_MAVEN] = {"maven", vers_maven_cmp}, [VERS_GEM] = {"gem", vers_gem_cmp},
    [VERS_NUGET] = {"nuget", vers_nuget_cmp}, [VERS_COMPOSER] = {"composer", vers_composer_cmp},
};

const char *version_scheme_name(enum version_scheme s)
{
    if ((unsigned)s >= VERS__COUNT)
        return "?";
    return SCHEMES[s].name;
}

/* OSV ecosystem base names (the part before the first ':'). */
static const struct {
    const char *eco;
    enum version_scheme scheme;
} ECOSYSTEMS[] = {
    {"Debian", VERS_DPKG},        {"Ubuntu", VERS_DPKG},     {"Alpine", VERS_APK},
    {"Wolfi", VERS_APK},          {"Chainguard", VERS_APK},  {"MinimOS", VERS_APK},
    {"AlmaLinux", VERS_RPM},      {"Rocky Linux", VERS_RPM}, {"Red Hat", VERS_RPM},
    {"openSUSE", VERS_RPM},       {"SUSE", VERS_RPM},        {"Mageia", VERS_RPM},
    {"Photon OS", VERS_RPM},      {"openEuler", VERS_RPM},   {"npm", VERS_SEMVER},
    {"crates.io", VERS_SEMVER},   {"Hex", VERS_SEMVER},      {"Pub", VERS_SEMVER},
    {"Bitnami", VERS_SEMVER},     {"Go", VERS_GO},           {"PyPI", VERS_PEP440},
    {"Maven", VERS_MAVEN},        {"RubyGems", VERS_GEM},    {"NuGet", VERS_NUGET},
    {"Packagist", VERS_COMPOSER},
};

int version_scheme_for_ecosystem(const char *ecosystem, enum version_scheme *out)
{
    if (ecosystem == NULL || out == NULL)
        return DD_EINVAL;
    const char *colon = strchr(ecosystem, ':');
    size_t n = colon ? (size_t)(colon - ecosystem) : strlen(ecosystem);
    for (size_t i = 0; i < sizeof(ECOSYSTEMS) / sizeof(ECOSYSTEMS[0]); i++) {
        if (strlen(ECOSYSTEMS[i].eco) == n && memcmp(ECOSYSTEMS[i].eco, ecosystem, n) == 0) {
            *out = ECOSYSTEMS[i].scheme;
            return 0;
        }
    }
    return DD_EUNSUPPORTED;
}

static const struct {
    const char *alias;
    enum version_scheme scheme;
} ALIASES[] = {
    {"dpkg", VERS_DPKG},
    {"deb", VERS_DPKG},
    {"debian", VERS_DPKG},
    {"rpm", VERS_RPM},
    {"apk", VERS_APK},
    {"alpine", VERS_APK},
    {"semver", VERS_SEMVER},
    {"npm", VERS_SEMVER},
    {"cargo", VERS_SEMVER},
    {"crates.io", VERS_SEMVER},
    {"go", VERS_GO},
    {"golang", VERS_GO},
    {"pep440", VERS_PEP440},
    {"pypi", VERS_PEP440},
    {"python", VERS_PEP440},
    {"maven", VERS_MAVEN},
    {"gem", VERS_GEM},
    {"rubygems", VERS_GEM},
    {"nuget", VERS_NUGET},
    {"composer", VERS_COMPOSER},
    {"packagist", VERS_COMPOSER},
};

int version_scheme_parse(const char *name, enum version_scheme *out)
{
    if (name == NULL || out == NULL)
        return DD_EINVAL;
    for (size_t i = 0; i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++) {
        if (strcasecmp(ALIASES[i].alias, name) == 0) {
            *out = ALIASES[i].scheme;
            return 0;
        }
    }
    return DD_EUNSUPPORTED;
}

static int check_len(enum version_scheme s, const char *v, struct dd_error *err)
{
    if (strnlen(v, VERSION_MAX_LEN + 1) > VERSION_MAX_LEN)
        return dd_error_set(err, DD_EPARSE, "not a valid %s version: longer than %d bytes",
                            version_scheme_name(s), VERSION_MAX_LEN);
    return 0;
}

int version_compare(enum version_scheme s, const char *a, const char *b, int *cmp,
                    struct dd_error *err)
{
    if ((unsigned)s >= VERS__COUNT || a == NULL || b == NULL || cmp == NULL)
        return dd_error_set(err, DD_EINVAL, "version_compare: bad argument");
    int rc = check_len(s, a, err);
    if (rc == 0)
        rc = check_len(s, b, err);
    if (rc != 0)
        return rc;
    int c = 0;
    rc = SCHEMES[s].fn(a, b, &c, err);
    if (rc == 0)
        *cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
    return rc;
}

int version_validate(enum version_scheme s, const char *v, struct dd_error *err)
{
    if ((unsigned)s >= VERS__COUNT || v == NULL)
        return dd_error_set(err, DD_EINVAL, "version_validate: bad argument");
    int rc = check_len(s, v, err);
    if (rc != 0)
        return rc;
    int c = 0;
    return SCHEMES[s].fn(v, NULL, &c, err);
}

void vers_fail_msg(struct dd_error *err, const char *label, const char *v, const char *why)
{
    char q[80];
    size_t o = 0;
    for (size_t i = 0; v[i] != '\0'; i++) {
        unsigned char c = (unsigned char)v[i];
        if (o + 5 >= sizeof(q) - 4) {
            memcpy(q + o, "...", 4);
            o += 3;
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
            q[o++] = (char)c;
        else
            o += (size_t)snprintf(q + o, sizeof(q) - o, "\\x%02x", c);
    }
    q[o] = '\0';
    if (why != NULL)
        dd_error_set(err, DD_EPARSE, "not a valid %s version: '%s' (%s)", label, q, why);
    else
        dd_error_set(err, DD_EPARSE, "not a valid %s version: '%s'", label, q);
}

int vers_numcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen > 0 && *a == '0') {
        a++;
        alen--;
    }
    while (blen > 0 && *b == '0') {
        b++;
        blen--;
    }
    if (alen != blen)
        return alen < blen ? -1 : 1;
    int c = alen ? memcmp(a, b, alen) : 0;
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int vers_bytecmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c < 0 ? -1 : 1;
    if (alen != blen)
        return alen < blen ? -1 : 1;
    return 0;
}
