/* tui_picker.c - the pickers the form opens: choices of a field, and records found by
 * search (tui layer).
 *
 * Choice picker: the choices of a CHOICE or MULTI field (yes/no for a BOOL field), a
 * filter line at the top that narrows the list as the user types (a substring of the
 * code, the Chinese or the English label, ASCII case ignored).  Enter takes the
 * highlighted choice; in a multi-choice picker Space ticks and unticks, and Enter takes
 * the ticked set (or, when nothing was ticked or unticked, adds the highlighted one, so
 * "美团" Enter is enough).  Esc cancels.  The result is the codes, comma-joined.
 *
 * Record picker: the records of a kind; with an empty filter the newest ones (fb_list),
 * otherwise fb_search as the user types (Space is part of the search text here).  Enter
 * returns the highlighted record's id.
 * Both call done after they have been popped, like tui_prompt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"
#include "fieldbook/store.h"
#include "fieldbook/text.h"
#include "fieldbook/value.h"
#include "tui.h"

typedef void (*picker_done_fn)(struct tui *t, void *ctx, const char *result);

static const struct fb_choice bool_choices[] = {
	{"1", "是", "yes"},
	{"0", "否", "no"},
	{0},
};

static int printable(int is_key, wint_t ch)
{
	return !is_key && ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0);
}

/* 1 when needle occurs in hay, folding ASCII letters only (labels are UTF-8). */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i, j;

	if (!n)
		return 1;
	if (!hay)
		return 0;
	for (i = 0; hay[i]; i++) {
		for (j = 0; j < n && hay[i + j]; j++) {
			unsigned char a = (unsigned char)hay[i + j], b = (unsigned char)needle[j];
			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (unsigned char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (j == n)
			return 1;
	}
	return 0;
}

/* Rows of a list between row y0 and y0+h: keeps cursor visible by moving *top. */
static void keep_visible(int *top, size_t cursor, int h, size_t n)
{
	if (h <= 0)
		return;
	if ((int)cursor < *top)
		*top = (int)cursor;
	if ((int)cursor >= *top + h)
		*top = (int)cursor - h + 1;
	if (*top > (int)n - h)
		*top = (int)n - h;
	if (*top < 0)
		*top = 0;
}

/* Moves a cursor for Up/Down/PgUp/PgDn over n rows; returns 1 if a was one of them. */
static int move_cursor(size_t *cursor, size_t n, enum tui_action a, int page)
{
	size_t step = page > 1 ? (size_t)page : 1;

	switch (a) {
	case ACT_UP:
		if (*cursor > 0)
			(*cursor)--;
		return 1;
	case ACT_DOWN:
		if (*cursor + 1 < n)
			(*cursor)++;
		return 1;
	case ACT_PAGE_UP:
		*cursor = *cursor > step ? *cursor - step : 0;
		return 1;
	case ACT_PAGE_DOWN:
		*cursor = n ? (*cursor + step < n ? *cursor + step : n - 1) : 0;
		return 1;
	case ACT_FIRST:
		*cursor = 0;
		return 1;
	default:
		return 0;
	}
}

/* The filter line at row 1: a label and the line being edited (focused). */
static void draw_filter(struct tui *t, struct tui_line *filter)
{
	const char *label = _("Filter:");
	int lw = tui_cols(label) + 1;

	tui_put(t, 1, 0, lw, label, TUI_BOLD, 1);
	tui_line_draw(t, filter, 1, lw, t->cols - lw, 1);
}

/* Edits the filter line; returns 1 if its text changed. */
static int edit_filter(struct tui_line *filter, enum tui_action a, int is_key, wint_t ch)
{
	switch (a) {
	case ACT_LEFT:
	case ACT_RIGHT:
	case ACT_LINE_START:
	case ACT_LINE_END:
	case ACT_BACKSPACE:
	case ACT_DELETE_CHAR:
	case ACT_CLEAR_FIELD:
		return tui_line_key(filter, a, is_key, ch);
	case ACT_NONE:
		return printable(is_key, ch) ? tui_line_key(filter, a, is_key, ch) : 0;
	default:
		return 0;
	}
}

/* ---------------------------------------------------------------- choice picker */

struct picker {
	const struct fb_field *field;
	const struct fb_choice *choices;
	size_t n;
	int multi;
	unsigned char *ticked; /* multi: n flags */
	int toggled;           /* the user ticked or unticked something */
	size_t *shown;         /* indices of the choices the filter lets through */
	size_t nshown;
	size_t cursor;         /* index into shown */
	int top;
	char *current;         /* single: the code chosen before */
	struct tui_line filter;
	picker_done_fn done;
	void *ctx;
};

static int choice_matches(const struct fb_choice *c, const char *filter)
{
	return contains_ci(c->code, filter) || contains_ci(c->zh, filter) || contains_ci(c->en, filter);
}

static void picker_refilter(struct picker *p)
{
	const char *f = p->filter.text ? p->filter.text : "";
	size_t keep = p->nshown ? p->shown[p->cursor] : (size_t)-1, i;

	p->nshown = 0;
	p->cursor = 0;
	for (i = 0; i < p->n; i++)
		if (choice_matches(&p->choices[i], f)) {
			if (i == keep)
				p->cursor = p->nshown;
			p->shown[p->nshown++] = i;
		}
	/* while narrowing, the first match is the one Enter takes */
	if (*f)
		p->cursor = 0;
}

static void picker_finish(struct tui *t, struct picker *p, const char *result)
{
	picker_done_fn done = p->done;
	void *ctx = p->ctx;
	char *copy = result ? strdup(result) : NULL;

	tui_pop(t); /* frees p */
	done(t, ctx, copy);
	free(copy);
}

static void picker_accept(struct tui *t, struct picker *p)
{
	size_t i, used = 0, cap = 1;
	char *res;

	if (!p->multi) {
		if (!p->nshown) {
			tui_message(t, 1, "%s", _("nothing matches; Backspace widens the list"));
			return;
		}
		picker_finish(t, p, p->choices[p->shown[p->cursor]].code);
		return;
	}
	if (!p->toggled) {
		if (!p->nshown) {
			tui_message(t, 1, "%s", _("nothing matches; Backspace widens the list"));
			return;
		}
		p->ticked[p->shown[p->cursor]] = 1;
	}
	for (i = 0; i < p->n; i++)
		cap += strlen(p->choices[i].code) + 1;
	if (!(res = malloc(cap)))
		return;
	res[0] = '\0';
	for (i = 0; i < p->n; i++)
		if (p->ticked[i])
			used += (size_t)snprintf(res + used, cap - used, "%s%s", used ? "," : "",
						 p->choices[i].code);
	picker_finish(t, p, res);
	free(res);
}

static void picker_draw(struct tui *t, struct tui_screen *s)
{
	struct picker *p = s->data;
	char title[256], hints[256];
	int h = t->rows - 4, y, k;
	size_t i, nticked = 0;

	for (i = 0; p->multi && i < p->n; i++)
		nticked += p->ticked[i];
	if (p->multi)
		snprintf(title, sizeof title, _("Choose %s (%zu chosen)"), fb_field_label(p->field),
			 nticked);
	else
		snprintf(title, sizeof title, _("Choose %s"), fb_field_label(p->field));
	if (p->multi)
		snprintf(hints, sizeof hints, "%s %s  %s %s  %s %s", tui_key_for(CTX_PICKER, ACT_ACCEPT),
			 _("accept"), tui_key_for(CTX_PICKER, ACT_TOGGLE), _("tick"),
			 tui_key_for(CTX_PICKER, ACT_BACK), _("cancel"));
	else
		snprintf(hints, sizeof hints, "%s %s  %s %s", tui_key_for(CTX_PICKER, ACT_ACCEPT),
			 _("accept"), tui_key_for(CTX_PICKER, ACT_BACK), _("cancel"));
	tui_frame(t, title, hints);
	for (y = 2; y < t->rows - 2; y++)
		tui_put(t, y, 0, t->cols, "", TUI_NORMAL, 1);
	keep_visible(&p->top, p->cursor, h, p->nshown);
	if (!p->nshown && h > 0)
		tui_put(t, 2, 2, t->cols - 2, _("nothing matches; Backspace widens the list"), TUI_DIM, 1);
	for (k = p->top, y = 2; k < (int)p->nshown && y < 2 + h; k++, y++) {
		size_t idx = p->shown[k];
		const struct fb_choice *c = &p->choices[idx];
		const char *label = fb_choice_label(c), *other = fb_lang_zh() ? c->en : c->zh;
		int mark_on = p->multi ? p->ticked[idx] : (p->current && !strcmp(p->current, c->code));
		int sel = k == (int)p->cursor, lw;
		char line[512];
		snprintf(line, sizeof line, "%s %s", p->multi ? (mark_on ? "[x]" : "[ ]")
							       : (mark_on ? "(*)" : "( )"),
			 label);
		tui_put(t, y, 0, t->cols, line, sel ? TUI_REVERSE : TUI_NORMAL, 1);
		lw = tui_cols(line) + 2;
		if (other && strcmp(other, label) && lw < t->cols)
			tui_put(t, y, lw, t->cols - lw, other, sel ? TUI_REVERSE : TUI_DIM, 1);
	}
	draw_filter(t, &p->filter); /* last: it places the cursor */
}

static void picker_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key,
		       wint_t ch)
{
	struct picker *p = s->data;

	if (move_cursor(&p->cursor, p->nshown, a, t->rows - 4))
		return;
	switch (a) {
	case ACT_ACCEPT:
	case ACT_PICK:
	case ACT_OPEN:
		picker_accept(t, p);
		return;
	case ACT_TOGGLE:
		if (!p->nshown)
			return;
		if (!p->multi) {
			picker_accept(t, p);
			return;
		}
		p->ticked[p->shown[p->cursor]] ^= 1;
		p->toggled = 1;
		return;
	case ACT_BACK:
		picker_finish(t, p, NULL);
		return;
	case ACT_HELP:
		tui_help_open(t);
		return;
	default:
		break;
	}
	if (edit_filter(&p->filter, a, is_key, ch))
		picker_refilter(p);
}

