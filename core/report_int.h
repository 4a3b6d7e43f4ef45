/* report_int.h - what the report's core files share (core layer): day arithmetic. */
#ifndef FIELDBOOK_REPORT_INT_H
#define FIELDBOOK_REPORT_INT_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t report_days_from_civil(int y, int m, int d);
void report_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Parses "YYYY-MM-DD" (a real date, year >= 1900): 0, or -1. */
int report_parse_date(const char *s, int *y, int *m, int *d);
/* Day number of "YYYY-MM-DD", INT64_MIN when it is not a date. */
int64_t report_date_days(const char *s);
/* "YYYY-MM-DD" of a day number into out (11 bytes). */
void report_format_days(char *out, int64_t days);

#endif
