/*
 * Hostile input: one table of bad calls across the whole public API.  Each
 * row runs on a fresh world (two deposits, a published policy, a case in a
 * known state, corrupt records beside them), in English and in Chinese, and
 * must return its own code, leave a message on the engine (one line of
 * valid UTF-8, whatever bytes the input held) and leave the store byte for
 * byte as it was.  Functions that take no engine (pure money
 * and time arithmetic, engine and store construction) have no engine to
 * describe a failure on: their rows check that the engine was not touched.
 * HOSTILE_VERBOSE=1 in the environment prints each row's code and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>
#include <refund/sys/store.h>

#include "alloc.h"
#include "case.h"
#include "engine.h"
#include "utf8.h"

#include "case_fixture.h"
#include "fixture.h"
#include "store_dump.h"

/* What the world looks like before the row's call. */
typedef enum setup_kind {
	AT_DRAFT,       /* K-1 opened, receipt attached with key "idem-1" */
	AT_READY,       /* draft with every piece of evidence the policy asks for */
	AT_REVIEW,      /* K-1 submitted and under review */
	AT_AGREEMENT,   /* K-1 approved, terms of 2 parts offered */
	AT_PAYOUT,      /* K-1 accepted, nothing paid yet */
	AT_CLOSED,      /* K-1 paid and confirmed */
	AT_STALE,       /* draft, and x->stale is K-1 from before another attach */
	AT_BAD_EVENT,   /* draft, and K-1 counts a garbage event at the end of its history */
	AT_CORRUPT_DUE  /* draft, and a garbage case record is due now */
} setup_kind;

/* Whether the function has an engine to describe its failure on. */
enum { DESCRIBED = 1, NO_ENGINE = 0 };

typedef struct ctx {
	fixture *f;
	refund_engine *e;
	refund_deposit *d2;        /* D-2: no case open on it */
	refund_deposit *stale_d2;  /* D-2 as it was before a usage update */
	refund_policy *draft;      /* an unpublished draft "P-DRAFT" */
	refund_policy *published;  /* "POS" version 1 */
	refund_calendar *cal;      /* a calendar of the engine, not added to it */
	refund_case *c;            /* K-1 on D-1, in the row's state */
	refund_case *stale;        /* AT_STALE: an old handle of K-1 */
	refund_engine *made;       /* what a constructor row made by mistake */
	refund_store *made_store;
} ctx;

typedef struct row {
	const char *name;
	setup_kind setup;
	int (*call)(ctx *x);
	int want;
	int described;
} row;

/* ---- the world ---- */

/* The shared deposit with a receipt, its contract ended 2024-12-01. */
static refund_deposit_info receipted_deposit(const char *id)
{
	refund_deposit_info info = deposit_info(id);

	info.receipt = "押金收据 0042";
	info.contract_end = at("2024-12-01T00:00:00+08:00");
	return info;
}

static void create_deposit(ctx *x, const char *id, refund_deposit **out)
{
	refund_deposit_info info = receipted_deposit(id);

	assert_int_equal(refund_deposit_create(x->e, out, &info, "agent-7", REFUND_ROLE_AGENT), 0);
}

static void publish(ctx *x, const char *id, const char *currency)
{
	refund_policy *p = NULL;

	assert_int_equal(refund_policy_new(x->e, &p, id, currency), 0);
	assert_int_equal(refund_policy_set_return_required(p, 0), 0);
	assert_int_equal(refund_policy_set_installments(p, 3, 1), 0);
	assert_int_equal(refund_policy_set_offsets(p, 1), 0);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	refund_policy_free(p);
}

/* Stored bytes that are no record of the library's. */
static void put_garbage(ctx *x, int kind, const char *id, refund_time next_deadline)
{
	static const unsigned char garbage[] = "{\"schema\":1,\"id\":\x01";
	refund_store_put put;
	refund_store_batch batch = { &put, 1, NULL, 0 };

	memset(&put, 0, sizeof(put));
	put.kind = kind;
	put.id = id;
	put.data = garbage;
	put.size = sizeof(garbage) - 1;
	put.index.next_deadline = next_deadline;
	assert_int_equal(x->f->store->commit(x->f->store, &batch), 0);
}

