/* bundle.c - git bundle v2 files in both directions: every device branch written with
 * git_packbuilder, bundles (ours or git's, thin packs included) read with
 * git_odb_write_pack and integrated like a fetch (sync layer: libgit2 + core).  The header
 * parser is core/bundlehdr.c.  Contract in include/fieldbook/sync.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldbook/bundlehdr.h"
#include "fieldbook/i18n.h"
#include "sync_int.h"

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int pack_cb(void *buf, size_t size, void *payload)
{
	return write_all(*(int *)payload, buf, size) < 0 ? -1 : 0;
}

int fb_sync_bundle_create(struct fb_sync *s, const char *path, size_t *nrefs, struct fb_error *err)
{
	return fb_sync_bundle_create_for(s, path, NULL, nrefs, NULL, err);
}

/* What remote `remote` had of device branch name (refs/heads/dev/<id>) at the last fetch
 * or push, when our branch continues it: 1 and *out, else 0. */
static int known_to(struct fb_sync *s, const char *remote, const char *name, const git_oid *tip, git_oid *out)
{
	char sname[200];

	if (!remote)
		return 0;
	snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/dev/%s", remote, name + 15);
	if (sync_ref_oid(s, sname, out, NULL) != 1)
		return 0;
	return git_oid_equal(out, tip) || git_graph_descendant_of(s->repo, tip, out) == 1;
}

