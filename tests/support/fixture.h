/*
 * Common test fixture: an engine on a fresh in-memory store, with a
 * counting allocator and a clock the test sets.
 */
#ifndef REFUND_TEST_FIXTURE_H
#define REFUND_TEST_FIXTURE_H

#include <refund.h>
#include <refund/sys/store.h>

#include "failalloc.h"

/* What the calls a test makes through fault_steps.h run into. */
typedef enum fault_kind {
	FAULT_NONE,   /* nothing: each call runs once */
	FAULT_OOM,    /* the k-th allocation fails */
	FAULT_STORE   /* the k-th store call fails (the engine sits on f->faulty) */
} fault_kind;

typedef struct fault_mode {
	fault_kind kind;
	int code;         /* FAULT_STORE: what the failed store call returns */
	int persistent;   /* every allocation or store call from the k-th on fails */
} fault_mode;

typedef struct fixture {
	failalloc fa;          /* the engine's (and store's) allocator */
	refund_time now;       /* what the engine clock returns */
	refund_store *store;   /* the memory store */
	refund_engine *engine;
	refund_store *faulty;  /* fixture_new_faulty(): wraps store under engine; else NULL */
	fault_mode faults;     /* how fault_steps.h runs calls; zero: FAULT_NONE */
	long fault_points;     /* calls failed on purpose and checked (fault_steps.h) */
	long fault_writes;     /* calls that then went through and changed the store */
} fixture;

/* Allocates and builds a fixture (engine + memory store), asserting success. */
fixture *fixture_new(void);
/* The same with the engine on a faulty store (faulty_store.h) over the memory store. */
fixture *fixture_new_faulty(void);
/* Frees the engine and stores and asserts that no allocation leaked. */
void fixture_free(fixture *f);
/* cmocka setup/teardown wrappers storing the fixture in *state. */
int fixture_setup(void **state);
int fixture_teardown(void **state);

/* The fixture's clock (user: the fixture), for other engines on its store. */
refund_time fixture_clock(void *user);
/* Options for another engine: the fixture's allocator and clock, on store. */
refund_engine_options fixture_engine_options(fixture *f, refund_store *store);
/* The store the fixture's engine talks to: f->faulty if there is one. */
refund_store *fixture_engine_store(const fixture *f);

#endif
