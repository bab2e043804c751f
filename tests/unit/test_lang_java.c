/* test_lang_java.c - Java archives: pom.properties, MANIFEST.MF, file names, nested jars,
 * and hostile archives (truncated, bad central directory, bombs, nesting, not a zip).
 *
 * Fixtures are made by tests/fixtures/lang/java/make_fixtures.sh (see its header for what
 * each holds). snakeyaml-1.33.jar is Debian's libyaml-snake-java 1.33-2 jar, unchanged; its
 * META-INF/maven/org.yaml/snakeyaml/pom.properties reads groupId=org.yaml,
 * artifactId=snakeyaml, version=1.33 (unzip -p). Every expected value below was written by
 * hand from the fixture's inputs, not from this code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "blob_source.h"
#include "lang_java.h"
#include "layer_walk.h"
#include "tar_util.h"
#include "lang_test_util.h"

#define FIX DD_SOURCE_DIR "/tests/fixtures/lang/java/"

/* Parse bytes as the file at path, handed out in chunks of chunk bytes. */
static int run(const char *path, const uint8_t *data, size_t len, size_t chunk,
               const struct java_limits *lim, struct file_facts *f, struct dd_error *err)
{
    struct mem_source ms;
    struct blob_source src;
    mem_source_init(&ms, &src, data, len, chunk);
    file_facts_init(f);
    memset(err, 0, sizeof(*err));
    return java_archive_parse(path, &src, lim, f, err);
}

static int run_fixture(const char *name, const char *path, size_t chunk,
                       const struct java_limits *lim, struct file_facts *f, struct dd_error *err)
{
    char full[512];
    size_t len;
    snprintf(full, sizeof(full), FIX "%s", name);
    uint8_t *data = tu_read_file(full, &len);
    int rc = run(path, data, len, chunk, lim, f, err);
    free(data);
    return rc;
}

static const struct pkg *find(const struct file_facts *f, const char *name, const char *version,
                              const char *path)
{
    for (size_t i = 0; i < f->pkgs.n; i++) {
        const struct pkg *p = &f->pkgs.v[i];
        if (strcmp(p->name, name) == 0 && strcmp(p->version, version) == 0 &&
            strcmp(p->file_path, path) == 0)
            return p;
    }
    return NULL;
}

static void expect(const struct file_facts *f, const char *name, const char *version,
                   const char *path)
{
    const struct pkg *p = find(f, name, version, path);
    if (p == NULL) {
        for (size_t i = 0; i < f->pkgs.n; i++)
            print_message("have %s %s %s\n", f->pkgs.v[i].name, f->pkgs.v[i].version,
                          f->pkgs.v[i].file_path);
        fail_msg("missing %s %s at %s", name, version, path);
    }
    assert_int_equal(p->type, PKG_TYPE_MAVEN);
    assert_null(p->src_name);
    assert_null(p->src_version);
    assert_null(p->arch);
    assert_null(p->release);
}

/* ---- whole archives ---- */

static void test_lang_java_debian_snakeyaml(void **state)
{
    (void)state;
    static const size_t chunks[] = {0, 13, 4096, 65536};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        struct file_facts f;
        struct dd_error err;
        assert_int_equal(run_fixture("snakeyaml-1.33.jar", "usr/share/java/snakeyaml-1.33.jar",
                                     chunks[i], NULL, &f, &err),
                         0);
        assert_int_equal(f.pkgs.n, 1);
        expect(&f, "org.yaml:snakeyaml", "1.33", "usr/share/java/snakeyaml-1.33.jar");
        file_facts_cleanup(&f);
    }
}

/* Debian renames jars (maven-core-3.8.7.jar is installed as maven3-core-3.8.7.jar): a
 * pom.properties whose version equals the file name's still names the archive itself. */
static void test_lang_java_renamed_jar(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(
        run_fixture("snakeyaml-1.33.jar", "usr/share/java/yaml-snake-1.33.jar", 0, NULL, &f, &err),
        0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "org.yaml:snakeyaml", "1.33", "usr/share/java/yaml-snake-1.33.jar");
    file_facts_cleanup(&f);
}

