/* store.c - opening, creating and configuring the SQLite store (core layer).
 *
 * Contract: the database is opened defensively (WAL, busy_timeout,
 * SQLITE_DBCONFIG_DEFENSIVE, foreign keys unused: no constraint may make a remote op
 * fail); the op log (fieldbook.db) with synchronous=FULL, the derived state
 * (fieldbook-state.db, attached as "state") with synchronous=NORMAL and brought up to
 * date from the op log on open; the data directory is 0700 and the database files 0600. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "store_int.h"

/* 2: kind_count and the unsealed counter in meta; search_doc_title index.
 * 3: two files.  fieldbook.db holds the truth (op, rowid n = arrival order) and what makes
 *    new ops (meta) or is local (alarm); fieldbook-state.db, attached as "state", holds
 *    everything derived from the ops, with the op rowid it has materialised up to. */
#define SCHEMA_VERSION 3



/* Truth: op, appended to and never updated except op.sealed (set when the op has been
 * written to a change file).  n is the arrival order: the state file's watermark. */
static const char main_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS main.meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS main.op("
	" id TEXT NOT NULL UNIQUE, device TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" hlc INTEGER NOT NULL, author TEXT NOT NULL, kind TEXT NOT NULL, rec TEXT NOT NULL,"
	" field TEXT NOT NULL, value TEXT NOT NULL, pred TEXT NOT NULL,"
	" sealed INTEGER NOT NULL DEFAULT 0, n INTEGER PRIMARY KEY);"
	"CREATE INDEX IF NOT EXISTS main.op_key ON op(rec, field);"
	"CREATE INDEX IF NOT EXISTS main.op_unsealed ON op(device, seq) WHERE sealed = 0;"
	/* Local bookkeeping, not derived from ops: alarms (clock anomalies; sync adds more). */
	"CREATE TABLE IF NOT EXISTS main.alarm(id INTEGER PRIMARY KEY, at INTEGER NOT NULL,"
	" what TEXT NOT NULL, detail TEXT NOT NULL);";

/* Derived from op only (fb_store_rebuild recomputes all of it).  superseded: every op id
 * some pred names (an op is visible when its id is not in it). */
static const char state_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS state.state_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS state.superseded(id TEXT PRIMARY KEY) WITHOUT ROWID;"
	/* every op of an audit entry: 1 when it is of the save that created the entry */
	"CREATE TABLE IF NOT EXISTS state.audit_vis(id TEXT PRIMARY KEY, visible INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS state.record("
	" id TEXT PRIMARY KEY, kind TEXT NOT NULL, exists_ INTEGER NOT NULL, live INTEGER NOT NULL,"
	" del_conflict INTEGER NOT NULL, conflicts INTEGER NOT NULL, title TEXT, status TEXT,"
	" merged_into TEXT, created_hlc INTEGER, created_by TEXT, created_dev TEXT,"
	" updated_hlc INTEGER, updated_by TEXT) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS state.record_list ON record(kind, live, updated_hlc, id);"
	"CREATE INDEX IF NOT EXISTS state.record_status ON record(kind, live, status, updated_hlc, id);"
	"CREATE INDEX IF NOT EXISTS state.record_conflict ON record(conflicts) WHERE conflicts > 0;"
	"CREATE TABLE IF NOT EXISTS state.field("
	" rec TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, op TEXT NOT NULL,"
	" nvalues INTEGER NOT NULL, PRIMARY KEY(rec, name)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS state.field_value ON field(name, value);"
	/* live records per kind, kept by refresh_record so the home screen needs no count(*) */
	"CREATE TABLE IF NOT EXISTS state.kind_count(kind TEXT PRIMARY KEY, live INTEGER NOT NULL)"
	" WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS state.ident(key TEXT NOT NULL, rec TEXT NOT NULL,"
	" PRIMARY KEY(key, rec)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS state.ident_rec ON ident(rec);"
	"CREATE TABLE IF NOT EXISTS state.search_doc(rowid INTEGER PRIMARY KEY, rec TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL, title TEXT NOT NULL, uni TEXT NOT NULL, bi TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS state.search_doc_title ON search_doc(title);"
	"CREATE VIRTUAL TABLE IF NOT EXISTS state.search_fts USING fts5(kind, uni, bi,"
	" content='search_doc', content_rowid='rowid', tokenize='ascii');";

static const char temp_schema_sql[] =
	"PRAGMA temp_store=MEMORY;"
	"CREATE TEMP TABLE IF NOT EXISTS dirty_key(rec TEXT, field TEXT, PRIMARY KEY(rec, field))"
	" WITHOUT ROWID;"
	"CREATE TEMP TABLE IF NOT EXISTS dirty_rec(rec TEXT PRIMARY KEY) WITHOUT ROWID;";

sqlite3_stmt *stmt(struct fb_store *s, const char *sql, struct fb_error *err)
{
	int i, free_slot = -1;

	for (i = 0; i < STMT_CACHE; i++) {
		if (s->cache[i].sql == sql) {
			sqlite3_reset(s->cache[i].st);
			sqlite3_clear_bindings(s->cache[i].st);
			return s->cache[i].st;
		}
		if (!s->cache[i].sql && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0) {
		fb_error_set(err, FB_EDB, NULL, "internal: statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cache[free_slot].st,
			       NULL) != SQLITE_OK) {
		db_error(s, "preparing a query", err);
		return NULL;
	}
	s->cache[free_slot].sql = sql;
	return s->cache[free_slot].st;
}

void plan_note(struct fb_store *s, sqlite3_stmt *st)
{
	unsigned slot = s->nadhoc++ % 16;
	const char *sql = sqlite3_sql(st);

	free(s->adhoc[slot]);
	s->adhoc[slot] = sql ? strdup(sql) : NULL;
}

int db_error(struct fb_store *s, const char *doing, struct fb_error *err)
{
	int rc = sqlite3_extended_errcode(s->db);
	const char *hint = "";

	if ((rc & 0xff) == SQLITE_FULL || sqlite3_system_errno(s->db) == ENOSPC)
		hint = _(" - the disk is full: free some space and try again; nothing was saved");
	else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		hint = _(" - another fieldbook is writing: try again in a moment");
	else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		hint = _(" - the database file is damaged: run `fieldbook check`");
	else if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN)
		hint = _(" - check the permissions of the data directory");
	return fb_error_set(err, FB_EDB, "database", _("database error while %s: %s%s"), _(doing),
			    sqlite3_errmsg(s->db), hint);
}

int db_exec(struct fb_store *s, const char *sql, struct fb_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, "updating the database", err);
	return 0;
}

