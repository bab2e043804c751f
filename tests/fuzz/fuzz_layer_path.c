/* fuzz_layer_path.c - tar entry names and link targets: normalisation (hostile names),
 * whiteout name splitting and link resolution. Input: "name\0target". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layer_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* True when some '/'-separated component of p is exactly "..". */
static int has_dotdot(const char *p)
{
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        p += n;
        if (*p == '/')
            p++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    buf[size + 1] = '\0';
    const char *name = buf;
    const char *target = buf + strlen(buf) + 1;
    char *norm = NULL;
    if (layer_path_normalise(name, &norm) == 0) {
        /* a normalised name is stable and never escapes the root */
        char *again = NULL;
        if (layer_path_normalise(norm, &again) != 0 || strcmp(again, norm) != 0)
            abort();
        if (norm[0] == '/' || has_dotdot(norm))
            abort();
        free(again);
        char *res = NULL;
        if (layer_link_resolve(norm, target, &res) == 0) {
            if (res[0] == '/' || has_dotdot(res))
                abort();
            free(res);
        }
        free(norm);
    }
    free(buf);
    return 0;
}
