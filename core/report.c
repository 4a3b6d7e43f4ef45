/* report.c - the coordinator's period report computed from the materialised tables
 * (core layer).
 *
 * report_join.c reads every live record of the period and of the previous period (they
 * are adjacent, so one range covers both) and the fields the report needs, by hash joins
 * over sequential reads, and hands them to the sink here, which sums the figures.  Which
 * date places a record in a period:
 *   person        joined_on, or the day the record was created when joined_on is empty
 *                 (counted only when member_status is member, retained, transferred_out
 *                 or withdrawn: the person joined);
 *   visit, consultation   date;   case   received_at;   assistance   paid_on;
 *   request, demand       the day the record was created (they have no date field).
 * Created days are local days of the record's first op (its HLC).  The statements are
 * checked by test_report.c to use the field_value index, but for the one deliberate scan
 * of the record table in report_join.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/report.h"
#include "report_int.h"
#include "store_int.h"

/* ---------------------------------------------------------------- the metrics */

enum { KEY_TOTAL, KEY_CHOICE, KEY_TEXT, KEY_KIND, KEY_MONTH };

struct metric_def {
	const char *section;
	const char *code;
	const char *label; /* N_(): English */
	const char *zh;    /* Chinese (labels are data, like the field table's) */
	enum fb_report_unit unit;
	int keyed;          /* KEY_* */
	const char *kind;   /* KEY_CHOICE: the field whose choice labels name the keys */
	const char *field;
	unsigned need;      /* FB_REPORT_BY_* this metric needs, 0 = always */
	int rate;           /* a ratio: numerator / denominator (PERMILLE or RATING) */
};

enum {
	M_SUMMARY,
	M_NEW, M_NEW_OCC, M_NEW_REL, M_NEF, M_NEF_OCC, M_NEW_MONTH,
	M_CONS, M_CONS_TOPIC, M_CONS_OUTCOME, M_CONS_OCC, M_CONS_CLAIMED, M_CASES, M_CASES_STATUS,
	M_CASES_CLAIMED, M_CASES_AGREED, M_CASES_RECOVERED, M_CASES_OVERDUE, M_CONS_MONTH,
	M_VISITS, M_VISITS_TYPE, M_VISITS_TEAM, M_VISITS_SITE, M_HEADCOUNT, M_HEADCOUNT_TEAM,
	M_HEADCOUNT_SITE, M_ITEMS, M_ITEMS_VALUE, M_COST, M_VISITS_MONTH,
	M_REQ, M_REQ_STATUS, M_REQ_SERVICE, M_REQ_OCC, M_DELIVERY, M_RATING, M_REQ_MONTH,
	M_DEM, M_DEM_CAT, M_AFFECTED, M_CLOSURE, M_DEM_MONTH,
	M_GRANTS, M_GRANTS_AMOUNT, M_GRANTS_TYPE, M_GRANTS_AMOUNT_TYPE, M_GRANTS_OCC, M_GRANTS_MONTH,
	M_COUNT
};

#define BY_OCC FB_REPORT_BY_OCCUPATION
#define MONTHLY FB_REPORT_MONTHLY

