/* Deposits: creation, loading, listing, the ledger and its invariant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>
#include <refund/sys/store.h>

#include "alloc.h"
#include "binary.h"
#include "deposit.h"
#include "faulty_store.h"
#include "fixture.h"
#include "store_contract.h"
#include "store_dump.h"

static refund_deposit *const SENTINEL = (refund_deposit *)&SENTINEL;

static refund_deposit_info sample_info(const char *id)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;

	info.id = id;
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-00042";
	info.contract_id = "C-2024-18";
	info.receipt = "收据 No. 88";
	info.amount = 50000;  /* 500.00 CNY */
	info.currency = "CNY";
	info.paid_at = 1704067200;  /* 2024-01-01 */
	info.contract_end = 1767225600;  /* 2026-01-01 */
	return info;
}

static refund_deposit *create(fixture *f, const char *id)
{
	refund_deposit_info info = sample_info(id);
	refund_deposit *d = NULL;

	assert_int_equal(refund_deposit_create(f->engine, &d, &info, "clerk-1",
			REFUND_ROLE_AGENT), 0);
	return d;
}

static char *dump(fixture *f)
{
	char *out = NULL;

	assert_int_equal(store_dump(f->store, &out), 0);
	return out;
}

static void assert_invariant(const refund_deposit *d)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	refund_entry entry = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };
	int64_t held = 0, refunded = 0, deducted = 0;
	size_t i;

	assert_int_equal(refund_deposit_balance(d, &b), 0);
	for (i = 0; i < refund_deposit_entry_count(d); i++) {
		assert_int_equal(refund_deposit_entry(d, i, &entry), 0);
		assert_int_equal(entry.seq, i + 1);
		assert_true(entry.amount > 0);
		if (entry.kind == REFUND_ENTRY_HOLD)
			held += entry.amount;
		else if (entry.kind == REFUND_ENTRY_REFUND)
			refunded += entry.amount;
		else
			deducted += entry.amount;
	}
	assert_int_equal(b.held, held);
	assert_int_equal(b.refunded, refunded);
	assert_int_equal(b.deducted, deducted);
	assert_int_equal(b.held, b.refunded + b.deducted + b.remaining);
	assert_true(b.remaining >= 0);
}

static void test_create_and_fields(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	refund_balance b = { REFUND_BALANCE_VERSION, -1, -1, -1, -1 };
	refund_entry entry = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

	assert_string_equal(refund_deposit_id(d), "D-1");
	assert_string_equal(refund_deposit_holder(d), "M-1001");
	assert_string_equal(refund_deposit_agent(d), "AG-7");
	assert_string_equal(refund_deposit_terminal_serial(d), "SN-00042");
	assert_string_equal(refund_deposit_contract_id(d), "C-2024-18");
	assert_string_equal(refund_deposit_receipt(d), "收据 No. 88");
	assert_string_equal(refund_deposit_currency(d), "CNY");
	assert_int_equal(refund_deposit_paid_at(d), 1704067200);
	assert_int_equal(refund_deposit_contract_end(d), 1767225600);
	assert_int_equal(refund_deposit_days_in_service(d), 0);
	assert_int_equal(refund_deposit_transaction_volume(d), 0);
	assert_int_equal(refund_deposit_version(d), 1);
	assert_int_equal(refund_deposit_balance(d, &b), 0);
	assert_int_equal(b.held, 50000);
	assert_int_equal(b.refunded, 0);
	assert_int_equal(b.deducted, 0);
	assert_int_equal(b.remaining, 50000);
	assert_int_equal(refund_deposit_entry_count(d), 1);
	assert_int_equal(refund_deposit_entry(d, 0, &entry), 0);
	assert_int_equal(entry.seq, 1);
	assert_int_equal(entry.kind, REFUND_ENTRY_HOLD);
	assert_int_equal(entry.amount, 50000);
	assert_int_equal(entry.at, f->now);
	assert_string_equal(entry.actor, "clerk-1");
	assert_int_equal(entry.role, REFUND_ROLE_AGENT);
	assert_string_equal(entry.reference, "收据 No. 88");
	assert_null(entry.case_id);
	refund_deposit_free(d);

	/* Loading gives back exactly what was created. */
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-1"), 0);
	assert_string_equal(refund_deposit_receipt(d), "收据 No. 88");
	assert_int_equal(refund_deposit_contract_end(d), 1767225600);
	assert_int_equal(refund_deposit_version(d), 1);
	assert_invariant(d);
	refund_deposit_free(d);
	refund_deposit_free(NULL);
}

static void test_create_optional_fields_absent(void **state)
{
	fixture *f = *state;
	refund_deposit_info info = sample_info("D-2");
	refund_deposit *d = NULL;

	info.contract_id = NULL;
	info.receipt = NULL;
	info.contract_end = REFUND_TIME_NONE;
	assert_int_equal(refund_deposit_create(f->engine, NULL, &info, "fin", REFUND_ROLE_FINANCE), 0);
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-2"), 0);
	assert_null(refund_deposit_contract_id(d));
	assert_null(refund_deposit_receipt(d));
	assert_int_equal(refund_deposit_contract_end(d), REFUND_TIME_NONE);
	refund_deposit_free(d);
}

