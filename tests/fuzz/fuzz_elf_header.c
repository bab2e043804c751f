/* fuzz_elf_header.c - the elf-binary analyzer's streaming pass (ELF header, program and
 * section headers, notes, Go scan, tail capture, .dep-v0) on arbitrary bytes. The first byte
 * picks the chunk size and whether the walker's size is exact, unknown or a lie. */
#include <stddef.h>
#include <stdint.h>

#include "blob_source.h"
#include "lang_elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    static const size_t chunks[] = {0, 3, 61, 512, 4096};
    size_t chunk = chunks[mode % 5];
    uint64_t claimed = (mode >> 3) % 3 == 0 ? size : (mode >> 3) % 3 == 1 ? 0 : size * 3 + 1;
    struct mem_source ms;
    struct blob_source src;
    mem_source_init(&ms, &src, data, size, chunk);
    struct pkg_list l;
    struct dd_error err = {0};
    pkg_list_init(&l);
    lang_elf_parse_stream("usr/bin/app", claimed, &src, &l, &err);
    pkg_list_cleanup(&l);
    return 0;
}
