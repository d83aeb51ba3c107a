/* Policies as text: refund_policy_parse() and refund_policy_format(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>

#include "fixture.h"
#include "policy.h"

#define EV(kind) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##kind)
#define MIB ((size_t)1 << 20)
#define HEAD "policy A\ncurrency CNY\n"

static refund_policy *const SENTINEL = (refund_policy *)&SENTINEL;

/* ---- helpers ---- */

/* A heap copy of exactly n bytes, so ASan catches any read past the end. */
static char *exact_copy(const char *text, size_t n)
{
	char *copy = malloc(n ? n : 1);

	assert_non_null(copy);
	memcpy(copy, text, n);
	return copy;
}

static int parse_n(fixture *f, refund_policy **out, const char *text, size_t n)
{
	char *copy = exact_copy(text, n);
	int rc = refund_policy_parse(f->engine, out, copy, n);

	free(copy);
	return rc;
}

static refund_policy *parse_ok(fixture *f, const char *text)
{
	refund_policy *p = NULL;
	int rc = parse_n(f, &p, text, strlen(text));

	if (rc != 0)
		fail_msg("parse failed (%d): %s\n%s", rc, refund_engine_errmsg(f->engine), text);
	assert_non_null(p);
	return p;
}

static char *format_alloc(const refund_policy *p)
{
	size_t needed = 0;
	char *buf;

	assert_int_equal(refund_policy_format(p, NULL, 0, &needed), REFUND_ERANGE);
	assert_true(needed > 1);
	buf = malloc(needed);
	assert_non_null(buf);
	assert_int_equal(refund_policy_format(p, buf, needed, NULL), 0);
	assert_int_equal(strlen(buf) + 1, needed);
	return buf;
}

/* Every rule of a and b equal (not the version or publication). */
static void assert_same_rules(const refund_policy *a, const refund_policy *b)
{
	size_t i, j;

	assert_string_equal(a->id, b->id);
	assert_string_equal(a->currency, b->currency);
	assert_int_equal(a->window_anchor, b->window_anchor);
	assert_int_equal(a->window_days, b->window_days);
	assert_int_equal(a->ntiers, b->ntiers);
	for (i = 0; i < a->ntiers; i++) {
		assert_int_equal(a->tiers[i].min_days, b->tiers[i].min_days);
		assert_int_equal(a->tiers[i].min_volume, b->tiers[i].min_volume);
		assert_int_equal(a->tiers[i].bp, b->tiers[i].bp);
	}
	assert_int_equal(a->common_evidence, b->common_evidence);
	for (i = 0; i < REFUND_REASON_COUNT; i++)
		assert_int_equal(a->reason_evidence[i], b->reason_evidence[i]);
	assert_int_equal(a->return_required, b->return_required);
	for (i = 0; i < REFUND_GRADE_COUNT; i++)
		assert_int_equal(a->grade_bp[i], b->grade_bp[i]);
	assert_int_equal(a->missing_part_amount, b->missing_part_amount);
	assert_int_equal(a->fee_fixed, b->fee_fixed);
	assert_int_equal(a->fee_bp, b->fee_bp);
	assert_int_equal(a->fee_min, b->fee_min);
	assert_int_equal(a->fee_cap, b->fee_cap);
	assert_int_equal(a->offsets_allowed, b->offsets_allowed);
	assert_int_equal(a->max_parts, b->max_parts);
	assert_int_equal(a->interval_months, b->interval_months);
	for (i = 0; i < REFUND_STATE_COUNT; i++) {
		const policy_deadline *x = &a->deadlines[i], *y = &b->deadlines[i];

		assert_int_equal(x->set, y->set);
		assert_int_equal(x->amount, y->amount);
		assert_int_equal(x->unit, y->unit);
		assert_string_equal(x->calendar, y->calendar);
		assert_int_equal(x->consequence, y->consequence);
		assert_int_equal(x->nreminders, y->nreminders);
		for (j = 0; j < x->nreminders; j++)
			assert_int_equal(x->reminders[j], y->reminders[j]);
	}
	assert_int_equal(a->four_eyes, b->four_eyes);
	assert_int_equal(a->parties, b->parties);
}

/* format(p) parses to the same rules, which format to the same text. */
static void assert_round_trip(fixture *f, const refund_policy *p)
{
	char *text = format_alloc(p), *again;
	refund_policy *q = parse_ok(f, text);

	assert_same_rules(p, q);
	again = format_alloc(q);
	assert_string_equal(again, text);
	free(again);
	free(text);
	refund_policy_free(q);
}

/* The two texts give the same rules. */
static void assert_same_text_rules(fixture *f, const char *variant, const char *canonical)
{
	refund_policy *a = parse_ok(f, variant), *b = parse_ok(f, canonical);

	assert_same_rules(a, b);
	refund_policy_free(a);
	refund_policy_free(b);
}

static char *read_file(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	char *buf;
	long n;

	if (!file)
		return NULL;
	assert_int_equal(fseek(file, 0, SEEK_END), 0);
	n = ftell(file);
	assert_true(n > 0);
	assert_int_equal(fseek(file, 0, SEEK_SET), 0);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, file), (size_t)n);
	fclose(file);
	*size = (size_t)n;
	return buf;
}

