/* test_validate.c - unit tests of core/validate.c (tests layer).
 *
 * Every vector of the brief's validation rules is copied here, plus edge cases.  The ID
 * numbers and codes are made up for tests (valid by checksum only); never show them as
 * sample data in the UI.  "Today" is fixed so the tests never depend on the clock. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/error.h"
#include "fieldbook/validate.h"
#include "tap.h"

#define TODAY "2026-03-01"
#define EXTB "\xF0\xA0\x80\x80" /* U+20000 '𠀀', CJK Extension B */

static int has(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle) != NULL;
}

/* A failure: the expected code, a message starting "field: " and containing needle. */
static void fails(int rc, int want_rc, const struct fb_error *err, const char *field,
		  const char *needle, const char *what)
{
	char prefix[80];

	snprintf(prefix, sizeof prefix, "%s: ", field);
	TAP_OK(rc == want_rc && err->code == want_rc && strncmp(err->message, prefix,
								 strlen(prefix)) == 0 &&
		       strcmp(err->field, field) == 0 && has(err->message, needle),
	       "%s refused (rc %d): %s", what, rc, err->message);
}

/* ---- resident ID ------------------------------------------------------------------ */

static void id_ok(const char *in, const char *number, const char *birth, int male,
		  const char *what)
{
	struct fb_resident_id id;
	struct fb_error err;
	int rc;

	memset(&id, 0, sizeof id);
	fb_error_clear(&err);
	rc = fb_validate_resident_id(&id, in, TODAY, 16, "id_number", &err);
	TAP_OK(rc == 0, "ID %s valid (%s)", what, rc ? err.message : "ok");
	TAP_STREQ(id.number, number, "ID %s normalised", what);
	TAP_STREQ(id.birth_date, birth, "ID %s birth date", what);
	TAP_OK(id.male == male, "ID %s is %s", what, male ? "male" : "female");
}

static void id_bad(const char *in, const char *today, int min_age, const char *needle,
		   const char *what)
{
	struct fb_resident_id id;
	struct fb_error err;
	int rc;

	memset(&id, 0, sizeof id);
	fb_error_clear(&err);
	rc = fb_validate_resident_id(&id, in, today, min_age, "id_number", &err);
	fails(rc, FB_EINVAL, &err, "id_number", needle, what);
	TAP_OK(id.number[0] == '\0', "ID %s: output untouched on failure", what);
}

