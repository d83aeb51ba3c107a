/**
 * @file refund/store.h
 * @brief Stores as a host sees them: the built-in in-memory store, freeing.
 *
 * A store keeps the records (deposits, cases, policies) and their audit
 * events.  Hosts either use the in-memory store below, one of the examples
 * (SQLite, PostgreSQL) or write their own against refund/sys/store.h.
 *
 * A store is borrowed by engines, never owned: create the store, create one
 * or more engines on it, free the engines, then free the store.
 */
#ifndef REFUND_STORE_H
#define REFUND_STORE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A store; its layout is in refund/sys/store.h for implementers. */
typedef struct refund_store refund_store;

struct refund_allocator;

/**
 * Create an in-memory store.  It implements the whole contract, including
 * the deadline index (O(log n) per update) and scan.  It is internally locked,
 * so engines on different threads may share it.  Its data lives until
 * refund_store_free(): events, records' nodes and their first bytes go in
 * 64 KiB chunks taken from the allocator (on Linux their pages are faulted
 * in at once), and a record's events are linked in order, so reading them
 * from seq k passes the k - 1 before it.
 *
 * @param out receives the store; set only on success.
 * @param allocator copied; NULL means the C library's allocator.
 * @return 0; REFUND_EINVAL if @p out is NULL or the allocator is half set;
 *         REFUND_EVERSION for an unknown allocator version; REFUND_ENOMEM.
 */
REFUND_API int refund_store_memory_new(refund_store **out,
		const struct refund_allocator *allocator);

/**
 * Free a store through its own `free` callback.  NULL is a no-op.  Every
 * engine using the store must have been freed before.
 *
 * @param store the store; invalid afterwards.
 */
REFUND_API void refund_store_free(refund_store *store);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_STORE_H */
