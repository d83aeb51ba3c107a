/*
 * libFuzzer target for refund_money_parse() and refund_money_format().
 *
 * Input: one selector byte, then the text.  The selector's low three bits
 * pick a currency (with or without an engine and its overrides), bit 3 sets
 * REFUND_MONEY_ALLOW_NEGATIVE.  The parser is checked against a small
 * independent reading of the grammar in refund/money.h, and whatever parses
 * must format to text that parses to the same amount.
 */
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct currency_case {
	const char *code;
	int exponent;       /* -1: unknown currency */
	int use_engine;
	int override;       /* set this exponent on the engine first (-1: none) */
} currency_case;

static const currency_case cases[8] = {
	{ "CNY", 2, 0, -1 },
	{ "JPY", 0, 0, -1 },
	{ "KWD", 3, 0, -1 },
	{ "CLF", 4, 0, -1 },
	{ "CNY", 2, 1, -1 },
	{ "JPY", 2, 1, 2 },   /* a host keeping JPY in sen */
	{ "XTS", 1, 1, 1 },   /* a currency the host adds */
	{ "ZZZ", -1, 1, -1 }, /* unknown */
};

/* What refund_money_parse() should return, read from the header's grammar. */
static int expected_parse(const char *text, int exponent, unsigned int flags,
		int64_t *value)
{
	const char *p = text;
	uint64_t magnitude = 0, limit;
	int negative = 0, fraction = 0, digits = 0;

	if (*p == '-') {
		negative = 1;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
		    __builtin_add_overflow(magnitude, (uint64_t)(*p - '0'), &magnitude))
			magnitude = UINT64_MAX;
	if (digits == 0)
		return REFUND_EPARSE;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fraction++)
			if (__builtin_mul_overflow(magnitude, 10, &magnitude) ||
			    __builtin_add_overflow(magnitude, (uint64_t)(*p - '0'), &magnitude))
				magnitude = UINT64_MAX;
		if (fraction == 0 || fraction > exponent)
			return REFUND_EPARSE;
	}
	if (*p != '\0')
		return REFUND_EPARSE;
	if (negative && !(flags & REFUND_MONEY_ALLOW_NEGATIVE))
		return REFUND_EPARSE;
	for (; fraction < exponent; fraction++)
		if (__builtin_mul_overflow(magnitude, 10, &magnitude))
			magnitude = UINT64_MAX;
	limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (magnitude > limit)
		return REFUND_EOVERFLOW;
	*value = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
	return 0;
}

/* Formatting gives back the amount, and needs exactly strlen + 1 bytes. */
static void check_format(refund_engine *e, const char *code, unsigned int flags,
		int64_t amount)
{
	char buf[REFUND_MONEY_FORMAT_MAX], exact[REFUND_MONEY_FORMAT_MAX];
	int64_t again = 0;
	size_t len;

	if (refund_money_format(e, code, amount, buf, sizeof(buf)) != 0)
		abort();
	len = strlen(buf);
	if (refund_money_parse(e, code, buf, flags, &again) != 0 || again != amount)
		abort();
	if (refund_money_format(e, code, amount, exact, len + 1) != 0 ||
	    strcmp(exact, buf) != 0)
		abort();
	exact[0] = 'x';
	if (refund_money_format(e, code, amount, exact, len) != REFUND_ERANGE ||
	    (len > 0 && exact[0] != '\0'))
		abort();
}

static void run(refund_engine *e, const currency_case *c, const char *text,
		unsigned int flags)
{
	int64_t value = 0, want = 0;
	int rc = refund_money_parse(e, c->code, text, flags, &value);

	if (c->exponent < 0) {
		if (rc != REFUND_ECURRENCY)
			abort();
		return;
	}
	if (rc != expected_parse(text, c->exponent, flags, &want))
		abort();
	if (rc != 0) {
		fuzz_check_failure(e, rc);
		return;
	}
	if (value != want || (value < 0 && !(flags & REFUND_MONEY_ALLOW_NEGATIVE)))
		abort();
	check_format(e, c->code, flags, value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const currency_case *c;
	unsigned int flags;
	fuzz_engine fe;
	char *text;

	if (size == 0 || !(text = fuzz_cstring(data + 1, size - 1)))
		return 0;
	c = &cases[data[0] & 7];
	flags = data[0] & 8 ? REFUND_MONEY_ALLOW_NEGATIVE : 0;
	if (!c->use_engine) {
		run(NULL, c, text, flags);
	} else {
		fuzz_engine_open(&fe, data[0] & 16 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN);
		if (c->override >= 0 && refund_engine_set_currency(fe.engine, c->code,
				c->override) != 0)
			abort();
		run(fe.engine, c, text, flags);
		fuzz_engine_close(&fe);
	}
	free(text);
	return 0;
}
