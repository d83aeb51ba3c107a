#include "validate.h"

#include <string.h>

#include <refund/actor.h>

#include "utf8.h"

int refund__check_id(refund_engine *e, const char *field, const char *id)
{
	size_t i, n;

	if (!id)
		return refund__fail(e, REFUND_EINVAL, "%s is required", "缺少%s", field);
	n = strlen(id);
	if (n == 0 || n > REFUND_ID_MAX)
		return refund__fail(e, REFUND_EINVAL, "%s must be 1 to %d bytes long",
				"%s长度须为 1 至 %d 字节", field, REFUND_ID_MAX);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c <= ' ' || c >= 0x7F)
			return refund__fail(e, REFUND_EINVAL,
					"%s may contain only printable ASCII without spaces (byte %zu is 0x%02X)",
					"%s只能包含不含空格的可打印 ASCII 字符（第 %zu 字节为 0x%02X）",
					field, i + 1, (unsigned)c);
	}
	return 0;
}

int refund__check_optional_id(refund_engine *e, const char *field, const char *id)
{
	return id ? refund__check_id(e, field, id) : 0;
}

int refund__check_text(refund_engine *e, const char *field, const char *text,
		size_t max)
{
	size_t i, n;

	if (!text)
		return 0;
	n = strlen(text);
	if (n > max)
		return refund__fail(e, REFUND_EINVAL, "%s is longer than %zu bytes",
				"%s超过 %zu 字节", field, max);
	if (!refund__utf8_valid(text, n))
		return refund__fail(e, REFUND_EINVAL, "%s is not valid UTF-8",
				"%s不是有效的 UTF-8 文本", field);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < ' ' && c != '\t' && c != '\n') || c == 0x7F)
			return refund__fail(e, REFUND_EINVAL,
					"%s contains a control character (byte %zu)",
					"%s包含控制字符（第 %zu 字节）", field, i + 1);
	}
	return 0;
}

int refund__check_time(refund_engine *e, const char *field, refund_time t)
{
	if (t < REFUND_TIME_MIN || t > REFUND_TIME_MAX)
		return refund__fail(e, REFUND_EINVAL,
				"%s (%lld) is outside years 1970 to 9999",
				"%s（%lld）超出 1970 至 9999 年", field, (long long)t);
	return 0;
}

int refund__check_role(refund_engine *e, int role)
{
	if (!refund_role_name(role))
		return refund__fail(e, REFUND_EINVAL, "unknown role %d", "未知角色 %d", role);
	return 0;
}

int refund__check_allowed(refund_engine *e, const char *action, const char *action_zh,
		int role, unsigned int allowed_roles)
{
	int rc = refund__check_role(e, role);

	if (rc)
		return rc;
	/* Each text takes its own words ("%.0s" skips the other's). */
	if (!(allowed_roles & REFUND_ROLE_BIT(role)))
		return refund__fail(e, REFUND_EDENIED, "the %s%.0s role may not %s%.0s",
				"角色“%.0s%s”无权%.0s%s", refund_role_name(role),
				refund_role_label(role, REFUND_LANG_ZH_CN), action, action_zh);
	return 0;
}

int refund__check_currency(refund_engine *e, const char *code)
{
	int exponent;

	if (!code)
		return refund__fail(e, REFUND_EINVAL, "currency is required", "缺少币种");
	return refund_currency_exponent(e, code, &exponent);
}
