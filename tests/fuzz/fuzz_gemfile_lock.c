/* fuzz_gemfile_lock.c - gemfile_lock_parse() on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_ruby.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    gemfile_lock_parse("app/Gemfile.lock", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
