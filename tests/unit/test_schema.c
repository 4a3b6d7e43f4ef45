/* test_schema.c - consistency of the field-definition table and its lookups (tests layer).
 *
 * The table in core/schema.c is data that every other module trusts, so its invariants
 * are checked here: stable lowercase codes, unique codes and labels, choice lists where
 * needed, exactly one lifecycle and one title field, sane defaults, every field the brief
 * names, and lookups by code or label in either language. */
#include <stdio.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "fieldbook/schema.h"
#include "tap.h"

/* Problems found inside one aggregated check are printed as TAP comments. */
static int problems;

static void problem(const char *kind, const char *field, const char *what, const char *value)
{
	problems++;
	printf("#   %s.%s: %s '%s'\n", kind ? kind : "-", field ? field : "-", what,
	       value ? value : "(null)");
}

static int code_ok(const char *s)
{
	if (!s || !*s || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF, no controls. */
static int utf8_label_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s || !*s)
		return 0;
	while (*s) {
		unsigned c = *s, cp, n, i;
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

static int ascii_label_ok(const char *s)
{
	if (!s || !*s || *s == ' ')
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return s[-1] != ' ';
}

static int has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

static int caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
		int cb = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;
		if (ca != cb)
			return 0;
		if (!ca)
			return 1;
	}
}

static void upper(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	out[i] = '\0';
}

static int is_choice_type(enum fb_type t)
{
	return t == FB_T_CHOICE || t == FB_T_MULTI;
}

static int is_ref_type(enum fb_type t)
{
	return t == FB_T_REF || t == FB_T_REFS;
}

static size_t nkinds(void)
{
	size_t n = 0;

	while (fb_kinds[n].name)
		n++;
	return n;
}

static void test_kinds(void)
{
	static const char *const order[] = {"person", "visit", "consultation", "case", "request",
	                                    "demand", "assistance", "note", "site", "service",
	                                    "team", "audit"};
	size_t i, j, n = nkinds();
	char up[64];

	TAP_OK(n == sizeof order / sizeof order[0], "%zu kinds", n);
	for (i = 0; i < n && i < sizeof order / sizeof order[0]; i++)
		TAP_STREQ(fb_kinds[i].name, order[i], "kind %zu is %s", i, order[i]);

	problems = 0;
	for (i = 0; i < n; i++) {
		const struct fb_kind *k = &fb_kinds[i];
		if (!code_ok(k->name))
			problem(k->name, NULL, "bad kind code", k->name);
		if (!utf8_label_ok(k->zh) || !has_non_ascii(k->zh))
			problem(k->name, NULL, "bad zh label", k->zh);
		if (!ascii_label_ok(k->en))
			problem(k->name, NULL, "bad en label", k->en);
		for (j = 0; j < i; j++) {
			const struct fb_kind *o = &fb_kinds[j];
			if (caseeq(k->name, o->name) || caseeq(k->name, o->en))
				problem(k->name, NULL, "code clashes with kind", o->name);
			if (strcmp(k->zh, o->zh) == 0)
				problem(k->name, NULL, "zh label clashes with kind", o->name);
			if (caseeq(k->en, o->en) || caseeq(k->en, o->name))
				problem(k->name, NULL, "en label clashes with kind", o->name);
		}
		if (fb_kind_find(k->name) != k)
			problem(k->name, NULL, "not found by code", k->name);
		if (fb_kind_find(k->zh) != k)
			problem(k->name, NULL, "not found by zh label", k->zh);
		if (fb_kind_find(k->en) != k)
			problem(k->name, NULL, "not found by en label", k->en);
		upper(up, sizeof up, k->name);
		if (fb_kind_find(up) != k)
			problem(k->name, NULL, "not found by upper-case code", up);
		upper(up, sizeof up, k->en);
		if (fb_kind_find(up) != k)
			problem(k->name, NULL, "not found by upper-case en label", up);
		if (!k->fields || !k->fields[0].name)
			problem(k->name, NULL, "no fields", NULL);
		if (k->catalogue != (!strcmp(k->name, "site") || !strcmp(k->name, "service") ||
		                     !strcmp(k->name, "team")))
			problem(k->name, NULL, "catalogue flag wrong", NULL);
	}
	TAP_OK(problems == 0, "kind codes lowercase and unique, labels valid, all found back");
}

