/*
 * Refund cases: the handle, its stored record, and the one function that
 * takes any action (refund__case_act).  What an action may do, who may do
 * it and where it leads is in the workflow table (workflow.c); this file
 * holds what each action changes in the record.
 */
#include "case.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <refund/money.h>
#include <refund/time.h>

#include "deposit.h"
#include "json.h"
#include "utf8.h"
#include "validate.h"
#include "workflow.h"

/* ---- small helpers ---- */

static int copy_text(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= cap)
		return REFUND_EINVAL;
	memcpy(dst, src ? src : "", n + 1);
	return 0;
}

static int all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int is_mobile(const char *s)
{
	return all_digits(s, 11, 11) && s[0] == '1';
}

static int is_email(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && strchr(at + 1, '.') && !strchr(at + 1, '@') &&
	       at[1] != '.' && s[strlen(s) - 1] != '.';
}

static int is_wechat_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 6 || n > 20 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static int check_account(refund_engine *e, const refund_account *a)
{
	int rc;

	if (!a)
		return refund__fail(e, REFUND_EINVAL, "the payout account is required",
				"缺少退款账户");
	if (a->version != REFUND_ACCOUNT_VERSION)
		return refund__fail(e, REFUND_EVERSION, "unknown refund_account version %u",
				"refund_account 版本 %u 未知", a->version);
	if (!a->name || !a->name[0] || !a->number)
		return refund__fail(e, REFUND_EINVAL,
				"the payout account needs the holder's name and the account number",
				"退款账户须填写账户名称和账号");
	if ((rc = refund__check_text(e, "account name", a->name, CASE_NAME_MAX)) != 0 ||
	    (rc = refund__check_text(e, "bank", a->bank, CASE_NAME_MAX)) != 0)
		return rc;
	switch (a->method) {
	case REFUND_PAYOUT_BANK:
		if (!all_digits(a->number, 8, 32))
			return refund__fail(e, REFUND_EINVAL,
					"a bank account number is 8 to 32 digits",
					"银行账号须为 8 至 32 位数字");
		if (!a->bank || !a->bank[0])
			return refund__fail(e, REFUND_EINVAL,
					"a bank transfer needs the bank's name",
					"银行转账须填写开户银行");
		return 0;
	case REFUND_PAYOUT_ALIPAY:
		if (is_mobile(a->number) || (strlen(a->number) <= CASE_NUMBER_MAX && is_email(a->number) &&
				refund__check_id(NULL, "", a->number) == 0))
			return 0;
		return refund__fail(e, REFUND_EINVAL,
				"an Alipay account is a mobile number (11 digits) or an e-mail address",
				"支付宝账号须为 11 位手机号或电子邮箱");
	case REFUND_PAYOUT_WECHAT:
		if (is_mobile(a->number) || is_wechat_id(a->number))
			return 0;
		return refund__fail(e, REFUND_EINVAL,
				"a WeChat account is a mobile number or a WeChat id (6-20 letters, digits, _ or -)",
				"微信账号须为手机号或微信号（6 至 20 位字母、数字、_ 或 -）");
	default:
		return refund__fail(e, REFUND_EINVAL, "unknown payout method %d",
				"未知退款方式 %d", a->method);
	}
}

static int check_act(refund_engine *e, const refund_act *act)
{
	int rc;

	if (!act)
		return refund__fail(e, REFUND_EINVAL, "who acts (refund_act) is required",
				"缺少操作人（refund_act）");
	if (act->version != REFUND_ACT_VERSION)
		return refund__fail(e, REFUND_EVERSION, "unknown refund_act version %u",
				"refund_act 版本 %u 未知", act->version);
	if ((rc = refund__check_id(e, "actor", act->actor)) != 0 ||
	    (rc = refund__check_role(e, act->role)) != 0 ||
	    (rc = refund__check_optional_id(e, "idempotency key", act->idempotency_key)) != 0 ||
	    (rc = refund__check_text(e, "note", act->note, REFUND_TEXT_MAX)) != 0)
		return rc;
	return 0;
}

static const char *state_name(int state)
{
	const char *name = refund_case_state_name(state);

	return name ? name : "none";
}

static const char *state_label_zh(int state)
{
	const char *label = refund_case_state_label(state, REFUND_LANG_ZH_CN);

	return label ? label : "无";
}

/* ---- the stored record (case_record.c) ---- */

int refund__case_encode(refund_engine *e, const case_record *r, char **data, size_t *size)
{
	bin_writer w;
	const unsigned char *bytes;
	int rc;

	refund__bin_writer_init(&w, &e->alloc, NULL, 0);
	refund__case_record_write(&w, r);
	rc = refund__bin_writer_end(&w, &bytes, size);
	if (rc == 0)
		*data = (char *)w.buf;  /* the writer's own allocation, handed over */
	else
		refund__bin_writer_dispose(&w);
	return rc ? refund__fail_code(e, rc) : 0;
}

int refund__case_encode_json(refund_engine *e, const case_record *r, char **data,
		size_t *size)
{
	json_writer w;
	int rc;

	json_writer_init(&w, &e->alloc);
	refund__case_record_write_json(&w, r);
	rc = json_writer_finish(&w, data, size);
	return rc ? refund__fail_code(e, rc) : 0;
}

static int decode_record(refund_engine *e, const refund_store_record *rec, case_record *r,
		case_kept *kept)
{
	int rc = refund__case_record_read_kept(&e->alloc, rec->data, rec->size, r, kept);

	if (rc == REFUND_ENOMEM)
		return refund__fail_code(e, rc);
	if (rc == 0 && strcmp(r->id, rec->id) != 0)
		rc = REFUND_ECORRUPT;
	if (rc)
		return refund__fail(e, REFUND_ECORRUPT,
				"case %s: the stored record is corrupt", "案件 %s：存储的记录已损坏",
				rec->id);
	return 0;
}

/* ---- handles ---- */

/* A handle with an empty record: cleared as far as it is read, not all
 * 13 KiB (case_record.c).  The other room is a transition's spare. */
static refund_case *case_alloc(refund_engine *e)
{
	refund_case *c = refund__alloc(&e->alloc, sizeof(*c));

	if (c) {
		c->engine = e;
		c->version = 0;
		c->policy = NULL;
		c->deposit = NULL;
		c->r = &c->rooms[0];
		refund__case_record_clear(c->r);
		memset(&c->kept, 0, offsetof(case_kept, bytes));
	}
	return c;
}

void refund_case_free(refund_case *c)
{
	if (c) {
		refund_deposit_free(c->deposit);
		refund__free(&c->engine->alloc, c);
	}
}

typedef struct load_ctx {
	refund_engine *engine;
	refund_case *c;
} load_ctx;

static int load_cb(void *ctx, const refund_store_record *rec)
{
	load_ctx *lc = ctx;
	refund_case *c = case_alloc(lc->engine);
	int rc;

	if (!c)
		return refund__fail_code(lc->engine, REFUND_ENOMEM);
	/* The policy is looked up after the store returns: a store may not be
	 * called from inside its own callback. */
	rc = decode_record(lc->engine, rec, c->r, &c->kept);
	if (rc) {
		refund_case_free(c);
		return rc;
	}
	c->version = rec->version;
	lc->c = c;
	return 0;
}

int refund_case_load(refund_engine *e, refund_case **out, const char *case_id)
{
	load_ctx lc = { e, NULL };
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(e, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if ((rc = refund__check_id(e, "case id", case_id)) != 0)
		return rc;
	rc = refund__store_load(e, REFUND_RECORD_CASE, case_id, load_cb, &lc);
	if (rc == REFUND_ENOTFOUND)
		return refund__fail(e, rc, "no case %s", "案件 %s 不存在", case_id);
	if (rc == 0)
		rc = refund__policy_get(e, lc.c->r->policy_id, lc.c->r->policy_version,
				&lc.c->policy);
	if (rc) {
		refund_case_free(lc.c);
		return rc;
	}
	*out = lc.c;
	return 0;
}

/*
 * Listing collects the ids first and loads each case afterwards: a case
 * needs its policy, and the store may not be called from its own callback.
 */
typedef struct id_list {
	refund_engine *engine;
	char (*ids)[REFUND_ID_MAX + 1];
	size_t count, cap;
} id_list;

static int collect_id(void *ctx, const refund_store_record *rec)
{
	id_list *l = ctx;

	if (strlen(rec->id) > REFUND_ID_MAX)
		return refund__fail(l->engine, REFUND_ECORRUPT, "a stored case id is too long",
				"存储的案件编号过长");
	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *grown = refund__realloc_array(&l->engine->alloc, l->ids, cap, sizeof(*l->ids));

		if (!grown)
			return refund__fail_code(l->engine, REFUND_ENOMEM);
		l->ids = grown;
		l->cap = cap;
	}
	memcpy(l->ids[l->count++], rec->id, strlen(rec->id) + 1);
	return 0;
}

static int check_filter(refund_engine *e, const refund_case_filter *filter,
		refund_store_filter *sf)
{
	int rc;

	memset(sf, 0, sizeof(*sf));
	if (!filter)
		return 0;
	if (filter->version != REFUND_CASE_FILTER_VERSION)
		return refund__fail(e, REFUND_EVERSION, "unknown refund_case_filter version %u",
				"refund_case_filter 版本 %u 未知", filter->version);
	if ((rc = refund__check_optional_id(e, "deposit id", filter->deposit_id)) != 0 ||
	    (rc = refund__check_optional_id(e, "holder", filter->holder)) != 0 ||
	    (rc = refund__check_optional_id(e, "agent", filter->agent)) != 0 ||
	    (rc = refund__check_optional_id(e, "after_id", filter->after_id)) != 0)
		return rc;
	if (filter->state != 0 && !refund_case_state_name(filter->state))
		return refund__fail(e, REFUND_EINVAL, "unknown state %d", "未知状态 %d",
				filter->state);
	sf->deposit_id = filter->deposit_id;
	sf->holder = filter->holder;
	sf->agent = filter->agent;
	sf->state = filter->state ? refund_case_state_name(filter->state) : NULL;
	sf->after_id = filter->after_id;
	sf->limit = filter->limit;
	return 0;
}

int refund_case_list(refund_engine *e, const refund_case_filter *filter,
		refund_case_cb cb, void *ctx)
{
	refund_store_filter sf;
	id_list l;
	size_t i;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!cb)
		return refund__fail(e, REFUND_EINVAL, "callback is NULL", "回调为空");
	if ((rc = check_filter(e, filter, &sf)) != 0)
		return rc;
	memset(&l, 0, sizeof(l));
	l.engine = e;
	rc = refund__store_scan(e, REFUND_RECORD_CASE, &sf, collect_id, &l);
	for (i = 0; rc == 0 && i < l.count; i++) {
		refund_case *c = NULL;

		if ((rc = refund_case_load(e, &c, l.ids[i])) == REFUND_ENOTFOUND) {
			rc = 0;  /* gone since the scan */
			continue;
		}
		if (rc == 0) {
			rc = cb(ctx, c);
			refund_case_free(c);
		}
	}
	refund__free(&e->alloc, l.ids);
	return rc;
}

