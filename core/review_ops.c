/* review_ops.c - writing one save of ops with chosen preds, and reading the visible ops of
 * a key in full, for conflicts, resolution and merging (core layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "review_int.h"

static char *keep(struct opw *w, const char *s, struct fb_error *err)
{
	char *c;

	if (w->nstr == w->capstr) {
		size_t cap = w->capstr ? w->capstr * 2 : 32;
		char **n2 = realloc(w->strs, cap * sizeof *n2);
		if (!n2)
			goto nomem;
		w->strs = n2;
		w->capstr = cap;
	}
	if (!(c = strdup(s ? s : "")))
		goto nomem;
	w->strs[w->nstr++] = c;
	return c;
nomem:
	fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	return NULL;
}

int opw_start(struct opw *w, struct fb_store *s, struct fb_error *err)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	return oplog_next_save(s, &w->seq, &w->hlc, err);
}

int opw_add(struct opw *w, const char *kind, const char *rec, const char *field, const char *value,
	    const char *pred, struct fb_error *err)
{
	char id[FB_OPID_MAX];
	struct fb_op *op;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct fb_op *n2 = realloc(w->ops, cap * sizeof *n2);
		if (!n2)
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		w->ops = n2;
		w->cap = cap;
	}
	snprintf(id, sizeof id, "%s:%lld.%zu", w->s->device, (long long)w->seq, w->n);
	op = &w->ops[w->n];
	memset(op, 0, sizeof *op);
	op->hlc = w->hlc;
	if (!(op->id = keep(w, id, err)) || !(op->author = keep(w, w->s->operator_name, err)) ||
	    !(op->kind = keep(w, kind, err)) || !(op->rec = keep(w, rec, err)) ||
	    !(op->field = keep(w, field, err)) || !(op->value = keep(w, value, err)) ||
	    !(op->pred = keep(w, pred, err)))
		return FB_ENOMEM;
	w->n++;
	return 0;
}

int opw_apply(struct opw *w, struct fb_error *err)
{
	return w->n ? oplog_apply(w->s, w->ops, w->n, NULL, err) : 0;
}

void opw_free(struct opw *w)
{
	size_t i;

	for (i = 0; i < w->nstr; i++)
		free(w->strs[i]);
	free(w->strs);
	free(w->ops);
	memset(w, 0, sizeof *w);
}

int opw_end(struct fb_store *s, struct opw *w, int rc, struct fb_error *err)
{
	if (rc == 0 && (rc = opw_apply(w, err)) == 0)
		rc = db_commit(s, err);
	if (rc < 0)
		db_rollback(s);
	opw_free(w);
	return rc;
}

int next_word(const char **p, char *out, size_t cap)
{
	while (**p) {
		size_t len = strcspn(*p, " ");
		if (len == 0 || len >= cap) {
			*p += len ? len : 1;
			continue;
		}
		memcpy(out, *p, len);
		out[len] = '\0';
		*p += len;
		return 1;
	}
	return 0;
}

void vis_free(struct vis *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free((char *)v->v[i].op);
		free((char *)v->v[i].field);
		free((char *)v->v[i].value);
		free((char *)v->v[i].author);
		free((char *)v->v[i].device);
		free(v->pred[i]);
	}
	free(v->v);
	free(v->pred);
	memset(v, 0, sizeof *v);
}

static char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return strdup(t ? (const char *)t : "");
}

static int load_ops(struct fb_store *s, struct vis *out, const char *rec, const char *field, int all,
		    struct fb_error *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int r, rc = 0;

	memset(out, 0, sizeof *out);
	if (all) {
		st = stmt(s, "SELECT id, field, value, author, device, pred, hlc FROM op"
			     " WHERE rec = ?1 AND field = ?2"
			     " ORDER BY hlc DESC, device DESC, seq DESC, idx DESC",
			  err);
	} else if (field) {
		st = stmt(s, "SELECT id, field, value, author, device, pred, hlc FROM op"
			     " WHERE rec = ?1 AND field = ?2 AND " OP_VISIBLE
			     " ORDER BY hlc DESC, device DESC, seq DESC, idx DESC",
			  err);
	} else {
		st = stmt(s, "SELECT id, field, value, author, device, pred, hlc FROM op"
			     " WHERE rec = ?1 AND " OP_VISIBLE
			     " ORDER BY hlc DESC, device DESC, seq DESC, idx DESC",
			  err);
	}
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if (field)
		sqlite3_bind_text(st, 2, field, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct fb_conflict_value *cv;
		if (out->n == cap) {
			size_t c2 = cap ? cap * 2 : 4;
			void *a = realloc(out->v, c2 * sizeof *out->v), *b;
			if (a)
				out->v = a;
			b = a ? realloc(out->pred, c2 * sizeof *out->pred) : NULL;
			if (!b) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
				break;
			}
			out->pred = b;
			cap = c2;
		}
		cv = &out->v[out->n];
		cv->op = col(st, 0);
		cv->field = col(st, 1);
		cv->value = col(st, 2);
		cv->author = col(st, 3);
		cv->device = col(st, 4);
		out->pred[out->n] = col(st, 5);
		cv->hlc = sqlite3_column_int64(st, 6);
		out->n++;
		if (!cv->op || !cv->field || !cv->value || !cv->author || !cv->device ||
		    !out->pred[out->n - 1]) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	sqlite3_reset(st);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the op log", err);
	if (rc < 0)
		vis_free(out);
	return rc;
}

int vis_load(struct fb_store *s, struct vis *out, const char *rec, const char *field,
	     struct fb_error *err)
{
	return load_ops(s, out, rec, field, 0, err);
}

int vis_load_history(struct fb_store *s, struct vis *out, const char *rec, const char *field,
		     struct fb_error *err)
{
	return load_ops(s, out, rec, field, 1, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *vis_ids(const struct vis *v, const char *field)
{
	const char **ids = calloc(v->n + 1, sizeof *ids);
	size_t i, k = 0, len = 1;
	char *out;

	if (!ids)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!field || !strcmp(v->v[i].field, field)) {
			ids[k++] = v->v[i].op;
			len += strlen(v->v[i].op) + 1;
		}
	qsort(ids, k, sizeof *ids, cmp_str);
	if ((out = malloc(len))) {
		size_t used = 0;
		out[0] = '\0';
		for (i = 0; i < k; i++)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " " : "", ids[i]);
	}
	free(ids);
	return out;
}

int strs_add(struct strs *l, const char *s, struct fb_error *err)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **n2 = realloc(l->v, cap * sizeof *n2);
		if (!n2)
			return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		l->v = n2;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s ? s : "")))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	l->n++;
	return 0;
}

void strs_free(struct strs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int strs_collect(struct fb_store *s, sqlite3_stmt *st, struct strs *out, struct fb_error *err)
{
	int r, rc = 0;

	while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW)
		rc = strs_add(out, (const char *)sqlite3_column_text(st, 0), err);
	if (rc == 0 && r != SQLITE_DONE)
		rc = db_error(s, "reading the review queue", err);
	sqlite3_reset(st);
	return rc;
}
