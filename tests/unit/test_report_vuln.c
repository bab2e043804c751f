/* test_report_vuln.c - scan report writers: targets, JSON contract fields, SARIF, CycloneDX
 * bom-refs, the table and its summary line. Expected values are written by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_vuln.h"

struct fixture {
    struct inventory inv;
    struct image_layer layers[2];
    struct image_meta meta;
    struct finding_list fl;
};

static void add_pkg(struct inventory *inv, enum pkg_type t, const char *name, const char *ver,
                    const char *src, const char *path, int layer)
{
    struct pkg *p;
    assert_int_equal(pkg_list_add(&inv->pkgs, &p), 0);
    p->type = t;
    p->name = dd_strdup(name);
    p->version = dd_strdup(ver);
    p->src_name = dd_strdup(src);
    p->file_path = dd_strdup(path);
    p->layer = layer;
}

static void add_finding(struct finding_list *l, size_t pkg, const char *id, const char *name,
                        const char *ver, const char *fixed, enum severity s, bool cvss)
{
    struct finding *f;
    assert_int_equal(finding_list_add(l, &f), 0);
    f->id = dd_strdup(id);
    f->pkg_index = pkg;
    f->pkg_name = dd_strdup(name);
    f->matched_name = dd_strdup(name);
    f->installed_version = dd_strdup(ver);
    f->matched_version = dd_strdup(ver);
    f->fixed_version = dd_strdup(fixed);
    f->status = fixed ? VULN_STATUS_FIXED : VULN_STATUS_AFFECTED;
    f->severity = s;
    f->ecosystem = dd_strdup("Debian:12");
    f->severity_source = dd_strdup(cvss ? "cvss" : "ghsa");
    f->title = dd_strdup("a title");
    f->aliases = calloc(1, sizeof(char *));
    f->aliases[0] = dd_strdup("GHSA-aaaa-bbbb-cccc");
    f->n_aliases = 1;
    f->references = calloc(1, sizeof(char *));
    f->references[0] = dd_strdup("https://example.org/adv");
    f->n_references = 1;
    if (cvss) {
        f->has_cvss = true;
        f->cvss_score = 9.8;
        f->cvss_vector = dd_strdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
        f->cvss_version = dd_strdup("3.1");
    }
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    inventory_init(&fx->inv);
    fx->inv.has_os = true;
    fx->inv.os.family = dd_strdup("debian");
    fx->inv.os.version = dd_strdup("12");
    add_pkg(&fx->inv, PKG_TYPE_DEB, "libssl3", "3.0.11-1~deb12u2", "openssl", "var/lib/dpkg/status",
            1);
    add_pkg(&fx->inv, PKG_TYPE_DEB, "bash", "5.2.15-2+b2", "bash", "var/lib/dpkg/status", 0);
    add_pkg(&fx->inv, PKG_TYPE_NPM, "lodash", "4.17.15", NULL,
            "app/node_modules/lodash/package.json", 1);
    add_pkg(&fx->inv, PKG_TYPE_NPM, "lodash", "4.17.15", NULL,
            "srv/node_modules/lodash/package.json", 1);
    add_pkg(&fx->inv, PKG_TYPE_PYPI, "requests", "2.28.1", NULL,
            "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO", 0);
    fx->layers[0].digest = "sha256:aaaa";
    fx->layers[0].diff_id = "sha256:a0a0";
    fx->layers[1].digest = "sha256:bbbb";
    fx->layers[1].diff_id = "sha256:b0b0";
    fx->meta.artifact = "reg.example/app:1";
    fx->meta.digest = "sha256:1111";
    fx->meta.layers = fx->layers;
    fx->meta.n_layers = 2;
    finding_list_init(&fx->fl);
    add_finding(&fx->fl, 0, "CVE-2023-5678", "libssl3", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1",
                SEVERITY_CRITICAL, true);
    add_finding(&fx->fl, 2, "CVE-2021-23337", "lodash", "4.17.15", "4.17.21", SEVERITY_HIGH, false);
    add_finding(&fx->fl, 3, "CVE-2021-23337", "lodash", "4.17.15", "4.17.21", SEVERITY_HIGH, false);
    add_finding(&fx->fl, 1, "CVE-2099-0001", "bash", "5.2.15-2+b2", NULL, SEVERITY_LOW, false);
    assert_int_equal(finding_list_add_error(&fx->fl, 4, "PYSEC-1", "bad event"), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    finding_list_cleanup(&fx->fl);
    inventory_cleanup(&fx->inv);
    free(fx);
    return 0;
}

static void test_report_vuln_json_contract(void **state)
{
    struct fixture *fx = *state;
    struct vuln_report r = {&fx->meta, &fx->inv, &fx->fl, "2026-11-28T00:00:00Z", 3};
    json_t *doc = report_vuln_json(&r);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "artifact")), "reg.example/app:1");
    assert_string_equal(json_string_value(json_object_get(doc, "digest")), "sha256:1111");
    json_t *os = json_object_get(doc, "os");
    assert_string_equal(json_string_value(json_object_get(os, "family")), "debian");
    assert_string_equal(json_string_value(json_object_get(os, "version")), "12");
    json_t *results = json_object_get(doc, "results");
    /* OS target, then app files in path order */
    assert_int_equal(json_array_size(results), 4);
    const char *targets[] = {"reg.example/app:1 (debian 12)",
                             "app/node_modules/lodash/package.json",
                             "srv/node_modules/lodash/package.json",
                             "usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO"};
    const char *classes[] = {"os-pkgs", "lang-pkgs", "lang-pkgs", "lang-pkgs"};
    const char *types[] = {"debian", "npm", "npm", "pypi"};
    const size_t nvulns[] = {2, 1, 1, 0};
    const size_t npkgs[] = {2, 1, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        json_t *res = json_array_get(results, i);
        assert_string_equal(json_string_value(json_object_get(res, "target")), targets[i]);
        assert_string_equal(json_string_value(json_object_get(res, "class")), classes[i]);
        assert_string_equal(json_string_value(json_object_get(res, "type")), types[i]);
        assert_int_equal(json_array_size(json_object_get(res, "vulnerabilities")), nvulns[i]);
        assert_int_equal(json_array_size(json_object_get(res, "packages")), npkgs[i]);
    }
    json_t *v = json_array_get(json_object_get(json_array_get(results, 0), "vulnerabilities"), 0);
    assert_string_equal(json_string_value(json_object_get(v, "id")), "CVE-2023-5678");
    assert_string_equal(json_string_value(json_array_get(json_object_get(v, "aliases"), 0)),
                        "GHSA-aaaa-bbbb-cccc");
    assert_string_equal(json_string_value(json_object_get(v, "package")), "libssl3");
    assert_string_equal(json_string_value(json_object_get(v, "installed_version")),
                        "3.0.11-1~deb12u2");
    assert_string_equal(json_string_value(json_object_get(v, "fixed_version")), "3.0.13-1~deb12u1");
    assert_string_equal(json_string_value(json_object_get(v, "status")), "fixed");
    assert_string_equal(json_string_value(json_object_get(v, "severity")), "CRITICAL");
    assert_string_equal(json_string_value(json_object_get(v, "severity_source")), "cvss");
    json_t *cvss = json_object_get(v, "cvss");
    assert_true(json_real_value(json_object_get(cvss, "score")) == 9.8);
    assert_string_equal(json_string_value(json_object_get(cvss, "version")), "3.1");
    json_t *layer = json_object_get(v, "layer");
    assert_string_equal(json_string_value(json_object_get(layer, "digest")), "sha256:bbbb");
    assert_string_equal(json_string_value(json_object_get(layer, "diff_id")), "sha256:b0b0");
    assert_string_equal(json_string_value(json_object_get(v, "title")), "a title");
    assert_int_equal(json_array_size(json_object_get(v, "references")), 1);
    /* the unfixed finding: fixed_version null, cvss null */
    json_t *u = json_array_get(json_object_get(json_array_get(results, 0), "vulnerabilities"), 1);
    assert_true(json_is_null(json_object_get(u, "fixed_version")));
    assert_string_equal(json_string_value(json_object_get(u, "status")), "affected");
    assert_true(json_is_null(json_object_get(u, "cvss")));
    json_t *sum = json_object_get(doc, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "critical")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "high")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "medium")), 0);
    assert_int_equal(json_integer_value(json_object_get(sum, "low")), 1);
    assert_int_equal(json_integer_value(json_object_get(sum, "unknown")), 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "db"), "built_at")),
                        "2026-11-28T00:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(doc, "ignored")), 3);
    json_t *err = json_array_get(json_object_get(doc, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(err, "package")), "requests");
    assert_string_equal(json_string_value(json_object_get(err, "advisory")), "PYSEC-1");
    json_decref(doc);
}

