/* tap.h - the tiny test protocol of the unit tests (tests layer).
 *
 * Each check prints "ok N - what" or "not ok N - what" (TAP), which tests/run counts
 * into the final "N passed, N failed" line.  A test program ends with
 * `return tap_done();`, which is non-zero when any check failed. */
#ifndef FIELDBOOK_TAP_H
#define FIELDBOOK_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

#define TAP_OK(cond, ...)                                                                  \
	do {                                                                               \
		int tap_c_ = (cond) ? 1 : 0;                                               \
		tap_count++;                                                               \
		if (!tap_c_)                                                               \
			tap_failed++;                                                      \
		printf("%sok %d - ", tap_c_ ? "" : "not ", tap_count);                     \
		printf(__VA_ARGS__);                                                       \
		printf("\n");                                                              \
		if (!tap_c_)                                                               \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);       \
		fflush(stdout);                                                            \
	} while (0)

/* String equality with both values printed on failure. */
#define TAP_STREQ(got, want, ...)                                                          \
	do {                                                                               \
		const char *tap_g_ = (got), *tap_w_ = (want);                              \
		int tap_e_ = tap_g_ && tap_w_ && strcmp(tap_g_, tap_w_) == 0;              \
		TAP_OK(tap_e_, __VA_ARGS__);                                               \
		if (!tap_e_)                                                               \
			printf("#   got  '%s'\n#   want '%s'\n", tap_g_ ? tap_g_ : "(null)", \
			       tap_w_ ? tap_w_ : "(null)");                                \
	} while (0)

static inline int tap_done(void)
{
	printf("# %d checks, %d failed\n", tap_count, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
