#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <refund.h>

#include "fixture.h"

/* The reference computations use the compiler's 128-bit integers. */
__extension__ typedef __int128 i128;

#define SENTINEL INT64_C(0x5eed5eed)

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

/* xorshift64*: deterministic so that a failure reproduces. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t rng_below(uint64_t bound)
{
	return bound ? rng_next() % bound : 0;
}

/* A random int64 of random magnitude, so small and huge values both occur. */
static int64_t rng_int64(void)
{
	int bits = (int)rng_below(64);
	uint64_t v = rng_next() >> (63 - bits);
	int64_t magnitude = (int64_t)(v >> 1);

	return (rng_next() & 1) ? -magnitude : magnitude;
}

/* ---- engine messages ---- */

static char errmsg_mark[512];

/* Leaves a known message on the engine, so a test can see that a failure replaced it. */
static void mark_errmsg(refund_engine *engine)
{
	assert_int_equal(refund_engine_set_lang(engine, (refund_lang)99), REFUND_EINVAL);
	snprintf(errmsg_mark, sizeof(errmsg_mark), "%s", refund_engine_errmsg(engine));
	assert_true(errmsg_mark[0] != '\0');
}

static void assert_errmsg_written(refund_engine *engine)
{
	const char *msg = refund_engine_errmsg(engine);

	assert_non_null(msg);
	assert_true(msg[0] != '\0');
	assert_string_not_equal(msg, errmsg_mark);
}

/* ---- add, sub, mul ---- */

