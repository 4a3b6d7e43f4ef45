/* report_people.c - the people who joined in a range of days, for the report's members
 * section (core layer).
 *
 * A year on a large store means hundreds of thousands of new members; looking up each
 * one's record and fields by primary key costs four random B-tree descents apiece (10 s
 * on 1M people).  Instead this is a hash join in memory over three sequential reads:
 *   1. every live person whose member_status says they joined, with the day the record
 *      was created: one pass over the record table (a scan on purpose, the terms
 *      written +kind so no index is used: no index holds created_hlc, and reading the table in order is several times cheaper than
 *      an index walk with a lookup per row; test_report.c allows exactly this scan);
 *   2. joined_on of every person (field_value index, name = 'joined_on'): the join day
 *      where it is given;
 *   3. occupation and relation (field_value index, in value order) of the people whose
 *      join day falls in the range.
 * Memory: about 48 bytes per member (24-byte slots, at most half full). */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "report_int.h"
#include "store_int.h"

struct person {
	uint64_t key; /* the id as a number (see id_key); 0 = an empty slot */
	int64_t day;
	short occ, rel; /* index into the interned values, -1 = not given */
	unsigned char in_range;
};

struct people {
	struct person *slot;
	size_t cap, n;
	char **values; /* interned occupation and relation codes */
	size_t nvalues, values_cap;
};

/* Record ids are 16 lowercase hex digits: the number itself is the key.  Anything else
 * (never written by fieldbook) gets a 64-bit FNV-1a hash with the top bit set. */
static uint64_t id_key(const char *id)
{
	uint64_t k = 0, h = 1469598103934665603ull;
	const char *c;

	for (c = id; *c; c++) {
		if (c - id >= FB_ID_LEN || !((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			break;
		k = k << 4 | (uint64_t)(*c <= '9' ? *c - '0' : *c - 'a' + 10);
	}
	if (c - id == FB_ID_LEN && !*c && k)
		return k;
	for (c = id; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h | 1ull << 63;
}

static size_t slot_of(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static struct person *find(struct people *p, uint64_t key, int insert)
{
	size_t i;

	if (insert && (p->n + 1) * 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024, k;
		struct person *slot = calloc(cap, sizeof *slot);
		if (!slot)
			return NULL;
		for (k = 0; k < p->cap; k++)
			if (p->slot[k].key) {
				for (i = slot_of(p->slot[k].key, cap); slot[i].key; i = (i + 1) & (cap - 1))
					;
				slot[i] = p->slot[k];
			}
		free(p->slot);
		p->slot = slot;
		p->cap = cap;
	}
	if (!p->cap)
		return NULL;
	for (i = slot_of(key, p->cap);; i = (i + 1) & (p->cap - 1)) {
		struct person *s = &p->slot[i];
		if (s->key == key)
			return s;
		if (!s->key) {
			if (!insert)
				return NULL;
			s->key = key;
			s->occ = s->rel = -1;
			p->n++;
			return s;
		}
	}
}

/* Index of value in the interned list (added when new), -1 for an empty value or ENOMEM. */
static short intern(struct people *p, const char *v)
{
	size_t i;

	if (!v || !*v)
		return -1;
	for (i = 0; i < p->nvalues; i++)
		if (!strcmp(p->values[i], v))
			return (short)i;
	if (p->nvalues >= 30000)
		return -1;
	if (p->nvalues == p->values_cap) {
		size_t cap = p->values_cap ? p->values_cap * 2 : 32;
		char **nv = realloc(p->values, cap * sizeof *nv);
		if (!nv)
			return -1;
		p->values = nv;
		p->values_cap = cap;
	}
	if (!(p->values[p->nvalues] = strdup(v)))
		return -1;
	return (short)p->nvalues++;
}

static const char sql_members[] =
	"SELECT id, created_hlc FROM record WHERE +kind = 'person' AND +live = 1"
	" AND +status IN ('member', 'retained', 'transferred_out', 'withdrawn') /* scan */";
static const char sql_field_values[] = "SELECT rec, value FROM field WHERE name = ?1";

int report_people_each(struct fb_store *s, int64_t from_day, int64_t to_day,
		       void (*cb)(void *ctx, int64_t day, const char *occupation, const char *relation),
		       void *ctx, struct fb_error *err)
{
	static const char *const fields[] = {"joined_on", "occupation", "relation"};
	struct people p = {0};
	struct report_day_cache days = {0};
	sqlite3_stmt *st;
	size_t i, f;
	int rc = 0, step;

	if (!(st = stmt(s, sql_members, err)))
		return FB_EDB;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct person *m = find(&p, id_key((const char *)sqlite3_column_text(st, 0)), 1);
		if (!m) {
			sqlite3_reset(st);
			rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
			goto cleanup;
		}
		m->day = report_hlc_day(&days, sqlite3_column_int64(st, 1));
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = db_error(s, "computing the report", err);
		goto cleanup;
	}
	for (f = 0; f < 3 && p.n; f++) {
		if (!(st = stmt(s, sql_field_values, err))) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, fields[f], -1, SQLITE_STATIC);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct person *m = find(&p, id_key((const char *)sqlite3_column_text(st, 0)), 0);
			const char *v = (const char *)sqlite3_column_text(st, 1);
			if (!m)
				continue;
			if (f == 0) {
				int64_t d = report_date_days(v);
				if (v && *v && d != INT64_MIN)
					m->day = d;
			} else if (m->in_range) {
				if (f == 1)
					m->occ = intern(&p, v);
				else
					m->rel = intern(&p, v);
			}
		}
		sqlite3_reset(st);
		if (step != SQLITE_DONE) {
			rc = db_error(s, "computing the report", err);
			goto cleanup;
		}
		if (f == 0)
			for (i = 0; i < p.cap; i++)
				p.slot[i].in_range = p.slot[i].key && p.slot[i].day >= from_day && p.slot[i].day <= to_day;
	}
	for (i = 0; i < p.cap; i++)
		if (p.slot[i].key && p.slot[i].in_range)
			cb(ctx, p.slot[i].day, p.slot[i].occ >= 0 ? p.values[p.slot[i].occ] : NULL,
			   p.slot[i].rel >= 0 ? p.values[p.slot[i].rel] : NULL);
cleanup:
	report_day_cache_free(&days);
	for (i = 0; i < p.nvalues; i++)
		free(p.values[i]);
	free(p.values);
	free(p.slot);
	return rc;
}
