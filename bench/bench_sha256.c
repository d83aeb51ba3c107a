/*
 * Benchmark of SHA-256, each implementation this machine can run: nanoseconds
 * per 64-byte block over a long message, and per message of the size of a
 * typical audit event.
 *
 *   bench_sha256 [megabytes]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

#define EVENT_SIZE 620  /* an event's bytes and the previous hash it chains to */

static const char *const names[SHA256_IMPL_COUNT] = { "portable C", "x86 SHA extensions" };

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void digest_with(int impl, const unsigned char *data, size_t size,
		unsigned char digest[SHA256_DIGEST_SIZE])
{
	sha256_ctx ctx;

	if (sha256_init_impl(&ctx, impl) != 0)
		exit(1);
	sha256_update(&ctx, data, size);
	sha256_final(&ctx, digest);
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)atoi(argv[1]) : 64, size = mb << 20, i, events;
	unsigned char *data = malloc(size ? size : 1), digest[SHA256_DIGEST_SIZE];
	unsigned sink = 0;
	double t0, t1;
	int impl;

	if (!data || size == 0)
		return 1;
	for (i = 0; i < size; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	events = size / EVENT_SIZE;
	for (impl = 0; impl < SHA256_IMPL_COUNT; impl++) {
		if (!sha256_impl_available(impl)) {
			printf("%-20s not available here\n", names[impl]);
			continue;
		}
		t0 = seconds();
		digest_with(impl, data, size, digest);
		t1 = seconds();
		sink += digest[0];
		printf("%-20s %6.1f ns per block (%.0f MB/s)", names[impl],
				(t1 - t0) * 1e9 / (double)(size / 64), (double)size / (t1 - t0) / 1e6);
		t0 = seconds();
		for (i = 0; i < events; i++) {
			digest_with(impl, data + i * EVENT_SIZE, EVENT_SIZE, digest);
			sink += digest[0];
		}
		t1 = seconds();
		printf(", %6.0f ns per %d-byte event\n", (t1 - t0) * 1e9 / (double)events, EVENT_SIZE);
	}
	free(data);
	return sink == 0xffffffffu;  /* keeps the digests live */
}