static void test_add(void **state)
{
	int64_t out = SENTINEL;

	(void)state;
	assert_int_equal(refund_money_add(2, 3, &out), 0);
	assert_int_equal(out, 5);
	assert_int_equal(refund_money_add(INT64_MAX, 0, &out), 0);
	assert_int_equal(out, INT64_MAX);
	assert_int_equal(refund_money_add(INT64_MAX, INT64_MIN, &out), 0);
	assert_int_equal(out, -1);
	assert_int_equal(refund_money_add(INT64_MIN, 0, &out), 0);
	assert_int_equal(out, INT64_MIN);
	assert_int_equal(refund_money_add(INT64_MAX - 1, 1, &out), 0);
	assert_int_equal(out, INT64_MAX);

	out = SENTINEL;
	assert_int_equal(refund_money_add(INT64_MAX, 1, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_add(INT64_MIN, -1, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_add(INT64_MAX, INT64_MAX, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_add(INT64_MIN, INT64_MIN, &out), REFUND_EOVERFLOW);
	assert_int_equal(out, SENTINEL);
	assert_int_equal(refund_money_add(1, 2, NULL), REFUND_EINVAL);
}

static void test_sub(void **state)
{
	int64_t out = SENTINEL;

	(void)state;
	assert_int_equal(refund_money_sub(5, 7, &out), 0);
	assert_int_equal(out, -2);
	assert_int_equal(refund_money_sub(INT64_MIN, INT64_MIN, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(refund_money_sub(-1, INT64_MAX, &out), 0);
	assert_int_equal(out, INT64_MIN);
	assert_int_equal(refund_money_sub(INT64_MIN + 1, 1, &out), 0);
	assert_int_equal(out, INT64_MIN);

	out = SENTINEL;
	assert_int_equal(refund_money_sub(0, INT64_MIN, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_sub(-2, INT64_MAX, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_sub(INT64_MIN, 1, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_sub(INT64_MAX, -1, &out), REFUND_EOVERFLOW);
	assert_int_equal(out, SENTINEL);
	assert_int_equal(refund_money_sub(1, 2, NULL), REFUND_EINVAL);
}

static void test_mul(void **state)
{
	int64_t out = SENTINEL;

	(void)state;
	assert_int_equal(refund_money_mul(-3, 7, &out), 0);
	assert_int_equal(out, -21);
	assert_int_equal(refund_money_mul(INT64_MAX, -1, &out), 0);
	assert_int_equal(out, -INT64_MAX);
	assert_int_equal(refund_money_mul(INT64_MIN, 1, &out), 0);
	assert_int_equal(out, INT64_MIN);
	assert_int_equal(refund_money_mul(INT64_MIN / 2, 2, &out), 0);
	assert_int_equal(out, INT64_MIN);
	assert_int_equal(refund_money_mul(INT64_MAX, 0, &out), 0);
	assert_int_equal(out, 0);

	out = SENTINEL;
	assert_int_equal(refund_money_mul(INT64_MIN, -1, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_mul(-1, INT64_MIN, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_mul(INT64_MAX, 2, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_mul(INT64_MAX / 2 + 1, 2, &out), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_mul(INT64_C(3037000500), INT64_C(3037000500), &out),
			REFUND_EOVERFLOW);
	assert_int_equal(out, SENTINEL);
	assert_int_equal(refund_money_mul(1, 2, NULL), REFUND_EINVAL);
}

/* ---- percent ---- */

/* amount * bp / 10000, half to even, in 128 bits; 0 if it does not fit int64. */
static int reference_percent(int64_t amount, int64_t bp, int64_t *out)
{
	i128 product = (i128)amount * bp;
	i128 q = product / 10000, r = product % 10000;
	i128 twice = r < 0 ? -2 * r : 2 * r;

	if (twice > 10000 || (twice == 10000 && q % 2 != 0))
		q += product < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return 0;
	*out = (int64_t)q;
	return 1;
}

static void expect_percent(int64_t amount, int64_t bp, int64_t expected)
{
	int64_t out = SENTINEL;

	assert_int_equal(refund_money_percent(amount, bp, &out), 0);
	assert_int_equal(out, expected);
}

static void expect_percent_overflow(int64_t amount, int64_t bp)
{
	int64_t out = SENTINEL;

	assert_int_equal(refund_money_percent(amount, bp, &out), REFUND_EOVERFLOW);
	assert_int_equal(out, SENTINEL);
}

static void test_percent_half_even(void **state)
{
	(void)state;
	expect_percent(5, 1000, 0);     /* 0.5 */
	expect_percent(15, 1000, 2);    /* 1.5 */
	expect_percent(25, 1000, 2);    /* 2.5 */
	expect_percent(35, 1000, 4);    /* 3.5 */
	expect_percent(-5, 1000, 0);
	expect_percent(-15, 1000, -2);
	expect_percent(-25, 1000, -2);
	expect_percent(-35, 1000, -4);
	expect_percent(6, 1000, 1);     /* 0.6 */
	expect_percent(14, 1000, 1);    /* 1.4 */
	expect_percent(-6, 1000, -1);
	expect_percent(-14, 1000, -1);
	expect_percent(1, 5000, 0);     /* 0.5 */
	expect_percent(3, 5000, 2);     /* 1.5 */
	expect_percent(1, 4999, 0);
	expect_percent(1, 5001, 1);
	expect_percent(-1, 5001, -1);
	expect_percent(50000, 333, 1665);
	expect_percent(12345, 150, 185); /* 185.175 */
}

static void test_percent_bounds(void **state)
{
	(void)state;
	expect_percent(12345, 0, 0);
	expect_percent(INT64_MAX, 0, 0);
	expect_percent(INT64_MIN, 0, 0);
	expect_percent(12345, REFUND_BP_WHOLE, 12345);
	expect_percent(-12345, REFUND_BP_WHOLE, -12345);
	expect_percent(INT64_MAX, REFUND_BP_WHOLE, INT64_MAX);
	expect_percent(INT64_MIN, REFUND_BP_WHOLE, INT64_MIN);
	expect_percent(INT64_MAX, 5000, INT64_C(4611686018427387904));  /* ...903.5 */
	expect_percent(INT64_MIN, 5000, INT64_C(-4611686018427387904));
	expect_percent(INT64_MAX / 100, 1000000, INT64_MAX / 100 * 100);
	expect_percent(1, 1000000, 100);
	expect_percent(INT64_C(4611686018427387903), 20000, INT64_MAX - 1);

	expect_percent_overflow(INT64_MAX, 1000000);
	expect_percent_overflow(INT64_MIN, 1000000);
	expect_percent_overflow(INT64_MAX, REFUND_BP_WHOLE + 1);
	expect_percent_overflow(INT64_MIN, REFUND_BP_WHOLE + 1);
	expect_percent_overflow(INT64_C(4611686018427387904), 20000);
	/* 6148914691236517205 * 1.5 = INT64_MAX + 0.5, which rounds to even 2^63. */
	expect_percent_overflow(INT64_C(6148914691236517205), 15000);
	expect_percent(INT64_C(6148914691236517204), 15000, INT64_MAX - 1);
	/* ...and symmetrically to -2^63, which fits. */
	expect_percent(INT64_C(-6148914691236517205), 15000, INT64_MIN);
}

static void test_percent_invalid(void **state)
{
	int64_t out = SENTINEL;

	(void)state;
	assert_int_equal(refund_money_percent(100, -1, &out), REFUND_EINVAL);
	assert_int_equal(refund_money_percent(100, 1000001, &out), REFUND_EINVAL);
	assert_int_equal(refund_money_percent(100, INT64_MIN, &out), REFUND_EINVAL);
	assert_int_equal(refund_money_percent(100, INT64_MAX, &out), REFUND_EINVAL);
	assert_int_equal(out, SENTINEL);
	assert_int_equal(refund_money_percent(100, 100, NULL), REFUND_EINVAL);
}

static void check_percent_against_reference(int64_t amount, int64_t bp)
{
	int64_t expected = SENTINEL, out = SENTINEL;

	if (reference_percent(amount, bp, &expected)) {
		assert_int_equal(refund_money_percent(amount, bp, &out), 0);
		assert_int_equal(out, expected);
	} else {
		assert_int_equal(refund_money_percent(amount, bp, &out), REFUND_EOVERFLOW);
		assert_int_equal(out, SENTINEL);
	}
}

static void test_percent_reference(void **state)
{
	static const int64_t bps[] = { 0, 1, 5, 50, 333, 1000, 2500, 4999, 5000, 5001,
		9999, 10000, 10001, 15000, 20000, 123457, 999999, 1000000 };
	int64_t amount;
	size_t i;
	int k;

	(void)state;
	for (amount = -20001; amount <= 20001; amount++)
		for (i = 0; i < sizeof(bps) / sizeof(bps[0]); i++)
			check_percent_against_reference(amount, bps[i]);
	rng_seed(42);
	for (k = 0; k < 200000; k++) {
		int64_t a = k % 4 == 0 ? (int64_t)rng_next() : rng_int64();
		int64_t bp = k % 3 == 0 ? bps[rng_below(sizeof(bps) / sizeof(bps[0]))]
			: (int64_t)rng_below(1000001);

		check_percent_against_reference(a, bp);
	}
}

/* ---- allocate ---- */

static int64_t sum_parts(const int64_t *parts, size_t n)
{
	i128 sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += parts[i];
	assert_true(sum <= INT64_MAX);
	return (int64_t)sum;
}

static void test_allocate_equal_exhaustive(void **state)
{
	int64_t parts[12], weighted[12], weights[12];
	int64_t total;
	size_t n, i;

	(void)state;
	for (i = 0; i < 12; i++)
		weights[i] = 7;
	for (total = 0; total <= 300; total++) {
		for (n = 1; n <= 12; n++) {
			int64_t floor = total / (int64_t)n;

			assert_int_equal(refund_money_allocate(total, NULL, n, parts), 0);
			assert_int_equal(sum_parts(parts, n), total);
			for (i = 0; i < n; i++) {
				assert_true(parts[i] == floor || parts[i] == floor + 1);
				if (i > 0)
					assert_true(parts[i - 1] >= parts[i]);
				assert_int_equal(parts[i],
						floor + ((int64_t)i < total % (int64_t)n));
			}
			assert_int_equal(refund_money_allocate(total, weights, n, weighted), 0);
			assert_memory_equal(parts, weighted, n * sizeof(parts[0]));
		}
	}
	assert_int_equal(refund_money_allocate(100, NULL, 3, parts), 0);
	assert_int_equal(parts[0], 34);
	assert_int_equal(parts[1], 33);
	assert_int_equal(parts[2], 33);
}

/* Largest remainder in 128 bits, ties to the lower index: the header's method, literally. */
static void reference_allocate(int64_t total, const int64_t *weights, size_t n,
		int64_t *parts)
{
	i128 sum = 0, floors[64], rems[64], left = total;
	size_t i, j;

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		sum += weights[i];
	for (i = 0; i < n; i++) {
		floors[i] = (i128)total * weights[i] / sum;
		rems[i] = (i128)total * weights[i] % sum;
		left -= floors[i];
	}
	assert_true(left >= 0 && left < (i128)n);
	for (i = 0; i < n; i++) {
		i128 ahead = 0;

		for (j = 0; j < n; j++)
			if (rems[j] > rems[i] || (rems[j] == rems[i] && j < i))
				ahead++;
		parts[i] = (int64_t)(floors[i] + (ahead < left));
	}
}

/* Properties any correct result has, checked apart from the reference. */
static void check_allocation_properties(int64_t total, const int64_t *weights, size_t n,
		const int64_t *parts)
{
	i128 sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += weights[i];
	assert_int_equal(sum_parts(parts, n), total);
	for (i = 0; i < n; i++) {
		i128 floor = (i128)total * weights[i] / sum;

		assert_true(parts[i] == floor || parts[i] == floor + 1);
		if (weights[i] == 0)
			assert_int_equal(parts[i], 0);
	}
}

static int64_t random_weight(int kind, size_t n)
{
	switch (kind) {
	case 0:
		return (int64_t)rng_below(11);
	case 1:
		return (int64_t)rng_below(1000001);
	case 2:
		return rng_below(4) == 0 ? 0 : 1 + (int64_t)rng_below(3);
	default:
		return (int64_t)rng_below((uint64_t)(INT64_MAX / (int64_t)n) + 1);
	}
}

static int64_t random_total(int kind)
{
	switch (kind) {
	case 0:
		return (int64_t)rng_below(1001);
	case 1:
		return (int64_t)rng_below(UINT64_C(1000000000001));
	case 2:
		return INT64_MAX - (int64_t)rng_below(3);
	default:
		return (int64_t)(rng_next() >> 1);
	}
}

static void test_allocate_weighted_reference(void **state)
{
	int64_t weights[64], parts[64], expected[64];
	int k;

	(void)state;
	rng_seed(20240601);
	for (k = 0; k < 5000; k++) {
		size_t n = 1 + (size_t)rng_below(k % 10 == 0 ? 64 : 12);
		int weight_kind = (int)rng_below(4);
		int64_t total = random_total((int)rng_below(4));
		int64_t weight_sum = 0;
		size_t i;

		for (i = 0; i < n; i++) {
			weights[i] = random_weight(weight_kind, n);
			weight_sum += weights[i];
		}
		if (weight_sum == 0)
			weights[rng_below(n)] = 1;
		reference_allocate(total, weights, n, expected);
		assert_int_equal(refund_money_allocate(total, weights, n, parts), 0);
		check_allocation_properties(total, weights, n, parts);
		assert_memory_equal(parts, expected, n * sizeof(parts[0]));
	}
}

static void test_allocate_ties_and_zeros(void **state)
{
	static const int64_t tied[] = { 1, 2, 1, 2 };          /* W = 6 */
	static const int64_t zeros[] = { 0, 3, 0, 3, 0 };
	static const int64_t uneven[] = { 1, 1, 2 };
	int64_t parts[5];

	(void)state;
	/* 1 * w / 6: remainders 1, 2, 1, 2; the one unit goes to index 1. */
	assert_int_equal(refund_money_allocate(1, tied, 4, parts), 0);
	assert_int_equal(parts[0], 0);
	assert_int_equal(parts[1], 1);
	assert_int_equal(parts[2], 0);
	assert_int_equal(parts[3], 0);
	/*
	 * 5: shares 5/6, 10/6, 5/6, 10/6 -> floors 0, 1, 0, 1 and remainders
	 * 5, 4, 5, 4; the 3 units left go to indexes 0 and 2, then 1 before 3.
	 */
	assert_int_equal(refund_money_allocate(5, tied, 4, parts), 0);
	assert_int_equal(parts[0], 1);
	assert_int_equal(parts[1], 2);
	assert_int_equal(parts[2], 1);
	assert_int_equal(parts[3], 1);
	assert_int_equal(refund_money_allocate(7, zeros, 5, parts), 0);
	assert_int_equal(parts[0], 0);
	assert_int_equal(parts[1], 4);
	assert_int_equal(parts[2], 0);
	assert_int_equal(parts[3], 3);
	assert_int_equal(parts[4], 0);
	assert_int_equal(refund_money_allocate(0, zeros, 5, parts), 0);
	assert_int_equal(sum_parts(parts, 5), 0);
	assert_int_equal(refund_money_allocate(3, uneven, 3, parts), 0);
	assert_int_equal(parts[0], 1);
	assert_int_equal(parts[1], 1);
	assert_int_equal(parts[2], 1);
	assert_int_equal(refund_money_allocate(1, uneven, 3, parts), 0);
	assert_int_equal(parts[0], 0);
	assert_int_equal(parts[1], 0);
	assert_int_equal(parts[2], 1);
}

static void test_allocate_int64_max(void **state)
{
	const int64_t max_weights[] = { INT64_MAX - 1, 1 };
	const int64_t huge_weights[] = { INT64_MAX / 3, INT64_MAX / 3, INT64_MAX / 3 + 1 };
	const int64_t single[] = { INT64_MAX };
	int64_t parts[3], expected[3];

	(void)state;
	assert_int_equal(refund_money_allocate(INT64_MAX, NULL, 1, parts), 0);
	assert_int_equal(parts[0], INT64_MAX);
	assert_int_equal(refund_money_allocate(INT64_MAX, NULL, 3, parts), 0);
	assert_int_equal(parts[0], INT64_C(3074457345618258603));
	assert_int_equal(parts[1], INT64_C(3074457345618258602));
	assert_int_equal(parts[2], INT64_C(3074457345618258602));
	assert_int_equal(refund_money_allocate(INT64_MAX, max_weights, 2, parts), 0);
	assert_int_equal(parts[0], INT64_MAX - 1);
	assert_int_equal(parts[1], 1);
	assert_int_equal(refund_money_allocate(INT64_MAX - 1, max_weights, 2, parts), 0);
	reference_allocate(INT64_MAX - 1, max_weights, 2, expected);
	assert_memory_equal(parts, expected, sizeof(parts[0]) * 2);
	assert_int_equal(refund_money_allocate(INT64_MAX, huge_weights, 3, parts), 0);
	reference_allocate(INT64_MAX, huge_weights, 3, expected);
	assert_memory_equal(parts, expected, sizeof(parts));
	check_allocation_properties(INT64_MAX, huge_weights, 3, parts);
	assert_int_equal(refund_money_allocate(12345, single, 1, parts), 0);
	assert_int_equal(parts[0], 12345);
}

typedef struct ranked {
	i128 rem;
	size_t index;
} ranked;

static int compare_ranked(const void *a, const void *b)
{
	const ranked *x = a, *y = b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

static void check_large_n(int64_t total, const int64_t *weights, size_t n)
{
	int64_t *parts = malloc(n * sizeof(*parts));
	ranked *order = malloc(n * sizeof(*order));
	i128 sum = 0, left = total;
	size_t i;

	assert_non_null(parts);
	assert_non_null(order);
	for (i = 0; i < n; i++)
		sum += weights ? weights[i] : 1;
	assert_int_equal(refund_money_allocate(total, weights, n, parts), 0);
	for (i = 0; i < n; i++) {
		i128 share = (i128)total * (weights ? weights[i] : 1);

		order[i].rem = share % sum;
		order[i].index = i;
		left -= share / sum;
	}
	qsort(order, n, sizeof(*order), compare_ranked);
	for (i = 0; i < n; i++) {
		size_t at = order[i].index;
		i128 floor = (i128)total * (weights ? weights[at] : 1) / sum;

		assert_true(parts[at] == floor + ((i128)i < left));
	}
	free(order);
	free(parts);
}

static void test_allocate_large_n(void **state)
{
	int64_t *weights = malloc(10000 * sizeof(*weights));
	size_t i;

	(void)state;
	assert_non_null(weights);
	rng_seed(7);
	for (i = 0; i < 10000; i++)
		weights[i] = 1 + (int64_t)rng_below(UINT64_C(1000000000000));
	check_large_n(INT64_MAX, weights, 10000);
	check_large_n(9999, weights, 10000);
	check_large_n(INT64_C(123456789012345), weights, 10000);
	for (i = 0; i < 10000; i++)
		weights[i] = (int64_t)rng_below(3);
	check_large_n(INT64_C(1000000007), weights, 10000);
	check_large_n(INT64_MAX, NULL, 10000);
	check_large_n(9999, NULL, 10000);
	free(weights);
}

static void test_allocate_invalid(void **state)
{
	static const int64_t ok[] = { 1, 2, 3 };
	static const int64_t negative[] = { 1, -1, 3 };
	static const int64_t zero[] = { 0, 0, 0 };
	static const int64_t overflowing[] = { INT64_MAX, 1, 0 };
	static const int64_t overflowing_late[] = { INT64_MAX / 2, INT64_MAX / 2, 2 };
	static const int64_t negative_after_overflow[] = { INT64_MAX, 1, -1 };
	int64_t parts[3] = { SENTINEL, SENTINEL, SENTINEL };
	int64_t *big;
	size_t i;

	(void)state;
	assert_int_equal(refund_money_allocate(10, ok, 3, NULL), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, NULL, 3, NULL), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, ok, 0, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, NULL, 0, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(-1, ok, 3, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(INT64_MIN, NULL, 3, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, negative, 3, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, zero, 3, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(0, zero, 3, parts), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, negative_after_overflow, 3, parts),
			REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, overflowing, 3, parts), REFUND_EOVERFLOW);
	assert_int_equal(refund_money_allocate(10, overflowing_late, 3, parts),
			REFUND_EOVERFLOW);
	for (i = 0; i < 3; i++)
		assert_int_equal(parts[i], SENTINEL);

	big = malloc(10001 * sizeof(*big));
	assert_non_null(big);
	for (i = 0; i < 10001; i++)
		big[i] = SENTINEL;
	assert_int_equal(refund_money_allocate(10, NULL, 10001, big), REFUND_EINVAL);
	assert_int_equal(refund_money_allocate(10, NULL, SIZE_MAX, big), REFUND_EINVAL);
	for (i = 0; i < 10001; i++)
		assert_int_equal(big[i], SENTINEL);
	assert_int_equal(refund_money_allocate(10, NULL, 10000, big), 0);
	assert_int_equal(big[9], 1);
	assert_int_equal(big[10], 0);
	free(big);
}

/* ---- currencies ---- */

static const struct {
	const char *code;
	int exponent;
} iso_table[] = {
	{ "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "ANG", 2 },
	{ "AOA", 2 }, { "ARS", 2 }, { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 },
	{ "BAM", 2 }, { "BBD", 2 }, { "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 },
	{ "BIF", 0 }, { "BMD", 2 }, { "BND", 2 }, { "BOB", 2 }, { "BOV", 2 },
	{ "BRL", 2 }, { "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 }, { "BYN", 2 },
	{ "BZD", 2 }, { "CAD", 2 }, { "CDF", 2 }, { "CHE", 2 }, { "CHF", 2 },
	{ "CHW", 2 }, { "CLF", 4 }, { "CLP", 0 }, { "CNY", 2 }, { "COP", 2 },
	{ "COU", 2 }, { "CRC", 2 }, { "CUC", 2 }, { "CUP", 2 }, { "CVE", 2 },
	{ "CZK", 2 }, { "DJF", 0 }, { "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 },
	{ "EGP", 2 }, { "ERN", 2 }, { "ETB", 2 }, { "EUR", 2 }, { "FJD", 2 },
	{ "FKP", 2 }, { "GBP", 2 }, { "GEL", 2 }, { "GHS", 2 }, { "GIP", 2 },
	{ "GMD", 2 }, { "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 },
	{ "HNL", 2 }, { "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 },
	{ "INR", 2 }, { "IQD", 3 }, { "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 },
	{ "JOD", 3 }, { "JPY", 0 }, { "KES", 2 }, { "KGS", 2 }, { "KHR", 2 },
	{ "KMF", 0 }, { "KPW", 2 }, { "KRW", 0 }, { "KWD", 3 }, { "KYD", 2 },
	{ "KZT", 2 }, { "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 }, { "LRD", 2 },
	{ "LSL", 2 }, { "LYD", 3 }, { "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 },
	{ "MKD", 2 }, { "MMK", 2 }, { "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 },
	{ "MUR", 2 }, { "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MXV", 2 },
	{ "MYR", 2 }, { "MZN", 2 }, { "NAD", 2 }, { "NGN", 2 }, { "NIO", 2 },
	{ "NOK", 2 }, { "NPR", 2 }, { "NZD", 2 }, { "OMR", 3 }, { "PAB", 2 },
	{ "PEN", 2 }, { "PGK", 2 }, { "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 },
	{ "PYG", 0 }, { "QAR", 2 }, { "RON", 2 }, { "RSD", 2 }, { "RUB", 2 },
	{ "RWF", 0 }, { "SAR", 2 }, { "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 },
	{ "SEK", 2 }, { "SGD", 2 }, { "SHP", 2 }, { "SLE", 2 }, { "SLL", 2 },
	{ "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 }, { "STN", 2 }, { "SVC", 2 },
	{ "SYP", 2 }, { "SZL", 2 }, { "THB", 2 }, { "TJS", 2 }, { "TMT", 2 },
	{ "TND", 3 }, { "TOP", 2 }, { "TRY", 2 }, { "TTD", 2 }, { "TWD", 2 },
	{ "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 }, { "USD", 2 }, { "USN", 2 },
	{ "UYI", 0 }, { "UYU", 2 }, { "UYW", 4 }, { "UZS", 2 }, { "VED", 2 },
	{ "VES", 2 }, { "VND", 0 }, { "VUV", 0 }, { "WST", 2 }, { "XAF", 0 },
	{ "XCD", 2 }, { "XCG", 2 }, { "XOF", 0 }, { "XPF", 0 }, { "YER", 2 },
	{ "ZAR", 2 }, { "ZMW", 2 }, { "ZWG", 2 }, { "ZWL", 2 },
};

static void test_currency_builtin(void **state)
{
	/* Withdrawn, fund and metal codes (no minor unit), and the search's edges. */
	static const char *const unknown[] = { "AAA", "ZZZ", "ABC", "HRK", "XXX", "XAU",
		"XDR", "XTS", "EUQ", "CNX", "CNZ" };
	int exponent = -7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(iso_table) / sizeof(iso_table[0]); i++) {
		exponent = -7;
		assert_int_equal(refund_currency_exponent(NULL, iso_table[i].code, &exponent), 0);
		assert_int_equal(exponent, iso_table[i].exponent);
	}
	exponent = -7;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_int_equal(refund_currency_exponent(NULL, unknown[i], &exponent),
				REFUND_ECURRENCY);
	assert_int_equal(exponent, -7);
}

static void test_currency_malformed(void **state)
{
	static const char *const malformed[] = { "", "C", "CN", "CNYY", "cny", "Cny", "C1Y",
		"CN ", " CNY", "CNY ", "ÄBC", "@@@", "[[[" };
	int exponent = -7;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		assert_int_equal(refund_currency_exponent(NULL, malformed[i], &exponent),
				REFUND_EINVAL);
	assert_int_equal(refund_currency_exponent(NULL, NULL, &exponent), REFUND_EINVAL);
	assert_int_equal(refund_currency_exponent(NULL, "CNY", NULL), REFUND_EINVAL);
	assert_int_equal(exponent, -7);
}

static void test_currency_engine(void **state)
{
	fixture *f = *state;
	int exponent = -7;

	assert_int_equal(refund_engine_set_currency(f->engine, "JPY", 2), 0);
	assert_int_equal(refund_engine_set_currency(f->engine, "XYZ", 1), 0);
	assert_int_equal(refund_currency_exponent(f->engine, "JPY", &exponent), 0);
	assert_int_equal(exponent, 2);
	assert_int_equal(refund_currency_exponent(f->engine, "XYZ", &exponent), 0);
	assert_int_equal(exponent, 1);
	assert_int_equal(refund_currency_exponent(f->engine, "KWD", &exponent), 0);
	assert_int_equal(exponent, 3);
	assert_int_equal(refund_currency_exponent(NULL, "JPY", &exponent), 0);
	assert_int_equal(exponent, 0);
	assert_int_equal(refund_currency_exponent(NULL, "XYZ", &exponent), REFUND_ECURRENCY);
	assert_int_equal(refund_engine_set_currency(f->engine, "JPY", 0), 0);
	assert_int_equal(refund_currency_exponent(f->engine, "JPY", &exponent), 0);
	assert_int_equal(exponent, 0);

	exponent = -7;
	mark_errmsg(f->engine);
	assert_int_equal(refund_currency_exponent(f->engine, "ABC", &exponent), REFUND_ECURRENCY);
	assert_errmsg_written(f->engine);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "ABC"));
	mark_errmsg(f->engine);
	assert_int_equal(refund_currency_exponent(f->engine, "abc", &exponent), REFUND_EINVAL);
	assert_errmsg_written(f->engine);
	mark_errmsg(f->engine);
	assert_int_equal(refund_currency_exponent(f->engine, NULL, &exponent), REFUND_EINVAL);
	assert_errmsg_written(f->engine);
	mark_errmsg(f->engine);
	assert_int_equal(refund_currency_exponent(f->engine, "CNY", NULL), REFUND_EINVAL);
	assert_errmsg_written(f->engine);
	assert_int_equal(exponent, -7);
}

/* ---- parse and format ---- */

static void expect_parse(refund_engine *engine, const char *currency, const char *text,
		unsigned int flags, int64_t expected)
{
	int64_t out = SENTINEL;

	assert_int_equal(refund_money_parse(engine, currency, text, flags, &out), 0);
	assert_int_equal(out, expected);
}

static void expect_parse_fails(refund_engine *engine, const char *currency,
		const char *text, unsigned int flags, int code)
{
	int64_t out = SENTINEL;

	assert_int_equal(refund_money_parse(engine, currency, text, flags, &out), code);
	assert_int_equal(out, SENTINEL);
}

static void expect_format(refund_engine *engine, const char *currency, int64_t amount,
		const char *expected)
{
	char buf[REFUND_MONEY_FORMAT_MAX];

	assert_int_equal(refund_money_format(engine, currency, amount, buf, sizeof(buf)), 0);
	assert_string_equal(buf, expected);
}

static void test_parse_accepted(void **state)
{
	const unsigned int neg = REFUND_MONEY_ALLOW_NEGATIVE;

	(void)state;
	expect_parse(NULL, "CNY", "500", 0, 50000);
	expect_parse(NULL, "CNY", "500.5", 0, 50050);
	expect_parse(NULL, "CNY", "500.50", 0, 50050);
	expect_parse(NULL, "CNY", "0.01", 0, 1);
	expect_parse(NULL, "CNY", "0", 0, 0);
	expect_parse(NULL, "CNY", "007.1", 0, 710);
	expect_parse(NULL, "CNY", "-0.01", neg, -1);
	expect_parse(NULL, "CNY", "-0", neg, 0);
	expect_parse(NULL, "CNY", "12", neg, 1200);
	expect_parse(NULL, "JPY", "500", 0, 500);
	expect_parse(NULL, "KWD", "1.5", 0, 1500);
	expect_parse(NULL, "KWD", "0.001", 0, 1);
	expect_parse(NULL, "CLF", "1.2345", 0, 12345);
	expect_parse(NULL, "CLF", "-1.2", neg, -12000);
	expect_parse(NULL, "CNY", "92233720368547758.07", 0, INT64_MAX);
	expect_parse(NULL, "CNY", "-92233720368547758.08", neg, INT64_MIN);
	expect_parse(NULL, "JPY", "9223372036854775807", 0, INT64_MAX);
	expect_parse(NULL, "JPY", "-9223372036854775808", neg, INT64_MIN);
	expect_parse(NULL, "JPY", "0000000000000000000000000000001", 0, 1);
	expect_parse(NULL, "CLF", "922337203685477.5807", 0, INT64_MAX);
}

static void test_parse_refused(void **state)
{
	static const char *const malformed[] = { "", "-", ".5", "5.", "5.001", "1e3",
		" 5", "5 ", "+5", "1,000", "1 000", "5.5.5", "--5", "5-", "-.5", "0x10",
		"\xef\xbc\x95", "5\n", "五", "5.0a", "١", "-5.", "." };
	const unsigned int neg = REFUND_MONEY_ALLOW_NEGATIVE;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		expect_parse_fails(NULL, "CNY", malformed[i], 0, REFUND_EPARSE);
		expect_parse_fails(NULL, "CNY", malformed[i], neg, REFUND_EPARSE);
	}
	expect_parse_fails(NULL, "CNY", "-0.01", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "CNY", "-0", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "CNY", "-5", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "JPY", "5.0", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "JPY", "5.", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "KWD", "1.0000", 0, REFUND_EPARSE);
	expect_parse_fails(NULL, "CLF", "1.00000", 0, REFUND_EPARSE);
	/* Malformed text is a parse error even where its digits would overflow. */
	expect_parse_fails(NULL, "CNY", "99999999999999999999999x", 0, REFUND_EPARSE);

	expect_parse_fails(NULL, "CNY", "92233720368547758.08", 0, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "CNY", "92233720368547758.08", neg, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "CNY", "-92233720368547758.09", neg, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "CNY", "100000000000000000", 0, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "JPY", "9223372036854775808", 0, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "JPY", "-9223372036854775809", neg, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "JPY", "99999999999999999999999999", 0, REFUND_EOVERFLOW);
	expect_parse_fails(NULL, "CLF", "922337203685477.5808", 0, REFUND_EOVERFLOW);

	expect_parse_fails(NULL, "ABC", "5", 0, REFUND_ECURRENCY);
	expect_parse_fails(NULL, "cny", "5", 0, REFUND_EINVAL);
	expect_parse_fails(NULL, NULL, "5", 0, REFUND_EINVAL);
	expect_parse_fails(NULL, "CNY", NULL, 0, REFUND_EINVAL);
	expect_parse_fails(NULL, "CNY", "5", 2, REFUND_EINVAL);
	expect_parse_fails(NULL, "CNY", "5", 0x80000000u, REFUND_EINVAL);
	assert_int_equal(refund_money_parse(NULL, "CNY", "5", 0, NULL), REFUND_EINVAL);
}

static void test_format_examples(void **state)
{
	(void)state;
	expect_format(NULL, "CNY", 50000, "500.00");
	expect_format(NULL, "CNY", -1, "-0.01");
	expect_format(NULL, "CNY", 0, "0.00");
	expect_format(NULL, "CNY", 5, "0.05");
	expect_format(NULL, "CNY", -123456, "-1234.56");
	expect_format(NULL, "JPY", 500, "500");
	expect_format(NULL, "JPY", -500, "-500");
	expect_format(NULL, "JPY", 0, "0");
	expect_format(NULL, "KWD", 1, "0.001");
	expect_format(NULL, "CLF", 12345, "1.2345");
	expect_format(NULL, "CNY", INT64_MIN, "-92233720368547758.08");
	expect_format(NULL, "CNY", INT64_MAX, "92233720368547758.07");
	expect_format(NULL, "JPY", INT64_MIN, "-9223372036854775808");
	expect_format(NULL, "CLF", INT64_MAX, "922337203685477.5807");
	expect_format(NULL, "CLF", INT64_MIN, "-922337203685477.5808");
}

/* The expected text built another way: integer and fraction via printf. */
static void reference_format(int64_t amount, int exponent, char *buf, size_t size)
{
	uint64_t magnitude = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;
	uint64_t scale = 1;
	int i;

	for (i = 0; i < exponent; i++)
		scale *= 10;
	if (exponent == 0)
		snprintf(buf, size, "%s%llu", amount < 0 ? "-" : "",
				(unsigned long long)magnitude);
	else
		snprintf(buf, size, "%s%llu.%0*llu", amount < 0 ? "-" : "",
				(unsigned long long)(magnitude / scale), exponent,
				(unsigned long long)(magnitude % scale));
}

static void check_round_trip(const char *currency, int exponent, int64_t amount)
{
	char buf[REFUND_MONEY_FORMAT_MAX], expected[64];

	reference_format(amount, exponent, expected, sizeof(expected));
	assert_int_equal(refund_money_format(NULL, currency, amount, buf, sizeof(buf)), 0);
	assert_string_equal(buf, expected);
	expect_parse(NULL, currency, buf, REFUND_MONEY_ALLOW_NEGATIVE, amount);
	if (amount >= 0)
		expect_parse(NULL, currency, buf, 0, amount);
	else
		expect_parse_fails(NULL, currency, buf, 0, REFUND_EPARSE);
}

static void test_round_trip(void **state)
{
	static const struct {
		const char *code;
		int exponent;
	} currencies[] = { { "CNY", 2 }, { "JPY", 0 }, { "KWD", 3 }, { "CLF", 4 } };
	static const int64_t edges[] = { INT64_MIN, INT64_MIN + 1, -10001, -10000, -9999,
		-1001, -1000, -999, -101, -100, -99, -10, -1, 0, 1, 9, 10, 11, 99, 100, 101,
		999, 1000, 1001, 9999, 10000, 10001, INT64_MAX - 1, INT64_MAX };
	size_t c, i;
	int k;

	(void)state;
	rng_seed(99);
	for (c = 0; c < sizeof(currencies) / sizeof(currencies[0]); c++) {
		for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
			check_round_trip(currencies[c].code, currencies[c].exponent, edges[i]);
		for (k = 0; k < 5000; k++)
			check_round_trip(currencies[c].code, currencies[c].exponent,
					k % 2 ? rng_int64() : (int64_t)rng_next());
	}
}

static void test_format_buffer(void **state)
{
	char buf[REFUND_MONEY_FORMAT_MAX];
	size_t size;

	(void)state;
	/* "-0.01" needs 6 bytes with its NUL. */
	for (size = 1; size < 6; size++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(refund_money_format(NULL, "CNY", -1, buf, size), REFUND_ERANGE);
		assert_int_equal(buf[0], '\0');
		assert_int_equal(buf[1], 'x');
	}
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(refund_money_format(NULL, "CNY", -1, buf, 0), REFUND_ERANGE);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(refund_money_format(NULL, "CNY", -1, buf, 6), 0);
	assert_string_equal(buf, "-0.01");
	assert_int_equal(buf[6], 'x');

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(refund_money_format(NULL, NULL, 1, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(refund_money_format(NULL, "CNY", 1, NULL, 10), REFUND_EINVAL);
	assert_int_equal(refund_money_format(NULL, "ABC", 1, buf, sizeof(buf)),
			REFUND_ECURRENCY);
	assert_int_equal(refund_money_format(NULL, "cny", 1, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(buf[0], 'x');
}

static void test_engine_override(void **state)
{
	fixture *f = *state;
	char buf[REFUND_MONEY_FORMAT_MAX];
	int exponent;

	expect_parse_fails(f->engine, "JPY", "1.50", 0, REFUND_EPARSE);
	assert_int_equal(refund_engine_set_currency(f->engine, "JPY", 2), 0);
	expect_parse(f->engine, "JPY", "1.50", 0, 150);
	expect_parse_fails(NULL, "JPY", "1.50", 0, REFUND_EPARSE);
	expect_format(f->engine, "JPY", 150, "1.50");
	expect_format(NULL, "JPY", 150, "150");

	assert_int_equal(refund_engine_set_currency(f->engine, "CNY", 0), 0);
	expect_parse_fails(f->engine, "CNY", "5.00", 0, REFUND_EPARSE);
	expect_parse(f->engine, "CNY", "5", 0, 5);

	expect_parse_fails(f->engine, "XYZ", "1.5", 0, REFUND_ECURRENCY);
	assert_int_equal(refund_engine_set_currency(f->engine, "XYZ", 1), 0);
	expect_parse(f->engine, "XYZ", "1.5", 0, 15);
	expect_format(f->engine, "XYZ", -15, "-1.5");

	/* REFUND_MONEY_FORMAT_MAX holds INT64_MIN at every exponent an engine allows. */
	for (exponent = 0; exponent <= 4; exponent++) {
		assert_int_equal(refund_engine_set_currency(f->engine, "XYZ", exponent), 0);
		assert_int_equal(refund_money_format(f->engine, "XYZ", INT64_MIN, buf,
					sizeof(buf)), 0);
		expect_parse(f->engine, "XYZ", buf, REFUND_MONEY_ALLOW_NEGATIVE, INT64_MIN);
	}
}

static void test_engine_messages(void **state)
{
	fixture *f = *state;
	refund_engine *e = f->engine;
	char buf[4];
	char english[512];

	mark_errmsg(e);
	expect_parse_fails(e, "CNY", "5.001", 0, REFUND_EPARSE);
	assert_errmsg_written(e);
	assert_non_null(strstr(refund_engine_errmsg(e), "5.001"));
	snprintf(english, sizeof(english), "%s", refund_engine_errmsg(e));
	mark_errmsg(e);
	expect_parse_fails(e, "CNY", "-5", 0, REFUND_EPARSE);
	assert_errmsg_written(e);
	mark_errmsg(e);
	expect_parse_fails(e, "CNY", "92233720368547758.08", 0, REFUND_EOVERFLOW);
	assert_errmsg_written(e);
	mark_errmsg(e);
	expect_parse_fails(e, "ABC", "5", 0, REFUND_ECURRENCY);
	assert_errmsg_written(e);
	mark_errmsg(e);
	expect_parse_fails(e, "CNY", NULL, 0, REFUND_EINVAL);
	assert_errmsg_written(e);
	mark_errmsg(e);
	expect_parse_fails(e, "CNY", "5", 4, REFUND_EINVAL);
	assert_errmsg_written(e);
	mark_errmsg(e);
	assert_int_equal(refund_money_parse(e, "CNY", "5", 0, NULL), REFUND_EINVAL);
	assert_errmsg_written(e);

	mark_errmsg(e);
	assert_int_equal(refund_money_format(e, "CNY", 12345, buf, sizeof(buf)), REFUND_ERANGE);
	assert_int_equal(buf[0], '\0');
	assert_errmsg_written(e);
	mark_errmsg(e);
	assert_int_equal(refund_money_format(e, "ABC", 1, buf, sizeof(buf)), REFUND_ECURRENCY);
	assert_errmsg_written(e);
	mark_errmsg(e);
	assert_int_equal(refund_money_format(e, NULL, 1, buf, sizeof(buf)), REFUND_EINVAL);
	assert_errmsg_written(e);
	mark_errmsg(e);
	assert_int_equal(refund_money_format(e, "CNY", 1, NULL, 4), REFUND_EINVAL);
	assert_errmsg_written(e);

	/* The same failure in zh-CN gives a different, non-ASCII message. */
	assert_int_equal(refund_engine_set_lang(e, REFUND_LANG_ZH_CN), 0);
	mark_errmsg(e);
	expect_parse_fails(e, "CNY", "5.001", 0, REFUND_EPARSE);
	assert_errmsg_written(e);
	assert_string_not_equal(refund_engine_errmsg(e), english);
	assert_non_null(strstr(refund_engine_errmsg(e), "金额"));
	mark_errmsg(e);
	assert_int_equal(refund_money_format(e, "CNY", 12345, buf, sizeof(buf)), REFUND_ERANGE);
	assert_errmsg_written(e);
	assert_non_null(strstr(refund_engine_errmsg(e), "字节"));
}

int main(void)
{
	const struct CMUnitTest arithmetic[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_mul),
	};
	const struct CMUnitTest percent[] = {
		cmocka_unit_test(test_percent_half_even),
		cmocka_unit_test(test_percent_bounds),
		cmocka_unit_test(test_percent_invalid),
		cmocka_unit_test(test_percent_reference),
	};
	const struct CMUnitTest allocate[] = {
		cmocka_unit_test(test_allocate_equal_exhaustive),
		cmocka_unit_test(test_allocate_weighted_reference),
		cmocka_unit_test(test_allocate_ties_and_zeros),
		cmocka_unit_test(test_allocate_int64_max),
		cmocka_unit_test(test_allocate_large_n),
		cmocka_unit_test(test_allocate_invalid),
	};
	const struct CMUnitTest currency[] = {
		cmocka_unit_test(test_currency_builtin),
		cmocka_unit_test(test_currency_malformed),
		cmocka_unit_test_setup_teardown(test_currency_engine, fixture_setup,
				fixture_teardown),
	};
	const struct CMUnitTest text[] = {
		cmocka_unit_test(test_parse_accepted),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_format_examples),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_buffer),
		cmocka_unit_test_setup_teardown(test_engine_override, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_engine_messages, fixture_setup,
				fixture_teardown),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("arithmetic", arithmetic, NULL, NULL);
	failed += cmocka_run_group_tests_name("percent", percent, NULL, NULL);
	failed += cmocka_run_group_tests_name("allocate", allocate, NULL, NULL);
	failed += cmocka_run_group_tests_name("currency", currency, NULL, NULL);
	failed += cmocka_run_group_tests_name("parse_format", text, NULL, NULL);
	return failed ? 1 : 0;
}
