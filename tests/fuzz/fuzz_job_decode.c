/* fuzz_job_decode.c - the Redis payload decoders (common/queue.c) on arbitrary bytes.
 *
 * The first byte picks the decoder (Job, CompletionEvent, TaskSummary, LayerInventory), the
 * rest is the payload. A Job that decodes is re-encoded and decoded again: it must survive
 * the round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t which = data[0] % 4;
    data++;
    size--;
    struct dd_error err = {0};
    if (which == 0) {
        struct queue_job j = {0}, k = {0};
        if (queue_job_decode(data, size, &j, &err) == 0) {
            uint8_t *b = NULL;
            size_t n = 0;
            if (queue_job_encode(&j, &b, &n) == 0) {
                if (queue_job_decode(b, n, &k, &err) != 0 || strcmp(j.job_id, k.job_id) != 0 ||
                    strcmp(j.image, k.image) != 0 || j.attempt != k.attempt)
                    abort();
                queue_job_cleanup(&k);
                free(b);
            }
            queue_job_cleanup(&j);
        }
    } else if (which == 1) {
        struct queue_event e = {0};
        if (queue_event_decode(data, size, &e, &err) == 0)
            queue_event_cleanup(&e);
    } else if (which == 2) {
        struct queue_summary s = {0};
        if (queue_summary_decode(data, size, &s, &err) == 0)
            queue_summary_cleanup(&s);
    } else {
        struct layer_result r;
        if (queue_layer_decode(data, size, "x", 1, &r, &err) == 0)
            layer_result_cleanup(&r);
    }
    return 0;
}