/* Each bad input gives its code, leaves *out alone and the store as it was. */
static void expect_create_fails(fixture *f, const refund_deposit_info *info,
		const char *actor, int role, int code)
{
	refund_deposit *d = SENTINEL;
	char *before = dump(f), *after;

	assert_int_equal(refund_deposit_create(f->engine, &d, info, actor, role), code);
	assert_ptr_equal(d, SENTINEL);
	assert_true(refund_engine_errmsg(f->engine)[0] != '\0');
	after = dump(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_create_refuses_bad_input(void **state)
{
	fixture *f = *state;
	refund_deposit_info info;
	char long_id[REFUND_ID_MAX + 2];
	refund_deposit *d = NULL;

	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(refund_deposit_create(NULL, &d, NULL, "a", REFUND_ROLE_AGENT),
			REFUND_EINVAL);
	expect_create_fails(f, NULL, "a", REFUND_ROLE_AGENT, REFUND_EINVAL);

#define BAD(field, value, code) do { \
		info = sample_info("D-bad"); \
		info.field = value; \
		expect_create_fails(f, &info, "a", REFUND_ROLE_AGENT, code); \
	} while (0)
	BAD(version, 0, REFUND_EVERSION);
	BAD(id, NULL, REFUND_EINVAL);
	BAD(id, "", REFUND_EINVAL);
	BAD(id, "has space", REFUND_EINVAL);
	BAD(id, "tab\there", REFUND_EINVAL);
	BAD(id, "押金", REFUND_EINVAL);
	BAD(id, long_id, REFUND_EINVAL);
	BAD(holder, NULL, REFUND_EINVAL);
	BAD(agent, "", REFUND_EINVAL);
	BAD(terminal_serial, NULL, REFUND_EINVAL);
	BAD(contract_id, "bad\x01", REFUND_EINVAL);
	BAD(receipt, "\xC0\x80", REFUND_EINVAL);
	BAD(receipt, "bell\a", REFUND_EINVAL);
	BAD(amount, 0, REFUND_EINVAL);
	BAD(amount, -1, REFUND_EINVAL);
	BAD(amount, INT64_MIN, REFUND_EINVAL);
	BAD(currency, NULL, REFUND_EINVAL);
	BAD(currency, "cny", REFUND_EINVAL);
	BAD(currency, "XXQ", REFUND_ECURRENCY);
	BAD(paid_at, -1, REFUND_EINVAL);
	BAD(paid_at, REFUND_TIME_NONE, REFUND_EINVAL);
	BAD(paid_at, REFUND_TIME_MAX + 1, REFUND_EINVAL);
	BAD(contract_end, -86400, REFUND_EINVAL);
#undef BAD
	info = sample_info("D-bad");
	expect_create_fails(f, &info, NULL, REFUND_ROLE_AGENT, REFUND_EINVAL);
	expect_create_fails(f, &info, "a b", REFUND_ROLE_AGENT, REFUND_EINVAL);
	expect_create_fails(f, &info, "a", 0, REFUND_EINVAL);
	expect_create_fails(f, &info, "a", 99, REFUND_EINVAL);
	expect_create_fails(f, &info, "a", REFUND_ROLE_APPLICANT, REFUND_EDENIED);
	expect_create_fails(f, &info, "a", REFUND_ROLE_REVIEWER, REFUND_EDENIED);
	expect_create_fails(f, &info, "a", REFUND_ROLE_SYSTEM, REFUND_EDENIED);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "system"));

	/* An existing id is refused and the first deposit is untouched. */
	refund_deposit_free(create(f, "D-dup"));
	info = sample_info("D-dup");
	info.amount = 1;
	expect_create_fails(f, &info, "a", REFUND_ROLE_ADMIN, REFUND_EEXISTS);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "D-dup"));
}

static void test_create_out_of_memory(void **state)
{
	fixture *f = *state;
	refund_deposit_info info = sample_info("D-oom");
	long live = f->fa.live, k;
	char *before = dump(f);

	for (k = 1;; k++) {
		refund_deposit *d = SENTINEL;
		char *now;
		int rc;

		failalloc_arm(&f->fa, k, 0);
		rc = refund_deposit_create(f->engine, &d, &info, "a", REFUND_ROLE_AGENT);
		failalloc_disarm(&f->fa);
		if (rc == 0) {
			refund_deposit_free(d);
			break;
		}
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(d, SENTINEL);
		assert_int_equal(f->fa.live, live);
		now = dump(f);
		assert_string_equal(now, before);
		free(now);
	}
	assert_true(k > 5);  /* the loop really went through the allocations */
	free(before);
	print_message("create: %ld allocation failure points\n", k - 1);
}

static void test_load_errors(void **state)
{
	fixture *f = *state;
	refund_deposit *d = SENTINEL;
	long live, k;

	assert_int_equal(refund_deposit_load(NULL, &d, "D-1"), REFUND_EINVAL);
	assert_int_equal(refund_deposit_load(f->engine, NULL, "D-1"), REFUND_EINVAL);
	assert_int_equal(refund_deposit_load(f->engine, &d, NULL), REFUND_EINVAL);
	assert_int_equal(refund_deposit_load(f->engine, &d, "bad id"), REFUND_EINVAL);
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-404"), REFUND_ENOTFOUND);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "D-404"));
	assert_ptr_equal(d, SENTINEL);

	refund_deposit_free(create(f, "D-1"));
	live = f->fa.live;
	for (k = 1;; k++) {
		int rc;

		failalloc_arm(&f->fa, k, 0);
		rc = refund_deposit_load(f->engine, &d, "D-1");
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(d, SENTINEL);
		assert_int_equal(f->fa.live, live);
	}
	/* the handle, its texts, its ledger and the hold's texts */
	assert_true(k > 4);
	assert_string_equal(refund_deposit_id(d), "D-1");
	refund_deposit_free(d);
}

static void test_post_and_balance(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	refund_entry entry = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

	f->now += 3600;
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_DAMAGE, 8000, "fin-1",
			REFUND_ROLE_FINANCE, "inspection IR-9"), 0);
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_HANDLING_FEE, 500, "fin-1",
			REFUND_ROLE_FINANCE, NULL), 0);
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 41500, "adm",
			REFUND_ROLE_ADMIN, "bank ref 7781"), 0);
	assert_int_equal(refund_deposit_version(d), 4);
	assert_int_equal(refund_deposit_balance(d, &b), 0);
	assert_int_equal(b.held, 50000);
	assert_int_equal(b.refunded, 41500);
	assert_int_equal(b.deducted, 8500);
	assert_int_equal(b.remaining, 0);
	assert_int_equal(refund_deposit_entry(d, 1, &entry), 0);
	assert_int_equal(entry.kind, REFUND_ENTRY_DAMAGE);
	assert_int_equal(entry.at, f->now);
	assert_string_equal(entry.reference, "inspection IR-9");
	assert_int_equal(refund_deposit_entry(d, 3, &entry), 0);
	assert_string_equal(entry.actor, "adm");
	assert_invariant(d);

	/* Nothing left: any further movement is refused and nothing is written. */
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 1, "fin-1",
			REFUND_ROLE_FINANCE, NULL), REFUND_EBALANCE);
	assert_int_equal(refund_deposit_version(d), 4);
	assert_int_equal(refund_deposit_entry_count(d), 4);
	refund_deposit_free(d);
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-1"), 0);
	assert_int_equal(refund_deposit_version(d), 4);
	assert_int_equal(refund_deposit_entry_count(d), 4);
	assert_invariant(d);
	refund_deposit_free(d);
}

