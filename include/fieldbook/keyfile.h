/* keyfile.h - passphrase-protected key files and the operators file (core layer).
 *
 * One text format serves both the key file a coordinator exports for a laptop
 * (`fieldbook key export FILE`, read by `fieldbook init --join FILE`) and the operators
 * file of a data directory (DATA_DIR/operators, 0600, never inside repo.git):
 *
 *     fieldbook-keys 1
 *     op<TAB>NAME<TAB>ROLE<TAB>OPSLIMIT<TAB>MEMLIMIT<TAB>SALT<TAB>BOX
 *
 * one "op" line per operator.  BOX is base64url(nonce[24] | XChaCha20-Poly1305 of the key
 * ring's master keys) under a key derived from the operator's passphrase with Argon2id
 * (OPSLIMIT, MEMLIMIT bytes, SALT 16 bytes base64url); the associated data is
 * "fieldbook-keys 1 NAME ROLE", so changing the name or role breaks the box.  The parser
 * is strict and bounded (fuzzed: tests/fuzz/fuzz_keyfile.c). */
#ifndef FIELDBOOK_KEYFILE_H
#define FIELDBOOK_KEYFILE_H

#include <stddef.h>

#include "fieldbook/crypto.h"
#include "fieldbook/error.h"

#define FB_KEYFILE_MAX_ENTRIES 32
#define FB_OPERATOR_NAME_MAX 64 /* bytes of UTF-8 */
#define FB_KEYFILE_MAX_BYTES 65536

struct fb_keyentry {
	char name[FB_OPERATOR_NAME_MAX + 1];
	char role[16];
	unsigned long long opslimit;
	size_t memlimit;
	unsigned char salt[16];
	unsigned char box[24 + FB_KEY_MAX * FB_KEY_BYTES + 16];
	size_t boxlen;
};

struct fb_keyfile {
	size_t n;
	struct fb_keyentry e[FB_KEYFILE_MAX_ENTRIES];
};

/* Parses text (len bytes).  FB_EINVAL naming the line on anything unexpected. */
int fb_keyfile_parse(struct fb_keyfile *out, const char *text, size_t len, struct fb_error *err);
/* The text of kf (malloc'd). */
char *fb_keyfile_format(const struct fb_keyfile *kf);
/* Reads path (FB_ENOTFOUND if missing); writes path atomically with mode 0600. */
int fb_keyfile_load(struct fb_keyfile *out, const char *path, struct fb_error *err);
int fb_keyfile_save(const struct fb_keyfile *kf, const char *path, struct fb_error *err);

/* A new entry for operator name with role, holding ring under passphrase. */
int fb_keyentry_make(struct fb_keyentry *out, const char *name, const char *role, const char *passphrase,
		     const struct fb_keyring *ring, struct fb_error *err);
/* Opens e with passphrase into *ring.  FB_EINVAL "wrong passphrase" when it does not open
 * (nothing else is said: a wrong passphrase gives nothing away). */
int fb_keyentry_open(struct fb_keyring *ring, const struct fb_keyentry *e, const char *passphrase,
		     struct fb_error *err);
/* The entry named name, or NULL. */
struct fb_keyentry *fb_keyfile_find(struct fb_keyfile *kf, const char *name);
/* Checks an operator name: 1-64 bytes of UTF-8, no control characters or tabs. */
int fb_operator_name_check(const char *name, struct fb_error *err);

#endif
