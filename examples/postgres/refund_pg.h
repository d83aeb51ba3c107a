/**
 * @file refund_pg.h
 * @brief A store over PostgreSQL (libpq): the whole contract of refund/sys/store.h.
 *
 * A host uses it as two files (refund_pg.c and this header, compiled with
 * the host and linked with libpq 10 or later and POSIX threads) or as the
 * static library `refund_pg` that meson builds when libpq is found.  The
 * server must be PostgreSQL 10 or later.
 *
 * **Schema.**  Three tables, created on first open in one transaction (under
 * an advisory lock, so that processes opening an empty database together
 * create it once) in the first schema of the connection's `search_path`:
 * `refund_records` (kind, id, version, data, deposit_id, holder, agent,
 * state, next_deadline; primary key (kind, id)), with partial indexes on
 * (next_deadline, kind, id), for `due`, and on (kind, field, id) for each
 * filter field of `scan`; `refund_events` (kind, id, seq, at, data; primary
 * key (kind, id, seq)); and `refund_meta` (key, value), whose row
 * `schema_version` says which schema the database holds (see
 * ::REFUND_PG_SCHEMA_VERSION).  To keep the tables in a schema of their own,
 * put `options='-c search_path=NAME'` in the connection string.  Ids and the
 * indexed fields are `text COLLATE "C"`, so that ordering is bytewise as the
 * contract wants; ::REFUND_NO_DEADLINE is stored as NULL, so such records
 * are never due and stay out of the index.
 *
 * **Records are bytea**, not jsonb: the contract wants the exact bytes back,
 * and event bytes carry a hash chain computed over them.  jsonb re-orders
 * keys, drops duplicates and respaces, so a record would come back different
 * and every chain would break; json (text) keeps the text but refuses
 * non-UTF-8 bytes and NULs, which the contract allows.  A host's reports can
 * still read the JSON: `convert_from(data, 'UTF8')::jsonb`.
 *
 * **Commits.**  A commit is one transaction: each put is an
 * `INSERT … ON CONFLICT DO NOTHING` (expected version 0) or an
 * `UPDATE … WHERE kind = $1 AND id = $2 AND version = $9`, and each event an
 * `INSERT … SELECT` that only inserts the seq following the record's last;
 * every statement must affect exactly one row, or the transaction is rolled
 * back and the commit fails with REFUND_ECONFLICT, nothing written.  At the
 * default isolation level (READ COMMITTED), a writer that waits for a
 * concurrent one re-reads the row it updates once that commits, so the
 * version check sees the newest version; at REPEATABLE READ or SERIALIZABLE
 * (the connection's `default_transaction_isolation` is used) the same race
 * is a serialization failure.  Puts are applied in (kind, id) order, so
 * commits through this code lock records in one order.
 *
 * **Transient failures.**  A serialization failure or a deadlock (SQLSTATE
 * 40001, 40P01) rolls the transaction back and runs the whole batch again,
 * at most refund_pg_options::max_retries more times; after that the commit
 * returns REFUND_EBUSY with nothing written, and the caller may retry.  A
 * lock or statement timeout (55P03, 57014) is REFUND_EBUSY at once.
 *
 * **Lost connections.**  A call that finds the connection lost returns
 * REFUND_ESTORE.  A store that opened its own connection reconnects (PQreset)
 * at its next call and prepares its statements again; one over a host's
 * connection keeps returning REFUND_ESTORE until the host resets the
 * connection itself.  A commit whose connection is lost while COMMIT is
 * under way may have been applied: reading the record again tells.
 *
 * **Statements** are prepared once per server session under names starting
 * with `refund_` (scan's 32 filter combinations on first use).  Statements
 * found missing (a new server session, `DISCARD ALL`, `DEALLOCATE`) are
 * prepared again; that costs one of the retries above.  Poolers in
 * transaction mode must support prepared statements.  Parameters and results
 * travel in binary format.
 *
 * **Encoding.**  Ids and index fields are sent as UTF-8: refund_pg_open()
 * sets `client_encoding` to UTF8, and refund_pg_open_conn() refuses a
 * connection with another one.  The database should be UTF8 (or SQL_ASCII).
 *
 * **Choices beyond the contract** (the same as the other stores'): events
 * may belong to a (kind, id) without a record; event seqs of a record are
 * contiguous from 1; malformed batches (NULL ids, NULL data with a size,
 * seq 0, the same record put twice, expected version UINT64_MAX) fail with
 * REFUND_EINVAL, as do NULL ids and callbacks elsewhere, and ids or index
 * fields that are not valid UTF-8 (they are text columns); versions and seqs
 * stop at 2^63 - 1 (a put or event past that is a conflict).
 *
 * **Threads.**  Every callback holds the store's mutex while it runs, so
 * engines on several threads may share one store (they then take turns on
 * its one connection; open one store per thread to work in parallel).
 * Results are read whole before library callbacks (`cb`) run, so such a
 * callback may call the same store again; but a scan without a limit holds
 * all its rows in memory at once: page with `limit` and `after_id`.
 */
