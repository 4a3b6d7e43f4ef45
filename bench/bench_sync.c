/* bench_sync.c - the C side of bench/bench_sync.sh (DESIGN section 6): what the command
 * line cannot do or cannot time on its own.
 *
 *   bench_sync seed DIR OPS_PER_FILE
 *       Puts the ops of every other device that the store in DIR holds (e.g. the 1M
 *       generated records of bench/run, which arrived as a foreign device's ops) into
 *       DIR/repo.git as that device would have sealed them: change files of OPS_PER_FILE
 *       ops, one commit each, on refs/heads/dev/<device>, and marks them ingested
 *       (refs/fieldbook/ingested/dev/<device>), so the store is a laptop that has
 *       synced them.  Written with libgit2 and the core's canonical change-file writer.
 *   bench_sync ingest DIR
 *       Times fb_sync_ingest: the ops of the device branches in DIR/repo.git that the
 *       store does not hold yet (fetched there beforehand by `git fetch`).  Prints
 *       "ops <N> seconds <S>".
 *   bench_sync phases DIR NAME URL
 *       Times one sync in its parts: fb_store_open, fb_sync_open, fb_sync_seal and
 *       fb_sync_remote (fetch, integrate, push).  Prints "<part> <ms>" lines and the
 *       counts.
 */
#include <git2.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldbook/changefile.h"
#include "fieldbook/store.h"
#include "fieldbook/sync.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, msg);
	exit(1);
}

static void die_git(const char *what)
{
	const git_error *e = git_error_last();
	die(what, e && e->message ? e->message : "git error");
}

/* ---------------------------------------------------------------- seed */

struct dev_buf {
	char dev[FB_ID_LEN + 1];
	struct fb_op *ops;
	size_t n, cap;
	int64_t seal, total;
	git_oid tip;
	int has_tip;
};

struct seed {
	const char *me;
	git_repository *repo;
	size_t per_file;
	struct dev_buf devs[16];
	size_t ndevs;
	int64_t seen;
};

static char *xdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		die("seed", "out of memory");
	return d;
}

static void free_ops(struct dev_buf *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free((char *)d->ops[i].id);
		free((char *)d->ops[i].author);
		free((char *)d->ops[i].kind);
		free((char *)d->ops[i].rec);
		free((char *)d->ops[i].field);
		free((char *)d->ops[i].value);
		free((char *)d->ops[i].pred);
	}
	d->n = 0;
}

static void put_blob(git_repository *repo, git_oid *out, const char *text, size_t len)
{
	if (git_blob_create_from_buffer(out, repo, text, len) < 0)
		die_git("write a blob");
}