static void expect_post_fails(fixture *f, refund_deposit *d, int kind, int64_t amount,
		const char *actor, int role, const char *ref, int code)
{
	char *before = dump(f), *after;
	uint64_t version = refund_deposit_version(d);
	size_t n = refund_deposit_entry_count(d);

	assert_int_equal(refund_deposit_post(d, kind, amount, actor, role, ref), code);
	assert_int_equal(refund_deposit_version(d), version);
	assert_int_equal(refund_deposit_entry_count(d), n);
	after = dump(f);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_post_refuses_bad_input(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	char big[REFUND_TEXT_MAX + 2];

	memset(big, 'r', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(refund_deposit_post(NULL, REFUND_ENTRY_REFUND, 1, "a",
			REFUND_ROLE_FINANCE, NULL), REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_HOLD, 100, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, 0, 100, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, 8, 100, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 0, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, -5, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 50001, "a", REFUND_ROLE_FINANCE, NULL, REFUND_EBALANCE);
	expect_post_fails(f, d, REFUND_ENTRY_FORFEIT, INT64_MAX, "a", REFUND_ROLE_ADMIN, NULL, REFUND_EBALANCE);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, NULL, REFUND_ROLE_FINANCE, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", REFUND_ROLE_APPLICANT, NULL, REFUND_EDENIED);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", REFUND_ROLE_AGENT, NULL, REFUND_EDENIED);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", REFUND_ROLE_REVIEWER, NULL, REFUND_EDENIED);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", -3, NULL, REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", REFUND_ROLE_FINANCE, "\xFF", REFUND_EINVAL);
	expect_post_fails(f, d, REFUND_ENTRY_REFUND, 1, "a", REFUND_ROLE_FINANCE, big, REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "reference"));
	assert_invariant(d);
	refund_deposit_free(d);
}

/*
 * A post by finance with each allocation failing in turn until it
 * succeeds: every failure REFUND_ENOMEM, with the handle (a new deposit's),
 * the heap and the store as before.  Returns the failure points; *made
 * gets the allocations the post that succeeded made.
 */
static long post_as_memory_allows(fixture *f, refund_deposit *d, int kind, int64_t amount,
		const char *reference, long *made)
{
	long live = f->fa.live, k;
	char *before = dump(f);

	for (k = 1;; k++) {
		char *now;
		int rc;

		failalloc_arm(&f->fa, k, 0);
		rc = refund_deposit_post(d, kind, amount, "fin-1", REFUND_ROLE_FINANCE, reference);
		*made = f->fa.count;
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_int_equal(refund_deposit_version(d), 1);
		assert_int_equal(refund_deposit_entry_count(d), 1);
		assert_int_equal(f->fa.live, live);
		now = dump(f);
		assert_string_equal(now, before);
		free(now);
	}
	free(before);
	return k - 1;
}

static void test_post_out_of_memory(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	long made;

	/* The entry's texts and the ledger's growth (the store's block has
	 * room for the entry). */
	assert_true(post_as_memory_allows(f, d, REFUND_ENTRY_MISSING_PARTS, 1200,
			"charger missing", &made) >= 2);
	assert_int_equal(refund_deposit_version(d), 2);
	assert_invariant(d);
	refund_deposit_free(d);
}

/* A record longer than a stage's own room (DEPOSIT_STAGE_BYTES): its bytes
 * are allocated, and that allocation too may fail with nothing changed. */
static void test_long_record_out_of_memory(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1"), *shorter = create(f, "D-2"), *back = NULL;
	refund_entry e = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };
	char reference[REFUND_TEXT_MAX + 1];
	long made = 0, made_short = 0;

	memset(reference, 'r', REFUND_TEXT_MAX);
	reference[REFUND_TEXT_MAX] = '\0';
	assert_true(post_as_memory_allows(f, d, REFUND_ENTRY_FEE_OFFSET, 700, reference,
			&made) >= 3);
	assert_true(post_as_memory_allows(f, shorter, REFUND_ENTRY_FEE_OFFSET, 700, "r",
			&made_short) >= 2);
	/* one allocation more than a short post: the record's bytes */
	assert_int_equal(made, made_short + 1);
	refund_deposit_free(shorter);
	assert_int_equal(refund_deposit_load(f->engine, &back, "D-1"), 0);
	assert_int_equal(refund_deposit_entry(back, 1, &e), 0);
	assert_string_equal(e.reference, reference);
	assert_int_equal(e.amount, 700);
	refund_deposit_free(back);
	refund_deposit_free(d);
}

/* A stage takes at most DEPOSIT_STAGE_ENTRIES entries; more is refused,
 * the handle untouched. */
static void test_stage_entry_limit(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	deposit_entry_spec specs[DEPOSIT_STAGE_ENTRIES + 1];
	deposit_stage st;
	size_t i;

	for (i = 0; i < DEPOSIT_STAGE_ENTRIES + 1; i++) {
		specs[i].kind = REFUND_ENTRY_FEE_OFFSET;
		specs[i].amount = 10;
		specs[i].actor = "fin-1";
		specs[i].role = REFUND_ROLE_FINANCE;
		specs[i].reference = NULL;
		specs[i].case_id = NULL;
	}
	assert_int_equal(refund__deposit_stage(d, specs, DEPOSIT_STAGE_ENTRIES + 1, 0, 0, NULL,
			1, &st), REFUND_EINVAL);
	assert_int_equal(refund_deposit_entry_count(d), 1);
	assert_int_equal(refund__deposit_stage(d, specs, DEPOSIT_STAGE_ENTRIES, 0, 0, NULL, 1,
			&st), 0);
	assert_int_equal(st.nentries, DEPOSIT_STAGE_ENTRIES);
	refund__deposit_stage_dispose(d, &st);
	assert_int_equal(refund_deposit_entry_count(d), 1);
	refund_deposit_free(d);
}

