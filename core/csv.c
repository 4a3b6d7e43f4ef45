/* csv.c - CSV writing for spreadsheets and strict RFC 4180 reading of outside files
 * (core layer).  Contracts in include/fieldbook/csv.h. */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/csv.h"
#include "fieldbook/i18n.h"
#include "fieldbook/text.h"

/* ---------------------------------------------------------------- writing */

/* fputs without taking the stream's lock for every cell (one writer per stream). */
static int put_text(const char *s, FILE *f)
{
	size_t n = strlen(s);

	return fwrite_unlocked(s, 1, n, f) == n ? 0 : -1;
}

/* A plain decimal number: optional sign, digits, optional fraction. */
static int plain_number(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

int fb_csv_formula_like(const char *s)
{
	if (!s || !strchr("=+-@\t\r", *s) || !*s)
		return 0;
	return !plain_number(s);
}

const char *fb_csv_unneutralise(const char *s)
{
	if (s && s[0] == '\'' && fb_csv_formula_like(s + 1))
		return s + 1;
	return s;
}

int fb_csv_put_cell(FILE *f, const char *s, int first)
{
	const char *q;
	int quote;

	if (!s)
		s = "";
	quote = s[strcspn(s, ",\"\r\n")] != '\0';
	if (!first && putc_unlocked(',', f) == EOF)
		return -1;
	if (quote && putc_unlocked('"', f) == EOF)
		return -1;
	if (fb_csv_formula_like(s) && putc_unlocked('\'', f) == EOF)
		return -1;
	if (!quote)
		return put_text(s, f);
	while ((q = strchr(s, '"'))) {
		/* the text up to and including the quote, then the quote again */
		if (fwrite_unlocked(s, 1, (size_t)(q - s) + 1, f) != (size_t)(q - s) + 1 ||
		    putc_unlocked('"', f) == EOF)
			return -1;
		s = q + 1;
	}
	if (put_text(s, f) < 0 || putc_unlocked('"', f) == EOF)
		return -1;
	return 0;
}

int fb_csv_end_row(FILE *f)
{
	return put_text("\r\n", f);
}

/* ---------------------------------------------------------------- encoding */

int fb_csv_check_encoding(const char *data, size_t len, struct fb_error *err)
{
	const char *p = data, *end = data + len, *line_start;
	long line = 1;

	if (len >= 2 && (((unsigned char)data[0] == 0xff && (unsigned char)data[1] == 0xfe) ||
			 ((unsigned char)data[0] == 0xfe && (unsigned char)data[1] == 0xff)))
		return fb_error_set(err, FB_EINVAL, "file",
				    _("the file is UTF-16 (Excel's \"Unicode text\"): save it as "
				      "\"CSV UTF-8 (comma delimited)\" and import again"));
	if (len >= 3 && !memcmp(data, FB_CSV_BOM, 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line_start = p;
		if (memchr(line_start, '\0', n))
			return fb_error_set(err, FB_EINVAL, "file",
					    _("line %ld holds a NUL byte: this is not a CSV text file; "
					      "save it from the spreadsheet as \"CSV UTF-8 (comma "
					      "delimited)\""),
					    line);
		if (!fb_utf8_valid(line_start, n))
			return fb_error_set(err, FB_EINVAL, "file",
					    _("line %ld is not UTF-8 text: the file is probably in GBK "
					      "(Excel's plain \"CSV\" on Chinese Windows); save it as \"CSV "
					      "UTF-8 (comma delimited)\" and import again"),
					    line);
		p += n + (nl ? 1 : 0);
		line++;
	}
	return 0;
}

/* ---------------------------------------------------------------- reading */

void fb_csv_reader_init(struct fb_csv_reader *r, const char *data, size_t len)
{
	memset(r, 0, sizeof *r);
	r->p = data;
	r->end = data + len;
	r->line = 1;
	if (len >= 3 && !memcmp(data, FB_CSV_BOM, 3))
		r->p += 3;
}

void fb_csv_reader_free(struct fb_csv_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r->offs);
	free(r->cells);
	r->buf = NULL;
	r->offs = NULL;
	r->cells = NULL;
}

static int put_byte(struct fb_csv_reader *r, size_t *used, char c, struct fb_error *err)
{
	if (*used + 1 >= r->buf_cap) {
		size_t cap = r->buf_cap ? r->buf_cap * 2 : 256;
		char *b = realloc(r->buf, cap);
		if (!b)
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		r->buf = b;
		r->buf_cap = cap;
	}
	r->buf[(*used)++] = c;
	return 0;
}

static int start_cell(struct fb_csv_reader *r, size_t ncells, size_t used, struct fb_error *err)
{
	if (ncells >= r->cells_cap) {
		size_t cap = r->cells_cap ? r->cells_cap * 2 : 16;
		size_t *o = realloc(r->offs, cap * sizeof *o);
		char **c;
		if (!o)
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		r->offs = o;
		if (!(c = realloc(r->cells, cap * sizeof *c)))
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		r->cells = c;
		r->cells_cap = cap;
	}
	r->offs[ncells] = used;
	return 0;
}

/* Consumes a line end at r->p (CRLF, LF or CR); 1 if there was one. */
static int line_end(struct fb_csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r') {
		r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		return 1;
	}
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
		return 1;
	}
	return 0;
}

int fb_csv_next(struct fb_csv_reader *r, struct fb_csv_row *row, struct fb_error *err)
{
	size_t used = 0, ncells = 0, i;
	int rc;

	if (r->p >= r->end)
		return 0;
	row->line = r->line;
	for (;;) {
		/* one cell */
		if ((rc = start_cell(r, ncells, used, err)) < 0)
			return rc;
		ncells++;
		if (r->p < r->end && *r->p == '"') {
			long open_line = r->line;
			r->p++;
			for (;;) {
				if (r->p >= r->end)
					return fb_error_set(err, FB_EINVAL, "file",
							    _("line %ld: a quoted cell (column %zu) has no "
							      "closing quote"),
							    open_line, ncells);
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						if ((rc = put_byte(r, &used, '"', err)) < 0)
							return rc;
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\n' || (*r->p == '\r' && (r->p + 1 >= r->end || r->p[1] != '\n')))
					r->line++;
				if ((rc = put_byte(r, &used, *r->p, err)) < 0)
					return rc;
				r->p++;
			}
			if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
				return fb_error_set(err, FB_EINVAL, "file",
						    _("line %ld: text after the closing quote of column "
						      "%zu; a quote inside a quoted cell is written \"\""),
						    r->line, ncells);
		} else {
			while (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n') {
				if ((rc = put_byte(r, &used, *r->p, err)) < 0)
					return rc;
				r->p++;
			}
		}
		if ((rc = put_byte(r, &used, '\0', err)) < 0)
			return rc;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		line_end(r);
		break;
	}
	for (i = 0; i < ncells; i++)
		r->cells[i] = r->buf + r->offs[i];
	row->cells = r->cells;
	row->n = ncells;
	return 1;
}
