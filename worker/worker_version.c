/* worker_version.c - the worker library's version string. */
const char *dd_worker_version(void);
const char *dd_worker_version(void)
{
    return DD_VERSION;
}
