/* transport.c - how a sync reaches a remote (sync layer: libgit2 + core): the remote's
 * settings from the configuration file, ssh and https credentials, host key pinning,
 * progress, and the watchdog.  libgit2 1.5 has no network timeouts, so every network
 * step (one fetch, one push) runs in a forked child process: the child opens the
 * repository itself, runs git_remote_fetch or git_remote_push and reports on a pipe in
 * simple lines; the parent reads them with poll() and kills the child (SIGKILL) after
 * `timeout` seconds without a line, or on SIGINT.  Path remotes run in this process.
 *
 * The child's lines:
 *   P PHASE DONE TOTAL BYTES   progress ("fetch" or "push")
 *   H                          alive (a callback ran)
 *   R REASON                   the remote refused a ref
 *   E MESSAGE                  failed (MESSAGE in plain words); last line
 *   K                          done; last line
 * Contract in sync_int.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "fieldbook/config.h"
#include "fieldbook/i18n.h"
#include "sync_int.h"

/* Every failure message ends in "everything stays saved on this computer", written out in
 * each literal so that gettext sees whole messages. */

void fb_sync_set_progress(struct fb_sync *s,
			  void (*cb)(const char *phase, uint64_t objects_done, uint64_t objects_total,
				     uint64_t bytes, void *ctx),
			  void *ctx)
{
	s->progress = cb;
	s->progress_ctx = ctx;
}

/* ---- settings ------------------------------------------------------------------------ */

/* Host and port of a network URL, for messages; *has_password when the URL carries one. */
static void parse_hostport(struct sync_remote_cfg *rc, int *has_password)
{
	const char *u = rc->url, *p, *end, *at, *colon;
	size_t n;

	*has_password = 0;
	rc->port = rc->kind == FB_URL_SSH ? 22 : !strncmp(u, "https://", 8) ? 443 : 80;
	p = strstr(u, "://");
	if (!p) { /* scp-like user@host:path */
		at = strchr(u, '@');
		colon = strchr(u, ':');
		p = at && at < colon ? at + 1 : u;
		n = colon ? (size_t)(colon - p) : strlen(p);
		snprintf(rc->host, sizeof rc->host, "%.*s", (int)n, p);
		return;
	}
	p += 3;
	end = p + strcspn(p, "/?#");
	for (at = NULL, colon = p; colon < end; colon++)
		if (*colon == '@')
			at = colon;
	if (at) {
		if (memchr(p, ':', (size_t)(at - p)))
			*has_password = 1;
		p = at + 1;
	}
	if (*p == '[') { /* [v6]:port */
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (close) {
			snprintf(rc->host, sizeof rc->host, "%.*s", (int)(close - p - 1), p + 1);
			if (close[1] == ':')
				rc->port = atoi(close + 2);
			return;
		}
	}
	colon = memchr(p, ':', (size_t)(end - p));
	n = (size_t)((colon ? colon : end) - p);
	snprintf(rc->host, sizeof rc->host, "%.*s", (int)n, p);
	if (colon && colon + 1 < end)
		rc->port = atoi(colon + 1);
}

/* A private file (key, token): exists, regular, only its owner may read it. */
static int private_file_ok(const char *path, const char *what, const char *name, struct fb_error *err)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return fb_error_set(err, FB_EIO, "remote", _("the %s file %s of remote %s cannot be read: %s"), what,
				    path, name, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return fb_error_set(err, FB_EIO, "remote", _("the %s file %s of remote %s is not a file"), what, path,
				    name);
	if ((sb.st_mode & 077) || sb.st_uid != geteuid())
		return fb_error_set(err, FB_EIO, "remote",
				    _("the %s file %s of remote %s can be read by other users of this "
				      "computer; make it yours only (`chmod 600 %s`) and sync again"),
				    what, path, name, path);
	return 0;
}

int sync_remote_cfg_load(struct fb_sync *s, const char *name, const char *url, struct sync_remote_cfg *rc,
			 struct fb_error *err)
{
	struct fb_config *cfg = NULL;
	char path[4096], key[160];
	const char *v, *env;
	int has_password, rcode = 0;
	long t;
	char *end;

