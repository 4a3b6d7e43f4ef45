/* tui_list.c - the list of a kind's records, and search results (tui layer).
 *
 * Lists page by keyset (fb_list after the last id of the previous page), so paging stays
 * instant on a million records; search results page by offset within fb_search's bounded,
 * ranked candidate set.  The visible page is re-read on every draw, so records saved in
 * a form show up at once.  Personal data is masked (fb_value_display). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "tui.h"

#define MAX_PAGES 4096
#define MAX_ROWS 256
#define MAX_COLS 12

struct row {
	char id[FB_ID_LEN + 1];
	char kind[32];
	char *title;
	char *match;
	char *cols[MAX_COLS];
	size_t ncols;
	int conflicts;
};

struct list {
	const struct fb_kind *kind; /* NULL: search over every kind */
	char *search;               /* search text, or NULL for a plain list */
	char status[64];            /* status filter code, "" for none */
	char date_from[11], date_to[11];
	char *pages[MAX_PAGES];     /* pages[i]: id after which page i starts (NULL: first) */
	int page;
	int sel;
	struct row rows[MAX_ROWS];
	int nrows;
	int more; /* a next page exists */
};

static void rows_clear(struct list *l)
{
	int i;
	size_t c;

	for (i = 0; i < l->nrows; i++) {
		free(l->rows[i].title);
		free(l->rows[i].match);
		for (c = 0; c < l->rows[i].ncols; c++)
			free(l->rows[i].cols[c]);
	}
	memset(l->rows, 0, sizeof l->rows);
	l->nrows = 0;
	l->more = 0;
}

struct load_ctx {
	struct list *l;
	int want;
};

static int take_row(const struct fb_row *r, void *ctx)
{
	struct load_ctx *lc = ctx;
	struct list *l = lc->l;
	struct row *w;
	size_t c;

	if (l->nrows >= lc->want || l->nrows >= MAX_ROWS) {
		l->more = 1;
		return 1;
	}
	w = &l->rows[l->nrows++];
	snprintf(w->id, sizeof w->id, "%s", r->id);
	snprintf(w->kind, sizeof w->kind, "%s", r->kind);
	w->title = strdup(r->title ? r->title : "");
	w->match = r->match ? strdup(r->match) : NULL;
	w->conflicts = r->conflicts;
	for (c = 0; c < r->ncols && c < MAX_COLS; c++)
		w->cols[c] = r->cols[c] ? strdup(r->cols[c]) : NULL;
	w->ncols = c;
	return 0;
}

static int page_rows(struct tui *t)
{
	int n = t->rows - 5; /* title, header, rule?, status, hints */
	return n < 1 ? 1 : (n > MAX_ROWS - 1 ? MAX_ROWS - 1 : n);
}

/* The first date field of the kind that people type (not derived), or NULL. */
static const struct fb_field *date_field(const struct fb_kind *k)
{
	const struct fb_field *f;

	for (f = k ? k->fields : NULL; f && f->name; f++)
		if (f->type == FB_T_DATE && !(f->flags & FB_F_DERIVED))
			return f;
	return NULL;
}

static void load(struct tui *t, struct list *l)
{
	struct load_ctx lc = {l, page_rows(t)};
	struct fb_error err = {0};
	int rc;

	rows_clear(l);
	if (l->search) {
		rc = fb_search(t->store, l->search, l->kind ? l->kind->name : NULL,
			       (size_t)l->page * (size_t)lc.want, (size_t)lc.want + 1, take_row, &lc, &err);
	} else {
		struct fb_list_query q = {0};
		struct fb_kv f;
		const struct fb_field *st = fb_kind_status_field(l->kind);
		q.kind = l->kind->name;
		q.after = l->pages[l->page];
		q.limit = (size_t)lc.want + 1;
		if (l->status[0] && st) {
			f.field = st->name;
			f.value = l->status;
			q.filters = &f;
			q.nfilters = 1;
		}
		if (l->date_from[0]) {
			q.date_field = date_field(l->kind)->name;
			q.date_from = l->date_from;
			q.date_to = l->date_to;
		}
		rc = fb_list(t->store, &q, take_row, &lc, &err);
	}
	if (rc < 0)
		tui_message(t, 1, "%s", err.message);
	if (l->sel >= l->nrows)
		l->sel = l->nrows ? l->nrows - 1 : 0;
}

/* Width of list column f starting at x: its list_cols and a space, or, for the kind's
 * last list column, the rest of the row. */
static int col_width(struct tui *t, const struct fb_kind *k, const struct fb_field *f, int x)
{
	const struct fb_field *g, *last = NULL;
	int w = (f->list_cols ? f->list_cols : 10) + 1;

	for (g = k->fields; g->name; g++)
		if (g->flags & FB_F_LIST)
			last = g;
	if (f == last || w > t->cols - x)
		w = t->cols - x;
	return w;
}

