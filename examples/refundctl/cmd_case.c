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
	int zh = c->lang == REFUND_LANG_ZH_CN;
	size_t i;

	fputs(zh ? "下一步: " : "next: ", out);
	for (i = 0; i < sizeof(next_steps) / sizeof(next_steps[0]); i++) {
		const char *format = zh ? next_steps[i].zh : next_steps[i].en;

		if (next_steps[i].state == refund_case_state(cs) && format) {
			fprintf(out, format, id, id);
			fputc('\n', out);
			return;
		}
	}
	fputs(zh ? "无：案件已结束\n" : "nothing: the case is final\n", out);
}

/* After a failed action: the case's state and what it still lacks. */
static void explain_failure(ctl *c, int rc, const refund_case *cs)
{
	if (!cs || (rc != REFUND_ESTATE && rc != REFUND_EEVIDENCE && rc != REFUND_EDENIED &&
			rc != REFUND_EDEADLINE && rc != REFUND_EBALANCE))
		return;
	fprintf(stderr, c->lang == REFUND_LANG_ZH_CN ? "案件 %s 当前状态：%s" : "case %s is %s",
			refund_case_id(cs), refund_case_state_name(refund_case_state(cs)));
	if (refund_case_missing_evidence(cs)) {
		fputs(c->lang == REFUND_LANG_ZH_CN ? "；缺少材料：" : "; missing evidence: ", stderr);
		ctl_evidence_list(stderr, refund_case_missing_evidence(cs));
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
			return ctl_fail(c, rc, "case %s: quote", refund_case_id(cs));
		if (!a->amount_text)
			a->amount = q.net;
		else if ((rc = ctl_parse_money(c, a->action == REFUND_ACTION_APPROVE ? "--amount"
				: "--owed", q.currency, a->amount_text, &a->amount)) != 0)
			return rc;
	}
	if ((a->action == REFUND_ACTION_PAY || a->action == REFUND_ACTION_PAY_FAILED) &&
			!a->part_given) {
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
	ctl_json j;

	if (c->json) {
		json_init(&j, stdout);
		ctl_case_json(c, &j, cs, 1);
		json_end(&j);
		return;
	}
	printf("case %s: %s", refund_case_id(cs), refund_case_action_name(a->action));
	if (a->action == REFUND_ACTION_PAY || a->action == REFUND_ACTION_PAY_FAILED)
		printf(" part %d", a->number);
	if (from != to)
		printf(": %s -> %s", refund_case_state_name(from), refund_case_state_name(to));
	else
		printf(" (%s)", refund_case_state_name(to));
	if (refund_case_next_deadline(cs, &dl) == 0)
		printf("; %s due %s", refund_case_state_name(dl.state),
				ctl_time(c, dl.due, when, sizeof(when)));
	putchar('\n');
	if (refund_case_missing_evidence(cs) && to <= REFUND_STATE_AWAITING_DOCUMENTS) {
		printf("still missing: ");
		ctl_evidence_list(stdout, refund_case_missing_evidence(cs));
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
			return ctl_fail(c, rc, "case %s", case_id);
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
		int code = ctl_fail(c, rc, "case %s: %s", case_id,
				refund_case_action_name(a->action));

		explain_failure(c, rc, cs);
		refund_case_free(cs);
		return code;
	}
	print_done(c, cs, from, a);
	refund_case_free(cs);
	return 0;
}

/* ---- the commands ------------------------------------------------------ */

static int simple(ctl *c, int argc, char **argv, int action, const char *summary)
{
	const char *args[1];
	const ctl_opt opts[] = { { NULL, NULL, NULL, NULL } };
	const ctl_spec spec = { "CASE", summary, 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = action;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	return run_action(c, args[0], &a);
}

static int case_review(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_START_REVIEW,
			"A reviewer takes a submitted case (roles: reviewer, admin).");
}

static int case_provide_docs(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_PROVIDE_DOCUMENTS,
			"The requested documents are attached: back to review (roles: applicant, agent).");
}

static int case_appeal(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_APPEAL,
			"Appeal a rejection; give the grounds with --note (roles: applicant, agent).");
}

static int case_accept(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_ACCEPT,
			"The applicant accepts the offered terms; deductions and fees are posted "
			"and payout begins (role: applicant).");
}

static int case_confirm(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_CONFIRM,
			"The applicant confirms receipt: the case closes (role: applicant).");
}

