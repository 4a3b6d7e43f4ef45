/* audit.c - audit entries for reveals and unmasked exports (core layer).  Contract:
 * include/fieldbook/audit.h.  An entry is an ordinary record of kind "audit", so it is
 * sealed into change files and synced like any other; record.c refuses to edit or delete
 * it. */
#include <stdio.h>
#include <string.h>

#include "fieldbook/audit.h"
#include "fieldbook/i18n.h"
#include "fieldbook/role.h"
#include "fieldbook/store.h"
#include "fieldbook/unlock.h"

int fb_audit_enabled(struct fb_store *s)
{
	return fb_unlock_required() || (s && fb_privacy_mode(fb_store_dir(s)));
}

int fb_audit_add(struct fb_store *s, const char *action, const char *rec, const char *field,
		 const char *why, struct fb_error *err)
{
	struct fb_kv kv[4];
	char id[FB_ID_LEN + 1];
	size_t n = 0;

	if (!fb_audit_enabled(s))
		return 0;
	if (!fb_unlocked())
		return fb_error_set(err, FB_EINVAL, "operator",
				    _("no operator is unlocked: run `fieldbook unlock` first"));
	if (!why || !*why)
		return fb_error_set(err, FB_EINVAL, "reason",
				    _("give a reason for seeing the full value (--reason TEXT); it is "
				      "kept in the audit trail"));
	kv[n].field = "action";
	kv[n++].value = action;
	kv[n].field = "reason";
	kv[n++].value = why;
	if (rec && *rec) {
		kv[n].field = "record";
		kv[n++].value = rec;
	}
	if (field && *field) {
		kv[n].field = "field";
		kv[n++].value = field;
	}
	return fb_record_add(s, id, "audit", kv, n, NULL, 0, err);
}

/* A field whose full value differs from what is shown by default. */
static int maskable(const struct fb_field *f)
{
	return f && ((f->flags & (FB_F_SENSITIVE | FB_F_MASKED)) || f->type == FB_T_IDNUMBER);
}

int fb_audit_reveal_record(struct fb_store *s, const struct fb_record *r, const char *why, int *allow,
			   struct fb_error *err)
{
	size_t j;
	int audited = fb_audit_enabled(s), rc;

	if (audited && (!why || !*why))
		return fb_error_set(err, FB_EINVAL, "reason",
				    _("give a reason for seeing full values; it is kept in the audit trail"));
	for (j = 0; j < r->nfields; j++) {
		const struct fb_field *f = r->fields[j].def;
		allow[j] = 1;
		if (!audited || !maskable(f) || !r->fields[j].nvalues)
			continue;
		if (!fb_role_may_reveal(r->kind, f)) {
			allow[j] = 0;
			continue;
		}
		if ((rc = fb_audit_add(s, FB_AUDIT_REVEAL, r->id, f->name, why, err)) < 0)
			return rc;
	}
	return 0;
}
