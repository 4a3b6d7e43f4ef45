/* record.c - validating and saving records: add, edit, delete, and reading one back
 * (core layer).
 *
 * Contract: a save either writes every op of the change in one durable transaction or
 * nothing; bad input is reported with the field and the fix before anything is written.
 * Cross-field rules live here: a resident ID fills gender and birth_date, required
 * fields, references that must point at live records of the right kind, "requester or
 * group" for requests, a positive amount for required money, and credit-code warnings
 * that need an override reason (saved as a note on the record). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/catalogue.h"
#include "fieldbook/clock.h"
#include "fieldbook/crypto.h"
#include "fieldbook/role.h"
#include "fieldbook/i18n.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"
#include "store_int.h"

#define MIN_AGE 16

/* The state of a record being edited: one slot per schema field. */
struct draft {
	const struct fb_kind *kind;
	size_t n;
	char **cur;     /* current displayed value (NULL = none) */
	int *conflict;  /* field currently has more than one visible value */
	char **next;    /* value after the change (NULL = unchanged) */
	char *warn_note;/* text of the override note, if any */
};

static void draft_free(struct draft *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->cur)
			free(d->cur[i]);
		if (d->next)
			free(d->next[i]);
	}
	free(d->cur);
	free(d->next);
	free(d->conflict);
	free(d->warn_note);
}

static int draft_init(struct draft *d, const struct fb_kind *k, struct fb_error *err)
{
	memset(d, 0, sizeof *d);
	d->kind = k;
	while (k->fields[d->n].name)
		d->n++;
	d->cur = calloc(d->n + 1, sizeof *d->cur);
	d->next = calloc(d->n + 1, sizeof *d->next);
	d->conflict = calloc(d->n + 1, sizeof *d->conflict);
	if (!d->cur || !d->next || !d->conflict)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	return 0;
}

static size_t field_index(const struct draft *d, const struct fb_field *f)
{
	return (size_t)(f - d->kind->fields);
}

/* The value the record will have after the change. */
static const char *final_value(const struct draft *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->kind->fields[i].name, name))
			return d->next[i] ? d->next[i] : d->cur[i];
	return NULL;
}

static int set_next(struct draft *d, size_t i, const char *v, struct fb_error *err)
{
	char *c = strdup(v);

	if (!c)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	free(d->next[i]);
	d->next[i] = c;
	return 0;
}

int fb_record_resolve(struct fb_store *s, char *out, const char *id, struct fb_error *err)
{
	sqlite3_stmt *st;
	char lo[FB_ID_LEN + 2], hi[FB_ID_LEN + 2];
	size_t len = strlen(id), i;
	int r, found = 0;

	if (len < 4 || len > FB_ID_LEN || strspn(id, "0123456789abcdefABCDEF") != len)
		return fb_error_set(err, FB_EINVAL, "id",
				    _("'%s' is not a record id: give the 16-character id or its "
				      "first 4 or more characters"),
				    id);
	for (i = 0; i < len; i++)
		lo[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] - 'A' + 'a' : id[i]);
	lo[len] = '\0';
	/* every id starting with the prefix sorts in [prefix, prefix + "g") */
	memcpy(hi, lo, len);
	hi[len] = 'g';
	hi[len + 1] = '\0';
	st = stmt(s, "SELECT id FROM record WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 2", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++ == 0)
			snprintf(out, FB_ID_LEN + 1, "%s", sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_error(s, "looking up a record", err);
	if (found == 0)
		return fb_error_set(err, FB_ENOTFOUND, "id", _("no record with id %s"), id);
	if (found > 1)
		return fb_error_set(err, FB_EAMBIGUOUS, "id",
				    _("%s matches more than one record: give more characters"), id);
	return 0;
}

/* A copy of a stored value, opened when it is sealed and the key is loaded (a sealed
 * value stays sealed otherwise, so it compares unequal to anything typed). */
static char *sealed_open_dup(const struct fb_field *f, const char *v)
{
	char *plain = NULL;

	if ((f->flags & FB_F_SENSITIVE) && fb_crypto_is_sealed(v) && fb_crypto_open(&plain, fb_crypto_ring(), f->name, v, NULL) == 0)
		return plain;
	return strdup(v);
}

