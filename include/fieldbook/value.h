/* value.h - typed field values: input to stored form, stored form to display (core layer).
 *
 * Stored forms (what ops carry): text as typed (trimmed, checked); dates YYYY-MM-DD; money
 * integer fen in decimal; integers in decimal; choices their code; multi-choices codes
 * joined by ","; bools "1"/"0"; references record ids (REFS joined by ","); mobiles 11
 * digits; ID numbers and credit codes normalised upper-case; items "NAME×QTY@FEN" joined
 * by "; ".  References are checked only for syntax here (record.c resolves them). */
#ifndef FIELDBOOK_VALUE_H
#define FIELDBOOK_VALUE_H

#include "fieldbook/error.h"
#include "fieldbook/schema.h"

/* Parse what a user typed for field into its stored form (*out malloc'd).  today is
 * "YYYY-MM-DD" (for "@today" and date rules).  Empty input gives "" (the caller decides
 * whether empty is allowed).  FB_EWARN (with *out set) for an overridable warning.
 * ID numbers are checked as resident IDs by fb_value_check_id (needs id_type); here
 * only normalised. */
int fb_value_parse(char **out, const struct fb_field *field, const char *input, const char *today,
		   struct fb_error *err);

enum {
	FB_SHOW_MASKED = 0,   /* lists, search, default show: masked and hidden values */
	FB_SHOW_UNMASKED = 1  /* full values (--unmasked) */
};

/* The stored value as a user sees it (*out malloc'd): choice labels in the UI language,
 * money "7000.00", bools yes/no, masked ID numbers and mobiles and hidden sensitive text
 * unless FB_SHOW_UNMASKED, invalid UTF-8 replaced by U+FFFD.  NULL only on ENOMEM. */
char *fb_value_display(const struct fb_field *field, const char *stored, int show);

#endif
