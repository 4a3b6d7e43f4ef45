/* value.c - parsing typed input into stored values and formatting them back (core layer).
 *
 * The rules of each type live here once; the command line, forms and import all call
 * fb_value_parse, and every display path calls fb_value_display. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/crypto.h"
#include "fieldbook/i18n.h"
#include "fieldbook/text.h"
#include "fieldbook/unlock.h"
#include "fieldbook/validate.h"
#include "fieldbook/value.h"

#define TEXT_MAX 200
#define MULTILINE_MAX 5000
#define NAME_MAX_CHARS 50

static int nomem(struct fb_error *err)
{
	return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
}

static int dup_out(char **out, const char *s, struct fb_error *err)
{
	if (!(*out = strdup(s)))
		return nomem(err);
	return 0;
}

static int is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

/* Appends the choice codes of a list: "a, b；c" or "a,b" or "a、b" or "a b". */
static int parse_multi(char **out, const struct fb_field *f, const char *input, struct fb_error *err)
{
	char *work = strdup(input), *res = calloc(1, strlen(input) * 4 + 64), *p, *tok;
	size_t used = 0;
	int rc = 0;

	if (!work || !res) {
		rc = nomem(err);
		goto cleanup;
	}
	/* Normalise the separators ，、；; to ',' in place (multi-byte ones padded with ','). */
	for (p = work; *p; p++) {
		if (!strncmp(p, "\xef\xbc\x8c", 3) || !strncmp(p, "\xe3\x80\x81", 3) ||
		    !strncmp(p, "\xef\xbc\x9b", 3)) {
			p[0] = p[1] = p[2] = ',';
			p += 2;
		} else if (*p == ';')
			*p = ',';
	}
	for (tok = strtok(work, ","); tok; tok = strtok(NULL, ",")) {
		const struct fb_choice *c;
		char *end;
		while (*tok == ' ')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (!*tok)
			continue;
		c = fb_choice_find(f, tok);
		if (!c) {
			rc = fb_error_set(err, FB_EINVAL, f->name,
					  _("%s: '%s' is not one of the choices; see `fieldbook fields` "
					    "for the codes and labels"),
					  f->name, tok);
			goto cleanup;
		}
		/* skip duplicates */
		{
			char probe[128];
			snprintf(probe, sizeof probe, ",%s,", c->code);
			char *joined = malloc(used + 3);
			int dup;
			if (!joined) {
				rc = nomem(err);
				goto cleanup;
			}
			snprintf(joined, used + 3, ",%s,", res);
			dup = strstr(joined, probe) != NULL;
			free(joined);
			if (dup)
				continue;
		}
		used += (size_t)sprintf(res + used, "%s%s", used ? "," : "", c->code);
	}
	*out = res;
	res = NULL;
cleanup:
	free(work);
	free(res);
	return rc;
}

