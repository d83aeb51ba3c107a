/*
 * The PostgreSQL store: the shared contract suite (the one the in-memory and
 * SQLite stores pass), then what only a server shows: data shared by
 * connections, optimistic conflicts and concurrent committers, deadlocks and
 * serialization failures retried, query plans, schema versions, lost
 * connections, a host's own connection, and an engine on top.
 *
 * It needs a server: $REFUND_PG_CONNINFO names one (with_pg.sh makes a
 * throwaway cluster and sets it).  Each test works in a schema of its own
 * (search_path), dropped afterwards, so tests never see each other's rows
 * and a shared server is left as it was.
 */
#define _POSIX_C_SOURCE 200809L

#include "refund_pg.h"

#include <refund.h>
#include <refund/sys/store.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "store_contract.h"
#include "store_dump.h"

static refund_store *const SENTINEL = (refund_store *)&SENTINEL;

static const char *server;      /* $REFUND_PG_CONNINFO */
static PGconn *admin;           /* the server's default schema, for DDL and pg_ views */
static unsigned schema_counter;

/* ---- Connection strings and raw SQL ---------------------------------------- */

/* Append @p value quoted for a key=value connection string. */
static void append_quoted(char *out, size_t size, const char *value)
{
	size_t len = strlen(out);
	const char *c;

	if (len + 1 < size)
		out[len++] = '\'';
	for (c = value; *c && len + 3 < size; c++) {
		if (*c == '\'' || *c == '\\')
			out[len++] = '\\';
		out[len++] = *c;
	}
	out[len++] = '\'';
	out[len] = '\0';
}

/*
 * The server's connection string (a URI or key=value) as key=value, with
 * @p options added to its own: "-c search_path=NAME" and the like.
 * free() it.
 */
static char *conninfo_with(const char *options)
{
	PQconninfoOption *parsed = PQconninfoParse(server, NULL), *o;
	char *out = calloc(1, 4096);

	assert_non_null(parsed);
	assert_non_null(out);
	for (o = parsed; o->keyword; o++) {
		if (!o->val || strcmp(o->keyword, "options") == 0)
			continue;
		snprintf(out + strlen(out), 4096 - strlen(out), "%s=", o->keyword);
		append_quoted(out, 4096, o->val);
		strcat(out, " ");
	}
	for (o = parsed; o->keyword; o++) {
		if (strcmp(o->keyword, "options") == 0) {
			char all[1024];

			snprintf(all, sizeof(all), "%s %s", o->val ? o->val : "", options);
			strcat(out, "options=");
			append_quoted(out, 4096, all);
		}
	}
	PQconninfoFree(parsed);
	return out;
}

/* A connection string whose search path is @p schema. */
static char *conninfo_in(const char *schema)
{
	char options[128];

	snprintf(options, sizeof(options), "-c search_path=%s", schema);
	return conninfo_with(options);
}

static PGconn *raw_connect(const char *conninfo)
{
	PGconn *conn = PQconnectdb(conninfo);

	if (PQstatus(conn) != CONNECTION_OK)
		fail_msg("cannot connect: %s", PQerrorMessage(conn));
	return conn;
}

static void raw_exec(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	ExecStatusType status = PQresultStatus(r);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	PQclear(r);
}

/* The first column of the first row as an integer (-999 if no row or NULL). */
static int64_t raw_int(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	int64_t v = -999;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

/* Every row's first column, joined with newlines; free() it. */
static char *raw_text(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	size_t size = 1;
	char *out;
	int i;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	for (i = 0; i < PQntuples(r); i++)
		size += strlen(PQgetvalue(r, i, 0)) + 1;
	out = calloc(1, size);
	assert_non_null(out);
	for (i = 0; i < PQntuples(r); i++) {
		strcat(out, PQgetvalue(r, i, 0));
		strcat(out, "\n");
	}
	PQclear(r);
	return out;
}

/* A new empty schema; its name goes to @p out. */
static void fresh_schema(char *out, size_t size)
{
	char sql[160];

	snprintf(out, size, "refund_test_%ld_%u", (long)getpid(), ++schema_counter);
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", out, out);
	raw_exec(admin, sql);
}

static void drop_schema(const char *schema)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	raw_exec(admin, sql);
}

static int sqlstate_of(const PGresult *r, const char *code)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

	return state && strcmp(state, code) == 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- Store helpers -------------------------------------------------------------- */

static refund_store *open_with(const char *conninfo, int max_retries)
{
	refund_pg_options o = REFUND_PG_OPTIONS_INIT;
	refund_store *s = NULL;
	int rc;

	o.max_retries = max_retries;
	rc = refund_pg_open(&s, conninfo, &o);
	if (rc != 0)
		fail_msg("refund_pg_open: %d", rc);
	return s;
}

static refund_store *open_store(const char *conninfo)
{
	return open_with(conninfo, 5);
}

static int backend_of(refund_store *s)
{
	return PQbackendPID(refund_pg_conn(s));
}

/* A store in a fresh schema, with a raw connection to the same schema. */
typedef struct pg_fixture {
	char schema[64];
	char *conninfo;
	refund_store *store;
	PGconn *raw;
} pg_fixture;

static int pg_setup(void **state)
{
	pg_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	fresh_schema(f->schema, sizeof(f->schema));
	f->conninfo = conninfo_in(f->schema);
	if (refund_pg_open(&f->store, f->conninfo, NULL) != 0)
		return -1;
	f->raw = raw_connect(f->conninfo);
	*state = f;
	return 0;
}

static int pg_teardown(void **state)
{
	pg_fixture *f = *state;

	refund_store_free(f->store);
	PQfinish(f->raw);
	drop_schema(f->schema);
	free(f->conninfo);
	free(f);
	return 0;
}

/* ---- The contract: one suite, three stores ------------------------------------------ */

typedef struct factory_ctx {
	char schema[64];
} factory_ctx;

/* Each test's store gets a new schema; the previous one is dropped by then. */
static int make_contract_store(void *ctx, refund_store **out)
{
	factory_ctx *fc = ctx;
	char *conninfo;
	int rc;

	if (fc->schema[0])
		drop_schema(fc->schema);
	fresh_schema(fc->schema, sizeof(fc->schema));
	conninfo = conninfo_in(fc->schema);
	rc = refund_pg_open(out, conninfo, NULL);
	free(conninfo);
	return rc;
}

