/* review.c - the review queues of conflicts, alarms and devices, and resolving conflicts
 * by ordinary ops (core layer).
 *
 * Open conflicts come from the partial index on record.conflicts; each field's visible ops
 * come from the op_key index.  Resolution writes one save whose ops syncs like any edit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "review_int.h"

/* Rows of column 0 of an ad-hoc statement with up to one text parameter. */
static int collect(struct fb_store *s, const char *sql, const char *param, struct strs *out,
		   struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading the review queue", err);
	plan_note(s, st);
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	rc = strs_collect(s, st, out, err);
	sqlite3_finalize(st);
	return rc;
}

#define BASE_MAX_HISTORY 4096 /* ops of one key walked for the common earlier value */

static size_t hist_index(const struct vis *h, const char *id)
{
	size_t j;

	for (j = 0; j < h->n; j++)
		if (!strcmp(h->v[j].op, id))
			return j;
	return (size_t)-1;
}

/* Marks in seen every op of h that op j supersedes, directly or through others. */
static void ancestors(const struct vis *h, size_t j, unsigned char *seen, size_t *stack)
{
	size_t top = 0;

	stack[top++] = j;
	while (top) {
		const char *p = h->pred[stack[--top]];
		char id[FB_OPID_MAX + 16];
		while (next_word(&p, id, sizeof id)) {
			size_t k = hist_index(h, id);
			if (k != (size_t)-1 && !seen[k]) {
				seen[k] = 1;
				stack[top++] = k;
			}
		}
	}
}

/* The common earlier value of a field's visible ops: the newest op of the key that every
 * visible op supersedes, directly or through earlier edits (the value they all started
 * from).  base gets a copy of it, or nothing. */
static int load_base(struct fb_store *s, const char *rec, const char *field, const struct vis *v,
		     struct vis *base, struct fb_error *err)
{
	struct vis h;
	unsigned char *seen = NULL, *count = NULL;
	size_t *stack = NULL, i, j;
	int rc;

	memset(base, 0, sizeof *base);
	if ((rc = vis_load_history(s, &h, rec, field, err)) < 0)
		return rc;
	if (h.n > BASE_MAX_HISTORY || !v->n)
		goto cleanup;
	seen = calloc(h.n + 1, 1);
	count = calloc(h.n + 1, 1);
	stack = calloc(h.n + 1, sizeof *stack);
	if (!seen || !count || !stack) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < v->n; i++) {
		size_t vi = hist_index(&h, v->v[i].op);
		if (vi == (size_t)-1)
			goto cleanup;
		memset(seen, 0, h.n);
		ancestors(&h, vi, seen, stack);
		for (j = 0; j < h.n; j++)
			count[j] = (unsigned char)(count[j] + (seen[j] && count[j] == i));
	}
	for (j = 0; j < h.n; j++) /* newest first */
		if (count[j] == v->n && v->n < 256) {
			if (!(base->v = calloc(1, sizeof *base->v)) || !(base->pred = calloc(1, sizeof *base->pred))) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
			base->n = 1;
			base->v[0] = h.v[j];
			base->pred[0] = h.pred[j];
			memset(&h.v[j], 0, sizeof h.v[j]); /* moved to base */
			h.pred[j] = NULL;
			break;
		}
cleanup:
	free(seen);
	free(count);
	free(stack);
	vis_free(&h); /* what moved to base is NULL there */
	if (rc < 0)
		vis_free(base);
	return rc;
}

/* The delete(s) first, then the edits concurrent with them; stable otherwise. */
static void deletes_first(struct vis *v)
{
	size_t i, k = 0;

	for (i = 0; i < v->n; i++)
		if (!strcmp(v->v[i].field, "_exists")) {
			struct fb_conflict_value t = v->v[i];
			char *tp = v->pred[i];
			memmove(&v->v[k + 1], &v->v[k], (i - k) * sizeof *v->v);
			memmove(&v->pred[k + 1], &v->pred[k], (i - k) * sizeof *v->pred);
			v->v[k] = t;
			v->pred[k] = tp;
			k++;
		}
}

/* A deleted record has no title row: the last title value it had, from its ops. */
static int last_title(struct fb_store *s, const char *rec, const char *kind, char **title,
		      struct fb_error *err)
{
	const struct fb_kind *k = fb_kind_find(kind);
	const struct fb_field *tf = k ? fb_kind_title_field(k) : NULL;
	sqlite3_stmt *st;

