/*
 * Values on the command line: times, money, numbers, durations, offsets,
 * and the names of the library's enums (reasons, evidence, grades...).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "refundctl.h"

const char *const ctl_reason_names[] = { "", "device_fault", "transaction_dispute",
	"service", "policy_change", "needs_changed", "fraud" };
const char *const ctl_evidence_names[] = { "", "receipt", "contract", "payment_record",
	"fault_report", "transaction_records", "service_evaluation",
	"government_document", "police_report", "other" };
const char *const ctl_grade_names[] = { "", "fine", "normal_wear", "damaged",
	"not_returned" };
const char *const ctl_reject_names[] = { "", "incomplete_evidence", "outside_window",
	"not_eligible", "fraud_suspected", "other" };
const char *const ctl_method_names[] = { "", "bank", "alipay", "wechat" };
const char *const ctl_consequence_names[] = { "", "remind", "escalate", "expire",
	"approve", "close" };

/* A name compared with '-' and '_' taken as the same, case-insensitively. */
static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (char)tolower((unsigned char)*a), y = (char)tolower((unsigned char)*b);

		if (x == '-')
			x = '_';
		if (y == '-')
			y = '_';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The index of @p name in @p names (index 0 is unused), or 0 if unknown. */
int ctl_name_lookup(const char *const *names, int count, const char *name)
{
	int i;

	for (i = 1; i < count; i++)
		if (same_name(names[i], name))
			return i;
	return 0;
}

const char *ctl_name_of(const char *const *names, int count, int value)
{
	return value > 0 && value < count ? names[value] : "?";
}

void ctl_list_names(FILE *out, const char *const *names, int count)
{
	int i;

	for (i = 1; i < count; i++)
		fprintf(out, "%s%s", i > 1 ? ", " : "", names[i]);
}

const char *ctl_party_name(uint32_t party)
{
	switch (party) {
	case REFUND_PARTY_REGULATOR:
		return "regulator";
	case REFUND_PARTY_CONSUMER_ASSOCIATION:
		return "consumer_association";
	case REFUND_PARTY_LEGAL:
		return "legal";
	default:
		return "?";
	}
}

int ctl_party_from_name(const char *name, int *out)
{
	static const int parties[] = { REFUND_PARTY_REGULATOR,
		REFUND_PARTY_CONSUMER_ASSOCIATION, REFUND_PARTY_LEGAL };
	size_t i;

	for (i = 0; i < sizeof(parties) / sizeof(parties[0]); i++) {
		if (same_name(ctl_party_name((uint32_t)parties[i]), name)) {
			*out = parties[i];
			return 0;
		}
	}
	return -1;
}

int ctl_parse_time(ctl *c, const char *what, const char *text, refund_time *out)
{
	if (refund_time_parse(text, out) == 0)
		return 0;
	return ctl_invalid(c, "%s: \"%s\" is not an ISO 8601 time between 1970 and 9999 "
			"(write 2025-10-01, 2025-10-01T09:30+08:00 or 2025-10-01T01:30:00Z)",
			what, text);
}

int ctl_parse_money(ctl *c, const char *what, const char *currency, const char *text,
		int64_t *out)
{
	int rc = refund_money_parse(c->engine, currency, text, 0, out);
	int exponent = 2;

	if (rc == 0)
		return 0;
	if (rc == REFUND_ECURRENCY || rc == REFUND_EINVAL)
		return ctl_invalid(c, "%s: \"%s\" is not a currency code this library knows "
				"(write CNY, USD, ...)", what, currency);
	refund_currency_exponent(c->engine, currency, &exponent);
	if (rc == REFUND_EOVERFLOW)
		return ctl_invalid(c, "%s: %s %s is too large", what, text, currency);
	return ctl_invalid(c, "%s: \"%s\" is not an amount of %s (write a positive decimal "
			"like 500.00, at most %d digits after the point, no sign, no commas)",
			what, text, currency, exponent);
}

int ctl_parse_int(ctl *c, const char *what, const char *text, int64_t min, int64_t max,
		int64_t *out)
{
	const char *p = text;
	long long v;
	char *end;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return ctl_invalid(c, "%s: \"%s\" is not a whole number from %lld to %lld", what,
			text, (long long)min, (long long)max);
}

/* "2d", "36h", "90m", "30s", "1w", or sums such as "1d12h"; "0" for none. */
int ctl_parse_duration(ctl *c, const char *what, const char *text, int64_t *out)
{
	const char *p = text;
	int64_t total = 0;

	if (strcmp(text, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (!*p)
		goto bad;
	while (*p) {
		int64_t n = 0, unit;

		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++) {
			n = n * 10 + (*p - '0');
			if (n > 100000000)
				goto bad;
		}
		switch (*p++) {
		case 'w': unit = 7 * 86400; break;
		case 'd': unit = 86400; break;
		case 'h': unit = 3600; break;
		case 'm': unit = 60; break;
		case 's': unit = 1; break;
		default: goto bad;
		}
		total += n * unit;
		if (total > INT64_C(100) * 366 * 86400)
			goto bad;
	}
	*out = total;
	return 0;
bad:
	return ctl_invalid(c, "%s: \"%s\" is not a duration (write 2d, 36h, 90m, 1d12h or 0)",
			what, text);
}

/* "Z", "UTC", "+08:00", "-05:30", "+0800", "+08": seconds east of UTC. */
int ctl_parse_offset(const char *text, int32_t *out)
{
	int sign, hh, mm = 0;
	size_t n = strlen(text);

	if (strcmp(text, "Z") == 0 || strcmp(text, "UTC") == 0 || strcmp(text, "z") == 0) {
		*out = 0;
		return 0;
	}
	if (n < 3 || (text[0] != '+' && text[0] != '-') || !isdigit((unsigned char)text[1]) ||
			!isdigit((unsigned char)text[2]))
		return -1;
	sign = text[0] == '-' ? -1 : 1;
	hh = (text[1] - '0') * 10 + (text[2] - '0');
	if (n == 6 && text[3] == ':' && isdigit((unsigned char)text[4]) &&
			isdigit((unsigned char)text[5]))
		mm = (text[4] - '0') * 10 + (text[5] - '0');
	else if (n == 5 && isdigit((unsigned char)text[3]) && isdigit((unsigned char)text[4]))
		mm = (text[3] - '0') * 10 + (text[4] - '0');
	else if (n != 3)
		return -1;
	if (hh > 23 || mm > 59)
		return -1;
	*out = (int32_t)(sign * (hh * 3600 + mm * 60));
	return 0;
}

/* "ID" or "ID@VERSION" (0: the latest). */
int ctl_parse_policy_ref(ctl *c, const char *text, char *id, size_t size,
		uint32_t *version)
{
	const char *at = strchr(text, '@');
	size_t n = at ? (size_t)(at - text) : strlen(text);
	int64_t v = 0;

	if (n == 0 || n >= size)
		return ctl_invalid(c, "policy \"%s\": write a policy id, optionally with "
				"@VERSION (pos-standard or pos-standard@2)", text);
	memcpy(id, text, n);
	id[n] = '\0';
	if (at && ctl_parse_int(c, "policy version", at + 1, 1, UINT32_MAX, &v) != 0)
		return CTL_EXIT_INVALID;
	*version = (uint32_t)v;
	return 0;
}