/* ---- reading ---- */

const char *refund_case_id(const refund_case *c) { return c ? c->r->id : NULL; }
const char *refund_case_deposit_id(const refund_case *c) { return c ? c->r->deposit_id : NULL; }
int refund_case_state(const refund_case *c) { return c ? c->r->state : 0; }
int refund_case_reason(const refund_case *c) { return c ? c->r->reason : 0; }
uint64_t refund_case_version(const refund_case *c) { return c ? c->version : 0; }
uint32_t refund_case_escalations(const refund_case *c) { return c ? c->r->escalated : 0; }

const char *refund_case_policy(const refund_case *c, uint32_t *version)
{
	if (!c)
		return NULL;
	if (version)
		*version = c->r->policy_version;
	return c->r->policy_id;
}

static uint32_t attached(const case_record *r)
{
	uint32_t mask = 0;
	int i;

	for (i = 0; i < r->nevidence; i++)
		mask |= REFUND_EVIDENCE_BIT(r->evidence[i].kind);
	return mask;
}

uint32_t refund_case_evidence(const refund_case *c)
{
	return c ? attached(c->r) : 0;
}

static uint32_t missing(const refund_policy *p, const case_record *r)
{
	uint32_t want = r->state == REFUND_STATE_AWAITING_DOCUMENTS ? r->requested
			: refund__policy_required_evidence(p, r->reason);

	return want & ~attached(r);
}

uint32_t refund_case_missing_evidence(const refund_case *c)
{
	return c ? missing(c->policy, c->r) : 0;
}

int refund_case_part_count(const refund_case *c)
{
	return c ? c->r->nparts : 0;
}

int refund_case_part(const refund_case *c, int part, refund_part *out)
{
	const case_part *p;

	if (!c)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(c->engine, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if (out->version != REFUND_PART_VERSION)
		return refund__fail(c->engine, REFUND_EVERSION, "unknown refund_part version %u",
				"refund_part 版本 %u 未知", out->version);
	if (part < 1 || part > c->r->nparts)
		return refund__fail(c->engine, REFUND_ENOTFOUND,
				"case %s has %d payout parts; there is no part %d",
				"案件 %s 共 %d 期退款，不存在第 %d 期", c->r->id, c->r->nparts, part);
	p = &c->r->parts[part - 1];
	out->amount = p->amount;
	out->due = p->due;
	out->status = p->status;
	out->attempts = p->attempts;
	out->reference = p->reference[0] ? p->reference : NULL;
	out->failure = p->failure[0] ? p->failure : NULL;
	return 0;
}

/* ---- taking an action ---- */

#define MAX_SPECS DEPOSIT_STAGE_ENTRIES

/* One transition in the making: the handle is untouched until commit. */
typedef struct txn {
	refund_case *c;
	refund_engine *e;
	int action;
	const refund_act *act;
	const case_args *args;
	const workflow_row *row;
	const refund_policy *policy;       /* in force after the action */
	refund_time now;
	refund_deposit *deposit;           /* as stored, once the action needs it */
	refund_deposit *fresh;             /* deposit if c->deposit was not current */
	deposit_entry_spec specs[MAX_SPECS];
	size_t nspecs;
	const char *open_case;             /* NULL keeps the deposit's open case */
	int replay;                        /* rebuilding from an event: see refund_case_rebuild */
	refund_quote quote;                /* the quote the action read (live), or recorded (replay) */
	int quoted;                        /* the action read the quote: the event keeps it */
	int recorded;                      /* replay: the event holds a quote */
	uint32_t recorded_version;         /* replay: the policy version after the event */
	refund_event ev;                   /* what the event records */
	char reason[160];
	case_record *next;                 /* the record after the action: the handle's
	                                      spare room (case_spare), its record
	                                      once the action commits */
} txn;

/*
 * The deposit as stored now.  The handle keeps it from one action to the
 * next (txn_end), so mostly the store is only asked whether it changed.  A
 * replay touches no deposit: what the action read from it is in the event.
 */
static int txn_deposit(txn *t)
{
	int rc;

	if (t->deposit || t->replay)
		return 0;
	rc = refund__deposit_refresh(t->e, t->c->deposit, t->next->deposit_id, &t->fresh);
	if (rc == 0)
		t->deposit = t->fresh ? t->fresh : t->c->deposit;
	return rc;
}

/* The handle keeps a deposit read afresh only if the action succeeded: a
 * failed one leaves it exactly as it was. */
static int txn_end(txn *t, int rc)
{
	if (rc == 0 && t->fresh) {
		refund_deposit_free(t->c->deposit);
		t->c->deposit = t->fresh;
	} else {
		refund_deposit_free(t->fresh);
	}
	t->fresh = NULL;
	return rc;
}

static int txn_quote(txn *t, refund_quote *q)
{
	int rc;

	if (t->replay) {
		if (!t->recorded)
			return refund__fail(t->e, REFUND_ECORRUPT, "the event holds no quote",
					"事件未记录报价");
	} else {
		if ((rc = txn_deposit(t)) != 0)
			return rc;
		memset(&t->quote, 0, sizeof(t->quote));
		t->quote.version = REFUND_QUOTE_VERSION;
		rc = refund__case_quote(t->e, t->policy, t->next, t->deposit, &t->quote);
		if (rc)
			return rc;
	}
	t->quoted = 1;
	*q = t->quote;
	return 0;
}

static int when_holds(int cond, void *ctx)
{
	txn *t = ctx;
	int part = t->args ? t->args->number : 0, i, unpaid_others = 0;

	switch (cond) {
	case WHEN_RETURN_REQUIRED:
		return t->policy->return_required;
	case WHEN_NO_RETURN:
		return !t->policy->return_required;
	case WHEN_LAST_PART:
	case WHEN_PARTS_LEFT:
		if (part < 1 || part > t->next->nparts)
			return cond == WHEN_PARTS_LEFT;  /* the action reports the bad part */
		for (i = 0; i < t->next->nparts; i++)
			if (i != part - 1 && t->next->parts[i].status != REFUND_PART_PAID)
				unpaid_others++;
		return cond == WHEN_LAST_PART ? unpaid_others == 0 : unpaid_others > 0;
	default:
		return 0;
	}
}

static int post(txn *t, int kind, int64_t amount, const char *reference)
{
	deposit_entry_spec *s;

	if (amount <= 0)
		return 0;
	if (t->nspecs == MAX_SPECS)
		return refund__fail(t->e, REFUND_EINVAL, "too many ledger entries in one action",
				"一次操作的台账记录过多");
	s = &t->specs[t->nspecs++];
	s->kind = kind;
	s->amount = amount;
	s->actor = t->act->actor;
	s->role = t->act->role;
	s->reference = reference;
	s->case_id = t->next->id;
	return 0;
}

/* ---- guards named in the table ---- */

static int window_closes(const refund_policy *p, const refund_deposit *d, refund_time *out)
{
	refund_time base = refund_deposit_paid_at(d);

	if (p->window_anchor == REFUND_WINDOW_NONE)
		return 0;
	if (p->window_anchor == REFUND_WINDOW_CONTRACT_END &&
	    refund_deposit_contract_end(d) != REFUND_TIME_NONE)
		base = refund_deposit_contract_end(d);
	*out = base + (refund_time)p->window_days * 86400;
	return 1;
}

static int guard_window(txn *t)
{
	refund_time closes = 0;
	char when[REFUND_TIME_FORMAT_MAX];
	int rc = txn_deposit(t);

	if (rc || !window_closes(t->policy, t->deposit, &closes) || t->now <= closes)
		return rc;
	refund_time_format(closes, 0, when, sizeof(when));
	return refund__fail(t->e, REFUND_EDEADLINE,
			"the application window of policy %s closed at %s",
			"政策 %s 规定的申请期限已于 %s 截止", t->policy->id, when);
}

/* An evidence kind in the words of events and messages (kind checked already). */
static const char *evidence_name(int kind)
{
	static const char *const names[] = { "", "receipt", "contract", "payment record",
		"fault report", "transaction records", "service evaluation",
		"government document", "police report", "other" };

	return names[kind];
}

static void evidence_names(uint32_t mask, char *buf, size_t size)
{
	size_t used = 0;
	int k;

	buf[0] = '\0';
	for (k = 1; k <= REFUND_EVIDENCE_OTHER && used < size; k++)
		if (mask & REFUND_EVIDENCE_BIT(k))
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
					used ? ", " : "", evidence_name(k));
}

static int guard_evidence(txn *t, uint32_t want)
{
	uint32_t lacking = want & ~attached(t->next);
	char names[200];

	if (!lacking)
		return 0;
	evidence_names(lacking, names, sizeof(names));
	return refund__fail(t->e, REFUND_EEVIDENCE,
			"case %s still needs: %s; attach them first",
			"案件 %s 仍缺少：%s；请先补充", t->next->id, names);
}

/* What the agreement pays: the approved amount, at most the net quote. */
static int64_t payout_total(const refund_quote *q)
{
	return q->approved >= 0 && q->approved < q->net ? q->approved : q->net;
}

static int guard_four_eyes(txn *t)
{
	int64_t threshold = t->policy->four_eyes;

	/* What the agreement pays, not the quote: a small approved part of a
	 * large quote is under the threshold. */
	if (threshold < 0 || payout_total(&t->next->fixed) <= threshold ||
	    strcmp(t->act->actor, t->next->approved_by) != 0)
		return 0;
	return refund__fail(t->e, REFUND_EDENIED,
			"four-eyes rule: %s approved this refund and may not also pay it out",
			"双人复核：%s 审批了该退款，不能同时执行付款", t->act->actor);
}

static int check_guards(txn *t)
{
	unsigned g = t->row->guards;
	int rc = 0;

	/* A replay has no deposit to read the window from: it was open then. */
	if ((g & GUARD_WINDOW) && !t->replay && (rc = guard_window(t)) != 0)
		return rc;
	if ((g & GUARD_EVIDENCE) &&
	    (rc = guard_evidence(t, refund__policy_required_evidence(t->policy, t->next->reason))) != 0)
		return rc;
	if ((g & GUARD_REQUESTED) && (rc = guard_evidence(t, t->next->requested)) != 0)
		return rc;
	if ((g & GUARD_OFFERED) && !t->next->offered)
		return refund__fail(t->e, REFUND_ESTATE,
				"no terms have been offered for case %s yet",
				"案件 %s 尚未提出退款协议条款", t->next->id);
	if ((g & GUARD_FOUR_EYES) && (rc = guard_four_eyes(t)) != 0)
		return rc;
	if ((g & GUARD_OFFSETS) && !t->policy->offsets_allowed)
		return refund__fail(t->e, REFUND_EDENIED,
				"policy %s does not allow offsets against outstanding fees",
				"政策 %s 不允许抵扣服务费用", t->policy->id);
	if ((g & GUARD_NOT_ACCEPTED) && t->next->accepted)
		return refund__fail(t->e, REFUND_ESTATE, "the agreement is accepted already",
				"退款协议已签署");
	return 0;
}

