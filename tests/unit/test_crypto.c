/* test_crypto.c - sealed values, lookup tags, key ids (core/crypto.c), and sealing in a
 * real store: ops, the database file and search carry no plaintext (tests layer). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/audit.h"
#include "fieldbook/crypto.h"
#include "fieldbook/role.h"
#include "fieldbook/unlock.h"
#include "fieldbook/value.h"
#include "storetest.h"

static const char *ID = "11010519491231002X";

static void test_seal_open(void)
{
	struct fb_keyring r1 = {0}, r2 = {0};
	struct fb_error err = {0};
	char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *p = NULL, id[FB_KEYID_LEN + 1], tag[FB_TAG_HEX + 1];

	TAP_OK(fb_keyring_add_new(&r1, &err) == 0 && r1.n == 1, "a new key ring");
	TAP_OK(fb_keyring_add_new(&r2, &err) == 0, "a second, unrelated key ring");
	TAP_OK(fb_crypto_seal(&a, &r1, "0123456789abcdef", "id_number", ID, 1, &err) == 0, "seal an ID number");
	TAP_OK(a && fb_crypto_is_sealed(a) && !strstr(a, ID) && !strstr(a, "110105"), "sealed text: %s", a ? a : "");
	fb_keyring_id(id, &r1, 0);
	TAP_OK(a && !strncmp(a + 5, id, FB_KEYID_LEN), "it names the key id %s", id);
	TAP_OK(fb_crypto_seal(&b, &r1, "0123456789abcdef", "id_number", ID, 1, &err) == 0 && !strcmp(a, b),
	       "same record, field and value: same sealed text (no false conflicts)");
	TAP_OK(fb_crypto_seal(&c, &r1, "fedcba9876543210", "id_number", ID, 1, &err) == 0 && strcmp(a, c),
	       "another record: another sealed text");
	TAP_OK(fb_crypto_sealed_tag(a) && fb_crypto_sealed_tag(c) &&
		       !strcmp(fb_crypto_sealed_tag(a), fb_crypto_sealed_tag(c)),
	       "but the same lookup tag (duplicate detection)");
	TAP_OK(fb_crypto_tag(tag, &r1, ID) == 0 && !strcmp(tag, fb_crypto_sealed_tag(a)),
	       "the tag can be computed from the number with the key");
	TAP_OK(fb_crypto_open(&p, &r1, "id_number", a, &err) == 0 && p && !strcmp(p, ID), "opens back");
	fb_crypto_free_plain(p);
	p = NULL;
	TAP_OK(fb_crypto_open(&p, &r1, "summary", a, &err) == FB_ECORRUPT && !p,
	       "moved to another field it does not open");
	TAP_OK(fb_crypto_open(&p, &r2, "id_number", a, &err) == FB_ENOTFOUND && !p && strstr(err.message, id),
	       "another deployment's key: 'encrypted with key ...': %s", err.message);
	TAP_OK(fb_crypto_open(&p, NULL, "id_number", a, &err) == FB_ENOTFOUND && !p, "no key: not opened");
	a[strlen(a) - 40] ^= 1;
	TAP_OK(fb_crypto_open(&p, &r1, "id_number", a, &err) < 0 && !p, "a flipped character: refused");
	TAP_OK(fb_crypto_seal(&d, &r1, "0123456789abcdef", "summary", "工资拖欠三个月", 0, &err) == 0 &&
		       !fb_crypto_sealed_tag(d),
	       "text without a tag");
	TAP_OK(fb_crypto_open(&p, &r1, "summary", d, &err) == 0 && !strcmp(p, "工资拖欠三个月"),
	       "Chinese text opens back");
	fb_crypto_free_plain(p);
	/* rotation: a new key in front; old values still open, the tag stays */
	{
		struct fb_keyring rot = r1;
		char *e = NULL, t2[FB_TAG_HEX + 1];
		p = NULL;
		TAP_OK(fb_keyring_add_new(&rot, &err) == 0 && rot.n == 2, "rotation adds a key");
		TAP_OK(fb_crypto_open(&p, &rot, "summary", d, &err) == 0, "values of the old key still open");
		fb_crypto_free_plain(p);
		TAP_OK(fb_crypto_seal(&e, &rot, "0123456789abcdef", "summary", "x", 0, &err) == 0 &&
			       strncmp(e + 5, id, FB_KEYID_LEN),
		       "new values use the new key");
		TAP_OK(fb_crypto_tag(t2, &rot, ID) == 0 && !strcmp(t2, tag), "lookup tags survive rotation");
		free(e);
	}
	free(a);
	free(b);
	free(c);
	free(d);
}

struct opscan {
	int plain;
	int sealed;
};

