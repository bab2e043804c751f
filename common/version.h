/* version.h - per-ecosystem version comparators (dpkg, rpm, apk, SemVer, Go, PEP 440, Maven,
 * RubyGems, NuGet, Composer), each following its ecosystem's own rules exactly.
 *
 * A version that does not parse under the scheme's rules is an error (DD_EPARSE, with the
 * offending string quoted in err->msg); the comparators never guess an order for it. Every
 * version longer than VERSION_MAX_LEN bytes is rejected the same way. All functions are pure:
 * no allocation survives a call, no global state, safe from any thread.
 */
#ifndef DD_VERSION_H
#define DD_VERSION_H

#include "err.h"

#define VERSION_MAX_LEN 1024 /* bytes; longer strings are DD_EPARSE */

enum version_scheme {
    VERS_DPKG,     /* Debian policy 5.6.12, as dpkg parses and compares */
    VERS_RPM,      /* rpmvercmp on [epoch:]version[-release], as rpm 4.18 */
    VERS_APK,      /* apk-tools version rules */
    VERS_SEMVER,   /* SemVer 2.0.0 strict; optional leading 'v' (node-semver strict mode) */
    VERS_GO,       /* golang.org/x/mod/semver; the leading 'v' may be absent (OSV form) */
    VERS_PEP440,   /* packaging.version.Version */
    VERS_MAVEN,    /* maven-artifact 3.8 ComparableVersion */
    VERS_GEM,      /* RubyGems Gem::Version */
    VERS_NUGET,    /* NuGet.Versioning NuGetVersion, default comparer */
    VERS_COMPOSER, /* composer/semver VersionParser::normalize + Comparator */
    VERS__COUNT
};

/* "dpkg", "rpm", "apk", "semver", "go", "pep440", "maven", "gem", "nuget", "composer";
 * "?" for a value out of range. */
const char *version_scheme_name(enum version_scheme s);

/* OSV ecosystem name (optionally with ":release" suffix, e.g. "Debian:12", "Alpine:v3.18",
 * "Ubuntu:Pro:18.04:LTS") to scheme. Unknown ecosystems: DD_EUNSUPPORTED, *out untouched. */
int version_scheme_for_ecosystem(const char *ecosystem, enum version_scheme *out);

/* Scheme by name, case-insensitive: "dpkg", "deb", "debian", "rpm", "apk", "alpine",
 * "semver", "npm", "cargo", "crates.io", "go", "golang", "pep440", "pypi", "python",
 * "maven", "gem", "rubygems", "nuget", "composer", "packagist". Unknown: DD_EUNSUPPORTED. */
int version_scheme_parse(const char *name, enum version_scheme *out);

/* Compare a and b under scheme s: *cmp = -1, 0 or 1. DD_EPARSE (err filled, e.g.
 * "not a valid PEP 440 version: '1..2'") when either does not parse; DD_EINVAL for NULL
 * arguments or an unknown scheme. *cmp is untouched on failure. */
int version_compare(enum version_scheme s, const char *a, const char *b, int *cmp,
                    struct dd_error *err);

/* 0 when v parses under scheme s, else DD_EPARSE (err filled) or DD_EINVAL. */
int version_validate(enum version_scheme s, const char *v, struct dd_error *err);

#endif
