/*
 * The stored case record (src/case_record.c) on its own: random records,
 * every field anywhere in its range and every list from empty to full, go
 * through both schemas and come back the same; and what either schema reads
 * the other writes to the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <refund.h>

#include "alloc.h"
#include "binary.h"
#include "case.h"
#include "failalloc.h"

#define ROUNDS 3000

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	/* xorshift64*: deterministic, so a failure repeats */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1du;
}

static int64_t in_range(int64_t min, int64_t max)
{
	uint64_t span = (uint64_t)max - (uint64_t)min;

	if (next() % 4 == 0)  /* the ends of a range as often as not */
		return next() % 2 ? min : max;
	return span == UINT64_MAX ? (int64_t)next() : (int64_t)((uint64_t)min + next() % (span + 1));
}

/* An id: 1 to 64 printable ASCII bytes without spaces. */
static void random_id(char *dst, size_t room)
{
	size_t n = 1 + next() % (room - 1), i;

	for (i = 0; i < n; i++)
		dst[i] = (char)('!' + next() % ('~' - '!' + 1));
	dst[n] = '\0';
}

/* A text of UTF-8 that the library accepts: ASCII, tabs, newlines, 押金. */
static void random_text(char *dst, size_t room)
{
	static const char *const pieces[] = { "a", "Z", " ", "\t", "\n", "押", "金",
			"退还", "é", "9", "-", "\xf0\x9f\x92\xb4" };
	size_t len = 0, want = next() % room;

	while (len < want) {
		const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t n = strlen(p);

		if (len + n >= room)
			break;
		memcpy(dst + len, p, n);
		len += n;
	}
	dst[len] = '\0';
}

static void random_quote(refund_quote *q)
{
	q->version = REFUND_QUOTE_VERSION;
	q->remaining = in_range(0, INT64_MAX);
	q->tier_bp = (int32_t)in_range(0, REFUND_BP_WHOLE);
	q->gross = in_range(0, INT64_MAX);
	q->forfeited = in_range(0, INT64_MAX);
	q->damage = in_range(0, INT64_MAX);
	q->missing_parts = in_range(0, INT64_MAX);
	q->fee = in_range(0, INT64_MAX);
	q->offset = in_range(0, INT64_MAX);
	q->net = in_range(0, INT64_MAX);
	q->approved = in_range(-1, INT64_MAX);
}

static void random_clock(case_clock *k)
{
	k->state = (int)in_range(0, REFUND_STATE_COUNT - 1);
	k->started = in_range(REFUND_TIME_MIN, REFUND_TIME_MAX);
	k->due = in_range(REFUND_TIME_MIN, REFUND_TIME_MAX);
	k->consequence = (int)in_range(0, REFUND_ON_DUE_CLOSE);
	k->reminders_sent = (uint32_t)in_range(0, (1 << REFUND_POLICY_MAX_REMINDERS) - 1);
	k->overdue = (int)in_range(0, 1);
	k->paused_state = (int)in_range(0, REFUND_STATE_COUNT - 1);
	k->paused_left = in_range(0, REFUND_TIME_MAX);
	k->paused_unit = (int)in_range(0, REFUND_BUSINESS_DAYS);
}

static void random_lists(case_record *r)
{
	int i;
	size_t j;

	r->nevidence = (int)in_range(0, CASE_MAX_EVIDENCE);
	for (i = 0; i < r->nevidence; i++) {
		r->evidence[i].kind = (int)in_range(REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_OTHER);
		r->evidence[i].at = in_range(REFUND_TIME_MIN, REFUND_TIME_MAX);
		random_text(r->evidence[i].reference, sizeof(r->evidence[i].reference));
	}
	r->nparts = (int)in_range(0, REFUND_POLICY_MAX_PARTS);
	for (i = 0; i < r->nparts; i++) {
		r->parts[i].amount = in_range(0, INT64_MAX);
		r->parts[i].due = in_range(REFUND_TIME_MIN, REFUND_TIME_MAX);
		r->parts[i].status = (int)in_range(REFUND_PART_PENDING, REFUND_PART_PAID);
		r->parts[i].attempts = (int)in_range(0, 1000000);
		random_text(r->parts[i].reference, sizeof(r->parts[i].reference));
		random_text(r->parts[i].failure, sizeof(r->parts[i].failure));
	}
	r->nkeys = (int)in_range(0, CASE_MAX_KEYS);
	for (i = 0; i < r->nkeys; i++) {
		random_id(r->keys[i].key, sizeof(r->keys[i].key));
		for (j = 0; j < SHA256_DIGEST_SIZE; j++)
			r->keys[i].digest[j] = (unsigned char)next();
	}
	r->next_key = (int)in_range(0, CASE_MAX_KEYS - 1);
}

