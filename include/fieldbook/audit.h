/* audit.h - the audit trail of reveals and unmasked exports (core layer).
 *
 * An audit entry is a record of kind "audit" (schema.c): action, record, field, reason;
 * who and when are its op's author and clock.  It syncs like any record and can never
 * be edited or deleted: fb_record_edit and fb_record_delete refuse audit records.
 *
 * In open mode (role.h: no operators on this computer) nothing is audited and
 * fb_audit_add returns 0 without writing; in privacy mode every call writes one entry
 * in its own durable transaction before the caller shows or writes the full value. */
#ifndef FIELDBOOK_AUDIT_H
#define FIELDBOOK_AUDIT_H

#include "fieldbook/error.h"

struct fb_store;

/* Actions (the stored codes of the audit kind's "action" choice). */
#define FB_AUDIT_REVEAL "reveal"                   /* a full value was shown */
#define FB_AUDIT_EXPORT_UNMASKED "export_unmasked" /* an export or list with full values */

/* Writes one audit entry: action (FB_AUDIT_*), rec the record id (or NULL/"" for an
 * export of many), field the field code (or NULL/"", or the kind for an export), why the
 * operator's reason (required in privacy mode: FB_EINVAL "give a reason" when empty). */
int fb_audit_add(struct fb_store *store, const char *action, const char *rec, const char *field,
		 const char *why, struct fb_error *err);

/* Revealing a record's full values: allow[j] (one per r->fields) is set to whether the
 * role may see field j in full (role.h), and one reveal entry is written for each such
 * field that has a value and is masked or hidden by default.  In privacy mode why is
 * required (FB_EINVAL); in open mode everything is allowed and nothing written. */
struct fb_record;
int fb_audit_reveal_record(struct fb_store *store, const struct fb_record *r, const char *why, int *allow,
			   struct fb_error *err);

/* 1 when audit entries are written (privacy mode), 0 in open mode. */
int fb_audit_enabled(struct fb_store *store);

#endif
