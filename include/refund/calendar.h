/**
 * @file refund/calendar.h
 * @brief refund_calendar: business days, weekends, holidays, make-up days.
 *
 * Deadlines are counted in a calendar: N calendar days, or N business days
 * where a business day is a day that is not a weekend day and not a holiday,
 * or that is a make-up working day (调休: a weekend day declared a working
 * day).  Dates are taken in the calendar's UTC offset (+08:00 for China).
 *
 * A calendar knows which years it has data for.  Counting business days into
 * a year it has no data for fails with REFUND_ECALENDAR: the library never
 * guesses a deadline (fail closed).  A calendar made with
 * refund_calendar_new() covers every year until refund_calendar_set_years()
 * narrows it.
 *
 * Built-in calendars (refund_calendar_builtin()):
 * - `"CN"`: mainland China, UTC+08:00, Saturday and Sunday off, public
 *   holidays and make-up working days of 2024, 2025 and 2026 as published in
 *   the State Council General Office's annual notices (国务院办公厅关于
 *   部分节假日安排的通知); covers 2024 to 2026 only.
 * - `"WEEKEND"`: UTC, Saturday and Sunday off, no holidays, every year.
 */
#ifndef REFUND_CALENDAR_H
#define REFUND_CALENDAR_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A calendar.  Opaque. */
typedef struct refund_calendar refund_calendar;

/** Weekend mask bits, by weekday (0 = Sunday). */
#define REFUND_WEEKDAY_BIT(weekday) (1u << (weekday))

/** Saturday and Sunday. */
#define REFUND_WEEKEND_SAT_SUN (REFUND_WEEKDAY_BIT(6) | REFUND_WEEKDAY_BIT(0))

/** Longest calendar name, in bytes, without the NUL. */
#define REFUND_CALENDAR_NAME_MAX 32

/**
 * Create an empty calendar: only the weekend is off, every year covered.
 *
 * @param engine the engine whose allocator it uses; must outlive it.
 * @param out receives the calendar; free with refund_calendar_free().
 * @param name 1 to ::REFUND_CALENDAR_NAME_MAX printable ASCII bytes; copied.
 * @param utc_offset seconds east of UTC in which dates are taken,
 *        -86340..86340, whole minutes.
 * @param weekend_mask ::REFUND_WEEKDAY_BIT of each day off; not all seven.
 * @return 0; REFUND_EINVAL; REFUND_ENOMEM.
 */
REFUND_API int refund_calendar_new(refund_engine *engine, refund_calendar **out,
		const char *name, int32_t utc_offset, unsigned int weekend_mask);

/**
 * Create a copy of a built-in calendar ("CN" or "WEEKEND", see above).
 *
 * @param engine the engine whose allocator it uses; must outlive it.
 * @param out receives the calendar; free with refund_calendar_free().
 * @param name the built-in's name.
 * @return 0; REFUND_EINVAL for NULL arguments; REFUND_ENOTFOUND for an
 *         unknown name; REFUND_ENOMEM.
 */
REFUND_API int refund_calendar_builtin(refund_engine *engine, refund_calendar **out,
		const char *name);

/**
 * Create a calendar from its text form, so a host can load next year's
 * holidays as soon as they are published.  The format, line by line (`#`
 * starts a comment, blank lines are ignored, UTF-8):
 *
 *     name CN
 *     offset +08:00
 *     weekend sat sun
 *     years 2024 2026
 *     holiday 2025-10-01 2025-10-08
 *     workday 2025-09-28
 *
 * `name` and `offset` are required and come first (in either order);
 * `weekend` (day names, or `none`) defaults to sat sun; `years` (first and
 * last covered year) defaults to every year; each of these four appears at
 * most once, before the first `holiday` or `workday`.  `holiday` and
 * `workday` take one date or an inclusive range of at most 366 days, inside
 * the covered years.  A date both holiday and workday is an error.  A
 * UTF-8 byte-order mark and CRLF line ends are accepted.
 *
 * @param engine the engine; a parse error is described on it with its line.
 * @param out receives the calendar.
 * @param text the text (need not be NUL-terminated).
 * @param size bytes in @p text, at most 1 MiB.
 * @return 0; REFUND_EINVAL for NULL arguments or more than 1 MiB;
 *         REFUND_EPARSE; REFUND_ENOMEM.
 */
REFUND_API int refund_calendar_parse(refund_engine *engine, refund_calendar **out,
		const char *text, size_t size);

/**
 * Free a calendar.  NULL is a no-op.
 *
 * @param calendar the calendar; invalid afterwards.
 */
REFUND_API void refund_calendar_free(refund_calendar *calendar);

/**
 * The calendar's name.
 *
 * @param calendar the calendar, or NULL.
 * @return a string owned by the calendar, valid until it is freed; "" for NULL.
 */
