/* role.c - what each operator role may see and do (core layer).  Contract: role.h. */
#include <stdio.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/role.h"
#include "fieldbook/unlock.h"
#include "store_int.h"

static enum fb_role g_role = FB_ROLE_NONE;

void fb_role_set_current(enum fb_role role)
{
	g_role = role;
}

enum fb_role fb_role_current(void)
{
	return g_role;
}

const char *fb_role_name(enum fb_role role)
{
	switch (role) {
	case FB_ROLE_FIELD: return "field";
	case FB_ROLE_LEGAL: return "legal-aid";
	case FB_ROLE_COORDINATOR: return "coordinator";
	case FB_ROLE_NONE: break;
	}
	return "";
}

int fb_role_parse(enum fb_role *out, const char *name, struct fb_error *err)
{
	static const struct {
		const char *name;
		enum fb_role role;
	} names[] = {
		{"field", FB_ROLE_FIELD},       {"outreach", FB_ROLE_FIELD},
		{"外展", FB_ROLE_FIELD},         {"legal-aid", FB_ROLE_LEGAL},
		{"legal", FB_ROLE_LEGAL},       {"legal_aid", FB_ROLE_LEGAL},
		{"法律援助", FB_ROLE_LEGAL},     {"coordinator", FB_ROLE_COORDINATOR},
		{"协调员", FB_ROLE_COORDINATOR},
	};
	size_t i;

	for (i = 0; name && i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(name, names[i].name)) {
			*out = names[i].role;
			return 0;
		}
	return fb_error_set(err, FB_EINVAL, "role",
			    _("unknown role '%s': the roles are field, legal-aid, coordinator"),
			    name ? name : "");
}

/* The lowest role that may do a. */
static enum fb_role needed(enum fb_action a)
{
	switch (a) {
	case FB_ACT_REVEAL: return FB_ROLE_FIELD;
	case FB_ACT_EXPORT_UNMASKED:
	case FB_ACT_MERGE:
	case FB_ACT_PUBLISH:
	case FB_ACT_CATALOGUE:
	case FB_ACT_KEY_ADMIN:
	case FB_ACT_AUDIT_READ: return FB_ROLE_COORDINATOR;
	}
	return FB_ROLE_COORDINATOR;
}

static const char *action_words(enum fb_action a)
{
	switch (a) {
	case FB_ACT_REVEAL: return _("revealing a full value");
	case FB_ACT_EXPORT_UNMASKED: return _("exporting or listing full values");
	case FB_ACT_MERGE: return _("merging people");
	case FB_ACT_PUBLISH: return _("publishing catalogues and snapshots");
	case FB_ACT_CATALOGUE: return _("changing the catalogues (sites, services, teams)");
	case FB_ACT_KEY_ADMIN: return _("managing the deployment key and operators");
	case FB_ACT_AUDIT_READ: return _("reading the audit trail");
	}
	return "";
}

int fb_role_allows(struct fb_store *s, enum fb_action a, struct fb_error *err)
{
	enum fb_role need = needed(a);

	if (g_role == FB_ROLE_NONE) {
		if (!s || !fb_privacy_mode(fb_store_dir(s)))
			return 0; /* open mode */
		return fb_error_set(err, FB_EINVAL, "role",
				    _("%s needs an unlocked operator: run `fieldbook unlock` first"),
				    action_words(a));
	}
	if (g_role == FB_ROLE_COORDINATOR || (need == FB_ROLE_FIELD))
		return 0;
	return fb_error_set(err, FB_EINVAL, "role",
			    _("%s is for coordinators; operator %s has the role %s"), action_words(a),
			    s ? fb_store_operator(s) : "", fb_role_name(g_role));
}

/* The kind whose field table holds f. */
static const struct fb_kind *kind_of(const struct fb_field *f)
{
	const struct fb_kind *k;
	const struct fb_field *g;

	for (k = fb_kinds; k->name; k++)
		for (g = k->fields; g->name; g++)
			if (g == f)
				return k;
	return NULL;
}

int fb_role_may_reveal(const struct fb_kind *k, const struct fb_field *f)
{
	if (!f)
		return 0;
	if (!k)
		k = kind_of(f);
	if (g_role == FB_ROLE_NONE || g_role == FB_ROLE_COORDINATOR)
		return g_role == FB_ROLE_COORDINATOR || !fb_unlock_required();
	if (!(f->flags & FB_F_SENSITIVE))
		return 1; /* masked-only fields (mobiles): every role, audited */
	if (g_role == FB_ROLE_LEGAL)
		return 1;
	/* field: demand descriptions and hardship reasons, not ID numbers or summaries */
	return k && (!strcmp(k->name, "demand") || !strcmp(k->name, "assistance"));
}
