/* tui_review.c - the review screen: conflicts, possible duplicate people, alarms and
 * devices, with their decisions (tui layer).
 *
 * Four queues, one at a time (Tab or 1-4).  Enter acts on the selected line: a conflict
 * opens a picker of its values (or keep deleted / restore, or type a new value), a
 * duplicate pair asks before merging the second person into the first, an alarm shows
 * what to do; `a` acknowledges an alarm, `m` sets the review mark, `o` opens the record.
 * Every decision is a core call (review.h) that writes ordinary ops. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/review.h"
#include "fieldbook/sync.h"
#include "fieldbook/value.h"
#include "tui.h"

#define MAX_ITEMS 500
#define MAX_VALUES 32

enum { Q_CONFLICTS, Q_DUPLICATES, Q_ALARMS, Q_DEVICES, NQUEUES };

struct item {
	char *line;   /* the list line */
	char *detail; /* shown under the list for the selected line */
	char rec[FB_ID_LEN + 1], rec2[FB_ID_LEN + 1];
	char field[64];
	char kind[32];
	int64_t alarm;
	size_t nops;
	char ops[MAX_VALUES][FB_OPID_MAX];
	char *labels[MAX_VALUES];
};

struct review {
	struct tui *t;
	int queue;
	struct item *items;
	size_t n, cap;
	int count[NQUEUES];
	int sel, top;
	struct fb_sync *sync; /* devices queue: labels and teams, while reloading */
	/* the picker of a conflict's values */
	struct fb_choice *choices;
	struct fb_field pick_field;
};

static void items_clear(struct review *r)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].line);
		free(r->items[i].detail);
		for (j = 0; j < r->items[i].nops; j++)
			free(r->items[i].labels[j]);
	}
	r->n = 0;
}

static struct item *item_new(struct review *r)
{
	if (r->n >= MAX_ITEMS)
		return NULL;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 32;
		struct item *n2 = realloc(r->items, cap * sizeof *n2);
		if (!n2)
			return NULL;
		r->items = n2;
		r->cap = cap;
	}
	memset(&r->items[r->n], 0, sizeof r->items[r->n]);
	return &r->items[r->n++];
}

/* Appends printf text to a malloc'd string. */
static void cat(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char **s, const char *fmt, ...)
{
	char buf[2048];
	size_t old = *s ? strlen(*s) : 0;
	char *n2;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if ((n2 = realloc(*s, old + strlen(buf) + 1))) {
		memcpy(n2 + old, buf, strlen(buf) + 1);
		*s = n2;
	}
}

static char *value_text(const char *kind, const struct fb_conflict_value *v)
{
	const struct fb_kind *k = fb_kind_find(kind);
	const struct fb_field *f = k ? fb_field_find(k, v->field) : NULL;
	char t[48], *shown, *out = NULL;

	if (!strcmp(v->field, "_exists"))
		shown = strdup(!strcmp(v->value, "0") ? _("deleted") : _("created"));
	else
		shown = *v->value ? fb_value_display(f, v->value, FB_SHOW_MASKED) : strdup(_("(empty)"));
	fb_clock_format_ms(t, sizeof t, fb_hlc_ms(v->hlc));
	cat(&out, _("%s  (%s, device %.8s, %.16s)"), shown ? shown : "", v->author, v->device, t);
	free(shown);
	return out;
}

