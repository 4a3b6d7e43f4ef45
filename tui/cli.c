/* cli.c - the command table, dispatch and the commands that change data (tui layer).
 *
 * Every command calls core functions only; no rule lives here.  Exit status: 0 success,
 * 1 failure (bad input, not found: the message on stderr says what to fix), 2 usage. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/clock.h"
#include "fieldbook/config.h"
#include "fieldbook/i18n.h"
#include "fieldbook/kvarg.h"
#include "fieldbook/sync.h"
#include "tui.h"
#include <unistd.h>

const struct cli_command cli_commands[] = {
	{"init", "[--device-label LABEL] [--team TEAM] [--operator NAME] [--join KEYFILE]",
	 N_("set up fieldbook on this computer: data directory, device id"), 0, cmd_init},
	{"add", "KIND FIELD=VALUE... [--override FIELD=REASON]",
	 N_("add a record; prints its id"), 1, cmd_add},
	{"edit", "ID FIELD=VALUE... [--override FIELD=REASON]",
	 N_("change fields of a record (FIELD= clears one)"), 1, cmd_edit},
	{"show", "ID [--history] [--unmasked [--reason TEXT]]", N_("show a record, its links and conflicts"), 1,
	 cmd_show},
	{"list", "KIND [FIELD=VALUE...] [--format table|tsv] [--limit N] [--after ID] [--unmasked [--reason TEXT]]",
	 N_("list records of a kind, newest first"), 1, cmd_list},
	{"search", "TEXT [--kind KIND] [--limit N] [--page N] [--format table|tsv] [--unmasked [--reason TEXT]]",
	 N_("find records by name, ID number, mobile or words"), 1, cmd_search},
	{"delete", "ID", N_("delete a record (kept in history)"), 1, cmd_delete},
	{"fields", "[KIND]", N_("fields of a kind: types, choice codes and labels"), 0, cmd_fields},
	{"dump", "", N_("every record and field, unmasked, conflicts included, canonical order"), 1,
	 cmd_dump},
	{"export", "KIND --csv FILE | --xlsx FILE [--unmasked [--reason TEXT]] [--from DATE] [--to DATE]",
	 N_("write the live records of a kind to a CSV or Excel file for spreadsheets, masked unless --unmasked"),
	 1, cmd_export},
	{"import", "KIND FILE.csv [--all-or-nothing] [--dry-run] [--override FIELD=REASON]",
	 N_("add records from a CSV roster, validated like add; people already present are matched"),
	 1, cmd_import},
	{"check", "[--state-digest | --snapshot-tree]",
	 N_("check the database; --state-digest prints a hash of the state, --snapshot-tree the tree id of its snapshot"),
	 1, cmd_check},
	{"rebuild", "", N_("re-derive all records from the op log"), 1, cmd_rebuild},
	{"remote", "add NAME URL [--host-key SHA256:...] [--token-file FILE] [--key-file FILE] [--ca-file FILE] | list | remove NAME",
	 N_("add, list or remove the remotes this computer syncs with"), 0, cmd_remote},
	{"sync", "[NAME] [--publish]", N_("send and receive changes with one remote, or all of them"), 1, cmd_sync},
	{"bundle", "create FILE [--for NAME] | read FILE",
	 N_("write all data to a bundle file, or read one (no network needed)"), 1, cmd_bundle},
	{"report", "[--month YYYY-MM | --quarter YYYYQn | --year YYYY | --from DATE --to DATE] [--by team|site|occupation|kind] [--monthly] [--format text|csv]",
	 N_("the period report against the previous period: members, legal aid, outreach, services, demands, assistance"),
	 1, cmd_report},
	{"review", "[conflicts [ID] | resolve ID FIELD --pick N|--value VALUE | resolve ID --keep-deleted|--restore | duplicates | merge SURVIVOR DUPLICATE | unmerge DUPLICATE | alarms [--all] | ack N|--all | devices [--mark]] [--unmasked [--reason TEXT]]",
	 N_("the coordinator's review queues: conflicts, possible duplicate people, alarms, devices"), 1,
	 cmd_review},
	{"catalogue", "[site|service|team]",
	 N_("what the forms offer for sites, services and teams (entries are records: fieldbook add site name=...)"),
	 1, cmd_catalogue},
	{"key", "create [--passphrase-file FILE] | export FILE --operator NAME --role ROLE [--passphrase-file FILE] | add-operator NAME --role ROLE [--passphrase-file FILE] | rotate [--passphrase-file FILE] | import FILE [--passphrase-file FILE]",
	 N_("the deployment key: create it (coordinator), write a key file for a laptop, add an operator here, rotate it, import a newer key file"),
	 1, cmd_key},
	{"unlock", "", N_("unlock with your passphrase; later commands need none until lock.idle seconds pass unused"),
	 1, cmd_unlock},
	{"lock", "", N_("lock now: forget the key until the next unlock"), 1, cmd_lock},
	{"screen", "[--size COLSxROWS] [--keys KEYS | --keys-file FILE]",
	 N_("run the terminal interface headless: keys from a script, the screen on stdout"), 1,
	 cmd_screen},
	{"help", "[COMMAND | keys]", N_("show help for fieldbook, a command, or the keys of the terminal interface"), 0, cmd_help},
	{"complete", "commands | options COMMAND | words COMMAND | kinds | fields [KIND] | choices KIND FIELD",
	 N_("words for shell completion, one a line (completion/fieldbook.bash uses it)"), 0, cmd_complete},
	{NULL, NULL, NULL, 0, NULL},
};

int cli_fail(const struct fb_error *err)
{
	fprintf(stderr, _("fieldbook: %s\n"), err->message[0] ? err->message : _("failed"));
	return err->code == FB_EUSAGE ? CLI_USAGE : CLI_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	const struct cli_command *c;

	fputs(_("fieldbook: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (c = cli_commands; c->name; c++)
		if (cmd && !strcmp(c->name, cmd))
			fprintf(stderr, _("usage: fieldbook %s %s\n"), c->name, c->usage);
	return CLI_USAGE;
}

static void print_help(FILE *f)
{
	const struct cli_command *c;

	fprintf(f, _("fieldbook - field records of trade-union service teams, offline, synced by git\n\n"
		     "usage: fieldbook [COMMAND [ARGS...]]\n\n"
		     "With no command, opens the terminal interface.  Commands:\n\n"));
	for (c = cli_commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, _(c->summary));
	fprintf(f, _("\n`fieldbook help COMMAND` shows a command's arguments; `man fieldbook` has the rest.\n"
		     "Environment: FIELDBOOK_HOME (data directory), FIELDBOOK_CONFIG (configuration\n"
		     "file), FIELDBOOK_NOW (fixed clock for tests), NO_COLOR; LANGUAGE=zh_CN or\n"
		     "LANG=zh_CN.UTF-8 for Chinese.\n"));
}

int cmd_help(struct fb_store *s, int argc, char **argv)
{
	const struct cli_command *c;

	if (argc < 2) {
		print_help(stdout);
		return CLI_OK;
	}
	if (!strcmp(argv[1], "keys")) {
		tui_print_keys(stdout);
		return CLI_OK;
	}
	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, argv[1])) {
			printf(_("usage: fieldbook %s %s\n\n%s\n"), c->name, c->usage, _(c->summary));
			return CLI_OK;
		}
	return cli_usage(NULL, _("no command '%s'; `fieldbook help` lists them"), argv[1]);
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; 1 if it matched (value in *out). */
int cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] || *i + 1 >= argc)
		return 0;
	*out = argv[++*i];
	return 1;
}

