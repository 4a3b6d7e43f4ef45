/* tui_help.c - the help screen, generated from the action table (tui layer). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "tui.h"

static const struct {
	unsigned ctx;
	const char *title;
} sections[] = {
	{CTX_GLOBAL, N_("Everywhere")},  {CTX_HOME, N_("Home")},     {CTX_LIST, N_("Lists")},
	{CTX_RECORD, N_("Record")},      {CTX_HISTORY, N_("History")}, {CTX_FORM, N_("Forms")},
	{CTX_PICKER, N_("Choice lists")}, {CTX_PROMPT, N_("Questions")}, {CTX_SYNC, N_("Sync")},
	{CTX_REVIEW, N_("Review")},      {CTX_REPORT, N_("Report")},
};

struct help {
	int top;
};

/* Calls line(ctx, text, is_heading) for every line of the help text. */
static void help_lines(void (*line)(void *ctx, const char *text, int heading), void *ctx)
{
	size_t i;
	const struct tui_action_def *a, *b;
	char buf[256];

	for (i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		line(ctx, _(sections[i].title), 1);
		for (a = tui_actions; a->action != ACT_NONE; a++) {
			int seen = 0;
			if (!(a->contexts & sections[i].ctx))
				continue;
			/* one line per key, first binding of a key only */
			for (b = tui_actions; b < a; b++)
				if ((b->contexts & sections[i].ctx) && !strcmp(b->key_name, a->key_name) &&
				    b->action == a->action)
					seen = 1;
			if (seen)
				continue;
			snprintf(buf, sizeof buf, "  %-10s %s", a->key_name, _(a->help));
			line(ctx, buf, 0);
		}
	}
}

struct draw_ctx {
	struct tui *t;
	int n, top, y;
};

static void draw_line(void *ctx, const char *text, int heading)
{
	struct draw_ctx *d = ctx;

	if (d->n++ < d->top || d->y >= d->t->rows - 2)
		return;
	tui_put(d->t, d->y++, 0, d->t->cols, text, heading ? TUI_BOLD : TUI_NORMAL, 1);
}

static void count_line(void *ctx, const char *text, int heading)
{
	(*(int *)ctx)++;
}

static void help_draw(struct tui *t, struct tui_screen *s)
{
	struct help *h = s->data;
	struct draw_ctx d = {t, 0, h->top, 1};
	char hints[128];

	snprintf(hints, sizeof hints, _("%s back  %s/%s scroll"), tui_key_for(CTX_HELP, ACT_BACK),
		 tui_key_for(CTX_HELP, ACT_UP), tui_key_for(CTX_HELP, ACT_DOWN));
	tui_frame(t, _("fieldbook - keys"), hints);
	help_lines(draw_line, &d);
}

static void help_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct help *h = s->data;
	int total = 0, page = t->rows - 3;

	help_lines(count_line, &total);
	if (a == ACT_BACK || a == ACT_HELP)
		tui_pop(t);
	else if (a == ACT_DOWN && h->top + page < total)
		h->top++;
	else if (a == ACT_UP && h->top > 0)
		h->top--;
	else if (a == ACT_PAGE_DOWN)
		h->top = h->top + page < total ? h->top + page : h->top;
	else if (a == ACT_PAGE_UP)
		h->top = h->top > page ? h->top - page : 0;
	else if (a == ACT_FIRST)
		h->top = 0;
}

static void help_free(struct tui_screen *s)
{
	free(s->data);
}

static const struct tui_screen_ops help_ops = {"help", CTX_HELP, help_draw, help_key, help_free, NULL};

void tui_help_open(struct tui *t)
{
	struct help *h = calloc(1, sizeof *h);

	if (h)
		tui_push(t, &help_ops, h);
}

static void print_line(void *ctx, const char *text, int heading)
{
	fprintf(ctx, heading ? "%s:\n" : "%s\n", text);
}

void tui_print_keys(FILE *out)
{
	help_lines(print_line, out);
}
