/* validate.c - normalisation and validation of single typed values (core layer).
 *
 * Implements include/fieldbook/validate.h: resident ID numbers (GB 11643-1999), unified
 * social credit codes (GB 32100-2015), mainland mobile numbers, names, free text, money in
 * fen, dates and counts.  Pure functions: no I/O, no clock (today is passed in), no
 * global state except the C library's wcwidth tables behind text.h.
 *
 * Contracts shared by every function here:
 *  - input NULL is treated as the empty string;
 *  - outputs are written only on success (and, for FB_EWARN, with the value that failed
 *    only a checksum);
 *  - on failure err gets an English message (through _()) that starts with the field
 *    name and says how to fix the value.  Messages never echo raw input (it may hold
 *    control or bidi characters); they show only normalised digits and letters, or a
 *    single offending character as 'c' or U+XXXX. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "fieldbook/validate.h"

#define NAME_MAX_CHARS_DEFAULT 50
#define DATE_YEAR_MIN 1900
#define DATE_YEAR_MAX 2099
#define ID_YEAR_MIN 1800 /* the standard's own sample is born in 1880 */

static const char *fname(const char *field)
{
	return field && *field ? field : "value";
}

/* Decode one character at s (len > 0 bytes).  *ok is 0 when the byte is not valid
 * UTF-8 (a literal U+FFFD in the input is valid).  Returns bytes consumed. */
static size_t next_cp(const char *s, size_t len, uint32_t *cp, int *ok)
{
	size_t n = fb_utf8_decode(s, len, cp);

	*ok = !(*cp == FB_REPLACEMENT && !(n == 3 && memcmp(s, "\xEF\xBF\xBD", 3) == 0));
	return n;
}

/* Full-width ASCII forms U+FF01-FF5E (what a Chinese input method types in full-width
 * mode: digits, letters, and punctuation such as U+FF0D '－' and U+FF08 '（') map to
 * ASCII, the ideographic space U+3000 to ' '.  Everything else is returned unchanged. */
static uint32_t fold_width(uint32_t cp)
{
	if (cp >= 0xFF01u && cp <= 0xFF5Eu)
		return cp - 0xFEE0u;
	if (cp == 0x3000u)
		return ' ';
	return cp;
}

/* White space trimmed around names, text and numbers. */
static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
	       cp == 0x3000u || cp == 0x00A0u;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Fold widths, drop the ASCII characters listed in drop, upper-case ASCII letters and
 * turn invalid bytes into U+FFFD.  Returns 0, or -1 if out (cap bytes) is too small. */
static int squeeze(char *out, size_t cap, const char *in, const char *drop)
{
	size_t len = strlen(in), i = 0, used = 0, n;
	uint32_t cp;
	int ok;
	char enc[4];

	if (cap == 0)
		return -1;
	while (i < len) {
		i += next_cp(in + i, len - i, &cp, &ok);
		cp = fold_width(cp);
		if (cp < 0x80u && cp != 0 && strchr(drop, (int)cp))
			continue;
		if (cp >= 'a' && cp <= 'z')
			cp -= 'a' - 'A';
		n = fb_utf8_encode(cp, enc);
		if (used + n + 1 > cap)
			return -1;
		memcpy(out + used, enc, n);
		used += n;
	}
	out[used] = '\0';
	return 0;
}

/* A character as shown in a message: 'c' when printable, U+XXXX otherwise; U+FFFD
 * (what an invalid byte decodes to) is described in words. */
static void show_cp(char *buf, size_t cap, uint32_t cp)
{
	char enc[5];
	size_t n;

	if (cp == FB_REPLACEMENT)
		snprintf(buf, cap, "%s", _("a byte that is not UTF-8 text"));
	else if (cp > 0x20u && !fb_cp_is_control(cp) && cp != FB_REPLACEMENT && fb_cp_cols(cp) > 0) {
		n = fb_utf8_encode(cp, enc);
		enc[n] = '\0';
		snprintf(buf, cap, "'%s'", enc);
	} else {
		snprintf(buf, cap, "U+%04" PRIX32, cp);
	}
}

