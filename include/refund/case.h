/**
 * @file refund/case.h
 * @brief refund_case: one application for a deposit's refund, and its workflow.
 *
 * The workflow (退款流程) is one table in the library (src/workflow.c): the
 * states below, the actions that move between them, the roles allowed to
 * take each action, the guards each checks and the deadline each state
 * starts.  docs/workflow.md shows it as a diagram generated from that
 * table.
 */
#ifndef REFUND_CASE_H
#define REFUND_CASE_H

#include "common.h"
#include "actor.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** States of a case.  Values are fixed forever. */
typedef enum refund_state {
	REFUND_STATE_DRAFT = 1,              /**< Opened; evidence being gathered (准备材料). */
	REFUND_STATE_SUBMITTED = 2,          /**< Submitted with the payout account (提交申请). */
	REFUND_STATE_UNDER_REVIEW = 3,       /**< A reviewer is on it (审核中). */
	REFUND_STATE_AWAITING_DOCUMENTS = 4, /**< Waiting on the applicant for documents (补充材料). */
	REFUND_STATE_DEVICE_RETURN = 5,      /**< Approved; waiting for the terminal to come back (退货). */
	REFUND_STATE_INSPECTION = 6,         /**< Terminal received; being inspected (检查). */
	REFUND_STATE_AGREEMENT = 7,          /**< Terms offered; waiting for acceptance (签署退款协议). */
	REFUND_STATE_PAYOUT = 8,             /**< Agreed; paying out (退款操作). */
	REFUND_STATE_PAID = 9,               /**< Everything paid; waiting for confirmation (确认收到). */
	REFUND_STATE_CLOSED = 10,            /**< Done (结案).  Final. */
	REFUND_STATE_REJECTED = 11,          /**< Rejected; may be appealed until its deadline. */
	REFUND_STATE_WITHDRAWN = 12,         /**< Withdrawn by the applicant.  Final. */
	REFUND_STATE_EXPIRED = 13            /**< The applicant missed a deadline.  Final. */
} refund_state;

/** One more than the largest state value: the size of per-state arrays. */
#define REFUND_STATE_COUNT 14

/** Actions on a case.  Values are fixed forever. */
typedef enum refund_action {
	REFUND_ACTION_OPEN = 1,              /**< Open a case for a deposit. */
	REFUND_ACTION_ATTACH = 2,            /**< Attach evidence. */
	REFUND_ACTION_SUBMIT = 3,            /**< Submit with the payout account. */
	REFUND_ACTION_START_REVIEW = 4,      /**< A reviewer takes the case. */
	REFUND_ACTION_REQUEST_DOCUMENTS = 5, /**< Ask the applicant for documents. */
	REFUND_ACTION_PROVIDE_DOCUMENTS = 6, /**< The applicant hands them in. */
	REFUND_ACTION_APPROVE = 7,           /**< Approve an amount. */
	REFUND_ACTION_REJECT = 8,            /**< Reject with a reason. */
	REFUND_ACTION_APPEAL = 9,            /**< Appeal a rejection. */
	REFUND_ACTION_RECEIVE_DEVICE = 10,   /**< The terminal arrived. */
	REFUND_ACTION_INSPECT = 11,          /**< Record the inspection result. */
	REFUND_ACTION_OFFER = 12,            /**< Offer the agreement's terms. */
	REFUND_ACTION_ACCEPT = 13,           /**< The applicant accepts the terms. */
	REFUND_ACTION_PAY = 14,              /**< A payout part reached the applicant. */
	REFUND_ACTION_PAY_FAILED = 15,       /**< A payout part failed; it will be retried. */
	REFUND_ACTION_CONFIRM = 16,          /**< The applicant confirms receipt. */
	REFUND_ACTION_WITHDRAW = 17,         /**< The applicant withdraws. */
	REFUND_ACTION_ESCALATE = 18,         /**< Escalate to a third party. */
	REFUND_ACTION_REEVALUATE = 19,       /**< Re-evaluate under a newer policy version. */
	REFUND_ACTION_REMIND = 20,           /**< A deadline draws near or has passed (system). */
	REFUND_ACTION_EXPIRE = 21,           /**< A deadline passed: expire (system). */
	REFUND_ACTION_AUTO_CLOSE = 22,       /**< A deadline passed: close (system). */
	REFUND_ACTION_DEEMED_APPROVAL = 23,  /**< A review deadline passed: approve (system). */
	REFUND_ACTION_SET_OFFSET = 24        /**< Record outstanding fees to offset. */
} refund_action;

