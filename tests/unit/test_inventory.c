/* test_inventory.c - layer merge: rewrites, whiteouts, opaque dirs, links, attribution.
 * Layers are real tar streams walked by layer_walk, so the whole path from bytes to
 * inventory is exercised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "inventory.h"
#include "tar_util.h"

static void walk(struct tb *t, struct layer_result *r)
{
    tb_finish(t);
    struct mem_source ms;
    struct blob_source src;
    struct layer_walk_opts o;
    struct dd_error e = {0};
    layer_walk_opts_default(&o);
    mem_source_init(&ms, &src, t->mem, t->used, 0);
    assert_int_equal(layer_walk(&src, &o, r, &e), 0);
    tb_free(t);
}

static const struct pkg *find_pkg(const struct inventory *inv, const char *name)
{
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        if (strcmp(inv->pkgs.v[i].name, name) == 0)
            return &inv->pkgs.v[i];
    }
    return NULL;
}

static void cleanup_all(struct layer_result *r, size_t n, struct inventory *inv)
{
    for (size_t i = 0; i < n; i++)
        layer_result_cleanup(&r[i]);
    inventory_cleanup(inv);
}

static void test_inventory_merge_attributes_packages_to_their_layer(void **state)
{
    (void)state;
    struct layer_result r[3];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_file(&t, "var/lib/dpkg/status",
            DPKG_STANZA("base-files", "12.4") DPKG_STANZA("bash", "5.2-1")
                DPKG_STANZA("curl", "7.88.1-10"));
    walk(&t, &r[0]);
    /* layer 1 rewrites status: upgrades curl, removes bash, adds jq */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status",
            DPKG_STANZA("base-files", "12.4") DPKG_STANZA("curl", "7.88.1-10+deb12u5")
                DPKG_STANZA("jq", "1.6-2.1"));
    walk(&t, &r[1]);
    /* layer 2 rewrites it again unchanged (apt-get update + clean does this) */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status",
            DPKG_STANZA("base-files", "12.4") DPKG_STANZA("curl", "7.88.1-10+deb12u5")
                DPKG_STANZA("jq", "1.6-2.1"));
    walk(&t, &r[2]);

    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 3, &inv, &e), 0);
    assert_true(inv.has_os);
    assert_string_equal(inv.os.family, "debian");
    assert_string_equal(inv.os.version, "12");
    assert_int_equal(inv.pkgs.n, 3);
    assert_null(find_pkg(&inv, "bash"));
    assert_int_equal(find_pkg(&inv, "base-files")->layer, 0);
    assert_int_equal(find_pkg(&inv, "curl")->layer, 1);
    assert_string_equal(find_pkg(&inv, "curl")->version, "7.88.1-10+deb12u5");
    assert_int_equal(find_pkg(&inv, "jq")->layer, 1);
    assert_string_equal(find_pkg(&inv, "jq")->file_path, "var/lib/dpkg/status");
    cleanup_all(r, 3, &inv);
}

static void test_inventory_merge_applies_whiteouts_and_opaque_dirs(void **state)
{
    (void)state;
    struct layer_result r[3];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status.d/libc6", DPKG_STANZA("libc6", "2.36-9"));
    tb_file(&t, "var/lib/dpkg/status.d/libssl3", DPKG_STANZA("libssl3", "3.0.11-1"));
    tb_file(&t, "lib/apk/db/installed", "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n");
    walk(&t, &r[0]);
    /* layer 1: delete the apk db, hide status.d and put one new file in it */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "lib/apk/db/.wh.installed", "");
    tb_file(&t, "var/lib/dpkg/status.d/.wh..wh..opq", "");
    tb_file(&t, "var/lib/dpkg/status.d/zlib1g", DPKG_STANZA("zlib1g", "1:1.2.13.dfsg-1"));
    walk(&t, &r[1]);
    /* layer 2: deleting a whole directory by its name */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/.wh.status.d", "");
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("tzdata", "2024a-0+deb12u1"));
    walk(&t, &r[2]);

    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 2, &inv, &e), 0);
    assert_int_equal(inv.pkgs.n, 1);
    assert_string_equal(inv.pkgs.v[0].name, "zlib1g");
    assert_int_equal(inv.pkgs.v[0].layer, 1);
    inventory_cleanup(&inv);

    assert_int_equal(inventory_merge(r, 3, &inv, &e), 0);
    assert_int_equal(inv.pkgs.n, 1);
    assert_string_equal(inv.pkgs.v[0].name, "tzdata");
    assert_int_equal(inv.pkgs.v[0].layer, 2);
    cleanup_all(r, 3, &inv);
}

static void test_inventory_merge_reinstalled_package_gets_new_layer(void **state)
{
    (void)state;
    struct layer_result r[3];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("curl", "7.88.1-10"));
    walk(&t, &r[0]);
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/.wh.status", "");
    walk(&t, &r[1]);
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("curl", "7.88.1-10"));
    walk(&t, &r[2]);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 3, &inv, &e), 0);
    assert_int_equal(inv.pkgs.n, 1);
    assert_int_equal(inv.pkgs.v[0].layer, 2); /* history was cut by the whiteout */
    cleanup_all(r, 3, &inv);
}

