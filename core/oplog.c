/* oplog.c - applying ops and materialising their state (core layer).
 *
 * Contract (DESIGN section 2): for a key (rec, field) the visible ops are the ops on
 * that key whose id no op names in its pred.  The materialised tables (superseded,
 * op.visible, field, record, ident, search) depend only on the set of ops, never on
 * arrival order: applying the same ops in any order, with repeats, gives the same
 * state, and fb_store_rebuild gives it again from the ops alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "sha256.h"
#include "store_int.h"

/* Splits "<device>:<seq>.<idx>"; 0 on success. */
static int parse_op_id(const char *id, char *device, size_t cap, int64_t *seq, int64_t *idx)
{
	const char *colon = strchr(id, ':'), *dot;
	char *end;
	size_t dlen;

	if (!colon)
		return -1;
	dlen = (size_t)(colon - id);
	if (dlen == 0 || dlen >= cap)
		return -1;
	memcpy(device, id, dlen);
	device[dlen] = '\0';
	dot = strchr(colon + 1, '.');
	if (!dot || dot == colon + 1 || dot[1] == '\0')
		return -1;
	*seq = strtoll(colon + 1, &end, 10);
	if (end != dot || *seq < 0)
		return -1;
	*idx = strtoll(dot + 1, &end, 10);
	if (*end || *idx < 0)
		return -1;
	return 0;
}

/* The keys (rec, field) a batch touched, kept in memory as "rec\001field" strings;
 * sorted and de-duplicated before they are refreshed. */
struct dirty {
	char **keys;
	size_t n, cap;
};

static int mark_dirty(struct dirty *d, const char *rec, const char *field, struct fb_error *err)
{
	size_t lr = strlen(rec), lf = strlen(field);
	char *k;

	if (d->n == d->cap) {
		char **n2 = realloc(d->keys, (d->cap = d->cap ? d->cap * 2 : 256) * sizeof *n2);
		if (!n2)
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		d->keys = n2;
	}
	if (!(k = malloc(lr + lf + 2)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	memcpy(k, rec, lr);
	k[lr] = '\001';
	memcpy(k + lr + 1, field, lf + 1);
	d->keys[d->n++] = k;
	return 0;
}

static void dirty_free(struct dirty *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->keys[i]);
	free(d->keys);
}

static int same_text(sqlite3_stmt *st, int col, const char *v)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t && v && strcmp(t, v) == 0;
}

/* An op being materialised, with its id split (device = id[0 .. devlen)). */
struct aop {
	const struct fb_op *op;
	size_t devlen;
	int64_t seq, idx;
	size_t order; /* position in the batch */
};

static int aop_init(struct aop *a, const struct fb_op *op, size_t order, struct fb_error *err)
{
	char device[80];

	if (parse_op_id(op->id, device, sizeof device, &a->seq, &a->idx) != 0)
		return fb_error_set(err, FB_EINVAL, "op", _("malformed op id '%s'"), op->id);
	a->op = op;
	a->devlen = strlen(device);
	a->order = order;
	return 0;
}

