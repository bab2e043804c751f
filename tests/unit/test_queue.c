/* test_queue.c - the Redis payload codecs and key builders (common/queue.c).
 *
 * Wire bytes are written by hand from the protobuf encoding rules (tag = field << 3 | wire
 * type; 0x0a = field 1 length-delimited, 0x30 = field 6 varint, ...), so the codec is checked
 * against the format, not against itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "queue.h"

/* Job{job_id:"J1", image:"r/a:1", attempt:2} */
static const uint8_t JOB_MIN[] = {0x0a, 0x02, 'J', '1', 0x1a, 0x05, 'r',
                                  '/',  'a',  ':', '1', 0x30, 0x02};

static void test_queue_job_decode_hand_bytes(void **state)
{
    (void)state;
    struct queue_job j = {0};
    struct dd_error e = {0};
    assert_int_equal(queue_job_decode(JOB_MIN, sizeof(JOB_MIN), &j, &e), 0);
    assert_string_equal(j.job_id, "J1");
    assert_string_equal(j.image, "r/a:1");
    assert_string_equal(j.task_id, "");
    assert_string_equal(j.digest, "");
    assert_int_equal(j.attempt, 2);
    assert_int_equal(j.enqueued_at_ms, 0);
    queue_job_cleanup(&j);
}

static void test_queue_job_encode_matches_hand_bytes(void **state)
{
    (void)state;
    struct queue_job j = {.job_id = "J1", .image = "r/a:1", .attempt = 2};
    uint8_t *b = NULL;
    size_t n = 0;
    assert_int_equal(queue_job_encode(&j, &b, &n), 0);
    assert_int_equal(n, sizeof(JOB_MIN));
    assert_memory_equal(b, JOB_MIN, n);
    free(b);
}

static void test_queue_job_roundtrip_all_fields(void **state)
{
    (void)state;
    struct queue_job in = {.job_id = "job-42.a_b:c",
                           .task_id = "T9",
                           .image = "127.0.0.1:5000/apps/web:1.0",
                           .digest = "sha256:0123",
                           .platform = "linux/arm64/v8",
                           .rule_id = "R1",
                           .attempt = 3,
                           .enqueued_at_ms = 1700000000123};
    struct queue_job out = {0};
    uint8_t *b = NULL;
    size_t n = 0;
    assert_int_equal(queue_job_encode(&in, &b, &n), 0);
    assert_int_equal(queue_job_decode(b, n, &out, NULL), 0);
    assert_string_equal(out.job_id, in.job_id);
    assert_string_equal(out.task_id, "T9");
    assert_string_equal(out.image, in.image);
    assert_string_equal(out.digest, "sha256:0123");
    assert_string_equal(out.platform, "linux/arm64/v8");
    assert_string_equal(out.rule_id, "R1");
    assert_int_equal(out.attempt, 3);
    assert_true(out.enqueued_at_ms == 1700000000123);
    queue_job_cleanup(&out);
    free(b);
}

static void expect_job_rejected(const uint8_t *b, size_t n, int want)
{
    struct queue_job j = {.attempt = 77};
    struct dd_error e = {0};
    assert_int_equal(queue_job_decode(b, n, &j, &e), want);
    assert_int_equal(j.attempt, 77); /* untouched */
    assert_null(j.job_id);
    assert_true(e.msg[0] != '\0');
}

static void test_queue_job_decode_rejects_hostile(void **state)
{
    (void)state;
    /* truncated: the image says 5 bytes, 3 follow */
    expect_job_rejected(JOB_MIN, 8, DD_EPARSE);
    /* empty payload: no job_id */
    expect_job_rejected((const uint8_t *)"", 0, DD_EPARSE);
    /* wrong wire type: job_id (field 1) as a varint */
    static const uint8_t wrong_type[] = {0x08, 0x05, 0x1a, 0x01, 'x'};
    expect_job_rejected(wrong_type, sizeof(wrong_type), DD_EPARSE);
    /* missing image */
    static const uint8_t no_image[] = {0x0a, 0x02, 'J', '1'};
    expect_job_rejected(no_image, sizeof(no_image), DD_EPARSE);
    /* job_id with a space and one with a slash: both would corrupt key names */
    static const uint8_t space_id[] = {0x0a, 0x03, 'J', ' ', '1', 0x1a, 0x01, 'x'};
    expect_job_rejected(space_id, sizeof(space_id), DD_EPARSE);
    static const uint8_t slash_id[] = {0x0a, 0x03, 'J', '/', '1', 0x1a, 0x01, 'x'};
    expect_job_rejected(slash_id, sizeof(slash_id), DD_EPARSE);
    /* invalid UTF-8 / non-ASCII in the image */
    static const uint8_t bad_utf8[] = {0x0a, 0x01, 'J', 0x1a, 0x02, 0xc3, 0x28};
    expect_job_rejected(bad_utf8, sizeof(bad_utf8), DD_EPARSE);
    /* a task_id with a newline */
    static const uint8_t bad_task[] = {0x0a, 0x01, 'J', 0x12, 0x02, 'T', '\n', 0x1a, 0x01, 'x'};
    expect_job_rejected(bad_task, sizeof(bad_task), DD_EPARSE);
    /* over the payload cap: never unpacked */
    size_t big = QUEUE_MAX_JOB_BYTES + 1;
    uint8_t *huge = calloc(1, big);
    assert_non_null(huge);
    expect_job_rejected(huge, big, DD_ETOOBIG);
    free(huge);
}