static void test_resident_id(void)
{
	struct fb_resident_id id;
	struct fb_error err;
	char up[19];
	int rc;

	/* Brief vectors. */
	id_ok("11010519491231002X", "11010519491231002X", "1949-12-31", 0, "standard sample");
	id_ok("440524188001010014", "440524188001010014", "1880-01-01", 1, "standard sample 1880");
	/* The brief labels 110101200001010010 "female", but its 17th digit is 1 (odd) and the
	 * brief's own rule (GB 11643: odd sequence = male) makes it male.  The rule wins. */
	id_ok("110101200001010010", "110101200001010010", "2000-01-01", 1,
	      "110101200001010010 (17th digit 1: male by the rule)");
	id_ok("11010120000101007X", "11010120000101007X", "2000-01-01", 1, "X check, male");
	id_ok("310115199503151235", "310115199503151235", "1995-03-15", 1, "Shanghai");
	id_ok("440305198802294562", "440305198802294562", "1988-02-29", 0, "leap day 1988-02-29");
	id_ok("810000199001010019", "810000199001010019", "1990-01-01", 1, "HK residence permit");
	id_ok("820000198506150022", "820000198506150022", "1985-06-15", 0,
	      "Macao residence permit");
	id_ok("830000200109110037", "830000200109110037", "2001-09-11", 1,
	      "Taiwan residence permit");
	id_bad("44030519890229456X", TODAY, 16, "not a real date", "1989-02-29 does not exist");
	id_bad("110101209912310015", TODAY, 16, "in the future", "birth date 2099 in the future");
	id_bad("110101200001010011", TODAY, 16, "check character should be 0, not 1",
	       "wrong check character");
	id_ok("11010120000101007x", "11010120000101007X", "2000-01-01", 1, "lower-case x");
	id_ok("１１０１０１２００００１０１００７Ｘ", "11010120000101007X", "2000-01-01", 1,
	      "full-width digits and X");
	id_ok("１１０１０１２００００１０１００７ｘ", "11010120000101007X", "2000-01-01", 1,
	      "full-width lower-case x");
	id_bad("110105491231002", TODAY, 16, "11010519491231002X",
	       "legacy 15-digit form gives its 18-digit form");
	id_bad("110105491231002", TODAY, 16, "old 15-digit form", "legacy message says so");
	rc = fb_upgrade_legacy_id(up, sizeof up, "110105491231002", "id_number", &err);
	TAP_OK(rc == 0, "upgrade legacy 110105491231002");
	TAP_STREQ(up, "11010519491231002X", "legacy upgrade result");

	/* Our edge cases. */
	id_ok(" 110105 19491231 002X ", "11010519491231002X", "1949-12-31", 0, "spaces stripped");
	id_ok("110105-19491231-002x", "11010519491231002X", "1949-12-31", 0, "dashes stripped");
	id_bad("", TODAY, 16, "is empty", "empty");
	id_bad(NULL, TODAY, 16, "is empty", "NULL input");
	id_bad("11010519491231002", TODAY, 16, "has 17 characters", "17 characters");
	id_bad("11010519491231002X1", TODAY, 16, "has 19 characters", "19 characters");
	id_bad("1101051949123100X2", TODAY, 16, "character 17", "X not at the end");
	id_bad("11010519491231002Y", TODAY, 16, "last character", "Y at the end");
	id_bad("1101051949123100张X", TODAY, 16, "character 17", "Chinese character inside");
	id_bad("11010519491231002\xFF", TODAY, 16, "last character", "invalid UTF-8 byte");
	id_bad("X11010519491231002", TODAY, 16, "character 1 is 'X'", "X first");
	id_bad("990101200001010014", TODAY, 16, "starts with 99", "region 99 invalid");
	id_bad("16010120000101001X", TODAY, 16, "not a province code", "region 16 invalid");
	id_bad("110101201501010011", TODAY, 16, "at least 16", "age 11 under 16");
	id_bad("110101201003020014", TODAY, 16, "makes the person 15", "16th birthday tomorrow");
	id_ok("110101201003010019", "110101201003010019", "2010-03-01", 1,
	      "16th birthday today is old enough");
	rc = fb_validate_resident_id(&id, "110101201501010011", TODAY, 0, "id_number", &err);
	TAP_OK(rc == 0 && id.male == 1 && id.region == 11, "min_age 0 skips the age rule");
	id_bad("110101202603020012", TODAY, 0, "in the future", "born tomorrow");
	rc = fb_validate_resident_id(&id, "110101202603010017", TODAY, 0, "id_number", &err);
	TAP_OK(rc == 0, "born today is not in the future (%s)", rc ? err.message : "ok");
	id_bad("110101190002290011", TODAY, 16, "not a real date", "1900-02-29 (1900 not leap)");
	id_bad("110101200013010018", TODAY, 16, "not a real date", "month 13");
	id_bad("110101200001000015", TODAY, 16, "not a real date", "day 00");
	id_bad("110101179901010012", TODAY, 16, "not a real date", "year 1799");
	id_bad("11010519491231002X", "2026-13-01", 16, "today's date", "bad today");
	id_bad("11010519491231002X", NULL, 16, "today's date", "NULL today");
	rc = fb_validate_resident_id(&id, "110105200002290013", TODAY, 16, "id_number", &err);
	TAP_OK(rc == 0 && strcmp(id.birth_date, "2000-02-29") == 0, "2000-02-29 valid (%s)",
	       rc ? err.message : "ok");
	rc = fb_validate_resident_id(NULL, "11010519491231002X", TODAY, 16, "id_number", NULL);
	TAP_OK(rc == 0, "NULL out and NULL err allowed");
	rc = fb_validate_resident_id(&id, "110101200001010011", TODAY, 16, NULL, NULL);
	TAP_OK(rc == FB_EINVAL, "NULL err still returns the code");
	id_bad("11010519491231002X11010519491231002X11010519491231002X11010519491231002X111",
	       TODAY, 16, "has 75 characters", "75 characters");
	id_bad("11010519491231002X11010519491231002X11010519491231002X11010519491231002X"
	       "11010519491231002X",
	       TODAY, 16, "too long", "far too long");

	rc = fb_upgrade_legacy_id(up, sizeof up, "11010549123100", "id_number", &err);
	fails(rc, FB_EINVAL, &err, "id_number", "15 digits", "upgrade of 14 digits");
	rc = fb_upgrade_legacy_id(up, sizeof up, "11010549123100X", "id_number", &err);
	fails(rc, FB_EINVAL, &err, "id_number", "15 digits", "upgrade with a letter");
	rc = fb_upgrade_legacy_id(up, 18, "110105491231002", "id_number", &err);
	TAP_OK(rc == FB_EINVAL, "upgrade refuses a too small buffer");
}

