/* changefile.c - writing and parsing change files (core layer; format in changefile.h).
 *
 * Contract: fb_changefile_write output parses back to the same ops, and parsing then
 * writing gives the same bytes (canonical form).  The parser checks everything an op
 * from another device could get wrong and returns all ops or none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldbook/changefile.h"
#include "fieldbook/i18n.h"
#include "fieldbook/text.h"

#define MAX_AUTHOR 256
#define MAX_PRED 64 * 1024

static int need_escape(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '%';
}

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *n2;
		while (b->len + n + 1 > cap)
			cap *= 2;
		if (!(n2 = realloc(b->p, cap))) {
			b->failed = 1;
			return;
		}
		b->p = n2;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (need_escape((unsigned char)*s)) {
			char e[4];
			snprintf(e, sizeof e, "%%%02X", (unsigned char)*s);
			put(b, e, 3);
		} else
			put(b, s, 1);
	}
}

/* "<device>:<seq>.<idx>": 0 and the parts, or -1. */
static int split_id(const char *id, size_t *dev_len, long long *seq, long long *idx)
{
	const char *colon = strchr(id, ':'), *dot;
	char *end;

	if (!colon || colon == id || colon - id > 64)
		return -1;
	*dev_len = (size_t)(colon - id);
	if (strspn(id, "0123456789abcdefghijklmnopqrstuvwxyz") < *dev_len)
		return -1;
	dot = strchr(colon + 1, '.');
	if (!dot || dot == colon + 1 || !dot[1] || (colon[1] == '0' && dot != colon + 2))
		return -1;
	if (strspn(colon + 1, "0123456789") != (size_t)(dot - colon - 1) ||
	    strspn(dot + 1, "0123456789") != strlen(dot + 1) || strlen(dot + 1) > 9 ||
	    (size_t)(dot - colon - 1) > 18 || (dot[1] == '0' && dot[2]))
		return -1;
	*seq = strtoll(colon + 1, &end, 10);
	*idx = strtoll(dot + 1, &end, 10);
	return 0;
}

static int cmp_ops(const void *a, const void *b)
{
	const struct fb_op *x = a, *y = b;
	size_t dl;
	long long sx = 0, ix = 0, sy = 0, iy = 0;

	split_id(x->id, &dl, &sx, &ix);
	split_id(y->id, &dl, &sy, &iy);
	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (ix != iy)
		return ix < iy ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int is_name(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strspn(s, extra) == n;
}

int fb_op_check(const struct fb_op *op, const char *device, struct fb_error *err)
{
	size_t dl;
	long long seq, idx;
	const char *p;

	if (!op->id || split_id(op->id, &dl, &seq, &idx) < 0)
		return fb_error_set(err, FB_EINVAL, "op", _("malformed op id"));
	if (device && (strlen(device) != dl || strncmp(op->id, device, dl)))
		return fb_error_set(err, FB_EINVAL, "op",
				    _("op %s does not belong to device %s"), op->id, device);
	if (op->hlc < 0)
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: negative clock"), op->id);
	if (!op->kind || !is_name(op->kind, 32, "abcdefghijklmnopqrstuvwxyz_"))
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad kind"), op->id);
	if (!op->rec || !is_name(op->rec, 64, "0123456789abcdef") || strlen(op->rec) < 4)
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad record id"), op->id);
	if (!op->field || !is_name(op->field, 64, "abcdefghijklmnopqrstuvwxyz0123456789_"))
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad field name"), op->id);
	if (!op->author || strlen(op->author) > MAX_AUTHOR || !fb_utf8_valid(op->author, strlen(op->author)))
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad author"), op->id);
	if (!op->value || strlen(op->value) > FB_CHANGEFILE_MAX_VALUE ||
	    !fb_utf8_valid(op->value, strlen(op->value)))
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: value is not UTF-8 text or too long"),
				    op->id);
	if (!op->pred || strlen(op->pred) > MAX_PRED)
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad pred"), op->id);
	for (p = op->pred; *p;) {
		char one[96];
		size_t n = strcspn(p, " ");
		long long s2, i2;
		size_t d2;
		if (n == 0 || n >= sizeof one)
			return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad pred"), op->id);
		memcpy(one, p, n);
		one[n] = '\0';
		if (split_id(one, &d2, &s2, &i2) < 0)
			return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad pred entry"), op->id);
		p += n;
		if (*p == ' ' && !*++p)
			return fb_error_set(err, FB_EINVAL, "op", _("op %s: bad pred"), op->id);
	}
	if (!strcmp(op->field, "_exists") && strcmp(op->value, "0") && strcmp(op->value, "1"))
		return fb_error_set(err, FB_EINVAL, "op", _("op %s: _exists must be 0 or 1"), op->id);
	/* audit entries are append-only (audit.h): an op that overwrites or deletes one is
	 * invalid, so the branch that carries it is quarantined */
	if (!strcmp(op->kind, "audit") && (*op->pred || (!strcmp(op->field, "_exists") && strcmp(op->value, "1"))))
		return fb_error_set(err, FB_EINVAL, "op",
				    _("op %s changes an audit entry; audit entries can never be changed"),
				    op->id);
	return 0;
}

