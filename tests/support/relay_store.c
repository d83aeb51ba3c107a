#include "relay_store.h"

#include <string.h>

static refund_store *inner(refund_store *store)
{
	return ((relay_store *)store)->inner;
}

static int relay_load(refund_store *s, int kind, const char *id, refund_store_record_cb cb,
		void *ctx)
{
	return inner(s)->load(inner(s), kind, id, cb, ctx);
}

static int relay_commit(refund_store *s, const refund_store_batch *batch)
{
	return inner(s)->commit(inner(s), batch);
}

static int relay_events(refund_store *s, int kind, const char *id, uint64_t from_seq,
		refund_store_event_cb cb, void *ctx)
{
	return inner(s)->events(inner(s), kind, id, from_seq, cb, ctx);
}

static int relay_due(refund_store *s, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	return inner(s)->due(inner(s), before, limit, cb, ctx);
}

static int relay_scan(refund_store *s, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	return inner(s)->scan(inner(s), kind, filter, cb, ctx);
}

void relay_store_init(relay_store *r, refund_store *inner_store)
{
	memset(r, 0, sizeof(*r));
	refund_store_init(&r->base, REFUND_STORE_VERSION);
	r->inner = inner_store;
	r->base.load = relay_load;
	r->base.commit = relay_commit;
	r->base.events = relay_events;
	r->base.due = relay_due;
	r->base.scan = inner_store->scan ? relay_scan : NULL;
}