static int case_withdraw(ctl *c, int argc, char **argv)
{
	return simple(c, argc, argv, REFUND_ACTION_WITHDRAW,
			"The applicant withdraws before payout; say why with --note "
			"(roles: applicant, agent).");
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

static int case_attach(ctl *c, int argc, char **argv)
{
	const ctl_spec spec = { "CASE KIND REFERENCE",
		"Attach evidence (证明材料).  KIND: receipt, contract, payment_record, "
		"fault_report,\ntransaction_records, service_evaluation, government_document, "
		"police_report,\nother.  REFERENCE says where the document is (file id, hash, "
		"URL).\nRoles: applicant, agent.", 3, 3, NULL };
	const char *all[3];
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_ATTACH;
	if ((rc = ctl_parse(c, argc, argv, &spec, all, &nargs)) != 0 ||
			(rc = evidence_kind(c, all[1], &a.number)) != 0)
		return rc;
	a.text = all[2];
	return run_action(c, all[0], &a);
}

static int case_submit(ctl *c, int argc, char **argv)
{
	const char *method = "bank", *name = NULL, *account = NULL, *bank = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--method", "METHOD", &method, "bank (default), alipay or wechat" },
		{ "--name", "NAME", &name, "the account holder's name (required)" },
		{ "--account", "NUMBER", &account, "account number, phone, e-mail or WeChat id (required)" },
		{ "--bank", "BANK", &bank, "the bank's name (required for bank transfers)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --name NAME --account NUMBER [--method M] [--bank BANK]",
		"Submit the application with the payout account; the evidence the policy "
		"requires\nmust be attached (roles: applicant, agent).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_SUBMIT;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!name || !account)
		return ctl_usage_error(c, "--name and --account are required");
	a.account.version = REFUND_ACCOUNT_VERSION;
	a.account.method = ctl_name_lookup(ctl_method_names, CTL_METHOD_COUNT, method);
	if (!a.account.method)
		return ctl_invalid(c, "--method \"%s\": use bank, alipay or wechat", method);
	a.account.name = name;
	a.account.number = account;
	a.account.bank = bank;
	return run_action(c, args[0], &a);
}

static int case_request_docs(ctl *c, int argc, char **argv)
{
	const char *args[1 + CTL_EVIDENCE_COUNT];
	const ctl_spec spec = { "CASE KIND...",
		"Ask the applicant for documents: the review clock pauses and the documents'\n"
		"deadline starts.  Say what is wrong with --note (roles: reviewer, admin).",
		2, CTL_EVIDENCE_COUNT, NULL };
	ctl_action a;
	int nargs, rc, i, kind;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_REQUEST_DOCUMENTS;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	for (i = 1; i < nargs; i++) {
		if ((rc = evidence_kind(c, args[i], &kind)) != 0)
			return rc;
		a.mask |= REFUND_EVIDENCE_BIT(kind);
	}
	return run_action(c, args[0], &a);
}

static int case_approve(ctl *c, int argc, char **argv)
{
	const char *amount = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--amount", "AMOUNT", &amount, "the amount approved (default: the quote's net)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE [--amount AMOUNT]",
		"Approve a refund of at most the quote's net; the case goes to the device "
		"return\nor straight to the agreement (roles: reviewer, admin).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_APPROVE;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	a.amount_text = amount;
	return run_action(c, args[0], &a);
}

static int case_reject(ctl *c, int argc, char **argv)
{
	const char *reason = NULL, *text = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--reason", "REASON", &reason, "incomplete_evidence, outside_window, not_eligible, "
			"fraud_suspected or other (required)" },
		{ "--text", "TEXT", &text, "the explanation the applicant reads (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --reason REASON --text TEXT",
		"Reject the application; it may be appealed until the deadline "
		"(roles: reviewer, admin).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_REJECT;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!reason || !text)
		return ctl_usage_error(c, "--reason and --text are required");
	if (!(a.number = ctl_name_lookup(ctl_reject_names, CTL_REJECT_COUNT, reason)))
		return ctl_invalid(c, "--reason \"%s\": use incomplete_evidence, outside_window, "
				"not_eligible, fraud_suspected or other", reason);
	a.text = text;
	return run_action(c, args[0], &a);
}

static int case_receive_device(ctl *c, int argc, char **argv)
{
	const char *tracking = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--tracking", "NUMBER", &tracking, "the logistics tracking number" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE [--tracking NUMBER]",
		"The terminal came back (roles: agent, reviewer, admin).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_RECEIVE_DEVICE;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	a.text = tracking;
	return run_action(c, args[0], &a);
}

static int case_inspect(ctl *c, int argc, char **argv)
{
	const char *grade = NULL, *missing = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--grade", "GRADE", &grade, "fine, normal_wear or damaged (required)" },
		{ "--missing-parts", "N", &missing, "parts not returned, 0 to 100 (default 0)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --grade GRADE [--missing-parts N]",
		"Record the inspection; the policy fixes the deductions (normal wear is never\n"
		"deducted).  Roles: agent, reviewer, admin.", 1, 1, opts };
	ctl_action a;
	int64_t n = 0;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_INSPECT;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!grade)
		return ctl_usage_error(c, "--grade is required");
	if (!(a.number = ctl_name_lookup(ctl_grade_names, CTL_GRADE_COUNT, grade)))
		return ctl_invalid(c, "--grade \"%s\": use fine, normal_wear or damaged", grade);
	if (missing && (rc = ctl_parse_int(c, "--missing-parts", missing, 0, 100, &n)) != 0)
		return rc;
	a.number2 = (int)n;
	return run_action(c, args[0], &a);
}

static int case_set_offset(ctl *c, int argc, char **argv)
{
	const char *owed = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--owed", "AMOUNT", &owed, "service fees the holder still owes (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --owed AMOUNT",
		"Record outstanding service fees to offset against the refund, if the policy\n"
		"allows offsets (roles: finance, admin).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_SET_OFFSET;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!owed)
		return ctl_usage_error(c, "--owed is required");
	a.amount_text = owed;
	return run_action(c, args[0], &a);
}

static int case_offer(ctl *c, int argc, char **argv)
{
	const char *parts = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--parts", "N", &parts, "installments (default 1), up to the policy's maximum" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE [--parts N]",
		"Offer the agreement's terms: the approved amount less deductions, in N parts\n"
		"(roles: reviewer, finance, admin).", 1, 1, opts };
	ctl_action a;
	int64_t n = 1;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_OFFER;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(parts && (rc = ctl_parse_int(c, "--parts", parts, 1, REFUND_POLICY_MAX_PARTS,
				&n)) != 0))
		return rc;
	a.number = (int)n;
	return run_action(c, args[0], &a);
}

static int pay_common(ctl *c, int argc, char **argv, int action)
{
	const char *part = NULL, *text = NULL, *args[1];
	const ctl_opt pay_opts[] = {
		{ "--part", "N", &part, "the part paid (default: the first unpaid)" },
		{ "--ref", "REF", &text, "the payment's reference (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_opt failed_opts[] = {
		{ "--part", "N", &part, "the part that failed (default: the first unpaid)" },
		{ "--reason", "TEXT", &text, "why it failed (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec pay_spec = { "CASE --ref REF [--part N]",
		"A payout part reached the applicant: posted to the ledger as a refund.  A part\n"
		"is paid once (role: finance).", 1, 1, pay_opts };
	const ctl_spec failed_spec = { "CASE --reason TEXT [--part N]",
		"A payout part failed; nothing leaves the ledger and the part is retried with\n"
		"\"case pay\" (role: finance).", 1, 1, failed_opts };
	int is_pay = action == REFUND_ACTION_PAY;
	ctl_action a;
	int64_t n = 0;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = action;
	if ((rc = ctl_parse(c, argc, argv, is_pay ? &pay_spec : &failed_spec, args,
			&nargs)) != 0)
		return rc;
	if (!text)
		return ctl_usage_error(c, "%s is required", is_pay ? "--ref" : "--reason");
	if (part && (rc = ctl_parse_int(c, "--part", part, 1, REFUND_POLICY_MAX_PARTS, &n)) != 0)
		return rc;
	a.part_given = part != NULL;
	a.number = (int)n;
	a.text = text;
	return run_action(c, args[0], &a);
}

static int case_pay(ctl *c, int argc, char **argv)
{
	return pay_common(c, argc, argv, REFUND_ACTION_PAY);
}

static int case_pay_failed(ctl *c, int argc, char **argv)
{
	return pay_common(c, argc, argv, REFUND_ACTION_PAY_FAILED);
}

static int case_escalate(ctl *c, int argc, char **argv)
{
	const char *party = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--party", "PARTY", &party, "regulator, consumer_association or legal (required)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --party PARTY",
		"Escalate to a third party (第三方), for example when the agent is unreachable;\n"
		"say why with --note (roles: applicant, reviewer, admin).", 1, 1, opts };
	ctl_action a;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_ESCALATE;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!party)
		return ctl_usage_error(c, "--party is required");
	if (ctl_party_from_name(party, &a.number) != 0)
		return ctl_invalid(c, "--party \"%s\": use regulator, consumer_association or legal",
				party);
	return run_action(c, args[0], &a);
}

static int case_reevaluate(ctl *c, int argc, char **argv)
{
	const char *version = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--policy-version", "N", &version, "the newer version (default: the latest)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE [--policy-version N]",
		"Re-evaluate under a newer version of the case's policy; both versions are kept\n"
		"in the audit trail (roles: reviewer, admin).", 1, 1, opts };
	ctl_action a;
	int64_t n = 0;
	int nargs, rc;

	memset(&a, 0, sizeof(a));
	a.action = REFUND_ACTION_REEVALUATE;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(version && (rc = ctl_parse_int(c, "--policy-version", version, 1, UINT32_MAX,
				&n)) != 0))
		return rc;
	a.policy_version = (uint32_t)n;
	return run_action(c, args[0], &a);
}