/* ---- USCC ------------------------------------------------------------------------------ */

static void uscc_is(const char *in, int want_rc, const char *want_out, const char *needle,
		    const char *what)
{
	char out[19] = "";
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_uscc(out, sizeof out, in, "employer_uscc", &err);
	if (want_rc == 0)
		TAP_OK(rc == 0, "USCC %s valid (%s)", what, rc ? err.message : "ok");
	else
		fails(rc, want_rc, &err, "employer_uscc", needle, what);
	if (want_out)
		TAP_STREQ(out, want_out, "USCC %s output", what);
}

static void test_uscc(void)
{
	char small[18];
	int rc;

	uscc_is("91350100M000100Y43", 0, "91350100M000100Y43", NULL, "91350100M000100Y43");
	uscc_is("81110101123456788A", 0, "81110101123456788A", NULL, "union code 81...8A");
	uscc_is("91440300MA00000152", 0, "91440300MA00000152", NULL, "91440300MA00000152");
	uscc_is("811101010000000190", 0, "811101010000000190", NULL, "31 -> 0 case");
	uscc_is("91350100M000100Y4Z", FB_EWARN, "91350100M000100Y4Z",
		"check character should be 3, not Z", "bad checksum is a warning");
	uscc_is("91350100M000100Y4Z", FB_EWARN, NULL, "--override employer_uscc=REASON",
		"warning says how to override");
	uscc_is("9135010OM000100Y43", FB_EINVAL, "", "character 8 is 'O'", "letter O refused");
	uscc_is("81110101123456788a", 0, "81110101123456788A", NULL, "lower case upper-cased");

	uscc_is("９１３５０１００Ｍ０００１００Ｙ４３", 0, "91350100M000100Y43", NULL, "full-width");
	uscc_is("9135 0100 M000 100Y 43", 0, "91350100M000100Y43", NULL, "spaces stripped");
	uscc_is("", FB_EINVAL, "", "is empty", "empty");
	uscc_is("91350100M000100Y4", FB_EINVAL, "", "has 17 characters", "17 characters");
	uscc_is("91350100M000100Y433", FB_EINVAL, "", "has 19 characters", "19 characters");
	uscc_is("91350100I000100Y43", FB_EINVAL, "", "character 9 is 'I'", "letter I refused");
	uscc_is("91350100M000100Y4S", FB_EWARN, "91350100M000100Y4S",
		"never appears", "S as check char: checksum warning saying S is never used");
	uscc_is("91350100M000100Y4-", FB_EINVAL, "", "has 17 characters", "dash is stripped");
	uscc_is("91350100M000100Y4*", FB_EINVAL, "", "character 18 is '*'", "'*' as check char");
	uscc_is("91350100M000100Y4Z", FB_EWARN, NULL, "Z never appears",
		"Z as check char: checksum warning saying Z is never used");
	uscc_is("91350100M000100Y4\xFF", FB_EINVAL, "", "character 18 is a byte that is not UTF-8",
		"invalid byte");
	uscc_is("91350100M000100Y4中", FB_EINVAL, "", "character 18 is '中'", "Chinese char");
	rc = fb_validate_uscc(small, sizeof small, "91350100M000100Y43", "employer_uscc", NULL);
	TAP_OK(rc == FB_EINVAL, "USCC refuses a too small buffer");
}

