/* repo.c - the bare repository of the data directory: opening it, the sync lock, sealing
 * this device's ops into change files and commits, reconciling after a crash (sync layer:
 * libgit2 + core).  Contract in include/fieldbook/sync.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldbook/changefile.h"
#include "fieldbook/i18n.h"
#include "sync_int.h"

#define SEAL_BATCH 100000
#define FORMAT_TEXT "fieldbook-data 1\n"
#define README_TEXT                                                                        \
	"This repository holds fieldbook data (format: see FORMAT and fieldbook-format(5)).\n" \
	"Each device appends to its own branch dev/<device id>.  A commit adds one change\n"  \
	"file log/<device>/<bucket>/<seal>.chg: one op a line, never changed afterwards.\n"  \
	"Do not edit, rebase or force-push these branches: fieldbook quarantines a branch\n" \
	"whose history was rewritten.\n"

int sync_git_error(struct fb_error *err, const char *what)
{
	const git_error *e = git_error_last();
	const char *m = e && e->message ? e->message : "";

	if (strstr(m, "No space left on device") || strstr(m, "Disk quota exceeded"))
		return fb_error_set(err, FB_EIO, "git",
				    _("the disk is full: could not %s; free some space and sync again; "
				      "everything saved before stays on this computer"), what);
	return fb_error_set(err, FB_EIO, "git", _("could not %s: %s"), what, *m ? m : _("unknown git error"));
}

void sync_notify(struct fb_sync *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!s->notify)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->notify(buf, s->notify_ctx);
}

void fb_sync_set_notify(struct fb_sync *s, void (*cb)(const char *msg, void *ctx), void *ctx)
{
	s->notify = cb;
	s->notify_ctx = ctx;
}

int sync_valid_device(const char *id)
{
	size_t i;

	for (i = 0; i < FB_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return id[FB_ID_LEN] == '\0';
}

void sync_seen_device(struct fb_sync *s, const char *dev)
{
	size_t i;

	for (i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i], dev))
			return;
	if (s->nseen == s->capseen) {
		size_t cap = s->capseen ? s->capseen * 2 : 16;
		void *n = realloc(s->seen, cap * sizeof *s->seen);
		if (!n)
			return;
		s->seen = n;
		s->capseen = cap;
	}
	snprintf(s->seen[s->nseen++], FB_ID_LEN + 1, "%s", dev);
}

int sync_ref_oid(struct fb_sync *s, const char *name, git_oid *out, struct fb_error *err)
{
	int rc = git_reference_name_to_id(out, s->repo, name);

	if (rc == 0)
		return 1;
	if (rc == GIT_ENOTFOUND)
		return 0;
	return sync_git_error(err, _("read a branch of the data repository"));
}

int sync_ref_set(struct fb_sync *s, const char *name, const git_oid *id, const git_oid *old,
		 struct fb_error *err)
{
	git_reference *ref = NULL;
	int rc = old ? git_reference_create_matching(&ref, s->repo, name, id, 1, old, NULL)
		     : git_reference_create(&ref, s->repo, name, id, 1, NULL);

	git_reference_free(ref);
	if (rc < 0) {
		char what[256];
		snprintf(what, sizeof what, _("move %s in the data repository"), name);
		return sync_git_error(err, what);
	}
	return 0;
}

enum fb_url_kind fb_sync_url_kind(const char *url)
{
	const char *p;

	if (!url || !*url)
		return FB_URL_BAD;
	for (p = url; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return FB_URL_BAD;
	if (!strncmp(url, "ssh://", 6) || !strncmp(url, "git+ssh://", 10) || !strncmp(url, "ssh+git://", 10))
		return FB_URL_SSH;
	if (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))
		return FB_URL_HTTPS;
	if (!strncmp(url, "file://", 7))
		return url[7] == '/' ? FB_URL_PATH : FB_URL_BAD;
	if (strstr(url, "://"))
		return FB_URL_BAD;
	/* scp-like user@host:path (a ':' before any '/') */
	p = strchr(url, ':');
	if (p && (!strchr(url, '/') || p < strchr(url, '/')))
		return FB_URL_SSH;
	return FB_URL_PATH;
}

