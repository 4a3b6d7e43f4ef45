/* tui_home.c - the home screen: record kinds with their counts (tui layer).
 *
 * Enter opens a kind's list; `n` starts the one-minute sign-up (a new person); `/`
 * searches everything; `S` opens the sync screen. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "fieldbook/i18n.h"
#include "tui.h"

/* The kinds on the home screen, in the order field teams use them. */
static const char *const home_kinds[] = {"person", "visit", "consultation", "case", "request",
					 "demand", "assistance", "site", "service", "team"};
#define NKINDS (sizeof home_kinds / sizeof home_kinds[0])

struct home {
	int sel;
};

static void home_draw(struct tui *t, struct tui_screen *s)
{
	struct home *h = s->data;
	char hints[256], line[160];
	size_t i;

	snprintf(hints, sizeof hints, _("%s open  %s sign up  %s search  %s sync  %s review  %s help  %s quit"),
		 tui_key_for(CTX_HOME, ACT_OPEN), tui_key_for(CTX_HOME, ACT_NEW),
		 tui_key_for(CTX_HOME, ACT_SEARCH), tui_key_for(CTX_HOME, ACT_SYNC),
		 tui_key_for(CTX_HOME, ACT_REVIEW), tui_key_for(CTX_HOME, ACT_HELP),
		 tui_key_for(CTX_HOME, ACT_QUIT));
	tui_frame(t, _("fieldbook - union field records"), hints);
	for (i = 0; i < NKINDS && (int)i + 2 < t->rows - 2; i++) {
		const struct fb_kind *k = fb_kind_find(home_kinds[i]);
		int64_t n = 0;
		struct fb_error err = {0};
		fb_count(t->store, k->name, &n, &err);
		snprintf(line, sizeof line, " %2zu  %s", i + 1, fb_kind_label(k));
		tui_put(t, (int)i + 2, 0, t->cols - 12, line, (int)i == h->sel ? TUI_REVERSE : TUI_NORMAL, 1);
		snprintf(line, sizeof line, "%10lld ", (long long)n);
		tui_put(t, (int)i + 2, t->cols - 12, 12, line, (int)i == h->sel ? TUI_REVERSE : TUI_NORMAL, 1);
	}
}

static void home_search_done(struct tui *t, void *ctx, const char *text)
{
	if (text && *text)
		tui_search_open(t, NULL, text);
}

static void home_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct home *h = s->data;

	switch (a) {
	case ACT_UP:
		if (h->sel > 0)
			h->sel--;
		break;
	case ACT_DOWN:
		if (h->sel + 1 < (int)NKINDS)
			h->sel++;
		break;
	case ACT_FIRST:
		h->sel = 0;
		break;
	case ACT_OPEN:
		tui_list_open(t, fb_kind_find(home_kinds[h->sel]));
		break;
	case ACT_NEW:
		tui_form_open(t, fb_kind_find("person"), NULL, NULL, 0);
		break;
	case ACT_SEARCH:
		tui_prompt(t, _("Search:"), "", home_search_done, NULL);
		break;
	case ACT_SYNC:
		tui_sync_open(t);
		break;
	case ACT_REPORT:
		tui_report_open(t);
		break;
	case ACT_REVIEW:
		tui_review_open(t);
		break;
	case ACT_BACK:
		/* q quits from home; Esc (pressed once too often) stays */
		if (!is_key && ch == 'q')
			t->quit = 1;
		break;
	default:
		if (!is_key && ch >= '1' && ch <= '9' && (size_t)(ch - '1') < NKINDS)
			tui_list_open(t, fb_kind_find(home_kinds[ch - '1']));
		break;
	}
}

static void home_free(struct tui_screen *s)
{
	free(s->data);
}

static const struct tui_screen_ops home_ops = {"home", CTX_HOME, home_draw, home_key, home_free, NULL};

void tui_home_open(struct tui *t)
{
	struct home *h = calloc(1, sizeof *h);

	if (h)
		tui_push(t, &home_ops, h);
}