int db_begin(struct fb_store *s, struct fb_error *err)
{
	return db_exec(s, "BEGIN IMMEDIATE", err);
}

int db_commit(struct fb_store *s, struct fb_error *err)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_error(s, "saving", err);
		db_rollback(s);
		return FB_EDB;
	}
	return 0;
}

void db_rollback(struct fb_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* A key/value table (meta in the op-log file, state_meta in the state file): read and
 * write by key with the table's own cached statements. */
static const char *const kv_select[2] = {"SELECT value FROM meta WHERE key = ?1",
					 "SELECT value FROM state_meta WHERE key = ?1"};
static const char *const kv_insert[2] = {
	"INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	"INSERT OR REPLACE INTO state_meta(key, value) VALUES(?1, ?2)"};

/* *num (if given) gets the value as an integer, *text (if given) a malloc'd copy or NULL;
 * 0 for a missing key. */
static int kv_get(struct fb_store *s, int state, const char *key, int64_t *num, char **text,
		  struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, kv_select[state], err);
	int rc;

	if (text)
		*text = NULL;
	if (num)
		*num = 0;
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && num)
		*num = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && text && sqlite3_column_text(st, 0) &&
	    !(*text = strdup((const char *)sqlite3_column_text(st, 0)))) {
		sqlite3_reset(st);
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, state ? "reading the state file" : "reading settings", err);
	return 0;
}

static int kv_set(struct fb_store *s, int state, const char *key, const char *text, int64_t v,
		  struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, kv_insert[state], err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "writing settings", err);
	sqlite3_reset(st);
	return 0;
}

int meta_get_int(struct fb_store *s, const char *key, int64_t *out, struct fb_error *err)
{
	return kv_get(s, 0, key, out, NULL, err);
}

int meta_set_int(struct fb_store *s, const char *key, int64_t v, struct fb_error *err)
{
	return kv_set(s, 0, key, NULL, v, err);
}

int meta_set_text(struct fb_store *s, const char *key, const char *v, struct fb_error *err)
{
	return kv_set(s, 0, key, v ? v : "", 0, err);
}

static char *meta_get_text(struct fb_store *s, const char *key)
{
	char *v = NULL;

	kv_get(s, 0, key, NULL, &v, NULL);
	return v;
}

int state_meta_get(struct fb_store *s, const char *key, int64_t *num, char **text,
		   struct fb_error *err)
{
	return kv_get(s, 1, key, num, text, err);
}

