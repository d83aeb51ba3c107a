/* Tests for src/calendar.c and src/calendar_cn.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>

#include "calendar_cn.h"
#include "fixture.h"

#define CN_OFFSET 28800
#define DAY INT64_C(86400)

static uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

static refund_time at(const char *iso)
{
	refund_time t;

	if (refund_time_parse(iso, &t) != 0)
		fail_msg("bad test time '%s'", iso);
	return t;
}

static refund_calendar *builtin(fixture *f, const char *name)
{
	refund_calendar *c = NULL;

	assert_int_equal(refund_calendar_builtin(f->engine, &c, name), 0);
	assert_non_null(c);
	return c;
}

static int business(const refund_calendar *c, const char *iso)
{
	int out = -1;

	assert_int_equal(refund_calendar_is_business_day(c, at(iso), &out), 0);
	return out;
}

/* t + n business days, as ISO text in the calendar's offset. */
static void expect_add(const refund_calendar *c, const char *from, int32_t n, const char *want)
{
	refund_time out = -1;
	int32_t between = 0;

	assert_int_equal(refund_calendar_add_business_days(c, at(from), n, &out), 0);
	if (out != at(want)) {
		char got[REFUND_TIME_FORMAT_MAX];

		refund_time_format(out, refund_calendar_utc_offset(c), got, sizeof(got));
		fail_msg("%s + %d business days: got %s, want %s", from, (int)n, got, want);
	}
	assert_int_equal(refund_calendar_business_days_between(c, at(from), out, &between), 0);
	assert_int_equal(between, n);
}

static void expect_uncovered_add(fixture *f, const refund_calendar *c, const char *from,
		int32_t n, const char *year)
{
	refund_time out = 42;

	assert_int_equal(refund_calendar_add_business_days(c, at(from), n, &out),
			REFUND_ECALENDAR);
	assert_int_equal(out, 42);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), year));
}

static refund_calendar *parse_ok(fixture *f, const char *text)
{
	refund_calendar *c = NULL;
	int rc = refund_calendar_parse(f->engine, &c, text, strlen(text));

	if (rc != 0)
		fail_msg("parse failed (%d): %s", rc, refund_engine_errmsg(f->engine));
	return c;
}

/* ---- creation and accessors ---- */

static void test_new(void **state)
{
	fixture *f = *state;
	refund_calendar *c = NULL;
	int bd;

	assert_int_equal(refund_calendar_new(f->engine, &c, "Shop hours", -18000,
				REFUND_WEEKDAY_BIT(0)), 0);
	assert_string_equal(refund_calendar_name(c), "Shop hours");
	assert_int_equal(refund_calendar_utc_offset(c), -18000);
	/* Only Sunday is off, and every year is covered. */
	assert_int_equal(refund_calendar_is_business_day(c, at("2025-10-04T12:00-05:00"), &bd), 0);
	assert_int_equal(bd, 1);
	assert_int_equal(refund_calendar_is_business_day(c, at("2025-10-05T12:00-05:00"), &bd), 0);
	assert_int_equal(bd, 0);
	assert_int_equal(refund_calendar_is_business_day(c, at("1970-01-01T02:00Z"), &bd), 0);
	assert_int_equal(bd, 1);  /* local 1969-12-31, a Wednesday */
	refund_calendar_free(c);

	c = NULL;
	assert_int_equal(refund_calendar_new(f->engine, &c, "12345678901234567890123456789012",
				0, 0), 0);
	assert_int_equal(strlen(refund_calendar_name(c)), 32);
	refund_calendar_free(c);
	refund_calendar_free(NULL);

	assert_string_equal(refund_calendar_name(NULL), "");
	assert_int_equal(refund_calendar_utc_offset(NULL), 0);
}

static void test_new_refusals(void **state)
{
	fixture *f = *state;
	long live0 = f->fa.live;
	refund_calendar *c = (refund_calendar *)&c, *orig = c;

	assert_int_equal(refund_calendar_new(NULL, &c, "X", 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, NULL, "X", 0, 0), REFUND_EINVAL);
	assert_string_equal(refund_engine_errmsg(f->engine), "output pointer is NULL");
	assert_int_equal(refund_calendar_new(f->engine, &c, NULL, 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "", 0, 0), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "calendar name"));
	assert_int_equal(refund_calendar_new(f->engine, &c,
				"123456789012345678901234567890123", 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "tab\there", 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "\xe4\xb8\xad", 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "del\x7f", 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", 86400, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", -86341, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", 28830, 0), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "28830"));
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", 0, 0x7F), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", 0, 0x80), REFUND_EINVAL);
	assert_int_equal(refund_calendar_new(f->engine, &c, "X", 0, 0x100u | 1u), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "weekend"));
	assert_ptr_equal(c, orig);
	assert_int_equal(f->fa.live, live0);
}

static void test_builtin_refusals(void **state)
{
	fixture *f = *state;
	long live0 = f->fa.live;
	refund_calendar *c = (refund_calendar *)&c, *orig = c;

	assert_int_equal(refund_calendar_builtin(NULL, &c, "CN"), REFUND_EINVAL);
	assert_int_equal(refund_calendar_builtin(f->engine, NULL, "CN"), REFUND_EINVAL);
	assert_int_equal(refund_calendar_builtin(f->engine, &c, NULL), REFUND_EINVAL);
	assert_int_equal(refund_calendar_builtin(f->engine, &c, "cn"), REFUND_ENOTFOUND);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "'cn'"));
	assert_int_equal(refund_calendar_builtin(f->engine, &c, "HK"), REFUND_ENOTFOUND);
	assert_int_equal(refund_calendar_builtin(f->engine, &c, ""), REFUND_ENOTFOUND);
	assert_int_equal(refund_calendar_builtin(f->engine, &c, "\x1b[2J"), REFUND_ENOTFOUND);
	/* Control characters are not echoed back. */
	assert_null(strchr(refund_engine_errmsg(f->engine), '\x1b'));
	assert_ptr_equal(c, orig);
	assert_int_equal(f->fa.live, live0);
}

/* ---- China ---- */

/* The calendar day by day against QuantLib's China calendar (SSE holidays
 * on weekdays, IB working weekends), mmdd. */
typedef struct cn_year {
	int year;
	int weekday_holidays[24];
	int weekend_workdays[10];
} cn_year;

