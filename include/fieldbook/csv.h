/* csv.h - CSV files for spreadsheets: writing cells (RFC 4180, formula injection
 * neutralised) and reading rows of outside data (core layer).
 *
 * Writing (BRIEF section 5): UTF-8 with a BOM, CRLF line ends, a cell quoted when it
 * holds a comma, a quote, CR or LF (quotes doubled), and a cell that a spreadsheet would
 * evaluate (it starts with = + - @ TAB or CR and is not a plain number) prefixed with an
 * apostrophe.
 *
 * Reading: a strict RFC 4180 parser over a buffer in memory.  A UTF-8 BOM is skipped;
 * rows end with CRLF, LF or a lone CR; quoted cells may hold commas, doubled quotes and
 * line breaks (kept as they are); a quote inside an unquoted cell is taken literally
 * (spreadsheets write that).  Errors name the line: an unterminated quoted cell, text
 * after a closing quote.  The encoding is checked separately (fb_csv_check_encoding),
 * so that a GBK file is refused with the line and the fix before any row is read. */
#ifndef FIELDBOOK_CSV_H
#define FIELDBOOK_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "fieldbook/error.h"

#define FB_CSV_BOM "\xef\xbb\xbf"

/* ---- writing ---- */

/* 1 when a spreadsheet would evaluate s: it starts with = + - @ TAB or CR and is not a
 * plain decimal number ("-12", "+3.5" stay as they are). */
int fb_csv_formula_like(const char *s);
/* Writes one cell to f (preceded by a comma unless first): neutralised with a leading
 * apostrophe when fb_csv_formula_like, quoted when needed.  0, or -1 on a write error. */
int fb_csv_put_cell(FILE *f, const char *s, int first);
/* Ends a row: CRLF.  0, or -1 on a write error. */
int fb_csv_end_row(FILE *f);
/* The cell text without the apostrophe fb_csv_put_cell added (a cell read back from one
 * of our exports): s + 1 when s is "'" followed by formula-like text, else s. */
const char *fb_csv_unneutralise(const char *s);

/* ---- reading ---- */

/* Checks that data is text fieldbook can read: UTF-8 (a BOM allowed), no NUL bytes.
 * FB_EINVAL otherwise, with the first bad line and what to do (save as "CSV UTF-8"). */
int fb_csv_check_encoding(const char *data, size_t len, struct fb_error *err);

struct fb_csv_reader {
	const char *p, *end;
	long line;       /* line number (1-based) at p */
	char *buf;       /* the current row's cells, NUL-separated */
	size_t buf_cap;
	size_t *offs;    /* start of each cell in buf */
	char **cells;
	size_t cells_cap;
};

struct fb_csv_row {
	char **cells;   /* NUL-terminated cell texts, valid until the next fb_csv_next */
	size_t n;       /* at least 1 */
	long line;      /* the line the row starts on (1-based, the BOM not counted) */
};

/* Reads data[0..len) (not copied: it must outlive the reader).  Skips a UTF-8 BOM. */
void fb_csv_reader_init(struct fb_csv_reader *r, const char *data, size_t len);
/* The next row: 1 a row, 0 end of input, or a negative FB_E* code with err naming the
 * line (FB_EINVAL for a syntax error, FB_ENOMEM). */
int fb_csv_next(struct fb_csv_reader *r, struct fb_csv_row *row, struct fb_error *err);
void fb_csv_reader_free(struct fb_csv_reader *r);

#endif