static void test_queue_job_decode_rejects_long_id(void **state)
{
    (void)state;
    char id[QUEUE_MAX_ID + 2];
    memset(id, 'a', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    struct queue_job j = {.job_id = id, .image = "x"};
    uint8_t *b;
    size_t n;
    assert_int_equal(queue_job_encode(&j, &b, &n), 0);
    struct queue_job out = {0};
    assert_int_equal(queue_job_decode(b, n, &out, NULL), DD_EPARSE);
    free(b);
    id[QUEUE_MAX_ID] = '\0'; /* exactly the cap: accepted */
    assert_int_equal(queue_id_validate(id), 0);
}

static void test_queue_event_roundtrip(void **state)
{
    (void)state;
    struct queue_event in = {
        .job_id = "J7",
        .task_id = "T1",
        .rule_id = "",
        .summary = {.job_id = "J7",
                    .image = "r/a:1",
                    .digest = "sha256:ab",
                    .status = QUEUE_STATUS_COMPLETE,
                    .counts = {.critical = 1, .high = 2, .medium = 3, .low = 4, .unknown = 5},
                    .packages = 88,
                    .attempt = 2,
                    .started_at_ms = 10,
                    .finished_at_ms = 20,
                    .db_built_at = "2024-01-02T03:04:05Z"},
        .occurred_at_ms = 21};
    uint8_t *b;
    size_t n;
    assert_int_equal(queue_event_encode(&in, &b, &n), 0);
    struct queue_event out = {0};
    assert_int_equal(queue_event_decode(b, n, &out, NULL), 0);
    assert_string_equal(out.job_id, "J7");
    assert_string_equal(out.task_id, "T1");
    assert_string_equal(out.summary.image, "r/a:1");
    assert_int_equal(out.summary.status, QUEUE_STATUS_COMPLETE);
    assert_int_equal(out.summary.counts.critical, 1);
    assert_int_equal(out.summary.counts.unknown, 5);
    assert_int_equal(out.summary.packages, 88);
    assert_int_equal(out.summary.attempt, 2);
    assert_null(out.summary.error);
    assert_string_equal(out.summary.db_built_at, "2024-01-02T03:04:05Z");
    assert_true(out.occurred_at_ms == 21);
    queue_event_cleanup(&out);
    free(b);
}

static void test_queue_summary_decode_hand_bytes(void **state)
{
    (void)state;
    /* TaskSummary{job_id:"J", status:FAILED(4), counts{high:7}, error:"no"} */
    static const uint8_t b[] = {0x0a, 0x01, 'J',  0x20, 0x04, 0x2a, 0x02,
                                0x10, 0x07, 0x3a, 0x02, 'n',  'o'};
    struct queue_summary s = {0};
    assert_int_equal(queue_summary_decode(b, sizeof(b), &s, NULL), 0);
    assert_int_equal(s.status, QUEUE_STATUS_FAILED);
    assert_int_equal(s.counts.high, 7);
    assert_string_equal(s.error, "no");
    queue_summary_cleanup(&s);
    /* status 9 does not exist */
    static const uint8_t bad[] = {0x0a, 0x01, 'J', 0x20, 0x09};
    assert_int_equal(queue_summary_decode(bad, sizeof(bad), &s, NULL), DD_EPARSE);
}

static void test_queue_event_decode_rejects_missing_summary(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x0a, 0x01, 'J'};
    struct queue_event e = {0};
    struct dd_error err = {0};
    assert_int_equal(queue_event_decode(b, sizeof(b), &e, &err), DD_EPARSE);
    assert_null(e.job_id);
    assert_int_equal(queue_event_decode((const uint8_t *)"\xff", 1, &e, &err), DD_EPARSE);
}

