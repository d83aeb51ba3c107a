/* Policies: drafts and setters, publishing, loading, the cache, corrupt bytes. */
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

#include "faulty_store.h"
#include "fixture.h"
#include "policy.h"
#include "store_dump.h"

#define EV(kind) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##kind)

static refund_policy *const SENTINEL = (refund_policy *)&SENTINEL;

/* ---- helpers ---- */

static refund_policy *draft(fixture *f, const char *id)
{
	refund_policy *p = NULL;

	assert_int_equal(refund_policy_new(f->engine, &p, id, "CNY"), 0);
	return p;
}

static void publish_ok(refund_policy *p, uint32_t version)
{
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	assert_int_equal(refund_policy_version(p), version);
}

static char *dump(fixture *f)
{
	char *out = NULL;

	assert_int_equal(store_dump(f->store, &out), 0);
	return out;
}

static void assert_store_is(fixture *f, const char *before)
{
	char *now = dump(f);

	assert_string_equal(now, before);
	free(now);
}

static refund_time test_clock(void *user)
{
	return ((fixture *)user)->now;
}

/* An engine on another store (a faulty or racing wrapper of f->store). */
static refund_engine *engine_on(fixture *f, refund_store *store)
{
	refund_engine_options opts = REFUND_ENGINE_OPTIONS_INIT;
	refund_engine *e = NULL;

	opts.allocator = &f->fa.allocator;
	opts.clock = test_clock;
	opts.clock_user = f;
	opts.store = store;
	assert_int_equal(refund_engine_new(&e, &opts), 0);
	return e;
}

static void put_raw(fixture *f, const char *id, uint64_t expected, const char *data)
{
	refund_store_put put;
	refund_store_batch batch = { &put, 1, NULL, 0 };

	memset(&put, 0, sizeof(put));
	put.kind = REFUND_RECORD_POLICY;
	put.id = id;
	put.expected_version = expected;
	put.data = (const unsigned char *)data;
	put.size = strlen(data);
	put.index.next_deadline = REFUND_NO_DEADLINE;
	assert_int_equal(f->store->commit(f->store, &batch), 0);
}

typedef struct raw_ctx {
	char *data;
	uint64_t version;
} raw_ctx;

static int raw_cb(void *ctx, const refund_store_record *rec)
{
	raw_ctx *rc = ctx;

	rc->data = malloc(rec->size + 1);
	assert_non_null(rc->data);
	memcpy(rc->data, rec->data, rec->size);
	rc->data[rec->size] = '\0';
	rc->version = rec->version;
	return 0;
}

static char *get_raw(fixture *f, const char *id, uint64_t *version)
{
	raw_ctx rc = { NULL, 0 };

	assert_int_equal(f->store->load(f->store, REFUND_RECORD_POLICY, id, raw_cb, &rc), 0);
	if (version)
		*version = rc.version;
	return rc.data;
}

/* s with the first `from` replaced by `to` (which must occur). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t head, n;
	char *out;

	assert_non_null(at);
	head = (size_t)(at - s);
	n = strlen(s) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, s, head);
	memcpy(out + head, to, strlen(to));
	strcpy(out + head + strlen(to), at + strlen(from));
	return out;
}

/* Every rule set away from its default. */
static void set_everything(refund_policy *p)
{
	static const int64_t review_reminders[] = { 86400, 3600, 172800 };
	static const int64_t rejected_reminders[] = { 86400 };

	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 30), 0);
	assert_int_equal(refund_policy_add_tier(p, 0, 0, 5000), 0);
	assert_int_equal(refund_policy_add_tier(p, 180, 100000, 8000), 0);
	assert_int_equal(refund_policy_add_tier(p, 365, 0, 10000), 0);
	assert_int_equal(refund_policy_set_common_evidence(p, EV(RECEIPT) | EV(PAYMENT_RECORD)), 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_FRAUD,
			EV(POLICE_REPORT) | EV(OTHER)), 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_NEEDS_CHANGED,
			EV(CONTRACT)), 0);
	assert_int_equal(refund_policy_set_return_required(p, 0), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 3000), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, 10000), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, 2500), 0);
	assert_int_equal(refund_policy_set_fee(p, 100, 50, 200, 5000), 0);
	assert_int_equal(refund_policy_set_offsets(p, 1), 0);
	assert_int_equal(refund_policy_set_installments(p, 3, 3), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 5,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_APPROVE, review_reminders, 3), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_DRAFT, 30,
			REFUND_CALENDAR_DAYS, "WEEKEND", REFUND_ON_DUE_EXPIRE, NULL, 0), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_REJECTED, 15,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, rejected_reminders, 1), 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 100000), 0);
	assert_int_equal(refund_policy_set_escalation(p,
			REFUND_PARTY_REGULATOR | REFUND_PARTY_LEGAL), 0);
}

static void assert_deadline_equal(const policy_deadline *a, const policy_deadline *b)
{
	size_t i;

	assert_int_equal(a->set, b->set);
	if (!a->set)
		return;
	assert_int_equal(a->amount, b->amount);
	assert_int_equal(a->unit, b->unit);
	assert_string_equal(a->calendar, b->calendar);
	assert_int_equal(a->consequence, b->consequence);
	assert_int_equal(a->nreminders, b->nreminders);
	for (i = 0; i < a->nreminders; i++)
		assert_int_equal(a->reminders[i], b->reminders[i]);
}

/* Every field but the engine. */
static void assert_policy_equal(const refund_policy *a, const refund_policy *b)
{
	size_t i;

	assert_string_equal(a->id, b->id);
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->currency, b->currency);
	assert_int_equal(a->window_anchor, b->window_anchor);
	assert_int_equal(a->window_days, b->window_days);
	assert_int_equal(a->ntiers, b->ntiers);
	for (i = 0; i < a->ntiers; i++) {
		assert_int_equal(a->tiers[i].min_days, b->tiers[i].min_days);
		assert_int_equal(a->tiers[i].min_volume, b->tiers[i].min_volume);
		assert_int_equal(a->tiers[i].bp, b->tiers[i].bp);
	}
	assert_int_equal(a->common_evidence, b->common_evidence);
	for (i = 0; i < REFUND_REASON_COUNT; i++)
		assert_int_equal(a->reason_evidence[i], b->reason_evidence[i]);
	assert_int_equal(a->return_required, b->return_required);
	for (i = 0; i < REFUND_GRADE_COUNT; i++)
		assert_int_equal(a->grade_bp[i], b->grade_bp[i]);
	assert_int_equal(a->missing_part_amount, b->missing_part_amount);
	assert_int_equal(a->fee_fixed, b->fee_fixed);
	assert_int_equal(a->fee_bp, b->fee_bp);
	assert_int_equal(a->fee_min, b->fee_min);
	assert_int_equal(a->fee_cap, b->fee_cap);
	assert_int_equal(a->offsets_allowed, b->offsets_allowed);
	assert_int_equal(a->max_parts, b->max_parts);
	assert_int_equal(a->interval_months, b->interval_months);
	for (i = 0; i < REFUND_STATE_COUNT; i++)
		assert_deadline_equal(&a->deadlines[i], &b->deadlines[i]);
	assert_int_equal(a->four_eyes, b->four_eyes);
	assert_int_equal(a->parties, b->parties);
	assert_int_equal(a->published_at, b->published_at);
	assert_string_equal(a->published_by, b->published_by);
}

