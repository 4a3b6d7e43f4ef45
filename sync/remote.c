/* remote.c - sync with a remote repository: fetch into staging refs, integrate, seal,
 * push this device's branch then relayed branches (sync layer: libgit2 + core).  How the
 * remote is reached (path in this process; ssh and https in a watched child process) is
 * transport.c's business.  Contract in include/fieldbook/sync.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldbook/i18n.h"
#include "sync_int.h"

#define PUSH_ROUNDS 3

int fb_sync_remote_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 1 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
		      name[i] == '-'))
			return 0;
	return 1;
}

static int check_path_remote(const char *name, const char *url, struct fb_error *err)
{
	const char *path = strncmp(url, "file://", 7) ? url : url + 7;
	char p[4096];
	struct stat sb;

	snprintf(p, sizeof p, "%s/objects", path);
	if (stat(path, &sb) < 0)
		return fb_error_set(err, FB_EIO, "remote",
				    _("the remote %s is not there: %s does not exist (is the USB stick "
				      "plugged in?); everything stays saved on this computer"), name, path);
	if (stat(p, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return fb_error_set(err, FB_EIO, "remote",
				    _("the remote %s (%s) is not a bare git repository; make one with "
				      "`git init --bare %s`"), name, path, path);
	return 0;
}

struct push_result {
	int rejected;
	char msg[512];
};

static int do_fetch(struct fb_sync *s, const struct sync_remote_cfg *remote, const char *name,
		    struct fb_error *err)
{
	char spec[256], mspec[256];
	char *specs[2] = {spec, mspec};
	git_strarray arr = {specs, 1};

	snprintf(spec, sizeof spec, "+refs/heads/dev/*:refs/fieldbook/staging/%s/dev/*", name);
	snprintf(mspec, sizeof mspec, "+refs/heads/main:refs/fieldbook/staging/%s/main", name);
	if (s->publish) /* HQ's snapshot branch too (publish.c) */
		arr.count = 2;
	return sync_transport_fetch(s, remote, arr.strings, arr.count, err);
}

struct push_item {
	char dev[FB_ID_LEN + 1];
	git_oid local;
	int has_remote;
	git_oid remote;
};

/* Device branches to push, own first: those strictly ahead of what the remote has. */
static int push_list(struct fb_sync *s, const char *name, struct push_item **out, size_t *nout,
		     struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	struct push_item *items = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (git_reference_iterator_glob_new(&it, s->repo, "refs/heads/dev/*") < 0)
		return sync_git_error(err, _("list device branches"));
	while (rc == 0 && git_reference_next(&r, it) == 0) {
		const char *dev = git_reference_name(r) + 15;
		const git_oid *id = git_reference_target(r);
		struct push_item it2;
		char sname[160];
		int h;

		if (id && sync_valid_device(dev)) {
			memset(&it2, 0, sizeof it2);
			snprintf(it2.dev, sizeof it2.dev, "%s", dev);
			it2.local = *id;
			snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/dev/%s", name, dev);
			h = sync_ref_oid(s, sname, &it2.remote, err);
			if (h < 0)
				rc = h;
			it2.has_remote = h == 1;
			/* Our own branch is ours alone: if the remote's copy is not an ancestor of
			 * ours, another computer writes under this device id (a copied disk). */
			if (rc == 0 && it2.has_remote && !strcmp(dev, s->me) &&
			    !git_oid_equal(&it2.remote, &it2.local) &&
			    git_graph_descendant_of(s->repo, &it2.local, &it2.remote) != 1) {
				char msg[FB_ERROR_MESSAGE_MAX];
				snprintf(msg, sizeof msg,
					 _("another computer uses this device's id %s (a copied disk image?): "
					   "remote %s holds changes under this id that this computer did not make. "
					   "Nothing was overwritten and this computer's changes stay here; stop "
					   "using one of the two copies and ask HQ (fieldbook bundle create gives "
					   "HQ this computer's data)"),
					 s->me, name);
				fb_store_alarm(s->store, "cloned-device", msg, NULL);
				rc = fb_error_set(err, FB_ECORRUPT, "device", "%s", msg);
			}
			if (rc == 0 && (!it2.has_remote ||
					(!git_oid_equal(&it2.remote, &it2.local) &&
					 git_graph_descendant_of(s->repo, &it2.local, &it2.remote) == 1))) {
				void *nn = realloc(items, (n + 1) * sizeof *items);
				if (!nn) {
					rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
				} else {
					items = nn;
					if (!strcmp(dev, s->me) && n > 0) { /* own branch first */
						items[n] = items[0];
						items[0] = it2;
					} else {
						items[n] = it2;
					}
					n++;
				}
			}
		}
		git_reference_free(r);
	}
	git_reference_iterator_free(it);
	if (rc == 0 && s->publish) { /* HQ's snapshot branch (publish.c), when strictly ahead */
		struct push_item m;
		char sname[160];
		int h;
		memset(&m, 0, sizeof m);
		snprintf(m.dev, sizeof m.dev, "main");
		snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/main", name);
		if ((h = sync_ref_oid(s, "refs/heads/main", &m.local, err)) == 1 &&
		    (h = sync_ref_oid(s, sname, &m.remote, err)) >= 0) {
			m.has_remote = h == 1;
			if (!m.has_remote || (!git_oid_equal(&m.remote, &m.local) &&
					      git_graph_descendant_of(s->repo, &m.local, &m.remote) == 1)) {
				void *nn = realloc(items, (n + 1) * sizeof *items);
				if (!nn)
					h = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
				else
					(items = nn)[n++] = m;
			}
		}
		if (h < 0)
			rc = h;
	}
	if (rc < 0) {
		free(items);
		return rc;
	}
	*out = items;
	*nout = n;
	return 0;
}

