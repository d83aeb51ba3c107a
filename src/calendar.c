/*
 * Calendars: which local dates are business days, and deadlines counted in
 * them.  Holidays and make-up working days are sorted arrays of day numbers
 * (days since 1970-01-01 in the calendar's offset), searched by bisection.
 * A date outside the covered years is never guessed at: REFUND_ECALENDAR.
 */
#include <refund/calendar.h>
#include <refund/time.h>

#include <limits.h>
#include <string.h>

#include "calendar_cn.h"
#include "civil.h"
#include "text.h"
#include "engine.h"
#include "utf8.h"

#define RANGE_DAYS_MAX 366
#define BUSINESS_DAYS_MAX 3660
#define ALL_WEEK 0x7Fu
/* Longest piece of hostile text quoted back in a message, in bytes. */
#define QUOTE_MAX 40

typedef struct day_list {
	int32_t *days;  /* ascending, no duplicates */
	size_t n;
} day_list;

struct refund_calendar {
	refund_engine *engine;
	char name[REFUND_CALENDAR_NAME_MAX + 1];
	int32_t utc_offset;
	unsigned int weekend_mask;
	int first_year;  /* INT_MIN..INT_MAX: every year */
	int last_year;
	day_list holidays;
	day_list workdays;
};

/* ---- day lists ---- */

/* Index of the first entry not below day. */
static size_t lower_bound(const day_list *list, int64_t day)
{
	size_t lo = 0, hi = list->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (list->days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int list_contains(const day_list *list, int64_t day)
{
	size_t i = lower_bound(list, day);

	return i < list->n && list->days[i] == day;
}

/* Insert keeping the order; a day already there is a no-op. */
static int list_insert(const refund_allocator *a, day_list *list, int32_t day)
{
	size_t i = lower_bound(list, day);
	int32_t *grown;

	if (i < list->n && list->days[i] == day)
		return 0;
	grown = refund__realloc_array(a, list->days, list->n + 1, sizeof(*grown));
	if (!grown)
		return REFUND_ENOMEM;
	memmove(grown + i + 1, grown + i, (list->n - i) * sizeof(*grown));
	grown[i] = day;
	list->days = grown;
	list->n++;
	return 0;
}

/* ---- argument checks ---- */

static int time_valid(refund_time t)
{
	return t >= REFUND_TIME_MIN && t <= REFUND_TIME_MAX;
}

static int name_char(char c)
{
	return c >= 0x20 && c <= 0x7E;
}

/* 1 to REFUND_CALENDAR_NAME_MAX printable ASCII bytes. */
static int name_valid(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i]; i++)
		if (i >= REFUND_CALENDAR_NAME_MAX || !name_char(name[i]))
			return 0;
	return i > 0;
}

static int calendar_offset_valid(int32_t utc_offset)
{
	return refund__utc_offset_valid(utc_offset) && utc_offset % 60 == 0;
}

static int weekend_valid(unsigned int mask)
{
	return (mask & ~ALL_WEEK) == 0 && mask != ALL_WEEK;
}

/*
 * How many bytes of s[0..n) to quote in a message: whole UTF-8 sequences,
 * no control characters, at most QUOTE_MAX bytes.
 */
static int quote_len(const char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			break;
		len = refund__utf8_sequence((const unsigned char *)s + i, n - i);
		if (len == 0 || i + len > QUOTE_MAX)
			break;
		i += len;
	}
	return (int)i;
}

static const char *quote_more(const char *s, size_t n)
{
	return (size_t)quote_len(s, n) < n ? "..." : "";
}

/* ---- creation ---- */

static refund_calendar *calendar_alloc(refund_engine *e, const char *name, size_t name_len,
		int32_t utc_offset, unsigned int weekend_mask)
{
	refund_calendar *c = refund__calloc(&e->alloc, 1, sizeof(*c));

	if (!c)
		return NULL;
	c->engine = e;
	memcpy(c->name, name, name_len);
	c->name[name_len] = '\0';
	c->utc_offset = utc_offset;
	c->weekend_mask = weekend_mask;
	c->first_year = INT_MIN;
	c->last_year = INT_MAX;
	return c;
}

