/*
 * The SQLite store: the shared contract suite (the one the in-memory store
 * passes), then what only a database shows: files that persist and are
 * shared by connections, locks, schema versions, query plans, foreign files,
 * SQLite running out of memory, and an engine on top.
 *
 * SQLite's allocator is replaced (before anything opens) by a counting one
 * that can fail the k-th allocation, so out-of-memory paths are tested the
 * way failalloc tests the library's.
 */
#define _POSIX_C_SOURCE 200809L

#include "refund_sqlite.h"

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

/* ---- SQLite's allocator, counting and failing ------------------------------ */

/* Process-wide, as SQLite's allocator is; tests run one at a time. */
static struct {
	sqlite3_mem_methods real;
	long fail_at;       /* 1-based allocation to fail once armed; 0: none */
	long count;         /* allocations since armed */
	long failures;      /* failures injected since armed */
	long live;          /* blocks from xMalloc not yet freed */
} mem;

static int mem_should_fail(void)
{
	if (mem.fail_at && ++mem.count == mem.fail_at) {
		mem.failures++;
		return 1;
	}
	return 0;
}

static void *mem_malloc(int size)
{
	void *p = mem_should_fail() ? NULL : mem.real.xMalloc(size);

	if (p)
		mem.live++;
	return p;
}

static void mem_free(void *p)
{
	if (p)
		mem.live--;
	mem.real.xFree(p);
}

static void *mem_realloc(void *p, int size)
{
	return mem_should_fail() ? NULL : mem.real.xRealloc(p, size);
}

static int mem_size(void *p)
{
	return mem.real.xSize(p);
}

static int mem_roundup(int size)
{
	return mem.real.xRoundup(size);
}

static int mem_init(void *app)
{
	return mem.real.xInit(app);
}

static void mem_shutdown(void *app)
{
	mem.real.xShutdown(app);
}

static int install_counting_allocator(void)
{
	static sqlite3_mem_methods counting = { mem_malloc, mem_free, mem_realloc, mem_size,
			mem_roundup, mem_init, mem_shutdown, NULL };

	if (sqlite3_shutdown() != SQLITE_OK ||
			sqlite3_config(SQLITE_CONFIG_GETMALLOC, &mem.real) != SQLITE_OK)
		return -1;
	counting.pAppData = mem.real.pAppData;
	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &counting) != SQLITE_OK)
		return -1;
	return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

static void mem_arm(long k)
{
	mem.count = 0;
	mem.failures = 0;
	mem.fail_at = k;
}

static void mem_disarm(void)
{
	mem.fail_at = 0;
}

/* ---- Files ------------------------------------------------------------------- */

static char tmp_dir[64];
static unsigned path_counter;

static void new_path(char *out, size_t size)
{
	snprintf(out, size, "%s/db%u.sqlite", tmp_dir, ++path_counter);
}

static void remove_db(const char *path)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	char name[512];
	size_t i;

	for (i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, sides[i]);
		unlink(name);
	}
}

static void write_file(const char *path, const void *bytes, size_t size, long offset)
{
	FILE *f = fopen(path, offset < 0 ? "wb" : "r+b");

	assert_non_null(f);
	if (offset > 0)
		assert_int_equal(fseek(f, offset, SEEK_SET), 0);
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

/* The whole file (NUL-terminated); free() it. */
static char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	assert_non_null(f);
	assert_non_null(buf);
	*size = fread(buf, 1, (1 << 20) - 1, f);
	buf[*size] = '\0';
	fclose(f);
	return buf;
}

/* ---- Raw connections ----------------------------------------------------------- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			SQLITE_OPEN_FULLMUTEX, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
}

/* The first column of the first row as an integer (-999 if no row). */
static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -999;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Store helpers ------------------------------------------------------------- */

static refund_store *open_store(const char *path)
{
	refund_store *s = NULL;

	assert_int_equal(refund_sqlite_open(&s, path, NULL), 0);
	assert_non_null(s);
	return s;
}

/* A store on a fresh file, for the tests below. */
typedef struct sq_fixture {
	char path[256];
	refund_store *store;
} sq_fixture;

