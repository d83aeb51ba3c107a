#include "store_contract.h"
#include "store_dump.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

typedef struct contract_state {
	const store_contract_factory *factory;
	refund_store *store;
} contract_state;

static int contract_setup(void **state)
{
	contract_state *cs = *state;

	cs->store = NULL;
	if (cs->factory->make(cs->factory->ctx, &cs->store) != 0 || !cs->store)
		return -1;
	return 0;
}

static int contract_teardown(void **state)
{
	contract_state *cs = *state;

	refund_store_free(cs->store);
	cs->store = NULL;
	return 0;
}

static refund_store *store_of(void **state)
{
	return ((contract_state *)*state)->store;
}

/* ---- Building batches --------------------------------------------------- */

static refund_store_put put_bytes(int kind, const char *id, uint64_t expected,
		const void *data, size_t size, refund_time deadline)
{
	refund_store_put p;

	memset(&p, 0, sizeof(p));
	p.kind = kind;
	p.id = id;
	p.expected_version = expected;
	p.data = data;
	p.size = size;
	p.index.next_deadline = deadline;
	return p;
}

refund_store_put sc_put_text(int kind, const char *id, uint64_t expected,
		const char *text, refund_time deadline)
{
	return put_bytes(kind, id, expected, text, strlen(text), deadline);
}

static refund_store_event event_text(int kind, const char *id, uint64_t seq,
		refund_time at, const char *text)
{
	refund_store_event ev;

	ev.kind = kind;
	ev.id = id;
	ev.seq = seq;
	ev.at = at;
	ev.data = (const unsigned char *)text;
	ev.size = strlen(text);
	return ev;
}

refund_store_event sc_event_text(int kind, const char *id, uint64_t seq, const char *text)
{
	return event_text(kind, id, seq, (refund_time)seq * 10, text);
}

int sc_commit(refund_store *s, const refund_store_put *puts, size_t nputs,
		const refund_store_event *events, size_t nevents)
{
	refund_store_batch b;

	b.puts = puts;
	b.nputs = nputs;
	b.events = events;
	b.nevents = nevents;
	return s->commit(s, &b);
}

static void create(refund_store *s, int kind, const char *id, const char *text,
		refund_time deadline)
{
	refund_store_put p = sc_put_text(kind, id, 0, text, deadline);

	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
}

static void update(refund_store *s, int kind, const char *id, uint64_t expected,
		const char *text, refund_time deadline)
{
	refund_store_put p = sc_put_text(kind, id, expected, text, deadline);

	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
}

void sc_create_case(refund_store *s, const char *id, const char *text, refund_time deadline)
{
	create(s, REFUND_RECORD_CASE, id, text, deadline);
}

int sc_keep_version(void *ctx, const refund_store_record *r)
{
	*(uint64_t *)ctx = r->version;
	return 0;
}

uint64_t sc_version_in(refund_store *s, int kind, const char *id)
{
	uint64_t version = 0;
	int rc = s->load(s, kind, id, sc_keep_version, &version);

	if (rc != 0 && rc != REFUND_ENOTFOUND)
		fail_msg("load %s: %d", id, rc);
	return version;
}

uint64_t sc_version_of_case(refund_store *s, const char *id)
{
	return sc_version_in(s, REFUND_RECORD_CASE, id);
}

char *sc_dump_of(refund_store *s)
{
	char *text = NULL;

	assert_int_equal(store_dump(s, &text), 0);
	assert_non_null(text);
	return text;
}

void sc_assert_dump_is(refund_store *s, const char *expected)
{
	char *now = sc_dump_of(s);

	assert_string_equal(now, expected);
	free(now);
}

int sc_count_record(void *ctx, const refund_store_record *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

int sc_count_event(void *ctx, const refund_store_event *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

int sc_count_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	(void)kind;
	(void)id;
	(void)deadline;
	(*(int *)ctx)++;
	return 0;
}

/* ---- Collecting what callbacks receive ------------------------------------ */

typedef struct loaded {
	int calls;
	int kind;
	char id[REFUND_ID_MAX + 1];
	uint64_t version;
	unsigned char *data;
	size_t size;
} loaded;

static int on_load(void *ctx, const refund_store_record *r)
{
	loaded *l = ctx;

	l->calls++;
	l->kind = r->kind;
	snprintf(l->id, sizeof(l->id), "%s", r->id);
	l->version = r->version;
	l->size = r->size;
	free(l->data);
	l->data = malloc(r->size ? r->size : 1);
	assert_non_null(l->data);
	if (r->size)
		memcpy(l->data, r->data, r->size);
	return 0;
}

static void assert_record(refund_store *s, int kind, const char *id, uint64_t version,
		const void *data, size_t size)
{
	loaded l = { 0, 0, "", 0, NULL, 0 };

	assert_int_equal(s->load(s, kind, id, on_load, &l), 0);
	assert_int_equal(l.calls, 1);
	assert_int_equal(l.kind, kind);
	assert_string_equal(l.id, id);
	assert_int_equal(l.version, version);
	assert_int_equal(l.size, size);
	if (size)
		assert_memory_equal(l.data, data, size);
	free(l.data);
}

static void assert_text_record(refund_store *s, int kind, const char *id,
		uint64_t version, const char *text)
{
	assert_record(s, kind, id, version, text, strlen(text));
}

static void assert_not_found(refund_store *s, int kind, const char *id)
{
	loaded l = { 0, 0, "", 0, NULL, 0 };

	assert_int_equal(s->load(s, kind, id, on_load, &l), REFUND_ENOTFOUND);
	assert_int_equal(l.calls, 0);
}

/* Events as "seq@at:text" joined by spaces. */
typedef struct seen_events {
	char text[1024];
	int kind;
	const char *id;
	int wrong_record;
} seen_events;

static int on_event(void *ctx, const refund_store_event *ev)
{
	seen_events *se = ctx;
	size_t len = strlen(se->text);

	if (ev->kind != se->kind || strcmp(ev->id, se->id) != 0)
		se->wrong_record = 1;
	snprintf(se->text + len, sizeof(se->text) - len, "%s%llu@%lld:%.*s",
			len ? " " : "", (unsigned long long)ev->seq, (long long)ev->at,
			(int)ev->size, (const char *)ev->data);
	return 0;
}

static void assert_events(refund_store *s, int kind, const char *id, uint64_t from,
		const char *expected)
{
	seen_events se;

	se.text[0] = '\0';
	se.kind = kind;
	se.id = id;
	se.wrong_record = 0;
	assert_int_equal(s->events(s, kind, id, from, on_event, &se), 0);
	assert_false(se.wrong_record);
	assert_string_equal(se.text, expected);
}

/* Due or scanned records as "kind:id" (due: "kind:id@deadline") joined by spaces. */
typedef struct seen_list {
	char text[2048];
	int wrong_kind;
	int kind;
} seen_list;

static void list_add(seen_list *sl, const char *item)
{
	size_t len = strlen(sl->text);

	snprintf(sl->text + len, sizeof(sl->text) - len, "%s%s", len ? " " : "", item);
}

static int on_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	char item[128];

	snprintf(item, sizeof(item), "%d:%s@%lld", kind, id, (long long)deadline);
	list_add(ctx, item);
	return 0;
}

