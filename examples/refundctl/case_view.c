/*
 * case show|list|quote: a case's state, evidence, payout parts, quote,
 * deadline and timeline (every event, with each deadline met or missed),
 * as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "refundctl.h"

/* The explanation refund_case_explain() writes always fits in 2048 bytes. */
#define EXPLAIN_MAX 2048

static refund_time engine_now(ctl *c)
{
	refund_time now = 0;

	refund_engine_now(c->engine, &now);
	return now;
}

/* ---- quote -------------------------------------------------------------- */

static int quote_of(refund_case *cs, refund_quote *q)
{
	memset(q, 0, sizeof(*q));
	q->version = REFUND_QUOTE_VERSION;
	return refund_case_quote(cs, q);
}

static void json_quote(ctl *c, ctl_json *j, const refund_quote *q)
{
	const char *cur = q->currency;

	json_open(j, '{');
	json_kstr(j, "currency", cur);
	json_kmoney(j, c, "remaining", cur, q->remaining);
	json_kint(j, "tier_bp", q->tier_bp);
	json_kmoney(j, c, "gross", cur, q->gross);
	json_kmoney(j, c, "forfeited", cur, q->forfeited);
	json_kmoney(j, c, "damage", cur, q->damage);
	json_kmoney(j, c, "missing_parts", cur, q->missing_parts);
	json_kmoney(j, c, "fee", cur, q->fee);
	json_kmoney(j, c, "offset", cur, q->offset);
	json_kmoney(j, c, "net", cur, q->net);
	if (q->approved < 0) {
		json_key(j, "approved");
		json_null(j);
	} else {
		json_kmoney(j, c, "approved", cur, q->approved);
	}
	json_close(j, '}');
}

/* One line of the quote: the label, then @p value right-aligned to column 29. */
static void quote_line(const ctl *c, const char *en, const char *zh, const char *value)
{
	ctl_field(c, en, zh);
	printf(" %*s\n", ctl_pad(value, 12), value);
}

static void print_quote(ctl *c, const refund_quote *q)
{
	static const char *const labels[][2] = { { "remaining", "押金余额" },
		{ "gross", "可退金额" }, { "forfeited", "不予退还" }, { "damage", "损坏赔偿" },
		{ "missing parts", "配件缺失" }, { "handling fee", "手续费" },
		{ "offset", "抵扣服务费用" }, { "net", "预计退还" } };
	const int64_t values[] = { q->remaining, q->gross, q->forfeited, q->damage,
		q->missing_parts, q->fee, q->offset, q->net };
	char m[REFUND_MONEY_FORMAT_MAX], tier[32];
	size_t i;

	printf(CTL_TEXT(c, "quote (%s):\n", "退款报价（%s）：\n"), q->currency);
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (i == 1) {
			snprintf(tier, sizeof(tier), "%d.%02d%%", q->tier_bp / 100, q->tier_bp % 100);
			quote_line(c, "usage tier", "使用档位", tier);
		}
		quote_line(c, labels[i][0], labels[i][1], ctl_money(c, q->currency, values[i], m,
				sizeof(m)));
	}
	quote_line(c, "approved", "审核批准", q->approved >= 0 ? ctl_money(c, q->currency,
			q->approved, m, sizeof(m)) : CTL_TEXT(c, "not yet", "尚未批准"));
}

/* ---- summary ------------------------------------------------------------ */

static int deadline_of(const refund_case *cs, refund_deadline *dl)
{
	memset(dl, 0, sizeof(*dl));
	dl->version = REFUND_DEADLINE_VERSION;
	return refund_case_next_deadline(cs, dl);
}

static void json_deadline(ctl *c, ctl_json *j, const refund_case *cs)
{
	refund_deadline dl;

	json_key(j, "deadline");
	if (deadline_of(cs, &dl) != 0) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_kstr(j, "state", refund_case_state_name(dl.state));
	json_ktime(j, c, "started", dl.started);
	json_ktime(j, c, "due", dl.due);
	json_ktime(j, c, "next", dl.next);
	json_kstr(j, "consequence", ctl_name_of(ctl_consequence_names, CTL_CONSEQUENCE_COUNT,
			dl.consequence));
	json_kbool(j, "overdue", dl.due <= engine_now(c));
	json_kint(j, "seconds_left", dl.due - engine_now(c));
	json_close(j, '}');
}

