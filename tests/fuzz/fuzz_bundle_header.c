/* fuzz_bundle_header.c - libFuzzer target for the git bundle header parser (tests layer,
 * core only).  Any input must either parse or fail with FB_EINVAL and a message; what
 * parses has a version of 2 or 3, a header length within the input ending in "\n\n", at
 * least one ref, acceptable ref names, 40-hex ids, no duplicate ref names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/bundlehdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_bundle_header: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_bundle_header *h = NULL;
	struct fb_error err;
	size_t i, j;
	int rc;

	fb_error_clear(&err);
	rc = fb_bundle_header_parse(&h, (const char *)data, size, &err);
	if (rc != 0) {
		check(rc == FB_EINVAL && h == NULL, "failure code");
		check(err.message[0] != '\0', "failure without a message");
		return 0;
	}
	check(h->version == 2 || h->version == 3, "version");
	check(h->header_len >= 17 && h->header_len <= size, "header length");
	check(data[h->header_len - 1] == '\n' && data[h->header_len - 2] == '\n', "header end");
	check(h->nrefs > 0, "no refs");
	for (i = 0; i < h->nrefs; i++) {
		check(strlen(h->refs[i].oid) == 40 && strspn(h->refs[i].oid, "0123456789abcdef") == 40, "ref oid");
		check(fb_bundle_refname_ok(h->refs[i].name), "ref name");
		for (j = 0; j < i; j++)
			check(strcmp(h->refs[i].name, h->refs[j].name) != 0, "duplicate ref");
	}
	for (i = 0; i < h->nprereq; i++)
		check(strspn(h->prereq[i], "0123456789abcdef") == 40, "prerequisite oid");
	fb_bundle_header_free(h);
	return 0;
}
