#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

/*
 * Every test runs once per implementation this machine can run (the
 * portable one always; the x86 SHA extensions where built and present), so
 * each is checked against the FIPS 180-4 vectors; test_random_agree then
 * checks them against each other.
 */
static int impl = SHA256_IMPL_PORTABLE;

static void init(sha256_ctx *ctx)
{
	assert_int_equal(sha256_init_impl(ctx, impl), 0);
}

/* One shot with the implementation under test. */
static void hash(const void *data, size_t size, unsigned char digest[SHA256_DIGEST_SIZE])
{
	sha256_ctx ctx;

	init(&ctx);
	sha256_update(&ctx, data, size);
	sha256_final(&ctx, digest);
}

static void assert_digest_hex(const unsigned char digest[SHA256_DIGEST_SIZE],
		const char *expected)
{
	char hex[SHA256_HEX_SIZE];

	memset(hex, 'X', sizeof(hex));
	sha256_hex(digest, hex);
	assert_string_equal(hex, expected);
}

static void assert_one_shot(const char *message, const char *expected)
{
	unsigned char digest[SHA256_DIGEST_SIZE];

	hash(message, strlen(message), digest);
	assert_digest_hex(digest, expected);
	/* And the default choice gives the same. */
	sha256(message, strlen(message), digest);
	assert_digest_hex(digest, expected);
}