int refund_calendar_new(refund_engine *engine, refund_calendar **out, const char *name,
		int32_t utc_offset, unsigned int weekend_mask)
{
	refund_calendar *c;

	if (!engine)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(engine, REFUND_EINVAL, "output pointer is NULL",
				"输出指针为空");
	if (!name_valid(name))
		return refund__fail(engine, REFUND_EINVAL,
				"a calendar name is 1 to %d printable ASCII characters",
				"日历名称须为 1 至 %d 个可打印 ASCII 字符",
				REFUND_CALENDAR_NAME_MAX);
	if (!calendar_offset_valid(utc_offset))
		return refund__fail(engine, REFUND_EINVAL,
				"UTC offset %ld s is not whole minutes within -23:59 to +23:59",
				"UTC 偏移 %ld 秒须为 -23:59 至 +23:59 之间的整分钟",
				(long)utc_offset);
	if (!weekend_valid(weekend_mask))
		return refund__fail(engine, REFUND_EINVAL,
				"weekend mask 0x%x must use bits 0 to 6 and leave a working day",
				"周末掩码 0x%x 只能使用第 0 至 6 位，且须保留至少一个工作日",
				weekend_mask);
	c = calendar_alloc(engine, name, strlen(name), utc_offset, weekend_mask);
	if (!c)
		return refund__fail_code(engine, REFUND_ENOMEM);
	*out = c;
	return 0;
}

int refund_calendar_builtin(refund_engine *engine, refund_calendar **out, const char *name)
{
	const char *text;
	size_t size;

	if (!engine)
		return REFUND_EINVAL;
	if (!out || !name)
		return refund__fail(engine, REFUND_EINVAL, "%s is NULL", "%s 为空",
				out ? "name" : "out");
	if (strcmp(name, "CN") == 0) {
		text = refund__calendar_cn_text(&size);
		return refund_calendar_parse(engine, out, text, size);
	}
	if (strcmp(name, "WEEKEND") == 0)
		return refund_calendar_new(engine, out, "WEEKEND", 0, REFUND_WEEKEND_SAT_SUN);
	return refund__fail(engine, REFUND_ENOTFOUND,
			"no built-in calendar '%.*s%s': there are CN and WEEKEND",
			"没有名为“%.*s%s”的内置日历：可用的有 CN 和 WEEKEND",
			quote_len(name, strlen(name)), name, quote_more(name, strlen(name)));
}

void refund_calendar_free(refund_calendar *calendar)
{
	const refund_allocator *a;

	if (!calendar)
		return;
	a = &calendar->engine->alloc;
	refund__free(a, calendar->holidays.days);
	refund__free(a, calendar->workdays.days);
	refund__free(a, calendar);
}

refund_engine *refund__calendar_engine(const refund_calendar *calendar)
{
	return calendar->engine;
}

const char *refund_calendar_name(const refund_calendar *calendar)
{
	return calendar ? calendar->name : "";
}

int32_t refund_calendar_utc_offset(const refund_calendar *calendar)
{
	return calendar ? calendar->utc_offset : 0;
}

int refund_calendar_set_years(refund_calendar *calendar, int first_year, int last_year)
{
	if (!calendar)
		return REFUND_EINVAL;
	if (first_year < REFUND__YEAR_MIN || last_year > REFUND__YEAR_MAX ||
			last_year < first_year)
		return refund__fail(calendar->engine, REFUND_EINVAL,
				"years %d to %d: a calendar covers years within 1970 to 9999, "
				"the last not before the first",
				"年份 %d 至 %d：日历覆盖的年份须在 1970 至 9999 之间，且末年不早于首年",
				first_year, last_year);
	calendar->first_year = first_year;
	calendar->last_year = last_year;
	return 0;
}

static int add_day(refund_calendar *c, int year, int month, int day, int holiday)
{
	day_list *list = holiday ? &c->holidays : &c->workdays;
	const day_list *other = holiday ? &c->workdays : &c->holidays;
	char date[11];
	int32_t n;

	if (!refund__date_valid(year, month, day))
		return refund__fail(c->engine, REFUND_EINVAL,
				"%d-%d-%d is not a date of the years 1970 to 9999",
				"%d-%d-%d 不是 1970 至 9999 年间的日期", year, month, day);
	n = (int32_t)refund__days_from_civil(year, month, day);
	refund__format_date(date, year, month, day);
	if (list_contains(other, n))
		return holiday
			? refund__fail(c->engine, REFUND_EINVAL,
					"%s is a make-up working day; it cannot be a holiday too",
					"%s 是调休工作日，不能同时是节假日", date)
			: refund__fail(c->engine, REFUND_EINVAL,
					"%s is a holiday; it cannot be a make-up working day too",
					"%s 是节假日，不能同时是调休工作日", date);
	if (list_insert(&c->engine->alloc, list, n) != 0)
		return refund__fail_code(c->engine, REFUND_ENOMEM);
	return 0;
}

