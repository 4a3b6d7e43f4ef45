/* sync_int.h - shared internals of the sync layer: the session, git error translation,
 * ref helpers (sync layer). */
#ifndef FIELDBOOK_SYNC_INT_H
#define FIELDBOOK_SYNC_INT_H

#include <git2.h>

#include "fieldbook/store.h"
#include "fieldbook/sync.h"

#define SYNC_MAX_DEVICES 4096

struct fb_sync {
	struct fb_store *store;
	git_repository *repo;
	int lock_fd;
	char me[FB_ID_LEN + 1];
	char own_ref[64];
	void (*notify)(const char *msg, void *ctx);
	void *notify_ctx;
	/* fb_sync_set_progress (transport.c) */
	void (*progress)(const char *phase, uint64_t objects_done, uint64_t objects_total, uint64_t bytes,
			 void *ctx);
	void *progress_ctx;
	/* devices that gave new ops in this session (for the "from N devices" figure) */
	char (*seen)[FB_ID_LEN + 1];
	size_t nseen, capseen;
	/* publishing (fb_sync_set_publish): fetch refs/heads/main into
	 * refs/fieldbook/staging/<remote>/main, and push it when it is strictly ahead */
	int publish;
};

/* err from libgit2's last error: "could not WHAT: <libgit2 message>"; returns FB_EIO. */
int sync_git_error(struct fb_error *err, const char *what);
void sync_notify(struct fb_sync *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 and *out when the ref exists, 0 when not, <0 on error. */
int sync_ref_oid(struct fb_sync *s, const char *name, git_oid *out, struct fb_error *err);
/* Sets ref name to id (creating it, or moving it from *old when old is not NULL). */
int sync_ref_set(struct fb_sync *s, const char *name, const git_oid *id, const git_oid *old,
		 struct fb_error *err);
int sync_valid_device(const char *id);
void sync_seen_device(struct fb_sync *s, const char *dev);

/* repo.c */
int sync_reconcile(struct fb_sync *s, struct fb_error *err);
/* Number of ops in the change files added by the commits of (hide..tip]. */
int sync_count_ops(struct fb_sync *s, const git_oid *hide, const git_oid *tip, int64_t *out,
		   struct fb_error *err);

/* ingest.c */
/* Brings device dev's local branch forward to target (NULL: only ingest what the local
 * branch holds), checking and applying each new commit; quarantines on a problem.
 * source names where target came from in alarms ("remote usb", "bundle file"). */
int sync_advance(struct fb_sync *s, const char *dev, const git_oid *target, const char *source,
		 struct fb_sync_stats *st, struct fb_error *err);
/* sync_advance for every ref under prefix ("refs/fieldbook/staging/usb/dev/"). */
int sync_advance_all(struct fb_sync *s, const char *prefix, const char *source,
		     struct fb_sync_stats *st, struct fb_error *err);

/* transport.c: how fetch and push reach a remote.  A path remote is used in this process;
 * ssh:// and http(s):// remotes are used by a forked child process (it opens the
 * repository itself) watched by this one: no line from the child for `timeout` seconds, or
 * SIGINT, and the child is killed (SIGKILL) with a plain-words error.  Settings come from
 * the configuration file (fb_config_default_path), section [remote "NAME"]:
 *   host-key    "SHA256:<base64>": the ssh server's key fingerprint; required for ssh
 *   key-file    the ssh private key (ed25519); default DATA_DIR/ssh/id_ed25519, tried
 *               after the ssh agent (when SSH_AUTH_SOCK names a socket)
 *   token-file  the https token (a file only its owner can read); user "fieldbook"
 *   user        the ssh or https user when the URL names none ("git" / "fieldbook")
 *   ca-file     https: a PEM file of the certificate authorities to trust for this
 *               remote instead of the system's (HQ's own CA); set in the child process
 *               only (GIT_OPT_SET_SSL_CERT_LOCATIONS), so other remotes keep the system's
 *   timeout     seconds without progress before giving up (default 60;
 *               FIELDBOOK_SYNC_TIMEOUT in the environment overrides it) */
#define SYNC_DEFAULT_TIMEOUT 60
struct sync_remote_cfg {
	char name[72];
	char url[4096];
	enum fb_url_kind kind;
	char host[256]; /* for messages: "cannot reach HOST:PORT" */
	int port;
	char user[128];
	char host_key[64];
	char key_file[4096];
	char token_file[4096];
	char ca_file[4096];
	int timeout;
};
/* Fills rc for remote name at url: the settings above, checked (a token or key file
 * others can read is refused). */
int sync_remote_cfg_load(struct fb_sync *s, const char *name, const char *url, struct sync_remote_cfg *rc,
			 struct fb_error *err);
/* Fetches the refspecs specs[0..n) from the remote into this repository. */
int sync_transport_fetch(struct fb_sync *s, const struct sync_remote_cfg *rc, char **specs, size_t n,
			 struct fb_error *err);
/* Pushes specs[0..n); *refused gets the number of refs the remote refused (why: the last
 * reason, "REF: STATUS"). */
int sync_transport_push(struct fb_sync *s, const struct sync_remote_cfg *rc, char **specs, size_t n,
			int *refused, char *why, size_t whycap, struct fb_error *err);

/* sha1.c: SHA-1 for the trailer of the packs pathsync.c writes. */
struct sync_sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char buf[64];
	size_t used;
};
void sync_sha1_init(struct sync_sha1 *c);
void sync_sha1_update(struct sync_sha1 *c, const void *data, size_t n);
void sync_sha1_final(struct sync_sha1 *c, unsigned char out[20]);

