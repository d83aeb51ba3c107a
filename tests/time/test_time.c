/* Tests for src/time.c: ISO 8601 parse and format, civil dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>

/* A small seeded generator, so failures reproduce. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static refund_time parsed(const char *text)
{
	refund_time t = -1;

	assert_int_equal(refund_time_parse(text, &t), 0);
	return t;
}

static void test_parse_accepted_forms(void **state)
{
	(void)state;
	assert_int_equal(parsed("1970-01-01"), 0);
	assert_int_equal(parsed("2025-10-01"), 1759276800);
	assert_int_equal(parsed("2025-10-01T00:00Z"), 1759276800);
	assert_int_equal(parsed("2025-10-01T00:00:00Z"), 1759276800);
	assert_int_equal(parsed("2025-10-01 00:00:00Z"), 1759276800);
	assert_int_equal(parsed("2025-09-30T20:00Z"), 1759262400);
	assert_int_equal(parsed("2025-10-01T08:30:15+08:00"), 1759278615);
	assert_int_equal(parsed("2025-10-01 08:30+08:00"), 1759278600);
	assert_int_equal(parsed("2025-10-01T08:30-05:30"), 1759327200);
	assert_int_equal(parsed("2025-10-01T00:00+00:00"), 1759276800);
	assert_int_equal(parsed("2025-10-01T00:00-00:00"), 1759276800);
	assert_int_equal(parsed("2025-10-01T23:59:59+23:59"), 1759276800 + 86399 - 86340);
	assert_int_equal(parsed("2024-02-29"), 1709164800);
	assert_int_equal(parsed("2000-02-29T12:00Z"), 951782400 + 43200);
	assert_int_equal(parsed("9999-12-31T23:59:59Z"), REFUND_TIME_MAX);
	assert_int_equal(parsed("9999-12-31"), 253402214400);
	/* A local date before 1970 is fine when the instant is not. */
	assert_int_equal(parsed("1969-12-31T19:00:00-05:00"), 0);
}

static void test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"", "2025", "2025-10", "2025-10-1", "25-10-01", "2025/10/01", "2025-1-01",
		"2025-10-01T", "2025-10-01T08", "2025-10-01T08:00", "2025-10-01 08:00",
		"2025-10-01T08:00:00", "2025-10-01T8:00Z", "2025-10-01T08:0Z",
		"2025-10-01T08:00:0Z", "2025-10-01t08:00Z", "2025-10-01T08:00z",
		"2025-10-01Z", "2025-10-01T08:00+8:00", "2025-10-01T08:00+0800",
		"2025-10-01T08:00+08", "2025-10-01T08:00+24:00", "2025-10-01T08:00+08:60",
		"2025-10-01T08:00 Z", "2025-10-01T08:00Z ", "2025-10-01T08:00Zjunk",
		"2025-10-01T08:00:00.5Z", "2025-10-01x", "2025-10-01 ", " 2025-10-01",
		"2025-10-01T08:00+08:00x", "+2025-10-01", "2025-13-01", "2025-00-01",
		"2025-10-00", "2025-10-32", "2025-04-31", "2025-02-29", "2023-02-29",
		"2100-02-29", "1900-02-29", "2025-02-30", "2025-10-01T24:00Z",
		"2025-10-01T23:60Z", "2025-10-01T23:59:60Z", "1969-12-31",
		"1969-12-31T23:59:59Z", "1970-01-01T00:00+00:01", "0000-01-01",
		"9999-12-31T23:59:59-00:01", "9999-12-31T23:59-01:00", "10000-01-01",
		"２０２５-10-01", "2025-10-01T08:00Z\n",
	};
	refund_time t = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (refund_time_parse(bad[i], &t) != REFUND_EPARSE)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(refund_time_parse(NULL, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_parse("2025-10-01", NULL), REFUND_EINVAL);
	assert_int_equal(t, 42);
}

/* Every prefix of an accepted text is refused or parses: nothing reads past
 * the NUL (ASan checks the bytes). */
static void test_parse_prefixes(void **state)
{
	static const char *const texts[] = {
		"2025-10-01T08:30:15+08:00", "2025-10-01 08:30Z", "2025-10-01T08:30-05:30",
	};
	char buf[64];
	refund_time t;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		for (n = 0; n < strlen(texts[i]); n++) {
			int rc;

			memcpy(buf, texts[i], n);
			buf[n] = '\0';
			rc = refund_time_parse(buf, &t);
			assert_true(rc == 0 ? n == 10 : rc == REFUND_EPARSE);
		}
	}
}

