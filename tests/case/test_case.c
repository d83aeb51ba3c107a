/*
 * Refund cases: the domain's stories, end to end, each deterministic
 * through the injected clock.  Times are China time (UTC+08:00) unless
 * they say Z.
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

#include "faulty_store.h"
#include "fixture.h"
#include "store_dump.h"

#define EV(kind) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##kind)

static refund_time at(const char *iso)
{
	refund_time t = 0;

	assert_int_equal(refund_time_parse(iso, &t), 0);
	return t;
}

static refund_act as(const char *actor, int role)
{
	refund_act a = REFUND_ACT_INIT;

	a.actor = actor;
	a.role = role;
	return a;
}

#define APPLICANT as("M-1001", REFUND_ROLE_APPLICANT)
#define AGENT as("agent-7", REFUND_ROLE_AGENT)
#define REVIEWER as("rev-1", REFUND_ROLE_REVIEWER)
#define FINANCE as("fin-1", REFUND_ROLE_FINANCE)
#define ADMIN as("admin-1", REFUND_ROLE_ADMIN)

/* The provider's standard policy (see docs/policies for its text form). */
static void standard_rules(refund_policy *p, int return_required)
{
	static const int64_t one_day[] = { 86400 };

	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 730), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 0, 5000), 0);
	assert_int_equal(refund_policy_add_tier(p, 90, 0, 10000), 0);
	assert_int_equal(refund_policy_set_return_required(p, return_required), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 2000), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, 3000), 0);
	assert_int_equal(refund_policy_set_fee(p, 500, 100, 500, 2000), 0);
	assert_int_equal(refund_policy_set_installments(p, 3, 1), 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 100000), 0);
	assert_int_equal(refund_policy_set_escalation(p,
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_ESCALATE, one_day, 1), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_AWAITING_DOCUMENTS, 5,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, one_day, 1), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_PAID, 7,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_REJECTED, 15,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0), 0);
}

static void publish_policy(fixture *f, const char *id, int return_required)
{
	refund_policy *p = NULL;

	assert_int_equal(refund_policy_new(f->engine, &p, id, "CNY"), 0);
	standard_rules(p, return_required);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	refund_policy_free(p);
}

static void add_deposit(fixture *f, const char *id, int64_t days_in_service)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_deposit *d = NULL;

	info.id = id;
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-00042";
	info.contract_id = "C-18";
	info.amount = 50000;
	info.currency = "CNY";
	info.paid_at = at("2024-03-01T10:00:00+08:00");
	info.contract_end = at("2025-03-01T00:00:00+08:00");
	assert_int_equal(refund_deposit_create(f->engine, &d, &info, "agent-7",
			REFUND_ROLE_AGENT), 0);
	assert_int_equal(refund_deposit_set_usage(d, days_in_service, 0, "agent-7",
			REFUND_ROLE_AGENT), 0);
	refund_deposit_free(d);
}

static int setup(void **state)
{
	fixture *f = fixture_new();

	f->now = at("2025-06-02T09:00:00+08:00");  /* a Monday */
	publish_policy(f, "POS-STD", 1);
	publish_policy(f, "POS-NORETURN", 0);
	add_deposit(f, "D-1", 200);
	*state = f;
	return 0;
}

static refund_case *open_case(fixture *f, const char *id, const char *deposit,
		const char *policy, int reason)
{
	refund_act a = APPLICANT;
	refund_case *c = NULL;

	assert_int_equal(refund_case_open(f->engine, &c, id, deposit, policy, 0, reason, &a), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_DRAFT);
	return c;
}

static void attach_basics(refund_case *c)
{
	refund_act a = APPLICANT;

	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_RECEIPT, "file:receipt.jpg"), 0);
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_CONTRACT, "file:contract.pdf"), 0);
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_PAYMENT_RECORD, "file:pay.png"), 0);
}

static refund_account bank_account(void)
{
	refund_account acc = REFUND_ACCOUNT_INIT;

	acc.method = REFUND_PAYOUT_BANK;
	acc.name = "深圳市某某商贸有限公司";
	acc.number = "6222020200112233445";
	acc.bank = "中国工商银行深圳分行";
	return acc;
}

