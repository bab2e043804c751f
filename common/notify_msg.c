/* notify_msg.c - notification payloads and messages (see notify_msg.h, docs/notify.md).
 *
 * Design: the HTTP payload is built with jansson in a fixed key order and dumped compact;
 * strings that are not valid UTF-8 (a peer-supplied error text) are made valid by replacing
 * every non-ASCII byte with '?' rather than dropping the field. The DingTalk markdown is built
 * in a capped struct buf; text taken from reports (finding IDs, package names, versions) and
 * error messages is flattened to one line, capped at NOTIFY_FIELD_MAX bytes, and markdown's
 * link and emphasis characters are backslash-escaped, so a hostile package name cannot inject
 * links or break the layout. Batched messages stop adding sections before DingTalk's message
 * size limit and say how many were left out.
 *
 * Invariants: no secret ever reaches these functions (targets are not parameters); outputs are
 * malloc'd and owned by the caller; out-parameters untouched on failure.
 *
 * Not here: signing (notify_sign.c), sending, rate limiting (the daemon).
 */
#include "notify_msg.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "image_ref.h"

#define MARKDOWN_MAX_BYTES (18u * 1024) /* DingTalk rejects messages of about 20 KB */
#define MARKDOWN_BUF_BYTES (64u * 1024)

void notify_time_rfc3339(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms < 0 || gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "1970-01-01T00:00:00Z");
}

const char *notify_event_type(const struct queue_event *ev)
{
    return ev->summary.status == QUEUE_STATUS_FAILED ? "SCAN_FAILED" : "SCAN_COMPLETED";
}

void notify_image_cleanup(struct notify_image *im)
{
    if (im == NULL)
        return;
    free(im->image);
    free(im->repository);
    free(im->tag);
    memset(im, 0, sizeof(*im));
}

int notify_image_split(const char *image, struct notify_image *out)
{
    struct image_ref ref = {0};
    struct notify_image im = {0};
    int rc = DD_ENOMEM;
    if (image == NULL)
        return DD_EINVAL;
    if (image_ref_parse(image, &ref, NULL) != 0) {
        if ((im.image = strdup(image)) == NULL)
            goto out;
    } else {
        if (ref.tag) {
            free(ref.digest);
            ref.digest = NULL;
            if ((im.tag = strdup(ref.tag)) == NULL)
                goto out;
        }
        if ((im.image = image_ref_format(&ref)) == NULL ||
            (im.repository = strdup(ref.repository)) == NULL)
            goto out;
    }
    *out = im;
    memset(&im, 0, sizeof(im));
    rc = 0;
out:
    image_ref_cleanup(&ref);
    notify_image_cleanup(&im);
    return rc;
}

int notify_report_url(const char *base, const struct notify_image *im, char **out)
{
    char *u = NULL;
    if (im->repository == NULL || im->tag == NULL) {
        *out = NULL;
        return 0;
    }
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    size_t cap = bl + strlen(im->repository) + strlen(im->tag) + 48;
    if ((u = malloc(cap)) == NULL)
        return DD_ENOMEM;
    snprintf(u, cap, "%.*s/api/v1/repos/%s/tags/%s/report", (int)bl, base, im->repository, im->tag);
    *out = u;
    return 0;
}