/* The canonical total order of ops: (hlc, device, seq, idx). */
static int aop_cmp_canonical(const struct aop *a, const struct aop *b)
{
	size_t l = a->devlen < b->devlen ? a->devlen : b->devlen;
	int c;

	if (a->op->hlc != b->op->hlc)
		return a->op->hlc < b->op->hlc ? -1 : 1;
	if ((c = memcmp(a->op->id, b->op->id, l)) != 0)
		return c;
	if (a->devlen != b->devlen)
		return a->devlen < b->devlen ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Grouping order: record, field, then batch order. */
static int aop_cmp_key(const void *pa, const void *pb)
{
	const struct aop *a = pa, *b = pb;
	int c = strcmp(a->op->rec, b->op->rec);

	if (!c)
		c = strcmp(a->op->field, b->op->field);
	if (!c)
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

/* Id order, then batch order. */
static int aop_cmp_id(const void *pa, const void *pb)
{
	const struct aop *a = pa, *b = pb;
	int c = strcmp(a->op->id, b->op->id);

	return c ? c : a->order < b->order ? -1 : a->order > b->order;
}

/* Inserts one op into the op log; *n gets its arrival number, 0 when it was already known
 * (identical: skipped).  The same id with other content is FB_ECORRUPT. */
static int insert_op(struct fb_store *s, const struct aop *a, int64_t *n, struct fb_error *err)
{
	const struct fb_op *op = a->op;
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	st = stmt(s, "INSERT INTO op(id, device, seq, idx, hlc, author, kind, rec, field, value, pred)"
		     " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, op->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, op->id, (int)a->devlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->seq);
	sqlite3_bind_int64(st, 4, a->idx);
	sqlite3_bind_int64(st, 5, op->hlc);
	sqlite3_bind_text(st, 6, op->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, op->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, op->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, op->field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, op->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, op->pred, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		*n = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	sqlite3_reset(st);
	if (sqlite3_extended_errcode(s->db) != SQLITE_CONSTRAINT_UNIQUE)
		return db_error(s, "saving", err);
	/* Known id: identical content is a repeat, anything else is refused. */
	st = stmt(s, "SELECT hlc, author, kind, rec, field, value, pred FROM op WHERE id = ?1", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, op->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int same = sqlite3_column_int64(st, 0) == op->hlc && same_text(st, 1, op->author) &&
			   same_text(st, 2, op->kind) && same_text(st, 3, op->rec) &&
			   same_text(st, 4, op->field) && same_text(st, 5, op->value) &&
			   same_text(st, 6, op->pred);
		sqlite3_reset(st);
		if (!same)
			return fb_error_set(err, FB_ECORRUPT, "op",
					    _("op %s arrived again with different content; "
					      "the first version is kept"),
					    op->id);
		return 0;
	}
	sqlite3_reset(st);
	return db_error(s, "reading the op log", err);
}

/* Every op named in pred is superseded, whether it is known yet or not; the keys of known
 * ops that this hides are marked dirty. */
static int supersede(struct fb_store *s, struct dirty *d, const struct fb_op *op, struct fb_error *err)
{
	sqlite3_stmt *st;
	const char *p;
	int rc;

	for (p = op->pred; *p;) {
		size_t len = strcspn(p, " ");
		if (len == 0) {
			p++;
			continue;
		}
		if (len > FB_OPID_MAX + 8)
			return fb_error_set(err, FB_EINVAL, "op", _("op %s: overlong pred entry"), op->id);
		st = stmt(s, "INSERT OR IGNORE INTO superseded(id) VALUES(?1)", err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, p, (int)len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, "saving", err);
		sqlite3_reset(st);
		if (sqlite3_changes(s->db) > 0) {
			st = stmt(s, "SELECT rec, field FROM op WHERE id = ?1", err);
			if (!st)
				return FB_EDB;
			sqlite3_bind_text(st, 1, p, (int)len, SQLITE_STATIC);
			rc = sqlite3_step(st);
			if (rc == SQLITE_ROW) {
				rc = mark_dirty(d, (const char *)sqlite3_column_text(st, 0),
						(const char *)sqlite3_column_text(st, 1), err);
				sqlite3_reset(st);
				if (rc < 0)
					return rc;
			} else {
				sqlite3_reset(st);
				if (rc != SQLITE_DONE)
					return db_error(s, "reading the op log", err);
			}
		}
		p += len;
	}
	return 0;
}

/* Recompute the field row of one key from its visible ops. */
static int refresh_key(struct fb_store *s, const char *rec, const char *field, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT value, id FROM op WHERE rec = ?1 AND field = ?2 AND " OP_VISIBLE
				   " ORDER BY hlc DESC, device DESC, seq DESC, idx DESC",
				err);
	char *win_value = NULL, *win_op = NULL, **seen = NULL;
	size_t nseen = 0, cap = 0, i;
	int rc = 0, r;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		int dup = 0;
		if (!win_value) {
			win_value = strdup(v);
			win_op = strdup((const char *)sqlite3_column_text(st, 1));
		}
		for (i = 0; i < nseen && !dup; i++)
			dup = strcmp(seen[i], v) == 0;
		if (!dup) {
			if (nseen == cap) {
				char **n2 = realloc(seen, (cap = cap ? cap * 2 : 4) * sizeof *seen);
				if (!n2) {
					rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
					goto cleanup;
				}
				seen = n2;
			}
			if (!(seen[nseen++] = strdup(v))) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				goto cleanup;
			}
		}
	}
	if (r != SQLITE_DONE) {
		rc = db_error(s, "reading the op log", err);
		goto cleanup;
	}
	sqlite3_reset(st);
	if (!win_value) {
		st = stmt(s, "DELETE FROM field WHERE rec = ?1 AND name = ?2", err);
		if (!st) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	} else {
		st = stmt(s, "INSERT OR REPLACE INTO field(rec, name, value, op, nvalues)"
			     " VALUES(?1, ?2, ?3, ?4, ?5)",
			  err);
		if (!st) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, win_value, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, win_op, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (int64_t)nseen);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(s, "saving", err);
	sqlite3_reset(st);
cleanup:
	for (i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(win_value);
	free(win_op);
	return rc;
}

/* Writes the pending kind_count changes. */
static int count_flush(struct fb_store *s, struct fb_error *err)
{
	unsigned i;

	for (i = 0; i < s->nkd; i++) {
		sqlite3_stmt *st;
		if (!s->kd[i].delta)
			continue;
		st = stmt(s, "INSERT INTO kind_count(kind, live) VALUES(?1, ?2)"
			     " ON CONFLICT(kind) DO UPDATE SET live = live + ?2",
			  err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, s->kd[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->kd[i].delta);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, "saving", err);
		sqlite3_reset(st);
	}
	s->nkd = 0;
	return 0;
}

/* Adds delta to the live count of kind (written by count_flush). */
static int count_add(struct fb_store *s, const char *kind, int delta, struct fb_error *err)
{
	unsigned i;
	int rc;

	for (i = 0; i < s->nkd; i++)
		if (!strcmp(s->kd[i].kind, kind)) {
			s->kd[i].delta += delta;
			return 0;
		}
	if (strlen(kind) >= sizeof s->kd[0].kind || s->nkd == sizeof s->kd / sizeof s->kd[0]) {
		if ((rc = count_flush(s, err)) < 0)
			return rc;
		if (strlen(kind) >= sizeof s->kd[0].kind) { /* an unknown, long kind: at once */
			sqlite3_stmt *st = stmt(s, "INSERT INTO kind_count(kind, live) VALUES(?1, ?2)"
						   " ON CONFLICT(kind) DO UPDATE SET live = live + ?2",
						err);
			if (!st)
				return FB_EDB;
			sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 2, delta);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_error(s, "saving", err);
			sqlite3_reset(st);
			return 0;
		}
	}
	snprintf(s->kd[s->nkd].kind, sizeof s->kd[0].kind, "%s", kind);
	s->kd[s->nkd++].delta = delta;
	return 0;
}

/* What a record row is computed from: its first and last op in the canonical order and its
 * field rows sorted by name. */
struct recsrc {
	const char *kind;
	int64_t created_hlc, updated_hlc;
	const char *created_by, *created_dev, *updated_by;
	size_t nf;
	const char *const *names, *const *values;
	const int64_t *nvalues;
	int was_live;          /* the old record row was live (indexed, counted) */
	const char *old_kind;  /* its kind */
};

/* Writes the record row of rec (existence, title, status, conflicts, times), keeps
 * kind_count in step and re-indexes the record. */
static int record_write(struct fb_store *s, const char *rec, const struct recsrc *r,
			struct fb_error *err)
{
	const struct fb_kind *k = fb_kind_find(r->kind);
	const struct fb_field *tf, *sf;
	const char *exists_v = NULL, *title = NULL, *status = NULL, *merged = NULL;
	int64_t conflicts = 0, other_fields = 0;
	int exists, del_conflict, rc;
	sqlite3_stmt *st;
	size_t i;

	if (k && strcmp(k->name, r->kind))
		k = NULL;
	tf = k ? fb_kind_title_field(k) : NULL;
	sf = k ? fb_kind_status_field(k) : NULL;
	for (i = 0; i < r->nf; i++) {
		const char *name = r->names[i];
		if (r->nvalues[i] > 1)
			conflicts++;
		if (!strcmp(name, "_exists"))
			exists_v = r->values[i];
		else {
			other_fields++;
			if (tf && !strcmp(name, tf->name))
				title = r->values[i];
			else if (sf && !strcmp(name, sf->name))
				status = r->values[i];
			else if (!strcmp(name, "merged_into"))
				merged = r->values[i];
		}
	}
	exists = exists_v && strcmp(exists_v, "1") == 0;
	del_conflict = exists_v && !exists && other_fields > 0;
	if (merged && !*merged)
		merged = NULL;
	if (r->was_live && (rc = count_add(s, r->old_kind, -1, err)) < 0)
		return rc;
	if (exists && !merged && (rc = count_add(s, r->kind, 1, err)) < 0)
		return rc;
	st = stmt(s, "INSERT OR REPLACE INTO record(id, kind, exists_, live, del_conflict, conflicts,"
		     " title, status, merged_into, created_hlc, created_by, created_dev, updated_hlc,"
		     " updated_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, exists);
	sqlite3_bind_int(st, 4, exists && !merged);
	sqlite3_bind_int(st, 5, del_conflict);
	sqlite3_bind_int64(st, 6, conflicts + del_conflict);
	sqlite3_bind_text(st, 7, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, merged, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, r->created_hlc);
	sqlite3_bind_text(st, 11, r->created_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, r->created_dev, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, r->updated_hlc);
	sqlite3_bind_text(st, 14, r->updated_by, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "saving", err);
	sqlite3_reset(st);
	return index_record_fields(s, rec, r->kind, exists && !merged, title, r->names, r->values, r->nf,
				   r->was_live, err);
}

/* Recompute the record row (existence, title, status, times, conflicts) and its index
 * from the op log and the record's field rows. */
static int refresh_record(struct fb_store *s, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st;
	char kind[64] = "", created_by[256] = "", created_dev[80] = "", updated_by[256] = "";
	char old_kind[64] = "";
	struct recsrc r = {0};
	char **names = NULL, **values = NULL;
	int64_t *nvalues = NULL;
	size_t nf = 0, cap = 0, i;
	int r2, first = 1, rc = 0;

	st = stmt(s, "SELECT hlc, author, device, kind FROM op WHERE rec = ?1 AND " OP_COUNTED
		     " ORDER BY hlc, device, seq, idx",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	while ((r2 = sqlite3_step(st)) == SQLITE_ROW) {
		if (first) {
			r.created_hlc = sqlite3_column_int64(st, 0);
			snprintf(created_by, sizeof created_by, "%s", sqlite3_column_text(st, 1));
			snprintf(created_dev, sizeof created_dev, "%s", sqlite3_column_text(st, 2));
			snprintf(kind, sizeof kind, "%s", sqlite3_column_text(st, 3));
			first = 0;
		}
		r.updated_hlc = sqlite3_column_int64(st, 0);
		snprintf(updated_by, sizeof updated_by, "%s", sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	if (r2 != SQLITE_DONE)
		return db_error(s, "reading the op log", err);

	st = stmt(s, "SELECT name, value, nvalues FROM field WHERE rec = ?1 ORDER BY name", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	while ((r2 = sqlite3_step(st)) == SQLITE_ROW) {
		if (nf == cap) {
			size_t c2 = cap ? cap * 2 : 16;
			char **n1 = realloc(names, c2 * sizeof *n1);
			if (n1)
				names = n1;
			char **n2 = realloc(values, c2 * sizeof *n2);
			if (n2)
				values = n2;
			int64_t *n3 = realloc(nvalues, c2 * sizeof *n3);
			if (n3)
				nvalues = n3;
			if (!n1 || !n2 || !n3) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
			cap = c2;
		}
		names[nf] = strdup((const char *)sqlite3_column_text(st, 0));
		values[nf] = strdup((const char *)sqlite3_column_text(st, 1));
		nvalues[nf] = sqlite3_column_int64(st, 2);
		nf++;
		if (!names[nf - 1] || !values[nf - 1]) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == 0 && r2 != SQLITE_DONE)
		rc = db_error(s, "reading a record", err);
	if (rc < 0)
		goto cleanup;

	st = stmt(s, "SELECT kind, live FROM record WHERE id = ?1", err);
	if (!st) {
		rc = FB_EDB;
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1)) {
		r.was_live = 1;
		snprintf(old_kind, sizeof old_kind, "%s", sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	r.kind = kind;
	r.created_by = created_by;
	r.created_dev = created_dev;
	r.updated_by = updated_by;
	r.old_kind = old_kind;
	r.nf = nf;
	r.names = (const char *const *)names;
	r.values = (const char *const *)values;
	r.nvalues = nvalues;
	rc = record_write(s, rec, &r, err);
cleanup:
	for (i = 0; i < nf; i++) {
		free(names[i]);
		free(values[i]);
	}
	free(names);
	free(values);
	free(nvalues);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Audit entries are exactly the ops of the one save that created them (audit.h).  For a
 * record with an audit "_exists := 1" op, the creating save is the (device, seq) of the
 * first such op in the canonical order; audit_vis gets every op of the record, visible
 * when it is of that save.  Ops of any other save (an added field, an overwrite, a
 * delete, whatever their kind or pred) are ignored, and preds of other ops cannot hide
 * the entry's own ops.  This depends only on the set of ops: an op that arrived before
 * the creating save is ignored as soon as that save arrives.  Keys whose verdict changed
 * are marked dirty; with alarms, an op newly ignored raises an "audit" alarm. */
static int audit_refresh(struct fb_store *s, struct dirty *d, const char *rec, int alarms,
			 struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT device, seq FROM op WHERE rec = ?1 AND field = '_exists'"
				   " AND kind = 'audit' AND value = '1' ORDER BY hlc, device, seq, idx LIMIT 1",
				err);
	char dev[80];
	int64_t seq;
	int r, rc = 0;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		snprintf(dev, sizeof dev, "%s", sqlite3_column_text(st, 0));
		seq = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return 0; /* not an audit entry (or its creating save has not arrived yet) */
	if (r != SQLITE_ROW)
		return db_error(s, "reading the op log", err);
	st = stmt(s, "SELECT id, field, device = ?2 AND seq = ?3,"
		     " (SELECT visible FROM audit_vis WHERE audit_vis.id = op.id) FROM op WHERE rec = ?1",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, dev, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		int vis = sqlite3_column_int(st, 2);
		sqlite3_stmt *w;
		if (sqlite3_column_type(st, 3) != SQLITE_NULL && sqlite3_column_int(st, 3) == vis)
			continue;
		if ((rc = mark_dirty(d, rec, (const char *)sqlite3_column_text(st, 1), err)) < 0)
			break;
		if (!(w = stmt(s, "INSERT OR REPLACE INTO audit_vis(id, visible) VALUES(?1, ?2)", err))) {
			rc = FB_EDB;
			break;
		}
		sqlite3_bind_text(w, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int(w, 2, vis);
		r = sqlite3_step(w);
		sqlite3_reset(w);
		if (r != SQLITE_DONE) {
			rc = db_error(s, "saving", err);
			break;
		}
		if (vis || !alarms)
			continue;
		if (!(w = stmt(s, "INSERT INTO alarm(at, what, detail) VALUES(?1, 'audit', ?2)", err))) {
			rc = FB_EDB;
			break;
		}
		{
			char *detail = sqlite3_mprintf("op %s tries to change audit entry %s, which save %s:%lld"
						       " wrote; it is ignored (audit entries can never be"
						       " changed)",
						       id, rec, dev, (long long)seq);
			if (!detail) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
			sqlite3_bind_int64(w, 1, fb_clock_now_ms());
			sqlite3_bind_text(w, 2, detail, -1, sqlite3_free);
		}
		r = sqlite3_step(w);
		sqlite3_reset(w);
		if (r != SQLITE_DONE)
			rc = db_error(s, "saving", err);
	}
	sqlite3_reset(st);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the op log", err);
	return rc;
}

/* audit_refresh for every record of d once (d grows: only the records there now). */
static int audit_refresh_all(struct fb_store *s, struct dirty *d, int alarms, struct fb_error *err)
{
	size_t i, n = d->n;
	char rec[FB_OPID_MAX + 8];
	int rc;

	if (n)
		qsort(d->keys, n, sizeof *d->keys, cmp_str);
	for (i = 0; i < n; i++) {
		size_t lr = strcspn(d->keys[i], "\001");
		if (i && !strncmp(d->keys[i], d->keys[i - 1], lr) && d->keys[i - 1][lr] == '\001')
			continue;
		if (lr >= sizeof rec)
			return fb_error_set(err, FB_EINVAL, "op", _("overlong record id"));
		memcpy(rec, d->keys[i], lr);
		rec[lr] = '\0';
		if ((rc = audit_refresh(s, d, rec, alarms, err)) < 0)
			return rc;
	}
	return 0;
}

/* Refresh every key of d once, then every record once (keys sorted: records grouped). */
static int refresh_keys(struct fb_store *s, struct dirty *d, struct fb_error *err)
{
	size_t i;
	int rc;

	if (d->n)
		qsort(d->keys, d->n, sizeof *d->keys, cmp_str);
	for (i = 0; i < d->n; i++) {
		char *sep;
		if (i && !strcmp(d->keys[i], d->keys[i - 1]))
			continue;
		sep = strchr(d->keys[i], '\001');
		*sep = '\0';
		rc = refresh_key(s, d->keys[i], sep + 1, err);
		*sep = '\001';
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < d->n; i++) {
		size_t lr = strcspn(d->keys[i], "\001");
		if (i && !strncmp(d->keys[i], d->keys[i - 1], lr) && d->keys[i - 1][lr] == '\001')
			continue; /* same record as the previous key */
		d->keys[i][lr] = '\0';
		rc = refresh_record(s, d->keys[i], err);
		d->keys[i][lr] = '\001';
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A record's ops (g[0..n), sorted by field) can be materialised without reading anything
 * back when the record has no other ops (no record row: the state is up to date), none
 * of them names a pred, no two set the same field and no known pred names any of them:
 * then every op is the only, visible, winning value of its key. */
static int group_is_fresh(struct fb_store *s, const struct aop *g, size_t n, int *fresh,
			  struct fb_error *err)
{
	sqlite3_stmt *st;
	char lo[FB_OPID_MAX + 8], hi[FB_OPID_MAX + 8];
	size_t i, plen = 0;

	*fresh = 0;
	for (i = 0; i < n; i++)
		if (g[i].op->pred[0] || (i && !strcmp(g[i].op->field, g[i - 1].op->field)))
			return 0;
	st = stmt(s, "SELECT 1 FROM record WHERE id = ?1", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, g[0].op->rec, -1, SQLITE_STATIC);
	i = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	if (i)
		return 0;
	/* superseded ids of one save share "<device>:<seq>.": one range probe per save */
	lo[0] = '\0';
	for (i = 0; i < n; i++) {
		const char *id = g[i].op->id, *dot = strchr(id + g[i].devlen + 1, '.');
		size_t l = (size_t)(dot - id) + 1;
		int hit;
		if (l >= sizeof lo)
			return 0;
		if (l == plen && !memcmp(lo, id, l))
			continue;
		memcpy(lo, id, l);
		memcpy(hi, id, l);
		hi[l - 1] = '.' + 1;
		plen = l;
		st = stmt(s, "SELECT 1 FROM superseded WHERE id >= ?1 AND id < ?2 LIMIT 1", err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, lo, (int)l, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, hi, (int)l, SQLITE_STATIC);
		hit = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (hit)
			return 0;
	}
	*fresh = 1;
	return 0;
}

/* Materialises a fresh record (see group_is_fresh) straight from its ops. */
static int fresh_record(struct fb_store *s, const struct aop *g, size_t n, struct fb_error *err)
{
	const char *names[64], *values[64];
	int64_t nvalues[64];
	const struct aop *first = &g[0], *last = &g[0];
	char created_dev[80];
	struct recsrc r = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		sqlite3_stmt *st = stmt(s, "INSERT INTO field(rec, name, value, op, nvalues)"
					   " VALUES(?1, ?2, ?3, ?4, 1)",
					err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, g[i].op->rec, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, g[i].op->field, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, g[i].op->value, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, g[i].op->id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, "saving", err);
		sqlite3_reset(st);
		if (aop_cmp_canonical(&g[i], first) < 0)
			first = &g[i];
		if (aop_cmp_canonical(&g[i], last) > 0)
			last = &g[i];
		names[i] = g[i].op->field;
		values[i] = g[i].op->value;
		nvalues[i] = 1;
	}
	snprintf(created_dev, sizeof created_dev, "%.*s", (int)first->devlen, first->op->id);
	r.kind = first->op->kind;
	r.created_hlc = first->op->hlc;
	r.created_by = first->op->author;
	r.created_dev = created_dev;
	r.updated_hlc = last->op->hlc;
	r.updated_by = last->op->author;
	r.nf = n;
	r.names = names;
	r.values = values;
	r.nvalues = nvalues;
	r.old_kind = "";
	return record_write(s, g[0].op->rec, &r, err);
}

/* Updates the derived state for ops that are in the op log now (and were not when the
 * state was last brought up to date).  a is sorted here. */
static int materialise(struct fb_store *s, struct aop *a, size_t n, int alarms, struct fb_error *err)
{
	struct dirty d = {0};
	size_t i, j, k;
	int rc = 0;

	if (n > 1)
		qsort(a, n, sizeof *a, aop_cmp_key);
	for (i = 0; i < n && rc == 0; i = j) {
		int fresh = 0, audit = 0; /* audit entries: audit_refresh */
		for (j = i + 1; j < n && !strcmp(a[j].op->rec, a[i].op->rec); j++)
			;
		for (k = i; k < j && !audit; k++)
			audit = !strcmp(a[k].op->kind, "audit");
		if (j - i <= 64 && !audit && (rc = group_is_fresh(s, a + i, j - i, &fresh, err)) < 0)
			break;
		if (fresh) {
			rc = fresh_record(s, a + i, j - i, err);
			continue;
		}
		for (k = i; k < j && rc == 0; k++)
			if ((rc = mark_dirty(&d, a[k].op->rec, a[k].op->field, err)) == 0)
				rc = supersede(s, &d, a[k].op, err);
	}
	if (rc == 0)
		rc = audit_refresh_all(s, &d, alarms, err);
	if (rc == 0)
		rc = refresh_keys(s, &d, err);
	dirty_free(&d);
	if (rc == 0)
		rc = count_flush(s, err);
	return rc;
}

/* ---- the state file's watermark ---- */

static int op_max_n(struct fb_store *s, int64_t *out, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT max(n) FROM op", err);
	int r;

	if (!st)
		return FB_EDB;
	r = sqlite3_step(st);
	*out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return db_error(s, "reading the op log", err);
	return 0;
}

/* Ops copied out of SQLite (strings in one allocation each). */
struct opvec {
	struct fb_op *ops;
	char **mem;
	size_t n, cap;
};

static void opvec_clear(struct opvec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->mem[i]);
	v->n = 0;
}

static void opvec_free(struct opvec *v)
{
	opvec_clear(v);
	free(v->ops);
	free(v->mem);
}

/* Appends the op of row st (columns id, hlc, author, kind, rec, field, value, pred). */
static int opvec_push(struct opvec *v, sqlite3_stmt *st, struct fb_error *err)
{
	const char *col[7];
	size_t len[7], total = 0, i;
	static const int cols[7] = {0, 2, 3, 4, 5, 6, 7};
	char *p;
	struct fb_op *op;

	if (v->n == v->cap) {
		size_t c2 = v->cap ? v->cap * 2 : 1024;
		struct fb_op *o2 = realloc(v->ops, c2 * sizeof *o2);
		char **m2;
		if (o2)
			v->ops = o2;
		m2 = realloc(v->mem, c2 * sizeof *m2);
		if (m2)
			v->mem = m2;
		if (!o2 || !m2)
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		v->cap = c2;
	}
	for (i = 0; i < 7; i++) {
		col[i] = (const char *)sqlite3_column_text(st, cols[i]);
		if (!col[i])
			col[i] = "";
		len[i] = strlen(col[i]) + 1;
		total += len[i];
	}
	if (!(p = v->mem[v->n] = malloc(total)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	op = &v->ops[v->n++];
	for (i = 0; i < 7; i++) {
		memcpy(p, col[i], len[i]);
		col[i] = p;
		p += len[i];
	}
	op->id = col[0];
	op->hlc = sqlite3_column_int64(st, 1);
	op->author = col[1];
	op->kind = col[2];
	op->rec = col[3];
	op->field = col[4];
	op->value = col[5];
	op->pred = col[6];
	return 0;
}

static int materialise_vec(struct fb_store *s, struct opvec *v, struct fb_error *err)
{
	struct aop *a = v->n ? calloc(v->n, sizeof *a) : NULL;
	size_t i;
	int rc = 0;

	if (v->n && !a)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	for (i = 0; i < v->n && rc == 0; i++)
		rc = aop_init(&a[i], &v->ops[i], i, err);
	if (rc == 0)
		rc = materialise(s, a, v->n, 0, err); /* rebuild, catch-up: alarms were raised already */
	free(a);
	return rc;
}

/* Materialises the ops with n > from (the state's watermark), inside a transaction. */
static int catch_up(struct fb_store *s, int64_t from, int64_t to, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT id, hlc, author, kind, rec, field, value, pred FROM op"
				   " WHERE n > ?1 ORDER BY n",
				err);
	struct opvec v = {0};
	int rc = 0, r;

	if (!st)
		return FB_EDB;
	sqlite3_bind_int64(st, 1, from);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = opvec_push(&v, st, err);
	sqlite3_reset(st);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the op log", err);
	if (rc == 0)
		rc = materialise_vec(s, &v, err);
	opvec_free(&v);
	if (rc == 0)
		rc = state_meta_set(s, "applied", NULL, to, err);
	return rc;
}

/* What the state needs: 0 nothing, 1 catching up from *applied to *maxn, 2 a rebuild. */
static int state_need(struct fb_store *s, int full, int64_t *applied, int64_t *maxn, int *need,
		      struct fb_error *err)
{
	char *device = NULL;
	int64_t version = 0;
	int rc;

	*need = 0;
	if ((rc = state_meta_get(s, "applied", applied, NULL, err)) < 0 ||
	    (rc = op_max_n(s, maxn, err)) < 0)
		return rc;
	if (full) {
		if ((rc = state_meta_get(s, "device", NULL, &device, err)) < 0 ||
		    (rc = state_meta_get(s, "version", &version, NULL, err)) < 0) {
			free(device);
			return rc;
		}
		*need = !device || strcmp(device, s->device) || version != STATE_VERSION ? 2 : 0;
		free(device);
		if (*need)
			return 0;
	}
	if (*applied > *maxn)
		*need = 2;
	else if (*applied < *maxn)
		*need = 1;
	return 0;
}

int oplog_state_up_to_date(struct fb_store *s, struct fb_error *err)
{
	int64_t applied, maxn;
	int need, rc, own_tx = sqlite3_get_autocommit(s->db);

	if ((rc = state_need(s, 1, &applied, &maxn, &need, err)) < 0 || !need)
		return rc;
	if (own_tx && (rc = db_begin(s, err)) < 0)
		return rc;
	/* again inside the transaction: another process may have done it meanwhile */
	if ((rc = state_need(s, 1, &applied, &maxn, &need, err)) == 0 && need)
		rc = need == 2 ? oplog_rebuild_in_tx(s, err) : catch_up(s, applied, maxn, err);
	if (!own_tx)
		return rc;
	if (rc < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

int oplog_apply(struct fb_store *s, const struct fb_op *ops, size_t n, size_t *applied,
		struct fb_error *err)
{
	size_t i, count = 0;
	int64_t last, now = fb_clock_now_ms(), newest = 0, own = 0, state_at, maxn, n_op = 0;
	struct aop *fresh = n ? calloc(n, sizeof *fresh) : NULL;
	int rc, need;

	if (n && !fresh)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	s->nkd = 0;
	/* The state must be at the op log's end before new ops go on it (a process that died
	 * between the two files' commits leaves it behind). */
	if ((rc = state_need(s, 0, &state_at, &maxn, &need, err)) < 0 ||
	    (need == 1 && (rc = catch_up(s, state_at, maxn, err)) < 0) ||
	    (need == 2 && (rc = oplog_rebuild_in_tx(s, err)) < 0))
		goto cleanup;
	/* In id order (the same id twice: batch order), so the id index is written in runs
	 * rather than at random places. */
	for (i = 0; i < n; i++)
		if ((rc = aop_init(&fresh[i], &ops[i], i, err)) < 0)
			goto cleanup;
	if (n > 1)
		qsort(fresh, n, sizeof *fresh, aop_cmp_id);
	for (i = 0; i < n; i++) {
		const struct fb_op *op = fresh[i].op;
		if ((rc = insert_op(s, &fresh[i], &n_op, err)) < 0)
			goto cleanup;
		if (!n_op)
			continue;
		fresh[count] = fresh[i];
		fresh[count].order = count;
		count++;
		if (op->hlc > newest)
			newest = op->hlc;
		if (!strncmp(op->id, s->device, FB_ID_LEN) && op->id[FB_ID_LEN] == ':')
			own++;
		maxn = n_op;
	}
	if (own) {
		int64_t u = 0;
		if ((rc = meta_get_int(s, "unsealed", &u, err)) < 0 ||
		    (rc = meta_set_int(s, "unsealed", u + own, err)) < 0)
			goto cleanup;
	}
	if (count && ((rc = materialise(s, fresh, count, 1, err)) < 0 ||
		      (rc = state_meta_set(s, "applied", NULL, maxn, err)) < 0))
		goto cleanup;
	if ((rc = meta_get_int(s, "hlc", &last, err)) < 0)
		goto cleanup;
	if (newest > last) {
		int anomaly = 0;
		int64_t next = fb_hlc_observe(last, newest, now, &anomaly);
		if (anomaly) {
			sqlite3_stmt *st = stmt(s, "INSERT INTO alarm(at, what, detail)"
						   " VALUES(?1, 'clock', ?2)",
						err);
			char detail[160];
			if (!st) {
				rc = FB_EDB;
				goto cleanup;
			}
			snprintf(detail, sizeof detail,
				 "an op is stamped %lld s in the future; its clock was not adopted",
				 (long long)((fb_hlc_ms(newest) - now) / 1000));
			sqlite3_bind_int64(st, 1, now);
			sqlite3_bind_text(st, 2, detail, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE) {
				rc = db_error(s, "saving", err);
				goto cleanup;
			}
			sqlite3_reset(st);
		}
		if (next != last && (rc = meta_set_int(s, "hlc", next, err)) < 0)
			goto cleanup;
	}
	if (applied)
		*applied = count;
cleanup:
	free(fresh);
	return rc;
}

int oplog_next_save(struct fb_store *s, int64_t *seq, int64_t *hlc, struct fb_error *err)
{
	int64_t last_seq, last_hlc;
	int rc;

	if ((rc = meta_get_int(s, "seq", &last_seq, err)) < 0 ||
	    (rc = meta_get_int(s, "hlc", &last_hlc, err)) < 0)
		return rc;
	*seq = last_seq + 1;
	*hlc = fb_hlc_next(last_hlc, fb_clock_now_ms());
	if ((rc = meta_set_int(s, "seq", *seq, err)) < 0 || (rc = meta_set_int(s, "hlc", *hlc, err)) < 0)
		return rc;
	return 0;
}

static int collect_ids(struct fb_store *s, sqlite3_stmt *st, char **out, struct fb_error *err)
{
	size_t len = 0, cap = 64;
	char *buf = malloc(cap);
	int r;

	if (!buf)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	buf[0] = '\0';
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		size_t l = strlen(id);
		if (len + l + 2 > cap) {
			char *n2;
			while (len + l + 2 > cap)
				cap *= 2;
			if (!(n2 = realloc(buf, cap))) {
				free(buf);
				sqlite3_reset(st);
				return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			}
			buf = n2;
		}
		if (len)
			buf[len++] = ' ';
		memcpy(buf + len, id, l + 1);
		len += l;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		free(buf);
		return db_error(s, "reading the op log", err);
	}
	*out = buf;
	return 0;
}

int oplog_visible_ids(struct fb_store *s, const char *rec, const char *field, char **out,
		      struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT id FROM op WHERE rec = ?1 AND field = ?2 AND " OP_VISIBLE
				   " ORDER BY id",
				err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	return collect_ids(s, st, out, err);
}

int oplog_visible_ids_record(struct fb_store *s, const char *rec, char **out, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT id FROM op WHERE rec = ?1 AND " OP_VISIBLE " ORDER BY id", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	return collect_ids(s, st, out, err);
}

int fb_store_apply_ops(struct fb_store *s, const struct fb_op *ops, size_t n, size_t *applied,
		       struct fb_error *err)
{
	int rc;

	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = oplog_apply(s, ops, n, applied, err)) < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

static int row_to_op(sqlite3_stmt *st, struct fb_op *op)
{
	op->id = (const char *)sqlite3_column_text(st, 0);
	op->hlc = sqlite3_column_int64(st, 1);
	op->author = (const char *)sqlite3_column_text(st, 2);
	op->kind = (const char *)sqlite3_column_text(st, 3);
	op->rec = (const char *)sqlite3_column_text(st, 4);
	op->field = (const char *)sqlite3_column_text(st, 5);
	op->value = (const char *)sqlite3_column_text(st, 6);
	op->pred = (const char *)sqlite3_column_text(st, 7);
	return sqlite3_column_int(st, 8);
}

int fb_store_each_op(struct fb_store *s, int (*cb)(const struct fb_op *op, void *ctx), void *ctx,
		     struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	struct fb_op op;
	int r, rc = 0;

	/* A private statement: callbacks may use the store's cached ones. */
	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred, " OP_VISIBLE
				      " FROM op ORDER BY hlc, device, seq, idx",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading the op log", err);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_op(st, &op);
		if ((rc = cb(&op, ctx)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the op log", err);
	sqlite3_finalize(st);
	return rc;
}

int fb_record_history(struct fb_store *s, const char *id,
		      int (*cb)(const struct fb_op *op, int visible, void *ctx), void *ctx,
		      struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	struct fb_op op;
	char full[FB_ID_LEN + 1];
	int r, rc;

	if ((rc = fb_record_resolve(s, full, id, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred, " OP_VISIBLE
				      " FROM op WHERE rec = ?1 ORDER BY field, hlc, device, seq, idx",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading the history", err);
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	rc = 0;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int vis = row_to_op(st, &op);
		if ((rc = cb(&op, vis, ctx)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the history", err);
	sqlite3_finalize(st);
	return rc;
}

int oplog_rebuild_in_tx(struct fb_store *s, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	struct opvec v = {0};
	int64_t maxn = 0;
	int rc, r;

	s->nkd = 0;
	if ((rc = db_exec(s, "DELETE FROM superseded; DELETE FROM audit_vis; DELETE FROM field; DELETE FROM record;"
			     " DELETE FROM kind_count; DELETE FROM ident; DELETE FROM search_doc;"
			     " INSERT INTO search_fts(search_fts) VALUES('delete-all');",
			  err)) < 0)
		return rc;
	/* superseded = every id named in any pred. */
	if (sqlite3_prepare_v2(s->db, "SELECT pred FROM op WHERE pred <> ''", -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "rebuilding", err);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		while (*p) {
			size_t len = strcspn(p, " ");
			sqlite3_stmt *ins;
			if (len) {
				ins = stmt(s, "INSERT OR IGNORE INTO superseded(id) VALUES(?1)", err);
				if (!ins) {
					rc = FB_EDB;
					goto cleanup;
				}
				sqlite3_bind_text(ins, 1, p, (int)len, SQLITE_TRANSIENT);
				if (sqlite3_step(ins) != SQLITE_DONE) {
					rc = db_error(s, "rebuilding", err);
					goto cleanup;
				}
				sqlite3_reset(ins);
				p += len;
			}
			while (*p == ' ')
				p++;
		}
	}
	if (r != SQLITE_DONE) {
		rc = db_error(s, "rebuilding", err);
		goto cleanup;
	}
	sqlite3_finalize(st);
	/* Then every record's ops, a few thousand records at a time, as if they had just
	 * arrived (superseded is complete, so each key comes out as from its visible ops). */
	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred FROM op"
				      " ORDER BY rec",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "rebuilding", err);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if (v.n >= 20000 && strcmp(v.ops[v.n - 1].rec, (const char *)sqlite3_column_text(st, 4))) {
			rc = materialise_vec(s, &v, err);
			opvec_clear(&v);
		}
		if (rc == 0)
			rc = opvec_push(&v, st, err);
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "rebuilding", err);
	if (rc == 0)
		rc = materialise_vec(s, &v, err);
	if (rc == 0 && (rc = op_max_n(s, &maxn, err)) == 0 &&
	    (rc = state_meta_set(s, "applied", NULL, maxn, err)) == 0 &&
	    (rc = state_meta_set(s, "device", s->device, 0, err)) == 0)
		rc = state_meta_set(s, "version", NULL, STATE_VERSION, err);
cleanup:
	opvec_free(&v);
	sqlite3_finalize(st);
	return rc;
}

int fb_store_rebuild(struct fb_store *s, struct fb_error *err)
{
	int rc;

	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = oplog_rebuild_in_tx(s, err)) < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

/* Kept in meta "unsealed": + new own ops in oplog_apply, - ops marked sealed. */
int fb_store_unsealed_count(struct fb_store *s, int64_t *out, struct fb_error *err)
{
	return meta_get_int(s, "unsealed", out, err);
}
