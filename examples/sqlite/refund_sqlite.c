/*
 * The storage contract over SQLite; refund_sqlite.h describes the schema,
 * the transactions and the choices beyond the contract.
 *
 * Records and events live in ordinary rowid tables with their natural key as
 * a PRIMARY KEY (a unique index), not WITHOUT ROWID tables: records run to
 * hundreds of bytes (a policy's JSON to kilobytes), and SQLite's advice is
 * to keep WITHOUT ROWID for rows smaller than about a twentieth of a page.  Every index a query needs ends with the key
 * columns, so `due` reads only its covering index and `scan` reads only the
 * rows it returns.
 *
 * Every statement is prepared once, when the store is made (scan's 32
 * filter combinations on first use), and reset before the call that used it
 * returns, so no statement holds a read transaction between calls.  SQLite
 * allocates with its own allocator (sqlite3_malloc), as does this file.
 */
#include "refund_sqlite.h"

#include <refund/sys/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Oldest SQLite with everything used below (sqlite3_prepare_v3). */
#if SQLITE_VERSION_NUMBER < 3020000
#error "refund_sqlite needs SQLite 3.20 or later"
#endif

static const char schema_sql[] =
	"CREATE TABLE refund_meta ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" value);"
	"CREATE TABLE refund_records ("
	" kind INTEGER NOT NULL,"
	" id TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" data BLOB NOT NULL,"
	" deposit_id TEXT,"
	" holder TEXT,"
	" agent TEXT,"
	" state TEXT,"
	" next_deadline INTEGER,"
	" PRIMARY KEY (kind, id));"
	"CREATE INDEX refund_records_due ON refund_records (next_deadline, kind, id)"
	" WHERE next_deadline IS NOT NULL;"
	"CREATE INDEX refund_records_deposit ON refund_records (kind, deposit_id, id)"
	" WHERE deposit_id IS NOT NULL;"
	"CREATE INDEX refund_records_holder ON refund_records (kind, holder, id)"
	" WHERE holder IS NOT NULL;"
	"CREATE INDEX refund_records_agent ON refund_records (kind, agent, id)"
	" WHERE agent IS NOT NULL;"
	"CREATE INDEX refund_records_state ON refund_records (kind, state, id)"
	" WHERE state IS NOT NULL;"
	"CREATE TABLE refund_events ("
	" kind INTEGER NOT NULL,"
	" id TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" data BLOB NOT NULL,"
	" PRIMARY KEY (kind, id, seq));"
	"INSERT INTO refund_meta (key, value) VALUES ('schema_version', 1);";

enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_LOAD,
	ST_INSERT,
	ST_UPDATE,
	ST_LAST_SEQ,
	ST_APPEND,
	ST_EVENTS,
	ST_DUE,
	ST_COUNT
};

/* Parameters: ?1 kind, ?2 id, ?3 data, ?4-?7 index fields, ?8 deadline, ?9 version. */
static const char *const statement_sql[ST_COUNT] = {
	"BEGIN IMMEDIATE",
	"COMMIT",
	"ROLLBACK",
	"SELECT version, data FROM refund_records WHERE kind = ?1 AND id = ?2",
	"INSERT INTO refund_records (kind, id, version, data, deposit_id, holder, agent,"
	" state, next_deadline) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8)",
	"UPDATE refund_records SET version = version + 1, data = ?3, deposit_id = ?4,"
	" holder = ?5, agent = ?6, state = ?7, next_deadline = ?8"
	" WHERE kind = ?1 AND id = ?2 AND version = ?9",
	"SELECT max(seq) FROM refund_events WHERE kind = ?1 AND id = ?2",
	"INSERT INTO refund_events (kind, id, seq, at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
	"SELECT seq, at, data FROM refund_events WHERE kind = ?1 AND id = ?2 AND seq >= ?3"
	" ORDER BY seq",
	"SELECT kind, id, next_deadline FROM refund_records WHERE next_deadline <= ?1"
	" ORDER BY next_deadline, kind, id LIMIT ?2",
};