/* 1 when this store already holds a sealed value of some sensitive field: the deployment
 * encrypts, so a computer without the key must not write those fields in plain text. */
static int deployment_seals(struct fb_store *s)
{
	const struct fb_kind *k;
	const struct fb_field *f;
	sqlite3_stmt *st = stmt(s, "SELECT 1 FROM field WHERE name = ?1 AND value >= 'enc1:'"
				   " AND value < 'enc1;' LIMIT 1",
				NULL);
	int found = 0;

	if (!st)
		return 1; /* cannot tell: refuse rather than leak */
	for (k = fb_kinds; k->name && !found; k++)
		for (f = k->fields; f->name && !found; f++) {
			if (!(f->flags & FB_F_SENSITIVE))
				continue;
			sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
			found = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_reset(st);
		}
	return found;
}

/* The stored form of a sensitive value: sealed with the deployment key when one is
 * loaded; in plain text only in a store that has never seen a sealed value (no key in
 * this deployment).  *out malloc'd (NULL = store v as it is). */
static int seal_value(struct fb_store *s, char **out, const char *rec, const struct fb_field *f,
		      const char *v, struct fb_error *err)
{
	*out = NULL;
	if (!(f->flags & FB_F_SENSITIVE) || !*v)
		return 0;
	if (fb_crypto_ring())
		return fb_crypto_seal(out, fb_crypto_ring(), rec, f->name, v, f->type == FB_T_IDNUMBER, err);
	if (deployment_seals(s))
		return fb_error_set(err, FB_EINVAL, f->name,
				    _("%s: this deployment encrypts sensitive fields and this computer has "
				      "no deployment key; join with a key file (fieldbook init --join "
				      "FILE) or leave %s out"),
				    f->name, f->name);
	return 0;
}

/* Loads the current displayed values of rec into d->cur / d->conflict. */
static int draft_load(struct fb_store *s, struct draft *d, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "SELECT name, value, nvalues FROM field WHERE rec = ?1", err);
	int r;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const struct fb_field *f =
			fb_field_find(d->kind, (const char *)sqlite3_column_text(st, 0));
		size_t i;
		if (!f || strcmp(f->name, (const char *)sqlite3_column_text(st, 0)))
			continue;
		i = field_index(d, f);
		free(d->cur[i]);
		d->cur[i] = sealed_open_dup(f, (const char *)sqlite3_column_text(st, 1));
		d->conflict[i] = sqlite3_column_int(st, 2) > 1;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return db_error(s, "reading a record", err);
	return 0;
}

/* Checks a REF/REFS value: every id resolves to a live record of the field's kind; the
 * stored form gets the full ids. */
