/* test_query.c - unit tests of core/query.c and core/index.c: lists with keyset paging
 * and filters, search by name (one, two and more characters, CJK Ext-B, the · separator),
 * ID number, mobile (full and last 4) and free text, ranking, linked records, and query
 * plans without full-table scans (tests layer). */
#include "storetest.h"

struct collected {
	char ids[64][FB_ID_LEN + 1];
	char match[64][16];
	size_t n;
};

static int collect_row(const struct fb_row *row, void *ctx)
{
	struct collected *c = ctx;

	if (c->n < 64) {
		snprintf(c->ids[c->n], sizeof c->ids[0], "%s", row->id);
		snprintf(c->match[c->n], sizeof c->match[0], "%s", row->match ? row->match : "");
		c->n++;
	}
	return 0;
}

static int collect_linked(const struct fb_row *row, const char *via, void *ctx)
{
	return collect_row(row, ctx);
}

static size_t search(struct fb_store *s, const char *q, const char *kind, struct collected *c)
{
	struct fb_error err = {0};

	memset(c, 0, sizeof *c);
	if (fb_search(s, q, kind, 0, 50, collect_row, c, &err) < 0)
		printf("# search '%s': %s\n", q, err.message);
	return c->n;
}

static int has(const struct collected *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->ids[i], id))
			return 1;
	return 0;
}

struct scans {
	int bad;
};

/* 1 if detail scans the common table expression that sql names after WITH [RECURSIVE]
 * (a recursive query's own queue, not a stored table), or a constant row. */
static int scans_cte(const char *sql, const char *detail)
{
	const char *w = strstr(sql, "WITH ");
	size_t n;

	if (!strcmp(detail, "SCAN CONSTANT ROW"))
		return 1;
	if (!w)
		return 0;
	w += 5;
	if (!strncmp(w, "RECURSIVE ", 10))
		w += 10;
	n = strcspn(w, "( ");
	return n && !strncmp(detail + 5, w, n) && (detail[5 + n] == '\0' || detail[5 + n] == ' ');
}

static int plan_line(const char *sql, const char *detail, void *ctx)
{
	struct scans *sc = ctx;

	/* A bounded subquery (a LIMITed count) is scanned by design. */
	if (!strncmp(detail, "SCAN ", 5) && !strstr(detail, "(subquery-") && !strstr(detail, "VIRTUAL TABLE") &&
	    !scans_cte(sql, detail)) {
		printf("#   full scan: %s\n#     in: %s\n", detail, sql);
		sc->bad++;
	}
	return 0;
}

