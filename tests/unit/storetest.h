/* storetest.h - helpers for unit tests that use a real store in a temporary directory
 * (tests layer). */
#ifndef FIELDBOOK_STORETEST_H
#define FIELDBOOK_STORETEST_H

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fieldbook/store.h"
#include "tap.h"

/* A fresh store in a new temporary directory; aborts the test program on failure. */
static inline struct fb_store *test_store(const char *label, const char *op)
{
	char tmpl[] = "/tmp/fbtest.XXXXXX", *dir = mkdtemp(tmpl), path[256];
	struct fb_init_options o = {label, "test-team", op};
	struct fb_store *s = NULL;
	struct fb_error err = {0};

	if (!dir) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof path, "%s/data", dir);
	if (fb_store_init(&s, path, &o, &err) < 0) {
		fprintf(stderr, "store init: %s\n", err.message);
		exit(2);
	}
	return s;
}

/* Removes the store's directory tree (the parent made by test_store). */
static inline void test_store_free(struct fb_store *s)
{
	fb_store_free(s);
}

/* fb_record_add with (field, value) pairs terminated by NULL; returns the rc. */
static inline int test_add(struct fb_store *s, char *id, const char *kind, struct fb_error *err, ...)
{
	struct fb_kv kv[32];
	size_t n = 0;
	va_list ap;
	const char *f;

	va_start(ap, err);
	while ((f = va_arg(ap, const char *)) && n < 32) {
		kv[n].field = f;
		kv[n++].value = va_arg(ap, const char *);
	}
	va_end(ap);
	return fb_record_add(s, id, kind, kv, n, NULL, 0, err);
}

static inline int test_edit(struct fb_store *s, const char *id, const char *field, const char *value,
			    struct fb_error *err)
{
	struct fb_kv kv = {field, value};
	return fb_record_edit(s, id, &kv, 1, NULL, 0, err);
}

/* Every derived table of the store in DIR (its state file), as text in a fixed order:
 * what an incremental update and a rebuild must agree on beyond the dump (search rows,
 * identity keys, live counts, superseded ids), plus FTS5's own integrity check of the
 * search index against its rows.  malloc'd; NULL if the file cannot be read. */
static inline char *test_state_tables(const char *dir)
{
	static const char *const q[] = {
		"SELECT * FROM record ORDER BY id",
		"SELECT * FROM field ORDER BY rec, name",
		"SELECT * FROM ident ORDER BY key, rec",
		"SELECT rec, kind, title, uni, bi FROM search_doc ORDER BY rec",
		"SELECT * FROM kind_count WHERE live <> 0 ORDER BY kind",
		"SELECT * FROM superseded ORDER BY id",
		"SELECT * FROM audit_vis ORDER BY id",
		"INSERT INTO search_fts(search_fts) VALUES('integrity-check')",
	};
	char path[4200], *out = NULL;
	size_t len = 0, cap = 0, i;
	sqlite3 *db = NULL;

	snprintf(path, sizeof path, "%s/fieldbook-state.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < sizeof q / sizeof q[0]; i++) {
		sqlite3_stmt *st = NULL;
		int r, c;
		if (sqlite3_prepare_v2(db, q[i], -1, &st, NULL) != SQLITE_OK)
			goto fail;
		while ((r = sqlite3_step(st)) == SQLITE_ROW)
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const char *t = (const char *)sqlite3_column_text(st, c);
				size_t l = t ? strlen(t) : 4;
				if (len + l + 2 > cap) {
					cap = (len + l + 2) * 2;
					if (!(out = realloc(out, cap)))
						abort();
				}
				memcpy(out + len, t ? t : "NULL", l);
				len += l;
				out[len++] = c + 1 < sqlite3_column_count(st) ? '\t' : '\n';
				out[len] = '\0';
			}
		sqlite3_finalize(st);
		if (r != SQLITE_DONE) {
			printf("# %s: %s\n", q[i], sqlite3_errmsg(db));
			goto fail;
		}
	}
	sqlite3_close(db);
	return out ? out : strdup("");
fail:
	sqlite3_close(db);
	free(out);
	return NULL;
}

#endif
