/*
 * tick, overdue, verify: the commands that look at every case.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refundctl.h"

/* ---- tick --------------------------------------------------------------- */

/* Each reminder and consequence the tick commits, as it happens. */
static void on_notice(void *user, const refund_notice *n)
{
	ctl_list *t = user;
	ctl *c = t->c;
	const char *kind;
	char due[REFUND_TIME_FORMAT_MAX];

	if (n->kind != REFUND_NOTICE_REMINDER && n->kind != REFUND_NOTICE_DEADLINE &&
			!(n->kind == REFUND_NOTICE_TRANSITION && n->actor &&
				strcmp(n->actor, "system") == 0))
		return;
	t->count++;
	if (t->j) {
		json_open(t->j, '{');
		json_kstr(t->j, "case", n->id);
		json_kstr(t->j, "kind", n->kind == REFUND_NOTICE_REMINDER ? "reminder" :
				n->kind == REFUND_NOTICE_DEADLINE ? "deadline" : "transition");
		json_kstr(t->j, "action", refund_case_action_name(n->action));
		json_kstr(t->j, "from", refund_case_state_name(n->from_state));
		json_kstr(t->j, "to", refund_case_state_name(n->to_state));
		json_ktime(t->j, t->c, "deadline", n->deadline ? n->deadline : REFUND_TIME_NONE);
		json_kbool(t->j, "overdue", n->overdue);
		json_close(t->j, '}');
		return;
	}
	kind = n->kind == REFUND_NOTICE_REMINDER ? CTL_TEXT(c, "reminder", "提醒") :
		n->kind == REFUND_NOTICE_DEADLINE ? CTL_TEXT(c, "deadline", "到期处理") :
		CTL_TEXT(c, "system", "系统");
	printf("  %-*s %-*s %s", ctl_pad(n->id, 16), n->id, ctl_pad(kind, 10), kind,
			refund_case_action_name(n->action) ? ctl_action_label(c, n->action) : "");
	if (n->from_state != n->to_state && refund_case_state_name(n->to_state))
		printf(" %s -> %s", ctl_state_label(c, n->from_state),
				ctl_state_label(c, n->to_state));
	if (n->deadline)
		printf(CTL_TEXT(c, "  (due %s%s)", "  （期限 %s%s）"),
				ctl_time(c, n->deadline, due, sizeof(due)),
				n->overdue ? CTL_TEXT(c, ", passed", "，已过") : "");
	putchar('\n');
}

int cmd_tick(ctl *c, int argc, char **argv)
{
	const char *limit = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--limit", "N", &limit, "at most N cases" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "[--now TIME] [--limit N]",
		"Fire every deadline due at --now (default: the clock): reminders before due,\n"
		"then the policy's consequence (escalate, expire, deemed approval, close).\n"
		"Run it from cron; running it twice fires nothing twice.", 0, 0, opts };
	refund_tick_result total = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
	ctl_list t = { c, NULL, 0 };
	refund_time now = 0;
	char when[REFUND_TIME_FORMAT_MAX];
	int64_t n = 0;
	int nargs, rc = 0;
	ctl_json j;

	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(limit && (rc = ctl_parse_int(c, "--limit", limit, 1, 1000000, &n)) != 0))
		return rc;
	c->notify = on_notice;
	c->notify_user = &t;
	if ((rc = ctl_open(c, 0)) != 0)
		return rc;
	refund_engine_now(c->engine, &now);
	if (c->json) {
		json_begin(&j);
		json_ktime(&j, c, "now", now);
		json_key(&j, "fired");
		json_open(&j, '[');
		t.j = &j;
	} else {
		printf(CTL_TEXT(c, "tick at %s\n", "期限检查于 %s\n"), ctl_time(c, now, when,
				sizeof(when)));
	}
	rc = refund_engine_tick(c->engine, now, (size_t)n, &total);
	if (c->json) {
		json_close(&j, ']');
		json_kint(&j, "due", (int64_t)total.due);
		json_kint(&j, "reminders", (int64_t)total.reminders);
		json_kint(&j, "consequences", (int64_t)total.consequences);
		json_kint(&j, "conflicts", (int64_t)total.conflicts);
		json_finish(&j);
	} else {
		printf(CTL_TEXT(c, "%zu reminder%s, %zu consequence%s applied",
				"提醒 %zu 次%.0s，执行到期后果 %zu 次%.0s"), total.reminders,
				total.reminders == 1 ? "" : "s", total.consequences,
				total.consequences == 1 ? "" : "s");
		if (total.conflicts)
			printf(CTL_TEXT(c, ", %zu left to another clerk's change",
					"，%zu 个案件因他人同时修改而留待下次"), total.conflicts);
		putchar('\n');
	}
	c->notify = NULL;
	if (rc != 0)
		return ctl_fail(c, rc, CTL_TEXT(c, "tick (what was fired before this stays fired; "
				"tick again)", "期限检查（已执行的保持有效；请再次运行 tick）"));
	return 0;
}