/* ---- mobile ------------------------------------------------------------------------------ */

static void mobile_is(const char *in, const char *want, const char *needle, const char *what)
{
	char out[12] = "";
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_mobile(out, sizeof out, in, "mobile", &err);
	if (want) {
		TAP_OK(rc == 0, "mobile %s valid (%s)", what, rc ? err.message : "ok");
		TAP_STREQ(out, want, "mobile %s normalised", what);
	} else {
		fails(rc, FB_EINVAL, &err, "mobile", needle, what);
		TAP_OK(out[0] == '\0', "mobile %s: output untouched", what);
	}
}

static void test_mobile(void)
{
	mobile_is("139 1234 5678", "13912345678", NULL, "with spaces");
	mobile_is("+86 139-1234-5678", "13912345678", NULL, "+86 and dashes");
	mobile_is("008613912345678", "13912345678", NULL, "0086 prefix");
	mobile_is("１３９１２３４５６７８", "13912345678", NULL, "full-width digits");
	mobile_is("12012345678", NULL, "start with 13 to 19", "12... refused");
	mobile_is("1391234567", NULL, "has 10 digits", "10 digits refused");
	mobile_is("139123456789", NULL, "has 12 digits", "12 digits refused");

	mobile_is("13912345678", "13912345678", NULL, "bare");
	mobile_is("8613912345678", "13912345678", NULL, "86 prefix");
	mobile_is("(+86) 139 1234 5678", "13912345678", NULL, "parentheses");
	mobile_is("（＋８６）１３９－１２３４－５６７８", "13912345678", NULL,
		  "full-width parentheses, plus and dash");
	mobile_is("19912345678", "19912345678", NULL, "199 valid");
	mobile_is("", NULL, "is empty", "empty");
	mobile_is("   ", NULL, "is empty", "only spaces");
	mobile_is("+852 9123 4567", NULL, "mainland", "Hong Kong +852 refused");
	mobile_is("139l2345678", NULL, "'L' is not a digit", "letter l refused");
	mobile_is("23912345678", NULL, "start with 13 to 19", "starts with 2");
	mobile_is("10012345678", NULL, "start with 13 to 19", "starts with 10");
	mobile_is("1391234567\xFF", NULL, "not a digit", "invalid byte");
	mobile_is("13912345678\n", NULL, "not a digit", "newline");
}

/* ---- names and text --------------------------------------------------------------------- */

static void name_ok(const char *in, size_t max, const char *want, const char *what)
{
	char *out = NULL;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_name(&out, in, max, "name", &err);
	TAP_OK(rc == 0, "name %s valid (%s)", what, rc ? err.message : "ok");
	TAP_STREQ(out, want, "name %s result", what);
	free(out);
}

static void name_bad(const char *in, size_t max, const char *needle, const char *what)
{
	char *out = NULL;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_name(&out, in, max, "name", &err);
	fails(rc, FB_EINVAL, &err, "name", needle, what);
	TAP_OK(out == NULL, "name %s: no output on failure", what);
}

