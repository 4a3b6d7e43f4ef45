/* tui_record.c - the record screen and the record's history screen (tui layer).
 *
 * The record screen shows every field of one record with its label, masked by default
 * ('v' reveals for this screen only), conflicted fields marked '!' with all their
 * values, who created and updated it, the records linked to it and its notes (newest
 * first).  Up/Down select a field or a linked line (Enter opens references and linked
 * records); e edits, a adds a note, c starts a consultation for a person, h shows the
 * history.  The record is read again at every draw, so what another screen changed
 * (an edit, a note, a sync) shows at once.
 *
 * The history screen lists, field by field, every op of the record in order: value, who,
 * when, device; '*' marks the current (visible) values.
 *
 * Both screens build a list of lines for the current width (values wrap by columns, at a
 * space or after a Han character; a note shows at most NOTE_MAX_LINES lines), then draw
 * the visible part; all text goes through tui_put.  The hidden cursor rests on the
 * selected line (the headless dump's "cursor ROW,0" shows it). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/audit.h"
#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/review.h"
#include "fieldbook/role.h"
#include "fieldbook/text.h"
#include "fieldbook/value.h"
#include "tui.h"

#define NOTE_MAX_LINES 6   /* lines of a note's text shown on the record screen */
#define LINKED_LIMIT 100   /* fb_linked's limit */

/* ---------------------------------------------------------------- line model */

struct line {
	int item;        /* index of the selectable item it belongs to, or -1 */
	char mark[8];    /* drawn at column 0: "!" (conflict) or "*" (current), or "" */
	int mark_style;
	int x;           /* column of the label (or of the text when label is NULL) */
	char *label;     /* NULL: no label column */
	int label_cols;
	int label_style;
	char *text;
	int style;
};

struct item {
	char key[96];                /* identity, kept across reloads: "f:name", "l:id", ... */
	char field[64];              /* field name (for the history), or "" */
	char target[FB_ID_LEN + 1];  /* record that Enter opens, or "" */
	int first, last;             /* line range */
};

struct model {
	struct line *lines;
	size_t n, cap;
	struct item *items;
	size_t nitems, capitems;
};

static void model_clear(struct model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->lines[i].label);
		free(m->lines[i].text);
	}
	free(m->lines);
	free(m->items);
	memset(m, 0, sizeof *m);
}

/* Adds a line (label and text copied); returns it, or NULL when out of memory. */
static struct line *add_line(struct model *m, int item, int x, const char *label, int label_cols,
			     const char *text, int style)
{
	struct line *l;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct line *n2 = realloc(m->lines, cap * sizeof *n2);
		if (!n2)
			return NULL;
		m->lines = n2;
		m->cap = cap;
	}
	l = &m->lines[m->n];
	memset(l, 0, sizeof *l);
	l->item = item;
	l->x = x;
	l->label = label ? strdup(label) : NULL;
	l->label_cols = label_cols;
	l->label_style = TUI_BOLD;
	l->text = strdup(text ? text : "");
	l->style = style;
	if (!l->text || (label && !l->label)) {
		free(l->label);
		free(l->text);
		return NULL;
	}
	if (item >= 0 && (size_t)item < m->nitems)
		m->items[item].last = (int)m->n;
	m->n++;
	return l;
}

static int add_blank(struct model *m)
{
	return add_line(m, -1, 0, NULL, 0, "", TUI_NORMAL) ? 0 : -1;
}

/* Starts a selectable item at the next line; returns its index, or -1. */
static int add_item(struct model *m, const char *key, const char *field, const char *target)
{
	struct item *it;

	if (m->nitems == m->capitems) {
		size_t cap = m->capitems ? m->capitems * 2 : 32;
		struct item *n2 = realloc(m->items, cap * sizeof *n2);
		if (!n2)
			return -1;
		m->items = n2;
		m->capitems = cap;
	}
	it = &m->items[m->nitems];
	memset(it, 0, sizeof *it);
	snprintf(it->key, sizeof it->key, "%s", key);
	snprintf(it->field, sizeof it->field, "%s", field ? field : "");
	snprintf(it->target, sizeof it->target, "%s", target ? target : "");
	it->first = (int)m->n;
	it->last = (int)m->n;
	return (int)m->nitems++;
}

/* The next piece of s that fits in width columns, breaking at a newline, else before the
 * character that would cross width (at a space in the second half of the piece when there
 * is one, so English words stay whole).  Returns the piece's bytes; *next is where the
 * following piece starts (NULL at the end). */
static size_t wrap_piece(const char *s, int width, const char **next)
{
	size_t len = strlen(s), i = 0, brk_end = 0, brk_next = 0;
	int cols = 0;

	if (width < 1)
		width = 1;
	while (i < len) {
		uint32_t cp;
		size_t n = fb_utf8_decode(s + i, len - i, &cp);
		int w = fb_cp_cols(cp);
		if (cp == '\n') {
			*next = s + i + 1;
			return i;
		}
		if (cols + w > width && i > 0) {
			if (cp == ' ') { /* the space is the break */
				*next = s + i + 1;
				return i;
			}
			if (brk_end) { /* the last break opportunity in the second half */
				*next = s + brk_next;
				return brk_end;
			}
			*next = s + i;
			return i;
		}
		cols += w;
		i += n;
		/* break opportunities: at a space, after a double-width (Han) character */
		if (cols >= width / 2 && i < len) {
			if (cp == ' ') {
				brk_end = i - 1;
				brk_next = i;
			} else if (w == 2) {
				brk_end = i;
				brk_next = i;
			}
		}
	}
	*next = NULL;
	return len;
}

/* Adds text wrapped to width columns: the first line carries label (if any), the
 * following ones an empty label at the same place.  At most max_lines lines (0 = no
 * limit); a cut text ends with "...".  Returns the number of lines added. */