/* Open, attach, submit and start review: a case under review. */
static refund_case *case_under_review(fixture *f, const char *id, const char *policy,
		int reason)
{
	refund_case *c = open_case(f, id, "D-1", policy, reason);
	refund_account acc = bank_account();
	refund_act a = APPLICANT, r = REVIEWER;

	static const int own_evidence[] = {
		[REFUND_REASON_DEVICE_FAULT] = REFUND_EVIDENCE_FAULT_REPORT,
		[REFUND_REASON_TRANSACTION_DISPUTE] = REFUND_EVIDENCE_TRANSACTION_RECORDS,
		[REFUND_REASON_SERVICE] = REFUND_EVIDENCE_SERVICE_EVALUATION,
		[REFUND_REASON_POLICY_CHANGE] = REFUND_EVIDENCE_GOVERNMENT_DOCUMENT,
		[REFUND_REASON_NEEDS_CHANGED] = 0,
		[REFUND_REASON_FRAUD] = REFUND_EVIDENCE_POLICE_REPORT,
	};

	attach_basics(c);
	assert_int_equal(refund_case_submit(c, &a, &acc), own_evidence[reason] ? REFUND_EEVIDENCE : 0);
	if (own_evidence[reason]) {
		assert_int_equal(refund_case_missing_evidence(c), REFUND_EVIDENCE_BIT(own_evidence[reason]));
		assert_int_equal(refund_case_attach(c, &a, own_evidence[reason], "file:reason.pdf"), 0);
		assert_int_equal(refund_case_submit(c, &a, &acc), 0);
	}
	assert_int_equal(refund_case_missing_evidence(c), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	return c;
}

static refund_balance balance_of(fixture *f, const char *deposit)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	refund_deposit *d = NULL;

	assert_int_equal(refund_deposit_load(f->engine, &d, deposit), 0);
	assert_int_equal(refund_deposit_balance(d, &b), 0);
	assert_int_equal(b.held, b.refunded + b.deducted + b.remaining);
	refund_deposit_free(d);
	return b;
}

static refund_quote quote_of(refund_case *c)
{
	refund_quote q;

	memset(&q, 0, sizeof(q));
	q.version = REFUND_QUOTE_VERSION;
	assert_int_equal(refund_case_quote(c, &q), 0);
	assert_int_equal(q.remaining, q.gross + q.forfeited);
	assert_int_equal(q.net, q.gross - q.damage - q.missing_parts - q.fee - q.offset);
	return q;
}

static void assert_verified(refund_case *c)
{
	uint64_t bad = 99;

	assert_int_equal(refund_case_verify(c, &bad), 0);
	assert_int_equal(bad, 0);
}

static refund_tick_result tick(fixture *f, const char *iso)
{
	refund_tick_result res;

	memset(&res, 0, sizeof(res));
	res.version = REFUND_TICK_RESULT_VERSION;
	assert_int_equal(refund_engine_tick(f->engine, at(iso), 0, &res), 0);
	return res;
}

static refund_case *reload(fixture *f, refund_case *c)
{
	refund_case *fresh = NULL;
	char id[REFUND_ID_MAX + 1];

	snprintf(id, sizeof(id), "%s", refund_case_id(c));
	refund_case_free(c);
	assert_int_equal(refund_case_load(f->engine, &fresh, id), 0);
	return fresh;
}

/* ---- the stories ---- */

