#include "sha256.h"

#include <string.h>

static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* Byte by byte, so neither alignment nor host byte order matters. */
static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* ---- portable C ---- */

static uint32_t big_sigma0(uint32_t x) { return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22); }
static uint32_t big_sigma1(uint32_t x) { return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25); }
static uint32_t small_sigma0(uint32_t x) { return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3); }
static uint32_t small_sigma1(uint32_t x) { return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10); }

/* Round i.  Eight rounds in a row name the working variables in turn
 * instead of moving all eight values every round. */
#define ROUND(a, b, c, d, e, f, g, h, i) do { \
		uint32_t t1 = (h) + big_sigma1(e) + ((g) ^ ((e) & ((f) ^ (g)))) + \
				round_constants[i] + w[i]; \
		(d) += t1; \
		(h) = t1 + big_sigma0(a) + (((a) & (b)) | ((c) & ((a) | (b)))); \
	} while (0)

static void blocks_portable(uint32_t state[8], const unsigned char *data, size_t n)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	size_t i;

	for (; n > 0; n--, data += 64) {
		for (i = 0; i < 16; i++)
			w[i] = load_be32(data + 4 * i);
		for (i = 16; i < 64; i++)
			w[i] = w[i - 16] + small_sigma0(w[i - 15]) + w[i - 7] +
					small_sigma1(w[i - 2]);
		a = state[0];
		b = state[1];
		c = state[2];
		d = state[3];
		e = state[4];
		f = state[5];
		g = state[6];
		h = state[7];
		for (i = 0; i < 64; i += 8) {
			ROUND(a, b, c, d, e, f, g, h, i);
			ROUND(h, a, b, c, d, e, f, g, i + 1);
			ROUND(g, h, a, b, c, d, e, f, i + 2);
			ROUND(f, g, h, a, b, c, d, e, i + 3);
			ROUND(e, f, g, h, a, b, c, d, i + 4);
			ROUND(d, e, f, g, h, a, b, c, i + 5);
			ROUND(c, d, e, f, g, h, a, b, i + 6);
			ROUND(b, c, d, e, f, g, h, a, i + 7);
		}
		state[0] += a;
		state[1] += b;
		state[2] += c;
		state[3] += d;
		state[4] += e;
		state[5] += f;
		state[6] += g;
		state[7] += h;
	}
}

#undef ROUND

/* ---- x86-64 SHA extensions ---- */

/*
 * Only where the compiler takes a per-function target (GCC 5+, clang), so
 * the library itself is still built for the baseline ISA and runs on any
 * x86-64; the CPU is asked before the code is used.
 */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target) && (defined(__clang__) || __GNUC__ >= 5)
#define HAVE_X86_SHA 1
#endif
#endif

#ifdef HAVE_X86_SHA
#include <cpuid.h>
#include <immintrin.h>

#define X86_SHA_TARGET __attribute__((target("sha,sse4.1")))

/* The next four message words from the four before them (FIPS 180-4 6.2.2 step 1). */
X86_SHA_TARGET
static __m128i x86_schedule(__m128i w4, __m128i w3, __m128i w2, __m128i w1)
{
	__m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4));

	return _mm_sha256msg2_epu32(t, w1);
}

/* Four rounds with message words w; state in SHA-NI's ABEF/CDGH halves. */
X86_SHA_TARGET
static void x86_rounds(__m128i *abef, __m128i *cdgh, __m128i w, size_t quad)
{
	__m128i kw = _mm_add_epi32(w,
			_mm_loadu_si128((const __m128i *)(const void *)&round_constants[4 * quad]));

	*cdgh = _mm_sha256rnds2_epu32(*cdgh, *abef, kw);
	*abef = _mm_sha256rnds2_epu32(*abef, *cdgh, _mm_shuffle_epi32(kw, 0x0e));
}

X86_SHA_TARGET
static __m128i x86_load(const unsigned char *p)
{
	const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);

	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), byteswap);
}

X86_SHA_TARGET
static void blocks_x86_sha(uint32_t state[8], const unsigned char *data, size_t n)
{
	__m128i abef, cdgh, t, abef_before, cdgh_before, w0, w1, w2, w3;

	/* state[] is A..H; the instructions want ABEF and CDGH, highest lane first. */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&state[0]), 0xb1);
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&state[4]), 0x1b);
	abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xf0);
	for (; n > 0; n--, data += 64) {
		abef_before = abef;
		cdgh_before = cdgh;
		w0 = x86_load(data);
		w1 = x86_load(data + 16);
		w2 = x86_load(data + 32);
		w3 = x86_load(data + 48);
		x86_rounds(&abef, &cdgh, w0, 0);
		x86_rounds(&abef, &cdgh, w1, 1);
		x86_rounds(&abef, &cdgh, w2, 2);
		x86_rounds(&abef, &cdgh, w3, 3);
		w0 = x86_schedule(w0, w1, w2, w3);
		x86_rounds(&abef, &cdgh, w0, 4);
		w1 = x86_schedule(w1, w2, w3, w0);
		x86_rounds(&abef, &cdgh, w1, 5);
		w2 = x86_schedule(w2, w3, w0, w1);
		x86_rounds(&abef, &cdgh, w2, 6);
		w3 = x86_schedule(w3, w0, w1, w2);
		x86_rounds(&abef, &cdgh, w3, 7);
		w0 = x86_schedule(w0, w1, w2, w3);
		x86_rounds(&abef, &cdgh, w0, 8);
		w1 = x86_schedule(w1, w2, w3, w0);
		x86_rounds(&abef, &cdgh, w1, 9);
		w2 = x86_schedule(w2, w3, w0, w1);
		x86_rounds(&abef, &cdgh, w2, 10);
		w3 = x86_schedule(w3, w0, w1, w2);
		x86_rounds(&abef, &cdgh, w3, 11);
		w0 = x86_schedule(w0, w1, w2, w3);
		x86_rounds(&abef, &cdgh, w0, 12);
		w1 = x86_schedule(w1, w2, w3, w0);
		x86_rounds(&abef, &cdgh, w1, 13);
		w2 = x86_schedule(w2, w3, w0, w1);
		x86_rounds(&abef, &cdgh, w2, 14);
		w3 = x86_schedule(w3, w0, w1, w2);
		x86_rounds(&abef, &cdgh, w3, 15);
		abef = _mm_add_epi32(abef, abef_before);
		cdgh = _mm_add_epi32(cdgh, cdgh_before);
	}
	t = _mm_shuffle_epi32(abef, 0x1b);
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)(void *)&state[0], _mm_blend_epi16(t, cdgh, 0xf0));
	_mm_storeu_si128((__m128i *)(void *)&state[4], _mm_alignr_epi8(cdgh, t, 8));
}

