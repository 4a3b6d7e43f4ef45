/* pathsync.c - fetch from and push to a path remote (a bare repository on a USB stick or
 * in a local directory) without libgit2's local transport (sync layer: libgit2 + core).
 *
 * libgit2 1.5's local transport makes a pack with a delta search over every object it
 * sends; over 10 MB change files that took 45 s for a 1M-op first sync where `git fetch`
 * takes under 2 s.  Both sides are on this computer, so here the objects the destination
 * lacks are found by a walk from the new tips that stops at every object the destination
 * already has (git's rule, kept by libgit2 and by this file: an object is only present
 * when everything it reaches is, because packs appear whole, with their index, and loose
 * objects are written bottom-up), read from the source's object database and written to
 * the destination as one pack of whole objects (no deltas, zlib level SYNC_PACK_LEVEL)
 * through git_odb_write_pack: libgit2's indexer re-hashes every object and writes the
 * index, and the pack appears only when complete.  Then the refs are set: a fetch moves
 * the staging refs (forced, like "+src:dst"); a push moves the remote's refs fast-forward
 * only, compare-and-swap (git_reference_create_matching), so a ref that moved meanwhile is
 * refused and the caller fetches again.  Every check of the sync layer runs on the
 * staging refs afterwards exactly as before (ingest.c).  Errors are left in libgit2's
 * last error (transport.c words them).  Contract in sync_int.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sync_int.h"

#define SYNC_PACK_LEVEL 1 /* Z_BEST_SPEED: 6x faster than level 6, ~1.15x the size */
#define OUTBUF (1u << 20)

/* ---- a set of object ids ------------------------------------------------------------- */

struct oidset {
	git_oid *slot;
	unsigned char *used;
	size_t cap, n;
};

static size_t oid_hash(const git_oid *id, size_t mask)
{
	size_t h;

	memcpy(&h, id->id, sizeof h);
	return h & mask;
}

/* 1 when id was added, 0 when it was there, -1 out of memory. */
static int oidset_add(struct oidset *s, const git_oid *id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		struct oidset big = {0};
		size_t j;
		big.cap = s->cap ? s->cap * 2 : 1024;
		big.slot = malloc(big.cap * sizeof *big.slot);
		big.used = calloc(big.cap, 1);
		if (!big.slot || !big.used) {
			free(big.slot);
			free(big.used);
			return -1;
		}
		for (j = 0; j < s->cap; j++)
			if (s->used[j])
				oidset_add(&big, &s->slot[j]);
		free(s->slot);
		free(s->used);
		*s = big;
	}
	for (i = oid_hash(id, s->cap - 1); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (git_oid_equal(&s->slot[i], id))
			return 0;
	s->used[i] = 1;
	s->slot[i] = *id;
	s->n++;
	return 1;
}

static void oidset_free(struct oidset *s)
{
	free(s->slot);
	free(s->used);
}

/* ---- the walk -------------------------------------------------------------------------- */

struct obj {
	git_oid id;
	git_object_t type;
};

struct objlist {
	struct obj *v;
	size_t n, cap;
};

static int objlist_push(struct objlist *l, const git_oid *id, git_object_t type)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct obj *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].id = *id;
	l->v[l->n++].type = type;
	return 0;
}

static int oom(void)
{
	git_error_set_oom();
	return -1;
}

/* The objects reachable from tips in src that dst lacks, into out. */
static int missing_objects(git_repository *dst, git_repository *src, const git_oid *tips, size_t ntips,
			   struct objlist *out)
{
	struct objlist stack = {0};
	struct oidset seen = {0};
	git_odb *dodb = NULL, *sodb = NULL;
	size_t i;
	int rc = 0;

