/* cli_complete.c - `fieldbook complete`: the words shell completion offers, one a line
 * (tui layer).  completion/fieldbook.bash calls it; everything comes from the tables the
 * program itself uses (the command table and its usage lines, the field table), so the
 * completion never lists a command, option, kind or field the program does not have.
 *
 *   complete commands           every command name
 *   complete options CMD        the --options in CMD's usage line
 *   complete words CMD          the sub-commands and fixed words of CMD's usage line
 *                               (remote: add list remove; catalogue: site service team)
 *   complete kinds              every record kind code
 *   complete fields [KIND]      the field codes of KIND (of every kind when none), not
 *                               the ones derived by fieldbook
 *   complete choices KIND FIELD the choice codes of a choice field
 *
 * Output is plain ASCII codes, never labels, so it does not depend on the language.
 * Unknown names print nothing and succeed: completion must never show an error. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"

static const struct cli_command *command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; name && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int is_word(const char *s, size_t n)
{
	size_t i;

	if (!n || !islower((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* Walks a usage line: whitespace-separated tokens (brackets are spaces), each split at
 * '|' into alternatives.  A token right after an option is that option's value: its
 * alternatives that are options count, the rest ("N", "team|site") are skipped.  Prints
 * the options (want_options) or the lowercase words. */
static void usage_words(const char *usage, int want_options)
{
	const char *p = usage;
	int after_option = 0;

	while (*p) {
		const char *tok, *end, *a;
		int last_was_option = 0;

		while (*p == ' ' || *p == '[' || *p == ']')
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && *p != ' ' && *p != '[' && *p != ']')
			p++;
		end = p;
		for (a = tok; a < end;) {
			const char *b = memchr(a, '|', (size_t)(end - a));
			size_t n;
			if (!b)
				b = end;
			n = (size_t)(b - a);
			if (n > 2 && a[0] == '-' && a[1] == '-') {
				size_t m = strcspn(a, "=|] ");
				if (want_options)
					printf("%.*s\n", (int)(m < n ? m : n), a);
				last_was_option = 1;
			} else {
				if (!after_option && !want_options && is_word(a, n))
					printf("%.*s\n", (int)n, a);
				last_was_option = n ? 0 : last_was_option;
			}
			a = b < end ? b + 1 : end;
		}
		after_option = last_was_option;
	}
}

static void fields_of(const struct fb_kind *k)
{
	const struct fb_field *f;

	for (f = k->fields; f->name; f++)
		if (!(f->flags & FB_F_DERIVED) && f->name[0] != '_')
			printf("%s\n", f->name);
}

int cmd_complete(struct fb_store *s, int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	const struct cli_command *c;
	const struct fb_kind *k;
	const struct fb_field *f;
	const struct fb_choice *ch;

	if (!strcmp(what, "commands")) {
		for (c = cli_commands; c->name; c++)
			printf("%s\n", c->name);
	} else if (!strcmp(what, "options") || !strcmp(what, "words")) {
		if (argc > 2 && (c = command(argv[2])))
			usage_words(c->usage, what[0] == 'o');
	} else if (!strcmp(what, "kinds")) {
		for (k = fb_kinds; k->name; k++)
			printf("%s\n", k->name);
	} else if (!strcmp(what, "fields")) {
		if (argc > 2) {
			if ((k = fb_kind_find(argv[2])))
				fields_of(k);
		} else
			for (k = fb_kinds; k->name; k++)
				fields_of(k);
	} else if (!strcmp(what, "choices")) {
		if (argc > 3 && (k = fb_kind_find(argv[2])) && (f = fb_field_find(k, argv[3])))
			for (ch = f->choices; ch && ch->code; ch++)
				printf("%s\n", ch->code);
	} else
		return cli_usage("complete", _("complete what? commands, options CMD, words CMD, kinds, "
					       "fields [KIND] or choices KIND FIELD"));
	return CLI_OK;
}
