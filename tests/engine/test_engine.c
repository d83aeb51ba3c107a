/* The engine, errors, versions, roles and the versioned structs' init functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>
#include <refund/sys/store.h>

#include "failalloc.h"
#include "fixture.h"

static refund_engine *const SENTINEL = (refund_engine *)&SENTINEL;

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(refund_version(), REFUND_VERSION_STRING);
	assert_int_equal(refund_version_number(), REFUND_VERSION_NUMBER);
	assert_int_equal(REFUND_VERSION_NUMBER, REFUND_VERSION_MAJOR * 10000 +
			REFUND_VERSION_MINOR * 100 + REFUND_VERSION_PATCH);
}

static void test_strerror_every_code(void **state)
{
	int code, other;

	(void)state;
	for (code = 0; code >= REFUND_EEVIDENCE; code--) {
		const char *en = refund_strerror(code, REFUND_LANG_EN);
		const char *zh = refund_strerror(code, REFUND_LANG_ZH_CN);

		assert_string_not_equal(en, "unknown error");
		assert_string_not_equal(en, zh);
		assert_true(strncmp(refund_error_name(code), "REFUND_", 7) == 0);
		for (other = 0; other > code; other--)
			assert_string_not_equal(en, refund_strerror(other, REFUND_LANG_EN));
	}
	assert_string_equal(refund_strerror(REFUND_EEVIDENCE - 1, REFUND_LANG_EN), "unknown error");
	assert_string_equal(refund_strerror(1, REFUND_LANG_ZH_CN), "unknown error");
	assert_string_equal(refund_error_name(-1000), "REFUND_E?");
	assert_string_equal(refund_error_name(REFUND_ECONFLICT), "REFUND_ECONFLICT");
	/* Fixed values: they are ABI. */
	assert_int_equal(REFUND_EINVAL, -1);
	assert_int_equal(REFUND_ECONFLICT, -7);
	assert_int_equal(REFUND_ECORRUPT, -12);
	assert_int_equal(REFUND_ERANGE, -21);
	assert_int_equal(REFUND_EEVIDENCE, -22);
}

static void test_roles(void **state)
{
	int role, back;

	(void)state;
	for (role = REFUND_ROLE_APPLICANT; role <= REFUND_ROLE_SYSTEM; role++) {
		assert_non_null(refund_role_name(role));
		assert_int_equal(refund_role_from_name(refund_role_name(role), &back), 0);
		assert_int_equal(back, role);
	}
	assert_null(refund_role_name(0));
	assert_null(refund_role_name(REFUND_ROLE_SYSTEM + 1));
	back = 77;
	assert_int_equal(refund_role_from_name("boss", &back), REFUND_ENOTFOUND);
	assert_int_equal(back, 77);
	assert_int_equal(refund_role_from_name(NULL, &back), REFUND_EINVAL);
	assert_int_equal(refund_role_from_name("admin", NULL), REFUND_EINVAL);
}

