/* store.h - the fieldbook data store: op log, materialised records, queries (core layer).
 *
 * The source of truth is an append-only set of ops in SQLite.  An op sets one field of
 * one record: (op id, hlc, author, kind, record id, field, value, pred), with op id
 * "<device>:<seq>.<idx>" and pred the op ids it overwrites.  For a (record, field) key
 * the visible ops are those no op names in its pred; one distinct visible value is
 * clean, more is a conflict (the displayed value is the greatest by (hlc, device, seq,
 * idx)).  Records, field values, conflict counts, the search index and identity keys
 * are materialised from the ops incrementally in any arrival order; fb_store_rebuild
 * derives them again from the ops alone and must give the identical state.
 *
 * System fields: "_exists" ("1" create, "0" delete) and "merged_into" (a person merged
 * into another).  Every other field is defined by schema.h.
 *
 * Durability: every write is one BEGIN IMMEDIATE transaction in WAL mode; the ops are in
 * DIR/fieldbook.db (synchronous=FULL), so when a write function returns 0 the change
 * survives kill -9 and power loss.  Everything derived from the ops (tables record,
 * field, ident, kind_count, search_doc, search_fts, superseded) is in
 * DIR/fieldbook-state.db, attached as "state" and not synced per save: opening brings it
 * up to date from the ops (or rebuilds it) when a crash left it behind. */
#ifndef FIELDBOOK_STORE_H
#define FIELDBOOK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"
#include "fieldbook/schema.h"

#define FB_ID_LEN 16       /* record and device ids: 16 lowercase hex characters */
#define FB_OPID_MAX 64

struct fb_store;

struct fb_init_options {
	const char *device_label; /* e.g. "gate-1"; NULL = "device" */
	const char *team;         /* NULL = "" */
	const char *operator_name;/* NULL = the login name */
};

/* The data directory: $FIELDBOOK_HOME, else $XDG_DATA_HOME/fieldbook, else
 * ~/.local/share/fieldbook.  Returns FB_EINVAL if it does not fit in cap. */
int fb_data_dir(char *out, size_t cap, struct fb_error *err);

/* Create the data directory (0700) and database (0600) with a new random device id.
 * FB_EEXISTS if a database is already there. */
int fb_store_init(struct fb_store **out, const char *dir, const struct fb_init_options *opts,
		  struct fb_error *err);
/* Open an existing store.  FB_ENOINIT (message says to run `fieldbook init`) if none. */
int fb_store_open(struct fb_store **out, const char *dir, struct fb_error *err);
void fb_store_free(struct fb_store *store);

const char *fb_store_device(const struct fb_store *store);
const char *fb_store_operator(const struct fb_store *store);
const char *fb_store_team(const struct fb_store *store);
const char *fb_store_label(const struct fb_store *store);
/* Override the operator for this session (config file, later the unlock screen). */
int fb_store_set_operator(struct fb_store *store, const char *name, struct fb_error *err);

/* ---- ops ---- */

struct fb_op {
	const char *id;     /* "<device>:<seq>.<idx>" */
	int64_t hlc;        /* hybrid logical clock: ms since epoch << 16 | counter */
	const char *author; /* operator name */
	const char *kind;
	const char *rec;
	const char *field;
	const char *value;
	const char *pred;   /* space-separated op ids, sorted, or "" */
};

/* Apply ops that came from elsewhere (another device, a test), in one transaction.
 * Already-known ops are skipped; an op id that is known with different content is
 * FB_ECORRUPT and nothing is applied.  *applied (may be NULL) gets the count of new ops. */
int fb_store_apply_ops(struct fb_store *store, const struct fb_op *ops, size_t n, size_t *applied,
		       struct fb_error *err);
/* Calls cb for every op in the canonical total order (hlc, device, seq, idx).  cb returns
 * non-zero to stop (that value is returned). */
int fb_store_each_op(struct fb_store *store, int (*cb)(const struct fb_op *op, void *ctx), void *ctx,
		     struct fb_error *err);
