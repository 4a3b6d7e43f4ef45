/* store_int.h - what the core store's files share and nothing outside core sees.
 *
 * One struct fb_store per open database.  Statements are prepared once per store and
 * cached by their SQL text's address (stmt()); every SQL string is a literal, so user
 * text only ever reaches SQLite through bound parameters. */
#ifndef FIELDBOOK_STORE_INT_H
#define FIELDBOOK_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "fieldbook/store.h"

#define STMT_CACHE 96

struct fb_store {
	sqlite3 *db;
	char dir[4096];
	char device[FB_ID_LEN + 1];
	char *operator_name;
	char *team;
	char *label;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	char *adhoc[16]; /* SQL of the last ad-hoc statements, for fb_store_query_plans */
	unsigned nadhoc;
	/* changes of kind_count not yet written (count_add; count_flush writes them) */
	struct {
		char kind[32];
		int64_t delta;
	} kd[16];
	unsigned nkd;
};

/* Remember the SQL of an ad-hoc (not cached) statement for fb_store_query_plans. */
void plan_note(struct fb_store *s, sqlite3_stmt *st);

/* A cached, reset statement for sql (a string literal), or NULL with err set. */
sqlite3_stmt *stmt(struct fb_store *s, const char *sql, struct fb_error *err);
/* Translate the last SQLite error of s into err (FB_EDB), naming what was being done. */
/* doing is an English phrase ("reading the op log"), translated here (xgettext keyword
 * db_error:2). */
int db_error(struct fb_store *s, const char *doing, struct fb_error *err);
/* Run SQL with no parameters and no rows (schema, BEGIN/COMMIT). */
int db_exec(struct fb_store *s, const char *sql, struct fb_error *err);
int db_begin(struct fb_store *s, struct fb_error *err); /* BEGIN IMMEDIATE */
int db_commit(struct fb_store *s, struct fb_error *err);
void db_rollback(struct fb_store *s);

/* Meta table (key/value). */
int meta_get_int(struct fb_store *s, const char *key, int64_t *out, struct fb_error *err);
int meta_set_int(struct fb_store *s, const char *key, int64_t v, struct fb_error *err);
int meta_set_text(struct fb_store *s, const char *key, const char *v, struct fb_error *err);
/* The state file's state_meta table (watermark "applied", "device", "version"): *num and
 * *text (malloc'd, may be NULL) as for meta; missing keys read as 0 / NULL. */
int state_meta_get(struct fb_store *s, const char *key, int64_t *num, char **text,
		   struct fb_error *err);
int state_meta_set(struct fb_store *s, const char *key, const char *text, int64_t num,
		   struct fb_error *err);

/* 16 lowercase hex characters from the system's random source. */
int random_id(char *out, struct fb_error *err);

/* ---- oplog.c ---- */

/* The state file (attached as "state") holds what is derived from the ops and the op
 * rowid (op.n) it has materialised up to (state_meta "applied").  Brings it up to date
 * with the op log: materialises the ops it lacks (after a crash lost its unsynced tail),
 * or rebuilds it from the ops when it is ahead of them, belongs to another device's
 * store, or has another layout.  Opens its own transaction when one is needed. */
int oplog_state_up_to_date(struct fb_store *s, struct fb_error *err);
/* The layout of the state file; a state file of another layout is rebuilt from the ops. */
#define STATE_VERSION 2 /* 2: audit_vis */

/* Insert ops (already validated) and update the materialised state for the keys and
 * records they touch.  Must run inside a transaction.  Duplicates are skipped;
 * *applied counts new ops. */
int oplog_apply(struct fb_store *s, const struct fb_op *ops, size_t n, size_t *applied,
		struct fb_error *err);
/* SQL condition "the op row op is visible", for the op table: an op of an audit entry
 * is visible exactly when it belongs to the save that created the entry (audit_vis, see
 * oplog.c audit_refresh); any other op when no pred names it. */
#define OP_VISIBLE                                                                              \
	"COALESCE((SELECT audit_vis.visible FROM audit_vis WHERE audit_vis.id = op.id),"       \
	" NOT EXISTS (SELECT 1 FROM superseded WHERE superseded.id = op.id))"
/* SQL condition "the op row op counts for its record" (times, authors, kind): every op
 * except one an audit entry ignores because another save wrote it. */
#define OP_COUNTED "NOT EXISTS (SELECT 1 FROM audit_vis WHERE audit_vis.id = op.id AND audit_vis.visible = 0)"
/* Visible op ids of one key (rec, field), space-separated and sorted, malloc'd into *out. */
int oplog_visible_ids(struct fb_store *s, const char *rec, const char *field, char **out,
		      struct fb_error *err);
/* Visible op ids of every key of a record (for a delete's pred). */
int oplog_visible_ids_record(struct fb_store *s, const char *rec, char **out, struct fb_error *err);
/* Re-derive every materialised table from the ops, inside the caller's transaction. */
int oplog_rebuild_in_tx(struct fb_store *s, struct fb_error *err);
/* Next local save: allocates seq and the HLC for its ops.  Inside a transaction. */
int oplog_next_save(struct fb_store *s, int64_t *seq, int64_t *hlc, struct fb_error *err);

/* ---- record.c, inside the caller's transaction (import) ---- */
/* fb_record_add without BEGIN/COMMIT, the kind already looked up; dry_run validates
 * every rule and writes nothing (out_id untouched). */
int record_add_tx(struct fb_store *s, char *out_id, const struct fb_kind *k, const struct fb_kv *kvs,
		  size_t n, const struct fb_override *ovr, size_t novr, int dry_run, struct fb_error *err);
/* fb_record_edit without BEGIN/COMMIT. */
int record_edit_tx(struct fb_store *s, const char *id, const struct fb_kv *kvs, size_t n,
		   const struct fb_override *ovr, size_t novr, struct fb_error *err);

/* ---- index.c: search and identity keys of one record ---- */
/* Re-indexes rec (of kind, live or not, with title) from its field values, names[] sorted
 * by name.  was_indexed: the record was live before this change (only live records have
 * index entries to remove). */
int index_record_fields(struct fb_store *s, const char *rec, const char *kind, int live,
			const char *title, const char *const *names, const char *const *values, size_t nf,
			int was_indexed, struct fb_error *err);
/* Search tokens of a text (CJK unigrams and bigrams in two streams, words lower-cased). */
void index_tokens(const char *text, char **uni, char **bi);
/* 1 for Han, kana, Hangul and CJK extension characters (indexed by character). */
int index_is_cjk(uint32_t c);
/* The character as part of a word (ASCII lower-cased, full-width folded), 0 if a separator. */
uint32_t index_word_char(uint32_t c);

#endif
