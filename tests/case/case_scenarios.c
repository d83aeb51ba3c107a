/*
 * Refund cases: the domain's stories, end to end, each deterministic
 * through the injected clock.  Times are China time (UTC+08:00) unless
 * they say Z.  Every library call that returns a code goes through ACT or
 * REFUSE (fault_steps.h): in a fault mode each is failed at every
 * allocation or store call in turn before it is let through.
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

#include "case.h"

#include "case_fixture.h"
#include "case_scenarios.h"
#include "fault_steps.h"
#include "faulty_store.h"
#include "relay_store.h"
#include "store_dump.h"

/* ---- reads, reset before each attempt ---- */

static int quote_into(refund_case *c, refund_quote *q)
{
	memset(q, 0, sizeof(*q));
	q->version = REFUND_QUOTE_VERSION;
	return refund_case_quote(c, q);
}

static refund_quote quote_of(fixture *f, refund_case *c)
{
	refund_quote q;

	ACT(f, c, quote_into(c, &q));
	assert_int_equal(q.remaining, q.gross + q.forfeited);
	assert_int_equal(q.net, q.gross - q.damage - q.missing_parts - q.fee - q.offset);
	return q;
}

static int deadline_into(refund_case *c, refund_deadline *dl)
{
	memset(dl, 0, sizeof(*dl));
	dl->version = REFUND_DEADLINE_VERSION;
	return refund_case_next_deadline(c, dl);
}

static int balance_into(refund_deposit *d, refund_balance *b)
{
	memset(b, 0, sizeof(*b));
	b->version = REFUND_BALANCE_VERSION;
	return refund_deposit_balance(d, b);
}

static refund_balance balance_of(fixture *f, const char *deposit)
{
	refund_balance b;
	refund_deposit *d = NULL;

	ACT(f, NULL, refund_deposit_load(f->engine, &d, deposit));
	ACT(f, d, balance_into(d, &b));
	assert_int_equal(b.held, b.refunded + b.deducted + b.remaining);
	refund_deposit_free(d);
	return b;
}

static void assert_verified(fixture *f, refund_case *c)
{
	uint64_t bad = 99;

	ACT(f, c, (bad = 99, refund_case_verify(c, &bad)));
	assert_int_equal(bad, 0);
}

/* ---- the stories ---- */