	if (!tf)
		return 0;
	st = stmt(s, "SELECT value FROM op WHERE rec = ?1 AND field = ?2 AND value <> ''"
		     " ORDER BY hlc DESC, device DESC, seq DESC, idx DESC LIMIT 1",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tf->name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char *t = strdup((const char *)sqlite3_column_text(st, 0));
		if (!t) {
			sqlite3_reset(st);
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		}
		free(*title);
		*title = t;
	}
	sqlite3_reset(st);
	return 0;
}

static int record_conflicts(struct fb_store *s, const char *rec,
			    int (*cb)(const struct fb_conflict *c, void *ctx), void *ctx,
			    struct fb_error *err)
{
	struct strs fields = {0};
	char kind[64] = "", *title = NULL;
	int del_conflict = 0, rc;
	size_t i, k;
	sqlite3_stmt *st = stmt(s, "SELECT kind, title, del_conflict FROM record WHERE id = ?1", err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 1);
		snprintf(kind, sizeof kind, "%s", sqlite3_column_text(st, 0));
		title = strdup(t ? (const char *)t : "");
		del_conflict = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if ((!title || !*title) && (rc = last_title(s, rec, kind, &title, err)) < 0)
		goto cleanup;
	if ((rc = collect(s, "SELECT name FROM field WHERE rec = ?1 AND nvalues > 1 ORDER BY name", rec,
			  &fields, err)) < 0)
		goto cleanup;
	/* the delete/edit conflict first (k == 0): it decides whether the fields matter */
	for (k = del_conflict ? 0 : 1; k <= fields.n && rc == 0; k++) {
		struct vis v, base;
		struct fb_conflict c;
		i = k ? k - 1 : fields.n;
		if ((rc = vis_load(s, &v, rec, i < fields.n ? fields.v[i] : NULL, err)) < 0)
			break;
		memset(&base, 0, sizeof base);
		if (i == fields.n)
			deletes_first(&v);
		else if ((rc = load_base(s, rec, fields.v[i], &v, &base, err)) < 0) {
			vis_free(&v);
			break;
		}
		c.rec = rec;
		c.kind = kind;
		c.title = title ? title : "";
		c.field = i < fields.n ? fields.v[i] : "_exists";
		c.nvalues = v.n;
		c.values = v.v;
		c.base = base.n ? base.v : NULL;
		rc = cb(&c, ctx);
		vis_free(&v);
		vis_free(&base);
	}
cleanup:
	strs_free(&fields);
	free(title);
	return rc;
}

int fb_review_conflicts(struct fb_store *s, const char *rec,
			int (*cb)(const struct fb_conflict *c, void *ctx), void *ctx, struct fb_error *err)
{
	struct strs recs = {0};
	char full[FB_ID_LEN + 1];
	size_t i;
	int rc;

	if (rec) {
		if ((rc = fb_record_resolve(s, full, rec, err)) < 0)
			return rc;
		rc = record_conflicts(s, full, cb, ctx, err);
		return rc;
	}
	if ((rc = collect(s, "SELECT id FROM record WHERE conflicts > 0 ORDER BY id", NULL, &recs,
			  err)) < 0)
		goto cleanup;
	for (i = 0; i < recs.n && rc == 0; i++)
		rc = record_conflicts(s, recs.v[i], cb, ctx, err);
cleanup:
	strs_free(&recs);
	return rc;
}

static int record_kind(struct fb_store *s, const char *rec, char *kind, size_t cap, int *exists,
		       struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT kind, exists_ FROM record WHERE id = ?1", err);
	int found;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		snprintf(kind, cap, "%s", sqlite3_column_text(st, 0));
		*exists = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return found ? 0 : fb_error_set(err, FB_ENOTFOUND, "id", _("no record with id %s"), rec);
}

