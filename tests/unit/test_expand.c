/* test_expand.c - rule expansion over a fake registry (the expand_source seam) into a fake
 * queue (the expand_sink seam), and the catalog module's Link header and list parsers.
 * Expected queued/skipped sets are written by hand from the fake catalog below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "expand.h"
#include "rules.h"

/* --- fake registry ------------------------------------------------------------------------ */

struct fake_repo {
    const char *name;
    const char *tags[6]; /* NULL-terminated; tags[0] == NULL: "tags": null */
    int tags_fail;       /* tag listing fails */
};

static const struct fake_repo REPOS[] = {
    {"apps/web", {"1.0", "1.1", "latest", "gone", NULL}, 0},
    {"apps/team/api", {"1.0", "2.0", NULL}, 0},
    {"apps/deleted", {NULL}, 0},
    {"apps/broken", {NULL}, 1},
    {"other/web", {"1.0", NULL}, 0},
    {"apps", {"1.0", NULL}, 0}, /* single component: no namespace */
};
#define NREPOS (sizeof(REPOS) / sizeof(REPOS[0]))

struct fake {
    int catalog_fail;
    int catalog_calls;
    char log[4096];         /* "Q repo:tag@digest;" and "S repo[:tag] reason;" in order */
    const char *dup_digest; /* enqueue answers "already queued" for this digest */
    int sink_fail_after;    /* enqueue fails when this many were queued (0: never) */
    int queued;
    int forks;
};

static int fake_catalog(void *ctx, struct str_list *out, struct dd_error *err)
{
    struct fake *f = ctx;
    f->catalog_calls++;
    if (f->catalog_fail)
        return dd_error_set(err, DD_ENET, "catalog: cannot connect");
    for (size_t i = 0; i < NREPOS; i++)
        assert_int_equal(str_list_push(out, REPOS[i].name), 0);
    return 0;
}

static int fake_tags(void *ctx, const char *repo, struct str_list *out, struct dd_error *err)
{
    (void)ctx;
    for (size_t i = 0; i < NREPOS; i++) {
        if (strcmp(REPOS[i].name, repo) != 0)
            continue;
        if (REPOS[i].tags_fail)
            return dd_error_set(err, DD_EHTTP, "tags of %s: unexpected HTTP status 500", repo);
        for (size_t k = 0; REPOS[i].tags[k]; k++)
            assert_int_equal(str_list_push(out, REPOS[i].tags[k]), 0);
        return 0;
    }
    return dd_error_set(err, DD_ENOTFOUND, "no repo");
}

static int fake_digest(void *ctx, const char *repo, const char *tag, char **out,
                       struct dd_error *err)
{
    (void)ctx;
    if (strcmp(tag, "gone") == 0)
        return dd_error_set(err, DD_ENOTFOUND, "manifest %s:%s: not found (HTTP 404)", repo, tag);
    char d[128];
    snprintf(d, sizeof(d), "sha256:%s-%s", repo, tag);
    *out = strdup(d);
    return *out ? 0 : DD_ENOMEM;
}

static int fake_enqueue(void *ctx, const char *repo, const char *tag, const char *digest,
                        struct dd_error *err)
{
    struct fake *f = ctx;
    if (f->sink_fail_after && f->queued == f->sink_fail_after)
        return dd_error_set(err, DD_ENET, "redis: connection refused");
    if (f->dup_digest && strcmp(digest, f->dup_digest) == 0)
        return 0;
    f->queued++;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof(f->log) - n, "Q %s:%s@%s;", repo, tag, digest);
    return 1;
}

static int fake_skip(void *ctx, const char *repo, const char *tag, const char *reason)
{
    struct fake *f = ctx;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof(f->log) - n, "S %s%s%s %s;", repo, tag ? ":" : "", tag ? tag : "",
             reason);
    return 0;
}

static struct scan_rule *rule(const char *json)
{
    struct scan_rule *r = NULL;
    struct dd_error e = {0};
    if (scan_rule_parse(json, strlen(json), false, &r, &e) != 0)
        fail_msg("rule rejected: %s", e.msg);
    return r;
}

