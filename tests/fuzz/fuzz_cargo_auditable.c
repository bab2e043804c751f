/* fuzz_cargo_auditable.c - a .dep-v0 payload: inflated as zlib, and read as JSON directly. */
#include <stddef.h>
#include <stdint.h>

#include "lang_rust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    cargo_auditable_parse("usr/bin/app", data, size, &l, &err);
    pkg_list_cleanup(&l);
    struct dd_error err2 = {0};
    pkg_list_init(&l);
    cargo_auditable_json_parse("usr/bin/app", data, size, &l, &err2);
    pkg_list_cleanup(&l);
    return 0;
}
