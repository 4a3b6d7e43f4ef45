/* test_config.c - unit tests of the configuration file parser and writer (tests layer,
 * core only): good files, every rejection with its line number, editing that keeps
 * comments, atomic write with owner-only permissions, and the default path. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fieldbook/config.h"
#include "tap.h"

static char tmpdir[256];

static struct fb_config *parse_ok(const char *text, const char *what)
{
	struct fb_config *cfg = NULL;
	struct fb_error err;
	int rc;

	fb_error_clear(&err);
	rc = fb_config_parse(&cfg, text, strlen(text), "config", &err);
	TAP_OK(rc == 0 && cfg, "parses: %s", what);
	if (rc)
		printf("#   %s\n", err.message);
	return cfg;
}

/* Parse text that must fail on line `line` with a message containing `needle`. */
static void parse_bad_n(const char *text, size_t len, int line, const char *needle,
			const char *what)
{
	struct fb_config *cfg = (struct fb_config *)1;
	struct fb_error err;
	char want[32];
	int rc;

	fb_error_clear(&err);
	rc = fb_config_parse(&cfg, text, len, "config", &err);
	snprintf(want, sizeof want, "config line %d: ", line);
	TAP_OK(rc == FB_EINVAL && cfg == NULL && err.code == FB_EINVAL &&
		       strncmp(err.message, want, strlen(want)) == 0 &&
		       strstr(err.message, needle) != NULL,
	       "rejects %s on line %d", what, line);
	if (rc != FB_EINVAL || !strstr(err.message, needle) || strncmp(err.message, want, strlen(want)))
		printf("#   rc %d message '%s'\n", rc, err.message);
	if (rc == 0)
		fb_config_free(cfg);
}

static void parse_bad(const char *text, int line, const char *needle, const char *what)
{
	parse_bad_n(text, strlen(text), line, needle, what);
}

static void test_good(void)
{
	static const char text[] =
		"# fieldbook configuration\n"
		"; another comment\n"
		"\n"
		"operator = 李明\n"
		"team = 中山港   # trailing comment\n"
		"  indented_key\t=\tvalue with  inner   spaces  \n"
		"empty =\n"
		"hash = a#b;c\n"
		"\n"
		"[sync]\n"
		"interval = 15\n"
		"\n"
		"[ remote \"hq\" ]  ; comment\n"
		"\turl = \"ssh://git@10.0.0.5/data.git\"\n"
		"\tnote = \"two\\nlines, a \\\"quote\\\", a \\\\ and a # kept\"  # comment\n"
		"\ttab = \"a\\tb\"\n"
		"\tquoted_empty = \"\"\n"
		"\tspaces = \"  padded  \"\n"
		"[remote \"USB-stick.2\"]\n"
		"url = /media/usb/data.git\n"
		"[sync]\n"
		"retry-count = 3";
	struct fb_config *cfg = parse_ok(text, "a file with every construct");
	const char *k, *v;

	if (!cfg)
		return;
	TAP_STREQ(fb_config_get(cfg, "operator"), "李明", "Chinese value");
	TAP_STREQ(fb_config_get(cfg, "team"), "中山港", "team = 中山港 with a trailing comment");
	TAP_STREQ(fb_config_get(cfg, "indented_key"), "value with  inner   spaces",
		  "indented key, tabs around =, value trimmed, inner spaces kept");
	TAP_STREQ(fb_config_get(cfg, "empty"), "", "key = gives the empty string");
	TAP_STREQ(fb_config_get(cfg, "hash"), "a#b;c", "# and ; inside a word are no comment");
	TAP_STREQ(fb_config_get(cfg, "sync.interval"), "15", "[sync] key");
	TAP_STREQ(fb_config_get(cfg, "sync.retry-count"), "3",
		  "repeated [sync] header, last line without newline");
	TAP_STREQ(fb_config_get(cfg, "remote.hq.url"), "ssh://git@10.0.0.5/data.git",
		  "[remote \"hq\"] quoted value");
	TAP_STREQ(fb_config_get(cfg, "remote.hq.note"),
		  "two\nlines, a \"quote\", a \\ and a # kept", "escapes \\n \\\" \\\\ in quotes");
	TAP_STREQ(fb_config_get(cfg, "remote.hq.tab"), "a\tb", "escape \\t");
	TAP_STREQ(fb_config_get(cfg, "remote.hq.quoted_empty"), "", "\"\" is empty");
	TAP_STREQ(fb_config_get(cfg, "remote.hq.spaces"), "  padded  ", "quotes keep spaces");
	TAP_STREQ(fb_config_get(cfg, "remote.USB-stick.2.url"), "/media/usb/data.git",
		  "subsection with capitals, dot and dash");
	TAP_OK(fb_config_get(cfg, "url") == NULL, "a section key is not a top-level key");
	TAP_OK(fb_config_get(cfg, "TEAM") == NULL, "lookup is exact");
	TAP_OK(fb_config_count(cfg) == 13, "13 keys (got %zu)", fb_config_count(cfg));
	TAP_OK(fb_config_at(cfg, 0, &k, &v) == 0 && strcmp(k, "operator") == 0 &&
		       strcmp(v, "李明") == 0,
	       "fb_config_at(0) is the first key of the file");
	TAP_OK(fb_config_at(cfg, 12, &k, NULL) == 0 && strcmp(k, "sync.retry-count") == 0,
	       "fb_config_at(12) is the last key");
	TAP_OK(fb_config_at(cfg, 13, &k, &v) == FB_ENOTFOUND, "fb_config_at past the end");
	fb_config_free(cfg);

	cfg = parse_ok("\xEF\xBB\xBFteam = a\r\n[sync]\r\ninterval = 5\r\n", "BOM and CRLF");
	TAP_STREQ(fb_config_get(cfg, "team"), "a", "BOM skipped, CR stripped");
	TAP_STREQ(fb_config_get(cfg, "sync.interval"), "5", "CRLF in a section");
	fb_config_free(cfg);

	cfg = parse_ok("", "the empty file");
	TAP_OK(cfg && fb_config_count(cfg) == 0, "the empty file has no keys");
	fb_config_free(cfg);
	fb_config_free(NULL);
	TAP_OK(fb_config_count(NULL) == 0 && fb_config_get(NULL, "a") == NULL,
	       "NULL config is empty; fb_config_free(NULL) is fine");
}