/* 设备故障: damage found at inspection and a handling fee; net to the cent. */
static void test_device_fault_with_damage_and_fee(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-1", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER, ag = AGENT, fin = FINANCE, ap = APPLICANT;
	refund_quote q = quote_of(c);
	refund_balance b;
	refund_part part = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

	/* 500.00 held, 200 days in service: 100%; fee 5.00 + 1% = 10.00. */
	assert_int_equal(q.tier_bp, 10000);
	assert_int_equal(q.gross, 50000);
	assert_int_equal(q.fee, 1000);
	assert_int_equal(q.net, 49000);
	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_DEVICE_RETURN);
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1234567890"), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	/* Damage 20% of 500.00 = 100.00, one missing part 30.00. */
	q = quote_of(c);
	assert_int_equal(q.damage, 10000);
	assert_int_equal(q.missing_parts, 3000);
	assert_int_equal(q.fee, 1000);
	assert_int_equal(q.net, 36000);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	b = balance_of(f, "D-1");
	assert_int_equal(b.deducted, 14000);
	assert_int_equal(b.remaining, 36000);
	assert_int_equal(refund_case_part(c, 1, &part), 0);
	assert_int_equal(part.amount, 36000);
	assert_int_equal(refund_case_pay(c, &fin, 1, "BANK-TX-1"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	assert_int_equal(refund_case_confirm(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 36000);
	assert_int_equal(b.deducted, 14000);
	assert_int_equal(b.remaining, 0);
	assert_verified(c);
	c = reload(f, c);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_verified(c);
	refund_case_free(c);
}

/* 自然磨损 is never deducted. */
static void test_normal_wear_not_deducted(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-2", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, ag = AGENT;
	refund_quote q;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, NULL), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_NORMAL_WEAR, 0), 0);
	q = quote_of(c);
	assert_int_equal(q.damage, 0);
	assert_int_equal(q.net, 49000);
	refund_case_free(c);
}

/* Missing documents: the applicant never sends them and the case expires. */
static void test_missing_documents_expire(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-3", "POS-NORETURN",
			REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	refund_deposit *d = NULL;
	refund_tick_result res;

	assert_int_equal(refund_case_request_documents(c, &r, EV(TRANSACTION_RECORDS)), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_AWAITING_DOCUMENTS);
	assert_int_equal(refund_case_missing_evidence(c), EV(TRANSACTION_RECORDS));
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.due, at("2025-06-07T09:00:00+08:00"));
	assert_int_equal(dl.consequence, REFUND_ON_DUE_EXPIRE);
	res = tick(f, "2025-06-06T09:00:00+08:00");  /* the reminder, a day before */
	assert_int_equal(res.reminders, 1);
	assert_int_equal(res.consequences, 0);
	res = tick(f, "2025-06-06T10:00:00+08:00");  /* nothing new */
	assert_int_equal(res.due, 0);
	res = tick(f, "2025-06-07T09:00:00+08:00");
	assert_int_equal(res.consequences, 1);
	c = reload(f, c);
	assert_int_equal(refund_case_state(c), REFUND_STATE_EXPIRED);
	assert_int_equal(refund_case_next_deadline(c, &dl), REFUND_ENOTFOUND);
	/* The deposit is free for a new application. */
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-1"), 0);
	assert_null(refund_deposit_open_case(d));
	refund_deposit_free(d);
	assert_verified(c);
	refund_case_free(c);
}

typedef struct counted {
	int escalations;
	int reminders;
} counted;

static int count_events(void *ctx, const refund_event *ev)
{
	counted *n = ctx;

	if (ev->action == REFUND_ACTION_ESCALATE)
		n->escalations++;
	if (ev->action == REFUND_ACTION_REMIND)
		n->reminders++;
	return 0;
}

/*
 * A review started on 2025-09-30 (the eve of National Day) with two
 * business days: Oct 1-8 are holidays, so it is due Oct 10.  It escalates
 * once, however often the tick runs; the overdue clock then counts on over
 * the make-up Saturday Oct 11.
 */