/* ---- what each action changes ---- */

static int apply_attach(txn *t)
{
	const case_args *a = t->args;
	case_evidence *ev;
	int rc;

	if (a->kind < REFUND_EVIDENCE_RECEIPT || a->kind > REFUND_EVIDENCE_OTHER)
		return refund__fail(t->e, REFUND_EINVAL, "unknown evidence kind %d",
				"未知证明材料类型 %d", a->kind);
	if (!a->text || !a->text[0])
		return refund__fail(t->e, REFUND_EINVAL, "the evidence needs a reference",
				"证明材料须提供引用（文件编号、哈希或链接）");
	if ((rc = refund__check_text(t->e, "evidence reference", a->text, CASE_REF_MAX)) != 0)
		return rc;
	if (t->next->nevidence == CASE_MAX_EVIDENCE)
		return refund__fail(t->e, REFUND_EINVAL, "case %s has %d attachments, the most it keeps",
				"案件 %s 已有 %d 份材料，已达上限", t->next->id, CASE_MAX_EVIDENCE);
	ev = &t->next->evidence[t->next->nevidence++];
	ev->kind = a->kind;
	ev->at = t->now;
	copy_text(ev->reference, sizeof(ev->reference), a->text);
	copy_text(t->reason, sizeof(t->reason), evidence_name(a->kind));  /* no printf: every attach */
	return 0;
}

static int apply_submit(txn *t)
{
	const refund_account *a = t->args->account;
	int rc = check_account(t->e, a);

	if (rc)
		return rc;
	t->next->method = a->method;
	copy_text(t->next->account_name, sizeof(t->next->account_name), a->name);
	copy_text(t->next->account_number, sizeof(t->next->account_number), a->number);
	copy_text(t->next->bank, sizeof(t->next->bank), a->bank);
	return 0;
}

static int apply_request_documents(txn *t)
{
	uint32_t mask = t->args->mask;

	if (mask == 0 || (mask & ~(uint32_t)REFUND_EVIDENCE_ALL))
		return refund__fail(t->e, REFUND_EINVAL,
				"name the documents asked for as evidence bits (got 0x%X)",
				"须以证明材料位掩码指明所需材料（收到 0x%X）", (unsigned)mask);
	t->next->requested = mask;
	evidence_names(mask, t->reason, sizeof(t->reason));
	return 0;
}

static int apply_provide_documents(txn *t)
{
	t->next->requested = 0;
	return 0;
}

static int apply_approve(txn *t)
{
	refund_quote q;
	int64_t amount = t->args->amount;
	char have[REFUND_MONEY_FORMAT_MAX], want[REFUND_MONEY_FORMAT_MAX];
	int rc = txn_quote(t, &q);

	if (rc)
		return rc;
	if (t->action == REFUND_ACTION_DEEMED_APPROVAL)
		amount = q.net;
	else if (amount <= 0)
		return refund__fail(t->e, REFUND_EINVAL, "the approved amount must be positive",
				"批准金额须为正数");
	if (amount > q.net) {
		refund_money_format(t->e, q.currency, amount, want, sizeof(want));
		refund_money_format(t->e, q.currency, q.net, have, sizeof(have));
		return refund__fail(t->e, REFUND_EBALANCE,
				"case %s: %s exceeds the quote of %s %s",
				"案件 %s：%s 超出报价 %s %s", t->next->id, want, have, q.currency);
	}
	t->next->approved = amount;
	copy_text(t->next->approved_by, sizeof(t->next->approved_by), t->act->actor);
	t->ev.amount = amount;
	return 0;
}

static int apply_reject(txn *t)
{
	const case_args *a = t->args;
	int rc;

	if (a->number < REFUND_REJECT_INCOMPLETE_EVIDENCE || a->number > REFUND_REJECT_OTHER)
		return refund__fail(t->e, REFUND_EINVAL, "unknown rejection reason %d",
				"未知驳回原因 %d", a->number);
	if (!a->text || !a->text[0])
		return refund__fail(t->e, REFUND_EINVAL,
				"say why the application is rejected: the applicant will read it",
				"请说明驳回理由：申请人将看到该说明");
	if ((rc = refund__check_text(t->e, "rejection text", a->text, CASE_TEXT_MAX)) != 0)
		return rc;
	t->next->reject_reason = a->number;
	copy_text(t->next->reject_text, sizeof(t->next->reject_text), a->text);
	copy_text(t->reason, sizeof(t->reason), a->text);
	return 0;
}

static int apply_appeal(txn *t)
{
	t->next->reject_reason = 0;
	t->next->reject_text[0] = '\0';
	return 0;
}

static int apply_receive_device(txn *t)
{
	int rc = refund__check_text(t->e, "tracking number", t->args->text, CASE_PAYREF_MAX);

	if (rc)
		return rc;
	if (t->args->text && !t->args->text[0])
		return refund__fail(t->e, REFUND_EINVAL,
				"a tracking number is 1 to %d bytes; pass NULL for none",
				"物流单号须为 1 至 %d 字节；没有单号请传 NULL", CASE_PAYREF_MAX);
	copy_text(t->next->tracking, sizeof(t->next->tracking), t->args->text);
	return 0;
}

static int apply_inspect(txn *t)
{
	const case_args *a = t->args;

	if (a->number < REFUND_GRADE_FINE || a->number > REFUND_GRADE_DAMAGED)
		return refund__fail(t->e, REFUND_EINVAL,
				"inspection grade %d is not fine, normal wear or damaged",
				"检查等级 %d 不是完好、自然磨损或损坏", a->number);
	if (a->number2 < 0 || a->number2 > 100)
		return refund__fail(t->e, REFUND_EINVAL, "missing parts must be 0 to 100, not %d",
				"缺失配件数须为 0 至 100，而非 %d", a->number2);
	t->next->grade = a->number;
	t->next->missing_parts = a->number2;
	return 0;
}

static int apply_set_offset(txn *t)
{
	if (t->args->amount < 0)
		return refund__fail(t->e, REFUND_EINVAL, "outstanding fees cannot be negative",
				"未结服务费不能为负数");
	t->next->offset_owed = t->args->amount;
	t->ev.amount = t->args->amount;
	return 0;
}


static int apply_offer(txn *t)
{
	int parts = t->args->number, i, rc;
	int64_t amounts[REFUND_POLICY_MAX_PARTS];
	refund_quote q;

	if (parts < 1 || parts > t->policy->max_parts)
		return refund__fail(t->e, REFUND_EINVAL,
				"policy %s allows 1 to %d payout parts, not %d",
				"政策 %s 允许分 1 至 %d 期退款，而非 %d 期", t->policy->id,
				t->policy->max_parts, parts);
	if ((rc = txn_quote(t, &q)) != 0)
		return rc;
	q.approved = t->next->approved;
	if ((rc = refund_money_allocate(payout_total(&q), NULL, (size_t)parts, amounts)) != 0)
		return refund__fail(t->e, rc, "cannot split the refund", "无法拆分退款金额");
	memset(t->next->parts, 0, sizeof(t->next->parts));
	for (i = 0; i < parts; i++) {
		t->next->parts[i].amount = amounts[i];
		t->next->parts[i].status = REFUND_PART_PENDING;
	}
	t->next->nparts = parts;
	t->next->fixed = q;
	t->next->offered = 1;
	t->ev.amount = payout_total(&q);
	return 0;
}