static void test_bad(void)
{
	char big[FB_CONFIG_LINE_MAX + 16];
	char *huge;

	parse_bad("a = 1\nb = 2\njust words\n", 3, "expected KEY = VALUE", "a line without =");
	parse_bad("team\n", 1, "expected KEY = VALUE", "a bare key");
	parse_bad("a = 1\n= 2\n", 2, "the key is missing", "a missing key");
	parse_bad("\n\nTeam = x\n", 3, "bad key 'Team'", "an uppercase key");
	parse_bad("x = 1\nremote.hq.url = x\n", 2, "[remote \"hq\"]", "a dotted key (suggests a section)");
	parse_bad("姓名 = 王\n", 1, "bad key '姓名'", "a Chinese key");
	parse_bad("a = 1\nteam = x\n[sync]\nteam = y\nteam = z\n", 5,
		  "'sync.team' is already set on line 4", "a duplicate key, naming the first line");
	parse_bad("[sync]\na = 1\n[other]\n[sync]\n\na = 2\n", 6, "already set on line 2",
		  "a duplicate across repeated sections");
	parse_bad("a = \"open\n", 1, "no closing quote", "an unterminated quote");
	parse_bad("a = \"ends in backslash\\\n", 1, "no closing quote", "a quote ending in \\");
	parse_bad("\na = \"x\\q\"\n", 2, "unknown escape", "an unknown escape");
	parse_bad("a = \"x\" y\n", 1, "after the closing quote", "text after the closing quote");
	parse_bad("a = say \"hi\"\n", 1, "must be written in double quotes", "a bare quote");
	parse_bad("a = C:\\dir\n", 1, "must be written in double quotes", "a bare backslash");
	parse_bad("[sync\n", 1, "no closing ]", "a header without ]");
	parse_bad("[]\n", 1, "has no name", "an empty header");
	parse_bad("[Sync]\n", 1, "bad section name 'Sync'", "an uppercase section");
	parse_bad("[remote.hq]\n", 1, "bad section name 'remote.hq'", "a dotted section");
	parse_bad("[remote \"hq]\n", 1, "unterminated quoted name", "an unterminated sub name");
	parse_bad("[remote \"\"]\n", 1, "bad name \"\"", "an empty sub name");
	parse_bad("[remote \"h q\"]\n", 1, "bad name \"h q\"", "a sub name with a space");
	parse_bad("[remote \"hq\" x]\n", 1, "bad section header", "junk inside the header");
	parse_bad("[sync] x\n", 1, "after the section header", "junk after the header");
	parse_bad("a = 1\nb = x\x01y\n", 2, "U+0001", "a control character in a value");
	parse_bad("a = x\ry\n", 1, "U+000D", "a lone CR");
	parse_bad("# \x1b[31m red\n", 1, "U+001B", "an escape sequence in a comment");
	parse_bad("a = \xC2\x85\n", 1, "U+0085", "a C1 control");
	parse_bad("a = abc\xE2\x80\xAE" "cba\n", 1, "U+202E", "a bidi override");
	parse_bad("a = 1\n\nb = \xE4\xB8\n", 3, "not valid UTF-8", "a truncated UTF-8 sequence");
	parse_bad("b = \xC0\xAF\n", 1, "not valid UTF-8", "an overlong encoding");
	parse_bad("b = \xED\xA0\x80\n", 1, "not valid UTF-8", "a surrogate");
	parse_bad("b = \xFF\n", 1, "not valid UTF-8", "a 0xFF byte");
	parse_bad_n("a = 1\nb = x\0y\n", 12, 2, "NUL byte", "a NUL byte");
	parse_bad("k = \"\xE4\xB8\" z\n", 1, "not valid UTF-8", "invalid UTF-8 inside quotes");

	memset(big, 'x', sizeof big);
	memcpy(big, "k = ", 4);
	big[FB_CONFIG_LINE_MAX] = '\0';
	{
		struct fb_config *cfg = parse_ok(big, "a line of exactly 4096 bytes");
		TAP_OK(cfg && strlen(fb_config_get(cfg, "k")) == FB_CONFIG_LINE_MAX - 4,
		       "the 4096-byte line's value is whole");
		fb_config_free(cfg);
	}
	big[FB_CONFIG_LINE_MAX] = 'x';
	big[FB_CONFIG_LINE_MAX + 1] = '\0';
	parse_bad(big, 1, "longer than 4096 bytes", "a line of 4097 bytes");
	{
		char line[200];
		memset(line, 'k', 65);
		strcpy(line + 65, " = 1\n");
		parse_bad(line, 1, "longer than 64 characters", "a 65-character key");
	}

	huge = malloc(FB_CONFIG_MAX_BYTES + 2);
	if (huge) {
		struct fb_config *cfg = NULL;
		struct fb_error err;
		memset(huge, '\n', FB_CONFIG_MAX_BYTES + 1);
		TAP_OK(fb_config_parse(&cfg, huge, FB_CONFIG_MAX_BYTES + 1, "config", &err) ==
				       FB_EINVAL &&
			       strstr(err.message, "1 MiB") && cfg == NULL,
		       "rejects a file over 1 MiB");
		TAP_OK(fb_config_parse(&cfg, huge, FB_CONFIG_MAX_BYTES, "config", &err) == 0 &&
			       fb_config_count(cfg) == 0,
		       "accepts 1 MiB of blank lines");
		fb_config_free(cfg);
		free(huge);
	}
	{
		struct fb_config *cfg = NULL;
		TAP_OK(fb_config_parse(&cfg, "x", 1, "config", NULL) == FB_EINVAL && !cfg,
		       "a NULL error pointer is allowed");
	}
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 65536);
	n = buf ? fread(buf, 1, 65535, f) : 0;
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static int count_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_write(void)
{
	static const char text[] = "# my settings\n"
				   "operator = 李明   # me\n"
				   "\n"
				   "# where to sync\n"
				   "[remote \"hq\"]\n"
				   "\turl = ssh://old\n"
				   "\tkeep = yes\n"
				   "\n"
				   "# the end\n";
	char dir[512], path[600], link[600];
	struct fb_config *cfg = NULL, *back = NULL;
	struct fb_error err;
	struct stat st;
	char *got;
	int rc;

	snprintf(dir, sizeof dir, "%s/new/sub", tmpdir);
	snprintf(path, sizeof path, "%s/config", dir);

	rc = fb_config_load(&cfg, path, &err);
	TAP_OK(rc == 0 && cfg && fb_config_count(cfg) == 0, "a missing file loads as empty");
	TAP_OK(fb_config_set(cfg, "team", "中山港", &err) == 0, "set team = 中山港");
	TAP_OK(fb_config_set(cfg, "remote.hq.url", "ssh://git@hq/data.git", &err) == 0,
	       "set remote.hq.url");
	TAP_OK(fb_config_set(cfg, "remote.hq.note", " a \"b\" \\ c\nd\te # f ", &err) == 0,
	       "set a value that needs quoting");
	TAP_OK(fb_config_set(cfg, "sync.interval", "15", &err) == 0, "set sync.interval");
	rc = fb_config_write(cfg, path, &err);
	TAP_OK(rc == 0, "write creates missing directories (%s)", rc ? err.message : "ok");
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file is mode 0600 (%o)",
	       (unsigned)(st.st_mode & 0777));
	TAP_OK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700,
	       "the new directory is mode 0700 (%o)", (unsigned)(st.st_mode & 0777));
	snprintf(link, sizeof link, "%s/new", tmpdir);
	TAP_OK(stat(link, &st) == 0 && (st.st_mode & 0777) == 0700,
	       "its new parent is mode 0700 too");
	TAP_OK(count_dir_entries(dir) == 1, "no temporary file left behind");
	rc = fb_config_load(&back, path, &err);
	TAP_OK(rc == 0, "the written file loads (%s)", rc ? err.message : "ok");
	TAP_OK(back && fb_config_count(back) == 4, "round trip keeps 4 keys");
	TAP_STREQ(fb_config_get(back, "team"), "中山港", "round trip: Chinese value");
	TAP_STREQ(fb_config_get(back, "remote.hq.url"), "ssh://git@hq/data.git",
		  "round trip: subsection key");
	TAP_STREQ(fb_config_get(back, "remote.hq.note"), " a \"b\" \\ c\nd\te # f ",
		  "round trip: quoted value with escapes");
	TAP_STREQ(fb_config_get(back, "sync.interval"), "15", "round trip: section key");
	fb_config_free(back);
	back = NULL;
	fb_config_free(cfg);
	cfg = NULL;

	/* Editing keeps comments and layout. */
	{
		FILE *f = fopen(path, "w");
		if (f) {
			fputs(text, f);
			fclose(f);
		}
		chmod(path, 0644);
	}
	rc = fb_config_load(&cfg, path, &err);
	TAP_OK(rc == 0 && cfg, "load a hand-written file");
	fb_config_set(cfg, "remote.hq.url", "ssh://new", &err);
	fb_config_set(cfg, "remote.hq.branch", "main", &err);
	fb_config_set(cfg, "team", "中山港", &err);
	fb_config_set(cfg, "remote.usb.url", "/media/usb", &err);
	fb_config_set(cfg, "operator", "李明", &err); /* unchanged: the line stays as it was */
	TAP_OK(fb_config_unset(cfg, "remote.hq.keep", &err) == 0, "unset a key");
	TAP_OK(fb_config_unset(cfg, "remote.hq.keep", &err) == FB_ENOTFOUND,
	       "unset of a missing key is FB_ENOTFOUND");
	TAP_OK(fb_config_get(cfg, "remote.hq.keep") == NULL, "the unset key is gone");
	rc = fb_config_write(cfg, path, &err);
	TAP_OK(rc == 0, "write the edited file");
	got = read_file(path);
	TAP_STREQ(got,
		  "# my settings\n"
		  "operator = 李明   # me\n"
		  "team = 中山港\n"
		  "\n"
		  "# where to sync\n"
		  "[remote \"hq\"]\n"
		  "\turl = ssh://new\n"
		  "\tbranch = main\n"
		  "\n"
		  "# the end\n"
		  "\n"
		  "[remote \"usb\"]\n"
		  "\turl = /media/usb\n",
		  "edits keep comments, put new keys in their section, add new sections at the end");
	free(got);
	TAP_OK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	       "rewriting a 0644 file makes it 0600");
	fb_config_free(cfg);
	cfg = NULL;

	/* A symbolic link stays a link; the file it points to is replaced. */
	snprintf(link, sizeof link, "%s/link-config", tmpdir);
	TAP_OK(symlink(path, link) == 0, "make a symlink to the config");
	rc = fb_config_load(&cfg, link, &err);
	if (rc == 0) {
		fb_config_set(cfg, "team", "江门", &err);
		rc = fb_config_write(cfg, link, &err);
	}
	TAP_OK(rc == 0 && lstat(link, &st) == 0 && S_ISLNK(st.st_mode),
	       "writing through a symlink keeps the link");
	fb_config_free(cfg);
	cfg = NULL;
	rc = fb_config_load(&cfg, path, &err);
	TAP_STREQ(rc == 0 ? fb_config_get(cfg, "team") : NULL, "江门", "the target was updated");
	fb_config_free(cfg);
	cfg = NULL;

	/* CRLF files get CRLF lines. */
	{
		static const char crlf[] = "a = 1\r\n[s]\r\nb = 2\r\n";
		char *out = NULL;
		size_t len = 0;
		rc = fb_config_parse(&cfg, crlf, strlen(crlf), "config", &err);
		if (rc == 0) {
			fb_config_set(cfg, "s.c", "3", &err);
			fb_config_set(cfg, "a", "9", &err);
			rc = fb_config_serialize(&out, &len, cfg, &err);
		}
		TAP_STREQ(rc == 0 ? out : NULL, "a = 9\r\n[s]\r\nb = 2\r\n\tc = 3\r\n",
			  "a CRLF file stays CRLF");
		TAP_OK(out && len == strlen(out), "serialize reports the length");
		free(out);
		fb_config_free(cfg);
		cfg = NULL;
	}

	/* Top-level keys added to a file that starts with a comment and a section. */
	{
		static const char t[] = "# head\n[sync]\ninterval = 1\n";
		char *out = NULL;
		rc = fb_config_parse(&cfg, t, strlen(t), "config", &err);
		if (rc == 0) {
			fb_config_set(cfg, "team", "x", &err);
			rc = fb_config_serialize(&out, NULL, cfg, &err);
		}
		TAP_STREQ(rc == 0 ? out : NULL, "# head\nteam = x\n[sync]\ninterval = 1\n",
			  "a new top-level key goes after the opening comment");
		free(out);
		fb_config_free(cfg);
		cfg = NULL;
	}

	/* Errors of load and write. */
	rc = fb_config_load(&cfg, tmpdir, &err);
	TAP_OK(rc == FB_EIO && cfg == NULL && strstr(err.message, "not a regular file"),
	       "loading a directory is FB_EIO");
	fb_config_new(&cfg, &err);
	snprintf(link, sizeof link, "%s/config/x", dir); /* config is a file */
	rc = fb_config_write(cfg, link, &err);
	TAP_OK(rc == FB_EIO && strstr(err.message, "cannot create the directory"),
	       "writing under a file is FB_EIO (%s)", err.message);
	fb_config_free(cfg);
	cfg = NULL;
	{
		char bad[600];
		FILE *f;
		snprintf(bad, sizeof bad, "%s/bad-config", tmpdir);
		f = fopen(bad, "w");
		if (f) {
			fputs("a = 1\n\n[x\n", f);
			fclose(f);
		}
		rc = fb_config_load(&cfg, bad, &err);
		TAP_OK(rc == FB_EINVAL && strstr(err.message, bad) && strstr(err.message, " line 3: "),
		       "a load error names the file and the line (%s)", err.message);
	}
}

