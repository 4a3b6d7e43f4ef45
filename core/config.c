/* config.c - parsing, editing and atomic writing of the configuration file (core layer).
 *
 * The format and the API are documented in include/fieldbook/config.h.  The parsed text is
 * kept line by line so that fb_config_write can rewrite only what fb_config_set and
 * fb_config_unset changed and keep the user's comments, order and layout.  Keys are found
 * through a small open-addressing hash index, so a 1 MiB file with many keys parses in
 * linear time. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fieldbook/config.h"
#include "fieldbook/i18n.h"

enum line_kind { L_BLANK, L_COMMENT, L_SECTION, L_KEY };

struct src_line {
	size_t off;     /* start in src */
	size_t raw_len; /* bytes up to the LF (a CR before it included) */
	int kind;       /* enum line_kind */
};

/* The top of the file (block 0) and each section header start a block. */
struct block {
	char *prefix;  /* "" for the top, "sync.", "remote.hq." */
	long header;   /* line index of the header, -1 for the top block */
	long last_key; /* line index of its last key line, -1 when it has none */
	long end;      /* line index after the block */
};

struct entry {
	char *key;
	char *value;
	long line; /* 0-based source line, -1 for a key added by fb_config_set */
	int dirty; /* value changed by fb_config_set: the line is rewritten */
};

struct fb_config {
	char *origin;
	char *src;
	size_t src_len;
	struct src_line *lines;
	size_t nlines;
	struct block *blocks;
	size_t nblocks, blocks_cap;
	struct entry *entries;
	size_t n, cap;
	uint32_t *slots; /* hash index: entry index + 1, 0 when empty */
	size_t nslots;   /* a power of two, > 2 * n */
	int crlf;        /* the first line ended in CRLF: new lines do too */
};

/* ---- UTF-8 and character classes ---- */

/* Bytes of the valid UTF-8 character at s (1..4), storing its code point, or 0 when the
 * bytes are not a valid, shortest-form, non-surrogate character. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* C0 and C1 controls, DEL and the bidi controls; tab is not one here. */
static int is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Section and key names. */
static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* The quoted name of [section "name"]. */
static int is_sub_char(char c)
{
	return is_name_char(c) || (c >= 'A' && c <= 'Z') || c == '.';
}

static int valid_name(const char *s, size_t len, int (*ok)(char))
{
	size_t i;

	if (len == 0 || len > FB_CONFIG_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!ok(s[i]))
			return 0;
	return 1;
}

/* ---- error messages ---- */

/* Drop an incomplete UTF-8 sequence that truncation left at the end of s. */
static void trim_utf8_tail(char *s)
{
	size_t len = strlen(s), i = len, need;
	unsigned char c;

	while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	c = (unsigned char)s[i - 1];
	if (c < 0xC0)
		return;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (len - (i - 1) < need)
		s[i - 1] = '\0';
}

/* A printable copy of s[0..len) for a message: at most about 40 bytes, whole characters,
 * '?' for invalid bytes and controls, "..." when cut. */