/* A JSON string for s (NULL -> null); invalid UTF-8 bytes become '?'. New reference. */
static json_t *jstr(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *c = strdup(s);
    if (c == NULL)
        return NULL;
    for (char *p = c; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    j = json_string(c);
    free(c);
    return j;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

int notify_payload_json(const struct queue_event *ev, const char *rule_name,
                        const char *report_base_url, char **out, size_t *len)
{
    struct notify_image im = {0};
    char *report = NULL, when[32], *text = NULL;
    json_t *o = NULL, *rule = NULL, *sum = NULL; /* owned until set into o */
    int rc = notify_image_split(ev->summary.image ? ev->summary.image : "", &im);
    if (rc)
        return rc;
    rc = DD_ENOMEM;
    if (notify_report_url(report_base_url, &im, &report) != 0)
        goto out;
    notify_time_rfc3339(ev->occurred_at_ms, when, sizeof(when));
    const struct queue_counts *c = &ev->summary.counts;
    bool failed = ev->summary.status == QUEUE_STATUS_FAILED;
    o = json_object();
    rule = json_object();
    sum = json_object();
    if (o == NULL || rule == NULL || sum == NULL)
        goto out;
    if (json_object_set_new(rule, "id", jstr(ev->rule_id ? ev->rule_id : "")) ||
        json_object_set_new(rule, "name", jstr(rule_name ? rule_name : "")) ||
        json_object_set_new(sum, "critical", json_integer(c->critical)) ||
        json_object_set_new(sum, "high", json_integer(c->high)) ||
        json_object_set_new(sum, "medium", json_integer(c->medium)) ||
        json_object_set_new(sum, "low", json_integer(c->low)) ||
        json_object_set_new(sum, "unknown", json_integer(c->unknown)))
        goto out;
    if (json_object_set_new(o, "event_type", json_string(notify_event_type(ev))) ||
        json_object_set_new(o, "event_id", jstr(ev->job_id ? ev->job_id : "")) ||
        json_object_set_new(o, "occurred_at", json_string(when)))
        goto out;
    rc = json_object_set_new(o, "rule", rule);
    rule = NULL;
    if (rc)
        goto out_nomem;
    if (json_object_set_new(o, "image", jstr(im.image)) ||
        json_object_set_new(o, "repository", jstr(im.repository)) ||
        json_object_set_new(o, "tag", jstr(im.tag)) ||
        json_object_set_new(o, "digest", jstr(nonempty(ev->summary.digest))) ||
        json_object_set_new(o, "status", json_string(queue_status_name(ev->summary.status))))
        goto out_nomem;
    rc = json_object_set_new(o, "summary", sum);
    sum = NULL;
    if (rc)
        goto out_nomem;
    if (json_object_set_new(
            o, "error", failed ? jstr(ev->summary.error ? ev->summary.error : "") : json_null()) ||
        json_object_set_new(o, "report_url", jstr(report)))
        goto out_nomem;
    text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text == NULL)
        goto out_nomem;
    *len = strlen(text);
    *out = text;
    rc = 0;
    goto out;
out_nomem:
    rc = DD_ENOMEM;
out:
    json_decref(o);
    json_decref(rule);
    json_decref(sum);
    free(report);
    notify_image_cleanup(&im);
    return rc;
}

/* --- report findings ----------------------------------------------------------------------- */

void notify_findings_free(struct notify_finding *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].id);
        free(f[i].package);
        free(f[i].installed);
        free(f[i].fixed);
    }
    free(f);
}

/* A capped copy of a JSON string member (NULL when absent or not a string). */
static int copy_field(json_t *obj, const char *key, char **out)
{
    const char *s = json_string_value(json_object_get(obj, key));
    *out = NULL;
    if (s == NULL)
        return 0;
    *out = strndup(s, NOTIFY_FIELD_MAX);
    return *out ? 0 : DD_ENOMEM;
}