static void picker_free(struct tui_screen *s)
{
	struct picker *p = s->data;

	if (!p)
		return;
	tui_line_free(&p->filter);
	free(p->ticked);
	free(p->shown);
	free(p->current);
	free(p);
	s->data = NULL;
}

static const struct tui_screen_ops picker_ops = {
	"picker", CTX_PICKER, picker_draw, picker_key, picker_free, NULL,
};

void tui_picker_open(struct tui *t, const struct fb_field *field, const char *current,
		     const char *filter, void (*done)(struct tui *t, void *ctx, const char *codes),
		     void *ctx)
{
	struct picker *p = calloc(1, sizeof *p);
	size_t i;

	if (!p)
		goto nomem;
	p->field = field;
	if (field->type == FB_T_BOOL)
		p->choices = bool_choices;
	else
		p->choices = field->choices ? field->choices : &bool_choices[2]; /* none */
	p->multi = field->type == FB_T_MULTI;
	while (p->choices[p->n].code)
		p->n++;
	p->ticked = calloc(p->n + 1, 1);
	p->shown = calloc(p->n + 1, sizeof *p->shown);
	if (!p->ticked || !p->shown)
		goto nomem;
	p->done = done;
	p->ctx = ctx;
	if (current && *current) {
		char *work = strdup(current), *tok, *save = NULL;
		if (!work || !(p->current = strdup(current))) {
			free(work);
			goto nomem;
		}
		for (tok = strtok_r(work, ",", &save); p->multi && tok; tok = strtok_r(NULL, ",", &save))
			for (i = 0; i < p->n; i++)
				if (!strcmp(p->choices[i].code, tok))
					p->ticked[i] = 1;
		free(work);
	}
	tui_line_set(&p->filter, filter ? filter : "");
	picker_refilter(p);
	/* single choice, no filter: start on the current value */
	for (i = 0; !p->multi && p->current && !(filter && *filter) && i < p->nshown; i++)
		if (!strcmp(p->choices[p->shown[i]].code, p->current))
			p->cursor = i;
	tui_push(t, &picker_ops, p);
	return;
nomem:
	if (p) {
		free(p->ticked);
		free(p->shown);
		free(p->current);
		free(p);
	}
	tui_message(t, 1, "%s", _("out of memory"));
}

