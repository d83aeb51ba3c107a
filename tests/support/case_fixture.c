#include "case_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine.h"
#include "policy.h"

#include "fault_steps.h"

refund_time at(const char *iso)
{
	refund_time t = 0;

	assert_int_equal(refund_time_parse(iso, &t), 0);
	return t;
}

refund_act as(const char *actor, int role)
{
	refund_act a = REFUND_ACT_INIT;

	a.actor = actor;
	a.role = role;
	return a;
}

refund_account bank_account(void)
{
	refund_account acc = REFUND_ACCOUNT_INIT;

	acc.method = REFUND_PAYOUT_BANK;
	acc.name = "深圳市某某商贸有限公司";
	acc.number = "6222020200112233445";
	acc.bank = "中国工商银行深圳分行";
	return acc;
}

/* ---- policies ---- */

void standard_rules(fixture *f, refund_policy *p, int return_required)
{
	static const int64_t one_day[] = { 86400 };

	ACT(f, p, refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 730));
	ACT(f, p, refund_policy_add_tier(p, 0, 0, 5000));
	ACT(f, p, refund_policy_add_tier(p, 90, 0, 10000));
	ACT(f, p, refund_policy_set_return_required(p, return_required));
	ACT(f, p, refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 2000));
	ACT(f, p, refund_policy_set_missing_part_deduction(p, 3000));
	ACT(f, p, refund_policy_set_fee(p, 500, 100, 500, 2000));
	ACT(f, p, refund_policy_set_installments(p, 3, 1));
	ACT(f, p, refund_policy_set_four_eyes(p, 100000));
	ACT(f, p, refund_policy_set_escalation(p,
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION));
	ACT(f, p, refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_ESCALATE, one_day, 1));
	ACT(f, p, refund_policy_set_deadline(p, REFUND_STATE_AWAITING_DOCUMENTS, 5,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, one_day, 1));
	ACT(f, p, refund_policy_set_deadline(p, REFUND_STATE_PAID, 7,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0));
	ACT(f, p, refund_policy_set_deadline(p, REFUND_STATE_REJECTED, 15,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0));
}

refund_policy *draft_policy(fixture *f, const char *id, const char *currency,
		int return_required, int offsets)
{
	refund_policy *p = NULL;

	ACT(f, NULL, refund_policy_new(f->engine, &p, id, currency));
	standard_rules(f, p, return_required);
	ACT(f, p, refund_policy_set_offsets(p, offsets));
	return p;
}

void warm(refund_engine *e, const char *policy)
{
	const refund_policy *p = NULL;
	const refund_calendar *cal = NULL;

	assert_int_equal(refund__policy_get(e, policy, 0, &p), 0);
	assert_int_equal(refund__engine_calendar(e, "CN", &cal), 0);
}

uint32_t publish_draft(fixture *f, refund_policy *p)
{
	uint32_t version;

	ACT(f, p, refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN));
	warm(f->engine, p->id);
	version = refund_policy_version(p);
	refund_policy_free(p);
	return version;
}

void publish_policy(fixture *f, const char *id, const char *currency, int return_required,
		int offsets)
{
	publish_draft(f, draft_policy(f, id, currency, return_required, offsets));
}

refund_engine *other_engine(fixture *f, refund_store *store, const char *policy)
{
	refund_engine_options o = fixture_engine_options(f, store);
	refund_engine *e = NULL;

	ACT(f, NULL, refund_engine_new(&e, &o));
	warm(e, policy);
	return e;
}

/* ---- deposits ---- */

refund_deposit_info deposit_info(const char *id)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;

	info.id = id;
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-00042";
	info.contract_id = "C-18";
	info.amount = 50000;
	info.currency = "CNY";
	info.paid_at = at("2024-03-01T10:00:00+08:00");
	info.contract_end = at("2025-03-01T00:00:00+08:00");
	return info;
}

void add_deposit_info(fixture *f, const refund_deposit_info *info, int64_t days_in_service)
{
	refund_deposit *d = NULL;

	ACT(f, NULL, refund_deposit_create(f->engine, &d, info, "agent-7", REFUND_ROLE_AGENT));
	ACT(f, d, refund_deposit_set_usage(d, days_in_service, 0, "agent-7", REFUND_ROLE_AGENT));
	refund_deposit_free(d);
}