int cmd_init(struct fb_store *unused, int argc, char **argv)
{
	struct fb_init_options o = {0};
	const char *join = NULL;
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	char dir[4096];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (cli_opt_value(argc, argv, &i, "--device-label", &o.device_label) ||
		    cli_opt_value(argc, argv, &i, "--team", &o.team) ||
		    cli_opt_value(argc, argv, &i, "--operator", &o.operator_name) ||
		    cli_opt_value(argc, argv, &i, "--join", &join))
			continue;
		return cli_usage("init", _("unknown argument '%s'"), argv[i]);
	}
	if ((rc = fb_data_dir(dir, sizeof dir, &err)) < 0)
		return cli_fail(&err);
	if (join && (rc = cli_join(join, dir, &o, &s)) != CLI_OK)
		return rc; /* a key file that does not open sets up nothing */
	if (!join && (rc = fb_store_init(&s, dir, &o, &err)) < 0)
		return cli_fail(&err);
	printf(_("fieldbook is set up in %s\ndevice %s (%s), team %s, operator %s\n"), dir,
	       fb_store_device(s), fb_store_label(s), fb_store_team(s), fb_store_operator(s));
	fb_store_free(s);
	return CLI_OK;
}

/* FIELD=VALUE arguments and --override FIELD=REASON options from argv[first..]. */
struct changes {
	struct fb_kv kv[128];
	struct fb_override ovr[8];
	char *owned[2 * (128 + 8)];
	size_t nkv, novr, nowned;
};

