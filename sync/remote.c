/* remote.c - sync with a remote repository: fetch into staging refs, integrate, seal,
 * push this device's branch then relayed branches (sync layer: libgit2 + core).  This
 * version talks to path remotes (a bare repository on a USB stick) only.  Contract in
 * include/fieldbook/sync.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fieldbook/i18n.h"
#include "sync_int.h"

#define PUSH_ROUNDS 3

static int valid_remote_name(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 1 || n > 64)
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

static int push_ref_cb(const char *refname, const char *status, void *data)
{
	struct push_result *r = data;

	if (status) {
		r->rejected++;
		snprintf(r->msg, sizeof r->msg, "%s: %s", refname, status);
	}
	return 0;
}

static int do_fetch(struct fb_sync *s, git_remote *remote, const char *name, struct fb_error *err)
{
	git_fetch_options fo;
	char spec[256];
	char *specs[1] = {spec};
	git_strarray arr = {specs, 1};

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.prune = GIT_FETCH_NO_PRUNE;
	snprintf(spec, sizeof spec, "+refs/heads/dev/*:refs/fieldbook/staging/%s/dev/*", name);
	if (git_remote_fetch(remote, &arr, &fo, NULL) < 0)
		return sync_git_error(err, _("fetch from the remote"));
	return 0;
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
static int do_push(struct fb_sync *s, git_remote *remote, const char *name, struct push_item *items, size_t n,
		   struct fb_sync_stats *st, struct fb_error *err)
{
	size_t i, start = 0;
	int rejected = 0, rc;

	while (start < n) {
		size_t end = (start == 0 && !strcmp(items[0].dev, s->me)) ? 1 : n;
		char **specs = calloc(end - start, sizeof *specs);
		git_strarray arr;
		git_push_options po;
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
			snprintf(specs[i - start], 80, "refs/heads/dev/%s:refs/heads/dev/%s", items[i].dev, items[i].dev);
			if ((rc = sync_count_ops(s, items[i].has_remote ? &items[i].remote : NULL, &items[i].local, &c,
						 err)) < 0)
				goto free_specs;
			ops += c;
		}
		arr.strings = specs;
		arr.count = end - start;
		git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
		po.callbacks.push_update_reference = push_ref_cb;
		po.callbacks.payload = &pr;
		if (git_remote_push(remote, &arr, &po) < 0) {
			const git_error *e = git_error_last();
			if (e && e->message && (strstr(e->message, "fast-forward") || strstr(e->message, "fastforward"))) {
				rejected = 1;
				rc = 0;
			} else {
				rc = sync_git_error(err, _("send to the remote"));
			}
			goto free_specs;
		}
		if (pr.rejected) {
			rejected = 1;
		} else {
			for (i = start; i < end; i++) {
				char sname[160];
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
	git_remote *remote = NULL;
	struct fb_sync_stats local = {0};
	struct push_item *items = NULL;
	char prefix[160], source[128];
	int64_t before = 0, after = 0;
	size_t n;
	int rc, round;

	if (!st)
		st = &local;
	if (!valid_remote_name(name))
		return fb_error_set(err, FB_EINVAL, "remote",
				    _("'%s' is not a remote name: use 1-64 of a-z 0-9 _ -"), name);
	switch (fb_sync_url_kind(url)) {
	case FB_URL_PATH:
		break;
	case FB_URL_SSH:
	case FB_URL_HTTPS:
		return fb_error_set(err, FB_EINVAL, "remote",
				    _("the remote %s is %s: this version of fieldbook syncs with a path (a bare "
				      "repository, e.g. on a USB stick) and with bundle files only; use `fieldbook "
				      "bundle create FILE` to send data another way"), name, url);
	default:
		return fb_error_set(err, FB_EINVAL, "remote", _("the remote %s has no usable URL"), name);
	}
	if ((rc = check_path_remote(name, url, err)) < 0)
		return rc;
	s->nseen = 0;
	if ((rc = fb_conflict_count(s->store, &before, err)) < 0)
		return rc;
	if ((rc = fb_sync_ingest(s, st, err)) < 0)
		return rc;
	{
		/* Anonymous, and without the url.*.insteadOf scan: libgit2 1.5.1 leaks pcre2 match
		 * data for every config key that does not match it; a path needs no rewriting. */
		git_remote_create_options ro;
		git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
		ro.repository = s->repo;
		ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
		if (git_remote_create_with_opts(&remote, url, &ro) < 0)
			return sync_git_error(err, _("use the remote"));
	}
	snprintf(prefix, sizeof prefix, "refs/fieldbook/staging/%s/dev/", name);
	snprintf(source, sizeof source, _("remote %s"), name);
	for (round = 0; round < PUSH_ROUNDS; round++) {
		if ((rc = do_fetch(s, remote, name, err)) < 0 ||
		    (rc = sync_advance_all(s, prefix, source, st, err)) < 0 ||
		    (rc = fb_sync_seal(s, st, err)) < 0 ||
		    (rc = push_list(s, name, &items, &n, err)) < 0)
			break;
		rc = do_push(s, remote, name, items, n, st, err);
		free(items);
		items = NULL;
		if (rc <= 0)
			break;
		sync_notify(s, _("the remote %s changed while sending; fetching again"), name);
	}
	if (rc == 1)
		rc = fb_error_set(err, FB_EIO, "remote",
				  _("the remote %s kept refusing the changes (it changed during every try); "
				    "everything stays saved on this computer: sync again later"), name);
	git_remote_free(remote);
	if (rc < 0)
		return rc;
	if ((rc = fb_conflict_count(s->store, &after, err)) < 0)
		return rc;
	st->new_conflicts += after - before;
	st->devices = (int)s->nseen;
	return 0;
}
