/**
 * @file refund/policy.h
 * @brief refund_policy: the rules a refund case is judged by (退款政策).
 *
 * A policy is built as a draft through setters, then published under its id
 * with the next version number (1, 2, ...).  A published policy never
 * changes: a case binds to the exact version it was opened under and keeps
 * it unless explicitly re-evaluated under a newer one (政策调整).
 *
 * Every rule is optional; the defaults are stated with each setter.  A new
 * draft is: no application window, a 100% refund, the evidence of the
 * domain's table (receipt, contract and payment record for every case, plus
 * the reason's own), the terminal must be returned, no deductions, no fee,
 * no offsets, no installments, no deadlines, no four-eyes rule, no
 * escalation parties.
 */
#ifndef REFUND_POLICY_H
#define REFUND_POLICY_H

#include "common.h"
#include "actor.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A policy.  Opaque. */
typedef struct refund_policy refund_policy;

/** Why a refund is asked for (退款原因).  Values are fixed forever. */
typedef enum refund_reason {
	REFUND_REASON_DEVICE_FAULT = 1,        /**< Device fault or damage (设备故障或损坏). */
	REFUND_REASON_TRANSACTION_DISPUTE = 2, /**< Transaction anomaly or dispute (交易异常或纠纷). */
	REFUND_REASON_SERVICE = 3,             /**< Service not as agreed (服务不满意). */
	REFUND_REASON_POLICY_CHANGE = 4,       /**< Law or policy change (政策法规变动). */
	REFUND_REASON_NEEDS_CHANGED = 5,       /**< Needs changed or contract ended (需求变化, 合同到期). */
	REFUND_REASON_FRAUD = 6                /**< Fraud (遭遇诈骗). */
} refund_reason;

/** Kinds of evidence (证明材料).  Values are fixed forever. */
typedef enum refund_evidence {
	REFUND_EVIDENCE_RECEIPT = 1,             /**< Deposit receipt (押金收据). */
	REFUND_EVIDENCE_CONTRACT = 2,            /**< Contract (合同协议). */
	REFUND_EVIDENCE_PAYMENT_RECORD = 3,      /**< Payment record (交易记录/支付凭证). */
	REFUND_EVIDENCE_FAULT_REPORT = 4,        /**< Fault report (故障报告单). */
	REFUND_EVIDENCE_TRANSACTION_RECORDS = 5, /**< Transaction records, screenshots (交易记录、截图). */
	REFUND_EVIDENCE_SERVICE_EVALUATION = 6,  /**< Service quality evaluation (服务质量评价报告). */
	REFUND_EVIDENCE_GOVERNMENT_DOCUMENT = 7, /**< Government document (政府文件). */
	REFUND_EVIDENCE_POLICE_REPORT = 8,       /**< Police or platform report (报案回执). */
	REFUND_EVIDENCE_OTHER = 9                /**< Anything else. */
} refund_evidence;

/** The bit of an evidence kind in an evidence mask. */
#define REFUND_EVIDENCE_BIT(kind) (1u << (kind))

/** What an application window is counted from. */
typedef enum refund_window_anchor {
	REFUND_WINDOW_NONE = 0,           /**< No window: applications always open. */
	REFUND_WINDOW_CONTRACT_END = 1,   /**< Days after the contract's end (or payment if none). */
	REFUND_WINDOW_PAYMENT = 2         /**< Days after the deposit was paid. */
} refund_window_anchor;

/** Inspection grades of a returned terminal. */
typedef enum refund_grade {
	REFUND_GRADE_FINE = 1,          /**< As new: nothing deducted. */
	REFUND_GRADE_NORMAL_WEAR = 2,   /**< Normal wear (自然磨损): never deductible. */
	REFUND_GRADE_DAMAGED = 3,       /**< Damaged (损坏): the policy's damage deduction. */
	REFUND_GRADE_NOT_RETURNED = 4   /**< Never came back: the policy's loss deduction. */
} refund_grade;

