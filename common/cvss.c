/* cvss.c - CVSS vector parsing and base scores (v2.0, v3.0, v3.1, v4.0).
 *
 * Purpose: turn the CVSS vectors that advisories carry (OSV severity[].score, GHSA, NVD) into
 * a base score and a qualitative severity for drydock's severity logic.
 *
 * Design: one table per version lists every metric (name, allowed values, mandatory or not)
 * in the specification's canonical order. A single tokenizer splits "NAME:VALUE" components
 * on '/', looks each up in the version's table and records the value's index. Scoring
 * functions then read value indexes; nothing else re-parses text.
 *
 *   CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/...
 *   \______/ \_________________ base (11, mandatory, in this order) _/ \_ optional, in order
 *   prefix
 *
 * Validation rules:
 *   - v4.0: metrics in the specification's order (section 7 of the v4.0 spec; the FIRST
 *     calculator rejects other orders), each at most once, all 11 base metrics present.
 *   - v3.0/v3.1 and v2: any order (the FIRST v3 calculator and NVD accept any order), each at
 *     most once, all base metrics present. v2 vectors have no prefix.
 *   - Metric names and values are case-sensitive; no whitespace, no empty components.
 *   - Optional metrics (threat/temporal, environmental, supplemental) are validated against
 *     their value lists and kept in the normalised vector, but never change base_score.
 *
 * Scoring:
 *   - v3.x: the base equations of the v3.0/v3.1 specifications (scope changed uses
 *     7.52 x (ISS - 0.029) - 3.25 x (ISS - 0.02)^15 and the 1.08 factor). v3.1 rounds with the
 *     spec's Appendix A Roundup (integer arithmetic on input x 100000); v3.0 rounds with a
 *     plain ceiling to one decimal, as the v3.0 specification and FIRST v3.0 calculator do, so
 *     a few vectors score 0.1 higher under v3.0.
 *   - v4.0: the v4.0 specification's MacroVector method as the FIRST reference calculator
 *     implements it: EQ1..EQ6 give a MacroVector, its score comes from the expert lookup table
 *     (spec data), and the vector is interpolated down by the mean proportional severity
 *     distance to the next lower MacroVectors, then rounded half up with a 1e-6 lift (the
 *     reference calculator's fix for x.x5 ties landing one ULP low). All floating-point steps
 *     are done in the same order as the reference so results are bit-identical; this relies
 *     on IEEE double arithmetic without FMA contraction (GCC's default in ISO C mode).
 *     Base score: threat metrics E=X (treated as Attacked), CR/IR/AR=X (treated as High),
 *     modified metrics = base metrics.
 *   - v2: the v2 guide's base equation, rounded half up to one decimal.
 *
 * Invariants: out-parameters are written only on success; no allocation; input is read at most
 * CVSS_INPUT_MAX bytes. Error messages quote at most a few sanitised bytes of input.
 *
 * Deliberately not done: temporal/threat, environmental or supplemental scores; CVSS v1;
 * tolerant parsing of lowercase or whitespace-padded vectors; v2 vectors wrapped in "(...)".
 */
#include "cvss.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Severity                                                                                    */

const char *severity_name(enum severity s)
{
    switch (s) {
    case SEVERITY_LOW:
        return "LOW";
    case SEVERITY_MEDIUM:
        return "MEDIUM";
    case SEVERITY_HIGH:
        return "HIGH";
    case SEVERITY_CRITICAL:
        return "CRITICAL";
    case SEVERITY_UNKNOWN:
    default:
        return "UNKNOWN";
    }
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb - 'A' + 'a');
        if (ca != cb)
            return false;
    }
    return *a == '\0' && *b == '\0';
}

static const struct {
    const char *label;
    enum severity sev;
} SEVERITY_LABELS[] = {
    {"unknown", SEVERITY_UNKNOWN},
    {"none", SEVERITY_UNKNOWN},
    {"untriaged", SEVERITY_UNKNOWN},        /* Ubuntu priority */
    {"not yet assigned", SEVERITY_UNKNOWN}, /* Debian urgency */
    {"negligible", SEVERITY_LOW},           /* Ubuntu priority */
    {"unimportant", SEVERITY_LOW},          /* Debian urgency */
    {"low", SEVERITY_LOW},
    {"medium", SEVERITY_MEDIUM},
    {"moderate", SEVERITY_MEDIUM}, /* GHSA, Red Hat, AlmaLinux */
    {"high", SEVERITY_HIGH},
    {"important", SEVERITY_HIGH}, /* Red Hat, AlmaLinux */
    {"critical", SEVERITY_CRITICAL},
};