/*
 * The example policy of docs/policies/.  Meson compiles this file as
 * "../tests/policy/test_policy_text.c" from the build directory, where the
 * tests also run; $REFUND_SOURCE_ROOT overrides that for other layouts.
 */
static char *read_example(size_t *size)
{
	static const char suffix[] = "tests/policy/test_policy_text.c";
	static const char example[] = "docs/policies/pos-standard.policy";
	const char *root = getenv("REFUND_SOURCE_ROOT");
	char path[4096];
	char *text;
	size_t n;

	if (root) {
		snprintf(path, sizeof(path), "%s/%s", root, example);
	} else {
		n = strlen(__FILE__);
		assert_true(n >= strlen(suffix) && n - strlen(suffix) + sizeof(example) <= sizeof(path));
		memcpy(path, __FILE__, n - strlen(suffix));
		memcpy(path + n - strlen(suffix), example, sizeof(example));
	}
	text = read_file(path, size);
	if (!text)
		fail_msg("cannot read %s (set REFUND_SOURCE_ROOT to the source tree)", path);
	return text;
}

/* ---- the example ---- */

static void test_example_parses(void **state)
{
	fixture *f = *state;
	refund_policy *p = NULL;
	size_t size = 0;
	char *text = read_example(&size);

	assert_int_equal(parse_n(f, &p, text, size), 0);
	assert_string_equal(refund_policy_id(p), "POS-STD");
	assert_string_equal(refund_policy_currency(p), "CNY");
	assert_int_equal(refund_policy_version(p), 0);
	assert_int_equal(p->window_anchor, REFUND_WINDOW_CONTRACT_END);
	assert_int_equal(p->window_days, 730);
	assert_int_equal(p->ntiers, 4);
	assert_int_equal(p->tiers[2].min_days, 90);
	assert_int_equal(p->tiers[2].min_volume, 1000000);
	assert_int_equal(p->tiers[2].bp, 10000);
	assert_int_equal(p->reason_evidence[REFUND_REASON_FRAUD], EV(POLICE_REPORT) | EV(OTHER));
	assert_int_equal(p->reason_evidence[REFUND_REASON_NEEDS_CHANGED], 0);
	assert_int_equal(p->return_required, 1);
	assert_int_equal(p->grade_bp[REFUND_GRADE_DAMAGED], 3000);
	assert_int_equal(p->missing_part_amount, 2000);
	assert_int_equal(p->fee_fixed, 500);
	assert_int_equal(p->fee_bp, 100);
	assert_int_equal(p->fee_min, 500);
	assert_int_equal(p->fee_cap, 2000);
	assert_int_equal(p->offsets_allowed, 1);
	assert_int_equal(p->max_parts, 3);
	assert_int_equal(p->interval_months, 1);
	assert_true(p->deadlines[REFUND_STATE_UNDER_REVIEW].set);
	assert_int_equal(p->deadlines[REFUND_STATE_UNDER_REVIEW].unit, REFUND_BUSINESS_DAYS);
	assert_string_equal(p->deadlines[REFUND_STATE_UNDER_REVIEW].calendar, "CN");
	assert_int_equal(p->deadlines[REFUND_STATE_UNDER_REVIEW].consequence,
			REFUND_ON_DUE_ESCALATE);
	assert_int_equal(p->deadlines[REFUND_STATE_AWAITING_DOCUMENTS].nreminders, 2);
	assert_int_equal(p->deadlines[REFUND_STATE_AWAITING_DOCUMENTS].reminders[0], 3 * 86400);
	assert_int_equal(p->four_eyes, 100000);
	assert_int_equal(p->parties,
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	assert_round_trip(f, p);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	assert_round_trip(f, p);
	refund_policy_free(p);
	free(text);
}

/* ---- round trips ---- */

static refund_policy *draft(fixture *f, const char *id, const char *currency)
{
	refund_policy *p = NULL;

	assert_int_equal(refund_policy_new(f->engine, &p, id, currency), 0);
	return p;
}

static void add_calendar(fixture *f, const char *name)
{
	refund_calendar *c = NULL;

	assert_int_equal(refund_calendar_new(f->engine, &c, name, 0, REFUND_WEEKEND_SAT_SUN), 0);
	assert_int_equal(refund_engine_add_calendar(f->engine, c), 0);
}

static void set_deadline(refund_policy *p, int state, int32_t amount, int unit,
		const char *calendar, int consequence, const int64_t *reminders, size_t n)
{
	assert_int_equal(refund_policy_set_deadline(p, state, amount, unit, calendar, consequence,
			reminders, n), 0);
}

static void test_round_trip_every_rule(void **state)
{
	static const int64_t many[] = { 1, 59, 3600, 7 * 86400 };
	static const int64_t odd[] = { 61, 90061, INT64_MAX };
	static const int64_t minute[] = { 60 };
	fixture *f = *state;
	refund_policy *p;
	int64_t i;

	add_calendar(f, "My \"cal\" \\ 1");
	add_calendar(f, "#hash,");
	p = draft(f, "#POS\"x\\,", "CNY");
	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_PAYMENT, 36600), 0);
	for (i = 0; i < REFUND_POLICY_MAX_TIERS - 3; i++)
		assert_int_equal(refund_policy_add_tier(p, i * 30, i * 1234567, (int32_t)(i * 769)),
				0);
	assert_int_equal(refund_policy_add_tier(p, INT64_MAX, INT64_MAX, 1), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 1, 10), 0);
	assert_int_equal(refund_policy_add_tier(p, 1, 0, 10000), 0);
	assert_int_equal(refund_policy_set_common_evidence(p, REFUND_EVIDENCE_ALL), 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_DEVICE_FAULT, 0), 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_NEEDS_CHANGED,
			EV(OTHER) | EV(RECEIPT)), 0);
	assert_int_equal(refund_policy_set_return_required(p, 0), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, 10000),
			0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, INT64_MAX), 0);
	assert_int_equal(refund_policy_set_fee(p, 1, 9999, 0, INT64_MAX), 0);
	assert_int_equal(refund_policy_set_offsets(p, 1), 0);
	assert_int_equal(refund_policy_set_installments(p, REFUND_POLICY_MAX_PARTS, 12), 0);
	set_deadline(p, REFUND_STATE_DRAFT, 1, REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE,
			many, 4);
	set_deadline(p, REFUND_STATE_SUBMITTED, 3660, REFUND_BUSINESS_DAYS, "WEEKEND",
			REFUND_ON_DUE_REMIND, NULL, 0);
	set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2, REFUND_BUSINESS_DAYS, "My \"cal\" \\ 1",
			REFUND_ON_DUE_APPROVE, odd, 3);
	set_deadline(p, REFUND_STATE_AWAITING_DOCUMENTS, 5, REFUND_CALENDAR_DAYS, "#hash,",
			REFUND_ON_DUE_REMIND, minute, 1);
	set_deadline(p, REFUND_STATE_DEVICE_RETURN, 30, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_ESCALATE, NULL, 0);
	set_deadline(p, REFUND_STATE_INSPECTION, 3, REFUND_BUSINESS_DAYS, "CN",
			REFUND_ON_DUE_ESCALATE, minute, 1);
	set_deadline(p, REFUND_STATE_AGREEMENT, 10, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_EXPIRE, NULL, 0);
	set_deadline(p, REFUND_STATE_PAYOUT, 7, REFUND_BUSINESS_DAYS, "CN",
			REFUND_ON_DUE_ESCALATE, NULL, 0);
	set_deadline(p, REFUND_STATE_PAID, 15, REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE,
			NULL, 0);
	set_deadline(p, REFUND_STATE_REJECTED, 15, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_CLOSE, many, 2);
	assert_int_equal(refund_policy_set_four_eyes(p, 0), 0);
	assert_int_equal(refund_policy_set_escalation(p, REFUND_PARTY_REGULATOR |
			REFUND_PARTY_CONSUMER_ASSOCIATION | REFUND_PARTY_LEGAL), 0);
	assert_round_trip(f, p);
	refund_policy_free(p);
}

