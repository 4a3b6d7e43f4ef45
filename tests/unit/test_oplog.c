/* test_oplog.c - property tests of core/oplog.c (tests layer).
 *
 * Five simulated devices, each a real store, make thousands of random creates, edits
 * (many of the same fields, concurrently) and deletes, and exchange ops in random
 * directions, orders and batch sizes, with repeats.  Afterwards every device, and a
 * fresh store fed all ops one by one in a shuffled order with duplicates, must have the
 * same state digest, the same conflicts and every op; and fb_store_rebuild must give
 * exactly the incremental state on each. */
#include "storetest.h"

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

	oplist_free(&all);
	for (k = 0; k < DEVICES; k++)
		fb_store_free(dev[k]);
	fb_store_free(fresh);
	return tap_done();
}