static void test_fields(const struct fb_kind *k)
{
	const struct fb_field *f, *g;
	int nstatus = 0, ntitle = 0, nlist = 0, fields = 0;
	char up[64];

	problems = 0;
	for (f = k->fields; f->name; f++) {
		fields++;
		if (!code_ok(f->name))
			problem(k->name, f->name, "bad field code", f->name);
		if (!utf8_label_ok(f->zh) || !has_non_ascii(f->zh))
			problem(k->name, f->name, "bad zh label", f->zh);
		if (!ascii_label_ok(f->en))
			problem(k->name, f->name, "bad en label", f->en);
		for (g = k->fields; g < f; g++) {
			if (!strcmp(f->name, g->name))
				problem(k->name, f->name, "duplicate code", g->name);
			if (!strcmp(f->zh, g->zh))
				problem(k->name, f->name, "zh label same as", g->name);
			if (caseeq(f->en, g->en))
				problem(k->name, f->name, "en label same as", g->name);
			if (caseeq(f->en, g->name) || caseeq(g->en, f->name))
				problem(k->name, f->name, "label equals the code of", g->name);
		}
		if (fb_field_find(k, f->name) != f)
			problem(k->name, f->name, "not found by code", f->name);
		if (fb_field_find(k, f->zh) != f)
			problem(k->name, f->name, "not found by zh label", f->zh);
		if (fb_field_find(k, f->en) != f)
			problem(k->name, f->name, "not found by en label", f->en);
		upper(up, sizeof up, f->name);
		if (fb_field_find(k, up) != f)
			problem(k->name, f->name, "not found by upper-case code", up);

		/* Choices exactly where the type needs them. */
		if (is_choice_type(f->type) && (!f->choices || !f->choices[0].code))
			problem(k->name, f->name, "choice field without choices", NULL);
		if (!is_choice_type(f->type) && f->choices)
			problem(k->name, f->name, "choices on a non-choice field", NULL);

		/* References: a known kind, or NULL deliberately (note.parent: any kind). */
		if (is_ref_type(f->type)) {
			int any_ok = !strcmp(k->name, "note") && !strcmp(f->name, "parent");
			if (f->ref_kind ? !fb_kind_find(f->ref_kind) ||
			                      strcmp(fb_kind_find(f->ref_kind)->name, f->ref_kind)
			                : !any_ok)
				problem(k->name, f->name, "bad ref_kind", f->ref_kind);
		} else if (f->ref_kind) {
			problem(k->name, f->name, "ref_kind on a non-reference field", f->ref_kind);
		}

		/* Flags that must go together or never together. */
		if ((f->flags & FB_F_LIST) ? f->list_cols <= 0 : f->list_cols != 0)
			problem(k->name, f->name, "list flag and list_cols disagree", NULL);
		if (f->list_cols < 0 || f->list_cols > 40 || f->max_chars < 0)
			problem(k->name, f->name, "odd width", NULL);
		if ((f->flags & FB_F_TITLE) && !(f->flags & FB_F_LIST))
			problem(k->name, f->name, "title not a list column", NULL);
		if ((f->flags & FB_F_TITLE) && (f->flags & (FB_F_SENSITIVE | FB_F_MASKED)))
			problem(k->name, f->name, "sensitive or masked title", NULL);
		if ((f->flags & FB_F_SENSITIVE) && (f->flags & FB_F_LIST) && !(f->flags & FB_F_MASKED))
			problem(k->name, f->name, "sensitive list column not masked", NULL);
		if ((f->flags & FB_F_DERIVED) && (f->flags & (FB_F_REQUIRED | FB_F_STATUS)))
			problem(k->name, f->name, "derived field required or status", NULL);
		if ((f->flags & FB_F_STATUS) && f->type != FB_T_CHOICE)
			problem(k->name, f->name, "status field not a choice", NULL);

		/* Defaults of the right shape. */
		if (f->default_value) {
			if (is_choice_type(f->type)) {
				const struct fb_choice *c = fb_choice_find(f, f->default_value);
				if (!c || strcmp(c->code, f->default_value))
					problem(k->name, f->name, "default not a choice code", f->default_value);
			} else if (f->type == FB_T_DATE) {
				if (strcmp(f->default_value, "@today"))
					problem(k->name, f->name, "date default not @today", f->default_value);
			} else if (f->type == FB_T_BOOL) {
				if (strcmp(f->default_value, "0") && strcmp(f->default_value, "1"))
					problem(k->name, f->name, "bool default not 0/1", f->default_value);
			} else {
				problem(k->name, f->name, "unexpected default", f->default_value);
			}
		}

		if (f->flags & FB_F_STATUS) {
			nstatus++;
			if (!f->default_value)
				problem(k->name, f->name, "status without default", NULL);
			else if (f->choices && strcmp(f->default_value, f->choices[0].code))
				problem(k->name, f->name, "status default is not the first state",
				        f->default_value);
		}
		if (f->flags & FB_F_TITLE)
			ntitle++;
		if (f->flags & FB_F_LIST)
			nlist++;
	}
	TAP_OK(problems == 0, "%s: %d fields consistent (codes, labels, choices, refs, flags, "
	       "defaults)", k->name, fields);

	if (!strcmp(k->name, "note") || !strcmp(k->name, "audit")) { /* no lifecycle */
		TAP_OK(nstatus == 0 && fb_kind_status_field(k) == NULL, "%s: no status field", k->name);
		TAP_OK(nlist >= 2 && nlist <= 6, "%s: %d list columns", k->name, nlist);
	} else {
		TAP_OK(nstatus == 1 && fb_kind_status_field(k) &&
		       (fb_kind_status_field(k)->flags & FB_F_STATUS),
		       "%s: exactly one status field with a default", k->name);
		TAP_OK(nlist >= 3 && nlist <= 6, "%s: %d list columns (3-6)", k->name, nlist);
	}
	TAP_OK(ntitle == 1 && fb_kind_title_field(k) &&
	       (fb_kind_title_field(k)->flags & FB_F_TITLE),
	       "%s: exactly one title field", k->name);
}