int severity_parse(const char *s, enum severity *out)
{
    if (s == NULL || out == NULL)
        return DD_EINVAL;
    for (size_t i = 0; i < sizeof(SEVERITY_LABELS) / sizeof(SEVERITY_LABELS[0]); i++) {
        if (ascii_ieq(s, SEVERITY_LABELS[i].label)) {
            *out = SEVERITY_LABELS[i].sev;
            return 0;
        }
    }
    return DD_EPARSE;
}

enum severity severity_from_score(double score)
{
    if (!(score >= 0.05) || score > 10.05) /* also catches NaN */
        return SEVERITY_UNKNOWN;
    if (score < 3.95)
        return SEVERITY_LOW;
    if (score < 6.95)
        return SEVERITY_MEDIUM;
    if (score < 8.95)
        return SEVERITY_HIGH;
    return SEVERITY_CRITICAL;
}

/* NVD's CVSS v2 bands: Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0 (0.0 kept as UNKNOWN). */
static enum severity severity_from_v2_score(double score)
{
    enum severity s = severity_from_score(score);
    return s == SEVERITY_CRITICAL ? SEVERITY_HIGH : s;
}

/* ------------------------------------------------------------------------------------------ */
/* Metric tables                                                                               */

struct metric_def {
    const char *name;
    const char *values; /* '|'-separated; a value's position is its index */
    bool mandatory;
};

enum { V2_AV, V2_AC, V2_AU, V2_C, V2_I, V2_A, V2_N_BASE };
static const struct metric_def V2_METRICS[] = {
    {"AV", "L|A|N", true},        {"AC", "H|M|L", true},
    {"Au", "M|S|N", true},        {"C", "N|P|C", true},
    {"I", "N|P|C", true},         {"A", "N|P|C", true},
    {"E", "U|POC|F|H|ND", false}, {"RL", "OF|TF|W|U|ND", false},
    {"RC", "UC|UR|C|ND", false},  {"CDP", "N|L|LM|MH|H|ND", false},
    {"TD", "N|L|M|H|ND", false},  {"CR", "L|M|H|ND", false},
    {"IR", "L|M|H|ND", false},    {"AR", "L|M|H|ND", false},
};

enum { V3_AV, V3_AC, V3_PR, V3_UI, V3_S, V3_C, V3_I, V3_A, V3_N_BASE };
static const struct metric_def V3_METRICS[] = {
    {"AV", "N|A|L|P", true},    {"AC", "L|H", true},       {"PR", "N|L|H", true},
    {"UI", "N|R", true},        {"S", "U|C", true},        {"C", "H|L|N", true},
    {"I", "H|L|N", true},       {"A", "H|L|N", true},      {"E", "X|U|P|F|H", false},
    {"RL", "X|O|T|W|U", false}, {"RC", "X|U|R|C", false},  {"CR", "X|L|M|H", false},
    {"IR", "X|L|M|H", false},   {"AR", "X|L|M|H", false},  {"MAV", "X|N|A|L|P", false},
    {"MAC", "X|L|H", false},    {"MPR", "X|N|L|H", false}, {"MUI", "X|N|R", false},
    {"MS", "X|U|C", false},     {"MC", "X|N|L|H", false},  {"MI", "X|N|L|H", false},
    {"MA", "X|N|L|H", false},
};

enum { V4_AV, V4_AC, V4_AT, V4_PR, V4_UI, V4_VC, V4_VI, V4_VA, V4_SC, V4_SI, V4_SA, V4_N_BASE };
static const struct metric_def V4_METRICS[] = {
    {"AV", "N|A|L|P", true},     {"AC", "L|H", true},
    {"AT", "N|P", true},         {"PR", "N|L|H", true},
    {"UI", "N|P|A", true},       {"VC", "H|L|N", true},
    {"VI", "H|L|N", true},       {"VA", "H|L|N", true},
    {"SC", "H|L|N", true},       {"SI", "H|L|N", true},
    {"SA", "H|L|N", true},       {"E", "X|A|P|U", false},
    {"CR", "X|H|M|L", false},    {"IR", "X|H|M|L", false},
    {"AR", "X|H|M|L", false},    {"MAV", "X|N|A|L|P", false},
    {"MAC", "X|L|H", false},     {"MAT", "X|N|P", false},
    {"MPR", "X|N|L|H", false},   {"MUI", "X|N|P|A", false},
    {"MVC", "X|H|L|N", false},   {"MVI", "X|H|L|N", false},
    {"MVA", "X|H|L|N", false},   {"MSC", "X|H|L|N", false},
    {"MSI", "X|S|H|L|N", false}, {"MSA", "X|S|H|L|N", false},
    {"S", "X|N|P", false},       {"AU", "X|N|Y", false},
    {"R", "X|A|U|I", false},     {"V", "X|D|C", false},
    {"RE", "X|L|M|H", false},    {"U", "X|Clear|Green|Amber|Red", false},
};