static void json_parts(ctl *c, ctl_json *j, const refund_case *cs, const char *cur)
{
	int i, n = refund_case_part_count(cs);

	json_key(j, "parts");
	json_open(j, '[');
	for (i = 1; i <= n; i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

		if (refund_case_part(cs, i, &p) != 0)
			continue;
		json_open(j, '{');
		json_kint(j, "part", i);
		json_kmoney(j, c, "amount", cur, p.amount);
		json_ktime(j, c, "due", p.due);
		json_kstr(j, "status", ctl_part_status_name(p.status));
		json_kint(j, "attempts", p.attempts);
		json_kstr(j, "reference", p.reference);
		json_kstr(j, "failure", p.failure);
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void json_escalations(ctl_json *j, uint32_t mask)
{
	uint32_t bit;

	json_key(j, "escalations");
	json_open(j, '[');
	for (bit = 1; bit <= REFUND_PARTY_LEGAL; bit <<= 1)
		if (mask & bit)
			json_str(j, ctl_party_name(bit));
	json_close(j, ']');
}

static int is_final(int state)
{
	return state == REFUND_STATE_CLOSED || state == REFUND_STATE_WITHDRAWN ||
		state == REFUND_STATE_EXPIRED;
}

static void json_summary(ctl *c, ctl_json *j, const refund_case *cs, const char *cur)
{
	uint32_t version = 0;
	const char *policy = refund_case_policy(cs, &version);

	json_kstr(j, "id", refund_case_id(cs));
	json_kstr(j, "deposit", refund_case_deposit_id(cs));
	json_kstr(j, "state", refund_case_state_name(refund_case_state(cs)));
	json_kbool(j, "final", is_final(refund_case_state(cs)));
	json_kstr(j, "reason", ctl_name_of(ctl_reason_names, CTL_REASON_COUNT,
			refund_case_reason(cs)));
	json_kstr(j, "policy", policy);
	json_kint(j, "policy_version", version);
	json_kint(j, "version", (int64_t)refund_case_version(cs));
	json_evidence(j, "evidence", refund_case_evidence(cs));
	json_evidence(j, "missing_evidence", refund_case_missing_evidence(cs));
	json_escalations(j, refund_case_escalations(cs));
	json_parts(c, j, cs, cur);
	json_deadline(c, j, cs);
}

/* ---- timeline ------------------------------------------------------------ */

typedef struct timeline {
	ctl *c;
	ctl_json *j;               /* NULL: text */
	const char *currency;
	int clock_state;           /* the state the running clock belongs to */
	refund_time clock_due;     /* its due time, or REFUND_TIME_NONE */
} timeline;

static void json_event(timeline *t, const refund_event *ev, int closes, int met)
{
	ctl_json *j = t->j;

	json_open(j, '{');
	json_kint(j, "seq", (int64_t)ev->seq);
	json_ktime(j, t->c, "at", ev->at);
	json_kstr(j, "actor", ev->actor);
	json_kstr(j, "role", refund_role_name(ev->role));
	json_kstr(j, "action", refund_case_action_name(ev->action));
	json_kstr(j, "from", ev->from ? refund_case_state_name(ev->from) : NULL);
	json_kstr(j, "to", refund_case_state_name(ev->to));
	if (ev->amount) {
		json_kmoney(j, t->c, "amount", t->currency, ev->amount);
	} else {
		json_key(j, "amount");
		json_null(j);
	}
	json_kstr(j, "reason", ev->reason);
	json_kstr(j, "note", ev->note);
	json_kint(j, "policy_version", ev->policy_version);
	json_kint(j, "policy_version_before", ev->policy_version_before);
	json_ktime(j, t->c, "deadline", ev->deadline);
	json_key(j, "closes_deadline");
	if (closes) {
		json_open(j, '{');
		json_kstr(j, "state", refund_case_state_name(t->clock_state));
		json_ktime(j, t->c, "due", t->clock_due);
		json_kbool(j, "met", met);
		json_close(j, '}');
	} else {
		json_null(j);
	}
	json_kstr(j, "prev_hash", ev->prev_hash);
	json_kstr(j, "hash", ev->hash);
	json_close(j, '}');
}

static void text_event(timeline *t, const refund_event *ev, int closes, int met)
{
	char when[REFUND_TIME_FORMAT_MAX], due[REFUND_TIME_FORMAT_MAX];
	char money[REFUND_MONEY_FORMAT_MAX], move[96], late[32];
	ctl *c = t->c;
	const char *action = ctl_action_label(c, ev->action);

	if (ev->from == ev->to)
		snprintf(move, sizeof(move), "(%s)", ctl_state_label(c, ev->to));
	else
		snprintf(move, sizeof(move), "%s -> %s", ev->from ?
				ctl_state_label(c, ev->from) : "", ctl_state_label(c, ev->to));
	printf(CTL_TEXT(c, "  %3" PRIu64 "  %s  %-*s %-*s %s (%s)\n",
			"  %3" PRIu64 "  %s  %-*s %-*s %s（%s）\n"), ev->seq,
			ctl_time(c, ev->at, when, sizeof(when)), ctl_pad(action, 17), action,
			ctl_pad(move, 34), move, ev->actor, ctl_role_label(c, ev->role));
	if (ev->amount)
		printf(CTL_TEXT(c, "%7s amount %s %s\n", "%7s 金额 %s %s\n"), "",
				ctl_money(c, t->currency, ev->amount, money, sizeof(money)), t->currency);
	if (ev->reason)
		printf(CTL_TEXT(c, "%7s reason: %s\n", "%7s 原因：%s\n"), "", ev->reason);
	if (ev->note)
		printf(CTL_TEXT(c, "%7s note: %s\n", "%7s 备注：%s\n"), "", ev->note);
	if (ev->policy_version != ev->policy_version_before)
		printf(CTL_TEXT(c, "%7s policy %s version %u -> %u\n",
				"%7s 退款政策 %s 第 %u 版 -> 第 %u 版\n"), "", ev->policy_id,
				(unsigned)ev->policy_version_before, (unsigned)ev->policy_version);
	if (closes && met)
		printf(CTL_TEXT(c, "%7s %s deadline %s: met\n", "%7s %s期限 %s：按时完成\n"), "",
				ctl_state_label(c, t->clock_state),
				ctl_time(c, t->clock_due, due, sizeof(due)));
	else if (closes)
		printf(CTL_TEXT(c, "%7s %s deadline %s: missed by %s\n",
				"%7s %s期限 %s：逾期 %s\n"), "", ctl_state_label(c, t->clock_state),
				ctl_time(c, t->clock_due, due, sizeof(due)),
				ctl_duration(c, ev->at - t->clock_due, late, sizeof(late)));
	if (ev->deadline != REFUND_TIME_NONE && ev->from != ev->to)
		printf(CTL_TEXT(c, "%7s %s due %s\n", "%7s %s期限 %s\n"), "",
				ctl_state_label(c, ev->to), ctl_time(c, ev->deadline, due, sizeof(due)));
}

static int on_event(void *ctx, const refund_event *ev)
{
	timeline *t = ctx;
	/* A deadline ends when the case leaves its state, or when it fires. */
	int fired = ev->role == REFUND_ROLE_SYSTEM && ev->action != REFUND_ACTION_REMIND;
	int closes = (ev->from != ev->to || fired) && ev->from == t->clock_state &&
		t->clock_due != REFUND_TIME_NONE;
	/* A consequence the deadline fired means it was missed, even on the minute. */
	int met = closes && !fired && ev->at <= t->clock_due;

	if (t->j)
		json_event(t, ev, closes, met);
	else
		text_event(t, ev, closes, met);
	if (ev->deadline != REFUND_TIME_NONE) {
		t->clock_state = ev->to;
		t->clock_due = ev->deadline;
	} else {
		t->clock_state = 0;
		t->clock_due = REFUND_TIME_NONE;
	}
	return 0;
}

static int timeline_of(ctl *c, ctl_json *j, refund_case *cs, const char *cur)
{
	timeline t = { c, j, cur, 0, REFUND_TIME_NONE };

	return refund_case_events(cs, on_event, &t);
}

/* ---- JSON and text of a whole case --------------------------------------- */

/*
 * level 0: the summary (lists); 1: with the quote (after an action);
 * 2: with the explanation and every event (show).
 */
int ctl_case_json(ctl *c, ctl_json *j, refund_case *cs, int level)
{
	refund_quote q;
	char explain[EXPLAIN_MAX];
	int rc = 0, have_quote;

	have_quote = level >= 1 && quote_of(cs, &q) == 0;
	json_open(j, '{');
	json_summary(c, j, cs, have_quote ? q.currency : NULL);
	if (level >= 1) {
		json_key(j, "quote");
		if (have_quote)
			json_quote(c, j, &q);
		else
			json_null(j);
	}
	if (level >= 2) {
		json_key(j, "explanation");
		if (refund_case_explain(cs, c->lang, explain, sizeof(explain)) == 0)
			json_str(j, explain);
		else
			json_null(j);
		json_key(j, "events");
		json_open(j, '[');
		rc = timeline_of(c, j, cs, have_quote ? q.currency : NULL);
		json_close(j, ']');
	}
	json_close(j, '}');
	return rc;
}

/* The case as the whole JSON output. */
int ctl_case_json_out(ctl *c, refund_case *cs, int level)
{
	ctl_json j;
	int rc;

	json_init(&j, stdout);
	rc = ctl_case_json(c, &j, cs, level);
	json_end(&j);
	return rc;
}

static void print_parts(ctl *c, const refund_case *cs, const char *cur)
{
	char m[REFUND_MONEY_FORMAT_MAX], t[REFUND_TIME_FORMAT_MAX];
	int i, n = refund_case_part_count(cs);

	if (n == 0)
		return;
	fputs(CTL_TEXT(c, "payout parts:\n", "分期退款：\n"), stdout);
	for (i = 1; i <= n; i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };
		const char *status;

		if (refund_case_part(cs, i, &p) != 0)
			continue;
		status = ctl_part_status_label(c, p.status);
		printf(CTL_TEXT(c, "  %2d  %10s %s  due %s  %-*s  ",
				"  %2d  %10s %s  到期 %s  %-*s  "), i, ctl_money(c, cur, p.amount, m, sizeof(m)), cur ? cur : "",
				ctl_time(c, p.due, t, sizeof(t)), ctl_pad(status, 7), status);
		printf(CTL_TEXT(c, "%d attempt%s", "尝试 %d 次%.0s"), p.attempts,
				p.attempts == 1 ? "" : "s");
		if (p.reference)
			printf(CTL_TEXT(c, "  ref %s", "  凭证 %s"), p.reference);
		if (p.failure)
			printf(CTL_TEXT(c, "  last failure: %s", "  最近一次失败：%s"), p.failure);
		putchar('\n');
	}
}

static void print_deadline(ctl *c, const refund_case *cs)
{
	char due[REFUND_TIME_FORMAT_MAX], left[32];
	refund_deadline dl;
	int64_t diff;

	ctl_field(c, "deadline", "期限");
	if (deadline_of(cs, &dl) != 0) {
		fputs(CTL_TEXT(c, "none running\n", "无进行中的期限\n"), stdout);
		return;
	}
	diff = dl.due - engine_now(c);
	printf(CTL_TEXT(c, "%s due %s (%s %s), then %s\n", "%s期限 %s（%s %s），到期后%s\n"),
			ctl_state_label(c, dl.state), ctl_time(c, dl.due, due, sizeof(due)),
			diff < 0 ? CTL_TEXT(c, "missed, overdue by", "已逾期") : CTL_TEXT(c, "in", "还剩"),
			ctl_duration(c, diff, left, sizeof(left)),
			ctl_consequence_label(c, dl.consequence));
}

int ctl_case_print(ctl *c, refund_case *cs, int level)
{
	uint32_t version = 0, esc = refund_case_escalations(cs), bit;
	const char *policy = refund_case_policy(cs, &version);
	char explain[EXPLAIN_MAX];
	refund_quote q;
	int have_quote = quote_of(cs, &q) == 0, rc = 0;

	printf(CTL_TEXT(c, "case %s\n", "退款案件 %s\n"), refund_case_id(cs));
	ctl_field(c, "deposit", "押金");
	printf("%s\n", refund_case_deposit_id(cs));
	ctl_field(c, "state", "状态");
	printf("%s\n", ctl_state_label(c, refund_case_state(cs)));
	ctl_field(c, "reason", "退款原因");
	printf("%s\n", ctl_reason_label(c, refund_case_reason(cs)));
	ctl_field(c, "policy", "退款政策");
	printf(CTL_TEXT(c, "%s version %u\n", "%s 第 %u 版\n"), policy, (unsigned)version);
	ctl_field(c, "evidence", "已有材料");
	ctl_evidence_list(c, stdout, refund_case_evidence(cs));
	putchar('\n');
	ctl_field(c, "missing", "缺少材料");
	ctl_evidence_list(c, stdout, refund_case_missing_evidence(cs));
	putchar('\n');
	ctl_field(c, "escalated to", "升级投诉至");
	for (bit = 1; bit <= REFUND_PARTY_LEGAL; bit <<= 1)
		if (esc & bit)
			printf("%s ", ctl_party_label(c, bit));
	printf("%s\n", esc ? "" : CTL_TEXT(c, "nobody", "无"));
	print_deadline(c, cs);
	print_parts(c, cs, have_quote ? q.currency : NULL);
	if (have_quote)
		print_quote(c, &q);
	if (level >= 2) {
		if (refund_case_explain(cs, c->lang, explain, sizeof(explain)) == 0)
			printf("\n%s\n", explain);
		fputs(CTL_TEXT(c, "\ntimeline:\n", "\n处理记录：\n"), stdout);
		rc = timeline_of(c, NULL, cs, have_quote ? q.currency : NULL);
		putchar('\n');
		ctl_next_steps(c, stdout, cs);
	}
	return rc;
}

/* ---- the commands ---------------------------------------------------------- */

static int load_case(ctl *c, const char *id, refund_case **out)
{
	int rc = refund_case_load(c->engine, out, id);

	return rc ? ctl_fail(c, rc, CTL_TEXT(c, "case %s", "退款案件 %s"), id) : 0;
}

int case_show(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "CASE",
		"Show a case: state, evidence, deadline (met or missed), payout parts, quote,\n"
		"the explanation for the applicant and the timeline of every event.", 1, 1, NULL };
	refund_case *cs = NULL;
	int nargs, rc;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0 || (rc = load_case(c, args[0], &cs)) != 0)
		return rc;
	rc = c->json ? ctl_case_json_out(c, cs, 2) : ctl_case_print(c, cs, 2);
	if (rc != 0)
		rc = ctl_fail(c, rc, CTL_TEXT(c, "case %s: reading its events",
				"退款案件 %s：读取处理记录"), args[0]);
	refund_case_free(cs);
	return rc;
}

