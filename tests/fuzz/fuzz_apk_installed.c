/* fuzz_apk_installed.c - apk installed-database parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "apk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    apk_installed_parse("lib/apk/db/installed", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
