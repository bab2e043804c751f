/* inventory.c - apply layers in order and collect the surviving facts.
 *
 * The merged view is a hash table of analysed paths. Each slot holds the uninterrupted
 * history of that path: the versions of the file from successive layers since it was last
 * created (a whiteout or opaque dir clears it). History is what lets a package keep the layer
 * that introduced it when a later layer rewrites the database file around it.
 *
 * Links: a symlink or hard link at a wanted path replaces the file there. Links never
 * contribute packages (the target does, under its own path); they only steer which file
 * identifies the OS (etc/os-release -> ../usr/lib/os-release). Resolution follows at most
 * 40 links and reports a loop.
 */
#include "inventory.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINK_HOPS 40

struct hist_entry {
    int layer;
    const struct layer_file *file;
};

struct slot {
    const char *path; /* borrowed from a layer result; NULL = empty slot */
    bool live;
    struct hist_entry *hist;
    size_t n_hist, cap_hist;
    const struct layer_link *link; /* set when the path is a link */
};

struct view {
    struct slot *slots;
    size_t cap; /* power of two */
    size_t used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ull;
    }
    return h;
}

static int view_grow(struct view *v);

static struct slot *view_get(struct view *v, const char *path, bool create)
{
    if (v->cap == 0 || (create && (v->used + 1) * 2 > v->cap)) {
        if (!create && v->cap == 0)
            return NULL;
        if (view_grow(v))
            return NULL;
    }
    size_t mask = v->cap - 1;
    for (size_t i = hash_str(path) & mask;; i = (i + 1) & mask) {
        struct slot *s = &v->slots[i];
        if (s->path == NULL) {
            if (!create)
                return NULL;
            s->path = path;
            v->used++;
            return s;
        }
        if (strcmp(s->path, path) == 0)
            return s;
    }
}

static int view_grow(struct view *v)
{
    size_t ncap = v->cap ? v->cap * 2 : 64;
    struct slot *old = v->slots;
    size_t ocap = v->cap;
    v->slots = calloc(ncap, sizeof(*v->slots));
    if (v->slots == NULL) {
        v->slots = old;
        return DD_ENOMEM;
    }
    v->cap = ncap;
    v->used = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].path == NULL)
            continue;
        size_t mask = ncap - 1;
        size_t j = hash_str(old[i].path) & mask;
        while (v->slots[j].path)
            j = (j + 1) & mask;
        v->slots[j] = old[i];
        v->used++;
    }
    free(old);
    return 0;
}

static void view_cleanup(struct view *v)
{
    for (size_t i = 0; i < v->cap; i++)
        free(v->slots[i].hist);
    free(v->slots);
    memset(v, 0, sizeof(*v));
}

static void slot_kill(struct slot *s)
{
    s->live = false;
    s->n_hist = 0;
    s->link = NULL;
}

/* Remove path and everything below it; prefix "" removes everything. */
static void view_delete_tree(struct view *v, const char *prefix, bool keep_self)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < v->cap; i++) {
        struct slot *s = &v->slots[i];
        if (s->path == NULL || !s->live)
            continue;
        if (plen == 0) {
            slot_kill(s);
            continue;
        }
        if (strncmp(s->path, prefix, plen) != 0)
            continue;
        if ((s->path[plen] == '\0' && !keep_self) || s->path[plen] == '/')
            slot_kill(s);
    }
}

void inventory_init(struct inventory *inv)
{
    memset(inv, 0, sizeof(*inv));
    pkg_list_init(&inv->pkgs);
}

void inventory_cleanup(struct inventory *inv)
{
    if (inv == NULL)
        return;
    os_info_cleanup(&inv->os);
    pkg_list_cleanup(&inv->pkgs);
    for (size_t i = 0; i < inv->n_problems; i++) {
        free(inv->problems[i].path);
        free(inv->problems[i].reason);
    }
    free(inv->problems);
    memset(inv, 0, sizeof(*inv));
}

