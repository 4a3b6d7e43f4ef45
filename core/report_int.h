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

/* Calls cb for every live person who joined (member_status member, retained,
 * transferred_out or withdrawn) on a day in from_day..to_day: joined_on, or the day the
 * record was created when joined_on is empty; with the occupation and relation codes
 * (NULL when not given). */
int report_people_each(struct fb_store *s, int64_t from_day, int64_t to_day,
		       void (*cb)(void *ctx, int64_t day, const char *occupation, const char *relation),
		       void *ctx, struct fb_error *err);

#endif