	if (git_repository_odb(&dodb, dst) < 0 || git_repository_odb(&sodb, src) < 0) {
		rc = -1;
		goto cleanup;
	}
	git_odb_refresh(dodb); /* once: then every miss is a real one */
	for (i = 0; i < ntips && rc == 0; i++) {
		size_t len;
		git_object_t type;
		if (git_odb_exists_ext(dodb, &tips[i], GIT_ODB_LOOKUP_NO_REFRESH))
			continue;
		if ((rc = git_odb_read_header(&len, &type, sodb, &tips[i])) == 0 &&
		    objlist_push(&stack, &tips[i], type) < 0)
			rc = oom();
	}
	while (rc == 0 && stack.n) {
		struct obj o = stack.v[--stack.n];
		int added = oidset_add(&seen, &o.id);
		if (added < 0) {
			rc = oom();
			break;
		}
		if (!added || git_odb_exists_ext(dodb, &o.id, GIT_ODB_LOOKUP_NO_REFRESH))
			continue;
		if (objlist_push(out, &o.id, o.type) < 0) {
			rc = oom();
			break;
		}
		if (o.type == GIT_OBJECT_COMMIT) {
			git_commit *c = NULL;
			unsigned k;
			if ((rc = git_commit_lookup(&c, src, &o.id)) < 0)
				break;
			if (objlist_push(&stack, git_commit_tree_id(c), GIT_OBJECT_TREE) < 0)
				rc = oom();
			for (k = 0; rc == 0 && k < git_commit_parentcount(c); k++)
				if (objlist_push(&stack, git_commit_parent_id(c, k), GIT_OBJECT_COMMIT) < 0)
					rc = oom();
			git_commit_free(c);
		} else if (o.type == GIT_OBJECT_TREE) {
			git_tree *t = NULL;
			size_t k;
			if ((rc = git_tree_lookup(&t, src, &o.id)) < 0)
				break;
			for (k = 0; rc == 0 && k < git_tree_entrycount(t); k++) {
				const git_tree_entry *e = git_tree_entry_byindex(t, k);
				git_object_t et = git_tree_entry_type(e);
				if ((et == GIT_OBJECT_TREE || et == GIT_OBJECT_BLOB) &&
				    objlist_push(&stack, git_tree_entry_id(e), et) < 0)
					rc = oom();
			}
			git_tree_free(t);
		} else if (o.type == GIT_OBJECT_TAG) {
			git_tag *t = NULL;
			if ((rc = git_tag_lookup(&t, src, &o.id)) < 0)
				break;
			if (objlist_push(&stack, git_tag_target_id(t), git_tag_target_type(t)) < 0)
				rc = oom();
			git_tag_free(t);
		} else if (o.type != GIT_OBJECT_BLOB) {
			git_error_set_str(GIT_ERROR_ODB, "an object of an unknown type");
			rc = -1;
		}
	}
cleanup:
	free(stack.v);
	oidset_free(&seen);
	git_odb_free(dodb);
	git_odb_free(sodb);
	return rc;
}

/* ---- one pack of whole objects ---------------------------------------------------------- */

struct packw {
	git_odb_writepack *wp;
	git_indexer_progress stats;
	struct sync_sha1 sha;
	unsigned char *buf;
	size_t used;
};

static int pw_flush(struct packw *w)
{
	int rc;

	if (!w->used)
		return 0;
	sync_sha1_update(&w->sha, w->buf, w->used);
	rc = w->wp->append(w->wp, w->buf, w->used, &w->stats);
	w->used = 0;
	return rc;
}

static int pw_put(struct packw *w, const void *data, size_t n)
{
	const unsigned char *p = data;

	while (n) {
		size_t take = OUTBUF - w->used < n ? OUTBUF - w->used : n;
		memcpy(w->buf + w->used, p, take);
		w->used += take, p += take, n -= take;
		if (w->used == OUTBUF && pw_flush(w) < 0)
			return -1;
	}
	return 0;
}

/* One object: the pack entry header (type, size) and the zlib stream of its content. */
static int pw_object(struct packw *w, git_object_t type, const unsigned char *data, size_t len)
{
	unsigned char hdr[16];
	size_t h = 0, size = len;
	z_stream z;
	int zr;

	hdr[h] = (unsigned char)((type << 4) | (size & 15));
	for (size >>= 4; size; size >>= 7) {
		hdr[h++] |= 0x80;
		hdr[h] = size & 0x7f;
	}
	if (pw_put(w, hdr, h + 1) < 0)
		return -1;
	memset(&z, 0, sizeof z);
	if (deflateInit(&z, SYNC_PACK_LEVEL) != Z_OK)
		return oom();
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len; /* objects here are far below 4 GB */
	do {
		if (w->used == OUTBUF && pw_flush(w) < 0) {
			deflateEnd(&z);
			return -1;
		}
		z.next_out = w->buf + w->used;
		z.avail_out = (uInt)(OUTBUF - w->used);
		zr = deflate(&z, Z_FINISH);
		w->used = OUTBUF - z.avail_out;
	} while (zr == Z_OK || zr == Z_BUF_ERROR);
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		git_error_set_str(GIT_ERROR_ZLIB, "cannot compress an object");
		return -1;
	}
	return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
	p[3] = (unsigned char)v;
}