static int case_open(ctl *c, int argc, char **argv)
{
	const char *deposit = NULL, *reason = NULL, *policy = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--deposit", "ID", &deposit, "the deposit to refund (required)" },
		{ "--reason", "REASON", &reason, "device_fault, transaction_dispute, service, "
			"policy_change, needs_changed or fraud (required)" },
		{ "--policy", "ID[@V]", &policy, "the policy (default: the default policy, latest)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "CASE --deposit ID --reason REASON [--policy ID[@VERSION]]",
		"Open a refund application for a deposit; a deposit has at most one open case\n"
		"(roles: applicant, agent, admin).", 1, 1, opts };
	char policy_id[CTL_ID_BUF];
	uint32_t version = 0;
	refund_case *cs = NULL;
	refund_act act = REFUND_ACT_INIT;
	int nargs, rc, why, attempt;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0)
		return rc;
	if (!deposit || !reason)
		return ctl_usage_error(c, "--deposit and --reason are required");
	if (!(why = ctl_name_lookup(ctl_reason_names, CTL_REASON_COUNT, reason)))
		return ctl_invalid(c, "--reason \"%s\": use device_fault, transaction_dispute, "
				"service, policy_change, needs_changed or fraud", reason);
	if ((rc = ctl_need_actor(c)) != 0 || (rc = ctl_open(c, 0)) != 0)
		return rc;
	if (policy) {
		if ((rc = ctl_parse_policy_ref(c, policy, policy_id, sizeof(policy_id),
				&version)) != 0)
			return rc;
	} else if (ctl_default_policy(c, policy_id, sizeof(policy_id)) != 0) {
		return ctl_usage_error(c, "no default policy: give --policy ID or load one with "
				"\"refundctl policy load FILE\"");
	}
	ctl_act(c, &act);
	for (attempt = 0;; attempt++) {
		rc = refund_case_open(c->engine, &cs, args[0], deposit, policy_id, version, why,
				&act);
		if (!ctl_retryable(rc) || attempt >= CTL_RETRIES)
			break;
		ctl_backoff(c, attempt, rc);
	}
	if (rc != 0)
		return ctl_fail(c, rc, "case %s: open for deposit %s", args[0], deposit);
	if (c->json) {
		ctl_json j;

		json_init(&j, stdout);
		ctl_case_json(c, &j, cs, 1);
		json_end(&j);
	} else {
		printf("case %s opened for deposit %s (%s, policy %s)\n", args[0], deposit,
				ctl_reason_names[why], policy_id);
		printf("needs: ");
		ctl_evidence_list(stdout, refund_case_missing_evidence(cs));
		putchar('\n');
	}
	refund_case_free(cs);
	return 0;
}