/** How a deadline is counted. */
typedef enum refund_day_unit {
	REFUND_CALENDAR_DAYS = 1,  /**< Every day counts. */
	REFUND_BUSINESS_DAYS = 2   /**< Only the calendar's business days count. */
} refund_day_unit;

/** What happens when a deadline passes. */
typedef enum refund_consequence {
	REFUND_ON_DUE_REMIND = 1,    /**< Remind again, and again after each further period. */
	REFUND_ON_DUE_ESCALATE = 2,  /**< Escalate to the policy's parties, once. */
	REFUND_ON_DUE_EXPIRE = 3,    /**< Expire the case (the applicant missed it). */
	REFUND_ON_DUE_APPROVE = 4,   /**< Deemed approval of the full quote. */
	REFUND_ON_DUE_CLOSE = 5      /**< Close the case (after payout, or after an unappealed rejection). */
} refund_consequence;

/** Third parties a case may be escalated to (第三方). */
typedef enum refund_party {
	REFUND_PARTY_REGULATOR = 1,             /**< Industry regulator (行业监管机构). */
	REFUND_PARTY_CONSUMER_ASSOCIATION = 2,  /**< Consumer association (消费者权益保护组织). */
	REFUND_PARTY_LEGAL = 4                  /**< Legal counsel (法律援助). */
} refund_party;

/** Most usage tiers a policy holds. */
#define REFUND_POLICY_MAX_TIERS 16
/** Most reminders before one deadline. */
#define REFUND_POLICY_MAX_REMINDERS 4
/** Most installments of one refund. */
#define REFUND_POLICY_MAX_PARTS 24

/**
 * Start a draft policy.
 *
 * @param engine the engine; must outlive the policy.
 * @param out receives the draft; free with refund_policy_free().
 * @param id the policy's id, 1 to 48 printable ASCII bytes, no spaces
 *        and no '@'.
 * @param currency the currency its fixed amounts are in.
 * @return 0; REFUND_EINVAL; REFUND_ECURRENCY; REFUND_ENOMEM.
 */
REFUND_API int refund_policy_new(refund_engine *engine, refund_policy **out,
		const char *id, const char *currency);

/**
 * Free a policy handle (not the published policy).  NULL is a no-op.
 *
 * @param policy the handle; invalid afterwards.
 */
REFUND_API void refund_policy_free(refund_policy *policy);

/**
 * The policy's id.
 *
 * @param policy the policy.
 * @return a string owned by the policy; NULL for NULL.
 */
REFUND_API const char *refund_policy_id(const refund_policy *policy);

/**
 * The published version, or 0 for a draft.
 *
 * @param policy the policy.
 * @return the version; 0 for a draft or NULL.
 */
REFUND_API uint32_t refund_policy_version(const refund_policy *policy);

/**
 * The currency of the policy's fixed amounts.
 *
 * @param policy the policy.
 * @return a string owned by the policy; NULL for NULL.
 */
REFUND_API const char *refund_policy_currency(const refund_policy *policy);

/**
 * @name Setters
 * Each changes a draft only: on a published policy they return
 * REFUND_ESTATE.  Invalid values give REFUND_EINVAL and change nothing.
 * @{
 */

/**
 * The application window (时间限制).  Default: none.
 *
 * @param policy a draft.
 * @param anchor a ::refund_window_anchor.
 * @param days days after the anchor, 1 to 36600 (ignored for
 *        ::REFUND_WINDOW_NONE).
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_window(refund_policy *policy, int anchor, int32_t days);

/**
 * Add a usage tier: a deposit that has at least @p min_days in service and
 * at least @p min_volume of transactions gets @p bp of its remaining amount.
 * The best tier met applies; if tiers exist and none is met, the refund is
 * 0%.  Default: no tiers, 100%.
 *
 * @param policy a draft.
 * @param min_days >= 0.
 * @param min_volume >= 0, minor units.
 * @param bp 0 to 10000.
 * @return 0; REFUND_EINVAL (also past ::REFUND_POLICY_MAX_TIERS); REFUND_ESTATE.
 */