/* Packs libgit2 builds from this repository (ssh and https pushes, bundle files) get no
 * delta search: change files do not delta against each other, and the search over 10 MB
 * files took 40 s of a 1M-op push (5 s without).  libgit2 1.5 has no option for it and
 * reads its big-file threshold (objects above it are never deltified) from the key
 * pack.deltaCacheSize (pack-objects.c, packbuilder_config); pack.bigFileThreshold is set
 * too for versions that read the right key.  Best effort: a read-only repository only
 * loses speed.  Path remotes do not use the pack builder at all (pathsync.c). */
static void no_delta_search(git_repository *repo)
{
	static const char *const keys[] = {"pack.deltaCacheSize", "pack.bigFileThreshold"};
	git_config *cfg = NULL;
	int64_t v;
	size_t i;

	if (git_repository_config(&cfg, repo) < 0)
		return;
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		if (git_config_get_int64(&v, cfg, keys[i]) < 0 || v != 1)
			git_config_set_int64(cfg, keys[i], 1);
	git_config_free(cfg);
	git_error_clear();
}

/* Removes *.lock files in the repository dir, below refs/ (depth-limited) and in
 * objects/pack/, with what a killed fetch leaves there: libgit2's pack_git2_* temporary
 * packs, which `git fsck` calls garbage. */
enum lock_dir { LD_ROOT, LD_REFS, LD_OBJECTS, LD_PACK };

static void remove_stale_locks(const char *dir, enum lock_dir where, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[4608];
		size_t n = strlen(e->d_name);
		struct stat sb;
		if (e->d_name[0] == '.' || (size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p)
			continue;
		if (lstat(p, &sb) != 0)
			continue;
		if (S_ISREG(sb.st_mode) && where != LD_OBJECTS &&
		    ((n > 5 && !strcmp(e->d_name + n - 5, ".lock")) ||
		     (where == LD_PACK && sync_is_temp_pack(e->d_name))))
			unlink(p);
		else if (S_ISDIR(sb.st_mode) && depth < 8) {
			if (where == LD_ROOT && !strcmp(e->d_name, "refs"))
				remove_stale_locks(p, LD_REFS, depth + 1);
			else if (where == LD_ROOT && !strcmp(e->d_name, "objects"))
				remove_stale_locks(p, LD_OBJECTS, depth + 1);
			else if (where == LD_OBJECTS && !strcmp(e->d_name, "pack"))
				remove_stale_locks(p, LD_PACK, depth + 1);
			else if (where == LD_REFS)
				remove_stale_locks(p, LD_REFS, depth + 1);
		}
	}
	closedir(d);
}

static int take_lock(struct fb_sync *s, const char *dir, struct fb_error *err)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/sync.lock", dir);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0)
		return fb_error_set(err, FB_EIO, "sync", _("cannot open %s: %s"), path, strerror(errno));
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return fb_error_set(err, FB_EIO, "sync",
				    _("another fieldbook is syncing this data right now; try again when "
				      "it has finished"));
	return 0;
}

