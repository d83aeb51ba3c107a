/*
 * Benchmark of the in-memory store: inserts, updates (with and without a new
 * deadline), loads and due queries on a million records.  Built with the project (bench/README.md):
 *
 *   ninja -C build bench/bench_store_memory && ./build/bench/bench_store_memory
 *
 * or alone:
 *
 *   cc -O2 -Iinclude -Isrc bench/bench_store_memory.c src/store_memory.c \
 *      src/store.c src/alloc.c -lpthread -o bench_store_memory
 *   ./bench_store_memory [records]
 */
#define _POSIX_C_SOURCE 200809L

#include <refund/store.h>
#include <refund/sys/store.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEADLINE_SPAN 1000000000

typedef struct bench_record {
	char id[16];
	uint64_t version;
	refund_time deadline;
} bench_record;

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report(const char *what, long long ns, long long ops)
{
	printf("%-44s %10lld ops %12lld ns total %8lld ns/op\n", what, ops, ns,
			ops ? ns / ops : 0);
}

static int count_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	(void)kind;
	(void)id;
	(void)deadline;
	(*(long long *)ctx)++;
	return 0;
}

static int keep_size(void *ctx, const refund_store_record *r)
{
	*(long long *)ctx += (long long)r->size;
	return 0;
}

static void put(refund_store *s, bench_record *r, refund_time deadline)
{
	static const char body[] = "{\"v\":1,\"state\":\"open\",\"amount\":\"100.00 CNY\"}";
	refund_store_put p;
	refund_store_batch b;

	memset(&p, 0, sizeof(p));
	p.kind = REFUND_RECORD_CASE;
	p.id = r->id;
	p.expected_version = r->version;
	p.data = (const unsigned char *)body;
	p.size = sizeof(body) - 1;
	p.index.holder = "M-0001";
	p.index.state = "open";
	p.index.next_deadline = deadline;
	b.puts = &p;
	b.nputs = 1;
	b.events = NULL;
	b.nevents = 0;
	if (s->commit(s, &b) != 0) {
		fprintf(stderr, "commit failed\n");
		exit(1);
	}
	r->version++;
	r->deadline = deadline;
}

static void due_queries(refund_store *s, const char *what, refund_time before_span,
		size_t limit, long long queries, uint64_t *x)
{
	long long seen = 0, i, t0 = now_ns(), ns;
	char label[96];

	for (i = 0; i < queries; i++) {
		refund_time before = (refund_time)(next_random(x) % (uint64_t)before_span);

		if (s->due(s, before, limit, count_due, &seen) != 0)
			exit(1);
	}
	ns = now_ns() - t0;
	report(what, ns, queries);
	snprintf(label, sizeof(label), "  ... per record returned (%lld)", seen);
	report(label, ns, seen);
}

int main(int argc, char **argv)
{
	long long n = argc > 1 ? atoll(argv[1]) : 1000000, i, t0, bytes = 0;
	bench_record *recs;
	refund_store *s;
	uint64_t x = 0x2545f4914f6cdd1du;

	if (n <= 0 || refund_store_memory_new(&s, NULL) != 0)
		return 1;
	recs = calloc((size_t)n, sizeof(*recs));
	if (!recs)
		return 1;
	for (i = 0; i < n; i++)
		/* A scattered but collision-free order: 2654435761 is prime to 10^8. */
		snprintf(recs[i].id, sizeof(recs[i].id), "C-%08lld",
				(long long)(((uint64_t)i * 2654435761u) % 100000000));

	t0 = now_ns();
	for (i = 0; i < n; i++)
		put(s, &recs[i], (refund_time)(next_random(&x) % DEADLINE_SPAN));
	report("insert (commit of 1 new record)", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		put(s, &recs[next_random(&x) % (uint64_t)n],
				(refund_time)(next_random(&x) % DEADLINE_SPAN));
	report("update deadline (commit of 1 put)", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		bench_record *r = &recs[next_random(&x) % (uint64_t)n];

		put(s, r, r->deadline);
	}
	report("update, same deadline (commit of 1 put)", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (s->load(s, REFUND_RECORD_CASE, recs[next_random(&x) % (uint64_t)n].id,
					keep_size, &bytes) != 0)
			return 1;
	report("load", now_ns() - t0, n);

	due_queries(s, "due, nearly nothing due (before < span/n)",
			DEADLINE_SPAN / n + 1, 0, 100000, &x);
	due_queries(s, "due, limit 100, random before", DEADLINE_SPAN, 100, 100000, &x);
	due_queries(s, "due, no limit, 0..1000 due", DEADLINE_SPAN / n * 1000, 0, 1000, &x);

	t0 = now_ns();
	refund_store_free(s);
	report("free everything", now_ns() - t0, n);
	free(recs);
	return bytes > 0 ? 0 : 1;
}