static int sq_setup(void **state)
{
	sq_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	new_path(f->path, sizeof(f->path));
	if (refund_sqlite_open(&f->store, f->path, NULL) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int sq_teardown(void **state)
{
	sq_fixture *f = *state;

	refund_store_free(f->store);
	remove_db(f->path);
	free(f);
	return 0;
}

/* ---- The contract: one suite, two stores ---------------------------------------- */

typedef struct factory_ctx {
	char path[256];
} factory_ctx;

/* Each test's store gets a new file; the previous one is gone by then. */
static int make_contract_store(void *ctx, refund_store **out)
{
	factory_ctx *fc = ctx;

	if (fc->path[0])
		remove_db(fc->path);
	new_path(fc->path, sizeof(fc->path));
	return refund_sqlite_open(out, fc->path, NULL);
}

/* ---- Arguments ---------------------------------------------------------------------- */

static void options_init_fills_defaults(void **state)
{
	refund_sqlite_options o;

	(void)state;
	memset(&o, 0x5a, sizeof(o));
	assert_int_equal(refund_sqlite_options_init(NULL, REFUND_SQLITE_OPTIONS_VERSION),
			REFUND_EINVAL);
	assert_int_equal(refund_sqlite_options_init(&o, REFUND_SQLITE_OPTIONS_VERSION + 1),
			REFUND_EVERSION);
	assert_int_equal(refund_sqlite_options_init(&o, 0), REFUND_EVERSION);
	assert_int_equal(o.busy_timeout_ms, 0x5a5a5a5a);
	assert_int_equal(refund_sqlite_options_init(&o, REFUND_SQLITE_OPTIONS_VERSION), 0);
	assert_int_equal(o.version, REFUND_SQLITE_OPTIONS_VERSION);
	assert_int_equal(o.busy_timeout_ms, 5000);
	assert_int_equal(o.synchronous_full, 0);
}

static void open_rejects_bad_arguments(void **state)
{
	refund_sqlite_options o = REFUND_SQLITE_OPTIONS_INIT;
	refund_store *s = SENTINEL;
	char path[256];

	(void)state;
	new_path(path, sizeof(path));
	assert_int_equal(refund_sqlite_open(NULL, path, NULL), REFUND_EINVAL);
	assert_int_equal(refund_sqlite_open(&s, NULL, NULL), REFUND_EINVAL);
	o.version = 2;
	assert_int_equal(refund_sqlite_open(&s, path, &o), REFUND_EVERSION);
	o.version = REFUND_SQLITE_OPTIONS_VERSION;
	o.busy_timeout_ms = -1;
	assert_int_equal(refund_sqlite_open(&s, path, &o), REFUND_EINVAL);
	o.busy_timeout_ms = 0;
	o.synchronous_full = 2;
	assert_int_equal(refund_sqlite_open(&s, path, &o), REFUND_EINVAL);
	o.synchronous_full = -1;
	assert_int_equal(refund_sqlite_open(&s, path, &o), REFUND_EINVAL);
	assert_ptr_equal(s, SENTINEL);
	/* Nothing was created either. */
	assert_int_equal(access(path, F_OK), -1);

	assert_int_equal(refund_sqlite_open_db(NULL, NULL), REFUND_EINVAL);
	assert_int_equal(refund_sqlite_open_db(&s, NULL), REFUND_EINVAL);
	assert_ptr_equal(s, SENTINEL);
	assert_null(refund_sqlite_db(NULL));
}

static void open_db_rejects_a_connection_in_a_transaction(void **state)
{
	refund_store *s = SENTINEL;
	char path[256];
	sqlite3 *db;

	(void)state;
	new_path(path, sizeof(path));
	db = raw_open(path);
	assert_int_equal(refund_sqlite_open_db(NULL, db), REFUND_EINVAL);
	raw_exec(db, "BEGIN");
	assert_int_equal(refund_sqlite_open_db(&s, db), REFUND_EINVAL);
	assert_ptr_equal(s, SENTINEL);
	raw_exec(db, "ROLLBACK");
	/* Nothing was created in it. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 0);
	sqlite3_close(db);
	remove_db(path);
}

static void unopenable_path_is_a_store_error(void **state)
{
	refund_store *s = SENTINEL;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/dir/db.sqlite", tmp_dir);
	assert_int_equal(refund_sqlite_open(&s, path, NULL), REFUND_ESTORE);
	assert_ptr_equal(s, SENTINEL);
	/* A directory is not a database file either. */
	assert_int_equal(refund_sqlite_open(&s, tmp_dir, NULL), REFUND_ESTORE);
	assert_ptr_equal(s, SENTINEL);
}

static void db_is_only_given_for_sqlite_stores(void **state)
{
	sq_fixture *f = *state;
	refund_store *mem_store = NULL;

	assert_non_null(refund_sqlite_db(f->store));
	assert_int_equal(refund_store_memory_new(&mem_store, NULL), 0);
	assert_null(refund_sqlite_db(mem_store));
	refund_store_free(mem_store);
}

/* ---- Files and connections ------------------------------------------------------------ */

static void data_persists_across_close_and_reopen(void **state)
{
	sq_fixture *f = *state;
	refund_store_put p = sc_put_text(REFUND_RECORD_DEPOSIT, "D-1", 0, "deposit", 500);
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
	f->store = open_store(f->path);

	sc_assert_dump_is(f->store, before);
	assert_int_equal(f->store->due(f->store, 1000, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	{
		refund_store_filter by_holder = { NULL, "H", NULL, NULL, NULL, 0 };

		assert_int_equal(f->store->scan(f->store, REFUND_RECORD_DEPOSIT, &by_holder,
				sc_count_record, &n), 0);
		assert_int_equal(n, 1);
	}
	free(before);
}

static void a_second_connection_sees_commits(void **state)
{
	sq_fixture *f = *state;
	refund_store *other = open_store(f->path);
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-1", 0, "one", 77);
	sqlite3 *raw;

	p.index.deposit_id = "D-9";
	p.index.state = "review";
	assert_int_equal(sc_commit(f->store, &p, 1, NULL, 0), 0);
	assert_int_equal(sc_version_of_case(other, "C-1"), 1);
	sc_create_case(other, "C-2", "two", REFUND_NO_DEADLINE);
	assert_int_equal(sc_version_of_case(f->store, "C-2"), 1);

	/* Real columns: what a host's own SQL sees. */
	raw = raw_open(f->path);
	assert_int_equal(raw_int(raw, "SELECT next_deadline FROM refund_records WHERE id = 'C-1'"),
			77);
	assert_int_equal(raw_int(raw, "SELECT count(*) FROM refund_records WHERE id = 'C-1'"
			" AND deposit_id = 'D-9' AND state = 'review' AND holder IS NULL"), 1);
	assert_int_equal(raw_int(raw, "SELECT count(*) FROM refund_records WHERE id = 'C-2'"
			" AND next_deadline IS NULL"), 1);
	sqlite3_close(raw);
	refund_store_free(other);
}

static void a_version_conflict_between_connections_is_detected(void **state)
{
	sq_fixture *f = *state;
	refund_store *other = open_store(f->path);
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

static void schema_is_created_once(void **state)
{
	sq_fixture *f = *state;
	int64_t cookie;
	sqlite3 *raw;

	sc_create_case(f->store, "C-1", "x", REFUND_NO_DEADLINE);
	refund_store_free(f->store);
	f->store = NULL;
	raw = raw_open(f->path);
	cookie = raw_int(raw, "PRAGMA schema_version");
	assert_true(cookie > 0);
	assert_int_equal(raw_int(raw, "SELECT value FROM refund_meta WHERE key = 'schema_version'"),
			REFUND_SQLITE_SCHEMA_VERSION);
	assert_int_equal(raw_int(raw, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
			" AND name LIKE 'refund_records_%'"), 5);
	/* Reopening reads the schema and changes none of it. */
	f->store = open_store(f->path);
	refund_store_free(f->store);
	f->store = open_store(f->path);
	assert_int_equal(raw_int(raw, "PRAGMA schema_version"), cookie);
	assert_int_equal(sc_version_of_case(f->store, "C-1"), 1);
	sqlite3_close(raw);
}

static void pragmas_follow_the_options(void **state)
{
	refund_sqlite_options o = REFUND_SQLITE_OPTIONS_INIT;
	refund_store *s = NULL;
	char path[256];
	sqlite3 *db;

	(void)state;
	new_path(path, sizeof(path));
	assert_int_equal(refund_sqlite_open(&s, path, NULL), 0);
	db = refund_sqlite_db(s);
	assert_int_equal(raw_int(db, "PRAGMA synchronous"), 1);    /* NORMAL */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_journal_mode"
			" WHERE journal_mode = 'wal'"), 1);
	refund_store_free(s);
	o.synchronous_full = 1;
	assert_int_equal(refund_sqlite_open(&s, path, &o), 0);
	assert_int_equal(raw_int(refund_sqlite_db(s), "PRAGMA synchronous"), 2);  /* FULL */
	refund_store_free(s);
	remove_db(path);
}

static void memory_database_works_without_wal(void **state)
{
	refund_store *s = NULL;

	(void)state;
	assert_int_equal(refund_sqlite_open(&s, ":memory:", NULL), 0);
	sc_create_case(s, "C-1", "x", 3);
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	refund_store_free(s);
}

/* ---- A host's own connection --------------------------------------------------------------- */

static void open_db_shares_the_hosts_connection(void **state)
{
	refund_store *s = SENTINEL;
	char path[256];
	sqlite3 *db;

	(void)state;
	new_path(path, sizeof(path));
	db = raw_open(path);
	raw_exec(db, "PRAGMA journal_mode = WAL; CREATE TABLE host_notes (note TEXT);"
			" INSERT INTO host_notes VALUES ('kept');");
	assert_int_equal(refund_sqlite_open_db(&s, db), 0);
	assert_ptr_equal(refund_sqlite_db(s), db);
	sc_create_case(s, "C-1", "x", 9);
	refund_store_free(s);
	/* Freeing the store left the connection open and usable. */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM host_notes"), 1);
	assert_int_equal(raw_int(db, "SELECT version FROM refund_records WHERE id = 'C-1'"), 1);
	/* The same file through refund_sqlite_open keeps the host's table. */
	s = open_store(path);
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	refund_store_free(s);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM host_notes"), 1);
	sqlite3_close(db);
	remove_db(path);
}

/* ---- Query plans ----------------------------------------------------------------------------- */

typedef struct plan_check {
	int statements;     /* SELECTs checked */
	int due_indexed;    /* the due query reads refund_records_due */
} plan_check;

static void check_plan(sqlite3 *db, const char *sql, plan_check *pc)
{
	char *explain = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	sqlite3_stmt *st = NULL;
	int rows = 0;

	assert_non_null(explain);
	assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		rows++;
		if (strncmp(detail, "SCAN", 4) == 0 || strstr(detail, "TEMP B-TREE"))
			fail_msg("%s\n  plans: %s", sql, detail);
		if (strstr(sql, "next_deadline <=") && strstr(detail, "refund_records_due"))
			pc->due_indexed = 1;
	}
	assert_true(rows > 0);
	sqlite3_finalize(st);
	sqlite3_free(explain);
	pc->statements++;
}

static void queries_never_scan(void **state)
{
	sq_fixture *f = *state;
	refund_store *s = f->store;
	sqlite3 *db = refund_sqlite_db(s);
	sqlite3_stmt *st = NULL;
	plan_check pc = { 0, 0 };
	unsigned variant;
	int n = 0;

	sc_create_case(s, "C-1", "x", 5);
	/* Use every statement, so each scan variant gets prepared. */
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "C-1", 1, sc_count_event, &n), 0);
	assert_int_equal(s->due(s, 10, 5, sc_count_due, &n), 0);
	for (variant = 0; variant < 32; variant++) {
		refund_store_filter filter = { NULL, NULL, NULL, NULL, NULL, 3 };

		filter.deposit_id = variant & 1 ? "D" : NULL;
		filter.holder = variant & 2 ? "H" : NULL;
		filter.agent = variant & 4 ? "A" : NULL;
		filter.state = variant & 8 ? "S" : NULL;
		filter.after_id = variant & 16 ? "B" : NULL;
		assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &filter, sc_count_record, &n), 0);
	}
	while ((st = sqlite3_next_stmt(db, st)) != NULL)
		if (strncmp(sqlite3_sql(st), "SELECT", 6) == 0)
			check_plan(db, sqlite3_sql(st), &pc);
	/* load, the last event seq, events, due and 32 scans. */
	assert_int_equal(pc.statements, 36);
	assert_true(pc.due_indexed);
}

