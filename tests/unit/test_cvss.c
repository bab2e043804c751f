/* test_cvss.c - unit tests for common/cvss.c.
 *
 * Where the expected scores come from (never from the code under test):
 *   - FIRST_CALC: FIRST's official reference calculators, run under node on this machine:
 *     cvsscalc31.js (CVSS v3.1 calculator, FIRST.ORG 2019, 2019-06-01 revision),
 *     cvsscalc30.js (FIRST v3.0 calculator), and cvss40.js, the CVSS v4.0 reference calculator
 *     that FIRST's calculator is built from (RedHatProductSecurity/cvss-v4-calculator commit
 *     d1eafe0, 2024-11-01, which includes the rounding fix for x.x5 ties). The vectors in the
 *     *_FROM_SHARED_DATA tables are real severity[].score vectors from ../shared/data
 *     (osv-fixtures and osv-bench); the third column names the record each was taken from.
 *     v4.0 vectors with threat/environmental/supplemental metrics were scored by the calculator
 *     with those metrics removed (CVSS-B).
 *   - NVD: scores NVD publishes for the named CVE with exactly that vector.
 *   - V2_GUIDE: the worked examples of "CVSS v2 Complete Documentation", section 3.3.
 * Separately (not part of this test), every one of the 104,976 v4.0 base vectors and the 2,592
 * v3.0 and 2,592 v3.1 base vectors was compared with the same calculators: all identical.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cvss.h"

struct expect {
    const char *vector;
    double score;
    const char *source;
};

static void check_scores(const struct expect *e, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        struct cvss c;
        struct dd_error err = {0};
        int rc = cvss_parse(e[i].vector, &c, &err);
        if (rc != 0) {
            print_error("%s (%s): rc=%d %s\n", e[i].vector, e[i].source, rc, err.msg);
            bad++;
            continue;
        }
        if (fabs(c.base_score - e[i].score) > 1e-9) {
            print_error("%s (%s): got %.1f want %.1f\n", e[i].vector, e[i].source, c.base_score,
                        e[i].score);
            bad++;
        }
        if (c.severity != severity_from_score(e[i].score)) {
            print_error("%s: severity %s\n", e[i].vector, severity_name(c.severity));
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* FIRST_CALC, vectors from ../shared/data severity[] entries. */
static const struct expect V3_FROM_SHARED_DATA[] = {
    {"CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.7, "BIT-node-min-2025-23083"},
    {"CVSS:3.0/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N", 4.8, "BIT-magento-2021-21023"},
    {"CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.0, "BIT-mlflow-2025-10279"},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:N", 8.1, "BIT-mlflow-2025-14279"},
    {"CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:C/C:L/I:H/A:L", 7.3, "BIT-node-min-2024-22017"},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:L", 6.5, "BIT-node-min-2024-27982"},
    {"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, "CVE-2018-0737"},
    {"CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 6.7, "BIT-rabbitmq-2020-5419"},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "RUSTSEC-2019-0011"},
    {"CVSS:3.0/AV:N/AC:H/PR:H/UI:N/S:C/C:H/I:H/A:H", 8.0, "BIT-magento-2021-21015"},
    {"CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:H", 6.0, "RUSTSEC-2020-0167"},
    {"CVSS:3.0/AV:N/AC:L/PR:L/UI:R/S:U/C:N/I:N/A:H", 5.7, "BIT-node-2026-21712"},
    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N", 4.2, "RUSTSEC-2022-0018"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:N/A:N", 5.7, "BIT-discourse-2022-31096"},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N", 3.8, "BIT-gitlab-2021-39896"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "GHSA-jjjh-jjxp-wpff"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:L/A:L", 6.3, "BIT-kibana-2026-63141"},
    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:N", 4.4, "BIT-gradle-2022-31156"},
    {"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:L/A:L", 3.9, "RUSTSEC-2023-0092"},
    {"CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:H/I:H/A:N", 6.0, "RUSTSEC-2024-0371"},
    {"CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:L/A:L", 5.0, "BIT-wordpress-multisite-2024-32111"},
    {"CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N", 2.8, "PYSEC-2023-128"},
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:L/A:N", 2.3, "BIT-ejbca-2021-40089"},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4, "RUSTSEC-2021-0056"},
    {"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 4.6, "BIT-nextcloud-2021-32658"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:L", 5.4, "RUSTSEC-2024-0351"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:L/A:L", 6.8, "BIT-grafana-2025-2703"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H", 8.6, "RUSTSEC-2024-0444"},
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:N/I:L/A:H", 5.9, "BIT-python-2021-23336"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:H", 8.1, "PYSEC-2023-152"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:L", 9.4, "RUSTSEC-2024-0343"},
    {"CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.0, "BIT-ceph-2020-10736"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:N", 8.2, "RUSTSEC-2026-0144"},
    {"CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N", 2.9, "BIT-java-2026-22007"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:L", 7.2, "BIT-fluentd-2026-44161"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:N/A:N", 4.1, "BIT-harbor-2025-32019"},
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N", 5.8, "RUSTSEC-2022-0088"},
    {"CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:C/C:L/I:N/A:N", 3.5, "BIT-gitlab-2026-7471"},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 8.6, "BIT-golang-2025-4674"},
    {"CVSS:3.1/AV:L/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N", 4.2, "BIT-mysql-shell-2022-21555"},
    {"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:L", 5.7, "RUSTSEC-2024-0002"},
    {"CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.0, "BIT-cilium-operator-2023-39347"},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:R/S:C/C:H/I:H/A:H", 8.4, "BIT-moodle-2024-34001"},
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:L/I:L/A:N", 5.5, "BIT-oauth2-proxy-2021-21411"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9, "RUSTSEC-2023-0090"},
    {"CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:L/A:H", 8.9, "BIT-appsmith-2022-39824"},
};
static const struct expect V4_FROM_SHARED_DATA[] = {
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "RUSTSEC-2026-0024"},
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 1.0, "RUSTSEC-2026-0090"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 1.8, "RUSTSEC-2026-0109"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:P/VC:N/VI:L/VA:L/SC:N/SI:N/SA:N", 2.0, "RUSTSEC-2026-0223"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L", 2.3, "GHSA-m6fv-jmcg-4jfg"},
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:A/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 4.1, "RUSTSEC-2026-0087"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 5.1, "RUSTSEC-2026-0067"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 5.6, "RUSTSEC-2026-0085"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L", 5.9, "RUSTSEC-2026-0092"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:N/VC:L/VI:L/VA:H/SC:N/SI:N/SA:N", 6.1, "RUSTSEC-2026-0094"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N", 6.3, "RUSTSEC-2026-0211"},
    {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:A/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H", 6.8, "RUSTSEC-2026-0009"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 6.9, "RUSTSEC-2026-0178"},
    {"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.3, "RUSTSEC-2025-0149"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N", 8.2, "RUSTSEC-2026-0041"},
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:N/VI:H/VA:L/SC:H/SI:H/SA:H", 8.3, "RUSTSEC-2026-0245"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:H/VA:N/SC:H/SI:H/SA:N", 8.4, "RUSTSEC-2026-0035"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7, "GHSA-qwcr-r2fm-qrc7"},
    {"CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:H/SI:N/SA:N", 8.9, "RUSTSEC-2026-0003"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 9.0, "RUSTSEC-2026-0095"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N", 9.1, "RUSTSEC-2026-0141"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", 9.3, "RUSTSEC-2026-0071"},
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 9.4, "RUSTSEC-2026-0038"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H", 6.9, "RUSTSEC-2026-0022"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N", 8.7, "RUSTSEC-2026-0146"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 2.3, "RUSTSEC-2024-0445"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.2, "RUSTSEC-2026-0208"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:N/VC:L/VI:N/VA:N/SC:L/SI:N/SA:N", 2.3, "RUSTSEC-2026-0088"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:L/VA:H/SC:N/SI:N/SA:N", 6.1, "RUSTSEC-2026-0091"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:H", 6.9, "RUSTSEC-2026-0020"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 6.9, "RUSTSEC-2026-0093"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:L/VI:N/VA:N/SC:L/SI:N/SA:N", 2.3, "RUSTSEC-2026-0086"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:L", 2.3, "RUSTSEC-2026-0182"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N", 8.2, "RUSTSEC-2026-0075"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     8.8, "BIT-nginx-2026-60005"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:L/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     6.0, "BIT-python-2026-3446"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     7.6, "BIT-superset-2024-53949"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:A/VC:N/VI:L/VA:N/SC:L/SI:L/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     2.1, "BIT-git-2024-50349"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     8.2, "BIT-nginx-2026-1642"},
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N/E:P/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     4.8, "BIT-gdal-2026-8088"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:P/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:P/AU:Y/R:U/V:C/RE:L/U:Clear",
     5.2, "BIT-nifi-2026-44913"},
    {"CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:N/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:Y/R:I/V:C/RE:L/U:Green",
     7.5, "BIT-nifi-2026-39816"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     7.1, "BIT-superset-2026-23984"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:H/SA:H/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     6.4, "BIT-authentik-2024-52287"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:Y/R:X/V:X/RE:M/U:Red",
     9.5, "BIT-php-2026-6722"},
    {"CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:L/VI:L/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/IR:X/AR:X/MAV:X/"
     "MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
     6.1, "BIT-mongodb-2026-4358"},
};