int refund_calendar_add_holiday(refund_calendar *calendar, int year, int month, int day)
{
	if (!calendar)
		return REFUND_EINVAL;
	return add_day(calendar, year, month, day, 1);
}

int refund_calendar_add_workday(refund_calendar *calendar, int year, int month, int day)
{
	if (!calendar)
		return REFUND_EINVAL;
	return add_day(calendar, year, month, day, 0);
}

/* ---- business days ---- */

static int64_t local_day(const refund_calendar *c, refund_time t)
{
	return refund__floor_div(t + c->utc_offset, REFUND__SECONDS_PER_DAY);
}

static int not_covered(const refund_calendar *c, int64_t day, int year)
{
	char date[11];
	int month, mday;

	refund__civil_from_days(day, NULL, &month, &mday);
	refund__format_date(date, year, month, mday);
	return refund__fail(c->engine, REFUND_ECALENDAR,
			"calendar %s has no data for %s: it covers %d to %d; load %d's holidays",
			"日历 %s 缺少 %s 的数据：仅覆盖 %d 至 %d 年，请加载 %d 年的节假日安排",
			c->name, date, c->first_year, c->last_year, year);
}

/* Whether a local day is a business day, or REFUND_ECALENDAR. */
static int examine_day(const refund_calendar *c, int64_t day, int *business)
{
	int year;

	refund__civil_from_days(day, &year, NULL, NULL);
	if (year < c->first_year || year > c->last_year)
		return not_covered(c, day, year);
	if (list_contains(&c->workdays, day))
		*business = 1;
	else if (list_contains(&c->holidays, day))
		*business = 0;
	else
		*business = !(c->weekend_mask &
				REFUND_WEEKDAY_BIT(refund__weekday_from_days(day)));
	return 0;
}

static int bad_time(const refund_calendar *c, refund_time t)
{
	return refund__fail(c->engine, REFUND_EINVAL,
			"time %lld is outside years 1970 to 9999",
			"时间 %lld 超出 1970 至 9999 年", (long long)t);
}