static void fill_layer(struct layer_result *r)
{
    layer_result_init(r);
    r->files = calloc(2, sizeof(*r->files));
    r->cap_files = 2;
    r->n_files = 2;
    r->files[0].path = strdup("var/lib/dpkg/status");
    r->files[0].analyzer = 1;
    file_facts_init(&r->files[0].facts);
    struct pkg *p;
    assert_int_equal(pkg_list_add(&r->files[0].facts.pkgs, &p), 0);
    p->type = PKG_TYPE_DEB;
    p->name = strdup("libc6");
    p->version = strdup("2.36-9+deb12u4");
    p->arch = strdup("amd64");
    p->src_name = strdup("glibc");
    p->file_path = strdup("var/lib/dpkg/status");
    assert_int_equal(pkg_list_add(&r->files[0].facts.pkgs, &p), 0);
    p->type = PKG_TYPE_RPM;
    p->name = strdup("bash");
    p->version = strdup("5.1.8");
    p->release = strdup("6.el9");
    p->epoch = 2;
    r->files[1].path = strdup("etc/os-release");
    r->files[1].analyzer = 0;
    file_facts_init(&r->files[1].facts);
    r->files[1].facts.has_os = true;
    r->files[1].facts.os.family = strdup("debian");
    r->files[1].facts.os.version = strdup("12");
    assert_int_equal(file_facts_add_owned(&r->files[0].facts, "/usr/lib/x.jar", 14), 0);
    r->links = calloc(1, sizeof(*r->links));
    r->cap_links = r->n_links = 1;
    r->links[0].path = strdup("etc/os-release");
    r->links[0].target = strdup("usr/lib/os-release");
    r->whiteouts = calloc(1, sizeof(char *));
    r->cap_whiteouts = r->n_whiteouts = 1;
    r->whiteouts[0] = strdup("etc/old");
    r->errors = calloc(1, sizeof(*r->errors));
    r->cap_errors = r->n_errors = 1;
    r->errors[0].reason = strdup("too big");
    r->tar_error = strdup("truncated tar");
    r->entries = 123;
    r->bytes_in = 4567;
    r->bytes_out = 89012;
}

static void test_queue_layer_roundtrip(void **state)
{
    (void)state;
    struct layer_result in, out;
    fill_layer(&in);
    uint32_t v = queue_analyzer_version();
    uint8_t *b;
    size_t n;
    assert_int_equal(queue_layer_encode("sha256:d1", v, &in, &b, &n), 0);
    struct dd_error e = {0};
    assert_int_equal(queue_layer_decode(b, n, "sha256:d1", v, &out, &e), 0);
    assert_int_equal(out.n_files, 2);
    assert_string_equal(out.files[0].path, "var/lib/dpkg/status");
    assert_int_equal(out.files[0].analyzer, 1);
    assert_int_equal(out.files[0].facts.pkgs.n, 2);
    const struct pkg *p = &out.files[0].facts.pkgs.v[0];
    assert_int_equal(p->type, PKG_TYPE_DEB);
    assert_string_equal(p->name, "libc6");
    assert_string_equal(p->src_name, "glibc");
    assert_null(p->release);
    assert_null(p->licence);
    assert_int_equal(p->epoch, -1);
    p = &out.files[0].facts.pkgs.v[1];
    assert_int_equal(p->type, PKG_TYPE_RPM);
    assert_string_equal(p->release, "6.el9");
    assert_int_equal(p->epoch, 2);
    assert_int_equal(out.files[0].facts.n_owned, 1);
    assert_string_equal(out.files[0].facts.owned[0], "usr/lib/x.jar"); /* leading '/' dropped */
    assert_int_equal(out.files[1].facts.n_owned, 0);
    assert_true(out.files[1].facts.has_os);
    assert_string_equal(out.files[1].facts.os.family, "debian");
    assert_null(out.files[1].facts.os.codename);
    assert_int_equal(out.n_links, 1);
    assert_string_equal(out.links[0].target, "usr/lib/os-release");
    assert_int_equal(out.n_whiteouts, 1);
    assert_string_equal(out.whiteouts[0], "etc/old");
    assert_int_equal(out.n_errors, 1);
    assert_null(out.errors[0].path);
    assert_string_equal(out.errors[0].reason, "too big");
    assert_string_equal(out.tar_error, "truncated tar");
    assert_int_equal(out.entries, 123);
    assert_int_equal(out.bytes_out, 89012);
    layer_result_cleanup(&out);
    /* wrong diff_id or analyzer version: a stale or misfiled entry is a miss */
    struct layer_result keep = {.entries = 5};
    assert_int_equal(queue_layer_decode(b, n, "sha256:d2", v, &keep, &e), DD_EPARSE);
    assert_int_equal(queue_layer_decode(b, n, "sha256:d1", v + 1, &keep, &e), DD_EPARSE);
    assert_int_equal(keep.entries, 5);
    free(b);
    /* an analyzer index this build does not have */
    in.files[1].analyzer = (int)analyzers_count();
    assert_int_equal(queue_layer_encode("sha256:d1", v, &in, &b, &n), 0);
    assert_int_equal(queue_layer_decode(b, n, "sha256:d1", v, &keep, &e), DD_EPARSE);
    free(b);
    layer_result_cleanup(&in);
}

