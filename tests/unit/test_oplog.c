/* test_oplog.c - property tests of core/oplog.c (tests layer).
 *
 * Five simulated devices, each a real store, make thousands of random creates, edits
 * (many of the same fields, concurrently) and deletes, and exchange ops in random
 * directions, orders and batch sizes, with repeats.  Afterwards every device, and a
 * fresh store fed all ops one by one in a shuffled order with duplicates, must have the
 * same state digest, the same conflicts and every op; and fb_store_rebuild must give
 * exactly the incremental state on each. */
#include "storetest.h"
#include "fieldbook/review.h"

#define DEVICES 5

struct opcopy {
	struct fb_op op;
	char *mem[7];
};

struct oplist {
	struct opcopy *v;
	size_t n, cap;
};

static int collect(const struct fb_op *op, void *ctx)
{
	struct oplist *l = ctx;
	struct opcopy *c;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = realloc(l->v, l->cap * sizeof *l->v);
		if (!l->v)
			abort();
	}
	c = &l->v[l->n++];
	c->op = *op;
	c->mem[0] = strdup(op->id), c->op.id = c->mem[0];
	c->mem[1] = strdup(op->author), c->op.author = c->mem[1];
	c->mem[2] = strdup(op->kind), c->op.kind = c->mem[2];
	c->mem[3] = strdup(op->rec), c->op.rec = c->mem[3];
	c->mem[4] = strdup(op->field), c->op.field = c->mem[4];
	c->mem[5] = strdup(op->value), c->op.value = c->mem[5];
	c->mem[6] = strdup(op->pred), c->op.pred = c->mem[6];
	return 0;
}

