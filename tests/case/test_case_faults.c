/*
 * The stories of case_scenarios.c under faults.  Each story runs once with
 * no faults for its final store dump, then again in every mode: the k-th
 * allocation failing (once, or from k on) and the k-th store call failing
 * with REFUND_ESTORE, REFUND_EBUSY and REFUND_ECONFLICT (once, or from k
 * on), for k = 1, 2, ... at every library call the story makes
 * (fault_steps.h checks each failure: the injected code, the handle, every
 * ledger and the store unchanged, nothing leaked).  Each faulted run must end
 * with the same store, byte for byte, and with nothing allocated.
 *
 * No story is left out of the store-fault modes: those that make engines
 * of their own (two engines, a store failing at commit, a tampering store)
 * put them over the fixture's faulty store, so its faults reach them too.
 *
 * FAULT_STRIDE=n in the environment tries every n-th k only (for valgrind);
 * argv[1] runs the stories whose names match it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "case_fixture.h"
#include "case_scenarios.h"
#include "fault_steps.h"
#include "store_dump.h"

static const fault_mode modes[] = {
	{ FAULT_OOM, REFUND_ENOMEM, 0 },
	{ FAULT_OOM, REFUND_ENOMEM, 1 },
	{ FAULT_STORE, REFUND_ESTORE, 0 },
	{ FAULT_STORE, REFUND_ESTORE, 1 },
	{ FAULT_STORE, REFUND_EBUSY, 0 },
	{ FAULT_STORE, REFUND_EBUSY, 1 },
	{ FAULT_STORE, REFUND_ECONFLICT, 0 },
	{ FAULT_STORE, REFUND_ECONFLICT, 1 },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

static long totals[NMODES];

/* The story in mode m (FAULT_NONE: as test_case runs it); its final dump. */
static char *run_in_mode(const case_scenario *s, const fault_mode *m, long *points,
		long *writes)
{
	fixture *f = m->kind == FAULT_STORE ? fixture_new_faulty() : fixture_new();
	char *dump = NULL;

	build_world(f, 0);   /* the world is the same in every mode: not faulted */
	f->faults = *m;
	s->run(f);
	f->faults.kind = FAULT_NONE;
	*points = f->fault_points;
	*writes = f->fault_writes;
	assert_int_equal(store_dump(f->store, &dump), 0);
	fixture_free(f);     /* asserts that nothing is left allocated */
	return dump;
}

static void run_story(void **state)
{
	const case_scenario *s = *state;
	const fault_mode none = { FAULT_NONE, 0, 0 };
	long points, writes, counts[NMODES];
	char *reference, *dump, name[64];
	size_t i;

	reference = run_in_mode(s, &none, &points, &writes);
	assert_int_equal(points, 0);
	for (i = 0; i < NMODES; i++) {
		dump = run_in_mode(s, &modes[i], &points, &writes);
		assert_string_equal(dump, reference);
		free(dump);
		printf("%-34s %-28s %5ld failure points (calls that wrote: %ld)\n", s->name,
				fault_mode_name(&modes[i], name, sizeof(name)), points, writes);
		/*
		 * The floor, so that injection cannot silently stop: every story
		 * writes, a call that writes makes at least one store call (the
		 * commit), and k = 1 is always tried.  Allocations are fewer: the
		 * memory store keeps events, nodes and new records in chunks
		 * that hold hundreds, but every story opens a case, whose handle
		 * is allocated.
		 */
		assert_true(writes >= 1);
		if (modes[i].kind == FAULT_OOM)
			assert_true(points >= 1);
		else
			assert_true(points >= writes);
		counts[i] = points;
		totals[i] += points;
	}
	/*
	 * Each allocation and store call is a failure point of its own, whether
	 * it fails once or from then on, and whatever the store says: the
	 * engine neither retries nor passes over a failure.
	 */
	assert_int_equal(counts[0], counts[1]);
	for (i = 3; i < NMODES; i++)
		assert_int_equal(counts[i], counts[2]);
	free(reference);
}

int main(int argc, char **argv)
{
	struct CMUnitTest *tests = case_scenario_tests(run_story, NULL, NULL);
	char name[64];
	size_t i;
	int failed;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	failed = _cmocka_run_group_tests("case_faults", tests, case_scenario_count, NULL, NULL);
	printf("\nfailure points, all stories (FAULT_STRIDE=%ld):\n", fault_stride());
	for (i = 0; i < NMODES; i++)
		printf("  %-28s %7ld\n", fault_mode_name(&modes[i], name, sizeof(name)), totals[i]);
	free(tests);
	return failed;
}