/** One more than the largest action value. */
#define REFUND_ACTION_COUNT 25

/**
 * The name of a state, such as "under_review".
 *
 * @param state a ::refund_state.
 * @return a static string; NULL for an unknown state.
 */
REFUND_API const char *refund_case_state_name(int state);

/**
 * The name of an action, such as "request_documents".
 *
 * @param action a ::refund_action.
 * @return a static string; NULL for an unknown action.
 */
REFUND_API const char *refund_case_action_name(int action);

/**
 * A state's label for people: in English its name (refund_case_state_name()),
 * in Chinese the words of the domain ("审核中", "等待退还终端", "已结案"...).
 * The engine's messages in Chinese name states this way; names, not labels,
 * are what is stored and what a host should compare.
 *
 * @param state a ::refund_state.
 * @param lang a ::refund_lang.
 * @return a static UTF-8 string; NULL for an unknown state or language.
 */
REFUND_API const char *refund_case_state_label(int state, refund_lang lang);

/**
 * An action's label for people: in English its name
 * (refund_case_action_name()), in Chinese the words of the domain
 * ("开始审核", "要求补充材料", "升级投诉"...).
 *
 * @param action a ::refund_action.
 * @param lang a ::refund_lang.
 * @return a static UTF-8 string; NULL for an unknown action or language.
 */
REFUND_API const char *refund_case_action_label(int action, refund_lang lang);


/**
 * A refund case.  Opaque.
 *
 * A handle is large (about 27 KiB: its record twice over, so that an action
 * works on a copy and a commit keeps it, and the bytes last stored) and is
 * meant to be short-lived: load a case, act on it, free it.  A host that
 * tracks many cases keeps their ids, not their handles.
 */
typedef struct refund_case refund_case;

/** The current version of ::refund_act. */
#define REFUND_ACT_VERSION 1

/** The most pieces of evidence one case keeps (refund_case_attach()). */
#define REFUND_CASE_MAX_EVIDENCE 16

/**
 * How many idempotency keys a case remembers: those of its last 32 keyed
 * actions.  A key older than that is forgotten, and repeating it acts again.
 */
#define REFUND_CASE_KEYS_KEPT 32

/**
 * Who takes an action, and the options every action shares.
 *
 * With an idempotency key, repeating the same action with the same key and
 * the same arguments returns 0 without acting again (the first call's
 * effect stands), so a host may safely retry after a timeout; the same key
 * with different arguments is refused with REFUND_EDUPLICATE.  A case
 * remembers the keys of its last ::REFUND_CASE_KEYS_KEPT keyed actions,
 * the opening among them: a retried refund_case_open() with the same case
 * id, key and arguments returns the case it opened.
 */
typedef struct refund_act {
	unsigned int version;          /**< ::REFUND_ACT_VERSION. */
	const char *actor;             /**< Required: the actor's id. */
	int role;                      /**< Required: the actor's ::refund_role. */
	const char *idempotency_key;   /**< Optional: 1 to 64 printable ASCII bytes. */
	const char *note;              /**< Optional free text kept in the audit trail. */
} refund_act;

/** Static initializer: no actor, no key, no note. */
#define REFUND_ACT_INIT { REFUND_ACT_VERSION, NULL, 0, NULL, NULL }

/** How money is paid back. */
typedef enum refund_payout_method {
	REFUND_PAYOUT_BANK = 1,    /**< Bank transfer (银行转账). */
	REFUND_PAYOUT_ALIPAY = 2,  /**< Alipay (支付宝). */
	REFUND_PAYOUT_WECHAT = 3   /**< WeChat Pay (微信支付). */
} refund_payout_method;

/** The current version of ::refund_account. */
#define REFUND_ACCOUNT_VERSION 1