int case_quote(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "CASE",
		"What the case would refund and why: the breakdown and the explanation.", 1, 1, NULL };
	char explain[EXPLAIN_MAX];
	refund_case *cs = NULL;
	refund_quote q;
	ctl_json j;
	int nargs, rc;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0 || (rc = load_case(c, args[0], &cs)) != 0)
		return rc;
	if ((rc = quote_of(cs, &q)) != 0 ||
			(rc = refund_case_explain(cs, c->lang, explain, sizeof(explain))) != 0) {
		rc = ctl_fail(c, rc, CTL_TEXT(c, "case %s: quote", "退款案件 %s：报价"), args[0]);
		refund_case_free(cs);
		return rc;
	}
	if (c->json) {
		json_begin(&j);
		json_kstr(&j, "case", args[0]);
		json_key(&j, "quote");
		json_quote(c, &j, &q);
		json_kstr(&j, "explanation", explain);
		json_finish(&j);
	} else {
		printf(CTL_TEXT(c, "case %s ", "退款案件 %s "), args[0]);
		print_quote(c, &q);
		printf("\n%s\n", explain);
	}
	refund_case_free(cs);
	return 0;
}

static int list_one(void *ctx, const refund_case *cs)
{
	ctl_list *l = ctx;
	const char *id = refund_case_id(cs), *deposit = refund_case_deposit_id(cs);
	const char *state = ctl_state_label(l->c, refund_case_state(cs));
	const char *reason = ctl_reason_label(l->c, refund_case_reason(cs));
	char due[REFUND_TIME_FORMAT_MAX];
	refund_deadline dl;

	l->count++;
	if (l->j) {
		json_open(l->j, '{');
		json_summary(l->c, l->j, cs, NULL);
		json_close(l->j, '}');
		return 0;
	}
	printf("%-*s %-*s %-*s %-*s", ctl_pad(id, 16), id, ctl_pad(deposit, 16), deposit,
			ctl_pad(state, 19), state, ctl_pad(reason, 20), reason);
	if (deadline_of(cs, &dl) == 0)
		printf(CTL_TEXT(l->c, " due %s%s", " 期限 %s%s"),
				ctl_time(l->c, dl.due, due, sizeof(due)), dl.due <= engine_now(l->c)
				? CTL_TEXT(l->c, " (overdue)", "（已逾期）") : "");
	putchar('\n');
	return 0;
}