static void test_round_trip_other_currencies(void **state)
{
	fixture *f = *state;
	refund_policy *p;

	/* No decimals: amounts are whole yen. */
	p = draft(f, "JP-1", "JPY");
	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 1), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 5000, 5050), 0);
	assert_int_equal(refund_policy_set_fee(p, 0, 250, 100, -1), 0);
	assert_int_equal(refund_policy_set_installments(p, 1, 3), 0);
	assert_int_equal(refund_policy_set_four_eyes(p, INT64_MAX), 0);
	assert_int_equal(refund_policy_set_escalation(p, REFUND_PARTY_LEGAL), 0);
	assert_round_trip(f, p);
	refund_policy_free(p);
	/* Four decimals, a fee with only a minimum, all evidence dropped. */
	p = draft(f, "CL", "CLF");
	assert_int_equal(refund_policy_set_fee(p, 0, 0, 1, 1), 0);
	assert_int_equal(refund_policy_set_common_evidence(p, 0), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, 12345), 0);
	assert_round_trip(f, p);
	refund_policy_free(p);
	/* A host's own exponent for a currency. */
	assert_int_equal(refund_engine_set_currency(f->engine, "KWD", 1), 0);
	p = draft(f, "KW", "KWD");
	assert_int_equal(refund_policy_set_fee(p, 15, 0, 0, -1), 0);
	assert_round_trip(f, p);
	refund_policy_free(p);
}

static void test_defaults(void **state)
{
	fixture *f = *state;
	refund_policy *fresh = draft(f, "A", "CNY");
	refund_policy *parsed = parse_ok(f, HEAD);
	char *text = format_alloc(fresh);

	assert_same_rules(fresh, parsed);
	assert_string_equal(text,
			"policy A\n"
			"currency CNY\n"
			"window none\n"
			"evidence all: receipt contract payment_record\n"
			"evidence device_fault: fault_report\n"
			"evidence transaction_dispute: transaction_records\n"
			"evidence service: service_evaluation\n"
			"evidence policy_change: government_document\n"
			"evidence needs_changed: none\n"
			"evidence fraud: police_report\n"
			"return required\n"
			"deduct damaged 0%\n"
			"deduct not_returned 0%\n"
			"deduct missing_part 0.00\n"
			"fee none\n"
			"offsets not_allowed\n"
			"installments none\n"
			"four_eyes off\n"
			"escalate none\n");
	assert_round_trip(f, fresh);
	free(text);
	refund_policy_free(fresh);
	refund_policy_free(parsed);
}