#define MAX_METRICS 32

struct version_def {
    int major, minor;
    const char *prefix; /* emitted before the normalised metrics */
    const char *label;  /* for error messages */
    const struct metric_def *metrics;
    size_t n_metrics;
    bool ordered; /* metrics must appear in table order */
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct version_def V2 = {2,    0, "", "CVSS v2", V2_METRICS, ARRAY_LEN(V2_METRICS),
                                      false};
static const struct version_def V30 = {
    3, 0, "CVSS:3.0/", "CVSS:3.0", V3_METRICS, ARRAY_LEN(V3_METRICS), false};
static const struct version_def V31 = {
    3, 1, "CVSS:3.1/", "CVSS:3.1", V3_METRICS, ARRAY_LEN(V3_METRICS), false};
static const struct version_def V40 = {
    4, 0, "CVSS:4.0/", "CVSS:4.0", V4_METRICS, ARRAY_LEN(V4_METRICS), true};

/* ------------------------------------------------------------------------------------------ */
/* Tokenizer                                                                                   */

/* Copies at most 16 bytes of untrusted text for an error message, replacing anything that is
 * not printable ASCII with '?'. */
static const char *quote(char dst[24], const char *s, size_t len)
{
    size_t j = 0;
    for (size_t i = 0; i < len && i < 16; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[j++] = (char)((c >= 0x20 && c < 0x7f) ? c : '?');
    }
    if (len > 16) {
        dst[j++] = '.';
        dst[j++] = '.';
    }
    dst[j] = '\0';
    return dst;
}

/* Index of s[0..len) in a '|'-separated list, or -1. */
static int value_index(const char *list, const char *s, size_t len)
{
    int idx = 0;
    const char *p = list;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar != NULL ? (size_t)(bar - p) : strlen(p);
        if (n == len && memcmp(p, s, len) == 0)
            return idx;
        if (bar == NULL)
            return -1;
        p = bar + 1;
        idx++;
    }
}

/* Length and start of the idx-th value in a '|'-separated list. */
static const char *value_text(const char *list, int idx, size_t *len)
{
    const char *p = list;
    for (int i = 0; i < idx; i++) {
        p = strchr(p, '|');
        assert(p != NULL);
        p++;
    }
    const char *bar = strchr(p, '|');
    *len = bar != NULL ? (size_t)(bar - p) : strlen(p);
    return p;
}

static bool is_not_defined(const char *list, int idx)
{
    size_t len;
    const char *v = value_text(list, idx, &len);
    return (len == 1 && v[0] == 'X') || (len == 2 && memcmp(v, "ND", 2) == 0);
}

/* Fills vals[i] with the value index of metric i, or -1 when absent. body is the text after
 * the prefix. */
static int parse_metrics(const struct version_def *ver, const char *body, int *vals,
                         struct dd_error *err)
{
    char q1[24], q2[24];
    int last = -1;
    size_t pos = 0;

    for (size_t i = 0; i < ver->n_metrics; i++)
        vals[i] = -1;
    if (*body == '\0')
        return dd_error_set(err, DD_EPARSE, "%s: no metrics", ver->label);

    const char *p = body;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t clen = slash != NULL ? (size_t)(slash - p) : strlen(p);
        pos++;
        if (clen == 0)
            return dd_error_set(err, DD_EPARSE, "%s: empty metric at position %zu", ver->label,
                                pos);
        const char *colon = memchr(p, ':', clen);
        if (colon == NULL)
            return dd_error_set(err, DD_EPARSE, "%s: metric '%s' has no value", ver->label,
                                quote(q1, p, clen));
        size_t nlen = (size_t)(colon - p), vlen = clen - nlen - 1;
        int m = -1;
        for (size_t i = 0; i < ver->n_metrics; i++) {
            if (strlen(ver->metrics[i].name) == nlen &&
                memcmp(ver->metrics[i].name, p, nlen) == 0) {
                m = (int)i;
                break;
            }
        }
        if (m < 0)
            return dd_error_set(err, DD_EPARSE, "%s: unknown metric '%s'", ver->label,
                                quote(q1, p, nlen));
        if (vals[m] >= 0)
            return dd_error_set(err, DD_EPARSE, "%s: metric '%s' given more than once", ver->label,
                                ver->metrics[m].name);
        if (ver->ordered && m < last)
            return dd_error_set(err, DD_EPARSE, "%s: metric '%s' out of order (after '%s')",
                                ver->label, ver->metrics[m].name, ver->metrics[last].name);
        int v = value_index(ver->metrics[m].values, colon + 1, vlen);
        if (v < 0)
            return dd_error_set(err, DD_EPARSE, "%s: metric '%s' has invalid value '%s'",
                                ver->label, ver->metrics[m].name, quote(q2, colon + 1, vlen));
        vals[m] = v;
        last = m;
        if (slash == NULL)
            break;
        p = slash + 1;
    }
    for (size_t i = 0; i < ver->n_metrics; i++) {
        if (ver->metrics[i].mandatory && vals[i] < 0)
            return dd_error_set(err, DD_EPARSE, "%s: missing base metric '%s'", ver->label,
                                ver->metrics[i].name);
    }
    return 0;
}

