/*
 * The storage contract (refund/sys/store.h) as a cmocka group any store can
 * run: the memory store now, the SQLite example later.  Each test gets a
 * fresh, empty store from the factory and frees it with refund_store_free().
 * Behaviour the header leaves open (malformed batches, gaps in event seqs)
 * is not tested here but by each store's own tests, which share the
 * helpers and checks below.
 */
#ifndef REFUND_TEST_STORE_CONTRACT_H
#define REFUND_TEST_STORE_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#include <refund/engine.h>
#include <refund/sys/store.h>

typedef struct store_contract_factory {
	const char *name;                              /* the cmocka group's name */
	int (*make)(void *ctx, refund_store **out);    /* a new empty store; 0 on success */
	void *ctx;                                     /* passed to make */
} store_contract_factory;

/* Runs the group; returns the number of failed tests. */
int store_contract_run(const store_contract_factory *factory);

/* ---- Helpers for each store's own tests ---- */

/* A put of @p text (its bytes, without the NUL). */
refund_store_put sc_put_text(int kind, const char *id, uint64_t expected,
		const char *text, refund_time deadline);
/* Event @p seq of @p text, at seq * 10. */
refund_store_event sc_event_text(int kind, const char *id, uint64_t seq, const char *text);
int sc_commit(refund_store *s, const refund_store_put *puts, size_t nputs,
		const refund_store_event *events, size_t nevents);
/* Creates case @p id, asserting that the commit succeeds. */
void sc_create_case(refund_store *s, const char *id, const char *text, refund_time deadline);
/* A record's version, 0 if it does not exist; fails on any other error. */
uint64_t sc_version_in(refund_store *s, int kind, const char *id);
uint64_t sc_version_of_case(refund_store *s, const char *id);
/* store_dump() of @p s, asserted to succeed; free() it. */
char *sc_dump_of(refund_store *s);
void sc_assert_dump_is(refund_store *s, const char *expected);

/* Keeps the record's version in the uint64_t at ctx. */
int sc_keep_version(void *ctx, const refund_store_record *r);
/* Callbacks that count their calls in the int at ctx. */
int sc_count_record(void *ctx, const refund_store_record *r);
int sc_count_event(void *ctx, const refund_store_event *ev);
int sc_count_due(void *ctx, int kind, const char *id, refund_time deadline);

/*
 * Checks of choices a store may make beyond the contract, for the stores
 * that make them (the SQL stores).  Each wants a fresh, empty store.
 */
/* NULL batches, ids, data and callbacks, bad seqs and versions, records twice:
 * REFUND_EINVAL and nothing written; with @p rejects_non_utf8_ids, an id
 * that is not UTF-8 too. */
void sc_check_malformed_batches_are_einval(refund_store *s, int rejects_non_utf8_ids);
/* NULL data of size 0 is stored, and read back, as empty non-NULL data. */
void sc_check_null_data_of_size_zero_is_empty(refund_store *s);
/* An id's events run 1, 2, 3... with no gap, up to INT64_MAX; they need no record. */
void sc_check_event_seqs_are_contiguous(refund_store *s);
/* Expected versions past INT64_MAX conflict. */
void sc_check_versions_past_int64_conflict(refund_store *s);
/* Creates case C-1 with no deadline and C-2 due at INT64_MAX - 1: only C-2 is due. */
void sc_check_no_deadline_is_never_due(refund_store *s);

/* An engine on @p s whose clock reads *now. */
refund_engine *sc_engine_on(refund_store *s, refund_time *now);

#endif