static void test_abc(void **state)
{
	(void)state;
	assert_one_shot("abc",
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
	unsigned char digest[SHA256_DIGEST_SIZE];
	sha256_ctx ctx;

	(void)state;
	assert_one_shot("",
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* A NULL pointer with no bytes is an empty message too. */
	init(&ctx);
	sha256_update(&ctx, NULL, 0);
	sha256_final(&ctx, digest);
	assert_digest_hex(digest,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_448_bits(void **state)
{
	(void)state;
	assert_one_shot("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
			"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
	(void)state;
	assert_one_shot("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
			"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
	unsigned char chunk[1000], digest[SHA256_DIGEST_SIZE];
	const char *expected =
			"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	char *all;
	sha256_ctx ctx;
	int i;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	init(&ctx);
	for (i = 0; i < 1000; i++)
		sha256_update(&ctx, chunk, sizeof(chunk));
	sha256_final(&ctx, digest);
	assert_digest_hex(digest, expected);

	all = malloc(1000000);
	assert_non_null(all);
	memset(all, 'a', 1000000);
	hash(all, 1000000, digest);
	free(all);
	assert_digest_hex(digest, expected);
}

/* Messages around the padding boundaries: 55 bytes fit one block, 56 need two. */
static void test_padding_boundaries(void **state)
{
	static const struct {
		size_t size;
		const char *hex;
	} cases[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
	};
	unsigned char message[65], digest[SHA256_DIGEST_SIZE];
	size_t i;

	(void)state;
	memset(message, 'a', sizeof(message));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hash(message, cases[i].size, digest);
		assert_digest_hex(digest, cases[i].hex);
	}
}

/* Feeding a message in two pieces, split anywhere, changes nothing. */
static void test_incremental_split(void **state)
{
	unsigned char message[200], whole[SHA256_DIGEST_SIZE], split[SHA256_DIGEST_SIZE];
	size_t i, at;

	(void)state;
	for (i = 0; i < sizeof(message); i++)
		message[i] = (unsigned char)(i * 7 + 3);
	hash(message, sizeof(message), whole);
	for (at = 0; at <= sizeof(message); at++) {
		sha256_ctx ctx;

		init(&ctx);
		sha256_update(&ctx, message, at);
		sha256_update(&ctx, message + at, sizeof(message) - at);
		sha256_final(&ctx, split);
		assert_memory_equal(split, whole, SHA256_DIGEST_SIZE);
	}
}

/* Byte by byte, and in odd-sized pieces that straddle block edges. */
static void test_incremental_pieces(void **state)
{
	unsigned char message[200], whole[SHA256_DIGEST_SIZE], pieces[SHA256_DIGEST_SIZE];
	size_t i, step;

	(void)state;
	for (i = 0; i < sizeof(message); i++)
		message[i] = (unsigned char)(255 - i);
	hash(message, sizeof(message), whole);
	for (step = 1; step <= 70; step++) {
		sha256_ctx ctx;

		init(&ctx);
		for (i = 0; i < sizeof(message); i += step) {
			size_t n = sizeof(message) - i < step ? sizeof(message) - i : step;

			sha256_update(&ctx, message + i, n);
		}
		sha256_final(&ctx, pieces);
		assert_memory_equal(pieces, whole, SHA256_DIGEST_SIZE);
	}
}

static void test_hex(void **state)
{
	static const unsigned char up[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	static const unsigned char down[8] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	unsigned char digest[SHA256_DIGEST_SIZE];
	size_t i;

	(void)state;
	/* Every digit in both the high and the low nibble. */
	for (i = 0; i < sizeof(digest); i++)
		digest[i] = up[i % 8];
	assert_digest_hex(digest,
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	for (i = 0; i < sizeof(digest); i++)
		digest[i] = down[i % 8];
	assert_digest_hex(digest,
			"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
}

/* unhex takes back exactly what hex gives, and nothing else. */
static void test_unhex(void **state)
{
	static const char *const bad[] = {
		"", "0123", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
		"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
		"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	};
	unsigned char digest[SHA256_DIGEST_SIZE], back[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(digest); i++)
		digest[i] = (unsigned char)(i * 37 + 11);
	sha256_hex(digest, hex);
	assert_int_equal(sha256_unhex(hex, back), 0);
	assert_memory_equal(back, digest, sizeof(digest));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sha256_unhex(bad[i], back), -1);
}

/* A context is reusable after init, and final leaves nothing of the message. */
static void test_reuse(void **state)
{
	unsigned char digest[SHA256_DIGEST_SIZE];
	sha256_ctx ctx;
	size_t i;

	(void)state;
	init(&ctx);
	sha256_update(&ctx, "secret", 6);
	sha256_final(&ctx, digest);
	for (i = 0; i < sizeof(ctx.block); i++)
		assert_int_equal(ctx.block[i], 0);
	init(&ctx);
	sha256_update(&ctx, "abc", 3);
	sha256_final(&ctx, digest);
	assert_digest_hex(digest,
			"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Random messages fed in random pieces: every implementation agrees with the portable one. */
static void test_random_agree(void **state)
{
	static unsigned char message[4096];
	uint64_t x = 0x9e3779b97f4a7c15u;
	int round, other;

	(void)state;
	for (round = 0; round < 500; round++) {
		size_t size = (size_t)(next_random(&x) % sizeof(message)), i;
		unsigned char want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];

		for (i = 0; i < size; i++)
			message[i] = (unsigned char)next_random(&x);
		impl = SHA256_IMPL_PORTABLE;
		hash(message, size, want);
		for (other = 0; other < SHA256_IMPL_COUNT; other++) {
			sha256_ctx ctx;
			size_t at = 0;

			if (!sha256_impl_available(other))
				continue;
			impl = other;
			init(&ctx);
			while (at < size) {
				size_t n = (size_t)(next_random(&x) % 200);

				n = n < size - at ? n : size - at;
				sha256_update(&ctx, message + at, n);
				at += n;
			}
			sha256_final(&ctx, got);
			assert_memory_equal(got, want, SHA256_DIGEST_SIZE);
		}
	}
	impl = SHA256_IMPL_PORTABLE;
}

/* An implementation that cannot run here is refused and leaves the context alone. */
static void test_unavailable(void **state)
{
	sha256_ctx ctx, before;
	int i;

	(void)state;
	assert_true(sha256_impl_available(SHA256_IMPL_PORTABLE));
	assert_false(sha256_impl_available(-1));
	assert_false(sha256_impl_available(SHA256_IMPL_COUNT));
	memset(&ctx, 0x5a, sizeof(ctx));
	before = ctx;
	assert_int_equal(sha256_init_impl(&ctx, SHA256_IMPL_COUNT), -1);
	assert_memory_equal(&ctx, &before, sizeof(ctx));
	for (i = 0; i < SHA256_IMPL_COUNT; i++)
		if (!sha256_impl_available(i)) {
			assert_int_equal(sha256_init_impl(&ctx, i), -1);
			assert_memory_equal(&ctx, &before, sizeof(ctx));
		}
}

/* Each vector test once per implementation. */
static int use_portable(void **state)
{
	(void)state;
	impl = SHA256_IMPL_PORTABLE;
	return 0;
}

static int use_x86_sha(void **state)
{
	(void)state;
	impl = SHA256_IMPL_X86_SHA;
	return 0;
}

#define VECTOR_TESTS(setup) \
	cmocka_unit_test_setup(test_abc, setup), \
	cmocka_unit_test_setup(test_empty, setup), \
	cmocka_unit_test_setup(test_448_bits, setup), \
	cmocka_unit_test_setup(test_896_bits, setup), \
	cmocka_unit_test_setup(test_million_a, setup), \
	cmocka_unit_test_setup(test_padding_boundaries, setup), \
	cmocka_unit_test_setup(test_incremental_split, setup), \
	cmocka_unit_test_setup(test_incremental_pieces, setup), \
	cmocka_unit_test_setup(test_reuse, setup)

int main(void)
{
	const struct CMUnitTest portable[] = {
		VECTOR_TESTS(use_portable),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_unhex),
		cmocka_unit_test(test_random_agree),
		cmocka_unit_test(test_unavailable),
	};
	const struct CMUnitTest x86_sha[] = {
		VECTOR_TESTS(use_x86_sha),
	};
	int failed = cmocka_run_group_tests_name("portable", portable, NULL, NULL);

	if (sha256_impl_available(SHA256_IMPL_X86_SHA))
		failed += cmocka_run_group_tests_name("x86_sha", x86_sha, NULL, NULL);
	else
		print_message("x86 SHA extensions not built or not on this CPU: portable only\n");
	return failed;
}