static void test_choices(const struct fb_kind *k)
{
	const struct fb_field *f;
	const struct fb_choice *c, *d;
	int lists = 0;
	char up[128];

	problems = 0;
	for (f = k->fields; f->name; f++) {
		if (!f->choices)
			continue;
		lists++;
		for (c = f->choices; c->code; c++) {
			if (!code_ok(c->code))
				problem(k->name, f->name, "bad choice code", c->code);
			if (!utf8_label_ok(c->zh) || !has_non_ascii(c->zh))
				problem(k->name, f->name, "bad choice zh label", c->zh);
			if (!ascii_label_ok(c->en))
				problem(k->name, f->name, "bad choice en label", c->en);
			for (d = f->choices; d < c; d++) {
				if (!strcmp(c->code, d->code))
					problem(k->name, f->name, "duplicate choice code", c->code);
				if (!strcmp(c->zh, d->zh))
					problem(k->name, f->name, "duplicate choice zh label", c->zh);
				if (caseeq(c->en, d->en))
					problem(k->name, f->name, "duplicate choice en label", c->en);
				if (caseeq(c->en, d->code) || caseeq(d->en, c->code))
					problem(k->name, f->name, "choice label equals another code",
					        c->code);
			}
			if (fb_choice_find(f, c->code) != c)
				problem(k->name, f->name, "choice not found by code", c->code);
			if (fb_choice_find(f, c->zh) != c)
				problem(k->name, f->name, "choice not found by zh label", c->zh);
			if (fb_choice_find(f, c->en) != c)
				problem(k->name, f->name, "choice not found by en label", c->en);
			upper(up, sizeof up, c->en);
			if (fb_choice_find(f, up) != c)
				problem(k->name, f->name, "choice not found by upper-case en", up);
			upper(up, sizeof up, c->code);
			if (fb_choice_find(f, up) != c)
				problem(k->name, f->name, "choice not found by upper-case code", up);
		}
	}
	TAP_OK(problems == 0, "%s: %d choice lists: codes, labels unique, found back", k->name,
	       lists);
}

/* Every field the brief names, with its type and whether it is required. */
struct expect {
	const char *kind, *field;
	enum fb_type type;
	int required;
};

