/* catalogue.c - the choices of catalogue-fed fields from published site, service and team
 * records, with built-in defaults (core layer).  Contract in catalogue.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldbook/catalogue.h"
#include "fieldbook/i18n.h"
#include "store_int.h"

/* The brief's service list: used only while no service is published. */
static const struct fb_choice default_services[] = {
	{"skills_training", "技能培训", "skills training"},
	{"summer_camp", "子女暑期托管班", "children's summer camp"},
	{"health_check", "健康体检", "health check"},
	{"counselling", "心理咨询", "counselling"},
	{"legal_help", "法律服务", "legal help"},
	{0},
};

static char *field_of(struct fb_store *s, const char *rec, const char *name)
{
	sqlite3_stmt *st = stmt(s, "SELECT value FROM field WHERE rec = ?1 AND name = ?2", NULL);
	char *v = NULL;

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return v;
}

struct entry {
	char rec[FB_ID_LEN + 1];
	char *name, *label;
};

/* Published entries of kind, active only, sorted by name. */
static int load_entries(struct fb_store *s, const char *kind, struct entry **out, size_t *n,
			struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT id, title FROM record WHERE kind = ?1 AND live = 1"
				   " AND status = 'active' AND title IS NOT NULL AND title <> ''"
				   " ORDER BY title, id",
				err);
	struct entry *v = NULL;
	size_t k = 0, i;
	int r, rc = 0;

	*out = NULL;
	*n = 0;
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct entry *v2 = realloc(v, (k + 1) * sizeof *v);
		if (!v2) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			break;
		}
		v = v2;
		snprintf(v[k].rec, sizeof v[k].rec, "%s", sqlite3_column_text(st, 0));
		v[k].name = strdup((const char *)sqlite3_column_text(st, 1));
		v[k].label = NULL;
		k++;
		if (!v[k - 1].name) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading a catalogue", err);
	/* labels and the service's own on/off switch (separate statements: st is done) */
	for (i = 0; rc == 0 && i < k; i++) {
		char *extra = NULL, *active = NULL;
		size_t len;
		if (!strcmp(kind, "service")) {
			active = field_of(s, v[i].rec, "active");
			extra = field_of(s, v[i].rec, "code");
			if (active && !strcmp(active, "0")) {
				free(v[i].name);
				v[i].name = NULL; /* not orderable now */
			}
			free(active);
		} else if (!strcmp(kind, "site")) {
			extra = field_of(s, v[i].rec, "district");
		}
		len = (v[i].name ? strlen(v[i].name) : 0) + (extra ? strlen(extra) : 0) + 8;
		if (v[i].name && (v[i].label = malloc(len)))
			snprintf(v[i].label, len, extra && *extra ? "%s (%s)" : "%s", v[i].name,
				 extra ? extra : "");
		free(extra);
	}
	*out = v;
	*n = k;
	return rc;
}

static void free_entries(struct entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].label);
	}
	free(v);
}

static const struct fb_choice *defaults_of(const char *kind)
{
	return !strcmp(kind, "service") ? default_services : NULL;
}

int fb_catalogue_choices(struct fb_store *s, const struct fb_field *f,
			 int (*cb)(const struct fb_catalogue_entry *e, void *ctx), void *ctx,
			 struct fb_error *err)
{
	struct entry *v = NULL;
	size_t n = 0, i;
	int rc;

	if (!f || !f->catalogue)
		return 0;
	if ((rc = load_entries(s, f->catalogue, &v, &n, err)) < 0)
		goto cleanup;
	for (i = 0; i < n && rc == 0; i++) {
		struct fb_catalogue_entry e = {v[i].name, v[i].label ? v[i].label : v[i].name, v[i].rec};
		if (!v[i].name)
			continue;
		rc = cb(&e, ctx);
	}
	if (rc == 0 && n == 0 && defaults_of(f->catalogue)) {
		const struct fb_choice *c;
		for (c = defaults_of(f->catalogue); c->code && rc == 0; c++) {
			char label[256];
			struct fb_catalogue_entry e = {c->zh, label, NULL};
			if (fb_lang_zh())
				snprintf(label, sizeof label, "%s", c->zh);
			else
				snprintf(label, sizeof label, "%s (%s)", c->zh, c->en);
			rc = cb(&e, ctx);
		}
	}
cleanup:
	free_entries(v, n);
	return rc;
}

int fb_catalogue_normalise(struct fb_store *s, const struct fb_field *f, const char *input,
			   char **out, struct fb_error *err)
{
	struct entry *v = NULL;
	size_t n = 0, i;
	const char *hit = NULL;
	char *code = NULL;
	int rc = 0;

	*out = NULL;
	if (f && f->catalogue && input && *input) {
		if ((rc = load_entries(s, f->catalogue, &v, &n, err)) < 0)
			goto cleanup;
		for (i = 0; i < n && !hit; i++)
			if (v[i].name && strcasecmp(v[i].name, input) == 0)
				hit = v[i].name;
		for (i = 0; i < n && !hit && !strcmp(f->catalogue, "service"); i++) {
			free(code);
			code = field_of(s, v[i].rec, "code");
			if (v[i].name && code && strcasecmp(code, input) == 0)
				hit = v[i].name;
		}
		if (!hit && n == 0 && defaults_of(f->catalogue)) {
			/* a built-in service by code or label, stored by its Chinese name */
			struct fb_field as_choice = *f;
			const struct fb_choice *c;
			as_choice.choices = defaults_of(f->catalogue);
			if ((c = fb_choice_find(&as_choice, input)))
				hit = c->zh;
		}
	}
	if (!(*out = strdup(hit ? hit : input ? input : "")))
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
cleanup:
	free(code);
	free_entries(v, n);
	return rc;
}