/* ---- Arguments ------------------------------------------------------------------------ */

static void options_init_fills_defaults(void **state)
{
	refund_pg_options o;

	(void)state;
	memset(&o, 0x5a, sizeof(o));
	assert_int_equal(refund_pg_options_init(NULL, REFUND_PG_OPTIONS_VERSION), REFUND_EINVAL);
	assert_int_equal(refund_pg_options_init(&o, REFUND_PG_OPTIONS_VERSION + 1),
			REFUND_EVERSION);
	assert_int_equal(o.max_retries, 0x5a5a5a5a);
	assert_int_equal(refund_pg_options_init(&o, REFUND_PG_OPTIONS_VERSION), 0);
	assert_int_equal(o.version, REFUND_PG_OPTIONS_VERSION);
	assert_int_equal(o.max_retries, 5);
}

static void open_rejects_bad_arguments(void **state)
{
	refund_pg_options o = REFUND_PG_OPTIONS_INIT;
	refund_store *s = SENTINEL, *mem_store = NULL;
	char schema[64], *conninfo;

	(void)state;
	fresh_schema(schema, sizeof(schema));
	conninfo = conninfo_in(schema);
	assert_int_equal(refund_pg_open(NULL, conninfo, NULL), REFUND_EINVAL);
	assert_int_equal(refund_pg_open(&s, NULL, NULL), REFUND_EINVAL);
	o.version = 2;
	assert_int_equal(refund_pg_open(&s, conninfo, &o), REFUND_EVERSION);
	o.version = REFUND_PG_OPTIONS_VERSION;
	o.max_retries = -1;
	assert_int_equal(refund_pg_open(&s, conninfo, &o), REFUND_EINVAL);
	o.max_retries = 101;
	assert_int_equal(refund_pg_open(&s, conninfo, &o), REFUND_EINVAL);
	assert_int_equal(refund_pg_open_conn(NULL, admin, NULL), REFUND_EINVAL);
	assert_int_equal(refund_pg_open_conn(&s, NULL, NULL), REFUND_EINVAL);
	assert_int_equal(refund_pg_open_conn(&s, admin, &o), REFUND_EINVAL);
	assert_ptr_equal(s, SENTINEL);
	/* Nothing was created. */
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_tables WHERE schemaname = '%s'",
				schema);
		assert_int_equal(raw_int(admin, sql), 0);
	}
	assert_null(refund_pg_conn(NULL));
	assert_int_equal(refund_store_memory_new(&mem_store, NULL), 0);
	assert_null(refund_pg_conn(mem_store));
	refund_store_free(mem_store);
	drop_schema(schema);
	free(conninfo);
}

static void an_unreachable_server_is_a_store_error(void **state)
{
	refund_store *s = SENTINEL;
	PGconn *bad;
	char *conninfo;

	(void)state;
	assert_int_equal(refund_pg_open(&s, "host=/nonexistent/refund-pg port=5432"
			" connect_timeout=2", NULL), REFUND_ESTORE);
	assert_int_equal(refund_pg_open(&s, "this is not a connection string", NULL),
			REFUND_ESTORE);
	conninfo = conninfo_with("-c search_path=x");
	{
		/* A database that does not exist, on the real server. */
		char *no_db = malloc(strlen(conninfo) + 64);

		assert_non_null(no_db);
		sprintf(no_db, "%s dbname=refund_no_such_database", conninfo);
		assert_int_equal(refund_pg_open(&s, no_db, NULL), REFUND_ESTORE);
		free(no_db);
	}
	assert_ptr_equal(s, SENTINEL);
	bad = PQconnectdb("host=/nonexistent/refund-pg port=5432");
	assert_int_equal(PQstatus(bad), CONNECTION_BAD);
	assert_int_equal(refund_pg_open_conn(&s, bad, NULL), REFUND_ESTORE);
	assert_ptr_equal(s, SENTINEL);
	PQfinish(bad);
	free(conninfo);
}

/* ---- Connections -------------------------------------------------------------------------- */

static void data_persists_across_connections(void **state)
{
	pg_fixture *f = *state;
	refund_store_put p = sc_put_text(REFUND_RECORD_DEPOSIT, "D-1", 0, "deposit", 500);
	refund_store_filter by_holder = { NULL, "H", NULL, NULL, NULL, 0 };
	refund_store_event events[2];
	char *before;
	int n = 0;

	events[0] = sc_event_text(REFUND_RECORD_DEPOSIT, "D-1", 1, "one");
	events[1] = sc_event_text(REFUND_RECORD_DEPOSIT, "D-1", 2, "two");
	p.index.holder = "H";
	assert_int_equal(sc_commit(f->store, &p, 1, events, 2), 0);
	sc_create_case(f->store, "C-1", "case", 100);
	before = sc_dump_of(f->store);
	refund_store_free(f->store);
	f->store = open_store(f->conninfo);

	sc_assert_dump_is(f->store, before);
	assert_int_equal(f->store->due(f->store, 1000, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(f->store->scan(f->store, REFUND_RECORD_DEPOSIT, &by_holder,
			sc_count_record, &n), 0);
	assert_int_equal(n, 1);
	free(before);
}

static void a_second_connection_sees_commits(void **state)
{
	pg_fixture *f = *state;
	refund_store *other = open_store(f->conninfo);
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-1", 0, "one", 77);

	assert_int_not_equal(backend_of(other), backend_of(f->store));
	p.index.deposit_id = "D-9";
	p.index.state = "review";
	assert_int_equal(sc_commit(f->store, &p, 1, NULL, 0), 0);
	assert_int_equal(sc_version_of_case(other, "C-1"), 1);
	sc_create_case(other, "C-2", "two", REFUND_NO_DEADLINE);
	assert_int_equal(sc_version_of_case(f->store, "C-2"), 1);

	/* Real columns: what a host's own SQL sees. */
	assert_int_equal(raw_int(f->raw, "SELECT next_deadline FROM refund_records"
			" WHERE id = 'C-1'"), 77);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records WHERE id = 'C-1'"
			" AND deposit_id = 'D-9' AND state = 'review' AND holder IS NULL"
			" AND data = 'one'::bytea AND kind = 2 AND version = 1"), 1);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records WHERE id = 'C-2'"
			" AND next_deadline IS NULL"), 1);
	refund_store_free(other);
}

