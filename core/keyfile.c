/* keyfile.c - key files and the operators file: strict parsing, writing, Argon2id-wrapped
 * key rings (core layer, libsodium).  Format and contract: include/fieldbook/keyfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldbook/i18n.h"
#include "fieldbook/keyfile.h"
#include "fieldbook/role.h"
#include "fieldbook/text.h"

#define MAGIC "fieldbook-keys 1"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define MAC_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define MAX_OPS 20ULL
#define MAX_MEM ((size_t)1 << 30)

int fb_operator_name_check(const char *name, struct fb_error *err)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n == 0 || n > FB_OPERATOR_NAME_MAX || !fb_utf8_valid(name, n))
		goto bad;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			goto bad;
	return 0;
bad:
	return fb_error_set(err, FB_EINVAL, "operator",
			    _("operator name: give 1 to %d bytes of text without tabs or control "
			      "characters"),
			    FB_OPERATOR_NAME_MAX);
}

/* Splits line (len bytes) at tabs into at most max fields (pointers into line, which is
 * modified); returns the count. */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return p ? max + 1 : n;
}

static int parse_u64(unsigned long long *out, const char *s, unsigned long long lo, unsigned long long hi)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s) || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++)
		v = v * 10 + (unsigned long long)(*s - '0');
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_entry(struct fb_keyentry *e, char *line, struct fb_error *err)
{
	char *f[8];
	unsigned long long mem;
	size_t saltlen = 0;
	enum fb_role role;

	memset(e, 0, sizeof *e);
	if (split_tabs(line, f, 7) != 7 || strcmp(f[0], "op"))
		return -1;
	if (fb_operator_name_check(f[1], NULL) < 0 || fb_role_parse(&role, f[2], NULL) < 0 ||
	    role == FB_ROLE_NONE)
		return -1;
	snprintf(e->name, sizeof e->name, "%s", f[1]);
	snprintf(e->role, sizeof e->role, "%s", fb_role_name(role));
	if (strcmp(e->role, f[2]))
		return -1; /* canonical role names only: the box's associated data names it */
	if (parse_u64(&e->opslimit, f[3], crypto_pwhash_OPSLIMIT_MIN, MAX_OPS) < 0 ||
	    parse_u64(&mem, f[4], crypto_pwhash_MEMLIMIT_MIN, MAX_MEM) < 0)
		return -1;
	e->memlimit = (size_t)mem;
	if (fb_b64_decode(e->salt, sizeof e->salt, &saltlen, f[5], strlen(f[5])) < 0 ||
	    saltlen != sizeof e->salt)
		return -1;
	if (fb_b64_decode(e->box, sizeof e->box, &e->boxlen, f[6], strlen(f[6])) < 0 ||
	    e->boxlen < NONCE_BYTES + MAC_BYTES + FB_KEY_BYTES ||
	    (e->boxlen - NONCE_BYTES - MAC_BYTES) % FB_KEY_BYTES)
		return -1;
	(void)err;
	return 0;
}

int fb_keyfile_parse(struct fb_keyfile *out, const char *text, size_t len, struct fb_error *err)
{
	char *copy = NULL, *line, *next;
	size_t lineno = 0, i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len > FB_KEYFILE_MAX_BYTES || memchr(text, '\0', len))
		return fb_error_set(err, FB_EINVAL, "key file", _("this is not a fieldbook key file"));
	if (!(copy = malloc(len + 1)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			if (strcmp(line, MAGIC)) {
				rc = fb_error_set(err, FB_EINVAL, "key file",
						  _("this is not a fieldbook key file (it does not start "
						    "with \"%s\")"),
						  MAGIC);
				goto cleanup;
			}
			continue;
		}
		if (out->n == FB_KEYFILE_MAX_ENTRIES || parse_entry(&out->e[out->n], line, err) < 0) {
			rc = fb_error_set(err, FB_EINVAL, "key file",
					  _("the key file is damaged at line %zu"), lineno);
			goto cleanup;
		}
		for (i = 0; i < out->n; i++)
			if (!strcmp(out->e[i].name, out->e[out->n].name)) {
				rc = fb_error_set(err, FB_EINVAL, "key file",
						  _("the key file names operator %s twice (line %zu)"),
						  out->e[i].name, lineno);
				goto cleanup;
			}
		out->n++;
	}
	if (lineno == 0)
		rc = fb_error_set(err, FB_EINVAL, "key file", _("the key file is empty"));
	else if (out->n == 0)
		rc = fb_error_set(err, FB_EINVAL, "key file", _("the key file holds no operator"));
cleanup:
	free(copy);
	if (rc < 0)
		sodium_memzero(out, sizeof *out);
	return rc;
}

char *fb_keyfile_format(const struct fb_keyfile *kf)
{
	size_t cap = 32 + kf->n * 1024, used, i;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	used = (size_t)sprintf(out, "%s\n", MAGIC);
	for (i = 0; i < kf->n; i++) {
		const struct fb_keyentry *e = &kf->e[i];
		char *salt = fb_b64_encode(e->salt, sizeof e->salt), *box = fb_b64_encode(e->box, e->boxlen);
		if (!salt || !box) {
			free(salt);
			free(box);
			free(out);
			return NULL;
		}
		used += (size_t)snprintf(out + used, cap - used, "op\t%s\t%s\t%llu\t%zu\t%s\t%s\n", e->name,
					 e->role, e->opslimit, e->memlimit, salt, box);
		free(salt);
		free(box);
	}
	return out;
}

