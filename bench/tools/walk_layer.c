/* walk_layer.c - walk a layer blob from a local file with the engine's decoder and tar walker
 * (no registry, no event loop): isolates the CPU cost of inflate + tar + analyzers from the
 * fetch. Usage: walk_layer FILE [sha256:DIGEST]. Prints entries, bytes and files found. */
#include <stdio.h>
#include <stdlib.h>

#include "layer_walk.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: walk_layer FILE [sha256:DIGEST]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    struct file_source fs;
    struct blob_source src;
    if (file_source_init(&fs, &src, f, 1u << 20) != 0)
        return 1;
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    o.expected_digest = argc > 2 ? argv[2] : NULL;
    struct layer_result r;
    struct dd_error e = {0};
    int rc = layer_walk(&src, &o, &r, &e);
    file_source_cleanup(&fs);
    fclose(f);
    if (rc) {
        fprintf(stderr, "walk_layer: %s\n", e.msg);
        return 1;
    }
    size_t pkgs = 0;
    for (size_t i = 0; i < r.n_files; i++)
        pkgs += r.files[i].facts.pkgs.n;
    printf("entries=%llu in=%llu out=%llu files=%zu packages=%zu problems=%zu\n",
           (unsigned long long)r.entries, (unsigned long long)r.bytes_in,
           (unsigned long long)r.bytes_out, r.n_files, pkgs, r.n_errors);
    layer_result_cleanup(&r);
    return 0;
}
