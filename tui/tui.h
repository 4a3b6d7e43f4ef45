/* tui.h - what the terminal interface's files share (tui layer).
 *
 * The TUI is a stack of screens over one struct tui.  Each screen draws itself
 * completely (draw) and handles one key at a time (key).  Keys are first looked up in
 * the action table (tui_actions.c), which also drives the help screen and the man page
 * check; printable characters reach form fields and prompts as text.  Drawing goes
 * through tui_draw.c so that every string is cut and padded by terminal columns, never
 * splits a double-width character, and shows invalid bytes as U+FFFD.  The same program
 * runs headless (tui_headless.c): keys from a script, the screen dumped cell by cell. */
#ifndef FIELDBOOK_TUI_H
#define FIELDBOOK_TUI_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <wchar.h>

#include "fieldbook/store.h"

#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10

/* Contexts: which screens an action applies to (bit mask). */
enum {
	CTX_GLOBAL = 1 << 0,
	CTX_HOME = 1 << 1,
	CTX_LIST = 1 << 2,
	CTX_RECORD = 1 << 3,
	CTX_FORM = 1 << 4,
	CTX_PICKER = 1 << 5,
	CTX_PROMPT = 1 << 6,
	CTX_HELP = 1 << 7,
	CTX_HISTORY = 1 << 8,
	CTX_SYNC = 1 << 9,
	CTX_REVIEW = 1 << 10,
	CTX_REPORT = 1 << 11
};

enum tui_action {
	ACT_NONE = 0,
	ACT_QUIT,
	ACT_HELP,
	ACT_BACK,
	ACT_UP,
	ACT_DOWN,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_FIRST,
	ACT_OPEN,
	ACT_SEARCH,
	ACT_NEW,
	ACT_EDIT,
	ACT_ADD_NOTE,
	ACT_HISTORY,
	ACT_FILTER_STATUS,
	ACT_FILTER_DATE,
	ACT_CLEAR_FILTERS,
	ACT_NEW_LINKED,
	ACT_SAVE,
	ACT_NEXT_FIELD,
	ACT_PREV_FIELD,
	ACT_PICK,
	ACT_OPEN_MATCH,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_LINE_START,
	ACT_LINE_END,
	ACT_BACKSPACE,
	ACT_DELETE_CHAR,
	ACT_CLEAR_FIELD,
	ACT_TOGGLE,
	ACT_ACCEPT,
	ACT_REVEAL,
	ACT_SYNC,
	ACT_BUNDLE_WRITE,
	ACT_BUNDLE_READ,
	ACT_REVIEW,
	ACT_REVIEW_NEXT,
	ACT_ACK,
	ACT_MARK,
	ACT_OPEN_RECORD,
	ACT_REPORT,
	ACT_PERIOD_PREV,
	ACT_PERIOD_NEXT,
	ACT_PERIOD_UNIT,
	ACT_LOCK
};

struct tui_action_def {
	enum tui_action action;
	unsigned contexts; /* CTX_* mask */
	int key;           /* a curses KEY_* code, or a character (control keys as 1..31) */
	const char *key_name; /* as shown in help and the man page: "Tab", "^S", "/" */
	const char *name;     /* stable name: "save", "next-field" */
	const char *help;     /* one line, English msgid */
};

extern const struct tui_action_def tui_actions[]; /* terminated by action ACT_NONE */

/* The action bound to key (is_key: a KEY_* code from get_wch) in context, or ACT_NONE. */
enum tui_action tui_action_for(unsigned context, int is_key, wint_t key);
/* The key name of the first binding of action in context (for hints), or "". */
const char *tui_key_for(unsigned context, enum tui_action action);

struct tui;
struct tui_screen;

struct tui_screen_ops {
	const char *name;
	unsigned context;
	void (*draw)(struct tui *t, struct tui_screen *s);
	/* Handles one key (action already looked up; ACT_NONE for text).  */
	void (*key)(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch);
	void (*free)(struct tui_screen *s);
	/* Optional: 1 when leaving would lose typed data (the form). */
	int (*dirty)(struct tui_screen *s);
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	struct tui_screen *below;
	void *data;
};

struct tui {
	struct fb_store *store;
	struct tui_screen *top;
	int rows, cols;     /* current terminal size */
	int ascii;          /* ASCII drawing (no UTF-8 locale) */
	int color;          /* colours allowed (terminal has them, NO_COLOR unset) */
	int quit;           /* leave the main loop */
	char message[512];  /* one-line message for the status line, cleared on next key */
	int message_error;  /* draw the message as an error */
	int headless;
	void *script; /* headless key script state */
};