/* The fake registry is read-only: a "fork" shares it. forks counts the threads' sources. */
static int fake_fork(void *ctx, void **out, struct dd_error *err)
{
    (void)err;
    struct fake *f = ctx;
    __atomic_add_fetch(&f->forks, 1, __ATOMIC_SEQ_CST);
    *out = ctx;
    return 0;
}

static void fake_fork_free(void *ctx)
{
    (void)ctx;
}

static int run_src(const char *json, struct fake *f, struct expand_stats *st, struct dd_error *e,
                   bool parallel)
{
    struct scan_rule *r = rule(json);
    struct expand_source src = {f,
                                fake_catalog,
                                fake_tags,
                                fake_digest,
                                parallel ? fake_fork : NULL,
                                parallel ? fake_fork_free : NULL};
    struct expand_sink sink = {f, fake_enqueue, fake_skip};
    int rc = expand_rule(r, &src, &sink, st, e);
    scan_rule_free(r);
    return rc;
}

static int run(const char *json, struct fake *f, struct expand_stats *st, struct dd_error *e)
{
    struct scan_rule *r = rule(json);
    struct expand_source src = {f, fake_catalog, fake_tags, fake_digest, NULL, NULL};
    struct expand_sink sink = {f, fake_enqueue, fake_skip};
    int rc = expand_rule(r, &src, &sink, st, e);
    scan_rule_free(r);
    return rc;
}

#define REG "\"registry\": {\"url\": \"127.0.0.1:5000\"}"

static void test_expand_namespace_rule_queues_matches_and_explains_skips(void **state)
{
    (void)state;
    struct fake f = {0};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"apps\", "
                         "\"tag_regex\": \"^[0-9]|^gone$\", " REG "}",
                         &f, &st, &e),
                     0);
    assert_string_equal(f.log, "Q apps/web:1.0@sha256:apps/web-1.0;"
                               "Q apps/web:1.1@sha256:apps/web-1.1;"
                               "S apps/web:latest no tag match;"
                               "S apps/web:gone manifest unknown;"
                               "Q apps/team/api:1.0@sha256:apps/team/api-1.0;"
                               "Q apps/team/api:2.0@sha256:apps/team/api-2.0;"
                               "S apps/deleted no tags (empty or deleted repository);"
                               "S apps/broken tag list failed: tags of apps/broken: unexpected "
                               "HTTP status 500;");
    assert_int_equal(st.repos, 4);
    assert_int_equal(st.tags, 6);
    assert_int_equal(st.queued, 4);
    assert_int_equal(st.skipped, 4);
    assert_int_equal(f.catalog_calls, 1);
}

static void test_expand_repository_rule_skips_catalog(void **state)
{
    (void)state;
    struct fake f = {.catalog_fail = 1};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run("{\"name\": \"n\", \"scope\": \"repository\", \"namespace\": \"apps\", "
                         "\"repository\": \"team/api\", \"tag_regex\": \"^2\", " REG "}",
                         &f, &st, &e),
                     0);
    assert_int_equal(f.catalog_calls, 0);
    assert_string_equal(f.log, "S apps/team/api:1.0 no tag match;"
                               "Q apps/team/api:2.0@sha256:apps/team/api-2.0;");
    assert_int_equal(st.repos, 1);
}

static void test_expand_duplicate_digest_is_skipped_as_already_queued(void **state)
{
    (void)state;
    struct fake f = {.dup_digest = "sha256:apps/web-1.1"};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run("{\"name\": \"n\", \"scope\": \"repository\", \"namespace\": \"apps\", "
                         "\"repository\": \"web\", \"tag_regex\": \"^1\", " REG "}",
                         &f, &st, &e),
                     0);
    assert_string_equal(f.log, "Q apps/web:1.0@sha256:apps/web-1.0;"
                               "S apps/web:1.1 already queued;"
                               "S apps/web:latest no tag match;S apps/web:gone no tag match;");
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.skipped, 3);
}

