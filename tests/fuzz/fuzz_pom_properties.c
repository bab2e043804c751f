/* fuzz_pom_properties.c - the java.util.Properties reader behind pom.properties. */
#include <stddef.h>
#include <stdint.h>

#include "lang_java.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct java_props p = {0};
    struct dd_error err = {0};
    java_pom_properties_parse((const char *)data, size, &p, &err);
    java_props_cleanup(&p);
    return 0;
}
