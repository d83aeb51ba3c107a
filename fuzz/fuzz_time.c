/*
 * libFuzzer target for refund_time_parse() and refund_time_format(): a time
 * that parses is in 1970..9999, formats (UTC, and in offsets east and west
 * where the local date stays in range) to text that parses to the same
 * time, and agrees with refund_time_to_date() / refund_time_from_date().
 */
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY 86400

static void check_round_trip(refund_time t, int32_t utc_offset)
{
	char buf[REFUND_TIME_FORMAT_MAX];
	refund_time again = REFUND_TIME_NONE;

	if (refund_time_format(t, utc_offset, buf, sizeof(buf)) != 0 ||
	    refund_time_parse(buf, &again) != 0 || again != t)
		abort();
	if (refund_time_format(t, utc_offset, buf, strlen(buf)) != REFUND_ERANGE)
		abort();
}

/* The civil date of t, back to a time, is t's midnight. */
static void check_date(refund_time t)
{
	int year = 0, month = 0, day = 0, weekday = -1;
	refund_time midnight = REFUND_TIME_NONE;

	if (refund_time_to_date(t, 0, &year, &month, &day, &weekday) != 0 ||
	    refund_time_from_date(year, month, day, &midnight) != 0 ||
	    midnight != t - t % DAY || weekday < 0 || weekday > 6 ||
	    weekday != (int)((t / DAY + 4) % 7)) /* 1970-01-01 was a Thursday */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	refund_time t = REFUND_TIME_NONE, untouched = 12345;
	char *text = fuzz_cstring(data, size);
	int rc;

	if (!text)
		return 0;
	rc = refund_time_parse(text, &t);
	if (rc != 0) {
		if (rc != REFUND_EPARSE || t != REFUND_TIME_NONE)
			abort();
		/* A failed parse leaves *out untouched. */
		if (refund_time_parse(text, &untouched) != rc || untouched != 12345)
			abort();
	} else {
		if (t < REFUND_TIME_MIN || t > REFUND_TIME_MAX)
			abort();
		check_round_trip(t, 0);
		if (t <= REFUND_TIME_MAX - 8 * 3600)
			check_round_trip(t, 8 * 3600);
		if (t >= 5 * 3600 + 30 * 60)
			check_round_trip(t, -(5 * 3600 + 30 * 60));
		check_date(t);
	}
	free(text);
	return 0;
}
