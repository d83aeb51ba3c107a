/**
 * @file refund/deposit.h
 * @brief refund_deposit: the money held for a terminal, and its ledger.
 *
 * A deposit (押金) is recorded once, with its amount, and from then on money
 * only leaves it through ledger entries: refunds (退还), deductions for
 * damage (损坏赔偿) or missing parts, a handling fee (手续费), offsets
 * against outstanding service fees (抵扣服务费用), or forfeiture.  The
 * invariant held = refunded + deducted + remaining, remaining >= 0, cannot be
 * broken through the API: an entry that would break it is refused and
 * nothing is written.
 *
 * A handle is a snapshot of the stored deposit at a version.  Every change
 * is committed to the store with that version expected; only after the
 * commit succeeds does the handle change.  If another engine changed the
 * deposit first, the change fails with REFUND_ECONFLICT and the handle is
 * as it was: load it again.
 */
#ifndef REFUND_DEPOSIT_H
#define REFUND_DEPOSIT_H

#include "common.h"
#include "actor.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A deposit handle.  Opaque. */
typedef struct refund_deposit refund_deposit;

/** Kinds of ledger entries.  Values are fixed forever. */
typedef enum refund_entry_kind {
	REFUND_ENTRY_HOLD = 1,          /**< The deposit received (押金); the first entry. */
	REFUND_ENTRY_REFUND = 2,        /**< Paid back to the holder (退还). */
	REFUND_ENTRY_DAMAGE = 3,        /**< Deducted for damage found at inspection (损坏赔偿). */
	REFUND_ENTRY_MISSING_PARTS = 4, /**< Deducted for unreturned parts (配件缺失). */
	REFUND_ENTRY_HANDLING_FEE = 5,  /**< Handling fee (退押金手续费). */
	REFUND_ENTRY_FEE_OFFSET = 6,    /**< Offset against outstanding fees (抵扣服务费用). */
	REFUND_ENTRY_FORFEIT = 7        /**< Forfeited (没收). */
} refund_entry_kind;

/**
 * The name of an entry kind: "hold", "refund", "damage", "missing_parts",
 * "handling_fee", "fee_offset", "forfeit".
 *
 * @param kind a ::refund_entry_kind.
 * @return a static string; NULL for an unknown kind.
 */
REFUND_API const char *refund_entry_kind_name(int kind);

/** Longest free text (reference, receipt) in bytes, without the NUL. */
#define REFUND_TEXT_MAX 1024

/** The current version of ::refund_deposit_info. */
#define REFUND_DEPOSIT_INFO_VERSION 1

/** What a new deposit is.  Fields are only ever appended. */
typedef struct refund_deposit_info {
	unsigned int version;          /**< ::REFUND_DEPOSIT_INFO_VERSION. */
	const char *id;                /**< Required: 1 to 64 printable ASCII bytes. */
	const char *holder;            /**< Required: the merchant's id (商户). */
	const char *agent;             /**< Required: the agent's id (代理商). */
	const char *terminal_serial;   /**< Required: the terminal's serial number. */
	const char *contract_id;       /**< Optional: the contract (合同). */
	const char *receipt;           /**< Optional: the receipt number (押金收据), free text. */
	int64_t amount;                /**< Required: > 0, in minor units. */
	const char *currency;          /**< Required: a known currency code. */
	refund_time paid_at;           /**< Required: when the deposit was paid. */
	refund_time contract_end;      /**< Optional: ::REFUND_TIME_NONE if open-ended. */
} refund_deposit_info;

/** Static initializer: every field empty, times none. */
#define REFUND_DEPOSIT_INFO_INIT { REFUND_DEPOSIT_INFO_VERSION, NULL, NULL, NULL, \
	NULL, NULL, NULL, 0, NULL, REFUND_TIME_NONE, REFUND_TIME_NONE }

/**
 * Initialize a ::refund_deposit_info to ::REFUND_DEPOSIT_INFO_INIT.
 *
 * @param info the struct to fill.
 * @param version must be ::REFUND_DEPOSIT_INFO_VERSION.
 * @return 0; REFUND_EINVAL for NULL; REFUND_EVERSION for an unknown version.
 */
REFUND_API int refund_deposit_info_init(refund_deposit_info *info, unsigned int version);

/**
 * Record a new deposit: one commit writes the deposit with its hold entry.
 * Roles: agent, finance, admin.
 *
 * @param engine the engine.
 * @param out receives the handle (free with refund_deposit_free()); may be
 *        NULL if the caller does not want one.
 * @param info what the deposit is; copied.
 * @param actor the actor's id.
 * @param role the actor's ::refund_role.
 * @return 0; REFUND_EINVAL (a missing or malformed field); REFUND_EVERSION;
 *         REFUND_ECURRENCY; REFUND_EDENIED; REFUND_EEXISTS (the id is taken:
 *         nothing written); REFUND_ENOMEM; REFUND_ESTORE or REFUND_EBUSY.
 */
