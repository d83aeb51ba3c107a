/*
 * The words of refundctl's human output in Chinese: the states, actions,
 * roles and other names of the library's enums.  In English each label is
 * the library's own name (refund_case_state_name() and the like), which
 * is also what --json prints in every language.
 *
 * The Chinese words are those of DOMAIN.md and of the library's zh-CN
 * texts: the states as refund_case_explain() names them (src/quote.c),
 * the evidence as it lists them, the parties as its escalation message
 * does (监管机构、消费者协会或法律援助).
 */
#include <stddef.h>

#include "refundctl.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const state_zh[] = {
	[REFUND_STATE_DRAFT] = "准备材料",
	[REFUND_STATE_SUBMITTED] = "已提交申请",
	[REFUND_STATE_UNDER_REVIEW] = "审核中",
	[REFUND_STATE_AWAITING_DOCUMENTS] = "等待补充材料",
	[REFUND_STATE_DEVICE_RETURN] = "等待退还终端",
	[REFUND_STATE_INSPECTION] = "终端检查中",
	[REFUND_STATE_AGREEMENT] = "等待签署退款协议",
	[REFUND_STATE_PAYOUT] = "退款中",
	/* The explanation's "已退款，等待确认收到" and "已驳回，可在期限内申诉",
	 * cut to fit a table's column; the next step says the rest. */
	[REFUND_STATE_PAID] = "已退款待确认",
	[REFUND_STATE_CLOSED] = "已结案",
	[REFUND_STATE_REJECTED] = "已驳回",
	[REFUND_STATE_WITHDRAWN] = "已撤回",
	[REFUND_STATE_EXPIRED] = "已过期",
};

static const char *const action_zh[] = {
	[REFUND_ACTION_OPEN] = "开案",
	[REFUND_ACTION_ATTACH] = "添加材料",
	[REFUND_ACTION_SUBMIT] = "提交申请",
	[REFUND_ACTION_START_REVIEW] = "开始审核",
	[REFUND_ACTION_REQUEST_DOCUMENTS] = "要求补充材料",
	[REFUND_ACTION_PROVIDE_DOCUMENTS] = "补交材料",
	[REFUND_ACTION_APPROVE] = "批准",
	[REFUND_ACTION_REJECT] = "驳回",
	[REFUND_ACTION_APPEAL] = "申诉",
	[REFUND_ACTION_RECEIVE_DEVICE] = "收到退还终端",
	[REFUND_ACTION_INSPECT] = "检查终端",
	[REFUND_ACTION_OFFER] = "提出退款协议",
	[REFUND_ACTION_ACCEPT] = "签署退款协议",
	[REFUND_ACTION_PAY] = "付款",
	[REFUND_ACTION_PAY_FAILED] = "付款失败",
	[REFUND_ACTION_CONFIRM] = "确认收款",
	[REFUND_ACTION_WITHDRAW] = "撤回申请",
	[REFUND_ACTION_ESCALATE] = "升级投诉",
	[REFUND_ACTION_REEVALUATE] = "重新评估",
	[REFUND_ACTION_REMIND] = "提醒",
	[REFUND_ACTION_EXPIRE] = "过期",
	[REFUND_ACTION_AUTO_CLOSE] = "自动结案",
	[REFUND_ACTION_DEEMED_APPROVAL] = "视为批准",
	[REFUND_ACTION_SET_OFFSET] = "抵扣服务费用",
};

static const char *const role_zh[] = {
	[REFUND_ROLE_APPLICANT] = "申请人",
	[REFUND_ROLE_AGENT] = "代理商",
	[REFUND_ROLE_REVIEWER] = "审核员",
	[REFUND_ROLE_FINANCE] = "财务",
	[REFUND_ROLE_ADMIN] = "管理员",
	[REFUND_ROLE_SYSTEM] = "系统",
};

/* Indexed as ctl_reason_names. */
static const char *const reason_zh[] = { "", "设备故障或损坏", "交易异常或纠纷",
	"服务不满意", "政策法规变动", "需求变化或合同到期", "遭遇诈骗" };

/* Indexed as ctl_evidence_names; the words of refund_case_explain(). */
static const char *const evidence_zh[] = { "", "押金收据", "合同协议", "支付凭证",
	"故障报告单", "交易记录或截图", "服务质量评价报告", "政府文件", "报案回执",
	"其他材料" };

/* Indexed as ctl_consequence_names. */
static const char *const consequence_zh[] = { "", "提醒", "升级投诉", "过期", "视为批准",
	"结案" };

static const char *const entry_zh[] = {
	[REFUND_ENTRY_HOLD] = "押金",
	[REFUND_ENTRY_REFUND] = "退还",
	[REFUND_ENTRY_DAMAGE] = "损坏赔偿",
	[REFUND_ENTRY_MISSING_PARTS] = "配件缺失",
	[REFUND_ENTRY_HANDLING_FEE] = "手续费",
	[REFUND_ENTRY_FEE_OFFSET] = "抵扣服务费用",
	[REFUND_ENTRY_FORFEIT] = "没收",
};

static const char *const part_status_en[] = { "", "pending", "failed", "paid" };
static const char *const part_status_zh[] = { "", "待付款", "付款失败", "已付款" };

/* @p zh[value] in Chinese, @p en otherwise; "?" for a value out of range. */
static const char *label(const ctl *c, const char *en, const char *const *zh, int count,
		int value)
{
	if (c->lang != REFUND_LANG_ZH_CN)
		return en ? en : "?";
	return value > 0 && value < count && zh[value] ? zh[value] : "?";
}

const char *ctl_state_label(const ctl *c, int state)
{
	return label(c, refund_case_state_name(state), state_zh, COUNT(state_zh), state);
}

const char *ctl_action_label(const ctl *c, int action)
{
	return label(c, refund_case_action_name(action), action_zh, COUNT(action_zh), action);
}

const char *ctl_role_label(const ctl *c, int role)
{
	return label(c, refund_role_name(role), role_zh, COUNT(role_zh), role);
}

const char *ctl_reason_label(const ctl *c, int reason)
{
	return label(c, ctl_name_of(ctl_reason_names, CTL_REASON_COUNT, reason), reason_zh,
			COUNT(reason_zh), reason);
}

const char *ctl_evidence_label(const ctl *c, int kind)
{
	return label(c, ctl_name_of(ctl_evidence_names, CTL_EVIDENCE_COUNT, kind),
			evidence_zh, COUNT(evidence_zh), kind);
}

const char *ctl_consequence_label(const ctl *c, int consequence)
{
	return label(c, ctl_name_of(ctl_consequence_names, CTL_CONSEQUENCE_COUNT, consequence),
			consequence_zh, COUNT(consequence_zh), consequence);
}

const char *ctl_entry_label(const ctl *c, int kind)
{
	return label(c, refund_entry_kind_name(kind), entry_zh, COUNT(entry_zh), kind);
}

const char *ctl_part_status_name(int status)
{
	return ctl_name_of(part_status_en, COUNT(part_status_en), status);
}

const char *ctl_part_status_label(const ctl *c, int status)
{
	return label(c, ctl_part_status_name(status), part_status_zh, COUNT(part_status_zh),
			status);
}

const char *ctl_party_label(const ctl *c, uint32_t party)
{
	const char *zh = party == REFUND_PARTY_REGULATOR ? "监管机构"
		: party == REFUND_PARTY_CONSUMER_ASSOCIATION ? "消费者协会"
		: party == REFUND_PARTY_LEGAL ? "法律援助" : "?";

	return CTL_TEXT(c, ctl_party_name(party), zh);
}
