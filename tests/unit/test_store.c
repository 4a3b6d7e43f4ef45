/* test_store.c - unit tests of core/store.c: the two files of a store (the op log in
 * fieldbook.db, the derived state in fieldbook-state.db) and what opening does when they
 * disagree, and the migration of a schema-2 database (tests layer).
 *
 * The state file is written without a sync per save, so a crash may leave it behind the
 * op log, and a restored backup may leave it ahead; a damaged or foreign one may appear.
 * Each case is made with real files and must open to exactly the state a rebuild from
 * the op log gives, with nothing of the op log lost. */
#include <sys/stat.h>
#include <unistd.h>

#include "storetest.h"

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[65536];
	size_t n;

	if (!in || !out) {
		fprintf(stderr, "copy %s -> %s failed\n", from, to);
		exit(2);
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

/* Copies DIR/NAME (a closed database: no WAL left) to or from DIR/NAME.SUFFIX. */
static void save_file(const char *dir, const char *name, const char *suffix, int restore)
{
	char a[4300], b[4300];

	snprintf(a, sizeof a, "%s/%s", dir, name);
	snprintf(b, sizeof b, "%s/%s.%s", dir, name, suffix);
	if (restore) {
		copy_file(b, a);
		snprintf(b, sizeof b, "%s/%s-wal", dir, name);
		unlink(b);
		snprintf(b, sizeof b, "%s/%s-shm", dir, name);
		unlink(b);
	} else
		copy_file(a, b);
}

static struct fb_store *reopen(const char *dir)
{
	struct fb_store *s = NULL;
	struct fb_error err = {0};

	if (fb_store_open(&s, dir, &err) < 0)
		printf("# open %s: %s\n", dir, err.message);
	return s;
}

/* Some saves of every kind of change: creates, edits, a delete, a conflict from another
 * device (applied as remote ops). */
static void work(struct fb_store *s, int round)
{
	struct fb_error err = {0};
	char id[FB_ID_LEN + 1], other[FB_ID_LEN + 1], name[32];
	char opid[64], opid2[64];
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof name, "张%d三%d", round, i);
		if (test_add(s, id, "person", &err, "name", name, "occupation", "courier", "mobile",
			     "13800138000", NULL) < 0)
			printf("# add: %s\n", err.message);
		if (i % 2 == 0)
			test_edit(s, id, "occupation", "food_delivery", &err);
		if (i == 1)
			fb_record_delete(s, id, &err);
	}
	test_add(s, other, "person", &err, "name", "李四", "occupation", "courier", NULL);
	/* two concurrent values of one field from a remote device */
	snprintf(opid, sizeof opid, "%016x:%d.0", 0xabc0 + round, round + 1);
	snprintf(opid2, sizeof opid2, "%016x:%d.0", 0xdef0 + round, round + 1);
	{
		struct fb_op ops[2] = {
			{opid, ((int64_t)1700000000000LL << 16) + round, "remote", "person", other, "name",
			 "李四甲", ""},
			{opid2, ((int64_t)1700000000001LL << 16) + round, "remote", "person", other, "name",
			 "李四乙", ""},
		};
		if (fb_store_apply_ops(s, ops, 2, NULL, &err) < 0)
			printf("# apply: %s\n", err.message);
	}
}

static void digest(struct fb_store *s, char *out)
{
	struct fb_error err = {0};

	if (!s) {
		snprintf(out, 65, "no store");
		return;
	}
	if (fb_store_state_digest(s, out, &err) < 0)
		snprintf(out, 65, "error %d", err.code);
}

static int count_op(const struct fb_op *op, void *ctx)
{
	(*(size_t *)ctx)++;
	return 0;
}

static size_t ops_in(struct fb_store *s)
{
	struct fb_error err = {0};
	size_t n = 0;

	fb_store_each_op(s, count_op, &n, &err);
	return n;
}

/* The schema-2 layout (everything in fieldbook.db, op.visible materialised), as the
 * previous version of fieldbook created it. */
