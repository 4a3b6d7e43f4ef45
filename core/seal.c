/* seal.c - what the sync layer needs from the store: this device's unsealed ops, marking
 * ops sealed, small sync state values and alarms (core layer).
 *
 * Contract: op.sealed is 0 until the op is in a change file committed to git, then the
 * number of that seal.  Marking is idempotent, so a seal redone after a crash (git
 * written, SQLite not yet) only repeats what is true. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "store_int.h"

int fb_store_unsealed_ops(struct fb_store *s, size_t max, int (*cb)(const struct fb_op *op, void *ctx),
			  void *ctx, struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	struct fb_op op;
	int rc = 0, r;

	if (sqlite3_prepare_v2(s->db, "SELECT id, hlc, author, kind, rec, field, value, pred FROM op"
				      " WHERE sealed = 0 AND device = ?1 ORDER BY seq, idx LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading unsealed changes", err);
	plan_note(s, st);
	sqlite3_bind_text(st, 1, s->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, max ? (int64_t)max : -1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		op.id = (const char *)sqlite3_column_text(st, 0);
		op.hlc = sqlite3_column_int64(st, 1);
		op.author = (const char *)sqlite3_column_text(st, 2);
		op.kind = (const char *)sqlite3_column_text(st, 3);
		op.rec = (const char *)sqlite3_column_text(st, 4);
		op.field = (const char *)sqlite3_column_text(st, 5);
		op.value = (const char *)sqlite3_column_text(st, 6);
		op.pred = (const char *)sqlite3_column_text(st, 7);
		if ((rc = cb(&op, ctx)) != 0)
			break;
	}
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading unsealed changes", err);
	sqlite3_finalize(st);
	return rc;
}

int fb_store_mark_sealed(struct fb_store *s, const struct fb_op *ops, size_t n, int64_t seal,
			 struct fb_error *err)
{
	sqlite3_stmt *st;
	size_t i;
	int64_t marked = 0, u = 0;
	int rc;

	if (seal < 1)
		return fb_error_set(err, FB_EINVAL, "seal", "seal numbers start at 1");
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		st = stmt(s, "UPDATE op SET sealed = ?2 WHERE id = ?1 AND sealed = 0", err);
		if (!st) {
			db_rollback(s);
			return FB_EDB;
		}
		sqlite3_bind_text(st, 1, ops[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seal);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_error(s, "marking changes sealed", err);
			db_rollback(s);
			return rc;
		}
		sqlite3_reset(st);
		if (!strncmp(ops[i].id, s->device, FB_ID_LEN) && ops[i].id[FB_ID_LEN] == ':')
			marked += sqlite3_changes(s->db);
	}
	if (marked && ((rc = meta_get_int(s, "unsealed", &u, err)) < 0 ||
		       (rc = meta_set_int(s, "unsealed", u - marked, err)) < 0)) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

/* Sync state keys are stored in meta under "sync." so they never clash with core's. */
static int state_key(char *buf, size_t cap, const char *key, struct fb_error *err)
{
	if (!key || !*key || strlen(key) + 6 > cap)
		return fb_error_set(err, FB_EINVAL, "state", "bad sync state key");
	snprintf(buf, cap, "sync.%s", key);
	return 0;
}

int fb_store_state_get_int(struct fb_store *s, const char *key, int64_t *out, struct fb_error *err)
{
	char k[200];
	int rc;

	if ((rc = state_key(k, sizeof k, key, err)) < 0)
		return rc;
	return meta_get_int(s, k, out, err);
}

int fb_store_state_set_int(struct fb_store *s, const char *key, int64_t value, struct fb_error *err)
{
	char k[200];
	int rc;

	if ((rc = state_key(k, sizeof k, key, err)) < 0)
		return rc;
	return meta_set_int(s, k, value, err);
}

const char *fb_store_dir(const struct fb_store *s)
{
	return s->dir;
}

int fb_store_alarm(struct fb_store *s, const char *what, const char *detail, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "INSERT INTO alarm(at, what, detail) VALUES(?1, ?2, ?3)", err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_int64(st, 1, fb_clock_now_ms());
	sqlite3_bind_text(st, 2, what, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, detail, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "recording an alarm", err);
	sqlite3_reset(st);
	return 0;
}