static int on_scan(void *ctx, const refund_store_record *r)
{
	seen_list *sl = ctx;
	char item[128];

	if (r->kind != sl->kind)
		sl->wrong_kind = 1;
	snprintf(item, sizeof(item), "%d:%s", r->kind, r->id);
	list_add(sl, item);
	return 0;
}

static void assert_due(refund_store *s, refund_time before, size_t limit,
		const char *expected)
{
	seen_list sl;

	sl.text[0] = '\0';
	assert_int_equal(s->due(s, before, limit, on_due, &sl), 0);
	assert_string_equal(sl.text, expected);
}

static void assert_scan(refund_store *s, int kind, const refund_store_filter *filter,
		const char *expected)
{
	seen_list sl;

	sl.text[0] = '\0';
	sl.wrong_kind = 0;
	sl.kind = kind;
	assert_non_null(s->scan);
	assert_int_equal(s->scan(s, kind, filter, on_scan, &sl), 0);
	assert_false(sl.wrong_kind);
	assert_string_equal(sl.text, expected);
}

/* ---- Records and versions ----------------------------------------------- */

static void load_missing_is_notfound(void **state)
{
	refund_store *s = store_of(state);
	refund_store_filter all = { NULL, NULL, NULL, NULL, NULL, 0 };

	assert_not_found(s, REFUND_RECORD_DEPOSIT, "D-1");
	assert_events(s, REFUND_RECORD_DEPOSIT, "D-1", 0, "");
	assert_due(s, REFUND_TIME_MAX, 0, "");
	assert_scan(s, REFUND_RECORD_DEPOSIT, &all, "");
	create(s, REFUND_RECORD_DEPOSIT, "D-1", "{}", REFUND_NO_DEADLINE);
	assert_not_found(s, REFUND_RECORD_CASE, "D-1");
	assert_not_found(s, REFUND_RECORD_DEPOSIT, "D-2");
	assert_not_found(s, REFUND_RECORD_DEPOSIT, "D-");
}

static void create_then_load_exact_bytes(void **state)
{
	static const unsigned char bytes[] = { 'a', 0, 'b', 0, 0xff, 0x80, 0 };
	refund_store *s = store_of(state);
	refund_store_put puts[3];
	unsigned char *big = malloc(100000);
	size_t i;

	assert_non_null(big);
	for (i = 0; i < 100000; i++)
		big[i] = (unsigned char)(i * 7);
	puts[0] = put_bytes(REFUND_RECORD_DEPOSIT, "D-1", 0, bytes, sizeof(bytes),
			REFUND_NO_DEADLINE);
	puts[1] = put_bytes(REFUND_RECORD_CASE, "C-1", 0, NULL, 0, REFUND_NO_DEADLINE);
	puts[2] = put_bytes(REFUND_RECORD_POLICY, "P-1", 0, big, 100000, 10);
	assert_int_equal(sc_commit(s, puts, 3, NULL, 0), 0);
	/* The store copied: changing the caller's buffer changes nothing. */
	big[0] ^= 1;
	assert_record(s, REFUND_RECORD_DEPOSIT, "D-1", 1, bytes, sizeof(bytes));
	assert_record(s, REFUND_RECORD_CASE, "C-1", 1, "", 0);
	big[0] ^= 1;
	assert_record(s, REFUND_RECORD_POLICY, "P-1", 1, big, 100000);
	free(big);
}

static void same_id_in_different_kinds_are_different_records(void **state)
{
	refund_store *s = store_of(state);

	create(s, REFUND_RECORD_DEPOSIT, "X", "deposit", REFUND_NO_DEADLINE);
	create(s, REFUND_RECORD_CASE, "X", "case", REFUND_NO_DEADLINE);
	update(s, REFUND_RECORD_CASE, "X", 1, "case 2", REFUND_NO_DEADLINE);
	assert_text_record(s, REFUND_RECORD_DEPOSIT, "X", 1, "deposit");
	assert_text_record(s, REFUND_RECORD_CASE, "X", 2, "case 2");
}