/* ---- Busy databases ------------------------------------------------------------------------- */

static void busy_commit_waits_then_reports_ebusy(void **state)
{
	refund_sqlite_options o = REFUND_SQLITE_OPTIONS_INIT;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "blocked", 5);
	refund_store *s = NULL;
	char path[256], *before;
	int64_t start, waited;
	sqlite3 *holder;

	(void)state;
	new_path(path, sizeof(path));
	o.busy_timeout_ms = 300;
	assert_int_equal(refund_sqlite_open(&s, path, &o), 0);
	sc_create_case(s, "C-1", "one", REFUND_NO_DEADLINE);
	before = sc_dump_of(s);
	holder = raw_open(path);
	raw_exec(holder, "BEGIN IMMEDIATE");

	start = now_ms();
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_EBUSY);
	waited = now_ms() - start;
	assert_true(waited >= 250);
	assert_true(waited < 5000);
	/* Readers do not wait for the writer (WAL). */
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
	sc_assert_dump_is(s, before);
	/* A second attempt may succeed once the lock is gone. */
	raw_exec(holder, "ROLLBACK");
	sc_assert_dump_is(s, before);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	assert_int_equal(sc_version_of_case(s, "C-2"), 1);

	/* With no timeout there is no wait at all. */
	refund_store_free(s);
	o.busy_timeout_ms = 0;
	assert_int_equal(refund_sqlite_open(&s, path, &o), 0);
	raw_exec(holder, "BEGIN IMMEDIATE");
	start = now_ms();
	p = sc_put_text(REFUND_RECORD_CASE, "C-3", 0, "blocked", 5);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_EBUSY);
	assert_true(now_ms() - start < 200);
	raw_exec(holder, "ROLLBACK");
	assert_int_equal(sc_version_of_case(s, "C-3"), 0);
	sqlite3_close(holder);
	refund_store_free(s);
	free(before);
	remove_db(path);
}

