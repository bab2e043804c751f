/* report.c - inventory to JSON (drydock's shape and CycloneDX 1.5) and package URLs.
 *
 * purl rules used (github.com/package-url/purl-spec, PURL-TYPES):
 *   deb  pkg:deb/<os family>/<name>@<[epoch:]version>?arch=&distro=<family>-<ver>
 *   rpm  pkg:rpm/<os family>/<name>@<version>-<release>?arch=&distro=<family>-<ver>&epoch=
 *   apk  pkg:apk/<os family>/<name>@<version>?arch=&distro=<os version>
 *   npm  pkg:npm/%40scope/name@v   pypi: lowercased, '_' -> '-'   maven: group/artifact
 *   golang: module path split into namespace/name   composer: vendor/name
 * Qualifiers are sorted by key (the canonical form) and every component is percent-encoded
 * except the unreserved characters A-Z a-z 0-9 . - _ ~ and ':' (which the spec says need not
 * be encoded), so '+' becomes %2B. A Debian epoch stays in the version, where dpkg writes it;
 * rpm has the spec's epoch qualifier.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

char *purl_encode(const char *s)
{
    struct buf b;
    buf_init(&b, 1u << 20);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int rc;
        if (isalnum(*p) || *p == '.' || *p == '-' || *p == '_' || *p == '~' || *p == ':')
            rc = buf_append(&b, p, 1);
        else
            rc = buf_printf(&b, "%%%02X", *p);
        if (rc) {
            buf_cleanup(&b);
            return NULL;
        }
    }
    return buf_take(&b, NULL);
}

static int append_enc(struct buf *b, const char *s)
{
    char *e = purl_encode(s);
    if (e == NULL)
        return DD_ENOMEM;
    int rc = buf_append_str(b, e);
    free(e);
    return rc;
}

/* Append each '/'-separated segment encoded, keeping the slashes. */
static int append_path_enc(struct buf *b, const char *s)
{
    int rc = 0;
    while (rc == 0 && *s) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        char *seg = dd_strndup(s, n);
        if (seg == NULL)
            return DD_ENOMEM;
        rc = append_enc(b, seg);
        free(seg);
        s += n;
        if (*s == '/') {
            if (rc == 0)
                rc = buf_append(b, "/", 1);
            s++;
        }
    }
    return rc;
}

struct qual {
    const char *key;
    char value[256];
};