/**
 * The account a refund is paid to (账户名称、账号、银行信息).  Checked for
 * presence and form: a bank account number is 8 to 32 digits and needs the
 * bank's name; an Alipay account is a mainland mobile number (11 digits
 * starting with 1) or an e-mail address; a WeChat account is a mobile number
 * or a WeChat id (6 to 20 letters, digits, '_' or '-', starting with a
 * letter).
 */
typedef struct refund_account {
	unsigned int version;   /**< ::REFUND_ACCOUNT_VERSION. */
	int method;             /**< A ::refund_payout_method. */
	const char *name;       /**< The account holder's name (UTF-8, 1 to 128 bytes). */
	const char *number;     /**< Account number, phone, e-mail or WeChat id. */
	const char *bank;       /**< The bank's name; required for bank transfers. */
} refund_account;

/** Static initializer: nothing set. */
#define REFUND_ACCOUNT_INIT { REFUND_ACCOUNT_VERSION, 0, NULL, NULL, NULL }

/** Why an application is rejected.  Values are fixed forever. */
typedef enum refund_reject_reason {
	REFUND_REJECT_INCOMPLETE_EVIDENCE = 1, /**< Documents missing or unusable. */
	REFUND_REJECT_OUTSIDE_WINDOW = 2,      /**< Too late under the policy. */
	REFUND_REJECT_NOT_ELIGIBLE = 3,        /**< The policy gives nothing back. */
	REFUND_REJECT_FRAUD_SUSPECTED = 4,     /**< Suspected fraud. */
	REFUND_REJECT_OTHER = 5                /**< Anything else: say why in the text. */
} refund_reject_reason;

/**
 * Open a case (an application) for a deposit under a published policy.  A
 * deposit has at most one open case: a second is refused with
 * REFUND_EDUPLICATE (避免重复提交).  Roles: applicant, agent, admin.
 *
 * @param engine the engine.
 * @param out receives the case (free with refund_case_free()); may be NULL.
 * @param case_id the new case's id.
 * @param deposit_id the deposit.
 * @param policy_id the policy.
 * @param policy_version its version, or 0 for the latest.
 * @param reason a ::refund_reason.
 * @param act who opens it.  With an idempotency key, retrying the same
 *        open returns 0 and the case the first call opened.
 * @return 0; REFUND_EINVAL; REFUND_EDENIED; REFUND_ENOTFOUND (no such
 *         deposit or policy); REFUND_EEXISTS (the case id is taken);
 *         REFUND_EDUPLICATE (the deposit has an open case: this is
 *         reported first, whether or not the case id is also taken);
 *         REFUND_EDEADLINE (the application window has closed);
 *         REFUND_ECURRENCY (policy and deposit currencies differ);
 *         REFUND_ECONFLICT; REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_case_open(refund_engine *engine, refund_case **out,
		const char *case_id, const char *deposit_id, const char *policy_id,
		uint32_t policy_version, int reason, const refund_act *act);

/**
 * Load a case by id.
 *
 * @param engine the engine.
 * @param out receives the case; free with refund_case_free().
 * @param case_id the id.
 * @return 0; REFUND_EINVAL; REFUND_ENOTFOUND; REFUND_ECORRUPT;
 *         REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_case_load(refund_engine *engine, refund_case **out,
		const char *case_id);

/**
 * Free a case handle (not the stored case).  NULL is a no-op.
 *
 * Besides the case, a handle keeps the deposit as its last action read it
 * (ledger included), so that the next action only asks the store whether
 * the deposit changed: its memory is freed here too.
 *
 * @param c the handle; invalid afterwards.
 */
REFUND_API void refund_case_free(refund_case *c);

/**
 * @name Actions
 * Each action is one committed transition of the workflow table: the case,
 * the deposit's ledger (where money moves) and one audit event change
 * together or not at all.  Each returns 0 or: REFUND_EINVAL (bad
 * arguments), REFUND_EVERSION (a struct's version), REFUND_ESTATE (not
 * allowed in the case's state), REFUND_EDENIED (the role may not take it),
 * REFUND_EDUPLICATE (idempotency key reused with other arguments),
 * REFUND_ECONFLICT (the case changed elsewhere: load it again),
 * REFUND_ENOMEM, REFUND_ESTORE, REFUND_EBUSY, plus the codes named with the
 * action.  On failure the handle, the ledger and the store are unchanged.
 * @{
 */