static const cn_year cn_years[] = {
	{ 2024,
	  { 101, 212, 213, 214, 215, 216, 404, 405, 501, 502, 503, 610, 916, 917,
	    1001, 1002, 1003, 1004, 1007, 0 },
	  { 204, 218, 407, 428, 511, 914, 929, 1012, 0 } },
	{ 2025,
	  { 101, 128, 129, 130, 131, 203, 204, 404, 501, 502, 505, 602,
	    1001, 1002, 1003, 1006, 1007, 1008, 0 },
	  { 126, 208, 427, 928, 1011, 0 } },
	{ 2026,
	  { 101, 102, 216, 217, 218, 219, 220, 223, 406, 501, 504, 505, 619, 925,
	    1001, 1002, 1005, 1006, 1007, 0 },
	  { 104, 214, 228, 509, 920, 1010, 0 } },
};

static int in_list(const int *list, int mmdd)
{
	for (; *list; list++)
		if (*list == mmdd)
			return 1;
	return 0;
}

static void test_cn_every_day(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");
	static const int32_t totals[] = { 251, 248, 248 };
	size_t i;

	assert_string_equal(refund_calendar_name(c), "CN");
	assert_int_equal(refund_calendar_utc_offset(c), CN_OFFSET);
	for (i = 0; i < 3; i++) {
		const cn_year *y = &cn_years[i];
		refund_time start, t, end;
		int32_t count = 0, between;

		assert_int_equal(refund_time_from_date(y->year, 1, 1, &start), 0);
		t = start;
		assert_int_equal(refund_time_from_date(y->year + 1, 1, 1, &end), 0);
		for (; t < end; t += DAY) {
			int year, month, day, weekday, want, got;
			int mmdd;

			/* Noon in China. */
			assert_int_equal(refund_time_to_date(t, 0, &year, &month, &day, &weekday), 0);
			mmdd = month * 100 + day;
			want = weekday == 0 || weekday == 6 ? in_list(y->weekend_workdays, mmdd)
				: !in_list(y->weekday_holidays, mmdd);
			assert_int_equal(refund_calendar_is_business_day(c, t + 4 * 3600, &got), 0);
			if (got != want)
				fail_msg("%d-%02d-%02d: business %d, want %d", year, month, day,
						got, want);
			count += got;
		}
		/* Every New Year's Day is a holiday: counting after it is the year. */
		assert_int_equal(refund_calendar_business_days_between(c, start, end - DAY,
					&between), 0);
		assert_int_equal(between, totals[i]);
		assert_int_equal(count, totals[i]);
	}
	refund_calendar_free(c);
}

static void test_cn_national_day_2025(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");

	assert_int_equal(business(c, "2025-09-28T10:00+08:00"), 1);  /* Sunday, 调休 */
	assert_int_equal(business(c, "2025-09-30T10:00+08:00"), 1);
	assert_int_equal(business(c, "2025-10-01T10:00+08:00"), 0);
	assert_int_equal(business(c, "2025-10-08T10:00+08:00"), 0);
	assert_int_equal(business(c, "2025-10-09T10:00+08:00"), 1);
	assert_int_equal(business(c, "2025-10-11T10:00+08:00"), 1);  /* Saturday, 调休 */
	assert_int_equal(business(c, "2025-10-12T10:00+08:00"), 0);
	expect_add(c, "2025-09-30T10:00+08:00", 1, "2025-10-09T10:00+08:00");
	expect_add(c, "2025-09-26T17:30+08:00", 1, "2025-09-28T17:30+08:00");
	expect_add(c, "2025-09-27T09:00+08:00", 1, "2025-09-28T09:00+08:00");
	expect_add(c, "2025-09-28T09:00+08:00", 2, "2025-09-30T09:00+08:00");
	expect_add(c, "2025-09-28T09:00+08:00", 3, "2025-10-09T09:00+08:00");
	expect_add(c, "2025-10-01T09:00+08:00", 1, "2025-10-09T09:00+08:00");
	expect_add(c, "2025-10-09T09:00+08:00", 2, "2025-10-11T09:00+08:00");
	expect_add(c, "2025-10-09T09:00+08:00", 3, "2025-10-13T09:00+08:00");
	expect_add(c, "2025-09-30T10:00+08:00", 0, "2025-09-30T10:00+08:00");
	expect_add(c, "2025-10-03T10:00+08:00", 0, "2025-10-03T10:00+08:00");
	refund_calendar_free(c);
}

static void test_cn_spring_festival_2025(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");

	assert_int_equal(business(c, "2025-01-26T10:00+08:00"), 1);  /* Sunday, 调休 */
	assert_int_equal(business(c, "2025-01-27T10:00+08:00"), 1);
	assert_int_equal(business(c, "2025-01-28T10:00+08:00"), 0);
	assert_int_equal(business(c, "2025-02-04T10:00+08:00"), 0);
	assert_int_equal(business(c, "2025-02-05T10:00+08:00"), 1);
	assert_int_equal(business(c, "2025-02-08T10:00+08:00"), 1);  /* Saturday, 调休 */
	assert_int_equal(business(c, "2025-02-09T10:00+08:00"), 0);
	expect_add(c, "2025-01-24T18:00+08:00", 1, "2025-01-26T18:00+08:00");
	expect_add(c, "2025-01-26T18:00+08:00", 1, "2025-01-27T18:00+08:00");
	expect_add(c, "2025-01-27T18:00+08:00", 1, "2025-02-05T18:00+08:00");
	expect_add(c, "2025-02-07T18:00+08:00", 1, "2025-02-08T18:00+08:00");
	expect_add(c, "2025-02-08T18:00+08:00", 1, "2025-02-10T18:00+08:00");
	expect_add(c, "2025-01-20T08:00+08:00", 10, "2025-02-08T08:00+08:00");
	expect_add(c, "2025-01-20T08:00+08:00", 11, "2025-02-10T08:00+08:00");
	refund_calendar_free(c);
}