static void test_lang_java_spring_boot_fat_jar(void **state)
{
    (void)state;
    static const size_t chunks[] = {0, 1000, 65536};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        struct file_facts f;
        struct dd_error err;
        assert_int_equal(run_fixture("app.jar", "app/app.jar", chunks[i], NULL, &f, &err), 0);
        assert_int_equal(f.pkgs.n, 7);
        expect(&f, "com.example:demo", "0.0.1-SNAPSHOT", "app/app.jar");
        expect(&f, "org.yaml:snakeyaml", "1.33", "app/app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar");
        expect(&f, "spring-core", "5.3.20", "app/app.jar!/BOOT-INF/lib/spring-core-5.3.20.jar");
        expect(&f, "com.example:shaded", "3.0", "app/app.jar!/BOOT-INF/lib/shaded-3.0.jar");
        expect(&f, "com.google.guava:guava", "31.1-jre",
               "app/app.jar!/BOOT-INF/lib/shaded-3.0.jar");
        expect(&f, "deep", "1.0", "app/app.jar!/BOOT-INF/lib/shaded-3.0.jar!/lib/deep-1.0.jar");
        expect(&f, "log4j", "1.2.17", "app/app.jar!/BOOT-INF/lib/log4j-1.2.17.jar");
        file_facts_cleanup(&f);
    }
}

static void test_lang_java_war_web_inf_lib(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("shop.war", "opt/tomcat/webapps/shop.war", 512, NULL, &f, &err),
                     0);
    assert_int_equal(f.pkgs.n, 2);
    expect(&f, "com.example:shop", "2.0", "opt/tomcat/webapps/shop.war");
    expect(&f, "log4j", "1.2.17", "opt/tomcat/webapps/shop.war!/WEB-INF/lib/log4j-1.2.17.jar");
    file_facts_cleanup(&f);
}

static void test_lang_java_manifest_only_jar(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    /* the vendor id is folded onto a continuation line by `jar` */
    assert_int_equal(run_fixture("widget.jar", "opt/w/widget.jar", 100, NULL, &f, &err), 0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "com.example.widgets.enterprise.platform.components:widget", "2.4.1",
           "opt/w/widget.jar");
    file_facts_cleanup(&f);

    assert_int_equal(run_fixture("gizmo_bundle.jar", "plugins/gizmo_bundle.jar", 0, NULL, &f, &err),
                     0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "org.acme:gizmo", "1.0.0.v20230101", "plugins/gizmo_bundle.jar");
    file_facts_cleanup(&f);

    /* Gradle-built: manifest version, artifact from the file name, no group */
    assert_int_equal(
        run_fixture("spring-core-5.3.20.jar", "lib/spring-core-5.3.20.jar", 0, NULL, &f, &err), 0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "spring-core", "5.3.20", "lib/spring-core-5.3.20.jar");
    file_facts_cleanup(&f);
}

static void test_lang_java_file_name_only_jar(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("log4j-1.2.17.jar", "lib/log4j-1.2.17.jar", 0, NULL, &f, &err), 0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "log4j", "1.2.17", "lib/log4j-1.2.17.jar");
    file_facts_cleanup(&f);

    /* the same bytes under a name without a version identify nothing */
    assert_int_equal(run_fixture("log4j-1.2.17.jar", "lib/logging.jar", 0, NULL, &f, &err), 0);
    assert_int_equal(f.pkgs.n, 0);
    file_facts_cleanup(&f);
}

static void test_lang_java_launch_script_prefix(void **state)
{
    (void)state;
    static const size_t chunks[] = {0, 1, 3, 50};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        struct file_facts f;
        struct dd_error err;
        assert_int_equal(
            run_fixture("demo-exec.jar", "app/demo-exec.jar", chunks[i], NULL, &f, &err), 0);
        assert_int_equal(f.pkgs.n, 1);
        expect(&f, "com.example:demo", "0.0.1-SNAPSHOT", "app/demo-exec.jar");
        file_facts_cleanup(&f);
    }
}

static void test_lang_java_data_descriptors(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    int rc = run_fixture("streamed-1.0.jar", "streamed-1.0.jar", 64, NULL, &f, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "com.example:streamed", "1.0", "streamed-1.0.jar");
    file_facts_cleanup(&f);
}

/* ---- hostile archives ---- */