static void a_version_conflict_between_connections_is_detected(void **state)
{
	pg_fixture *f = *state;
	refund_store *other = open_store(f->conninfo);
	refund_store_put p;
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "C-1", 1, "from other");
	char *before;

	sc_create_case(f->store, "C-1", "v1", REFUND_NO_DEADLINE);
	/* Both read version 1; the first writer wins. */
	assert_int_equal(sc_version_of_case(other, "C-1"), 1);
	p = sc_put_text(REFUND_RECORD_CASE, "C-1", 1, "mine", 5);
	assert_int_equal(sc_commit(f->store, &p, 1, NULL, 0), 0);
	before = sc_dump_of(f->store);
	p = sc_put_text(REFUND_RECORD_CASE, "C-1", 1, "theirs", 6);
	assert_int_equal(sc_commit(other, &p, 1, &ev, 1), REFUND_ECONFLICT);
	sc_assert_dump_is(f->store, before);
	sc_assert_dump_is(other, before);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_events"), 0);
	/* A creation racing an existing record conflicts too. */
	p = sc_put_text(REFUND_RECORD_CASE, "C-1", 0, "again", 6);
	assert_int_equal(sc_commit(other, &p, 1, NULL, 0), REFUND_ECONFLICT);
	/* With the version it now reads, the other connection goes through. */
	p = sc_put_text(REFUND_RECORD_CASE, "C-1", 2, "theirs", 6);
	assert_int_equal(sc_commit(other, &p, 1, &ev, 1), 0);
	assert_int_equal(sc_version_of_case(f->store, "C-1"), 3);
	free(before);
	refund_store_free(other);
}

/* ---- Concurrent committers ------------------------------------------------------------------- */

#define THREADS 4
#define INCREMENTS 40

typedef struct worker {
	refund_store *store;
	int conflicts;
	int rc;
} worker;

/*
 * Read-modify-write of one shared counter with an event per increment, in
 * one batch, retrying on conflicts: the event's seq is the version read, so
 * a lost update would leave a gap or a duplicate in the history.
 */
static void *increment_counter(void *arg)
{
	worker *w = arg;
	int i;

	for (i = 0; i < INCREMENTS && w->rc == 0; i++) {
		int rc;

		do {
			uint64_t version = 0;
			refund_store_put p;
			refund_store_event ev;

			rc = w->store->load(w->store, REFUND_RECORD_META, "counter", sc_keep_version,
					&version);
			if (rc != 0)
				break;
			p = sc_put_text(REFUND_RECORD_META, "counter", version, "n", REFUND_NO_DEADLINE);
			ev = sc_event_text(REFUND_RECORD_META, "counter", version, "+1");
			rc = sc_commit(w->store, &p, 1, &ev, 1);
			if (rc == REFUND_ECONFLICT || rc == REFUND_EBUSY)
				w->conflicts++;
		} while (rc == REFUND_ECONFLICT || rc == REFUND_EBUSY);
		w->rc = rc;
	}
	return NULL;
}

static int run_workers(refund_store **stores, refund_store *check)
{
	pthread_t threads[THREADS];
	worker workers[THREADS];
	uint64_t before = 0, after = 0;
	int i, conflicts = 0;

	assert_int_equal(check->load(check, REFUND_RECORD_META, "counter", sc_keep_version,
			&before), 0);
	for (i = 0; i < THREADS; i++) {
		workers[i].store = stores[i];
		workers[i].conflicts = 0;
		workers[i].rc = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, increment_counter, &workers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(workers[i].rc, 0);
		conflicts += workers[i].conflicts;
	}
	assert_int_equal(check->load(check, REFUND_RECORD_META, "counter", sc_keep_version,
			&after), 0);
	/* No increment was lost. */
	assert_int_equal(after, before + THREADS * INCREMENTS);
	return conflicts;
}

static void concurrent_committers_lose_nothing(void **state)
{
	pg_fixture *f = *state;
	refund_store_put p = sc_put_text(REFUND_RECORD_META, "counter", 0, "n", REFUND_NO_DEADLINE);
	refund_store *stores[THREADS];
	int i, conflicts, n = 0;

	assert_int_equal(sc_commit(f->store, &p, 1, NULL, 0), 0);
	/* One store shared by every thread (its mutex)... */
	for (i = 0; i < THREADS; i++)
		stores[i] = f->store;
	run_workers(stores, f->store);
	/* ...and one connection per thread, racing in the server. */
	for (i = 0; i < THREADS; i++)
		stores[i] = open_store(f->conninfo);
	conflicts = run_workers(stores, f->store);
	for (i = 0; i < THREADS; i++)
		refund_store_free(stores[i]);
	print_message("    %d conflicts among %d committers on %d connections\n", conflicts,
			THREADS * INCREMENTS, THREADS);
	/* The history is 1..N without a gap or a duplicate: the counter's increments. */
	assert_int_equal(f->store->events(f->store, REFUND_RECORD_META, "counter", 1,
			sc_count_event, &n), 0);
	assert_int_equal(n, 2 * THREADS * INCREMENTS);
	assert_int_equal(raw_int(f->raw, "SELECT max(seq) - min(seq) + 1 - count(DISTINCT seq)"
			" FROM refund_events"), 0);
	assert_int_equal(sc_version_in(f->store, REFUND_RECORD_META, "counter"),
			2 * THREADS * INCREMENTS + 1);
}

/* ---- Deadlocks and serialization failures ---------------------------------------------------- */

typedef struct committer {
	refund_store *store;
	const refund_store_put *puts;
	size_t nputs;
	int rc;
} committer;

static void *commit_in_thread(void *arg)
{
	committer *c = arg;

	c->rc = sc_commit(c->store, c->puts, c->nputs, NULL, 0);
	return NULL;
}

