/* ingest.c - integrating device branches: fast-forward only, every new commit checked and
 * its change files applied to the store, quarantine with an alarm for anything else
 * (sync layer: libgit2 + core).  Contract in include/fieldbook/sync.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/changefile.h"
#include "fieldbook/i18n.h"
#include "sync_int.h"

#define WHY_MAX 600

/* Keeps target aside under refs/fieldbook/quarantine/<dev>/<n> and records an alarm,
 * unless that commit is already quarantined (a repeated sync says nothing new). */
static int quarantine(struct fb_sync *s, const char *dev, const git_oid *target, const char *source,
		      const char *why, struct fb_sync_stats *st, struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	char glob[96], name[128], hex[GIT_OID_HEXSZ + 1], detail[1200];
	long maxn = 0;
	int rc;

	snprintf(glob, sizeof glob, "refs/fieldbook/quarantine/%s/*", dev);
	if (git_reference_iterator_glob_new(&it, s->repo, glob) < 0)
		return sync_git_error(err, _("list quarantined branches"));
	while (git_reference_next(&r, it) == 0) {
		const git_oid *id = git_reference_target(r);
		const char *slash = strrchr(git_reference_name(r), '/');
		long k = slash ? strtol(slash + 1, NULL, 10) : 0;
		int same = id && git_oid_equal(id, target);
		if (k > maxn)
			maxn = k;
		git_reference_free(r);
		if (same) {
			git_reference_iterator_free(it);
			return 0;
		}
	}
	git_reference_iterator_free(it);
	snprintf(name, sizeof name, "refs/fieldbook/quarantine/%s/%ld", dev, maxn + 1);
	if ((rc = sync_ref_set(s, name, target, NULL, err)) < 0)
		return rc;
	git_oid_tostr(hex, sizeof hex, target);
	snprintf(detail, sizeof detail,
		 _("branch dev/%s from %s was not accepted: %s. Nothing was overwritten: the data "
		   "already here is unchanged and the rejected commit %.12s is kept aside as %s. "
		   "Ask HQ to look at it."),
		 dev, source, why, hex, name);
	if ((rc = fb_store_alarm(s->store, "quarantine", detail, err)) < 0)
		return rc;
	sync_notify(s, "%s", detail);
	if (st)
		st->quarantined++;
	return 0;
}

/* "log/<dev>/<bucket>/<seal>.chg" in its one canonical spelling: *seal, device in dev_out. */
static int parse_path(const char *path, char *dev_out, int64_t *seal)
{
	char want[128];
	const char *p = path + 4, *slash;
	long long n = 0;
	size_t dl;

	if (strncmp(path, "log/", 4) || !(slash = strchr(p, '/')) || (dl = (size_t)(slash - p)) != FB_ID_LEN)
		return 0;
	memcpy(dev_out, p, dl);
	dev_out[dl] = '\0';
	if (!sync_valid_device(dev_out))
		return 0;
	p = strrchr(path, '/') + 1;
	while (*p >= '0' && *p <= '9' && n < 1000000000LL)
		n = n * 10 + (*p++ - '0');
	if (n < 1 || strcmp(p, ".chg"))
		return 0;
	snprintf(want, sizeof want, "log/%s/%03lld/%06lld.chg", dev_out, n / 1000, n);
	if (strcmp(want, path))
		return 0;
	*seal = n;
	return 1;
}

/* Checks one commit of device dev's branch and applies its change files.  0 done, 1 not
 * acceptable (why says so), <0 an error of this computer (disk, database). */
static int apply_commit(struct fb_sync *s, const char *dev, git_commit *c, char *why,
			struct fb_sync_stats *st, struct fb_error *err)
{
	git_commit *parent = NULL;
	git_tree *t = NULL, *pt = NULL;
	git_diff *d = NULL;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i, n;
	int rc = 0;