/* A refused call changes nothing in the draft: compares against a snapshot. */
typedef struct snapshot {
	unsigned char bytes[sizeof(refund_policy)];
} snapshot;

static snapshot take(const refund_policy *p)
{
	snapshot s;

	memcpy(s.bytes, p, sizeof(*p));
	return s;
}

static void assert_unchanged(const refund_policy *p, const snapshot *s)
{
	assert_memory_equal(p, s->bytes, sizeof(*p));
}

#define REFUSED(p, code, call) do { \
		snapshot snap_ = take(p); \
		assert_int_equal((call), (code)); \
		assert_unchanged((p), &snap_); \
	} while (0)

/* ---- creating ---- */

static void test_new_defaults(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "STD-2025");
	int i;

	assert_string_equal(refund_policy_id(p), "STD-2025");
	assert_string_equal(refund_policy_currency(p), "CNY");
	assert_int_equal(refund_policy_version(p), 0);
	assert_int_equal(p->window_anchor, REFUND_WINDOW_NONE);
	assert_int_equal(p->ntiers, 0);
	assert_int_equal(p->common_evidence, EV(RECEIPT) | EV(CONTRACT) | EV(PAYMENT_RECORD));
	assert_int_equal(p->reason_evidence[REFUND_REASON_DEVICE_FAULT], EV(FAULT_REPORT));
	assert_int_equal(p->reason_evidence[REFUND_REASON_TRANSACTION_DISPUTE],
			EV(TRANSACTION_RECORDS));
	assert_int_equal(p->reason_evidence[REFUND_REASON_SERVICE], EV(SERVICE_EVALUATION));
	assert_int_equal(p->reason_evidence[REFUND_REASON_POLICY_CHANGE],
			EV(GOVERNMENT_DOCUMENT));
	assert_int_equal(p->reason_evidence[REFUND_REASON_NEEDS_CHANGED], 0);
	assert_int_equal(p->reason_evidence[REFUND_REASON_FRAUD], EV(POLICE_REPORT));
	assert_int_equal(p->return_required, 1);
	for (i = 0; i < REFUND_GRADE_COUNT; i++)
		assert_int_equal(p->grade_bp[i], 0);
	assert_int_equal(p->missing_part_amount, 0);
	assert_int_equal(p->fee_fixed, 0);
	assert_int_equal(p->fee_bp, 0);
	assert_int_equal(p->fee_min, 0);
	assert_int_equal(p->fee_cap, -1);
	assert_int_equal(p->offsets_allowed, 0);
	assert_int_equal(p->max_parts, 1);
	assert_int_equal(p->interval_months, 1);
	for (i = 0; i < REFUND_STATE_COUNT; i++)
		assert_int_equal(p->deadlines[i].set, 0);
	assert_int_equal(p->four_eyes, -1);
	assert_int_equal(p->parties, 0);
	assert_true(p->published_at == REFUND_TIME_NONE);
	assert_string_equal(p->published_by, "");
	assert_int_equal(refund__policy_tier_bp(p, 0, 0), 10000);
	refund_policy_free(p);
}

