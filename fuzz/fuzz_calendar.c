/*
 * libFuzzer target for the calendar text loader, refund_calendar_parse().
 * What parses is then counted in: moving n business days lands on a
 * business day at the same local time of day, and counting the business
 * days between the start and that landing gives n back.  Failing one of
 * the parse's allocations gives REFUND_ENOMEM and leaks nothing.
 */
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Starts spread over the years a calendar is likely to cover, and its edges. */
static const refund_time starts[] = {
	0,              /* 1970-01-01T00:00:00Z */
	1707462000,     /* 2024-02-09T07:00:00Z, a Friday before 春节 */
	1758870000,     /* 2025-09-26T07:00:00Z */
	1798732799,     /* 2026-12-31T15:59:59Z */
	253402257600,   /* 9999-12-31T12:00:00Z */
};

static const int32_t moves[] = { 1, 3, -2, 25, -260 };

static void check_move(const refund_calendar *c, refund_time t, int32_t n)
{
	refund_time u = REFUND_TIME_NONE;
	int32_t between = 0;
	int business = -1;
	int rc = refund_calendar_add_business_days(c, t, n, &u);

	if (rc == REFUND_ECALENDAR || rc == REFUND_EINVAL) {
		if (u != REFUND_TIME_NONE)
			abort();
		return;
	}
	if (rc != 0 || u < REFUND_TIME_MIN || u > REFUND_TIME_MAX || (u - t) % 86400 != 0 ||
	    (n > 0) != (u > t))
		abort();
	/* The same days are examined again: they are covered. */
	if (refund_calendar_business_days_between(c, t, u, &between) != 0 || between != n ||
	    refund_calendar_is_business_day(c, u, &business) != 0 || business != 1)
		abort();
}

static void check_calendar(const refund_calendar *c)
{
	size_t i, j;
	int business;
	int32_t offset = refund_calendar_utc_offset(c);
	size_t name_len = strlen(refund_calendar_name(c));

	if (name_len == 0 || name_len > REFUND_CALENDAR_NAME_MAX || offset < -86340 ||
	    offset > 86340 || offset % 60 != 0)
		abort();
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		int rc = refund_calendar_is_business_day(c, starts[i], &business);

		if (rc != 0 && rc != REFUND_ECALENDAR)
			abort();
		for (j = 0; j < sizeof(moves) / sizeof(moves[0]); j++)
			check_move(c, starts[i], moves[j]);
	}
}

static int parse(fuzz_engine *fe, refund_calendar **c, const uint8_t *data, size_t size)
{
	int rc;

	*c = NULL;
	rc = refund_calendar_parse(fe->engine, c, (const char *)data, size);
	if (rc != 0) {
		fuzz_check_failure(fe->engine, rc);
		if (*c)
			abort();
	} else if (!*c) {
		abort();
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t hash = fuzz_hash(data, size);
	refund_calendar *c;
	fuzz_engine fe;
	long live, allocations;
	int rc;

	fuzz_engine_open(&fe, hash & 1 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN);
	live = fe.fa.live;
	fuzz_alloc_arm(&fe.fa, 0);
	rc = parse(&fe, &c, data, size);
	allocations = fe.fa.count;
	if (rc == 0) {
		check_calendar(c);
		refund_calendar_free(c);
	} else if (rc != REFUND_EPARSE && !(rc == REFUND_EINVAL && size > (1u << 20))) {
		abort();
	}
	if (fe.fa.live != live)
		abort();
	if (allocations > 0) {
		fuzz_alloc_arm(&fe.fa, 1 + (long)(hash % (uint32_t)allocations));
		if (parse(&fe, &c, data, size) != REFUND_ENOMEM || fe.fa.live != live)
			abort();
		fuzz_alloc_arm(&fe.fa, 0);
	}
	fuzz_engine_close(&fe);
	return 0;
}