/* Scan filters, one bit each; the statement for a set of bits is built once. */
enum {
	SCAN_DEPOSIT = 1,
	SCAN_HOLDER = 2,
	SCAN_AGENT = 4,
	SCAN_STATE = 8,
	SCAN_AFTER = 16,
	SCAN_VARIANTS = 32
};

typedef struct sqlite_store {
	refund_store base;      /* first, so that a refund_store * is one of these */
	sqlite3 *db;
	int owns_db;
	int in_callback;        /* a library callback is running: no re-entry */
	sqlite3_stmt *stmt[ST_COUNT];
	sqlite3_stmt *scan[SCAN_VARIANTS];
} sqlite_store;

/* Non-NULL bytes for empty blobs, which SQLite returns as NULL. */
static const unsigned char no_bytes[1];

/* ---- Result codes -------------------------------------------------------- */

/* An extended SQLite result code as the contract's codes. */
static int store_error(int rc)
{
	if (rc == SQLITE_IOERR_NOMEM)
		return REFUND_ENOMEM;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return REFUND_EBUSY;
	case SQLITE_NOMEM:
		return REFUND_ENOMEM;
	default:
		return REFUND_ESTORE;
	}
}

/* While opening, a file that is not our database is corrupt, not an I/O error. */
static int open_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_ERROR:      /* a statement does not fit the tables found */
		return REFUND_ECORRUPT;
	default:
		return store_error(rc);
	}
}