int main(void)
{
	struct fb_store *s;
	struct fb_error err = {0};
	struct collected c;
	char zs[32], zsf[32], ayi[32], ext[32], other[32], cons[32], id[32];
	struct scans sc = {0};
	int i, rc;

	setlocale(LC_ALL, "C.UTF-8");
	s = test_store("gate-1", "张静");
	rc = test_add(s, zs, "person", &err, "name", "张三", "id_number", "11010519491231002X", "mobile",
		      "13912345678", "occupation", "外卖骑手", "employer", "顺达配送有限公司", NULL);
	TAP_OK(rc == 0, "add 张三");
	test_add(s, zsf, "person", &err, "name", "张三丰", "occupation", "courier", "mobile",
		 "13800005678", NULL);
	test_add(s, ayi, "person", &err, "name", "阿依古丽•买买提", "occupation", "other", NULL);
	test_add(s, ext, "person", &err, "name", "𠀀明", "occupation", "other", NULL);
	test_add(s, other, "person", &err, "name", "李四", "occupation", "security_guard", "employer",
		 "Shunda Logistics", NULL);
	for (i = 0; i < 60; i++) {
		char name[32];
		snprintf(name, sizeof name, "王%d", i);
		test_add(s, id, "person", &err, "name", name, "occupation", "construction", NULL);
	}
	rc = test_add(s, cons, "consultation", &err, "person", zs, "topics", "欠薪", "summary",
		      "拖欠工资三个月", "outcome", "answered", NULL);
	TAP_OK(rc == 0, "add a consultation linked to 张三: %s", err.message);

	TAP_OK(search(s, "张三", NULL, &c) == 2 && !strcmp(c.ids[0], zs),
	       "two-character name: exact match first, then 张三丰");
	TAP_OK(search(s, "三丰", NULL, &c) == 1 && has(&c, zsf), "two characters inside a name");
	TAP_OK(search(s, "张", NULL, &c) == 2, "one character");
	TAP_OK(search(s, "张三丰", NULL, &c) == 1 && has(&c, zsf), "three characters");
	TAP_OK(search(s, "阿依古丽·买买提", NULL, &c) == 1 && has(&c, ayi),
	       "name typed with U+2022 is stored and found with U+00B7");
	TAP_OK(search(s, "𠀀明", NULL, &c) == 1 && has(&c, ext), "CJK Ext-B character survives saving and search");
	TAP_OK(search(s, "11010519491231002x", NULL, &c) == 1 && has(&c, zs) && !strcmp(c.match[0], "id_number"),
	       "ID number, lower-case x normalised, exact");
	TAP_OK(search(s, "１１０１０５１９４９１２３１００２Ｘ", NULL, &c) == 1, "full-width ID number");
	TAP_OK(search(s, "139 1234 5678", NULL, &c) == 1 && has(&c, zs), "full mobile with spaces");
	TAP_OK(search(s, "5678", NULL, &c) == 2 && !strcmp(c.match[0], "mobile"), "last four digits of a mobile");
	TAP_OK(search(s, "配送", NULL, &c) == 1 && has(&c, zs), "free text in the employer");
	TAP_OK(search(s, "shunda", NULL, &c) == 1 && has(&c, other), "latin word, case-insensitive prefix");
	TAP_OK(search(s, "工资", NULL, &c) == 1 && has(&c, cons), "consultation summary text");
	TAP_OK(search(s, "张三", "consultation", &c) == 0, "kind filter");
	TAP_OK(search(s, "王", NULL, &c) == 50, "paged: the first page holds the limit");
	memset(&c, 0, sizeof c);
	fb_search(s, "王", NULL, 50, 50, collect_row, &c, &err);
	TAP_OK(c.n == 10, "the second page holds the rest");
	TAP_OK(fb_search(s, "  ", NULL, 0, 10, collect_row, &c, &err) == FB_EUSAGE, "empty search refused");
	TAP_OK(search(s, "\"*OR NEAR(", NULL, &c) == 0, "FTS syntax in a query is inert");

	/* lists */
	{
		struct fb_list_query q = {0};
		struct fb_kv f = {"occupation", "建筑工人"};
		q.kind = "person";
		q.limit = 25;
		memset(&c, 0, sizeof c);
		TAP_OK(fb_list(s, &q, collect_row, &c, &err) == 0 && c.n == 25, "first list page");
		{
			char after[FB_ID_LEN + 1];
			memcpy(after, c.ids[24], sizeof after);
			q.after = after;
			memset(&c, 0, sizeof c);
			fb_list(s, &q, collect_row, &c, &err);
		}
		TAP_OK(c.n == 25, "keyset page after the last id");
		q.after = NULL;
		q.limit = 100;
		q.filters = &f;
		q.nfilters = 1;
		memset(&c, 0, sizeof c);
		fb_list(s, &q, collect_row, &c, &err);
		TAP_OK(c.n == 60, "filter by a choice label");
		f.field = "colour";
		TAP_OK(fb_list(s, &q, collect_row, &c, &err) == FB_EINVAL, "filter on an unknown field refused");
	}
	memset(&c, 0, sizeof c);
	TAP_OK(fb_linked(s, zs, 10, collect_linked, &c, &err) == 0 && c.n == 1 && has(&c, cons),
	       "a person's consultations are linked to them");

	/* deleting removes from search and lists */
	TAP_OK(fb_record_delete(s, zsf, &err) == 0 && search(s, "张三丰", NULL, &c) == 0,
	       "deleted records leave search");

	{
		int64_t n = 0;
		fb_count(s, "person", &n, &err);
		TAP_OK(n == 64, "live person count kept incrementally (%lld)", (long long)n);
		fb_store_rebuild(s, &err);
		fb_count(s, "person", &n, &err);
		TAP_OK(n == 64, "and the same after rebuild");
	}
	/* Exact names rank first however many newer names start with them. */
	{
		char old[3][32], tmp[32], name[32];
		for (i = 0; i < 3; i++)
			test_add(s, old[i], "person", &err, "name", "檀叡", "occupation", "other", NULL);
		for (i = 0; i < 510; i++) {
			snprintf(name, sizeof name, "檀叡%d", i);
			test_add(s, tmp, "person", &err, "name", name, "occupation", "other", NULL);
		}
		search(s, "檀叡", NULL, &c);
		TAP_OK(c.n == 50 && has(&c, old[0]) && has(&c, old[1]) && has(&c, old[2]) &&
			       (!strcmp(c.ids[0], old[0]) || !strcmp(c.ids[0], old[1]) || !strcmp(c.ids[0], old[2])),
		       "3 exact names found first among 513 matches (older than the 500 newest)");
	}
	fb_store_query_plans(s, plan_line, &sc, &err);
	TAP_OK(sc.bad == 0, "no statement used for saving, listing or searching scans a whole table");

	test_store_free(s);
	return tap_done();
}
