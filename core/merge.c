/* merge.c - possible duplicate people, merging a duplicate into a survivor and undoing it,
 * and following merged_into (core layer).
 *
 * Duplicates are found through the ident keys (an index range per key family, grouped),
 * never by comparing ID numbers here: whatever the `id:` key holds (the normalised number,
 * or a keyed hash of it) works.  A merge is one save: the duplicate's visible values on the
 * survivor with an empty pred (so a differing value is a conflict there, not an overwrite)
 * and merged_into on the duplicate.  Unmerge finds that save by the merged_into op's id
 * ("<device>:<seq>." is the prefix of every op of the save). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/crypto.h"
#include "fieldbook/i18n.h"
#include "fieldbook/role.h"
#include "review_int.h"

#define FOLLOW_MAX 16

int fb_record_follow(struct fb_store *s, char *out, const char *id, struct fb_error *err)
{
	char cur[FB_ID_LEN + 1];
	sqlite3_stmt *st;
	int rc, i;

	if ((rc = fb_record_resolve(s, cur, id, err)) < 0)
		return rc;
	for (i = 0; i < FOLLOW_MAX; i++) {
		const unsigned char *m;
		int step = 0;
		if (!(st = stmt(s, "SELECT merged_into FROM record WHERE id = ?1", err)))
			return FB_EDB;
		sqlite3_bind_text(st, 1, cur, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) == SQLITE_ROW && (m = sqlite3_column_text(st, 0)) &&
		    strlen((const char *)m) == FB_ID_LEN) {
			snprintf(cur, sizeof cur, "%s", (const char *)m);
			step = 1;
		}
		sqlite3_reset(st);
		if (!step)
			break;
	}
	memcpy(out, cur, FB_ID_LEN + 1);
	return 0;
}

/* ---------------------------------------------------------------- duplicates */

struct group {
	char key[256];
	struct strs recs;
};

/* Live people holding key, oldest first, with their titles (names). */
static int key_people(struct fb_store *s, const char *key, struct group *g, struct strs *titles,
		      struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT r.id, coalesce(r.title, '') FROM ident i JOIN record r ON r.id = i.rec"
				   " WHERE i.key = ?1 AND r.live = 1 AND r.kind = 'person'"
				   " ORDER BY r.created_hlc, r.id",
				err);
	int r, rc = 0;

	if (!st)
		return FB_EDB;
	snprintf(g->key, sizeof g->key, "%s", key);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = strs_add(&g->recs, (const char *)sqlite3_column_text(st, 0), err)) < 0)
			break;
		if (titles)
			rc = strs_add(titles, (const char *)sqlite3_column_text(st, 1), err);
	}
	sqlite3_reset(st);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading identity keys", err);
	return rc;
}

/* Keys of one family ("id:" .. "id;") held by more than one record, added to keys. */
static int shared_keys(struct fb_store *s, const char *lo, const char *hi, struct strs *keys,
		       struct fb_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT key FROM ident WHERE key >= ?1 AND key < ?2"
				      " GROUP BY key HAVING count(*) > 1 ORDER BY key",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "reading identity keys", err);
	plan_note(s, st);
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	rc = strs_collect(s, st, keys, err);
	sqlite3_finalize(st);
	return rc;
}

/* 1 if every record of sub is in one of the id groups already reported. */
static int reported(const struct strs *groups, size_t ngroups, char **sub, size_t nsub)
{
	size_t g, i, j;

	for (g = 0; g < ngroups; g++) {
		size_t found = 0;
		for (i = 0; i < nsub; i++)
			for (j = 0; j < groups[g].n; j++)
				if (!strcmp(sub[i], groups[g].v[j])) {
					found++;
					break;
				}
		if (found == nsub)
			return 1;
	}
	return 0;
}

