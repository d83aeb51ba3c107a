/*
 * The workflow: one table of states and one of transitions.  The case code,
 * the policy checks, the generated diagram (docs/workflow.md) and the tests
 * all read these tables; no transition is written anywhere else.
 */
#include "workflow.h"

#include <stddef.h>

#include "engine.h"
#include "validate.h"

#define CONSEQUENCE_BIT(c) (1u << (c))
#define ON_REMIND CONSEQUENCE_BIT(REFUND_ON_DUE_REMIND)
#define ON_ESCALATE CONSEQUENCE_BIT(REFUND_ON_DUE_ESCALATE)
#define ON_EXPIRE CONSEQUENCE_BIT(REFUND_ON_DUE_EXPIRE)
#define ON_APPROVE CONSEQUENCE_BIT(REFUND_ON_DUE_APPROVE)
#define ON_CLOSE CONSEQUENCE_BIT(REFUND_ON_DUE_CLOSE)

typedef struct state_row {
	const char *name;
	const char *zh;            /* its label in Chinese (refund_case_state_label) */
	int final;                 /* no action leaves it */
	unsigned int consequences; /* what a deadline in this state may do */
} state_row;

static const state_row states[REFUND_STATE_COUNT] = {
	[REFUND_STATE_DRAFT] = { "draft", "准备材料", 0, ON_REMIND | ON_EXPIRE },
	[REFUND_STATE_SUBMITTED] = { "submitted", "已提交申请", 0, ON_REMIND | ON_ESCALATE },
	[REFUND_STATE_UNDER_REVIEW] = { "under_review", "审核中", 0, ON_REMIND | ON_ESCALATE | ON_APPROVE },
	[REFUND_STATE_AWAITING_DOCUMENTS] = { "awaiting_documents", "等待补充材料", 0, ON_REMIND | ON_EXPIRE },
	[REFUND_STATE_DEVICE_RETURN] = { "device_return", "等待退还终端", 0, ON_REMIND | ON_ESCALATE | ON_EXPIRE },
	[REFUND_STATE_INSPECTION] = { "inspection", "终端检查中", 0, ON_REMIND | ON_ESCALATE },
	[REFUND_STATE_AGREEMENT] = { "agreement", "等待签署退款协议", 0, ON_REMIND | ON_ESCALATE | ON_EXPIRE },
	[REFUND_STATE_PAYOUT] = { "payout", "退款中", 0, ON_REMIND | ON_ESCALATE },
	[REFUND_STATE_PAID] = { "paid", "已退款待确认", 0, ON_REMIND | ON_CLOSE },
	[REFUND_STATE_CLOSED] = { "closed", "已结案", 1, 0 },
	[REFUND_STATE_REJECTED] = { "rejected", "已驳回", 0, ON_CLOSE },
	[REFUND_STATE_WITHDRAWN] = { "withdrawn", "已撤回", 1, 0 },
	[REFUND_STATE_EXPIRED] = { "expired", "已过期", 1, 0 },
};

/* Each action's name (stored, and in the API) and its label in Chinese. */
static const struct {
	const char *name, *zh;
} actions[REFUND_ACTION_COUNT] = {
	[REFUND_ACTION_OPEN] = { "open", "开案" },
	[REFUND_ACTION_ATTACH] = { "attach", "添加材料" },
	[REFUND_ACTION_SUBMIT] = { "submit", "提交申请" },
	[REFUND_ACTION_START_REVIEW] = { "start_review", "开始审核" },
	[REFUND_ACTION_REQUEST_DOCUMENTS] = { "request_documents", "要求补充材料" },
	[REFUND_ACTION_PROVIDE_DOCUMENTS] = { "provide_documents", "补交材料" },
	[REFUND_ACTION_APPROVE] = { "approve", "批准" },
	[REFUND_ACTION_REJECT] = { "reject", "驳回" },
	[REFUND_ACTION_APPEAL] = { "appeal", "申诉" },
	[REFUND_ACTION_RECEIVE_DEVICE] = { "receive_device", "收到退还终端" },
	[REFUND_ACTION_INSPECT] = { "inspect", "检查终端" },
	[REFUND_ACTION_OFFER] = { "offer", "提出退款协议" },
	[REFUND_ACTION_ACCEPT] = { "accept", "签署退款协议" },
	[REFUND_ACTION_PAY] = { "pay", "付款" },
	[REFUND_ACTION_PAY_FAILED] = { "pay_failed", "付款失败" },
	[REFUND_ACTION_CONFIRM] = { "confirm", "确认收款" },
	[REFUND_ACTION_WITHDRAW] = { "withdraw", "撤回申请" },
	[REFUND_ACTION_ESCALATE] = { "escalate", "升级投诉" },
	[REFUND_ACTION_REEVALUATE] = { "reevaluate", "重新评估" },
	[REFUND_ACTION_REMIND] = { "remind", "提醒" },
	[REFUND_ACTION_EXPIRE] = { "expire", "过期" },
	[REFUND_ACTION_AUTO_CLOSE] = { "auto_close", "自动结案" },
	[REFUND_ACTION_DEEMED_APPROVAL] = { "deemed_approval", "视为批准" },
	[REFUND_ACTION_SET_OFFSET] = { "set_offset", "抵扣服务费用" },
};

