/* query.c - reading the materialised state: lists, search, links, counts, the canonical
 * dump, the state digest and the integrity check (core layer).
 *
 * Contract: no query scans a whole table.  Lists page by keyset on record_list /
 * record_status (updated time, id), identity lookups probe ident, text goes through FTS5
 * and ranks a bounded candidate set (the newest SEARCH_CANDIDATES hits). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "sha256.h"
#include "fieldbook/crypto.h"
#include "store_int.h"

#define SEARCH_CANDIDATES 500
#define MAX_COLS 16

/* A row with its list columns, owned here. */
struct row_buf {
	struct fb_row row;
	char id[FB_ID_LEN + 1];
	char kind[64];
	char *title;
	char *cols[MAX_COLS];
	const char *colp[MAX_COLS];
};

static void row_clear(struct row_buf *b)
{
	size_t i;

	free(b->title);
	b->title = NULL;
	for (i = 0; i < MAX_COLS; i++) {
		free(b->cols[i]);
		b->cols[i] = NULL;
	}
}

/* Fills b for record rec (its record row and list-column values). */
static int row_load(struct fb_store *s, struct row_buf *b, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT kind, title, conflicts, updated_hlc FROM record WHERE id = ?1", err);
	const struct fb_kind *k;
	const struct fb_field *f;
	size_t n = 0;

	row_clear(b);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return fb_error_set(err, FB_ENOTFOUND, "id", _("no record with id %s"), rec);
	}
	snprintf(b->id, sizeof b->id, "%s", rec);
	snprintf(b->kind, sizeof b->kind, "%s", sqlite3_column_text(st, 0));
	b->title = strdup(sqlite3_column_text(st, 1) ? (const char *)sqlite3_column_text(st, 1) : "");
	b->row.conflicts = sqlite3_column_int(st, 2);
	b->row.updated_hlc = sqlite3_column_int64(st, 3);
	sqlite3_reset(st);
	k = fb_kind_find(b->kind);
	if (k && !strcmp(k->name, b->kind)) {
		for (f = k->fields; f->name && n < MAX_COLS; f++) {
			if (!(f->flags & FB_F_LIST))
				continue;
			st = stmt(s, "SELECT value FROM field WHERE rec = ?1 AND name = ?2", err);
			if (!st)
				return FB_EDB;
			sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, f->name, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW)
				b->cols[n] = strdup((const char *)sqlite3_column_text(st, 0));
			sqlite3_reset(st);
			b->colp[n] = b->cols[n];
			n++;
		}
	}
	b->row.id = b->id;
	b->row.kind = b->kind;
	b->row.title = b->title ? b->title : "";
	b->row.ncols = n;
	b->row.cols = b->colp;
	b->row.match = NULL;
	return 0;
}

static const struct fb_kind *need_kind(const char *name, struct fb_error *err)
{
	const struct fb_kind *k = name ? fb_kind_find(name) : NULL;

	if (!k)
		fb_error_set(err, FB_ENOTFOUND, "kind",
			     _("unknown kind '%s'; the kinds are person, visit, consultation, case, "
			       "request, demand, assistance, note, site, service, team"),
			     name ? name : "");
	return k;
}

