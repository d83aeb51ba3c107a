/**
 * @file refund/time.h
 * @brief Times: ISO 8601 text to and from seconds UTC, civil dates.
 *
 * A ::refund_time is seconds since 1970-01-01T00:00:00Z.  The library
 * accepts times from ::REFUND_TIME_MIN to ::REFUND_TIME_MAX (years 1970 to
 * 9999) and refuses others.
 */
#ifndef REFUND_TIME_H
#define REFUND_TIME_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest buffer refund_time_format() ever needs, with its NUL. */
#define REFUND_TIME_FORMAT_MAX 32

/**
 * Parse an ISO 8601 time.  Accepted forms:
 * `YYYY-MM-DD` (midnight UTC), `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`,
 * each time form followed by `Z` or an offset `+HH:MM` / `-HH:MM` (a time
 * without either is refused as ambiguous); a space may stand for `T`.
 * Fields are range-checked (no February 30, no hour 24, no leap second).
 *
 * @param text the NUL-terminated text.
 * @param out receives the time; untouched on failure.
 * @return 0; REFUND_EINVAL for NULL arguments; REFUND_EPARSE for malformed
 *         text or a time outside 1970..9999.
 */
REFUND_API int refund_time_parse(const char *text, refund_time *out);

/**
 * Format a time as ISO 8601 in the given UTC offset: `2025-10-01T08:00:00Z`
 * for offset 0, `2025-10-01T16:00:00+08:00` for 28800.
 *
 * @param t the time, REFUND_TIME_MIN..REFUND_TIME_MAX.
 * @param utc_offset seconds east of UTC, -86340..86340, whole minutes.
 * @param buf receives the text.
 * @param size bytes in @p buf; ::REFUND_TIME_FORMAT_MAX always suffices.
 * @return 0; REFUND_EINVAL for a NULL buffer or values out of range
 *         (including a local date in year 10000, which four digits cannot
 *         write); REFUND_ERANGE if @p buf is too small.
 */
REFUND_API int refund_time_format(refund_time t, int32_t utc_offset, char *buf,
		size_t size);

/**
 * The time of midnight UTC starting a civil (proleptic Gregorian) date.
 *
 * @param year 1970 to 9999.
 * @param month 1 to 12.
 * @param day 1 to the month's length.
 * @param out receives the time.
 * @return 0; REFUND_EINVAL for NULL @p out or an invalid date.
 */
REFUND_API int refund_time_from_date(int year, int month, int day, refund_time *out);

/**
 * The civil date of a time in the given UTC offset.
 *
 * @param t the time, REFUND_TIME_MIN..REFUND_TIME_MAX.
 * @param utc_offset seconds east of UTC, -86340..86340.
 * @param year receives the year (may be NULL).
 * @param month receives the month, 1 to 12 (may be NULL).
 * @param day receives the day of month, 1 to 31 (may be NULL).
 * @param weekday receives the day of the week, 0 = Sunday .. 6 = Saturday
 *        (may be NULL).
 * @return 0; REFUND_EINVAL for values out of range.
 */
REFUND_API int refund_time_to_date(refund_time t, int32_t utc_offset, int *year,
		int *month, int *day, int *weekday);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_TIME_H */
