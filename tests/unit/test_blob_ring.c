/* test_blob_ring.c - the bounded ring between a fetch and a walk, with a real second thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "blob_ring.h"

static void test_blob_ring_refuses_when_full_and_keeps_order(void **state)
{
    (void)state;
    struct blob_ring r;
    assert_int_equal(blob_ring_init(&r, 16, NULL), 0);
    assert_int_equal(blob_ring_write(&r, "0123456789", 10), RING_WRITTEN);
    assert_int_equal(blob_ring_write(&r, "abcdefghij", 10), RING_FULL);
    struct blob_source src;
    blob_ring_source(&r, &src);
    const uint8_t *p;
    size_t n;
    struct dd_error e = {0};
    assert_int_equal(src.next(src.ctx, &p, &n, &e), 0);
    assert_int_equal(n, 10);
    assert_memory_equal(p, "0123456789", 10);
    /* the borrowed bytes are released on the next call; the ring wraps */
    assert_int_equal(blob_ring_write(&r, "abcdefghij", 10), RING_FULL);
    blob_ring_finish(&r);
    assert_int_equal(src.next(src.ctx, &p, &n, &e), 0);
    assert_int_equal(n, 0);
    blob_ring_cleanup(&r);
}

static void test_blob_ring_delivers_failure_and_close(void **state)
{
    (void)state;
    struct blob_ring r;
    assert_int_equal(blob_ring_init(&r, 64, NULL), 0);
    assert_int_equal(blob_ring_write(&r, "xy", 2), RING_WRITTEN);
    struct dd_error fail = {0};
    dd_error_set(&fail, DD_EDIGEST, "blob digest mismatch");
    blob_ring_fail(&r, &fail);
    struct blob_source src;
    blob_ring_source(&r, &src);
    const uint8_t *p;
    size_t n;
    struct dd_error e = {0};
    assert_int_equal(src.next(src.ctx, &p, &n, &e), DD_EDIGEST);
    assert_string_equal(e.msg, "blob digest mismatch");
    blob_ring_close_reader(&r);
    assert_int_equal(blob_ring_write(&r, "z", 1), RING_CLOSED);
    assert_true(blob_ring_reader_closed(&r));
    blob_ring_cleanup(&r);
}

struct producer {
    struct blob_ring *r;
    size_t total;
};

static void *produce(void *arg)
{
    struct producer *pr = arg;
    uint8_t chunk[7];
    size_t sent = 0;
    while (sent < pr->total) {
        size_t k = pr->total - sent < sizeof(chunk) ? pr->total - sent : sizeof(chunk);
        for (size_t i = 0; i < k; i++)
            chunk[i] = (uint8_t)((sent + i) * 31u);
        enum ring_write_result w = blob_ring_write(pr->r, chunk, k);
        if (w == RING_FULL) {
            struct timespec ts = {0, 10000};
            nanosleep(&ts, NULL);
            continue;
        }
        sent += k;
    }
    blob_ring_finish(pr->r);
    return NULL;
}

static void test_blob_ring_streams_across_threads(void **state)
{
    (void)state;
    struct blob_ring r;
    assert_int_equal(blob_ring_init(&r, 64, NULL), 0);
    struct producer pr = {&r, 100000};
    pthread_t th;
    pthread_create(&th, NULL, produce, &pr);
    struct blob_source src;
    blob_ring_source(&r, &src);
    size_t got = 0;
    for (;;) {
        const uint8_t *p;
        size_t n;
        struct dd_error e = {0};
        assert_int_equal(src.next(src.ctx, &p, &n, &e), 0);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], (uint8_t)((got + i) * 31u));
        got += n;
    }
    pthread_join(th, NULL);
    assert_int_equal(got, pr.total);
    blob_ring_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blob_ring_refuses_when_full_and_keeps_order),
        cmocka_unit_test(test_blob_ring_delivers_failure_and_close),
        cmocka_unit_test(test_blob_ring_streams_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