static int add_conflict(const struct fb_conflict *c, void *ctx)
{
	struct review *r = ctx;
	const struct fb_kind *k = fb_kind_find(c->kind);
	const struct fb_field *f = k ? fb_field_find(k, c->field) : NULL;
	struct item *it;
	size_t i;

	r->count[Q_CONFLICTS]++;
	if (r->queue != Q_CONFLICTS || !(it = item_new(r)))
		return 0;
	snprintf(it->rec, sizeof it->rec, "%s", c->rec);
	snprintf(it->field, sizeof it->field, "%s", c->field);
	snprintf(it->kind, sizeof it->kind, "%s", c->kind);
	if (!strcmp(c->field, "_exists"))
		cat(&it->line, _("%s  %s: deleted on one device, changed on another"), fb_kind_label(k),
		    *c->title ? c->title : c->rec);
	else
		cat(&it->line, _("%s  %s: %s has %zu values"), fb_kind_label(k), *c->title ? c->title : c->rec,
		    f ? fb_field_label(f) : c->field, c->nvalues);
	for (i = 0; i < c->nvalues && i < MAX_VALUES; i++) {
		char *vt = value_text(c->kind, &c->values[i]);
		const struct fb_field *vf = k ? fb_field_find(k, c->values[i].field) : NULL;
		if (!strcmp(c->field, "_exists") && strcmp(c->values[i].field, "_exists"))
			cat(&it->labels[i], "%s: %s", vf ? fb_field_label(vf) : c->values[i].field, vt ? vt : "");
		else
			cat(&it->labels[i], "%s", vt ? vt : "");
		cat(&it->detail, "%zu  %s\n", i + 1, it->labels[i] ? it->labels[i] : "");
		snprintf(it->ops[i], sizeof it->ops[i], "%s", c->values[i].op);
		it->nops++;
		free(vt);
	}
	if (c->base) {
		char *bt = value_text(c->kind, c->base);
		cat(&it->detail, _("earlier value: %s\n"), bt ? bt : "");
		free(bt);
	} else if (strcmp(c->field, "_exists")) {
		cat(&it->detail, "%s\n", _("earlier value: none"));
	}
	return 0;
}

static int add_dup(const struct fb_dup_group *g, void *ctx)
{
	struct review *r = ctx;
	struct item *it;
	size_t i;

	r->count[Q_DUPLICATES]++;
	if (r->queue != Q_DUPLICATES || !(it = item_new(r)))
		return 0;
	snprintf(it->rec, sizeof it->rec, "%s", g->recs[0]);
	snprintf(it->rec2, sizeof it->rec2, "%s", g->recs[1]);
	cat(&it->line, "%s ", !strcmp(g->reason, "id") ? _("same ID number:") : _("same name and mobile:"));
	for (i = 0; i < g->n; i++) {
		struct fb_record *rec = NULL;
		struct fb_error err = {0};
		char t[48];
		if (fb_record_get(&rec, r->t->store, g->recs[i], &err) < 0)
			continue;
		fb_clock_format_ms(t, sizeof t, fb_hlc_ms(rec->created_hlc));
		cat(&it->line, "%s%s (%.8s)", i ? " = " : "", rec->title ? rec->title : "", rec->id);
		cat(&it->detail, _("%zu  %s (%.8s) added by %s on device %.8s, %.16s\n"), i + 1,
		    rec->title ? rec->title : "", rec->id, rec->created_by ? rec->created_by : "",
		    rec->created_device ? rec->created_device : "", t);
		fb_record_free(rec);
	}
	cat(&it->detail, "%s\n", _("Enter merges the second into the first; every value is kept."));
	return 0;
}

static int add_alarm(const struct fb_alarm *a, void *ctx)
{
	struct review *r = ctx;
	struct item *it;
	char t[48];

	r->count[Q_ALARMS]++;
	if (r->queue != Q_ALARMS || !(it = item_new(r)))
		return 0;
	it->alarm = a->id;
	fb_clock_format_ms(t, sizeof t, a->at_ms);
	cat(&it->line, "#%lld  %.16s  %s", (long long)a->id, t, a->what);
	cat(&it->detail, _("What happened: %s\n\nWhat to do: %s\n"), a->detail, a->advice);
	return 0;
}

static int add_device(const struct fb_device_stat *d, void *ctx)
{
	struct review *r = ctx;
	struct item *it;
	char t[48];

	r->count[Q_DEVICES]++;
	if (r->queue != Q_DEVICES || !(it = item_new(r)))
		return 0;
	fb_clock_format_ms(t, sizeof t, fb_hlc_ms(d->last_hlc));
	cat(&it->line, _("%.8s  %lld records, %lld new, last %.10s, alarms %lld"), d->device,
	    (long long)d->records, (long long)d->since_review, t, (long long)d->alarms);
	cat(&it->detail, _("device %s%s\noperators: %s\n"), d->device,
	    strcmp(d->device, fb_store_device(r->t->store)) ? "" : _(" (this computer)"), d->authors);
	if (r->sync) {
		char label[128], team[128];
		int64_t ms = 0;
		struct fb_error err = {0};
		if (fb_sync_device_info(r->sync, d->device, label, sizeof label, team, sizeof team, &ms, &err) == 0) {
			fb_clock_format_ms(t, sizeof t, ms);
			cat(&it->detail, _("label %s, team %s\nlast sync that reached here: %s\n"), label, team, t);
			cat(&it->line, "  %s", team);
		}
	}
	return 0;
}

