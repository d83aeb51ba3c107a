/*
 * Policies: drafts, their rules, and the published versions.
 *
 * Each published version is its own record "<id>@<version>", written once
 * and never again, so a case can rely on the version it was opened under.
 * A head record "<id>" holds the latest version number; its store version
 * equals that number, so publishing puts the head with the latest version
 * it read as the expected one and two publishers racing for the same
 * version conflict instead of overwriting each other.
 *
 * Every rule is validated by one apply_* function that checks and then
 * assigns; setters call it on drafts and the decoder calls it on stored
 * bytes, so a stored policy can never hold what a setter would refuse.
 */
#include "policy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <refund/actor.h>

#include "json.h"
#include "record.h"
#include "validate.h"
#include "workflow.h"

#define POLICY_SCHEMA 1
#define HEAD_SCHEMA 1
#define BP_MAX 10000
#define WINDOW_DAYS_MAX 36600
#define DEADLINE_AMOUNT_MAX 3660
#define INTERVAL_MONTHS_MAX 12
#define PARTIES_ALL ((uint32_t)(REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION | \
		REFUND_PARTY_LEGAL))
/* "<id>@<version>": 48 + 1 + 10 bytes, within REFUND_ID_MAX. */
#define RECORD_ID_SIZE (REFUND_POLICY_ID_MAX + 12)

#define PUBLISH_ROLES REFUND_ROLE_BIT(REFUND_ROLE_ADMIN)

/* ---- validating and assigning each rule: shared by setters and decoder ---- */

static int check_policy_id(refund_engine *e, const char *id)
{
	int rc = refund__check_id(e, "policy id", id);

	if (rc)
		return rc;
	if (strlen(id) > REFUND_POLICY_ID_MAX)
		return refund__fail(e, REFUND_EINVAL, "policy id must be 1 to %d bytes long",
				"政策编号长度须为 1 至 %d 字节", REFUND_POLICY_ID_MAX);
	if (strchr(id, '@'))
		return refund__fail(e, REFUND_EINVAL,
				"policy id %s must not contain '@' (it separates the version)",
				"政策编号 %s 不能包含“@”（用于分隔版本号）", id);
	return 0;
}

static int check_bp(refund_engine *e, const char *field, int64_t bp)
{
	if (bp < 0 || bp > BP_MAX)
		return refund__fail(e, REFUND_EINVAL,
				"%s must be 0 to 10000 basis points, not %lld",
				"%s须为 0 至 10000 个基点，而非 %lld", field, (long long)bp);
	return 0;
}

static int check_not_negative(refund_engine *e, const char *field, int64_t v)
{
	if (v < 0)
		return refund__fail(e, REFUND_EINVAL, "%s must not be negative (%lld)",
				"%s不能为负数（%lld）", field, (long long)v);
	return 0;
}

static int check_flag(refund_engine *e, const char *field, int v)
{
	if (v != 0 && v != 1)
		return refund__fail(e, REFUND_EINVAL, "%s must be 1 or 0, not %d",
				"%s须为 1 或 0，而非 %d", field, v);
	return 0;
}

static int check_evidence_mask(refund_engine *e, uint32_t mask)
{
	if (mask & ~REFUND_EVIDENCE_ALL)
		return refund__fail(e, REFUND_EINVAL,
				"evidence mask 0x%" PRIX32 " has unknown bits (use REFUND_EVIDENCE_BIT)",
				"证明材料掩码 0x%" PRIX32 " 含有未知位（请使用 REFUND_EVIDENCE_BIT）",
				mask);
	return 0;
}

/* 1 to 32 printable ASCII bytes, as calendar names are. */
static int check_calendar_name(refund_engine *e, const char *name)
{
	size_t i;

	if (!name)
		return refund__fail(e, REFUND_EINVAL, "calendar name is required", "缺少日历名称");
	for (i = 0; name[i]; i++)
		if (i >= REFUND_CALENDAR_NAME_MAX || name[i] < 0x20 || name[i] > 0x7E)
			break;
	if (i == 0 || name[i] != '\0')
		return refund__fail(e, REFUND_EINVAL,
				"a calendar name is 1 to %d printable ASCII characters",
				"日历名称须为 1 至 %d 个可打印 ASCII 字符", REFUND_CALENDAR_NAME_MAX);
	return 0;
}

static int apply_window(refund_policy *p, int anchor, int32_t days)
{
	refund_engine *e = p->engine;

	if (anchor == REFUND_WINDOW_NONE) {
		p->window_anchor = anchor;
		p->window_days = 0;
		return 0;
	}
	if (anchor != REFUND_WINDOW_CONTRACT_END && anchor != REFUND_WINDOW_PAYMENT)
		return refund__fail(e, REFUND_EINVAL, "unknown window anchor %d",
				"未知的申请期限起算点 %d", anchor);
	if (days < 1 || days > WINDOW_DAYS_MAX)
		return refund__fail(e, REFUND_EINVAL,
				"the application window must be 1 to %d days, not %ld",
				"申请期限须为 1 至 %d 天，而非 %ld", WINDOW_DAYS_MAX, (long)days);
	p->window_anchor = anchor;
	p->window_days = days;
	return 0;
}