static int is_key_violation(int rc)
{
	return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

/* ---- Statements ------------------------------------------------------------ */

/* SQLITE_ROW, SQLITE_DONE or the extended error code. */
static int step(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	return sqlite3_extended_errcode(db);
}

/* Done with a statement: it releases its read lock and the caller's buffers. */
static void finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Run a statement that returns no rows: SQLITE_OK or the extended error. */
static int run(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = step(db, st);

	finish(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Run SQL text once (schema, pragmas): SQLITE_OK or the extended error. */
static int exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ?
		SQLITE_OK : sqlite3_extended_errcode(db);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	*out = NULL;
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK) {
		sqlite3_finalize(*out);
		*out = NULL;
		return sqlite3_extended_errcode(db);
	}
	return SQLITE_OK;
}

/* Binders return the first failure of a sequence: rc is SQLITE_OK until one. */
static int bind_text(sqlite3_stmt *st, int i, const char *text, int rc)
{
	if (rc != SQLITE_OK)
		return rc;
	return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_int(sqlite3_stmt *st, int i, int64_t value, int rc)
{
	return rc != SQLITE_OK ? rc : sqlite3_bind_int64(st, i, value);
}

static int bind_bytes(sqlite3_stmt *st, int i, const unsigned char *data, size_t size,
		int rc)
{
	if (rc != SQLITE_OK)
		return rc;
	/* A NULL blob would break NOT NULL; an empty one is a zeroblob. */
	if (size == 0)
		return sqlite3_bind_zeroblob(st, i, 0);
	return sqlite3_bind_blob64(st, i, data, size, SQLITE_STATIC);
}

/* A row's blob column as bytes the callback may read. */
static const unsigned char *column_bytes(sqlite3_stmt *st, int col, size_t *size)
{
	const unsigned char *data = sqlite3_column_blob(st, col);

	*size = (size_t)sqlite3_column_bytes(st, col);
	return data ? data : no_bytes;
}

/* LIMIT for a count where 0 means "no limit". */
static int64_t sql_limit(size_t limit)
{
	return limit == 0 || limit > (size_t)INT64_MAX ? -1 : (int64_t)limit;
}

/* ---- Entering the store ------------------------------------------------------ */

static int enter(sqlite_store *s)
{
	sqlite3_mutex_enter(sqlite3_db_mutex(s->db));
	if (s->in_callback) {
		sqlite3_mutex_leave(sqlite3_db_mutex(s->db));
		return REFUND_ESTORE;
	}
	return 0;
}

static void leave(sqlite_store *s)
{
	sqlite3_mutex_leave(sqlite3_db_mutex(s->db));
}

static int call_record(sqlite_store *s, refund_store_record_cb cb, void *ctx,
		const refund_store_record *record)
{
	int rc;

	s->in_callback = 1;
	rc = cb(ctx, record);
	s->in_callback = 0;
	return rc;
}

/* ---- load -------------------------------------------------------------------- */

/* The current row of a statement whose columns start with version, data. */
static int row_record(sqlite3_stmt *st, int col, refund_store_record *r)
{
	int64_t version = sqlite3_column_int64(st, col);

	if (version < 1)
		return REFUND_ESTORE;
	r->version = (uint64_t)version;
	r->data = column_bytes(st, col + 1, &r->size);
	return 0;
}

static int sqlite_load(refund_store *store, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	sqlite_store *s = (sqlite_store *)store;
	sqlite3_stmt *st = s->stmt[ST_LOAD];
	refund_store_record record;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	rc = bind_text(st, 2, id, bind_int(st, 1, kind, SQLITE_OK));
	if (rc == SQLITE_OK)
		rc = step(s->db, st);
	if (rc == SQLITE_ROW) {
		record.kind = kind;
		record.id = id;
		rc = row_record(st, 0, &record);
		if (rc == 0)
			rc = call_record(s, cb, ctx, &record);
	} else {
		rc = rc == SQLITE_DONE ? REFUND_ENOTFOUND : store_error(rc);
	}
	finish(st);
	leave(s);
	return rc;
}

/* ---- commit ------------------------------------------------------------------ */

static int put_cmp(const void *a, const void *b)
{
	const refund_store_put *pa = *(const refund_store_put *const *)a;
	const refund_store_put *pb = *(const refund_store_put *const *)b;

	if (pa->kind != pb->kind)
		return pa->kind < pb->kind ? -1 : 1;
	return strcmp(pa->id, pb->id);
}

/* 0 if no record is put twice; REFUND_EINVAL if one is; REFUND_ENOMEM. */
static int puts_distinct(const refund_store_batch *b)
{
	const refund_store_put **sorted;
	size_t i;
	int rc = 0;

	if (b->nputs < 2)
		return 0;
	if (b->nputs > SIZE_MAX / sizeof(*sorted))
		return REFUND_ENOMEM;
	sorted = sqlite3_malloc64(b->nputs * sizeof(*sorted));
	if (!sorted)
		return REFUND_ENOMEM;
	for (i = 0; i < b->nputs; i++)
		sorted[i] = &b->puts[i];
	qsort(sorted, b->nputs, sizeof(*sorted), put_cmp);
	for (i = 1; i < b->nputs && rc == 0; i++)
		if (put_cmp(&sorted[i - 1], &sorted[i]) == 0)
			rc = REFUND_EINVAL;
	sqlite3_free(sorted);
	return rc;
}

static int bind_put(sqlite3_stmt *st, const refund_store_put *p)
{
	const refund_store_index *x = &p->index;
	int rc = bind_int(st, 1, p->kind, SQLITE_OK);

	rc = bind_text(st, 2, p->id, rc);
	rc = bind_bytes(st, 3, p->data, p->size, rc);
	rc = bind_text(st, 4, x->deposit_id, rc);
	rc = bind_text(st, 5, x->holder, rc);
	rc = bind_text(st, 6, x->agent, rc);
	rc = bind_text(st, 7, x->state, rc);
	if (rc == SQLITE_OK && x->next_deadline == REFUND_NO_DEADLINE)
		return sqlite3_bind_null(st, 8);
	return bind_int(st, 8, x->next_deadline, rc);
}

/* INSERT for version 0, else UPDATE with the version checked in the WHERE. */
static int apply_put(sqlite_store *s, const refund_store_put *p)
{
	int insert = p->expected_version == 0;
	sqlite3_stmt *st = s->stmt[insert ? ST_INSERT : ST_UPDATE];
	int rc;

	/* No record reaches a version past INT64_MAX (see the header). */
	if (p->expected_version >= (uint64_t)INT64_MAX)
		return REFUND_ECONFLICT;
	rc = bind_put(st, p);
	if (!insert)
		rc = bind_int(st, 9, (int64_t)p->expected_version, rc);
	if (rc == SQLITE_OK)
		rc = step(s->db, st);
	finish(st);
	if (rc == SQLITE_DONE)
		return insert || sqlite3_changes(s->db) == 1 ? 0 : REFUND_ECONFLICT;
	if (insert && is_key_violation(rc))
		return REFUND_ECONFLICT;
	return store_error(rc);
}

/* The record's last event seq (0: none), seeing this transaction's inserts. */
static int last_seq(sqlite_store *s, int kind, const char *id, int64_t *out)
{
	sqlite3_stmt *st = s->stmt[ST_LAST_SEQ];
	int rc = bind_text(st, 2, id, bind_int(st, 1, kind, SQLITE_OK));

	if (rc == SQLITE_OK)
		rc = step(s->db, st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	finish(st);
	return rc == SQLITE_OK ? 0 : store_error(rc);
}

static int apply_event(sqlite_store *s, const refund_store_event *ev)
{
	sqlite3_stmt *st = s->stmt[ST_APPEND];
	int64_t last = 0;
	int rc;

	if ((rc = last_seq(s, ev->kind, ev->id, &last)) != 0)
		return rc;
	if (last == INT64_MAX || ev->seq != (uint64_t)last + 1)
		return REFUND_ECONFLICT;
	rc = bind_int(st, 1, ev->kind, SQLITE_OK);
	rc = bind_text(st, 2, ev->id, rc);
	rc = bind_int(st, 3, (int64_t)ev->seq, rc);
	rc = bind_int(st, 4, ev->at, rc);
	rc = bind_bytes(st, 5, ev->data, ev->size, rc);
	if (rc == SQLITE_OK)
		rc = run(s->db, st);
	else
		finish(st);
	if (rc == SQLITE_OK)
		return 0;
	return is_key_violation(rc) ? REFUND_ECONFLICT : store_error(rc);
}

static int apply_batch(sqlite_store *s, const refund_store_batch *b)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < b->nputs && rc == 0; i++)
		rc = apply_put(s, &b->puts[i]);
	for (i = 0; i < b->nevents && rc == 0; i++)
		rc = apply_event(s, &b->events[i]);
	return rc;
}

/* Undo our transaction if SQLite has not already (it does on some errors). */
static void rollback(sqlite_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		run(s->db, s->stmt[ST_ROLLBACK]);
}

static int sqlite_commit(refund_store *store, const refund_store_batch *batch)
{
	sqlite_store *s = (sqlite_store *)store;
	int rc;

	if (refund_store_batch_check(batch) != 0)
		return REFUND_EINVAL;
	if ((rc = puts_distinct(batch)) != 0)
		return rc;
	if ((rc = enter(s)) != 0)
		return rc;
	/* IMMEDIATE takes the write lock now, waiting at most the busy timeout. */
	rc = run(s->db, s->stmt[ST_BEGIN]);
	if (rc != SQLITE_OK) {
		leave(s);
		return store_error(rc);
	}
	rc = apply_batch(s, batch);
	if (rc == 0 && (rc = run(s->db, s->stmt[ST_COMMIT])) != SQLITE_OK)
		rc = store_error(rc);
	if (rc != 0)
		rollback(s);
	leave(s);
	return rc;
}

/* ---- events ------------------------------------------------------------------ */

static int event_rows(sqlite_store *s, sqlite3_stmt *st, refund_store_event *ev,
		refund_store_event_cb cb, void *ctx)
{
	int rc;

	while ((rc = step(s->db, st)) == SQLITE_ROW) {
		ev->seq = (uint64_t)sqlite3_column_int64(st, 0);
		ev->at = sqlite3_column_int64(st, 1);
		ev->data = column_bytes(st, 2, &ev->size);
		s->in_callback = 1;
		rc = cb(ctx, ev);
		s->in_callback = 0;
		if (rc != 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_error(rc);
}

static int sqlite_events(refund_store *store, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx)
{
	sqlite_store *s = (sqlite_store *)store;
	sqlite3_stmt *st = s->stmt[ST_EVENTS];
	refund_store_event ev;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	if (from_seq > (uint64_t)INT64_MAX)
		return 0;       /* past every seq this store holds */
	if ((rc = enter(s)) != 0)
		return rc;
	rc = bind_text(st, 2, id, bind_int(st, 1, kind, SQLITE_OK));
	rc = bind_int(st, 3, (int64_t)from_seq, rc);
	ev.kind = kind;
	ev.id = id;
	rc = rc == SQLITE_OK ? event_rows(s, st, &ev, cb, ctx) : store_error(rc);
	finish(st);
	leave(s);
	return rc;
}

/* ---- due --------------------------------------------------------------------- */

/* The text of a column that cannot be NULL, or NULL if SQLite ran out of memory. */
static const char *column_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

static int due_rows(sqlite_store *s, sqlite3_stmt *st, refund_store_due_cb cb,
		void *ctx)
{
	int rc;

	while ((rc = step(s->db, st)) == SQLITE_ROW) {
		const char *id = column_text(st, 1);

		if (!id)
			return REFUND_ENOMEM;
		s->in_callback = 1;
		rc = cb(ctx, sqlite3_column_int(st, 0), id, sqlite3_column_int64(st, 2));
		s->in_callback = 0;
		if (rc != 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_error(rc);
}

static int sqlite_due(refund_store *store, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	sqlite_store *s = (sqlite_store *)store;
	sqlite3_stmt *st = s->stmt[ST_DUE];
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	if ((rc = enter(s)) != 0)
		return rc;
	rc = bind_int(st, 2, sql_limit(limit), bind_int(st, 1, before, SQLITE_OK));
	rc = rc == SQLITE_OK ? due_rows(s, st, cb, ctx) : store_error(rc);
	finish(st);
	leave(s);
	return rc;
}

/* ---- scan -------------------------------------------------------------------- */

static unsigned scan_variant(const refund_store_filter *f)
{
	return (f->deposit_id ? SCAN_DEPOSIT : 0u) | (f->holder ? SCAN_HOLDER : 0u) |
		(f->agent ? SCAN_AGENT : 0u) | (f->state ? SCAN_STATE : 0u) |
		(f->after_id ? SCAN_AFTER : 0u);
}

/* The statement for a filter's fields, prepared on first use. */
static int scan_statement(sqlite_store *s, unsigned variant, sqlite3_stmt **out)
{
	char sql[512];
	int rc;

	if (!s->scan[variant]) {
		snprintf(sql, sizeof(sql),
				"SELECT id, version, data FROM refund_records WHERE kind = ?1%s%s%s%s%s"
				" ORDER BY id LIMIT ?7",
				variant & SCAN_DEPOSIT ? " AND deposit_id = ?2" : "",
				variant & SCAN_HOLDER ? " AND holder = ?3" : "",
				variant & SCAN_AGENT ? " AND agent = ?4" : "",
				variant & SCAN_STATE ? " AND state = ?5" : "",
				variant & SCAN_AFTER ? " AND id > ?6" : "");
		if ((rc = prepare(s->db, sql, &s->scan[variant])) != SQLITE_OK)
			return store_error(rc);
	}
	*out = s->scan[variant];
	return 0;
}

static int bind_filter(sqlite3_stmt *st, int kind, const refund_store_filter *f)
{
	int rc = bind_int(st, 1, kind, SQLITE_OK);

	/* Absent fields are not in the SQL; binding NULL to them is harmless. */
	rc = bind_text(st, 2, f->deposit_id, rc);
	rc = bind_text(st, 3, f->holder, rc);
	rc = bind_text(st, 4, f->agent, rc);
	rc = bind_text(st, 5, f->state, rc);
	rc = bind_text(st, 6, f->after_id, rc);
	return bind_int(st, 7, sql_limit(f->limit), rc);
}

static int scan_rows(sqlite_store *s, sqlite3_stmt *st, int kind,
		refund_store_record_cb cb, void *ctx)
{
	refund_store_record record;
	int rc;

	record.kind = kind;
	while ((rc = step(s->db, st)) == SQLITE_ROW) {
		record.id = column_text(st, 0);
		if (!record.id)
			return REFUND_ENOMEM;
		if ((rc = row_record(st, 1, &record)) != 0 ||
				(rc = call_record(s, cb, ctx, &record)) != 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : store_error(rc);
}

static int sqlite_scan(refund_store *store, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	static const refund_store_filter any = { NULL, NULL, NULL, NULL, NULL, 0 };
	sqlite_store *s = (sqlite_store *)store;
	sqlite3_stmt *st;
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	if (!filter)
		filter = &any;
	if ((rc = enter(s)) != 0)
		return rc;
	if ((rc = scan_statement(s, scan_variant(filter), &st)) == 0) {
		rc = bind_filter(st, kind, filter);
		rc = rc == SQLITE_OK ? scan_rows(s, st, kind, cb, ctx) : store_error(rc);
		finish(st);
	}
	leave(s);
	return rc;
}

/* ---- Lifetime ------------------------------------------------------------------ */

static void finalize_all(sqlite_store *s)
{
	int i;

	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (i = 0; i < SCAN_VARIANTS; i++)
		sqlite3_finalize(s->scan[i]);
}

static void sqlite_free(refund_store *store)
{
	sqlite_store *s = (sqlite_store *)store;

	finalize_all(s);
	if (s->owns_db)
		sqlite3_close_v2(s->db);
	sqlite3_free(s);
}

sqlite3 *refund_sqlite_db(refund_store *store)
{
	if (!store || store->free != sqlite_free)
		return NULL;
	return ((sqlite_store *)store)->db;
}

/* ---- Schema -------------------------------------------------------------------- */

/* Bits of the refund_ tables a database has. */
enum { HAS_META = 1, HAS_RECORDS = 2, HAS_EVENTS = 4 };

static int schema_tables(sqlite3 *db, int *out)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND"
			" name IN ('refund_meta', 'refund_records', 'refund_events')", &st);

	*out = 0;
	while (rc == SQLITE_OK && (rc = step(db, st)) == SQLITE_ROW) {
		const char *name = column_text(st, 0);

		if (!name)
			rc = SQLITE_NOMEM;
		else if (strcmp(name, "refund_meta") == 0)
			*out |= HAS_META;
		else if (strcmp(name, "refund_records") == 0)
			*out |= HAS_RECORDS;
		else
			*out |= HAS_EVENTS;
		if (rc == SQLITE_ROW)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : open_error(rc);
}

/* The schema_version row, which must be a positive integer. */
static int meta_version(sqlite3 *db, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT value FROM refund_meta WHERE key = 'schema_version'", &st);

	if (rc == SQLITE_OK)
		rc = step(db, st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = sqlite3_column_type(st, 0) == SQLITE_INTEGER && *out >= 1 ?
			0 : REFUND_ECORRUPT;
	} else {
		rc = rc == SQLITE_DONE ? REFUND_ECORRUPT : open_error(rc);
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * The database's schema version: 0 if it has no refund_ tables at all; our
 * version; REFUND_EVERSION for a newer one; REFUND_ECORRUPT for anything
 * else (half a schema, an unreadable meta table, an older schema: there is
 * none).
 */
static int schema_version(sqlite3 *db, int64_t *out)
{
	int tables, rc;

	*out = 0;
	if ((rc = schema_tables(db, &tables)) != 0)
		return rc;
	if (tables == 0)
		return 0;
	if (!(tables & HAS_META))
		return REFUND_ECORRUPT;
	if ((rc = meta_version(db, out)) != 0)
		return rc;
	if (*out > REFUND_SQLITE_SCHEMA_VERSION)
		return REFUND_EVERSION;
	return *out == REFUND_SQLITE_SCHEMA_VERSION && tables == (HAS_META | HAS_RECORDS |
			HAS_EVENTS) ? 0 : REFUND_ECORRUPT;
}

/* Create the schema unless present; another connection may race us to it. */
static int ensure_schema(sqlite3 *db)
{
	int64_t version;
	int rc;

	if ((rc = schema_version(db, &version)) != 0 || version != 0)
		return rc;
	if ((rc = exec(db, "BEGIN IMMEDIATE")) != SQLITE_OK)
		return store_error(rc);
	if ((rc = schema_version(db, &version)) == 0 && version == 0) {
		rc = exec(db, schema_sql);
		if (rc == SQLITE_OK)
			rc = exec(db, "COMMIT");
		rc = rc == SQLITE_OK ? 0 : store_error(rc);
	}
	if (!sqlite3_get_autocommit(db))
		exec(db, "ROLLBACK");
	return rc;
}

/* ---- Opening --------------------------------------------------------------------- */

static int make_store(sqlite3 *db, int owns_db, refund_store **out)
{
	sqlite_store *s = sqlite3_malloc64(sizeof(*s));
	int i, rc = SQLITE_OK;

	if (!s)
		return REFUND_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->db = db;
	for (i = 0; i < ST_COUNT && rc == SQLITE_OK; i++)
		rc = prepare(db, statement_sql[i], &s->stmt[i]);
	if (rc != SQLITE_OK) {
		finalize_all(s);
		sqlite3_free(s);
		return open_error(rc);
	}
	refund_store_init(&s->base, REFUND_STORE_VERSION);
	s->owns_db = owns_db;
	s->base.load = sqlite_load;
	s->base.commit = sqlite_commit;
	s->base.events = sqlite_events;
	s->base.due = sqlite_due;
	s->base.scan = sqlite_scan;
	s->base.free = sqlite_free;
	*out = &s->base;
	return 0;
}

int refund_sqlite_open_db(refund_store **out, sqlite3 *db)
{
	int rc;

	if (!out || !db || !sqlite3_get_autocommit(db))
		return REFUND_EINVAL;
	if ((rc = ensure_schema(db)) != 0)
		return rc;
	return make_store(db, 0, out);
}

int refund_sqlite_options_init(refund_sqlite_options *options, unsigned int version)
{
	static const refund_sqlite_options defaults = REFUND_SQLITE_OPTIONS_INIT;

	if (!options)
		return REFUND_EINVAL;
	if (version != REFUND_SQLITE_OPTIONS_VERSION)
		return REFUND_EVERSION;
	*options = defaults;
	return 0;
}

/* The single-row result of a pragma that returns one, as text. */
static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st;
	int rc = prepare(db, sql, &st);

	out[0] = '\0';
	if (rc == SQLITE_OK && (rc = step(db, st)) == SQLITE_ROW) {
		const char *text = column_text(st, 0);

		snprintf(out, size, "%s", text ? text : "");
		rc = text ? SQLITE_OK : SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* WAL (on files), synchronous and the busy timeout: the connection's settings. */
static int configure(sqlite3 *db, const refund_sqlite_options *o)
{
	const char *file = sqlite3_db_filename(db, "main");
	char mode[16];
	int rc;

	sqlite3_busy_timeout(db, o->busy_timeout_ms);
	rc = pragma_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (rc != SQLITE_OK)
		return open_error(rc);
	/* Memory databases have no WAL; a file that refuses it is unusable here. */
	if (file && file[0] && strcmp(mode, "wal") != 0)
		return REFUND_ESTORE;
	rc = exec(db, o->synchronous_full ? "PRAGMA synchronous = FULL" :
			"PRAGMA synchronous = NORMAL");
	return rc == SQLITE_OK ? 0 : store_error(rc);
}

static int check_options(const refund_sqlite_options *options, refund_sqlite_options *o)
{
	static const refund_sqlite_options defaults = REFUND_SQLITE_OPTIONS_INIT;

	*o = defaults;
	if (!options)
		return 0;
	if (options->version != REFUND_SQLITE_OPTIONS_VERSION)
		return REFUND_EVERSION;
	if (options->busy_timeout_ms < 0 ||
			(options->synchronous_full != 0 && options->synchronous_full != 1))
		return REFUND_EINVAL;
	*o = *options;
	return 0;
}

int refund_sqlite_open(refund_store **out, const char *path,
		const refund_sqlite_options *options)
{
	refund_sqlite_options o;
	sqlite3 *db = NULL;
	int64_t version;
	int rc;

	if (!out || !path)
		return REFUND_EINVAL;
	if ((rc = check_options(options, &o)) != 0)
		return rc;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = db ? sqlite3_extended_errcode(db) : rc;
		sqlite3_close(db);
		return store_error(rc);
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, o.busy_timeout_ms);
	/* Look before configuring, so that a file we refuse is left as it was. */
	rc = schema_version(db, &version);
	if (rc == 0)
		rc = configure(db, &o);
	if (rc == 0)
		rc = ensure_schema(db);
	if (rc == 0)
		rc = make_store(db, 1, out);
	if (rc != 0)
		sqlite3_close(db);
	return rc;
}