static void test_set(void)
{
	struct fb_config *cfg = NULL;
	struct fb_error err;
	char *long_value;

	fb_config_new(&cfg, &err);
	TAP_OK(fb_config_set(cfg, "Team", "x", &err) == FB_EINVAL && strstr(err.message, "'Team'"),
	       "set rejects an uppercase key");
	TAP_OK(fb_config_set(cfg, "a..b", "x", &err) == FB_EINVAL, "set rejects an empty name");
	TAP_OK(fb_config_set(cfg, ".a", "x", &err) == FB_EINVAL, "set rejects a leading dot");
	TAP_OK(fb_config_set(cfg, "a.", "x", &err) == FB_EINVAL, "set rejects a trailing dot");
	TAP_OK(fb_config_set(cfg, "", "x", &err) == FB_EINVAL, "set rejects the empty key");
	TAP_OK(fb_config_set(cfg, "remote.h q.url", "x", &err) == FB_EINVAL,
	       "set rejects a space in the sub name");
	TAP_OK(fb_config_set(cfg, "remote.A.b.url", "x", &err) == 0 &&
		       strcmp(fb_config_get(cfg, "remote.A.b.url"), "x") == 0,
	       "set accepts a dotted sub name with capitals");
	TAP_OK(fb_config_set(cfg, "a", "x\x1by", &err) == FB_EINVAL && strstr(err.message, "U+001B"),
	       "set rejects a control character");
	TAP_OK(fb_config_set(cfg, "a", "x\ry", &err) == FB_EINVAL, "set rejects a CR");
	TAP_OK(fb_config_set(cfg, "a", "\xE4\xB8", &err) == FB_EINVAL &&
		       strstr(err.message, "UTF-8"),
	       "set rejects invalid UTF-8");
	TAP_OK(fb_config_set(cfg, "a", "\xE2\x80\xAE", &err) == FB_EINVAL,
	       "set rejects a bidi override");
	TAP_OK(fb_config_set(cfg, "a", "x\ty\nz", &err) == 0, "set accepts tab and newline");
	TAP_OK(fb_config_set(cfg, "a", "y", &err) == 0 && strcmp(fb_config_get(cfg, "a"), "y") == 0,
	       "set replaces a value");
	long_value = malloc(5000);
	if (long_value) {
		memset(long_value, 'v', 4999);
		long_value[4999] = '\0';
		TAP_OK(fb_config_set(cfg, "a", long_value, &err) == FB_EINVAL &&
			       strstr(err.message, "too long"),
		       "set rejects a value whose line would pass 4096 bytes");
		long_value[FB_CONFIG_LINE_MAX - 4] = '\0'; /* "a = " + value: 4096 bytes */
		TAP_OK(fb_config_set(cfg, "a", long_value, &err) == 0,
		       "set accepts a line of exactly 4096 bytes");
		free(long_value);
	}
	TAP_OK(fb_config_count(cfg) == 2, "two keys set");
	/* Many keys: the index grows. */
	{
		char key[32];
		int i, ok = 1;
		for (i = 0; i < 2000; i++) {
			snprintf(key, sizeof key, "s%d.k", i % 37);
			snprintf(key + strlen(key), sizeof key - strlen(key), "%d", i);
			if (fb_config_set(cfg, key, key, &err) != 0)
				ok = 0;
		}
		for (i = 0; i < 2000; i += 3) {
			snprintf(key, sizeof key, "s%d.k%d", i % 37, i);
			if (fb_config_unset(cfg, key, &err) != 0)
				ok = 0;
		}
		for (i = 0; i < 2000; i++) {
			const char *v;
			snprintf(key, sizeof key, "s%d.k%d", i % 37, i);
			v = fb_config_get(cfg, key);
			if (i % 3 == 0 ? v != NULL : (!v || strcmp(v, key)))
				ok = 0;
		}
		TAP_OK(ok, "2000 sets, 667 unsets, every lookup right");
	}
	{
		char *out = NULL;
		struct fb_config *back = NULL;
		int rc = fb_config_serialize(&out, NULL, cfg, &err);
		if (rc == 0)
			rc = fb_config_parse(&back, out, strlen(out), "serialized", &err);
		TAP_OK(rc == 0 && fb_config_count(back) == fb_config_count(cfg),
		       "serialize then parse keeps every key (%s)", rc ? err.message : "ok");
		free(out);
		fb_config_free(back);
	}
	fb_config_free(cfg);
}

