/* tui_actions.c - the one action table of the terminal interface (tui layer).
 *
 * It drives key dispatch (tui_action_for), the key hints (tui_key_for), the help screen
 * and `fieldbook help keys`, from which the man page's KEYS section is checked.  Control
 * keys are written as their character code (^S is 19). */
#include <curses.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "tui.h"

#define LISTS (CTX_HOME | CTX_LIST | CTX_RECORD | CTX_HELP | CTX_HISTORY | CTX_SYNC | CTX_REVIEW)
#define TEXT (CTX_FORM | CTX_PROMPT | CTX_PICKER)

const struct tui_action_def tui_actions[] = {
	{ACT_HELP, CTX_GLOBAL, KEY_F(1), "F1", "help", N_("show the keys")},
	{ACT_HELP, CTX_HOME | CTX_LIST | CTX_RECORD | CTX_HISTORY | CTX_SYNC | CTX_REVIEW, '?', "?", "help", N_("show the keys")},
	{ACT_BACK, CTX_GLOBAL, 27, "Esc", "back", N_("back, or cancel (asks before losing changes)")},
	{ACT_BACK, LISTS, 'q', "q", "back", N_("back; on the home screen: quit")},
	{ACT_QUIT, CTX_HOME | CTX_LIST | CTX_RECORD | CTX_HISTORY | CTX_HELP | CTX_SYNC | CTX_REVIEW, 'Q', "Q", "quit",
	 N_("quit fieldbook")},
	{ACT_UP, LISTS | CTX_PICKER, KEY_UP, "Up", "up", N_("move up")},
	{ACT_UP, LISTS, 'k', "k", "up", N_("move up")},
	{ACT_DOWN, LISTS | CTX_PICKER, KEY_DOWN, "Down", "down", N_("move down")},
	{ACT_DOWN, LISTS, 'j', "j", "down", N_("move down")},
	{ACT_PAGE_UP, LISTS | CTX_PICKER | CTX_FORM, KEY_PPAGE, "PgUp", "page-up", N_("previous page")},
	{ACT_PAGE_DOWN, LISTS | CTX_PICKER | CTX_FORM, KEY_NPAGE, "PgDn", "page-down", N_("next page")},
	{ACT_PAGE_DOWN, CTX_LIST | CTX_HELP | CTX_HISTORY, ' ', "Space", "page-down", N_("next page")},
	{ACT_FIRST, LISTS, 'g', "g", "first", N_("go to the first line")},
	{ACT_OPEN, CTX_HOME | CTX_LIST | CTX_RECORD, '\n', "Enter", "open", N_("open the selected kind or record")},
	{ACT_SEARCH, CTX_HOME | CTX_LIST, '/', "/", "search",
	 N_("search by name, ID number, mobile (or its last 4 digits) or words")},
	{ACT_NEW, CTX_HOME | CTX_LIST, 'n', "n", "new",
	 N_("new record (on the home screen: sign up a person)")},
	{ACT_SYNC, CTX_HOME, 'S', "S", "sync", N_("sync with every remote (or write a bundle)")},
	{ACT_SYNC, CTX_SYNC, '\n', "Enter", "sync", N_("sync with the selected remote (the first line: every remote)")},
	{ACT_BUNDLE_WRITE, CTX_SYNC, 'b', "b", "write-bundle", N_("write a bundle file, for a computer without a network")},
	{ACT_BUNDLE_READ, CTX_SYNC, 'r', "r", "read-bundle", N_("read a bundle file")},
	{ACT_REVIEW, CTX_HOME, 'R', "R", "review", N_("review conflicts, possible duplicates, alarms and devices")},
	{ACT_OPEN, CTX_REVIEW, '\n', "Enter", "decide",
	 N_("resolve the conflict, merge the duplicate pair, or show what to do")},
	{ACT_REVIEW_NEXT, CTX_REVIEW, '\t', "Tab", "next-queue", N_("next queue (or 1-4)")},
	{ACT_ACK, CTX_REVIEW, 'a', "a", "acknowledge", N_("acknowledge the selected alarm")},
	{ACT_MARK, CTX_REVIEW, 'm', "m", "mark-reviewed", N_("set the review mark: new records are counted from now")},
	{ACT_OPEN_RECORD, CTX_REVIEW, 'o', "o", "open-record", N_("open the record of the selected line")},
	{ACT_REPORT, CTX_HOME, 'r', "r", "report", N_("the period report: this year against last year, bar charts and monthly trend")},
	{ACT_PERIOD_PREV, CTX_REPORT, KEY_LEFT, "Left", "previous-period", N_("the previous period")},
	{ACT_PERIOD_NEXT, CTX_REPORT, KEY_RIGHT, "Right", "next-period", N_("the next period")},
	{ACT_PERIOD_UNIT, CTX_REPORT, 't', "t", "period-unit", N_("switch the period between month, quarter and year")},
	{ACT_UP, CTX_REPORT, KEY_UP, "Up", "up", N_("move up")},
	{ACT_DOWN, CTX_REPORT, KEY_DOWN, "Down", "down", N_("move down")},
	{ACT_PAGE_UP, CTX_REPORT, KEY_PPAGE, "PgUp", "page-up", N_("previous page")},
	{ACT_PAGE_DOWN, CTX_REPORT, KEY_NPAGE, "PgDn", "page-down", N_("next page")},
	{ACT_PAGE_DOWN, CTX_REPORT, ' ', "Space", "page-down", N_("next page")},
	{ACT_FIRST, CTX_REPORT, 'g', "g", "first", N_("go to the first line")},
	{ACT_BACK, CTX_REPORT, 'q', "q", "back", N_("back")},
	{ACT_HELP, CTX_REPORT, '?', "?", "help", N_("show the keys")},
	{ACT_QUIT, CTX_REPORT, 'Q', "Q", "quit", N_("quit fieldbook")},
	{ACT_EDIT, CTX_RECORD, 'e', "e", "edit", N_("edit the record")},
	{ACT_ADD_NOTE, CTX_RECORD, 'a', "a", "add-note", N_("add a note to the record")},
	{ACT_HISTORY, CTX_RECORD, 'h', "h", "history", N_("history of every field: value, who, when, device")},
	{ACT_NEW_LINKED, CTX_RECORD, 'c', "c", "new-consultation", N_("new consultation for this person")},
	{ACT_REVEAL, CTX_RECORD | CTX_HISTORY, 'v', "v", "reveal", N_("show or mask full ID numbers, mobiles and sensitive text (asks the reason for the audit trail once operators are set up)")},
	{ACT_LOCK, CTX_HOME | CTX_LIST | CTX_RECORD | CTX_HISTORY, 'L', "L", "lock",
	 N_("lock now: the key is wiped until the passphrase is typed again")},
	{ACT_FILTER_STATUS, CTX_LIST, 's', "s", "filter-status", N_("filter the list by status")},
	{ACT_FILTER_DATE, CTX_LIST, 'd', "d", "filter-date", N_("filter the list by date (YYYY, YYYY-MM or a day)")},
	{ACT_CLEAR_FILTERS, CTX_LIST, 'x', "x", "clear-filters", N_("clear the filters")},
	{ACT_SAVE, CTX_FORM, 19, "^S", "save", N_("save the form")},
	{ACT_SAVE, CTX_FORM, KEY_F(2), "F2", "save", N_("save the form")},
	{ACT_NEXT_FIELD, CTX_FORM, '\t', "Tab", "next-field", N_("next field (checks the one you leave)")},
	{ACT_NEXT_FIELD, CTX_FORM, KEY_DOWN, "Down", "next-field", N_("next field")},
	{ACT_PREV_FIELD, CTX_FORM, KEY_BTAB, "S-Tab", "previous-field", N_("previous field")},
	{ACT_PREV_FIELD, CTX_FORM, KEY_UP, "Up", "previous-field", N_("previous field")},
	{ACT_PICK, CTX_FORM, '\n', "Enter", "pick", N_("choose from the list (choice and reference fields); else next field")},
	{ACT_OPEN_MATCH, CTX_FORM, KEY_F(3), "F3", "open-match", N_("open the person already registered with this ID number or mobile")},
	{ACT_ACCEPT, CTX_PICKER | CTX_PROMPT, '\n', "Enter", "accept", N_("accept")},
	{ACT_ACCEPT, CTX_PICKER, '\t', "Tab", "accept", N_("accept")},
	{ACT_TOGGLE, CTX_PICKER, ' ', "Space", "toggle", N_("select or unselect (several choices)")},
	{ACT_LEFT, TEXT, KEY_LEFT, "Left", "left", N_("cursor one character left")},
	{ACT_RIGHT, TEXT, KEY_RIGHT, "Right", "right", N_("cursor one character right")},
	{ACT_LINE_START, TEXT, KEY_HOME, "Home", "line-start", N_("cursor to the start")},
	{ACT_LINE_START, TEXT, 1, "^A", "line-start", N_("cursor to the start")},
	{ACT_LINE_END, TEXT, KEY_END, "End", "line-end", N_("cursor to the end")},
	{ACT_LINE_END, TEXT, 5, "^E", "line-end", N_("cursor to the end")},
	{ACT_BACKSPACE, TEXT, KEY_BACKSPACE, "Backspace", "backspace", N_("delete the character before the cursor")},
	{ACT_BACKSPACE, TEXT, 127, "Backspace", "backspace", N_("delete the character before the cursor")},
	{ACT_BACKSPACE, TEXT, 8, "^H", "backspace", N_("delete the character before the cursor")},
	{ACT_DELETE_CHAR, TEXT, KEY_DC, "Delete", "delete", N_("delete the character under the cursor")},
	{ACT_CLEAR_FIELD, TEXT, 21, "^U", "clear", N_("clear the field")},
	{ACT_NONE, 0, 0, NULL, NULL, NULL},
};

enum tui_action tui_action_for(unsigned context, int is_key, wint_t key)
{
	const struct tui_action_def *a;
	int k = (int)key;

	if (!is_key && key == '\r')
		k = '\n';
	if (is_key && key == KEY_ENTER)
		k = '\n';
	/* A key code and a character never collide: KEY_* codes are above 0400, and a
	 * character above that is text. */
	if (!is_key && key >= 0x100)
		return ACT_NONE;
	for (a = tui_actions; a->action != ACT_NONE; a++)
		if ((a->contexts & (context | CTX_GLOBAL)) && a->key == k &&
		    (is_key ? k >= KEY_MIN : k < KEY_MIN))
			return a->action;
	/* Esc and Enter are characters (27, 10) also when get_wch calls them keys. */
	return ACT_NONE;
}

const char *tui_key_for(unsigned context, enum tui_action action)
{
	const struct tui_action_def *a;

	for (a = tui_actions; a->action != ACT_NONE; a++)
		if (a->action == action && (a->contexts & (context | CTX_GLOBAL)))
			return a->key_name;
	return "";
}