REFUND_API int refund_policy_add_tier(refund_policy *policy, int64_t min_days,
		int64_t min_volume, int32_t bp);

/**
 * The evidence every case needs, as a mask of ::REFUND_EVIDENCE_BIT.
 * Default: receipt, contract, payment record.
 *
 * @param policy a draft.
 * @param mask the evidence mask.
 * @return 0; REFUND_EINVAL for unknown bits; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_common_evidence(refund_policy *policy, uint32_t mask);

/**
 * The evidence a reason needs beyond the common evidence.  Defaults (the
 * domain's table): device fault: fault report; dispute: transaction records;
 * service: service evaluation; policy change: government document; needs
 * changed: nothing; fraud: police report.
 *
 * @param policy a draft.
 * @param reason a ::refund_reason.
 * @param mask the evidence mask.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_reason_evidence(refund_policy *policy, int reason,
		uint32_t mask);

/**
 * Whether the terminal must come back and be inspected before the refund.
 * Default: yes.
 *
 * @param policy a draft.
 * @param required 1 or 0.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_return_required(refund_policy *policy, int required);

/**
 * The deduction for an inspection grade, in basis points of the amount
 * held, plus a fixed amount for each missing part.  ::REFUND_GRADE_FINE and
 * ::REFUND_GRADE_NORMAL_WEAR can never carry a deduction.  Default: none.
 *
 * @param policy a draft.
 * @param grade ::REFUND_GRADE_DAMAGED or ::REFUND_GRADE_NOT_RETURNED.
 * @param bp 0 to 10000.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_grade_deduction(refund_policy *policy, int grade,
		int32_t bp);

/**
 * The deduction for each missing part (配件缺失).  Default: 0.
 *
 * @param policy a draft.
 * @param amount >= 0, minor units.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_missing_part_deduction(refund_policy *policy,
		int64_t amount);

/**
 * The handling fee (退押金手续费): @p fixed plus @p bp of the refund before
 * deductions, at least @p min and at most @p cap.  Default: none.
 *
 * @param policy a draft.
 * @param fixed >= 0.
 * @param bp 0 to 10000.
 * @param min >= 0.
 * @param cap >= @p min, or -1 for no cap.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_fee(refund_policy *policy, int64_t fixed, int32_t bp,
		int64_t min, int64_t cap);

/**
 * Whether outstanding service fees the host reports may be offset against
 * the refund (抵扣服务费用).  Default: no.
 *
 * @param policy a draft.
 * @param allowed 1 or 0.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_offsets(refund_policy *policy, int allowed);

/**
 * Installments (分期退款).  Default: not allowed (one payment).
 *
 * @param policy a draft.
 * @param max_parts 1 (no installments) to ::REFUND_POLICY_MAX_PARTS.
 * @param interval_months months between parts, 1 to 12 (1 monthly, 3 quarterly).
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_installments(refund_policy *policy, int max_parts,
		int interval_months);

/**
 * The deadline a case state starts: it is due @p amount days (calendar or
 * business, in the named calendar) after the case enters @p state;
 * reminders go out @p reminders[i] seconds before it is due; when it passes,
 * @p consequence happens.  Setting a state again replaces its deadline.
 *
 * @param policy a draft.
 * @param state a ::refund_state that waits on someone (see case.h).
 * @param amount 1 to 3660.
 * @param unit a ::refund_day_unit.
 * @param calendar a calendar name known to the engine ("CN", "WEEKEND" or
 *        one added with refund_engine_add_calendar()); copied.
 * @param consequence a ::refund_consequence that the state allows.
 * @param reminders seconds before due, each > 0 and distinct; may be NULL
 *        if @p nreminders is 0.
 * @param nreminders 0 to ::REFUND_POLICY_MAX_REMINDERS.
 * @return 0; REFUND_EINVAL; REFUND_ENOTFOUND for an unknown calendar;
 *         REFUND_ENOMEM; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_deadline(refund_policy *policy, int state, int32_t amount,
		int unit, const char *calendar, int consequence, const int64_t *reminders,
		size_t nreminders);

/**
 * Four-eyes rule: for refunds above @p threshold, whoever approved may not
 * also record the payout.  Default: off.
 *
 * @param policy a draft.
 * @param threshold >= 0, minor units; -1 turns the rule off.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_four_eyes(refund_policy *policy, int64_t threshold);

/**
 * The parties a case is escalated to, as a mask of ::refund_party.
 * Default: none (an escalation is then recorded without a party).
 *
 * @param policy a draft.
 * @param parties the mask.
 * @return 0; REFUND_EINVAL; REFUND_ESTATE.
 */