static void test_default_path(void)
{
	char buf[512], small[8];
	struct fb_error err;

	setenv("FIELDBOOK_CONFIG", "/x/my.conf", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);
	TAP_OK(fb_config_default_path(buf, sizeof buf, &err) == 0 && !strcmp(buf, "/x/my.conf"),
	       "FIELDBOOK_CONFIG first");
	unsetenv("FIELDBOOK_CONFIG");
	TAP_OK(fb_config_default_path(buf, sizeof buf, &err) == 0 &&
		       !strcmp(buf, "/xdg/fieldbook/config"),
	       "then XDG_CONFIG_HOME");
	setenv("XDG_CONFIG_HOME", "relative", 1);
	TAP_OK(fb_config_default_path(buf, sizeof buf, &err) == 0 &&
		       !strcmp(buf, "/home/u/.config/fieldbook/config"),
	       "a relative XDG_CONFIG_HOME is ignored");
	unsetenv("XDG_CONFIG_HOME");
	TAP_OK(fb_config_default_path(buf, sizeof buf, &err) == 0 &&
		       !strcmp(buf, "/home/u/.config/fieldbook/config"),
	       "then ~/.config");
	TAP_OK(fb_config_default_path(small, sizeof small, &err) == FB_EINVAL,
	       "a path that does not fit is FB_EINVAL");
}

int main(void)
{
	char *t = getenv("TMPDIR");

	snprintf(tmpdir, sizeof tmpdir, "%s/fb-test-config-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_good();
	test_bad();
	test_write();
	test_set();
	test_default_path();
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmpdir);
	}
	return tap_done();
}
