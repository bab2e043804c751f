/* cli.h - the drydock command line (subcommand dispatch and each subcommand). */
#ifndef DD_CLI_H
#define DD_CLI_H

/* Exit codes: the contract for scripts and CI gates. */
#define CLI_EXIT_OK     0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE  2

int cli_main(int argc, char **argv);
int cli_sbom(int argc, char **argv);
int cli_db(int argc, char **argv);
int cli_scan(int argc, char **argv);
int cli_version(int argc, char **argv); /* `version compare ...` */
/* Scheduler API clients (cli_fleet.c). */
int cli_rule(int argc, char **argv);
int cli_task(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_report(int argc, char **argv);

#endif