REFUND_API int refund_deposit_create(refund_engine *engine, refund_deposit **out,
		const refund_deposit_info *info, const char *actor, int role);

/**
 * Load a deposit by id.
 *
 * @param engine the engine.
 * @param out receives the handle; free with refund_deposit_free().
 * @param id the deposit's id.
 * @return 0; REFUND_EINVAL; REFUND_ENOTFOUND; REFUND_ECORRUPT (the stored
 *         bytes are not a valid deposit); REFUND_ENOMEM; REFUND_ESTORE;
 *         REFUND_EBUSY.
 */
REFUND_API int refund_deposit_load(refund_engine *engine, refund_deposit **out,
		const char *id);

/**
 * Free a handle (not the stored deposit).  NULL is a no-op.
 *
 * @param deposit the handle; invalid afterwards.
 */
REFUND_API void refund_deposit_free(refund_deposit *deposit);

/** The current version of ::refund_deposit_filter. */
#define REFUND_DEPOSIT_FILTER_VERSION 1

/** Which deposits refund_deposit_list() visits.  NULL fields match all. */
typedef struct refund_deposit_filter {
	unsigned int version;   /**< ::REFUND_DEPOSIT_FILTER_VERSION. */
	const char *holder;     /**< Only this holder's deposits. */
	const char *agent;      /**< Only this agent's deposits. */
	const char *after_id;   /**< Only ids after this one (paging). */
	size_t limit;           /**< At most this many; 0: all. */
} refund_deposit_filter;

/** Static initializer: every deposit. */
#define REFUND_DEPOSIT_FILTER_INIT { REFUND_DEPOSIT_FILTER_VERSION, NULL, NULL, NULL, 0 }

/**
 * Receives one deposit from refund_deposit_list().  The handle is valid
 * during the call only (load it by id to keep it).  Return 0 to go on; any
 * other value stops the listing and is returned by it.
 */
typedef int (*refund_deposit_cb)(void *ctx, const refund_deposit *deposit);

/**
 * Visit deposits in increasing id order.
 *
 * @param engine the engine.
 * @param filter which deposits; NULL for all.
 * @param cb called for each.
 * @param ctx passed to @p cb.
 * @return 0; @p cb's non-zero value; REFUND_EINVAL; REFUND_EVERSION;
 *         REFUND_ENOTSUP (the store has no scan); REFUND_ECORRUPT;
 *         REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_deposit_list(refund_engine *engine,
		const refund_deposit_filter *filter, refund_deposit_cb cb, void *ctx);

/*
 * Fields.  Strings are owned by the handle and live until it is freed or
 * changed.
 */

/**
 * The deposit's id.
 *
 * @param deposit the deposit.
 * @return the id; NULL for a NULL handle.
 */
REFUND_API const char *refund_deposit_id(const refund_deposit *deposit);

/**
 * The holder (merchant) id.
 *
 * @param deposit the deposit.
 * @return the holder; NULL for a NULL handle.
 */
REFUND_API const char *refund_deposit_holder(const refund_deposit *deposit);

/**
 * The agent id.
 *
 * @param deposit the deposit.
 * @return the agent; NULL for a NULL handle.
 */
REFUND_API const char *refund_deposit_agent(const refund_deposit *deposit);

/**
 * The terminal's serial number.
 *
 * @param deposit the deposit.
 * @return the serial; NULL for a NULL handle.
 */
REFUND_API const char *refund_deposit_terminal_serial(const refund_deposit *deposit);

/**
 * The contract id.
 *
 * @param deposit the deposit.
 * @return the contract id, or NULL if none was given.
 */
REFUND_API const char *refund_deposit_contract_id(const refund_deposit *deposit);

/**
 * The receipt (押金收据).
 *
 * @param deposit the deposit.
 * @return the receipt, or NULL if none was given.
 */
REFUND_API const char *refund_deposit_receipt(const refund_deposit *deposit);

/**
 * The currency code.
 *
 * @param deposit the deposit.
 * @return the ISO 4217 code; NULL for a NULL handle.
 */
REFUND_API const char *refund_deposit_currency(const refund_deposit *deposit);

/**
 * When the deposit was paid.
 *
 * @param deposit the deposit.
 * @return the time; ::REFUND_TIME_NONE for a NULL handle.
 */
REFUND_API refund_time refund_deposit_paid_at(const refund_deposit *deposit);

/**
 * When the contract ends.
 *
 * @param deposit the deposit.
 * @return the time, or ::REFUND_TIME_NONE if open-ended.
 */
REFUND_API refund_time refund_deposit_contract_end(const refund_deposit *deposit);

/**
 * Days in service as last reported by the host.
 *
 * @param deposit the deposit.
 * @return the days; 0 until reported or for a NULL handle.
 */
REFUND_API int64_t refund_deposit_days_in_service(const refund_deposit *deposit);