static const struct metric_def metrics[M_COUNT] = {
	[M_SUMMARY] = {"summary", "records_by_kind", N_("Records of the period by kind"), "本期各类记录", FB_RU_COUNT, KEY_KIND,
		       NULL, NULL, FB_REPORT_BY_KIND, 0},
	[M_NEW] = {"members", "new_members", N_("New members"), "新入会会员", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_NEW_OCC] = {"members", "new_members_by_occupation", N_("New members by occupation"), "新入会会员（按职业）", FB_RU_COUNT,
		       KEY_CHOICE, "person", "occupation", 0, 0},
	[M_NEW_REL] = {"members", "new_members_by_relation", N_("New members by employment relation"), "新入会会员（按用工关系）",
		       FB_RU_COUNT, KEY_CHOICE, "person", "relation", 0, 0},
	[M_NEF] = {"members", "new_employment_form", N_("New members in new forms of employment"), "其中新就业形态劳动者", FB_RU_COUNT,
		   KEY_TOTAL, NULL, NULL, 0, 0},
	[M_NEF_OCC] = {"members", "new_employment_form_by_occupation",
		       N_("New members in new forms of employment by occupation"), "新就业形态劳动者（按职业）", FB_RU_COUNT, KEY_CHOICE,
		       "person", "occupation", 0, 0},
	[M_NEW_MONTH] = {"members", "new_members_by_month", N_("New members by month"), "新入会会员（按月）", FB_RU_COUNT, KEY_MONTH,
			 NULL, NULL, MONTHLY, 0},
	[M_CONS] = {"legal", "consultations", N_("Consultations"), "法律咨询", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_CONS_TOPIC] = {"legal", "consultations_by_topic", N_("Consultations by topic"), "法律咨询（按事项）", FB_RU_COUNT,
			  KEY_CHOICE, "consultation", "topics", 0, 0},
	[M_CONS_OUTCOME] = {"legal", "consultations_by_outcome", N_("Consultations by outcome"), "法律咨询（按处理结果）", FB_RU_COUNT,
			    KEY_CHOICE, "consultation", "outcome", 0, 0},
	[M_CONS_OCC] = {"legal", "consultations_by_occupation", N_("Consultations by occupation"), "法律咨询（按职业）", FB_RU_COUNT,
			KEY_CHOICE, "person", "occupation", BY_OCC, 0},
	[M_CONS_CLAIMED] = {"legal", "consultations_claimed", N_("Amount claimed in consultations"), "咨询诉求金额", FB_RU_FEN,
			    KEY_TOTAL, NULL, NULL, 0, 0},
	[M_CASES] = {"legal", "cases", N_("Mediation cases received"), "受理调解案件", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_CASES_STATUS] = {"legal", "cases_by_status", N_("Cases by status"), "调解案件（按状态）", FB_RU_COUNT, KEY_CHOICE, "case",
			    "status", 0, 0},
	[M_CASES_CLAIMED] = {"legal", "cases_claimed", N_("Amount claimed in cases"), "案件请求金额", FB_RU_FEN, KEY_TOTAL, NULL,
			     NULL, 0, 0},
	[M_CASES_AGREED] = {"legal", "cases_agreed", N_("Amount agreed in cases"), "案件协议金额", FB_RU_FEN, KEY_TOTAL, NULL,
			    NULL, 0, 0},
	[M_CASES_RECOVERED] = {"legal", "cases_recovered", N_("Amount recovered in cases"), "案件追回金额", FB_RU_FEN, KEY_TOTAL,
			       NULL, NULL, 0, 0},
	[M_CASES_OVERDUE] = {"legal", "cases_past_15_days", N_("Open cases past the 15-day clock"), "超过15天未结案件", FB_RU_COUNT,
			     KEY_TOTAL, NULL, NULL, 0, 0},
	[M_CONS_MONTH] = {"legal", "consultations_by_month", N_("Consultations by month"), "法律咨询（按月）", FB_RU_COUNT,
			  KEY_MONTH, NULL, NULL, MONTHLY, 0},
	[M_VISITS] = {"outreach", "visits", N_("Events and visits"), "走访与活动", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_VISITS_TYPE] = {"outreach", "visits_by_type", N_("Events and visits by type"), "走访与活动（按类型）", FB_RU_COUNT, KEY_CHOICE,
			   "visit", "type", 0, 0},
	[M_VISITS_TEAM] = {"outreach", "visits_by_team", N_("Events and visits by team"), "走访与活动（按服务队）", FB_RU_COUNT, KEY_TEXT,
			   NULL, NULL, FB_REPORT_BY_TEAM, 0},
	[M_VISITS_SITE] = {"outreach", "visits_by_site", N_("Events and visits by site"), "走访与活动（按地点）", FB_RU_COUNT, KEY_TEXT,
			   NULL, NULL, FB_REPORT_BY_SITE, 0},
	[M_HEADCOUNT] = {"outreach", "headcount", N_("People reached"), "覆盖人数", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_HEADCOUNT_TEAM] = {"outreach", "headcount_by_team", N_("People reached by team"), "覆盖人数（按服务队）", FB_RU_COUNT,
			      KEY_TEXT, NULL, NULL, FB_REPORT_BY_TEAM, 0},
	[M_HEADCOUNT_SITE] = {"outreach", "headcount_by_site", N_("People reached by site"), "覆盖人数（按地点）", FB_RU_COUNT,
			      KEY_TEXT, NULL, NULL, FB_REPORT_BY_SITE, 0},
	[M_ITEMS] = {"outreach", "items", N_("Items handed out"), "发放物品数量", FB_RU_COUNT, KEY_TEXT, NULL, NULL, 0, 0},
	[M_ITEMS_VALUE] = {"outreach", "items_value", N_("Value of items handed out"), "发放物品价值", FB_RU_FEN, KEY_TOTAL, NULL,
			   NULL, 0, 0},
	[M_COST] = {"outreach", "cost", N_("Cost of events and visits"), "活动费用", FB_RU_FEN, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_VISITS_MONTH] = {"outreach", "visits_by_month", N_("Events and visits by month"), "走访与活动（按月）", FB_RU_COUNT,
			    KEY_MONTH, NULL, NULL, MONTHLY, 0},
	[M_REQ] = {"services", "requests", N_("Service requests"), "服务点单", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_REQ_STATUS] = {"services", "requests_by_status", N_("Requests by status"), "服务点单（按状态）", FB_RU_COUNT, KEY_CHOICE,
			  "request", "status", 0, 0},
	[M_REQ_SERVICE] = {"services", "requests_by_service", N_("Requests by service"), "服务点单（按服务项目）", FB_RU_COUNT, KEY_TEXT,
			   NULL, NULL, 0, 0},
	[M_REQ_OCC] = {"services", "requests_by_occupation", N_("Requests by occupation"), "服务点单（按职业）", FB_RU_COUNT,
		       KEY_CHOICE, "person", "occupation", BY_OCC, 0},
	[M_DELIVERY] = {"services", "delivery_rate", N_("Delivery rate"), "送达率", FB_RU_PERMILLE, KEY_TOTAL, NULL, NULL,
			0, 1},
	[M_RATING] = {"services", "average_rating", N_("Average rating"), "平均评分", FB_RU_RATING, KEY_TOTAL, NULL, NULL, 0,
		      1},
	[M_REQ_MONTH] = {"services", "requests_by_month", N_("Requests by month"), "服务点单（按月）", FB_RU_COUNT, KEY_MONTH, NULL,
			 NULL, MONTHLY, 0},
	[M_DEM] = {"demands", "demands", N_("Demands"), "诉求", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_DEM_CAT] = {"demands", "demands_by_category", N_("Demands by category"), "诉求（按类别）", FB_RU_COUNT, KEY_CHOICE,
		       "demand", "categories", 0, 0},
	[M_AFFECTED] = {"demands", "workers_affected", N_("Workers affected"), "涉及职工人数", FB_RU_COUNT, KEY_TOTAL, NULL, NULL,
			0, 0},
	[M_CLOSURE] = {"demands", "closure_rate", N_("Closure rate"), "办结率", FB_RU_PERMILLE, KEY_TOTAL, NULL, NULL, 0, 1},
	[M_DEM_MONTH] = {"demands", "demands_by_month", N_("Demands by month"), "诉求（按月）", FB_RU_COUNT, KEY_MONTH, NULL,
			 NULL, MONTHLY, 0},
	[M_GRANTS] = {"assistance", "grants", N_("Grants paid"), "发放帮扶", FB_RU_COUNT, KEY_TOTAL, NULL, NULL, 0, 0},
	[M_GRANTS_AMOUNT] = {"assistance", "grants_amount", N_("Amount paid"), "发放金额", FB_RU_FEN, KEY_TOTAL, NULL, NULL, 0,
			     0},
	[M_GRANTS_TYPE] = {"assistance", "grants_by_type", N_("Grants by type"), "发放帮扶（按类型）", FB_RU_COUNT, KEY_CHOICE,
			   "assistance", "type", 0, 0},
	[M_GRANTS_AMOUNT_TYPE] = {"assistance", "grants_amount_by_type", N_("Amount paid by type"), "发放金额（按类型）", FB_RU_FEN,
				  KEY_CHOICE, "assistance", "type", 0, 0},
	[M_GRANTS_OCC] = {"assistance", "grants_by_occupation", N_("Grants by occupation"), "发放帮扶（按职业）", FB_RU_COUNT,
			  KEY_CHOICE, "person", "occupation", BY_OCC, 0},
	[M_GRANTS_MONTH] = {"assistance", "grants_by_month", N_("Grants by month"), "发放帮扶（按月）", FB_RU_COUNT, KEY_MONTH, NULL,
			    NULL, MONTHLY, 0},
};