static void test_canonical_text(void **state)
{
	static const char text[] =
			"policy P-1\n"
			"currency CNY\n"
			"window 1 day after payment\n"
			"tier 1 day -> 0.01%\n"
			"tier 2 days 0.01 volume -> 12.5%\n"
			"evidence all: none\n"
			"evidence device_fault: receipt other\n"
			"evidence transaction_dispute: none\n"
			"evidence service: none\n"
			"evidence policy_change: none\n"
			"evidence needs_changed: none\n"
			"evidence fraud: none\n"
			"return not_required\n"
			"deduct damaged 99.99%\n"
			"deduct not_returned 100%\n"
			"deduct missing_part 0.50\n"
			"fee 1% max 3.00\n"
			"offsets allowed\n"
			"installments 2 every 1 month\n"
			"deadline submitted 1 business day in CN then remind remind 1 day, 1 hour, "
			"1 minute, 1 second before\n"
			"four_eyes above 0.00\n"
			"escalate to consumer_association legal\n";
	fixture *f = *state;
	refund_policy *p = parse_ok(f, text);
	char *out = format_alloc(p);

	assert_string_equal(out, text);
	free(out);
	refund_policy_free(p);
}

static void test_accepted_variants(void **state)
{
	fixture *f = *state;

	assert_same_text_rules(f,
			"\xEF\xBB\xBF# a comment\r\n\r\n  policy\t\"A\"  # quoted\r\ncurrency CNY\r\n"
			"\twindow 7 day after payment\t#comment\r\n",
			HEAD "window 7 days after payment\n");
	assert_same_text_rules(f, HEAD "tier 5 day 0 volume -> 1234bp",
			HEAD "tier 5 days -> 12.34%\n");
	assert_same_text_rules(f, HEAD "tier 0 days -> 12.5%\ntier 0 days -> 7.0%\n",
			HEAD "tier 0 days -> 1250bp\ntier 0 days -> 700bp\n");
	assert_same_text_rules(f, HEAD "fee 1% + 5 max none\n", HEAD "fee 5.00 + 1%\n");
	assert_same_text_rules(f, HEAD "fee 0 + 0%\n", HEAD "fee none\n");
	assert_same_text_rules(f, HEAD "installments 3\n", HEAD "installments 3 every 1 month\n");
	assert_same_text_rules(f, HEAD "installments 1 every 1 months\n",
			HEAD "installments none\n");
	assert_same_text_rules(f,
			HEAD "deadline paid 2 calendar days in \"CN\" then close remind 1 week , "
			"36 hours, 90 minutes , 45 second before # done\n",
			HEAD "deadline paid 2 days in CN then close remind 7 days, 36 hours, "
			"90 minutes, 45 seconds before\n");
	assert_same_text_rules(f, HEAD "escalate to legal regulator\n",
			HEAD "escalate to regulator legal\n");
	assert_same_text_rules(f, HEAD "evidence all: payment_record receipt\n",
			HEAD "evidence all: receipt payment_record\n");
	assert_same_text_rules(f, "policy A\ncurrency CNY", HEAD);
	/* A '#' inside a token is part of it. */
	assert_same_text_rules(f, "policy A#1\ncurrency CNY\n", "policy \"A#1\"\ncurrency CNY\n");
	assert_same_text_rules(f, "policy \"A\\\\B\"\ncurrency CNY\n",
			"policy A\\B\ncurrency CNY\n");
}

/* The same rules through text and through the setters give the same draft. */
static void test_same_as_setters(void **state)
{
	static const int64_t reminders[] = { 3600, 86400 };
	fixture *f = *state;
	refund_policy *p = draft(f, "S", "CNY");
	refund_policy *q = parse_ok(f,
			"policy S\ncurrency CNY\n"
			"deadline under_review 2 business days in CN then escalate "
			"remind 1 hour, 1 day before\n"
			"tier 10 days -> 50%\ntier 0 days 100.00 volume -> 60%\n"
			"deduct not_returned 100%\nfee 2.00\nfour_eyes above 1000.00\n");

	set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2, REFUND_BUSINESS_DAYS, "CN",
			REFUND_ON_DUE_ESCALATE, reminders, 2);
	assert_int_equal(refund_policy_add_tier(p, 10, 0, 5000), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 10000, 6000), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, 10000),
			0);
	assert_int_equal(refund_policy_set_fee(p, 200, 0, 0, -1), 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 100000), 0);
	assert_same_rules(p, q);
	refund_policy_free(p);
	refund_policy_free(q);
}

/* ---- malformed input ---- */

