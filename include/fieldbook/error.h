/* error.h - the error contract shared by every layer (core, sync, tui).
 *
 * Functions return int: 0 on success, a negative FB_E* code on failure.  Expected
 * failures (bad input, not found) have their own codes so callers can branch on them.
 * The caller owns a struct fb_error and passes it in; on failure it holds a human
 * message that names the field or object and says how to fix it.  A NULL error
 * pointer is allowed everywhere and means "the caller does not want the message". */
#ifndef FIELDBOOK_ERROR_H
#define FIELDBOOK_ERROR_H

#include <stddef.h>

enum fb_code {
	FB_OK = 0,
	FB_EINVAL = -1,     /* bad input: a value, an argument, a file the user gave */
	FB_ENOTFOUND = -2,  /* no such record, kind, field, file */
	FB_EAMBIGUOUS = -3, /* a short id or label matches more than one thing */
	FB_EWARN = -4,      /* a warning the user may override with a reason */
	FB_ENOINIT = -5,    /* no data directory yet: run `fieldbook init` */
	FB_EEXISTS = -6,    /* already there (init twice) */
	FB_EIO = -7,        /* a file or directory could not be read or written */
	FB_EDB = -8,        /* the database refused (disk full, locked, corrupt) */
	FB_ENOMEM = -9,
	FB_ECORRUPT = -10,  /* stored data breaks an invariant */
	FB_EUSAGE = -11     /* a command used the wrong way */
};

#define FB_ERROR_FIELD_MAX 64
#define FB_ERROR_MESSAGE_MAX 512

struct fb_error {
	int code;                         /* the FB_E* code, 0 when clear */
	char field[FB_ERROR_FIELD_MAX];   /* field or object the message is about, or "" */
	char message[FB_ERROR_MESSAGE_MAX];
};

/* Fill err (if not NULL) and return code, so callers can write
 * `return fb_error_set(err, FB_EINVAL, "mobile", "...", ...);`.  field may be NULL.
 * fmt is an English message that goes through _() here (i18n.h); do not wrap it. */
int fb_error_set(struct fb_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void fb_error_clear(struct fb_error *err);

#endif
