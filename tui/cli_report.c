/* cli_report.c - `fieldbook report`: the period report as aligned text or CSV (tui layer).
 *
 * The figures come from fb_report_compute (core/report.c); this file only parses the
 * options and lays the rows out: labels in the user's language measured by terminal
 * columns, numbers right-aligned, or one CSV row per figure (UTF-8 with BOM, CRLF, the
 * cells written by core/csv.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/clock.h"
#include "fieldbook/csv.h"
#include "fieldbook/i18n.h"
#include "fieldbook/report.h"
#include "fieldbook/text.h"

/* "--by team,site" or repeated --by: the FB_REPORT_BY_* bits. */
static int parse_by(const char *arg, unsigned *by)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof buf, "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "team"))
			*by |= FB_REPORT_BY_TEAM;
		else if (!strcmp(tok, "site"))
			*by |= FB_REPORT_BY_SITE;
		else if (!strcmp(tok, "occupation"))
			*by |= FB_REPORT_BY_OCCUPATION;
		else if (!strcmp(tok, "kind"))
			*by |= FB_REPORT_BY_KIND;
		else
			return cli_usage("report", _("--by: '%s' is not one of team, site, occupation, kind"), tok);
	}
	return CLI_OK;
}

static void csv_cell(FILE *f, const char *s, int first)
{
	fb_csv_put_cell(f, s, first);
}

static void print_csv(const struct fb_report *rep)
{
	char cur[64], prev[64], change[64], growth[64];
	size_t i;

	fputs(FB_CSV_BOM, stdout);
	csv_cell(stdout, "section", 1);
	csv_cell(stdout, "metric", 0);
	csv_cell(stdout, "key", 0);
	csv_cell(stdout, "label", 0);
	csv_cell(stdout, "period_from", 0);
	csv_cell(stdout, "period_to", 0);
	csv_cell(stdout, "current", 0);
	csv_cell(stdout, "previous", 0);
	csv_cell(stdout, "change", 0);
	csv_cell(stdout, "growth_percent", 0);
	fb_csv_end_row(stdout);
	for (i = 0; i < rep->nrows; i++) {
		const struct fb_report_row *r = &rep->rows[i];
		fb_report_format(cur, sizeof cur, r, 0, 1);
		fb_report_format(prev, sizeof prev, r, 1, 1);
		fb_report_format(change, sizeof change, r, 2, 1);
		fb_report_format(growth, sizeof growth, r, 3, 1);
		csv_cell(stdout, r->section, 1);
		csv_cell(stdout, r->metric, 0);
		csv_cell(stdout, r->key, 0);
		csv_cell(stdout, *r->key ? r->key_label : r->metric_label, 0);
		csv_cell(stdout, rep->period.from, 0);
		csv_cell(stdout, rep->period.to, 0);
		csv_cell(stdout, cur, 0);
		csv_cell(stdout, prev, 0);
		csv_cell(stdout, change, 0);
		csv_cell(stdout, growth, 0);
		fb_csv_end_row(stdout);
	}
}

/* The label of a row as the text layout shows it: a total at indent 2, the heading of a
 * group at indent 2, a group's key at indent 4. */
static int label_cols(const struct fb_report_row *r)
{
	int head = 2 + fb_text_cols(r->metric_label), key = 4 + fb_text_cols(r->key_label);

	return *r->key && key > head ? key : head;
}

/* A line with only a label (section or group heading), no padding after it. */
static void heading(const char *indent, const char *label)
{
	char buf[1024];

	fb_text_fit(buf, sizeof buf, label, 200, 0);
	printf("%s%s", indent, buf);
}

static void number_cells(FILE *f, const struct fb_report_row *r, int w)
{
	char buf[64];
	int k;

	for (k = 0; k < 4; k++) {
		int c;
		fb_report_format(buf, sizeof buf, r, k, 0);
		c = fb_text_cols(buf);
		fprintf(f, "%*s%s", w - c > 1 ? w - c : 1, "", buf);
	}
	fputc('\n', f);
}