static int x86_sha_present(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0;  /* SHA */
}
#endif

/* ---- choosing ---- */

#if defined(HAVE_X86_SHA) && !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>

/* 0: not asked yet, else 1 + the answer.  Every thread that races here
 * computes and stores the same value: relaxed order is enough. */
static atomic_int x86_sha_cached;

static int x86_sha_usable(void)
{
	int known = atomic_load_explicit(&x86_sha_cached, memory_order_relaxed);

	if (known == 0) {
		known = 1 + x86_sha_present();
		atomic_store_explicit(&x86_sha_cached, known, memory_order_relaxed);
	}
	return known - 1;
}
#elif defined(HAVE_X86_SHA)
static int x86_sha_usable(void)
{
	return x86_sha_present();  /* no atomics: ask every time */
}
#endif

int sha256_impl_available(int impl)
{
	switch (impl) {
	case SHA256_IMPL_PORTABLE:
		return 1;
#ifdef HAVE_X86_SHA
	case SHA256_IMPL_X86_SHA:
		return x86_sha_usable();
#endif
	default:
		return 0;
	}
}

int sha256_init_impl(sha256_ctx *ctx, int impl)
{
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	if (!sha256_impl_available(impl))
		return -1;
	memcpy(ctx->state, initial, sizeof(initial));
	ctx->bytes = 0;
	ctx->fill = 0;
	ctx->blocks = blocks_portable;
#ifdef HAVE_X86_SHA
	if (impl == SHA256_IMPL_X86_SHA)
		ctx->blocks = blocks_x86_sha;
#endif
	return 0;
}

void sha256_init(sha256_ctx *ctx)
{
	if (sha256_init_impl(ctx, SHA256_IMPL_X86_SHA) != 0)
		(void)sha256_init_impl(ctx, SHA256_IMPL_PORTABLE);
}

void sha256_update(sha256_ctx *ctx, const void *data, size_t size)
{
	const unsigned char *p = data;

	if (size == 0)
		return;   /* data may be NULL then */
	ctx->bytes += size;
	if (ctx->fill > 0) {
		size_t take = 64 - ctx->fill < size ? 64 - ctx->fill : size;

		memcpy(ctx->block + ctx->fill, p, take);
		ctx->fill += take;
		p += take;
		size -= take;
		if (ctx->fill < 64)
			return;
		ctx->blocks(ctx->state, ctx->block, 1);
		ctx->fill = 0;
	}
	if (size >= 64) {
		ctx->blocks(ctx->state, p, size / 64);
		p += size / 64 * 64;
		size %= 64;
	}
	if (size > 0) {
		memcpy(ctx->block, p, size);
		ctx->fill = size;
	}
}

void sha256_final(sha256_ctx *ctx, unsigned char digest[SHA256_DIGEST_SIZE])
{
	uint64_t bits = ctx->bytes * 8;
	size_t i;

	ctx->block[ctx->fill++] = 0x80;
	if (ctx->fill > 56) {
		memset(ctx->block + ctx->fill, 0, 64 - ctx->fill);
		ctx->blocks(ctx->state, ctx->block, 1);
		ctx->fill = 0;
	}
	memset(ctx->block + ctx->fill, 0, 56 - ctx->fill);
	store_be32(ctx->block + 56, (uint32_t)(bits >> 32));
	store_be32(ctx->block + 60, (uint32_t)bits);
	ctx->blocks(ctx->state, ctx->block, 1);
	for (i = 0; i < 8; i++)
		store_be32(digest + 4 * i, ctx->state[i]);
	/* Leave no message bytes behind in the caller's memory. */
	memset(ctx, 0, sizeof(*ctx));
}

void sha256(const void *data, size_t size, unsigned char digest[SHA256_DIGEST_SIZE])
{
	sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, size);
	sha256_final(&ctx, digest);
}

void sha256_hex(const unsigned char digest[SHA256_DIGEST_SIZE], char hex[SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0x0f];
	}
	hex[SHA256_HEX_SIZE - 1] = '\0';
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int sha256_unhex(const char *hex, unsigned char digest[SHA256_DIGEST_SIZE])
{
	size_t i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		/* a NUL is no digit: a short text stops here, never read past */
		int hi = hex_value(hex[2 * i]), lo = hi < 0 ? -1 : hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		digest[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * SHA256_DIGEST_SIZE] == '\0' ? 0 : -1;
}
