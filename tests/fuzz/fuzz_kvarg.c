/* fuzz_kvarg.c - libFuzzer target for the command line's FIELD=VALUE arguments and the
 * typed value parser of every field of every kind (tests layer).
 *
 * Invariants: fb_kvarg_parse either fails with a message or splits at the first '=';
 * fb_value_parse never crashes, and on success its stored form is valid UTF-8 that parses
 * again to itself for choice, multi-choice, date and mobile fields. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/kvarg.h"
#include "fieldbook/schema.h"
#include "fieldbook/text.h"
#include "fieldbook/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	char *arg, *field = NULL, *value = NULL;
	struct fb_error err;
	const struct fb_kind *k;
	const struct fb_field *f;

	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = 1;
	}
	if (size > 4096)
		return 0;
	arg = malloc(size + 1);
	if (!arg)
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	if (fb_kvarg_parse(&field, &value, arg, &err) == 0) {
		if (!field[0] || !fb_utf8_valid(field, strlen(field)))
			abort();
		for (k = fb_kinds; k->name; k++) {
			if (fb_field_find(k, field) == NULL && k != fb_kinds)
				continue;
			for (f = k->fields; f->name; f++) {
				char *out = NULL, *again = NULL;
				int rc = fb_value_parse(&out, f, value, "2026-11-29", &err);
				if ((rc == 0 || rc == FB_EWARN) && out) {
					char *shown;
					if (!fb_utf8_valid(out, strlen(out)))
						abort();
					if (f->type == FB_T_CHOICE || f->type == FB_T_DATE ||
					    f->type == FB_T_MOBILE || f->type == FB_T_MULTI) {
						int rc2 = fb_value_parse(&again, f, out, "2026-11-29", &err);
						if (rc2 != 0 || strcmp(again, out))
							abort(); /* stored forms are fixed points */
					}
					shown = fb_value_display(f, out, FB_SHOW_MASKED);
					if (!shown || !fb_utf8_valid(shown, strlen(shown)))
						abort();
					free(shown);
				}
				free(out);
				free(again);
			}
		}
	}
	free(field);
	free(value);
	free(arg);
	return 0;
}