static int check_refs(struct fb_store *s, struct draft *d, size_t i, struct fb_error *err)
{
	const struct fb_field *f = &d->kind->fields[i];
	char *v = d->next[i], *work, *tok, *save = NULL, *res;
	size_t used = 0;
	int rc = 0;

	if (!v || !*v)
		return 0;
	work = strdup(v);
	res = calloc(1, (strlen(v) / 4 + 1) * (FB_ID_LEN + 1) + 1);
	if (!work || !res) {
		free(work);
		free(res);
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	}
	for (tok = strtok_r(work, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char full[FB_ID_LEN + 1];
		struct fb_record *target = NULL;
		if ((rc = fb_record_resolve(s, full, tok, err)) < 0) {
			char why[FB_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof why, "%s", err ? err->message : "");
			fb_error_set(err, rc, f->name, _("%s: %s"), f->name, why);
			break;
		}
		if ((rc = fb_record_get(&target, s, full, err)) < 0)
			break;
		if (!target->exists) {
			rc = fb_error_set(err, FB_EINVAL, f->name, _("%s: record %s was deleted"), f->name,
					  full);
		} else if (f->ref_kind && strcmp(target->kind_name, f->ref_kind)) {
			rc = fb_error_set(err, FB_EINVAL, f->name,
					  _("%s: record %s is a %s, but this field needs a %s"), f->name,
					  full, target->kind_name, f->ref_kind);
		}
		fb_record_free(target);
		if (rc < 0)
			break;
		used += (size_t)sprintf(res + used, "%s%s", used ? "," : "", full);
	}
	free(work);
	if (rc < 0) {
		free(res);
		return rc;
	}
	free(d->next[i]);
	d->next[i] = res;
	return 0;
}

/* Parses the user's values into d->next. */
static int draft_take(struct draft *d, const struct fb_kv *kvs, size_t n, const struct fb_override *ovr,
		      size_t novr, const char *today, struct fb_error *err)
{
	size_t k, j;
	int rc;

	for (k = 0; k < n; k++) {
		const struct fb_field *f = fb_field_find(d->kind, kvs[k].field);
		char *v = NULL;
		size_t i;
		if (!f)
			return fb_error_set(err, FB_EINVAL, kvs[k].field,
					    _("%s has no field '%s'; `fieldbook fields %s` lists them"),
					    d->kind->name, kvs[k].field, d->kind->name);
		i = field_index(d, f);
		if (d->next[i])
			return fb_error_set(err, FB_EINVAL, f->name, _("%s: given twice; give it once"),
					    f->name);
		rc = fb_value_parse(&v, f, kvs[k].value, today, err);
		if (rc == FB_EWARN) {
			const char *reason = NULL;
			for (j = 0; j < novr; j++)
				if (fb_field_find(d->kind, ovr[j].field) == f)
					reason = ovr[j].reason;
			if (!reason || !*reason) {
				free(v);
				return rc;
			}
			free(d->warn_note);
			d->warn_note = malloc(strlen(f->name) + strlen(v) + strlen(reason) + 160);
			if (!d->warn_note) {
				free(v);
				return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
			}
			sprintf(d->warn_note, "%s %s: %s (%s)", f->name, v,
				_("credit code accepted although its check character does not match"),
				reason);
			rc = 0;
		}
		if (rc < 0) {
			free(v);
			return rc;
		}
		d->next[i] = v;
	}
	return 0;
}

/* Cross-field rules and derived values; is_new applies defaults. */
static int draft_finish(struct fb_store *s, struct draft *d, int is_new, const char *today,
			struct fb_error *err)
{
	size_t i;
	int rc;

	if (is_new) {
		for (i = 0; i < d->n; i++) {
			const struct fb_field *f = &d->kind->fields[i];
			if (f->default_value && (!d->next[i] || !*d->next[i]) &&
			    (rc = set_next(d, i, strcmp(f->default_value, "@today") ? f->default_value
										    : today,
					   err)) < 0)
				return rc;
		}
	}
	for (i = 0; i < d->n; i++) {
		const struct fb_field *f = &d->kind->fields[i];
		if (f->type == FB_T_IDNUMBER && d->next[i] && *d->next[i]) {
			const char *idt = final_value(d, "id_type");
			if (!idt || !*idt || !strcmp(idt, "resident") || !strcmp(idt, "hkmt_permit")) {
				struct fb_resident_id rid;
				const struct fb_field *g = fb_field_find(d->kind, "gender");
				const struct fb_field *b = fb_field_find(d->kind, "birth_date");
				if ((rc = fb_validate_resident_id(&rid, d->next[i], today,
								  !strcmp(d->kind->name, "person") ? MIN_AGE : 0,
								  f->name, err)) < 0)
					return rc;
				if ((rc = set_next(d, i, rid.number, err)) < 0)
					return rc;
				if (g) {
					size_t gi = field_index(d, g);
					const char *want = rid.male ? "male" : "female";
					if (d->next[gi] && *d->next[gi] && strcmp(d->next[gi], want))
						return fb_error_set(err, FB_EINVAL, "gender",
								    _("gender: it comes from the ID number "
								      "(%s); leave gender out"),
								    fb_choice_label(fb_choice_find(g, want)));
					if ((rc = set_next(d, gi, want, err)) < 0)
						return rc;
				}
				if (b) {
					size_t bi = field_index(d, b);
					if (d->next[bi] && *d->next[bi] && strcmp(d->next[bi], rid.birth_date))
						return fb_error_set(err, FB_EINVAL, "birth_date",
								    _("birth_date: it comes from the ID number "
								      "(%s); leave birth_date out"),
								    rid.birth_date);
					if ((rc = set_next(d, bi, rid.birth_date, err)) < 0)
						return rc;
				}
			}
		}
		if ((f->type == FB_T_REF || f->type == FB_T_REFS) && (rc = check_refs(s, d, i, err)) < 0)
			return rc;
		if (f->catalogue && d->next[i] && *d->next[i]) { /* a catalogue entry's own name */
			char *v = NULL;
			if ((rc = fb_catalogue_normalise(s, f, d->next[i], &v, err)) < 0)
				return rc;
			free(d->next[i]);
			d->next[i] = v;
		}
	}
	for (i = 0; i < d->n; i++) {
		const struct fb_field *f = &d->kind->fields[i];
		const char *v = d->next[i] ? d->next[i] : d->cur[i];
		if ((f->flags & FB_F_REQUIRED) && (!v || !*v))
			return fb_error_set(err, FB_EINVAL, f->name,
					    _("%s (%s) is required: add %s=VALUE"), f->name,
					    fb_field_label(f), f->name);
		if ((f->flags & FB_F_REQUIRED) && f->type == FB_T_MONEY && v && !strcmp(v, "0"))
			return fb_error_set(err, FB_EINVAL, f->name, _("%s: must be more than 0"), f->name);
	}
	if (!strcmp(d->kind->name, "request")) {
		const char *who = final_value(d, "requester"), *grp = final_value(d, "group");
		if ((!who || !*who) && (!grp || !*grp))
			return fb_error_set(err, FB_EINVAL, "requester",
					    _("requester: give the person (requester=ID) or a group "
					      "(group=NAME headcount=N)"));
	}
	return 0;
}

struct opbuf {
	struct fb_op ops[160];
	char ids[160][FB_OPID_MAX];
	char *preds[160];
	size_t n;
};

static void opbuf_free(struct opbuf *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->preds[i]);
}