typedef struct bad_case {
	const char *text;
	size_t size;
	int code;
	unsigned long line;
	unsigned long column;   /* 0: not checked */
} bad_case;

#define BAD(text, code, line, column) { text, sizeof(text) - 1, code, line, column }
#define EP REFUND_EPARSE

static const bad_case bad_cases[] = {
	BAD("", EP, 1, 1),
	BAD("\xEF\xBB\xBF", EP, 1, 1),
	BAD("# only a comment\n", EP, 2, 1),
	BAD("currency CNY\n", EP, 1, 1),
	BAD("policy\n", EP, 1, 7),
	BAD("policy A B\n", EP, 1, 10),
	BAD("policy A\nwindow none\n", EP, 2, 1),
	BAD("policy A\n", EP, 2, 1),
	BAD("policy A\ncurrency", EP, 2, 9),
	BAD("policy A\ncurrency cny\n", EP, 2, 10),
	BAD("policy A\ncurrency CNYY\n", EP, 2, 10),
	BAD("policy A\ncurrency \"CNY\"\n", EP, 2, 10),
	BAD("policy A\ncurrency XYZ\n", REFUND_ECURRENCY, 2, 10),
	BAD("policy A@1\ncurrency CNY\n", EP, 1, 8),
	BAD("policy \"A 1\"\ncurrency CNY\n", EP, 1, 8),
	BAD("policy \"\"\ncurrency CNY\n", EP, 1, 8),
	BAD("policy 0123456789012345678901234567890123456789012345678\ncurrency CNY\n",
			EP, 1, 8),
	BAD("policy A\npolicy B\n", EP, 2, 1),
	BAD(HEAD "currency CNY\n", EP, 3, 1),
	BAD(HEAD "foo\n", EP, 3, 1),
	BAD(HEAD "Window none\n", EP, 3, 1),
	BAD(HEAD "window\n", EP, 3, 7),
	BAD(HEAD "window 0 days after payment\n", EP, 3, 8),
	BAD(HEAD "window 36601 days after payment\n", EP, 3, 8),
	BAD(HEAD "window 10 days before payment\n", EP, 3, 16),
	BAD(HEAD "window 10 days after delivery\n", EP, 3, 22),
	BAD(HEAD "window 99999999999 days after payment\n", EP, 3, 8),
	BAD(HEAD "window -1 days after payment\n", EP, 3, 8),
	BAD(HEAD "window +1 days after payment\n", EP, 3, 8),
	BAD(HEAD "window none extra\n", EP, 3, 13),
	BAD(HEAD "window none\nwindow none\n", EP, 4, 1),
	BAD(HEAD "tier 0 days 50%\n", EP, 3, 13),
	BAD(HEAD "tier 0 days -> 50\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> 100.001%\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> .5%\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> 5.%\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> -5%\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> 101%\n", EP, 3, 6),
	BAD(HEAD "tier 0 days -> 21474837%\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> 99999999999bp\n", EP, 3, 16),
	BAD(HEAD "tier 0 days -> bp\n", EP, 3, 16),
	BAD(HEAD "tier 0 days 5.000 volume -> 50%\n", EP, 3, 13),
	BAD(HEAD "tier 0 days 5.00 -> 50%\n", EP, 3, 18),
	BAD(HEAD "tier 0 days 99999999999999999999.00 volume -> 50%\n", EP, 3, 13),
	BAD(HEAD "tier 9223372036854775808 days -> 50%\n", EP, 3, 6),
	BAD(HEAD "tier 0 days ->\n", EP, 3, 15),
	BAD(HEAD "tier 0 -> 1%\ntier 1 -> 2%\n", EP, 3, 8),
	BAD(HEAD "tier 0 days -> 1%\ntier 0 days -> 1%\ntier 0 days -> 1%\n"
			"tier 0 days -> 1%\ntier 0 days -> 1%\ntier 0 days -> 1%\n"
			"tier 0 days -> 1%\ntier 0 days -> 1%\ntier 0 days -> 1%\n"
			"tier 0 days -> 1%\ntier 0 days -> 1%\ntier 0 days -> 1%\n"
			"tier 0 days -> 1%\ntier 0 days -> 1%\ntier 0 days -> 1%\n"
			"tier 0 days -> 1%\ntier 0 days -> 1%\n", EP, 19, 6),
	BAD(HEAD "evidence all receipt\n", EP, 3, 10),
	BAD(HEAD "evidence :\n", EP, 3, 10),
	BAD(HEAD "evidence all:\n", EP, 3, 14),
	BAD(HEAD "evidence all: receipt receipt\n", EP, 3, 23),
	BAD(HEAD "evidence all: passport\n", EP, 3, 15),
	BAD(HEAD "evidence theft: other\n", EP, 3, 10),
	BAD(HEAD "evidence all: none receipt\n", EP, 3, 20),
	BAD(HEAD "evidence fraud: other\nevidence fraud: other\n", EP, 4, 1),
	BAD(HEAD "evidence all: none\n# x\nevidence all: receipt\n", EP, 5, 1),
	BAD(HEAD "return maybe\n", EP, 3, 8),
	BAD(HEAD "return\n", EP, 3, 7),
	BAD(HEAD "deduct normal_wear 10%\n", EP, 3, 8),
	BAD(HEAD "deduct damaged 10% extra\n", EP, 3, 20),
	BAD(HEAD "deduct damaged 10%\ndeduct damaged 20%\n", EP, 4, 1),
	BAD(HEAD "deduct missing_part -1.00\n", EP, 3, 21),
	BAD(HEAD "deduct missing_part 1\ndeduct missing_part 1\n", EP, 4, 1),
	BAD(HEAD "fee\n", EP, 3, 4),
	BAD(HEAD "fee 1% + 2%\n", EP, 3, 10),
	BAD(HEAD "fee 1.00 + 2.00\n", EP, 3, 12),
	BAD(HEAD "fee 1.00 +\n", EP, 3, 11),
	BAD(HEAD "fee 10.00 min 5.00 max 2.00\n", EP, 3, 5),
	BAD(HEAD "fee 10.00 maximum 2\n", EP, 3, 11),
	BAD(HEAD "fee 10.00 max 2.00 min 1.00\n", EP, 3, 20),
	BAD(HEAD "fee none 1%\n", EP, 3, 10),
	BAD(HEAD "fee 101%\n", EP, 3, 5),
	BAD(HEAD "offsets yes\n", EP, 3, 9),
	BAD(HEAD "installments 25\n", EP, 3, 14),
	BAD(HEAD "installments 0\n", EP, 3, 14),
	BAD(HEAD "installments 3 every 13 months\n", EP, 3, 14),
	BAD(HEAD "installments 3 each 1 month\n", EP, 3, 16),
	BAD(HEAD "installments 3 every 1 year\n", EP, 3, 24),
	BAD(HEAD "installments 3 \"x\n", EP, 3, 16),
	BAD(HEAD "fee 1.00 \"x\n", EP, 3, 10),
	BAD(HEAD "escalate to legal \"x\n", EP, 3, 19),
	BAD(HEAD "deadline nowhere 2 days in CN then expire\n", EP, 3, 10),
	BAD(HEAD "deadline closed 2 days in CN then expire\n", EP, 3, 10),
	BAD(HEAD "deadline paid 2 days in CN then escalate\n", EP, 3, 10),
	BAD(HEAD "deadline paid 0 days in CN then close\n", EP, 3, 10),
	BAD(HEAD "deadline paid 2 weeks in CN then close\n", EP, 3, 17),
	BAD(HEAD "deadline paid 2 business hours in CN then close\n", EP, 3, 26),
	BAD(HEAD "deadline paid 2 days in NOWHERE then close\n", REFUND_ENOTFOUND, 3, 25),
	BAD(HEAD "deadline paid 2 days in \"CN then close\n", EP, 3, 25),
	BAD(HEAD "deadline paid 2 days in \"C\\N\" then close\n", EP, 3, 27),
	BAD(HEAD "deadline paid 2 days in \"CN\"then close\n", EP, 3, 29),
	BAD(HEAD "deadline paid 2 days in 012345678901234567890123456789012 then close\n",
			EP, 3, 25),
	BAD(HEAD "deadline paid 2 days CN then close\n", EP, 3, 22),
	BAD(HEAD "deadline paid 2 days in CN close\n", EP, 3, 28),
	BAD(HEAD "deadline paid 2 days in CN then pay\n", EP, 3, 33),
	BAD(HEAD "deadline paid 2 days in CN then close 1 day before\n", EP, 3, 39),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 fortnight before\n", EP, 3, 48),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 day\n", EP, 3, 51),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 day after\n", EP, 3, 52),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 day, before\n", EP, 3, 53),
	BAD(HEAD "deadline paid 2 days in CN then close remind 0 days before\n", EP, 3, 10),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 day, 24 hours before\n",
			EP, 3, 10),
	BAD(HEAD "deadline paid 2 days in CN then close remind 1 day, 2 days, 3 days, "
			"4 days, 5 days before\n", EP, 3, 77),
	BAD(HEAD "deadline paid 2 days in CN then close remind 9223372036854775807 days "
			"before\n", EP, 3, 46),
	BAD(HEAD "deadline paid 2 days in CN then close\ndeadline paid 3 days in CN "
			"then close\n", EP, 4, 1),
	BAD(HEAD "four_eyes on\n", EP, 3, 11),
	BAD(HEAD "four_eyes above -5\n", EP, 3, 17),
	BAD(HEAD "four_eyes above\n", EP, 3, 16),
	BAD(HEAD "escalate regulator\n", EP, 3, 10),
	BAD(HEAD "escalate to\n", EP, 3, 12),
	BAD(HEAD "escalate to police\n", EP, 3, 13),
	BAD(HEAD "escalate to legal legal\n", EP, 3, 19),
	BAD(HEAD "escalate none\nescalate none\n", EP, 4, 1),
	BAD(HEAD "window\0none\n", EP, 3, 7),
	BAD(HEAD "# caf\xC3\xA9 \xFF\n", EP, 3, 8),
	BAD(HEAD "# \xC0\xAF overlong\n", EP, 3, 3),
	BAD(HEAD "# \xED\xA0\x80 surrogate\n", EP, 3, 3),
	BAD(HEAD "# \xE4\xB8\n", EP, 3, 3),
	BAD(HEAD "window none\x01\n", EP, 3, 12),
	BAD(HEAD "window none\x7F\n", EP, 3, 12),
	BAD(HEAD "window\rnone\n", EP, 3, 7),
	BAD(HEAD "window none\r", EP, 3, 12),
	BAD("policy \"A\"B\ncurrency CNY\n", EP, 1, 11),
	BAD("policy A # \xE4\xB8\xAD\xE6\x96\x87 \xFF\n", EP, 1, 15),
	BAD(HEAD "\xE4\xB8\xAD\xE6\x96\x87 x\n", EP, 3, 1),
	BAD(HEAD "evidence all: \xE6\x94\xB6\xE6\x8D\xAE receipt x\n", EP, 3, 15),
	BAD(HEAD "evidence all: receipt \xE6\x94\xB6\xE6\x8D\xAE\n", EP, 3, 23),
};