static void random_record(case_record *r)
{
	size_t i;

	refund__case_record_clear(r);
	random_id(r->id, sizeof(r->id));
	random_id(r->deposit_id, sizeof(r->deposit_id));
	random_id(r->holder, sizeof(r->holder));
	random_id(r->agent, sizeof(r->agent));
	memcpy(r->currency, next() % 2 ? "CNY" : "HKD", 4);
	random_id(r->policy_id, sizeof(r->policy_id));
	r->policy_version = (uint32_t)in_range(1, UINT32_MAX);
	r->state = (int)in_range(1, REFUND_STATE_COUNT - 1);
	r->reason = (int)in_range(REFUND_REASON_DEVICE_FAULT, REFUND_REASON_FRAUD);
	r->opened_at = in_range(REFUND_TIME_MIN, REFUND_TIME_MAX);
	r->requested = (uint32_t)in_range(0, UINT32_MAX);
	r->method = (int)in_range(0, REFUND_PAYOUT_WECHAT);
	random_text(r->account_name, sizeof(r->account_name));
	random_text(r->account_number, sizeof(r->account_number));
	random_text(r->bank, sizeof(r->bank));
	r->approved = in_range(-1, INT64_MAX);
	random_text(r->approved_by, sizeof(r->approved_by));
	r->reject_reason = (int)in_range(0, REFUND_REJECT_OTHER);
	random_text(r->reject_text, sizeof(r->reject_text));
	random_text(r->tracking, sizeof(r->tracking));
	r->grade = (int)in_range(0, REFUND_GRADE_NOT_RETURNED);
	r->missing_parts = (int)in_range(0, 100);
	r->offset_owed = in_range(0, INT64_MAX);
	r->offered = (int)in_range(0, 1);
	r->accepted = (int)in_range(0, 1);
	random_quote(&r->fixed);
	memcpy(r->fixed.currency, r->currency, sizeof(r->currency));
	r->escalated = (uint32_t)in_range(0, UINT32_MAX);
	random_clock(&r->clock);
	r->nevents = (uint64_t)in_range(1, INT64_MAX);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		r->last_hash[i] = (unsigned char)next();
	random_lists(r);
}

/* An engine on a fresh memory store with the C library's allocator, for
 * the encoders and readers; plain_engine_free frees both. */
static refund_engine *plain_engine(refund_store **store)
{
	refund_engine_options opt = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e = NULL;

	assert_int_equal(refund_store_memory_new(store, NULL), 0);
	opt.store = *store;
	assert_int_equal(refund_engine_new(&e, &opt), 0);
	return e;
}

static void plain_engine_free(refund_engine *e, refund_store *store)
{
	refund_engine_free(e);
	store->free(store);
}

typedef int (*encoder)(refund_engine *e, const case_record *r, char **data, size_t *size);

/* r written by encode and read back: 0 and *back, or the error. */
static int through(refund_engine *e, encoder encode, const case_record *r, case_record *back)
{
	char *data = NULL;
	size_t size = 0;
	int rc = encode(e, r, &data, &size);

	if (rc == 0)
		rc = refund__case_record_read(&e->alloc, (const unsigned char *)data, size, back);
	refund__free(&e->alloc, data);
	return rc;
}