int fb_review_duplicates(struct fb_store *s, int (*cb)(const struct fb_dup_group *g, void *ctx),
			 void *ctx, struct fb_error *err)
{
	struct strs keys = {0}, *seen = NULL;
	size_t nseen = 0, i, j, k;
	int rc;

	/* same ID number key: "id:<number>", or "idh:<keyed tag>" for a sealed number */
	if ((rc = shared_keys(s, "id:", "id;", &keys, err)) < 0 ||
	    (rc = shared_keys(s, "idh:", "idh;", &keys, err)) < 0)
		goto cleanup;
	for (i = 0; i < keys.n && rc == 0; i++) {
		struct group g;
		memset(&g, 0, sizeof g);
		if ((rc = key_people(s, keys.v[i], &g, NULL, err)) == 0 && g.recs.n > 1) {
			struct fb_dup_group dg = {"id", g.key, g.recs.n, (const char *const *)g.recs.v};
			struct strs *s2 = realloc(seen, (nseen + 1) * sizeof *seen);
			if (!s2) {
				strs_free(&g.recs);
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
			seen = s2;
			rc = cb(&dg, ctx);
			seen[nseen++] = g.recs; /* kept to skip the same people found by mobile */
			memset(&g.recs, 0, sizeof g.recs);
		}
		strs_free(&g.recs);
	}
	strs_free(&keys);
	if (rc != 0)
		goto cleanup;
	/* same name and mobile */
	if ((rc = shared_keys(s, "mob:", "mob;", &keys, err)) < 0)
		goto cleanup;
	for (i = 0; i < keys.n && rc == 0; i++) {
		struct group g;
		struct strs titles = {0};
		char **sub = NULL;
		unsigned char *done = NULL;
		memset(&g, 0, sizeof g);
		if ((rc = key_people(s, keys.v[i], &g, &titles, err)) == 0 && g.recs.n > 1 &&
		    (!(sub = calloc(g.recs.n, sizeof *sub)) || !(done = calloc(g.recs.n, 1))))
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		for (j = 0; rc == 0 && g.recs.n > 1 && j < g.recs.n; j++) {
			size_t nsub = 0;
			if (done[j])
				continue;
			for (k = j; k < g.recs.n; k++)
				if (!done[k] && !strcmp(titles.v[j], titles.v[k])) {
					sub[nsub++] = g.recs.v[k];
					done[k] = 1;
				}
			if (nsub > 1 && !reported(seen, nseen, sub, nsub)) {
				struct fb_dup_group dg = {"name_mobile", g.key, nsub, (const char *const *)sub};
				rc = cb(&dg, ctx);
			}
		}
		free(sub);
		free(done);
		strs_free(&titles);
		strs_free(&g.recs);
	}
cleanup:
	strs_free(&keys);
	for (i = 0; i < nseen; i++)
		strs_free(&seen[i]);
	free(seen);
	return rc;
}

/* ---------------------------------------------------------------- merge, unmerge */

static int live_person(struct fb_store *s, const char *id, char *full, struct fb_error *err)
{
	sqlite3_stmt *st;
	int rc, ok = 0;

	if ((rc = fb_record_resolve(s, full, id, err)) < 0)
		return rc;
	if (!(st = stmt(s, "SELECT kind = 'person' AND live = 1 FROM record WHERE id = ?1", err)))
		return FB_EDB;
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (!ok)
		return fb_error_set(err, FB_EINVAL, "id",
				    _("%s is not a person that can be merged (deleted, already merged, "
				      "or another kind of record)"),
				    full);
	return 0;
}

/* Field names of a record's visible ops, once each, sorted. */
static int rec_fields(struct fb_store *s, const char *rec, struct strs *out, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT DISTINCT field FROM op WHERE rec = ?1 AND " OP_VISIBLE
				   " ORDER BY field",
				err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	return strs_collect(s, st, out, err);
}

/* Equal values of field: the same text, or two sealed values of the same plain text (the
 * same ID-number tag, or equal once opened with the process's key ring). */
static int same_value(const char *field, const char *a, const char *b)
{
	const char *ta, *tb;
	char *pa = NULL, *pb = NULL;
	int same;

	if (!strcmp(a, b))
		return 1;
	if (!fb_crypto_is_sealed(a) || !fb_crypto_is_sealed(b))
		return 0;
	if ((ta = fb_crypto_sealed_tag(a)) && (tb = fb_crypto_sealed_tag(b)))
		return !strncmp(ta, tb, FB_TAG_HEX);
	if (!fb_crypto_ring() || fb_crypto_open(&pa, fb_crypto_ring(), field, a, NULL) < 0 ||
	    fb_crypto_open(&pb, fb_crypto_ring(), field, b, NULL) < 0) {
		fb_crypto_free_plain(pa);
		return 0;
	}
	same = !strcmp(pa, pb);
	fb_crypto_free_plain(pa);
	fb_crypto_free_plain(pb);
	return same;
}

static int has_value(const struct vis *v, const char *value)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (same_value(v->v[i].field, v->v[i].value, value))
			return 1;
	return 0;
}

