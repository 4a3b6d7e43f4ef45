/* bundlehdr.c - parsing the text header of git bundle files (core layer; pure: no I/O, no
 * libgit2, so it can be fuzzed; format and limits in include/fieldbook/bundlehdr.h). */
#include <stdlib.h>
#include <string.h>

#include "fieldbook/bundlehdr.h"
#include "fieldbook/i18n.h"

static int is_hex40(const char *p, size_t n)
{
	size_t i;

	if (n < 40)
		return 0;
	for (i = 0; i < 40; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

int fb_bundle_refname_ok(const char *name)
{
	size_t n = strlen(name), i, comp = 0;

	if (!strcmp(name, "HEAD"))
		return 1;
	if (n < 6 || n > FB_BUNDLE_MAX_REFNAME || strncmp(name, "refs/", 5))
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '/'))
			return 0;
		if (c == '/') {
			if (comp == 0)
				return 0; /* "//" */
			comp = 0;
			continue;
		}
		if (comp == 0 && c == '.')
			return 0; /* a component starting with '.' */
		if (c == '.' && i + 1 < n && name[i + 1] == '.')
			return 0;
		comp++;
	}
	if (comp == 0 || name[n - 1] == '.')
		return 0;
	if (n >= 5 && !strcmp(name + n - 5, ".lock"))
		return 0;
	for (i = 0; i + 5 <= n; i++) /* a component ending in .lock */
		if (!strncmp(name + i, ".lock/", 6))
			return 0;
	return 1;
}

int fb_bundle_dev_ref(const char *name, char *id_out)
{
	size_t i;

	if (strncmp(name, "refs/heads/dev/", 15) || strlen(name + 15) != 16)
		return 0;
	for (i = 15; i < 31; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	if (id_out) {
		memcpy(id_out, name + 15, 16);
		id_out[16] = '\0';
	}
	return 1;
}

void fb_bundle_header_free(struct fb_bundle_header *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->nrefs; i++)
		free(h->refs[i].name);
	free(h->refs);
	free(h->prereq);
	free(h);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *n;
	size_t c = *cap ? *cap : 16;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (!(n = realloc(*p, c * size)))
		return -1;
	*p = n;
	*cap = c;
	return 0;
}

int fb_bundle_header_parse(struct fb_bundle_header **out, const char *data, size_t len,
			   struct fb_error *err)
{
	struct fb_bundle_header *h;
	size_t pos = 0, lineno = 0, capr = 0, capp = 0, lim = len < FB_BUNDLE_MAX_HEADER ? len : FB_BUNDLE_MAX_HEADER;
	int rc = FB_EINVAL, done = 0;

