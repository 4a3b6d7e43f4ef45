/* i18n.c - UI language choice and the translation hook (core layer).
 *
 * fb_gettext is the single place messages pass through; it returns the English msgid
 * until the gettext catalogue (po/zh_CN.po) is wired in. */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"

static int forced = -1;
static int decided = -1;

const char *fb_gettext(const char *msgid)
{
	return msgid;
}

static int env_says_zh(void)
{
	static const char *const vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strncmp(v, "zh", 2) == 0;
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

void fb_lang_force(int zh)
{
	forced = zh < 0 ? -1 : (zh ? 1 : 0);
}