static void changes_free(struct changes *c)
{
	size_t i;

	for (i = 0; i < c->nowned; i++)
		free(c->owned[i]);
}

static int changes_parse(struct changes *c, const char *cmd, int argc, char **argv, int first)
{
	struct fb_error err = {0};
	int i;

	memset(c, 0, sizeof *c);
	for (i = first; i < argc; i++) {
		const char *ov = NULL;
		char *f = NULL, *v = NULL;
		int is_ovr = cli_opt_value(argc, argv, &i, "--override", &ov);
		if (!is_ovr && !strncmp(argv[i], "--", 2))
			return cli_usage(cmd, _("unknown option '%s'"), argv[i]);
		if (fb_kvarg_parse(&f, &v, is_ovr ? ov : argv[i], &err) < 0)
			return cli_fail(&err);
		c->owned[c->nowned++] = f;
		c->owned[c->nowned++] = v;
		if (is_ovr) {
			if (c->novr == sizeof c->ovr / sizeof c->ovr[0])
				return cli_usage(cmd, _("too many --override options"));
			c->ovr[c->novr].field = f;
			c->ovr[c->novr++].reason = v;
		} else {
			if (c->nkv == sizeof c->kv / sizeof c->kv[0])
				return cli_usage(cmd, _("too many FIELD=VALUE arguments"));
			c->kv[c->nkv].field = f;
			c->kv[c->nkv++].value = v;
		}
	}
	return CLI_OK;
}

static int report_save_error(const struct fb_error *err)
{
	if (err->code == FB_EWARN)
		fprintf(stderr, _("fieldbook: %s\nfieldbook: nothing was saved; to keep the value, "
				  "repeat with --override %s=REASON\n"),
			err->message, err->field);
	else
		fprintf(stderr, "fieldbook: %s\n%s", err->message, _("fieldbook: nothing was saved\n"));
	return err->code == FB_EUSAGE ? CLI_USAGE : CLI_FAIL;
}

int cmd_add(struct fb_store *s, int argc, char **argv)
{
	struct changes c;
	struct fb_error err = {0};
	char id[FB_ID_LEN + 1];
	int rc;

	if (argc < 2)
		return cli_usage("add", _("add what? give a kind, e.g. fieldbook add person name=张三"));
	if ((rc = changes_parse(&c, "add", argc, argv, 2)) != CLI_OK) {
		changes_free(&c);
		return rc;
	}
	rc = fb_record_add(s, id, argv[1], c.kv, c.nkv, c.ovr, c.novr, &err);
	changes_free(&c);
	if (rc < 0)
		return report_save_error(&err);
	printf("%s\n", id);
	return CLI_OK;
}

int cmd_edit(struct fb_store *s, int argc, char **argv)
{
	struct changes c;
	struct fb_error err = {0};
	int rc;

	if (argc < 3)
		return cli_usage("edit", _("give a record id and FIELD=VALUE to change"));
	if ((rc = changes_parse(&c, "edit", argc, argv, 2)) != CLI_OK) {
		changes_free(&c);
		return rc;
	}
	rc = fb_record_edit(s, argv[1], c.kv, c.nkv, c.ovr, c.novr, &err);
	changes_free(&c);
	if (rc < 0)
		return report_save_error(&err);
	return CLI_OK;
}

