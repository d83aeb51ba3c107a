/**
 * @file refund/event.h
 * @brief The audit trail: a case's events, chained by SHA-256.
 *
 * Every transition of a case appends one event: its sequence number, time,
 * actor and role, action, the state before and after, the amount moved, the
 * reason, the note, the policy version, and its hash: SHA-256 over the
 * previous event's digest followed by this event's stored bytes.  Editing,
 * removing or reordering a stored event breaks the chain, and
 * refund_case_verify() finds where (记录和备案, 以备查询和审计).  The events
 * also carry each action's arguments, so a case can be rebuilt from its
 * events alone.
 *
 * Events are stored in a compact binary format (format 2); events stored
 * as JSON by earlier versions (format 1) are still read, verified and
 * replayed, and one case's chain may hold both.  docs/FORMAT.md gives both
 * formats byte by byte.  Either way ::refund_event gives the hashes in hex.
 */
#ifndef REFUND_EVENT_H
#define REFUND_EVENT_H

#include "common.h"
#include "case.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The current version of ::refund_event. */
#define REFUND_EVENT_VERSION 1

/** One event, read-only.  Strings live during the callback only. */
typedef struct refund_event {
	unsigned int version;        /**< ::REFUND_EVENT_VERSION or later. */
	uint64_t seq;                /**< 1, 2, 3, ... */
	refund_time at;              /**< When it happened. */
	const char *actor;           /**< Who acted ("system" for deadlines). */
	int role;                    /**< The actor's ::refund_role. */
	int action;                  /**< A ::refund_action. */
	int from;                    /**< State before (0 for the opening event). */
	int to;                      /**< State after. */
	int64_t amount;              /**< Money involved, in minor units, or 0. */
	const char *reason;          /**< A reason or detail, or NULL. */
	const char *note;            /**< The actor's note, or NULL. */
	const char *policy_id;       /**< The policy in force. */
	uint32_t policy_version;     /**< Its version after the event. */
	uint32_t policy_version_before; /**< Its version before (differs on re-evaluation). */
	refund_time deadline;        /**< The deadline the event concerns or starts, or ::REFUND_TIME_NONE. */
	const char *prev_hash;       /**< Hex SHA-256 of the previous event ("" for the first); for a binary event, which does not store it, the hash of the event read before it. */
	const char *hash;            /**< Hex SHA-256 of this event (lower case, 64 digits once verified). */
} refund_event;

/**
 * Receives one event; return 0 to go on, anything else to stop (the value
 * is returned by the iteration).
 */
typedef int (*refund_event_cb)(void *ctx, const refund_event *event);

/**
 * Visit a case's events in order, from the store.
 *
 * @param c the case.
 * @param cb called for each event.
 * @param ctx passed to @p cb.
 * @return 0; @p cb's non-zero value; REFUND_EINVAL; REFUND_ECORRUPT (an
 *         event cannot be decoded); REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_case_events(refund_case *c, refund_event_cb cb, void *ctx);

/**
 * Recompute the case's hash chain from its stored events and compare it
 * with the case.
 *
 * @param c the case.
 * @param first_bad receives the seq of the first event that does not verify
 *        (0 when all do); may be NULL.
 * @return 0 if the chain is intact; REFUND_ECORRUPT if not (the engine's
 *         message says what is wrong); REFUND_EINVAL; REFUND_ENOMEM;
 *         REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_case_verify(refund_case *c, uint64_t *first_bad);

/**
 * Rebuild a case from its stored events alone, not from its stored record
 * (一个案件可由其事件重建).  Each event's action is taken again with the
 * arguments, time, actor and outside inputs the event recorded (the
 * deposit's identity when opening, the quote when approving or offering),
 * under the published policy version the event names, without touching the
 * store, the deposit or the notifier, and must give the stored event again
 * byte for byte (so its hash).  Deadlines are recomputed in the policy's
 * calendars, which must hold the same data as when the events were written.
 * The rebuilt handle's record is what the store's record should be; its
 * version is the number of events.
 *
 * @param engine the engine.
 * @param case_id the case.
 * @param out receives the rebuilt case (free with refund_case_free());
 *        unchanged on failure.
 * @return 0; REFUND_EINVAL; REFUND_ENOTFOUND (the case has no events);
 *         REFUND_ECORRUPT (an event does not decode or does not replay to
 *         the same bytes: the engine's message names its seq);
 *         REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_case_rebuild(refund_engine *engine, const char *case_id,
		refund_case **out);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_EVENT_H */