static void update_with_right_version_increments(void **state)
{
	refund_store *s = store_of(state);

	create(s, REFUND_RECORD_CASE, "C-1", "one", REFUND_NO_DEADLINE);
	update(s, REFUND_RECORD_CASE, "C-1", 1, "two", REFUND_NO_DEADLINE);
	assert_text_record(s, REFUND_RECORD_CASE, "C-1", 2, "two");
	update(s, REFUND_RECORD_CASE, "C-1", 2, "", REFUND_NO_DEADLINE);
	assert_text_record(s, REFUND_RECORD_CASE, "C-1", 3, "");
}

static void assert_put_conflicts(refund_store *s, refund_store_put p)
{
	char *before = sc_dump_of(s);

	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ECONFLICT);
	sc_assert_dump_is(s, before);
	free(before);
}

static void wrong_versions_conflict(void **state)
{
	refund_store *s = store_of(state);

	create(s, REFUND_RECORD_CASE, "C-1", "one", REFUND_NO_DEADLINE);
	update(s, REFUND_RECORD_CASE, "C-1", 1, "two", REFUND_NO_DEADLINE);
	assert_put_conflicts(s, sc_put_text(REFUND_RECORD_CASE, "C-1", 1, "stale", 5));
	assert_put_conflicts(s, sc_put_text(REFUND_RECORD_CASE, "C-1", 3, "future", 5));
	assert_put_conflicts(s, sc_put_text(REFUND_RECORD_CASE, "C-1", 0, "create", 5));
	assert_put_conflicts(s, sc_put_text(REFUND_RECORD_CASE, "C-2", 1, "missing", 5));
	assert_text_record(s, REFUND_RECORD_CASE, "C-1", 2, "two");
	assert_not_found(s, REFUND_RECORD_CASE, "C-2");
	assert_due(s, REFUND_TIME_MAX, 0, "");
}

static void stale_put_writes_nothing_of_the_batch(void **state)
{
	refund_store *s = store_of(state);
	refund_store_put puts[4];
	refund_store_event events[3];
	char *before;

	create(s, REFUND_RECORD_CASE, "A", "a1", 100);
	create(s, REFUND_RECORD_CASE, "B", "b1", 200);
	create(s, REFUND_RECORD_DEPOSIT, "C", "c1", REFUND_NO_DEADLINE);
	update(s, REFUND_RECORD_DEPOSIT, "C", 1, "c2", REFUND_NO_DEADLINE);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 1, 10, "created");
	assert_int_equal(sc_commit(s, NULL, 0, events, 1), 0);
	before = sc_dump_of(s);

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "a2", 5);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "B", 1, "b2", REFUND_NO_DEADLINE);
	puts[2] = sc_put_text(REFUND_RECORD_CASE, "N", 0, "new", 1);
	puts[3] = sc_put_text(REFUND_RECORD_DEPOSIT, "C", 1, "c3", 1);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 2, 20, "moved");
	events[1] = event_text(REFUND_RECORD_CASE, "B", 1, 20, "first");
	events[2] = event_text(REFUND_RECORD_CASE, "N", 1, 20, "new");
	assert_int_equal(sc_commit(s, puts, 4, events, 3), REFUND_ECONFLICT);

	sc_assert_dump_is(s, before);
	assert_text_record(s, REFUND_RECORD_CASE, "A", 1, "a1");
	assert_text_record(s, REFUND_RECORD_CASE, "B", 1, "b1");
	assert_text_record(s, REFUND_RECORD_DEPOSIT, "C", 2, "c2");
	assert_not_found(s, REFUND_RECORD_CASE, "N");
	assert_events(s, REFUND_RECORD_CASE, "A", 0, "1@10:created");
	assert_events(s, REFUND_RECORD_CASE, "B", 0, "");
	assert_events(s, REFUND_RECORD_CASE, "N", 0, "");
	assert_due(s, REFUND_TIME_MAX, 0, "2:A@100 2:B@200");
	free(before);

	/* The same batch with the right version goes through whole. */
	puts[3].expected_version = 2;
	assert_int_equal(sc_commit(s, puts, 4, events, 3), 0);
	assert_text_record(s, REFUND_RECORD_DEPOSIT, "C", 3, "c3");
	assert_text_record(s, REFUND_RECORD_CASE, "N", 1, "new");
	assert_events(s, REFUND_RECORD_CASE, "A", 0, "1@10:created 2@20:moved");
	assert_due(s, REFUND_TIME_MAX, 0, "1:C@1 2:N@1 2:A@5");
}

/* ---- Events --------------------------------------------------------------- */

static void existing_event_seq_conflicts(void **state)
{
	refund_store *s = store_of(state);
	refund_store_put puts[2];
	refund_store_event events[2];
	char *before;

	create(s, REFUND_RECORD_CASE, "A", "a1", REFUND_NO_DEADLINE);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 1, 1, "one");
	events[1] = event_text(REFUND_RECORD_CASE, "A", 2, 2, "two");
	assert_int_equal(sc_commit(s, NULL, 0, events, 2), 0);
	before = sc_dump_of(s);

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "B", 0, "b1", 7);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "A", 1, "a2", 7);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 2, 3, "again");
	assert_int_equal(sc_commit(s, puts, 2, events, 1), REFUND_ECONFLICT);
	sc_assert_dump_is(s, before);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 1, 3, "again");
	assert_int_equal(sc_commit(s, puts, 2, events, 1), REFUND_ECONFLICT);
	sc_assert_dump_is(s, before);
	/* The same seq twice in one batch. */
	events[0] = event_text(REFUND_RECORD_CASE, "A", 3, 3, "three");
	events[1] = event_text(REFUND_RECORD_CASE, "A", 3, 3, "three again");
	assert_int_equal(sc_commit(s, puts, 2, events, 2), REFUND_ECONFLICT);
	sc_assert_dump_is(s, before);

	assert_not_found(s, REFUND_RECORD_CASE, "B");
	assert_text_record(s, REFUND_RECORD_CASE, "A", 1, "a1");
	assert_events(s, REFUND_RECORD_CASE, "A", 0, "1@1:one 2@2:two");
	assert_due(s, REFUND_TIME_MAX, 0, "");
	free(before);
}