static void test_struct_inits(void **state)
{
	refund_engine_options o;
	refund_allocator a;
	refund_store s;
	refund_deposit_info di;

	(void)state;
	memset(&o, 0xAB, sizeof(o));
	assert_int_equal(refund_engine_options_init(&o, REFUND_ENGINE_OPTIONS_VERSION), 0);
	assert_int_equal(o.version, REFUND_ENGINE_OPTIONS_VERSION);
	assert_null(o.store);
	assert_null(o.allocator);
	assert_int_equal(o.lang, REFUND_LANG_EN);
	assert_int_equal(refund_engine_options_init(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_engine_options_init(&o, 2), REFUND_EVERSION);

	memset(&a, 0xAB, sizeof(a));
	assert_int_equal(refund_allocator_init(&a, REFUND_ALLOCATOR_VERSION), 0);
	assert_null(a.alloc);
	assert_null(a.opaque);
	assert_int_equal(refund_allocator_init(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_allocator_init(&a, 0), REFUND_EVERSION);

	memset(&s, 0xAB, sizeof(s));
	assert_int_equal(refund_store_init(&s, REFUND_STORE_VERSION), 0);
	assert_int_equal(s.version, REFUND_STORE_VERSION);
	assert_null(s.load);
	assert_null(s.free);
	assert_int_equal(refund_store_init(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_store_init(&s, 99), REFUND_EVERSION);

	memset(&di, 0xAB, sizeof(di));
	assert_int_equal(refund_deposit_info_init(&di, REFUND_DEPOSIT_INFO_VERSION), 0);
	assert_null(di.id);
	assert_int_equal(di.contract_end, REFUND_TIME_NONE);
	assert_int_equal(refund_deposit_info_init(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_deposit_info_init(&di, 3), REFUND_EVERSION);
}

static int dummy_load(refund_store *s, int k, const char *id, refund_store_record_cb cb,
		void *ctx)
{
	(void)s; (void)k; (void)id; (void)cb; (void)ctx;
	return REFUND_ENOTFOUND;
}

static int dummy_commit(refund_store *s, const refund_store_batch *b)
{
	(void)s; (void)b;
	return REFUND_ESTORE;
}

static int dummy_events(refund_store *s, int k, const char *id, uint64_t from,
		refund_store_event_cb cb, void *ctx)
{
	(void)s; (void)k; (void)id; (void)from; (void)cb; (void)ctx;
	return 0;
}

static int dummy_due(refund_store *s, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	(void)s; (void)before; (void)limit; (void)cb; (void)ctx;
	return 0;
}

static void dummy_store(refund_store *s)
{
	assert_int_equal(refund_store_init(s, REFUND_STORE_VERSION), 0);
	s->load = dummy_load;
	s->commit = dummy_commit;
	s->events = dummy_events;
	s->due = dummy_due;
}

static void expect_new_fails(const refund_engine_options *o, int code)
{
	refund_engine *e = SENTINEL;

	assert_int_equal(refund_engine_new(&e, o), code);
	assert_ptr_equal(e, SENTINEL);
}

static void test_new_refuses_bad_options(void **state)
{
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_allocator half = REFUND_ALLOCATOR_INIT;
	refund_store s;
	failalloc fa;

	(void)state;
	dummy_store(&s);
	failalloc_init(&fa);
	assert_int_equal(refund_engine_new(NULL, &o), REFUND_EINVAL);
	expect_new_fails(NULL, REFUND_EINVAL);
	expect_new_fails(&o, REFUND_EINVAL); /* no store */
	o.store = &s;
	o.version = 2;
	expect_new_fails(&o, REFUND_EVERSION);
	o.version = REFUND_ENGINE_OPTIONS_VERSION;
	o.lang = (refund_lang)7;
	expect_new_fails(&o, REFUND_EINVAL);
	o.lang = REFUND_LANG_ZH_CN;
	s.version = 9;
	expect_new_fails(&o, REFUND_EVERSION);
	s.version = REFUND_STORE_VERSION;
	s.due = NULL;
	expect_new_fails(&o, REFUND_EINVAL);
	s.due = dummy_due;
	half.alloc = fa.allocator.alloc;
	o.allocator = &half;
	expect_new_fails(&o, REFUND_EINVAL);
	fa.allocator.version = 5;
	o.allocator = &fa.allocator;
	expect_new_fails(&o, REFUND_EVERSION);
	fa.allocator.version = REFUND_ALLOCATOR_VERSION;
	failalloc_arm(&fa, 1, 0);
	expect_new_fails(&o, REFUND_ENOMEM);
	assert_int_equal(fa.live, 0);
	failalloc_disarm(&fa);
	{
		refund_engine *e = NULL;

		assert_int_equal(refund_engine_new(&e, &o), 0);
		assert_int_equal(refund_engine_lang(e), REFUND_LANG_ZH_CN);
		assert_string_equal(refund_engine_errmsg(e), "");
		refund_engine_free(e);
	}
	assert_int_equal(fa.live, 0);
	refund_engine_free(NULL);
	refund_store_free(NULL);
}

static refund_time bad_clock(void *user)
{
	return *(refund_time *)user;
}

static void test_clock(void **state)
{
	fixture *f = *state;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e = NULL;
	refund_time t = 0, wild = -5;

	assert_int_equal(refund_engine_now(f->engine, &t), 0);
	assert_int_equal(t, f->now);
	f->now = 1760000000;
	assert_int_equal(refund_engine_now(f->engine, &t), 0);
	assert_int_equal(t, 1760000000);
	assert_int_equal(refund_engine_now(NULL, &t), REFUND_EINVAL);
	assert_int_equal(refund_engine_now(f->engine, NULL), REFUND_EINVAL);

	o.store = f->store;
	o.clock = bad_clock;
	o.clock_user = &wild;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	t = 42;
	assert_int_equal(refund_engine_now(e, &t), REFUND_EINVAL);
	assert_int_equal(t, 42);
	assert_non_null(strstr(refund_engine_errmsg(e), "1970"));
	wild = REFUND_TIME_MAX + 1;
	assert_int_equal(refund_engine_now(e, &t), REFUND_EINVAL);
	refund_engine_free(e);

	/* The default clock is the system's: somewhere after this code was written. */
	o.clock = NULL;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	assert_int_equal(refund_engine_now(e, &t), 0);
	assert_true(t > 1735689600);
	refund_engine_free(e);
}

static void test_lang_and_errmsg(void **state)
{
	fixture *f = *state;
	const char *msg;

	assert_string_equal(refund_engine_errmsg(f->engine), "");
	assert_string_equal(refund_engine_errmsg(NULL), "no engine");
	assert_int_equal(refund_engine_lang(NULL), REFUND_LANG_EN);
	assert_int_equal(refund_engine_set_lang(f->engine, (refund_lang)3), REFUND_EINVAL);
	assert_int_equal(refund_engine_lang(f->engine), REFUND_LANG_EN);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "language"));
	assert_int_equal(refund_engine_set_lang(NULL, REFUND_LANG_EN), REFUND_EINVAL);

	assert_int_equal(refund_engine_set_currency(f->engine, "cny", 2), REFUND_EINVAL);
	msg = refund_engine_errmsg(f->engine);
	assert_non_null(strstr(msg, "three upper-case letters"));
	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_ZH_CN), 0);
	assert_int_equal(refund_engine_set_currency(f->engine, "cny", 2), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "大写字母"));
}

