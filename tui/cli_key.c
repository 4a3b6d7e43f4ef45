/* cli_key.c - the deployment key on the command line: `key create`, `key export`,
 * `key add-operator`, and `init --join FILE` (tui layer).
 *
 * Key material only ever goes to owner-only files outside the git repository: the data
 * directory's operators file and the key files a coordinator hands to laptops. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fieldbook/crypto.h"
#include "fieldbook/i18n.h"
#include "fieldbook/keyfile.h"
#include "fieldbook/unlock.h"

static int key_create(struct fb_store *s, int argc, char **argv)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	const char *pfile = NULL;
	char path[4200], pass[256] = "", id[FB_KEYID_LEN + 1];
	int i, rc = CLI_OK;

	if (!kf)
		return CLI_FAIL;
	for (i = 1; i < argc; i++)
		if (!cli_opt_value(argc, argv, &i, "--passphrase-file", &pfile)) {
			rc = cli_usage("key", _("unknown argument '%s'"), argv[i]);
			goto cleanup;
		}
	if (fb_privacy_mode(fb_store_dir(s))) {
		fprintf(stderr, _("fieldbook: this computer already has the deployment key and operators; "
				  "a second key would split the deployment\n"));
		rc = CLI_FAIL;
		goto cleanup;
	}
	if ((rc = cli_new_passphrase(pass, sizeof pass, pfile, fb_store_operator(s))) != CLI_OK)
		goto cleanup;
	fb_operators_path(path, sizeof path, fb_store_dir(s));
	if (fb_keyring_add_new(&ring, &err) < 0 ||
	    fb_keyentry_make(&kf->e[0], fb_store_operator(s), "coordinator", pass, &ring, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	kf->n = 1;
	if (fb_keyfile_save(kf, path, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	fb_keyring_id(id, &ring, 0);
	printf(_("deployment key %s created; operator %s (coordinator) unlocks it with the passphrase.\n"
		 "Sensitive fields are encrypted from now on.  Give each laptop a key file:\n"
		 "  fieldbook key export FILE --operator NAME --role field|legal-aid|coordinator\n"),
	       id, fb_store_operator(s));
cleanup:
	fb_crypto_wipe(pass, sizeof pass);
	fb_keyring_wipe(&ring);
	fb_crypto_wipe(kf, sizeof *kf);
	free(kf);
	return rc;
}

/* key export FILE --operator NAME --role ROLE / key add-operator NAME --role ROLE */
static int key_entry(struct fb_store *s, int argc, char **argv, int to_file)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_error err = {0};
	const char *pfile = NULL, *name = NULL, *role = NULL, *file = NULL;
	char path[4200], pass[256] = "", repo[4200], *real = NULL;
	struct stat st;
	int i, rc = CLI_OK;

	if (!kf)
		return CLI_FAIL;
	for (i = 1; i < argc; i++) {
		if (cli_opt_value(argc, argv, &i, "--passphrase-file", &pfile) || cli_opt_value(argc, argv, &i, "--role", &role) ||
		    (to_file && cli_opt_value(argc, argv, &i, "--operator", &name)))
			continue;
		if (argv[i][0] != '-' && to_file && !file)
			file = argv[i];
		else if (argv[i][0] != '-' && !to_file && !name)
			name = argv[i];
		else {
			rc = cli_usage("key", _("unknown argument '%s'"), argv[i]);
			goto cleanup;
		}
	}
	if ((to_file && !file) || !name || !role) {
		rc = cli_usage("key", to_file ? _("give FILE, --operator NAME and --role ROLE")
					      : _("give NAME and --role ROLE"));
		goto cleanup;
	}
	if (fb_role_allows(s, FB_ACT_KEY_ADMIN, &err) < 0 || !fb_crypto_ring()) {
		if (!err.message[0])
			fb_error_set(&err, FB_EINVAL, "key",
				     _("this computer has no deployment key: `fieldbook key create` first"));
		rc = cli_fail(&err);
		goto cleanup;
	}
	fb_operators_path(path, sizeof path, fb_store_dir(s));
	if (to_file) {
		/* never a key file inside the data directory's git repository */
		snprintf(repo, sizeof repo, "%s/repo.git", fb_store_dir(s));
		if (stat(file, &st) == 0) {
			fprintf(stderr, _("fieldbook: %s exists; give a new file name\n"), file);
			rc = CLI_FAIL;
			goto cleanup;
		}
		if ((real = realpath(".", NULL)) && file[0] != '/' && !strncmp(real, repo, strlen(repo))) {
			fprintf(stderr, _("fieldbook: a key file never goes into the git repository\n"));
			rc = CLI_FAIL;
			goto cleanup;
		}
		if (!strncmp(file, repo, strlen(repo))) {
			fprintf(stderr, _("fieldbook: a key file never goes into the git repository\n"));
			rc = CLI_FAIL;
			goto cleanup;
		}
	} else if ((rc = fb_keyfile_load(kf, path, &err)) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	if (!to_file && fb_keyfile_find(kf, name)) {
		fprintf(stderr, _("fieldbook: operator %s is already set up on this computer\n"), name);
		rc = CLI_FAIL;
		goto cleanup;
	}
	if (kf->n == FB_KEYFILE_MAX_ENTRIES) {
		fprintf(stderr, _("fieldbook: at most %d operators on one computer\n"), FB_KEYFILE_MAX_ENTRIES);
		rc = CLI_FAIL;
		goto cleanup;
	}
	if ((rc = cli_new_passphrase(pass, sizeof pass, pfile, name)) != CLI_OK)
		goto cleanup;
	if (fb_keyentry_make(&kf->e[kf->n], name, role, pass, fb_crypto_ring(), &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	kf->n++;
	if (fb_keyfile_save(kf, to_file ? file : path, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	if (to_file)
		printf(_("key file %s written for operator %s (%s); on the laptop: fieldbook init --join "
			 "%s\nIt is protected by the passphrase you gave: hand the passphrase over separately.\n"),
		       file, name, kf->e[0].role, file);
	else
		printf(_("operator %s (%s) can now unlock on this computer\n"), name, kf->e[kf->n - 1].role);
cleanup:
	fb_crypto_wipe(pass, sizeof pass);
	fb_crypto_wipe(kf, sizeof *kf);
	free(kf);
	free(real);
	return rc;
}

/* Replaces (or adds) the entry of e->name in this computer's operators file. */
static int put_entry(struct fb_store *s, const struct fb_keyentry *e, struct fb_error *err)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_keyentry *old;
	char path[4200];
	int rc;

	if (!kf)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	fb_operators_path(path, sizeof path, fb_store_dir(s));
	if ((rc = fb_keyfile_load(kf, path, err)) == 0) {
		if ((old = fb_keyfile_find(kf, e->name)))
			*old = *e;
		else if (kf->n < FB_KEYFILE_MAX_ENTRIES)
			kf->e[kf->n++] = *e;
		else
			rc = fb_error_set(err, FB_EINVAL, "operator", _("at most %d operators on one computer"),
					  FB_KEYFILE_MAX_ENTRIES);
	}
	if (rc == 0)
		rc = fb_keyfile_save(kf, path, err);
	fb_crypto_wipe(kf, sizeof *kf);
	free(kf);
	return rc;
}

/* After the process's key ring changed: the unlock session follows, if there is one. */
static void refresh_session(struct fb_store *s)
{
	char path[4300];
	struct stat st;

	if (fb_session_path(path, sizeof path, s) == 0 && stat(path, &st) == 0)
		fb_session_save(s, cli_idle_seconds(), NULL);
}

/* key rotate: a new master key in front of the ring; the old ones stay for reading (and the
 * oldest for the ID lookup tags).  Only the rotating coordinator's entry can be rewrapped
 * here; everyone else gets a new key file (key export, then key import). */
static int key_rotate(struct fb_store *s, int argc, char **argv)
{
	struct fb_keyentry e;
	struct fb_keyring ring;
	struct fb_error err = {0};
	const char *pfile = NULL;
	char pass[256] = "", id[FB_KEYID_LEN + 1];
	int i, rc = CLI_OK;

	for (i = 1; i < argc; i++)
		if (!cli_opt_value(argc, argv, &i, "--passphrase-file", &pfile))
			return cli_usage("key", _("unknown argument '%s'"), argv[i]);
	if (fb_role_allows(s, FB_ACT_KEY_ADMIN, &err) < 0 || !fb_crypto_ring()) {
		if (!err.message[0])
			fb_error_set(&err, FB_EINVAL, "key",
				     _("this computer has no deployment key: `fieldbook key create` first"));
		return cli_fail(&err);
	}
	ring = *fb_crypto_ring();
	if ((rc = cli_passphrase(pass, sizeof pass, pfile, _("your passphrase: "))) != CLI_OK)
		goto cleanup;
	if (fb_keyring_add_new(&ring, &err) < 0 ||
	    fb_keyentry_make(&e, fb_store_operator(s), fb_role_name(fb_role_current()), pass, &ring, &err) < 0 ||
	    put_entry(s, &e, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	fb_crypto_set_ring(&ring);
	refresh_session(s);
	fb_keyring_id(id, &ring, 0);
	printf(_("new deployment key %s: new values are encrypted with it, older ones stay readable.\n"
		 "Every other laptop needs a new key file: fieldbook key export FILE --operator NAME "
		 "--role ROLE here, fieldbook key import FILE there.\n"),
	       id);
cleanup:
	fb_crypto_wipe(pass, sizeof pass);
	fb_keyring_wipe(&ring);
	fb_crypto_wipe(&e, sizeof e);
	return rc;
}

/* Loads the key file FILE into KF and opens the first of its entries that PASS_FILE's (or
 * the terminal's) passphrase unlocks into RING; *OPENED is that entry.  A wrong passphrase
 * prints WRONG (which says what was left unchanged) and gives CLI_FAIL. */
static int open_keyfile(int *opened, struct fb_keyring *ring, struct fb_keyfile *kf,
			const char *file, const char *pass_file, const char *wrong)
{
	struct fb_error err = {0};
	char pass[256] = "";
	size_t i;
	int rc;

	*opened = -1;
	if (fb_keyfile_load(kf, file, &err) < 0)
		return cli_fail(&err);
	if ((rc = cli_passphrase(pass, sizeof pass, pass_file, _("passphrase of the key file: "))) != CLI_OK)
		return rc;
	for (i = 0; i < kf->n && *opened < 0; i++)
		if (fb_keyentry_open(ring, &kf->e[i], pass, NULL) == 0)
			*opened = (int)i;
	fb_crypto_wipe(pass, sizeof pass);
	if (*opened < 0) {
		fputs(wrong, stderr);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* key import FILE: a newer key file for an operator of this computer (after a rotation, a
 * new role, a new passphrase).  It must belong to the same deployment: its key ring holds
 * the oldest key of this computer's ring. */
static int key_import(struct fb_store *s, int argc, char **argv)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	const struct fb_keyring *cur = fb_crypto_ring();
	const char *pfile = NULL, *file = NULL;
	char a[FB_KEYID_LEN + 1], b[FB_KEYID_LEN + 1];
	int j, rc = CLI_OK, opened = -1;
	enum fb_role role;

	if (!kf)
		return CLI_FAIL;
	for (j = 1; j < argc; j++) {
		if (cli_opt_value(argc, argv, &j, "--passphrase-file", &pfile))
			continue;
		if (argv[j][0] != '-' && !file)
			file = argv[j];
		else {
			rc = cli_usage("key", _("unknown argument '%s'"), argv[j]);
			goto cleanup;
		}
	}
	if (!file || !cur) {
		rc = file ? (fprintf(stderr, _("fieldbook: this computer has not joined a deployment: "
					       "fieldbook init --join FILE\n")),
			     CLI_FAIL)
			  : cli_usage("key", _("give the key FILE"));
		goto cleanup;
	}
	if ((rc = open_keyfile(&opened, &ring, kf, file, pfile,
			       _("fieldbook: wrong passphrase; nothing was changed\n"))) != CLI_OK)
		goto cleanup;
	fb_keyring_id(a, &ring, ring.n - 1);
	fb_keyring_id(b, cur, cur->n - 1);
	if (strcmp(a, b)) {
		fprintf(stderr, _("fieldbook: %s belongs to another deployment (key %s, this computer's is "
				  "%s); nothing was changed\n"),
			file, a, b);
		rc = CLI_FAIL;
		goto cleanup;
	}
	if (put_entry(s, &kf->e[opened], &err) < 0 || fb_role_parse(&role, kf->e[opened].role, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	if (!strcmp(kf->e[opened].name, fb_store_operator(s))) {
		fb_unlock_as(s, kf->e[opened].name, role, &ring, NULL);
		refresh_session(s);
	}
	fb_keyring_id(a, &ring, 0);
	printf(_("operator %s (%s) now has key %s on this computer\n"), kf->e[opened].name, kf->e[opened].role, a);
cleanup:
	fb_keyring_wipe(&ring);
	fb_crypto_wipe(kf, sizeof *kf);
	free(kf);
	return rc;
}

int cmd_key(struct fb_store *s, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "rotate"))
		return key_rotate(s, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "import"))
		return key_import(s, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "create"))
		return key_create(s, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "export"))
		return key_entry(s, argc - 1, argv + 1, 1);
	if (argc >= 2 && !strcmp(argv[1], "add-operator"))
		return key_entry(s, argc - 1, argv + 1, 0);
	return cli_usage("key", _("give create, export FILE, add-operator NAME, rotate or import FILE"));
}

int cli_join(const char *file, const char *dir, struct fb_init_options *o, struct fb_store **out)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_keyring ring = {0};
	struct fb_error err = {0};
	struct fb_store *s = NULL;
	char path[4200];
	int rc = CLI_OK, opened = -1;

	*out = NULL;
	if (!kf)
		return CLI_FAIL;
	if ((rc = open_keyfile(&opened, &ring, kf, file, NULL,
			       _("fieldbook: unlock failed: wrong passphrase; nothing was set up\n"))) != CLI_OK)
		goto cleanup;
	o->operator_name = kf->e[opened].name;
	if (fb_store_init(&s, dir, o, &err) < 0) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	kf->e[0] = kf->e[opened];
	kf->n = 1;
	fb_operators_path(path, sizeof path, dir);
	if (fb_keyfile_save(kf, path, &err) < 0) {
		fb_store_free(s);
		s = NULL;
		rc = cli_fail(&err);
		goto cleanup;
	}
	printf(_("joined the deployment as %s (%s)\n"), kf->e[0].name, kf->e[0].role);
	*out = s;
cleanup:
	fb_keyring_wipe(&ring);
	fb_crypto_wipe(kf, sizeof *kf);
	free(kf);
	return rc;
}