/* Position (1-based) and code point of the first character of s not accepted by want,
 * or 0 when all are. */
static size_t first_bad(const char *s, int (*want)(uint32_t cp, size_t pos), uint32_t *bad)
{
	size_t len = strlen(s), i = 0, pos = 0;
	uint32_t cp;
	int ok;

	while (i < len) {
		i += next_cp(s + i, len - i, &cp, &ok);
		pos++;
		if (!ok || !want(cp, pos)) {
			*bad = ok ? cp : FB_REPLACEMENT;
			return pos;
		}
	}
	return 0;
}

static int want_digit(uint32_t cp, size_t pos)
{
	return cp >= '0' && cp <= '9';
}

/* ---- codes ---------------------------------------------------------------------- */

/* Also drops tabs and the full-width hyphen U+FF0D (it folds to '-'); invalid bytes
 * become U+FFFD, so out is always valid UTF-8. */
int fb_normalize_code(char *out, size_t cap, const char *in, const char *field,
		      struct fb_error *err)
{
	if (squeeze(out, cap, in ? in : "", " \t-") < 0) {
		if (cap)
			out[0] = '\0';
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too long - at most %zu characters fit here; check that "
				      "only the code was pasted"),
				    fname(field), cap ? cap - 1 : 0);
	}
	return 0;
}

/* ---- resident ID numbers (GB 11643-1999) ------------------------------------------ */

static const int id_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};

/* Check character of 17 ASCII digits. */
static char id_check_char(const char *d17)
{
	int sum = 0, i;

	for (i = 0; i < 17; i++)
		sum += (d17[i] - '0') * id_weights[i];
	return "10X98765432"[sum % 11];
}

/* Province-level prefixes, plus 81/82/83 (HK / Macao / Taiwan residence permits). */
static int id_region_known(int r)
{
	return (r >= 11 && r <= 15) || (r >= 21 && r <= 23) || (r >= 31 && r <= 37) ||
	       (r >= 41 && r <= 46) || (r >= 50 && r <= 54) || (r >= 61 && r <= 65) ||
	       (r >= 81 && r <= 83);
}

static int num(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++)
		v = v * 10 + (is_digit(s[i]) ? s[i] - '0' : 0);
	return v;
}

/* 1 when s is exactly "YYYY-MM-DD" and a real date. */
static int strict_ymd(const char *s)
{
	int i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return 0;
	return fb_date_is_real(num(s, 4), num(s + 5, 2), num(s + 8, 2));
}

static int want_id_char(uint32_t cp, size_t pos)
{
	return (cp >= '0' && cp <= '9') || (pos == 18 && cp == 'X');
}

static int all_digits(const char *s)
{
	for (; *s; s++)
		if (!is_digit(*s))
			return 0;
	return 1;
}

static void upgrade15(char *out19, const char *d15)
{
	memcpy(out19, d15, 6);
	memcpy(out19 + 6, "19", 2);
	memcpy(out19 + 8, d15 + 6, 9);
	out19[17] = id_check_char(out19);
	out19[18] = '\0';
}

/* Order of checks: form, length, characters, check character (a typo is the likeliest
 * fault), region, birth date real, not in the future, age. */