static void events_come_in_seq_order_from_seq(void **state)
{
	refund_store *s = store_of(state);
	refund_store_event events[3];
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "A", 0, "a", REFUND_NO_DEADLINE);

	events[0] = event_text(REFUND_RECORD_CASE, "A", 1, 100, "one");
	events[1] = event_text(REFUND_RECORD_CASE, "A", 2, 90, "two");
	assert_int_equal(sc_commit(s, &p, 1, events, 2), 0);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 3, 300, "three");
	/* Another record's history is separate, even with the same id. */
	events[1] = event_text(REFUND_RECORD_DEPOSIT, "A", 1, 5, "deposit");
	assert_int_equal(sc_commit(s, NULL, 0, events, 2), 0);
	events[0] = event_text(REFUND_RECORD_CASE, "A", 4, 400, "");
	events[1] = event_text(REFUND_RECORD_CASE, "A", 5, 500, "five");
	assert_int_equal(sc_commit(s, NULL, 0, events, 2), 0);

	assert_events(s, REFUND_RECORD_CASE, "A", 0,
			"1@100:one 2@90:two 3@300:three 4@400: 5@500:five");
	assert_events(s, REFUND_RECORD_CASE, "A", 1,
			"1@100:one 2@90:two 3@300:three 4@400: 5@500:five");
	assert_events(s, REFUND_RECORD_CASE, "A", 3, "3@300:three 4@400: 5@500:five");
	assert_events(s, REFUND_RECORD_CASE, "A", 5, "5@500:five");
	assert_events(s, REFUND_RECORD_CASE, "A", 6, "");
	assert_events(s, REFUND_RECORD_CASE, "A", UINT64_MAX, "");
	assert_events(s, REFUND_RECORD_DEPOSIT, "A", 0, "1@5:deposit");
	assert_events(s, REFUND_RECORD_CASE, "B", 0, "");
}

static const unsigned char event_bytes[] = { 0, 1, 0, 0xfe };

static int check_event_bytes(void *ctx, const refund_store_event *ev)
{
	(*(int *)ctx)++;
	assert_int_equal(ev->size, sizeof(event_bytes));
	assert_memory_equal(ev->data, event_bytes, sizeof(event_bytes));
	return 0;
}

static void events_keep_exact_bytes(void **state)
{
	refund_store *s = store_of(state);
	unsigned char copy[sizeof(event_bytes)];
	refund_store_event ev;
	int calls = 0;

	memcpy(copy, event_bytes, sizeof(copy));
	ev.kind = REFUND_RECORD_DEPOSIT;
	ev.id = "D-1";
	ev.seq = 1;
	ev.at = 0;
	ev.data = copy;
	ev.size = sizeof(copy);
	create(s, REFUND_RECORD_DEPOSIT, "D-1", "d", REFUND_NO_DEADLINE);
	assert_int_equal(sc_commit(s, NULL, 0, &ev, 1), 0);
	memset(copy, 0x55, sizeof(copy));
	assert_int_equal(s->events(s, REFUND_RECORD_DEPOSIT, "D-1", 0, check_event_bytes,
			&calls), 0);
	assert_int_equal(calls, 1);
}

/* ---- Due ------------------------------------------------------------------ */

static void create_due_fixture(refund_store *s)
{
	create(s, REFUND_RECORD_DEPOSIT, "b", "", 100);
	create(s, REFUND_RECORD_CASE, "a", "", 100);
	create(s, REFUND_RECORD_DEPOSIT, "a", "", 100);
	create(s, REFUND_RECORD_DEPOSIT, "c", "", 50);
	create(s, REFUND_RECORD_POLICY, "z", "", REFUND_NO_DEADLINE);
	create(s, REFUND_RECORD_CASE, "x", "", 300);
	create(s, REFUND_RECORD_DEPOSIT, "d", "", 0);
	create(s, REFUND_RECORD_CASE, "B", "", 100);
	create(s, REFUND_RECORD_CASE, "aa", "", 100);
}

static void due_orders_by_deadline_kind_id(void **state)
{
	refund_store *s = store_of(state);

	create_due_fixture(s);
	assert_due(s, 1000, 0,
			"1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100 2:x@300");
	assert_due(s, REFUND_TIME_MAX, 0,
			"1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100 2:x@300");
}

static void due_before_is_inclusive(void **state)
{
	refund_store *s = store_of(state);

	create_due_fixture(s);
	assert_due(s, 100, 0, "1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100");
	assert_due(s, 99, 0, "1:d@0 1:c@50");
	assert_due(s, 50, 0, "1:d@0 1:c@50");
	assert_due(s, 0, 0, "1:d@0");
	assert_due(s, -1, 0, "");
	assert_due(s, INT64_MIN, 0, "");
	assert_due(s, 299, 0, "1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100");
}

