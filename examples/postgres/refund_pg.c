/*
 * The storage contract over PostgreSQL; refund_pg.h describes the schema,
 * the transactions and the choices beyond the contract.
 *
 * Every call takes the store's mutex, makes sure the connection is up (ours
 * is reconnected) and runs prepared statements with binary parameters and
 * results.  A call whose server session changed (another backend pid, or a
 * "no such prepared statement" error) prepares its statements again.  The
 * part of a call that talks to the server runs in a loop that repeats it
 * after a serialization failure or deadlock, at most max_retries more times;
 * library callbacks run after that, on the whole result.
 */
#define _XOPEN_SOURCE 700       /* pthread_mutexattr_settype */

#include "refund_pg.h"

#include <refund/sys/store.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char schema_sql[] =
	"CREATE TABLE refund_meta ("
	" key text PRIMARY KEY,"
	" value bigint NOT NULL);"
	"CREATE TABLE refund_records ("
	" kind integer NOT NULL,"
	" id text COLLATE \"C\" NOT NULL,"
	" version bigint NOT NULL CHECK (version >= 1),"
	" data bytea NOT NULL,"
	" deposit_id text COLLATE \"C\","
	" holder text COLLATE \"C\","
	" agent text COLLATE \"C\","
	" state text COLLATE \"C\","
	" next_deadline bigint,"
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
	" kind integer NOT NULL,"
	" id text COLLATE \"C\" NOT NULL,"
	" seq bigint NOT NULL CHECK (seq >= 1),"
	" at bigint NOT NULL,"
	" data bytea NOT NULL,"
	" PRIMARY KEY (kind, id, seq));"
	"INSERT INTO refund_meta (key, value) VALUES ('schema_version', 1);";

/* Any number; every process creating the schema takes this advisory lock. */
#define SCHEMA_LOCK_KEY "7238105541"

enum {
	ST_LOAD,
	ST_INSERT,
	ST_UPDATE,
	ST_APPEND,
	ST_EVENTS,
	ST_DUE,
	ST_FIXED,
	/* Scan filters, one bit each; the statement for a set of bits is ST_FIXED + bits. */
	SCAN_DEPOSIT = 1,
	SCAN_HOLDER = 2,
	SCAN_AGENT = 4,
	SCAN_STATE = 8,
	SCAN_AFTER = 16,
	SCAN_VARIANTS = 32,
	ST_COUNT = ST_FIXED + SCAN_VARIANTS
};

/*
 * Parameter types, one letter each: i int4, l int8, t text, b bytea.
 * insert/update: $1 kind, $2 id, $3 data, $4-$7 index fields, $8 deadline,
 * $9 expected version.  append inserts seq $3 only if the record's last seq
 * is $3 - 1 (0 rows otherwise: a gap, or the seq exists).
 */
static const struct statement_def {
	const char *name;
	const char *types;
	const char *sql;
} fixed_statements[ST_FIXED] = {
	{ "refund_load", "it",
		"SELECT version, data FROM refund_records WHERE kind = $1 AND id = $2" },
	{ "refund_insert", "itbttttl",
		"INSERT INTO refund_records (kind, id, version, data, deposit_id, holder, agent,"
		" state, next_deadline) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)"
		" ON CONFLICT (kind, id) DO NOTHING" },
	{ "refund_update", "itbttttll",
		"UPDATE refund_records SET version = version + 1, data = $3, deposit_id = $4,"
		" holder = $5, agent = $6, state = $7, next_deadline = $8"
		" WHERE kind = $1 AND id = $2 AND version = $9" },
	{ "refund_append", "itllb",
		"INSERT INTO refund_events (kind, id, seq, at, data) SELECT $1, $2, $3, $4, $5"
		" WHERE (SELECT coalesce(max(seq), 0) FROM refund_events"
		" WHERE kind = $1 AND id = $2) = $3 - 1 ON CONFLICT DO NOTHING" },
	{ "refund_events", "itl",
		"SELECT seq, at, data FROM refund_events WHERE kind = $1 AND id = $2 AND seq >= $3"
		" ORDER BY seq" },
	{ "refund_due", "ll",
		"SELECT kind, id, next_deadline FROM refund_records WHERE next_deadline <= $1"
		" ORDER BY next_deadline, kind, id LIMIT $2" },
};