/* Re-derive every materialised table from the ops. */
int fb_store_rebuild(struct fb_store *store, struct fb_error *err);
/* PRAGMA integrity_check plus the op-log invariants (every materialised row matches the
 * ops).  FB_ECORRUPT with a message naming the first problem. */
int fb_store_check(struct fb_store *store, struct fb_error *err);
/* Hex SHA-256 of the canonical dump (fb_store_dump). out: 65 bytes. */
int fb_store_state_digest(struct fb_store *store, char *out, struct fb_error *err);
/* The canonical dump: every record (deleted ones too) by id, every field by name, all
 * visible values of a conflicted field, raw stored codes, one line each, written with
 * write_cb.  Same set of ops -> same bytes. */
int fb_store_dump(struct fb_store *store, int (*write_cb)(const char *line, void *ctx), void *ctx,
		  struct fb_error *err);
/* ---- sealing (used by the sync layer) ---- */

/* This device's ops not yet sealed into a change file, in (seq, idx) order, at most max
 * (0 = all).  cb returns non-zero to stop. */
int fb_store_unsealed_ops(struct fb_store *store, size_t max,
			  int (*cb)(const struct fb_op *op, void *ctx), void *ctx, struct fb_error *err);
/* Marks ops (by id) as sealed into change file number seal.  Idempotent. */
int fb_store_mark_sealed(struct fb_store *store, const struct fb_op *ops, size_t n, int64_t seal,
			 struct fb_error *err);
/* Small integer and text values the sync layer keeps with the data (last seal number, per
 * remote state).  Keys are ASCII; unknown keys read as 0 / NULL. */
int fb_store_state_get_int(struct fb_store *store, const char *key, int64_t *out, struct fb_error *err);
int fb_store_state_set_int(struct fb_store *store, const char *key, int64_t value, struct fb_error *err);
/* The data directory of the store (the bare repository lives in DIR/repo.git). */
const char *fb_store_dir(const struct fb_store *store);
/* Records an alarm (quarantined branch, invalid op, cloned device id, clock anomaly):
 * what is a short code, detail the plain-words explanation with what to do. */
int fb_store_alarm(struct fb_store *store, const char *what, const char *detail, struct fb_error *err);

/* Count of ops not yet sealed into a change file (the "unsynced changes" figure). */
int fb_store_unsealed_count(struct fb_store *store, int64_t *out, struct fb_error *err);

/* ---- records ---- */

struct fb_kv {
	const char *field; /* code or label */
	const char *value; /* as typed; "" clears the field (edit only) */
};

/* An override of a warning (an employer credit code that fails its checksum): the field
 * and the reason, which is saved as a note on the record. */
struct fb_override {
	const char *field;
	const char *reason;
};

/* Validate and save a new record.  Each value is checked and normalised by its field
 * type; required fields and defaults applied; a resident ID fills gender and birth_date.
 * On any error nothing is written and err names the field and the fix; FB_EWARN means an
 * overridable warning (pass an override for err->field).  out_id gets the new id. */
int fb_record_add(struct fb_store *store, char *out_id, const char *kind, const struct fb_kv *kvs,
		  size_t n, const struct fb_override *ovr, size_t novr, struct fb_error *err);
/* Change fields of an existing record (id or a unique prefix of at least 4 characters).
 * Setting a conflicted field resolves the conflict.  Unchanged values write nothing. */
int fb_record_edit(struct fb_store *store, const char *id, const struct fb_kv *kvs, size_t n,
		   const struct fb_override *ovr, size_t novr, struct fb_error *err);
/* Delete (a tombstone that covers every visible op of the record). */
int fb_record_delete(struct fb_store *store, const char *id, struct fb_error *err);
/* Resolve an id or unique prefix (>= 4 characters) to the full id; out: FB_ID_LEN+1. */
int fb_record_resolve(struct fb_store *store, char *out, const char *id_or_prefix,
		      struct fb_error *err);

struct fb_value {
	char *value;  /* stored form */
	char *op;     /* op id that wrote it */
	int64_t hlc;
	char *author;
};

struct fb_field_state {
	char *name;
	const struct fb_field *def; /* NULL for system or unknown fields */
	size_t nvalues;             /* visible distinct values: 1 clean, >1 conflict */
	struct fb_value *values;    /* values[0] is the displayed (winning) one */
};