static const struct {
	const char *code, *label, *zh;
} sections[] = {
	{"summary", N_("Summary"), "概况"},
	{"members", N_("Members"), "会员发展"},
	{"legal", N_("Legal aid"), "法律服务"},
	{"outreach", N_("Outreach"), "走访与活动"},
	{"services", N_("Service requests"), "服务点单"},
	{"demands", N_("Demands"), "诉求"},
	{"assistance", N_("Hardship assistance"), "困难帮扶"},
};

/* Occupations of new forms of employment (新就业形态): platform-dispatched work. */
static int new_employment_form(const char *occupation)
{
	return occupation && (!strcmp(occupation, "food_delivery") || !strcmp(occupation, "courier") ||
			      !strcmp(occupation, "ride_hailing") || !strcmp(occupation, "truck_driver"));
}

/* ---------------------------------------------------------------- accumulation */

struct entry {
	char *key;
	int64_t v[2]; /* figure (or numerator) of the period [0] and the previous one [1] */
	int64_t d[2]; /* denominators of rates */
};

struct acc {
	struct entry *e;
	size_t n, cap;
};

struct run {
	struct fb_store *s;
	const struct fb_report_query *q;
	struct fb_report_period cur, prev;
	int64_t cur_from, cur_to, prev_from, prev_to; /* day numbers */
	int cur_month0, prev_month0;                  /* year * 12 + month - 1 of each start */
	int64_t asof[2];                              /* the 15-day clock's day of each period */
	struct acc acc[M_COUNT];
	int nomem;
};