/* Months later on the same day of month (clamped to the month's end), same time. */
static refund_time add_months(refund_time t, int months)
{
	static const int days_in[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, mdays;
	refund_time midnight = 0;

	refund_time_to_date(t, 0, &y, &m, &d, NULL);
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	mdays = days_in[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > mdays)
		d = mdays;
	if (refund_time_from_date(y, m, d, &midnight) != 0)
		return REFUND_TIME_MAX;
	return midnight + t % 86400;
}

static int apply_accept(txn *t)
{
	const refund_quote *q = &t->next->fixed;
	int64_t paid = payout_total(q), kept;
	int i, rc;

	/* Everything the deposit holds is settled now: what is not paid out is
	 * deducted, offset or forfeited, so nothing is left unaccounted for. */
	kept = q->remaining - paid - q->damage - q->missing_parts - q->fee - q->offset;
	if ((rc = txn_deposit(t)) != 0 ||
	    (rc = post(t, REFUND_ENTRY_DAMAGE, q->damage, "inspection")) != 0 ||
	    (rc = post(t, REFUND_ENTRY_MISSING_PARTS, q->missing_parts, "inspection")) != 0 ||
	    (rc = post(t, REFUND_ENTRY_HANDLING_FEE, q->fee, "handling fee")) != 0 ||
	    (rc = post(t, REFUND_ENTRY_FEE_OFFSET, q->offset, "outstanding fees")) != 0 ||
	    (rc = post(t, REFUND_ENTRY_FORFEIT, kept, "usage tier / approval")) != 0)
		return rc;
	for (i = 0; i < t->next->nparts; i++)
		t->next->parts[i].due = add_months(t->now, i * t->policy->interval_months);
	t->next->accepted = 1;
	t->ev.amount = paid;
	return 0;
}

static int check_part(txn *t, case_part **out)
{
	int part = t->args->number;

	if (part < 1 || part > t->next->nparts)
		return refund__fail(t->e, REFUND_EINVAL, "case %s has parts 1 to %d, not %d",
				"案件 %s 的退款期数为 1 至 %d，而非 %d", t->next->id, t->next->nparts, part);
	*out = &t->next->parts[part - 1];
	if ((*out)->status == REFUND_PART_PAID)
		return refund__fail(t->e, REFUND_ESTATE,
				"part %d of case %s was paid already (reference %s); it is never paid twice",
				"第 %d 期（案件 %s）已付款（凭证 %s），不会重复付款",
				part, t->next->id, (*out)->reference);
	return 0;
}

/* "part N" for a part check_part accepted (1 .. REFUND_POLICY_MAX_PARTS):
 * every payout's reason, so without printf's cost. */
_Static_assert(REFUND_POLICY_MAX_PARTS < 10000, "a part's number has at most 4 digits");

static void part_reason(char reason[static 16], int number)
{
	char digits[4];
	int n = 0;

	memcpy(reason, "part ", 5);
	do {
		digits[n++] = (char)('0' + number % 10);
		number /= 10;
	} while (number > 0 && n < (int)sizeof(digits));
	for (reason += 5; n > 0; n--)
		*reason++ = digits[n - 1];
	*reason = '\0';
}

static int apply_pay(txn *t)
{
	case_part *p = NULL;
	int rc;

	if ((rc = check_part(t, &p)) != 0)
		return rc;
	if (!t->args->text || !t->args->text[0] ||
	    refund__check_text(t->e, "payment reference", t->args->text, CASE_PAYREF_MAX) != 0)
		return refund__fail(t->e, REFUND_EINVAL,
				"a payout needs its payment reference (1 to %d bytes)",
				"付款须提供付款凭证号（1 至 %d 字节）", CASE_PAYREF_MAX);
	p->status = REFUND_PART_PAID;
	p->attempts++;
	copy_text(p->reference, sizeof(p->reference), t->args->text);
	p->failure[0] = '\0';
	t->ev.amount = p->amount;
	part_reason(t->reason, t->args->number);
	if ((rc = txn_deposit(t)) != 0)
		return rc;
	return post(t, REFUND_ENTRY_REFUND, p->amount, p->reference);
}

static int apply_pay_failed(txn *t)
{
	case_part *p = NULL;
	int rc;

	if ((rc = check_part(t, &p)) != 0)
		return rc;
	if (!t->args->text || !t->args->text[0] ||
	    refund__check_text(t->e, "failure reason", t->args->text, CASE_FAILURE_MAX) != 0)
		return refund__fail(t->e, REFUND_EINVAL,
				"say why the payout failed (1 to %d bytes)",
				"请说明付款失败原因（1 至 %d 字节）", CASE_FAILURE_MAX);
	p->status = REFUND_PART_FAILED;
	p->attempts++;
	copy_text(p->failure, sizeof(p->failure), t->args->text);
	t->ev.amount = p->amount;
	(void)snprintf(t->reason, sizeof(t->reason), "part %d: %s", t->args->number, t->args->text);
	return 0;
}

static const char *party_name(uint32_t party)
{
	switch (party) {
	case REFUND_PARTY_REGULATOR: return "regulator";
	case REFUND_PARTY_CONSUMER_ASSOCIATION: return "consumer association";
	case REFUND_PARTY_LEGAL: return "legal counsel";
	default: return "policy's parties";
	}
}

static int apply_escalate(txn *t)
{
	uint32_t party = t->args->mask;

	if (t->args->deadline) {
		/* Fired by a deadline: to every party the policy names (maybe none). */
		party = t->policy->parties;
		copy_text(t->reason, sizeof(t->reason), party ?
				"overdue: escalated to the policy's parties" :
				"overdue: escalated to no party named");
		t->next->escalated |= party;
		return refund__clock_advance(t->e, t->policy, t->next);
	}
	if (party != REFUND_PARTY_REGULATOR && party != REFUND_PARTY_CONSUMER_ASSOCIATION &&
	    party != REFUND_PARTY_LEGAL)
		return refund__fail(t->e, REFUND_EINVAL,
				"escalate to one party: regulator, consumer association or legal counsel",
				"须升级至一个第三方：监管机构、消费者协会或法律援助");
	t->next->escalated |= party;
	copy_text(t->reason, sizeof(t->reason), party_name(party));
	return 0;
}

static int apply_reevaluate(txn *t)
{
	const refund_policy *p = NULL;
	/* 0 asked for the latest then: a replay takes the version it was. */
	uint32_t version = t->replay ? t->recorded_version : (uint32_t)t->args->number;
	int rc = refund__policy_get(t->e, t->next->policy_id, version, &p);

	if (rc)
		return rc;
	if (p->version <= t->next->policy_version)
		return refund__fail(t->e, REFUND_EINVAL,
				"policy %s version %u is not newer than the case's version %u",
				"政策 %s 第 %u 版不比案件所用的第 %u 版新", p->id, p->version,
				t->next->policy_version);
	if (strcmp(p->currency, t->next->currency) != 0)
		return refund__fail(t->e, REFUND_ECURRENCY,
				"policy %s version %u is in %s, the deposit in %s",
				"政策 %s 第 %u 版币种为 %s，押金币种为 %s", p->id, p->version,
				p->currency, t->next->currency);
	t->policy = p;
	t->next->policy_version = p->version;
	return 0;
}

static int apply_remind(txn *t)
{
	case_clock *k = &t->next->clock;
	size_t i;

	if (!t->args->deadline || !k->state)
		return refund__fail(t->e, REFUND_EINVAL, "reminders come from deadlines only",
				"提醒只能由期限触发");
	t->ev.deadline = k->due;
	if (t->now >= k->due) {
		copy_text(t->reason, sizeof(t->reason), "overdue");
		return refund__clock_advance(t->e, t->policy, t->next);
	}
	for (i = 0; i < t->policy->deadlines[k->state].nreminders; i++)
		if (k->due - t->policy->deadlines[k->state].reminders[i] <= t->now)
			k->reminders_sent |= 1u << i;
	copy_text(t->reason, sizeof(t->reason), "due soon");
	return 0;
}

static int apply_nothing(txn *t)
{
	(void)t;
	return 0;
}

typedef int (*apply_fn)(txn *t);

/* What each action changes; who may take it and where it leads is the table's. */
static const apply_fn appliers[REFUND_ACTION_COUNT] = {
	[REFUND_ACTION_OPEN] = apply_nothing,  /* open_record made the record */
	[REFUND_ACTION_ATTACH] = apply_attach,
	[REFUND_ACTION_SUBMIT] = apply_submit,
	[REFUND_ACTION_START_REVIEW] = apply_nothing,
	[REFUND_ACTION_REQUEST_DOCUMENTS] = apply_request_documents,
	[REFUND_ACTION_PROVIDE_DOCUMENTS] = apply_provide_documents,
	[REFUND_ACTION_APPROVE] = apply_approve,
	[REFUND_ACTION_DEEMED_APPROVAL] = apply_approve,
	[REFUND_ACTION_REJECT] = apply_reject,
	[REFUND_ACTION_APPEAL] = apply_appeal,
	[REFUND_ACTION_RECEIVE_DEVICE] = apply_receive_device,
	[REFUND_ACTION_INSPECT] = apply_inspect,
	[REFUND_ACTION_SET_OFFSET] = apply_set_offset,
	[REFUND_ACTION_OFFER] = apply_offer,
	[REFUND_ACTION_ACCEPT] = apply_accept,
	[REFUND_ACTION_PAY] = apply_pay,
	[REFUND_ACTION_PAY_FAILED] = apply_pay_failed,
	[REFUND_ACTION_CONFIRM] = apply_nothing,
	[REFUND_ACTION_WITHDRAW] = apply_nothing,
	[REFUND_ACTION_ESCALATE] = apply_escalate,
	[REFUND_ACTION_REEVALUATE] = apply_reevaluate,
	[REFUND_ACTION_REMIND] = apply_remind,
	[REFUND_ACTION_EXPIRE] = apply_nothing,
	[REFUND_ACTION_AUTO_CLOSE] = apply_nothing,
};

/* ---- arguments and context: binary for the event, JSON for idempotency ---- */

/* Buffers on the stack for what a transition encodes: sized for the common
 * case; anything bigger moves to one allocation (the writers' _init). */
#define ARGS_BUFFER 256
#define ARGS_JSON_BUFFER 512
#define CONTEXT_BUFFER 256
#define EVENT_BUFFER 512
#define RECORD_BUFFER 2048

/*
 * The arguments, in binary for the event and, when asked, in JSON: the form
 * their idempotency digest has always been taken of (keys stored by earlier
 * versions must still match) and format 1's, for replaying old events.
 */
typedef struct args_enc {
	bin_writer w;
	const unsigned char *bytes;   /* in w's buffer */
	size_t size;
	json_writer jw;
	const char *json;             /* in jw's buffer; NULL unless asked */
	size_t len;
	unsigned char digest[SHA256_DIGEST_SIZE];
	unsigned char buf[ARGS_BUFFER];
	char json_buf[ARGS_JSON_BUFFER];
} args_enc;

static void args_init(args_enc *a, const refund_allocator *alloc)
{
	refund__bin_writer_init(&a->w, alloc, a->buf, sizeof(a->buf));
	json_writer_init_buffer(&a->jw, alloc, a->json_buf, sizeof(a->json_buf));
	a->bytes = NULL;
	a->size = 0;
	a->json = NULL;
	a->len = 0;
	memset(a->digest, 0, sizeof(a->digest));
}

static void args_dispose(args_enc *a)
{
	refund__bin_writer_dispose(&a->w);
	json_writer_dispose(&a->jw);
}

/* The account the arguments carry, if any (of a version this library knows). */
static const refund_account *args_account(const case_args *a)
{
	return a->account && a->account->version == REFUND_ACCOUNT_VERSION ? a->account : NULL;
}

static void encode_args(json_writer *w, int action, const refund_act *act, const case_args *a)
{
	const refund_account *account = args_account(a);

	json_object_begin(w);
	json_kv_string(w, "action", refund_case_action_name(action));
	json_kv_int(w, "kind", a->kind);
	json_kv_string(w, "text", a->text);
	json_kv_string(w, "text2", a->text2);
	json_key(w, "account");
	if (account) {
		json_object_begin(w);
		json_kv_int(w, "method", account->method);
		json_kv_string(w, "name", account->name);
		json_kv_string(w, "number", account->number);
		json_kv_string(w, "bank", account->bank);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_kv_int(w, "amount", a->amount);
	json_kv_int(w, "mask", a->mask);
	json_kv_int(w, "number", a->number);
	json_kv_int(w, "number2", a->number2);
	json_kv_int(w, "deadline", a->deadline);
	json_kv_string(w, "note", act->note);
	json_kv_string(w, "key", act->idempotency_key);
	json_object_end(w);
}

/*
 * The arguments as a format-2 event holds them: what encode_args writes
 * but the action and the note, which the event holds already.
 */
static void encode_args_binary(bin_writer *w, const refund_act *act, const case_args *a)
{
	const refund_account *account = args_account(a);

	refund__bin_int(w, a->kind);
	refund__bin_text(w, a->text);
	refund__bin_text(w, a->text2);
	refund__bin_uint(w, account != NULL);
	if (account) {
		refund__bin_int(w, account->method);
		refund__bin_text(w, account->name);
		refund__bin_text(w, account->number);
		refund__bin_text(w, account->bank);
	}
	refund__bin_int(w, a->amount);
	refund__bin_uint(w, a->mask);
	refund__bin_int(w, a->number);
	refund__bin_int(w, a->number2);
	refund__bin_int(w, a->deadline);
	refund__bin_text(w, act->idempotency_key);
}

/* The arguments' texts are UTF-8 (check_act checks the note and the key). */
static int check_arg_texts(txn *t)
{
	const refund_account *account = args_account(t->args);
	const char *texts[5];
	size_t i;

	texts[0] = t->args->text;
	texts[1] = t->args->text2;
	texts[2] = account ? account->name : NULL;
	texts[3] = account ? account->number : NULL;
	texts[4] = account ? account->bank : NULL;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i] && !refund__utf8_valid(texts[i], strlen(texts[i])))
			return refund__fail(t->e, REFUND_EINVAL, "an argument is not valid UTF-8",
					"参数不是有效的 UTF-8 文本");
	return 0;
}