/* Wait until backend @p pid waits for a lock (at most 10 s). */
static void wait_until_blocked(int pid)
{
	char sql[160];
	int64_t start = now_ms();

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_locks WHERE pid = %d AND NOT granted",
			pid);
	while (raw_int(admin, sql) == 0) {
		if (now_ms() - start > 10000)
			fail_msg("backend %d never waited for a lock", pid);
		sleep_ms(5);
	}
}

/*
 * A host transaction holds B and then asks for A while the store's commit
 * of {A, B} holds A and waits for B: a deadlock.  The store waited first,
 * so its deadlock check runs first and, if the host is waiting by then
 * (deadlock_timeout later), the store is the victim: the host's UPDATE gets
 * A, which proves the store's transaction was rolled back.  Otherwise the
 * host is, and *store_lost is 0.  The host changes no version, so a retry
 * of the store's batch succeeds.  Returns the store's commit result; the
 * versions A and B had before go to *version.
 */
static int deadlock_round(pg_fixture *f, refund_store *s, uint64_t *version, int *store_lost)
{
	refund_store_put puts[2];
	committer c;
	pthread_t thread;
	PGresult *r;

	*version = sc_version_of_case(s, "A");
	assert_int_equal(sc_version_of_case(s, "B"), *version);
	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", *version, "store", 1);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "B", *version, "store", 1);
	c.store = s;
	c.puts = puts;
	c.nputs = 2;
	c.rc = 99;
	/* Whatever an earlier round wrote is gone: 'store' is only this round's. */
	raw_exec(f->raw, "UPDATE refund_records SET data = 'before'::bytea");
	raw_exec(f->raw, "BEGIN");
	raw_exec(f->raw, "UPDATE refund_records SET data = data WHERE id = 'B'");
	assert_int_equal(pthread_create(&thread, NULL, commit_in_thread, &c), 0);
	wait_until_blocked(backend_of(s));
	assert_int_equal(PQsendQuery(f->raw, "UPDATE refund_records SET data = 'host'::bytea"
			" WHERE id = 'A'"), 1);
	r = PQgetResult(f->raw);
	*store_lost = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!*store_lost && !sqlstate_of(r, "40P01"))
		fail_msg("the host's update failed: %s", PQresultErrorMessage(r));
	PQclear(r);
	assert_null(PQgetResult(f->raw));
	raw_exec(f->raw, *store_lost ? "COMMIT" : "ROLLBACK");
	assert_int_equal(pthread_join(thread, NULL), 0);
	return c.rc;
}

/* A deadlock the store loses (tried again while the host loses instead). */
static int store_loses_a_deadlock(pg_fixture *f, refund_store *s, uint64_t *version)
{
	int attempt, rc = 99, store_lost = 0;

	for (attempt = 0; attempt < 5 && !store_lost; attempt++) {
		rc = deadlock_round(f, s, version, &store_lost);
		if (!store_lost)
			assert_int_equal(rc, 0);  /* the host gave way: no deadlock for the store */
	}
	assert_true(store_lost);
	return rc;
}

static void deadlocks_are_retried_then_busy(void **state)
{
	pg_fixture *f = *state;
	refund_store *no_retries = open_with(f->conninfo, 0);
	refund_store_put p;
	uint64_t version;

	sc_create_case(f->store, "A", "a", 1);
	sc_create_case(f->store, "B", "b", 1);
	/* Retried: the second run finds the host gone and commits after it. */
	assert_int_equal(store_loses_a_deadlock(f, f->store, &version), 0);
	assert_int_equal(sc_version_of_case(f->store, "A"), version + 1);
	assert_int_equal(sc_version_of_case(f->store, "B"), version + 1);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE data = 'store'::bytea"), 2);

	/* Without retries the deadlock is REFUND_EBUSY, and nothing was written. */
	assert_int_equal(store_loses_a_deadlock(f, no_retries, &version), REFUND_EBUSY);
	assert_int_equal(sc_version_of_case(f->store, "A"), version);
	assert_int_equal(sc_version_of_case(f->store, "B"), version);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE data = 'store'::bytea"), 0);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE data = 'host'::bytea AND id = 'A'"), 1);
	/* The caller may retry. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", version, "again", 1);
	assert_int_equal(sc_commit(no_retries, &p, 1, NULL, 0), 0);
	refund_store_free(no_retries);
}

/*
 * At REPEATABLE READ, a commit that waited for a host's update of the same
 * row is a serialization failure (40001), even though the version it
 * expects is still there: retried, it succeeds; without retries it is
 * REFUND_EBUSY.
 */
static int serialization_round(pg_fixture *f, refund_store *s, uint64_t version)
{
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "A", version, "store", 1);
	committer c;
	pthread_t thread;

	c.store = s;
	c.puts = &p;
	c.nputs = 1;
	c.rc = 99;
	raw_exec(f->raw, "BEGIN");
	raw_exec(f->raw, "UPDATE refund_records SET data = data WHERE id = 'A'");
	assert_int_equal(pthread_create(&thread, NULL, commit_in_thread, &c), 0);
	wait_until_blocked(backend_of(s));
	raw_exec(f->raw, "COMMIT");
	assert_int_equal(pthread_join(thread, NULL), 0);
	return c.rc;
}

static void serialization_failures_are_retried_then_busy(void **state)
{
	pg_fixture *f = *state;
	char options[160], *conninfo;
	refund_store *retrying, *no_retries;

	snprintf(options, sizeof(options), "-c search_path=%s"
			" -c default_transaction_isolation=repeatable\\ read", f->schema);
	conninfo = conninfo_with(options);
	retrying = open_with(conninfo, 3);
	no_retries = open_with(conninfo, 0);
	sc_create_case(f->store, "A", "a", 1);

	assert_int_equal(serialization_round(f, retrying, 1), 0);
	assert_int_equal(sc_version_of_case(f->store, "A"), 2);
	assert_int_equal(serialization_round(f, no_retries, 2), REFUND_EBUSY);
	assert_int_equal(sc_version_of_case(f->store, "A"), 2);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE data = 'store'::bytea"), 1);
	refund_store_free(retrying);
	refund_store_free(no_retries);
	free(conninfo);
}

/* ---- Query plans --------------------------------------------------------------------------- */

/* The plan of a prepared statement of the store's connection; free() it. */
static char *plan_of(refund_store *s, const char *execute)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "EXPLAIN %s", execute);
	return raw_text(refund_pg_conn(s), sql);
}

