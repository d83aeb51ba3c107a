/*
 * Refund cases: the domain's stories (case_scenarios.c), each run once on a
 * fresh world with no faults.  test_case_faults runs the same stories with
 * every allocation and store call failing in turn.
 *
 * Each story also pins the stored format: the SHA-256 of the whole store
 * after it (store_dump: every record's and event's bytes) is listed in
 * stored_format.h.  A host's database outlives any version of the library,
 * so a change of those bytes must be deliberate (docs/ABI.md says how),
 * never the side effect of a faster encoder.  REFUND_PRINT_FORMAT=1 prints
 * the digests instead of checking them.
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
#include "sha256.h"
#include "store_dump.h"
#include "stored_format.h"

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

static const char *pinned_digest(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(stored_format) / sizeof(stored_format[0]); i++)
		if (strcmp(stored_format[i].scenario, name) == 0)
			return stored_format[i].sha256;
	return "(no digest pinned for this story in stored_format.h)";
}

static void check_stored_format(const story *s)
{
	unsigned char digest[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];
	char *dump = NULL;
	const char *print = getenv("REFUND_PRINT_FORMAT");

	assert_int_equal(store_dump(s->f->store, &dump), 0);
	sha256(dump, strlen(dump), digest);
	sha256_hex(digest, hex);
	free(dump);
	if (print && strcmp(print, "1") == 0)
		printf("\t{ \"%s\", \"%s\" },\n", s->scenario->name, hex);
	else
		assert_string_equal(hex, pinned_digest(s->scenario->name));
}

static void run_story(void **state)
{
	story *s = *state;

	s->scenario->run(s->f);
	check_stored_format(s);
}

int main(void)
{
	struct CMUnitTest *tests = case_scenario_tests(run_story, story_setup, story_teardown);
	int failed;

	failed = _cmocka_run_group_tests("case", tests, case_scenario_count, NULL, NULL);
	free(tests);
	return failed;
}
