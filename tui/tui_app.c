/* tui_app.c - the terminal interface's main loop, screen stack, resizing, the
 * too-small screen, and restoring the terminal on every exit path (tui layer).
 *
 * Contract: no curses call ever runs in a signal handler.  Resizes arrive as KEY_RESIZE
 * from get_wch (ncurses handles SIGWINCH itself); crash and termination signals restore
 * the terminal with write(2) and tcsetattr only, then re-raise. */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "fieldbook/unlock.h"
#include "tui.h"

int tui_locale_ascii;

void tui_push(struct tui *t, const struct tui_screen_ops *ops, void *data)
{
	struct tui_screen *s = calloc(1, sizeof *s);

	if (!s) {
		tui_message(t, 1, "%s", _("out of memory"));
		if (ops->free)
			ops->free(&(struct tui_screen){ops, NULL, data});
		return;
	}
	s->ops = ops;
	s->data = data;
	s->below = t->top;
	t->top = s;
}

void tui_pop(struct tui *t)
{
	struct tui_screen *s = t->top;

	if (!s)
		return;
	t->top = s->below;
	if (s->ops->free)
		s->ops->free(s);
	free(s);
}

int tui_wrap(struct tui *t, int y, const char *text, int style)
{
	const char *p = text;

	while (*p && y < t->rows) {
		size_t n = 0, brk = 0, len = strlen(p);
		int used = 0;
		char line[512];
		while (n < len) {
			uint32_t cp;
			size_t k = fb_utf8_decode(p + n, len - n, &cp);
			int w = fb_cp_cols(cp);
			if (used + w > t->cols)
				break;
			used += w;
			n += k;
			if (cp == ' ' || w == 2) /* break after a space or between Han characters */
				brk = n;
		}
		if (n < len && brk)
			n = brk;
		if (n == 0)
			break;
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		tui_put(t, y++, 0, t->cols, line, style, 1);
		p += n;
		while (*p == ' ')
			p++;
	}
	return y;
}

static int too_small(const struct tui *t)
{
	return t->rows < TUI_MIN_ROWS || t->cols < TUI_MIN_COLS;
}

void tui_draw_all(struct tui *t)
{
	erase();
	curs_set(0);
	if (too_small(t)) {
		char msg[160];
		snprintf(msg, sizeof msg, _("Terminal too small: %dx%d, fieldbook needs %dx%d. Make the window larger."),
			 t->cols, t->rows, TUI_MIN_COLS, TUI_MIN_ROWS);
		tui_wrap(t, 0, msg, TUI_BOLD);
	} else if (t->top) {
		t->top->ops->draw(t, t->top);
	}
	refresh();
}

static int any_dirty(struct tui *t)
{
	struct tui_screen *s;

	for (s = t->top; s; s = s->below)
		if (s->ops->dirty && s->ops->dirty(s))
			return 1;
	return 0;
}

static void quit_confirmed(struct tui *t, void *ctx, const char *answer)
{
	if (answer)
		t->quit = 1;
}

int tui_loop(struct tui *t)
{
	while (!t->quit && t->top) {
		wint_t ch = 0;
		int r;
		enum tui_action a;

		getmaxyx(stdscr, t->rows, t->cols);
		tui_draw_all(t);
		r = tui_getkey(t, &ch);
		if (r < 0)
			break;
		if (r == 1 && ch == KEY_RESIZE) {
			getmaxyx(stdscr, t->rows, t->cols);
			continue;
		}
		if (too_small(t)) {
			if (r == 0 && ch == 'Q')
				t->quit = 1;
			continue;
		}
		t->message[0] = '\0';
		a = tui_action_for(t->top->ops->context, r == 1, ch);
		if (a == ACT_QUIT) {
			if (any_dirty(t))
				tui_confirm(t, _("Quit and lose the changes you typed? (y/n)"), quit_confirmed, NULL);
			else
				t->quit = 1;
			continue;
		}
		if (a == ACT_HELP && t->top->ops->context != CTX_HELP) {
			tui_help_open(t);
			continue;
		}
		if (a == ACT_LOCK) {
			tui_lock(t);
			continue;
		}
		t->top->ops->key(t, t->top, a, r == 1, ch);
	}
	return 0;
}

void tui_close(struct tui *t)
{
	while (t->top)
		tui_pop(t);
}

void tui_setup_curses(struct tui *t)
{
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(40);
	t->ascii = tui_locale_ascii;
	t->color = 0;
	if (has_colors() && !getenv("NO_COLOR")) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_WHITE, COLOR_BLUE);
		init_pair(3, COLOR_YELLOW, -1);
		t->color = 1;
	}
	getmaxyx(stdscr, t->rows, t->cols);
}

int tui_getkey(struct tui *t, wint_t *ch)
{
	int r;

	if (t->headless)
		return tui_headless_next(t, ch);
	if (fb_unlock_required())
		return tui_getkey_idle(t, ch); /* privacy mode: the idle lock (tui_lock.c) */
	r = get_wch(ch);

	if (r == ERR)
		return -1;
	return r == KEY_CODE_YES ? 1 : 0;
}

/* ---- restoring the terminal ---- */

static struct termios saved_tty;
static int have_tty;
static char restore_seq[256];
static size_t restore_len;

static void add_cap(const char *name)
{
	const char *s = tigetstr((char *)name);

	if (s && s != (char *)-1 && restore_len + strlen(s) < sizeof restore_seq) {
		memcpy(restore_seq + restore_len, s, strlen(s));
		restore_len += strlen(s);
	}
}

static void restore_terminal_signal_safe(void)
{
	if (restore_len)
		(void)!write(STDOUT_FILENO, restore_seq, restore_len);
	if (have_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void on_fatal_signal(int sig)
{
	restore_terminal_signal_safe();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_exit_restore(void)
{
	if (!isendwin())
		endwin();
}

int tui_run(struct fb_store *store)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM, SIGHUP, SIGQUIT};
	struct tui t;
	SCREEN *scr;
	size_t i;

	memset(&t, 0, sizeof t);
	t.store = store;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s", _("fieldbook: the terminal interface needs a terminal; "
					"the commands work without one (fieldbook help)\n"));
		return 1;
	}
	have_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, _("fieldbook: cannot use the terminal type '%s'; set TERM (e.g. xterm-256color)\n"),
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	set_term(scr);
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmcup");
	atexit(on_exit_restore);
	for (i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
		signal(fatal[i], on_fatal_signal);
	tui_setup_curses(&t);
	tui_home_open(&t);
	tui_loop(&t);
	tui_close(&t);
	endwin();
	delscreen(scr);
	return 0;
}