/**
 * Attach a piece of evidence (证明材料).  States: draft, submitted, under
 * review, awaiting documents.  Roles: applicant, agent.
 *
 * @param c the case.
 * @param act who acts.
 * @param kind a ::refund_evidence.
 * @param reference where the document is (a file id, a hash, a URL), 1 to 128 bytes.
 * @return as above; REFUND_EINVAL also when the case holds
 *         ::REFUND_CASE_MAX_EVIDENCE pieces already.
 */
REFUND_API int refund_case_attach(refund_case *c, const refund_act *act, int kind,
		const char *reference);

/**
 * Submit the application with the payout account (提交退款申请).  Guards:
 * the evidence the policy requires for the reason is attached; the
 * application window is open.  Roles: applicant, agent.
 *
 * @param c the case, in draft.
 * @param act who acts.
 * @param account the payout account; copied.
 * @return as above; REFUND_EDEADLINE if the window has closed;
 *         REFUND_EEVIDENCE if required evidence is missing (the message
 *         names it, refund_case_missing_evidence() lists it).
 */
REFUND_API int refund_case_submit(refund_case *c, const refund_act *act,
		const refund_account *account);

/**
 * A reviewer takes the submitted case (商家审核).  Roles: reviewer, admin.
 *
 * @param c the case.
 * @param act who acts.
 * @return as above.
 */
REFUND_API int refund_case_start_review(refund_case *c, const refund_act *act);

/**
 * Ask the applicant for documents: the case waits on the applicant, the
 * review clock pauses and the documents' own deadline starts.  Roles:
 * reviewer, admin.
 *
 * @param c the case, under review.
 * @param act who acts; say what is missing in act->note.
 * @param evidence_mask the ::REFUND_EVIDENCE_BIT of each document asked for, not 0.
 * @return as above.
 */
REFUND_API int refund_case_request_documents(refund_case *c, const refund_act *act,
		uint32_t evidence_mask);

/**
 * The applicant has attached what was asked for: back to review, with the
 * review clock resumed where it paused.  Guard: every requested document is
 * attached.  Roles: applicant, agent.
 *
 * @param c the case, awaiting documents.
 * @param act who acts.
 * @return as above; REFUND_EEVIDENCE if a requested document is still missing.
 */
REFUND_API int refund_case_provide_documents(refund_case *c, const refund_act *act);

/**
 * Approve a refund of @p amount, at most the quote's net amount.  The case
 * goes on to the device return if the policy requires the terminal back,
 * else to the agreement.  Roles: reviewer, admin (never the applicant).
 * Approving less than the net keeps the difference: when the applicant
 * accepts the terms, it is posted to the ledger as forfeited, beside the
 * usage tier's share (a net of 490.00 approved at 300.00 forfeits 190.00).
 *
 * @param c the case, under review.
 * @param act who acts.
 * @param amount > 0 and <= the quote's net, in minor units.
 * @return as above; REFUND_EBALANCE if @p amount exceeds the quote.
 */
REFUND_API int refund_case_approve(refund_case *c, const refund_act *act, int64_t amount);

/**
 * Reject the application.  It may be appealed until the rejected state's
 * deadline.  Roles: reviewer, admin.
 *
 * @param c the case, under review.
 * @param act who acts.
 * @param reason a ::refund_reject_reason.
 * @param text the explanation given to the applicant, 1 to 1024 bytes.
 * @return as above.
 */
REFUND_API int refund_case_reject(refund_case *c, const refund_act *act, int reason,
		const char *text);

/**
 * Appeal a rejection: back to review with a new review deadline.  Roles:
 * applicant, agent.
 *
 * @param c the case, rejected.
 * @param act who acts; the grounds in act->note.
 * @return as above.
 */
REFUND_API int refund_case_appeal(refund_case *c, const refund_act *act);