/* ---- overdue ------------------------------------------------------------- */

typedef struct late_case {
	char id[CTL_ID_BUF];
	char deposit[CTL_ID_BUF];
	refund_deadline dl;
} late_case;

typedef struct overdue_ctx {
	refund_time horizon;
	late_case *cases;
	size_t n, cap;
	int failed;
} overdue_ctx;

static int collect_late(void *ctx, const refund_case *cs)
{
	overdue_ctx *o = ctx;
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	late_case *l;

	/* An escalated case stays overdue even though its clock runs on. */
	if (refund_case_next_deadline(cs, &dl) != 0 || (dl.due > o->horizon && !dl.overdue))
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		late_case *more = realloc(o->cases, cap * sizeof(*more));

		if (!more) {
			o->failed = 1;
			return 1;
		}
		o->cases = more;
		o->cap = cap;
	}
	l = &o->cases[o->n++];
	snprintf(l->id, sizeof(l->id), "%s", refund_case_id(cs));
	snprintf(l->deposit, sizeof(l->deposit), "%s", refund_case_deposit_id(cs));
	l->dl = dl;
	return 0;
}

static int by_due(const void *a, const void *b)
{
	const late_case *x = a, *y = b;

	if (x->dl.due != y->dl.due)
		return x->dl.due < y->dl.due ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void print_late(ctl *c, const overdue_ctx *o, refund_time now, int64_t within)
{
	char due[REFUND_TIME_FORMAT_MAX], left[32];
	ctl_json j;
	size_t i;

	if (c->json) {
		json_begin(&j);
		json_ktime(&j, c, "now", now);
		json_kint(&j, "within_seconds", within);
		json_key(&j, "cases");
		json_open(&j, '[');
	}
	for (i = 0; i < o->n; i++) {
		const late_case *l = &o->cases[i];
		/* JSON: the consequence's name; text: its label. */
		const char *then = ctl_name_of(ctl_consequence_names, CTL_CONSEQUENCE_COUNT,
				l->dl.consequence);
		const char *state = ctl_state_label(c, l->dl.state);

		if (c->json) {
			json_open(&j, '{');
			json_kstr(&j, "id", l->id);
			json_kstr(&j, "deposit", l->deposit);
			json_kstr(&j, "state", refund_case_state_name(l->dl.state));
			json_ktime(&j, c, "due", l->dl.due);
			json_ktime(&j, c, "next", l->dl.next);
			json_kstr(&j, "consequence", then);
			json_kbool(&j, "overdue", l->dl.due <= now || l->dl.overdue);
			json_kint(&j, "seconds_left", l->dl.due - now);
			json_close(&j, '}');
			continue;
		}
		printf("%-*s %-*s %-*s ", ctl_pad(l->id, 16), l->id, ctl_pad(l->deposit, 16),
				l->deposit, ctl_pad(state, 19), state);
		then = ctl_consequence_label(c, l->dl.consequence);
		ctl_duration(c, l->dl.due - now, left, sizeof(left));
		if (l->dl.due <= now)
			printf(CTL_TEXT(c, "due %s  OVERDUE by %-*s then %s\n",
					"期限 %s  已逾期 %-*s 到期后%s\n"),
					ctl_time(c, l->dl.due, due, sizeof(due)), ctl_pad(left, 8), left, then);
		else
			printf(CTL_TEXT(c, "%s %s  in %-*s then %s\n", "%s %s  还剩 %-*s 到期后%s\n"),
					l->dl.overdue ? CTL_TEXT(c, "OVERDUE, next reminder", "已逾期，下次提醒")
					: CTL_TEXT(c, "due", "期限"),
					ctl_time(c, l->dl.due, due, sizeof(due)), ctl_pad(left, 8), left, then);
	}
	if (c->json) {
		json_close(&j, ']');
		json_finish(&j);
	} else if (o->n == 0) {
		printf(CTL_TEXT(c, "no case is past a deadline%s\n", "没有逾期%s的案件\n"),
				within ? CTL_TEXT(c, " or near one", "或即将到期") : "");
	}
}

int cmd_overdue(ctl *c, int argc, char **argv)
{
	const char *within = NULL, *args[1];
	const ctl_opt opts[] = {
		{ "--within", "DURATION", &within, "also cases due within this time (2d, 36h, 90m)" },
		{ NULL, NULL, NULL, NULL }
	};
	const ctl_spec spec = { "[--within DURATION]",
		"List cases past a deadline, or due within DURATION, earliest first: the cases\n"
		"to follow up before they escalate or expire (定期跟进).", 0, 0, opts };
	overdue_ctx o;
	refund_time now = 0;
	int64_t ahead = 0;
	int nargs, rc;

	memset(&o, 0, sizeof(o));
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(within && (rc = ctl_parse_duration(c, "--within", within, &ahead)) != 0) ||
			(rc = ctl_open(c, 0)) != 0)
		return rc;
	refund_engine_now(c->engine, &now);
	o.horizon = now + ahead;
	rc = refund_case_list(c->engine, NULL, collect_late, &o);
	if (o.failed)
		rc = REFUND_ENOMEM;
	if (rc == 0) {
		if (o.n > 1)
			qsort(o.cases, o.n, sizeof(*o.cases), by_due);
		print_late(c, &o, now, ahead);
	}
	free(o.cases);
	return rc ? ctl_fail(c, rc, CTL_TEXT(c, "listing cases", "列出退款案件")) : 0;
}