static void test_conflict_between_handles(void **state)
{
	fixture *f = *state;
	refund_deposit *a = create(f, "D-1"), *b = NULL;

	assert_int_equal(refund_deposit_load(f->engine, &b, "D-1"), 0);
	assert_int_equal(refund_deposit_post(a, REFUND_ENTRY_REFUND, 30000, "fin",
			REFUND_ROLE_FINANCE, NULL), 0);
	/* b is stale: had it been accepted, 60000 would have left a 50000 deposit. */
	assert_int_equal(refund_deposit_post(b, REFUND_ENTRY_REFUND, 30000, "fin",
			REFUND_ROLE_FINANCE, NULL), REFUND_ECONFLICT);
	assert_int_equal(refund_deposit_version(b), 1);
	assert_int_equal(refund_deposit_entry_count(b), 1);
	refund_deposit_free(b);
	assert_int_equal(refund_deposit_load(f->engine, &b, "D-1"), 0);
	assert_int_equal(refund_deposit_post(b, REFUND_ENTRY_REFUND, 30000, "fin",
			REFUND_ROLE_FINANCE, NULL), REFUND_EBALANCE);
	assert_int_equal(refund_deposit_post(b, REFUND_ENTRY_REFUND, 20000, "fin",
			REFUND_ROLE_FINANCE, NULL), 0);
	assert_invariant(b);
	refund_deposit_free(a);
	refund_deposit_free(b);
}

static void test_store_failure_changes_nothing(void **state)
{
	fixture *f = *state;
	refund_store *faulty = NULL;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e = NULL;
	refund_deposit *d = NULL;
	const int codes[] = { REFUND_ESTORE, REFUND_EBUSY, REFUND_ECONFLICT, -999 };
	const int want[] = { REFUND_ESTORE, REFUND_EBUSY, REFUND_ECONFLICT, REFUND_ESTORE };
	size_t i;

	refund_deposit_free(create(f, "D-1"));
	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	o.store = faulty;
	o.allocator = &f->fa.allocator;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	assert_int_equal(refund_deposit_load(e, &d, "D-1"), 0);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char *before = dump(f), *after;

		faulty_store_arm(faulty, 1, codes[i], 0);
		assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 100, "fin",
				REFUND_ROLE_FINANCE, NULL), want[i]);
		assert_int_equal(refund_deposit_version(d), 1);
		assert_int_equal(refund_deposit_entry_count(d), 1);
		after = dump(f);
		assert_string_equal(before, after);
		free(before);
		free(after);
	}
	faulty_store_disarm(faulty);
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 100, "fin",
			REFUND_ROLE_FINANCE, NULL), 0);
	assert_int_equal(refund_deposit_version(d), 2);
	refund_deposit_free(d);
	/* A failed load gives no handle. */
	faulty_store_arm(faulty, 1, REFUND_ESTORE, 0);
	d = SENTINEL;
	assert_int_equal(refund_deposit_load(e, &d, "D-1"), REFUND_ESTORE);
	assert_ptr_equal(d, SENTINEL);
	refund_engine_free(e);
	refund_store_free(faulty);
}

static void test_usage(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");

	assert_int_equal(refund_deposit_set_usage(d, 120, 3500000, "agent-7", REFUND_ROLE_AGENT), 0);
	assert_int_equal(refund_deposit_days_in_service(d), 120);
	assert_int_equal(refund_deposit_transaction_volume(d), 3500000);
	assert_int_equal(refund_deposit_version(d), 2);
	assert_int_equal(refund_deposit_set_usage(d, -1, 0, "a", REFUND_ROLE_ADMIN), REFUND_EINVAL);
	assert_int_equal(refund_deposit_set_usage(d, 0, -1, "a", REFUND_ROLE_ADMIN), REFUND_EINVAL);
	assert_int_equal(refund_deposit_set_usage(d, 1, 1, "a", REFUND_ROLE_APPLICANT), REFUND_EDENIED);
	assert_int_equal(refund_deposit_set_usage(d, 1, 1, "a", REFUND_ROLE_FINANCE), REFUND_EDENIED);
	assert_int_equal(refund_deposit_set_usage(d, 1, 1, NULL, REFUND_ROLE_ADMIN), REFUND_EINVAL);
	assert_int_equal(refund_deposit_set_usage(NULL, 1, 1, "a", REFUND_ROLE_ADMIN), REFUND_EINVAL);
	assert_int_equal(refund_deposit_days_in_service(d), 120);
	assert_int_equal(refund_deposit_version(d), 2);
	refund_deposit_free(d);
	assert_int_equal(refund_deposit_load(f->engine, &d, "D-1"), 0);
	assert_int_equal(refund_deposit_days_in_service(d), 120);
	assert_int_equal(refund_deposit_transaction_volume(d), 3500000);
	refund_deposit_free(d);
}

static void test_accessors_refuse_bad_input(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-1");
	refund_balance b = { 0, 0, 0, 0, 0 };
	refund_entry entry = { 0, 0, 0, 0, 0, NULL, 0, NULL, NULL };

	assert_int_equal(refund_deposit_balance(d, &b), REFUND_EVERSION);
	assert_int_equal(refund_deposit_balance(d, NULL), REFUND_EINVAL);
	assert_int_equal(refund_deposit_balance(NULL, &b), REFUND_EINVAL);
	assert_int_equal(refund_deposit_entry(d, 0, &entry), REFUND_EVERSION);
	entry.version = REFUND_ENTRY_VERSION;
	assert_int_equal(refund_deposit_entry(d, 1, &entry), REFUND_ENOTFOUND);
	assert_int_equal(refund_deposit_entry(NULL, 0, &entry), REFUND_EINVAL);
	assert_int_equal(refund_deposit_entry(d, 0, NULL), REFUND_EINVAL);
	assert_int_equal(refund_deposit_entry_count(NULL), 0);
	assert_null(refund_deposit_id(NULL));
	assert_null(refund_deposit_currency(NULL));
	assert_int_equal(refund_deposit_version(NULL), 0);
	assert_int_equal(refund_deposit_paid_at(NULL), REFUND_TIME_NONE);
	assert_string_equal(refund_entry_kind_name(REFUND_ENTRY_FEE_OFFSET), "fee_offset");
	assert_null(refund_entry_kind_name(0));
	assert_null(refund_entry_kind_name(8));
	refund_deposit_free(d);
}

typedef struct seen {
	char ids[16][REFUND_ID_MAX + 1];
	int count;
	int stop_at;
} seen;

static int collect(void *ctx, const refund_deposit *d)
{
	seen *s = ctx;

	snprintf(s->ids[s->count], sizeof(s->ids[0]), "%s", refund_deposit_id(d));
	s->count++;
	return s->count == s->stop_at ? 42 : 0;
}