static int opbuf_add(struct fb_store *s, struct opbuf *b, int64_t seq, int64_t hlc, const char *kind,
		     const char *rec, const char *field, const char *value, char *pred,
		     struct fb_error *err)
{
	struct fb_op *op;

	if (b->n >= sizeof b->ops / sizeof b->ops[0]) {
		free(pred);
		return fb_error_set(err, FB_EINVAL, NULL, _("too many fields in one save"));
	}
	op = &b->ops[b->n];
	snprintf(b->ids[b->n], FB_OPID_MAX, "%s:%lld.%zu", s->device, (long long)seq, b->n);
	b->preds[b->n] = pred;
	op->id = b->ids[b->n];
	op->hlc = hlc;
	op->author = s->operator_name;
	op->kind = kind;
	op->rec = rec;
	op->field = field;
	op->value = value;
	op->pred = pred ? pred : "";
	b->n++;
	return 0;
}

/* Writes the changed fields of d (and the override note) as one save. */
static int draft_save(struct fb_store *s, struct draft *d, const char *rec, int is_new,
		      struct fb_error *err)
{
	struct opbuf *b = calloc(1, sizeof *b);
	int64_t seq, hlc;
	char note_id[FB_ID_LEN + 1];
	size_t i;
	int rc;

	if (!b)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	if ((rc = oplog_next_save(s, &seq, &hlc, err)) < 0)
		goto cleanup;
	if (is_new && (rc = opbuf_add(s, b, seq, hlc, d->kind->name, rec, "_exists", "1", NULL, err)) < 0)
		goto cleanup;
	for (i = 0; i < d->n; i++) {
		char *pred = NULL, *sealed = NULL;
		if (!d->next[i])
			continue;
		if (d->cur[i] && !d->conflict[i] && !strcmp(d->cur[i], d->next[i]))
			continue; /* unchanged */
		if (!d->cur[i] && !*d->next[i])
			continue; /* clearing an empty field */
		if ((rc = seal_value(s, &sealed, rec, &d->kind->fields[i], d->next[i], err)) < 0)
			goto cleanup;
		if (sealed) { /* the op carries only the sealed form; the plain text is wiped */
			fb_crypto_free_plain(d->next[i]);
			d->next[i] = sealed;
		}
		if (!is_new && (rc = oplog_visible_ids(s, rec, d->kind->fields[i].name, &pred, err)) < 0)
			goto cleanup;
		if ((rc = opbuf_add(s, b, seq, hlc, d->kind->name, rec, d->kind->fields[i].name,
				    d->next[i], pred, err)) < 0)
			goto cleanup;
	}
	if (d->warn_note) {
		if ((rc = random_id(note_id, err)) < 0 ||
		    (rc = opbuf_add(s, b, seq, hlc, "note", note_id, "_exists", "1", NULL, err)) < 0 ||
		    (rc = opbuf_add(s, b, seq, hlc, "note", note_id, "parent", rec, NULL, err)) < 0 ||
		    (rc = opbuf_add(s, b, seq, hlc, "note", note_id, "text", d->warn_note, NULL, err)) < 0)
			goto cleanup;
	}
	rc = oplog_apply(s, b->ops, b->n, NULL, err);
cleanup:
	opbuf_free(b);
	free(b);
	return rc;
}