static void reload(struct review *r)
{
	struct fb_error err = {0};
	int64_t mark = 0;

	items_clear(r);
	if (r->queue == Q_DEVICES && fb_sync_open(&r->sync, r->t->store, &err) < 0) {
		r->sync = NULL; /* a sync running elsewhere: no labels or teams this time */
		fb_error_clear(&err);
	}
	/* Conflicts and alarms are index lookups, counted on every reload; duplicates and
	 * devices read every person or record (about 3 and 4 s at a million), so they are
	 * counted when their queue is shown, and their count stays from then. */
	r->count[Q_CONFLICTS] = r->count[Q_ALARMS] = 0;
	if (r->queue == Q_DUPLICATES || r->queue == Q_DEVICES)
		r->count[r->queue] = 0;
	if (fb_review_conflicts(r->t->store, NULL, add_conflict, r, &err) < 0 ||
	    fb_alarm_list(r->t->store, 0, add_alarm, r, &err) < 0 ||
	    (r->queue == Q_DUPLICATES && fb_review_duplicates(r->t->store, add_dup, r, &err) < 0) ||
	    (r->queue == Q_DEVICES && fb_review_devices(r->t->store, add_device, r, &err) < 0))
		tui_message(r->t, 1, "%s", err.message);
	fb_sync_free(r->sync);
	r->sync = NULL;
	if (r->queue == Q_DEVICES && fb_review_mark_get(r->t->store, &mark, &err) == 0) {
		struct item *it = item_new(r);
		char t[48];
		if (it) {
			/* the mark's line goes first */
			struct item keep = *it;
			memmove(&r->items[1], &r->items[0], (r->n - 1) * sizeof *r->items);
			r->items[0] = keep;
			it = &r->items[0];
			fb_clock_format_ms(t, sizeof t, fb_hlc_ms(mark));
			cat(&it->line, _("last review: %s"), mark ? t : _("never"));
			cat(&it->detail, "%s\n", _("m sets the review mark to now: new records are counted from then."));
		}
	}
	if (r->sel >= (int)r->n)
		r->sel = r->n ? (int)r->n - 1 : 0;
}

static void review_draw(struct tui *t, struct tui_screen *s)
{
	struct review *r = s->data;
	static const char *const names[NQUEUES] = {N_("Conflicts"), N_("Duplicates"), N_("Alarms"), N_("Devices")};
	char hints[256], tab[128];
	int x = 0, q, y, h, i;

	snprintf(hints, sizeof hints, _("%s next queue  %s decide  %s acknowledge  %s mark  %s record  %s back"),
		 tui_key_for(CTX_REVIEW, ACT_REVIEW_NEXT), tui_key_for(CTX_REVIEW, ACT_OPEN),
		 tui_key_for(CTX_REVIEW, ACT_ACK), tui_key_for(CTX_REVIEW, ACT_MARK),
		 tui_key_for(CTX_REVIEW, ACT_OPEN_RECORD), tui_key_for(CTX_REVIEW, ACT_BACK));
	for (q = 0; q < NQUEUES; q++) {
		if (r->count[q] < 0)
			snprintf(tab, sizeof tab, " %d %s ", q + 1, _(names[q]));
		else
			snprintf(tab, sizeof tab, " %d %s (%d) ", q + 1, _(names[q]), r->count[q]);
		if (x < t->cols)
			tui_put(t, 1, x, tui_cols(tab) < t->cols - x ? tui_cols(tab) : t->cols - x, tab,
				q == r->queue ? TUI_REVERSE : TUI_NORMAL, 0);
		x += tui_cols(tab) + 1;
	}
	tui_rule(t, 2);
	h = (t->rows - 5) / 2;
	if (h < 3)
		h = 3;
	if (r->sel < r->top)
		r->top = r->sel;
	if (r->sel >= r->top + h)
		r->top = r->sel - h + 1;
	if (!r->n)
		tui_put(t, 3, 0, t->cols, _("nothing to review here"), TUI_DIM, 1);
	for (i = 0, y = 3; i < h && r->top + i < (int)r->n; i++, y++)
		tui_put(t, y, 0, t->cols, r->items[r->top + i].line, r->top + i == r->sel ? TUI_REVERSE : TUI_NORMAL, 1);
	if (r->n && r->items[r->sel].detail) {
		/* the detail of the selected line, line by line, each wrapped by columns */
		const char *p = r->items[r->sel].detail;
		char line[2048];
		tui_rule(t, 3 + h);
		for (y = 4 + h; *p && y < t->rows - 2;) {
			size_t len = strcspn(p, "\n");
			snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line - 1 ? len : sizeof line - 1), p);
			y = *line ? tui_wrap(t, y, line, TUI_NORMAL) : y + 1;
			p += len;
			if (*p == '\n')
				p++;
		}
	}
	tui_frame(t, _("Review"), hints); /* last: a long detail never covers the status lines */
}