static int add_wrapped(struct model *m, int item, int x, const char *label, int label_cols,
		       const char *text, int style, int width, int max_lines)
{
	const char *p = text ? text : "";
	int nl = 0;

	do {
		const char *next = NULL;
		size_t n = wrap_piece(p, width, &next);
		char *piece = malloc(n + 4);
		if (!piece)
			break;
		memcpy(piece, p, n);
		piece[n] = '\0';
		if (max_lines && nl == max_lines - 1 && next && *next) {
			/* the last line allowed: make room for the ellipsis */
			char buf[2048];
			fb_text_fit(buf, sizeof buf, piece, width > 3 ? width - 3 : 0, 0);
			free(piece);
			if (!(piece = malloc(strlen(buf) + 4)))
				break;
			snprintf(piece, strlen(buf) + 4, "%s...", buf);
			next = NULL;
		}
		add_line(m, item, x, label ? (nl ? "" : label) : NULL, label_cols, piece, style);
		free(piece);
		nl++;
		p = next;
	} while (p && *p);
	return nl;
}

/* Keeps scroll so that item sel is visible (as much of it as fits) and the view is
 * inside the lines. */
static void keep_visible(const struct model *m, int sel, int h, int *scroll)
{
	int max = (int)m->n - h;

	if (sel >= 0 && (size_t)sel < m->nitems) {
		int first = m->items[sel].first, last = m->items[sel].last;
		if (last - first + 1 <= h) { /* fits: show it whole */
			if (*scroll > first)
				*scroll = first;
			if (*scroll < last - h + 1)
				*scroll = last - h + 1;
		} else { /* taller than the view: keep the view inside it */
			if (*scroll < first)
				*scroll = first;
			if (*scroll > last - h + 1)
				*scroll = last - h + 1;
		}
	}
	if (*scroll > max)
		*scroll = max;
	if (*scroll < 0)
		*scroll = 0;
}

/* Draws the lines from scroll on into rows 1 .. rows-3 (title and status bars around). */
static void draw_model(struct tui *t, const struct model *m, int sel, int scroll)
{
	int h = t->rows - 3, y;

	for (y = 0; y < h; y++) {
		int row = y + 1, ln = scroll + y, selected, x;
		const struct line *l;
		if (ln < 0 || (size_t)ln >= m->n) {
			tui_put(t, row, 0, t->cols, "", TUI_NORMAL, 1);
			continue;
		}
		l = &m->lines[ln];
		selected = sel >= 0 && l->item == sel;
		tui_put(t, row, 0, t->cols, "", selected ? TUI_REVERSE : TUI_NORMAL, 1);
		if (l->mark[0])
			tui_put(t, row, 0, 1, l->mark, l->mark_style, 0);
		x = l->x;
		if (l->label) {
			tui_put(t, row, x, l->label_cols, l->label, selected ? TUI_REVERSE : l->label_style, 1);
			x += l->label_cols + 1;
		}
		if (x < t->cols)
			tui_put(t, row, x, t->cols - x, l->text, selected ? TUI_REVERSE : l->style, 1);
	}
}

/* "2026-11-29 18:27" for an HLC (fb_clock_format_ms, local time, to the minute). */
static void fmt_time(char *out, size_t cap, int64_t hlc)
{
	char buf[64];

	fb_clock_format_ms(buf, sizeof buf, fb_hlc_ms(hlc));
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
	snprintf(out, cap, "%.16s", buf);
}

/* " a Label  b Label" from (action, label) pairs; keys without a binding are left out. */
static void build_hints(char *out, size_t cap, unsigned ctx, const enum tui_action *acts,
			const char *const *labels, size_t n)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n && len + 1 < cap; i++) {
		const char *k = tui_key_for(ctx, acts[i]);
		int w;
		if (!k || !*k)
			continue;
		w = snprintf(out + len, cap - len, "%s%s %s", len ? "  " : "", k, labels[i]);
		if (w < 0)
			break;
		len += (size_t)w < cap - len ? (size_t)w : cap - len - 1;
	}
}

static const char *field_label(const struct fb_field_state *fs)
{
	if (fs->def)
		return fb_field_label(fs->def);
	if (!strcmp(fs->name, "merged_into"))
		return _("Merged into");
	return fs->name;
}

/* Display form of a record's title (choice titles as labels); malloc'd. */
static char *title_display(const struct fb_kind *k, const char *title, int show)
{
	const struct fb_field *f = k ? fb_kind_title_field(k) : NULL;
	char *v = fb_value_display(f, title ? title : "", show);

	if (v && !*v) {
		free(v);
		v = strdup(_("(no title)"));
	}
	return v;
}

/* "张三 (1a2b3c4d)" for a referenced record id, or the id when it is unknown; malloc'd. */
static char *ref_display(struct fb_store *store, const char *id, int show)
{
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	char buf[1024], to[FB_ID_LEN + 1];
	char *title;

	/* a reference to a merged duplicate shows the surviving person (review.h) */
	if (fb_record_follow(store, to, id, &err) == 0)
		id = to;
	if (fb_record_get(&r, store, id, &err) < 0)
		return fb_value_display(NULL, id, show);
	title = title_display(r->kind, r->title, show);
	snprintf(buf, sizeof buf, "%s (%.8s)%s", title ? title : "", r->id, r->exists ? "" : _(" [deleted]"));
	free(title);
	fb_record_free(r);
	return strdup(buf);
}