static const struct expect brief_fields[] = {
	{"person", "name", FB_T_NAME, 1},
	{"person", "id_type", FB_T_CHOICE, 0},
	{"person", "id_number", FB_T_IDNUMBER, 0},
	{"person", "gender", FB_T_CHOICE, 0},
	{"person", "birth_date", FB_T_DATE, 0},
	{"person", "mobile", FB_T_MOBILE, 0},
	{"person", "occupation", FB_T_CHOICE, 1},
	{"person", "relation", FB_T_CHOICE, 0},
	{"person", "platforms", FB_T_MULTI, 0},
	{"person", "employer", FB_T_TEXT, 0},
	{"person", "employer_uscc", FB_T_USCC, 0},
	{"person", "member_status", FB_T_CHOICE, 0},
	{"person", "joined_on", FB_T_DATE, 0},
	{"person", "branch", FB_T_TEXT, 0},
	{"person", "channel", FB_T_CHOICE, 0},
	{"person", "consent", FB_T_BOOL, 0},
	{"person", "consent_method", FB_T_CHOICE, 0},
	{"person", "consent_date", FB_T_DATE, 0},
	{"person", "consent_sensitive", FB_T_BOOL, 0},
	{"person", "merged_into", FB_T_REF, 0},
	{"visit", "type", FB_T_CHOICE, 1},
	{"visit", "date", FB_T_DATE, 1},
	{"visit", "site", FB_T_TEXT, 1},
	{"visit", "team", FB_T_TEXT, 1},
	{"visit", "headcount", FB_T_INTEGER, 0},
	{"visit", "items", FB_T_ITEMS, 0},
	{"visit", "cost", FB_T_MONEY, 0},
	{"visit", "recipients", FB_T_REFS, 0},
	{"visit", "status", FB_T_CHOICE, 0},
	{"consultation", "person", FB_T_REF, 0},
	{"consultation", "date", FB_T_DATE, 1},
	{"consultation", "channel", FB_T_CHOICE, 0},
	{"consultation", "topics", FB_T_MULTI, 1},
	{"consultation", "employer", FB_T_TEXT, 0},
	{"consultation", "summary", FB_T_MULTILINE, 1},
	{"consultation", "advice", FB_T_MULTILINE, 0},
	{"consultation", "claimed", FB_T_MONEY, 0},
	{"consultation", "outcome", FB_T_CHOICE, 1},
	{"consultation", "follow_up", FB_T_DATE, 0},
	{"consultation", "status", FB_T_CHOICE, 0},
	{"case", "case_no", FB_T_TEXT, 1},
	{"case", "applicants", FB_T_REFS, 1},
	{"case", "respondent", FB_T_NAME, 1},
	{"case", "respondent_uscc", FB_T_USCC, 0},
	{"case", "form", FB_T_CHOICE, 0},
	{"case", "received_at", FB_T_DATE, 1},
	{"case", "dispute_types", FB_T_MULTI, 1},
	{"case", "claims", FB_T_ITEMS, 0},
	{"case", "mediators", FB_T_TEXT, 0},
	{"case", "agreed_on", FB_T_DATE, 0},
	{"case", "agreed_amount", FB_T_MONEY, 0},
	{"case", "due_on", FB_T_DATE, 0},
	{"case", "signed", FB_T_BOOL, 0},
	{"case", "recovered", FB_T_MONEY, 0},
	{"case", "status", FB_T_CHOICE, 0},
	{"request", "requester", FB_T_REF, 0}, /* "requester or group": checked by core */
	{"request", "group", FB_T_TEXT, 0},
	{"request", "headcount", FB_T_INTEGER, 0},
	{"request", "service", FB_T_TEXT, 1},
	{"request", "wanted_from", FB_T_DATE, 0},
	{"request", "wanted_to", FB_T_DATE, 0},
	{"request", "assigned_to", FB_T_TEXT, 0},
	{"request", "delivered_on", FB_T_DATE, 0},
	{"request", "attendance", FB_T_INTEGER, 0},
	{"request", "rating", FB_T_RATING, 0},
	{"request", "decline_reason", FB_T_TEXT, 0},
	{"request", "status", FB_T_CHOICE, 0},
	{"demand", "collected_by", FB_T_TEXT, 1},
	{"demand", "source", FB_T_CHOICE, 0},
	{"demand", "anonymous", FB_T_BOOL, 0},
	{"demand", "persons", FB_T_REFS, 0},
	{"demand", "affected", FB_T_INTEGER, 1},
	{"demand", "employer", FB_T_TEXT, 0},
	{"demand", "categories", FB_T_MULTI, 1},
	{"demand", "description", FB_T_MULTILINE, 1},
	{"demand", "forwarded_to", FB_T_CHOICE, 0},
	{"demand", "response", FB_T_MULTILINE, 0},
	{"demand", "status", FB_T_CHOICE, 0},
	{"assistance", "person", FB_T_REF, 1},
	{"assistance", "category", FB_T_TEXT, 0},
	{"assistance", "type", FB_T_CHOICE, 1},
	{"assistance", "amount", FB_T_MONEY, 1},
	{"assistance", "reason", FB_T_MULTILINE, 1},
	{"assistance", "approver", FB_T_TEXT, 0},
	{"assistance", "paid_on", FB_T_DATE, 0},
	{"assistance", "method", FB_T_CHOICE, 0},
	{"assistance", "status", FB_T_CHOICE, 0},
	{"note", "parent", FB_T_REF, 1},
	{"note", "text", FB_T_MULTILINE, 1},
	{"site", "name", FB_T_TEXT, 1},
	{"site", "type", FB_T_CHOICE, 0},
	{"site", "district", FB_T_TEXT, 0},
	{"site", "status", FB_T_CHOICE, 0},
	{"service", "code", FB_T_TEXT, 1},
	{"service", "name", FB_T_TEXT, 1},
	{"service", "category", FB_T_TEXT, 0},
	{"service", "provider", FB_T_TEXT, 0},
	{"service", "active", FB_T_BOOL, 0},
	{"service", "status", FB_T_CHOICE, 0},
	{"team", "name", FB_T_TEXT, 1},
	{"team", "members", FB_T_TEXT, 0},
	{"team", "status", FB_T_CHOICE, 0},
};