/* Not a refund code: the batch or query met a serialization failure or deadlock. */
#define RETRY 1

#define MAX_PARAMS 9

typedef struct pg_store {
	refund_store base;      /* first, so that a refund_store * is one of these */
	PGconn *conn;
	int owns_conn;
	int max_retries;
	int backend_pid;        /* the server session the statements were prepared in */
	uint64_t prepared;      /* bit i: statement i is prepared in that session */
	pthread_mutex_t lock;   /* recursive: callbacks may call the store again */
} pg_store;

/* ---- Parameters ------------------------------------------------------------ */

typedef struct params {
	int n;
	int too_big;            /* a value longer than libpq can send */
	const char *values[MAX_PARAMS];
	int lengths[MAX_PARAMS];
	int formats[MAX_PARAMS];
	unsigned char ints[MAX_PARAMS][8];
} params;

/* Non-NULL bytes for empty values: a NULL value would be SQL NULL. */
static const char no_bytes[1];

static void add_value(params *p, const char *value, size_t length)
{
	if (length > INT_MAX)
		p->too_big = 1;
	p->values[p->n] = value;
	p->lengths[p->n] = length > INT_MAX ? 0 : (int)length;
	p->formats[p->n] = 1;
	p->n++;
}

/* An integer in network byte order, as the binary format wants it. */
static void add_int(params *p, int64_t value, int bytes)
{
	uint64_t u = (uint64_t)value;
	unsigned char *out = p->ints[p->n];
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		out[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
	add_value(p, (const char *)out, (size_t)bytes);
}

static void add_int4(params *p, int value)
{
	add_int(p, value, 4);
}

static void add_int8(params *p, int64_t value)
{
	add_int(p, value, 8);
}

/* A string, or SQL NULL. */
static void add_text(params *p, const char *text)
{
	add_value(p, text, text ? strlen(text) : 0);
}

static void add_bytes(params *p, const unsigned char *data, size_t size)
{
	add_value(p, size ? (const char *)data : no_bytes, size);
}

/* LIMIT for a count where 0 means "no limit" (LIMIT NULL). */
static void add_limit(params *p, size_t limit)
{
	if (limit == 0 || limit > (size_t)INT64_MAX)
		add_value(p, NULL, 0);
	else
		add_int8(p, (int64_t)limit);
}

/* ---- Results ----------------------------------------------------------------- */

/* A binary int4 or int8 field; REFUND_ESTORE if it is neither or NULL. */
static int field_int(const PGresult *r, int row, int col, int64_t *out)
{
	const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
	int i, n = PQgetlength(r, row, col);
	uint64_t u = 0;

	if (PQgetisnull(r, row, col) || (n != 4 && n != 8))
		return REFUND_ESTORE;
	for (i = 0; i < n; i++)
		u = u << 8 | v[i];
	if (n == 4)
		*out = (int32_t)(uint32_t)u;
	else
		*out = (int64_t)u;
	return 0;
}

static const unsigned char *field_bytes(const PGresult *r, int row, int col, size_t *size)
{
	*size = (size_t)PQgetlength(r, row, col);
	return (const unsigned char *)PQgetvalue(r, row, col);
}

static int sqlstate_is(const PGresult *r, const char *code)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	return state && strcmp(state, code) == 0;
}

/* A failed result (or none) as the contract's codes, or RETRY. */
static int result_error(pg_store *s, const PGresult *r)
{
	if (PQstatus(s->conn) != CONNECTION_OK)
		return REFUND_ESTORE;
	if (!r)
		return REFUND_ENOMEM;   /* libpq returns no result only without memory */
	if (sqlstate_is(r, "40001") || sqlstate_is(r, "40P01"))
		return RETRY;
	if (sqlstate_is(r, "26000")) {
		/* Our statements are gone (DISCARD ALL, a new session): prepare again. */
		s->prepared = 0;
		return RETRY;
	}
	if (sqlstate_is(r, "55P03") || sqlstate_is(r, "57014"))
		return REFUND_EBUSY;
	if (sqlstate_is(r, "22021") || sqlstate_is(r, "22P05"))
		return REFUND_EINVAL;   /* a string that is not valid in the encoding */
	return REFUND_ESTORE;
}

