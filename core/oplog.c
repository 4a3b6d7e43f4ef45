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

/* Inserts one op; *is_new is 0 when it was already known (identical). */
static int apply_one(struct fb_store *s, struct dirty *d, const struct fb_op *op, int *is_new,
		     struct fb_error *err)
{
	char device[80];
	int64_t seq, idx;
	sqlite3_stmt *st;
	int visible, rc;
	const char *p;

	*is_new = 0;
	if (parse_op_id(op->id, device, sizeof device, &seq, &idx) != 0)
		return fb_error_set(err, FB_EINVAL, "op", _("malformed op id '%s'"), op->id);
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
	if (rc != SQLITE_DONE)
		return db_error(s, "reading the op log", err);

	st = stmt(s, "SELECT 1 FROM superseded WHERE id = ?1", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, op->id, -1, SQLITE_STATIC);
	visible = sqlite3_step(st) != SQLITE_ROW;
	sqlite3_reset(st);

	st = stmt(s, "INSERT INTO op(id, device, seq, idx, hlc, author, kind, rec, field, value, pred,"
		     " visible) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, op->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_int64(st, 4, idx);
	sqlite3_bind_int64(st, 5, op->hlc);
	sqlite3_bind_text(st, 6, op->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, op->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, op->rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, op->field, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, op->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, op->pred, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, visible);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "saving", err);
	if ((rc = mark_dirty(d, op->rec, op->field, err)) < 0)
		return rc;

	/* Every op named in pred is superseded, whether it is known yet or not. */
	for (p = op->pred; *p;) {
		char pid[FB_OPID_MAX + 16];
		size_t len = strcspn(p, " ");
		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof pid)
			return fb_error_set(err, FB_EINVAL, "op", _("op %s: overlong pred entry"), op->id);
		memcpy(pid, p, len);
		pid[len] = '\0';
		p += len;
		st = stmt(s, "INSERT OR IGNORE INTO superseded(id) VALUES(?1)", err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, "saving", err);
		if (sqlite3_changes(s->db) == 0)
			continue;
		st = stmt(s, "UPDATE op SET visible = 0 WHERE id = ?1 AND visible = 1 RETURNING rec, field",
			  err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			char *rec = strdup((const char *)sqlite3_column_text(st, 0));
			char *field = strdup((const char *)sqlite3_column_text(st, 1));
			int r2 = rec && field ? 0 : FB_ENOMEM;
			sqlite3_reset(st);
			if (!r2)
				r2 = mark_dirty(d, rec, field, err);
			free(rec);
			free(field);
			if (r2 < 0)
				return r2 == FB_ENOMEM ? fb_error_set(err, FB_ENOMEM, NULL, "out of memory")
						       : r2;
			break;
		}
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_error(s, "saving", err);
		sqlite3_reset(st);
	}
	*is_new = 1;
	return 0;
}

