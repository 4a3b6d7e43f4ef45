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

/* Seals every unsealed op of this device (change files of at most 100,000 ops each). */
int fb_sync_seal(struct fb_sync *sync, struct fb_sync_stats *stats, struct fb_error *err);

/* Applies the ops of every local device branch not yet ingested (a restored laptop, a
 * crash after integrating). */
int fb_sync_ingest(struct fb_sync *sync, struct fb_sync_stats *stats, struct fb_error *err);

/* Full sync with a remote repository: fetch into staging refs, integrate, ingest, seal,
 * push this device's branch, then every other device branch strictly ahead of the
 * remote's (relay); a rejected push is retried after a new fetch (3 rounds).  Only path
 * remotes (a bare repository on a USB stick: a path or file:// URL) in this version. */
int fb_sync_remote(struct fb_sync *sync, const char *name, const char *url,
		   struct fb_sync_stats *stats, struct fb_error *err);

/* Seals, then writes every device branch to path as a git bundle v2 file (written to a
 * temporary file and renamed).  *nrefs (may be NULL) gets the branch count. */
int fb_sync_bundle_create(struct fb_sync *sync, const char *path, size_t *nrefs,
			  struct fb_error *err);

/* Reads a git bundle file (ours or one `git bundle create` made): checks the header and
 * prerequisites, stores the pack, then integrates and ingests its device branches like a
 * fetch.  Refs outside refs/heads/dev/ are ignored (with a notice). */
int fb_sync_bundle_read(struct fb_sync *sync, const char *path, struct fb_sync_stats *stats,
			struct fb_error *err);

#endif
