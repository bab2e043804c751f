/* fuzz_docker_config.c - docker_config_lookup and auth_token_parse on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "regauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const hosts[] = {"docker.io", "ghcr.io", "localhost:5000"};
    for (size_t i = 0; i < 3; i++) {
        char *u = NULL, *p = NULL;
        if (docker_config_lookup(data, size, hosts[i], &u, &p, NULL) == 0) {
            free(u);
            free(p);
        }
    }
    char *tok = NULL;
    int exp = 0;
    if (auth_token_parse(data, size, &tok, &exp, NULL) == 0)
        free(tok);
    return 0;
}
