/* lang_ruby.h - Ruby gems: installed gem specifications and Bundler lockfiles. */
#ifndef DD_LANG_RUBY_H
#define DD_LANG_RUBY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pkg.h"

#define RUBY_MAX_NAME     128    /* longer gem names are ignored, bytes */
#define RUBY_MAX_VERSION  128    /* longer versions are ignored, bytes */
#define RUBY_MAX_LICENCE  512    /* joined licence list; longer drops the licence, bytes */
#define RUBY_MAX_LINE     65536  /* a Gemfile.lock line longer than this is an error, bytes */
#define RUBY_MAX_PACKAGES 100000 /* Gemfile.lock entries; more is DD_ELIMIT */

/* Parse one installed gem specification written by RubyGems (".../specifications/
 * <name>-<version>.gemspec", Ruby source that is never evaluated) and append one
 * PKG_TYPE_GEM package to out: name from `x.name = "..."`, version from `x.version = "..."`,
 * licence from `x.licenses = [...]` (joined with ", ") or `x.license = "..."`,
 * file_path = path. A missing or non-literal name/version falls back to the file name
 * ("<name>-<version>[-<platform>].gemspec", split before the first "-<digit>").
 * Returns 0; DD_EPARSE when neither source gives both a name and a version; DD_ENOMEM. */
int gemspec_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                  struct dd_error *err);

/* Parse a Bundler lockfile (Gemfile.lock) and append one PKG_TYPE_GEM package per spec line
 * ("    name (version[-platform])") of every source section (GEM, GIT, PATH, PLUGIN SOURCE).
 * The platform suffix is dropped (Bundler splits at the first '-'); a name/version pair is
 * reported once. Returns 0; DD_EPARSE when non-blank input has no source section or a
 * line is longer than RUBY_MAX_LINE; DD_ELIMIT past RUBY_MAX_PACKAGES; DD_ENOMEM. Packages
 * found before an error stay in out. */
int gemfile_lock_parse(const char *path, const uint8_t *data, size_t len, struct pkg_list *out,
                       struct dd_error *err);

#endif