/* Display form of one stored value: references as titles, else fb_value_display. */
static char *value_display(struct fb_store *store, const struct fb_field *f, const char *stored,
			   int show)
{
	if (f && (f->type == FB_T_REF || f->type == FB_T_REFS) && stored && *stored) {
		char *out = NULL, *copy = strdup(stored), *p, *save = NULL;
		size_t len = 0;
		if (!copy)
			return NULL;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			char *one = ref_display(store, p, show);
			size_t ol = one ? strlen(one) : 0;
			char *n2 = realloc(out, len + ol + 3);
			if (!n2) {
				free(one);
				break;
			}
			out = n2;
			if (len) {
				memcpy(out + len, ", ", 2);
				len += 2;
			}
			if (one)
				memcpy(out + len, one, ol);
			len += ol;
			out[len] = '\0';
			free(one);
		}
		free(copy);
		return out ? out : strdup("");
	}
	/* privacy mode: what the role may not see stays masked even when revealed (role.h) */
	if (show == FB_SHOW_UNMASKED && f && !fb_role_may_reveal(NULL, f))
		show = FB_SHOW_MASKED;
	return fb_value_display(f, stored, show);
}

/* ---------------------------------------------------------------- record screen */

struct linked {
	char id[FB_ID_LEN + 1];
	char kind[32];
	char via[64];
	char *title;
	int conflicts;
	int note;
	int64_t hlc;     /* notes: created time */
	char *author;    /* notes: created by */
};

/* Note authors and times never change: remembered across reloads. */
struct note_meta {
	char id[FB_ID_LEN + 1];
	int64_t hlc;
	char *author;
};

struct record_screen {
	char id[FB_ID_LEN + 1];
	int show;                  /* FB_SHOW_MASKED or FB_SHOW_UNMASKED */
	struct model m;
	int sel, scroll;
	char sel_key[96];          /* the selected item's key, to find it again after a reload */
	char title[512];
	int is_person;
	struct note_meta *meta;
	size_t nmeta, capmeta;
};

static struct note_meta *note_meta_get(struct tui *t, struct record_screen *d, const char *id)
{
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	struct note_meta *nm;
	size_t i;

	for (i = 0; i < d->nmeta; i++)
		if (!strcmp(d->meta[i].id, id))
			return &d->meta[i];
	if (fb_record_get(&r, t->store, id, &err) < 0)
		return NULL;
	if (d->nmeta == d->capmeta) {
		size_t cap = d->capmeta ? d->capmeta * 2 : 16;
		struct note_meta *n2 = realloc(d->meta, cap * sizeof *n2);
		if (!n2) {
			fb_record_free(r);
			return NULL;
		}
		d->meta = n2;
		d->capmeta = cap;
	}
	nm = &d->meta[d->nmeta];
	snprintf(nm->id, sizeof nm->id, "%s", r->id);
	nm->hlc = r->created_hlc;
	nm->author = strdup(r->created_by ? r->created_by : "");
	fb_record_free(r);
	if (!nm->author)
		return NULL;
	d->nmeta++;
	return nm;
}

struct linked_list {
	struct linked *v;
	size_t n, cap;
};

static int collect_linked(const struct fb_row *row, const char *via, void *ctx)
{
	struct linked_list *ll = ctx;
	struct linked *l;

	if (ll->n == ll->cap) {
		size_t cap = ll->cap ? ll->cap * 2 : 16;
		struct linked *n2 = realloc(ll->v, cap * sizeof *n2);
		if (!n2)
			return 0; /* show what fits */
		ll->v = n2;
		ll->cap = cap;
	}
	l = &ll->v[ll->n];
	memset(l, 0, sizeof *l);
	snprintf(l->id, sizeof l->id, "%s", row->id);
	snprintf(l->kind, sizeof l->kind, "%s", row->kind);
	snprintf(l->via, sizeof l->via, "%s", via ? via : "");
	if (!(l->title = strdup(row->title ? row->title : "")))
		return 0;
	l->conflicts = row->conflicts;
	l->note = !strcmp(row->kind, "note") && !strcmp(l->via, "parent");
	l->hlc = row->updated_hlc;
	ll->n++;
	return 0;
}

static int kind_rank(const char *kind)
{
	int i;

	for (i = 0; fb_kinds[i].name; i++)
		if (!strcmp(fb_kinds[i].name, kind))
			return i;
	return 1000;
}

/* Linked records: by kind (schema order), newest first within a kind.  Notes: newest
 * first.  (fb_linked gives newest first; the sort keeps that as the tie-break.) */
static int cmp_linked(const void *a, const void *b)
{
	const struct linked *x = a, *y = b;
	int rx = kind_rank(x->kind), ry = kind_rank(y->kind);

	if (x->note != y->note)
		return x->note - y->note;
	if (!x->note && rx != ry)
		return rx - ry;
	if (x->hlc != y->hlc)
		return x->hlc > y->hlc ? -1 : 1;
	return strcmp(y->id, x->id);
}

static int label_width(struct tui *t, const struct fb_record *r)
{
	size_t i;
	int w = tui_cols(_("Created")), max = t->cols / 3;

	if (tui_cols(_("Updated")) > w)
		w = tui_cols(_("Updated"));
	for (i = 0; i < r->nfields; i++) {
		int c = tui_cols(field_label(&r->fields[i]));
		if (c > w)
			w = c;
	}
	if (max > 20)
		max = 20;
	return w < max ? w : max;
}

static int field_shown(const struct fb_field_state *fs)
{
	if (fs->name[0] == '_' || !strcmp(fs->name, "merged_into") || fs->nvalues == 0)
		return 0;
	return fs->nvalues > 1 || fs->values[0].value[0];
}