static const char v2_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE op(id TEXT PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,"
	" idx INTEGER NOT NULL, hlc INTEGER NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL,"
	" rec TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, pred TEXT NOT NULL,"
	" sealed INTEGER NOT NULL DEFAULT 0, visible INTEGER NOT NULL DEFAULT 1) WITHOUT ROWID;"
	"CREATE INDEX op_key ON op(rec, field, visible);"
	"CREATE INDEX op_unsealed ON op(device, seq) WHERE sealed = 0;"
	"CREATE TABLE superseded(id TEXT PRIMARY KEY) WITHOUT ROWID;"
	"CREATE TABLE record(id TEXT PRIMARY KEY, kind TEXT NOT NULL, exists_ INTEGER NOT NULL,"
	" live INTEGER NOT NULL, del_conflict INTEGER NOT NULL, conflicts INTEGER NOT NULL, title TEXT,"
	" status TEXT, merged_into TEXT, created_hlc INTEGER, created_by TEXT, created_dev TEXT,"
	" updated_hlc INTEGER, updated_by TEXT) WITHOUT ROWID;"
	"CREATE INDEX record_list ON record(kind, live, updated_hlc, id);"
	"CREATE TABLE field(rec TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, op TEXT NOT NULL,"
	" nvalues INTEGER NOT NULL, PRIMARY KEY(rec, name)) WITHOUT ROWID;"
	"CREATE TABLE kind_count(kind TEXT PRIMARY KEY, live INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE ident(key TEXT NOT NULL, rec TEXT NOT NULL, PRIMARY KEY(key, rec)) WITHOUT ROWID;"
	"CREATE TABLE search_doc(rowid INTEGER PRIMARY KEY, rec TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,"
	" title TEXT NOT NULL, uni TEXT NOT NULL, bi TEXT NOT NULL);"
	"CREATE VIRTUAL TABLE search_fts USING fts5(kind, uni, bi, content='search_doc',"
	" content_rowid='rowid', tokenize='ascii');"
	"CREATE TABLE alarm(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, what TEXT NOT NULL,"
	" detail TEXT NOT NULL);";

struct v2_fill {
	sqlite3 *db;
	sqlite3_stmt *ins;
	size_t n;
};

static int v2_insert(const struct fb_op *op, void *ctx)
{
	struct v2_fill *f = ctx;
	char device[64];

	snprintf(device, sizeof device, "%.*s", (int)strcspn(op->id, ":"), op->id);
	sqlite3_reset(f->ins);
	sqlite3_bind_text(f->ins, 1, op->id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 2, device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(f->ins, 3, strtoll(strchr(op->id, ':') + 1, NULL, 10));
	sqlite3_bind_int64(f->ins, 4, strtoll(strchr(op->id, '.') + 1, NULL, 10));
	sqlite3_bind_int64(f->ins, 5, op->hlc);
	sqlite3_bind_text(f->ins, 6, op->author, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 7, op->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 8, op->rec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 9, op->field, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 10, op->value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->ins, 11, op->pred, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(f->ins, 12, (int)(f->n++ % 3 == 0)); /* some ops sealed */
	return sqlite3_step(f->ins) == SQLITE_DONE ? 0 : -1;
}

static int64_t scalar(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

int main(void)
{
	struct fb_store *s = test_store("gate-1", "tester"), *b;
	struct fb_error err = {0};
	char dir[4096], path[4300], d_now[80], d_then[80], d[80];
	char *tables_now, *t;
	size_t nops;
	int64_t unsealed_now = 0, v;

	setlocale(LC_ALL, "C.UTF-8");
	snprintf(dir, sizeof dir, "%s", fb_store_dir(s));
	work(s, 1);
	fb_store_free(s);

	/* 1. The state file lost its newest transactions (a crash before they reached the
	 *    disk): opening materialises the ops it lacks. */
	save_file(dir, "fieldbook-state.db", "old", 0);
	s = reopen(dir);
	work(s, 2);
	digest(s, d_now);
	nops = ops_in(s);
	fb_store_free(s);
	tables_now = test_state_tables(dir);
	save_file(dir, "fieldbook-state.db", "old", 1);
	s = reopen(dir);
	TAP_OK(s != NULL, "a store whose state file is behind its op log opens");
	digest(s, d);
	TAP_STREQ(d, d_now, "... and catches up to the same state");
	TAP_OK(fb_store_check(s, &err) == 0, "... which equals a rebuild from the op log: %s", err.message);
	fb_store_free(s);
	t = test_state_tables(dir);
	TAP_OK(t && tables_now && !strcmp(t, tables_now), "... in every derived table");
	free(t);
	free(tables_now);

	/* 2. The op log is older than the state (a restored backup of fieldbook.db alone):
	 *    the state is rebuilt from the op log as it is. */
	s = reopen(dir);
	digest(s, d_then);
	fb_store_free(s);
	save_file(dir, "fieldbook.db", "old", 0);
	s = reopen(dir);
	work(s, 3);
	fb_store_free(s);
	save_file(dir, "fieldbook.db", "old", 1);
	s = reopen(dir);
	TAP_OK(s != NULL, "a store whose state file is ahead of its op log opens");
	digest(s, d);
	TAP_STREQ(d, d_then, "... with the state of its op log");
	TAP_OK(fb_store_check(s, &err) == 0, "... consistent: %s", err.message);
	work(s, 4);
	digest(s, d_now);
	nops = ops_in(s);
	fb_store_unsealed_count(s, &unsealed_now, &err);
	fb_store_free(s);

	/* 3. A damaged state file is made again from the op log. */
	snprintf(path, sizeof path, "%s/fieldbook-state.db", dir);
	{
		FILE *f = fopen(path, "r+b");
		char junk[8192];
		memset(junk, 0x5a, sizeof junk);
		if (f) {
			fwrite(junk, 1, sizeof junk, f);
			fclose(f);
		}
	}
	s = reopen(dir);
	TAP_OK(s != NULL, "a store with a damaged state file opens");
	digest(s, d);
	TAP_STREQ(d, d_now, "... with the state rebuilt from the op log");
	fb_store_free(s);
	unlink(path);
	s = reopen(dir);
	digest(s, d);
	TAP_STREQ(d, d_now, "a missing state file is rebuilt too");
	fb_store_free(s);

	/* 4. Another store's state file (a copy mixed up) is not taken for this one's. */
	b = test_store("gate-2", "other");
	work(b, 9);
	{
		char other[4300];
		snprintf(other, sizeof other, "%s/fieldbook-state.db", fb_store_dir(b));
		fb_store_free(b);
		copy_file(other, path);
	}
	s = reopen(dir);
	digest(s, d);
	TAP_STREQ(d, d_now, "another store's state file is replaced by this store's state");
	TAP_OK(ops_in(s) == nops, "no op was lost by any of this (%zu ops)", nops);
	fb_store_free(s);

	/* 5. Migration: a schema-2 database (one file) with the same ops opens as this store,
	 *    keeping its ops, seal marks, counters, settings and alarms. */
	{
		char v2dir[4200], v2path[4300];
		struct v2_fill f = {0};
		sqlite3_stmt *st = NULL;
		int ok = 1;

		s = reopen(dir);
		snprintf(v2dir, sizeof v2dir, "%s-v2", dir);
		mkdir(v2dir, 0700);
		snprintf(v2path, sizeof v2path, "%s/fieldbook.db", v2dir);
		ok &= sqlite3_open(v2path, &f.db) == SQLITE_OK;
		ok &= sqlite3_exec(f.db, "PRAGMA journal_mode=WAL; BEGIN;", NULL, NULL, NULL) == SQLITE_OK;
		ok &= sqlite3_exec(f.db, v2_schema, NULL, NULL, NULL) == SQLITE_OK;
		ok &= sqlite3_prepare_v2(f.db, "INSERT INTO op(id, device, seq, idx, hlc, author, kind, rec,"
					       " field, value, pred, sealed) VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
					       " ?7, ?8, ?9, ?10, ?11, ?12)",
					 -1, &f.ins, NULL) == SQLITE_OK;
		ok &= fb_store_each_op(s, v2_insert, &f, &err) == 0;
		sqlite3_finalize(f.ins);
		ok &= sqlite3_prepare_v2(f.db, "INSERT INTO meta(key, value) VALUES('device', ?1),"
					       " ('schema_version', 2), ('seq', 99), ('hlc', 0),"
					       " ('operator', 'tester'), ('team', 't'), ('label', 'old'),"
					       " ('unsealed', 42), ('seal', 7)",
					 -1, &st, NULL) == SQLITE_OK;
		sqlite3_bind_text(st, 1, fb_store_device(s), -1, SQLITE_TRANSIENT);
		ok &= sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
		ok &= sqlite3_exec(f.db, "INSERT INTO alarm(at, what, detail) VALUES(1, 'clock', 'kept');"
					 "INSERT INTO record(id, kind, exists_, live, del_conflict, conflicts)"
					 " VALUES('stale', 'person', 1, 1, 0, 0); COMMIT;",
				   NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_close(f.db);
		fb_store_free(s);
		TAP_OK(ok, "a schema-2 database made with %zu ops", f.n);

		s = reopen(v2dir);
		TAP_OK(s != NULL, "it opens (migrated)");
		digest(s, d);
		TAP_STREQ(d, d_now, "... to the same state as the store it was made from");
		TAP_OK(ops_in(s) == nops, "... with every op");
		fb_store_unsealed_count(s, &v, &err);
		TAP_OK(v == 42, "... its unsealed counter (%lld)", (long long)v);
		TAP_OK(fb_store_check(s, &err) == 0, "... consistent: %s", err.message);
		work(s, 5);
		TAP_OK(fb_store_check(s, &err) == 0, "... and it takes new saves: %s", err.message);
		fb_store_free(s);
		TAP_OK(scalar(v2path, "SELECT count(*) FROM op WHERE sealed = 1") == (int64_t)(nops + 2) / 3,
		       "... seal marks kept");
		TAP_OK(scalar(v2path, "SELECT count(*) FROM alarm WHERE detail = 'kept'") == 1,
		       "... alarms kept");
		TAP_OK(scalar(v2path, "SELECT value FROM meta WHERE key = 'schema_version'") == 3,
		       "... schema version 3");
		TAP_OK(scalar(v2path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('record', 'field',"
				      " 'search_fts', 'superseded')") == 0,
		       "... no derived table left in the op-log file");
	}
	(void)unsealed_now;
	return tap_done();
}
