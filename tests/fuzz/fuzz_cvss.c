/* fuzz_cvss.c - libFuzzer target for cvss_parse() and severity_parse().
 *
 * Besides "no crash, no sanitizer report", it checks invariants on every accepted vector:
 * the score is within 0.0-10.0 and has one decimal, the severity matches the score, and the
 * normalised vector parses again to the same version and score (round trip). A violation
 * aborts, which libFuzzer reports as a crash. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cvss.h"

#define FUZZ_MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char buf[FUZZ_MAX_INPUT + 1];
    if (size > FUZZ_MAX_INPUT)
        size = FUZZ_MAX_INPUT;
    memcpy(buf, data, size);
    buf[size] = '\0';

    enum severity sev;
    (void)severity_parse(buf, &sev);

    struct cvss c;
    struct dd_error err = {0};
    if (cvss_parse(buf, &c, &err) != 0) {
        if (err.code == 0 || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
            abort();
        return 0;
    }
    if (!(c.base_score >= 0.0 && c.base_score <= 10.0))
        abort();
    double tenths = c.base_score * 10.0;
    if (fabs(tenths - floor(tenths + 0.5)) > 1e-9)
        abort();
    if (c.major != 2 && c.severity != severity_from_score(c.base_score))
        abort();

    struct cvss again;
    if (cvss_parse(c.vector, &again, NULL) != 0)
        abort();
    if (again.major != c.major || again.minor != c.minor || again.base_score != c.base_score ||
        strcmp(again.vector, c.vector) != 0)
        abort();
    return 0;
}
