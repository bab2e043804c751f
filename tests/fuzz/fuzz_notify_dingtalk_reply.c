/* fuzz_notify_dingtalk_reply.c - notify_dingtalk_reply_parse on arbitrary reply bodies: the
 * copied errmsg is always printable ASCII without quotes or backslashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify_retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long code = 0;
    char msg[NOTIFY_ERRMSG_MAX + 1];
    struct dd_error err = {0};
    if (notify_dingtalk_reply_parse((const char *)data, size, &code, msg, sizeof(msg), &err) != 0)
        return 0;
    for (const char *p = msg; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
            abort();
    return 0;
}
