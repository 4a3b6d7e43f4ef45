/* export.c - the live records of a kind as a table for spreadsheets, and its CSV writer
 * (core layer).  Contracts in include/fieldbook/export.h.
 *
 * One statement streams every (record, field) pair of the kind's live records in list
 * order from the record_list index and the field table's primary key, so a million
 * records are one pass with no sort and no temporary table. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldbook/csv.h"
#include "fieldbook/export.h"
#include "fieldbook/i18n.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "store_int.h"

static enum fb_cell_type cell_type(const struct fb_field *f)
{
	switch (f->type) {
	case FB_T_IDNUMBER:
	case FB_T_MOBILE:
	case FB_T_USCC:
	case FB_T_REF:
	case FB_T_REFS:
		return FB_CELL_CODE;
	case FB_T_INTEGER:
	case FB_T_RATING:
		return FB_CELL_NUMBER;
	case FB_T_MONEY:
		return FB_CELL_MONEY;
	case FB_T_DATE:
		return FB_CELL_DATE;
	default:
		return FB_CELL_TEXT;
	}
}

size_t fb_export_columns(const struct fb_kind *k, struct fb_export_column *out)
{
	const struct fb_field *f;
	size_t n = 0;

	out[n].field = NULL;
	out[n].header = fb_lang_zh() ? "记录编号" : _("Record id");
	out[n++].type = FB_CELL_CODE;
	for (f = k->fields; f->name && n < FB_EXPORT_MAX_COLUMNS; f++) {
		if (!strcmp(f->name, "merged_into"))
			continue; /* always empty on live records */
		out[n].field = f;
		out[n].header = fb_field_label(f);
		out[n++].type = cell_type(f);
	}
	return n;
}

/* HLC bound of a local date: its midnight (next_day: the next day's midnight). */
static int date_hlc(int64_t *out, const char *date, const char *what, int next_day,
		    struct fb_error *err)
{
	char d[16];
	struct tm tm;
	time_t t;
	int rc;

	if ((rc = fb_parse_date(d, sizeof d, date, what, err)) < 0)
		return rc;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = atoi(d) - 1900;
	tm.tm_mon = atoi(d + 5) - 1;
	tm.tm_mday = atoi(d + 8) + (next_day ? 1 : 0);
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return fb_error_set(err, FB_EINVAL, what, _("%s: %s is out of range"), what, date);
	*out = ((int64_t)t * 1000) << 16;
	return 0;
}

/* Column lookup by field name: names sorted once, then walked in step with the field
 * rows of a record (which arrive in name order); a name out of order restarts the walk. */
struct colmap {
	const char *name[FB_EXPORT_MAX_COLUMNS];
	size_t col[FB_EXPORT_MAX_COLUMNS];
	size_t n, pos;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void colmap_init(struct colmap *m, const struct fb_export_column *cols, size_t n)
{
	const char *sorted[FB_EXPORT_MAX_COLUMNS];
	size_t i, j;

	m->n = 0;
	m->pos = 0;
	for (i = 0; i < n; i++)
		if (cols[i].field)
			sorted[m->n++] = cols[i].field->name;
	qsort(sorted, m->n, sizeof sorted[0], cmp_name);
	for (i = 0; i < m->n; i++) {
		m->name[i] = sorted[i];
		for (j = 0; j < n; j++)
			if (cols[j].field && cols[j].field->name == sorted[i])
				m->col[i] = j;
	}
}

/* The column of name, or (size_t)-1. */
static size_t colmap_find(struct colmap *m, const char *name)
{
	int c;

	if (m->pos > 0 && m->pos <= m->n && strcmp(name, m->name[m->pos - 1]) <= 0)
		m->pos = 0;
	while (m->pos < m->n && (c = strcmp(m->name[m->pos], name)) <= 0) {
		m->pos++;
		if (c == 0)
			return m->col[m->pos - 1];
	}
	return (size_t)-1;
}

struct table {
	struct fb_export_column cols[FB_EXPORT_MAX_COLUMNS];
	char *cell[FB_EXPORT_MAX_COLUMNS];
	char id[FB_ID_LEN + 1];
	size_t ncols;
	int show;
};

static void table_clear(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		free(t->cell[i]);
		t->cell[i] = NULL;
	}
}

static int table_emit(struct table *t, const struct fb_export_sink *sink, struct fb_error *err)
{
	const char *cells[FB_EXPORT_MAX_COLUMNS];
	size_t i;

	cells[0] = t->id;
	for (i = 1; i < t->ncols; i++)
		cells[i] = t->cell[i] ? t->cell[i] : "";
	return sink->row(sink->ctx, cells, t->ncols, err);
}