int inventory_add_problem(struct inventory *inv, int layer, const char *path, const char *reason)
{
    if (inv->n_problems == inv->cap_problems) {
        size_t ncap = inv->cap_problems ? inv->cap_problems * 2 : 8;
        void *p = realloc(inv->problems, ncap * sizeof(*inv->problems));
        if (p == NULL)
            return DD_ENOMEM;
        inv->problems = p;
        inv->cap_problems = ncap;
    }
    struct inventory_problem *pr = &inv->problems[inv->n_problems];
    pr->layer = layer;
    pr->path = dd_strdup(path);
    pr->reason = dd_strdup(reason);
    if ((path && pr->path == NULL) || pr->reason == NULL) {
        free(pr->path);
        free(pr->reason);
        return DD_ENOMEM;
    }
    inv->n_problems++;
    return 0;
}

static bool str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static bool same_pkg(const struct pkg *a, const struct pkg *b)
{
    return a->type == b->type && a->epoch == b->epoch && str_eq(a->name, b->name) &&
           str_eq(a->version, b->version) && str_eq(a->release, b->release) &&
           str_eq(a->arch, b->arch);
}

static bool facts_have(const struct file_facts *f, const struct pkg *p)
{
    for (size_t i = 0; i < f->pkgs.n; i++) {
        if (same_pkg(&f->pkgs.v[i], p))
            return true;
    }
    return false;
}

static int hist_push(struct slot *s, int layer, const struct layer_file *f)
{
    if (s->n_hist == s->cap_hist) {
        size_t ncap = s->cap_hist ? s->cap_hist * 2 : 2;
        void *p = realloc(s->hist, ncap * sizeof(*s->hist));
        if (p == NULL)
            return DD_ENOMEM;
        s->hist = p;
        s->cap_hist = ncap;
    }
    s->hist[s->n_hist].layer = layer;
    s->hist[s->n_hist].file = f;
    s->n_hist++;
    return 0;
}

/* Follow links from path to an analysed file in the merged view. */
static const struct slot *resolve(struct view *v, const char *path, struct inventory *inv)
{
    const char *cur = path;
    for (int hops = 0; hops <= MAX_LINK_HOPS; hops++) {
        struct slot *s = view_get(v, cur, false);
        if (s == NULL || !s->live)
            return NULL;
        if (s->link == NULL)
            return s->n_hist ? s : NULL;
        cur = s->link->target;
    }
    char reason[128];
    snprintf(reason, sizeof(reason), "more than %d levels of links (a loop?)", MAX_LINK_HOPS);
    inventory_add_problem(inv, -1, path, reason);
    return NULL;
}

static const char *const os_files[] = {
    "etc/os-release",     "usr/lib/os-release",    "etc/alpine-release",
    "etc/debian_version", "etc/redhat-release",    "etc/centos-release",
    "etc/rocky-release",  "etc/almalinux-release", "etc/fedora-release",
};