static void test_expand_catalog_failure_fails_the_run(void **state)
{
    (void)state;
    struct fake f = {.catalog_fail = 1};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"apps\", " REG
                         "}",
                         &f, &st, &e),
                     DD_ENET);
    assert_non_null(strstr(e.msg, "catalog"));
    assert_string_equal(f.log, "");
}

static void test_expand_sink_failure_stops_the_run(void **state)
{
    (void)state;
    struct fake f = {.sink_fail_after = 1};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"apps\", " REG
                         "}",
                         &f, &st, &e),
                     DD_ENET);
    assert_string_equal(f.log, "Q apps/web:1.0@sha256:apps/web-1.0;");
    assert_int_equal(st.queued, 1);
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The log's entries, sorted (threads report in no particular order), joined by ';'. */
static void sorted_log(const char *log, char *out, size_t cap)
{
    char copy[4096], *v[64], *save = NULL;
    size_t n = 0;
    snprintf(copy, sizeof(copy), "%s", log);
    for (char *t = strtok_r(copy, ";", &save); t && n < 64; t = strtok_r(NULL, ";", &save))
        v[n++] = t;
    qsort(v, n, sizeof(*v), cmp_strp);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%s;", v[i]);
    }
}

/* On threads (a forking source) the same images are queued and skipped with the same
 * reasons and counts as on one; a sink failure still stops the run with its error. */
static void test_expand_on_threads_decides_the_same(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"apps\", "
        "\"tag_regex\": \"^[0-9]|^gone$\", " REG "}",
        "{\"name\": \"n\", \"scope\": \"repository\", \"namespace\": \"apps\", "
        "\"repository\": \"web\", " REG "}",
    };
    for (size_t i = 0; i < 2; i++) {
        struct fake seq = {0}, par = {0};
        struct expand_stats s1, s2;
        struct dd_error e = {0};
        assert_int_equal(run_src(rules[i], &seq, &s1, &e, false), 0);
        assert_int_equal(run_src(rules[i], &par, &s2, &e, true), 0);
        char a[4096], b[4096];
        sorted_log(seq.log, a, sizeof(a));
        sorted_log(par.log, b, sizeof(b));
        assert_string_equal(a, b);
        assert_int_equal(s1.repos, s2.repos);
        assert_int_equal(s1.tags, s2.tags);
        assert_int_equal(s1.queued, s2.queued);
        assert_int_equal(s1.skipped, s2.skipped);
        assert_true(par.forks >= 1);
        assert_int_equal(seq.forks, 0);
    }
    struct fake f = {.sink_fail_after = 1};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(run_src(rules[0], &f, &st, &e, true), DD_ENET);
    assert_int_equal(st.queued, 1);
    assert_non_null(strstr(e.msg, "connection refused"));
}

static void test_expand_namespace_with_no_repositories(void **state)
{
    (void)state;
    struct fake f = {0};
    struct expand_stats st;
    struct dd_error e = {0};
    assert_int_equal(
        run("{\"name\": \"n\", \"scope\": \"namespace\", \"namespace\": \"nothing\", " REG "}", &f,
            &st, &e),
        0);
    assert_int_equal(st.repos, 0);
    assert_int_equal(st.queued, 0);
    assert_string_equal(f.log, "");
}

/* --- catalog parsing ----------------------------------------------------------------------- */