static int valid_state(int state)
{
	return state > 0 && state < REFUND_STATE_COUNT;
}

const char *refund_case_state_name(int state)
{
	return valid_state(state) ? states[state].name : NULL;
}

static int valid_action(int action)
{
	return action > 0 && action < REFUND_ACTION_COUNT;
}

const char *refund_case_action_name(int action)
{
	return valid_action(action) ? actions[action].name : NULL;
}

const char *refund_case_state_label(int state, refund_lang lang)
{
	if (!valid_state(state) || !refund__lang_valid(lang))
		return NULL;
	return lang == REFUND_LANG_ZH_CN ? states[state].zh : states[state].name;
}

const char *refund_case_action_label(int action, refund_lang lang)
{
	if (!valid_action(action) || !refund__lang_valid(lang))
		return NULL;
	return lang == REFUND_LANG_ZH_CN ? actions[action].zh : actions[action].name;
}

int refund__workflow_consequence_allowed(int state, int consequence)
{
	if (!valid_state(state) || consequence < REFUND_ON_DUE_REMIND ||
	    consequence > REFUND_ON_DUE_CLOSE)
		return 0;
	return (states[state].consequences & CONSEQUENCE_BIT(consequence)) != 0;
}

int refund__workflow_state_final(int state)
{
	return valid_state(state) && states[state].final;
}

/* ---- transitions ---- */

#define R(role) REFUND_ROLE_BIT(REFUND_ROLE_##role)
#define APPLICANT R(APPLICANT)
#define AGENT R(AGENT)
#define REVIEWER R(REVIEWER)
#define FINANCE R(FINANCE)
#define ADMIN R(ADMIN)
#define SYSTEM R(SYSTEM)

#define S(name) REFUND_STATE_##name
#define A(name) REFUND_ACTION_##name

/*
 * One row per (action, from-state[, condition]).  Order matters only among
 * rows of the same action and state: the first whose condition holds wins.
 */
