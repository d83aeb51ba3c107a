/*
 * Common test fixture: an engine on a fresh in-memory store, with a
 * counting allocator and a clock the test sets.
 */
#ifndef REFUND_TEST_FIXTURE_H
#define REFUND_TEST_FIXTURE_H

#include <refund.h>
#include <refund/sys/store.h>

#include "failalloc.h"

typedef struct fixture {
	failalloc fa;          /* the engine's (and store's) allocator */
	refund_time now;       /* what the engine clock returns */
	refund_store *store;
	refund_engine *engine;
} fixture;

/* Allocates and builds a fixture (engine + memory store), asserting success. */
fixture *fixture_new(void);
/* Frees the engine and store and asserts that no allocation leaked. */
void fixture_free(fixture *f);
/* cmocka setup/teardown wrappers storing the fixture in *state. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

#endif