int state_meta_set(struct fb_store *s, const char *key, const char *text, int64_t num,
		   struct fb_error *err)
{
	return kv_set(s, 1, key, text, num, err);
}

int random_id(char *out, struct fb_error *err)
{
	unsigned char b[FB_ID_LEN / 2];
	size_t i;

	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return fb_error_set(err, FB_EIO, NULL, _("cannot read the system's random source: %s"),
				    strerror(errno));
	for (i = 0; i < sizeof b; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int fb_data_dir(char *out, size_t cap, struct fb_error *err)
{
	const char *home = getenv("FIELDBOOK_HOME"), *xdg = getenv("XDG_DATA_HOME");
	int n;

	if (home && *home)
		n = snprintf(out, cap, "%s", home);
	else if (xdg && *xdg)
		n = snprintf(out, cap, "%s/fieldbook", xdg);
	else {
		const char *h = getenv("HOME");
		if (!h || !*h) {
			struct passwd *pw = getpwuid(getuid());
			h = pw ? pw->pw_dir : "/";
		}
		n = snprintf(out, cap, "%s/.local/share/fieldbook", h);
	}
	if (n < 0 || (size_t)n >= cap)
		return fb_error_set(err, FB_EINVAL, "FIELDBOOK_HOME",
				    _("the data directory path is too long; set FIELDBOOK_HOME "
				      "to a shorter path"));
	return 0;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(const char *path, struct fb_error *err)
{
	char buf[4096];
	size_t i, len = strlen(path);

	if (len >= sizeof buf)
		return fb_error_set(err, FB_EINVAL, "FIELDBOOK_HOME", _("path too long: %s"), path);
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];
			buf[i] = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
				return fb_error_set(err, FB_EIO, "FIELDBOOK_HOME",
						    _("cannot create the data directory %s: %s"), buf,
						    strerror(errno));
			buf[i] = c;
		}
	}
	return 0;
}

/* Checkpoints off the save path as far as possible: the op log's WAL every 4000 pages,
 * the state's (written by every save, never synced by one) every 16000 pages; closing
 * checkpoints both.  Replaces SQLite's automatic checkpoint (one limit for all files). */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
	(void)ctx;
	if (pages >= (strcmp(name, "main") ? 16000 : 4000))
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* Attaches DIR/fieldbook-state.db as "state" and creates its tables.  A state file that
 * SQLite cannot read (damaged, not a database) is removed and made again: everything in
 * it is derived from the ops, and the empty state is rebuilt by oplog_state_up_to_date. */
static int state_attach(struct fb_store *s, struct fb_error *err)
{
	char path[4300];
	sqlite3_stmt *st = NULL;
	int attempt;

	snprintf(path, sizeof path, "%s/fieldbook-state.db", s->dir);
	for (attempt = 0;; attempt++) {
		int code;
		if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS state", -1, &st, NULL) != SQLITE_OK)
			return db_error(s, "opening the state file", err);
		sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
		code = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
		sqlite3_finalize(st);
		/* The state is re-derivable: a fsync per save covers only the op log (main). */
		if (code == SQLITE_OK)
			code = sqlite3_exec(s->db, "PRAGMA state.journal_mode=WAL;"
						   "PRAGMA state.synchronous=NORMAL;"
						   "PRAGMA state.cache_size=-262144;"
						   "PRAGMA state.journal_size_limit=67108864;",
					    NULL, NULL, NULL);
		if (code == SQLITE_OK)
			code = sqlite3_exec(s->db, state_schema_sql, NULL, NULL, NULL);
		if (code == SQLITE_OK)
			return 0;
		code = sqlite3_extended_errcode(s->db) & 0xff;
		if (attempt || (code != SQLITE_CORRUPT && code != SQLITE_NOTADB))
			return db_error(s, "opening the state file", err);
		/* Damaged: start it again empty (oplog_state_up_to_date rebuilds it). */
		sqlite3_exec(s->db, "DETACH DATABASE state", NULL, NULL, NULL);
		unlink(path);
		strcat(path, "-wal");
		unlink(path);
		strcpy(path + strlen(path) - 4, "-shm");
		unlink(path);
		path[strlen(path) - 4] = '\0';
	}
}