static int apply_tier(refund_policy *p, int64_t min_days, int64_t min_volume, int32_t bp)
{
	refund_engine *e = p->engine;
	policy_tier *tier;
	int rc;

	if ((rc = check_not_negative(e, "tier min_days", min_days)) != 0 ||
	    (rc = check_not_negative(e, "tier min_volume", min_volume)) != 0 ||
	    (rc = check_bp(e, "tier percentage", bp)) != 0)
		return rc;
	if (p->ntiers >= REFUND_POLICY_MAX_TIERS)
		return refund__fail(e, REFUND_EINVAL, "policy %s has %d tiers already, the most",
				"政策 %s 已有 %d 个档位，已达上限", p->id, REFUND_POLICY_MAX_TIERS);
	tier = &p->tiers[p->ntiers++];
	tier->min_days = min_days;
	tier->min_volume = min_volume;
	tier->bp = bp;
	return 0;
}

static int apply_common_evidence(refund_policy *p, uint32_t mask)
{
	int rc = check_evidence_mask(p->engine, mask);

	if (rc == 0)
		p->common_evidence = mask;
	return rc;
}

static int apply_reason_evidence(refund_policy *p, int reason, uint32_t mask)
{
	int rc;

	if (reason < REFUND_REASON_DEVICE_FAULT || reason >= REFUND_REASON_COUNT)
		return refund__fail(p->engine, REFUND_EINVAL, "unknown refund reason %d",
				"未知退款原因 %d", reason);
	if ((rc = check_evidence_mask(p->engine, mask)) != 0)
		return rc;
	p->reason_evidence[reason] = mask;
	return 0;
}

static int apply_return_required(refund_policy *p, int required)
{
	int rc = check_flag(p->engine, "return_required", required);

	if (rc == 0)
		p->return_required = required;
	return rc;
}

static int apply_grade_deduction(refund_policy *p, int grade, int32_t bp)
{
	int rc;

	if (grade != REFUND_GRADE_DAMAGED && grade != REFUND_GRADE_NOT_RETURNED)
		return refund__fail(p->engine, REFUND_EINVAL,
				"grade %d cannot carry a deduction (only damaged or not returned)",
				"检查等级 %d 不能扣款（仅限损坏或未退回）", grade);
	if ((rc = check_bp(p->engine, "grade deduction", bp)) != 0)
		return rc;
	p->grade_bp[grade] = bp;
	return 0;
}

static int apply_missing_part(refund_policy *p, int64_t amount)
{
	int rc = check_not_negative(p->engine, "missing part deduction", amount);

	if (rc == 0)
		p->missing_part_amount = amount;
	return rc;
}

static int apply_fee(refund_policy *p, int64_t fixed, int32_t bp, int64_t min, int64_t cap)
{
	refund_engine *e = p->engine;
	int rc;

	if ((rc = check_not_negative(e, "fixed fee", fixed)) != 0 ||
	    (rc = check_bp(e, "fee percentage", bp)) != 0 ||
	    (rc = check_not_negative(e, "minimum fee", min)) != 0)
		return rc;
	if (cap != -1 && cap < min)
		return refund__fail(e, REFUND_EINVAL,
				"fee cap %lld is below the minimum %lld (use -1 for no cap)",
				"手续费上限 %lld 低于下限 %lld（无上限请用 -1）",
				(long long)cap, (long long)min);
	p->fee_fixed = fixed;
	p->fee_bp = bp;
	p->fee_min = min;
	p->fee_cap = cap;
	return 0;
}

static int apply_offsets(refund_policy *p, int allowed)
{
	int rc = check_flag(p->engine, "offsets", allowed);

	if (rc == 0)
		p->offsets_allowed = allowed;
	return rc;
}

static int apply_installments(refund_policy *p, int max_parts, int interval_months)
{
	if (max_parts < 1 || max_parts > REFUND_POLICY_MAX_PARTS)
		return refund__fail(p->engine, REFUND_EINVAL,
				"installments must be 1 to %d parts, not %d",
				"分期须为 1 至 %d 期，而非 %d", REFUND_POLICY_MAX_PARTS, max_parts);
	if (interval_months < 1 || interval_months > INTERVAL_MONTHS_MAX)
		return refund__fail(p->engine, REFUND_EINVAL,
				"installment interval must be 1 to %d months, not %d",
				"分期间隔须为 1 至 %d 个月，而非 %d", INTERVAL_MONTHS_MAX,
				interval_months);
	p->max_parts = max_parts;
	p->interval_months = interval_months;
	return 0;
}

/* Reminders, checked and sorted descending (latest reminder last). */
static int sort_reminders(refund_engine *e, const int64_t *in, size_t n, int64_t *out)
{
	size_t i, j;

	if (n > REFUND_POLICY_MAX_REMINDERS)
		return refund__fail(e, REFUND_EINVAL, "at most %d reminders per deadline, not %zu",
				"每个期限最多 %d 次提醒，而非 %zu 次", REFUND_POLICY_MAX_REMINDERS, n);
	if (n > 0 && !in)
		return refund__fail(e, REFUND_EINVAL, "reminders is NULL", "提醒列表为空");
	for (i = 0; i < n; i++) {
		int64_t r = in[i];

		if (r <= 0)
			return refund__fail(e, REFUND_EINVAL,
					"a reminder is seconds before due and must be positive, not %lld",
					"提醒为到期前的秒数，须为正数，而非 %lld", (long long)r);
		for (j = i; j > 0 && out[j - 1] < r; j--)
			out[j] = out[j - 1];
		if (j > 0 && out[j - 1] == r)
			return refund__fail(e, REFUND_EINVAL, "reminder %lld is given twice",
					"提醒 %lld 重复", (long long)r);
		out[j] = r;
	}
	return 0;
}

