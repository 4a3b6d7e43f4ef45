/* kvarg.c - splitting a FIELD=VALUE argument (core layer; see kvarg.h for the contract). */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/kvarg.h"
#include "fieldbook/text.h"

int fb_kvarg_parse(char **field, char **value, const char *arg, struct fb_error *err)
{
	const char *eq = strchr(arg, '='), *fw = strstr(arg, "\xef\xbc\x9d");
	const char *start = arg, *end, *p;
	size_t sep_len = 1, len;
	char *f = NULL, *v = NULL;

	*field = *value = NULL;
	if (fw && (!eq || fw < eq)) {
		eq = fw;
		sep_len = 3;
	}
	if (!eq)
		return fb_error_set(err, FB_EUSAGE, NULL,
				    _("'%s' is not FIELD=VALUE: write for example name=张三"), arg);
	end = eq;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	len = (size_t)(end - start);
	if (len == 0)
		return fb_error_set(err, FB_EUSAGE, NULL,
				    _("'%s' has no field name before '=': write for example name=张三"),
				    arg);
	if (!fb_utf8_valid(start, len))
		return fb_error_set(err, FB_EUSAGE, NULL, _("a field name is not valid UTF-8 text"));
	for (p = start; p < end; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return fb_error_set(err, FB_EUSAGE, NULL,
					    _("a field name contains a control character"));
	f = malloc(len + 1);
	v = strdup(eq + sep_len);
	if (!f || !v) {
		free(f);
		free(v);
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	}
	memcpy(f, start, len);
	f[len] = '\0';
	*field = f;
	*value = v;
	return 0;
}