int fb_list(struct fb_store *s, const struct fb_list_query *q,
	    int (*cb)(const struct fb_row *row, void *ctx), void *ctx, struct fb_error *err)
{
	const struct fb_kind *k = need_kind(q->kind, err);
	char sql[2048], today[16] = "2000-01-01";
	char *values[8] = {0};
	const char *names[8] = {0};
	sqlite3_stmt *st = NULL;
	struct row_buf b;
	size_t i, nf = q->nfilters, limit = q->limit ? q->limit : 50;
	int64_t after_hlc = 0;
	char after_id[FB_ID_LEN + 1] = "";
	const struct fb_field *status = k ? fb_kind_status_field(k) : NULL;
	const char *date_name = NULL;
	int rc = 0, r, p, status_filter = -1, drive = -1;

	memset(&b, 0, sizeof b);
	if (!k)
		return FB_ENOTFOUND;
	if (nf > 8)
		return fb_error_set(err, FB_EUSAGE, NULL, _("at most 8 filters"));
	for (i = 0; i < nf; i++) {
		const struct fb_field *f = fb_field_find(k, q->filters[i].field);
		if (!f) {
			rc = fb_error_set(err, FB_EINVAL, q->filters[i].field,
					  _("%s has no field '%s'; `fieldbook fields %s` lists them"),
					  k->name, q->filters[i].field, k->name);
			goto cleanup;
		}
		names[i] = f->name;
		rc = fb_value_parse(&values[i], f, q->filters[i].value, today, err);
		if (rc < 0 && rc != FB_EWARN)
			goto cleanup;
		rc = 0;
		if ((f->type == FB_T_REF) && values[i][0]) {
			char full[FB_ID_LEN + 1];
			if ((rc = fb_record_resolve(s, full, values[i], err)) < 0)
				goto cleanup;
			free(values[i]);
			values[i] = strdup(full);
		}
		if (f == status && status_filter < 0)
			status_filter = (int)i;
	}
	if (q->after) {
		char full[FB_ID_LEN + 1];
		sqlite3_stmt *a;
		if ((rc = fb_record_resolve(s, full, q->after, err)) < 0)
			goto cleanup;
		a = stmt(s, "SELECT updated_hlc FROM record WHERE id = ?1", err);
		if (!a) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(a, 1, full, -1, SQLITE_STATIC);
		if (sqlite3_step(a) == SQLITE_ROW)
			after_hlc = sqlite3_column_int64(a, 0);
		sqlite3_reset(a);
		memcpy(after_id, full, sizeof after_id);
	}
	if (q->date_field) {
		const struct fb_field *df = fb_field_find(k, q->date_field);
		if (!df || df->type != FB_T_DATE || !q->date_from || !q->date_to) {
			rc = fb_error_set(err, FB_EINVAL, q->date_field,
					  _("%s: not a date field of %s, or no date range"), q->date_field,
					  k->name);
			goto cleanup;
		}
		date_name = df->name;
	}
	/* A filter that few records match drives the query from the field index (then the
	 * matches are sorted); a common one is checked while walking the list index, which
	 * finds a page quickly.  "Few" is probed with a bounded count. */
	for (i = 0; i < nf && drive < 0; i++) {
		sqlite3_stmt *c;
		if ((int)i == status_filter)
			continue;
		c = stmt(s, "SELECT count(*) FROM (SELECT 1 FROM field WHERE name = ?1 AND value = ?2"
			    " LIMIT 2000)",
			 err);
		if (!c) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(c, 1, names[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(c, 2, values[i], -1, SQLITE_STATIC);
		if (sqlite3_step(c) == SQLITE_ROW && sqlite3_column_int(c, 0) < 2000)
			drive = (int)i;
		sqlite3_reset(c);
	}
	/* SQL is assembled from fixed fragments only; every value is bound.  CROSS JOIN keeps
	 * the driving table outermost. */
	if (date_name)
		p = snprintf(sql, sizeof sql,
			     "SELECT r.id FROM field d CROSS JOIN record r ON r.id = d.rec WHERE d.name = ?5"
			     " AND d.value BETWEEN ?6 AND ?7 AND r.kind = ?1 AND r.live %s",
			     q->include_deleted ? ">= 0" : "= 1");
	else if (drive >= 0)
		p = snprintf(sql, sizeof sql,
			     "SELECT r.id FROM field d CROSS JOIN record r ON r.id = d.rec WHERE d.name = ?%d"
			     " AND d.value = ?%d AND r.kind = ?1 AND r.live %s",
			     20 + drive, 10 + drive, q->include_deleted ? ">= 0" : "= 1");
	else
		p = snprintf(sql, sizeof sql, "SELECT r.id FROM record r WHERE r.kind = ?1 AND r.live %s",
			     q->include_deleted ? ">= 0" : "= 1");
	if (status_filter >= 0)
		p += snprintf(sql + p, sizeof sql - (size_t)p, " AND r.status = ?%d", 10 + status_filter);
	for (i = 0; i < nf; i++)
		if ((int)i != status_filter && (int)i != drive)
			p += snprintf(sql + p, sizeof sql - (size_t)p,
				      " AND EXISTS (SELECT 1 FROM field f WHERE f.rec = r.id"
				      " AND f.name = ?%zu AND f.value = ?%zu)",
				      20 + i, 10 + i);
	if (q->after)
		p += snprintf(sql + p, sizeof sql - (size_t)p, " AND (r.updated_hlc, r.id) < (?2, ?3)");
	snprintf(sql + p, sizeof sql - (size_t)p, " ORDER BY r.updated_hlc DESC, r.id DESC LIMIT ?4");
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(s, "listing", err);
		goto cleanup;
	}
	plan_note(s, st);
	sqlite3_bind_text(st, 1, k->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_hlc);
	sqlite3_bind_text(st, 3, after_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)limit);
	if (date_name) {
		sqlite3_bind_text(st, 5, date_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, q->date_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, q->date_to, -1, SQLITE_STATIC);
	}
	for (i = 0; i < nf; i++) {
		sqlite3_bind_text(st, 10 + (int)i, values[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 20 + (int)i, names[i], -1, SQLITE_STATIC);
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char rec[FB_ID_LEN + 1];
		snprintf(rec, sizeof rec, "%s", sqlite3_column_text(st, 0));
		if ((rc = row_load(s, &b, rec, err)) < 0 || (rc = cb(&b.row, ctx)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "listing", err);
cleanup:
	sqlite3_finalize(st);
	row_clear(&b);
	for (i = 0; i < 8; i++)
		free(values[i]);
	return rc;
}

/* ---- search ---- */

struct hit {
	char rec[FB_ID_LEN + 1];
	int rank;
	int64_t updated;
	const char *match;
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

static int hits_add(struct hits *h, const char *rec, int rank, const char *match)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->v[i].rec, rec)) {
			if (rank < h->v[i].rank) {
				h->v[i].rank = rank;
				h->v[i].match = match;
			}
			return 0;
		}
	if (h->n == h->cap) {
		struct hit *n2 = realloc(h->v, (h->cap = h->cap ? h->cap * 2 : 64) * sizeof *n2);
		if (!n2)
			return -1;
		h->v = n2;
	}
	snprintf(h->v[h->n].rec, sizeof h->v[h->n].rec, "%s", rec);
	h->v[h->n].rank = rank;
	h->v[h->n].match = match;
	h->v[h->n].updated = 0;
	h->n++;
	return 0;
}

static int cmp_hits(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return strcmp(y->rec, x->rec);
}

static int ident_hits(struct fb_store *s, struct hits *h, const char *key, const char *match,
		      struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT i.rec FROM ident i JOIN record r ON r.id = i.rec"
				   " WHERE i.key = ?1 AND r.live = 1 LIMIT 500",
				err);
	int r;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (hits_add(h, (const char *)sqlite3_column_text(st, 0), 0, match) < 0) {
			sqlite3_reset(st);
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : db_error(s, "searching", err);
}

/* Builds the FTS5 expression for text: a CJK run of one character matches the uni column,
 * a longer run the phrase of its bigrams in the bi column, a word is a prefix in bi; all
 * ANDed, each term double-quoted (tokens never hold '"').  NULL when nothing to match. */
static char *fts_expr(const char *text, const char *kind)
{
	size_t len = strlen(text), i = 0, cap = len * 6 + 64, o = 0;
	char *out = malloc(cap);
	uint32_t run[256];
	size_t nrun = 0, terms = 0;
	int in_word = 0;

	if (!out)
		return NULL;
	out[0] = '\0';
	if (kind)
		o += (size_t)snprintf(out, cap, "kind : \"k%s\"", kind);
	for (;;) {
		uint32_t c = 0, w = 0;
		int end = i >= len;
		if (!end)
			i += fb_utf8_decode(text + i, len - i, &c);
		if (!end && index_is_cjk(c) && nrun < sizeof run / sizeof run[0]) {
			if (in_word) {
				o += (size_t)sprintf(out + o, "\"*");
				in_word = 0;
			}
			run[nrun++] = c;
			continue;
		}
		if (nrun) { /* close a CJK run */
			size_t k;
			o += (size_t)sprintf(out + o, "%s%s : \"", o ? " AND " : "", nrun == 1 ? "uni" : "bi");
			if (nrun == 1)
				o += fb_utf8_encode(run[0], out + o);
			for (k = 0; k + 1 < nrun; k++) {
				if (k)
					out[o++] = ' ';
				o += fb_utf8_encode(run[k], out + o);
				o += fb_utf8_encode(run[k + 1], out + o);
			}
			out[o++] = '"';
			out[o] = '\0';
			nrun = 0;
			terms++;
		}
		if (end)
			break;
		if ((w = index_word_char(c)) != 0) {
			if (!in_word) {
				o += (size_t)sprintf(out + o, "%sbi : \"", o ? " AND " : "");
				in_word = 1;
				terms++;
			}
			o += fb_utf8_encode(w, out + o);
			out[o] = '\0';
		} else if (in_word) {
			o += (size_t)sprintf(out + o, "\"*");
			in_word = 0;
		}
	}
	if (in_word)
		o += (size_t)sprintf(out + o, "\"*");
	if (!terms) {
		free(out);
		return NULL;
	}
	return out;
}

/* Rank of a text hit from its title: 1 equal, 2 prefix, 3 contains, 4 elsewhere. */
static int title_rank(const char *title, const char *q)
{
	size_t lq = strlen(q);

	if (!title || !*q)
		return 4;
	if (!strcmp(title, q))
		return 1;
	if (!strncmp(title, q, lq))
		return 2;
	if (strstr(title, q))
		return 3;
	return 4;
}

int fb_search(struct fb_store *s, const char *text, const char *kind, size_t offset, size_t limit,
	      int (*cb)(const struct fb_row *row, void *ctx), void *ctx, struct fb_error *err)
{
	struct hits h = {0};
	struct row_buf b;
	char norm[64], key[96], *trimmed = NULL, *expr = NULL;
	const struct fb_kind *k = NULL;
	sqlite3_stmt *st;
	size_t i, shown = 0;
	int rc = 0, r;

	memset(&b, 0, sizeof b);
	if (!limit)
		limit = 20;
	if (kind && !(k = need_kind(kind, err)))
		return FB_ENOTFOUND;
	if ((rc = fb_validate_text(&trimmed, text ? text : "", 0, 200, "query", err)) < 0)
		return rc;
	if (!*trimmed) {
		rc = fb_error_set(err, FB_EUSAGE, "query", _("search for what? give a name, ID number, "
							     "mobile or words"));
		goto cleanup;
	}
	/* identity: ID number, mobile, last 4 digits of a mobile */
	if (fb_normalize_code(norm, sizeof norm, trimmed, "query", NULL) == 0 && strlen(norm) >= 6 &&
	    strspn(norm, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(norm)) {
		snprintf(key, sizeof key, "id:%s", norm);
		if ((rc = ident_hits(s, &h, key, "id_number", err)) < 0)
			goto cleanup;
		/* sealed ID numbers are found by their keyed tag (crypto.h) */
		if (fb_crypto_tag(key + 4, fb_crypto_ring(), norm) == 0) {
			memcpy(key, "idh:", 4);
			if ((rc = ident_hits(s, &h, key, "id_number", err)) < 0)
				goto cleanup;
		}
	}
	if (fb_validate_mobile(norm, sizeof norm, trimmed, "query", NULL) == 0) {
		snprintf(key, sizeof key, "mob:%s", norm);
		if ((rc = ident_hits(s, &h, key, "mobile", err)) < 0)
			goto cleanup;
	}
	if (fb_normalize_code(norm, sizeof norm, trimmed, "query", NULL) == 0 && strlen(norm) == 4 &&
	    strspn(norm, "0123456789") == 4) {
		snprintf(key, sizeof key, "m4:%s", norm);
		if ((rc = ident_hits(s, &h, key, "mobile", err)) < 0)
			goto cleanup;
	}
	/* titles equal to the query, then starting with it, through the title index: these
	 * rank first however old they are */
	{
		size_t ql = strlen(trimmed);
		char *hi = malloc(ql + 2);
		char kindtok[72];
		if (!hi) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			goto cleanup;
		}
		memcpy(hi, trimmed, ql);
		hi[ql] = (char)0xff; /* above every UTF-8 continuation of the prefix */
		hi[ql + 1] = '\0';
		snprintf(kindtok, sizeof kindtok, "k%s", k ? k->name : "");
		st = stmt(s, "SELECT rec, title FROM search_doc WHERE title >= ?1 AND title < ?2"
			     " AND (?3 = 'k' OR kind = ?3) LIMIT 500",
			  err);
		if (!st) {
			free(hi);
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, trimmed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hi, (int)ql + 1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kindtok, -1, SQLITE_STATIC);
		while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
			const char *title = (const char *)sqlite3_column_text(st, 1);
			if (hits_add(&h, (const char *)sqlite3_column_text(st, 0), !strcmp(title, trimmed) ? 1 : 2,
				     "name") < 0)
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		}
		sqlite3_reset(st);
		free(hi);
		if (rc < 0)
			goto cleanup;
	}
	/* text, newest candidates first */
	expr = fts_expr(trimmed, k ? k->name : NULL);
	if (expr) {
		st = stmt(s, "SELECT d.rec, d.title FROM search_doc d WHERE d.rowid IN"
			     " (SELECT rowid FROM search_fts WHERE search_fts MATCH ?1"
			     " ORDER BY rowid DESC LIMIT 500)",
			  err);
		if (!st) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			int rank = title_rank((const char *)sqlite3_column_text(st, 1), trimmed);
			if (hits_add(&h, (const char *)sqlite3_column_text(st, 0), rank,
				     rank < 4 ? "name" : "text") < 0) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
		}
		sqlite3_reset(st);
		if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW)
			rc = db_error(s, "searching", err);
		if (rc < 0)
			goto cleanup;
	}
	for (i = 0; i < h.n; i++) {
		st = stmt(s, "SELECT updated_hlc, kind FROM record WHERE id = ?1", err);
		if (!st) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, h.v[i].rec, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			h.v[i].updated = sqlite3_column_int64(st, 0);
			if (k && strcmp((const char *)sqlite3_column_text(st, 1), k->name))
				h.v[i].rank = -1; /* other kind: dropped below */
		}
		sqlite3_reset(st);
	}
	if (h.n)
		qsort(h.v, h.n, sizeof *h.v, cmp_hits);
	for (i = 0; i < h.n && shown < offset + limit; i++) {
		if (h.v[i].rank < 0)
			continue;
		if (shown++ < offset)
			continue;
		if ((rc = row_load(s, &b, h.v[i].rec, err)) < 0)
			break;
		b.row.match = h.v[i].match;
		if ((rc = cb(&b.row, ctx)) != 0)
			break;
	}