static void busy_open_is_ebusy_only_when_the_schema_must_be_written(void **state)
{
	refund_sqlite_options o = REFUND_SQLITE_OPTIONS_INIT;
	refund_store *s = SENTINEL;
	char path[256];
	sqlite3 *holder;

	(void)state;
	new_path(path, sizeof(path));
	holder = raw_open(path);
	raw_exec(holder, "PRAGMA journal_mode = WAL; CREATE TABLE host_notes (note TEXT);");
	raw_exec(holder, "BEGIN IMMEDIATE");
	o.busy_timeout_ms = 100;
	assert_int_equal(refund_sqlite_open(&s, path, &o), REFUND_EBUSY);
	assert_ptr_equal(s, SENTINEL);
	raw_exec(holder, "ROLLBACK");
	assert_int_equal(raw_int(holder, "SELECT count(*) FROM sqlite_master"
			" WHERE name LIKE 'refund_%'"), 0);

	/* Once the schema exists, opening only reads: a writer elsewhere is fine. */
	s = open_store(path);
	refund_store_free(s);
	raw_exec(holder, "BEGIN IMMEDIATE");
	assert_int_equal(refund_sqlite_open(&s, path, &o), 0);
	assert_int_equal(sc_version_of_case(s, "C-1"), 0);
	raw_exec(holder, "ROLLBACK");
	refund_store_free(s);
	sqlite3_close(holder);
	remove_db(path);
}

/* ---- Foreign and damaged files ---------------------------------------------------------------- */

static void assert_open_refused(const char *path, int code)
{
	refund_store *s = SENTINEL;

	assert_int_equal(refund_sqlite_open(&s, path, NULL), code);
	assert_ptr_equal(s, SENTINEL);
}

