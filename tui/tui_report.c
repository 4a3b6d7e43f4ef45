/* tui_report.c - the report screen: the period report as bar charts with a monthly trend
 * (tui layer).
 *
 * Opens on this year against last year.  Left/Right move to the previous/next period,
 * `t` switches between month, quarter and year; Up/Down/PgUp/PgDn scroll.  The figures
 * come from fb_report_compute (core/report.c), with every breakdown and the monthly
 * trend; they are computed when the period changes, not on every draw.  Totals are one
 * line (this period, the previous one, the growth); groups and months are bars whose
 * length (in columns, block characters, '#' in ASCII mode) is the figure against the
 * group's largest. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/report.h"
#include "fieldbook/text.h"
#include "tui.h"

enum { UNIT_MONTH, UNIT_QUARTER, UNIT_YEAR };

struct report_screen {
	int unit;
	int year, month; /* the period's first month */
	int scroll;
	int nlines;      /* lines of the last draw, for scrolling */
	struct fb_report *rep;
};

static void compute(struct tui *t, struct report_screen *r)
{
	static const char *const units[] = {"month", "quarter", "year"};
	struct fb_report_query q;
	struct fb_error err = {0};
	char spec[32];

	memset(&q, 0, sizeof q);
	if (r->unit == UNIT_MONTH)
		snprintf(spec, sizeof spec, "%04d-%02d", r->year, r->month);
	else if (r->unit == UNIT_QUARTER)
		snprintf(spec, sizeof spec, "%04dQ%d", r->year, (r->month - 1) / 3 + 1);
	else
		snprintf(spec, sizeof spec, "%04d", r->year);
	q.by = FB_REPORT_BY_TEAM | FB_REPORT_BY_SITE | FB_REPORT_BY_OCCUPATION | FB_REPORT_BY_KIND |
	       FB_REPORT_MONTHLY;
	fb_report_free(r->rep);
	r->rep = NULL;
	if (fb_report_period_parse(&q.period, units[r->unit], spec, &err) < 0 ||
	    fb_report_compute(&r->rep, t->store, &q, &err) < 0)
		tui_message(t, 1, "%s", err.message);
	r->scroll = 0;
}

/* Moves the period by n units (negative: back). */
static void shift(struct report_screen *r, int n)
{
	int step = r->unit == UNIT_MONTH ? 1 : r->unit == UNIT_QUARTER ? 3 : 12;
	int idx = r->year * 12 + r->month - 1 + n * step;

	r->year = idx / 12;
	r->month = idx % 12 + 1;
}

/* Line y of the body (virtual line n) is on screen when scroll <= n < scroll + height. */
struct cursor {
	struct tui *t;
	int n, scroll, top, height;
};

static int visible(struct cursor *c, int *y)
{
	int on = c->n >= c->scroll && c->n < c->scroll + c->height;

	*y = c->top + c->n - c->scroll;
	c->n++;
	return on;
}

static void line(struct cursor *c, const char *text, int style)
{
	int y;

	if (visible(c, &y))
		tui_put(c->t, y, 0, c->t->cols, text, style, 1);
}

/* label ........ cur   prev   growth */
static void total_line(struct cursor *c, const struct fb_report_row *row)
{
	char cur[64], prev[64], growth[64], nums[200];
	int y, w, cols = c->t->cols;

	if (!visible(c, &y))
		return;
	fb_report_format(cur, sizeof cur, row, 0, 0);
	fb_report_format(prev, sizeof prev, row, 1, 0);
	fb_report_format(growth, sizeof growth, row, 3, 0);
	snprintf(nums, sizeof nums, "%14s %14s %10s", cur, prev, growth);
	w = fb_text_cols(nums);
	if (w > cols - 10)
		w = cols - 10;
	tui_put(c->t, y, 0, 2, "", TUI_NORMAL, 1);
	tui_put(c->t, y, 2, cols - 2 - w, row->metric_label, TUI_NORMAL, 1);
	tui_put(c->t, y, cols - w, w, nums + (fb_text_cols(nums) - w), TUI_NORMAL, 1);
}

/* key label | bar | cur (prev) */
static void bar_line(struct cursor *c, const struct fb_report_row *row, int64_t max)
{
	char cur[64], prev[64], value[160], bar[1024];
	int y, cols = c->t->cols, kw = cols / 4, vw, bw, n, i;
	size_t used = 0;

	if (!visible(c, &y))
		return;
	if (kw > 22)
		kw = 22;
	fb_report_format(cur, sizeof cur, row, 0, 0);
	fb_report_format(prev, sizeof prev, row, 1, 0);
	snprintf(value, sizeof value, " %s (%s)", cur, prev);
	vw = fb_text_cols(value);
	bw = cols - 4 - kw - vw;
	if (bw < 1)
		bw = 1;
	n = max > 0 && row->cur > 0 ? (int)((row->cur * bw + max - 1) / max) : 0;
	if (n > bw)
		n = bw;
	for (i = 0; i < n && used + 4 < sizeof bar; i++) {
		const char *block = c->t->ascii ? "#" : "\xe2\x96\x88"; /* U+2588 FULL BLOCK */
		memcpy(bar + used, block, strlen(block));
		used += strlen(block);
	}
	bar[used] = '\0';
	tui_put(c->t, y, 0, 4, "", TUI_NORMAL, 1);
	tui_put(c->t, y, 4, kw, row->key_label, TUI_NORMAL, 1);
	tui_put(c->t, y, 4 + kw, n, bar, TUI_MARK, 0);
	tui_put(c->t, y, 4 + kw + n, cols - 4 - kw - n, value, TUI_NORMAL, 1);
}