static void test_review_overdue_escalates_once(void **state)
{
	fixture *f = *state;
	refund_case *c;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	refund_tick_result res;
	counted n = { 0, 0 };

	f->now = at("2025-09-30T10:00:00+08:00");
	c = case_under_review(f, "K-4", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.due, at("2025-10-10T10:00:00+08:00"));
	assert_int_equal(dl.next, at("2025-10-09T10:00:00+08:00"));
	res = tick(f, "2025-10-08T23:00:00+08:00");
	assert_int_equal(res.due, 0);
	res = tick(f, "2025-10-09T10:00:00+08:00");
	assert_int_equal(res.reminders, 1);
	res = tick(f, "2025-10-10T10:00:00+08:00");
	assert_int_equal(res.consequences, 1);
	res = tick(f, "2025-10-10T10:00:00+08:00");
	assert_int_equal(res.due, 0);
	res = tick(f, "2025-10-10T18:00:00+08:00");
	assert_int_equal(res.due, 0);
	c = reload(f, c);
	assert_int_equal(refund_case_escalations(c),
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.overdue, 1);
	/* Two business days after Fri Oct 10: Sat Oct 11 (调休) and Mon Oct 13. */
	assert_int_equal(dl.due, at("2025-10-13T10:00:00+08:00"));
	res = tick(f, "2025-10-13T10:00:00+08:00");
	assert_int_equal(res.consequences, 1);  /* an overdue reminder, not a second escalation */
	assert_int_equal(refund_case_events(c, count_events, &n), 0);
	assert_int_equal(n.escalations, 1);
	assert_int_equal(n.reminders, 2);
	assert_verified(c);
	refund_case_free(c);
}

/* A review started on a Friday afternoon: the weekend does not count. */
static void test_review_deadline_skips_weekend(void **state)
{
	fixture *f = *state;
	refund_case *c;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };

	f->now = at("2025-06-06T15:00:00+08:00");
	c = case_under_review(f, "K-5", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.due, at("2025-06-10T15:00:00+08:00"));
	refund_case_free(c);
}

/* 分期: three parts that sum exactly; one fails and is retried, none is paid twice. */
static void test_installments_with_failed_payout(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-6", "POS-NORETURN", REFUND_REASON_SERVICE);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT, fin2 = as("fin-2", REFUND_ROLE_FINANCE);
	refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };
	int64_t sum = 0;
	int i;
	refund_balance b;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	assert_int_equal(refund_case_offer(c, &fin, 4), REFUND_EINVAL);  /* the policy allows 3 */
	assert_int_equal(refund_case_offer(c, &fin, 3), 0);
	assert_int_equal(refund_case_part_count(c), 3);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(refund_case_part(c, i, &p), 0);
		sum += p.amount;
	}
	assert_int_equal(sum, 49000);
	assert_int_equal(refund_case_part(c, 1, &p), 0);
	assert_int_equal(p.amount, 16334);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_part(c, 2, &p), 0);
	assert_int_equal(p.due, f->now + 30 * 86400);  /* June 2 + one month */
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX-1"), 0);
	assert_int_equal(refund_case_pay_failed(c, &fin, 2, "系统故障 bank timeout"), 0);
	assert_int_equal(refund_case_part(c, 2, &p), 0);
	assert_int_equal(p.status, REFUND_PART_FAILED);
	assert_string_equal(p.failure, "系统故障 bank timeout");
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 16334);
	assert_int_equal(refund_case_pay(c, &fin2, 2, "TX-2b"), 0);
	assert_int_equal(refund_case_pay(c, &fin, 2, "TX-2c"), REFUND_ESTATE);  /* never twice */
	assert_int_equal(refund_case_pay_failed(c, &fin, 1, "late"), REFUND_ESTATE);
	assert_int_equal(refund_case_part(c, 2, &p), 0);
	assert_int_equal(p.status, REFUND_PART_PAID);
	assert_int_equal(p.attempts, 2);
	assert_string_equal(p.reference, "TX-2b");
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	assert_int_equal(refund_case_pay(c, &fin, 3, "TX-3"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 49000);
	assert_int_equal(b.deducted, 1000);
	assert_int_equal(b.remaining, 0);
	assert_verified(c);
	refund_case_free(c);
}

/* 避免重复提交: one open application per deposit. */
static void test_duplicate_application(void **state)
{
	fixture *f = *state;
	refund_case *c = open_case(f, "K-7", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case *second = (refund_case *)&second;
	refund_act a = APPLICANT;
	char *before = NULL, *after = NULL;

	assert_int_equal(store_dump(f->store, &before), 0);
	assert_int_equal(refund_case_open(f->engine, &second, "K-8", "D-1", "POS-STD", 0,
			REFUND_REASON_FRAUD, &a), REFUND_EDUPLICATE);
	assert_ptr_equal(second, (refund_case *)&second);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "K-7"));
	assert_int_equal(refund_case_open(f->engine, &second, "K-7", "D-1", "POS-STD", 0,
			REFUND_REASON_FRAUD, &a), REFUND_EDUPLICATE);
	assert_int_equal(store_dump(f->store, &after), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	refund_case_free(c);
}