/* Canonical order, Not Defined values dropped. Always fits: the longest possible output (every
 * metric with its longest value) is well under CVSS_VECTOR_MAX. */
static void normalise(const struct version_def *ver, const int *vals, char *dst)
{
    size_t cap = CVSS_VECTOR_MAX, off = 0;
    int n = snprintf(dst, cap, "%s", ver->prefix);
    assert(n >= 0 && (size_t)n < cap);
    off = (size_t)n;
    bool first = true;
    for (size_t i = 0; i < ver->n_metrics; i++) {
        if (vals[i] < 0 || is_not_defined(ver->metrics[i].values, vals[i]))
            continue;
        size_t vlen;
        const char *v = value_text(ver->metrics[i].values, vals[i], &vlen);
        n = snprintf(dst + off, cap - off, "%s%s:%.*s", first ? "" : "/", ver->metrics[i].name,
                     (int)vlen, v);
        assert(n >= 0 && (size_t)n < cap - off);
        off += (size_t)n;
        first = false;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* CVSS v2                                                                                     */

static double round_half_up_1(double x)
{
    double t = x * 10.0, r = floor(t);
    if (t - r >= 0.5)
        r += 1.0;
    return r / 10.0;
}

static double v2_base_score(const int *v)
{
    static const double AV[] = {0.395, 0.646, 1.0};
    static const double AC[] = {0.35, 0.61, 0.71};
    static const double AU[] = {0.45, 0.56, 0.704};
    static const double CIA[] = {0.0, 0.275, 0.660};

    double impact = 10.41 * (1 - (1 - CIA[v[V2_C]]) * (1 - CIA[v[V2_I]]) * (1 - CIA[v[V2_A]]));
    double exploitability = 20 * AV[v[V2_AV]] * AC[v[V2_AC]] * AU[v[V2_AU]];
    if (impact == 0)
        return 0.0;
    return round_half_up_1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * 1.176);
}

/* ------------------------------------------------------------------------------------------ */
/* CVSS v3.0 / v3.1                                                                            */

/* v3.1 specification, Appendix A: round up to one decimal using integers so that tiny
 * floating-point errors (4.000000000000001) do not round up. */
static double v31_roundup(double x)
{
    long long i = (long long)floor(x * 100000.0 + 0.5);
    if (i % 10000 == 0)
        return (double)i / 100000.0;
    long long tenths = i / 10000 + 1; /* integer floor, then up one tenth */
    return (double)tenths / 10.0;
}

/* v3.0 specification: smallest one-decimal number >= input, as a plain ceiling. */
static double v30_roundup(double x)
{
    return ceil(x * 10) / 10;
}

static double v3_base_score(const int *v, int minor)
{
    static const double AV[] = {0.85, 0.62, 0.55, 0.2};
    static const double AC[] = {0.77, 0.44};
    static const double PR_U[] = {0.85, 0.62, 0.27};
    static const double PR_C[] = {0.85, 0.68, 0.5};
    static const double UI[] = {0.85, 0.62};
    static const double CIA[] = {0.56, 0.22, 0.0};

    bool changed = v[V3_S] == 1;
    double pr = changed ? PR_C[v[V3_PR]] : PR_U[v[V3_PR]];
    double iss = 1 - ((1 - CIA[v[V3_C]]) * (1 - CIA[v[V3_I]]) * (1 - CIA[v[V3_A]]));
    double impact;
    if (!changed)
        impact = 6.42 * iss;
    else
        impact = 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15);
    double exploitability = 8.22 * AV[v[V3_AV]] * AC[v[V3_AC]] * pr * UI[v[V3_UI]];

    if (impact <= 0)
        return 0.0;
    double raw =
        changed ? fmin(1.08 * (exploitability + impact), 10) : fmin(exploitability + impact, 10);
    return minor == 0 ? v30_roundup(raw) : v31_roundup(raw);
}

