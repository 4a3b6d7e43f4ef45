/* publish.c - HQ's refs/heads/main: a deterministic snapshot of the current state plus
 * every device's log, committed by a coordinator's `fieldbook sync --publish` (sync
 * layer: libgit2 + core).  Contract in include/fieldbook/sync.h.
 *
 * The snapshot tree:
 *   FORMAT                      "fieldbook-snapshot 1"
 *   README.txt                  what the tree holds, for people browsing a clone
 *   state/<kind>/<xx>.tsv       the canonical dump (fb_store_dump) of the records of
 *                               <kind> whose id starts with the hex digits <xx>, in id
 *                               order: a "record" line, then its field lines
 *   log/<device>/               the device branch's own log/<device> tree, by oid
 *   devices/<device>.txt        the device branch's device.txt, by oid
 * Everything in it is a function of the set of ops (and the branches that carry them),
 * so the same ops give the same tree id on any machine; commits differ by time only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "sync_int.h"

#define SNAP_FORMAT "fieldbook-snapshot 1\n"
#define SNAP_README                                                                           \
	"This is fieldbook's published snapshot (refs/heads/main), written by a coordinator's\n" \
	"`fieldbook sync --publish`.  It is made again from the data at every publish; do not\n" \
	"edit it.  The device branches dev/<device id> are the source of truth.\n"              \
	"\n"                                                                                      \
	"state/<kind>/<xx>.tsv  the current state of the records of one kind whose id starts\n"  \
	"                       with <xx>, in id order.  A record line:\n"                       \
	"                         record ID KIND exists= live= delete_conflict= conflicts=\n"    \
	"                                created=HLC/operator/device updated=HLC/operator\n"     \
	"                       then one line per visible field value:\n"                        \
	"                         <tab>FIELD OP-ID VALUE\n"                                      \
	"                       (tab-separated; several lines for one field are a conflict;\n"   \
	"                       control characters and % in values are written %XX)\n"          \
	"log/<device id>/       every change file of that device, as on its branch\n"          \
	"devices/<id>.txt       the device's id, label and team\n"                              \
	"\n"                                                                                      \
	"The same set of changes always gives the same tree id (`fieldbook check\n"            \
	"--snapshot-tree` prints it): two computers that print the same id hold the same data.\n"

struct sbuf {
	char *p;
	size_t n, cap;
};

static int sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;
		while (cap < b->n + n + 1)
			cap *= 2;
		if (!(np = realloc(b->p, cap)))
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

struct kslot {
	char name[40];
	git_treebuilder *tb; /* state/<kind>/ */
	struct sbuf cur;     /* lines of the current id bucket */
};

struct snap {
	struct fb_sync *s;
	struct kslot *k;
	size_t nk, capk;
	struct kslot *cur;  /* the kind of the record being dumped */
	char bucket[4];     /* its id bucket */
	int64_t records;
	int failed;         /* -1: a git error, -2: out of memory */
};

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A kind name usable as a path component; anything odd goes to "_other". */
static void kind_dir(char *out, size_t cap, const char *kind, size_t len)
{
	size_t i;

	if (len < 1 || len >= cap || len > 31 || kind[0] == '.' || kind[0] == '-')
		goto other;
	for (i = 0; i < len; i++)
		if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') || kind[i] == '_' ||
		      kind[i] == '-'))
			goto other;
	memcpy(out, kind, len);
	out[len] = '\0';
	return;
other:
	snprintf(out, cap, "_other");
}

/* Writes every kind's lines of the current bucket as state/<kind>/<bucket>.tsv. */
static int flush_bucket(struct snap *sn)
{
	size_t i;

	for (i = 0; i < sn->nk; i++) {
		struct kslot *k = &sn->k[i];
		char name[16];
		const git_tree_entry *old;
		git_oid id;

		if (!k->cur.n)
			continue;
		snprintf(name, sizeof name, "%s.tsv", sn->bucket);
		/* A bucket seen again (ids outside lower-case hex sort between buckets): append. */
		if ((old = git_treebuilder_get(k->tb, name))) {
			git_blob *b = NULL;
			struct sbuf both = {0};
			int bad = git_blob_lookup(&b, sn->s->repo, git_tree_entry_id(old)) < 0;
			if (!bad && (sbuf_add(&both, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b)) < 0 ||
				     sbuf_add(&both, k->cur.p, k->cur.n) < 0)) {
				git_blob_free(b);
				free(both.p);
				return -2;
			}
			git_blob_free(b);
			bad = bad || git_blob_create_from_buffer(&id, sn->s->repo, both.p, both.n) < 0;
			free(both.p);
			if (bad)
				return -1;
		} else if (git_blob_create_from_buffer(&id, sn->s->repo, k->cur.p, k->cur.n) < 0) {
			return -1;
		}
		if (git_treebuilder_insert(NULL, k->tb, name, &id, GIT_FILEMODE_BLOB) < 0)
			return -1;
		k->cur.n = 0;
	}
	return 0;
}

