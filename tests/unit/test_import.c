/* test_import.c - unit tests of core/import.c on a real store: headers by code and labels,
 * file-level refusals, rows validated like add with line, field and reason, legacy ID
 * upgrade, matching people by ID number (empty fields filled, values kept), one
 * transaction, --all-or-nothing and dry runs (tests layer). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/import.h"
#include "fieldbook/i18n.h"
#include "storetest.h"

struct rejects {
	char text[2048];
	size_t used;
};

static int on_reject(long line, const char *field, const char *reason, void *ctx)
{
	struct rejects *r = ctx;

	r->used += (size_t)snprintf(r->text + r->used, sizeof r->text - r->used, "%ld %s: %s\n", line,
				    field, reason);
	return 0;
}

static int run(struct fb_store *s, const char *kind, const char *csv, int all_or_nothing, int dry_run,
	       struct fb_import_result *res, struct rejects *rj, struct fb_error *err)
{
	struct fb_import_options o = {0};

	o.all_or_nothing = all_or_nothing;
	o.dry_run = dry_run;
	memset(rj, 0, sizeof *rj);
	return fb_import_csv(s, kind, csv, strlen(csv), &o, on_reject, rj, res, err);
}

static int64_t people(struct fb_store *s)
{
	int64_t n = -1;

	fb_count(s, "person", &n, NULL);
	return n;
}

/* The id of the live person with this ID number ("" if none). */
static int first_id(const struct fb_row *row, void *ctx)
{
	snprintf(ctx, FB_ID_LEN + 1, "%s", row->id);
	return 1;
}

static const char *person_by_id_number(struct fb_store *s, const char *number, char *out)
{
	struct fb_kv f = {"id_number", number};
	struct fb_list_query q = {0};
	struct fb_error err = {0};

	out[0] = '\0';
	q.kind = "person";
	q.filters = &f;
	q.nfilters = 1;
	fb_list(s, &q, first_id, out, &err);
	return out;
}

