/* test_keyfile.c - key files and the operators file (core/keyfile.c), unlocking and the
 * unlock session (core/unlock.c), roles (core/role.c) and audit entries (core/audit.c),
 * on real files and a real store (tests layer). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldbook/audit.h"
#include "fieldbook/changefile.h"
#include "fieldbook/keyfile.h"
#include "fieldbook/role.h"
#include "fieldbook/unlock.h"
#include "storetest.h"

static void test_entries(void)
{
	static struct fb_keyfile kf, back;
	struct fb_keyring ring = {0}, got;
	struct fb_error err = {0};
	char *text, *p;

	fb_keyring_add_new(&ring, &err);
	TAP_OK(fb_keyentry_make(&kf.e[0], "李外展", "field", "correct horse", &ring, &err) == 0, "make an entry");
	TAP_OK(fb_keyentry_make(&kf.e[1], "x", "field", "short", &ring, &err) == FB_EINVAL &&
		       strstr(err.message, "8 characters"),
	       "a short passphrase is refused: %s", err.message);
	TAP_OK(fb_keyentry_make(&kf.e[1], "x", "boss", "long enough", &ring, &err) == FB_EINVAL,
	       "an unknown role is refused: %s", err.message);
	TAP_OK(fb_keyentry_make(&kf.e[1], "a\tb", "field", "long enough", &ring, &err) == FB_EINVAL,
	       "a name with a tab is refused");
	kf.n = 1;
	text = fb_keyfile_format(&kf);
	TAP_OK(text && !strncmp(text, "fieldbook-keys 1\nop\t李外展\tfield\t", strlen("fieldbook-keys 1\nop\t李外展\tfield\t")),
	       "format: the magic line, then one op line");
	TAP_OK(fb_keyfile_parse(&back, text, strlen(text), &err) == 0 && back.n == 1, "parses back");
	TAP_OK(fb_keyentry_open(&got, &back.e[0], "correct horse", &err) == 0 && got.n == 1 &&
		       !memcmp(got.master[0], ring.master[0], FB_KEY_BYTES),
	       "opens with the passphrase to the same key");
	TAP_OK(fb_keyentry_open(&got, &back.e[0], "wrong horse", &err) == FB_EINVAL &&
		       !strcmp(err.message, "wrong passphrase") && got.n == 0,
	       "a wrong passphrase: '%s' and no key", err.message);
	/* the role is bound to the box */
	p = strstr(text, "\tfield\t");
	memcpy(p, "\tlegal\t", 7);
	TAP_OK(fb_keyfile_parse(&back, text, strlen(text), &err) == FB_EINVAL, "a non-canonical role is refused");
	memcpy(p, "\tfield\t", 7);
	fb_keyfile_parse(&back, text, strlen(text), &err);
	free(text);
	snprintf(back.e[0].role, sizeof back.e[0].role, "coordinator");
	TAP_OK(fb_keyentry_open(&got, &back.e[0], "correct horse", &err) == FB_EINVAL,
	       "a role changed in the file does not open");
	TAP_OK(fb_keyfile_parse(&back, "fieldbook-keys 2\n", 17, &err) == FB_EINVAL && strstr(err.message, "not a fieldbook key file"),
	       "wrong magic: %s", err.message);
	TAP_OK(fb_keyfile_parse(&back, "fieldbook-keys 1\nop\ta\tfield\t2\t67108864\tAA\tAA\n", 44, &err) == FB_EINVAL &&
		       strstr(err.message, "line 2"),
	       "a short salt: %s", err.message);
	TAP_OK(fb_keyfile_parse(&back, "fieldbook-keys 1\n", 17, &err) == FB_EINVAL, "no operator");
	fb_keyring_wipe(&ring);
}

