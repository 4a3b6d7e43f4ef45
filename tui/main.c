/* main.c - the fieldbook program's entry point (tui layer).
 *
 * Sets the locale before anything else (UTF-8 is required for Chinese text), then hands
 * over to the command line.  With no arguments it will open the TUI; until the TUI
 * exists it prints the command line's help. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/i18n.h"
#include "tui.h"

int main(int argc, char **argv)
{
	const char *codeset;

	if (!setlocale(LC_ALL, ""))
		setlocale(LC_ALL, "C.UTF-8");
	codeset = nl_langinfo(CODESET);
	if (!codeset || strcmp(codeset, "UTF-8")) {
		fprintf(stderr, _("fieldbook: warning: the locale's character set is %s, not UTF-8; "
				  "Chinese text needs a UTF-8 locale (e.g. LANG=zh_CN.UTF-8 or C.UTF-8)\n"),
			codeset ? codeset : "unknown");
		/* Text is still handled as UTF-8 internally; the TUI draws ASCII. */
		tui_locale_ascii = 1;
		setlocale(LC_CTYPE, "C.UTF-8");
	}
	fb_i18n_apply(); /* may set LANGUAGE: before any thread starts */
	return cli_main(argc, argv);
}
