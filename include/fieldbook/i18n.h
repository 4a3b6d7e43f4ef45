/* i18n.h - translation hooks and the UI language (core layer).
 *
 * Every user-visible string is written as _("English") so gettext can take it over;
 * N_() marks strings in static tables.  fb_lang_zh() tells whether the user asked for
 * Chinese (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in that order, starting with "zh"), which
 * picks the zh or en label of fields and choices. */
#ifndef FIELDBOOK_I18N_H
#define FIELDBOOK_I18N_H

const char *fb_gettext(const char *msgid) __attribute__((format_arg(1)));
#define _(s) fb_gettext(s)
#define N_(s) (s)

/* 1 when labels should be Chinese, 0 for English.  Decided once per process. */
int fb_lang_zh(void);
/* Tests and the TUI may force a language: 1 zh, 0 en, -1 back to the environment. */
void fb_lang_force(int zh);

#endif
