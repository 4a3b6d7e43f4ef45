/* export.h - exporting the live records of a kind as a table for spreadsheets (core layer).
 *
 * One row per live record (deleted and merged records are left out), newest update
 * first; one column for the record id, then one per field of the kind in form order
 * (merged_into, always empty on live records, is left out).  Headers are the field labels
 * in the UI language (fb_lang_zh); cells are what users see: choice labels, money
 * "7000.00", yes/no, and, unless unmasked, ID numbers and mobiles masked and sensitive
 * text hidden, exactly as fb_value_display shows them.  Conflicted fields give their
 * displayed (winning) value.
 *
 * The table goes to a sink (the CSV writer here, the XLSX writer in the tui layer), with
 * a type per column telling a spreadsheet how to hold it: identity numbers, mobiles and
 * credit codes are CODE (always text, never a number: Excel would turn an 18-digit ID
 * into 1.10101E+17). */
#ifndef FIELDBOOK_EXPORT_H
#define FIELDBOOK_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "fieldbook/store.h"

enum fb_cell_type {
	FB_CELL_TEXT,   /* text */
	FB_CELL_CODE,   /* text made of digits that must stay text (ID, mobile, credit code) */
	FB_CELL_NUMBER, /* a whole number (counts, ratings) */
	FB_CELL_MONEY,  /* yuan with two decimals, "7000.00" */
	FB_CELL_DATE    /* YYYY-MM-DD */
};

struct fb_export_column {
	const struct fb_field *field; /* NULL for the record id column */
	const char *header;           /* label in the UI language */
	enum fb_cell_type type;
};

struct fb_export_query {
	const char *kind;       /* code or label */
	int unmasked;           /* full values (the caller records it in the audit trail) */
	const char *from, *to;  /* local dates YYYY-MM-DD bounding the update time (both
				 * included), or NULL */
};

/* Where the table goes.  Each callback returns 0, or a negative FB_E* code (with err
 * set) to stop the export.  A cell of a NUMBER, MONEY or DATE column holds its canonical
 * text ("300", "7000.00", "2026-11-29") or "" when empty; a masked or hidden value of
 * such a column is text that is not a number, which the sink must write as text. */
struct fb_export_sink {
	int (*begin)(void *ctx, const struct fb_export_column *cols, size_t n, struct fb_error *err);
	int (*row)(void *ctx, const char *const *cells, size_t n, struct fb_error *err);
	void *ctx;
};

#define FB_EXPORT_MAX_COLUMNS 64

/* The columns of kind (record id first) in the current UI language, into out (room for
 * FB_EXPORT_MAX_COLUMNS); returns their number. */
size_t fb_export_columns(const struct fb_kind *kind, struct fb_export_column *out);

/* Writes the table through sink.  *rows (may be NULL) gets the number of records. */
int fb_export(struct fb_store *store, const struct fb_export_query *q, const struct fb_export_sink *sink,
	      uint64_t *rows, struct fb_error *err);

/* The table as CSV (BRIEF section 5: UTF-8 with BOM, CRLF, RFC 4180, formula injection
 * neutralised) on f.  FB_EIO if f cannot be written. */
int fb_export_csv(struct fb_store *store, const struct fb_export_query *q, FILE *f, uint64_t *rows,
		  struct fb_error *err);

#endif