int fb_validate_resident_id(struct fb_resident_id *out, const char *input, const char *today,
			    int min_age, const char *field, struct fb_error *err)
{
	const char *f = fname(field);
	char buf[80], upgraded[19], shown[96], birth[11];
	size_t chars, pos;
	uint32_t bad;
	int region, y, m, d, age;
	char want;

	if (squeeze(buf, sizeof buf, input ? input : "", " \t-") < 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is far too long - a resident ID number has 18 characters"), f);
	if (!buf[0])
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is empty - enter the 18-character ID number"), f);
	if (strlen(buf) == 15 && all_digits(buf)) {
		upgrade15(upgraded, buf);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: this is the old 15-digit form of an ID number; its 18-digit "
				      "form is %s - enter the 18-digit number from the current ID card"),
				    f, upgraded);
	}
	chars = fb_utf8_chars(buf);
	if (chars != 18)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: has %zu characters, but a resident ID number has 18 - check "
				      "for missing or extra digits"),
				    f, chars);
	pos = first_bad(buf, want_id_char, &bad);
	if (pos) {
		show_cp(shown, sizeof shown, bad);
		if (pos == 18)
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: the last character is %s, but it must be a digit or "
					      "X - check it against the ID card"),
					    f, shown);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: character %zu is %s, but the first 17 characters of an ID "
				      "number are digits - check it against the ID card"),
				    f, pos, shown);
	}
	want = id_check_char(buf);
	if (buf[17] != want)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: check character should be %c, not %c - the number was "
				      "mistyped; check it against the ID card"),
				    f, want, buf[17]);
	region = num(buf, 2);
	if (!id_region_known(region))
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: starts with %02d, which is not a province code (11-65, or "
				      "81/82/83 for Hong Kong, Macao and Taiwan residence permits) - check "
				      "the first digits against the ID card"),
				    f, region);
	y = num(buf + 6, 4);
	m = num(buf + 10, 2);
	d = num(buf + 12, 2);
	memcpy(birth, buf + 6, 4); /* YYYY-MM-DD from the digits, all ASCII by now */
	birth[4] = '-';
	memcpy(birth + 5, buf + 10, 2);
	birth[7] = '-';
	memcpy(birth + 8, buf + 12, 2);
	birth[10] = '\0';
	if (y < ID_YEAR_MIN || !fb_date_is_real(y, m, d))
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: the birth date in the number (digits 7-14: %.8s) is not a "
				      "real date - the number was mistyped; check it against the ID card"),
				    f, buf + 6);
	if (!strict_ymd(today))
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: cannot check the birth date: today's date is not a valid "
				      "YYYY-MM-DD date - check the computer's clock"),
				    f);
	if (strcmp(birth, today) > 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: the birth date in the number (%s) is in the future - the "
				      "number was mistyped; check it against the ID card"),
				    f, birth);
	age = fb_age_on(birth, today);
	if (min_age > 0 && age < min_age)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: the birth date in the number (%s) makes the person %d years "
				      "old, and members must be at least %d - check the number against "
				      "the ID card"),
				    f, birth, age, min_age);
	if (out) {
		memcpy(out->number, buf, 19);
		memcpy(out->birth_date, birth, 11);
		out->male = (buf[16] - '0') % 2;
		out->region = region;
	}
	return 0;
}

int fb_upgrade_legacy_id(char *out, size_t cap, const char *input15, const char *field,
			 struct fb_error *err)
{
	const char *f = fname(field);
	char buf[80], upgraded[19];

	if (cap < 19)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: no room for the 18-digit number (internal error)"), f);
	if (squeeze(buf, sizeof buf, input15 ? input15 : "", " \t-") < 0 || strlen(buf) != 15 ||
	    !all_digits(buf))
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: an old-form ID number has exactly 15 digits - check the "
				      "number, or enter the 18-digit number from the current ID card"),
				    f);
	upgrade15(upgraded, buf);
	memcpy(out, upgraded, 19);
	return 0;
}

/* ---- unified social credit codes (GB 32100-2015) ---------------------------------- */

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
				     29, 25, 13, 8,  24, 10, 30, 28};

/* Characters 1-17 must come from the alphabet.  The check character (18) may be any
 * digit or capital letter: a wrong one, even I/O/S/V/Z, is a checksum failure (the
 * brief's vector 91350100M000100Y4Z is a checksum failure, so a warning). */
