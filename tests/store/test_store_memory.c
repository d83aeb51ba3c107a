#include <refund/store.h>
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

#include "failalloc.h"
#include "faulty_store.h"
#include "store_contract.h"
#include "store_dump.h"

/* A memory store on a counting allocator, for the tests below. */
typedef struct mem_fixture {
	failalloc fa;
	refund_store *store;
} mem_fixture;

static int mem_setup(void **state)
{
	mem_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	failalloc_init(&f->fa);
	if (refund_store_memory_new(&f->store, &f->fa.allocator) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int mem_teardown(void **state)
{
	mem_fixture *f = *state;

	refund_store_free(f->store);
	assert_int_equal(f->fa.live, 0);
	free(f);
	return 0;
}

/* ---- Helpers -------------------------------------------------------------- */

static int load_version(refund_store *s, int kind, const char *id, uint64_t *version)
{
	*version = 0;
	return s->load(s, kind, id, sc_keep_version, version);
}

static int append_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	char *text = ctx;
	size_t len = strlen(text);

	snprintf(text + len, 4096 - len, "%d:%s@%lld ", kind, id, (long long)deadline);
	return 0;
}

static int append_id(void *ctx, const refund_store_record *r)
{
	char *text = ctx;
	size_t len = strlen(text);

	snprintf(text + len, 4096 - len, "%d:%s ", r->kind, r->id);
	return 0;
}

/*
 * Everything a test can observe: the dump, the due index, scans on each
 * index field and the events of ids that have no record.
 */
static char *snapshot(refund_store *s, const char *event_only_id)
{
	refund_store_filter f = { NULL, NULL, NULL, NULL, NULL, 0 };
	char *dump = NULL, *text = calloc(1, 4096), *all;
	int kind, nevents = 0;

	assert_non_null(text);
	assert_int_equal(store_dump(s, &dump), 0);
	assert_int_equal(s->due(s, REFUND_TIME_MAX, 0, append_due, text), 0);
	for (kind = 1; kind <= 4; kind++) {
		f.holder = "H1";
		assert_int_equal(s->scan(s, kind, &f, append_id, text), 0);
		f.holder = NULL;
		f.state = "open";
		assert_int_equal(s->scan(s, kind, &f, append_id, text), 0);
		f.state = NULL;
		f.deposit_id = "D1";
		assert_int_equal(s->scan(s, kind, &f, append_id, text), 0);
		f.deposit_id = NULL;
		f.agent = "A1";
		assert_int_equal(s->scan(s, kind, &f, append_id, text), 0);
		f.agent = NULL;
	}
	if (event_only_id)
		assert_int_equal(s->events(s, REFUND_RECORD_META, event_only_id, 0,
				sc_count_event, &nevents), 0);
	all = malloc(strlen(dump) + strlen(text) + 32);
	assert_non_null(all);
	sprintf(all, "%s%s\nmeta events %d\n", dump, text, nevents);
	free(dump);
	free(text);
	return all;
}

static void assert_unchanged(refund_store *s, const char *before, const char *event_only_id)
{
	char *now = snapshot(s, event_only_id);

	assert_string_equal(now, before);
	free(now);
}

/* What a failed commit must leave as it was, besides the allocations. */
typedef void (*unchanged_fn)(refund_store *s, const char *before, const void *ctx);

static void snapshot_unchanged(refund_store *s, const char *before, const void *event_only_id)
{
	assert_unchanged(s, before, event_only_id);
}

static void dump_unchanged(refund_store *s, const char *before, const void *ctx)
{
	(void)ctx;
	sc_assert_dump_is(s, before);
}

/*
 * Commits the batch with the k-th allocation failing, k = 1, 2, ... until
 * one succeeds.  Each failure must be REFUND_ENOMEM and leave the live
 * allocations at `live` and the store as `unchanged` checks.  Returns how
 * many attempts failed.
 */
static long commit_through_allocation_failures(mem_fixture *f, refund_store *s,
		const refund_store_put *puts, size_t nputs, const refund_store_event *events,
		size_t nevents, long live, const char *before, unchanged_fn unchanged,
		const void *ctx)
{
	long k;
	int rc;

	for (k = 1;; k++) {
		failalloc_arm(&f->fa, k, 0);
		rc = sc_commit(s, puts, nputs, events, nevents);
		failalloc_disarm(&f->fa);
		if (rc == 0)
			return k - 1;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_int_equal(f->fa.live, live);
		unchanged(s, before, ctx);
	}
}

/* ---- refund_store_memory_new ---------------------------------------------- */

static void *never_alloc(void *opaque, size_t size)
{
	(void)opaque;
	(void)size;
	return NULL;
}

static void *never_realloc(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	(void)ptr;
	(void)size;
	return NULL;
}

static void never_free(void *opaque, void *ptr)
{
	(void)opaque;
	(void)ptr;
}

static void new_rejects_bad_arguments(void **state)
{
	refund_allocator a = REFUND_ALLOCATOR_INIT;
	refund_store *sentinel = (refund_store *)&a, *out = sentinel;
	int mask;

	(void)state;
	assert_int_equal(refund_store_memory_new(NULL, NULL), REFUND_EINVAL);
	/* Every half-set allocator: one or two of the three functions. */
	for (mask = 1; mask < 7; mask++) {
		a.alloc = mask & 1 ? never_alloc : NULL;
		a.realloc = mask & 2 ? never_realloc : NULL;
		a.free = mask & 4 ? never_free : NULL;
		assert_int_equal(refund_store_memory_new(&out, &a), REFUND_EINVAL);
		assert_ptr_equal(out, sentinel);
	}
	a.alloc = NULL;
	a.realloc = NULL;
	a.free = NULL;
	a.version = 0;
	assert_int_equal(refund_store_memory_new(&out, &a), REFUND_EVERSION);
	a.version = REFUND_ALLOCATOR_VERSION + 1;
	assert_int_equal(refund_store_memory_new(&out, &a), REFUND_EVERSION);
	assert_ptr_equal(out, sentinel);
	/* A full allocator that never gives memory. */
	a.version = REFUND_ALLOCATOR_VERSION;
	a.alloc = never_alloc;
	a.realloc = never_realloc;
	a.free = never_free;
	assert_int_equal(refund_store_memory_new(&out, &a), REFUND_ENOMEM);
	assert_ptr_equal(out, sentinel);
}

static void new_with_the_c_allocator(void **state)
{
	refund_allocator libc = REFUND_ALLOCATOR_INIT;
	refund_store *s = NULL;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C", 0, "c", 5);
	uint64_t version;

	(void)state;
	assert_int_equal(refund_store_memory_new(&s, NULL), 0);
	assert_int_equal(s->version, REFUND_STORE_VERSION);
	assert_non_null(s->load);
	assert_non_null(s->commit);
	assert_non_null(s->events);
	assert_non_null(s->due);
	assert_non_null(s->scan);
	assert_non_null(s->free);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	refund_store_free(s);
	s = NULL;
	assert_int_equal(refund_store_memory_new(&s, &libc), 0);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	assert_int_equal(load_version(s, REFUND_RECORD_CASE, "C", &version), 0);
	assert_int_equal(version, 1);
	refund_store_free(s);
	refund_store_free(NULL);
}

static void new_fails_cleanly_without_memory(void **state)
{
	failalloc fa;
	refund_store *out = NULL;
	long k;
	int rc = REFUND_ENOMEM;

	(void)state;
	failalloc_init(&fa);
	for (k = 1; rc != 0; k++) {
		failalloc_arm(&fa, k, 0);
		rc = refund_store_memory_new(&out, &fa.allocator);
		if (rc != 0) {
			assert_int_equal(rc, REFUND_ENOMEM);
			assert_null(out);
			assert_int_equal(fa.live, 0);
		}
	}
	assert_true(k > 2);
	failalloc_disarm(&fa);
	refund_store_free(out);
	assert_int_equal(fa.live, 0);
}

/* ---- commit: all or nothing ------------------------------------------------- */

static void create_indexed(refund_store *s, int kind, const char *id, refund_time deadline,
		const char *holder, const char *state)
{
	refund_store_put p = sc_put_text(kind, id, 0, id, deadline);

	p.index.deposit_id = "D1";
	p.index.holder = holder;
	p.index.agent = "A1";
	p.index.state = state;
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
}

/* n bytes of event `tag`, each one depending on its position. */
static refund_store_event big_event(int kind, const char *id, uint64_t seq, size_t n,
		unsigned char tag)
{
	refund_store_event ev;
	unsigned char *data = malloc(n);
	size_t i;

	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (unsigned char)(tag + i * 7);
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.id = id;
	ev.seq = seq;
	ev.at = (refund_time)seq;
	ev.data = data;
	ev.size = n;
	return ev;
}

/* The first chunk's size (store_memory.c): an event at least this long
 * has a chunk of its own, full, so that whatever the store takes next from
 * the chunks (a node, a new record's block, an event) starts another. */
#define CHUNK_SIZE ((size_t)64 * 1024)

static void fill_chunk(refund_store *s, const char *id, uint64_t seq)
{
	refund_store_event ev = big_event(REFUND_RECORD_META, id, seq, CHUNK_SIZE, 9);

	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	free((void *)ev.data);
}

static void commit_fails_cleanly_at_every_allocation(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put puts[4];
	refund_store_event events[11];
	char *before, *after;
	long live;
	size_t i;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	create_indexed(s, REFUND_RECORD_DEPOSIT, "X", 50, "H2", NULL);
	create_indexed(s, REFUND_RECORD_POLICY, "Y", REFUND_NO_DEADLINE, NULL, NULL);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 1, "a1");
	events[1] = sc_event_text(REFUND_RECORD_CASE, "A", 2, "a2");
	assert_int_equal(sc_commit(s, NULL, 0, events, 2), 0);
	fill_chunk(s, "~full", 1);
	before = snapshot(s, "Z");
	live = f->fa.live;

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "A v2", 300);
	puts[0].index.holder = "H2";
	puts[0].index.state = "closed";
	puts[1] = sc_put_text(REFUND_RECORD_DEPOSIT, "X", 1, "X v2", REFUND_NO_DEADLINE);
	puts[1].index.holder = "H1";
	puts[1].index.deposit_id = "D1";
	puts[2] = sc_put_text(REFUND_RECORD_CASE, "B", 0, "B v1", 10);
	puts[2].index.state = "open";
	puts[2].index.agent = "A1";
	puts[3] = sc_put_text(REFUND_RECORD_META, "M", 0, "", REFUND_NO_DEADLINE);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 3, "a3");
	events[1] = sc_event_text(REFUND_RECORD_CASE, "B", 1, "b1");
	events[2] = sc_event_text(REFUND_RECORD_CASE, "A", 4, "");
	events[3] = sc_event_text(REFUND_RECORD_DEPOSIT, "X", 1, "x1");
	events[4] = sc_event_text(REFUND_RECORD_META, "Z", 1, "z1");
	for (i = 5; i < 11; i++)
		events[i] = sc_event_text(REFUND_RECORD_POLICY, "Y", i - 4, "y");

	/* 2 allocations: the hash table's growth (room for 15 more nodes), and
	 * a chunk (the last is full) for nodes B, M and Z, B's first block and
	 * the events.  A and X are rewritten in place, M has no block; the
	 * plans fit on the stack. */
	assert_int_equal(commit_through_allocation_failures(f, s, puts, 4, events, 11, live,
			before, snapshot_unchanged, "Z"), 2);
	after = snapshot(s, "Z");
	assert_string_not_equal(after, before);
	assert_non_null(strstr(after, "record 2 \"A\" v2 4 41207632"));
	assert_non_null(strstr(after, "event 3 \"Y\" #6 at 60 1 79"));
	assert_non_null(strstr(after, "end\n2:B@10 2:A@300 "));
	assert_non_null(strstr(after, "meta events 1"));
	free(before);
	free(after);
}