int fb_sync_open(struct fb_sync **out, struct fb_store *store, struct fb_error *err)
{
	struct fb_sync *s;
	git_repository_init_options o;
	char path[4096], head[64];
	int rc;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	s->lock_fd = -1;
	s->store = store;
	git_libgit2_init();
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	snprintf(s->me, sizeof s->me, "%s", fb_store_device(store));
	snprintf(s->own_ref, sizeof s->own_ref, "refs/heads/dev/%s", s->me);
	if ((rc = take_lock(s, fb_store_dir(store), err)) < 0)
		goto fail;
	if ((size_t)snprintf(path, sizeof path, "%s/repo.git", fb_store_dir(store)) >= sizeof path) {
		rc = fb_error_set(err, FB_EINVAL, "sync", _("the data directory path is too long"));
		goto fail;
	}
	if (git_repository_open_ext(&s->repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
				    NULL) < 0) {
		struct stat sb;
		if (stat(path, &sb) == 0) {
			rc = sync_git_error(err, _("open the data repository"));
			goto fail;
		}
		snprintf(head, sizeof head, "dev/%s", s->me);
		o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_NO_REINIT | GIT_REPOSITORY_INIT_MKDIR;
		o.mode = GIT_REPOSITORY_INIT_SHARED_UMASK;
		o.initial_head = head;
		o.description = "fieldbook data: one branch per device (dev/<device id>)\n";
		if (git_repository_init_ext(&s->repo, path, &o) < 0) {
			rc = sync_git_error(err, _("create the data repository"));
			goto fail;
		}
		chmod(path, 0700); /* the data directory is 0700 already; this keeps it so if moved */
	}
	/* We hold the sync lock, so no other fieldbook uses the repository: a *.lock file
	 * left in it is from a sync that was killed (libgit2 writes X.lock, then renames it). */
	remove_stale_locks(path, LD_ROOT, 0);
	no_delta_search(s->repo);
	if ((rc = sync_reconcile(s, err)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	fb_sync_free(s);
	return rc;
}

void fb_sync_free(struct fb_sync *s)
{
	if (!s)
		return;
	git_repository_free(s->repo);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s->seen);
	free(s);
	git_libgit2_shutdown();
}

/* ---- change file paths ---- */

static void seal_path(char *buf, size_t cap, const char *dev, int64_t seal)
{
	snprintf(buf, cap, "log/%s/%03lld/%06lld.chg", dev, (long long)(seal / 1000), (long long)seal);
}

/* ---- reconcile: seal files in git beyond SQLite's seal number ---- */

static int read_blob_at(struct fb_sync *s, git_tree *tree, const char *path, git_blob **out)
{
	git_tree_entry *e = NULL;
	int rc = git_tree_entry_bypath(&e, tree, path);

	*out = NULL;
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = git_blob_lookup(out, s->repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return rc < 0 ? rc : 1;
}

int sync_reconcile(struct fb_sync *s, struct fb_error *err)
{
	git_commit *tip = NULL;
	git_tree *tree = NULL;
	git_oid oid;
	int64_t seal = 0;
	int rc;

	if ((rc = fb_store_state_get_int(s->store, "seal", &seal, err)) < 0)
		return rc;
	if ((rc = sync_ref_oid(s, s->own_ref, &oid, err)) <= 0)
		return rc;
	if (git_commit_lookup(&tip, s->repo, &oid) < 0 || git_commit_tree(&tree, tip) < 0) {
		rc = sync_git_error(err, _("read this device's branch"));
		goto cleanup;
	}
	for (;;) {
		char path[128];
		git_blob *blob = NULL;
		struct fb_changefile *cf = NULL;

		seal_path(path, sizeof path, s->me, seal + 1);
		if ((rc = read_blob_at(s, tree, path, &blob)) < 0) {
			rc = sync_git_error(err, _("read this device's branch"));
			goto cleanup;
		}
		if (rc == 0)
			break;
		rc = fb_changefile_parse(&cf, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), err);
		git_blob_free(blob);
		if (rc < 0)
			goto cleanup;
		/* A laptop restored from the remote has the branch but not the ops. */
		if ((rc = fb_store_apply_ops(s->store, cf->ops, cf->nops, NULL, err)) < 0 ||
		    (rc = fb_store_mark_sealed(s->store, cf->ops, cf->nops, seal + 1, err)) < 0 ||
		    (rc = fb_store_state_set_int(s->store, "seal", seal + 1, err)) < 0) {
			fb_changefile_free(cf);
			goto cleanup;
		}
		fb_changefile_free(cf);
		seal++;
	}
	rc = 0;
cleanup:
	git_tree_free(tree);
	git_commit_free(tip);
	return rc;
}

/* ---- seal ---- */

struct collect {
	struct fb_op *ops;
	size_t n, cap;
	int failed;
};

static char *dup_s(const char *s)
{
	return strdup(s ? s : "");
}

static int collect_cb(const struct fb_op *op, void *ctx)
{
	struct collect *c = ctx;
	struct fb_op *o;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		void *n = realloc(c->ops, cap * sizeof *c->ops);
		if (!n) {
			c->failed = 1;
			return 1;
		}
		c->ops = n;
		c->cap = cap;
	}
	o = &c->ops[c->n++];
	memset(o, 0, sizeof *o);
	o->hlc = op->hlc;
	if (!(o->id = dup_s(op->id)) || !(o->author = dup_s(op->author)) || !(o->kind = dup_s(op->kind)) ||
	    !(o->rec = dup_s(op->rec)) || !(o->field = dup_s(op->field)) || !(o->value = dup_s(op->value)) ||
	    !(o->pred = dup_s(op->pred))) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free((char *)c->ops[i].id);
		free((char *)c->ops[i].author);
		free((char *)c->ops[i].kind);
		free((char *)c->ops[i].rec);
		free((char *)c->ops[i].field);
		free((char *)c->ops[i].value);
		free((char *)c->ops[i].pred);
	}
	free(c->ops);
	memset(c, 0, sizeof *c);
}