static void test_report_vuln_sarif(void **state)
{
    struct fixture *fx = *state;
    struct vuln_report r = {&fx->meta, &fx->inv, &fx->fl, NULL, 0};
    json_t *doc = report_vuln_sarif(&r);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), "2.1.0");
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *rules =
        json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
    assert_int_equal(json_array_size(rules), 3); /* CVE-2021-23337 once */
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), 4);
    const char *levels[] = {"error", "error", "error", "note"};
    const int rule_index[] = {0, 1, 1, 2};
    for (size_t i = 0; i < 4; i++) {
        json_t *res = json_array_get(results, i);
        assert_string_equal(json_string_value(json_object_get(res, "level")), levels[i]);
        assert_int_equal(json_integer_value(json_object_get(res, "ruleIndex")), rule_index[i]);
    }
    json_t *loc = json_object_get(
        json_object_get(json_array_get(json_object_get(json_array_get(results, 2), "locations"), 0),
                        "physicalLocation"),
        "artifactLocation");
    assert_string_equal(json_string_value(json_object_get(loc, "uri")),
                        "srv/node_modules/lodash/package.json");
    json_t *props = json_object_get(json_array_get(rules, 0), "properties");
    assert_string_equal(json_string_value(json_object_get(props, "security-severity")), "9.8");
    json_decref(doc);
}