/* Two records are the same if schema 2 writes them to the same bytes. */
static void assert_same(refund_engine *e, const case_record *a, const case_record *b)
{
	char *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;

	assert_int_equal(refund__case_encode(e, a, &x, &nx), 0);
	assert_int_equal(refund__case_encode(e, b, &y, &ny), 0);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	refund__free(&e->alloc, x);
	refund__free(&e->alloc, y);
}

static void test_random_records_round_trip(void **state)
{
	static case_record r, back;
	refund_engine *e = NULL;
	refund_engine_options opt = REFUND_ENGINE_OPTIONS_INIT;
	refund_store *store = NULL;
	failalloc fa;
	int i, full_lists = 0;

	(void)state;
	failalloc_init(&fa);
	opt.allocator = &fa.allocator;
	assert_int_equal(refund_store_memory_new(&store, &fa.allocator), 0);
	opt.store = store;
	assert_int_equal(refund_engine_new(&e, &opt), 0);
	for (i = 0; i < ROUNDS; i++) {
		random_record(&r);
		full_lists += r.nevidence == CASE_MAX_EVIDENCE && r.nkeys == CASE_MAX_KEYS;
		assert_int_equal(through(e, refund__case_encode, &r, &back), 0);
		assert_same(e, &r, &back);
		assert_memory_equal(r.last_hash, back.last_hash, SHA256_DIGEST_SIZE);
		assert_int_equal(r.nevents, back.nevents);
		assert_string_equal(r.reject_text, back.reject_text);
		/* schema 1 holds the same record */
		assert_int_equal(through(e, refund__case_encode_json, &r, &back), 0);
		assert_same(e, &r, &back);
	}
	printf("%d random records through both schemas (%d with full lists)\n", ROUNDS,
			full_lists);
	assert_true(full_lists > 0);
	refund_engine_free(e);
	store->free(store);
	assert_int_equal(fa.live, 0);
}

/* A random record cut anywhere is refused, in either schema. */
static void test_random_records_cut_short(void **state)
{
	static case_record r, back;
	refund_engine *e = NULL;
	refund_store *store = NULL;
	char *data = NULL;
	size_t size = 0, cut;
	int i, json;

	(void)state;
	e = plain_engine(&store);
	for (i = 0; i < 20; i++) {
		random_record(&r);
		for (json = 0; json < 2; json++) {
			assert_int_equal((json ? refund__case_encode_json : refund__case_encode)(e, &r,
					&data, &size), 0);
			for (cut = 0; cut < size; cut++)
				assert_int_equal(refund__case_record_read(&e->alloc,
						(const unsigned char *)data, cut, &back), REFUND_ECORRUPT);
			refund__free(&e->alloc, data);
		}
	}
	plain_engine_free(e, store);
}

/* ---- writing only what changed (refund__case_record_write_since) ---- */

#define KEPT_RECORDS 20
#define KEPT_CHAIN 400

/* Text t cut to at most `at` bytes, at a character's start (still UTF-8). */
static void cut_text(char *t, size_t at)
{
	if (strlen(t) <= at)
		return;
	while (at > 0 && ((unsigned char)t[at] & 0xC0) == 0x80)
		at--;
	t[at] = '\0';
}

/* A random record short enough to be kept: short texts, short lists; one
 * that reads back. */
static void random_small_record(case_record *r)
{
	char *texts[] = { r->account_name, r->account_number, r->bank, r->approved_by,
		r->reject_text, r->tracking };
	size_t i;
	int j;

	random_record(r);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		cut_text(texts[i], next() % 6);
	r->nevidence %= 4;
	r->nparts %= 3;
	r->nkeys %= 3;
	for (j = 0; j < r->nevidence; j++)
		cut_text(r->evidence[j].reference, next() % 6);
	for (j = 0; j < r->nparts; j++) {
		cut_text(r->parts[j].reference, next() % 6);
		cut_text(r->parts[j].failure, next() % 6);
	}
}

/*
 * A byte of r changed to another byte that is not NUL, if it was not NUL:
 * every text keeps its length and every count stays in range.  0 if the
 * byte is NUL or the change would put a count out of range.
 */
