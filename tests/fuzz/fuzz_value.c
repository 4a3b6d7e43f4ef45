/* fuzz_value.c - libFuzzer target for every value parser of validate.h and text.h
 * (tests layer).
 *
 * The input, as a NUL-terminated copy, goes through each function; invariants are
 * checked with abort() so libFuzzer reports them: decoding covers every byte with
 * well-formed code points, successful outputs are valid UTF-8 of the promised shape,
 * normalising twice changes nothing, fb_text_fit never exceeds max_cols (and pads to it
 * exactly), masks keep the character count, money formats and parses back, and every
 * failure carries its code and a message naming the field. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/error.h"
#include "fieldbook/text.h"
#include "fieldbook/validate.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz_value: invariant failed at line %d: %s\n",     \
				__LINE__, #cond);                                          \
			abort();                                                           \
		}                                                                          \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "fuzz_value: the C.UTF-8 locale is missing\n");
		abort();
	}
	return 0;
}

static int is_valid(const char *s)
{
	return fb_utf8_valid(s, strlen(s));
}

/* A failure must carry its code, the field and a non-empty valid UTF-8 message that
 * starts with "field: ". */
static void check_failure(int rc, const struct fb_error *err, const char *field)
{
	size_t n = strlen(field);

	CHECK(rc < 0);
	CHECK(err->code == rc);
	CHECK(strcmp(err->field, field) == 0);
	CHECK(strncmp(err->message, field, n) == 0 && err->message[n] == ':');
	CHECK(is_valid(err->message));
}

static int no_controls(const char *s, int allow_newlines)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		i += fb_utf8_decode(s + i, len - i, &cp);
		if (fb_cp_is_control(cp) && !(allow_newlines && (cp == '\n' || cp == '\t')))
			return 0;
	}
	return 1;
}

