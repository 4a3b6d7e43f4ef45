/* fuzz_keyfile.c - libFuzzer target for the key file / operators file parser and the
 * unlock session parser (tests layer, core only).  Any input must parse or fail with
 * FB_EINVAL; what parses must format back to text that parses to the same entries; an
 * entry that parsed must refuse a wrong passphrase without crashing (cheap Argon2
 * parameters only, so the fuzzer stays fast).  Sealed-value opening is fuzzed on the same
 * bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/crypto.h"
#include "fieldbook/keyfile.h"
#include "fieldbook/unlock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_keyfile: %s\n", what);
		abort();
	}
}

static struct fb_keyfile kf, kf2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_error err = {0};
	struct fb_session ss, ss2;
	struct fb_keyring ring;
	char *text, *copy;
	size_t i;
	int rc;

	fb_crypto_init(NULL);
	rc = fb_keyfile_parse(&kf, (const char *)data, size, &err);
	check(rc == 0 || rc == FB_EINVAL || rc == FB_ENOMEM, "keyfile: unexpected code");
	if (rc == 0) {
		check(kf.n > 0 && kf.n <= FB_KEYFILE_MAX_ENTRIES, "keyfile: entry count");
		text = fb_keyfile_format(&kf);
		check(text != NULL, "keyfile: format");
		check(fb_keyfile_parse(&kf2, text, strlen(text), &err) == 0, "keyfile: formatted text parses");
		check(kf2.n == kf.n, "keyfile: same count");
		for (i = 0; i < kf.n; i++)
			check(!strcmp(kf.e[i].name, kf2.e[i].name) && !strcmp(kf.e[i].role, kf2.e[i].role) &&
				      kf.e[i].boxlen == kf2.e[i].boxlen &&
				      !memcmp(kf.e[i].box, kf2.e[i].box, kf.e[i].boxlen),
			      "keyfile: same entries");
		free(text);
		/* a wrong passphrase never opens (only with cheap parameters: speed) */
		if (kf.e[0].opslimit <= 2 && kf.e[0].memlimit <= (1u << 16))
			check(fb_keyentry_open(&ring, &kf.e[0], "fuzz", &err) != 0 || ring.n > 0,
			      "keyfile: open result");
	}
	rc = fb_session_parse(&ss, (const char *)data, size, &err);
	check(rc == 0 || rc == FB_EINVAL || rc == FB_ENOMEM, "session: unexpected code");
	if (rc == 0) {
		text = fb_session_format(&ss);
		check(text && fb_session_parse(&ss2, text, strlen(text), &err) == 0, "session: round trip");
		check(ss2.ring.n == ss.ring.n && ss2.expires == ss.expires && ss2.idle == ss.idle &&
			      !strcmp(ss2.operator_name, ss.operator_name),
		      "session: same values");
		free(text);
	}
	/* the bytes as a sealed value */
	if ((copy = malloc(size + 1))) {
		char *plain = NULL;
		struct fb_keyring r = {0};
		memcpy(copy, data, size);
		copy[size] = '\0';
		r.n = 1;
		memset(r.master[0], 7, FB_KEY_BYTES);
		rc = fb_crypto_is_sealed(copy) ? fb_crypto_open(&plain, &r, "summary", copy, &err) : 0;
		check(rc <= 0, "open: code");
		fb_crypto_free_plain(plain);
		(void)fb_crypto_sealed_tag(copy);
		free(copy);
	}
	return 0;
}