static void list_draw(struct tui *t, struct tui_screen *s)
{
	struct list *l = s->data;
	char title[256], hints[256], idcol[16], filt[128] = "";
	const struct fb_field *f;
	int y, i, x;

	load(t, l);
	if (l->status[0]) {
		const struct fb_field *st = fb_kind_status_field(l->kind);
		char *lab = fb_value_display(st, l->status, FB_SHOW_MASKED);
		snprintf(filt, sizeof filt, _(" | status: %s"), lab ? lab : l->status);
		free(lab);
	}
	if (l->date_from[0]) {
		size_t n = strlen(filt);
		snprintf(filt + n, sizeof filt - n, _(" | %s..%s"), l->date_from, l->date_to);
	}
	if (l->search)
		snprintf(title, sizeof title, _("Search: %s (page %d)"), l->search, l->page + 1);
	else
		snprintf(title, sizeof title, _("%s (page %d)%s"), fb_kind_label(l->kind), l->page + 1, filt);
	if (l->search)
		snprintf(hints, sizeof hints, _("%s open  %s/%s page  %s back"), tui_key_for(CTX_LIST, ACT_OPEN),
			 tui_key_for(CTX_LIST, ACT_PAGE_DOWN), tui_key_for(CTX_LIST, ACT_PAGE_UP),
			 tui_key_for(CTX_LIST, ACT_BACK));
	else
		snprintf(hints, sizeof hints, _("%s open  %s new  %s search  %s status  %s date  %s clear  %s help"),
			 tui_key_for(CTX_LIST, ACT_OPEN), tui_key_for(CTX_LIST, ACT_NEW),
			 tui_key_for(CTX_LIST, ACT_SEARCH), tui_key_for(CTX_LIST, ACT_FILTER_STATUS),
			 tui_key_for(CTX_LIST, ACT_FILTER_DATE), tui_key_for(CTX_LIST, ACT_CLEAR_FILTERS),
			 tui_key_for(CTX_LIST, ACT_HELP));
	tui_frame(t, title, hints);

	/* header */
	tui_put(t, 1, 0, 9, _("id"), TUI_BOLD, 1);
	x = 9;
	if (l->search) {
		tui_put(t, 1, x, 12, _("kind"), TUI_BOLD, 1);
		tui_put(t, 1, x + 12, t->cols - x - 12, _("name / title"), TUI_BOLD, 1);
	} else {
		for (f = l->kind->fields; f->name && x < t->cols; f++) {
			int w;
			if (!(f->flags & FB_F_LIST))
				continue;
			w = col_width(t, l->kind, f, x);
			tui_put(t, 1, x, w - 1, fb_field_label(f), TUI_BOLD, 1);
			x += w;
		}
	}
	for (i = 0, y = 2; i < l->nrows && i < page_rows(t); i++, y++) {
		struct row *r = &l->rows[i];
		int style = i == l->sel ? TUI_REVERSE : TUI_NORMAL;
		snprintf(idcol, sizeof idcol, "%.8s%s", r->id, r->conflicts ? "!" : " ");
		tui_put(t, y, 0, t->cols, "", style, 1);
		tui_put(t, y, 0, 9, idcol, r->conflicts && style == TUI_NORMAL ? TUI_ERROR : style, 1);
		x = 9;
		if (l->search) {
			const struct fb_kind *k = fb_kind_find(r->kind);
			const struct fb_field *tf = k ? fb_kind_title_field(k) : NULL;
			char *tv = fb_value_display(tf, r->title, FB_SHOW_MASKED);
			tui_put(t, y, x, 12, k ? fb_kind_label(k) : r->kind, style, 1);
			tui_put(t, y, x + 12, t->cols - x - 12, tv ? tv : "", style, 1);
			free(tv);
			continue;
		}
		{
			size_t c = 0;
			for (f = l->kind->fields; f->name && x < t->cols; f++) {
				int w;
				char *v;
				if (!(f->flags & FB_F_LIST))
					continue;
				w = col_width(t, l->kind, f, x);
				v = fb_value_display(f, c < r->ncols ? r->cols[c] : NULL, FB_SHOW_MASKED);
				c++;
				tui_put(t, y, x, w - 1, v ? v : "", style, 1);
				free(v);
				x += w;
			}
		}
	}
	if (l->nrows == 0)
		tui_put(t, 2, 0, t->cols, l->search ? _("  no records match") : _("  no records yet"), TUI_DIM, 1);
}

static void next_page(struct list *l)
{
	if (!l->more || l->page + 1 >= MAX_PAGES)
		return;
	if (!l->search) {
		free(l->pages[l->page + 1]);
		l->pages[l->page + 1] = strdup(l->rows[l->nrows - 1].id);
	}
	l->page++;
	l->sel = 0;
}

static void status_chosen(struct tui *t, void *ctx, const char *codes)
{
	struct list *l = ctx;

	if (codes) {
		snprintf(l->status, sizeof l->status, "%s", codes);
		l->page = 0;
		l->sel = 0;
	}
}

/* Reads a date filter: YYYY, YYYY-MM, a day in any form fb_parse_date takes, or FROM..TO
 * (days).  0 on success. */
