/* crypto.c - master keys, sealed field values and lookup tags (core layer, libsodium).
 *
 * See include/fieldbook/crypto.h for the format and the contract.  Key derivation:
 * crypto_kdf_derive_from_key(master, id 1 "fbseal__") is the XChaCha20-Poly1305 key,
 * (id 2) the nonce key, (id 3 of the OLDEST master key) the lookup key, (id 4) hashed to
 * the key id. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/crypto.h"
#include "fieldbook/i18n.h"

#define KDF_CTX "fbseal__"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define MAC_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

static struct fb_keyring g_ring;
static int g_ring_set;

int fb_crypto_init(struct fb_error *err)
{
	if (sodium_init() < 0)
		return fb_error_set(err, FB_EINVAL, "crypto",
				    _("the encryption library (libsodium) cannot start: no random source"));
	return 0;
}

static void subkey(unsigned char out[32], const unsigned char master[FB_KEY_BYTES], uint64_t id)
{
	crypto_kdf_derive_from_key(out, 32, id, KDF_CTX, master);
}

int fb_keyring_add_new(struct fb_keyring *ring, struct fb_error *err)
{
	int rc;

	if ((rc = fb_crypto_init(err)) < 0)
		return rc;
	if (ring->n >= FB_KEY_MAX)
		return fb_error_set(err, FB_EINVAL, "key",
				    _("the key ring already holds %d keys; no more rotations are possible"),
				    FB_KEY_MAX);
	memmove(ring->master[1], ring->master[0], ring->n * FB_KEY_BYTES);
	crypto_kdf_keygen(ring->master[0]);
	ring->n++;
	return 0;
}

void fb_keyring_id(char out[FB_KEYID_LEN + 1], const struct fb_keyring *ring, size_t i)
{
	unsigned char k[32], h[FB_KEYID_LEN / 2];

	subkey(k, ring->master[i], 4);
	crypto_generichash(h, sizeof h, (const unsigned char *)"fieldbook key id", 16, k, sizeof k);
	sodium_bin2hex(out, FB_KEYID_LEN + 1, h, sizeof h);
	sodium_memzero(k, sizeof k);
}

void fb_keyring_wipe(struct fb_keyring *ring)
{
	if (ring)
		sodium_memzero(ring, sizeof *ring);
}

void fb_crypto_set_ring(const struct fb_keyring *ring)
{
	fb_keyring_wipe(&g_ring);
	g_ring_set = 0;
	if (ring && ring->n) {
		g_ring = *ring;
		g_ring_set = 1;
	}
}

const struct fb_keyring *fb_crypto_ring(void)
{
	return g_ring_set ? &g_ring : NULL;
}

int fb_crypto_is_sealed(const char *stored)
{
	return stored && !strncmp(stored, FB_SEALED_PREFIX, sizeof FB_SEALED_PREFIX - 1);
}

char *fb_b64_encode(const unsigned char *bin, size_t len)
{
	size_t cap = sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(cap);

	if (out)
		sodium_bin2base64(out, cap, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

int fb_b64_decode(unsigned char *bin, size_t cap, size_t *len, const char *text, size_t text_len)
{
	const char *end = NULL;

	if (sodium_base642bin(bin, cap, text, text_len, NULL, len, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    end != text + text_len)
		return -1;
	return 0;
}

int fb_crypto_tag(char out[FB_TAG_HEX + 1], const struct fb_keyring *ring, const char *normalised)
{
	unsigned char k[32], h[FB_TAG_HEX / 2];

	if (!ring || !ring->n)
		return -1;
	subkey(k, ring->master[ring->n - 1], 3);
	crypto_generichash(h, sizeof h, (const unsigned char *)normalised, strlen(normalised), k,
			   sizeof k);
	sodium_bin2hex(out, FB_TAG_HEX + 1, h, sizeof h);
	sodium_memzero(k, sizeof k);
	return 0;
}

/* "fieldbook enc1 FIELD": the associated data. */
static size_t make_ad(char *ad, size_t cap, const char *field)
{
	int n = snprintf(ad, cap, "fieldbook enc1 %s", field);
	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

int fb_crypto_seal(char **out, const struct fb_keyring *ring, const char *rec, const char *field,
		   const char *plain, int with_tag, struct fb_error *err)
{
	unsigned char ek[32], nk[32], *box = NULL;
	crypto_generichash_state hs;
	char id[FB_KEYID_LEN + 1], tag[FB_TAG_HEX + 1] = "", ad[96], *b64 = NULL;
	size_t plen = strlen(plain), adlen = make_ad(ad, sizeof ad, field);
	unsigned long long clen = 0;
	int rc = 0;

	*out = NULL;
	if (!ring || !ring->n)
		return fb_error_set(err, FB_EINVAL, field, _("%s: no deployment key is loaded"), field);
	if (!(box = malloc(NONCE_BYTES + plen + MAC_BYTES)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	subkey(ek, ring->master[0], 1);
	subkey(nk, ring->master[0], 2);
	crypto_generichash_init(&hs, nk, sizeof nk, NONCE_BYTES);
	crypto_generichash_update(&hs, (const unsigned char *)field, strlen(field) + 1);
	crypto_generichash_update(&hs, (const unsigned char *)rec, strlen(rec) + 1);
	crypto_generichash_update(&hs, (const unsigned char *)plain, plen);
	crypto_generichash_final(&hs, box, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE_BYTES, &clen, (const unsigned char *)plain,
						   plen, (const unsigned char *)ad, adlen, NULL, box, ek);
	fb_keyring_id(id, ring, 0);
	if (with_tag)
		fb_crypto_tag(tag, ring, plain);
	if (!(b64 = fb_b64_encode(box, NONCE_BYTES + (size_t)clen)) ||
	    !(*out = malloc(strlen(b64) + sizeof FB_SEALED_PREFIX + FB_KEYID_LEN + FB_TAG_HEX + 4))) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	sprintf(*out, "%s%s:%s%s%s", FB_SEALED_PREFIX, id, b64, tag[0] ? ":" : "", tag);
cleanup:
	sodium_memzero(ek, sizeof ek);
	sodium_memzero(nk, sizeof nk);
	sodium_memzero(&hs, sizeof hs);
	free(box);
	free(b64);
	return rc;
}

int fb_crypto_open(char **out, const struct fb_keyring *ring, const char *field, const char *stored,
		   struct fb_error *err)
{
	const char *p = stored + sizeof FB_SEALED_PREFIX - 1, *b, *e;
	unsigned char ek[32], *box = NULL;
	unsigned long long plen = 0;
	char ad[96], id[FB_KEYID_LEN + 1];
	size_t i, blen = 0, adlen = make_ad(ad, sizeof ad, field), cap;
	int rc = 0;

	*out = NULL;
	if (!fb_crypto_is_sealed(stored) || strlen(p) < FB_KEYID_LEN + 1 || p[FB_KEYID_LEN] != ':')
		return fb_error_set(err, FB_ECORRUPT, field, _("%s: not a sealed value"), field);
	b = p + FB_KEYID_LEN + 1;
	e = strchr(b, ':');
	if (!e)
		e = b + strlen(b);
	if (!ring || !ring->n)
		return fb_error_set(err, FB_ENOTFOUND, field,
				    _("%s: encrypted, and no deployment key is loaded"), field);
	for (i = 0; i < ring->n; i++) {
		fb_keyring_id(id, ring, i);
		if (!strncmp(id, p, FB_KEYID_LEN))
			break;
	}
	if (i == ring->n)
		return fb_error_set(err, FB_ENOTFOUND, field,
				    _("%s: encrypted with key %.8s, which this computer does not have"),
				    field, p);
	cap = (size_t)(e - b) * 3 / 4 + 3;
	if (!(box = malloc(cap)) || !(*out = malloc(cap + 1))) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	if (fb_b64_decode(box, cap, &blen, b, (size_t)(e - b)) < 0 || blen < NONCE_BYTES + MAC_BYTES) {
		rc = fb_error_set(err, FB_ECORRUPT, field, _("%s: the sealed value is damaged"), field);
		goto cleanup;
	}
	subkey(ek, ring->master[i], 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)*out, &plen, NULL, box + NONCE_BYTES,
						       blen - NONCE_BYTES, (const unsigned char *)ad,
						       adlen, box, ek) != 0) {
		rc = fb_error_set(err, FB_ECORRUPT, field,
				  _("%s: the sealed value does not match its key (damaged or forged)"),
				  field);
		goto cleanup;
	}
	(*out)[plen] = '\0';
	if (strlen(*out) != plen) /* an embedded NUL: not text we wrote */
		rc = fb_error_set(err, FB_ECORRUPT, field, _("%s: the sealed value is damaged"), field);
cleanup:
	sodium_memzero(ek, sizeof ek);
	free(box);
	if (rc < 0 && *out) {
		sodium_memzero(*out, cap + 1);
		free(*out);
		*out = NULL;
	}
	return rc;
}

void fb_crypto_free_plain(char *plain)
{
	if (plain) {
		sodium_memzero(plain, strlen(plain));
		free(plain);
	}
}

void fb_crypto_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

const char *fb_crypto_sealed_tag(const char *stored)
{
	const char *c;

	if (!fb_crypto_is_sealed(stored))
		return NULL;
	c = strrchr(stored, ':');
	if (!c || c < stored + sizeof FB_SEALED_PREFIX - 1 + FB_KEYID_LEN || strlen(c + 1) != FB_TAG_HEX ||
	    strspn(c + 1, "0123456789abcdef") != FB_TAG_HEX)
		return NULL;
	return c + 1;
}
