/*
 * refundctl demo: the domain's stories on a scratch database, with an
 * injected clock so that every run prints the same thing.
 *
 *   1. A device fault: the terminal comes back damaged with a part missing;
 *      deductions and a handling fee; paid and confirmed.
 *   2. A transaction dispute: the reviewer asks for a document that never
 *      comes; a reminder, then the case expires.
 *   3. A review nobody finishes: two China business days over the National
 *      Day holiday, a reminder, then escalation to third parties.
 *   4. Installments: three monthly parts, one payout fails and is retried;
 *      the applicant never confirms and the case closes itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refundctl.h"

#define CST (8 * 3600)

#define DEMO_NOTES 8
#define DEMO_NOTE_MAX 160

typedef struct demo {
	ctl *c;
	int failed;                /* a step that should have worked did not */
	char notes[DEMO_NOTES][DEMO_NOTE_MAX];
	int nnotes;                /* notices of the tick under way */
} demo;

/* "2025-03-03 10:00" in China time. */
static const char *when(refund_time t, char *buf, size_t size)
{
	int y = 0, mo = 0, d = 0;
	int64_t secs = ((t + CST) % 86400 + 86400) % 86400;

	refund_time_to_date(t, CST, &y, &mo, &d, NULL);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", y, mo, d, (int)(secs / 3600),
			(int)(secs % 3600 / 60));
	return buf;
}

static refund_time at(const char *iso)
{
	refund_time t = 0;

	refund_time_parse(iso, &t);
	return t;
}

static void set_clock(demo *d, const char *iso)
{
	d->c->now = at(iso);
}

static void say(demo *d, const char *who, const char *what, const char *outcome)
{
	char buf[32];

	printf("  %s  %-20s %-17s %s\n", when(d->c->now, buf, sizeof(buf)), who, what, outcome);
}

static void fail(demo *d, const char *what)
{
	printf("  !! %s failed: %s [%s]\n", what, refund_engine_errmsg(d->c->engine),
			"unexpected");
	d->failed = 1;
}

/* One action by @p actor; prints the transition and the deadline it starts. */
static int step(demo *d, refund_case *cs, const char *actor, int role, const ctl_action *a,
		const char *note)
{
	refund_act act = REFUND_ACT_INIT;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	char who[48], outcome[160], due[32], what[32];
	int from = refund_case_state(cs), rc;

	act.actor = actor;
	act.role = role;
	act.note = note;
	snprintf(who, sizeof(who), "%s (%s)", actor, refund_role_name(role));
	snprintf(what, sizeof(what), "%s", refund_case_action_name(a->action));
	if (a->action == REFUND_ACTION_PAY || a->action == REFUND_ACTION_PAY_FAILED)
		snprintf(what, sizeof(what), "%s %d", refund_case_action_name(a->action), a->number);
	if ((rc = ctl_apply(cs, &act, a)) != 0) {
		fail(d, what);
		return rc;
	}
	if (from != refund_case_state(cs))
		snprintf(outcome, sizeof(outcome), "%s -> %s", refund_case_state_name(from),
				refund_case_state_name(refund_case_state(cs)));
	else
		snprintf(outcome, sizeof(outcome), "(%s)", refund_case_state_name(from));
	if (from != refund_case_state(cs) && refund_case_next_deadline(cs, &dl) == 0)
		snprintf(outcome + strlen(outcome), sizeof(outcome) - strlen(outcome),
				"; due %s", when(dl.due, due, sizeof(due)));
	say(d, who, what, outcome);
	return 0;
}

/* A step that must be refused: shows the library's guard at work. */
static void refused(demo *d, refund_case *cs, const char *actor, int role,
		const ctl_action *a, const char *why)
{
	refund_act act = REFUND_ACT_INIT;
	char who[48], outcome[200], what[32];
	int rc;

	act.actor = actor;
	act.role = role;
	snprintf(who, sizeof(who), "%s (%s)", actor, refund_role_name(role));
	snprintf(what, sizeof(what), "%s", refund_case_action_name(a->action));
	if (a->action == REFUND_ACTION_PAY)
		snprintf(what, sizeof(what), "pay %d again", a->number);
	rc = ctl_apply(cs, &act, a);
	if (rc == 0) {
		printf("  !! %s was accepted but must be refused\n", what);
		d->failed = 1;
		return;
	}
	snprintf(outcome, sizeof(outcome), "refused (%s): %s", refund_error_name(rc), why);
	say(d, who, what, outcome);
}

