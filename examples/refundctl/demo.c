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

/* Where say() writes who acts, and the outcome: lines that go under them. */
#define WHO_COLUMN 20
#define OUTCOME_COLUMN 59

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

	printf("  %s  %-*s %-*s %s\n", when(d->c->now, buf, sizeof(buf)), ctl_pad(who, 20), who,
			ctl_pad(what, 17), what, outcome);
}

/* "AG-7 (agent)": who acts, as say() shows it. */
static void who_is(const demo *d, const char *actor, int role, char *who, size_t size)
{
	snprintf(who, size, CTL_TEXT(d->c, "%s (%s)", "%s（%s）"), actor,
			ctl_role_label(d->c, role));
}

/* Each line of @p text, indented; a last newline ends the last line. */
static void print_lines(int indent, const char *text)
{
	const char *nl;

	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		printf("%*s%.*s\n", indent, "", (int)(nl - text), text);
	if (*text)
		printf("%*s%s\n", indent, "", text);
}

static void fail(demo *d, const char *what)
{
	printf(CTL_TEXT(d->c, "  !! %s failed: %s [%s]\n", "  !! %s 失败：%s [%s]\n"), what,
			refund_engine_errmsg(d->c->engine), CTL_TEXT(d->c, "unexpected", "意外"));
	d->failed = 1;
}

/* One step of a story: an action by someone at a time, or a tick. */
typedef struct demo_step {
	const char *at;            /* set the clock first; NULL: leave it */
	const char *as;            /* "ACTOR:ROLE" as --as takes it; NULL: a tick */
	ctl_action a;              /* amount_text is in CNY; attach: the kinds in mask */
	const char *note;
	const char *refused;       /* the action must be refused, for this reason */
	const char *refused_zh;    /* ... in Chinese */
	int quote;                 /* show the quote for the applicant after it */
	const char *aside;         /* a comment after it */
	const char *aside_zh;
} demo_step;

/* Who acts, from "ACTOR:ROLE"; @p who becomes "ACTOR (ROLE)". */
static void cast(const demo *d, const char *as, refund_act *act, char *actor, char *who,
		size_t size)
{
	const char *colon = strrchr(as, ':');

	snprintf(actor, size, "%.*s", (int)(colon - as), as);
	refund_role_from_name(colon + 1, &act->role);
	act->actor = actor;
	who_is(d, actor, act->role, who, size);
}

/*
 * One action; prints the transition and the deadline it starts.  A step
 * that must be refused shows the library's guard at work instead.
 */
static int step(demo *d, refund_case *cs, const demo_step *s)
{
	refund_act act = REFUND_ACT_INIT;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	char actor[48], who[64], outcome[256], due[32], what[64];
	int from = refund_case_state(cs), rc;
	ctl_action a = s->a;

	cast(d, s->as, &act, actor, who, sizeof(who));
	act.note = s->note;
	if (a.amount_text)
		refund_money_parse(NULL, "CNY", a.amount_text, 0, &a.amount);
	snprintf(what, sizeof(what), "%s", ctl_action_label(d->c, a.action));
	if ((a.action == REFUND_ACTION_PAY || a.action == REFUND_ACTION_PAY_FAILED) && s->refused)
		snprintf(what, sizeof(what), CTL_TEXT(d->c, "%s %d again", "再次%s 第 %d 期"),
				ctl_action_label(d->c, a.action), a.number);
	else if (a.action == REFUND_ACTION_PAY || a.action == REFUND_ACTION_PAY_FAILED)
		snprintf(what, sizeof(what), CTL_TEXT(d->c, "%s %d", "%s 第 %d 期"),
				ctl_action_label(d->c, a.action), a.number);
	rc = ctl_apply(cs, &act, &a);
	if (s->refused && rc == 0) {
		printf(CTL_TEXT(d->c, "  !! %s was accepted but must be refused\n",
				"  !! %s 被接受，但应被拒绝\n"), what);
		d->failed = 1;
		return 0;
	}
	if (s->refused) {
		snprintf(outcome, sizeof(outcome), CTL_TEXT(d->c, "refused (%s): %s",
				"被拒绝（%s）：%s"), refund_error_name(rc),
				CTL_TEXT(d->c, s->refused, s->refused_zh));
		say(d, who, what, outcome);
		return 0;
	}
	if (rc != 0) {
		fail(d, what);
		return rc;
	}
	if (from != refund_case_state(cs))
		snprintf(outcome, sizeof(outcome), "%s -> %s", ctl_state_label(d->c, from),
				ctl_state_label(d->c, refund_case_state(cs)));
	else
		snprintf(outcome, sizeof(outcome), CTL_TEXT(d->c, "(%s)", "（%s）"),
				ctl_state_label(d->c, from));
	if (from != refund_case_state(cs) && refund_case_next_deadline(cs, &dl) == 0)
		snprintf(outcome + strlen(outcome), sizeof(outcome) - strlen(outcome),
				CTL_TEXT(d->c, "; due %s", "；期限 %s"), when(dl.due, due, sizeof(due)));
	say(d, who, what, outcome);
	return 0;
}

