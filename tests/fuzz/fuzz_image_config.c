/* fuzz_image_config.c - image_config_parse on arbitrary bytes. */
#include <stdint.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct image_config c;
    struct dd_error err = {0};
    if (image_config_parse(data, size, &c, &err) == 0)
        image_config_cleanup(&c);
    return 0;
}