/**
 * The terminal came back (退货).  Roles: agent, reviewer, admin.
 *
 * @param c the case, in device return.
 * @param act who acts.
 * @param tracking the logistics tracking number (1 to 64 bytes), or NULL.
 * @return as above.
 */
REFUND_API int refund_case_receive_device(refund_case *c, const refund_act *act,
		const char *tracking);

/**
 * Record the inspection (检查): the grade and missing parts, which fix the
 * deductions by the policy.  Normal wear is never deducted.  Roles: agent,
 * reviewer, admin.
 *
 * @param c the case, in inspection.
 * @param act who acts.
 * @param grade a ::refund_grade other than ::REFUND_GRADE_NOT_RETURNED.
 * @param missing_parts 0 to 100.
 * @return as above.
 */
REFUND_API int refund_case_inspect(refund_case *c, const refund_act *act, int grade,
		int missing_parts);

/**
 * Record what the holder still owes in service fees, to be offset against
 * the refund if the policy allows offsets.  States: under review to
 * agreement.  Roles: finance, admin.
 *
 * @param c the case.
 * @param act who acts.
 * @param owed >= 0, minor units.
 * @return as above; REFUND_EDENIED also if the policy allows no offsets.
 */
REFUND_API int refund_case_set_offset(refund_case *c, const refund_act *act, int64_t owed);

/**
 * Offer the agreement's terms (签署退款协议): the approved amount less
 * deductions, paid in @p parts installments (分期) that sum exactly, one
 * every policy interval, to the submitted account.  Offering again replaces
 * the terms.  Roles: reviewer, finance, admin.
 *
 * @param c the case, in agreement.
 * @param act who acts.
 * @param parts 1 to the policy's maximum.
 * @return as above.
 */
REFUND_API int refund_case_offer(refund_case *c, const refund_act *act, int parts);

/**
 * The applicant accepts the offered terms: the deductions, the fee, the
 * offsets and any forfeited share (the usage tier's, and whatever of the
 * net was not approved) are posted to the deposit's ledger, and payout
 * begins.  Roles: applicant.
 *
 * @param c the case, in agreement with terms offered.
 * @param act who acts.
 * @return as above; REFUND_ESTATE if no terms were offered.
 */
REFUND_API int refund_case_accept(refund_case *c, const refund_act *act);

/**
 * A payout part reached the applicant (退款到账): its amount is posted to
 * the ledger as a refund.  A part is paid once: paying it again is
 * REFUND_ESTATE.  After the last part the case is paid.  Four-eyes: above
 * the policy's threshold the approver may not record a payout.  Roles:
 * finance.
 *
 * @param c the case, in payout.
 * @param act who acts.
 * @param part 1 to the number of parts.
 * @param reference the payment's reference, 1 to 64 bytes.
 * @return as above; REFUND_EDENIED also for the four-eyes rule.
 */
REFUND_API int refund_case_pay(refund_case *c, const refund_act *act, int part,
		const char *reference);

/**
 * A payout part failed (系统故障, wrong account): recorded with the reason;
 * nothing leaves the ledger; the part is retried with refund_case_pay().
 * Roles: finance.
 *
 * @param c the case, in payout.
 * @param act who acts.
 * @param part 1 to the number of parts, not yet paid.
 * @param reason why it failed, 1 to 128 bytes.
 * @return as above.
 */
REFUND_API int refund_case_pay_failed(refund_case *c, const refund_act *act, int part,
		const char *reason);

/**
 * The applicant confirms receipt (确认收到退款): the case closes.  Roles:
 * applicant.
 *
 * @param c the case, paid.
 * @param act who acts.
 * @return as above.
 */
REFUND_API int refund_case_confirm(refund_case *c, const refund_act *act);

/**
 * The applicant withdraws the application, at any time before payout.
 * Roles: applicant, agent.
 *
 * @param c the case.
 * @param act who acts; the reason in act->note.
 * @return as above.
 */
REFUND_API int refund_case_withdraw(refund_case *c, const refund_act *act);

/**
 * Escalate the case to a third party (第三方: regulator, consumer
 * association, legal counsel), for example when the agent is unreachable
 * (商家失联).  The case stays in its state.  Roles: applicant, reviewer,
 * admin.
 *
 * @param c the case, open.
 * @param act who acts; the reason in act->note.
 * @param party one ::refund_party.
 * @return as above.
 */
