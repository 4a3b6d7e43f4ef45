/* version.c - which libgit2 the sync layer runs on, for --version (sync layer). */
#include <git2.h>
#include <stdio.h>

#include "fieldbook/sync.h"

const char *fb_sync_versions(void)
{
	static char buf[64];
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	snprintf(buf, sizeof buf, "libgit2 %d.%d.%d", major, minor, rev);
	return buf;
}