REFUND_API int refund_policy_set_escalation(refund_policy *policy, uint32_t parties);

/** @} */

/**
 * Publish a draft: it gets the next version of its id, is stored, and
 * becomes immutable.  Roles: admin.
 *
 * @param policy a draft; on success it is the published version.
 * @param actor the actor's id.
 * @param role the actor's ::refund_role.
 * @return 0; REFUND_EINVAL; REFUND_EDENIED; REFUND_ESTATE (published
 *         already); REFUND_ECONFLICT (another version was published at the
 *         same time: retry); REFUND_EOVERFLOW (the id has used up every
 *         version number); REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_policy_publish(refund_policy *policy, const char *actor, int role);

/**
 * Load a published policy.
 *
 * @param engine the engine.
 * @param out receives the policy; free with refund_policy_free().
 * @param id the policy id.
 * @param version the version, or 0 for the latest.
 * @return 0; REFUND_EINVAL; REFUND_ENOTFOUND; REFUND_ECORRUPT;
 *         REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_policy_load(refund_engine *engine, refund_policy **out,
		const char *id, uint32_t version);

/**
 * @name Text form
 * A policy as a small text file that people write and review (one policy per
 * file, UTF-8, `#` comments).  docs/policies/README.md documents the format
 * and docs/policies/pos-standard.policy is a commented example.
 * @{
 */

/**
 * Parse a policy from its text form into a new draft (publish it with
 * refund_policy_publish()).  The parser is a pure function of its bytes:
 * hostile input gives REFUND_EPARSE, never a crash.
 *
 * @param engine the engine; on failure its message names the line and
 *        column and what was expected ("line 12, column 9: expected a
 *        number of days").
 * @param out receives the draft; free with refund_policy_free().
 * @param text the text (need not be NUL-terminated).
 * @param size bytes in @p text, at most 1 MiB.
 * @return 0; REFUND_EINVAL for NULL arguments or more than 1 MiB;
 *         REFUND_EPARSE; REFUND_ENOTFOUND for an unknown calendar name;
 *         REFUND_ECURRENCY; REFUND_ENOMEM.
 */
REFUND_API int refund_policy_parse(refund_engine *engine, refund_policy **out,
		const char *text, size_t size);

/**
 * Write a policy (draft or published) in its text form, such that parsing
 * the text gives the same rules.
 *
 * @param policy the policy.
 * @param buf receives the NUL-terminated text.
 * @param size bytes in @p buf.
 * @param needed receives the bytes the whole text needs, NUL included (may
 *        be NULL); call with size 0 to learn it.
 * @return 0; REFUND_EINVAL for a NULL policy, or a NULL @p buf with a size;
 *         REFUND_ERANGE if @p buf is too small (then buf holds nothing
 *         useful but is terminated if size > 0).
 */
REFUND_API int refund_policy_format(const refund_policy *policy, char *buf, size_t size,
		size_t *needed);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFUND_POLICY_H */
