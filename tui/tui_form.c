/* tui_form.c - the record form: one screen generated from the field table of a kind, for
 * a new record or an edit of an existing one (tui layer).
 *
 * Every row comes from the kind's fields (schema.c): label, a '*' for required fields,
 * the value being edited, and an inline message under the field.  Nothing here knows a
 * particular kind beyond what the table says (plus the system field merged_into, which is
 * never shown, and the id_type / gender / birth_date names core itself uses to derive
 * gender and birth date from a resident ID).
 *
 * Values: text fields are edited by characters (struct tui_line); choice, bool and
 * reference fields keep their stored codes / record ids in the same buffer and show
 * labels / record titles, and are changed through the pickers (tui_picker.c).  Leaving a
 * field checks it with the core parser (fb_value_parse) and, for ID numbers and mobiles,
 * looks for a person already registered with them.  Saving hands the values to
 * fb_record_add / fb_record_edit, which validate everything again; their error names the
 * field, which gets the message and the focus. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/catalogue.h"
#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"
#include "fieldbook/store.h"
#include "fieldbook/text.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "tui.h"

#define MIN_AGE_PERSON 16 /* as core checks a person's resident ID on save */
#define WRAP_MAX 4        /* message lines under the focused field */
#define SEG_CAP 1024

enum { MSG_NONE, MSG_ERROR, MSG_WARN, MSG_MATCH };

struct ffield {
	const struct fb_field *def;
	struct tui_line line; /* typed text; codes or record ids for picker fields */
	char *orig;           /* text at the start: dirty and changed-field checks */
	char *display;        /* REF/REFS: titles of the ids */
	char *msg;
	int msg_kind;
	int protect;          /* edit: a masked/sensitive stored value, shown masked until typed over */
	int resolved;         /* a conflicted field whose value the user picked */
	int fresh;            /* new form: still the default value; typing replaces it */
	size_t nconf;         /* conflicting values (> 1 when conflicted) */
	struct fb_choice *conf_choices; /* the values as choices for the picker */
	struct fb_field conf_field;
	size_t ncat;                    /* catalogue-fed text field: the entries offered */
	struct fb_choice *cat_choices;
	struct fb_field cat_field;
};

struct form {
	const struct fb_kind *kind;
	char edit_id[FB_ID_LEN + 1]; /* "" for a new record */
	char *title;                 /* edit: the record's title */
	struct ffield *f;
	size_t n;
	size_t focus;
	int top;                     /* first layout line shown */
	size_t pick;                 /* the field an open picker fills */
	int pick_conflict;
	char match_id[FB_ID_LEN + 1];/* a person already registered with this ID/mobile */
	size_t match_field;
	char ovr_field[FB_ERROR_FIELD_MAX];
	char *ovr_reason;
};

/* ---------------------------------------------------------------- small helpers */

static const char *ftext(const struct ffield *ff)
{
	return ff->line.text ? ff->line.text : "";
}

static int editable(const struct ffield *ff)
{
	return !(ff->def->flags & FB_F_DERIVED);
}

static int is_ref(const struct fb_field *def)
{
	return def->type == FB_T_REF || def->type == FB_T_REFS;
}

static int is_picker(const struct fb_field *def)
{
	return def->type == FB_T_CHOICE || def->type == FB_T_MULTI || def->type == FB_T_BOOL ||
	       is_ref(def);
}

static int conflicted(const struct ffield *ff)
{
	return ff->nconf > 1 && !ff->resolved;
}

static void set_msg(struct ffield *ff, int kind, const char *msg)
{
	free(ff->msg);
	ff->msg = kind != MSG_NONE && msg ? strdup(msg) : NULL;
	ff->msg_kind = ff->msg ? kind : MSG_NONE;
}

static struct ffield *find_ffield(struct form *fm, const char *name, size_t *index)
{
	const struct fb_field *def = fb_field_find(fm->kind, name);
	size_t i;

	for (i = 0; def && i < fm->n; i++)
		if (fm->f[i].def == def) {
			if (index)
				*index = i;
			return &fm->f[i];
		}
	return NULL;
}

static int printable(int is_key, wint_t ch)
{
	return !is_key && ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0);
}

/* A record's title as users see it (a choice title becomes its label). */
static char *record_title(struct tui *t, const char *id)
{
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	const struct fb_field *tf;
	char *s;

	if (fb_record_get(&r, t->store, id, &err) < 0 || !r->title || !*r->title) {
		fb_record_free(r);
		return strdup(id);
	}
	tf = fb_kind_title_field(r->kind);
	s = tf ? fb_value_display(tf, r->title, FB_SHOW_MASKED) : strdup(r->title);
	fb_record_free(r);
	return s;
}

