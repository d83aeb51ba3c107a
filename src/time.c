/*
 * Times: ISO 8601 text to and from seconds UTC, and the civil-date
 * arithmetic (Howard Hinnant's algorithms, exact for any year) that the
 * calendar shares through civil.h.
 */
#include <refund/time.h>

#include "civil.h"

int64_t refund__floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t refund__days_from_civil(int64_t year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void refund__civil_from_days(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);

	if (year)
		*year = (int)(yoe + era * 400 + (m <= 2));
	if (month)
		*month = m;
	if (day)
		*day = (int)(doy - (153 * mp + 2) / 5 + 1);
}

int refund__weekday_from_days(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)((days % 7 + 7 + 4) % 7);
}

static int is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
	static const int lengths[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return month == 2 && is_leap(year) ? 29 : lengths[month - 1];
}

int refund__date_exists(int year, int month, int day)
{
	return year >= 0 && year <= REFUND__YEAR_MAX && month >= 1 && month <= 12 &&
		day >= 1 && day <= days_in_month(year, month);
}

int refund__date_valid(int year, int month, int day)
{
	return year >= REFUND__YEAR_MIN && refund__date_exists(year, month, day);
}

int refund__utc_offset_valid(int32_t utc_offset)
{
	return utc_offset >= -REFUND__UTC_OFFSET_MAX && utc_offset <= REFUND__UTC_OFFSET_MAX;
}

static int time_valid(refund_time t)
{
	return t >= REFUND_TIME_MIN && t <= REFUND_TIME_MAX;
}

/*
 * The scanners read one character at a time and stop at the first that
 * does not fit, so they never read past a NUL (or past a 10-byte slice
 * whose length was checked first).
 */
static int scan_digits(const char **p, int count, int *out)
{
	int value = 0, i;

	for (i = 0; i < count; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return 0;
		value = value * 10 + (c - '0');
	}
	*p += count;
	*out = value;
	return 1;
}

static int scan_char(const char **p, char c)
{
	if (**p != c)
		return 0;
	(*p)++;
	return 1;
}

static int scan_date(const char **p, int *year, int *month, int *day)
{
	return scan_digits(p, 4, year) && scan_char(p, '-') && scan_digits(p, 2, month) &&
		scan_char(p, '-') && scan_digits(p, 2, day);
}

/* `THH:MM` or `THH:MM:SS`, with a space allowed for the T. */
static int scan_clock(const char **p, int *seconds_of_day)
{
	int hour, minute, second = 0;

	if (**p != 'T' && **p != ' ')
		return 0;
	(*p)++;
	if (!scan_digits(p, 2, &hour) || !scan_char(p, ':') || !scan_digits(p, 2, &minute))
		return 0;
	if (scan_char(p, ':') && !scan_digits(p, 2, &second))
		return 0;
	if (hour > 23 || minute > 59 || second > 59)
		return 0;
	*seconds_of_day = hour * 3600 + minute * 60 + second;
	return 1;
}

/* `Z`, `+HH:MM` or `-HH:MM`. */
static int scan_zone(const char **p, int32_t *utc_offset)
{
	int sign, hours, minutes;

	if (scan_char(p, 'Z')) {
		*utc_offset = 0;
		return 1;
	}
	if (**p != '+' && **p != '-')
		return 0;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (!scan_digits(p, 2, &hours) || !scan_char(p, ':') || !scan_digits(p, 2, &minutes))
		return 0;
	if (hours > 23 || minutes > 59)
		return 0;
	*utc_offset = sign * (hours * 3600 + minutes * 60);
	return 1;
}

int refund__parse_date(const char *s, size_t n, int *year, int *month, int *day)
{
	const char *p = s;
	int y, m, d;

	if (n != 10 || !scan_date(&p, &y, &m, &d) || !refund__date_exists(y, m, d))
		return 0;
	*year = y;
	*month = m;
	*day = d;
	return 1;
}

