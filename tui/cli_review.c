/* cli_review.c - `fieldbook review` (conflicts, resolving them, duplicate people, merge and
 * unmerge, alarms, devices) and `fieldbook catalogue` (tui layer).
 *
 * Every decision calls core (review.h, catalogue.h); values are masked unless --unmasked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/catalogue.h"
#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/review.h"
#include "fieldbook/sync.h"
#include "fieldbook/value.h"

struct rv {
	struct fb_store *s;
	int unmasked;
	int n;
	/* resolve --pick: the op of the wanted value */
	const char *want_field;
	long want;
	char op[FB_OPID_MAX];
	struct fb_sync *sync; /* devices: labels and teams from the repository, if it opens */
	char field[64];       /* resolve --pick: the field's code */
};

static int has_flag(int argc, char **argv, const char *flag)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], flag))
			return 1;
	return 0;
}

static const char *opt_value(int argc, char **argv, const char *opt)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], opt))
			return argv[i + 1];
	return NULL;
}

/* The display of one stored value (field of kind), masked unless unmasked. */
static char *shown(const char *kind, const char *field, const char *stored, int unmasked)
{
	const struct fb_kind *k = fb_kind_find(kind);
	const struct fb_field *f = k ? fb_field_find(k, field) : NULL;

	if (f && strcmp(f->name, field))
		f = NULL;
	if (!*stored)
		return strdup(_("(empty)"));
	return out_value(f, stored, unmasked);
}

static void print_value(const char *kind, const struct fb_conflict_value *v, const char *fieldname,
			int unmasked, const char *lead)
{
	char t[48], *val;

	out_time(t, sizeof t, v->hlc);
	if (!strcmp(v->field, "_exists"))
		val = strdup(!strcmp(v->value, "0") ? _("deleted") : _("created"));
	else
		val = shown(kind, v->field, v->value, unmasked);
	printf("%s", lead);
	if (fieldname)
		printf("%s=", fieldname);
	printf(_("%s  by %s on device %.8s at %s (op %s)\n"), val ? val : "", v->author, v->device, t,
	       v->op);
	free(val);
}

static int conflict_line(const struct fb_conflict *c, void *ctx)
{
	struct rv *r = ctx;
	const struct fb_kind *k = fb_kind_find(c->kind);
	const struct fb_field *f = k ? fb_field_find(k, c->field) : NULL;
	char *title = out_title(c->kind, c->title);
	size_t i;

	r->n++;
	if (!strcmp(c->field, "_exists")) {
		printf(_("%s (%s %s): deleted on one device while changed on another\n"), title ? title : "",
		       c->kind, c->rec);
		for (i = 0; i < c->nvalues; i++) {
			char lead[32];
			snprintf(lead, sizeof lead, "  %zu  ", i + 1);
			print_value(c->kind, &c->values[i], strcmp(c->values[i].field, "_exists") ? c->values[i].field : NULL,
				    r->unmasked, lead);
		}
		printf(_("  resolve: fieldbook review resolve %.8s --keep-deleted | --restore\n\n"), c->rec);
	} else {
		printf(_("%s (%s %s): %s %s has %zu values\n"), title ? title : "", c->kind, c->rec,
		       c->field, f ? fb_field_label(f) : "", c->nvalues);
		for (i = 0; i < c->nvalues; i++) {
			char lead[32];
			snprintf(lead, sizeof lead, "  %zu %s ", i + 1, i ? " " : "*");
			print_value(c->kind, &c->values[i], NULL, r->unmasked, lead);
		}
		if (c->base)
			print_value(c->kind, c->base, NULL, r->unmasked, _("  earlier value: "));
		else
			printf("%s", _("  earlier value: none (both were first values)\n"));
		printf(_("  resolve: fieldbook review resolve %.8s %s --pick N | --value VALUE\n\n"), c->rec,
		       c->field);
	}
	free(title);
	return 0;
}

static int find_pick(const struct fb_conflict *c, void *ctx)
{
	struct rv *r = ctx;
	const struct fb_kind *k = fb_kind_find(c->kind);
	const struct fb_field *f = k ? fb_field_find(k, r->want_field) : NULL;

	/* the field by code, or by its Chinese or English label */
	if (strcmp(c->field, r->want_field) && !(f && !strcmp(f->name, c->field)))
		return 0;
	snprintf(r->field, sizeof r->field, "%s", c->field);
	if (r->want >= 1 && (size_t)r->want <= c->nvalues)
		snprintf(r->op, sizeof r->op, "%s", c->values[r->want - 1].op);
	r->n = (int)c->nvalues;
	return 1;
}