/* Saturating arithmetic: figures come from other devices' records, which may hold any
 * digits; a sum stops at the largest number instead of overflowing. */
static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t c;

	return __builtin_add_overflow(a, b, &c) ? (b > 0 ? INT64_MAX : INT64_MIN) : c;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
	int64_t c;

	return __builtin_mul_overflow(a, b, &c) ? ((a < 0) != (b < 0) ? INT64_MIN : INT64_MAX) : c;
}

static struct entry *entry_for(struct run *r, int m, const char *key)
{
	struct acc *a = &r->acc[m];
	size_t i;

	if (!key)
		key = "";
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->e[i].key, key))
			return &a->e[i];
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct entry *e = realloc(a->e, cap * sizeof *e);
		if (!e) {
			r->nomem = 1;
			return NULL;
		}
		a->e = e;
		a->cap = cap;
	}
	memset(&a->e[a->n], 0, sizeof a->e[0]);
	if (!(a->e[a->n].key = strdup(key))) {
		r->nomem = 1;
		return NULL;
	}
	return &a->e[a->n++];
}

static void add(struct run *r, int m, const char *key, int p, int64_t v)
{
	struct entry *e;

	if (metrics[m].need && !(r->q->by & metrics[m].need))
		return;
	if ((e = entry_for(r, m, key)))
		e->v[p] = sat_add(e->v[p], v);
}

static void add_rate(struct run *r, int m, int p, int64_t num, int64_t den)
{
	struct entry *e = entry_for(r, m, "");

	if (e) {
		e->v[p] = sat_add(e->v[p], num);
		e->d[p] = sat_add(e->d[p], den);
	}
}

/* Key of a grouped choice metric: the code, or "-" when not given. */
static const char *or_none(const char *v)
{
	return v && *v ? v : "-";
}

/* Each comma-separated code of a multi-choice value once. */
static void add_multi(struct run *r, int m, const char *value, int p)
{
	char buf[64];
	const char *s = value ? value : "";

	if (!*s) {
		add(r, m, "-", p, 1);
		return;
	}
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n > 0 && n < sizeof buf) {
			memcpy(buf, s, n);
			buf[n] = '\0';
			add(r, m, buf, p, 1);
		}
		s += n;
		if (*s == ',')
			s++;
	}
}

int64_t report_to_int(const char *v)
{
	int64_t n = 0;

	if (!v)
		return 0;
	for (; *v >= '0' && *v <= '9'; v++)
		n = sat_add(sat_mul(n, 10), *v - '0');
	return n;
}

/* The next entry of items "NAME×QTY@FEN; ..." from s: its name (cut to cap, "" when it
 * has none), quantity (1 when not given) and unit amount.  Returns where the entry after
 * it starts, or NULL at the end. */
static const char *item_next(const char *s, char *name, size_t cap, int64_t *qty, int64_t *fen)
{
	size_t n;
	const char *end, *at = NULL, *mul = NULL, *c;

	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	n = strcspn(s, ";");
	end = s + n;
	for (c = s; c < end; c++) {
		if (*c == '@')
			at = c;
		else if (!strncmp(c, "\xc3\x97", 2) && c + 1 < end)
			mul = c;
	}
	*fen = at ? report_to_int(at + 1) : 0;
	if (!at)
		at = end;
	*qty = mul && mul < at ? report_to_int(mul + 2) : 1;
	if (!mul || mul > at)
		mul = at;
	n = (size_t)(mul - s) < cap ? (size_t)(mul - s) : 0;
	memcpy(name, s, n);
	name[n] = '\0';
	return *end ? end + 1 : end;
}

/* Items handed out: quantity per name, and the total value. */
static void add_items(struct run *r, const char *items, int p)
{
	const char *s = items ? items : "";
	char name[256];
	int64_t qty, fen;

	while ((s = item_next(s, name, sizeof name, &qty, &fen)))
		if (*name) {
			add(r, M_ITEMS, name, p, qty);
			add(r, M_ITEMS_VALUE, "", p, sat_mul(qty, fen));
		}
}

int64_t report_items_total(const char *items)
{
	const char *s = items ? items : "";
	char name[8];
	int64_t total = 0, qty, fen;

	while ((s = item_next(s, name, sizeof name, &qty, &fen)))
		total = sat_add(total, sat_mul(qty, fen));
	return total;
}

/* Which period a day falls in: 0 the period, 1 the previous one, -1 neither. */
static int period_of(struct run *r, int64_t day)
{
	if (day >= r->cur_from && day <= r->cur_to)
		return 0;
	if (day >= r->prev_from && day <= r->prev_to)
		return 1;
	return -1;
}

