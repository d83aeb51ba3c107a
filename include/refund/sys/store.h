/**
 * @file refund/sys/store.h
 * @brief The storage contract, for store implementers (as libgit2's git2/sys).
 *
 * The host keeps the data; the library keeps the rules.  A store is a struct
 * of callbacks that the implementer allocates (usually embedded as the first
 * member of its own struct) and fills after refund_store_init().  Every
 * callback receives the store itself.
 *
 * **Records.**  A record is identified by its kind and id and carries opaque
 * bytes (the library's canonical encoding, each with its schema: binary for
 * cases, deposits and audit events, compact JSON for policies; docs/FORMAT.md
 * gives them byte by byte) and a version number.  The bytes may hold any
 * value, NUL included.  Versions start at 1 and grow by one with
 * each write.  Beside the bytes the library passes the fields a host may want
 * as real columns (::refund_store_index); the store must keep
 * `next_deadline` for the `due` query and may keep the others for `scan`.
 *
 * **Atomic batches with optimistic versions.**  `commit` applies a batch of
 * puts and appended events all together or not at all.  Each put states the
 * version it expects to replace (0: the record must not exist).  If any
 * expectation fails, or any event's (kind, id, seq) exists already or would
 * leave a gap (a record's events are numbered 1, 2, 3, ... without gaps),
 * the whole batch fails with REFUND_ECONFLICT and nothing is written.  A
 * malformed batch (NULL id, the same record twice) is REFUND_EINVAL.
 *
 * **Return codes.**  Callbacks return 0 or: REFUND_ENOTFOUND (load only),
 * REFUND_ECONFLICT (commit only), REFUND_EBUSY (transient: may be retried),
 * REFUND_ESTORE (I/O or other failure), REFUND_ENOMEM, or whatever a
 * library callback (`cb`) returned, which must be passed back unchanged.  Any
 * other value is reported to the host as REFUND_ESTORE.
 *
 * **Buffers.**  Every pointer the library passes to a callback is valid only
 * for the duration of that call: the store copies what it keeps.  Every
 * pointer the store passes to a library callback (`cb`) need only be valid
 * during that callback: the library copies what it keeps.
 *
 * **Callbacks.**  A library callback (`cb`) never calls back into the
 * store that called it, so a store may hold its lock while calling it.
 *
 * **Threads.**  The library calls a store from the thread using the engine.
 * A store shared by engines on different threads must lock itself.
 */
#ifndef REFUND_SYS_STORE_H
#define REFUND_SYS_STORE_H

#include "../common.h"
#include "../store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The current version of ::refund_store. */
#define REFUND_STORE_VERSION 1

/** Kinds of records.  Values are fixed; stores may treat them as opaque. */
typedef enum refund_record_kind {
	REFUND_RECORD_DEPOSIT = 1,  /**< A deposit and its ledger. */
	REFUND_RECORD_CASE = 2,     /**< A refund case. */
	REFUND_RECORD_POLICY = 3,   /**< A published policy version. */
	REFUND_RECORD_META = 4      /**< Library bookkeeping (idempotency keys...). */
} refund_record_kind;

/** "No deadline" for ::refund_store_index.next_deadline. */
#define REFUND_NO_DEADLINE INT64_MAX

/** Longest id, in bytes, the library ever passes (without the NUL). */
#define REFUND_ID_MAX 64

/** Fields passed beside a record's bytes, for columns and indexes. */
typedef struct refund_store_index {
	const char *deposit_id;    /**< The deposit a record belongs to, or NULL. */
	const char *holder;        /**< The merchant (applicant), or NULL. */
	const char *agent;         /**< The agent, or NULL. */
	const char *state;         /**< A case's state name, or NULL. */
	refund_time next_deadline; /**< Next deadline, or ::REFUND_NO_DEADLINE. */
} refund_store_index;

/** One record to write in a batch. */
typedef struct refund_store_put {
	int kind;                     /**< A ::refund_record_kind. */
	const char *id;               /**< The record's id. */
	uint64_t expected_version;    /**< Version to replace; 0: must not exist. */
	const unsigned char *data;    /**< The encoded record. */
	size_t size;                  /**< Bytes in @ref data. */
	refund_store_index index;     /**< Indexed fields. */
} refund_store_put;

/** One audit event, appended to the history of a record. */
typedef struct refund_store_event {
	int kind;                     /**< Kind of the record the event belongs to. */
	const char *id;               /**< Id of that record. */
	uint64_t seq;                 /**< Sequence number in that history, from 1. */
	refund_time at;               /**< When it happened. */
	const unsigned char *data;    /**< The encoded event. */
	size_t size;                  /**< Bytes in @ref data. */
} refund_store_event;

/** What `commit` applies atomically. */
typedef struct refund_store_batch {
	const refund_store_put *puts;       /**< Records to write. */
	size_t nputs;                       /**< How many puts. */
	const refund_store_event *events;   /**< Events to append. */
	size_t nevents;                     /**< How many events. */
} refund_store_batch;