static void add_field(struct tui *t, struct record_screen *d, const struct fb_field_state *fs,
		      int lw)
{
	struct model *m = &d->m;
	const struct fb_field *f = fs->def;
	int vx = 2 + lw + 1, vw = t->cols - vx, item;
	char key[96];
	size_t first_line = m->n, i;
	struct line *l;

	if (f && (f->type == FB_T_REF || f->type == FB_T_REFS) && fs->nvalues == 1) {
		/* one selectable line per referenced record: Enter opens it */
		char *copy = strdup(fs->values[0].value), *p, *save = NULL;
		int n = 0;
		if (!copy)
			return;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save), n++) {
			char *v = ref_display(t->store, p, d->show);
			snprintf(key, sizeof key, "r:%s:%s", fs->name, p);
			item = add_item(m, key, fs->name, p);
			add_line(m, item, 2, n ? "" : field_label(fs), lw, v ? v : p, TUI_NORMAL);
			free(v);
		}
		free(copy);
		return;
	}
	snprintf(key, sizeof key, "f:%s", fs->name);
	item = add_item(m, key, fs->name, NULL);
	{
		char *v = value_display(t->store, f, fs->values[0].value, d->show);
		if (fs->nvalues == 1) /* long values wrap by columns: this screen shows them whole */
			add_wrapped(m, item, 2, field_label(fs), lw, v ? v : "", TUI_NORMAL, vw, 0);
		else {
			char buf[256];
			snprintf(buf, sizeof buf, _("CONFLICT: %zu values"), fs->nvalues);
			add_line(m, item, 2, field_label(fs), lw, buf, TUI_ERROR);
		}
		free(v);
	}
	if (m->n > first_line && (l = &m->lines[first_line]) != NULL) {
		if (fs->nvalues > 1) {
			snprintf(l->mark, sizeof l->mark, "!");
			l->mark_style = TUI_ERROR;
			l->label_style = TUI_ERROR;
		}
	}
	for (i = 0; fs->nvalues > 1 && i < fs->nvalues; i++) {
		char t1[32], buf[2048];
		char *v = value_display(t->store, f, fs->values[i].value, d->show);
		fmt_time(t1, sizeof t1, fs->values[i].hlc);
		snprintf(buf, sizeof buf, "%s %s  (%s, %s)", i ? "-" : "*",
			 v && *v ? v : _("(empty)"), fs->values[i].author, t1);
		add_wrapped(m, item, 2, "", lw, buf, TUI_NORMAL, vw, 0);
		free(v);
	}
}