/* The monthly trend: the key is the period's month at the same distance from its start. */
static void add_month(struct run *r, int m, int64_t day, int p)
{
	int y, mo, d, idx;
	char key[16];

	if (!(r->q->by & MONTHLY))
		return;
	report_civil_from_days(day, &y, &mo, &d);
	idx = y * 12 + mo - 1 - (p ? r->prev_month0 : r->cur_month0);
	idx += r->cur_month0;
	snprintf(key, sizeof key, "%04d-%02d", (idx / 12) % 10000, (idx % 12 + 1) % 100);
	add(r, m, key, p, 1);
}

int64_t report_day_hlc(int64_t day)
{
	struct tm tm = {0};
	int y, m, d;

	report_civil_from_days(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1;
	return ((int64_t)mktime(&tm) * 1000) << 16;
}

/* ---------------------------------------------------------------- the records */

static int open_case(const char *status)
{
	return status && (!strcmp(status, "applied") || !strcmp(status, "accepted") ||
			  !strcmp(status, "mediating"));
}

static int is(const char *v, const char *code)
{
	return v && !strcmp(v, code);
}

static int sink_period(void *ctx, int64_t day)
{
	return period_of(ctx, day);
}

/* One grouping or amount field of a record (empty values are "not given": done() counts
 * them under "-" from the seen bits). */
static void sink_field(void *ctx, const struct report_rec *rec, const char *field, const char *v)
{
	struct run *r = ctx;
	int p = rec->p;

	if (!v || !*v)
		return;
	switch (rec->kind) {
	case REPORT_K_PERSON:
		if (!strcmp(field, "occupation")) {
			add(r, M_NEW_OCC, v, p, 1);
			if (new_employment_form(v)) {
				add(r, M_NEF, "", p, 1);
				add(r, M_NEF_OCC, v, p, 1);
			}
		} else
			add(r, M_NEW_REL, v, p, 1);
		break;
	case REPORT_K_VISIT:
		if (is(rec->status, "cancelled"))
			break;
		if (!strcmp(field, "type"))
			add(r, M_VISITS_TYPE, v, p, 1);
		else if (!strcmp(field, "team")) {
			add(r, M_VISITS_TEAM, v, p, 1);
			add(r, M_HEADCOUNT_TEAM, v, p, rec->num);
		} else if (!strcmp(field, "site")) {
			add(r, M_VISITS_SITE, v, p, 1);
			add(r, M_HEADCOUNT_SITE, v, p, rec->num);
		} else if (!strcmp(field, "items"))
			add_items(r, v, p);
		else
			add(r, M_COST, "", p, report_to_int(v));
		break;
	case REPORT_K_CONSULTATION:
		if (!strcmp(field, "topics"))
			add_multi(r, M_CONS_TOPIC, v, p);
		else if (!strcmp(field, "outcome"))
			add(r, M_CONS_OUTCOME, v, p, 1);
		else
			add(r, M_CONS_CLAIMED, "", p, report_to_int(v));
		break;
	case REPORT_K_CASE:
		if (!strcmp(field, "claims"))
			add(r, M_CASES_CLAIMED, "", p, report_items_total(v));
		else
			add(r, !strcmp(field, "recovered") ? M_CASES_RECOVERED : M_CASES_AGREED, "", p,
			    report_to_int(v));
		break;
	case REPORT_K_REQUEST:
		if (!strcmp(field, "rating"))
			add_rate(r, M_RATING, p, report_to_int(v), 1);
		else
			add(r, M_REQ_SERVICE, v, p, 1);
		break;
	case REPORT_K_DEMAND:
		if (!strcmp(field, "categories"))
			add_multi(r, M_DEM_CAT, v, p);
		else
			add(r, M_AFFECTED, "", p, report_to_int(v));
		break;
	case REPORT_K_ASSISTANCE:
		if (is(rec->status, "refused"))
			break;
		add(r, M_GRANTS_TYPE, v, p, 1);
		add(r, M_GRANTS_AMOUNT_TYPE, v, p, rec->num);
		break;
	}
}

/* A record's own figures, and "-" for the grouping fields it lacks. */
static void sink_done(void *ctx, const struct report_rec *rec)
{
	struct run *r = ctx;
	int p = rec->p;
	int64_t day = rec->day;
	unsigned seen = rec->seen;

	switch (rec->kind) {
	case REPORT_K_PERSON:
		add(r, M_NEW, "", p, 1);
		if (!(seen & REPORT_SEEN_A))
			add(r, M_NEW_OCC, "-", p, 1);
		if (!(seen & REPORT_SEEN_B))
			add(r, M_NEW_REL, "-", p, 1);
		add_month(r, M_NEW_MONTH, day, p);
		break;
	case REPORT_K_VISIT:
		if (is(rec->status, "cancelled"))
			break;
		add(r, M_VISITS, "", p, 1);
		add(r, M_HEADCOUNT, "", p, rec->num);
		if (!(seen & REPORT_SEEN_A))
			add(r, M_VISITS_TYPE, "-", p, 1);
		if (!(seen & REPORT_SEEN_B)) {
			add(r, M_VISITS_TEAM, "-", p, 1);
			add(r, M_HEADCOUNT_TEAM, "-", p, rec->num);
		}
		if (!(seen & REPORT_SEEN_C)) {
			add(r, M_VISITS_SITE, "-", p, 1);
			add(r, M_HEADCOUNT_SITE, "-", p, rec->num);
		}
		add_month(r, M_VISITS_MONTH, day, p);
		break;
	case REPORT_K_CONSULTATION:
		add(r, M_CONS, "", p, 1);
		if (!(seen & REPORT_SEEN_A))
			add(r, M_CONS_TOPIC, "-", p, 1);
		if (!(seen & REPORT_SEEN_B))
			add(r, M_CONS_OUTCOME, "-", p, 1);
		add(r, M_CONS_OCC, or_none(rec->occupation), p, 1);
		add_month(r, M_CONS_MONTH, day, p);
		break;
	case REPORT_K_CASE:
		add(r, M_CASES, "", p, 1);
		add(r, M_CASES_STATUS, or_none(rec->status), p, 1);
		/* received on day D: the clock runs out after D + 15 */
		add(r, M_CASES_OVERDUE, "", p, open_case(rec->status) && r->asof[p] - day > 15);
		break;
	case REPORT_K_REQUEST:
		add(r, M_REQ, "", p, 1);
		add(r, M_REQ_STATUS, or_none(rec->status), p, 1);
		if (!(seen & REPORT_SEEN_A))
			add(r, M_REQ_SERVICE, "-", p, 1);
		add(r, M_REQ_OCC, or_none(rec->occupation), p, 1);
		if (!is(rec->status, "cancelled"))
			add_rate(r, M_DELIVERY, p, is(rec->status, "delivered") || is(rec->status, "rated"), 1);
		add_month(r, M_REQ_MONTH, day, p);
		break;
	case REPORT_K_DEMAND:
		add(r, M_DEM, "", p, 1);
		if (!(seen & REPORT_SEEN_A))
			add(r, M_DEM_CAT, "-", p, 1);
		add_rate(r, M_CLOSURE, p, is(rec->status, "closed"), 1);
		add_month(r, M_DEM_MONTH, day, p);
		break;
	case REPORT_K_ASSISTANCE:
		if (is(rec->status, "refused"))
			break;
		add(r, M_GRANTS, "", p, 1);
		add(r, M_GRANTS_AMOUNT, "", p, rec->num);
		if (!(seen & REPORT_SEEN_A)) {
			add(r, M_GRANTS_TYPE, "-", p, 1);
			add(r, M_GRANTS_AMOUNT_TYPE, "-", p, rec->num);
		}
		add(r, M_GRANTS_OCC, or_none(rec->occupation), p, 1);
		add_month(r, M_GRANTS_MONTH, day, p);
		break;
	}
}

/* ---------------------------------------------------------------- rows */

static const char *section_label(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof sections / sizeof sections[0]; i++)
		if (!strcmp(sections[i].code, code))
			return fb_lang_zh() ? sections[i].zh : _(sections[i].label);
	return code;
}

