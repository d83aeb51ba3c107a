/*
 * Quotes: what a case refunds and why.  Every amount is derived from the
 * deposit, the policy and the case record, with checked arithmetic, so the
 * same inputs always give the same figures (透明沟通).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <refund/money.h>
#include <refund/time.h>

#include "case.h"

/* Take what a deduction may from what is left; deductions never exceed the refund. */
static int64_t take(int64_t *left, int64_t want)
{
	int64_t got = want < *left ? want : *left;

	*left -= got;
	return got;
}

static int fee_for(const refund_policy *p, int64_t gross, int64_t *out)
{
	int64_t share = 0, fee;
	int rc;

	if (gross == 0) {
		*out = 0;  /* no fee on nothing */
		return 0;
	}
	if ((rc = refund_money_percent(gross, p->fee_bp, &share)) != 0 ||
	    (rc = refund_money_add(p->fee_fixed, share, &fee)) != 0)
		return rc;
	if (fee < p->fee_min)
		fee = p->fee_min;
	if (p->fee_cap >= 0 && fee > p->fee_cap)
		fee = p->fee_cap;
	*out = fee;
	return 0;
}

int refund__case_quote(refund_engine *e, const refund_policy *p, const case_record *r,
		const refund_deposit *d, refund_quote *out)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	int64_t damage = 0, missing = 0, fee = 0, left;
	int rc;

	if (r->accepted) {
		*out = r->fixed;  /* what was agreed no longer moves */
		return 0;
	}
	refund_deposit_balance(d, &b);
	memset(out, 0, sizeof(*out));
	out->version = REFUND_QUOTE_VERSION;
	memcpy(out->currency, r->currency, sizeof(out->currency));
	out->remaining = b.remaining;
	out->tier_bp = refund__policy_tier_bp(p, refund_deposit_days_in_service(d),
			refund_deposit_transaction_volume(d));
	if ((rc = refund_money_percent(b.remaining, out->tier_bp, &out->gross)) != 0)
		return refund__fail(e, rc, "quote overflow", "报价金额溢出");
	out->forfeited = b.remaining - out->gross;
	if (r->grade == REFUND_GRADE_DAMAGED &&
	    (rc = refund_money_percent(b.held, p->grade_bp[REFUND_GRADE_DAMAGED], &damage)) != 0)
		return refund__fail(e, rc, "quote overflow", "报价金额溢出");
	if ((rc = refund_money_mul(p->missing_part_amount, r->missing_parts, &missing)) != 0 ||
	    (rc = fee_for(p, out->gross, &fee)) != 0)
		return refund__fail(e, rc, "quote overflow", "报价金额溢出");
	left = out->gross;
	out->damage = take(&left, damage);
	out->missing_parts = take(&left, missing);
	out->fee = take(&left, fee);
	out->offset = take(&left, p->offsets_allowed ? r->offset_owed : 0);
	out->net = left;
	out->approved = r->approved;
	return 0;
}

/* ---- the explanation ---- */

typedef struct text {
	char *buf;
	size_t size, used;
	int cut;
} text;

static void say(text *t, const char *fmt, ...) REFUND_PRINTF(2, 3);

static void say(text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->cut)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->size - t->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->size - t->used) {
		t->cut = 1;
		t->used = t->size - 1;
		return;
	}
	t->used += (size_t)n;
}

static const char *money(refund_engine *e, const refund_quote *q, int64_t amount, char *buf)
{
	if (refund_money_format(e, q->currency, amount, buf, REFUND_MONEY_FORMAT_MAX) != 0)
		(void)snprintf(buf, REFUND_MONEY_FORMAT_MAX, "%lld", (long long)amount);
	return buf;
}

static void explain_quote(text *t, refund_engine *e, const refund_quote *q, int zh)
{
	char a[REFUND_MONEY_FORMAT_MAX], b[REFUND_MONEY_FORMAT_MAX];
	int whole = q->tier_bp / 100, frac = q->tier_bp % 100;

	if (zh) {
		say(t, "押金余额 %s %s；按使用情况可退 %d.%02d%%，即 %s。", money(e, q, q->remaining, a),
				q->currency, whole, frac, money(e, q, q->gross, b));
		if (q->damage)
			say(t, "设备损坏扣除 %s。", money(e, q, q->damage, a));
		if (q->missing_parts)
			say(t, "配件缺失扣除 %s。", money(e, q, q->missing_parts, a));
		if (q->fee)
			say(t, "手续费 %s。", money(e, q, q->fee, a));
		if (q->offset)
			say(t, "抵扣未结服务费 %s。", money(e, q, q->offset, a));
		say(t, "预计退还 %s %s。", money(e, q, q->net, a), q->currency);
		if (q->approved >= 0 && q->approved < q->net)
			say(t, "审核批准金额为 %s。", money(e, q, q->approved, a));
		return;
	}
	say(t, "The deposit holds %s %s; usage qualifies for %d.%02d%% of it: %s.",
			money(e, q, q->remaining, a), q->currency, whole, frac, money(e, q, q->gross, b));
	if (q->damage)
		say(t, " Damage found at inspection: -%s.", money(e, q, q->damage, a));
	if (q->missing_parts)
		say(t, " Missing parts: -%s.", money(e, q, q->missing_parts, a));
	if (q->fee)
		say(t, " Handling fee: -%s.", money(e, q, q->fee, a));
	if (q->offset)
		say(t, " Outstanding fees offset: -%s.", money(e, q, q->offset, a));
	say(t, " Refund: %s %s.", money(e, q, q->net, a), q->currency);
	if (q->approved >= 0 && q->approved < q->net)
		say(t, " Approved by review: %s.", money(e, q, q->approved, a));
}

