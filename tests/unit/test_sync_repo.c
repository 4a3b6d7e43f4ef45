/* test_sync_repo.c - the sync layer's repository: seal (tree, change file, commit, ref,
 * SQLite marks), reconcile after a crash between git and SQLite, bundles between two
 * stores, the bundle header parser and URL kinds (tests layer: sync + core + libgit2). */
#include <git2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldbook/bundlehdr.h"
#include "fieldbook/changefile.h"
#include "fieldbook/sync.h"
#include "storetest.h"

static int64_t unsealed(struct fb_store *s)
{
	int64_t n = -1;
	fb_store_unsealed_count(s, &n, NULL);
	return n;
}

static int64_t state_seal(struct fb_store *s)
{
	int64_t n = -1;
	fb_store_state_get_int(s, "seal", &n, NULL);
	return n;
}

/* The tip commit of this device's branch in the store's repository (zero oid when none). */
static git_oid tip_of(struct fb_store *s, const char *dev)
{
	git_repository *repo = NULL;
	git_oid id;
	char path[4096], ref[64];

	memset(&id, 0, sizeof id);
	snprintf(path, sizeof path, "%s/repo.git", fb_store_dir(s));
	snprintf(ref, sizeof ref, "refs/heads/dev/%s", dev);
	if (git_repository_open(&repo, path) == 0)
		git_reference_name_to_id(&id, repo, ref);
	git_repository_free(repo);
	return id;
}

static void digest(struct fb_store *s, char *out)
{
	struct fb_error err = {0};
	if (fb_store_state_digest(s, out, &err) < 0)
		snprintf(out, 65, "error: %.50s", err.message);
}

static void test_seal(void)
{
	struct fb_store *s = test_store("a", "op");
	struct fb_sync *sy = NULL;
	struct fb_sync_stats st = {0};
	struct fb_error err = {0};
	git_repository *repo = NULL;
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	struct fb_changefile *cf = NULL;
	char id[FB_ID_LEN + 1], path[4096], chg[128], email[64];
	int64_t before;
	git_oid tip, zero;
	struct stat sb;
	sqlite3 *db;

	memset(&zero, 0, sizeof zero);
	TAP_OK(fb_sync_open(&sy, s, &err) == 0, "open creates the repository: %s", err.message);
	snprintf(path, sizeof path, "%s/repo.git", fb_store_dir(s));
	TAP_OK(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0, "repo.git is private (0700)");
	TAP_OK(git_repository_open(&repo, path) == 0 && git_repository_is_bare(repo), "it is a bare repository");
	{ /* libgit2 1.5 reads its big-file threshold from pack.deltaCacheSize: 1 = no delta search */
		git_config *cfg = NULL;
		int64_t v1 = 0, v2 = 0;
		TAP_OK(git_repository_config_snapshot(&cfg, repo) == 0 &&
			       git_config_get_int64(&v1, cfg, "pack.deltaCacheSize") == 0 &&
			       git_config_get_int64(&v2, cfg, "pack.bigFileThreshold") == 0 && v1 == 1 && v2 == 1,
		       "packs libgit2 builds from it search no deltas (pack.deltaCacheSize = 1)");
		git_config_free(cfg);
	}
	TAP_OK(fb_sync_seal(sy, &st, &err) == 0 && st.ops_sealed == 0, "sealing nothing is fine");
	tip = tip_of(s, fb_store_device(s));
	TAP_OK(git_oid_is_zero(&tip), "no branch before the first seal");

	TAP_OK(test_add(s, id, "site", &err, "name", "爱心驿站", "type", "爱心驿站", NULL) == 0, "add: %s", err.message);
	before = unsealed(s);
	TAP_OK(before > 0, "the new record's ops are unsealed");
	TAP_OK(fb_sync_seal(sy, &st, &err) == 0, "seal: %s", err.message);
	TAP_OK(st.ops_sealed == before, "every unsealed op sealed");
	TAP_OK(unsealed(s) == 0 && state_seal(s) == 1, "SQLite marks them sealed, seal number 1");
	tip = tip_of(s, fb_store_device(s));
	TAP_OK(!git_oid_is_zero(&tip), "the device branch exists");
	snprintf(chg, sizeof chg, "log/%s/000/000001.chg", fb_store_device(s));
	snprintf(email, sizeof email, "%s@fieldbook", fb_store_device(s));
	if (git_commit_lookup(&c, repo, &tip) == 0 && git_commit_tree(&t, c) == 0) {
		char msg[64];
		snprintf(msg, sizeof msg, "seal 1: %lld ops\n", (long long)before);
		TAP_STREQ(git_commit_message(c), msg, "commit message");
		TAP_STREQ(git_commit_author(c)->email, email, "author names the device");
		TAP_OK(git_commit_parentcount(c) == 0, "first commit has no parent");
		TAP_OK(git_tree_entry_byname(t, "FORMAT") && git_tree_entry_byname(t, "device.txt") &&
			       git_tree_entry_byname(t, "README.txt"),
		       "FORMAT, device.txt, README.txt");
		TAP_OK(git_tree_entry_bypath(&e, t, chg) == 0, "the change file is at %s", chg);
		if (e && git_blob_lookup(&b, repo, git_tree_entry_id(e)) == 0) {
			TAP_OK(fb_changefile_parse(&cf, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &err) == 0,
			       "it parses: %s", err.message);
			TAP_OK(cf && cf->seal == 1 && (int64_t)cf->nops == before &&
				       !strcmp(cf->device, fb_store_device(s)),
			       "it holds the sealed ops");
		}
	}
	fb_changefile_free(cf);
	git_blob_free(b);
	git_tree_entry_free(e);
	git_tree_free(t);
	git_commit_free(c);
	c = NULL;

	/* Crash after git, before SQLite: the ops look unsealed, seal number behind. */
	TAP_OK(test_add(s, id, "site", &err, "name", "二号驿站", "type", "爱心驿站", NULL) == 0, "add another");
	TAP_OK(fb_sync_seal(sy, &st, &err) == 0 && state_seal(s) == 2, "seal 2");
	tip = tip_of(s, fb_store_device(s));
	fb_sync_free(sy);
	sy = NULL;
	snprintf(path, sizeof path, "%s/fieldbook.db", fb_store_dir(s));
	TAP_OK(sqlite3_open(path, &db) == SQLITE_OK &&
		       sqlite3_exec(db, "UPDATE meta SET value = (SELECT count(*) FROM op WHERE sealed = 2)"
					" WHERE key = 'unsealed';"
					"UPDATE op SET sealed = 0 WHERE sealed = 2;"
					"UPDATE meta SET value = 1 WHERE key = 'sync.seal';", NULL, NULL, NULL) == SQLITE_OK,
	       "simulate the crash");
	sqlite3_close(db);
	TAP_OK(unsealed(s) > 0 && state_seal(s) == 1, "SQLite is behind git");
	TAP_OK(fb_sync_open(&sy, s, &err) == 0, "open reconciles: %s", err.message);
	TAP_OK(unsealed(s) == 0 && state_seal(s) == 2, "the ops in git are marked sealed again");
	memset(&st, 0, sizeof st);
	TAP_OK(fb_sync_seal(sy, &st, &err) == 0 && st.ops_sealed == 0, "nothing is sealed twice");
	{
		git_oid now = tip_of(s, fb_store_device(s));
		TAP_OK(git_oid_equal(&now, &tip), "no new commit");
	}
	{
		struct fb_sync *second = NULL;
		TAP_OK(fb_sync_open(&second, s, &err) == FB_EIO && !second, "a second session is refused: %s",
		       err.message);
	}
	fb_sync_free(sy);
	git_repository_free(repo);
	test_store_free(s);
}

