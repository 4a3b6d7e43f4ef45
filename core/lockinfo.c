/* lockinfo.c - parsing and formatting the content of a path remote's sync lock file (core
 * layer; pure: no I/O, no libgit2, so it can be fuzzed; format and limits in
 * include/fieldbook/lockinfo.h, the file itself is read and written by sync/pathlock.c). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fieldbook/lockinfo.h"
#include "fieldbook/text.h"

#define MAGIC "fieldbook sync lock"

enum { K_HOST, K_BOOT, K_PID, K_STARTED, K_COUNT };
static const char *const key_names[K_COUNT] = {"host", "boot", "pid", "started"};

/* 1 when s[0..n) is valid UTF-8 without control characters (fb_cp_is_control: C0, C1,
 * DEL, bidi controls), so it is shown as it is in a message. */
static int text_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (!fb_utf8_valid(s, n))
		return 0;
	while (i < n) {
		uint32_t cp;
		i += fb_utf8_decode(s + i, n - i, &cp);
		if (fb_cp_is_control(cp))
			return 0;
	}
	return 1;
}

static int boot_chars_ok(const char *s, size_t n)
{
	size_t i;

	if (n > FB_LOCKINFO_BOOT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* 0 with *v when s[0..n) is 1-19 decimal digits worth at most max, else -1. */
static int number(const char *s, size_t n, unsigned long long max, unsigned long long *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned)(s[i] - '0'); /* 19 digits cannot overflow 64 bits */
	}
	return *v <= max ? 0 : -1;
}

int fb_lockinfo_host_ok(const char *host)
{
	size_t n = strlen(host);

	return n <= FB_LOCKINFO_HOST_MAX && text_ok(host, n);
}

int fb_lockinfo_boot_ok(const char *boot)
{
	return boot_chars_ok(boot, strlen(boot));
}

/* One "KEY VALUE" line (line number ln) into li; *seen gets the key's bit. */
static int parse_line(struct fb_lockinfo *li, unsigned *seen, const char *l, size_t n, int ln,
		      struct fb_error *err)
{
	unsigned long long v;
	const char *val;
	size_t k = 0, vn;
	int key;

	while (k < n && l[k] >= 'a' && l[k] <= 'z')
		k++;
	if (k == 0 || k == n || l[k] != ' ')
		return fb_error_set(err, FB_EINVAL, "lock",
				    "line %d of the lock file is not a lower-case key, a space and a value", ln);
	val = l + k + 1;
	vn = n - k - 1;
	for (key = 0; key < K_COUNT; key++)
		if (strlen(key_names[key]) == k && !memcmp(l, key_names[key], k))
			break;
	if (key == K_COUNT)
		return 0; /* a key a later version may write */
	if (*seen & (1u << key))
		return fb_error_set(err, FB_EINVAL, "lock", "line %d of the lock file gives %s a second time", ln,
				    key_names[key]);
	*seen |= 1u << key;
	switch (key) {
	case K_HOST:
		if (vn > FB_LOCKINFO_HOST_MAX)
			return fb_error_set(err, FB_EINVAL, "lock",
					    "line %d of the lock file: the host name has %zu bytes, at most %u are allowed",
					    ln, vn, FB_LOCKINFO_HOST_MAX);
		memcpy(li->host, val, vn);
		li->host[vn] = '\0';
		break;
	case K_BOOT:
		if (!boot_chars_ok(val, vn))
			return fb_error_set(err, FB_EINVAL, "lock",
					    "line %d of the lock file: the boot id must be at most %u letters, digits "
					    "and '-'", ln, FB_LOCKINFO_BOOT_MAX);
		memcpy(li->boot, val, vn);
		li->boot[vn] = '\0';
		break;
	case K_PID:
		if (number(val, vn, (unsigned long long)FB_LOCKINFO_PID_MAX, &v) < 0 || v == 0)
			return fb_error_set(err, FB_EINVAL, "lock",
					    "line %d of the lock file: the process id must be a number from 1 to %ld", ln,
					    FB_LOCKINFO_PID_MAX);
		li->pid = (long)v;
		break;
	default:
		if (number(val, vn, (unsigned long long)INT64_MAX, &v) < 0)
			return fb_error_set(err, FB_EINVAL, "lock",
					    "line %d of the lock file: the start time must be a number of seconds from 0 "
					    "to %lld", ln, (long long)INT64_MAX);
		li->started = (long long)v;
		break;
	}
	return 0;
}