/* Validates and (unless dry_run) saves a new record inside the caller's transaction. */
int record_add_tx(struct fb_store *s, char *out_id, const struct fb_kind *k, const struct fb_kv *kvs,
		  size_t n, const struct fb_override *ovr, size_t novr, int dry_run, struct fb_error *err)
{
	struct draft d;
	char today[16], id[FB_ID_LEN + 1];
	int rc;

	fb_clock_today(today, sizeof today);
	if ((rc = draft_init(&d, k, err)) < 0)
		goto cleanup;
	if ((rc = draft_take(&d, kvs, n, ovr, novr, today, err)) < 0 ||
	    (rc = draft_finish(s, &d, 1, today, err)) < 0)
		goto cleanup;
	if (dry_run)
		goto cleanup;
	if ((rc = random_id(id, err)) < 0 || (rc = draft_save(s, &d, id, 1, err)) < 0)
		goto cleanup;
	memcpy(out_id, id, FB_ID_LEN + 1);
cleanup:
	draft_free(&d);
	return rc;
}

int fb_record_add(struct fb_store *s, char *out_id, const char *kind_name, const struct fb_kv *kvs,
		  size_t n, const struct fb_override *ovr, size_t novr, struct fb_error *err)
{
	const struct fb_kind *k = fb_kind_find(kind_name);
	int rc;

	if (!k)
		return fb_error_set(err, FB_ENOTFOUND, "kind",
				    _("unknown kind '%s'; the kinds are person, visit, consultation, "
				      "case, request, demand, assistance, note, site, service, team"),
				    kind_name);
	if (k->catalogue && (rc = fb_role_allows(s, FB_ACT_CATALOGUE, err)) < 0)
		return rc; /* privacy mode: catalogues are the coordinators' (role.h) */
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = record_add_tx(s, out_id, k, kvs, n, ovr, novr, 0, err)) < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

/* Loads the record's kind and checks it can be changed. */
static int load_for_change(struct fb_store *s, const char *id, char *full, const struct fb_kind **k,
			   struct fb_error *err)
{
	struct fb_record *r = NULL;
	int rc;

	if ((rc = fb_record_resolve(s, full, id, err)) < 0 || (rc = fb_record_get(&r, s, full, err)) < 0)
		return rc;
	if (!r->exists && !r->delete_conflict)
		rc = fb_error_set(err, FB_EINVAL, "id", _("record %s was deleted; it cannot be changed"),
				  full);
	else if (r->kind && !strcmp(r->kind->name, "audit"))
		rc = fb_error_set(err, FB_EINVAL, "id",
				  _("record %s is an audit entry; audit entries can never be changed or "
				    "deleted"),
				  full);
	else if (r->kind && r->kind->catalogue && fb_role_allows(s, FB_ACT_CATALOGUE, err) < 0)
		rc = FB_EINVAL;
	else if (!r->kind)
		rc = fb_error_set(err, FB_EINVAL, "kind",
				  _("record %s is of kind '%s', which this version of fieldbook does "
				    "not know; update fieldbook to change it"),
				  full, r->kind_name);
	*k = r->kind;
	fb_record_free(r);
	return rc;
}

