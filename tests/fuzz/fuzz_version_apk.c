/* fuzz_version_apk.c - libFuzzer target for the apk version comparator (VERS_APK): two
 * versions separated by a newline; see version_fuzz.h for the properties checked. */
#include "version_fuzz.h"

VERSION_FUZZ_TARGET(VERS_APK)