static void test_lang_java_truncated_keeps_what_was_found(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = tu_read_file(FIX "app.jar", &len);
    struct file_facts f;
    struct dd_error err;
    /* cut inside the stored snakeyaml jar: the app's own pom came before it */
    assert_true(len > 200000);
    int rc = run("app.jar", data, 200000, 4096, NULL, &f, &err);
    assert_int_not_equal(rc, 0);
    assert_true(err.msg[0] != '\0');
    expect(&f, "com.example:demo", "0.0.1-SNAPSHOT", "app.jar");
    file_facts_cleanup(&f);

    /* cut in the middle of the first local header */
    rc = run("app.jar", data, 20, 0, NULL, &f, &err);
    assert_int_not_equal(rc, 0);
    assert_int_equal(f.pkgs.n, 0);
    file_facts_cleanup(&f);

    /* nothing at all */
    rc = run("app.jar", data, 0, 0, NULL, &f, &err);
    assert_int_equal(rc, DD_EPARSE);
    assert_int_equal(f.pkgs.n, 0);
    file_facts_cleanup(&f);
    free(data);
}

/* The streaming reader never needs the central directory: overwrite it with junk. */
static void test_lang_java_bad_central_directory(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = tu_read_file(FIX "shop.war", &len);
    /* end-of-central-directory record: the last 22 bytes (no comment); CD offset at +16 */
    assert_true(len > 22);
    assert_memory_equal(data + len - 22, "PK\5\6", 4);
    uint32_t cd = (uint32_t)data[len - 6] | (uint32_t)data[len - 5] << 8 |
                  (uint32_t)data[len - 4] << 16 | (uint32_t)data[len - 3] << 24;
    assert_true(cd < len - 22);
    memset(data + cd, 'X', len - cd);
    struct file_facts f;
    struct dd_error err;
    int rc = run("shop.war", data, len, 0, NULL, &f, &err);
    /* what the local headers said is kept; the junk is a clear error */
    assert_int_equal(rc, DD_EPARSE);
    assert_non_null(strstr(err.msg, "zip"));
    assert_int_equal(f.pkgs.n, 2);
    expect(&f, "com.example:shop", "2.0", "shop.war");
    expect(&f, "log4j", "1.2.17", "shop.war!/WEB-INF/lib/log4j-1.2.17.jar");
    file_facts_cleanup(&f);
    free(data);
}

static void test_lang_java_bomb_ratio(void **state)
{
    (void)state;
    struct java_limits lim;
    java_limits_default(&lim);
    lim.ratio_floor_bytes = 1 << 20;
    lim.max_ratio = 20;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("bomb.jar", "bomb.jar", 0, &lim, &f, &err), DD_EBOMB);
    assert_non_null(strstr(err.msg, "data/zeros.bin"));
    assert_non_null(strstr(err.msg, "20:1"));
    /* the pom before the bomb is kept; the one after it is never reached */
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "com.example:bomb", "1.0", "bomb.jar");
    file_facts_cleanup(&f);

    /* with the defaults, 64 MiB of zeros is allowed (1 MiB slack per entry) */
    assert_int_equal(run_fixture("bomb.jar", "bomb.jar", 0, NULL, &f, &err), 0);
    assert_int_equal(f.pkgs.n, 2);
    expect(&f, "com.example:after", "1.0", "bomb.jar");
    file_facts_cleanup(&f);
}

static void test_lang_java_total_bytes_cap(void **state)
{
    (void)state;
    struct java_limits lim;
    java_limits_default(&lim);
    lim.max_total_bytes = 8 << 20;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("bomb.jar", "bomb.jar", 0, &lim, &f, &err), DD_EBOMB);
    assert_non_null(strstr(err.msg, "8388608"));
    assert_int_equal(f.pkgs.n, 1);
    file_facts_cleanup(&f);

    /* nested: the cap counts bytes at every level */
    lim.max_total_bytes = 100000;
    assert_int_equal(run_fixture("app.jar", "app.jar", 0, &lim, &f, &err), DD_EBOMB);
    expect(&f, "com.example:demo", "0.0.1-SNAPSHOT", "app.jar");
    file_facts_cleanup(&f);
}