/* Four eyes: above the threshold, who approved may not pay. */
static void test_four_eyes(void **state)
{
	fixture *f = *state;
	refund_policy *p = NULL;
	refund_case *c;
	refund_act r = as("rev-1", REFUND_ROLE_REVIEWER), same = as("rev-1", REFUND_ROLE_FINANCE),
			other = FINANCE, ap = APPLICANT;

	assert_int_equal(refund_policy_new(f->engine, &p, "POS-4EYES", "CNY"), 0);
	standard_rules(p, 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 1000), 0);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	refund_policy_free(p);
	c = case_under_review(f, "K-9", "POS-4EYES", REFUND_REASON_NEEDS_CHANGED);
	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &other, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &same, 1, "TX-9"), REFUND_EDENIED);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "four-eyes"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	assert_int_equal(refund_case_pay(c, &other, 1, "TX-9"), 0);
	refund_case_free(c);
}

/* The applicant may never approve, nor take a finance action. */
static void test_applicant_cannot_approve(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-10", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, ag = AGENT;
	uint64_t version = refund_case_version(c);

	assert_int_equal(refund_case_approve(c, &ap, 100), REFUND_EDENIED);
	assert_int_equal(refund_case_approve(c, &ag, 100), REFUND_EDENIED);
	assert_int_equal(refund_case_reject(c, &ap, REFUND_REJECT_OTHER, "no"), REFUND_EDENIED);
	assert_int_equal(refund_case_set_offset(c, &ap, 1), REFUND_EDENIED);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	assert_int_equal(refund_case_version(c), version);
	refund_case_free(c);
}

/* Usage tiers: under 90 days in service, half back. */
static void test_usage_tiers(void **state)
{
	fixture *f = *state;
	refund_case *c;
	refund_quote q;

	add_deposit(f, "D-2", 30);
	c = open_case(f, "K-11", "D-2", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	q = quote_of(c);
	assert_int_equal(q.tier_bp, 5000);
	assert_int_equal(q.gross, 25000);
	assert_int_equal(q.forfeited, 25000);
	assert_int_equal(q.fee, 750);  /* 5.00 + 1% of 250.00 */
	assert_int_equal(q.net, 24250);
	refund_case_free(c);
}

/* The application window (时间限制): two years after the contract's end. */
static void test_window_closed(void **state)
{
	fixture *f = *state;
	refund_case *c = (refund_case *)&c;
	refund_act a = APPLICANT;

	f->now = at("2027-03-01T00:00:01+08:00");
	assert_int_equal(refund_case_open(f->engine, &c, "K-12", "D-1", "POS-STD", 0,
			REFUND_REASON_NEEDS_CHANGED, &a), REFUND_EDEADLINE);
	assert_ptr_equal(c, (refund_case *)&c);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "window"));
	f->now = at("2027-03-01T00:00:00+08:00");
	assert_int_equal(refund_case_open(f->engine, &c, "K-12", "D-1", "POS-STD", 0,
			REFUND_REASON_NEEDS_CHANGED, &a), 0);
	refund_case_free(c);
}

typedef struct versions {
	uint32_t before, after;
	int seen;
} versions;

static int find_reevaluation(void *ctx, const refund_event *ev)
{
	versions *v = ctx;

	if (ev->action == REFUND_ACTION_REEVALUATE) {
		v->before = ev->policy_version_before;
		v->after = ev->policy_version;
		v->seen++;
	}
	return 0;
}

