/* tui_sync.c - the sync screen: the remotes of the configuration file, syncing one or
 * all of them with a progress bar, writing and reading bundle files (tui layer: calls
 * the sync API of include/fieldbook/sync.h, never libgit2).
 *
 * A sync runs in the key handler (the sync layer runs its network steps in a watched
 * child process and calls the progress callback here, where the bar is redrawn).  The
 * outcome stays on the screen in plain words ("pushed 37 changes, received 112 from 3
 * devices, 2 new conflicts") or as the error message; the home screen and the status
 * bar read the store on every draw, so they show the new data on return. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/config.h"
#include "fieldbook/i18n.h"
#include "fieldbook/sync.h"
#include "tui.h"

#define MAX_REMOTES 64

struct syncscr {
	size_t n;
	char *names[MAX_REMOTES], *urls[MAX_REMOTES];
	int sel;               /* with more than one remote, line 0 is "every remote" */
	char outcome[2048];    /* the last outcome or error, and notices */
	int outcome_error;
	int running;           /* a sync is in progress: draw the bar */
	char phase[16];
	uint64_t done, total, bytes;
	struct tui *t;         /* for the progress callback */
	struct tui_screen *self;
};

static int nlines(const struct syncscr *ss)
{
	return ss->n > 1 ? (int)ss->n + 1 : (int)ss->n;
}

static void load_remotes(struct tui *t, struct syncscr *ss)
{
	struct fb_config *cfg = NULL;
	struct fb_error err = {0};
	char path[4096];
	size_t i, n;

	if (fb_config_default_path(path, sizeof path, &err) < 0 || fb_config_load(&cfg, path, &err) < 0) {
		snprintf(ss->outcome, sizeof ss->outcome, "%s", err.message);
		ss->outcome_error = 1;
		return;
	}
	n = fb_config_count(cfg);
	for (i = 0; i < n && ss->n < MAX_REMOTES; i++) {
		const char *k, *v, *dot;
		if (fb_config_at(cfg, i, &k, &v) < 0 || strncmp(k, "remote.", 7) || !(dot = strrchr(k, '.')) ||
		    strcmp(dot, ".url") || dot - (k + 7) <= 0 || dot - (k + 7) > 64)
			continue;
		ss->names[ss->n] = strndup(k + 7, (size_t)(dot - (k + 7)));
		ss->urls[ss->n] = strdup(v);
		if (ss->names[ss->n] && ss->urls[ss->n])
			ss->n++;
		else {
			free(ss->names[ss->n]);
			free(ss->urls[ss->n]);
		}
	}
	fb_config_free(cfg);
}

static void human_bytes(char *buf, size_t cap, uint64_t b)
{
	if (b >= 10u * 1024 * 1024)
		snprintf(buf, cap, "%.0f MiB", (double)b / (1024.0 * 1024.0));
	else if (b >= 1024 * 1024)
		snprintf(buf, cap, "%.1f MiB", (double)b / (1024.0 * 1024.0));
	else if (b >= 1024)
		snprintf(buf, cap, "%.0f KiB", (double)b / 1024.0);
	else
		snprintf(buf, cap, "%llu B", (unsigned long long)b);
}

static void sync_draw(struct tui *t, struct tui_screen *s)
{
	struct syncscr *ss = s->data;
	char hints[256], line[1024];
	int y = 2, i, n = nlines(ss);

	snprintf(hints, sizeof hints, _("%s sync  %s write a bundle  %s read a bundle  %s back"),
		 tui_key_for(CTX_SYNC, ACT_SYNC), tui_key_for(CTX_SYNC, ACT_BUNDLE_WRITE),
		 tui_key_for(CTX_SYNC, ACT_BUNDLE_READ), tui_key_for(CTX_SYNC, ACT_BACK));
	tui_frame(t, _("Sync"), hints);
	if (!ss->n) {
		y = tui_wrap(t, y, _("No remotes yet: `fieldbook remote add NAME URL` adds one (a USB stick, ssh:// "
				     "or https://). Without a network, write a bundle file and send it."), TUI_NORMAL);
	}
	for (i = 0; i < n && y < t->rows - 6; i++, y++) {
		int style = i == ss->sel ? TUI_REVERSE : TUI_NORMAL;
		if (ss->n > 1 && i == 0) {
			snprintf(line, sizeof line, _(" every remote (%zu)"), ss->n);
		} else {
			size_t k = ss->n > 1 ? (size_t)i - 1 : (size_t)i;
			snprintf(line, sizeof line, " %-12s %s", ss->names[k], ss->urls[k]);
		}
		tui_put(t, y, 0, t->cols, line, style, 1);
	}
	y++;
	if (ss->running) {
		char b[32];
		int w = t->cols - 2, fill;
		if (w > 60)
			w = 60;
		fill = ss->total ? (int)((double)w * (double)ss->done / (double)ss->total) : 0;
		if (fill > w)
			fill = w;
		line[0] = '[';
		memset(line + 1, '#', (size_t)fill);
		memset(line + 1 + fill, t->ascii ? '.' : '-', (size_t)(w - fill));
		line[w + 1] = ']';
		line[w + 2] = '\0';
		tui_put(t, y++, 0, t->cols, line, TUI_BOLD, 1);
		human_bytes(b, sizeof b, ss->bytes);
		if (ss->phase[0])
			snprintf(line, sizeof line, _("%s: %llu of %llu objects, %s"),
				 !strcmp(ss->phase, "push") ? _("sending") : _("receiving"),
				 (unsigned long long)ss->done, (unsigned long long)ss->total, b);
		else
			snprintf(line, sizeof line, "%s", _("syncing..."));
		tui_put(t, y++, 0, t->cols, line, TUI_NORMAL, 1);
	} else if (ss->outcome[0]) {
		tui_wrap(t, y, ss->outcome, ss->outcome_error ? TUI_ERROR : TUI_BOLD);
	}
}

