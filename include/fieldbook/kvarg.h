/* kvarg.h - parsing FIELD=VALUE arguments of the command line (core layer).
 *
 * Contract: the field part is everything before the first '=' (or full-width '＝'),
 * trimmed; it must be non-empty valid UTF-8 without control characters (a code or a
 * label; the schema decides which field it names).  The value is the rest, verbatim
 * (it may contain '=').  Both parts are malloc'd into *field and *value. */
#ifndef FIELDBOOK_KVARG_H
#define FIELDBOOK_KVARG_H

#include "fieldbook/error.h"

int fb_kvarg_parse(char **field, char **value, const char *arg, struct fb_error *err);

#endif