static void test_catalog_link_next_url(void **state)
{
    (void)state;
    const char *base = "http://127.0.0.1:5000";
    char *u = NULL;
    struct dd_error e = {0};
    assert_int_equal(link_next_url("</v2/_catalog?last=b&n=100>; rel=\"next\"", base, &u, &e), 0);
    assert_string_equal(u, "http://127.0.0.1:5000/v2/_catalog?last=b&n=100");
    free(u);
    assert_int_equal(
        link_next_url("<http://127.0.0.1:5000/v2/x/tags/list?n=2&last=b>; rel=next", base, &u, &e),
        0);
    assert_string_equal(u, "http://127.0.0.1:5000/v2/x/tags/list?n=2&last=b");
    free(u);
    /* several links, the next one second, several rel types */
    assert_int_equal(link_next_url("</v2/a>; rel=\"prev\", </v2/b>; title=\"x,y\"; rel=\"last "
                                   "next\"",
                                   base, &u, &e),
                     0);
    assert_string_equal(u, "http://127.0.0.1:5000/v2/b");
    free(u);
    assert_int_equal(link_next_url("</v2/a>; rel=\"prev\"", base, &u, &e), 0);
    assert_null(u);
    assert_int_equal(link_next_url(NULL, base, &u, &e), 0);
    assert_null(u);
    assert_int_equal(link_next_url("</v2/a>; rel=\"nextx\"", base, &u, &e), 0);
    assert_null(u);
}

static void test_catalog_link_rejects_other_origins_and_garbage(void **state)
{
    (void)state;
    const char *base = "http://127.0.0.1:5000";
    char *u = NULL;
    struct dd_error e = {0};
    assert_int_equal(link_next_url("<http://evil.example/v2/_catalog>; rel=\"next\"", base, &u, &e),
                     DD_EHOSTILE);
    assert_int_equal(link_next_url("<http://127.0.0.1:50000/v2/>; rel=\"next\"", base, &u, &e),
                     DD_EHOSTILE);
    assert_int_equal(link_next_url("<//evil.example/v2/>; rel=\"next\"", base, &u, &e),
                     DD_EHOSTILE);
    assert_int_equal(link_next_url("</v2/a b>; rel=\"next\"", base, &u, &e), DD_EPARSE);
    assert_int_equal(link_next_url("</v2/a; rel=\"next\"", base, &u, &e), DD_EPARSE);
    assert_int_equal(link_next_url("garbage", base, &u, &e), DD_EPARSE);
    assert_null(u);
}

static void test_catalog_parse_lists(void **state)
{
    (void)state;
    struct str_list l;
    struct dd_error e = {0};
    str_list_init(&l);
    const char *cat = "{\"repositories\": [\"apps/web\", \"b\"]}";
    assert_int_equal(catalog_parse_repos(cat, strlen(cat), &l, &e), 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[1], "b");
    const char *tags = "{\"name\": \"apps/web\", \"tags\": [\"1.0\"]}";
    assert_int_equal(catalog_parse_tags(tags, strlen(tags), &l, &e), 0);
    assert_int_equal(l.n, 3);
    const char *null_tags = "{\"name\": \"apps/web\", \"tags\": null}";
    assert_int_equal(catalog_parse_tags(null_tags, strlen(null_tags), &l, &e), 0);
    assert_int_equal(l.n, 3);
    str_list_cleanup(&l);
    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"repositories\": 5}",
        "{\"repositories\": [1]}",
        "{\"repositories\": [\"\"]}",
        "{\"repositories\": [\"a\\u0000b\"]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        str_list_init(&l);
        if (catalog_parse_repos(bad[i], strlen(bad[i]), &l, &e) == 0)
            fail_msg("accepted %s", bad[i]);
        str_list_cleanup(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_namespace_rule_queues_matches_and_explains_skips),
        cmocka_unit_test(test_expand_repository_rule_skips_catalog),
        cmocka_unit_test(test_expand_duplicate_digest_is_skipped_as_already_queued),
        cmocka_unit_test(test_expand_catalog_failure_fails_the_run),
        cmocka_unit_test(test_expand_sink_failure_stops_the_run),
        cmocka_unit_test(test_expand_namespace_with_no_repositories),
        cmocka_unit_test(test_expand_on_threads_decides_the_same),
        cmocka_unit_test(test_catalog_link_next_url),
        cmocka_unit_test(test_catalog_link_rejects_other_origins_and_garbage),
        cmocka_unit_test(test_catalog_parse_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
