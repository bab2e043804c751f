/* queue.c - protobuf-c codecs for the fleet's Redis payloads, and key-name builders.
 *
 * Design: each struct here mirrors one message of proto/drydock.proto with plain C strings,
 * so the worker and the scheduler never touch protobuf-c types. Encoding builds a message on
 * the stack whose string fields borrow the caller's strings (NULL becomes ""), packs it into
 * a malloc'd buffer and returns it. Decoding unpacks with protobuf-c (which rejects malformed
 * wire data), copies what it needs, validates it, and frees the unpacked message.
 *
 * Key formats (docs/redis.md):
 *
 *   <prefix>job:<job_id>         <prefix>report:<job_id>     <prefix>pending:<digest>
 *   <prefix>tag:<registry>/<repository>:<tag>
 *   <prefix>layer:<diff_id>:<analyzer_version>                <prefix>jobs  <prefix>events
 *
 * Invariants: decoders never return a job whose ID could break a key name (only
 * [A-Za-z0-9._:-]); every payload is capped before it is unpacked; on failure the out
 * structure is untouched.
 *
 * Not here: Redis I/O, retries, record fields that are plain hash fields (the worker writes
 * those as strings).
 */
#include "queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "drydock.pb-c.h"
#include "image_ref.h"
#include "pkg.h"

/* "" for NULL: protobuf-c packs string fields with strlen. Casting away const is safe, the
 * message is only packed, never freed. */
static char *s_or_empty(const char *s)
{
    return (char *)(s ? s : "");
}

/* NULL for "" (optional fields), else a copy; *ok goes false on ENOMEM. */
static char *opt_dup(const char *s, int *ok)
{
    if (s == NULL || *s == '\0')
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *ok = 0;
    return d;
}

static char *req_dup(const char *s, int *ok)
{
    char *d = strdup(s ? s : "");
    if (d == NULL)
        *ok = 0;
    return d;
}

const char *queue_status_name(enum queue_status s)
{
    switch (s) {
    case QUEUE_STATUS_NOT_SCANNED:
        return "NOT_SCANNED";
    case QUEUE_STATUS_SCANNING:
        return "SCANNING";
    case QUEUE_STATUS_COMPLETE:
        return "COMPLETE";
    case QUEUE_STATUS_FAILED:
        return "FAILED";
    case QUEUE_STATUS_RETRYING:
        return "RETRYING";
    default:
        return "UNSPECIFIED";
    }
}

int queue_id_validate(const char *id)
{
    if (id == NULL || *id == '\0')
        return DD_EINVAL;
    size_t n = 0;
    for (const char *p = id; *p; p++, n++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok || n >= QUEUE_MAX_ID)
            return DD_EINVAL;
    }
    return 0;
}

/* Printable ASCII, no spaces, at most max bytes; empty allowed when allow_empty. */
static int text_validate(const char *s, size_t max, bool allow_empty)
{
    size_t n = strlen(s);
    if (n > max || (n == 0 && !allow_empty))
        return DD_EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return DD_EINVAL;
    return 0;
}

/* Pack any message into a fresh buffer. */
static int pack(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *b = malloc(n ? n : 1);
    if (b == NULL)
        return DD_ENOMEM;
    protobuf_c_message_pack(m, b);
    *out = b;
    *len = n;
    return 0;
}

/* --- Job --------------------------------------------------------------------------------- */

void queue_job_cleanup(struct queue_job *j)
{
    if (j == NULL)
        return;
    free(j->job_id);
    free(j->task_id);
    free(j->image);
    free(j->digest);
    free(j->platform);
    free(j->rule_id);
    memset(j, 0, sizeof(*j));
}

int queue_job_encode(const struct queue_job *j, uint8_t **out, size_t *len)
{
    Drydock__Job m = DRYDOCK__JOB__INIT;
    m.job_id = s_or_empty(j->job_id);
    m.task_id = s_or_empty(j->task_id);
    m.image = s_or_empty(j->image);
    m.digest = s_or_empty(j->digest);
    m.platform = s_or_empty(j->platform);
    m.rule_id = s_or_empty(j->rule_id);
    m.attempt = j->attempt;
    m.enqueued_at_ms = j->enqueued_at_ms;
    return pack(&m.base, out, len);
}

