/* fuzz_version_nuget.c - libFuzzer target for the nuget version comparator (VERS_NUGET): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_NUGET)
