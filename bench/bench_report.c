/* bench_report.c - times the year report on a large store, opened read-only (bench).
 *
 * Usage: bench_report DATA_DIR [YEAR] [RUNS]
 *        bench_report --generate DATA_DIR RECORDS
 * The second form makes a store of every reported kind except people (visits,
 * consultations, cases, requests, demands, assistance in realistic proportions, dated over
 * 2024-2025, created at those dates), written as ops in batches of 5000 records.
 * Prints the wall-clock and CPU time of each run of fb_report_compute for the year (default 2025) against
 * the year before, with every breakdown and the monthly trend, and the rows' headline
 * figures, so the figure can be checked against the store.  The budget is 2 s on 1M
 * records (issue 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <inttypes.h>

#include "fieldbook/report.h"
#include "fieldbook/store.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- generating a store */

#define GEN_DEVICE "b4b4b4b4b4b4b4b4"
#define GEN_BASE_MS 1704038400000LL /* 2024-01-01T00:00+08:00 */
#define GEN_DAYS 730

static uint64_t rng = 88172645463325252ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

struct gen {
	struct fb_op ops[5000 * 12];
	char text[5000 * 12][64];
	char ids[5000 * 12][40];
	char rec[5000][17];
	size_t n;
};

static void put(struct gen *g, uint64_t seq, int idx, int64_t hlc, const char *kind, const char *rec,
		const char *field, const char *value)
{
	struct fb_op *o = &g->ops[g->n];

	snprintf(g->ids[g->n], sizeof g->ids[0], "%s:%" PRIu64 ".%d", GEN_DEVICE, seq, idx);
	snprintf(g->text[g->n], sizeof g->text[0], "%s", value);
	o->id = g->ids[g->n];
	o->hlc = hlc;
	o->author = "bench";
	o->kind = kind;
	o->rec = rec;
	o->field = field;
	o->value = g->text[g->n];
	o->pred = "";
	g->n++;
}

static int generate(const char *dir, uint64_t total)
{
	static const char *const vtypes[] = {"summer_cooling", "new_year", "legal_awareness", "hardship_visit",
					     "solidarity", "training", "health_check"};
	static const char *const teams[] = {"中山港", "东区服务队", "西区服务队", "南站骑手队", "火炬园区队"};
	static const char *const sites[] = {"火炬园区", "司机之家·南站", "爱心驿站3号", "职工书屋", "某工地"};
	static const char *const topics[] = {"wage_arrears", "contract", "injury", "social_insurance", "termination",
					     "wage_arrears,injury"};
	static const char *const outcomes[] = {"answered", "referred_mediation", "legal_aid", "arbitration_advised"};
	static const char *const cstat[] = {"applied", "accepted", "mediating", "agreement", "failed", "performed"};
	static const char *const services[] = {"技能培训", "健康体检", "子女暑期托管", "心理咨询", "法律帮助"};
	static const char *const rstat[] = {"ordered", "accepted", "dispatched", "delivered", "rated", "cancelled"};
	static const char *const cats[] = {"wages", "hours", "rest", "safety_health", "platform_rules", "fines"};
	static const char *const dstat[] = {"collected", "assigned", "responded", "closed", "closed"};
	static const char *const atypes[] = {"living", "medical", "education", "holiday"};
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	struct fb_init_options o = {"bench-h4", "bench", "bench"};
	struct gen *g = calloc(1, sizeof *g);
	uint64_t r = 0;

	if (!g || fb_store_init(&s, dir, &o, &err) < 0) {
		fprintf(stderr, "bench_report: %s\n", err.message);
		return 1;
	}
	while (r < total) {
		size_t k;
		g->n = 0;
		for (k = 0; k < 5000 && r < total; k++, r++) {
			unsigned kind = rnd(100), day = (unsigned)(r * GEN_DAYS / total);
			int64_t hlc = ((GEN_BASE_MS + (int64_t)day * 86400000 + rnd(36000000) + 8 * 3600000LL) << 16) | 1;
			char date[16], num[64], *id = g->rec[k];
			uint64_t seq = r + 1;
			int i = 0;
			time_t t = (time_t)((GEN_BASE_MS + (int64_t)(day - rnd(day < 10 ? day + 1 : 10)) * 86400000) / 1000 + 8 * 3600);
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(date, sizeof date, "%Y-%m-%d", &tm);
			snprintf(id, 17, "%016" PRIx64, (rng = rng * 6364136223846793005ull + 1442695040888963407ull));
#define P(kindname, f, v) put(g, seq, i++, hlc, kindname, id, f, v)
			if (kind < 10) {
				P("visit", "_exists", "1");
				P("visit", "type", vtypes[rnd(7)]);
				P("visit", "date", date);
				P("visit", "site", sites[rnd(5)]);
				P("visit", "team", teams[rnd(5)]);
				snprintf(num, sizeof num, "%u", 20 + rnd(400));
				P("visit", "headcount", num);
				snprintf(num, sizeof num, "礼包×%u@2500; 矿泉水×%u@150", 20 + rnd(300), rnd(200));
				P("visit", "items", num);
				snprintf(num, sizeof num, "%u", rnd(2000000));
				P("visit", "cost", num);
				P("visit", "status", rnd(10) ? "done" : "cancelled");
			} else if (kind < 40) {
				P("consultation", "_exists", "1");
				P("consultation", "date", date);
				P("consultation", "topics", topics[rnd(6)]);
				P("consultation", "summary", "拖欠工资三个月");
				P("consultation", "outcome", outcomes[rnd(4)]);
				snprintf(num, sizeof num, "%u", rnd(5000000));
				P("consultation", "claimed", num);
				P("consultation", "status", "answered");
			} else if (kind < 45) {
				P("case", "_exists", "1");
				snprintf(num, sizeof num, "调%06" PRIu64, r);
				P("case", "case_no", num);
				P("case", "respondent", "某某劳务有限公司");
				P("case", "received_at", date);
				P("case", "dispute_types", "wage_arrears");
				snprintf(num, sizeof num, "工资×%u@300000", 1 + rnd(30));
				P("case", "claims", num);
				snprintf(num, sizeof num, "%u", rnd(96000000));
				P("case", "recovered", num);
				P("case", "status", cstat[rnd(6)]);
			} else if (kind < 70) {
				P("request", "_exists", "1");
				P("request", "service", services[rnd(5)]);
				snprintf(num, sizeof num, "%u", 1 + rnd(5));
				P("request", "rating", num);
				P("request", "status", rstat[rnd(6)]);
			} else if (kind < 85) {
				P("demand", "_exists", "1");
				P("demand", "collected_by", "骑手代表");
				snprintf(num, sizeof num, "%u", 1 + rnd(200));
				P("demand", "affected", num);
				P("demand", "categories", cats[rnd(6)]);
				P("demand", "description", "冬季防风防雨装备");
				P("demand", "status", dstat[rnd(5)]);
			} else {
				P("assistance", "_exists", "1");
				P("assistance", "type", atypes[rnd(4)]);
				snprintf(num, sizeof num, "%u", 50000 + rnd(700000));
				P("assistance", "amount", num);
				P("assistance", "reason", "母亲手术");
				P("assistance", "paid_on", date);
				P("assistance", "status", "paid");
			}
#undef P
		}
		if (fb_store_apply_ops(s, g->ops, g->n, NULL, &err) < 0) {
			fprintf(stderr, "bench_report: %s\n", err.message);
			return 1;
		}
		if (r % 50000 == 0)
			fprintf(stderr, "%" PRIu64 " records\n", r);
	}
	fb_store_free(s);
	free(g);
	return 0;
}