typedef struct stored_events {
	const refund_store_event *want;
	size_t n, seen;
} stored_events;

static int same_event(void *ctx, const refund_store_event *ev)
{
	stored_events *se = ctx;
	const refund_store_event *want = &se->want[se->seen++];

	assert_true(se->seen <= se->n);
	assert_int_equal(ev->seq, want->seq);
	assert_int_equal(ev->size, want->size);
	assert_memory_equal(ev->data, want->data, want->size);
	return 0;
}

static void assert_events(refund_store *s, const char *id, const refund_store_event *want,
		size_t n)
{
	stored_events se = { want, n, 0 };

	assert_int_equal(s->events(s, REFUND_RECORD_CASE, id, 1, same_event, &se), 0);
	assert_int_equal(se.seen, n);
}

/*
 * Events share chunks (the first of 64 KiB): an event that does not fit the
 * last one starts another, one longer than 64 KiB has its own, and a failed
 * commit gives back what it took, so later events neither leak nor land on
 * earlier ones.
 */
static void event_bytes_fill_chunks_and_failed_commits_give_them_back(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_event z[4], w[1];
	refund_store_put put;
	char *before;
	long live;
	size_t i;

	z[0] = big_event(REFUND_RECORD_CASE, "Z", 1, 40000, 1);
	assert_int_equal(sc_commit(s, NULL, 0, z, 1), 0);
	before = snapshot(s, "Z");
	live = f->fa.live;
	z[1] = big_event(REFUND_RECORD_CASE, "Z", 2, 40000, 2);      /* a second chunk */
	z[2] = big_event(REFUND_RECORD_CASE, "Z", 3, 100000, 3);     /* a chunk of its own */
	put = sc_put_text(REFUND_RECORD_CASE, "B", 0, "B v1", 10);
	/* 2 allocations: the two chunks.  Puts are staged before events: node B
	 * and its first block fit the first chunk, after z[0]. */
	assert_int_equal(commit_through_allocation_failures(f, s, &put, 1, &z[1], 2, live,
			before, snapshot_unchanged, "Z"), 2);
	assert_events(s, "Z", z, 3);
	/* After failures that took bytes back, new bytes go after the old. */
	z[3] = big_event(REFUND_RECORD_CASE, "Z", 4, 30000, 4);
	w[0] = big_event(REFUND_RECORD_CASE, "W", 1, 20000, 5);
	failalloc_arm(&f->fa, 1, 0);
	assert_int_equal(sc_commit(s, NULL, 0, z + 3, 1), REFUND_ENOMEM);  /* a new chunk fails */
	failalloc_disarm(&f->fa);
	assert_int_equal(sc_commit(s, NULL, 0, z + 3, 1), 0);
	assert_int_equal(sc_commit(s, NULL, 0, w, 1), 0);
	assert_events(s, "Z", z, 4);
	assert_events(s, "W", w, 1);
	for (i = 0; i < 4; i++)
		free((void *)z[i].data);
	free((void *)w[0].data);
	free(before);
}

static void commit_fails_cleanly_when_memory_stays_short(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put puts[2];
	refund_store_event events[6];
	char *before;
	long k, live;
	size_t i;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	fill_chunk(s, "~full", 1);
	before = snapshot(s, "Z");
	live = f->fa.live;
	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "A v2", 300);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "B", 0, "B v1", 10);
	for (i = 0; i < 6; i++)
		events[i] = sc_event_text(REFUND_RECORD_META, "Z", i + 1, "z");
	for (k = 1;; k++) {
		int rc;

		failalloc_arm(&f->fa, k, 1);
		rc = sc_commit(s, puts, 2, events, 6);
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_int_equal(f->fa.live, live);
		assert_unchanged(s, before, "Z");
	}
	/* Each of the commit's 2 allocations failed in turn: the table's
	 * growth, and a chunk (the last is full) for nodes B and Z, B's block
	 * and the events.  A's shorter put is written in place.  6 event copies
	 * once took 6 more allocations, and Z's event array 2. */
	assert_int_equal(k, 3);
	free(before);
}