static int check_deadline_state(refund_engine *e, int state, int consequence)
{
	if (state <= 0 || state >= REFUND_STATE_COUNT)
		return refund__fail(e, REFUND_EINVAL, "unknown state %d", "未知状态 %d", state);
	if (refund__workflow_state_final(state))
		return refund__fail(e, REFUND_EINVAL, "state %s is final: it starts no deadline",
				"状态 %s 已终结，不设期限", refund_case_state_name(state));
	if (!refund__workflow_consequence_allowed(state, consequence))
		return refund__fail(e, REFUND_EINVAL,
				"a deadline in state %s cannot have consequence %d",
				"状态 %s 的期限不能有后果 %d", refund_case_state_name(state), consequence);
	return 0;
}

/* Everything but whether the engine knows the calendar: stored policies
 * may name one the host adds to this engine only later. */
static int apply_deadline(refund_policy *p, int state, int32_t amount, int unit,
		const char *calendar, int consequence, const int64_t *reminders,
		size_t nreminders)
{
	refund_engine *e = p->engine;
	int64_t sorted[REFUND_POLICY_MAX_REMINDERS];
	policy_deadline *d;
	int rc;

	if ((rc = check_deadline_state(e, state, consequence)) != 0)
		return rc;
	if (amount < 1 || amount > DEADLINE_AMOUNT_MAX)
		return refund__fail(e, REFUND_EINVAL, "a deadline is 1 to %d days, not %ld",
				"期限须为 1 至 %d 天，而非 %ld", DEADLINE_AMOUNT_MAX, (long)amount);
	if (unit != REFUND_CALENDAR_DAYS && unit != REFUND_BUSINESS_DAYS)
		return refund__fail(e, REFUND_EINVAL, "unknown day unit %d", "未知的天数单位 %d",
				unit);
	if ((rc = check_calendar_name(e, calendar)) != 0 ||
	    (rc = sort_reminders(e, reminders, nreminders, sorted)) != 0)
		return rc;
	d = &p->deadlines[state];
	memset(d, 0, sizeof(*d));
	d->set = 1;
	d->amount = amount;
	d->unit = unit;
	memcpy(d->calendar, calendar, strlen(calendar) + 1);
	d->consequence = consequence;
	memcpy(d->reminders, sorted, nreminders * sizeof(sorted[0]));
	d->nreminders = nreminders;
	return 0;
}

static int apply_four_eyes(refund_policy *p, int64_t threshold)
{
	if (threshold < -1)
		return refund__fail(p->engine, REFUND_EINVAL,
				"four-eyes threshold must be >= 0, or -1 for off, not %lld",
				"双人复核门槛须 >= 0（-1 表示关闭），而非 %lld", (long long)threshold);
	p->four_eyes = threshold;
	return 0;
}

static int apply_escalation(refund_policy *p, uint32_t parties)
{
	if (parties & ~PARTIES_ALL)
		return refund__fail(p->engine, REFUND_EINVAL,
				"escalation parties 0x%" PRIX32 " has unknown bits",
				"升级对象 0x%" PRIX32 " 含有未知位", parties);
	p->parties = parties;
	return 0;
}

/* ---- handles ---- */

static void set_defaults(refund_policy *p)
{
	p->window_anchor = REFUND_WINDOW_NONE;
	p->common_evidence = REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_RECEIPT) |
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_CONTRACT) |
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_PAYMENT_RECORD);
	p->reason_evidence[REFUND_REASON_DEVICE_FAULT] =
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_FAULT_REPORT);
	p->reason_evidence[REFUND_REASON_TRANSACTION_DISPUTE] =
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_TRANSACTION_RECORDS);
	p->reason_evidence[REFUND_REASON_SERVICE] =
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_SERVICE_EVALUATION);
	p->reason_evidence[REFUND_REASON_POLICY_CHANGE] =
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_GOVERNMENT_DOCUMENT);
	p->reason_evidence[REFUND_REASON_NEEDS_CHANGED] = 0;
	p->reason_evidence[REFUND_REASON_FRAUD] =
			REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_POLICE_REPORT);
	p->return_required = 1;
	p->fee_cap = -1;
	p->max_parts = 1;
	p->interval_months = 1;
	p->four_eyes = -1;
	p->published_at = REFUND_TIME_NONE;
}

static refund_policy *policy_alloc(refund_engine *e)
{
	refund_policy *p = refund__calloc(&e->alloc, 1, sizeof(*p));

	if (p)
		p->engine = e;
	return p;
}