static void test_new_refusals(void **state)
{
	fixture *f = *state;
	refund_policy *p = SENTINEL;
	const char *max_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"; /* 48 */
	const char *long_id = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"; /* 49 */
	long live = f->fa.live;

	assert_int_equal(refund_policy_new(NULL, &p, "P", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, NULL, "P", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, NULL, "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, long_id, "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P@1", "CNY"), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "@"));
	assert_int_equal(refund_policy_new(f->engine, &p, "P 1", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P\x7f", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "政策", "CNY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P", NULL), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P", "cny"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P", "CNYY"), REFUND_EINVAL);
	assert_int_equal(refund_policy_new(f->engine, &p, "P", "QQQ"), REFUND_ECURRENCY);
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(f->fa.live, live);

	assert_int_equal(refund_policy_new(f->engine, &p, max_id, "USD"), 0);
	assert_string_equal(refund_policy_id(p), max_id);
	assert_string_equal(refund_policy_currency(p), "USD");
	refund_policy_free(p);
}

static void test_new_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p = SENTINEL;
	long live = f->fa.live;

	failalloc_arm(&f->fa, 1, 0);
	assert_int_equal(refund_policy_new(f->engine, &p, "P", "CNY"), REFUND_ENOMEM);
	failalloc_disarm(&f->fa);
	assert_ptr_equal(p, SENTINEL);
	assert_int_equal(f->fa.live, live);
}

static void test_null_handles(void **state)
{
	(void)state;
	assert_null(refund_policy_id(NULL));
	assert_null(refund_policy_currency(NULL));
	assert_int_equal(refund_policy_version(NULL), 0);
	refund_policy_free(NULL);
	assert_int_equal(refund_policy_set_window(NULL, REFUND_WINDOW_PAYMENT, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_add_tier(NULL, 0, 0, 0), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_common_evidence(NULL, 0), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_reason_evidence(NULL, 1, 0), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_return_required(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_grade_deduction(NULL, REFUND_GRADE_DAMAGED, 1),
			REFUND_EINVAL);
	assert_int_equal(refund_policy_set_missing_part_deduction(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_fee(NULL, 0, 0, 0, -1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_offsets(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_installments(NULL, 1, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_deadline(NULL, REFUND_STATE_DRAFT, 1,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, NULL, 0), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_four_eyes(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_set_escalation(NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_publish(NULL, "admin-1", REFUND_ROLE_ADMIN),
			REFUND_EINVAL);
}

/* ---- setters ---- */

static void test_set_window(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_PAYMENT, 1), 0);
	assert_int_equal(p->window_anchor, REFUND_WINDOW_PAYMENT);
	assert_int_equal(p->window_days, 1);
	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 36600), 0);
	assert_int_equal(p->window_anchor, REFUND_WINDOW_CONTRACT_END);
	assert_int_equal(p->window_days, 36600);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_window(p, REFUND_WINDOW_PAYMENT, 0));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_window(p, REFUND_WINDOW_PAYMENT, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_window(p, REFUND_WINDOW_PAYMENT, 36601));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_window(p, 3, 10));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_window(p, -1, 10));
	/* Days are ignored without a window. */
	assert_int_equal(refund_policy_set_window(p, REFUND_WINDOW_NONE, -5), 0);
	assert_int_equal(p->window_anchor, REFUND_WINDOW_NONE);
	assert_int_equal(p->window_days, 0);
	refund_policy_free(p);
}

static void test_add_tier(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	int i;

	assert_int_equal(refund_policy_add_tier(p, 0, 0, 0), 0);
	assert_int_equal(refund_policy_add_tier(p, 365, INT64_MAX, 10000), 0);
	assert_int_equal(p->ntiers, 2);
	assert_int_equal(p->tiers[1].min_days, 365);
	assert_true(p->tiers[1].min_volume == INT64_MAX);
	assert_int_equal(p->tiers[1].bp, 10000);
	REFUSED(p, REFUND_EINVAL, refund_policy_add_tier(p, -1, 0, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_add_tier(p, 0, -1, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_add_tier(p, 0, 0, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_add_tier(p, 0, 0, 10001));
	for (i = 2; i < REFUND_POLICY_MAX_TIERS; i++)
		assert_int_equal(refund_policy_add_tier(p, i, 0, 100), 0);
	REFUSED(p, REFUND_EINVAL, refund_policy_add_tier(p, 0, 0, 100));
	assert_int_equal(p->ntiers, REFUND_POLICY_MAX_TIERS);
	refund_policy_free(p);
}

static void test_set_evidence(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_common_evidence(p, 0), 0);
	assert_int_equal(p->common_evidence, 0);
	assert_int_equal(refund_policy_set_common_evidence(p, REFUND_EVIDENCE_ALL), 0);
	assert_int_equal(p->common_evidence, REFUND_EVIDENCE_ALL);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_common_evidence(p, 1u));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_common_evidence(p, 1u << 10));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_common_evidence(p, 0x80000000u));

	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_DEVICE_FAULT, 0), 0);
	assert_int_equal(p->reason_evidence[REFUND_REASON_DEVICE_FAULT], 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_FRAUD,
			EV(OTHER) | EV(POLICE_REPORT)), 0);
	assert_int_equal(p->reason_evidence[REFUND_REASON_FRAUD], EV(OTHER) | EV(POLICE_REPORT));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_reason_evidence(p, 0, EV(OTHER)));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_reason_evidence(p, 7, EV(OTHER)));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_reason_evidence(p, -1, EV(OTHER)));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_reason_evidence(p, REFUND_REASON_SERVICE,
			1u << 12));
	refund_policy_free(p);
}

static void test_set_flags(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_return_required(p, 0), 0);
	assert_int_equal(p->return_required, 0);
	assert_int_equal(refund_policy_set_return_required(p, 1), 0);
	assert_int_equal(p->return_required, 1);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_return_required(p, 2));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_return_required(p, -1));

	assert_int_equal(refund_policy_set_offsets(p, 1), 0);
	assert_int_equal(p->offsets_allowed, 1);
	assert_int_equal(refund_policy_set_offsets(p, 0), 0);
	assert_int_equal(p->offsets_allowed, 0);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_offsets(p, 2));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_offsets(p, -1));
	refund_policy_free(p);
}

static void test_set_deductions(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 10000), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_NOT_RETURNED, 0), 0);
	assert_int_equal(p->grade_bp[REFUND_GRADE_DAMAGED], 10000);
	assert_int_equal(p->grade_bp[REFUND_GRADE_NOT_RETURNED], 0);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p, REFUND_GRADE_FINE, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p,
			REFUND_GRADE_NORMAL_WEAR, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p, REFUND_GRADE_FINE, 0));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p, 0, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p, 5, 100));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_grade_deduction(p,
			REFUND_GRADE_DAMAGED, 10001));

	assert_int_equal(refund_policy_set_missing_part_deduction(p, 0), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, INT64_MAX), 0);
	assert_true(p->missing_part_amount == INT64_MAX);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_missing_part_deduction(p, -1));
	refund_policy_free(p);
}

static void test_set_fee(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_fee(p, 100, 50, 200, 5000), 0);
	assert_int_equal(p->fee_fixed, 100);
	assert_int_equal(p->fee_bp, 50);
	assert_int_equal(p->fee_min, 200);
	assert_int_equal(p->fee_cap, 5000);
	assert_int_equal(refund_policy_set_fee(p, 0, 10000, 0, -1), 0);
	assert_int_equal(p->fee_cap, -1);
	assert_int_equal(refund_policy_set_fee(p, 0, 0, 300, 300), 0);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, -1, 0, 0, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, 0, -1, 0, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, 0, 10001, 0, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, 0, 0, -1, -1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, 0, 0, 100, 99));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_fee(p, 0, 0, 0, -2));
	refund_policy_free(p);
}

static void test_set_installments(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_installments(p, REFUND_POLICY_MAX_PARTS, 12), 0);
	assert_int_equal(p->max_parts, REFUND_POLICY_MAX_PARTS);
	assert_int_equal(p->interval_months, 12);
	assert_int_equal(refund_policy_set_installments(p, 1, 1), 0);
	assert_int_equal(p->max_parts, 1);
	assert_int_equal(p->interval_months, 1);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_installments(p, 0, 1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_installments(p, REFUND_POLICY_MAX_PARTS + 1, 1));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_installments(p, 2, 0));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_installments(p, 2, 13));
	refund_policy_free(p);
}

static void test_set_four_eyes_escalation(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund_policy_set_four_eyes(p, 0), 0);
	assert_int_equal(p->four_eyes, 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 500000), 0);
	assert_int_equal(p->four_eyes, 500000);
	assert_int_equal(refund_policy_set_four_eyes(p, -1), 0);
	assert_int_equal(p->four_eyes, -1);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_four_eyes(p, -2));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_four_eyes(p, INT64_MIN));

	assert_int_equal(refund_policy_set_escalation(p, REFUND_PARTY_REGULATOR |
			REFUND_PARTY_CONSUMER_ASSOCIATION | REFUND_PARTY_LEGAL), 0);
	assert_int_equal(p->parties, 7);
	assert_int_equal(refund_policy_set_escalation(p, 0), 0);
	assert_int_equal(p->parties, 0);
	REFUSED(p, REFUND_EINVAL, refund_policy_set_escalation(p, 8));
	REFUSED(p, REFUND_EINVAL, refund_policy_set_escalation(p, 0x80000001u));
	refund_policy_free(p);
}