static void test_cn_2024_2026(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");

	/* 2024-02-09 (除夕) is a working day in the State Council's notice. */
	assert_int_equal(business(c, "2024-02-09T10:00+08:00"), 1);
	assert_int_equal(business(c, "2024-02-04T10:00+08:00"), 1);
	assert_int_equal(business(c, "2024-02-18T10:00+08:00"), 1);
	assert_int_equal(business(c, "2024-10-07T10:00+08:00"), 0);
	assert_int_equal(business(c, "2024-10-12T10:00+08:00"), 1);
	expect_add(c, "2024-02-09T10:00+08:00", 1, "2024-02-18T10:00+08:00");
	expect_add(c, "2024-09-13T10:00+08:00", 1, "2024-09-14T10:00+08:00");
	expect_add(c, "2024-09-14T10:00+08:00", 1, "2024-09-18T10:00+08:00");
	expect_add(c, "2024-04-30T10:00+08:00", 1, "2024-05-06T10:00+08:00");
	assert_int_equal(business(c, "2026-02-14T10:00+08:00"), 1);
	assert_int_equal(business(c, "2026-02-23T10:00+08:00"), 0);
	assert_int_equal(business(c, "2026-02-28T10:00+08:00"), 1);
	assert_int_equal(business(c, "2026-09-25T10:00+08:00"), 0);
	assert_int_equal(business(c, "2026-10-10T10:00+08:00"), 1);
	expect_add(c, "2026-02-13T10:00+08:00", 1, "2026-02-14T10:00+08:00");
	expect_add(c, "2026-02-14T10:00+08:00", 1, "2026-02-24T10:00+08:00");
	expect_add(c, "2026-09-30T10:00+08:00", 1, "2026-10-08T10:00+08:00");
	refund_calendar_free(c);
}

static void test_cn_year_boundaries(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");

	expect_add(c, "2025-12-31T10:00+08:00", 1, "2026-01-04T10:00+08:00");
	expect_add(c, "2025-12-31T10:00+08:00", 2, "2026-01-05T10:00+08:00");
	expect_add(c, "2026-01-04T10:00+08:00", -1, "2025-12-31T10:00+08:00");
	expect_add(c, "2024-12-31T10:00+08:00", 1, "2025-01-02T10:00+08:00");
	expect_add(c, "2024-12-30T23:59:59+08:00", 2, "2025-01-02T23:59:59+08:00");
	expect_add(c, "2024-01-02T10:00+08:00", 0, "2024-01-02T10:00+08:00");
	expect_add(c, "2026-12-30T10:00+08:00", 1, "2026-12-31T10:00+08:00");
	refund_calendar_free(c);
}

static void test_cn_local_offset(void **state)
{
	fixture *f = *state;
	refund_calendar *cn = builtin(f, "CN");
	refund_calendar *utc = builtin(f, "WEEKEND");

	/* 20:00 UTC on Tuesday Sep 30 is already Oct 1 in China. */
	assert_int_equal(business(cn, "2025-09-30T20:00Z"), 0);
	assert_int_equal(business(utc, "2025-09-30T20:00Z"), 1);
	assert_int_equal(business(cn, "2025-09-30T15:59:59Z"), 1);
	assert_int_equal(business(cn, "2025-09-30T16:00Z"), 0);
	expect_add(cn, "2025-09-30T20:00Z", 1, "2025-10-08T20:00Z");
	expect_add(cn, "2025-09-30T15:59:59Z", 1, "2025-10-09T15:59:59Z");
	expect_add(utc, "2025-09-30T20:00Z", 1, "2025-10-01T20:00Z");
	/* 2026-12-31T16:00Z is 2027 in China but 2026 in UTC. */
	assert_int_equal(business(utc, "2026-12-31T16:00Z"), 1);
	refund_calendar_free(cn);
	refund_calendar_free(utc);
}

static void test_cn_fail_closed(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");
	refund_time out = 42;
	int32_t n = 42;
	int bd = 42;

	expect_uncovered_add(f, c, "2026-12-31T10:00+08:00", 1, "2027");
	expect_uncovered_add(f, c, "2026-12-25T10:00+08:00", 5, "2027-01-01");
	expect_add(c, "2026-12-25T10:00+08:00", 4, "2026-12-31T10:00+08:00");
	expect_uncovered_add(f, c, "2026-12-31T16:00Z", 0, "2027");
	expect_uncovered_add(f, c, "2023-12-29T10:00+08:00", 1, "2023");
	expect_uncovered_add(f, c, "2023-12-31T23:59+08:00", 0, "2023");
	expect_uncovered_add(f, c, "2024-01-02T10:00+08:00", -1, "2023-12-31");
	expect_uncovered_add(f, c, "2025-06-01T10:00+08:00", 3660, "2027");
	expect_uncovered_add(f, c, "2025-06-01T10:00+08:00", -3660, "2023");
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "covers 2024 to 2026"));

	assert_int_equal(refund_calendar_is_business_day(c, at("2027-01-04T10:00+08:00"), &bd),
			REFUND_ECALENDAR);
	assert_int_equal(refund_calendar_is_business_day(c, at("2023-12-31T15:59:59Z"), &bd),
			REFUND_ECALENDAR);
	assert_int_equal(bd, 42);
	assert_int_equal(refund_calendar_business_days_between(c, at("2023-12-29T10:00+08:00"),
				at("2024-01-05T10:00+08:00"), &n), REFUND_ECALENDAR);
	assert_int_equal(refund_calendar_business_days_between(c, at("2026-12-29T10:00+08:00"),
				at("2027-01-05T10:00+08:00"), &n), REFUND_ECALENDAR);
	assert_int_equal(refund_calendar_business_days_between(c, at("2025-01-05T10:00+08:00"),
				at("2023-12-05T10:00+08:00"), &n), REFUND_ECALENDAR);
	assert_int_equal(n, 42);
	/* A time in covered years is fine even with the result checked again. */
	assert_int_equal(refund_calendar_add_business_days(c, at("2026-12-30T10:00+08:00"), 1,
				&out), 0);
	assert_int_equal(out, at("2026-12-31T10:00+08:00"));
	refund_calendar_free(c);

	/* Chinese messages too. */
	c = builtin(f, "CN");
	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_ZH_CN), 0);
	out = 42;
	assert_int_equal(refund_calendar_add_business_days(c, at("2026-12-31T10:00+08:00"), 1,
				&out), REFUND_ECALENDAR);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "缺少 2027-01-01"));
	refund_calendar_free(c);
}