int refund_policy_new(refund_engine *e, refund_policy **out, const char *id,
		const char *currency)
{
	refund_policy *p;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(e, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if ((rc = check_policy_id(e, id)) != 0 || (rc = refund__check_currency(e, currency)) != 0)
		return rc;
	p = policy_alloc(e);
	if (!p)
		return refund__fail_code(e, REFUND_ENOMEM);
	memcpy(p->id, id, strlen(id) + 1);
	memcpy(p->currency, currency, 4);
	set_defaults(p);
	*out = p;
	return 0;
}

void refund_policy_free(refund_policy *p)
{
	if (p)
		refund__free(&p->engine->alloc, p);
}

const char *refund_policy_id(const refund_policy *p) { return p ? p->id : NULL; }
uint32_t refund_policy_version(const refund_policy *p) { return p ? p->version : 0; }
const char *refund_policy_currency(const refund_policy *p) { return p ? p->currency : NULL; }

/* ---- setters ---- */

static int check_draft(const refund_policy *p)
{
	if (!p)
		return REFUND_EINVAL;
	if (p->version != 0)
		return refund__fail(p->engine, REFUND_ESTATE,
				"policy %s version %" PRIu32 " is published and cannot change; "
				"start a new draft",
				"政策 %s 第 %" PRIu32 " 版已发布，不可修改；请新建草稿",
				p->id, p->version);
	return 0;
}

int refund_policy_set_window(refund_policy *p, int anchor, int32_t days)
{
	int rc = check_draft(p);

	return rc ? rc : apply_window(p, anchor, days);
}

int refund_policy_add_tier(refund_policy *p, int64_t min_days, int64_t min_volume,
		int32_t bp)
{
	int rc = check_draft(p);

	return rc ? rc : apply_tier(p, min_days, min_volume, bp);
}

int refund_policy_set_common_evidence(refund_policy *p, uint32_t mask)
{
	int rc = check_draft(p);

	return rc ? rc : apply_common_evidence(p, mask);
}

int refund_policy_set_reason_evidence(refund_policy *p, int reason, uint32_t mask)
{
	int rc = check_draft(p);

	return rc ? rc : apply_reason_evidence(p, reason, mask);
}

int refund_policy_set_return_required(refund_policy *p, int required)
{
	int rc = check_draft(p);

	return rc ? rc : apply_return_required(p, required);
}

int refund_policy_set_grade_deduction(refund_policy *p, int grade, int32_t bp)
{
	int rc = check_draft(p);

	return rc ? rc : apply_grade_deduction(p, grade, bp);
}

int refund_policy_set_missing_part_deduction(refund_policy *p, int64_t amount)
{
	int rc = check_draft(p);

	return rc ? rc : apply_missing_part(p, amount);
}

int refund_policy_set_fee(refund_policy *p, int64_t fixed, int32_t bp, int64_t min,
		int64_t cap)
{
	int rc = check_draft(p);

	return rc ? rc : apply_fee(p, fixed, bp, min, cap);
}

int refund_policy_set_offsets(refund_policy *p, int allowed)
{
	int rc = check_draft(p);

	return rc ? rc : apply_offsets(p, allowed);
}

int refund_policy_set_installments(refund_policy *p, int max_parts, int interval_months)
{
	int rc = check_draft(p);

	return rc ? rc : apply_installments(p, max_parts, interval_months);
}

int refund_policy_set_deadline(refund_policy *p, int state, int32_t amount, int unit,
		const char *calendar, int consequence, const int64_t *reminders,
		size_t nreminders)
{
	policy_deadline saved;
	const refund_calendar *cal;
	int rc = check_draft(p);

	if (rc)
		return rc;
	/* Apply first (every REFUND_EINVAL comes before the registry's answer),
	 * and put the old deadline back if the engine does not know the calendar. */
	memset(&saved, 0, sizeof(saved));
	if (state > 0 && state < REFUND_STATE_COUNT)
		memcpy(&saved, &p->deadlines[state], sizeof(saved));
	if ((rc = apply_deadline(p, state, amount, unit, calendar, consequence, reminders,
			nreminders)) != 0)
		return rc;
	if ((rc = refund__engine_calendar(p->engine, calendar, &cal)) != 0)
		memcpy(&p->deadlines[state], &saved, sizeof(saved));
	return rc;
}

int refund_policy_set_four_eyes(refund_policy *p, int64_t threshold)
{
	int rc = check_draft(p);

	return rc ? rc : apply_four_eyes(p, threshold);
}

int refund_policy_set_escalation(refund_policy *p, uint32_t parties)
{
	int rc = check_draft(p);

	return rc ? rc : apply_escalation(p, parties);
}

/* ---- the rules as the case module reads them ---- */

uint32_t refund__policy_required_evidence(const refund_policy *p, int reason)
{
	uint32_t mask = p->common_evidence;

	if (reason >= REFUND_REASON_DEVICE_FAULT && reason < REFUND_REASON_COUNT)
		mask |= p->reason_evidence[reason];
	return mask;
}

int32_t refund__policy_tier_bp(const refund_policy *p, int64_t days, int64_t volume)
{
	int32_t best = 0;
	size_t i;

	if (p->ntiers == 0)
		return BP_MAX;
	for (i = 0; i < p->ntiers; i++)
		if (p->tiers[i].min_days <= days && p->tiers[i].min_volume <= volume &&
		    p->tiers[i].bp > best)
			best = p->tiers[i].bp;
	return best;
}

/* ---- encoding ---- */

static void encode_tiers(json_writer *w, const refund_policy *p)
{
	size_t i;

	json_key(w, "tiers");
	json_array_begin(w);
	for (i = 0; i < p->ntiers; i++) {
		json_object_begin(w);
		json_kv_int(w, "min_days", p->tiers[i].min_days);
		json_kv_int(w, "min_volume", p->tiers[i].min_volume);
		json_kv_int(w, "bp", p->tiers[i].bp);
		json_object_end(w);
	}
	json_array_end(w);
}

static void encode_reason_evidence(json_writer *w, const refund_policy *p)
{
	int reason;

	json_key(w, "reason_evidence");
	json_array_begin(w);
	for (reason = REFUND_REASON_DEVICE_FAULT; reason < REFUND_REASON_COUNT; reason++)
		json_int(w, p->reason_evidence[reason]);
	json_array_end(w);
}

static void encode_deadline(json_writer *w, int state, const policy_deadline *d)
{
	size_t i;

	json_object_begin(w);
	json_kv_int(w, "state", state);
	json_kv_int(w, "amount", d->amount);
	json_kv_int(w, "unit", d->unit);
	json_kv_string(w, "calendar", d->calendar);
	json_kv_int(w, "consequence", d->consequence);
	json_key(w, "reminders");
	json_array_begin(w);
	for (i = 0; i < d->nreminders; i++)
		json_int(w, d->reminders[i]);
	json_array_end(w);
	json_object_end(w);
}

static void encode_deadlines(json_writer *w, const refund_policy *p)
{
	int state;

	json_key(w, "deadlines");
	json_array_begin(w);
	for (state = 1; state < REFUND_STATE_COUNT; state++)
		if (p->deadlines[state].set)
			encode_deadline(w, state, &p->deadlines[state]);
	json_array_end(w);
}

static int encode(const refund_policy *p, char **data, size_t *size)
{
	json_writer w;

	json_writer_init(&w, &p->engine->alloc);
	json_object_begin(&w);
	json_kv_int(&w, "schema", POLICY_SCHEMA);
	json_kv_string(&w, "id", p->id);
	json_kv_int(&w, "version", p->version);
	json_kv_string(&w, "currency", p->currency);
	json_kv_int(&w, "window_anchor", p->window_anchor);
	json_kv_int(&w, "window_days", p->window_days);
	encode_tiers(&w, p);
	json_kv_int(&w, "common_evidence", p->common_evidence);
	encode_reason_evidence(&w, p);
	json_kv_int(&w, "return_required", p->return_required);
	json_kv_int(&w, "damaged_bp", p->grade_bp[REFUND_GRADE_DAMAGED]);
	json_kv_int(&w, "not_returned_bp", p->grade_bp[REFUND_GRADE_NOT_RETURNED]);
	json_kv_int(&w, "missing_part", p->missing_part_amount);
	json_kv_int(&w, "fee_fixed", p->fee_fixed);
	json_kv_int(&w, "fee_bp", p->fee_bp);
	json_kv_int(&w, "fee_min", p->fee_min);
	json_kv_int(&w, "fee_cap", p->fee_cap);
	json_kv_int(&w, "offsets", p->offsets_allowed);
	json_kv_int(&w, "max_parts", p->max_parts);
	json_kv_int(&w, "interval_months", p->interval_months);
	encode_deadlines(&w, p);
	json_kv_int(&w, "four_eyes", p->four_eyes);
	json_kv_int(&w, "parties", p->parties);
	json_kv_int(&w, "published_at", p->published_at);
	json_kv_string(&w, "published_by", p->published_by);
	json_object_end(&w);
	return json_writer_finish(&w, data, size);
}

static int encode_head(refund_engine *e, const char *id, uint32_t latest, char **data,
		size_t *size)
{
	json_writer w;

	json_writer_init(&w, &e->alloc);
	json_object_begin(&w);
	json_kv_int(&w, "schema", HEAD_SCHEMA);
	json_kv_string(&w, "id", id);
	json_kv_int(&w, "latest", latest);
	json_object_end(&w);
	return json_writer_finish(&w, data, size);
}

/* ---- decoding: stored bytes are untrusted ---- */

static int field_int(const json_value *obj, const char *key, int *out)
{
	int64_t v;

	if (json_field_int_range(obj, key, INT32_MIN, INT32_MAX, &v) != 0)
		return REFUND_ECORRUPT;
	*out = (int)v;
	return 0;
}

static int field_mask(const json_value *obj, const char *key, uint32_t *out)
{
	int64_t v;

	if (json_field_int_range(obj, key, 0, UINT32_MAX, &v) != 0)
		return REFUND_ECORRUPT;
	*out = (uint32_t)v;
	return 0;
}

/* An apply_* result as a decoding result: its refusals mean corrupt bytes. */
static int applied(int rc)
{
	return rc ? REFUND_ECORRUPT : 0;
}

static int decode_tiers(refund_policy *p, const json_value *root)
{
	const json_value *tiers = NULL;
	size_t i;

	if (json_field_array(root, "tiers", 1, &tiers) != 0 ||
	    tiers->u.array.count > REFUND_POLICY_MAX_TIERS)
		return REFUND_ECORRUPT;
	for (i = 0; i < tiers->u.array.count; i++) {
		const json_value *t = &tiers->u.array.items[i];
		int64_t days = 0, volume = 0;
		int bp = 0;

		if (t->type != JSON_OBJECT || json_field_int(t, "min_days", 1, &days) != 0 ||
		    json_field_int(t, "min_volume", 1, &volume) != 0 ||
		    field_int(t, "bp", &bp) != 0 || apply_tier(p, days, volume, bp) != 0)
			return REFUND_ECORRUPT;
	}
	return 0;
}

static int decode_reason_evidence(refund_policy *p, const json_value *root)
{
	const json_value *masks = NULL;
	int reason;

	if (json_field_array(root, "reason_evidence", 1, &masks) != 0 ||
	    masks->u.array.count != REFUND_REASON_COUNT - 1)
		return REFUND_ECORRUPT;
	for (reason = REFUND_REASON_DEVICE_FAULT; reason < REFUND_REASON_COUNT; reason++) {
		const json_value *m = &masks->u.array.items[reason - 1];

		if (m->type != JSON_INT || m->u.integer < 0 || m->u.integer > UINT32_MAX ||
		    apply_reason_evidence(p, reason, (uint32_t)m->u.integer) != 0)
			return REFUND_ECORRUPT;
	}
	return 0;
}

static int decode_deadline(refund_policy *p, const json_value *obj)
{
	int64_t reminders[REFUND_POLICY_MAX_REMINDERS];
	const json_value *list = NULL;
	const char *calendar = NULL;
	int state = 0, amount = 0, unit = 0, consequence = 0;
	size_t i, n;

	if (obj->type != JSON_OBJECT || field_int(obj, "state", &state) != 0 ||
	    field_int(obj, "amount", &amount) != 0 || field_int(obj, "unit", &unit) != 0 ||
	    json_field_string(obj, "calendar", 1, &calendar) != 0 ||
	    field_int(obj, "consequence", &consequence) != 0 ||
	    json_field_array(obj, "reminders", 1, &list) != 0)
		return REFUND_ECORRUPT;
	n = list->u.array.count;
	if (n > REFUND_POLICY_MAX_REMINDERS)
		return REFUND_ECORRUPT;
	for (i = 0; i < n; i++) {
		if (list->u.array.items[i].type != JSON_INT)
			return REFUND_ECORRUPT;
		reminders[i] = list->u.array.items[i].u.integer;
	}
	/* Each state once: a second entry would silently replace the first. */
	if (state > 0 && state < REFUND_STATE_COUNT && p->deadlines[state].set)
		return REFUND_ECORRUPT;
	return applied(apply_deadline(p, state, amount, unit, calendar, consequence,
			reminders, n));
}

static int decode_deadlines(refund_policy *p, const json_value *root)
{
	const json_value *list = NULL;
	size_t i;

	if (json_field_array(root, "deadlines", 1, &list) != 0)
		return REFUND_ECORRUPT;
	for (i = 0; i < list->u.array.count; i++)
		if (decode_deadline(p, &list->u.array.items[i]) != 0)
			return REFUND_ECORRUPT;
	return 0;
}

static int decode_identity(refund_policy *p, const json_value *root, const char *want_id,
		uint32_t want_version)
{
	const char *id = NULL, *currency = NULL;
	int64_t schema = 0, version = 0;

	if (root->type != JSON_OBJECT || json_field_int(root, "schema", 1, &schema) != 0 ||
	    schema != POLICY_SCHEMA ||
	    json_field_string(root, "id", 1, &id) != 0 || strcmp(id, want_id) != 0 ||
	    json_field_int_range(root, "version", 1, UINT32_MAX, &version) != 0 ||
	    version != want_version ||
	    json_field_string(root, "currency", 1, &currency) != 0 ||
	    refund__check_currency(p->engine, currency) != 0)
		return REFUND_ECORRUPT;
	memcpy(p->id, id, strlen(id) + 1);  /* want_id passed the id check */
	p->version = (uint32_t)version;
	memcpy(p->currency, currency, 4);
	return 0;
}

static int decode_scalars(refund_policy *p, const json_value *o)
{
	int anchor = 0, days = 0, flag = 0, bp = 0, parts = 0, interval = 0;
	int64_t fixed = 0, min = 0, cap = 0, amount = 0;
	uint32_t mask = 0;

	if (field_int(o, "window_anchor", &anchor) != 0 || field_int(o, "window_days", &days) ||
	    (anchor == REFUND_WINDOW_NONE && days != 0) || applied(apply_window(p, anchor, days)) ||
	    field_mask(o, "common_evidence", &mask) || applied(apply_common_evidence(p, mask)) ||
	    field_int(o, "return_required", &flag) ||
	    applied(apply_return_required(p, flag)) ||
	    field_int(o, "damaged_bp", &bp) ||
	    applied(apply_grade_deduction(p, REFUND_GRADE_DAMAGED, bp)) ||
	    field_int(o, "not_returned_bp", &bp) ||
	    applied(apply_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, bp)) ||
	    json_field_int(o, "missing_part", 1, &amount) ||
	    applied(apply_missing_part(p, amount)) ||
	    json_field_int(o, "fee_fixed", 1, &fixed) || field_int(o, "fee_bp", &bp) ||
	    json_field_int(o, "fee_min", 1, &min) || json_field_int(o, "fee_cap", 1, &cap) ||
	    applied(apply_fee(p, fixed, bp, min, cap)) ||
	    field_int(o, "offsets", &flag) || applied(apply_offsets(p, flag)) ||
	    field_int(o, "max_parts", &parts) || field_int(o, "interval_months", &interval) ||
	    applied(apply_installments(p, parts, interval)) ||
	    json_field_int(o, "four_eyes", 1, &amount) || applied(apply_four_eyes(p, amount)) ||
	    field_mask(o, "parties", &mask) || applied(apply_escalation(p, mask)))
		return REFUND_ECORRUPT;
	return 0;
}

