/* fuzz_lockinfo.c - libFuzzer target for the sync lock file's parser (tests layer, core
 * only: core/lockinfo.c).  Any input must parse or fail with FB_EINVAL and a zeroed
 * result; what parses must hold values the contract allows and must format back to text
 * that parses to the same values (parse(format(x)) == x), which format to the very same
 * bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/lockinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_lockinfo: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_lockinfo li, li2, zero;
	struct fb_error err = {0};
	char text[FB_LOCKINFO_MAX_BYTES], text2[FB_LOCKINFO_MAX_BYTES];
	size_t n = 0, n2 = 0;
	int rc;

	memset(&zero, 0, sizeof zero);
	rc = fb_lockinfo_parse(&li, (const char *)data, size, &err);
	check(rc == 0 || rc == FB_EINVAL, "parse: unexpected code");
	if (rc < 0) {
		check(!memcmp(&li, &zero, sizeof li), "parse: result not zeroed on failure");
		check(err.message[0] != '\0', "parse: failure without a message");
		return 0;
	}
	check(li.pid >= 1 && li.pid <= FB_LOCKINFO_PID_MAX && li.started >= 0, "parse: numbers in range");
	check(fb_lockinfo_host_ok(li.host) && fb_lockinfo_boot_ok(li.boot), "parse: host and boot allowed");
	check(fb_lockinfo_format(text, sizeof text, &n, &li, &err) == 0, "format: what parsed formats");
	check(n == strlen(text) && n <= FB_LOCKINFO_MAX_BYTES, "format: length");
	check(fb_lockinfo_parse(&li2, text, n, &err) == 0, "round trip: formatted text parses");
	check(!strcmp(li.host, li2.host) && !strcmp(li.boot, li2.boot) && li.pid == li2.pid &&
		      li.started == li2.started,
	      "round trip: same values");
	/* the formatter's own output is a fixed point: formatting li2 gives the same bytes */
	check(fb_lockinfo_format(text2, sizeof text2, &n2, &li2, &err) == 0 && n2 == n && !memcmp(text, text2, n),
	      "round trip: same text");
	return 0;
}
