/* role.h - operators' roles and what each may see and do (core layer).
 *
 * A store runs in one of two modes:
 *   open mode     no operators are set up on this computer (no deployment key): every
 *                 action is allowed, values are masked by default as always, nothing is
 *                 audited.  This is how a new or training data directory behaves.
 *   privacy mode  operators exist (DATA_DIR/operators, made by `fieldbook key create` or
 *                 `fieldbook init --join FILE`): nothing opens until an operator unlocks
 *                 with a passphrase (unlock.h), and the unlocked operator's role decides
 *                 what may be revealed and done; reveals and unmasked exports are audited.
 *
 * Roles (man page, section ROLES):
 *   field        outreach teams: add and edit people, visits, requests, demands, notes;
 *                see masked ID numbers and mobiles; reveal a mobile, a demand description
 *                and a hardship reason (audited); never an ID number or a consultation
 *                summary.
 *   legal-aid    consultations and mediation cases: additionally reveal ID numbers and
 *                consultation summaries (audited).
 *   coordinator  everything: additionally merge people, publish catalogues, export
 *                unmasked, manage the deployment key and operators.
 *
 * The process has at most one unlocked operator (unlock.h); these functions read it. */
#ifndef FIELDBOOK_ROLE_H
#define FIELDBOOK_ROLE_H

#include "fieldbook/error.h"
#include "fieldbook/schema.h"

struct fb_store;

enum fb_role {
	FB_ROLE_NONE = 0,    /* open mode: no operators on this computer */
	FB_ROLE_FIELD,       /* outreach */
	FB_ROLE_LEGAL,       /* legal-aid */
	FB_ROLE_COORDINATOR
};

enum fb_action {
	FB_ACT_REVEAL,          /* see a full value (also fb_role_may_reveal per field) */
	FB_ACT_EXPORT_UNMASKED, /* export or list with full values */
	FB_ACT_MERGE,           /* merge duplicate people */
	FB_ACT_PUBLISH,         /* publish catalogues / HQ snapshot */
	FB_ACT_CATALOGUE,       /* edit sites, services, teams */
	FB_ACT_KEY_ADMIN,       /* create, rotate, export the deployment key; add operators */
	FB_ACT_AUDIT_READ       /* list the audit trail */
};

/* "field", "legal-aid", "coordinator" ("" for FB_ROLE_NONE). */
const char *fb_role_name(enum fb_role role);
/* Parses a role name (also "outreach", "legal", "legal_aid", 外展, 法律援助, 协调员).
 * FB_EINVAL with the list of roles. */
int fb_role_parse(enum fb_role *out, const char *name, struct fb_error *err);

/* The role of the unlocked operator; FB_ROLE_NONE in open mode or while locked. */
enum fb_role fb_role_current(void);
/* Set by unlock.c only. */
void fb_role_set_current(enum fb_role role);

/* 0 when the current operator may do a; else FB_EINVAL with a message naming the
 * action, the operator's role and who may do it.  Always 0 in open mode. */
int fb_role_allows(struct fb_store *store, enum fb_action a, struct fb_error *err);

/* 1 when the current operator may see the full value of field (of kind; NULL = the kind
 * whose table holds field), 0 if not.  Always 1 in open mode; 0 in privacy mode while
 * locked.  The reveal itself must still be audited (audit.h). */
int fb_role_may_reveal(const struct fb_kind *kind, const struct fb_field *field);

#endif
