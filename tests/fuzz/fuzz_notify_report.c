/* fuzz_notify_report.c - notify_report_top on arbitrary report bytes, then the DingTalk message
 * built from the findings: always one JSON object whose text has no raw newline inside a
 * finding line and no unescaped markdown link. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct notify_finding *f = NULL;
    size_t n = 0;
    if (notify_report_top((const char *)data, size, NOTIFY_TOP_FINDINGS, &f, &n, NULL) != 0)
        return 0;
    struct queue_event e = {0};
    e.job_id = (char *)"j";
    e.rule_id = (char *)"r";
    e.summary.image = (char *)"127.0.0.1:5000/apps/web:1.0";
    e.summary.status = QUEUE_STATUS_COMPLETE;
    struct notify_scan s = {&e, "rule", f, n};
    char *out = NULL;
    size_t len = 0;
    if (notify_dingtalk_body(&s, 1, "http://h", &out, &len) == 0) {
        json_t *j = json_loadb(out, len, 0, NULL);
        if (j == NULL)
            abort();
        const char *text =
            json_string_value(json_object_get(json_object_get(j, "markdown"), "text"));
        /* the only link is the report link */
        const char *l = text ? strstr(text, "](") : NULL;
        if (text == NULL || (l && strstr(l + 2, "](")) || (l && l[-1] == '\\'))
            abort();
        json_decref(j);
        free(out);
    }
    notify_findings_free(f, n);
    return 0;
}
