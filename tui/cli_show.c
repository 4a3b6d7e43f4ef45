/* cli_show.c - the command line's reading commands: show, list, search (tui layer).
 *
 * Personal data is masked unless --unmasked; tables are padded by terminal columns so
 * Chinese text lines up; TSV output has one header line of field codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/audit.h"
#include "fieldbook/i18n.h"
#include "fieldbook/kvarg.h"
#include "fieldbook/review.h"
#include "fieldbook/role.h"
#include "fieldbook/text.h"

#define LABEL_COLS 16
#define FIELD_COLS 18

static void show_value_line(const struct fb_field_state *fs, int unmasked)
{
	const char *label = fs->def ? fb_field_label(fs->def) : fs->name;
	char *v = out_value(fs->def, fs->values[0].value, unmasked);
	size_t i;

	printf("  ");
	out_cell(stdout, fs->name, FIELD_COLS);
	out_cell(stdout, label, LABEL_COLS);
	printf(" %s", v ? v : "");
	if (fs->nvalues > 1)
		printf(_("   [CONFLICT: %zu values]"), fs->nvalues);
	putchar('\n');
	free(v);
	if (fs->nvalues > 1)
		for (i = 0; i < fs->nvalues; i++) {
			char t[48];
			char *vi = out_value(fs->def, fs->values[i].value, unmasked);
			out_time(t, sizeof t, fs->values[i].hlc);
			printf(_("      %s %s  (%s, %s, op %s)\n"), i ? " " : "*", vi ? vi : "",
			       fs->values[i].author, t, fs->values[i].op);
			free(vi);
		}
}

/* A reference to a person merged into another stands for the survivor (review.h). */
static void show_merged_refs(struct fb_store *s, const struct fb_field_state *fs)
{
	const char *p = fs->values[0].value;
	struct fb_error err = {0};

	if (!fs->def || (fs->def->type != FB_T_REF && fs->def->type != FB_T_REFS) ||
	    !strcmp(fs->name, "merged_into"))
		return;
	while (*p) {
		char id[FB_ID_LEN + 1], to[FB_ID_LEN + 1];
		size_t n = strcspn(p, ",");
		snprintf(id, sizeof id, "%.*s", (int)(n < FB_ID_LEN ? n : FB_ID_LEN), p);
		if (n == FB_ID_LEN && fb_record_follow(s, to, id, &err) == 0 && strcmp(to, id))
			printf(_("      %s was merged into %s: it stands for that person\n"), id, to);
		p += n;
		if (*p == ',')
			p++;
	}
}

struct history_ctx {
	const struct fb_record *rec;
	int unmasked;
	char last_field[64];
	const int *allow; /* per rec->fields: may be shown in full */
};

/* Whether field of the history may be shown in full (a field with no current value was
 * not audited, so it stays masked in privacy mode). */
static int history_allows(const struct history_ctx *h, const char *field)
{
	size_t j;

	if (!h->unmasked)
		return 0;
	for (j = 0; j < h->rec->nfields; j++)
		if (!strcmp(h->rec->fields[j].name, field))
			return h->allow[j];
	return !fb_audit_enabled(NULL);
}

static int history_line(const struct fb_op *op, int visible, void *ctx)
{
	struct history_ctx *h = ctx;
	const struct fb_field *f = h->rec->kind ? fb_field_find(h->rec->kind, op->field) : NULL;
	char t[48], device[80];
	char *v;
	size_t dl = strcspn(op->id, ":");

	if (f && strcmp(f->name, op->field))
		f = NULL;
	if (strcmp(h->last_field, op->field)) {
		snprintf(h->last_field, sizeof h->last_field, "%s", op->field);
		printf("  %s%s%s\n", op->field, f ? "  " : "", f ? fb_field_label(f) : "");
	}
	snprintf(device, sizeof device, "%.*s", (int)(dl < 79 ? dl : 79), op->id);
	out_time(t, sizeof t, op->hlc);
	if (!strcmp(op->field, "_exists"))
		v = strdup(!strcmp(op->value, "1") ? _("created") : _("deleted"));
	else
		v = out_value(f, op->value, history_allows(h, op->field));
	printf("    %s %s  %s  %s  %s%s\n", visible ? "*" : " ", t, op->author, device, v ? v : "",
	       *op->value ? "" : _("(cleared)"));
	free(v);
	return 0;
}

