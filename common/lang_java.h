/* lang_java.h - Java archives (.jar/.war/.ear/.par): Maven coordinates from pom.properties,
 * MANIFEST.MF or the file name, including archives nested inside archives, read as a stream.
 *
 * A package is named "groupId:artifactId" (PKG_TYPE_MAVEN) or, when no source names a group,
 * "artifactId" alone. file_path is the archive's path in the image; a nested archive appends
 * "!/<entry name>" per level: "app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar".
 */
#ifndef DD_LANG_JAVA_H
#define DD_LANG_JAVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "blob_source.h"
#include "err.h"

/* Maven coordinates; every string heap-owned, NULL when unknown. */
struct java_props {
    char *group_id;
    char *artifact_id;
    char *version;
};
void java_props_cleanup(struct java_props *p);

/* The main-section attributes of a MANIFEST.MF that identify an artifact (NULL = absent). */
struct java_manifest {
    char *impl_title;     /* Implementation-Title */
    char *impl_version;   /* Implementation-Version */
    char *impl_vendor_id; /* Implementation-Vendor-Id */
    char *bundle_name;    /* Bundle-SymbolicName, parameters (";singleton:=true") removed */
    char *bundle_version; /* Bundle-Version */
};
void java_manifest_cleanup(struct java_manifest *m);

/* Hard caps for one archive tree (the file and everything nested in it). */
struct java_limits {
    unsigned max_depth;         /* nested archive levels below the file itself */
    uint64_t max_total_bytes;   /* uncompressed bytes read from entries, all levels */
    uint64_t max_entries;       /* zip entries walked, all levels */
    size_t max_pom_bytes;       /* one pom.properties; larger is an error */
    size_t max_manifest_bytes;  /* MANIFEST.MF bytes read; the rest is ignored */
    unsigned max_ratio;         /* uncompressed/compressed of one entry beyond ratio_floor */
    uint64_t ratio_floor_bytes; /* an entry may inflate this much before the ratio applies */
    size_t max_pkgs;            /* packages reported for one file */
};
void java_limits_default(struct java_limits *l);

/* Parse java.util.Properties text (Latin-1, escapes, continuations) and keep groupId,
 * artifactId and version. DD_EPARSE (out untouched) when one is missing or unusable. */
int java_pom_properties_parse(const char *data, size_t len, struct java_props *out,
                              struct dd_error *err);

/* Parse the main section of a manifest (ends at the first blank line; continuation lines
 * start with one space). Absent attributes stay NULL. DD_EPARSE with the fields read so far
 * kept in out when a line is not a "Name: value" header; out must be zeroed by the caller
 * and freed with java_manifest_cleanup() in every case. */
int java_manifest_parse(const char *data, size_t len, struct java_manifest *out,
                        struct dd_error *err);

/* "snakeyaml-1.33.jar" -> artifact "snakeyaml", version "1.33" (group NULL). name is a base
 * name with or without its extension. DD_ENOTFOUND when no "-<digit>..." version part. */
int java_file_name_parse(const char *name, struct java_props *out);

/* True for *.jar, *.war, *.ear, *.par (case-insensitive). */
bool java_archive_want(const char *path);

/* Read the zip archive at path from src (streaming; never buffered whole) and add its packages
 * and those of nested archives to out. On error returns DD_E* with err set to the first
 * problem; packages found before and after it are kept. limits NULL = defaults. */
int java_archive_parse(const char *path, struct blob_source *src, const struct java_limits *limits,
                       struct file_facts *out, struct dd_error *err);

#endif