static void test_unlock_and_session(void)
{
	struct fb_store *s = test_store("t", "王协调");
	static struct fb_keyfile kf;
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	char path[4300], id[FB_ID_LEN + 1], sess[4300];
	struct stat st;
	int64_t n = 0;

	unsetenv("XDG_RUNTIME_DIR");
	TAP_OK(!fb_privacy_mode(fb_store_dir(s)), "a new store is in open mode");
	TAP_OK(fb_role_allows(s, FB_ACT_EXPORT_UNMASKED, &err) == 0, "open mode allows everything");
	TAP_OK(fb_audit_add(s, FB_AUDIT_REVEAL, NULL, NULL, NULL, &err) == 0 && fb_count(s, "audit", &n, &err) == 0 && n == 0,
	       "open mode audits nothing");
	fb_keyring_add_new(&ring, &err);
	fb_keyentry_make(&kf.e[0], "王协调", "coordinator", "coordinator pass", &ring, &err);
	fb_keyentry_make(&kf.e[1], "李外展", "field", "field pass 123", &ring, &err);
	kf.n = 2;
	fb_operators_path(path, sizeof path, fb_store_dir(s));
	TAP_OK(fb_keyfile_save(&kf, path, &err) == 0 && stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "operators file written 0600");
	TAP_OK(fb_privacy_mode(fb_store_dir(s)), "privacy mode");
	fb_unlock_set_required(1);
	TAP_OK(fb_role_allows(s, FB_ACT_REVEAL, &err) == FB_EINVAL && strstr(err.message, "unlock"),
	       "locked: nothing allowed: %s", err.message);
	TAP_OK(fb_unlock(s, "nobody's pass", "王协调", &err) == FB_EINVAL && !strcmp(err.message, "wrong passphrase") &&
		       !fb_unlocked() && !fb_crypto_ring(),
	       "wrong passphrase: nothing unlocked");
	TAP_OK(fb_unlock(s, "field pass 123", "王协调", &err) == 0 && fb_role_current() == FB_ROLE_FIELD &&
		       !strcmp(fb_store_operator(s), "李外展"),
	       "another operator's passphrase unlocks that operator");
	TAP_OK(fb_role_allows(s, FB_ACT_MERGE, &err) == FB_EINVAL && strstr(err.message, "coordinators"),
	       "field may not merge: %s", err.message);
	TAP_OK(!fb_role_may_reveal(fb_kind_find("person"), fb_field_find(fb_kind_find("person"), "id_number")),
	       "field may not reveal an ID number");
	TAP_OK(fb_role_may_reveal(fb_kind_find("person"), fb_field_find(fb_kind_find("person"), "mobile")),
	       "field may reveal a mobile");
	TAP_OK(!fb_role_may_reveal(fb_kind_find("consultation"), fb_field_find(fb_kind_find("consultation"), "summary")),
	       "field may not reveal a consultation summary");
	TAP_OK(fb_audit_add(s, FB_AUDIT_REVEAL, "0123456789abcdef", "mobile", "", &err) == FB_EINVAL,
	       "an audit entry needs a reason");
	TAP_OK(fb_audit_add(s, FB_AUDIT_REVEAL, "0123456789abcdef", "mobile", "回访", &err) == 0 &&
		       fb_count(s, "audit", &n, &err) == 0 && n == 1,
	       "an audit entry is a record");
	TAP_OK(fb_session_save(s, 600, &err) == 0, "session saved");
	fb_session_path(sess, sizeof sess, s);
	TAP_OK(stat(sess, &st) == 0 && (st.st_mode & 0777) == 0600, "session file 0600 in the data directory");
	fb_lock();
	TAP_OK(!fb_unlocked() && !fb_crypto_ring() && fb_role_current() == FB_ROLE_NONE, "lock forgets everything");
	TAP_OK(fb_session_resume(s, &err) == 0 && fb_role_current() == FB_ROLE_FIELD && fb_crypto_ring() &&
		       !memcmp(fb_crypto_ring()->master[0], ring.master[0], FB_KEY_BYTES),
	       "the session resumes the operator and key");
	chmod(sess, 0644);
	fb_lock();
	TAP_OK(fb_session_resume(s, &err) == FB_ENOTFOUND && strstr(err.message, "unsafe") && stat(sess, &st) != 0,
	       "a session file others can read is refused and removed");
	fb_unlock(s, "coordinator pass", NULL, &err);
	fb_session_save(s, 600, &err);
	TAP_OK(fb_session_end(s, &err) == 0 && stat(sess, &st) != 0, "session end removes it");
	TAP_OK(fb_session_resume(s, &err) == FB_ENOTFOUND, "nothing to resume after lock");
	(void)id;
	fb_lock();
	fb_unlock_set_required(0);
	fb_keyring_wipe(&ring);
	test_store_free(s);
}

static void test_session_parser(void)
{
	struct fb_session ss;
	struct fb_error err = {0};
	const char *good = "fieldbook-session 1\noperator\ta\nrole\tfield\nexpires\t100\nidle\t60\n"
			   "keys\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	const char *dup = "fieldbook-session 1\noperator\ta\noperator\tb\nrole\tfield\nexpires\t100\nidle\t60\n"
			  "keys\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";

	TAP_OK(fb_session_parse(&ss, good, strlen(good), &err) == 0 && ss.ring.n == 1 && ss.idle == 60,
	       "a session parses");
	TAP_OK(fb_session_parse(&ss, dup, strlen(dup), &err) == FB_EINVAL, "a repeated key is refused");
	TAP_OK(fb_session_parse(&ss, good, strlen(good) - 10, &err) == FB_EINVAL, "a cut key is refused");
}

/* Audit entries are append-only also against ops made elsewhere: fb_op_check (which every
 * received change file goes through) refuses an op that overwrites or deletes one. */
static void test_audit_ops(void)
{
	struct fb_error err = {0};
	struct fb_op create = {"0123456789abcdef:1.0", 1, "a", "audit", "00112233445566aa", "_exists", "1", ""};
	struct fb_op edit = {"0123456789abcdef:2.0", 2, "a", "audit", "00112233445566aa", "reason", "x",
			     "0123456789abcdef:1.2"};
	struct fb_op del = {"0123456789abcdef:2.1", 2, "a", "audit", "00112233445566aa", "_exists", "0",
			    "0123456789abcdef:1.0"};

	TAP_OK(fb_op_check(&create, "0123456789abcdef", &err) == 0, "creating an audit entry is a valid op");
	TAP_OK(fb_op_check(&edit, "0123456789abcdef", &err) == FB_EINVAL && strstr(err.message, "audit entry"),
	       "an op overwriting one is refused: %s", err.message);
	TAP_OK(fb_op_check(&del, "0123456789abcdef", &err) == FB_EINVAL, "deleting one is refused");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_entries();
	test_unlock_and_session();
	test_session_parser();
	test_audit_ops();
	return tap_done();
}
