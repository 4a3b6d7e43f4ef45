/* report.h - the coordinator's period report: members, legal aid, outreach, services,
 * demands and assistance for a period against the previous period (core layer).
 *
 * Contract: only live records count (deleted records and people merged into another,
 * merged_into set, are not live, so a merged duplicate is never counted twice).  Each
 * kind is placed in a period by one date (man fieldbook, REPORTS, says which); the
 * previous period has the same length and ends the day before the period starts
 * (calendar months, quarters and years shift by whole months; --from/--to ranges by
 * days).  Every figure is computed from the materialised record and field tables with
 * indexed statements (no full-table scan); the rows come out in a fixed order (sections,
 * then metrics, then choice-list order or the largest first for free-text keys). */
#ifndef FIELDBOOK_REPORT_H
#define FIELDBOOK_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"
#include "fieldbook/store.h"

/* A period: both ends included, "YYYY-MM-DD". */
struct fb_report_period {
	char from[11], to[11];
	int months; /* length in calendar months (month 1, quarter 3, year 12), 0 = in days */
};

/* Parses spec by unit: "month" ("2026-03"), "quarter" ("2026Q1", "2026-Q1", q any case)
 * or "year" ("2026").  FB_EINVAL naming the option and the expected form otherwise. */
int fb_report_period_parse(struct fb_report_period *out, const char *unit, const char *spec,
			   struct fb_error *err);
/* A range of days (from <= to, valid dates).  FB_EINVAL otherwise. */
int fb_report_period_range(struct fb_report_period *out, const char *from, const char *to,
			   struct fb_error *err);
/* The previous period of the same length (see the contract above). */
void fb_report_period_previous(struct fb_report_period *out, const struct fb_report_period *p);

enum fb_report_unit {
	FB_RU_COUNT,    /* a number of records, people or items */
	FB_RU_FEN,      /* money, integer fen */
	FB_RU_PERMILLE, /* a rate in tenths of a percent (853 = 85.3 %) */
	FB_RU_RATING    /* an average rating times 100 (425 = 4.25) */
};

/* Extra breakdowns (fb_report_query.by). */
enum {
	FB_REPORT_BY_TEAM = 1 << 0,       /* visits per team */
	FB_REPORT_BY_SITE = 1 << 1,       /* visits per site */
	FB_REPORT_BY_OCCUPATION = 1 << 2, /* consultations, requests, grants by the person's occupation */
	FB_REPORT_BY_KIND = 1 << 3,       /* a summary: one headline figure per kind */
	FB_REPORT_MONTHLY = 1 << 4        /* the monthly trend of each section's headline figure */
};

struct fb_report_query {
	struct fb_report_period period;
	unsigned by;       /* FB_REPORT_BY_* | FB_REPORT_MONTHLY */
	const char *today; /* "YYYY-MM-DD" for the 15-day clock; NULL = fb_clock_today */
};

struct fb_report_row {
	const char *section;       /* stable code: "summary", "members", "legal", "outreach",
				      "services", "demands", "assistance" */
	const char *metric;        /* stable code: "new_members", "consultations_by_topic", ... */
	const char *key;           /* group: a choice code, a team, an item, "YYYY-MM"; "" = the total */
	const char *section_label; /* in the user's language */
	const char *metric_label;
	const char *key_label;     /* the key's label ("" for a total; "(not given)" for an empty key) */
	enum fb_report_unit unit;
	int64_t cur, prev;         /* figures of the period and of the previous period */
	int cur_ok, prev_ok;       /* 0 when undefined (a rate or average over nothing) */
};

struct fb_report {
	struct fb_report_period period, previous;
	char today[11];
	size_t nrows;
	struct fb_report_row *rows;
};

/* Computes the report.  The store is only read. */
int fb_report_compute(struct fb_report **out, struct fb_store *store, const struct fb_report_query *q,
		      struct fb_error *err);
void fb_report_free(struct fb_report *report);

/* Growth of cur over prev in tenths of a percent (+104.5 % = 1045); 0 with *ok = 0 when
 * prev is 0 or the unit is a rate or rating. */
int64_t fb_report_growth(const struct fb_report_row *row, int *ok);

/* One figure of a row as text: what 0 the period, 1 the previous period, 2 the change,
 * 3 the growth.  plain (CSV): bare numbers ("3970", money in yuan "960000.00", rates and
 * growth in percent "85.3", ratings "4.25"), "" when undefined.  Otherwise for people:
 * "3,970", "¥960,000.00", "85.3 %", "4.25", a sign on changes ("+2,029", "+5.0 pt" for
 * rates), "+104.5 %", and "-" when undefined. */
void fb_report_format(char *out, size_t cap, const struct fb_report_row *row, int what, int plain);

/* Opens an existing store read-only (benchmarks, reports over a copy another program
 * writes): no schema statements, no checkpoint, nothing written.  Free with
 * fb_store_free. */
int fb_report_open_readonly(struct fb_store **out, const char *dir, struct fb_error *err);

#endif
