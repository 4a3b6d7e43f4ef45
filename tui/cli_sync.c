/* cli_sync.c - the sync commands: remote add/list/remove, sync, bundle create/read (tui
 * layer: calls the sync API of include/fieldbook/sync.h, never libgit2).  Remotes live in
 * the configuration file as [remote "NAME"] url = ..., host-key = ..., token-file = ...,
 * key-file = ..., ca-file = ... (read by the sync layer's transport.c).
 * Exit status: 0 done, 1 failed (the message says what to do), 2 usage. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fieldbook/config.h"
#include "fieldbook/i18n.h"
#include "fieldbook/sync.h"

static int load_cfg(struct fb_config **cfg, char *path, size_t cap, struct fb_error *err)
{
	int rc;

	if ((rc = fb_config_default_path(path, cap, err)) < 0)
		return rc;
	return fb_config_load(cfg, path, err);
}

/* "SHA256:" and 43 base64 characters, as ssh-keygen -l prints. */
static int host_key_ok(const char *k)
{
	size_t i;

	if (strncmp(k, "SHA256:", 7) || strlen(k) != 7 + 43)
		return 0;
	for (i = 7; k[i]; i++)
		if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') ||
		      k[i] == '+' || k[i] == '/'))
			return 0;
	return 1;
}

static int remote_add(int argc, char **argv)
{
	struct fb_config *cfg = NULL;
	struct fb_error err = {0};
	const char *name, *url, *host_key = NULL, *token = NULL, *keyfile = NULL, *cafile = NULL;
	char path[4096], key[128], abs[PATH_MAX], tok[PATH_MAX], kf[PATH_MAX], ca[PATH_MAX];
	int i, rc = CLI_OK;

	if (argc < 4)
		return cli_usage("remote", _("remote add needs a NAME and a URL"));
	name = argv[2];
	url = argv[3];
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--host-key") && i + 1 < argc)
			host_key = argv[++i];
		else if (!strncmp(argv[i], "--host-key=", 11))
			host_key = argv[i] + 11;
		else if (!strcmp(argv[i], "--token-file") && i + 1 < argc)
			token = argv[++i];
		else if (!strncmp(argv[i], "--token-file=", 13))
			token = argv[i] + 13;
		else if (!strcmp(argv[i], "--key-file") && i + 1 < argc)
			keyfile = argv[++i];
		else if (!strncmp(argv[i], "--key-file=", 11))
			keyfile = argv[i] + 11;
		else if (!strcmp(argv[i], "--ca-file") && i + 1 < argc)
			cafile = argv[++i];
		else if (!strncmp(argv[i], "--ca-file=", 10))
			cafile = argv[i] + 10;
		else
			return cli_usage("remote", _("unknown argument '%s'"), argv[i]);
	}
	if (!fb_sync_remote_name_ok(name))
		return cli_usage("remote", _("'%s' is not a remote name: use 1-32 of a-z 0-9 _ -"), name);
	switch (fb_sync_url_kind(url)) {
	case FB_URL_BAD:
		fprintf(stderr, _("fieldbook: '%s' is not a URL fieldbook can use: give a path to a bare git "
				  "repository, a file://, ssh:// or https:// URL\n"), url);
		return CLI_FAIL;
	case FB_URL_PATH:
		/* Store an absolute path, so sync works from any directory. */
		if (url[0] != '/' && strncmp(url, "file://", 7)) {
			char cwd[PATH_MAX];
			if (!getcwd(cwd, sizeof cwd) ||
			    (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, url) >= sizeof abs) {
				fprintf(stderr, _("fieldbook: the path %s is too long\n"), url);
				return CLI_FAIL;
			}
			url = abs;
		}
		break;
	default: { /* user:password@ in a URL would keep a password in the settings */
		const char *auth = strstr(url, "://"), *at, *end;
		if (auth) {
			auth += 3;
			end = auth + strcspn(auth, "/?#");
			at = memchr(auth, '@', (size_t)(end - auth));
			if (at && memchr(auth, ':', (size_t)(at - auth))) {
				fprintf(stderr, _("fieldbook: the URL contains a password; fieldbook never keeps one in "
						  "its settings: put the token in a file only you can read and give "
						  "--token-file FILE\n"));
				return CLI_FAIL;
			}
		}
		break;
	}
	}
	if (host_key && !host_key_ok(host_key)) {
		fprintf(stderr, _("fieldbook: --host-key takes the server key's fingerprint as `ssh-keygen -lf "
				  "KEY` prints it: SHA256: and 43 characters\n"));
		return CLI_FAIL;
	}
	if (token) {
		if (access(token, R_OK) < 0 || !realpath(token, tok)) {
			fprintf(stderr, _("fieldbook: cannot read the token file %s\n"), token);
			return CLI_FAIL;
		}
		token = tok;
	}
	if (keyfile) {
		if (access(keyfile, R_OK) < 0 || !realpath(keyfile, kf)) {
			fprintf(stderr, _("fieldbook: cannot read the key file %s\n"), keyfile);
			return CLI_FAIL;
		}
		keyfile = kf;
	}
	if (cafile) {
		if (access(cafile, R_OK) < 0 || !realpath(cafile, ca)) {
			fprintf(stderr, _("fieldbook: cannot read the CA file %s\n"), cafile);
			return CLI_FAIL;
		}
		cafile = ca;
	}
	if (load_cfg(&cfg, path, sizeof path, &err) < 0)
		return cli_fail(&err);
	snprintf(key, sizeof key, "remote.%s.url", name);
	if (fb_config_get(cfg, key)) {
		fprintf(stderr, _("fieldbook: there is a remote %s already; `fieldbook remote remove %s` first\n"),
			name, name);
		fb_config_free(cfg);
		return CLI_FAIL;
	}
	if (fb_config_set(cfg, key, url, &err) < 0)
		goto fail;
	snprintf(key, sizeof key, "remote.%s.host-key", name);
	if (host_key && fb_config_set(cfg, key, host_key, &err) < 0)
		goto fail;
	snprintf(key, sizeof key, "remote.%s.token-file", name);
	if (token && fb_config_set(cfg, key, token, &err) < 0)
		goto fail;
	snprintf(key, sizeof key, "remote.%s.key-file", name);
	if (keyfile && fb_config_set(cfg, key, keyfile, &err) < 0)
		goto fail;
	snprintf(key, sizeof key, "remote.%s.ca-file", name);
	if (cafile && fb_config_set(cfg, key, cafile, &err) < 0)
		goto fail;
	if (fb_config_write(cfg, path, &err) < 0)
		goto fail;
	printf(_("remote %s added: %s\n"), name, url);
	fb_config_free(cfg);
	return rc;