static int scan_op(const struct fb_op *op, void *ctx)
{
	struct opscan *o = ctx;
	if (strstr(op->value, ID) || strstr(op->value, "拖欠"))
		o->plain++;
	if (fb_crypto_is_sealed(op->value))
		o->sealed++;
	return 0;
}

static int count_row(const struct fb_row *row, void *ctx)
{
	(void)row;
	(*(int *)ctx)++;
	return 0;
}

static void test_store_sealing(void)
{
	struct fb_store *s = test_store("t", "coord");
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	struct fb_record *r = NULL;
	struct opscan o = {0, 0};
	char pid[FB_ID_LEN + 1], cid[FB_ID_LEN + 1], *shown;
	int hits = 0;

	fb_keyring_add_new(&ring, &err);
	fb_crypto_set_ring(&ring);
	TAP_OK(test_add(s, pid, "person", &err, "name", "张三", "id_number", ID, "occupation", "courier",
			NULL) == 0,
	       "add a person with an ID number: %s", err.message);
	TAP_OK(test_add(s, cid, "consultation", &err, "person", pid, "topics", "wage_arrears", "summary",
			"工资拖欠三个月", "outcome", "answered", NULL) == 0,
	       "add a consultation with a summary: %s", err.message);
	fb_store_each_op(s, scan_op, &o, &err);
	TAP_OK(o.plain == 0 && o.sealed == 2, "ops carry no plaintext: %d sealed, %d plain", o.sealed, o.plain);
	TAP_OK(fb_record_get(&r, s, pid, &err) == 0, "read back");
	TAP_STREQ(fb_record_value(r, "id_number"), ID, "with the key the record has the plain number");
	TAP_STREQ(fb_record_value(r, "gender"), "female", "gender still derived from the number");
	fb_record_free(r);
	r = NULL;
	TAP_OK(fb_record_edit(s, pid, &(struct fb_kv){"id_number", ID}, 1, NULL, 0, &err) == 0,
	       "setting the same number again");
	o.sealed = o.plain = 0;
	fb_store_each_op(s, scan_op, &o, &err);
	TAP_OK(o.sealed == 2, "writes nothing (unchanged)");
	TAP_OK(fb_search(s, ID, NULL, 0, 10, count_row, &hits, &err) == 0 && hits == 1,
	       "search by ID number finds the person through the keyed tag (%d)", hits);
	hits = 0;
	TAP_OK(fb_search(s, "拖欠", NULL, 0, 10, count_row, &hits, &err) == 0 && hits == 0,
	       "sealed text is not in the search index");
	fb_store_free(s);
	fb_crypto_set_ring(NULL);
	shown = fb_value_display(fb_field_find(fb_kind_find("person"), "id_number"),
				 "enc1:00000000:AAAA:0123456789abcdef0123456789abcdef", FB_SHOW_UNMASKED);
	TAP_OK(shown && strstr(shown, "no deployment key"), "no key: the display says why: %s", shown);
	free(shown);
	fb_keyring_wipe(&ring);
}

/* Every file of the data directory (database, WAL, state files) holds no plaintext of
 * sealed values; 1 if some file has needle. */
static int dir_has(const char *dir, const char *needle)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "grep -rqaF -- '%s' '%s'", needle, dir);
	return system(cmd) == 0;
}

static void test_db_files(void)
{
	char tmpl[] = "/tmp/fbcrypto.XXXXXX", *dir = mkdtemp(tmpl), data[256], cmd[300];
	struct fb_init_options opt = {"t", "team", "coord"};
	struct fb_store *s = NULL;
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	char id[FB_ID_LEN + 1], aid[FB_ID_LEN + 1];

	snprintf(data, sizeof data, "%s/data", dir);
	fb_store_init(&s, data, &opt, &err);
	fb_keyring_add_new(&ring, &err);
	fb_crypto_set_ring(&ring);
	TAP_OK(test_add(s, id, "person", &err, "name", "李四", "id_number", ID, "occupation", "courier",
			NULL) == 0 &&
		       test_add(s, aid, "assistance", &err, "person", id, "type", "medical", "amount", "500",
				"reason", "母亲手术需要费用", NULL) == 0,
	       "a person and a hardship application: %s", err.message);
	TAP_OK(!dir_has(data, ID) && !dir_has(data, "11010519491231") && !dir_has(data, "母亲手术"),
	       "no sensitive plaintext in any file of the data directory (open, WAL)");
	TAP_OK(dir_has(data, "李四"), "(the scan works: the name is there)");
	fb_store_free(s);
	TAP_OK(!dir_has(data, ID) && !dir_has(data, "母亲手术"), "nor after the checkpoint on close");
	fb_crypto_set_ring(NULL);
	fb_keyring_wipe(&ring);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		TAP_OK(0, "cleanup");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	if (fb_crypto_init(NULL) < 0)
		return 2;
	test_seal_open();
	test_store_sealing();
	test_db_files();
	return tap_done();
}
