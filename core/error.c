/* error.c - filling the caller-owned struct fb_error (core layer).
 * The format is translated here (_() of fmt; xgettext keyword fb_error_set:4). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fieldbook/error.h"
#include "fieldbook/i18n.h"

int fb_error_set(struct fb_error *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, _(fmt), ap);
	va_end(ap);
	return code;
}

void fb_error_clear(struct fb_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->field[0] = '\0';
	err->message[0] = '\0';
}
