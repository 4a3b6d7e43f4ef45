/* report_join.c - the records of the report's two periods and their fields, gathered by
 * hash joins over sequential reads (core layer).
 *
 * A year on a large store means hundreds of thousands of records; looking up each one's
 * record row and fields by primary key costs one random B-tree descent per field (10 s
 * for the members of 1M people, 3 s for 400k other records).  Instead:
 *   1. the date fields that place records in the periods (date, received_at, paid_on)
 *      are read from the field_value index over the two periods' range;
 *   2. one pass over the record table (a scan on purpose: no index holds created_hlc,
 *      and reading the table in order is several times cheaper than a lookup per row;
 *      test_report.c allows exactly this scan) keeps the live ones of the right kind,
 *      with their status, and adds people who joined, requests and demands with the day
 *      they were created;
 *   3. joined_on of every person replaces the creation day where it is given;
 *   4. each field the report needs is read once from the field_value index (all values of
 *      that field name, in value order) and handed to the sink for the records in range;
 *   5. with occupations by person, the people that records name are looked up the same
 *      way (merged_into, then occupation).
 * Memory: 48 bytes per record of the periods and per member, in a table at most half
 * full. */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "report_int.h"
#include "store_int.h"

struct slot {
	uint64_t key; /* the id as a number (see id_key); 0 = empty */
	uint64_t ref; /* the person this record names (key), 0 = none */
	int64_t day;
	int64_t num;
	short status; /* interned, -1 = none */
	short occ;    /* occupation of a person (interned), -1 = none */
	unsigned short seen;
	signed char kind; /* REPORT_K_*, -1 = not a record of the report (yet) */
	signed char p;    /* period 0 / 1, -1 = neither */
};

struct table {
	struct slot *slot;
	size_t cap, n;
};

struct join {
	struct table recs, people;
	char **values; /* interned statuses and occupations */
	size_t nvalues, values_cap;
	struct report_day_cache days;
	int nomem;
};

/* Record ids are 16 lowercase hex digits: the number itself is the key.  Anything else
 * (never written by fieldbook) gets a 64-bit FNV-1a hash with the top bit set. */
