/* fuzz_version_pep440.c - libFuzzer target for the pep440 version comparator (VERS_PEP440): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_PEP440)
