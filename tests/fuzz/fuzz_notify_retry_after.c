/* fuzz_notify_retry_after.c - notify_retry_after_parse on arbitrary header values, and the
 * delay it feeds: never above the cap. */
#include <stdint.h>
#include <stdlib.h>

#include "notify_retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t ms = 0;
    if (notify_retry_after_parse((const char *)data, size, 1795878245, &ms) != 0)
        return 0;
    if (ms > (uint64_t)NOTIFY_RETRY_AFTER_MAX_S * 1000)
        abort();
    if (notify_retry_delay_ms(1000, (int64_t)ms, 300000) > 300000)
        abort();
    return 0;
}