/* ---------------------------------------------------------------- record picker */

#define RPICK_LIMIT 50

struct rrow {
	char id[FB_ID_LEN + 1];
	char *text;
};

struct rpicker {
	char kind[32]; /* "" = any kind */
	const struct fb_kind *k;
	struct tui_line filter;
	struct rrow *rows;
	size_t n, cap;
	size_t cursor;
	int top;
	char note[FB_ERROR_MESSAGE_MAX]; /* why the list is empty */
	picker_done_fn done;
	void *ctx;
};

/* Appends s (and a separator before it when buf is not empty) to a malloc'd buffer. */
static void buf_add(char **buf, size_t *used, size_t *cap, const char *sep, const char *s)
{
	size_t need = strlen(sep) + strlen(s) + 1;
	char *n2;

	if (!*buf)
		return;
	if (*used + need > *cap) {
		if (!(n2 = realloc(*buf, *cap = *cap * 2 + need)))
			return;
		*buf = n2;
	}
	*used += (size_t)snprintf(*buf + *used, *cap - *used, "%s%s", *used ? sep : "", s);
}

/* One line for a row: the title, then the kind's other list columns (masked). */
static char *row_text(const struct fb_row *row, int any_kind)
{
	const struct fb_kind *k = fb_kind_find(row->kind);
	const struct fb_field *f, *tf = fb_kind_title_field(k);
	size_t cap = 128, used = 0, j = 0;
	char *res = malloc(cap), *title;

	if (!res)
		return NULL;
	res[0] = '\0';
	if (any_kind && k) {
		char tag[96];
		snprintf(tag, sizeof tag, "[%s]", fb_kind_label(k));
		buf_add(&res, &used, &cap, "", tag);
	}
	title = tf ? fb_value_display(tf, row->title ? row->title : "", FB_SHOW_MASKED)
		   : strdup(row->title ? row->title : "");
	buf_add(&res, &used, &cap, " ", title ? title : "");
	free(title);
	for (f = k ? k->fields : NULL; f && f->name; f++) {
		const char *v;
		char *shown;
		if (!(f->flags & FB_F_LIST))
			continue;
		v = j < row->ncols ? row->cols[j] : NULL;
		j++;
		if (f == tf || !v || !*v || f->type == FB_T_REF || f->type == FB_T_REFS)
			continue;
		if ((shown = fb_value_display(f, v, FB_SHOW_MASKED)))
			buf_add(&res, &used, &cap, "  ", shown);
		free(shown);
	}
	return res;
}