static void a_file_that_is_not_a_database_is_refused_untouched(void **state)
{
	static const char text[] = "date,amount\n2024-01-01,500.00\n"
			"this is a CSV file that someone passed as --db by mistake, long enough"
			" to fill a SQLite header and then some more bytes\n";
	char path[256], *after;
	size_t size;

	(void)state;
	new_path(path, sizeof(path));
	write_file(path, text, sizeof(text) - 1, -1);
	assert_open_refused(path, REFUND_ECORRUPT);
	after = read_file(path, &size);
	assert_int_equal(size, sizeof(text) - 1);
	assert_string_equal(after, text);
	free(after);
	/* A short one too. */
	write_file(path, "hello", 5, -1);
	assert_open_refused(path, REFUND_ECORRUPT);
	remove_db(path);
}

static void a_damaged_database_is_refused(void **state)
{
	static const unsigned char garbage[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char path[256];
	refund_store *s;

	(void)state;
	new_path(path, sizeof(path));
	s = open_store(path);
	sc_create_case(s, "C-1", "x", 1);
	refund_store_free(s);
	/* Page 1's b-tree header (the schema table) starts at offset 100. */
	write_file(path, garbage, sizeof(garbage), 100);
	assert_open_refused(path, REFUND_ECORRUPT);
	remove_db(path);
}

/* A database whose refund_ tables were made by hand with @p sql. */
static void assert_schema_refused(const char *sql, int code)
{
	char path[256];
	sqlite3 *db;
	int64_t cookie;

	new_path(path, sizeof(path));
	db = raw_open(path);
	raw_exec(db, sql);
	cookie = raw_int(db, "PRAGMA schema_version");
	assert_open_refused(path, code);
	/* Refused means untouched: no table was added. */
	assert_int_equal(raw_int(db, "PRAGMA schema_version"), cookie);
	sqlite3_close(db);
	remove_db(path);
}

static void foreign_or_newer_schemas_are_refused(void **state)
{
	char path[256];
	refund_store *s;
	sqlite3 *raw;

	(void)state;
	/* A newer schema, written by a later version of this code. */
	new_path(path, sizeof(path));
	s = open_store(path);
	refund_store_free(s);
	raw = raw_open(path);
	raw_exec(raw, "UPDATE refund_meta SET value = 2 WHERE key = 'schema_version'");
	assert_open_refused(path, REFUND_EVERSION);
	raw_exec(raw, "UPDATE refund_meta SET value = 'one' WHERE key = 'schema_version'");
	assert_open_refused(path, REFUND_ECORRUPT);
	raw_exec(raw, "UPDATE refund_meta SET value = 0 WHERE key = 'schema_version'");
	assert_open_refused(path, REFUND_ECORRUPT);
	raw_exec(raw, "DELETE FROM refund_meta");
	assert_open_refused(path, REFUND_ECORRUPT);
	raw_exec(raw, "INSERT INTO refund_meta VALUES ('schema_version', 1)");
	s = open_store(path);
	refund_store_free(s);
	/* The version is right but a table is missing. */
	raw_exec(raw, "DROP TABLE refund_events");
	assert_open_refused(path, REFUND_ECORRUPT);
	sqlite3_close(raw);
	remove_db(path);

	assert_schema_refused("CREATE TABLE refund_records (x);", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (x);", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (key, value);"
			" INSERT INTO refund_meta VALUES ('schema_version', 1);"
			" CREATE TABLE refund_records (kind, id);"
			" CREATE TABLE refund_events (kind, id, seq, at, data);", REFUND_ECORRUPT);
	assert_schema_refused("CREATE TABLE refund_meta (key, value);"
			" INSERT INTO refund_meta VALUES ('schema_version', 7);", REFUND_EVERSION);
}

/* ---- Choices beyond the contract --------------------------------------------------------------- */

static int call_again(void *ctx, const refund_store_record *r)
{
	refund_store *s = ctx;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "x", 1);
	uint64_t version = 0;
	int n = 0;

	(void)r;
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", sc_keep_version, &version),
			REFUND_ESTORE);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ESTORE);
	assert_int_equal(s->due(s, 10, 0, sc_count_due, &n), REFUND_ESTORE);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), REFUND_ESTORE);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "C-1", 0, sc_count_event, &n),
			REFUND_ESTORE);
	return 7;
}

static void callbacks_calling_back_get_estore(void **state)
{
	sq_fixture *f = *state;

	sc_create_case(f->store, "C-1", "x", REFUND_NO_DEADLINE);
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_CASE, "C-1", call_again,
			f->store), 7);
	assert_int_equal(f->store->scan(f->store, REFUND_RECORD_CASE, NULL, call_again,
			f->store), 7);
	/* Afterwards the store works as before. */
	assert_int_equal(sc_version_of_case(f->store, "C-1"), 1);
	assert_int_equal(sc_version_of_case(f->store, "C-2"), 0);
}

static void malformed_batches_and_arguments_are_einval(void **state)
{
	sq_fixture *f = *state;

	sc_check_malformed_batches_are_einval(f->store, 0);
}

static void null_data_of_size_zero_is_empty(void **state)
{
	sq_fixture *f = *state;

	sc_check_null_data_of_size_zero_is_empty(f->store);
}

static void event_seqs_are_contiguous(void **state)
{
	sq_fixture *f = *state;

	sc_check_event_seqs_are_contiguous(f->store);
}