static int decode_publication(refund_policy *p, const json_value *root)
{
	const char *by = NULL;
	int64_t at = 0;

	if (json_field_int_range(root, "published_at", REFUND_TIME_MIN, REFUND_TIME_MAX, &at) != 0 ||
	    json_field_string(root, "published_by", 1, &by) != 0 ||
	    refund__check_id(p->engine, "published_by", by) != 0)
		return REFUND_ECORRUPT;
	p->published_at = at;
	memcpy(p->published_by, by, strlen(by) + 1);
	return 0;
}

/* Decode version `version` of policy `id`; *out only on success. */
static int decode(refund_engine *e, const refund_store_record *rec, const char *id,
		uint32_t version, refund_policy **out)
{
	json_value *root = NULL;
	refund_policy *p;
	int rc;

	if ((rc = refund__record_parse(e, rec, &root)) != 0)
		return rc;
	p = policy_alloc(e);
	if (!p) {
		json_free(&e->alloc, root);
		return refund__fail_code(e, REFUND_ENOMEM);
	}
	if (decode_identity(p, root, id, version) != 0 || decode_tiers(p, root) != 0 ||
	    decode_reason_evidence(p, root) != 0 || decode_scalars(p, root) != 0 ||
	    decode_deadlines(p, root) != 0 || decode_publication(p, root) != 0)
		rc = REFUND_ECORRUPT;
	json_free(&e->alloc, root);
	if (rc) {
		refund_policy_free(p);
		return refund__record_corrupt(e, rec, RECORD_BAD_FIELDS);
	}
	*out = p;
	return 0;
}

