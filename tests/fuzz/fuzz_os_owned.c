/* fuzz_os_owned.c - the OS package managers' file lists (dpkg info/<pkg>.list, distroless
 * status.d/<pkg>.md5sums, apk's F:/R: lines) on arbitrary bytes: the first byte picks the
 * form. Every owned path kept must be one an application analyzer wants, without a leading
 * '/' and without NUL bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = {"var/lib/dpkg/info/python3-x.list",
                                        "var/lib/dpkg/status.d/python3-x.md5sums",
                                        "lib/apk/db/installed"};
    static const struct analyzer *const an[] = {&analyzer_dpkg_files, &analyzer_dpkg_files,
                                                &analyzer_apk};
    if (size < 1)
        return 0;
    unsigned k = data[0] % 3;
    struct file_facts f;
    struct dd_error err = {0};
    file_facts_init(&f);
    an[k]->parse(paths[k], data + 1, size - 1, &f, &err);
    for (size_t i = 0; i < f.n_owned; i++) {
        if (f.owned[i][0] == '/' || f.owned[i][0] == '\0' || !analyzers_app_wants(f.owned[i]))
            abort();
    }
    file_facts_cleanup(&f);
    return 0;
}