fail:
	fb_config_free(cfg);
	return cli_fail(&err);
}

/* Calls cb(name, url) for every remote with a url, in file order. */
static int each_remote(const struct fb_config *cfg, int (*cb)(const char *name, const char *url, void *ctx),
		       void *ctx)
{
	size_t i, n = fb_config_count(cfg);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const char *k, *v, *dot;
		char name[64];
		if (fb_config_at(cfg, i, &k, &v) < 0 || strncmp(k, "remote.", 7))
			continue;
		dot = strrchr(k, '.');
		if (strcmp(dot, ".url") || dot - (k + 7) <= 0 || dot - (k + 7) >= (long)sizeof name)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(dot - (k + 7)), k + 7);
		rc = cb(name, v, ctx);
	}
	return rc;
}

static int list_cb(const char *name, const char *url, void *ctx)
{
	printf("%s\t%s\n", name, url);
	(*(int *)ctx)++;
	return 0;
}

static int remote_remove(const char *name)
{
	static const char *const keys[] = {"url", "host-key", "token-file", "key-file", "ca-file", "user", "timeout"};
	struct fb_config *cfg = NULL;
	struct fb_error err = {0};
	char path[4096], key[128];
	size_t i;

	if (load_cfg(&cfg, path, sizeof path, &err) < 0)
		return cli_fail(&err);
	snprintf(key, sizeof key, "remote.%s.url", name);
	if (!fb_sync_remote_name_ok(name) || !fb_config_get(cfg, key)) {
		fprintf(stderr, _("fieldbook: there is no remote %s; `fieldbook remote list` shows them\n"), name);
		fb_config_free(cfg);
		return CLI_FAIL;
	}
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		snprintf(key, sizeof key, "remote.%s.%s", name, keys[i]);
		fb_config_unset(cfg, key, NULL);
	}
	if (fb_config_write(cfg, path, &err) < 0) {
		fb_config_free(cfg);
		return cli_fail(&err);
	}
	fb_config_free(cfg);
	printf(_("remote %s removed (the data it sent and received stays)\n"), name);
	return CLI_OK;
}

