/* test_lockinfo.c - unit tests of the sync lock file's parser and formatter (tests layer,
 * core/lockinfo.c): round trip, and every way a file from another computer can be wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/lockinfo.h"
#include "tap.h"

#define HEAD "fieldbook sync lock\n"
#define BOOT "0b6f5c1e-2a44-4c1b-9d0e-3f2a1b4c5d6e"
#define L2_CONTROL "line 2 of the lock file holds a control character"
#define L2_NOT_UTF8 "line 2 of the lock file is not UTF-8"

static int parses(const char *text, struct fb_lockinfo *li, struct fb_error *err)
{
	fb_error_clear(err);
	return fb_lockinfo_parse(li, text, strlen(text), err);
}

/* 1 when text is refused with FB_EINVAL, a message containing want, and a zeroed result. */
static int refused(const char *text, size_t len, const char *want)
{
	struct fb_lockinfo li, zero;
	struct fb_error err = {0};
	int rc;

	memset(&li, 0x5a, sizeof li);
	memset(&zero, 0, sizeof zero);
	rc = fb_lockinfo_parse(&li, text, len, &err);
	if (rc != FB_EINVAL || !strstr(err.message, want) || memcmp(&li, &zero, sizeof li)) {
		printf("#   rc %d, message '%s', want '%s'\n", rc, err.message, want);
		return 0;
	}
	return 1;
}

static int refused_text(const char *text, const char *want)
{
	return refused(text, strlen(text), want);
}

static int same(const struct fb_lockinfo *a, const struct fb_lockinfo *b)
{
	return !strcmp(a->host, b->host) && !strcmp(a->boot, b->boot) && a->pid == b->pid &&
	       a->started == b->started;
}

static void test_round_trip(void)
{
	struct fb_lockinfo a, b;
	struct fb_error err = {0};
	char text[FB_LOCKINFO_MAX_BYTES];
	size_t n = 0;

	memset(&a, 0, sizeof a);
	snprintf(a.host, sizeof a.host, "field-laptop-3");
	snprintf(a.boot, sizeof a.boot, BOOT);
	a.pid = 4242;
	a.started = 1764450000;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == 0, "format: a usual lock");
	TAP_STREQ(text, HEAD "host field-laptop-3\nboot " BOOT "\npid 4242\nstarted 1764450000\n",
		  "format: the text fieldbook has always written");
	TAP_OK(n == strlen(text), "format: length returned");
	TAP_OK(fb_lockinfo_parse(&b, text, n, &err) == 0 && same(&a, &b), "parse(format(x)) == x");

	/* a Chinese host name, an empty boot id (not Linux), the largest numbers */
	snprintf(a.host, sizeof a.host, "工会-笔记本");
	a.boot[0] = '\0';
	a.pid = FB_LOCKINFO_PID_MAX;
	a.started = 9223372036854775807LL;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == 0 &&
		       fb_lockinfo_parse(&b, text, n, &err) == 0 && same(&a, &b),
	       "round trip: Chinese host, empty boot id, largest pid and time");
	TAP_STREQ(b.host, "工会-笔记本", "Chinese host name kept byte for byte");

	/* the longest host name */
	memset(a.host, 'h', FB_LOCKINFO_HOST_MAX);
	a.host[FB_LOCKINFO_HOST_MAX] = '\0';
	memset(a.boot, 'b', FB_LOCKINFO_BOOT_MAX);
	a.boot[FB_LOCKINFO_BOOT_MAX] = '\0';
	a.started = 0;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == 0 && n < FB_LOCKINFO_MAX_BYTES &&
		       fb_lockinfo_parse(&b, text, n, &err) == 0 && same(&a, &b),
	       "round trip: longest host and boot id, start time 0, within FB_LOCKINFO_MAX_BYTES");
}

