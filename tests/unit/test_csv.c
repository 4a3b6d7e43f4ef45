/* test_csv.c - unit tests of core/csv.c: cell writing (quoting, CRLF, formula injection)
 * and the strict reader (quotes, line breaks in cells, BOM, line numbers, errors), and
 * write-then-read round trips of awkward cells (tests layer). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/csv.h"
#include "tap.h"

/* The CSV text of one row of cells (malloc'd). */
static char *write_row(const char *const *cells, size_t n)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	for (i = 0; i < n; i++)
		fb_csv_put_cell(f, cells[i], i == 0);
	fb_csv_end_row(f);
	fclose(f);
	return buf;
}

static void test_writing(void)
{
	const char *plain[] = {"张三", "abc", ""};
	const char *quoted[] = {"a,b", "say \"hi\"", "two\nlines", "cr\rhere"};
	const char *formula[] = {"=1+1", "+86 139", "-2+3", "@SUM(A1)", "\tx", "\rx", "-12", "+3.5",
				 "-", "=", "0012"};
	char *out;

	out = write_row(plain, 3);
	TAP_STREQ(out, "张三,abc,\r\n", "plain cells unquoted, CRLF");
	free(out);
	out = write_row(quoted, 4);
	TAP_STREQ(out, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\"\r\n",
		  "comma, quote, LF and CR cells quoted, quotes doubled");
	free(out);
	out = write_row(formula, 11);
	TAP_STREQ(out, "'=1+1,'+86 139,'-2+3,'@SUM(A1),'\tx,\"'\rx\",-12,+3.5,'-,'=,0012\r\n",
		  "formula-like cells get an apostrophe, plain numbers stay as they are");
	free(out);
	TAP_OK(fb_csv_formula_like("=A1") && !fb_csv_formula_like("A=1") && !fb_csv_formula_like("") &&
		       !fb_csv_formula_like("-1.50") && fb_csv_formula_like("-1.") &&
		       fb_csv_formula_like("--1"),
	       "formula_like: leading = + - @ TAB CR, except plain numbers");
	TAP_STREQ(fb_csv_unneutralise("'=1+1"), "=1+1", "unneutralise removes our apostrophe");
	TAP_STREQ(fb_csv_unneutralise("'abc"), "'abc", "... but not one before ordinary text");
}

/* Reads all rows of text, joining cells with | and rows with / and each row's line as
 * "N:"; returns the rc of the last fb_csv_next. */
static int read_all(const char *text, size_t len, char *out, size_t cap, struct fb_error *err)
{
	struct fb_csv_reader r;
	struct fb_csv_row row;
	size_t used = 0, i;
	int rc;

	out[0] = '\0';
	fb_csv_reader_init(&r, text, len);
	while ((rc = fb_csv_next(&r, &row, err)) > 0) {
		used += (size_t)snprintf(out + used, cap - used, "%s%ld:", used ? "/" : "", row.line);
		for (i = 0; i < row.n; i++)
			used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", row.cells[i]);
	}
	fb_csv_reader_free(&r);
	return rc;
}

static void test_reading(void)
{
	struct fb_error err = {0};
	char out[1024];
	const char *t;
	int rc;

	t = "\xef\xbb\xbfname,mobile\r\n张三,13912345678\r\n";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_OK(rc == 0, "BOM and CRLF file reads");
	TAP_STREQ(out, "1:name|mobile/2:张三|13912345678", "BOM skipped, two rows");

	t = "a,\"b,c\",\"say \"\"hi\"\"\"\n\"two\r\nlines\",x,\n\"\",,\"\"\nlast";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_OK(rc == 0, "quoted cells read");
	TAP_STREQ(out, "1:a|b,c|say \"hi\"/2:two\r\nlines|x|/4:||/5:last",
		  "commas, doubled quotes, line breaks kept; line numbers count the breaks in cells");

	t = "a\rb\r\nc\n";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_STREQ(out, "1:a/2:b/3:c", "lone CR, CRLF and LF all end rows");

	t = "x,5\"6\",y\n";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_STREQ(out, "1:x|5\"6\"|y", "a quote inside an unquoted cell is literal");

	t = "a,b\n\"open,\nstill open\n";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "line 2") && strstr(err.message, "closing quote"),
	       "unterminated quote names the line it started on: %s", err.message);

	t = "a\n\"ab\"c,d\n";
	rc = read_all(t, strlen(t), out, sizeof out, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "line 2"), "text after a closing quote: %s",
	       err.message);

	rc = read_all("", 0, out, sizeof out, &err);
	TAP_OK(rc == 0 && !out[0], "empty input: no rows");
	rc = read_all("\xef\xbb\xbf", 3, out, sizeof out, &err);
	TAP_OK(rc == 0 && !out[0], "a BOM alone: no rows");
}

static void test_encoding(void)
{
	struct fb_error err = {0};
	/* 张三 in GBK is D5 C5 C8 FD */
	const char gbk[] = "name,mobile\n\xd5\xc5\xc8\xfd,13912345678\n";
	const char nul[] = "name\nab\0c\n";
	const char u16[] = "\xff\xfe" "n\0";

	TAP_OK(fb_csv_check_encoding("\xef\xbb\xbf名字\n", 10, &err) == 0, "UTF-8 with BOM accepted");
	TAP_OK(fb_csv_check_encoding(gbk, sizeof gbk - 1, &err) == FB_EINVAL &&
		       strstr(err.message, "line 2") && strstr(err.message, "UTF-8"),
	       "GBK refused naming line 2 and the fix: %s", err.message);
	TAP_OK(fb_csv_check_encoding(nul, sizeof nul - 1, &err) == FB_EINVAL && strstr(err.message, "line 2"),
	       "NUL byte refused: %s", err.message);
	TAP_OK(fb_csv_check_encoding(u16, sizeof u16 - 1, &err) == FB_EINVAL && strstr(err.message, "UTF-16"),
	       "UTF-16 refused: %s", err.message);
}

static void test_round_trip(void)
{
	const char *cells[] = {"11010519491231002X", "0012", "张三,李四", "他说\"好\"", "第一行\r\n第二行",
			       "𠀀𪚥", "", " spaced ", "=HYPERLINK(\"x\")", "@x", "-3", "a\"b"};
	size_t n = sizeof cells / sizeof cells[0], i;
	struct fb_csv_reader r;
	struct fb_csv_row row;
	struct fb_error err = {0};
	char *text = write_row(cells, n);
	int rc, same = 1;

	fb_csv_reader_init(&r, text, strlen(text));
	rc = fb_csv_next(&r, &row, &err);
	TAP_OK(rc == 1 && row.n == n, "written row reads back as one row of %zu cells", n);
	for (i = 0; rc == 1 && i < n && i < row.n; i++)
		if (strcmp(fb_csv_unneutralise(row.cells[i]), cells[i])) {
			same = 0;
			printf("#   cell %zu: got '%s' want '%s'\n", i, row.cells[i], cells[i]);
		}
	TAP_OK(same, "every cell equal after unneutralise (quotes, CRLF, Ext-B, formulas)");
	TAP_OK(fb_csv_next(&r, &row, &err) == 0, "then the end");
	fb_csv_reader_free(&r);
	free(text);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_writing();
	test_reading();
	test_encoding();
	test_round_trip();
	return tap_done();
}
