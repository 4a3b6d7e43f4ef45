/* i18n.c - UI language choice and message translation through gettext (core layer).
 *
 * One decision, used by both halves: fb_lang_zh() says whether the user asked for
 * Chinese, and it picks both the zh/en labels of the field table and whether _() looks
 * messages up in the "fieldbook" gettext catalogue.
 *
 * glibc only consults LANGUAGE when LC_MESSAGES is not "C"/"POSIX", and a locale that is
 * not installed (LANG=zh_CN.UTF-8 on a machine with only C.UTF-8) leaves the program in
 * C or C.UTF-8, whose catalogue name matches nothing.  So when the decision is Chinese,
 * fb_i18n_apply() sets LANGUAGE=zh_CN for this process, moves a "C"/"POSIX" LC_MESSAGES
 * to C.UTF-8 (experiment on glibc 2.36: LANGUAGE is honoured under C.UTF-8, ignored under
 * C) and asks for UTF-8 output whatever LC_CTYPE says.  When the decision is English,
 * _() returns the msgid without asking gettext, so LANGUAGE=zh_CN with `language = en`
 * in the config file gives English throughout.
 *
 * The catalogue directory, first that holds zh_CN/LC_MESSAGES/fieldbook.mo:
 * $FIELDBOOK_LOCALEDIR, <dir of the program>/locale (the build tree), <dir of the
 * program>/../share/locale (an installed, relocated tree), FB_LOCALEDIR (set by the
 * Makefile to $(PREFIX)/share/locale). */
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldbook/i18n.h"

#ifndef FB_LOCALEDIR
#define FB_LOCALEDIR "/usr/local/share/locale"
#endif
#define FB_DOMAIN "fieldbook"

static int forced = -1;  /* fb_lang_force */
static int decided = -1; /* from the environment, once */
static int applied = -1; /* the language gettext was last set up for */

/* 1 zh, 0 en, -1 no opinion, for one locale name ("zh_CN.UTF-8", "en_US", "C"). */
static int name_says(const char *v, size_t n)
{
	if (n >= 2 && !strncmp(v, "zh", 2) && (n == 2 || v[2] == '_' || v[2] == '.' || v[2] == '@'))
		return 1;
	if (n >= 2 && !strncmp(v, "en", 2) && (n == 2 || v[2] == '_' || v[2] == '.' || v[2] == '@'))
		return 0;
	if ((n == 1 && v[0] == 'C') || (n >= 2 && v[0] == 'C' && v[1] == '.') ||
	    (n == 5 && !strncmp(v, "POSIX", 5)))
		return 0;
	return -1;
}

/* LANGUAGE is a priority list "fr:zh_CN:en"; the first entry we have messages for (zh,
 * or English as the built-in) decides.  The other variables hold one name. */
static int env_says_zh(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v = getenv("LANGUAGE");
	size_t i;

	while (v && *v) {
		size_t n = strcspn(v, ":");
		int r = name_says(v, n);
		if (r >= 0)
			return r;
		v += n;
		if (*v == ':')
			v++;
	}
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		v = getenv(vars[i]);
		if (v && *v)
			return name_says(v, strlen(v)) == 1;
	}
	return 0;
}

int fb_lang_zh(void)
{
	if (forced >= 0)
		return forced;
	if (decided < 0)
		decided = env_says_zh();
	return decided;
}

static int has_catalogue(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof path, "%s/zh_CN/LC_MESSAGES/" FB_DOMAIN ".mo", dir) >=
	    (int)sizeof path)
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Fills buf with the first directory holding the catalogue; FB_LOCALEDIR otherwise. */
static void find_localedir(char *buf, size_t cap)
{
	const char *env = getenv("FIELDBOOK_LOCALEDIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env && has_catalogue(env)) {
		snprintf(buf, cap, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			if (snprintf(buf, cap, "%s/locale", exe) < (int)cap && has_catalogue(buf))
				return;
			if (snprintf(buf, cap, "%s/../share/locale", exe) < (int)cap &&
			    has_catalogue(buf))
				return;
		}
	}
	snprintf(buf, cap, "%s", FB_LOCALEDIR);
}

const char *fb_i18n_localedir(void)
{
	static char dir[PATH_MAX];

	if (!dir[0])
		find_localedir(dir, sizeof dir);
	return dir;
}

void fb_i18n_apply(void)
{
	int zh = fb_lang_zh();
	const char *msgs;

	if (applied == zh)
		return;
	if (applied < 0) {
		bindtextdomain(FB_DOMAIN, fb_i18n_localedir());
		bind_textdomain_codeset(FB_DOMAIN, "UTF-8");
	}
	if (zh) {
		setenv("LANGUAGE", "zh_CN", 1);
		msgs = setlocale(LC_MESSAGES, NULL);
		if (!msgs || !strcmp(msgs, "C") || !strcmp(msgs, "POSIX"))
			setlocale(LC_MESSAGES, "C.UTF-8");
	}
	textdomain(FB_DOMAIN); /* also tells gettext its cached lookups are stale */
	applied = zh;
}

const char *fb_gettext(const char *msgid)
{
	if (!msgid || !*msgid || !fb_lang_zh())
		return msgid;
	if (applied != 1)
		fb_i18n_apply();
	return dgettext(FB_DOMAIN, msgid);
}

void fb_lang_force(int zh)
{
	forced = zh < 0 ? -1 : (zh ? 1 : 0);
	if (fb_lang_zh())
		fb_i18n_apply(); /* now, on the caller's thread, rather than at some later _() */
}
