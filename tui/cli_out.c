/* cli_out.c - output helpers of the command line: cells padded by terminal columns,
 * display values, times (tui layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/clock.h"
#include "fieldbook/text.h"
#include "fieldbook/value.h"

void out_cell(FILE *f, const char *s, int cols)
{
	char buf[1024];

	fb_text_fit(buf, sizeof buf, s ? s : "", cols, 1);
	fputs(buf, f);
}

char *out_value(const struct fb_field *field, const char *stored, int unmasked)
{
	return fb_value_display(field, stored, unmasked ? FB_SHOW_UNMASKED : FB_SHOW_MASKED);
}

char *out_title(const char *kind, const char *title)
{
	const struct fb_kind *k = fb_kind_find(kind);
	const struct fb_field *f = k ? fb_kind_title_field(k) : NULL;

	return fb_value_display(f, title ? title : "", FB_SHOW_MASKED);
}

void out_time(char *buf, size_t cap, int64_t hlc)
{
	fb_clock_format_ms(buf, cap, fb_hlc_ms(hlc));
}

void out_tsv(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}