static int open_db(struct fb_store **out, const char *dir, int create, struct fb_error *err)
{
	struct fb_store *s = NULL;
	char path[4200];
	struct stat stbuf;
	/* CREATE even when opening: ATTACH takes these flags and may have to make the
	 * state file (the op log's existence is checked with stat first). */
	int rc = 0, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_CREATE;
	mode_t old_mask;

	*out = NULL;
	snprintf(path, sizeof path, "%s/fieldbook.db", dir);
	if (!create && stat(path, &stbuf) != 0)
		return fb_error_set(err, FB_ENOINIT, "FIELDBOOK_HOME",
				    _("no fieldbook data in %s: run `fieldbook init` first "
				      "(or set FIELDBOOK_HOME)"),
				    dir);
	if (create) {
		if (stat(path, &stbuf) == 0)
			return fb_error_set(err, FB_EEXISTS, "FIELDBOOK_HOME",
					    _("fieldbook is already set up in %s; nothing changed"),
					    dir);
		if ((rc = make_dirs(dir, err)) < 0)
			return rc;
		chmod(dir, 0700);
	}
	s = calloc(1, sizeof *s);
	if (!s)
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	/* Owner-only files: the databases, their WAL and shared-memory files. */
	old_mask = umask(077);
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		umask(old_mask);
		rc = fb_error_set(err, FB_EDB, "database", _("cannot open %s: %s"), path,
				  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto cleanup;
	}
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_busy_timeout(s->db, 5000);
	if ((rc = db_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			     "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536;"
			     "PRAGMA journal_size_limit=16777216;",
			  err)) < 0 ||
	    (rc = db_exec(s, main_schema_sql, err)) < 0 || (rc = db_exec(s, temp_schema_sql, err)) < 0 ||
	    (rc = state_attach(s, err)) < 0) {
		umask(old_mask);
		goto cleanup;
	}
	umask(old_mask);
	sqlite3_wal_hook(s->db, wal_hook, s);
	*out = s;
	return 0;
cleanup:
	fb_store_free(s);
	return rc;
}

