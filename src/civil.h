/*
 * Internal: civil (proleptic Gregorian) date arithmetic shared by time.c and
 * calendar.c.  Days are counted from 1970-01-01 (day 0) and may be negative.
 * Named civil.h, not time.h: src/ is on the include path, where a time.h
 * would shadow the C library's <time.h>.
 */
#ifndef REFUND_SRC_CIVIL_H
#define REFUND_SRC_CIVIL_H

#include <stddef.h>
#include <stdint.h>

#define REFUND__SECONDS_PER_DAY INT64_C(86400)
/* UTC offsets are -23:59..+23:59. */
#define REFUND__UTC_OFFSET_MAX 86340
#define REFUND__YEAR_MIN 1970
#define REFUND__YEAR_MAX 9999

/* Howard Hinnant's days_from_civil: any year, month 1..12, day 1..31. */
int64_t refund__days_from_civil(int64_t year, int month, int day);
/* Howard Hinnant's civil_from_days; any output may be NULL. */
void refund__civil_from_days(int64_t days, int *year, int *month, int *day);
/* 0 = Sunday .. 6 = Saturday. */
int refund__weekday_from_days(int64_t days);
/* Floor division for a positive divisor (C rounds towards zero). */
int64_t refund__floor_div(int64_t a, int64_t b);

/* 1 if the fields form a real date of a year 0..9999, else 0. */
int refund__date_exists(int year, int month, int day);
/* 1 if the fields form a real date of a year 1970..9999, else 0. */
int refund__date_valid(int year, int month, int day);
/* 1 if the offset is -86340..86340 seconds, else 0. */
int refund__utc_offset_valid(int32_t utc_offset);

/*
 * Parse exactly `YYYY-MM-DD` from s[0..n) (n must be 10; s need not be
 * NUL-terminated).  Checks that the date exists, not its year range.
 * Returns 1 and sets the fields, or 0.
 */
int refund__parse_date(const char *s, size_t n, int *year, int *month, int *day);

/* Write `YYYY-MM-DD` and a NUL into buf[11] (year 0..9999). */
void refund__format_date(char buf[11], int year, int month, int day);

#endif