static int review_conflicts(struct fb_store *s, int argc, char **argv)
{
	struct rv r = {.s = s, .unmasked = has_flag(argc, argv, "--unmasked")};
	struct fb_error err = {0};
	const char *rec = argc > 2 && argv[2][0] != '-' ? argv[2] : NULL;
	int rc;

	/* privacy mode: full values are for coordinators, with a reason in the audit trail */
	if (r.unmasked && (rc = cli_unmasked_export(s, "review", opt_value(argc, argv, "--reason"))) != CLI_OK)
		return rc;

	if (fb_review_conflicts(s, rec, conflict_line, &r, &err) < 0)
		return cli_fail(&err);
	if (!r.n)
		printf("%s\n", _("no conflicts"));
	return CLI_OK;
}

static int review_resolve(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	const char *pick = opt_value(argc, argv, "--pick"), *value = opt_value(argc, argv, "--value");
	int rc;

	if (argc < 3)
		return cli_usage("review", _("give a record id (and a field): fieldbook review resolve ID FIELD --pick N"));
	if (has_flag(argc, argv, "--keep-deleted"))
		rc = fb_review_keep_deleted(s, argv[2], &err);
	else if (has_flag(argc, argv, "--restore"))
		rc = fb_review_restore(s, argv[2], &err);
	else if (argc < 4 || argv[3][0] == '-' || (!pick == !value))
		return cli_usage("review", _("give the field and one of --pick N or --value VALUE"));
	else if (value) {
		struct fb_kv kv = {argv[3], value};
		struct fb_record *r = NULL;
		if (fb_record_get(&r, s, argv[2], &err) < 0)
			return cli_fail(&err);
		rc = r->exists ? 0 : -1;
		fb_record_free(r);
		if (rc < 0) {
			fprintf(stderr, _("fieldbook: %s is deleted: first keep it deleted or restore it "
					  "(fieldbook review resolve %s --keep-deleted | --restore), or pick one "
					  "of the values with --pick\n"),
				argv[2], argv[2]);
			return CLI_FAIL;
		}
		rc = fb_record_edit(s, argv[2], &kv, 1, NULL, 0, &err);
	} else {
		struct rv r = {.s = s, .want_field = argv[3]};
		char *end = NULL;
		r.want = strtol(pick, &end, 10);
		if (!end || *end || r.want < 1)
			return cli_usage("review", _("--pick takes the number of a value shown by `fieldbook review conflicts ID`"));
		if (fb_review_conflicts(s, argv[2], find_pick, &r, &err) < 0)
			return cli_fail(&err);
		if (!r.n) {
			fprintf(stderr, _("fieldbook: %s of %s has no conflict to resolve\n"), argv[3], argv[2]);
			return CLI_FAIL;
		}
		if (!r.op[0]) {
			fprintf(stderr, _("fieldbook: --pick %ld: there are %d values; give 1 to %d\n"), r.want, r.n,
				r.n);
			return CLI_FAIL;
		}
		rc = fb_review_pick(s, argv[2], r.field, r.op, &err);
	}
	if (rc < 0)
		return cli_fail(&err);
	printf("%s\n", _("resolved; the decision syncs like any edit"));
	return CLI_OK;
}

static void person_line(struct fb_store *s, const char *id, int unmasked, size_t i)
{
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	char t[48], *idn, *mob;
	const char *v;

	if (fb_record_get(&r, s, id, &err) < 0)
		return;
	v = fb_record_value(r, "id_number");
	idn = out_value(fb_field_find(r->kind, "id_number"), v ? v : "", unmasked);
	v = fb_record_value(r, "mobile");
	mob = out_value(fb_field_find(r->kind, "mobile"), v ? v : "", unmasked);
	out_time(t, sizeof t, r->created_hlc);
	printf("  %zu  %s  ", i + 1, r->id);
	out_cell(stdout, r->title ? r->title : "", 10);
	printf(_("  ID %s  mobile %s  added by %s on device %.8s at %s\n"), idn && *idn ? idn : "-",
	       mob && *mob ? mob : "-", r->created_by ? r->created_by : "", r->created_device ? r->created_device : "",
	       t);
	free(idn);
	free(mob);
	fb_record_free(r);
}