static void test_set_currency(void **state)
{
	fixture *f = *state;
	int exp = -1;
	long live;
	long k;

	assert_int_equal(refund_engine_set_currency(NULL, "XTS", 2), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, NULL, 2), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, "CNYY", 2), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, "CN", 2), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, "C1Y", 2), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, "ZZZ", 5), REFUND_EINVAL);
	assert_int_equal(refund_engine_set_currency(f->engine, "ZZZ", -1), REFUND_EINVAL);
	assert_int_equal(refund_currency_exponent(f->engine, "ZZZ", &exp), REFUND_ECURRENCY);

	/* Out of memory while adding: nothing added, nothing leaked. */
	live = f->fa.live;
	for (k = 1;; k++) {
		int rc;

		failalloc_arm(&f->fa, k, 0);
		rc = refund_engine_set_currency(f->engine, "ZZZ", 3);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_int_equal(f->fa.live, live);
		assert_int_equal(refund_currency_exponent(f->engine, "ZZZ", &exp),
				REFUND_ECURRENCY);
	}
	failalloc_disarm(&f->fa);
	assert_int_equal(k, 2);
	assert_int_equal(refund_currency_exponent(f->engine, "ZZZ", &exp), 0);
	assert_int_equal(exp, 3);
	assert_int_equal(refund_engine_set_currency(f->engine, "ZZZ", 1), 0);
	assert_int_equal(refund_currency_exponent(f->engine, "ZZZ", &exp), 0);
	assert_int_equal(exp, 1);
	/* Overrides are per engine: the built-in table is unchanged. */
	assert_int_equal(refund_engine_set_currency(f->engine, "JPY", 2), 0);
	assert_int_equal(refund_currency_exponent(f->engine, "JPY", &exp), 0);
	assert_int_equal(exp, 2);
	assert_int_equal(refund_currency_exponent(NULL, "JPY", &exp), 0);
	assert_int_equal(exp, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_strerror_every_code),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_struct_inits),
		cmocka_unit_test(test_new_refuses_bad_options),
		cmocka_unit_test_setup_teardown(test_clock, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_lang_and_errmsg, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_currency, fixture_setup,
				fixture_teardown),
	};

	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