int fb_review_pick(struct fb_store *s, const char *rec, const char *field, const char *op_id,
		   struct fb_error *err)
{
	char full[FB_ID_LEN + 1], kind[64];
	struct vis v = {0};
	struct opw w = {0};
	char *pred = NULL;
	const char *value = NULL;
	int rc, exists;
	size_t i;

	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = fb_record_resolve(s, full, rec, err)) < 0 ||
	    (rc = record_kind(s, full, kind, sizeof kind, &exists, err)) < 0 ||
	    (rc = vis_load(s, &v, full, field, err)) < 0)
		goto cleanup;
	for (i = 0; i < v.n; i++)
		if (!strcmp(v.v[i].op, op_id))
			value = v.v[i].value;
	if (!value) {
		rc = fb_error_set(err, FB_ENOTFOUND, field,
				  _("%s: op %s is not one of the values shown now; list them again with "
				    "`fieldbook review conflicts %s`"),
				  field, op_id, full);
		goto cleanup;
	}
	if (v.n > 1) {
		if (!(pred = vis_ids(&v, NULL))) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			goto cleanup;
		}
		if ((rc = opw_start(&w, s, err)) < 0 || (rc = opw_add(&w, kind, full, field, value, pred, err)) < 0)
			goto cleanup;
	}
cleanup:
	rc = opw_end(s, &w, rc, err);
	vis_free(&v);
	free(pred);
	return rc;
}

int fb_review_keep_deleted(struct fb_store *s, const char *rec, struct fb_error *err)
{
	return fb_record_delete(s, rec, err);
}

/* The value a deleted key had: the newest of the ops the delete covered, per field. */
struct covered {
	char *field, *value;
	int64_t hlc, seq, idx;
	char device[FB_ID_LEN + 8];
};

static int newer(const struct covered *c, int64_t hlc, const char *device, int64_t seq, int64_t idx)
{
	int d = strcmp(device, c->device);
	if (hlc != c->hlc)
		return hlc > c->hlc;
	if (d)
		return d > 0;
	return seq != c->seq ? seq > c->seq : idx > c->idx;
}

int fb_review_restore(struct fb_store *s, const char *rec, struct fb_error *err)
{
	char full[FB_ID_LEN + 1], kind[64];
	struct vis v = {0};
	struct opw w = {0};
	struct covered *cov = NULL;
	size_t ncov = 0, i, j;
	char *pred = NULL;
	int rc, exists, ndel = 0;

	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = fb_record_resolve(s, full, rec, err)) < 0 ||
	    (rc = record_kind(s, full, kind, sizeof kind, &exists, err)) < 0 ||
	    (rc = vis_load(s, &v, full, NULL, err)) < 0)
		goto cleanup;
	if (exists) {
		rc = fb_error_set(err, FB_EINVAL, "id", _("record %s is not deleted"), full);
		goto cleanup;
	}
	for (i = 0; i < v.n; i++) {
		const char *p = v.pred[i];
		if (strcmp(v.v[i].field, "_exists"))
			continue;
		ndel++;
		char id[FB_OPID_MAX + 16];
		while (next_word(&p, id, sizeof id)) {
			sqlite3_stmt *st = stmt(s, "SELECT field, value, hlc, device, seq, idx FROM op WHERE id = ?1", err);
			if (!st) {
				rc = FB_EDB;
				goto cleanup;
			}
			sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) == SQLITE_ROW) {
				const char *f = (const char *)sqlite3_column_text(st, 0);
				int64_t hlc = sqlite3_column_int64(st, 2), seq = sqlite3_column_int64(st, 4),
					idx = sqlite3_column_int64(st, 5);
				const char *dev = (const char *)sqlite3_column_text(st, 3);
				for (j = 0; j < ncov && strcmp(cov[j].field, f); j++)
					;
				if (j == ncov) {
					struct covered *n2 = realloc(cov, (ncov + 1) * sizeof *cov);
					if (!n2 || !(n2[ncov].field = strdup(f))) {
						if (n2)
							cov = n2;
						sqlite3_reset(st);
						rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
						goto cleanup;
					}
					cov = n2;
					cov[ncov].value = NULL;
					cov[ncov].hlc = -1;
					ncov++;
				}
				if (!cov[j].value || newer(&cov[j], hlc, dev, seq, idx)) {
					free(cov[j].value);
					cov[j].value = strdup((const char *)sqlite3_column_text(st, 1));
					cov[j].hlc = hlc;
					cov[j].seq = seq;
					cov[j].idx = idx;
					snprintf(cov[j].device, sizeof cov[j].device, "%s", dev);
				}
			}
			sqlite3_reset(st);
		}
	}
	if (!ndel) {
		rc = fb_error_set(err, FB_EINVAL, "id", _("record %s is not deleted"), full);
		goto cleanup;
	}
	if ((rc = opw_start(&w, s, err)) < 0)
		goto cleanup;
	for (j = 0; j < ncov; j++) {
		int visible = 0;
		if (!strcmp(cov[j].field, "_exists") || !cov[j].value || !*cov[j].value)
			continue;
		for (i = 0; i < v.n && !visible; i++)
			visible = !strcmp(v.v[i].field, cov[j].field);
		if (!visible && (rc = opw_add(&w, kind, full, cov[j].field, cov[j].value, "", err)) < 0)
			goto cleanup;
	}
	if (!(pred = vis_ids(&v, "_exists"))) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	rc = opw_add(&w, kind, full, "_exists", "1", pred, err);