static void commit_rejects_malformed_batches(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put good = sc_put_text(REFUND_RECORD_CASE, "N", 0, "n", 5), bad;
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "N", 1, "e"), bad_ev;
	refund_store_batch b = { NULL, 1, NULL, 0 };
	char *before;
	long live;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	before = snapshot(s, NULL);
	live = f->fa.live;

	assert_int_equal(s->commit(s, NULL), REFUND_EINVAL);
	assert_int_equal(s->commit(s, &b), REFUND_EINVAL);          /* puts NULL, nputs 1 */
	b.nputs = 0;
	b.nevents = 2;
	assert_int_equal(s->commit(s, &b), REFUND_EINVAL);          /* events NULL */
	bad = good;
	bad.id = NULL;
	assert_int_equal(sc_commit(s, &bad, 1, &ev, 1), REFUND_EINVAL);
	bad = good;
	bad.data = NULL;
	assert_int_equal(sc_commit(s, &bad, 1, &ev, 1), REFUND_EINVAL);
	bad = good;
	bad.kind = REFUND_RECORD_CASE;
	bad.id = "A";
	bad.expected_version = UINT64_MAX;
	assert_int_equal(sc_commit(s, &bad, 1, &ev, 1), REFUND_EINVAL);
	bad_ev = ev;
	bad_ev.id = NULL;
	assert_int_equal(sc_commit(s, &good, 1, &bad_ev, 1), REFUND_EINVAL);
	bad_ev = ev;
	bad_ev.data = NULL;
	assert_int_equal(sc_commit(s, &good, 1, &bad_ev, 1), REFUND_EINVAL);
	bad_ev = ev;
	bad_ev.seq = 0;
	assert_int_equal(sc_commit(s, &good, 1, &bad_ev, 1), REFUND_EINVAL);
	assert_int_equal(f->fa.live, live);
	assert_unchanged(s, before, NULL);
	free(before);
}

static void commit_accepts_null_data_of_size_zero(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "N", 0, "", 5);
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "N", 1, "");
	uint64_t version;

	p.data = NULL;
	ev.data = NULL;
	assert_int_equal(sc_commit(s, &p, 1, &ev, 1), 0);
	assert_int_equal(load_version(s, REFUND_RECORD_CASE, "N", &version), 0);
	assert_int_equal(version, 1);
}

static void commit_rejects_the_same_record_twice(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put puts[3];
	char *before;
	long live;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	before = snapshot(s, NULL);
	live = f->fa.live;
	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "a2", 1);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "N", 0, "n", 2);
	puts[2] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "a2 again", 3);
	assert_int_equal(sc_commit(s, puts, 3, NULL, 0), REFUND_EINVAL);
	puts[2] = sc_put_text(REFUND_RECORD_CASE, "N", 0, "n again", 3);
	assert_int_equal(sc_commit(s, puts, 3, NULL, 0), REFUND_EINVAL);
	assert_int_equal(f->fa.live, live);
	assert_unchanged(s, before, NULL);
	/* The same id in another kind is another record. */
	puts[2] = sc_put_text(REFUND_RECORD_DEPOSIT, "N", 0, "n", 3);
	assert_int_equal(sc_commit(s, puts, 3, NULL, 0), 0);
	free(before);
}

static void empty_batch_commits_nothing(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	char *before;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	before = snapshot(s, NULL);
	assert_int_equal(sc_commit(s, NULL, 0, NULL, 0), 0);
	assert_unchanged(s, before, NULL);
	free(before);
}

/* ---- Events ------------------------------------------------------------------ */

static void event_seqs_must_be_contiguous(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_event events[3];
	char *before;
	int n = 0;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 1, "a1");
	assert_int_equal(sc_commit(s, NULL, 0, events, 1), 0);
	before = snapshot(s, NULL);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 3, "gap");
	assert_int_equal(sc_commit(s, NULL, 0, events, 1), REFUND_ECONFLICT);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "B", 2, "no first");
	assert_int_equal(sc_commit(s, NULL, 0, events, 1), REFUND_ECONFLICT);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 3, "three");
	events[1] = sc_event_text(REFUND_RECORD_CASE, "A", 2, "two");
	assert_int_equal(sc_commit(s, NULL, 0, events, 2), REFUND_ECONFLICT);
	assert_unchanged(s, before, NULL);
	events[0] = sc_event_text(REFUND_RECORD_CASE, "A", 2, "two");
	events[1] = sc_event_text(REFUND_RECORD_CASE, "A", 3, "three");
	events[2] = sc_event_text(REFUND_RECORD_CASE, "A", 4, "four");
	assert_int_equal(sc_commit(s, NULL, 0, events, 3), 0);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "A", 2, sc_count_event, &n), 0);
	assert_int_equal(n, 3);
	free(before);
}

static void events_may_belong_to_an_id_without_record(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_filter all = { NULL, NULL, NULL, NULL, NULL, 0 };
	refund_store_event ev = sc_event_text(REFUND_RECORD_META, "K", 1, "k1");
	refund_store_put p = sc_put_text(REFUND_RECORD_META, "K", 1, "k", 5);
	uint64_t version;
	int n = 0;

	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	assert_int_equal(load_version(s, REFUND_RECORD_META, "K", &version), REFUND_ENOTFOUND);
	assert_int_equal(s->scan(s, REFUND_RECORD_META, &all, sc_count_record, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(s->due(s, REFUND_TIME_MAX, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(s->events(s, REFUND_RECORD_META, "K", 0, sc_count_event, &n), 0);
	assert_int_equal(n, 1);
	/* The record does not exist: only version 0 may be expected. */
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ECONFLICT);
	p.expected_version = 0;
	ev.seq = 2;
	assert_int_equal(sc_commit(s, &p, 1, &ev, 1), 0);
	assert_int_equal(load_version(s, REFUND_RECORD_META, "K", &version), 0);
	assert_int_equal(version, 1);
	n = 0;
	assert_int_equal(s->events(s, REFUND_RECORD_META, "K", 0, sc_count_event, &n), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(s->scan(s, REFUND_RECORD_META, &all, sc_count_record, &n), 0);
	assert_int_equal(n, 1);
}

/*
 * A batch's events find the records its puts stage, whether it has the few
 * puts that are scanned for them or more (looked up): each event lands on
 * its own record, a record's kind counts as much as its id, and an event of
 * a record the batch does not put lands too.
 */
static void events_land_on_their_records_in_batches_of_any_size(void **state)
{
	static const char *const ids[] = { "R0", "R1", "R2", "R3", "R4", "R5", "R6" };
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put puts[7];
	refund_store_event events[8], want[1];
	size_t nputs, i;
	uint64_t version;
	int round = 0;

	for (nputs = 1; nputs <= 7; nputs += 5, round++) {  /* 1 put, then 6 */
		for (i = 0; i < nputs; i++) {
			puts[i] = sc_put_text(REFUND_RECORD_CASE, ids[i + (size_t)round], 0, "r", 5);
			events[i] = sc_event_text(REFUND_RECORD_CASE, ids[nputs - 1 - i + (size_t)round],
					1, ids[nputs - 1 - i + (size_t)round]);
		}
		/* the same id as a put's, of another kind; and an id not put */
		events[nputs] = sc_event_text(REFUND_RECORD_DEPOSIT, ids[round], 1, "deposit");
		events[nputs + 1] = sc_event_text(REFUND_RECORD_CASE, round ? "X1" : "X0", 1, "x");
		assert_int_equal(sc_commit(s, puts, nputs, events, nputs + 2), 0);
		for (i = 0; i < nputs; i++) {
			const char *id = ids[i + (size_t)round];

			assert_int_equal(load_version(s, REFUND_RECORD_CASE, id, &version), 0);
			assert_int_equal(version, 1);
			want[0] = sc_event_text(REFUND_RECORD_CASE, id, 1, id);
			assert_events(s, id, want, 1);
		}
		assert_int_equal(load_version(s, REFUND_RECORD_DEPOSIT, ids[round], &version),
				REFUND_ENOTFOUND);
		want[0] = sc_event_text(REFUND_RECORD_CASE, round ? "X1" : "X0", 1, "x");
		assert_events(s, round ? "X1" : "X0", want, 1);
	}
}

/* ---- Other callbacks ----------------------------------------------------------- */

static void callbacks_and_ids_are_checked(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	int n = 0;

	assert_int_equal(s->load(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), REFUND_EINVAL);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "A", NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, NULL, 0, sc_count_event, &n),
			REFUND_EINVAL);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "A", 0, NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->due(s, 0, 0, NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, NULL, &n), REFUND_EINVAL);
	assert_int_equal(n, 0);
}

static void scan_without_filter_lists_everything(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	int n = 0;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	create_indexed(s, REFUND_RECORD_CASE, "B", 100, NULL, NULL);
	create_indexed(s, REFUND_RECORD_DEPOSIT, "B", 100, NULL, NULL);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), 0);
	assert_int_equal(n, 2);
}