/* Whether rec is the head last found sound for id (engine.h, head_seen). */
static int head_seen(const refund_engine *e, const refund_store_record *rec, const char *id)
{
	const refund_head_seen *h = &e->head_seen;

	return h->version && h->version == rec->version && h->size == rec->size &&
		strcmp(h->id, id) == 0 && memcmp(h->bytes, rec->data, rec->size) == 0;
}

static void head_sound(refund_engine *e, const refund_store_record *rec, const char *id)
{
	refund_head_seen *h = &e->head_seen;
	size_t n = strlen(id);

	h->version = 0;
	if (rec->size > sizeof(h->bytes) || n >= sizeof(h->id))
		return;
	memcpy(h->bytes, rec->data, rec->size);
	memcpy(h->id, id, n + 1);
	h->size = rec->size;
	h->version = rec->version;
}

static int decode_head(refund_engine *e, const refund_store_record *rec, const char *id,
		uint32_t *latest)
{
	json_value *root = NULL;
	const char *stored_id = NULL;
	int64_t schema = 0, n = 0;
	int rc;

	/* A sound head's version is its latest (checked below, when it was read). */
	if (head_seen(e, rec, id) && rec->version <= UINT32_MAX) {
		*latest = (uint32_t)rec->version;
		return 0;
	}
	if ((rc = refund__record_parse(e, rec, &root)) != 0)
		return rc;
	if (root->type != JSON_OBJECT || json_field_int(root, "schema", 1, &schema) != 0 ||
	    schema != HEAD_SCHEMA ||
	    json_field_string(root, "id", 1, &stored_id) != 0 || strcmp(stored_id, id) != 0 ||
	    json_field_int_range(root, "latest", 1, UINT32_MAX, &n) != 0 || rec->version != (uint64_t)n)
		rc = REFUND_ECORRUPT;
	json_free(&e->alloc, root);
	if (rc)
		return refund__record_corrupt(e, rec, RECORD_NOT_HEAD);
	head_sound(e, rec, id);
	*latest = (uint32_t)n;
	return 0;
}

