/*
 * A store that passes every call to another one.  Tests that hand back
 * altered data embed it first in their own struct and replace the one
 * function they alter (events, usually).
 */
#ifndef REFUND_TEST_RELAY_STORE_H
#define REFUND_TEST_RELAY_STORE_H

#include <refund/sys/store.h>

typedef struct relay_store {
	refund_store base;     /* first: give &base to the engine */
	refund_store *inner;
} relay_store;

/* load, commit, events, due (and scan if inner has it) go to inner; no free. */
void relay_store_init(relay_store *r, refund_store *inner);

#endif
