/* catalogue.h - catalogues (sites, services, teams) as the choices of the fields that name
 * them (core layer).
 *
 * Catalogue entries are ordinary records of the kinds site, service and team (kind flag
 * `catalogue` in schema.h): coordinators add and edit them like any record and they sync to
 * every laptop.  A field with `catalogue` set (visit.site, visit.team, request.service)
 * stores the entry's name as text; forms offer the live entries whose status is active
 * (services also need active=1).  When nothing of a kind is published the built-in
 * defaults remain (a short service list from the brief; sites and teams have none), and
 * any other text stays valid, since a team may work somewhere not yet published. */
#ifndef FIELDBOOK_CATALOGUE_H
#define FIELDBOOK_CATALOGUE_H

#include "fieldbook/store.h"

struct fb_catalogue_entry {
	const char *value; /* what the field stores: the entry's name */
	const char *label; /* what a picker shows: the name with code, district or translation */
	const char *rec;   /* the catalogue record, or NULL for a built-in default */
};

/* The choices of field f (nothing when f has no catalogue), sorted by name.  cb returns
 * non-zero to stop. */
int fb_catalogue_choices(struct fb_store *store, const struct fb_field *f,
			 int (*cb)(const struct fb_catalogue_entry *e, void *ctx), void *ctx,
			 struct fb_error *err);
/* The stored form of input for f: the entry's name when input is an entry's name (ASCII
 * case folded) or, for services, its code; else input unchanged.  *out is malloc'd. */
int fb_catalogue_normalise(struct fb_store *store, const struct fb_field *f, const char *input,
			   char **out, struct fb_error *err);

#endif