int refund_time_parse(const char *text, refund_time *out)
{
	const char *p = text;
	int year, month, day, seconds_of_day = 0;
	int32_t utc_offset = 0;
	int64_t t;

	if (!text || !out)
		return REFUND_EINVAL;
	if (!scan_date(&p, &year, &month, &day) || !refund__date_exists(year, month, day))
		return REFUND_EPARSE;
	/* A date alone is midnight UTC; a clock needs its zone. */
	if (*p != '\0' && (!scan_clock(&p, &seconds_of_day) || !scan_zone(&p, &utc_offset) ||
				*p != '\0'))
		return REFUND_EPARSE;
	t = refund__days_from_civil(year, month, day) * REFUND__SECONDS_PER_DAY +
		seconds_of_day - utc_offset;
	if (!time_valid(t))
		return REFUND_EPARSE;
	*out = t;
	return 0;
}

static char *put_digits(char *p, int value, int count)
{
	int i;

	for (i = count - 1; i >= 0; i--) {
		p[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return p + count;
}

void refund__format_date(char buf[11], int year, int month, int day)
{
	char *p = put_digits(buf, year, 4);

	*p++ = '-';
	p = put_digits(p, month, 2);
	*p++ = '-';
	p = put_digits(p, day, 2);
	*p = '\0';
}

int refund_time_format(refund_time t, int32_t utc_offset, char *buf, size_t size)
{
	char text[REFUND_TIME_FORMAT_MAX];
	char *p;
	int64_t local, days;
	int year, month, day, seconds_of_day, offset_minutes;
	size_t len;

	if (!buf || !time_valid(t) || !refund__utc_offset_valid(utc_offset) ||
			utc_offset % 60 != 0)
		return REFUND_EINVAL;
	local = t + utc_offset;
	days = refund__floor_div(local, REFUND__SECONDS_PER_DAY);
	seconds_of_day = (int)(local - days * REFUND__SECONDS_PER_DAY);
	refund__civil_from_days(days, &year, &month, &day);
	/* 9999-12-31T23:00Z east of UTC is in year 10000, which has no
	 * four-digit form and would not parse back. */
	if (year > REFUND__YEAR_MAX)
		return REFUND_EINVAL;
	refund__format_date(text, year, month, day);
	p = text + 10;
	*p++ = 'T';
	p = put_digits(p, seconds_of_day / 3600, 2);
	*p++ = ':';
	p = put_digits(p, seconds_of_day / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, seconds_of_day % 60, 2);
	if (utc_offset == 0) {
		*p++ = 'Z';
	} else {
		offset_minutes = (utc_offset < 0 ? -utc_offset : utc_offset) / 60;
		*p++ = utc_offset < 0 ? '-' : '+';
		p = put_digits(p, offset_minutes / 60, 2);
		*p++ = ':';
		p = put_digits(p, offset_minutes % 60, 2);
	}
	*p = '\0';
	len = (size_t)(p - text);
	if (size <= len)
		return REFUND_ERANGE;
	for (p = text; *p; p++)
		*buf++ = *p;
	*buf = '\0';
	return 0;
}

int refund_time_from_date(int year, int month, int day, refund_time *out)
{
	if (!out || !refund__date_valid(year, month, day))
		return REFUND_EINVAL;
	*out = refund__days_from_civil(year, month, day) * REFUND__SECONDS_PER_DAY;
	return 0;
}

int refund_time_to_date(refund_time t, int32_t utc_offset, int *year, int *month,
		int *day, int *weekday)
{
	int64_t days;

	if (!time_valid(t) || !refund__utc_offset_valid(utc_offset))
		return REFUND_EINVAL;
	days = refund__floor_div(t + utc_offset, REFUND__SECONDS_PER_DAY);
	refund__civil_from_days(days, year, month, day);
	if (weekday)
		*weekday = refund__weekday_from_days(days);
	return 0;
}
