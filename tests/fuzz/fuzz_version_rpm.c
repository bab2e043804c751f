/* fuzz_version_rpm.c - libFuzzer target for the rpm version comparator (VERS_RPM): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_RPM)
