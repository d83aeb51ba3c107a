/*
 * The domain's stories, end to end (case_scenarios.c).  Each runs on a
 * fixture with build_world(f, 0) and makes every library call through
 * fault_steps.h, so test_case runs them once and test_case_faults runs them
 * under every fault mode.
 */
#ifndef REFUND_TEST_CASE_SCENARIOS_H
#define REFUND_TEST_CASE_SCENARIOS_H

#include <stddef.h>

#include "fixture.h"

typedef struct case_scenario {
	const char *name;
	void (*run)(fixture *f);
} case_scenario;

extern const case_scenario case_scenarios[];
extern const size_t case_scenario_count;

struct CMUnitTest;
/* A cmocka test per story (free() the array): its initial state is the story. */
struct CMUnitTest *case_scenario_tests(void (*test)(void **state),
		int (*setup)(void **state), int (*teardown)(void **state));

#endif
