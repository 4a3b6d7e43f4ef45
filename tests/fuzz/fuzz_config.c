/* fuzz_config.c - libFuzzer target for the configuration file parser (tests layer, core
 * only).  Any input must either parse or fail with FB_EINVAL and a "<origin> line N: ..."
 * message in valid UTF-8.  What parses must serialise back to the same bytes (plus a final
 * newline), and after edits (set, unset, new keys in old and new sections) the serialised
 * text must parse back to exactly the edited keys and values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_config: %s\n", what);
		abort();
	}
}

static int utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			(*p & 0xF8) == 0xF0 ? 4 : 0;
		int i;
		if (!n)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

/* Every key of want is in got with the same value, and nothing else is. */
static void same_keys(const struct fb_config *want, const struct fb_config *got, const char *what)
{
	size_t i, n = fb_config_count(want);

	check(fb_config_count(got) == n, what);
	for (i = 0; i < n; i++) {
		const char *k, *v, *g;
		check(fb_config_at(want, i, &k, &v) == 0, what);
		g = fb_config_get(got, k);
		check(g && strcmp(g, v) == 0, what);
	}
}

static struct fb_config *reparse(const struct fb_config *cfg, char **text_out, size_t *len_out)
{
	struct fb_config *back = NULL;
	struct fb_error err;
	char *text = NULL;
	size_t len = 0;

	check(fb_config_serialize(&text, &len, cfg, &err) == 0, "serialize failed");
	check(strlen(text) == len, "serialize length");
	if (fb_config_parse(&back, text, len, "again", &err) != 0) {
		fprintf(stderr, "%s\n--- text ---\n%s", err.message, text);
		check(0, "the serialised text does not parse");
	}
	if (text_out) {
		*text_out = text;
		*len_out = len;
	} else {
		free(text);
	}
	return back;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const odd = " a\"b\\c\nd\te #f ;g ";
	struct fb_config *cfg = NULL, *back;
	struct fb_error err;
	char **keys, *text;
	size_t i, n, len;
	int rc;

	fb_error_clear(&err);
	rc = fb_config_parse(&cfg, (const char *)data, size, "fuzz", &err);
	if (rc != 0) {
		check(rc == FB_EINVAL && cfg == NULL, "failure code");
		check(strncmp(err.message, "fuzz line ", 10) == 0 ||
			      strncmp(err.message, "fuzz is larger", 14) == 0,
		      "message names the origin and line");
		check(utf8_ok(err.message), "message is valid UTF-8");
		return 0;
	}

	/* Untouched, the text comes back byte for byte. */
	back = reparse(cfg, &text, &len);
	same_keys(cfg, back, "round trip changed the keys");
	if (size) {
		check(len == size || (len == size + 1 && data[size - 1] != '\n' && text[size] == '\n'),
		      "round trip changed the length");
		check(memcmp(text, data, size) == 0, "round trip changed the bytes");
	}
	free(text);
	fb_config_free(back);

	/* Edit: change every third value, remove every fourth key, add keys. */
	n = fb_config_count(cfg);
	keys = calloc(n + 1, sizeof *keys);
	check(keys != NULL, "oom");
	for (i = 0; i < n; i++) {
		const char *k;
		fb_config_at(cfg, i, &k, NULL);
		keys[i] = strdup(k);
		check(keys[i] != NULL, "oom");
	}
	for (i = 0; i < n; i++) {
		if (i % 3 == 0) {
			char v[64];
			snprintf(v, sizeof v, "%s%zu", odd, i);
			check(fb_config_set(cfg, keys[i], v, &err) == 0, "set an existing key");
		}
		if (i % 4 == 1)
			check(fb_config_unset(cfg, keys[i], &err) == 0, "unset an existing key");
	}
	if (n) {
		/* A new key in the section of the first key. */
		char k[256];
		const char *dot = strrchr(keys[0], '.');
		int plen = dot ? (int)(dot - keys[0]) + 1 : 0;
		snprintf(k, sizeof k, "%.*szz-new", plen, keys[0]);
		rc = fb_config_set(cfg, k, "中山港", &err);
		check(rc == 0, "set a new key in an old section");
	}
	check(fb_config_set(cfg, "top-new", "", &err) == 0, "set a new top key");
	check(fb_config_set(cfg, "fuzz.new", odd, &err) == 0, "set a new section key");
	check(fb_config_set(cfg, "remote.Fz.9.url", "ssh://x/y", &err) == 0, "set a new sub key");
	back = reparse(cfg, NULL, NULL);
	same_keys(cfg, back, "edits did not round trip");
	fb_config_free(back);

	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	fb_config_free(cfg);
	return 0;
}
