/* fuzz_jar.c - the streaming Java archive reader (nested jars included) on arbitrary bytes.
 *
 * The first byte picks the chunk size the bytes are handed out in, so chunk boundaries
 * (launch-script scan, straddled signatures, libarchive read-ahead) are fuzzed too. Caps are
 * lowered so that a small input cannot keep one run busy inflating for long. */
#include <stddef.h>
#include <stdint.h>

#include "lang_java.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct java_limits lim;
    struct mem_source ms;
    struct blob_source src;
    struct file_facts f;
    struct dd_error err = {0};
    size_t chunk = size ? (size_t)data[0] * 17 : 0;
    java_limits_default(&lim);
    lim.max_total_bytes = 64u << 20;
    lim.ratio_floor_bytes = 4u << 20;
    mem_source_init(&ms, &src, data, size, chunk);
    file_facts_init(&f);
    java_archive_parse("fuzz/app-1.0.jar", &src, &lim, &f, &err);
    file_facts_cleanup(&f);
    return 0;
}