static const workflow_row rows[] = {
	/* action              from                   to                  roles                           when                  guards                       clock */
	{ A(OPEN),             0,                     S(DRAFT),           APPLICANT | AGENT | ADMIN,      WHEN_ALWAYS,          GUARD_WINDOW,                CLOCK_START },

	{ A(ATTACH),           S(DRAFT),              0,                  APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(ATTACH),           S(SUBMITTED),          0,                  APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(ATTACH),           S(UNDER_REVIEW),       0,                  APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(ATTACH),           S(AWAITING_DOCUMENTS), 0,                  APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_KEEP },

	{ A(SUBMIT),           S(DRAFT),              S(SUBMITTED),       APPLICANT | AGENT,              WHEN_ALWAYS,          GUARD_EVIDENCE | GUARD_WINDOW, CLOCK_START },
	{ A(START_REVIEW),     S(SUBMITTED),          S(UNDER_REVIEW),    REVIEWER | ADMIN,               WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(REQUEST_DOCUMENTS), S(UNDER_REVIEW),      S(AWAITING_DOCUMENTS), REVIEWER | ADMIN,            WHEN_ALWAYS,          0,                           CLOCK_PAUSE },
	{ A(PROVIDE_DOCUMENTS), S(AWAITING_DOCUMENTS), S(UNDER_REVIEW),   APPLICANT | AGENT,              WHEN_ALWAYS,          GUARD_REQUESTED,             CLOCK_RESUME },

	{ A(APPROVE),          S(UNDER_REVIEW),       S(DEVICE_RETURN),   REVIEWER | ADMIN,               WHEN_RETURN_REQUIRED, GUARD_QUOTE,                 CLOCK_START },
	{ A(APPROVE),          S(UNDER_REVIEW),       S(AGREEMENT),       REVIEWER | ADMIN,               WHEN_NO_RETURN,       GUARD_QUOTE,                 CLOCK_START },
	{ A(DEEMED_APPROVAL),  S(UNDER_REVIEW),       S(DEVICE_RETURN),   SYSTEM,                         WHEN_RETURN_REQUIRED, GUARD_QUOTE,                 CLOCK_START },
	{ A(DEEMED_APPROVAL),  S(UNDER_REVIEW),       S(AGREEMENT),       SYSTEM,                         WHEN_NO_RETURN,       GUARD_QUOTE,                 CLOCK_START },
	{ A(REJECT),           S(UNDER_REVIEW),       S(REJECTED),        REVIEWER | ADMIN,               WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(APPEAL),           S(REJECTED),           S(UNDER_REVIEW),    APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },

	{ A(RECEIVE_DEVICE),   S(DEVICE_RETURN),      S(INSPECTION),      AGENT | REVIEWER | ADMIN,       WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(INSPECT),          S(INSPECTION),         S(AGREEMENT),       AGENT | REVIEWER | ADMIN,       WHEN_ALWAYS,          0,                           CLOCK_START },

	{ A(SET_OFFSET),       S(UNDER_REVIEW),       0,                  FINANCE | ADMIN,                WHEN_ALWAYS,          GUARD_OFFSETS,               CLOCK_KEEP },
	{ A(SET_OFFSET),       S(DEVICE_RETURN),      0,                  FINANCE | ADMIN,                WHEN_ALWAYS,          GUARD_OFFSETS,               CLOCK_KEEP },
	{ A(SET_OFFSET),       S(INSPECTION),         0,                  FINANCE | ADMIN,                WHEN_ALWAYS,          GUARD_OFFSETS,               CLOCK_KEEP },
	{ A(SET_OFFSET),       S(AGREEMENT),          0,                  FINANCE | ADMIN,                WHEN_ALWAYS,          GUARD_OFFSETS,               CLOCK_KEEP },

	{ A(OFFER),            S(AGREEMENT),          0,                  REVIEWER | FINANCE | ADMIN,     WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(ACCEPT),           S(AGREEMENT),          S(PAYOUT),          APPLICANT,                      WHEN_ALWAYS,          GUARD_OFFERED,               CLOCK_START },
	{ A(PAY),              S(PAYOUT),             S(PAID),            FINANCE,                        WHEN_LAST_PART,       GUARD_FOUR_EYES,             CLOCK_START },
	{ A(PAY),              S(PAYOUT),             0,                  FINANCE,                        WHEN_PARTS_LEFT,      GUARD_FOUR_EYES,             CLOCK_RESTART },
	{ A(PAY_FAILED),       S(PAYOUT),             0,                  FINANCE,                        WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(CONFIRM),          S(PAID),               S(CLOSED),          APPLICANT,                      WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(AUTO_CLOSE),       S(PAID),               S(CLOSED),          SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(AUTO_CLOSE),       S(REJECTED),           S(CLOSED),          SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },

	{ A(WITHDRAW),         S(DRAFT),              S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(SUBMITTED),          S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(UNDER_REVIEW),       S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(AWAITING_DOCUMENTS), S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(DEVICE_RETURN),      S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(INSPECTION),         S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(AGREEMENT),          S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(WITHDRAW),         S(REJECTED),           S(WITHDRAWN),       APPLICANT | AGENT,              WHEN_ALWAYS,          0,                           CLOCK_START },

	{ A(EXPIRE),           S(DRAFT),              S(EXPIRED),         SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(EXPIRE),           S(AWAITING_DOCUMENTS), S(EXPIRED),         SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(EXPIRE),           S(DEVICE_RETURN),      S(EXPIRED),         SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },
	{ A(EXPIRE),           S(AGREEMENT),          S(EXPIRED),         SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_START },

#define ANY_OPEN(action, roles, guards, clock) \
	{ A(action), S(DRAFT), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(SUBMITTED), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(UNDER_REVIEW), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(AWAITING_DOCUMENTS), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(DEVICE_RETURN), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(INSPECTION), 0, roles, WHEN_ALWAYS, guards, clock }, \
	{ A(action), S(AGREEMENT), 0, roles, WHEN_ALWAYS, guards, clock }
	ANY_OPEN(ESCALATE, APPLICANT | AGENT | REVIEWER | ADMIN | SYSTEM, 0, CLOCK_KEEP),
	{ A(ESCALATE),         S(PAYOUT),             0,                  APPLICANT | AGENT | REVIEWER | ADMIN | SYSTEM, WHEN_ALWAYS, 0,           CLOCK_KEEP },
	{ A(ESCALATE),         S(PAID),               0,                  APPLICANT | AGENT | REVIEWER | ADMIN | SYSTEM, WHEN_ALWAYS, 0,           CLOCK_KEEP },
	ANY_OPEN(REEVALUATE, REVIEWER | ADMIN, GUARD_NOT_ACCEPTED, CLOCK_RESTART),
	ANY_OPEN(REMIND, SYSTEM, 0, CLOCK_KEEP),
	{ A(REMIND),           S(PAYOUT),             0,                  SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(REMIND),           S(PAID),               0,                  SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_KEEP },
	{ A(REMIND),           S(REJECTED),           0,                  SYSTEM,                         WHEN_ALWAYS,          0,                           CLOCK_KEEP },
#undef ANY_OPEN
};

const workflow_row *refund__workflow_rows(size_t *count)
{
	*count = sizeof(rows) / sizeof(rows[0]);
	return rows;
}

const workflow_row *refund__workflow_find(int action, int state,
		int (*when)(int cond, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const workflow_row *row = &rows[i];

		if (row->action != action || row->from != state)
			continue;
		if (row->when == WHEN_ALWAYS || when(row->when, ctx))
			return row;
	}
	return NULL;
}

int refund__workflow_role_allowed(const workflow_row *row, int role)
{
	return role > 0 && role < 32 && (row->roles & REFUND_ROLE_BIT(role)) != 0;
}
