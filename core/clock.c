/* clock.c - wall clock, FIELDBOOK_NOW and hybrid logical clocks (core layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"

/* Parses FIELDBOOK_NOW into ms since the epoch; 0 on success, -1 if malformed. */
static int parse_now(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh = 0, om = 0;
	struct tm tm;
	time_t t;
	char sign = 0;
	const char *p;

	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			return -1;
		*out = (int64_t)v * 1000;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == ' ') {
		int m2 = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m2) != 2 || m2 != 5)
			return -1;
		p += 1 + m2;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &m2) != 1 || m2 != 2)
				return -1;
			p += 3;
		}
	}
	if (*p == 'Z') {
		sign = 'Z';
		p++;
	} else if (*p == '+' || *p == '-') {
		int m2 = 0;
		sign = *p;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m2) != 2 || m2 != 5)
			return -1;
		p += 1 + m2;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (sign) {
		t = timegm(&tm);
		if (sign == '+')
			t -= (oh * 60 + om) * 60;
		else if (sign == '-')
			t += (oh * 60 + om) * 60;
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	*out = (int64_t)t * 1000;
	return 0;
}

int fb_clock_check_env(struct fb_error *err)
{
	const char *s = getenv("FIELDBOOK_NOW");
	int64_t ms;

	if (!s || !*s || parse_now(s, &ms) == 0)
		return 0;
	return fb_error_set(err, FB_EINVAL, "FIELDBOOK_NOW",
			    _("FIELDBOOK_NOW: cannot read '%s'; use YYYY-MM-DD, "
			      "YYYY-MM-DDTHH:MM:SS+08:00 or @SECONDS, or unset it"),
			    s);
}

int64_t fb_clock_now_ms(void)
{
	const char *s = getenv("FIELDBOOK_NOW");
	struct timespec ts;
	int64_t ms;

	if (s && *s && parse_now(s, &ms) == 0)
		return ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fb_clock_today(char *out, size_t cap)
{
	time_t t = (time_t)(fb_clock_now_ms() / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%d", &tm);
}

void fb_clock_format_ms(char *out, size_t cap, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];
	long off;

	localtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff;
	snprintf(out, cap, "%s%c%02ld:%02ld", base, off < 0 ? '-' : '+', labs(off) / 3600,
		 (labs(off) % 3600) / 60);
}

int64_t fb_hlc_next(int64_t last, int64_t now_ms)
{
	int64_t wall = now_ms << 16;

	return wall > last ? wall : last + 1;
}

int64_t fb_hlc_observe(int64_t last, int64_t remote, int64_t now_ms, int *anomaly)
{
	if (anomaly)
		*anomaly = 0;
	if (fb_hlc_ms(remote) > now_ms + FB_HLC_MAX_SKEW_MS) {
		if (anomaly)
			*anomaly = 1;
		return last;
	}
	return remote > last ? remote : last;
}
