/* pathlock.c - the lock of a path remote, and lock files left in it (sync layer).
 *
 * A sync with a path remote (a USB stick, a shared folder) holds REMOTE/fieldbook-sync.lock
 * for its whole session.  The file is made with O_EXCL and says who holds it:
 *   fieldbook sync lock / host H / boot B / pid P / started UNIXTIME
 * (parsed and formatted by core/lockinfo.c, format in include/fieldbook/lockinfo.h; a
 * content that does not parse, e.g. cut short by a crash, is an unknown holder on another
 * computer).
 * A lock that is there already is stale when its sync cannot be running any more:
 *   - made on this computer since its last boot (same host and boot id) and its process
 *     is gone: taken over at once, and git lock files made since it started are removed
 *     (they can only be that sync's, since it held the lock);
 *   - made elsewhere (another laptop used the stick, or this one before a reboot): no
 *     process can be checked there, so it is taken over only when older than
 *     SYNC_LOCK_STALE seconds; younger, the sync stops with the file's name and the exact
 *     fix (`rm FILE`), because on a shared folder that sync may still be running.
 * Git's own lock files (X.lock beside refs, packed-refs, HEAD, config, objects/pack: libgit2
 * and git write X.lock and rename it over X, holding it for milliseconds) found while we
 * hold the remote's lock are removed when older than SYNC_LOCK_STALE seconds or made during
 * a dead sync's session; a younger one stops the sync with the exact fix (another program,
 * a `git push` by hand, may be writing there).  Every removal is said (notify).  A remote
 * that cannot be written (a read-only stick) is used without the lock: pushing fails there
 * with its own message.  Contract in sync_int.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldbook/i18n.h"
#include "fieldbook/lockinfo.h"
#include "sync_int.h"

#define LOCK_NAME "fieldbook-sync.lock"

/* This computer's boot id ("" when unknown or not a value a lock file may hold). */
static void boot_id(char *out, size_t cap)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	out[0] = '\0';
	if (f) {
		if (fgets(out, (int)cap, f))
			out[strcspn(out, "\r\n")] = '\0';
		fclose(f);
	}
	if (!fb_lockinfo_boot_ok(out))
		out[0] = '\0';
}

/* This computer's name ("?" when unknown or not a value a lock file may hold), so the
 * name written is the name compared with. */
static void host_name(char *out, size_t cap)
{
	if (gethostname(out, cap) < 0)
		snprintf(out, cap, "?");
	out[cap - 1] = '\0';
	if (!fb_lockinfo_host_ok(out))
		snprintf(out, cap, "?");
}

struct holder {
	struct fb_lockinfo li; /* all empty when the file does not parse: an unknown holder */
	time_t mtime;
};

/* 0 when read (a content that does not parse leaves h->li empty: taken over only by
 * age), -1 when the file is gone. */
