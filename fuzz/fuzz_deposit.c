/*
 * libFuzzer target for the stored deposit record decoder, through the
 * public API: the input is committed as the bytes of deposit "X" in a fresh
 * memory store, then loaded.  Stored bytes are untrusted, so the load must
 * return 0 or a negative code, never crash or leak.  What loads must keep
 * the ledger invariant, must write back (set_usage re-encodes it) to bytes
 * that load to the same deposit (the input itself, if it was binary: each
 * value has one encoding), and must fail with REFUND_ENOMEM, leaking
 * nothing, when one of its allocations fails.
 */
#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sum(int64_t *total, int64_t amount)
{
	if (__builtin_add_overflow(*total, amount, total))
		abort();
}

/* held = refunded + deducted + remaining, and the entries add up to it. */
static void check_ledger(const refund_deposit *d)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	int64_t held = 0, refunded = 0, deducted = 0, sum = 0;
	size_t i, n = refund_deposit_entry_count(d);

	if (refund_deposit_balance(d, &b) != 0 || n == 0)
		abort();
	for (i = 0; i < n; i++) {
		refund_entry entry = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };

		if (refund_deposit_entry(d, i, &entry) != 0 || entry.seq != i + 1 ||
		    entry.amount <= 0 || !entry.actor || !refund_entry_kind_name(entry.kind) ||
		    !refund_role_name(entry.role) || (entry.kind == REFUND_ENTRY_HOLD) != (i == 0))
			abort();
		check_sum(entry.kind == REFUND_ENTRY_HOLD ? &held :
				entry.kind == REFUND_ENTRY_REFUND ? &refunded : &deducted,
				entry.amount);
	}
	check_sum(&sum, b.refunded);
	check_sum(&sum, b.deducted);
	check_sum(&sum, b.remaining);
	if (b.held != sum || b.remaining < 0 || b.held != held || b.refunded != refunded ||
	    b.deducted != deducted)
		abort();
}

static void check_fields(refund_engine *e, const refund_deposit *d)
{
	int exponent;

	if (strcmp(refund_deposit_id(d), "X") != 0 || !refund_deposit_holder(d) ||
	    !refund_deposit_agent(d) || !refund_deposit_terminal_serial(d) ||
	    refund_currency_exponent(e, refund_deposit_currency(d), &exponent) != 0 ||
	    refund_deposit_paid_at(d) < REFUND_TIME_MIN ||
	    refund_deposit_paid_at(d) > REFUND_TIME_MAX ||
	    refund_deposit_days_in_service(d) < 0 ||
	    refund_deposit_transaction_volume(d) < 0)
		abort();
	check_ledger(d);
}

static int same_string(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void check_entries_equal(const refund_deposit *a, const refund_deposit *b)
{
	size_t i, n = refund_deposit_entry_count(a);

	if (refund_deposit_entry_count(b) != n)
		abort();
	for (i = 0; i < n; i++) {
		refund_entry x = { REFUND_ENTRY_VERSION, 0, 0, 0, 0, NULL, 0, NULL, NULL };
		refund_entry y = x;

		if (refund_deposit_entry(a, i, &x) != 0 || refund_deposit_entry(b, i, &y) != 0 ||
		    x.seq != y.seq || x.kind != y.kind || x.amount != y.amount || x.at != y.at ||
		    x.role != y.role || !same_string(x.actor, y.actor) ||
		    !same_string(x.reference, y.reference) || !same_string(x.case_id, y.case_id))
			abort();
	}
}

/* Whatever the decoder accepted, the encoder writes back unchanged. */
static void check_equal(const refund_deposit *a, const refund_deposit *b)
{
	refund_balance x = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 }, y = x;

	if (!same_string(refund_deposit_id(a), refund_deposit_id(b)) ||
	    !same_string(refund_deposit_holder(a), refund_deposit_holder(b)) ||
	    !same_string(refund_deposit_agent(a), refund_deposit_agent(b)) ||
	    !same_string(refund_deposit_terminal_serial(a), refund_deposit_terminal_serial(b)) ||
	    !same_string(refund_deposit_contract_id(a), refund_deposit_contract_id(b)) ||
	    !same_string(refund_deposit_receipt(a), refund_deposit_receipt(b)) ||
	    !same_string(refund_deposit_currency(a), refund_deposit_currency(b)) ||
	    !same_string(refund_deposit_open_case(a), refund_deposit_open_case(b)) ||
	    refund_deposit_paid_at(a) != refund_deposit_paid_at(b) ||
	    refund_deposit_contract_end(a) != refund_deposit_contract_end(b) ||
	    refund_deposit_days_in_service(a) != refund_deposit_days_in_service(b) ||
	    refund_deposit_transaction_volume(a) != refund_deposit_transaction_volume(b) ||
	    refund_deposit_balance(a, &x) != 0 || refund_deposit_balance(b, &y) != 0 ||
	    x.held != y.held || x.refunded != y.refunded || x.deducted != y.deducted ||
	    x.remaining != y.remaining)
		abort();
	check_entries_equal(a, b);
}