static int want_uscc_char(uint32_t cp, size_t pos)
{
	if (pos == 18)
		return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z');
	return cp != 0 && cp < 0x80u && strchr(uscc_alphabet, (int)cp) != NULL;
}

int fb_validate_uscc(char *out, size_t cap, const char *input, const char *field,
		     struct fb_error *err)
{
	const char *f = fname(field);
	char buf[80], shown[96], want;
	size_t chars, pos;
	uint32_t bad;
	int sum = 0, i, c;

	if (cap < 19)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: no room for the 18-character code (internal error)"), f);
	if (squeeze(buf, sizeof buf, input ? input : "", " \t-") < 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is far too long - a unified social credit code has 18 "
				      "characters"),
				    f);
	if (!buf[0])
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is empty - enter the 18-character unified social credit "
				      "code from the business licence"),
				    f);
	chars = fb_utf8_chars(buf);
	if (chars != 18)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: has %zu characters, but a unified social credit code has 18 "
				      "- check for missing or extra characters"),
				    f, chars);
	pos = first_bad(buf, want_uscc_char, &bad);
	if (pos) {
		show_cp(shown, sizeof shown, bad);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: character %zu is %s, which never appears in a unified "
				      "social credit code (digits and capital letters except I, O, S, "
				      "V, Z; an O is probably the digit 0) - check it against the "
				      "business licence"),
				    f, pos, shown);
	}
	for (i = 0; i < 17; i++)
		sum += (int)(strchr(uscc_alphabet, buf[i]) - uscc_alphabet) * uscc_weights[i];
	c = 31 - sum % 31;
	want = uscc_alphabet[c == 31 ? 0 : c];
	memcpy(out, buf, 19);
	if (buf[17] != want && !strchr(uscc_alphabet, buf[17]))
		return fb_error_set(err, FB_EWARN, field,
				    _("%s: check character should be %c, not %c (%c never appears in a "
				      "credit code) - the code may have been mistyped; check it against "
				      "the business licence. If the licence shows exactly this code, "
				      "accept it with --override %s=REASON"),
				    f, want, buf[17], buf[17], f);
	if (buf[17] != want)
		return fb_error_set(err, FB_EWARN, field,
				    _("%s: check character should be %c, not %c - the code may have "
				      "been mistyped; check it against the business licence. Some early "
				      "codes really fail this check: if the licence shows exactly this "
				      "code, accept it with --override %s=REASON"),
				    f, want, buf[17], f);
	return 0;
}

/* ---- mobile numbers ----------------------------------------------------------------- */

int fb_validate_mobile(char *out, size_t cap, const char *input, const char *field,
		       struct fb_error *err)
{
	const char *f = fname(field);
	char buf[80], shown[96];
	const char *p;
	size_t len, pos;
	uint32_t bad;

	if (cap < 12)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: no room for the 11-digit number (internal error)"), f);
	if (squeeze(buf, sizeof buf, input ? input : "", " \t-()") < 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is far too long - a mobile number has 11 digits"), f);
	if (!buf[0])
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is empty - enter the 11-digit mobile number"), f);
	p = buf;
	if (strncmp(p, "+86", 3) == 0)
		p += 3;
	else if (strncmp(p, "0086", 4) == 0)
		p += 4;
	else if (strncmp(p, "86", 2) == 0)
		p += 2;
	else if (p[0] == '+' || strncmp(p, "00", 2) == 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: only mainland China mobile numbers (+86) are accepted - "
				      "enter the 11-digit number"),
				    f);
	pos = first_bad(p, want_digit, &bad);
	if (pos) {
		show_cp(shown, sizeof shown, bad);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: %s is not a digit - a mobile number has 11 digits (spaces, "
				      "'-' and a leading +86 are fine)"),
				    f, shown);
	}
	len = strlen(p);
	if (len != 11)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: has %zu digits, but a mainland mobile number has 11 - check "
				      "for missing or extra digits"),
				    f, len);
	if (p[0] != '1' || p[1] < '3')
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: starts with %.2s, but mainland mobile numbers start with 13 "
				      "to 19 - check the number"),
				    f, p);
	memcpy(out, p, 12);
	return 0;
}