int main(void)
{
	struct fb_store *s;
	struct fb_error err = {0};
	struct fb_import_result res;
	struct rejects rj;
	struct fb_record *rec = NULL;
	char id[FB_ID_LEN + 1];
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	setenv("FIELDBOOK_NOW", "2026-11-29T10:00:00+08:00", 1);
	fb_lang_force(0);
	s = test_store("t", "张静");

	/* headers by code, Chinese label, English label; BOM; CRLF; blank rows skipped */
	rc = run(s, "person",
		 "\xef\xbb\xbfname,证件号码,Mobile,职业\r\n"
		 "张三,11010519491231002X,139 1234 5678,快递员\r\n"
		 "\r\n,,,\r\n"
		 "李四,110105491231002,,外卖骑手\r\n" /* legacy: the same person as 张三 */
		 "王五,440524188001010014,13800000001,courier\r\n",
		 0, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.saved, "roster imported: %s", err.message);
	TAP_OK(res.rows == 3 && res.added == 2 && res.matched == 1 && res.rejected == 0,
	       "3 rows: 2 added, 1 matched (rows %zu added %zu matched %zu rejected %zu)", res.rows,
	       res.added, res.matched, res.rejected);
	TAP_OK(res.upgraded == 1, "the 15-digit number was upgraded");
	TAP_OK(people(s) == 2, "two people in the store");
	TAP_OK(res.kept == 2 && res.filled == 0, "matched row kept the existing name and occupation (kept %zu)",
	       res.kept);
	person_by_id_number(s, "11010519491231002X", id);
	TAP_OK(fb_record_get(&rec, s, id, &err) == 0 && !strcmp(fb_record_value(rec, "name"), "张三") &&
		       !strcmp(fb_record_value(rec, "mobile"), "13912345678") &&
		       !strcmp(fb_record_value(rec, "gender"), "female"),
	       "张三 saved with a normalised mobile and derived gender");
	fb_record_free(rec);
	rec = NULL;

	/* a matched person gets empty fields filled, never overwritten */
	rc = run(s, "person", "id_number,name,occupation,employer,mobile\n"
			      "11010519491231002x,张三丰,courier,速达快递,13999999999\n",
		 0, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.matched == 1 && res.filled == 1 && res.added == 0 && res.kept == 2,
	       "match by the lower-case x number: employer filled, name and mobile kept");
	TAP_OK(fb_record_get(&rec, s, id, &err) == 0 && !strcmp(fb_record_value(rec, "employer"), "速达快递") &&
		       !strcmp(fb_record_value(rec, "name"), "张三") &&
		       !strcmp(fb_record_value(rec, "mobile"), "13912345678"),
	       "... the record has the employer, its own name and mobile");
	fb_record_free(rec);
	rec = NULL;

	/* rejected rows: line, field, reason; the valid rows are saved */
	rc = run(s, "person",
		 "name,id_number,mobile,occupation\n"
		 "赵六,,12012345678,courier\n"
		 "\"钱\n七\",,,courier\n"
		 "孙八,,,\n"
		 "周九,44030519890229456X,,courier\n"
		 "吴十,,13700000000,courier,extra\n"
		 "郑十一,,13700000001,courier\n",
		 0, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.rows == 6 && res.rejected == 5 && res.added == 1 && res.saved,
	       "5 of 6 rows rejected, the valid one saved");
	TAP_OK(strstr(rj.text, "2 mobile:") != NULL, "bad mobile on line 2");
	TAP_OK(strstr(rj.text, "3 name:") != NULL, "line break in a name: line 3 (where the row starts)");
	TAP_OK(strstr(rj.text, "5 occupation:") != NULL, "missing required occupation on line 5 (after the 2-line row)");
	TAP_OK(strstr(rj.text, "6 id_number:") != NULL, "impossible birth date on line 6");
	TAP_OK(strstr(rj.text, "7 : ") && strstr(rj.text, "header names 4"), "too many cells on line 7");
	if (res.rejected != 5)
		printf("%s", rj.text);
	TAP_OK(people(s) == 3, "3 people now");

	/* all or nothing */
	rc = run(s, "person", "name,occupation\n甲,courier\n乙,nope\n", 1, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && !res.saved && res.rejected == 1 && people(s) == 3,
	       "--all-or-nothing: one bad row, nothing saved");
	rc = run(s, "person", "name,occupation\n甲,courier\n乙,other\n", 1, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.saved && res.added == 2 && people(s) == 5, "--all-or-nothing: all good, all saved");
	rc = run(s, "person", "name,occupation\n丙,courier\n", 0, 1, &res, &rj, &err);
	TAP_OK(rc == 0 && !res.saved && res.added == 1 && people(s) == 5, "dry run counts and saves nothing");

	/* repeated people in one file are added once */
	rc = run(s, "person", "name,id_number,occupation\n冯,310115199503151235,courier\n冯,310115199503151235,courier\n",
		 0, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.added == 1 && res.matched == 1 && people(s) == 6, "a person twice in a file is added once");

	/* file-level refusals */
	rc = run(s, "person", "name,nickname\n甲,乙\n", 0, 0, &res, &rj, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "column 2") && strstr(err.message, "nickname"),
	       "unknown column refused: %s", err.message);
	rc = run(s, "person", "name,姓名\n甲,乙\n", 0, 0, &res, &rj, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "columns 1 and 2"), "repeated column refused: %s",
	       err.message);
	rc = run(s, "person", "name,occupation\n\xd5\xc5\xc8\xfd,courier\n", 0, 0, &res, &rj, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "line 2") && strstr(err.message, "GBK"),
	       "GBK refused: %s", err.message);
	rc = run(s, "person", "", 0, 0, &res, &rj, &err);
	TAP_OK(rc == FB_EINVAL && strstr(err.message, "empty"), "empty file refused");
	rc = run(s, "nosuch", "name\nx\n", 0, 0, &res, &rj, &err);
	TAP_OK(rc == FB_ENOTFOUND, "unknown kind");
	TAP_OK(people(s) == 6, "nothing saved by refused files");

	/* our own export's record id column is ignored, the formula apostrophe removed,
	 * an empty column without a header is fine */
	rc = run(s, "person", "Record id,Name,Occupation,Employer,\nabcd1234abcd1234,陈,courier,'=1+1,\n", 0, 0,
		 &res, &rj, &err);
	TAP_OK(rc == 0 && res.added == 1, "export-style file imported");
	rc = run(s, "person", "name,occupation,\n褚,courier,x\n", 0, 0, &res, &rj, &err);
	TAP_OK(rc == 0 && res.rejected == 1 && strstr(rj.text, "no header"), "a value under no header is rejected");

	/* other kinds: a consultation referring to a person */
	{
		char csv[256];
		snprintf(csv, sizeof csv, "person,date,topics,summary,outcome,claimed\n%s,2026-11-01,欠薪、工伤,拖欠工资,answered,\"1,200.50\"\n", id);
		rc = run(s, "consultation", csv, 0, 0, &res, &rj, &err);
		TAP_OK(rc == 0 && res.added == 1, "consultation imported with a reference and money: %s", rj.text);
	}
	test_store_free(s);
	return tap_done();
}
