/* report_fmt.c - the report's figures as text for people and for CSV (core layer).
 *
 * One place decides how counts, money (fen), rates and ratings read, so the command line,
 * its CSV and the TUI's report screen agree.  Contract in include/fieldbook/report.h. */
#include <stdio.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/report.h"

/* |v| with thousands separators (grouped) or without, and an optional sign. */
static void digits(char *out, size_t cap, int64_t v, int grouped, int sign)
{
	char tmp[32], rev[48];
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	size_t n = 0, i, k = 0;

	do {
		if (grouped && n && n % 3 == 0)
			rev[k++] = ',';
		rev[k++] = (char)('0' + u % 10);
		u /= 10;
		n++;
	} while (u);
	if (v < 0)
		rev[k++] = '-';
	else if (sign && v > 0)
		rev[k++] = '+';
	for (i = 0; i < k && i + 1 < sizeof tmp; i++)
		tmp[i] = rev[k - 1 - i];
	tmp[i] = '\0';
	snprintf(out, cap, "%s", tmp);
}

/* v / scale with decimals digits ("12.50", "-3.0"), whole part grouped or not. */
static void fixed(char *out, size_t cap, int64_t v, int scale, int decimals, int grouped, int sign)
{
	char whole[40];
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;

	digits(whole, sizeof whole, (int64_t)(a / (uint64_t)scale), grouped, 0);
	snprintf(out, cap, "%s%s.%0*llu", v < 0 ? "-" : sign && v > 0 ? "+" : "", whole, decimals,
		 (unsigned long long)(a % (uint64_t)scale));
}

void fb_report_format(char *out, size_t cap, const struct fb_report_row *r, int what, int plain)
{
	const char *na = plain ? "" : "-";
	int64_t v;
	int ok;

	if (what == 3) {
		v = fb_report_growth(r, &ok);
		if (!ok) {
			snprintf(out, cap, "%s", na);
			return;
		}
		fixed(out, cap, v, 10, 1, !plain, !plain);
		if (!plain)
			strncat(out, " %", cap - strlen(out) - 1);
		return;
	}
	if (what == 2) /* a change too large to write is not given */
		ok = r->cur_ok && r->prev_ok && !__builtin_sub_overflow(r->cur, r->prev, &v);
	else {
		ok = what == 0 ? r->cur_ok : r->prev_ok;
		v = what == 0 ? r->cur : r->prev;
	}
	if (!ok) {
		snprintf(out, cap, "%s", na);
		return;
	}
	switch (r->unit) {
	case FB_RU_COUNT:
		digits(out, cap, v, !plain, what == 2 && !plain);
		break;
	case FB_RU_FEN:
		if (plain)
			fixed(out, cap, v, 100, 2, 0, 0);
		else {
			char num[48];
			fixed(num, sizeof num, v, 100, 2, 1, 0);
			if (num[0] == '-')
				memmove(num, num + 1, strlen(num));
			snprintf(out, cap, "%s¥%s", v < 0 ? "-" : what == 2 && v > 0 ? "+" : "", num);
		}
		break;
	case FB_RU_PERMILLE:
		fixed(out, cap, v, 10, 1, 0, what == 2 && !plain);
		if (!plain)
			strncat(out, what == 2 ? _(" pt") : " %", cap - strlen(out) - 1);
		break;
	case FB_RU_RATING:
		fixed(out, cap, v, 100, 2, 0, what == 2 && !plain);
		break;
	}
}