static int linked_line(const struct fb_row *row, const char *via, void *ctx)
{
	const struct fb_kind *k = fb_kind_find(row->kind);
	char *title = out_title(row->kind, row->title);

	printf("  %s  ", row->id);
	out_cell(stdout, k ? fb_kind_label(k) : row->kind, 14);
	printf(" %s  (%s)\n", title ? title : "", via);
	free(title);
	(*(int *)ctx)++;
	return 0;
}

int cmd_show(struct fb_store *s, int argc, char **argv)
{
	struct fb_record *r = NULL;
	struct fb_error err = {0};
	const char *id = NULL;
	const char *reason = NULL;
	int unmasked = 0, history = 0, i, nlinked = 0, hidden = 0, denied = 0, *allow = NULL, rc;
	size_t j;
	char t1[48], t2[48];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--unmasked"))
			unmasked = 1;
		else if (cli_opt_value(argc, argv, &i, "--reason", &reason))
			continue;
		else if (!strcmp(argv[i], "--history"))
			history = 1;
		else if (!id && argv[i][0] != '-')
			id = argv[i];
		else
			return cli_usage("show", _("unknown argument '%s'"), argv[i]);
	}
	if (!id)
		return cli_usage("show", _("give a record id"));
	if (fb_record_get(&r, s, id, &err) < 0)
		return cli_fail(&err);
	/* privacy mode: role per field and an audit entry per revealed field, before output */
	if (!(allow = calloc(r->nfields + 1, sizeof *allow))) {
		fb_record_free(r);
		return CLI_FAIL;
	}
	if (unmasked && (rc = cli_reveal_fields(s, r, reason, allow)) != CLI_OK) {
		free(allow);
		fb_record_free(r);
		return rc;
	}
	printf("%s  %s", r->id, r->kind ? fb_kind_label(r->kind) : r->kind_name);
	if (!r->exists)
		printf(_("  [DELETED]"));
	if (r->delete_conflict)
		printf(_("  [CONFLICT: edited on another device while deleted here]"));
	if (r->merged_into)
		printf(_("  [merged into %s]"), r->merged_into);
	putchar('\n');
	for (j = 0; j < r->nfields; j++) {
		show_value_line(&r->fields[j], unmasked && allow[j]);
		show_merged_refs(s, &r->fields[j]);
		if (!unmasked && r->fields[j].def && (r->fields[j].def->flags & FB_F_SENSITIVE))
			hidden = 1;
		if (unmasked && !allow[j])
			denied = 1;
	}
	out_time(t1, sizeof t1, r->created_hlc);
	out_time(t2, sizeof t2, r->updated_hlc);
	printf(_("  created %s by %s on device %s\n  updated %s by %s\n"), t1, r->created_by,
	       r->created_device, t2, r->updated_by);
	if (hidden)
		printf(_("  (sensitive values are hidden; --unmasked shows them)\n"));
	if (denied)
		printf(_("  (some values stay masked: the role %s may not see them)\n"),
		       fb_role_name(fb_role_current()));
	if (r->conflicts)
		printf(_("  %d conflicted field(s): `fieldbook edit %s FIELD=VALUE` resolves one\n"),
		       r->conflicts, r->id);
	printf(_("linked records:\n"));
	if (fb_linked(s, r->id, 100, linked_line, &nlinked, &err) < 0) {
		free(allow);
		fb_record_free(r);
		return cli_fail(&err);
	}
	if (!nlinked)
		printf(_("  (none)\n"));
	if (history) {
		struct history_ctx h = {r, unmasked, "", allow};
		printf(_("history (* = current value):\n"));
		if (fb_record_history(s, r->id, history_line, &h, &err) < 0) {
			free(allow);
			fb_record_free(r);
			return cli_fail(&err);
		}
	}
	free(allow);
	fb_record_free(r);
	return CLI_OK;
}