int fb_changefile_write(char **out, size_t *len, const char *device, int64_t seal,
			const struct fb_op *ops, size_t n, struct fb_error *err)
{
	struct fb_op *sorted = NULL;
	struct buf b = {0};
	char line[128];
	size_t i;
	int rc = 0;

	*out = NULL;
	if (n > FB_CHANGEFILE_MAX_OPS)
		return fb_error_set(err, FB_EINVAL, "op", _("too many ops for one change file"));
	if (n && !(sorted = malloc(n * sizeof *sorted)))
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	for (i = 0; i < n; i++) {
		if ((rc = fb_op_check(&ops[i], device, err)) < 0)
			goto cleanup;
		sorted[i] = ops[i];
	}
	if (n)
		qsort(sorted, n, sizeof *sorted, cmp_ops);
	snprintf(line, sizeof line, "fieldbook-changes 1\ndevice %s\nseal %lld\nops %zu\n", device,
		 (long long)seal, n);
	puts_(&b, line);
	for (i = 0; i < n; i++) {
		const struct fb_op *o = &sorted[i];
		snprintf(line, sizeof line, "\t%lld\t", (long long)o->hlc);
		puts_(&b, o->id);
		puts_(&b, line);
		put_escaped(&b, o->author);
		puts_(&b, "\t");
		puts_(&b, o->kind);
		puts_(&b, "\t");
		puts_(&b, o->rec);
		puts_(&b, "\t");
		puts_(&b, o->field);
		puts_(&b, "\t");
		put_escaped(&b, o->value);
		puts_(&b, "\t");
		put_escaped(&b, o->pred);
		puts_(&b, "\n");
	}
	snprintf(line, sizeof line, "end %zu\n", n);
	puts_(&b, line);
	if (b.failed) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto cleanup;
	}
	if (b.len > FB_CHANGEFILE_MAX_BYTES) {
		rc = fb_error_set(err, FB_EINVAL, "op", _("change file larger than 64 MiB: seal fewer ops"));
		goto cleanup;
	}
	*out = b.p;
	*len = b.len;
	b.p = NULL;
cleanup:
	free(b.p);
	free(sorted);
	return rc;
}

/* Unescapes s in place; -1 on a malformed escape. */
static int unescape(char *s)
{
	char *in = s, *out = s;

	while (*in) {
		if (*in == '%') {
			int hi, lo;
			static const char hex[] = "0123456789ABCDEF";
			const char *h = in[1] ? strchr(hex, in[1]) : NULL, *l = h && in[2] ? strchr(hex, in[2]) : NULL;
			if (!h || !l)
				return -1;
			hi = (int)(h - hex);
			lo = (int)(l - hex);
			if (!need_escape((unsigned char)(hi * 16 + lo)) || hi * 16 + lo == 0)
				return -1; /* canonical: only escaped bytes may be escaped; no NUL */
			*out++ = (char)(hi * 16 + lo);
			in += 3;
		} else if ((unsigned char)*in < 0x20 || *in == 0x7f) {
			return -1;
		} else
			*out++ = *in++;
	}
	*out = '\0';
	return 0;
}

/* Reads "<word> <number>\n" at *p; returns 0 and the number. */
static int header_num(char **p, char *end, const char *word, long long *v)
{
	size_t wl = strlen(word);
	char *nl = memchr(*p, '\n', (size_t)(end - *p)), *e;

	if (!nl || (size_t)(nl - *p) < wl + 2 || strncmp(*p, word, wl) || (*p)[wl] != ' ')
		return -1;
	*nl = '\0';
	if (strspn(*p + wl + 1, "0123456789") != strlen(*p + wl + 1) || strlen(*p + wl + 1) > 18 ||
	    ((*p)[wl + 1] == '0' && (*p)[wl + 2]))
		return -1;
	*v = strtoll(*p + wl + 1, &e, 10);
	*p = nl + 1;
	return 0;
}

