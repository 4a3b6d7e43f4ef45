/* i18n.h - translation hooks and the UI language (core layer).
 *
 * Every user-visible string is written as _("English"); the "fieldbook" gettext
 * catalogue (po/zh_CN.po, built to <localedir>/zh_CN/LC_MESSAGES/fieldbook.mo) gives its
 * Chinese.  N_() marks strings in static tables; translate them with _() where they are
 * shown.  fb_error_set() translates its format itself (xgettext keyword fb_error_set:4).
 *
 * One decision picks the language of messages and of field and choice labels:
 * fb_lang_force() (the config key `language`) if called, else the first of LANGUAGE
 * (a colon list: the first zh, en or C entry wins), LC_ALL, LC_MESSAGES, LANG that is set;
 * Chinese when it starts with "zh".  This works whether or not the zh_CN locale is
 * installed: with only C.UTF-8, LANG=zh_CN.UTF-8 and LANGUAGE=zh_CN both give Chinese.
 *
 * The catalogue is looked for in $FIELDBOOK_LOCALEDIR, next to the program
 * (<bindir>/locale, what the build tree has), <bindir>/../share/locale, then the
 * compiled-in $(PREFIX)/share/locale. */
#ifndef FIELDBOOK_I18N_H
#define FIELDBOOK_I18N_H

const char *fb_gettext(const char *msgid) __attribute__((format_arg(1)));
#define _(s) fb_gettext(s)
#define N_(s) (s)

/* 1 when messages and labels should be Chinese, 0 for English.  Decided once per process
 * from the environment unless forced. */
int fb_lang_zh(void);
/* Force a language: 1 zh, 0 en, -1 back to the environment (the config key `language`,
 * tests).  Messages follow at the next _(). */
void fb_lang_force(int zh);
/* Sets gettext up for the current decision (domain, catalogue directory, UTF-8 output,
 * LANGUAGE=zh_CN for this process when Chinese).  _() calls it when needed; main may
 * call it early, before any thread starts, since it may change the environment. */
void fb_i18n_apply(void);
/* The directory the catalogue is read from (see above). */
const char *fb_i18n_localedir(void);

#endif
