/* fuzz_cron.c - cron_parse on arbitrary bytes (NUL-terminated copy); an accepted expression
 * is matched against a spread of times. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct cron_expr c;
    struct dd_error err = {0};
    if (cron_parse(s, &c, &err) == 0) {
        if (c.minutes >> 60 || c.hours >> 24 || (c.mdays & 1) || c.months >> 13 || (c.months & 1) ||
            c.wdays >> 7)
            abort(); /* bits outside the field ranges */
        for (time_t t = 1700000000; t < 1700000000 + 86400 * 8; t += 3607) {
            struct tm tm;
            gmtime_r(&t, &tm);
            (void)cron_match(&c, &tm);
        }
    } else if (err.msg[0] == '\0') {
        abort();
    }
    free(s);
    return 0;
}
