/* fuzz_composer_installed.c - the Composer parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_php.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    composer_installed_parse("srv/app/vendor/composer/installed.json", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