static void test_lenient_parts(void)
{
	struct fb_lockinfo li;
	struct fb_error err = {0};

	TAP_OK(parses(HEAD "started 7\npid 9\nboot \nhost a b \n", &li, &err) == 0 && li.pid == 9 &&
		       li.started == 7 && !strcmp(li.host, "a b ") && !li.boot[0],
	       "keys in any order; spaces inside a host name kept");
	TAP_OK(parses(HEAD "host h\nversion 2\nboot x\npid 1\nstarted 0\nnote 你好\n", &li, &err) == 0 &&
		       !strcmp(li.host, "h"),
	       "lines with other lower-case keys are ignored (a later version may add some)");
	TAP_OK(parses(HEAD "host h\nboot x\npid 0001\nstarted 000\n", &li, &err) == 0 && li.pid == 1 &&
		       li.started == 0,
	       "leading zeros in numbers");
}

static void test_refused(void)
{
	char big[FB_LOCKINFO_MAX_BYTES + 2], line[400];
	const char *ok = HEAD "host h\nboot b\npid 12\nstarted 34\n";
	size_t i;

	TAP_OK(refused("", 0, "empty"), "empty file");
	TAP_OK(refused(ok, strlen(ok) - 1, "cut short"), "truncated: last newline missing");
	TAP_OK(refused(ok, strlen(ok) - 4, "cut short"), "truncated in the middle of a number");
	TAP_OK(refused_text(HEAD "host h\nboot b\n", "no pid line"),
	       "truncated at a line end: missing keys named");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 1\n", "no started line"),
	       "missing started");
	TAP_OK(refused_text(HEAD "boot b\npid 1\nstarted 2\n", "no host line"),
	       "missing host");
	TAP_OK(refused_text("fieldbook sync lock 2\nhost h\n", "line 1"),
	       "wrong first line");
	TAP_OK(refused_text("host h\nboot b\npid 1\nstarted 2\n", "line 1"),
	       "first line missing");
	TAP_OK(refused_text(HEAD "host h\nhost i\nboot b\npid 1\nstarted 2\n",
			    "line 3 of the lock file gives host a second time"),
	       "duplicate key named with its line");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 1\npid 1\nstarted 2\n", "pid a second time"),
	       "duplicate pid, even with the same value");
	TAP_OK(refused_text(HEAD "host h\n\nboot b\npid 1\nstarted 2\n", "line 3"),
	       "empty line");
	TAP_OK(refused_text(HEAD "host\nboot b\npid 1\nstarted 2\n", "line 2"),
	       "key without a space and value");
	TAP_OK(refused_text(HEAD "Host h\nboot b\npid 1\nstarted 2\n", "line 2"),
	       "upper-case key");
	TAP_OK(refused_text(HEAD "host h\r\nboot b\npid 1\nstarted 2\n", L2_CONTROL),
	       "CRLF line ends (a carriage return is a control character)");
	TAP_OK(refused_text(HEAD "host \x1b[31mred\nboot b\npid 1\nstarted 2\n", L2_CONTROL),
	       "terminal escape in the host name");
	TAP_OK(refused_text(HEAD "host a\xe2\x80\xae" "b\nboot b\npid 1\nstarted 2\n", L2_CONTROL),
	       "bidi override in the host name");
	TAP_OK(refused_text(HEAD "host \xff\xfe\nboot b\npid 1\nstarted 2\n", L2_NOT_UTF8),
	       "non-UTF-8 host name");
	TAP_OK(refused_text(HEAD "host \xc0\xaf\nboot b\npid 1\nstarted 2\n", L2_NOT_UTF8),
	       "overlong UTF-8 sequence");
	TAP_OK(refused_text(HEAD "host \xe5\xb7\nboot b\npid 1\nstarted 2\n", L2_NOT_UTF8),
	       "a Chinese character cut in half");
	TAP_OK(refused(HEAD "host h\0x\nboot b\npid 1\nstarted 2\n",
		       sizeof(HEAD "host h\0x\nboot b\npid 1\nstarted 2\n") - 1,
		       L2_CONTROL),
	       "NUL byte inside (the parser does not stop at it)");
	TAP_OK(refused_text(HEAD "host h\nboot b c\npid 1\nstarted 2\n", "boot id"),
	       "boot id with a space");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 0\nstarted 2\n", "process id"),
	       "pid 0");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid -5\nstarted 2\n", "process id"),
	       "negative pid");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 2147483648\nstarted 2\n", "process id"),
	       "pid one above the largest");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 99999999999999999999999\nstarted 2\n", "process id"),
	       "huge pid (no overflow)");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 12 \nstarted 2\n", "process id"),
	       "pid with a trailing space");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid \nstarted 2\n", "process id"),
	       "empty pid");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 1\nstarted 9223372036854775808\n", "start time"),
	       "start time one above INT64_MAX");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 1\nstarted 18446744073709551616\n", "start time"),
	       "start time above 2^64 (20 digits)");
	TAP_OK(refused_text(HEAD "host h\nboot b\npid 1\nstarted +2\n", "start time"),
	       "start time with a sign");

	/* overlong fields */
	memcpy(line, "host ", 5);
	memset(line + 5, 'h', FB_LOCKINFO_HOST_MAX + 1);
	snprintf(line + 5 + FB_LOCKINFO_HOST_MAX + 1, sizeof line - 5 - FB_LOCKINFO_HOST_MAX - 1,
		 "\nboot b\npid 1\nstarted 2\n");
	snprintf(big, sizeof big, HEAD "%s", line);
	TAP_OK(refused(big, strlen(big), "256 bytes"), "host name one byte too long");
	snprintf(big, sizeof big, HEAD "host h\nboot %0*d\npid 1\nstarted 2\n", (int)FB_LOCKINFO_BOOT_MAX + 1, 0);
	TAP_OK(refused(big, strlen(big), "boot id"), "boot id one byte too long");
	/* a file longer than any lock: refused before it is read */
	memset(big, 'x', sizeof big);
	memcpy(big, HEAD, strlen(HEAD));
	big[sizeof big - 1] = '\n';
	TAP_OK(refused(big, FB_LOCKINFO_MAX_BYTES + 1, "more than fieldbook ever writes"),
	       "more than FB_LOCKINFO_MAX_BYTES");
	/* every prefix of a good file is refused (a write cut short anywhere) */
	for (i = 0; i < strlen(ok); i++)
		if (!refused(ok, i, ""))
			break;
	TAP_OK(i == strlen(ok), "every proper prefix of a lock file is refused (%zu of %zu)", i, strlen(ok));
}

