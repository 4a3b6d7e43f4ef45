/* sync.h - the sync layer's public API (sync layer: libgit2 + core).
 *
 * The git data bundle and remotes arrive with the sync issue; today this layer reports
 * the libgit2 it was built with. */
#ifndef FIELDBOOK_SYNC_H
#define FIELDBOOK_SYNC_H

/* "libgit2 1.5.1" */
const char *fb_sync_versions(void);

#endif
