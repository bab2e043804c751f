/* cli_version.c - `drydock version compare ECOSYSTEM A B`: print "<", "=" or ">" as the
 * ecosystem's own version rules order A and B - the tool for understanding a match.
 *
 * ECOSYSTEM is an OSV ecosystem name ("Debian:12", "PyPI", "Alpine:v3.18", "crates.io") or a
 * scheme name ("dpkg", "rpm", "semver", "pep440", ...). Exit 0 with the answer on stdout;
 * exit 2 with a message on stderr for an unknown ecosystem or a version that does not parse
 * (never a guessed order).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

static void version_usage(FILE *out)
{
    fprintf(out,
            "usage: drydock version                      print drydock's version\n"
            "       drydock version compare ECOSYSTEM A B  print <, = or >\n"
            "\n"
            "ECOSYSTEM: an OSV ecosystem (Debian:12, Ubuntu:22.04, Alpine:v3.18, AlmaLinux:9,\n"
            "npm, PyPI, Go, Maven, RubyGems, crates.io, NuGet, Packagist) or a scheme\n"
            "(dpkg, rpm, apk, semver, go, pep440, maven, gem, nuget, composer).\n"
            "exit codes: 0 compared, 2 unknown ecosystem or a version that does not parse\n");
}

int cli_version(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        version_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "compare") != 0) {
        fprintf(stderr, "drydock version: unknown subcommand '%s'\n", argc >= 2 ? argv[1] : "");
        version_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (argc != 5) {
        fprintf(stderr, "drydock version compare: expected ECOSYSTEM A B\n");
        version_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    enum version_scheme s;
    if (version_scheme_for_ecosystem(argv[2], &s) != 0 && version_scheme_parse(argv[2], &s) != 0) {
        fprintf(stderr, "drydock version compare: unknown ecosystem '%s'\n", argv[2]);
        return CLI_EXIT_USAGE;
    }
    struct dd_error err = {0};
    int cmp;
    if (version_compare(s, argv[3], argv[4], &cmp, &err) != 0) {
        fprintf(stderr, "drydock version compare: %s (%s rules)\n", err.msg,
                version_scheme_name(s));
        return CLI_EXIT_USAGE;
    }
    printf("%s\n", cmp < 0 ? "<" : cmp > 0 ? ">" : "=");
    return CLI_EXIT_OK;
}