static void assert_plan_uses(refund_store *s, const char *execute, const char *index)
{
	char *plan = plan_of(s, execute);

	if (strstr(plan, "Seq Scan") || strstr(plan, "Sort") ||
			(index && !strstr(plan, index)))
		fail_msg("%s\nplans:\n%s", execute, plan);
	free(plan);
}

static void the_due_query_uses_its_index(void **state)
{
	pg_fixture *f = *state;
	refund_store *s = f->store;
	int n = 0;

	/* 20000 records, a few of them due before 100; statistics known. */
	raw_exec(f->raw, "INSERT INTO refund_records (kind, id, version, data, next_deadline)"
			" SELECT 1 + i % 4, 'R' || i, 1, 'x'::bytea,"
			" CASE WHEN i % 3 = 0 THEN NULL ELSE 1000 + i END"
			" FROM generate_series(1, 20000) AS i;"
			" UPDATE refund_records SET next_deadline = 50 WHERE id IN ('R7', 'R8', 'R10');"
			" ANALYZE refund_records");
	assert_int_equal(s->due(s, 100, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 3);
	/* The plan the server picks for the call, and the generic one it caches. */
	assert_plan_uses(s, "EXECUTE refund_due(100, NULL)", "refund_records_due");
	assert_plan_uses(s, "EXECUTE refund_due(100, 10)", "refund_records_due");
	raw_exec(refund_pg_conn(s), "SET plan_cache_mode = force_generic_plan");
	assert_plan_uses(s, "EXECUTE refund_due(100, 10)", "refund_records_due");
	raw_exec(refund_pg_conn(s), "RESET plan_cache_mode");
}

static void no_query_scans_the_table(void **state)
{
	pg_fixture *f = *state;
	refund_store *s = f->store;
	char execute[256], *names;
	unsigned variant;
	int n = 0;

	sc_create_case(s, "C-1", "x", 5);
	/* Use every scan variant, so each gets prepared. */
	for (variant = 0; variant < 32; variant++) {
		refund_store_filter filter = { NULL, NULL, NULL, NULL, NULL, 3 };

		filter.deposit_id = variant & 1 ? "D" : NULL;
		filter.holder = variant & 2 ? "H" : NULL;
		filter.agent = variant & 4 ? "A" : NULL;
		filter.state = variant & 8 ? "S" : NULL;
		filter.after_id = variant & 16 ? "B" : NULL;
		assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &filter, sc_count_record, &n), 0);
	}
	names = raw_text(refund_pg_conn(s), "SELECT string_agg(name, ' ' ORDER BY name)"
			" FROM pg_prepared_statements");
	assert_non_null(strstr(names, "refund_scan_31"));
	free(names);
	assert_int_equal(raw_int(refund_pg_conn(s), "SELECT count(*) FROM pg_prepared_statements"
			" WHERE name LIKE 'refund\\_%'"), 6 + 32);

	/* With sequential scans priced out, every plan finds an index it can use. */
	raw_exec(refund_pg_conn(s), "SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan");
	assert_plan_uses(s, "EXECUTE refund_load(2, 'C-1')", "refund_records_pkey");
	assert_plan_uses(s, "EXECUTE refund_events(2, 'C-1', 1)", "refund_events_pkey");
	assert_plan_uses(s, "EXECUTE refund_append(2, 'C-1', 1, 0, 'x')", "refund_events_pkey");
	assert_plan_uses(s, "EXECUTE refund_update(2, 'C-1', 'x', NULL, NULL, NULL, NULL, 5, 1)",
			"refund_records_pkey");
	assert_plan_uses(s, "EXECUTE refund_due(10, 5)", "refund_records_due");
	for (variant = 0; variant < 32; variant++) {
		static const char *const values[] = { "'D'", "'H'", "'A'", "'S'", "'B'" };
		int i;

		snprintf(execute, sizeof(execute), "EXECUTE refund_scan_%02u(2", variant);
		for (i = 0; i < 5; i++)
			if (variant & (1u << i))
				snprintf(execute + strlen(execute), sizeof(execute) - strlen(execute),
						", %s", values[i]);
		strcat(execute, ", 3)");
		assert_plan_uses(s, execute, "refund_records_");
	}
	raw_exec(refund_pg_conn(s), "RESET enable_seqscan; RESET plan_cache_mode");
}

/* ---- Schema --------------------------------------------------------------------------------- */

/* The schema's tables and indexes with their oids, and the meta row's xmin. */
static char *schema_fingerprint(const char *schema)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT string_agg(c.relname || '=' || c.oid, ' '"
			" ORDER BY c.relname) || ' meta@' || (SELECT xmin FROM %s.refund_meta)"
			" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
			" WHERE n.nspname = '%s' AND c.relkind IN ('r', 'i')", schema, schema);
	return raw_text(admin, sql);
}

typedef struct opener {
	const char *conninfo;
	int rc;
} opener;

static void *open_in_thread(void *arg)
{
	opener *o = arg;
	refund_store *s = NULL;

	o->rc = refund_pg_open(&s, o->conninfo, NULL);
	if (o->rc == 0)
		refund_store_free(s);
	return NULL;
}