static struct kslot *find_kind(struct snap *sn, const char *dir)
{
	size_t i;

	for (i = 0; i < sn->nk; i++)
		if (!strcmp(sn->k[i].name, dir))
			return &sn->k[i];
	if (sn->nk == sn->capk) {
		size_t cap = sn->capk ? sn->capk * 2 : 16;
		void *n = realloc(sn->k, cap * sizeof *sn->k);
		if (!n)
			return NULL;
		sn->k = n;
		sn->capk = cap;
	}
	memset(&sn->k[sn->nk], 0, sizeof *sn->k);
	snprintf(sn->k[sn->nk].name, sizeof sn->k[sn->nk].name, "%s", dir);
	if (git_treebuilder_new(&sn->k[sn->nk].tb, sn->s->repo, NULL) < 0)
		return NULL;
	return &sn->k[sn->nk++];
}

static int dump_line(const char *line, void *ctx)
{
	struct snap *sn = ctx;

	if (!strncmp(line, "record\t", 7)) {
		const char *id = line + 7, *kind = strchr(id, '\t'), *end;
		char bucket[4], dir[40];

		if (!kind)
			kind = id + strlen(id);
		else
			kind++;
		end = strchr(kind, '\t');
		kind_dir(dir, sizeof dir, kind, end ? (size_t)(end - kind) : strlen(kind));
		if (is_hex(id[0]) && is_hex(id[1]))
			snprintf(bucket, sizeof bucket, "%.2s", id);
		else
			snprintf(bucket, sizeof bucket, "_x");
		if (strcmp(bucket, sn->bucket)) {
			if (sn->bucket[0] && (sn->failed = flush_bucket(sn)) < 0)
				return 1;
			snprintf(sn->bucket, sizeof sn->bucket, "%s", bucket);
		}
		if (!(sn->cur = find_kind(sn, dir))) {
			sn->failed = -2;
			return 1;
		}
		sn->records++;
	}
	if (!sn->cur) /* a field line before any record: never from fb_store_dump */
		return 0;
	if (sbuf_add(&sn->cur->cur, line, strlen(line)) < 0 || sbuf_add(&sn->cur->cur, "\n", 1) < 0) {
		sn->failed = -2;
		return 1;
	}
	return 0;
}

static void snap_free(struct snap *sn)
{
	size_t i;

	for (i = 0; i < sn->nk; i++) {
		git_treebuilder_free(sn->k[i].tb);
		free(sn->k[i].cur.p);
	}
	free(sn->k);
	memset(sn, 0, sizeof *sn);
}

/* state/: the canonical dump split by kind and id bucket.  *empty when no records. */
static int build_state(struct fb_sync *s, git_oid *out, int *empty, int64_t *records, struct fb_error *err)
{
	struct snap sn;
	git_treebuilder *st = NULL;
	size_t i;
	int rc;

	memset(&sn, 0, sizeof sn);
	sn.s = s;
	rc = fb_store_dump(s->store, dump_line, &sn, err);
	if (rc == 0 && sn.bucket[0] && !sn.failed)
		sn.failed = flush_bucket(&sn);
	if (sn.failed == -2) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
		goto cleanup;
	}
	if (sn.failed == -1)
		goto git_fail;
	if (rc < 0)
		goto cleanup;
	if (git_treebuilder_new(&st, s->repo, NULL) < 0)
		goto git_fail;
	for (i = 0; i < sn.nk; i++) {
		git_oid id;
		if (git_treebuilder_entrycount(sn.k[i].tb) == 0)
			continue;
		if (git_treebuilder_write(&id, sn.k[i].tb) < 0 ||
		    git_treebuilder_insert(NULL, st, sn.k[i].name, &id, GIT_FILEMODE_TREE) < 0)
			goto git_fail;
	}
	*empty = git_treebuilder_entrycount(st) == 0;
	*records = sn.records;
	if (git_treebuilder_write(out, st) < 0)
		goto git_fail;
	rc = 0;
	goto cleanup;
git_fail:
	rc = sync_git_error(err, _("write the snapshot of the state"));
cleanup:
	git_treebuilder_free(st);
	snap_free(&sn);
	return rc;
}