static const struct metric_def *sort_metric;

/* Position of a choice code in its list (unknown codes after, "-" last). */
static int choice_rank(const struct metric_def *m, const char *key)
{
	const struct fb_field *f = fb_field_find(fb_kind_find(m->kind), m->field);
	const struct fb_choice *c;
	int i = 0;

	if (!strcmp(key, "-"))
		return 10000;
	if (f && f->choices)
		for (c = f->choices; c->code; c++, i++)
			if (!strcmp(c->code, key))
				return i;
	return 9000;
}

static int kind_rank(const char *key)
{
	const struct fb_kind *k;
	int i = 0;

	for (k = fb_kinds; k->name; k++, i++)
		if (!strcmp(k->name, key))
			return i;
	return 1000;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int rx, ry;

	switch (sort_metric->keyed) {
	case KEY_CHOICE:
		rx = choice_rank(sort_metric, x->key);
		ry = choice_rank(sort_metric, y->key);
		if (rx != ry)
			return rx < ry ? -1 : 1;
		break;
	case KEY_KIND:
		rx = kind_rank(x->key);
		ry = kind_rank(y->key);
		if (rx != ry)
			return rx < ry ? -1 : 1;
		break;
	case KEY_TEXT:
		/* largest first, "not given" last */
		if (!strcmp(x->key, "-") != !strcmp(y->key, "-"))
			return !strcmp(x->key, "-") ? 1 : -1;
		if (x->v[0] != y->v[0])
			return x->v[0] > y->v[0] ? -1 : 1;
		if (x->v[1] != y->v[1])
			return x->v[1] > y->v[1] ? -1 : 1;
		break;
	}
	return strcmp(x->key, y->key);
}