/* The applicant attaches every kind of evidence in the step's mask: one line. */
static int attach_all(demo *d, refund_case *cs, const demo_step *s)
{
	refund_act act = REFUND_ACT_INIT;
	char line[256] = "", ref[32], actor[48], who[64];
	int kind, n = 0;

	cast(d, s->as, &act, actor, who, sizeof(who));
	for (kind = 1; kind < CTL_EVIDENCE_COUNT; kind++) {
		if (!(s->a.mask & REFUND_EVIDENCE_BIT(kind)))
			continue;
		snprintf(ref, sizeof(ref), "doc-%s-%d", refund_case_id(cs), ++n);
		if (refund_case_attach(cs, &act, kind, ref) != 0) {
			fail(d, ctl_action_label(d->c, REFUND_ACTION_ATTACH));
			return -1;
		}
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s",
				n > 1 ? CTL_TEXT(d->c, ", ", "、") : "", ctl_evidence_label(d->c, kind));
	}
	say(d, who, ctl_action_label(d->c, REFUND_ACTION_ATTACH), line);
	return 0;
}

static int tick(demo *d)
{
	refund_tick_result r = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
	char outcome[128];
	int i;

	d->nnotes = 0;
	if (refund_engine_tick(d->c->engine, d->c->now, 0, &r) != 0) {
		fail(d, CTL_TEXT(d->c, "tick", "期限检查"));
		return -1;
	}
	if (r.reminders + r.consequences == 0)
		snprintf(outcome, sizeof(outcome), "%s", CTL_TEXT(d->c, "nothing due", "无到期事项"));
	else
		snprintf(outcome, sizeof(outcome), CTL_TEXT(d->c, "%zu reminder%s, %zu consequence%s",
				"提醒 %zu 次%.0s，到期处理 %zu 次%.0s"), r.reminders,
				r.reminders == 1 ? "" : "s", r.consequences, r.consequences == 1 ? "" : "s");
	say(d, ctl_role_label(d->c, REFUND_ROLE_SYSTEM), CTL_TEXT(d->c, "tick", "期限检查"),
			outcome);
	for (i = 0; i < d->nnotes; i++)
		print_lines(OUTCOME_COLUMN, d->notes[i]);
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
		fail(d, CTL_TEXT(d->c, "load", "读取退款案件"));
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
		snprintf(line, DEMO_NOTE_MAX, CTL_TEXT(d->c, "%s: reminder, %s due %s%s",
				"%s：提醒，%s期限 %s%s"), n->id, ctl_state_label(d->c, n->from_state),
				when(n->deadline, due, sizeof(due)),
				n->overdue ? CTL_TEXT(d->c, " (passed)", "（已过）") : "");
	else if (n->from_state == n->to_state)
		snprintf(line, DEMO_NOTE_MAX, CTL_TEXT(d->c, "%s: %s (stays %s)", "%s：%s（仍为%s）"),
				n->id, ctl_action_label(d->c, n->action),
				ctl_state_label(d->c, n->to_state));
	else
		snprintf(line, DEMO_NOTE_MAX, CTL_TEXT(d->c, "%s: %s, %s -> %s", "%s：%s，%s -> %s"),
				n->id, ctl_action_label(d->c, n->action),
				ctl_state_label(d->c, n->from_state), ctl_state_label(d->c, n->to_state));
}