/* log/ and devices/: every device branch's own log/<id> tree and device.txt, by oid. */
static int build_log(struct fb_sync *s, git_treebuilder *logs, git_treebuilder *devs, int *ndev,
		     struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	int rc = 0;

	*ndev = 0;
	if (git_reference_iterator_glob_new(&it, s->repo, "refs/heads/dev/*") < 0)
		return sync_git_error(err, _("list device branches"));
	while (rc == 0 && git_reference_next(&r, it) == 0) {
		const char *dev = git_reference_name(r) + 15;
		const git_oid *id = git_reference_target(r);
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		char path[64], name[32];

		if (id && sync_valid_device(dev)) {
			if (git_commit_lookup(&c, s->repo, id) < 0 || git_commit_tree(&t, c) < 0) {
				rc = -1;
			} else {
				snprintf(path, sizeof path, "log/%s", dev);
				if (git_tree_entry_bypath(&e, t, path) == 0 &&
				    git_tree_entry_type(e) == GIT_OBJECT_TREE) {
					if (git_treebuilder_insert(NULL, logs, dev, git_tree_entry_id(e),
								   GIT_FILEMODE_TREE) < 0)
						rc = -1;
					(*ndev)++;
				}
				git_tree_entry_free(e);
				e = NULL;
				snprintf(name, sizeof name, "%s.txt", dev);
				if (rc == 0 && git_tree_entry_bypath(&e, t, "device.txt") == 0 &&
				    git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
				    git_treebuilder_insert(NULL, devs, name, git_tree_entry_id(e), GIT_FILEMODE_BLOB) < 0)
					rc = -1;
				git_tree_entry_free(e);
			}
			git_tree_free(t);
			git_commit_free(c);
		}
		git_reference_free(r);
	}
	git_reference_iterator_free(it);
	if (rc < 0)
		return sync_git_error(err, _("read the device branches for the snapshot"));
	return 0;
}