int cmd_case(ctl *c, int argc, char **argv)
{
	static const ctl_sub subs[] = {
		{ "open", case_open, "open an application for a deposit" },
		{ "attach", case_attach, "attach evidence" },
		{ "submit", case_submit, "submit with the payout account" },
		{ "review", case_review, "a reviewer takes the case" },
		{ "start-review", case_review, "the same as review" },
		{ "request-docs", case_request_docs, "ask the applicant for documents" },
		{ "provide-docs", case_provide_docs, "the documents asked for are attached" },
		{ "approve", case_approve, "approve an amount" },
		{ "reject", case_reject, "reject with a reason" },
		{ "appeal", case_appeal, "appeal a rejection" },
		{ "receive-device", case_receive_device, "the terminal came back" },
		{ "inspect", case_inspect, "record the inspection" },
		{ "set-offset", case_set_offset, "record fees to offset" },
		{ "offer", case_offer, "offer the agreement's terms" },
		{ "accept", case_accept, "the applicant accepts the terms" },
		{ "pay", case_pay, "a payout part reached the applicant" },
		{ "pay-failed", case_pay_failed, "a payout part failed" },
		{ "confirm", case_confirm, "the applicant confirms receipt" },
		{ "withdraw", case_withdraw, "the applicant withdraws" },
		{ "escalate", case_escalate, "escalate to a third party" },
		{ "reevaluate", case_reevaluate, "re-evaluate under a newer policy" },
		{ "quote", case_quote, "what would be refunded, and why" },
		{ "show", case_show, "the case, its timeline, quote and deadline" },
		{ "list", case_list, "list cases" },
		{ NULL, NULL, NULL }
	};

	return ctl_dispatch(c, "case", subs, argc, argv);
}