static ctl_action action(int kind)
{
	ctl_action a;

	memset(&a, 0, sizeof(a));
	a.action = kind;
	return a;
}

static int attach_all(demo *d, refund_case *cs, const char *actor, const int *kinds,
		size_t n)
{
	refund_act act = REFUND_ACT_INIT;
	char line[160] = "", ref[32];
	size_t i;

	act.actor = actor;
	act.role = REFUND_ROLE_APPLICANT;
	for (i = 0; i < n; i++) {
		snprintf(ref, sizeof(ref), "doc-%s-%zu", refund_case_id(cs), i + 1);
		if (refund_case_attach(cs, &act, kinds[i], ref) != 0) {
			fail(d, "attach");
			return -1;
		}
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? ", " : "",
				ctl_evidence_names[kinds[i]]);
	}
	{
		char who[48];

		snprintf(who, sizeof(who), "%s (applicant)", actor);
		say(d, who, "attach", line);
	}
	return 0;
}

static int tick(demo *d, const char *iso)
{
	refund_tick_result r = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
	char outcome[96];
	int i;

	set_clock(d, iso);
	d->nnotes = 0;
	if (refund_engine_tick(d->c->engine, d->c->now, 0, &r) != 0) {
		fail(d, "tick");
		return -1;
	}
	if (r.reminders + r.consequences == 0)
		snprintf(outcome, sizeof(outcome), "nothing due");
	else
		snprintf(outcome, sizeof(outcome), "%zu reminder%s, %zu consequence%s",
				r.reminders, r.reminders == 1 ? "" : "s", r.consequences,
				r.consequences == 1 ? "" : "s");
	say(d, "system", "tick", outcome);
	for (i = 0; i < d->nnotes; i++)
		printf("  %16s  %-20s %-17s %s\n", "", "", "", d->notes[i]);
	d->nnotes = 0;
	return 0;
}

/* Reload after ticks, which change the case through the store. */
static int reload(demo *d, refund_case **cs)
{
	char id[CTL_ID_BUF];

	snprintf(id, sizeof(id), "%s", refund_case_id(*cs));
	refund_case_free(*cs);
	*cs = NULL;
	if (refund_case_load(d->c->engine, cs, id) != 0) {
		fail(d, "load");
		return -1;
	}
	return 0;
}

/* What the deadlines did during a tick, kept to print after its line. */
static void on_notice(void *user, const refund_notice *n)
{
	demo *d = user;
	char due[32], *line;

	if ((n->kind != REFUND_NOTICE_REMINDER && n->kind != REFUND_NOTICE_DEADLINE) ||
			d->nnotes >= DEMO_NOTES)
		return;
	line = d->notes[d->nnotes++];
	if (n->kind == REFUND_NOTICE_REMINDER)
		snprintf(line, DEMO_NOTE_MAX, "%s: reminder, %s due %s%s", n->id,
				refund_case_state_name(n->from_state), when(n->deadline, due, sizeof(due)),
				n->overdue ? " (passed)" : "");
	else if (n->from_state == n->to_state)
		snprintf(line, DEMO_NOTE_MAX, "%s: %s (stays %s)", n->id,
				refund_case_action_name(n->action), refund_case_state_name(n->to_state));
	else
		snprintf(line, DEMO_NOTE_MAX, "%s: %s, %s -> %s", n->id,
				refund_case_action_name(n->action), refund_case_state_name(n->from_state),
				refund_case_state_name(n->to_state));
}

/* ---- setting up ----------------------------------------------------------- */

