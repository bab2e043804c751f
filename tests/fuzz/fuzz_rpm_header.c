/* fuzz_rpm_header.c - one rpm header blob on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg p;
    struct dd_error err = {0};
    if (rpm_header_parse(data, size, &p, &err) == 0)
        pkg_cleanup(&p);
    return 0;
}
