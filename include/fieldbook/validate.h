/* validate.h - normalisation and validation of single values (core layer).
 *
 * Every function takes the field name whose value it checks (used in the message),
 * writes the normalised value to its output only on success (or, for FB_EWARN, the
 * normalised value that failed only a checksum), and fills err with a message that
 * names the field and the fix.  Pure functions: no I/O, no global state except the
 * C library's wcwidth tables.  Rules and test vectors: BRIEF section 3, copied into
 * tests/unit/test_validate.c. */
#ifndef FIELDBOOK_VALIDATE_H
#define FIELDBOOK_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"

/* Map full-width digits and letters (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) to ASCII,
 * drop spaces (ASCII and U+3000) and '-', upper-case ASCII letters.  out gets at most
 * cap-1 bytes; returns FB_EINVAL (naming field) if the result would not fit. */
int fb_normalize_code(char *out, size_t cap, const char *in, const char *field,
		      struct fb_error *err);

struct fb_resident_id {
	char number[19];     /* normalised 18 characters */
	char birth_date[11]; /* YYYY-MM-DD */
	int male;            /* 1 male, 0 female (odd / even sequence digit) */
	int region;          /* first two digits, e.g. 11 */
};

/* Check a resident ID number (GB 11643-1999) or a HK/Macao/Taiwan residence permit
 * (regions 81/82/83, same algorithm).  today is "YYYY-MM-DD": the birth date must be a
 * real date not after today, and the age on today must be at least min_age (pass 0 to
 * skip the age rule).  A 15-digit legacy number is refused with a message that gives
 * its 18-digit form (legacy numbers are upgraded only by import, see below). */
int fb_validate_resident_id(struct fb_resident_id *out, const char *input, const char *today,
			    int min_age, const char *field, struct fb_error *err);

/* Upgrade a 15-digit legacy number: insert "19" after the 6-digit region and append the
 * check character.  out gets 18 characters + NUL. */
int fb_upgrade_legacy_id(char *out, size_t cap, const char *input15, const char *field,
			 struct fb_error *err);

/* Unified social credit code (GB 32100-2015).  On success out holds the normalised
 * 18 characters.  A bad length or a character outside the code alphabet is FB_EINVAL;
 * a wrong check character only is FB_EWARN (out is filled, the message gives the
 * expected check character and says the warning can be overridden with a reason). */
int fb_validate_uscc(char *out, size_t cap, const char *input, const char *field,
		     struct fb_error *err);

/* Mobile: strip spaces, '-', parentheses, a leading +86 / 0086 / 86, normalise
 * full-width digits; the result must match ^1[3-9][0-9]{9}$.  out gets 11 digits. */
int fb_validate_mobile(char *out, size_t cap, const char *input, const char *field,
		       struct fb_error *err);

/* Personal names: trim surrounding white space, map the look-alike separators (U+2022,
 * U+30FB, U+FF65, U+2219, U+22C5) to U+00B7, reject empty, invalid UTF-8, control and
 * bidi characters, and more than max_chars characters.  *out is malloc'd. */
int fb_validate_name(char **out, const char *input, size_t max_chars, const char *field,
		     struct fb_error *err);

/* Free text: valid UTF-8, no control or bidi characters (newline and tab allowed only
 * when multiline), at most max_chars characters; surrounding white space trimmed.
 * *out is malloc'd. */
int fb_validate_text(char **out, const char *input, int multiline, size_t max_chars,
		     const char *field, struct fb_error *err);

/* Money in yuan ("7000", "7000.5", "7,000.50", "¥960,000", full-width digits) to fen.
 * Negative amounts are refused unless allow_negative; more than 2 decimals refused. */
int fb_parse_money(int64_t *fen, const char *input, int allow_negative, const char *field,
		   struct fb_error *err);
/* "7000.00" style, no currency sign, no grouping.  out needs 24 bytes. */
void fb_format_money(char *out, size_t cap, int64_t fen);

/* Dates: "YYYY-MM-DD", also "YYYY/MM/DD", "YYYY.MM.DD", "YYYYMMDD", "YYYY年M月D日" and
 * full-width digits; must be a real Gregorian date (year 1900-2099).  out: 11 bytes. */
int fb_parse_date(char *out, size_t cap, const char *input, const char *field,
		  struct fb_error *err);
/* 1 if y-m-d is a real date. */
int fb_date_is_real(int y, int m, int d);
/* Whole years between birth and on (both YYYY-MM-DD, assumed valid). */
int fb_age_on(const char *birth, const char *on);

/* Non-negative integer ("300", full-width digits, "1,200"). */
int fb_parse_count(int64_t *out, const char *input, const char *field, struct fb_error *err);

#endif