static void versions_past_int64_conflict(void **state)
{
	sq_fixture *f = *state;

	sc_check_versions_past_int64_conflict(f->store);
}

static void no_deadline_is_null_and_never_due(void **state)
{
	sq_fixture *f = *state;

	sc_check_no_deadline_is_never_due(f->store);
	assert_int_equal(raw_int(refund_sqlite_db(f->store), "SELECT count(*) FROM"
			" refund_records WHERE next_deadline IS NULL"), 1);
}

/* ---- Out of memory ---------------------------------------------------------------------------------- */

/* Live SQLite blocks with nothing open (SQLite keeps a few globals once used). */
static long settled_live(void)
{
	char path[256];
	refund_store *s;

	new_path(path, sizeof(path));
	s = open_store(path);
	sc_create_case(s, "warm", "x", 1);
	refund_store_free(s);
	remove_db(path);
	return mem.live;
}

static void open_fails_cleanly_without_memory(void **state)
{
	long k, baseline = settled_live();
	char path[256], *empty;
	refund_store *fresh;
	int failed = 0;

	(void)state;
	assert_int_equal(refund_sqlite_open(&fresh, ":memory:", NULL), 0);
	empty = sc_dump_of(fresh);
	refund_store_free(fresh);
	for (k = 1; k < 100000; k++) {
		refund_store *s = SENTINEL;
		int rc;

		new_path(path, sizeof(path));
		mem_arm(k);
		rc = refund_sqlite_open(&s, path, NULL);
		mem_disarm();
		if (rc == 0) {
			refund_store_free(s);
		} else {
			assert_int_equal(rc, REFUND_ENOMEM);
			assert_ptr_equal(s, SENTINEL);
			failed++;
			/* Whatever was left of the file opens as an empty store. */
			s = open_store(path);
			sc_assert_dump_is(s, empty);
			refund_store_free(s);
		}
		assert_int_equal(mem.live, baseline);
		remove_db(path);
		if (mem.failures == 0)
			break;
	}
	assert_true(failed > 10);
	free(empty);
}

static void seed(refund_store *s)
{
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "A", 1, "a1");

	sc_create_case(s, "A", "a", 10);
	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
}

static int big_commit(refund_store *s)
{
	refund_store_put puts[3];
	refund_store_event ev[2];

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "a2", 20);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "B", 0, "b1", 5);
	puts[2] = sc_put_text(REFUND_RECORD_DEPOSIT, "A", 0, "d1", REFUND_NO_DEADLINE);
	puts[1].index.holder = "H";
	ev[0] = sc_event_text(REFUND_RECORD_CASE, "A", 2, "a2");
	ev[1] = sc_event_text(REFUND_RECORD_CASE, "B", 1, "b1");
	return sc_commit(s, puts, 3, ev, 2);
}

static void commit_fails_cleanly_without_memory(void **state)
{
	long k, baseline = settled_live();
	char path[256], *before, *after;
	refund_store *s;
	int failed = 0;

	(void)state;
	new_path(path, sizeof(path));
	s = open_store(path);
	seed(s);
	before = sc_dump_of(s);
	assert_int_equal(big_commit(s), 0);
	after = sc_dump_of(s);
	refund_store_free(s);
	remove_db(path);

	for (k = 1; k < 100000; k++) {
		int rc;

		new_path(path, sizeof(path));
		s = open_store(path);
		seed(s);
		mem_arm(k);
		rc = big_commit(s);
		mem_disarm();
		if (rc == 0) {
			sc_assert_dump_is(s, after);
		} else {
			assert_int_equal(rc, REFUND_ENOMEM);
			sc_assert_dump_is(s, before);
			failed++;
			/* The store is usable after the failure. */
			assert_int_equal(big_commit(s), 0);
			sc_assert_dump_is(s, after);
		}
		refund_store_free(s);
		assert_int_equal(mem.live, baseline);
		remove_db(path);
		if (mem.failures == 0)
			break;
	}
	assert_true(failed > 3);
	free(before);
	free(after);
}

/* Every read once; 0 if all succeeded with the right answers, else the first error. */
static int read_everything(refund_store *s)
{
	refund_store_filter by_holder = { NULL, "H", NULL, NULL, NULL, 0 };
	uint64_t version = 0;
	int n = 0, rc;

	if ((rc = s->load(s, REFUND_RECORD_CASE, "B", sc_keep_version, &version)) != 0)
		return rc;
	assert_int_equal(version, 1);
	if ((rc = s->events(s, REFUND_RECORD_CASE, "A", 1, sc_count_event, &n)) != 0)
		return rc;
	assert_int_equal(n, 2);
	n = 0;
	if ((rc = s->due(s, 100, 0, sc_count_due, &n)) != 0)
		return rc;
	assert_int_equal(n, 2);
	n = 0;
	if ((rc = s->scan(s, REFUND_RECORD_CASE, &by_holder, sc_count_record, &n)) != 0)
		return rc;
	assert_int_equal(n, 1);
	return 0;
}