/* One line of device.txt: control characters become spaces. */
static void put_line(char *buf, size_t cap, const char *key, const char *v)
{
	size_t n = strlen(buf);
	char *p;

	snprintf(buf + n, cap - n, "%s %s\n", key, v ? v : "");
	for (p = buf + n; *p && p[1]; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

static int seal_one(struct fb_sync *s, struct collect *c, int64_t seal, struct fb_error *err)
{
	git_oid tip_id, tree_id, blob_id, fmt_id, dev_id, readme_id, commit_id, ing;
	git_commit *tip = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_tree_update up[4];
	char *text = NULL, path[128], msg[128], devtxt[1024] = "";
	size_t len = 0, nup = 0, i;
	int64_t ms = 0;
	int rc, has_tip, has_ing;
	const git_commit *parents[1];

	if ((rc = fb_changefile_write(&text, &len, s->me, seal, c->ops, c->n, err)) < 0)
		return rc;
	if ((has_tip = sync_ref_oid(s, s->own_ref, &tip_id, err)) < 0) {
		rc = has_tip;
		goto cleanup;
	}
	if (has_tip) {
		if (git_commit_lookup(&tip, s->repo, &tip_id) < 0 || git_commit_tree(&base, tip) < 0)
			goto git_fail;
	} /* else base stays NULL: git_tree_create_updated starts from an empty tree */
	if (git_blob_create_from_buffer(&blob_id, s->repo, text, len) < 0 ||
	    git_blob_create_from_buffer(&fmt_id, s->repo, FORMAT_TEXT, strlen(FORMAT_TEXT)) < 0)
		goto git_fail;
	seal_path(path, sizeof path, s->me, seal);
	memset(up, 0, sizeof up);
	up[nup].action = GIT_TREE_UPDATE_UPSERT;
	up[nup].id = blob_id;
	up[nup].filemode = GIT_FILEMODE_BLOB;
	up[nup++].path = path;
	up[nup].action = GIT_TREE_UPDATE_UPSERT;
	up[nup].id = fmt_id;
	up[nup].filemode = GIT_FILEMODE_BLOB;
	up[nup++].path = "FORMAT";
	if (!has_tip) {
		put_line(devtxt, sizeof devtxt, "id", s->me);
		put_line(devtxt, sizeof devtxt, "label", fb_store_label(s->store));
		put_line(devtxt, sizeof devtxt, "team", fb_store_team(s->store));
		if (git_blob_create_from_buffer(&dev_id, s->repo, devtxt, strlen(devtxt)) < 0 ||
		    git_blob_create_from_buffer(&readme_id, s->repo, README_TEXT, strlen(README_TEXT)) < 0)
			goto git_fail;
		up[nup].action = GIT_TREE_UPDATE_UPSERT;
		up[nup].id = dev_id;
		up[nup].filemode = GIT_FILEMODE_BLOB;
		up[nup++].path = "device.txt";
		up[nup].action = GIT_TREE_UPDATE_UPSERT;
		up[nup].id = readme_id;
		up[nup].filemode = GIT_FILEMODE_BLOB;
		up[nup++].path = "README.txt";
	}
	if (git_tree_create_updated(&tree_id, s->repo, base, nup, up) < 0 ||
	    git_tree_lookup(&tree, s->repo, &tree_id) < 0)
		goto git_fail;
	for (i = 0; i < c->n; i++)
		if ((c->ops[i].hlc >> 16) > ms)
			ms = c->ops[i].hlc >> 16;
	{
		char email[64];
		snprintf(email, sizeof email, "%s@fieldbook", s->me);
		if (git_signature_new(&sig, "fieldbook", email, (git_time_t)(ms / 1000), 0) < 0)
			goto git_fail;
	}
	snprintf(msg, sizeof msg, "seal %lld: %zu ops\n", (long long)seal, c->n);
	parents[0] = tip;
	if (git_commit_create(&commit_id, s->repo, NULL, sig, sig, NULL, msg, tree, has_tip ? 1 : 0, parents) < 0)
		goto git_fail;
	/* Git first (compare-and-swap on the branch: fast-forward only)... */
	if ((rc = sync_ref_set(s, s->own_ref, &commit_id, has_tip ? &tip_id : NULL, err)) < 0)
		goto cleanup;
	/* ...then SQLite. */
	if ((rc = fb_store_mark_sealed(s->store, c->ops, c->n, seal, err)) < 0 ||
	    (rc = fb_store_state_set_int(s->store, "seal", seal, err)) < 0)
		goto cleanup;
	/* Our own ops need no ingesting: move the ingest mark along when it was at the tip. */
	{
		char iname[64];
		snprintf(iname, sizeof iname, "refs/fieldbook/ingested/dev/%s", s->me);
		has_ing = sync_ref_oid(s, iname, &ing, NULL);
		if ((has_ing == 1 && has_tip && git_oid_equal(&ing, &tip_id)) || (has_ing == 0 && !has_tip))
			sync_ref_set(s, iname, &commit_id, NULL, NULL);
	}
	rc = 0;
	goto cleanup;
git_fail:
	rc = sync_git_error(err, _("write a change file into the data repository"));
cleanup:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(tip);
	free(text);
	return rc;
}

int fb_sync_seal(struct fb_sync *s, struct fb_sync_stats *st, struct fb_error *err)
{
	struct collect c = {0};
	int64_t seal;
	int rc;

	if ((rc = sync_reconcile(s, err)) < 0)
		return rc;
	for (;;) {
		if ((rc = fb_store_state_get_int(s->store, "seal", &seal, err)) < 0)
			return rc;
		rc = fb_store_unsealed_ops(s->store, SEAL_BATCH, collect_cb, &c, err);
		if (c.failed) {
			collect_free(&c);
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		}
		if (rc < 0 || c.n == 0)
			break;
		rc = seal_one(s, &c, seal + 1, err);
		if (rc == 0 && st)
			st->ops_sealed += (int64_t)c.n;
		collect_free(&c);
		if (rc < 0)
			break;
	}
	collect_free(&c);
	return rc;
}

/* ---- counting ops in change files ---- */

/* The N of the "ops N" header line, without parsing the whole file. */
static int64_t header_ops(const char *p, size_t n)
{
	size_t i = 0;
	int line = 0;

	while (i < n && line < 3) {
		const char *nl = memchr(p + i, '\n', n - i);
		if (!nl)
			return 0;
		i = (size_t)(nl - p) + 1;
		line++;
	}
	if (i + 4 < n && !memcmp(p + i, "ops ", 4))
		return strtoll(p + i + 4, NULL, 10);
	return 0;
}

int sync_count_ops(struct fb_sync *s, const git_oid *hide, const git_oid *tip, int64_t *out,
		   struct fb_error *err)
{
	git_revwalk *w = NULL;
	git_oid id;
	int rc = 0;

	*out = 0;
	if (git_revwalk_new(&w, s->repo) < 0 || git_revwalk_push(w, tip) < 0 ||
	    (hide && git_revwalk_hide(w, hide) < 0)) {
		rc = sync_git_error(err, _("walk a branch of the data repository"));
		goto cleanup;
	}
	while ((rc = git_revwalk_next(&id, w)) == 0) {
		git_commit *c = NULL, *p = NULL;
		git_tree *t = NULL, *pt = NULL;
		git_diff *d = NULL;
		size_t i, n;

		if (git_commit_lookup(&c, s->repo, &id) < 0 || git_commit_tree(&t, c) < 0 ||
		    (git_commit_parentcount(c) > 0 &&
		     (git_commit_parent(&p, c, 0) < 0 || git_commit_tree(&pt, p) < 0)) ||
		    git_diff_tree_to_tree(&d, s->repo, pt, t, NULL) < 0) {
			rc = -1;
		} else {
			n = git_diff_num_deltas(d);
			for (i = 0; i < n; i++) {
				const git_diff_delta *dl = git_diff_get_delta(d, i);
				git_blob *b = NULL;
				if (dl->status != GIT_DELTA_ADDED || strncmp(dl->new_file.path, "log/", 4))
					continue;
				if (git_blob_lookup(&b, s->repo, &dl->new_file.id) == 0)
					*out += header_ops(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
				git_blob_free(b);
			}
		}
		git_diff_free(d);
		git_tree_free(pt);
		git_tree_free(t);
		git_commit_free(p);
		git_commit_free(c);
		if (rc < 0)
			break;
	}
	if (rc == GIT_ITEROVER)
		rc = 0;
	else if (rc < 0)
		rc = sync_git_error(err, _("count the changes to send"));
cleanup:
	git_revwalk_free(w);
	return rc;
}
