/*
 * The storage contract (refund/sys/store.h) as a cmocka group any store can
 * run: the memory store now, the SQLite example later.  Each test gets a
 * fresh, empty store from the factory and frees it with refund_store_free().
 * Behaviour the header leaves open (malformed batches, gaps in event seqs)
 * is not tested here but by each store's own tests.
 */
#ifndef REFUND_TEST_STORE_CONTRACT_H
#define REFUND_TEST_STORE_CONTRACT_H

#include <refund/sys/store.h>

typedef struct store_contract_factory {
	const char *name;                              /* the cmocka group's name */
	int (*make)(void *ctx, refund_store **out);    /* a new empty store; 0 on success */
	void *ctx;                                     /* passed to make */
} store_contract_factory;

/* Runs the group; returns the number of failed tests. */
int store_contract_run(const store_contract_factory *factory);

#endif