/*
 * What the action read from outside the case, so that a replay needs no
 * more than the events: the deposit's identity when opening, the quote
 * when approving or offering, nothing for everything else.
 */
enum { CONTEXT_NONE, CONTEXT_DEPOSIT, CONTEXT_QUOTE };

static int context_kind(const txn *t)
{
	if (t->action == REFUND_ACTION_OPEN)
		return CONTEXT_DEPOSIT;
	return t->quoted ? CONTEXT_QUOTE : CONTEXT_NONE;
}

/* The context's fields, the same in both formats but for their framing. */
static void context_fields(field_out *o, const txn *t, int kind)
{
	if (kind == CONTEXT_DEPOSIT) {
		refund__field_text(o, "holder", t->next->holder);
		refund__field_text(o, "agent", t->next->agent);
		refund__field_text(o, "currency", t->next->currency);
	} else if (kind == CONTEXT_QUOTE) {
		refund__field_object(o, "quote");
		refund__field_text(o, "currency", t->quote.currency);
		refund__case_quote_put(o, &t->quote);
		refund__field_end(o);
	}
}

/* Format 1's context, a JSON object (NULL for none); the bytes stay in w. */
static int encode_context_json(txn *t, json_writer *w, const char **out, size_t *len)
{
	field_out o = { w, NULL };
	int rc, kind = context_kind(t);

	*out = NULL;
	*len = 0;
	if (kind == CONTEXT_NONE)
		return 0;
	json_object_begin(w);
	context_fields(&o, t, kind);
	json_object_end(w);
	if ((rc = json_writer_end(w, out, len)) != 0)
		return refund__fail_code(t->e, rc);
	return 0;
}

/* Format 2's context: its kind, then its fields (decode_context_binary). */
static void encode_context_binary(txn *t, bin_writer *w)
{
	field_out o = { NULL, w };
	int kind = context_kind(t);

	refund__bin_uint(w, (uint64_t)kind);
	context_fields(&o, t, kind);
}

/*
 * REFUND_EDUPLICATE if the key was used with other arguments, 1 if it was
 * used with these (the action is done already), 0 if it is new.
 */
static int seen_key(txn *t, const unsigned char digest[SHA256_DIGEST_SIZE])
{
	const char *key = t->act->idempotency_key;
	int i;

	for (i = 0; key && i < t->next->nkeys; i++) {
		if (strcmp(t->next->keys[i].key, key) != 0)
			continue;
		if (memcmp(t->next->keys[i].digest, digest, SHA256_DIGEST_SIZE) == 0)
			return 1;
		return refund__fail(t->e, REFUND_EDUPLICATE,
				"idempotency key %s was used for a different action or arguments",
				"幂等键 %s 已用于不同的操作或参数", key);
	}
	return 0;
}

static void remember_key(case_record *r, const char *key,
		const unsigned char digest[SHA256_DIGEST_SIZE])
{
	case_key *slot = &r->keys[r->next_key];

	copy_text(slot->key, sizeof(slot->key), key);
	memcpy(slot->digest, digest, SHA256_DIGEST_SIZE);
	r->next_key = (r->next_key + 1) % CASE_MAX_KEYS;
	if (r->nkeys < CASE_MAX_KEYS)
		r->nkeys++;
}

/* ---- clocks as the table says ---- */

static int run_clock(txn *t, int from)
{
	case_record *r = t->next;
	int to = t->row->to ? t->row->to : from;

	switch (t->row->clock) {
	case CLOCK_START:
		return refund__clock_start(t->e, t->policy, r, to, t->now);
	case CLOCK_PAUSE:
		if ((refund__clock_pause(t->e, t->policy, r, t->now)) != 0)
			return REFUND_ECALENDAR;
		return refund__clock_start(t->e, t->policy, r, to, t->now);
	case CLOCK_RESUME:
		return refund__clock_resume(t->e, t->policy, r, to, t->now);
	case CLOCK_RESTART:
		/* Re-evaluation keeps the clock's start; a paid part restarts it. */
		return refund__clock_start(t->e, t->policy, r, to,
				t->action == REFUND_ACTION_REEVALUATE && r->clock.state ?
				r->clock.started : t->now);
	default:
		return 0;
	}
}

/* ---- commit: the case, the deposit (if touched) and the event at once ---- */

typedef struct staged {
	bin_writer case_writer;
	bin_writer event_writer;
	const unsigned char *case_data;  /* in case_writer */
	size_t case_size;
	const unsigned char *event_data;  /* in event_writer */
	size_t event_size;
	int has_deposit;
	refund_store_put puts[2];
	refund_store_event event;
	uint16_t case_end[CASE_SEGMENTS];  /* where case_data's segments end */
	unsigned char case_buf[RECORD_BUFFER];
	unsigned char event_buf[EVENT_BUFFER];
	deposit_stage deposit;             /* set up by refund__deposit_stage if has_deposit */
} staged;

/* Everything but the buffers, which the writers fill as they go, and the
 * deposit's stage, which only a change of the deposit sets up. */
static void staged_init(txn *t, staged *s)
{
	memset(s, 0, offsetof(staged, case_buf));
	refund__bin_writer_init(&s->case_writer, &t->e->alloc, s->case_buf, sizeof(s->case_buf));
	refund__bin_writer_init(&s->event_writer, &t->e->alloc, s->event_buf,
			sizeof(s->event_buf));
}

static void staged_dispose(txn *t, staged *s)
{
	refund__bin_writer_dispose(&s->case_writer);
	refund__bin_writer_dispose(&s->event_writer);
	if (s->has_deposit)
		refund__deposit_stage_dispose(t->deposit, &s->deposit);
}

static int stage_deposit(txn *t, staged *s)
{
	int rc;

	if (!t->nspecs && !t->open_case)
		return 0;
	if ((rc = txn_deposit(t)) != 0)
		return rc;
	rc = refund__deposit_stage(t->deposit, t->specs, t->nspecs,
			refund_deposit_days_in_service(t->deposit),
			refund_deposit_transaction_volume(t->deposit), t->open_case, t->now,
			&s->deposit);
	/* While a case is open only the case moves the deposit's money, and a
	 * current case never asks for more than remains: a ledger without room
	 * means this handle is stale (another engine paid first). */
	if (rc == REFUND_EBALANCE)
		return refund__fail(t->e, REFUND_ECONFLICT,
				"case %s was changed by someone else; load it again and retry",
				"案件 %s 已被他人修改，请重新加载后重试", t->next->id);
	if (rc)
		return rc;
	s->has_deposit = 1;
	s->puts[1] = s->deposit.put;
	return 0;
}

static void fill_event(txn *t, int from)
{
	refund_event *ev = &t->ev;

	ev->version = REFUND_EVENT_VERSION;
	ev->seq = t->c->r->nevents + 1;
	ev->at = t->now;
	ev->actor = t->act->actor;
	ev->role = t->act->role;
	ev->action = t->action;
	ev->from = from;
	ev->to = t->next->state;
	ev->reason = t->reason[0] ? t->reason : NULL;
	ev->note = t->act->note;
	ev->policy_id = t->next->policy_id;
	ev->policy_version = t->next->policy_version;
	ev->policy_version_before = t->c->r->policy_version ? t->c->r->policy_version
			: t->next->policy_version;
	if (ev->deadline == 0)
		ev->deadline = t->next->clock.state ? t->next->clock.due : REFUND_TIME_NONE;
}

/* The record after the event with that hash. */
static int event_encoded(txn *t, const unsigned char digest[SHA256_DIGEST_SIZE])
{
	t->next->nevents = t->ev.seq;
	memcpy(t->next->last_hash, digest, SHA256_DIGEST_SIZE);
	return 0;
}

/*
 * The transition's event in format 2, chained to the handle's last, written
 * with w (a fresh writer whose bytes *data stays in); the record follows it.
 */
static int encode_event(txn *t, int from, const args_enc *args, bin_writer *w,
		const unsigned char **data, size_t *size)
{
	unsigned char hash[SHA256_DIGEST_SIZE] = { 0 };  /* set when rc is 0 (for cppcheck) */
	int rc;

	fill_event(t, from);
	refund__event_begin(t->c->r, &t->ev, args->bytes, args->size, w);
	encode_context_binary(t, w);
	rc = refund__event_finish(t->e, t->c->r, w, data, size, hash);
	return rc ? rc : event_encoded(t, hash);
}

/* The same in format 1, to replay an event stored in it (args->json is needed). */
static int encode_event_json(txn *t, int from, const args_enc *args, json_writer *w,
		const char **data, size_t *size)
{
	unsigned char hash[SHA256_DIGEST_SIZE] = { 0 };  /* as above */
	char buf[CONTEXT_BUFFER];
	const char *context = NULL;
	size_t context_len = 0;
	json_writer cw;
	int rc;

	fill_event(t, from);
	json_writer_init_buffer(&cw, &t->e->alloc, buf, sizeof(buf));
	rc = encode_context_json(t, &cw, &context, &context_len);
	if (rc == 0)
		rc = refund__event_encode_json(t->e, t->c->r, &t->ev, args->json, args->len, context,
				context_len, w, data, size, hash);
	json_writer_dispose(&cw);
	return rc ? rc : event_encoded(t, hash);
}

static int stage_all(txn *t, int from, const args_enc *args, staged *s)
{
	int rc = encode_event(t, from, args, &s->event_writer, &s->event_data, &s->event_size);

	if (rc)
		return rc;
	refund__case_record_write_since(&s->case_writer, t->next, t->c->r, &t->c->kept,
			s->case_end);
	if ((rc = refund__bin_writer_end(&s->case_writer, &s->case_data, &s->case_size)) != 0)
		return refund__fail_code(t->e, rc);
	s->puts[0].kind = REFUND_RECORD_CASE;
	s->puts[0].id = t->next->id;
	s->puts[0].expected_version = t->c->version;
	s->puts[0].data = s->case_data;
	s->puts[0].size = s->case_size;
	s->puts[0].index.deposit_id = t->next->deposit_id;
	s->puts[0].index.holder = t->next->holder;
	s->puts[0].index.agent = t->next->agent;
	s->puts[0].index.state = refund_case_state_name(t->next->state);
	s->puts[0].index.next_deadline = refund__case_next_fire(t->next, t->policy);
	s->event.kind = REFUND_RECORD_CASE;
	s->event.id = t->next->id;
	s->event.seq = t->ev.seq;
	s->event.at = t->now;
	s->event.data = s->event_data;
	s->event.size = s->event_size;
	return stage_deposit(t, s);
}