void add_deposit(fixture *f, const char *id, int64_t days_in_service)
{
	refund_deposit_info info = deposit_info(id);

	add_deposit_info(f, &info, days_in_service);
}

void build_world(fixture *f, int offsets)
{
	f->now = at("2025-06-02T09:00:00+08:00");  /* a Monday */
	publish_policy(f, "POS-STD", "CNY", 1, offsets);
	publish_policy(f, "POS-NORETURN", "CNY", 0, offsets);
	add_deposit(f, "D-1", 200);
}

int world_setup(void **state)
{
	fixture *f = fixture_new();

	build_world(f, 0);
	*state = f;
	return 0;
}

/* ---- cases ---- */

refund_case *open_case(fixture *f, const char *id, const char *deposit, const char *policy,
		int reason)
{
	refund_act a = APPLICANT;
	refund_case *c = NULL;

	ACT(f, NULL, refund_case_open(f->engine, &c, id, deposit, policy, 0, reason, &a));
	assert_int_equal(refund_case_state(c), REFUND_STATE_DRAFT);
	return c;
}

void attach_basics(fixture *f, refund_case *c)
{
	refund_act a = APPLICANT;

	ACT(f, c, refund_case_attach(c, &a, REFUND_EVIDENCE_RECEIPT, "file:receipt.jpg"));
	ACT(f, c, refund_case_attach(c, &a, REFUND_EVIDENCE_CONTRACT, "file:contract.pdf"));
	ACT(f, c, refund_case_attach(c, &a, REFUND_EVIDENCE_PAYMENT_RECORD, "file:pay.png"));
}

/* The evidence each reason asks for beyond the basics (POS-STD and POS-NORETURN). */
static int own_evidence(int reason)
{
	switch (reason) {
	case REFUND_REASON_DEVICE_FAULT: return REFUND_EVIDENCE_FAULT_REPORT;
	case REFUND_REASON_TRANSACTION_DISPUTE: return REFUND_EVIDENCE_TRANSACTION_RECORDS;
	case REFUND_REASON_SERVICE: return REFUND_EVIDENCE_SERVICE_EVALUATION;
	case REFUND_REASON_POLICY_CHANGE: return REFUND_EVIDENCE_GOVERNMENT_DOCUMENT;
	case REFUND_REASON_FRAUD: return REFUND_EVIDENCE_POLICE_REPORT;
	default: return 0;
	}
}

refund_case *case_under_review(fixture *f, const char *id, const char *policy, int reason)
{
	refund_case *c = open_case(f, id, "D-1", policy, reason);
	refund_account acc = bank_account();
	refund_act a = APPLICANT, r = REVIEWER;
	int own = own_evidence(reason);

	attach_basics(f, c);
	if (own) {
		REFUSE(f, c, refund_case_submit(c, &a, &acc), REFUND_EEVIDENCE);
		assert_int_equal(refund_case_missing_evidence(c), REFUND_EVIDENCE_BIT(own));
		ACT(f, c, refund_case_attach(c, &a, own, "file:reason.pdf"));
	}
	ACT(f, c, refund_case_submit(c, &a, &acc));
	assert_int_equal(refund_case_missing_evidence(c), 0);
	ACT(f, c, refund_case_start_review(c, &r));
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	return c;
}

refund_case *reload(fixture *f, refund_case *c)
{
	refund_case *fresh = NULL;
	char id[REFUND_ID_MAX + 1];

	snprintf(id, sizeof(id), "%s", refund_case_id(c));
	refund_case_free(c);
	ACT(f, NULL, refund_case_load(f->engine, &fresh, id));
	return fresh;
}

/* ---- time ---- */

int tick_into(refund_engine *e, refund_time now, refund_tick_result *res)
{
	int rc;

	memset(res, 0, sizeof(*res));
	res->version = REFUND_TICK_RESULT_VERSION;
	rc = refund_engine_tick(e, now, 0, res);
	return rc == 0 && res->conflicts > 0 ? REFUND_ECONFLICT : rc;
}

refund_tick_result tick_at(fixture *f, refund_time now)
{
	refund_tick_result res;

	ACT(f, NULL, tick_into(f->engine, now, &res));
	return res;
}

refund_tick_result tick(fixture *f, const char *iso)
{
	return tick_at(f, at(iso));
}

void count_notice(void *user, const refund_notice *n)
{
	(void)n;
	(*(int *)user)++;
}