static int change_byte(case_record *r, size_t at)
{
	unsigned char *b = (unsigned char *)r, was = b[at];

	if (!was)
		return 0;
	b[at] = (unsigned char)(was ^ 1) ? (unsigned char)(was ^ 1) : (unsigned char)(was ^ 2);
	if (r->nevidence < 0 || r->nevidence > CASE_MAX_EVIDENCE || r->nparts < 0 ||
	    r->nparts > REFUND_POLICY_MAX_PARTS || r->nkeys < 0 || r->nkeys > CASE_MAX_KEYS) {
		b[at] = was;
		return 0;
	}
	return 1;
}

/* r as write_since writes it after `before` (kept: its bytes), checked
 * against the whole record's bytes; the bytes are kept for the next. */
static void check_since(refund_engine *e, const case_record *r, const case_record *before,
		case_kept *kept)
{
	unsigned char buf_a[64], buf_b[64];
	const unsigned char *whole = NULL, *since = NULL;
	size_t nwhole = 0, nsince = 0;
	uint16_t end[CASE_SEGMENTS];
	bin_writer a, b;

	refund__bin_writer_init(&a, &e->alloc, buf_a, sizeof(buf_a));
	refund__bin_writer_init(&b, &e->alloc, buf_b, sizeof(buf_b));
	refund__case_record_write(&a, r);
	refund__case_record_write_since(&b, r, before, kept, end);
	assert_int_equal(refund__bin_writer_end(&a, &whole, &nwhole), 0);
	assert_int_equal(refund__bin_writer_end(&b, &since, &nsince), 0);
	assert_int_equal(nsince, nwhole);
	assert_memory_equal(since, whole, nwhole);
	refund__case_kept_set(kept, since, nsince, end);
	refund__bin_writer_dispose(&a);
	refund__bin_writer_dispose(&b);
}

/* Every byte of `before` changed in turn, each written after it from the
 * bytes it was kept as (check_since); how many changes there were. */
static size_t check_each_change(refund_engine *e, const case_record *before,
		const case_kept *before_kept)
{
	static case_record r;
	static case_kept kept;
	size_t at, changed = 0;

	for (at = 0; at < sizeof(r); at++) {
		r = *before;
		if (!change_byte(&r, at))
			continue;
		kept = *before_kept;
		check_since(e, &r, before, &kept);
		changed++;
	}
	return changed;
}

/*
 * Every byte of random records changed in turn, and chains of changes as
 * transitions make them: what write_since copies from the bytes kept is
 * always what encoding the record afresh writes.  A segment whose `same`
 * missed a field its encoder writes would store that field stale.
 */
static void test_write_since_changed_bytes(void **state)
{
	static case_record base, r, before;
	static case_kept kept, base_kept;
	refund_engine *e = NULL;
	refund_store *store = NULL;
	size_t changed = 0, copied = 0;
	int i, step;

	(void)state;
	e = plain_engine(&store);
	for (i = 0; i < KEPT_RECORDS; i++) {
		random_small_record(&base);
		memset(&base_kept, 0, sizeof(base_kept));
		check_since(e, &base, &base, &base_kept);  /* nothing kept: written whole */
		assert_true(base_kept.size > 0);
		/* the same record again: every segment copied */
		kept = base_kept;
		check_since(e, &base, &base, &kept);
		changed += check_each_change(e, &base, &base_kept);
		/* a chain: each record after the one before, as commits go */
		kept = base_kept;
		r = base;
		for (step = 0; step < KEPT_CHAIN; step++) {
			before = r;
			while (!change_byte(&r, (size_t)(next() % sizeof(r))))
				;
			check_since(e, &r, &before, &kept);
			copied += kept.size > 0;
		}
	}
	printf("%zu single-byte changes and %d chained ones written after their record\n",
			changed, KEPT_RECORDS * KEPT_CHAIN);
	assert_true(changed > (size_t)KEPT_RECORDS * 100 && copied > 0);
	plain_engine_free(e, store);
}