/* Recompute the field row of one key from its visible ops. */
static int refresh_key(struct fb_store *s, const char *rec, const char *field, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT value, id FROM op WHERE rec = ?1 AND field = ?2 AND visible = 1"
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

static int count_add(struct fb_store *s, const char *kind, int delta, struct fb_error *err)
{
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

/* Recompute the record row (existence, title, status, times, conflicts) and its index. */
static int refresh_record(struct fb_store *s, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st;
	char kind[64] = "", created_by[256] = "", created_dev[80] = "", updated_by[256] = "";
	int64_t created_hlc = 0, updated_hlc = 0, conflicts = 0, other_fields = 0;
	char *exists_v = NULL, *title = NULL, *status = NULL, *merged = NULL;
	const struct fb_kind *k;
	int exists, del_conflict, has_exists_row, r, first = 1, rc = 0, was_live = 0;

	st = stmt(s, "SELECT hlc, author, device, kind FROM op WHERE rec = ?1"
		     " ORDER BY hlc, device, seq, idx",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (first) {
			created_hlc = sqlite3_column_int64(st, 0);
			snprintf(created_by, sizeof created_by, "%s", sqlite3_column_text(st, 1));
			snprintf(created_dev, sizeof created_dev, "%s", sqlite3_column_text(st, 2));
			snprintf(kind, sizeof kind, "%s", sqlite3_column_text(st, 3));
			first = 0;
		}
		updated_hlc = sqlite3_column_int64(st, 0);
		snprintf(updated_by, sizeof updated_by, "%s", sqlite3_column_text(st, 1));
	}
	if (r != SQLITE_DONE)
		return db_error(s, "reading the op log", err);
	sqlite3_reset(st);

	/* one pass over the record's field rows: conflicts, existence, title, status, merge */
	k = fb_kind_find(kind);
	if (k && strcmp(k->name, kind))
		k = NULL;
	{
		const struct fb_field *tf = k ? fb_kind_title_field(k) : NULL;
		const struct fb_field *sf = k ? fb_kind_status_field(k) : NULL;
		st = stmt(s, "SELECT name, value, nvalues FROM field WHERE rec = ?1", err);
		if (!st)
			return FB_EDB;
		sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
		while ((r = sqlite3_step(st)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			const char *value = (const char *)sqlite3_column_text(st, 1);
			char **slot = NULL;
			if (sqlite3_column_int64(st, 2) > 1)
				conflicts++;
			if (!strcmp(name, "_exists"))
				slot = &exists_v;
			else {
				other_fields++;
				if (tf && !strcmp(name, tf->name))
					slot = &title;
				else if (sf && !strcmp(name, sf->name))
					slot = &status;
				else if (!strcmp(name, "merged_into"))
					slot = &merged;
			}
			if (slot && !(*slot = strdup(value))) {
				sqlite3_reset(st);
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				goto cleanup;
			}
		}
		sqlite3_reset(st);
		if (r != SQLITE_DONE) {
			rc = db_error(s, "reading a record", err);
			goto cleanup;
		}
	}
	has_exists_row = exists_v != NULL;
	exists = exists_v && strcmp(exists_v, "1") == 0;
	del_conflict = has_exists_row && !exists && other_fields > 0;
	if (merged && !*merged) {
		free(merged);
		merged = NULL;
	}

	/* keep kind_count in step: -1 for the old row if it was live, +1 for the new one */
	st = stmt(s, "SELECT kind, live FROM record WHERE id = ?1", err);
	if (!st) {
		rc = FB_EDB;
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1)) {
		char old_kind[64];
		was_live = 1;
		snprintf(old_kind, sizeof old_kind, "%s", sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		if ((rc = count_add(s, old_kind, -1, err)) < 0)
			goto cleanup;
	} else
		sqlite3_reset(st);
	if (exists && !merged && (rc = count_add(s, kind, 1, err)) < 0)
		goto cleanup;
	st = stmt(s, "INSERT OR REPLACE INTO record(id, kind, exists_, live, del_conflict, conflicts,"
		     " title, status, merged_into, created_hlc, created_by, created_dev, updated_hlc,"
		     " updated_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
		  err);
	if (!st) {
		rc = FB_EDB;
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, exists);
	sqlite3_bind_int(st, 4, exists && !merged);
	sqlite3_bind_int(st, 5, del_conflict);
	sqlite3_bind_int64(st, 6, conflicts + del_conflict);
	sqlite3_bind_text(st, 7, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, merged, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, created_hlc);
	sqlite3_bind_text(st, 11, created_by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, created_dev, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, updated_hlc);
	sqlite3_bind_text(st, 14, updated_by, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(s, "saving", err);
	sqlite3_reset(st);
	if (rc == 0)
		rc = index_record(s, rec, was_live, err);
cleanup:
	free(exists_v);
	free(title);
	free(status);
	free(merged);
	return rc;
}

/* Calls refresh(s, col0, col1) for every row of a dirty table (a private statement: the
 * callbacks use the cached ones), then empties the table. */
static int drain(struct fb_store *s, const char *select_sql, const char *delete_sql,
		 int (*refresh)(struct fb_store *, const char *, const char *, struct fb_error *),
		 struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, r;

	if (sqlite3_prepare_v2(s->db, select_sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "saving", err);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = refresh(s, (const char *)sqlite3_column_text(st, 0),
			     (const char *)sqlite3_column_text(st, 1), err);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "saving", err);
	sqlite3_finalize(st);
	return rc < 0 ? rc : db_exec(s, delete_sql, err);
}

static int refresh_record_row(struct fb_store *s, const char *rec, const char *unused,
			      struct fb_error *err)
{
	return refresh_record(s, rec, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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

/* Recompute every dirty key, then every dirty record, and empty the dirty tables. */
static int refresh_dirty(struct fb_store *s, struct fb_error *err)
{
	int rc = drain(s, "SELECT rec, field FROM temp.dirty_key", "DELETE FROM temp.dirty_key",
		       refresh_key, err);
	if (rc < 0)
		return rc;
	return drain(s, "SELECT rec, NULL FROM temp.dirty_rec", "DELETE FROM temp.dirty_rec",
		     refresh_record_row, err);
}

int oplog_apply(struct fb_store *s, const struct fb_op *ops, size_t n, size_t *applied,
		struct fb_error *err)
{
	size_t i, count = 0;
	int64_t last, now = fb_clock_now_ms(), newest = 0;
	int rc, is_new;
	int64_t own = 0;
	struct dirty d = {0};

	for (i = 0; i < n; i++) {
		if ((rc = apply_one(s, &d, &ops[i], &is_new, err)) < 0) {
			dirty_free(&d);
			return rc;
		}
		if (is_new) {
			count++;
			if (ops[i].hlc > newest)
				newest = ops[i].hlc;
			if (!strncmp(ops[i].id, s->device, FB_ID_LEN) && ops[i].id[FB_ID_LEN] == ':')
				own++;
		}
	}
	if (own) {
		int64_t u = 0;
		if ((rc = meta_get_int(s, "unsealed", &u, err)) < 0 ||
		    (rc = meta_set_int(s, "unsealed", u + own, err)) < 0) {
			dirty_free(&d);
			return rc;
		}
	}
	rc = refresh_keys(s, &d, err);
	dirty_free(&d);
	if (rc < 0)
		return rc;
	if ((rc = meta_get_int(s, "hlc", &last, err)) < 0)
		return rc;
	if (newest > last) {
		int anomaly = 0;
		int64_t next = fb_hlc_observe(last, newest, now, &anomaly);
		if (anomaly) {
			sqlite3_stmt *st = stmt(s, "INSERT INTO alarm(at, what, detail)"
						   " VALUES(?1, 'clock', ?2)",
						err);
			char detail[160];
			if (!st)
				return FB_EDB;
			snprintf(detail, sizeof detail,
				 "an op is stamped %lld s in the future; its clock was not adopted",
				 (long long)((fb_hlc_ms(newest) - now) / 1000));
			sqlite3_bind_int64(st, 1, now);
			sqlite3_bind_text(st, 2, detail, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				return db_error(s, "saving", err);
		}
		if (next != last && (rc = meta_set_int(s, "hlc", next, err)) < 0)
			return rc;
	}
	if (applied)
		*applied = count;
	return 0;
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
	sqlite3_stmt *st = stmt(s, "SELECT id FROM op WHERE rec = ?1 AND field = ?2 AND visible = 1"
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
	sqlite3_stmt *st = stmt(s, "SELECT id FROM op WHERE rec = ?1 AND visible = 1 ORDER BY id", err);
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
	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred, visible"
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
	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred, visible"
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
	int rc, r;

	if ((rc = db_exec(s, "DELETE FROM superseded; DELETE FROM field; DELETE FROM record;"
			     " DELETE FROM kind_count;"
			     " DELETE FROM ident; DELETE FROM search_doc;"
			     " INSERT INTO search_fts(search_fts) VALUES('delete-all');"
			     " DELETE FROM temp.dirty_key; DELETE FROM temp.dirty_rec;",
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
	if ((rc = db_exec(s, "UPDATE op SET visible = (id NOT IN (SELECT id FROM superseded));"
			     " INSERT INTO temp.dirty_key(rec, field) SELECT DISTINCT rec, field FROM op;"
			     " INSERT INTO temp.dirty_rec(rec) SELECT DISTINCT rec FROM op;",
			  err)) < 0)
		goto cleanup;
	rc = refresh_dirty(s, err);
cleanup:
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
