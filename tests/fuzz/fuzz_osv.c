/* fuzz_osv.c - libFuzzer target for osv_parse().
 *
 * Besides "no crash, no leak, no sanitizer report", it checks on every accepted record: the
 * ID is non-empty, every affected entry names an ecosystem and a package, every range has at
 * least one event with a value, array counts are within the OSV_MAX_* caps; on rejection the
 * error carries a code and a terminated message. A violation aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "osv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct advisory a;
    struct dd_error err = {0};
    if (osv_parse(data, size, &a, &err) != 0) {
        if (err.code == 0 || memchr(err.msg, '\0', sizeof(err.msg)) == NULL || err.msg[0] == 0)
            abort();
        return 0;
    }
    if (a.id == NULL || a.id[0] == '\0' || a.n_affected > OSV_MAX_AFFECTED ||
        a.n_aliases > OSV_MAX_ALIASES || a.n_upstream > OSV_MAX_ALIASES ||
        a.n_severity > OSV_MAX_SEVERITY || a.n_references > OSV_MAX_REFERENCES)
        abort();
    for (size_t i = 0; i < a.n_affected; i++) {
        const struct osv_affected *f = &a.affected[i];
        if (f->ecosystem == NULL || f->name == NULL || f->ecosystem[0] == '\0' ||
            f->name[0] == '\0' || f->n_ranges > OSV_MAX_RANGES || f->n_versions > OSV_MAX_VERSIONS)
            abort();
        for (size_t r = 0; r < f->n_ranges; r++) {
            if (f->ranges[r].n_events == 0 || f->ranges[r].n_events > OSV_MAX_EVENTS)
                abort();
            for (size_t e = 0; e < f->ranges[r].n_events; e++)
                if (f->ranges[r].events[e].value == NULL ||
                    f->ranges[r].events[e].kind > OSV_EV_LIMIT)
                    abort();
        }
        for (size_t v = 0; v < f->n_versions; v++)
            if (f->versions[v] == NULL)
                abort();
    }
    for (size_t i = 0; i < a.n_severity; i++)
        if (a.severity[i].type == NULL || a.severity[i].score == NULL)
            abort();
    advisory_cleanup(&a);
    return 0;
}
