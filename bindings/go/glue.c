#include "glue.h"
#include "_cgo_export.h"

/* Handles travel through the library's void * slots as integers. */
static uintptr_t handle_of(void *user)
{
	return (uintptr_t)user;
}

static refund_time glue_clock(void *user)
{
	return goClock(handle_of(user));
}

static void glue_notify(void *user, const refund_notice *notice)
{
	goNotify(handle_of(user), (refund_notice *)notice);
}

int glue_engine_new(refund_engine **out, refund_store *store, uintptr_t clock,
		uintptr_t notify, int lang)
{
	refund_engine_options options = REFUND_ENGINE_OPTIONS_INIT;

	options.store = store;
	options.lang = (refund_lang)lang;
	if (clock) {
		options.clock = glue_clock;
		options.clock_user = (void *)clock;
	}
	if (notify) {
		options.notify = glue_notify;
		options.notify_user = (void *)notify;
	}
	return refund_engine_new(out, &options);
}

static int store_load(refund_store *s, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	return goStoreLoad(handle_of(s->user), kind, (char *)id, cb, ctx);
}

static int store_commit(refund_store *s, const refund_store_batch *batch)
{
	return goStoreCommit(handle_of(s->user), (refund_store_batch *)batch);
}

static int store_events(refund_store *s, int kind, const char *id, uint64_t from_seq,
		refund_store_event_cb cb, void *ctx)
{
	return goStoreEvents(handle_of(s->user), kind, (char *)id, from_seq, cb, ctx);
}

static int store_due(refund_store *s, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	return goStoreDue(handle_of(s->user), before, limit, cb, ctx);
}

static int store_scan(refund_store *s, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	return goStoreScan(handle_of(s->user), kind, (refund_store_filter *)filter, cb, ctx);
}

refund_store *glue_store_new(uintptr_t handle, int with_scan)
{
	refund_store *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	refund_store_init(s, REFUND_STORE_VERSION);
	s->user = (void *)handle;
	s->load = store_load;
	s->commit = store_commit;
	s->events = store_events;
	s->due = store_due;
	s->scan = with_scan ? store_scan : NULL;
	/* The Go side frees the struct and the handle: no free callback. */
	s->free = NULL;
	return s;
}

void glue_store_free(refund_store *store)
{
	free(store);
}

int glue_call_record(refund_store_record_cb cb, void *ctx, int kind, const char *id,
		uint64_t version, const unsigned char *data, size_t size)
{
	refund_store_record record = { kind, id, version, data, size };

	return cb(ctx, &record);
}

int glue_call_event(refund_store_event_cb cb, void *ctx, int kind, const char *id,
		uint64_t seq, refund_time at, const unsigned char *data, size_t size)
{
	refund_store_event event = { kind, id, seq, at, data, size };

	return cb(ctx, &event);
}

int glue_call_due(refund_store_due_cb cb, void *ctx, int kind, const char *id,
		refund_time next_deadline)
{
	return cb(ctx, kind, id, next_deadline);
}

static int visit_deposit(void *ctx, const refund_deposit *deposit)
{
	return goVisitDeposit(handle_of(ctx), (refund_deposit *)deposit);
}

static int visit_case(void *ctx, const refund_case *c)
{
	return goVisitCase(handle_of(ctx), (refund_case *)c);
}

static int visit_event(void *ctx, const refund_event *event)
{
	return goVisitEvent(handle_of(ctx), (refund_event *)event);
}

int glue_deposit_list(refund_engine *engine, const refund_deposit_filter *filter,
		uintptr_t visitor)
{
	return refund_deposit_list(engine, filter, visit_deposit, (void *)visitor);
}

int glue_case_list(refund_engine *engine, const refund_case_filter *filter,
		uintptr_t visitor)
{
	return refund_case_list(engine, filter, visit_case, (void *)visitor);
}

int glue_case_events(refund_case *c, uintptr_t visitor)
{
	return refund_case_events(c, visit_event, (void *)visitor);
}

uint32_t glue_evidence_bit(int kind)
{
	return REFUND_EVIDENCE_BIT(kind);
}

refund_time glue_time_none(void)
{
	return REFUND_TIME_NONE;
}

const char *glue_quote_currency(const refund_quote *quote)
{
	return quote->currency;
}