/* Reads the record and its linked records again and lays them out for the width. */
static void record_build(struct tui *t, struct record_screen *d)
{
	struct model *m = &d->m;
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	struct linked_list ll = {0};
	size_t i, nnotes = 0, nlinked = 0, nconf;
	int lw, llw, hidden = 0, item;
	char buf[1024], t1[32];
	struct line *l;

	model_clear(m);
	if (fb_record_get(&r, t->store, d->id, &err) < 0) {
		snprintf(d->title, sizeof d->title, "%s", d->id);
		add_line(m, -1, 0, NULL, 0, err.message, TUI_ERROR);
		return;
	}
	d->is_person = r->kind && !strcmp(r->kind->name, "person");
	{
		char *title = title_display(r->kind, r->title, d->show);
		snprintf(d->title, sizeof d->title, "%s  %s%s  %s",
			 r->kind ? fb_kind_label(r->kind) : r->kind_name, title ? title : "",
			 !r->exists ? _("  [DELETED]") : r->conflicts ? _("  [CONFLICT]")
			 : r->merged_into && *r->merged_into ? _("  [MERGED]") : "", r->id);
		free(title);
	}
	lw = label_width(t, r);

	/* markers */
	if (!r->exists)
		add_line(m, -1, 2, NULL, 0, _("DELETED: this record was deleted"), TUI_ERROR);
	if (r->delete_conflict)
		add_line(m, -1, 2, NULL, 0,
			 _("CONFLICT: edited on another device while it was deleted here"), TUI_ERROR);
	if (r->merged_into && *r->merged_into) {
		char *v = ref_display(t->store, r->merged_into, d->show);
		snprintf(buf, sizeof buf, "m:%s", r->merged_into);
		item = add_item(m, buf, "merged_into", r->merged_into);
		add_line(m, item, 2, _("Merged into"), lw, v ? v : r->merged_into, TUI_ERROR);
		free(v);
	}
	for (i = 0, nconf = 0; i < r->nfields; i++)
		if (r->fields[i].nvalues > 1 && r->fields[i].name[0] != '_')
			nconf++;
	if (nconf) {
		snprintf(buf, sizeof buf, _("%zu conflicted field(s), marked !: several values, pick one with %s"),
			 nconf, tui_key_for(CTX_RECORD, ACT_EDIT));
		add_line(m, -1, 2, NULL, 0, buf, TUI_ERROR);
	}
	if (m->n)
		add_blank(m);

	/* fields */
	for (i = 0; i < r->nfields; i++) {
		const struct fb_field_state *fs = &r->fields[i];
		if (!field_shown(fs))
			continue;
		if (d->show != FB_SHOW_UNMASKED && fs->def && (fs->def->flags & (FB_F_SENSITIVE | FB_F_MASKED)))
			hidden = 1;
		if (d->show != FB_SHOW_UNMASKED && fs->def && fs->def->type == FB_T_IDNUMBER)
			hidden = 1;
		add_field(t, d, fs, lw);
	}
	if (hidden) {
		const char *k = tui_key_for(CTX_RECORD, ACT_REVEAL);
		snprintf(buf, sizeof buf, _("(personal data masked; %s reveals it)"), k);
		add_line(m, -1, 2, NULL, 0, buf, TUI_DIM);
	}

	/* created / updated */
	fmt_time(t1, sizeof t1, r->created_hlc);
	snprintf(buf, sizeof buf, _("%s  %s  device %s"), t1, r->created_by ? r->created_by : "",
		 r->created_device ? r->created_device : "");
	if (tui_cols(buf) > t->cols - (2 + lw + 1))
		snprintf(buf, sizeof buf, _("%s  %s  device %.8s"), t1, r->created_by ? r->created_by : "",
			 r->created_device ? r->created_device : "");
	l = add_line(m, -1, 2, _("Created"), lw, buf, TUI_DIM);
	if (l)
		l->label_style = TUI_DIM;
	fmt_time(t1, sizeof t1, r->updated_hlc);
	snprintf(buf, sizeof buf, "%s  %s", t1, r->updated_by ? r->updated_by : "");
	l = add_line(m, -1, 2, _("Updated"), lw, buf, TUI_DIM);
	if (l)
		l->label_style = TUI_DIM;

	/* linked records and notes */
	if (fb_linked(t->store, r->id, LINKED_LIMIT, collect_linked, &ll, &err) < 0) {
		add_blank(m);
		add_line(m, -1, 0, NULL, 0, err.message, TUI_ERROR);
	}
	for (i = 0; i < ll.n; i++) {
		if (ll.v[i].note) {
			struct note_meta *nm = note_meta_get(t, d, ll.v[i].id);
			if (nm) {
				ll.v[i].hlc = nm->hlc;
				ll.v[i].author = nm->author;
			}
			nnotes++;
		} else
			nlinked++;
	}
	if (ll.n > 1)
		qsort(ll.v, ll.n, sizeof *ll.v, cmp_linked);

	llw = 0;
	for (i = 0; i < ll.n; i++) {
		const struct fb_kind *k = fb_kind_find(ll.v[i].kind);
		int c = tui_cols(k ? fb_kind_label(k) : ll.v[i].kind);
		if (!ll.v[i].note && c > llw)
			llw = c;
	}
	if (llw > t->cols / 3)
		llw = t->cols / 3;
	add_blank(m);
	snprintf(buf, sizeof buf, _("Linked records (%zu)"), nlinked);
	add_line(m, -1, 0, NULL, 0, buf, TUI_BOLD);
	if (!nlinked)
		add_line(m, -1, 2, NULL, 0, _("(none)"), TUI_DIM);
	for (i = 0; i < ll.n; i++) {
		const struct linked *lk = &ll.v[i];
		const struct fb_kind *k = fb_kind_find(lk->kind);
		const struct fb_field *via = k ? fb_field_find(k, lk->via) : NULL;
		char *title;
		if (lk->note)
			continue;
		title = title_display(k, lk->title, d->show);
		snprintf(buf, sizeof buf, "%s  (%s)", title ? title : "", via ? fb_field_label(via) : lk->via);
		free(title);
		snprintf(t1, sizeof t1, "l:%s", lk->id);
		item = add_item(m, t1, "", lk->id);
		l = add_line(m, item, 2, k ? fb_kind_label(k) : lk->kind, llw, buf, TUI_NORMAL);
		if (l && lk->conflicts) {
			snprintf(l->mark, sizeof l->mark, "!");
			l->mark_style = TUI_ERROR;
		}
	}

	add_blank(m);
	snprintf(buf, sizeof buf, _("Notes (%zu)"), nnotes);
	add_line(m, -1, 0, NULL, 0, buf, TUI_BOLD);
	if (!nnotes) {
		snprintf(buf, sizeof buf, _("(none; %s adds one)"), tui_key_for(CTX_RECORD, ACT_ADD_NOTE));
		add_line(m, -1, 2, NULL, 0, buf, TUI_DIM);
	}
	for (i = 0; i < ll.n; i++) {
		const struct linked *lk = &ll.v[i];
		const struct fb_kind *k = fb_kind_find("note");
		char *text;
		if (!lk->note)
			continue;
		snprintf(t1, sizeof t1, "n:%s", lk->id);
		item = add_item(m, t1, "", lk->id);
		fmt_time(buf, sizeof buf, lk->hlc);
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "  %s", lk->author ? lk->author : "");
		l = add_line(m, item, 2, NULL, 0, buf, TUI_DIM);
		if (l && lk->conflicts) {
			snprintf(l->mark, sizeof l->mark, "!");
			l->mark_style = TUI_ERROR;
		}
		text = fb_value_display(k ? fb_kind_title_field(k) : NULL, lk->title, d->show);
		add_wrapped(m, item, 4, NULL, 0, text ? text : "", TUI_NORMAL, t->cols - 4, NOTE_MAX_LINES);
		free(text);
	}
	if (ll.n >= LINKED_LIMIT) {
		snprintf(buf, sizeof buf, _("(the newest %d linked records and notes are shown)"), LINKED_LIMIT);
		add_line(m, -1, 2, NULL, 0, buf, TUI_DIM);
	}

	for (i = 0; i < ll.n; i++)
		free(ll.v[i].title);
	free(ll.v);
	fb_record_free(r);
}

/* Finds the selection again after a rebuild (by key), or keeps its index in range. */
static void record_reselect(struct record_screen *d)
{
	size_t i;

	if (d->sel_key[0])
		for (i = 0; i < d->m.nitems; i++)
			if (!strcmp(d->m.items[i].key, d->sel_key)) {
				d->sel = (int)i;
				return;
			}
	if (d->sel >= (int)d->m.nitems)
		d->sel = (int)d->m.nitems - 1;
	if (d->sel < 0 && d->m.nitems)
		d->sel = 0;
	if (d->sel >= 0)
		snprintf(d->sel_key, sizeof d->sel_key, "%s", d->m.items[d->sel].key);
}

static void select_item(struct record_screen *d, int sel)
{
	d->sel = sel;
	if (sel >= 0 && (size_t)sel < d->m.nitems)
		snprintf(d->sel_key, sizeof d->sel_key, "%s", d->m.items[sel].key);
}

