/* fuzz_notify_rule.c - notify_rule_parse (the notifier's reading of dd:rule:<id>) on arbitrary
 * bytes; every target that parses has its URL redacted, as the daemon logs it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct notify_rule r;
    struct dd_error err = {0};
    if (notify_rule_parse((const char *)data, size, &r, &err) != 0)
        return 0;
    for (size_t i = 0; i < r.n_targets; i++) {
        const struct notify_target *t = &r.targets[i];
        if (!t->valid) {
            if (memchr(t->reason, '\0', sizeof(t->reason)) == NULL)
                abort();
            continue;
        }
        char *safe = NULL;
        if (notify_url_redact(t->url, &safe) == 0) {
            if (strchr(safe, '@') != NULL && strchr(t->url, '@') == NULL)
                abort();
            free(safe);
        }
    }
    notify_rule_cleanup(&r);
    return 0;
}