/* ---- loading ---- */

typedef struct head_ctx {
	refund_engine *engine;
	const char *id;
	uint32_t latest;
} head_ctx;

static int head_cb(void *ctx, const refund_store_record *rec)
{
	head_ctx *hc = ctx;

	return decode_head(hc->engine, rec, hc->id, &hc->latest);
}

/* The latest published version of id; 0 and success if none was. */
static int load_latest(refund_engine *e, const char *id, uint32_t *latest)
{
	head_ctx hc = { e, id, 0 };
	int rc = refund__store_load(e, REFUND_RECORD_POLICY, id, head_cb, &hc);

	if (rc == REFUND_ENOTFOUND)
		rc = 0;
	if (rc == 0)
		*latest = hc.latest;
	return rc;
}

static void record_id(char *buf, const char *id, uint32_t version)
{
	/* RECORD_ID_SIZE holds the longest id, '@' and any version: never cut. */
	(void)snprintf(buf, RECORD_ID_SIZE, "%s@%" PRIu32, id, version);
}

typedef struct version_ctx {
	refund_engine *engine;
	const char *id;
	uint32_t version;
	refund_policy *policy;
} version_ctx;

static int version_cb(void *ctx, const refund_store_record *rec)
{
	version_ctx *vc = ctx;

	return decode(vc->engine, rec, vc->id, vc->version, &vc->policy);
}

