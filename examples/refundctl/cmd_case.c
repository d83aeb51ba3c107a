/*
 * case open|attach|submit|review|request-docs|provide-docs|approve|reject|
 * appeal|receive-device|inspect|set-offset|offer|accept|pay|pay-failed|
 * confirm|withdraw|escalate|reevaluate: each one committed transition of
 * the library's workflow.  show, list and quote are in case_view.c.
 *
 * Every action loads the case, acts, and on a conflict (someone else moved
 * the case first) or a busy database loads it again and retries: the
 * library checks the action against the case as it now is, so a retried
 * payout cannot pay a part twice.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "refundctl.h"

/* What can be done with a case in each state: the clerk's next step. */
static const struct {
	int state;
	const char *en, *zh;   /* formats taking the case id twice */
} next_steps[] = {
	{ REFUND_STATE_DRAFT,
		"the applicant attaches the documents (refundctl case attach %s KIND REF), "
		"then submits (refundctl case submit %s --name NAME --account NUMBER)",
		"申请人补充材料（refundctl case attach %s 类型 引用），然后提交"
		"（refundctl case submit %s --name 姓名 --account 账号）" },
	{ REFUND_STATE_SUBMITTED,
		"a reviewer takes it: refundctl case review %s --as NAME:reviewer%.0s",
		"由审核人员受理：refundctl case review %s --as 姓名:reviewer%.0s" },
	{ REFUND_STATE_UNDER_REVIEW,
		"a reviewer decides: refundctl case approve|reject|request-docs %s%.0s",
		"审核人员决定：refundctl case approve|reject|request-docs %s%.0s" },
	{ REFUND_STATE_AWAITING_DOCUMENTS,
		"the applicant attaches what was asked for, then: refundctl case provide-docs %s%.0s",
		"申请人补交所要求的材料后：refundctl case provide-docs %s%.0s" },
	{ REFUND_STATE_DEVICE_RETURN,
		"when the terminal arrives: refundctl case receive-device %s%.0s",
		"收到退回的终端后：refundctl case receive-device %s%.0s" },
	{ REFUND_STATE_INSPECTION,
		"record the inspection: refundctl case inspect %s --grade GRADE%.0s",
		"登记检查结果：refundctl case inspect %s --grade 等级%.0s" },
	{ REFUND_STATE_AGREEMENT,
		"offer the terms (refundctl case offer %s --parts N), then the applicant "
		"accepts (refundctl case accept %s)",
		"提出退款协议（refundctl case offer %s --parts 期数），然后申请人确认"
		"（refundctl case accept %s）" },
	{ REFUND_STATE_PAYOUT,
		"finance pays each part: refundctl case pay %s --part N --ref REF "
		"(or pay-failed)%.0s",
		"财务逐期付款：refundctl case pay %s --part 期号 --ref 流水号"
		"（失败时用 pay-failed）%.0s" },
	{ REFUND_STATE_PAID,
		"the applicant confirms receipt: refundctl case confirm %s%.0s",
		"申请人确认收款：refundctl case confirm %s%.0s" },
	{ REFUND_STATE_REJECTED,
		"the applicant may appeal before the deadline: refundctl case appeal %s%.0s",
		"申请人可在期限内申诉：refundctl case appeal %s%.0s" },
};

/* Suggest what can be done with a case now. */
void ctl_next_steps(ctl *c, FILE *out, const refund_case *cs)
{
	const char *id = refund_case_id(cs);
	size_t i;

	fputs(CTL_TEXT(c, "next: ", "下一步: "), out);
	for (i = 0; i < sizeof(next_steps) / sizeof(next_steps[0]); i++) {
		const char *format = CTL_TEXT(c, next_steps[i].en, next_steps[i].zh);

		/* Never NULL; saying so keeps gcc -fsanitize=undefined from
		 * warning of a "null format string". */
		if (next_steps[i].state == refund_case_state(cs) && format) {
			fprintf(out, format, id, id);
			fputc('\n', out);
			return;
		}
	}
	fputs(CTL_TEXT(c, "nothing: the case is final\n", "无：案件已结束\n"), out);
}