static void no_deadline_is_never_due(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	char text[4096] = "";

	create_indexed(s, REFUND_RECORD_CASE, "A", REFUND_NO_DEADLINE, NULL, NULL);
	create_indexed(s, REFUND_RECORD_CASE, "B", REFUND_NO_DEADLINE - 1, NULL, NULL);
	create_indexed(s, REFUND_RECORD_CASE, "C", INT64_MIN, NULL, NULL);
	assert_int_equal(s->due(s, REFUND_NO_DEADLINE, 0, append_due, text), 0);
	assert_string_equal(text, "2:C@-9223372036854775808 2:B@9223372036854775806 ");
}

typedef struct reentry {
	refund_store *store;
	int inner_rc;
} reentry;

static int load_again(void *ctx, const refund_store_record *r)
{
	reentry *re = ctx;

	re->inner_rc = re->store->load(re->store, r->kind, r->id, sc_count_record, &re->inner_rc);
	return 7;
}

static int commit_from_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	reentry *re = ctx;
	refund_store_put p = sc_put_text(kind, id, 1, "moved", deadline + 1);

	re->inner_rc = sc_commit(re->store, &p, 1, NULL, 0);
	return 0;
}

static void callbacks_calling_back_get_estore(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	reentry re = { s, 0 };
	uint64_t version;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, NULL, NULL);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "A", load_again, &re), 7);
	assert_int_equal(re.inner_rc, REFUND_ESTORE);
	re.inner_rc = 0;
	assert_int_equal(s->due(s, 1000, 0, commit_from_due, &re), 0);
	assert_int_equal(re.inner_rc, REFUND_ESTORE);
	/* The lock was released: the store still works. */
	assert_int_equal(load_version(s, REFUND_RECORD_CASE, "A", &version), 0);
	assert_int_equal(version, 1);
}

#define THREADS 4
#define PER_THREAD 300

typedef struct worker {
	refund_store *store;
	int n;
	int failures;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	char id[32];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		refund_store_put p;
		refund_store_event ev;
		uint64_t version = 0;

		snprintf(id, sizeof(id), "T%d-%d", w->n, i);
		p = sc_put_text(REFUND_RECORD_CASE, id, 0, id, i);
		ev = sc_event_text(REFUND_RECORD_CASE, id, 1, id);
		if (sc_commit(w->store, &p, 1, &ev, 1) != 0)
			w->failures++;
		p.expected_version = 1;
		p.index.next_deadline = REFUND_NO_DEADLINE - (i % 2);
		if (sc_commit(w->store, &p, 1, NULL, 0) != 0)
			w->failures++;
		if (load_version(w->store, REFUND_RECORD_CASE, id, &version) != 0 || version != 2)
			w->failures++;
	}
	return NULL;
}

static void threads_share_a_store(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	pthread_t threads[THREADS];
	worker workers[THREADS];
	int i, n = 0;

	for (i = 0; i < THREADS; i++) {
		workers[i].store = s;
		workers[i].n = i;
		workers[i].failures = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(workers[i].failures, 0);
	}
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), 0);
	assert_int_equal(n, THREADS * PER_THREAD);
	n = 0;
	assert_int_equal(s->due(s, REFUND_NO_DEADLINE, 0, sc_count_due, &n), 0);
	assert_int_equal(n, THREADS * PER_THREAD / 2);
}

/* ---- faulty_store ------------------------------------------------------------ */

static void faulty_store_forwards_and_counts(void **state)
{
	mem_fixture *f = *state;
	refund_store *faulty = NULL;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "A", 0, "a", 5);
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "A", 1, "e");
	uint64_t version;
	int n = 0;

	assert_int_equal(faulty_store_new(NULL, &faulty), REFUND_EINVAL);
	assert_int_equal(faulty_store_new(f->store, NULL), REFUND_EINVAL);
	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	assert_int_equal(faulty_store_calls(faulty), 0);
	assert_int_equal(sc_commit(faulty, &p, 1, &ev, 1), 0);
	assert_int_equal(load_version(faulty, REFUND_RECORD_CASE, "A", &version), 0);
	assert_int_equal(version, 1);
	assert_int_equal(load_version(faulty, REFUND_RECORD_CASE, "B", &version),
			REFUND_ENOTFOUND);
	assert_int_equal(faulty->events(faulty, REFUND_RECORD_CASE, "A", 0, sc_count_event, &n), 0);
	assert_int_equal(faulty->due(faulty, 10, 0, sc_count_due, &n), 0);
	assert_int_equal(faulty->scan(faulty, REFUND_RECORD_CASE, NULL, sc_count_record, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(faulty_store_calls(faulty), 6);
	assert_int_equal(faulty_store_failures(faulty), 0);
	refund_store_free(faulty);
	/* The inner store is untouched by freeing the wrapper. */
	assert_int_equal(load_version(f->store, REFUND_RECORD_CASE, "A", &version), 0);
}

static void faulty_store_fails_the_kth_call_once(void **state)
{
	mem_fixture *f = *state;
	refund_store *faulty = NULL;
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "A", 0, "a", 5);
	uint64_t version;

	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	faulty_store_arm(faulty, 2, REFUND_ESTORE, 0);
	assert_int_equal(load_version(faulty, REFUND_RECORD_CASE, "A", &version),
			REFUND_ENOTFOUND);
	assert_int_equal(sc_commit(faulty, &p, 1, NULL, 0), REFUND_ESTORE);
	/* Not forwarded: the inner store has no A. */
	assert_int_equal(load_version(f->store, REFUND_RECORD_CASE, "A", &version),
			REFUND_ENOTFOUND);
	assert_int_equal(sc_commit(faulty, &p, 1, NULL, 0), 0);
	assert_int_equal(load_version(faulty, REFUND_RECORD_CASE, "A", &version), 0);
	assert_int_equal(faulty_store_calls(faulty), 4);
	assert_int_equal(faulty_store_failures(faulty), 1);
	faulty_store_arm(faulty, 1, REFUND_ECONFLICT, 0);
	p.expected_version = 1;
	assert_int_equal(sc_commit(faulty, &p, 1, NULL, 0), REFUND_ECONFLICT);
	assert_int_equal(sc_commit(faulty, &p, 1, NULL, 0), 0);
	assert_int_equal(load_version(faulty, REFUND_RECORD_CASE, "A", &version), 0);
	assert_int_equal(version, 2);
	refund_store_free(faulty);
}