/* Run SQL text (no parameters); 0 or the error. */
static int exec_sql(pg_store *s, const char *sql, PGresult **out)
{
	PGresult *r = PQexec(s->conn, sql);
	ExecStatusType status = PQresultStatus(r);
	int rc;

	if (r && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
		if (out)
			*out = r;
		else
			PQclear(r);
		return 0;
	}
	rc = result_error(s, r);
	PQclear(r);
	return rc;
}

/* A transaction of ours is open (or failed) on a live connection. */
static int in_transaction(pg_store *s)
{
	PGTransactionStatusType status = PQtransactionStatus(s->conn);

	return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

/* ---- Statements ------------------------------------------------------------------ */

/*
 * A statement that does not fit the tables (SQLSTATE class 42: no such
 * table or column, a type mismatch) means they are not our schema; but
 * 42501, a privilege the role lacks, is the server refusing.
 */
static int foreign_or(int rc, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (rc == REFUND_ESTORE && state && strncmp(state, "42", 2) == 0 &&
			strcmp(state, "42501") != 0)
		return REFUND_ECORRUPT;
	return rc;
}

static Oid type_oid(char letter)
{
	switch (letter) {
	case 'i':
		return 23;      /* int4 */
	case 'l':
		return 20;      /* int8 */
	case 'b':
		return 17;      /* bytea */
	default:
		return 25;      /* text */
	}
}

typedef struct statement_text {
	char name[32];
	char types[MAX_PARAMS + 1];
	char sql[512];
} statement_text;

/* Placeholders are numbered in the order of bind_filter()'s parameters. */
static void scan_text(unsigned variant, statement_text *out)
{
	static const char *const fields[] = { "deposit_id", "holder", "agent", "state" };
	size_t len;
	int i, n = 1;

	snprintf(out->name, sizeof(out->name), "refund_scan_%02u", variant);
	snprintf(out->types, sizeof(out->types), "i");
	len = (size_t)snprintf(out->sql, sizeof(out->sql),
			"SELECT id, version, data FROM refund_records WHERE kind = $1");
	for (i = 0; i < 4; i++) {
		if (variant & (1u << i)) {
			len += (size_t)snprintf(out->sql + len, sizeof(out->sql) - len,
					" AND %s = $%d", fields[i], ++n);
			strcat(out->types, "t");
		}
	}
	if (variant & SCAN_AFTER) {
		len += (size_t)snprintf(out->sql + len, sizeof(out->sql) - len, " AND id > $%d", ++n);
		strcat(out->types, "t");
	}
	snprintf(out->sql + len, sizeof(out->sql) - len, " ORDER BY id LIMIT $%d", ++n);
	strcat(out->types, "l");
}

static void statement_of(int st, statement_text *out)
{
	if (st >= ST_FIXED) {
		scan_text((unsigned)(st - ST_FIXED), out);
		return;
	}
	snprintf(out->name, sizeof(out->name), "%s", fixed_statements[st].name);
	snprintf(out->types, sizeof(out->types), "%s", fixed_statements[st].types);
	snprintf(out->sql, sizeof(out->sql), "%s", fixed_statements[st].sql);
}

/* The statement's name, which scan_text() also gives (without building its SQL). */
static const char *statement_name(int st, char *buf, size_t size)
{
	if (st < ST_FIXED)
		return fixed_statements[st].name;
	snprintf(buf, size, "refund_scan_%02u", (unsigned)(st - ST_FIXED));
	return buf;
}

/* Prepare statement @p st unless it is prepared in this server session. */
static int prepare(pg_store *s, int st)
{
	Oid types[MAX_PARAMS];
	statement_text t;
	int i, n, rc = 0;
	PGresult *r;

	if (s->prepared & (UINT64_C(1) << st))
		return 0;
	statement_of(st, &t);
	n = (int)strlen(t.types);
	for (i = 0; i < n; i++)
		types[i] = type_oid(t.types[i]);
	r = PQprepare(s->conn, t.name, t.sql, n, types);
	/* 42P05: another store on this (host's) connection prepared the same text. */
	if (PQresultStatus(r) == PGRES_COMMAND_OK || sqlstate_is(r, "42P05"))
		s->prepared |= UINT64_C(1) << st;
	else
		rc = foreign_or(result_error(s, r), r);
	PQclear(r);
	return rc;
}

/* Run a prepared statement once; 0 and *out, or the error (maybe RETRY). */
static int exec_once(pg_store *s, int st, const params *p, PGresult **out)
{
	ExecStatusType status;
	char name[32];
	PGresult *r;
	int rc;

	if (p->too_big)
		return REFUND_ESTORE;
	if ((rc = prepare(s, st)) != 0)
		return rc;
	r = PQexecPrepared(s->conn, statement_name(st, name, sizeof(name)), p->n, p->values,
			p->lengths, p->formats, 1);
	status = PQresultStatus(r);
	if (r && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)) {
		*out = r;
		return 0;
	}
	rc = result_error(s, r);
	PQclear(r);
	return rc;
}