static int merge_os(struct view *v, struct inventory *inv)
{
    for (size_t i = 0; i < sizeof(os_files) / sizeof(os_files[0]); i++) {
        const struct slot *s = resolve(v, os_files[i], inv);
        if (s == NULL)
            continue;
        const struct file_facts *f = &s->hist[s->n_hist - 1].file->facts;
        if (!f->has_os || f->os.family == NULL)
            continue;
        if (!inv->has_os) {
            if (os_info_copy(&inv->os, &f->os))
                return DD_ENOMEM;
            inv->has_os = true;
            continue;
        }
        /* Fill gaps (Debian testing has no VERSION_ID) from lesser files of the same OS. */
        if (strcmp(inv->os.family, f->os.family) != 0)
            continue;
        if (inv->os.version == NULL && f->os.version) {
            inv->os.version = dd_strdup(f->os.version);
            if (inv->os.version == NULL)
                return DD_ENOMEM;
        }
        if (inv->os.codename == NULL && f->os.codename) {
            inv->os.codename = dd_strdup(f->os.codename);
            if (inv->os.codename == NULL)
                return DD_ENOMEM;
        }
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Where a package of the merged view came from, for the filters below. */
struct pkg_origin {
    bool lockfile; /* read from a lockfile (its analyzer says so), not installed metadata */
};

static int cmp_pkg_key(const void *a, const void *b)
{
    const struct pkg *x = *(const struct pkg *const *)a, *y = *(const struct pkg *const *)b;
    int r;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    if ((r = strcmp(x->name, y->name)) != 0)
        return r;
    return strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

/* Two filters, one pass:
 * - Application packages read from a file an OS package installed belong to that package
 *   (Debian's python3-requests egg-info, its snakeyaml jar): dropped. The owners are the
 *   surviving file lists (a removed package's list is gone with it).
 * - A lockfile entry that is also installed in the image (same type, name and version from
 *   installed metadata: node_modules/<name>/package.json, a dist-info, a gemspec, ...) is the
 *   same package: only the installed one is kept, so one package is one finding, not two.
 *   Lockfile entries nothing installed confirms stay (an image may ship only the lockfile). */
static int filter_pkgs(const struct view *v, struct inventory *inv, const struct pkg_origin *org)
{
    size_t n = 0, k = 0, n_inst = 0;
    int rc = DD_ENOMEM;
    const char **owned = NULL;
    const struct pkg **inst = NULL;
    bool *drop = calloc(inv->pkgs.n + 1, sizeof(*drop));
    if (drop == NULL)
        goto out;
    for (size_t i = 0; i < v->cap; i++) {
        const struct slot *s = &v->slots[i];
        if (s->path && s->live && !s->link && s->n_hist)
            n += s->hist[s->n_hist - 1].file->facts.n_owned;
    }
    if (n && (owned = malloc(n * sizeof(*owned))) == NULL)
        goto out;
    for (size_t i = 0; n && i < v->cap; i++) {
        const struct slot *s = &v->slots[i];
        if (!(s->path && s->live && !s->link && s->n_hist))
            continue;
        const struct file_facts *f = &s->hist[s->n_hist - 1].file->facts;
        for (size_t j = 0; j < f->n_owned; j++)
            owned[k++] = f->owned[j];
    }
    if (n)
        qsort(owned, n, sizeof(*owned), cmp_str);
    for (size_t i = 0; n && i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        /* a jar inside a jar ("x.jar!/BOOT-INF/lib/y.jar") belongs to the outer file's owner */
        char outer[4096];
        const char *fp = p->file_path, *bang = fp ? strstr(fp, "!/") : NULL;
        if (bang && (size_t)(bang - fp) < sizeof(outer)) {
            memcpy(outer, fp, (size_t)(bang - fp));
            outer[bang - fp] = '\0';
            fp = outer;
        }
        drop[i] = !pkg_type_is_os(p->type) && fp &&
                  bsearch(&fp, owned, n, sizeof(*owned), cmp_str) != NULL;
    }
    if ((inst = malloc((inv->pkgs.n + 1) * sizeof(*inst))) == NULL)
        goto out;
    for (size_t i = 0; i < inv->pkgs.n; i++)
        if (!drop[i] && !org[i].lockfile && !pkg_type_is_os(inv->pkgs.v[i].type) &&
            inv->pkgs.v[i].name)
            inst[n_inst++] = &inv->pkgs.v[i];
    if (n_inst)
        qsort(inst, n_inst, sizeof(*inst), cmp_pkg_key);
    for (size_t i = 0; n_inst && i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        if (!drop[i] && org[i].lockfile && p->name &&
            bsearch(&p, inst, n_inst, sizeof(*inst), cmp_pkg_key) != NULL)
            drop[i] = true;
    }
    size_t w = 0;
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        if (drop[i]) {
            pkg_cleanup(&inv->pkgs.v[i]);
            continue;
        }
        if (w != i)
            inv->pkgs.v[w] = inv->pkgs.v[i];
        w++;
    }
    inv->pkgs.n = w;
    rc = 0;
out:
    free(drop);
    free(owned);
    free(inst);
    return rc;
}

int inventory_merge(const struct layer_result *layers, size_t n_layers, struct inventory *out,
                    struct dd_error *err)
{
    struct view v = {0};
    struct inventory inv;
    struct pkg_origin *org = NULL; /* per package of inv.pkgs, until filtered */
    size_t cap_org = 0;
    int rc = 0;
    inventory_init(&inv);

    for (size_t li = 0; li < n_layers; li++) {
        const struct layer_result *r = &layers[li];
        for (size_t i = 0; i < r->n_opaques; i++)
            view_delete_tree(&v, r->opaques[i], true);
        for (size_t i = 0; i < r->n_whiteouts; i++)
            view_delete_tree(&v, r->whiteouts[i], false);
        for (size_t i = 0; i < r->n_files; i++) {
            struct slot *s = view_get(&v, r->files[i].path, true);
            if (s == NULL)
                goto nomem;
            if (!s->live || s->link) {
                s->n_hist = 0;
                s->link = NULL;
            }
            s->live = true;
            if (hist_push(s, (int)li, &r->files[i]))
                goto nomem;
        }
        for (size_t i = 0; i < r->n_links; i++) {
            struct slot *s = view_get(&v, r->links[i].path, true);
            if (s == NULL)
                goto nomem;
            s->n_hist = 0;
            s->live = true;
            s->link = &r->links[i];
        }
        for (size_t i = 0; i < r->n_errors; i++) {
            if (inventory_add_problem(&inv, (int)li, r->errors[i].path, r->errors[i].reason))
                goto nomem;
        }
        if (r->tar_error && inventory_add_problem(&inv, (int)li, NULL, r->tar_error))
            goto nomem;
        for (size_t i = 0; i < r->n_pending; i++) {
            char reason[512];
            snprintf(reason, sizeof(reason),
                     "hard link to %.400s, which was not read (no second pass over the layer)",
                     r->pending[i].target);
            if (inventory_add_problem(&inv, (int)li, r->pending[i].path, reason))
                goto nomem;
        }
    }

    for (size_t i = 0; i < v.cap; i++) {
        struct slot *s = &v.slots[i];
        if (s->path == NULL || !s->live || s->link || s->n_hist == 0)
            continue;
        const struct layer_file *top = s->hist[s->n_hist - 1].file;
        bool lockfile = analyzers_is_lockfile(top->analyzer);
        for (size_t k = 0; k < top->facts.pkgs.n; k++) {
            const struct pkg *p = &top->facts.pkgs.v[k];
            if (inv.pkgs.n >= cap_org) {
                size_t nc = cap_org ? cap_org * 2 : 64;
                struct pkg_origin *no = realloc(org, nc * sizeof(*no));
                if (no == NULL)
                    goto nomem;
                org = no;
                cap_org = nc;
            }
            org[inv.pkgs.n].lockfile = lockfile;
            size_t first = s->n_hist - 1;
            while (first > 0 && facts_have(&s->hist[first - 1].file->facts, p))
                first--;
            struct pkg *np;
            if (pkg_list_add(&inv.pkgs, &np) || pkg_copy(np, p)) {
                if (inv.pkgs.n && inv.pkgs.v[inv.pkgs.n - 1].name == NULL)
                    inv.pkgs.n--;
                goto nomem;
            }
            np->layer = s->hist[first].layer;
            if (np->file_path == NULL && (np->file_path = dd_strdup(s->path)) == NULL)
                goto nomem;
        }
    }
    if (merge_os(&v, &inv))
        goto nomem;
    if (filter_pkgs(&v, &inv, org))
        goto nomem;
    pkg_list_sort(&inv.pkgs);
    *out = inv;
    inventory_init(&inv);
    goto out;
nomem:
    rc = dd_error_set(err, DD_ENOMEM, "out of memory merging layers");
out:
    free(org);
    view_cleanup(&v);
    inventory_cleanup(&inv);
    return rc;
}