static void test_bundles(void)
{
	struct fb_store *a = test_store("a", "op-a"), *b = test_store("b", "op-b");
	struct fb_sync *sa = NULL, *sb = NULL;
	struct fb_sync_stats st = {0};
	struct fb_error err = {0};
	char id[FB_ID_LEN + 1], file[4200], da[65], db[65];
	size_t nrefs = 0;

	int64_t n;

	test_add(a, id, "site", &err, "name", "甲", "type", "爱心驿站", NULL);
	n = unsealed(a);
	snprintf(file, sizeof file, "%s/../a.bundle", fb_store_dir(a));
	TAP_OK(fb_sync_open(&sa, a, &err) == 0 && fb_sync_bundle_create(sa, file, &nrefs, &err) == 0 && nrefs == 1,
	       "bundle create: %s", err.message);
	TAP_OK(fb_sync_open(&sb, b, &err) == 0 && fb_sync_bundle_read(sb, file, &st, &err) == 0,
	       "bundle read: %s", err.message);
	TAP_OK(st.ops_received == n && st.devices == 1, "received a's %lld ops from 1 device", (long long)n);
	digest(a, da);
	digest(b, db);
	TAP_STREQ(db, da, "same state");
	test_edit(b, id, "name", "乙", &err);
	test_edit(a, id, "name", "丙", &err);
	snprintf(file, sizeof file, "%s/../b.bundle", fb_store_dir(b));
	TAP_OK(fb_sync_bundle_create(sb, file, &nrefs, &err) == 0 && nrefs == 2, "b's bundle has both branches");
	memset(&st, 0, sizeof st);
	TAP_OK(fb_sync_bundle_read(sa, file, &st, &err) == 0 && st.ops_received == 1 && st.new_conflicts == 1,
	       "a gets b's edit and a conflict: %s", err.message);
	snprintf(file, sizeof file, "%s/../a2.bundle", fb_store_dir(a));
	TAP_OK(fb_sync_bundle_create(sa, file, &nrefs, &err) == 0, "a bundles again");
	TAP_OK(fb_sync_bundle_read(sb, file, &st, &err) == 0, "b reads it");
	digest(a, da);
	digest(b, db);
	TAP_STREQ(db, da, "same state with the conflict on both");
	memset(&st, 0, sizeof st);
	TAP_OK(fb_sync_bundle_read(sb, file, &st, &err) == 0 && st.ops_received == 0 && st.quarantined == 0,
	       "reading a bundle twice changes nothing");
	fb_sync_free(sa);
	fb_sync_free(sb);
	test_store_free(a);
	test_store_free(b);
}