int fb_merge(struct fb_store *s, const char *survivor, const char *duplicate, size_t *added,
	     size_t *conflicts, struct fb_error *err)
{
	char sid[FB_ID_LEN + 1], did[FB_ID_LEN + 1], *pred = NULL;
	struct strs fields = {0};
	size_t i, j, nadd = 0, nconf = 0;
	struct opw w = {0};
	int rc;

	if ((rc = fb_role_allows(s, FB_ACT_MERGE, err)) < 0) /* coordinators only (role.h) */
		return rc;
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = live_person(s, survivor, sid, err)) < 0 || (rc = live_person(s, duplicate, did, err)) < 0)
		goto cleanup;
	if (!strcmp(sid, did)) {
		rc = fb_error_set(err, FB_EINVAL, "id", _("a record cannot be merged into itself"));
		goto cleanup;
	}
	if ((rc = rec_fields(s, did, &fields, err)) < 0 || (rc = opw_start(&w, s, err)) < 0)
		goto cleanup;
	for (i = 0; i < fields.n; i++) {
		struct vis dv, sv;
		size_t before = w.n;
		if (!strcmp(fields.v[i], "_exists") || !strcmp(fields.v[i], "merged_into"))
			continue;
		if ((rc = vis_load(s, &dv, did, fields.v[i], err)) < 0)
			goto cleanup;
		if ((rc = vis_load(s, &sv, sid, fields.v[i], err)) < 0) {
			vis_free(&dv);
			goto cleanup;
		}
		for (j = 0; j < dv.n && rc == 0; j++) {
			size_t k, dup = 0;
			if (!*dv.v[j].value || has_value(&sv, dv.v[j].value))
				continue;
			for (k = 0; k < j; k++)
				dup |= !strcmp(dv.v[k].value, dv.v[j].value);
			if (!dup)
				rc = opw_add(&w, "person", sid, fields.v[i], dv.v[j].value, "", err);
		}
		/* a conflict when values now differ on the survivor */
		if (w.n > before && (sv.n > 0 || w.n - before > 1))
			nconf++;
		nadd += w.n - before;
		vis_free(&dv);
		vis_free(&sv);
		if (rc < 0)
			goto cleanup;
	}
	if ((rc = oplog_visible_ids(s, did, "merged_into", &pred, err)) < 0 ||
	    (rc = opw_add(&w, "person", did, "merged_into", sid, pred, err)) < 0)
		goto cleanup;
cleanup:
	rc = opw_end(s, &w, rc, err);
	if (rc == 0 && added)
		*added = nadd;
	if (rc == 0 && conflicts)
		*conflicts = nconf;
	strs_free(&fields);
	free(pred);
	return rc;
}

int fb_unmerge(struct fb_store *s, const char *duplicate, struct fb_error *err)
{
	char did[FB_ID_LEN + 1], sid[FB_ID_LEN + 1], lo[FB_OPID_MAX], hi[FB_OPID_MAX];
	struct vis mv = {0};
	struct opw w = {0};
	sqlite3_stmt *st = NULL;
	struct strs fields = {0};
	char *pred = NULL;
	size_t i, j;
	int rc;

	if ((rc = fb_role_allows(s, FB_ACT_MERGE, err)) < 0) /* coordinators only (role.h) */
		return rc;
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = fb_record_resolve(s, did, duplicate, err)) < 0 ||
	    (rc = vis_load(s, &mv, did, "merged_into", err)) < 0)
		goto cleanup;
	if (mv.n != 1 || strlen(mv.v[0].value) != FB_ID_LEN) {
		rc = fb_error_set(err, FB_EINVAL, "merged_into",
				  mv.n > 1 ? _("%s: merged_into has several values; resolve that conflict "
					       "first (`fieldbook review conflicts %s`)")
					   : _("%s is not merged into another record"),
				  did, did);
		goto cleanup;
	}
	snprintf(sid, sizeof sid, "%s", mv.v[0].value);
	/* every op of the merge's save: ids "<device>:<seq>.<idx>" */
	{
		size_t dot = strcspn(mv.v[0].op, ".");
		snprintf(lo, sizeof lo, "%.*s.", (int)dot, mv.v[0].op);
		snprintf(hi, sizeof hi, "%.*s/", (int)dot, mv.v[0].op);
	}
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT field FROM op WHERE id >= ?1 AND id < ?2"
				      " AND rec = ?3 AND " OP_VISIBLE " ORDER BY field",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = db_error(s, "reading the op log", err);
		goto cleanup;
	}
	plan_note(s, st);
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sid, -1, SQLITE_STATIC);
	rc = strs_collect(s, st, &fields, err);
	sqlite3_finalize(st);
	if (rc < 0 || (rc = opw_start(&w, s, err)) < 0)
		goto cleanup;
	for (i = 0; i < fields.n; i++) {
		struct vis sv, mine;
		const char *keep_value = "";
		char *p;
		size_t k = 0;
		if ((rc = vis_load(s, &sv, sid, fields.v[i], err)) < 0)
			goto cleanup;
		mine = sv;
		if (!(mine.v = calloc(sv.n + 1, sizeof *mine.v))) {
			vis_free(&sv);
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			goto cleanup;
		}
		/* winner first: the first op not from the merge is the value that stays */
		for (j = 0; j < sv.n; j++) {
			if (strcmp(sv.v[j].op, lo) >= 0 && strcmp(sv.v[j].op, hi) < 0)
				mine.v[k++] = sv.v[j];
			else if (!*keep_value)
				keep_value = sv.v[j].value;
		}
		mine.n = k;
		p = vis_ids(&mine, NULL); /* the merge's ops still visible here, sorted */
		free(mine.v);
		if (!p)
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		else if (*p)
			rc = opw_add(&w, "person", sid, fields.v[i], keep_value, p, err);
		free(p);
		vis_free(&sv);
		if (rc < 0)
			goto cleanup;
	}
	pred = vis_ids(&mv, NULL);
	if (!pred) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	rc = opw_add(&w, "person", did, "merged_into", "", pred, err);
cleanup:
	rc = opw_end(s, &w, rc, err);
	strs_free(&fields);
	free(pred);
	vis_free(&mv);
	return rc;
}