/* ---- names and free text ---------------------------------------------------------- */

static uint32_t name_separator(uint32_t cp)
{
	switch (cp) {
	case 0x2022u: /* bullet */
	case 0x30FBu: /* katakana middle dot */
	case 0xFF65u: /* half-width katakana middle dot */
	case 0x2219u: /* bullet operator */
	case 0x22C5u: /* dot operator */
		return 0x00B7u;
	default:
		return cp;
	}
}

static int is_bidi(uint32_t cp)
{
	return (cp >= 0x202Au && cp <= 0x202Eu) || (cp >= 0x2066u && cp <= 0x2069u);
}

/* Shared by names and text.  Trims surrounding white space; is_name maps separators and
 * refuses empty; multiline keeps '\n' and '\t' and turns "\r\n" and a lone '\r' into
 * '\n'.  max_chars 0 means no limit.  Characters unknown to this libc's wcwidth tables
 * are accepted: new CJK extensions must not be refused because the tables are old. */
static int check_text(char **out, const char *input, int is_name, int multiline,
		      size_t max_chars, const char *field, struct fb_error *err)
{
	const char *f = fname(field);
	const char *s = input ? input : "";
	size_t len = strlen(s), start = 0, end = len, i, n, used = 0, chars = 0;
	uint32_t cp;
	int ok;
	char *res;

	/* Validity first, over the whole input (positions count from its start); later
	 * messages count characters from the first one after the trimmed blanks. */
	for (i = 0; i < len; i += n, chars++) {
		n = next_cp(s + i, len - i, &cp, &ok);
		if (!ok)
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: character %zu is not valid UTF-8 text - retype it, "
					      "or save the file as UTF-8"),
					    f, chars + 1);
	}
	/* Trim: leading, then trailing (scan keeping the end of the last non-space). */
	while (start < len) {
		n = next_cp(s + start, len - start, &cp, &ok);
		if (!is_space_cp(cp))
			break;
		start += n;
	}
	end = start;
	for (i = start; i < len; i += n) {
		n = next_cp(s + i, len - i, &cp, &ok);
		if (!is_space_cp(cp))
			end = i + n;
	}
	if (end == start) {
		if (is_name)
			return fb_error_set(err, FB_EINVAL, field, _("%s: is empty - enter the name"),
					    f);
		res = malloc(1);
		if (!res)
			return fb_error_set(err, FB_ENOMEM, field, _("%s: out of memory"), f);
		res[0] = '\0';
		*out = res;
		return 0;
	}
	res = malloc(end - start + 1); /* never grows: separators shrink, CR LF shrinks */
	if (!res)
		return fb_error_set(err, FB_ENOMEM, field, _("%s: out of memory"), f);
	chars = 0;
	for (i = start; i < end; i += n) {
		n = next_cp(s + i, end - i, &cp, &ok);
		chars++;
		if (multiline && cp == '\r') {
			if (i + 1 < end && s[i + 1] == '\n')
				n++;
			cp = '\n';
		}
		if (is_bidi(cp)) {
			free(res);
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: character %zu is an invisible text-direction control "
					      "(U+%04" PRIX32 ") that can disguise text - remove it"),
					    f, chars, cp);
		}
		if ((cp == '\n' || cp == '\r') && !multiline) {
			free(res);
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: contains a line break at character %zu - this field "
					      "takes a single line; remove the line break"),
					    f, chars);
		}
		if (fb_cp_is_control(cp) && !(multiline && (cp == '\n' || cp == '\t'))) {
			free(res);
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: character %zu is an invisible control character "
					      "(U+%04" PRIX32 ") - remove it"),
					    f, chars, cp);
		}
		if (is_name)
			cp = name_separator(cp);
		used += fb_utf8_encode(cp, res + used);
	}
	res[used] = '\0';
	if (max_chars && chars > max_chars) {
		free(res);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: has %zu characters, but at most %zu are allowed - shorten "
				      "it"),
				    f, chars, max_chars);
	}
	*out = res;
	return 0;
}

