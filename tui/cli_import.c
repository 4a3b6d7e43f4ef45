/* cli_import.c - `fieldbook import KIND FILE.csv`: reads the file, lets core import it
 * (fb_import_csv: header mapping, validation like `add`, matching people), prints each
 * rejected row with its line, field and reason, and a summary (tui layer).
 *
 * Exit status: 0 when every row was imported (or matched), 1 when rows were rejected or
 * the file was refused, 2 for a usage error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/i18n.h"
#include "fieldbook/import.h"
#include "fieldbook/kvarg.h"

#define IMPORT_MAX_BYTES (1024L * 1024 * 1024)

static int read_file(char **out, size_t *len, const char *path, struct fb_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t used = 0, cap = 0, n;

	*out = NULL;
	if (!f)
		return fb_error_set(err, FB_ENOTFOUND, "file", _("cannot open %s: %s"), path, strerror(errno));
	for (;;) {
		if (used + 65536 + 1 > cap) {
			char *b;
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > (size_t)IMPORT_MAX_BYTES + 65536 || !(b = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				return fb_error_set(err, FB_EINVAL, "file",
						    _("%s is too large to import (more than 1 GB); split it"),
						    path);
			}
			buf = b;
		}
		n = fread(buf + used, 1, 65536, f);
		used += n;
		if (n < 65536)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return fb_error_set(err, FB_EIO, "file", _("cannot read %s"), path);
	}
	fclose(f);
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
}

static int print_reject(long line, const char *field, const char *reason, void *ctx)
{
	size_t n = field ? strlen(field) : 0;

	(void)ctx;
	/* core's messages start with "field: " (in Chinese "field："); the field goes first
	 * once, then the reason */
	if (n && !strncmp(reason, field, n)) {
		if (reason[n] == ':' && reason[n + 1] == ' ')
			reason += n + 2;
		else if (!strncmp(reason + n, "\xef\xbc\x9a", 3)) /* U+FF1A FULLWIDTH COLON */
			reason += n + 3;
	}
	if (n)
		fprintf(stderr, _("fieldbook: line %ld: %s: %s\n"), line, field, reason);
	else
		fprintf(stderr, _("fieldbook: line %ld: %s\n"), line, reason);
	return 0;
}

int cmd_import(struct fb_store *s, int argc, char **argv)
{
	struct fb_import_options o = {0};
	struct fb_import_result res;
	struct fb_error err = {0};
	struct fb_override ovr[8];
	char *owned[16], *data = NULL;
	const char *kind = NULL, *path = NULL;
	size_t len = 0, nowned = 0, i;
	int a, rc = CLI_OK;

	for (a = 1; a < argc; a++) {
		const char *v = NULL;
		if (!strcmp(argv[a], "--all-or-nothing"))
			o.all_or_nothing = 1;
		else if (!strcmp(argv[a], "--dry-run"))
			o.dry_run = 1;
		else if (cli_opt_value(argc, argv, &a, "--override", &v)) {
			char *f = NULL, *r = NULL;
			if (o.noverrides == sizeof ovr / sizeof ovr[0]) {
				rc = cli_usage("import", _("too many --override options"));
				goto cleanup;
			}
			if (fb_kvarg_parse(&f, &r, v, &err) < 0) {
				rc = cli_fail(&err);
				goto cleanup;
			}
			owned[nowned++] = f;
			owned[nowned++] = r;
			ovr[o.noverrides].field = f;
			ovr[o.noverrides++].reason = r;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			rc = cli_usage("import", _("unknown option '%s'"), argv[a]);
			goto cleanup;
		} else if (!kind)
			kind = argv[a];
		else if (!path)
			path = argv[a];
		else {
			rc = cli_usage("import", _("give one kind and one file, not '%s' too"), argv[a]);
			goto cleanup;
		}
	}
	o.overrides = ovr;
	if (!kind || !path) {
		rc = cli_usage("import", _("give a kind and a CSV file, e.g. fieldbook import person 名单.csv"));
		goto cleanup;
	}
	if (read_file(&data, &len, path, &err) < 0 ||
	    fb_import_csv(s, kind, data, len, &o, print_reject, NULL, &res, &err) < 0) {
		fprintf(stderr, _("fieldbook: %s: %s\nfieldbook: nothing was imported\n"), path, err.message);
		rc = err.code == FB_EUSAGE ? CLI_USAGE : CLI_FAIL;
		goto cleanup;
	}
	printf(_("%s: %zu rows: %zu added, %zu matched people already present (%zu filled empty "
		 "fields, %zu differing values kept), %zu rejected\n"),
	       path, res.rows, res.added, res.matched, res.filled, res.kept, res.rejected);
	if (res.upgraded)
		printf(_("%zu legacy 15-digit ID numbers were upgraded to 18 digits\n"), res.upgraded);
	if (o.dry_run)
		printf("%s", _("dry run: nothing was saved\n"));
	else if (!res.saved)
		printf("%s", _("nothing was imported (--all-or-nothing): fix the rejected rows and "
			       "import the file again\n"));
	else if (res.rejected && (res.added || res.matched))
		printf("%s", _("the other rows were saved; fix the rejected rows and import only them "
			       "again (rows already saved would be matched, not added twice, only for "
			       "people)\n"));
	rc = res.rejected ? CLI_FAIL : CLI_OK;
cleanup:
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(data);
	return rc;
}