static void reads_fail_cleanly_without_memory(void **state)
{
	long k, baseline = settled_live();
	char path[256];
	int failed = 0;

	(void)state;
	for (k = 1; k < 100000; k++) {
		refund_store *s;
		int rc;

		new_path(path, sizeof(path));
		s = open_store(path);
		seed(s);
		assert_int_equal(big_commit(s), 0);
		refund_store_free(s);
		/* Fresh caches, so the reads themselves allocate. */
		s = open_store(path);
		mem_arm(k);
		rc = read_everything(s);
		mem_disarm();
		if (rc != 0) {
			assert_int_equal(rc, REFUND_ENOMEM);
			failed++;
			assert_int_equal(read_everything(s), 0);
		}
		refund_store_free(s);
		assert_int_equal(mem.live, baseline);
		remove_db(path);
		if (mem.failures == 0)
			break;
	}
	assert_true(failed > 3);
}

/* ---- Threads and processes' connections ------------------------------------------------------------ */

#define THREADS 4
#define INCREMENTS 50

typedef struct worker {
	refund_store *store;
	int conflicts;
	int rc;
} worker;

/* Read-modify-write of one shared counter, retrying on conflicts. */
static void *increment_counter(void *arg)
{
	worker *w = arg;
	int i;

	for (i = 0; i < INCREMENTS && w->rc == 0; i++) {
		int rc;

		do {
			uint64_t version = 0;
			refund_store_put p;

			rc = w->store->load(w->store, REFUND_RECORD_META, "counter", sc_keep_version,
					&version);
			if (rc != 0)
				break;
			p = sc_put_text(REFUND_RECORD_META, "counter", version, "n", REFUND_NO_DEADLINE);
			rc = sc_commit(w->store, &p, 1, NULL, 0);
			if (rc == REFUND_ECONFLICT || rc == REFUND_EBUSY)
				w->conflicts++;
		} while (rc == REFUND_ECONFLICT || rc == REFUND_EBUSY);
		w->rc = rc;
	}
	return NULL;
}

static void run_workers(refund_store **stores, refund_store *check)
{
	pthread_t threads[THREADS];
	worker workers[THREADS];
	uint64_t before = 0, after = 0;
	int i;

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
	}
	assert_int_equal(check->load(check, REFUND_RECORD_META, "counter", sc_keep_version,
			&after), 0);
	/* No increment was lost. */
	assert_int_equal(after, before + THREADS * INCREMENTS);
}

static void threads_share_a_store_and_a_file(void **state)
{
	sq_fixture *f = *state;
	refund_store_put p = sc_put_text(REFUND_RECORD_META, "counter", 0, "n", REFUND_NO_DEADLINE);
	refund_store *stores[THREADS];
	int i;

	assert_int_equal(sc_commit(f->store, &p, 1, NULL, 0), 0);
	/* One store shared by every thread (its connection's mutex)... */
	for (i = 0; i < THREADS; i++)
		stores[i] = f->store;
	run_workers(stores, f->store);
	/* ...and one connection per thread (SQLite's file locks and busy waits). */
	for (i = 0; i < THREADS; i++)
		stores[i] = open_store(f->path);
	run_workers(stores, f->store);
	for (i = 0; i < THREADS; i++)
		refund_store_free(stores[i]);
}

/* ---- An engine on the SQLite store ------------------------------------------------------------------- */

static void create_deposit(refund_engine *e, const char *id, const char *holder)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;

	info.id = id;
	info.holder = holder;
	info.agent = "AG-7";
	info.terminal_serial = "SN-1";
	info.receipt = "收据 No. 88";
	info.amount = 50000;
	info.currency = "CNY";
	info.paid_at = 1704067200;
	assert_int_equal(refund_deposit_create(e, NULL, &info, "clerk", REFUND_ROLE_AGENT), 0);
}

static int collect_ids(void *ctx, const refund_deposit *d)
{
	char *text = ctx;
	size_t len = strlen(text);

	snprintf(text + len, 256 - len, "%s%s", len ? " " : "", refund_deposit_id(d));
	return 0;
}