static void notify_transition(txn *t)
{
	refund_notice n;

	memset(&n, 0, sizeof(n));
	n.version = REFUND_NOTICE_VERSION;
	n.kind = t->args->deadline ? (t->ev.from == t->ev.to &&
			t->action == REFUND_ACTION_REMIND && t->now < t->c->r->clock.due ?
			REFUND_NOTICE_REMINDER : REFUND_NOTICE_DEADLINE) : REFUND_NOTICE_TRANSITION;
	n.record_kind = REFUND_RECORD_CASE;
	n.id = t->next->id;
	n.actor = t->act->actor;
	n.at = t->now;
	n.amount = t->ev.amount;
	n.currency = t->next->currency;
	n.action = t->action;
	n.from_state = t->ev.from;
	n.to_state = t->ev.to;
	n.deadline = t->ev.deadline;
	n.overdue = t->c->r->clock.state && t->now >= t->c->r->clock.due;
	refund__notify(t->e, &n);
}

static int commit(txn *t, int from, const args_enc *args)
{
	staged s;
	refund_store_batch batch;
	int rc;

	staged_init(t, &s);
	rc = stage_all(t, from, args, &s);
	if (rc == 0) {
		batch.puts = s.puts;
		batch.nputs = s.has_deposit ? 2 : 1;
		batch.events = &s.event;
		batch.nevents = 1;
		rc = refund__store_commit(t->e, &batch);
		if (rc == REFUND_ENOMEM)
			refund__fail_code(t->e, rc);  /* the store's own, not described yet */
	}
	if (rc) {
		staged_dispose(t, &s);
		return rc;
	}
	if (s.has_deposit) {
		refund__deposit_apply(t->deposit, &s.deposit);
		s.has_deposit = 0;
	}
	refund__case_kept_set(&t->c->kept, s.case_data, s.case_size, s.case_end);
	staged_dispose(t, &s);
	notify_transition(t);
	t->c->r = t->next;  /* the spare room becomes the record: nothing to copy */
	t->c->version++;
	t->c->policy = t->policy;
	return 0;
}

/* ---- the one way to act ---- */

/* The store passes these back undescribed, from any of its calls. */
static int describe_store(refund_engine *e, int rc, const char *case_id)
{
	if (rc == REFUND_ECONFLICT)
		return refund__fail(e, rc,
				"case %s was changed by someone else; load it again and retry",
				"案件 %s 已被他人修改，请重新加载后重试", case_id);
	if (rc == REFUND_EBUSY)
		return refund__fail(e, rc, "the store is busy; case %s is unchanged: retry",
				"存储繁忙，案件 %s 未作修改，请重试", case_id);
	return rc;
}

static void txn_init(txn *t, refund_case *c, int action, const refund_act *act,
		const case_args *args, const refund_policy *policy)
{
	memset(t, 0, sizeof(*t));
	t->c = c;
	t->next = case_spare(c);  /* filled by the caller */
	t->e = c->engine;
	t->action = action;
	t->act = act;
	t->args = args;
	t->policy = policy;
}

static int find_row(txn *t)
{
	int state = t->c->r->state;

	/* Each text takes its own words ("%.0s" skips the other's). */
	t->row = refund__workflow_find(t->action, state, when_holds, t);
	if (!t->row)
		return refund__fail(t->e, REFUND_ESTATE, "case %s is %s%.0s: it cannot %s%.0s now",
				"案件 %s 处于“%.0s%s”状态，现在不能执行“%.0s%s”", t->c->r->id,
				state_name(state), state_label_zh(state),
				refund_case_action_name(t->action),
				refund_case_action_label(t->action, REFUND_LANG_ZH_CN));
	if (!refund__workflow_role_allowed(t->row, t->act->role))
		return refund__fail(t->e, REFUND_EDENIED, "the %s%.0s role may not %s%.0s a case",
				"角色“%.0s%s”无权对案件执行“%.0s%s”", refund_role_name(t->act->role),
				refund_role_label(t->act->role, REFUND_LANG_ZH_CN),
				refund_case_action_name(t->action),
				refund_case_action_label(t->action, REFUND_LANG_ZH_CN));
	return 0;
}

/*
 * What the action does once the table allowed it and its guards passed:
 * the same when it is taken and when it is replayed from its event.
 */
static int apply_step(txn *t, int from, const unsigned char digest[SHA256_DIGEST_SIZE])
{
	int rc = appliers[t->action](t);

	if (rc)
		return rc;
	if (t->row->to)
		t->next->state = t->row->to;
	if (refund__workflow_state_final(t->next->state))
		t->open_case = "";
	if ((rc = run_clock(t, from)) != 0)
		return rc;
	if (t->act->idempotency_key)
		remember_key(t->next, t->act->idempotency_key, digest);
	return 0;
}

/*
 * Check and encode the arguments (invalid UTF-8 is refused here, before
 * anything else); with an idempotency key to remember, or `json` asked for
 * (a format-1 replay), in JSON too, and with a key the digest of that JSON.
 * Call args_dispose after, whatever this returned.
 */
static int digest_args(txn *t, args_enc *a, int json)
{
	int rc;

	if ((rc = check_arg_texts(t)) != 0)
		return rc;
	encode_args_binary(&a->w, t->act, t->args);
	if ((rc = refund__bin_writer_end(&a->w, &a->bytes, &a->size)) != 0)
		return refund__fail_code(t->e, rc);
	if (!t->act->idempotency_key && !json)
		return 0;
	encode_args(&a->jw, t->action, t->act, t->args);
	if ((rc = json_writer_end(&a->jw, &a->json, &a->len)) != 0)
		return refund__fail_code(t->e, rc);  /* the texts were checked: ENOMEM */
	if (t->act->idempotency_key)
		sha256(a->json, a->len, a->digest);
	return 0;
}

int refund__case_act(refund_case *c, int action, const refund_act *act, const case_args *args)
{
	args_enc a;
	txn t;
	int rc, from;

	txn_init(&t, c, action, act, args, c->policy);
	from = c->r->state;
	if ((rc = check_act(t.e, act)) != 0)
		return rc;
	refund__case_record_copy(t.next, c->r, refund__case_key_slots(c->r));
	args_init(&a, &t.e->alloc);
	if ((rc = digest_args(&t, &a, 0)) != 0)
		goto done;
	/* A retry of what was done already succeeds, whatever the state is now. */
	if ((rc = seen_key(&t, a.digest)) != 0) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	if ((rc = find_row(&t)) != 0)
		goto done;
	if (args->deadline)
		t.now = args->at;
	else if ((rc = refund__now(t.e, &t.now)) != 0)
		goto done;
	if ((rc = check_guards(&t)) != 0 || (rc = apply_step(&t, from, a.digest)) != 0)
		goto done;
	rc = commit(&t, from, &a);
done:
	args_dispose(&a);
	return describe_store(t.e, txn_end(&t, rc), c->r->id);
}

/* ---- opening ---- */

static int check_open_args(refund_engine *e, const char *case_id, const char *deposit_id,
		const char *policy_id, int reason, const refund_act *act)
{
	int rc;

	if ((rc = refund__check_id(e, "case id", case_id)) != 0 ||
	    (rc = refund__check_id(e, "deposit id", deposit_id)) != 0 ||
	    (rc = refund__check_id(e, "policy id", policy_id)) != 0 ||
	    (rc = check_act(e, act)) != 0)
		return rc;
	if (reason < REFUND_REASON_DEVICE_FAULT || reason > REFUND_REASON_FRAUD)
		return refund__fail(e, REFUND_EINVAL, "unknown refund reason %d",
				"未知退款原因 %d", reason);
	return 0;
}

/* What a new record takes from its deposit (kept in the opening event). */
typedef struct deposit_identity {
	const char *id, *holder, *agent, *currency;
} deposit_identity;

/* The new record, for a deposit of that identity (ids checked already). */
static int new_record(txn *t, const char *case_id, const deposit_identity *d, int reason)
{
	case_record *r = t->next;

	refund__case_record_clear(r);
	copy_text(r->id, sizeof(r->id), case_id);
	copy_text(r->deposit_id, sizeof(r->deposit_id), d->id);
	copy_text(r->holder, sizeof(r->holder), d->holder);
	copy_text(r->agent, sizeof(r->agent), d->agent);
	copy_text(r->currency, sizeof(r->currency), d->currency);
	copy_text(r->policy_id, sizeof(r->policy_id), t->policy->id);
	r->policy_version = t->policy->version;
	r->reason = reason;
	r->opened_at = t->now;
	r->approved = -1;
	r->fixed.version = REFUND_QUOTE_VERSION;
	r->fixed.approved = -1;
	memcpy(r->fixed.currency, r->currency, sizeof(r->currency));
	if (strcmp(t->policy->currency, r->currency) != 0)
		return refund__fail(t->e, REFUND_ECURRENCY,
				"policy %s is in %s but deposit %s is in %s",
				"政策 %s 的币种为 %s，押金 %s 的币种为 %s", t->policy->id,
				t->policy->currency, r->deposit_id, r->currency);
	return 0;
}

/* The new record, from the deposit it is for. */
static int open_record(txn *t, const char *case_id, int reason)
{
	const refund_deposit *d = t->deposit;
	deposit_identity id;
	int rc;

	id.id = refund_deposit_id(d);
	id.holder = refund_deposit_holder(d);
	id.agent = refund_deposit_agent(d);
	id.currency = refund_deposit_currency(d);
	if ((rc = new_record(t, case_id, &id, reason)) != 0)
		return rc;
	if (refund_deposit_open_case(d))
		return refund__fail(t->e, REFUND_EDUPLICATE,
				"deposit %s already has case %s under way",
				"押金 %s 已有进行中的退款案件 %s", id.id, refund_deposit_open_case(d));
	return 0;
}