cleanup:
	rc = opw_end(s, &w, rc, err);
	for (j = 0; j < ncov; j++) {
		free(cov[j].field);
		free(cov[j].value);
	}
	free(cov);
	free(pred);
	vis_free(&v);
	return rc;
}

/* ---------------------------------------------------------------- alarms */

/* Acknowledgements are local bookkeeping next to the alarm table (main database). */
static int ack_table(struct fb_store *s, struct fb_error *err)
{
	return db_exec(s, "CREATE TABLE IF NOT EXISTS main.alarm_ack(id INTEGER PRIMARY KEY,"
			  " at INTEGER NOT NULL, by TEXT NOT NULL)",
		       err);
}

static const char *alarm_advice(const char *what)
{
	if (!strcmp(what, "quarantine"))
		return _("nothing was lost: the data already here is unchanged and the rejected commit is "
			 "kept under refs/fieldbook/quarantine/. Ask the device's owner whether the "
			 "laptop was restored from a backup or its data edited by hand; once it syncs "
			 "normal changes again, acknowledge this alarm");
	if (!strcmp(what, "cloned-device"))
		return _("two computers share one device id (a copied disk image). Stop using one "
			 "copy; on it, run `fieldbook bundle create FILE` and bring the file to HQ, then "
			 "set that computer up again with `fieldbook init` in a new data directory");
	if (!strcmp(what, "clock"))
		return _("a laptop's clock is wrong (far in the future). Its changes were kept; ask its "
			 "owner to set the date and time, then acknowledge this alarm");
	if (!strcmp(what, "audit"))
		return _("a change to an audit record arrived from another save; it was kept in the log "
			 "but ignored, so the record is as it was written. The op id before the colon is "
			 "the device that sent it (review devices): find out who changed its program, "
			 "then acknowledge this alarm");
	return _("read the details; acknowledge the alarm once it is dealt with");
}

int fb_alarm_list(struct fb_store *s, int all, int (*cb)(const struct fb_alarm *a, void *ctx),
		  void *ctx, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	if ((rc = ack_table(s, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(s->db, "SELECT a.id, a.at, a.what, a.detail, k.id IS NOT NULL"
				      " FROM alarm a LEFT JOIN alarm_ack k ON k.id = a.id"
				      " WHERE ?1 OR k.id IS NULL ORDER BY a.id DESC",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading alarms", err);
	plan_note(s, st);
	sqlite3_bind_int(st, 1, all != 0);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct fb_alarm a;
		a.id = sqlite3_column_int64(st, 0);
		a.at_ms = sqlite3_column_int64(st, 1);
		a.what = (const char *)sqlite3_column_text(st, 2);
		a.detail = (const char *)sqlite3_column_text(st, 3);
		a.acked = sqlite3_column_int(st, 4);
		a.advice = alarm_advice(a.what);
		rc = cb(&a, ctx);
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading alarms", err);
	sqlite3_finalize(st);
	return rc;
}

int fb_alarm_ack(struct fb_store *s, int64_t id, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ack_table(s, err)) < 0 || (rc = db_begin(s, err)) < 0)
		return rc;
	if (id > 0)
		st = stmt(s, "INSERT OR IGNORE INTO alarm_ack(id, at, by)"
			     " SELECT id, ?2, ?3 FROM alarm WHERE id = ?1",
			  err);
	else
		st = stmt(s, "INSERT OR IGNORE INTO alarm_ack(id, at, by) SELECT id, ?2, ?3 FROM alarm", err);
	if (!st) {
		db_rollback(s);
		return FB_EDB;
	}
	if (id > 0)
		sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, fb_clock_now_ms());
	sqlite3_bind_text(st, 3, fb_store_operator(s), -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_error(s, "acknowledging an alarm", err);
		sqlite3_reset(st);
		db_rollback(s);
		return rc;
	}
	sqlite3_reset(st);
	if (n)
		*n = (size_t)sqlite3_changes(s->db);
	if (id > 0 && sqlite3_changes(s->db) == 0) {
		st = stmt(s, "SELECT 1 FROM alarm WHERE id = ?1", err);
		if (st) {
			sqlite3_bind_int64(st, 1, id);
			rc = sqlite3_step(st) == SQLITE_ROW ? 0 : 1;
			sqlite3_reset(st);
		}
		if (rc) {
			db_rollback(s);
			return fb_error_set(err, FB_ENOTFOUND, "alarm",
					    _("no alarm number %lld; `fieldbook review alarms --all` lists them"),
					    (long long)id);
		}
	}
	return db_commit(s, err);
}

int fb_alarm_count(struct fb_store *s, const char *device, int64_t *out, struct fb_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = ack_table(s, err)) < 0)
		return rc;
	st = stmt(s, "SELECT count(*) FROM alarm a WHERE a.id NOT IN (SELECT id FROM alarm_ack)"
				   " AND (?1 IS NULL OR instr(a.detail, ?1) > 0)",
				err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}