static void test_brief_fields(void)
{
	size_t i;

	problems = 0;
	for (i = 0; i < sizeof brief_fields / sizeof brief_fields[0]; i++) {
		const struct expect *e = &brief_fields[i];
		const struct fb_kind *k = fb_kind_find(e->kind);
		const struct fb_field *f = k ? fb_field_find(k, e->field) : NULL;
		if (!f || strcmp(f->name, e->field)) {
			problem(e->kind, e->field, "missing", NULL);
			continue;
		}
		if (f->type != e->type)
			problem(e->kind, e->field, "type is", fb_type_name(f->type));
		if (!!(f->flags & FB_F_REQUIRED) != e->required)
			problem(e->kind, e->field, "required flag wrong", NULL);
	}
	TAP_OK(problems == 0, "all %zu fields of the brief present with type and R flag",
	       sizeof brief_fields / sizeof brief_fields[0]);
}

static const struct fb_field *field(const char *kind, const char *name)
{
	return fb_field_find(fb_kind_find(kind), name);
}

static int has_flags(const char *kind, const char *name, unsigned flags)
{
	const struct fb_field *f = field(kind, name);
	return f && (f->flags & flags) == flags;
}

static void test_specifics(void)
{
	const struct fb_field *f, *g;
	const struct fb_choice *c, *d;
	int same;

	/* Person: the sign-up form. */
	f = field("person", "member_status");
	TAP_OK(f && (f->flags & FB_F_STATUS) && f->default_value &&
	       !strcmp(f->default_value, "non_member"),
	       "person lifecycle is member_status, default non_member");
	TAP_OK(fb_kind_status_field(fb_kind_find("person")) == f, "fb_kind_status_field(person)");
	TAP_OK(field("person", "status") == NULL, "person has no plain status field");
	TAP_OK(has_flags("person", "name", FB_F_REQUIRED | FB_F_TITLE | FB_F_LIST | FB_F_SEARCH) &&
	       field("person", "name")->max_chars == 50,
	       "person.name required title list search, max 50");
	TAP_OK(fb_kind_title_field(fb_kind_find("person")) == field("person", "name"),
	       "fb_kind_title_field(person) is name");
	TAP_OK(has_flags("person", "id_number", FB_F_SENSITIVE | FB_F_MASKED | FB_F_LIST),
	       "id_number sensitive, masked, listed");
	TAP_OK(has_flags("person", "mobile", FB_F_MASKED | FB_F_LIST), "mobile masked, listed");
	TAP_OK(has_flags("person", "gender", FB_F_DERIVED) &&
	       has_flags("person", "birth_date", FB_F_DERIVED),
	       "gender and birth_date derived");
	f = field("person", "id_type");
	TAP_STREQ(f ? f->default_value : NULL, "resident", "id_type defaults to resident");
	f = field("person", "merged_into");
	TAP_STREQ(f ? f->ref_kind : NULL, "person", "merged_into refers to person");
	TAP_OK(has_flags("consultation", "summary", FB_F_SENSITIVE) &&
	       has_flags("demand", "description", FB_F_SENSITIVE) &&
	       has_flags("assistance", "reason", FB_F_SENSITIVE),
	       "dispute narratives and hardship reasons sensitive");
	TAP_OK(field("person", "ethnicity") && field("person", "political_status") &&
	       field("person", "education") && field("person", "hukou") &&
	       !has_flags("person", "ethnicity", FB_F_REQUIRED) &&
	       !has_flags("person", "political_status", FB_F_REQUIRED) &&
	       !has_flags("person", "education", FB_F_REQUIRED) &&
	       !has_flags("person", "hukou", FB_F_REQUIRED),
	       "optional demographics present and optional");

	/* Choice lookups: code, zh, en, ASCII case-insensitive. */
	f = field("person", "occupation");
	c = fb_choice_find(f, "food_delivery");
	TAP_OK(c && !strcmp(c->zh, "外卖骑手"), "occupation food_delivery is 外卖骑手");
	TAP_OK(fb_choice_find(f, "外卖骑手") == c, "occupation found by zh label");
	TAP_OK(fb_choice_find(f, "Food Delivery Rider") == c, "occupation found by en, any case");
	TAP_OK(fb_choice_find(f, "FOOD_DELIVERY") == c, "occupation found by upper-case code");
	TAP_OK(fb_choice_find(f, "外卖") == NULL && fb_choice_find(f, "") == NULL &&
	       fb_choice_find(f, NULL) == NULL && fb_choice_find(NULL, "other") == NULL,
	       "no partial, empty or NULL choice matches");
	TAP_OK(fb_choice_find(field("person", "name"), "other") == NULL,
	       "fb_choice_find on a non-choice field is NULL");
	f = field("person", "platforms");
	TAP_OK(f && fb_choice_find(f, "饿了么") && !strcmp(fb_choice_find(f, "饿了么")->code, "eleme"),
	       "platform 饿了么 is eleme");
	f = field("person", "id_type");
	c = fb_choice_find(f, "港澳台居民居住证");
	TAP_STREQ(c ? c->code : NULL, "hkmt_permit", "id_type 港澳台居民居住证 is hkmt_permit");
	f = field("person", "channel");
	c = fb_choice_find(f, "扫码");
	TAP_STREQ(c ? c->code : NULL, "qr", "channel 扫码 is qr");

	/* Kind and field lookups. */
	TAP_OK(fb_kind_find("职工") == &fb_kinds[0] && fb_kind_find("Person") == &fb_kinds[0] &&
	       fb_kind_find("PERSON") == &fb_kinds[0],
	       "kind person found by 职工, Person, PERSON");
	TAP_OK(fb_kind_find("劳动争议调解") == fb_kind_find("case") && fb_kind_find("case"),
	       "kind case found by zh label");
	TAP_OK(fb_kind_find("service") && fb_kind_find("Service") == fb_kind_find("service") &&
	       fb_kind_find("Service request") == fb_kind_find("request"),
	       "Service vs Service request resolve apart");
	TAP_OK(fb_kind_find("nosuch") == NULL && fb_kind_find("") == NULL &&
	       fb_kind_find(NULL) == NULL && fb_kind_find("perso") == NULL,
	       "unknown, empty, NULL and prefix kinds not found");
	TAP_OK(field("person", "ID Number") == field("person", "id_number") &&
	       field("person", "手机号") == field("person", "mobile") &&
	       field("person", "Mobile") == field("person", "mobile"),
	       "fields found by labels");
	TAP_OK(field("person", "nosuch") == NULL && fb_field_find(NULL, "name") == NULL &&
	       fb_field_find(fb_kind_find("person"), NULL) == NULL,
	       "unknown field and NULL arguments give NULL");

	/* Per-kind specifics. */
	TAP_STREQ(field("visit", "date") ? field("visit", "date")->default_value : NULL, "@today",
	          "visit.date defaults to today");
	TAP_STREQ(field("visit", "status")->default_value, "planned", "visit starts planned");
	TAP_STREQ(field("consultation", "status")->default_value, "registered",
	          "consultation starts registered");
	TAP_STREQ(field("case", "status")->default_value, "applied", "case starts applied");
	TAP_STREQ(field("request", "status")->default_value, "ordered", "request starts ordered");
	TAP_STREQ(field("demand", "status")->default_value, "collected", "demand starts collected");
	TAP_STREQ(field("assistance", "status")->default_value, "applied",
	          "assistance starts applied");
	TAP_STREQ(field("site", "status")->default_value, "active", "site starts active");
	TAP_STREQ(field("service", "active")->default_value, "1", "service.active defaults to 1");
	TAP_OK(field("note", "parent") && field("note", "parent")->ref_kind == NULL,
	       "note.parent may refer to any kind");
	TAP_OK(fb_kind_title_field(fb_kind_find("case")) == field("case", "case_no"),
	       "case title is case_no");
	TAP_STREQ(field("case", "received_at")->default_value, "@today", "case received today");
	TAP_OK(fb_choice_find(field("case", "status"), "not_performed") != NULL,
	       "case lifecycle has not_performed");
	TAP_OK(fb_choice_find(field("consultation", "outcome"), "arbitration_advised") &&
	       fb_choice_find(field("consultation", "outcome"), "referred_mediation") &&
	       fb_choice_find(field("consultation", "outcome"), "legal_aid") &&
	       fb_choice_find(field("consultation", "outcome"), "answered"),
	       "consultation outcomes of the brief");

	/* Consultation topics and case dispute types share one vocabulary. */
	f = field("consultation", "topics");
	g = field("case", "dispute_types");
	same = f && g;
	for (c = f ? f->choices : NULL, d = g ? g->choices : NULL; same && c && d; c++, d++) {
		if (!c->code || !d->code) {
			same = !c->code && !d->code;
			break;
		}
		same = !strcmp(c->code, d->code);
	}
	TAP_OK(same, "consultation topics == case dispute types");
}

