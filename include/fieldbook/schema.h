/* schema.h - the one field-definition table of every record kind (core layer).
 *
 * This table drives validation, the command line's FIELD=VALUE parsing, list columns,
 * show/dump output, search indexing and (later) forms and exports.  Field and choice
 * codes are stable ASCII: they appear in change files, exports and scripts and never
 * change once released.  Labels are what users see, in Chinese and English. */
#ifndef FIELDBOOK_SCHEMA_H
#define FIELDBOOK_SCHEMA_H

#include <stddef.h>

enum fb_type {
	FB_T_TEXT,      /* one line of text */
	FB_T_MULTILINE, /* text with newlines */
	FB_T_NAME,      /* a person's or organisation's name (fb_validate_name rules) */
	FB_T_DATE,      /* YYYY-MM-DD */
	FB_T_MONEY,     /* typed in yuan, stored as integer fen in decimal */
	FB_T_INTEGER,   /* non-negative integer */
	FB_T_CHOICE,    /* one code of the choice list */
	FB_T_MULTI,     /* several codes, stored comma-separated in list order */
	FB_T_BOOL,      /* "1" or "0"; typed as yes/no/是/否/1/0/true/false */
	FB_T_REF,       /* the id of one record of ref_kind */
	FB_T_REFS,      /* ids of records of ref_kind, stored comma-separated */
	FB_T_IDNUMBER,  /* identity document number; resident ID rules when id_type says so */
	FB_T_MOBILE,    /* mainland mobile, stored as 11 digits */
	FB_T_USCC,      /* unified social credit code; checksum failure is a warning */
	FB_T_ITEMS,     /* lines "NAME×QTY@UNIT_FEN" joined by "; " (items handed out, claims) */
	FB_T_RATING     /* integer 1-5 */
};

/* Field flags. */
enum {
	FB_F_REQUIRED = 1 << 0,  /* must have a value once the record is saved */
	FB_F_SENSITIVE = 1 << 1, /* sensitive personal data: hidden unless unmasked, encrypted before git */
	FB_F_MASKED = 1 << 2,    /* shown masked (first/last characters) unless unmasked */
	FB_F_LIST = 1 << 3,      /* a column of the list view / `fieldbook list` table */
	FB_F_TITLE = 1 << 4,     /* the record's title in lists, search results and references */
	FB_F_SEARCH = 1 << 5,    /* indexed for free-text search */
	FB_F_DERIVED = 1 << 6,   /* computed by core (gender, birth_date from a resident ID); not typed */
	FB_F_STATUS = 1 << 7     /* the kind's lifecycle field */
};

struct fb_choice {
	const char *code; /* stable ASCII */
	const char *zh;
	const char *en;
};

struct fb_field {
	const char *name; /* stable ASCII field code */
	const char *zh;   /* label in Chinese */
	const char *en;   /* label in English */
	enum fb_type type;
	unsigned flags;
	const struct fb_choice *choices; /* CHOICE/MULTI: terminated by an entry with code NULL */
	const char *ref_kind;            /* REF/REFS: the kind referred to ("person"), or NULL for any */
	const char *default_value;       /* applied on create when no value is given; "@today" = today */
	int max_chars;                   /* 0 = the type's default */
	int list_cols;                   /* preferred column width in lists, 0 = not a list column */
	/* TEXT fields whose choices come from a catalogue kind ("site", "service", "team"): the
	 * form offers the live, active entries by name (catalogue.h); any text stays valid. */
	const char *catalogue;
};

struct fb_kind {
	const char *name; /* stable ASCII kind code: person, visit, ... */
	const char *zh;
	const char *en;
	const struct fb_field *fields; /* terminated by an entry with name NULL */
	int catalogue;                 /* 1 for site, service, team (published by coordinators) */
};

/* Every kind, terminated by an entry with name NULL.  Order: person, visit, consultation,
 * case, request, demand, assistance, note, site, service, team, audit. */
extern const struct fb_kind fb_kinds[];

/* Find a kind by code, Chinese or English label (case-insensitive for ASCII). NULL if none. */
const struct fb_kind *fb_kind_find(const char *name);
/* Find a field of kind by code, or by Chinese or English label.  NULL if none. */
const struct fb_field *fb_field_find(const struct fb_kind *kind, const char *name);
/* Find a choice by code, or Chinese or English label (ASCII case-insensitive). */
const struct fb_choice *fb_choice_find(const struct fb_field *field, const char *input);
/* The kind's lifecycle field (flag FB_F_STATUS), or NULL (note). */
const struct fb_field *fb_kind_status_field(const struct fb_kind *kind);
/* The kind's title field (flag FB_F_TITLE), or NULL. */
const struct fb_field *fb_kind_title_field(const struct fb_kind *kind);
/* Label in the current UI language (fb_lang_zh). */
const char *fb_kind_label(const struct fb_kind *kind);
const char *fb_field_label(const struct fb_field *field);
const char *fb_choice_label(const struct fb_choice *choice);
/* Name of a type for `fieldbook fields`: "text", "date", "money", ... */
const char *fb_type_name(enum fb_type type);

#endif
