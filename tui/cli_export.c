/* cli_export.c - `fieldbook export KIND --csv FILE | --xlsx FILE` and the XLSX writer
 * (tui layer; libxlsxwriter).
 *
 * The table comes from core (fb_export: columns, labels, masking); this file only puts
 * it into files.  XLSX: ID numbers, mobiles, credit codes and record ids are text cells
 * with the text format "@" (never numbers: Excel would show 1.10101E+17 and drop digits),
 * counts are numbers, money numbers with two decimals, dates real dates shown
 * yyyy-mm-dd; a sheet holds at most 1,048,575 rows under its header, more go on the next
 * sheet.  Both formats are written to FILE.part (owner-only) and renamed over FILE when
 * complete, so a failed export never leaves a file that looks whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "cli.h"
#include "fieldbook/audit.h"
#include "fieldbook/export.h"
#include "fieldbook/i18n.h"
#include "fieldbook/role.h"

/* ---- XLSX sink ---- */

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *code, *money, *date, *head;
	const struct fb_export_column *cols;
	size_t ncols;
	const char *kind;
	lxw_row_t row;
	int sheets;
};

static int lxw_fail(lxw_error e, struct fb_error *err)
{
	return fb_error_set(err, FB_EIO, "file", _("cannot write the spreadsheet: %s"), lxw_strerror(e));
}

/* A new worksheet with the header row. */
static int xlsx_sheet(struct xlsx *x, struct fb_error *err)
{
	char name[32];
	size_t i;
	lxw_error e;

	if (++x->sheets == 1)
		snprintf(name, sizeof name, "%s", x->kind);
	else
		snprintf(name, sizeof name, "%s (%d)", x->kind, x->sheets);
	if (!(x->ws = workbook_add_worksheet(x->wb, name)))
		return fb_error_set(err, FB_EIO, "file", _("cannot add a worksheet"));
	for (i = 0; i < x->ncols; i++) {
		double width = x->cols[i].type == FB_CELL_CODE ? 20 : x->cols[i].type == FB_CELL_TEXT ? 16 : 12;
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, width,
				     x->cols[i].type == FB_CELL_CODE ? x->code : NULL);
		if ((e = worksheet_write_string(x->ws, 0, (lxw_col_t)i, x->cols[i].header, x->head)))
			return lxw_fail(e, err);
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 1;
	return 0;
}

static int xlsx_begin(void *ctx, const struct fb_export_column *cols, size_t n, struct fb_error *err)
{
	struct xlsx *x = ctx;

	x->cols = cols;
	x->ncols = n;
	return xlsx_sheet(x, err);
}

/* "YYYY-MM-DD" into d; 0 if s is not exactly that. */
static int parse_ymd(const char *s, lxw_datetime *d)
{
	int y, m, day, used = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &day, &used) != 3 || used != 10)
		return 0;
	memset(d, 0, sizeof *d);
	d->year = y;
	d->month = m;
	d->day = day;
	return 1;
}

/* A plain decimal number (what core gives for counts and money). */
static int parse_number(const char *s, double *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789.-") != strlen(s))
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	return !*end && !errno;
}

static int xlsx_row(void *ctx, const char *const *cells, size_t n, struct fb_error *err)
{
	struct xlsx *x = ctx;
	size_t i;
	int rc;

	if (x->row >= LXW_ROW_MAX && (rc = xlsx_sheet(x, err)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		const char *s = cells[i];
		lxw_col_t c = (lxw_col_t)i;
		lxw_datetime d;
		double v;
		lxw_error e;
		if (!*s)
			continue;
		switch (x->cols[i].type) {
		case FB_CELL_NUMBER:
		case FB_CELL_MONEY:
			if (parse_number(s, &v)) {
				e = worksheet_write_number(x->ws, x->row, c, v,
							   x->cols[i].type == FB_CELL_MONEY ? x->money : NULL);
				break;
			}
			e = worksheet_write_string(x->ws, x->row, c, s, NULL);
			break;
		case FB_CELL_DATE:
			if (parse_ymd(s, &d)) {
				e = worksheet_write_datetime(x->ws, x->row, c, &d, x->date);
				break;
			}
			e = worksheet_write_string(x->ws, x->row, c, s, NULL);
			break;
		case FB_CELL_CODE:
			e = worksheet_write_string(x->ws, x->row, c, s, x->code);
			break;
		default:
			e = worksheet_write_string(x->ws, x->row, c, s, NULL);
		}
		if (e)
			return lxw_fail(e, err);
	}
	x->row++;
	return 0;
}

static int write_xlsx(struct fb_store *s, const struct fb_export_query *q, const char *path,
		      uint64_t *rows, struct fb_error *err)
{
	lxw_workbook_options o = {0};
	struct xlsx x = {0};
	struct fb_export_sink sink = {xlsx_begin, xlsx_row, &x};
	const struct fb_kind *k = fb_kind_find(q->kind);
	int64_t live = 0;
	mode_t old;
	lxw_error e;
	int rc;

	if (k)
		fb_count(s, k->name, &live, NULL);
	o.constant_memory = 1;
	o.use_zip64 = live > 200000; /* the sheet's XML may pass 4 GB */
	old = umask(077);
	x.wb = workbook_new_opt(path, &o);
	umask(old);
	if (!x.wb)
		return fb_error_set(err, FB_EIO, "file", _("cannot create %s"), path);
	x.kind = k ? k->name : "sheet";
	x.code = workbook_add_format(x.wb);
	format_set_num_format(x.code, "@");
	x.money = workbook_add_format(x.wb);
	format_set_num_format(x.money, "0.00");
	x.date = workbook_add_format(x.wb);
	format_set_num_format(x.date, "yyyy-mm-dd");
	x.head = workbook_add_format(x.wb);
	format_set_bold(x.head);
	rc = fb_export(s, q, &sink, rows, err);
	old = umask(077);
	e = workbook_close(x.wb);
	umask(old);
	if (rc == 0 && e)
		rc = lxw_fail(e, err);
	return rc;
}

/* ---- CSV ---- */

static int write_csv(struct fb_store *s, const struct fb_export_query *q, const char *path,
		     uint64_t *rows, struct fb_error *err)
{
	static char buf[1 << 20];
	FILE *f;
	int fd, rc;

	if (!strcmp(path, "-"))
		f = stdout;
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
		 !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return fb_error_set(err, FB_EIO, "file", _("cannot create %s: %s"), path, strerror(errno));
	}
	setvbuf(f, buf, _IOFBF, sizeof buf); /* static: stays valid for stdout too */
	rc = fb_export_csv(s, q, f, rows, err);
	if (fflush(f) != 0 && rc == 0)
		rc = fb_error_set(err, FB_EIO, "file", _("cannot write %s: %s"), path, strerror(errno));
	if (f != stdout) {
		if (rc == 0 && fsync(fileno(f)) != 0)
			rc = fb_error_set(err, FB_EIO, "file", _("cannot write %s: %s"), path, strerror(errno));
		if (fclose(f) != 0 && rc == 0)
			rc = fb_error_set(err, FB_EIO, "file", _("cannot write %s: %s"), path, strerror(errno));
	}
	return rc;
}