static void test_set_deadline(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	const int64_t reminders[] = { 3600, 259200, 86400 };
	const int64_t five[] = { 5, 4, 3, 2, 1 };
	const int64_t zero[] = { 86400, 0 };
	const int64_t negative[] = { -1 };
	const int64_t twice[] = { 60, 60 };
	const policy_deadline *d = &p->deadlines[REFUND_STATE_UNDER_REVIEW];

	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 5,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_APPROVE, reminders, 3), 0);
	assert_int_equal(d->set, 1);
	assert_int_equal(d->amount, 5);
	assert_int_equal(d->unit, REFUND_BUSINESS_DAYS);
	assert_string_equal(d->calendar, "CN");
	assert_int_equal(d->consequence, REFUND_ON_DUE_APPROVE);
	assert_int_equal(d->nreminders, 3);
	assert_int_equal(d->reminders[0], 259200);
	assert_int_equal(d->reminders[1], 86400);
	assert_int_equal(d->reminders[2], 3600);
	/* Setting a state again replaces its deadline. */
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 3660,
			REFUND_CALENDAR_DAYS, "WEEKEND", REFUND_ON_DUE_ESCALATE, five, 4), 0);
	assert_int_equal(d->amount, 3660);
	assert_string_equal(d->calendar, "WEEKEND");
	assert_int_equal(d->nreminders, 4);
	assert_int_equal(d->reminders[3], 2);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_PAID, 1,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_CLOSE, NULL, 0), 0);
	assert_int_equal(p->deadlines[REFUND_STATE_PAID].nreminders, 0);

#define DL(st, amount, unit, cal, cons, rem, n) \
	refund_policy_set_deadline(p, (st), (amount), (unit), (cal), (cons), (rem), (n))
	REFUSED(p, REFUND_EINVAL, DL(0, 5, REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_COUNT, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_CLOSED, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_CLOSE, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_WITHDRAWN, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_EXPIRED, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_DRAFT, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_APPROVE, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_REJECTED, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			0, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			6, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 0, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 3661, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, 0, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, 3, "CN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, NULL,
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS,
			"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "C\tN",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, five, 5));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, NULL, 1));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, zero, 2));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, negative, 1));
	REFUSED(p, REFUND_EINVAL, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_REMIND, twice, 2));
	/* Well-formed but unknown to the engine: the old deadline stays. */
	REFUSED(p, REFUND_ENOTFOUND, DL(REFUND_STATE_UNDER_REVIEW, 5, REFUND_CALENDAR_DAYS, "HK",
			REFUND_ON_DUE_REMIND, NULL, 0));
	REFUSED(p, REFUND_ENOTFOUND, DL(REFUND_STATE_SUBMITTED, 5, REFUND_CALENDAR_DAYS, "HK",
			REFUND_ON_DUE_REMIND, NULL, 0));
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "HK"));
#undef DL
	refund_policy_free(p);
}

static void test_set_deadline_added_calendar(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	refund_calendar *cal = NULL;

	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_PAYOUT, 7,
			REFUND_BUSINESS_DAYS, "Hong Kong", REFUND_ON_DUE_ESCALATE, NULL, 0),
			REFUND_ENOTFOUND);
	assert_int_equal(refund_calendar_new(f->engine, &cal, "Hong Kong", 8 * 3600,
			REFUND_WEEKEND_SAT_SUN), 0);
	assert_int_equal(refund_engine_add_calendar(f->engine, cal), 0);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_PAYOUT, 7,
			REFUND_BUSINESS_DAYS, "Hong Kong", REFUND_ON_DUE_ESCALATE, NULL, 0), 0);
	assert_string_equal(p->deadlines[REFUND_STATE_PAYOUT].calendar, "Hong Kong");
	refund_policy_free(p);
}

/* The built-in calendar is made on first use: its allocations may fail. */
static void test_set_deadline_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	long k, live = f->fa.live;
	int rc;

	for (k = 1; k < 1000; k++) {
		snapshot snap = take(p);

		failalloc_arm(&f->fa, k, 0);
		rc = refund_policy_set_deadline(p, REFUND_STATE_DRAFT, 30, REFUND_CALENDAR_DAYS,
				"CN", REFUND_ON_DUE_EXPIRE, NULL, 0);
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_unchanged(p, &snap);
		assert_int_equal(f->fa.live, live);
	}
	assert_true(k > 1);
	assert_int_equal(p->deadlines[REFUND_STATE_DRAFT].set, 1);
	refund_policy_free(p);
}

/* ---- publishing ---- */

static void test_published_is_immutable(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P"), *loaded = NULL;
	refund_policy *handles[2];
	size_t i;

	publish_ok(p, 1);
	assert_int_equal(refund_policy_load(f->engine, &loaded, "P", 1), 0);
	handles[0] = p;
	handles[1] = loaded;
	for (i = 0; i < 2; i++) {
		refund_policy *h = handles[i];

		REFUSED(h, REFUND_ESTATE, refund_policy_set_window(h, REFUND_WINDOW_PAYMENT, 10));
		REFUSED(h, REFUND_ESTATE, refund_policy_add_tier(h, 0, 0, 100));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_common_evidence(h, 0));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_reason_evidence(h, 1, 0));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_return_required(h, 0));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_grade_deduction(h,
				REFUND_GRADE_DAMAGED, 10));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_missing_part_deduction(h, 10));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_fee(h, 1, 1, 1, 1));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_offsets(h, 1));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_installments(h, 2, 1));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_deadline(h, REFUND_STATE_DRAFT, 1,
				REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, NULL, 0));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_four_eyes(h, 1));
		REFUSED(h, REFUND_ESTATE, refund_policy_set_escalation(h, 1));
		/* Even an invalid value: the state is what is wrong. */
		REFUSED(h, REFUND_ESTATE, refund_policy_set_four_eyes(h, -7));
		REFUSED(h, REFUND_ESTATE, refund_policy_publish(h, "admin-1", REFUND_ROLE_ADMIN));
	}
	refund_policy_free(loaded);
	refund_policy_free(p);
}

