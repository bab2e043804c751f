/* inventory.h - merge per-layer results into the image's inventory.
 *
 * Layers are applied bottom to top, as a container runtime would: a layer's opaque dirs and
 * whiteouts first remove what lower layers put there, then its files and links replace the
 * same paths. The surviving files' packages form the inventory. A package found in a file
 * that upper layers rewrote (var/lib/dpkg/status) is attributed to the lowest layer from
 * which every later version of that file still lists it: the layer that introduced it.
 */
#ifndef DD_INVENTORY_H
#define DD_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "layer_walk.h"
#include "pkg.h"

struct inventory_problem {
    int layer;  /* -1 when not tied to a layer */
    char *path; /* may be NULL */
    char *reason;
};

struct inventory {
    struct os_info os;
    bool has_os;
    struct pkg_list pkgs; /* sorted; each pkg's layer set */
    struct inventory_problem *problems;
    size_t n_problems;
    size_t cap_problems;
};

void inventory_init(struct inventory *inv);
void inventory_cleanup(struct inventory *inv);
int inventory_add_problem(struct inventory *inv, int layer, const char *path, const char *reason);

/* layers[i] is the result of layer i (bottom = 0); results are only read. */
int inventory_merge(const struct layer_result *layers, size_t n_layers, struct inventory *out,
                    struct dd_error *err);

#endif