static struct review *top_review(struct tui *t)
{
	return t->top && t->top->ops->context == CTX_REVIEW ? t->top->data : NULL;
}

static void new_value_done(struct tui *t, void *ctx, const char *text)
{
	struct review *r = top_review(t);
	struct fb_error err = {0};
	struct item *it;
	struct fb_kv kv;

	(void)ctx;
	if (!r || !text || !r->n)
		return;
	it = &r->items[r->sel];
	kv.field = it->field;
	kv.value = text;
	if (fb_record_edit(t->store, it->rec, &kv, 1, NULL, 0, &err) < 0)
		tui_message(t, 1, "%s", err.message);
	else
		tui_message(t, 0, "%s", _("resolved with the new value"));
	reload(r);
}

static void pick_done(struct tui *t, void *ctx, const char *code)
{
	struct review *r = top_review(t);
	struct fb_error err = {0};
	struct item *it;
	int rc;

	(void)ctx;
	if (!r || !code || !r->n)
		return;
	it = &r->items[r->sel];
	if (!strcmp(code, "new")) {
		struct fb_record *rec = NULL;
		int exists = fb_record_get(&rec, t->store, it->rec, &err) == 0 && rec->exists;
		fb_record_free(rec);
		if (!exists)
			tui_message(t, 1, "%s", _("this record is deleted: first keep it deleted or restore it (the line "
						   "above), or pick one of the values"));
		else
			tui_prompt(t, _("New value:"), "", new_value_done, NULL);
		return;
	}
	if (!strcmp(code, "keep"))
		rc = fb_review_keep_deleted(t->store, it->rec, &err);
	else if (!strcmp(code, "restore"))
		rc = fb_review_restore(t->store, it->rec, &err);
	else
		rc = fb_review_pick(t->store, it->rec, it->field, it->ops[atoi(code) - 1], &err);
	if (rc < 0)
		tui_message(t, 1, "%s", err.message);
	else
		tui_message(t, 0, "%s", _("resolved; the decision syncs like any edit"));
	reload(r);
}

static void free_choices(struct review *r)
{
	size_t i;

	for (i = 0; r->choices && r->choices[i].code; i++)
		free((char *)r->choices[i].code);
	free(r->choices);
	r->choices = NULL;
}

static void open_conflict(struct tui *t, struct review *r, struct item *it)
{
	const struct fb_kind *k = fb_kind_find(it->kind);
	const struct fb_field *f = k ? fb_field_find(k, it->field) : NULL;
	int deletion = !strcmp(it->field, "_exists");
	size_t i, n = 0;

	free_choices(r);
	if (!(r->choices = calloc(it->nops + 4, sizeof *r->choices)))
		return;
	if (deletion) {
		r->choices[n].code = strdup("keep");
		r->choices[n].zh = r->choices[n].en = _("keep it deleted");
		n++;
		r->choices[n].code = strdup("restore");
		r->choices[n].zh = r->choices[n].en = _("restore it, with these changes");
		n++;
	} else {
		for (i = 0; i < it->nops; i++) {
			char num[24];
			snprintf(num, sizeof num, "%zu", i + 1);
			r->choices[n].code = strdup(num);
			r->choices[n].zh = r->choices[n].en = it->labels[i] ? it->labels[i] : "";
			n++;
		}
		r->choices[n].code = strdup("new");
		r->choices[n].zh = r->choices[n].en = _("type a new value...");
		n++;
	}
	memset(&r->pick_field, 0, sizeof r->pick_field);
	if (f)
		r->pick_field = *f;
	else {
		r->pick_field.name = it->field;
		r->pick_field.zh = r->pick_field.en = deletion ? _("what to keep") : it->field;
	}
	r->pick_field.type = FB_T_CHOICE;
	r->pick_field.flags = 0;
	r->pick_field.choices = r->choices;
	r->pick_field.catalogue = NULL;
	tui_picker_open(t, &r->pick_field, NULL, NULL, pick_done, r);
}

