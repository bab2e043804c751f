/* fuzz_version_composer.c - libFuzzer target for the composer version comparator (VERS_COMPOSER):
 * two versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_COMPOSER)
