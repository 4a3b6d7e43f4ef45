/* tui_edit.c - editing one line of UTF-8 text by characters (tui layer).
 *
 * Contract: the cursor is a byte offset that always sits on a character boundary; Left,
 * Right, Backspace and Delete move over or remove whole characters (a Han character, a
 * CJK Ext-B character, an invalid byte); the view scrolls by columns so the cursor stays
 * visible and no double-width character is split at either edge. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/text.h"
#include "tui.h"

static int reserve(struct tui_line *l, size_t need)
{
	if (need + 1 <= l->cap)
		return 0;
	size_t cap = l->cap ? l->cap : 32;
	while (cap < need + 1)
		cap *= 2;
	char *n2 = realloc(l->text, cap);
	if (!n2)
		return -1;
	if (!l->text)
		n2[0] = '\0';
	l->text = n2;
	l->cap = cap;
	return 0;
}

void tui_line_set(struct tui_line *l, const char *text)
{
	size_t n = strlen(text ? text : "");

	if (reserve(l, n) < 0)
		return;
	memcpy(l->text, text ? text : "", n + 1);
	l->len = n;
	l->cursor = n;
	l->scroll = 0;
}

void tui_line_free(struct tui_line *l)
{
	free(l->text);
	memset(l, 0, sizeof *l);
}

/* Byte offset of the character before offset i. */
static size_t prev_char(const struct tui_line *l, size_t i)
{
	size_t j = 0, last = 0;

	while (j < i) {
		uint32_t cp;
		last = j;
		j += fb_utf8_decode(l->text + j, l->len - j, &cp);
	}
	return last;
}

static size_t next_char(const struct tui_line *l, size_t i)
{
	uint32_t cp;

	return i < l->len ? i + fb_utf8_decode(l->text + i, l->len - i, &cp) : i;
}

int tui_line_key(struct tui_line *l, enum tui_action a, int is_key, wint_t ch)
{
	size_t p;

	if (!l->text)
		tui_line_set(l, "");
	switch (a) {
	case ACT_LEFT:
		l->cursor = prev_char(l, l->cursor);
		return 0;
	case ACT_RIGHT:
		l->cursor = next_char(l, l->cursor);
		return 0;
	case ACT_LINE_START:
		l->cursor = 0;
		return 0;
	case ACT_LINE_END:
		l->cursor = l->len;
		return 0;
	case ACT_BACKSPACE:
		if (l->cursor == 0)
			return 0;
		p = prev_char(l, l->cursor);
		memmove(l->text + p, l->text + l->cursor, l->len - l->cursor + 1);
		l->len -= l->cursor - p;
		l->cursor = p;
		return 1;
	case ACT_DELETE_CHAR:
		if (l->cursor >= l->len)
			return 0;
		p = next_char(l, l->cursor);
		memmove(l->text + l->cursor, l->text + p, l->len - p + 1);
		l->len -= p - l->cursor;
		return 1;
	case ACT_CLEAR_FIELD:
		tui_line_set(l, "");
		return 1;
	case ACT_NONE:
		break;
	default:
		return 0;
	}
	if (is_key || ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) || ch > 0x10FFFF)
		return 0;
	{
		char enc[4];
		size_t n = fb_utf8_encode((uint32_t)ch, enc);
		if (reserve(l, l->len + n) < 0)
			return 0;
		memmove(l->text + l->cursor + n, l->text + l->cursor, l->len - l->cursor + 1);
		memcpy(l->text + l->cursor, enc, n);
		l->len += n;
		l->cursor += n;
	}
	return 1;
}

void tui_line_draw(struct tui *t, struct tui_line *l, int y, int x, int cols, int focused)
{
	char before[4096];
	int cursor_col, cx;
	size_t n;

	if (!l->text)
		tui_line_set(l, "");
	if (cols <= 0)
		return;
	n = l->cursor < sizeof before ? l->cursor : sizeof before - 1;
	memcpy(before, l->text, n);
	before[n] = '\0';
	cursor_col = tui_cols(before);
	/* keep the cursor (and the character under it) inside the view */
	if (cursor_col < l->scroll)
		l->scroll = cursor_col;
	if (cursor_col - l->scroll > cols - 2)
		l->scroll = cursor_col - (cols - 2);
	if (l->scroll < 0)
		l->scroll = 0;
	cx = tui_put_scrolled(t, y, x, cols, l->text, l->scroll, l->cursor, focused ? TUI_REVERSE : TUI_NORMAL);
	if (focused) {
		if (cx < 0)
			cx = x;
		move(y, cx);
		curs_set(1);
	}
}