struct fb_record {
	char id[FB_ID_LEN + 1];
	char kind_name[32];
	const struct fb_kind *kind; /* NULL for a kind this version does not know */
	int exists;                 /* 0 after delete */
	int delete_conflict;        /* deleted, but an edit concurrent with the delete is visible */
	int conflicts;              /* conflicted fields (+1 for a delete/edit conflict) */
	char *title;
	char *status;
	char *merged_into;
	int64_t created_hlc, updated_hlc;
	char *created_by, *updated_by, *created_device;
	size_t nfields;
	struct fb_field_state *fields; /* sorted by schema order, unknown fields last */
};

int fb_record_get(struct fb_record **out, struct fb_store *store, const char *id_or_prefix,
		  struct fb_error *err);
void fb_record_free(struct fb_record *rec);
/* The displayed value of a field, or NULL when it has none. */
const char *fb_record_value(const struct fb_record *rec, const char *field);

/* One row of a list or search result: id, kind, title and the list columns' values. */
struct fb_row {
	const char *id;
	const char *kind;
	const char *title;
	int conflicts;
	int64_t updated_hlc;
	const char *match; /* search only: "name", "id_number", "mobile", "text" */
	/* values of the kind's FB_F_LIST fields in schema order, stored form (NULL = empty) */
	size_t ncols;
	const char *const *cols;
};

struct fb_list_query {
	const char *kind;             /* required */
	const struct fb_kv *filters;  /* exact matches on stored values (after normalising) */
	size_t nfilters;
	const char *after;            /* keyset cursor: list rows after this record id */
	size_t limit;                 /* 0 = 50 */
	int include_deleted;
	/* Optional date range on a date field (YYYY-MM-DD, both ends included): the rows come
	 * from the field's index, so a narrow range stays fast on any number of records. */
	const char *date_field;
	const char *date_from, *date_to;
};

/* Newest first (updated time, then id), keyset paging; no full scans.  cb returns non-zero
 * to stop.  Filters are validated like edits (field names and values). */
int fb_list(struct fb_store *store, const struct fb_list_query *q,
	    int (*cb)(const struct fb_row *row, void *ctx), void *ctx, struct fb_error *err);

/* Search: an ID number (normalised, exact), a mobile (full, or the last 4 digits), a
 * name or free text (any length, two-character Chinese names included).  Ranked: exact
 * identity and title matches first, then title prefix, then other text; newest first
 * within a rank.  offset/limit page through the ranked results (limit 0 = 20). */
int fb_search(struct fb_store *store, const char *text, const char *kind, size_t offset, size_t limit,
	      int (*cb)(const struct fb_row *row, void *ctx), void *ctx, struct fb_error *err);

/* Every op of a record in total order (its history), field by field. */
int fb_record_history(struct fb_store *store, const char *id,
		      int (*cb)(const struct fb_op *op, int visible, void *ctx), void *ctx,
		      struct fb_error *err);

/* Records that refer to id through a REF/REFS field (a person's consultations, ...),
 * newest first, at most limit (0 = 100). */
int fb_linked(struct fb_store *store, const char *id, size_t limit,
	      int (*cb)(const struct fb_row *row, const char *via_field, void *ctx), void *ctx,
	      struct fb_error *err);

/* Counts of live records per kind (home screen), and of records with conflicts. */
int fb_count(struct fb_store *store, const char *kind, int64_t *out, struct fb_error *err);
int fb_conflict_count(struct fb_store *store, int64_t *out, struct fb_error *err);

/* Diagnostics: the query plan of every statement this store has prepared so far (cached
 * and the last ad-hoc ones), one cb call per plan line.  Tests use it to prove that no
 * query path scans a whole table. */
int fb_store_query_plans(struct fb_store *store,
			 int (*cb)(const char *sql, const char *detail, void *ctx), void *ctx,
			 struct fb_error *err);

/* Library versions for --version: "SQLite 3.40.1, zlib 1.2.13". */
const char *fb_core_versions(void);

#endif