/* Rows a write statement affected. */
static long affected(PGresult *r)
{
	return strtol(PQcmdTuples(r), NULL, 10);
}

/* ---- Entering the store ------------------------------------------------------------ */

/* The connection, reconnected if it is ours and was lost. */
static int connection_ready(pg_store *s)
{
	if (PQstatus(s->conn) != CONNECTION_OK) {
		if (!s->owns_conn)
			return REFUND_ESTORE;
		PQreset(s->conn);
		s->prepared = 0;
		if (PQstatus(s->conn) != CONNECTION_OK)
			return REFUND_ESTORE;
	}
	if (PQbackendPID(s->conn) != s->backend_pid) {
		s->backend_pid = PQbackendPID(s->conn);
		s->prepared = 0;
	}
	return 0;
}

static int enter(pg_store *s)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	if ((rc = connection_ready(s)) != 0)
		pthread_mutex_unlock(&s->lock);
	return rc;
}

static void leave(pg_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* A read: one statement outside a transaction, run again after RETRY. */
static int query(pg_store *s, int st, const params *p, PGresult **out)
{
	int attempt, rc = RETRY;

	for (attempt = 0; attempt <= s->max_retries && rc == RETRY; attempt++)
		rc = exec_once(s, st, p, out);
	return rc == RETRY ? REFUND_EBUSY : rc;
}

/* ---- load -------------------------------------------------------------------------- */

/* Row @p row of a result whose columns from @p col are version, data. */
static int row_record(const PGresult *r, int row, int col, refund_store_record *rec)
{
	int64_t version;
	int rc = field_int(r, row, col, &version);

	if (rc != 0 || version < 1)
		return REFUND_ESTORE;
	rec->version = (uint64_t)version;
	rec->data = field_bytes(r, row, col + 1, &rec->size);
	return 0;
}

static int pg_load(refund_store *store, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	pg_store *s = (pg_store *)store;
	refund_store_record record;
	params p = { 0 };
	PGresult *r = NULL;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	add_int4(&p, kind);
	add_text(&p, id);
	if ((rc = enter(s)) != 0)
		return rc;
	if ((rc = query(s, ST_LOAD, &p, &r)) == 0) {
		if (PQntuples(r) == 0) {
			rc = REFUND_ENOTFOUND;
		} else {
			record.kind = kind;
			record.id = id;
			if ((rc = row_record(r, 0, 0, &record)) == 0)
				rc = cb(ctx, &record);
		}
	}
	PQclear(r);
	leave(s);
	return rc;
}

/* ---- commit ------------------------------------------------------------------------ */

static int put_cmp(const void *a, const void *b)
{
	const refund_store_put *pa = *(const refund_store_put *const *)a;
	const refund_store_put *pb = *(const refund_store_put *const *)b;

	if (pa->kind != pb->kind)
		return pa->kind < pb->kind ? -1 : 1;
	return strcmp(pa->id, pb->id);
}

/*
 * The puts in (kind, id) order, so that every commit locks records in the
 * same order; REFUND_EINVAL if a record is put twice; REFUND_ENOMEM.
 */
static int sorted_puts(const refund_store_batch *b, const refund_store_put ***out)
{
	const refund_store_put **sorted;
	size_t i;

	*out = NULL;
	if (b->nputs == 0)
		return 0;
	if (b->nputs > SIZE_MAX / sizeof(*sorted))
		return REFUND_ENOMEM;
	sorted = malloc(b->nputs * sizeof(*sorted));
	if (!sorted)
		return REFUND_ENOMEM;
	for (i = 0; i < b->nputs; i++)
		sorted[i] = &b->puts[i];
	qsort(sorted, b->nputs, sizeof(*sorted), put_cmp);
	for (i = 1; i < b->nputs; i++) {
		if (put_cmp(&sorted[i - 1], &sorted[i]) == 0) {
			free(sorted);
			return REFUND_EINVAL;
		}
	}
	*out = sorted;
	return 0;
}

/* Run a write statement that must affect exactly one row, else a conflict. */
static int write_one(pg_store *s, int st, const params *p)
{
	PGresult *r = NULL;
	int rc = exec_once(s, st, p, &r);

	if (rc == 0 && affected(r) != 1)
		rc = REFUND_ECONFLICT;
	PQclear(r);
	return rc;
}

/* INSERT for version 0, else UPDATE with the version checked in the WHERE. */
static int apply_put(pg_store *s, const refund_store_put *put)
{
	const refund_store_index *x = &put->index;
	params p = { 0 };

	/* No record reaches a version past INT64_MAX (see the header). */
	if (put->expected_version >= (uint64_t)INT64_MAX)
		return REFUND_ECONFLICT;
	add_int4(&p, put->kind);
	add_text(&p, put->id);
	add_bytes(&p, put->data, put->size);
	add_text(&p, x->deposit_id);
	add_text(&p, x->holder);
	add_text(&p, x->agent);
	add_text(&p, x->state);
	if (x->next_deadline == REFUND_NO_DEADLINE)
		add_value(&p, NULL, 0);
	else
		add_int8(&p, x->next_deadline);
	if (put->expected_version == 0)
		return write_one(s, ST_INSERT, &p);
	add_int8(&p, (int64_t)put->expected_version);
	return write_one(s, ST_UPDATE, &p);
}

static int apply_event(pg_store *s, const refund_store_event *ev)
{
	params p = { 0 };

	if (ev->seq > (uint64_t)INT64_MAX)
		return REFUND_ECONFLICT;
	add_int4(&p, ev->kind);
	add_text(&p, ev->id);
	add_int8(&p, (int64_t)ev->seq);
	add_int8(&p, ev->at);
	add_bytes(&p, ev->data, ev->size);
	return write_one(s, ST_APPEND, &p);
}

/* One transaction; rolled back unless everything applied and COMMIT succeeded. */
static int run_batch(pg_store *s, const refund_store_put **puts, size_t nputs,
		const refund_store_batch *b)
{
	size_t i;
	int rc;

	if ((rc = exec_sql(s, "BEGIN", NULL)) != 0)
		return rc;
	for (i = 0; i < nputs && rc == 0; i++)
		rc = apply_put(s, puts[i]);
	for (i = 0; i < b->nevents && rc == 0; i++)
		rc = apply_event(s, &b->events[i]);
	if (rc == 0)
		rc = exec_sql(s, "COMMIT", NULL);
	if (in_transaction(s))
		exec_sql(s, "ROLLBACK", NULL);
	return rc;
}

static int pg_commit(refund_store *store, const refund_store_batch *batch)
{
	pg_store *s = (pg_store *)store;
	const refund_store_put **puts;
	int attempt, rc;

	if (refund_store_batch_check(batch) != 0)
		return REFUND_EINVAL;
	if ((rc = sorted_puts(batch, &puts)) != 0)
		return rc;
	if ((rc = enter(s)) == 0) {
		/* A transaction of the host's would take ours in (see refund_pg_open_conn). */
		if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
			rc = REFUND_ESTORE;
		else
			rc = RETRY;
		for (attempt = 0; attempt <= s->max_retries && rc == RETRY; attempt++)
			rc = run_batch(s, puts, batch->nputs, batch);
		if (rc == RETRY)
			rc = REFUND_EBUSY;
		leave(s);
	}
	free(puts);
	return rc;
}

/* ---- events ------------------------------------------------------------------------ */

static int event_rows(const PGresult *r, refund_store_event *ev, refund_store_event_cb cb,
		void *ctx)
{
	int row, rc = 0;

	for (row = 0; row < PQntuples(r) && rc == 0; row++) {
		int64_t seq, at;

		if ((rc = field_int(r, row, 0, &seq)) != 0 || (rc = field_int(r, row, 1, &at)) != 0)
			return rc;
		ev->seq = (uint64_t)seq;
		ev->at = at;
		ev->data = field_bytes(r, row, 2, &ev->size);
		rc = cb(ctx, ev);
	}
	return rc;
}

static int pg_events(refund_store *store, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx)
{
	pg_store *s = (pg_store *)store;
	refund_store_event ev;
	params p = { 0 };
	PGresult *r = NULL;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	if (from_seq > (uint64_t)INT64_MAX)
		return 0;       /* past every seq this store holds */
	add_int4(&p, kind);
	add_text(&p, id);
	add_int8(&p, (int64_t)from_seq);
	if ((rc = enter(s)) != 0)
		return rc;
	ev.kind = kind;
	ev.id = id;
	if ((rc = query(s, ST_EVENTS, &p, &r)) == 0)
		rc = event_rows(r, &ev, cb, ctx);
	PQclear(r);
	leave(s);
	return rc;
}

/* ---- due --------------------------------------------------------------------------- */

static int due_rows(const PGresult *r, refund_store_due_cb cb, void *ctx)
{
	int row, rc = 0;

	for (row = 0; row < PQntuples(r) && rc == 0; row++) {
		int64_t kind, deadline;

		if ((rc = field_int(r, row, 0, &kind)) != 0 ||
				(rc = field_int(r, row, 2, &deadline)) != 0)
			return rc;
		rc = cb(ctx, (int)kind, PQgetvalue(r, row, 1), deadline);
	}
	return rc;
}

static int pg_due(refund_store *store, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	pg_store *s = (pg_store *)store;
	params p = { 0 };
	PGresult *r = NULL;
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	add_int8(&p, before);
	add_limit(&p, limit);
	if ((rc = enter(s)) != 0)
		return rc;
	if ((rc = query(s, ST_DUE, &p, &r)) == 0)
		rc = due_rows(r, cb, ctx);
	PQclear(r);
	leave(s);
	return rc;
}

/* ---- scan -------------------------------------------------------------------------- */

static unsigned scan_variant(const refund_store_filter *f)
{
	return (f->deposit_id ? SCAN_DEPOSIT : 0u) | (f->holder ? SCAN_HOLDER : 0u) |
		(f->agent ? SCAN_AGENT : 0u) | (f->state ? SCAN_STATE : 0u) |
		(f->after_id ? SCAN_AFTER : 0u);
}

/* The parameters of scan_text()'s statement: only the fields the filter has. */
static void bind_filter(params *p, int kind, const refund_store_filter *f)
{
	const char *const fields[] = { f->deposit_id, f->holder, f->agent, f->state, f->after_id };
	size_t i;

	add_int4(p, kind);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i])
			add_text(p, fields[i]);
	add_limit(p, f->limit);
}