int queue_job_decode(const uint8_t *data, size_t len, struct queue_job *out, struct dd_error *err)
{
    struct queue_job j = {0};
    Drydock__Job *m = NULL;
    int ok = 1, rc;
    if (len > QUEUE_MAX_JOB_BYTES) {
        rc = dd_error_set(err, DD_ETOOBIG, "job payload of %zu bytes (cap %u)", len,
                          QUEUE_MAX_JOB_BYTES);
        goto out;
    }
    m = drydock__job__unpack(NULL, len, data);
    if (m == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "job payload is not a Job message");
        goto out;
    }
    if (queue_id_validate(m->job_id) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "job_id missing or not [A-Za-z0-9._:-]{1,%d}",
                          QUEUE_MAX_ID);
        goto out;
    }
    if (*m->task_id && queue_id_validate(m->task_id) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "job %s: bad task_id", m->job_id);
        goto out;
    }
    if (*m->rule_id && queue_id_validate(m->rule_id) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "job %s: bad rule_id", m->job_id);
        goto out;
    }
    if (text_validate(m->image, QUEUE_MAX_IMAGE, false) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "job %s: image missing, too long or not printable",
                          m->job_id);
        goto out;
    }
    if (text_validate(m->digest, 128, true) != 0 || text_validate(m->platform, 128, true) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "job %s: bad digest or platform", m->job_id);
        goto out;
    }
    j.job_id = req_dup(m->job_id, &ok);
    j.task_id = req_dup(m->task_id, &ok);
    j.image = req_dup(m->image, &ok);
    j.digest = req_dup(m->digest, &ok);
    j.platform = req_dup(m->platform, &ok);
    j.rule_id = req_dup(m->rule_id, &ok);
    j.attempt = m->attempt;
    j.enqueued_at_ms = m->enqueued_at_ms;
    if (!ok) {
        queue_job_cleanup(&j);
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *out = j;
    rc = 0;
out:
    if (m)
        drydock__job__free_unpacked(m, NULL);
    return rc;
}

/* --- TaskSummary and CompletionEvent ----------------------------------------------------- */

void queue_summary_cleanup(struct queue_summary *s)
{
    if (s == NULL)
        return;
    free(s->job_id);
    free(s->image);
    free(s->digest);
    free(s->error);
    free(s->db_built_at);
    memset(s, 0, sizeof(*s));
}

void queue_event_cleanup(struct queue_event *e)
{
    if (e == NULL)
        return;
    free(e->job_id);
    free(e->task_id);
    free(e->rule_id);
    queue_summary_cleanup(&e->summary);
    memset(e, 0, sizeof(*e));
}

/* Fill m (borrowing strings from s); c is the counts storage m->counts points to. */
static void summary_to_msg(const struct queue_summary *s, Drydock__TaskSummary *m,
                           Drydock__SeverityCounts *c)
{
    m->job_id = s_or_empty(s->job_id);
    m->image = s_or_empty(s->image);
    m->digest = s_or_empty(s->digest);
    m->status = (Drydock__ScanStatus)s->status;
    c->critical = s->counts.critical;
    c->high = s->counts.high;
    c->medium = s->counts.medium;
    c->low = s->counts.low;
    c->unknown = s->counts.unknown;
    m->counts = c;
    m->packages = s->packages;
    m->error = s_or_empty(s->error);
    m->attempt = s->attempt;
    m->started_at_ms = s->started_at_ms;
    m->finished_at_ms = s->finished_at_ms;
    m->db_built_at = s_or_empty(s->db_built_at);
}