static void schema_is_created_once(void **state)
{
	pg_fixture *f = *state;
	char schema[64], sql[256], *before, *after, *conninfo;
	pthread_t threads[THREADS];
	opener openers[THREADS];
	refund_store *again;
	int i;

	sc_create_case(f->store, "C-1", "x", REFUND_NO_DEADLINE);
	before = schema_fingerprint(f->schema);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_tables WHERE schemaname = '%s'",
			f->schema);
	assert_int_equal(raw_int(admin, sql), 3);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_indexes WHERE schemaname = '%s'",
			f->schema);
	assert_int_equal(raw_int(admin, sql), 8);  /* 3 primary keys, due, 4 filters */
	assert_int_equal(raw_int(f->raw, "SELECT value FROM refund_meta"
			" WHERE key = 'schema_version'"), REFUND_PG_SCHEMA_VERSION);
	/* Reopening reads the schema and changes none of it. */
	for (i = 0; i < 3; i++) {
		again = open_store(f->conninfo);
		assert_int_equal(sc_version_of_case(again, "C-1"), 1);
		refund_store_free(again);
	}
	after = schema_fingerprint(f->schema);
	assert_string_equal(after, before);
	free(before);
	free(after);

	/* Processes opening an empty database together create it once. */
	fresh_schema(schema, sizeof(schema));
	conninfo = conninfo_in(schema);
	for (i = 0; i < THREADS; i++) {
		openers[i].conninfo = conninfo;
		openers[i].rc = 99;
		assert_int_equal(pthread_create(&threads[i], NULL, open_in_thread, &openers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(openers[i].rc, 0);
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.refund_meta", schema);
	assert_int_equal(raw_int(admin, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_indexes WHERE schemaname = '%s'",
			schema);
	assert_int_equal(raw_int(admin, sql), 8);
	drop_schema(schema);
	free(conninfo);
}

/* Opening @p conninfo fails with @p code and changes nothing in @p schema. */
static void assert_open_refused(const char *conninfo, const char *schema, int code)
{
	char sql[512], *before, *after;
	refund_store *s = SENTINEL;

	snprintf(sql, sizeof(sql), "SELECT coalesce(string_agg(c.relname || '=' || c.oid, ' '"
			" ORDER BY c.relname), '') FROM pg_class c JOIN pg_namespace n"
			" ON n.oid = c.relnamespace WHERE n.nspname = '%s'", schema);
	before = raw_text(admin, sql);
	assert_int_equal(refund_pg_open(&s, conninfo, NULL), code);
	assert_ptr_equal(s, SENTINEL);
	after = raw_text(admin, sql);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

/* A schema whose refund_ tables were made by hand with @p sql. */
static void assert_schema_refused(const char *sql, int code)
{
	char schema[64], *conninfo;
	PGconn *raw;

	fresh_schema(schema, sizeof(schema));
	conninfo = conninfo_in(schema);
	raw = raw_connect(conninfo);
	raw_exec(raw, sql);
	assert_open_refused(conninfo, schema, code);
	PQfinish(raw);
	drop_schema(schema);
	free(conninfo);
}

static void newer_or_foreign_schemas_are_refused(void **state)
{
	pg_fixture *f = *state;

	sc_create_case(f->store, "C-1", "x", 1);
	/* A newer schema, written by a later version of this code. */
	raw_exec(f->raw, "UPDATE refund_meta SET value = 2 WHERE key = 'schema_version'");
	assert_open_refused(f->conninfo, f->schema, REFUND_EVERSION);
	assert_int_equal(raw_int(f->raw, "SELECT value FROM refund_meta"), 2);
	raw_exec(f->raw, "UPDATE refund_meta SET value = 0 WHERE key = 'schema_version'");
	assert_open_refused(f->conninfo, f->schema, REFUND_ECORRUPT);
	raw_exec(f->raw, "DELETE FROM refund_meta");
	assert_open_refused(f->conninfo, f->schema, REFUND_ECORRUPT);
	raw_exec(f->raw, "INSERT INTO refund_meta VALUES ('schema_version', 1)");
	refund_store_free(open_store(f->conninfo));
	/* The version is right but a table is missing, or a column. */
	raw_exec(f->raw, "ALTER TABLE refund_records DROP COLUMN agent");
	assert_open_refused(f->conninfo, f->schema, REFUND_ECORRUPT);
	raw_exec(f->raw, "DROP TABLE refund_events");
	assert_open_refused(f->conninfo, f->schema, REFUND_ECORRUPT);

	assert_schema_refused("CREATE TABLE refund_records (x int)", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (x int)", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (key text, value bigint);"
			" INSERT INTO refund_meta VALUES ('schema_version', 1);"
			" CREATE TABLE refund_records (kind int, id text);"
			" CREATE TABLE refund_events (kind int, id text, seq bigint, at bigint,"
			" data bytea)", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (key text, value bigint);"
			" INSERT INTO refund_meta VALUES ('schema_version', 7)", REFUND_EVERSION);
}

/* ---- Lost connections -------------------------------------------------------------------------- */

/* Ends a store's server session, as a restart or an administrator would. */
static void terminate(refund_store *s)
{
	char sql[96];
	int pid = backend_of(s);
	int64_t start = now_ms();

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)", pid);
	raw_exec(admin, sql);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
	while (raw_int(admin, sql) != 0) {
		if (now_ms() - start > 10000)
			fail_msg("backend %d did not end", pid);
		sleep_ms(5);
	}
}

static void a_broken_connection_is_a_store_error(void **state)
{
	pg_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "two", 1);
	refund_store_filter filter = { NULL, NULL, NULL, "S", NULL, 0 };
	uint64_t version = 0;
	int pid, n = 0;

	sc_create_case(s, "C-1", "one", 1);
	/* Each call that meets the lost connection fails; the next reconnects. */
	pid = backend_of(s);
	terminate(s);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", sc_keep_version, &version),
			REFUND_ESTORE);
	assert_int_equal(version, 0);
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	assert_int_not_equal(backend_of(s), pid);
	terminate(s);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ESTORE);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records WHERE id = 'C-2'"),
			0);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	terminate(s);
	assert_int_equal(s->due(s, 10, 0, sc_count_due, &n), REFUND_ESTORE);
	assert_int_equal(s->due(s, 10, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 2);
	terminate(s);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "C-1", 1, sc_count_event, &n),
			REFUND_ESTORE);
	/* Reconnected, the lazily prepared scans are prepared again too. */
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &filter, sc_count_record, &n), 0);
	terminate(s);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &filter, sc_count_record, &n),
			REFUND_ESTORE);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &filter, sc_count_record, &n), 0);
	assert_int_equal(n, 2);
}

/* ---- A host's own connection ------------------------------------------------------------------- */