static void due_honours_limit(void **state)
{
	refund_store *s = store_of(state);

	create_due_fixture(s);
	assert_due(s, 1000, 1, "1:d@0");
	assert_due(s, 1000, 3, "1:d@0 1:c@50 1:a@100");
	assert_due(s, 1000, 5, "1:d@0 1:c@50 1:a@100 1:b@100 2:B@100");
	assert_due(s, 1000, 8,
			"1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100 2:x@300");
	assert_due(s, 1000, 100,
			"1:d@0 1:c@50 1:a@100 1:b@100 2:B@100 2:a@100 2:aa@100 2:x@300");
	assert_due(s, 60, 3, "1:d@0 1:c@50");
}

static void due_follows_deadline_changes(void **state)
{
	refund_store *s = store_of(state);

	create_due_fixture(s);
	update(s, REFUND_RECORD_DEPOSIT, "c", 1, "", 400);                 /* later */
	update(s, REFUND_RECORD_CASE, "x", 1, "", REFUND_NO_DEADLINE);     /* gone */
	update(s, REFUND_RECORD_DEPOSIT, "d", 1, "", 100);                 /* into a tie */
	update(s, REFUND_RECORD_POLICY, "z", 1, "", 1);                    /* appears */
	update(s, REFUND_RECORD_CASE, "aa", 1, "", 100);                   /* unchanged */
	assert_due(s, 1000, 0,
			"3:z@1 1:a@100 1:b@100 1:d@100 2:B@100 2:a@100 2:aa@100 1:c@400");
	update(s, REFUND_RECORD_CASE, "x", 2, "", 2);                      /* back */
	update(s, REFUND_RECORD_POLICY, "z", 2, "", REFUND_NO_DEADLINE);
	update(s, REFUND_RECORD_DEPOSIT, "c", 2, "", -5);                  /* earliest */
	assert_due(s, 1000, 0,
			"1:c@-5 2:x@2 1:a@100 1:b@100 1:d@100 2:B@100 2:a@100 2:aa@100");
	assert_due(s, 99, 0, "1:c@-5 2:x@2");
}

/* ---- Scan ----------------------------------------------------------------- */

static void create_indexed(refund_store *s, int kind, const char *id,
		const char *deposit_id, const char *holder, const char *agent,
		const char *state)
{
	refund_store_put p = sc_put_text(kind, id, 0, id, REFUND_NO_DEADLINE);

	p.index.deposit_id = deposit_id;
	p.index.holder = holder;
	p.index.agent = agent;
	p.index.state = state;
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
}

static void create_scan_fixture(refund_store *s)
{
	create_indexed(s, REFUND_RECORD_CASE, "c", "D1", "H1", "A1", "open");
	create_indexed(s, REFUND_RECORD_CASE, "a", "D1", "H2", "A2", "closed");
	create_indexed(s, REFUND_RECORD_CASE, "\xc3\xa9t\xc3\xa9", "D2", "H1", NULL, "open");
	create_indexed(s, REFUND_RECORD_CASE, "Z", NULL, NULL, NULL, NULL);
	create_indexed(s, REFUND_RECORD_CASE, "aa", "D2", "H1", "A1", "open");
	create_indexed(s, REFUND_RECORD_CASE, "b", "D1", "H1", "A2", "review");
	create_indexed(s, REFUND_RECORD_DEPOSIT, "a", "D1", "H1", NULL, NULL);
	create_indexed(s, REFUND_RECORD_POLICY, "a", NULL, NULL, NULL, NULL);
	create_indexed(s, REFUND_RECORD_POLICY, "b", NULL, NULL, NULL, NULL);
}

static void scan_lists_a_kind_in_id_order(void **state)
{
	refund_store *s = store_of(state);
	refund_store_filter all = { NULL, NULL, NULL, NULL, NULL, 0 };

	create_scan_fixture(s);
	assert_scan(s, REFUND_RECORD_CASE, &all, "2:Z 2:a 2:aa 2:b 2:c 2:\xc3\xa9t\xc3\xa9");
	assert_scan(s, REFUND_RECORD_DEPOSIT, &all, "1:a");
	assert_scan(s, REFUND_RECORD_POLICY, &all, "3:a 3:b");
	assert_scan(s, REFUND_RECORD_META, &all, "");
}

static void scan_filters_each_field(void **state)
{
	refund_store *s = store_of(state);
	refund_store_filter f = { NULL, NULL, NULL, NULL, NULL, 0 };

	create_scan_fixture(s);
	f.deposit_id = "D1";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:a 2:b 2:c");
	f.deposit_id = "D";
	assert_scan(s, REFUND_RECORD_CASE, &f, "");
	f.deposit_id = NULL;
	f.holder = "H1";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:b 2:c 2:\xc3\xa9t\xc3\xa9");
	f.holder = NULL;
	f.agent = "A1";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:c");
	f.agent = NULL;
	f.state = "open";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:c 2:\xc3\xa9t\xc3\xa9");
	f.state = "OPEN";
	assert_scan(s, REFUND_RECORD_CASE, &f, "");
	/* Fields combine. */
	f.state = "open";
	f.holder = "H1";
	f.deposit_id = "D2";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:\xc3\xa9t\xc3\xa9");
	f.agent = "A1";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa");
	/* Filters never cross kinds. */
	f.state = NULL;
	f.agent = NULL;
	f.deposit_id = "D1";
	assert_scan(s, REFUND_RECORD_DEPOSIT, &f, "1:a");
}

static void scan_follows_index_changes(void **state)
{
	refund_store *s = store_of(state);
	refund_store_filter f = { NULL, NULL, NULL, NULL, NULL, 0 };
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "c", 1, "c", REFUND_NO_DEADLINE);

	create_scan_fixture(s);
	p.index.deposit_id = "D1";
	p.index.holder = "H1";
	p.index.state = "closed";
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
	f.state = "open";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:\xc3\xa9t\xc3\xa9");
	f.state = "closed";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:a 2:c");
	f.state = NULL;
	f.agent = "A1";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa");
}