static void faulty_store_fails_from_k_on(void **state)
{
	mem_fixture *f = *state;
	refund_store *faulty = NULL;
	int n = 0, i;

	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	faulty_store_arm(faulty, 3, REFUND_EBUSY, 1);
	assert_int_equal(faulty->due(faulty, 0, 0, sc_count_due, &n), 0);
	assert_int_equal(faulty->scan(faulty, 1, NULL, sc_count_record, &n), 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(faulty->due(faulty, 0, 0, sc_count_due, &n), REFUND_EBUSY);
		assert_int_equal(faulty->events(faulty, 1, "x", 0, sc_count_event, &n),
				REFUND_EBUSY);
		assert_int_equal(faulty->scan(faulty, 1, NULL, sc_count_record, &n), REFUND_EBUSY);
		assert_int_equal(faulty->load(faulty, 1, "x", sc_count_record, &n), REFUND_EBUSY);
		assert_int_equal(sc_commit(faulty, NULL, 0, NULL, 0), REFUND_EBUSY);
	}
	assert_int_equal(faulty_store_failures(faulty), 25);
	assert_int_equal(faulty_store_calls(faulty), 27);
	faulty_store_disarm(faulty);
	assert_int_equal(faulty_store_calls(faulty), 0);
	assert_int_equal(faulty->load(faulty, 1, "x", sc_count_record, &n), REFUND_ENOTFOUND);
	assert_int_equal(sc_commit(faulty, NULL, 0, NULL, 0), 0);
	assert_int_equal(faulty_store_failures(faulty), 0);
	refund_store_free(faulty);
}

static int stub_load(refund_store *s, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	(void)s;
	(void)kind;
	(void)id;
	(void)cb;
	(void)ctx;
	return REFUND_ENOTFOUND;
}

static void faulty_store_offers_scan_only_if_inner_does(void **state)
{
	refund_store stub = REFUND_STORE_INIT;
	refund_store *faulty = NULL;
	char *dump = NULL;
	int n = 0;

	(void)state;
	stub.load = stub_load;
	assert_int_equal(faulty_store_new(&stub, &faulty), 0);
	assert_null(faulty->scan);
	assert_int_equal(faulty->load(faulty, 1, "x", sc_count_record, &n), REFUND_ENOTFOUND);
	assert_int_equal(store_dump(faulty, &dump), REFUND_ENOTSUP);
	assert_null(dump);
	refund_store_free(faulty);
}

/* ---- store_dump --------------------------------------------------------------- */

static void build_dump_sample(refund_store *s)
{
	static const unsigned char bytes[] = { 0, 'a', 0xff };
	refund_store_put puts[3];
	refund_store_event events[3];

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "C\"1\\\n", 0, "", 5);
	puts[0].data = bytes;
	puts[0].size = sizeof(bytes);
	puts[1] = sc_put_text(REFUND_RECORD_DEPOSIT, "D", 0, "{}", REFUND_NO_DEADLINE);
	puts[2] = sc_put_text(REFUND_RECORD_META, "M", 0, "", REFUND_NO_DEADLINE);
	events[0] = sc_event_text(REFUND_RECORD_DEPOSIT, "D", 1, "x");
	events[1] = sc_event_text(REFUND_RECORD_DEPOSIT, "D", 2, "");
	events[2] = sc_event_text(REFUND_RECORD_CASE, "C\"1\\\n", 1, "y");
	assert_int_equal(sc_commit(s, puts, 3, events, 3), 0);
}

static void store_dump_is_canonical(void **state)
{
	mem_fixture *f = *state;
	refund_store *other = NULL;
	refund_store_put p = sc_put_text(REFUND_RECORD_DEPOSIT, "D", 1, "{}", 7);
	refund_store_event ev = sc_event_text(REFUND_RECORD_META, "M", 1, "m");
	char *a = NULL, *b = NULL;

	assert_int_equal(store_dump(NULL, &a), REFUND_EINVAL);
	assert_int_equal(store_dump(f->store, NULL), REFUND_EINVAL);
	assert_int_equal(store_dump(f->store, &a), 0);
	assert_string_equal(a, "end\n");
	free(a);
	build_dump_sample(f->store);
	assert_int_equal(store_dump(f->store, &a), 0);
	assert_string_equal(a,
			"record 1 \"D\" v1 2 7b7d\n"
			"record 2 \"C\\x221\\x5c\\x0a\" v1 3 0061ff\n"
			"record 4 \"M\" v1 0 \n"
			"event 1 \"D\" #1 at 10 1 78\n"
			"event 1 \"D\" #2 at 20 0 \n"
			"event 2 \"C\\x221\\x5c\\x0a\" #1 at 10 1 79\n"
			"end\n");
	assert_int_equal(refund_store_memory_new(&other, NULL), 0);
	build_dump_sample(other);
	assert_int_equal(store_dump(other, &b), 0);
	assert_string_equal(a, b);
	free(b);
	/* A new version with the same bytes shows. */
	assert_int_equal(sc_commit(other, &p, 1, NULL, 0), 0);
	assert_int_equal(store_dump(other, &b), 0);
	assert_string_not_equal(a, b);
	free(b);
	/* So does one more event. */
	assert_int_equal(sc_commit(f->store, NULL, 0, &ev, 1), 0);
	assert_int_equal(store_dump(f->store, &b), 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	refund_store_free(other);
}

static void store_dump_passes_store_errors_on(void **state)
{
	mem_fixture *f = *state;
	refund_store *faulty = NULL;
	char *dump = NULL;
	long k;
	int rc;

	build_dump_sample(f->store);
	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	for (k = 1;; k++) {
		faulty_store_arm(faulty, k, REFUND_ESTORE, 0);
		rc = store_dump(faulty, &dump);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ESTORE);
		assert_null(dump);
	}
	/* Four scans and three event listings: the 8th call is never made. */
	assert_int_equal(k, 8);
	free(dump);
	refund_store_free(faulty);
}

/* ---- The hash table, and blocks rewritten in place ---------------------------- */

/* Copies the record's bytes, as a string, into the char[64] at ctx. */
static int keep_text(void *ctx, const refund_store_record *r)
{
	char *text = ctx;
	size_t n = r->size < 63 ? r->size : 63;

	memcpy(text, r->data, n);
	text[n] = '\0';
	return 0;
}

static int same_text(void *ctx, const refund_store_record *r)
{
	const char *want = ctx;

	assert_int_equal(r->size, strlen(want));
	assert_memory_equal(r->data, want, r->size);
	return 0;
}

/* (kind, id) holds @p want, or nothing if @p want is NULL. */
static void assert_text(refund_store *s, int kind, const char *id, const char *want)
{
	int rc = s->load(s, kind, id, same_text, (void *)want);

	assert_int_equal(rc, want ? 0 : REFUND_ENOTFOUND);
}

#define GROWTH_BATCH 40
#define GROWTH_BATCHES 6

