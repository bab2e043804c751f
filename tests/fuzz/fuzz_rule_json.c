/* fuzz_rule_json.c - scan_rule_parse (API and stored forms) on arbitrary bytes; an accepted
 * rule must survive a round trip through its JSON form and match a few tags without error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int stored = 0; stored < 2; stored++) {
        struct scan_rule *r = NULL;
        struct dd_error err = {0};
        if (scan_rule_parse((const char *)data, size, stored, &r, &err) != 0) {
            if (r != NULL || err.msg[0] == '\0')
                abort();
            continue;
        }
        memcpy(r->id, "0123456789abcdef", RULE_ID_HEX_LEN + 1);
        json_t *j = scan_rule_to_json(r);
        struct scan_rule *back = NULL;
        if (j == NULL || scan_rule_from_json(j, true, &back, &err) != 0)
            abort();
        if (strcmp(back->tag_regex, r->tag_regex) != 0 || back->scope != r->scope ||
            back->on_push != r->on_push)
            abort();
        (void)scan_rule_match_tag(r, "latest");
        (void)scan_rule_match_tag(r, "v1.2.3-rc1");
        (void)scan_rule_in_scope(r, "apps/web");
        scan_rule_free(back);
        json_decref(j);
        scan_rule_free(r);
    }
    return 0;
}