static int rpicker_add(const struct fb_row *row, void *ctx)
{
	struct rpicker *p = ctx;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct rrow *n2 = realloc(p->rows, cap * sizeof *n2);
		if (!n2)
			return 1;
		p->rows = n2;
		p->cap = cap;
	}
	snprintf(p->rows[p->n].id, sizeof p->rows[p->n].id, "%s", row->id);
	p->rows[p->n].text = row_text(row, !p->kind[0]);
	p->n++;
	return p->n >= RPICK_LIMIT;
}

static void rpicker_clear(struct rpicker *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->rows[i].text);
	p->n = 0;
	p->cursor = 0;
	p->top = 0;
}

static void rpicker_refresh(struct rpicker *p, struct tui *t)
{
	const char *f = p->filter.text ? p->filter.text : "";
	struct fb_error err = {0};
	int rc;

	rpicker_clear(p);
	p->note[0] = '\0';
	if (!*f) {
		struct fb_list_query q = {0};
		if (!p->kind[0]) {
			snprintf(p->note, sizeof p->note, "%s", _("type a name, ID number, mobile or words"));
			return;
		}
		q.kind = p->kind;
		q.limit = RPICK_LIMIT;
		rc = fb_list(t->store, &q, rpicker_add, p, &err);
	} else {
		rc = fb_search(t->store, f, p->kind[0] ? p->kind : NULL, 0, RPICK_LIMIT, rpicker_add, p,
			       &err);
	}
	if (rc < 0)
		snprintf(p->note, sizeof p->note, "%s", err.message);
	else if (!p->n)
		snprintf(p->note, sizeof p->note, "%s",
			 *f ? _("no records match; Backspace widens the search") : _("no records yet"));
}