static void test_malformed(void **state)
{
	fixture *f = *state;
	refund_policy *warm = parse_ok(f, HEAD "deadline paid 2 days in CN then close\n");
	long live;
	char prefix[64];
	size_t i;

	/* The engine keeps the CN calendar once made: make it before counting. */
	refund_policy_free(warm);
	live = f->fa.live;

	assert_true(sizeof(bad_cases) / sizeof(bad_cases[0]) >= 40);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const bad_case *c = &bad_cases[i];
		refund_policy *p = SENTINEL;
		int rc = parse_n(f, &p, c->text, c->size);
		const char *msg = refund_engine_errmsg(f->engine);

		if (c->column)
			snprintf(prefix, sizeof(prefix), "line %lu, column %lu: ", c->line, c->column);
		else
			snprintf(prefix, sizeof(prefix), "line %lu, ", c->line);
		if (rc != c->code || strncmp(msg, prefix, strlen(prefix)) != 0 || p != SENTINEL ||
		    strlen(msg) <= strlen(prefix))
			fail_msg("case %zu: rc %d (want %d), message \"%s\" (want \"%s...\")\n%s", i,
					rc, c->code, msg, prefix, c->text);
		assert_int_equal(f->fa.live, live);
	}
}

static void test_messages_in_chinese(void **state)
{
	fixture *f = *state;
	refund_policy *p = SENTINEL;

	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_ZH_CN), 0);
	assert_int_equal(parse_n(f, &p, HEAD "window 5 dayz after payment\n",
			sizeof(HEAD "window 5 dayz after payment\n") - 1), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"第 3 行第 10 列：应为“days”，而非“dayz”");
	/* A setter's refusal keeps the setter's own words. */
	assert_int_equal(parse_n(f, &p, HEAD "window 0 days after payment\n",
			sizeof(HEAD "window 0 days after payment\n") - 1), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"第 3 行第 8 列：申请期限须为 1 至 36600 天，而非 0");
	assert_int_equal(parse_n(f, &p, "", 0), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"第 1 行第 1 列：应为第一条规则为“policy <编号>”");
	assert_ptr_equal(p, SENTINEL);
}