/* ---------------------------------------------------------------- devices */

int fb_review_mark_get(struct fb_store *s, int64_t *out, struct fb_error *err)
{
	return fb_store_state_get_int(s, "review.mark", out, err);
}

int fb_review_mark_set(struct fb_store *s, struct fb_error *err)
{
	sqlite3_stmt *st;
	int64_t last = 0;
	int rc;

	/* the arrival number of the newest op (op.n): what arrives later is new, however old
	 * its clock (a laptop that was offline for a week) */
	if (!(st = stmt(s, "SELECT coalesce(max(n), 0) FROM op", err)))
		return FB_EDB;
	if (sqlite3_step(st) == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = fb_store_state_set_int(s, "review.mark_n", last, err)) < 0 ||
	    (rc = fb_store_state_set_int(s, "review.mark", (int64_t)(fb_clock_now_ms() << 16), err)) < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

/* Records added (or restored) per device since the mark: the `_exists := 1` ops that
 * arrived after it, a range of op.n. */
struct added {
	char dev[FB_ID_LEN + 8];
	int64_t n;
};

static int added_since(struct fb_store *s, struct added **out, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *st;
	int64_t mark = 0;
	int r, rc;

	*out = NULL;
	*n = 0;
	if ((rc = fb_store_state_get_int(s, "review.mark_n", &mark, err)) < 0)
		return rc;
	if (!(st = stmt(s, "SELECT device, count(*) FROM op WHERE n > ?1 AND field = '_exists'"
			   " AND value = '1' GROUP BY device",
			err)))
		return FB_EDB;
	sqlite3_bind_int64(st, 1, mark);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct added *a2 = realloc(*out, (*n + 1) * sizeof *a2);
		if (!a2) {
			sqlite3_reset(st);
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		}
		*out = a2;
		snprintf(a2[*n].dev, sizeof a2[*n].dev, "%s", sqlite3_column_text(st, 0));
		a2[*n].n = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : db_error(s, "reading devices", err);
}

int fb_review_devices(struct fb_store *s, int (*cb)(const struct fb_device_stat *d, void *ctx),
		      void *ctx, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	struct added *added = NULL;
	size_t nadded = 0, i;
	int r, rc;

	if ((rc = added_since(s, &added, &nadded, err)) < 0)
		goto cleanup;
	if (sqlite3_prepare_v2(s->db, "SELECT created_dev, count(*), max(updated_hlc),"
				      " group_concat(DISTINCT created_by)"
				      " FROM record WHERE exists_ = 1 GROUP BY created_dev"
				      " ORDER BY created_dev",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(s, "reading devices", err);
		goto cleanup;
	}
	plan_note(s, st);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		struct fb_device_stat d;
		const unsigned char *a = sqlite3_column_text(st, 3);
		d.device = (const char *)sqlite3_column_text(st, 0);
		d.records = sqlite3_column_int64(st, 1);
		d.last_hlc = sqlite3_column_int64(st, 2);
		d.authors = a ? (const char *)a : "";
		d.since_review = 0;
		for (i = 0; i < nadded; i++)
			if (!strcmp(added[i].dev, d.device))
				d.since_review = added[i].n;
		if ((rc = fb_alarm_count(s, d.device, &d.alarms, err)) < 0)
			break;
		rc = cb(&d, ctx);
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading devices", err);
cleanup:
	sqlite3_finalize(st);
	free(added);
	return rc;
}
