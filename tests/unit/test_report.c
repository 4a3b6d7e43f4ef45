/* test_report.c - unit tests of core/report*.c: periods, and every figure of the report
 * on a generated dataset checked against an independent SQL query (tests layer).
 *
 * The dataset spans 2023-2026 with every reported kind, several teams and sites, an
 * edit conflict from another device, a merged duplicate person and deleted records.
 * The expected figures are computed here with SQL written separately from core's
 * (correlated subqueries, SQLite's own date and localtime functions, recursive CTEs to
 * split item lists), over the same store file, for the period and the previous one and
 * for each group key; the sum of each group's rows is checked against the query without
 * a key, so no group can be missing.  Finally the report's statements must use indexes. */
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

#include "fieldbook/i18n.h"
#include "fieldbook/report.h"
#include "storetest.h"

static unsigned seed = 12345;
static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((unsigned)n)];
}
#define PICK(v) pick(v, sizeof v / sizeof v[0])

/* ---------------------------------------------------------------- the expected figures */

/* A value of field x of record r. */
#define F(x) "(SELECT value FROM field WHERE rec = r.id AND name = '" x "')"
/* The key of a choice or text: '-' when empty. */
#define K(x) "coalesce(nullif(" F(x) ", ''), '-')"
/* Occupation of the person named by field x, following merged_into. */
#define OCC(x)                                                                                          \
	"coalesce(nullif((SELECT o.value FROM field o WHERE o.name = 'occupation' AND o.rec = "        \
	"coalesce((SELECT p.merged_into FROM record p WHERE p.id = " F(x) "), " F(x) ")), ''), '-')"
#define CDATE "date((r.created_hlc >> 16) / 1000, 'unixepoch', 'localtime')"
#define PDATE "coalesce(nullif(" F("joined_on") ", ''), " CDATE ")"
#define KEYIS(expr) " AND (?3 IS NULL OR " expr " = ?3)"
#define MULTI(x)                                                                                        \
	"sum(CASE WHEN ?3 IS NULL THEN length(" K(x) ") - length(replace(" K(x) ", ',', '')) + 1"       \
	" ELSE (',' || " K(x) " || ',') LIKE '%,' || ?3 || ',%' END)"

#define PERSON " FROM record r WHERE r.kind = 'person' AND r.live = 1 AND r.status IN ('member', 'retained'," \
	" 'transferred_out', 'withdrawn') AND " PDATE " BETWEEN ?1 AND ?2"
#define NEF " AND " F("occupation") " IN ('food_delivery', 'courier', 'ride_hailing', 'truck_driver')"
#define CONS " FROM record r WHERE r.kind = 'consultation' AND r.live = 1 AND " F("date") " BETWEEN ?1 AND ?2"
#define CASES " FROM record r WHERE r.kind = 'case' AND r.live = 1 AND " F("received_at") " BETWEEN ?1 AND ?2"
#define VISITS " FROM record r WHERE r.kind = 'visit' AND r.live = 1 AND " F("date") " BETWEEN ?1 AND ?2" \
	" AND coalesce(r.status, '') <> 'cancelled'"
#define REQS " FROM record r WHERE r.kind = 'request' AND r.live = 1 AND " CDATE " BETWEEN ?1 AND ?2"
#define DEMS " FROM record r WHERE r.kind = 'demand' AND r.live = 1 AND " CDATE " BETWEEN ?1 AND ?2"
#define GRANTS " FROM record r WHERE r.kind = 'assistance' AND r.live = 1 AND " F("paid_on") " BETWEEN ?1 AND ?2" \
	" AND coalesce(r.status, '') <> 'refused'"
#define MONTH(d) KEYIS("substr(" d ", 1, 7)")
#define SUMINT(x) "coalesce(sum(CAST(" F(x) " AS INTEGER)), 0)"
/* Items "NAME×QTY@FEN; ..." split into one row per entry by a recursive CTE. */
#define SPLIT(x, from)                                                                                  \
	"WITH RECURSIVE split(rest, item) AS (SELECT " F(x) " || '; ', ''" from                          \
	" UNION ALL SELECT substr(rest, instr(rest, '; ') + 2), substr(rest, 1, instr(rest, '; ') - 1)"     \
	" FROM split WHERE rest <> '') "
