/* analyzers.c - the table of analyzers the layer walker consults.
 *
 * Order matters only for paths two analyzers could both want: the first one wins. */
#include "analyzer.h"

#include <stdlib.h>
#include <string.h>

/* One analyzer per line keeps the order readable and diffs small. */
/* clang-format off */
const struct analyzer *const analyzers_all[] = {
    &analyzer_os_release,
    &analyzer_dpkg,
    &analyzer_apk,
    &analyzer_rpm,
    &analyzer_dpkg_files,
    &analyzer_node_pkg,
    &analyzer_node_lock,
    &analyzer_python_pkg,
    &analyzer_python_lock,
    &analyzer_gemspec,
    &analyzer_gemfile_lock,
    &analyzer_composer_lock,
    &analyzer_composer_installed,
    &analyzer_dotnet_deps,
    &analyzer_nuget_lock,
    &analyzer_jar,
    &analyzer_cargo_lock,
    &analyzer_elf_binary,
    NULL,
};
/* clang-format on */

size_t analyzers_count(void)
{
    return sizeof(analyzers_all) / sizeof(analyzers_all[0]) - 1;
}

int analyzers_match_in(const struct analyzer *const *tab, const char *path)
{
    for (int i = 0; tab[i]; i++) {
        if (tab[i]->want(path))
            return i;
    }
    return -1;
}

int analyzers_match_entry_in(const struct analyzer *const *tab, const char *path, unsigned mode,
                             uint64_t size)
{
    for (int i = 0; tab[i]; i++) {
        if (tab[i]->want_entry && tab[i]->want_entry(path, mode, size))
            return i;
    }
    return -1;
}

int analyzers_match(const char *path)
{
    return analyzers_match_in(analyzers_all, path);
}

bool analyzers_app_wants(const char *path)
{
    for (int i = 0; analyzers_all[i]; i++) {
        const struct analyzer *a = analyzers_all[i];
        if (a == &analyzer_os_release || a == &analyzer_dpkg || a == &analyzer_apk ||
            a == &analyzer_rpm || a == &analyzer_dpkg_files)
            continue;
        if (a->want(path))
            return true;
    }
    return false;
}

bool analyzers_is_lockfile(int index)
{
    if (index < 0 || (size_t)index >= analyzers_count())
        return false;
    const struct analyzer *a = analyzers_all[index];
    return a == &analyzer_node_lock || a == &analyzer_python_lock || a == &analyzer_gemfile_lock ||
           a == &analyzer_composer_lock || a == &analyzer_nuget_lock || a == &analyzer_cargo_lock;
}

int file_facts_add_owned(struct file_facts *f, const char *path, size_t len)
{
    while (len > 0 && *path == '/') {
        path++;
        len--;
    }
    if (len == 0 || f->n_owned >= FACTS_MAX_OWNED)
        return 0;
    if (f->n_owned == f->cap_owned) {
        size_t nc = f->cap_owned ? f->cap_owned * 2 : 16;
        char **nv = realloc(f->owned, nc * sizeof(*nv));
        if (nv == NULL)
            return DD_ENOMEM;
        f->owned = nv;
        f->cap_owned = nc;
    }
    char *s = dd_strndup(path, len);
    if (s == NULL)
        return DD_ENOMEM;
    f->owned[f->n_owned++] = s;
    return 0;
}

void file_facts_init(struct file_facts *f)
{
    memset(f, 0, sizeof(*f));
    pkg_list_init(&f->pkgs);
}

void file_facts_cleanup(struct file_facts *f)
{
    if (f == NULL)
        return;
    pkg_list_cleanup(&f->pkgs);
    os_info_cleanup(&f->os);
    f->has_os = false;
    for (size_t i = 0; i < f->n_owned; i++)
        free(f->owned[i]);
    free(f->owned);
    f->owned = NULL;
    f->n_owned = f->cap_owned = 0;
}