static int table_has_column(struct fb_store *s, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info(?1, 'main') WHERE name = ?2", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Brings a database of an older schema up to SCHEMA_VERSION.  Before 3 everything lived
 * in fieldbook.db: the op table is rewritten with its arrival number (in the canonical
 * order) and without the materialised visible flag, and the derived tables are dropped
 * there; oplog_state_up_to_date then rebuilds them in the state file from the ops.  Ops,
 * seal marks, meta and alarms are kept as they are. */
static int migrate(struct fb_store *s, int64_t from, struct fb_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if (from < 3 && !table_has_column(s, "op", "n")) {
		if ((rc = db_exec(s, "DROP INDEX IF EXISTS main.op_key; DROP INDEX IF EXISTS main.op_unsealed;"
				     "CREATE TABLE main.op_v3("
				     " id TEXT NOT NULL UNIQUE, device TEXT NOT NULL, seq INTEGER NOT NULL,"
				     " idx INTEGER NOT NULL, hlc INTEGER NOT NULL, author TEXT NOT NULL,"
				     " kind TEXT NOT NULL, rec TEXT NOT NULL, field TEXT NOT NULL,"
				     " value TEXT NOT NULL, pred TEXT NOT NULL,"
				     " sealed INTEGER NOT NULL DEFAULT 0, n INTEGER PRIMARY KEY);"
				     "INSERT INTO main.op_v3(id, device, seq, idx, hlc, author, kind, rec, field,"
				     " value, pred, sealed) SELECT id, device, seq, idx, hlc, author, kind, rec,"
				     " field, value, pred, sealed FROM main.op ORDER BY hlc, device, seq, idx;"
				     "DROP TABLE main.op; ALTER TABLE main.op_v3 RENAME TO op;",
				  err)) < 0 ||
		    (rc = db_exec(s, main_schema_sql, err)) < 0)
			goto fail;
	}
	if (from < 3 &&
	    (rc = db_exec(s, "DROP TABLE IF EXISTS main.search_fts; DROP TABLE IF EXISTS main.search_doc;"
			     "DROP TABLE IF EXISTS main.ident; DROP TABLE IF EXISTS main.kind_count;"
			     "DROP TABLE IF EXISTS main.field; DROP TABLE IF EXISTS main.record;"
			     "DROP TABLE IF EXISTS main.superseded;",
			  err)) < 0)
		goto fail;
	if (from < 2) {
		st = stmt(s, "INSERT OR REPLACE INTO meta(key, value) SELECT 'unsealed', count(*) FROM op"
			     " WHERE sealed = 0 AND device = ?1",
			  err);
		if (!st) {
			rc = FB_EDB;
			goto fail;
		}
		sqlite3_bind_text(st, 1, s->device, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_error(s, "upgrading the database", err);
			goto fail;
		}
		sqlite3_reset(st);
	}
	if ((rc = meta_set_int(s, "schema_version", SCHEMA_VERSION, err)) < 0)
		goto fail;
	return db_commit(s, err);
fail:
	db_rollback(s);
	return rc;
}

static int load_identity(struct fb_store *s, struct fb_error *err)
{
	char *dev = meta_get_text(s, "device");
	int64_t version = 0;
	int rc;

	if ((rc = meta_get_int(s, "schema_version", &version, err)) < 0) {
		free(dev);
		return rc;
	}
	if (!dev || strlen(dev) != FB_ID_LEN) {
		free(dev);
		return fb_error_set(err, FB_ECORRUPT, "database",
				    _("the database in %s has no device id: it was not made by "
				      "`fieldbook init`; move it away and run init again"),
				    s->dir);
	}
	if (version > SCHEMA_VERSION) {
		free(dev);
		return fb_error_set(err, FB_EINVAL, "database",
				    _("this database was written by a newer fieldbook (schema %lld); "
				      "install the newer version"),
				    (long long)version);
	}
	memcpy(s->device, dev, FB_ID_LEN + 1);
	free(dev);
	if (version < SCHEMA_VERSION && (rc = migrate(s, version, err)) < 0)
		return rc;
	if ((rc = oplog_state_up_to_date(s, err)) < 0)
		return rc;
	s->operator_name = meta_get_text(s, "operator");
	s->team = meta_get_text(s, "team");
	s->label = meta_get_text(s, "label");
	if (!s->operator_name)
		s->operator_name = strdup("");
	if (!s->team)
		s->team = strdup("");
	if (!s->label)
		s->label = strdup("");
	return 0;
}

int fb_store_init(struct fb_store **out, const char *dir, const struct fb_init_options *opts,
		  struct fb_error *err)
{
	struct fb_store *s = NULL;
	char dev[FB_ID_LEN + 1];
	const char *op = opts && opts->operator_name ? opts->operator_name : NULL;
	int rc;

	*out = NULL;
	if (!op) {
		struct passwd *pw = getpwuid(getuid());
		op = pw ? pw->pw_name : "unknown";
	}
	if ((rc = random_id(dev, err)) < 0 || (rc = open_db(&s, dir, 1, err)) < 0)
		return rc;
	if ((rc = db_begin(s, err)) < 0)
		goto cleanup;
	if ((rc = meta_set_text(s, "device", dev, err)) < 0 ||
	    (rc = meta_set_int(s, "schema_version", SCHEMA_VERSION, err)) < 0 ||
	    (rc = meta_set_int(s, "seq", 0, err)) < 0 || (rc = meta_set_int(s, "hlc", 0, err)) < 0 ||
	    (rc = meta_set_text(s, "operator", op, err)) < 0 ||
	    (rc = meta_set_text(s, "team", opts && opts->team ? opts->team : "", err)) < 0 ||
	    (rc = meta_set_text(s, "label",
				opts && opts->device_label ? opts->device_label : "device", err)) <
		    0) {
		db_rollback(s);
		goto cleanup;
	}
	if ((rc = db_commit(s, err)) < 0 || (rc = load_identity(s, err)) < 0)
		goto cleanup;
	*out = s;
	return 0;
cleanup:
	fb_store_free(s);
	return rc;
}

int fb_store_open(struct fb_store **out, const char *dir, struct fb_error *err)
{
	struct fb_store *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = open_db(&s, dir, 0, err)) < 0)
		return rc;
	if ((rc = load_identity(s, err)) < 0) {
		fb_store_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void fb_store_free(struct fb_store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < STMT_CACHE; i++)
		if (s->cache[i].st)
			sqlite3_finalize(s->cache[i].st);
	if (s->db) {
		/* Checkpoint on close, off the keystroke path. */
		sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		sqlite3_close(s->db);
	}
	for (i = 0; i < 16; i++)
		free(s->adhoc[i]);
	free(s->operator_name);
	free(s->team);
	free(s->label);
	free(s);
}

const char *fb_store_device(const struct fb_store *s) { return s->device; }
const char *fb_store_operator(const struct fb_store *s) { return s->operator_name; }
const char *fb_store_team(const struct fb_store *s) { return s->team; }
const char *fb_store_label(const struct fb_store *s) { return s->label; }

int fb_store_set_operator(struct fb_store *s, const char *name, struct fb_error *err)
{
	char *copy = strdup(name ? name : "");

	if (!copy)
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	free(s->operator_name);
	s->operator_name = copy;
	return 0;
}

const char *fb_core_versions(void)
{
	static char buf[96];

	snprintf(buf, sizeof buf, "SQLite %s, zlib %s", sqlite3_libversion(), zlibVersion());
	return buf;
}
