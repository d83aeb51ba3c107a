/**
 * @file refund/money.h
 * @brief Money: int64 minor units with a currency code, exact and checked.
 *
 * An amount is an `int64_t` count of the currency's minor units (fen for
 * CNY, yen for JPY, fils for KWD) beside an ISO 4217 alpha-3 code.  Nothing
 * here uses floating point; every operation reports overflow instead of
 * wrapping.  Percentages are basis points (1/100 of a percent: 10000 bp is
 * 100%).
 */
#ifndef REFUND_MONEY_H
#define REFUND_MONEY_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 100% in basis points. */
#define REFUND_BP_WHOLE 10000

/** Largest buffer refund_money_format() ever needs, with its NUL. */
#define REFUND_MONEY_FORMAT_MAX 32

/**
 * @p a + @p b, checked.
 *
 * @param a the first operand.
 * @param b the second operand.
 * @param out receives the result; untouched on failure.
 * @return 0; REFUND_EINVAL if @p out is NULL; REFUND_EOVERFLOW (then *out is
 *         untouched).
 */
REFUND_API int refund_money_add(int64_t a, int64_t b, int64_t *out);

/**
 * @p a - @p b, checked.
 *
 * @param a the first operand.
 * @param b the second operand.
 * @param out receives the result; untouched on failure.
 * @return 0; REFUND_EINVAL if @p out is NULL; REFUND_EOVERFLOW.
 */
REFUND_API int refund_money_sub(int64_t a, int64_t b, int64_t *out);

/**
 * @p a * @p n, checked.
 *
 * @param a the first operand.
 * @param n the second operand.
 * @param out receives the result; untouched on failure.
 * @return 0; REFUND_EINVAL if @p out is NULL; REFUND_EOVERFLOW.
 */
REFUND_API int refund_money_mul(int64_t a, int64_t n, int64_t *out);

/**
 * @p amount * @p bp / 10000, rounded half to even (banker's rounding), so
 * that 0.5 of a minor unit goes to the even neighbour.  Exact for every
 * int64 input: the intermediate product does not overflow.
 *
 * @param amount any amount.
 * @param bp basis points, 0 to 1,000,000 (0% to 10000%).
 * @param out receives the result.
 * @return 0; REFUND_EINVAL for NULL @p out or @p bp out of range;
 *         REFUND_EOVERFLOW if the result does not fit.
 */
REFUND_API int refund_money_percent(int64_t amount, int64_t bp, int64_t *out);

/**
 * Split @p total into @p n parts that sum to @p total exactly, in proportion
 * to @p weights (or equally if @p weights is NULL).
 *
 * Method (largest remainder): each part first gets floor(total * w_i / W);
 * the units still missing then go one each to the parts with the largest
 * remainders (total * w_i mod W).  Ties go to the lower index.  So equal
 * parts of 100 in 3 are 34, 33, 33: the first parts are never smaller than
 * later equal-weight parts.
 *
 * @param total the amount to split, >= 0.
 * @param weights @p n weights, each >= 0, not all zero; or NULL for equal.
 * @param n number of parts, 1 to 10000.
 * @param parts receives @p n amounts; untouched on failure.
 * @return 0; REFUND_EINVAL for NULL @p parts, n out of range, a negative
 *         total or weight, all weights zero; REFUND_EOVERFLOW if the weights'
 *         sum overflows.
 */
REFUND_API int refund_money_allocate(int64_t total, const int64_t *weights,
		size_t n, int64_t *parts);

/** Flags for refund_money_parse(). */
typedef enum refund_money_flags {
	REFUND_MONEY_ALLOW_NEGATIVE = 1 /**< Accept a leading '-'. */
} refund_money_flags;

/**
 * Parse a decimal string into minor units, exactly.
 *
 * Accepted: optional '-' (only with ::REFUND_MONEY_ALLOW_NEGATIVE), one or
 * more digits, optionally '.' and one to `exponent` digits ("500", "500.5",
 * "500.50" for CNY).  Refused: spaces, '+', grouping commas, exponents,
 * more fraction digits than the currency has, "-0" without the flag,
 * an empty string, and a value that overflows int64.
 *
 * @param engine for currency overrides and the error message; may be NULL.
 * @param currency the currency code.
 * @param text the NUL-terminated text.
 * @param flags a combination of ::refund_money_flags.
 * @param out receives the amount; untouched on failure.
 * @return 0; REFUND_EINVAL for NULL arguments, unknown flags or a
 *         malformed currency code; REFUND_ECURRENCY for an unknown
 *         currency; REFUND_EPARSE for
 *         malformed text or a negative amount without the flag;
 *         REFUND_EOVERFLOW.
 */
REFUND_API int refund_money_parse(refund_engine *engine, const char *currency,
		const char *text, unsigned int flags, int64_t *out);

/**
 * Format minor units as a decimal string with exactly the currency's
 * fraction digits: 50000 CNY is "500.00", -1 CNY is "-0.01", 500 JPY is
 * "500".  No grouping, no currency symbol.
 *
 * @param engine for currency overrides and the error message; may be NULL.
 * @param currency the currency code.
 * @param amount the amount (any int64, INT64_MIN included).
 * @param buf receives the NUL-terminated text.
 * @param size bytes in @p buf; ::REFUND_MONEY_FORMAT_MAX always suffices.
 * @return 0; REFUND_EINVAL for NULL arguments or a malformed currency
 *         code; REFUND_ECURRENCY for an unknown currency;
 *         REFUND_ERANGE if @p buf is too small (then buf[0] is NUL if size > 0).
 */
REFUND_API int refund_money_format(refund_engine *engine, const char *currency,
		int64_t amount, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_MONEY_H */