static void excerpt(char *buf, size_t cap, const char *s, size_t len)
{
	size_t i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_next((const unsigned char *)s + i, len - i, &cp);
		if (o + (n ? n : 1) + 4 > cap || o >= 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (!n || is_control(cp)) {
			buf[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	buf[o] = '\0';
}

static int fail(struct fb_error *err, int code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct fb_error *err, int code, const char *field, const char *fmt, ...)
{
	char msg[FB_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	trim_utf8_tail(msg);
	return fb_error_set(err, code, field, "%s", msg);
}

struct parser {
	struct fb_config *cfg;
	const char *origin;
	long line; /* 1-based, for messages */
	struct fb_error *err;
};

static int line_fail(struct parser *p, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int line_fail(struct parser *p, const char *field, const char *fmt, ...)
{
	char what[FB_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return fail(p->err, FB_EINVAL, field, _("%s line %ld: %s"), p->origin, p->line, what);
}

static int oom(struct fb_error *err)
{
	return fail(err, FB_ENOMEM, NULL, _("out of memory while reading the configuration"));
}

/* ---- the config object and its key index ---- */

static uint32_t hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static long find_key(const struct fb_config *cfg, const char *key)
{
	size_t mask, i;

	if (!cfg->nslots)
		return -1;
	mask = cfg->nslots - 1;
	for (i = hash_key(key) & mask; cfg->slots[i]; i = (i + 1) & mask) {
		size_t e = cfg->slots[i] - 1;
		if (strcmp(cfg->entries[e].key, key) == 0)
			return (long)e;
	}
	return -1;
}

static void index_insert(struct fb_config *cfg, size_t e)
{
	size_t mask = cfg->nslots - 1, i = hash_key(cfg->entries[e].key) & mask;

	while (cfg->slots[i])
		i = (i + 1) & mask;
	cfg->slots[i] = (uint32_t)(e + 1);
}

/* Rebuild the index with room for at least want entries. */
static int index_rebuild(struct fb_config *cfg, size_t want)
{
	size_t nslots = 16, e;
	uint32_t *slots;

	while (nslots <= 2 * want)
		nslots *= 2;
	slots = calloc(nslots, sizeof *slots);
	if (!slots)
		return -1;
	free(cfg->slots);
	cfg->slots = slots;
	cfg->nslots = nslots;
	for (e = 0; e < cfg->n; e++)
		index_insert(cfg, e);
	return 0;
}

/* Append an entry, taking ownership of key and value (freed on failure). */
static int add_entry(struct fb_config *cfg, char *key, char *value, long line)
{
	struct entry *e;

	if (cfg->n == cfg->cap) {
		size_t cap = cfg->cap ? cfg->cap * 2 : 16;
		e = realloc(cfg->entries, cap * sizeof *e);
		if (!e)
			goto fail;
		cfg->entries = e;
		cfg->cap = cap;
	}
	if (2 * (cfg->n + 1) >= cfg->nslots && index_rebuild(cfg, 2 * (cfg->n + 1)) < 0)
		goto fail;
	e = &cfg->entries[cfg->n];
	e->key = key;
	e->value = value;
	e->line = line;
	e->dirty = 0;
	cfg->n++;
	index_insert(cfg, cfg->n - 1);
	return 0;
fail:
	free(key);
	free(value);
	return -1;
}

static int add_block(struct fb_config *cfg, char *prefix, long header)
{
	struct block *b;

	if (cfg->nblocks == cfg->blocks_cap) {
		size_t cap = cfg->blocks_cap ? cfg->blocks_cap * 2 : 8;
		b = realloc(cfg->blocks, cap * sizeof *b);
		if (!b) {
			free(prefix);
			return -1;
		}
		cfg->blocks = b;
		cfg->blocks_cap = cap;
	}
	b = &cfg->blocks[cfg->nblocks++];
	b->prefix = prefix;
	b->header = header;
	b->last_key = -1;
	b->end = -1;
	return 0;
}

static char *dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

void fb_config_free(struct fb_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	for (i = 0; i < cfg->nblocks; i++)
		free(cfg->blocks[i].prefix);
	free(cfg->entries);
	free(cfg->blocks);
	free(cfg->slots);
	free(cfg->lines);
	free(cfg->src);
	free(cfg->origin);
	free(cfg);
}

/* An empty config with its top block. */
static struct fb_config *config_alloc(const char *origin)
{
	struct fb_config *cfg = calloc(1, sizeof *cfg);
	char *top;

	if (!cfg)
		return NULL;
	cfg->origin = dup_mem(origin, strlen(origin));
	top = dup_mem("", 0);
	if (!cfg->origin || !top || add_block(cfg, top, -1) < 0 || index_rebuild(cfg, 0) < 0) {
		if (cfg->nblocks == 0)
			free(top);
		fb_config_free(cfg);
		return NULL;
	}
	cfg->blocks[0].end = 0;
	return cfg;
}

int fb_config_new(struct fb_config **out, struct fb_error *err)
{
	if (!out)
		return fail(err, FB_EINVAL, NULL, _("fb_config_new: no output pointer"));
	*out = config_alloc("config");
	return *out ? 0 : oom(err);
}

/* ---- parsing ---- */

/* Reject what may not appear on any line: length, NUL, invalid UTF-8, controls. */
static int check_line(struct parser *p, const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	if (len > FB_CONFIG_LINE_MAX)
		return line_fail(p, NULL, _("the line is longer than %d bytes; shorten it"),
				 FB_CONFIG_LINE_MAX);
	while (i < len) {
		if (s[i] == '\0')
			return line_fail(p, NULL,
					 _("the line contains a NUL byte; the file must be UTF-8 text"));
		n = utf8_next((const unsigned char *)s + i, len - i, &cp);
		if (!n)
			return line_fail(p, NULL,
					 _("the line is not valid UTF-8; save the file as UTF-8"));
		if (is_control(cp))
			return line_fail(
				p, NULL,
				_("the line contains the control character U+%04X; remove it (inside "
				  "double quotes, write \\t for a tab and \\n for a new line)"),
				(unsigned)cp);
		i += n;
	}
	return 0;
}

static int comment_char(char c)
{
	return c == '#' || c == ';';
}

/* [name] or [name "sub"], then optional whitespace and comment.  s[0] is '['. */
static int parse_header(struct parser *p, const char *s, size_t len, char **prefix_out)
{
	static const char *const form = N_("write [name] or [name \"sub\"] (names use a-z, 0-9, "
					   "_ and -; sub also A-Z and .)");
	size_t j = 1, name, name_len, sub = 0, sub_len = 0;
	char shown[64], *prefix;

	while (j < len && is_ws(s[j]))
		j++;
	name = j;
	while (j < len && s[j] != ']' && s[j] != '"' && !is_ws(s[j]))
		j++;
	name_len = j - name;
	if (!valid_name(s + name, name_len, is_name_char)) {
		excerpt(shown, sizeof shown, s + name, name_len);
		if (name_len == 0)
			return line_fail(p, NULL, _("the section header has no name: %s"), _(form));
		return line_fail(p, NULL, _("bad section name '%s': %s"), shown, _(form));
	}
	while (j < len && is_ws(s[j]))
		j++;
	if (j < len && s[j] == '"') {
		sub = ++j;
		while (j < len && s[j] != '"')
			j++;
		if (j == len)
			return line_fail(p, NULL,
					 _("the section header has an unterminated quoted name: add "
					   "the closing \""));
		sub_len = j - sub;
		if (!valid_name(s + sub, sub_len, is_sub_char)) {
			excerpt(shown, sizeof shown, s + sub, sub_len);
			return line_fail(p, NULL, _("bad name \"%s\" in the section header: %s"),
					 shown, _(form));
		}
		j++;
		while (j < len && is_ws(s[j]))
			j++;
	}
	if (j == len)
		return line_fail(p, NULL, _("the section header has no closing ]: %s"), _(form));
	if (s[j] != ']')
		return line_fail(p, NULL, _("bad section header: %s"), _(form));
	j++;
	while (j < len && is_ws(s[j]))
		j++;
	if (j < len && !comment_char(s[j]))
		return line_fail(p, NULL,
				 _("unexpected text after the section header; start a comment "
				   "with # or ;"));
	prefix = malloc(name_len + sub_len + 3);
	if (!prefix)
		return oom(p->err);
	memcpy(prefix, s + name, name_len);
	prefix[name_len] = '.';
	if (sub_len) {
		memcpy(prefix + name_len + 1, s + sub, sub_len);
		prefix[name_len + 1 + sub_len] = '.';
		prefix[name_len + sub_len + 2] = '\0';
	} else {
		prefix[name_len + 1] = '\0';
	}
	*prefix_out = prefix;
	return 0;
}

/* The value after '=' (s[j..len)), unquoted or quoted, into a new string. */
static int parse_value(struct parser *p, const char *key, const char *s, size_t len, size_t j,
		       char **out)
{
	size_t start, end;
	char *v, *o;

	while (j < len && is_ws(s[j]))
		j++;
	if (j < len && s[j] == '"') {
		v = malloc(len - j);
		if (!v)
			return oom(p->err);
		o = v;
		for (j++;; j++) {
			if (j == len || (s[j] == '\\' && j + 1 == len)) {
				free(v);
				return line_fail(p, key,
						 _("the quoted value has no closing quote: add the "
						   "closing \" (write \\\" for a quote inside it)"));
			}
			if (s[j] == '"')
				break;
			if (s[j] != '\\') {
				*o++ = s[j];
				continue;
			}
			switch (s[++j]) {
			case '"':
				*o++ = '"';
				break;
			case '\\':
				*o++ = '\\';
				break;
			case 'n':
				*o++ = '\n';
				break;
			case 't':
				*o++ = '\t';
				break;
			default:
				free(v);
				return line_fail(p, key,
						 _("unknown escape in the quoted value; the escapes "
						   "are \\\" \\\\ \\n and \\t"));
			}
		}
		*o = '\0';
		for (j++; j < len && is_ws(s[j]); j++)
			;
		if (j < len && !comment_char(s[j])) {
			free(v);
			return line_fail(p, key,
					 _("unexpected text after the closing quote; put the whole "
					   "value in the quotes, or start a comment with # or ;"));
		}
		*out = v;
		return 0;
	}
	start = j;
	for (end = j; end < len; end++) {
		if (comment_char(s[end]) && (end == start || is_ws(s[end - 1])))
			break;
		if (s[end] == '"' || s[end] == '\\')
			return line_fail(p, key,
					 _("a value containing \" or \\ must be written in double "
					   "quotes, with \\\" and \\\\ inside them"));
	}
	while (end > start && is_ws(s[end - 1]))
		end--;
	*out = dup_mem(s + start, end - start);
	return *out ? 0 : oom(p->err);
}

/* KEY = VALUE; s[i] is the first non-blank character. */
static int parse_key_line(struct parser *p, const char *prefix, const char *s, size_t len,
			  size_t i, char **key_out, char **value_out)
{
	size_t j = i, plen = strlen(prefix);
	char shown[64], *key;
	long prev;
	int rc;

	while (j < len && s[j] != '=' && !is_ws(s[j]))
		j++;
	if (j == i)
		return line_fail(p, NULL, _("expected KEY = VALUE: the key is missing"));
	if (!valid_name(s + i, j - i, is_name_char)) {
		excerpt(shown, sizeof shown, s + i, j - i);
		if (j - i > FB_CONFIG_NAME_MAX && valid_name(s + i, FB_CONFIG_NAME_MAX, is_name_char))
			return line_fail(p, NULL, _("the key '%s' is longer than %d characters"),
					 shown, FB_CONFIG_NAME_MAX);
		if (memchr(s + i, '.', j - i))
			return line_fail(p, NULL,
					 _("bad key '%s': a key uses only a-z, 0-9, _ and -; put "
					   "dotted names in a section, e.g. [remote \"hq\"] then "
					   "url = ..."),
					 shown);
		return line_fail(p, NULL,
				 _("bad key '%s': a key uses only lowercase a-z, 0-9, _ and -"), shown);
	}
	key = malloc(plen + (j - i) + 1);
	if (!key)
		return oom(p->err);
	memcpy(key, prefix, plen);
	memcpy(key + plen, s + i, j - i);
	key[plen + j - i] = '\0';
	while (j < len && is_ws(s[j]))
		j++;
	if (j == len || s[j] != '=') {
		rc = line_fail(p, key, _("expected KEY = VALUE: no = after '%s'"), key);
		free(key);
		return rc;
	}
	prev = find_key(p->cfg, key);
	if (prev >= 0) {
		rc = line_fail(p, key,
			       _("'%s' is already set on line %ld; keep only one of the two lines"),
			       key, p->cfg->entries[prev].line + 1);
		free(key);
		return rc;
	}
	rc = parse_value(p, key, s, len, j + 1, value_out);
	if (rc < 0) {
		free(key);
		return rc;
	}
	*key_out = key;
	return 0;
}

static int parse_line(struct parser *p, size_t idx, const char *s, size_t len)
{
	struct fb_config *cfg = p->cfg;
	struct src_line *l = &cfg->lines[idx];
	struct block *b = &cfg->blocks[cfg->nblocks - 1];
	char *prefix = NULL, *key = NULL, *value = NULL;
	size_t i = 0;
	int rc;

	if (idx == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		s += 3;
		len -= 3;
	}
	rc = check_line(p, s, len);
	if (rc < 0)
		return rc;
	while (i < len && is_ws(s[i]))
		i++;
	if (i == len) {
		l->kind = L_BLANK;
	} else if (comment_char(s[i])) {
		l->kind = L_COMMENT;
	} else if (s[i] == '[') {
		rc = parse_header(p, s + i, len - i, &prefix);
		if (rc < 0)
			return rc;
		b->end = (long)idx;
		if (add_block(cfg, prefix, (long)idx) < 0)
			return oom(p->err);
		l->kind = L_SECTION;
	} else {
		rc = parse_key_line(p, b->prefix, s, len, i, &key, &value);
		if (rc < 0)
			return rc;
		if (add_entry(cfg, key, value, (long)idx) < 0)
			return oom(p->err);
		b->last_key = (long)idx;
		l->kind = L_KEY;
	}
	return 0;
}

int fb_config_parse(struct fb_config **out, const char *text, size_t len, const char *origin_name,
		    struct fb_error *err)
{
	struct parser p;
	struct fb_config *cfg;
	size_t off, nlines, i;
	const char *nl;
	int rc;

	if (out)
		*out = NULL;
	if (!out || (!text && len))
		return fail(err, FB_EINVAL, NULL, _("fb_config_parse: bad arguments"));
	p.origin = origin_name ? origin_name : "config";
	p.err = err;
	p.line = 0;
	if (len > FB_CONFIG_MAX_BYTES)
		return fail(err, FB_EINVAL, NULL,
			    _("%s is larger than 1 MiB; a configuration file holds a few lines of "
			      "KEY = VALUE"),
			    p.origin);
	cfg = config_alloc(p.origin);
	if (!cfg)
		return oom(err);
	p.cfg = cfg;
	cfg->src = dup_mem(text ? text : "", len);
	if (!cfg->src) {
		rc = oom(err);
		goto fail;
	}
	cfg->src_len = len;
	nlines = 0;
	for (off = 0; off < len; nlines++) {
		nl = memchr(cfg->src + off, '\n', len - off);
		off = nl ? (size_t)(nl - cfg->src) + 1 : len;
	}
	cfg->lines = calloc(nlines ? nlines : 1, sizeof *cfg->lines);
	if (!cfg->lines) {
		rc = oom(err);
		goto fail;
	}
	cfg->nlines = nlines;
	for (off = 0, i = 0; i < nlines; i++) {
		struct src_line *l = &cfg->lines[i];
		size_t raw, n;

		nl = memchr(cfg->src + off, '\n', len - off);
		raw = nl ? (size_t)(nl - (cfg->src + off)) : len - off;
		n = raw && cfg->src[off + raw - 1] == '\r' ? raw - 1 : raw;
		l->off = off;
		l->raw_len = raw;
		if (i == 0)
			cfg->crlf = n < raw;
		p.line = (long)i + 1;
		rc = parse_line(&p, i, cfg->src + off, n);
		if (rc < 0)
			goto fail;
		off += raw + (nl ? 1 : 0);
	}
	cfg->blocks[cfg->nblocks - 1].end = (long)nlines;
	*out = cfg;
	return 0;
fail:
	fb_config_free(cfg);
	return rc;
}

int fb_config_load(struct fb_config **out, const char *path, struct fb_error *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t got;
	int fd, rc;

	if (out)
		*out = NULL;
	if (!out || !path)
		return fail(err, FB_EINVAL, NULL, _("fb_config_load: bad arguments"));
	/* O_NONBLOCK: a FIFO named by mistake must not hang the program. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			*out = config_alloc(path);
			return *out ? 0 : oom(err);
		}
		return fail(err, FB_EIO, NULL,
			    _("cannot read the configuration file %s: %s"), path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = fail(err, FB_EIO, NULL,
			  _("cannot read the configuration file %s: it is not a regular file"),
			  path);
		goto done;
	}
	if (st.st_size > FB_CONFIG_MAX_BYTES) {
		rc = fail(err, FB_EINVAL, NULL,
			  _("%s is larger than 1 MiB; a configuration file holds a few lines of "
			    "KEY = VALUE"),
			  path);
		goto done;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		rc = oom(err);
		goto done;
	}
	for (;;) {
		if (len == cap) { /* the file grew since fstat */
			char *nb;
			if (cap > FB_CONFIG_MAX_BYTES)
				break;
			cap = cap * 2 > FB_CONFIG_MAX_BYTES + 1 ? FB_CONFIG_MAX_BYTES + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = oom(err);
				goto done;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = fail(err, FB_EIO, NULL, _("cannot read the configuration file %s: %s"),
				  path, strerror(errno));
			goto done;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	/* More than the limit is reported by fb_config_parse. */
	rc = fb_config_parse(out, buf, len, path, err);
done:
	free(buf);
	close(fd);
	return rc;
}

/* ---- queries ---- */

const char *fb_config_get(const struct fb_config *cfg, const char *key)
{
	long e;

	if (!cfg || !key)
		return NULL;
	e = find_key(cfg, key);
	return e < 0 ? NULL : cfg->entries[e].value;
}

size_t fb_config_count(const struct fb_config *cfg)
{
	return cfg ? cfg->n : 0;
}

int fb_config_at(const struct fb_config *cfg, size_t i, const char **key, const char **value)
{
	if (!cfg || i >= cfg->n)
		return FB_ENOTFOUND;
	if (key)
		*key = cfg->entries[i].key;
	if (value)
		*value = cfg->entries[i].value;
	return 0;
}

/* ---- values as written ---- */

static int needs_quotes(const char *v)
{
	size_t i, len = strlen(v);

	if (len == 0 || is_ws(v[0]) || is_ws(v[len - 1]) || comment_char(v[0]))
		return 1;
	for (i = 0; i < len; i++) {
		char c = v[i];
		if (c == '"' || c == '\\' || c == '\n' || c == '\t' ||
		    (comment_char(c) && is_ws(v[i - 1])))
			return 1;
	}
	return 0;
}

/* Bytes of v as written after "key = ". */
static size_t value_form_len(const char *v)
{
	size_t n = 0;

	if (!needs_quotes(v))
		return strlen(v);
	for (; *v; v++)
		n += (*v == '"' || *v == '\\' || *v == '\n' || *v == '\t') ? 2 : 1;
	return n + 2;
}

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void put_value(struct buf *b, const char *v)
{
	if (!needs_quotes(v)) {
		buf_str(b, v);
		return;
	}
	buf_add(b, "\"", 1);
	for (; *v; v++) {
		switch (*v) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			buf_add(b, v, 1);
		}
	}
	buf_add(b, "\"", 1);
}

static size_t prefix_len(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? (size_t)(dot - key) + 1 : 0;
}

/* "\tleaf = value" (no tab at the top) and the line ending. */
static void put_key_line(struct buf *b, const struct fb_config *cfg, const struct entry *e)
{
	size_t plen = prefix_len(e->key);

	if (plen)
		buf_add(b, "\t", 1);
	buf_str(b, e->key + plen);
	buf_add(b, " = ", 3);
	put_value(b, e->value);
	buf_str(b, cfg->crlf ? "\r\n" : "\n");
}

/* [name] or [name "sub"] for a prefix "name." or "name.sub.". */
static void put_header(struct buf *b, const struct fb_config *cfg, const char *prefix, size_t plen)
{
	const char *dot = memchr(prefix, '.', plen);
	size_t nlen = (size_t)(dot - prefix);

	buf_add(b, "[", 1);
	buf_add(b, prefix, nlen);
	if (nlen + 1 < plen) {
		buf_add(b, " \"", 2);
		buf_add(b, dot + 1, plen - nlen - 2);
		buf_add(b, "\"", 1);
	}
	buf_str(b, cfg->crlf ? "]\r\n" : "]\n");
}

/* ---- editing ---- */

/* 1 when key is KEY, SECTION.KEY or SECTION.NAME.KEY with valid names. */
static int valid_key(const char *key)
{
	const char *d1 = strchr(key, '.'), *d2 = strrchr(key, '.');
	size_t len = strlen(key);

	if (!d1)
		return valid_name(key, len, is_name_char);
	if (!valid_name(key, (size_t)(d1 - key), is_name_char) ||
	    !valid_name(d2 + 1, len - (size_t)(d2 + 1 - key), is_name_char))
		return 0;
	return d1 == d2 || valid_name(d1 + 1, (size_t)(d2 - d1 - 1), is_sub_char);
}

static int check_key(const char *key, struct fb_error *err)
{
	char shown[64];

	if (key && valid_key(key))
		return 0;
	excerpt(shown, sizeof shown, key ? key : "", key ? strlen(key) : 0);
	return fail(err, FB_EINVAL, NULL,
		    _("bad configuration key '%s': write KEY, SECTION.KEY or SECTION.NAME.KEY "
		      "with a-z, 0-9, _ and - (NAME may also use A-Z and .)"),
		    shown);
}

int fb_config_set(struct fb_config *cfg, const char *key, const char *value, struct fb_error *err)
{
	size_t i = 0, len, n;
	uint32_t cp;
	char *v, *k;
	long e;
	int rc;

	if (!cfg || !value)
		return fail(err, FB_EINVAL, NULL, _("fb_config_set: bad arguments"));
	rc = check_key(key, err);
	if (rc < 0)
		return rc;
	len = strlen(value);
	while (i < len) {
		n = utf8_next((const unsigned char *)value + i, len - i, &cp);
		if (!n)
			return fail(err, FB_EINVAL, key, _("the value of %s is not valid UTF-8"),
				    key);
		if (is_control(cp) && cp != '\n')
			return fail(err, FB_EINVAL, key,
				    _("the value of %s contains the control character U+%04X; "
				      "remove it"),
				    key, (unsigned)cp);
		i += n;
	}
	if ((prefix_len(key) ? 1 : 0) + strlen(key + prefix_len(key)) + 3 + value_form_len(value) >
	    FB_CONFIG_LINE_MAX)
		return fail(err, FB_EINVAL, key,
			    _("the value of %s is too long: a line of the configuration file "
			      "holds at most %d bytes"),
			    key, FB_CONFIG_LINE_MAX);
	e = find_key(cfg, key);
	if (e >= 0 && strcmp(cfg->entries[e].value, value) == 0)
		return 0;
	v = dup_mem(value, len);
	if (!v)
		return oom(err);
	if (e >= 0) {
		free(cfg->entries[e].value);
		cfg->entries[e].value = v;
		cfg->entries[e].dirty = 1;
		return 0;
	}
	k = dup_mem(key, strlen(key));
	if (!k) {
		free(v);
		return oom(err);
	}
	if (add_entry(cfg, k, v, -1) < 0)
		return oom(err);
	return 0;
}

int fb_config_unset(struct fb_config *cfg, const char *key, struct fb_error *err)
{
	long e;

	if (!cfg || !key)
		return fail(err, FB_EINVAL, NULL, _("fb_config_unset: bad arguments"));
	e = find_key(cfg, key);
	if (e < 0) {
		char shown[64];
		excerpt(shown, sizeof shown, key, strlen(key));
		return fail(err, FB_ENOTFOUND, NULL, _("%s is not set in the configuration"),
			    shown);
	}
	free(cfg->entries[e].key);
	free(cfg->entries[e].value);
	memmove(&cfg->entries[e], &cfg->entries[e + 1],
		(cfg->n - (size_t)e - 1) * sizeof cfg->entries[0]);
	cfg->n--;
	memset(cfg->slots, 0, cfg->nslots * sizeof cfg->slots[0]);
	for (size_t i = 0; i < cfg->n; i++)
		index_insert(cfg, i);
	return 0;
}

/* ---- writing ---- */

struct pending {
	size_t pos;   /* source line index the key goes before */
	size_t entry; /* index into entries */
};

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* 1 when b is empty or its last line holds only blanks (b ends in a newline). */
static int last_line_blank(const struct buf *b)
{
	size_t i;

	if (b->oom || !b->len)
		return 1;
	i = b->len - 1;
	while (i > 0 && (is_ws(b->p[i - 1]) || b->p[i - 1] == '\r'))
		i--;
	return i == 0 || b->p[i - 1] == '\n';
}

/* The last block whose prefix is key's, or -1. */
static long block_of(const struct fb_config *cfg, const char *key)
{
	size_t plen = prefix_len(key), b;

	for (b = cfg->nblocks; b-- > 0;)
		if (strlen(cfg->blocks[b].prefix) == plen &&
		    memcmp(cfg->blocks[b].prefix, key, plen) == 0)
			return (long)b;
	return -1;
}

int fb_config_serialize(char **out, size_t *len_out, const struct fb_config *cfg,
			struct fb_error *err)
{
	struct buf b = {NULL, 0, 0, 0};
	struct pending *pend = NULL, *orphan = NULL;
	long *line_entry = NULL;
	size_t npend = 0, norphan = 0, i, k, li, bom;
	const char *eol;
	int rc = 0;

	if (out)
		*out = NULL;
	if (len_out)
		*len_out = 0;
	if (!out || !cfg)
		return fail(err, FB_EINVAL, NULL, _("fb_config_serialize: bad arguments"));
	eol = cfg->crlf ? "\r\n" : "\n";
	line_entry = malloc((cfg->nlines ? cfg->nlines : 1) * sizeof *line_entry);
	pend = malloc((cfg->n ? cfg->n : 1) * sizeof *pend);
	orphan = malloc((cfg->n ? cfg->n : 1) * sizeof *orphan);
	if (!line_entry || !pend || !orphan) {
		rc = oom(err);
		goto done;
	}
	for (li = 0; li < cfg->nlines; li++)
		line_entry[li] = -1;
	/* New keys go after the last key of the last block of their section; keys of a
	 * section the file does not have go into new sections at the end. */
	for (i = 0; i < cfg->n; i++) {
		const struct entry *e = &cfg->entries[i];
		const struct block *bl;
		long bi;
		size_t pos;

		if (e->line >= 0) {
			line_entry[e->line] = (long)i;
			continue;
		}
		bi = block_of(cfg, e->key);
		if (bi < 0) {
			orphan[norphan].pos = 0;
			orphan[norphan++].entry = i;
			continue;
		}
		bl = &cfg->blocks[bi];
		if (bl->last_key >= 0) {
			pos = (size_t)bl->last_key + 1;
		} else if (bl->header >= 0) {
			pos = (size_t)bl->header + 1;
		} else { /* the top block without keys: after the file's opening comment */
			for (pos = 0; pos < (size_t)bl->end && cfg->lines[pos].kind == L_COMMENT;
			     pos++)
				;
		}
		pend[npend].pos = pos;
		pend[npend++].entry = i;
	}
	qsort(pend, npend, sizeof *pend, cmp_pending);

	/* A byte-order mark stays first, before any key added at the top. */
	bom = cfg->src_len >= 3 && memcmp(cfg->src, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	buf_add(&b, cfg->src, bom);
	if (cfg->nlines == 0) {
		buf_str(&b, "# fieldbook configuration: KEY = VALUE lines, grouped under [section] "
			    "or [section \"name\"] headers.");
		buf_str(&b, eol);
	}
	for (k = 0, li = 0; li <= cfg->nlines; li++) {
		const struct src_line *l;

		for (; k < npend && pend[k].pos == li; k++)
			put_key_line(&b, cfg, &cfg->entries[pend[k].entry]);
		if (li == cfg->nlines)
			break;
		l = &cfg->lines[li];
		if (l->kind == L_KEY) {
			long e = line_entry[li];
			if (e < 0)
				continue; /* unset */
			if (cfg->entries[e].dirty) {
				put_key_line(&b, cfg, &cfg->entries[e]);
				continue;
			}
		}
		if (li == 0) /* the BOM is written already */
			buf_add(&b, cfg->src + bom, l->raw_len - bom);
		else
			buf_add(&b, cfg->src + l->off, l->raw_len);
		buf_add(&b, "\n", 1);
	}
	/* Orphans, grouped by section in the order their first key was added. */
	for (i = 0; i < norphan; i++) {
		const char *key = cfg->entries[orphan[i].entry].key;
		size_t plen = prefix_len(key);

		if (orphan[i].pos) /* already written with its group */
			continue;
		if (!last_line_blank(&b))
			buf_str(&b, eol);
		put_header(&b, cfg, key, plen);
		for (k = i; k < norphan; k++) {
			const struct entry *e = &cfg->entries[orphan[k].entry];
			if (!orphan[k].pos && prefix_len(e->key) == plen &&
			    memcmp(e->key, key, plen) == 0) {
				put_key_line(&b, cfg, e);
				orphan[k].pos = 1;
			}
		}
	}
	if (b.oom) {
		rc = oom(err);
		goto done;
	}
	if (!b.p)
		buf_add(&b, "", 0);
	if (b.oom) {
		rc = oom(err);
		goto done;
	}
	*out = b.p;
	b.p = NULL;
	if (len_out)
		*len_out = b.len;
done:
	free(b.p);
	free(line_entry);
	free(pend);
	free(orphan);
	return rc;
}

/* mkdir -p with mode 0700 for the directories it creates. */
static int make_dirs(char *dir)
{
	char *s;
	struct stat st;

	for (s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	if (stat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fb_config_write(const struct fb_config *cfg, const char *path, struct fb_error *err)
{
	char *text = NULL, *real = NULL, *dir = NULL, *tmp = NULL, *slash;
	const char *target;
	struct stat st;
	size_t len;
	int fd = -1, dfd, rc, tmp_made = 0;

	if (!cfg || !path || !*path)
		return fail(err, FB_EINVAL, NULL, _("fb_config_write: bad arguments"));
	rc = fb_config_serialize(&text, &len, cfg, err);
	if (rc < 0)
		return rc;
	/* Replace the file a symbolic link points to, not the link (dotfile managers). */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		real = realpath(path, NULL);
	target = real ? real : path;
	dir = dup_mem(target, strlen(target));
	tmp = malloc(strlen(target) + sizeof ".tmp-XXXXXX");
	if (!dir || !tmp) {
		rc = oom(err);
		goto done;
	}
	slash = strrchr(dir, '/');
	if (!slash) {
		strcpy(dir, ".");
	} else {
		slash[slash == dir ? 1 : 0] = '\0';
		if (make_dirs(dir) < 0) {
			rc = fail(err, FB_EIO, NULL, _("cannot create the directory %s: %s"), dir,
				  strerror(errno));
			goto done;
		}
	}
	sprintf(tmp, "%s.tmp-XXXXXX", target);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = fail(err, FB_EIO, NULL, _("cannot write the configuration file %s: %s"),
			  target, strerror(errno));
		goto done;
	}
	tmp_made = 1;
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		rc = fail(err, FB_EIO, NULL, _("cannot write the configuration file %s: %s"),
			  target, strerror(errno));
		goto done;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = fail(err, FB_EIO, NULL, _("cannot write the configuration file %s: %s"),
			  target, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp, target) < 0) {
		rc = fail(err, FB_EIO, NULL, _("cannot replace the configuration file %s: %s"),
			  target, strerror(errno));
		goto done;
	}
	free(tmp);
	tmp = NULL;
	/* Make the rename itself durable. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0 && errno != EINVAL && errno != EROFS)
			rc = fail(err, FB_EIO, NULL,
				  _("cannot write the configuration file %s: %s"), target,
				  strerror(errno));
		close(dfd);
	}
done:
	if (fd >= 0)
		close(fd);
	if (tmp && tmp_made)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(real);
	free(text);
	return rc;
}

int fb_config_default_path(char *buf, size_t cap, struct fb_error *err)
{
	const char *v = getenv("FIELDBOOK_CONFIG");
	int n;

	if (v && *v) {
		n = snprintf(buf, cap, "%s", v);
	} else if ((v = getenv("XDG_CONFIG_HOME")) && v[0] == '/') {
		n = snprintf(buf, cap, "%s/fieldbook/config", v);
	} else {
		v = getenv("HOME");
		if (!v || !*v) {
			const struct passwd *pw = getpwuid(getuid());
			v = pw ? pw->pw_dir : NULL;
		}
		if (!v || !*v)
			return fail(err, FB_ENOTFOUND, NULL,
				    _("no home directory is known: set HOME, or FIELDBOOK_CONFIG to "
				      "the configuration file's path"));
		n = snprintf(buf, cap, "%s/.config/fieldbook/config", v);
	}
	if (n < 0 || (size_t)n >= cap)
		return fail(err, FB_EINVAL, NULL,
			    _("the configuration file's path is longer than %zu bytes"),
			    cap ? cap - 1 : 0);
	return 0;
}
