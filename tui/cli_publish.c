/* cli_publish.c - `fieldbook sync --publish` after the remotes are synced, and `fieldbook
 * check --snapshot-tree` (tui layer: calls the sync API of include/fieldbook/sync.h,
 * never libgit2).  A coordinator's publish commits the snapshot of the current data on
 * refs/heads/main and pushes it, fast-forward only, to every remote that synced. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fieldbook/i18n.h"
#include "fieldbook/sync.h"

#define PUBLISH_ROUNDS 3

int cli_publish(struct fb_sync *sync, size_t n, char *const *names, char *const *urls, const int *ok)
{
	struct fb_error err = {0};
	char tree[48];
	size_t i, nok = 0;
	int round, committed = 0, c, behind = 1, failed = 0;

	for (i = 0; i < n; i++)
		nok += ok[i] != 0;
	if (!nok) {
		fprintf(stderr, _("fieldbook: main was not published: no remote could be synced\n"));
		return CLI_FAIL;
	}
	/* Each round: commit (merging a main another coordinator pushed meanwhile), then push
	 * main to every remote; a remote whose main moved under us gets another round. */
	for (round = 0; round < PUBLISH_ROUNDS && behind; round++) {
		if (fb_sync_publish(sync, tree, &c, &err) < 0)
			return cli_fail(&err);
		committed |= c;
		behind = 0;
		for (i = 0; i < n; i++) {
			struct fb_sync_stats one = {0};
			int r;
			if (!ok[i])
				continue;
			if (fb_sync_remote(sync, names[i], urls[i], &one, &err) < 0) {
				fprintf(stderr, _("fieldbook: publishing main on %s failed: %s\n"), names[i], err.message);
				failed = 1;
				continue;
			}
			if ((r = fb_sync_main_pushed(sync, names[i], &err)) < 0)
				return cli_fail(&err);
			if (!r)
				behind = 1;
		}
	}
	if (behind) {
		fprintf(stderr, _("fieldbook: main kept moving on the remote while publishing (another "
				  "coordinator?); run `fieldbook sync --publish` again\n"));
		failed = 1;
	}
	printf(_("published main: tree %s%s\n"), tree, committed ? "" : _(" (unchanged)"));
	return failed ? CLI_FAIL : CLI_OK;
}

int cli_snapshot_tree(struct fb_store *s)
{
	struct fb_sync *sync = NULL;
	struct fb_error err = {0};
	char tree[48];
	int64_t unsealed = 0;
	int rc;

	if (fb_sync_open(&sync, s, &err) < 0)
		return cli_fail(&err);
	rc = fb_sync_snapshot_tree(sync, tree, &err);
	fb_sync_free(sync);
	if (rc < 0)
		return cli_fail(&err);
	if (fb_store_unsealed_count(s, &unsealed, NULL) == 0 && unsealed > 0)
		fprintf(stderr, _("fieldbook: %lld change%s not synced yet: the snapshot published after the next "
				  "sync will differ\n"),
			(long long)unsealed, unsealed == 1 ? " is" : "s are");
	printf("%s\n", tree);
	return CLI_OK;
}