static void record_draw(struct tui *t, struct tui_screen *s)
{
	struct record_screen *d = s->data;
	static const enum tui_action acts[] = {ACT_OPEN, ACT_EDIT, ACT_ADD_NOTE, ACT_HISTORY,
					       ACT_NEW_LINKED, ACT_REVEAL, ACT_BACK};
	const char *labels[7];
	char hints[512];
	size_t n = 0;

	record_build(t, d);
	record_reselect(d);
	keep_visible(&d->m, d->sel, t->rows - 3, &d->scroll);
	draw_model(t, &d->m, d->sel, d->scroll);

	labels[n++] = _("open");
	labels[n++] = _("edit");
	labels[n++] = _("note");
	labels[n++] = _("history");
	labels[n++] = d->is_person ? _("consultation") : NULL;
	labels[n++] = d->show == FB_SHOW_UNMASKED ? _("mask") : _("reveal");
	labels[n++] = _("back");
	{
		enum tui_action a2[7];
		const char *l2[7];
		size_t i, m = 0;
		for (i = 0; i < n; i++)
			if (labels[i]) {
				a2[m] = acts[i];
				l2[m++] = labels[i];
			}
		build_hints(hints, sizeof hints, CTX_RECORD, a2, l2, m);
	}
	tui_frame(t, d->title, hints);
	/* The (hidden) cursor rests on the selection: screen readers and the headless dump's
	 * "cursor ROW,COL" see which line is selected. */
	if (d->sel >= 0 && (size_t)d->sel < d->m.nitems) {
		int y = d->m.items[d->sel].first - d->scroll;
		if (y < 0)
			y = 0;
		if (y < t->rows - 3)
			move(1 + y, 0);
	}
}

/* After the note prompt (text NULL: cancelled). */
static void note_done(struct tui *t, void *ctx, const char *text)
{
	struct record_screen *d = ctx;
	struct fb_error err = {0};
	struct fb_kv kv[2];
	char id[FB_ID_LEN + 1];
	const char *p = text;

	while (p && (*p == ' ' || *p == '\t'))
		p++;
	if (!p || !*p) {
		tui_message(t, 0, "%s", _("No note added"));
		return;
	}
	kv[0].field = "parent";
	kv[0].value = d->id;
	kv[1].field = "text";
	kv[1].value = text;
	if (fb_record_add(t->store, id, "note", kv, 2, NULL, 0, &err) < 0) {
		tui_message(t, 1, "%s", err.message);
		return;
	}
	snprintf(d->sel_key, sizeof d->sel_key, "n:%s", id);
	tui_message(t, 0, "%s", _("Note added"));
}

static void history_open(struct tui *t, const char *id, const char *field, int show);

/* Privacy mode: the reason given, one audit entry per field the role may see in full
 * (audit.h), then the record screen shows them. */
static void reveal_done(struct tui *t, void *ctx, const char *text)
{
	struct record_screen *d = ctx;
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	int *allow = NULL, denied = 0;
	size_t j;

	if (!text || !*text) {
		tui_message(t, 0, "%s", _("Nothing revealed: a reason is needed"));
		return;
	}
	if (fb_record_get(&r, t->store, d->id, &err) < 0 ||
	    !(allow = calloc(r->nfields + 1, sizeof *allow)) ||
	    fb_audit_reveal_record(t->store, r, text, allow, &err) < 0) {
		tui_message(t, 1, "%s", err.message[0] ? err.message : _("out of memory"));
		free(allow);
		fb_record_free(r);
		return;
	}
	for (j = 0; j < r->nfields; j++)
		denied |= !allow[j];
	free(allow);
	fb_record_free(r);
	d->show = FB_SHOW_UNMASKED;
	if (denied)
		tui_message(t, 0, _("Revealed (audited); some fields stay masked for the role %s"),
			    fb_role_name(fb_role_current()));
	else
		tui_message(t, 0, _("Revealed and written to the audit trail (%s masks)"),
			    tui_key_for(CTX_RECORD, ACT_REVEAL));
}

/* Moves down: through a tall item first, then to the next item, then past the last. */
static void record_down(struct tui *t, struct record_screen *d)
{
	int h = t->rows - 3, max = (int)d->m.n - h;

	if (d->sel >= 0 && d->m.items[d->sel].last > d->scroll + h - 1)
		d->scroll++;
	else if (d->sel + 1 < (int)d->m.nitems)
		select_item(d, d->sel + 1);
	else if (d->scroll < max)
		d->scroll++;
}

static void record_up(struct record_screen *d)
{
	if (d->sel >= 0 && d->m.items[d->sel].first < d->scroll)
		d->scroll--;
	else if (d->sel > 0)
		select_item(d, d->sel - 1);
	else if (d->scroll > 0)
		d->scroll--;
}

/* After scrolling a page: select the first item that starts in the view (else the one
 * covering its top), unless the selection is still in view. */
static void select_in_view(struct record_screen *d, int h)
{
	size_t i;
	int cover = -1;

	if (d->sel >= 0 && d->m.items[d->sel].first >= d->scroll &&
	    d->m.items[d->sel].last <= d->scroll + h - 1)
		return;
	for (i = 0; i < d->m.nitems; i++) {
		const struct item *it = &d->m.items[i];
		if (it->first >= d->scroll && it->first <= d->scroll + h - 1) {
			select_item(d, (int)i);
			return;
		}
		if (it->first < d->scroll && it->last >= d->scroll)
			cover = (int)i;
	}
	if (cover >= 0)
		select_item(d, cover);
}

