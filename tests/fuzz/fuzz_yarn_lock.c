/* fuzz_yarn_lock.c - yarn.lock (classic and berry) parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_npm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    yarn_lock_parse("app/yarn.lock", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