#define QTY "CAST(substr(item, instr(item, '×') + 1) AS INTEGER)"
#define FEN "CAST(substr(item, instr(item, '@') + 1) AS INTEGER)"
#define RATE(num, den, scale, from)                                                                     \
	"SELECT CASE WHEN d > 0 THEN (n * " scale " * 2 + d) / (2 * d) END FROM (SELECT sum(" num ") AS n, sum(" den \
	") AS d" from ")"

static const struct {
	const char *metric;
	const char *sql; /* ?1 from, ?2 to, ?3 key or NULL for every key, ?4 the 15-day clock's day */
} expected[] = {
	{"new_members", "SELECT count(*)" PERSON},
	{"new_members_by_occupation", "SELECT count(*)" PERSON KEYIS(K("occupation"))},
	{"new_members_by_relation", "SELECT count(*)" PERSON KEYIS(K("relation"))},
	{"new_employment_form", "SELECT count(*)" PERSON NEF},
	{"new_employment_form_by_occupation", "SELECT count(*)" PERSON NEF KEYIS(K("occupation"))},
	{"new_members_by_month", "SELECT count(*)" PERSON MONTH(PDATE)},
	{"consultations", "SELECT count(*)" CONS},
	{"consultations_by_topic", "SELECT coalesce(" MULTI("topics") ", 0)" CONS},
	{"consultations_by_outcome", "SELECT count(*)" CONS KEYIS(K("outcome"))},
	{"consultations_by_occupation", "SELECT count(*)" CONS KEYIS(OCC("person"))},
	{"consultations_claimed", "SELECT " SUMINT("claimed") CONS},
	{"consultations_by_month", "SELECT count(*)" CONS MONTH(F("date"))},
	{"cases", "SELECT count(*)" CASES},
	{"cases_by_status", "SELECT count(*)" CASES KEYIS("coalesce(nullif(r.status, ''), '-')")},
	{"cases_claimed", SPLIT("claims", CASES) "SELECT coalesce(sum(" QTY " * " FEN "), 0) FROM split"
			  " WHERE item <> ''"},
	{"cases_agreed", "SELECT " SUMINT("agreed_amount") CASES},
	{"cases_recovered", "SELECT " SUMINT("recovered") CASES},
	{"cases_past_15_days", "SELECT count(*)" CASES " AND r.status IN ('applied', 'accepted', 'mediating')"
			       " AND julianday(?4) - julianday(" F("received_at") ") > 15"},
	{"visits", "SELECT count(*)" VISITS},
	{"visits_by_type", "SELECT count(*)" VISITS KEYIS(K("type"))},
	{"visits_by_team", "SELECT count(*)" VISITS KEYIS(K("team"))},
	{"visits_by_site", "SELECT count(*)" VISITS KEYIS(K("site"))},
	{"headcount", "SELECT " SUMINT("headcount") VISITS},
	{"headcount_by_team", "SELECT " SUMINT("headcount") VISITS KEYIS(K("team"))},
	{"headcount_by_site", "SELECT " SUMINT("headcount") VISITS KEYIS(K("site"))},
	{"items", SPLIT("items", VISITS) "SELECT coalesce(sum(" QTY "), 0) FROM split WHERE item <> ''"
		  " AND (?3 IS NULL OR substr(item, 1, instr(item, '×') - 1) = ?3)"},
	{"items_value", SPLIT("items", VISITS) "SELECT coalesce(sum(" QTY " * " FEN "), 0) FROM split"
			" WHERE item <> ''"},
	{"cost", "SELECT " SUMINT("cost") VISITS},
	{"visits_by_month", "SELECT count(*)" VISITS MONTH(F("date"))},
	{"requests", "SELECT count(*)" REQS},
	{"requests_by_status", "SELECT count(*)" REQS KEYIS("coalesce(nullif(r.status, ''), '-')")},
	{"requests_by_service", "SELECT count(*)" REQS KEYIS(K("service"))},
	{"requests_by_occupation", "SELECT count(*)" REQS KEYIS(OCC("requester"))},
	{"delivery_rate", RATE("r.status IN ('delivered', 'rated')", "r.status <> 'cancelled'", "1000", REQS)},
	{"average_rating", RATE("CAST(" F("rating") " AS INTEGER)", F("rating") " IS NOT NULL", "100", REQS)},
	{"requests_by_month", "SELECT count(*)" REQS MONTH(CDATE)},
	{"demands", "SELECT count(*)" DEMS},
	{"demands_by_category", "SELECT coalesce(" MULTI("categories") ", 0)" DEMS},
	{"workers_affected", "SELECT " SUMINT("affected") DEMS},
	{"closure_rate", RATE("r.status = 'closed'", "1", "1000", DEMS)},
	{"demands_by_month", "SELECT count(*)" DEMS MONTH(CDATE)},
	{"grants", "SELECT count(*)" GRANTS},
	{"grants_amount", "SELECT " SUMINT("amount") GRANTS},
	{"grants_by_type", "SELECT count(*)" GRANTS KEYIS(K("type"))},
	{"grants_amount_by_type", "SELECT " SUMINT("amount") GRANTS KEYIS(K("type"))},
	{"grants_by_occupation", "SELECT count(*)" GRANTS KEYIS(OCC("person"))},
	{"grants_by_month", "SELECT count(*)" GRANTS MONTH(F("paid_on"))},
};