static void scan_pages_with_after_id_and_limit(void **state)
{
	refund_store *s = store_of(state);
	refund_store_filter f = { NULL, NULL, NULL, NULL, NULL, 0 };

	create_scan_fixture(s);
	f.limit = 2;
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:Z 2:a");
	f.after_id = "a";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:b");
	f.after_id = "b";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:c 2:\xc3\xa9t\xc3\xa9");
	f.after_id = "\xc3\xa9t\xc3\xa9";
	assert_scan(s, REFUND_RECORD_CASE, &f, "");
	/* after_id need not be an existing id, and is exclusive. */
	f.limit = 0;
	f.after_id = "ab";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:b 2:c 2:\xc3\xa9t\xc3\xa9");
	f.after_id = "";
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:Z 2:a 2:aa 2:b 2:c 2:\xc3\xa9t\xc3\xa9");
	f.after_id = "zzz";
	assert_scan(s, REFUND_RECORD_POLICY, &f, "");
	/* limit counts matching records, with a filter. */
	f.after_id = "Z";
	f.holder = "H1";
	f.limit = 2;
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa 2:b");
	f.limit = 1;
	assert_scan(s, REFUND_RECORD_CASE, &f, "2:aa");
}

/* ---- Callbacks stop iterations ---------------------------------------------- */

typedef struct stopper {
	int calls;
	int stop_at;
	int code;
} stopper;

static int stop(stopper *st)
{
	return ++st->calls == st->stop_at ? st->code : 0;
}

static int stop_record(void *ctx, const refund_store_record *r)
{
	(void)r;
	return stop(ctx);
}

static int stop_event(void *ctx, const refund_store_event *ev)
{
	(void)ev;
	return stop(ctx);
}

static int stop_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	(void)kind;
	(void)id;
	(void)deadline;
	return stop(ctx);
}

static void callbacks_stop_and_their_code_is_returned(void **state)
{
	static const int codes[] = { 42, REFUND_EUSER, -1000, 1 };
	refund_store *s = store_of(state);
	refund_store_filter all = { NULL, NULL, NULL, NULL, NULL, 0 };
	refund_store_event events[3];
	size_t i;

	create(s, REFUND_RECORD_CASE, "a", "", 1);
	create(s, REFUND_RECORD_CASE, "b", "", 2);
	create(s, REFUND_RECORD_CASE, "c", "", 3);
	events[0] = event_text(REFUND_RECORD_CASE, "a", 1, 1, "x");
	events[1] = event_text(REFUND_RECORD_CASE, "a", 2, 1, "y");
	events[2] = event_text(REFUND_RECORD_CASE, "a", 3, 1, "z");
	assert_int_equal(sc_commit(s, NULL, 0, events, 3), 0);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		stopper st = { 0, 1, codes[i] };

		assert_int_equal(s->load(s, REFUND_RECORD_CASE, "b", stop_record, &st), codes[i]);
		assert_int_equal(st.calls, 1);
		st.calls = 0;
		st.stop_at = 2;
		assert_int_equal(s->events(s, REFUND_RECORD_CASE, "a", 0, stop_event, &st),
				codes[i]);
		assert_int_equal(st.calls, 2);
		st.calls = 0;
		assert_int_equal(s->due(s, 10, 0, stop_due, &st), codes[i]);
		assert_int_equal(st.calls, 2);
		st.calls = 0;
		assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &all, stop_record, &st),
				codes[i]);
		assert_int_equal(st.calls, 2);
	}
	/* Callbacks that never stop see everything and 0 comes back. */
	{
		stopper st = { 0, 0, 0 };

		assert_int_equal(s->scan(s, REFUND_RECORD_CASE, &all, stop_record, &st), 0);
		assert_int_equal(st.calls, 3);
	}
}

/* ---- Stress against a reference ------------------------------------------- */

#define STRESS_RECORDS 1000

typedef struct ref_record {
	int kind;
	char id[16];
	uint64_t version;
	refund_time deadline;
} ref_record;

typedef struct ref_due {
	ref_record *refs[STRESS_RECORDS];
	size_t n;
	size_t checked;
	int mismatch;
} ref_due;

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int ref_due_cmp(const void *a, const void *b)
{
	const ref_record *ra = *(ref_record *const *)a;
	const ref_record *rb = *(ref_record *const *)b;

	if (ra->deadline != rb->deadline)
		return ra->deadline < rb->deadline ? -1 : 1;
	if (ra->kind != rb->kind)
		return ra->kind < rb->kind ? -1 : 1;
	return strcmp(ra->id, rb->id);
}

static int check_due(void *ctx, int kind, const char *id, refund_time deadline)
{
	ref_due *rd = ctx;
	const ref_record *want;

	if (rd->checked >= rd->n) {
		rd->mismatch = 1;
		return 0;
	}
	want = rd->refs[rd->checked++];
	if (want->kind != kind || strcmp(want->id, id) != 0 || want->deadline != deadline)
		rd->mismatch = 1;
	return 0;
}

static void check_due_against(refund_store *s, ref_record *refs, refund_time before,
		size_t limit)
{
	ref_due *rd = calloc(1, sizeof(*rd));
	size_t i;

	assert_non_null(rd);
	for (i = 0; i < STRESS_RECORDS; i++)
		if (refs[i].deadline != REFUND_NO_DEADLINE && refs[i].deadline <= before)
			rd->refs[rd->n++] = &refs[i];
	qsort(rd->refs, rd->n, sizeof(rd->refs[0]), ref_due_cmp);
	if (limit && rd->n > limit)
		rd->n = limit;
	assert_int_equal(s->due(s, before, limit, check_due, rd), 0);
	assert_false(rd->mismatch);
	assert_int_equal(rd->checked, rd->n);
	free(rd);
}