int fb_changefile_parse(struct fb_changefile **out, const char *data, size_t len, struct fb_error *err)
{
	struct fb_changefile *cf = NULL;
	char *p, *end, *nl;
	long long seal, nops, trailer;
	size_t i, lineno = 4;
	int rc = FB_EINVAL;

	*out = NULL;
	if (len > FB_CHANGEFILE_MAX_BYTES)
		return fb_error_set(err, FB_EINVAL, "change file", _("change file larger than 64 MiB"));
	if (memchr(data, '\0', len))
		return fb_error_set(err, FB_EINVAL, "change file", _("change file contains a NUL byte"));
	if (!(cf = calloc(1, sizeof *cf)) || !(cf->mem = malloc(len + 1))) {
		free(cf);
		return fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
	}
	memcpy(cf->mem, data, len);
	cf->mem[len] = '\0';
	p = cf->mem;
	end = cf->mem + len;
	if (len < 20 || strncmp(p, "fieldbook-changes 1\n", 20)) {
		fb_error_set(err, FB_EINVAL, "change file", _("not a fieldbook change file (format 1)"));
		goto fail;
	}
	p += 20;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || strncmp(p, "device ", 7) || nl - p - 7 < 1 || nl - p - 7 > 64) {
		fb_error_set(err, FB_EINVAL, "change file", _("line 2: expected 'device ID'"));
		goto fail;
	}
	*nl = '\0';
	if (strspn(p + 7, "0123456789abcdefghijklmnopqrstuvwxyz") != strlen(p + 7)) {
		fb_error_set(err, FB_EINVAL, "change file", _("line 2: bad device id"));
		goto fail;
	}
	memcpy(cf->device, p + 7, (size_t)(nl - p - 7));
	cf->device[nl - p - 7] = '\0';
	p = nl + 1;
	if (header_num(&p, end, "seal", &seal) < 0) {
		fb_error_set(err, FB_EINVAL, "change file", _("line 3: expected 'seal N'"));
		goto fail;
	}
	if (header_num(&p, end, "ops", &nops) < 0 || nops > (long long)FB_CHANGEFILE_MAX_OPS) {
		fb_error_set(err, FB_EINVAL, "change file", _("line 4: expected 'ops N' (at most 1000000)"));
		goto fail;
	}
	cf->seal = seal;
	if (nops > (long long)(len / 16) + 1) {
		fb_error_set(err, FB_EINVAL, "change file", _("line 4: more ops announced than the file holds"));
		goto fail;
	}
	if (nops && !(cf->ops = calloc((size_t)nops, sizeof *cf->ops))) {
		rc = fb_error_set(err, FB_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	for (i = 0; i < (size_t)nops; i++) {
		char *f[8], *q;
		int k;
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			fb_error_set(err, FB_EINVAL, "change file",
				     _("line %zu: the file ends early (truncated change file)"), lineno);
			goto fail;
		}
		*nl = '\0';
		for (k = 0, q = p; k < 8; k++) {
			f[k] = q;
			q = strchr(q, '\t');
			if (k < 7) {
				if (!q) {
					fb_error_set(err, FB_EINVAL, "change file",
						     _("line %zu: an op has 8 tab-separated fields"), lineno);
					goto fail;
				}
				*q++ = '\0';
			} else if (q) {
				fb_error_set(err, FB_EINVAL, "change file",
					     _("line %zu: an op has 8 tab-separated fields"), lineno);
				goto fail;
			}
		}
		if (unescape(f[2]) < 0 || unescape(f[6]) < 0 || unescape(f[7]) < 0) {
			fb_error_set(err, FB_EINVAL, "change file", _("line %zu: bad %%-escape"), lineno);
			goto fail;
		}
		if (strspn(f[1], "0123456789") != strlen(f[1]) || !*f[1] || strlen(f[1]) > 18 ||
		    (f[1][0] == '0' && f[1][1])) {
			fb_error_set(err, FB_EINVAL, "change file", _("line %zu: bad clock value"), lineno);
			goto fail;
		}
		cf->ops[i].id = f[0];
		cf->ops[i].hlc = strtoll(f[1], NULL, 10);
		cf->ops[i].author = f[2];
		cf->ops[i].kind = f[3];
		cf->ops[i].rec = f[4];
		cf->ops[i].field = f[5];
		cf->ops[i].value = f[6];
		cf->ops[i].pred = f[7];
		if (fb_op_check(&cf->ops[i], cf->device, err) < 0) {
			char why[FB_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof why, "%s", err ? err->message : "");
			fb_error_set(err, FB_EINVAL, "change file", _("line %zu: %s"), lineno, why);
			goto fail;
		}
		if (i && cmp_ops(&cf->ops[i - 1], &cf->ops[i]) >= 0) {
			fb_error_set(err, FB_EINVAL, "change file",
				     _("line %zu: ops out of order or repeated (not canonical)"), lineno);
			goto fail;
		}
		p = nl + 1;
	}
	cf->nops = (size_t)nops;
	if (header_num(&p, end, "end", &trailer) < 0 || trailer != nops) {
		fb_error_set(err, FB_EINVAL, "change file",
			     _("line %zu: missing or wrong 'end %lld' (truncated change file)"), lineno + 1, nops);
		goto fail;
	}
	if (p != end) {
		fb_error_set(err, FB_EINVAL, "change file", _("text after the 'end' line"));
		goto fail;
	}
	*out = cf;
	return 0;
fail:
	fb_changefile_free(cf);
	return rc;
}

void fb_changefile_free(struct fb_changefile *cf)
{
	if (!cf)
		return;
	free(cf->ops);
	free(cf->mem);
	free(cf);
}
