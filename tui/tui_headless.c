/* tui_headless.c - the terminal interface without a terminal, for tests (tui layer).
 *
 * `fieldbook screen --size COLSxROWS --keys SCRIPT` runs the real TUI on a curses screen
 * whose output goes to /dev/null, feeds it the keys of SCRIPT, and prints the screen cell
 * by cell (a double-width character once, its second cell skipped) at every <Dump> and
 * at the end.  Script: every character is typed as itself (one keystroke each); special
 * keys are written in angle brackets:
 *   <Enter> <Tab> <S-Tab> <Esc> <Space> <Backspace> <Delete> <Up> <Down> <Left> <Right>
 *   <Home> <End> <PgUp> <PgDn> <F1>..<F12> <C-a>..<C-z> <Lt> (a literal '<')
 *   <Resize COLSxROWS>  resize the terminal        <Dump>  print the screen now
 * Each dump starts with a line "--- screen COLSxROWS cursor ROW,COL ---".  A malformed script is an error naming the position. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "tui.h"

enum { EV_CHAR, EV_KEY, EV_RESIZE, EV_DUMP };

struct event {
	int type;
	wint_t ch;
	int cols, rows;
};

struct script {
	struct event *ev;
	size_t n, at;
	FILE *out;
	int cursor_y, cursor_x;
};

static const struct {
	const char *name;
	int type;
	int code;
} names[] = {
	{"Enter", EV_CHAR, '\r'},    {"Tab", EV_CHAR, '\t'},         {"S-Tab", EV_KEY, KEY_BTAB},
	{"Esc", EV_CHAR, 27},        {"Space", EV_CHAR, ' '},        {"Backspace", EV_KEY, KEY_BACKSPACE},
	{"Delete", EV_KEY, KEY_DC},  {"Up", EV_KEY, KEY_UP},         {"Down", EV_KEY, KEY_DOWN},
	{"Left", EV_KEY, KEY_LEFT},  {"Right", EV_KEY, KEY_RIGHT},   {"Home", EV_KEY, KEY_HOME},
	{"End", EV_KEY, KEY_END},    {"PgUp", EV_KEY, KEY_PPAGE},    {"PgDn", EV_KEY, KEY_NPAGE},
	{"Lt", EV_CHAR, '<'},
};

static int add(struct script *s, struct event e)
{
	if (s->n % 64 == 0) {
		struct event *n2 = realloc(s->ev, (s->n + 64) * sizeof *n2);
		if (!n2)
			return -1;
		s->ev = n2;
	}
	s->ev[s->n++] = e;
	return 0;
}

/* Parses keys into s; on error prints a message naming the position and returns -1. */
static int parse(struct script *s, const char *keys)
{
	size_t len = strlen(keys), i = 0, k;

	while (i < len) {
		struct event e = {EV_CHAR, 0, 0, 0};
		if (keys[i] == '<') {
			const char *end = strchr(keys + i, '>');
			char name[64];
			size_t nl;
			int f;
			if (!end || (nl = (size_t)(end - keys - i - 1)) >= sizeof name) {
				fprintf(stderr, _("fieldbook: key script: unclosed '<' at byte %zu (write <Lt> for '<')\n"), i);
				return -1;
			}
			memcpy(name, keys + i + 1, nl);
			name[nl] = '\0';
			i += nl + 2;
			for (k = 0; k < sizeof names / sizeof names[0]; k++)
				if (!strcmp(name, names[k].name))
					break;
			if (k < sizeof names / sizeof names[0]) {
				e.type = names[k].type;
				e.ch = (wint_t)names[k].code;
			} else if (sscanf(name, "F%d", &f) == 1 && f >= 1 && f <= 12) {
				e.type = EV_KEY;
				e.ch = (wint_t)KEY_F(f);
			} else if (strlen(name) == 3 && !strncmp(name, "C-", 2) && name[2] >= 'a' && name[2] <= 'z') {
				e.ch = (wint_t)(name[2] - 'a' + 1);
			} else if (sscanf(name, "Resize %dx%d", &e.cols, &e.rows) == 2 && e.cols > 0 &&
				   e.rows > 0 && e.cols < 1000 && e.rows < 1000) {
				e.type = EV_RESIZE;
			} else if (!strcmp(name, "Dump")) {
				e.type = EV_DUMP;
			} else {
				fprintf(stderr, _("fieldbook: key script: unknown key <%s>\n"), name);
				return -1;
			}
		} else {
			uint32_t cp;
			i += fb_utf8_decode(keys + i, len - i, &cp);
			e.ch = (wint_t)cp;
		}
		if (add(s, e) < 0)
			return -1;
	}
	return 0;
}

static void dump(struct tui *t, FILE *out)
{
	int y, x, cy, cx;
	char enc[8];

	getyx(stdscr, cy, cx);
	fprintf(out, "--- screen %dx%d cursor %d,%d ---\n", t->cols, t->rows, cy, cx);
	for (y = 0; y < t->rows; y++) {
		for (x = 0; x < t->cols; x++) {
			cchar_t cc;
			wchar_t wch[CCHARW_MAX + 1] = {0};
			attr_t attrs;
			short pair;
			int w;
			if (mvwin_wch(stdscr, y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR ||
			    !wch[0]) {
				fputc(' ', out);
				continue;
			}
			w = wcwidth(wch[0]);
			if (wch[0] >= 0x80 || w != 1) {
				fwrite(enc, 1, fb_utf8_encode((uint32_t)wch[0], enc), out);
			} else
				fputc((int)wch[0], out);
			if (w == 2)
				x++;
		}
		fputc('\n', out);
	}
	fflush(out);
	move(cy, cx);
}

int tui_headless_next(struct tui *t, wint_t *ch)
{
	struct script *s = t->script;

	while (s->at < s->n) {
		struct event *e = &s->ev[s->at++];
		switch (e->type) {
		case EV_DUMP:
			dump(t, s->out);
			continue;
		case EV_RESIZE:
			resizeterm(e->rows, e->cols);
			*ch = KEY_RESIZE;
			return 1;
		case EV_KEY:
			*ch = e->ch;
			return 1;
		default:
			*ch = e->ch;
			return 0;
		}
	}
	return -1;
}

int tui_run_headless(struct fb_store *store, int cols, int rows, const char *keys, FILE *out)
{
	struct tui t;
	struct script s = {0};
	FILE *devnull_out = NULL, *devnull_in = NULL;
	SCREEN *scr = NULL;
	int rc = 1;

	memset(&t, 0, sizeof t);
	if (parse(&s, keys ? keys : "") < 0)
		goto cleanup;
	devnull_out = fopen("/dev/null", "w");
	devnull_in = fopen("/dev/null", "r");
	if (!devnull_out || !devnull_in)
		goto cleanup;
	if (!(scr = newterm("xterm-256color", devnull_out, devnull_in)) &&
	    !(scr = newterm("xterm", devnull_out, devnull_in))) {
		fprintf(stderr, "%s", _("fieldbook: no terminfo entry for xterm (install ncurses-base)\n"));
		goto cleanup;
	}
	set_term(scr);
	resizeterm(rows, cols);
	s.out = out;
	t.store = store;
	t.headless = 1;
	t.script = &s;
	tui_setup_curses(&t);
	tui_home_open(&t);
	tui_loop(&t);
	if (!t.quit) {
		tui_draw_all(&t);
		dump(&t, out);
	}
	tui_close(&t);
	endwin();
	rc = 0;
cleanup:
	if (scr)
		delscreen(scr);
	if (devnull_out)
		fclose(devnull_out);
	if (devnull_in)
		fclose(devnull_in);
	free(s.ev);
	return rc;
}
