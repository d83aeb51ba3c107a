/**
 * @file refund/engine.h
 * @brief refund_engine: allocator, clock, store, notifier, language, errors.
 *
 * An engine ties the library to its host.  It is created from versioned
 * options and used by one thread at a time, together with every handle made
 * from it; separate engines (on any threads) may share one store if the
 * store locks itself, as the in-memory store does.  There is no global or
 * thread-local state: the last error message lives on the engine.
 */
#ifndef REFUND_ENGINE_H
#define REFUND_ENGINE_H

#include "common.h"
#include "store.h"
#include "sys/alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An engine.  Opaque. */
typedef struct refund_engine refund_engine;

/**
 * The clock: returns the current time in seconds UTC.  Injectable so that
 * every deadline is testable; must not fail.
 */
typedef refund_time (*refund_clock_fn)(void *user);

/** The current version of ::refund_notice. */
#define REFUND_NOTICE_VERSION 1

/** What a notice is about. */
typedef enum refund_notice_kind {
	REFUND_NOTICE_DEPOSIT_CREATED = 1, /**< A deposit was recorded. */
	REFUND_NOTICE_LEDGER_ENTRY = 2,    /**< Money moved in a deposit's ledger. */
	REFUND_NOTICE_USAGE_UPDATED = 3,   /**< A deposit's usage figures changed. */
	REFUND_NOTICE_TRANSITION = 4,      /**< A case took an action (see @ref refund_notice.action). */
	REFUND_NOTICE_REMINDER = 5,        /**< A case's deadline draws near (or passed: @ref refund_notice.overdue). */
	REFUND_NOTICE_DEADLINE = 6         /**< A deadline passed and its consequence was applied. */
} refund_notice_kind;

/**
 * A notice passed to the host's notifier after a change was committed.
 * Read only the fields present in the notice's @ref version; every pointer
 * is valid during the callback only.
 */
typedef struct refund_notice {
	unsigned int version;     /**< ::REFUND_NOTICE_VERSION or later. */
	int kind;                 /**< A ::refund_notice_kind. */
	int record_kind;          /**< The record's kind (refund/sys/store.h). */
	const char *id;           /**< The record's id. */
	const char *actor;        /**< Who acted, or NULL. */
	refund_time at;           /**< When (engine clock). */
	int64_t amount;           /**< Amount moved, in minor units, or 0. */
	const char *currency;     /**< Currency of @ref amount, or NULL. */
	int entry_kind;           /**< For ledger entries, a ::refund_entry_kind. */
	int action;               /**< For cases, the ::refund_action taken. */
	int from_state;           /**< For cases, the state before. */
	int to_state;             /**< For cases, the state after. */
	refund_time deadline;     /**< For deadlines, when it is (was) due. */
	int overdue;              /**< For reminders, 1 if the deadline has passed. */
} refund_notice;

/** Receives notices; must not call back into the same engine. */
typedef void (*refund_notify_fn)(void *user, const refund_notice *notice);

/** The current version of ::refund_engine_options. */
#define REFUND_ENGINE_OPTIONS_VERSION 1

/** How to create an engine.  Fields are only ever appended. */
typedef struct refund_engine_options {
	unsigned int version;               /**< ::REFUND_ENGINE_OPTIONS_VERSION. */
	const refund_allocator *allocator;  /**< Copied; NULL: the C library's. */
	refund_clock_fn clock;              /**< NULL: the system's UTC clock. */
	void *clock_user;                   /**< Passed to @ref clock. */
	refund_store *store;                /**< Required; borrowed, must outlive the engine. */
	refund_notify_fn notify;            /**< NULL: no notices. */
	void *notify_user;                  /**< Passed to @ref notify. */
	refund_lang lang;                   /**< Language of messages. */
} refund_engine_options;

/** Static initializer: libc allocator, system clock, no store, English. */
#define REFUND_ENGINE_OPTIONS_INIT \
	{ REFUND_ENGINE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, REFUND_LANG_EN }

/**
 * Initialize an options struct to the defaults of ::REFUND_ENGINE_OPTIONS_INIT.
 *
 * @param options the struct to fill.
 * @param version must be ::REFUND_ENGINE_OPTIONS_VERSION.
 * @return 0; REFUND_EINVAL if @p options is NULL; REFUND_EVERSION otherwise.
 */
REFUND_API int refund_engine_options_init(refund_engine_options *options,
		unsigned int version);

/**
 * Create an engine.
 *
 * @param out receives the engine, to be freed with refund_engine_free(); set
 *        only on success.
 * @param options the options; copied.
 * @return 0; REFUND_EINVAL (NULL pointer, no store, a store without a
 *         required callback, half-set allocator, unknown language);
 *         REFUND_EVERSION (unknown options, allocator or store version);
 *         REFUND_ENOMEM.
 */
REFUND_API int refund_engine_new(refund_engine **out,
		const refund_engine_options *options);

/**
 * Free an engine.  NULL is a no-op.  Handles made from it must be freed
 * first; the store is not freed.
 *
 * @param engine the engine; invalid afterwards.
 */
REFUND_API void refund_engine_free(refund_engine *engine);

/**
 * The detailed message of the last failure on this engine, in the engine's
 * language, such as "deposit D-1: refund of 600.00 exceeds remaining 500.00".
 *
 * @param engine the engine, or NULL.
 * @return a string owned by the engine, valid until the next call on it or
 *         on one of its handles; "" if there was no failure; a static text
 *         if @p engine is NULL.
 */
REFUND_API const char *refund_engine_errmsg(const refund_engine *engine);

/**
 * The current time by the engine's clock.
 *
 * @param engine the engine.
 * @param out receives the time.
 * @return 0; REFUND_EINVAL for NULL arguments or a clock outside
 *         REFUND_TIME_MIN..REFUND_TIME_MAX.
 */
REFUND_API int refund_engine_now(refund_engine *engine, refund_time *out);

/**
 * The engine's message language.
 *
 * @param engine the engine.
 * @return its ::refund_lang; REFUND_LANG_EN for NULL.
 */
REFUND_API refund_lang refund_engine_lang(const refund_engine *engine);

/**
 * Change the engine's message language.
 *
 * @param engine the engine.
 * @param lang the new language.
 * @return 0; REFUND_EINVAL for a NULL engine or unknown language (nothing changed).
 */
REFUND_API int refund_engine_set_lang(refund_engine *engine, refund_lang lang);

/**
 * Add a currency or override the minor-unit exponent of a built-in one, for
 * this engine only (for example a host that keeps JPY in sen would set 2).
 *
 * @param engine the engine.
 * @param code three upper-case ASCII letters (ISO 4217 alpha-3 form).
 * @param exponent minor-unit digits, 0 to 4.
 * @return 0; REFUND_EINVAL for a malformed code or exponent (nothing
 *         changed); REFUND_ENOMEM.
 */
REFUND_API int refund_engine_set_currency(refund_engine *engine, const char *code,
		int exponent);

/**
 * The minor-unit exponent of a currency: the engine's override if any, else
 * the built-in ISO 4217 table.
 *
 * @param engine the engine (its overrides are used and a failure is
 *        described on it), or NULL for the built-in table only.
 * @param code the currency code.
 * @param exponent receives the exponent.
 * @return 0; REFUND_EINVAL for NULL or malformed arguments;
 *         REFUND_ECURRENCY for an unknown currency.
 */
REFUND_API int refund_currency_exponent(refund_engine *engine, const char *code,
		int *exponent);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_ENGINE_H */