static void deposits_through_the_engine(void **state)
{
	sq_fixture *f = *state;
	refund_deposit_filter filter = REFUND_DEPOSIT_FILTER_INIT;
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	refund_time now = 1735689600;
	refund_deposit *d = NULL, *stale = NULL;
	refund_engine *e = sc_engine_on(f->store, &now), *e2;
	refund_store *other;
	char ids[256] = "";

	create_deposit(e, "D-2", "M-1");
	create_deposit(e, "D-1", "M-1");
	create_deposit(e, "D-3", "M-2");
	{
		refund_deposit_info again = REFUND_DEPOSIT_INFO_INIT;

		again.id = "D-1";
		again.holder = "M-9";
		again.agent = "AG";
		again.terminal_serial = "SN";
		again.amount = 1;
		again.currency = "CNY";
		again.paid_at = 1704067200;
		assert_int_equal(refund_deposit_create(e, NULL, &again, "clerk", REFUND_ROLE_AGENT),
				REFUND_EEXISTS);
	}
	filter.holder = "M-1";
	assert_int_equal(refund_deposit_list(e, &filter, collect_ids, ids), 0);
	assert_string_equal(ids, "D-1 D-2");
	ids[0] = '\0';
	assert_int_equal(refund_deposit_list(e, NULL, collect_ids, ids), 0);
	assert_string_equal(ids, "D-1 D-2 D-3");

	/* Post through one engine; a second connection's stale handle conflicts. */
	other = open_store(f->path);
	e2 = sc_engine_on(other, &now);
	assert_int_equal(refund_deposit_load(e2, &stale, "D-1"), 0);
	assert_int_equal(refund_deposit_load(e, &d, "D-1"), 0);
	assert_string_equal(refund_deposit_receipt(d), "收据 No. 88");
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 20000, "fin",
			REFUND_ROLE_FINANCE, "bank 1"), 0);
	assert_int_equal(refund_deposit_post(stale, REFUND_ENTRY_REFUND, 40000, "fin",
			REFUND_ROLE_FINANCE, "bank 2"), REFUND_ECONFLICT);
	assert_int_equal(refund_deposit_version(stale), 1);
	refund_deposit_free(stale);
	assert_int_equal(refund_deposit_load(e2, &stale, "D-1"), 0);
	assert_int_equal(refund_deposit_version(stale), 2);
	assert_int_equal(refund_deposit_post(stale, REFUND_ENTRY_REFUND, 40000, "fin",
			REFUND_ROLE_FINANCE, "bank 2"), REFUND_EBALANCE);
	refund_deposit_free(stale);
	refund_deposit_free(d);
	refund_engine_free(e2);
	refund_store_free(other);

	/* Everything is on disk: a new store and engine see it. */
	refund_engine_free(e);
	refund_store_free(f->store);
	f->store = open_store(f->path);
	e = sc_engine_on(f->store, &now);
	assert_int_equal(refund_deposit_load(e, &d, "D-1"), 0);
	assert_int_equal(refund_deposit_version(d), 2);
	assert_int_equal(refund_deposit_entry_count(d), 2);
	assert_int_equal(refund_deposit_balance(d, &b), 0);
	assert_int_equal(b.held, 50000);
	assert_int_equal(b.refunded, 20000);
	assert_int_equal(b.remaining, 30000);
	refund_deposit_free(d);
	assert_int_equal(refund_deposit_load(e, &d, "D-404"), REFUND_ENOTFOUND);
	refund_engine_free(e);
}

int main(void)
{
	factory_ctx fc = { "" };
	store_contract_factory factory = { "sqlite store contract", make_contract_store, &fc };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_init_fills_defaults),
		cmocka_unit_test(open_rejects_bad_arguments),
		cmocka_unit_test(open_db_rejects_a_connection_in_a_transaction),
		cmocka_unit_test(unopenable_path_is_a_store_error),
		cmocka_unit_test_setup_teardown(db_is_only_given_for_sqlite_stores, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(data_persists_across_close_and_reopen, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(a_second_connection_sees_commits, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(a_version_conflict_between_connections_is_detected,
				sq_setup, sq_teardown),
		cmocka_unit_test_setup_teardown(schema_is_created_once, sq_setup, sq_teardown),
		cmocka_unit_test(pragmas_follow_the_options),
		cmocka_unit_test(memory_database_works_without_wal),
		cmocka_unit_test(open_db_shares_the_hosts_connection),
		cmocka_unit_test_setup_teardown(queries_never_scan, sq_setup, sq_teardown),
		cmocka_unit_test(busy_commit_waits_then_reports_ebusy),
		cmocka_unit_test(busy_open_is_ebusy_only_when_the_schema_must_be_written),
		cmocka_unit_test(a_file_that_is_not_a_database_is_refused_untouched),
		cmocka_unit_test(a_damaged_database_is_refused),
		cmocka_unit_test(foreign_or_newer_schemas_are_refused),
		cmocka_unit_test_setup_teardown(callbacks_calling_back_get_estore, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(malformed_batches_and_arguments_are_einval, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(null_data_of_size_zero_is_empty, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(event_seqs_are_contiguous, sq_setup, sq_teardown),
		cmocka_unit_test_setup_teardown(versions_past_int64_conflict, sq_setup, sq_teardown),
		cmocka_unit_test_setup_teardown(no_deadline_is_null_and_never_due, sq_setup,
				sq_teardown),
		cmocka_unit_test(open_fails_cleanly_without_memory),
		cmocka_unit_test(commit_fails_cleanly_without_memory),
		cmocka_unit_test(reads_fail_cleanly_without_memory),
		cmocka_unit_test_setup_teardown(threads_share_a_store_and_a_file, sq_setup,
				sq_teardown),
		cmocka_unit_test_setup_teardown(deposits_through_the_engine, sq_setup, sq_teardown),
	};
	int failed;

	/*
	 * tmpfs when there is one: its fsync costs nothing, and the
	 * out-of-memory loops open and close thousands of databases.
	 */
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/refund-sqlite-test-XXXXXX",
			access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(tmp_dir) || install_counting_allocator() != 0) {
		fprintf(stderr, "cannot set up %s or SQLite's allocator\n", tmp_dir);
		return 1;
	}
	failed = store_contract_run(&factory);
	if (fc.path[0])
		remove_db(fc.path);
	failed += cmocka_run_group_tests_name("sqlite store", tests, NULL, NULL);
	rmdir(tmp_dir);
	return failed ? 1 : 0;
}
