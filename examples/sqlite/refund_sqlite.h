/**
 * @file refund_sqlite.h
 * @brief A store over SQLite: the whole contract of refund/sys/store.h.
 *
 * A host uses it as two files (refund_sqlite.c and this header, compiled
 * with the host and linked with SQLite 3.20 or later) or as the static
 * library `refund_sqlite` that meson builds when SQLite is found.
 *
 * **Schema.**  Three tables, created on first open in one transaction:
 * `refund_records` (kind, id, version, data, deposit_id, holder, agent,
 * state, next_deadline; primary key (kind, id), without rowid), with partial
 * indexes on (next_deadline, kind, id), for `due`, and on (kind, field, id)
 * for each filter field of `scan`; `refund_events` (kind, id, seq, at, data;
 * primary key (kind, id, seq)); and `refund_meta` (key, value), whose row
 * `schema_version` says which schema the file holds (see
 * ::REFUND_SQLITE_SCHEMA_VERSION).  The tables are prefixed so that a host
 * may keep its own tables in the same database.  ::REFUND_NO_DEADLINE is
 * stored as NULL, so such records are never due and stay out of the index.
 *
 * **Commits.**  A commit is one `BEGIN IMMEDIATE` transaction: each put is an
 * `INSERT` (expected version 0; an existing record is a conflict) or an
 * `UPDATE … WHERE kind=? AND id=? AND version=?` whose affected-row count
 * must be 1; each event is an `INSERT` after checking that its seq follows
 * the record's last (as the in-memory store does: an existing seq or a gap
 * is a conflict).  Any failure rolls the whole transaction back.
 *
 * **Busy databases.**  Other connections (other processes) may write the
 * same file.  A connection waiting for the write lock is retried by SQLite's
 * busy handler for at most the busy timeout, then the call returns
 * REFUND_EBUSY with nothing written; the caller may retry.  Readers never
 * wait for writers (WAL).
 *
 * **Durability.**  By default the database is in WAL mode with
 * `synchronous=NORMAL`: a commit that returned 0 survives a crash of the
 * process, and the database stays consistent after a power loss or an
 * operating-system crash, but the last commits before one may be lost.
 * Set refund_sqlite_options::synchronous_full for `synchronous=FULL`, where
 * every commit is also flushed to the disk before it returns (slower).
 *
 * **Choices beyond the contract** (the same as the in-memory store's):
 * events may belong to a (kind, id) without a record; event seqs of a record
 * are contiguous from 1; malformed batches (NULL ids, NULL data with a size,
 * seq 0, the same record put twice, expected version UINT64_MAX) fail with
 * REFUND_EINVAL, as do NULL ids and callbacks elsewhere; versions and seqs
 * stop at 2^63 - 1 (a put or event past that is a conflict).
 *
 * **Threads.**  Every callback holds the connection's mutex
 * (sqlite3_db_mutex()) while it runs, so engines on several threads may
 * share a store opened with refund_sqlite_open() (SQLite's default,
 * serialized build).  Library callbacks (`cb`) run inside that section and
 * must not call back into the same store: such a call returns REFUND_ESTORE.
 */
#ifndef REFUND_SQLITE_H
#define REFUND_SQLITE_H

#include <refund/store.h>
#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The schema this code creates and reads.  A newer one is refused. */
#define REFUND_SQLITE_SCHEMA_VERSION 1

/** The current version of ::refund_sqlite_options. */
#define REFUND_SQLITE_OPTIONS_VERSION 1

/** How refund_sqlite_open() opens a database.  Fields are only ever appended. */
typedef struct refund_sqlite_options {
	unsigned int version;   /**< ::REFUND_SQLITE_OPTIONS_VERSION. */
	int busy_timeout_ms;    /**< Longest wait for a busy database, >= 0 (default 5000). */
	int synchronous_full;   /**< 1: `synchronous=FULL`; 0: `NORMAL` (default). */
} refund_sqlite_options;

/** Static initializer: wait up to 5 s for a busy database, `synchronous=NORMAL`. */
#define REFUND_SQLITE_OPTIONS_INIT { REFUND_SQLITE_OPTIONS_VERSION, 5000, 0 }

/**
 * Initialize an options struct to ::REFUND_SQLITE_OPTIONS_INIT.
 *
 * @param options the struct to fill.
 * @param version must be ::REFUND_SQLITE_OPTIONS_VERSION.
 * @return 0; REFUND_EINVAL if @p options is NULL; REFUND_EVERSION otherwise.
 */
int refund_sqlite_options_init(refund_sqlite_options *options, unsigned int version);

/**
 * Open (creating it if needed) a database file as a store.  The file is put
 * in WAL mode and the schema is created if the database has none; a
 * database that has it already is only read.
 *
 * @param out receives the store, to be freed with refund_store_free() (which
 *        closes the connection); set only on success.
 * @param path the file, as sqlite3_open_v2() takes it (UTF-8); ":memory:"
 *        gives a private in-memory database (not in WAL mode).
 * @param options NULL for ::REFUND_SQLITE_OPTIONS_INIT; read during the
 *        call only.
 * @return 0;
 *         REFUND_EINVAL (@p out or @p path NULL, a negative busy timeout,
 *         synchronous_full neither 0 nor 1);
 *         REFUND_EVERSION (unknown options version, or the database holds a
 *         newer schema than ::REFUND_SQLITE_SCHEMA_VERSION: written by a
 *         later version of this code, left untouched);
 *         REFUND_ECORRUPT (the file is not a SQLite database, is damaged,
 *         or its refund_ tables are not this schema: left untouched);
 *         REFUND_EBUSY (the schema must be created but another connection
 *         held the write lock for longer than the busy timeout);
 *         REFUND_ENOMEM; REFUND_ESTORE (the file cannot be opened or
 *         created, or WAL mode is not available for it).
 */
int refund_sqlite_open(refund_store **out, const char *path,
		const refund_sqlite_options *options);

/**
 * Make a store over a connection the host opened.  The schema is created
 * if missing, as by refund_sqlite_open(), but the connection's settings
 * (journal mode, synchronous, busy timeout) are the host's: set WAL mode and
 * a busy timeout yourself, or busy databases fail at once with REFUND_EBUSY.
 * The host must not hold a transaction open on the connection while it
 * calls the store, and must free the store (refund_store_free(), which does
 * not close the connection) before closing it.  Thread safety requires a
 * connection opened in serialized mode (SQLITE_OPEN_FULLMUTEX).
 *
 * @param out receives the store; set only on success.
 * @param db the connection; borrowed.
 * @return 0; REFUND_EINVAL (a NULL argument, or a transaction is open on
 *         @p db); REFUND_EVERSION, REFUND_ECORRUPT, REFUND_EBUSY,
 *         REFUND_ENOMEM or REFUND_ESTORE as for refund_sqlite_open().
 */
int refund_sqlite_open_db(refund_store **out, sqlite3 *db);

/**
 * The connection under a store made by this file, for a host's own queries
 * (a backup, a report).  Do not close it, and hold no transaction open
 * across calls to the store.
 *
 * @param store a store.
 * @return the connection, owned by the store or (refund_sqlite_open_db())
 *         by the host; NULL if @p store is NULL or not a SQLite store.
 */
sqlite3 *refund_sqlite_db(refund_store *store);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_SQLITE_H */