/* Writes through FILE.part and renames it over FILE when complete. */
static int export_to(struct fb_store *s, const struct fb_export_query *q, const char *path, int xlsx,
		     uint64_t *rows, struct fb_error *err)
{
	char *part;
	int rc;

	if (!xlsx && !strcmp(path, "-"))
		return write_csv(s, q, path, rows, err);
	if (!(part = malloc(strlen(path) + 6)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	sprintf(part, "%s.part", path);
	rc = xlsx ? write_xlsx(s, q, part, rows, err) : write_csv(s, q, part, rows, err);
	if (rc == 0 && rename(part, path) != 0)
		rc = fb_error_set(err, FB_EIO, "file", _("cannot rename %s to %s: %s"), part, path,
				  strerror(errno));
	if (rc < 0)
		unlink(part);
	free(part);
	return rc;
}

int cmd_export(struct fb_store *s, int argc, char **argv)
{
	struct fb_export_query q = {0};
	struct fb_error err = {0};
	const char *csv = NULL, *xlsx = NULL, *reason = NULL;
	const struct fb_kind *k;
	uint64_t rows = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (cli_opt_value(argc, argv, &i, "--csv", &csv) || cli_opt_value(argc, argv, &i, "--xlsx", &xlsx) ||
		    cli_opt_value(argc, argv, &i, "--from", &q.from) || cli_opt_value(argc, argv, &i, "--to", &q.to) ||
		    cli_opt_value(argc, argv, &i, "--reason", &reason))
			continue;
		if (!strcmp(argv[i], "--unmasked"))
			q.unmasked = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_usage("export", _("unknown option '%s'"), argv[i]);
		else if (q.kind)
			return cli_usage("export", _("give one kind, not '%s' too"), argv[i]);
		else
			q.kind = argv[i];
	}
	if (!q.kind)
		return cli_usage("export", _("export what? give a kind, e.g. fieldbook export person --xlsx 职工.xlsx"));
	if (!(k = fb_kind_find(q.kind)))
		return cli_usage("export", _("unknown kind '%s'; `fieldbook fields` lists the kinds"), q.kind);
	if (!csv && !xlsx)
		return cli_usage("export", _("give --csv FILE or --xlsx FILE (or both)"));
	if (xlsx && !strcmp(xlsx, "-"))
		return cli_usage("export", _("--xlsx needs a file name, not standard output"));
	if (reason && !q.unmasked)
		return cli_usage("export", _("--reason goes with --unmasked"));
	/* Full values: the role must allow it, and the audit trail gets who, when, which kind
	 * and why before any file is written (audit.h; nothing is written in open mode). */
	if (q.unmasked && (fb_role_allows(s, FB_ACT_EXPORT_UNMASKED, &err) < 0 ||
			   fb_audit_add(s, FB_AUDIT_EXPORT_UNMASKED, NULL, k->name, reason, &err) < 0))
		return cli_fail(&err);
	if ((csv && export_to(s, &q, csv, 0, &rows, &err) < 0) ||
	    (xlsx && export_to(s, &q, xlsx, 1, &rows, &err) < 0))
		return cli_fail(&err);
	fprintf(stderr,
		q.unmasked ? _("fieldbook: exported %llu %s records with full values (unmasked)\n")
			   : _("fieldbook: exported %llu %s records, ID numbers and mobiles masked "
			       "(--unmasked writes full values)\n"),
		(unsigned long long)rows, fb_kind_label(k));
	if (csv && q.unmasked)
		fprintf(stderr, "%s", _("fieldbook: Excel shows long numbers in a CSV file as 1.1E+17; "
					"open ID numbers with --xlsx instead\n"));
	return CLI_OK;
}