static int summary_from_msg(const Drydock__TaskSummary *m, struct queue_summary *out,
                            struct dd_error *err)
{
    struct queue_summary s = {0};
    int ok = 1;
    if (m->status < 0 || m->status > DRYDOCK__SCAN_STATUS__RETRYING)
        return dd_error_set(err, DD_EPARSE, "summary status %d out of range", (int)m->status);
    if (*m->job_id && queue_id_validate(m->job_id) != 0)
        return dd_error_set(err, DD_EPARSE, "summary: bad job_id");
    s.job_id = req_dup(m->job_id, &ok);
    s.image = req_dup(m->image, &ok);
    s.digest = req_dup(m->digest, &ok);
    s.error = opt_dup(m->error, &ok);
    s.db_built_at = opt_dup(m->db_built_at, &ok);
    s.status = (enum queue_status)m->status;
    if (m->counts) {
        s.counts.critical = m->counts->critical;
        s.counts.high = m->counts->high;
        s.counts.medium = m->counts->medium;
        s.counts.low = m->counts->low;
        s.counts.unknown = m->counts->unknown;
    }
    s.packages = m->packages;
    s.attempt = m->attempt;
    s.started_at_ms = m->started_at_ms;
    s.finished_at_ms = m->finished_at_ms;
    if (!ok) {
        queue_summary_cleanup(&s);
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

int queue_summary_encode(const struct queue_summary *s, uint8_t **out, size_t *len)
{
    Drydock__TaskSummary m = DRYDOCK__TASK_SUMMARY__INIT;
    Drydock__SeverityCounts c = DRYDOCK__SEVERITY_COUNTS__INIT;
    summary_to_msg(s, &m, &c);
    return pack(&m.base, out, len);
}

int queue_summary_decode(const uint8_t *data, size_t len, struct queue_summary *out,
                         struct dd_error *err)
{
    if (len > QUEUE_MAX_JOB_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "summary payload of %zu bytes", len);
    Drydock__TaskSummary *m = drydock__task_summary__unpack(NULL, len, data);
    if (m == NULL)
        return dd_error_set(err, DD_EPARSE, "payload is not a TaskSummary message");
    int rc = summary_from_msg(m, out, err);
    drydock__task_summary__free_unpacked(m, NULL);
    return rc;
}

int queue_event_encode(const struct queue_event *e, uint8_t **out, size_t *len)
{
    Drydock__CompletionEvent m = DRYDOCK__COMPLETION_EVENT__INIT;
    Drydock__TaskSummary sm = DRYDOCK__TASK_SUMMARY__INIT;
    Drydock__SeverityCounts c = DRYDOCK__SEVERITY_COUNTS__INIT;
    summary_to_msg(&e->summary, &sm, &c);
    m.job_id = s_or_empty(e->job_id);
    m.task_id = s_or_empty(e->task_id);
    m.rule_id = s_or_empty(e->rule_id);
    m.summary = &sm;
    m.occurred_at_ms = e->occurred_at_ms;
    return pack(&m.base, out, len);
}

int queue_event_decode(const uint8_t *data, size_t len, struct queue_event *out,
                       struct dd_error *err)
{
    struct queue_event e = {0};
    int ok = 1, rc;
    if (len > QUEUE_MAX_JOB_BYTES)
        return dd_error_set(err, DD_ETOOBIG, "event payload of %zu bytes", len);
    Drydock__CompletionEvent *m = drydock__completion_event__unpack(NULL, len, data);
    if (m == NULL)
        return dd_error_set(err, DD_EPARSE, "payload is not a CompletionEvent message");
    if (queue_id_validate(m->job_id) != 0) {
        rc = dd_error_set(err, DD_EPARSE, "event: job_id missing or malformed");
        goto out;
    }
    if (m->summary == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "event %s: no summary", m->job_id);
        goto out;
    }
    rc = summary_from_msg(m->summary, &e.summary, err);
    if (rc)
        goto out;
    e.job_id = req_dup(m->job_id, &ok);
    e.task_id = req_dup(m->task_id, &ok);
    e.rule_id = req_dup(m->rule_id, &ok);
    e.occurred_at_ms = m->occurred_at_ms;
    if (!ok) {
        queue_event_cleanup(&e);
        rc = dd_error_set(err, DD_ENOMEM, "out of memory");
        goto out;
    }
    *out = e;
out:
    drydock__completion_event__free_unpacked(m, NULL);
    return rc;
}

/* --- analyzer version -------------------------------------------------------------------- */

uint32_t queue_analyzer_version(void)
{
    uint32_t h = 2166136261u;
    char line[128];
    for (size_t i = 0; analyzers_all[i]; i++) {
        int n = snprintf(line, sizeof(line), "%s:%d\n", analyzers_all[i]->name,
                         analyzers_all[i]->version);
        for (int k = 0; k < n && k < (int)sizeof(line) - 1; k++) {
            h ^= (uint8_t)line[k];
            h *= 16777619u;
        }
    }
    return h ? h : 1;
}

/* --- LayerInventory ---------------------------------------------------------------------- */

struct layer_msg {
    Drydock__LayerInventory inv;
    Drydock__LayerFile *files;
    Drydock__LayerFile **file_ptrs;
    Drydock__Package *pkgs;
    Drydock__Package **pkg_ptrs;
    Drydock__LayerLink *links;
    Drydock__LayerLink **link_ptrs;
    Drydock__LayerProblem *problems;
    Drydock__LayerProblem **problem_ptrs;
};

static void layer_msg_cleanup(struct layer_msg *lm)
{
    free(lm->files);
    free(lm->file_ptrs);
    free(lm->pkgs);
    free(lm->pkg_ptrs);
    free(lm->links);
    free(lm->link_ptrs);
    free(lm->problems);
    free(lm->problem_ptrs);
}

static void pkg_to_msg(const struct pkg *p, Drydock__Package *m)
{
    Drydock__Package init = DRYDOCK__PACKAGE__INIT;
    *m = init;
    m->type = s_or_empty(pkg_type_name(p->type));
    m->name = s_or_empty(p->name);
    m->version = s_or_empty(p->version);
    m->release = s_or_empty(p->release);
    m->epoch = p->epoch;
    m->arch = s_or_empty(p->arch);
    m->src_name = s_or_empty(p->src_name);
    m->src_version = s_or_empty(p->src_version);
    m->licence = s_or_empty(p->licence);
    m->file_path = s_or_empty(p->file_path);
}

int queue_layer_encode(const char *diff_id, uint32_t analyzer_version, const struct layer_result *r,
                       uint8_t **out, size_t *len)
{
    struct layer_msg lm = {0};
    Drydock__LayerInventory init = DRYDOCK__LAYER_INVENTORY__INIT;
    int rc = DD_ENOMEM;
    size_t n_pkgs = 0;
    for (size_t i = 0; i < r->n_files; i++)
        n_pkgs += r->files[i].facts.pkgs.n;
    lm.inv = init;
    lm.files = calloc(r->n_files + 1, sizeof(*lm.files));
    lm.file_ptrs = calloc(r->n_files + 1, sizeof(*lm.file_ptrs));
    lm.pkgs = calloc(n_pkgs + 1, sizeof(*lm.pkgs));
    lm.pkg_ptrs = calloc(n_pkgs + 1, sizeof(*lm.pkg_ptrs));
    lm.links = calloc(r->n_links + 1, sizeof(*lm.links));
    lm.link_ptrs = calloc(r->n_links + 1, sizeof(*lm.link_ptrs));
    lm.problems = calloc(r->n_errors + 1, sizeof(*lm.problems));
    lm.problem_ptrs = calloc(r->n_errors + 1, sizeof(*lm.problem_ptrs));
    if (!lm.files || !lm.file_ptrs || !lm.pkgs || !lm.pkg_ptrs || !lm.links || !lm.link_ptrs ||
        !lm.problems || !lm.problem_ptrs)
        goto out;
    size_t pk = 0;
    for (size_t i = 0; i < r->n_files; i++) {
        const struct layer_file *f = &r->files[i];
        Drydock__LayerFile fi = DRYDOCK__LAYER_FILE__INIT;
        Drydock__LayerFile *m = &lm.files[i];
        *m = fi;
        m->path = s_or_empty(f->path);
        m->analyzer = f->analyzer < 0 ? UINT32_MAX : (uint32_t)f->analyzer;
        m->packages = &lm.pkg_ptrs[pk];
        m->n_packages = f->facts.pkgs.n;
        for (size_t k = 0; k < f->facts.pkgs.n; k++, pk++) {
            pkg_to_msg(&f->facts.pkgs.v[k], &lm.pkgs[pk]);
            lm.pkg_ptrs[pk] = &lm.pkgs[pk];
        }
        m->has_os = f->facts.has_os;
        m->os_family = s_or_empty(f->facts.os.family);
        m->os_version = s_or_empty(f->facts.os.version);
        m->os_codename = s_or_empty(f->facts.os.codename);
        m->os_name = s_or_empty(f->facts.os.name);
        m->n_owned = f->facts.n_owned;
        m->owned = f->facts.owned;
        lm.file_ptrs[i] = m;
    }
    for (size_t i = 0; i < r->n_links; i++) {
        Drydock__LayerLink li = DRYDOCK__LAYER_LINK__INIT;
        lm.links[i] = li;
        lm.links[i].path = s_or_empty(r->links[i].path);
        lm.links[i].target = s_or_empty(r->links[i].target);
        lm.links[i].hard = r->links[i].hard;
        lm.link_ptrs[i] = &lm.links[i];
    }
    for (size_t i = 0; i < r->n_errors; i++) {
        Drydock__LayerProblem pi = DRYDOCK__LAYER_PROBLEM__INIT;
        lm.problems[i] = pi;
        lm.problems[i].path = s_or_empty(r->errors[i].path);
        lm.problems[i].reason = s_or_empty(r->errors[i].reason);
        lm.problem_ptrs[i] = &lm.problems[i];
    }
    lm.inv.diff_id = s_or_empty(diff_id);
    lm.inv.analyzer_version = analyzer_version;
    lm.inv.n_files = r->n_files;
    lm.inv.files = lm.file_ptrs;
    lm.inv.n_links = r->n_links;
    lm.inv.links = lm.link_ptrs;
    lm.inv.n_whiteouts = r->n_whiteouts;
    lm.inv.whiteouts = r->whiteouts;
    lm.inv.n_opaques = r->n_opaques;
    lm.inv.opaques = r->opaques;
    lm.inv.n_problems = r->n_errors;
    lm.inv.problems = lm.problem_ptrs;
    lm.inv.tar_error = s_or_empty(r->tar_error);
    lm.inv.entries = r->entries;
    lm.inv.bytes_in = r->bytes_in;
    lm.inv.bytes_out = r->bytes_out;
    rc = pack(&lm.inv.base, out, len);
out:
    layer_msg_cleanup(&lm);
    return rc;
}

static int pkg_type_from_name(const char *s, enum pkg_type *out)
{
    for (int t = 0; t < PKG_TYPE__COUNT; t++) {
        if (strcmp(pkg_type_name((enum pkg_type)t), s) == 0) {
            *out = (enum pkg_type)t;
            return 0;
        }
    }
    return DD_EPARSE;
}

static int layer_from_msg(const Drydock__LayerInventory *m, struct layer_result *r,
                          struct dd_error *err)
{
    int ok = 1;
    size_t n_an = analyzers_count();
    r->files = calloc(m->n_files + 1, sizeof(*r->files));
    r->links = calloc(m->n_links + 1, sizeof(*r->links));
    r->whiteouts = calloc(m->n_whiteouts + 1, sizeof(*r->whiteouts));
    r->opaques = calloc(m->n_opaques + 1, sizeof(*r->opaques));
    r->errors = calloc(m->n_problems + 1, sizeof(*r->errors));
    if (!r->files || !r->links || !r->whiteouts || !r->opaques || !r->errors)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    r->cap_files = m->n_files + 1;
    r->cap_links = m->n_links + 1;
    r->cap_whiteouts = m->n_whiteouts + 1;
    r->cap_opaques = m->n_opaques + 1;
    r->cap_errors = m->n_problems + 1;
    for (size_t i = 0; i < m->n_files; i++) {
        const Drydock__LayerFile *fm = m->files[i];
        struct layer_file *f = &r->files[i];
        if (*fm->path == '\0' || fm->analyzer >= n_an)
            return dd_error_set(err, DD_EPARSE, "file %zu: empty path or analyzer %u unknown", i,
                                fm->analyzer);
        file_facts_init(&f->facts);
        r->n_files++;
        f->path = req_dup(fm->path, &ok);
        f->analyzer = (int)fm->analyzer;
        for (size_t k = 0; k < fm->n_packages; k++) {
            const Drydock__Package *pm = fm->packages[k];
            struct pkg *p;
            enum pkg_type t;
            if (pkg_type_from_name(pm->type, &t) != 0)
                return dd_error_set(err, DD_EPARSE, "file %s: unknown package type", fm->path);
            if (pkg_list_add(&f->facts.pkgs, &p) != 0)
                return dd_error_set(err, DD_ENOMEM, "out of memory");
            p->type = t;
            p->name = req_dup(pm->name, &ok);
            p->version = req_dup(pm->version, &ok);
            p->release = opt_dup(pm->release, &ok);
            p->epoch = pm->epoch;
            p->arch = opt_dup(pm->arch, &ok);
            p->src_name = opt_dup(pm->src_name, &ok);
            p->src_version = opt_dup(pm->src_version, &ok);
            p->licence = opt_dup(pm->licence, &ok);
            p->file_path = opt_dup(pm->file_path, &ok);
        }
        f->facts.has_os = fm->has_os;
        if (fm->has_os) {
            f->facts.os.family = opt_dup(fm->os_family, &ok);
            f->facts.os.version = opt_dup(fm->os_version, &ok);
            f->facts.os.codename = opt_dup(fm->os_codename, &ok);
            f->facts.os.name = opt_dup(fm->os_name, &ok);
        }
        if (fm->n_owned > FACTS_MAX_OWNED)
            return dd_error_set(err, DD_EPARSE, "file %s: %zu owned paths (cap %d)", fm->path,
                                fm->n_owned, FACTS_MAX_OWNED);
        for (size_t k = 0; k < fm->n_owned; k++)
            if (file_facts_add_owned(&f->facts, fm->owned[k], strlen(fm->owned[k])) != 0)
                return dd_error_set(err, DD_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->n_links; i++) {
        r->links[i].path = req_dup(m->links[i]->path, &ok);
        r->links[i].target = req_dup(m->links[i]->target, &ok);
        r->links[i].hard = m->links[i]->hard;
        r->n_links++;
    }
    for (size_t i = 0; i < m->n_whiteouts; i++)
        r->whiteouts[r->n_whiteouts++] = req_dup(m->whiteouts[i], &ok);
    for (size_t i = 0; i < m->n_opaques; i++)
        r->opaques[r->n_opaques++] = req_dup(m->opaques[i], &ok);
    for (size_t i = 0; i < m->n_problems; i++) {
        r->errors[i].path = opt_dup(m->problems[i]->path, &ok);
        r->errors[i].reason = req_dup(m->problems[i]->reason, &ok);
        r->n_errors++;
    }
    r->tar_error = opt_dup(m->tar_error, &ok);
    r->entries = m->entries;
    r->bytes_in = m->bytes_in;
    r->bytes_out = m->bytes_out;
    if (!ok)
        return dd_error_set(err, DD_ENOMEM, "out of memory");
    return 0;
}

int queue_layer_decode(const uint8_t *data, size_t len, const char *diff_id,
                       uint32_t analyzer_version, struct layer_result *out, struct dd_error *err)
{
    struct layer_result r;
    Drydock__LayerInventory *m = NULL;
    int rc;
    layer_result_init(&r);
    if (len > QUEUE_MAX_LAYER_BYTES) {
        rc = dd_error_set(err, DD_ETOOBIG, "layer inventory of %zu bytes", len);
        goto out;
    }
    m = drydock__layer_inventory__unpack(NULL, len, data);
    if (m == NULL) {
        rc = dd_error_set(err, DD_EPARSE, "payload is not a LayerInventory message");
        goto out;
    }
    if (diff_id == NULL || strcmp(m->diff_id, diff_id) != 0 ||
        m->analyzer_version != analyzer_version) {
        rc = dd_error_set(err, DD_EPARSE, "layer inventory is for another diff_id or version");
        goto out;
    }
    rc = layer_from_msg(m, &r, err);
    if (rc)
        goto out;
    *out = r;
    layer_result_init(&r);
out:
    layer_result_cleanup(&r);
    if (m)
        drydock__layer_inventory__free_unpacked(m, NULL);
    return rc;
}

/* --- keys -------------------------------------------------------------------------------- */

static int key_fmt(size_t cap, int n)
{
    if (n < 0 || (size_t)n >= cap)
        return DD_ETOOBIG;
    return 0;
}

int queue_key(char *out, size_t cap, const char *prefix, const char *kind, const char *id)
{
    if (out == NULL || prefix == NULL || kind == NULL || id == NULL)
        return DD_EINVAL;
    return key_fmt(cap, snprintf(out, cap, "%s%s:%s", prefix, kind, id));
}

int queue_key_layer(char *out, size_t cap, const char *prefix, const char *diff_id,
                    uint32_t analyzer_version)
{
    if (out == NULL || prefix == NULL || diff_id == NULL)
        return DD_EINVAL;
    return key_fmt(cap, snprintf(out, cap, "%slayer:%s:%u", prefix, diff_id, analyzer_version));
}

int queue_key_stream(char *out, size_t cap, const char *prefix, const char *name)
{
    if (out == NULL || prefix == NULL || name == NULL)
        return DD_EINVAL;
    return key_fmt(cap, snprintf(out, cap, "%s%s", prefix, name));
}

int queue_key_tag(char *out, size_t cap, const char *prefix, const char *image)
{
    struct image_ref ref;
    struct dd_error e = {0};
    if (out == NULL || prefix == NULL || image == NULL)
        return DD_EINVAL;
    if (image_ref_parse(image, &ref, &e) != 0)
        return DD_EPARSE;
    int rc = DD_ENOTFOUND;
    if (ref.tag)
        rc = key_fmt(cap, snprintf(out, cap, "%stag:%s/%s:%s", prefix, ref.registry, ref.repository,
                                   ref.tag));
    image_ref_cleanup(&ref);
    return rc;
}
