/* cron.h - 5-field cron expressions: "minute hour day-of-month month day-of-week".
 *
 * Each field is '*', a number, a range "a-b", any of those with a step "/n", or a
 * comma-separated list of them. Months and days of week also accept three-letter English
 * names (jan..dec, sun..sat); day of week 7 is Sunday like 0. As in Vixie cron, when both
 * day-of-month and day-of-week are restricted (neither starts with '*') a day matches when
 * EITHER matches; otherwise both must.
 */
#ifndef DD_SCHED_CRON_H
#define DD_SCHED_CRON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define CRON_EXPR_MAX_BYTES 256

struct cron_expr {
    uint64_t minutes; /* bit m set: minute m (0-59) */
    uint32_t hours;   /* bits 0-23 */
    uint32_t mdays;   /* bits 1-31 */
    uint16_t months;  /* bits 1-12 */
    uint8_t wdays;    /* bits 0-6, Sunday = 0 */
    bool mday_star;   /* day-of-month field started with '*' */
    bool wday_star;   /* day-of-week field started with '*' */
};

/* Parse s; on failure fills err with the field and the offending text. */
int cron_parse(const char *s, struct cron_expr *out, struct dd_error *err);
/* True when the broken-down time (tm_min, tm_hour, tm_mday, tm_mon, tm_wday) matches. */
bool cron_match(const struct cron_expr *c, const struct tm *tm);

#endif