/* The summary's figure of a kind is the headline metric of its section. */
static const char *summary_metric(const char *kind)
{
	static const char *const map[][2] = {{"person", "new_members"}, {"visit", "visits"},
					     {"consultation", "consultations"}, {"case", "cases"},
					     {"request", "requests"}, {"demand", "demands"},
					     {"assistance", "grants"}};
	size_t i;

	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], kind))
			return map[i][1];
	return NULL;
}

/* Runs the expected query of metric; *ok = 0 when it gives NULL (an undefined rate). */
static int64_t expect(sqlite3 *db, const char *metric, const char *from, const char *to, const char *key,
		      const char *asof, int *ok, int *found)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	size_t i;

	*ok = 0;
	*found = 0;
	for (i = 0; i < sizeof expected / sizeof expected[0]; i++)
		if (!strcmp(expected[i].metric, metric))
			break;
	if (i == sizeof expected / sizeof expected[0])
		return 0;
	*found = 1;
	if (sqlite3_prepare_v2(db, expected[i].sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", metric, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	if (key && *key)
		sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, asof, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		v = sqlite3_column_int64(st, 0);
		*ok = 1;
	}
	sqlite3_finalize(st);
	return v;
}

/* "YYYY-MM" shifted back by months. */
static void month_back(char *out, const char *key, int months)
{
	int y = atoi(key), m = atoi(key + 5), idx = y * 12 + m - 1 - months;
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%04d-%02d", idx / 12, idx % 12 + 1);
	snprintf(out, 8, "%.7s", tmp);
}

static const char *min_day(const char *a, const char *b)
{
	return strcmp(a, b) < 0 ? a : b;
}

/* Every row of a report against the independent queries; returns the number checked. */
static int check_report(sqlite3 *db, const struct fb_report *rep, int month_shift, const char *what)
{
	size_t i, j;
	int bad = 0, checked = 0;
	const char *asof0 = min_day(rep->period.to, rep->today), *asof1 = min_day(rep->previous.to, rep->today);

	for (i = 0; i < rep->nrows; i++) {
		const struct fb_report_row *r = &rep->rows[i];
		const char *metric = r->metric, *key = r->key;
		char prev_key[8];
		int ok0, ok1, found;
		int64_t e0, e1;
		if (!strcmp(metric, "records_by_kind")) {
			metric = summary_metric(r->key);
			key = "";
		}
		e0 = expect(db, metric, rep->period.from, rep->period.to, key, asof0, &ok0, &found);
		if (strstr(metric, "_by_month")) {
			month_back(prev_key, key, month_shift);
			key = prev_key;
		}
		e1 = expect(db, metric, rep->previous.from, rep->previous.to, key, asof1, &ok1, &found);
		checked++;
		if (!found || e0 != r->cur || e1 != r->prev || ok0 != r->cur_ok || ok1 != r->prev_ok) {
			bad++;
			printf("#   %s %s [%s]: report %lld/%lld (%d/%d), SQL %lld/%lld (%d/%d)%s\n", what, r->metric,
			       r->key, (long long)r->cur, (long long)r->prev, r->cur_ok, r->prev_ok, (long long)e0,
			       (long long)e1, ok0, ok1, found ? "" : " (no query)");
		}
	}
	TAP_OK(bad == 0 && checked > 0, "%s: all %d rows (period and previous) equal the independent SQL", what,
	       checked);

	/* Groups: the rows of a keyed metric add up to the query over every key. */
	bad = 0;
	for (i = 0; i < rep->nrows; i = j) {
		int64_t s0 = 0, s1 = 0, e0, e1;
		int ok, found, keyed = *rep->rows[i].key != '\0';
		for (j = i; j < rep->nrows && !strcmp(rep->rows[j].metric, rep->rows[i].metric); j++) {
			s0 += rep->rows[j].cur;
			s1 += rep->rows[j].prev;
		}
		if (!keyed || !strcmp(rep->rows[i].metric, "records_by_kind") ||
		    strstr(rep->rows[i].metric, "_by_month"))
			continue;
		e0 = expect(db, rep->rows[i].metric, rep->period.from, rep->period.to, NULL, asof0, &ok, &found);
		e1 = expect(db, rep->rows[i].metric, rep->previous.from, rep->previous.to, NULL, asof1, &ok, &found);
		if (s0 != e0 || s1 != e1) {
			bad++;
			printf("#   %s %s: groups sum to %lld/%lld, SQL over all keys %lld/%lld\n", what,
			       rep->rows[i].metric, (long long)s0, (long long)s1, (long long)e0, (long long)e1);
		}
	}
	TAP_OK(bad == 0, "%s: the groups of every keyed figure add up to the figure over all keys", what);
	return checked;
}