int cmd_delete(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};

	if (argc != 2)
		return cli_usage("delete", _("give one record id"));
	if (fb_record_delete(s, argv[1], &err) < 0)
		return cli_fail(&err);
	return CLI_OK;
}

static int dump_line(const char *line, void *ctx)
{
	return fprintf(ctx, "%s\n", line) < 0 ? -1 : 0;
}

int cmd_dump(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	int rc;

	if (argc != 1)
		return cli_usage("dump", _("dump takes no arguments"));
	rc = fb_store_dump(s, dump_line, stdout, &err);
	if (rc < 0)
		return cli_fail(&err);
	if (rc > 0 || fflush(stdout) != 0) {
		fprintf(stderr, _("fieldbook: cannot write the dump\n"));
		return CLI_FAIL;
	}
	return CLI_OK;
}

int cmd_check(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};
	char digest[65];

	if (argc == 2 && !strcmp(argv[1], "--state-digest")) {
		if (fb_store_state_digest(s, digest, &err) < 0)
			return cli_fail(&err);
		printf("%s\n", digest);
		return CLI_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "--snapshot-tree"))
		return cli_snapshot_tree(s);
	if (argc != 1)
		return cli_usage("check", _("unknown argument '%s'"), argv[1]);
	if (fb_store_check(s, &err) < 0)
		return cli_fail(&err);
	printf(_("ok: the database is intact and matches its op log\n"));
	return CLI_OK;
}

int cmd_rebuild(struct fb_store *s, int argc, char **argv)
{
	struct fb_error err = {0};

	if (argc != 1)
		return cli_usage("rebuild", _("rebuild takes no arguments"));
	if (fb_store_rebuild(s, &err) < 0)
		return cli_fail(&err);
	printf(_("rebuilt every record from the op log\n"));
	return CLI_OK;
}

int cmd_fields(struct fb_store *s, int argc, char **argv)
{
	const struct fb_kind *k;
	const struct fb_field *f;
	const struct fb_choice *c;

	if (argc < 2) {
		for (k = fb_kinds; k->name; k++)
			printf("%-14s %s / %s\n", k->name, k->zh, k->en);
		return CLI_OK;
	}
	if (argc > 2)
		return cli_usage("fields", _("give one kind"));
	if (!(k = fb_kind_find(argv[1])))
		return cli_usage("fields", _("unknown kind '%s'; `fieldbook fields` lists the kinds"),
				 argv[1]);
	for (f = k->fields; f->name; f++) {
		printf("%-18s %-12s", f->name, fb_type_name(f->type));
		out_cell(stdout, f->zh, 14);
		printf(" %s%s%s%s", f->en, f->flags & FB_F_REQUIRED ? _(" (required)") : "",
		       f->flags & FB_F_DERIVED ? _(" (from the ID number)") : "",
		       f->flags & FB_F_SENSITIVE ? _(" (sensitive)") : "");
		if (f->ref_kind)
			printf(_(" -> %s"), f->ref_kind);
		if (f->default_value)
			printf(_(" [default %s]"), f->default_value);
		putchar('\n');
		for (c = f->choices; c && c->code; c++)
			printf("    %-22s %s / %s\n", c->code, c->zh, c->en);
	}
	return CLI_OK;
}

static int load_config(struct fb_store *s, struct fb_error *err)
{
	struct fb_config *cfg = NULL;
	char path[4096];
	const char *v;
	int rc;

	if (fb_config_default_path(path, sizeof path, NULL) < 0)
		return 0;
	if ((rc = fb_config_load(&cfg, path, err)) < 0)
		return rc;
	if ((v = fb_config_get(cfg, "language"))) {
		if (!strcmp(v, "zh") || !strcmp(v, "zh_CN"))
			fb_lang_force(1);
		else if (!strcmp(v, "en"))
			fb_lang_force(0);
		else
			rc = fb_error_set(err, FB_EINVAL, "language",
					  _("%s: language = %s: use zh or en"), path, v);
	}
	if (rc == 0 && s && (v = fb_config_get(cfg, "operator")) && *v)
		rc = fb_store_set_operator(s, v, err);
	fb_config_free(cfg);
	return rc;
}