static const char *key_label(const struct metric_def *m, const char *key)
{
	if (!*key)
		return "";
	if (!strcmp(key, "-"))
		return _("(not given)");
	if (m->keyed == KEY_CHOICE) {
		const struct fb_choice *c = fb_choice_find(fb_field_find(fb_kind_find(m->kind), m->field), key);
		if (c && !strcmp(c->code, key))
			return fb_choice_label(c);
	}
	if (m->keyed == KEY_KIND) {
		const struct fb_kind *k = fb_kind_find(key);
		if (k)
			return fb_kind_label(k);
	}
	return key;
}

/* The summary: each kind's headline figure. */
static void summarise(struct run *r)
{
	static const struct {
		const char *kind;
		int metric;
	} heads[] = {{"person", M_NEW},	  {"visit", M_VISITS},    {"consultation", M_CONS}, {"case", M_CASES},
		     {"request", M_REQ},  {"demand", M_DEM},      {"assistance", M_GRANTS}};
	size_t i;

	for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		struct acc *a = &r->acc[heads[i].metric];
		int64_t v0 = a->n ? a->e[0].v[0] : 0, v1 = a->n ? a->e[0].v[1] : 0;
		add(r, M_SUMMARY, heads[i].kind, 0, v0);
		add(r, M_SUMMARY, heads[i].kind, 1, v1);
	}
}

/* Every month of the period appears in the trend, with 0 when nothing happened. */
static void fill_months(struct run *r)
{
	static const int trends[] = {M_NEW_MONTH, M_CONS_MONTH, M_VISITS_MONTH, M_REQ_MONTH, M_DEM_MONTH,
				     M_GRANTS_MONTH};
	int y, m, d, last, idx;
	size_t i;

	report_civil_from_days(r->cur_to, &y, &m, &d);
	last = y * 12 + m - 1;
	for (i = 0; i < sizeof trends / sizeof trends[0]; i++)
		for (idx = r->cur_month0; idx <= last; idx++) {
			char key[16];
			snprintf(key, sizeof key, "%04d-%02d", (idx / 12) % 10000, (idx % 12 + 1) % 100);
			add(r, trends[i], key, 0, 0);
		}
}

static int make_rows(struct run *r, struct fb_report *rep, struct fb_error *err)
{
	size_t total = 0, m, i;

	for (m = 0; m < M_COUNT; m++) {
		const struct metric_def *md = &metrics[m];
		if (md->need && !(r->q->by & md->need))
			continue;
		/* totals always show, even over no records */
		if (md->keyed == KEY_TOTAL && !entry_for(r, (int)m, ""))
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		total += r->acc[m].n;
	}
	rep->rows = calloc(total ? total : 1, sizeof *rep->rows);
	if (!rep->rows)
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	for (m = 0; m < M_COUNT; m++) {
		const struct metric_def *md = &metrics[m];
		struct acc *a = &r->acc[m];
		if (md->need && !(r->q->by & md->need))
			continue;
		sort_metric = md;
		if (a->n > 1) /* qsort(NULL, 0) is undefined (UBSan) */
			qsort(a->e, a->n, sizeof a->e[0], entry_cmp);
		for (i = 0; i < a->n; i++) {
			struct fb_report_row *row = &rep->rows[rep->nrows++];
			struct entry *e = &a->e[i];
			int p;
			row->section = md->section;
			row->metric = md->code;
			row->key = e->key;
			e->key = NULL; /* the row owns it now */
			row->section_label = section_label(md->section);
			row->metric_label = fb_lang_zh() ? md->zh : _(md->label);
			row->key_label = key_label(md, row->key);
			row->unit = md->unit;
			for (p = 0; p < 2; p++) {
				int64_t v = e->v[p];
				int ok = 1;
				if (md->rate) {
					ok = e->d[p] > 0;
					/* rounded half up */
					v = ok ? (e->v[p] * (md->unit == FB_RU_PERMILLE ? 1000 : 100) * 2 + e->d[p]) /
							 (2 * e->d[p])
					       : 0;
				}
				if (p == 0) {
					row->cur = v;
					row->cur_ok = ok;
				} else {
					row->prev = v;
					row->prev_ok = ok;
				}
			}
		}
	}
	return 0;
}

int64_t fb_report_growth(const struct fb_report_row *row, int *ok)
{
	int64_t diff;

	*ok = 0;
	if (row->unit == FB_RU_PERMILLE || row->unit == FB_RU_RATING || !row->prev_ok || !row->cur_ok ||
	    row->prev <= 0)
		return 0;
	/* tenths of a percent, rounded half away from zero; none when it cannot be written */
	if (__builtin_sub_overflow(row->cur, row->prev, &diff) || __builtin_mul_overflow(diff, 2000, &diff) ||
	    diff == INT64_MIN || row->prev > INT64_MAX / 2)
		return 0;
	*ok = 1;
	return diff >= 0 ? (diff + row->prev) / (2 * row->prev) : -((-diff + row->prev) / (2 * row->prev));
}

