/* report_period.c - periods of the coordinator's report: months, quarters, years and day
 * ranges, and the previous period of the same length (core layer).
 *
 * Dates are proleptic Gregorian "YYYY-MM-DD"; arithmetic goes through day numbers
 * (days since 1970-01-01), never through time_t, so no time zone is involved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldbook/i18n.h"
#include "fieldbook/report.h"
#include "report_int.h"

int64_t report_days_from_civil(int y, int m, int d)
{
	int64_t yy = m <= 2 ? y - 1 : y;
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void report_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int report_parse_date(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > month_days(*y, *m))
		return -1;
	return 0;
}

int64_t report_date_days(const char *s)
{
	int y, m, d;

	if (report_parse_date(s, &y, &m, &d) < 0)
		return INT64_MIN;
	return report_days_from_civil(y, m, d);
}

/* "YYYY-MM-DD" into out (11 bytes). */
static void fmt_date(char *out, int y, int m, int d)
{
	char tmp[48];

	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

void report_format_days(char *out, int64_t days)
{
	int y, m, d;

	report_civil_from_days(days, &y, &m, &d);
	fmt_date(out, y, m, d);
}

static void set_months(struct fb_report_period *p, int y, int m, int months)
{
	int ey = y, em = m + months - 1;

	while (em > 12) {
		em -= 12;
		ey++;
	}
	fmt_date(p->from, y, m, 1);
	fmt_date(p->to, ey, em, month_days(ey, em));
	p->months = months;
}

int fb_report_period_parse(struct fb_report_period *out, const char *unit, const char *spec,
			   struct fb_error *err)
{
	size_t n = spec ? strlen(spec) : 0;
	int y, m;

	memset(out, 0, sizeof *out);
	if (n >= 4 && digits(spec, 4))
		y = (spec[0] - '0') * 1000 + (spec[1] - '0') * 100 + (spec[2] - '0') * 10 + (spec[3] - '0');
	else
		y = 0;
	if (y >= 1900 && !strcmp(unit, "year") && n == 4) {
		set_months(out, y, 1, 12);
		return 0;
	}
	if (y >= 1900 && !strcmp(unit, "month") && n == 7 && spec[4] == '-' && digits(spec + 5, 2)) {
		m = (spec[5] - '0') * 10 + (spec[6] - '0');
		if (m >= 1 && m <= 12) {
			set_months(out, y, m, 1);
			return 0;
		}
	}
	if (y >= 1900 && !strcmp(unit, "quarter")) {
		const char *q = spec + 4;
		if (*q == '-')
			q++;
		if ((*q == 'Q' || *q == 'q') && q[1] >= '1' && q[1] <= '4' && !q[2]) {
			set_months(out, y, (q[1] - '1') * 3 + 1, 3);
			return 0;
		}
	}
	if (!strcmp(unit, "year"))
		return fb_error_set(err, FB_EINVAL, "--year", _("--year: '%s' is not a year; write it as 2026"),
				    spec ? spec : "");
	if (!strcmp(unit, "quarter"))
		return fb_error_set(err, FB_EINVAL, "--quarter",
				    _("--quarter: '%s' is not a quarter; write it as 2026Q1 (Q1 to Q4)"),
				    spec ? spec : "");
	return fb_error_set(err, FB_EINVAL, "--month",
			    _("--month: '%s' is not a month; write it as 2026-03"), spec ? spec : "");
}

int fb_report_period_range(struct fb_report_period *out, const char *from, const char *to,
			   struct fb_error *err)
{
	int y, m, d;

	memset(out, 0, sizeof *out);
	if (report_parse_date(from, &y, &m, &d) < 0)
		return fb_error_set(err, FB_EINVAL, "--from",
				    _("--from: '%s' is not a date; write it as 2026-01-01"), from ? from : "");
	if (report_parse_date(to, &y, &m, &d) < 0)
		return fb_error_set(err, FB_EINVAL, "--to", _("--to: '%s' is not a date; write it as 2026-03-31"),
				    to ? to : "");
	if (strcmp(from, to) > 0)
		return fb_error_set(err, FB_EINVAL, "--to", _("--to: %s is before --from %s; swap them"), to,
				    from);
	snprintf(out->from, sizeof out->from, "%s", from);
	snprintf(out->to, sizeof out->to, "%s", to);
	return 0;
}

void fb_report_period_previous(struct fb_report_period *out, const struct fb_report_period *p)
{
	int64_t from = report_date_days(p->from), to = report_date_days(p->to);

	if (p->months > 0) {
		int y, m, d;
		report_civil_from_days(from, &y, &m, &d);
		m -= p->months;
		while (m < 1) {
			m += 12;
			y--;
		}
		set_months(out, y, m, p->months);
		return;
	}
	out->months = 0;
	report_format_days(out->to, from - 1);
	report_format_days(out->from, from - 1 - (to - from));
}

static int64_t local_day(int64_t ms)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	return report_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t report_hlc_day(struct report_day_cache *c, int64_t hlc)
{
	int64_t ms = hlc >> 16, q = ms >= 0 ? ms / 900000 : (ms - 899999) / 900000;
	size_t slot;

	if (!c->key && !c->nomem) {
		c->key = calloc(REPORT_DAY_SLOTS, sizeof *c->key);
		c->day = calloc(REPORT_DAY_SLOTS, sizeof *c->day);
		if (!c->key || !c->day) {
			report_day_cache_free(c);
			c->nomem = 1;
		}
	}
	if (!c->key)
		return local_day(ms);
	slot = (size_t)((uint64_t)q % REPORT_DAY_SLOTS);
	if (c->key[slot] != q + 1) {
		c->key[slot] = q + 1;
		c->day[slot] = local_day(q * 900000);
	}
	return c->day[slot];
}

void report_day_cache_free(struct report_day_cache *c)
{
	free(c->key);
	free(c->day);
	c->key = c->day = NULL;
}