REFUND_API int refund_case_escalate(refund_case *c, const refund_act *act, int party);

/**
 * Re-evaluate the case under a newer version of its policy (法律法规政策
 * 调整): both versions are recorded in the audit trail, and the quote and
 * the current state's deadline follow the new rules.  Only before the
 * agreement is accepted.  Roles: reviewer, admin.
 *
 * @param c the case.
 * @param act who acts.
 * @param policy_version a newer published version, or 0 for the latest.
 * @return as above; REFUND_ENOTFOUND; REFUND_EINVAL if not newer.
 */
REFUND_API int refund_case_reevaluate(refund_case *c, const refund_act *act,
		uint32_t policy_version);

/** @} */

/**
 * @name Reading a case
 * Strings are owned by the handle and live until it is freed or changed.
 * @{
 */

/**
 * The case's id.
 *
 * @param c the case.
 * @return the id; NULL for NULL.
 */
REFUND_API const char *refund_case_id(const refund_case *c);

/**
 * The deposit the case is for.
 *
 * @param c the case.
 * @return the deposit's id; NULL for NULL.
 */
REFUND_API const char *refund_case_deposit_id(const refund_case *c);

/**
 * The case's state.
 *
 * @param c the case.
 * @return a ::refund_state; 0 for NULL.
 */
REFUND_API int refund_case_state(const refund_case *c);

/**
 * The reason given when the case was opened.
 *
 * @param c the case.
 * @return a ::refund_reason; 0 for NULL.
 */
REFUND_API int refund_case_reason(const refund_case *c);

/**
 * The policy the case is judged by.
 *
 * @param c the case.
 * @param version receives the policy version (may be NULL).
 * @return the policy id; NULL for NULL.
 */
REFUND_API const char *refund_case_policy(const refund_case *c, uint32_t *version);

/**
 * The stored version this handle reflects.
 *
 * @param c the case.
 * @return the version (1 after opening); 0 for NULL.
 */
REFUND_API uint64_t refund_case_version(const refund_case *c);

/**
 * The parties the case has been escalated to.
 *
 * @param c the case.
 * @return a mask of ::refund_party; 0 if never escalated.
 */
REFUND_API uint32_t refund_case_escalations(const refund_case *c);

/**
 * The evidence attached so far.
 *
 * @param c the case.
 * @return a mask of ::REFUND_EVIDENCE_BIT.
 */
REFUND_API uint32_t refund_case_evidence(const refund_case *c);

/**
 * The evidence still missing: what the policy requires for the reason (or,
 * awaiting documents, what the reviewer asked for) and is not attached.
 *
 * @param c the case.
 * @return a mask of ::REFUND_EVIDENCE_BIT.
 */
REFUND_API uint32_t refund_case_missing_evidence(const refund_case *c);

/** The current version of ::refund_quote. */
#define REFUND_QUOTE_VERSION 1

/**
 * What the case would refund and why (透明沟通).  All amounts in minor units
 * of @ref currency; net = gross - damage - missing_parts - fee - offset
 * (each deduction limited so that net >= 0) and remaining = gross +
 * forfeited.
 */
typedef struct refund_quote {
	unsigned int version;   /**< Set by the caller: ::REFUND_QUOTE_VERSION. */
	char currency[4];       /**< The deposit's currency. */
	int64_t remaining;      /**< What the deposit still holds. */
	int32_t tier_bp;        /**< The usage tier's percentage, in basis points. */
	int64_t gross;          /**< remaining * tier. */
	int64_t forfeited;      /**< remaining - gross: kept under the usage tier. */
	int64_t damage;         /**< Deducted for the inspection grade. */
	int64_t missing_parts;  /**< Deducted for missing parts. */
	int64_t fee;            /**< The handling fee. */
	int64_t offset;         /**< Offset against outstanding fees. */
	int64_t net;            /**< What the applicant would receive. */
	int64_t approved;       /**< The amount approved, or -1 before approval. */
} refund_quote;