static void text_ok(const char *in, int multi, size_t max, const char *want, const char *what)
{
	char *out = NULL;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_text(&out, in, multi, max, "summary", &err);
	TAP_OK(rc == 0, "text %s valid (%s)", what, rc ? err.message : "ok");
	TAP_STREQ(out, want, "text %s result", what);
	free(out);
}

static void text_bad(const char *in, int multi, size_t max, const char *needle,
		     const char *what)
{
	char *out = NULL;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_validate_text(&out, in, multi, max, "summary", &err);
	fails(rc, FB_EINVAL, &err, "summary", needle, what);
	TAP_OK(out == NULL, "text %s: no output on failure", what);
}

static void test_names(void)
{
	char fifty[256] = "", fifty1[256];
	int i;

	name_ok("张三", 50, "张三", "plain");
	name_ok("  张三\xE3\x80\x80 ", 50, "张三", "trims ASCII and ideographic spaces");
	name_ok("阿依古丽·买买提", 50, "阿依古丽·买买提", "U+00B7 separator kept");
	name_ok("阿依古丽•买买提", 50, "阿依古丽·买买提", "U+2022 bullet mapped");
	name_ok("阿依古丽・买买提", 50, "阿依古丽·买买提", "U+30FB katakana dot mapped");
	name_ok("阿依古丽･买买提", 50, "阿依古丽·买买提", "U+FF65 half-width dot mapped");
	name_ok("阿依古丽∙买买提", 50, "阿依古丽·买买提", "U+2219 bullet operator mapped");
	name_ok("阿依古丽⋅买买提", 50, "阿依古丽·买买提", "U+22C5 dot operator mapped");
	name_ok("王" EXTB, 50, "王" EXTB, "Ext-B character survives");
	name_ok("Zhang San", 50, "Zhang San", "Latin name with inner space");
	name_bad("", 50, "is empty", "empty");
	name_bad(NULL, 50, "is empty", "NULL");
	name_bad(" \t\xE3\x80\x80", 50, "is empty", "only blanks");
	name_bad("张\n三", 50, "line break", "inner newline");
	name_bad("张\x01三", 50, "U+0001", "control character");
	name_bad("张\x7f三", 50, "U+007F", "DEL");
	name_bad("张\xC2\x85三", 50, "U+0085", "C1 control NEL");
	name_bad("张\xE2\x80\xAE三", 50, "U+202E", "bidi U+202E refused");
	name_bad("张\xE2\x81\xA6三", 50, "text-direction", "bidi isolate U+2066 refused");
	name_bad("张\xFF三", 50, "not valid UTF-8", "invalid byte");
	name_bad("张\xC0\xAF", 50, "not valid UTF-8", "overlong encoding");
	name_bad("张\xED\xA0\x80", 50, "not valid UTF-8", "surrogate");

	for (i = 0; i < 50; i++)
		strcat(fifty, i % 2 ? "张" : EXTB);
	name_ok(fifty, 50, fifty, "50 characters (half Ext-B) allowed");
	strcpy(fifty1, fifty);
	strcat(fifty1, "李");
	name_bad(fifty1, 50, "has 51 characters, but at most 50", "51 characters refused");
	name_bad(fifty1, 0, "at most 50", "max 0 means the default 50");
	name_ok("  张三  ", 2, "张三", "limit counts after trimming");

	text_ok("  wage arrears  ", 0, 0, "wage arrears", "trimmed single line");
	text_ok("", 0, 0, "", "empty text accepted");
	text_ok("line1\nline2\tx", 1, 0, "line1\nline2\tx", "multiline keeps \\n and \\t");
	text_ok("a\r\nb\rc\n\n", 1, 0, "a\nb\nc", "CR LF normalised, trailing newlines trimmed");
	text_ok("欠薪" EXTB, 0, 3, "欠薪" EXTB, "3 characters within 3");
	text_bad("line1\nline2", 0, 0, "single line", "\\n refused unless multiline");
	text_bad("a\r\nb", 0, 0, "line break", "CR refused in single line");
	text_bad("a\tb", 0, 0, "U+0009", "tab refused in single line");
	text_bad("a\xE2\x80\xAE" "b", 1, 0, "U+202E", "bidi refused even multiline");
	text_bad("a\x1b[2Jb", 1, 0, "U+001B", "escape refused even multiline");
	text_bad("abcd", 0, 3, "has 4 characters", "too long");
	text_bad("ab\xE4\xB8", 0, 0, "character 3", "truncated UTF-8");
}