int cmd_remote(struct fb_store *unused, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("remote", _("remote needs add, list or remove"));
	if (!strcmp(argv[1], "add"))
		return remote_add(argc, argv);
	if (!strcmp(argv[1], "list")) {
		struct fb_config *cfg = NULL;
		struct fb_error err = {0};
		char path[4096];
		int n = 0;
		if (argc != 2)
			return cli_usage("remote", _("remote list takes no arguments"));
		if (load_cfg(&cfg, path, sizeof path, &err) < 0)
			return cli_fail(&err);
		each_remote(cfg, list_cb, &n);
		fb_config_free(cfg);
		if (!n)
			fprintf(stderr, _("no remotes yet: `fieldbook remote add NAME URL` adds one\n"));
		return CLI_OK;
	}
	if (!strcmp(argv[1], "remove")) {
		if (argc != 3)
			return cli_usage("remote", _("remote remove needs a NAME"));
		return remote_remove(argv[2]);
	}
	return cli_usage("remote", _("remote needs add, list or remove, not '%s'"), argv[1]);
}

/* Network progress: one updating line on stderr, only when it is a terminal. */
static struct {
	const char *remote;
	int shown;
} progress_line;

static void progress_clear(void)
{
	if (progress_line.shown)
		fputs("\r\033[K", stderr);
	progress_line.shown = 0;
}

static void progress_cb(const char *phase, uint64_t done, uint64_t total, uint64_t bytes, void *ctx)
{
	double b = (double)bytes;
	const char *unit = "B";

	if (b >= 1024 * 1024)
		b /= 1024 * 1024, unit = "MiB";
	else if (b >= 1024)
		b /= 1024, unit = "KiB";
	fputc('\r', stderr);
	fprintf(stderr, _("%s %s: %llu/%llu objects, %.1f %s"),
		!strcmp(phase, "push") ? _("sending to") : _("receiving from"),
		progress_line.remote ? progress_line.remote : "", (unsigned long long)done,
		(unsigned long long)total, b, unit);
	fputs("\033[K", stderr);
	fflush(stderr);
	progress_line.shown = 1;
}

static void notify_cb(const char *msg, void *ctx)
{
	progress_clear();
	fprintf(stderr, _("fieldbook: %s\n"), msg);
}

static void print_outcome(const char *what, const struct fb_sync_stats *st)
{
	printf(_("%s: pushed %lld changes, received %lld from %d device%s, %lld new conflict%s"), what,
	       (long long)st->ops_pushed, (long long)st->ops_received, st->devices, st->devices == 1 ? "" : "s",
	       (long long)(st->new_conflicts > 0 ? st->new_conflicts : 0), st->new_conflicts == 1 ? "" : "s");
	if (st->quarantined)
		printf(_(", %d branch%s quarantined (see the messages above)"), st->quarantined,
		       st->quarantined == 1 ? "" : "es");
	printf("\n");
}

#define SYNC_MAX_REMOTES 64

struct sync_all {
	const char *only;
	size_t n;
	char *names[SYNC_MAX_REMOTES], *urls[SYNC_MAX_REMOTES];
};

static int collect_cb(const char *name, const char *url, void *ctx)
{
	struct sync_all *a = ctx;

	if ((a->only && strcmp(a->only, name)) || a->n == SYNC_MAX_REMOTES)
		return 0;
	a->names[a->n] = strdup(name);
	a->urls[a->n] = strdup(url);
	if (a->names[a->n] && a->urls[a->n])
		a->n++;
	return 0;
}

static void add_stats(struct fb_sync_stats *to, const struct fb_sync_stats *from)
{
	to->ops_sealed += from->ops_sealed;
	to->ops_pushed += from->ops_pushed;
	to->ops_received += from->ops_received;
	to->devices = to->devices > from->devices ? to->devices : from->devices;
	to->new_conflicts += from->new_conflicts;
	to->quarantined += from->quarantined;
	to->branches_pushed += from->branches_pushed;
}