static int standard_policy(demo *d)
{
	static const int64_t day[] = { 86400 }, hours4[] = { 4 * 3600 };
	refund_policy *p = NULL;
	int rc;

	if ((rc = refund_policy_new(d->c->engine, &p, "pos-standard", "CNY")) != 0)
		return rc;
	if ((rc = refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 730)) != 0 ||
			(rc = refund_policy_add_tier(p, 0, 0, 8000)) != 0 ||
			(rc = refund_policy_add_tier(p, 365, 0, 10000)) != 0 ||
			(rc = refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 2000)) != 0 ||
			(rc = refund_policy_set_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, 10000)) != 0 ||
			(rc = refund_policy_set_missing_part_deduction(p, 3000)) != 0 ||
			(rc = refund_policy_set_fee(p, 1000, 100, 1000, 5000)) != 0 ||
			(rc = refund_policy_set_installments(p, 3, 1)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2,
				REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_ESCALATE, hours4, 1)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_AWAITING_DOCUMENTS, 5,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, day, 1)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_DEVICE_RETURN, 15,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, day, 1)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_PAYOUT, 3,
				REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_ESCALATE, NULL, 0)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_PAID, 7,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0)) != 0 ||
			(rc = refund_policy_set_escalation(p, REFUND_PARTY_REGULATOR |
				REFUND_PARTY_CONSUMER_ASSOCIATION)) != 0 ||
			(rc = refund_policy_publish(p, "A-Chen", REFUND_ROLE_ADMIN)) != 0) {
		refund_policy_free(p);
		return rc;
	}
	refund_policy_free(p);
	return 0;
}

static int installment_policy(demo *d)
{
	refund_policy *p = NULL;
	int rc;

	if ((rc = refund_policy_new(d->c->engine, &p, "pos-rental", "CNY")) != 0)
		return rc;
	if ((rc = refund_policy_set_return_required(p, 0)) != 0 ||
			(rc = refund_policy_set_installments(p, 3, 1)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_PAYOUT, 40,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_ESCALATE, NULL, 0)) != 0 ||
			(rc = refund_policy_set_deadline(p, REFUND_STATE_PAID, 7,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0)) != 0 ||
			(rc = refund_policy_publish(p, "A-Chen", REFUND_ROLE_ADMIN)) != 0) {
		refund_policy_free(p);
		return rc;
	}
	refund_policy_free(p);
	return 0;
}

typedef struct demo_deposit {
	const char *id, *holder, *agent, *serial, *amount, *paid, *end;
	int64_t days;
} demo_deposit;

static const demo_deposit deposits[] = {
	{ "DEP-1001", "M-1001", "AG-7", "SN-88A-00042", "500.00", "2024-01-15T10:00+08:00",
		"2025-01-15T00:00+08:00", 410 },
	{ "DEP-1002", "M-1002", "AG-7", "SN-88A-00057", "300.00", "2024-06-01T10:00+08:00",
		"2025-06-01T00:00+08:00", 200 },
	{ "DEP-1003", "M-1003", "AG-9", "SN-90C-00311", "800.00", "2024-02-20T10:00+08:00",
		"2025-08-20T00:00+08:00", 540 },
	{ "DEP-1004", "M-1004", "AG-9", "SN-90C-00420", "1200.00", "2023-12-01T10:00+08:00",
		"2025-04-30T00:00+08:00", 500 },
};

static int add_deposits(demo *d)
{
	size_t i;

	for (i = 0; i < sizeof(deposits) / sizeof(deposits[0]); i++) {
		const demo_deposit *x = &deposits[i];
		refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
		refund_deposit *dep = NULL;
		char outcome[128], who[48];
		int rc;

		info.id = x->id;
		info.holder = x->holder;
		info.agent = x->agent;
		info.terminal_serial = x->serial;
		info.contract_id = "CT-2024";
		info.receipt = "R-0001";
		info.currency = "CNY";
		info.paid_at = at(x->paid);
		info.contract_end = at(x->end);
		refund_money_parse(d->c->engine, "CNY", x->amount, 0, &info.amount);
		rc = refund_deposit_create(d->c->engine, &dep, &info, x->agent, REFUND_ROLE_AGENT);
		if (rc == 0)
			rc = refund_deposit_set_usage(dep, x->days, INT64_C(8000000), x->agent,
					REFUND_ROLE_AGENT);
		refund_deposit_free(dep);
		if (rc != 0) {
			fail(d, "deposit add");
			return rc;
		}
		snprintf(outcome, sizeof(outcome), "%s %s CNY from %s, terminal %s, %" PRId64
				" days in service", x->id, x->amount, x->holder, x->serial, x->days);
		snprintf(who, sizeof(who), "%s (agent)", x->agent);
		say(d, who, "deposit", outcome);
	}
	return 0;
}

