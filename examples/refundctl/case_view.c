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

static const char *const part_status_names[] = { "", "pending", "failed", "paid" };

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

static void print_quote(ctl *c, const refund_quote *q)
{
	static const char *const labels[] = { "remaining", "gross", "forfeited", "damage",
		"missing parts", "handling fee", "offset", "net" };
	const int64_t values[] = { q->remaining, q->gross, q->forfeited, q->damage,
		q->missing_parts, q->fee, q->offset, q->net };
	char m[REFUND_MONEY_FORMAT_MAX];
	size_t i;

	printf("quote (%s):\n", q->currency);
	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (i == 1)
			printf("  %-14s %8d.%02d%%\n", "usage tier", q->tier_bp / 100, q->tier_bp % 100);
		printf("  %-14s %12s\n", labels[i], ctl_money(c, q->currency, values[i], m, sizeof(m)));
	}
	if (q->approved >= 0)
		printf("  %-14s %12s\n", "approved", ctl_money(c, q->currency, q->approved, m,
				sizeof(m)));
	else
		printf("  %-14s %12s\n", "approved", "not yet");
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
		json_kstr(j, "status", ctl_name_of(part_status_names, 4, p.status));
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
	char money[REFUND_MONEY_FORMAT_MAX], move[64], late[32];
	ctl *c = t->c;

	if (ev->from == ev->to)
		snprintf(move, sizeof(move), "(%s)", refund_case_state_name(ev->to));
	else
		snprintf(move, sizeof(move), "%s -> %s", ev->from ?
				refund_case_state_name(ev->from) : "", refund_case_state_name(ev->to));
	printf("  %3" PRIu64 "  %s  %-17s %-34s %s (%s)\n", ev->seq,
			ctl_time(c, ev->at, when, sizeof(when)), refund_case_action_name(ev->action),
			move, ev->actor, refund_role_name(ev->role));
	if (ev->amount)
		printf("%7s amount %s %s\n", "", ctl_money(c, t->currency, ev->amount, money,
				sizeof(money)), t->currency);
	if (ev->reason)
		printf("%7s reason: %s\n", "", ev->reason);
	if (ev->note)
		printf("%7s note: %s\n", "", ev->note);
	if (ev->policy_version != ev->policy_version_before)
		printf("%7s policy %s version %u -> %u\n", "", ev->policy_id,
				(unsigned)ev->policy_version_before, (unsigned)ev->policy_version);
	if (closes)
		printf("%7s %s deadline %s: %s%s\n", "", refund_case_state_name(t->clock_state),
				ctl_time(c, t->clock_due, due, sizeof(due)), met ? "met" : "missed by ",
				met ? "" : ctl_duration(ev->at - t->clock_due, late, sizeof(late)));
	if (ev->deadline != REFUND_TIME_NONE && ev->from != ev->to)
		printf("%7s %s due %s\n", "", refund_case_state_name(ev->to),
				ctl_time(c, ev->deadline, due, sizeof(due)));
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
	printf("payout parts:\n");
	for (i = 1; i <= n; i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

		if (refund_case_part(cs, i, &p) != 0)
			continue;
		printf("  %2d  %10s %s  due %s  %-7s  %d attempt%s", i,
				ctl_money(c, cur, p.amount, m, sizeof(m)), cur ? cur : "",
				ctl_time(c, p.due, t, sizeof(t)),
				ctl_name_of(part_status_names, 4, p.status), p.attempts,
				p.attempts == 1 ? "" : "s");
		if (p.reference)
			printf("  ref %s", p.reference);
		if (p.failure)
			printf("  last failure: %s", p.failure);
		putchar('\n');
	}
}

static void print_deadline(ctl *c, const refund_case *cs)
{
	char due[REFUND_TIME_FORMAT_MAX], left[32];
	refund_deadline dl;
	int64_t diff;

	if (deadline_of(cs, &dl) != 0) {
		printf("  deadline      none running\n");
		return;
	}
	diff = dl.due - engine_now(c);
	printf("  deadline      %s due %s (%s %s), then %s\n",
			refund_case_state_name(dl.state), ctl_time(c, dl.due, due, sizeof(due)),
			diff < 0 ? "missed, overdue by" : "in",
			ctl_duration(diff, left, sizeof(left)),
			ctl_name_of(ctl_consequence_names, CTL_CONSEQUENCE_COUNT, dl.consequence));
}

int ctl_case_print(ctl *c, refund_case *cs, int level)
{
	uint32_t version = 0, esc = refund_case_escalations(cs), bit;
	const char *policy = refund_case_policy(cs, &version);
	char explain[EXPLAIN_MAX];
	refund_quote q;
	int have_quote = quote_of(cs, &q) == 0, rc = 0;

	printf("case %s\n", refund_case_id(cs));
	printf("  deposit       %s\n", refund_case_deposit_id(cs));
	printf("  state         %s\n", refund_case_state_name(refund_case_state(cs)));
	printf("  reason        %s\n", ctl_name_of(ctl_reason_names, CTL_REASON_COUNT,
			refund_case_reason(cs)));
	printf("  policy        %s version %u\n", policy, (unsigned)version);
	printf("  evidence      ");
	ctl_evidence_list(stdout, refund_case_evidence(cs));
	printf("\n  missing       ");
	ctl_evidence_list(stdout, refund_case_missing_evidence(cs));
	printf("\n  escalated to  ");
	for (bit = 1; bit <= REFUND_PARTY_LEGAL; bit <<= 1)
		if (esc & bit)
			printf("%s ", ctl_party_name(bit));
	printf("%s\n", esc ? "" : "nobody");
	print_deadline(c, cs);
	print_parts(c, cs, have_quote ? q.currency : NULL);
	if (have_quote)
		print_quote(c, &q);
	if (level >= 2) {
		if (refund_case_explain(cs, c->lang, explain, sizeof(explain)) == 0)
			printf("\n%s\n", explain);
		printf("\ntimeline:\n");
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

	return rc ? ctl_fail(c, rc, "case %s", id) : 0;
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
		rc = ctl_fail(c, rc, "case %s: reading its events", args[0]);
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
		rc = ctl_fail(c, rc, "case %s: quote", args[0]);
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
		printf("case %s ", args[0]);
		print_quote(c, &q);
		printf("\n%s\n", explain);
	}
	refund_case_free(cs);
	return 0;
}

static int list_one(void *ctx, const refund_case *cs)
{
	ctl_list *l = ctx;
	char due[REFUND_TIME_FORMAT_MAX];
	refund_deadline dl;

	l->count++;
	if (l->j) {
		json_open(l->j, '{');
		json_summary(l->c, l->j, cs, NULL);
		json_close(l->j, '}');
		return 0;
	}
	printf("%-16s %-16s %-19s %-20s", refund_case_id(cs), refund_case_deposit_id(cs),
			refund_case_state_name(refund_case_state(cs)),
			ctl_name_of(ctl_reason_names, CTL_REASON_COUNT, refund_case_reason(cs)));
	if (deadline_of(cs, &dl) == 0)
		printf(" due %s%s", ctl_time(l->c, dl.due, due, sizeof(due)),
				dl.due <= engine_now(l->c) ? " (overdue)" : "");
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
	return ctl_list_end(&l, rc, "cases");
}