static void test_lang_java_nesting_depth_cap(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("chain0.jar", "chain0.jar", 0, NULL, &f, &err), DD_ELIMIT);
    assert_non_null(strstr(err.msg, "lib/chain5.jar"));
    assert_non_null(strstr(err.msg, "deeper than 4"));
    assert_int_equal(f.pkgs.n, 5);
    expect(&f, "com.example:chain0", "0.0", "chain0.jar");
    expect(&f, "com.example:chain1", "1.0", "chain0.jar!/lib/chain1.jar");
    expect(&f, "com.example:chain4", "4.0",
           "chain0.jar!/lib/chain1.jar!/lib/chain2.jar!/lib/chain3.jar!/lib/chain4.jar");
    file_facts_cleanup(&f);

    struct java_limits lim;
    java_limits_default(&lim);
    lim.max_depth = 0; /* nested archives are not opened at all */
    assert_int_equal(run_fixture("chain0.jar", "chain0.jar", 0, &lim, &f, &err), DD_ELIMIT);
    assert_int_equal(f.pkgs.n, 1);
    file_facts_cleanup(&f);
}

static void test_lang_java_entry_and_package_caps(void **state)
{
    (void)state;
    struct java_limits lim;
    java_limits_default(&lim);
    lim.max_entries = 3;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("app.jar", "app.jar", 0, &lim, &f, &err), DD_ELIMIT);
    assert_non_null(strstr(err.msg, "more than 3 zip entries"));
    file_facts_cleanup(&f);

    java_limits_default(&lim);
    lim.max_pkgs = 2;
    assert_int_equal(run_fixture("app.jar", "app.jar", 0, &lim, &f, &err), DD_ELIMIT);
    assert_int_equal(f.pkgs.n, 2);
    file_facts_cleanup(&f);

    java_limits_default(&lim);
    lim.max_pom_bytes = 50; /* demo's pom.properties is 109 bytes */
    assert_int_equal(run_fixture("app.jar", "app.jar", 0, &lim, &f, &err), DD_ETOOBIG);
    assert_non_null(strstr(err.msg, "META-INF/maven/com.example/demo/pom.properties"));
    /* the nested jars are still read; snakeyaml's 120-byte pom is too big as well, so its
     * manifest names it: Bundle-SymbolicName org.yaml.snakeyaml, Bundle-Version 1.33.0 */
    expect(&f, "org.yaml:snakeyaml", "1.33.0", "app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar");
    expect(&f, "shaded", "3.0", "app.jar!/BOOT-INF/lib/shaded-3.0.jar");
    assert_null(find(&f, "com.example:demo", "0.0.1-SNAPSHOT", "app.jar"));
    file_facts_cleanup(&f);
}

static void test_lang_java_not_a_zip(void **state)
{
    (void)state;
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run_fixture("notzip.jar", "notzip.jar", 0, NULL, &f, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "not a zip archive"));
    assert_int_equal(f.pkgs.n, 0);
    file_facts_cleanup(&f);

    /* "#" starts a launch script: no zip in the first MiB is an error, not a hang */
    size_t n = (2 << 20) + 10;
    uint8_t *junk = malloc(n);
    assert_non_null(junk);
    memset(junk, '#', n);
    assert_int_equal(run("x.jar", junk, n, 4096, NULL, &f, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "no zip data"));
    file_facts_cleanup(&f);
    free(junk);
}

