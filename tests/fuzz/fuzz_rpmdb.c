/* fuzz_rpmdb.c - whole rpm database files (sqlite, Berkeley DB hash, NDB) on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    rpmdb_parse("var/lib/rpm/Packages", data, size, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