static void test_messages_in_english(void **state)
{
	fixture *f = *state;
	refund_policy *p = SENTINEL;

	assert_int_equal(parse_n(f, &p, HEAD "tier 0 days -> 50\n",
			sizeof(HEAD "tier 0 days -> 50\n") - 1), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"line 3, column 16: expected a percentage such as 50% or 12.5%, or basis "
			"points such as 1250bp, not '50'");
	assert_int_equal(parse_n(f, &p, HEAD "deduct damaged 10%\ndeduct damaged 20%\n",
			sizeof(HEAD "deduct damaged 10%\ndeduct damaged 20%\n") - 1), REFUND_EPARSE);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"line 4, column 1: 'deduct damaged' is given twice (first on line 3)");
	/* Long tokens are quoted only in part. */
	assert_int_equal(parse_n(f, &p, HEAD "x123456789012345678901234567890123456789012345\n",
			sizeof(HEAD "x123456789012345678901234567890123456789012345\n") - 1),
			REFUND_EPARSE);
	assert_non_null(strstr(refund_engine_errmsg(f->engine),
			"'x123456789012345678901234567890123456789...'"));
	assert_ptr_equal(p, SENTINEL);
}

/* ---- arguments, sizes, bytes ---- */

static void test_parse_arguments(void **state)
{
	fixture *f = *state;
	refund_policy *p = SENTINEL;
	char *big;

	assert_int_equal(refund_policy_parse(NULL, &p, HEAD, strlen(HEAD)), REFUND_EINVAL);
	assert_int_equal(refund_policy_parse(f->engine, NULL, HEAD, strlen(HEAD)), REFUND_EINVAL);
	assert_string_equal(refund_engine_errmsg(f->engine), "out is NULL");
	assert_int_equal(refund_policy_parse(f->engine, &p, NULL, 0), REFUND_EINVAL);
	assert_string_equal(refund_engine_errmsg(f->engine), "text is NULL");
	big = malloc(MIB + 1);
	assert_non_null(big);
	memset(big, '#', MIB + 1);
	memcpy(big, HEAD "#", strlen(HEAD) + 1);
	assert_int_equal(refund_policy_parse(f->engine, &p, big, MIB + 1), REFUND_EINVAL);
	assert_ptr_equal(p, SENTINEL);
	/* Exactly 1 MiB, most of it one comment line: fine. */
	assert_int_equal(refund_policy_parse(f->engine, &p, big, MIB), 0);
	assert_string_equal(refund_policy_id(p), "A");
	refund_policy_free(p);
	/* A token of almost 1 MiB is refused, not copied. */
	p = SENTINEL;
	memset(big, 'A', MIB);
	memcpy(big, "policy ", 7);
	assert_int_equal(parse_n(f, &p, big, MIB), REFUND_EPARSE);
	assert_ptr_equal(p, SENTINEL);
	memcpy(big, HEAD "tier ", strlen(HEAD) + 5);
	assert_int_equal(parse_n(f, &p, big, MIB), REFUND_EPARSE);
	assert_ptr_equal(p, SENTINEL);
	free(big);
}