	memset(rc, 0, sizeof *rc);
	snprintf(rc->name, sizeof rc->name, "%s", name);
	if ((size_t)snprintf(rc->url, sizeof rc->url, "%s", url) >= sizeof rc->url)
		return fb_error_set(err, FB_EINVAL, "remote", _("the URL of remote %s is too long"), name);
	rc->kind = fb_sync_url_kind(url);
	rc->timeout = SYNC_DEFAULT_TIMEOUT;
	if (rc->kind == FB_URL_PATH || rc->kind == FB_URL_BAD)
		return 0;
	parse_hostport(rc, &has_password);
	if (has_password)
		return fb_error_set(err, FB_EINVAL, "remote",
				    _("the URL of remote %s contains a password; fieldbook never keeps one in "
				      "its settings: put the token in a file only you can read and use "
				      "`fieldbook remote add %s URL --token-file FILE`"), name, name);
	if (!strncmp(url, "http://", 7) && strcmp(rc->host, "127.0.0.1") && strcmp(rc->host, "localhost") &&
	    strcmp(rc->host, "::1"))
		return fb_error_set(err, FB_EINVAL, "remote",
				    _("the remote %s uses plain http:// to %s: the token and the data would "
				      "travel unencrypted; use its https:// URL"), name, rc->host);
	if ((rcode = fb_config_default_path(path, sizeof path, err)) < 0 ||
	    (rcode = fb_config_load(&cfg, path, err)) < 0)
		return rcode;
#define GET(k) (snprintf(key, sizeof key, "remote.%s.%s", name, k), fb_config_get(cfg, key))
	if ((v = GET("host-key")))
		snprintf(rc->host_key, sizeof rc->host_key, "%s", v);
	if ((v = GET("user")))
		snprintf(rc->user, sizeof rc->user, "%s", v);
	if ((v = GET("token-file")))
		snprintf(rc->token_file, sizeof rc->token_file, "%s", v);
	if ((v = GET("ca-file")) && *v)
		snprintf(rc->ca_file, sizeof rc->ca_file, "%s", v);
	if ((v = GET("key-file")) && *v)
		snprintf(rc->key_file, sizeof rc->key_file, "%s", v);
	else
		snprintf(rc->key_file, sizeof rc->key_file, "%s/ssh/id_ed25519", fb_store_dir(s->store));
	env = getenv("FIELDBOOK_SYNC_TIMEOUT");
	v = env && *env ? env : GET("timeout");
#undef GET
	if (v) {
		errno = 0;
		t = strtol(v, &end, 10);
		if (errno || end == v || *end || t < 1 || t > 86400)
			rcode = fb_error_set(err, FB_EINVAL, "remote",
					     _("the timeout of remote %s must be a number of seconds (1-86400), "
					       "not '%s'"), name, v);
		else
			rc->timeout = (int)t;
	}
	if (rcode == 0 && rc->kind == FB_URL_HTTPS && rc->token_file[0])
		rcode = private_file_ok(rc->token_file, _("token"), name, err);
	if (rcode == 0 && rc->kind == FB_URL_HTTPS && rc->ca_file[0] && access(rc->ca_file, R_OK) < 0)
		rcode = fb_error_set(err, FB_EIO, "remote",
				     _("the CA file %s of remote %s (remote.%s.ca-file) cannot be read: %s"),
				     rc->ca_file, name, name, strerror(errno));
	if (rcode == 0 && rc->kind == FB_URL_SSH) {
		snprintf(key, sizeof key, "remote.%s.key-file", name);
		/* a key file named in the settings must be there; the default one may be absent
		 * (the ssh agent may have the key) */
		if (fb_config_get(cfg, key) || access(rc->key_file, F_OK) == 0)
			rcode = private_file_ok(rc->key_file, _("key"), name, err);
	}
	fb_config_free(cfg);
	return rcode;
}

/* ---- one step (fetch or push), in the child or in this process ------------------------- */

enum { HK_NONE, HK_OK, HK_UNPINNED, HK_MISMATCH, HK_NOSHA };

struct step {
	struct fb_sync *s; /* in this process: progress goes to s->progress; NULL in the child */
	const struct sync_remote_cfg *rc;
	int fd;            /* the pipe to the parent in the child, else -1 */
	int push;
	char **specs;
	size_t nspecs;
	/* outcome */
	int failed, refused;
	char msg[FB_ERROR_MESSAGE_MAX];
	char why[256];
	/* callback state */
	int ssh_stage, http_tries, auth_refused, hostkey;
	char presented[64];
	char cred_msg[FB_ERROR_MESSAGE_MAX];
	struct timespec last;
	uint64_t last_done;
};