/* ---- setting up ----------------------------------------------------------- */

/* The demo's policies, in the text form of docs/policies/README.md. */
static const char *const policies[] = {
	"policy pos-standard\n"
	"currency CNY\n"
	"window 730 days after contract_end\n"
	"tier 0 days -> 80%\n"
	"tier 365 days -> 100%\n"
	"deduct damaged 20%\n"
	"deduct not_returned 100%\n"
	"deduct missing_part 30.00\n"
	"fee 10.00 + 1% min 10.00 max 50.00\n"
	"installments 3 every 1 month\n"
	"deadline under_review 2 business days in CN then escalate remind 4 hours before\n"
	"deadline awaiting_documents 5 days in CN then expire remind 1 day before\n"
	"deadline device_return 15 days in CN then expire remind 1 day before\n"
	"deadline payout 3 business days in CN then escalate\n"
	"deadline paid 7 days in CN then close\n"
	"escalate to regulator consumer_association\n",

	"policy pos-rental\n"
	"currency CNY\n"
	"return not_required\n"
	"installments 3 every 1 month\n"
	"deadline payout 40 days in CN then escalate\n"
	"deadline paid 7 days in CN then close\n",
};

static int publish_policies(demo *d)
{
	refund_policy *p = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(policies) / sizeof(policies[0]); i++) {
		if ((rc = refund_policy_parse(d->c->engine, &p, policies[i],
				strlen(policies[i]))) == 0)
			rc = refund_policy_publish(p, "A-Chen", REFUND_ROLE_ADMIN);
		refund_policy_free(p);
		p = NULL;
	}
	return rc;
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
		char outcome[160], who[64];
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
			fail(d, CTL_TEXT(d->c, "deposit add", "登记押金"));
			return rc;
		}
		snprintf(outcome, sizeof(outcome), CTL_TEXT(d->c, "%s %s CNY from %s, terminal %s, %"
				PRId64 " days in service", "%s %s CNY，商户 %s，终端 %s，已使用 %" PRId64
				" 天"), x->id, x->amount, x->holder, x->serial, x->days);
		who_is(d, x->agent, REFUND_ROLE_AGENT, who, sizeof(who));
		say(d, who, CTL_TEXT(d->c, "deposit", "押金"), outcome);
	}
	return 0;
}

static int setup(demo *d)
{
	const char *policy = CTL_TEXT(d->c, "policy", "退款政策");
	char who[64];

	set_clock(d, "2025-03-03T09:00+08:00");
	fputs(CTL_TEXT(d->c, "== setting up ==\n", "== 准备工作 ==\n"), stdout);
	if (publish_policies(d) != 0) {
		fail(d, CTL_TEXT(d->c, "policy publish", "发布退款政策"));
		return -1;
	}
	who_is(d, "A-Chen", REFUND_ROLE_ADMIN, who, sizeof(who));
	say(d, who, policy, CTL_TEXT(d->c, "pos-standard v1: terminal returned and inspected, "
			"damage 20%, 30.00 per missing part,", "pos-standard 第 1 版：终端须退还并检查，"
			"损坏扣 20%，每缺一个配件扣 30.00，"));
	print_lines(OUTCOME_COLUMN, CTL_TEXT(d->c, "fee 10.00 + 1% (10.00..50.00), review in 2 "
			"China business days or escalate,\ndocuments in 5 days or expire, 80% below a "
			"year of use", "手续费 10.00 + 1%（10.00..50.00），2 个中国工作日内审核，"
			"否则升级投诉，\n补充材料限 5 天，否则过期；使用不满一年退 80%"));
	say(d, who, policy, CTL_TEXT(d->c, "pos-rental v1: no return, up to 3 monthly "
			"installments, closes 7 days after payout", "pos-rental 第 1 版：无需退还终端，"
			"最多分 3 期按月退款，付款后 7 天自动结案"));
	if (ctl_set_default_policy(d->c, "pos-standard") != 0) {
		d->failed = 1;
		return -1;
	}
	return add_deposits(d);
}