static int exists_cb(void *ctx, const refund_store_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

static int case_absent(refund_engine *e, const char *case_id)
{
	int rc = refund__store_load(e, REFUND_RECORD_CASE, case_id, exists_cb, NULL);

	if (rc == REFUND_ENOTFOUND)
		return 0;
	if (rc == 0)
		return refund__fail(e, REFUND_EEXISTS, "case %s exists already",
				"案件 %s 已存在", case_id);
	return rc;
}

/*
 * A retried open: the stored case remembers the key with these arguments.
 * 1 and *found if so, 0 if this is no retry, or a failure (REFUND_EDUPLICATE
 * if the key opened it with other arguments).
 */
static int open_retried(txn *t, const char *case_id, refund_case **found)
{
	load_ctx lc = { t->e, NULL };
	args_enc a;
	int rc;

	if (!t->act->idempotency_key)
		return 0;
	rc = refund__store_load(t->e, REFUND_RECORD_CASE, case_id, load_cb, &lc);
	if (rc)
		return rc == REFUND_ENOTFOUND ? 0 : rc;
	refund__case_record_copy(t->next, lc.c->r, refund__case_key_slots(lc.c->r));
	args_init(&a, &t->e->alloc);
	if ((rc = digest_args(t, &a, 0)) == 0 &&
	    (rc = seen_key(t, a.digest)) == 1 &&
	    (rc = refund__policy_get(t->e, lc.c->r->policy_id, lc.c->r->policy_version,
			&lc.c->policy)) == 0) {
		*found = lc.c;
		lc.c = NULL;
		rc = 1;
	}
	args_dispose(&a);
	refund_case_free(lc.c);
	return rc;
}

int refund_case_open(refund_engine *e, refund_case **out, const char *case_id,
		const char *deposit_id, const char *policy_id, uint32_t policy_version,
		int reason, const refund_act *act)
{
	case_args args;
	args_enc a;
	refund_case *c, *found = NULL;
	txn t;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if ((rc = check_open_args(e, case_id, deposit_id, policy_id, reason, act)) != 0)
		return rc;
	if (!(c = case_alloc(e)))
		return refund__fail_code(e, REFUND_ENOMEM);
	memset(&args, 0, sizeof(args));
	args.kind = reason;
	args.text = deposit_id;
	args.text2 = policy_id;  /* so a key reused for another policy is refused */
	args.number = (int)policy_version;
	txn_init(&t, c, REFUND_ACTION_OPEN, act, &args, NULL);
	if ((rc = open_retried(&t, case_id, &found)) != 0) {
		refund_case_free(c);
		if (rc != 1)
			return describe_store(e, rc, case_id);
		if (out)
			*out = found;
		else
			refund_case_free(found);
		return 0;
	}
	/* t.next is cleared by new_record (open_record); until then only its
	 * deposit id is read. */
	args_init(&a, &e->alloc);
	if ((rc = refund__policy_get(e, policy_id, policy_version, &t.policy)) != 0 ||
	    (rc = refund__now(e, &t.now)) != 0)
		goto done;
	copy_text(t.next->deposit_id, sizeof(t.next->deposit_id), deposit_id);
	if ((rc = txn_deposit(&t)) != 0 || (rc = open_record(&t, case_id, reason)) != 0 ||
	    (rc = find_row(&t)) != 0 || (rc = case_absent(e, case_id)) != 0 ||
	    (rc = check_guards(&t)) != 0 || (rc = digest_args(&t, &a, 0)) != 0)
		goto done;
	if ((rc = apply_step(&t, 0, a.digest)) != 0)
		goto done;
	t.open_case = case_id;
	rc = commit(&t, 0, &a);
done:
	args_dispose(&a);
	rc = txn_end(&t, rc);
	if (rc == 0 && out)
		*out = c;
	else
		refund_case_free(c);
	return describe_store(e, rc, case_id);
}

/* ---- rebuilding a case from its events ---- */

/* One event, decoded for replaying: its strings point into its DOM. */
typedef struct replay_input {
	refund_event ev;
	refund_act act;
	case_args args;
	refund_account account;
	deposit_identity deposit;      /* the opening event's context */
	refund_quote quote;            /* an approval's or offer's context */
	int has_quote;
} replay_input;

static int get_small(const json_value *o, const char *key, int min, int max, int *out)
{
	int64_t v = 0;
	int rc = json_field_int_range(o, key, min, max, &v);

	if (rc == 0)
		*out = (int)v;
	return rc;
}

static int get_mask(const json_value *o, const char *key, uint32_t *out)
{
	int64_t v = 0;
	int rc = json_field_int_range(o, key, 0, UINT32_MAX, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

static int decode_account(const json_value *v, replay_input *in)
{
	refund_account *a = &in->account;

	if (!v)
		return REFUND_ECORRUPT;
	if (v->type == JSON_NULL)
		return 0;
	a->version = REFUND_ACCOUNT_VERSION;
	if (get_small(v, "method", INT_MIN, INT_MAX, &a->method) ||
	    json_field_string(v, "name", 0, &a->name) ||
	    json_field_string(v, "number", 0, &a->number) ||
	    json_field_string(v, "bank", 0, &a->bank))
		return REFUND_ECORRUPT;
	in->args.account = a;
	return 0;
}

/* Who took the action, and when: the event says so in either format. */
static void replay_who(replay_input *in)
{
	in->act.version = REFUND_ACT_VERSION;
	in->act.actor = in->ev.actor;
	in->act.role = in->ev.role;
	in->act.note = in->ev.note;
	in->args.at = in->ev.at;  /* a deadline fired at the tick's time, the event's */
}

/* Format 1: the action's arguments, as encode_args wrote them. */
static int decode_args(const json_value *root, replay_input *in)
{
	const json_value *a = NULL;

	if (json_field_object(root, "args", 1, &a) ||
	    get_small(a, "kind", INT_MIN, INT_MAX, &in->args.kind) ||
	    json_field_string(a, "text", 0, &in->args.text) ||
	    json_field_string(a, "text2", 0, &in->args.text2) ||
	    json_field_int_range(a, "amount", INT64_MIN, INT64_MAX, &in->args.amount) ||
	    get_mask(a, "mask", &in->args.mask) ||
	    get_small(a, "number", INT_MIN, INT_MAX, &in->args.number) ||
	    get_small(a, "number2", INT_MIN, INT_MAX, &in->args.number2) ||
	    get_small(a, "deadline", 0, 1, &in->args.deadline) ||
	    json_field_string(a, "note", 0, &in->act.note) ||
	    json_field_string(a, "key", 0, &in->act.idempotency_key) ||
	    decode_account(json_get(a, "account"), in))
		return REFUND_ECORRUPT;
	return 0;
}

static int decode_currency(const json_value *o, const char **out)
{
	if (json_field_string(o, "currency", 1, out) || strlen(*out) != 3)
		return REFUND_ECORRUPT;
	return 0;
}

/* Format 1: what the action read from outside the case, as encode_context_json wrote it. */
static int decode_context(const json_value *root, replay_input *in)
{
	const json_value *ctx = json_get(root, "context"), *q = NULL;
	deposit_identity *d = &in->deposit;
	const char *currency = NULL;
	field_in quote;

	if (!ctx)
		return REFUND_ECORRUPT;
	if (ctx->type == JSON_NULL)
		return 0;
	if (in->ev.action == REFUND_ACTION_OPEN)
		return json_field_string(ctx, "holder", 1, &d->holder) ||
		       json_field_string(ctx, "agent", 1, &d->agent) ||
		       decode_currency(ctx, &d->currency) ||
		       refund__check_id(NULL, "", d->holder) ||
		       refund__check_id(NULL, "", d->agent) ? REFUND_ECORRUPT : 0;
	if (json_field_object(ctx, "quote", 1, &q) || decode_currency(q, &currency))
		return REFUND_ECORRUPT;
	refund__field_in_json(&quote, q);
	refund__case_quote_get(&quote, &in->quote);
	if (refund__field_failed(&quote))
		return REFUND_ECORRUPT;
	memcpy(in->quote.currency, currency, sizeof(in->quote.currency));
	in->has_quote = 1;
	return 0;
}

/* Format 2: the arguments, as encode_args_binary wrote them. */
static void decode_args_binary(event_view *v, replay_input *in)
{
	bin_reader *r = &v->rest;
	refund_account *account = &in->account;

	in->args.kind = (int)refund__bin_read_int(r, INT_MIN, INT_MAX);
	in->args.text = refund__bin_read_text_copy(r, &v->room, 1);
	in->args.text2 = refund__bin_read_text_copy(r, &v->room, 1);
	if (refund__bin_read_uint(r, 1)) {
		account->version = REFUND_ACCOUNT_VERSION;
		account->method = (int)refund__bin_read_int(r, INT_MIN, INT_MAX);
		account->name = refund__bin_read_text_copy(r, &v->room, 1);
		account->number = refund__bin_read_text_copy(r, &v->room, 1);
		account->bank = refund__bin_read_text_copy(r, &v->room, 1);
		in->args.account = account;
	}
	in->args.amount = refund__bin_read_int(r, INT64_MIN, INT64_MAX);
	in->args.mask = (uint32_t)refund__bin_read_uint(r, UINT32_MAX);
	in->args.number = (int)refund__bin_read_int(r, INT_MIN, INT_MAX);
	in->args.number2 = (int)refund__bin_read_int(r, INT_MIN, INT_MAX);
	in->args.deadline = (int)refund__bin_read_int(r, 0, 1);
	in->act.idempotency_key = refund__bin_read_text_copy(r, &v->room, 1);
}

/* A three-letter currency code, copied to room: NULL (and r corrupt) if not. */
static const char *read_currency(bin_reader *r, bin_texts *room)
{
	const char *code = refund__bin_read_text_copy(r, room, 0);

	if (code && strlen(code) != 3) {
		refund__bin_reader_corrupt(r);
		return NULL;
	}
	return code;
}

/* Format 2: the quote an approval or offer read, as encode_context_binary wrote it. */
static void decode_quote_binary(event_view *v, refund_quote *q)
{
	bin_reader *r = &v->rest;
	const char *currency = read_currency(r, &v->room);

	q->version = REFUND_QUOTE_VERSION;
	if (currency)
		memcpy(q->currency, currency, sizeof(q->currency));
	field_in in;

	refund__field_in_binary(&in, r);
	refund__case_quote_get(&in, q);
}

/* Format 2: the context, as encode_context_binary wrote it; the opening's
 * only on the opening, a quote only on other actions. */
static int decode_context_binary(event_view *v, replay_input *in)
{
	bin_reader *r = &v->rest;
	deposit_identity *d = &in->deposit;
	int kind = (int)refund__bin_read_uint(r, CONTEXT_QUOTE);
	int open = in->ev.action == REFUND_ACTION_OPEN;

	if (kind == CONTEXT_DEPOSIT && open) {
		d->holder = refund__bin_read_text_copy(r, &v->room, 0);
		d->agent = refund__bin_read_text_copy(r, &v->room, 0);
		d->currency = read_currency(r, &v->room);
		if (r->error || refund__check_id(NULL, "", d->holder) ||
		    refund__check_id(NULL, "", d->agent))
			return REFUND_ECORRUPT;
	} else if (kind == CONTEXT_QUOTE && !open) {
		decode_quote_binary(v, &in->quote);
		in->has_quote = 1;
	} else if (kind != CONTEXT_NONE) {
		return REFUND_ECORRUPT;
	}
	return refund__bin_reader_end(r);
}

/* The event's arguments and context, from either format: 0 or REFUND_ECORRUPT. */
static int decode_replay_input(event_view *v, replay_input *in)
{
	in->ev = v->ev;
	replay_who(in);
	if (v->format == 1)
		return decode_args(v->root, in) || decode_context(v->root, in) ? REFUND_ECORRUPT : 0;
	decode_args_binary(v, in);
	return decode_context_binary(v, in);
}

/* The opening record, from the event's arguments and context. */
static int replay_open(txn *t, const replay_input *in)
{
	const char *case_id = t->c->r->id;
	deposit_identity d = in->deposit;
	int rc;

	d.id = in->args.text;
	if (!d.holder)
		return refund__fail(t->e, REFUND_ECORRUPT, "the opening event holds no deposit",
				"开案事件未记录押金信息");
	if ((rc = check_open_args(t->e, case_id, d.id, in->ev.policy_id, in->args.kind,
			t->act)) != 0 ||
	    (rc = refund__policy_get(t->e, in->ev.policy_id, in->ev.policy_version,
			&t->policy)) != 0)
		return rc;
	return new_record(t, case_id, &d, in->args.kind);
}

/* Where a replayed event is encoded again, in the format it is stored in. */
typedef struct replay_out {
	bin_writer bin;
	json_writer json;
	unsigned char buf[EVENT_BUFFER];
} replay_out;

static int encode_replayed(txn *t, int from, const args_enc *a, int format, replay_out *out,
		const void **data, size_t *size)
{
	const unsigned char *bytes = NULL;
	const char *text = NULL;
	int rc;

	if (format == 1) {
		rc = encode_event_json(t, from, a, &out->json, &text, size);
		*data = text;
	} else {
		rc = encode_event(t, from, a, &out->bin, &bytes, size);
		*data = bytes;
	}
	return rc;
}

/*
 * Take the event's action again on the handle, as refund__case_act would
 * but without the store: 0 and the handle one event on if it gives the
 * stored bytes again; REFUND_ECORRUPT (undescribed) if it gives others.
 */
static int replay_step(refund_case *c, const replay_input *in, const event_copy *copy,
		int format)
{
	const void *data = NULL;
	size_t size = 0;
	int from = c->r->state, open = in->ev.action == REFUND_ACTION_OPEN, rc;
	replay_out out;
	args_enc a;
	txn t;

	if (copy->seq != c->r->nevents + 1 || in->ev.seq != copy->seq || open != !c->r->nevents)
		return REFUND_ECORRUPT;
	txn_init(&t, c, in->ev.action, &in->act, &in->args, c->policy);
	t.replay = 1;
	t.now = in->ev.at;
	t.quote = in->quote;
	t.recorded = in->has_quote;
	t.recorded_version = in->ev.policy_version;
	refund__case_record_copy(t.next, c->r, refund__case_key_slots(c->r));
	args_init(&a, &t.e->alloc);
	refund__bin_writer_init(&out.bin, &t.e->alloc, out.buf, sizeof(out.buf));
	json_writer_init(&out.json, &t.e->alloc);
	if ((rc = check_act(t.e, t.act)) != 0 || (open && (rc = replay_open(&t, in)) != 0) ||
	    (rc = digest_args(&t, &a, format == 1)) != 0 || (rc = find_row(&t)) != 0 ||
	    (rc = check_guards(&t)) != 0 || (rc = apply_step(&t, from, a.digest)) != 0 ||
	    (rc = encode_replayed(&t, from, &a, format, &out, &data, &size)) != 0)
		goto done;
	if (size != copy->size || memcmp(data, copy->data, size) != 0) {
		rc = REFUND_ECORRUPT;
		goto done;
	}
	c->r = t.next;
	c->kept.size = 0;  /* a replay stores nothing */
	c->policy = t.policy;
	c->version++;  /* each transition put the record once */
done:
	args_dispose(&a);
	refund__bin_writer_dispose(&out.bin);
	json_writer_dispose(&out.json);
	return rc;
}

/* Why event `seq` did not replay, for the host: what failed, if it was said. */
static int replay_failed(refund_engine *e, const char *case_id, uint64_t seq, int rc,
		unsigned long failures)
{
	char cause[REFUND_ERRMSG_SIZE];

	if (rc == REFUND_ENOMEM)
		return refund__fail_code(e, rc);
	if (rc == REFUND_ESTORE || rc == REFUND_EBUSY)
		return rc;
	if (e->failures == failures)
		return refund__fail(e, REFUND_ECORRUPT,
				"case %s: event %llu does not replay to the stored event",
				"案件 %s：事件 %llu 重放后与存储的事件不一致", case_id,
				(unsigned long long)seq);
	memcpy(cause, e->errmsg, sizeof(cause));
	return refund__fail(e, REFUND_ECORRUPT, "case %s: event %llu does not replay: %s",
			"案件 %s：事件 %llu 无法重放：%s", case_id, (unsigned long long)seq, cause);
}

static int replay_event(refund_case *c, const event_copy *copy)
{
	refund_engine *e = c->engine;
	unsigned long failures = e->failures;
	replay_input in;
	event_view v;
	char prev[SHA256_HEX_SIZE] = "";
	int rc;

	memset(&in, 0, sizeof(in));
	if (c->r->nevents)
		sha256_hex(c->r->last_hash, prev);
	rc = refund__event_view(e, copy->data, copy->size, prev, &v);
	if (rc == 0)
		rc = decode_replay_input(&v, &in);
	if (rc == REFUND_ECORRUPT) {
		refund__event_view_dispose(e, &v);
		return refund__fail(e, rc, "case %s: event %llu cannot be decoded",
				"案件 %s：事件 %llu 无法解析", c->r->id, (unsigned long long)copy->seq);
	}
	if (rc == 0)
		rc = replay_step(c, &in, copy, v.format);
	refund__event_view_dispose(e, &v);
	return rc ? replay_failed(e, c->r->id, copy->seq, rc, failures) : 0;
}

int refund_case_rebuild(refund_engine *e, const char *case_id, refund_case **out)
{
	event_copy *events = NULL;
	refund_case *c = NULL;
	size_t count = 0, i;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(e, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if ((rc = refund__check_id(e, "case id", case_id)) != 0 ||
	    (rc = refund__event_copies(e, case_id, &events, &count)) != 0)
		return rc;
	if (count == 0)
		rc = refund__fail(e, REFUND_ENOTFOUND, "case %s has no events",
				"案件 %s 没有事件记录", case_id);
	else if (!(c = case_alloc(e)))
		rc = refund__fail_code(e, REFUND_ENOMEM);
	else
		copy_text(c->r->id, sizeof(c->r->id), case_id);
	for (i = 0; rc == 0 && i < count; i++)
		rc = replay_event(c, &events[i]);
	refund__event_copies_free(e, events, count);
	if (rc) {
		refund_case_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* ---- the public actions: each names its arguments and calls refund__case_act ---- */

static int act_on(refund_case *c, int action, const refund_act *act, const case_args *args)
{
	if (!c)
		return REFUND_EINVAL;
	return refund__case_act(c, action, act, args);
}

#define ARGS(...) case_args args; memset(&args, 0, sizeof(args)); __VA_ARGS__

int refund_case_attach(refund_case *c, const refund_act *act, int kind, const char *reference)
{
	ARGS(args.kind = kind; args.text = reference;)
	return act_on(c, REFUND_ACTION_ATTACH, act, &args);
}

int refund_case_submit(refund_case *c, const refund_act *act, const refund_account *account)
{
	ARGS(args.account = account;)
	return act_on(c, REFUND_ACTION_SUBMIT, act, &args);
}

int refund_case_start_review(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_START_REVIEW, act, &args);
}

int refund_case_request_documents(refund_case *c, const refund_act *act, uint32_t evidence_mask)
{
	ARGS(args.mask = evidence_mask;)
	return act_on(c, REFUND_ACTION_REQUEST_DOCUMENTS, act, &args);
}

int refund_case_provide_documents(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_PROVIDE_DOCUMENTS, act, &args);
}

int refund_case_approve(refund_case *c, const refund_act *act, int64_t amount)
{
	ARGS(args.amount = amount;)
	return act_on(c, REFUND_ACTION_APPROVE, act, &args);
}

int refund_case_reject(refund_case *c, const refund_act *act, int reason, const char *text)
{
	ARGS(args.number = reason; args.text = text;)
	return act_on(c, REFUND_ACTION_REJECT, act, &args);
}

int refund_case_appeal(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_APPEAL, act, &args);
}

int refund_case_receive_device(refund_case *c, const refund_act *act, const char *tracking)
{
	ARGS(args.text = tracking;)
	return act_on(c, REFUND_ACTION_RECEIVE_DEVICE, act, &args);
}

int refund_case_inspect(refund_case *c, const refund_act *act, int grade, int missing_parts)
{
	ARGS(args.number = grade; args.number2 = missing_parts;)
	return act_on(c, REFUND_ACTION_INSPECT, act, &args);
}

int refund_case_set_offset(refund_case *c, const refund_act *act, int64_t owed)
{
	ARGS(args.amount = owed;)
	return act_on(c, REFUND_ACTION_SET_OFFSET, act, &args);
}

int refund_case_offer(refund_case *c, const refund_act *act, int parts)
{
	ARGS(args.number = parts;)
	return act_on(c, REFUND_ACTION_OFFER, act, &args);
}

int refund_case_accept(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_ACCEPT, act, &args);
}

int refund_case_pay(refund_case *c, const refund_act *act, int part, const char *reference)
{
	ARGS(args.number = part; args.text = reference;)
	return act_on(c, REFUND_ACTION_PAY, act, &args);
}

int refund_case_pay_failed(refund_case *c, const refund_act *act, int part, const char *reason)
{
	ARGS(args.number = part; args.text = reason;)
	return act_on(c, REFUND_ACTION_PAY_FAILED, act, &args);
}

int refund_case_confirm(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_CONFIRM, act, &args);
}

int refund_case_withdraw(refund_case *c, const refund_act *act)
{
	ARGS()
	return act_on(c, REFUND_ACTION_WITHDRAW, act, &args);
}

int refund_case_escalate(refund_case *c, const refund_act *act, int party)
{
	ARGS(args.mask = (uint32_t)party;)
	return act_on(c, REFUND_ACTION_ESCALATE, act, &args);
}

int refund_case_reevaluate(refund_case *c, const refund_act *act, uint32_t policy_version)
{
	ARGS(args.number = (int)policy_version;)
	return act_on(c, REFUND_ACTION_REEVALUATE, act, &args);
}

/* ---- quotes ---- */

int refund_case_quote(refund_case *c, refund_quote *out)
{
	refund_deposit *d = NULL;
	int rc;

	if (!c)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(c->engine, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if (out->version != REFUND_QUOTE_VERSION)
		return refund__fail(c->engine, REFUND_EVERSION, "unknown refund_quote version %u",
				"refund_quote 版本 %u 未知", out->version);
	if ((rc = refund_deposit_load(c->engine, &d, c->r->deposit_id)) != 0)
		return rc;
	rc = refund__case_quote(c->engine, c->policy, c->r, d, out);
	refund_deposit_free(d);
	return rc;
}
