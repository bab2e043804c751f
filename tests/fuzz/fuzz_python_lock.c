/* fuzz_python_lock.c - poetry.lock, Pipfile.lock and requirements parsers on arbitrary bytes;
 * the first byte picks the parser. */
#include <stddef.h>
#include <stdint.h>

#include "lang_python.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    if (size == 0)
        return 0;
    pkg_list_init(&l);
    switch (data[0] % 3) {
    case 0:
        poetry_lock_parse("app/poetry.lock", data + 1, size - 1, &l, &err);
        break;
    case 1:
        pipfile_lock_parse("app/Pipfile.lock", data + 1, size - 1, &l, &err);
        break;
    default:
        requirements_parse("app/requirements.txt", data + 1, size - 1, &l, &err);
        break;
    }
    pkg_list_cleanup(&l);
    return 0;
}
