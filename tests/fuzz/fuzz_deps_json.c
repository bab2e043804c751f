/* fuzz_deps_json.c - the .NET parsers (.deps.json and packages.lock.json) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lang_dotnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    dotnet_deps_parse("app/WebApp.deps.json", data, size, &l, &err);
    dd_error_clear(&err);
    nuget_lock_parse("src/packages.lock.json", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