/* Screen stack. push takes ownership of data (freed by ops->free). */
void tui_push(struct tui *t, const struct tui_screen_ops *ops, void *data);
void tui_pop(struct tui *t);
/* Sets the status-line message (printf-style). */
void tui_message(struct tui *t, int is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- drawing (tui_draw.c) ---- */
enum { TUI_NORMAL, TUI_BOLD, TUI_REVERSE, TUI_DIM, TUI_ERROR, TUI_TITLE, TUI_MARK };
/* Draws s at (y, x) cut or padded to exactly cols columns (pad: fill with spaces). */
void tui_put(struct tui *t, int y, int x, int cols, const char *s, int style, int pad);
/* Like tui_put, but s is wider than cols: shows the columns from scroll_cols on.  Returns
 * the column on screen of byte offset cursor_bytes (for placing the cursor), or -1. */
int tui_put_scrolled(struct tui *t, int y, int x, int cols, const char *s, int scroll_cols,
		     size_t cursor_bytes, int style);
/* A horizontal rule across the screen (ACS line, or '-' when ASCII). */
void tui_rule(struct tui *t, int y);
/* The title bar (row 0) and the status bar (last row): operator, device, unsynced
 * changes, open conflicts, and the message or key hints. */
void tui_frame(struct tui *t, const char *title, const char *hints);
/* Draws text word-wrapped by columns from row y; returns the next free row. */
int tui_wrap(struct tui *t, int y, const char *text, int style);
/* Columns of s as the screen draws it. */
int tui_cols(const char *s);

/* ---- input (tui_app.c) ---- */
/* The next key: 0 (OK, a character in *ch) or 1 (KEY_CODE_YES, a KEY_* in *ch), -1 when
 * the input (a headless script) is exhausted. */
int tui_getkey(struct tui *t, wint_t *ch);

/* ---- one-line prompt (tui_prompt.c) ---- */
/* Pushes a prompt screen; done(t, ctx, text) is called with the entered text (NULL when
 * cancelled) after the prompt is popped. */
void tui_prompt(struct tui *t, const char *question, const char *initial,
		void (*done)(struct tui *t, void *ctx, const char *text), void *ctx);
/* A yes/no question; done gets text "y" or NULL. */
void tui_confirm(struct tui *t, const char *question,
		 void (*done)(struct tui *t, void *ctx, const char *text), void *ctx);

/* ---- line editing (tui_edit.c): a UTF-8 buffer edited by characters ---- */
struct tui_line {
	char *text;   /* NUL-terminated UTF-8 */
	size_t len;   /* bytes */
	size_t cap;
	size_t cursor;/* byte offset, always at a character boundary */
	int scroll;   /* first visible column */
};
void tui_line_set(struct tui_line *l, const char *text);
void tui_line_free(struct tui_line *l);
/* Applies an editing action or inserts ch (ACT_NONE).  Returns 1 if the text changed. */
int tui_line_key(struct tui_line *l, enum tui_action a, int is_key, wint_t ch);
/* Draws the line in cols columns at (y, x), scrolling so the cursor is visible, and
 * places the terminal cursor there when focused. */
void tui_line_draw(struct tui *t, struct tui_line *l, int y, int x, int cols, int focused);

/* ---- screens ---- */
void tui_home_open(struct tui *t);
void tui_list_open(struct tui *t, const struct fb_kind *kind);
void tui_search_open(struct tui *t, const char *kind, const char *text);
void tui_record_open(struct tui *t, const char *id);
/* A form for a new record of kind (prefill: optional FIELD=VALUE pairs, e.g. the person
 * of a new consultation), or for editing record id (kind NULL). */
void tui_form_open(struct tui *t, const struct fb_kind *kind, const char *edit_id,
		   const struct fb_kv *prefill, size_t nprefill);
void tui_help_open(struct tui *t);
/* tui_lock.c: lock now (privacy mode), whether the lock screen is on top, and the key
 * reader that locks after lock.idle seconds without a key. */
void tui_lock(struct tui *t);
int tui_is_locked(struct tui *t);
int tui_getkey_idle(struct tui *t, wint_t *ch);
/* The sync screen (tui_sync.c): the remotes of the configuration file, sync one or all,
 * write or read a bundle file. */
void tui_sync_open(struct tui *t);
/* The report screen (tui_report.c): this year against last year as bar charts and a
 * monthly trend; Left/Right change the period, t the unit. */
void tui_report_open(struct tui *t);
/* The review screen (tui_review.c): conflicts, possible duplicates, alarms, devices. */
void tui_review_open(struct tui *t);
/* The help screen's text on out (`fieldbook help keys`; the man page is checked against it). */
void tui_print_keys(FILE *out);
/* A picker over choices of field (multi: several), calls done with the codes chosen
 * (comma-joined) or NULL when cancelled.  filter: initial type-to-filter text. */
void tui_picker_open(struct tui *t, const struct fb_field *field, const char *current,
		     const char *filter, void (*done)(struct tui *t, void *ctx, const char *codes),
		     void *ctx);
/* A picker of records of kind by search, calls done with the chosen id or NULL. */
void tui_record_picker_open(struct tui *t, const char *kind, const char *filter,
			    void (*done)(struct tui *t, void *ctx, const char *id), void *ctx);

/* Set by main() when the user's locale is not UTF-8: draw in ASCII. */
extern int tui_locale_ascii;

/* Main loop over the screen stack until quit or (headless) the keys run out. */
int tui_loop(struct tui *t);
/* Pops (and frees) every screen. */
void tui_close(struct tui *t);
/* Draws the top screen, or the too-small screen. */
void tui_draw_all(struct tui *t);
/* Sets up colours and input modes on the current curses screen. */
void tui_setup_curses(struct tui *t);

/* The next scripted key in headless mode (same results as tui_getkey). */
int tui_headless_next(struct tui *t, wint_t *ch);

/* Runs the TUI on the real terminal; returns the exit status. */
int tui_run(struct fb_store *store);
/* Runs headless: size "COLSxROWS", keys in the script language of tui_headless.c; the
 * screen is dumped to out at every <Dump> and at the end. */
int tui_run_headless(struct fb_store *store, int cols, int rows, const char *keys, FILE *out);

#endif