#ifndef REFUND_PG_H
#define REFUND_PG_H

#include <refund/store.h>
#include <libpq-fe.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The schema this code creates and reads.  A newer one is refused. */
#define REFUND_PG_SCHEMA_VERSION 1

/** The current version of ::refund_pg_options. */
#define REFUND_PG_OPTIONS_VERSION 1

/** How a store behaves.  Fields are only ever appended. */
typedef struct refund_pg_options {
	unsigned int version;   /**< ::REFUND_PG_OPTIONS_VERSION. */
	int max_retries;        /**< Runs of a batch after a serialization failure or deadlock, 0 to 100 (default 5). */
} refund_pg_options;

/** Static initializer: retry a batch up to 5 times. */
#define REFUND_PG_OPTIONS_INIT { REFUND_PG_OPTIONS_VERSION, 5 }

/**
 * Initialize an options struct to ::REFUND_PG_OPTIONS_INIT.
 *
 * @param options the struct to fill.
 * @param version must be ::REFUND_PG_OPTIONS_VERSION.
 * @return 0; REFUND_EINVAL if @p options is NULL; REFUND_EVERSION otherwise.
 */
int refund_pg_options_init(refund_pg_options *options, unsigned int version);

/**
 * Connect to a server and use the database as a store, creating the schema
 * if the database has none; a database that has it already is only read.
 *
 * @param out receives the store, to be freed with refund_store_free() (which
 *        closes the connection); set only on success.
 * @param conninfo a libpq connection string (`host=… dbname=…` or a
 *        `postgresql://` URI); "" for libpq's defaults (PGHOST...).
 * @param options NULL for ::REFUND_PG_OPTIONS_INIT; read during the call only.
 * @return 0;
 *         REFUND_EINVAL (@p out or @p conninfo NULL, max_retries out of range);
 *         REFUND_EVERSION (unknown options version, or the database holds a
 *         newer schema than ::REFUND_PG_SCHEMA_VERSION: written by a later
 *         version of this code, left untouched);
 *         REFUND_ECORRUPT (refund_ tables that are not this schema: left
 *         untouched);
 *         REFUND_EBUSY (creating the schema met a deadlock or timeout);
 *         REFUND_ENOMEM; REFUND_ESTORE (no connection, or the server refused
 *         a statement: the server's log says why; a host that wants libpq's
 *         message connects itself and calls refund_pg_open_conn()).
 */
int refund_pg_open(refund_store **out, const char *conninfo,
		const refund_pg_options *options);

/**
 * Make a store over a connection the host opened.  The schema is created
 * if missing, as by refund_pg_open().  The host must not use the connection
 * while a call to the store runs, must hold no transaction open on it when
 * it calls the store, and must free the store (refund_store_free(), which
 * does not close the connection) before closing it.  The store's prepared
 * statements stay on the connection.
 *
 * @param out receives the store; set only on success.
 * @param conn the connection; borrowed.
 * @param options NULL for ::REFUND_PG_OPTIONS_INIT; read during the call only.
 * @return 0; REFUND_EINVAL (a NULL argument, max_retries out of range, a
 *         transaction open on @p conn, or a client encoding other than
 *         UTF8); REFUND_ESTORE (@p conn is not connected); otherwise as
 *         refund_pg_open().
 */
int refund_pg_open_conn(refund_store **out, PGconn *conn,
		const refund_pg_options *options);

/**
 * The connection under a store made by this file, for a host's own queries
 * and for PQerrorMessage().  Do not close it, and use it only between calls
 * to the store, with no transaction left open.
 *
 * @param store a store.
 * @return the connection, owned by the store or (refund_pg_open_conn()) by
 *         the host; NULL if @p store is NULL or not a PostgreSQL store.
 */
PGconn *refund_pg_conn(refund_store *store);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_PG_H */