/* ------------------------------------------------------------------------------------------ */
/* CVSS v4.0                                                                                   */

/* Scores of the 270 MacroVectors in tenths (CVSS v4.0 specification data, as published in the
 * FIRST reference calculator's lookup table). Indexed [EQ1][EQ2][EQ3][EQ4 * 6 + EQ5 * 2 + EQ6];
 * -1 marks the impossible EQ3=2/EQ6=0 combinations. */
static const short V4_LOOKUP[3][2][3][18] = {
    {{
         /* 000xxx */ {100, 99, 98, 95, 95, 92, 100, 96, 93, 87, 91, 81, 93, 90, 89, 80, 81, 68},
         /* 001xxx */ {98, 95, 95, 92, 90, 84, 93, 92, 89, 81, 81, 65, 88, 80, 78, 70, 69, 48},
         /* 002xxx */ {-1, 92, -1, 82, -1, 72, -1, 79, -1, 69, -1, 50, -1, 69, -1, 55, -1, 27},
     },
     {
         /* 010xxx */ {99, 97, 95, 92, 92, 85, 95, 91, 90, 83, 84, 71, 92, 81, 82, 71, 72, 53},
         /* 011xxx */ {95, 93, 92, 85, 85, 73, 92, 82, 80, 72, 70, 59, 84, 70, 71, 52, 50, 30},
         /* 012xxx */ {-1, 86, -1, 75, -1, 52, -1, 71, -1, 52, -1, 29, -1, 63, -1, 29, -1, 17},
     }},
    {{
         /* 100xxx */ {98, 95, 94, 87, 91, 81, 94, 89, 86, 74, 77, 64, 87, 75, 74, 63, 63, 49},
         /* 101xxx */ {94, 89, 88, 77, 76, 67, 86, 76, 74, 58, 59, 50, 72, 57, 57, 52, 52, 25},
         /* 102xxx */ {-1, 83, -1, 70, -1, 54, -1, 65, -1, 58, -1, 26, -1, 53, -1, 21, -1, 13},
     },
     {
         /* 110xxx */ {95, 90, 88, 76, 76, 70, 90, 77, 75, 62, 61, 53, 77, 66, 68, 59, 52, 30},
         /* 111xxx */ {89, 78, 76, 67, 62, 58, 74, 59, 57, 57, 47, 23, 61, 52, 57, 29, 24, 16},
         /* 112xxx */ {-1, 71, -1, 59, -1, 30, -1, 58, -1, 26, -1, 15, -1, 23, -1, 13, -1, 6},
     }},
    {{
         /* 200xxx */ {93, 87, 86, 72, 75, 58, 86, 74, 74, 61, 56, 34, 70, 54, 52, 40, 40, 22},
         /* 201xxx */ {85, 75, 74, 55, 62, 51, 72, 57, 55, 41, 46, 19, 53, 36, 34, 19, 19, 8},
         /* 202xxx */ {-1, 64, -1, 51, -1, 20, -1, 47, -1, 21, -1, 11, -1, 24, -1, 9, -1, 4},
     },
     {
         /* 210xxx */ {88, 75, 73, 53, 60, 50, 73, 55, 59, 40, 41, 20, 54, 43, 45, 22, 20, 11},
         /* 211xxx */ {75, 55, 58, 45, 40, 21, 61, 51, 48, 18, 20, 9, 46, 18, 17, 7, 8, 2},
         /* 212xxx */ {-1, 53, -1, 24, -1, 14, -1, 24, -1, 12, -1, 5, -1, 10, -1, 3, -1, 1},
     }},
};

/* Score of a MacroVector, NaN when it does not exist (out of range or impossible). */
static double v4_macro_score(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6)
{
    if (eq1 > 2 || eq2 > 1 || eq3 > 2 || eq4 > 2 || eq5 > 2 || eq6 > 1)
        return NAN;
    int t = V4_LOOKUP[eq1][eq2][eq3][eq4 * 6 + eq5 * 2 + eq6];
    return t < 0 ? NAN : t / 10.0;
}

/* Effective metric values (single letters) that the v4 scoring reads. */
struct v4_eff {
    char av, ac, at, pr, ui, vc, vi, va, sc, si, sa, e, cr, ir, ar;
};

/* Severity "levels" per metric value, as the reference calculator defines them (tenths, with
 * 0.0 the most severe). Kept as the same double literals so sums round identically. */
