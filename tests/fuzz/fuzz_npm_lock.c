/* fuzz_npm_lock.c - package-lock.json / npm-shrinkwrap.json parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_npm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    npm_lock_parse("app/package-lock.json", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
