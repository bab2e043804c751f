/* fuzz_os_release.c - os-release and the legacy release-file parsers on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "os_release.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct os_info os = {0};
    struct dd_error err = {0};
    os_release_parse(data, size, &os, &err);
    os_info_cleanup(&os);
    dd_error_clear(&err);
    os_release_parse_alpine(data, size, &os, &err);
    os_info_cleanup(&os);
    dd_error_clear(&err);
    os_release_parse_debian_version(data, size, &os, &err);
    os_info_cleanup(&os);
    dd_error_clear(&err);
    os_release_parse_redhat(data, size, NULL, &os, &err);
    os_info_cleanup(&os);
    return 0;
}