static void redraw(struct syncscr *ss)
{
	tui_draw_all(ss->t);
}

static void progress_cb(const char *phase, uint64_t done, uint64_t total, uint64_t bytes, void *ctx)
{
	struct syncscr *ss = ctx;

	snprintf(ss->phase, sizeof ss->phase, "%s", phase ? phase : "");
	ss->done = done;
	ss->total = total;
	ss->bytes = bytes;
	redraw(ss);
}

static void add_outcome(struct syncscr *ss, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_outcome(struct syncscr *ss, const char *fmt, ...)
{
	size_t n = strlen(ss->outcome);
	va_list ap;

	if (n && n + 2 < sizeof ss->outcome) {
		ss->outcome[n++] = ' ';
		ss->outcome[n] = '\0';
	}
	va_start(ap, fmt);
	vsnprintf(ss->outcome + n, sizeof ss->outcome - n, fmt, ap);
	va_end(ap);
}

static void notify_cb(const char *msg, void *ctx)
{
	struct syncscr *ss = ctx;

	add_outcome(ss, "%s", msg);
}

/* The outcome in plain words; pushed: a sync (a bundle read pushes nothing). */
static void stats_words(struct syncscr *ss, const char *what, const struct fb_sync_stats *st, int pushed)
{
	char buf[512];
	long long nc = st->new_conflicts > 0 ? (long long)st->new_conflicts : 0;

	if (pushed)
		snprintf(buf, sizeof buf, _("pushed %lld changes, received %lld from %d device%s, %lld new conflict%s"),
			 (long long)st->ops_pushed, (long long)st->ops_received, st->devices,
			 st->devices == 1 ? "" : "s", nc, nc == 1 ? "" : "s");
	else
		snprintf(buf, sizeof buf, _("received %lld changes from %d device%s, %lld new conflict%s"),
			 (long long)st->ops_received, st->devices, st->devices == 1 ? "" : "s", nc,
			 nc == 1 ? "" : "s");
	if (st->quarantined) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, _(", %d branch%s quarantined"), st->quarantined,
			 st->quarantined == 1 ? "" : "es");
	}
	add_outcome(ss, "%s: %s.", what, buf);
	if (st->quarantined)
		ss->outcome_error = 1;
}

/* Opens the sync layer on the TUI's store, with the notices and progress coming here. */
static struct fb_sync *open_sync(struct syncscr *ss, struct fb_error *err)
{
	struct fb_sync *sync = NULL;

	if (fb_sync_open(&sync, ss->t->store, err) < 0)
		return NULL;
	fb_sync_set_notify(sync, notify_cb, ss);
	fb_sync_set_progress(sync, progress_cb, ss);
	return sync;
}

static void run_sync(struct tui *t, struct syncscr *ss)
{
	struct fb_error err = {0};
	struct fb_sync *sync;
	size_t first, last, i;
	int pass;

	if (!ss->n) {
		tui_message(t, 1, "%s", _("no remotes to sync with; b writes a bundle file instead"));
		return;
	}
	if (ss->n > 1 && ss->sel == 0) {
		first = 0;
		last = ss->n;
	} else {
		first = ss->n > 1 ? (size_t)ss->sel - 1 : (size_t)ss->sel;
		last = first + 1;
	}
	ss->outcome[0] = '\0';
	ss->outcome_error = 0;
	ss->running = 1;
	ss->phase[0] = '\0';
	redraw(ss);
	if (!(sync = open_sync(ss, &err))) {
		ss->running = 0;
		add_outcome(ss, "%s", err.message);
		ss->outcome_error = 1;
		return;
	}
	/* Like `fieldbook sync`: a second pass gives the earlier remotes what later ones brought. */
	for (pass = 0; pass < (last - first > 1 ? 2 : 1); pass++) {
		for (i = first; i < last; i++) {
			struct fb_sync_stats st = {0};
			char what[128];
			if (pass == 1 && i + 1 == last)
				continue;
			ss->phase[0] = '\0';
			if (fb_sync_remote(sync, ss->names[i], ss->urls[i], &st, &err) < 0) {
				snprintf(what, sizeof what, _("sync with %s failed"), ss->names[i]);
				add_outcome(ss, "%s: %s", what, err.message);
				ss->outcome_error = 1;
				fb_error_clear(&err);
				continue;
			}
			if (pass == 1 && !st.ops_pushed && !st.ops_received && !st.quarantined)
				continue;
			snprintf(what, sizeof what, _("synced with %s"), ss->names[i]);
			stats_words(ss, what, &st, 1);
		}
	}
	fb_sync_free(sync);
	ss->running = 0;
}