static int null_output(const refund_calendar *c)
{
	return refund__fail(c->engine, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
}

int refund_calendar_is_business_day(const refund_calendar *calendar, refund_time t, int *out)
{
	int business, rc;

	if (!calendar)
		return REFUND_EINVAL;
	if (!out)
		return null_output(calendar);
	if (!time_valid(t))
		return bad_time(calendar, t);
	if ((rc = examine_day(calendar, local_day(calendar, t), &business)) != 0)
		return rc;
	*out = business;
	return 0;
}

int refund_calendar_add_days(const refund_calendar *calendar, refund_time t, int32_t days,
		refund_time *out)
{
	refund_time result;

	if (!calendar)
		return REFUND_EINVAL;
	if (!out)
		return null_output(calendar);
	if (!time_valid(t))
		return bad_time(calendar, t);
	result = t + (int64_t)days * REFUND__SECONDS_PER_DAY;
	if (!time_valid(result))
		return refund__fail(calendar->engine, REFUND_EINVAL,
				"%ld days from %lld leaves years 1970 to 9999",
				"%ld 天：自时间 %lld 起计算超出 1970 至 9999 年", (long)days,
				(long long)t);
	*out = result;
	return 0;
}

int refund_calendar_add_business_days(const refund_calendar *calendar, refund_time t,
		int32_t days, refund_time *out)
{
	int64_t day, first_day, last_day, seconds_of_day, step;
	int32_t left;
	int business, rc;
	refund_time result;

	if (!calendar)
		return REFUND_EINVAL;
	if (!out)
		return null_output(calendar);
	if (!time_valid(t))
		return bad_time(calendar, t);
	if (days < -BUSINESS_DAYS_MAX || days > BUSINESS_DAYS_MAX)
		return refund__fail(calendar->engine, REFUND_EINVAL,
				"%ld business days is outside -3660 to 3660",
				"%ld 个工作日超出 -3660 至 3660", (long)days);
	day = local_day(calendar, t);
	seconds_of_day = t + calendar->utc_offset - day * REFUND__SECONDS_PER_DAY;
	first_day = local_day(calendar, REFUND_TIME_MIN);
	last_day = local_day(calendar, REFUND_TIME_MAX);
	if ((rc = examine_day(calendar, day, &business)) != 0)
		return rc;
	step = days < 0 ? -1 : 1;
	for (left = days < 0 ? -days : days; left > 0; left -= business) {
		day += step;
		/* Only a calendar covering every year gets this far. */
		if (day < first_day || day > last_day)
			break;
		if ((rc = examine_day(calendar, day, &business)) != 0)
			return rc;
	}
	result = day * REFUND__SECONDS_PER_DAY + seconds_of_day - calendar->utc_offset;
	if (left > 0 || !time_valid(result))
		return refund__fail(calendar->engine, REFUND_EINVAL,
				"%ld business days from %lld leave years 1970 to 9999",
				"%ld 个工作日：自时间 %lld 起计算超出 1970 至 9999 年", (long)days,
				(long long)t);
	*out = result;
	return 0;
}

int refund_calendar_business_days_between(const refund_calendar *calendar,
		refund_time from, refund_time to, int32_t *out)
{
	int64_t day, end, step;
	int32_t count = 0;
	int business, rc;

	if (!calendar)
		return REFUND_EINVAL;
	if (!out)
		return null_output(calendar);
	if (!time_valid(from))
		return bad_time(calendar, from);
	if (!time_valid(to))
		return bad_time(calendar, to);
	day = local_day(calendar, from);
	end = local_day(calendar, to);
	step = end < day ? -1 : 1;
	/* Counted the way refund_calendar_add_business_days() moves, so that
	 * between(t, add(t, n)) == n in both directions. */
	if ((rc = examine_day(calendar, day, &business)) != 0)
		return rc;
	while (day != end) {
		day += step;
		if ((rc = examine_day(calendar, day, &business)) != 0)
			return rc;
		if (business)
			count += (int32_t)step;
	}
	*out = count;
	return 0;
}

/* ---- the text form ---- */

typedef struct token {
	const char *s;
	size_t n;
} token;

typedef struct parser {
	refund_engine *e;
	unsigned long line;
	char name[REFUND_CALENDAR_NAME_MAX + 1];
	size_t name_len;
	int have_name, have_offset, have_weekend, have_years, have_dates;
	int32_t utc_offset;
	unsigned int weekend_mask;
	int first_year, last_year;
	/* One bit per day of the years first_year..last_year, from first_day. */
	int64_t first_day;
	size_t ndays;
	unsigned char *holiday_bits;
	unsigned char *workday_bits;
} parser;

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next blank-separated token of [*p, end), or 0 at the end. */
static int next_token(const char **p, const char *end, token *t)
{
	const char *s = *p;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return 0;
	t->s = s;
	while (s < end && !is_blank(*s))
		s++;
	t->n = (size_t)(s - t->s);
	*p = s;
	return 1;
}

static int token_is(const token *t, const char *word)
{
	size_t n = strlen(word);

	return t->n == n && memcmp(t->s, word, n) == 0;
}

static int expect_end(parser *ps, const char **p, const char *end)
{
	token extra;

	if (!next_token(p, end, &extra))
		return 0;
	return refund__fail(ps->e, REFUND_EPARSE,
			"line %lu: unexpected '%.*s%s' at the end of the line",
			"第 %lu 行：行末有多余的“%.*s%s”", ps->line,
			quote_len(extra.s, extra.n), extra.s, quote_more(extra.s, extra.n));
}

static int parse_name(parser *ps, const char **p, const char *end)
{
	token t;
	size_t i;

	if (!next_token(p, end, &t) || t.n > REFUND_CALENDAR_NAME_MAX)
		goto bad;
	for (i = 0; i < t.n; i++)
		if (!name_char(t.s[i]))
			goto bad;
	memcpy(ps->name, t.s, t.n);
	ps->name_len = t.n;
	return expect_end(ps, p, end);
bad:
	return refund__fail(ps->e, REFUND_EPARSE,
			"line %lu: expected a name of 1 to %d printable ASCII characters after 'name'",
			"第 %lu 行：“name”后应为 1 至 %d 个可打印 ASCII 字符的名称", ps->line,
			REFUND_CALENDAR_NAME_MAX);
}

static int digit_pair(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int parse_offset(parser *ps, const char **p, const char *end)
{
	token t;
	int hours, minutes;

	if (!next_token(p, end, &t) || t.n != 6 || (t.s[0] != '+' && t.s[0] != '-') ||
			t.s[3] != ':')
		goto bad;
	hours = digit_pair(t.s + 1);
	minutes = digit_pair(t.s + 4);
	if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
		goto bad;
	ps->utc_offset = (t.s[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
	return expect_end(ps, p, end);
bad:
	return refund__fail(ps->e, REFUND_EPARSE,
			"line %lu: expected a UTC offset +HH:MM or -HH:MM after 'offset'",
			"第 %lu 行：“offset”后应为 UTC 偏移 +HH:MM 或 -HH:MM", ps->line);
}

static int parse_weekend(parser *ps, const char **p, const char *end)
{
	static const char *const names[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };
	unsigned int mask = 0;
	int count = 0, none = 0, i;
	token t;

	while (next_token(p, end, &t)) {
		count++;
		if (token_is(&t, "none")) {
			none = 1;
			continue;
		}
		for (i = 0; i < 7 && !token_is(&t, names[i]); i++)
			;
		if (i == 7)
			return refund__fail(ps->e, REFUND_EPARSE,
					"line %lu: expected day names (sun mon tue wed thu fri sat) "
					"or 'none' after 'weekend', found '%.*s%s'",
					"第 %lu 行：“weekend”后应为星期名（sun mon tue wed thu fri sat）"
					"或“none”，却是“%.*s%s”", ps->line,
					quote_len(t.s, t.n), t.s, quote_more(t.s, t.n));
		mask |= REFUND_WEEKDAY_BIT(i);
	}
	if (count == 0 || (none && count > 1))
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected day names (sun mon tue wed thu fri sat) "
				"or 'none' after 'weekend'",
				"第 %lu 行：“weekend”后应为星期名（sun mon tue wed thu fri sat）"
				"或“none”", ps->line);
	if (mask == ALL_WEEK)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: the weekend cannot be all seven days",
				"第 %lu 行：周末不能是全部七天", ps->line);
	ps->weekend_mask = mask;
	return 0;
}

/* A year 1970..9999 as four digits, or -1. */
static int token_year(const token *t)
{
	int a, b;

	if (t->n != 4 || (a = digit_pair(t->s)) < 0 || (b = digit_pair(t->s + 2)) < 0)
		return -1;
	a = a * 100 + b;
	return a >= REFUND__YEAR_MIN ? a : -1;
}

static int parse_years(parser *ps, const char **p, const char *end)
{
	token t;

	if (!next_token(p, end, &t) || (ps->first_year = token_year(&t)) < 0)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected the first covered year (1970 to 9999) after 'years'",
				"第 %lu 行：“years”后应为覆盖的首年（1970 至 9999）", ps->line);
	if (!next_token(p, end, &t) || (ps->last_year = token_year(&t)) < 0)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected the last covered year (1970 to 9999) after %d",
				"第 %lu 行：%d 后应为覆盖的末年（1970 至 9999）", ps->line,
				ps->first_year);
	if (ps->last_year < ps->first_year)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: the last year %d is before the first year %d",
				"第 %lu 行：末年 %d 早于首年 %d", ps->line, ps->last_year,
				ps->first_year);
	return expect_end(ps, p, end);
}