/* The applicant reads these: the words DOMAIN.md uses, not identifiers. */
static const char *const evidence_zh[] = {
	[REFUND_EVIDENCE_RECEIPT] = "押金收据",
	[REFUND_EVIDENCE_CONTRACT] = "合同协议",
	[REFUND_EVIDENCE_PAYMENT_RECORD] = "支付凭证",
	[REFUND_EVIDENCE_FAULT_REPORT] = "故障报告单",
	[REFUND_EVIDENCE_TRANSACTION_RECORDS] = "交易记录或截图",
	[REFUND_EVIDENCE_SERVICE_EVALUATION] = "服务质量评价报告",
	[REFUND_EVIDENCE_GOVERNMENT_DOCUMENT] = "政府文件",
	[REFUND_EVIDENCE_POLICE_REPORT] = "报案回执",
	[REFUND_EVIDENCE_OTHER] = "其他材料",
};

static const char *const evidence_en[] = {
	[REFUND_EVIDENCE_RECEIPT] = "the deposit receipt",
	[REFUND_EVIDENCE_CONTRACT] = "the contract",
	[REFUND_EVIDENCE_PAYMENT_RECORD] = "the payment record",
	[REFUND_EVIDENCE_FAULT_REPORT] = "a fault report",
	[REFUND_EVIDENCE_TRANSACTION_RECORDS] = "transaction records",
	[REFUND_EVIDENCE_SERVICE_EVALUATION] = "a service evaluation",
	[REFUND_EVIDENCE_GOVERNMENT_DOCUMENT] = "the government document",
	[REFUND_EVIDENCE_POLICE_REPORT] = "a police report",
	[REFUND_EVIDENCE_OTHER] = "other documents",
};

/* The state in the explanation's words: its label (refund_case_state_label),
 * but for the two states whose label a sentence can say more fully. */
static const char *state_in_words(int state, int zh)
{
	if (!zh)
		return refund_case_state_name(state);
	if (state == REFUND_STATE_PAID)
		return "已退款，等待确认收到";
	if (state == REFUND_STATE_REJECTED)
		return "已驳回，可在期限内申诉";
	return refund_case_state_label(state, REFUND_LANG_ZH_CN);
}

static void explain_missing(text *t, uint32_t lacking, int zh)
{
	const char *const *names = zh ? evidence_zh : evidence_en;
	const char *sep = "";
	size_t kind;

	say(t, "%s", zh ? " 仍缺少材料：" : " Still missing: ");
	for (kind = 1; kind < sizeof(evidence_en) / sizeof(evidence_en[0]); kind++) {
		if (lacking & REFUND_EVIDENCE_BIT(kind)) {
			say(t, "%s%s", sep, names[kind]);
			sep = zh ? "、" : ", ";
		}
	}
	say(t, "%s", zh ? "。" : ".");
}

static void explain_next(text *t, const refund_case *c, int zh)
{
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	const char *state = state_in_words(c->r->state, zh);
	char when[REFUND_TIME_FORMAT_MAX];
	uint32_t lacking = refund_case_missing_evidence(c);

	if (lacking && c->r->state <= REFUND_STATE_AWAITING_DOCUMENTS)
		explain_missing(t, lacking, zh);
	if (refund_case_next_deadline(c, &dl) == 0) {
		refund_time_format(dl.due, 8 * 3600, when, sizeof(when));
		say(t, zh ? " 当前状态：%s，期限：%s。" : " Now %s, due by %s.", state, when);
	} else {
		say(t, zh ? " 当前状态：%s。" : " Now %s.", state);
	}
}

int refund_case_explain(refund_case *c, refund_lang lang, char *buf, size_t size)
{
	refund_quote q = { REFUND_QUOTE_VERSION, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, -1 };
	text t = { buf, size, 0, 0 };
	int rc;

	if (!c || !buf || size == 0 || (lang != REFUND_LANG_EN && lang != REFUND_LANG_ZH_CN))
		return c ? refund__fail(c->engine, REFUND_EINVAL, "bad buffer or language",
				"缓冲区或语言无效") : REFUND_EINVAL;
	buf[0] = '\0';
	if ((rc = refund_case_quote(c, &q)) != 0)
		return rc;
	explain_quote(&t, c->engine, &q, lang == REFUND_LANG_ZH_CN);
	explain_next(&t, c, lang == REFUND_LANG_ZH_CN);
	if (t.cut)
		return refund__fail(c->engine, REFUND_ERANGE, "the explanation was cut to %zu bytes",
				"说明文字被截断为 %zu 字节", size);
	return 0;
}
