/*
 * Internal: SHA-256 (FIPS 180-4), for the tamper-evident audit chain.
 */
#ifndef REFUND_SRC_SHA256_H
#define REFUND_SRC_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The static library must not clash with a host's own sha256 symbols. */
#define sha256_init refund__sha256_init
#define sha256_update refund__sha256_update
#define sha256_final refund__sha256_final
#define sha256 refund__sha256
#define sha256_hex refund__sha256_hex


#define SHA256_DIGEST_SIZE ((size_t)32)
#define SHA256_HEX_SIZE ((size_t)65) /* 64 hex digits and a NUL */

typedef struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes;          /* total bytes fed */
	unsigned char block[64];
	size_t fill;             /* bytes in block */
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t size);
void sha256_final(sha256_ctx *ctx, unsigned char digest[SHA256_DIGEST_SIZE]);
/* One shot. */
void sha256(const void *data, size_t size, unsigned char digest[SHA256_DIGEST_SIZE]);
/* Lower-case hex, NUL-terminated. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char hex[SHA256_HEX_SIZE]);

#endif
