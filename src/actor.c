#include <refund/actor.h>

#include <string.h>

#include "engine.h"

static const char *const role_names[] = {
	NULL, "applicant", "agent", "reviewer", "finance", "admin", "system"
};

static const char *const role_zh[] = {
	NULL, "申请人", "代理商", "审核员", "财务", "管理员", "系统"
};

#define NROLES ((int)(sizeof(role_names) / sizeof(role_names[0])))

const char *refund_role_name(int role)
{
	return role > 0 && role < NROLES ? role_names[role] : NULL;
}

const char *refund_role_label(int role, refund_lang lang)
{
	if (!refund_role_name(role) || !refund__lang_valid(lang))
		return NULL;
	return lang == REFUND_LANG_ZH_CN ? role_zh[role] : role_names[role];
}

int refund_role_from_name(const char *name, int *out)
{
	int role;

	if (!name || !out)
		return REFUND_EINVAL;
	for (role = 1; role < NROLES; role++) {
		if (strcmp(name, role_names[role]) == 0) {
			*out = role;
			return 0;
		}
	}
	return REFUND_ENOTFOUND;
}