/* ---- the stories -------------------------------------------------------- */

#define STORY_STEPS 16

typedef struct demo_story {
	const char *title, *title_zh;
	const char *at;            /* when the applicant opens the case */
	const char *id, *deposit, *policy;
	int reason;
	const char *applicant;
	demo_step steps[STORY_STEPS];  /* up to the first with no time and no actor */
	void (*end)(demo *d, refund_case *cs);  /* then, on the case loaded again */
} demo_story;

/* A tick of the deadlines at @p time. */
#define TICK(time) { .at = time }

#define EVIDENCE(kind) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##kind)
#define BASIC_EVIDENCE (EVIDENCE(RECEIPT) | EVIDENCE(CONTRACT) | EVIDENCE(PAYMENT_RECORD))

static void dispute_end(demo *d, refund_case *cs)
{
	printf(CTL_TEXT(d->c, "  %16s  case CASE-2 is %s; deposit DEP-1002 is free for a new "
			"application\n", "  %16s  退款案件 CASE-2 状态：%s；押金 DEP-1002 可重新提出申请\n"),
			"", ctl_state_label(d->c, refund_case_state(cs)));
}

static void review_overdue_end(demo *d, refund_case *cs)
{
	uint32_t esc = refund_case_escalations(cs), bit;

	printf(CTL_TEXT(d->c, "  %16s  case CASE-3 is still %s, escalated to:",
			"  %16s  退款案件 CASE-3 仍处于%s状态，已升级投诉至："), "",
			ctl_state_label(d->c, refund_case_state(cs)));
	for (bit = 1; bit <= REFUND_PARTY_LEGAL; bit <<= 1)
		if (esc & bit)
			printf(" %s", ctl_party_label(d->c, bit));
	printf("\n");
}

static void installments_end(demo *d, refund_case *cs)
{
	int i;

	printf(CTL_TEXT(d->c, "  %16s  case CASE-4 is %s (the applicant never confirmed)\n",
			"  %16s  退款案件 CASE-4 状态：%s（申请人始终未确认收款）\n"), "",
			ctl_state_label(d->c, refund_case_state(cs)));
	for (i = 1; i <= refund_case_part_count(cs); i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };
		char m[REFUND_MONEY_FORMAT_MAX];

		refund_case_part(cs, i, &p);
		printf(CTL_TEXT(d->c, "  %16s  part %d: %s CNY, %d attempt%s, ref %s\n",
				"  %16s  第 %d 期：%s CNY，尝试 %d 次%.0s，凭证 %s\n"), "", i,
				ctl_money(d->c, "CNY", p.amount, m, sizeof(m)), p.attempts,
				p.attempts == 1 ? "" : "s", p.reference ? p.reference : "-");
	}
}

