/* report_int.h - what the report's core files share (core layer): day arithmetic, local
 * days of HLCs, and the members pass (report_people.c). */
#ifndef FIELDBOOK_REPORT_INT_H
#define FIELDBOOK_REPORT_INT_H

#include <stdint.h>

#include "fieldbook/error.h"
#include "fieldbook/store.h"

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t report_days_from_civil(int y, int m, int d);
void report_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" (a real date, year >= 1900): 0, or -1. */
int report_parse_date(const char *s, int *y, int *m, int *d);
/* Day number of "YYYY-MM-DD", INT64_MIN when it is not a date. */
int64_t report_date_days(const char *s);
/* "YYYY-MM-DD" of a day number into out (11 bytes). */
void report_format_days(char *out, int64_t days);

/* The local day (day number) of an HLC's millisecond.  Every UTC offset is a multiple of
 * 15 minutes, so a quarter hour lies in one local day: the cache maps quarter hours to
 * days (rows come in any order; localtime runs once per quarter hour seen).  Zero it
 * before use; report_day_cache_free releases it. */
#define REPORT_DAY_SLOTS 65536
struct report_day_cache {
	int64_t *key; /* quarter-hour index + 1, 0 = empty */
	int64_t *day;
	int nomem;
};
int64_t report_hlc_day(struct report_day_cache *c, int64_t hlc);
void report_day_cache_free(struct report_day_cache *c);

/* Local midnight starting a day number, as an HLC. */
int64_t report_day_hlc(int64_t day);
/* The leading decimal digits of v as a number (0 for NULL or none). */
int64_t report_to_int(const char *v);
/* The sum of QTY × FEN over items "NAME×QTY@FEN; ..." (stored form; anything else is
 * read as far as it goes, never past the string). */
int64_t report_items_total(const char *items);

/* ---- report_join.c: the records of both periods and their fields ---- */

enum { REPORT_K_PERSON, REPORT_K_VISIT, REPORT_K_CONSULTATION, REPORT_K_CASE, REPORT_K_REQUEST,
       REPORT_K_DEMAND, REPORT_K_ASSISTANCE, REPORT_K_COUNT };
/* Bits of report_rec.seen: which grouping fields of its kind the record has (non-empty):
 *   person A occupation, B relation;  visit A type, B team, C site;
 *   consultation A topics, B outcome;  request A service;  demand A categories;
 *   assistance A type. */
enum { REPORT_SEEN_A = 1, REPORT_SEEN_B = 2, REPORT_SEEN_C = 4 };

struct report_rec {
	int kind;               /* REPORT_K_* */
	int64_t day;            /* the day that placed it in a period */
	int p;                  /* 0 the period, 1 the previous one */
	const char *status;     /* NULL when none */
	int64_t num;            /* visit headcount, assistance amount */
	unsigned seen;          /* REPORT_SEEN_* (complete only in done) */
	const char *occupation; /* done only, with refs: the occupation of the person it names */
};

struct report_sink {
	void *ctx;
	int (*period)(void *ctx, int64_t day); /* 0, 1, or -1 outside both periods */
	/* A field value of a record of the periods (numbers, refs and the date excepted). */
	void (*field)(void *ctx, const struct report_rec *rec, const char *field, const char *value);
	/* Once per record of the periods, after all its fields. */
	void (*done)(void *ctx, const struct report_rec *rec);
};

/* Calls the sink for every live record of the kinds above placed in from..to (both
 * periods): people who joined (member_status member, retained, transferred_out or
 * withdrawn) by joined_on or else the day created; visits and consultations by date,
 * cases by received_at, assistance by paid_on; requests and demands by the day created.
 * with_refs: also resolve the occupation of the person a consultation, request or grant
 * names (following merged_into one step). */
int report_join(struct fb_store *s, const char *from, const char *to, int with_refs,
		const struct report_sink *sink, struct fb_error *err);

#endif