/* Hand-picked cases; sources as stated. */
static const struct expect V3_PUBLISHED[] = {
    /* NVD: CVE-2021-44228 (Log4Shell) 10.0; also FIRST_CALC. Scope changed, capped at 10. */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "NVD CVE-2021-44228"},
    /* NVD: CVE-2021-44906 (minimist) 9.8; vector also in GHSA-f7vh-qwp3-x37m. */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "NVD CVE-2021-44906"},
    /* NVD: CVE-2021-23337 (lodash template) 7.2; GHSA-35jh-r3h4-6jhm. */
    {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2, "NVD CVE-2021-23337"},
    /* NVD: CVE-2020-8203 (lodash zipObjectDeep) 7.4; GHSA-p6mc-m468-83gw. */
    {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", 7.4, "NVD CVE-2020-8203"},
    /* FIRST_CALC: no impact gives 0.0 ("None"). */
    {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "FIRST_CALC"},
    {"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0, "FIRST_CALC"},
};

static const struct expect V4_PUBLISHED[] = {
    /* FIRST_CALC: highest MacroVector 000100 at distance 0. */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0, "FIRST_CALC"},
    /* FIRST_CALC; also the example in RedHatProductSecurity/cvss README (9.9). */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:N", 9.9, "FIRST_CALC"},
    /* FIRST_CALC: one of the 522 base vectors whose raw score lands one ULP below x.x5; the
     * calculator's 1e-6 lift gives 8.6 (a bare round gives 8.5). */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H", 8.6, "FIRST_CALC"},
    /* FIRST_CALC: all six impacts None short-circuit to 0.0. */
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "FIRST_CALC"},
    {"CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L", 2.4, "FIRST_CALC"},
    {"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "FIRST_CALC"},
    {"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5, "FIRST_CALC"},
    {"CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 1.8, "FIRST_CALC"},
    {"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 1.0, "FIRST_CALC"},
};

static void test_cvss_v3_scores_match_first_calculator(void **state)
{
    (void)state;
    check_scores(V3_FROM_SHARED_DATA, sizeof(V3_FROM_SHARED_DATA) / sizeof(V3_FROM_SHARED_DATA[0]));
    check_scores(V3_PUBLISHED, sizeof(V3_PUBLISHED) / sizeof(V3_PUBLISHED[0]));
}

static void test_cvss_v4_scores_match_first_calculator(void **state)
{
    (void)state;
    check_scores(V4_FROM_SHARED_DATA, sizeof(V4_FROM_SHARED_DATA) / sizeof(V4_FROM_SHARED_DATA[0]));
    check_scores(V4_PUBLISHED, sizeof(V4_PUBLISHED) / sizeof(V4_PUBLISHED[0]));
}

static void test_cvss_v2_guide_examples(void **state)
{
    (void)state;
    static const struct {
        const char *vector;
        double score;
        enum severity sev;
    } cases[] = {
        {"AV:N/AC:L/Au:N/C:N/I:N/A:C", 7.8, SEVERITY_HIGH},    /* V2_GUIDE CVE-2002-0392 */
        {"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, SEVERITY_HIGH},   /* V2_GUIDE CVE-2003-0818 */
        {"AV:L/AC:H/Au:N/C:C/I:C/A:C", 6.2, SEVERITY_MEDIUM},  /* V2_GUIDE CVE-2003-0062 */
        {"AV:N/AC:L/Au:N/C:N/I:N/A:N", 0.0, SEVERITY_UNKNOWN}, /* f(Impact) = 0 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cvss c;
        assert_int_equal(cvss_parse(cases[i].vector, &c, NULL), 0);
        assert_int_equal(c.major, 2);
        assert_int_equal(c.minor, 0);
        assert_true(fabs(c.base_score - cases[i].score) < 1e-9);
        assert_int_equal(c.severity, cases[i].sev);
        assert_string_equal(c.vector, cases[i].vector);
    }
    /* Temporal/environmental metrics are validated but do not change the base score. */
    struct cvss c;
    assert_int_equal(
        cvss_parse("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:ND", &c,
                   NULL),
        0);
    assert_true(fabs(c.base_score - 7.8) < 1e-9);
    assert_string_equal(c.vector, "AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M");
}

static void test_cvss_reports_version(void **state)
{
    (void)state;
    struct cvss c;
    assert_int_equal(cvss_parse("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &c, NULL), 0);
    assert_int_equal(c.major, 3);
    assert_int_equal(c.minor, 0);
    assert_int_equal(cvss_parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &c, NULL), 0);
    assert_int_equal(c.minor, 1);
    assert_int_equal(
        cvss_parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", &c, NULL), 0);
    assert_int_equal(c.major, 4);
    assert_int_equal(c.minor, 0);
    assert_int_equal(c.severity, SEVERITY_CRITICAL);
}

static void test_cvss_normalises_vector(void **state)
{
    (void)state;
    struct cvss c;
    /* v3: any order accepted, canonical order out, X (Not Defined) dropped. */
    assert_int_equal(
        cvss_parse("CVSS:3.1/S:U/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/E:X/RL:O/MAV:X/MC:L", &c, NULL),
        0);
    assert_string_equal(c.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O/MC:L");
    assert_true(fabs(c.base_score - 9.8) < 1e-9);
    /* v4: the 21 "X" metrics of a GHSA-style vector are dropped. */
    assert_int_equal(
        cvss_parse("CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/"
                   "IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/"
                   "S:X/AU:X/R:X/V:X/RE:X/U:X",
                   &c, NULL),
        0);
    assert_string_equal(c.vector,
                        "CVSS:4.0/AV:N/AC:H/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    /* Every metric at its longest value still fits the buffer. */
    const char *longest = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U/"
                          "CR:L/IR:L/AR:L/MAV:P/MAC:H/MAT:P/MPR:H/MUI:A/MVC:N/MVI:N/MVA:N/MSC:N/"
                          "MSI:S/MSA:S/S:P/AU:Y/R:I/V:C/RE:H/U:Green";
    assert_int_equal(cvss_parse(longest, &c, NULL), 0);
    assert_string_equal(c.vector, longest);
    assert_true(fabs(c.base_score - 10.0) < 1e-9); /* base ignores threat/environmental */
}

static void test_cvss_optional_metrics_do_not_change_base(void **state)
{
    (void)state;
    struct cvss a, b;
    assert_int_equal(cvss_parse("CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:H/A:N", &a, NULL), 0);
    assert_int_equal(cvss_parse("CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:H/A:N/E:U/RL:O/RC:U/"
                                "CR:H/IR:L/AR:M/MAV:N/MAC:L/MPR:N/MUI:N/MS:U/MC:H/MI:N/MA:H",
                                &b, NULL),
                     0);
    assert_true(a.base_score == b.base_score);
    assert_int_equal(
        cvss_parse("CVSS:4.0/AV:A/AC:L/AT:P/PR:L/UI:P/VC:L/VI:H/VA:N/SC:L/SI:N/SA:H", &a, NULL), 0);
    assert_int_equal(cvss_parse("CVSS:4.0/AV:A/AC:L/AT:P/PR:L/UI:P/VC:L/VI:H/VA:N/SC:L/SI:N/SA:H/"
                                "E:U/CR:L/MAV:N/MSI:S/S:P/U:Red",
                                &b, NULL),
                     0);
    assert_true(a.base_score == b.base_score);
}

/* Asserts that parsing fails with code and that the message mentions needle; also that the
 * output struct is left untouched. */
static void expect_fail(const char *vector, int code, const char *needle)
{
    struct cvss c;
    struct dd_error err = {0};
    memset(&c, 0xA5, sizeof(c));
    struct cvss before = c;
    int rc = cvss_parse(vector, &c, &err);
    if (rc != code)
        print_error("vector '%s': rc=%d want %d (%s)\n", vector, rc, code, err.msg);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_memory_equal(&c, &before, sizeof(c));
    if (needle != NULL && strstr(err.msg, needle) == NULL) {
        print_error("vector '%s': message '%s' lacks '%s'\n", vector, err.msg, needle);
        fail();
    }
}

static void test_cvss_rejects_bad_vectors(void **state)
{
    (void)state;
    expect_fail("", DD_EPARSE, "empty");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", DD_EPARSE, "'A'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", DD_EPARSE, "'S'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L", DD_EPARSE, "'AV'");
    expect_fail("CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, "'AV'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z", DD_EPARSE, "'E'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:N", DD_EPARSE, "'ZZ'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", DD_EPARSE, "empty metric");
    expect_fail("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, "empty metric");
    expect_fail("CVSS:3.1/AV:N/AC/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, "'AC'");
    expect_fail("CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, "'av'");
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ", DD_EPARSE, "'A'");
    expect_fail(" CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, NULL);
    expect_fail("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH", DD_EPARSE, "'A'");
    expect_fail("CVSS:3.1", DD_EPARSE, "no metrics");
    expect_fail("CVSS:3.1/", DD_EPARSE, "no metrics");
    /* Mixing versions: v4 metric names are not v3 metrics. */
    expect_fail("CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", DD_EPARSE,
                "'AT'");
    /* v4: order is mandatory. */
    expect_fail("CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", DD_EPARSE,
                "out of order");
    expect_fail("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/CR:H/E:A",
                DD_EPARSE, "'E'");
    expect_fail("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", DD_EPARSE, "'SA'");
    expect_fail("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N", DD_EPARSE,
                "'SI'"); /* S (Safety) only exists for MSI/MSA */
    expect_fail("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red", DD_EPARSE,
                "'U'");
    expect_fail("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SA:N", DD_EPARSE,
                "'SA'");
    expect_fail("CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", DD_EPARSE,
                "'AV'");
    /* Versions. */
    expect_fail("CVSS:3.3/AV:N/AC:H/PR:H/UI:N/S:U/C:L/I:L/A:N", DD_EUNSUPPORTED, "3.3");
    expect_fail("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P", DD_EUNSUPPORTED, "2.0");
    expect_fail("CVSS:x/AV:N", DD_EPARSE, "prefix");
    expect_fail("CVSS:/AV:N", DD_EPARSE, "prefix");
    expect_fail("CVSS:3.1x/AV:N", DD_EPARSE, "prefix");
    /* v2 without prefix: v3 metrics are unknown there. */
    expect_fail("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", DD_EPARSE, "CVSS v2");
    expect_fail("AV:N/AC:L/Au:N/C:P/I:P", DD_EPARSE, "'A'");
    expect_fail("not a vector", DD_EPARSE, NULL);
}

static void test_cvss_rejects_hostile_bytes(void **state)
{
    (void)state;
    /* Invalid UTF-8 and control bytes are quoted as '?' in the message. */
    struct cvss c;
    struct dd_error err = {0};
    assert_int_equal(cvss_parse("CVSS:3.1/AV:\xff\xfe/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &c, &err),
                     DD_EPARSE);
    assert_non_null(strstr(err.msg, "'?\?'"));
    dd_error_clear(&err);
    assert_int_equal(cvss_parse("CVSS:3.1/\x01\x02:N", &c, &err), DD_EPARSE);
    assert_null(strchr(err.msg, '\x01'));

    /* Huge input: capped. */
    size_t n = CVSS_INPUT_MAX + 100;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'A', n);
    memcpy(big, "CVSS:3.1/", 9);
    big[n] = '\0';
    dd_error_clear(&err);
    assert_int_equal(cvss_parse(big, &c, &err), DD_ETOOBIG);
    /* Long but under the cap: a parse error whose message stays short. */
    big[CVSS_INPUT_MAX] = '\0';
    dd_error_clear(&err);
    assert_int_equal(cvss_parse(big, &c, &err), DD_EPARSE);
    assert_true(strlen(err.msg) < 100);
    free(big);

    /* Every strict prefix of a valid vector is rejected (truncation), none crashes. */
    const char *full = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:H/E:P";
    char buf[128];
    for (size_t i = 0; i < strlen(full); i++) {
        memcpy(buf, full, i);
        buf[i] = '\0';
        int rc = cvss_parse(buf, &c, NULL);
        bool complete_base =
            i == strlen("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:H");
        if (complete_base)
            assert_int_equal(rc, 0);
        else
            assert_int_not_equal(rc, 0);
    }
    assert_int_equal(cvss_parse(NULL, &c, NULL), DD_EINVAL);
    assert_int_equal(cvss_parse("CVSS:3.1/AV:N", NULL, NULL), DD_EINVAL);
}

static void test_severity_name_and_parse(void **state)
{
    (void)state;
    assert_string_equal(severity_name(SEVERITY_UNKNOWN), "UNKNOWN");
    assert_string_equal(severity_name(SEVERITY_LOW), "LOW");
    assert_string_equal(severity_name(SEVERITY_MEDIUM), "MEDIUM");
    assert_string_equal(severity_name(SEVERITY_HIGH), "HIGH");
    assert_string_equal(severity_name(SEVERITY_CRITICAL), "CRITICAL");
    assert_string_equal(severity_name((enum severity)42), "UNKNOWN");

    static const struct {
        const char *s;
        enum severity want;
    } ok[] = {
        {"LOW", SEVERITY_LOW},
        {"low", SEVERITY_LOW},
        {"Negligible", SEVERITY_LOW},
        {"unimportant", SEVERITY_LOW},
        {"MODERATE", SEVERITY_MEDIUM},
        {"Medium", SEVERITY_MEDIUM},
        {"Important", SEVERITY_HIGH},
        {"high", SEVERITY_HIGH},
        {"CRITICAL", SEVERITY_CRITICAL},
        {"unknown", SEVERITY_UNKNOWN},
        {"None", SEVERITY_UNKNOWN},
        {"untriaged", SEVERITY_UNKNOWN},
        {"not yet assigned", SEVERITY_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        enum severity s = SEVERITY_CRITICAL + 1;
        assert_int_equal(severity_parse(ok[i].s, &s), 0);
        assert_int_equal(s, ok[i].want);
    }
    static const char *const bad[] = {"", "lo", "lowest", " low", "low ", "crit", "\xff", "9.8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum severity s = SEVERITY_HIGH;
        assert_int_equal(severity_parse(bad[i], &s), DD_EPARSE);
        assert_int_equal(s, SEVERITY_HIGH);
    }
    enum severity s;
    assert_int_equal(severity_parse(NULL, &s), DD_EINVAL);
    assert_int_equal(severity_parse("low", NULL), DD_EINVAL);
}

static void test_severity_from_score_bands(void **state)
{
    (void)state;
    /* Qualitative Severity Rating Scale (v3.1 spec section 5, v4.0 spec section 6). */
    assert_int_equal(severity_from_score(0.0), SEVERITY_UNKNOWN);
    assert_int_equal(severity_from_score(0.1), SEVERITY_LOW);
    assert_int_equal(severity_from_score(3.9), SEVERITY_LOW);
    assert_int_equal(severity_from_score(4.0), SEVERITY_MEDIUM);
    assert_int_equal(severity_from_score(6.9), SEVERITY_MEDIUM);
    assert_int_equal(severity_from_score(7.0), SEVERITY_HIGH);
    assert_int_equal(severity_from_score(8.9), SEVERITY_HIGH);
    assert_int_equal(severity_from_score(9.0), SEVERITY_CRITICAL);
    assert_int_equal(severity_from_score(10.0), SEVERITY_CRITICAL);
    assert_int_equal(severity_from_score(3.95), SEVERITY_MEDIUM);
    assert_int_equal(severity_from_score(3.94), SEVERITY_LOW);
    assert_int_equal(severity_from_score(-1.0), SEVERITY_UNKNOWN);
    assert_int_equal(severity_from_score(11.0), SEVERITY_UNKNOWN);
    assert_int_equal(severity_from_score(NAN), SEVERITY_UNKNOWN);
    assert_int_equal(severity_from_score(INFINITY), SEVERITY_UNKNOWN);
}

/* ---- every CVSS vector in ../shared/data must parse ---------------------------------------- */

#define SHARED_DATA      DD_SOURCE_DIR "/../shared/data"
#define MAX_RECORD_BYTES (4u << 20)

struct tally {
    unsigned seen[5]; /* by major version: [2], [3], [4] */
    unsigned ok[5];
    unsigned failed;
    unsigned v30, v31;
};

static void tally_vector(struct tally *t, const char *vector, const char *where)
{
    struct cvss c;
    struct dd_error err = {0};
    int major = strncmp(vector, "CVSS:4", 6) == 0 ? 4 : strncmp(vector, "CVSS:3", 6) == 0 ? 3 : 2;
    t->seen[major]++;
    if (cvss_parse(vector, &c, &err) != 0) {
        t->failed++;
        print_error("shared data %s: '%s' does not parse: %s\n", where, vector, err.msg);
        return;
    }
    t->ok[major]++;
    if (c.major == 3) {
        if (c.minor == 0)
            t->v30++;
        else
            t->v31++;
    }
}

static void tally_severity_array(struct tally *t, json_t *arr, const char *where)
{
    size_t i;
    json_t *s; /* borrowed */
    if (!json_is_array(arr))
        return;
    json_array_foreach(arr, i, s)
    {
        const char *type = json_string_value(json_object_get(s, "type"));
        const char *score = json_string_value(json_object_get(s, "score"));
        if (type != NULL && score != NULL && strncmp(type, "CVSS_", 5) == 0)
            tally_vector(t, score, where);
    }
}

static void tally_json(struct tally *t, const char *buf, size_t len, const char *where)
{
    json_error_t jerr;
    json_t *doc = json_loadb(buf, len, 0, &jerr); /* owned */
    if (doc == NULL)
        return; /* not JSON (or not ours): nothing to check */
    tally_severity_array(t, json_object_get(doc, "severity"), where);
    size_t i;
    json_t *a; /* borrowed */
    json_array_foreach(json_object_get(doc, "affected"), i, a)
    {
        tally_severity_array(t, json_object_get(a, "severity"), where);
    }
    json_decref(doc);
}

/* PyPA YAML records: "- type: CVSS_V3" followed by "  score: CVSS:...". */
static void tally_yaml(struct tally *t, char *buf, const char *where)
{
    for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *p = strstr(line, "score: ");
        if (p == NULL)
            continue;
        p += 7;
        if (strncmp(p, "CVSS:", 5) != 0 && strncmp(p, "AV:", 3) != 0)
            continue;
        size_t n = strcspn(p, " \r\t'\"");
        p[n] = '\0';
        tally_vector(t, p, where);
    }
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(MAX_RECORD_BYTES + 1);
    size_t n = buf != NULL ? fread(buf, 1, MAX_RECORD_BYTES, f) : 0;
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static void tally_zip(struct tally *t, const char *path)
{
    struct archive *ar = archive_read_new();
    struct archive_entry *ent;
    char *buf = malloc(MAX_RECORD_BYTES + 1);
    assert_non_null(ar);
    assert_non_null(buf);
    archive_read_support_format_zip(ar);
    assert_int_equal(archive_read_open_filename(ar, path, 1 << 16), ARCHIVE_OK);
    while (archive_read_next_header(ar, &ent) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(ent);
        size_t len = 0;
        la_ssize_t r;
        while (len < MAX_RECORD_BYTES &&
               (r = archive_read_data(ar, buf + len, MAX_RECORD_BYTES - len)) > 0)
            len += (size_t)r;
        buf[len] = '\0';
        char where[512];
        snprintf(where, sizeof(where), "%.200s:%.200s", path, name != NULL ? name : "?");
        if (name != NULL && strstr(name, ".json") != NULL)
            tally_json(t, buf, len, where);
    }
    archive_read_free(ar);
    free(buf);
}

static void tally_dir(struct tally *t, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        size_t nl = strlen(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            tally_dir(t, path);
        } else if (nl > 4 && strcmp(de->d_name + nl - 4, ".zip") == 0) {
            tally_zip(t, path);
        } else if (nl > 5 && strcmp(de->d_name + nl - 5, ".json") == 0) {
            size_t len = 0;
            char *buf = read_file(path, &len);
            if (buf != NULL)
                tally_json(t, buf, len, path);
            free(buf);
        } else if (nl > 5 && strcmp(de->d_name + nl - 5, ".yaml") == 0) {
            size_t len = 0;
            char *buf = read_file(path, &len);
            if (buf != NULL)
                tally_yaml(t, buf, path);
            free(buf);
        }
    }
    closedir(d);
}

static void test_cvss_parses_every_vector_in_shared_data(void **state)
{
    (void)state;
    struct stat st;
    if (stat(SHARED_DATA, &st) != 0 || !S_ISDIR(st.st_mode))
        skip();
    struct tally t = {0};
    tally_dir(&t, SHARED_DATA);
    printf("[ INFO     ] shared data CVSS vectors: v3 %u/%u parsed (3.0: %u, 3.1: %u), "
           "v4 %u/%u parsed, v2 %u/%u parsed, %u failed\n",
           t.ok[3], t.seen[3], t.v30, t.v31, t.ok[4], t.seen[4], t.ok[2], t.seen[2], t.failed);
    assert_true(t.seen[3] + t.seen[4] > 0);
    assert_int_equal(t.failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cvss_v3_scores_match_first_calculator),
        cmocka_unit_test(test_cvss_v4_scores_match_first_calculator),
        cmocka_unit_test(test_cvss_v2_guide_examples),
        cmocka_unit_test(test_cvss_reports_version),
        cmocka_unit_test(test_cvss_normalises_vector),
        cmocka_unit_test(test_cvss_optional_metrics_do_not_change_base),
        cmocka_unit_test(test_cvss_rejects_bad_vectors),
        cmocka_unit_test(test_cvss_rejects_hostile_bytes),
        cmocka_unit_test(test_severity_name_and_parse),
        cmocka_unit_test(test_severity_from_score_bands),
        cmocka_unit_test(test_cvss_parses_every_vector_in_shared_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