static int dup_line(const struct fb_dup_group *g, void *ctx)
{
	struct rv *r = ctx;
	size_t i;

	r->n++;
	printf("%s\n", !strcmp(g->reason, "id") ? _("same ID number:") : _("same name and mobile:"));
	for (i = 0; i < g->n; i++)
		person_line(r->s, g->recs[i], r->unmasked, i);
	printf(_("  merge: fieldbook review merge %.8s %.8s  (keeps the first, every value kept)\n\n"), g->recs[0],
	       g->recs[1]);
	return 0;
}

static int review_duplicates(struct fb_store *s, int argc, char **argv)
{
	struct rv r = {.s = s, .unmasked = has_flag(argc, argv, "--unmasked")};
	struct fb_error err = {0};
	int rc;

	if (r.unmasked && (rc = cli_unmasked_export(s, "review", opt_value(argc, argv, "--reason"))) != CLI_OK)
		return rc;
	if (fb_review_duplicates(s, dup_line, &r, &err) < 0)
		return cli_fail(&err);
	if (!r.n)
		printf("%s\n", _("no possible duplicate people"));
	return CLI_OK;
}

static int review_merge(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	size_t added = 0, conflicts = 0;

	if (argc != 4)
		return cli_usage("review", _("give the surviving person and the duplicate: fieldbook review merge SURVIVOR DUPLICATE"));
	if (fb_merge(s, argv[2], argv[3], &added, &conflicts, &err) < 0)
		return cli_fail(&err);
	printf(_("merged: %zu values copied to the survivor, %zu fields now in conflict there "
		 "(fieldbook review conflicts %s); undo with fieldbook review unmerge %s\n"),
	       added, conflicts, argv[2], argv[3]);
	return CLI_OK;
}

static int review_unmerge(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};

	if (argc != 3)
		return cli_usage("review", _("give the merged duplicate: fieldbook review unmerge ID"));
	if (fb_unmerge(s, argv[2], &err) < 0)
		return cli_fail(&err);
	printf("%s\n", _("unmerged: the duplicate is a separate person again"));
	return CLI_OK;
}

static int alarm_line(const struct fb_alarm *a, void *ctx)
{
	struct rv *r = ctx;
	char t[48];

	r->n++;
	fb_clock_format_ms(t, sizeof t, a->at_ms);
	printf("#%lld  %s  %s%s\n", (long long)a->id, t, a->what, a->acked ? _("  (acknowledged)") : "");
	printf(_("  what happened: %s\n"), a->detail);
	printf(_("  what to do: %s\n"), a->advice);
	if (!a->acked)
		printf(_("  then: fieldbook review ack %lld\n"), (long long)a->id);
	putchar('\n');
	return 0;
}

static int review_alarms(struct fb_store *s, int argc, char **argv)
{
	struct rv r = {.s = s};
	struct fb_error err = {0};

	if (fb_alarm_list(s, has_flag(argc, argv, "--all"), alarm_line, &r, &err) < 0)
		return cli_fail(&err);
	if (!r.n)
		printf("%s\n", _("no open alarms"));
	return CLI_OK;
}

static int review_ack(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	long long id = 0;
	size_t n = 0;
	char *end = NULL;

	if (argc != 3)
		return cli_usage("review", _("give an alarm number, or --all"));
	if (strcmp(argv[2], "--all")) {
		id = strtoll(argv[2], &end, 10);
		if (!end || *end || id < 1)
			return cli_usage("review", _("'%s' is not an alarm number"), argv[2]);
	}
	if (fb_alarm_ack(s, id, &n, &err) < 0)
		return cli_fail(&err);
	printf(_("%zu alarms acknowledged\n"), n);
	return CLI_OK;
}

static int device_line(const struct fb_device_stat *d, void *ctx)
{
	struct rv *r = ctx;
	char t[48];

	r->n++;
	out_time(t, sizeof t, d->last_hlc);
	printf("%.16s", d->device);
	printf("%s", !strcmp(d->device, fb_store_device(r->s)) ? _(" (this computer)") : "");
	printf(_("\n  records %lld, new since the last review %lld, last change %s, open alarms %lld\n"),
	       (long long)d->records, (long long)d->since_review, t, (long long)d->alarms);
	printf(_("  operators: %s\n"), d->authors);
	if (r->sync) {
		char label[128], team[128], t2[48];
		int64_t ms = 0;
		struct fb_error err = {0};
		if (fb_sync_device_info(r->sync, d->device, label, sizeof label, team, sizeof team, &ms, &err) == 0) {
			fb_clock_format_ms(t2, sizeof t2, ms);
			printf(_("  label %s, team %s, last sync that reached here %s\n"), label, team, t2);
		}
	}
	return 0;
}

