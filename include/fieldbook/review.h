/* review.h - the coordinator's review queues: conflicts, possible duplicate people and
 * merging, alarms, devices (core layer).
 *
 * Everything here reads the materialised state and writes ordinary ops, so what a review
 * decides syncs to every device like any edit:
 * - resolving a conflict writes one op whose pred names every visible op of the field;
 * - a delete/edit conflict is resolved by deleting again (pred: every visible op of the
 *   record) or by restoring (the values the delete covered are written again, and
 *   `_exists := 1` over the delete);
 * - merging a duplicate person writes the duplicate's values on the survivor with an empty
 *   pred (concurrent to the survivor's own, so differing values show as conflicts to
 *   resolve) and `merged_into := SURVIVOR` on the duplicate, all in one save; unmerging
 *   supersedes the values that save added (where still visible) and clears merged_into.
 *   No op is ever deleted. */
#ifndef FIELDBOOK_REVIEW_H
#define FIELDBOOK_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/store.h"

/* ---- conflicts ---- */

struct fb_conflict_value {
	const char *op;     /* op id */
	const char *field;  /* the field this op sets (differs from the conflict's for delete/edit) */
	const char *value;  /* stored form; "0" for a delete */
	const char *author;
	const char *device;
	int64_t hlc;
};

struct fb_conflict {
	const char *rec, *kind, *title;
	/* the conflicted field, or "_exists" for a delete/edit conflict */
	const char *field;
	/* visible ops, winner (displayed value) first; delete/edit: the delete(s) first, then
	 * the edits made concurrently with it */
	size_t nvalues;
	const struct fb_conflict_value *values;
	/* the common earlier value: an op that every visible op's pred names, or NULL */
	const struct fb_conflict_value *base;
};

/* Every open conflict (rec NULL), or those of one record (id or prefix), by record id; a
 * record's delete/edit conflict comes before its fields (keeping it deleted ends them,
 * and a typed value needs the record back), then the fields by name.  cb returns non-zero
 * to stop. */
int fb_review_conflicts(struct fb_store *store, const char *rec,
			int (*cb)(const struct fb_conflict *c, void *ctx), void *ctx, struct fb_error *err);
/* Keeps the value of visible op op_id for (rec, field): one op, pred = every visible op.
 * FB_ENOTFOUND if op_id is not (or no longer) visible there. */
int fb_review_pick(struct fb_store *store, const char *rec, const char *field, const char *op_id,
		   struct fb_error *err);
/* A delete/edit conflict: keep the record deleted (a delete over the edits too) ... */
int fb_review_keep_deleted(struct fb_store *store, const char *rec, struct fb_error *err);
/* ... or restore it with the values the delete covered (edits made since are kept). */
int fb_review_restore(struct fb_store *store, const char *rec, struct fb_error *err);

/* ---- possible duplicate people ---- */

struct fb_dup_group {
	const char *reason; /* "id" (same ID number key) or "name_mobile" (same name and mobile) */
	const char *key;    /* the ident key shared ("id:...", "idh:...", "mob:...") */
	size_t n;
	const char *const *recs; /* live person ids, oldest first */
};

/* Groups of live people with the same ID number ident key (whatever it holds: `id:` and
 * the normalised number, or `idh:` and the keyed tag of a sealed number), then groups with
 * the same name and `mob:` key not already reported.  cb returns non-zero to stop. */
int fb_review_duplicates(struct fb_store *store, int (*cb)(const struct fb_dup_group *g, void *ctx),
			 void *ctx, struct fb_error *err);

/* Merges duplicate into survivor (both live people, ids or prefixes).  *added (may be NULL)
 * gets the number of values written on the survivor, *conflicts the fields of the survivor
 * that now have more than one value. */
int fb_merge(struct fb_store *store, const char *survivor, const char *duplicate, size_t *added,
	     size_t *conflicts, struct fb_error *err);
/* Undoes the merge of duplicate: it is live again, and each value the merge added to the
 * survivor that is still visible there is superseded (by the survivor's other value, or
 * cleared).  FB_EINVAL if duplicate is not merged. */
int fb_unmerge(struct fb_store *store, const char *duplicate, struct fb_error *err);
/* The record a reference to id stands for: id itself, or where its merged_into chain ends
 * (at most 16 steps).  out: FB_ID_LEN + 1. */
int fb_record_follow(struct fb_store *store, char *out, const char *id, struct fb_error *err);

/* ---- alarms ---- */

struct fb_alarm {
	int64_t id;
	int64_t at_ms;
	const char *what;   /* "quarantine", "cloned-device", "clock", ... */
	const char *detail; /* what happened, in plain words */
	const char *advice; /* what to do */
	int acked;          /* acknowledged by a review */
};

/* Alarms, newest first; acknowledged ones only with all.  cb returns non-zero to stop. */
int fb_alarm_list(struct fb_store *store, int all, int (*cb)(const struct fb_alarm *a, void *ctx),
		  void *ctx, struct fb_error *err);
/* Acknowledges one alarm (id > 0) or every open one (id 0); *n (may be NULL) gets how many. */
int fb_alarm_ack(struct fb_store *store, int64_t id, size_t *n, struct fb_error *err);
/* Open (unacknowledged) alarms, those mentioning device if it is not NULL. */
int fb_alarm_count(struct fb_store *store, const char *device, int64_t *out, struct fb_error *err);

/* ---- devices ---- */

struct fb_device_stat {
	const char *device;
	const char *authors;   /* operators who created its records, comma-joined */
	int64_t records;       /* records it created that exist */
	int64_t since_review;  /* records it added (or restored) that arrived after the review mark */
	int64_t last_hlc;      /* newest change to a record it created */
	int64_t alarms;        /* open alarms that name it */
};

/* One line per device that created records, by device id (one pass over the records;
 * the arrivals since the mark are a range of the op log's arrival numbers). */
int fb_review_devices(struct fb_store *store, int (*cb)(const struct fb_device_stat *d, void *ctx),
		      void *ctx, struct fb_error *err);
/* The review mark: when it was set (an HLC; 0 = never reviewed), and setting it: what
 * arrives afterwards counts as new, whatever its own clock says. */
int fb_review_mark_get(struct fb_store *store, int64_t *out, struct fb_error *err);
int fb_review_mark_set(struct fb_store *store, struct fb_error *err);

#endif