/* "NAME×QTY@YUAN" entries separated by ';', '；' or newlines; × may be x, X or *. */
static int parse_items(char **out, const struct fb_field *f, const char *input, struct fb_error *err)
{
	size_t cap = strlen(input) * 2 + 64, used = 0;
	char *res = malloc(cap), *work = strdup(input), *line, *save = NULL;
	int rc = 0;

	if (!res || !work) {
		rc = nomem(err);
		goto cleanup;
	}
	res[0] = '\0';
	for (char *p = work; *p; p++)
		if (!strncmp(p, "\xef\xbc\x9b", 3)) {
			p[0] = p[1] = p[2] = ';';
			p += 2;
		} else if (*p == '\n')
			*p = ';';
	for (line = strtok_r(work, ";", &save); line; line = strtok_r(NULL, ";", &save)) {
		char *name = line, *at, *mul = NULL, *q;
		int64_t qty = 1, fen = 0;
		char *clean = NULL;
		if (is_blank(line))
			continue;
		at = strrchr(line, '@');
		if (at) {
			*at = '\0';
			if ((rc = fb_parse_money(&fen, at + 1, 0, f->name, err)) < 0)
				goto cleanup;
		}
		/* the last ×, x, X or * followed by digits is the quantity */
		for (q = line; *q; q++) {
			if (!strncmp(q, "\xc3\x97", 2))
				mul = q;
			else if ((*q == 'x' || *q == 'X' || *q == '*') && q > line)
				mul = q;
		}
		if (mul) {
			char *num = mul + (!strncmp(mul, "\xc3\x97", 2) ? 2 : 1);
			struct fb_error e2;
			if (fb_parse_count(&qty, num, f->name, &e2) == 0)
				*mul = '\0';
			else
				qty = 1;
		}
		if ((rc = fb_validate_text(&clean, name, 0, 100, f->name, err)) < 0)
			goto cleanup;
		if (!*clean || strpbrk(clean, "@;")) {
			free(clean);
			rc = fb_error_set(err, FB_EINVAL, f->name,
					  _("%s: write each entry as NAME×QUANTITY@UNIT_YUAN, e.g. "
					    "礼包×300@25; separate entries with ';'"),
					  f->name);
			goto cleanup;
		}
		if (used + strlen(clean) + 64 > cap) {
			char *n2 = realloc(res, cap = cap * 2 + strlen(clean) + 64);
			if (!n2) {
				free(clean);
				rc = nomem(err);
				goto cleanup;
			}
			res = n2;
		}
		used += (size_t)snprintf(res + used, cap - used, "%s%s\xc3\x97%lld@%lld", used ? "; " : "",
					 clean, (long long)qty, (long long)fen);
		free(clean);
	}
	*out = res;
	res = NULL;
cleanup:
	free(res);
	free(work);
	return rc;
}

/* Record ids or prefixes: lowercase hex, 4-16 characters, comma or space separated. */
static int parse_refs(char **out, const struct fb_field *f, const char *input, int many,
		      struct fb_error *err)
{
	char *res = calloc(1, strlen(input) + 2), *work = strdup(input), *tok;
	size_t used = 0, count = 0;
	int rc = 0;

	if (!res || !work) {
		rc = nomem(err);
		goto cleanup;
	}
	for (tok = strtok(work, ", "); tok; tok = strtok(NULL, ", ")) {
		size_t len = strlen(tok), i;
		for (i = 0; i < len; i++)
			if (tok[i] >= 'A' && tok[i] <= 'F')
				tok[i] = (char)(tok[i] - 'A' + 'a');
		if (len < 4 || len > 16 || strspn(tok, "0123456789abcdef") != len) {
			rc = fb_error_set(err, FB_EINVAL, f->name,
					  _("%s: '%s' is not a record id; give the id (or its first "
					    "4+ characters) shown by `fieldbook list` or `search`"),
					  f->name, tok);
			goto cleanup;
		}
		if (++count > 1 && !many) {
			rc = fb_error_set(err, FB_EINVAL, f->name, _("%s: takes one record id, not several"),
					  f->name);
			goto cleanup;
		}
		used += (size_t)sprintf(res + used, "%s%s", used ? "," : "", tok);
	}
	*out = res;
	res = NULL;
cleanup:
	free(res);
	free(work);
	return rc;
}

int fb_value_parse(char **out, const struct fb_field *f, const char *input, const char *today,
		   struct fb_error *err)
{
	char buf[64];
	int64_t n;
	int rc;

