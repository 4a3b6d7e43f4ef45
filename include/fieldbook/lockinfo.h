/* lockinfo.h - the content of a path remote's sync lock file, parsed and formatted
 * without libgit2 or I/O (core layer; the sync layer's sync/pathlock.c reads and writes
 * the file itself).
 *
 * REMOTE/fieldbook-sync.lock says which sync holds a path remote (a USB stick or shared
 * folder that other computers write to, so its content is outside data):
 *
 *     fieldbook sync lock
 *     host HOST            <- the holder's host name: 0-255 bytes of UTF-8, no controls
 *     boot BOOT            <- its boot id: 0-63 of A-Z a-z 0-9 '-' (empty: unknown)
 *     pid PID              <- its process id: 1..2147483647, decimal
 *     started TIME         <- when it started: Unix seconds, 0..INT64_MAX, decimal
 *
 * Each line ends with '\n', the last one too (a file cut short by a crash mid-write does
 * not parse).  The four keys may come in any order, each exactly once; a line with
 * another lower-case key is ignored (a later version may add one).  The whole text is
 * at most FB_LOCKINFO_MAX_BYTES of valid UTF-8 with no control character except the
 * line ends.  Numbers are plain decimal digits (no sign, no spaces, at most 19 digits).
 * The parser is a pure function of its bytes (fuzzed: tests/fuzz/fuzz_lockinfo.c) and
 * fb_lockinfo_format writes exactly what it accepts: parse(format(x)) == x. */
#ifndef FIELDBOOK_LOCKINFO_H
#define FIELDBOOK_LOCKINFO_H

#include <stddef.h>

#include "fieldbook/error.h"

#define FB_LOCKINFO_MAX_BYTES 1024u
#define FB_LOCKINFO_HOST_MAX 255u /* bytes */
#define FB_LOCKINFO_BOOT_MAX 63u
#define FB_LOCKINFO_PID_MAX 2147483647L

struct fb_lockinfo {
	char host[FB_LOCKINFO_HOST_MAX + 1];
	char boot[FB_LOCKINFO_BOOT_MAX + 1];
	long pid;          /* 1..FB_LOCKINFO_PID_MAX */
	long long started; /* >= 0 */
};

/* Parses text[0..len) (need not be NUL-terminated; may hold NUL bytes, which are
 * refused).  0 with *out filled, or FB_EINVAL with a message naming the line and what is
 * wrong; *out is zeroed then. */
int fb_lockinfo_parse(struct fb_lockinfo *out, const char *text, size_t len, struct fb_error *err);

/* Writes the text of li into out (cap bytes, NUL-terminated) and its length (without the
 * NUL) into *len when len is not NULL.  FB_EINVAL naming the field when li holds a value
 * the parser would refuse, or when cap is too small (FB_LOCKINFO_MAX_BYTES always
 * suffices); out is "" then. */
int fb_lockinfo_format(char *out, size_t cap, size_t *len, const struct fb_lockinfo *li,
		       struct fb_error *err);

/* 1 when host / boot is a value the file may hold (see above), else 0: the writer of a
 * lock uses "?" / "" for a local value that is not. */
int fb_lockinfo_host_ok(const char *host);
int fb_lockinfo_boot_ok(const char *boot);

#endif
