/* lang_python.h - Python packages: installed distributions (*.dist-info/METADATA,
 * *.egg-info/PKG-INFO, *.egg/EGG-INFO/PKG-INFO and Debian's plain-file *.egg-info) and the
 * application lockfiles poetry.lock, Pipfile.lock and requirements*.txt.
 *
 * Every parser appends PKG_TYPE_PYPI packages with name normalised per PEP 503 (lowercase,
 * runs of '-', '_', '.' become one '-'), version as written, licence when known and
 * file_path = path, and returns 0 or a DD_E* code with err set ("line N: reason"); packages
 * appended before an error stay in out, except for an unsupported lockfile version, which
 * appends nothing. Dev-only entries a lockfile marks as such (Pipfile.lock "develop", poetry
 * category = "dev") are skipped.
 */
#ifndef DD_LANG_PYTHON_H
#define DD_LANG_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define PYTHON_MAX_DEPTH    32          /* nesting accepted in Pipfile.lock and poetry.lock */
#define PYTHON_MAX_REQ_LINE (64 * 1024) /* a longer requirements logical line is skipped */

/* True for installed-distribution metadata inside a Python library directory: the path has a
 * "site-packages" or "dist-packages" component or a "lib/python<X>" pair. */
bool python_path_is_metadata(const char *path);
/* True for poetry.lock, Pipfile.lock and requirements*.txt outside library directories,
 * node_modules and usr/share. */
bool python_path_is_lockfile(const char *path);

/* PEP 503 normalisation of name[0..n) into a fresh string; NULL on ENOMEM. */
char *python_name_normalise(const char *name, size_t n);

/* RFC 822-style metadata (METADATA, PKG-INFO): the header block up to the first blank line.
 * Name and Version are required (DD_EPARSE when missing or not valid UTF-8). Licence:
 * License-Expression, else a one-line License other than "UNKNOWN", else the last part of
 * "License :: ..." classifiers joined with ", ". */
int python_metadata_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                          struct dd_error *err);

/* poetry.lock: [[package]] tables' name and version. [metadata] lock-version with a major
 * other than 1 or 2 is DD_EUNSUPPORTED. */
int poetry_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                      struct dd_error *err);
/* Pipfile.lock: the "default" section's "==version" pins ("develop" is skipped). A
 * _meta.pipfile-spec above 6 is DD_EUNSUPPORTED. */
int pipfile_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err);
/* requirements*.txt: "name==version" and "name[extras]==version" lines (environment markers,
 * hashes and comments ignored); unpinned lines, options and -r/-e includes are skipped. */
int requirements_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err);

#endif
