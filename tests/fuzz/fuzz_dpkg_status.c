/* fuzz_dpkg_status.c - dpkg status / status.d parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "dpkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    dpkg_status_parse("var/lib/dpkg/status", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