/* No command: the terminal interface on the user's data directory, set up on first use
 * (device label from the host name, operator from the login name). */
static int open_tui(void)
{
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	char dir[4096];
	int rc;

	if (fb_clock_check_env(&err) < 0 || fb_data_dir(dir, sizeof dir, &err) < 0)
		return cli_fail(&err);
	rc = fb_store_open(&s, dir, &err);
	if (rc == FB_ENOINIT) {
		struct fb_init_options o = {0};
		char host[64] = "laptop";
		gethostname(host, sizeof host - 1);
		o.device_label = host;
		fb_error_clear(&err);
		if (fb_store_init(&s, dir, &o, &err) < 0)
			return cli_fail(&err);
		fprintf(stderr, _("fieldbook: set up a new data directory in %s (fieldbook init sets the team "
				  "and operator)\n"),
			dir);
	} else if (rc < 0)
		return cli_fail(&err);
	if (load_config(s, &err) < 0) {
		fb_store_free(s);
		return cli_fail(&err);
	}
	if ((rc = cli_unlock_gate(s, "tui")) != CLI_OK) {
		fb_store_free(s);
		return rc;
	}
	rc = tui_run(s);
	fb_store_free(s);
	return rc;
}

int cmd_screen(struct fb_store *s, int argc, char **argv)
{
	const char *keys = "", *file = NULL, *size = "80x24";
	char *buf = NULL;
	int cols, rows, i, rc;

	for (i = 1; i < argc; i++) {
		if (cli_opt_value(argc, argv, &i, "--size", &size) || cli_opt_value(argc, argv, &i, "--keys", &keys) ||
		    cli_opt_value(argc, argv, &i, "--keys-file", &file))
			continue;
		return cli_usage("screen", _("unknown argument '%s'"), argv[i]);
	}
	if (sscanf(size, "%dx%d", &cols, &rows) != 2 || cols < 1 || rows < 1 || cols > 999 || rows > 999)
		return cli_usage("screen", _("--size takes COLSxROWS, e.g. 80x24, not '%s'"), size);
	if (file) {
		FILE *f = fopen(file, "r");
		size_t n;
		if (!f) {
			fprintf(stderr, _("fieldbook: cannot read %s\n"), file);
			return CLI_FAIL;
		}
		buf = calloc(1, 1 << 20);
		n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
		fclose(f);
		if (!buf)
			return CLI_FAIL;
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		keys = buf;
	}
	rc = tui_run_headless(s, cols, rows, keys, stdout);
	free(buf);
	return rc ? CLI_USAGE : CLI_OK;
}

int cli_main(int argc, char **argv)
{
	const struct cli_command *c;
	struct fb_store *s = NULL;
	struct fb_error err = {0};
	char dir[4096];
	int rc;

	if (argc < 2)
		return open_tui();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(NULL, 1, argv);
	if (!strcmp(argv[1], "--version")) {
		printf("fieldbook %s (%s, %s)\n", FB_VERSION, fb_core_versions(), fb_sync_versions());
		return CLI_OK;
	}
	if (fb_clock_check_env(&err) < 0)
		return cli_fail(&err);
	for (c = cli_commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			break;
	if (!c->name)
		return cli_usage(NULL, _("no command '%s'; `fieldbook help` lists them"), argv[1]);
	if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		char *hargv[] = {"help", (char *)c->name, NULL};
		return cmd_help(NULL, 2, hargv);
	}
	if (c->needs_store) {
		if (fb_data_dir(dir, sizeof dir, &err) < 0 || fb_store_open(&s, dir, &err) < 0)
			return cli_fail(&err);
	}
	if (load_config(s, &err) < 0) {
		fb_store_free(s);
		return cli_fail(&err);
	}
	if ((rc = cli_unlock_gate(s, c->name)) != CLI_OK) { /* privacy mode: unlock.h */
		fb_store_free(s);
		return rc;
	}
	rc = c->run(s, argc - 1, argv + 1);
	fb_store_free(s);
	if (fflush(stdout) != 0 && rc == CLI_OK) {
		fprintf(stderr, _("fieldbook: cannot write the output\n"));
		rc = CLI_FAIL;
	}
	return rc;
}
