/* storetest.h - helpers for unit tests that use a real store in a temporary directory
 * (tests layer). */
#ifndef FIELDBOOK_STORETEST_H
#define FIELDBOOK_STORETEST_H

#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