/**
 * The refund breakdown now (before approval it follows the deposit's current
 * usage; after acceptance it is fixed).
 *
 * @param c the case.
 * @param out filled; the caller sets out->version first.
 * @return 0; REFUND_EINVAL; REFUND_EVERSION; REFUND_EOVERFLOW; and the
 *         store's codes (the deposit is read).
 */
REFUND_API int refund_case_quote(refund_case *c, refund_quote *out);

/**
 * The quote, the conditions and the time frame in words, for the applicant:
 * what will be refunded and why, what is still missing, what happens next
 * and by when.
 *
 * @param c the case.
 * @param lang the language.
 * @param buf receives the NUL-terminated text.
 * @param size bytes in @p buf; 2048 is always enough.
 * @return 0; REFUND_EINVAL; REFUND_ERANGE (the text is cut, still
 *         terminated); the codes of refund_case_quote().
 */
REFUND_API int refund_case_explain(refund_case *c, refund_lang lang, char *buf,
		size_t size);

/** Status of one payout part. */
typedef enum refund_part_status {
	REFUND_PART_PENDING = 1,  /**< Not paid yet. */
	REFUND_PART_FAILED = 2,   /**< The last attempt failed; to be retried. */
	REFUND_PART_PAID = 3      /**< Paid. */
} refund_part_status;

/** The current version of ::refund_part. */
#define REFUND_PART_VERSION 1

/** One payout part of the agreement.  Strings are owned by the handle. */
typedef struct refund_part {
	unsigned int version;   /**< Set by the caller: ::REFUND_PART_VERSION. */
	int64_t amount;         /**< Its amount. */
	refund_time due;        /**< When it is scheduled. */
	int status;             /**< A ::refund_part_status. */
	int attempts;           /**< Payouts tried, failed ones included. */
	const char *reference;  /**< The payment's reference once paid, else NULL. */
	const char *failure;    /**< Why the last attempt failed, or NULL. */
} refund_part;

/**
 * The number of payout parts (0 until terms are offered).
 *
 * @param c the case.
 * @return the count.
 */
REFUND_API int refund_case_part_count(const refund_case *c);

/**
 * One payout part.
 *
 * @param c the case.
 * @param part 1 to refund_case_part_count().
 * @param out filled; the caller sets out->version first.
 * @return 0; REFUND_EINVAL; REFUND_EVERSION; REFUND_ENOTFOUND.
 */
REFUND_API int refund_case_part(const refund_case *c, int part, refund_part *out);

/** The current version of ::refund_case_filter. */
#define REFUND_CASE_FILTER_VERSION 1

/** Which cases refund_case_list() visits.  NULL and 0 fields match all. */
typedef struct refund_case_filter {
	unsigned int version;    /**< ::REFUND_CASE_FILTER_VERSION. */
	const char *deposit_id;  /**< Only this deposit's cases. */
	const char *holder;      /**< Only this holder's cases. */
	const char *agent;       /**< Only this agent's cases. */
	int state;               /**< Only cases in this ::refund_state. */
	const char *after_id;    /**< Only ids after this one (paging). */
	size_t limit;            /**< At most this many; 0: all. */
} refund_case_filter;

/** Static initializer: every case. */
#define REFUND_CASE_FILTER_INIT { REFUND_CASE_FILTER_VERSION, NULL, NULL, NULL, 0, NULL, 0 }

/**
 * Receives one case from refund_case_list(); the handle is valid during the
 * call only.  Return 0 to go on; anything else stops the listing and is
 * returned by it.
 */
typedef int (*refund_case_cb)(void *ctx, const refund_case *c);

/**
 * Visit cases in increasing id order.
 *
 * @param engine the engine.
 * @param filter which cases; NULL for all.
 * @param cb called for each.
 * @param ctx passed to @p cb.
 * @return 0; @p cb's non-zero value; REFUND_EINVAL; REFUND_EVERSION;
 *         REFUND_ENOTSUP; REFUND_ECORRUPT; REFUND_ENOMEM; REFUND_ESTORE;
 *         REFUND_EBUSY.
 */
REFUND_API int refund_case_list(refund_engine *engine, const refund_case_filter *filter,
		refund_case_cb cb, void *ctx);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* REFUND_CASE_H */