/* max_chars 0 means the brief's default of 50 characters. */
int fb_validate_name(char **out, const char *input, size_t max_chars, const char *field,
		     struct fb_error *err)
{
	return check_text(out, input, 1, 0, max_chars ? max_chars : NAME_MAX_CHARS_DEFAULT, field,
			  err);
}

/* Empty text (after trimming) is accepted as ""; whether a field is required is the
 * schema's business.  max_chars 0 means no limit. */
int fb_validate_text(char **out, const char *input, int multiline, size_t max_chars,
		     const char *field, struct fb_error *err)
{
	return check_text(out, input, 0, multiline, max_chars, field, err);
}

/* ---- numbers: money, counts ------------------------------------------------------- */

/* Trimmed, width-folded ASCII form of a number: ¥ (U+00A5, U+FFE5) becomes 'Y', 元 'U'.
 * Returns 0, or the 1-based position of the first character that cannot be part of a
 * number (*bad set), or -1 when it does not fit. */
static long numeric_ascii(char *out, size_t cap, const char *in, uint32_t *bad)
{
	size_t len = strlen(in), i = 0, used = 0, n;
	long pos = 0;
	uint32_t cp;
	int ok;

	while (i < len) {
		n = next_cp(in + i, len - i, &cp, &ok);
		i += n;
		pos++;
		cp = fold_width(cp);
		if (!ok) {
			*bad = FB_REPLACEMENT;
			return pos;
		}
		if (cp == 0x00A5u || cp == 0xFFE5u)
			cp = 'Y';
		else if (cp == 0x5143u)
			cp = 'U';
		else if (cp == 0x00A0u)
			cp = ' ';
		if (cp >= 0x80u || (cp < 0x20u && !is_space_cp(cp)) || cp == 0x7Fu) {
			*bad = cp;
			return pos;
		}
		if (is_space_cp(cp))
			cp = ' ';
		if (used + 2 > cap)
			return -1;
		out[used++] = (char)cp;
	}
	out[used] = '\0';
	/* trim */
	while (used && out[used - 1] == ' ')
		out[--used] = '\0';
	for (i = 0; out[i] == ' '; i++)
		;
	memmove(out, out + i, used - i + 1);
	return 0;
}

/* Parse digits with optional ',' thousands separators at *p into *v (<= limit).
 * Returns 0, -1 no digits, -2 bad grouping, -3 over limit. */
static int parse_grouped(const char **p, uint64_t *v, uint64_t limit)
{
	const char *s = *p;
	int group = 0, commas = 0, first = 1, digits = 0;
	uint64_t x = 0;

	for (;; s++) {
		if (is_digit(*s)) {
			if (x > (limit - (uint64_t)(*s - '0')) / 10)
				return -3;
			x = x * 10 + (uint64_t)(*s - '0');
			group++;
			digits++;
		} else if (*s == ',') {
			if ((first && (group < 1 || group > 3)) || (!first && group != 3))
				return -2;
			first = 0;
			group = 0;
			commas++;
		} else {
			break;
		}
	}
	if (!digits)
		return -1;
	if (commas && group != 3)
		return -2;
	*p = s;
	*v = x;
	return 0;
}

int fb_parse_money(int64_t *fen, const char *input, int allow_negative, const char *field,
		   struct fb_error *err)
{
	const char *f = fname(field);
	char buf[128], shown[96];
	const char *p;
	long bad_pos;
	uint32_t bad = 0;
	uint64_t yuan = 0, frac = 0, limit = (uint64_t)INT64_MAX / 100;
	int neg = 0, signed_ = 0, r, fd = 0;