static const demo_story stories[] = {
	{ "1. device fault: the terminal comes back damaged",
		"1. 设备故障：退回的终端有损坏", "2025-03-03T10:00+08:00",
		"CASE-1", "DEP-1001", "pos-standard", REFUND_REASON_DEVICE_FAULT, "M-1001", {
		{ .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_SUBMIT },
			.refused = "receipt, contract, payment record and fault report are missing",
			.refused_zh = "缺少押金收据、合同协议、支付凭证和故障报告单" },
		{ .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_ATTACH,
				.mask = BASIC_EVIDENCE | EVIDENCE(FAULT_REPORT) } },
		{ .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_SUBMIT, .account = { REFUND_ACCOUNT_VERSION,
				REFUND_PAYOUT_BANK, "Zhang Wei", "6222020200112233445", "ICBC" } } },
		{ .at = "2025-03-03T14:00+08:00", .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_START_REVIEW } },
		{ .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_APPROVE, .amount_text = "485.00" },
			.refused = "an applicant cannot approve",
			.refused_zh = "申请人不能批准" },
		{ .at = "2025-03-04T10:00+08:00", .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_APPROVE, .amount_text = "485.00" },
			.note = "fault confirmed by phone" },
		{ .at = "2025-03-10T15:00+08:00", .as = "AG-7:agent",
			.a = { .action = REFUND_ACTION_RECEIVE_DEVICE, .text = "SF1234567890" } },
		{ .at = "2025-03-11T11:00+08:00", .as = "AG-7:agent",
			.a = { .action = REFUND_ACTION_INSPECT, .number = REFUND_GRADE_DAMAGED,
				.number2 = 1 },
			.note = "cracked screen, charger missing" },
		{ .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_OFFER, .number = 1 },
			.quote = 1 },
		{ .at = "2025-03-12T09:00+08:00", .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_ACCEPT } },
		{ .at = "2025-03-13T10:00+08:00", .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY, .number = 1, .text = "BANK-TX-7781" } },
		{ .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY, .number = 1, .text = "BANK-TX-7782" },
			.refused = "a part is paid once",
			.refused_zh = "每期只付款一次" },
		{ .at = "2025-03-14T18:00+08:00", .as = "M-1001:applicant",
			.a = { .action = REFUND_ACTION_CONFIRM },
			.note = "received, thanks" } },
		NULL },
	{ "2. transaction dispute: a document never comes",
		"2. 交易纠纷：要求补充的材料始终未到", "2025-04-01T10:00+08:00",
		"CASE-2", "DEP-1002", "pos-standard", REFUND_REASON_TRANSACTION_DISPUTE, "M-1002", {
		{ .as = "M-1002:applicant",
			.a = { .action = REFUND_ACTION_ATTACH,
				.mask = BASIC_EVIDENCE | EVIDENCE(TRANSACTION_RECORDS) } },
		{ .as = "M-1002:applicant",
			.a = { .action = REFUND_ACTION_SUBMIT, .account = { REFUND_ACCOUNT_VERSION,
				REFUND_PAYOUT_ALIPAY, "Li Na", "13800138000", NULL } } },
		{ .at = "2025-04-01T15:00+08:00", .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_START_REVIEW } },
		{ .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_REQUEST_DOCUMENTS, .mask = EVIDENCE(OTHER) },
			.note = "screenshots unreadable: send the bank statement for March" },
		TICK("2025-04-05T16:00+08:00"),
		TICK("2025-04-06T16:00+08:00") },
		dispute_end },
	{ "3. a review nobody finishes: National Day in the way",
		"3. 无人完成的审核：遇上国庆假期", "2025-09-30T10:00+08:00",
		"CASE-3", "DEP-1003", "pos-standard", REFUND_REASON_SERVICE, "M-1003", {
		{ .as = "M-1003:applicant",
			.a = { .action = REFUND_ACTION_ATTACH,
				.mask = BASIC_EVIDENCE | EVIDENCE(SERVICE_EVALUATION) } },
		{ .as = "M-1003:applicant",
			.a = { .action = REFUND_ACTION_SUBMIT, .account = { REFUND_ACCOUNT_VERSION,
				REFUND_PAYOUT_WECHAT, "Wang Fang", "wangfang_88", NULL } } },
		{ .at = "2025-09-30T16:00+08:00", .as = "R-Zhao:reviewer",
			.a = { .action = REFUND_ACTION_START_REVIEW },
			.aside = "2 business days: October 1-8 are the National Day holiday, so the\n"
				"review is due on the second working day after it",
			.aside_zh = "2 个工作日：10 月 1 日至 8 日为国庆假期，\n"
				"审核期限为假期后的第二个工作日" },
		TICK("2025-10-09T09:00+08:00"),
		TICK("2025-10-10T13:00+08:00"),
		TICK("2025-10-10T17:00+08:00") },
		review_overdue_end },
	{ "4. installments: a payout fails and is retried",
		"4. 分期退款：一次付款失败后重试", "2025-05-06T10:00+08:00",
		"CASE-4", "DEP-1004", "pos-rental", REFUND_REASON_NEEDS_CHANGED, "M-1004", {
		{ .as = "M-1004:applicant",
			.a = { .action = REFUND_ACTION_ATTACH, .mask = BASIC_EVIDENCE } },
		{ .as = "M-1004:applicant",
			.a = { .action = REFUND_ACTION_SUBMIT, .account = { REFUND_ACCOUNT_VERSION,
				REFUND_PAYOUT_BANK, "Chen Jie", "6217000010002000300",
				"China Construction Bank" } } },
		{ .at = "2025-05-07T10:00+08:00", .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_START_REVIEW } },
		{ .as = "R-Li:reviewer",
			.a = { .action = REFUND_ACTION_APPROVE, .amount_text = "1200.00" } },
		{ .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_OFFER, .number = 3 },
			.note = "three monthly parts" },
		{ .as = "M-1004:applicant",
			.a = { .action = REFUND_ACTION_ACCEPT } },
		{ .at = "2025-05-08T10:00+08:00", .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY, .number = 1, .text = "BANK-TX-9001" } },
		{ .at = "2025-06-08T10:00+08:00", .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY_FAILED, .number = 2,
				.text = "bank system fault (系统故障)" } },
		{ .at = "2025-06-09T10:00+08:00", .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY, .number = 2, .text = "BANK-TX-9002-R" },
			.note = "retried" },
		{ .at = "2025-07-08T10:00+08:00", .as = "F-Wang:finance",
			.a = { .action = REFUND_ACTION_PAY, .number = 3, .text = "BANK-TX-9003" } },
		TICK("2025-07-16T10:00+08:00") },
		installments_end },
};

