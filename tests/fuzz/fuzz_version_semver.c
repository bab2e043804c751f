/* fuzz_version_semver.c - libFuzzer target for the semver version comparator (VERS_SEMVER): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_SEMVER)