static int scan_rows(const PGresult *r, int kind, refund_store_record_cb cb, void *ctx)
{
	refund_store_record record;
	int row, rc = 0;

	record.kind = kind;
	for (row = 0; row < PQntuples(r) && rc == 0; row++) {
		record.id = PQgetvalue(r, row, 0);
		if ((rc = row_record(r, row, 1, &record)) == 0)
			rc = cb(ctx, &record);
	}
	return rc;
}

static int pg_scan(refund_store *store, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	static const refund_store_filter any = { NULL, NULL, NULL, NULL, NULL, 0 };
	pg_store *s = (pg_store *)store;
	params p = { 0 };
	PGresult *r = NULL;
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	if (!filter)
		filter = &any;
	bind_filter(&p, kind, filter);
	if ((rc = enter(s)) != 0)
		return rc;
	if ((rc = query(s, ST_FIXED + (int)scan_variant(filter), &p, &r)) == 0)
		rc = scan_rows(r, kind, cb, ctx);
	PQclear(r);
	leave(s);
	return rc;
}

/* ---- Lifetime ------------------------------------------------------------------------ */

static void pg_free(refund_store *store)
{
	pg_store *s = (pg_store *)store;

	if (s->owns_conn)
		PQfinish(s->conn);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

PGconn *refund_pg_conn(refund_store *store)
{
	if (!store || store->free != pg_free)
		return NULL;
	return ((pg_store *)store)->conn;
}

/* ---- Schema ------------------------------------------------------------------------ */

/* Bits of the refund_ tables the search path shows. */
enum { HAS_META = 1, HAS_RECORDS = 2, HAS_EVENTS = 4 };

static int schema_tables(pg_store *s, int *out)
{
	PGresult *r = NULL;
	int rc = exec_sql(s, "SELECT to_regclass('refund_meta') IS NOT NULL,"
			" to_regclass('refund_records') IS NOT NULL,"
			" to_regclass('refund_events') IS NOT NULL", &r);

	*out = 0;
	if (rc == 0 && PQntuples(r) == 1) {
		*out = (PQgetvalue(r, 0, 0)[0] == 't' ? HAS_META : 0) |
			(PQgetvalue(r, 0, 1)[0] == 't' ? HAS_RECORDS : 0) |
			(PQgetvalue(r, 0, 2)[0] == 't' ? HAS_EVENTS : 0);
	} else if (rc == 0) {
		rc = REFUND_ESTORE;
	}
	PQclear(r);
	return rc;
}

/* The schema_version row, which must be a positive integer. */
static int meta_version(pg_store *s, int64_t *out)
{
	PGresult *r = PQexec(s->conn, "SELECT value::text FROM refund_meta"
			" WHERE key = 'schema_version'");
	int rc;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = foreign_or(result_error(s, r), r);
	else if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		rc = REFUND_ECORRUPT;
	else
		rc = (*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10)) >= 1 ? 0 : REFUND_ECORRUPT;
	PQclear(r);
	return rc;
}

