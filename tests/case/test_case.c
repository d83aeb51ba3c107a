/*
 * Refund cases: the domain's stories (case_scenarios.c), each run once on a
 * fresh world with no faults.  test_case_faults runs the same stories with
 * every allocation and store call failing in turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "case_fixture.h"
#include "case_scenarios.h"

typedef struct story {
	const case_scenario *scenario;
	fixture *f;
} story;

static int story_setup(void **state)
{
	story *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->scenario = *state;
	s->f = fixture_new();
	build_world(s->f, 0);
	*state = s;
	return 0;
}

static int story_teardown(void **state)
{
	story *s = *state;

	fixture_free(s->f);
	free(s);
	return 0;
}

static void run_story(void **state)
{
	story *s = *state;

	s->scenario->run(s->f);
}

int main(void)
{
	struct CMUnitTest *tests = case_scenario_tests(run_story, story_setup, story_teardown);
	int failed;

	failed = _cmocka_run_group_tests("case", tests, case_scenario_count, NULL, NULL);
	free(tests);
	return failed;
}