static void test_queue_layer_decode_rejects_garbage(void **state)
{
    (void)state;
    struct layer_result r = {0};
    static const uint8_t junk[] = {0x1a, 0x7f, 0x00};
    assert_int_equal(queue_layer_decode(junk, sizeof(junk), "x", 1, &r, NULL), DD_EPARSE);
    /* a package type that does not exist: LayerInventory{diff_id:"x", analyzer_version:1,
     * files[{path:"a", analyzer:0, packages[{type:"zz"}]}]} */
    static const uint8_t bad_type[] = {0x0a, 0x01, 'x',  0x10, 0x01, 0x1a, 0x0b, 0x0a, 0x01,
                                       'a',  0x10, 0x00, 0x1a, 0x04, 0x0a, 0x02, 'z',  'z'};
    struct dd_error e = {0};
    assert_int_equal(queue_layer_decode(bad_type, sizeof(bad_type), "x", 1, &r, &e), DD_EPARSE);
    assert_non_null(strstr(e.msg, "package type"));
}

static void test_queue_analyzer_version_stable(void **state)
{
    (void)state;
    assert_int_equal(queue_analyzer_version(), queue_analyzer_version());
    assert_int_not_equal(queue_analyzer_version(), 0);
}

static void test_queue_keys(void **state)
{
    (void)state;
    char k[64];
    assert_int_equal(queue_key(k, sizeof(k), "dd:", "job", "J1"), 0);
    assert_string_equal(k, "dd:job:J1");
    assert_int_equal(queue_key(k, sizeof(k), "x:", "pending", "sha256:ab"), 0);
    assert_string_equal(k, "x:pending:sha256:ab");
    assert_int_equal(queue_key_layer(k, sizeof(k), "dd:", "sha256:ff", 42), 0);
    assert_string_equal(k, "dd:layer:sha256:ff:42");
    assert_int_equal(queue_key_stream(k, sizeof(k), "dd:", "jobs"), 0);
    assert_string_equal(k, "dd:jobs");
    assert_int_equal(queue_key_tag(k, sizeof(k), "dd:", "127.0.0.1:5000/apps/web:1.0"), 0);
    assert_string_equal(k, "dd:tag:127.0.0.1:5000/apps/web:1.0");
    assert_int_equal(queue_key_tag(k, sizeof(k), "dd:", "localhost:5000/a/b"), 0);
    assert_string_equal(k, "dd:tag:localhost:5000/a/b:latest");
    char small[8];
    assert_int_equal(queue_key(small, sizeof(small), "dd:", "job", "J1234"), DD_ETOOBIG);
    assert_int_equal(queue_key(k, sizeof(k), "dd:", "job", NULL), DD_EINVAL);
    assert_int_equal(queue_key_tag(k, sizeof(k), "dd:", "UPPER/Case::"), DD_EPARSE);
    static const char dig[] = "r.io/a@sha256:"
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char big[256];
    assert_int_equal(queue_key_tag(big, sizeof(big), "dd:", dig), DD_ENOTFOUND);
}

static void test_queue_status_names(void **state)
{
    (void)state;
    assert_string_equal(queue_status_name(QUEUE_STATUS_RETRYING), "RETRYING");
    assert_string_equal(queue_status_name(QUEUE_STATUS_COMPLETE), "COMPLETE");
    assert_string_equal(queue_status_name((enum queue_status)99), "UNSPECIFIED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_job_decode_hand_bytes),
        cmocka_unit_test(test_queue_job_encode_matches_hand_bytes),
        cmocka_unit_test(test_queue_job_roundtrip_all_fields),
        cmocka_unit_test(test_queue_job_decode_rejects_hostile),
        cmocka_unit_test(test_queue_job_decode_rejects_long_id),
        cmocka_unit_test(test_queue_event_roundtrip),
        cmocka_unit_test(test_queue_summary_decode_hand_bytes),
        cmocka_unit_test(test_queue_event_decode_rejects_missing_summary),
        cmocka_unit_test(test_queue_layer_roundtrip),
        cmocka_unit_test(test_queue_layer_decode_rejects_garbage),
        cmocka_unit_test(test_queue_analyzer_version_stable),
        cmocka_unit_test(test_queue_keys),
        cmocka_unit_test(test_queue_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