/*
 * The database's schema version: 0 if the search path shows no refund_
 * tables at all; our version; REFUND_EVERSION for a newer one;
 * REFUND_ECORRUPT for anything else (half a schema, an unreadable meta
 * table, an older schema: there is none).
 */
static int schema_version(pg_store *s, int64_t *out)
{
	int tables, rc;

	*out = 0;
	if ((rc = schema_tables(s, &tables)) != 0)
		return rc;
	if (tables == 0)
		return 0;
	if (!(tables & HAS_META))
		return REFUND_ECORRUPT;
	if ((rc = meta_version(s, out)) != 0)
		return rc;
	if (*out > REFUND_PG_SCHEMA_VERSION)
		return REFUND_EVERSION;
	return *out == REFUND_PG_SCHEMA_VERSION && tables == (HAS_META | HAS_RECORDS |
			HAS_EVENTS) ? 0 : REFUND_ECORRUPT;
}

/*
 * Create the schema unless present; other processes may race us to it.  The
 * advisory lock is a session lock taken before the transaction: a backend
 * reads catalog changes committed by others when a transaction starts, so
 * the check inside the transaction sees the winner's tables.
 */
static int ensure_schema(pg_store *s)
{
	int64_t version;
	int rc;

	if ((rc = schema_version(s, &version)) != 0 || version != 0)
		return rc;
	if ((rc = exec_sql(s, "SELECT pg_advisory_lock(" SCHEMA_LOCK_KEY ")", NULL)) != 0)
		return rc == RETRY ? REFUND_EBUSY : rc;
	rc = exec_sql(s, "BEGIN", NULL);
	if (rc == 0 && (rc = schema_version(s, &version)) == 0 && version == 0) {
		rc = exec_sql(s, schema_sql, NULL);
		if (rc == 0)
			rc = exec_sql(s, "COMMIT", NULL);
	}
	if (in_transaction(s))
		exec_sql(s, "ROLLBACK", NULL);
	exec_sql(s, "SELECT pg_advisory_unlock(" SCHEMA_LOCK_KEY ")", NULL);
	return rc == RETRY ? REFUND_EBUSY : rc;
}