static int read_holder(const char *path, struct holder *h)
{
	char buf[FB_LOCKINFO_MAX_BYTES + 1];
	size_t len = 0;
	struct stat sb;
	ssize_t n;
	int fd;

	memset(h, 0, sizeof *h);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return -1;
	}
	h->mtime = sb.st_mtime;
	while (len < sizeof buf && ((n = read(fd, buf + len, sizeof buf - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	close(fd);
	if (fb_lockinfo_parse(&h->li, buf, len, NULL) < 0)
		memset(&h->li, 0, sizeof h->li);
	return 0;
}

/* 0 when made, 1 when it could not be opened (*eno), <0 when it could not be written. */
static int write_lock(const char *path, int *eno, struct fb_error *err, const char *name)
{
	char text[FB_LOCKINFO_MAX_BYTES];
	struct fb_lockinfo me;
	size_t n;
	int fd, rc;

	memset(&me, 0, sizeof me);
	host_name(me.host, sizeof me.host);
	boot_id(me.boot, sizeof me.boot);
	me.pid = (long)getpid();
	me.started = (long long)time(NULL);
	if ((rc = fb_lockinfo_format(text, sizeof text, &n, &me, err)) < 0)
		return rc;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		*eno = errno;
		return 1;
	}
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return fb_error_set(err, FB_EIO, "remote", _("cannot write the lock file %s of remote %s: %s"),
				    path, name, strerror(e ? e : EIO));
	}
	close(fd);
	return 0;
}

int sync_is_temp_pack(const char *name)
{
	return !strncmp(name, "pack_git2_", 10);
}

struct scan {
	struct fb_sync *s;
	const char *name;
	time_t now, dead_since; /* dead_since: a dead sync's start (0: none known) */
	char young[4200];       /* the first lock file that may be in use */
	long young_age;
};

/* Git lock files in dir (recurse 1: below it up to depth 8, as refs/; recurse 2: it is
 * objects/pack, where unfinished temporary packs are removed too). */
static void scan_dir(struct scan *sc, const char *dir, int recurse, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4200];

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat sb;
		if (e->d_name[0] == '.' || !strcmp(e->d_name, LOCK_NAME))
			continue;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= sizeof p || lstat(p, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (recurse == 1 && depth < 8)
				scan_dir(sc, p, recurse, depth + 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if (recurse == 2 && sync_is_temp_pack(e->d_name)) { /* a killed push's unfinished pack */
			if (sc->now - sb.st_mtime > SYNC_LOCK_STALE ||
			    (sc->dead_since && sb.st_mtime >= sc->dead_since - 2))
				unlink(p);
			continue;
		}
		if (n < 6 || strcmp(e->d_name + n - 5, ".lock"))
			continue;
		if (sc->now - sb.st_mtime > SYNC_LOCK_STALE || (sc->dead_since && sb.st_mtime >= sc->dead_since - 2)) {
			if (unlink(p) == 0)
				sync_notify(sc->s,
					    _("remote %s: removed the lock file %s, left by a sync or git command "
					      "that was interrupted (made %ld s ago)"),
					    sc->name, p, (long)(sc->now - sb.st_mtime));
		} else if (!sc->young[0]) {
			snprintf(sc->young, sizeof sc->young, "%s", p);
			sc->young_age = (long)(sc->now - sb.st_mtime);
		}
	}
	closedir(d);
}

static int git_locks(struct fb_sync *s, const char *name, const char *repo, time_t dead_since,
		     struct fb_error *err)
{
	struct scan sc;
	char p[4200];

	memset(&sc, 0, sizeof sc);
	sc.s = s;
	sc.name = name;
	sc.now = time(NULL);
	sc.dead_since = dead_since;
	scan_dir(&sc, repo, 0, 0);
	snprintf(p, sizeof p, "%s/refs", repo);
	scan_dir(&sc, p, 1, 0);
	snprintf(p, sizeof p, "%s/objects/pack", repo);
	scan_dir(&sc, p, 2, 0);
	if (sc.young[0])
		return fb_error_set(err, FB_EIO, "remote",
				    _("remote %s is locked by %s, made %ld s ago: another program may be "
				      "writing to it right now. If nothing else is using it (a sync or a git "
				      "command there was interrupted), remove that file (`rm '%s'`) and sync "
				      "again; everything stays saved on this computer"),
				    name, sc.young, sc.young_age, sc.young);
	return 0;
}

int sync_path_lock(struct fb_sync *s, const char *name, const char *url, struct sync_path_lock *lk,
		   struct fb_error *err)
{
	const char *repo = strncmp(url, "file://", 7) ? url : url + 7;
	char host[FB_LOCKINFO_HOST_MAX + 1], boot[FB_LOCKINFO_BOOT_MAX + 1];
	struct holder h;
	time_t dead_since = 0;
	int rc, tries;

	memset(lk, 0, sizeof *lk);
	if ((size_t)snprintf(lk->path, sizeof lk->path, "%s/%s", repo, LOCK_NAME) >= sizeof lk->path)
		return fb_error_set(err, FB_EINVAL, "remote", _("the path of remote %s is too long"), name);
	host_name(host, sizeof host);
	boot_id(boot, sizeof boot);
	for (tries = 0; tries < 3; tries++) {
		long age;
		int eno = 0;
		if ((rc = write_lock(lk->path, &eno, err, name)) < 0)
			return rc;
		if (rc == 0) {
			lk->held = 1;
			break;
		}
		if (eno == EROFS || eno == EACCES || eno == EPERM)
			return 0; /* a read-only remote: fetching needs no lock */
		if (eno != EEXIST)
			return fb_error_set(err, FB_EIO, "remote", _("cannot make the lock file %s of remote %s: %s"),
					    lk->path, name, strerror(eno));
		if (read_holder(lk->path, &h) < 0)
			continue; /* it went away meanwhile */
		age = (long)(time(NULL) - h.mtime);
		if (!strcmp(h.li.host, host) && boot[0] && !strcmp(h.li.boot, boot) && h.li.pid > 0) {
			if (h.li.pid == (long)getpid() || kill((pid_t)h.li.pid, 0) == 0 || errno == EPERM)
				return fb_error_set(err, FB_EIO, "remote",
						    _("remote %s is being synced by another fieldbook on this "
						      "computer (process %ld): wait until it has finished and sync "
						      "again; everything stays saved on this computer"),
						    name, h.li.pid);
			sync_notify(s,
				    _("remote %s: a sync on this computer (process %ld, %ld s ago) was "
				      "interrupted and left the remote locked; taking it over"),
				    name, h.li.pid, age);
			dead_since = h.li.started ? (time_t)h.li.started : h.mtime;
		} else if (age > SYNC_LOCK_STALE) {
			sync_notify(s,
				    _("remote %s: taking over the lock left %ld minutes ago by a sync on %s "
				      "that did not finish (%s)"),
				    name, age / 60, h.li.host[0] ? h.li.host : _("another computer"), lk->path);
		} else {
			return fb_error_set(err, FB_EIO, "remote",
					    _("remote %s is in use by a sync on %s, started %ld s ago (its lock "
					      "file is %s). If no sync is running there (it was interrupted, or "
					      "the stick was pulled out), remove that file (`rm '%s'`) and sync "
					      "again; otherwise wait until it has finished. Everything stays saved "
					      "on this computer"),
					    name, h.li.host[0] ? h.li.host : _("another computer"), age, lk->path, lk->path);
		}
		if (unlink(lk->path) < 0 && errno != ENOENT)
			return fb_error_set(err, FB_EIO, "remote", _("cannot remove the lock file %s of remote %s: %s"),
					    lk->path, name, strerror(errno));
	}
	if (!lk->held)
		return fb_error_set(err, FB_EIO, "remote",
				    _("remote %s: cannot take its lock %s (other syncs keep taking it); sync "
				      "again later"), name, lk->path);
	if ((rc = git_locks(s, name, repo, dead_since, err)) < 0) {
		sync_path_unlock(lk);
		return rc;
	}
	return 0;
}

void sync_path_unlock(struct sync_path_lock *lk)
{
	if (lk && lk->held)
		unlink(lk->path);
	if (lk)
		lk->held = 0;
}
