/* fuzz_cargo_lock.c - the Cargo.lock reader on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_rust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    cargo_lock_parse("app/Cargo.lock", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