static refund_time random_deadline(uint64_t *x)
{
	uint64_t r = next_random(x);

	return r % 8 == 0 ? REFUND_NO_DEADLINE : (refund_time)(r >> 8) % 500;
}

static void stress_against_reference(void **state)
{
	refund_store *s = store_of(state);
	ref_record *refs = calloc(STRESS_RECORDS, sizeof(*refs));
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i, round;

	assert_non_null(refs);
	for (i = 0; i < STRESS_RECORDS; i++) {
		refund_store_put p;

		refs[i].kind = (int)(next_random(&x) % 4) + 1;
		snprintf(refs[i].id, sizeof(refs[i].id), "R%zu", (i * 7919) % STRESS_RECORDS);
		refs[i].deadline = random_deadline(&x);
		p = sc_put_text(refs[i].kind, refs[i].id, 0, refs[i].id, refs[i].deadline);
		assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
		refs[i].version = 1;
	}
	check_due_against(s, refs, REFUND_TIME_MAX, 0);
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 500; i++) {
			ref_record *r = &refs[next_random(&x) % STRESS_RECORDS];
			refund_time deadline = random_deadline(&x);
			refund_store_put p = sc_put_text(r->kind, r->id, r->version - 1, "stale",
					deadline);

			if (r->version > 1 && i % 10 == 0)
				assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ECONFLICT);
			p.expected_version = r->version;
			assert_int_equal(sc_commit(s, &p, 1, NULL, 0), 0);
			r->version++;
			r->deadline = deadline;
		}
		check_due_against(s, refs, (refund_time)(next_random(&x) % 520), 0);
		check_due_against(s, refs, (refund_time)(next_random(&x) % 520),
				(size_t)(next_random(&x) % 50) + 1);
	}
	check_due_against(s, refs, REFUND_TIME_MAX, 0);
	for (i = 0; i < STRESS_RECORDS; i++)
		assert_text_record(s, refs[i].kind, refs[i].id, refs[i].version,
				refs[i].version == 1 ? refs[i].id : "stale");
	free(refs);
}

/* ---- Checks of choices beyond the contract ------------------------------- */

void sc_check_malformed_batches_are_einval(refund_store *s, int rejects_non_utf8_ids)
{
	refund_store_put puts[3];
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "C-1", 1, "e");
	refund_store_batch b = { NULL, 1, NULL, 0 };
	char *before;
	int n = 0;

	sc_create_case(s, "C-1", "x", 1);
	before = sc_dump_of(s);
	assert_int_equal(s->commit(s, NULL), REFUND_EINVAL);
	assert_int_equal(s->commit(s, &b), REFUND_EINVAL);
	b.nputs = 0;
	b.nevents = 1;
	assert_int_equal(s->commit(s, &b), REFUND_EINVAL);

	puts[0] = sc_put_text(REFUND_RECORD_CASE, "C-2", 0, "ok", 1);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, NULL, 0, "no id", 1);
	assert_int_equal(sc_commit(s, puts, 2, NULL, 0), REFUND_EINVAL);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "C-3", 0, "", 1);
	puts[1].size = 3;
	puts[1].data = NULL;
	assert_int_equal(sc_commit(s, puts, 2, NULL, 0), REFUND_EINVAL);
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "C-1", UINT64_MAX, "max", 1);
	assert_int_equal(sc_commit(s, puts, 2, NULL, 0), REFUND_EINVAL);
	/* The same record twice, anywhere in the batch. */
	puts[1] = sc_put_text(REFUND_RECORD_CASE, "C-4", 0, "four", 1);
	puts[2] = sc_put_text(REFUND_RECORD_CASE, "C-2", 1, "again", 1);
	assert_int_equal(sc_commit(s, puts, 3, NULL, 0), REFUND_EINVAL);
	/* ...but the same id in another kind is another record. */
	puts[2].kind = REFUND_RECORD_DEPOSIT;
	puts[2].expected_version = 0;
	ev.seq = 0;
	assert_int_equal(sc_commit(s, puts, 3, &ev, 1), REFUND_EINVAL);
	ev.seq = 1;
	ev.id = NULL;
	assert_int_equal(sc_commit(s, puts, 3, &ev, 1), REFUND_EINVAL);
	ev.id = "C-1";
	ev.data = NULL;
	assert_int_equal(sc_commit(s, puts, 3, &ev, 1), REFUND_EINVAL);
	ev.size = 0;
	if (rejects_non_utf8_ids) {
		/* An id that is not UTF-8 cannot be stored as text. */
		puts[0].id = "C-\xff";
		assert_int_equal(sc_commit(s, puts, 3, &ev, 1), REFUND_EINVAL);
		puts[0].id = "C-2";
	}
	sc_assert_dump_is(s, before);
	assert_int_equal(sc_commit(s, puts, 3, &ev, 1), 0);
	assert_int_equal(sc_version_of_case(s, "C-4"), 1);

	assert_int_equal(s->load(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n),
			REFUND_EINVAL);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, NULL, 0, sc_count_event, &n),
			REFUND_EINVAL);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "C-1", 0, NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->due(s, 10, 0, NULL, &n), REFUND_EINVAL);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, NULL, &n), REFUND_EINVAL);
	assert_int_equal(n, 0);
	free(before);
}

static int expect_empty_record(void *ctx, const refund_store_record *r)
{
	(void)ctx;
	assert_int_equal(r->size, 0);
	assert_non_null(r->data);
	return 0;
}