/* Changes fields of an existing record inside the caller's transaction. */
int record_edit_tx(struct fb_store *s, const char *id, const struct fb_kv *kvs, size_t n,
		   const struct fb_override *ovr, size_t novr, struct fb_error *err)
{
	const struct fb_kind *k = NULL;
	struct draft d;
	char today[16], full[FB_ID_LEN + 1];
	int rc;

	memset(&d, 0, sizeof d);
	fb_clock_today(today, sizeof today);
	if ((rc = load_for_change(s, id, full, &k, err)) < 0 || (rc = draft_init(&d, k, err)) < 0 ||
	    (rc = draft_load(s, &d, full, err)) < 0 ||
	    (rc = draft_take(&d, kvs, n, ovr, novr, today, err)) < 0 ||
	    (rc = draft_finish(s, &d, 0, today, err)) < 0)
		goto cleanup;
	rc = draft_save(s, &d, full, 0, err);
cleanup:
	draft_free(&d);
	return rc;
}

int fb_record_edit(struct fb_store *s, const char *id, const struct fb_kv *kvs, size_t n,
		   const struct fb_override *ovr, size_t novr, struct fb_error *err)
{
	int rc;

	if (n == 0)
		return fb_error_set(err, FB_EUSAGE, NULL, _("nothing to change: give FIELD=VALUE"));
	if ((rc = db_begin(s, err)) < 0)
		return rc;
	if ((rc = record_edit_tx(s, id, kvs, n, ovr, novr, err)) < 0) {
		db_rollback(s);
		return rc;
	}
	return db_commit(s, err);
}

int fb_record_delete(struct fb_store *s, const char *id, struct fb_error *err)
{
	const struct fb_kind *k = NULL;
	char full[FB_ID_LEN + 1], *pred = NULL;
	struct opbuf *b = calloc(1, sizeof *b);
	int64_t seq, hlc;
	int rc;

	if (!b)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	if ((rc = db_begin(s, err)) < 0)
		goto cleanup;
	if ((rc = load_for_change(s, id, full, &k, err)) < 0 ||
	    (rc = oplog_visible_ids_record(s, full, &pred, err)) < 0 ||
	    (rc = oplog_next_save(s, &seq, &hlc, err)) < 0 ||
	    (rc = opbuf_add(s, b, seq, hlc, k->name, full, "_exists", "0", pred, err)) < 0 ||
	    (rc = oplog_apply(s, b->ops, b->n, NULL, err)) < 0) {
		db_rollback(s);
		goto cleanup;
	}
	rc = db_commit(s, err);
cleanup:
	opbuf_free(b);
	free(b);
	return rc;
}

/* ---- reading ---- */

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? strdup((const char *)t) : NULL;
}

/* Schema order for sorting fields: index in the kind, unknown fields after, by name. */
static int field_rank(const struct fb_kind *k, const char *name)
{
	const struct fb_field *f;

	if (!k)
		return 1000;
	for (f = k->fields; f->name; f++)
		if (!strcmp(f->name, name))
			return (int)(f - k->fields);
	return 1000;
}

static const struct fb_kind *sort_kind;
static int cmp_fields(const void *a, const void *b)
{
	const struct fb_field_state *x = a, *y = b;
	int rx = field_rank(sort_kind, x->name), ry = field_rank(sort_kind, y->name);

	return rx != ry ? rx - ry : strcmp(x->name, y->name);
}