static void test_negative_counts(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");

	expect_add(c, "2025-10-09T10:00+08:00", -1, "2025-09-30T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -1, "2025-10-11T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -2, "2025-10-10T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -3, "2025-10-09T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -4, "2025-09-30T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -6, "2025-09-28T10:00+08:00");
	expect_add(c, "2025-10-13T10:00+08:00", -7, "2025-09-26T10:00+08:00");
	expect_add(c, "2025-10-05T10:00+08:00", -1, "2025-09-30T10:00+08:00");
	expect_add(c, "2025-02-10T10:00+08:00", -1, "2025-02-08T10:00+08:00");
	expect_add(c, "2025-02-08T10:00+08:00", -1, "2025-02-07T10:00+08:00");
	expect_add(c, "2025-02-08T10:00+08:00", -3, "2025-02-05T10:00+08:00");
	expect_add(c, "2025-02-05T10:00+08:00", -1, "2025-01-27T10:00+08:00");
	refund_calendar_free(c);
}

/* ---- the weekend calendar ---- */

static void test_weekend_calendar(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "WEEKEND");
	refund_time out = 42;
	int32_t n = 0;

	assert_string_equal(refund_calendar_name(c), "WEEKEND");
	assert_int_equal(refund_calendar_utc_offset(c), 0);
	expect_add(c, "2025-10-03T15:00Z", 1, "2025-10-06T15:00Z");
	expect_add(c, "2025-10-04T15:00Z", 1, "2025-10-06T15:00Z");
	expect_add(c, "2025-10-06T15:00Z", -1, "2025-10-03T15:00Z");
	expect_add(c, "1970-01-01T00:00Z", 1, "1970-01-02T00:00Z");
	expect_add(c, "1970-01-02T00:00Z", -1, "1970-01-01T00:00Z");
	expect_add(c, "9999-12-30T23:59:59Z", 1, "9999-12-31T23:59:59Z");
	expect_add(c, "2000-01-03T08:00Z", 3660, "2014-01-13T08:00Z");
	expect_add(c, "2014-01-13T08:00Z", -3660, "2000-01-03T08:00Z");
	expect_add(c, "2099-12-31T08:00Z", 1, "2100-01-01T08:00Z");
	assert_int_equal(business(c, "2000-02-29T12:00Z"), 1);
	assert_int_equal(business(c, "2100-01-02T12:00Z"), 0);
	assert_int_equal(refund_calendar_business_days_between(c, at("1999-12-31T00:00Z"),
				at("2000-12-31T23:00Z"), &n), 0);
	assert_int_equal(n, 260);
	assert_int_equal(refund_calendar_business_days_between(c, at("1970-01-01T00:00Z"),
				at("9999-12-31T23:59:59Z"), &n), 0);
	assert_int_equal(n, 2094926);

	/* Past the last accepted time: the dates exist, the times do not. */
	assert_int_equal(refund_calendar_add_business_days(c, at("9999-12-31T00:00Z"), 1, &out),
			REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, at("1970-01-01T00:00Z"), -1, &out),
			REFUND_EINVAL);
	assert_int_equal(out, 42);
	refund_calendar_free(c);

	/* West of UTC the first local day is 1969-12-31, covered when every year is. */
	assert_int_equal(refund_calendar_new(f->engine, &c, "W", -3600, REFUND_WEEKEND_SAT_SUN), 0);
	expect_add(c, "1970-01-01T00:00Z", 1, "1970-01-01T23:00-01:00");
	assert_int_equal(refund_calendar_add_business_days(c, at("1970-01-01T00:30Z"), -1, &out),
			REFUND_EINVAL);
	refund_calendar_free(c);
}

static void test_business_day_refusals(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "WEEKEND");
	refund_time out = 42, t = at("2025-10-01T00:00Z");
	int32_t n = 42;
	int bd = 42;

	assert_int_equal(refund_calendar_is_business_day(NULL, t, &bd), REFUND_EINVAL);
	assert_int_equal(refund_calendar_is_business_day(c, t, NULL), REFUND_EINVAL);
	assert_int_equal(refund_calendar_is_business_day(c, -1, &bd), REFUND_EINVAL);
	assert_int_equal(refund_calendar_is_business_day(c, REFUND_TIME_MAX + 1, &bd),
			REFUND_EINVAL);
	assert_int_equal(bd, 42);

	assert_int_equal(refund_calendar_add_business_days(NULL, t, 1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, t, 1, NULL), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, -1, 1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, REFUND_TIME_NONE, 1, &out),
			REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, t, 3661, &out), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "3661"));
	assert_int_equal(refund_calendar_add_business_days(c, t, -3661, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_business_days(c, t, INT32_MIN, &out), REFUND_EINVAL);
	assert_int_equal(out, 42);
	assert_int_equal(refund_calendar_add_business_days(c, t, 3660, &out), 0);
	assert_int_equal(refund_calendar_add_business_days(c, t, -3660, &out), 0);

	assert_int_equal(refund_calendar_business_days_between(NULL, t, t, &n), REFUND_EINVAL);
	assert_int_equal(refund_calendar_business_days_between(c, t, t, NULL), REFUND_EINVAL);
	assert_int_equal(refund_calendar_business_days_between(c, -1, t, &n), REFUND_EINVAL);
	assert_int_equal(refund_calendar_business_days_between(c, t, REFUND_TIME_MAX + 1, &n),
			REFUND_EINVAL);
	assert_int_equal(n, 42);
	assert_int_equal(refund_calendar_business_days_between(c, t, t + 3600, &n), 0);
	assert_int_equal(n, 0);
	refund_calendar_free(c);
}

