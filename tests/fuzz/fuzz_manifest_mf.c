/* fuzz_manifest_mf.c - the MANIFEST.MF main-section reader, and the file-name parser on the
 * same bytes (NUL-terminated copy). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang_java.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct java_manifest m = {0};
    struct java_props p = {0};
    struct dd_error err = {0};
    java_manifest_parse((const char *)data, size, &m, &err);
    java_manifest_cleanup(&m);
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    java_file_name_parse(s, &p);
    java_props_cleanup(&p);
    (void)java_archive_want(s);
    free(s);
    return 0;
}
