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
	/* devices that gave new ops in this session (for the "from N devices" figure) */
	char (*seen)[FB_ID_LEN + 1];
	size_t nseen, capseen;
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

#endif