static void test_add_days(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");
	refund_time out = 42, t = at("2025-09-30T10:00+08:00");

	/* Calendar days ignore holidays and coverage. */
	assert_int_equal(refund_calendar_add_days(c, t, 1, &out), 0);
	assert_int_equal(out, at("2025-10-01T10:00+08:00"));
	assert_int_equal(refund_calendar_add_days(c, t, -700, &out), 0);
	assert_int_equal(out, t - 700 * DAY);
	assert_int_equal(refund_calendar_add_days(c, t, 0, &out), 0);
	assert_int_equal(out, t);
	assert_int_equal(refund_calendar_add_days(c, REFUND_TIME_MAX - DAY, 1, &out), 0);
	assert_int_equal(out, REFUND_TIME_MAX);
	assert_int_equal(refund_calendar_add_days(c, DAY, -1, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(refund_calendar_add_days(c, 0, INT32_MAX / 1000, &out), 0);
	out = 42;
	assert_int_equal(refund_calendar_add_days(c, REFUND_TIME_MAX, 1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, 0, -1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, t, INT32_MAX, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, t, INT32_MIN, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, -1, 1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, REFUND_TIME_MAX + 1, -1, &out), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(c, t, 1, NULL), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_days(NULL, t, 1, &out), REFUND_EINVAL);
	assert_int_equal(out, 42);
	refund_calendar_free(c);
}

/* between(t, add(t, n)) == n, and additivity, over many seeded starts. */
static void test_between_consistency(void **state)
{
	fixture *f = *state;
	refund_calendar *cn = builtin(f, "CN");
	refund_calendar *we = builtin(f, "WEEKEND");
	uint64_t rng = 20251001;
	refund_time lo = at("2024-01-01T00:00+08:00"), span = 3 * 365 * DAY;
	int i, uncovered = 0;

	for (i = 0; i < 3000; i++) {
		refund_time t = lo + (refund_time)(rng_next(&rng) % (uint64_t)span), r, r2;
		int32_t n = (int32_t)(rng_next(&rng) % 301) - 150, m = (int32_t)(rng_next(&rng) % 50);
		int32_t b = 0;
		int rc = refund_calendar_add_business_days(cn, t, n, &r);

		if (rc == REFUND_ECALENDAR) {
			uncovered++;
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal((r - t) % DAY, 0);
		assert_int_equal(refund_calendar_business_days_between(cn, t, r, &b), 0);
		assert_int_equal(b, n);
		if (n > 0 && refund_calendar_add_business_days(cn, r, m, &r2) == 0) {
			assert_int_equal(refund_calendar_business_days_between(cn, t, r2, &b), 0);
			assert_int_equal(b, n + m);
		}
	}
	assert_true(uncovered > 0 && uncovered < 1500);
	for (i = 0; i < 300; i++) {
		refund_time t = (refund_time)(rng_next(&rng) % (uint64_t)REFUND_TIME_MAX), r;
		int32_t n = (int32_t)(rng_next(&rng) % 7321) - 3660, b = 0;

		if (refund_calendar_add_business_days(we, t, n, &r) != 0) {
			assert_true(t < 20 * 366 * DAY || t > REFUND_TIME_MAX - 20 * 366 * DAY);
			continue;
		}
		assert_int_equal(refund_calendar_business_days_between(we, t, r, &b), 0);
		assert_int_equal(b, n);
	}
	refund_calendar_free(cn);
	refund_calendar_free(we);
}

/* ---- holidays, workdays and years by hand ---- */

static void test_add_holiday_workday(void **state)
{
	fixture *f = *state;
	refund_calendar *c = NULL;
	long count;

	assert_int_equal(refund_calendar_new(f->engine, &c, "HK", CN_OFFSET,
				REFUND_WEEKEND_SAT_SUN), 0);
	/* Out of order: the list stays sorted for the bisection. */
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 12, 25), 0);
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 1, 1), 0);
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 7, 1), 0);
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 12, 26), 0);
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 10, 1), 0);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 10, 11), 0);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 9, 28), 0);
	assert_int_equal(business(c, "2025-01-01T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-07-01T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-10-01T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-12-25T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-12-26T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-10-02T12:00+08:00"), 1);
	assert_int_equal(business(c, "2025-09-28T12:00+08:00"), 1);
	assert_int_equal(business(c, "2025-10-11T12:00+08:00"), 1);
	assert_int_equal(business(c, "2025-10-12T12:00+08:00"), 0);
	expect_add(c, "2025-12-24T12:00+08:00", 1, "2025-12-29T12:00+08:00");

	/* Twice is a no-op that allocates nothing. */
	count = f->fa.count;
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 7, 1), 0);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 9, 28), 0);
	assert_int_equal(f->fa.count, count);

	/* Both at once is refused, either way round. */
	assert_int_equal(refund_calendar_add_workday(c, 2025, 7, 1), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "2025-07-01 is a holiday"));
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 9, 28), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "2025-09-28"));
	assert_int_equal(business(c, "2025-07-01T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-09-28T12:00+08:00"), 1);

	assert_int_equal(refund_calendar_add_holiday(NULL, 2025, 1, 2), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_workday(NULL, 2025, 1, 4), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_holiday(c, 2025, 2, 29), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_holiday(c, 1969, 12, 31), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_holiday(c, 10000, 1, 1), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 13, 1), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 4, 31), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_workday(c, 2025, 1, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_add_holiday(c, 1970, 1, 1), 0);
	assert_int_equal(refund_calendar_add_workday(c, 9999, 12, 31), 0);
	refund_calendar_free(c);
}

static void test_set_years(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "WEEKEND");
	int bd = 42;

	assert_int_equal(refund_calendar_set_years(c, 2025, 2025), 0);
	assert_int_equal(business(c, "2025-01-01T00:00Z"), 1);
	assert_int_equal(business(c, "2025-12-31T23:59:59Z"), 1);
	assert_int_equal(refund_calendar_is_business_day(c, at("2026-01-01T00:00Z"), &bd),
			REFUND_ECALENDAR);
	assert_int_equal(refund_calendar_is_business_day(c, at("2024-12-31T23:59:59Z"), &bd),
			REFUND_ECALENDAR);
	assert_int_equal(bd, 42);
	assert_int_equal(refund_calendar_set_years(NULL, 2025, 2026), REFUND_EINVAL);
	assert_int_equal(refund_calendar_set_years(c, 1969, 2026), REFUND_EINVAL);
	assert_int_equal(refund_calendar_set_years(c, 2025, 10000), REFUND_EINVAL);
	assert_int_equal(refund_calendar_set_years(c, 2026, 2025), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "2026 to 2025"));
	/* Nothing changed by the refusals. */
	assert_int_equal(refund_calendar_is_business_day(c, at("2026-01-01T00:00Z"), &bd),
			REFUND_ECALENDAR);
	assert_int_equal(refund_calendar_set_years(c, 1970, 9999), 0);
	assert_int_equal(business(c, "2026-01-01T00:00Z"), 1);
	refund_calendar_free(c);
}

/* ---- the text form ---- */

static const char sample[] =
	"\xEF\xBB\xBF# a sample calendar\r\n"
	"name  Sample-1\t# trailing comment\r\n"
	"\r\n"
	"   offset -05:30\n"
	"weekend fri sat\n"
	"years 2025 2026\n"
	"holiday 2025-12-25\n"
	"holiday 2025-12-31 2026-01-01   # 跨年\n"
	"holiday 2025-12-25 2025-12-25\n"
	"workday 2026-01-02\n"
	"\t\n"
	"# no newline at the end\n"
	"workday 2025-10-03";