/* ---- verify -------------------------------------------------------------- */

/* A refund posted to a deposit's ledger by a case. */
typedef struct payout {
	char case_id[CTL_ID_BUF];
	char deposit[CTL_ID_BUF];
	int64_t amount;
	int matched;
} payout;

typedef struct verify_ctx {
	ctl *c;
	ctl_json *j;
	payout *payouts;
	size_t npayouts, cap;
	char (*case_ids)[CTL_ID_BUF];
	size_t ncases, case_cap;
	size_t deposits, problems;
	int oom;
} verify_ctx;

static void problem(verify_ctx *v, const char *kind, const char *id, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void problem(verify_ctx *v, const char *kind, const char *id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->problems++;
	if (v->j) {
		json_open(v->j, '{');
		json_kstr(v->j, "kind", kind);
		json_kstr(v->j, "id", id);
		json_kstr(v->j, "message", msg);
		json_close(v->j, '}');
	} else {
		printf(CTL_TEXT(v->c, "PROBLEM %s %s: %s\n", "问题 %s %s：%s\n"),
				CTL_TEXT(v->c, kind, strcmp(kind, "case") == 0 ? "退款案件" : "押金"), id, msg);
	}
}

static int add_payout(verify_ctx *v, const refund_deposit *d, const refund_entry *e)
{
	payout *p;

	if (v->npayouts == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		payout *more = realloc(v->payouts, cap * sizeof(*more));

		if (!more)
			return -1;
		v->payouts = more;
		v->cap = cap;
	}
	p = &v->payouts[v->npayouts++];
	snprintf(p->case_id, sizeof(p->case_id), "%s", e->case_id);
	snprintf(p->deposit, sizeof(p->deposit), "%s", refund_deposit_id(d));
	p->amount = e->amount;
	p->matched = 0;
	return 0;
}

/* held = refunded + deducted + remaining, remaining >= 0, and the entries agree. */
static int check_deposit(void *ctx, const refund_deposit *d)
{
	verify_ctx *v = ctx;
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	int64_t held = 0, refunded = 0, deducted = 0;
	const char *id = refund_deposit_id(d);
	size_t i, n = refund_deposit_entry_count(d);

	v->deposits++;
	refund_deposit_balance(d, &b);
	for (i = 0; i < n; i++) {
		refund_entry e = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

		if (refund_deposit_entry(d, i, &e) != 0 || e.amount <= 0) {
			problem(v, "deposit", id, CTL_TEXT(v->c, "ledger entry %zu is unreadable or not positive",
					"台账第 %zu 条无法读取或金额不为正"), i + 1);
			continue;
		}
		if ((e.kind == REFUND_ENTRY_HOLD) != (i == 0))
			problem(v, "deposit", id, CTL_TEXT(v->c, "entry %zu: the hold must be the first "
					"entry and only it", "第 %zu 条：押金入账必须是且只能是第一条"), i + 1);
		if (e.kind == REFUND_ENTRY_HOLD)
			held += e.amount;
		else if (e.kind == REFUND_ENTRY_REFUND)
			refunded += e.amount;
		else
			deducted += e.amount;
		if (e.kind == REFUND_ENTRY_REFUND && e.case_id && add_payout(v, d, &e) != 0) {
			v->oom = 1;
			return 1;
		}
	}
	if (b.remaining < 0 || b.held != b.refunded + b.deducted + b.remaining)
		problem(v, "deposit", id, CTL_TEXT(v->c, "held %" PRId64 " != refunded %" PRId64
				" + deducted %" PRId64 " + remaining %" PRId64, "押金 %" PRId64 " != 已退还 %"
				PRId64 " + 已扣款 %" PRId64 " + 余额 %" PRId64), b.held, b.refunded,
				b.deducted, b.remaining);
	if (held != b.held || refunded != b.refunded || deducted != b.deducted)
		problem(v, "deposit", id, "%s", CTL_TEXT(v->c, "the ledger's entries do not add up "
				"to its balance", "台账各条目与余额不符"));
	return 0;
}

static int collect_case(void *ctx, const refund_case *cs)
{
	verify_ctx *v = ctx;

	if (v->ncases == v->case_cap) {
		size_t cap = v->case_cap ? v->case_cap * 2 : 64;
		char (*more)[CTL_ID_BUF] = realloc(v->case_ids, cap * sizeof(*more));

		if (!more) {
			v->oom = 1;
			return 1;
		}
		v->case_ids = more;
		v->case_cap = cap;
	}
	snprintf(v->case_ids[v->ncases++], CTL_ID_BUF, "%s", refund_case_id(cs));
	return 0;
}

/* The payouts a case's events record: one per part, at most. */
typedef struct pay_events {
	int count[REFUND_POLICY_MAX_PARTS + 1];
	int64_t amounts[4 * REFUND_POLICY_MAX_PARTS];
	size_t n;
	int odd;
} pay_events;

static int on_pay_event(void *ctx, const refund_event *ev)
{
	pay_events *p = ctx;
	int part = 0;

	if (ev->action != REFUND_ACTION_PAY)
		return 0;
	if (!ev->reason || sscanf(ev->reason, "part %d", &part) != 1 || part < 1 ||
			part > REFUND_POLICY_MAX_PARTS)
		p->odd = 1;
	else
		p->count[part]++;
	if (p->n < sizeof(p->amounts) / sizeof(p->amounts[0]))
		p->amounts[p->n++] = ev->amount;
	else
		p->odd = 1;
	return 0;
}

static int cmp_amount(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The ledger's refunds for a case are exactly the case's pay events. */
static void match_payouts(verify_ctx *v, const refund_case *cs, pay_events *p)
{
	int64_t ledger[4 * REFUND_POLICY_MAX_PARTS];
	size_t i, n = 0;
	int part, paid = 0;

	for (i = 0; i < v->npayouts; i++) {
		if (strcmp(v->payouts[i].case_id, refund_case_id(cs)) != 0)
			continue;
		v->payouts[i].matched = 1;
		if (n < sizeof(ledger) / sizeof(ledger[0]))
			ledger[n++] = v->payouts[i].amount;
	}
	for (part = 1; part <= REFUND_POLICY_MAX_PARTS; part++)
		if (p->count[part] > 1)
			problem(v, "case", refund_case_id(cs), CTL_TEXT(v->c, "part %d was paid %d times",
					"第 %d 期被付款 %d 次"), part, p->count[part]);
	for (part = 1; part <= refund_case_part_count(cs); part++) {
		refund_part rp = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

		if (refund_case_part(cs, part, &rp) == 0 && rp.status == REFUND_PART_PAID)
			paid++;
	}
	if (n > 1)
		qsort(ledger, n, sizeof(ledger[0]), cmp_amount);
	if (p->n > 1)
		qsort(p->amounts, p->n, sizeof(p->amounts[0]), cmp_amount);
	if (p->odd)
		problem(v, "case", refund_case_id(cs), "%s", CTL_TEXT(v->c, "a pay event names no "
				"valid part", "付款事件未指明有效的期数"));
	if (n != p->n || memcmp(ledger, p->amounts, n * sizeof(ledger[0])) != 0)
		problem(v, "case", refund_case_id(cs), CTL_TEXT(v->c, "the deposit's ledger has %zu "
				"refunds for it but its events record %zu payouts",
				"押金台账中有 %zu 笔退还，但案件事件记录了 %zu 次付款"), n, p->n);
	if ((size_t)paid != p->n)
		problem(v, "case", refund_case_id(cs), CTL_TEXT(v->c, "%d parts are paid but %zu "
				"pay events exist", "已付款 %d 期，但有 %zu 个付款事件"), paid, p->n);
}

static int check_case(verify_ctx *v, const char *id)
{
	refund_case *cs = NULL;
	pay_events p;
	uint64_t bad = 0;
	int rc;

	if ((rc = refund_case_load(v->c->engine, &cs, id)) != 0) {
		if (rc == REFUND_ECORRUPT) {
			problem(v, "case", id, CTL_TEXT(v->c, "cannot be read: %s", "无法读取：%s"),
					refund_engine_errmsg(v->c->engine));
			return 0;
		}
		return rc;
	}
	rc = refund_case_verify(cs, &bad);
	if (rc == REFUND_ECORRUPT)
		problem(v, "case", id, CTL_TEXT(v->c, "audit chain broken at event %" PRIu64 ": %s",
				"审计链在第 %" PRIu64 " 条事件处断开：%s"), bad,
				refund_engine_errmsg(v->c->engine));
	else if (rc != 0)
		goto out;
	memset(&p, 0, sizeof(p));
	rc = refund_case_events(cs, on_pay_event, &p);
	if (rc == REFUND_ECORRUPT) {
		problem(v, "case", id, CTL_TEXT(v->c, "events cannot be read: %s", "事件无法读取：%s"),
				refund_engine_errmsg(v->c->engine));
		rc = 0;
	} else if (rc == 0) {
		match_payouts(v, cs, &p);
	}
out:
	refund_case_free(cs);
	return rc;
}

static int verify_all(verify_ctx *v)
{
	size_t i;
	int rc;

	rc = refund_deposit_list(v->c->engine, NULL, check_deposit, v);
	if (rc == 0)
		rc = refund_case_list(v->c->engine, NULL, collect_case, v);
	if (v->oom)
		return REFUND_ENOMEM;
	for (i = 0; rc == 0 && i < v->ncases; i++)
		rc = check_case(v, v->case_ids[i]);
	for (i = 0; rc == 0 && i < v->npayouts; i++)
		if (!v->payouts[i].matched)
			problem(v, "deposit", v->payouts[i].deposit, CTL_TEXT(v->c, "a refund for case "
					"%s, which does not exist", "有一笔退还属于不存在的退款案件 %s"),
					v->payouts[i].case_id);
	return rc;
}

int cmd_verify(ctl *c, int argc, char **argv)
{
	const char *args[1];
	const ctl_spec spec = { "",
		"Check every case's audit chain (SHA-256), every deposit's ledger (held =\n"
		"refunded + deducted + remaining, remaining >= 0) and that every payout in a\n"
		"ledger has its pay event, one per installment.  Exit 7 if anything fails.",
		0, 0, NULL };
	verify_ctx v;
	ctl_json j;
	int nargs, rc;

	memset(&v, 0, sizeof(v));
	v.c = c;
	if ((rc = ctl_parse(c, argc, argv, &spec, args, &nargs)) != 0 ||
			(rc = ctl_open(c, 0)) != 0)
		return rc;
	if (c->json) {
		json_begin(&j);
		json_key(&j, "problems");
		json_open(&j, '[');
		v.j = &j;
	}
	rc = verify_all(&v);
	if (c->json) {
		json_close(&j, ']');
		json_kint(&j, "cases", (int64_t)v.ncases);
		json_kint(&j, "deposits", (int64_t)v.deposits);
		json_kint(&j, "payouts", (int64_t)v.npayouts);
		json_kbool(&j, "ok", rc == 0 && v.problems == 0);
		json_finish(&j);
	}
	free(v.payouts);
	free(v.case_ids);
	if (rc != 0)
		return ctl_fail(c, rc, "%s", CTL_TEXT(c, "verify", "核查"));
	if (!c->json)
		printf(CTL_TEXT(c, "%zu cases, %zu deposits, %zu payouts checked: %s\n",
				"已核查 %zu 个退款案件、%zu 笔押金、%zu 笔付款：%s\n"), v.ncases,
				v.deposits, v.npayouts, v.problems ? CTL_TEXT(c, "PROBLEMS FOUND",
				"发现问题") : CTL_TEXT(c, "every audit chain verifies, every ledger "
				"balances, every payout has its event", "审计链全部验证通过，台账全部平衡，"
				"每笔付款都有对应事件"));
	return v.problems ? CTL_EXIT_STORAGE : 0;
}
