/*
 * How fast the SQLite store is: commits 100,000 records in batches, then
 * times loads, `due` queries and updates on a temporary database.
 *
 *   bench_sqlite [RECORDS [BATCH]]
 *
 * The database is made in $TMPDIR (default /tmp) and removed at the end.
 * Prints ns per operation (integers: no floating point in this project).
 */
#define _POSIX_C_SOURCE 200809L

#include "refund_sqlite.h"

#include <refund/sys/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ID_SIZE 24
#define DATA_SIZE 300
#define DUE_QUERIES 2000
#define DUE_LIMIT 100
#define LOADS 20000
#define UPDATES 5000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void report(const char *what, long ops, int64_t ns)
{
	printf("%-40s %8ld ops %12lld ns/op\n", what, ops,
			(long long)(ops ? ns / ops : 0));
}

static int count_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	(void)kind;
	(void)id;
	(void)deadline;
	(*(long *)ctx)++;
	return 0;
}

static int keep_version(void *ctx, const refund_store_record *r)
{
	*(uint64_t *)ctx = r->version;
	return 0;
}

/* One record's put: id in ids[i], bytes in data, a deadline 1 in 8 absent. */
static refund_store_put make_put(char (*ids)[ID_SIZE], size_t i, const unsigned char *data,
		uint64_t expected, uint64_t *x)
{
	refund_store_put p;
	uint64_t r = next_random(x);

	memset(&p, 0, sizeof(p));
	p.kind = REFUND_RECORD_CASE;
	p.id = ids[i];
	p.expected_version = expected;
	p.data = data;
	p.size = DATA_SIZE;
	p.index.deposit_id = ids[i];
	p.index.holder = "M-1001";
	p.index.state = "review";
	p.index.next_deadline = r % 8 == 0 ? REFUND_NO_DEADLINE : (refund_time)(r >> 8) % 1000000;
	return p;
}

static int insert_all(refund_store *s, char (*ids)[ID_SIZE], size_t records, size_t batch,
		const unsigned char *data, uint64_t *x)
{
	refund_store_put *puts = calloc(batch, sizeof(*puts));
	size_t i, n;
	int64_t start = now_ns();
	int rc = 0;

	if (!puts)
		return REFUND_ENOMEM;
	for (i = 0; i < records && rc == 0; i += n) {
		refund_store_batch b = { puts, 0, NULL, 0 };

		for (n = 0; n < batch && i + n < records; n++)
			puts[n] = make_put(ids, i + n, data, 0, x);
		b.nputs = n;
		rc = s->commit(s, &b);
	}
	report("commit (per record, batched)", (long)records, now_ns() - start);
	free(puts);
	return rc;
}

static int time_due(refund_store *s, uint64_t *x)
{
	long found = 0;
	int64_t start = now_ns();
	int i, rc = 0;

	for (i = 0; i < DUE_QUERIES && rc == 0; i++)
		rc = s->due(s, (refund_time)(next_random(x) % 1000000), DUE_LIMIT, count_due, &found);
	report("due (limit 100)", DUE_QUERIES, now_ns() - start);
	report("due (per record returned)", found, now_ns() - start);
	return rc;
}

static int time_loads(refund_store *s, char (*ids)[ID_SIZE], size_t records, uint64_t *x)
{
	uint64_t version = 0;
	int64_t start = now_ns();
	int i, rc = 0;

	for (i = 0; i < LOADS && rc == 0; i++)
		rc = s->load(s, REFUND_RECORD_CASE, ids[next_random(x) % records], keep_version,
				&version);
	report("load", LOADS, now_ns() - start);
	return rc;
}

static int time_updates(refund_store *s, char (*ids)[ID_SIZE], size_t records,
		const unsigned char *data, uint64_t *x)
{
	int64_t start = now_ns();
	int i, rc = 0;

	for (i = 0; i < UPDATES && rc == 0; i++) {
		size_t k = next_random(x) % records;
		uint64_t version = 0;
		refund_store_put p;
		refund_store_batch b = { &p, 1, NULL, 0 };

		rc = s->load(s, REFUND_RECORD_CASE, ids[k], keep_version, &version);
		p = make_put(ids, k, data, version, x);
		if (rc == 0)
			rc = s->commit(s, &b);
	}
	report("load + update (one commit each)", UPDATES, now_ns() - start);
	return rc;
}

static int bench(const char *path, size_t records, size_t batch)
{
	char (*ids)[ID_SIZE] = calloc(records, sizeof(*ids));
	unsigned char data[DATA_SIZE];
	refund_store *s = NULL;
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i;
	int rc;

	if (!ids)
		return REFUND_ENOMEM;
	for (i = 0; i < records; i++)
		snprintf(ids[i], ID_SIZE, "C-%08zu", i);
	for (i = 0; i < DATA_SIZE; i++)
		data[i] = (unsigned char)('a' + i % 26);
	rc = refund_sqlite_open(&s, path, NULL);
	if (rc == 0)
		rc = insert_all(s, ids, records, batch, data, &x);
	if (rc == 0)
		rc = time_due(s, &x);
	if (rc == 0)
		rc = time_loads(s, ids, records, &x);
	if (rc == 0)
		rc = time_updates(s, ids, records, data, &x);
	refund_store_free(s);
	free(ids);
	return rc;
}

static void remove_database(const char *path)
{
	char side[4300];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], path[4200];
	long records = argc > 1 ? atol(argv[1]) : 100000;
	long batch = argc > 2 ? atol(argv[2]) : 1000;
	int rc;

	if (records < 1 || batch < 1) {
		fprintf(stderr, "usage: %s [RECORDS [BATCH]]\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/refund-bench-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	printf("SQLite %s, %ld records in batches of %ld\n", sqlite3_libversion(), records,
			batch);
	rc = bench(path, (size_t)records, (size_t)batch);
	remove_database(path);
	rmdir(dir);
	if (rc != 0) {
		fprintf(stderr, "bench failed: %s\n", refund_error_name(rc));
		return 1;
	}
	return 0;
}