static void test_parse_sample(void **state)
{
	fixture *f = *state;
	refund_calendar *c = parse_ok(f, sample);
	int bd = 42;

	assert_string_equal(refund_calendar_name(c), "Sample-1");
	assert_int_equal(refund_calendar_utc_offset(c), -19800);
	assert_int_equal(business(c, "2025-10-02T12:00-05:30"), 1);  /* Thursday */
	assert_int_equal(business(c, "2025-10-03T12:00-05:30"), 1);  /* Friday, a workday */
	assert_int_equal(business(c, "2025-10-04T12:00-05:30"), 0);  /* Saturday */
	assert_int_equal(business(c, "2025-10-05T12:00-05:30"), 1);  /* Sunday works */
	assert_int_equal(business(c, "2025-12-25T12:00-05:30"), 0);
	assert_int_equal(business(c, "2025-12-31T12:00-05:30"), 0);
	assert_int_equal(business(c, "2026-01-01T12:00-05:30"), 0);
	assert_int_equal(business(c, "2026-01-02T12:00-05:30"), 1);  /* Friday, a workday */
	assert_int_equal(refund_calendar_is_business_day(c, at("2027-01-01T12:00-05:30"), &bd),
			REFUND_ECALENDAR);
	refund_calendar_free(c);

	/* Defaults: Saturday and Sunday off, every year. */
	c = parse_ok(f, "offset +00:00\nname D\nholiday 1970-01-01\nworkday 9999-12-25");
	assert_int_equal(business(c, "1970-01-01T12:00Z"), 0);
	assert_int_equal(business(c, "1970-01-02T12:00Z"), 1);
	assert_int_equal(business(c, "1970-01-03T12:00Z"), 0);
	assert_int_equal(business(c, "2023-06-01T12:00Z"), 1);
	assert_int_equal(business(c, "9999-12-25T12:00Z"), 1);  /* a Saturday */
	refund_calendar_free(c);

	c = parse_ok(f, "name N\noffset +00:00\nweekend none\n");
	assert_int_equal(business(c, "2025-10-04T12:00Z"), 1);
	assert_int_equal(business(c, "2025-10-05T12:00Z"), 1);
	refund_calendar_free(c);

	/* The longest range: 366 days. */
	c = parse_ok(f, "name N\noffset +00:00\nyears 2024 2026\nholiday 2024-01-01 2024-12-31\n"
			"holiday 2025-01-01 2026-01-01\n");
	assert_int_equal(business(c, "2026-01-01T12:00Z"), 0);
	assert_int_equal(business(c, "2026-01-02T12:00Z"), 1);
	refund_calendar_free(c);
}

static void test_parse_long_lines(void **state)
{
	fixture *f = *state;
	size_t size = 1u << 20, n = 0;
	char *text = malloc(size);
	refund_calendar *c = NULL;

	assert_non_null(text);
	n += (size_t)sprintf(text + n, "name L\noffset +08:00\n# ");
	memset(text + n, 'x', size - n - 40);
	n = size - 40;
	n += (size_t)sprintf(text + n, "\nholiday 2025-10-01 2025-10-08");
	memset(text + n, ' ', size - n);
	/* Exactly 1 MiB, not NUL-terminated: ASan catches any read past it. */
	assert_int_equal(refund_calendar_parse(f->engine, &c, text, size), 0);
	assert_int_equal(business(c, "2025-10-08T12:00+08:00"), 0);
	refund_calendar_free(c);
	c = NULL;
	assert_int_equal(refund_calendar_parse(f->engine, &c, text, size + 1), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "1 MiB"));
	assert_null(c);
	free(text);
}

typedef struct parse_case {
	const char *text;
	const char *message;  /* expected in refund_engine_errmsg() */
} parse_case;