int fb_report_compute(struct fb_report **out, struct fb_store *s, const struct fb_report_query *q,
		      struct fb_error *err)
{
	struct run r;
	struct fb_report *rep = NULL;
	int64_t today;
	int rc = 0, y, m, d;
	size_t i, j;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.s = s;
	r.q = q;
	r.cur = q->period;
	fb_report_period_previous(&r.prev, &r.cur);
	r.cur_from = report_date_days(r.cur.from);
	r.cur_to = report_date_days(r.cur.to);
	r.prev_from = report_date_days(r.prev.from);
	r.prev_to = report_date_days(r.prev.to);
	if (r.cur_from == INT64_MIN || r.cur_to == INT64_MIN || r.cur_from > r.cur_to)
		return fb_error_set(err, FB_EINVAL, "period", _("the report needs a period: --month, --quarter, "
								 "--year or --from and --to"));
	if (!(rep = calloc(1, sizeof *rep)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	rep->period = r.cur;
	rep->previous = r.prev;
	if (q->today && report_date_days(q->today) != INT64_MIN)
		snprintf(rep->today, sizeof rep->today, "%s", q->today);
	else
		fb_clock_today(rep->today, sizeof rep->today);
	today = report_date_days(rep->today);
	r.asof[0] = r.cur_to < today ? r.cur_to : today;
	r.asof[1] = r.prev_to < today ? r.prev_to : today;
	report_civil_from_days(r.cur_from, &y, &m, &d);
	r.cur_month0 = y * 12 + m - 1;
	report_civil_from_days(r.prev_from, &y, &m, &d);
	r.prev_month0 = y * 12 + m - 1;

	{
		struct report_sink sink = {&r, sink_period, sink_field, sink_done};
		if ((rc = report_join(s, r.prev.from, r.cur.to, (q->by & BY_OCC) != 0, &sink, err)) < 0)
			goto cleanup;
	}
	for (i = 0; i < M_COUNT; i++)
		if (metrics[i].keyed == KEY_TOTAL && !metrics[i].need && !entry_for(&r, (int)i, "")) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
			goto cleanup;
		}
	if (q->by & FB_REPORT_BY_KIND)
		summarise(&r);
	if (q->by & MONTHLY)
		fill_months(&r);
	if (r.nomem) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		goto cleanup;
	}
	if ((rc = make_rows(&r, rep, err)) < 0)
		goto cleanup;
	*out = rep;
	rep = NULL;
cleanup:
	for (i = 0; i < M_COUNT; i++) {
		for (j = 0; j < r.acc[i].n; j++)
			free(r.acc[i].e[j].key);
		free(r.acc[i].e);
	}
	fb_report_free(rep);
	return rc;
}

void fb_report_free(struct fb_report *rep)
{
	size_t i;

	if (!rep)
		return;
	for (i = 0; i < rep->nrows; i++)
		free((char *)rep->rows[i].key);
	free(rep->rows);
	free(rep);
}

int fb_report_open_readonly(struct fb_store **out, const char *dir, struct fb_error *err)
{
	struct fb_store *s;
	char path[4200];

	*out = NULL;
	snprintf(path, sizeof path, "%s/fieldbook.db", dir);
	if (!(s = calloc(1, sizeof *s)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		int rc = fb_error_set(err, FB_EDB, "database", _("cannot open %s: %s"), path,
				      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		fb_store_free(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, 5000);
	sqlite3_exec(s->db, "PRAGMA query_only=1; PRAGMA cache_size=-262144; PRAGMA mmap_size=17179869184;", NULL, NULL, NULL);
	/* Stores of schema 3 keep the derived tables in a second file, attached as "state". */
	snprintf(path, sizeof path, "%s/fieldbook-state.db", dir);
	if (access(path, F_OK) == 0) {
		char uri[4300];
		sqlite3_stmt *st = NULL;
		int r;
		snprintf(uri, sizeof uri, "file:%s?mode=ro", path);
		r = sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS state", -1, &st, NULL);
		if (r == SQLITE_OK) {
			sqlite3_bind_text(st, 1, uri, -1, SQLITE_STATIC);
			r = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		}
		sqlite3_finalize(st);
		if (r != SQLITE_OK) {
			int rc = fb_error_set(err, FB_EDB, "database", _("cannot open %s: %s"), path,
					      sqlite3_errmsg(s->db));
			fb_store_free(s);
			return rc;
		}
		sqlite3_exec(s->db, "PRAGMA state.cache_size=-262144; PRAGMA state.mmap_size=17179869184;", NULL,
			     NULL, NULL);
	}
	*out = s;
	return 0;
}