static void test_inventory_merge_follows_os_release_links(void **state)
{
    (void)state;
    struct layer_result r[2];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "usr/lib/os-release",
            "ID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux v3.18\"\n");
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    walk(&t, &r[0]);
    /* upper layer turns etc/os-release into a link to the alpine file */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_symlink(&t, "etc/os-release", "../usr/lib/os-release");
    walk(&t, &r[1]);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 1, &inv, &e), 0);
    assert_string_equal(inv.os.family, "debian");
    inventory_cleanup(&inv);
    assert_int_equal(inventory_merge(r, 2, &inv, &e), 0);
    assert_string_equal(inv.os.family, "alpine");
    assert_string_equal(inv.os.version, "3.18.4");
    cleanup_all(r, 2, &inv);
}

static void test_inventory_merge_reports_link_loops(void **state)
{
    (void)state;
    struct layer_result r[1];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_symlink(&t, "etc/os-release", "../usr/lib/os-release");
    tb_symlink(&t, "usr/lib/os-release", "../../etc/os-release");
    tb_file(&t, "etc/debian_version", "12.5\n");
    walk(&t, &r[0]);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 1, &inv, &e), 0);
    /* the loop is reported (once per entry point) and the next file decides */
    assert_true(inv.n_problems >= 1);
    assert_non_null(strstr(inv.problems[0].reason, "loop"));
    assert_true(inv.has_os);
    assert_string_equal(inv.os.family, "debian");
    cleanup_all(r, 1, &inv);
}

/* Application metadata installed by an OS package belongs to that package: Debian's
 * python3-six egg-info and its jar are not PyPI/Maven packages; a pip install beside them is.
 * Removing the OS package (its file list whited out) gives the files back to pip's view. */
#define PKG_INFO(name, ver) "Metadata-Version: 2.1\nName: " name "\nVersion: " ver "\n\n"

static void test_inventory_merge_drops_os_owned_app_packages(void **state)
{
    (void)state;
    struct layer_result r[2];
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "etc/os-release", OS_RELEASE_DEBIAN12);
    tb_file(&t, "var/lib/dpkg/status", DPKG_STANZA("python3-six", "1.16.0-4"));
    tb_file(&t, "var/lib/dpkg/info/python3-six.list",
            "/.\n/usr\n/usr/lib/python3/dist-packages\n"
            "/usr/lib/python3/dist-packages/six-1.16.0.egg-info\n"
            "/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO\n"
            "/usr/lib/python3/dist-packages/six.py\n");
    tb_file(&t, "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
            PKG_INFO("six", "1.16.0"));
    tb_file(&t, "usr/local/lib/python3.11/dist-packages/attrs-23.1.0.dist-info/METADATA",
            PKG_INFO("attrs", "23.1.0"));
    walk(&t, &r[0]);
    /* the file list keeps only what an application analyzer reads */
    const struct layer_file *lf = NULL;
    for (size_t i = 0; i < r[0].n_files; i++)
        if (strcmp(r[0].files[i].path, "var/lib/dpkg/info/python3-six.list") == 0)
            lf = &r[0].files[i];
    assert_non_null(lf);
    /* "six-1.16.0.egg-info" may be a file (old setuptools): the Python analyzer wants both */
    assert_int_equal(lf->facts.n_owned, 2);
    assert_string_equal(lf->facts.owned[0], "usr/lib/python3/dist-packages/six-1.16.0.egg-info");
    assert_string_equal(lf->facts.owned[1],
                        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO");

    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(r, 1, &inv, &e), 0);
    assert_non_null(find_pkg(&inv, "python3-six"));
    assert_null(find_pkg(&inv, "six"));
    assert_non_null(find_pkg(&inv, "attrs"));
    assert_int_equal(inv.pkgs.n, 2);
    inventory_cleanup(&inv);

    /* layer 1: the deb is removed from dpkg's view (list whited out), its files left behind */
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "var/lib/dpkg/info/.wh.python3-six.list", "");
    tb_file(&t, "var/lib/dpkg/status", "");
    walk(&t, &r[1]);
    assert_int_equal(inventory_merge(r, 2, &inv, &e), 0);
    assert_non_null(find_pkg(&inv, "six"));
    assert_null(find_pkg(&inv, "python3-six"));
    cleanup_all(r, 2, &inv);
}

/* apk names the files each package installed (F: directory, R: file): py3-six's dist-info is
 * the apk's, a pip-installed one beside it stays a PyPI package. */