int notify_report_top(const char *json, size_t len, size_t max, struct notify_finding **out,
                      size_t *n, struct dd_error *err)
{
    json_t *root = NULL; /* owned */
    json_error_t je;
    struct notify_finding *f = NULL;
    size_t nf = 0;
    int rc = DD_EPARSE;
    if (json == NULL || len > NOTIFY_REPORT_MAX_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "report missing or larger than %u bytes",
                            NOTIFY_REPORT_MAX_BYTES);
    root = json_loadb(json, len, 0, &je);
    if (!json_is_object(root)) {
        dd_error_set(err, DD_EPARSE, "report is not a JSON object");
        goto out;
    }
    if (max > 0 && (f = calloc(max, sizeof(*f))) == NULL) {
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    json_t *results = json_object_get(root, "results"); /* borrowed */
    /* highest level first; within a level, report order */
    for (int lvl = NOTIFY_SEV_CRITICAL; lvl >= NOTIFY_SEV_UNKNOWN && nf < max; lvl--) {
        for (size_t r = 0; r < json_array_size(results) && nf < max; r++) {
            json_t *vulns = json_object_get(json_array_get(results, r), "vulnerabilities");
            for (size_t v = 0; v < json_array_size(vulns) && nf < max; v++) {
                json_t *vu = json_array_get(vulns, v); /* borrowed */
                enum notify_severity s =
                    notify_severity_parse(json_string_value(json_object_get(vu, "severity")));
                if (s == NOTIFY_SEV_NONE)
                    s = NOTIFY_SEV_UNKNOWN;
                if ((int)s != lvl || !json_is_object(vu))
                    continue;
                struct notify_finding *x = &f[nf];
                if (copy_field(vu, "id", &x->id) || copy_field(vu, "package", &x->package) ||
                    copy_field(vu, "installed_version", &x->installed) ||
                    copy_field(vu, "fixed_version", &x->fixed)) {
                    nf++;
                    rc = dd_error_set(err, DD_ENOMEM, "out of memory");
                    goto out;
                }
                x->severity = s;
                nf++;
            }
        }
    }
    *out = f;
    *n = nf;
    f = NULL;
    nf = 0;
    rc = 0;
out:
    notify_findings_free(f, nf);
    json_decref(root);
    return rc;
}

/* --- DingTalk markdown ---------------------------------------------------------------------- */

/* Append s as one markdown-safe line fragment: control characters become spaces, markdown
 * link/emphasis/HTML characters are backslash-escaped, at most NOTIFY_FIELD_MAX bytes. */
static int md_text(struct buf *b, const char *s)
{
    char tmp[2 * NOTIFY_FIELD_MAX + 8];
    size_t o = 0;
    if (s == NULL || *s == '\0')
        s = "-";
    for (size_t i = 0; s[i] && i < NOTIFY_FIELD_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            tmp[o++] = ' ';
            continue;
        }
        if (strchr("\\`*_[]()<>#|!~", (int)c))
            tmp[o++] = '\\';
        tmp[o++] = (char)c;
    }
    return buf_append(b, tmp, o);
}

static int md_counts(struct buf *b, const struct queue_counts *c)
{
    return buf_printf(b,
                      "CRITICAL %" PRIu32 " · HIGH %" PRIu32 " · MEDIUM %" PRIu32 " · LOW %" PRIu32
                      " · UNKNOWN %" PRIu32,
                      c->critical, c->high, c->medium, c->low, c->unknown);
}

static int md_single(struct buf *b, const struct notify_scan *s, const char *base,
                     struct buf *title)
{
    const struct queue_event *ev = s->ev;
    struct notify_image im = {0};
    char *report = NULL;
    int rc = notify_image_split(ev->summary.image ? ev->summary.image : "", &im);
    if (rc)
        return rc;
    if ((rc = notify_report_url(base, &im, &report)) != 0)
        goto out;
    const char *status = queue_status_name(ev->summary.status);
    const char *short_name = im.repository && im.tag ? NULL : im.image;
    if ((rc = buf_printf(title, "drydock: %s ", status)) ||
        (short_name && (rc = md_text(title, short_name))))
        goto out;
    if (short_name == NULL && ((rc = md_text(title, im.repository)) ||
                               (rc = buf_append_str(title, ":")) || (rc = md_text(title, im.tag))))
        goto out;
    rc = buf_printf(b, "#### drydock scan %s\n\n- **Image**: ", status);
    rc = rc ? rc : md_text(b, im.image);
    rc = rc ? rc : buf_append_str(b, "\n- **Digest**: ");
    rc = rc ? rc : md_text(b, nonempty(ev->summary.digest));
    rc = rc ? rc : buf_printf(b, "\n- **Status**: %s\n- **Rule**: ", status);
    rc = rc ? rc : md_text(b, s->rule_name);
    if (ev->summary.status == QUEUE_STATUS_FAILED) {
        rc = rc ? rc : buf_append_str(b, "\n- **Error**: ");
        rc = rc ? rc : md_text(b, ev->summary.error);
    } else {
        rc = rc ? rc : buf_append_str(b, "\n- **Findings**: ");
        rc = rc ? rc : md_counts(b, &ev->summary.counts);
    }
    rc = rc ? rc : buf_append_str(b, "\n");
    if (rc == 0 && s->n_findings > 0) {
        rc = buf_append_str(b, "\n**Top findings**\n\n");
        for (size_t i = 0; rc == 0 && i < s->n_findings && i < NOTIFY_TOP_FINDINGS; i++) {
            const struct notify_finding *f = &s->findings[i];
            rc = buf_printf(b, "%zu. **%s** ", i + 1, notify_severity_name(f->severity));
            rc = rc ? rc : md_text(b, f->id);
            rc = rc ? rc : buf_append_str(b, " ");
            rc = rc ? rc : md_text(b, f->package);
            rc = rc ? rc : buf_append_str(b, " ");
            rc = rc ? rc : md_text(b, f->installed);
            rc = rc ? rc : buf_append_str(b, f->fixed ? " → fixed in " : " (no fix yet)");
            if (f->fixed)
                rc = rc ? rc : md_text(b, f->fixed);
            rc = rc ? rc : buf_append_str(b, "\n");
        }
    }
    if (rc == 0 && report)
        rc = buf_printf(b, "\n[Report](%s)\n", report);
out:
    free(report);
    notify_image_cleanup(&im);
    return rc;
}