/* 设备故障: damage found at inspection and a handling fee; net to the cent. */
static void device_fault_with_damage_and_fee(fixture *f)
{
	refund_case *c = case_under_review(f, "K-1", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER, ag = AGENT, fin = FINANCE, ap = APPLICANT;
	refund_quote q = quote_of(f, c);
	refund_balance b;
	refund_part part = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

	/* 500.00 held, 200 days in service: 100%; fee 5.00 + 1% = 10.00. */
	assert_int_equal(q.tier_bp, 10000);
	assert_int_equal(q.gross, 50000);
	assert_int_equal(q.fee, 1000);
	assert_int_equal(q.net, 49000);
	ACT(f, c, refund_case_approve(c, &r, 49000));
	assert_int_equal(refund_case_state(c), REFUND_STATE_DEVICE_RETURN);
	ACT(f, c, refund_case_receive_device(c, &ag, "SF1234567890"));
	ACT(f, c, refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1));
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	/* Damage 20% of 500.00 = 100.00, one missing part 30.00. */
	q = quote_of(f, c);
	assert_int_equal(q.damage, 10000);
	assert_int_equal(q.missing_parts, 3000);
	assert_int_equal(q.fee, 1000);
	assert_int_equal(q.net, 36000);
	ACT(f, c, refund_case_offer(c, &fin, 1));
	ACT(f, c, refund_case_accept(c, &ap));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	b = balance_of(f, "D-1");
	assert_int_equal(b.deducted, 14000);
	assert_int_equal(b.remaining, 36000);
	ACT(f, c, refund_case_part(c, 1, &part));
	assert_int_equal(part.amount, 36000);
	ACT(f, c, refund_case_pay(c, &fin, 1, "BANK-TX-1"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	ACT(f, c, refund_case_confirm(c, &ap));
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 36000);
	assert_int_equal(b.deducted, 14000);
	assert_int_equal(b.remaining, 0);
	assert_verified(f, c);
	c = reload(f, c);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_verified(f, c);
	refund_case_free(c);
}

/* 自然磨损 is never deducted. */
static void normal_wear_not_deducted(fixture *f)
{
	refund_case *c = case_under_review(f, "K-2", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, ag = AGENT;
	refund_quote q;

	ACT(f, c, refund_case_approve(c, &r, 49000));
	ACT(f, c, refund_case_receive_device(c, &ag, NULL));
	ACT(f, c, refund_case_inspect(c, &ag, REFUND_GRADE_NORMAL_WEAR, 0));
	q = quote_of(f, c);
	assert_int_equal(q.damage, 0);
	assert_int_equal(q.net, 49000);
	refund_case_free(c);
}

/* Missing documents: the applicant never sends them and the case expires. */
static void missing_documents_expire(fixture *f)
{
	refund_case *c = case_under_review(f, "K-3", "POS-NORETURN",
			REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER;
	refund_deadline dl;
	refund_deposit *d = NULL;
	refund_tick_result res;

	ACT(f, c, refund_case_request_documents(c, &r, EV(TRANSACTION_RECORDS)));
	assert_int_equal(refund_case_state(c), REFUND_STATE_AWAITING_DOCUMENTS);
	assert_int_equal(refund_case_missing_evidence(c), EV(TRANSACTION_RECORDS));
	ACT(f, c, deadline_into(c, &dl));
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
	REFUSE(f, c, deadline_into(c, &dl), REFUND_ENOTFOUND);
	/* The deposit is free for a new application. */
	ACT(f, NULL, refund_deposit_load(f->engine, &d, "D-1"));
	assert_null(refund_deposit_open_case(d));
	refund_deposit_free(d);
	assert_verified(f, c);
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
static void review_overdue_escalates_once(fixture *f)
{
	refund_case *c;
	refund_deadline dl;
	refund_tick_result res;
	counted n = { 0, 0 };

	f->now = at("2025-09-30T10:00:00+08:00");
	c = case_under_review(f, "K-4", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	ACT(f, c, deadline_into(c, &dl));
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
	ACT(f, c, deadline_into(c, &dl));
	assert_int_equal(dl.overdue, 1);
	/* Two business days after Fri Oct 10: Sat Oct 11 (调休) and Mon Oct 13. */
	assert_int_equal(dl.due, at("2025-10-13T10:00:00+08:00"));
	res = tick(f, "2025-10-13T10:00:00+08:00");
	assert_int_equal(res.consequences, 1);  /* an overdue reminder, not a second escalation */
	ACT(f, c, (memset(&n, 0, sizeof(n)), refund_case_events(c, count_events, &n)));
	assert_int_equal(n.escalations, 1);
	assert_int_equal(n.reminders, 2);
	assert_verified(f, c);
	refund_case_free(c);
}

/* A review started on a Friday afternoon: the weekend does not count. */
static void review_deadline_skips_weekend(fixture *f)
{
	refund_case *c;
	refund_deadline dl;

	f->now = at("2025-06-06T15:00:00+08:00");
	c = case_under_review(f, "K-5", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	ACT(f, c, deadline_into(c, &dl));
	assert_int_equal(dl.due, at("2025-06-10T15:00:00+08:00"));
	refund_case_free(c);
}

/* 分期: three parts that sum exactly; one fails and is retried, none is paid twice. */
static void installments_with_failed_payout(fixture *f)
{
	refund_case *c = case_under_review(f, "K-6", "POS-NORETURN", REFUND_REASON_SERVICE);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT, fin2 = as("fin-2", REFUND_ROLE_FINANCE);
	refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };
	int64_t sum = 0;
	int i;
	refund_balance b;

	ACT(f, c, refund_case_approve(c, &r, 49000));
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	REFUSE(f, c, refund_case_offer(c, &fin, 4), REFUND_EINVAL);  /* the policy allows 3 */
	ACT(f, c, refund_case_offer(c, &fin, 3));
	assert_int_equal(refund_case_part_count(c), 3);
	for (i = 1; i <= 3; i++) {
		ACT(f, c, refund_case_part(c, i, &p));
		sum += p.amount;
	}
	assert_int_equal(sum, 49000);
	ACT(f, c, refund_case_part(c, 1, &p));
	assert_int_equal(p.amount, 16334);
	ACT(f, c, refund_case_accept(c, &ap));
	ACT(f, c, refund_case_part(c, 2, &p));
	assert_int_equal(p.due, f->now + 30 * DAY);  /* June 2 + one month */
	ACT(f, c, refund_case_pay(c, &fin, 1, "TX-1"));
	ACT(f, c, refund_case_pay_failed(c, &fin, 2, "系统故障 bank timeout"));
	ACT(f, c, refund_case_part(c, 2, &p));
	assert_int_equal(p.status, REFUND_PART_FAILED);
	assert_string_equal(p.failure, "系统故障 bank timeout");
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 16334);
	ACT(f, c, refund_case_pay(c, &fin2, 2, "TX-2b"));
	REFUSE(f, c, refund_case_pay(c, &fin, 2, "TX-2c"), REFUND_ESTATE);  /* never twice */
	REFUSE(f, c, refund_case_pay_failed(c, &fin, 1, "late"), REFUND_ESTATE);
	ACT(f, c, refund_case_part(c, 2, &p));
	assert_int_equal(p.status, REFUND_PART_PAID);
	assert_int_equal(p.attempts, 2);
	assert_string_equal(p.reference, "TX-2b");
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	ACT(f, c, refund_case_pay(c, &fin, 3, "TX-3"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	b = balance_of(f, "D-1");
	assert_int_equal(b.refunded, 49000);
	assert_int_equal(b.deducted, 1000);
	assert_int_equal(b.remaining, 0);
	assert_verified(f, c);
	refund_case_free(c);
}

/* 避免重复提交: one open application per deposit. */
static void duplicate_application(fixture *f)
{
	refund_case *c = open_case(f, "K-7", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case *second = (refund_case *)&second;
	refund_act a = APPLICANT;
	char *before = NULL, *after = NULL;

	assert_int_equal(store_dump(f->store, &before), 0);
	REFUSE(f, NULL, refund_case_open(f->engine, &second, "K-8", "D-1", "POS-STD", 0,
			REFUND_REASON_FRAUD, &a), REFUND_EDUPLICATE);
	assert_ptr_equal(second, (refund_case *)&second);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "K-7"));
	REFUSE(f, NULL, refund_case_open(f->engine, &second, "K-7", "D-1", "POS-STD", 0,
			REFUND_REASON_FRAUD, &a), REFUND_EDUPLICATE);
	assert_int_equal(store_dump(f->store, &after), 0);
	assert_string_equal(before, after);
	free(before);
	free(after);
	refund_case_free(c);
}

/* Four eyes: above the threshold, who approved may not pay. */
static void four_eyes(fixture *f)
{
	refund_policy *p = draft_policy(f, "POS-4EYES", "CNY", 0, 0);
	refund_case *c;
	refund_act r = as("rev-1", REFUND_ROLE_REVIEWER), same = as("rev-1", REFUND_ROLE_FINANCE),
			other = FINANCE, ap = APPLICANT;

	ACT(f, p, refund_policy_set_four_eyes(p, 1000));
	publish_draft(f, p);
	c = case_under_review(f, "K-9", "POS-4EYES", REFUND_REASON_NEEDS_CHANGED);
	ACT(f, c, refund_case_approve(c, &r, 49000));
	ACT(f, c, refund_case_offer(c, &other, 1));
	ACT(f, c, refund_case_accept(c, &ap));
	REFUSE(f, c, refund_case_pay(c, &same, 1, "TX-9"), REFUND_EDENIED);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "four-eyes"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	ACT(f, c, refund_case_pay(c, &other, 1, "TX-9"));
	refund_case_free(c);
}

/* The applicant may never approve, nor take a finance action. */
static void applicant_cannot_approve(fixture *f)
{
	refund_case *c = case_under_review(f, "K-10", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, ag = AGENT;
	uint64_t version = refund_case_version(c);

	REFUSE(f, c, refund_case_approve(c, &ap, 100), REFUND_EDENIED);
	REFUSE(f, c, refund_case_approve(c, &ag, 100), REFUND_EDENIED);
	REFUSE(f, c, refund_case_reject(c, &ap, REFUND_REJECT_OTHER, "no"), REFUND_EDENIED);
	REFUSE(f, c, refund_case_set_offset(c, &ap, 1), REFUND_EDENIED);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	assert_int_equal(refund_case_version(c), version);
	refund_case_free(c);
}

/* Usage tiers: under 90 days in service, half back. */
static void usage_tiers(fixture *f)
{
	refund_case *c;
	refund_quote q;

	add_deposit(f, "D-2", 30);
	c = open_case(f, "K-11", "D-2", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	q = quote_of(f, c);
	assert_int_equal(q.tier_bp, 5000);
	assert_int_equal(q.gross, 25000);
	assert_int_equal(q.forfeited, 25000);
	assert_int_equal(q.fee, 750);  /* 5.00 + 1% of 250.00 */
	assert_int_equal(q.net, 24250);
	refund_case_free(c);
}

/*
 * Usage figures as they are when the case acts on them: the agent records
 * more days in service after the case first read the deposit, and the
 * approval is judged on the new tier.  (The handle keeps the deposit it
 * read between actions; the store's version says when it is stale.)
 */
static void usage_changed_mid_case(fixture *f)
{
	refund_act a = APPLICANT, r = REVIEWER;
	refund_account acc = bank_account();
	refund_deposit *d = NULL;
	refund_case *c;

	add_deposit(f, "D-3", 30);
	c = open_case(f, "K-31", "D-3", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	attach_basics(f, c);
	ACT(f, c, refund_case_submit(c, &a, &acc));
	ACT(f, c, refund_case_start_review(c, &r));
	REFUSE(f, c, refund_case_approve(c, &r, 49000), REFUND_EBALANCE);  /* 50%: 242.50 */
	ACT(f, NULL, refund_deposit_load(f->engine, &d, "D-3"));
	ACT(f, d, refund_deposit_set_usage(d, 120, 0, "agent-7", REFUND_ROLE_AGENT));
	refund_deposit_free(d);
	ACT(f, c, refund_case_approve(c, &r, 49000));  /* 100%: 500.00 less the fee */
	assert_int_equal(quote_of(f, c).approved, 49000);
	refund_case_free(c);
}

/* The application window (时间限制): two years after the contract's end. */
static void window_closed(fixture *f)
{
	refund_case *c = (refund_case *)&c;
	refund_act a = APPLICANT;

	f->now = at("2027-03-01T00:00:01+08:00");
	REFUSE(f, NULL, refund_case_open(f->engine, &c, "K-12", "D-1", "POS-STD", 0,
			REFUND_REASON_NEEDS_CHANGED, &a), REFUND_EDEADLINE);
	assert_ptr_equal(c, (refund_case *)&c);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "window"));
	f->now = at("2027-03-01T00:00:00+08:00");
	ACT(f, NULL, refund_case_open(f->engine, &c, "K-12", "D-1", "POS-STD", 0,
			REFUND_REASON_NEEDS_CHANGED, &a));
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
static void policy_changed_mid_case(fixture *f)
{
	refund_case *c = case_under_review(f, "K-13", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_policy *p = draft_policy(f, "POS-STD", "CNY", 1, 0);
	refund_act r = REVIEWER, ap = APPLICANT;
	versions v = { 0, 0, 0 };
	uint32_t version = 0;

	ACT(f, p, refund_policy_set_fee(p, 0, 0, 0, -1));  /* fees abolished */
	assert_int_equal(publish_draft(f, p), 2);
	assert_int_equal(quote_of(f, c).fee, 1000);  /* still version 1 */
	REFUSE(f, c, refund_case_reevaluate(c, &ap, 0), REFUND_EDENIED);
	ACT(f, c, refund_case_reevaluate(c, &r, 0));
	assert_string_equal(refund_case_policy(c, &version), "POS-STD");
	assert_int_equal(version, 2);
	assert_int_equal(quote_of(f, c).fee, 0);
	REFUSE(f, c, refund_case_reevaluate(c, &r, 2), REFUND_EINVAL);  /* not newer */
	ACT(f, c, (memset(&v, 0, sizeof(v)), refund_case_events(c, find_reevaluation, &v)));
	assert_int_equal(v.seen, 1);
	assert_int_equal(v.before, 1);
	assert_int_equal(v.after, 2);
	refund_case_free(c);
}

/* Withdraw, then apply again for the same deposit. */
static void withdraw_then_reapply(fixture *f)
{
	refund_case *c = case_under_review(f, "K-14", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, r = REVIEWER;

	REFUSE(f, c, refund_case_withdraw(c, &r), REFUND_EDENIED);
	ACT(f, c, refund_case_withdraw(c, &ap));
	assert_int_equal(refund_case_state(c), REFUND_STATE_WITHDRAWN);
	REFUSE(f, c, refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "x"), REFUND_ESTATE);
	refund_case_free(c);
	c = open_case(f, "K-15", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case_free(c);
}

/* Rejected, then appealed: back to review with a new deadline. */
static void appeal_after_rejection(fixture *f)
{
	refund_case *c = case_under_review(f, "K-16", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, r = REVIEWER;
	refund_deadline dl;

	REFUSE(f, c, refund_case_reject(c, &r, REFUND_REJECT_INCOMPLETE_EVIDENCE, ""),
			REFUND_EINVAL);
	ACT(f, c, refund_case_reject(c, &r, REFUND_REJECT_INCOMPLETE_EVIDENCE,
			"故障报告单无法辨认 the fault report is unreadable"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_REJECTED);
	ACT(f, c, deadline_into(c, &dl));
	assert_int_equal(dl.due, f->now + 15 * DAY);
	assert_int_equal(dl.consequence, REFUND_ON_DUE_CLOSE);
	f->now = at("2025-06-04T09:00:00+08:00");  /* Wednesday */
	ACT(f, c, refund_case_appeal(c, &ap));
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	ACT(f, c, deadline_into(c, &dl));
	assert_int_equal(dl.due, at("2025-06-06T09:00:00+08:00"));
	assert_int_equal(dl.overdue, 0);
	refund_case_free(c);
}

/* Paid, never confirmed: the case closes itself after 7 days. */
static void auto_close_after_payout(fixture *f)
{
	refund_case *c = case_under_review(f, "K-17", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;
	refund_tick_result res;

	ACT(f, c, refund_case_approve(c, &r, 49000));
	ACT(f, c, refund_case_offer(c, &fin, 1));
	ACT(f, c, refund_case_accept(c, &ap));
	ACT(f, c, refund_case_pay(c, &fin, 1, "TX"));
	res = tick(f, "2025-06-09T08:59:59+08:00");
	assert_int_equal(res.due, 0);
	res = tick(f, "2025-06-09T09:00:00+08:00");
	assert_int_equal(res.consequences, 1);
	c = reload(f, c);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_verified(f, c);
	refund_case_free(c);
}

/* Two engines on one store approve the same case: one wins, one conflicts. */
static void two_engines_one_store(fixture *f)
{
	/* On the store under the fixture's engine: the faulty one in store-fault modes. */
	refund_engine *e2 = other_engine(f, fixture_engine_store(f), "POS-STD");
	refund_case *a = case_under_review(f, "K-18", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_case *b = NULL;
	refund_act r1 = REVIEWER, r2 = as("rev-2", REFUND_ROLE_REVIEWER);

	ACT(f, NULL, refund_case_load(e2, &b, "K-18"));
	ACT(f, a, refund_case_approve(a, &r1, 49000));
	REFUSE(f, b, refund_case_approve(b, &r2, 40000), REFUND_ECONFLICT);
	assert_int_equal(refund_case_state(b), REFUND_STATE_UNDER_REVIEW);
	refund_case_free(b);
	ACT(f, NULL, refund_case_load(e2, &b, "K-18"));
	assert_int_equal(refund_case_state(b), REFUND_STATE_DEVICE_RETURN);
	REFUSE(f, b, refund_case_approve(b, &r2, 40000), REFUND_ESTATE);
	refund_case_free(a);
	refund_case_free(b);
	refund_engine_free(e2);
}

/* Two clerks hold the same case; one pays part 1, the other's payout of it is a conflict. */
static void stale_handle_cannot_pay_twice(fixture *f)
{
	refund_case *a = case_under_review(f, "K-18b", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_case *b = NULL;
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT, fin2 = as("fin-2", REFUND_ROLE_FINANCE);

	ACT(f, a, refund_case_approve(a, &r, 49000));
	ACT(f, a, refund_case_offer(a, &fin, 1));
	ACT(f, a, refund_case_accept(a, &ap));
	ACT(f, NULL, refund_case_load(f->engine, &b, "K-18b"));
	ACT(f, a, refund_case_pay(a, &fin, 1, "TX-A"));
	REFUSE(f, b, refund_case_pay(b, &fin2, 1, "TX-B"), REFUND_ECONFLICT);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "load it again"));
	assert_int_equal(balance_of(f, "D-1").refunded, 49000);
	refund_case_free(b);
	ACT(f, NULL, refund_case_load(f->engine, &b, "K-18b"));
	REFUSE(f, b, refund_case_pay(b, &fin2, 1, "TX-B"), REFUND_ESTATE);
	refund_case_free(a);
	refund_case_free(b);
}

/*
 * A store that fails at commit changes nothing; the retry succeeds.  The
 * test's own faulty store sits over the fixture's engine store, so in a
 * fault mode the fixture's faults reach its calls as well; it re-arms at
 * every attempt so that its own k-th call is the same whatever came before.
 */
static void store_fails_at_commit(fixture *f)
{
	refund_store *faulty = NULL;
	refund_engine *e2;
	refund_case *c = case_under_review(f, "K-19", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;
	char *before = NULL, *after = NULL;
	uint64_t version;
	long k;

	ACT(f, c, refund_case_approve(c, &r, 49000));
	ACT(f, c, refund_case_offer(c, &fin, 1));
	refund_case_free(c);
	assert_int_equal(faulty_store_new(fixture_engine_store(f), &faulty), 0);
	e2 = other_engine(f, faulty, "POS-NORETURN");
	ACT(f, NULL, refund_case_load(e2, &c, "K-19"));
	version = refund_case_version(c);
	/* Fail each store call of the acceptance in turn (it loads the deposit, then commits). */
	for (k = 1;; k++) {
		int rc;

		assert_int_equal(store_dump(f->store, &before), 0);
		ATTEMPT(f, c, rc, (faulty_store_arm(faulty, k, REFUND_ESTORE, 0),
				refund_case_accept(c, &ap)));
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
	relay_store relay;      /* first: the store the engine is given */
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
	/* After the magic, a one-byte seq, then "at": a time quietly changed
	 * (by a second: the zigzag's bit 1 is the value's bit 0). */
	bytes[EVENT_MAGIC_SIZE + 1] ^= 0x02;
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
	return t->relay.inner->events(t->relay.inner, kind, id, from, tamper_cb, t);
}

/* The tampering store sits over the fixture's engine store: faults reach through it. */
static void edited_event_found_by_verify(fixture *f)
{
	refund_case *c = case_under_review(f, "K-20", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_engine *e2;
	tamper t;
	uint64_t bad = 0;

	assert_verified(f, c);
	refund_case_free(c);
	memset(&t, 0, sizeof(t));
	relay_store_init(&t.relay, fixture_engine_store(f));
	t.relay.base.events = tamper_events;
	t.seq = 3;
	e2 = other_engine(f, &t.relay.base, "POS-STD");
	ACT(f, NULL, refund_case_load(e2, &c, "K-20"));
	REFUSE(f, c, (bad = 0, refund_case_verify(c, &bad)), REFUND_ECORRUPT);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(refund_engine_errmsg(e2), "event 3"));
	t.seq = 0;
	ACT(f, c, refund_case_verify(c, &bad));
	refund_case_free(c);
	refund_engine_free(e2);
}

/* The explanation states the figures and what happens next, in both languages. */
static void explain(fixture *f)
{
	refund_case *c = case_under_review(f, "K-21", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	char buf[2048], tiny[16];

	ACT(f, c, refund_case_explain(c, REFUND_LANG_EN, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "500.00 CNY"));
	assert_non_null(strstr(buf, "Refund: 490.00 CNY"));
	assert_non_null(strstr(buf, "under_review"));
	ACT(f, c, refund_case_explain(c, REFUND_LANG_ZH_CN, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "手续费 10.00"));
	REFUSE(f, c, refund_case_explain(c, REFUND_LANG_EN, tiny, sizeof(tiny)), REFUND_ERANGE);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
	REFUSE(f, c, refund_case_explain(c, (refund_lang)9, buf, sizeof(buf)), REFUND_EINVAL);
	refund_case_free(c);
}

/* The same idempotency key: once done, a retry is a no-op; other arguments are refused. */
static void idempotency(fixture *f)
{
	refund_case *c = case_under_review(f, "K-22", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER;
	uint64_t version;

	r.idempotency_key = "approve-K-22";
	ACT(f, c, refund_case_approve(c, &r, 40000));
	version = refund_case_version(c);
	ACT(f, c, refund_case_approve(c, &r, 40000));
	assert_int_equal(refund_case_version(c), version);
	REFUSE(f, c, refund_case_approve(c, &r, 41000), REFUND_EDUPLICATE);
	assert_int_equal(refund_case_version(c), version);
	r.idempotency_key = "bad key";
	REFUSE(f, c, refund_case_start_review(c, &r), REFUND_EINVAL);
	refund_case_free(c);
}

#define SCENARIO(fn) { #fn, fn }
const case_scenario case_scenarios[] = {
	SCENARIO(device_fault_with_damage_and_fee),
	SCENARIO(normal_wear_not_deducted),
	SCENARIO(missing_documents_expire),
	SCENARIO(review_overdue_escalates_once),
	SCENARIO(review_deadline_skips_weekend),
	SCENARIO(installments_with_failed_payout),
	SCENARIO(duplicate_application),
	SCENARIO(four_eyes),
	SCENARIO(applicant_cannot_approve),
	SCENARIO(usage_tiers),
	SCENARIO(usage_changed_mid_case),
	SCENARIO(window_closed),
	SCENARIO(policy_changed_mid_case),
	SCENARIO(withdraw_then_reapply),
	SCENARIO(appeal_after_rejection),
	SCENARIO(auto_close_after_payout),
	SCENARIO(two_engines_one_store),
	SCENARIO(stale_handle_cannot_pay_twice),
	SCENARIO(store_fails_at_commit),
	SCENARIO(edited_event_found_by_verify),
	SCENARIO(explain),
	SCENARIO(idempotency),
};
#undef SCENARIO
const size_t case_scenario_count = sizeof(case_scenarios) / sizeof(case_scenarios[0]);

struct CMUnitTest *case_scenario_tests(void (*test)(void **state),
		int (*setup)(void **state), int (*teardown)(void **state))
{
	struct CMUnitTest *tests = calloc(case_scenario_count, sizeof(*tests));
	size_t i;

	assert_non_null(tests);
	for (i = 0; i < case_scenario_count; i++) {
		tests[i].name = case_scenarios[i].name;
		tests[i].test_func = test;
		tests[i].setup_func = setup;
		tests[i].teardown_func = teardown;
		tests[i].initial_state = (void *)&case_scenarios[i];
	}
	return tests;
}
