/* fuzz_go_buildinfo.c - Go build info: the blob parser on arbitrary bytes, then the streaming
 * magic scan over the same bytes in chunks whose size the first byte picks. */
#include <stddef.h>
#include <stdint.h>

#include "lang_gobin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    go_buildinfo_parse("usr/bin/app", data, size, &l, &err);
    pkg_list_cleanup(&l);

    if (size == 0)
        return 0;
    size_t chunk = (size_t)data[0] % 33 + 1;
    struct go_scan s;
    go_scan_init(&s);
    for (size_t off = 0; off < size; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        if (go_scan_feed(&s, data + off, n) != 0)
            break;
    }
    pkg_list_init(&l);
    struct dd_error err2 = {0};
    go_scan_finish(&s, "usr/bin/app", &l, &err2);
    pkg_list_cleanup(&l);
    go_scan_cleanup(&s);
    return 0;
}