/* After a failed action: the case's state and what it still lacks. */
static void explain_failure(ctl *c, int rc, const refund_case *cs)
{
	if (!cs || (rc != REFUND_ESTATE && rc != REFUND_EEVIDENCE && rc != REFUND_EDENIED &&
			rc != REFUND_EDEADLINE && rc != REFUND_EBALANCE))
		return;
	fprintf(stderr, CTL_TEXT(c, "case %s is %s", "案件 %s 当前状态：%s"),
			refund_case_id(cs), ctl_state_label(c, refund_case_state(cs)));
	if (refund_case_missing_evidence(cs)) {
		fputs(CTL_TEXT(c, "; missing evidence: ", "；缺少材料："), stderr);
		ctl_evidence_list(c, stderr, refund_case_missing_evidence(cs));
	}
	fputc('\n', stderr);
	ctl_next_steps(c, stderr, cs);
}

/* Fill what depends on the loaded case: amounts in its currency, parts. */
static int prepare(ctl *c, refund_case *cs, ctl_action *a)
{
	refund_quote q = { REFUND_QUOTE_VERSION, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	int rc, i, n;

	if (a->action == REFUND_ACTION_APPROVE || a->action == REFUND_ACTION_SET_OFFSET) {
		if ((rc = refund_case_quote(cs, &q)) != 0)
			return ctl_fail(c, rc, CTL_TEXT(c, "case %s: quote", "退款案件 %s：报价"),
					refund_case_id(cs));
		if (!a->amount_text)
			a->amount = q.net;
		else if ((rc = ctl_parse_money(c, a->action == REFUND_ACTION_APPROVE ? "--amount"
				: "--owed", q.currency, a->amount_text, &a->amount)) != 0)
			return rc;
	}
	if ((a->action == REFUND_ACTION_PAY || a->action == REFUND_ACTION_PAY_FAILED) &&
			a->number == 0) {
		n = refund_case_part_count(cs);
		a->number = n > 0 ? n : 1;
		for (i = n; i >= 1; i--) {
			refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

			if (refund_case_part(cs, i, &p) == 0 && p.status != REFUND_PART_PAID)
				a->number = i;
		}
	}
	return 0;
}

int ctl_apply(refund_case *cs, const refund_act *act, const ctl_action *a)
{
	switch (a->action) {
	case REFUND_ACTION_ATTACH:
		return refund_case_attach(cs, act, a->number, a->text);
	case REFUND_ACTION_SUBMIT:
		return refund_case_submit(cs, act, &a->account);
	case REFUND_ACTION_START_REVIEW:
		return refund_case_start_review(cs, act);
	case REFUND_ACTION_REQUEST_DOCUMENTS:
		return refund_case_request_documents(cs, act, a->mask);
	case REFUND_ACTION_PROVIDE_DOCUMENTS:
		return refund_case_provide_documents(cs, act);
	case REFUND_ACTION_APPROVE:
		return refund_case_approve(cs, act, a->amount);
	case REFUND_ACTION_REJECT:
		return refund_case_reject(cs, act, a->number, a->text);
	case REFUND_ACTION_APPEAL:
		return refund_case_appeal(cs, act);
	case REFUND_ACTION_RECEIVE_DEVICE:
		return refund_case_receive_device(cs, act, a->text);
	case REFUND_ACTION_INSPECT:
		return refund_case_inspect(cs, act, a->number, a->number2);
	case REFUND_ACTION_SET_OFFSET:
		return refund_case_set_offset(cs, act, a->amount);
	case REFUND_ACTION_OFFER:
		return refund_case_offer(cs, act, a->number);
	case REFUND_ACTION_ACCEPT:
		return refund_case_accept(cs, act);
	case REFUND_ACTION_PAY:
		return refund_case_pay(cs, act, a->number, a->text);
	case REFUND_ACTION_PAY_FAILED:
		return refund_case_pay_failed(cs, act, a->number, a->text);
	case REFUND_ACTION_CONFIRM:
		return refund_case_confirm(cs, act);
	case REFUND_ACTION_WITHDRAW:
		return refund_case_withdraw(cs, act);
	case REFUND_ACTION_ESCALATE:
		return refund_case_escalate(cs, act, a->number);
	case REFUND_ACTION_REEVALUATE:
		return refund_case_reevaluate(cs, act, a->policy_version);
	default:
		return REFUND_EINVAL;
	}
}

static void print_done(ctl *c, refund_case *cs, int from, const ctl_action *a)
{
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	char when[REFUND_TIME_FORMAT_MAX];
	int to = refund_case_state(cs);

	if (c->json) {
		ctl_case_json_out(c, cs, 1);
		return;
	}
	printf(CTL_TEXT(c, "case %s: %s", "退款案件 %s：%s"), refund_case_id(cs),
			ctl_action_label(c, a->action));
	if (a->action == REFUND_ACTION_PAY || a->action == REFUND_ACTION_PAY_FAILED)
		printf(CTL_TEXT(c, " part %d", " 第 %d 期"), a->number);
	if (from != to)
		printf(CTL_TEXT(c, ": %s -> %s", "：%s -> %s"), ctl_state_label(c, from),
				ctl_state_label(c, to));
	else
		printf(CTL_TEXT(c, " (%s)", "（%s）"), ctl_state_label(c, to));
	if (refund_case_next_deadline(cs, &dl) == 0)
		printf(CTL_TEXT(c, "; %s due %s", "；%s期限 %s"), ctl_state_label(c, dl.state),
				ctl_time(c, dl.due, when, sizeof(when)));
	putchar('\n');
	if (refund_case_missing_evidence(cs) && to <= REFUND_STATE_AWAITING_DOCUMENTS) {
		fputs(CTL_TEXT(c, "still missing: ", "仍缺少材料："), stdout);
		ctl_evidence_list(c, stdout, refund_case_missing_evidence(cs));
		putchar('\n');
	}
}

/*
 * Whether the stored case is newer than the handle an action failed on: then
 * the failure may come from the stale handle (the library reads the deposit
 * fresh, so a payout another clerk just made shows as "exceeds the
 * remaining"), and the action is tried again on the case as it now is.
 */
static int moved_on(ctl *c, const refund_case *cs)
{
	refund_case *now = NULL;
	int moved;

	if (refund_case_load(c->engine, &now, refund_case_id(cs)) != 0)
		return 0;
	moved = refund_case_version(now) != refund_case_version(cs);
	refund_case_free(now);
	return moved;
}

/* Load, act, retry on conflicts; report the outcome. */
static int run_action(ctl *c, const char *case_id, ctl_action *a)
{
	refund_case *cs = NULL;
	refund_act act = REFUND_ACT_INIT;
	int rc, attempt, from = 0;

	if ((rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	ctl_act(c, &act);
	for (attempt = 0;; attempt++) {
		if ((rc = refund_case_load(c->engine, &cs, case_id)) != 0) {
			if (ctl_retryable(rc) && attempt < CTL_RETRIES) {
				ctl_backoff(c, attempt, rc);
				continue;
			}
			return ctl_fail(c, rc, CTL_TEXT(c, "case %s", "退款案件 %s"), case_id);
		}
		from = refund_case_state(cs);
		if ((rc = prepare(c, cs, a)) != 0) {
			refund_case_free(cs);
			return rc;
		}
		rc = ctl_apply(cs, &act, a);
		if (rc != 0 && !ctl_retryable(rc) && attempt < CTL_RETRIES && moved_on(c, cs))
			rc = REFUND_ECONFLICT;
		if (!ctl_retryable(rc) || attempt >= CTL_RETRIES)
			break;
		refund_case_free(cs);
		cs = NULL;
		ctl_backoff(c, attempt, rc);
	}
	if (rc != 0) {
		int code = ctl_fail(c, rc, CTL_TEXT(c, "case %s: %s", "退款案件 %s：%s"),
				case_id, ctl_action_label(c, a->action));

		explain_failure(c, rc, cs);
		refund_case_free(cs);
		return code;
	}
	print_done(c, cs, from, a);
	refund_case_free(cs);
	return 0;
}

/* ---- the commands ------------------------------------------------------ */

/* How an option's value is read. */
enum opt_kind {
	OPT_TEXT,                  /* as given */
	OPT_MONEY,                 /* as given: read in the case's currency once it is loaded */
	OPT_INT,                   /* a whole number from min to max */
	OPT_REASON,                /* a name from ctl_reason_names */
	OPT_REJECT,                /* ... ctl_reject_names */
	OPT_GRADE,                 /* ... ctl_grade_names */
	OPT_METHOD,                /* ... ctl_method_names */
	OPT_PARTY                  /* a third party: regulator, consumer_association, legal */
};

/* The names each named kind takes, and the answer to a name it does not. */
static const struct {
	const char *const *names;  /* NULL: parties, by ctl_party_from_name() */
	int count;
	const char *use;
} named[] = {
	[OPT_REASON] = { ctl_reason_names, CTL_REASON_COUNT, "device_fault, "
		"transaction_dispute, service, policy_change, needs_changed or fraud" },
	[OPT_REJECT] = { ctl_reject_names, CTL_REJECT_COUNT, "incomplete_evidence, "
		"outside_window, not_eligible, fraud_suspected or other" },
	[OPT_GRADE] = { ctl_grade_names, CTL_GRADE_COUNT, "fine, normal_wear or damaged" },
	[OPT_METHOD] = { ctl_method_names, CTL_METHOD_COUNT, "bank, alipay or wechat" },
	[OPT_PARTY] = { NULL, 0, "regulator, consumer_association or legal" },
};

/* Where an option's value goes in the ctl_action. */
enum opt_field {
	TO_TEXT, TO_AMOUNT, TO_NUMBER, TO_NUMBER2, TO_VERSION, TO_DEPOSIT, TO_POLICY,
	TO_METHOD, TO_HOLDER, TO_ACCOUNT, TO_BANK
};

/* The positional arguments after the case id. */
enum case_args {
	ARGS_NONE,                 /* CASE */
	ARGS_KIND_REF,             /* CASE KIND REFERENCE: one piece of evidence */
	ARGS_KINDS                 /* CASE KIND...: the evidence asked for */
};

#define CASE_OPTS 4

typedef struct case_opt {
	const char *name, *arg;
	int kind, field;
	int required;
	int64_t min, max;          /* OPT_INT */
	const char *def;           /* the value when the option is not given */
	const char *help;
} case_opt;

/* A case command: its command line, and the action it fills in. */
typedef struct case_cmd {
	const char *name, *alias;
	int action;
	const char *usage, *summary;
	int args;
	const char *missing;       /* the usage error when a required option is missing */
	case_opt opts[CASE_OPTS];  /* up to the first without a name */
} case_cmd;

static const case_cmd case_cmds[] = {
	{ "open", NULL, REFUND_ACTION_OPEN,
		"CASE --deposit ID --reason REASON [--policy ID[@VERSION]]",
		"Open a refund application for a deposit; a deposit has at most one open case\n"
		"(roles: applicant, agent, admin).", ARGS_NONE,
		"--deposit and --reason are required", {
		{ "--deposit", "ID", OPT_TEXT, TO_DEPOSIT, 1, 0, 0, NULL,
			"the deposit to refund (required)" },
		{ "--reason", "REASON", OPT_REASON, TO_NUMBER, 1, 0, 0, NULL, "device_fault, "
			"transaction_dispute, service, policy_change, needs_changed or fraud (required)" },
		{ "--policy", "ID[@V]", OPT_TEXT, TO_POLICY, 0, 0, 0, NULL,
			"the policy (default: the default policy, latest)" } } },
	{ "attach", NULL, REFUND_ACTION_ATTACH, "CASE KIND REFERENCE",
		"Attach evidence (证明材料).  KIND: receipt, contract, payment_record, "
		"fault_report,\ntransaction_records, service_evaluation, government_document, "
		"police_report,\nother.  REFERENCE says where the document is (file id, hash, "
		"URL).\nRoles: applicant, agent.", ARGS_KIND_REF, NULL, { { 0 } } },
	{ "submit", NULL, REFUND_ACTION_SUBMIT,
		"CASE --name NAME --account NUMBER [--method M] [--bank BANK]",
		"Submit the application with the payout account; the evidence the policy "
		"requires\nmust be attached (roles: applicant, agent).", ARGS_NONE,
		"--name and --account are required", {
		{ "--method", "METHOD", OPT_METHOD, TO_METHOD, 0, 0, 0, "bank",
			"bank (default), alipay or wechat" },
		{ "--name", "NAME", OPT_TEXT, TO_HOLDER, 1, 0, 0, NULL,
			"the account holder's name (required)" },
		{ "--account", "NUMBER", OPT_TEXT, TO_ACCOUNT, 1, 0, 0, NULL,
			"account number, phone, e-mail or WeChat id (required)" },
		{ "--bank", "BANK", OPT_TEXT, TO_BANK, 0, 0, 0, NULL,
			"the bank's name (required for bank transfers)" } } },
	{ "review", "start-review", REFUND_ACTION_START_REVIEW, "CASE",
		"A reviewer takes a submitted case (roles: reviewer, admin).", ARGS_NONE, NULL,
		{ { 0 } } },
	{ "request-docs", NULL, REFUND_ACTION_REQUEST_DOCUMENTS, "CASE KIND...",
		"Ask the applicant for documents: the review clock pauses and the documents'\n"
		"deadline starts.  Say what is wrong with --note (roles: reviewer, admin).",
		ARGS_KINDS, NULL, { { 0 } } },
	{ "provide-docs", NULL, REFUND_ACTION_PROVIDE_DOCUMENTS, "CASE",
		"The requested documents are attached: back to review (roles: applicant, agent).",
		ARGS_NONE, NULL, { { 0 } } },
	{ "approve", NULL, REFUND_ACTION_APPROVE, "CASE [--amount AMOUNT]",
		"Approve a refund of at most the quote's net; the case goes to the device "
		"return\nor straight to the agreement (roles: reviewer, admin).", ARGS_NONE, NULL, {
		{ "--amount", "AMOUNT", OPT_MONEY, TO_AMOUNT, 0, 0, 0, NULL,
			"the amount approved (default: the quote's net)" } } },
	{ "reject", NULL, REFUND_ACTION_REJECT, "CASE --reason REASON --text TEXT",
		"Reject the application; it may be appealed until the deadline "
		"(roles: reviewer, admin).", ARGS_NONE, "--reason and --text are required", {
		{ "--reason", "REASON", OPT_REJECT, TO_NUMBER, 1, 0, 0, NULL, "incomplete_evidence, "
			"outside_window, not_eligible, fraud_suspected or other (required)" },
		{ "--text", "TEXT", OPT_TEXT, TO_TEXT, 1, 0, 0, NULL,
			"the explanation the applicant reads (required)" } } },
	{ "appeal", NULL, REFUND_ACTION_APPEAL, "CASE",
		"Appeal a rejection; give the grounds with --note (roles: applicant, agent).",
		ARGS_NONE, NULL, { { 0 } } },
	{ "receive-device", NULL, REFUND_ACTION_RECEIVE_DEVICE, "CASE [--tracking NUMBER]",
		"The terminal came back (roles: agent, reviewer, admin).", ARGS_NONE, NULL, {
		{ "--tracking", "NUMBER", OPT_TEXT, TO_TEXT, 0, 0, 0, NULL,
			"the logistics tracking number" } } },
	{ "inspect", NULL, REFUND_ACTION_INSPECT, "CASE --grade GRADE [--missing-parts N]",
		"Record the inspection; the policy fixes the deductions (normal wear is never\n"
		"deducted).  Roles: agent, reviewer, admin.", ARGS_NONE, "--grade is required", {
		{ "--grade", "GRADE", OPT_GRADE, TO_NUMBER, 1, 0, 0, NULL,
			"fine, normal_wear or damaged (required)" },
		{ "--missing-parts", "N", OPT_INT, TO_NUMBER2, 0, 0, 100, NULL,
			"parts not returned, 0 to 100 (default 0)" } } },
	{ "set-offset", NULL, REFUND_ACTION_SET_OFFSET, "CASE --owed AMOUNT",
		"Record outstanding service fees to offset against the refund, if the policy\n"
		"allows offsets (roles: finance, admin).", ARGS_NONE, "--owed is required", {
		{ "--owed", "AMOUNT", OPT_MONEY, TO_AMOUNT, 1, 0, 0, NULL,
			"service fees the holder still owes (required)" } } },
	{ "offer", NULL, REFUND_ACTION_OFFER, "CASE [--parts N]",
		"Offer the agreement's terms: the approved amount less deductions, in N parts\n"
		"(roles: reviewer, finance, admin).", ARGS_NONE, NULL, {
		{ "--parts", "N", OPT_INT, TO_NUMBER, 0, 1, REFUND_POLICY_MAX_PARTS, "1",
			"installments (default 1), up to the policy's maximum" } } },
	{ "accept", NULL, REFUND_ACTION_ACCEPT, "CASE",
		"The applicant accepts the offered terms; deductions and fees are posted "
		"and payout begins (role: applicant).", ARGS_NONE, NULL, { { 0 } } },
	{ "pay", NULL, REFUND_ACTION_PAY, "CASE --ref REF [--part N]",
		"A payout part reached the applicant: posted to the ledger as a refund.  A part\n"
		"is paid once (role: finance).", ARGS_NONE, "--ref is required", {
		{ "--part", "N", OPT_INT, TO_NUMBER, 0, 1, REFUND_POLICY_MAX_PARTS, NULL,
			"the part paid (default: the first unpaid)" },
		{ "--ref", "REF", OPT_TEXT, TO_TEXT, 1, 0, 0, NULL,
			"the payment's reference (required)" } } },
	{ "pay-failed", NULL, REFUND_ACTION_PAY_FAILED, "CASE --reason TEXT [--part N]",
		"A payout part failed; nothing leaves the ledger and the part is retried with\n"
		"\"case pay\" (role: finance).", ARGS_NONE, "--reason is required", {
		{ "--part", "N", OPT_INT, TO_NUMBER, 0, 1, REFUND_POLICY_MAX_PARTS, NULL,
			"the part that failed (default: the first unpaid)" },
		{ "--reason", "TEXT", OPT_TEXT, TO_TEXT, 1, 0, 0, NULL,
			"why it failed (required)" } } },
	{ "confirm", NULL, REFUND_ACTION_CONFIRM, "CASE",
		"The applicant confirms receipt: the case closes (role: applicant).", ARGS_NONE,
		NULL, { { 0 } } },
	{ "withdraw", NULL, REFUND_ACTION_WITHDRAW, "CASE",
		"The applicant withdraws before payout; say why with --note "
		"(roles: applicant, agent).", ARGS_NONE, NULL, { { 0 } } },
	{ "escalate", NULL, REFUND_ACTION_ESCALATE, "CASE --party PARTY",
		"Escalate to a third party (第三方), for example when the agent is unreachable;\n"
		"say why with --note (roles: applicant, reviewer, admin).", ARGS_NONE,
		"--party is required", {
		{ "--party", "PARTY", OPT_PARTY, TO_NUMBER, 1, 0, 0, NULL,
			"regulator, consumer_association or legal (required)" } } },
	{ "reevaluate", NULL, REFUND_ACTION_REEVALUATE, "CASE [--policy-version N]",
		"Re-evaluate under a newer version of the case's policy; both versions are kept\n"
		"in the audit trail (roles: reviewer, admin).", ARGS_NONE, NULL, {
		{ "--policy-version", "N", OPT_INT, TO_VERSION, 0, 1, UINT32_MAX, NULL,
			"the newer version (default: the latest)" } } },
};

static const case_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(case_cmds) / sizeof(case_cmds[0]); i++)
		if (strcmp(case_cmds[i].name, name) == 0 ||
				(case_cmds[i].alias && strcmp(case_cmds[i].alias, name) == 0))
			return &case_cmds[i];
	return NULL;
}

/* Put an option's value, as text or as the number read from it, where it goes. */
static void put(ctl_action *a, int field, const char *text, int64_t n)
{
	switch (field) {
	case TO_TEXT: a->text = text; break;
	case TO_AMOUNT: a->amount_text = text; break;
	case TO_NUMBER: a->number = (int)n; break;
	case TO_NUMBER2: a->number2 = (int)n; break;
	case TO_VERSION: a->policy_version = (uint32_t)n; break;
	case TO_DEPOSIT: a->deposit = text; break;
	case TO_POLICY: a->policy = text; break;
	case TO_METHOD: a->account.method = (int)n; break;
	case TO_HOLDER: a->account.name = text; break;
	case TO_ACCOUNT: a->account.number = text; break;
	case TO_BANK: a->account.bank = text; break;
	}
}

static int take_option(ctl *c, const case_opt *o, const char *value, ctl_action *a)
{
	int64_t n = 0;
	int party;

	switch (o->kind) {
	case OPT_TEXT:
	case OPT_MONEY:
		break;
	case OPT_INT:
		if (ctl_parse_int(c, o->name, value, o->min, o->max, &n) != 0)
			return CTL_EXIT_INVALID;
		break;
	default:
		if (named[o->kind].names)
			n = ctl_name_lookup(named[o->kind].names, named[o->kind].count, value);
		else if (ctl_party_from_name(value, &party) == 0)
			n = party;
		if (!n)
			return ctl_invalid(c, "%s \"%s\": use %s", o->name, value, named[o->kind].use);
	}
	put(a, o->field, value, n);
	return 0;
}

static int evidence_kind(ctl *c, const char *name, int *out)
{
	*out = ctl_name_lookup(ctl_evidence_names, CTL_EVIDENCE_COUNT, name);
	if (*out)
		return 0;
	ctl_invalid(c, "unknown evidence \"%s\"", name);
	fputs("evidence kinds: ", stderr);
	ctl_list_names(stderr, ctl_evidence_names, CTL_EVIDENCE_COUNT);
	fputc('\n', stderr);
	return CTL_EXIT_INVALID;
}

/* The evidence after the case id: one kind and its reference, or kinds asked for. */
static int take_args(ctl *c, const case_cmd *cmd, const char **args, int nargs,
		ctl_action *a)
{
	int i, kind, rc;

	for (i = 1; i < nargs; i++) {
		if (cmd->args == ARGS_KIND_REF && i == 2) {
			a->text = args[i];
			continue;
		}
		if ((rc = evidence_kind(c, args[i], &kind)) != 0)
			return rc;
		if (cmd->args == ARGS_KIND_REF)
			a->number = kind;
		else
			a->mask |= REFUND_EVIDENCE_BIT(kind);
	}
	return 0;
}

/* Parse and check a case command's line into @p a; args[0] is the case id. */
static int parse_case_cmd(ctl *c, const case_cmd *cmd, int argc, char **argv,
		const char **args, ctl_action *a)
{
	static const int min_args[] = { 1, 3, 2 }, max_args[] = { 1, 3, CTL_EVIDENCE_COUNT };
	const char *values[CASE_OPTS];
	ctl_opt opts[CASE_OPTS + 1];
	ctl_spec spec = { cmd->usage, cmd->summary, min_args[cmd->args], max_args[cmd->args],
		opts };
	int i, n, nargs, rc, missing = 0;

	memset(opts, 0, sizeof(opts));
	for (n = 0; n < CASE_OPTS && cmd->opts[n].name; n++) {
		const case_opt *o = &cmd->opts[n];
		ctl_opt take = { o->name, o->arg, &values[n], o->help };

		opts[n] = take;
		values[n] = o->def;
	}
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		missing |= cmd->opts[i].required && !values[i];
	if (missing)
		return ctl_usage_error(c, "%s", cmd->missing);
	for (i = 0; i < n; i++)
		if (values[i] && (rc = take_option(c, &cmd->opts[i], values[i], a)) != 0)
			return rc;
	return take_args(c, cmd, args, nargs, a);
}

static int open_case(ctl *c, const char *case_id, ctl_action *a)
{
	char policy_id[CTL_ID_BUF];
	uint32_t version = 0;
	refund_case *cs = NULL;
	refund_act act = REFUND_ACT_INIT;
	int rc, attempt;

	if ((rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	if (a->policy) {
		if ((rc = ctl_parse_policy_ref(c, a->policy, policy_id, sizeof(policy_id),
				&version)) != 0)
			return rc;
	} else if (ctl_default_policy(c, policy_id, sizeof(policy_id)) != 0) {
		return ctl_usage_error(c, "no default policy: give --policy ID or load one with "
				"\"refundctl policy load FILE\"");
	}
	ctl_act(c, &act);
	for (attempt = 0;; attempt++) {
		rc = refund_case_open(c->engine, &cs, case_id, a->deposit, policy_id, version,
				a->number, &act);
		if (!ctl_retryable(rc) || attempt >= CTL_RETRIES)
			break;
		ctl_backoff(c, attempt, rc);
	}
	if (rc != 0)
		return ctl_fail(c, rc, CTL_TEXT(c, "case %s: open for deposit %s",
				"退款案件 %s：为押金 %s 开案"), case_id, a->deposit);
	if (c->json) {
		ctl_case_json_out(c, cs, 1);
	} else {
		printf(CTL_TEXT(c, "case %s opened for deposit %s (%s, policy %s)\n",
				"已开立退款案件 %s，押金 %s（%s，退款政策 %s）\n"), case_id,
				a->deposit, ctl_reason_label(c, a->number), policy_id);
		fputs(CTL_TEXT(c, "needs: ", "所需材料："), stdout);
		ctl_evidence_list(c, stdout, refund_case_missing_evidence(cs));
		putchar('\n');
	}
	refund_case_free(cs);
	return 0;
}

/* Every case command but show, list and quote. */
static int case_command(ctl *c, int argc, char **argv)
{
	const case_cmd *cmd = find_cmd(c->command + strlen("case "));
	const char *args[1 + CTL_EVIDENCE_COUNT];
	ctl_action a;
	int rc;

	if (!cmd)
		return CTL_EXIT_OTHER;
	memset(&a, 0, sizeof(a));
	a.action = cmd->action;
	a.account.version = REFUND_ACCOUNT_VERSION;
	if ((rc = parse_case_cmd(c, cmd, argc, argv, args, &a)) != 0)
		return rc;
	if (cmd->action == REFUND_ACTION_OPEN)
		return open_case(c, args[0], &a);
	return run_action(c, args[0], &a);
}

int cmd_case(ctl *c, int argc, char **argv)
{
	static const ctl_sub subs[] = {
		{ "open", case_command, "open an application for a deposit" },
		{ "attach", case_command, "attach evidence" },
		{ "submit", case_command, "submit with the payout account" },
		{ "review", case_command, "a reviewer takes the case" },
		{ "start-review", case_command, "the same as review" },
		{ "request-docs", case_command, "ask the applicant for documents" },
		{ "provide-docs", case_command, "the documents asked for are attached" },
		{ "approve", case_command, "approve an amount" },
		{ "reject", case_command, "reject with a reason" },
		{ "appeal", case_command, "appeal a rejection" },
		{ "receive-device", case_command, "the terminal came back" },
		{ "inspect", case_command, "record the inspection" },
		{ "set-offset", case_command, "record fees to offset" },
		{ "offer", case_command, "offer the agreement's terms" },
		{ "accept", case_command, "the applicant accepts the terms" },
		{ "pay", case_command, "a payout part reached the applicant" },
		{ "pay-failed", case_command, "a payout part failed" },
		{ "confirm", case_command, "the applicant confirms receipt" },
		{ "withdraw", case_command, "the applicant withdraws" },
		{ "escalate", case_command, "escalate to a third party" },
		{ "reevaluate", case_command, "re-evaluate under a newer policy" },
		{ "quote", case_quote, "what would be refunded, and why" },
		{ "show", case_show, "the case, its timeline, quote and deadline" },
		{ "list", case_list, "list cases" },
		{ NULL, NULL, NULL }
	};

	return ctl_dispatch(c, "case", subs, argc, argv);
}