static void test_list(void **state)
{
	fixture *f = *state;
	refund_deposit_filter filter = REFUND_DEPOSIT_FILTER_INIT;
	refund_deposit_info info;
	seen s;
	const char *ids[] = { "D-3", "D-1", "D-5", "D-2", "D-4" };
	size_t i;

	for (i = 0; i < 5; i++) {
		info = sample_info(ids[i]);
		info.holder = (i % 2) ? "M-odd" : "M-even";
		info.agent = i < 2 ? "AG-1" : "AG-2";
		assert_int_equal(refund_deposit_create(f->engine, NULL, &info, "a",
				REFUND_ROLE_AGENT), 0);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(refund_deposit_list(f->engine, NULL, collect, &s), 0);
	assert_int_equal(s.count, 5);
	assert_string_equal(s.ids[0], "D-1");
	assert_string_equal(s.ids[4], "D-5");

	memset(&s, 0, sizeof(s));
	filter.holder = "M-odd";
	assert_int_equal(refund_deposit_list(f->engine, &filter, collect, &s), 0);
	assert_int_equal(s.count, 2);
	assert_string_equal(s.ids[0], "D-1");
	assert_string_equal(s.ids[1], "D-2");

	memset(&s, 0, sizeof(s));
	filter.holder = NULL;
	filter.agent = "AG-2";
	filter.after_id = "D-2";
	filter.limit = 2;
	assert_int_equal(refund_deposit_list(f->engine, &filter, collect, &s), 0);
	assert_int_equal(s.count, 2);
	assert_string_equal(s.ids[0], "D-4");
	assert_string_equal(s.ids[1], "D-5");

	memset(&s, 0, sizeof(s));
	s.stop_at = 3;
	assert_int_equal(refund_deposit_list(f->engine, NULL, collect, &s), 42);
	assert_int_equal(s.count, 3);

	filter.version = 9;
	assert_int_equal(refund_deposit_list(f->engine, &filter, collect, &s), REFUND_EVERSION);
	filter.version = REFUND_DEPOSIT_FILTER_VERSION;
	filter.holder = "bad id";
	assert_int_equal(refund_deposit_list(f->engine, &filter, collect, &s), REFUND_EINVAL);
	assert_int_equal(refund_deposit_list(f->engine, NULL, NULL, &s), REFUND_EINVAL);
	assert_int_equal(refund_deposit_list(NULL, NULL, collect, &s), REFUND_EINVAL);
}

/* Write raw bytes as a deposit record, bypassing the library. */
/* Store data as deposit id, over what is there. */
static void put_bytes(fixture *f, const char *id, const void *data, size_t size)
{
	refund_store_put put;
	refund_store_batch batch = { &put, 1, NULL, 0 };
	uint64_t version = 0;
	int rc = f->store->load(f->store, REFUND_RECORD_DEPOSIT, id, sc_keep_version, &version);

	assert_true(rc == 0 || rc == REFUND_ENOTFOUND);
	memset(&put, 0, sizeof(put));
	put.expected_version = version;
	put.kind = REFUND_RECORD_DEPOSIT;
	put.id = id;
	put.data = data;
	put.size = size;
	put.index.next_deadline = REFUND_NO_DEADLINE;
	assert_int_equal(f->store->commit(f->store, &batch), 0);
}

static void put_raw(fixture *f, const char *id, const char *json)
{
	put_bytes(f, id, json, strlen(json));
}

#define GOOD_HEAD "{\"schema\":1,\"id\":\"X\",\"holder\":\"M\",\"agent\":\"A\",\"terminal\":\"T\"," \
	"\"contract\":null,\"receipt\":null,\"currency\":\"CNY\",\"paid_at\":1000," \
	"\"contract_end\":null,\"days_in_service\":0,\"transaction_volume\":0,\"open_case\":null,\"ledger\":"
#define HOLD(n) "{\"seq\":1,\"kind\":\"hold\",\"amount\":" #n ",\"at\":5,\"actor\":\"a\"," \
	"\"role\":\"agent\",\"reference\":null,\"case\":null}"
#define ENTRY(seq, kind, n) "{\"seq\":" #seq ",\"kind\":\"" kind "\",\"amount\":" #n \
	",\"at\":6,\"actor\":\"a\",\"role\":\"finance\",\"reference\":null,\"case\":null}"

static void test_corrupt_records(void **state)
{
	fixture *f = *state;
	static const char *const bad[] = {
		"",
		"not json",
		"{}",
		"[]",
		GOOD_HEAD "[]}",
		GOOD_HEAD "[" ENTRY(1, "refund", 100) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "refund", 101) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(3, "refund", 10) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "hold", 10) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "bribe", 10) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "refund", 0) "]}",
		GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "refund", -10) "]}",
		GOOD_HEAD "[" HOLD(-100) "]}",
		GOOD_HEAD "[" HOLD(9223372036854775807) "," ENTRY(2, "refund", 1) "," "{\"seq\":3,\"kind\":\"hold\",\"amount\":1,\"at\":6,\"actor\":\"a\",\"role\":\"agent\",\"reference\":null,\"case\":null}]}",
		GOOD_HEAD "{}}",
		GOOD_HEAD "[" HOLD(100) "]",  /* unterminated */
		GOOD_HEAD "[" HOLD(100) "]}x",
	};
	static const char *const fields[][2] = {
		{ "\"id\":\"X\"", "\"id\":\"Y\"" },
		{ "\"currency\":\"CNY\"", "\"currency\":\"QQQ\"" },
		{ "\"currency\":\"CNY\"", "\"currency\":7" },
		{ "\"paid_at\":1000", "\"paid_at\":-1" },
		{ "\"paid_at\":1000", "\"paid_at\":null" },
		{ "\"holder\":\"M\"", "\"holder\":\"M M\"" },
		{ "\"days_in_service\":0", "\"days_in_service\":-4" },
		{ "\"contract_end\":null", "\"contract_end\":\"soon\"" },
		{ "\"schema\":1", "\"schema\":2" },
		{ "\"agent\":\"A\",", "" },
	};
	const char *good = GOOD_HEAD "[" HOLD(100) "," ENTRY(2, "refund", 40) "]}";
	refund_deposit *d = NULL;
	char buf[2048];
	size_t i;
	long live;

	/* The well-formed record loads (so the failures below are the edits'). */
	put_raw(f, "X", good);
	assert_int_equal(refund_deposit_load(f->engine, &d, "X"), 0);
	assert_int_equal(refund_deposit_entry_count(d), 2);
	assert_invariant(d);
	refund_deposit_free(d);

	/* Each stored as "X", the id the records give themselves, so that only
	 * the edit can make them corrupt. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_raw(f, "X", bad[i]);
		d = SENTINEL;
		live = f->fa.live;
		assert_int_equal(refund_deposit_load(f->engine, &d, "X"), REFUND_ECORRUPT);
		assert_int_equal(f->fa.live, live);  /* nothing leaked on the way out */
		assert_ptr_equal(d, SENTINEL);
		assert_non_null(strstr(refund_engine_errmsg(f->engine), "corrupt"));
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *at = strstr(good, fields[i][0]);

		assert_non_null(at);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, fields[i][1],
				at + strlen(fields[i][0]));
		put_raw(f, "X", buf);
		d = SENTINEL;
		live = f->fa.live;
		assert_int_equal(refund_deposit_load(f->engine, &d, "X"), REFUND_ECORRUPT);
		assert_int_equal(f->fa.live, live);
		assert_ptr_equal(d, SENTINEL);
	}
}

