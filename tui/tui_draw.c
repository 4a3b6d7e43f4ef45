/* tui_draw.c - every string the TUI draws passes through here (tui layer).
 *
 * Contract: text is cut and padded by terminal columns (fb_text_fit), never split in the
 * middle of a double-width character, and invalid UTF-8 or control characters appear as
 * U+FFFD (or '?' when drawing in ASCII), so a row is never blank or broken.  Lines are
 * ACS characters, or ASCII when the locale is not UTF-8.  Colours only when allowed
 * (NO_COLOR unset and the terminal has them); every style also works in monochrome. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "tui.h"

int tui_cols(const char *s)
{
	return fb_text_cols(s ? s : "");
}

static attr_t style_attr(struct tui *t, int style)
{
	switch (style) {
	case TUI_BOLD:
		return A_BOLD;
	case TUI_REVERSE:
		return A_REVERSE;
	case TUI_DIM:
		return A_DIM;
	case TUI_ERROR:
		return t->color ? (A_BOLD | COLOR_PAIR(1)) : A_BOLD;
	case TUI_TITLE:
		return t->color ? (A_BOLD | COLOR_PAIR(2)) : A_REVERSE;
	case TUI_MARK:
		return t->color ? (A_BOLD | COLOR_PAIR(3)) : A_BOLD;
	default:
		return A_NORMAL;
	}
}

/* ASCII drawing: every non-ASCII character becomes '?' (its columns kept). */
static void to_ascii(char *buf)
{
	char *in = buf, *out = buf;
	size_t len = strlen(buf);

	while (*in) {
		uint32_t cp;
		size_t n = fb_utf8_decode(in, len - (size_t)(in - buf), &cp);
		int w = fb_cp_cols(cp);
		in += n;
		if (cp < 0x80) {
			*out++ = (char)cp;
			continue;
		}
		while (w-- > 0)
			*out++ = '?';
	}
	*out = '\0';
}

void tui_put(struct tui *t, int y, int x, int cols, const char *s, int style, int pad)
{
	char buf[2048];

	if (cols <= 0 || y < 0 || y >= t->rows || x >= t->cols)
		return;
	if (x + cols > t->cols)
		cols = t->cols - x;
	fb_text_fit(buf, sizeof buf, s ? s : "", cols, pad);
	if (t->ascii)
		to_ascii(buf);
	attrset(style_attr(t, style));
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

int tui_put_scrolled(struct tui *t, int y, int x, int cols, const char *s, int scroll_cols,
		     size_t cursor_bytes, int style)
{
	size_t len = strlen(s), i = 0;
	int col = 0, cursor_col = -1;

	/* skip whole characters until scroll_cols columns are passed */
	while (i < len && col < scroll_cols) {
		uint32_t cp;
		size_t n = fb_utf8_decode(s + i, len - i, &cp);
		col += fb_cp_cols(cp);
		i += n;
	}
	if (cursor_bytes >= i) {
		char tmp[2048];
		size_t upto = cursor_bytes - i < sizeof tmp - 1 ? cursor_bytes - i : sizeof tmp - 1;
		memcpy(tmp, s + i, upto);
		tmp[upto] = '\0';
		cursor_col = tui_cols(tmp) + (col > scroll_cols ? col - scroll_cols : 0);
		if (cursor_col >= cols)
			cursor_col = -1;
	}
	if (col > scroll_cols) { /* a wide character straddled the left edge: blank its half */
		tui_put(t, y, x, col - scroll_cols, "", style, 1);
		tui_put(t, y, x + col - scroll_cols, cols - (col - scroll_cols), s + i, style, 1);
	} else
		tui_put(t, y, x, cols, s + i, style, 1);
	return cursor_col < 0 ? -1 : x + cursor_col;
}

void tui_rule(struct tui *t, int y)
{
	if (t->ascii)
		mvhline(y, 0, '-', t->cols);
	else
		mvhline(y, 0, ACS_HLINE, t->cols);
}

void tui_message(struct tui *t, int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->message_error = is_error;
}

void tui_frame(struct tui *t, const char *title, const char *hints)
{
	char status[512];
	int64_t unsealed = 0, conflicts = 0;
	struct fb_error err = {0};

	tui_put(t, 0, 0, t->cols, title, TUI_TITLE, 1);
	fb_store_unsealed_count(t->store, &unsealed, &err);
	fb_conflict_count(t->store, &conflicts, &err);
	snprintf(status, sizeof status, _("%s @ %s | unsynced %lld | conflicts %lld"),
		 fb_store_operator(t->store), fb_store_label(t->store), (long long)unsealed,
		 (long long)conflicts);
	tui_put(t, t->rows - 2, 0, t->cols, status, TUI_REVERSE, 1);
	if (t->message[0])
		tui_put(t, t->rows - 1, 0, t->cols, t->message, t->message_error ? TUI_ERROR : TUI_BOLD, 1);
	else
		tui_put(t, t->rows - 1, 0, t->cols, hints ? hints : "", TUI_DIM, 1);
}