static void report_draw(struct tui *t, struct tui_screen *s)
{
	struct report_screen *r = s->data;
	struct cursor c = {t, 0, 0, 1, t->rows - 3};
	char title[256], hints[256];
	size_t i, j;

	snprintf(hints, sizeof hints, _("%s/%s previous/next period  %s month, quarter or year  %s back  %s help"),
		 tui_key_for(CTX_REPORT, ACT_PERIOD_PREV), tui_key_for(CTX_REPORT, ACT_PERIOD_NEXT),
		 tui_key_for(CTX_REPORT, ACT_PERIOD_UNIT), tui_key_for(CTX_REPORT, ACT_BACK),
		 tui_key_for(CTX_REPORT, ACT_HELP));
	if (r->rep)
		snprintf(title, sizeof title, _("Report %s to %s, against %s to %s"), r->rep->period.from,
			 r->rep->period.to, r->rep->previous.from, r->rep->previous.to);
	else
		snprintf(title, sizeof title, "%s", _("Report"));
	tui_frame(t, title, hints);
	if (r->scroll > r->nlines - c.height)
		r->scroll = r->nlines - c.height > 0 ? r->nlines - c.height : 0;
	c.scroll = r->scroll;
	for (i = 0; r->rep && i < r->rep->nrows; i = j) {
		const struct fb_report_row *row = &r->rep->rows[i];
		int64_t max = 0;
		if (i == 0 || strcmp(row->section, r->rep->rows[i - 1].section)) {
			char heads[200];
			int y, w;
			snprintf(heads, sizeof heads, "%14s %14s %10s", _("This period"), _("Previous"), _("Growth"));
			w = fb_text_cols(heads);
			if (visible(&c, &y)) {
				tui_put(t, y, 0, t->cols, row->section_label, TUI_BOLD, 1);
				if (w < t->cols - 10)
					tui_put(t, y, t->cols - w, w, heads, TUI_BOLD, 1);
			}
		}
		for (j = i; j < r->rep->nrows && !strcmp(r->rep->rows[j].metric, row->metric); j++)
			if (r->rep->rows[j].cur > max)
				max = r->rep->rows[j].cur;
		if (!*row->key) {
			total_line(&c, row);
			continue;
		}
		{
			char head[256];
			snprintf(head, sizeof head, "  %s", row->metric_label);
			line(&c, head, TUI_NORMAL);
		}
		for (; i < j; i++)
			bar_line(&c, &r->rep->rows[i], max);
	}
	for (; c.n < c.scroll + c.height;)
		line(&c, "", TUI_NORMAL);
	r->nlines = c.n;
}

static void report_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct report_screen *r = s->data;
	int page = t->rows - 4 > 1 ? t->rows - 4 : 1;

	(void)ch;
	(void)is_key;
	switch (a) {
	case ACT_UP:
		if (r->scroll > 0)
			r->scroll--;
		break;
	case ACT_DOWN:
		r->scroll++;
		break;
	case ACT_PAGE_UP:
		r->scroll = r->scroll > page ? r->scroll - page : 0;
		break;
	case ACT_PAGE_DOWN:
		r->scroll += page;
		break;
	case ACT_FIRST:
		r->scroll = 0;
		break;
	case ACT_PERIOD_PREV:
		shift(r, -1);
		compute(t, r);
		break;
	case ACT_PERIOD_NEXT:
		shift(r, 1);
		compute(t, r);
		break;
	case ACT_PERIOD_UNIT:
		r->unit = (r->unit + 1) % 3;
		if (r->unit == UNIT_QUARTER)
			r->month = (r->month - 1) / 3 * 3 + 1;
		if (r->unit == UNIT_YEAR)
			r->month = 1;
		compute(t, r);
		break;
	case ACT_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static void report_free(struct tui_screen *s)
{
	struct report_screen *r = s->data;

	if (r)
		fb_report_free(r->rep);
	free(r);
}

static const struct tui_screen_ops report_ops = {"report", CTX_REPORT, report_draw, report_key, report_free,
						 NULL};

void tui_report_open(struct tui *t)
{
	struct report_screen *r = calloc(1, sizeof *r);
	char today[16];

	if (!r)
		return;
	fb_clock_today(today, sizeof today);
	r->unit = UNIT_YEAR;
	r->year = atoi(today);
	r->month = 1;
	compute(t, r);
	tui_push(t, &report_ops, r);
}