/* A nested entry named .jar that is not a zip: its error names it, the rest is scanned. */
static void test_lang_java_nested_not_a_zip(void **state)
{
    (void)state;
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    size_t cap = 1 << 16, used = 0;
    unsigned char *mem = malloc(cap);
    assert_non_null(mem);
    archive_write_open_memory(a, mem, cap, &used);
    static const struct {
        const char *name;
        const char *data;
    } ents[] = {
        {"WEB-INF/lib/broken-1.0.jar", "plain text"},
        {"META-INF/maven/g.h/ok/pom.properties", "groupId=g.h\nartifactId=ok\nversion=1\n"},
        {"META-INF/maven/g.h/bad/pom.properties", "groupId=g.h\nartifactId=bad\n"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, ents[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
        archive_write_header(a, e);
        archive_write_data(a, ents[i].data, strlen(ents[i].data));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    struct file_facts f;
    struct dd_error err;
    assert_int_equal(run("x/app.war", mem, used, 0, NULL, &f, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "WEB-INF/lib/broken-1.0.jar: not a zip archive"));
    assert_int_equal(f.pkgs.n, 1);
    expect(&f, "g.h:ok", "1", "x/app.war");
    file_facts_cleanup(&f);
    free(mem);
}

/* Through the layer walker: a jar in a layer tar, streamed in 64 KiB chunks. */
static void test_lang_java_through_layer_walk(void **state)
{
    (void)state;
    size_t len;
    uint8_t *jar = tu_read_file(FIX "app.jar", &len);
    struct tb t;
    tb_new(&t, TB_GZIP, 4 << 20);
    tb_entry(&t, "srv/app.jar", AE_IFREG, (const char *)jar, len, NULL, 0);
    tb_file(&t, "srv/notes.txt", "not a jar");
    tb_entry(&t, "srv/broken.JAR", AE_IFREG, "junk", 4, NULL, 0);
    tb_finish(&t);
    free(jar);
    static const struct analyzer *const tab[] = {&analyzer_jar, NULL};
    struct layer_walk_opts o;
    layer_walk_opts_default(&o);
    o.analyzers = tab;
    struct mem_source ms;
    struct blob_source src;
    mem_source_init(&ms, &src, t.mem, t.used, 65536);
    struct layer_result r;
    struct dd_error err = {0};
    assert_int_equal(layer_walk(&src, &o, &r, &err), 0);
    assert_int_equal(r.n_files, 2);
    assert_string_equal(r.files[0].path, "srv/app.jar");
    assert_int_equal(r.files[0].facts.pkgs.n, 7);
    expect(&r.files[0].facts, "deep", "1.0",
           "srv/app.jar!/BOOT-INF/lib/shaded-3.0.jar!/lib/deep-1.0.jar");
    assert_int_equal(r.n_errors, 1);
    layer_result_cleanup(&r);
    tb_free(&t);
}

/* ---- pom.properties ---- */

static void pom_ok(const char *text, const char *g, const char *a, const char *v)
{
    struct java_props p = {0};
    struct dd_error err = {0};
    int rc = java_pom_properties_parse(text, strlen(text), &p, &err);
    if (rc)
        fail_msg("%s: %s", text, err.msg);
    assert_string_equal(p.group_id, g);
    assert_string_equal(p.artifact_id, a);
    assert_string_equal(p.version, v);
    java_props_cleanup(&p);
}

static void pom_bad(const char *text, size_t len, const char *msg)
{
    struct java_props p = {0};
    struct dd_error err = {0};
    assert_int_equal(java_pom_properties_parse(text, len, &p, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, msg));
    assert_null(p.group_id);
    assert_null(p.artifact_id);
    assert_null(p.version);
}

static void test_lang_java_pom_properties(void **state)
{
    (void)state;
    pom_ok("#Generated by Maven\n#Sat Jan 01 00:00:00 UTC 2022\n"
           "groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n",
           "org.yaml", "snakeyaml", "1.33");
    /* CRLF, ':' and blank separators, leading blanks, ! comments, no final newline */
    pom_ok("! comment\r\n  groupId : org.a\r\nartifactId   b\r\nversion=1.0", "org.a", "b", "1.0");
    /* continuation lines (leading blanks dropped), escapes, last duplicate wins */
    pom_ok("groupId=org.\\\n    example\nartifactId=x\\u0079z\nversion=0\nversion=2\\.0\n",
           "org.example", "xyz", "2.0");
    /* an escaped separator belongs to the key; other keys are ignored */
    pom_ok("a\\=b=c\ngroupId=g\nartifactId=a\nversion=v\nextra=\n", "g", "a", "v");
    /* Latin-1 bytes become UTF-8; \u00e9 likewise */
    pom_ok("groupId=caf\xe9\nartifactId=caf\\u00e9\nversion=1\n", "caf\xc3\xa9", "caf\xc3\xa9",
           "1");
    /* trailing blanks are trimmed from coordinates */
    pom_ok("groupId=g \t\nartifactId=a\nversion=1 \n", "g", "a", "1");

    pom_bad("groupId=g\nartifactId=a\n", strlen("groupId=g\nartifactId=a\n"), "no version");
    pom_bad("", 0, "no groupId");
    pom_bad("groupId=g\nartifactId=\nversion=1\n", 32, "artifactId is not a usable value");
    pom_bad("groupId=g h\nartifactId=a\nversion=1\n", 34, "groupId is not a usable value");
    pom_bad("groupId=g\\tx\nartifactId=a\nversion=1\n", 35, "groupId is not a usable value");
    pom_bad("groupId=\\uZZZZ\nartifactId=a\nversion=1\n", 37, "malformed");
    pom_bad("groupId=g\nartifactId=a\nversion=\\ud800\n", 37, "version is not a usable value");
    /* NUL bytes are data, not terminators */
    pom_bad("groupId=g\0x\nartifactId=a\nversion=1\n", 34, "groupId is not a usable value");
    /* a value beyond 256 bytes */
    char big[600];
    int n = snprintf(big, sizeof(big), "groupId=g\nartifactId=a\nversion=");
    memset(big + n, '7', 400);
    big[n + 400] = '\0';
    pom_bad(big, strlen(big), "version is not a usable value");
}

/* ---- MANIFEST.MF ---- */

static void test_lang_java_manifest(void **state)
{
    (void)state;
    static const char mf[] = "Manifest-Version: 1.0\r\n"
                             "Implementation-Title: Apache Commons Lang\r\n"
                             "implementation-version: 3.12.0\r\n"
                             "Implementation-Vendor-Id: org.apa\r\n"
                             " che\r\n"
                             "Export-Package: a;version=\"1\",b;version=\r\n"
                             " \"1\"\r\n"
                             "Bundle-SymbolicName: org.apache.commons.lang3; singleton:=true\r\n"
                             "Bundle-Version:3.12.0\r\n"
                             "\r\n"
                             "Name: org/apache/commons/lang3/\r\n"
                             "Implementation-Version: 9.9\r\n";
    struct java_manifest m = {0};
    struct dd_error err = {0};
    assert_int_equal(java_manifest_parse(mf, strlen(mf), &m, &err), 0);
    assert_string_equal(m.impl_title, "Apache Commons Lang");
    assert_string_equal(m.impl_version, "3.12.0"); /* not the per-entry 9.9 */
    assert_string_equal(m.impl_vendor_id, "org.apache");
    assert_string_equal(m.bundle_name, "org.apache.commons.lang3");
    assert_string_equal(m.bundle_version, "3.12.0");
    java_manifest_cleanup(&m);

    /* LF only, CR only, no final newline */
    static const char lf[] = "Bundle-Version: 2\nBundle-SymbolicName: x.y\rImplementation-Title: t";
    assert_int_equal(java_manifest_parse(lf, strlen(lf), &m, &err), 0);
    assert_string_equal(m.bundle_version, "2");
    assert_string_equal(m.bundle_name, "x.y");
    assert_string_equal(m.impl_title, "t");
    assert_null(m.impl_version);
    java_manifest_cleanup(&m);

    /* not a header: an error, with what came before kept */
    static const char bad[] = "Implementation-Version: 1.0\nthis is not a header\n";
    memset(&err, 0, sizeof(err));
    assert_int_equal(java_manifest_parse(bad, strlen(bad), &m, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "line 2"));
    assert_string_equal(m.impl_version, "1.0");
    java_manifest_cleanup(&m);

    static const char cont[] = " leading continuation\n";
    memset(&err, 0, sizeof(err));
    assert_int_equal(java_manifest_parse(cont, strlen(cont), &m, &err), DD_EPARSE);
    assert_non_null(strstr(err.msg, "continuation without a header"));
    java_manifest_cleanup(&m);

    /* values with controls, invalid UTF-8 or over 1 KiB are dropped, not errors */
    char big[3000];
    int n = snprintf(big, sizeof(big),
                     "Implementation-Version: 1\x01\nBundle-Version: \xff\xfe\n"
                     "Bundle-SymbolicName: ");
    memset(big + n, 'a', 2000);
    big[n + 2000] = '\0';
    assert_int_equal(java_manifest_parse(big, strlen(big), &m, &err), 0);
    assert_null(m.impl_version);
    assert_null(m.bundle_version);
    assert_null(m.bundle_name);
    java_manifest_cleanup(&m);

    /* an empty input or one starting with a blank line: nothing, no error */
    assert_int_equal(java_manifest_parse("\r\nA: b\r\n", 8, &m, &err), 0);
    assert_null(m.impl_title);
    java_manifest_cleanup(&m);
}

/* ---- file names and want() ---- */

static void test_lang_java_file_names(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *artifact; /* NULL: no version found */
        const char *version;
    } cases[] = {
        {"snakeyaml-1.33.jar", "snakeyaml", "1.33"},
        {"usr/share/java/log4j-1.2.17.jar", "log4j", "1.2.17"},
        {"guava-31.1-jre.jar", "guava", "31.1-jre"},
        {"log4j-1.2-api-2.17.1.jar", "log4j-1.2-api", "2.17.1"},
        {"error-prone-annotations-2.18.0.jar", "error-prone-annotations", "2.18.0"},
        {"spring-boot-2.7.0-SNAPSHOT.JAR", "spring-boot", "2.7.0-SNAPSHOT"},
        {"jetty-server-9.4.48.v20220622.jar", "jetty-server", "9.4.48.v20220622"},
        {"foo-2.0-rc-1.jar", "foo", "2.0-rc-1"},
        {"foo-20220101.jar", "foo", "20220101"},
        {"netty-codec-http2-4.1.86.Final.jar", "netty-codec-http2", "4.1.86.Final"},
        {"shop-2.war", "shop", "2"},
        {"snakeyaml.jar", NULL, NULL},
        {"app.jar", NULL, NULL},
        {"-1.0.jar", NULL, NULL},
        {"foo-.jar", NULL, NULL},
        {"foo-bar.jar", NULL, NULL},
        {"my app-1.0.jar", NULL, NULL},
        {".jar", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct java_props p = {0};
        int rc = java_file_name_parse(cases[i].in, &p);
        if (cases[i].artifact == NULL) {
            if (rc != DD_ENOTFOUND)
                fail_msg("%s: expected no version", cases[i].in);
            assert_null(p.artifact_id);
            continue;
        }
        if (rc != 0)
            fail_msg("%s: rc %d", cases[i].in, rc);
        assert_null(p.group_id);
        assert_string_equal(p.artifact_id, cases[i].artifact);
        assert_string_equal(p.version, cases[i].version);
        java_props_cleanup(&p);
    }
}

static void test_lang_java_want(void **state)
{
    (void)state;
    assert_true(java_archive_want("usr/share/java/snakeyaml-1.33.jar"));
    assert_true(java_archive_want("opt/app/app.JAR"));
    assert_true(java_archive_want("webapps/shop.war"));
    assert_true(java_archive_want("x.ear"));
    assert_true(java_archive_want("a/b.Par"));
    assert_false(java_archive_want("usr/share/java/snakeyaml.jar.sha1"));
    assert_false(java_archive_want("jar"));
    assert_false(java_archive_want("a/jarfile"));
    assert_false(java_archive_want("a/b.zip"));
    assert_false(java_archive_want(NULL));
    assert_string_equal(analyzer_jar.name, "jar");
    assert_non_null(analyzer_jar.parse_stream);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_java_debian_snakeyaml),
        cmocka_unit_test(test_lang_java_renamed_jar),
        cmocka_unit_test(test_lang_java_spring_boot_fat_jar),
        cmocka_unit_test(test_lang_java_war_web_inf_lib),
        cmocka_unit_test(test_lang_java_manifest_only_jar),
        cmocka_unit_test(test_lang_java_file_name_only_jar),
        cmocka_unit_test(test_lang_java_launch_script_prefix),
        cmocka_unit_test(test_lang_java_data_descriptors),
        cmocka_unit_test(test_lang_java_truncated_keeps_what_was_found),
        cmocka_unit_test(test_lang_java_bad_central_directory),
        cmocka_unit_test(test_lang_java_bomb_ratio),
        cmocka_unit_test(test_lang_java_total_bytes_cap),
        cmocka_unit_test(test_lang_java_nesting_depth_cap),
        cmocka_unit_test(test_lang_java_entry_and_package_caps),
        cmocka_unit_test(test_lang_java_not_a_zip),
        cmocka_unit_test(test_lang_java_nested_not_a_zip),
        cmocka_unit_test(test_lang_java_through_layer_walk),
        cmocka_unit_test(test_lang_java_pom_properties),
        cmocka_unit_test(test_lang_java_manifest),
        cmocka_unit_test(test_lang_java_file_names),
        cmocka_unit_test(test_lang_java_want),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