char *purl_for_pkg(const struct pkg *p, const struct os_info *os, bool has_os)
{
    struct buf b;
    struct qual q[4];
    int nq = 0;
    int rc = 0;
    const char *family = has_os && os->family ? os->family : NULL;
    const char *osver = has_os && os->version ? os->version : NULL;
    buf_init(&b, 1u << 20);
    rc = buf_printf(&b, "pkg:%s/", pkg_type_name(p->type));
    const char *version = p->version ? p->version : "";
    char *tmp = NULL;
    int epoch = p->epoch;

    switch (p->type) {
    case PKG_TYPE_DEB:
    case PKG_TYPE_RPM:
    case PKG_TYPE_APK:
        if (rc == 0)
            rc = append_enc(&b, family ? family
                                       : (p->type == PKG_TYPE_DEB   ? "debian"
                                          : p->type == PKG_TYPE_APK ? "alpine"
                                                                    : "redhat"));
        if (rc == 0)
            rc = buf_append(&b, "/", 1);
        if (rc == 0)
            rc = append_enc(&b, p->name);
        if (p->arch) {
            q[nq].key = "arch";
            snprintf(q[nq++].value, sizeof(q[0].value), "%s", p->arch);
        }
        if (p->type == PKG_TYPE_APK && osver) {
            q[nq].key = "distro";
            snprintf(q[nq++].value, sizeof(q[0].value), "%s", osver);
        } else if (family && osver) {
            q[nq].key = "distro";
            snprintf(q[nq++].value, sizeof(q[0].value), "%s-%s", family, osver);
        }
        if (epoch > 0) {
            q[nq].key = "epoch";
            snprintf(q[nq++].value, sizeof(q[0].value), "%d", epoch);
        }
        if (p->type == PKG_TYPE_RPM && p->release) {
            size_t n = strlen(version) + strlen(p->release) + 2;
            tmp = malloc(n);
            if (tmp == NULL) {
                rc = DD_ENOMEM;
                break;
            }
            snprintf(tmp, n, "%s-%s", version, p->release);
            version = tmp;
        }
        break;
    case PKG_TYPE_PYPI: {
        tmp = dd_strdup(p->name);
        if (tmp == NULL) {
            rc = DD_ENOMEM;
            break;
        }
        for (char *c = tmp; *c; c++)
            *c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
        if (rc == 0)
            rc = append_enc(&b, tmp);
        free(tmp);
        tmp = NULL;
        break;
    }
    case PKG_TYPE_MAVEN: {
        const char *colon = strchr(p->name, ':');
        if (colon) {
            char *g = dd_strndup(p->name, (size_t)(colon - p->name));
            rc = g ? append_enc(&b, g) : DD_ENOMEM;
            free(g);
            if (rc == 0)
                rc = buf_append(&b, "/", 1);
            if (rc == 0)
                rc = append_enc(&b, colon + 1);
        } else if (rc == 0) {
            rc = append_enc(&b, p->name);
        }
        break;
    }
    case PKG_TYPE_NPM:
    case PKG_TYPE_GOLANG:
    case PKG_TYPE_COMPOSER:
        if (rc == 0)
            rc = append_path_enc(&b, p->name);
        break;
    default:
        if (rc == 0)
            rc = append_enc(&b, p->name);
        break;
    }
    if (rc == 0 && version[0]) {
        rc = buf_append(&b, "@", 1);
        if (rc == 0)
            rc = append_enc(&b, version);
    }
    /* keys were added in sorted order: arch < distro < epoch */
    for (int i = 0; rc == 0 && i < nq; i++) {
        rc = buf_printf(&b, "%c%s=", i == 0 ? '?' : '&', q[i].key);
        if (rc == 0)
            rc = append_enc(&b, q[i].value);
    }
    free(tmp);
    if (rc) {
        buf_cleanup(&b);
        return NULL;
    }
    return buf_take(&b, NULL);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *layer_ref(const struct image_meta *m, int layer)
{
    if (layer < 0 || (size_t)layer >= m->n_layers)
        return json_null();
    const struct image_layer *l = &m->layers[layer];
    return json_pack("{s:i,s:o,s:o}", "index", layer, "digest", str_or_null(l->digest), "diff_id",
                     str_or_null(l->diff_id));
}

static const char *compression_name(enum layer_compression c)
{
    switch (c) {
    case LAYER_COMP_NONE:
        return "none";
    case LAYER_COMP_GZIP:
        return "gzip";
    case LAYER_COMP_ZSTD:
        return "zstd";
    default:
        return "unknown";
    }
}

static json_t *os_json(const struct inventory *inv)
{
    if (!inv->has_os)
        return json_null();
    return json_pack("{s:o,s:o,s:o,s:o}", "family", str_or_null(inv->os.family), "version",
                     str_or_null(inv->os.version), "codename", str_or_null(inv->os.codename),
                     "name", str_or_null(inv->os.name));
}

json_t *report_inventory_json(const struct image_meta *m, const struct inventory *inv)
{
    json_t *root = json_object();
    json_t *layers = json_array();
    json_t *pkgs = json_array();
    json_t *errors = json_array();
    if (!root || !layers || !pkgs || !errors)
        goto fail;
    json_object_set_new(root, "artifact", str_or_null(m->artifact));
    json_object_set_new(root, "digest", str_or_null(m->digest));
    if (m->index_digest)
        json_object_set_new(root, "index_digest", json_string(m->index_digest));
    json_object_set_new(root, "media_type", str_or_null(m->media_type));
    if (m->config) {
        json_object_set_new(root, "platform",
                            json_pack("{s:o,s:o,s:o}", "os", str_or_null(m->config->os),
                                      "architecture", str_or_null(m->config->arch), "variant",
                                      str_or_null(m->config->variant)));
        json_object_set_new(root, "created", str_or_null(m->config->created));
    }
    json_object_set_new(root, "os", os_json(inv));
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct image_layer *l = &m->layers[i];
        json_array_append_new(
            layers, json_pack("{s:i,s:o,s:o,s:o,s:I,s:s,s:I,s:I,s:b,s:o}", "index", (int)i,
                              "digest", str_or_null(l->digest), "diff_id", str_or_null(l->diff_id),
                              "media_type", str_or_null(l->media_type), "size", (json_int_t)l->size,
                              "compression", compression_name(l->compression), "entries",
                              (json_int_t)l->entries, "uncompressed_size", (json_int_t)l->bytes_out,
                              "skipped", l->skipped, "error", str_or_null(l->error)));
    }
    json_object_set_new(root, "layers", layers);
    layers = NULL;
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        char *purl = purl_for_pkg(p, &inv->os, inv->has_os);
        json_t *o = json_pack(
            "{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "type", pkg_type_name(p->type), "name",
            str_or_null(p->name), "version", str_or_null(p->version), "arch", str_or_null(p->arch),
            "src_name", str_or_null(p->src_name ? p->src_name : p->name), "src_version",
            str_or_null(p->src_version ? p->src_version : p->version), "path",
            str_or_null(p->file_path), "layer", layer_ref(m, p->layer), "purl", str_or_null(purl));
        free(purl);
        if (o == NULL)
            goto fail;
        if (p->release)
            json_object_set_new(o, "release", json_string(p->release));
        if (p->epoch >= 0)
            json_object_set_new(o, "epoch", json_integer(p->epoch));
        if (p->licence)
            json_object_set_new(o, "licence", json_string(p->licence));
        json_array_append_new(pkgs, o);
    }
    json_object_set_new(root, "packages", pkgs);
    pkgs = NULL;
    for (size_t i = 0; i < inv->n_problems; i++) {
        const struct inventory_problem *pr = &inv->problems[i];
        json_array_append_new(errors,
                              json_pack("{s:o,s:o,s:s}", "layer",
                                        pr->layer >= 0 ? json_integer(pr->layer) : json_null(),
                                        "path", str_or_null(pr->path), "reason", pr->reason));
    }
    json_object_set_new(root, "errors", errors);
    return root;