REFUND_API const char *refund_calendar_name(const refund_calendar *calendar);

/**
 * The calendar's UTC offset.
 *
 * @param calendar the calendar, or NULL.
 * @return seconds east of UTC; 0 for NULL.
 */
REFUND_API int32_t refund_calendar_utc_offset(const refund_calendar *calendar);

/**
 * Narrow the years the calendar has data for.
 *
 * @param calendar the calendar.
 * @param first_year first covered year, 1970..9999.
 * @param last_year last covered year, >= @p first_year.
 * @return 0; REFUND_EINVAL (nothing changed).
 */
REFUND_API int refund_calendar_set_years(refund_calendar *calendar, int first_year,
		int last_year);

/**
 * Declare a public holiday (a day off even if not a weekend day).
 *
 * @param calendar the calendar.
 * @param year 1970 to 9999.
 * @param month 1 to 12.
 * @param day 1 to the month's length.
 * @return 0; REFUND_EINVAL for an invalid date or one already a make-up
 *         working day (nothing changed); REFUND_ENOMEM.
 */
REFUND_API int refund_calendar_add_holiday(refund_calendar *calendar, int year,
		int month, int day);

/**
 * Declare a make-up working day (调休: a working day even if a weekend day).
 *
 * @param calendar the calendar.
 * @param year 1970 to 9999.
 * @param month 1 to 12.
 * @param day 1 to the month's length.
 * @return 0; REFUND_EINVAL for an invalid date or one already a holiday
 *         (nothing changed); REFUND_ENOMEM.
 */
REFUND_API int refund_calendar_add_workday(refund_calendar *calendar, int year,
		int month, int day);

/**
 * Whether the local date of @p t is a business day.
 *
 * @param calendar the calendar.
 * @param t the time.
 * @param out receives 1 or 0.
 * @return 0; REFUND_EINVAL; REFUND_ECALENDAR if the date's year is not covered.
 */
REFUND_API int refund_calendar_is_business_day(const refund_calendar *calendar,
		refund_time t, int *out);

/**
 * @p t plus @p days calendar days (exactly days * 86400 seconds; the
 * calendar's offset has no daylight saving).
 *
 * @param calendar the calendar.
 * @param t the start, REFUND_TIME_MIN..REFUND_TIME_MAX.
 * @param days days to add, may be negative.
 * @param out receives the result.
 * @return 0; REFUND_EINVAL for NULL arguments or a result outside the
 *         accepted times.
 */
REFUND_API int refund_calendar_add_days(const refund_calendar *calendar,
		refund_time t, int32_t days, refund_time *out);

/**
 * @p t moved by @p days business days, keeping its local time of day.
 *
 * Counting starts with the day after @p t's local date: from Friday 15:00,
 * one business day is Monday 15:00 (if Monday is a business day).  Negative
 * @p days count backwards the same way; 0 gives @p t.  Every date examined,
 * the start included, must lie in a covered year.
 *
 * @param calendar the calendar.
 * @param t the start.
 * @param days business days, -3660..3660.
 * @param out receives the result; untouched on failure.
 * @return 0; REFUND_EINVAL (also when counting would leave years 1970 to
 *         9999); REFUND_ECALENDAR if a date examined is not covered.
 */
REFUND_API int refund_calendar_add_business_days(const refund_calendar *calendar,
		refund_time t, int32_t days, refund_time *out);

/**
 * The number of business days after the local date of @p from up to and
 * including the local date of @p to (negative if @p to is earlier): how
 * many business days of a deadline have been used.  It counts in the
 * direction refund_calendar_add_business_days() moves, so
 * between(t, add(t, n)) == n for every n.
 *
 * @param calendar the calendar.
 * @param from the start.
 * @param to the end.
 * @param out receives the count; untouched on failure.
 * @return 0; REFUND_EINVAL; REFUND_ECALENDAR.
 */
REFUND_API int refund_calendar_business_days_between(const refund_calendar *calendar,
		refund_time from, refund_time to, int32_t *out);

/**
 * Give a calendar to the engine, so policies can name it in their
 * deadlines.  The engine owns it from then on and frees it with itself.  A
 * calendar of the same name is replaced, so a host can load a built-in's
 * newer data (say, China 2027) under its built-in name.  The built-in
 * calendars are known to every engine without this call.
 *
 * @param engine the engine.
 * @param calendar a calendar made with this engine; owned by the engine on
 *        success, still the caller's on failure.
 * @return 0; REFUND_EINVAL for NULL arguments or a calendar of another
 *         engine; REFUND_ENOMEM.
 */
REFUND_API int refund_engine_add_calendar(refund_engine *engine, refund_calendar *calendar);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_CALENDAR_H */