	bad_pos = numeric_ascii(buf, sizeof buf, input ? input : "", &bad);
	if (bad_pos < 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too long to be an amount - enter the amount in yuan, e.g. "
				      "7000 or 7000.50"),
				    f);
	if (bad_pos > 0) {
		show_cp(shown, sizeof shown, bad);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: character %ld (%s) cannot be part of an amount - enter the "
				      "amount in yuan, e.g. 7000 or 7000.50"),
				    f, bad_pos, shown);
	}
	if (!buf[0])
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is empty - enter the amount in yuan, e.g. 7000 or 7000.50"),
				    f);
	p = buf;
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		signed_ = 1;
		p++;
	}
	if (*p == 'Y') {
		p++;
		while (*p == ' ')
			p++;
	}
	if (!signed_ && (*p == '-' || *p == '+')) {
		neg = *p == '-';
		p++;
	}
	r = *p == '.' ? (p[1] ? 0 : -1) : parse_grouped(&p, &yuan, limit);
	if (r == -2)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: commas may only separate groups of three digits (7,000.50) "
				      "and the decimal point is '.' - fix the amount"),
				    f);
	if (r == -3)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too large to be an amount - check the number of digits"),
				    f);
	if (r == -1)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is not an amount - enter the amount in yuan, e.g. 7000 or "
				      "7000.50"),
				    f);
	if (*p == '.') {
		p++;
		while (is_digit(*p)) {
			if (fd == 2)
				return fb_error_set(err, FB_EINVAL, field,
						    _("%s: has more than 2 decimal places - amounts are "
						      "yuan and fen, e.g. 7000.50"),
						    f);
			frac = frac * 10 + (uint64_t)(*p - '0');
			fd++;
			p++;
		}
		if (fd == 0)
			return fb_error_set(err, FB_EINVAL, field,
					    _("%s: nothing follows the decimal point - write e.g. 7000 "
					      "or 7000.50"),
					    f);
		if (fd == 1)
			frac *= 10;
	}
	if (*p == 'U')
		p++;
	if (yuan * 100 + frac > (uint64_t)INT64_MAX)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too large to be an amount - check the number of digits"),
				    f);
	if (*p)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is not an amount - enter the amount in yuan, e.g. 7000 or "
				      "7000.50"),
				    f);
	if (neg && (yuan || frac) && !allow_negative)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: must not be negative - enter the amount without a minus "
				      "sign"),
				    f);
	*fen = (int64_t)(yuan * 100 + frac);
	if (neg)
		*fen = -*fen;
	return 0;
}

void fb_format_money(char *out, size_t cap, int64_t fen)
{
	uint64_t m = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;

	if (cap == 0)
		return;
	snprintf(out, cap, "%s%" PRIu64 ".%02u", fen < 0 ? "-" : "", m / 100, (unsigned)(m % 100));
}

int fb_parse_count(int64_t *out, const char *input, const char *field, struct fb_error *err)
{
	const char *f = fname(field);
	char buf[128], shown[96];
	const char *p;
	long bad_pos;
	uint32_t bad = 0;
	uint64_t v = 0;
	int r;

	bad_pos = numeric_ascii(buf, sizeof buf, input ? input : "", &bad);
	if (bad_pos < 0)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too long to be a number - enter a whole number"), f);
	if (bad_pos > 0) {
		show_cp(shown, sizeof shown, bad);
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: character %ld (%s) cannot be part of a number - enter a "
				      "whole number, e.g. 300"),
				    f, bad_pos, shown);
	}
	if (!buf[0])
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is empty - enter a whole number, e.g. 300"), f);
	p = buf;
	if (*p == '+')
		p++;
	if (*p == '-')
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: must not be negative - enter a whole number, e.g. 300"), f);
	r = parse_grouped(&p, &v, (uint64_t)INT64_MAX);
	if (r == -2)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: commas may only separate groups of three digits (1,200) - "
				      "fix the number"),
				    f);
	if (r == -3)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is too large - check the number of digits"), f);
	if (r == 0 && *p == '.')
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: must be a whole number - remove the decimal part"), f);
	if (r != 0 || *p)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is not a number - enter a whole number, e.g. 300"), f);
	*out = (int64_t)v;
	return 0;
}

