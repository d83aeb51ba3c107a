/**
 * @file refund/deadline.h
 * @brief Deadlines that fire: what a case waits for, and the tick that acts.
 *
 * Each state may start a clock from the policy: due N calendar or business
 * days after the case entered it, with reminders before.  While the case
 * waits on the applicant for documents the review clock pauses.
 * refund_engine_tick() asks the store's deadline index for what is due and
 * applies it as committed transitions by the system actor: reminders before
 * due, the policy's consequence after due.  Each fires once: if two engines
 * tick the same store, the optimistic version check lets one of them act.
 */
#ifndef REFUND_DEADLINE_H
#define REFUND_DEADLINE_H

#include "common.h"
#include "case.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The current version of ::refund_deadline. */
#define REFUND_DEADLINE_VERSION 1

/** A case's current deadline. */
typedef struct refund_deadline {
	unsigned int version;    /**< Set by the caller: ::REFUND_DEADLINE_VERSION. */
	int state;               /**< The state whose clock it is. */
	refund_time started;     /**< When the clock started (or resumed). */
	refund_time due;         /**< When it is due. */
	refund_time next;        /**< When the next reminder or consequence fires. */
	int consequence;         /**< A ::refund_consequence, at @ref due. */
	int overdue;             /**< 1 once @ref due has passed and fired. */
} refund_deadline;

/**
 * What the case waits for and by when.
 *
 * @param c the case.
 * @param out filled; the caller sets out->version first.
 * @return 0; REFUND_ENOTFOUND if no clock runs (a final state, a paused
 *         clock, or a state the policy sets no deadline for);
 *         REFUND_EINVAL; REFUND_EVERSION.
 */
REFUND_API int refund_case_next_deadline(const refund_case *c, refund_deadline *out);

/** The current version of ::refund_tick_result. */
#define REFUND_TICK_RESULT_VERSION 1

/** What a tick did. */
typedef struct refund_tick_result {
	unsigned int version;  /**< Set by the caller: ::REFUND_TICK_RESULT_VERSION. */
	size_t due;            /**< Cases the deadline index returned. */
	size_t reminders;      /**< Reminders sent. */
	size_t consequences;   /**< Consequences applied (escalations, expiries...). */
	size_t conflicts;      /**< Cases another engine changed first (left to it). */
} refund_tick_result;

/**
 * Fire every deadline due at or before @p now, at most @p limit cases.
 * Each reminder and consequence is one committed transition by the system
 * actor with its event, and the notifier is called once for it.  The cost
 * grows with what is due, not with the number of cases.
 *
 * @param engine the engine.
 * @param now the time to act at (the engine clock is not read).
 * @param limit at most this many cases; 0: all that are due.
 * @param result filled if not NULL (the caller sets its version).
 * @return 0 (also when some cases conflicted: counted in the result);
 *         REFUND_EINVAL; REFUND_EVERSION; REFUND_ENOMEM; REFUND_ESTORE;
 *         REFUND_EBUSY; REFUND_ECORRUPT.  On failure the transitions
 *         committed before stay committed; tick again to go on.
 */
REFUND_API int refund_engine_tick(refund_engine *engine, refund_time now, size_t limit,
		refund_tick_result *result);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_DEADLINE_H */