static void oplist_free(struct oplist *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < 7; j++)
			free(l->v[i].mem[j]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static unsigned rnd_state = 12345;
static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* Sends every op of from to to in shuffled batches; some ops sent twice. */
static int sync_one_way(struct fb_store *from, struct fb_store *to)
{
	struct oplist l = {0};
	struct fb_error err = {0};
	size_t i, at = 0;
	int rc = 0;

	fb_store_each_op(from, collect, &l, &err);
	for (i = l.n; i > 1; i--) {
		size_t j = rnd((unsigned)i);
		struct opcopy tmp = l.v[i - 1];
		l.v[i - 1] = l.v[j];
		l.v[j] = tmp;
	}
	while (at < l.n && rc == 0) {
		size_t batch = 1 + rnd(200);
		struct fb_op *ops = malloc((batch + 1) * sizeof *ops);
		size_t k, m = 0;
		for (k = 0; k < batch && at + k < l.n; k++)
			ops[m++] = l.v[at + k].op;
		if (m && rnd(4) == 0)
			ops[m++] = ops[0]; /* a duplicate inside the batch */
		rc = fb_store_apply_ops(to, ops, m, NULL, &err);
		if (rc < 0)
			fprintf(stderr, "apply: %s\n", err.message);
		free(ops);
		at += batch;
	}
	oplist_free(&l);
	return rc;
}

static const char *names[] = {"张三", "李四", "王伟", "阿依古丽·买买提", "欧阳娜娜", "𠀀明"};
static const char *occupations[] = {"food_delivery", "courier", "ride_hailing", "外卖骑手", "保安"};

/* The first row of SQL on the state file of the store in dir, columns joined by '|'
 * (malloc'd; "" when there is no row). */
static char *state_row(const char *dir, const char *sql)
{
	char path[4200], *out = calloc(1, 4096);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int c;

	snprintf(path, sizeof path, "%s/fieldbook-state.db", dir);
	if (out && sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		for (c = 0; c < sqlite3_column_count(st); c++) {
			const char *t = (const char *)sqlite3_column_text(st, c);
			size_t l = strlen(out);
			snprintf(out + l, 4096 - l, "%s%s", c ? "|" : "", t ? t : "NULL");
		}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static int count_audit_alarms(const struct fb_alarm *a, void *ctx)
{
	if (!strcmp(a->what, "audit") && strstr(a->detail, "aaaaaaaaaaaaaaaa:1"))
		++*(int *)ctx;
	return 0;
}

/* Audit entries are exactly the ops of the save that created them: ops of any other save
 * (an added field, an overwrite by an op of another kind whose pred names the entry's op,
 * a delete) are ignored in any arrival order, each raises one "audit" alarm, and a
 * rebuild gives the same state. */
static void audit_entries_are_one_save(void)
{
#define H ((int64_t)1700000000000LL << 16)
	static const struct fb_op genuine[] = {
		{"aaaaaaaaaaaaaaaa:1.0", H, "alice", "audit", "a0d1a0d1a0d1a0d1", "_exists", "1", ""},
		{"aaaaaaaaaaaaaaaa:1.1", H, "alice", "audit", "a0d1a0d1a0d1a0d1", "action", "reveal", ""},
		{"aaaaaaaaaaaaaaaa:1.2", H, "alice", "audit", "a0d1a0d1a0d1a0d1", "reason", "家访核对", ""},
	};
	static const struct fb_op forged[] = {
		/* a field the entry never had */
		{"bbbbbbbbbbbbbbbb:7.0", H + 5, "mallory", "audit", "a0d1a0d1a0d1a0d1", "field", "id_number", ""},
		/* an overwrite disguised as another kind, naming the entry's op */
		{"bbbbbbbbbbbbbbbb:8.0", H + 6, "mallory", "person", "a0d1a0d1a0d1a0d1", "reason", "伪造",
		 "aaaaaaaaaaaaaaaa:1.2"},
		/* a delete */
		{"bbbbbbbbbbbbbbbb:9.0", H + 7, "mallory", "audit", "a0d1a0d1a0d1a0d1", "_exists", "0",
		 "aaaaaaaaaaaaaaaa:1.0 aaaaaaaaaaaaaaaa:1.1 aaaaaaaaaaaaaaaa:1.2"},
	};
	struct fb_store *s0 = test_store("audit-0", "alice"), *s1 = test_store("audit-1", "alice"),
			*s2 = test_store("audit-2", "alice");
	struct fb_error err = {0};
	char d0[65], d1[65], d2[65], *r0, *r1, *r2, *f1, *t1, *t2;
	int alarms1 = 0, alarms2 = 0, rc = 0;
	size_t i;
	const char *rec_q = "SELECT kind, exists_, live, conflicts, title, created_by, updated_hlc, updated_by"
			    " FROM record WHERE id = 'a0d1a0d1a0d1a0d1'";
#undef H

	rc |= fb_store_apply_ops(s0, genuine, 3, NULL, &err);
	/* s1: the entry first, then each forgery alone; s2: the forgeries first, last first */
	rc |= fb_store_apply_ops(s1, genuine, 3, NULL, &err);
	for (i = 0; i < 3; i++)
		rc |= fb_store_apply_ops(s1, &forged[i], 1, NULL, &err);
	for (i = 3; i-- > 0;)
		rc |= fb_store_apply_ops(s2, &forged[i], 1, NULL, &err);
	rc |= fb_store_apply_ops(s2, genuine, 3, NULL, &err);
	TAP_OK(rc == 0, "audit: forged ops are stored (nothing lost): %s", err.message);
	fb_store_state_digest(s0, d0, &err);
	fb_store_state_digest(s1, d1, &err);
	fb_store_state_digest(s2, d2, &err);
	TAP_STREQ(d1, d0, "audit: ops of other saves after the entry change nothing");
	TAP_STREQ(d2, d0, "audit: ... nor when they arrive before the save that created it");
	r0 = state_row(fb_store_dir(s0), rec_q);
	r1 = state_row(fb_store_dir(s1), rec_q);
	r2 = state_row(fb_store_dir(s2), rec_q);
	TAP_OK(!strcmp(r0, r1) && !strcmp(r0, r2) && !strncmp(r0, "audit|1|1|0|", 12),
	       "audit: same kind, existence, author and times in either order: %s / %s", r1, r2);
	f1 = state_row(fb_store_dir(s1), "SELECT group_concat(name || '=' || value, ',') FROM"
					 " (SELECT name, value FROM field WHERE rec = 'a0d1a0d1a0d1a0d1' ORDER BY name)");
	TAP_STREQ(f1, "_exists=1,action=reveal,reason=家访核对", "audit: exactly the fields of its save");
	fb_alarm_list(s1, 1, count_audit_alarms, &alarms1, &err);
	fb_alarm_list(s2, 1, count_audit_alarms, &alarms2, &err);
	TAP_OK(alarms1 == 3 && alarms2 == 3, "audit: one alarm per ignored op in either order (%d, %d)",
	       alarms1, alarms2);
	TAP_OK(test_edit(s1, "a0d1a0d1a0d1a0d1", "reason", "x", &err) == FB_EINVAL,
	       "audit: a local edit is refused: %s", err.message);
	TAP_OK(fb_record_delete(s1, "a0d1a0d1a0d1a0d1", &err) == FB_EINVAL,
	       "audit: a local delete is refused: %s", err.message);
	t1 = test_state_tables(fb_store_dir(s2));
	fb_store_rebuild(s2, &err);
	t2 = test_state_tables(fb_store_dir(s2));
	fb_store_state_digest(s2, d2, &err);
	TAP_OK(t1 && t2 && !strcmp(t1, t2) && !strcmp(d2, d0),
	       "audit: rebuild gives the same tables and state");
	alarms2 = 0;
	fb_alarm_list(s2, 1, count_audit_alarms, &alarms2, &err);
	TAP_OK(alarms2 == 3, "audit: a rebuild raises no alarm again (%d)", alarms2);
	memset(&err, 0, sizeof err);
	TAP_OK(fb_store_check(s1, &err) == 0 && fb_store_check(s2, &err) == 0, "audit: check passes: %s",
	       err.message);
	free(r0), free(r1), free(r2), free(f1), free(t1), free(t2);
	fb_store_free(s0), fb_store_free(s1), fb_store_free(s2);
}

int main(void)
{
	struct fb_store *dev[DEVICES], *fresh;
	struct fb_error err = {0};
	char ids[4000][FB_ID_LEN + 1], d0[65], d[65];
	size_t nids = 0, i, saves = 0, conflicts_seen = 0;
	struct oplist all = {0};
	int k, step, rc, same;
	int64_t conflicts0 = 0, c;

	setlocale(LC_ALL, "C.UTF-8");
	for (k = 0; k < DEVICES; k++) {
		char label[16], op[16];
		snprintf(label, sizeof label, "dev-%d", k);
		snprintf(op, sizeof op, "op%d", k);
		dev[k] = test_store(label, op);
	}
	for (step = 0; step < 2400; step++) {
		struct fb_store *s = dev[rnd(DEVICES)];
		unsigned what = rnd(100);
		if (what < 25 || nids < 10) {
			char *id = ids[nids];
			rc = test_add(s, id, "person", &err, "name", names[rnd(6)], "occupation",
				      occupations[rnd(5)], NULL);
			if (rc == 0 && nids < 3999)
				nids++, saves++;
		} else if (what < 85) {
			static const char *fields[] = {"name", "employer", "mobile", "occupation", "branch"};
			const char *f = fields[rnd(5)];
			char v[64];
			if (!strcmp(f, "mobile"))
				snprintf(v, sizeof v, "139%08u", rnd(100000000));
			else if (!strcmp(f, "occupation"))
				snprintf(v, sizeof v, "%s", occupations[rnd(5)]);
			else if (!strcmp(f, "name"))
				snprintf(v, sizeof v, "%s", names[rnd(6)]);
			else
				snprintf(v, sizeof v, "%s%u", f, rnd(4));
			if (test_edit(s, ids[rnd((unsigned)nids)], f, v, &err) == 0)
				saves++;
		} else if (what < 90) {
			if (fb_record_delete(s, ids[rnd((unsigned)nids)], &err) == 0)
				saves++;
		} else {
			int a = (int)rnd(DEVICES), b = (int)rnd(DEVICES);
			if (a != b)
				sync_one_way(dev[a], dev[b]);
		}
	}
	TAP_OK(saves > 1500, "%zu random saves made on %d devices", saves, DEVICES);

	/* Full exchange: everyone gets everything (twice round, so relays happen). */
	for (step = 0; step < 2; step++)
		for (k = 0; k < DEVICES; k++)
			for (i = 0; i < DEVICES; i++)
				if ((int)i != k)
					sync_one_way(dev[k], dev[i]);

	fb_store_each_op(dev[0], collect, &all, &err);
	fb_store_state_digest(dev[0], d0, &err);
	fb_conflict_count(dev[0], &conflicts0, &err);
	conflicts_seen = (size_t)conflicts0;
	TAP_OK(conflicts_seen > 0, "concurrent edits produced %zu conflicted records", conflicts_seen);
	for (k = 1; k < DEVICES; k++) {
		struct oplist l = {0};
		fb_store_state_digest(dev[k], d, &err);
		fb_conflict_count(dev[k], &c, &err);
		fb_store_each_op(dev[k], collect, &l, &err);
		TAP_OK(!strcmp(d, d0) && c == conflicts0 && l.n == all.n,
		       "device %d converged: same digest, %lld conflicts, %zu ops", k, (long long)c, l.n);
		oplist_free(&l);
	}

	/* A fresh store fed all ops one at a time, shuffled, with duplicates. */
	fresh = test_store("fresh", "x");
	for (i = all.n; i > 1; i--) {
		size_t j = rnd((unsigned)i);
		struct opcopy tmp = all.v[i - 1];
		all.v[i - 1] = all.v[j];
		all.v[j] = tmp;
	}
	rc = 0;
	for (i = 0; i < all.n && rc == 0; i++) {
		rc = fb_store_apply_ops(fresh, &all.v[i].op, 1, NULL, &err);
		if (rc == 0 && rnd(10) == 0)
			rc = fb_store_apply_ops(fresh, &all.v[rnd((unsigned)(i + 1))].op, 1, NULL, &err);
	}
	TAP_OK(rc == 0, "all %zu ops applied one by one in a shuffled order with repeats", all.n);
	fb_store_state_digest(fresh, d, &err);
	TAP_STREQ(d, d0, "shuffled single-op application gives the same state");

	/* Rebuild equals incremental, on every store: the dump, and every derived table
	 * (search rows, identity keys, counts, superseded ids; FTS5 consistent). */
	same = 1;
	{
		int tables_same = 1;
		for (k = 0; k <= DEVICES; k++) {
			struct fb_store *st = k < DEVICES ? dev[k] : fresh;
			char *before = test_state_tables(fb_store_dir(st)), *after;
			fb_store_rebuild(st, &err);
			after = test_state_tables(fb_store_dir(st));
			fb_store_state_digest(st, d, &err);
			same &= !strcmp(d, d0);
			tables_same &= before && after && !strcmp(before, after);
			free(before);
			free(after);
		}
		TAP_OK(same, "rebuild from the op log gives exactly the incremental state");
		TAP_OK(tables_same, "... and the same rows in every derived table");
	}
	TAP_OK(fb_store_check(fresh, &err) == 0, "check: integrity and op-log consistency: %s", err.message);

	/* A known op arriving with different content is refused, nothing changes. */
	{
		struct fb_op forged = all.v[0].op;
		forged.value = "forged";
		rc = fb_store_apply_ops(fresh, &forged, 1, NULL, &err);
		fb_store_state_digest(fresh, d, &err);
		TAP_OK(rc == FB_ECORRUPT && !strcmp(d, d0), "a modified op is refused: %s", err.message);
	}
	/* A clock far in the future is not adopted. */
	{
		struct fb_op future = {"ffffffffffffffff:1.0", (int64_t)4102444800000LL << 16, "x", "note",
				       "aaaaaaaaaaaaaaaa", "_exists", "1", ""};
		rc = fb_store_apply_ops(fresh, &future, 1, NULL, &err);
		TAP_OK(rc == 0, "an op from a clock in 2100 is stored (nothing lost)");
	}

	audit_entries_are_one_save();

	oplist_free(&all);
	for (k = 0; k < DEVICES; k++)
		fb_store_free(dev[k]);
	fb_store_free(fresh);
	return tap_done();
}