static void test_publish_versions(void **state)
{
	fixture *f = *state;
	refund_policy *a = draft(f, "P"), *b = draft(f, "P"), *other = draft(f, "Q");
	refund_policy *l1 = NULL, *l2 = NULL, *latest = NULL;
	uint64_t head_version = 0;
	char *head;

	assert_int_equal(refund_policy_set_fee(a, 1, 0, 0, -1), 0);
	assert_int_equal(refund_policy_set_fee(b, 2, 0, 0, -1), 0);
	f->now = 1735689600;
	publish_ok(a, 1);
	assert_true(a->published_at == 1735689600);
	assert_string_equal(a->published_by, "admin-1");
	f->now += 3600;
	/* b was drafted before a was published; it reads the head when published. */
	publish_ok(b, 2);
	assert_true(b->published_at == 1735689600 + 3600);
	publish_ok(other, 1);

	head = get_raw(f, "P", &head_version);
	assert_string_equal(head, "{\"schema\":1,\"id\":\"P\",\"latest\":2}");
	assert_int_equal(head_version, 2);
	free(head);

	assert_int_equal(refund_policy_load(f->engine, &l1, "P", 1), 0);
	assert_int_equal(refund_policy_load(f->engine, &l2, "P", 2), 0);
	assert_int_equal(refund_policy_load(f->engine, &latest, "P", 0), 0);
	assert_policy_equal(l1, a);
	assert_policy_equal(l2, b);
	assert_policy_equal(latest, b);
	assert_int_equal(l1->fee_fixed, 1);
	assert_int_equal(latest->fee_fixed, 2);
	assert_int_equal(refund_policy_version(latest), 2);
	refund_policy_free(l1);
	refund_policy_free(l2);
	refund_policy_free(latest);
	refund_policy_free(a);
	refund_policy_free(b);
	refund_policy_free(other);
}

static void test_load_refusals(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P"), *out = SENTINEL;
	long live;

	publish_ok(p, 1);
	live = f->fa.live;
	assert_int_equal(refund_policy_load(NULL, &out, "P", 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_load(f->engine, NULL, "P", 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_load(f->engine, &out, NULL, 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_load(f->engine, &out, "", 1), REFUND_EINVAL);
	assert_int_equal(refund_policy_load(f->engine, &out, "P@1", 0), REFUND_EINVAL);
	assert_int_equal(refund_policy_load(f->engine, &out, "P", 2), REFUND_ENOTFOUND);
	assert_int_equal(refund_policy_load(f->engine, &out, "P", UINT32_MAX), REFUND_ENOTFOUND);
	assert_int_equal(refund_policy_load(f->engine, &out, "NONE", 0), REFUND_ENOTFOUND);
	assert_int_equal(refund_policy_load(f->engine, &out, "NONE", 1), REFUND_ENOTFOUND);
	assert_ptr_equal(out, SENTINEL);
	assert_int_equal(f->fa.live, live);
	refund_policy_free(p);
}

static void test_round_trip_every_rule(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "FULL"), *loaded = NULL;
	char *stored;

	set_everything(p);
	publish_ok(p, 1);
	assert_int_equal(refund_policy_load(f->engine, &loaded, "FULL", 1), 0);
	assert_policy_equal(loaded, p);
	stored = get_raw(f, "FULL@1", NULL);
	assert_non_null(strstr(stored, "\"schema\":1"));
	free(stored);
	refund_policy_free(loaded);
	refund_policy_free(p);
}

static void test_publish_roles(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	static const int denied[] = { REFUND_ROLE_APPLICANT, REFUND_ROLE_AGENT,
		REFUND_ROLE_REVIEWER, REFUND_ROLE_FINANCE, REFUND_ROLE_SYSTEM };
	char *before = dump(f);
	size_t i;

	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		REFUSED(p, REFUND_EDENIED, refund_policy_publish(p, "someone", denied[i]));
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, "someone", 0));
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, "someone", 99));
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, NULL, REFUND_ROLE_ADMIN));
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, "", REFUND_ROLE_ADMIN));
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, "with space", REFUND_ROLE_ADMIN));
	f->now = -1;
	REFUSED(p, REFUND_EINVAL, refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN));
	f->now = 1735689600;
	assert_store_is(f, before);
	free(before);
	publish_ok(p, 1);
	refund_policy_free(p);
}

/* The store refuses the commit (or the head load): the draft stays a draft. */
static void test_publish_store_failures(void **state)
{
	static const int codes[] = { REFUND_ECONFLICT, REFUND_EBUSY, REFUND_ESTORE,
		REFUND_ENOMEM, 12345 };
	fixture *f = *state;
	refund_store *faulty = NULL;
	refund_engine *e;
	refund_policy *p = NULL;
	char *before = dump(f);
	size_t i;
	long call;

	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	e = engine_on(f, faulty);
	assert_int_equal(refund_policy_new(e, &p, "P", "CNY"), 0);
	set_everything(p);
	for (call = 1; call <= 2; call++) {
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
			int want = codes[i] == 12345 ? REFUND_ESTORE : codes[i];

			if (call == 1 && codes[i] == REFUND_ECONFLICT)
				continue;  /* a load never conflicts */
			faulty_store_arm(faulty, call, codes[i], 0);
			REFUSED(p, want, refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN));
			assert_int_equal(faulty_store_failures(faulty), 1);
			assert_store_is(f, before);
		}
	}
	faulty_store_disarm(faulty);
	publish_ok(p, 1);
	refund_policy_free(p);
	refund_engine_free(e);
	refund_store_free(faulty);
	free(before);
}

/* A store that lets a rival publish the same id between our head load and
 * our commit: a real race, which the head's expected version catches. */
typedef struct racing_store {
	refund_store base;
	refund_store *inner;
	fixture *f;
	int races;     /* rival publications still to make */
} racing_store;

static refund_store *inner_of(refund_store *s)
{
	return ((racing_store *)s)->inner;
}

static int racing_load(refund_store *s, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	return inner_of(s)->load(inner_of(s), kind, id, cb, ctx);
}

static int racing_commit(refund_store *s, const refund_store_batch *batch)
{
	racing_store *r = (racing_store *)s;

	if (r->races > 0) {
		refund_policy *rival = NULL;

		r->races--;
		assert_int_equal(refund_policy_new(r->f->engine, &rival, "P", "CNY"), 0);
		assert_int_equal(refund_policy_set_offsets(rival, 1), 0);
		publish_ok(rival, 1);
		refund_policy_free(rival);
	}
	return r->inner->commit(r->inner, batch);
}

static int racing_events(refund_store *s, int kind, const char *id, uint64_t from,
		refund_store_event_cb cb, void *ctx)
{
	return inner_of(s)->events(inner_of(s), kind, id, from, cb, ctx);
}

