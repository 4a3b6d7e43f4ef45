/* config.h - the user's configuration file: parse, query, edit, write (core layer).
 *
 * Where it lives: $FIELDBOOK_CONFIG if set, else $XDG_CONFIG_HOME/fieldbook/config, else
 * ~/.config/fieldbook/config (fb_config_default_path).  A missing file is an empty config.
 *
 * The format is a small, strict subset of git-config:
 *
 *     # fieldbook configuration            <- comment: first non-blank character # or ;
 *     operator = 李明                      <- KEY = VALUE before any section: key "operator"
 *     team = 中山港   # a comment           <- # or ; after whitespace starts a comment
 *
 *     [sync]                               <- keys below are "sync.KEY"
 *     interval = 15
 *
 *     [remote "hq"]                        <- keys below are "remote.hq.KEY"
 *     url = "ssh://git@10.0.0.5/data.git"
 *     note = "two\nlines, a \"quote\", a \\ and a # that is no comment"
 *
 * - UTF-8 text (a leading byte-order mark is skipped), lines end in LF or CRLF, at most
 *   4096 bytes a line and 1 MiB a file.  NUL bytes, invalid UTF-8 and control characters
 *   (other than tab) are rejected anywhere, comments included; so are the bidi controls
 *   U+202A-U+202E and U+2066-U+2069, which can make a line look like something else.
 * - Section and key names: 1-64 characters of a-z 0-9 _ - (lowercase only).  The quoted
 *   name of a [section "name"] header: 1-64 characters of A-Z a-z 0-9 . _ -.
 * - A value is trimmed of spaces and tabs.  A value that starts with " is quoted: it ends
 *   at the next unescaped ", and inside it \" \\ \n \t are the only escapes.  An unquoted
 *   value may not contain " or \ (quote it).  `key =` sets the empty string.
 * - Every key may appear only once (across repeated section headers too).
 * - Any well-formed key is accepted here; the callers decide what a key means and report
 *   unknown or invalid settings themselves.
 *
 * Editing keeps the file as the user wrote it: fb_config_write rewrites only the lines of
 * keys changed or removed with fb_config_set / fb_config_unset, puts a new key after the
 * last key of its section (adding the section at the end when there is none), and keeps
 * every comment and blank line.
 *
 * Errors follow error.h: 0 or a negative FB_E* code, and a message in the caller's
 * struct fb_error naming the file, the line and the fix, e.g.
 * "config line 3: expected KEY = VALUE". */
#ifndef FIELDBOOK_CONFIG_H
#define FIELDBOOK_CONFIG_H

#include <stddef.h>

#include "fieldbook/error.h"

#define FB_CONFIG_MAX_BYTES (1024 * 1024) /* largest file accepted */
#define FB_CONFIG_LINE_MAX 4096           /* longest line, in bytes, without its newline */
#define FB_CONFIG_NAME_MAX 64             /* longest section, subsection or key name */

struct fb_config;

/* Parse text[0..len) (need not be NUL-terminated).  origin_name names the text in error
 * messages ("config" when NULL); fb_config_load passes the path.  On success *out is a
 * new config the caller frees with fb_config_free; on failure *out is NULL and the
 * result is FB_EINVAL (bad text) or FB_ENOMEM. */
int fb_config_parse(struct fb_config **out, const char *text, size_t len, const char *origin_name,
		    struct fb_error *err);

/* Read and parse the file at path.  A file that does not exist gives an empty config
 * (and 0), which fb_config_write will create.  FB_EIO when the file cannot be read or is
 * not a regular file, FB_EINVAL when it is too large or malformed. */
int fb_config_load(struct fb_config **out, const char *path, struct fb_error *err);

/* A new empty config (what a missing file gives).  FB_ENOMEM only. */
int fb_config_new(struct fb_config **out, struct fb_error *err);

void fb_config_free(struct fb_config *cfg);

/* The value of a full key ("team", "sync.interval", "remote.hq.url"), or NULL when the
 * key is not set.  The pointer stays valid until the key is set, unset or cfg freed. */
const char *fb_config_get(const struct fb_config *cfg, const char *key);

/* Number of keys, and the i-th key and value (0 <= i < count), in file order with keys
 * added by fb_config_set last.  fb_config_at returns FB_ENOTFOUND when i is out of range;
 * key or value may be NULL when not wanted. */
size_t fb_config_count(const struct fb_config *cfg);
int fb_config_at(const struct fb_config *cfg, size_t i, const char **key, const char **value);

/* Set key to value (replacing any earlier value).  The key must be "key", "section.key"
 * or "section.name.key" with the names above; the value must be valid UTF-8 without
 * control characters other than tab and newline, and its line must fit in
 * FB_CONFIG_LINE_MAX bytes.  FB_EINVAL (with the reason) otherwise. */
int fb_config_set(struct fb_config *cfg, const char *key, const char *value, struct fb_error *err);

/* Remove key.  FB_ENOTFOUND when it was not set. */
int fb_config_unset(struct fb_config *cfg, const char *key, struct fb_error *err);

/* The file text fb_config_write would write, malloc'd and NUL-terminated (*len_out bytes
 * without the NUL; len_out may be NULL).  Parsing it gives the same keys and values. */
int fb_config_serialize(char **out, size_t *len_out, const struct fb_config *cfg,
			struct fb_error *err);

/* Write cfg to path atomically: a temporary file in the same directory, fsync, rename,
 * fsync of the directory.  Missing directories are created with mode 0700, the file gets
 * mode 0600 (it may hold remote settings).  If path is a symbolic link, the file it
 * points to is replaced and the link kept.  FB_EIO on failure; the old file is intact. */
int fb_config_write(const struct fb_config *cfg, const char *path, struct fb_error *err);

/* Store in buf (cap bytes) the path of the configuration file: $FIELDBOOK_CONFIG, else
 * $XDG_CONFIG_HOME/fieldbook/config (an absolute XDG_CONFIG_HOME only, as the XDG spec
 * says), else $HOME/.config/fieldbook/config (the password database's home directory
 * when HOME is unset).  FB_ENOTFOUND when no home directory is known, FB_EINVAL when the
 * path does not fit in buf. */
int fb_config_default_path(char *buf, size_t cap, struct fb_error *err);

#endif