static void test_inventory_merge_drops_apk_owned_app_packages(void **state)
{
    (void)state;
    struct layer_result r;
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "etc/os-release", "ID=alpine\nVERSION_ID=3.18.4\n");
    tb_file(&t, "lib/apk/db/installed",
            "C:Q1abc=\nP:py3-six\nV:1.16.0-r4\nA:x86_64\no:py3-six\n"
            "F:usr/lib/python3.11/site-packages/six-1.16.0.dist-info\nR:METADATA\nR:RECORD\n"
            "F:usr/lib/python3.11/site-packages\nR:six.py\n\n");
    tb_file(&t, "usr/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
            PKG_INFO("six", "1.16.0"));
    tb_file(&t, "usr/lib/python3.11/site-packages/attrs-23.1.0.dist-info/METADATA",
            PKG_INFO("attrs", "23.1.0"));
    walk(&t, &r);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(&r, 1, &inv, &e), 0);
    assert_non_null(find_pkg(&inv, "py3-six"));
    assert_null(find_pkg(&inv, "six"));
    assert_non_null(find_pkg(&inv, "attrs"));
    cleanup_all(&r, 1, &inv);
}

/* rpm's file lists: the real rpm database of tests/fixtures/os/rpm/files owns
 * usr/lib/python3.9/site-packages/six-1.16.0.dist-info/METADATA (rpm -ql): no PyPI "six". */
static void test_inventory_merge_drops_rpm_owned_app_packages(void **state)
{
    (void)state;
    FILE *fp = fopen(DD_SOURCE_DIR "/tests/fixtures/os/rpm/files/rpmdb.sqlite", "rb");
    assert_non_null(fp);
    static char db[1 << 20];
    size_t n = fread(db, 1, sizeof(db), fp);
    fclose(fp);
    assert_true(n > 0 && n < sizeof(db));
    struct layer_result r;
    struct tb t;
    tb_new(&t, TB_NONE, 4 << 20);
    tb_file(&t, "etc/os-release", "ID=almalinux\nVERSION_ID=9.4\n");
    tb_entry(&t, "var/lib/rpm/rpmdb.sqlite", AE_IFREG, db, n, NULL, 0);
    tb_file(&t, "usr/lib/python3.9/site-packages/six-1.16.0.dist-info/METADATA",
            PKG_INFO("six", "1.16.0"));
    tb_file(&t, "usr/local/lib/python3.9/site-packages/attrs-23.1.0.dist-info/METADATA",
            PKG_INFO("attrs", "23.1.0"));
    walk(&t, &r);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(&r, 1, &inv, &e), 0);
    assert_non_null(find_pkg(&inv, "python3-fixture"));
    assert_null(find_pkg(&inv, "six"));
    assert_non_null(find_pkg(&inv, "attrs"));
    cleanup_all(&r, 1, &inv);
}

/* A lockfile entry also installed (same name and version) is one package, reported as the
 * installed one; other lockfile entries (another version, nothing installed) stay. */
static void test_inventory_merge_lockfile_entries_installed_are_one_package(void **state)
{
    (void)state;
    struct layer_result r;
    struct tb t;
    tb_new(&t, TB_NONE, 1 << 20);
    tb_file(&t, "app/package-lock.json",
            "{\"name\":\"app\",\"lockfileVersion\":3,\"packages\":{"
            "\"\":{\"name\":\"app\"},"
            "\"node_modules/lodash\":{\"version\":\"4.17.15\"},"
            "\"node_modules/ms\":{\"version\":\"2.1.3\"},"
            "\"node_modules/qs\":{\"version\":\"6.7.0\"}}}");
    tb_file(&t, "app/node_modules/lodash/package.json",
            "{\"name\":\"lodash\",\"version\":\"4.17.15\"}");
    tb_file(&t, "app/node_modules/ms/package.json", "{\"name\":\"ms\",\"version\":\"2.1.2\"}");
    walk(&t, &r);
    struct inventory inv;
    struct dd_error e = {0};
    assert_int_equal(inventory_merge(&r, 1, &inv, &e), 0);
    size_t lodash = 0, ms = 0, qs = 0;
    for (size_t i = 0; i < inv.pkgs.n; i++) {
        const struct pkg *p = &inv.pkgs.v[i];
        if (strcmp(p->name, "lodash") == 0) {
            lodash++;
            assert_string_equal(p->file_path, "app/node_modules/lodash/package.json");
        }
        ms += strcmp(p->name, "ms") == 0; /* 2.1.2 installed, 2.1.3 locked: two packages */
        if (strcmp(p->name, "qs") == 0) {
            qs++;
            assert_string_equal(p->file_path, "app/package-lock.json");
        }
    }
    assert_int_equal(lodash, 1);
    assert_int_equal(ms, 2);
    assert_int_equal(qs, 1);
    assert_int_equal(inv.pkgs.n, 4);
    cleanup_all(&r, 1, &inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inventory_merge_attributes_packages_to_their_layer),
        cmocka_unit_test(test_inventory_merge_applies_whiteouts_and_opaque_dirs),
        cmocka_unit_test(test_inventory_merge_reinstalled_package_gets_new_layer),
        cmocka_unit_test(test_inventory_merge_follows_os_release_links),
        cmocka_unit_test(test_inventory_merge_reports_link_loops),
        cmocka_unit_test(test_inventory_merge_drops_os_owned_app_packages),
        cmocka_unit_test(test_inventory_merge_drops_apk_owned_app_packages),
        cmocka_unit_test(test_inventory_merge_drops_rpm_owned_app_packages),
        cmocka_unit_test(test_inventory_merge_lockfile_entries_installed_are_one_package),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