	*out = NULL;
	if (!input || is_blank(input))
		return dup_out(out, "", err);
	switch (f->type) {
	case FB_T_TEXT:
		return fb_validate_text(out, input, 0, f->max_chars ? (size_t)f->max_chars : TEXT_MAX,
					f->name, err);
	case FB_T_MULTILINE:
		return fb_validate_text(out, input, 1,
					f->max_chars ? (size_t)f->max_chars : MULTILINE_MAX, f->name, err);
	case FB_T_NAME:
		return fb_validate_name(out, input, f->max_chars ? (size_t)f->max_chars : NAME_MAX_CHARS,
					f->name, err);
	case FB_T_DATE:
		if (!strcmp(input, "@today") || !strcmp(input, "today") || !strcmp(input, "今天"))
			return dup_out(out, today, err);
		if ((rc = fb_parse_date(buf, sizeof buf, input, f->name, err)) < 0)
			return rc;
		return dup_out(out, buf, err);
	case FB_T_MONEY:
		if ((rc = fb_parse_money(&n, input, 0, f->name, err)) < 0)
			return rc;
		snprintf(buf, sizeof buf, "%lld", (long long)n);
		return dup_out(out, buf, err);
	case FB_T_INTEGER:
	case FB_T_RATING:
		if ((rc = fb_parse_count(&n, input, f->name, err)) < 0)
			return rc;
		if (f->type == FB_T_RATING && (n < 1 || n > 5))
			return fb_error_set(err, FB_EINVAL, f->name, _("%s: give a rating from 1 to 5"),
					    f->name);
		snprintf(buf, sizeof buf, "%lld", (long long)n);
		return dup_out(out, buf, err);
	case FB_T_CHOICE: {
		const struct fb_choice *c = fb_choice_find(f, input);
		if (!c) {
			char list[600] = "";
			size_t used = 0;
			const struct fb_choice *it;
			for (it = f->choices; it && it->code && used + 80 < sizeof list; it++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s (%s)",
							 used ? ", " : "", it->code, fb_choice_label(it));
			return fb_error_set(err, FB_EINVAL, f->name,
					    _("%s: '%s' is not a choice; use one of: %s"), f->name, input,
					    list);
		}
		return dup_out(out, c->code, err);
	}
	case FB_T_MULTI:
		return parse_multi(out, f, input, err);
	case FB_T_BOOL: {
		static const char *const yes[] = {"1", "yes", "y", "true", "是", "有", "同意"};
		static const char *const no[] = {"0", "no", "n", "false", "否", "无", "不同意"};
		size_t i;
		for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
			if (!strcasecmp(input, yes[i]))
				return dup_out(out, "1", err);
		for (i = 0; i < sizeof no / sizeof no[0]; i++)
			if (!strcasecmp(input, no[i]))
				return dup_out(out, "0", err);
		return fb_error_set(err, FB_EINVAL, f->name, _("%s: answer yes or no (是/否)"), f->name);
	}
	case FB_T_REF:
	case FB_T_REFS:
		return parse_refs(out, f, input, f->type == FB_T_REFS, err);
	case FB_T_IDNUMBER:
		if ((rc = fb_normalize_code(buf, sizeof buf, input, f->name, err)) < 0)
			return rc;
		if (strlen(buf) < 4 || strspn(buf, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(buf))
			return fb_error_set(err, FB_EINVAL, f->name,
					    _("%s: an identity document number has 4 to 30 letters "
					      "and digits; check what was typed"),
					    f->name);
		return dup_out(out, buf, err);
	case FB_T_MOBILE:
		if ((rc = fb_validate_mobile(buf, sizeof buf, input, f->name, err)) < 0)
			return rc;
		return dup_out(out, buf, err);
	case FB_T_USCC:
		rc = fb_validate_uscc(buf, sizeof buf, input, f->name, err);
		if (rc == 0 || rc == FB_EWARN) {
			int r2 = dup_out(out, buf, err);
			return r2 < 0 ? r2 : rc;
		}
		return rc;
	case FB_T_ITEMS:
		return parse_items(out, f, input, err);
	}
	return fb_error_set(err, FB_EINVAL, f->name, "%s: unknown field type", f->name);
}

static char *join_labels(const struct fb_field *f, const char *stored)
{
	size_t cap = strlen(stored) * 8 + 64, used = 0;
	char *res = malloc(cap), *work = strdup(stored), *tok, *save = NULL;
	const char *sep = fb_lang_zh() ? "、" : ", ";

	if (!res || !work) {
		free(res);
		free(work);
		return NULL;
	}
	res[0] = '\0';
	for (tok = strtok_r(work, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct fb_choice *c = fb_choice_find(f, tok);
		const char *label = c ? fb_choice_label(c) : tok;
		size_t need = strlen(label) + strlen(sep) + 1;
		if (used + need >= cap) {
			char *n2 = realloc(res, cap = cap * 2 + need);
			if (!n2) {
				free(res);
				free(work);
				return NULL;
			}
			res = n2;
		}
		used += (size_t)snprintf(res + used, cap - used, "%s%s", used ? sep : "", label);
	}
	free(work);
	return res;
}

static char *display_items(const char *stored)
{
	size_t cap = strlen(stored) * 2 + 64, used = 0;
	char *res = malloc(cap), *work = strdup(stored), *tok, *save = NULL;

	if (!res || !work) {
		free(res);
		free(work);
		return NULL;
	}
	res[0] = '\0';
	for (tok = strtok_r(work, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		char *at = strrchr(tok, '@'), money[32];
		while (*tok == ' ')
			tok++;
		if (at) {
			*at = '\0';
			fb_format_money(money, sizeof money, strtoll(at + 1, NULL, 10));
		}
		if (used + strlen(tok) + 48 >= cap) {
			char *n2 = realloc(res, cap = cap * 2 + strlen(tok) + 48);
			if (!n2) {
				free(res);
				free(work);
				return NULL;
			}
			res = n2;
		}
		if (at && strcmp(money, "0.00"))
			used += (size_t)snprintf(res + used, cap - used, "%s%s @%s", used ? "; " : "", tok,
						 money);
		else
			used += (size_t)snprintf(res + used, cap - used, "%s%s", used ? "; " : "", tok);
	}
	free(work);
	return res;
}

/* A sealed value (crypto.h): opened and shown like its plain text when the key is
 * loaded, else a placeholder that says why it is hidden. */
static char *display_sealed(const struct fb_field *f, const char *stored, int show)
{
	char *plain = NULL, *res;
	struct fb_error e = {0};
	int rc = fb_crypto_open(&plain, fb_crypto_ring(), f->name, stored, &e);

	if (rc == 0) {
		res = fb_value_display(f, plain, show);
		fb_crypto_free_plain(plain);
		return res;
	}
	if (!fb_crypto_ring())
		return strdup(fb_unlock_required() ? _("(encrypted: locked)")
						   : _("(encrypted: this computer has no deployment key)"));
	return strdup(rc == FB_ENOTFOUND ? _("(encrypted with a key this computer does not have)")
					 : _("(encrypted value is damaged)"));
}

char *fb_value_display(const struct fb_field *f, const char *stored, int show)
{
	char buf[64];

	if (!stored)
		stored = "";
	if (!f || !*stored)
		return fb_text_sanitize(stored, 1);
	if ((f->flags & FB_F_SENSITIVE) && fb_crypto_is_sealed(stored))
		return display_sealed(f, stored, show);
	if (show != FB_SHOW_UNMASKED) {
		if (f->type == FB_T_IDNUMBER || (f->flags & FB_F_MASKED))
			return fb_mask_chars(stored, 3, 4);
		if (f->flags & FB_F_SENSITIVE) {
			snprintf(buf, sizeof buf, _("(hidden: %zu characters)"), fb_utf8_chars(stored));
			return strdup(buf);
		}
	}
	switch (f->type) {
	case FB_T_CHOICE: {
		const struct fb_choice *c = fb_choice_find(f, stored);
		return c ? strdup(fb_choice_label(c)) : fb_text_sanitize(stored, 0);
	}
	case FB_T_MULTI:
		return join_labels(f, stored);
	case FB_T_BOOL:
		return strdup(!strcmp(stored, "1") ? (fb_lang_zh() ? "是" : "yes")
						   : (fb_lang_zh() ? "否" : "no"));
	case FB_T_MONEY:
		fb_format_money(buf, sizeof buf, strtoll(stored, NULL, 10));
		return strdup(buf);
	case FB_T_ITEMS:
		return display_items(stored);
	default:
		return fb_text_sanitize(stored, f->type == FB_T_MULTILINE);
	}
}