static void emit(struct step *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct step *st, const char *fmt, ...)
{
	char buf[FB_ERROR_MESSAGE_MAX + 64];
	size_t off = 0, len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = (size_t)n < sizeof buf - 1 ? (size_t)n : sizeof buf - 2;
	for (off = 0; off < len; off++) /* one line */
		if (buf[off] == '\n' || buf[off] == '\r')
			buf[off] = ' ';
	buf[len++] = '\n';
	for (off = 0; off < len;) {
		ssize_t w = write(st->fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(1); /* the parent is gone */
		off += (size_t)w;
	}
}

/* 1 when a progress line is due (at most one each 100 ms). */
static int due(struct step *st)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - st->last.tv_sec) * 1000 + (now.tv_nsec - st->last.tv_nsec) / 1000000;
	if (ms < 100 && st->last.tv_sec)
		return 0;
	st->last = now;
	return 1;
}

static void heartbeat(struct step *st)
{
	if (st->fd >= 0 && due(st))
		emit(st, "H");
}

static void progress(struct step *st, const char *phase, uint64_t done, uint64_t total, uint64_t bytes)
{
	int complete = done == total && (done != st->last_done || !st->last.tv_sec);

	if (!complete && !due(st))
		return;
	if (complete)
		clock_gettime(CLOCK_MONOTONIC, &st->last);
	st->last_done = done;
	if (st->fd >= 0)
		emit(st, "P %s %llu %llu %llu", phase, (unsigned long long)done, (unsigned long long)total,
		     (unsigned long long)bytes);
	else if (st->s && st->s->progress)
		st->s->progress(phase, done, total, bytes, st->s->progress_ctx);
}

static int fetch_progress_cb(const git_indexer_progress *p, void *payload)
{
	progress(payload, "fetch", p->received_objects, p->total_objects, p->received_bytes);
	return 0;
}

static int push_progress_cb(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	progress(payload, "push", current, total, bytes);
	return 0;
}

static int pack_progress_cb(int stage, uint32_t current, uint32_t total, void *payload)
{
	heartbeat(payload);
	return 0;
}

static int sideband_cb(const char *str, int len, void *payload)
{
	heartbeat(payload);
	return 0;
}

static int push_ref_cb(const char *refname, const char *status, void *payload)
{
	struct step *st = payload;

	if (status) {
		st->refused++;
		snprintf(st->why, sizeof st->why, "%s: %s", refname, status);
	}
	return 0;
}

static void b64_nopad(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*out++ = tab[in[i + 2] & 63];
	}
	if (n - i == 1) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		*out++ = tab[in[i] >> 2];
		*out++ = tab[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*out++ = tab[(in[i + 1] & 15) << 2];
	}
	*out = '\0';
}

/* The ssh server's host key against remote.NAME.host-key (runs on every connection). */
static int cert_cb(git_cert *cert, int valid, const char *host, void *payload)
{
	struct step *st = payload;
	const git_cert_hostkey *hk;

	heartbeat(st);
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return GIT_PASSTHROUGH; /* https: libgit2's own certificate validation */
	hk = (const git_cert_hostkey *)cert;
	if (!(hk->type & GIT_CERT_SSH_SHA256)) {
		st->hostkey = HK_NOSHA;
		git_error_set_str(GIT_ERROR_SSH, "no SHA-256 host key fingerprint");
		return GIT_ECERTIFICATE;
	}
	memcpy(st->presented, "SHA256:", 7);
	b64_nopad(hk->hash_sha256, sizeof hk->hash_sha256, st->presented + 7);
	if (!st->rc->host_key[0]) {
		st->hostkey = HK_UNPINNED;
		git_error_set_str(GIT_ERROR_SSH, "no host key pinned");
		return GIT_ECERTIFICATE;
	}
	if (strcmp(st->presented, st->rc->host_key)) {
		st->hostkey = HK_MISMATCH;
		git_error_set_str(GIT_ERROR_SSH, "host key mismatch");
		return GIT_ECERTIFICATE;
	}
	st->hostkey = HK_OK;
	return 0;
}