static void record_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct record_screen *d = s->data;
	int h = t->rows - 3, max = (int)d->m.n - h;
	const struct item *it = d->sel >= 0 && (size_t)d->sel < d->m.nitems ? &d->m.items[d->sel] : NULL;

	if (max < 0)
		max = 0;
	switch (a) {
	case ACT_BACK:
		tui_pop(t);
		return;
	case ACT_UP:
		record_up(d);
		break;
	case ACT_DOWN:
		record_down(t, d);
		break;
	case ACT_PAGE_DOWN:
		if (d->scroll >= max && d->m.nitems)
			select_item(d, (int)d->m.nitems - 1);
		d->scroll += h > 1 ? h - 1 : 1;
		if (d->scroll > max)
			d->scroll = max;
		select_in_view(d, h);
		break;
	case ACT_PAGE_UP:
		if (d->scroll == 0 && d->m.nitems)
			select_item(d, 0);
		d->scroll -= h > 1 ? h - 1 : 1;
		if (d->scroll < 0)
			d->scroll = 0;
		select_in_view(d, h);
		break;
	case ACT_FIRST:
		d->scroll = 0;
		select_item(d, d->m.nitems ? 0 : -1);
		break;
	case ACT_OPEN:
		if (it && it->target[0])
			tui_record_open(t, it->target);
		else
			tui_message(t, 0, _("Enter opens a reference or a linked record; %s edits the fields"),
				    tui_key_for(CTX_RECORD, ACT_EDIT));
		break;
	case ACT_EDIT:
		tui_form_open(t, NULL, d->id, NULL, 0);
		break;
	case ACT_ADD_NOTE:
		tui_prompt(t, _("Note:"), "", note_done, d);
		break;
	case ACT_HISTORY:
		history_open(t, d->id, it ? it->field : "", d->show);
		break;
	case ACT_NEW_LINKED:
		if (d->is_person) {
			struct fb_kv kv = {"person", d->id};
			tui_form_open(t, fb_kind_find("consultation"), NULL, &kv, 1);
		} else
			tui_message(t, 0, "%s",
				    _("A new consultation starts from a person's record: open the person first"));
		break;
	case ACT_REVEAL:
		if (d->show == FB_SHOW_UNMASKED) {
			d->show = FB_SHOW_MASKED;
			tui_message(t, 0, "%s", _("Personal data masked again"));
		} else if (fb_audit_enabled(t->store)) {
			tui_prompt(t, _("Why do you need the full values? (kept in the audit trail)"), "",
				   reveal_done, d);
		} else {
			d->show = FB_SHOW_UNMASKED;
			tui_message(t, 0, _("Revealed on this screen only; look only when the work needs it (%s masks)"),
				    tui_key_for(CTX_RECORD, ACT_REVEAL));
		}
		break;
	default:
		break;
	}
}

static void record_free(struct tui_screen *s)
{
	struct record_screen *d = s->data;
	size_t i;

	if (!d)
		return;
	model_clear(&d->m);
	for (i = 0; i < d->nmeta; i++)
		free(d->meta[i].author);
	free(d->meta);
	free(d);
}

static const struct tui_screen_ops record_ops = {
	"record", CTX_RECORD, record_draw, record_key, record_free, NULL,
};

void tui_record_open(struct tui *t, const char *id)
{
	struct record_screen *d;
	struct fb_error err = {0};
	char full[FB_ID_LEN + 1];

	if (!id || fb_record_resolve(t->store, full, id, &err) < 0) {
		tui_message(t, 1, "%s", id ? err.message : _("no record to open"));
		return;
	}
	if (!(d = calloc(1, sizeof *d))) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	memcpy(d->id, full, sizeof d->id);
	d->show = FB_SHOW_MASKED;
	d->sel = 0;
	tui_push(t, &record_ops, d);
}

/* ---------------------------------------------------------------- history screen */

struct hop {
	char *field, *value, *author, *opid;
	int64_t hlc;
	int visible;
	size_t seq;
	int rank;
};

struct history_screen {
	char id[FB_ID_LEN + 1];
	int may_reveal;        /* open mode, or revealed (and audited) on the record screen */
	char start_field[64];  /* scroll to this field's header on the first draw */
	int started;
	int show;
	const struct fb_kind *kind;
	char title[512];
	struct hop *ops;
	size_t n, cap;
	struct model m;
	int scroll;
	int error;
	char errmsg[FB_ERROR_MESSAGE_MAX];
};

static int field_rank(const struct fb_kind *k, const char *name)
{
	const struct fb_field *f;

	if (!strcmp(name, "_exists"))
		return -1;
	for (f = k ? k->fields : NULL; f && f->name; f++)
		if (!strcmp(f->name, name))
			return (int)(f - k->fields);
	return 1000;
}

static int collect_op(const struct fb_op *op, int visible, void *ctx)
{
	struct history_screen *h = ctx;
	struct hop *o;

	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct hop *n2 = realloc(h->ops, cap * sizeof *n2);
		if (!n2)
			return 1;
		h->ops = n2;
		h->cap = cap;
	}
	o = &h->ops[h->n];
	o->field = strdup(op->field);
	o->value = strdup(op->value ? op->value : "");
	o->author = strdup(op->author ? op->author : "");
	o->opid = strdup(op->id);
	o->hlc = op->hlc;
	o->visible = visible;
	o->seq = h->n;
	o->rank = field_rank(h->kind, op->field);
	if (!o->field || !o->value || !o->author || !o->opid) {
		free(o->field);
		free(o->value);
		free(o->author);
		free(o->opid);
		return 1;
	}
	h->n++;
	return 0;
}

/* Fields in schema order (record first, unknown fields last by name); ops in the order
 * fb_record_history gave them (total order within a field). */