static int state_from_name(const char *name)
{
	int s;

	for (s = 1; s < REFUND_STATE_COUNT; s++) {
		const char *n = refund_case_state_name(s);
		const char *p = name;
		size_t i;

		for (i = 0; n && n[i] && p[i] && (n[i] == p[i] || (n[i] == '_' && p[i] == '-')); i++)
			;
		if (n && n[i] == '\0' && p[i] == '\0')
			return s;
	}
	return 0;
}

int case_list(ctl *c, int argc, char **argv)
{
	const char *state = NULL, *deposit = NULL, *holder = NULL, *agent = NULL;
	const char *after = NULL, *limit = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--state", "STATE", &state, "only cases in this state (draft, under_review...)" },
		{ "--deposit", "ID", &deposit, "only this deposit's cases" },
		{ "--holder", "ID", &holder, "only this merchant's cases" },
		{ "--agent", "ID", &agent, "only this agent's cases" },
		{ "--after", "ID", &after, "only ids after this one (paging)" },
		{ "--limit", "N", &limit, "at most N cases" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "[--state STATE] [--deposit ID] [--holder ID] [--agent ID] "
		"[--after ID] [--limit N]", "List cases in id order.", 0, 0, opts };
	refund_case_filter filter = REFUND_CASE_FILTER_INIT;
	ctl_list l;
	int64_t n = 0;
	int nargs, rc;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(limit && (rc = ctl_parse_int(c, "--limit", limit, 1, 1000000, &n)) != 0))
		return rc;
	if (state && !(filter.state = state_from_name(state)))
		return ctl_invalid(c, "--state \"%s\": use draft, submitted, under_review, "
				"awaiting_documents, device_return, inspection, agreement, payout, "
				"paid, closed, rejected, withdrawn or expired", state);
	if ((rc = ctl_open(c, 0)) != 0)
		return rc;
	filter.deposit_id = deposit;
	filter.holder = holder;
	filter.agent = agent;
	filter.after_id = after;
	filter.limit = (size_t)n;
	ctl_list_begin(c, &l, &j, "cases");
	rc = refund_case_list(c->engine, &filter, list_one, &l);
	return ctl_list_end(&l, rc, "cases", "退款案件");
}
