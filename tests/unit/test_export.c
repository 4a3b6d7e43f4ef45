/* test_export.c - unit tests of core/export.c on a real store: columns and labels in both
 * languages, masked and unmasked cells, live records only, newest first, the update-time
 * range, the CSV bytes, and a query plan without table scans (tests layer). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/export.h"
#include "fieldbook/i18n.h"
#include "storetest.h"

/* A sink that keeps the table as text: cells joined by |, rows by newline. */
struct grab {
	char *buf;
	size_t len;
	FILE *f;
	size_t ncols;
	enum fb_cell_type types[FB_EXPORT_MAX_COLUMNS];
};

static int grab_row(void *ctx, const char *const *cells, size_t n, struct fb_error *err)
{
	struct grab *g = ctx;
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(g->f, "%s%s", i ? "|" : "", cells[i]);
	fputc('\n', g->f);
	return 0;
}

static int grab_begin(void *ctx, const struct fb_export_column *cols, size_t n, struct fb_error *err)
{
	struct grab *g = ctx;
	const char *h[FB_EXPORT_MAX_COLUMNS];
	size_t i;

	g->ncols = n;
	for (i = 0; i < n; i++) {
		h[i] = cols[i].header;
		g->types[i] = cols[i].type;
	}
	return grab_row(ctx, h, n, err);
}

static char *export_text(struct fb_store *s, const struct fb_export_query *q, uint64_t *rows,
			 struct grab *g, int *rc)
{
	struct fb_export_sink sink = {grab_begin, grab_row, g};
	struct fb_error err = {0};

	memset(g, 0, sizeof *g);
	g->f = open_memstream(&g->buf, &g->len);
	*rc = fb_export(s, q, &sink, rows, &err);
	if (*rc < 0)
		printf("# export: %s\n", err.message);
	fclose(g->f);
	return g->buf;
}

static int no_scan(const char *sql, const char *detail, void *ctx)
{
	int *bad = ctx;

	if (strstr(sql, "JOIN field f ON f.rec = r.id") && !strncmp(detail, "SCAN", 4)) {
		printf("#   %s\n#   -> %s\n", sql, detail);
		*bad = 1;
	}
	return 0;
}

int main(void)
{
	struct fb_store *s;
	struct fb_error err = {0};
	struct fb_export_query q = {0};
	struct grab g;
	char p1[FB_ID_LEN + 1], p2[FB_ID_LEN + 1], p3[FB_ID_LEN + 1], want[256], *text, *csv = NULL;
	uint64_t rows = 0;
	size_t csv_len = 0;
	FILE *f;
	int rc, bad = 0;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "Asia/Shanghai", 1);
	fb_lang_force(0);
	s = test_store("t", "张静");
	setenv("FIELDBOOK_NOW", "2026-01-10T09:00:00+08:00", 1);
	TAP_OK(test_add(s, p1, "person", &err, "name", "王芳", "id_number", "440305198802294562", "mobile",
			"13800138000", "occupation", "courier", "employer", "速达,快递", NULL) == 0,
	       "person 1 added");
	setenv("FIELDBOOK_NOW", "2026-03-05T09:00:00+08:00", 1);
	TAP_OK(test_add(s, p2, "person", &err, "name", "李四", "occupation", "other", "consent", "yes",
			"platforms", "meituan,didi", NULL) == 0,
	       "person 2 added");
	TAP_OK(test_add(s, p3, "person", &err, "name", "删掉", "occupation", "other", NULL) == 0 &&
		       fb_record_delete(s, p3, &err) == 0,
	       "person 3 added and deleted");

	q.kind = "person";
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(rc == 0 && rows == 2, "two live people exported (the deleted one left out)");
	TAP_OK(!strncmp(text, "Record id|Name|ID type|ID number|Gender|Birth date|Mobile|Occupation|",
			  strlen("Record id|Name|ID type|ID number|Gender|Birth date|Mobile|Occupation|")),
	       "English headers, record id first, form order");
	TAP_OK(!strstr(text, "Merged into"), "merged_into is not a column");
	TAP_OK(g.types[0] == FB_CELL_CODE && g.types[3] == FB_CELL_CODE && g.types[5] == FB_CELL_DATE &&
		       g.types[6] == FB_CELL_CODE,
	       "record id, ID number and mobile are code cells, birth date a date");
	snprintf(want, sizeof want, "\n%s|李四|resident ID card|||||other||Meituan, DiDi|", p2);
	TAP_OK(strstr(text, want) != NULL, "newest first; choice and multi-choice labels");
	snprintf(want, sizeof want, "\n%s|王芳|resident ID card|440***********4562|female|1988-02-29|138****8000|courier|",
		 p1);
	TAP_OK(strstr(text, want) != NULL, "masked ID number and mobile, derived gender and birth date");
	TAP_OK(strstr(text, "|yes|") != NULL, "bools as yes/no");
	TAP_OK(strstr(text, p2) < strstr(text, p1), "order: newest update first");
	free(text);

	q.unmasked = 1;
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(strstr(text, "|440305198802294562|") && strstr(text, "|13800138000|"), "unmasked: full values");
	free(text);
	q.unmasked = 0;

	fb_lang_force(1);
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(!strncmp(text, "记录编号|姓名|证件类型|证件号码|性别|", strlen("记录编号|姓名|证件类型|证件号码|性别|")),
	       "Chinese headers");
	TAP_OK(strstr(text, "|美团、滴滴|") && strstr(text, "|快递员|") && strstr(text, "|是|"),
	       "Chinese choice labels, 、 between them");
	free(text);
	fb_lang_force(0);

	q.from = "2026-02-01";
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(rc == 0 && rows == 1 && strstr(text, p2), "--from: only the March record");
	free(text);
	q.from = NULL;
	q.to = "2026-01-10";
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(rc == 0 && rows == 1 && strstr(text, p1), "--to includes the whole day");
	free(text);
	q.to = "2026-02-30";
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(rc == FB_EINVAL, "an impossible date is refused");
	free(text);
	q.to = NULL;
	q.kind = "nosuch";
	text = export_text(s, &q, &rows, &g, &rc);
	TAP_OK(rc == FB_ENOTFOUND, "unknown kind");
	free(text);
	q.kind = "person";

	f = open_memstream(&csv, &csv_len);
	rc = fb_export_csv(s, &q, f, &rows, &err);
	fclose(f);
	TAP_OK(rc == 0 && !memcmp(csv, "\xef\xbb\xbfRecord id,Name,", 18), "CSV starts with a BOM and the header");
	TAP_OK(strstr(csv, "\"速达,快递\"") && strstr(csv, "Household registration\r\n"),
	       "CSV quotes commas and ends rows with CRLF");
	free(csv);

	fb_store_query_plans(s, no_scan, &bad, &err);
	TAP_OK(!bad, "the export query drives from an index (no table scan)");
	test_store_free(s);
	return tap_done();
}