static void rpicker_finish(struct tui *t, struct rpicker *p, const char *id)
{
	picker_done_fn done = p->done;
	void *ctx = p->ctx;
	char copy[FB_ID_LEN + 1] = "";

	if (id)
		snprintf(copy, sizeof copy, "%s", id);
	tui_pop(t); /* frees p */
	done(t, ctx, id ? copy : NULL);
}

static void rpicker_draw(struct tui *t, struct tui_screen *s)
{
	struct rpicker *p = s->data;
	char title[256], hints[256];
	int h = t->rows - 4, y, k;

	snprintf(title, sizeof title, _("Choose %s"), p->k ? fb_kind_label(p->k) : _("a record"));
	snprintf(hints, sizeof hints, "%s %s  %s %s", tui_key_for(CTX_PICKER, ACT_ACCEPT), _("accept"),
		 tui_key_for(CTX_PICKER, ACT_BACK), _("cancel"));
	tui_frame(t, title, hints);
	for (y = 2; y < t->rows - 2; y++)
		tui_put(t, y, 0, t->cols, "", TUI_NORMAL, 1);
	keep_visible(&p->top, p->cursor, h, p->n);
	if (!p->n && h > 0)
		tui_put(t, 2, 2, t->cols - 2, p->note, TUI_DIM, 1);
	for (k = p->top, y = 2; k < (int)p->n && y < 2 + h; k++, y++)
		tui_put(t, y, 0, t->cols, p->rows[k].text ? p->rows[k].text : p->rows[k].id,
			k == (int)p->cursor ? TUI_REVERSE : TUI_NORMAL, 1);
	draw_filter(t, &p->filter);
}

static void rpicker_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key,
			wint_t ch)
{
	struct rpicker *p = s->data;

	if (move_cursor(&p->cursor, p->n, a, t->rows - 4))
		return;
	switch (a) {
	case ACT_TOGGLE:
		/* Space: part of a search ("food delivery", an English name) */
		if (tui_line_key(&p->filter, ACT_NONE, 0, ' '))
			rpicker_refresh(p, t);
		return;
	case ACT_ACCEPT:
	case ACT_PICK:
	case ACT_OPEN:
		if (!p->n) {
			tui_message(t, 1, "%s", p->note[0] ? p->note : _("nothing to choose"));
			return;
		}
		rpicker_finish(t, p, p->rows[p->cursor].id);
		return;
	case ACT_BACK:
		rpicker_finish(t, p, NULL);
		return;
	case ACT_HELP:
		tui_help_open(t);
		return;
	default:
		break;
	}
	if (edit_filter(&p->filter, a, is_key, ch))
		rpicker_refresh(p, t);
}

static void rpicker_free(struct tui_screen *s)
{
	struct rpicker *p = s->data;

	if (!p)
		return;
	rpicker_clear(p);
	free(p->rows);
	tui_line_free(&p->filter);
	free(p);
	s->data = NULL;
}

static const struct tui_screen_ops rpicker_ops = {
	"record-picker", CTX_PICKER, rpicker_draw, rpicker_key, rpicker_free, NULL,
};

void tui_record_picker_open(struct tui *t, const char *kind, const char *filter,
			    void (*done)(struct tui *t, void *ctx, const char *id), void *ctx)
{
	struct rpicker *p = calloc(1, sizeof *p);

	if (!p) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	if (kind && *kind) {
		snprintf(p->kind, sizeof p->kind, "%s", kind);
		p->k = fb_kind_find(kind);
	}
	p->done = done;
	p->ctx = ctx;
	tui_line_set(&p->filter, filter ? filter : "");
	rpicker_refresh(p, t);
	tui_push(t, &rpicker_ops, p);
}