static void test_parse_errors(void **state)
{
	static const parse_case cases[] = {
		{ "name CN\noffset +08:00\nholiday\n",
		  "line 3: expected a date YYYY-MM-DD after 'holiday'" },
		{ "name CN\noffset +08:00\nworkday   # none\n",
		  "line 3: expected a date YYYY-MM-DD after 'workday'" },
		{ "name CN\noffset +08:00\n\nholiday 2025-13-01\n",
		  "line 4: expected a date YYYY-MM-DD after 'holiday', found '2025-13-01'" },
		{ "name CN\noffset +08:00\nholiday 2025-02-29\n",
		  "line 3: expected a date YYYY-MM-DD after 'holiday', found '2025-02-29'" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01 10-08\n",
		  "line 3: expected a date YYYY-MM-DD after 'holiday', found '10-08'" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01x\n",
		  "found '2025-10-01x'" },
		{ "name CN\noffset +08:00\nholiday 1969-12-31\n",
		  "line 3: 1969-12-31 is outside the calendar's years 1970 to 9999" },
		{ "name CN\noffset +08:00\nholiday 2025-10-08 2025-10-01\n",
		  "line 3: the range ends before it starts" },
		{ "name CN\noffset +08:00\nholiday 2025-01-01 2026-01-02\n",
		  "line 3: a range is at most 366 days long" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01 2025-10-08 2025-10-09\n",
		  "line 3: unexpected '2025-10-09' at the end of the line" },
		{ "name CN\noffset +08:00\nyears 2025 2025\nholiday 2024-12-31\n",
		  "line 4: 2024-12-31 is outside the calendar's years 2025 to 2025" },
		{ "name CN\noffset +08:00\nyears 2025 2025\nholiday 2025-12-30 2026-01-01\n",
		  "line 4: 2026-01-01 is outside the calendar's years 2025 to 2025" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01 2025-10-08\nworkday 2025-10-05\n",
		  "line 4: 2025-10-05 cannot be both a holiday and a workday" },
		{ "name CN\noffset +08:00\nworkday 2025-10-05\nholiday 2025-10-01 2025-10-08\n",
		  "line 4: 2025-10-05 cannot be both a holiday and a workday" },
		{ "", "the calendar text has no 'name' line" },
		{ "# only a comment\n\n", "the calendar text has no 'name' line" },
		{ "name CN\n", "the calendar text has no 'offset' line" },
		{ "offset +08:00\n", "the calendar text has no 'name' line" },
		{ "weekend sat sun\nname CN\noffset +08:00\n",
		  "line 1: expected 'name' and 'offset' before 'weekend'" },
		{ "name CN\nyears 2024 2026\noffset +08:00\n",
		  "line 2: expected 'name' and 'offset' before 'years'" },
		{ "name CN\nholiday 2025-01-01\noffset +08:00\n",
		  "line 2: expected 'name' and 'offset' before 'holiday'" },
		{ "name CN\noffset +08:00\nname CN\n", "line 3: a second 'name' line" },
		{ "name CN\noffset +08:00\noffset +08:00\n", "line 3: a second 'offset' line" },
		{ "name CN\noffset +08:00\nweekend sat\nweekend sun\n",
		  "line 4: a second 'weekend' line" },
		{ "name CN\noffset +08:00\nyears 2024 2026\nyears 2024 2026\n",
		  "line 4: a second 'years' line" },
		{ "name CN\noffset +08:00\nholiday 2025-01-01\nyears 2024 2026\n",
		  "line 4: 'years' must come before the first holiday or workday" },
		{ "name CN\noffset +08:00\nworkday 2025-01-04\nweekend sat\n",
		  "line 4: 'weekend' must come before the first holiday or workday" },
		{ "name CN\noffset +08:00\nholidays 2025-01-01\n",
		  "line 3: unknown keyword 'holidays'; expected name, offset, weekend" },
		{ "name CN\noffset +08:00\nHOLIDAY 2025-01-01\n", "line 3: unknown keyword 'HOLIDAY'" },
		{ "name CN\noffset +08:00\n节日 2025-01-01\n", "line 3: unknown keyword '节日'" },
		{ "name\n", "line 1: expected a name of 1 to 32 printable ASCII characters" },
		{ "name 123456789012345678901234567890123\n", "line 1: expected a name" },
		{ "name 中国\n", "line 1: expected a name" },
		{ "name C N\n", "line 1: unexpected 'N' at the end of the line" },
		{ "name CN\noffset\n", "line 2: expected a UTC offset +HH:MM or -HH:MM after 'offset'" },
		{ "name CN\noffset 08:00\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +8:00\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +0800\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +24:00\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset -08:60\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset Z\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +08:00:00\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +08:0x\n", "line 2: expected a UTC offset" },
		{ "name CN\noffset +08:00 +09:00\n", "line 2: unexpected '+09:00'" },
		{ "name CN\noffset +08:00\nweekend\n",
		  "line 3: expected day names (sun mon tue wed thu fri sat) or 'none' after 'weekend'" },
		{ "name CN\noffset +08:00\nweekend sat sunday\n",
		  "line 3: expected day names (sun mon tue wed thu fri sat) or 'none' after "
		  "'weekend', found 'sunday'" },
		{ "name CN\noffset +08:00\nweekend none sat\n", "line 3: expected day names" },
		{ "name CN\noffset +08:00\nweekend sun mon tue wed thu fri sat\n",
		  "line 3: the weekend cannot be all seven days" },
		{ "name CN\noffset +08:00\nyears\n",
		  "line 3: expected the first covered year (1970 to 9999) after 'years'" },
		{ "name CN\noffset +08:00\nyears 1969 2026\n", "line 3: expected the first covered" },
		{ "name CN\noffset +08:00\nyears 20245 2026\n", "line 3: expected the first covered" },
		{ "name CN\noffset +08:00\nyears 2024\n",
		  "line 3: expected the last covered year (1970 to 9999) after 2024" },
		{ "name CN\noffset +08:00\nyears 2024 10000\n", "line 3: expected the last covered" },
		{ "name CN\noffset +08:00\nyears 2024 20x6\n", "line 3: expected the last covered" },
		{ "name CN\noffset +08:00\nyears 2026 2024\n",
		  "line 3: the last year 2024 is before the first year 2026" },
		{ "name CN\noffset +08:00\nyears 2024 2026 2027\n", "line 3: unexpected '2027'" },
		{ "name CN\noffset +08:00\n# bad \xff byte\n", "line 3: invalid UTF-8" },
		{ "name CN\xc0\xaf\n", "line 1: invalid UTF-8" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01 \xed\xa0\x80\n", "line 3: invalid UTF-8" },
		{ "name CN\noffset +08:00\nholiday 2025-10-01 \xe4\xb8\n", "line 3: invalid UTF-8" },
		{ "name CN\n\n\n\noffset +08:00\nholiday 2025-10-01 2025-10-0\n",
		  "line 6: expected a date" },
		{ "name CN\r\noffset +08:00\r\nholiday 2025-10-32\r\n",
		  "line 3: expected a date YYYY-MM-DD after 'holiday', found '2025-10-32'" },
		{ "name CN\noffset +08:00\nunknown-keyword-that-is-much-longer-than-the-quote-limit-"
		  "of-forty-bytes\n",
		  "unknown keyword 'unknown-keyword-that-is-much-longer-than...'" },
		{ "name CN\noffset +08:00\nholiday \x01\x02\n", "found '...'" },
	};
	fixture *f = *state;
	long live0 = f->fa.live;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		refund_calendar *c = (refund_calendar *)&c, *orig = c;
		int rc = refund_calendar_parse(f->engine, &c, cases[i].text, strlen(cases[i].text));

		if (rc != REFUND_EPARSE)
			fail_msg("case %zu: rc %d, want REFUND_EPARSE", i, rc);
		if (!strstr(refund_engine_errmsg(f->engine), cases[i].message))
			fail_msg("case %zu: message '%s', want '%s'", i,
					refund_engine_errmsg(f->engine), cases[i].message);
		assert_ptr_equal(c, orig);
		assert_int_equal(f->fa.live, live0);
	}
}

static void test_parse_nul_and_arguments(void **state)
{
	fixture *f = *state;
	long live0 = f->fa.live;
	static const char with_nul[] = "name CN\noffset +08:00\nholiday 2025-10-01\0\n";
	refund_calendar *c = (refund_calendar *)&c, *orig = c;

	assert_int_equal(refund_calendar_parse(f->engine, &c, with_nul, sizeof(with_nul) - 1),
			REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine), "line 3: a NUL byte");
	assert_int_equal(refund_calendar_parse(f->engine, &c, "\0name CN", 8), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine), "line 1: a NUL byte");
	assert_int_equal(refund_calendar_parse(NULL, &c, "name CN", 7), REFUND_EINVAL);
	assert_int_equal(refund_calendar_parse(f->engine, NULL, "name CN", 7), REFUND_EINVAL);
	assert_int_equal(refund_calendar_parse(f->engine, &c, NULL, 0), REFUND_EINVAL);
	assert_int_equal(refund_calendar_parse(f->engine, &c, "name CN",
				((size_t)1 << 20) + 1), REFUND_EINVAL);
	/* A size shorter than the text: only that much is read. */
	assert_int_equal(refund_calendar_parse(f->engine, &c, "name CN\noffset +08:00\nname X",
				20), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine), "line 2: expected a UTC offset "
			"+HH:MM or -HH:MM after 'offset'");
	assert_ptr_equal(c, orig);

	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_ZH_CN), 0);
	assert_int_equal(refund_calendar_parse(f->engine, &c, "name CN\noffset +08:00\nholiday\n",
				30), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"第 3 行：“holiday”后应为日期 YYYY-MM-DD");
	assert_ptr_equal(c, orig);
	assert_int_equal(f->fa.live, live0);
}

