/* index.c - the search index and identity keys of one record (core layer).
 *
 * Search: FTS5 with the 'ascii' tokenizer over token streams made here.  Han (and other
 * CJK) text goes in twice: every character as a token in the "uni" column and every pair
 * of neighbouring characters in the "bi" column, so one-character queries match "uni",
 * and longer ones match a phrase of their bigrams in "bi" (FTS5's trigram tokenizer cannot
 * find two-character names).  Other words go into "bi" lower-cased, matched by prefix.
 * Identity keys (table ident): "id:<number>", "mob:<11 digits>", "m4:<last 4>",
 * "ref:<target id>:<field>" for references, so lookups are index probes, never scans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/text.h"
#include "fieldbook/crypto.h"
#include "store_int.h"

int index_is_cjk(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3040 && c <= 0x30FF && c != 0x30FB) ||
	       (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Word characters other than CJK: ASCII letters and digits (lower-cased), full-width
 * ones mapped to ASCII, and letters of other scripts; 0 for separators. */
uint32_t index_word_char(uint32_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))
		return c;
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xFF10 && c <= 0xFF19)
		return c - 0xFF10 + '0';
	if (c >= 0xFF21 && c <= 0xFF3A)
		return c - 0xFF21 + 'a';
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 0xFF41 + 'a';
	if (c < 0xC0 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFE00 && c <= 0xFFFF) || c == 0xD7 || c == 0xF7 || c == 0x30FB)
		return 0;
	return c;
}

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (!b->p && !(b->p = malloc(b->cap = 256)))
		return;
	if (b->len + n + 2 > b->cap) {
		char *n2;
		while (b->len + n + 2 > b->cap)
			b->cap *= 2;
		if (!(n2 = realloc(b->p, b->cap)))
			return;
		b->p = n2;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_cp(struct sbuf *b, uint32_t c)
{
	char enc[4];
	sb_put(b, enc, fb_utf8_encode(c, enc));
}

void index_tokens(const char *text, char **uni, char **bi)
{
	struct sbuf u = {0}, g = {0};
	size_t len = strlen(text), i = 0;
	uint32_t prev = 0; /* previous CJK character of the current run, 0 if none */
	int in_word = 0, run = 0;

	sb_put(&u, "", 0);
	sb_put(&g, "", 0);
	while (i < len) {
		uint32_t c, w;
		i += fb_utf8_decode(text + i, len - i, &c);
		if (index_is_cjk(c)) {
			if (in_word) {
				sb_put(&g, " ", 1);
				in_word = 0;
			}
			sb_put(&u, " ", 1);
			sb_cp(&u, c);
			if (prev) {
				sb_put(&g, " ", 1);
				sb_cp(&g, prev);
				sb_cp(&g, c);
			}
			prev = c;
			run++;
			continue;
		}
		if (run == 1) { /* a lone CJK character is its own bigram-stream token */
			sb_put(&g, " ", 1);
			sb_cp(&g, prev);
		}
		prev = 0;
		run = 0;
		if ((w = index_word_char(c)) != 0) {
			if (!in_word)
				sb_put(&g, " ", 1);
			sb_cp(&g, w);
			in_word = 1;
		} else
			in_word = 0;
	}
	if (run == 1) {
		sb_put(&g, " ", 1);
		sb_cp(&g, prev);
	}
	*uni = u.p;
	*bi = g.p;
}

static int exec_bound(struct fb_store *s, sqlite3_stmt *st, struct fb_error *err)
{
	if (!st)
		return FB_EDB;
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "updating the search index", err);
	sqlite3_reset(st);
	return 0;
}

static int add_ident(struct fb_store *s, const char *key, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "INSERT OR IGNORE INTO ident(key, rec) VALUES(?1, ?2)", err);

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, rec, -1, SQLITE_STATIC);
	return exec_bound(s, st, err);
}