static int racing_due(refund_store *s, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	return inner_of(s)->due(inner_of(s), before, limit, cb, ctx);
}

static void test_publish_race(void **state)
{
	fixture *f = *state;
	racing_store r;
	refund_engine *e;
	refund_policy *p = NULL, *latest = NULL;

	memset(&r, 0, sizeof(r));
	assert_int_equal(refund_store_init(&r.base, REFUND_STORE_VERSION), 0);
	r.base.load = racing_load;
	r.base.commit = racing_commit;
	r.base.events = racing_events;
	r.base.due = racing_due;
	r.inner = f->store;
	r.f = f;
	r.races = 1;
	e = engine_on(f, &r.base);
	assert_int_equal(refund_policy_new(e, &p, "P", "CNY"), 0);
	REFUSED(p, REFUND_ECONFLICT, refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN));
	assert_non_null(strstr(refund_engine_errmsg(e), "retry"));
	/* The rival's version 1 stands; retrying gives ours version 2. */
	assert_int_equal(refund_policy_load(f->engine, &latest, "P", 0), 0);
	assert_int_equal(refund_policy_version(latest), 1);
	assert_int_equal(latest->offsets_allowed, 1);
	refund_policy_free(latest);
	publish_ok(p, 2);
	assert_int_equal(refund_policy_load(f->engine, &latest, "P", 0), 0);
	assert_policy_equal(latest, p);
	refund_policy_free(latest);
	refund_policy_free(p);
	refund_engine_free(e);
}

static void test_publish_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p;
	long k, live;
	char *before;
	int rc = -1;

	p = draft(f, "P");
	publish_ok(p, 1);  /* so the head exists and is read */
	refund_policy_free(p);
	before = dump(f);
	for (k = 1; k < 1000 && rc != 0; k++) {
		p = draft(f, "P");
		set_everything(p);
		live = f->fa.live;
		{
			snapshot snap = take(p);

			failalloc_arm(&f->fa, k, 0);
			rc = refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN);
			failalloc_disarm(&f->fa);
			if (rc != 0) {
				assert_int_equal(rc, REFUND_ENOMEM);
				assert_unchanged(p, &snap);
				assert_int_equal(f->fa.live, live);
				assert_store_is(f, before);
			}
		}
		refund_policy_free(p);
	}
	assert_int_equal(rc, 0);
	assert_true(k > 2);
	free(before);
}

static void test_load_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P"), *out = NULL;
	uint32_t version;
	long k, live;
	int rc;

	set_everything(p);
	publish_ok(p, 1);
	for (version = 0; version <= 1; version++) {
		rc = -1;
		for (k = 1; k < 1000 && rc != 0; k++) {
			out = SENTINEL;
			live = f->fa.live;
			failalloc_arm(&f->fa, k, 0);
			rc = refund_policy_load(f->engine, &out, "P", version);
			failalloc_disarm(&f->fa);
			if (rc != 0) {
				assert_int_equal(rc, REFUND_ENOMEM);
				assert_ptr_equal(out, SENTINEL);
				assert_int_equal(f->fa.live, live);
			}
		}
		assert_int_equal(rc, 0);
		assert_true(k > 2);
		assert_policy_equal(out, p);
		refund_policy_free(out);
	}
	refund_policy_free(p);
}

/* ---- the engine's cache ---- */

static void test_get_caches(void **state)
{
	fixture *f = *state;
	refund_store *faulty = NULL;
	refund_engine *e;
	refund_policy *p = NULL;
	const refund_policy *g1 = NULL, *g2 = NULL, *g0 = NULL;

	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	e = engine_on(f, faulty);
	assert_int_equal(refund_policy_new(e, &p, "P", "CNY"), 0);
	set_everything(p);
	publish_ok(p, 1);

	faulty_store_disarm(faulty);
	assert_int_equal(refund__policy_get(e, "P", 1, &g1), 0);
	assert_int_equal(faulty_store_calls(faulty), 1);
	assert_policy_equal(g1, p);
	assert_int_equal(e->npolicies, 1);

	faulty_store_disarm(faulty);
	assert_int_equal(refund__policy_get(e, "P", 1, &g2), 0);
	assert_int_equal(faulty_store_calls(faulty), 0);
	assert_ptr_equal(g1, g2);

	/* The latest always asks the head, then finds the version cached. */
	faulty_store_disarm(faulty);
	assert_int_equal(refund__policy_get(e, "P", 0, &g0), 0);
	assert_int_equal(faulty_store_calls(faulty), 1);
	assert_ptr_equal(g0, g1);
	assert_int_equal(e->npolicies, 1);

	/* A newer version is seen at once. */
	refund_policy_free(p);
	assert_int_equal(refund_policy_new(e, &p, "P", "CNY"), 0);
	publish_ok(p, 2);
	assert_int_equal(refund__policy_get(e, "P", 0, &g0), 0);
	assert_int_equal(refund_policy_version(g0), 2);
	assert_int_equal(e->npolicies, 2);
	assert_int_equal(refund__policy_get(e, "P", 1, &g2), 0);
	assert_ptr_equal(g2, g1);

	/* Failures leave the cache alone. */
	assert_int_equal(refund__policy_get(e, "P", 3, &g2), REFUND_ENOTFOUND);
	assert_int_equal(refund__policy_get(e, "NONE", 0, &g2), REFUND_ENOTFOUND);
	assert_int_equal(refund__policy_get(e, "a@b", 0, &g2), REFUND_EINVAL);
	assert_int_equal(e->npolicies, 2);

	refund_policy_free(p);
	refund_engine_free(e);  /* frees the cached versions */
	refund_store_free(faulty);
}

static void test_get_enomem(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	const refund_policy *got = NULL;
	long k, live;
	int rc = -1;

	set_everything(p);
	publish_ok(p, 1);
	for (k = 1; k < 1000 && rc != 0; k++) {
		live = f->fa.live;
		failalloc_arm(&f->fa, k, 0);
		rc = refund__policy_get(f->engine, "P", 0, &got);
		failalloc_disarm(&f->fa);
		if (rc != 0) {
			assert_int_equal(rc, REFUND_ENOMEM);
			assert_int_equal(f->engine->npolicies, 0);
			assert_int_equal(f->fa.live, live);
		}
	}
	assert_int_equal(rc, 0);
	assert_true(k > 3);  /* parse, handle, cache slot */
	assert_int_equal(f->engine->npolicies, 1);
	assert_policy_equal(got, p);
	refund_policy_free(p);
}