/* The built-in text, cut anywhere and with bytes flipped: parsed or
 * refused, never a crash, a read past the end or a leak. */
static void test_parse_hostile(void **state)
{
	fixture *f = *state;
	long live0 = f->fa.live;
	refund_calendar *cn = builtin(f, "CN"), *c;
	uint64_t rng = 7;
	size_t size, i, n;
	char *text, *copy;
	const char *src;
	int accepted = 0;

	/* The same text from a host parses to the same calendar. */
	refund_calendar_free(cn);
	src = refund__calendar_cn_text(&size);
	text = malloc(size);
	assert_non_null(text);
	memcpy(text, src, size);
	for (n = 0; n <= size; n += 7) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, text, n);
		c = NULL;
		switch (refund_calendar_parse(f->engine, &c, copy, n)) {
		case 0:
			accepted++;
			refund_calendar_free(c);
			break;
		case REFUND_EPARSE:
			assert_true(strncmp(refund_engine_errmsg(f->engine), "line ", 5) == 0 ||
					strncmp(refund_engine_errmsg(f->engine), "the calendar", 12) == 0);
			break;
		default:
			fail_msg("prefix %zu", n);
		}
		free(copy);
	}
	assert_true(accepted > 0);
	for (i = 0; i < 3000; i++) {
		size_t k, flips = 1 + rng_next(&rng) % 4;

		memcpy(text, src, size);
		for (k = 0; k < flips; k++) {
			static const char bytes[] = "0123456789- \n#\0\xff\xe4:+abcdefghijklmnopqrstuvwxyz";

			text[rng_next(&rng) % size] = bytes[rng_next(&rng) % (sizeof(bytes) - 1)];
		}
		c = NULL;
		switch (refund_calendar_parse(f->engine, &c, text, size)) {
		case 0:
			refund_calendar_free(c);
			break;
		case REFUND_EPARSE:
			break;
		default:
			fail_msg("mutation %zu", i);
		}
		assert_int_equal(f->fa.live, live0);
	}
	free(text);
}

/* ---- allocation failures ---- */

typedef int (*make_fn)(fixture *f, refund_calendar **out);

static int make_cn(fixture *f, refund_calendar **out)
{
	return refund_calendar_builtin(f->engine, out, "CN");
}

static int make_weekend(fixture *f, refund_calendar **out)
{
	return refund_calendar_builtin(f->engine, out, "WEEKEND");
}

static int make_parsed(fixture *f, refund_calendar **out)
{
	/* No years line: the day sets span 1970..9999. */
	static const char text[] = "name P\noffset +01:00\nholiday 2025-01-01 2025-01-03\n"
		"workday 2025-01-04\n";

	return refund_calendar_parse(f->engine, out, text, sizeof(text) - 1);
}

static int make_new(fixture *f, refund_calendar **out)
{
	return refund_calendar_new(f->engine, out, "N", 0, REFUND_WEEKEND_SAT_SUN);
}

static void check_alloc_failures(fixture *f, make_fn make, long min_allocations)
{
	long k, live = f->fa.live;
	int rc;

	for (k = 1;; k++) {
		refund_calendar *c = (refund_calendar *)&c, *orig = c;

		failalloc_arm(&f->fa, k, 0);
		rc = make(f, &c);
		if (f->fa.failures == 0) {
			assert_int_equal(rc, 0);
			refund_calendar_free(c);
			break;
		}
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(c, orig);
		assert_int_equal(f->fa.live, live);
	}
	failalloc_disarm(&f->fa);
	assert_true(k > min_allocations);
	assert_int_equal(f->fa.live, live);
}

static void test_alloc_failures_create(void **state)
{
	fixture *f = *state;

	check_alloc_failures(f, make_cn, 5);
	check_alloc_failures(f, make_weekend, 1);
	check_alloc_failures(f, make_parsed, 5);
	check_alloc_failures(f, make_new, 1);
}

static void test_alloc_failures_add(void **state)
{
	fixture *f = *state;
	refund_calendar *c = builtin(f, "CN");
	long k, live;
	int bd, day, rc;

	for (day = 0; day < 2; day++) {
		for (k = 1;; k++) {
			live = f->fa.live;
			failalloc_arm(&f->fa, k, 0);
			rc = day == 0 ? refund_calendar_add_holiday(c, 2025, 3, 3)
				: refund_calendar_add_workday(c, 2025, 3, 8);
			if (f->fa.failures == 0) {
				assert_int_equal(rc, 0);
				break;
			}
			assert_int_equal(rc, REFUND_ENOMEM);
			assert_string_equal(refund_engine_errmsg(f->engine), "out of memory");
			assert_int_equal(f->fa.live, live);
			/* Nothing changed. */
			assert_int_equal(refund_calendar_is_business_day(c, at(day == 0 ?
						"2025-03-03T12:00+08:00" : "2025-03-08T12:00+08:00"),
						&bd), 0);
			assert_int_equal(bd, day == 0);
		}
		failalloc_disarm(&f->fa);
		assert_true(k > 1);
	}
	assert_int_equal(business(c, "2025-03-03T12:00+08:00"), 0);
	assert_int_equal(business(c, "2025-03-08T12:00+08:00"), 1);
	refund_calendar_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_new_refusals, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_builtin_refusals, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_every_day, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_national_day_2025, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_spring_festival_2025, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_2024_2026, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_year_boundaries, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_local_offset, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_cn_fail_closed, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_negative_counts, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_weekend_calendar, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_business_day_refusals, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_add_days, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_between_consistency, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_add_holiday_workday, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_years, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_sample, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_long_lines, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_errors, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_nul_and_arguments, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_hostile, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_create, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_add, fixture_setup,
				fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