/* ---- tables ---- */

struct table_ctx {
	const struct fb_kind *kind; /* NULL: mixed kinds (search) */
	int tsv, unmasked, header_done, search;
	size_t rows;
};

static void table_header(struct table_ctx *t)
{
	const struct fb_field *f;

	if (t->tsv) {
		printf("id");
		if (t->search)
			printf("\tkind\ttitle\tmatch");
		else
			for (f = t->kind->fields; f->name; f++)
				if (f->flags & FB_F_LIST)
					printf("\t%s", f->name);
		putchar('\n');
		return;
	}
	out_cell(stdout, _("id"), FB_ID_LEN + 2);
	if (t->search) {
		out_cell(stdout, _("kind"), 14);
		out_cell(stdout, _("title"), 24);
		printf("%s", _("match"));
	} else
		for (f = t->kind->fields; f->name; f++)
			if (f->flags & FB_F_LIST) {
				out_cell(stdout, fb_field_label(f), f->list_cols ? f->list_cols : 10);
				putchar(' ');
			}
	putchar('\n');
}

static int table_row(const struct fb_row *row, void *ctx)
{
	struct table_ctx *t = ctx;
	const struct fb_kind *k = fb_kind_find(row->kind);
	const struct fb_field *f;
	size_t c = 0;

	if (!t->header_done) {
		table_header(t);
		t->header_done = 1;
	}
	t->rows++;
	if (t->search) {
		char *title = out_title(row->kind, row->title);
		const char *match = row->match ? row->match : "";
		if (t->tsv) {
			printf("%s\t%s\t", row->id, row->kind);
			out_tsv(stdout, title);
			printf("\t%s\n", match);
		} else {
			printf("%s  ", row->id);
			out_cell(stdout, k ? fb_kind_label(k) : row->kind, 14);
			out_cell(stdout, title, 24);
			printf("%s\n", match);
		}
		free(title);
		return 0;
	}
	printf("%s%s", row->id, t->tsv ? "" : "  ");
	for (f = k->fields; f->name && c < row->ncols; f++) {
		char *v;
		if (!(f->flags & FB_F_LIST))
			continue;
		v = out_value(f, row->cols[c++], t->unmasked);
		if (t->tsv) {
			putchar('\t');
			out_tsv(stdout, v);
		} else {
			out_cell(stdout, v, f->list_cols ? f->list_cols : 10);
			putchar(' ');
		}
		free(v);
	}
	if (row->conflicts && !t->tsv)
		printf(_("[conflict]"));
	putchar('\n');
	return 0;
}

static int parse_format(const char *cmd, const char *v, int *tsv)
{
	if (!strcmp(v, "tsv"))
		*tsv = 1;
	else if (!strcmp(v, "table"))
		*tsv = 0;
	else
		return cli_usage(cmd, _("--format takes table or tsv, not '%s'"), v);
	return CLI_OK;
}

static int parse_count(const char *cmd, const char *opt, const char *v, size_t *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n < 1 || n > 100000)
		return cli_usage(cmd, _("%s takes a number from 1 to 100000, not '%s'"), opt, v);
	*out = (size_t)n;
	return CLI_OK;
}