static void test_parse_reads_only_size_bytes(void **state)
{
	static const char text[] = HEAD "window 30 days after payment\nfoo\n";
	fixture *f = *state;
	refund_policy *p = NULL;

	/* Cut before the bad line: the rest is never looked at. */
	assert_int_equal(parse_n(f, &p, text, strlen(HEAD "window 30 days after payment\n")), 0);
	assert_int_equal(p->window_days, 30);
	refund_policy_free(p);
	/* Cut inside a rule. */
	p = SENTINEL;
	assert_int_equal(parse_n(f, &p, text, strlen(HEAD "window 3")), REFUND_EPARSE);
	assert_ptr_equal(p, SENTINEL);
	assert_string_equal(refund_engine_errmsg(f->engine),
			"line 3, column 9: expected 'days'");
}

static void test_format_sizes(void **state)
{
	fixture *f = *state;
	refund_policy *p = parse_ok(f, HEAD "window 30 days after payment\n");
	size_t needed = 0, other = 7;
	char *full = format_alloc(p), *buf;

	assert_int_equal(refund_policy_format(NULL, NULL, 0, &other), REFUND_EINVAL);
	assert_int_equal(refund_policy_format(p, NULL, 10, &other), REFUND_EINVAL);
	assert_int_equal(other, 7);
	assert_int_equal(refund_policy_format(p, NULL, 0, NULL), REFUND_ERANGE);
	assert_int_equal(refund_policy_format(p, NULL, 0, &needed), REFUND_ERANGE);
	assert_int_equal(needed, strlen(full) + 1);
	buf = malloc(needed);
	assert_non_null(buf);
	/* One byte short, and one byte: too small, terminated. */
	memset(buf, 'x', needed);
	assert_int_equal(refund_policy_format(p, buf, needed - 1, &other), REFUND_ERANGE);
	assert_int_equal(other, needed);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[needed - 1], 'x');
	buf[0] = 'x';
	assert_int_equal(refund_policy_format(p, buf, 1, NULL), REFUND_ERANGE);
	assert_int_equal(buf[0], '\0');
	/* Exactly enough. */
	assert_int_equal(refund_policy_format(p, buf, needed, &other), 0);
	assert_string_equal(buf, full);
	assert_int_equal(other, needed);
	free(buf);
	free(full);
	refund_policy_free(p);
}

static void test_format_published(void **state)
{
	fixture *f = *state;
	refund_policy *p = parse_ok(f, HEAD "fee 2.00\n"), *loaded = NULL;
	char *before = format_alloc(p), *after, *reloaded;

	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	after = format_alloc(p);
	assert_string_equal(before, after);
	assert_int_equal(refund_policy_load(f->engine, &loaded, "A", 1), 0);
	reloaded = format_alloc(loaded);
	assert_string_equal(before, reloaded);
	free(before);
	free(after);
	free(reloaded);
	refund_policy_free(p);
	refund_policy_free(loaded);
}

/* ---- allocation failures ---- */

static void test_parse_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p;
	size_t size = 0;
	char *text = read_example(&size);
	long live = f->fa.live, k;
	int rc = REFUND_ENOMEM;

	for (k = 1; rc == REFUND_ENOMEM; k++) {
		p = SENTINEL;
		failalloc_arm(&f->fa, k, 0);
		rc = refund_policy_parse(f->engine, &p, text, size);
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(p, SENTINEL);
		assert_int_equal(f->fa.live, live);
	}
	assert_int_equal(rc, 0);
	assert_true(k > 2);  /* the draft and the CN calendar both failed once */
	assert_round_trip(f, p);
	refund_policy_free(p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_example_parses, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_every_rule, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_other_currencies, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_defaults, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_canonical_text, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_accepted_variants, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_same_as_setters, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_malformed, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_messages_in_chinese, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_messages_in_english, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_arguments, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_reads_only_size_bytes, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_format_sizes, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_format_published, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_parse_enomem, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