/* Reads a date token of a holiday or workday line into a day number. */
static int parse_date_token(parser *ps, const token *t, const char *keyword, int64_t *day)
{
	int year, month, mday;

	if (!refund__parse_date(t->s, t->n, &year, &month, &mday))
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected a date YYYY-MM-DD after '%s', found '%.*s%s'",
				"第 %lu 行：“%s”后应为日期 YYYY-MM-DD，却是“%.*s%s”", ps->line,
				keyword, quote_len(t->s, t->n), t->s, quote_more(t->s, t->n));
	if (year < ps->first_year || year > ps->last_year)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: %.10s is outside the calendar's years %d to %d",
				"第 %lu 行：%.10s 超出日历的年份 %d 至 %d", ps->line, t->s,
				ps->first_year, ps->last_year);
	*day = refund__days_from_civil(year, month, mday);
	return 0;
}

static int bit_get(const unsigned char *bits, size_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

static void bit_set(unsigned char *bits, size_t i)
{
	bits[i / 8] = (unsigned char)(bits[i / 8] | (1u << (i % 8)));
}

/* The first holiday or workday fixes the years: make room for their days. */
static int start_dates(parser *ps)
{
	size_t bytes;

	ps->first_day = refund__days_from_civil(ps->first_year, 1, 1);
	ps->ndays = (size_t)(refund__days_from_civil((int64_t)ps->last_year + 1, 1, 1) -
			ps->first_day);
	bytes = (ps->ndays + 7) / 8;
	ps->holiday_bits = refund__calloc(&ps->e->alloc, bytes, 1);
	ps->workday_bits = refund__calloc(&ps->e->alloc, bytes, 1);
	if (!ps->holiday_bits || !ps->workday_bits)
		return refund__fail_code(ps->e, REFUND_ENOMEM);
	ps->have_dates = 1;
	return 0;
}

static int parse_dates(parser *ps, const char **p, const char *end, int holiday)
{
	const char *keyword = holiday ? "holiday" : "workday";
	unsigned char *mine, *other;
	int64_t first, last, day;
	char date[11];
	token t;
	int rc, y, m, d;

	if (!ps->have_dates && (rc = start_dates(ps)) != 0)
		return rc;
	if (!next_token(p, end, &t))
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected a date YYYY-MM-DD after '%s'",
				"第 %lu 行：“%s”后应为日期 YYYY-MM-DD", ps->line, keyword);
	if ((rc = parse_date_token(ps, &t, keyword, &first)) != 0)
		return rc;
	last = first;
	if (next_token(p, end, &t)) {
		if ((rc = parse_date_token(ps, &t, keyword, &last)) != 0)
			return rc;
		if ((rc = expect_end(ps, p, end)) != 0)
			return rc;
	}
	if (last < first)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: the range ends before it starts",
				"第 %lu 行：日期范围的结束早于开始", ps->line);
	if (last - first >= RANGE_DAYS_MAX)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: a range is at most %d days long",
				"第 %lu 行：日期范围最长 %d 天", ps->line, RANGE_DAYS_MAX);
	mine = holiday ? ps->holiday_bits : ps->workday_bits;
	other = holiday ? ps->workday_bits : ps->holiday_bits;
	for (day = first; day <= last; day++) {
		size_t i = (size_t)(day - ps->first_day);

		if (bit_get(other, i)) {
			refund__civil_from_days(day, &y, &m, &d);
			refund__format_date(date, y, m, d);
			return refund__fail(ps->e, REFUND_EPARSE,
					"line %lu: %s cannot be both a holiday and a workday",
					"第 %lu 行：%s 不能既是节假日又是调休工作日", ps->line, date);
		}
		bit_set(mine, i);
	}
	return 0;
}