static void test_labels(void)
{
	const struct fb_kind *k = fb_kind_find("person");
	const struct fb_field *f = fb_field_find(k, "occupation");
	const struct fb_choice *c = fb_choice_find(f, "courier");
	enum fb_type t, u;
	int distinct = 1;

	fb_lang_force(1);
	TAP_STREQ(fb_kind_label(k), "职工", "zh kind label");
	TAP_STREQ(fb_field_label(f), "职业", "zh field label");
	TAP_STREQ(fb_choice_label(c), "快递员", "zh choice label");
	fb_lang_force(0);
	TAP_STREQ(fb_kind_label(k), "Person", "en kind label");
	TAP_STREQ(fb_field_label(f), "Occupation", "en field label");
	TAP_STREQ(fb_choice_label(c), "courier", "en choice label");
	fb_lang_force(-1);
	TAP_STREQ(fb_kind_label(NULL), "", "NULL kind label is empty");

	for (t = FB_T_TEXT; t <= FB_T_RATING; t++) {
		if (!code_ok(fb_type_name(t)))
			distinct = 0;
		for (u = FB_T_TEXT; u < t; u++)
			if (!strcmp(fb_type_name(t), fb_type_name(u)))
				distinct = 0;
	}
	TAP_OK(distinct, "type names lowercase and distinct");
	TAP_STREQ(fb_type_name(FB_T_MONEY), "money", "money type name");
	TAP_STREQ(fb_type_name(FB_T_IDNUMBER), "idnumber", "idnumber type name");
}

int main(void)
{
	size_t i;

	test_kinds();
	for (i = 0; fb_kinds[i].name; i++) {
		test_fields(&fb_kinds[i]);
		test_choices(&fb_kinds[i]);
	}
	test_brief_fields();
	test_specifics();
	test_labels();
	return tap_done();
}
