/* cli_notify.h - `drydock notify ...`: the notifier's dead letters on a drydock-scheduler. */
#ifndef DD_CLI_NOTIFY_H
#define DD_CLI_NOTIFY_H

/* argv[0] is "notify". Exit codes from cli.h. */
int cli_notify(int argc, char **argv);

#endif