/* name and offset come first; weekend and years before any date, once. */
static int check_order(parser *ps, const token *keyword, int header, int seen)
{
	if (header && seen)
		return refund__fail(ps->e, REFUND_EPARSE, "line %lu: a second '%.*s' line",
				"第 %lu 行：重复的“%.*s”行", ps->line, (int)keyword->n,
				keyword->s);
	if (!header && (!ps->have_name || !ps->have_offset))
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: expected 'name' and 'offset' before '%.*s'",
				"第 %lu 行：“%.*s”之前应先有“name”和“offset”", ps->line,
				(int)keyword->n, keyword->s);
	return 0;
}

static int parse_setting(parser *ps, const token *keyword, const char **p, const char *end)
{
	int rc;

	if ((rc = check_order(ps, keyword, 1, token_is(keyword, "weekend") ?
					ps->have_weekend : ps->have_years)) != 0 ||
			(rc = check_order(ps, keyword, 0, 0)) != 0)
		return rc;
	if (ps->have_dates)
		return refund__fail(ps->e, REFUND_EPARSE,
				"line %lu: '%.*s' must come before the first holiday or workday",
				"第 %lu 行：“%.*s”须在第一个 holiday 或 workday 之前",
				ps->line, (int)keyword->n, keyword->s);
	if (token_is(keyword, "weekend")) {
		ps->have_weekend = 1;
		return parse_weekend(ps, p, end);
	}
	ps->have_years = 1;
	return parse_years(ps, p, end);
}