/** A record handed to the library by `load` and `scan`. */
typedef struct refund_store_record {
	int kind;                     /**< Its kind. */
	const char *id;               /**< Its id. */
	uint64_t version;             /**< Its current version (>= 1). */
	const unsigned char *data;    /**< Its bytes. */
	size_t size;                  /**< Bytes in @ref data. */
} refund_store_record;

/** Filter for `scan`: NULL fields match anything. */
typedef struct refund_store_filter {
	const char *deposit_id;   /**< Only records of this deposit. */
	const char *holder;       /**< Only records of this holder. */
	const char *agent;        /**< Only records of this agent. */
	const char *state;        /**< Only records in this state. */
	const char *after_id;     /**< Only ids greater (bytewise) than this, for paging. */
	size_t limit;             /**< At most this many records; 0: no limit. */
} refund_store_filter;

/** Receives one record; a non-zero return stops the iteration and is returned. */
typedef int (*refund_store_record_cb)(void *ctx, const refund_store_record *record);

/** Receives one event; a non-zero return stops the iteration and is returned. */
typedef int (*refund_store_event_cb)(void *ctx, const refund_store_event *event);

/** Receives one due record; a non-zero return stops the iteration and is returned. */
typedef int (*refund_store_due_cb)(void *ctx, int kind, const char *id,
		refund_time next_deadline);

/**
 * A store.  Fields are only ever appended; the library reads only the fields
 * of the version the store declares.
 */
struct refund_store {
	/** Must be ::REFUND_STORE_VERSION (set by refund_store_init()). */
	unsigned int version;

	/** Free for the implementer's use; the library never touches it. */
	void *user;

	/**
	 * Must provide.  Find the record (@p kind, @p id) and call @p cb once
	 * with it.  Returns 0 after cb returned 0, cb's non-zero value, or
	 * REFUND_ENOTFOUND without calling cb.
	 */
	int (*load)(refund_store *store, int kind, const char *id,
			refund_store_record_cb cb, void *ctx);

	/**
	 * Must provide.  Apply @p batch atomically, as described above.  Returns
	 * 0, REFUND_ECONFLICT (nothing written), REFUND_EBUSY, REFUND_ESTORE,
	 * REFUND_ENOMEM or REFUND_EINVAL (nothing written either).
	 */
	int (*commit)(refund_store *store, const refund_store_batch *batch);

	/**
	 * Must provide.  Call @p cb for each event of record (@p kind, @p id)
	 * whose seq is >= @p from_seq, in increasing seq order.  A record with
	 * no events is not an error.
	 */
	int (*events)(refund_store *store, int kind, const char *id,
			uint64_t from_seq, refund_store_event_cb cb, void *ctx);

	/**
	 * Must provide.  Call @p cb for records whose next_deadline is <=
	 * @p before, earliest first, ties by kind then id (bytewise), at most
	 * @p limit of them (0: no limit).  A record whose next_deadline is
	 * ::REFUND_NO_DEADLINE is never due.  Its cost must grow with what is due,
	 * not with what is stored: keep an index on (next_deadline, kind, id).
	 */
	int (*due)(refund_store *store, refund_time before, size_t limit,
			refund_store_due_cb cb, void *ctx);

	/**
	 * May provide (NULL: listings return REFUND_ENOTSUP).  Call @p cb for the
	 * records of @p kind that match @p filter (NULL: all), in increasing id
	 * order.
	 */
	int (*scan)(refund_store *store, int kind, const refund_store_filter *filter,
			refund_store_record_cb cb, void *ctx);

	/** May provide.  Release the store; called by refund_store_free(). */
	void (*free)(refund_store *store);
};

/** Static initializer for a store struct: version set, callbacks NULL. */
#define REFUND_STORE_INIT { REFUND_STORE_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Initialize a store struct for the given version: everything zero but the
 * version.
 *
 * @param store the struct to fill.
 * @param version must be ::REFUND_STORE_VERSION.
 * @return 0; REFUND_EINVAL if @p store is NULL; REFUND_EVERSION otherwise.
 */
REFUND_API int refund_store_init(refund_store *store, unsigned int version);

/**
 * Check a batch's shape before a commit touches anything, so that every
 * store refuses the same malformed batches: the batch present, each array
 * present when its count is not 0, each put with an id, bytes (or size 0)
 * and an expected version below UINT64_MAX, each event with an id, bytes
 * (or size 0) and a seq from 1.  It reads nothing but the batch and does
 * not look at what is stored.
 *
 * @param batch the batch a commit callback received.
 * @return 0 if well formed; REFUND_EINVAL otherwise.
 */
REFUND_API int refund_store_batch_check(const refund_store_batch *batch);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_SYS_STORE_H */