static int setup(demo *d)
{
	set_clock(d, "2025-03-03T09:00+08:00");
	printf("== setting up ==\n");
	if (standard_policy(d) != 0 || installment_policy(d) != 0) {
		fail(d, "policy publish");
		return -1;
	}
	say(d, "A-Chen (admin)", "policy", "pos-standard v1: terminal returned and inspected, "
			"damage 20%, 30.00 per missing part,");
	printf("  %16s  %-20s %-17s %s\n", "", "", "", "fee 10.00 + 1% (10.00..50.00), review "
			"in 2 China business days or escalate,");
	printf("  %16s  %-20s %-17s %s\n", "", "", "", "documents in 5 days or expire, 80% "
			"below a year of use");
	say(d, "A-Chen (admin)", "policy", "pos-rental v1: no return, up to 3 monthly "
			"installments, closes 7 days after payout");
	if (ctl_set_default_policy(d->c, "pos-standard") != 0) {
		d->failed = 1;
		return -1;
	}
	return add_deposits(d);
}

static int open_case(demo *d, refund_case **cs, const char *id, const char *deposit,
		const char *policy, int reason, const char *applicant)
{
	refund_act act = REFUND_ACT_INIT;
	char who[48], outcome[96];

	act.actor = applicant;
	act.role = REFUND_ROLE_APPLICANT;
	if (refund_case_open(d->c->engine, cs, id, deposit, policy, 0, reason, &act) != 0) {
		fail(d, "open");
		return -1;
	}
	snprintf(who, sizeof(who), "%s (applicant)", applicant);
	snprintf(outcome, sizeof(outcome), "%s for %s: %s -> draft", id, deposit,
			ctl_reason_names[reason]);
	say(d, who, "open", outcome);
	return 0;
}

static int submit(demo *d, refund_case *cs, const char *applicant, int method,
		const char *name, const char *number, const char *bank)
{
	ctl_action a = action(REFUND_ACTION_SUBMIT);

	a.account.version = REFUND_ACCOUNT_VERSION;
	a.account.method = method;
	a.account.name = name;
	a.account.number = number;
	a.account.bank = bank;
	return step(d, cs, applicant, REFUND_ROLE_APPLICANT, &a, NULL);
}

static void show_quote(demo *d, refund_case *cs)
{
	char text[2048];

	if (refund_case_explain(cs, d->c->lang, text, sizeof(text)) != 0)
		return;
	printf("       quote for the applicant:\n");
	{
		char *line = text, *nl;

		while (*line) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			printf("         %s\n", line);
			if (!nl)
				break;
			line = nl + 1;
		}
	}
}

/* ---- the stories -------------------------------------------------------- */

static void story_device_fault(demo *d)
{
	static const int docs[] = { REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_CONTRACT,
		REFUND_EVIDENCE_PAYMENT_RECORD, REFUND_EVIDENCE_FAULT_REPORT };
	refund_case *cs = NULL;
	ctl_action a;

	printf("\n== 1. device fault: the terminal comes back damaged ==\n");
	set_clock(d, "2025-03-03T10:00+08:00");
	if (open_case(d, &cs, "CASE-1", "DEP-1001", "pos-standard", REFUND_REASON_DEVICE_FAULT,
			"M-1001") != 0)
		return;
	a = action(REFUND_ACTION_SUBMIT);
	refused(d, cs, "M-1001", REFUND_ROLE_APPLICANT, &a,
			"receipt, contract, payment record and fault report are missing");
	if (attach_all(d, cs, "M-1001", docs, 4) != 0 ||
			submit(d, cs, "M-1001", REFUND_PAYOUT_BANK, "Zhang Wei", "6222020200112233445",
				"ICBC") != 0)
		goto out;
	set_clock(d, "2025-03-03T14:00+08:00");
	a = action(REFUND_ACTION_START_REVIEW);
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a, NULL) != 0)
		goto out;
	a = action(REFUND_ACTION_APPROVE);
	refund_money_parse(NULL, "CNY", "485.00", 0, &a.amount);
	refused(d, cs, "M-1001", REFUND_ROLE_APPLICANT, &a, "an applicant cannot approve");
	set_clock(d, "2025-03-04T10:00+08:00");
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a, "fault confirmed by phone") != 0)
		goto out;
	set_clock(d, "2025-03-10T15:00+08:00");
	a = action(REFUND_ACTION_RECEIVE_DEVICE);
	a.text = "SF1234567890";
	if (step(d, cs, "AG-7", REFUND_ROLE_AGENT, &a, NULL) != 0)
		goto out;
	set_clock(d, "2025-03-11T11:00+08:00");
	a = action(REFUND_ACTION_INSPECT);
	a.number = REFUND_GRADE_DAMAGED;
	a.number2 = 1;
	if (step(d, cs, "AG-7", REFUND_ROLE_AGENT, &a, "cracked screen, charger missing") != 0)
		goto out;
	a = action(REFUND_ACTION_OFFER);
	a.number = 1;
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, NULL) != 0)
		goto out;
	show_quote(d, cs);
	set_clock(d, "2025-03-12T09:00+08:00");
	a = action(REFUND_ACTION_ACCEPT);
	if (step(d, cs, "M-1001", REFUND_ROLE_APPLICANT, &a, NULL) != 0)
		goto out;
	set_clock(d, "2025-03-13T10:00+08:00");
	a = action(REFUND_ACTION_PAY);
	a.number = 1;
	a.text = "BANK-TX-7781";
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, NULL) != 0)
		goto out;
	a.text = "BANK-TX-7782";
	refused(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, "a part is paid once");
	set_clock(d, "2025-03-14T18:00+08:00");
	a = action(REFUND_ACTION_CONFIRM);
	step(d, cs, "M-1001", REFUND_ROLE_APPLICANT, &a, "received, thanks");