static void table_growth_fails_cleanly_and_retries(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	/* Room is reserved for a whole batch at a load factor of 1/2: batches
	 * 1, 2 and 4 double the table (to 128, 256 and 512 slots). */
	static const int grows[GROWTH_BATCHES] = { 1, 1, 0, 1, 0, 0 };
	static char ids[GROWTH_BATCHES * GROWTH_BATCH][8];
	refund_store_put puts[GROWTH_BATCH + 1];
	int b, i, n, due;

	for (b = 0; b < GROWTH_BATCHES; b++) {
		char *before = sc_dump_of(s);
		long live = f->fa.live;

		for (i = 0; i < GROWTH_BATCH; i++) {
			char *id = ids[b * GROWTH_BATCH + i];

			snprintf(id, sizeof(ids[0]), "G%03d", b * GROWTH_BATCH + i);
			puts[i] = sc_put_text(REFUND_RECORD_CASE, id, 0, id, i);
		}
		/* Everything staged, table grown, then a conflict. */
		puts[GROWTH_BATCH] = sc_put_text(REFUND_RECORD_CASE, "Z", 7, "z", 1);
		assert_int_equal(sc_commit(s, puts, GROWTH_BATCH + 1, NULL, 0),
				REFUND_ECONFLICT);
		assert_int_equal(f->fa.live, live);
		sc_assert_dump_is(s, before);
		/* The plans (too many for the stack), the table when it grows,
		 * and a chunk for the nodes and blocks when the last is full (a
		 * batch's fit in one). */
		n = (int)commit_through_allocation_failures(f, s, puts, GROWTH_BATCH, NULL, 0, live,
				before, dump_unchanged, NULL);
		assert_in_range(n, 1 + grows[b], 2 + grows[b]);
		free(before);
		for (i = 0; i < (b + 1) * GROWTH_BATCH; i++)
			assert_text(s, REFUND_RECORD_CASE, ids[i], ids[i]);
		assert_text(s, REFUND_RECORD_CASE, "Z", NULL);
	}
	n = 0;
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), 0);
	assert_int_equal(n, GROWTH_BATCHES * GROWTH_BATCH);
	due = 0;
	assert_int_equal(s->due(s, REFUND_TIME_MAX, 0, sc_count_due, &due), 0);
	assert_int_equal(due, GROWTH_BATCHES * GROWTH_BATCH);
}

/* The store's hash (FNV-1a over the kind, then the id; high half folded
 * into the low), copied here to choose ids that share a home slot.  Were
 * the store's hash to change, these ids would only collide less. */
static uint64_t store_hash(int kind, const char *id)
{
	uint64_t h = UINT64_C(14695981039346656037);

	h = (h ^ (uint32_t)kind) * UINT64_C(1099511628211);
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * UINT64_C(1099511628211);
	return h ^ (h >> 32);
}

#define COLLIDING 12
#define FILLERS 12

/* COLLIDING case ids that share their home slot in every table up to 1024
 * slots, so that each sits in one long run of probes. */
/* The store as before the odd ids were staged into the even ones' run. */
static void odd_ids_absent(refund_store *s, const char *before, const void *ctx)
{
	char (*ids)[16] = (char (*)[16])(uintptr_t)ctx;
	int i;

	sc_assert_dump_is(s, before);
	for (i = 0; i < COLLIDING; i++)
		assert_text(s, REFUND_RECORD_CASE, ids[i], i % 2 ? NULL : ids[i]);
}

static void colliding_ids(char ids[COLLIDING][16])
{
	uint64_t home = store_hash(REFUND_RECORD_CASE, "K0") & 1023;
	int n = 0, i;

	for (i = 0; n < COLLIDING; i++) {
		char id[16];

		snprintf(id, sizeof(id), "K%d", i);
		if ((store_hash(REFUND_RECORD_CASE, id) & 1023) == home)
			strcpy(ids[n++], id);
	}
}

static void put_ids(refund_store_put *puts, char ids[][16], int first, int step, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		const char *id = ids[first + i * step];

		puts[i] = sc_put_text(REFUND_RECORD_CASE, id, 0, id, REFUND_NO_DEADLINE);
	}
}

static void colliding_ids_are_found_and_removed(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	char ids[COLLIDING][16], fillers[FILLERS][16];
	refund_store_put puts[COLLIDING + FILLERS];
	refund_store_event ev, big;
	char *before;
	long live;
	int i, n;

	colliding_ids(ids);
	for (i = 0; i < FILLERS; i++)
		snprintf(fillers[i], sizeof(fillers[i]), "F%d", i);
	/* The even ids and the fillers: 18 nodes, a table of 64 slots. */
	put_ids(puts, ids, 0, 2, COLLIDING / 2);
	put_ids(puts + COLLIDING / 2, fillers, 0, 1, FILLERS);
	assert_int_equal(sc_commit(s, puts, COLLIDING / 2 + FILLERS, NULL, 0), 0);
	before = sc_dump_of(s);
	live = f->fa.live;

	/* The odd ids staged into the run of the even ones (room for them
	 * without growing), then taken out again: by a conflict... */
	put_ids(puts, ids, 1, 2, COLLIDING / 2);
	puts[COLLIDING / 2] = sc_put_text(REFUND_RECORD_CASE, "F0", 2, "f", 1);
	assert_int_equal(sc_commit(s, puts, COLLIDING / 2 + 1, NULL, 0), REFUND_ECONFLICT);
	assert_int_equal(f->fa.live, live);
	sc_assert_dump_is(s, before);
	for (i = 0; i < COLLIDING; i++)
		assert_text(s, REFUND_RECORD_CASE, ids[i], i % 2 ? NULL : ids[i]);
	/* ... and by a failed allocation at each point: the last, for an
	 * event too long for any chunk but its own, comes after every odd id
	 * was staged. */
	big = big_event(REFUND_RECORD_META, "~big", 1, CHUNK_SIZE, 3);
	assert_true(commit_through_allocation_failures(f, s, puts, COLLIDING / 2, &big, 1,
			live, before, odd_ids_absent, ids) >= 1);
	free((void *)big.data);
	free(before);
	for (i = 0; i < COLLIDING; i++) {
		assert_text(s, REFUND_RECORD_CASE, ids[i], ids[i]);
		ev = sc_event_text(REFUND_RECORD_CASE, ids[i], 1, ids[i]);
		assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	}
	for (i = 0; i < FILLERS; i++)
		assert_text(s, REFUND_RECORD_CASE, fillers[i], fillers[i]);
	for (i = 0; i < COLLIDING; i++) {
		n = 0;
		assert_int_equal(s->events(s, REFUND_RECORD_CASE, ids[i], 1,
				sc_count_event, &n), 0);
		assert_int_equal(n, 1);
	}
	/* A colliding id of the run, but of another kind, is another record. */
	assert_text(s, REFUND_RECORD_DEPOSIT, ids[0], NULL);
}

#define KIND_IDS 30

static void ids_that_differ_only_in_kind_are_apart(void **state)
{
	static const int kinds[] = { REFUND_RECORD_DEPOSIT, REFUND_RECORD_CASE,
			REFUND_RECORD_POLICY, REFUND_RECORD_META, -1, 257 };
	enum { NKINDS = sizeof(kinds) / sizeof(kinds[0]) };
	mem_fixture *f = *state;
	refund_store *s = f->store;
	static char texts[NKINDS * KIND_IDS][24];
	static char ids[KIND_IDS][8];
	refund_store_put puts[NKINDS * KIND_IDS];
	refund_store_event ev;
	int i, j, n;

	/* All in one batch, too large for plans on the stack. */
	for (i = 0; i < KIND_IDS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "I%d", i);
		for (j = 0; j < NKINDS; j++) {
			char *text = texts[i * NKINDS + j];

			snprintf(text, sizeof(texts[0]), "%d/%s", kinds[j], ids[i]);
			puts[i * NKINDS + j] = sc_put_text(kinds[j], ids[i], 0, text, 5);
		}
	}
	assert_int_equal(sc_commit(s, puts, NKINDS * KIND_IDS, NULL, 0), 0);
	puts[0] = sc_put_text(REFUND_RECORD_CASE, ids[0], 1, "case v2", 5);
	assert_int_equal(sc_commit(s, puts, 1, NULL, 0), 0);
	ev = sc_event_text(REFUND_RECORD_META, ids[0], 1, "m");
	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	for (i = 0; i < KIND_IDS; i++)
		for (j = 0; j < NKINDS; j++) {
			int changed = i == 0 && kinds[j] == REFUND_RECORD_CASE;

			assert_text(s, kinds[j], ids[i], changed ? "case v2" : texts[i * NKINDS + j]);
			assert_int_equal(sc_version_in(s, kinds[j], ids[i]), changed ? 2 : 1);
			n = 0;
			assert_int_equal(s->events(s, kinds[j], ids[i], 1, sc_count_event, &n), 0);
			assert_int_equal(n, i == 0 && kinds[j] == REFUND_RECORD_META);
		}
	for (j = 0; j < NKINDS; j++) {
		n = 0;
		assert_int_equal(s->scan(s, kinds[j], NULL, sc_count_record, &n), 0);
		assert_int_equal(n, KIND_IDS);
	}
}