static int parse_date_filter(const char *text, char *from, char *to)
{
	const char *dots = strstr(text, "..");
	int y, m, used = 0;

	if (dots) {
		char a[64];
		snprintf(a, sizeof a, "%.*s", (int)(dots - text) < 63 ? (int)(dots - text) : 63, text);
		return fb_parse_date(from, 11, a, "date", NULL) < 0 ||
			       fb_parse_date(to, 11, dots + 2, "date", NULL) < 0 || strcmp(from, to) > 0
			       ? -1
			       : 0;
	}
	if (sscanf(text, "%4d-%2d%n", &y, &m, &used) == 2 && !text[used] && used == 7 && m >= 1 &&
	    m <= 12 && y >= 1900 && y <= 2099) {
		snprintf(from, 11, "%04d-%02d-01", y, m);
		snprintf(to, 11, "%04d-%02d-31", y, m);
		return 0;
	}
	used = 0;
	if (sscanf(text, "%4d%n", &y, &used) == 1 && !text[used] && used == 4 && y >= 1900 && y <= 2099) {
		snprintf(from, 11, "%04d-01-01", y);
		snprintf(to, 11, "%04d-12-31", y);
		return 0;
	}
	if (fb_parse_date(from, 11, text, "date", NULL) == 0) {
		memcpy(to, from, 11);
		return 0;
	}
	return -1;
}

static void date_chosen(struct tui *t, void *ctx, const char *text)
{
	struct list *l = ctx;
	char from[11], to[11];

	if (!text || !*text)
		return;
	if (parse_date_filter(text, from, to) < 0) {
		tui_message(t, 1, "%s", _("date filter: write a year (2026), a month (2026-11), a day "
					  "(2026-11-29) or a range (2026-11-01..2026-11-15)"));
		return;
	}
	memcpy(l->date_from, from, sizeof l->date_from);
	memcpy(l->date_to, to, sizeof l->date_to);
	l->page = 0;
	l->sel = 0;
}

static void search_chosen(struct tui *t, void *ctx, const char *text)
{
	struct list *l = ctx;

	if (text && *text)
		tui_search_open(t, l->kind ? l->kind->name : NULL, text);
}

static void list_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct list *l = s->data;

	switch (a) {
	case ACT_UP:
		if (l->sel > 0)
			l->sel--;
		else if (l->page > 0) {
			l->page--;
			l->sel = page_rows(t) - 1;
		}
		break;
	case ACT_DOWN:
		if (l->sel + 1 < l->nrows && l->sel + 1 < page_rows(t))
			l->sel++;
		else
			next_page(l);
		break;
	case ACT_PAGE_DOWN:
		next_page(l);
		break;
	case ACT_PAGE_UP:
		if (l->page > 0)
			l->page--;
		l->sel = 0;
		break;
	case ACT_FIRST:
		l->page = 0;
		l->sel = 0;
		break;
	case ACT_OPEN:
		if (l->sel < l->nrows)
			tui_record_open(t, l->rows[l->sel].id);
		break;
	case ACT_NEW:
		if (l->kind)
			tui_form_open(t, l->kind, NULL, NULL, 0);
		break;
	case ACT_SEARCH:
		tui_prompt(t, _("Search:"), "", search_chosen, l);
		break;
	case ACT_FILTER_STATUS: {
		const struct fb_field *st = l->kind ? fb_kind_status_field(l->kind) : NULL;
		if (st && !l->search)
			tui_picker_open(t, st, l->status, "", status_chosen, l);
		else
			tui_message(t, 1, "%s", _("this list has no status to filter by"));
		break;
	}
	case ACT_FILTER_DATE:
		if (!l->search && date_field(l->kind))
			tui_prompt(t, _("Date (2026, 2026-11, 2026-11-29 or a..b):"), "", date_chosen, l);
		else
			tui_message(t, 1, "%s", _("this list has no date to filter by"));
		break;
	case ACT_CLEAR_FILTERS:
		l->status[0] = l->date_from[0] = l->date_to[0] = '\0';
		l->page = 0;
		l->sel = 0;
		break;
	case ACT_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static void list_free(struct tui_screen *s)
{
	struct list *l = s->data;
	int i;

	rows_clear(l);
	for (i = 0; i < MAX_PAGES; i++)
		free(l->pages[i]);
	free(l->search);
	free(l);
}

static const struct tui_screen_ops list_ops = {"list", CTX_LIST, list_draw, list_key, list_free, NULL};

void tui_list_open(struct tui *t, const struct fb_kind *kind)
{
	struct list *l = calloc(1, sizeof *l);

	if (!l || !kind) {
		free(l);
		return;
	}
	l->kind = kind;
	tui_push(t, &list_ops, l);
}

void tui_search_open(struct tui *t, const char *kind, const char *text)
{
	struct list *l = calloc(1, sizeof *l);

	if (!l)
		return;
	l->kind = kind ? fb_kind_find(kind) : NULL;
	l->search = strdup(text);
	tui_push(t, &list_ops, l);
}
