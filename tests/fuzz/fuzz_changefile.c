/* fuzz_changefile.c - libFuzzer target for the change-file parser (tests layer).
 *
 * Invariants: malformed input is refused without a crash, a leak or a partial result; an
 * accepted file writes back to exactly the same bytes (it was canonical), and every op in
 * it passes fb_op_check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/changefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_changefile *cf = NULL;
	struct fb_error err;
	char *again = NULL;
	size_t len = 0, i;

	if (fb_changefile_parse(&cf, (const char *)data, size, &err) != 0) {
		if (cf)
			abort();
		return 0;
	}
	for (i = 0; i < cf->nops; i++)
		if (fb_op_check(&cf->ops[i], cf->device, &err) != 0)
			abort();
	if (fb_changefile_write(&again, &len, cf->device, cf->seal, cf->ops, cf->nops, &err) != 0 ||
	    len != size || memcmp(again, data, size))
		abort();
	free(again);
	fb_changefile_free(cf);
	return 0;
}
