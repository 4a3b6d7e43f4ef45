/* devinfo.c - what this repository knows about a device: the label and team of its
 * device.txt and the time of the newest commit of its branch that reached this computer
 * (sync layer; the review screen's devices queue). */
#include <stdio.h>
#include <string.h>

#include "fieldbook/i18n.h"
#include "sync_int.h"

/* Copies the value of "key value" line of text into out. */
static void line_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	const char *p = text, *end = text + len;
	size_t kl = strlen(key);

	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll > kl && !memcmp(p, key, kl) && p[kl] == ' ') {
			size_t vl = ll - kl - 1;
			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return;
		}
		p += ll + 1;
	}
}

int fb_sync_device_info(struct fb_sync *s, const char *device, char *label, size_t lcap, char *team,
			size_t tcap, int64_t *last_ms, struct fb_error *err)
{
	char ref[96];
	git_oid id;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	int rc;

	label[0] = team[0] = '\0';
	*last_ms = 0;
	if (!sync_valid_device(device))
		return fb_error_set(err, FB_EINVAL, "device", _("'%s' is not a device id"), device);
	snprintf(ref, sizeof ref, "refs/heads/dev/%s", device);
	if ((rc = sync_ref_oid(s, ref, &id, err)) < 0)
		return rc;
	if (rc == 0)
		return fb_error_set(err, FB_ENOTFOUND, "device",
				    _("no changes of device %s have reached this computer by sync"), device);
	rc = 0;
	if (git_commit_lookup(&c, s->repo, &id) < 0 || git_commit_tree(&tree, c) < 0) {
		rc = sync_git_error(err, _("read a device branch"));
		goto cleanup;
	}
	*last_ms = (int64_t)git_commit_time(c) * 1000;
	if (git_tree_entry_bypath(&e, tree, "device.txt") == 0 &&
	    git_blob_lookup(&blob, s->repo, git_tree_entry_id(e)) == 0) {
		const char *text = git_blob_rawcontent(blob);
		size_t len = (size_t)git_blob_rawsize(blob);
		line_value(text, len, "label", label, lcap);
		line_value(text, len, "team", team, tcap);
	}
cleanup:
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}