int main(int argc, char **argv)
{
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	struct fb_report_query q;
	const char *year = argc > 2 ? argv[2] : "2025";
	int runs = argc > 3 ? atoi(argv[3]) : 3, i;
	double best = 1e9, best_cpu = 1e9;

	if (argc == 4 && !strcmp(argv[1], "--generate"))
		return generate(argv[2], strtoull(argv[3], NULL, 10));
	if (argc < 2) {
		fprintf(stderr, "usage: bench_report DATA_DIR [YEAR] [RUNS] | --generate DATA_DIR RECORDS\n");
		return 2;
	}
	if (fb_report_open_readonly(&s, argv[1], &err) < 0) {
		fprintf(stderr, "bench_report: %s\n", err.message);
		return 1;
	}
	memset(&q, 0, sizeof q);
	if (fb_report_period_parse(&q.period, "year", year, &err) < 0) {
		fprintf(stderr, "bench_report: %s\n", err.message);
		return 2;
	}
	q.by = FB_REPORT_BY_TEAM | FB_REPORT_BY_SITE | FB_REPORT_BY_OCCUPATION | FB_REPORT_BY_KIND |
	       FB_REPORT_MONTHLY;
	for (i = 0; i < runs; i++) {
		struct fb_report *rep = NULL;
		double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t, cpu;
		size_t k;
		if (fb_report_compute(&rep, s, &q, &err) < 0) {
			fprintf(stderr, "bench_report: %s\n", err.message);
			return 1;
		}
		t = clock_s(CLOCK_MONOTONIC) - t0;
		cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (t < best)
			best = t;
		if (cpu < best_cpu)
			best_cpu = cpu;
		printf("run %d: year report %s in %.3f s (CPU %.3f s), %zu rows\n", i + 1, year, t, cpu, rep->nrows);
		for (k = 0; i == 0 && k < rep->nrows; k++)
			if (!*rep->rows[k].key || !strcmp(rep->rows[k].metric, "records_by_kind"))
				printf("  %-34s %-14s %12lld %12lld\n", rep->rows[k].metric, rep->rows[k].key,
				       (long long)rep->rows[k].cur, (long long)rep->rows[k].prev);
		fb_report_free(rep);
	}
	printf("best=%.3f s, best CPU=%.3f s (budget 2 s)\n", best, best_cpu);
	fb_store_free(s);
	return 0;
}