static void test_format_refuses(void)
{
	struct fb_lockinfo a;
	struct fb_error err = {0};
	char text[FB_LOCKINFO_MAX_BYTES], small[40];
	size_t n = 99;

	memset(&a, 0, sizeof a);
	snprintf(a.host, sizeof a.host, "a\nb");
	a.pid = 1;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == FB_EINVAL && !text[0] && n == 0 &&
		       !strcmp(err.field, "host"),
	       "format refuses a host name with a newline (it would add a line)");
	snprintf(a.host, sizeof a.host, "\xff");
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == FB_EINVAL, "format refuses non-UTF-8 host");
	snprintf(a.host, sizeof a.host, "h");
	snprintf(a.boot, sizeof a.boot, "b/c");
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == FB_EINVAL && !strcmp(err.field, "boot"),
	       "format refuses a boot id with '/'");
	a.boot[0] = '\0';
	a.pid = 0;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == FB_EINVAL, "format refuses pid 0");
	a.pid = 1;
	a.started = -1;
	TAP_OK(fb_lockinfo_format(text, sizeof text, &n, &a, &err) == FB_EINVAL, "format refuses a negative time");
	a.started = 1;
	TAP_OK(fb_lockinfo_format(small, sizeof small, &n, &a, &err) == FB_EINVAL && !small[0] &&
		       strstr(err.message, "too small"),
	       "format into a buffer too small: refused, buffer empty");
	TAP_OK(fb_lockinfo_format(text, sizeof text, NULL, &a, NULL) == 0, "format: len and err may be NULL");
	TAP_OK(fb_lockinfo_host_ok("工会") && !fb_lockinfo_host_ok("a\tb") && fb_lockinfo_boot_ok("") &&
		       !fb_lockinfo_boot_ok("a b"),
	       "host_ok / boot_ok");
}

int main(void)
{
	test_round_trip();
	test_lenient_parts();
	test_refused();
	test_format_refuses();
	return tap_done();
}
