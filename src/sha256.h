/*
 * Internal: SHA-256 (FIPS 180-4), for the tamper-evident audit chain.
 *
 * Two implementations of the compression function give the same digests:
 * portable C, and the x86 SHA extensions where the compiler can emit them
 * and the CPU has them (asked once with CPUID; the answer is cached in an
 * atomic, so any thread may hash at any time).  sha256_init picks the
 * fastest; tests pick each in turn with sha256_init_impl.
 */
#ifndef REFUND_SRC_SHA256_H
#define REFUND_SRC_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The static library must not clash with a host's own sha256 symbols. */
#define sha256_init refund__sha256_init
#define sha256_init_impl refund__sha256_init_impl
#define sha256_impl_available refund__sha256_impl_available
#define sha256_update refund__sha256_update
#define sha256_final refund__sha256_final
#define sha256 refund__sha256
#define sha256_hex refund__sha256_hex
#define sha256_unhex refund__sha256_unhex


#define SHA256_DIGEST_SIZE ((size_t)32)
#define SHA256_HEX_SIZE ((size_t)65) /* 64 hex digits and a NUL */

/* The implementations of the compression function. */
enum {
	SHA256_IMPL_PORTABLE,  /* C, everywhere */
	SHA256_IMPL_X86_SHA,   /* x86-64 SHA extensions (SHA-NI) */
	SHA256_IMPL_COUNT
};

/* Compresses n whole 64-byte blocks into state. */
typedef void (*sha256_blocks_fn)(uint32_t state[8], const unsigned char *data, size_t n);

typedef struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes;          /* total bytes fed */
	unsigned char block[64];
	size_t fill;             /* bytes in block */
	sha256_blocks_fn blocks;
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
/* Whether implementation impl can run on this machine (built in, CPU has it). */
int sha256_impl_available(int impl);
/* Init with implementation impl: 0, or -1 (ctx untouched) if it cannot run here. */
int sha256_init_impl(sha256_ctx *ctx, int impl);
void sha256_update(sha256_ctx *ctx, const void *data, size_t size);
void sha256_final(sha256_ctx *ctx, unsigned char digest[SHA256_DIGEST_SIZE]);
/* One shot. */
void sha256(const void *data, size_t size, unsigned char digest[SHA256_DIGEST_SIZE]);
/* Lower-case hex, NUL-terminated. */
void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char hex[SHA256_HEX_SIZE]);
/* The inverse: 0, or -1 unless hex is exactly 64 lower-case hex digits. */
int sha256_unhex(const char *hex, unsigned char digest[SHA256_DIGEST_SIZE]);

#endif
