/* lang_dotnet.h - .NET NuGet packages: <app>.deps.json and packages.lock.json. */
#ifndef DD_LANG_DOTNET_H
#define DD_LANG_DOTNET_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define DOTNET_MAX_NAME     256   /* package id, bytes (NuGet allows 100); longer is skipped */
#define DOTNET_MAX_VERSION  128   /* bytes; longer is skipped */
#define DOTNET_MAX_PACKAGES 50000 /* per file; more is DD_ELIMIT */

/* <app>.deps.json (written by the .NET SDK next to the app): one PKG_TYPE_NUGET package per
 * "libraries" entry "<Id>/<Version>" whose "type" is "package" ("project", "reference
 * assembly" and "runtimepack" entries are not NuGet packages). Name and version as written
 * (NuGet ids are case-insensitive; the case is kept), file_path = path, no licence.
 * Returns 0; DD_EPARSE when the document is not an object with a "libraries" object, or
 * (partial) when some "package" entries have an unusable key; DD_ELIMIT, DD_ETOOBIG (the
 * guarded loader, DOTNET_MAX_PACKAGES); DD_ENOMEM. */
int dotnet_deps_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err);

/* packages.lock.json (NuGet lock, "version": 1 or 2): every entry of every target framework
 * in "dependencies" with a "resolved" version and a "type" other than "Project", reported
 * once per id/version. Returns as above, plus DD_EUNSUPPORTED for another lock "version". */
int nuget_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                     struct dd_error *err);

#endif
