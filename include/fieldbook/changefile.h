/* changefile.h - the change file: one seal's ops as canonical text (core layer).
 *
 * A change file is what a device writes into git for each seal (DESIGN section 3).  It is
 * canonical: the same ops always give the same bytes (ops sorted by (seq, idx), one op a
 * line, fixed escaping), so a re-seal after a crash produces the same blob.  Format,
 * UTF-8, lines ending in "\n":
 *
 *     fieldbook-changes 1
 *     device <device id>
 *     seal <seal number>
 *     ops <N>
 *     <op id> TAB <hlc> TAB <author> TAB <kind> TAB <rec> TAB <field> TAB <value> TAB <pred>
 *     ... N op lines ...
 *     end <N>
 *
 * In author, value and pred the bytes '%', TAB, LF, CR and the other C0 controls and DEL
 * are written as %XX (upper-case hex); nothing else is escaped.  The trailer repeats N so
 * a truncated file is detected.  Every op id must belong to the header's device.  Unknown
 * kinds and fields are carried as they are.  Limits: 1,000,000 ops, 64 MiB, a value of
 * 64 KiB after unescaping.  man/fieldbook-format.5 documents the same for humans. */
#ifndef FIELDBOOK_CHANGEFILE_H
#define FIELDBOOK_CHANGEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"
#include "fieldbook/store.h"

#define FB_CHANGEFILE_MAX_BYTES (64u * 1024 * 1024)
#define FB_CHANGEFILE_MAX_OPS 1000000u
#define FB_CHANGEFILE_MAX_VALUE (64u * 1024)

struct fb_changefile {
	char device[65];
	int64_t seal;
	size_t nops;
	struct fb_op *ops; /* in file order; strings point into memory owned by the struct */
	char *mem;
};

/* Writes the canonical text of ops (any order; they are sorted by (seq, idx), all must
 * belong to device) into a malloc'd buffer *out of *len bytes. */
int fb_changefile_write(char **out, size_t *len, const char *device, int64_t seal,
			const struct fb_op *ops, size_t n, struct fb_error *err);

/* Parses and checks a change file.  On any problem nothing is returned and err names the
 * line and what is wrong (FB_EINVAL); FB_ENOMEM on allocation failure. */
int fb_changefile_parse(struct fb_changefile **out, const char *data, size_t len,
			struct fb_error *err);
void fb_changefile_free(struct fb_changefile *cf);

/* Checks one op as it may arrive from elsewhere: id syntax, device, kind, record id,
 * field name, UTF-8 and sizes, and that it neither overwrites nor deletes an audit entry
 * (audit.h).  Used by the parser and by the sync layer. */
int fb_op_check(const struct fb_op *op, const char *device, struct fb_error *err);

#endif