static void a_hosts_connection_is_shared_not_owned(void **state)
{
	pg_fixture *f = *state;
	refund_store *s = SENTINEL;
	PGconn *conn = raw_connect(f->conninfo);
	int pid = PQbackendPID(conn);

	raw_exec(conn, "SET client_encoding = 'LATIN1'");
	assert_int_equal(refund_pg_open_conn(&s, conn, NULL), REFUND_EINVAL);
	raw_exec(conn, "SET client_encoding = 'UTF8'");
	raw_exec(conn, "BEGIN");
	assert_int_equal(refund_pg_open_conn(&s, conn, NULL), REFUND_EINVAL);
	assert_ptr_equal(s, SENTINEL);
	raw_exec(conn, "ROLLBACK");
	assert_int_equal(refund_pg_open_conn(&s, conn, NULL), 0);
	assert_ptr_equal(refund_pg_conn(s), conn);
	sc_create_case(s, "C-1", "x", 9);
	/* A transaction the host left open is refused, not taken in. */
	raw_exec(conn, "BEGIN");
	{
		refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "y", 9);

		assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ESTORE);
	}
	raw_exec(conn, "ROLLBACK");
	/* Statements the host deallocated are prepared again. */
	raw_exec(conn, "DEALLOCATE ALL");
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	sc_create_case(s, "C-2", "y", 9);
	/* A second store on the same connection finds its statements there. */
	{
		refund_store *second = NULL;

		assert_int_equal(refund_pg_open_conn(&second, conn, NULL), 0);
		assert_int_equal(sc_version_of_case(second, "C-2"), 1);
		refund_store_free(second);
	}
	/* A lost connection is not reconnected behind the host's back... */
	terminate(s);
	assert_int_equal(sc_version_in(f->store, REFUND_RECORD_CASE, "C-1"), 1);
	{
		uint64_t version = 0;

		assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", sc_keep_version, &version),
				REFUND_ESTORE);
		assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", sc_keep_version, &version),
				REFUND_ESTORE);
	}
	/* ...but once the host resets it, the store prepares again and works. */
	PQreset(conn);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	assert_int_not_equal(PQbackendPID(conn), pid);
	assert_int_equal(sc_version_of_case(s, "C-2"), 1);
	refund_store_free(s);
	/* Freeing the store left the connection open and usable. */
	assert_int_equal(raw_int(conn, "SELECT count(*) FROM refund_records"), 2);
	PQfinish(conn);
}

/* ---- Choices beyond the contract ------------------------------------------------------------------ */

static int call_again(void *ctx, const refund_store_record *r)
{
	refund_store *s = ctx;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "x", 1);

	(void)r;
	/* The result was read whole: the connection is free for another call. */
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	assert_int_equal(sc_version_of_case(s, "C-2"), 1);
	return 7;
}

static void callbacks_may_call_the_store_again(void **state)
{
	pg_fixture *f = *state;

	sc_create_case(f->store, "C-1", "x", REFUND_NO_DEADLINE);
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_CASE, "C-1", call_again,
			f->store), 7);
	assert_int_equal(sc_version_of_case(f->store, "C-2"), 1);
}

static void malformed_batches_and_arguments_are_einval(void **state)
{
	pg_fixture *f = *state;

	sc_check_malformed_batches_are_einval(f->store, 1);
}

static void null_data_of_size_zero_is_empty(void **state)
{
	pg_fixture *f = *state;

	sc_check_null_data_of_size_zero_is_empty(f->store);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE data = ''::bytea"), 1);
}

static void event_seqs_are_contiguous(void **state)
{
	pg_fixture *f = *state;

	sc_check_event_seqs_are_contiguous(f->store);
}

static void versions_past_int64_conflict(void **state)
{
	pg_fixture *f = *state;

	sc_check_versions_past_int64_conflict(f->store);
}

static void no_deadline_is_null_and_never_due(void **state)
{
	pg_fixture *f = *state;
	int n = 0;

	sc_check_no_deadline_is_never_due(f->store);
	sc_create_case(f->store, "C-3", "x", INT64_MIN);
	assert_int_equal(f->store->due(f->store, REFUND_NO_DEADLINE, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(f->store->due(f->store, INT64_MIN, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records"
			" WHERE next_deadline IS NULL"), 1);
}

/* ---- An engine on the PostgreSQL store ------------------------------------------------------------- */

static refund_time at(const char *iso)
{
	refund_time t = 0;

	assert_int_equal(refund_time_parse(iso, &t), 0);
	return t;
}

static refund_act as(const char *actor, int role)
{
	refund_act a = REFUND_ACT_INIT;

	a.actor = actor;
	a.role = role;
	return a;
}

static void publish_policy(refund_engine *e)
{
	static const int64_t one_day[] = { 86400 };
	refund_policy *p = NULL;

	assert_int_equal(refund_policy_new(e, &p, "POS-STD", "CNY"), 0);
	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 730), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 0, 5000), 0);
	assert_int_equal(refund_policy_add_tier(p, 90, 0, 10000), 0);
	assert_int_equal(refund_policy_set_return_required(p, 1), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 2000), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, 3000), 0);
	assert_int_equal(refund_policy_set_fee(p, 500, 100, 500, 2000), 0);
	assert_int_equal(refund_policy_set_escalation(p,
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_ESCALATE, one_day, 1), 0);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	refund_policy_free(p);
}

static void create_deposit(refund_engine *e, const char *id)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_deposit *d = NULL;

	info.id = id;
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-00042";
	info.contract_id = "C-18";
	info.receipt = "收据 No. 88";
	info.amount = 50000;
	info.currency = "CNY";
	info.paid_at = at("2024-03-01T10:00:00+08:00");
	info.contract_end = at("2025-03-01T00:00:00+08:00");
	assert_int_equal(refund_deposit_create(e, &d, &info, "agent-7", REFUND_ROLE_AGENT), 0);
	assert_int_equal(refund_deposit_set_usage(d, 200, 0, "agent-7", REFUND_ROLE_AGENT), 0);
	refund_deposit_free(d);
}

static refund_case *case_under_review(refund_engine *e, const char *id)
{
	refund_act ap = as("M-1001", REFUND_ROLE_APPLICANT), rev = as("rev-1",
			REFUND_ROLE_REVIEWER);
	refund_account acc = REFUND_ACCOUNT_INIT;
	refund_case *c = NULL;

	acc.method = REFUND_PAYOUT_BANK;
	acc.name = "深圳市某某商贸有限公司";
	acc.number = "6222020200112233445";
	acc.bank = "中国工商银行深圳分行";
	assert_int_equal(refund_case_open(e, &c, id, "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "file:r.jpg"), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_PAYMENT_RECORD,
			"file:p.png"), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_FAULT_REPORT,
			"file:f.pdf"), 0);
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &rev), 0);
	return c;
}

