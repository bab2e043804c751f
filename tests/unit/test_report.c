/* test_report.c - package URLs and the two report shapes. Expected purls are written by hand
 * from the purl spec (PURL-TYPES.rst) examples and rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "report.h"

static char *purl(enum pkg_type type, const char *name, const char *version, const char *release,
                  int epoch, const char *arch, const char *family, const char *osver)
{
    struct pkg p;
    memset(&p, 0, sizeof(p));
    p.type = type;
    p.name = (char *)name;
    p.version = (char *)version;
    p.release = (char *)release;
    p.epoch = epoch;
    p.arch = (char *)arch;
    struct os_info os = {(char *)family, (char *)osver, NULL, NULL};
    return purl_for_pkg(&p, &os, family != NULL);
}

static void expect(char *got, const char *want)
{
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_purl_os_packages(void **state)
{
    (void)state;
    expect(purl(PKG_TYPE_DEB, "bash", "5.2.15-2+b2", NULL, -1, "amd64", "debian", "12"),
           "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
    expect(purl(PKG_TYPE_DEB, "zlib1g", "1:1.2.13.dfsg-1", NULL, -1, "amd64", "debian", "12"),
           "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12");
    expect(purl(PKG_TYPE_DEB, "libc6", "2.35-0ubuntu3.6", NULL, -1, "amd64", "ubuntu", "22.04"),
           "pkg:deb/ubuntu/libc6@2.35-0ubuntu3.6?arch=amd64&distro=ubuntu-22.04");
    expect(purl(PKG_TYPE_APK, "musl", "1.2.4-r2", NULL, -1, "x86_64", "alpine", "3.18.4"),
           "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=3.18.4");
    expect(purl(PKG_TYPE_RPM, "openssl-libs", "3.0.7", "24.el9", 1, "x86_64", "almalinux", "9.3"),
           "pkg:rpm/almalinux/openssl-libs@3.0.7-24.el9?arch=x86_64&distro=almalinux-9.3&epoch=1");
    expect(purl(PKG_TYPE_RPM, "bash", "5.1.8", "6.el9", -1, "x86_64", "rhel", "9.3"),
           "pkg:rpm/rhel/bash@5.1.8-6.el9?arch=x86_64&distro=rhel-9.3");
    /* no OS detected: a default namespace, no distro qualifier */
    expect(purl(PKG_TYPE_DEB, "bash", "5.2", NULL, -1, NULL, NULL, NULL),
           "pkg:deb/debian/bash@5.2");
}

static void test_purl_language_packages(void **state)
{
    (void)state;
    expect(purl(PKG_TYPE_NPM, "@babel/core", "7.22.0", NULL, -1, NULL, NULL, NULL),
           "pkg:npm/%40babel/core@7.22.0");
    expect(purl(PKG_TYPE_NPM, "lodash", "4.17.15", NULL, -1, NULL, NULL, NULL),
           "pkg:npm/lodash@4.17.15");
    expect(purl(PKG_TYPE_PYPI, "Django_REST", "3.14.0", NULL, -1, NULL, NULL, NULL),
           "pkg:pypi/django-rest@3.14.0");
    expect(purl(PKG_TYPE_MAVEN, "org.yaml:snakeyaml", "1.33", NULL, -1, NULL, NULL, NULL),
           "pkg:maven/org.yaml/snakeyaml@1.33");
    expect(purl(PKG_TYPE_GOLANG, "golang.org/x/net", "v0.7.0", NULL, -1, NULL, NULL, NULL),
           "pkg:golang/golang.org/x/net@v0.7.0");
    expect(purl(PKG_TYPE_COMPOSER, "laravel/framework", "10.0.0", NULL, -1, NULL, NULL, NULL),
           "pkg:composer/laravel/framework@10.0.0");
    expect(purl(PKG_TYPE_GEM, "rails", "7.0.4", NULL, -1, NULL, NULL, NULL), "pkg:gem/rails@7.0.4");
}

static void test_report_shapes(void **state)
{
    (void)state;
    struct inventory inv;
    inventory_init(&inv);
    inv.has_os = true;
    inv.os.family = strdup("debian");
    inv.os.version = strdup("12");
    struct pkg *p;
    assert_int_equal(pkg_list_add(&inv.pkgs, &p), 0);
    p->type = PKG_TYPE_DEB;
    p->name = strdup("bash");
    p->version = strdup("5.2.15-2+b2");
    p->arch = strdup("amd64");
    p->file_path = strdup("var/lib/dpkg/status");
    p->layer = 0;
    assert_int_equal(inventory_add_problem(&inv, 0, "etc/x", "bad"), 0);
    struct image_layer layer = {.digest = "sha256:aa", .diff_id = "sha256:bb", .size = 10};
    struct image_meta m = {
        .artifact = "r/x:1", .digest = "sha256:cc", .layers = &layer, .n_layers = 1};
    json_t *j = report_inventory_json(&m, &inv);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "digest")), "sha256:cc");
    json_t *pk = json_array_get(json_object_get(j, "packages"), 0);
    assert_string_equal(json_string_value(json_object_get(pk, "src_name")), "bash");
    assert_string_equal(json_string_value(json_object_get(json_object_get(pk, "layer"), "diff_id")),
                        "sha256:bb");
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 1);
    json_decref(j);

    j = report_cyclonedx_json(&m, &inv);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "specVersion")), "1.5");
    json_t *comps = json_object_get(j, "components");
    assert_int_equal(json_array_size(comps), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(comps, 0), "type")),
                        "operating-system");
    assert_string_equal(json_string_value(json_object_get(json_array_get(comps, 1), "purl")),
                        "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&distro=debian-12");
    json_decref(j);
    inventory_cleanup(&inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purl_os_packages),
        cmocka_unit_test(test_purl_language_packages),
        cmocka_unit_test(test_report_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
