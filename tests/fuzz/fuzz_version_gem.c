/* fuzz_version_gem.c - libFuzzer target for the gem version comparator (VERS_GEM): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_GEM)
