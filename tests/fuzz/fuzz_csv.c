/* fuzz_csv.c - libFuzzer target for CSV files from outside: the encoding check, the
 * strict reader, and a dry-run import of the bytes as a person roster into a real store
 * (tests layer).
 *
 * Invariants: nothing crashes or leaks; every row has at least one cell; writing the
 * cells of a row with fb_csv_put_cell and reading them back gives the same cells (with
 * the apostrophe the writer puts before formula-like text); a dry-run import of a file
 * that passed the encoding check either refuses the file with a message or counts every
 * row exactly once (added + matched + rejected = rows) and saves nothing. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/csv.h"
#include "fieldbook/import.h"
#include "fieldbook/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fb_store *store;

static void open_store(void)
{
	char tmpl[] = "/tmp/fbfuzzcsv.XXXXXX", path[64];
	struct fb_init_options o = {"fuzz", "team", "fuzzer"};
	struct fb_error err;
	char *dir = mkdtemp(tmpl);

	if (!dir)
		abort();
	snprintf(path, sizeof path, "%s/data", dir);
	if (fb_store_init(&store, path, &o, &err) < 0)
		abort();
}

static void check_round_trip(const struct fb_csv_row *row)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct fb_csv_reader r;
	struct fb_csv_row back;
	struct fb_error err;

	if (!f)
		abort();
	fputs(FB_CSV_BOM, f); /* as an export starts: a U+FEFF in the first cell stays data */
	for (i = 0; i < row->n; i++)
		fb_csv_put_cell(f, row->cells[i], i == 0);
	fb_csv_end_row(f);
	fclose(f);
	fb_csv_reader_init(&r, buf, len);
	if (fb_csv_next(&r, &back, &err) != 1 || back.n != row->n)
		abort();
	for (i = 0; i < row->n; i++) {
		const char *want = row->cells[i], *got = back.cells[i];
		if (fb_csv_formula_like(want)) {
			if (got[0] != '\'' || strcmp(got + 1, want))
				abort();
		} else if (strcmp(got, want)) {
			abort();
		}
	}
	fb_csv_reader_free(&r);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_csv_reader r;
	struct fb_csv_row row;
	struct fb_error err;
	struct fb_import_options o = {0};
	struct fb_import_result res;
	const char *text = (const char *)data;
	int rc, lines = 0;

	if (!store) {
		setlocale(LC_ALL, "C.UTF-8");
		setenv("FIELDBOOK_NOW", "2026-11-29T10:00:00+08:00", 1);
		open_store();
	}
	if (size > 8192)
		return 0;
	fb_csv_reader_init(&r, text, size);
	while ((rc = fb_csv_next(&r, &row, &err)) > 0) {
		if (row.n < 1 || row.line < 1)
			abort();
		check_round_trip(&row);
		if (++lines > 1000)
			break;
	}
	if (rc < 0 && !err.message[0])
		abort();
	fb_csv_reader_free(&r);
	if (fb_csv_check_encoding(text, size, &err) == 0) {
		o.dry_run = 1;
		rc = fb_import_csv(store, "person", text, size, &o, NULL, NULL, &res, &err);
		if (rc < 0 && !err.message[0])
			abort();
		if (rc == 0 && (res.saved || res.added + res.matched + res.rejected != res.rows))
			abort();
	}
	return 0;
}
