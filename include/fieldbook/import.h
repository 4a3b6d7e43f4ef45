/* import.h - importing existing rosters from CSV files (core layer).
 *
 * The first row names the columns: a field code or either label (zh/en) of the kind, in
 * any order, any case for ASCII; a column of the record id (`id`, or the header our
 * export writes) is ignored; a column without a header must stay empty; any other
 * unknown or repeated header refuses the file, naming the column.  The file must be
 * UTF-8 (with or without a BOM): a GBK file is refused with the line and the fix.
 *
 * Every other non-blank row is validated exactly like `fieldbook add` (core/record.c):
 * types, required fields, defaults, derived gender and birth date, references, minimum
 * age.  Differences, all of them for old rosters and our own exports: a 15-digit legacy
 * ID number is upgraded to its 18-digit form (the only place that happens); the
 * apostrophe our CSV export puts before formula-like text is removed; on a row with an ID
 * number the derived columns (gender, birth date) are ignored, since core derives them
 * from the number again.
 *
 * People already present: a person row whose normalised ID number belongs to a live
 * person is matched, not added.  A matched row is still validated in full; it then fills
 * the fields that are empty on the existing record and never overwrites a value (the
 * values that differ are counted in `kept`).  Rows later in the file match people added
 * by rows before them, so a roster with repeated people adds each person once.
 *
 * All valid rows are saved in one transaction (one save per row, so each row is one
 * change in the history); rejected rows are reported with their line, field and reason.
 * With all_or_nothing a single rejected row saves nothing; with dry_run nothing is saved
 * either way (the counts are what would happen). */
#ifndef FIELDBOOK_IMPORT_H
#define FIELDBOOK_IMPORT_H

#include <stddef.h>

#include "fieldbook/store.h"

struct fb_import_options {
	int all_or_nothing;
	int dry_run;
	const struct fb_override *overrides; /* applied to every row (credit-code warnings) */
	size_t noverrides;
};

struct fb_import_result {
	size_t rows;     /* data rows read (blank rows are skipped, not counted) */
	size_t added;    /* new records saved (or that would be, for a dry run) */
	size_t matched;  /* rows that matched a person already present */
	size_t filled;   /* matched rows that filled at least one empty field */
	size_t kept;     /* values of matched rows that differed and were not written */
	size_t rejected; /* rows refused */
	size_t upgraded; /* 15-digit ID numbers upgraded to 18 digits */
	int saved;       /* 1 when the valid rows were committed */
};

/* Called for each rejected row: line where the row starts, the field code the reason is
 * about ("" for the whole row), the reason.  Non-zero stops the import (nothing saved). */
typedef int (*fb_import_reject_cb)(long line, const char *field, const char *reason, void *ctx);

/* Imports data[0..len) (a CSV file's bytes) as records of kind.  Returns 0 when the file
 * was read to the end (rows may have been rejected: see res), a negative FB_E* code when
 * the file as a whole was refused (encoding, header, CSV syntax: err names the line) or
 * the database failed; nothing is saved then. */
int fb_import_csv(struct fb_store *store, const char *kind, const char *data, size_t len,
		  const struct fb_import_options *opts, fb_import_reject_cb reject, void *ctx,
		  struct fb_import_result *res, struct fb_error *err);

#endif
