/*
 * Internal: argument checks shared by every public function.  Each returns
 * 0 or REFUND_EINVAL after describing the problem on the engine, naming the
 * field so the host can tell its user what to fix.
 */
#ifndef REFUND_SRC_VALIDATE_H
#define REFUND_SRC_VALIDATE_H

#include "engine.h"

/* An id: 1 to REFUND_ID_MAX printable ASCII bytes, no spaces. */
int refund__check_id(refund_engine *e, const char *field, const char *id);
/* The same, but NULL is allowed. */
int refund__check_optional_id(refund_engine *e, const char *field, const char *id);
/* Free text: NULL allowed, valid UTF-8, at most max bytes, no control bytes
 * other than tab and newline. */
int refund__check_text(refund_engine *e, const char *field, const char *text,
		size_t max);
/* A time in REFUND_TIME_MIN..REFUND_TIME_MAX. */
int refund__check_time(refund_engine *e, const char *field, refund_time t);
/* A known role; REFUND_EINVAL otherwise. */
int refund__check_role(refund_engine *e, int role);
/* Whether role is one of the allowed ones (a bit mask of 1 << role); if
 * not, REFUND_EDENIED with a message naming the action (in either language). */
int refund__check_allowed(refund_engine *e, const char *action, const char *action_zh,
		int role, unsigned int allowed_roles);
/* A known currency: REFUND_EINVAL if malformed, REFUND_ECURRENCY if unknown. */
int refund__check_currency(refund_engine *e, const char *code);

#define REFUND_ROLE_BIT(role) (1u << (role))

#endif
