/* review_int.h - what the review files of core share (review_ops.c): writing one save of
 * ops with chosen preds, and reading the visible ops of a key in full (core layer). */
#ifndef FIELDBOOK_REVIEW_INT_H
#define FIELDBOOK_REVIEW_INT_H

#include "fieldbook/review.h"
#include "store_int.h"

#ifndef OP_VISIBLE /* the op log's visibility test (store_int.h of a newer op log defines it) */
#define OP_VISIBLE "visible = 1"
#endif

/* One save being written: ops get ids "<device>:<seq>.<idx>" and one HLC. */
struct opw {
	struct fb_store *s;
	int64_t seq, hlc;
	struct fb_op *ops;
	char **strs; /* every string the ops point to, owned */
	size_t n, cap, nstr, capstr;
};

/* Inside a transaction: allocates the save's seq and HLC. */
int opw_start(struct opw *w, struct fb_store *s, struct fb_error *err);
/* Adds one op (the strings are copied); pred "" or space-separated sorted op ids. */
int opw_add(struct opw *w, const char *kind, const char *rec, const char *field, const char *value,
	    const char *pred, struct fb_error *err);
/* Applies the ops added (nothing when none). */
int opw_apply(struct opw *w, struct fb_error *err);
void opw_free(struct opw *w);
/* Ends the transaction of a save: with rc 0 applies the ops and commits, else (or when that
 * fails) rolls back; frees w.  Returns the outcome. */
int opw_end(struct fb_store *s, struct opw *w, int rc, struct fb_error *err);
/* Copies the next space-separated word of *p (an op id of a pred) into out and advances *p;
 * 0 at the end.  Overlong words are skipped. */
int next_word(const char **p, char *out, size_t cap);

/* A growing list of strings (record ids, field names, keys). */
struct strs {
	char **v;
	size_t n, cap;
};
int strs_add(struct strs *l, const char *s, struct fb_error *err);
void strs_free(struct strs *l);
/* Steps st (prepared and bound) and adds column 0 of every row to out; resets st. */
int strs_collect(struct fb_store *s, sqlite3_stmt *st, struct strs *out, struct fb_error *err);

/* The visible ops of one key (field NULL: of every key of the record), winner first. */
struct vis {
	size_t n;
	struct fb_conflict_value *v;
	char **pred; /* pred of each op */
};
int vis_load(struct fb_store *s, struct vis *out, const char *rec, const char *field,
	     struct fb_error *err);
/* Every op of one key (visible or not), newest first: its history. */
int vis_load_history(struct fb_store *s, struct vis *out, const char *rec, const char *field,
		     struct fb_error *err);
void vis_free(struct vis *v);
/* Space-separated sorted ids of the ops of v (those whose field is field, if not NULL). */
char *vis_ids(const struct vis *v, const char *field);

#endif