/**
 * Transaction volume in minor units as last reported.
 *
 * @param deposit the deposit.
 * @return the volume; 0 until reported or for a NULL handle.
 */
REFUND_API int64_t refund_deposit_transaction_volume(const refund_deposit *deposit);

/**
 * The stored version this handle reflects (1 after creation).
 *
 * @param deposit the deposit.
 * @return the version; 0 for a NULL handle.
 */
REFUND_API uint64_t refund_deposit_version(const refund_deposit *deposit);

/**
 * The refund case under way for this deposit.  While one is, money leaves
 * the deposit only through that case, and no second case may be opened.
 *
 * @param deposit the deposit.
 * @return the case's id, or NULL if none is open.
 */
REFUND_API const char *refund_deposit_open_case(const refund_deposit *deposit);

/** The current version of ::refund_balance. */
#define REFUND_BALANCE_VERSION 1

/** Where a deposit's money stands: held = refunded + deducted + remaining. */
typedef struct refund_balance {
	unsigned int version;  /**< Set by the caller: ::REFUND_BALANCE_VERSION. */
	int64_t held;          /**< Received. */
	int64_t refunded;      /**< Paid back. */
	int64_t deducted;      /**< Damage, missing parts, fees, offsets, forfeiture. */
	int64_t remaining;     /**< Still held, >= 0. */
} refund_balance;

/**
 * A deposit's balance.
 *
 * @param deposit the deposit.
 * @param out filled; the caller sets out->version first.
 * @return 0; REFUND_EINVAL for NULL; REFUND_EVERSION.
 */
REFUND_API int refund_deposit_balance(const refund_deposit *deposit, refund_balance *out);

/** The current version of ::refund_entry. */
#define REFUND_ENTRY_VERSION 1

/** One ledger entry.  Strings are owned by the deposit handle. */
typedef struct refund_entry {
	unsigned int version;   /**< Set by the caller: ::REFUND_ENTRY_VERSION. */
	uint32_t seq;           /**< 1 for the hold, then 2, 3, ... */
	int kind;               /**< A ::refund_entry_kind. */
	int64_t amount;         /**< > 0, in minor units of the deposit's currency. */
	refund_time at;         /**< When it was recorded. */
	const char *actor;      /**< Who recorded it. */
	int role;               /**< The actor's ::refund_role. */
	const char *reference;  /**< Payment reference, inspection report..., or NULL. */
	const char *case_id;    /**< The refund case it belongs to, or NULL. */
} refund_entry;

/**
 * The number of ledger entries (at least 1: the hold).
 *
 * @param deposit the deposit.
 * @return the count; 0 for NULL.
 */
REFUND_API size_t refund_deposit_entry_count(const refund_deposit *deposit);

/**
 * One ledger entry, oldest first.
 *
 * @param deposit the deposit.
 * @param index 0 to refund_deposit_entry_count() - 1.
 * @param out filled; the caller sets out->version first.
 * @return 0; REFUND_EINVAL for NULL; REFUND_EVERSION; REFUND_ENOTFOUND for
 *         an index past the end.
 */
REFUND_API int refund_deposit_entry(const refund_deposit *deposit, size_t index,
		refund_entry *out);

/**
 * Record money leaving the deposit outside a refund case (a correction, a
 * forfeiture, an offset the back office agreed).  Refund cases post their
 * own entries in the same commit as their transitions.  Roles: finance and
 * admin.
 *
 * @param deposit the deposit; updated on success only.
 * @param kind any ::refund_entry_kind but ::REFUND_ENTRY_HOLD.
 * @param amount > 0 and <= remaining.
 * @param actor the actor's id.
 * @param role the actor's ::refund_role.
 * @param reference optional text (a payment reference), or NULL.
 * @return 0; REFUND_EINVAL; REFUND_EDENIED; REFUND_EBALANCE (more than
 *         remains: nothing written); REFUND_ESTATE (a refund case is under
 *         way: see refund_deposit_open_case()); REFUND_ECONFLICT (changed elsewhere:
 *         reload); REFUND_ENOMEM; REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_deposit_post(refund_deposit *deposit, int kind, int64_t amount,
		const char *actor, int role, const char *reference);

/**
 * Record the usage figures that usage tiers are judged on.  Roles: agent,
 * admin, system.
 *
 * @param deposit the deposit; updated on success only.
 * @param days_in_service >= 0.
 * @param transaction_volume >= 0, minor units of the deposit's currency.
 * @param actor the actor's id.
 * @param role the actor's ::refund_role.
 * @return 0; REFUND_EINVAL; REFUND_EDENIED; REFUND_ECONFLICT; REFUND_ENOMEM;
 *         REFUND_ESTORE; REFUND_EBUSY.
 */
REFUND_API int refund_deposit_set_usage(refund_deposit *deposit, int64_t days_in_service,
		int64_t transaction_volume, const char *actor, int role);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_DEPOSIT_H */