static void expand_home(char *out, size_t cap, const char *path)
{
	const char *home = getenv("HOME");

	if (!strncmp(path, "~/", 2) && home && *home)
		snprintf(out, cap, "%s/%s", home, path + 2);
	else
		snprintf(out, cap, "%s", path);
}

static struct syncscr *top_sync(struct tui *t)
{
	/* The prompt has been popped when done runs: the sync screen is on top again. */
	return t->top && t->top->ops->context == CTX_SYNC ? t->top->data : NULL;
}

static void bundle_write_done(struct tui *t, void *ctx, const char *text)
{
	struct syncscr *ss = top_sync(t);
	struct fb_error err = {0};
	struct fb_sync *sync;
	size_t nrefs = 0;
	char path[4096];

	if (!ss || !text || !*text)
		return;
	expand_home(path, sizeof path, text);
	ss->outcome[0] = '\0';
	ss->outcome_error = 0;
	if (!(sync = open_sync(ss, &err)) || fb_sync_bundle_create(sync, path, &nrefs, &err) < 0) {
		add_outcome(ss, "%s", err.message);
		ss->outcome_error = 1;
	} else {
		add_outcome(ss, _("wrote %s: the data of %zu device%s. Send the file; the other side reads it "
				  "with r here or `fieldbook bundle read FILE`."), path, nrefs, nrefs == 1 ? "" : "s");
	}
	fb_sync_free(sync);
}

static void bundle_read_done(struct tui *t, void *ctx, const char *text)
{
	struct syncscr *ss = top_sync(t);
	struct fb_error err = {0};
	struct fb_sync *sync;
	struct fb_sync_stats st = {0};
	char path[4096], what[4200];

	if (!ss || !text || !*text)
		return;
	expand_home(path, sizeof path, text);
	ss->outcome[0] = '\0';
	ss->outcome_error = 0;
	if (!(sync = open_sync(ss, &err)) || fb_sync_bundle_read(sync, path, &st, &err) < 0) {
		add_outcome(ss, "%s", err.message);
		ss->outcome_error = 1;
	} else {
		snprintf(what, sizeof what, _("read %s"), path);
		stats_words(ss, what, &st, 0);
	}
	fb_sync_free(sync);
}

static void default_bundle_path(struct tui *t, char *out, size_t cap)
{
	char label[64], day[16];
	size_t i;

	snprintf(label, sizeof label, "%s", fb_store_label(t->store));
	for (i = 0; label[i]; i++)
		if (label[i] == '/' || label[i] == ' ' || (unsigned char)label[i] < 0x20)
			label[i] = '-';
	fb_clock_today(day, sizeof day);
	snprintf(out, cap, "~/fieldbook-%s-%s.bundle", label[0] ? label : "device", day);
}

static void sync_key(struct tui *t, struct tui_screen *s, enum tui_action a, int is_key, wint_t ch)
{
	struct syncscr *ss = s->data;
	char def[512];

	switch (a) {
	case ACT_UP:
		if (ss->sel > 0)
			ss->sel--;
		break;
	case ACT_DOWN:
		if (ss->sel + 1 < nlines(ss))
			ss->sel++;
		break;
	case ACT_FIRST:
	case ACT_PAGE_UP:
		ss->sel = 0;
		break;
	case ACT_PAGE_DOWN:
		ss->sel = nlines(ss) ? nlines(ss) - 1 : 0;
		break;
	case ACT_SYNC:
		run_sync(t, ss);
		break;
	case ACT_BUNDLE_WRITE:
		default_bundle_path(t, def, sizeof def);
		tui_prompt(t, _("Write a bundle to:"), def, bundle_write_done, NULL);
		break;
	case ACT_BUNDLE_READ:
		tui_prompt(t, _("Read the bundle file:"), "", bundle_read_done, NULL);
		break;
	case ACT_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static void sync_free(struct tui_screen *s)
{
	struct syncscr *ss = s->data;
	size_t i;

	for (i = 0; i < ss->n; i++) {
		free(ss->names[i]);
		free(ss->urls[i]);
	}
	free(ss);
}

static const struct tui_screen_ops sync_ops = {"sync", CTX_SYNC, sync_draw, sync_key, sync_free, NULL};

void tui_sync_open(struct tui *t)
{
	struct syncscr *ss = calloc(1, sizeof *ss);

	if (!ss) {
		tui_message(t, 1, "%s", _("out of memory"));
		return;
	}
	ss->t = t;
	load_remotes(t, ss);
	tui_push(t, &sync_ops, ss);
}
