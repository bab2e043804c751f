/* fuzz_rpm_header.c - one rpm header blob on arbitrary bytes: the package fields and the file
 * list (every path handed out must be NUL-terminated at the length given, without a leading
 * '/'). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_file(const char *path, size_t len, void *ctx)
{
    (void)ctx;
    if (strlen(path) != len || len == 0 || path[0] == '/')
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg p;
    struct dd_error err = {0};
    if (rpm_header_parse(data, size, &p, &err) == 0)
        pkg_cleanup(&p);
    (void)rpm_header_files(data, size, check_file, NULL, &err);
    return 0;
}