/* 政策调整: a newer policy applies only when the case is re-evaluated, with both versions recorded. */
static void test_policy_changed_mid_case(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-13", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_policy *p = NULL;
	refund_act r = REVIEWER, ap = APPLICANT;
	versions v = { 0, 0, 0 };
	uint32_t version = 0;

	assert_int_equal(refund_policy_new(f->engine, &p, "POS-STD", "CNY"), 0);
	standard_rules(p, 1);
	assert_int_equal(refund_policy_set_fee(p, 0, 0, 0, -1), 0);  /* fees abolished */
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	assert_int_equal(refund_policy_version(p), 2);
	refund_policy_free(p);
	assert_int_equal(quote_of(c).fee, 1000);  /* still version 1 */
	assert_int_equal(refund_case_reevaluate(c, &ap, 0), REFUND_EDENIED);
	assert_int_equal(refund_case_reevaluate(c, &r, 0), 0);
	assert_string_equal(refund_case_policy(c, &version), "POS-STD");
	assert_int_equal(version, 2);
	assert_int_equal(quote_of(c).fee, 0);
	assert_int_equal(refund_case_reevaluate(c, &r, 2), REFUND_EINVAL);  /* not newer */
	assert_int_equal(refund_case_events(c, find_reevaluation, &v), 0);
	assert_int_equal(v.seen, 1);
	assert_int_equal(v.before, 1);
	assert_int_equal(v.after, 2);
	refund_case_free(c);
}

/* Withdraw, then apply again for the same deposit. */
static void test_withdraw_then_reapply(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-14", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, r = REVIEWER;

	assert_int_equal(refund_case_withdraw(c, &r), REFUND_EDENIED);
	assert_int_equal(refund_case_withdraw(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_WITHDRAWN);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "x"), REFUND_ESTATE);
	refund_case_free(c);
	c = open_case(f, "K-15", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case_free(c);
}

