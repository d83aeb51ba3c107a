/*
 * Internal: the policy's rules as the case module reads them.  A published
 * policy never changes, so cases may keep a pointer to one for as long as
 * they hold the handle.
 */
#ifndef REFUND_SRC_POLICY_H
#define REFUND_SRC_POLICY_H

#include <refund/calendar.h>
#include <refund/case.h>
#include <refund/policy.h>

#include "engine.h"

#define REFUND_POLICY_ID_MAX 48
#define REFUND_REASON_COUNT 7   /* one more than the largest reason */
#define REFUND_GRADE_COUNT 5    /* one more than the largest grade */
#define REFUND_EVIDENCE_ALL 0x3FEu /* bits 1..9 */

typedef struct policy_tier {
	int64_t min_days;
	int64_t min_volume;
	int32_t bp;
} policy_tier;

typedef struct policy_deadline {
	int set;                        /* 0: this state starts no clock */
	int32_t amount;
	int unit;                       /* refund_day_unit */
	char calendar[REFUND_CALENDAR_NAME_MAX + 1];
	int consequence;                /* refund_consequence */
	int64_t reminders[REFUND_POLICY_MAX_REMINDERS]; /* seconds before due, descending */
	size_t nreminders;
} policy_deadline;

struct refund_policy {
	refund_engine *engine;
	char id[REFUND_POLICY_ID_MAX + 1];
	uint32_t version;               /* 0 while a draft */
	char currency[4];
	int window_anchor;
	int32_t window_days;
	policy_tier tiers[REFUND_POLICY_MAX_TIERS];
	size_t ntiers;
	uint32_t common_evidence;
	uint32_t reason_evidence[REFUND_REASON_COUNT];
	int return_required;
	int32_t grade_bp[REFUND_GRADE_COUNT];
	int64_t missing_part_amount;
	int64_t fee_fixed;
	int32_t fee_bp;
	int64_t fee_min;
	int64_t fee_cap;                /* -1: no cap */
	int offsets_allowed;
	int max_parts;
	int interval_months;
	policy_deadline deadlines[REFUND_STATE_COUNT];
	int64_t four_eyes;              /* -1: off */
	uint32_t parties;
	refund_time published_at;       /* REFUND_TIME_NONE while a draft */
	char published_by[REFUND_ID_MAX + 1];
};

/* The evidence a reason needs in all: the common mask and the reason's. */
uint32_t refund__policy_required_evidence(const refund_policy *p, int reason);

/* The tier percentage for usage figures: bp of the best tier met (10000
 * without tiers, 0 if tiers exist and none is met). */
int32_t refund__policy_tier_bp(const refund_policy *p, int64_t days, int64_t volume);

/*
 * A published policy version (0: the latest), from the engine's cache or
 * loaded into it.  Published versions never change, so the cache never goes
 * stale; it lives as long as the engine (e->policies, freed by the engine).
 * Errors as refund_policy_load().
 */
int refund__policy_get(refund_engine *e, const char *id, uint32_t version,
		const refund_policy **out);

#endif
