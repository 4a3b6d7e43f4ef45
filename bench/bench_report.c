/* bench_report.c - times the year report on a large store, opened read-only (bench).
 *
 * Usage: bench_report DATA_DIR [YEAR] [RUNS]
 * Prints the time of each run of fb_report_compute for the year (default 2025) against
 * the year before, with every breakdown and the monthly trend, and the rows' headline
 * figures, so the figure can be checked against the store.  The budget is 2 s on 1M
 * records (issue 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldbook/report.h"
#include "fieldbook/store.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	struct fb_report_query q;
	const char *year = argc > 2 ? argv[2] : "2025";
	int runs = argc > 3 ? atoi(argv[3]) : 3, i;
	double best = 1e9;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_report DATA_DIR [YEAR] [RUNS]\n");
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
		double t0 = now_s(), t;
		size_t k;
		if (fb_report_compute(&rep, s, &q, &err) < 0) {
			fprintf(stderr, "bench_report: %s\n", err.message);
			return 1;
		}
		t = now_s() - t0;
		if (t < best)
			best = t;
		printf("run %d: year report %s in %.3f s, %zu rows\n", i + 1, year, t, rep->nrows);
		for (k = 0; i == 0 && k < rep->nrows; k++)
			if (!*rep->rows[k].key || !strcmp(rep->rows[k].metric, "records_by_kind"))
				printf("  %-34s %-14s %12lld %12lld\n", rep->rows[k].metric, rep->rows[k].key,
				       (long long)rep->rows[k].cur, (long long)rep->rows[k].prev);
		fb_report_free(rep);
	}
	printf("best=%.3f s (budget 2 s)\n", best);
	fb_store_free(s);
	return 0;
}