/* Version `version` (0: the latest) from the store; *out only on success. */
static int load_version(refund_engine *e, const char *id, uint32_t version,
		refund_policy **out)
{
	char rid[RECORD_ID_SIZE];
	version_ctx vc = { e, id, version, NULL };
	int rc;

	if (version == 0) {
		if ((rc = load_latest(e, id, &vc.version)) != 0)
			return rc;
		if (vc.version == 0)
			return refund__fail(e, REFUND_ENOTFOUND, "no published policy %s",
					"政策 %s 尚未发布", id);
	}
	record_id(rid, id, vc.version);
	rc = refund__store_load(e, REFUND_RECORD_POLICY, rid, version_cb, &vc);
	if (rc == REFUND_ENOTFOUND)
		return refund__fail(e, rc, "policy %s has no version %" PRIu32,
				"政策 %s 没有第 %" PRIu32 " 版", id, vc.version);
	if (rc) {
		refund_policy_free(vc.policy);
		return rc;
	}
	*out = vc.policy;
	return 0;
}

int refund_policy_load(refund_engine *e, refund_policy **out, const char *id,
		uint32_t version)
{
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(e, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if ((rc = check_policy_id(e, id)) != 0)
		return rc;
	return load_version(e, id, version, out);
}

static const refund_policy *cache_find(const refund_engine *e, const char *id,
		uint32_t version)
{
	size_t i;

	for (i = 0; i < e->npolicies; i++)
		if (e->policies[i]->version == version && strcmp(e->policies[i]->id, id) == 0)
			return e->policies[i];
	return NULL;
}

int refund__policy_get(refund_engine *e, const char *id, uint32_t version,
		const refund_policy **out)
{
	refund_policy **grown, *p = NULL;
	int rc;

	if ((rc = check_policy_id(e, id)) != 0)
		return rc;
	if (version == 0) {
		/* The latest may have moved since it was cached: ask the head. */
		if ((rc = load_latest(e, id, &version)) != 0)
			return rc;
		if (version == 0)
			return refund__fail(e, REFUND_ENOTFOUND, "no published policy %s",
					"政策 %s 尚未发布", id);
	}
	if ((*out = cache_find(e, id, version)) != NULL)
		return 0;
	if ((rc = load_version(e, id, version, &p)) != 0)
		return rc;
	/* An array of pointers: sizeof(*grown) is the pointer's size, as meant. */
	grown = refund__realloc_array(&e->alloc, e->policies, e->npolicies + 1,
			sizeof(*grown)); /* NOLINT(bugprone-sizeof-expression) */
	if (!grown) {
		refund_policy_free(p);
		return refund__fail_code(e, REFUND_ENOMEM);
	}
	e->policies = grown;
	e->policies[e->npolicies++] = p;
	*out = p;
	return 0;
}

/* ---- publishing ---- */

static void put_init(refund_store_put *put, const char *id, uint64_t expected,
		const char *data, size_t size)
{
	memset(put, 0, sizeof(*put));
	put->kind = REFUND_RECORD_POLICY;
	put->id = id;
	put->expected_version = expected;
	put->data = (const unsigned char *)data;
	put->size = size;
	put->index.next_deadline = REFUND_NO_DEADLINE;
}

/* Commit `pub` (the draft as published) and its head moving from latest. */
static int commit_version(refund_engine *e, const refund_policy *pub, uint32_t latest)
{
	char rid[RECORD_ID_SIZE];
	char *head = NULL, *body = NULL;
	size_t head_size = 0, body_size = 0;
	refund_store_put puts[2];
	refund_store_batch batch = { puts, 2, NULL, 0 };
	int rc;

	if ((rc = encode_head(e, pub->id, pub->version, &head, &head_size)) != 0 ||
	    (rc = encode(pub, &body, &body_size)) != 0) {
		refund__free(&e->alloc, head);
		return refund__fail_code(e, rc);
	}
	record_id(rid, pub->id, pub->version);
	put_init(&puts[0], pub->id, latest, head, head_size);
	put_init(&puts[1], rid, 0, body, body_size);
	rc = refund__store_commit(e, &batch);
	refund__free(&e->alloc, head);
	refund__free(&e->alloc, body);
	if (rc == REFUND_ECONFLICT)
		return refund__fail(e, rc,
				"another version of policy %s was published at the same time; retry",
				"政策 %s 的另一版本同时发布；请重试", pub->id);
	return rc;
}

int refund_policy_publish(refund_policy *p, const char *actor, int role)
{
	refund_policy pub;
	refund_engine *e;
	uint32_t latest = 0;
	int rc;

	if ((rc = check_draft(p)) != 0)
		return rc;
	e = p->engine;
	if ((rc = refund__check_id(e, "actor", actor)) != 0 ||
	    (rc = refund__check_allowed(e, "publish a policy", "发布退款政策", role,
			PUBLISH_ROLES)) != 0)
		return rc;
	pub = *p;
	if ((rc = refund__now(e, &pub.published_at)) != 0 ||
	    (rc = load_latest(e, p->id, &latest)) != 0)
		return rc;
	if (latest == UINT32_MAX)
		return refund__fail(e, REFUND_EOVERFLOW, "policy %s has no version numbers left",
				"政策 %s 的版本号已用尽", p->id);
	pub.version = latest + 1;
	memcpy(pub.published_by, actor, strlen(actor) + 1);
	if ((rc = commit_version(e, &pub, latest)) != 0)
		return rc;
	*p = pub;
	return 0;
}
