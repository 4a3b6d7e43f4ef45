/* test_i18n.c - the language decision and gettext translation (core/i18n.c).
 *
 * Each case runs in a child process (the decision is made once per process) with a
 * clean environment, the locale set the way main() sets it, and the catalogue the build
 * made (FIELDBOOK_LOCALEDIR = <this program's dir>/../locale).  Checks that one decision
 * drives both messages and labels: LANGUAGE=zh_CN under C.UTF-8 (glibc honours LANGUAGE
 * there), LANG=zh_CN.UTF-8 without that locale installed, LC_ALL=C with LANGUAGE, the
 * LANGUAGE priority list, and fb_lang_force (the config key) over the environment. */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fieldbook/error.h"
#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"
#include "tap.h"

#define FB_INSTALLED_MO "/usr/local/share/locale/zh_CN/LC_MESSAGES/fieldbook.mo"

static char localedir[PATH_MAX + 16];

/* What the child saw, as bits. */
enum { SAW_ZH = 1, SAW_MSG_ZH = 2, SAW_LABEL_ZH = 4, SAW_ERR_ZH = 8 };

/* Runs one case: env is "NAME=VALUE" strings (NULL-terminated), force as for
 * fb_lang_force (-2: not called).  Returns the SAW_* bits, or -1. */
static int run_case(const char *const *env, int force)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct fb_error err = {0};
		const struct fb_kind *k = fb_kind_find("person");
		int bits = 0;
		size_t i;

		clearenv();
		setenv("FIELDBOOK_LOCALEDIR", localedir, 1);
		for (i = 0; env[i]; i++)
			putenv((char *)env[i]);
		if (!setlocale(LC_ALL, "")) /* as main() does */
			setlocale(LC_ALL, "C.UTF-8");
		if (force > -2)
			fb_lang_force(force);
		if (fb_lang_zh())
			bits |= SAW_ZH;
		if (!strcmp(_("add a record; prints its id"), "添加一条记录；输出其编号"))
			bits |= SAW_MSG_ZH;
		if (k && !strcmp(fb_kind_label(k), "职工"))
			bits |= SAW_LABEL_ZH;
		fb_error_set(&err, FB_EINVAL, NULL, "give one record id");
		if (!strcmp(err.message, "请给出一个记录编号"))
			bits |= SAW_ERR_ZH;
		_exit(bits);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define ALL_ZH (SAW_ZH | SAW_MSG_ZH | SAW_LABEL_ZH | SAW_ERR_ZH)

int main(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n <= 0)
		return 1;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	snprintf(localedir, sizeof localedir, "%s/../locale", exe);
	{
		char mo[PATH_MAX + 64];
		snprintf(mo, sizeof mo, "%s/zh_CN/LC_MESSAGES/fieldbook.mo", localedir);
		TAP_OK(access(mo, R_OK) == 0, "the build made the catalogue (%s)", mo);
	}

	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LANGUAGE=zh_CN", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH,
		       "LANGUAGE=zh_CN under C.UTF-8: decision, messages, labels, errors Chinese");
	}
	{
		const char *e[] = {"LANG=zh_CN.UTF-8", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH, "LANG=zh_CN.UTF-8 (not installed): all Chinese");
	}
	{
		const char *e[] = {"LC_ALL=C", "LANGUAGE=zh_CN", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH,
		       "LC_ALL=C with LANGUAGE=zh_CN: Chinese too (glibc alone would ignore LANGUAGE)");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LANGUAGE=fr:zh_CN:en", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH, "LANGUAGE=fr:zh_CN:en: the first language we have wins");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LANGUAGE=en_GB:zh_CN", NULL};
		TAP_OK(run_case(e, -2) == 0, "LANGUAGE=en_GB:zh_CN: English throughout");
	}
	{
		const char *e[] = {"LC_ALL=zh_CN.UTF-8", "LANGUAGE=", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH, "empty LANGUAGE is skipped; LC_ALL=zh_CN.UTF-8 decides");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LC_MESSAGES=zh_CN.UTF-8", NULL};
		TAP_OK(run_case(e, -2) == 0, "LC_ALL is set, so it decides over LC_MESSAGES: English");
	}
	{
		const char *e[] = {"LC_MESSAGES=zh_TW.UTF-8", NULL};
		TAP_OK(run_case(e, -2) == ALL_ZH, "LC_MESSAGES=zh_TW: Chinese (the zh_CN catalogue)");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", NULL};
		TAP_OK(run_case(e, -2) == 0, "no language variable: English");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LANGUAGE=zh_CN", NULL};
		TAP_OK(run_case(e, 0) == 0, "forced en (language = en) over LANGUAGE=zh_CN: English throughout");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", NULL};
		TAP_OK(run_case(e, 1) == ALL_ZH, "forced zh (language = zh) without any variable: all Chinese");
	}
	{
		const char *e[] = {"LC_ALL=C.UTF-8", "LANGUAGE=zh_CN", "FIELDBOOK_LOCALEDIR=/nonexistent", NULL};
		/* putenv after setenv: the case's own FIELDBOOK_LOCALEDIR wins */
		/* unless this machine has fieldbook installed where the build said it would be */
		int installed = access(FB_INSTALLED_MO, R_OK) == 0;
		TAP_OK(run_case(e, -2) == (installed ? ALL_ZH : (SAW_ZH | SAW_LABEL_ZH)),
		       "no catalogue to be found: labels Chinese, messages stay English");
	}
	TAP_OK(strcmp(_(""), "") == 0 && _(NULL) == NULL, "_(\"\") is \"\" (never the catalogue header)");
	return tap_done();
}