static uint64_t id_key(const char *id)
{
	/* hex digit value + 1; 0 for every other byte */
	static const unsigned char hex[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
		['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	};
	uint64_t k = 0, h = 1469598103934665603ull;
	const unsigned char *u = (const unsigned char *)id;
	const char *c;
	int i;

	if (!id)
		return 1;
	for (i = 0; i < FB_ID_LEN && hex[u[i]]; i++)
		k = k << 4 | (uint64_t)(hex[u[i]] - 1);
	if (i == FB_ID_LEN && !u[i] && k)
		return k;
	for (c = id; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	return h | 1ull << 63;
}

static size_t home(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static struct slot *find(struct join *j, struct table *t, uint64_t key, int insert)
{
	size_t i;

	if (insert && (t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096, k;
		struct slot *s = calloc(cap, sizeof *s);
		if (!s) {
			j->nomem = 1;
			return NULL;
		}
		for (k = 0; k < t->cap; k++)
			if (t->slot[k].key) {
				for (i = home(t->slot[k].key, cap); s[i].key; i = (i + 1) & (cap - 1))
					;
				s[i] = t->slot[k];
			}
		free(t->slot);
		t->slot = s;
		t->cap = cap;
	}
	if (!t->cap)
		return NULL;
	for (i = home(key, t->cap);; i = (i + 1) & (t->cap - 1)) {
		struct slot *s = &t->slot[i];
		if (s->key == key)
			return s;
		if (!s->key) {
			if (!insert)
				return NULL;
			memset(s, 0, sizeof *s);
			s->key = key;
			s->status = s->occ = -1;
			s->kind = -1;
			s->p = -1;
			t->n++;
			return s;
		}
	}
}

static short intern(struct join *j, const char *v)
{
	size_t i;

	if (!v || !*v)
		return -1;
	for (i = 0; i < j->nvalues; i++)
		if (!strcmp(j->values[i], v))
			return (short)i;
	if (j->nvalues >= 30000)
		return -1;
	if (j->nvalues == j->values_cap) {
		size_t cap = j->values_cap ? j->values_cap * 2 : 64;
		char **nv = realloc(j->values, cap * sizeof *nv);
		if (!nv) {
			j->nomem = 1;
			return -1;
		}
		j->values = nv;
		j->values_cap = cap;
	}
	if (!(j->values[j->nvalues] = strdup(v))) {
		j->nomem = 1;
		return -1;
	}
	return (short)j->nvalues++;
}

static const char *const kind_names[REPORT_K_COUNT] = {"person", "visit", "consultation", "case",
						       "request", "demand", "assistance"};

static int kind_of(const char *k)
{
	int i;

	for (i = 0; k && i < REPORT_K_COUNT; i++)
		if (!strcmp(kind_names[i], k))
			return i;
	return -1;
}

static int member_status(const char *st)
{
	return st && (!strcmp(st, "member") || !strcmp(st, "retained") || !strcmp(st, "transferred_out") ||
		      !strcmp(st, "withdrawn"));
}

/* The fields read in step 4, in this order (numbers first: later fields need them). */
static const struct {
	const char *field;
	int kind, bit; /* bit: the seen bit (report_int.h), 0 = none */
	int num, ref;  /* num: stored as the record's number; ref: the person it names */
} reads[] = {
	{"headcount", REPORT_K_VISIT, 0, 1, 0},
	{"amount", REPORT_K_ASSISTANCE, 0, 1, 0},
	{"occupation", REPORT_K_PERSON, REPORT_SEEN_A, 0, 0},
	{"relation", REPORT_K_PERSON, REPORT_SEEN_B, 0, 0},
	{"type", REPORT_K_VISIT, REPORT_SEEN_A, 0, 0},
	{"type", REPORT_K_ASSISTANCE, REPORT_SEEN_A, 0, 0},
	{"team", REPORT_K_VISIT, REPORT_SEEN_B, 0, 0},
	{"site", REPORT_K_VISIT, REPORT_SEEN_C, 0, 0},
	{"items", REPORT_K_VISIT, 0, 0, 0},
	{"cost", REPORT_K_VISIT, 0, 0, 0},
	{"topics", REPORT_K_CONSULTATION, REPORT_SEEN_A, 0, 0},
	{"outcome", REPORT_K_CONSULTATION, REPORT_SEEN_B, 0, 0},
	{"claimed", REPORT_K_CONSULTATION, 0, 0, 0},
	{"person", REPORT_K_CONSULTATION, 0, 0, 1},
	{"person", REPORT_K_ASSISTANCE, 0, 0, 1},
	{"claims", REPORT_K_CASE, 0, 0, 0},
	{"agreed_amount", REPORT_K_CASE, 0, 0, 0},
	{"recovered", REPORT_K_CASE, 0, 0, 0},
	{"rating", REPORT_K_REQUEST, 0, 0, 0},
	{"service", REPORT_K_REQUEST, REPORT_SEEN_A, 0, 0},
	{"requester", REPORT_K_REQUEST, 0, 0, 1},
	{"categories", REPORT_K_DEMAND, REPORT_SEEN_A, 0, 0},
	{"affected", REPORT_K_DEMAND, 0, 0, 0},
};
#define NREADS (sizeof reads / sizeof reads[0])

/* The sink's view of a record. */
static void describe(struct report_rec *rec, const struct slot *r, const struct join *j)
{
	rec->kind = r->kind;
	rec->day = r->day;
	rec->p = r->p;
	rec->status = r->status >= 0 ? j->values[r->status] : NULL;
	rec->num = r->num;
	rec->seen = r->seen;
	rec->occupation = NULL;
}

static const char sql_dated[] = "SELECT rec, value FROM field WHERE name = ?1 AND value BETWEEN ?2 AND ?3";
static const char sql_values[] = "SELECT rec, value FROM field WHERE name = ?1";
static const char sql_records[] =
	"SELECT id, kind, status, created_hlc FROM record WHERE +live = 1 /* scan */";

static int failed(struct fb_store *s, sqlite3_stmt *st, int step, struct join *j, struct fb_error *err)
{
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return db_error(s, "computing the report", err);
	if (j->nomem)
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	return 0;
}

#define TEXT(i) ((const char *)sqlite3_column_text(st, (i)))

int report_join(struct fb_store *s, const char *from, const char *to, int with_refs,
		const struct report_sink *sink, struct fb_error *err)
{
	static const char *const dated[] = {"date", "received_at", "paid_on"};
	struct join j;
	struct report_rec rec;
	sqlite3_stmt *st;
	int64_t from_day = report_date_days(from), to_day = report_date_days(to);
	int64_t from_hlc = report_day_hlc(from_day), to_hlc = report_day_hlc(to_day + 1);
	size_t i, f;
	int rc = 0, step;

	memset(&j, 0, sizeof j);
	/* 1. records placed by a date field */
	for (f = 0; f < 3; f++) {
		if (!(st = stmt(s, sql_dated, err)))
			return FB_EDB;
		sqlite3_bind_text(st, 1, dated[f], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct slot *r = find(&j, &j.recs, id_key(TEXT(0)), 1);
			if (r)
				r->day = report_date_days(TEXT(1));
		}
		if ((rc = failed(s, st, step, &j, err)) < 0)
			goto cleanup;
	}
	/* 2. live records: kind and status; people who joined, requests and demands by the
	 * day they were created */
	if (!(st = stmt(s, sql_records, err))) {
		rc = FB_EDB;
		goto cleanup;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int k = kind_of(TEXT(1));
		int64_t hlc = sqlite3_column_int64(st, 3);
		struct slot *r;
		if (k < 0)
			continue;
		if (k == REPORT_K_PERSON) {
			if (!member_status(TEXT(2)))
				continue;
			r = find(&j, &j.recs, id_key(TEXT(0)), 1);
		} else if (k == REPORT_K_REQUEST || k == REPORT_K_DEMAND) {
			if (hlc < from_hlc || hlc >= to_hlc)
				continue;
			r = find(&j, &j.recs, id_key(TEXT(0)), 1);
		} else
			r = find(&j, &j.recs, id_key(TEXT(0)), 0);
		if (!r)
			continue;
		/* a date field of another kind (visit.date on a consultation) stays unplaced */
		if (k == REPORT_K_PERSON || k == REPORT_K_REQUEST || k == REPORT_K_DEMAND)
			r->day = report_hlc_day(&j.days, hlc);
		r->kind = (signed char)k;
		r->status = intern(&j, TEXT(2));
	}
	if ((rc = failed(s, st, step, &j, err)) < 0)
		goto cleanup;
	/* 3. joined_on, where given, is the day a person joined */
	if (!(st = stmt(s, sql_values, err))) {
		rc = FB_EDB;
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, "joined_on", -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct slot *r = find(&j, &j.recs, id_key(TEXT(0)), 0);
		const char *v = TEXT(1);
		if (r && r->kind == REPORT_K_PERSON && v && *v && report_date_days(v) != INT64_MIN)
			r->day = report_date_days(v);
	}
	if ((rc = failed(s, st, step, &j, err)) < 0)
		goto cleanup;
	for (i = 0; i < j.recs.cap; i++) {
		struct slot *r = &j.recs.slot[i];
		if (r->key)
			r->p = r->kind < 0 ? -1 : (signed char)sink->period(sink->ctx, r->day);
	}
	/* 4. the fields, each read once for every kind that has it */
	for (f = 0; f < NREADS; f++) {
		if (reads[f].ref && !with_refs)
			continue;
		if (f > 0 && !strcmp(reads[f].field, reads[f - 1].field))
			continue; /* read together with the entry before */
		if (!(st = stmt(s, sql_values, err))) {
			rc = FB_EDB;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, reads[f].field, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			struct slot *r = find(&j, &j.recs, id_key(TEXT(0)), 0);
			const char *v = TEXT(1);
			size_t g;
			if (!r || r->p < 0)
				continue;
			for (g = f; g < NREADS && !strcmp(reads[g].field, reads[f].field); g++) {
				if (reads[g].kind != r->kind)
					continue;
				if (reads[g].num)
					r->num = report_to_int(v);
				else if (reads[g].ref)
					r->ref = v && *v ? id_key(v) : 0;
				else {
					if (reads[g].bit && v && *v)
						r->seen |= (unsigned short)reads[g].bit;
					describe(&rec, r, &j);
					sink->field(sink->ctx, &rec, reads[g].field, v);
				}
				break;
			}
		}
		if ((rc = failed(s, st, step, &j, err)) < 0)
			goto cleanup;
	}
	/* 5. the people records name: merged_into, then occupation */
	if (with_refs) {
		static const char *const pf[] = {"merged_into", "occupation"};
		for (i = 0; i < j.recs.cap; i++)
			if (j.recs.slot[i].key && j.recs.slot[i].p >= 0 && j.recs.slot[i].ref &&
			    !find(&j, &j.people, j.recs.slot[i].ref, 1)) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
				goto cleanup;
			}
		for (f = 0; f < 2; f++) {
			if (!(st = stmt(s, sql_values, err))) {
				rc = FB_EDB;
				goto cleanup;
			}
			sqlite3_bind_text(st, 1, pf[f], -1, SQLITE_STATIC);
			while ((step = sqlite3_step(st)) == SQLITE_ROW) {
				struct slot *p = find(&j, &j.people, id_key(TEXT(0)), 0);
				const char *v = TEXT(1);
				if (!p || !v || !*v)
					continue;
				if (f == 0)
					p->ref = id_key(v); /* merged: the survivor's occupation counts */
				else
					p->occ = intern(&j, v);
			}
			if ((rc = failed(s, st, step, &j, err)) < 0)
				goto cleanup;
			if (f == 0) {
				/* the survivors of merges are looked up too (inserting may grow the
				 * table, which moves slots: then go over it again) */
				int grew;
				do {
					size_t n = j.people.cap;
					grew = 0;
					for (i = 0; i < n && !grew; i++) {
						uint64_t target = j.people.slot[i].key ? j.people.slot[i].ref : 0;
						if (target && !find(&j, &j.people, target, 1)) {
							rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
							goto cleanup;
						}
						grew = j.people.cap != n;
					}
				} while (grew);
			}
		}
	}
	/* 6. every record of the periods, once */
	for (i = 0; i < j.recs.cap; i++) {
		struct slot *r = &j.recs.slot[i];
		if (!r->key || r->p < 0)
			continue;
		describe(&rec, r, &j);
		if (with_refs && r->ref) {
			struct slot *p = find(&j, &j.people, r->ref, 0);
			if (p && p->ref)
				p = find(&j, &j.people, p->ref, 0);
			if (p && p->occ >= 0)
				rec.occupation = j.values[p->occ];
		}
		sink->done(sink->ctx, &rec);
	}
	if (j.nomem)
		rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
cleanup:
	report_day_cache_free(&j.days);
	for (i = 0; i < j.nvalues; i++)
		free(j.values[i]);
	free(j.values);
	free(j.recs.slot);
	free(j.people.slot);
	return rc;
}