/* ---- schema 2: binary records ---- */

/* A deposit in binary, field by field as docs/FORMAT.md gives it. */
typedef struct bin_deposit {
	unsigned char schema;
	const char *id, *holder, *currency;
	int64_t paid_at, days;
	size_t n;
	struct { int64_t seq; uint64_t kind; int64_t amount; } entry[4];
	int trailing;
} bin_deposit;

static size_t write_binary(const bin_deposit *b, unsigned char *out, size_t cap)
{
	static const refund_allocator heap = REFUND_ALLOCATOR_INIT;
	bin_writer w;
	const unsigned char *data;
	unsigned char magic[4] = { 0xA5, 'R', 'D', 0 };
	size_t i, size;

	magic[3] = b->schema;
	refund__bin_writer_init(&w, &heap, out, cap);
	refund__bin_bytes(&w, magic, 4);
	refund__bin_text(&w, b->id);
	refund__bin_text(&w, b->holder);
	refund__bin_text(&w, "A");           /* agent */
	refund__bin_text(&w, "T");           /* terminal */
	refund__bin_text(&w, NULL);          /* contract */
	refund__bin_text(&w, NULL);          /* receipt */
	refund__bin_text(&w, b->currency);
	refund__bin_int(&w, b->paid_at);
	refund__bin_opt_int(&w, REFUND_TIME_NONE);  /* contract_end */
	refund__bin_int(&w, b->days);
	refund__bin_int(&w, 0);              /* transaction volume */
	refund__bin_text(&w, NULL);          /* open case */
	refund__bin_uint(&w, b->n);
	for (i = 0; i < b->n; i++) {
		refund__bin_int(&w, b->entry[i].seq);
		refund__bin_uint(&w, b->entry[i].kind);
		refund__bin_int(&w, b->entry[i].amount);
		refund__bin_int(&w, 5);           /* at */
		refund__bin_text(&w, "a");        /* actor */
		refund__bin_uint(&w, REFUND_ROLE_FINANCE);
		refund__bin_text(&w, NULL);       /* reference */
		refund__bin_text(&w, NULL);       /* case */
	}
	if (b->trailing)
		refund__bin_uint(&w, 0);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
	assert_ptr_equal(data, out);
	return size;
}

#define GOOD_BIN(...) { 2, "X", "M", "CNY", 1000, 0, 2, { { 1, REFUND_ENTRY_HOLD, 100 }, \
	{ 2, REFUND_ENTRY_REFUND, 40 } }, 0, __VA_ARGS__ }

typedef struct byte_copy {
	unsigned char *out;
	size_t cap, size;
} byte_copy;

static int copy_bytes(void *ctx, const refund_store_record *rec)
{
	byte_copy *c = ctx;

	assert_true(rec->size <= c->cap);
	memcpy(c->out, rec->data, rec->size);
	c->size = rec->size;
	return 0;
}

/* The stored bytes of deposit id into out: their size. */
static size_t load_bytes(fixture *f, const char *id, unsigned char *out, size_t cap)
{
	byte_copy c = { out, cap, 0 };

	assert_int_equal(f->store->load(f->store, REFUND_RECORD_DEPOSIT, id, copy_bytes, &c), 0);
	return c.size;
}

static void expect_corrupt_bytes(fixture *f, const char *id, const void *data, size_t size)
{
	refund_deposit *d = SENTINEL;
	long live;

	put_bytes(f, id, data, size);
	live = f->fa.live;
	assert_int_equal(refund_deposit_load(f->engine, &d, id), REFUND_ECORRUPT);
	assert_int_equal(f->fa.live, live);
	assert_ptr_equal(d, SENTINEL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "corrupt"));
}

/* The binary counterpart of test_corrupt_records: the same faults, and the
 * record the tests build by hand loads as the library's own. */
static void test_corrupt_binary_records(void **state)
{
	fixture *f = *state;
	bin_deposit bad[20];
	unsigned char buf[512];
	refund_deposit *d = NULL;
	size_t i, n = 0, size;

	bad[0] = (bin_deposit)GOOD_BIN();
	size = write_binary(&bad[0], buf, sizeof(buf));
	put_bytes(f, "X", buf, size);
	assert_int_equal(refund_deposit_load(f->engine, &d, "X"), 0);
	assert_int_equal(refund_deposit_entry_count(d), 2);
	assert_string_equal(refund_deposit_currency(d), "CNY");
	assert_invariant(d);
	refund_deposit_free(d);

#define BAD(field, value) do { bad[n] = (bin_deposit)GOOD_BIN(); bad[n].field = value; n++; } while (0)
	BAD(schema, 3);
	BAD(id, "Y");
	BAD(holder, "M M");
	BAD(currency, "QQQ");
	BAD(paid_at, -1);
	BAD(days, -4);
	BAD(n, 0);
	BAD(trailing, 1);
	BAD(entry[0].kind, REFUND_ENTRY_REFUND);          /* the first entry is no hold */
	BAD(entry[1].kind, REFUND_ENTRY_HOLD);            /* a second hold */
	BAD(entry[1].kind, 0);
	BAD(entry[1].kind, 8);
	BAD(entry[1].seq, 3);
	BAD(entry[1].amount, 101);                        /* more than it holds */
	BAD(entry[1].amount, 0);
	BAD(entry[1].amount, -10);
	BAD(entry[0].amount, -100);
#undef BAD
	for (i = 0; i < n; i++) {
		size = write_binary(&bad[i], buf, sizeof(buf));
		expect_corrupt_bytes(f, "X", buf, size);
	}
	/* The good one loads again over them. */
	bad[0] = (bin_deposit)GOOD_BIN();
	size = write_binary(&bad[0], buf, sizeof(buf));
	put_bytes(f, "X", buf, size);
	assert_int_equal(refund_deposit_load(f->engine, &d, "X"), 0);
	refund_deposit_free(d);
}

