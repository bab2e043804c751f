/* cli_version.c - the CLI library's version string. */
const char *dd_cli_version(void);
const char *dd_cli_version(void)
{
    return DD_VERSION;
}
