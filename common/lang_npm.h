/* lang_npm.h - Node.js packages: installed node_modules/<pkg>/package.json files and the
 * lockfiles npm, yarn and pnpm write (package-lock.json, npm-shrinkwrap.json, yarn.lock,
 * pnpm-lock.yaml).
 *
 * Every parser appends PKG_TYPE_NPM packages (name "@scope/name" or "name", version as
 * written, licence when known, file_path = path) to out and returns 0, or a DD_E* code with
 * err set to "line N: reason"; packages appended before an error stay in out (best effort),
 * except for an unsupported lockfile version, which appends nothing.
 * Dev dependencies: entries a lockfile itself marks as dev-only (package-lock "dev": true,
 * pnpm 5/6 "dev: true") are skipped; yarn.lock and pnpm 9 do not record it, so everything
 * they list is reported. Installed package.json files are always reported.
 */
#ifndef DD_LANG_NPM_H
#define DD_LANG_NPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define NPM_MAX_DEPTH 64 /* JSON nesting accepted in package.json and package-lock.json */

/* True when path is a package root: ".../node_modules/<name>/package.json" or
 * ".../node_modules/@scope/<name>/package.json" (name not starting with '.'). */
bool npm_path_is_package_json(const char *path);
/* True for package-lock.json, npm-shrinkwrap.json, yarn.lock and pnpm-lock.yaml outside any
 * node_modules directory. */
bool npm_path_is_lockfile(const char *path);

/* An installed package's package.json: one package from "name" and "version" ("license" as a
 * string or {"type"}, else the legacy "licenses" array joined with ", "). A file without a
 * string name or version yields nothing and returns 0; not an object is DD_EPARSE. */
int npm_package_json_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                           struct dd_error *err);

/* package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 ("dependencies" tree), 2 and 3
 * ("packages" map keyed by "node_modules/..."; preferred when both are present). Links,
 * the root project and workspace folders are skipped; "npm:" aliases resolve to the real
 * package; non-registry versions (git, file, URLs) are skipped. Duplicates are collapsed.
 * Other lockfileVersion values: DD_EUNSUPPORTED. */
int npm_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                   struct dd_error *err);

/* yarn.lock: classic v1 (its own text format) and berry (YAML with a __metadata block; only
 * "npm:" resolutions are packages, workspaces/patches/links are skipped). Berry __metadata
 * version outside 4..8: DD_EUNSUPPORTED. */
int yarn_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                    struct dd_error *err);

/* pnpm-lock.yaml, lockfileVersion 5.x ("/name/1.0.0_peer"), 6.x ("/name@1.0.0(peer)") and 9.x
 * ("name@1.0.0"): the "packages:" section. Other versions: DD_EUNSUPPORTED. */
int pnpm_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                    struct dd_error *err);

#endif
