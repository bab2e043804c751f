/* fuzz_version_go.c - libFuzzer target for the go version comparator (VERS_GO): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_GO)
