/* fuzz_version_dpkg.c - libFuzzer target for the dpkg version comparator (VERS_DPKG): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_DPKG)