/* Commits one put and returns how many allocations it made. */
static long allocations_of(mem_fixture *f, const refund_store_put *p)
{
	long count;

	failalloc_arm(&f->fa, 0, 0);
	assert_int_equal(sc_commit(f->store, p, 1, NULL, 0), 0);
	count = f->fa.count;
	failalloc_disarm(&f->fa);
	return count;
}

/* n bytes of text, each one its position's digit. */
static const char *digits(size_t n)
{
	static char text[2048];
	size_t i;

	assert_true(n < sizeof(text));
	for (i = 0; i < n; i++)
		text[i] = (char)('0' + i % 10);
	text[n] = '\0';
	return text;
}

/*
 * A new record's block, and the new block of one that outgrows its own,
 * has a quarter and 64 bytes to spare.  A put that fits the
 * block is copied in place, unless the block is more than twice the put
 * with that spare.
 */
static void updates_reuse_the_block_when_it_fits(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put p;
	char text[64];
	char *now;

	/* create_indexed's 15 bytes ("A", "D1", "H1", "A1", "open" with their
	 * NULs) in a block of 15 + 3 + 64 = 82; 18 bytes ("0123456789", "H1"
	 * and "open") fit it. */
	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	p = sc_put_text(REFUND_RECORD_CASE, "A", 1, "0123456789", 100);
	p.index.holder = "H1";
	p.index.state = "open";
	assert_int_equal(allocations_of(f, &p), 0);

	/* Equal: new bytes, another holder of the same length. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", 2, "abcdefghij", 200);
	p.index.holder = "H2";
	p.index.state = "open";
	assert_int_equal(allocations_of(f, &p), 0);
	assert_text(s, REFUND_RECORD_CASE, "A", "abcdefghij");
	now = snapshot(s, NULL);
	assert_non_null(strstr(now, "2:A@200 2:A \n"));  /* due; the scan of open only */
	free(now);

	/* Shorter: the state dropped, its old bytes left past the end of the
	 * new ones. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", 3, "abcdef", 200);
	p.index.holder = "H1";
	p.index.agent = "A1";
	assert_int_equal(allocations_of(f, &p), 0);
	assert_text(s, REFUND_RECORD_CASE, "A", "abcdef");
	now = snapshot(s, NULL);
	assert_non_null(strstr(now, "2:A@200 2:A 2:A \n"));  /* the scans of H1 and A1 */
	free(now);

	/* Longer, up to the block's 82 bytes: in place; one more: a new block. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", 4, digits(82), 200);
	assert_int_equal(allocations_of(f, &p), 0);
	assert_text(s, REFUND_RECORD_CASE, "A", digits(82));
	p = sc_put_text(REFUND_RECORD_CASE, "A", 5, digits(83), 200);
	assert_int_equal(allocations_of(f, &p), 1);
	assert_text(s, REFUND_RECORD_CASE, "A", digits(83));

	/* Grown to 1000 bytes (a block of 1314), then 4: the block is more than
	 * twice 4 + 1 + 64, so the large block goes for one of 4. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", 6, digits(1000), 200);
	assert_int_equal(allocations_of(f, &p), 1);
	p = sc_put_text(REFUND_RECORD_CASE, "A", 7, "tiny", 200);
	assert_int_equal(allocations_of(f, &p), 1);
	assert_text(s, REFUND_RECORD_CASE, "A", "tiny");

	/* Empty: nothing to allocate. */
	p = sc_put_text(REFUND_RECORD_CASE, "A", 8, "", 200);
	assert_int_equal(allocations_of(f, &p), 0);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "A", keep_text, text), 0);
	assert_string_equal(text, "");
	assert_int_equal(sc_version_in(s, REFUND_RECORD_CASE, "A"), 9);
}

static void failed_commit_leaves_a_block_in_place_untouched(void **state)
{
	mem_fixture *f = *state;
	refund_store *s = f->store;
	refund_store_put puts[2];
	char *before;
	long live;

	create_indexed(s, REFUND_RECORD_CASE, "A", 100, "H1", "open");
	fill_chunk(s, "~full", 1);
	before = snapshot(s, NULL);
	live = f->fa.live;
	/* A's put fits its block; B's conflicts. */
	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "B", 300);
	puts[0].index.holder = "H9";
	puts[0].index.state = "gone";
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "B", 1, "b", 10);
	assert_int_equal(sc_commit(s, puts, 2, NULL, 0), REFUND_ECONFLICT);
	assert_unchanged(s, before, NULL);
	/* B new: the chunk for its node and block fails (the last is full);
	 * A's put allocates nothing. */
	puts[1].expected_version = 0;
	assert_int_equal(commit_through_allocation_failures(f, s, puts, 2, NULL, 0, live, before,
			snapshot_unchanged, NULL), 1);
	assert_text(s, REFUND_RECORD_CASE, "A", "B");
	free(before);
}

/*
 * Wherever the end of a chunk falls in a batch (among its new nodes, their
 * first blocks and its events), an allocation that fails there leaves the
 * store as it was and leaks nothing, and the retry stores it all.  An event
 * of each length in turn (8 bytes apart) first fills the last chunk to
 * within 4 KiB of its end, more than the batch takes.
 */
#define SWEEP_RECORDS 6
#define SWEEP_ROOM 4096

static void batches_meet_chunk_ends_anywhere(void **state)
{
	char ids[SWEEP_RECORDS][8], texts[SWEEP_RECORDS][160];
	refund_store_put puts[SWEEP_RECORDS];
	refund_store_event events[SWEEP_RECORDS + 1];
	long pads = 0, straddled = 0;
	size_t pad;
	int i;

	(void)state;
	for (i = 0; i < SWEEP_RECORDS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "N%d", i);
		memset(texts[i], 'a' + i, (size_t)(1 + 31 * i));
		texts[i][1 + 31 * i] = '\0';
		puts[i] = sc_put_text(REFUND_RECORD_CASE, ids[i], 0, texts[i], 10 + i);
		events[i] = sc_event_text(REFUND_RECORD_CASE, ids[i], 1, texts[i]);
	}
	events[SWEEP_RECORDS] = sc_event_text(REFUND_RECORD_META, "M", 1, "m");
	for (pad = CHUNK_SIZE - SWEEP_ROOM; pad <= CHUNK_SIZE; pad += 8, pads++) {
		mem_fixture m;
		refund_store_event filler = big_event(REFUND_RECORD_META, "~pad", 1, pad, 1);
		char *before;
		long points;

		failalloc_init(&m.fa);
		assert_int_equal(refund_store_memory_new(&m.store, &m.fa.allocator), 0);
		assert_int_equal(sc_commit(m.store, NULL, 0, &filler, 1), 0);
		free((void *)filler.data);
		before = sc_dump_of(m.store);
		points = commit_through_allocation_failures(&m, m.store, puts, SWEEP_RECORDS, events,
				SWEEP_RECORDS + 1, m.fa.live, before, dump_unchanged, NULL);
		/* The table grows once (past 16 slots' half); a new chunk at most
		 * once more. */
		assert_in_range(points, 1, 2);
		straddled += points - 1;
		for (i = 0; i < SWEEP_RECORDS; i++) {
			assert_text(m.store, REFUND_RECORD_CASE, ids[i], texts[i]);
			assert_events(m.store, ids[i], &events[i], 1);
		}
		free(before);
		refund_store_free(m.store);
		assert_int_equal(m.fa.live, 0);
	}
	/* The batch fitted the last chunk for some lengths, not for others. */
	assert_true(straddled > 0 && straddled < pads);
}