out:
	refund_case_free(cs);
}

static void story_dispute(demo *d)
{
	static const int docs[] = { REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_CONTRACT,
		REFUND_EVIDENCE_PAYMENT_RECORD, REFUND_EVIDENCE_TRANSACTION_RECORDS };
	refund_case *cs = NULL;
	ctl_action a;

	printf("\n== 2. transaction dispute: a document never comes ==\n");
	set_clock(d, "2025-04-01T10:00+08:00");
	if (open_case(d, &cs, "CASE-2", "DEP-1002", "pos-standard",
			REFUND_REASON_TRANSACTION_DISPUTE, "M-1002") != 0)
		return;
	if (attach_all(d, cs, "M-1002", docs, 4) != 0 ||
			submit(d, cs, "M-1002", REFUND_PAYOUT_ALIPAY, "Li Na", "13800138000", NULL) != 0)
		goto out;
	set_clock(d, "2025-04-01T15:00+08:00");
	a = action(REFUND_ACTION_START_REVIEW);
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a, NULL) != 0)
		goto out;
	a = action(REFUND_ACTION_REQUEST_DOCUMENTS);
	a.mask = REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_OTHER);
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a,
			"screenshots unreadable: send the bank statement for March") != 0)
		goto out;
	if (tick(d, "2025-04-05T16:00+08:00") != 0 || tick(d, "2025-04-06T16:00+08:00") != 0)
		goto out;
	if (reload(d, &cs) == 0)
		printf("  %16s  case CASE-2 is %s; deposit DEP-1002 is free for a new application\n",
				"", refund_case_state_name(refund_case_state(cs)));
out:
	refund_case_free(cs);
}

static void story_review_overdue(demo *d)
{
	static const int docs[] = { REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_CONTRACT,
		REFUND_EVIDENCE_PAYMENT_RECORD, REFUND_EVIDENCE_SERVICE_EVALUATION };
	refund_case *cs = NULL;
	ctl_action a;
	uint32_t esc, bit;

	printf("\n== 3. a review nobody finishes: National Day in the way ==\n");
	set_clock(d, "2025-09-30T10:00+08:00");
	if (open_case(d, &cs, "CASE-3", "DEP-1003", "pos-standard", REFUND_REASON_SERVICE,
			"M-1003") != 0)
		return;
	if (attach_all(d, cs, "M-1003", docs, 4) != 0 ||
			submit(d, cs, "M-1003", REFUND_PAYOUT_WECHAT, "Wang Fang", "wangfang_88", NULL) != 0)
		goto out;
	set_clock(d, "2025-09-30T16:00+08:00");
	a = action(REFUND_ACTION_START_REVIEW);
	if (step(d, cs, "R-Zhao", REFUND_ROLE_REVIEWER, &a, NULL) != 0)
		goto out;
	printf("  %16s  2 business days: October 1-8 are the National Day holiday, so the\n"
			"  %16s  review is due on the second working day after it\n", "", "");
	if (tick(d, "2025-10-09T09:00+08:00") != 0 || tick(d, "2025-10-10T13:00+08:00") != 0 ||
			tick(d, "2025-10-10T17:00+08:00") != 0 || reload(d, &cs) != 0)
		goto out;
	esc = refund_case_escalations(cs);
	printf("  %16s  case CASE-3 is still %s, escalated to:", "",
			refund_case_state_name(refund_case_state(cs)));
	for (bit = 1; bit <= REFUND_PARTY_LEGAL; bit <<= 1)
		if (esc & bit)
			printf(" %s", ctl_party_name(bit));
	printf("\n");
out:
	refund_case_free(cs);
}

