#include "engine.h"

#include <refund/money.h>

#include <string.h>

/*
 * Money is int64 minor units.  No __int128 here: the library must build on
 * 32-bit POS terminals, where gcc has none, so the few places that need a
 * 128-bit product use mul_wide() and div_wide() below.
 */

#define BP_MAX INT64_C(1000000)
#define ALLOCATE_MAX_PARTS 10000

/* ISO 4217 active currencies with minor units, sorted by code. */
static const struct iso_currency {
	char code[4];
	unsigned char exponent;
} iso_currencies[] = {
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

#define ISO_CURRENCY_COUNT (sizeof(iso_currencies) / sizeof(iso_currencies[0]))

int refund_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t sum;

	if (!out)
		return REFUND_EINVAL;
	if (__builtin_add_overflow(a, b, &sum))
		return REFUND_EOVERFLOW;
	*out = sum;
	return 0;
}

int refund_money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t difference;

	if (!out)
		return REFUND_EINVAL;
	if (__builtin_sub_overflow(a, b, &difference))
		return REFUND_EOVERFLOW;
	*out = difference;
	return 0;
}

int refund_money_mul(int64_t a, int64_t n, int64_t *out)
{
	int64_t product;

	if (!out)
		return REFUND_EINVAL;
	if (__builtin_mul_overflow(a, n, &product))
		return REFUND_EOVERFLOW;
	*out = product;
	return 0;
}

/*
 * Whether a quotient truncated toward zero moves one unit away from zero
 * under half-even rounding, given the remainder of a division by 10000.
 */
static int rounds_away(int64_t quotient, int64_t remainder)
{
	int64_t twice = remainder < 0 ? -2 * remainder : 2 * remainder;

	if (twice != REFUND_BP_WHOLE)
		return twice > REFUND_BP_WHOLE;
	return quotient % 2 != 0;
}

int refund_money_percent(int64_t amount, int64_t bp, int64_t *out)
{
	/*
	 * amount = q * 10000 + r, so amount * bp / 10000 = q * bp + r * bp / 10000
	 * where |r * bp| < 10^10.  q, r and so both terms share amount's sign:
	 * if q * bp overflows, the result does too.
	 */
	int64_t q = amount / REFUND_BP_WHOLE;
	int64_t r = amount % REFUND_BP_WHOLE;
	int64_t result;

	if (!out || bp < 0 || bp > BP_MAX)
		return REFUND_EINVAL;
	if (__builtin_mul_overflow(q, bp, &result)
			|| __builtin_add_overflow(result, r * bp / REFUND_BP_WHOLE, &result))
		return REFUND_EOVERFLOW;
	if (rounds_away(result, r * bp % REFUND_BP_WHOLE)
			&& __builtin_add_overflow(result, amount < 0 ? -1 : 1, &result))
		return REFUND_EOVERFLOW;
	*out = result;
	return 0;
}

