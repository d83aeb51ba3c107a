#include "faulty_store.h"

#include <stdlib.h>

typedef struct faulty_store {
	refund_store base; /* first: the library's pointer is ours */
	refund_store *inner;
	long calls;
	long fail_at;
	int code;
	int persistent;
	long failures;
} faulty_store;

/* Counts the call; non-zero (the code to return) if this one must fail. */
static int injected(refund_store *store)
{
	faulty_store *f = (faulty_store *)store;

	f->calls++;
	if (f->fail_at > 0 && (f->calls == f->fail_at ||
				(f->persistent && f->calls > f->fail_at))) {
		f->failures++;
		return f->code;
	}
	return 0;
}

static refund_store *inner(refund_store *store)
{
	return ((faulty_store *)store)->inner;
}

static int faulty_load(refund_store *store, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	int rc = injected(store);

	return rc ? rc : inner(store)->load(inner(store), kind, id, cb, ctx);
}

static int faulty_commit(refund_store *store, const refund_store_batch *batch)
{
	int rc = injected(store);

	return rc ? rc : inner(store)->commit(inner(store), batch);
}

static int faulty_events(refund_store *store, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx)
{
	int rc = injected(store);

	return rc ? rc : inner(store)->events(inner(store), kind, id, from_seq, cb, ctx);
}

static int faulty_due(refund_store *store, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	int rc = injected(store);

	return rc ? rc : inner(store)->due(inner(store), before, limit, cb, ctx);
}

static int faulty_scan(refund_store *store, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	int rc = injected(store);

	return rc ? rc : inner(store)->scan(inner(store), kind, filter, cb, ctx);
}

static void faulty_free(refund_store *store)
{
	free(store);
}

int faulty_store_new(refund_store *inner_store, refund_store **out)
{
	faulty_store *f;

	if (!inner_store || !out)
		return REFUND_EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return REFUND_ENOMEM;
	refund_store_init(&f->base, REFUND_STORE_VERSION);
	f->inner = inner_store;
	f->base.load = faulty_load;
	f->base.commit = faulty_commit;
	f->base.events = faulty_events;
	f->base.due = faulty_due;
	f->base.scan = inner_store->scan ? faulty_scan : NULL;
	f->base.free = faulty_free;
	*out = &f->base;
	return 0;
}

void faulty_store_arm(refund_store *store, long k, int code, int persistent)
{
	faulty_store *f = (faulty_store *)store;

	f->calls = 0;
	f->failures = 0;
	f->fail_at = k;
	f->code = code;
	f->persistent = persistent;
}

void faulty_store_disarm(refund_store *store)
{
	faulty_store_arm(store, 0, 0, 0);
}

long faulty_store_calls(const refund_store *store)
{
	return ((const faulty_store *)store)->calls;
}

long faulty_store_failures(const refund_store *store)
{
	return ((const faulty_store *)store)->failures;
}