static int parses(const char *text)
{
	struct fb_bundle_header *h = NULL;
	struct fb_error err = {0};
	int rc = fb_bundle_header_parse(&h, text, strlen(text), &err);

	fb_bundle_header_free(h);
	return rc == 0;
}

static void test_header(void)
{
	const char *oid = "0123456789abcdef0123456789abcdef01234567";
	struct fb_bundle_header *h = NULL;
	struct fb_error err = {0};
	char buf[512], dev[17];

	snprintf(buf, sizeof buf, "# v2 git bundle\n-%s a commit\n%s refs/heads/dev/0123456789abcdef\n\nPACK", oid, oid);
	TAP_OK(fb_bundle_header_parse(&h, buf, strlen(buf), &err) == 0, "a v2 header parses: %s", err.message);
	TAP_OK(h && h->nprereq == 1 && h->nrefs == 1 && h->header_len == strlen(buf) - 4, "its parts");
	fb_bundle_header_free(h);
	snprintf(buf, sizeof buf, "# v3 git bundle\n@object-format=sha1\n%s HEAD\n\n", oid);
	TAP_OK(parses(buf), "v3 with sha1");
	snprintf(buf, sizeof buf, "# v3 git bundle\n@object-format=sha256\n%s HEAD\n\n", oid);
	TAP_OK(!parses(buf), "v3 with sha256 is refused");
	TAP_OK(!parses("# v4 git bundle\n\n"), "unknown version");
	snprintf(buf, sizeof buf, "# v2 git bundle\n%s refs/heads/x\n", oid);
	TAP_OK(!parses(buf), "no blank line");
	snprintf(buf, sizeof buf, "# v2 git bundle\n0123456789ABCDEF0123456789abcdef01234567 refs/heads/x\n\n");
	TAP_OK(!parses(buf), "upper-case hex");
	snprintf(buf, sizeof buf, "# v2 git bundle\n%s refs/heads/x\n%s refs/heads/x\n\n", oid, oid);
	TAP_OK(!parses(buf), "a ref twice");
	snprintf(buf, sizeof buf, "# v2 git bundle\n%s refs/heads/../x\n\n", oid);
	TAP_OK(!parses(buf), "'..' in a ref name");
	snprintf(buf, sizeof buf, "# v2 git bundle\n%s refs/heads/x y\n\n", oid);
	TAP_OK(!parses(buf), "a space in a ref name");
	snprintf(buf, sizeof buf, "# v2 git bundle\n-%s\n\n", oid);
	TAP_OK(!parses(buf), "no refs");
	TAP_OK(fb_bundle_dev_ref("refs/heads/dev/0123456789abcdef", dev) && !strcmp(dev, "0123456789abcdef"),
	       "a device ref");
	TAP_OK(!fb_bundle_dev_ref("refs/heads/dev/0123456789ABCDEF", NULL) &&
		       !fb_bundle_dev_ref("refs/heads/dev/0123", NULL) && !fb_bundle_dev_ref("refs/heads/main", NULL),
	       "not device refs");
}

static void test_urls(void)
{
	TAP_OK(fb_sync_url_kind("/media/usb/data.git") == FB_URL_PATH, "absolute path");
	TAP_OK(fb_sync_url_kind("data.git") == FB_URL_PATH, "relative path");
	TAP_OK(fb_sync_url_kind("file:///media/usb/data.git") == FB_URL_PATH, "file URL");
	TAP_OK(fb_sync_url_kind("ssh://git@10.0.0.5/data.git") == FB_URL_SSH, "ssh URL");
	TAP_OK(fb_sync_url_kind("git@10.0.0.5:data.git") == FB_URL_SSH, "scp-like");
	TAP_OK(fb_sync_url_kind("https://hq.example/data.git") == FB_URL_HTTPS, "https URL");
	TAP_OK(fb_sync_url_kind("ftp://x/y") == FB_URL_BAD && fb_sync_url_kind("") == FB_URL_BAD &&
		       fb_sync_url_kind("a\nb") == FB_URL_BAD,
	       "unusable URLs");
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	git_libgit2_init();
	test_seal();
	test_bundles();
	test_header();
	test_urls();
	git_libgit2_shutdown();
	return tap_done();
}