static double lvl_av(char c)
{
    return c == 'N' ? 0.0 : c == 'A' ? 0.1 : c == 'L' ? 0.2 : 0.3;
}
static double lvl_pr(char c)
{
    return c == 'N' ? 0.0 : c == 'L' ? 0.1 : 0.2;
}
static double lvl_ui(char c)
{
    return c == 'N' ? 0.0 : c == 'P' ? 0.1 : 0.2;
}
static double lvl_ac(char c)
{
    return c == 'L' ? 0.0 : 0.1;
}
static double lvl_at(char c)
{
    return c == 'N' ? 0.0 : 0.1;
}
static double lvl_vimpact(char c) /* VC, VI, VA */
{
    return c == 'H' ? 0.0 : c == 'L' ? 0.1 : 0.2;
}
static double lvl_simpact(char c) /* SC, SI, SA (S only for SI/SA) */
{
    return c == 'S' ? 0.0 : c == 'H' ? 0.1 : c == 'L' ? 0.2 : 0.3;
}
static double lvl_req(char c) /* CR, IR, AR */
{
    return c == 'H' ? 0.0 : c == 'M' ? 0.1 : 0.2;
}
static double lvl_e(char c)
{
    return c == 'A' ? 0.0 : c == 'P' ? 0.1 : 0.2;
}

/* Highest-severity vectors of each EQ level ("max composed" in the reference calculator). */
static const char *const V4_MAX_EQ1[3][3] = {
    {"NNN", NULL, NULL}, /* AV PR UI */
    {"ANN", "NLN", "NNP"},
    {"PNN", "ALP", NULL},
};
static const char *const V4_MAX_EQ2[2][2] = {
    {"LN", NULL}, /* AC AT */
    {"HN", "LP"},
};
static const char *const V4_MAX_EQ3EQ6[3][2][5] = {
    /* VC VI VA CR IR AR */
    {{"HHHHHH", NULL}, {"HHLMMH", "HHHMMM", NULL}},
    {{"LHHHHH", "HLHHHH", NULL}, {"LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM"}},
    {{NULL}, {"LLLHHH", NULL}},
};
static const char *const V4_MAX_EQ4[3] = {"HSS", "HHH", "LLL"}; /* SC SI SA */
static const char V4_MAX_EQ5[3] = {'A', 'P', 'U'};              /* E */

/* Depth of each MacroVector level (maximal severity distance + 1), in steps of 0.1. */
static const int V4_MAX_SEV_EQ1[3] = {1, 4, 5};
static const int V4_MAX_SEV_EQ2[2] = {1, 2};
static const int V4_MAX_SEV_EQ3EQ6[3][2] = {{7, 6}, {8, 8}, {0, 10}};
static const int V4_MAX_SEV_EQ4[3] = {6, 5, 4};

struct v4_dist {
    double av, pr, ui, ac, at, vc, vi, va, sc, si, sa, cr, ir, ar, e;
};

static bool v4_distances(const struct v4_eff *x, const char *m1, const char *m2, const char *m36,
                         const char *m4, char m5, struct v4_dist *d)
{
    d->av = lvl_av(x->av) - lvl_av(m1[0]);
    d->pr = lvl_pr(x->pr) - lvl_pr(m1[1]);
    d->ui = lvl_ui(x->ui) - lvl_ui(m1[2]);
    d->ac = lvl_ac(x->ac) - lvl_ac(m2[0]);
    d->at = lvl_at(x->at) - lvl_at(m2[1]);
    d->vc = lvl_vimpact(x->vc) - lvl_vimpact(m36[0]);
    d->vi = lvl_vimpact(x->vi) - lvl_vimpact(m36[1]);
    d->va = lvl_vimpact(x->va) - lvl_vimpact(m36[2]);
    d->cr = lvl_req(x->cr) - lvl_req(m36[3]);
    d->ir = lvl_req(x->ir) - lvl_req(m36[4]);
    d->ar = lvl_req(x->ar) - lvl_req(m36[5]);
    d->sc = lvl_simpact(x->sc) - lvl_simpact(m4[0]);
    d->si = lvl_simpact(x->si) - lvl_simpact(m4[1]);
    d->sa = lvl_simpact(x->sa) - lvl_simpact(m4[2]);
    d->e = lvl_e(x->e) - lvl_e(m5);
    return d->av >= 0 && d->pr >= 0 && d->ui >= 0 && d->ac >= 0 && d->at >= 0 && d->vc >= 0 &&
           d->vi >= 0 && d->va >= 0 && d->sc >= 0 && d->si >= 0 && d->sa >= 0 && d->cr >= 0 &&
           d->ir >= 0 && d->ar >= 0 && d->e >= 0;
}

/* Adds one EQ's proportional distance to *sum when its next lower MacroVector exists. */
static void v4_accumulate(double value, double next_lower, double cur_distance, double depth,
                          double *sum, int *n)
{
    if (isnan(next_lower))
        return;
    double available = value - next_lower;
    (*n)++;
    *sum += available * (cur_distance / depth);
}