static int count_event(void *ctx, const refund_event *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

static void append_garbage_event(ctx *x)
{
	static const unsigned char garbage[] = "{\"seq\":\"x\",\"hash\":\"\"}";
	static case_record tampered;
	char *data = NULL;
	size_t size = 0;
	refund_store_put put;
	refund_store_event ev;
	refund_store_batch batch = { &put, 1, &ev, 1 };
	int n = 0;

	assert_int_equal(refund_case_events(x->c, count_event, &n), 0);
	tampered = *x->c->r;
	assert_int_equal(tampered.nevents, (uint64_t)n);
	tampered.nevents++;
	assert_int_equal(refund__case_encode(x->e, &tampered, &data, &size), 0);
	memset(&put, 0, sizeof(put));
	put.kind = REFUND_RECORD_CASE;
	put.id = "K-1";
	put.expected_version = refund_case_version(x->c);
	put.data = (const unsigned char *)data;
	put.size = size;
	put.index.deposit_id = "D-1";
	put.index.holder = "M-1001";
	put.index.agent = "AG-7";
	put.index.state = "draft";
	put.index.next_deadline = REFUND_NO_DEADLINE;
	memset(&ev, 0, sizeof(ev));
	ev.kind = REFUND_RECORD_CASE;
	ev.id = "K-1";
	ev.seq = (uint64_t)n + 1;
	ev.at = x->f->now;
	ev.data = garbage;
	ev.size = sizeof(garbage) - 1;
	assert_int_equal(x->f->store->commit(x->f->store, &batch), 0);
	refund__free(&x->e->alloc, data);
	refund_case_free(x->c);
	x->c = NULL;
	assert_int_equal(refund_case_load(x->e, &x->c, "K-1"), 0);
}

static void open_draft(ctx *x)
{
	refund_act ap = APPLICANT;

	assert_int_equal(refund_case_open(x->e, &x->c, "K-1", "D-1", "POS", 0,
			REFUND_REASON_NEEDS_CHANGED, &ap), 0);
	ap.idempotency_key = "idem-1";
	assert_int_equal(refund_case_attach(x->c, &ap, REFUND_EVIDENCE_RECEIPT, "file:receipt.jpg"), 0);
}

/* K-1 on from draft to `state` by the ordinary path. */
static void advance(ctx *x, setup_kind state)
{
	refund_act ap = APPLICANT, r = REVIEWER, fin = FINANCE;
	refund_account acc = bank_account();

	if (state == AT_DRAFT)
		return;
	assert_int_equal(refund_case_attach(x->c, &ap, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"), 0);
	assert_int_equal(refund_case_attach(x->c, &ap, REFUND_EVIDENCE_PAYMENT_RECORD, "file:p.png"), 0);
	if (state == AT_READY)
		return;
	assert_int_equal(refund_case_submit(x->c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(x->c, &r), 0);
	if (state == AT_REVIEW)
		return;
	assert_int_equal(refund_case_approve(x->c, &r, 40000), 0);
	assert_int_equal(refund_case_offer(x->c, &fin, 2), 0);
	if (state == AT_AGREEMENT)
		return;
	assert_int_equal(refund_case_accept(x->c, &ap), 0);
	if (state == AT_PAYOUT)
		return;
	assert_int_equal(refund_case_pay(x->c, &fin, 1, "TX-1"), 0);
	assert_int_equal(refund_case_pay(x->c, &fin, 2, "TX-2"), 0);
	assert_int_equal(refund_case_confirm(x->c, &ap), 0);
}

static void build(ctx *x, setup_kind setup, refund_lang lang)
{
	refund_deposit *d = NULL;
	refund_act ap = APPLICANT;

	memset(x, 0, sizeof(*x));
	x->f = fixture_new();
	x->e = x->f->engine;
	assert_int_equal(refund_engine_set_lang(x->e, lang), 0);
	publish(x, "POS", "CNY");
	publish(x, "POS-USD", "USD");
	create_deposit(x, "D-1", NULL);
	create_deposit(x, "D-2", &x->d2);
	assert_int_equal(refund_deposit_load(x->e, &x->stale_d2, "D-2"), 0);
	assert_int_equal(refund_deposit_load(x->e, &d, "D-2"), 0);
	assert_int_equal(refund_deposit_set_usage(d, 30, 100000, "agent-7", REFUND_ROLE_AGENT), 0);
	refund_deposit_free(d);
	refund_deposit_free(x->d2);
	assert_int_equal(refund_deposit_load(x->e, &x->d2, "D-2"), 0);
	assert_int_equal(refund_policy_new(x->e, &x->draft, "P-DRAFT", "CNY"), 0);
	assert_int_equal(refund_policy_load(x->e, &x->published, "POS", 1), 0);
	assert_int_equal(refund_calendar_new(x->e, &x->cal, "MINE", 0, REFUND_WEEKEND_SAT_SUN), 0);
	put_garbage(x, REFUND_RECORD_DEPOSIT, "D-BAD", REFUND_NO_DEADLINE);
	put_garbage(x, REFUND_RECORD_CASE, "K-BAD", REFUND_NO_DEADLINE);
	put_garbage(x, REFUND_RECORD_POLICY, "P-BAD", REFUND_NO_DEADLINE);
	open_draft(x);
	if (setup == AT_STALE) {
		assert_int_equal(refund_case_load(x->e, &x->stale, "K-1"), 0);
		assert_int_equal(refund_case_attach(x->c, &ap, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"), 0);
	} else if (setup == AT_BAD_EVENT) {
		append_garbage_event(x);
	} else if (setup == AT_CORRUPT_DUE) {
		put_garbage(x, REFUND_RECORD_CASE, "K-DUE", x->f->now - 60);
	} else {
		advance(x, setup);
	}
}

static void tear_down(ctx *x)
{
	refund_case_free(x->stale);
	refund_case_free(x->c);
	refund_calendar_free(x->cal);
	refund_policy_free(x->published);
	refund_policy_free(x->draft);
	refund_deposit_free(x->stale_d2);
	refund_deposit_free(x->d2);
	refund_engine_free(x->made);
	refund_store_free(x->made_store);
	fixture_free(x->f);
}

/* ---- the calls ---- */

#define CALL(name, expr) \
	static int name(ctx *x) \
	{ \
		(void)x; \
		return (expr); \
	}

/* engine.h */

static int engine_new_with(ctx *x, unsigned int version, refund_store *store, int lang)
{
	refund_engine_options opts = REFUND_ENGINE_OPTIONS_INIT;

	opts.version = version;
	opts.store = store;
	opts.lang = (refund_lang)lang;
	return refund_engine_new(&x->made, &opts);
}

CALL(engine_new_null_options, refund_engine_new(&x->made, NULL))
CALL(engine_new_no_store, engine_new_with(x, REFUND_ENGINE_OPTIONS_VERSION, NULL, 0))
CALL(engine_new_options_version, engine_new_with(x, 99, x->f->store, 0))
CALL(engine_new_unknown_lang, engine_new_with(x, REFUND_ENGINE_OPTIONS_VERSION, x->f->store, 9))

static int engine_new_half_allocator(ctx *x)
{
	refund_engine_options opts = REFUND_ENGINE_OPTIONS_INIT;
	refund_allocator half = x->f->fa.allocator;

	half.free = NULL;
	opts.store = x->f->store;
	opts.allocator = &half;
	return refund_engine_new(&x->made, &opts);
}

CALL(engine_options_init_version, refund_engine_options_init(
		&(refund_engine_options)REFUND_ENGINE_OPTIONS_INIT, 2))
CALL(engine_now_null_out, refund_engine_now(x->e, NULL))

static int engine_clock_before_1970(ctx *x)
{
	refund_time t = 0;

	x->f->now = -1;
	return refund_engine_now(x->e, &t);
}

static int engine_clock_after_9999(ctx *x)
{
	refund_time t = 0;

	x->f->now = REFUND_TIME_MAX + 1;
	return refund_engine_now(x->e, &t);
}

CALL(engine_set_lang_unknown, refund_engine_set_lang(x->e, (refund_lang)7))
CALL(engine_set_currency_lowercase, refund_engine_set_currency(x->e, "cny", 2))
CALL(engine_set_currency_exponent_5, refund_engine_set_currency(x->e, "XTS", 5))
CALL(engine_set_currency_control_byte, refund_engine_set_currency(x->e, "C\nY", 2))
CALL(currency_exponent_unknown, refund_currency_exponent(x->e, "QQQ", &(int){ 0 }))
CALL(currency_exponent_null_out, refund_currency_exponent(x->e, "CNY", NULL))

/* store.h */

CALL(store_memory_new_null_out, refund_store_memory_new(NULL, NULL))

static int store_memory_new_half_allocator(ctx *x)
{
	refund_allocator half = x->f->fa.allocator;

	half.alloc = NULL;
	return refund_store_memory_new(&x->made_store, &half);
}

static int store_memory_new_allocator_version(ctx *x)
{
	refund_allocator other = x->f->fa.allocator;

	other.version = 77;
	return refund_store_memory_new(&x->made_store, &other);
}

/* money.h */

CALL(money_parse_overflow, refund_money_parse(x->e, "CNY", "92233720368547758.08", 0, &(int64_t){ 0 }))
CALL(money_parse_negative_without_flag, refund_money_parse(x->e, "CNY", "-1.00", 0, &(int64_t){ 0 }))
CALL(money_parse_unknown_currency, refund_money_parse(x->e, "QQQ", "1.00", 0, &(int64_t){ 0 }))
CALL(money_parse_lowercase_currency, refund_money_parse(x->e, "cny", "1.00", 0, &(int64_t){ 0 }))
CALL(money_parse_too_many_digits, refund_money_parse(x->e, "CNY", "1.001", 0, &(int64_t){ 0 }))
CALL(money_parse_unknown_flags, refund_money_parse(x->e, "CNY", "1.00", 0x80, &(int64_t){ 0 }))
CALL(money_parse_invalid_utf8, refund_money_parse(x->e, "CNY", "1\xc3\x28", 0, &(int64_t){ 0 }))
CALL(money_parse_escape_sequence, refund_money_parse(x->e, "CNY", "\x1b[2J1.00\n", 0,
		&(int64_t){ 0 }))
CALL(money_parse_null_text, refund_money_parse(x->e, "CNY", NULL, 0, &(int64_t){ 0 }))

static int money_format_small_buffer(ctx *x)
{
	char buf[4];

	return refund_money_format(x->e, "CNY", 50000, buf, sizeof(buf));
}

static int money_format_unknown_currency(ctx *x)
{
	char buf[REFUND_MONEY_FORMAT_MAX];

	return refund_money_format(x->e, "QQQ", 1, buf, sizeof(buf));
}

CALL(money_add_overflow, refund_money_add(INT64_MAX, 1, &(int64_t){ 0 }))
CALL(money_sub_overflow, refund_money_sub(INT64_MIN, 1, &(int64_t){ 0 }))
CALL(money_mul_overflow, refund_money_mul(INT64_MAX / 2, 3, &(int64_t){ 0 }))
CALL(money_percent_bp_out_of_range, refund_money_percent(100, 1000001, &(int64_t){ 0 }))
CALL(money_allocate_negative_total, refund_money_allocate(-1, NULL, 2, (int64_t[2]){ 0, 0 }))

/* time.h */

CALL(time_parse_before_1970, refund_time_parse("1969-12-31T23:59:59Z", &(refund_time){ 0 }))
CALL(time_parse_after_9999, refund_time_parse("10000-01-01T00:00:00Z", &(refund_time){ 0 }))
CALL(time_parse_no_zone, refund_time_parse("2025-01-01T10:00", &(refund_time){ 0 }))
CALL(time_format_before_1970, refund_time_format(-1, 0, (char[REFUND_TIME_FORMAT_MAX]){ 0 },
		REFUND_TIME_FORMAT_MAX))
CALL(time_from_date_february_30, refund_time_from_date(2025, 2, 30, &(refund_time){ 0 }))

/* calendar.h */

CALL(calendar_new_control_byte_name, refund_calendar_new(x->e, &(refund_calendar *){ NULL },
		"C\x01N", 28800, REFUND_WEEKEND_SAT_SUN))
CALL(calendar_new_whole_week_off, refund_calendar_new(x->e, &(refund_calendar *){ NULL },
		"ALL", 0, 0x7f))
CALL(calendar_new_offset_too_far, refund_calendar_new(x->e, &(refund_calendar *){ NULL },
		"FAR", 86400, REFUND_WEEKEND_SAT_SUN))
CALL(calendar_builtin_unknown, refund_calendar_builtin(x->e, &(refund_calendar *){ NULL }, "XX"))

static int calendar_parse_bad_offset(ctx *x)
{
	static const char text[] = "name CN\noffset +25:00\n";
	refund_calendar *cal = NULL;

	return refund_calendar_parse(x->e, &cal, text, sizeof(text) - 1);
}

static int calendar_parse_invalid_utf8(ctx *x)
{
	static const char text[] = "name CN\noffset +08:00\n# \xff\xfe\n";
	refund_calendar *cal = NULL;
	int rc = refund_calendar_parse(x->e, &cal, text, sizeof(text) - 1);

	refund_calendar_free(cal);
	return rc;
}

CALL(calendar_holiday_february_30, refund_calendar_add_holiday(x->cal, 2025, 2, 30))
CALL(calendar_holiday_year_10000, refund_calendar_add_holiday(x->cal, 10000, 1, 1))

static int calendar_holiday_on_workday(ctx *x)
{
	assert_int_equal(refund_calendar_add_workday(x->cal, 2025, 9, 28), 0);
	return refund_calendar_add_holiday(x->cal, 2025, 9, 28);
}

CALL(calendar_years_reversed, refund_calendar_set_years(x->cal, 2026, 2025))

static int calendar_cn_year_not_covered(ctx *x)
{
	refund_calendar *cn = NULL;
	int out = 0, rc;

	assert_int_equal(refund_calendar_builtin(x->e, &cn, "CN"), 0);
	rc = refund_calendar_is_business_day(cn, at("2030-01-02T00:00:00Z"), &out);
	refund_calendar_free(cn);
	return rc;
}

CALL(calendar_add_days_past_9999, refund_calendar_add_days(x->cal, REFUND_TIME_MAX - 10, 1,
		&(refund_time){ 0 }))
CALL(calendar_add_business_days_too_many, refund_calendar_add_business_days(x->cal,
		x->f->now, 3661, &(refund_time){ 0 }))
CALL(engine_add_calendar_null, refund_engine_add_calendar(x->e, NULL))

/* deposit.h */

static int create_with(ctx *x, refund_deposit_info *info, int role)
{
	refund_deposit *d = NULL;
	int rc = refund_deposit_create(x->e, &d, info, "agent-7", role);

	refund_deposit_free(d);
	return rc;
}

#define CREATE(name, field, value) \
	static int name(ctx *x) \
	{ \
		refund_deposit_info info = receipted_deposit("D-NEW"); \
		\
		info.field = value; \
		return create_with(x, &info, REFUND_ROLE_AGENT); \
	}

CREATE(deposit_create_negative_amount, amount, -50000)
CREATE(deposit_create_zero_amount, amount, 0)
CREATE(deposit_create_unknown_currency, currency, "QQQ")
CREATE(deposit_create_id_too_long, id,
		"D-0123456789012345678901234567890123456789012345678901234567890123")
CREATE(deposit_create_id_control_byte, id, "D-\a7")
CREATE(deposit_create_id_with_space, id, "D 7")
CREATE(deposit_create_holder_missing, holder, NULL)
CREATE(deposit_create_paid_before_1970, paid_at, -86400)
CREATE(deposit_create_paid_after_9999, paid_at, REFUND_TIME_MAX + 1)
CREATE(deposit_create_receipt_invalid_utf8, receipt, "收据\xe6\x8a")
CREATE(deposit_create_receipt_control_byte, receipt, "receipt\x1b[2J")
CREATE(deposit_create_existing_id, id, "D-1")
CREATE(deposit_create_info_version, version, 2)

static int deposit_create_wrong_role(ctx *x)
{
	refund_deposit_info info = receipted_deposit("D-NEW");

	return create_with(x, &info, REFUND_ROLE_APPLICANT);
}

static int deposit_create_unknown_role(ctx *x)
{
	refund_deposit_info info = receipted_deposit("D-NEW");

	return create_with(x, &info, 99);
}

CALL(deposit_create_null_info, refund_deposit_create(x->e, NULL, NULL, "agent-7",
		REFUND_ROLE_AGENT))

static int deposit_load(ctx *x, const char *id)
{
	refund_deposit *d = NULL;
	int rc = refund_deposit_load(x->e, &d, id);

	refund_deposit_free(d);
	return rc;
}

CALL(deposit_load_missing, deposit_load(x, "D-404"))
CALL(deposit_load_corrupt, deposit_load(x, "D-BAD"))
CALL(deposit_load_null_out, refund_deposit_load(x->e, NULL, "D-1"))
CALL(deposit_post_more_than_remaining, refund_deposit_post(x->d2, REFUND_ENTRY_DAMAGE, 50001,
		"fin-1", REFUND_ROLE_FINANCE, NULL))
CALL(deposit_post_int64_max, refund_deposit_post(x->d2, REFUND_ENTRY_FORFEIT, INT64_MAX,
		"fin-1", REFUND_ROLE_FINANCE, NULL))
CALL(deposit_post_negative, refund_deposit_post(x->d2, REFUND_ENTRY_DAMAGE, -100,
		"fin-1", REFUND_ROLE_FINANCE, NULL))
CALL(deposit_post_hold, refund_deposit_post(x->d2, REFUND_ENTRY_HOLD, 100,
		"fin-1", REFUND_ROLE_FINANCE, NULL))
CALL(deposit_post_wrong_role, refund_deposit_post(x->d2, REFUND_ENTRY_DAMAGE, 100,
		"agent-7", REFUND_ROLE_AGENT, NULL))
CALL(deposit_post_reference_invalid_utf8, refund_deposit_post(x->d2, REFUND_ENTRY_DAMAGE, 100,
		"fin-1", REFUND_ROLE_FINANCE, "ref \xc0\xaf"))
CALL(deposit_post_stale_version, refund_deposit_post(x->stale_d2, REFUND_ENTRY_DAMAGE, 100,
		"fin-1", REFUND_ROLE_FINANCE, NULL))

static int deposit_post_case_open(ctx *x)
{
	refund_deposit *d1 = NULL;
	int rc;

	assert_int_equal(refund_deposit_load(x->e, &d1, "D-1"), 0);
	rc = refund_deposit_post(d1, REFUND_ENTRY_DAMAGE, 100, "fin-1", REFUND_ROLE_FINANCE, NULL);
	refund_deposit_free(d1);
	return rc;
}

CALL(deposit_set_usage_negative, refund_deposit_set_usage(x->d2, -1, 0, "agent-7",
		REFUND_ROLE_AGENT))
CALL(deposit_set_usage_actor_too_long, refund_deposit_set_usage(x->d2, 1, 0,
		"agent-01234567890123456789012345678901234567890123456789012345678",
		REFUND_ROLE_AGENT))

static int count_deposit(void *ctx, const refund_deposit *d)
{
	(void)d;
	(*(int *)ctx)++;
	return 0;
}

static int deposit_list_filter_version(ctx *x)
{
	refund_deposit_filter filter = REFUND_DEPOSIT_FILTER_INIT;
	int n = 0;

	filter.version = 5;
	return refund_deposit_list(x->e, &filter, count_deposit, &n);
}

static int deposit_list_corrupt(ctx *x)
{
	int n = 0;

	return refund_deposit_list(x->e, NULL, count_deposit, &n);
}

static int deposit_balance_version(ctx *x)
{
	refund_balance b = { 3, 0, 0, 0, 0 };

	return refund_deposit_balance(x->d2, &b);
}

/* policy.h */

CALL(policy_new_id_with_at, refund_policy_new(x->e, &(refund_policy *){ NULL }, "P@1", "CNY"))
CALL(policy_new_unknown_currency, refund_policy_new(x->e, &(refund_policy *){ NULL }, "P-Q",
		"QQQ"))
CALL(policy_set_window_published, refund_policy_set_window(x->published,
		REFUND_WINDOW_PAYMENT, 30))
CALL(policy_set_window_zero_days, refund_policy_set_window(x->draft, REFUND_WINDOW_PAYMENT, 0))
CALL(policy_add_tier_bp_over_whole, refund_policy_add_tier(x->draft, 0, 0, 10001))
CALL(policy_add_tier_negative_days, refund_policy_add_tier(x->draft, -1, 0, 5000))
CALL(policy_set_fee_cap_below_min, refund_policy_set_fee(x->draft, 0, 100, 500, 499))
CALL(policy_set_missing_part_negative, refund_policy_set_missing_part_deduction(x->draft, -1))
CALL(policy_set_evidence_unknown_bit, refund_policy_set_common_evidence(x->draft, 1u << 20))
CALL(policy_grade_deduction_on_fine, refund_policy_set_grade_deduction(x->draft,
		REFUND_GRADE_FINE, 100))
CALL(policy_deadline_unknown_calendar, refund_policy_set_deadline(x->draft,
		REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "MARS", REFUND_ON_DUE_REMIND,
		NULL, 0))
CALL(policy_deadline_duplicate_reminders, refund_policy_set_deadline(x->draft,
		REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_REMIND,
		(const int64_t[2]){ 3600, 3600 }, 2))
CALL(policy_publish_wrong_role, refund_policy_publish(x->draft, "rev-1", REFUND_ROLE_REVIEWER))
CALL(policy_publish_twice, refund_policy_publish(x->published, "admin-1", REFUND_ROLE_ADMIN))

static int policy_load(ctx *x, const char *id, uint32_t version)
{
	refund_policy *p = NULL;
	int rc = refund_policy_load(x->e, &p, id, version);

	refund_policy_free(p);
	return rc;
}

CALL(policy_load_missing, policy_load(x, "P-404", 0))
CALL(policy_load_version_not_published, policy_load(x, "POS", 9))
CALL(policy_load_corrupt, policy_load(x, "P-BAD", 0))

static int policy_parse(ctx *x, const char *text)
{
	refund_policy *p = NULL;
	int rc = refund_policy_parse(x->e, &p, text, strlen(text));

	refund_policy_free(p);
	return rc;
}

CALL(policy_parse_garbage, policy_parse(x, "policy P-T\ncurrency CNY\nwindow forever days after payment\n"))
CALL(policy_parse_invalid_utf8, policy_parse(x, "policy P-T\ncurrency CNY\n# \xed\xa0\x80\n"))
CALL(policy_parse_unknown_currency, policy_parse(x, "policy P-T\ncurrency QQQ\n"))

static int policy_format_small_buffer(ctx *x)
{
	char buf[8];

	return refund_policy_format(x->published, buf, sizeof(buf), NULL);
}

CALL(policy_format_null_buffer, refund_policy_format(x->published, NULL, 64, NULL))

/* case.h */

static int case_open(ctx *x, const char *id, const char *deposit, const char *policy,
		int reason, const refund_act *act)
{
	refund_case *c = NULL;
	int rc = refund_case_open(x->e, &c, id, deposit, policy, 0, reason, act);

	refund_case_free(c);
	return rc;
}

#define OPEN(name, id, deposit, policy, reason, act) \
	static int name(ctx *x) \
	{ \
		refund_act a = act; \
		\
		return case_open(x, id, deposit, policy, reason, &a); \
	}

OPEN(case_open_unknown_deposit, "K-2", "D-404", "POS", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_unknown_policy, "K-2", "D-2", "P-404", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_second_case, "K-2", "D-1", "POS", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_existing_id, "K-1", "D-2", "POS", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_currency_mismatch, "K-2", "D-2", "POS-USD", REFUND_REASON_NEEDS_CHANGED,
		APPLICANT)
OPEN(case_open_wrong_role, "K-2", "D-2", "POS", REFUND_REASON_NEEDS_CHANGED, FINANCE)
OPEN(case_open_unknown_reason, "K-2", "D-2", "POS", 0, APPLICANT)
OPEN(case_open_id_control_byte, "K-\x7f", "D-2", "POS", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_corrupt_policy, "K-2", "D-2", "P-BAD", REFUND_REASON_NEEDS_CHANGED, APPLICANT)
OPEN(case_open_corrupt_deposit, "K-2", "D-BAD", "POS", REFUND_REASON_NEEDS_CHANGED, APPLICANT)

static int case_open_act_version(ctx *x)
{
	refund_act a = APPLICANT;

	a.version = 0;
	return case_open(x, "K-2", "D-2", "POS", REFUND_REASON_NEEDS_CHANGED, &a);
}

CALL(case_open_null_act, case_open(x, "K-2", "D-2", "POS", REFUND_REASON_NEEDS_CHANGED, NULL))

static int case_load(ctx *x, const char *id)
{
	refund_case *c = NULL;
	int rc = refund_case_load(x->e, &c, id);

	refund_case_free(c);
	return rc;
}

CALL(case_load_missing, case_load(x, "K-404"))
CALL(case_load_corrupt, case_load(x, "K-BAD"))

#define ACT(name, act_value, tweak, expr) \
	static int name(ctx *x) \
	{ \
		refund_act a = act_value; \
		\
		tweak; \
		return (expr); \
	}

ACT(case_attach_note_invalid_utf8, APPLICANT, a.note = "bitte \xfc",
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_note_control_byte, APPLICANT, a.note = "ok\x08",
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_reference_too_long, APPLICANT, (void)0,
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT,
		"file:0123456789012345678901234567890123456789012345678901234567890123"
		"456789012345678901234567890123456789012345678901234567890123456789"))
ACT(case_attach_unknown_kind, APPLICANT, (void)0,
		refund_case_attach(x->c, &a, 42, "file:x"))
ACT(case_attach_wrong_role, REVIEWER, (void)0,
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_in_closed, APPLICANT, (void)0,
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_OTHER, "file:late.pdf"))
ACT(case_attach_actor_missing, APPLICANT, a.actor = NULL,
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_unknown_role, APPLICANT, a.role = 0,
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_key_control_byte, APPLICANT, a.idempotency_key = "key\t1",
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_key_reused, APPLICANT, a.idempotency_key = "idem-1",
		refund_case_attach(x->c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"))
ACT(case_attach_stale_version, APPLICANT, (void)0,
		refund_case_attach(x->stale, &a, REFUND_EVIDENCE_PAYMENT_RECORD, "file:p.png"))

static int case_submit_with(ctx *x, refund_account *acc)
{
	refund_act a = APPLICANT;

	return refund_case_submit(x->c, &a, acc);
}

static int case_submit_missing_evidence(ctx *x)
{
	refund_account acc = bank_account();

	return case_submit_with(x, &acc);
}

static int case_submit_bank_number_letters(ctx *x)
{
	refund_account acc = bank_account();

	acc.number = "62220202ABCD3445";
	return case_submit_with(x, &acc);
}

ACT(case_approve_in_draft, REVIEWER, (void)0, refund_case_approve(x->c, &a, 100))
ACT(case_approve_more_than_quote, REVIEWER, (void)0, refund_case_approve(x->c, &a, 50001))
ACT(case_approve_int64_max, REVIEWER, (void)0, refund_case_approve(x->c, &a, INT64_MAX))
ACT(case_approve_negative, REVIEWER, (void)0, refund_case_approve(x->c, &a, -1))
ACT(case_approve_by_applicant, APPLICANT, (void)0, refund_case_approve(x->c, &a, 100))
ACT(case_reject_empty_text, REVIEWER, (void)0,
		refund_case_reject(x->c, &a, REFUND_REJECT_OTHER, ""))
ACT(case_reject_unknown_reason, REVIEWER, (void)0,
		refund_case_reject(x->c, &a, 99, "no"))
ACT(case_request_documents_none, REVIEWER, (void)0,
		refund_case_request_documents(x->c, &a, 0))
ACT(case_set_offset_negative, FINANCE, (void)0, refund_case_set_offset(x->c, &a, -5))
ACT(case_offer_too_many_parts, FINANCE, (void)0, refund_case_offer(x->c, &a, 4))
ACT(case_accept_by_finance, FINANCE, (void)0, refund_case_accept(x->c, &a))
ACT(case_pay_part_out_of_range, FINANCE, (void)0, refund_case_pay(x->c, &a, 3, "TX-3"))
ACT(case_pay_reference_empty, FINANCE, (void)0, refund_case_pay(x->c, &a, 1, ""))
ACT(case_pay_failed_reason_too_long, FINANCE, (void)0, refund_case_pay_failed(x->c, &a, 1,
		"timeout 0123456789012345678901234567890123456789012345678901234567890123"
		"4567890123456789012345678901234567890123456789012345678901234567"))
ACT(case_confirm_closed, APPLICANT, (void)0, refund_case_confirm(x->c, &a))
ACT(case_withdraw_closed, APPLICANT, (void)0, refund_case_withdraw(x->c, &a))
ACT(case_escalate_two_parties, APPLICANT, (void)0, refund_case_escalate(x->c, &a,
		REFUND_PARTY_REGULATOR | REFUND_PARTY_LEGAL))
ACT(case_reevaluate_not_newer, REVIEWER, (void)0, refund_case_reevaluate(x->c, &a, 1))
ACT(case_receive_device_not_required, AGENT, (void)0,
		refund_case_receive_device(x->c, &a, "SF1"))

static int case_quote_version(ctx *x)
{
	refund_quote q;

	memset(&q, 0, sizeof(q));
	q.version = 9;
	return refund_case_quote(x->c, &q);
}

static int case_explain_small_buffer(ctx *x)
{
	char buf[16];

	return refund_case_explain(x->c, REFUND_LANG_EN, buf, sizeof(buf));
}

static int case_part_out_of_range(ctx *x)
{
	refund_part p;

	memset(&p, 0, sizeof(p));
	p.version = REFUND_PART_VERSION;
	return refund_case_part(x->c, 3, &p);
}

static int count_case(void *ctx, const refund_case *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

static int case_list_corrupt(ctx *x)
{
	int n = 0;

	return refund_case_list(x->e, NULL, count_case, &n);
}

static int case_list_unknown_state(ctx *x)
{
	refund_case_filter filter = REFUND_CASE_FILTER_INIT;
	int n = 0;

	filter.state = 99;
	return refund_case_list(x->e, &filter, count_case, &n);
}

/* event.h */

CALL(case_events_null_cb, refund_case_events(x->c, NULL, NULL))
CALL(case_events_garbage_event, refund_case_events(x->c, count_event, &(int){ 0 }))
CALL(case_verify_garbage_event, refund_case_verify(x->c, &(uint64_t){ 0 }))

/* deadline.h */

static int case_next_deadline_version(ctx *x)
{
	refund_deadline d;

	memset(&d, 0, sizeof(d));
	d.version = 0;
	return refund_case_next_deadline(x->c, &d);
}

CALL(tick_after_9999, refund_engine_tick(x->e, REFUND_TIME_MAX + 1, 0, NULL))
CALL(tick_before_1970, refund_engine_tick(x->e, -1, 0, NULL))

static int tick_result_version(ctx *x)
{
	refund_tick_result res;

	memset(&res, 0, sizeof(res));
	res.version = 2;
	return refund_engine_tick(x->e, x->f->now, 0, &res);
}

CALL(tick_corrupt_due_case, refund_engine_tick(x->e, x->f->now, 0, NULL))

/* ---- the table ---- */

#define ROW(call, setup, want, described) { #call, setup, call, want, described }

static const row rows[] = {
	/* engine.h */
	ROW(engine_new_null_options, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(engine_new_no_store, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(engine_new_options_version, AT_DRAFT, REFUND_EVERSION, NO_ENGINE),
	ROW(engine_new_unknown_lang, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(engine_new_half_allocator, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(engine_options_init_version, AT_DRAFT, REFUND_EVERSION, NO_ENGINE),
	ROW(engine_now_null_out, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_clock_before_1970, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_clock_after_9999, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_set_lang_unknown, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_set_currency_lowercase, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_set_currency_exponent_5, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_set_currency_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(currency_exponent_unknown, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(currency_exponent_null_out, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	/* store.h */
	ROW(store_memory_new_null_out, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(store_memory_new_half_allocator, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(store_memory_new_allocator_version, AT_DRAFT, REFUND_EVERSION, NO_ENGINE),
	/* money.h */
	ROW(money_parse_overflow, AT_DRAFT, REFUND_EOVERFLOW, DESCRIBED),
	ROW(money_parse_negative_without_flag, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(money_parse_unknown_currency, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(money_parse_lowercase_currency, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(money_parse_too_many_digits, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(money_parse_unknown_flags, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(money_parse_invalid_utf8, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(money_parse_escape_sequence, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(money_parse_null_text, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(money_format_small_buffer, AT_DRAFT, REFUND_ERANGE, DESCRIBED),
	ROW(money_format_unknown_currency, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(money_add_overflow, AT_DRAFT, REFUND_EOVERFLOW, NO_ENGINE),
	ROW(money_sub_overflow, AT_DRAFT, REFUND_EOVERFLOW, NO_ENGINE),
	ROW(money_mul_overflow, AT_DRAFT, REFUND_EOVERFLOW, NO_ENGINE),
	ROW(money_percent_bp_out_of_range, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(money_allocate_negative_total, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	/* time.h */
	ROW(time_parse_before_1970, AT_DRAFT, REFUND_EPARSE, NO_ENGINE),
	ROW(time_parse_after_9999, AT_DRAFT, REFUND_EPARSE, NO_ENGINE),
	ROW(time_parse_no_zone, AT_DRAFT, REFUND_EPARSE, NO_ENGINE),
	ROW(time_format_before_1970, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	ROW(time_from_date_february_30, AT_DRAFT, REFUND_EINVAL, NO_ENGINE),
	/* calendar.h */
	ROW(calendar_new_control_byte_name, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_new_whole_week_off, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_new_offset_too_far, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_builtin_unknown, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(calendar_parse_bad_offset, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(calendar_parse_invalid_utf8, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(calendar_holiday_february_30, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_holiday_year_10000, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_holiday_on_workday, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_years_reversed, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_cn_year_not_covered, AT_DRAFT, REFUND_ECALENDAR, DESCRIBED),
	ROW(calendar_add_days_past_9999, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(calendar_add_business_days_too_many, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(engine_add_calendar_null, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	/* deposit.h */
	ROW(deposit_create_negative_amount, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_zero_amount, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_unknown_currency, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(deposit_create_id_too_long, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_id_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_id_with_space, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_holder_missing, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_paid_before_1970, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_paid_after_9999, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_receipt_invalid_utf8, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_receipt_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_existing_id, AT_DRAFT, REFUND_EEXISTS, DESCRIBED),
	ROW(deposit_create_info_version, AT_DRAFT, REFUND_EVERSION, DESCRIBED),
	ROW(deposit_create_wrong_role, AT_DRAFT, REFUND_EDENIED, DESCRIBED),
	ROW(deposit_create_unknown_role, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_create_null_info, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_load_missing, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(deposit_load_corrupt, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(deposit_load_null_out, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_post_more_than_remaining, AT_DRAFT, REFUND_EBALANCE, DESCRIBED),
	ROW(deposit_post_int64_max, AT_DRAFT, REFUND_EBALANCE, DESCRIBED),
	ROW(deposit_post_negative, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_post_hold, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_post_wrong_role, AT_DRAFT, REFUND_EDENIED, DESCRIBED),
	ROW(deposit_post_reference_invalid_utf8, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_post_stale_version, AT_DRAFT, REFUND_ECONFLICT, DESCRIBED),
	ROW(deposit_post_case_open, AT_REVIEW, REFUND_ESTATE, DESCRIBED),
	ROW(deposit_set_usage_negative, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_set_usage_actor_too_long, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(deposit_list_filter_version, AT_DRAFT, REFUND_EVERSION, DESCRIBED),
	ROW(deposit_list_corrupt, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(deposit_balance_version, AT_DRAFT, REFUND_EVERSION, DESCRIBED),
	/* policy.h */
	ROW(policy_new_id_with_at, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_new_unknown_currency, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(policy_set_window_published, AT_DRAFT, REFUND_ESTATE, DESCRIBED),
	ROW(policy_set_window_zero_days, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_add_tier_bp_over_whole, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_add_tier_negative_days, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_set_fee_cap_below_min, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_set_missing_part_negative, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_set_evidence_unknown_bit, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_grade_deduction_on_fine, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_deadline_unknown_calendar, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(policy_deadline_duplicate_reminders, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(policy_publish_wrong_role, AT_DRAFT, REFUND_EDENIED, DESCRIBED),
	ROW(policy_publish_twice, AT_DRAFT, REFUND_ESTATE, DESCRIBED),
	ROW(policy_load_missing, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(policy_load_version_not_published, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(policy_load_corrupt, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(policy_parse_garbage, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(policy_parse_invalid_utf8, AT_DRAFT, REFUND_EPARSE, DESCRIBED),
	ROW(policy_parse_unknown_currency, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(policy_format_small_buffer, AT_DRAFT, REFUND_ERANGE, DESCRIBED),
	ROW(policy_format_null_buffer, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	/* case.h */
	ROW(case_open_unknown_deposit, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(case_open_unknown_policy, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(case_open_second_case, AT_DRAFT, REFUND_EDUPLICATE, DESCRIBED),
	ROW(case_open_existing_id, AT_DRAFT, REFUND_EEXISTS, DESCRIBED),
	ROW(case_open_currency_mismatch, AT_DRAFT, REFUND_ECURRENCY, DESCRIBED),
	ROW(case_open_wrong_role, AT_DRAFT, REFUND_EDENIED, DESCRIBED),
	ROW(case_open_unknown_reason, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_open_id_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_open_corrupt_policy, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(case_open_corrupt_deposit, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(case_open_act_version, AT_DRAFT, REFUND_EVERSION, DESCRIBED),
	ROW(case_open_null_act, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_load_missing, AT_DRAFT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(case_load_corrupt, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(case_attach_note_invalid_utf8, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_note_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_reference_too_long, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_unknown_kind, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_wrong_role, AT_DRAFT, REFUND_EDENIED, DESCRIBED),
	ROW(case_attach_actor_missing, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_unknown_role, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_key_control_byte, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_attach_key_reused, AT_DRAFT, REFUND_EDUPLICATE, DESCRIBED),
	ROW(case_attach_stale_version, AT_STALE, REFUND_ECONFLICT, DESCRIBED),
	ROW(case_attach_in_closed, AT_CLOSED, REFUND_ESTATE, DESCRIBED),
	ROW(case_submit_missing_evidence, AT_DRAFT, REFUND_EEVIDENCE, DESCRIBED),
	ROW(case_submit_bank_number_letters, AT_READY, REFUND_EINVAL, DESCRIBED),
	ROW(case_approve_in_draft, AT_DRAFT, REFUND_ESTATE, DESCRIBED),
	ROW(case_approve_more_than_quote, AT_REVIEW, REFUND_EBALANCE, DESCRIBED),
	ROW(case_approve_int64_max, AT_REVIEW, REFUND_EBALANCE, DESCRIBED),
	ROW(case_approve_negative, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_approve_by_applicant, AT_REVIEW, REFUND_EDENIED, DESCRIBED),
	ROW(case_reject_empty_text, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_reject_unknown_reason, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_request_documents_none, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_set_offset_negative, AT_AGREEMENT, REFUND_EINVAL, DESCRIBED),
	ROW(case_offer_too_many_parts, AT_AGREEMENT, REFUND_EINVAL, DESCRIBED),
	ROW(case_accept_by_finance, AT_AGREEMENT, REFUND_EDENIED, DESCRIBED),
	ROW(case_pay_part_out_of_range, AT_PAYOUT, REFUND_EINVAL, DESCRIBED),
	ROW(case_pay_reference_empty, AT_PAYOUT, REFUND_EINVAL, DESCRIBED),
	ROW(case_pay_failed_reason_too_long, AT_PAYOUT, REFUND_EINVAL, DESCRIBED),
	ROW(case_confirm_closed, AT_CLOSED, REFUND_ESTATE, DESCRIBED),
	ROW(case_withdraw_closed, AT_CLOSED, REFUND_ESTATE, DESCRIBED),
	ROW(case_escalate_two_parties, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_reevaluate_not_newer, AT_REVIEW, REFUND_EINVAL, DESCRIBED),
	ROW(case_receive_device_not_required, AT_AGREEMENT, REFUND_ESTATE, DESCRIBED),
	ROW(case_quote_version, AT_REVIEW, REFUND_EVERSION, DESCRIBED),
	ROW(case_explain_small_buffer, AT_REVIEW, REFUND_ERANGE, DESCRIBED),
	ROW(case_part_out_of_range, AT_PAYOUT, REFUND_ENOTFOUND, DESCRIBED),
	ROW(case_list_corrupt, AT_DRAFT, REFUND_ECORRUPT, DESCRIBED),
	ROW(case_list_unknown_state, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	/* event.h */
	ROW(case_events_null_cb, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(case_events_garbage_event, AT_BAD_EVENT, REFUND_ECORRUPT, DESCRIBED),
	ROW(case_verify_garbage_event, AT_BAD_EVENT, REFUND_ECORRUPT, DESCRIBED),
	/* deadline.h */
	ROW(case_next_deadline_version, AT_REVIEW, REFUND_EVERSION, DESCRIBED),
	ROW(tick_after_9999, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(tick_before_1970, AT_DRAFT, REFUND_EINVAL, DESCRIBED),
	ROW(tick_result_version, AT_DRAFT, REFUND_EVERSION, DESCRIBED),
	ROW(tick_corrupt_due_case, AT_CORRUPT_DUE, REFUND_ECORRUPT, DESCRIBED),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* ---- running the table ---- */

/* A message a host can log and show: not empty, one line of valid UTF-8. */
static int printable(const char *msg)
{
	const char *p;

	for (p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return msg[0] != '\0' && refund__utf8_valid(msg, strlen(msg));
}

/* Runs one row in one language; returns 0 if it behaved, else says why. */
static int run_row(const row *r, refund_lang lang)
{
	char *before = NULL, *after = NULL;
	int rc, ok = 1;
	ctx x;

	build(&x, r->setup, lang);
	assert_int_equal(store_dump(x.f->store, &before), 0);
	x.e->errmsg[0] = '\0';
	rc = r->call(&x);
	if (rc != r->want) {
		print_error("%s (%s): got %s, want %s: \"%s\"\n", r->name,
				lang == REFUND_LANG_EN ? "en" : "zh-CN", refund_error_name(rc),
				refund_error_name(r->want), refund_engine_errmsg(x.e));
		ok = 0;
	}
	if (r->described && !printable(refund_engine_errmsg(x.e))) {
		print_error("%s: no message on the engine, or not one line of UTF-8\n", r->name);
		ok = 0;
	}
	if (!r->described && refund_engine_errmsg(x.e)[0] != '\0') {
		print_error("%s: takes no engine, yet the engine says \"%s\"\n", r->name,
				refund_engine_errmsg(x.e));
		ok = 0;
	}
	if (getenv("HOSTILE_VERBOSE"))
		print_message("%-40s %-18s %s\n", r->name, refund_error_name(rc),
				refund_engine_errmsg(x.e));
	assert_int_equal(store_dump(x.f->store, &after), 0);
	if (strcmp(before, after) != 0) {
		print_error("%s: the store changed\n", r->name);
		ok = 0;
	}
	free(before);
	free(after);
	tear_down(&x);
	return ok;
}

static void test_every_row_in_both_languages(void **state)
{
	size_t i, bad = 0;

	(void)state;
	for (i = 0; i < NROWS; i++) {
		if (!run_row(&rows[i], REFUND_LANG_EN))
			bad++;
		if (!run_row(&rows[i], REFUND_LANG_ZH_CN))
			bad++;
	}
	print_message("%zu hostile inputs, each in English and Chinese\n", NROWS);
	assert_int_equal(bad, 0);
}

/* The table itself: enough rows, no name twice. */
static void test_table_is_large_and_distinct(void **state)
{
	size_t i, j;

	(void)state;
	assert_true(NROWS >= 50);
	for (i = 0; i < NROWS; i++)
		for (j = i + 1; j < NROWS; j++)
			assert_string_not_equal(rows[i].name, rows[j].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_large_and_distinct),
		cmocka_unit_test(test_every_row_in_both_languages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