/* Pushes the branches in items (own first, then the relayed ones in one go).  Returns 1 when
 * the remote rejected any (it moved meanwhile: fetch again), 0, or <0. */
static int do_push(struct fb_sync *s, const struct sync_remote_cfg *remote, const char *name,
		   struct push_item *items, size_t n, struct fb_sync_stats *st, char *why, size_t whycap,
		   struct fb_error *err)
{
	size_t i, start = 0;
	int rejected = 0, rc;

	while (start < n) {
		size_t end = (start == 0 && !strcmp(items[0].dev, s->me)) ? 1 : n;
		char **specs = calloc(end - start, sizeof *specs);
		struct push_result pr = {0};
		int64_t ops = 0, c;

		if (!specs)
			return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		for (i = start; i < end; i++) {
			specs[i - start] = malloc(80);
			if (!specs[i - start]) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
				goto free_specs;
			}
			if (!strcmp(items[i].dev, "main")) { /* publish.c's snapshot branch */
				snprintf(specs[i - start], 80, "refs/heads/main:refs/heads/main");
				continue;
			}
			snprintf(specs[i - start], 80, "refs/heads/dev/%s:refs/heads/dev/%s", items[i].dev, items[i].dev);
			if ((rc = sync_count_ops(s, items[i].has_remote ? &items[i].remote : NULL, &items[i].local, &c,
						 err)) < 0)
				goto free_specs;
			ops += c;
		}
		/* a refused ref (non-fast-forward: the remote moved meanwhile) is pr.rejected */
		if ((rc = sync_transport_push(s, remote, specs, end - start, &pr.rejected, pr.msg, sizeof pr.msg,
					      err)) < 0)
			goto free_specs;
		if (pr.rejected) {
			rejected = 1;
			snprintf(why, whycap, "%s", pr.msg);
		} else {
			for (i = start; i < end; i++) {
				char sname[160];
				if (!strcmp(items[i].dev, "main"))
					snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/main", name);
				else
					snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/dev/%s", name, items[i].dev);
				if ((rc = sync_ref_set(s, sname, &items[i].local, NULL, err)) < 0)
					goto free_specs;
			}
			if (st) {
				st->ops_pushed += ops;
				st->branches_pushed += (int)(end - start);
			}
		}
		rc = 0;
	free_specs:
		for (i = 0; i < end - start; i++)
			free(specs[i]);
		free(specs);
		if (rc < 0)
			return rc;
		start = end;
	}
	return rejected;
}

int fb_sync_remote(struct fb_sync *s, const char *name, const char *url, struct fb_sync_stats *st,
		   struct fb_error *err)
{
	struct sync_remote_cfg *remote = NULL;
	struct fb_sync_stats local = {0};
	struct push_item *items = NULL;
	struct sync_path_lock plock = {.held = 0};
	char prefix[160], source[128], why[512] = "";
	int64_t before = 0, after = 0;
	size_t n;
	int rc, round;

	if (!st)
		st = &local;
	if (!fb_sync_remote_name_ok(name))
		return fb_error_set(err, FB_EINVAL, "remote",
				    _("'%s' is not a remote name: use 1-64 of a-z 0-9 _ -"), name);
	switch (fb_sync_url_kind(url)) {
	case FB_URL_PATH:
		if ((rc = check_path_remote(name, url, err)) < 0)
			return rc;
		break;
	case FB_URL_SSH:
	case FB_URL_HTTPS:
		break;
	default:
		return fb_error_set(err, FB_EINVAL, "remote", _("the remote %s has no usable URL"), name);
	}
	/* settings (host key, key and token files, timeout): transport.c */
	if (!(remote = malloc(sizeof *remote)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	if ((rc = sync_remote_cfg_load(s, name, url, remote, err)) < 0)
		goto out;
	/* a path remote: one sync at a time, and lock files interrupted syncs left (pathlock.c) */
	if (remote->kind == FB_URL_PATH && (rc = sync_path_lock(s, name, url, &plock, err)) < 0)
		goto out;
	s->nseen = 0;
	if ((rc = fb_conflict_count(s->store, &before, err)) < 0 || (rc = fb_sync_ingest(s, st, err)) < 0)
		goto out;
	snprintf(prefix, sizeof prefix, "refs/fieldbook/staging/%s/dev/", name);
	snprintf(source, sizeof source, _("remote %s"), name);
	for (round = 0; round < PUSH_ROUNDS; round++) {
		if ((rc = do_fetch(s, remote, name, err)) < 0 ||
		    (rc = sync_advance_all(s, prefix, source, st, err)) < 0 ||
		    (rc = fb_sync_seal(s, st, err)) < 0 ||
		    (rc = push_list(s, name, &items, &n, err)) < 0)
			break;
		rc = do_push(s, remote, name, items, n, st, why, sizeof why, err);
		free(items);
		items = NULL;
		if (rc <= 0)
			break;
		sync_notify(s, _("the remote %s changed while sending; fetching again"), name);
	}
	if (rc == 1)
		rc = fb_error_set(err, FB_EIO, "remote",
				  _("the remote %s kept refusing the changes (it changed during every try, or "
				    "refuses them: %s); everything stays saved on this computer: sync again later"),
				  name, why);
out:
	sync_path_unlock(&plock);
	free(remote);
	if (rc < 0)
		return rc;
	if ((rc = fb_conflict_count(s->store, &after, err)) < 0)
		return rc;
	st->new_conflicts += after - before;
	st->devices = (int)s->nseen;
	return 0;
}
