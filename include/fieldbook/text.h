/* text.h - UTF-8 and terminal-column arithmetic (core layer).
 *
 * Contract: every function here is tolerant.  Invalid UTF-8 bytes decode to U+FFFD one
 * byte at a time and are never dropped; widths come from one wcwidth wrapper
 * (fb_cp_cols) so the sums match where ncurses puts characters.  Control characters
 * and bidi controls are drawn as U+FFFD (width 1).  Requires a UTF-8 LC_CTYPE
 * (setlocale(LC_ALL, "") in a UTF-8 locale such as C.UTF-8). */
#ifndef FIELDBOOK_TEXT_H
#define FIELDBOOK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define FB_REPLACEMENT 0xFFFDu

/* Decode one character at s (len bytes available, len > 0).  Stores the code point
 * (U+FFFD for an invalid, overlong, surrogate or truncated sequence) and returns the
 * number of bytes consumed (1..4; 1 for an invalid byte). */
size_t fb_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Encode cp into out (4 bytes room); returns bytes written (1..4). */
size_t fb_utf8_encode(uint32_t cp, char *out);
/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int fb_utf8_valid(const char *s, size_t len);
/* Number of characters (code points, invalid bytes count one each) in a C string. */
size_t fb_utf8_chars(const char *s);

/* 1 for C0/C1 controls, DEL, and the bidi controls U+202A-202E, U+2066-2069. */
int fb_cp_is_control(uint32_t cp);
/* Columns of one code point as the terminal draws it: wcwidth, but controls and
 * unprintables count as the 1-column U+FFFD that fb_text_fit draws in their place;
 * combining marks 0. */
int fb_cp_cols(uint32_t cp);
/* Columns of a whole string (same rules). */
int fb_text_cols(const char *s);

/* Copy into out (cap bytes, always NUL-terminated) the longest prefix of s that fits in
 * max_cols columns, replacing invalid bytes and controls with U+FFFD (and a newline or
 * tab with a space).  Never splits a double-width character: if the next one would
 * cross max_cols it stops.  If pad is set, pads with spaces to exactly max_cols.
 * Returns the number of columns written (including padding). */
int fb_text_fit(char *out, size_t cap, const char *s, int max_cols, int pad);

/* malloc'd copy of s with invalid bytes replaced by U+FFFD; if keep_newlines is 0,
 * control characters (including newline) are replaced too.  NULL only on ENOMEM. */
char *fb_text_sanitize(const char *s, int keep_newlines);

/* malloc'd copy of s where every character except the first head and last tail is
 * replaced by '*', counting characters, not bytes (so "13912345678" with 3,4 gives
 * "139****5678").  A string of at most head+tail characters is masked whole.  NULL
 * only on ENOMEM. */
char *fb_mask_chars(const char *s, size_t head, size_t tail);

#endif
