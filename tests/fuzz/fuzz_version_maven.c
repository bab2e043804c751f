/* fuzz_version_maven.c - libFuzzer target for the maven version comparator (VERS_MAVEN): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_MAVEN)