/* The 128-bit product a * b as its high and low 64-bit halves. */
static void mul_wide(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	const uint64_t mask = UINT64_C(0xffffffff);
	uint64_t ll = (a & mask) * (b & mask);
	uint64_t lh = (a & mask) * (b >> 32);
	uint64_t hl = (a >> 32) * (b & mask);
	uint64_t hh = (a >> 32) * (b >> 32);
	uint64_t mid = (ll >> 32) + (lh & mask) + (hl & mask);

	*lo = (mid << 32) | (ll & mask);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/*
 * (hi:lo) / d by shift and subtract, for hi < d so that the quotient fits
 * in 64 bits, and d <= INT64_MAX so that shifting the running remainder
 * (always < d) never loses its top bit.
 */
static uint64_t div_wide(uint64_t hi, uint64_t lo, uint64_t d)
{
	uint64_t rem = hi, quotient = 0;
	int bit;

	for (bit = 63; bit >= 0; bit--) {
		rem = (rem << 1) | ((lo >> bit) & 1);
		quotient <<= 1;
		if (rem >= d) {
			rem -= d;
			quotient |= 1;
		}
	}
	return quotient;
}

static int64_t weight_at(const int64_t *weights, size_t i)
{
	return weights ? weights[i] : 1;
}

static int sum_weights(const int64_t *weights, size_t n, int64_t *sum)
{
	int64_t running = 0;
	size_t i;

	if (!weights) {
		*sum = (int64_t)n;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (weights[i] < 0)
			return REFUND_EINVAL;
	for (i = 0; i < n; i++)
		if (__builtin_add_overflow(running, weights[i], &running))
			return REFUND_EOVERFLOW;
	if (running == 0)
		return REFUND_EINVAL;
	*sum = running;
	return 0;
}

/*
 * A share's remainder, total * w mod W, from its floor f: the exact value
 * total * w - f * W lies in [0, W), so arithmetic modulo 2^64 gives it.
 */
static uint64_t share_remainder(int64_t total, int64_t w, int64_t sum, int64_t f)
{
	return (uint64_t)total * (uint64_t)w - (uint64_t)f * (uint64_t)sum;
}

static size_t count_remainders_at_least(int64_t total, const int64_t *weights,
		size_t n, int64_t sum, const int64_t *floors, uint64_t threshold)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (share_remainder(total, weight_at(weights, i), sum, floors[i]) >= threshold)
			count++;
	return count;
}

/*
 * The largest remainder t such that at least `left` parts have a remainder
 * >= t.  A binary search over values keeps the output array the only
 * storage: each step recounts in O(n).
 */
static uint64_t remainder_threshold(int64_t total, const int64_t *weights, size_t n,
		int64_t sum, const int64_t *floors, size_t left)
{
	uint64_t lo = 0, hi = (uint64_t)sum;

	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (count_remainders_at_least(total, weights, n, sum, floors, mid) >= left)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Each part's floor(total * w / W), written to parts; returns the units left over. */
static size_t allocate_floors(int64_t total, const int64_t *weights, size_t n,
		int64_t sum, int64_t *parts)
{
	/* total = a * W + b, so total * w / W = a * w + b * w / W with b, w <= W. */
	int64_t a = total / sum, b = total % sum, given = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t w = weight_at(weights, i);
		uint64_t hi, lo;

		mul_wide((uint64_t)b, (uint64_t)w, &hi, &lo);
		parts[i] = a * w + (int64_t)div_wide(hi, lo, (uint64_t)sum);
		given += parts[i];
	}
	return (size_t)(total - given);
}

int refund_money_allocate(int64_t total, const int64_t *weights, size_t n, int64_t *parts)
{
	int64_t sum;
	uint64_t threshold;
	size_t i, left, ties;
	int rc;

	if (!parts || n < 1 || n > ALLOCATE_MAX_PARTS || total < 0)
		return REFUND_EINVAL;
	if ((rc = sum_weights(weights, n, &sum)) != 0)
		return rc;
	/* Nothing can fail from here on, so parts may hold the floors. */
	left = allocate_floors(total, weights, n, sum, parts);
	if (left == 0)
		return 0;
	threshold = remainder_threshold(total, weights, n, sum, parts, left);
	ties = left - count_remainders_at_least(total, weights, n, sum, parts, threshold + 1);
	/* Every part above the threshold gets a unit; ties at it go in index order. */
	for (i = 0; i < n; i++) {
		uint64_t rem = share_remainder(total, weight_at(weights, i), sum, parts[i]);

		if (rem > threshold) {
			parts[i]++;
		} else if (rem == threshold && ties > 0) {
			parts[i]++;
			ties--;
		}
	}
	return 0;
}

static int valid_code(const char *code)
{
	int i;

	for (i = 0; i < 3; i++)
		if (code[i] < 'A' || code[i] > 'Z')
			return 0;
	return code[3] == '\0';
}

static const struct iso_currency *find_iso_currency(const char *code)
{
	size_t lo = 0, hi = ISO_CURRENCY_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = memcmp(code, iso_currencies[mid].code, 3);

		if (cmp == 0)
			return &iso_currencies[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int refund_currency_exponent(refund_engine *engine, const char *code, int *exponent)
{
	const struct iso_currency *iso;
	size_t i;

	if (!code || !exponent)
		return refund__fail(engine, REFUND_EINVAL, "currency code or output pointer is NULL",
				"币种代码或输出指针为空");
	if (!valid_code(code))
		return refund__fail(engine, REFUND_EINVAL,
				"currency code \"%.16s\" is not three upper-case letters such as CNY",
				"币种代码“%.16s”不是三个大写字母（例如 CNY）", code);
	for (i = 0; engine && i < engine->ncurrencies; i++) {
		if (memcmp(engine->currencies[i].code, code, 4) == 0) {
			*exponent = engine->currencies[i].exponent;
			return 0;
		}
	}
	iso = find_iso_currency(code);
	if (!iso)
		return refund__fail(engine, REFUND_ECURRENCY,
				"unknown currency %s; add it with refund_engine_set_currency()",
				"未知币种 %s；可用 refund_engine_set_currency() 添加", code);
	*exponent = iso->exponent;
	return 0;
}

/* A decimal as written: sign, integer digits and fraction digits. */
typedef struct decimal_text {
	int negative;
	const char *integer;
	size_t ninteger;
	const char *fraction;
	size_t nfraction;
} decimal_text;

/* Splits text of the form -?[0-9]+(\.[0-9]{1,exponent})? or returns 0. */
static int split_decimal(const char *text, int exponent, decimal_text *d)
{
	static const char digits[] = "0123456789";
	const char *p = text;

	d->negative = *p == '-';
	if (d->negative)
		p++;
	d->integer = p;
	d->ninteger = strspn(p, digits);
	if (d->ninteger == 0)
		return 0;
	p += d->ninteger;
	d->fraction = p;
	d->nfraction = 0;
	if (*p == '.') {
		d->fraction = ++p;
		d->nfraction = strspn(p, digits);
		if (d->nfraction == 0 || d->nfraction > (size_t)exponent)
			return 0;
		p += d->nfraction;
	}
	return *p == '\0';
}

static int append_digit(int64_t *value, int digit)
{
	/* Accumulated negative so that INT64_MIN is reachable. */
	return !__builtin_mul_overflow(*value, 10, value)
		&& !__builtin_sub_overflow(*value, digit, value);
}

/* The decimal's value in minor units, or 0 if it overflows. */
static int decimal_value(const decimal_text *d, int exponent, int64_t *out)
{
	int64_t value = 0;
	size_t i;

	for (i = 0; i < d->ninteger; i++)
		if (!append_digit(&value, d->integer[i] - '0'))
			return 0;
	for (i = 0; i < (size_t)exponent; i++)
		if (!append_digit(&value, i < d->nfraction ? d->fraction[i] - '0' : 0))
			return 0;
	if (!d->negative) {
		if (value == INT64_MIN)
			return 0;
		value = -value;
	}
	*out = value;
	return 1;
}

int refund_money_parse(refund_engine *engine, const char *currency, const char *text,
		unsigned int flags, int64_t *out)
{
	decimal_text d;
	int64_t value;
	int exponent, rc;

	if (!currency || !text || !out)
		return refund__fail(engine, REFUND_EINVAL,
				"currency, text or output pointer is NULL",
				"币种、文本或输出指针为空");
	if (flags & ~(unsigned int)REFUND_MONEY_ALLOW_NEGATIVE)
		return refund__fail(engine, REFUND_EINVAL, "unknown money parse flags 0x%x",
				"未知的金额解析标志 0x%x", flags);
	if ((rc = refund_currency_exponent(engine, currency, &exponent)) != 0)
		return rc;
	if (!split_decimal(text, exponent, &d))
		return refund__fail(engine, REFUND_EPARSE,
				"amount \"%.40s\" is not a plain decimal with at most %d fraction digits (%s)",
				"金额“%.40s”不是最多 %d 位小数的普通十进制数（%s）",
				text, exponent, currency);
	if (d.negative && !(flags & REFUND_MONEY_ALLOW_NEGATIVE))
		return refund__fail(engine, REFUND_EPARSE,
				"amount \"%.40s\" is negative; a negative amount is not allowed here",
				"金额“%.40s”为负数；此处不允许负数", text);
	if (!decimal_value(&d, exponent, &value))
		return refund__fail(engine, REFUND_EOVERFLOW,
				"amount \"%.40s\" %s is too large to hold in minor units",
				"金额“%.40s” %s 过大，超出最小单位的表示范围", text, currency);
	*out = value;
	return 0;
}

int refund_money_format(refund_engine *engine, const char *currency, int64_t amount,
		char *buf, size_t size)
{
	char text[REFUND_MONEY_FORMAT_MAX];
	char *p = text + sizeof(text);
	/* The magnitude in unsigned arithmetic: -INT64_MIN does not fit int64. */
	uint64_t magnitude = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;
	size_t length;
	int exponent, i, rc;

	if (!currency || !buf)
		return refund__fail(engine, REFUND_EINVAL, "currency or buffer is NULL",
				"币种或缓冲区为空");
	if ((rc = refund_currency_exponent(engine, currency, &exponent)) != 0)
		return rc;
	*--p = '\0';
	for (i = 0; i < exponent; i++, magnitude /= 10)
		*--p = (char)('0' + magnitude % 10);
	if (exponent > 0)
		*--p = '.';
	do {
		*--p = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude != 0);
	if (amount < 0)
		*--p = '-';
	length = (size_t)(text + sizeof(text) - p);
	if (length > size) {
		if (size > 0)
			buf[0] = '\0';
		return refund__fail(engine, REFUND_ERANGE,
				"a buffer of %zu bytes is too small for the amount: %zu are needed",
				"%zu 字节的缓冲区不足以容纳该金额：需要 %zu 字节", size, length);
	}
	memcpy(buf, p, length);
	return 0;
}