static int cmp_hop(const void *a, const void *b)
{
	const struct hop *x = a, *y = b;
	int c;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if ((c = strcmp(x->field, y->field)) != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void history_build(struct tui *t, struct history_screen *h)
{
	struct model *m = &h->m;
	const char *last = NULL;
	size_t i;
	int start_line = -1;
	char buf[512];

	model_clear(m);
	if (h->error) {
		add_line(m, -1, 0, NULL, 0, h->errmsg, TUI_ERROR);
		return;
	}
	add_line(m, -1, 0, NULL, 0, _("* = current value; oldest first"), TUI_DIM);
	for (i = 0; i < h->n; i++) {
		const struct hop *o = &h->ops[i];
		const struct fb_field *f = h->kind ? fb_field_find(h->kind, o->field) : NULL;
		char t1[32], dev[FB_OPID_MAX];
		size_t dl = strcspn(o->opid, ":");
		char *v;
		struct line *l;
		int x = 6;

		if (f && strcmp(f->name, o->field))
			f = NULL;
		if (!last || strcmp(last, o->field)) {
			const char *label = !strcmp(o->field, "_exists") ? _("Record")
					    : !strcmp(o->field, "merged_into") ? _("Merged into")
					    : f ? fb_field_label(f) : o->field;
			add_blank(m);
			if (start_line < 0 && h->start_field[0] && !strcmp(h->start_field, o->field))
				start_line = (int)m->n;
			snprintf(buf, sizeof buf, "%s  (%s)", label, o->field);
			add_line(m, -1, 0, NULL, 0, buf, TUI_BOLD);
			last = o->field;
		}
		fmt_time(t1, sizeof t1, o->hlc);
		if (dl >= sizeof dev)
			dl = sizeof dev - 1;
		memcpy(dev, o->opid, dl);
		dev[dl] = '\0';
		snprintf(buf, sizeof buf, "%s  %s  %s", t1, o->author, dev);
		l = add_line(m, -1, 2, NULL, 0, buf, o->visible ? TUI_NORMAL : TUI_DIM);
		if (l && o->visible) {
			snprintf(l->mark, sizeof l->mark, "*");
			l->mark_style = TUI_MARK;
		}
		if (!strcmp(o->field, "_exists"))
			v = strdup(!strcmp(o->value, "1") ? _("created") : _("deleted"));
		else if (!*o->value)
			v = strdup(_("(cleared)"));
		else
			v = value_display(t->store, f, o->value, h->show);
		if (f && f->type == FB_T_MULTILINE)
			add_wrapped(m, -1, x, NULL, 0, v ? v : "", o->visible ? TUI_BOLD : TUI_NORMAL,
				    t->cols - x, 0);
		else
			add_line(m, -1, x, NULL, 0, v ? v : "", o->visible ? TUI_BOLD : TUI_NORMAL);
		free(v);
	}
	if (!h->n)
		add_line(m, -1, 0, NULL, 0, _("(no history)"), TUI_DIM);
	if (!h->started) {
		h->started = 1;
		if (start_line >= 0)
			h->scroll = start_line;
	}
}

static void history_draw(struct tui *t, struct tui_screen *s)
{
	struct history_screen *h = s->data;
	static const enum tui_action acts[] = {ACT_DOWN, ACT_PAGE_DOWN, ACT_REVEAL, ACT_BACK};
	const char *labels[4];
	char hints[256];

	history_build(t, h);
	keep_visible(&h->m, -1, t->rows - 3, &h->scroll);
	draw_model(t, &h->m, -1, h->scroll);
	labels[0] = _("scroll");
	labels[1] = _("page");
	labels[2] = h->show == FB_SHOW_UNMASKED ? _("mask") : _("reveal");
	labels[3] = _("back");
	build_hints(hints, sizeof hints, CTX_HISTORY, acts, labels, 4);
	tui_frame(t, h->title, hints);
}

static void history_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct history_screen *h = s->data;
	int rows = t->rows - 3, max = (int)h->m.n - rows;

	if (max < 0)
		max = 0;
	switch (a) {
	case ACT_BACK:
		tui_pop(t);
		return;
	case ACT_UP:
		h->scroll--;
		break;
	case ACT_DOWN:
		h->scroll++;
		break;
	case ACT_PAGE_UP:
		h->scroll -= rows > 1 ? rows - 1 : 1;
		break;
	case ACT_PAGE_DOWN:
		h->scroll += rows > 1 ? rows - 1 : 1;
		break;
	case ACT_FIRST:
		h->scroll = 0;
		break;
	case ACT_REVEAL:
		if (h->show != FB_SHOW_UNMASKED && !h->may_reveal) {
			tui_message(t, 0, "%s", _("Reveal on the record screen first: it asks the reason for the audit trail"));
			break;
		}
		h->show = h->show == FB_SHOW_UNMASKED ? FB_SHOW_MASKED : FB_SHOW_UNMASKED;
		if (h->show == FB_SHOW_UNMASKED)
			tui_message(t, 0, _("Revealed on this screen only; look only when the work needs it (%s masks)"),
				    tui_key_for(CTX_HISTORY, ACT_REVEAL));
		else
			tui_message(t, 0, "%s", _("Personal data masked again"));
		break;
	default:
		break;
	}
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
}

static void history_free(struct tui_screen *s)
{
	struct history_screen *h = s->data;
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		free(h->ops[i].field);
		free(h->ops[i].value);
		free(h->ops[i].author);
		free(h->ops[i].opid);
	}
	free(h->ops);
	model_clear(&h->m);
	free(h);
}

static const struct tui_screen_ops history_ops = {
	"history", CTX_HISTORY, history_draw, history_key, history_free, NULL,
};

/* The history of record id; field: start scrolled to it ("" = the top). */
static void history_open(struct tui *t, const char *id, const char *field, int show)
{
	struct history_screen *h = calloc(1, sizeof *h);
	struct fb_record *r = NULL;
	struct fb_error err = {0};

	if (!h) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	snprintf(h->id, sizeof h->id, "%s", id);
	snprintf(h->start_field, sizeof h->start_field, "%s", field ? field : "");
	h->show = show;
	h->may_reveal = show == FB_SHOW_UNMASKED || !fb_audit_enabled(t->store);
	if (fb_record_get(&r, t->store, id, &err) == 0) {
		char *title = title_display(r->kind, r->title, show);
		h->kind = r->kind;
		snprintf(h->title, sizeof h->title, _("History: %s  %s  %s"),
			 r->kind ? fb_kind_label(r->kind) : r->kind_name, title ? title : "", r->id);
		free(title);
		fb_record_free(r);
	} else
		snprintf(h->title, sizeof h->title, _("History: %s"), id);
	if (fb_record_history(t->store, id, collect_op, h, &err) < 0) {
		h->error = 1;
		snprintf(h->errmsg, sizeof h->errmsg, "%s", err.message);
	}
	if (h->n > 1)
		qsort(h->ops, h->n, sizeof *h->ops, cmp_hop);
	tui_push(t, &history_ops, h);
}
