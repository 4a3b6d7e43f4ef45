/* tui_prompt.c - one-line questions at the bottom of the screen (tui layer).
 *
 * The prompt is a screen of its own on top of the stack: it draws the screen below it
 * first, then the question line, so what the user was looking at stays visible. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "tui.h"

struct prompt {
	char *question;
	struct tui_line line;
	int yes_no;
	void (*done)(struct tui *t, void *ctx, const char *text);
	void *ctx;
};

static void prompt_draw(struct tui *t, struct tui_screen *s)
{
	struct prompt *p = s->data;
	int qcols;

	if (s->below)
		s->below->ops->draw(t, s->below);
	curs_set(0);
	qcols = tui_cols(p->question) + 1;
	if (qcols > t->cols / 2 && !p->yes_no)
		qcols = t->cols / 2;
	tui_put(t, t->rows - 1, 0, t->cols, "", TUI_NORMAL, 1);
	tui_put(t, t->rows - 1, 0, qcols, p->question, TUI_BOLD, 1);
	if (p->yes_no) {
		move(t->rows - 1, qcols < t->cols ? qcols : t->cols - 1);
		curs_set(1);
	} else
		tui_line_draw(t, &p->line, t->rows - 1, qcols, t->cols - qcols, 1);
}

static void finish(struct tui *t, struct tui_screen *s, const char *answer)
{
	struct prompt *p = s->data;
	void (*done)(struct tui *, void *, const char *) = p->done;
	void *ctx = p->ctx;
	char *copy = answer ? strdup(answer) : NULL;

	tui_pop(t); /* frees p */
	if (done)
		done(t, ctx, copy);
	free(copy);
}

static void prompt_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct prompt *p = s->data;

	if (p->yes_no) {
		if (!is_key && (ch == 'y' || ch == 'Y' || ch == 0x662f /* 是 */))
			finish(t, s, "y");
		else if (a == ACT_BACK || (!is_key && (ch == 'n' || ch == 'N' || ch == 0x5426 /* 否 */)))
			finish(t, s, NULL);
		return;
	}
	if (a == ACT_BACK)
		finish(t, s, NULL);
	else if (a == ACT_ACCEPT)
		finish(t, s, p->line.text ? p->line.text : "");
	else
		tui_line_key(&p->line, a, is_key, ch);
}

static void prompt_free(struct tui_screen *s)
{
	struct prompt *p = s->data;

	free(p->question);
	tui_line_free(&p->line);
	free(p);
}

static const struct tui_screen_ops prompt_ops = {"prompt", CTX_PROMPT, prompt_draw, prompt_key,
						 prompt_free, NULL};

static void open_prompt(struct tui *t, const char *question, const char *initial, int yes_no,
			void (*done)(struct tui *t, void *ctx, const char *text), void *ctx)
{
	struct prompt *p = calloc(1, sizeof *p);

	if (!p || !(p->question = strdup(question))) {
		free(p);
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	tui_line_set(&p->line, initial ? initial : "");
	p->yes_no = yes_no;
	p->done = done;
	p->ctx = ctx;
	tui_push(t, &prompt_ops, p);
}

void tui_prompt(struct tui *t, const char *question, const char *initial,
		void (*done)(struct tui *t, void *ctx, const char *text), void *ctx)
{
	open_prompt(t, question, initial, 0, done, ctx);
}

void tui_confirm(struct tui *t, const char *question,
		 void (*done)(struct tui *t, void *ctx, const char *text), void *ctx)
{
	open_prompt(t, question, NULL, 1, done, ctx);
}
