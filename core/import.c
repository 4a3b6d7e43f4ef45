/* import.c - importing rosters from CSV files (core layer).  Contracts in
 * include/fieldbook/import.h.
 *
 * Validation is record.c's (record_add_tx, record_edit_tx): this file only maps columns,
 * upgrades legacy ID numbers, matches people by their normalised ID number (search's
 * identity match: the ident key, or the keyed tag of a sealed number) and keeps every row
 * in its own savepoint inside one transaction, so a rejected row leaves no trace. */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/crypto.h"
#include "fieldbook/csv.h"
#include "fieldbook/i18n.h"
#include "fieldbook/import.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "store_int.h"

#define MAX_COLS 256

enum col_use { COL_FIELD, COL_IGNORED, COL_NO_HEADER };

struct importer {
	struct fb_store *s;
	const struct fb_kind *kind;
	const struct fb_import_options *o;
	enum col_use use[MAX_COLS];
	const struct fb_field *field[MAX_COLS];
	size_t ncols;
	fb_import_reject_cb reject;
	void *ctx;
	struct fb_import_result *res;
};

static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* Header text without surrounding spaces, into buf. */
static const char *trimmed(char *buf, size_t cap, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int map_header(struct importer *im, const struct fb_csv_row *h, struct fb_error *err)
{
	size_t i, j;
	char name[256];

	if (h->n > MAX_COLS)
		return fb_error_set(err, FB_EINVAL, "file",
				    _("line %ld: %zu columns; a %s file has at most %d"), h->line, h->n,
				    im->kind->name, MAX_COLS);
	im->ncols = h->n;
	for (i = 0; i < h->n; i++) {
		const char *t = trimmed(name, sizeof name, h->cells[i]);
		if (!*t) {
			im->use[i] = COL_NO_HEADER;
			continue;
		}
		if (!strcasecmp(t, "id") || !strcmp(t, "记录编号") || !strcasecmp(t, "Record id")) {
			im->use[i] = COL_IGNORED;
			continue;
		}
		if (!(im->field[i] = fb_field_find(im->kind, t)))
			return fb_error_set(err, FB_EINVAL, "file",
					    _("line %ld: column %zu, '%s', is not a field of %s: rename it "
					      "to a field code or label (`fieldbook fields %s` lists them) "
					      "or delete the column"),
					    h->line, i + 1, t, im->kind->name, im->kind->name);
		im->use[i] = COL_FIELD;
		for (j = 0; j < i; j++)
			if (im->use[j] == COL_FIELD && im->field[j] == im->field[i])
				return fb_error_set(err, FB_EINVAL, "file",
						    _("line %ld: columns %zu and %zu are both %s (%s); "
						      "keep one of them"),
						    h->line, j + 1, i + 1, im->field[i]->name,
						    fb_field_label(im->field[i]));
	}
	return 0;
}

/* A 15-digit legacy number of a resident ID (id_type empty or resident) is replaced by
 * its 18-digit form in up (18 + NUL); returns 1 if it was. */
static int upgrade_legacy(const struct fb_kind *k, struct fb_kv *kvs, size_t n, size_t idi, char *up)
{
	const struct fb_field *idtype = fb_field_find(k, "id_type");
	char norm[64];
	size_t i;

	for (i = 0; i < n && idtype; i++)
		if (fb_field_find(k, kvs[i].field) == idtype) {
			const struct fb_choice *c = fb_choice_find(idtype, kvs[i].value);
			if (!c || strcmp(c->code, "resident"))
				return 0;
		}
	if (fb_normalize_code(norm, sizeof norm, kvs[idi].value, "id_number", NULL) < 0 ||
	    strlen(norm) != 15 || strspn(norm, "0123456789") != 15)
		return 0;
	if (fb_upgrade_legacy_id(up, 19, norm, "id_number", NULL) < 0)
		return 0;
	kvs[idi].value = up;
	return 1;
}

struct match {
	char id[FB_ID_LEN + 1];
	int found;
};

static int take_match(const struct fb_row *row, void *ctx)
{
	struct match *m = ctx;

	if (!row->match || strcmp(row->match, "id_number") || strcmp(row->kind, "person"))
		return 0;
	snprintf(m->id, sizeof m->id, "%s", row->id);
	m->found = 1;
	return 1;
}

/* The live person with the row's ID number, if any: search's identity match (the ident
 * key of the number, or its keyed tag when ID numbers are sealed). */
static int find_person(struct importer *im, const char *id_number, struct match *m,
		       struct fb_error *err)
{
	int rc;

	memset(m, 0, sizeof *m);
	rc = fb_search(im->s, id_number, "person", 0, 5, take_match, m, err);
	return rc < 0 ? rc : 0;
}

/* The plain text of a stored value (sealed values opened when the key is loaded); *tmp
 * gets what to free. */
static const char *plain_value(const struct fb_field *f, const char *stored, char **tmp)
{
	*tmp = NULL;
	if (stored && fb_crypto_is_sealed(stored) &&
	    fb_crypto_open(tmp, fb_crypto_ring(), f->name, stored, NULL) == 0)
		return *tmp;
	return stored;
}

/* Fills the empty fields of the matched record from the row; counts kept values. */
static int fill_matched(struct importer *im, const char *rec_id, const struct fb_kv *kvs, size_t n,
			int *filled, struct fb_error *err)
{
	struct fb_record *rec = NULL;
	struct fb_kv fill[MAX_COLS];
	char today[16];
	size_t i, nfill = 0;
	int rc;

	*filled = 0;
	fb_clock_today(today, sizeof today);
	if ((rc = fb_record_get(&rec, im->s, rec_id, err)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct fb_field *f = fb_field_find(im->kind, kvs[i].field);
		char *v = NULL, *tmp = NULL;
		const char *have;
		if (!f || (f->flags & FB_F_DERIVED))
			continue;
		have = plain_value(f, fb_record_value(rec, f->name), &tmp);
		if (!have || !*have) {
			fill[nfill++] = kvs[i];
		} else {
			rc = fb_value_parse(&v, f, kvs[i].value, today, NULL);
			if ((rc == 0 || rc == FB_EWARN) && v && strcmp(v, have))
				im->res->kept++;
			free(v);
		}
		if (tmp)
			fb_crypto_free_plain(tmp);
	}
	fb_record_free(rec);
	if (nfill == 0)
		return 0;
	if ((rc = record_edit_tx(im->s, rec_id, fill, nfill, im->o->overrides, im->o->noverrides, err)) < 0)
		return rc;
	*filled = 1;
	return 0;
}

/* One data row inside its savepoint.  0 saved, FB_EINVAL/FB_EWARN... rejected (err says
 * why), FB_EDB/FB_ENOMEM fatal. */
static int import_row(struct importer *im, const struct fb_csv_row *row, int *upgraded, int *matched,
		      int *filled, struct fb_error *err)
{
	struct fb_kv kvs[MAX_COLS];
	char up[20], new_id[FB_ID_LEN + 1];
	size_t i, n = 0, idi = (size_t)-1;
	int rc;

	*upgraded = *matched = *filled = 0;
	for (i = 0; i < row->n; i++) {
		const char *cell = row->cells[i];
		if (blank(cell))
			continue;
		if (i >= im->ncols)
			return fb_error_set(err, FB_EINVAL, "",
					    _("%zu cells, but the header names %zu columns"), row->n,
					    im->ncols);
		if (im->use[i] == COL_NO_HEADER)
			return fb_error_set(err, FB_EINVAL, "",
					    _("column %zu has a value but no header: name the column "
					      "in the first row"),
					    i + 1);
		if (im->use[i] == COL_IGNORED)
			continue;
		if (im->field[i]->type == FB_T_IDNUMBER)
			idi = n;
		kvs[n].field = im->field[i]->name;
		kvs[n++].value = fb_csv_unneutralise(cell);
	}
	if (idi != (size_t)-1) {
		/* gender and birth date come from the number: the file's copies (our own export
		 * has them) are left to core, which derives them again */
		size_t keep = 0;
		for (i = 0; i < n; i++) {
			const struct fb_field *f = fb_field_find(im->kind, kvs[i].field);
			if (f->flags & FB_F_DERIVED)
				continue;
			if (i == idi)
				idi = keep;
			kvs[keep++] = kvs[i];
		}
		n = keep;
		*upgraded = upgrade_legacy(im->kind, kvs, n, idi, up);
	}
	if (idi != (size_t)-1 && !strcmp(im->kind->name, "person")) {
		const struct fb_field *f = fb_field_find(im->kind, "id_number");
		struct match m;
		char *norm = NULL;
		if (fb_value_parse(&norm, f, kvs[idi].value, "2000-01-01", NULL) == 0 && *norm) {
			rc = find_person(im, norm, &m, err);
			free(norm);
			if (rc < 0)
				return rc;
			if (m.found) {
				*matched = 1;
				if ((rc = record_add_tx(im->s, new_id, im->kind, kvs, n, im->o->overrides,
							im->o->noverrides, 1, err)) < 0)
					return rc;
				return fill_matched(im, m.id, kvs, n, filled, err);
			}
		} else {
			free(norm);
		}
	}
	return record_add_tx(im->s, new_id, im->kind, kvs, n, im->o->overrides, im->o->noverrides, 0, err);
}

static int fatal(int rc)
{
	return rc == FB_EDB || rc == FB_ENOMEM || rc == FB_EIO || rc == FB_ECORRUPT;
}

int fb_import_csv(struct fb_store *s, const char *kind, const char *data, size_t len,
		  const struct fb_import_options *opts, fb_import_reject_cb reject, void *ctx,
		  struct fb_import_result *res, struct fb_error *err)
{
	static const struct fb_import_options defaults;
	struct importer *im = NULL;
	struct fb_csv_reader r;
	struct fb_csv_row row;
	int rc, got, in_tx = 0, stop = 0;

	memset(res, 0, sizeof *res);
	fb_csv_reader_init(&r, data, len);
	if (!(im = calloc(1, sizeof *im)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	im->s = s;
	im->o = opts ? opts : &defaults;
	im->reject = reject;
	im->ctx = ctx;
	im->res = res;
	if (!(im->kind = fb_kind_find(kind))) {
		rc = fb_error_set(err, FB_ENOTFOUND, "kind",
				  _("unknown kind '%s'; `fieldbook fields` lists the kinds"), kind);
		goto cleanup;
	}
	if ((rc = fb_csv_check_encoding(data, len, err)) < 0)
		goto cleanup;
	do {
		if ((got = rc = fb_csv_next(&r, &row, err)) < 0)
			goto cleanup;
	} while (got && row.n == 1 && blank(row.cells[0]));
	if (!got) {
		rc = fb_error_set(err, FB_EINVAL, "file",
				  _("the file is empty: its first row must name the columns (field "
				    "codes or labels)"));
		goto cleanup;
	}
	if ((rc = map_header(im, &row, err)) < 0)
		goto cleanup;
	if ((rc = db_begin(s, err)) < 0)
		goto cleanup;
	in_tx = 1;
	while (!stop && (got = rc = fb_csv_next(&r, &row, err)) > 0) {
		struct fb_error row_err = {0};
		int upgraded, matched, filled;
		size_t i;
		for (i = 0; i < row.n && blank(row.cells[i]); i++)
			;
		if (i == row.n)
			continue; /* a blank row */
		res->rows++;
		if ((rc = db_exec(s, "SAVEPOINT fb_import_row", err)) < 0)
			goto cleanup;
		rc = import_row(im, &row, &upgraded, &matched, &filled, &row_err);
		if (rc < 0 && fatal(rc)) {
			*err = row_err;
			goto cleanup;
		}
		if (rc < 0) {
			if ((rc = db_exec(s, "ROLLBACK TO fb_import_row", err)) < 0)
				goto cleanup;
			res->rejected++;
			if (reject && reject(row.line, row_err.field, row_err.message, ctx))
				stop = 1;
		} else {
			res->upgraded += (size_t)upgraded;
			res->matched += (size_t)matched;
			res->filled += (size_t)filled;
			res->added += (size_t)!matched;
		}
		if ((rc = db_exec(s, "RELEASE fb_import_row", err)) < 0)
			goto cleanup;
	}
	if (rc < 0)
		goto cleanup;
	rc = 0;
	if (stop || im->o->dry_run || (im->o->all_or_nothing && res->rejected)) {
		db_rollback(s);
	} else {
		if ((rc = db_commit(s, err)) < 0)
			goto cleanup;
		res->saved = 1;
	}
	in_tx = 0;
cleanup:
	if (in_tx)
		db_rollback(s);
	fb_csv_reader_free(&r);
	free(im);
	return rc;
}
