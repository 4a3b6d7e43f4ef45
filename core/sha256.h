/* sha256.h - SHA-256 (FIPS 180-4) for state digests (core layer, internal). */
#ifndef FIELDBOOK_SHA256_H
#define FIELDBOOK_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char buf[64];
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL to hex. */
void sha256_final_hex(struct sha256 *c, char *hex);

#endif
