/* clock.h - wall clock, the test clock and hybrid logical clocks (core layer).
 *
 * FIELDBOOK_NOW fixes the clock for tests: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" with an
 * optional "Z" or "+HH:MM" offset (local time without one), or "@SECONDS" since the epoch.
 * Hybrid logical clock values are (milliseconds since the epoch << 16) | counter; they
 * order ops for display and default winners only, never for correctness. */
#ifndef FIELDBOOK_CLOCK_H
#define FIELDBOOK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"

/* Validate FIELDBOOK_NOW (if set); FB_EINVAL with the accepted formats otherwise. */
int fb_clock_check_env(struct fb_error *err);
/* Milliseconds since the epoch: FIELDBOOK_NOW if set and valid, else the real clock. */
int64_t fb_clock_now_ms(void);
/* Today's local date, "YYYY-MM-DD" (11 bytes). */
void fb_clock_today(char *out, size_t cap);
/* Local time with offset, ISO 8601: "2026-11-29T18:27:28+08:00". */
void fb_clock_format_ms(char *out, size_t cap, int64_t ms);

#define FB_HLC_MAX_SKEW_MS (24LL * 3600 * 1000) /* remote clocks further ahead are not adopted */

/* The next local HLC after last, given the wall clock now_ms. */
int64_t fb_hlc_next(int64_t last, int64_t now_ms);
/* Merge a received HLC: returns the new local "last" (unchanged when remote is more than
 * FB_HLC_MAX_SKEW_MS ahead of now_ms; *anomaly is set to 1 then). */
int64_t fb_hlc_observe(int64_t last, int64_t remote, int64_t now_ms, int *anomaly);
static inline int64_t fb_hlc_ms(int64_t hlc) { return hlc >> 16; }

#endif