	*out = NULL;
	if (!(h = calloc(1, sizeof *h)))
		return fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
	while (!done) {
		const char *line = data + pos, *nl;
		size_t n, i;

		lineno++;
		if (pos >= lim) {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
				     _("bundle header line %zu: the header does not end (no blank line within "
				       "the first %zu bytes); the file is not a git bundle or it is cut short"),
				     lineno, lim);
			goto fail;
		}
		nl = memchr(line, '\n', lim - pos);
		if (!nl) {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
				     _("bundle header line %zu: the line does not end; the file is not a git "
				       "bundle or it is cut short"), lineno);
			goto fail;
		}
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n > FB_BUNDLE_MAX_LINE) {
			rc = fb_error_set(err, FB_EINVAL, "bundle", _("bundle header line %zu is too long"), lineno);
			goto fail;
		}
		if (memchr(line, '\0', n)) {
			rc = fb_error_set(err, FB_EINVAL, "bundle", _("bundle header line %zu holds a NUL byte"), lineno);
			goto fail;
		}
		if (lineno == 1) {
			if (n == 15 && !memcmp(line, "# v2 git bundle", 15))
				h->version = 2;
			else if (n == 15 && !memcmp(line, "# v3 git bundle", 15))
				h->version = 3;
			else {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
					     _("this is not a git bundle (version 2 or 3): the first line "
					       "should be '# v2 git bundle'"));
				goto fail;
			}
			continue;
		}
		if (n == 0) {
			done = 1;
			break;
		}
		if (line[0] == '@') {
			if (h->version != 3 || h->nrefs || h->nprereq) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
					     _("bundle header line %zu: a capability line belongs only at the "
					       "start of a v3 bundle"), lineno);
				goto fail;
			}
			if (!(n == 19 && !memcmp(line, "@object-format=sha1", 19))) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
					     _("bundle header line %zu: the capability '%.*s' is not "
					       "supported (only @object-format=sha1 is)"),
					     lineno, (int)(n > 60 ? 60 : n), line);
				goto fail;
			}
			continue;
		}
		if (line[0] == '-') {
			if (!is_hex40(line + 1, n - 1) || (n > 41 && line[41] != ' ')) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
					     _("bundle header line %zu: a prerequisite must be '-' and a "
					       "40-digit lower-case commit id"), lineno);
				goto fail;
			}
			if (h->nprereq >= FB_BUNDLE_MAX_REFS) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
						  _("bundle header line %zu: too many prerequisites"), lineno);
				goto fail;
			}
			if (grow((void **)&h->prereq, &capp, h->nprereq + 1, sizeof *h->prereq) < 0) {
				rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
				goto fail;
			}
			memcpy(h->prereq[h->nprereq], line + 1, 40);
			h->prereq[h->nprereq++][40] = '\0';
			continue;
		}
		if (!is_hex40(line, n) || n < 42 || line[40] != ' ') {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
				     _("bundle header line %zu: expected a 40-digit lower-case object id, a "
				       "space and a ref name"), lineno);
			goto fail;
		}
		if (n - 41 > FB_BUNDLE_MAX_REFNAME) {
			rc = fb_error_set(err, FB_EINVAL, "bundle", _("bundle header line %zu: the ref name is too long"),
				     lineno);
			goto fail;
		}
		if (h->nrefs >= FB_BUNDLE_MAX_REFS) {
			rc = fb_error_set(err, FB_EINVAL, "bundle", _("bundle header line %zu: too many refs"), lineno);
			goto fail;
		}
		if (grow((void **)&h->refs, &capr, h->nrefs + 1, sizeof *h->refs) < 0 ||
		    !(h->refs[h->nrefs].name = malloc(n - 41 + 1))) {
			rc = fb_error_set(err, FB_ENOMEM, NULL, _("out of memory"));
			goto fail;
		}
		memcpy(h->refs[h->nrefs].name, line + 41, n - 41);
		h->refs[h->nrefs].name[n - 41] = '\0';
		memcpy(h->refs[h->nrefs].oid, line, 40);
		h->refs[h->nrefs].oid[40] = '\0';
		h->nrefs++;
		if (!fb_bundle_refname_ok(h->refs[h->nrefs - 1].name)) {
			rc = fb_error_set(err, FB_EINVAL, "bundle",
				     _("bundle header line %zu: '%.*s' is not an acceptable ref name"), lineno,
				     (int)(n - 41 > 80 ? 80 : n - 41), line + 41);
			goto fail;
		}
		for (i = 0; i + 1 < h->nrefs; i++)
			if (!strcmp(h->refs[i].name, h->refs[h->nrefs - 1].name)) {
				rc = fb_error_set(err, FB_EINVAL, "bundle",
					     _("bundle header line %zu: the ref %s is named twice"), lineno,
					     h->refs[i].name);
				goto fail;
			}
	}
	if (!h->nrefs) {
		rc = fb_error_set(err, FB_EINVAL, "bundle", _("the bundle names no refs, so it carries nothing"));
		goto fail;
	}
	h->header_len = pos;
	*out = h;
	return 0;
fail:
	fb_bundle_header_free(h);
	return rc;
}