/* A deposit the library wrote: every truncation refused; every byte changed
 * to each other value refused, or loading to a deposit that keeps its
 * invariant and whose full encoding is those very bytes (every value has
 * one encoding, so a handle may keep what it read); nothing leaks. */
static void test_binary_record_bytes(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-b");
	static unsigned char good[2048], bad[2048];
	size_t size, i, loaded = 0, tried = 0;
	unsigned v;

	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_DAMAGE, 5000, "fin", REFUND_ROLE_FINANCE,
			"inspection IR-5"), 0);
	refund_deposit_free(d);
	size = load_bytes(f, "D-b", good, sizeof(good));
	assert_memory_equal(good, "\xa5RD\x02", 4);
	for (i = 0; i < size; i++)
		expect_corrupt_bytes(f, "D-b", good, i);
	for (i = 0; i < size; i++) {
		for (v = 1; v < 256; v++, tried++) {
			refund_deposit *other = NULL;
			deposit_stage st;
			long live;
			int rc;

			memcpy(bad, good, size);
			bad[i] ^= (unsigned char)v;
			put_bytes(f, "D-b", bad, size);
			live = f->fa.live;
			rc = refund_deposit_load(f->engine, &other, "D-b");
			assert_true(rc == 0 || rc == REFUND_ECORRUPT);
			if (rc == 0) {
				assert_invariant(other);
				refund__deposit_keep_none(other);
				assert_int_equal(refund__deposit_stage(other, NULL, 0,
						refund_deposit_days_in_service(other),
						refund_deposit_transaction_volume(other), NULL, 0, &st), 0);
				assert_int_equal(st.size, size);
				assert_memory_equal(st.data, bad, size);
				refund__deposit_stage_dispose(other, &st);
				loaded++;
			}
			refund_deposit_free(other);
			assert_int_equal(f->fa.live, live);
		}
	}
	printf("binary deposit of %zu bytes: every truncation refused, %zu of its %zu changed"
			" bytes still load, each its values' one encoding\n", size, loaded, tried);
}

/* Two handles of one deposit agree on everything a host can read. */
static void assert_same_deposit(const refund_deposit *a, const refund_deposit *b)
{
	size_t i;

	assert_string_equal(refund_deposit_id(a), refund_deposit_id(b));
	assert_string_equal(refund_deposit_holder(a), refund_deposit_holder(b));
	assert_string_equal(refund_deposit_agent(a), refund_deposit_agent(b));
	assert_string_equal(refund_deposit_terminal_serial(a), refund_deposit_terminal_serial(b));
	assert_string_equal(refund_deposit_contract_id(a), refund_deposit_contract_id(b));
	assert_string_equal(refund_deposit_receipt(a), refund_deposit_receipt(b));
	assert_string_equal(refund_deposit_currency(a), refund_deposit_currency(b));
	assert_int_equal(refund_deposit_paid_at(a), refund_deposit_paid_at(b));
	assert_int_equal(refund_deposit_contract_end(a), refund_deposit_contract_end(b));
	assert_int_equal(refund_deposit_days_in_service(a), refund_deposit_days_in_service(b));
	assert_int_equal(refund_deposit_entry_count(a), refund_deposit_entry_count(b));
	for (i = 0; i < refund_deposit_entry_count(a); i++) {
		refund_entry x = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };
		refund_entry y = x;

		assert_int_equal(refund_deposit_entry(a, i, &x), 0);
		assert_int_equal(refund_deposit_entry(b, i, &y), 0);
		assert_int_equal(x.kind, y.kind);
		assert_int_equal(x.amount, y.amount);
		assert_int_equal(x.at, y.at);
		assert_string_equal(x.actor, y.actor);
		assert_int_equal(x.role, y.role);
		if (x.reference || y.reference)
			assert_string_equal(x.reference, y.reference);
	}
}

/* A deposit stored as schema 1 JSON, as earlier versions wrote it, reads as
 * the same deposit, and its next change stores it in schema 2. */
static void test_schema_1_is_still_read(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-old"), *old = NULL;
	unsigned char bytes[2048];
	char *json = NULL;
	size_t size = 0;

	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_DAMAGE, 5000, "fin", REFUND_ROLE_FINANCE,
			"检测 IR-5"), 0);
	assert_int_equal(refund__deposit_encode_json(d, &json, &size), 0);
	assert_memory_equal(json, "{\"schema\":1,\"id\":\"D-old\",", 25);
	assert_non_null(strstr(json, "\"contract_end\":1767225600"));
	put_bytes(f, "D-old", json, size);
	refund__free(&f->engine->alloc, json);
	assert_int_equal(refund_deposit_load(f->engine, &old, "D-old"), 0);
	assert_same_deposit(d, old);
	assert_int_equal(refund_deposit_set_usage(old, 300, 7, "agent-7", REFUND_ROLE_AGENT), 0);
	size = load_bytes(f, "D-old", bytes, sizeof(bytes));
	assert_memory_equal(bytes, "\xa5RD\x02", 4);
	refund_deposit_free(old);
	old = NULL;
	assert_int_equal(refund_deposit_load(f->engine, &old, "D-old"), 0);
	assert_int_equal(refund_deposit_days_in_service(old), 300);
	assert_int_equal(refund_deposit_entry_count(old), 2);
	refund_deposit_free(old);
	refund_deposit_free(d);
}

static int notices[8];
static int64_t notice_amount;

