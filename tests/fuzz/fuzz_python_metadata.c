/* fuzz_python_metadata.c - METADATA / PKG-INFO parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    python_metadata_parse("usr/lib/python3/dist-packages/x.egg-info", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