/* Writes the snapshot tree; the counts (may be NULL) are for the commit message. */
static int build_snapshot(struct fb_sync *s, git_oid *out, int64_t *records, int *devices, struct fb_error *err)
{
	git_treebuilder *root = NULL, *logs = NULL, *devs = NULL;
	git_oid state_id, log_id, devs_id, fmt_id, readme_id;
	int64_t nrec = 0;
	int empty = 1, ndev = 0, rc;

	if (git_treebuilder_new(&root, s->repo, NULL) < 0 || git_treebuilder_new(&logs, s->repo, NULL) < 0 ||
	    git_treebuilder_new(&devs, s->repo, NULL) < 0)
		goto git_fail;
	if ((rc = build_state(s, &state_id, &empty, &nrec, err)) < 0 ||
	    (rc = build_log(s, logs, devs, &ndev, err)) < 0)
		goto cleanup;
	if (git_blob_create_from_buffer(&fmt_id, s->repo, SNAP_FORMAT, strlen(SNAP_FORMAT)) < 0 ||
	    git_blob_create_from_buffer(&readme_id, s->repo, SNAP_README, strlen(SNAP_README)) < 0 ||
	    git_treebuilder_insert(NULL, root, "FORMAT", &fmt_id, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_insert(NULL, root, "README.txt", &readme_id, GIT_FILEMODE_BLOB) < 0)
		goto git_fail;
	if (!empty && git_treebuilder_insert(NULL, root, "state", &state_id, GIT_FILEMODE_TREE) < 0)
		goto git_fail;
	if (git_treebuilder_entrycount(logs) &&
	    (git_treebuilder_write(&log_id, logs) < 0 ||
	     git_treebuilder_insert(NULL, root, "log", &log_id, GIT_FILEMODE_TREE) < 0))
		goto git_fail;
	if (git_treebuilder_entrycount(devs) &&
	    (git_treebuilder_write(&devs_id, devs) < 0 ||
	     git_treebuilder_insert(NULL, root, "devices", &devs_id, GIT_FILEMODE_TREE) < 0))
		goto git_fail;
	if (git_treebuilder_write(out, root) < 0)
		goto git_fail;
	if (records)
		*records = nrec;
	if (devices)
		*devices = ndev;
	rc = 0;
	goto cleanup;
git_fail:
	rc = sync_git_error(err, _("write the snapshot"));
cleanup:
	git_treebuilder_free(devs);
	git_treebuilder_free(logs);
	git_treebuilder_free(root);
	return rc;
}

int fb_sync_snapshot_tree(struct fb_sync *s, char *tree_hex, struct fb_error *err)
{
	git_oid id;
	int rc;

	if ((rc = build_snapshot(s, &id, NULL, NULL, err)) < 0)
		return rc;
	git_oid_tostr(tree_hex, GIT_OID_HEXSZ + 1, &id);
	return 0;
}

void fb_sync_set_publish(struct fb_sync *s, int on)
{
	s->publish = on;
}

#define MAX_PARENTS 16

int fb_sync_publish(struct fb_sync *s, char *tree_hex, int *committed, struct fb_error *err)
{
	git_reference_iterator *it = NULL;
	git_reference *r;
	git_oid tree_id, main_id, head, commit_id, extra[MAX_PARENTS];
	git_commit *parents[MAX_PARENTS + 1];
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	int64_t records = 0;
	int devices = 0, has_main, has_head, rc, np = 0, nextra = 0, i;
	char msg[256], email[64];

	if (committed)
		*committed = 0;
	memset(parents, 0, sizeof parents);
	if ((rc = fb_sync_ingest(s, NULL, err)) < 0 || (rc = fb_sync_seal(s, NULL, err)) < 0 ||
	    (rc = build_snapshot(s, &tree_id, &records, &devices, err)) < 0)
		return rc;
	git_oid_tostr(tree_hex, GIT_OID_HEXSZ + 1, &tree_id);
	if ((has_main = sync_ref_oid(s, "refs/heads/main", &main_id, err)) < 0)
		return has_main;
	head = main_id;
	has_head = has_main;
	/* Every remote's main fetched in this session: fast-forward to one that contains
	 * ours, merge (as a parent) one that went its own way (another coordinator). */
	if (git_reference_iterator_glob_new(&it, s->repo, "refs/fieldbook/staging/*/main") < 0)
		return sync_git_error(err, _("read the remotes' main branches"));
	while (git_reference_next(&r, it) == 0) {
		const git_oid *id = git_reference_target(r);
		git_object *o = NULL;

		if (id && git_object_lookup(&o, s->repo, id, GIT_OBJECT_COMMIT) == 0) {
			if (!has_head) {
				head = *id;
				has_head = 1;
			} else if (git_oid_equal(id, &head) || git_graph_descendant_of(s->repo, &head, id) == 1) {
				/* already contained */
			} else if (git_graph_descendant_of(s->repo, id, &head) == 1) {
				head = *id;
			} else if (nextra < MAX_PARENTS) {
				for (i = 0; i < nextra && !git_oid_equal(&extra[i], id); i++)
					;
				if (i == nextra)
					extra[nextra++] = *id;
			}
		} else if (id) {
			sync_notify(s, _("%s is not a commit; it is left out of main"), git_reference_name(r));
		}
		git_object_free(o);
		git_reference_free(r);
	}
	git_reference_iterator_free(it);
	/* Extra parents the (possibly fast-forwarded) head already contains need no merge. */
	for (i = 0; i < nextra; i++)
		if (git_oid_equal(&extra[i], &head) || git_graph_descendant_of(s->repo, &head, &extra[i]) == 1)
			extra[i--] = extra[--nextra];
	if (has_head && git_commit_lookup(&parents[np++], s->repo, &head) < 0)
		goto git_fail;
	if (has_head && nextra == 0 && git_oid_equal(git_commit_tree_id(parents[0]), &tree_id)) {
		/* Nothing new: at most a fast-forward to a remote's identical snapshot. */
		if (!has_main || !git_oid_equal(&head, &main_id))
			rc = sync_ref_set(s, "refs/heads/main", &head, has_main ? &main_id : NULL, err);
		goto cleanup;
	}
	for (i = 0; i < nextra; i++)
		if (git_commit_lookup(&parents[np++], s->repo, &extra[i]) < 0)
			goto git_fail;
	snprintf(email, sizeof email, "%s@fieldbook", s->me);
	snprintf(msg, sizeof msg, "snapshot: %lld records, the logs of %d devices\n\npublished by %s (%s)\n",
		 (long long)records, devices, fb_store_label(s->store), s->me);
	if (git_tree_lookup(&tree, s->repo, &tree_id) < 0 || git_signature_now(&sig, "fieldbook", email) < 0 ||
	    git_commit_create(&commit_id, s->repo, NULL, sig, sig, NULL, msg, tree, (size_t)np,
			      (const git_commit **)parents) < 0)
		goto git_fail;
	if ((rc = sync_ref_set(s, "refs/heads/main", &commit_id, has_main ? &main_id : NULL, err)) < 0)
		goto cleanup;
	if (committed)
		*committed = 1;
	rc = 0;
	goto cleanup;
git_fail:
	rc = sync_git_error(err, _("commit the snapshot on main"));
cleanup:
	for (i = 0; i < np; i++)
		git_commit_free(parents[i]);
	git_signature_free(sig);
	git_tree_free(tree);
	return rc;
}

int fb_sync_main_pushed(struct fb_sync *s, const char *remote, struct fb_error *err)
{
	git_oid mine, theirs;
	char sname[200];
	int rc;

	snprintf(sname, sizeof sname, "refs/fieldbook/staging/%s/main", remote);
	if ((rc = sync_ref_oid(s, "refs/heads/main", &mine, err)) <= 0)
		return rc;
	if ((rc = sync_ref_oid(s, sname, &theirs, err)) <= 0)
		return rc;
	return git_oid_equal(&mine, &theirs);
}