static void count_notice(void *user, const refund_notice *n)
{
	(void)user;
	assert_int_equal(n->version, REFUND_NOTICE_VERSION);
	assert_int_equal(n->record_kind, REFUND_RECORD_DEPOSIT);
	assert_string_equal(n->id, "D-n");
	assert_string_equal(n->currency, "CNY");
	if (n->kind > 0 && n->kind < 8)
		notices[n->kind]++;
	notice_amount += n->amount;
}

static void test_notices(void **state)
{
	fixture *f = *state;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_deposit_info info = sample_info("D-n");
	refund_engine *e = NULL;
	refund_deposit *d = NULL;

	memset(notices, 0, sizeof(notices));
	notice_amount = 0;
	o.store = f->store;
	o.notify = count_notice;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	assert_int_equal(refund_deposit_create(e, &d, &info, "a", REFUND_ROLE_AGENT), 0);
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 700, "f",
			REFUND_ROLE_FINANCE, NULL), 0);
	assert_int_equal(refund_deposit_post(d, REFUND_ENTRY_REFUND, 70000, "f",
			REFUND_ROLE_FINANCE, NULL), REFUND_EBALANCE);
	assert_int_equal(refund_deposit_set_usage(d, 3, 4, "a", REFUND_ROLE_AGENT), 0);
	assert_int_equal(notices[REFUND_NOTICE_DEPOSIT_CREATED], 1);
	assert_int_equal(notices[REFUND_NOTICE_LEDGER_ENTRY], 1);
	assert_int_equal(notices[REFUND_NOTICE_USAGE_UPDATED], 1);
	assert_int_equal(notice_amount, 50000 + 700);
	refund_deposit_free(d);
	refund_engine_free(e);
}

/* Random movements never break held = refunded + deducted + remaining. */
static void test_invariant_random(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-r");
	uint64_t x = 0x9E3779B97F4A7C15u;
	int i, accepted = 0, refused = 0;

	for (i = 0; i < 400; i++) {
		int kind, rc;
		int64_t amount;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		kind = REFUND_ENTRY_REFUND + (int)(x % 6);
		amount = (int64_t)((x >> 8) % 3000) + 1;
		rc = refund_deposit_post(d, kind, amount, "fin", REFUND_ROLE_FINANCE, NULL);
		assert_true(rc == 0 || rc == REFUND_EBALANCE);
		if (rc == 0)
			accepted++;
		else
			refused++;
		assert_invariant(d);
	}
	assert_true(accepted > 10);
	assert_true(refused > 10);
	refund_deposit_free(d);
}

/* A record's bytes as stored, into buf (room for cap). */
typedef struct stored_bytes {
	unsigned char buf[4096];
	size_t size;
} stored_bytes;

static int keep_bytes(void *ctx, const refund_store_record *r)
{
	stored_bytes *b = ctx;

	assert_true(r->size <= sizeof(b->buf));
	memcpy(b->buf, r->data, r->size);
	b->size = r->size;
	return 0;
}

/*
 * A handle writes a change by copying what it read or its last change
 * stored (the fields that never change, the ledger's entries) and encoding
 * the rest: after every change of a random run, by the same handle or one
 * loaded afresh, the stored bytes are exactly a full encoding of the
 * deposit.  The run's records pass the 512 bytes a handle keeps, so both
 * ways count.
 */
static void test_kept_bytes_match_a_fresh_encoding(void **state)
{
	fixture *f = *state;
	refund_deposit *d = create(f, "D-k");
	uint64_t x = 0x2545F4914F6CDD1Du;
	int i, kept = 0, unkept = 0;

	for (i = 0; i < 120; i++) {
		char reference[48];
		stored_bytes stored;
		deposit_stage st;
		refund_deposit *fresh = NULL;
		size_t len;
		int rc;

		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		len = (size_t)(x >> 20) % sizeof(reference);
		memset(reference, 'a' + (int)(x % 26), len);
		reference[len] = '\0';
		if (x % 4 == 0)
			rc = refund_deposit_set_usage(d, (int64_t)(x >> 40) % 4000,
					(int64_t)(x >> 24) % 100000, "agent", REFUND_ROLE_AGENT);
		else
			rc = refund_deposit_post(d, REFUND_ENTRY_REFUND + (int)(x % 6),
					(int64_t)(x >> 8) % 90 + 1, "fin", REFUND_ROLE_FINANCE,
					len ? reference : NULL);
		assert_int_equal(rc, 0);
		assert_int_equal(f->store->load(f->store, REFUND_RECORD_DEPOSIT, "D-k", keep_bytes,
				&stored), 0);
		assert_int_equal(refund_deposit_load(f->engine, &fresh, "D-k"), 0);
		refund__deposit_keep_none(fresh);
		assert_int_equal(refund__deposit_stage(fresh, NULL, 0,
				refund_deposit_days_in_service(fresh),
				refund_deposit_transaction_volume(fresh), NULL, 0, &st), 0);
		assert_int_equal(st.size, stored.size);
		assert_memory_equal(st.data, stored.buf, stored.size);
		refund__deposit_stage_dispose(fresh, &st);
		refund_deposit_free(fresh);
		if (stored.size <= DEPOSIT_KEPT_MAX)
			kept++;
		else
			unkept++;
		if (x % 3 == 0) {  /* the next change from the bytes read */
			refund_deposit_free(d);
			d = NULL;
			assert_int_equal(refund_deposit_load(f->engine, &d, "D-k"), 0);
		}
	}
	assert_true(kept > 10);
	assert_true(unkept > 10);
	assert_invariant(d);
	refund_deposit_free(d);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_and_fields),
		T(test_create_optional_fields_absent),
		T(test_create_refuses_bad_input),
		T(test_create_out_of_memory),
		T(test_load_errors),
		T(test_post_and_balance),
		T(test_post_refuses_bad_input),
		T(test_post_out_of_memory),
		T(test_long_record_out_of_memory),
		T(test_stage_entry_limit),
		T(test_conflict_between_handles),
		T(test_store_failure_changes_nothing),
		T(test_usage),
		T(test_accessors_refuse_bad_input),
		T(test_list),
		T(test_corrupt_records),
		T(test_corrupt_binary_records),
		T(test_binary_record_bytes),
		T(test_schema_1_is_still_read),
		T(test_notices),
		T(test_invariant_random),
		T(test_kept_bytes_match_a_fresh_encoding),
	};
#undef T

	return cmocka_run_group_tests_name("deposit", tests, NULL, NULL);
}