	git_oid_tostr(hex, sizeof hex, git_commit_id(c));
	if (git_commit_parentcount(c) > 1) {
		snprintf(why, WHY_MAX, _("commit %.12s merges two histories, which a device branch never does"), hex);
		return 1;
	}
	if (git_commit_tree(&t, c) < 0 ||
	    (git_commit_parentcount(c) == 1 && (git_commit_parent(&parent, c, 0) < 0 || git_commit_tree(&pt, parent) < 0)) ||
	    git_diff_tree_to_tree(&d, s->repo, pt, t, NULL) < 0) {
		rc = sync_git_error(err, _("read a commit of the data repository"));
		goto cleanup;
	}
	n = git_diff_num_deltas(d);
	for (i = 0; i < n && rc == 0; i++) {
		const git_diff_delta *dl = git_diff_get_delta(d, i);
		const char *path = dl->status == GIT_DELTA_DELETED ? dl->old_file.path : dl->new_file.path;
		struct fb_changefile *cf = NULL;
		struct fb_error perr = {0};
		git_blob *b = NULL;
		char pdev[FB_ID_LEN + 1];
		int64_t seal;
		size_t applied = 0;

		if (!strcmp(path, "FORMAT") && dl->status != GIT_DELTA_DELETED) {
			if (git_blob_lookup(&b, s->repo, &dl->new_file.id) < 0) {
				rc = sync_git_error(err, _("read a file of the data repository"));
				break;
			}
			if (git_blob_rawsize(b) < 16 || memcmp(git_blob_rawcontent(b), "fieldbook-data 1\n", 17)) {
				snprintf(why, WHY_MAX, _("commit %.12s is in a data format this version does not "
							 "know (see its FORMAT file); update fieldbook"), hex);
				rc = 1;
			}
			git_blob_free(b);
			continue;
		}
		if (strncmp(path, "log/", 4))
			continue; /* README.txt, device.txt and files of later versions are carried */
		if (dl->status != GIT_DELTA_ADDED) {
			snprintf(why, WHY_MAX, _("commit %.12s %s the change file %s, which must never change"),
				 hex, dl->status == GIT_DELTA_DELETED ? _("deletes") : _("modifies"), path);
			rc = 1;
			break;
		}
		if (!parse_path(path, pdev, &seal)) {
			snprintf(why, WHY_MAX, _("commit %.12s adds %s, which is not a change file name"), hex, path);
			rc = 1;
			break;
		}
		if (strcmp(pdev, dev)) {
			snprintf(why, WHY_MAX, _("commit %.12s adds %s under another device's path"), hex, path);
			rc = 1;
			break;
		}
		if (dl->new_file.mode != GIT_FILEMODE_BLOB) {
			snprintf(why, WHY_MAX, _("commit %.12s adds %s as something other than a plain file"), hex, path);
			rc = 1;
			break;
		}
		if (git_blob_lookup(&b, s->repo, &dl->new_file.id) < 0) {
			rc = sync_git_error(err, _("read a change file"));
			break;
		}
		if ((size_t)git_blob_rawsize(b) > FB_CHANGEFILE_MAX_BYTES)
			rc = fb_error_set(&perr, FB_EINVAL, NULL, _("it is larger than %u bytes"), FB_CHANGEFILE_MAX_BYTES);
		else
			rc = fb_changefile_parse(&cf, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &perr);
		git_blob_free(b);
		if (rc == FB_ENOMEM) {
			*err = perr;
			break;
		}
		if (rc < 0 || strcmp(cf->device, dev) || cf->seal != seal) {
			snprintf(why, WHY_MAX, _("the change file %s in commit %.12s cannot be used: %s"), path, hex,
				 rc < 0 ? perr.message : _("its header names another device or seal number"));
			fb_changefile_free(cf);
			rc = 1;
			break;
		}
		rc = fb_store_apply_ops(s->store, cf->ops, cf->nops, &applied, &perr);
		fb_changefile_free(cf);
		if (rc == FB_ECORRUPT) {
			snprintf(why, WHY_MAX, _("the change file %s in commit %.12s holds changes this computer already "
						 "has with different content (two devices using one device id, e.g. a "
						 "copied disk?): %s"), path, hex, perr.message);
			rc = 1;
			break;
		}
		if (rc < 0) {
			*err = perr;
			break;
		}
		if (applied) {
			sync_seen_device(s, dev);
			if (st)
				st->ops_received += (int64_t)applied;
		}
	}
cleanup:
	git_diff_free(d);
	git_tree_free(pt);
	git_tree_free(t);
	git_commit_free(parent);
	return rc;
}

/* Applies the commits of (hide..tip] in order; after each, moves the ingest mark and (when
 * move_branch) the device branch to it.  0, 1 with why (stopped at a bad commit), <0. */
