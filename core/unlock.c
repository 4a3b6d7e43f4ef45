/* unlock.c - privacy mode, unlocking an operator, lock, and the unlock session file
 * (core layer, libsodium).  Contract: include/fieldbook/unlock.h. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fieldbook/clock.h"
#include "fieldbook/i18n.h"
#include "fieldbook/unlock.h"
#include "store_int.h"

#define SESSION_MAGIC "fieldbook-session 1"

static int g_required;
static int g_unlocked;

int fb_operators_path(char *out, size_t cap, const char *dir)
{
	int n = snprintf(out, cap, "%s/operators", dir);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int fb_privacy_mode(const char *dir)
{
	char p[4200];
	struct stat st;

	return dir && fb_operators_path(p, sizeof p, dir) == 0 && stat(p, &st) == 0;
}

void fb_unlock_set_required(int on)
{
	g_required = on;
}

int fb_unlock_required(void)
{
	return g_required;
}

int fb_unlock_as(struct fb_store *s, const char *name, enum fb_role role, const struct fb_keyring *ring,
		 struct fb_error *err)
{
	int rc;

	if (s && (rc = fb_store_set_operator(s, name, err)) < 0)
		return rc;
	fb_crypto_set_ring(ring);
	fb_role_set_current(role);
	g_unlocked = 1;
	return 0;
}

int fb_unlock(struct fb_store *s, const char *pass, const char *prefer, struct fb_error *err)
{
	struct fb_keyfile *kf = calloc(1, sizeof *kf);
	struct fb_keyring ring;
	char path[4200];
	size_t i, pass_no;
	int rc;

	if (!kf)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	memset(&ring, 0, sizeof ring);
	if (fb_operators_path(path, sizeof path, fb_store_dir(s)) < 0) {
		rc = fb_error_set(err, FB_EINVAL, NULL, _("the data directory's path is too long"));
		goto cleanup;
	}
	if ((rc = fb_keyfile_load(kf, path, err)) < 0)
		goto cleanup;
	rc = FB_EINVAL;
	/* the preferred operator first, then every other one */
	for (pass_no = 0; pass_no < 2 && rc < 0; pass_no++)
		for (i = 0; i < kf->n && rc < 0; i++) {
			enum fb_role role;
			int is_pref = prefer && !strcmp(prefer, kf->e[i].name);
			if ((pass_no == 0) != is_pref)
				continue;
			if (fb_keyentry_open(&ring, &kf->e[i], pass, NULL) < 0)
				continue;
			if ((rc = fb_role_parse(&role, kf->e[i].role, err)) == 0)
				rc = fb_unlock_as(s, kf->e[i].name, role, &ring, err);
		}
	if (rc == FB_EINVAL)
		rc = fb_error_set(err, FB_EINVAL, "passphrase", _("wrong passphrase"));
cleanup:
	fb_keyring_wipe(&ring);
	sodium_memzero(kf, sizeof *kf);
	free(kf);
	return rc;
}

void fb_lock(void)
{
	fb_crypto_set_ring(NULL);
	fb_role_set_current(FB_ROLE_NONE);
	g_unlocked = 0;
}

int fb_unlocked(void)
{
	return g_unlocked;
}

/* ---- session file ---- */

