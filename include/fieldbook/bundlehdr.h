/* bundlehdr.h - the header of a git bundle file, parsed without libgit2 (core layer).
 *
 * A git bundle (v2, or v3 with only the sha1 object format) is text lines, then a pack:
 *
 *     # v2 git bundle
 *     -<40 hex> [comment]          <- prerequisite: a commit the reader must already have
 *     <40 hex> <refname>           <- a ref and the commit (or object) it points to
 *     ...
 *     (blank line)
 *     PACK...                      <- the packfile, from byte header_len on
 *
 * The parser is strict: lower-case 40-digit object ids, at most FB_BUNDLE_MAX_REFS refs
 * and prerequisites, lines of at most FB_BUNDLE_MAX_LINE bytes, the whole header within
 * FB_BUNDLE_MAX_HEADER bytes, ref names by git's rules over a safe character set (A-Z a-z
 * 0-9 . _ - /), no ref named twice.  It is a pure function of its input (the fuzz target
 * tests/fuzz/fuzz_bundle_header.c runs it); the sync layer decides which refs it uses. */
#ifndef FIELDBOOK_BUNDLEHDR_H
#define FIELDBOOK_BUNDLEHDR_H

#include <stddef.h>

#include "fieldbook/error.h"

#define FB_BUNDLE_MAX_HEADER (1024u * 1024)
#define FB_BUNDLE_MAX_LINE 1024u
#define FB_BUNDLE_MAX_REFS 100000u
#define FB_BUNDLE_MAX_REFNAME 255u

struct fb_bundle_ref {
	char oid[41];
	char *name;
};

struct fb_bundle_header {
	int version;              /* 2 or 3 */
	size_t nprereq;
	char (*prereq)[41];       /* prerequisite commit ids */
	size_t nrefs;
	struct fb_bundle_ref *refs;
	size_t header_len;        /* bytes up to and including the blank line: the pack starts here */
};

/* Parses the header at the start of data[0..len) (len may be the whole file or its first
 * FB_BUNDLE_MAX_HEADER bytes).  FB_EINVAL with a message naming the line on any problem,
 * FB_ENOMEM; *out is NULL then. */
int fb_bundle_header_parse(struct fb_bundle_header **out, const char *data, size_t len,
			   struct fb_error *err);
void fb_bundle_header_free(struct fb_bundle_header *h);

/* 1 when name is "refs/heads/dev/<16 lower-case hex>" (id copied to id_out, 17 bytes, when
 * not NULL), else 0. */
int fb_bundle_dev_ref(const char *name, char *id_out);

/* 1 when name is a ref name this parser accepts (see above). */
int fb_bundle_refname_ok(const char *name);

#endif