static int walk_apply(struct fb_sync *s, const char *dev, const git_oid *hide, const git_oid *tip,
		      int move_branch, char *why, struct fb_sync_stats *st, struct fb_error *err)
{
	git_revwalk *w = NULL;
	git_oid id, prev;
	char bname[64], iname[80];
	int rc = 0, g, has_prev = hide != NULL;

	snprintf(bname, sizeof bname, "refs/heads/dev/%s", dev);
	snprintf(iname, sizeof iname, "refs/fieldbook/ingested/dev/%s", dev);
	if (hide)
		prev = *hide;
	if (git_revwalk_new(&w, s->repo) < 0 || git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(w, tip) < 0 || (hide && git_revwalk_hide(w, hide) < 0)) {
		rc = sync_git_error(err, _("walk a device branch"));
		goto cleanup;
	}
	while ((g = git_revwalk_next(&id, w)) == 0) {
		git_commit *c = NULL;
		char hex[GIT_OID_HEXSZ + 1];

		if (git_commit_lookup(&c, s->repo, &id) < 0) {
			rc = sync_git_error(err, _("read a commit of the data repository"));
			break;
		}
		/* Linear history: each commit's parent is the one before it. */
		if (git_commit_parentcount(c) > 1 || (git_commit_parentcount(c) == 1) != has_prev ||
		    (has_prev && !git_oid_equal(git_commit_parent_id(c, 0), &prev))) {
			git_oid_tostr(hex, sizeof hex, &id);
			snprintf(why, WHY_MAX, _("its history is not one straight line at commit %.12s"), hex);
			git_commit_free(c);
			rc = 1;
			break;
		}
		rc = apply_commit(s, dev, c, why, st, err);
		git_commit_free(c);
		if (rc != 0)
			break;
		if ((rc = sync_ref_set(s, iname, &id, NULL, err)) < 0 ||
		    (move_branch && (rc = sync_ref_set(s, bname, &id, has_prev ? &prev : NULL, err)) < 0))
			break;
		prev = id;
		has_prev = 1;
	}
	if (rc == 0 && g != 0 && g != GIT_ITEROVER)
		rc = sync_git_error(err, _("walk a device branch"));
cleanup:
	git_revwalk_free(w);
	return rc;
}

int sync_advance(struct fb_sync *s, const char *dev, const git_oid *target, const char *source,
		 struct fb_sync_stats *st, struct fb_error *err)
{
	char bname[64], iname[80], why[WHY_MAX] = "";
	git_oid local, ing;
	int has_local, has_ing, rc;

	snprintf(bname, sizeof bname, "refs/heads/dev/%s", dev);
	snprintf(iname, sizeof iname, "refs/fieldbook/ingested/dev/%s", dev);
	if ((has_local = sync_ref_oid(s, bname, &local, err)) < 0)
		return has_local;
	if ((has_ing = sync_ref_oid(s, iname, &ing, err)) < 0)
		return has_ing;
	/* 1. What the local branch holds and SQLite does not yet. */
	if (has_local && !(has_ing && git_oid_equal(&ing, &local))) {
		if (has_ing && git_graph_descendant_of(s->repo, &local, &ing) != 1)
			has_ing = 0; /* a stale mark: ingest the whole branch again (idempotent) */
		rc = walk_apply(s, dev, has_ing ? &ing : NULL, &local, 0, why, st, err);
		if (rc == 1)
			return quarantine(s, dev, &local, _("this computer"), why, st, err);
		if (rc < 0)
			return rc;
	}
	if (!target || (has_local && git_oid_equal(target, &local)))
		return 0;
	/* 2. Fast-forward only. */
	if (has_local) {
		if (git_graph_descendant_of(s->repo, &local, target) == 1)
			return 0; /* the other side is behind */
		if (git_graph_descendant_of(s->repo, target, &local) != 1)
			return quarantine(s, dev, target, source,
					  _("its history was rewritten (it does not continue the history "
					    "this computer has)"), st, err);
	}
	rc = walk_apply(s, dev, has_local ? &local : NULL, target, 1, why, st, err);
	if (rc == 1)
		return quarantine(s, dev, target, source, why, st, err);
	return rc;
}

int sync_advance_all(struct fb_sync *s, const char *prefix, const char *source,
		     struct fb_sync_stats *st, struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	char glob[256];
	size_t plen = strlen(prefix), n = 0, i;
	struct item {
		char dev[FB_ID_LEN + 1];
		git_oid id;
	} *items = NULL;
	int rc = 0;

	snprintf(glob, sizeof glob, "%s*", prefix);
	if (git_reference_iterator_glob_new(&it, s->repo, glob) < 0)
		return sync_git_error(err, _("list device branches"));
	while (git_reference_next(&r, it) == 0) {
		const char *dev = git_reference_name(r) + plen;
		const git_oid *id = git_reference_target(r);
		void *nn;
		if (!id || !sync_valid_device(dev)) {
			sync_notify(s, _("ignored %s from %s: not a device branch"), git_reference_name(r), source);
			git_reference_free(r);
			continue;
		}
		if (!(nn = realloc(items, (n + 1) * sizeof *items))) {
			git_reference_free(r);
			rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
			break;
		}
		items = nn;
		snprintf(items[n].dev, sizeof items[n].dev, "%s", dev);
		items[n++].id = *id;
		git_reference_free(r);
	}
	git_reference_iterator_free(it);
	for (i = 0; i < n && rc == 0; i++)
		rc = sync_advance(s, items[i].dev, &items[i].id, source, st, err);
	free(items);
	return rc;
}

int fb_sync_ingest(struct fb_sync *s, struct fb_sync_stats *st, struct fb_error *err)
{
	return sync_advance_all(s, "refs/heads/dev/", _("this computer"), st, err);
}
