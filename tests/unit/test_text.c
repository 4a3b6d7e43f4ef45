/* test_text.c - unit tests of core/text.c: UTF-8 decoding, columns, fitting, masking
 * (tests layer).  Needs the C.UTF-8 locale for wcwidth. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/text.h"
#include "tap.h"

/* U+20000, CJK Extension B: outside the BMP, 4 bytes, 2 columns. */
#define EXTB "\xF0\xA0\x80\x80"

static void decode_is(const char *s, size_t len, uint32_t want_cp, size_t want_n,
		      const char *what)
{
	uint32_t cp = 0;
	size_t n = fb_utf8_decode(s, len, &cp);

	TAP_OK(cp == want_cp && n == want_n, "decode %s: U+%04X in %zu bytes (got U+%04X, %zu)",
	       what, (unsigned)want_cp, want_n, (unsigned)cp, n);
}

static void test_decode(void)
{
	decode_is("A", 1, 'A', 1, "ASCII");
	decode_is("\xC2\xB7", 2, 0xB7, 2, "U+00B7 middle dot");
	decode_is("\xE4\xB8\xAD", 3, 0x4E2D, 3, "中");
	decode_is(EXTB, 4, 0x20000, 4, "Ext-B U+20000");
	decode_is("\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4, "U+10FFFF, the last code point");
	decode_is("\xEF\xBF\xBD", 3, 0xFFFD, 3, "literal U+FFFD");
	decode_is("\x80", 1, 0xFFFD, 1, "lone continuation byte");
	decode_is("\xFF", 1, 0xFFFD, 1, "byte FF");
	decode_is("\xC0\xAF", 2, 0xFFFD, 1, "overlong 2-byte '/'");
	decode_is("\xC1\xBF", 2, 0xFFFD, 1, "overlong C1");
	decode_is("\xE0\x80\xAF", 3, 0xFFFD, 1, "overlong 3-byte");
	decode_is("\xE0\x9F\xBF", 3, 0xFFFD, 1, "overlong 3-byte, top of range");
	decode_is("\xF0\x80\x80\xAF", 4, 0xFFFD, 1, "overlong 4-byte");
	decode_is("\xF0\x8F\xBF\xBF", 4, 0xFFFD, 1, "overlong 4-byte U+FFFF");
	decode_is("\xED\xA0\x80", 3, 0xFFFD, 1, "surrogate U+D800");
	decode_is("\xED\xBF\xBF", 3, 0xFFFD, 1, "surrogate U+DFFF");
	decode_is("\xED\x9F\xBF", 3, 0xD7FF, 3, "U+D7FF just below the surrogates");
	decode_is("\xF4\x90\x80\x80", 4, 0xFFFD, 1, "U+110000 beyond Unicode");
	decode_is("\xF5\x80\x80\x80", 4, 0xFFFD, 1, "lead byte F5");
	decode_is("\xE4\xB8", 2, 0xFFFD, 1, "truncated by len");
	decode_is("\xE4\xB8\xAD", 2, 0xFFFD, 1, "len cuts a valid sequence");
	decode_is("\xE4\x41\xAD", 3, 0xFFFD, 1, "non-continuation in the middle");
}

static void test_encode_valid(void)
{
	char buf[5] = {0};
	size_t n;

	n = fb_utf8_encode(0x20000, buf);
	TAP_OK(n == 4 && memcmp(buf, EXTB, 4) == 0, "encode U+20000 in 4 bytes");
	n = fb_utf8_encode(0x7F, buf);
	TAP_OK(n == 1 && buf[0] == 0x7F, "encode U+007F in 1 byte");
	n = fb_utf8_encode(0x80, buf);
	TAP_OK(n == 2 && memcmp(buf, "\xC2\x80", 2) == 0, "encode U+0080 in 2 bytes");
	n = fb_utf8_encode(0xFFFF, buf);
	TAP_OK(n == 3 && memcmp(buf, "\xEF\xBF\xBF", 3) == 0, "encode U+FFFF in 3 bytes");
	n = fb_utf8_encode(0xD800, buf);
	TAP_OK(n == 3 && memcmp(buf, "\xEF\xBF\xBD", 3) == 0, "encode surrogate gives U+FFFD");
	n = fb_utf8_encode(0x110000, buf);
	TAP_OK(n == 3 && memcmp(buf, "\xEF\xBF\xBD", 3) == 0, "encode U+110000 gives U+FFFD");

	TAP_OK(fb_utf8_valid("", 0), "empty string is valid UTF-8");
	TAP_OK(fb_utf8_valid("张三·" EXTB, strlen("张三·" EXTB)), "Chinese + Ext-B valid");
	TAP_OK(!fb_utf8_valid("a\xC0\xAF", 3), "overlong is not valid");
	TAP_OK(!fb_utf8_valid("\xED\xA0\x80", 3), "surrogate is not valid");
	TAP_OK(!fb_utf8_valid("\xE4\xB8", 2), "truncated is not valid");
	TAP_OK(fb_utf8_valid("a\0b", 3), "embedded NUL is valid UTF-8 (length given)");

	TAP_OK(fb_utf8_chars("") == 0, "chars of empty = 0");
	TAP_OK(fb_utf8_chars("abc") == 3, "chars of abc = 3");
	TAP_OK(fb_utf8_chars("张三") == 2, "chars of 张三 = 2");
	TAP_OK(fb_utf8_chars(EXTB) == 1, "Ext-B U+20000 counts as 1 character");
	TAP_OK(fb_utf8_chars("a\xFF\x80z") == 4, "invalid bytes count one each");
	TAP_OK(fb_utf8_chars("\xE4\xB8") == 2, "truncated sequence counts per byte");
}

static void test_cols(void)
{
	TAP_OK(fb_cp_is_control(0x00) && fb_cp_is_control('\n') && fb_cp_is_control(0x1F),
	       "C0 controls are controls");
	TAP_OK(fb_cp_is_control(0x7F) && fb_cp_is_control(0x85) && fb_cp_is_control(0x9F),
	       "DEL and C1 are controls");
	TAP_OK(fb_cp_is_control(0x202A) && fb_cp_is_control(0x202E) && fb_cp_is_control(0x2066) &&
		       fb_cp_is_control(0x2069),
	       "bidi controls are controls");
	TAP_OK(!fb_cp_is_control(' ') && !fb_cp_is_control(0xA0) && !fb_cp_is_control(0x2029 + 0) &&
		       !fb_cp_is_control(0x202F) && !fb_cp_is_control(0x2065),
	       "space, NBSP and neighbours of the bidi ranges are not controls");

	TAP_OK(fb_cp_cols('a') == 1, "ASCII is 1 column");
	TAP_OK(fb_cp_cols(0x4E2D) == 2, "中 is 2 columns");
	TAP_OK(fb_cp_cols(0x20000) == 2, "Ext-B U+20000 is 2 columns");
	TAP_OK(fb_cp_cols(0xFF10) == 2, "full-width digit is 2 columns");
	TAP_OK(fb_cp_cols(0x0301) == 0, "combining acute is 0 columns");
	TAP_OK(fb_cp_cols('\n') == 1, "newline counts 1 (drawn as U+FFFD)");
	TAP_OK(fb_cp_cols(0x202E) == 1, "bidi U+202E counts 1 (wcwidth says 0)");
	TAP_OK(fb_cp_cols(0x10FFFF) == 1, "unprintable (wcwidth < 0) counts 1");
	TAP_OK(fb_cp_cols(0xD800) == 1, "surrogate code point counts 1");
	TAP_OK(fb_cp_cols(0xB7) == 1, "middle dot is 1 column");

	TAP_OK(fb_text_cols("") == 0 && fb_text_cols(NULL) == 0, "cols of empty and NULL = 0");
	TAP_OK(fb_text_cols("abc") == 3, "cols of abc = 3");
	TAP_OK(fb_text_cols("张三") == 4, "cols of 张三 = 4");
	TAP_OK(fb_text_cols("阿依古丽·买买提") == 15, "cols of a Uyghur name with middle dot = 15");
	TAP_OK(fb_text_cols("a" EXTB "b") == 4, "cols of a+Ext-B+b = 4");
	TAP_OK(fb_text_cols("a\xFF" "b") == 3, "invalid byte counts 1 column");
	TAP_OK(fb_text_cols("e\xCC\x81") == 1, "e + combining acute = 1 column");
	TAP_OK(fb_text_cols("a\tb\n") == 4, "tab and newline count 1 each");
}

static void fit_is(const char *s, int max, int pad, const char *want, int want_cols,
		   const char *what)
{
	char out[128];
	int cols = fb_text_fit(out, sizeof out, s, max, pad);

	TAP_STREQ(out, want, "fit %s", what);
	TAP_OK(cols == want_cols && fb_text_cols(out) == cols, "fit %s: %d columns (got %d)", what,
	       want_cols, cols);
}

static void test_fit(void)
{
	char small[8];
	int cols;

	fit_is("hello", 10, 0, "hello", 5, "short ASCII, no pad");
	fit_is("hello", 10, 1, "hello     ", 10, "short ASCII, padded to exact width");
	fit_is("hello world", 5, 0, "hello", 5, "long ASCII cut");
	fit_is("张三丰", 5, 0, "张三", 4, "wide char never split at the edge");
	fit_is("张三丰", 5, 1, "张三 ", 5, "wide char at the edge replaced by padding");
	fit_is("张三丰", 6, 1, "张三丰", 6, "exact fit");
	fit_is("a" EXTB "b", 2, 1, "a ", 2, "Ext-B not split at the edge");
	fit_is("a" EXTB "b", 3, 1, "a" EXTB, 3, "Ext-B fits in 2 columns");
	fit_is("a\nb\tc", 10, 0, "a b c", 5, "newline and tab become spaces");
	fit_is("a\x01z", 10, 0, "a\xEF\xBF\xBDz", 3, "control becomes U+FFFD");
	fit_is("a\xE2\x80\xAE" "evil", 10, 0, "a\xEF\xBF\xBD" "evil", 6, "bidi U+202E becomes U+FFFD");
	fit_is("a\xFF" "b", 10, 0, "a\xEF\xBF\xBD" "b", 3, "invalid byte becomes U+FFFD");
	fit_is("\xC0\xAF", 10, 0, "\xEF\xBF\xBD\xEF\xBF\xBD", 2, "overlong: one U+FFFD per byte");
	fit_is("ab", 0, 1, "", 0, "zero width gives empty");
	fit_is("ab", -3, 1, "", 0, "negative width gives empty");
	fit_is("", 3, 1, "   ", 3, "empty string padded");
	fit_is("", 3, 0, "", 0, "empty string not padded");
	fit_is("abe\xCC\x81x", 3, 0, "abe\xCC\x81", 3, "combining mark at the edge stays with its base");

	cols = fb_text_fit(small, sizeof small, "张三丰李四", 10, 1);
	TAP_OK(cols == fb_text_cols(small) && strlen(small) < sizeof small && cols <= 10,
	       "small buffer: stops cleanly, NUL-terminated (%d cols, '%s')", cols, small);
	TAP_STREQ(small, "张三 ", "small buffer keeps whole characters then pads");
	cols = fb_text_fit(small, 1, "abc", 5, 1);
	TAP_OK(cols == 0 && small[0] == '\0', "cap 1 gives empty string");
}

static void sanitize_is(const char *s, int keep, const char *want, const char *what)
{
	char *got = fb_text_sanitize(s, keep);

	TAP_STREQ(got, want, "sanitize %s", what);
	free(got);
}

static void test_sanitize(void)
{
	sanitize_is("", 0, "", "empty");
	sanitize_is(NULL, 0, "", "NULL is treated as empty");
	sanitize_is("张三" EXTB, 0, "张三" EXTB, "valid text unchanged");
	sanitize_is("a\xFF" "b", 0, "a\xEF\xBF\xBD" "b", "invalid byte replaced");
	sanitize_is("a\nb", 0, "a\xEF\xBF\xBD" "b", "newline replaced when not kept");
	sanitize_is("a\nb\tc", 1, "a\nb\tc", "newline and tab kept");
	sanitize_is("a\r\nb\rc", 1, "a\nb\nc", "CR LF and lone CR become newline");
	sanitize_is("a\x1b[31m", 1, "a\xEF\xBF\xBD[31m", "escape replaced even with newlines kept");
	sanitize_is("\xE2\x80\xAE" "abc", 1, "\xEF\xBF\xBD" "abc", "bidi replaced");
	sanitize_is("\xED\xA0\x80", 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
		    "surrogate: one U+FFFD per byte");
}

static void mask_is(const char *s, size_t head, size_t tail, const char *want, const char *what)
{
	char *got = fb_mask_chars(s, head, tail);

	TAP_STREQ(got, want, "mask %s", what);
	free(got);
}

static void test_mask(void)
{
	mask_is("13912345678", 3, 4, "139****5678", "mobile 3,4");
	mask_is("11010519491231002X", 3, 4, "110***********002X", "ID number 3,4");
	mask_is("阿依古丽·买买提", 1, 1, "阿******提", "Chinese name masked per character");
	mask_is("张三丰", 1, 0, "张**", "3-character name 1,0");
	mask_is("张三", 1, 1, "**", "2 characters with 1,1: masked whole");
	mask_is("1234567", 3, 4, "*******", "exactly head+tail: masked whole");
	mask_is("", 3, 4, "", "empty string");
	mask_is(EXTB "ab" EXTB, 1, 1, EXTB "**" EXTB, "Ext-B kept whole at both ends");
	mask_is("abc", 0, 0, "***", "0,0 masks all");
	mask_is("a\xFF" "bcd", 2, 1, "a\xEF\xBF\xBD**d", "invalid byte counts 1, kept as U+FFFD");
	mask_is("abcdef", (size_t)-1, 2, "******", "huge head does not overflow");
	mask_is(NULL, 3, 4, "", "NULL is treated as empty");
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("Bail out! the C.UTF-8 locale is missing\n");
		return 1;
	}
	test_decode();
	test_encode_valid();
	test_cols();
	test_fit();
	test_sanitize();
	test_mask();
	return tap_done();
}