/* ---- corrupt stored bytes ---- */

typedef struct mutation {
	const char *from;
	const char *to;
} mutation;

static void test_corrupt_versions(void **state)
{
	static const mutation cases[] = {
		{ "{\"schema\":1", "[{\"schema\":1" },
		{ "\"published_by\":\"admin-1\"}", "\"published_by\":\"admin-1\"" },
		{ "\"schema\":1", "\"schema\":2" },
		{ "\"schema\":1,", "" },
		{ "\"id\":\"C\"", "\"id\":\"X\"" },
		{ "\"id\":\"C\"", "\"id\":7" },
		{ "\"version\":1", "\"version\":2" },
		{ "\"version\":1", "\"version\":0" },
		{ "\"currency\":\"CNY\"", "\"currency\":\"QQQ\"" },
		{ "\"currency\":\"CNY\"", "\"currency\":\"cny\"" },
		{ "\"window_anchor\":1", "\"window_anchor\":3" },
		{ "\"window_days\":30", "\"window_days\":0" },
		{ "\"window_days\":30", "\"window_days\":36601" },
		{ "\"window_anchor\":1", "\"window_anchor\":0" },  /* days without a window */
		{ "\"bp\":5000", "\"bp\":-1" },
		{ "\"bp\":5000", "\"bp\":4294972296" },  /* 2^32 + 5000 */
		{ "\"min_days\":180", "\"min_days\":-1" },
		{ "\"min_volume\":100000", "\"min_volume\":\"many\"" },
		{ "\"tiers\":[", "\"tiers\":[7," },
		{ "\"tiers\":[", "\"tiers\":[{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1},{\"min_days\":0,\"min_volume\":0,\"bp\":1},"
			"{\"min_days\":0,\"min_volume\":0,\"bp\":1}," },  /* 17 tiers */
		{ "\"common_evidence\":10", "\"common_evidence\":11" },
		{ "\"common_evidence\":10", "\"common_evidence\":-2" },
		{ "\"common_evidence\":10", "\"common_evidence\":4294967306" },
		{ "\"reason_evidence\":[", "\"reason_evidence\":[0," },
		{ "\"reason_evidence\":[16,", "\"reason_evidence\":[" },
		{ "\"reason_evidence\":[16,", "\"reason_evidence\":[1," },
		{ "\"reason_evidence\":[16,", "\"reason_evidence\":[null," },
		{ "\"return_required\":0", "\"return_required\":2" },
		{ "\"return_required\":0", "\"return_required\":false" },
		{ "\"damaged_bp\":3000", "\"damaged_bp\":10001" },
		{ "\"not_returned_bp\":10000", "\"not_returned_bp\":-5" },
		{ "\"missing_part\":2500", "\"missing_part\":-1" },
		{ "\"fee_fixed\":100", "\"fee_fixed\":-100" },
		{ "\"fee_bp\":50", "\"fee_bp\":10001" },
		{ "\"fee_min\":200", "\"fee_min\":6000" },  /* above the cap */
		{ "\"fee_cap\":5000", "\"fee_cap\":-2" },
		{ "\"offsets\":1", "\"offsets\":3" },
		{ "\"offsets\":1,", "" },
		{ "\"max_parts\":3", "\"max_parts\":25" },
		{ "\"max_parts\":3", "\"max_parts\":0" },
		{ "\"interval_months\":3", "\"interval_months\":13" },
		{ "\"deadlines\":[", "\"deadlines\":[[]," },
		{ "\"state\":1,", "\"state\":10," },      /* final */
		{ "\"state\":1,", "\"state\":14," },      /* unknown */
		{ "\"state\":3,", "\"state\":1," },       /* draft cannot approve */
		{ "\"deadlines\":[", "\"deadlines\":[{\"state\":1,\"amount\":1,\"unit\":1,"
			"\"calendar\":\"CN\",\"consequence\":1,\"reminders\":[]}," },  /* twice */
		{ "\"consequence\":3", "\"consequence\":4" },  /* draft cannot approve */
		{ "\"consequence\":3", "\"consequence\":9" },
		{ "\"amount\":30", "\"amount\":3661" },
		{ "\"amount\":30", "\"amount\":0" },
		{ "\"unit\":1", "\"unit\":3" },
		{ "\"calendar\":\"WEEKEND\"", "\"calendar\":\"\"" },
		{ "\"calendar\":\"WEEKEND\"", "\"calendar\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"" },
		{ "\"calendar\":\"WEEKEND\"", "\"calendar\":\"W\\u0001\"" },
		{ "\"reminders\":[]", "\"reminders\":[0]" },
		{ "\"reminders\":[]", "\"reminders\":[1,2,3,4,5]" },
		{ "\"reminders\":[]", "\"reminders\":[5,5]" },
		{ "\"reminders\":[]", "\"reminders\":[\"x\"]" },
		{ "\"reminders\":[]", "\"reminders\":{}" },
		{ "\"four_eyes\":100000", "\"four_eyes\":-2" },
		{ "\"parties\":5", "\"parties\":8" },
		{ "\"published_at\":1735689600", "\"published_at\":-1" },
		{ "\"published_at\":1735689600", "\"published_at\":253402300800" },
		{ "\"published_at\":1735689600", "\"published_at\":null" },
		{ "\"published_by\":\"admin-1\"", "\"published_by\":\"\"" },
		{ "\"published_by\":\"admin-1\"", "\"published_by\":\"a b\"" },
		{ "\"published_by\":\"admin-1\"", "\"published_by\":null" },
	};
	fixture *f = *state;
	refund_policy *p = draft(f, "C"), *out = SENTINEL;
	char *base, *bad, id[32], rid[40];
	size_t i;
	long live;

	set_everything(p);
	publish_ok(p, 1);
	base = get_raw(f, "C@1", NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *renamed;

		snprintf(id, sizeof(id), "C%zu", i);
		snprintf(rid, sizeof(rid), "C%zu@1", i);
		bad = replace(base, cases[i].from, cases[i].to);
		if (strstr(bad, "\"id\":\"C\"")) {
			char want[40];

			snprintf(want, sizeof(want), "\"id\":\"%s\"", id);
			renamed = replace(bad, "\"id\":\"C\"", want);
			free(bad);
			bad = renamed;
		}
		put_raw(f, rid, 0, bad);
		live = f->fa.live;
		if (refund_policy_load(f->engine, &out, id, 1) != REFUND_ECORRUPT)
			fail_msg("case %zu (%s -> %s) was not corrupt", i, cases[i].from, cases[i].to);
		assert_ptr_equal(out, SENTINEL);
		assert_int_equal(f->fa.live, live);
		assert_non_null(strstr(refund_engine_errmsg(f->engine), rid));
		free(bad);
	}
	/* The base itself, renamed, is fine: the cases fail for their change only. */
	bad = replace(base, "\"id\":\"C\"", "\"id\":\"OK\"");
	put_raw(f, "OK@1", 0, bad);
	assert_int_equal(refund_policy_load(f->engine, &out, "OK", 1), 0);
	assert_string_equal(refund_policy_id(out), "OK");
	refund_policy_free(out);
	free(bad);
	free(base);
	refund_policy_free(p);
}

static void test_corrupt_heads(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "C"), *out = SENTINEL;
	char *before;

	publish_ok(p, 1);
	/* A head read and found sound is not parsed again, but only for its id:
	 * its very bytes (and version) stored as another policy's head are not. */
	assert_int_equal(refund_policy_load(f->engine, &out, "C", 0), 0);
	refund_policy_free(out);
	out = SENTINEL;
	put_raw(f, "H0", 0, "{\"schema\":1,\"id\":\"C\",\"latest\":1}");
	assert_int_equal(refund_policy_load(f->engine, &out, "H0", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "C", 0), 0);
	refund_policy_free(out);
	out = SENTINEL;
	put_raw(f, "H1", 0, "{\"schema\":1,\"id\":\"H1\"");
	put_raw(f, "H2", 0, "{\"schema\":2,\"id\":\"H2\",\"latest\":1}");
	put_raw(f, "H3", 0, "{\"schema\":1,\"id\":\"X\",\"latest\":1}");
	put_raw(f, "H4", 0, "{\"schema\":1,\"id\":\"H4\",\"latest\":2}");   /* store version 1 */
	put_raw(f, "H5", 0, "{\"schema\":1,\"id\":\"H5\",\"latest\":0}");
	put_raw(f, "H6", 0, "{\"schema\":1,\"id\":\"H6\"}");
	put_raw(f, "H7", 0, "{\"schema\":1,\"id\":\"H7\",\"latest\":\"1\"}");
	assert_int_equal(refund_policy_load(f->engine, &out, "H1", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H2", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H3", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H4", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H5", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H6", 0), REFUND_ECORRUPT);
	assert_int_equal(refund_policy_load(f->engine, &out, "H7", 0), REFUND_ECORRUPT);
	assert_ptr_equal(out, SENTINEL);
	refund_policy_free(p);

	/* Publishing over a corrupt head is refused and writes nothing. */
	assert_int_equal(refund_policy_new(f->engine, &p, "H4", "CNY"), 0);
	before = dump(f);
	REFUSED(p, REFUND_ECORRUPT, refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN));
	assert_store_is(f, before);
	free(before);
	refund_policy_free(p);
}

/* ---- the rules as cases read them ---- */

static void test_tier_bp(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");

	assert_int_equal(refund__policy_tier_bp(p, 0, 0), 10000);
	assert_int_equal(refund__policy_tier_bp(p, -5, -5), 10000);
	assert_int_equal(refund_policy_add_tier(p, 90, 0, 3000), 0);
	assert_int_equal(refund_policy_add_tier(p, 365, 500000, 9000), 0);
	assert_int_equal(refund_policy_add_tier(p, 180, 0, 6000), 0);
	assert_int_equal(refund_policy_add_tier(p, 30, 1000000, 7000), 0);
	assert_int_equal(refund__policy_tier_bp(p, 0, 0), 0);          /* none met */
	assert_int_equal(refund__policy_tier_bp(p, 89, 999999), 0);
	assert_int_equal(refund__policy_tier_bp(p, 90, 0), 3000);      /* boundary met */
	assert_int_equal(refund__policy_tier_bp(p, 200, 0), 6000);     /* best, not last */
	assert_int_equal(refund__policy_tier_bp(p, 400, 499999), 6000); /* volume short */
	assert_int_equal(refund__policy_tier_bp(p, 400, 500000), 9000);
	assert_int_equal(refund__policy_tier_bp(p, 30, 1000000), 7000); /* both needed */
	assert_int_equal(refund__policy_tier_bp(p, 29, 1000000), 0);
	assert_int_equal(refund__policy_tier_bp(p, 100, 1000000), 7000);
	refund_policy_free(p);

	p = draft(f, "ZERO");
	assert_int_equal(refund_policy_add_tier(p, 0, 0, 0), 0);
	assert_int_equal(refund__policy_tier_bp(p, 1000, 1000), 0);
	refund_policy_free(p);
}

static void test_required_evidence(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft(f, "P");
	const uint32_t common = EV(RECEIPT) | EV(CONTRACT) | EV(PAYMENT_RECORD);

	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_DEVICE_FAULT),
			common | EV(FAULT_REPORT));
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_TRANSACTION_DISPUTE),
			common | EV(TRANSACTION_RECORDS));
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_SERVICE),
			common | EV(SERVICE_EVALUATION));
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_POLICY_CHANGE),
			common | EV(GOVERNMENT_DOCUMENT));
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_NEEDS_CHANGED),
			common);
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_FRAUD),
			common | EV(POLICE_REPORT));
	assert_int_equal(refund__policy_required_evidence(p, 0), common);
	assert_int_equal(refund__policy_required_evidence(p, 99), common);

	assert_int_equal(refund_policy_set_common_evidence(p, EV(RECEIPT)), 0);
	assert_int_equal(refund_policy_set_reason_evidence(p, REFUND_REASON_FRAUD,
			EV(OTHER) | EV(RECEIPT)), 0);
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_FRAUD),
			EV(RECEIPT) | EV(OTHER));
	assert_int_equal(refund__policy_required_evidence(p, REFUND_REASON_SERVICE),
			EV(RECEIPT) | EV(SERVICE_EVALUATION));
	refund_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_defaults, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_new_refusals, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_new_enomem, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_null_handles),
		cmocka_unit_test_setup_teardown(test_set_window, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_add_tier, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_evidence, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_flags, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_deductions, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_fee, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_installments, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_four_eyes_escalation, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_deadline, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_deadline_added_calendar, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_set_deadline_enomem, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_published_is_immutable, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_publish_versions, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_refusals, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_every_rule, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_publish_roles, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_publish_store_failures, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_publish_race, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_publish_enomem, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_load_enomem, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_get_caches, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_get_enomem, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_versions, fixture_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_heads, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_tier_bp, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_required_evidence, fixture_setup,
				fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