static double v4_score(const struct v4_eff *x)
{
    const double step = 0.1;

    if (x->vc == 'N' && x->vi == 'N' && x->va == 'N' && x->sc == 'N' && x->si == 'N' &&
        x->sa == 'N')
        return 0.0;

    /* Equivalence sets (v4.0 specification, section 8.2 tables). */
    int eq1, eq2, eq3, eq4, eq5, eq6;
    if (x->av == 'N' && x->pr == 'N' && x->ui == 'N')
        eq1 = 0;
    else if ((x->av == 'N' || x->pr == 'N' || x->ui == 'N') && x->av != 'P')
        eq1 = 1;
    else
        eq1 = 2;
    eq2 = (x->ac == 'L' && x->at == 'N') ? 0 : 1;
    if (x->vc == 'H' && x->vi == 'H')
        eq3 = 0;
    else if (x->vc == 'H' || x->vi == 'H' || x->va == 'H')
        eq3 = 1;
    else
        eq3 = 2;
    if (x->si == 'S' || x->sa == 'S')
        eq4 = 0;
    else if (x->sc == 'H' || x->si == 'H' || x->sa == 'H')
        eq4 = 1;
    else
        eq4 = 2;
    eq5 = x->e == 'A' ? 0 : x->e == 'P' ? 1 : 2;
    eq6 = ((x->cr == 'H' && x->vc == 'H') || (x->ir == 'H' && x->vi == 'H') ||
           (x->ar == 'H' && x->va == 'H'))
              ? 0
              : 1;

    double value = v4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6);
    assert(!isnan(value));

    /* Scores of the next lower MacroVector along each EQ (NaN when there is none). EQ3 and EQ6
     * move together: 00 has two lower neighbours and the higher-scoring one is used. */
    double lower_eq1 = v4_macro_score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
    double lower_eq2 = v4_macro_score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
    double lower_eq36;
    if (eq3 == 0 && eq6 == 0) {
        double left = v4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
        double right = v4_macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
        lower_eq36 = left > right ? left : right; /* both exist for 00 */
    } else if (eq3 == 1 && eq6 == 0) {
        lower_eq36 = v4_macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
    } else if (eq3 == 2) {
        lower_eq36 = NAN; /* 21 -> 32 does not exist */
    } else {
        lower_eq36 = v4_macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6); /* 01->11, 11->21 */
    }
    double lower_eq4 = v4_macro_score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
    double lower_eq5 = v4_macro_score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

    /* Severity distance from the first highest-severity vector of this MacroVector that the
     * scored vector does not exceed in any metric (composition order eq1, eq2, eq3/6, eq4, eq5,
     * innermost last; if none qualifies the last one tried is used, as the reference does). */
    struct v4_dist d = {0};
    bool found = false;
    for (int i1 = 0; i1 < 3 && !found && V4_MAX_EQ1[eq1][i1] != NULL; i1++) {
        for (int i2 = 0; i2 < 2 && !found && V4_MAX_EQ2[eq2][i2] != NULL; i2++) {
            for (int i3 = 0; i3 < 5 && !found && V4_MAX_EQ3EQ6[eq3][eq6][i3] != NULL; i3++) {
                found =
                    v4_distances(x, V4_MAX_EQ1[eq1][i1], V4_MAX_EQ2[eq2][i2],
                                 V4_MAX_EQ3EQ6[eq3][eq6][i3], V4_MAX_EQ4[eq4], V4_MAX_EQ5[eq5], &d);
            }
        }
    }

    double cur_eq1 = d.av + d.pr + d.ui;
    double cur_eq2 = d.ac + d.at;
    double cur_eq36 = d.vc + d.vi + d.va + d.cr + d.ir + d.ar;
    double cur_eq4 = d.sc + d.si + d.sa;

    /* Proportional distances, summed in the reference order eq1, eq2, eq3eq6, eq4, eq5. */
    double n1 = 0, n2 = 0, n36 = 0, n4 = 0, n5 = 0;
    int n = 0;
    v4_accumulate(value, lower_eq1, cur_eq1, V4_MAX_SEV_EQ1[eq1] * step, &n1, &n);
    v4_accumulate(value, lower_eq2, cur_eq2, V4_MAX_SEV_EQ2[eq2] * step, &n2, &n);
    v4_accumulate(value, lower_eq36, cur_eq36, V4_MAX_SEV_EQ3EQ6[eq3][eq6] * step, &n36, &n);
    v4_accumulate(value, lower_eq4, cur_eq4, V4_MAX_SEV_EQ4[eq4] * step, &n4, &n);
    if (!isnan(lower_eq5)) { /* EQ5's proportion is always 0, but it counts in the mean */
        n++;
        n5 = 0;
    }
    double mean = n == 0 ? 0 : (n1 + n2 + n36 + n4 + n5) / n;

    double score = value - mean;
    if (score > 10)
        score = 10;
    if (score < 0)
        score = 0;
    /* Round half up at one decimal after a 1e-6 lift, as the reference calculator does. */
    double t = (score + 1e-6) * 10, r = floor(t);
    if (t - r >= 0.5)
        r += 1;
    return r / 10;
}

