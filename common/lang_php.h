/* lang_php.h - PHP Composer packages: composer.lock and vendor/composer/installed.json.
 *
 * Also home of lang_json_load(), the guarded JSON loader the PHP and .NET parsers share. */
#ifndef DD_LANG_PHP_H
#define DD_LANG_PHP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "pkg.h"

#define LANG_JSON_MAX_BYTES ((size_t)8 * 1024 * 1024) /* larger documents are DD_ETOOBIG */
#define LANG_JSON_MAX_DEPTH 64                        /* deeper nesting is DD_ELIMIT */
#define LANG_JSON_MAX_ITEMS 300000 /* values (bounds jansson's memory); DD_ELIMIT */

#define PHP_MAX_NAME     256   /* "vendor/name", bytes; longer skips the entry */
#define PHP_MAX_VERSION  128   /* bytes; longer skips the entry */
#define PHP_MAX_LICENCE  512   /* joined licence list, bytes; longer drops the licence */
#define PHP_MAX_PACKAGES 50000 /* per file; more is DD_ELIMIT */

/* Load untrusted JSON after a byte scan that rejects documents over LANG_JSON_MAX_BYTES,
 * nesting deeper than LANG_JSON_MAX_DEPTH or more than LANG_JSON_MAX_ITEMS values, so
 * jansson's recursion and memory stay bounded. Invalid UTF-8 and NUL escapes are DD_EPARSE
 * (jansson's own checks). On success *out owns the root (any JSON type). what names the
 * document in messages. */
int lang_json_load(const uint8_t *data, size_t len, const char *what, json_t **out,
                   struct dd_error *err);

/* composer.lock: one PKG_TYPE_COMPOSER package per entry of "packages" (and of
 * "packages-dev" when include_dev): name "vendor/name", version as written (a leading "v" is
 * kept: Composer and Packagist write "v1.27.0", and Packagist version comparison normalises
 * it away), licence = "license" joined with ", ", file_path = path.
 * Returns 0; DD_EPARSE when the document is not an object with a "packages" array (partial:
 * also when some entries lack a valid name/version; the others are kept); DD_ELIMIT,
 * DD_ETOOBIG (see lang_json_load, PHP_MAX_PACKAGES); DD_ENOMEM. */
int composer_lock_parse(const char *path, const uint8_t *data, size_t len, bool include_dev,
                        struct pkg_list *out, struct dd_error *err);

/* vendor/composer/installed.json: Composer 1 (a top-level array of packages) or Composer 2
 * ({"packages": [...], "dev": bool, "dev-package-names": [...]}). Every listed package is
 * installed, so all are reported, dev ones included. Fields and errors as above. */
int composer_installed_parse(const char *path, const uint8_t *data, size_t len,
                             struct pkg_list *out, struct dd_error *err);

#endif