/* One change file and one commit on dev/<dev>, as the device's own seal would make them. */
static void flush(struct seed *s, struct dev_buf *d)
{
	git_oid blob, fmt, devtxt, tree_id, commit_id;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_tree_update up[3];
	struct fb_error err = {0};
	char *text = NULL, path[128], msg[96], email[64], dt[128];
	size_t len = 0, nup = 0, i;
	int64_t ms = 0;
	const git_commit *parents[1];

	if (!d->n)
		return;
	d->seal++;
	if (fb_changefile_write(&text, &len, d->dev, d->seal, d->ops, d->n, &err) < 0)
		die("change file", err.message);
	put_blob(s->repo, &blob, text, len);
	free(text);
	snprintf(path, sizeof path, "log/%s/%03" PRId64 "/%06" PRId64 ".chg", d->dev, d->seal / 1000, d->seal);
	memset(up, 0, sizeof up);
	up[nup].action = GIT_TREE_UPDATE_UPSERT;
	up[nup].id = blob;
	up[nup].filemode = GIT_FILEMODE_BLOB;
	up[nup++].path = path;
	if (!d->has_tip) {
		put_blob(s->repo, &fmt, "fieldbook-data 1\n", 17);
		snprintf(dt, sizeof dt, "id %s\nlabel generated\nteam \n", d->dev);
		put_blob(s->repo, &devtxt, dt, strlen(dt));
		up[nup].action = GIT_TREE_UPDATE_UPSERT;
		up[nup].id = fmt;
		up[nup].filemode = GIT_FILEMODE_BLOB;
		up[nup++].path = "FORMAT";
		up[nup].action = GIT_TREE_UPDATE_UPSERT;
		up[nup].id = devtxt;
		up[nup].filemode = GIT_FILEMODE_BLOB;
		up[nup++].path = "device.txt";
	} else if (git_commit_lookup(&parent, s->repo, &d->tip) < 0 || git_commit_tree(&base, parent) < 0) {
		die_git("read the branch");
	}
	if (git_tree_create_updated(&tree_id, s->repo, base, nup, up) < 0 ||
	    git_tree_lookup(&tree, s->repo, &tree_id) < 0)
		die_git("write a tree");
	for (i = 0; i < d->n; i++)
		if ((d->ops[i].hlc >> 16) > ms)
			ms = d->ops[i].hlc >> 16;
	snprintf(email, sizeof email, "%s@fieldbook", d->dev);
	if (git_signature_new(&sig, "fieldbook", email, (git_time_t)(ms / 1000), 0) < 0)
		die_git("make a signature");
	snprintf(msg, sizeof msg, "seal %" PRId64 ": %zu ops\n", d->seal, d->n);
	parents[0] = parent;
	if (git_commit_create(&commit_id, s->repo, NULL, sig, sig, NULL, msg, tree, parent ? 1 : 0, parents) < 0)
		die_git("write a commit");
	d->tip = commit_id;
	d->has_tip = 1;
	d->total += (int64_t)d->n;
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	free_ops(d);
	fprintf(stderr, "\rbench_sync seed: %s seal %" PRId64 " (%" PRId64 " ops)   ", d->dev, d->seal, d->total);
}

static int seed_cb(const struct fb_op *op, void *ctx)
{
	struct seed *s = ctx;
	const char *colon = strchr(op->id, ':');
	struct dev_buf *d = NULL;
	struct fb_op *o;
	size_t i;

	s->seen++;
	if (!colon || (size_t)(colon - op->id) != FB_ID_LEN || !strncmp(op->id, s->me, FB_ID_LEN))
		return 0; /* this device's own ops are sealed by fieldbook itself */
	for (i = 0; i < s->ndevs; i++)
		if (!strncmp(s->devs[i].dev, op->id, FB_ID_LEN))
			d = &s->devs[i];
	if (!d) {
		if (s->ndevs == sizeof s->devs / sizeof *s->devs)
			die("seed", "more than 16 other devices");
		d = &s->devs[s->ndevs++];
		memcpy(d->dev, op->id, FB_ID_LEN);
		d->dev[FB_ID_LEN] = '\0';
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4096;
		if (!(d->ops = realloc(d->ops, d->cap * sizeof *d->ops)))
			die("seed", "out of memory");
	}
	o = &d->ops[d->n++];
	o->id = xdup(op->id);
	o->hlc = op->hlc;
	o->author = xdup(op->author);
	o->kind = xdup(op->kind);
	o->rec = xdup(op->rec);
	o->field = xdup(op->field);
	o->value = xdup(op->value);
	o->pred = xdup(op->pred);
	if (d->n == s->per_file)
		flush(s, d);
	return 0;
}

static void set_ref(git_repository *repo, const char *name, const git_oid *id)
{
	git_reference *r = NULL;

	if (git_reference_create(&r, repo, name, id, 1, "bench seed") < 0)
		die_git("set a ref");
	git_reference_free(r);
}

