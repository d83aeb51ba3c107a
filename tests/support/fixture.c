#include "fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "faulty_store.h"

refund_time fixture_clock(void *user)
{
	return ((fixture *)user)->now;
}

refund_engine_options fixture_engine_options(fixture *f, refund_store *store)
{
	refund_engine_options opts = REFUND_ENGINE_OPTIONS_INIT;

	opts.allocator = &f->fa.allocator;
	opts.clock = fixture_clock;
	opts.clock_user = f;
	opts.store = store;
	return opts;
}

refund_store *fixture_engine_store(const fixture *f)
{
	return f->faulty ? f->faulty : f->store;
}

static fixture *fixture_make(int faulty)
{
	fixture *f = calloc(1, sizeof(*f));
	refund_engine_options opts;

	assert_non_null(f);
	failalloc_init(&f->fa);
	f->now = 1735689600; /* 2025-01-01T00:00:00Z */
	assert_int_equal(refund_store_memory_new(&f->store, &f->fa.allocator), 0);
	if (faulty)
		assert_int_equal(faulty_store_new(f->store, &f->faulty), 0);
	opts = fixture_engine_options(f, fixture_engine_store(f));
	assert_int_equal(refund_engine_new(&f->engine, &opts), 0);
	return f;
}

fixture *fixture_new(void)
{
	return fixture_make(0);
}

fixture *fixture_new_faulty(void)
{
	return fixture_make(1);
}

void fixture_free(fixture *f)
{
	if (!f)
		return;
	refund_engine_free(f->engine);
	refund_store_free(f->faulty);
	refund_store_free(f->store);
	assert_int_equal(f->fa.live, 0);
	free(f);
}

int fixture_setup(void **state)
{
	*state = fixture_new();
	return 0;
}

int fixture_teardown(void **state)
{
	fixture_free(*state);
	return 0;
}