static int open_case(demo *d, refund_case **cs, const demo_story *s)
{
	refund_act act = REFUND_ACT_INIT;
	char who[64], outcome[160];

	act.actor = s->applicant;
	act.role = REFUND_ROLE_APPLICANT;
	if (refund_case_open(d->c->engine, cs, s->id, s->deposit, s->policy, 0, s->reason,
			&act) != 0) {
		fail(d, ctl_action_label(d->c, REFUND_ACTION_OPEN));
		return -1;
	}
	who_is(d, s->applicant, REFUND_ROLE_APPLICANT, who, sizeof(who));
	snprintf(outcome, sizeof(outcome), CTL_TEXT(d->c, "%s for %s: %s -> %s",
			"%s，押金 %s：%s -> %s"), s->id, s->deposit, ctl_reason_label(d->c, s->reason),
			ctl_state_label(d->c, REFUND_STATE_DRAFT));
	say(d, who, ctl_action_label(d->c, REFUND_ACTION_OPEN), outcome);
	return 0;
}

static void show_quote(demo *d, refund_case *cs)
{
	char text[2048];

	if (refund_case_explain(cs, d->c->lang, text, sizeof(text)) != 0)
		return;
	fputs(CTL_TEXT(d->c, "       quote for the applicant:\n", "       给申请人的报价说明：\n"),
			stdout);
	print_lines(9, text);
}

static int run_step(demo *d, refund_case *cs, const demo_step *s)
{
	int rc;

	if (s->at)
		set_clock(d, s->at);
	if (!s->as)
		return tick(d);
	if (s->a.action == REFUND_ACTION_ATTACH)
		return attach_all(d, cs, s);
	if ((rc = step(d, cs, s)) != 0)
		return rc;
	if (s->quote)
		show_quote(d, cs);
	if (s->aside)
		print_lines(WHO_COLUMN, CTL_TEXT(d->c, s->aside, s->aside_zh));
	return 0;
}

