/* unlock.h - operators of this computer, unlocking with a passphrase, lock, and the
 * short-lived unlock session of the command line (core layer).
 *
 * Privacy mode (role.h) is on when DATA_DIR/operators exists.  Unlocking opens one
 * operator's entry with a passphrase (keyfile.h): the key ring goes to crypto.h's process
 * key ring, the operator becomes the store's operator (the author of every op), and the
 * role becomes role.h's current role.  A wrong passphrase says only "wrong passphrase",
 * whoever was meant.
 *
 * The unlock session lets consecutive commands run without the passphrase: a file
 * (0600) in $XDG_RUNTIME_DIR (a RAM file system on most systems), else in the data
 * directory, named by the device id, holding the operator, role, key ring and an expiry.
 * Each use pushes the expiry to now + the idle time (config lock.idle, default 600
 * seconds); an expired file is wiped and removed; `fieldbook lock` removes it at once. */
#ifndef FIELDBOOK_UNLOCK_H
#define FIELDBOOK_UNLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "fieldbook/crypto.h"
#include "fieldbook/error.h"
#include "fieldbook/keyfile.h"
#include "fieldbook/role.h"

struct fb_store;

#define FB_IDLE_DEFAULT 600

/* 1 when dir (a data directory) has an operators file. */
int fb_privacy_mode(const char *dir);
/* DATA_DIR/operators. */
int fb_operators_path(char *out, size_t cap, const char *dir);
/* Notes that this process runs on a store in privacy mode (so "nobody unlocked" denies
 * instead of meaning open mode).  fb_unlock_required reads it. */
void fb_unlock_set_required(int on);
int fb_unlock_required(void);

/* Tries the operators of the store's data directory with passphrase: prefer first (the
 * configured operator, may be NULL), then the others.  On success the key ring, operator
 * and role are set for the process.  FB_EINVAL "wrong passphrase" otherwise. */
int fb_unlock(struct fb_store *store, const char *passphrase, const char *prefer, struct fb_error *err);
/* Sets an already opened operator (key create, join, session resume). */
int fb_unlock_as(struct fb_store *store, const char *name, enum fb_role role,
		 const struct fb_keyring *ring, struct fb_error *err);
/* Wipes the key ring and forgets the operator and role. */
void fb_lock(void);
/* 1 when an operator is unlocked. */
int fb_unlocked(void);

/* ---- the unlock session file ---- */

struct fb_session {
	char operator_name[FB_OPERATOR_NAME_MAX + 1];
	char role[16];
	int64_t expires; /* seconds since the epoch */
	int64_t idle;    /* seconds */
	struct fb_keyring ring;
};

/* Strict parser and writer of the session text (fuzzed with the key file). */
int fb_session_parse(struct fb_session *out, const char *text, size_t len, struct fb_error *err);
char *fb_session_format(const struct fb_session *s);
/* Path of the store's session file. */
int fb_session_path(char *out, size_t cap, struct fb_store *store);
/* Writes the session of the unlocked operator (expires now + idle). */
int fb_session_save(struct fb_store *store, int64_t idle, struct fb_error *err);
/* Resumes an unexpired session (and pushes its expiry); FB_ENOTFOUND when there is none
 * or it expired (then it is removed). */
int fb_session_resume(struct fb_store *store, struct fb_error *err);
/* Removes the session file (wiped first).  0 also when there was none. */
int fb_session_end(struct fb_store *store, struct fb_error *err);

#endif
