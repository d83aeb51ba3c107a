/**
 * @file refund/actor.h
 * @brief Who acts: an actor id and a role, given with every action.
 *
 * The host authenticates people; the library is told the actor's id and
 * role for every action and refuses (REFUND_EDENIED) actions the role may
 * not take.
 */
#ifndef REFUND_ACTOR_H
#define REFUND_ACTOR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Roles.  Values are fixed forever. */
typedef enum refund_role {
	REFUND_ROLE_APPLICANT = 1, /**< The merchant asking for the deposit back (商户). */
	REFUND_ROLE_AGENT = 2,     /**< The agent who collected the deposit (代理商). */
	REFUND_ROLE_REVIEWER = 3,  /**< Reviews applications (审核). */
	REFUND_ROLE_FINANCE = 4,   /**< Pays out (财务). */
	REFUND_ROLE_ADMIN = 5,     /**< Sets policy, corrects records (管理员). */
	REFUND_ROLE_SYSTEM = 6     /**< The library itself, acting on a deadline. */
} refund_role;

/**
 * The role's name: "applicant", "agent", "reviewer", "finance", "admin",
 * "system".
 *
 * @param role a ::refund_role.
 * @return a static string; NULL for an unknown role.
 */
REFUND_API const char *refund_role_name(int role);

/**
 * The role's label for people: in English its name (refund_role_name()),
 * in Chinese the word users say ("申请人", "代理商", "审核员", "财务",
 * "管理员", "系统").  The engine's own messages use these labels.
 *
 * @param role a ::refund_role.
 * @param lang a ::refund_lang.
 * @return a static UTF-8 string; NULL for an unknown role or language.
 */
REFUND_API const char *refund_role_label(int role, refund_lang lang);

/**
 * The role of a name, as refund_role_name() gives it.
 *
 * @param name the name.
 * @param out receives the ::refund_role.
 * @return 0; REFUND_EINVAL for NULL arguments; REFUND_ENOTFOUND.
 */
REFUND_API int refund_role_from_name(const char *name, int *out);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_ACTOR_H */