int cmd_sync(struct fb_store *s, int argc, char **argv)
{
	struct fb_config *cfg = NULL;
	struct fb_error err = {0};
	struct fb_sync *sync = NULL;
	struct sync_all a = {0};
	struct fb_sync_stats st[SYNC_MAX_REMOTES];
	int ok[SYNC_MAX_REMOTES];
	char path[4096], what[96];
	size_t i;
	int pass, failed = 0, publish = 0, j, rc;

	for (j = 1; j < argc; j++) {
		if (!strcmp(argv[j], "--publish"))
			publish = 1;
		else if (argv[j][0] == '-')
			return cli_usage("sync", _("unknown argument '%s'"), argv[j]);
		else if (a.only)
			return cli_usage("sync", _("sync takes at most one remote NAME"));
		else
			a.only = argv[j];
	}
	if (publish && (rc = cli_unlock_for_role(s, FB_ACT_PUBLISH)) != CLI_OK)
		return rc; /* privacy mode: coordinators publish (role.h) */
	if (load_cfg(&cfg, path, sizeof path, &err) < 0)
		return cli_fail(&err);
	each_remote(cfg, collect_cb, &a);
	fb_config_free(cfg);
	if (!a.n) {
		if (a.only)
			fprintf(stderr, _("fieldbook: there is no remote %s; `fieldbook remote list` shows them\n"), a.only);
		else
			fprintf(stderr, _("fieldbook: no remotes yet: `fieldbook remote add NAME URL` adds one, or "
					  "use `fieldbook bundle create FILE`\n"));
		return CLI_FAIL;
	}
	if (fb_sync_open(&sync, s, &err) < 0) {
		failed = 1;
		cli_fail(&err);
		goto cleanup;
	}
	fb_sync_set_notify(sync, notify_cb, NULL);
	if (isatty(STDERR_FILENO))
		fb_sync_set_progress(sync, progress_cb, NULL);
	fb_sync_set_publish(sync, publish); /* fetch (and push) main too: cli_publish.c */
	memset(st, 0, sizeof st);
	/* Pass 1 syncs each remote; pass 2 gives the earlier remotes what the later ones
	 * brought, so one run relays between a USB stick and HQ. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < a.n; i++) {
			struct fb_sync_stats one = {0};
			if (pass == 1 && (i + 1 == a.n || !ok[i]))
				continue;
			progress_line.remote = a.names[i];
			rc = fb_sync_remote(sync, a.names[i], a.urls[i], &one, &err);
			progress_clear();
			if (rc < 0) {
				fprintf(stderr, _("fieldbook: sync with %s failed: %s\n"), a.names[i], err.message);
				ok[i] = 0;
				failed = 1;
				continue;
			}
			ok[i] = 1;
			add_stats(&st[i], &one);
		}
	}
	for (i = 0; i < a.n; i++) {
		if (!ok[i])
			continue;
		snprintf(what, sizeof what, _("synced with %s"), a.names[i]);
		print_outcome(what, &st[i]);
		if (st[i].quarantined)
			failed = 1;
	}
	if (publish && cli_publish(sync, a.n, a.names, a.urls, ok) != CLI_OK)
		failed = 1;
cleanup:
	fb_sync_free(sync);
	for (i = 0; i < a.n; i++) {
		free(a.names[i]);
		free(a.urls[i]);
	}
	return failed ? CLI_FAIL : CLI_OK;
}

int cmd_bundle(struct fb_store *s, int argc, char **argv)
{
	struct fb_sync *sync = NULL;
	struct fb_sync_stats st = {0};
	struct fb_error err = {0};
	size_t nrefs = 0, nprereq = 0;
	const char *for_remote = NULL;
	int rc;

	if (argc == 5 && !strcmp(argv[1], "create") && !strcmp(argv[3], "--for")) /* only NAME lacks */
		for_remote = argv[4];
	else if (argc == 4 && !strcmp(argv[1], "create") && !strncmp(argv[3], "--for=", 6))
		for_remote = argv[3] + 6;
	else if (argc != 3 || (strcmp(argv[1], "create") && strcmp(argv[1], "read")))
		return cli_usage("bundle", _("use `fieldbook bundle create FILE [--for NAME]` or `fieldbook bundle read FILE`"));
	if (fb_sync_open(&sync, s, &err) < 0)
		return cli_fail(&err);
	fb_sync_set_notify(sync, notify_cb, NULL);
	if (!strcmp(argv[1], "create")) {
		rc = fb_sync_bundle_create_for(sync, argv[2], for_remote, &nrefs, &nprereq, &err);
		if (rc == 0 && for_remote)
			printf(_("wrote %s: the data of %zu device%s that %s does not have yet (needs %zu earlier commit%s)\n"),
			       argv[2], nrefs, nrefs == 1 ? "" : "s", for_remote, nprereq, nprereq == 1 ? "" : "s");
		else if (rc == 0)
			printf(_("wrote %s: the data of %zu device%s\n"), argv[2], nrefs, nrefs == 1 ? "" : "s");
	} else {
		rc = fb_sync_bundle_read(sync, argv[2], &st, &err);
		if (rc == 0) {
			printf(_("read %s: received %lld changes from %d device%s, %lld new conflict%s"), argv[2],
			       (long long)st.ops_received, st.devices, st.devices == 1 ? "" : "s",
			       (long long)(st.new_conflicts > 0 ? st.new_conflicts : 0), st.new_conflicts == 1 ? "" : "s");
			if (st.quarantined)
				printf(_(", %d branch%s quarantined (see the messages above)"), st.quarantined,
				       st.quarantined == 1 ? "" : "es");
			printf("\n");
		}
	}
	fb_sync_free(sync);
	if (rc < 0)
		return cli_fail(&err);
	return st.quarantined ? CLI_FAIL : CLI_OK;
}