fail:
    json_decref(root);
    json_decref(layers);
    json_decref(pkgs);
    json_decref(errors);
    return NULL;
}

static void uuid_v4(char out[37])
{
    unsigned char r[16] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, r, sizeof(r));
        (void)n;
        close(fd);
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

static void prop(json_t *props, const char *name, const char *value)
{
    if (value)
        json_array_append_new(props, json_pack("{s:s,s:s}", "name", name, "value", value));
}

json_t *report_cyclonedx_json(const struct image_meta *m, const struct inventory *inv)
{
    char uuid[37], serial[64], ts[32];
    uuid_v4(uuid);
    snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);

    json_t *root = json_object();
    json_t *components = json_array();
    json_t *os_deps = json_array();
    json_t *deps = json_array();
    json_t *seen = json_object();
    if (!root || !components || !os_deps || !deps || !seen)
        goto fail;
    json_object_set_new(root, "$schema",
                        json_string("http://cyclonedx.org/schema/bom-1.5.schema.json"));
    json_object_set_new(root, "bomFormat", json_string("CycloneDX"));
    json_object_set_new(root, "specVersion", json_string("1.5"));
    json_object_set_new(root, "serialNumber", json_string(serial));
    json_object_set_new(root, "version", json_integer(1));

    const char *image_ref = "image";
    json_t *img_props = json_array();
    prop(img_props, "drydock:image:digest", m->digest);
    prop(img_props, "drydock:image:index_digest", m->index_digest);
    for (size_t i = 0; i < m->n_layers; i++) {
        char key[64];
        snprintf(key, sizeof(key), "drydock:layer:%zu:digest", i);
        prop(img_props, key, m->layers[i].digest);
        snprintf(key, sizeof(key), "drydock:layer:%zu:diff_id", i);
        prop(img_props, key, m->layers[i].diff_id);
    }
    json_t *image = json_pack("{s:s,s:s,s:o,s:o,s:o}", "bom-ref", image_ref, "type", "container",
                              "name", str_or_null(m->artifact), "version", str_or_null(m->digest),
                              "properties", img_props);
    json_object_set_new(root, "metadata",
                        json_pack("{s:s,s:{s:[{s:s,s:s,s:s}]},s:o}", "timestamp", ts, "tools",
                                  "components", "type", "application", "name", "drydock", "version",
                                  DD_VERSION, "component", image));

    if (inv->has_os) {
        json_t *osc =
            json_pack("{s:s,s:s,s:o,s:o}", "bom-ref", "os", "type", "operating-system", "name",
                      str_or_null(inv->os.family), "version", str_or_null(inv->os.version));
        if (inv->os.name)
            json_object_set_new(osc, "description", json_string(inv->os.name));
        json_array_append_new(components, osc);
    }
    json_t *app_deps = json_array();
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        char *purl = purl_for_pkg(p, &inv->os, inv->has_os);
        if (purl == NULL)
            continue;
        char ref[1200];
        snprintf(ref, sizeof(ref), "%s", purl);
        /* bom-refs must be unique: the same package can sit in two places */
        for (int n = 2; json_object_get(seen, ref); n++)
            snprintf(ref, sizeof(ref), "%.1100s#%d", purl, n);
        json_object_set_new(seen, ref, json_true());
        json_t *props = json_array();
        prop(props, "drydock:pkg:type", pkg_type_name(p->type));
        prop(props, "drydock:pkg:path", p->file_path);
        if (p->src_name)
            prop(props, "drydock:pkg:src_name", p->src_name);
        if (p->src_version)
            prop(props, "drydock:pkg:src_version", p->src_version);
        if (p->layer >= 0 && (size_t)p->layer < m->n_layers) {
            char idx[16];
            snprintf(idx, sizeof(idx), "%d", p->layer);
            prop(props, "drydock:layer:index", idx);
            prop(props, "drydock:layer:digest", m->layers[p->layer].digest);
            prop(props, "drydock:layer:diff_id", m->layers[p->layer].diff_id);
        }
        json_t *c = json_pack("{s:s,s:s,s:o,s:o,s:s,s:o}", "bom-ref", ref, "type", "library",
                              "name", str_or_null(p->name), "version", str_or_null(p->version),
                              "purl", purl, "properties", props);
        free(purl);
        if (c == NULL)
            goto fail;
        if (p->licence)
            json_object_set_new(c, "licenses",
                                json_pack("[{s:{s:s}}]", "license", "name", p->licence));
        json_array_append_new(components, c);
        json_array_append_new(pkg_type_is_os(p->type) && inv->has_os ? os_deps : app_deps,
                              json_string(ref));
    }
    json_object_set_new(root, "components", components);
    components = NULL;
    json_t *img_dep = json_array();
    if (inv->has_os) {
        json_array_append_new(img_dep, json_string("os"));
        json_array_append_new(deps, json_pack("{s:s,s:o}", "ref", "os", "dependsOn", os_deps));
        os_deps = NULL;
    }
    json_array_extend(img_dep, app_deps);
    json_decref(app_deps);
    json_array_insert_new(deps, 0, json_pack("{s:s,s:o}", "ref", image_ref, "dependsOn", img_dep));
    json_object_set_new(root, "dependencies", deps);
    deps = NULL;
    json_decref(os_deps);
    json_decref(seen);
    return root;
