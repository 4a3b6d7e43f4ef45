/* sync.h - the sync layer's public API (sync layer: libgit2 + core).
 *
 * The data bundle (DESIGN section 3) is a bare git repository DIR/repo.git beside the
 * database.  Each device appends to its own branch refs/heads/dev/<device id>; a seal
 * turns this device's unsealed ops into one immutable change file
 * log/<device>/<bucket>/<seal>.chg (bucket = seal / 1000, "%03d"; seal "%06d") and one
 * commit.  Git is written first, SQLite second; fb_sync_open reconciles a branch that is
 * ahead of SQLite (a crash between the two).
 *
 * Other devices' branches arrive by fetch (from a path remote) or from a bundle file into
 * staging refs, and are integrated fast-forward only: each new commit is checked (one
 * parent at most, only added change files under the branch's own device path, every op
 * valid) and its ops applied, commit by commit.  Anything else (a rewritten branch, a
 * modified or deleted change file, another device's path, an unreadable change file, an
 * op id known with different content) stops that branch: its commit is kept aside in
 * refs/fieldbook/quarantine/<device>/<n>, an alarm is recorded in plain words, nothing
 * already held is overwritten, and other branches carry on.
 *
 * Refs this layer keeps:
 *   refs/heads/dev/<id>                     device branches (validated history only)
 *   refs/fieldbook/ingested/dev/<id>        the last commit whose ops are in SQLite
 *   refs/fieldbook/staging/<remote>/dev/<id> what a remote had at the last fetch or push
 *   refs/fieldbook/bundle/dev/<id>          what the last bundle file read carried
 *   refs/fieldbook/quarantine/<id>/<n>      rejected history, kept for HQ to look at
 *
 * Every function returns 0 or a negative FB_E* code with a plain-words message in err. */
#ifndef FIELDBOOK_SYNC_H
#define FIELDBOOK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/error.h"
#include "fieldbook/store.h"

/* "libgit2 1.5.1" */
const char *fb_sync_versions(void);

struct fb_sync;

struct fb_sync_stats {
	int64_t ops_sealed;    /* this device's ops sealed into change files */
	int64_t ops_pushed;    /* ops in the change files the remote received (own and relayed) */
	int64_t ops_received;  /* ops new to this computer */
	int devices;           /* devices those ops came from */
	int64_t new_conflicts; /* conflicted records after minus before (may be negative) */
	int quarantined;       /* branches newly quarantined */
	int branches_pushed;
};

/* 1 when name is a valid remote name: 1-32 characters of a-z 0-9 _ -. */
int fb_sync_remote_name_ok(const char *name);

enum fb_url_kind { FB_URL_PATH, FB_URL_SSH, FB_URL_HTTPS, FB_URL_BAD };
/* What kind of remote a URL names: a path or file:// URL, ssh:// (or user@host:path),
 * https:// (or http://), or nothing usable (empty, control characters). */
enum fb_url_kind fb_sync_url_kind(const char *url);

/* Opens (creating it the first time, mode 0700) the bare repository of the store's data
 * directory, takes the sync lock (FB_EIO "another sync is running" when held), and
 * reconciles this device's branch with SQLite.  Initialises libgit2 (fb_sync_free shuts
 * it down). */
int fb_sync_open(struct fb_sync **out, struct fb_store *store, struct fb_error *err);
void fb_sync_free(struct fb_sync *sync);

/* Plain-words notices (a quarantined branch, an ignored ref) as they happen; NULL = none. */
void fb_sync_set_notify(struct fb_sync *sync, void (*cb)(const char *msg, void *ctx), void *ctx);

/* Progress of the network steps, as they happen (at most ~10 calls a second): phase
 * "fetch" (objects received of objects_total, bytes received) or "push" (objects sent of
 * objects_total, bytes sent).  Called in this process, from fb_sync_remote; NULL = none. */
void fb_sync_set_progress(struct fb_sync *sync,
			  void (*cb)(const char *phase, uint64_t objects_done, uint64_t objects_total,
				     uint64_t bytes, void *ctx),
			  void *ctx);

/* Seals every unsealed op of this device (change files of at most 100,000 ops each). */
int fb_sync_seal(struct fb_sync *sync, struct fb_sync_stats *stats, struct fb_error *err);