/* Prepare the fixed statements now: a foreign refund_records shows here. */
static int prepare_fixed(pg_store *s)
{
	int st, rc = 0;

	for (st = 0; st < ST_FIXED && rc == 0; st++)
		rc = prepare(s, st);
	return rc == RETRY ? REFUND_EBUSY : rc;
}

/* ---- Opening ------------------------------------------------------------------------- */

static int check_options(const refund_pg_options *options, refund_pg_options *o)
{
	static const refund_pg_options defaults = REFUND_PG_OPTIONS_INIT;

	*o = defaults;
	if (!options)
		return 0;
	if (options->version != REFUND_PG_OPTIONS_VERSION)
		return REFUND_EVERSION;
	if (options->max_retries < 0 || options->max_retries > 100)
		return REFUND_EINVAL;
	*o = *options;
	return 0;
}

int refund_pg_options_init(refund_pg_options *options, unsigned int version)
{
	static const refund_pg_options defaults = REFUND_PG_OPTIONS_INIT;

	if (!options)
		return REFUND_EINVAL;
	if (version != REFUND_PG_OPTIONS_VERSION)
		return REFUND_EVERSION;
	*options = defaults;
	return 0;
}

static int init_lock(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;
	int rc;

	if (pthread_mutexattr_init(&attr) != 0)
		return REFUND_ENOMEM;
	rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (rc == 0)
		rc = pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return rc == 0 ? 0 : REFUND_ENOMEM;
}

