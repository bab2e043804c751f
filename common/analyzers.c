/* analyzers.c - the table of analyzers the layer walker consults.
 *
 * Order matters only for paths two analyzers could both want: the first one wins. */
#include "analyzer.h"

#include <string.h>

/* One analyzer per line keeps the order readable and diffs small. */
/* clang-format off */
const struct analyzer *const analyzers_all[] = {
    &analyzer_os_release,
    &analyzer_dpkg,
    &analyzer_apk,
    &analyzer_rpm,
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
}