static char v4_letter(const int *vals, int metric, char fallback)
{
    if (vals[metric] < 0)
        return fallback;
    size_t len;
    const char *v = value_text(V4_METRICS[metric].values, vals[metric], &len);
    return v[0];
}

static double v4_base_score(const int *vals)
{
    struct v4_eff x = {
        .av = v4_letter(vals, V4_AV, 0),
        .ac = v4_letter(vals, V4_AC, 0),
        .at = v4_letter(vals, V4_AT, 0),
        .pr = v4_letter(vals, V4_PR, 0),
        .ui = v4_letter(vals, V4_UI, 0),
        .vc = v4_letter(vals, V4_VC, 0),
        .vi = v4_letter(vals, V4_VI, 0),
        .va = v4_letter(vals, V4_VA, 0),
        .sc = v4_letter(vals, V4_SC, 0),
        .si = v4_letter(vals, V4_SI, 0),
        .sa = v4_letter(vals, V4_SA, 0),
        .e = 'A',  /* E:X is scored as Attacked */
        .cr = 'H', /* CR/IR/AR:X are scored as High */
        .ir = 'H',
        .ar = 'H',
    };
    return v4_score(&x);
}

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                 */

int cvss_parse(const char *vector, struct cvss *out, struct dd_error *err)
{
    const struct version_def *ver = NULL;
    const char *body = NULL;
    int vals[MAX_METRICS];
    struct cvss res;
    char q[24];
    int rc;

    if (vector == NULL || out == NULL)
        return dd_error_set(err, DD_EINVAL, "cvss_parse: NULL argument");
    size_t len = strnlen(vector, CVSS_INPUT_MAX + 1);
    if (len > CVSS_INPUT_MAX)
        return dd_error_set(err, DD_ETOOBIG, "CVSS vector longer than %d bytes", CVSS_INPUT_MAX);
    if (len == 0)
        return dd_error_set(err, DD_EPARSE, "empty CVSS vector");

    if (strncmp(vector, "CVSS:", 5) == 0) {
        const char *slash = strchr(vector + 5, '/');
        size_t vlen = slash != NULL ? (size_t)(slash - (vector + 5)) : strlen(vector + 5);
        const char *v = vector + 5;
        if (vlen == 3 && memcmp(v, "3.0", 3) == 0)
            ver = &V30;
        else if (vlen == 3 && memcmp(v, "3.1", 3) == 0)
            ver = &V31;
        else if (vlen == 3 && memcmp(v, "4.0", 3) == 0)
            ver = &V40;
        if (ver != NULL && slash == NULL)
            return dd_error_set(err, DD_EPARSE, "%s: no metrics", ver->label);
        if (ver == NULL) {
            bool numeric = vlen >= 3 && vlen <= 7 && v[0] >= '0' && v[0] <= '9' &&
                           strspn(v, "0123456789.") >= vlen && memchr(v, '.', vlen) != NULL;
            if (numeric)
                return dd_error_set(err, DD_EUNSUPPORTED, "CVSS version %s is not supported",
                                    quote(q, v, vlen));
            return dd_error_set(err, DD_EPARSE, "malformed CVSS prefix 'CVSS:%s'",
                                quote(q, v, vlen));
        }
        body = slash + 1;
    } else {
        ver = &V2;
        body = vector;
    }

    assert(ver->n_metrics <= MAX_METRICS);
    rc = parse_metrics(ver, body, vals, err);
    if (rc != 0)
        goto out;

    memset(&res, 0, sizeof(res));
    res.major = ver->major;
    res.minor = ver->minor;
    if (ver->major == 2) {
        res.base_score = v2_base_score(vals);
        res.severity = severity_from_v2_score(res.base_score);
    } else if (ver->major == 3) {
        res.base_score = v3_base_score(vals, ver->minor);
        res.severity = severity_from_score(res.base_score);
    } else {
        res.base_score = v4_base_score(vals);
        res.severity = severity_from_score(res.base_score);
    }
    normalise(ver, vals, res.vector);
    *out = res;
out:
    return rc;
}