/* ---- money ------------------------------------------------------------------------------ */

static void money_ok(const char *in, int neg, int64_t want, const char *what)
{
	int64_t fen = -12345;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_parse_money(&fen, in, neg, "amount", &err);
	TAP_OK(rc == 0 && fen == want, "money %s = %lld fen (got rc %d, %lld; %s)", what,
	       (long long)want, rc, (long long)fen, rc ? err.message : "ok");
}

static void money_bad(const char *in, int neg, const char *needle, const char *what)
{
	int64_t fen = -12345;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_parse_money(&fen, in, neg, "amount", &err);
	fails(rc, FB_EINVAL, &err, "amount", needle, what);
	TAP_OK(fen == -12345, "money %s: output untouched", what);
}

static void test_money(void)
{
	char buf[24];

	money_ok("7000", 0, 700000, "7000");
	money_ok("7000.50", 0, 700050, "7000.50");
	money_ok("7000.5", 0, 700050, "7000.5");
	money_ok("7,000.5", 0, 700050, "7,000.5");
	money_ok("¥960,000", 0, 96000000, "¥960,000");
	money_ok("￥960,000", 0, 96000000, "full-width yen");
	money_ok("¥ 7000", 0, 700000, "yen then space");
	money_ok("７０００．５０", 0, 700050, "full-width digits and point");
	money_ok("7000元", 0, 700000, "yuan suffix");
	money_ok(" 0 ", 0, 0, "zero with blanks");
	money_ok("0.01", 0, 1, "one fen");
	money_ok(".5", 0, 50, ".5");
	money_ok("1,234,567.89", 0, 123456789, "two groups");
	money_ok("-5", 1, -500, "-5 allowed");
	money_ok("-¥5.5", 1, -550, "-¥5.5 allowed");
	money_ok("¥-5", 1, -500, "¥-5 allowed");
	money_ok("-0", 0, 0, "-0 is zero, not negative");
	money_ok("+12", 0, 1200, "plus sign");
	money_ok("92233720368547758.07", 0, INT64_MAX, "INT64_MAX fen");
	money_bad("0.001", 0, "more than 2 decimal places", "0.001 refused");
	money_bad("7000.500", 0, "more than 2 decimal places", "3 decimals refused");
	money_bad("-5", 0, "must not be negative", "-5 refused");
	money_bad("92233720368547758.08", 0, "too large", "INT64_MAX + 1 fen refused");
	money_bad("99999999999999999999999", 0, "too large", "huge refused");
	money_bad("", 0, "is empty", "empty");
	money_bad(NULL, 0, "is empty", "NULL");
	money_bad("¥", 0, "not an amount", "currency sign only");
	money_bad("7,00", 0, "groups of three", "European decimal comma refused");
	money_bad("70,00.5", 0, "groups of three", "bad grouping refused");
	money_bad("7000,", 0, "groups of three", "trailing comma refused");
	money_bad(",700", 0, "groups of three", "leading comma refused");
	money_bad("7000.", 0, "decimal point", "nothing after the point");
	money_bad("7 000", 0, "not an amount", "inner space refused");
	money_bad("7e3", 0, "not an amount", "exponent refused");
	money_bad("seven", 0, "not an amount", "letters refused");
	money_bad("7000$", 0, "not an amount", "dollar sign refused");
	money_bad("--5", 1, "not an amount", "double minus");
	money_bad("5万", 0, "character 2 ('万')", "wan unit not supported");
	money_bad("5\xFF", 0, "character 2", "invalid byte");

	fb_format_money(buf, sizeof buf, 700000);
	TAP_STREQ(buf, "7000.00", "format 700000 fen");
	fb_format_money(buf, sizeof buf, 700050);
	TAP_STREQ(buf, "7000.50", "format 700050 fen");
	fb_format_money(buf, sizeof buf, 5);
	TAP_STREQ(buf, "0.05", "format 5 fen");
	fb_format_money(buf, sizeof buf, -550);
	TAP_STREQ(buf, "-5.50", "format -550 fen");
	fb_format_money(buf, sizeof buf, INT64_MIN);
	TAP_STREQ(buf, "-92233720368547758.08", "format INT64_MIN fen");
	fb_format_money(buf, sizeof buf, INT64_MAX);
	TAP_STREQ(buf, "92233720368547758.07", "format INT64_MAX fen");
}