/* The store over @p conn, schema checked or created; frees nothing on failure. */
static int make_store(PGconn *conn, int owns_conn, const refund_pg_options *o,
		refund_store **out)
{
	pg_store *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return REFUND_ENOMEM;
	s->conn = conn;
	s->max_retries = o->max_retries;
	s->backend_pid = PQbackendPID(conn);
	if ((rc = init_lock(&s->lock)) != 0) {
		free(s);
		return rc;
	}
	rc = ensure_schema(s);
	if (rc == 0)
		rc = prepare_fixed(s);
	if (rc != 0) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return rc;
	}
	refund_store_init(&s->base, REFUND_STORE_VERSION);
	s->owns_conn = owns_conn;
	s->base.load = pg_load;
	s->base.commit = pg_commit;
	s->base.events = pg_events;
	s->base.due = pg_due;
	s->base.scan = pg_scan;
	s->base.free = pg_free;
	*out = &s->base;
	return 0;
}

int refund_pg_open_conn(refund_store **out, PGconn *conn, const refund_pg_options *options)
{
	const char *encoding;
	refund_pg_options o;
	int rc;

	if (!out || !conn)
		return REFUND_EINVAL;
	if ((rc = check_options(options, &o)) != 0)
		return rc;
	if (PQstatus(conn) != CONNECTION_OK)
		return REFUND_ESTORE;
	encoding = PQparameterStatus(conn, "client_encoding");
	if (PQtransactionStatus(conn) != PQTRANS_IDLE || !encoding ||
			strcmp(encoding, "UTF8") != 0)
		return REFUND_EINVAL;
	return make_store(conn, 0, &o, out);
}

int refund_pg_open(refund_store **out, const char *conninfo,
		const refund_pg_options *options)
{
	/* Later keywords override what the expanded connection string says. */
	static const char *const keywords[] = { "dbname", "client_encoding",
			"fallback_application_name", NULL };
	const char *values[] = { conninfo, "UTF8", "librefund", NULL };
	refund_pg_options o;
	PGconn *conn;
	int rc;

	if (!out || !conninfo)
		return REFUND_EINVAL;
	if ((rc = check_options(options, &o)) != 0)
		return rc;
	conn = PQconnectdbParams(keywords, values, 1);
	if (!conn)
		return REFUND_ENOMEM;
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return REFUND_ESTORE;
	}
	if ((rc = make_store(conn, 1, &o, out)) != 0)
		PQfinish(conn);
	return rc;
}
