/* fuzz_image_ref.c - image_ref_parse on arbitrary bytes; on success format and re-parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct image_ref r;
    struct dd_error err = {0};
    if (image_ref_parse(s, &r, &err) == 0) {
        (void)image_ref_is_loopback(&r);
        (void)image_ref_api_host(&r);
        (void)image_ref_reference(&r);
        char *f = image_ref_format(&r);
        if (f) {
            /* A formatted reference parses back to the same thing, unless normalising made the
             * name longer than the 255-byte limit ("docker.io/library/" + 240 bytes). */
            struct image_ref r2;
            if (image_ref_parse(f, &r2, NULL) == 0) {
                if (strcmp(r2.repository, r.repository) != 0 ||
                    strcmp(r2.registry, r.registry) != 0)
                    abort();
                image_ref_cleanup(&r2);
            } else if (strlen(r.registry) + 1 + strlen(r.repository) <= 255) {
                abort();
            }
            free(f);
        }
        image_ref_cleanup(&r);
    }
    free(s);
    return 0;
}
