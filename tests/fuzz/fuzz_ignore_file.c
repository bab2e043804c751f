/* fuzz_ignore_file.c - libFuzzer target for the .drydockignore parser (findings.c). */
#include <stddef.h>
#include <stdint.h>

#include "findings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ignore_list l;
    struct dd_error err = {0};
    ignore_list_init(&l);
    if (ignore_list_parse((const char *)data, size, &l, &err) == 0) {
        struct finding f = {0};
        char *aliases[1];
        f.id = l.n ? l.v[0].id : "CVE-0";
        aliases[0] = l.n ? l.v[l.n - 1].id : "X";
        f.aliases = aliases;
        f.n_aliases = 1;
        f.pkg_name = "openssl";
        (void)ignore_list_match(&l, &f, "openssl", 1700000000);
        ignore_list_cleanup(&l);
    }
    return 0;
}