static void merge_done(struct tui *t, void *ctx, const char *text)
{
	struct review *r = top_review(t);
	struct fb_error err = {0};
	size_t added = 0, conflicts = 0;

	(void)ctx;
	if (!r || !text || !r->n)
		return;
	if (fb_merge(t->store, r->items[r->sel].rec, r->items[r->sel].rec2, &added, &conflicts, &err) < 0)
		tui_message(t, 1, "%s", err.message);
	else
		tui_message(t, 0, _("merged: %zu values copied, %zu fields to resolve under Conflicts"), added,
			    conflicts);
	reload(r);
}

static void review_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct review *r = s->data;
	struct item *it = r->n ? &r->items[r->sel] : NULL;
	struct fb_error err = {0};
	int page = (t->rows - 5) / 2;

	switch (a) {
	case ACT_UP:
		if (r->sel > 0)
			r->sel--;
		break;
	case ACT_DOWN:
		if (r->sel + 1 < (int)r->n)
			r->sel++;
		break;
	case ACT_PAGE_UP:
		r->sel = r->sel > page ? r->sel - page : 0;
		break;
	case ACT_PAGE_DOWN:
		r->sel = r->sel + page < (int)r->n ? r->sel + page : (r->n ? (int)r->n - 1 : 0);
		break;
	case ACT_FIRST:
		r->sel = 0;
		break;
	case ACT_BACK:
		tui_pop(t);
		return;
	case ACT_HELP:
		tui_help_open(t);
		return;
	case ACT_REVIEW_NEXT:
		r->queue = (r->queue + 1) % NQUEUES;
		r->sel = r->top = 0;
		reload(r);
		break;
	case ACT_OPEN:
		if (!it)
			break;
		if (r->queue == Q_CONFLICTS)
			open_conflict(t, r, it);
		else if (r->queue == Q_DUPLICATES)
			tui_confirm(t, _("Merge the second person into the first? (y/n)"), merge_done, r);
		else if (r->queue == Q_ALARMS)
			tui_message(t, 0, "%s", _("when it is dealt with, a acknowledges the alarm"));
		break;
	case ACT_OPEN_RECORD:
		if (it && it->rec[0])
			tui_record_open(t, it->rec);
		break;
	case ACT_ACK:
		if (!it || r->queue != Q_ALARMS)
			break;
		if (fb_alarm_ack(t->store, it->alarm, NULL, &err) < 0)
			tui_message(t, 1, "%s", err.message);
		else
			tui_message(t, 0, "%s", _("alarm acknowledged"));
		reload(r);
		break;
	case ACT_MARK:
		if (fb_review_mark_set(t->store, &err) < 0)
			tui_message(t, 1, "%s", err.message);
		else
			tui_message(t, 0, "%s", _("review mark set: new records are counted from now"));
		reload(r);
		break;
	default:
		if (!is_key && ch >= '1' && ch < '1' + NQUEUES) {
			r->queue = (int)(ch - '1');
			r->sel = r->top = 0;
			reload(r);
		}
		break;
	}
}

static void review_free(struct tui_screen *s)
{
	struct review *r = s->data;

	if (!r)
		return;
	items_clear(r);
	free(r->items);
	free_choices(r);
	free(r);
	s->data = NULL;
}

static const struct tui_screen_ops review_ops = {
	"review", CTX_REVIEW, review_draw, review_key, review_free, NULL,
};

void tui_review_open(struct tui *t)
{
	struct review *r = calloc(1, sizeof *r);

	if (!r) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	r->t = t;
	r->count[Q_DUPLICATES] = r->count[Q_DEVICES] = -1; /* not counted yet */
	reload(r);
	tui_push(t, &review_ops, r);
}
