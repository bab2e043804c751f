/* fuzz_auth_challenge.c - auth_challenge_parse on arbitrary bytes (NUL-terminated copy). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct auth_challenge c;
    struct dd_error err = {0};
    if (auth_challenge_parse(s, &c, &err) == 0)
        auth_challenge_cleanup(&c);
    /* base64 decode shares the input: round-trip what decodes */
    uint8_t *dec = NULL;
    size_t dlen = 0;
    if (base64_decode(s, &dec, &dlen) == 0) {
        char *enc = base64_encode(dec, dlen);
        uint8_t *dec2 = NULL;
        size_t dlen2 = 0;
        if (enc == NULL || base64_decode(enc, &dec2, &dlen2) != 0 || dlen2 != dlen ||
            memcmp(dec, dec2, dlen) != 0)
            abort();
        free(dec2);
        free(enc);
        free(dec);
    }
    free(s);
    return 0;
}