/* Copies the objects in l from src into one new pack of dst. */
static int write_pack(git_repository *dst, git_repository *src, const struct objlist *l,
		      const struct sync_path_progress *pg)
{
	struct packw w;
	git_odb *dodb = NULL, *sodb = NULL;
	unsigned char head[12] = "PACK", trailer[20];
	uint64_t bytes = 0;
	size_t i;
	int rc = -1;

	memset(&w, 0, sizeof w);
	if (l->n > UINT32_MAX) {
		git_error_set_str(GIT_ERROR_ODB, "too many objects for one pack");
		return -1;
	}
	if (!(w.buf = malloc(OUTBUF)))
		return oom();
	sync_sha1_init(&w.sha);
	if (git_repository_odb(&dodb, dst) < 0 || git_repository_odb(&sodb, src) < 0 ||
	    git_odb_write_pack(&w.wp, dodb, NULL, NULL) < 0)
		goto cleanup;
	put32(head + 4, 2);
	put32(head + 8, (uint32_t)l->n);
	if (pw_put(&w, head, sizeof head) < 0)
		goto cleanup;
	for (i = 0; i < l->n; i++) {
		git_odb_object *o = NULL;
		if (git_odb_read(&o, sodb, &l->v[i].id) < 0)
			goto cleanup;
		if (git_odb_object_type(o) != l->v[i].type) {
			git_odb_object_free(o);
			git_error_set_str(GIT_ERROR_ODB, "an object is not of the type its parent names");
			goto cleanup;
		}
		bytes += git_odb_object_size(o);
		if (pw_object(&w, git_odb_object_type(o), git_odb_object_data(o), git_odb_object_size(o)) < 0) {
			git_odb_object_free(o);
			goto cleanup;
		}
		git_odb_object_free(o);
		if (pg && pg->fn)
			pg->fn(pg->phase, i + 1, l->n, bytes, pg->ctx);
	}
	if (pw_flush(&w) < 0)
		goto cleanup;
	sync_sha1_final(&w.sha, trailer);
	if (w.wp->append(w.wp, trailer, sizeof trailer, &w.stats) < 0 || w.wp->commit(w.wp, &w.stats) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (w.wp)
		w.wp->free(w.wp);
	free(w.buf);
	git_odb_free(dodb);
	git_odb_free(sodb);
	return rc;
}

/* 0 when every object of l is in dst now.  The indexer names each object by the hash of
 * what it received, so an object that was damaged in src (content not matching its id)
 * is missing here under its id. */
static int all_arrived(git_repository *dst, const struct objlist *l)
{
	git_odb *odb = NULL;
	size_t i;
	int rc = 0;

	if (git_repository_odb(&odb, dst) < 0)
		return -1;
	git_odb_refresh(odb);
	for (i = 0; i < l->n && rc == 0; i++)
		if (!git_odb_exists_ext(odb, &l->v[i].id, GIT_ODB_LOOKUP_NO_REFRESH)) {
			char hex[GIT_OID_HEXSZ + 1], m[160];
			git_oid_tostr(hex, sizeof hex, &l->v[i].id);
			snprintf(m, sizeof m, "object %s of the other repository is damaged (its content "
					      "does not match its id)", hex);
			git_error_set_str(GIT_ERROR_ODB, m);
			rc = -1;
		}
	git_odb_free(odb);
	return rc;
}

static int copy_objects(git_repository *dst, git_repository *src, const git_oid *tips, size_t n,
			const struct sync_path_progress *pg)
{
	struct objlist l = {0};
	int rc;

	if ((rc = missing_objects(dst, src, tips, n, &l)) == 0 && l.n) {
		/* libgit2 hashes every object it reads to check it, and its indexer hashes it
		 * again: the second check is kept (all_arrived), the first one is skipped */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		rc = write_pack(dst, src, &l, pg);
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
		if (rc == 0)
			rc = all_arrived(dst, &l);
	} else if (rc == 0 && pg && pg->fn) {
		pg->fn(pg->phase, 0, 0, 0, pg->ctx);
	}
	free(l.v);
	return rc;
}

/* ---- fetch and push ---------------------------------------------------------------------- */

int sync_path_open(git_repository **out, const char *url)
{
	const char *path = strncmp(url, "file://", 7) ? url : url + 7;

	return git_repository_open_ext(out, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
}

struct refmove {
	char *name; /* the destination ref */
	git_oid id;
	int force;
};

static void moves_free(struct refmove *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(m[i].name);
	free(m);
}

static int moves_add(struct refmove **m, size_t *n, const char *name, const git_oid *id, int force)
{
	struct refmove *v = realloc(*m, (*n + 1) * sizeof *v);

	if (!v)
		return oom();
	*m = v;
	if (!(v[*n].name = strdup(name)))
		return oom();
	v[*n].id = *id;
	v[(*n)++].force = force;
	return 0;
}

static int tips_of(const struct refmove *m, size_t n, git_oid **out)
{
	size_t i;

	if (!(*out = malloc((n ? n : 1) * sizeof **out)))
		return oom();
	for (i = 0; i < n; i++)
		(*out)[i] = m[i].id;
	return 0;
}

int sync_path_fetch(git_repository *local, const char *url, char **specs, size_t nspecs,
		    const struct sync_path_progress *pg)
{
	git_repository *remote = NULL;
	git_reference_iterator *it = NULL;
	git_reference *r;
	git_refspec **rs = NULL;
	struct refmove *m = NULL;
	git_oid *tips = NULL;
	size_t n = 0, i, k;
	int rc;

	if ((rc = sync_path_open(&remote, url)) < 0)
		return rc;
	if (!(rs = calloc(nspecs ? nspecs : 1, sizeof *rs))) {
		rc = oom();
		goto cleanup;
	}
	for (k = 0; k < nspecs; k++)
		if ((rc = git_refspec_parse(&rs[k], specs[k], 1)) < 0)
			goto cleanup;
	if ((rc = git_reference_iterator_new(&it, remote)) < 0)
		goto cleanup;
	while (rc == 0 && (rc = git_reference_next(&r, it)) == 0) {
		const char *name = git_reference_name(r);
		for (k = 0; rc == 0 && k < nspecs && git_reference_type(r) == GIT_REFERENCE_DIRECT; k++) {
			git_buf dst = {0};
			if (!git_refspec_src_matches(rs[k], name))
				continue;
			if ((rc = git_refspec_transform(&dst, rs[k], name)) == 0)
				rc = moves_add(&m, &n, dst.ptr, git_reference_target(r), 1);
			git_buf_dispose(&dst);
		}
		git_reference_free(r);
	}
	if (rc == GIT_ITEROVER)
		rc = 0;
	if (rc < 0 || (rc = tips_of(m, n, &tips)) < 0 || (rc = copy_objects(local, remote, tips, n, pg)) < 0)
		goto cleanup;
	for (i = 0; i < n && rc == 0; i++) {
		git_oid cur;
		if (git_reference_name_to_id(&cur, local, m[i].name) == 0 && git_oid_equal(&cur, &m[i].id))
			continue;
		if ((rc = git_reference_create(&r, local, m[i].name, &m[i].id, 1, NULL)) == 0)
			git_reference_free(r);
	}
cleanup:
	for (k = 0; rs && k < nspecs; k++)
		git_refspec_free(rs[k]);
	free(rs);
	free(tips);
	moves_free(m, n);
	git_reference_iterator_free(it);
	git_repository_free(remote);
	return rc;
}

int sync_path_push(git_repository *local, const char *url, char **specs, size_t nspecs,
		   const struct sync_path_progress *pg, int *refused, char *why, size_t whycap)
{
	git_repository *remote = NULL;
	struct refmove *m = NULL;
	git_oid *tips = NULL;
	size_t n = 0, i;
	int rc;

	*refused = 0;
	if ((rc = sync_path_open(&remote, url)) < 0)
		return rc;
	for (i = 0; i < nspecs && rc == 0; i++) {
		git_refspec *rs = NULL;
		git_oid id;
		if ((rc = git_refspec_parse(&rs, specs[i], 0)) < 0)
			break;
		if ((rc = git_reference_name_to_id(&id, local, git_refspec_src(rs))) == 0)
			rc = moves_add(&m, &n, git_refspec_dst(rs), &id, git_refspec_force(rs));
		git_refspec_free(rs);
	}
	if (rc < 0 || (rc = tips_of(m, n, &tips)) < 0 || (rc = copy_objects(remote, local, tips, n, pg)) < 0)
		goto cleanup;
	for (i = 0; i < n && rc == 0; i++) {
		git_reference *r = NULL;
		git_oid cur;
		int has = git_reference_name_to_id(&cur, remote, m[i].name) == 0;
		if (has && git_oid_equal(&cur, &m[i].id))
			continue;
		if (has && !m[i].force && git_graph_descendant_of(remote, &m[i].id, &cur) != 1) {
			(*refused)++;
			snprintf(why, whycap, "%s: non-fast-forward", m[i].name);
			continue;
		}
		rc = has ? git_reference_create_matching(&r, remote, m[i].name, &m[i].id, 1, &cur, NULL)
			 : git_reference_create(&r, remote, m[i].name, &m[i].id, 0, NULL);
		git_reference_free(r);
		if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS) { /* it moved meanwhile */
			(*refused)++;
			snprintf(why, whycap, "%s: changed meanwhile", m[i].name);
			rc = 0;
		}
	}
cleanup:
	free(tips);
	moves_free(m, n);
	git_repository_free(remote);
	return rc;
}
