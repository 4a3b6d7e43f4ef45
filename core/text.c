/* text.c - UTF-8 decoding and terminal-column arithmetic (core layer).
 *
 * Implements include/fieldbook/text.h.  Everything here is tolerant: an invalid byte
 * decodes to U+FFFD and consumes exactly one byte, so no input is ever dropped or read
 * past its end.  Column widths all come from fb_cp_cols (one wcwidth wrapper) so that the
 * sums computed here match where ncursesw puts the characters.  Needs a UTF-8 LC_CTYPE
 * (in the "C" locale wcwidth knows only ASCII and every other character counts 1).
 * A NULL string argument is treated as "". */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fieldbook/text.h"

/* Decode one character; *ok is 1 for a well-formed sequence, 0 when the byte at s was
 * invalid (lead byte not allowed, overlong, surrogate, above U+10FFFF or truncated), in
 * which case *cp is U+FFFD and 1 is returned. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp, int *ok)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t v;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

	*ok = 0;
	*cp = FB_REPLACEMENT;
	if (c < 0x80) {
		*cp = c;
		*ok = 1;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0; /* below is overlong */
		else if (c == 0xED)
			hi = 0x9F; /* above is a surrogate */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above is beyond U+10FFFF */
	} else {
		return 1; /* continuation byte, C0/C1 (always overlong), F5..FF */
	}
	if (len < n)
		return 1;
	if (s[1] < lo || s[1] > hi)
		return 1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0u) != 0x80u)
			return 1;
		v = (v << 6) | (s[i] & 0x3Fu);
	}
	*cp = v;
	*ok = 1;
	return n;
}

size_t fb_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	int ok;

	if (len == 0) { /* contract says len > 0; stay safe anyway */
		*cp = FB_REPLACEMENT;
		return 0;
	}
	return decode((const unsigned char *)s, len, cp, &ok);
}

/* Surrogates and values above U+10FFFF are not characters: they encode as U+FFFD. */
size_t fb_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu))
		cp = FB_REPLACEMENT;
	if (cp < 0x80u) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800u) {
		o[0] = (unsigned char)(0xC0u | (cp >> 6));
		o[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
		return 2;
	}
	if (cp < 0x10000u) {
		o[0] = (unsigned char)(0xE0u | (cp >> 12));
		o[1] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
		o[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
		return 3;
	}
	o[0] = (unsigned char)(0xF0u | (cp >> 18));
	o[1] = (unsigned char)(0x80u | ((cp >> 12) & 0x3Fu));
	o[2] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
	o[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
	return 4;
}

int fb_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	int ok;

	while (i < len) {
		i += decode(p + i, len - i, &cp, &ok);
		if (!ok)
			return 0;
	}
	return 1;
}

size_t fb_utf8_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0, i = 0, n = 0;
	uint32_t cp;
	int ok;

	while (i < len) {
		i += decode(p + i, len - i, &cp, &ok);
		n++;
	}
	return n;
}

int fb_cp_is_control(uint32_t cp)
{
	return cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu) || (cp >= 0x202Au && cp <= 0x202Eu) ||
	       (cp >= 0x2066u && cp <= 0x2069u);
}

/* 1 when the terminal cannot draw cp itself and fb_text_fit shows U+FFFD instead. */
static int cp_unprintable(uint32_t cp)
{
	if (fb_cp_is_control(cp) || cp > 0x10FFFFu)
		return 1;
	return wcwidth((wchar_t)cp) < 0;
}

int fb_cp_cols(uint32_t cp)
{
	int w;

	if (fb_cp_is_control(cp) || cp > 0x10FFFFu)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

/* Saturates at INT_MAX for absurdly long strings. */
int fb_text_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = s ? strlen(s) : 0, i = 0;
	long long cols = 0;
	uint32_t cp;
	int ok;

	while (i < len) {
		i += decode(p + i, len - i, &cp, &ok);
		cols += fb_cp_cols(cp);
		if (cols >= INT_MAX)
			return INT_MAX;
	}
	return (int)cols;
}

/* Stops early (short of max_cols) when cap runs out: text first, then as many padding
 * spaces as still fit.  A zero-width character right at the edge (a combining mark) is
 * kept with the character it belongs to.  cap 0 writes nothing; max_cols < 0 counts 0. */
int fb_text_fit(char *out, size_t cap, const char *s, int max_cols, int pad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i = 0, used = 0, n;
	int cols = 0, w, ok;
	uint32_t cp;
	char buf[4];

	if (cap == 0)
		return 0;
	if (max_cols < 0)
		max_cols = 0;
	len = s ? strlen(s) : 0;
	while (i < len) {
		size_t in_bytes = decode(p + i, len - i, &cp, &ok);

		if (cp == '\n' || cp == '\t')
			cp = ' ';
		else if (cp_unprintable(cp))
			cp = FB_REPLACEMENT;
		w = fb_cp_cols(cp);
		if (cols + w > max_cols)
			break;
		n = fb_utf8_encode(cp, buf);
		if (used + n + 1 > cap)
			break;
		memcpy(out + used, buf, n);
		used += n;
		cols += w;
		i += in_bytes;
	}
	while (pad && cols < max_cols && used + 2 <= cap) {
		out[used++] = ' ';
		cols++;
	}
	out[used] = '\0';
	return cols;
}

/* With keep_newlines, '\n' and '\t' stay, "\r\n" and a lone '\r' become '\n', and every
 * other control (C0, C1, DEL, bidi) is still replaced by U+FFFD. */
char *fb_text_sanitize(const char *s, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = s ? strlen(s) : 0, i = 0, used = 0, n;
	char *out;
	uint32_t cp;
	int ok;

	/* Each input byte becomes at most 3 output bytes (an invalid byte -> U+FFFD). */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	while (i < len) {
		n = decode(p + i, len - i, &cp, &ok);
		i += n;
		if (!ok) {
			cp = FB_REPLACEMENT;
		} else if (fb_cp_is_control(cp)) {
			if (keep_newlines && cp == '\r') {
				if (i < len && p[i] == '\n')
					i++;
				cp = '\n';
			} else if (!(keep_newlines && (cp == '\n' || cp == '\t'))) {
				cp = FB_REPLACEMENT;
			}
		}
		used += fb_utf8_encode(cp, out + used);
	}
	out[used] = '\0';
	return out;
}

/* Kept characters are copied with invalid bytes turned into U+FFFD, so the result is
 * always valid UTF-8 and has exactly as many characters as s. */
char *fb_mask_chars(const char *s, size_t head, size_t tail)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = s ? strlen(s) : 0, total = fb_utf8_chars(s), i = 0, used = 0, k = 0, n;
	int whole = total <= head || total - head <= tail;
	char *out;
	uint32_t cp;
	int ok;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	while (i < len) {
		n = decode(p + i, len - i, &cp, &ok);
		i += n;
		if (whole || (k >= head && k < total - tail))
			out[used++] = '*';
		else
			used += fb_utf8_encode(cp, out + used);
		k++;
	}
	out[used] = '\0';
	return out;
}