/* ---------------------------------------------------------------- the dataset */

static const char *const occupations[] = {"food_delivery", "courier", "ride_hailing", "truck_driver", "domestic",
					  "security_guard", "manufacturing", "construction", "other"};
static const char *const relations[] = {"", "employment", "dispatch", "outsourcing", "incomplete", "civil",
					"flexible"};
static const char *const member_statuses[] = {"non_member", "applied", "member", "member", "member",
					      "retained", "transferred_out", "withdrawn"};
static const char *const visit_types[] = {"summer_cooling", "new_year", "legal_awareness", "hardship_visit",
					  "training"};
static const char *const visit_statuses[] = {"planned", "done", "done", "archived", "cancelled"};
static const char *const teams[] = {"中山港", "东区服务队", "West team"};
static const char *const sites[] = {"火炬园区", "司机之家·南站", "Rider station 3"};
static const char *const topics[] = {"wage_arrears", "contract", "injury", "social_insurance", "wage_arrears,injury",
				     "termination,hours_leave"};
static const char *const outcomes[] = {"answered", "referred_mediation", "legal_aid", "arbitration_advised"};
static const char *const case_statuses[] = {"applied", "accepted", "mediating", "agreement", "failed", "withdrawn",
					    "performed"};
static const char *const services[] = {"技能培训", "体检", "子女暑期托管", "心理咨询"};
static const char *const request_statuses[] = {"ordered", "accepted", "dispatched", "delivered", "rated",
					       "cannot_fulfil", "cancelled"};
static const char *const categories[] = {"wages", "hours", "rest", "safety_health", "wages,platform_rules", "fines"};
static const char *const demand_statuses[] = {"collected", "assigned", "responded", "closed", "closed",
					      "not_handled"};
static const char *const aid_types[] = {"living", "medical", "education", "holiday"};
static const char *const aid_statuses[] = {"applied", "approved", "paid", "paid", "refused"};

#define MAXP 400
static char persons[MAXP][32];
static size_t npersons;
static char all_ids[3000][32];
static size_t nall;