static int load(fuzz_engine *fe, refund_deposit **d)
{
	int rc;

	*d = NULL;
	rc = refund_deposit_load(fe->engine, d, "X");
	if (rc != 0) {
		fuzz_check_failure(fe->engine, rc);
		if (*d)
			abort();
	} else if (!*d) {
		abort();
	}
	return rc;
}

typedef struct input {
	const uint8_t *data;
	size_t size;
} input;

/* The stored bytes are the input's. */
static int same_bytes(void *ctx, const refund_store_record *r)
{
	const input *in = ctx;

	if (r->size != in->size || memcmp(r->data, in->data, in->size) != 0)
		abort();
	return 0;
}

/*
 * Write the loaded deposit back through the library and load it again.  A
 * binary input that loaded is its values' one encoding (the handle copies
 * from the bytes it read), so writing the same values stores it unchanged.
 */
static void check_rewrite(fuzz_engine *fe, refund_deposit *d, const input *in)
{
	static const unsigned char magic[4] = { 0xA5, 'R', 'D', 2 };
	refund_deposit *again;

	if (refund_deposit_set_usage(d, refund_deposit_days_in_service(d),
			refund_deposit_transaction_volume(d), "fuzz", REFUND_ROLE_SYSTEM) != 0 ||
	    refund_deposit_version(d) != 2)
		abort();
	if (in->size >= sizeof(magic) && memcmp(in->data, magic, sizeof(magic)) == 0 &&
	    fe->store->load(fe->store, REFUND_RECORD_DEPOSIT, "X", same_bytes, (void *)in) != 0)
		abort();
	if (load(fe, &again) != 0 || refund_deposit_version(again) != 2)
		abort();
	check_equal(d, again);
	refund_deposit_free(again);
}

/* Fail one of the allocations the first load made: REFUND_ENOMEM, no leak. */
static void check_enomem(fuzz_engine *fe, long allocations, uint32_t hash)
{
	refund_deposit *d;
	long live = fe->fa.live;

	if (allocations == 0)
		return;
	fuzz_alloc_arm(&fe->fa, 1 + (long)(hash % (uint32_t)allocations));
	if (load(fe, &d) != REFUND_ENOMEM)
		abort();
	fuzz_alloc_arm(&fe->fa, 0);
	if (fe->fa.live != live)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	refund_store_put put;
	refund_store_batch batch = { &put, 1, NULL, 0 };
	uint32_t hash = fuzz_hash(data, size);
	input in = { data, size };
	refund_deposit *d;
	fuzz_engine fe;
	long live, allocations;

	fuzz_engine_open(&fe, hash & 1 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN);
	memset(&put, 0, sizeof(put));
	put.kind = REFUND_RECORD_DEPOSIT;
	put.id = "X";
	put.expected_version = 0;
	put.data = size ? data : NULL;
	put.size = size;
	put.index.deposit_id = "X";
	put.index.next_deadline = REFUND_NO_DEADLINE;
	if (fe.store->commit(fe.store, &batch) != 0)
		abort();

	live = fe.fa.live;
	fuzz_alloc_arm(&fe.fa, 0);
	if (load(&fe, &d) == 0) {
		allocations = fe.fa.count;
		check_fields(fe.engine, d);
		refund_deposit_free(d);
		if (fe.fa.live != live)
			abort();
		check_enomem(&fe, allocations, hash);
		if (load(&fe, &d) != 0)
			abort();
		check_rewrite(&fe, d, &in);
		refund_deposit_free(d);
	} else {
		allocations = fe.fa.count;
		if (fe.fa.live != live)
			abort();
		check_enomem(&fe, allocations, hash);
	}
	fuzz_engine_close(&fe);
	return 0;
}