/* A story stops at the first step that fails where it should not. */
static void tell(demo *d, const demo_story *s)
{
	refund_case *cs = NULL;
	const demo_step *st;
	int rc = 0;

	printf("\n== %s ==\n", CTL_TEXT(d->c, s->title, s->title_zh));
	set_clock(d, s->at);
	if (open_case(d, &cs, s) != 0)
		return;
	for (st = s->steps; rc == 0 && st < s->steps + STORY_STEPS && (st->at || st->as); st++)
		rc = run_step(d, cs, st);
	if (rc == 0 && s->end && reload(d, &cs) == 0)
		s->end(d, cs);
	refund_case_free(cs);
}

/* ---- the end: ledgers and audit chains ---------------------------------- */

static void final_ledgers(demo *d)
{
	static const char *const cases[] = { "CASE-1", "CASE-2", "CASE-3", "CASE-4" };
	size_t i, ok = 0;

	fputs(CTL_TEXT(d->c, "\n== the ledgers: held = refunded + deducted + remaining ==\n",
			"\n== 台账：押金 = 已退还 + 已扣款 + 余额 ==\n"), stdout);
	for (i = 0; i < sizeof(deposits) / sizeof(deposits[0]); i++) {
		refund_deposit *dep = NULL;
		refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
		char h[REFUND_MONEY_FORMAT_MAX], r[REFUND_MONEY_FORMAT_MAX];
		char x[REFUND_MONEY_FORMAT_MAX], m[REFUND_MONEY_FORMAT_MAX];

		if (refund_deposit_load(d->c->engine, &dep, deposits[i].id) != 0) {
			fail(d, CTL_TEXT(d->c, "deposit load", "读取押金"));
			continue;
		}
		refund_deposit_balance(dep, &b);
		printf(CTL_TEXT(d->c, "%s (%s): held %s = refunded %s + deducted %s + remaining %s\n",
				"%s（%s）：押金 %s = 已退还 %s + 已扣款 %s + 余额 %s\n"),
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
	printf(CTL_TEXT(d->c, "\naudit chains: %zu of %zu cases verify (SHA-256, every event)\n",
			"\n审计链：%zu/%zu 个退款案件验证通过（SHA-256，逐条事件）\n"), ok,
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
	size_t i;
	int nargs, rc;

	memset(&d, 0, sizeof(d));
	d.c = c;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (c->db_given) {
		if (stat(c->db_path, &st) == 0) {
			fprintf(stderr, CTL_TEXT(c, "refundctl demo: %s exists already\nhint: the demo "
					"needs a new database: name a file that does not exist, or leave out "
					"--db\n", "refundctl demo：%s 已存在\n提示: 演示需要新的数据库："
					"请指定一个不存在的文件，或不用 --db\n"), c->db_path);
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
		printf(CTL_TEXT(c, "librefund %s demo: every time below is China time (UTC+08:00)\n\n",
				"librefund %s 演示：以下时间均为北京时间（UTC+08:00）\n\n"),
				refund_version());
		if (setup(&d) == 0) {
			for (i = 0; i < sizeof(stories) / sizeof(stories[0]); i++)
				tell(&d, &stories[i]);
			final_ledgers(&d);
		}
		if (c->db_given)
			printf(CTL_TEXT(c, "\nthe database is kept in %s: try refundctl --db %s case "
					"show CASE-1\n", "\n数据库保存在 %s：可以试试 refundctl --db %s case "
					"show CASE-1\n"), c->db_path, c->db_path);
		rc = d.failed ? CTL_EXIT_OTHER : 0;
	}
	ctl_close(c);
	if (!c->db_given && dir[0])
		remove_scratch(dir, path);
	return rc;
}