static int review_devices(struct fb_store *s, int argc, char **argv)
{
	struct rv r = {.s = s};
	struct fb_error err = {0};
	int64_t mark = 0;

	if (fb_review_mark_get(s, &mark, &err) < 0)
		return cli_fail(&err);
	if (mark) {
		char t[48];
		out_time(t, sizeof t, mark);
		printf(_("last review: %s\n"), t);
	} else
		printf("%s\n", _("last review: never"));
	printf(_("this computer: device %s, label %s, team %s\n\n"), fb_store_device(s), fb_store_label(s),
	       fb_store_team(s));
	if (fb_sync_open(&r.sync, s, &err) < 0) { /* a sync running now: no labels, no teams */
		r.sync = NULL;
		fb_error_clear(&err);
	}
	if (fb_review_devices(s, device_line, &r, &err) < 0) {
		fb_sync_free(r.sync);
		return cli_fail(&err);
	}
	fb_sync_free(r.sync);
	if (has_flag(argc, argv, "--mark")) {
		if (fb_review_mark_set(s, &err) < 0)
			return cli_fail(&err);
		printf("\n%s\n", _("review mark set: new records are counted from now"));
	}
	return CLI_OK;
}

static int count_cb(const void *unused, void *ctx)
{
	(void)unused;
	(*(int *)ctx)++;
	return 0;
}

static int count_conflict(const struct fb_conflict *c, void *ctx)
{
	return count_cb(c, ctx);
}

static int count_dup(const struct fb_dup_group *g, void *ctx)
{
	return count_cb(g, ctx);
}

static int review_summary(struct fb_store *s)
{
	struct fb_error err = {0};
	int conflicts = 0, dups = 0;
	int64_t alarms = 0;

	if (fb_review_conflicts(s, NULL, count_conflict, &conflicts, &err) < 0 ||
	    fb_review_duplicates(s, count_dup, &dups, &err) < 0 || fb_alarm_count(s, NULL, &alarms, &err) < 0)
		return cli_fail(&err);
	printf(_("conflicts            %d   fieldbook review conflicts\n"), conflicts);
	printf(_("possible duplicates  %d   fieldbook review duplicates\n"), dups);
	printf(_("open alarms          %lld   fieldbook review alarms\n"), (long long)alarms);
	printf("%s\n", _("devices                  fieldbook review devices"));
	return CLI_OK;
}

int cmd_review(struct fb_store *s, int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return review_summary(s);
	if (!strcmp(sub, "conflicts"))
		return review_conflicts(s, argc, argv);
	if (!strcmp(sub, "resolve"))
		return review_resolve(s, argc, argv);
	if (!strcmp(sub, "duplicates"))
		return review_duplicates(s, argc, argv);
	if (!strcmp(sub, "merge"))
		return review_merge(s, argc, argv);
	if (!strcmp(sub, "unmerge"))
		return review_unmerge(s, argc, argv);
	if (!strcmp(sub, "alarms"))
		return review_alarms(s, argc, argv);
	if (!strcmp(sub, "ack"))
		return review_ack(s, argc, argv);
	if (!strcmp(sub, "devices"))
		return review_devices(s, argc, argv);
	return cli_usage("review", _("unknown review queue '%s'"), sub);
}

/* ---------------------------------------------------------------- catalogue */

static int entry_line(const struct fb_catalogue_entry *e, void *ctx)
{
	(void)ctx;
	printf("  %s%s\n", e->label, e->rec ? "" : _("  (built-in)"));
	return 0;
}

int cmd_catalogue(struct fb_store *s, int argc, char **argv)
{
	const struct fb_kind *k, *only = NULL;
	struct fb_error err = {0};

	if (argc > 2 || (argc == 2 && !(only = fb_kind_find(argv[1])))) {
		return cli_usage("catalogue", _("give nothing, or one of the kinds site, service, team"));
	}
	for (k = fb_kinds; k->name; k++) {
		const struct fb_field *f;
		for (f = k->fields; f->name; f++) {
			if (!f->catalogue || (only && strcmp(only->name, f->catalogue)))
				continue;
			printf(_("%s.%s (%s) takes %s entries:\n"), k->name, f->name, fb_field_label(f), f->catalogue);
			if (fb_catalogue_choices(s, f, entry_line, NULL, &err) < 0)
				return cli_fail(&err);
		}
	}
	return CLI_OK;
}