static void day_string(char *out, int64_t day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static int add_kv(struct fb_store *s, char *id, const char *kind, struct fb_kv *kv, size_t n)
{
	struct fb_error err = {0};
	int rc = fb_record_add(s, id, kind, kv, n, NULL, 0, &err);

	if (rc < 0)
		printf("# add %s: %s\n", kind, err.message);
	else if (nall < 3000)
		snprintf(all_ids[nall++], sizeof all_ids[0], "%s", id);
	return rc;
}

/* One random record of a random kind, created at day (local time hh:mm). */
static int one_record(struct fb_store *s, int64_t day, int hh, int mm)
{
	char now[40], date[16], near[16], id[32], buf[8][64];
	struct fb_kv kv[16];
	size_t n = 0;
	unsigned kind = npersons < 20 ? 0 : rnd(7);

	day_string(date, day);
	snprintf(now, sizeof now, "%sT%02d:%02d+08:00", date, hh, mm);
	setenv("FIELDBOOK_NOW", now, 1);
	day_string(near, day - (int64_t)rnd(25));
#define KV(f, v) (kv[n].field = (f), kv[n++].value = (v))
	switch (kind) {
	case 0: {
		const char *rel = PICK(relations);
		KV("name", "测试职工");
		KV("occupation", PICK(occupations));
		if (*rel)
			KV("relation", rel);
		KV("member_status", PICK(member_statuses));
		if (rnd(10) < 6)
			KV("joined_on", near);
		if (add_kv(s, id, "person", kv, n) < 0)
			return -1;
		if (npersons < MAXP)
			snprintf(persons[npersons++], sizeof persons[0], "%s", id);
		return 0;
	}
	case 1:
		KV("type", PICK(visit_types));
		KV("date", near);
		KV("site", PICK(sites));
		KV("team", PICK(teams));
		KV("status", PICK(visit_statuses));
		if (rnd(4)) {
			snprintf(buf[0], sizeof buf[0], "%u", rnd(300));
			KV("headcount", buf[0]);
		}
		if (rnd(2)) {
			snprintf(buf[1], sizeof buf[1], "礼包×%u@25; 矿泉水×%u@1.5", rnd(100) + 1, rnd(50) + 1);
			KV("items", buf[1]);
		}
		if (rnd(2)) {
			snprintf(buf[2], sizeof buf[2], "%u.%02u", rnd(5000), rnd(100));
			KV("cost", buf[2]);
		}
		return add_kv(s, id, "visit", kv, n);
	case 2:
		if (rnd(4))
			KV("person", persons[rnd((unsigned)npersons)]);
		KV("date", near);
		KV("topics", PICK(topics));
		KV("summary", "拖欠工资");
		KV("outcome", PICK(outcomes));
		if (rnd(2)) {
			snprintf(buf[0], sizeof buf[0], "%u.5", rnd(90000));
			KV("claimed", buf[0]);
		}
		return add_kv(s, id, "consultation", kv, n);
	case 3:
		snprintf(buf[0], sizeof buf[0], "调-%s-%u", date, rnd(1000));
		KV("case_no", buf[0]);
		KV("applicants", persons[rnd((unsigned)npersons)]);
		KV("respondent", "某某建筑劳务有限公司");
		KV("received_at", near);
		KV("dispute_types", "wage_arrears");
		KV("status", PICK(case_statuses));
		if (rnd(2)) {
			snprintf(buf[1], sizeof buf[1], "工资×%u@3000; 经济补偿×1@%u", rnd(20) + 1, rnd(9000) + 1);
			KV("claims", buf[1]);
		}
		if (rnd(2)) {
			snprintf(buf[2], sizeof buf[2], "%u", rnd(960000));
			KV("recovered", buf[2]);
			snprintf(buf[3], sizeof buf[3], "%u", rnd(960000));
			KV("agreed_amount", buf[3]);
		}
		return add_kv(s, id, "case", kv, n);
	case 4: {
		const char *st = PICK(request_statuses);
		KV("requester", persons[rnd((unsigned)npersons)]);
		KV("service", PICK(services));
		KV("status", st);
		if (!strcmp(st, "rated") || rnd(8) == 0) {
			snprintf(buf[0], sizeof buf[0], "%u", rnd(5) + 1);
			KV("rating", buf[0]);
		}
		return add_kv(s, id, "request", kv, n);
	}
	case 5:
		KV("collected_by", "骑手代表王");
		snprintf(buf[0], sizeof buf[0], "%u", rnd(60) + 1);
		KV("affected", buf[0]);
		KV("categories", PICK(categories));
		KV("description", "冬季防风防雨装备");
		KV("status", PICK(demand_statuses));
		return add_kv(s, id, "demand", kv, n);
	default:
		KV("person", persons[rnd((unsigned)npersons)]);
		KV("type", PICK(aid_types));
		snprintf(buf[0], sizeof buf[0], "%u", rnd(7000) + 1);
		KV("amount", buf[0]);
		KV("reason", "母亲手术");
		KV("status", PICK(aid_statuses));
		if (rnd(10) < 7)
			KV("paid_on", near);
		return add_kv(s, id, "assistance", kv, n);
	}
#undef KV
}

static int64_t days_of(int y, int m, int d)
{
	struct tm tm = {0};

	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)(timegm(&tm) / 86400);
}