/*
 * A handle keeps the bytes it read, so they must be exactly what its record
 * encodes to: every value has one encoding.  Each byte of a random record
 * changed to 16 other values: whatever still reads encodes back to those
 * very bytes.
 */
static void test_changed_bytes_read_as_their_encoding(void **state)
{
	static case_record r, back;
	static unsigned char bad[4096];
	refund_engine *e = NULL;
	refund_store *store = NULL;
	char *data = NULL, *again = NULL;
	size_t size = 0, n = 0, i, read = 0;
	unsigned v;

	(void)state;
	e = plain_engine(&store);
	random_small_record(&r);
	assert_int_equal(refund__case_encode(e, &r, &data, &size), 0);
	assert_true(size <= sizeof(bad));
	for (i = 0; i < size; i++)
		for (v = 1; v < 256; v += 17) {
			memcpy(bad, data, size);
			bad[i] ^= (unsigned char)v;
			if (refund__case_record_read(&e->alloc, bad, size, &back) != 0)
				continue;
			read++;
			assert_int_equal(refund__case_encode(e, &back, &again, &n), 0);
			assert_int_equal(n, size);
			assert_memory_equal(again, bad, size);
			refund__free(&e->alloc, again);
		}
	printf("%zu changed bytes of a %zu-byte record still read, each its encoding\n", read,
			size);
	assert_true(read > size);
	refund__free(&e->alloc, data);
	plain_engine_free(e, store);
}

/*
 * The bytes a record was read from, kept with its segments' ends, serve the
 * next write as a commit's would: after every single-byte change of the
 * record read, write_since from them is what encoding afresh writes.
 */
static void test_read_bytes_kept(void **state)
{
	static case_record base, loaded;
	static case_kept read_kept;
	refund_engine *e = NULL;
	refund_store *store = NULL;
	char *data = NULL;
	size_t size = 0, changed = 0;
	int i;

	(void)state;
	e = plain_engine(&store);
	for (i = 0; i < KEPT_RECORDS / 4; i++) {
		random_small_record(&base);
		assert_int_equal(refund__case_encode(e, &base, &data, &size), 0);
		assert_int_equal(refund__case_record_read_kept(&e->alloc, (unsigned char *)data, size,
				&loaded, &read_kept), 0);
		assert_int_equal(read_kept.size, size);
		assert_memory_equal(read_kept.bytes, data, size);
		assert_int_equal(read_kept.end[CASE_SEGMENTS - 1], size);
		refund__free(&e->alloc, data);
		changed += check_each_change(e, &loaded, &read_kept);
	}
	printf("%zu single-byte changes written after a record read\n", changed);
	assert_true(changed > (size_t)KEPT_RECORDS / 4 * 100);
	/* JSON keeps nothing. */
	assert_int_equal(refund__case_encode_json(e, &base, &data, &size), 0);
	assert_int_equal(refund__case_record_read_kept(&e->alloc, (unsigned char *)data, size,
			&loaded, &read_kept), 0);
	assert_int_equal(read_kept.size, 0);
	refund__free(&e->alloc, data);
	plain_engine_free(e, store);
}

/* A record too long to keep is written whole, and keeps nothing. */
static void test_write_since_long_record(void **state)
{
	static case_record r;
	static case_kept kept;
	refund_engine *e = NULL;
	refund_store *store = NULL;

	(void)state;
	e = plain_engine(&store);
	random_record(&r);
	memset(r.reject_text, 'x', CASE_TEXT_MAX);
	r.reject_text[CASE_TEXT_MAX] = '\0';
	memset(&kept, 0, sizeof(kept));
	check_since(e, &r, &r, &kept);
	assert_int_equal(kept.size, 0);
	check_since(e, &r, &r, &kept);
	plain_engine_free(e, store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_records_round_trip),
		cmocka_unit_test(test_random_records_cut_short),
		cmocka_unit_test(test_write_since_changed_bytes),
		cmocka_unit_test(test_changed_bytes_read_as_their_encoding),
		cmocka_unit_test(test_read_bytes_kept),
		cmocka_unit_test(test_write_since_long_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