/* An allocator that notes the sizes of large allocations (chunks) and can
 * refuse the next one. */
typedef struct chunk_log {
	refund_allocator allocator;
	size_t sizes[64];
	int n;
	int refuse;          /* refuse the refuse-th large allocation from now (0: none) */
} chunk_log;

#define LARGE ((size_t)32 * 1024)

static void *log_alloc(void *opaque, size_t size)
{
	chunk_log *l = opaque;

	if (size >= LARGE) {
		if (l->refuse && --l->refuse == 0)
			return NULL;
		assert_true(l->n < 64);
		l->sizes[l->n++] = size;
	}
	return malloc(size);
}

static void *log_realloc(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	return realloc(ptr, size);
}

static void log_free(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

/*
 * The chunks double from 64 KiB to 4 MiB and stay there, so a small store
 * stays small; a commit that fails, for want of a chunk or after taking one,
 * leaves the next chunk's size as it was.
 */
static void chunks_grow_to_their_largest(void **state)
{
	chunk_log l = { { REFUND_ALLOCATOR_VERSION, log_alloc, log_realloc, log_free, NULL },
			{ 0 }, 0, 0 };
	refund_store *s = NULL;
	refund_store_event ev, pad, big;
	refund_store_put put;
	size_t header, written = 0;
	uint64_t seq = 1;
	int i;

	(void)state;
	l.allocator.opaque = &l;
	assert_int_equal(refund_store_memory_new(&s, &l.allocator), 0);
	ev = big_event(REFUND_RECORD_CASE, "K", seq++, 1000, 1);
	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	assert_int_equal(l.n, 1);
	header = l.sizes[0] - CHUNK_SIZE;
	assert_true(header < 64);
	/* A chunk of its own for an event past 64 KiB; then a commit that fails
	 * for want of the next shared chunk (128 KiB), and one that takes it
	 * for a new record and fails for want of a chunk of its own for that
	 * record's event; then the latter again. */
	pad = big_event(REFUND_RECORD_META, "~pad", 1, CHUNK_SIZE, 2);
	assert_int_equal(sc_commit(s, NULL, 0, &pad, 1), 0);
	ev.seq = seq;
	l.refuse = 1;
	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), REFUND_ENOMEM);
	put = sc_put_text(REFUND_RECORD_CASE, "N", 0, "n", 1);
	big = big_event(REFUND_RECORD_CASE, "N", 1, 2 * CHUNK_SIZE + 1000, 3);
	l.refuse = 2;
	assert_int_equal(sc_commit(s, &put, 1, &big, 1), REFUND_ENOMEM);
	assert_int_equal(l.n, 3);  /* the shared chunk taken, then given back */
	assert_int_equal(sc_commit(s, &put, 1, &big, 1), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.sizes[2], header + 2 * CHUNK_SIZE);
	assert_int_equal(l.sizes[3], header + 2 * CHUNK_SIZE);  /* not 256 KiB */
	/* 16 MiB more in events of about 1 KiB: shared chunks alone, noted from
	 * index 3 on (over the big event's own). */
	l.n = 3;
	while (written < (size_t)16 << 20) {
		ev.seq = seq++;
		assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
		written += ev.size;
	}
	assert_true(l.n > 9);
	for (i = 3; i < l.n; i++) {  /* 256 KiB, 512 KiB, ... 4 MiB, 4 MiB, ... */
		size_t want = CHUNK_SIZE << (i - 1);

		if (want > 64 * CHUNK_SIZE)
			want = 64 * CHUNK_SIZE;
		assert_int_equal(l.sizes[i], header + want);
	}
	free((void *)ev.data);
	free((void *)pad.data);
	free((void *)big.data);
	refund_store_free(s);
}

/* ---- refund_store_batch_check, which every store calls first ----------------- */

static void batch_check_refuses_each_malformed_part(void **state)
{
	static const unsigned char bytes[] = "{}";
	refund_store_put put = { REFUND_RECORD_CASE, "K-1", 0, bytes, 2, { 0 } };
	refund_store_event ev = { REFUND_RECORD_CASE, "K-1", 1, 0, bytes, 2 };
	refund_store_batch b = { &put, 1, &ev, 1 };
	refund_store_batch empty = { NULL, 0, NULL, 0 };

	(void)state;
	assert_int_equal(refund_store_batch_check(&b), 0);
	assert_int_equal(refund_store_batch_check(&empty), 0);
	assert_int_equal(refund_store_batch_check(NULL), REFUND_EINVAL);
	b.puts = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	b.puts = &put;
	b.events = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	b.events = &ev;
	put.id = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	put.id = "K-1";
	put.data = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	put.size = 0;  /* no bytes at all is a valid, empty record */
	assert_int_equal(refund_store_batch_check(&b), 0);
	put.expected_version = UINT64_MAX;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	put.expected_version = UINT64_MAX - 1;
	assert_int_equal(refund_store_batch_check(&b), 0);
	ev.seq = 0;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	ev.seq = 1;
	ev.id = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	ev.id = "K-1";
	ev.data = NULL;
	assert_int_equal(refund_store_batch_check(&b), REFUND_EINVAL);
	ev.size = 0;
	assert_int_equal(refund_store_batch_check(&b), 0);
}

/* ---- main -------------------------------------------------------------------- */

static int make_memory_store(void *ctx, refund_store **out)
{
	return refund_store_memory_new(out, &((failalloc *)ctx)->allocator);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_rejects_bad_arguments),
		cmocka_unit_test(batch_check_refuses_each_malformed_part),
		cmocka_unit_test(new_with_the_c_allocator),
		cmocka_unit_test(new_fails_cleanly_without_memory),
		cmocka_unit_test_setup_teardown(commit_fails_cleanly_at_every_allocation,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(event_bytes_fill_chunks_and_failed_commits_give_them_back,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(commit_fails_cleanly_when_memory_stays_short,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(commit_rejects_malformed_batches,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(commit_accepts_null_data_of_size_zero,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(commit_rejects_the_same_record_twice,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(empty_batch_commits_nothing,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(event_seqs_must_be_contiguous,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(events_may_belong_to_an_id_without_record,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(events_land_on_their_records_in_batches_of_any_size,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(callbacks_and_ids_are_checked,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(scan_without_filter_lists_everything,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(no_deadline_is_never_due,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(callbacks_calling_back_get_estore,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(threads_share_a_store,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(faulty_store_forwards_and_counts,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(faulty_store_fails_the_kth_call_once,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(faulty_store_fails_from_k_on,
				mem_setup, mem_teardown),
		cmocka_unit_test(faulty_store_offers_scan_only_if_inner_does),
		cmocka_unit_test_setup_teardown(store_dump_is_canonical,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(store_dump_passes_store_errors_on,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(table_growth_fails_cleanly_and_retries,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(colliding_ids_are_found_and_removed,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(ids_that_differ_only_in_kind_are_apart,
				mem_setup, mem_teardown),
		cmocka_unit_test_setup_teardown(updates_reuse_the_block_when_it_fits,
				mem_setup, mem_teardown),
		cmocka_unit_test(batches_meet_chunk_ends_anywhere),
		cmocka_unit_test(chunks_grow_to_their_largest),
		cmocka_unit_test_setup_teardown(failed_commit_leaves_a_block_in_place_untouched,
				mem_setup, mem_teardown),
	};
	failalloc fa;
	store_contract_factory factory = { "memory store contract", make_memory_store, &fa };
	int failures;

	failalloc_init(&fa);
	failures = store_contract_run(&factory);
	if (fa.live != 0) {
		printf("memory store contract: %ld allocations leaked\n", fa.live);
		failures++;
	}
	return failures + cmocka_run_group_tests_name("memory store", tests, NULL, NULL);
}