static void print_text(const struct fb_report *rep)
{
	const char *heads[4] = {_("This period"), _("Previous"), _("Change"), _("Growth")};
	int lw = 0, w = 14, k;
	size_t i;

	for (i = 0; i < rep->nrows; i++)
		if (label_cols(&rep->rows[i]) > lw)
			lw = label_cols(&rep->rows[i]);
	for (k = 0; k < 4; k++)
		if (fb_text_cols(heads[k]) + 2 > w)
			w = fb_text_cols(heads[k]) + 2;
	printf(_("Report %s to %s, against %s to %s\n"), rep->period.from, rep->period.to,
	       rep->previous.from, rep->previous.to);
	for (i = 0; i < rep->nrows; i++) {
		const struct fb_report_row *r = &rep->rows[i];
		if (i == 0 || strcmp(r->section, rep->rows[i - 1].section)) {
			fputc('\n', stdout);
			out_cell(stdout, r->section_label, lw);
			for (k = 0; k < 4; k++) {
				int c = fb_text_cols(heads[k]);
				printf("%*s%s", w - c, "", heads[k]);
			}
			fputc('\n', stdout);
		}
		if (*r->key && (i == 0 || strcmp(r->metric, rep->rows[i - 1].metric))) {
			heading("  ", r->metric_label);
			fputc('\n', stdout);
		}
		if (*r->key) {
			fputs("    ", stdout);
			out_cell(stdout, r->key_label, lw - 4);
		} else {
			fputs("  ", stdout);
			out_cell(stdout, r->metric_label, lw - 2);
		}
		number_cells(stdout, r, w);
	}
}

int cmd_report(struct fb_store *s, int argc, char **argv)
{
	struct fb_report_query q;
	struct fb_report *rep = NULL;
	struct fb_error err = {0};
	const char *from = NULL, *to = NULL, *unit = NULL, *spec = NULL;
	int a, csv = 0, nperiods = 0, rc;

	memset(&q, 0, sizeof q);
	for (a = 1; a < argc; a++) {
		const char *arg = argv[a];
		if ((!strcmp(arg, "--month") || !strcmp(arg, "--quarter") || !strcmp(arg, "--year")) &&
		    a + 1 < argc) {
			unit = arg + 2;
			spec = argv[++a];
			nperiods++;
		} else if (!strcmp(arg, "--from") && a + 1 < argc)
			from = argv[++a];
		else if (!strcmp(arg, "--to") && a + 1 < argc)
			to = argv[++a];
		else if (!strcmp(arg, "--by") && a + 1 < argc) {
			if ((rc = parse_by(argv[++a], &q.by)) != CLI_OK)
				return rc;
		} else if (!strcmp(arg, "--monthly"))
			q.by |= FB_REPORT_MONTHLY;
		else if (!strcmp(arg, "--format") && a + 1 < argc) {
			a++;
			if (!strcmp(argv[a], "csv"))
				csv = 1;
			else if (strcmp(argv[a], "text"))
				return cli_usage("report", _("--format: '%s' is not text or csv"), argv[a]);
		} else
			return cli_usage("report", _("unknown argument '%s'"), arg);
	}
	if (from || to)
		nperiods++;
	if (nperiods > 1)
		return cli_usage("report", _("give one period: --month, --quarter, --year, or --from and --to"));
	if ((from != NULL) != (to != NULL))
		return cli_usage("report", _("--from and --to go together"));
	if (from)
		rc = fb_report_period_range(&q.period, from, to, &err);
	else if (unit)
		rc = fb_report_period_parse(&q.period, unit, spec, &err);
	else {
		char today[16];
		fb_clock_today(today, sizeof today);
		today[4] = '\0';
		rc = fb_report_period_parse(&q.period, "year", today, &err);
	}
	if (rc < 0) {
		err.code = FB_EUSAGE;
		return cli_fail(&err);
	}
	if (fb_report_compute(&rep, s, &q, &err) < 0)
		return cli_fail(&err);
	if (csv)
		print_csv(rep);
	else
		print_text(rep);
	fb_report_free(rep);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("fieldbook: cannot write the report\n"));
		return CLI_FAIL;
	}
	return CLI_OK;
}