static void story_installments(demo *d)
{
	static const int docs[] = { REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_CONTRACT,
		REFUND_EVIDENCE_PAYMENT_RECORD };
	refund_case *cs = NULL;
	ctl_action a;
	int i;

	printf("\n== 4. installments: a payout fails and is retried ==\n");
	set_clock(d, "2025-05-06T10:00+08:00");
	if (open_case(d, &cs, "CASE-4", "DEP-1004", "pos-rental", REFUND_REASON_NEEDS_CHANGED,
			"M-1004") != 0)
		return;
	if (attach_all(d, cs, "M-1004", docs, 3) != 0 ||
			submit(d, cs, "M-1004", REFUND_PAYOUT_BANK, "Chen Jie", "6217000010002000300",
				"China Construction Bank") != 0)
		goto out;
	set_clock(d, "2025-05-07T10:00+08:00");
	a = action(REFUND_ACTION_START_REVIEW);
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a, NULL) != 0)
		goto out;
	a = action(REFUND_ACTION_APPROVE);
	refund_money_parse(NULL, "CNY", "1200.00", 0, &a.amount);
	if (step(d, cs, "R-Li", REFUND_ROLE_REVIEWER, &a, NULL) != 0)
		goto out;
	a = action(REFUND_ACTION_OFFER);
	a.number = 3;
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, "three monthly parts") != 0)
		goto out;
	a = action(REFUND_ACTION_ACCEPT);
	if (step(d, cs, "M-1004", REFUND_ROLE_APPLICANT, &a, NULL) != 0)
		goto out;
	set_clock(d, "2025-05-08T10:00+08:00");
	a = action(REFUND_ACTION_PAY);
	a.number = 1;
	a.text = "BANK-TX-9001";
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, NULL) != 0)
		goto out;
	set_clock(d, "2025-06-08T10:00+08:00");
	a = action(REFUND_ACTION_PAY_FAILED);
	a.number = 2;
	a.text = "bank system fault (系统故障)";
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, NULL) != 0)
		goto out;
	set_clock(d, "2025-06-09T10:00+08:00");
	a = action(REFUND_ACTION_PAY);
	a.number = 2;
	a.text = "BANK-TX-9002-R";
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, "retried") != 0)
		goto out;
	set_clock(d, "2025-07-08T10:00+08:00");
	a.number = 3;
	a.text = "BANK-TX-9003";
	if (step(d, cs, "F-Wang", REFUND_ROLE_FINANCE, &a, NULL) != 0)
		goto out;
	if (tick(d, "2025-07-16T10:00+08:00") != 0 || reload(d, &cs) != 0)
		goto out;
	printf("  %16s  case CASE-4 is %s (the applicant never confirmed)\n", "",
			refund_case_state_name(refund_case_state(cs)));
	for (i = 1; i <= refund_case_part_count(cs); i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };
		char m[REFUND_MONEY_FORMAT_MAX];

		refund_case_part(cs, i, &p);
		printf("  %16s  part %d: %s CNY, %d attempt%s, ref %s\n", "", i,
				ctl_money(d->c, "CNY", p.amount, m, sizeof(m)), p.attempts,
				p.attempts == 1 ? "" : "s", p.reference ? p.reference : "-");
	}
out:
	refund_case_free(cs);
}

/* ---- the end: ledgers and audit chains ---------------------------------- */

