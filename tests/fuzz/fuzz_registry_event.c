/* fuzz_registry_event.c - registry_events_parse (CNCF notification envelopes) on arbitrary
 * bytes; every kept event must carry the invariants the scheduler relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "image_ref.h"
#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct push_events ev;
    struct dd_error err = {0};
    if (registry_events_parse((const char *)data, size, &ev, &err) != 0)
        return 0;
    for (size_t i = 0; i < ev.n; i++) {
        if (!repo_name_valid(ev.v[i].repository) || !digest_is_valid(ev.v[i].digest) ||
            ev.v[i].tag[0] == '\0' || strlen(ev.v[i].tag) > 128)
            abort();
    }
    push_events_cleanup(&ev);
    return 0;
}