int fb_record_get(struct fb_record **out, struct fb_store *s, const char *id, struct fb_error *err)
{
	struct fb_record *r = NULL;
	char full[FB_ID_LEN + 1];
	sqlite3_stmt *st;
	int rc, row;

	*out = NULL;
	if ((rc = fb_record_resolve(s, full, id, err)) < 0)
		return rc;
	if (!(r = calloc(1, sizeof *r)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	st = stmt(s, "SELECT kind, exists_, del_conflict, conflicts, title, status, merged_into,"
		     " created_hlc, created_by, created_dev, updated_hlc, updated_by FROM record"
		     " WHERE id = ?1",
		  err);
	if (!st) {
		rc = FB_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		rc = fb_error_set(err, FB_ENOTFOUND, "id", _("no record with id %s"), id);
		goto fail;
	}
	memcpy(r->id, full, sizeof r->id);
	snprintf(r->kind_name, sizeof r->kind_name, "%s", sqlite3_column_text(st, 0));
	r->kind = fb_kind_find(r->kind_name);
	if (r->kind && strcmp(r->kind->name, r->kind_name))
		r->kind = NULL; /* found by label only: not the stored code */
	r->exists = sqlite3_column_int(st, 1);
	r->delete_conflict = sqlite3_column_int(st, 2);
	r->conflicts = sqlite3_column_int(st, 3);
	r->title = col_dup(st, 4);
	r->status = col_dup(st, 5);
	r->merged_into = col_dup(st, 6);
	r->created_hlc = sqlite3_column_int64(st, 7);
	r->created_by = col_dup(st, 8);
	r->created_device = col_dup(st, 9);
	r->updated_hlc = sqlite3_column_int64(st, 10);
	r->updated_by = col_dup(st, 11);
	sqlite3_reset(st);

	/* Every visible op of the record, newest first per field; distinct values kept. */
	st = stmt(s, "SELECT field, value, id, hlc, author FROM op WHERE rec = ?1 AND " OP_VISIBLE
		     " AND field <> '_exists' ORDER BY field, hlc DESC, device DESC, seq DESC, idx DESC",
		  err);
	if (!st) {
		rc = FB_EDB;
		goto fail;
	}
	sqlite3_bind_text(st, 1, full, -1, SQLITE_STATIC);
	while ((row = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *value = (const char *)sqlite3_column_text(st, 1);
		char *opened;
		struct fb_field_state *fs = r->nfields ? &r->fields[r->nfields - 1] : NULL;
		size_t i;
		int dup = 0;
		if (!fs || strcmp(fs->name, name)) {
			struct fb_field_state *n2 = realloc(r->fields, (r->nfields + 1) * sizeof *n2);
			if (!n2)
				goto nomem;
			r->fields = n2;
			fs = &r->fields[r->nfields++];
			memset(fs, 0, sizeof *fs);
			if (!(fs->name = strdup(name)))
				goto nomem;
			fs->def = r->kind ? fb_field_find(r->kind, name) : NULL;
			if (fs->def && strcmp(fs->def->name, name))
				fs->def = NULL;
		}
		opened = fs->def ? sealed_open_dup(fs->def, value) : strdup(value);
		if (!opened)
			goto nomem;
		for (i = 0; i < fs->nvalues && !dup; i++)
			dup = !strcmp(fs->values[i].value, opened);
		if (dup) {
			free(opened);
			continue;
		}
		{
			struct fb_value *v2 = realloc(fs->values, (fs->nvalues + 1) * sizeof *v2);
			if (!v2) {
				free(opened);
				goto nomem;
			}
			fs->values = v2;
			v2 = &fs->values[fs->nvalues++];
			v2->value = opened;
			v2->op = col_dup(st, 2);
			v2->hlc = sqlite3_column_int64(st, 3);
			v2->author = col_dup(st, 4);
			if (!v2->value || !v2->op || !v2->author)
				goto nomem;
		}
	}
	sqlite3_reset(st);
	if (row != SQLITE_DONE) {
		rc = db_error(s, "reading a record", err);
		goto fail;
	}
	sort_kind = r->kind;
	if (r->nfields)
		qsort(r->fields, r->nfields, sizeof *r->fields, cmp_fields);
	*out = r;
	return 0;
nomem:
	sqlite3_reset(st);
	rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
fail:
	fb_record_free(r);
	return rc;
}

void fb_record_free(struct fb_record *r)
{
	size_t i, j;

	if (!r)
		return;
	for (i = 0; i < r->nfields; i++) {
		for (j = 0; j < r->fields[i].nvalues; j++) {
			free(r->fields[i].values[j].value);
			free(r->fields[i].values[j].op);
			free(r->fields[i].values[j].author);
		}
		free(r->fields[i].values);
		free(r->fields[i].name);
	}
	free(r->fields);
	free(r->title);
	free(r->status);
	free(r->merged_into);
	free(r->created_by);
	free(r->updated_by);
	free(r->created_device);
	free(r);
}

const char *fb_record_value(const struct fb_record *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, field) && r->fields[i].nvalues)
			return r->fields[i].values[0].value;
	return NULL;
}