static int parse_i64(int64_t *out, const char *s)
{
	int64_t v = 0;

	if (!*s || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	*out = v;
	return 0;
}

int fb_session_parse(struct fb_session *out, const char *text, size_t len, struct fb_error *err)
{
	static const char *const keys[] = {"operator", "role", "expires", "idle", "keys"};
	char *copy, *line, *next;
	unsigned seen = 0;
	size_t lineno = 0, klen = 0, i;
	enum fb_role role;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len > 4096 || memchr(text, '\0', len))
		return fb_error_set(err, FB_EINVAL, "session", _("the unlock session file is damaged"));
	if (!(copy = malloc(len + 1)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && *line && rc == 0; line = next) {
		char *tab, *v;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (lineno++ == 0) {
			rc = strcmp(line, SESSION_MAGIC) ? -1 : 0;
			continue;
		}
		if (!(tab = strchr(line, '\t'))) {
			rc = -1;
			break;
		}
		*tab = '\0';
		v = tab + 1;
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (!strcmp(line, keys[i]))
				break;
		if (i == sizeof keys / sizeof keys[0] || (seen & (1u << i))) {
			rc = -1;
			break;
		}
		seen |= 1u << i;
		switch (i) {
		case 0:
			rc = fb_operator_name_check(v, NULL);
			snprintf(out->operator_name, sizeof out->operator_name, "%s", v);
			break;
		case 1:
			rc = fb_role_parse(&role, v, NULL) < 0 || role == FB_ROLE_NONE ||
					     strcmp(fb_role_name(role), v)
				     ? -1
				     : 0;
			snprintf(out->role, sizeof out->role, "%s", v);
			break;
		case 2: rc = parse_i64(&out->expires, v); break;
		case 3: rc = parse_i64(&out->idle, v); break;
		case 4:
			rc = fb_b64_decode(out->ring.master[0], sizeof out->ring.master, &klen, v, strlen(v)) <
						     0 ||
					     klen == 0 || klen % FB_KEY_BYTES
				     ? -1
				     : 0;
			out->ring.n = klen / FB_KEY_BYTES;
			break;
		}
	}
	if (rc == 0 && seen != (1u << 5) - 1)
		rc = -1;
	sodium_memzero(copy, len + 1);
	free(copy);
	if (rc < 0) {
		sodium_memzero(out, sizeof *out);
		return fb_error_set(err, FB_EINVAL, "session", _("the unlock session file is damaged"));
	}
	return 0;
}

char *fb_session_format(const struct fb_session *s)
{
	char *keys = fb_b64_encode(s->ring.master[0], s->ring.n * FB_KEY_BYTES), *out;
	size_t cap;

	if (!keys)
		return NULL;
	cap = strlen(keys) + 256;
	if ((out = malloc(cap)))
		snprintf(out, cap, "%s\noperator\t%s\nrole\t%s\nexpires\t%lld\nidle\t%lld\nkeys\t%s\n",
			 SESSION_MAGIC, s->operator_name, s->role, (long long)s->expires,
			 (long long)s->idle, keys);
	sodium_memzero(keys, strlen(keys));
	free(keys);
	return out;
}

int fb_session_path(char *out, size_t cap, struct fb_store *s)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (rt && rt[0] == '/' && stat(rt, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid())
		n = snprintf(out, cap, "%s/fieldbook-%s.session", rt, fb_store_device(s));
	else
		n = snprintf(out, cap, "%s/session", fb_store_dir(s));
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int64_t now_seconds(void)
{
	return (int64_t)time(NULL);
}

static int write_session(const char *path, const struct fb_session *ss, struct fb_error *err)
{
	char *text = fb_session_format(ss), tmp[4300];
	int fd, rc = 0;
	size_t len;

	if (!text)
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	len = strlen(text);
	snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = fb_error_set(err, FB_EIO, "session", _("cannot write %s: %s"), path, strerror(errno));
		goto cleanup;
	}
	if (fchmod(fd, 0600) < 0 || write(fd, text, len) != (ssize_t)len || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		rc = fb_error_set(err, FB_EIO, "session", _("cannot write %s: %s"), path, strerror(errno));
		unlink(tmp);
	}
cleanup:
	sodium_memzero(text, len);
	free(text);
	return rc;
}

int fb_session_save(struct fb_store *s, int64_t idle, struct fb_error *err)
{
	struct fb_session ss;
	const struct fb_keyring *ring = fb_crypto_ring();
	char path[4300];
	int rc;

	if (!g_unlocked || !ring)
		return fb_error_set(err, FB_EINVAL, "session", _("no operator is unlocked"));
	if (fb_session_path(path, sizeof path, s) < 0)
		return fb_error_set(err, FB_EINVAL, "session", _("the data directory's path is too long"));
	memset(&ss, 0, sizeof ss);
	snprintf(ss.operator_name, sizeof ss.operator_name, "%s", fb_store_operator(s));
	snprintf(ss.role, sizeof ss.role, "%s", fb_role_name(fb_role_current()));
	ss.idle = idle > 0 ? idle : FB_IDLE_DEFAULT;
	ss.expires = now_seconds() + ss.idle;
	ss.ring = *ring;
	rc = write_session(path, &ss, err);
	sodium_memzero(&ss, sizeof ss);
	return rc;
}

int fb_session_end(struct fb_store *s, struct fb_error *err)
{
	char path[4300], zero[4096];
	struct stat st;
	int fd;

	if (fb_session_path(path, sizeof path, s) < 0)
		return 0;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)) >= 0) {
		if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size <= (off_t)sizeof zero) {
			memset(zero, 0, sizeof zero);
			if (write(fd, zero, (size_t)st.st_size) < 0) { /* best effort before unlink */
			}
			fsync(fd);
		}
		close(fd);
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return fb_error_set(err, FB_EIO, "session", _("cannot remove %s: %s"), path, strerror(errno));
	return 0;
}

int fb_session_resume(struct fb_store *s, struct fb_error *err)
{
	struct fb_session ss;
	char path[4300], buf[4097];
	struct stat st;
	enum fb_role role;
	ssize_t n;
	int fd, rc;

	if (fb_session_path(path, sizeof path, s) < 0)
		return fb_error_set(err, FB_ENOTFOUND, "session", _("no unlock session"));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return fb_error_set(err, FB_ENOTFOUND, "session", _("no unlock session"));
	if (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		fb_session_end(s, NULL);
		return fb_error_set(err, FB_ENOTFOUND, "session",
				    _("the unlock session file had unsafe permissions and was removed"));
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		n = 0;
	rc = fb_session_parse(&ss, buf, (size_t)n, err);
	sodium_memzero(buf, sizeof buf);
	if (rc < 0 || ss.expires <= now_seconds()) {
		sodium_memzero(&ss, sizeof ss);
		fb_session_end(s, NULL);
		return fb_error_set(err, FB_ENOTFOUND, "session",
				    rc < 0 ? _("the unlock session was damaged and was removed")
					   : _("the unlock session expired"));
	}
	if ((rc = fb_role_parse(&role, ss.role, err)) == 0 &&
	    (rc = fb_unlock_as(s, ss.operator_name, role, &ss.ring, err)) == 0) {
		ss.expires = now_seconds() + ss.idle;
		rc = write_session(path, &ss, err);
	}
	sodium_memzero(&ss, sizeof ss);
	return rc;
}