/* Applies the ops of every local device branch not yet ingested (a restored laptop, a
 * crash after integrating). */
int fb_sync_ingest(struct fb_sync *sync, struct fb_sync_stats *stats, struct fb_error *err);

/* Full sync with a remote repository: fetch into staging refs, integrate, ingest, seal,
 * push this device's branch, then every other device branch strictly ahead of the
 * remote's (relay); a rejected push is retried after a new fetch (3 rounds).  A path or
 * file:// URL (a bare repository on a USB stick), ssh:// (agent, then the device's key
 * file; the server's host key must be pinned: remote.NAME.host-key) or http(s):// (a
 * token).  Network steps run in a child process and give up after remote.NAME.timeout
 * seconds without progress (default 60) or on SIGINT; the errors say in plain words what
 * happened (cannot reach, key refused, host key changed) and nothing local is lost.  The
 * remote's settings are read from the configuration file (see sync/sync_int.h). */
int fb_sync_remote(struct fb_sync *sync, const char *name, const char *url,
		   struct fb_sync_stats *stats, struct fb_error *err);

/* Seals, then writes every device branch to path as a git bundle v2 file (written to a
 * temporary file and renamed).  *nrefs (may be NULL) gets the branch count. */
int fb_sync_bundle_create(struct fb_sync *sync, const char *path, size_t *nrefs,
			  struct fb_error *err);
/* The same, for what the remote named remote is not known to have (NULL: everything):
 * its staging refs (what it had at the last fetch or push) become the bundle's
 * prerequisites, and the pack leaves out everything reachable from them; only branches
 * with something new are listed.  FB_EINVAL when the remote was never synced with, or
 * has everything already.  *nprereq (may be NULL) gets the prerequisite count. */
int fb_sync_bundle_create_for(struct fb_sync *sync, const char *path, const char *remote, size_t *nrefs,
			      size_t *nprereq, struct fb_error *err);

/* Reads a git bundle file (ours or one `git bundle create` made): checks the header and
 * prerequisites, stores the pack, then integrates and ingests its device branches like a
 * fetch.  Refs outside refs/heads/dev/ are ignored (with a notice). */
int fb_sync_bundle_read(struct fb_sync *sync, const char *path, struct fb_sync_stats *stats,
			struct fb_error *err);

/* ---- HQ's published snapshot (publish.c) ----
 *
 * refs/heads/main holds snapshots: FORMAT, README.txt, state/<kind>/<xx>.tsv (the canonical
 * dump of fb_store_dump, split by kind and the first two hex digits of the record id) and
 * log/<device>/ (each device branch's own log tree, reused by oid), devices/<id>.txt.  The
 * same set of ops gives the same tree id on any machine. */

/* The tree id (40 hex digits and a NUL in tree_hex) of the snapshot of the current data,
 * without sealing: this device's unsealed changes are in state/ but not yet in log/. */
int fb_sync_snapshot_tree(struct fb_sync *sync, char *tree_hex, struct fb_error *err);

/* Publishing mode for fb_sync_remote: also fetch the remote's refs/heads/main (into
 * refs/fieldbook/staging/<remote>/main) and push refs/heads/main when it is strictly
 * ahead of it (fast-forward only). */
void fb_sync_set_publish(struct fb_sync *sync, int on);

/* Ingests, seals, then commits the snapshot on refs/heads/main.  Parents: the previous
 * main, fast-forwarded to a remote's main that contains it, plus any remote main that
 * went its own way (another coordinator).  No commit when the tree is unchanged;
 * *committed (may be NULL) says whether one was made.  tree_hex gets the tree id. */
int fb_sync_publish(struct fb_sync *sync, char *tree_hex, int *committed, struct fb_error *err);
/* 1 when the remote's main (as of the last fetch or push in publishing mode) is this
 * computer's refs/heads/main, 0 when not, <0 on error. */
int fb_sync_main_pushed(struct fb_sync *sync, const char *remote, struct fb_error *err);

/* The label and team of device's device.txt and the time of the newest commit of its branch
 * here (its last change that reached this computer, ms); FB_ENOTFOUND when none has.
 * Strings are cut to their capacity. */
int fb_sync_device_info(struct fb_sync *sync, const char *device, char *label, size_t lcap, char *team,
			size_t tcap, int64_t *last_ms, struct fb_error *err);

#endif
