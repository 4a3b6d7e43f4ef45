/* crypto.h - the deployment key and sealed (encrypted) field values (core layer, libsodium).
 *
 * A deployment has one or more 32-byte master keys (newest first after a rotation).  From
 * each master key libsodium's KDF derives an encryption key and a nonce key; the lookup
 * (HMAC) key comes from the oldest master key, so duplicate detection survives rotation.
 *
 * A sensitive field's stored value (what ops, change files, bundles, remotes and the local
 * database carry) is sealed when a key is loaded:
 *
 *     enc1:<key id, 8 hex>:<base64url(nonce[24] | XChaCha20-Poly1305 ciphertext)>[:<tag>]
 *
 * The nonce is a keyed BLAKE2b hash of (field, record, plaintext): the same value of the
 * same field of the same record always gives the same sealed text (no false conflicts,
 * "unchanged" stays unchanged), and nothing else repeats.  The associated data names the
 * field, so a sealed value cannot be moved to another field.  <tag> (ID numbers only) is
 * the 32-hex keyed BLAKE2b of the normalised number: the identity key for search and
 * duplicate detection, never the number itself.
 *
 * The process holds at most one key ring (the unlocked operator's, unlock.h); sealing and
 * opening use it.  Every function wipes the plaintext copies it made. */
#ifndef FIELDBOOK_CRYPTO_H
#define FIELDBOOK_CRYPTO_H

#include <stddef.h>

#include "fieldbook/error.h"

#define FB_KEY_BYTES 32
#define FB_KEY_MAX 8          /* master keys in one ring (rotations kept for reading) */
#define FB_KEYID_LEN 8        /* hex characters */
#define FB_TAG_HEX 32         /* hex characters of a lookup tag */
#define FB_SEALED_PREFIX "enc1:"

struct fb_keyring {
	size_t n;                                    /* 0 = no key */
	unsigned char master[FB_KEY_MAX][FB_KEY_BYTES]; /* [0] newest: writes use it */
};

/* sodium_init once; FB_EINVAL if libsodium cannot start (no random source). */
int fb_crypto_init(struct fb_error *err);

/* A new random master key, put in front of ring (rotation keeps the older ones). */
int fb_keyring_add_new(struct fb_keyring *ring, struct fb_error *err);
/* Key id (8 hex + NUL) of master key i. */
void fb_keyring_id(char out[FB_KEYID_LEN + 1], const struct fb_keyring *ring, size_t i);
void fb_keyring_wipe(struct fb_keyring *ring);

/* The process's key ring: set after unlock (copied), cleared by lock (wiped).  NULL when
 * no key is loaded. */
void fb_crypto_set_ring(const struct fb_keyring *ring);
const struct fb_keyring *fb_crypto_ring(void);

/* 1 if stored is a sealed value ("enc1:..."). */
int fb_crypto_is_sealed(const char *stored);
/* Seals plain for (rec, field) with the newest key of ring; with_tag adds the lookup tag
 * of plain (ID numbers).  *out malloc'd. */
int fb_crypto_seal(char **out, const struct fb_keyring *ring, const char *rec, const char *field,
		   const char *plain, int with_tag, struct fb_error *err);
/* Opens a sealed value of field.  FB_ENOTFOUND when ring has no key with its id (another
 * deployment's or a rotated-away key); FB_ECORRUPT when it does not authenticate.  *out
 * malloc'd; free it with fb_crypto_free_plain. */
int fb_crypto_open(char **out, const struct fb_keyring *ring, const char *field, const char *stored,
		   struct fb_error *err);
/* Wipes and frees a plaintext returned by fb_crypto_open. */
void fb_crypto_free_plain(char *plain);
/* Lookup tag (FB_TAG_HEX hex + NUL) of a normalised ID number, or -1 with no key. */
int fb_crypto_tag(char out[FB_TAG_HEX + 1], const struct fb_keyring *ring, const char *normalised);
/* The tag carried by a sealed value (pointer into stored, FB_TAG_HEX characters), or NULL. */
const char *fb_crypto_sealed_tag(const char *stored);

/* Overwrites n bytes at p with zeros in a way the compiler keeps (passphrases). */
void fb_crypto_wipe(void *p, size_t n);

/* Base64url without padding (libsodium's variant) helpers for the key file format. */
char *fb_b64_encode(const unsigned char *bin, size_t len);
/* Decodes exactly into bin (cap bytes); *len the length.  -1 on bad input or overflow. */
int fb_b64_decode(unsigned char *bin, size_t cap, size_t *len, const char *text, size_t text_len);

#endif