int fb_sync_bundle_create_for(struct fb_sync *s, const char *path, const char *remote, size_t *nrefs,
			      size_t *nprereq, struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	git_revwalk *w = NULL;
	git_packbuilder *pb = NULL;
	char *hdr = NULL, tmp[4200] = "";
	size_t hlen = 0, hcap = 0, n = 0, np = 0, pass;
	int fd = -1, rc = 0;

	if (nrefs)
		*nrefs = 0;
	if (nprereq)
		*nprereq = 0;
	if (remote) { /* the remote must be one this computer has synced with */
		char glob[200];
		git_reference_iterator *si = NULL;
		git_reference *sr = NULL;
		int any;
		size_t k, len = strlen(remote);
		for (k = 0; k < len; k++)
			if (!((remote[k] >= 'a' && remote[k] <= 'z') || (remote[k] >= '0' && remote[k] <= '9') ||
			      remote[k] == '_' || remote[k] == '-'))
				break;
		if (len < 1 || len > 64 || k < len)
			return fb_error_set(err, FB_EINVAL, "bundle",
					    _("'%s' is not a remote name: use 1-64 of a-z 0-9 _ -"), remote);
		snprintf(glob, sizeof glob, "refs/fieldbook/staging/%s/dev/*", remote);
		if (git_reference_iterator_glob_new(&si, s->repo, glob) < 0)
			return sync_git_error(err, _("prepare the bundle"));
		any = git_reference_next(&sr, si) == 0;
		git_reference_free(sr);
		git_reference_iterator_free(si);
		if (!any)
			return fb_error_set(err, FB_EINVAL, "bundle",
					    _("this computer has never synced with a remote %s, so it does not know "
					      "what %s has: sync with it once, or leave out --for to write everything"),
					    remote, remote);
	}
	if ((rc = fb_sync_ingest(s, NULL, err)) < 0 || (rc = fb_sync_seal(s, NULL, err)) < 0)
		return rc;
	if (git_revwalk_new(&w, s->repo) < 0 || git_packbuilder_new(&pb, s->repo) < 0) {
		rc = sync_git_error(err, _("prepare the bundle"));
		goto cleanup;
	}
	hcap = 4096;
	if (!(hdr = malloc(hcap))) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		goto cleanup;
	}
	hlen = (size_t)snprintf(hdr, hcap, "# v2 git bundle\n");
	/* Pass 0: the prerequisites ("-<oid> <comment>", what the remote is known to have:
	 * hidden from the pack); pass 1: the branches it lacks something of. */
	for (pass = 0; pass < 2; pass++) {
		if (git_reference_iterator_glob_new(&it, s->repo, "refs/heads/dev/*") < 0) {
			rc = sync_git_error(err, _("prepare the bundle"));
			goto cleanup;
		}
		while (git_reference_next(&r, it) == 0) {
			const git_oid *id = git_reference_target(r);
			const char *name = git_reference_name(r);
			char hex[GIT_OID_HEXSZ + 1];
			git_oid known, tip;
			int has_known = id && fb_bundle_dev_ref(name, NULL) ? known_to(s, remote, name, id, &known) : 0;

			if (!id || !fb_bundle_dev_ref(name, NULL) ||
			    (pass == 0 ? !has_known : has_known && git_oid_equal(&known, id))) {
				git_reference_free(r);
				continue;
			}
			if (hlen + 256 > hcap) {
				char *nh = realloc(hdr, hcap * 2);
				if (!nh) {
					git_reference_free(r);
					rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
					goto cleanup;
				}
				hdr = nh;
				hcap *= 2;
			}
			git_oid_tostr(hex, sizeof hex, pass == 0 ? &known : id);
			if (pass == 0)
				hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, "-%s %s on %s\n", hex, name + 11, remote);
			else
				hlen += (size_t)snprintf(hdr + hlen, hcap - hlen, "%s %s\n", hex, name);
			tip = *id;
			git_reference_free(r); /* id pointed into r */
			if ((pass == 0 ? git_revwalk_hide(w, &known) : git_revwalk_push(w, &tip)) < 0) {
				rc = sync_git_error(err, _("prepare the bundle"));
				goto cleanup;
			}
			if (pass == 0)
				np++;
			else
				n++;
		}
		git_reference_iterator_free(it);
		it = NULL;
	}
	if (!n) {
		if (remote)
			rc = fb_error_set(err, FB_EINVAL, "bundle",
					  _("the remote %s already has everything on this computer (as of the last "
					    "sync with it): there is nothing to put in a bundle"), remote);
		else
			rc = fb_error_set(err, FB_EINVAL, "bundle",
					  _("there is nothing to put in a bundle yet: no changes are recorded on this computer"));
		goto cleanup;
	}
	hdr[hlen++] = '\n';
	if (git_packbuilder_insert_walk(pb, w) < 0) {
		rc = sync_git_error(err, _("pack the data for the bundle"));
		goto cleanup;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= sizeof tmp) {
		rc = fb_error_set(err, FB_EINVAL, "bundle", _("the file name is too long"));
		goto cleanup;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		rc = fb_error_set(err, FB_EIO, "bundle", _("cannot write %s: %s"), tmp, strerror(errno));
		goto cleanup;
	}
	if (write_all(fd, hdr, hlen) < 0 || git_packbuilder_foreach(pb, pack_cb, &fd) < 0 || fsync(fd) < 0) {
		rc = fb_error_set(err, FB_EIO, "bundle", _("cannot write %s: %s"), path,
				  errno ? strerror(errno) : _("packing failed"));
		goto cleanup;
	}
	if (close(fd) < 0 || (fd = -1, rename(tmp, path) < 0)) {
		fd = -1;
		rc = fb_error_set(err, FB_EIO, "bundle", _("cannot write %s: %s"), path, strerror(errno));
		goto cleanup;
	}
	tmp[0] = '\0';
	if (nrefs)
		*nrefs = n;
	if (nprereq)
		*nprereq = np;
cleanup:
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp[0])
		unlink(tmp);
	git_reference_iterator_free(it);
	git_packbuilder_free(pb);
	git_revwalk_free(w);
	free(hdr);
	return rc;
}

