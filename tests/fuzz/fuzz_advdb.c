/* fuzz_advdb.c - libFuzzer target for the advisory DB reader (advdb_open, advdb_lookup,
 * advdb_foreach, advdb_verify, advdb_get_info) on arbitrary file contents.
 *
 * The DB file is written by drydock itself, but it sits on disk shared by a fleet: a torn
 * copy, a bad disk or a hostile file must give an error, never a crash or a wild read. The
 * input goes into a memfd and is opened through /proc/self/fd. Seeds are small DBs built
 * from tests/fixtures/osv/tree. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "advdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_hit(const struct advisory *adv, size_t idx, void *ctx)
{
    size_t *n = ctx;
    if (adv->id == NULL || idx >= adv->n_affected || adv->affected[idx].ecosystem == NULL ||
        adv->affected[idx].name == NULL)
        abort();
    for (size_t r = 0; r < adv->affected[idx].n_ranges; r++)
        for (size_t e = 0; e < adv->affected[idx].ranges[r].n_events; e++)
            *n += strlen(adv->affected[idx].ranges[r].events[e].value);
    for (size_t i = 0; i < adv->n_aliases; i++)
        *n += adv->aliases[i] ? strlen(adv->aliases[i]) : 0;
    (*n)++;
    return 0;
}

/* foreach hands out whole records; affected_index is 0 and means nothing there */
static int on_record(const struct advisory *adv, size_t idx, void *ctx)
{
    size_t *n = ctx;
    (void)idx;
    if (adv->id == NULL)
        abort();
    for (size_t i = 0; i < adv->n_affected; i++)
        if (adv->affected[i].ecosystem == NULL || adv->affected[i].name == NULL)
            abort();
    (*n)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[][2] = {
        {"npm", "examplelib"},   {"PyPI", "foo-bar-baz"},   {"Ubuntu:22.04:LTS", "openssl"},
        {"AlmaLinux:8", "bash"}, {"Go", "example.com/mod"}, {"Debian:12", "curl"},
    };
    char path[64];
    int fd = memfd_create("fuzz_advdb", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    struct advdb *db = NULL;
    struct dd_error err = {0};
    if (advdb_open(path, &db, &err) == 0) {
        size_t n = 0;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            (void)advdb_lookup(db, keys[i][0], keys[i][1], on_hit, &n, NULL);
        (void)advdb_foreach(db, on_record, &n, NULL);
        (void)advdb_verify(db, NULL);
        struct advdb_info info;
        if (advdb_get_info(db, &info, NULL) == 0)
            advdb_info_cleanup(&info);
        advdb_close(db);
    } else if (err.code == 0) {
        abort();
    }
    close(fd);
    return 0;
}