static void test_report_vuln_cyclonedx_refs(void **state)
{
    struct fixture *fx = *state;
    struct vuln_report r = {&fx->meta, &fx->inv, &fx->fl, NULL, 0};
    json_t *doc = report_vuln_cyclonedx(&r);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "specVersion")), "1.5");
    json_t *vulns = json_object_get(doc, "vulnerabilities");
    assert_int_equal(json_array_size(vulns), 3);
    json_t *lod = json_array_get(vulns, 1);
    assert_string_equal(json_string_value(json_object_get(lod, "id")), "CVE-2021-23337");
    json_t *affects = json_object_get(lod, "affects");
    assert_int_equal(json_array_size(affects), 2);
    /* the two lodash copies have the same purl: the second bom-ref carries "#2" */
    assert_string_equal(json_string_value(json_object_get(json_array_get(affects, 0), "ref")),
                        "pkg:npm/lodash@4.17.15");
    assert_string_equal(json_string_value(json_object_get(json_array_get(affects, 1), "ref")),
                        "pkg:npm/lodash@4.17.15#2");
    /* every ref names a component */
    json_t *comps = json_object_get(doc, "components");
    size_t vi;
    json_t *v;
    json_array_foreach(vulns, vi, v)
    {
        size_t ai;
        json_t *a;
        json_array_foreach(json_object_get(v, "affects"), ai, a)
        {
            const char *ref = json_string_value(json_object_get(a, "ref"));
            bool found = false;
            size_t ci;
            json_t *c;
            json_array_foreach(comps, ci, c) found =
                found || strcmp(json_string_value(json_object_get(c, "bom-ref")), ref) == 0;
            assert_true(found);
        }
    }
    json_t *rating = json_array_get(json_object_get(json_array_get(vulns, 0), "ratings"), 0);
    assert_string_equal(json_string_value(json_object_get(rating, "method")), "CVSSv31");
    assert_string_equal(json_string_value(json_object_get(rating, "severity")), "critical");
    json_decref(doc);
}

static void test_report_vuln_table(void **state)
{
    struct fixture *fx = *state;
    struct vuln_report r = {&fx->meta, &fx->inv, &fx->fl, "2026-11-28T00:00:00Z", 2};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(report_vuln_write_table(f, &r), 0);
    fclose(f);
    assert_non_null(strstr(buf, "reg.example/app:1 (debian 12) (os-pkgs)\n"
                                "Total: 2 (CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 1, UNKNOWN: 0)"));
    assert_non_null(
        strstr(buf, "\nTotal: 4 (CRITICAL: 1, HIGH: 2, MEDIUM: 0, LOW: 1, UNKNOWN: 0)\n"));
    assert_non_null(strstr(buf, "Ignored by the ignore file: 2"));
    assert_non_null(strstr(buf, "error: PYSEC-1: bad event"));
    char *crit = strstr(buf, "CVE-2023-5678");
    char *low = strstr(buf, "CVE-2099-0001");
    assert_non_null(crit);
    assert_non_null(low);
    assert_true(crit < low);
    free(buf);
}

static void test_report_vuln_empty(void **state)
{
    (void)state;
    struct inventory inv;
    inventory_init(&inv);
    struct finding_list fl;
    finding_list_init(&fl);
    struct image_meta m;
    memset(&m, 0, sizeof(m));
    struct vuln_report r = {&m, &inv, &fl, NULL, 0};
    json_t *doc = report_vuln_json(&r);
    assert_non_null(doc);
    assert_true(json_is_null(json_object_get(doc, "os")));
    assert_int_equal(json_array_size(json_object_get(doc, "results")), 0);
    assert_true(json_is_null(json_object_get(json_object_get(doc, "db"), "built_at")));
    json_decref(doc);
    doc = report_vuln_sarif(&r);
    assert_non_null(doc);
    json_decref(doc);
    doc = report_vuln_cyclonedx(&r);
    assert_non_null(doc);
    json_decref(doc);
    inventory_cleanup(&inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_vuln_json_contract, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_vuln_sarif, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_vuln_cyclonedx_refs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_vuln_table, setup, teardown),
        cmocka_unit_test(test_report_vuln_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