static int agent_usable(void)
{
	const char *sock = getenv("SSH_AUTH_SOCK");
	struct stat sb;

	return sock && *sock && stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/* The token: the first line of the token file, without surrounding blanks. */
static int read_token(struct step *st, char *tok, size_t cap)
{
	FILE *f = fopen(st->rc->token_file, "r");
	size_t n;
	char *p;

	if (!f || !fgets(tok, (int)cap, f)) {
		snprintf(st->cred_msg, sizeof st->cred_msg,
			 _("cannot read the token file %s of remote %s: %s"), st->rc->token_file, st->rc->name,
			 f ? _("it is empty") : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(tok, "\r\n");
	tok[n] = '\0';
	while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
		tok[--n] = '\0';
	for (p = tok; *p == ' ' || *p == '\t'; p++)
		;
	memmove(tok, p, strlen(p) + 1);
	if (!*tok) {
		snprintf(st->cred_msg, sizeof st->cred_msg, _("the token file %s of remote %s is empty"),
			 st->rc->token_file, st->rc->name);
		return -1;
	}
	return 0;
}

/* ssh: the agent (when there is one), then the key file, then give up.  https: the token
 * once; asked again means it was refused (libgit2 would ask ~15 times). */
static int cred_cb(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
		   void *payload)
{
	struct step *st = payload;
	const struct sync_remote_cfg *rc = st->rc;
	const char *user;

	heartbeat(st);
	if (rc->kind == FB_URL_SSH) {
		user = user_from_url && *user_from_url ? user_from_url : rc->user[0] ? rc->user : "git";
		if (allowed & GIT_CREDENTIAL_USERNAME)
			return git_credential_username_new(out, user);
		if (!(allowed & GIT_CREDENTIAL_SSH_KEY)) {
			snprintf(st->cred_msg, sizeof st->cred_msg,
				 _("the ssh server of remote %s does not accept keys; ask HQ to allow key "
				   "login"), rc->name);
			git_error_set_str(GIT_ERROR_SSH, "no key login");
			return GIT_EUSER;
		}
		if (st->ssh_stage == 0) {
			st->ssh_stage = 1;
			if (agent_usable())
				return git_credential_ssh_key_from_agent(out, user);
		}
		if (st->ssh_stage == 1) {
			char pub[4200];
			st->ssh_stage = 2;
			if (access(rc->key_file, R_OK) == 0) {
				snprintf(pub, sizeof pub, "%s.pub", rc->key_file);
				return git_credential_ssh_key_new(out, user, access(pub, R_OK) == 0 ? pub : NULL,
								  rc->key_file, NULL);
			}
			if (!agent_usable()) {
				snprintf(st->cred_msg, sizeof st->cred_msg,
					 _("this computer has no ssh key for remote %s: put its ed25519 key in "
					   "%s (or use `fieldbook remote add %s URL --key-file FILE`) and ask HQ "
					   "to add the public key"), rc->name, rc->key_file, rc->name);
				git_error_set_str(GIT_ERROR_SSH, "no key");
				return GIT_EUSER;
			}
		}
		st->auth_refused = 1;
		git_error_set_str(GIT_ERROR_SSH, "key refused");
		return GIT_EUSER;
	}
	/* http(s) */
	if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) {
		snprintf(st->cred_msg, sizeof st->cred_msg,
			 _("the server of remote %s asks for a login fieldbook does not know (not a "
			   "token); ask HQ"), rc->name);
		git_error_set_str(GIT_ERROR_HTTP, "unsupported authentication");
		return GIT_EUSER;
	}
	if (st->http_tries++ > 0) {
		st->auth_refused = 1;
		git_error_set_str(GIT_ERROR_HTTP, "token refused");
		return GIT_EUSER;
	}
	if (!rc->token_file[0]) {
		snprintf(st->cred_msg, sizeof st->cred_msg,
			 _("the server of remote %s asks for a token: get the token file from HQ and run "
			   "`fieldbook remote remove %s` and `fieldbook remote add %s URL --token-file FILE`"),
			 rc->name, rc->name, rc->name);
		git_error_set_str(GIT_ERROR_HTTP, "no token");
		return GIT_EUSER;
	}
	{
		char tok[1024];
		int r;
		if (read_token(st, tok, sizeof tok) < 0) {
			git_error_set_str(GIT_ERROR_HTTP, "no token");
			return GIT_EUSER;
		}
		user = user_from_url && *user_from_url ? user_from_url : rc->user[0] ? rc->user : "fieldbook";
		r = git_credential_userpass_plaintext_new(out, user, tok);
		memset(tok, 0, sizeof tok);
		return r;
	}
}

/* "connection refused" when msg says the host could not be reached, else NULL. */
static const char *unreachable(const char *msg)
{
	static const struct {
		const char *needle, *words;
	} t[] = {
		{"connection refused", N_("connection refused")},
		{"no route to host", N_("no route to the host")},
		{"network is unreachable", N_("the network is unreachable")},
		{"failed to resolve address", N_("the name is not known")},
		{"name or service not known", N_("the name is not known")},
		{"temporary failure in name resolution", N_("the name cannot be looked up now")},
		{"timed out", N_("the connection timed out")},
		{"connection reset", N_("the connection was cut")},
		{"failed to connect", N_("the connection failed")},
	};
	char low[FB_ERROR_MESSAGE_MAX];
	size_t i;

	for (i = 0; msg[i] && i + 1 < sizeof low; i++)
		low[i] = (char)(msg[i] >= 'A' && msg[i] <= 'Z' ? msg[i] + 32 : msg[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof t / sizeof *t; i++)
		if (strstr(low, t[i].needle))
			return _(t[i].words);
	return NULL;
}

/* st->msg in plain words, after git_remote_fetch / git_remote_push failed with gitrc. */
static void explain(struct step *st, int gitrc)
{
	const struct sync_remote_cfg *rc = st->rc;
	const git_error *e = git_error_last();
	const char *m = e && e->message ? e->message : _("unknown error");
	const char *why;

	st->failed = 1;
	if (st->hostkey == HK_MISMATCH)
		snprintf(st->msg, sizeof st->msg,
			 _("the server's host key does not match the one pinned for remote %s (the server "
			   "presented %s); if HQ changed it, check with HQ and run `fieldbook remote add` "
			   "again (after `fieldbook remote remove %s`); everything stays saved on this computer"),
			 rc->name, st->presented, rc->name);
	else if (st->hostkey == HK_UNPINNED)
		snprintf(st->msg, sizeof st->msg,
			 _("no host key is pinned for the ssh remote %s; the server presented %s: confirm "
			   "it with HQ, then run `fieldbook remote remove %s` and `fieldbook remote add %s "
			   "URL --host-key %s`"),
			 rc->name, st->presented, rc->name, rc->name, st->presented);
	else if (st->hostkey == HK_NOSHA)
		snprintf(st->msg, sizeof st->msg,
			 _("the ssh server of remote %s gave no SHA-256 fingerprint of its host key, so it "
			   "cannot be checked; everything stays saved on this computer"), rc->name);
	else if (st->cred_msg[0])
		snprintf(st->msg, sizeof st->msg, "%s", st->cred_msg);
	else if (st->auth_refused || (e && e->klass == GIT_ERROR_HTTP && strstr(m, "401")))
		snprintf(st->msg, sizeof st->msg,
			 rc->kind == FB_URL_SSH
				 ? _("the server refused this computer's key for remote %s: ask HQ to add it "
				     "(the public key is %s.pub); everything stays saved on this computer")
				 : _("the server refused this computer's token for remote %s: ask HQ to add it "
				     "(the token is in %s); everything stays saved on this computer"),
			 rc->name, rc->kind == FB_URL_SSH ? rc->key_file : rc->token_file);
	else if (rc->kind != FB_URL_PATH && (why = unreachable(m)))
		snprintf(st->msg, sizeof st->msg,
			 _("cannot reach %s:%d: %s; check the address or the network; everything stays saved on this computer"),
			 rc->host, rc->port, why);
	else if (gitrc == GIT_ECERTIFICATE && !strncmp(rc->url, "https://", 8) && !strstr(m, "signed") &&
		 strstr(m, "Common Name"))
		snprintf(st->msg, sizeof st->msg,
			 _("the certificate of the server of remote %s is not made for the name %s: %s; put "
			   "the server name the certificate names in the URL (`fieldbook remote remove %s`, "
			   "then `fieldbook remote add %s https://NAME/...`; this libgit2 matches names, "
			   "not IP addresses); everything stays saved on this computer"),
			 rc->name, rc->host, m, rc->name, rc->name);
	else if (gitrc == GIT_ECERTIFICATE && rc->ca_file[0])
		snprintf(st->msg, sizeof st->msg,
			 _("the certificate of the server of remote %s (%s) is not signed by the certificate "
			   "authority in %s (remote.%s.ca-file): %s; check with HQ that this is their "
			   "current CA file; everything stays saved on this computer"),
			 rc->name, rc->host, rc->ca_file, rc->name, m);
	else if (gitrc == GIT_ECERTIFICATE && !strncmp(rc->url, "https://", 8))
		snprintf(st->msg, sizeof st->msg,
			 _("the certificate of the server of remote %s (%s) is not trusted by this computer: "
			   "%s. If HQ runs its own certificate authority, get its CA certificate file from HQ "
			   "and run `fieldbook remote remove %s` and `fieldbook remote add %s %s --ca-file "
			   "FILE`; otherwise ask HQ. Everything stays saved on this computer"),
			 rc->name, rc->host, m, rc->name, rc->name, rc->url);
	else if (gitrc == GIT_ECERTIFICATE)
		snprintf(st->msg, sizeof st->msg,
			 _("the certificate of the server of remote %s (%s) is not valid: %s; ask HQ; "
			   "everything stays saved on this computer"), rc->name, rc->host, m);
	else if (strstr(m, "No space left on device") || strstr(m, "Disk quota exceeded"))
		snprintf(st->msg, sizeof st->msg,
			 _("the disk is full: could not %s remote %s; free some space and sync again; "
			   "everything saved before stays on this computer"),
			 st->push ? _("send to") : _("fetch from"), rc->name);
	else if (strstr(m, "404"))
		snprintf(st->msg, sizeof st->msg,
			 _("the server of remote %s has no repository at %s: check the URL with HQ; "
			   "everything stays saved on this computer"), rc->name, rc->url);
	else
		snprintf(st->msg, sizeof st->msg, _("could not %s remote %s: %s; everything stays saved on this computer"),
			 st->push ? _("send to") : _("fetch from"), rc->name, m);
}

static void path_progress(const char *phase, uint64_t done, uint64_t total, uint64_t bytes, void *ctx)
{
	progress(ctx, phase, done, total, bytes);
}

/* A path remote: pathsync.c copies the objects itself (libgit2's local transport would
 * search deltas over every object it sends). */
static void path_step_run(struct step *st, git_repository *repo)
{
	struct sync_path_progress pg = {st->push ? "push" : "fetch", path_progress, st};
	int rc;

	if (st->push)
		rc = sync_path_push(repo, st->rc->url, st->specs, st->nspecs, &pg, &st->refused, st->why,
				    sizeof st->why);
	else
		rc = sync_path_fetch(repo, st->rc->url, st->specs, st->nspecs, &pg);
	if (rc < 0)
		explain(st, rc);
}

static void step_run(struct step *st, git_repository *repo)
{
	git_remote *remote = NULL;
	git_remote_create_options ro;
	git_remote_callbacks cb;
	int rc;

	if (st->rc->kind == FB_URL_PATH) {
		path_step_run(st, repo);
		return;
	}
	/* Anonymous, and without the url.*.insteadOf scan: libgit2 1.5.1 leaks pcre2 match
	 * data for every config key that does not match it. */
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, st->rc->url, &ro) < 0) {
		explain(st, -1);
		return;
	}
	git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb.payload = st;
	cb.transfer_progress = fetch_progress_cb;
	cb.push_transfer_progress = push_progress_cb;
	cb.pack_progress = pack_progress_cb;
	cb.sideband_progress = sideband_cb;
	cb.push_update_reference = push_ref_cb;
	if (st->rc->kind != FB_URL_PATH) {
		cb.credentials = cred_cb;
		cb.certificate_check = cert_cb;
	}
	if (!st->push) {
		git_fetch_options fo;
		git_strarray arr = {st->specs, st->nspecs};
		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fo.callbacks = cb;
		fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
		fo.prune = GIT_FETCH_NO_PRUNE;
		fo.update_fetchhead = 0;
		rc = git_remote_fetch(remote, &arr, &fo, NULL);
	} else {
		git_push_options po;
		git_strarray arr = {st->specs, st->nspecs};
		git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
		po.callbacks = cb;
		rc = git_remote_push(remote, &arr, &po);
	}
	if (rc < 0) {
		const git_error *e = git_error_last();
		/* a path remote refuses a non-fast-forward with an error, not a ref status */
		if (st->push && e && e->message &&
		    (strstr(e->message, "fast-forward") || strstr(e->message, "fastforward"))) {
			st->refused++;
			snprintf(st->why, sizeof st->why, "%s", e->message);
		} else {
			explain(st, rc);
		}
	}
	git_remote_free(remote);
}

/* ---- the child and its watchdog ------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = 1;
}

static void child_main(struct step *st, int fd, const char *repo_path, int lock_fd, pid_t parent)
{
	git_repository *repo = NULL;

#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
	if (getppid() != parent)
		_exit(1);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (lock_fd >= 0)
		close(lock_fd); /* the sync lock goes with the parent */
	st->fd = fd;
	st->s = NULL;
	git_libgit2_init();
	/* this child serves one remote: its CA file may replace the system's for the process */
	if (st->rc->kind == FB_URL_HTTPS && st->rc->ca_file[0] &&
	    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, st->rc->ca_file, NULL) < 0) {
		const git_error *e = git_error_last();
		char m[FB_ERROR_MESSAGE_MAX];
		snprintf(m, sizeof m,
			 _("the CA file %s of remote %s (remote.%s.ca-file) cannot be used: %s; it must hold "
			   "the PEM certificate of HQ's certificate authority; everything stays saved on "
			   "this computer"),
			 st->rc->ca_file, st->rc->name, st->rc->name, e && e->message ? e->message : "?");
		emit(st, "E %s", m);
		_exit(0);
	}
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
				    NULL) < 0) {
		const git_error *e = git_error_last();
		emit(st, "E %s: %s", _("could not open the data repository"),
		     e && e->message ? e->message : "?");
		_exit(0);
	}
	step_run(st, repo);
	if (st->refused)
		emit(st, "R %s", st->why);
	if (st->failed)
		emit(st, "E %s", st->msg);
	else
		emit(st, "K");
	_exit(0); /* no atexit handlers, no stdio flush: they are the parent's */
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Lock files a killed child may have left in our repository (we hold the sync lock, so no
 * one else is writing there). */