int fb_keyfile_load(struct fb_keyfile *out, const char *path, struct fb_error *err)
{
	char *buf = NULL;
	size_t n;
	FILE *f = fopen(path, "rb");
	int rc;

	memset(out, 0, sizeof *out);
	if (!f)
		return fb_error_set(err, errno == ENOENT ? FB_ENOTFOUND : FB_EIO, "key file",
				    _("cannot read the key file %s: %s"), path, strerror(errno));
	if (!(buf = malloc(FB_KEYFILE_MAX_BYTES + 1))) {
		fclose(f);
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	}
	n = fread(buf, 1, FB_KEYFILE_MAX_BYTES + 1, f);
	fclose(f);
	rc = fb_keyfile_parse(out, buf, n, err);
	if (rc < 0 && err)
		fb_error_set(err, rc, "key file", _("%s: %s"), path, err->message);
	sodium_memzero(buf, FB_KEYFILE_MAX_BYTES + 1);
	free(buf);
	return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int fb_keyfile_save(const struct fb_keyfile *kf, const char *path, struct fb_error *err)
{
	char *text = fb_keyfile_format(kf), *tmp = malloc(strlen(path) + 16);
	int fd = -1, rc = 0;

	if (!text || !tmp) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	sprintf(tmp, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = fb_error_set(err, FB_EIO, "key file", _("cannot write %s: %s"), path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto cleanup;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ||
	    close(fd) < 0) {
		fd = -1;
		rc = fb_error_set(err, FB_EIO, "key file", _("cannot write %s: %s"), path, strerror(errno));
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = fb_error_set(err, FB_EIO, "key file", _("cannot write %s: %s"), path, strerror(errno));
		goto cleanup;
	}
	free(tmp);
	tmp = NULL;
cleanup:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(text);
	return rc;
}

static void make_ad(char *ad, size_t cap, const struct fb_keyentry *e)
{
	snprintf(ad, cap, "%s %s %s", MAGIC, e->name, e->role);
}

/* The wrapping key from the passphrase. */
static int wrap_key(unsigned char k[32], const struct fb_keyentry *e, const char *pass, struct fb_error *err)
{
	if (crypto_pwhash(k, 32, pass, strlen(pass), e->salt, e->opslimit, e->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return fb_error_set(err, FB_ENOMEM, "passphrase",
				    _("not enough memory to check the passphrase (%zu MiB needed)"),
				    e->memlimit >> 20);
	return 0;
}

int fb_keyentry_make(struct fb_keyentry *e, const char *name, const char *role, const char *pass,
		     const struct fb_keyring *ring, struct fb_error *err)
{
	unsigned char k[32];
	unsigned long long clen = 0;
	char ad[160];
	enum fb_role r;
	int rc;

	memset(e, 0, sizeof *e);
	if ((rc = fb_crypto_init(err)) < 0 || (rc = fb_operator_name_check(name, err)) < 0 ||
	    (rc = fb_role_parse(&r, role, err)) < 0)
		return rc;
	if (!ring || !ring->n || ring->n > FB_KEY_MAX)
		return fb_error_set(err, FB_EINVAL, "key", _("no deployment key to protect"));
	if (!pass || strlen(pass) < 8)
		return fb_error_set(err, FB_EINVAL, "passphrase",
				    _("the passphrase is too short: use at least 8 characters"));
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->role, sizeof e->role, "%s", fb_role_name(r));
	e->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	e->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	randombytes_buf(e->salt, sizeof e->salt);
	if ((rc = wrap_key(k, e, pass, err)) < 0)
		return rc;
	randombytes_buf(e->box, NONCE_BYTES);
	make_ad(ad, sizeof ad, e);
	crypto_aead_xchacha20poly1305_ietf_encrypt(e->box + NONCE_BYTES, &clen, ring->master[0],
						   ring->n * FB_KEY_BYTES, (const unsigned char *)ad,
						   strlen(ad), NULL, e->box, k);
	e->boxlen = NONCE_BYTES + (size_t)clen;
	sodium_memzero(k, sizeof k);
	return 0;
}

int fb_keyentry_open(struct fb_keyring *ring, const struct fb_keyentry *e, const char *pass,
		     struct fb_error *err)
{
	unsigned char k[32];
	unsigned long long mlen = 0;
	char ad[160];
	int rc;

	memset(ring, 0, sizeof *ring);
	if ((rc = fb_crypto_init(err)) < 0 || (rc = wrap_key(k, e, pass ? pass : "", err)) < 0)
		return rc;
	make_ad(ad, sizeof ad, e);
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(ring->master[0], &mlen, NULL, e->box + NONCE_BYTES,
							e->boxlen - NONCE_BYTES, (const unsigned char *)ad,
							strlen(ad), e->box, k);
	sodium_memzero(k, sizeof k);
	if (rc != 0 || mlen == 0 || mlen % FB_KEY_BYTES || mlen / FB_KEY_BYTES > FB_KEY_MAX) {
		fb_keyring_wipe(ring);
		return fb_error_set(err, FB_EINVAL, "passphrase", _("wrong passphrase"));
	}
	ring->n = (size_t)(mlen / FB_KEY_BYTES);
	return 0;
}

struct fb_keyentry *fb_keyfile_find(struct fb_keyfile *kf, const char *name)
{
	size_t i;

	for (i = 0; i < kf->n; i++)
		if (!strcmp(kf->e[i].name, name))
			return &kf->e[i];
	return NULL;
}