int fb_export(struct fb_store *s, const struct fb_export_query *q, const struct fb_export_sink *sink,
	      uint64_t *rows, struct fb_error *err)
{
	const struct fb_kind *k = q->kind ? fb_kind_find(q->kind) : NULL;
	struct table *t = NULL;
	struct colmap map;
	sqlite3_stmt *st = NULL;
	int64_t lo = INT64_MIN, hi = INT64_MAX;
	uint64_t count = 0;
	int rc, r, have = 0;

	if (rows)
		*rows = 0;
	if (!k)
		return fb_error_set(err, FB_ENOTFOUND, "kind",
				    _("unknown kind '%s'; `fieldbook fields` lists the kinds"),
				    q->kind ? q->kind : "");
	if ((q->from && (rc = date_hlc(&lo, q->from, "--from", 0, err)) < 0) ||
	    (q->to && (rc = date_hlc(&hi, q->to, "--to", 1, err)) < 0))
		return rc;
	if (!(t = calloc(1, sizeof *t)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	t->ncols = fb_export_columns(k, t->cols);
	t->show = q->unmasked ? FB_SHOW_UNMASKED : FB_SHOW_MASKED;
	colmap_init(&map, t->cols, t->ncols);
	if ((rc = sink->begin(sink->ctx, t->cols, t->ncols, err)) < 0)
		goto cleanup;
	/* One read transaction: a consistent snapshot even while another process saves. */
	if ((rc = db_exec(s, "BEGIN", err)) < 0)
		goto cleanup;
	st = stmt(s, "SELECT r.id, f.name, f.value FROM record r JOIN field f ON f.rec = r.id"
		     " WHERE r.kind = ?1 AND r.live = 1 AND r.updated_hlc >= ?2 AND r.updated_hlc < ?3"
		     " ORDER BY r.updated_hlc DESC, r.id DESC",
		  err);
	if (!st) {
		rc = FB_EDB;
		goto rollback;
	}
	sqlite3_bind_text(st, 1, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, lo);
	sqlite3_bind_int64(st, 3, hi);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		size_t c;
		if (!have || strcmp(id, t->id)) {
			if (have) {
				if ((rc = table_emit(t, sink, err)) < 0)
					goto rollback;
				count++;
				table_clear(t);
			}
			snprintf(t->id, sizeof t->id, "%s", id);
			map.pos = 0;
			have = 1;
		}
		if (name[0] == '_' || (c = colmap_find(&map, name)) == (size_t)-1)
			continue;
		free(t->cell[c]);
		if (!(t->cell[c] = fb_value_display(t->cols[c].field,
						    (const char *)sqlite3_column_text(st, 2), t->show))) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
			goto rollback;
		}
	}
	if (r != SQLITE_DONE) {
		rc = db_error(s, "reading records to export", err);
		goto rollback;
	}
	if (have) {
		if ((rc = table_emit(t, sink, err)) < 0)
			goto rollback;
		count++;
	}
	rc = 0;
rollback:
	if (st)
		sqlite3_reset(st);
	db_rollback(s);
cleanup:
	if (t) {
		table_clear(t);
		free(t);
	}
	if (rows)
		*rows = count;
	return rc;
}

/* ---- the CSV sink ---- */

static int csv_row(void *ctx, const char *const *cells, size_t n, struct fb_error *err)
{
	FILE *f = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		if (fb_csv_put_cell(f, cells[i], i == 0) < 0)
			return fb_error_set(err, FB_EIO, "file", _("cannot write the export file"));
	if (fb_csv_end_row(f) < 0)
		return fb_error_set(err, FB_EIO, "file", _("cannot write the export file"));
	return 0;
}

static int csv_begin(void *ctx, const struct fb_export_column *cols, size_t n, struct fb_error *err)
{
	const char *headers[FB_EXPORT_MAX_COLUMNS];
	size_t i;

	if (fputs(FB_CSV_BOM, ctx) == EOF)
		return fb_error_set(err, FB_EIO, "file", _("cannot write the export file"));
	for (i = 0; i < n; i++)
		headers[i] = cols[i].header;
	return csv_row(ctx, headers, n, err);
}

int fb_export_csv(struct fb_store *s, const struct fb_export_query *q, FILE *f, uint64_t *rows,
		  struct fb_error *err)
{
	struct fb_export_sink sink = {csv_begin, csv_row, f};

	return fb_export(s, q, &sink, rows, err);
}
