/* cron.c - parser and matcher for 5-field cron expressions (see cron.h).
 *
 * Design: each field becomes a bit set, so matching a minute is five bit tests. The parser
 * works on a bounded copy of the input and never allocates. It is strict: unknown characters,
 * empty list items, values out of range, reversed ranges, step 0 and extra fields are errors
 * with a message naming the field, because a silently misread schedule scans at the wrong time.
 *
 * It deliberately does not support the non-standard extensions (@daily, L, W, #, seconds).
 */
#include "cron.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct field_def {
    const char *name;
    int lo, hi;
    const char *const *names; /* names[i] is value lo + i (when set) */
};

static const char *const MONTH_NAMES[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const WDAY_NAMES[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct field_def FIELDS[5] = {
    {"minute", 0, 59, NULL},           {"hour", 0, 23, NULL},
    {"day-of-month", 1, 31, NULL},     {"month", 1, 12, MONTH_NAMES},
    {"day-of-week", 0, 7, WDAY_NAMES},
};

/* Parse a value at *p: digits (at most 2) or a three-letter name. */
static int parse_value(const char **p, const struct field_def *f, int *out)
{
    const char *s = *p;
    if (isdigit((unsigned char)*s)) {
        int v = 0, n = 0;
        while (isdigit((unsigned char)*s) && n < 3) {
            v = v * 10 + (*s - '0');
            s++;
            n++;
        }
        if (isdigit((unsigned char)*s))
            return -1;
        *out = v;
        *p = s;
        return 0;
    }
    if (f->names && isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
        isalpha((unsigned char)s[2]) && !isalpha((unsigned char)s[3])) {
        for (int i = 0; f->names[i]; i++) {
            if (strncasecmp(s, f->names[i], 3) == 0) {
                *out = f->lo + i;
                *p = s + 3;
                return 0;
            }
        }
    }
    return -1;
}

/* Parse one field text [s, e) into bits (bit v for each value v in lo..hi). */
static int parse_field(const char *s, size_t len, const struct field_def *f, uint64_t *bits,
                       struct dd_error *err)
{
    char text[CRON_EXPR_MAX_BYTES];
    memcpy(text, s, len);
    text[len] = '\0';
    uint64_t acc = 0;
    const char *p = text;
    for (;;) {
        int a, b, step = 1;
        if (*p == '*') {
            a = f->lo;
            b = f->hi;
            p++;
        } else {
            if (parse_value(&p, f, &a) != 0)
                goto bad;
            b = a;
            if (*p == '-') {
                p++;
                if (parse_value(&p, f, &b) != 0)
                    goto bad;
            } else if (*p == '/') {
                b = f->hi; /* "a/n": from a to the end of the range */
            }
        }
        if (*p == '/') {
            p++;
            if (!isdigit((unsigned char)*p))
                goto bad;
            step = 0;
            int n = 0;
            while (isdigit((unsigned char)*p) && n < 3) {
                step = step * 10 + (*p - '0');
                p++;
                n++;
            }
            if (step == 0 || isdigit((unsigned char)*p))
                goto bad;
        }
        if (a < f->lo || a < 0 || b > f->hi || a > b)
            return dd_error_set(err, DD_EINVAL, "cron %s field '%s': value out of range %d-%d",
                                f->name, text, f->lo, f->hi);
        for (int v = a; v <= b; v += step)
            acc |= (uint64_t)1 << v;
        if (*p == '\0')
            break;
        if (*p != ',')
            goto bad;
        p++;
    }
    *bits = acc;
    return 0;
bad:
    return dd_error_set(err, DD_EINVAL, "cron %s field '%s': cannot parse near '%s'", f->name, text,
                        p);
}

int cron_parse(const char *s, struct cron_expr *out, struct dd_error *err)
{
    if (s == NULL)
        return dd_error_set(err, DD_EINVAL, "cron expression missing");
    size_t total = strlen(s);
    if (total >= CRON_EXPR_MAX_BYTES)
        return dd_error_set(err, DD_EINVAL, "cron expression longer than %d bytes",
                            CRON_EXPR_MAX_BYTES - 1);
    uint64_t bits[5];
    bool star[5] = {false};
    const char *p = s;
    int n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        const char *start = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (n == 5)
            return dd_error_set(err, DD_EINVAL,
                                "cron expression has more than 5 fields (minute hour "
                                "day-of-month month day-of-week)");
        star[n] = *start == '*';
        int rc = parse_field(start, (size_t)(p - start), &FIELDS[n], &bits[n], err);
        if (rc)
            return rc;
        n++;
    }
    if (n != 5)
        return dd_error_set(err, DD_EINVAL,
                            "cron expression has %d fields, want 5 (minute hour day-of-month "
                            "month day-of-week)",
                            n);
    struct cron_expr c;
    memset(&c, 0, sizeof(c));
    c.minutes = bits[0];
    c.hours = (uint32_t)bits[1];
    c.mdays = (uint32_t)bits[2];
    c.months = (uint16_t)bits[3];
    c.wdays = (uint8_t)((bits[4] & 0x7f) | ((bits[4] >> 7) & 1)); /* 7 is Sunday */
    c.mday_star = star[2];
    c.wday_star = star[4];
    *out = c;
    return 0;
}

bool cron_match(const struct cron_expr *c, const struct tm *tm)
{
    if (tm->tm_min < 0 || tm->tm_min > 59 || tm->tm_hour < 0 || tm->tm_hour > 23 ||
        tm->tm_mday < 1 || tm->tm_mday > 31 || tm->tm_mon < 0 || tm->tm_mon > 11 ||
        tm->tm_wday < 0 || tm->tm_wday > 6)
        return false;
    if (!(c->minutes & ((uint64_t)1 << tm->tm_min)))
        return false;
    if (!(c->hours & (1u << tm->tm_hour)))
        return false;
    if (!(c->months & (1u << (tm->tm_mon + 1))))
        return false;
    bool md = (c->mdays & (1u << tm->tm_mday)) != 0;
    bool wd = (c->wdays & (1u << tm->tm_wday)) != 0;
    if (!c->mday_star && !c->wday_star)
        return md || wd;
    return md && wd;
}
