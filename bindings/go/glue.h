/*
 * C glue for the Go binding: what cgo cannot express directly.
 *
 * Go may not call C function pointers, may not take the address of a C
 * macro, and must never hand a Go pointer to C.  So the callbacks the
 * library calls (clock, notifier, store, listing visitors) are small C
 * trampolines here that pass a runtime/cgo.Handle value (an integer, never
 * a pointer) on to the //export'ed Go functions, and the library's own
 * callbacks that a Go store must call are invoked through glue_call_*.
 */
#ifndef REFUND_GO_GLUE_H
#define REFUND_GO_GLUE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <refund.h>
#include <refund/sys/store.h>

/* An engine whose clock and notifier (if the handles are not 0) call Go. */
int glue_engine_new(refund_engine **out, refund_store *store, uintptr_t clock,
		uintptr_t notify, int lang);

/* A store whose callbacks call the Go backend behind the handle. */
refund_store *glue_store_new(uintptr_t handle, int with_scan);
void glue_store_free(refund_store *store);

/* The library's callbacks, called on behalf of a Go store. */
int glue_call_record(refund_store_record_cb cb, void *ctx, int kind, const char *id,
		uint64_t version, const unsigned char *data, size_t size);
int glue_call_event(refund_store_event_cb cb, void *ctx, int kind, const char *id,
		uint64_t seq, refund_time at, const unsigned char *data, size_t size);
int glue_call_due(refund_store_due_cb cb, void *ctx, int kind, const char *id,
		refund_time next_deadline);

/* Listings whose visitor is the Go function behind the handle. */
int glue_deposit_list(refund_engine *engine, const refund_deposit_filter *filter,
		uintptr_t visitor);
int glue_case_list(refund_engine *engine, const refund_case_filter *filter,
		uintptr_t visitor);
int glue_case_events(refund_case *c, uintptr_t visitor);

/* Macros cgo cannot see. */
uint32_t glue_evidence_bit(int kind);
refund_time glue_time_none(void);
const char *glue_quote_currency(const refund_quote *quote);

#endif /* REFUND_GO_GLUE_H */