int fb_sync_bundle_read(struct fb_sync *s, const char *path, struct fb_sync_stats *st, struct fb_error *err)
{
	struct fb_bundle_header *h = NULL;
	struct fb_sync_stats local = {0};
	git_odb *odb = NULL;
	git_odb_writepack *wp = NULL;
	git_indexer_progress prog;
	char *buf = NULL;
	size_t got = 0, i, used = 0;
	ssize_t k;
	int64_t before = 0, after = 0;
	int fd, rc = 0;

	if (!st)
		st = &local;
	s->nseen = 0;
	memset(&prog, 0, sizeof prog);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return fb_error_set(err, FB_EIO, "bundle", _("cannot read %s: %s"), path, strerror(errno));
	if (!(buf = malloc(FB_BUNDLE_MAX_HEADER + 1))) {
		close(fd);
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	}
	while (got < FB_BUNDLE_MAX_HEADER && (k = read(fd, buf + got, FB_BUNDLE_MAX_HEADER - got)) != 0) {
		if (k < 0) {
			if (errno == EINTR)
				continue;
			rc = fb_error_set(err, FB_EIO, "bundle", _("cannot read %s: %s"), path, strerror(errno));
			goto cleanup;
		}
		got += (size_t)k;
	}
	if ((rc = fb_bundle_header_parse(&h, buf, got, err)) < 0)
		goto cleanup;
	if ((rc = fb_conflict_count(s->store, &before, err)) < 0 || (rc = fb_sync_ingest(s, st, err)) < 0)
		goto cleanup;
	if (git_repository_odb(&odb, s->repo) < 0) {
		rc = sync_git_error(err, _("open the object store"));
		goto cleanup;
	}
	for (i = 0; i < h->nprereq; i++) {
		git_oid id;
		if (git_oid_fromstr(&id, h->prereq[i]) < 0 || !git_odb_exists(odb, &id)) {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
					  _("%s continues history this computer does not have yet (commit %.12s): "
					    "read the earlier bundle first, or sync"), path, h->prereq[i]);
			goto cleanup;
		}
	}
	/* The pack: what is left of the first read, then the rest of the file. */
	if (git_odb_write_pack(&wp, odb, NULL, NULL) < 0) {
		rc = sync_git_error(err, _("read the bundle's data"));
		goto cleanup;
	}
	used = h->header_len;
	for (;;) {
		if (got > used && wp->append(wp, buf + used, got - used, &prog) < 0) {
			rc = sync_git_error(err, _("read the bundle's data (the file is damaged or cut short)"));
			goto cleanup;
		}
		used = got = 0;
		k = read(fd, buf, FB_BUNDLE_MAX_HEADER);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = fb_error_set(err, FB_EIO, "bundle", _("cannot read %s: %s"), path, strerror(errno));
			goto cleanup;
		}
		if (k == 0)
			break;
		got = (size_t)k;
	}
	if (wp->commit(wp, &prog) < 0) {
		rc = sync_git_error(err, _("read the bundle's data (the file is damaged or cut short)"));
		goto cleanup;
	}
	/* Its device branches become staging refs, integrated like a fetch. */
	for (i = 0; i < h->nrefs; i++) {
		char dev[FB_ID_LEN + 1], sname[128];
		git_oid id;
		git_object *o = NULL;

		if (!fb_bundle_dev_ref(h->refs[i].name, dev)) {
			if (!strncmp(h->refs[i].name, "refs/heads/dev/", 15)) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
						  _("%s carries the branch %s, which is not a device branch"), path,
						  h->refs[i].name);
				goto cleanup;
			}
			continue; /* other refs of a `git bundle create --all` */
		}
		if (git_oid_fromstr(&id, h->refs[i].oid) < 0 || git_object_lookup(&o, s->repo, &id, GIT_OBJECT_COMMIT) < 0) {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
					  _("%s names commit %.12s for %s but does not carry it"), path,
					  h->refs[i].oid, h->refs[i].name);
			goto cleanup;
		}
		git_object_free(o);
		snprintf(sname, sizeof sname, "refs/fieldbook/bundle/dev/%s", dev);
		if ((rc = sync_ref_set(s, sname, &id, NULL, err)) < 0)
			goto cleanup;
	}
	if ((rc = sync_advance_all(s, "refs/fieldbook/bundle/dev/", _("a bundle file"), st, err)) < 0 ||
	    (rc = fb_conflict_count(s->store, &after, err)) < 0)
		goto cleanup;
	st->new_conflicts += after - before;
	st->devices = (int)s->nseen;
cleanup:
	if (wp)
		wp->free(wp);
	git_odb_free(odb);
	fb_bundle_header_free(h);
	free(buf);
	close(fd);
	return rc;
}
