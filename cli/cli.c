/* cli.c - `drydock` subcommand dispatch. Each subcommand parses its own flags with
 * getopt_long and returns an exit code from cli.h. */
#include "cli.h"
#include "cli_notify.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: drydock <command> [options]\n"
                 "\n"
                 "commands:\n"
                 "  sbom IMAGE      inventory an image's packages (CycloneDX 1.5 or JSON)\n"
                 "  scan IMAGE      find the image's known vulnerabilities\n"
                 "  db ...          the advisory database (build|update|info|query)\n"
                 "  version         print the version ('version compare ECO A B': order)\n"
                 "  rule ...        scan rules on a drydock-scheduler (add|list|show|rm|run)\n"
                 "  task ...        rule and scan tasks on a drydock-scheduler (list|show)\n"
                 "  status IMAGE    scan status of an image tag (drydock-scheduler)\n"
                 "  report IMAGE    stored JSON report of an image tag (drydock-scheduler)\n"
                 "  notify ...      notification dead letters (dead-letters list|replay)\n"
                 "  help            this text\n"
                 "\n"
                 "Run 'drydock <command> --help' for a command's options.\n");
}

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 && argc > 2)
        return cli_version(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("drydock %s\n", DD_VERSION);
        return CLI_EXIT_OK;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "drydock: cannot initialise libcurl\n");
        return CLI_EXIT_FAILED;
    }
    int rc;
    if (strcmp(cmd, "sbom") == 0) {
        rc = cli_sbom(argc - 1, argv + 1);
    } else if (strcmp(cmd, "db") == 0) {
        rc = cli_db(argc - 1, argv + 1);
    } else if (strcmp(cmd, "scan") == 0) {
        rc = cli_scan(argc - 1, argv + 1);
    } else if (strcmp(cmd, "rule") == 0) {
        rc = cli_rule(argc - 1, argv + 1);
    } else if (strcmp(cmd, "task") == 0) {
        rc = cli_task(argc - 1, argv + 1);
    } else if (strcmp(cmd, "status") == 0) {
        rc = cli_status(argc - 1, argv + 1);
    } else if (strcmp(cmd, "report") == 0) {
        rc = cli_report(argc - 1, argv + 1);
    } else if (strcmp(cmd, "notify") == 0) {
        rc = cli_notify(argc - 1, argv + 1);
    } else {
        fprintf(stderr, "drydock: unknown command '%s'\n", cmd);
        usage(stderr);
        rc = CLI_EXIT_USAGE;
    }
    curl_global_cleanup();
    return rc;
}