static int expect_empty_event(void *ctx, const refund_store_event *ev)
{
	(void)ctx;
	assert_int_equal(ev->size, 0);
	assert_non_null(ev->data);
	return 0;
}

void sc_check_null_data_of_size_zero_is_empty(refund_store *s)
{
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-1", 0, "", 1);
	refund_store_event ev = sc_event_text(REFUND_RECORD_CASE, "C-1", 1, "");

	p.data = NULL;
	ev.data = NULL;
	assert_int_equal(sc_commit(s, &p, 1, &ev, 1), 0);
	assert_int_equal(s->load(s, REFUND_RECORD_CASE, "C-1", expect_empty_record, NULL), 0);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "C-1", 1, expect_empty_event, NULL), 0);
}

void sc_check_event_seqs_are_contiguous(refund_store *s)
{
	refund_store_event ev[2];
	int n = 0;

	/* Events need no record. */
	ev[0] = sc_event_text(REFUND_RECORD_CASE, "orphan", 1, "a");
	assert_int_equal(sc_commit(s, NULL, 0, ev, 1), 0);
	ev[0] = sc_event_text(REFUND_RECORD_CASE, "orphan", 3, "gap");
	assert_int_equal(sc_commit(s, NULL, 0, ev, 1), REFUND_ECONFLICT);
	ev[0] = sc_event_text(REFUND_RECORD_CASE, "other", 2, "no first");
	assert_int_equal(sc_commit(s, NULL, 0, ev, 1), REFUND_ECONFLICT);
	ev[0] = sc_event_text(REFUND_RECORD_CASE, "orphan", 2, "b");
	ev[1] = sc_event_text(REFUND_RECORD_CASE, "orphan", 4, "gap in batch");
	assert_int_equal(sc_commit(s, NULL, 0, ev, 2), REFUND_ECONFLICT);
	ev[0].seq = (uint64_t)INT64_MAX + 1;
	assert_int_equal(sc_commit(s, NULL, 0, ev, 1), REFUND_ECONFLICT);
	ev[0].seq = 2;
	ev[1].seq = 3;
	assert_int_equal(sc_commit(s, NULL, 0, ev, 2), 0);
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "orphan", 0, sc_count_event, &n), 0);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(s->events(s, REFUND_RECORD_CASE, "orphan", (uint64_t)INT64_MAX + 1,
			sc_count_event, &n), 0);
	assert_int_equal(n, 0);
	/* A record with events only is not loaded or scanned. */
	assert_int_equal(sc_version_of_case(s, "orphan"), 0);
	assert_int_equal(s->scan(s, REFUND_RECORD_CASE, NULL, sc_count_record, &n), 0);
	assert_int_equal(n, 0);
}

void sc_check_versions_past_int64_conflict(refund_store *s)
{
	refund_store_put p = sc_put_text(REFUND_RECORD_CASE, "C-1", (uint64_t)INT64_MAX, "x", 1);

	sc_create_case(s, "C-1", "x", 1);
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ECONFLICT);
	p.expected_version = UINT64_MAX - 1;
	assert_int_equal(sc_commit(s, &p, 1, NULL, 0), REFUND_ECONFLICT);
	assert_int_equal(sc_version_of_case(s, "C-1"), 1);
}

void sc_check_no_deadline_is_never_due(refund_store *s)
{
	int n = 0;

	sc_create_case(s, "C-1", "x", REFUND_NO_DEADLINE);
	sc_create_case(s, "C-2", "x", INT64_MAX - 1);
	assert_int_equal(s->due(s, REFUND_NO_DEADLINE, 0, sc_count_due, &n), 0);
	assert_int_equal(n, 1);
}

static refund_time engine_clock(void *user)
{
	return *(refund_time *)user;
}

refund_engine *sc_engine_on(refund_store *s, refund_time *now)
{
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e = NULL;

	o.store = s;
	o.clock = engine_clock;
	o.clock_user = now;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	return e;
}

int store_contract_run(const store_contract_factory *factory)
{
	contract_state cs = { factory, NULL };
#define CONTRACT_TEST(f) cmocka_unit_test_prestate_setup_teardown(f, \
		contract_setup, contract_teardown, &cs)
	const struct CMUnitTest tests[] = {
		CONTRACT_TEST(load_missing_is_notfound),
		CONTRACT_TEST(create_then_load_exact_bytes),
		CONTRACT_TEST(same_id_in_different_kinds_are_different_records),
		CONTRACT_TEST(update_with_right_version_increments),
		CONTRACT_TEST(wrong_versions_conflict),
		CONTRACT_TEST(stale_put_writes_nothing_of_the_batch),
		CONTRACT_TEST(existing_event_seq_conflicts),
		CONTRACT_TEST(events_come_in_seq_order_from_seq),
		CONTRACT_TEST(events_keep_exact_bytes),
		CONTRACT_TEST(due_orders_by_deadline_kind_id),
		CONTRACT_TEST(due_before_is_inclusive),
		CONTRACT_TEST(due_honours_limit),
		CONTRACT_TEST(due_follows_deadline_changes),
		CONTRACT_TEST(scan_lists_a_kind_in_id_order),
		CONTRACT_TEST(scan_filters_each_field),
		CONTRACT_TEST(scan_follows_index_changes),
		CONTRACT_TEST(scan_pages_with_after_id_and_limit),
		CONTRACT_TEST(callbacks_stop_and_their_code_is_returned),
		CONTRACT_TEST(stress_against_reference),
	};
#undef CONTRACT_TEST

	return _cmocka_run_group_tests(factory->name, tests, sizeof(tests) / sizeof(tests[0]),
			NULL, NULL);
}