static int parse_line(parser *ps, const char *s, size_t n)
{
	const char *hash, *end, *p = s;
	token keyword;
	int rc;

	if (memchr(s, '\0', n))
		return refund__fail(ps->e, REFUND_EPARSE, "line %lu: a NUL byte",
				"第 %lu 行：含有 NUL 字节", ps->line);
	if (!refund__utf8_valid(s, n))
		return refund__fail(ps->e, REFUND_EPARSE, "line %lu: invalid UTF-8",
				"第 %lu 行：UTF-8 编码无效", ps->line);
	hash = memchr(s, '#', n);
	end = hash ? hash : s + n;
	if (!next_token(&p, end, &keyword))
		return 0;
	if (token_is(&keyword, "name")) {
		if ((rc = check_order(ps, &keyword, 1, ps->have_name)) != 0)
			return rc;
		ps->have_name = 1;
		return parse_name(ps, &p, end);
	}
	if (token_is(&keyword, "offset")) {
		if ((rc = check_order(ps, &keyword, 1, ps->have_offset)) != 0)
			return rc;
		ps->have_offset = 1;
		return parse_offset(ps, &p, end);
	}
	if (token_is(&keyword, "weekend") || token_is(&keyword, "years"))
		return parse_setting(ps, &keyword, &p, end);
	if (token_is(&keyword, "holiday") || token_is(&keyword, "workday")) {
		if ((rc = check_order(ps, &keyword, 0, 0)) != 0)
			return rc;
		return parse_dates(ps, &p, end, token_is(&keyword, "holiday"));
	}
	return refund__fail(ps->e, REFUND_EPARSE,
			"line %lu: unknown keyword '%.*s%s'; expected name, offset, weekend, "
			"years, holiday or workday",
			"第 %lu 行：未知关键字“%.*s%s”；应为 name、offset、weekend、years、"
			"holiday 或 workday", ps->line,
			quote_len(keyword.s, keyword.n), keyword.s,
			quote_more(keyword.s, keyword.n));
}

static int parse_lines(parser *ps, const char *text, size_t size)
{
	text_lines lines;
	size_t start, end;
	int rc;

	refund__text_lines(&lines, text, size);
	while (refund__text_next_line(&lines, &start, &end)) {
		ps->line = lines.number;
		if ((rc = parse_line(ps, text + start, end - start)) != 0)
			return rc;
	}
	if (!ps->have_name || !ps->have_offset)
		return refund__fail(ps->e, REFUND_EPARSE,
				"the calendar text has no '%s' line", "日历文本缺少“%s”行",
				ps->have_name ? "offset" : "name");
	return 0;
}

static int bits_to_list(const refund_allocator *a, const parser *ps,
		const unsigned char *bits, day_list *list)
{
	size_t i, count = 0;

	for (i = 0; i < ps->ndays; i++)
		count += (size_t)bit_get(bits, i);
	if (count == 0)
		return 0;
	list->days = refund__calloc(a, count, sizeof(*list->days));
	if (!list->days)
		return REFUND_ENOMEM;
	for (i = 0; i < ps->ndays; i++)
		if (bit_get(bits, i))
			list->days[list->n++] = (int32_t)(ps->first_day + (int64_t)i);
	return 0;
}

static int build_calendar(parser *ps, refund_calendar **out)
{
	const refund_allocator *a = &ps->e->alloc;
	refund_calendar *c;

	c = calendar_alloc(ps->e, ps->name, ps->name_len, ps->utc_offset, ps->weekend_mask);
	if (!c)
		return refund__fail_code(ps->e, REFUND_ENOMEM);
	if (ps->have_years) {
		c->first_year = ps->first_year;
		c->last_year = ps->last_year;
	}
	if (ps->have_dates && (bits_to_list(a, ps, ps->holiday_bits, &c->holidays) != 0 ||
				bits_to_list(a, ps, ps->workday_bits, &c->workdays) != 0)) {
		refund_calendar_free(c);
		return refund__fail_code(ps->e, REFUND_ENOMEM);
	}
	*out = c;
	return 0;
}

int refund_calendar_parse(refund_engine *engine, refund_calendar **out, const char *text,
		size_t size)
{
	parser ps;
	int rc;

	if ((rc = refund__text_check(engine, out, text, size, "calendar", "日历")) != 0)
		return rc;
	memset(&ps, 0, sizeof(ps));
	ps.e = engine;
	ps.weekend_mask = REFUND_WEEKEND_SAT_SUN;
	ps.first_year = REFUND__YEAR_MIN;
	ps.last_year = REFUND__YEAR_MAX;
	rc = parse_lines(&ps, text, size);
	if (rc == 0)
		rc = build_calendar(&ps, out);
	refund__free(&engine->alloc, ps.holiday_bits);
	refund__free(&engine->alloc, ps.workday_bits);
	return rc;
}