/* ---- dates ---------------------------------------------------------------------------- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Proleptic Gregorian, years 1-9999. */
int fb_date_is_real(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Birthdays are compared as (month, day): someone born on 29 February turns a year
 * older on 1 March in a non-leap year. */
int fb_age_on(const char *birth, const char *on)
{
	int by = num(birth, 4), bm = num(birth + 5, 2), bd = num(birth + 8, 2);
	int oy = num(on, 4), om = num(on + 5, 2), od = num(on + 8, 2);
	int age = oy - by;

	if (om < bm || (om == bm && od < bd))
		age--;
	return age;
}

/* Reads 1..max digits at *p into *v; returns the count (0 when none). */
static int take_digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && is_digit(**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* Accepted: YYYY-M-D with '-', '/' or '.' (the same separator twice, month and day one
 * or two digits), YYYYMMDD, and YYYY年M月D日 (日 or 号 optional at the end). */
int fb_parse_date(char *out, size_t cap, const char *input, const char *field,
		  struct fb_error *err)
{
	const char *f = fname(field);
	const char *s = input ? input : "", *p;
	char buf[64];
	size_t len = strlen(s), i = 0, used = 0, n;
	uint32_t cp;
	int ok, y = 0, m = 0, d = 0, good = 0;

	if (cap < 11)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: no room for the date (internal error)"), f);
	while (i < len) {
		n = next_cp(s + i, len - i, &cp, &ok);
		i += n;
		cp = fold_width(cp);
		if (cp == 0x5E74u) /* 年 */
			cp = 'y';
		else if (cp == 0x6708u) /* 月 */
			cp = 'm';
		else if (cp == 0x65E5u || cp == 0x53F7u) /* 日 号 */
			cp = 'd';
		if (!ok || cp >= 0x80u) {
			used = 0;
			break;
		}
		if (is_space_cp(cp))
			continue; /* "2026 年 3 月 5 日" and surrounding blanks */
		if (used + 2 > sizeof buf) {
			used = 0;
			break;
		}
		buf[used++] = (char)cp;
	}
	buf[used] = '\0';
	p = buf;
	if (used == 8 && all_digits(buf)) {
		y = num(buf, 4);
		m = num(buf + 4, 2);
		d = num(buf + 6, 2);
		good = 1;
	} else if (used && take_digits(&p, 4, &y) == 4) {
		char sep = *p, sep2 = sep == 'y' ? 'm' : sep;

		if (sep == '-' || sep == '/' || sep == '.' || sep == 'y') {
			p++;
			if (take_digits(&p, 2, &m) > 0 && *p == sep2) {
				p++;
				if (take_digits(&p, 2, &d) > 0) {
					if (sep == 'y' && *p == 'd')
						p++;
					good = *p == '\0';
				}
			}
		}
	}
	if (!good)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: is not a date - write it as YYYY-MM-DD, e.g. 2026-03-05"), f);
	if (y < DATE_YEAR_MIN || y > DATE_YEAR_MAX)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: year %d is out of range - use a year from %d to %d"), f, y,
				    DATE_YEAR_MIN, DATE_YEAR_MAX);
	if (m < 1 || m > 12)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: month %d does not exist - write the date as YYYY-MM-DD"), f,
				    m);
	if (d < 1)
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: day %d does not exist - write the date as YYYY-MM-DD"), f, d);
	if (!fb_date_is_real(y, m, d))
		return fb_error_set(err, FB_EINVAL, field,
				    _("%s: %04d-%02d-%02d is not a real date - that month has %d days"),
				    f, y, m, d, days_in_month(y, m));
	snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
	return 0;
}
