/* fuzz_layer_walk.c - arbitrary bytes as a layer blob: decoder (gzip/zstd/none by magic),
 * tar reader, whiteout and link handling, and every analyzer on what it finds; then the
 * merge of that layer on top of itself. Nothing may crash, leak or loop. */
#include <stddef.h>
#include <stdint.h>

#include "inventory.h"
#include "layer_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    struct layer_result r[2];
    struct dd_error e = {0};
    layer_walk_opts_default(&o);
    o.limits.max_bytes = 64u << 20;
    o.limits.max_entries = 100000;
    mem_source_init(&ms, &src, data, size, 4096);
    if (layer_walk(&src, &o, &r[0], &e) != 0)
        return 0;
    r[1] = r[0];
    struct inventory inv;
    if (inventory_merge(r, 2, &inv, &e) == 0)
        inventory_cleanup(&inv);
    layer_result_cleanup(&r[0]);
    return 0;
}