static void formatted(refund_time t, int32_t offset, const char *want)
{
	char buf[REFUND_TIME_FORMAT_MAX];

	assert_int_equal(refund_time_format(t, offset, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_format(void **state)
{
	(void)state;
	formatted(1759276800 + 8 * 3600, 0, "2025-10-01T08:00:00Z");
	formatted(1759276800, 28800, "2025-10-01T08:00:00+08:00");
	formatted(1759262400, 28800, "2025-10-01T04:00:00+08:00");
	formatted(1759327200, -19800, "2025-10-01T08:30:00-05:30");
	formatted(0, 0, "1970-01-01T00:00:00Z");
	formatted(0, -18000, "1969-12-31T19:00:00-05:00");
	formatted(0, -86340, "1969-12-31T00:01:00-23:59");
	formatted(REFUND_TIME_MAX, 0, "9999-12-31T23:59:59Z");
	formatted(REFUND_TIME_MAX, -3600, "9999-12-31T22:59:59-01:00");
	formatted(1709164800 + 86399, 0, "2024-02-29T23:59:59Z");
	formatted(1759278615, 28800, "2025-10-01T08:30:15+08:00");
}

static void test_format_refusals(void **state)
{
	char buf[REFUND_TIME_FORMAT_MAX];
	char small[25];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(refund_time_format(0, 0, NULL, 32), REFUND_EINVAL);
	assert_int_equal(refund_time_format(-1, 0, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(refund_time_format(REFUND_TIME_MAX + 1, 0, buf, sizeof(buf)),
			REFUND_EINVAL);
	assert_int_equal(refund_time_format(REFUND_TIME_NONE, 0, buf, sizeof(buf)),
			REFUND_EINVAL);
	assert_int_equal(refund_time_format(0, 86400, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(refund_time_format(0, -86400, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(refund_time_format(0, 86341, buf, sizeof(buf)), REFUND_EINVAL);
	assert_int_equal(refund_time_format(0, 30, buf, sizeof(buf)), REFUND_EINVAL);
	/* The local date would be in year 10000, which has no 4-digit form. */
	assert_int_equal(refund_time_format(REFUND_TIME_MAX, 60, buf, sizeof(buf)),
			REFUND_EINVAL);
	assert_int_equal(buf[0], 'x');
	/* 20 characters and a NUL for Z, 25 and a NUL with an offset. */
	assert_int_equal(refund_time_format(0, 0, buf, 0), REFUND_ERANGE);
	assert_int_equal(refund_time_format(0, 0, buf, 20), REFUND_ERANGE);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(refund_time_format(0, 0, buf, 21), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	memset(small, 'x', sizeof(small));
	assert_int_equal(refund_time_format(0, 3600, small, sizeof(small)), REFUND_ERANGE);
	assert_int_equal(small[0], 'x');
	assert_int_equal(refund_time_format(0, 3600, buf, 26), 0);
	assert_string_equal(buf, "1970-01-01T01:00:00+01:00");
}

static void test_round_trips(void **state)
{
	uint64_t rng = 0x9E3779B97F4A7C15u;
	char buf[REFUND_TIME_FORMAT_MAX], date[16];
	int i, refused = 0;

	(void)state;
	for (i = 0; i < 200000; i++) {
		refund_time t = (refund_time)(rng_next(&rng) % (uint64_t)(REFUND_TIME_MAX + 1));
		int32_t offset = (int32_t)(rng_next(&rng) % 2879) * 60 - 86340;
		refund_time back = -1;
		int year, month, day, rc;

		if (i % 3 == 0)
			offset = 0;
		if (i % 7 == 0)
			t = REFUND_TIME_MAX - (refund_time)(rng_next(&rng) % 200000);
		rc = refund_time_format(t, offset, buf, sizeof(buf));
		if (rc == REFUND_EINVAL) {
			/* Only the last hours with an offset east of UTC. */
			assert_true(offset > 0 && t > REFUND_TIME_MAX - offset);
			refused++;
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(strlen(buf), offset == 0 ? 20 : 25);
		assert_int_equal(refund_time_parse(buf, &back), 0);
		assert_int_equal(back, t);
		assert_int_equal(refund_time_to_date(t, offset, &year, &month, &day, NULL), 0);
		snprintf(date, sizeof(date), "%04d-%02d-%02d", year, month, day);
		assert_memory_equal(buf, date, 10);
	}
	assert_true(refused > 0);
}

static void test_from_date(void **state)
{
	refund_time t = 42;

	(void)state;
	assert_int_equal(refund_time_from_date(1970, 1, 1, &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(refund_time_from_date(2000, 2, 29, &t), 0);
	assert_int_equal(t, 951782400);
	assert_int_equal(refund_time_from_date(2024, 2, 29, &t), 0);
	assert_int_equal(t, 1709164800);
	assert_int_equal(refund_time_from_date(2025, 10, 1, &t), 0);
	assert_int_equal(t, 1759276800);
	assert_int_equal(refund_time_from_date(9999, 12, 31, &t), 0);
	assert_int_equal(t, 253402214400);
	t = 42;
	assert_int_equal(refund_time_from_date(2025, 10, 1, NULL), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(1969, 12, 31, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(10000, 1, 1, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 0, 1, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 13, 1, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 1, 0, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 1, 32, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 4, 31, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2025, 2, 29, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(2100, 2, 29, &t), REFUND_EINVAL);
	assert_int_equal(refund_time_from_date(-2025, 1, 1, &t), REFUND_EINVAL);
	assert_int_equal(t, 42);
}

static void test_to_date(void **state)
{
	int year = 0, month = 0, day = 0, weekday = -1;

	(void)state;
	assert_int_equal(refund_time_to_date(0, 0, &year, &month, &day, &weekday), 0);
	assert_true(year == 1970 && month == 1 && day == 1 && weekday == 4);
	assert_int_equal(refund_time_to_date(951782400, 0, &year, &month, &day, &weekday), 0);
	assert_true(year == 2000 && month == 2 && day == 29 && weekday == 2);
	assert_int_equal(refund_time_to_date(1759276800, 0, &year, &month, &day, &weekday), 0);
	assert_true(year == 2025 && month == 10 && day == 1 && weekday == 3);
	assert_int_equal(refund_time_to_date(REFUND_TIME_MAX, 0, &year, &month, &day,
				&weekday), 0);
	assert_true(year == 9999 && month == 12 && day == 31 && weekday == 5);
	/* 2025-09-30T20:00Z is a Tuesday in UTC and Wednesday Oct 1 in China. */
	assert_int_equal(refund_time_to_date(1759262400, 0, &year, &month, &day, &weekday), 0);
	assert_true(year == 2025 && month == 9 && day == 30 && weekday == 2);
	assert_int_equal(refund_time_to_date(1759262400, 28800, &year, &month, &day,
				&weekday), 0);
	assert_true(year == 2025 && month == 10 && day == 1 && weekday == 3);
	/* West of UTC the first instant is on New Year's Eve 1969, a Wednesday. */
	assert_int_equal(refund_time_to_date(0, -3600, &year, &month, &day, &weekday), 0);
	assert_true(year == 1969 && month == 12 && day == 31 && weekday == 3);
	assert_int_equal(refund_time_to_date(REFUND_TIME_MAX, 3600, &year, NULL, NULL, NULL), 0);
	assert_int_equal(year, 10000);
	assert_int_equal(refund_time_to_date(1759276800, 0, NULL, NULL, &day, NULL), 0);
	assert_int_equal(day, 1);

	year = 7;
	assert_int_equal(refund_time_to_date(-1, 0, &year, NULL, NULL, NULL), REFUND_EINVAL);
	assert_int_equal(refund_time_to_date(REFUND_TIME_MAX + 1, 0, &year, NULL, NULL, NULL),
			REFUND_EINVAL);
	assert_int_equal(refund_time_to_date(0, 86341, &year, NULL, NULL, NULL), REFUND_EINVAL);
	assert_int_equal(refund_time_to_date(0, -86341, &year, NULL, NULL, NULL), REFUND_EINVAL);
	assert_int_equal(year, 7);
}

/* Every day of 1970..9999 in order: consecutive times, fields and weekdays
 * agree between from_date, to_date and parse. */
static void test_every_day(void **state)
{
	static const int lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	refund_time expected = 0, t;
	int year, month, day, weekday = 4, y, m, d, w;
	char text[32];  /* room for any int, so -O0 builds see no truncation */

	(void)state;
	for (year = 1970; year <= 9999; year++) {
		int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

		for (month = 1; month <= 12; month++) {
			int length = lengths[month - 1] + (month == 2 && leap);

			for (day = 1; day <= length; day++) {
				assert_int_equal(refund_time_from_date(year, month, day, &t), 0);
				assert_int_equal(t, expected);
				assert_int_equal(refund_time_to_date(t + 86399, 0, &y, &m, &d, &w), 0);
				if (y != year || m != month || d != day || w != weekday)
					fail_msg("%d-%d-%d", year, month, day);
				expected += 86400;
				weekday = (weekday + 1) % 7;
			}
			assert_int_equal(refund_time_from_date(year, month, length + 1, &t),
					REFUND_EINVAL);
			if (year % 97 == 0) {
				snprintf(text, sizeof(text), "%04d-%02d-%02d", year, month, length);
				assert_int_equal(refund_time_parse(text, &t), 0);
				assert_int_equal(t, expected - 86400);
			}
		}
	}
	assert_int_equal(expected, REFUND_TIME_MAX + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepted_forms),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_parse_prefixes),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_refusals),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_from_date),
		cmocka_unit_test(test_to_date),
		cmocka_unit_test(test_every_day),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
