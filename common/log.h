/* log.h - key=value line logging for the daemons and the CLI.
 *
 * One line per event: `ts=... level=warn comp=worker msg="layer digest mismatch" job=J42`.
 * The level is tested before arguments are evaluated. common/ parsers never log; the caller
 * that decides what to do with an error logs it once. Never pass secrets.
 */
#ifndef DD_LOG_H
#define DD_LOG_H

#include <stdio.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3, LOG_OFF = 4 };

extern enum log_level log_min_level;

void log_setup(const char *component, enum log_level min, FILE *out);
int log_level_parse(const char *s, enum log_level *out);
void log_write(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...)                                                                           \
    do {                                                                                           \
        if ((lvl) >= log_min_level)                                                                \
            log_write((lvl), __VA_ARGS__);                                                         \
    } while (0)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_at(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_at(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_at(LOG_ERROR, __VA_ARGS__)

#endif
