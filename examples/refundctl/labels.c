/*
 * The words of refundctl's human output in Chinese.  States, actions and
 * roles take the library's labels (refund_case_state_label() and the like);
 * the other names of its enums are here.  In English each label is the
 * library's own name, which is also what --json prints in every language.
 *
 * The Chinese words are those of DOMAIN.md and of the library's zh-CN
 * texts: the evidence as refund_case_explain() lists them, the parties as
 * its escalation message does (监管机构、消费者协会或法律援助).
 */
#include <stddef.h>

#include "refundctl.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

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

/* The library's own label, or "?" for a value it does not know. */
static const char *known(const char *label)
{
	return label ? label : "?";
}

const char *ctl_state_label(const ctl *c, int state)
{
	return known(refund_case_state_label(state, c->lang));
}

const char *ctl_action_label(const ctl *c, int action)
{
	return known(refund_case_action_label(action, c->lang));
}

const char *ctl_role_label(const ctl *c, int role)
{
	return known(refund_role_label(role, c->lang));
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
