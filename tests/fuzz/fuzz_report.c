/* fuzz_report.c - libFuzzer target for the report's parsers: period options (--month,
 * --quarter, --year, --from/--to) and stored item lists and numbers read from records
 * that came from other devices (tests layer).
 *
 * Input: a unit byte, then text.  Invariants: a parsed period has valid dates with
 * from <= to, and its previous period ends the day before it starts; the item and number
 * readers never read past the string; formatting any figure fits its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/report_int.h"
#include "fieldbook/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const units[] = {"month", "quarter", "year"};
	struct fb_report_period p, prev;
	struct fb_error err;
	struct fb_report_row row;
	char *text, buf[64];
	int rc, k;

	if (size < 1)
		return 0;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] < 3)
		rc = fb_report_period_parse(&p, units[data[0]], text, &err);
	else {
		char *dots = strstr(text, "..");
		if (dots)
			*dots = '\0';
		rc = fb_report_period_range(&p, text, dots ? dots + 2 : text, &err);
	}
	if (rc == 0) {
		int64_t from = report_date_days(p.from), to = report_date_days(p.to);
		if (from == INT64_MIN || to == INT64_MIN || from > to)
			abort();
		fb_report_period_previous(&prev, &p);
		if (report_date_days(prev.to) != from - 1 || report_date_days(prev.from) > report_date_days(prev.to))
			abort();
	}
	report_items_total(text);
	memset(&row, 0, sizeof row);
	row.unit = (enum fb_report_unit)(data[0] % 4);
	row.cur = report_to_int(text) * (data[0] & 0x80 ? -1 : 1);
	row.prev = (int64_t)size * 37;
	row.cur_ok = row.prev_ok = 1;
	for (k = 0; k < 4; k++) {
		fb_report_format(buf, sizeof buf, &row, k, 0);
		fb_report_format(buf, sizeof buf, &row, k, 1);
	}
	free(text);
	return 0;
}