static int cmd_seed(const char *dir, size_t per_file)
{
	struct fb_store *store = NULL;
	struct fb_sync *sync = NULL;
	struct fb_error err = {0};
	struct seed s;
	char path[4096], ref[128];
	size_t i;
	double t0 = now_ms();

	memset(&s, 0, sizeof s);
	s.per_file = per_file;
	if (fb_store_open(&store, dir, &err) < 0)
		die(dir, err.message);
	s.me = fb_store_device(store);
	/* fb_sync_open creates DIR/repo.git as fieldbook does */
	if (fb_sync_open(&sync, store, &err) < 0)
		die("open the repository", err.message);
	fb_sync_free(sync);
	git_libgit2_init();
	snprintf(path, sizeof path, "%s/repo.git", dir);
	if (git_repository_open_bare(&s.repo, path) < 0)
		die_git(path);
	if (fb_store_each_op(store, seed_cb, &s, &err) < 0)
		die("read the ops", err.message);
	for (i = 0; i < s.ndevs; i++) {
		flush(&s, &s.devs[i]);
		if (!s.devs[i].has_tip)
			continue;
		snprintf(ref, sizeof ref, "refs/heads/dev/%s", s.devs[i].dev);
		set_ref(s.repo, ref, &s.devs[i].tip);
		snprintf(ref, sizeof ref, "refs/fieldbook/ingested/dev/%s", s.devs[i].dev);
		set_ref(s.repo, ref, &s.devs[i].tip);
		printf("device %s: %" PRId64 " ops in %" PRId64 " change files\n", s.devs[i].dev, s.devs[i].total,
		       s.devs[i].seal);
		free(s.devs[i].ops);
	}
	fprintf(stderr, "\n");
	printf("seeded from %" PRId64 " ops in %.1f s\n", s.seen, (now_ms() - t0) / 1000);
	git_repository_free(s.repo);
	git_libgit2_shutdown();
	fb_store_free(store);
	return 0;
}

/* ---------------------------------------------------------------- ingest, phases */

static int cmd_ingest(const char *dir)
{
	struct fb_store *store = NULL;
	struct fb_sync *sync = NULL;
	struct fb_sync_stats st = {0};
	struct fb_error err = {0};
	double t0, t1;

	if (fb_store_open(&store, dir, &err) < 0)
		die(dir, err.message);
	if (fb_sync_open(&sync, store, &err) < 0)
		die("open the repository", err.message);
	t0 = now_ms();
	if (fb_sync_ingest(sync, &st, &err) < 0)
		die("ingest", err.message);
	t1 = now_ms();
	printf("ops %" PRId64 " seconds %.3f\n", st.ops_received, (t1 - t0) / 1000);
	fb_sync_free(sync);
	fb_store_free(store);
	return 0;
}

static int cmd_phases(const char *dir, const char *name, const char *url)
{
	struct fb_store *store = NULL;
	struct fb_sync *sync = NULL;
	struct fb_sync_stats st = {0};
	struct fb_error err = {0};
	double t0, t1, t2, t3, t4;
	int64_t sealed;

	t0 = now_ms();
	if (fb_store_open(&store, dir, &err) < 0)
		die(dir, err.message);
	t1 = now_ms();
	if (fb_sync_open(&sync, store, &err) < 0)
		die("open the repository", err.message);
	t2 = now_ms();
	if (fb_sync_seal(sync, &st, &err) < 0)
		die("seal", err.message);
	sealed = st.ops_sealed;
	t3 = now_ms();
	if (fb_sync_remote(sync, name, url, &st, &err) < 0)
		die("sync", err.message);
	t4 = now_ms();
	printf("store_open %.2f\nsync_open %.2f\nseal %.2f\nremote %.2f\nsealed %" PRId64 "\npushed %" PRId64
	       "\nreceived %" PRId64 "\n",
	       t1 - t0, t2 - t1, t3 - t2, t4 - t3, sealed, st.ops_pushed, st.ops_received);
	fb_sync_free(sync);
	fb_store_free(store);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "seed"))
		return cmd_seed(argv[2], (size_t)strtoul(argv[3], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "ingest"))
		return cmd_ingest(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "phases"))
		return cmd_phases(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: bench_sync seed DIR OPS_PER_FILE | ingest DIR | phases DIR NAME URL\n");
	return 2;
}
