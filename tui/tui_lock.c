/* tui_lock.c - the lock screen of the terminal interface: the lock key, the idle lock,
 * and unlocking again with a passphrase (tui layer).
 *
 * In privacy mode (unlock.h) the TUI locks after lock.idle seconds without a key, or at
 * once on the lock key: the key ring is wiped (fb_lock), the unlock session removed, and
 * this screen covers everything until an operator of this computer types their
 * passphrase.  When another operator unlocks, every screen of the previous one is closed
 * (nothing they revealed is shown to the next), and the home screen opens. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fieldbook/crypto.h"
#include "fieldbook/i18n.h"
#include "fieldbook/unlock.h"
#include "tui.h"

struct lock_screen {
	struct tui_line pass;
	char operator_name[FB_OPERATOR_NAME_MAX + 1];
	int failures;
};

static void lock_draw(struct tui *t, struct tui_screen *s)
{
	struct lock_screen *l = s->data;
	char stars[130];
	size_t n = 0, i;
	int y = 2;

	erase();
	tui_frame(t, _("fieldbook: locked"), _("type the passphrase, then Enter"));
	y = tui_wrap(t, y, _("Locked: the key is wiped from memory.  Personal data stays encrypted until an "
			     "operator of this computer types their passphrase."),
		     TUI_NORMAL);
	y++;
	tui_put(t, y++, 2, t->cols - 4, l->operator_name[0] ? l->operator_name : "", TUI_DIM, 1);
	for (i = 0; l->pass.text && l->pass.text[i] && n < sizeof stars - 1; i++)
		if (((unsigned char)l->pass.text[i] & 0xC0) != 0x80)
			stars[n++] = '*';
	stars[n] = '\0';
	tui_put(t, y, 2, 14, _("Passphrase:"), TUI_BOLD, 1);
	tui_put(t, y, 17, t->cols - 19 > 0 ? t->cols - 19 : 1, stars, TUI_NORMAL, 1);
	move(y, 17 + (int)(n < (size_t)(t->cols - 19) ? n : 0));
}

static void wipe_line(struct tui_line *l)
{
	if (l->text)
		fb_crypto_wipe(l->text, l->cap ? l->cap : strlen(l->text));
	tui_line_set(l, "");
}

static void lock_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct lock_screen *l = s->data;
	struct fb_error err = {0};
	int other;

	switch (a) {
	case ACT_ACCEPT:
		if (fb_unlock(t->store, l->pass.text ? l->pass.text : "", l->operator_name, &err) < 0) {
			wipe_line(&l->pass);
			l->failures++;
			tui_message(t, 1, "%s", _("wrong passphrase"));
			return;
		}
		wipe_line(&l->pass);
		other = strcmp(l->operator_name, fb_store_operator(t->store)) != 0;
		if (other) { /* nothing of the previous operator stays on screen */
			while (t->top)
				tui_pop(t);
			tui_home_open(t);
		} else
			tui_pop(t);
		tui_message(t, 0, _("unlocked as %s (%s)"), fb_store_operator(t->store),
			    fb_role_name(fb_role_current()));
		return;
	case ACT_BACK:
		return; /* a lock screen is not left by Esc */
	default:
		tui_line_key(&l->pass, a, is_key, ch);
	}
}

static void lock_free(struct tui_screen *s)
{
	struct lock_screen *l = s->data;

	if (!l)
		return;
	if (l->pass.text)
		fb_crypto_wipe(l->pass.text, l->pass.cap ? l->pass.cap : strlen(l->pass.text));
	tui_line_free(&l->pass);
	free(l);
}

static const struct tui_screen_ops lock_ops = {
	"lock", CTX_PROMPT, lock_draw, lock_key, lock_free, NULL,
};

int tui_is_locked(struct tui *t)
{
	return t->top && t->top->ops == &lock_ops;
}

void tui_lock(struct tui *t)
{
	struct lock_screen *l;

	if (!fb_unlock_required()) {
		tui_message(t, 0, "%s", _("No operators are set up on this computer: nothing to lock "
					  "(fieldbook key create sets them up)"));
		return;
	}
	if (tui_is_locked(t))
		return;
	if (!(l = calloc(1, sizeof *l))) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	snprintf(l->operator_name, sizeof l->operator_name, "%s", fb_store_operator(t->store));
	tui_line_set(&l->pass, "");
	fb_session_end(t->store, NULL);
	fb_lock();
	tui_push(t, &lock_ops, l);
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

int tui_getkey_idle(struct tui *t, wint_t *ch)
{
	static int64_t last;
	int64_t idle = cli_idle_seconds();
	struct termios tio;
	int r;

	if (!last)
		last = now_s();
	timeout(1000);
	for (;;) {
		r = get_wch(ch);
		if (r != ERR)
			break;
		if (tcgetattr(STDIN_FILENO, &tio) < 0)
			return -1; /* the terminal went away */
		if (!tui_is_locked(t) && now_s() - last >= idle) {
			tui_lock(t);
			tui_draw_all(t);
		}
	}
	last = now_s();
	return r == KEY_CODE_YES ? 1 : 0;
}