static int unindex(struct fb_store *s, const char *rec, struct fb_error *err)
{
	sqlite3_stmt *st = stmt(s, "DELETE FROM ident WHERE rec = ?1", err);
	int rc;

	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if ((rc = exec_bound(s, st, err)) < 0)
		return rc;
	st = stmt(s, "INSERT INTO search_fts(search_fts, rowid, kind, uni, bi)"
		     " SELECT 'delete', rowid, kind, uni, bi FROM search_doc WHERE rec = ?1",
		  err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	if ((rc = exec_bound(s, st, err)) < 0)
		return rc;
	st = stmt(s, "DELETE FROM search_doc WHERE rec = ?1", err);
	if (!st)
		return FB_EDB;
	sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
	return exec_bound(s, st, err);
}

int index_record_fields(struct fb_store *s, const char *rec, const char *kind, int live,
			const char *title, const char *const *names, const char *const *values, size_t nf,
			int was_indexed, struct fb_error *err)
{
	sqlite3_stmt *st;
	char kindtok[72];
	struct sbuf text = {0};
	const struct fb_kind *k;
	size_t i;
	int rc = 0;

	if (was_indexed && (rc = unindex(s, rec, err)) < 0)
		return rc;
	k = fb_kind_find(kind);
	if (!live || !k || strcmp(k->name, kind))
		return 0;
	sb_put(&text, "", 0);
	for (i = 0; i < nf; i++) {
		const char *name = names[i];
		const char *value = values[i];
		const struct fb_field *f = fb_field_find(k, name);
		char key[512];
		if (!f || strcmp(f->name, name) || !*value)
			continue;
		key[0] = '\0';
		if (f->type == FB_T_IDNUMBER) {
			/* sealed (crypto.h): the keyed tag it carries, never the number */
			const char *tag = fb_crypto_sealed_tag(value);
			if (tag)
				snprintf(key, sizeof key, "idh:%s", tag);
			else if (!fb_crypto_is_sealed(value))
				snprintf(key, sizeof key, "id:%s", value);
		} else if (f->type == FB_T_MOBILE) {
			snprintf(key, sizeof key, "m4:%s", value + (strlen(value) > 4 ? strlen(value) - 4 : 0));
			if ((rc = add_ident(s, key, rec, err)) < 0)
				break;
			snprintf(key, sizeof key, "mob:%s", value);
		} else if (f->type == FB_T_REF || f->type == FB_T_REFS) {
			const char *p = value;
			while (*p) {
				size_t n = strcspn(p, ",");
				snprintf(key, sizeof key, "ref:%.*s:%s", (int)n, p, f->name);
				if ((rc = add_ident(s, key, rec, err)) < 0)
					goto done;
				p += n;
				if (*p == ',')
					p++;
			}
			key[0] = '\0';
		}
		if (key[0] && (rc = add_ident(s, key, rec, err)) < 0)
			break;
		if ((f->flags & (FB_F_SEARCH | FB_F_TITLE)) && !fb_crypto_is_sealed(value)) {
			sb_put(&text, " ", 1);
			sb_put(&text, value, strlen(value));
		}
	}
done:
	if (rc == 0) {
		char *uni = NULL, *bi = NULL;
		index_tokens(text.p ? text.p : "", &uni, &bi);
		snprintf(kindtok, sizeof kindtok, "k%s", kind);
		st = stmt(s, "INSERT INTO search_doc(rec, kind, title, uni, bi) VALUES(?1, ?2, ?3, ?4, ?5)",
			  err);
		if (!st || !uni || !bi)
			rc = st ? fb_error_set(err, FB_ENOMEM, NULL, "out of memory") : FB_EDB;
		else {
			sqlite3_bind_text(st, 1, rec, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, kindtok, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, title ? title : "", -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, uni, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, bi, -1, SQLITE_STATIC);
			rc = exec_bound(s, st, err);
			if (rc == 0) {
				st = stmt(s, "INSERT INTO search_fts(rowid, kind, uni, bi)"
					     " VALUES(last_insert_rowid(), ?1, ?2, ?3)",
					  err);
				if (!st)
					rc = FB_EDB;
				else {
					sqlite3_bind_text(st, 1, kindtok, -1, SQLITE_STATIC);
					sqlite3_bind_text(st, 2, uni, -1, SQLITE_STATIC);
					sqlite3_bind_text(st, 3, bi, -1, SQLITE_STATIC);
					rc = exec_bound(s, st, err);
				}
			}
		}
		free(uni);
		free(bi);
	}
	free(text.p);
	return rc;
}