cleanup:
	row_clear(&b);
	free(h.v);
	free(expr);
	free(trimmed);
	return rc;
}

int fb_linked(struct fb_store *s, const char *id, size_t limit,
	      int (*cb)(const struct fb_row *row, const char *via_field, void *ctx), void *ctx,
	      struct fb_error *err)
{
	char full[FB_ID_LEN + 1];
	sqlite3_stmt *st = NULL;
	struct row_buf b;
	int rc, r;

	memset(&b, 0, sizeof b);
	if ((rc = fb_record_resolve(s, full, id, err)) < 0)
		return rc;
	/* references to id and to every record merged into it (merged_into chains, review.h) */
	if (sqlite3_prepare_v2(s->db, "WITH RECURSIVE t(id) AS (SELECT ?1 UNION SELECT f.rec FROM field f"
				      " JOIN t ON f.name = 'merged_into' AND f.value = t.id)"
				      " SELECT i.rec, min(substr(i.key, 22)) FROM t JOIN ident i"
				      " ON i.key >= 'ref:' || t.id || ':' AND i.key < 'ref:' || t.id || ';'"
				      " JOIN record r ON r.id = i.rec WHERE r.live = 1 GROUP BY i.rec"
				      " ORDER BY r.updated_hlc DESC, r.id DESC LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading linked records", err);
	plan_note(s, st);
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)(limit ? limit : 100));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char rec[FB_ID_LEN + 1], via[64];
		snprintf(rec, sizeof rec, "%s", sqlite3_column_text(st, 0));
		snprintf(via, sizeof via, "%s", sqlite3_column_text(st, 1));
		if ((rc = row_load(s, &b, rec, err)) < 0 || (rc = cb(&b.row, via, ctx)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading linked records", err);
	sqlite3_finalize(st);
	row_clear(&b);
	return rc;
}

int fb_count(struct fb_store *s, const char *kind, int64_t *out, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT live FROM kind_count WHERE kind = ?1", err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}

int fb_conflict_count(struct fb_store *s, int64_t *out, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT count(*) FROM record WHERE conflicts > 0", err);

	if (!st)
		return FB_EDB;
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}

/* ---- dump, digest, check ---- */

/* Percent-escapes tab, newline, CR, '%' and other C0 controls so a value fits one field. */
static char *escape(const char *v)
{
	size_t n = strlen(v), i, o = 0;
	char *out = malloc(n * 3 + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c < 0x20 || c == '%' || c == 0x7f)
			o += (size_t)sprintf(out + o, "%%%02X", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

int fb_store_dump(struct fb_store *s, int (*write_cb)(const char *line, void *ctx), void *ctx,
		  struct fb_error *err)
{
	sqlite3_stmt *rs = NULL, *fs = NULL;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0, r;

	if (sqlite3_prepare_v2(s->db, "SELECT id, kind, exists_, live, del_conflict, conflicts,"
				      " created_hlc, created_by, created_dev, updated_hlc, updated_by"
				      " FROM record ORDER BY id",
			       -1, &rs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT field, value, id FROM op WHERE rec = ?1 AND " OP_VISIBLE
				      " ORDER BY field, hlc DESC, device DESC, seq DESC, idx DESC",
			       -1, &fs, NULL) != SQLITE_OK) {
		rc = db_error(s, "dumping", err);
		goto cleanup;
	}
	while ((r = sqlite3_step(rs)) == SQLITE_ROW) {
		char head[1024], *by1 = escape((const char *)sqlite3_column_text(rs, 7)),
				 *by2 = escape((const char *)sqlite3_column_text(rs, 10));
		const char *rec = (const char *)sqlite3_column_text(rs, 0);
		snprintf(head, sizeof head,
			 "record\t%s\t%s\texists=%d\tlive=%d\tdelete_conflict=%d\tconflicts=%d"
			 "\tcreated=%lld/%s/%s\tupdated=%lld/%s",
			 rec, sqlite3_column_text(rs, 1), sqlite3_column_int(rs, 2),
			 sqlite3_column_int(rs, 3), sqlite3_column_int(rs, 4), sqlite3_column_int(rs, 5),
			 (long long)sqlite3_column_int64(rs, 6), by1 ? by1 : "",
			 sqlite3_column_text(rs, 8), (long long)sqlite3_column_int64(rs, 9),
			 by2 ? by2 : "");
		free(by1);
		free(by2);
		if ((rc = write_cb(head, ctx)) != 0)
			goto cleanup;
		sqlite3_reset(fs);
		sqlite3_bind_text(fs, 1, rec, -1, SQLITE_TRANSIENT);
		while ((r = sqlite3_step(fs)) == SQLITE_ROW) {
			char *v = escape((const char *)sqlite3_column_text(fs, 1));
			const char *field = (const char *)sqlite3_column_text(fs, 0);
			const char *op = (const char *)sqlite3_column_text(fs, 2);
			size_t need;
			if (!v) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				goto cleanup;
			}
			need = strlen(v) + strlen(field) + strlen(op) + 16;
			if (need > cap) {
				char *n2 = realloc(line, cap = need * 2);
				if (!n2) {
					free(v);
					rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
					goto cleanup;
				}
				line = n2;
			}
			snprintf(line, cap, "\t%s\t%s\t%s", field, op, v);
			free(v);
			if ((rc = write_cb(line, ctx)) != 0)
				goto cleanup;
		}
		if (r != SQLITE_DONE) {
			rc = db_error(s, "dumping", err);
			goto cleanup;
		}
	}
	if (r != SQLITE_DONE)
		rc = db_error(s, "dumping", err);
cleanup:
	sqlite3_finalize(rs);
	sqlite3_finalize(fs);
	free(line);
	return rc;
}

static int digest_line(const char *line, void *ctx)
{
	sha256_update(ctx, line, strlen(line));
	sha256_update(ctx, "\n", 1);
	return 0;
}

int fb_store_state_digest(struct fb_store *s, char *out, struct fb_error *err)
{
	struct sha256 c;
	int rc;

	sha256_init(&c);
	if ((rc = fb_store_dump(s, digest_line, &c, err)) != 0)
		return rc;
	sha256_final_hex(&c, out);
	return 0;
}

int fb_store_check(struct fb_store *s, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	char before[65], after[65];
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "checking", err);
	if (sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok")) {
		rc = fb_error_set(err, FB_ECORRUPT, "database",
				  _("the database file is damaged (%s); restore it from a backup or "
				    "sync it again from HQ"),
				  sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "?");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	/* The materialised state must equal what the ops alone give: rebuild inside a
	 * transaction, compare digests, and roll back. */
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = fb_store_state_digest(s, before, err)) < 0 || (rc = oplog_rebuild_in_tx(s, err)) < 0 ||
	    (rc = fb_store_state_digest(s, after, err)) < 0) {
		db_rollback(s);
		return rc;
	}
	db_rollback(s);
	if (strcmp(before, after))
		return fb_error_set(err, FB_ECORRUPT, "database",
				    _("the materialised records do not match the op log; run "
				      "`fieldbook rebuild`"));
	return 0;
}

static int explain(struct fb_store *s, const char *sql,
		   int (*cb)(const char *sql, const char *detail, void *ctx), void *ctx,
		   struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	char *text = malloc(strlen(sql) + 24);
	int rc = 0, r;

	if (!text)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	sprintf(text, "EXPLAIN QUERY PLAN %s", sql); /* our own SQL text, never user input */
	if (sqlite3_prepare_v2(s->db, text, -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return 0; /* statements such as PRAGMA have no plan */
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW && rc == 0)
		rc = cb(sql, (const char *)sqlite3_column_text(st, 3), ctx);
	sqlite3_finalize(st);
	free(text);
	return rc;
}

int fb_store_query_plans(struct fb_store *s,
			 int (*cb)(const char *sql, const char *detail, void *ctx), void *ctx,
			 struct fb_error *err)
{
	int i, rc = 0;

	for (i = 0; i < STMT_CACHE && rc == 0; i++)
		if (s->cache[i].sql)
			rc = explain(s, s->cache[i].sql, cb, ctx, err);
	for (i = 0; i < 16 && rc == 0; i++)
		if (s->adhoc[i])
			rc = explain(s, s->adhoc[i], cb, ctx, err);
	return rc;
}