/* ---- dates and counts --------------------------------------------------------------------- */

static void date_is(const char *in, const char *want, const char *needle, const char *what)
{
	char out[11] = "";
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_parse_date(out, sizeof out, in, "date", &err);
	if (want) {
		TAP_OK(rc == 0, "date %s valid (%s)", what, rc ? err.message : "ok");
		TAP_STREQ(out, want, "date %s normalised", what);
	} else {
		fails(rc, FB_EINVAL, &err, "date", needle, what);
	}
}

static void count_is(const char *in, int64_t want, const char *needle, const char *what)
{
	int64_t v = -1;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_parse_count(&v, in, "headcount", &err);
	if (!needle)
		TAP_OK(rc == 0 && v == want, "count %s = %lld (got %lld; %s)", what,
		       (long long)want, (long long)v, rc ? err.message : "ok");
	else
		fails(rc, FB_EINVAL, &err, "headcount", needle, what);
}

static void test_dates(void)
{
	date_is("2026-03-05", "2026-03-05", NULL, "ISO");
	date_is("2026/3/5", "2026-03-05", NULL, "slashes, one-digit month and day");
	date_is("2026.03.05", "2026-03-05", NULL, "dots");
	date_is("20260305", "2026-03-05", NULL, "compact");
	date_is("2026年3月5日", "2026-03-05", NULL, "Chinese");
	date_is("2026年03月05日", "2026-03-05", NULL, "Chinese, two digits");
	date_is("2026年3月5号", "2026-03-05", NULL, "Chinese with 号");
	date_is("２０２６年３月５日", "2026-03-05", NULL, "Chinese, full-width digits");
	date_is("２０２６－０３－０５", "2026-03-05", NULL, "full-width ISO");
	date_is(" 2026-03-05 ", "2026-03-05", NULL, "surrounding blanks");
	date_is("2024-02-29", "2024-02-29", NULL, "leap day 2024");
	date_is("2000-02-29", "2000-02-29", NULL, "2000 is a leap year");
	date_is("1900-01-01", "1900-01-01", NULL, "first year");
	date_is("2099-12-31", "2099-12-31", NULL, "last day");
	date_is("2026-02-30", NULL, "is not a real date", "2026-02-30 refused");
	date_is("2026-02-29", NULL, "has 28 days", "2026-02-29 refused");
	date_is("1900-02-29", NULL, "not a real date", "1900 is not a leap year");
	date_is("2100-02-29", NULL, "out of range", "2100 out of range");
	date_is("1899-12-31", NULL, "out of range", "1899 out of range");
	date_is("2026-13-01", NULL, "month 13", "month 13");
	date_is("2026-00-10", NULL, "month 0", "month 0");
	date_is("2026-04-31", NULL, "has 30 days", "April 31");
	date_is("2026-03-00", NULL, "day 0 does not exist", "day 0");
	date_is("2026-03/05", NULL, "YYYY-MM-DD", "mixed separators");
	date_is("26-03-05", NULL, "YYYY-MM-DD", "two-digit year");
	date_is("2026-3-5x", NULL, "YYYY-MM-DD", "trailing garbage");
	date_is("2026-003-05", NULL, "YYYY-MM-DD", "three-digit month");
	date_is("", NULL, "is not a date", "empty");
	date_is("2026-03-05T10:00", NULL, "YYYY-MM-DD", "timestamp is not a date");
	date_is("2026-03-0\xFF", NULL, "YYYY-MM-DD", "invalid byte");

	TAP_OK(fb_date_is_real(2024, 2, 29) && !fb_date_is_real(2023, 2, 29), "2024 leap, 2023 not");
	TAP_OK(!fb_date_is_real(1900, 2, 29) && !fb_date_is_real(2100, 2, 29) &&
		       fb_date_is_real(2000, 2, 29),
	       "century rule: 1900 and 2100 not leap, 2000 leap");
	TAP_OK(!fb_date_is_real(2026, 0, 1) && !fb_date_is_real(2026, 1, 32), "month 0, day 32");
	TAP_OK(fb_age_on("2010-03-01", "2026-03-01") == 16, "age 16 on the birthday");
	TAP_OK(fb_age_on("2010-03-02", "2026-03-01") == 15, "age 15 the day before");
	TAP_OK(fb_age_on("2008-02-29", "2025-02-28") == 16, "leap-day birth: 16 on Feb 28");
	TAP_OK(fb_age_on("2008-02-29", "2025-03-01") == 17, "leap-day birth: 17 on Mar 1");
	TAP_OK(fb_age_on("2026-03-01", "2026-03-01") == 0, "age 0 on the day of birth");

	count_is("300", 300, NULL, "300");
	count_is("1,200", 1200, NULL, "1,200");
	count_is("３００", 300, NULL, "full-width");
	count_is(" 0 ", 0, NULL, "zero");
	count_is("9223372036854775807", INT64_MAX, NULL, "INT64_MAX");
	count_is("9223372036854775808", 0, "too large", "overflow");
	count_is("-3", 0, "must not be negative", "negative");
	count_is("3.5", 0, "whole number", "decimal");
	count_is("12,00", 0, "groups of three", "bad grouping");
	count_is("", 0, "is empty", "empty");
	count_is("abc", 0, "not a number", "letters");
	count_is("3个", 0, "character 2", "Chinese measure word");
	count_is("3 00", 0, "not a number", "inner space");
}

static void test_normalize(void)
{
	char out[32];
	struct fb_error err;
	int rc;

	rc = fb_normalize_code(out, sizeof out, "ａｂ－１ ２\xE3\x80\x80x", "code", &err);
	TAP_OK(rc == 0, "normalize full-width mixed");
	TAP_STREQ(out, "AB12X", "normalize maps width, drops spaces and dashes, upper-cases");
	rc = fb_normalize_code(out, sizeof out, "中a\xFF", "code", &err);
	TAP_STREQ(out, "中A\xEF\xBF\xBD", "normalize keeps other characters, invalid byte -> U+FFFD");
	rc = fb_normalize_code(out, 4, "abcd", "code", &err);
	fails(rc, FB_EINVAL, &err, "code", "too long", "normalize result too long");
	rc = fb_normalize_code(out, 4, "abc", "code", &err);
	TAP_OK(rc == 0 && strcmp(out, "ABC") == 0, "normalize fits exactly in cap-1");
}

int main(void)
{
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		printf("Bail out! the C.UTF-8 locale is missing\n");
		return 1;
	}
	test_resident_id();
	test_uscc();
	test_mobile();
	test_names();
	test_money();
	test_dates();
	test_normalize();
	return tap_done();
}