int fb_lockinfo_parse(struct fb_lockinfo *out, const char *text, size_t len, struct fb_error *err)
{
	struct fb_lockinfo li;
	unsigned seen = 0;
	size_t pos = 0;
	int ln = 0, rc = 0, key;

	memset(out, 0, sizeof *out);
	memset(&li, 0, sizeof li);
	if (len > FB_LOCKINFO_MAX_BYTES) {
		rc = fb_error_set(err, FB_EINVAL, "lock",
				  "the lock file has %zu bytes, more than fieldbook ever writes (%u): it is not a "
				  "fieldbook sync lock", len, FB_LOCKINFO_MAX_BYTES);
		goto cleanup;
	}
	if (len == 0 || text[len - 1] != '\n') {
		rc = fb_error_set(err, FB_EINVAL, "lock",
				  "the lock file is empty or its last line is cut short (it was being written "
				  "when its computer stopped)");
		goto cleanup;
	}
	while (pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos); /* found: text ends with '\n' */
		size_t n = (size_t)(nl - l);
		pos += n + 1;
		ln++;
		if (!fb_utf8_valid(l, n)) {
			rc = fb_error_set(err, FB_EINVAL, "lock", "line %d of the lock file is not UTF-8 text", ln);
			goto cleanup;
		}
		if (!text_ok(l, n)) {
			rc = fb_error_set(err, FB_EINVAL, "lock", "line %d of the lock file holds a control character",
					  ln);
			goto cleanup;
		}
		if (ln == 1) {
			if (n != strlen(MAGIC) || memcmp(l, MAGIC, n)) {
				rc = fb_error_set(err, FB_EINVAL, "lock",
						  "line 1 of the lock file is not \"%s\": it is not a fieldbook sync "
						  "lock", MAGIC);
				goto cleanup;
			}
			continue;
		}
		if ((rc = parse_line(&li, &seen, l, n, ln, err)) < 0)
			goto cleanup;
	}
	for (key = 0; key < K_COUNT; key++)
		if (!(seen & (1u << key))) {
			rc = fb_error_set(err, FB_EINVAL, "lock", "the lock file has no %s line", key_names[key]);
			goto cleanup;
		}
	*out = li;
cleanup:
	return rc;
}

int fb_lockinfo_format(char *out, size_t cap, size_t *len, const struct fb_lockinfo *li,
		       struct fb_error *err)
{
	int rc = 0, n;

	if (cap)
		out[0] = '\0';
	if (len)
		*len = 0;
	if (!fb_lockinfo_host_ok(li->host)) {
		rc = fb_error_set(err, FB_EINVAL, "host",
				  "the host name for the lock file must be at most %u bytes of UTF-8 without "
				  "control characters", FB_LOCKINFO_HOST_MAX);
		goto cleanup;
	}
	if (!fb_lockinfo_boot_ok(li->boot)) {
		rc = fb_error_set(err, FB_EINVAL, "boot",
				  "the boot id for the lock file must be at most %u letters, digits and '-'",
				  FB_LOCKINFO_BOOT_MAX);
		goto cleanup;
	}
	if (li->pid < 1 || li->pid > FB_LOCKINFO_PID_MAX || li->started < 0) {
		rc = fb_error_set(err, FB_EINVAL, "pid",
				  "the process id (1 to %ld) or start time (0 or more) for the lock file is out of "
				  "range", FB_LOCKINFO_PID_MAX);
		goto cleanup;
	}
	n = snprintf(out, cap, MAGIC "\nhost %s\nboot %s\npid %ld\nstarted %lld\n", li->host, li->boot, li->pid,
		     li->started);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		rc = fb_error_set(err, FB_EINVAL, "lock", "the buffer for the lock file is too small (%zu bytes)", cap);
		goto cleanup;
	}
	if (len)
		*len = (size_t)n;
cleanup:
	return rc;
}