/* REF/REFS: the titles of the ids, comma-separated. */
static void refresh_display(struct tui *t, struct ffield *ff)
{
	char *work, *tok, *save = NULL, *res;
	size_t used = 0, cap = 64;

	if (!is_ref(ff->def))
		return;
	free(ff->display);
	ff->display = NULL;
	work = strdup(ftext(ff));
	res = malloc(cap);
	if (!work || !res) {
		free(work);
		free(res);
		return;
	}
	res[0] = '\0';
	for (tok = strtok_r(work, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *title = record_title(t, tok);
		size_t need = (title ? strlen(title) : 0) + 4;
		if (used + need >= cap) {
			char *n2 = realloc(res, cap = cap * 2 + need);
			if (!n2)
				break;
			res = n2;
		}
		used += (size_t)snprintf(res + used, cap - used, "%s%s", used ? ", " : "",
					 title ? title : tok);
		free(title);
	}
	free(work);
	ff->display = res;
}

static void set_text(struct tui *t, struct ffield *ff, const char *s)
{
	tui_line_set(&ff->line, s ? s : "");
	refresh_display(t, ff);
}

/* Stored form -> what the user edits: money in yuan, items with yuan unit costs. */
static char *items_editable(const char *stored)
{
	size_t cap = strlen(stored) * 2 + 64, used = 0;
	char *res = malloc(cap), *work = strdup(stored), *tok, *save = NULL;

	if (!res || !work) {
		free(res);
		free(work);
		return NULL;
	}
	res[0] = '\0';
	for (tok = strtok_r(work, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *at = strrchr(tok, '@'), money[32] = "";
		long long fen = 0;
		while (*tok == ' ')
			tok++;
		if (at) {
			*at = '\0';
			fen = strtoll(at + 1, NULL, 10);
			fb_format_money(money, sizeof money, fen);
		}
		used += (size_t)snprintf(res + used, cap - used, "%s%s%s%s", used ? "; " : "", tok,
					 fen ? "@" : "", fen ? money : "");
	}
	free(work);
	return res;
}

static char *to_editable(const struct fb_field *def, const char *stored)
{
	char buf[32];

	if (!stored)
		return strdup("");
	if (def->type == FB_T_MONEY && *stored) {
		fb_format_money(buf, sizeof buf, strtoll(stored, NULL, 10));
		return strdup(buf);
	}
	if (def->type == FB_T_ITEMS && *stored)
		return items_editable(stored);
	return strdup(stored);
}

/* Lines of at most width columns (breaking at a space when there is one); returns the
 * count, at most max. */
static int wrap_text(const char *s, int width, char segs[][SEG_CAP], int max)
{
	size_t len = strlen(s), i = 0;
	int n = 0;

	if (width < 4)
		width = 4;
	while (i < len && n < max) {
		size_t start = i, brk = 0, j = i, end, cut;
		int col = 0;
		while (j < len) {
			uint32_t cp;
			size_t k = fb_utf8_decode(s + j, len - j, &cp);
			int w = fb_cp_cols(cp);
			if (col + w > width)
				break;
			if (cp == ' ')
				brk = j;
			col += w;
			j += k;
		}
		end = (j < len && brk > start) ? brk : j;
		cut = end - start < SEG_CAP - 1 ? end - start : SEG_CAP - 1;
		memcpy(segs[n], s + start, cut);
		segs[n][cut] = '\0';
		n++;
		i = end;
		while (i < len && s[i] == ' ')
			i++;
	}
	return n;
}

/* ---------------------------------------------------------------- derived values, checks */

/* 1 when the record's ID number is a resident ID (or a HK/Macao/Taiwan permit), as core
 * decides it: id_type empty, "resident" or "hkmt_permit". */
static int id_is_resident(struct form *fm)
{
	struct ffield *idt = find_ffield(fm, "id_type", NULL);
	const char *v = idt ? ftext(idt) : "";

	return !*v || !strcmp(v, "resident") || !strcmp(v, "hkmt_permit");
}

/* Shows gender and birth date as core will derive them from the ID number typed. */
static void preview_derived(struct form *fm)
{
	struct ffield *idf = NULL, *g = find_ffield(fm, "gender", NULL),
		      *b = find_ffield(fm, "birth_date", NULL);
	struct fb_resident_id rid;
	char today[16];
	size_t i;

	for (i = 0; i < fm->n; i++)
		if (fm->f[i].def->type == FB_T_IDNUMBER)
			idf = &fm->f[i];
	if (!idf || idf->protect)
		return;
	if (g && editable(g))
		g = NULL; /* only derived fields are filled in */
	if (b && editable(b))
		b = NULL;
	fb_clock_today(today, sizeof today);
	if (*ftext(idf) && id_is_resident(fm) &&
	    fb_validate_resident_id(&rid, ftext(idf), today, 0, idf->def->name, NULL) == 0) {
		if (g)
			tui_line_set(&g->line, rid.male ? "male" : "female");
		if (b)
			tui_line_set(&b->line, rid.birth_date);
	} else {
		if (g)
			tui_line_set(&g->line, g->orig ? g->orig : "");
		if (b)
			tui_line_set(&b->line, b->orig ? b->orig : "");
	}
}

struct dup_search {
	const char *field;
	const char *self;
	char id[FB_ID_LEN + 1];
	char *title;
};

static int dup_cb(const struct fb_row *row, void *ctx)
{
	struct dup_search *d = ctx;

	if (!row->match || strcmp(row->match, d->field) || !strcmp(row->id, d->self))
		return 0;
	snprintf(d->id, sizeof d->id, "%s", row->id);
	d->title = strdup(row->title ? row->title : "");
	return 1;
}

/* Looks for another record registered with this ID number or mobile. */
static void check_duplicate(struct tui *t, struct form *fm, size_t i, const char *norm)
{
	struct ffield *ff = &fm->f[i];
	struct dup_search d = {ff->def->name, fm->edit_id, "", NULL};
	struct fb_error err = {0};
	char msg[512];

	if (fb_search(t->store, norm, fm->kind->name, 0, 20, dup_cb, &d, &err) < 0 || !d.title) {
		if (fm->match_id[0] && fm->match_field == i)
			fm->match_id[0] = '\0';
		free(d.title);
		return;
	}
	memcpy(fm->match_id, d.id, sizeof fm->match_id);
	fm->match_field = i;
	snprintf(msg, sizeof msg, _("already registered: %s (id %.8s) - %s opens it"), d.title, d.id,
		 tui_key_for(CTX_FORM, ACT_OPEN_MATCH));
	set_msg(ff, MSG_MATCH, msg);
	tui_message(t, 0, "%s", msg);
	free(d.title);
}

/* The check when the user leaves a field: the core parser, the resident ID rules, the
 * duplicate search.  Codes and dates are shown normalised afterwards. */
static void leave_field(struct tui *t, struct form *fm, size_t i)
{
	struct ffield *ff = &fm->f[i];
	const struct fb_field *def = ff->def;
	struct fb_error err = {0};
	char today[16], *out = NULL;
	int rc;

	if (!editable(ff) || ff->protect || is_picker(def))
		return;
	if (ff->msg_kind != MSG_NONE)
		set_msg(ff, MSG_NONE, NULL);
	if (!*ftext(ff)) {
		if (fm->match_id[0] && fm->match_field == i)
			fm->match_id[0] = '\0';
		if (def->type == FB_T_IDNUMBER)
			preview_derived(fm);
		return;
	}
	fb_clock_today(today, sizeof today);
	rc = fb_value_parse(&out, def, ftext(ff), today, &err);
	if (rc < 0 && rc != FB_EWARN) {
		set_msg(ff, MSG_ERROR, err.message);
		free(out);
		return;
	}
	if (out && strcmp(out, ftext(ff)) &&
	    (def->type == FB_T_IDNUMBER || def->type == FB_T_MOBILE || def->type == FB_T_USCC ||
	     def->type == FB_T_DATE))
		tui_line_set(&ff->line, out);
	if (rc == FB_EWARN) {
		char buf[FB_ERROR_MESSAGE_MAX + 128];
		snprintf(buf, sizeof buf, "%s %s", err.message, _("(saving asks for a reason)"));
		set_msg(ff, MSG_WARN, buf);
	}
	if (def->type == FB_T_IDNUMBER) {
		preview_derived(fm);
		if (id_is_resident(fm)) {
			struct fb_resident_id rid;
			int min_age = !strcmp(fm->kind->name, "person") ? MIN_AGE_PERSON : 0;
			if (fb_validate_resident_id(&rid, out, today, min_age, def->name, &err) < 0) {
				set_msg(ff, MSG_ERROR, err.message);
				free(out);
				return;
			}
		}
	}
	if ((def->type == FB_T_IDNUMBER || def->type == FB_T_MOBILE) && out && *out)
		check_duplicate(t, fm, i, out);
	free(out);
}

/* After the text of field i changed: stale messages, matches and overrides go. */
static void changed(struct tui *t, struct form *fm, size_t i)
{
	struct ffield *ff = &fm->f[i];

	if (ff->msg_kind != MSG_NONE)
		set_msg(ff, MSG_NONE, NULL);
	if (fm->match_id[0] && fm->match_field == i)
		fm->match_id[0] = '\0';
	if (fm->ovr_reason && !strcmp(fm->ovr_field, ff->def->name)) {
		free(fm->ovr_reason);
		fm->ovr_reason = NULL;
		fm->ovr_field[0] = '\0';
	}
	if (ff->def->type == FB_T_IDNUMBER || !strcmp(ff->def->name, "id_type"))
		preview_derived(fm);
	refresh_display(t, ff);
}

/* ---------------------------------------------------------------- layout and drawing */

enum { VL_FIELD, VL_MSG, VL_CONF };

struct vline {
	size_t field;
	int type;
	int sub;
};

static int body_rows(struct tui *t)
{
	return t->rows - 3; /* title row; status and hint rows */
}

static int msg_width(struct tui *t)
{
	return t->cols - 3;
}

/* Lines a field's message may take: all of it for the focused field and for a match. */
static int msg_max(struct form *fm, size_t i)
{
	return i == fm->focus || fm->f[i].msg_kind == MSG_MATCH ? WRAP_MAX : 1;
}

static int msg_lines(struct tui *t, struct form *fm, size_t i)
{
	static char segs[WRAP_MAX][SEG_CAP];
	struct ffield *ff = &fm->f[i];

	if (ff->msg_kind == MSG_NONE)
		return 0;
	return wrap_text(ff->msg, msg_width(t), segs, msg_max(fm, i));
}

/* The lines of the whole form (malloc'd, *n entries). */
static struct vline *layout(struct tui *t, struct form *fm, size_t *n)
{
	size_t cap = 0, i, k = 0;
	struct vline *v;

	for (i = 0; i < fm->n; i++)
		cap += 1 + WRAP_MAX + (conflicted(&fm->f[i]) ? fm->f[i].nconf : 0);
	v = calloc(cap + 1, sizeof *v);
	if (!v) {
		*n = 0;
		return NULL;
	}
	for (i = 0; i < fm->n; i++) {
		int m = msg_lines(t, fm, i), j;
		v[k++] = (struct vline){i, VL_FIELD, 0};
		for (j = 0; j < m; j++)
			v[k++] = (struct vline){i, VL_MSG, j};
		if (conflicted(&fm->f[i]))
			for (j = 0; j < (int)fm->f[i].nconf; j++)
				v[k++] = (struct vline){i, VL_CONF, j};
	}
	*n = k;
	return v;
}

/* Scrolls so that the focused field and its message lines are on screen. */
static void scroll_to_focus(struct tui *t, struct form *fm, const struct vline *v, size_t n)
{
	int h = body_rows(t), first = -1, last = -1, k;

	for (k = 0; k < (int)n; k++)
		if (v[k].field == fm->focus) {
			if (first < 0)
				first = k;
			last = k;
		}
	if (first < 0 || h <= 0)
		return;
	if (fm->top > (int)n - h)
		fm->top = (int)n - h;
	if (last >= fm->top + h)
		fm->top = last - h + 1;
	if (first < fm->top)
		fm->top = first;
	if (fm->top < 0)
		fm->top = 0;
}

static int label_cols(struct tui *t, struct form *fm)
{
	int w = 0, cap = t->cols / 3;
	size_t i;

	for (i = 0; i < fm->n; i++) {
		int c = tui_cols(fb_field_label(fm->f[i].def));
		if (c > w)
			w = c;
	}
	if (cap < 6)
		cap = 6;
	return w < cap ? w : cap;
}

/* A catalogue-fed field while empty and focused: the hint that Enter offers the entries. */
static int draw_catalogue_hint(struct tui *t, struct form *fm, size_t i, int y, int x, int w)
{
	struct ffield *ff = &fm->f[i];

	if (!ff->ncat || i != fm->focus || *ftext(ff) || ff->protect || !editable(ff))
		return 0;
	tui_put(t, y, x, w, _("type, or Enter to choose from the list"), TUI_DIM, 1);
	return 1;
}

static void draw_value(struct tui *t, struct form *fm, size_t i, int y, int x, int w)
{
	struct ffield *ff = &fm->f[i];
	const struct fb_field *def = ff->def;
	char *shown = NULL;
	int style = editable(ff) ? TUI_NORMAL : TUI_DIM;

	if (ff->protect) {
		shown = fb_value_display(def, ftext(ff), FB_SHOW_MASKED);
		style = TUI_DIM;
	} else if (is_ref(def)) {
		shown = strdup(ff->display ? ff->display : "");
	} else if (is_picker(def) || !editable(ff)) {
		shown = fb_value_display(def, ftext(ff), FB_SHOW_UNMASKED);
	} else {
		tui_line_draw(t, &ff->line, y, x, w, 0);
		return;
	}
	if (shown && !*shown && i == fm->focus && editable(ff)) {
		free(shown);
		shown = strdup(is_ref(def) ? _("type to search or Enter")
					   : _("type to filter or Enter"));
		style = TUI_DIM;
	}
	tui_put(t, y, x, w, shown ? shown : "", style, 1);
	free(shown);
}


static void form_draw(struct tui *t, struct tui_screen *s)
{
	struct form *fm = s->data;
	char title[512], hints[512], segs[WRAP_MAX][SEG_CAP];
	int h = body_rows(t), labw, valx, valw, y, focus_y = -1, k;
	struct vline *v;
	size_t n = 0;

	if (fm->edit_id[0])
		snprintf(title, sizeof title, _("Edit %s: %s"), fb_kind_label(fm->kind),
			 fm->title ? fm->title : fm->edit_id);
	else
		snprintf(title, sizeof title, _("New %s"), fb_kind_label(fm->kind));
	snprintf(hints, sizeof hints, "%s %s  %s %s  %s %s  %s %s%s%s%s%s",
		 tui_key_for(CTX_FORM, ACT_SAVE), _("save"), tui_key_for(CTX_FORM, ACT_BACK), _("back"),
		 tui_key_for(CTX_FORM, ACT_NEXT_FIELD), _("next"), tui_key_for(CTX_FORM, ACT_PICK),
		 _("choose"), fm->match_id[0] ? "  " : "",
		 fm->match_id[0] ? tui_key_for(CTX_FORM, ACT_OPEN_MATCH) : "", fm->match_id[0] ? " " : "",
		 fm->match_id[0] ? _("open match") : "");
	tui_frame(t, title, hints);
	for (y = 1; y < 1 + h; y++)
		tui_put(t, y, 0, t->cols, "", TUI_NORMAL, 1);
	if (h <= 0 || t->cols < 10)
		return;
	labw = label_cols(t, fm);
	valx = labw + 3;
	valw = t->cols - valx - 1;
	v = layout(t, fm, &n);
	if (!v)
		return;
	scroll_to_focus(t, fm, v, n);
	for (k = fm->top, y = 1; k < (int)n && y < 1 + h; k++, y++) {
		struct ffield *ff = &fm->f[v[k].field];
		int focused = v[k].field == fm->focus;
		if (v[k].type == VL_FIELD) {
			tui_put(t, y, 0, labw, fb_field_label(ff->def),
				focused ? TUI_REVERSE : editable(ff) ? TUI_NORMAL : TUI_DIM, 1);
			if (ff->def->flags & FB_F_REQUIRED)
				tui_put(t, y, labw + 1, 1, "*", TUI_MARK, 0);
			if (conflicted(ff))
				tui_put(t, y, labw + 2, 1, "!", TUI_ERROR, 0);
			draw_value(t, fm, v[k].field, y, valx, valw);
			if (focused)
				focus_y = y;
		} else if (v[k].type == VL_MSG) {
			int m = wrap_text(ff->msg, msg_width(t), segs, msg_max(fm, v[k].field));
			if (v[k].sub < m)
				tui_put(t, y, 2, msg_width(t), segs[v[k].sub],
					ff->msg_kind == MSG_ERROR ? TUI_ERROR : TUI_MARK, 1);
		} else {
			char line[SEG_CAP];
			snprintf(line, sizeof line, "%s %d: %s", _("value"), v[k].sub + 1,
				 ff->conf_choices[v[k].sub].en);
			tui_put(t, y, valx, valw, line, TUI_MARK, 1);
		}
	}
	if (fm->top > 0)
		tui_put(t, 1, t->cols - 1, 1, "^", TUI_DIM, 0);
	if (k < (int)n)
		tui_put(t, h, t->cols - 1, 1, "v", TUI_DIM, 0);
	free(v);
	if (focus_y >= 0) {
		struct ffield *ff = &fm->f[fm->focus];
		if (!is_picker(ff->def) && !ff->protect && editable(ff)) {
			if (ff->ncat && !*ftext(ff)) /* keeps the hint, cursor at the start */
				draw_catalogue_hint(t, fm, fm->focus, focus_y, valx, valw);
			else
				tui_line_draw(t, &ff->line, focus_y, valx, valw, 1);
			if (ff->ncat && !*ftext(ff)) {
				move(focus_y, valx);
				curs_set(1);
			}
		} else {
			move(focus_y, valx);
			curs_set(1);
		}
	}
}

/* ---------------------------------------------------------------- focus */

static void move_focus(struct tui *t, struct form *fm, int dir, int steps, int wrap)
{
	size_t i = fm->focus, tries;

	leave_field(t, fm, fm->focus);
	while (steps-- > 0) {
		size_t j = i;
		for (tries = 0; tries < fm->n; tries++) {
			if (dir > 0) {
				if (j + 1 < fm->n)
					j++;
				else if (wrap)
					j = 0;
				else
					break;
			} else {
				if (j > 0)
					j--;
				else if (wrap)
					j = fm->n - 1;
				else
					break;
			}
			if (editable(&fm->f[j]))
				break;
		}
		if (!editable(&fm->f[j]))
			break;
		i = j;
	}
	fm->focus = i;
}

/* ---------------------------------------------------------------- pickers */

static void pick_done(struct tui *t, void *ctx, const char *codes)
{
	struct form *fm = ctx;
	struct ffield *ff = &fm->f[fm->pick];

	if (!codes)
		return;
	if (fm->pick_conflict)
		ff->resolved = 1;
	if (strcmp(codes, ftext(ff)) || fm->pick_conflict) {
		set_text(t, ff, codes);
		changed(t, fm, fm->pick);
	}
}

static void ref_done(struct tui *t, void *ctx, const char *id)
{
	struct form *fm = ctx;
	struct ffield *ff = &fm->f[fm->pick];
	const char *cur = ftext(ff);

	if (!id || !*id)
		return;
	if (ff->def->type == FB_T_REFS && *cur) {
		size_t len = strlen(cur) + strlen(id) + 2;
		char *joined = malloc(len), *probe = malloc(len + 2);
		if (!joined || !probe) {
			free(joined);
			free(probe);
			return;
		}
		snprintf(probe, len + 2, ",%s,", cur);
		snprintf(joined, len, ",%s,", id);
		if (strstr(probe, joined)) {
			free(joined);
			free(probe);
			return; /* already there */
		}
		snprintf(joined, len, "%s,%s", cur, id);
		set_text(t, ff, joined);
		free(joined);
		free(probe);
	} else {
		set_text(t, ff, id);
	}
	changed(t, fm, fm->pick);
}

static void open_picker(struct tui *t, struct form *fm, const char *filter)
{
	struct ffield *ff = &fm->f[fm->focus];

	fm->pick = fm->focus;
	fm->pick_conflict = 0;
	if (conflicted(ff) && !filter) {
		fm->pick_conflict = 1;
		tui_picker_open(t, &ff->conf_field, NULL, NULL, pick_done, fm);
	} else if (is_ref(ff->def)) {
		tui_record_picker_open(t, ff->def->ref_kind, filter, ref_done, fm);
	} else if (ff->ncat) {
		tui_picker_open(t, &ff->cat_field, ftext(ff), filter, pick_done, fm);
	} else {
		tui_picker_open(t, ff->def, ftext(ff), filter, pick_done, fm);
	}
}

/* Backspace on a picker field: drops the last of several values, else clears it. */
static void picker_backspace(struct tui *t, struct form *fm)
{
	struct ffield *ff = &fm->f[fm->focus];
	char *cut = strdup(ftext(ff)), *comma;

	if (!cut || !*cut) {
		free(cut);
		return;
	}
	comma = strrchr(cut, ',');
	if ((ff->def->type == FB_T_MULTI || ff->def->type == FB_T_REFS) && comma)
		*comma = '\0';
	else
		cut[0] = '\0';
	set_text(t, ff, cut);
	free(cut);
	changed(t, fm, fm->focus);
}

/* ---------------------------------------------------------------- save and leave */

static int form_dirty_data(struct form *fm)
{
	size_t i;

	for (i = 0; i < fm->n; i++) {
		struct ffield *ff = &fm->f[i];
		if (!editable(ff))
			continue;
		if (ff->resolved || strcmp(ftext(ff), ff->orig ? ff->orig : ""))
			return 1;
	}
	return 0;
}

static int form_dirty(struct tui_screen *s)
{
	return form_dirty_data(s->data);
}

static void form_save(struct tui *t, struct form *fm);

static void reason_done(struct tui *t, void *ctx, const char *text)
{
	struct form *fm = ctx;

	if (!text || !*text) {
		tui_message(t, 1, "%s", _("not saved: correct the code, or give a reason to keep it"));
		return;
	}
	free(fm->ovr_reason);
	fm->ovr_reason = strdup(text);
	form_save(t, fm);
}

/* After a successful save: the form goes, the record opens. */
static void saved(struct tui *t, const char *id, int was_edit)
{
	char keep[FB_ID_LEN + 1];

	snprintf(keep, sizeof keep, "%s", id);
	tui_pop(t); /* frees the form */
	/* An edit is opened from the record screen: replace it, so it shows the new values. */
	if (was_edit && t->top && t->top->ops && t->top->ops->name &&
	    !strcmp(t->top->ops->name, "record"))
		tui_pop(t);
	tui_record_open(t, keep);
	tui_message(t, 0, "%s", _("saved"));
}

static void form_save(struct tui *t, struct form *fm)
{
	struct fb_kv *kvs = calloc(fm->n + 1, sizeof *kvs);
	struct fb_override ovr;
	struct fb_error err = {0};
	char id[FB_ID_LEN + 1] = "", req[256];
	const char *shown;
	size_t i, n = 0, at;
	int rc;

	if (!kvs) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	leave_field(t, fm, fm->focus);
	for (i = 0; i < fm->n; i++) {
		struct ffield *ff = &fm->f[i];
		if (!editable(ff))
			continue;
		if (fm->edit_id[0] ? (ff->resolved || strcmp(ftext(ff), ff->orig ? ff->orig : ""))
				   : *ftext(ff) != '\0')
			kvs[n++] = (struct fb_kv){ff->def->name, ftext(ff)};
	}
	if (fm->edit_id[0] && n == 0) {
		free(kvs);
		tui_pop(t);
		tui_message(t, 0, "%s", _("nothing changed"));
		return;
	}
	ovr.field = fm->ovr_field;
	ovr.reason = fm->ovr_reason;
	if (fm->edit_id[0]) {
		rc = fb_record_edit(t->store, fm->edit_id, kvs, n, &ovr, fm->ovr_reason ? 1 : 0, &err);
		snprintf(id, sizeof id, "%s", fm->edit_id);
	} else {
		rc = fb_record_add(t->store, id, fm->kind->name, kvs, n, &ovr, fm->ovr_reason ? 1 : 0,
				   &err);
	}
	free(kvs);
	if (rc == 0) {
		saved(t, id, fm->edit_id[0] != '\0');
		return;
	}
	shown = err.message[0] ? err.message : _("not saved");
	if (err.field[0] && find_ffield(fm, err.field, &at)) {
		struct ffield *ff = &fm->f[at];
		if ((ff->def->flags & FB_F_REQUIRED) && !*ftext(ff)) {
			snprintf(req, sizeof req, _("%s is required: fill it in"), fb_field_label(ff->def));
			shown = req;
		}
		set_msg(ff, rc == FB_EWARN ? MSG_WARN : MSG_ERROR, shown);
		if (editable(ff))
			fm->focus = at;
	}
	if (rc == FB_EWARN && err.field[0]) {
		snprintf(fm->ovr_field, sizeof fm->ovr_field, "%s", err.field);
		tui_prompt(t, _("Reason to keep this code:"), "", reason_done, fm);
		return;
	}
	tui_message(t, 1, "%s", shown);
}

static void discard_done(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	if (text)
		tui_pop(t);
}

static void open_match_done(struct tui *t, void *ctx, const char *text)
{
	struct form *fm = ctx;
	char id[FB_ID_LEN + 1];

	if (!text)
		return;
	snprintf(id, sizeof id, "%s", fm->match_id);
	tui_pop(t); /* frees the form */
	tui_record_open(t, id);
}

/* ---------------------------------------------------------------- keys */

static void form_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct form *fm = s->data;
	struct ffield *ff = &fm->f[fm->focus];

	switch (a) {
	case ACT_SAVE:
		form_save(t, fm);
		return;
	case ACT_BACK:
		if (form_dirty_data(fm))
			tui_confirm(t, _("Discard changes? (y/n)"), discard_done, fm);
		else
			tui_pop(t);
		return;
	case ACT_HELP:
		tui_help_open(t);
		return;
	case ACT_NEXT_FIELD:
	case ACT_DOWN:
		move_focus(t, fm, 1, 1, 1);
		return;
	case ACT_PREV_FIELD:
	case ACT_UP:
		move_focus(t, fm, -1, 1, 1);
		return;
	case ACT_PAGE_DOWN:
	case ACT_PAGE_UP: {
		int steps = body_rows(t) / 2;
		move_focus(t, fm, a == ACT_PAGE_DOWN ? 1 : -1, steps > 0 ? steps : 1, 0);
		return;
	}
	case ACT_PICK:
		if (editable(ff) && (is_picker(ff->def) || conflicted(ff) || ff->ncat))
			open_picker(t, fm, NULL);
		else
			move_focus(t, fm, 1, 1, 1);
		return;
	case ACT_OPEN_MATCH:
		if (!fm->match_id[0])
			tui_message(t, 0, "%s", _("no other record with this ID number or mobile"));
		else if (form_dirty_data(fm))
			tui_confirm(t, _("Discard changes and open that record? (y/n)"), open_match_done, fm);
		else
			open_match_done(t, fm, "y");
		return;
	default:
		break;
	}
	if (!editable(ff))
		return;
	if (a == ACT_CLEAR_FIELD) {
		ff->protect = 0;
		if (*ftext(ff)) {
			set_text(t, ff, "");
			changed(t, fm, fm->focus);
		}
		return;
	}
	if (is_picker(ff->def)) {
		if (a == ACT_BACKSPACE || a == ACT_DELETE_CHAR)
			picker_backspace(t, fm);
		else if (a == ACT_NONE && printable(is_key, ch)) {
			char buf[8];
			buf[fb_utf8_encode((uint32_t)ch, buf)] = '\0';
			open_picker(t, fm, buf);
		}
		return;
	}
	if (ff->protect) {
		/* typing over a masked value starts it afresh */
		if (!(a == ACT_BACKSPACE || a == ACT_DELETE_CHAR || (a == ACT_NONE && printable(is_key, ch))))
			return;
		ff->protect = 0;
		set_text(t, ff, "");
		if (a != ACT_NONE) {
			changed(t, fm, fm->focus);
			return;
		}
	}
	if (a == ACT_NONE && !printable(is_key, ch))
		return;
	if (ff->fresh) {
		/* the first character typed over a default (today's date) replaces it */
		ff->fresh = 0;
		if (a == ACT_NONE)
			tui_line_set(&ff->line, "");
	}
	if (tui_line_key(&ff->line, a, is_key, ch))
		changed(t, fm, fm->focus);
}

/* ---------------------------------------------------------------- open and free */

static void ffield_free(struct ffield *ff)
{
	size_t j;

	tui_line_free(&ff->line);
	free(ff->orig);
	free(ff->display);
	free(ff->msg);
	for (j = 0; ff->conf_choices && j < ff->nconf; j++) {
		free((char *)ff->conf_choices[j].code);
		free((char *)ff->conf_choices[j].en);
	}
	free(ff->conf_choices);
	for (j = 0; ff->cat_choices && j < ff->ncat; j++) {
		free((char *)ff->cat_choices[j].code);
		free((char *)ff->cat_choices[j].en);
	}
	free(ff->cat_choices);
}

/* A catalogue-fed text field (visit.site, request.service ...): its published entries (or
 * the built-in defaults) become a picker on Enter; typing stays free. */
static int cat_add(const struct fb_catalogue_entry *e, void *ctx)
{
	struct ffield *ff = ctx;
	struct fb_choice *c2 = realloc(ff->cat_choices, (ff->ncat + 2) * sizeof *c2);

	if (!c2)
		return -1;
	ff->cat_choices = c2;
	memset(&c2[ff->ncat + 1], 0, sizeof *c2);
	c2[ff->ncat].code = strdup(e->value);
	c2[ff->ncat].en = strdup(e->label);
	c2[ff->ncat].zh = c2[ff->ncat].en;
	if (!c2[ff->ncat].code || !c2[ff->ncat].en) {
		free((char *)c2[ff->ncat].code);
		free((char *)c2[ff->ncat].en);
		return -1;
	}
	ff->ncat++;
	return 0;
}

static void load_catalogue(struct tui *t, struct ffield *ff)
{
	struct fb_error err = {0};

	if (!ff->def->catalogue || fb_catalogue_choices(t->store, ff->def, cat_add, ff, &err) != 0 ||
	    !ff->ncat)
		return;
	ff->cat_field = *ff->def;
	ff->cat_field.type = FB_T_CHOICE;
	ff->cat_field.flags = 0;
	ff->cat_field.choices = ff->cat_choices;
}

static void form_free_data(struct form *fm)
{
	size_t i;

	if (!fm)
		return;
	for (i = 0; i < fm->n; i++)
		ffield_free(&fm->f[i]);
	free(fm->f);
	free(fm->title);
	free(fm->ovr_reason);
	free(fm);
}

static void form_free(struct tui_screen *s)
{
	form_free_data(s->data);
	s->data = NULL;
}

static const struct tui_screen_ops form_ops = {
	"form", CTX_FORM, form_draw, form_key, form_free, form_dirty,
};

/* A conflicted field: its values become the choices of a picker. */
static int load_conflict(struct ffield *ff, const struct fb_field_state *fs)
{
	size_t j;

	ff->conf_choices = calloc(fs->nvalues + 1, sizeof *ff->conf_choices);
	if (!ff->conf_choices)
		return -1;
	ff->nconf = fs->nvalues;
	for (j = 0; j < fs->nvalues; j++) {
		char *shown = fb_value_display(ff->def, fs->values[j].value,
					       ff->protect ? FB_SHOW_MASKED : FB_SHOW_UNMASKED);
		size_t len = (shown ? strlen(shown) : 0) + strlen(fs->values[j].author) + 8;
		char *label = malloc(len);
		if (label)
			snprintf(label, len, "%s (%s)", shown ? shown : "", fs->values[j].author);
		free(shown);
		ff->conf_choices[j].code = to_editable(ff->def, fs->values[j].value);
		ff->conf_choices[j].zh = label;
		ff->conf_choices[j].en = label;
		if (!ff->conf_choices[j].code || !label)
			return -1;
	}
	ff->conf_field = *ff->def;
	ff->conf_field.type = FB_T_CHOICE;
	ff->conf_field.flags = 0;
	ff->conf_field.choices = ff->conf_choices;
	return 0;
}

static int load_record(struct tui *t, struct form *fm, const struct fb_record *r)
{
	size_t i, j;

	snprintf(fm->edit_id, sizeof fm->edit_id, "%s", r->id);
	fm->title = record_title(t, r->id);
	for (i = 0; i < r->nfields; i++) {
		const struct fb_field_state *fs = &r->fields[i];
		struct ffield *ff = NULL;
		char *text;
		if (!fs->def || !fs->nvalues)
			continue;
		for (j = 0; j < fm->n; j++)
			if (fm->f[j].def == fs->def)
				ff = &fm->f[j];
		if (!ff)
			continue;
		if (!(text = to_editable(ff->def, fs->values[0].value)))
			return -1;
		ff->protect = *text && editable(ff) &&
			      ((ff->def->flags & (FB_F_MASKED | FB_F_SENSITIVE)) ||
			       ff->def->type == FB_T_IDNUMBER);
		set_text(t, ff, text);
		free(ff->orig);
		ff->orig = text;
		if (fs->nvalues > 1 && load_conflict(ff, fs) < 0)
			return -1;
	}
	return 0;
}

void tui_form_open(struct tui *t, const struct fb_kind *kind, const char *edit_id,
		   const struct fb_kv *prefill, size_t nprefill)
{
	struct fb_record *rec = NULL;
	struct fb_error err = {0};
	struct form *fm;
	const struct fb_field *def;
	char today[16];
	size_t i, n = 0, first_free = (size_t)-1;

	if (edit_id && *edit_id) {
		if (fb_record_get(&rec, t->store, edit_id, &err) < 0) {
			tui_message(t, 1, "%s", err.message);
			return;
		}
		if (!rec->kind || (!rec->exists && !rec->delete_conflict)) {
			tui_message(t, 1, "%s",
				    !rec->kind ? _("this version of fieldbook cannot edit this kind of record")
					       : _("this record was deleted; it cannot be changed"));
			fb_record_free(rec);
			return;
		}
		kind = rec->kind;
	}
	if (!kind || !kind->fields) {
		fb_record_free(rec);
		return;
	}
	if (!(fm = calloc(1, sizeof *fm)))
		goto nomem;
	fm->kind = kind;
	for (def = kind->fields; def->name; def++)
		n++;
	if (!(fm->f = calloc(n + 1, sizeof *fm->f)))
		goto nomem;
	fb_clock_today(today, sizeof today);
	for (def = kind->fields; def->name; def++) {
		struct ffield *ff;
		if (!strcmp(def->name, "merged_into"))
			continue; /* system use: set by merging duplicates */
		ff = &fm->f[fm->n++];
		ff->def = def;
		tui_line_set(&ff->line, "");
		load_catalogue(t, ff);
		if (!rec && def->default_value && !(def->flags & FB_F_DERIVED)) {
			tui_line_set(&ff->line,
				     strcmp(def->default_value, "@today") ? def->default_value : today);
			ff->fresh = !is_picker(def);
		}
	}
	if (rec) {
		if (load_record(t, fm, rec) < 0)
			goto nomem;
	} else {
		for (i = 0; i < nprefill; i++) {
			struct ffield *ff = find_ffield(fm, prefill[i].field, NULL);
			if (ff && prefill[i].value) {
				set_text(t, ff, prefill[i].value);
				ff->fresh = 0;
			}
		}
	}
	for (i = 0; i < fm->n; i++) {
		struct ffield *ff = &fm->f[i];
		if (!rec && !(ff->orig = strdup(ftext(ff))))
			goto nomem;
		if (!ff->orig && !(ff->orig = strdup("")))
			goto nomem;
	}
	/* Focus: the first editable field a prefill did not fill. */
	for (i = 0; i < fm->n && first_free == (size_t)-1; i++) {
		size_t k;
		int filled = 0;
		if (!editable(&fm->f[i]))
			continue;
		for (k = 0; !rec && k < nprefill; k++)
			if (fb_field_find(kind, prefill[k].field) == fm->f[i].def)
				filled = 1;
		if (!filled)
			first_free = i;
	}
	fm->focus = first_free == (size_t)-1 ? 0 : first_free;
	while (fm->focus < fm->n && !editable(&fm->f[fm->focus]))
		fm->focus++;
	if (fm->focus >= fm->n)
		fm->focus = 0;
	fb_record_free(rec);
	tui_push(t, &form_ops, fm);
	return;
nomem:
	fb_record_free(rec);
	form_free_data(fm);
	tui_message(t, 1, "%s", _("out of memory"));
}