static int md_batch(struct buf *b, const struct notify_scan *scans, size_t n, const char *base,
                    struct buf *title)
{
    int rc = buf_printf(title, "drydock: %zu scan results", n);
    rc = rc ? rc : buf_printf(b, "#### drydock: %zu scans finished\n\n", n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct queue_event *ev = scans[i].ev;
        struct notify_image im = {0};
        char *report = NULL;
        size_t mark = b->len;
        if (b->len > MARKDOWN_MAX_BYTES) {
            rc = buf_printf(b, "\n… and %zu more\n", n - i);
            break;
        }
        rc = notify_image_split(ev->summary.image ? ev->summary.image : "", &im);
        rc = rc ? rc : notify_report_url(base, &im, &report);
        rc = rc ? rc : buf_append_str(b, "- **");
        rc = rc ? rc : md_text(b, im.image);
        rc = rc ? rc : buf_printf(b, "** %s: ", queue_status_name(ev->summary.status));
        if (ev->summary.status == QUEUE_STATUS_FAILED)
            rc = rc ? rc : md_text(b, ev->summary.error);
        else
            rc = rc ? rc : md_counts(b, &ev->summary.counts);
        if (report)
            rc = rc ? rc : buf_printf(b, " [Report](%s)", report);
        rc = rc ? rc : buf_append_str(b, "\n");
        if (rc == DD_ETOOBIG) { /* cannot happen below MARKDOWN_BUF_BYTES, but be exact */
            b->len = mark;
            rc = 0;
        }
        free(report);
        notify_image_cleanup(&im);
    }
    return rc;
}

int notify_dingtalk_body(const struct notify_scan *scans, size_t n, const char *report_base_url,
                         char **out, size_t *len)
{
    struct buf text, title;
    json_t *o = NULL; /* owned */
    int rc;
    if (n == 0)
        return DD_EINVAL;
    buf_init(&text, MARKDOWN_BUF_BYTES);
    buf_init(&title, 1024);
    rc = n == 1 ? md_single(&text, scans, report_base_url, &title)
                : md_batch(&text, scans, n, report_base_url, &title);
    if (rc)
        goto out;
    rc = DD_ENOMEM;
    json_t *md = json_object(); /* owned until set */
    o = json_object();
    if (md == NULL || o == NULL) {
        json_decref(md);
        goto out;
    }
    if (json_object_set_new(md, "title", jstr((const char *)title.data)) ||
        json_object_set_new(md, "text", jstr((const char *)text.data))) {
        json_decref(md);
        goto out;
    }
    if (json_object_set_new(o, "msgtype", json_string("markdown")) ||
        json_object_set_new(o, "markdown", md))
        goto out;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s == NULL)
        goto out;
    *len = strlen(s);
    *out = s;
    rc = 0;
out:
    json_decref(o);
    buf_cleanup(&text);
    buf_cleanup(&title);
    return rc;
}

int notify_state(const struct queue_event *ev, char *out, size_t cap)
{
    const struct queue_counts *c = &ev->summary.counts;
    int n = snprintf(out, cap, "%s %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32,
                     queue_status_name(ev->summary.status), c->critical, c->high, c->medium, c->low,
                     c->unknown);
    return n < 0 || (size_t)n >= cap ? DD_ETOOBIG : 0;
}