static void final_ledgers(demo *d)
{
	static const char *const cases[] = { "CASE-1", "CASE-2", "CASE-3", "CASE-4" };
	size_t i, ok = 0;

	printf("\n== the ledgers: held = refunded + deducted + remaining ==\n");
	for (i = 0; i < sizeof(deposits) / sizeof(deposits[0]); i++) {
		refund_deposit *dep = NULL;
		refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
		char h[REFUND_MONEY_FORMAT_MAX], r[REFUND_MONEY_FORMAT_MAX];
		char x[REFUND_MONEY_FORMAT_MAX], m[REFUND_MONEY_FORMAT_MAX];

		if (refund_deposit_load(d->c->engine, &dep, deposits[i].id) != 0) {
			fail(d, "deposit load");
			continue;
		}
		refund_deposit_balance(dep, &b);
		printf("%s (%s): held %s = refunded %s + deducted %s + remaining %s\n",
				deposits[i].id, deposits[i].holder,
				ctl_money(d->c, "CNY", b.held, h, sizeof(h)),
				ctl_money(d->c, "CNY", b.refunded, r, sizeof(r)),
				ctl_money(d->c, "CNY", b.deducted, x, sizeof(x)),
				ctl_money(d->c, "CNY", b.remaining, m, sizeof(m)));
		ctl_print_ledger(d->c, dep, "  ");
		refund_deposit_free(dep);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		refund_case *cs = NULL;

		if (refund_case_load(d->c->engine, &cs, cases[i]) == 0 &&
				refund_case_verify(cs, NULL) == 0)
			ok++;
		refund_case_free(cs);
	}
	printf("\naudit chains: %zu of %zu cases verify (SHA-256, every event)\n", ok,
			sizeof(cases) / sizeof(cases[0]));
	if (ok != sizeof(cases) / sizeof(cases[0]))
		d->failed = 1;
}

/* A scratch directory for the database, removed afterwards. */
static int scratch_path(char *dir, size_t dsize, char *path, size_t psize)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, dsize, "%s/refundctl-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, psize, "%s/demo.db", dir);
	return 0;
}

static void remove_scratch(const char *dir, const char *path)
{
	char side[4200];

	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	unlink(path);
	rmdir(dir);
}

int cmd_demo(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "[--db FILE]",
		"Walk through the domain's stories on a scratch database (or on FILE, which\n"
		"must not exist yet and is kept), with a fixed clock: a device-fault refund\n"
		"with inspection and fee, a dispute whose missing document expires it, a\n"
		"review that goes overdue over a holiday and escalates, installments with\n"
		"a failed payout retried; then the ledgers and the audit chains.", 0, 0, NULL };
	char dir[4096] = "", path[4200] = "";
	demo d;
	struct stat st;
	int nargs, rc;

	memset(&d, 0, sizeof(d));
	d.c = c;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (c->db_given) {
		if (stat(c->db_path, &st) == 0) {
			fprintf(stderr, "refundctl demo: %s exists already\nhint: the demo needs a "
					"new database: name a file that does not exist, or leave out --db\n",
					c->db_path);
			return CTL_EXIT_CONFLICT;
		}
	} else {
		if (scratch_path(dir, sizeof(dir), path, sizeof(path)) != 0) {
			perror("refundctl demo: cannot make a scratch directory");
			return CTL_EXIT_STORAGE;
		}
		c->db_path = path;
	}
	c->now_set = 1;
	c->now = at("2025-03-03T09:00+08:00");
	c->tz = CST;
	c->notify = on_notice;
	c->notify_user = &d;
	if ((rc = ctl_open(c, 1)) == 0) {
		printf("librefund %s demo: every time below is China time (UTC+08:00)\n\n",
				refund_version());
		if (setup(&d) == 0) {
			story_device_fault(&d);
			story_dispute(&d);
			story_review_overdue(&d);
			story_installments(&d);
			final_ledgers(&d);
		}
		if (c->db_given)
			printf("\nthe database is kept in %s: try refundctl --db %s case show CASE-1\n",
					c->db_path, c->db_path);
		rc = d.failed ? CTL_EXIT_OTHER : 0;
	}
	ctl_close(c);
	if (!c->db_given && dir[0])
		remove_scratch(dir, path);
	return rc;
}
