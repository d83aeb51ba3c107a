/* Error texts and names.  One row per code: adding a code means adding a row. */
#include <refund/common.h>

#include <stddef.h>

typedef struct error_text {
	int code;
	const char *name;
	const char *en;
	const char *zh;
} error_text;

static const error_text error_texts[] = {
	{ REFUND_OK, "REFUND_OK", "success", "成功" },
	{ REFUND_EINVAL, "REFUND_EINVAL", "invalid argument", "参数无效" },
	{ REFUND_ENOMEM, "REFUND_ENOMEM", "out of memory", "内存不足" },
	{ REFUND_ENOTFOUND, "REFUND_ENOTFOUND", "not found", "未找到" },
	{ REFUND_EEXISTS, "REFUND_EEXISTS", "already exists", "已存在" },
	{ REFUND_ESTATE, "REFUND_ESTATE", "not allowed in the current state", "当前状态下不允许此操作" },
	{ REFUND_EDENIED, "REFUND_EDENIED", "role not allowed to take this action", "该角色无权执行此操作" },
	{ REFUND_ECONFLICT, "REFUND_ECONFLICT", "changed by someone else; reload and retry", "已被他人修改，请重新加载后重试" },
	{ REFUND_EDEADLINE, "REFUND_EDEADLINE", "deadline or window has passed", "已超过期限或申请时限" },
	{ REFUND_EDUPLICATE, "REFUND_EDUPLICATE", "an open application exists already", "已有未结束的申请，请勿重复提交" },
	{ REFUND_ESTORE, "REFUND_ESTORE", "storage failure", "存储故障" },
	{ REFUND_EUSER, "REFUND_EUSER", "host callback failed", "宿主回调失败" },
	{ REFUND_ECORRUPT, "REFUND_ECORRUPT", "malformed or corrupt data", "数据格式错误或已损坏" },
	{ REFUND_EOVERFLOW, "REFUND_EOVERFLOW", "amount overflow", "金额溢出" },
	{ REFUND_ECURRENCY, "REFUND_ECURRENCY", "unknown or mismatched currency", "币种未知或不一致" },
	{ REFUND_ECALENDAR, "REFUND_ECALENDAR", "calendar has no data for that date", "日历缺少该日期的数据" },
	{ REFUND_ENOTSUP, "REFUND_ENOTSUP", "not supported by the store", "存储不支持此操作" },
	{ REFUND_EVERSION, "REFUND_EVERSION", "unknown struct version", "结构体版本未知" },
	{ REFUND_EBUSY, "REFUND_EBUSY", "store busy; retry later", "存储繁忙，请稍后重试" },
	{ REFUND_EBALANCE, "REFUND_EBALANCE", "would exceed the remaining deposit", "超出押金余额" },
	{ REFUND_EPARSE, "REFUND_EPARSE", "cannot parse text", "无法解析文本" },
	{ REFUND_ERANGE, "REFUND_ERANGE", "buffer too small", "缓冲区太小" },
	{ REFUND_EEVIDENCE, "REFUND_EEVIDENCE", "required evidence is missing", "缺少必需的证明材料" },
};

static const error_text *find(int code)
{
	size_t i;

	for (i = 0; i < sizeof(error_texts) / sizeof(error_texts[0]); i++)
		if (error_texts[i].code == code)
			return &error_texts[i];
	return NULL;
}

const char *refund_strerror(int code, refund_lang lang)
{
	const error_text *t = find(code);

	if (!t)
		return "unknown error";
	return lang == REFUND_LANG_ZH_CN ? t->zh : t->en;
}

const char *refund_error_name(int code)
{
	const error_text *t = find(code);

	return t ? t->name : "REFUND_E?";
}

const char *refund_version(void)
{
	return REFUND_VERSION_STRING;
}

int refund_version_number(void)
{
	return REFUND_VERSION_NUMBER;
}