static void remove_stale_locks(struct fb_sync *s, const char *name)
{
	const char *repo = git_repository_path(s->repo);
	char dir[4400], p[4700];
	DIR *d;
	struct dirent *de;

	snprintf(p, sizeof p, "%spacked-refs.lock", repo);
	unlink(p);
	snprintf(p, sizeof p, "%sFETCH_HEAD.lock", repo);
	unlink(p);
	snprintf(dir, sizeof dir, "%srefs/fieldbook/staging/%s/dev", repo, name);
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 5 && !strcmp(de->d_name + n - 5, ".lock")) {
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
	}
	closedir(d);
}

static void copy_line(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One line from the child. */
static void child_line(struct fb_sync *s, struct step *st, char *line, int *final)
{
	char phase[16];
	unsigned long long a, b, c;

	switch (line[0]) {
	case 'P':
		if (sscanf(line, "P %15s %llu %llu %llu", phase, &a, &b, &c) == 4 && s->progress)
			s->progress(!strcmp(phase, "push") ? "push" : "fetch", a, b, c, s->progress_ctx);
		break;
	case 'R':
		st->refused++;
		copy_line(st->why, sizeof st->why, line[1] ? line + 2 : "");
		break;
	case 'E':
		st->failed = 1;
		copy_line(st->msg, sizeof st->msg, line[1] ? line + 2 : "");
		*final = 1;
		break;
	case 'K':
		*final = 1;
		break;
	default:
		break;
	}
}

static int run_forked(struct fb_sync *s, struct step *st, struct fb_error *err)
{
	const struct sync_remote_cfg *rc = st->rc;
	struct sigaction sa, old;
	struct timespec last;
	char repo_path[4096], buf[4096];
	size_t used = 0;
	int p[2], final = 0, status = 0, timed_out = 0;
	pid_t pid, parent = getpid();
	git_odb *odb;

	snprintf(repo_path, sizeof repo_path, "%s", git_repository_path(s->repo));
	if (pipe(p) < 0)
		return fb_error_set(err, FB_EIO, "sync", _("cannot start the sync process: %s"), strerror(errno));
	fflush(NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		sigaction(SIGINT, &old, NULL);
		close(p[0]);
		close(p[1]);
		return fb_error_set(err, FB_EIO, "sync", _("cannot start the sync process: %s"), strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		child_main(st, p[1], repo_path, s->lock_fd, parent);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &last);
	for (;;) {
		struct pollfd pf = {p[0], POLLIN, 0};
		long left = (long)rc->timeout * 1000 - ms_since(&last);
		ssize_t n;
		int r;

		if (interrupted || left <= 0) {
			timed_out = !interrupted;
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pf, 1, left < 200 ? (int)left : 200);
		if (r <= 0)
			continue; /* timeout slice, EINTR */
		n = read(p[0], buf + used, sizeof buf - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the child is gone */
		clock_gettime(CLOCK_MONOTONIC, &last);
		used += (size_t)n;
		buf[used] = '\0';
		for (;;) {
			char *nl = memchr(buf, '\n', used);
			if (!nl) {
				if (used == sizeof buf - 1)
					used = 0; /* an overlong line: dropped */
				break;
			}
			*nl = '\0';
			child_line(s, st, buf, &final);
			used -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, used);
		}
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGINT, &old, NULL);
	if (timed_out || interrupted) {
		remove_stale_locks(s, rc->name);
		if (timed_out)
			return fb_error_set(err, FB_EIO, "remote",
					    _("no answer from %s (%s:%d) after %d s: check the network; nothing "
					      "was lost, run sync again"), rc->name, rc->host, rc->port, rc->timeout);
		return fb_error_set(err, FB_EIO, "remote",
				    _("sync with %s cancelled; nothing was lost, run sync again"), rc->name);
	}
	if (git_repository_odb(&odb, s->repo) == 0) { /* see the packs the child wrote */
		git_odb_refresh(odb);
		git_odb_free(odb);
	}
	if (!final) {
		remove_stale_locks(s, rc->name);
		if (WIFSIGNALED(status))
			return fb_error_set(err, FB_EIO, "remote",
					    _("the sync process for %s stopped (signal %d); nothing was lost, run "
					      "sync again"), rc->name, WTERMSIG(status));
		return fb_error_set(err, FB_EIO, "remote",
				    _("the sync process for %s stopped without an answer; nothing was lost, "
				      "run sync again"), rc->name);
	}
	if (st->failed)
		return fb_error_set(err, FB_EIO, "remote", "%s", st->msg);
	return 0;
}

static int run_step(struct fb_sync *s, struct step *st, struct fb_error *err)
{
	if (st->rc->kind == FB_URL_PATH) {
		st->s = s;
		st->fd = -1;
		step_run(st, s->repo);
		if (st->failed)
			return fb_error_set(err, FB_EIO, "remote", "%s", st->msg);
		return 0;
	}
	if (st->rc->kind == FB_URL_BAD)
		return fb_error_set(err, FB_EINVAL, "remote", _("the remote %s has no usable URL"), st->rc->name);
	return run_forked(s, st, err);
}

int sync_transport_fetch(struct fb_sync *s, const struct sync_remote_cfg *rc, char **specs, size_t n,
			 struct fb_error *err)
{
	struct step st;

	memset(&st, 0, sizeof st);
	st.rc = rc;
	st.specs = specs;
	st.nspecs = n;
	return run_step(s, &st, err);
}

int sync_transport_push(struct fb_sync *s, const struct sync_remote_cfg *rc, char **specs, size_t n,
			int *refused, char *why, size_t whycap, struct fb_error *err)
{
	struct step st;
	int r;

	memset(&st, 0, sizeof st);
	st.rc = rc;
	st.push = 1;
	st.specs = specs;
	st.nspecs = n;
	r = run_step(s, &st, err);
	*refused = st.refused;
	if (why && whycap)
		snprintf(why, whycap, "%s", st.why);
	return r;
}