/* pathsync.c: fetch from and push to a path remote (URL a path or file://PATH), both
 * repositories on this computer, without libgit2's local transport: the objects the
 * destination lacks go over as one pack of whole objects (git_odb_write_pack), then the
 * refs move.  Return 0 or a libgit2 error code with libgit2's last error set.
 * progress (may be NULL) is called after each object copied: phase, done, total, bytes. */
struct sync_path_progress {
	const char *phase; /* "fetch" or "push" */
	void (*fn)(const char *phase, uint64_t done, uint64_t total, uint64_t bytes, void *ctx);
	void *ctx;
};
int sync_path_open(git_repository **out, const char *url);
/* Fetch: specs are fetch refspecs ("+SRC:DST", SRC and DST may end in a glob);
 * every direct ref of the remote that a spec matches is set, forced, in local. */
int sync_path_fetch(git_repository *local, const char *url, char **specs, size_t nspecs,
		    const struct sync_path_progress *progress);
/* Push: specs "SRC:DST" (local ref : remote ref).  A remote ref moves only fast-forward
 * (unless "+"), and only from the value it had when read (compare-and-swap); otherwise it
 * is counted in *refused and why gets "DST: REASON". */
int sync_path_push(git_repository *local, const char *url, char **specs, size_t nspecs,
		   const struct sync_path_progress *progress, int *refused, char *why, size_t whycap);

/* pathlock.c: REMOTE/fieldbook-sync.lock, held by a sync with a path remote for its whole
 * session (see pathlock.c for when a lock found there is stale and taken over, and which
 * git lock files left in the remote are removed).  FB_EIO with the exact fix when the
 * remote is in use; 0 without holding it when the remote is read-only. */
#define SYNC_LOCK_STALE 600 /* seconds */
/* 1 when name (in objects/pack/) is a temporary pack libgit2's indexer writes and renames
 * when done ("pack_git2_*"): left behind only by a killed process. */
int sync_is_temp_pack(const char *name);
struct sync_path_lock {
	char path[4200];
	int held;
};
int sync_path_lock(struct fb_sync *s, const char *name, const char *url, struct sync_path_lock *lk,
		   struct fb_error *err);
void sync_path_unlock(struct sync_path_lock *lk);

#endif
