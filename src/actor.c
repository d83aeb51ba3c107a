#include <refund/actor.h>

#include <string.h>

static const char *const role_names[] = {
	NULL, "applicant", "agent", "reviewer", "finance", "admin", "system"
};

#define NROLES ((int)(sizeof(role_names) / sizeof(role_names[0])))

const char *refund_role_name(int role)
{
	return role > 0 && role < NROLES ? role_names[role] : NULL;
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