static refund_tick_result tick(refund_engine *e, const char *iso)
{
	refund_tick_result res;

	memset(&res, 0, sizeof(res));
	res.version = REFUND_TICK_RESULT_VERSION;
	assert_int_equal(refund_engine_tick(e, at(iso), 0, &res), 0);
	return res;
}

static int count_case_events(void *ctx, const refund_event *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

/*
 * A case from application to close: the clerk's engine on one connection,
 * the deadline sweeper's on another (as two processes would be), then a
 * third connection that finds the whole story, its hash chain intact.
 */
static void a_case_lifecycle_through_the_engine(void **state)
{
	pg_fixture *f = *state;
	refund_time now = at("2025-06-02T09:00:00+08:00");     /* a Monday */
	refund_act rev = as("rev-1", REFUND_ROLE_REVIEWER), ag = as("agent-7", REFUND_ROLE_AGENT),
			fin = as("fin-1", REFUND_ROLE_FINANCE), ap = as("M-1001", REFUND_ROLE_APPLICANT);
	refund_store *sweeper_store = open_store(f->conninfo), *reader;
	refund_engine *clerk = sc_engine_on(f->store, &now), *sweeper = sc_engine_on(sweeper_store, &now);
	refund_tick_result res;
	refund_deposit *d = NULL;
	refund_case *c, *stale;
	uint64_t bad = 99;
	int events = 0;

	publish_policy(clerk);
	create_deposit(clerk, "D-1");
	c = case_under_review(clerk, "K-1");
	/* Review is due in two business days; the sweeper reminds, then escalates. */
	res = tick(sweeper, "2025-06-03T09:00:00+08:00");
	assert_int_equal(res.reminders, 1);
	res = tick(sweeper, "2025-06-04T09:00:00+08:00");
	assert_int_equal(res.consequences, 1);
	res = tick(sweeper, "2025-06-04T09:00:00+08:00");
	assert_int_equal(res.due, 0);
	/* The clerk's handle is stale now: the store says so. */
	now = at("2025-06-04T10:00:00+08:00");
	assert_int_equal(refund_case_approve(c, &rev, 49000), REFUND_ECONFLICT);
	stale = c;
	assert_int_equal(refund_case_load(clerk, &c, "K-1"), 0);
	refund_case_free(stale);
	assert_int_equal(refund_case_escalations(c),
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	assert_int_equal(refund_case_approve(c, &rev, 49000), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1234567890"), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "BANK-TX-1"), 0);
	assert_int_equal(refund_case_confirm(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	refund_case_free(c);
	refund_engine_free(sweeper);
	refund_store_free(sweeper_store);
	res = tick(clerk, "2026-01-01T00:00:00+08:00");
	assert_int_equal(res.due, 0);
	refund_engine_free(clerk);

	/* Everything is in the database: a new connection and engine see it all. */
	reader = open_store(f->conninfo);
	clerk = sc_engine_on(reader, &now);
	assert_int_equal(refund_case_load(clerk, &c, "K-1"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_int_equal(refund_case_verify(c, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(refund_case_events(c, count_case_events, &events), 0);
	assert_int_equal(events, 16);   /* 14 of the story, a reminder, an escalation */
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_events WHERE id = 'K-1'"),
			events);
	refund_case_free(c);
	assert_int_equal(refund_deposit_load(clerk, &d, "D-1"), 0);
	assert_string_equal(refund_deposit_receipt(d), "收据 No. 88");
	assert_null(refund_deposit_open_case(d));
	refund_deposit_free(d);
	refund_engine_free(clerk);
	refund_store_free(reader);
	/* The case's index fields are real columns; nothing is due any more. */
	assert_int_equal(raw_int(f->raw, "SELECT count(*) FROM refund_records WHERE kind = 2"
			" AND id = 'K-1' AND deposit_id = 'D-1' AND state IS NOT NULL"
			" AND next_deadline IS NULL"), 1);
}

int main(void)
{
	factory_ctx fc = { "" };
	store_contract_factory factory = { "postgres store contract", make_contract_store, &fc };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_init_fills_defaults),
		cmocka_unit_test(open_rejects_bad_arguments),
		cmocka_unit_test(an_unreachable_server_is_a_store_error),
		cmocka_unit_test_setup_teardown(data_persists_across_connections, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(a_second_connection_sees_commits, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(a_version_conflict_between_connections_is_detected,
				pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(concurrent_committers_lose_nothing, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(deadlocks_are_retried_then_busy, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(serialization_failures_are_retried_then_busy,
				pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(the_due_query_uses_its_index, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(no_query_scans_the_table, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(schema_is_created_once, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(newer_or_foreign_schemas_are_refused, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(a_broken_connection_is_a_store_error, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(a_hosts_connection_is_shared_not_owned, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(callbacks_may_call_the_store_again, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(malformed_batches_and_arguments_are_einval, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(null_data_of_size_zero_is_empty, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(event_seqs_are_contiguous, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(versions_past_int64_conflict, pg_setup, pg_teardown),
		cmocka_unit_test_setup_teardown(no_deadline_is_null_and_never_due, pg_setup,
				pg_teardown),
		cmocka_unit_test_setup_teardown(a_case_lifecycle_through_the_engine, pg_setup,
				pg_teardown),
	};
	int failed;

	server = getenv("REFUND_PG_CONNINFO");
	if (!server) {
		fprintf(stderr, "test_store_pg needs a server: run it through with_pg.sh,"
				" or set REFUND_PG_CONNINFO\n");
		return 1;
	}
	admin = PQconnectdb(server);
	if (PQstatus(admin) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect to %s: %s", server, PQerrorMessage(admin));
		PQfinish(admin);
		return 1;
	}
	raw_exec(admin, "SET client_min_messages = warning");
	failed = store_contract_run(&factory);
	if (fc.schema[0])
		drop_schema(fc.schema);
	failed += cmocka_run_group_tests_name("postgres store", tests, NULL, NULL);
	PQfinish(admin);
	return failed ? 1 : 0;
}