fail:
    json_decref(root);
    json_decref(components);
    json_decref(os_deps);
    json_decref(deps);
    json_decref(seen);
    return NULL;
}

int report_write(FILE *out, json_t *doc)
{
    if (doc == NULL)
        return DD_ENOMEM;
    if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        return -EIO;
    if (fputc('\n', out) == EOF || fflush(out) != 0)
        return -errno;
    return 0;
}

int report_write_inventory_table(FILE *out, const struct image_meta *m, const struct inventory *inv)
{
    size_t wname = 4, wver = 7, wsrc = 6;
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        size_t n = strlen(p->name ? p->name : "");
        wname = n > wname ? n : wname;
        n = strlen(p->version ? p->version : "") + (p->release ? strlen(p->release) + 1 : 0);
        wver = n > wver ? n : wver;
        n = strlen(p->src_name ? p->src_name : (p->name ? p->name : ""));
        wsrc = n > wsrc ? n : wsrc;
    }
    wname = wname > 48 ? 48 : wname;
    wver = wver > 40 ? 40 : wver;
    wsrc = wsrc > 32 ? 32 : wsrc;
    fprintf(out, "%s (%s)\n", m->artifact ? m->artifact : "?", m->digest ? m->digest : "?");
    if (inv->has_os)
        fprintf(out, "OS: %s %s%s%s%s\n", inv->os.family ? inv->os.family : "?",
                inv->os.version ? inv->os.version : "?", inv->os.codename ? " (" : "",
                inv->os.codename ? inv->os.codename : "", inv->os.codename ? ")" : "");
    else
        fprintf(out, "OS: not detected\n");
    fprintf(out, "Layers: %zu, packages: %zu, problems: %zu\n\n", m->n_layers, inv->pkgs.n,
            inv->n_problems);
    fprintf(out, "%-6s  %-*s  %-*s  %-*s  %-7s  %s\n", "TYPE", (int)wname, "NAME", (int)wver,
            "VERSION", (int)wsrc, "SOURCE", "ARCH", "LAYER");
    for (size_t i = 0; i < inv->pkgs.n; i++) {
        const struct pkg *p = &inv->pkgs.v[i];
        char ver[512];
        if (p->release)
            snprintf(ver, sizeof(ver), "%s-%s", p->version ? p->version : "", p->release);
        else
            snprintf(ver, sizeof(ver), "%s", p->version ? p->version : "");
        fprintf(out, "%-6s  %-*s  %-*s  %-*s  %-7s  %d\n", pkg_type_name(p->type), (int)wname,
                p->name ? p->name : "", (int)wver, ver, (int)wsrc,
                p->src_name ? p->src_name : (p->name ? p->name : ""), p->arch ? p->arch : "-",
                p->layer);
    }
    for (size_t i = 0; i < inv->n_problems; i++) {
        const struct inventory_problem *pr = &inv->problems[i];
        fprintf(out, "%sproblem: layer %d%s%s: %s\n", i == 0 ? "\n" : "", pr->layer,
                pr->path ? " " : "", pr->path ? pr->path : "", pr->reason);
    }
    if (fflush(out) != 0)
        return -errno;
    return 0;
}