struct scans {
	int bad, lines, allowed;
};

static int plan_line(const char *sql, const char *detail, void *ctx)
{
	struct scans *sc = ctx;

	sc->lines++;
	/* The one deliberate scan: the members pass reads the record table in order
	 * (core/report_people.c says why), marked in its SQL. */
	if (strstr(sql, "/* scan */") && !strncmp(detail, "SCAN record", 11)) {
		printf("#   allowed: %s\n", detail);
		sc->allowed++;
		return 0;
	}
	if (!strncmp(detail, "SCAN ", 5) && !strstr(detail, "(subquery-") && !strstr(detail, "VIRTUAL TABLE")) {
		printf("#   full scan: %s\n#     in: %s\n", detail, sql);
		sc->bad++;
	}
	return 0;
}

int main(void)
{
	struct fb_store *s;
	struct fb_error err = {0};
	struct fb_report_query q;
	struct fb_report *rep = NULL;
	struct fb_report_period p, prev;
	sqlite3 *db = NULL;
	char path[4200], survivor[32] = "", dup[32] = "";
	int64_t day;
	int rc, fails = 0, i;
	struct scans sc = {0};

	setlocale(LC_ALL, "C.UTF-8");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	fb_lang_force(0);

	/* periods */
	TAP_OK(fb_report_period_parse(&p, "year", "2026", &err) == 0 && !strcmp(p.from, "2026-01-01") &&
		       !strcmp(p.to, "2026-12-31"),
	       "--year 2026 is 2026-01-01..2026-12-31");
	fb_report_period_previous(&prev, &p);
	TAP_OK(!strcmp(prev.from, "2025-01-01") && !strcmp(prev.to, "2025-12-31"), "previous year");
	TAP_OK(fb_report_period_parse(&p, "quarter", "2026Q1", &err) == 0 && !strcmp(p.to, "2026-03-31"),
	       "--quarter 2026Q1 ends 2026-03-31");
	fb_report_period_previous(&prev, &p);
	TAP_OK(!strcmp(prev.from, "2025-10-01") && !strcmp(prev.to, "2025-12-31"), "previous quarter crosses the year");
	TAP_OK(fb_report_period_parse(&p, "month", "2024-03", &err) == 0 && !strcmp(p.to, "2024-03-31"),
	       "--month 2024-03");
	fb_report_period_previous(&prev, &p);
	TAP_OK(!strcmp(prev.from, "2024-02-01") && !strcmp(prev.to, "2024-02-29"), "previous month: a leap February");
	TAP_OK(fb_report_period_range(&p, "2026-03-10", "2026-03-19", &err) == 0, "--from/--to");
	fb_report_period_previous(&prev, &p);
	TAP_OK(!strcmp(prev.from, "2026-02-28") && !strcmp(prev.to, "2026-03-09"), "previous 10 days: %s..%s",
	       prev.from, prev.to);
	TAP_OK(fb_report_period_parse(&p, "month", "2026-13", &err) == FB_EINVAL && !strcmp(err.field, "--month"),
	       "month 13 refused: %s", err.message);
	TAP_OK(fb_report_period_parse(&p, "quarter", "2026Q5", &err) == FB_EINVAL, "quarter 5 refused");
	TAP_OK(fb_report_period_range(&p, "2026-03-10", "2026-02-30", &err) == FB_EINVAL &&
		       !strcmp(err.field, "--to"),
	       "2026-02-30 refused: %s", err.message);
	TAP_OK(fb_report_period_range(&p, "2026-03-10", "2026-03-01", &err) == FB_EINVAL, "--to before --from refused");

	/* the dataset: one record every ~2 days from 2023-07 to 2026-06, times across the day,
	 * with records at 23:50 and 00:10 around the new year of 2025 */
	s = test_store("gate-1", "张静");
	memset(&err, 0, sizeof err);
	rc = 0;
	for (day = days_of(2023, 7, 1); day < days_of(2026, 6, 30) && rc == 0; day += 1 + rnd(2)) {
		int k, per = 1 + (int)rnd(2);
		for (k = 0; k < per && rc == 0; k++)
			rc = one_record(s, day, 8 + (int)rnd(12), (int)rnd(60));
		if (day == days_of(2024, 12, 31) || day == days_of(2024, 12, 30)) {
			for (k = 0; k < 6 && rc == 0; k++)
				rc = one_record(s, days_of(2024, 12, 31), 23, 50);
			for (k = 0; k < 6 && rc == 0; k++)
				rc = one_record(s, days_of(2025, 1, 1), 0, 10);
		}
	}
	TAP_OK(rc == 0 && nall > 600, "generated %zu records (%zu people)", nall, npersons);

	/* later life: status changes, deletions, a conflict from another device, a merge */
	setenv("FIELDBOOK_NOW", "2026-07-01T09:00+08:00", 1);
	for (i = 0; i < 40 && rc == 0; i++) {
		const char *id = all_ids[(size_t)i * 27 % nall]; /* 40 different records */
		if ((rc = fb_record_delete(s, id, &err)) < 0)
			printf("# delete: %s\n", err.message);
	}
	{
		/* two people who joined in 2025: one becomes a duplicate of the other */
		struct fb_kv a[] = {{"name", "李四"}, {"occupation", "courier"}, {"member_status", "member"},
				    {"joined_on", "2025-05-05"}};
		struct fb_kv b[] = {{"name", "李四"}, {"occupation", "food_delivery"}, {"member_status", "member"},
				    {"joined_on", "2025-05-06"}};
		struct fb_kv c[] = {{"person", dup}, {"date", "2025-06-01"}, {"topics", "wage_arrears"},
				    {"summary", "欠薪"}, {"outcome", "answered"}};
		char cid[32];
		rc |= add_kv(s, survivor, "person", a, 4);
		rc |= add_kv(s, dup, "person", b, 4);
		c[0].value = dup;
		rc |= add_kv(s, cid, "consultation", c, 5);
		rc |= test_edit(s, dup, "merged_into", survivor, &err);
		TAP_OK(rc == 0, "a duplicate person merged into another (%s)", err.message);
	}
	{
		/* another device sets a person's occupation and a visit's team concurrently */
		struct fb_op ops[2] = {
			{"ffffffffffffffff:1.0", (int64_t)1 << 62, "王五", "person", persons[5], "occupation",
			 "construction", ""},
			{"ffffffffffffffff:1.1", (int64_t)1 << 62, "王五", "person", persons[7], "relation", "civil", ""},
		};
		struct fb_record *rec = NULL;
		rc = fb_store_apply_ops(s, ops, 2, NULL, &err);
		TAP_OK(rc == 0 && fb_record_get(&rec, s, persons[5], &err) == 0 && rec->conflicts > 0,
		       "an edit conflict from another device (%s)", err.message);
		fb_record_free(rec);
	}

	snprintf(path, sizeof path, "%s/fieldbook.db", fb_store_dir(s));
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		printf("Bail out! cannot open %s\n", path);
		return 2;
	}
	/* the derived tables may live in a second file attached as "state" */
	snprintf(path, sizeof path, "file:%s/fieldbook-state.db?mode=ro", fb_store_dir(s));
	{
		char *q2 = sqlite3_mprintf("ATTACH %Q AS state", path);
		struct stat stbuf;
		char plain[4200];
		snprintf(plain, sizeof plain, "%s/fieldbook-state.db", fb_store_dir(s));
		if (stat(plain, &stbuf) == 0 && sqlite3_exec(db, q2, NULL, NULL, NULL) != SQLITE_OK)
			printf("# attach: %s\n", sqlite3_errmsg(db));
		sqlite3_free(q2);
	}

	/* the year 2025 against 2024, every breakdown and the monthly trend */
	memset(&q, 0, sizeof q);
	fb_report_period_parse(&q.period, "year", "2025", &err);
	q.by = FB_REPORT_BY_TEAM | FB_REPORT_BY_SITE | FB_REPORT_BY_OCCUPATION | FB_REPORT_BY_KIND |
	       FB_REPORT_MONTHLY;
	q.today = "2026-11-29";
	rc = fb_report_compute(&rep, s, &q, &err);
	TAP_OK(rc == 0 && rep->nrows > 100, "year report: %zu rows (%s)", rep ? rep->nrows : 0, err.message);
	if (rep) {
		size_t k;
		int merged_once = 0, has_nef = 0, rows_2025_12 = 0;
		check_report(db, rep, 12, "2025 vs 2024");
		for (k = 0; k < rep->nrows; k++) {
			const struct fb_report_row *r = &rep->rows[k];
			if (!strcmp(r->metric, "new_employment_form") && r->cur > 0)
				has_nef = 1;
			if (!strcmp(r->key, "2025-12"))
				rows_2025_12++;
			if (!strcmp(r->metric, "consultations_by_occupation") && !strcmp(r->key, "courier"))
				merged_once = 1;
		}
		TAP_OK(has_nef, "new-employment-form members are counted separately");
		TAP_OK(rows_2025_12 == 6, "every section has a monthly trend up to 2025-12");
		TAP_OK(merged_once, "a consultation of a merged duplicate counts under the survivor's occupation");
		fb_report_free(rep);
		rep = NULL;
	}

	/* a month against the month before (no breakdowns), and a day range */
	memset(&q, 0, sizeof q);
	fb_report_period_parse(&q.period, "month", "2025-03", &err);
	q.today = "2025-03-20"; /* the 15-day clock stops at today inside the period */
	if (fb_report_compute(&rep, s, &q, &err) == 0) {
		check_report(db, rep, 1, "2025-03 vs 2025-02");
		fb_report_free(rep);
		rep = NULL;
	} else
		fails++;
	memset(&q, 0, sizeof q);
	fb_report_period_range(&q.period, "2024-11-15", "2025-01-14", &err);
	q.by = FB_REPORT_BY_TEAM | FB_REPORT_BY_KIND;
	q.today = "2026-11-29";
	if (fb_report_compute(&rep, s, &q, &err) == 0) {
		check_report(db, rep, 2, "2024-11-15..2025-01-14 vs the 61 days before");
		fb_report_free(rep);
		rep = NULL;
	} else
		fails++;
	TAP_OK(fails == 0, "month and day-range reports computed (%s)", err.message);

	/* formatting */
	{
		struct fb_report_row r = {0};
		char buf[64];
		int ok;
		r.unit = FB_RU_COUNT;
		r.cur = 3970;
		r.prev = 1941;
		r.cur_ok = r.prev_ok = 1;
		fb_report_format(buf, sizeof buf, &r, 0, 0);
		TAP_STREQ(buf, "3,970", "count with a thousands separator");
		fb_report_format(buf, sizeof buf, &r, 2, 0);
		TAP_STREQ(buf, "+2,029", "change with its sign");
		fb_report_format(buf, sizeof buf, &r, 3, 0);
		TAP_STREQ(buf, "+104.5 %", "the brief's growth rate: 3,970 against 1,941 is +104.5 %%");
		fb_report_format(buf, sizeof buf, &r, 3, 1);
		TAP_STREQ(buf, "104.5", "growth for CSV");
		r.unit = FB_RU_FEN;
		r.cur = 96000000;
		r.prev = 96000050;
		fb_report_format(buf, sizeof buf, &r, 0, 0);
		TAP_STREQ(buf, "¥960,000.00", "money");
		fb_report_format(buf, sizeof buf, &r, 2, 0);
		TAP_STREQ(buf, "-¥0.50", "a negative change of money");
		fb_report_format(buf, sizeof buf, &r, 0, 1);
		TAP_STREQ(buf, "960000.00", "money for CSV, in yuan");
		r.prev = 0;
		fb_report_growth(&r, &ok);
		fb_report_format(buf, sizeof buf, &r, 3, 0);
		TAP_OK(!ok && !strcmp(buf, "-"), "no growth rate over nothing");
		r.unit = FB_RU_PERMILLE;
		r.cur = 853;
		r.prev = 800;
		fb_report_format(buf, sizeof buf, &r, 0, 0);
		TAP_STREQ(buf, "85.3 %", "a rate");
		fb_report_format(buf, sizeof buf, &r, 2, 0);
		TAP_STREQ(buf, "+5.3 pt", "a rate's change in points");
	}

	fb_store_query_plans(s, plan_line, &sc, &err);
	TAP_OK(sc.bad == 0 && sc.lines > 0 && sc.allowed == 1,
	       "no statement scans a whole table but the members pass's marked one (%d plan lines)", sc.lines);

	sqlite3_close(db);
	test_store_free(s);
	return tap_done();
}