static void fuzz_text(const char *s, const uint8_t *data, size_t size)
{
	size_t len = strlen(s), i = 0, chars = 0, n;
	uint32_t cp;
	char enc[4], fit[512];
	char *t;
	int max, cols;

	while (i < len) {
		n = fb_utf8_decode(s + i, len - i, &cp);
		CHECK(n >= 1 && n <= 4 && i + n <= len);
		CHECK(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
		CHECK(fb_cp_cols(cp) >= 0 && fb_cp_cols(cp) <= 2);
		if (cp != FB_REPLACEMENT || n == 3) /* a real character re-encodes to itself */
			CHECK(fb_utf8_encode(cp, enc) == n && memcmp(enc, s + i, n) == 0);
		i += n;
		chars++;
	}
	CHECK(chars == fb_utf8_chars(s));
	CHECK(fb_text_cols(s) >= 0);

	for (max = 0; max <= 12; max += 3) {
		cols = fb_text_fit(fit, sizeof fit, s, max, 0);
		CHECK(cols <= max && cols == fb_text_cols(fit) && is_valid(fit));
		CHECK(no_controls(fit, 0));
		cols = fb_text_fit(fit, sizeof fit, s, max, 1);
		CHECK(cols == max && fb_text_cols(fit) == max && is_valid(fit));
	}
	/* A cap too small for the width: still terminated, never over max_cols. */
	cols = fb_text_fit(fit, size % 16 + 1, s, 40, (int)(size & 1));
	CHECK(strlen(fit) < size % 16 + 1 && cols <= 40 && cols == fb_text_cols(fit));
	CHECK(is_valid(fit));

	t = fb_text_sanitize(s, 0);
	CHECK(t && is_valid(t) && fb_utf8_chars(t) == chars && no_controls(t, 0));
	free(t);
	t = fb_text_sanitize(s, 1);
	CHECK(t && is_valid(t) && fb_utf8_chars(t) <= chars && no_controls(t, 1));
	free(t);
	t = fb_mask_chars(s, size > 0 ? data[0] % 5 : 3, size > 1 ? data[1] % 5 : 4);
	CHECK(t && is_valid(t) && fb_utf8_chars(t) == chars);
	free(t);
}

static void fuzz_codes(const char *s)
{
	struct fb_error err;
	struct fb_resident_id id, id2;
	char out[64], out2[64], up[19];
	int rc;

	rc = fb_normalize_code(out, sizeof out, s, "code", &err);
	if (rc == 0) {
		CHECK(is_valid(out) && !strchr(out, ' ') && !strchr(out, '-'));
		CHECK(fb_normalize_code(out2, sizeof out2, out, "code", &err) == 0);
		CHECK(strcmp(out, out2) == 0);
	} else {
		check_failure(rc, &err, "code");
	}

	memset(&id, 0, sizeof id);
	rc = fb_validate_resident_id(&id, s, "2026-03-01", 16, "id_number", &err);
	if (rc == 0) {
		CHECK(strlen(id.number) == 18 && strlen(id.birth_date) == 10);
		CHECK(strcmp(id.birth_date, "2026-03-01") <= 0 && id.male == (id.number[16] - '0') % 2);
		CHECK(fb_age_on(id.birth_date, "2026-03-01") >= 16);
		CHECK(fb_validate_resident_id(&id2, id.number, "2026-03-01", 16, "id_number", &err) ==
		      0);
		CHECK(strcmp(id.number, id2.number) == 0 && strcmp(id.birth_date, id2.birth_date) == 0 &&
		      id.male == id2.male && id.region == id2.region);
	} else {
		check_failure(rc, &err, "id_number");
		CHECK(rc == FB_EINVAL && id.number[0] == '\0');
	}
	rc = fb_upgrade_legacy_id(up, sizeof up, s, "id_number", &err);
	if (rc == 0)
		CHECK(strlen(up) == 18 && memcmp(up + 6, "19", 2) == 0);
	else
		check_failure(rc, &err, "id_number");

	rc = fb_validate_uscc(out, sizeof out, s, "employer_uscc", &err);
	if (rc == 0 || rc == FB_EWARN) {
		CHECK(strlen(out) == 18 && is_valid(out));
		CHECK(fb_validate_uscc(out2, sizeof out2, out, "employer_uscc", NULL) == rc);
		CHECK(strcmp(out, out2) == 0);
	}
	if (rc != 0)
		check_failure(rc, &err, "employer_uscc");

	rc = fb_validate_mobile(out, sizeof out, s, "mobile", &err);
	if (rc == 0) {
		CHECK(strlen(out) == 11 && out[0] == '1' && out[1] >= '3' && out[1] <= '9');
		CHECK(strspn(out, "0123456789") == 11);
	} else {
		check_failure(rc, &err, "mobile");
	}
}

static void fuzz_words(const char *s)
{
	struct fb_error err;
	char *out = NULL, *again = NULL;
	int rc, multi;

	rc = fb_validate_name(&out, s, 50, "name", &err);
	if (rc == 0) {
		CHECK(out && *out && is_valid(out) && fb_utf8_chars(out) <= 50 && no_controls(out, 0));
		CHECK(fb_validate_name(&again, out, 50, "name", &err) == 0 && strcmp(out, again) == 0);
		free(again);
		again = NULL;
	} else {
		check_failure(rc, &err, "name");
		CHECK(out == NULL);
	}
	free(out);
	out = NULL;

	for (multi = 0; multi <= 1; multi++) {
		rc = fb_validate_text(&out, s, multi, 200, "summary", &err);
		if (rc == 0) {
			CHECK(out && is_valid(out) && fb_utf8_chars(out) <= 200 &&
			      no_controls(out, multi) && !strchr(out, '\r'));
			CHECK(fb_validate_text(&again, out, multi, 200, "summary", &err) == 0 &&
			      strcmp(out, again) == 0);
			free(again);
			again = NULL;
		} else {
			check_failure(rc, &err, "summary");
			CHECK(out == NULL);
		}
		free(out);
		out = NULL;
	}
}

static void fuzz_numbers(const char *s)
{
	struct fb_error err;
	char out[32], again[32];
	int64_t fen, fen2, count;
	int rc, neg;

	for (neg = 0; neg <= 1; neg++) {
		rc = fb_parse_money(&fen, s, neg, "amount", &err);
		if (rc == 0) {
			CHECK(neg || fen >= 0);
			fb_format_money(out, sizeof out, fen);
			CHECK(fb_parse_money(&fen2, out, 1, "amount", &err) == 0 && fen2 == fen);
		} else {
			check_failure(rc, &err, "amount");
		}
	}
	rc = fb_parse_count(&count, s, "headcount", &err);
	if (rc == 0)
		CHECK(count >= 0);
	else
		check_failure(rc, &err, "headcount");

	rc = fb_parse_date(out, sizeof out, s, "date", &err);
	if (rc == 0) {
		CHECK(strlen(out) == 10 && out[4] == '-' && out[7] == '-');
		CHECK(fb_parse_date(again, sizeof again, out, "date", &err) == 0);
		CHECK(strcmp(out, again) == 0);
	} else {
		check_failure(rc, &err, "date");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_text(s, data, size);
	fuzz_codes(s);
	fuzz_words(s);
	fuzz_numbers(s);
	free(s);
	return 0;
}