int cmd_list(struct fb_store *s, int argc, char **argv)
{
	struct fb_list_query q = {0};
	struct table_ctx t = {0};
	struct fb_kv filters[8];
	struct fb_error err = {0};
	char *owned[16];
	const char *reason = NULL;
	size_t nowned = 0, i;
	int a, rc = CLI_OK;

	if (argc < 2)
		return cli_usage("list", _("list what? give a kind, e.g. fieldbook list person"));
	q.kind = argv[1];
	if (!(t.kind = fb_kind_find(argv[1])))
		return cli_usage("list", _("unknown kind '%s'; `fieldbook fields` lists the kinds"), argv[1]);
	for (a = 2; a < argc && rc == CLI_OK; a++) {
		const char *arg = argv[a];
		if (!strcmp(arg, "--unmasked"))
			t.unmasked = 1;
		else if (cli_opt_value(argc, argv, &a, "--reason", &reason))
			continue;
		else if (!strcmp(arg, "--deleted"))
			q.include_deleted = 1;
		else if (!strcmp(arg, "--format") && a + 1 < argc)
			rc = parse_format("list", argv[++a], &t.tsv);
		else if (!strcmp(arg, "--limit") && a + 1 < argc)
			rc = parse_count("list", "--limit", argv[++a], &q.limit);
		else if (!strcmp(arg, "--after") && a + 1 < argc)
			q.after = argv[++a];
		else if (!strncmp(arg, "--", 2))
			rc = cli_usage("list", _("unknown option '%s'"), arg);
		else if (q.nfilters == 8)
			rc = cli_usage("list", _("at most 8 FIELD=VALUE filters"));
		else {
			char *f, *v;
			if (fb_kvarg_parse(&f, &v, arg, &err) < 0)
				rc = cli_fail(&err);
			else {
				owned[nowned++] = f;
				owned[nowned++] = v;
				filters[q.nfilters].field = f;
				filters[q.nfilters++].value = v;
			}
		}
	}
	q.filters = filters;
	if (rc == CLI_OK && t.unmasked)
		rc = cli_unmasked_export(s, t.kind->name, reason);
	if (rc == CLI_OK && fb_list(s, &q, table_row, &t, &err) < 0)
		rc = cli_fail(&err);
	if (rc == CLI_OK && !t.header_done)
		table_header(&t);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	return rc;
}

int cmd_search(struct fb_store *s, int argc, char **argv)
{
	struct table_ctx t = {0};
	struct fb_error err = {0};
	const char *text = NULL, *kind = NULL, *reason = NULL;
	size_t limit = 20, page = 1;
	int a, rc = CLI_OK;

	t.search = 1;
	for (a = 1; a < argc && rc == CLI_OK; a++) {
		if (!strcmp(argv[a], "--unmasked"))
			t.unmasked = 1;
		else if (cli_opt_value(argc, argv, &a, "--reason", &reason))
			continue;
		else if (!strcmp(argv[a], "--kind") && a + 1 < argc)
			kind = argv[++a];
		else if (!strcmp(argv[a], "--format") && a + 1 < argc)
			rc = parse_format("search", argv[++a], &t.tsv);
		else if (!strcmp(argv[a], "--limit") && a + 1 < argc)
			rc = parse_count("search", "--limit", argv[++a], &limit);
		else if (!strcmp(argv[a], "--page") && a + 1 < argc)
			rc = parse_count("search", "--page", argv[++a], &page);
		else if (!strncmp(argv[a], "--", 2) || text)
			rc = cli_usage("search", _("unexpected argument '%s' (quote a search of several words)"),
				       argv[a]);
		else
			text = argv[a];
	}
	if (rc != CLI_OK)
		return rc;
	if (!text)
		return cli_usage("search", _("search for what? give a name, ID number, mobile or words"));
	if (t.unmasked && (rc = cli_unmasked_export(s, "search", reason)) != CLI_OK)
		return rc;
	if (fb_search(s, text, kind, (page - 1) * limit, limit, table_row, &t, &err) < 0)
		return cli_fail(&err);
	if (!t.rows && !t.tsv)
		printf(_("no records match '%s'\n"), text);
	else if (!t.rows)
		table_header(&t);
	return CLI_OK;
}
