/* fuzz_manifest.c - manifest_parse under each Content-Type, then platform selection. */
#include <stdint.h>
#include <stdlib.h>

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {NULL, MT_OCI_INDEX, MT_DOCKER_MANIFEST,
                                        "application/json; charset=utf-8"};
    struct platform want = {(char *)"linux", (char *)"arm64", NULL};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct manifest m;
        struct dd_error err = {0};
        if (manifest_parse(types[i], data, size, &m, &err) != 0)
            continue;
        if (m.kind == MANIFEST_INDEX) {
            const struct descriptor *d;
            (void)manifest_select_platform(&m, &want, &d, NULL);
        }
        manifest_cleanup(&m);
    }
    return 0;
}