/* Rejected, then appealed: back to review with a new deadline. */
static void test_appeal_after_rejection(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-16", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, r = REVIEWER;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };

	assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_INCOMPLETE_EVIDENCE, ""), REFUND_EINVAL);
	assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_INCOMPLETE_EVIDENCE,
			"故障报告单无法辨认 the fault report is unreadable"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_REJECTED);
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.due, f->now + 15 * 86400);
	assert_int_equal(dl.consequence, REFUND_ON_DUE_CLOSE);
	f->now = at("2025-06-04T09:00:00+08:00");  /* Wednesday */
	assert_int_equal(refund_case_appeal(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	assert_int_equal(refund_case_next_deadline(c, &dl), 0);
	assert_int_equal(dl.due, at("2025-06-06T09:00:00+08:00"));
	assert_int_equal(dl.overdue, 0);
	refund_case_free(c);
}

/* Paid, never confirmed: the case closes itself after 7 days. */
static void test_auto_close_after_payout(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-17", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;
	refund_tick_result res;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX"), 0);
	res = tick(f, "2025-06-09T08:59:59+08:00");
	assert_int_equal(res.due, 0);
	res = tick(f, "2025-06-09T09:00:00+08:00");
	assert_int_equal(res.consequences, 1);
	c = reload(f, c);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_verified(c);
	refund_case_free(c);
}

static refund_time clock_of(void *user)
{
	return ((fixture *)user)->now;
}

/* Two engines on one store approve the same case: one wins, one conflicts. */
static void test_two_engines_one_store(void **state)
{
	fixture *f = *state;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e2 = NULL;
	refund_case *a = case_under_review(f, "K-18", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_case *b = NULL;
	refund_act r1 = REVIEWER, r2 = as("rev-2", REFUND_ROLE_REVIEWER);

	o.store = f->store;
	o.clock = clock_of;
	o.clock_user = f;
	assert_int_equal(refund_engine_new(&e2, &o), 0);
	assert_int_equal(refund_case_load(e2, &b, "K-18"), 0);
	assert_int_equal(refund_case_approve(a, &r1, 49000), 0);
	assert_int_equal(refund_case_approve(b, &r2, 40000), REFUND_ECONFLICT);
	assert_int_equal(refund_case_state(b), REFUND_STATE_UNDER_REVIEW);
	refund_case_free(b);
	assert_int_equal(refund_case_load(e2, &b, "K-18"), 0);
	assert_int_equal(refund_case_state(b), REFUND_STATE_DEVICE_RETURN);
	assert_int_equal(refund_case_approve(b, &r2, 40000), REFUND_ESTATE);
	refund_case_free(a);
	refund_case_free(b);
	refund_engine_free(e2);
}

/* Two clerks hold the same case; one pays part 1, the other's payout of it is a conflict. */
static void test_stale_handle_cannot_pay_twice(void **state)
{
	fixture *f = *state;
	refund_case *a = case_under_review(f, "K-18b", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_case *b = NULL;
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT, fin2 = as("fin-2", REFUND_ROLE_FINANCE);

	assert_int_equal(refund_case_approve(a, &r, 49000), 0);
	assert_int_equal(refund_case_offer(a, &fin, 1), 0);
	assert_int_equal(refund_case_accept(a, &ap), 0);
	assert_int_equal(refund_case_load(f->engine, &b, "K-18b"), 0);
	assert_int_equal(refund_case_pay(a, &fin, 1, "TX-A"), 0);
	assert_int_equal(refund_case_pay(b, &fin2, 1, "TX-B"), REFUND_ECONFLICT);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "load it again"));
	assert_int_equal(balance_of(f, "D-1").refunded, 49000);
	refund_case_free(b);
	assert_int_equal(refund_case_load(f->engine, &b, "K-18b"), 0);
	assert_int_equal(refund_case_pay(b, &fin2, 1, "TX-B"), REFUND_ESTATE);
	refund_case_free(a);
	refund_case_free(b);
}

/* A store that fails at commit changes nothing; the retry succeeds. */
static void test_store_fails_at_commit(void **state)
{
	fixture *f = *state;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_store *faulty = NULL;
	refund_engine *e2 = NULL;
	refund_case *c = case_under_review(f, "K-19", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;
	char *before = NULL, *after = NULL;
	uint64_t version;
	long k;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	refund_case_free(c);
	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	o.store = faulty;
	o.clock = clock_of;
	o.clock_user = f;
	assert_int_equal(refund_engine_new(&e2, &o), 0);
	assert_int_equal(refund_case_load(e2, &c, "K-19"), 0);
	version = refund_case_version(c);
	/* Fail each store call of the acceptance in turn (it loads the deposit, then commits). */
	for (k = 1;; k++) {
		int rc;

		assert_int_equal(store_dump(f->store, &before), 0);
		faulty_store_arm(faulty, k, REFUND_ESTORE, 0);
		rc = refund_case_accept(c, &ap);
		faulty_store_disarm(faulty);
		if (rc == 0) {
			free(before);
			break;
		}
		assert_int_equal(rc, REFUND_ESTORE);
		assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
		assert_int_equal(refund_case_version(c), version);
		assert_int_equal(store_dump(f->store, &after), 0);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
	assert_true(k >= 3);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	assert_int_equal(balance_of(f, "D-1").deducted, 1000);
	refund_case_free(c);
	refund_engine_free(e2);
	refund_store_free(faulty);
}

/* A store that hands back one event with a byte changed. */
typedef struct tamper {
	refund_store base;
	refund_store *inner;
	uint64_t seq;           /* the event to alter */
	refund_store_event_cb cb;
	void *ctx;
} tamper;

static int tamper_cb(void *ctx, const refund_store_event *ev)
{
	tamper *t = ctx;
	refund_store_event copy = *ev;
	unsigned char *bytes;
	int rc;

	if (ev->seq != t->seq)
		return t->cb(t->ctx, ev);
	bytes = malloc(ev->size);
	assert_non_null(bytes);
	memcpy(bytes, ev->data, ev->size);
	bytes[10] ^= 0x01;  /* inside "at": a time quietly changed */
	copy.data = bytes;
	rc = t->cb(t->ctx, &copy);
	free(bytes);
	return rc;
}

static int tamper_events(refund_store *s, int kind, const char *id, uint64_t from,
		refund_store_event_cb cb, void *ctx)
{
	tamper *t = (tamper *)s;

	t->cb = cb;
	t->ctx = ctx;
	return t->inner->events(t->inner, kind, id, from, tamper_cb, t);
}

static int tamper_load(refund_store *s, int kind, const char *id, refund_store_record_cb cb,
		void *ctx)
{
	tamper *t = (tamper *)s;

	return t->inner->load(t->inner, kind, id, cb, ctx);
}

static int tamper_commit(refund_store *s, const refund_store_batch *b)
{
	return ((tamper *)s)->inner->commit(((tamper *)s)->inner, b);
}

static int tamper_due(refund_store *s, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	tamper *t = (tamper *)s;

	return t->inner->due(t->inner, before, limit, cb, ctx);
}

static void test_edited_event_found_by_verify(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-20", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e2 = NULL;
	tamper t;
	uint64_t bad = 0;

	assert_verified(c);
	refund_case_free(c);
	memset(&t, 0, sizeof(t));
	assert_int_equal(refund_store_init(&t.base, REFUND_STORE_VERSION), 0);
	t.base.load = tamper_load;
	t.base.commit = tamper_commit;
	t.base.events = tamper_events;
	t.base.due = tamper_due;
	t.inner = f->store;
	t.seq = 3;
	o.store = &t.base;
	assert_int_equal(refund_engine_new(&e2, &o), 0);
	assert_int_equal(refund_case_load(e2, &c, "K-20"), 0);
	assert_int_equal(refund_case_verify(c, &bad), REFUND_ECORRUPT);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(refund_engine_errmsg(e2), "event 3"));
	t.seq = 0;
	assert_int_equal(refund_case_verify(c, &bad), 0);
	refund_case_free(c);
	refund_engine_free(e2);
}

/* The explanation states the figures and what happens next, in both languages. */
static void test_explain(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-21", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	char buf[2048], tiny[16];

	assert_int_equal(refund_case_explain(c, REFUND_LANG_EN, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "500.00 CNY"));
	assert_non_null(strstr(buf, "Refund: 490.00 CNY"));
	assert_non_null(strstr(buf, "under_review"));
	assert_int_equal(refund_case_explain(c, REFUND_LANG_ZH_CN, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "手续费 10.00"));
	assert_int_equal(refund_case_explain(c, REFUND_LANG_EN, tiny, sizeof(tiny)), REFUND_ERANGE);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	assert_int_equal(refund_case_explain(c, (refund_lang)9, buf, sizeof(buf)), REFUND_EINVAL);
	refund_case_free(c);
}

/* The same idempotency key: once done, a retry is a no-op; other arguments are refused. */
static void test_idempotency(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-22", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER;
	uint64_t version;

	r.idempotency_key = "approve-K-22";
	assert_int_equal(refund_case_approve(c, &r, 40000), 0);
	version = refund_case_version(c);
	assert_int_equal(refund_case_approve(c, &r, 40000), 0);
	assert_int_equal(refund_case_version(c), version);
	assert_int_equal(refund_case_approve(c, &r, 41000), REFUND_EDUPLICATE);
	assert_int_equal(refund_case_version(c), version);
	r.idempotency_key = "bad key";
	assert_int_equal(refund_case_start_review(c, &r), REFUND_EINVAL);
	refund_case_free(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_device_fault_with_damage_and_fee),
		T(test_normal_wear_not_deducted),
		T(test_missing_documents_expire),
		T(test_review_overdue_escalates_once),
		T(test_review_deadline_skips_weekend),
		T(test_installments_with_failed_payout),
		T(test_duplicate_application),
		T(test_four_eyes),
		T(test_applicant_cannot_approve),
		T(test_usage_tiers),
		T(test_window_closed),
		T(test_policy_changed_mid_case),
		T(test_withdraw_then_reapply),
		T(test_appeal_after_rejection),
		T(test_auto_close_after_payout),
		T(test_two_engines_one_store),
		T(test_stale_handle_cannot_pay_twice),
		T(test_store_fails_at_commit),
		T(test_edited_event_found_by_verify),
		T(test_explain),
		T(test_idempotency),
	};
#undef T

	return cmocka_run_group_tests_name("case", tests, NULL, NULL);
}
