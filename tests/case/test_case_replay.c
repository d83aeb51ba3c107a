/*
 * Rebuilding a case from its events alone (refund_case_rebuild): every
 * story that ends in a stored case rebuilds to exactly the stored record's
 * bytes; an edited, dropped, truncated or re-chained forged event is found
 * and named; and every error path.  Times are China time (UTC+08:00).
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
#include <refund/sys/store.h>

#include "case.h"
#include "sha256.h"

#include "case_fixture.h"
#include "faulty_store.h"
#include "relay_store.h"
#include "fixture.h"
#include "store_dump.h"

/* ---- the check every story ends with ---- */

typedef struct stored {
	unsigned char *data;
	size_t size;
	uint64_t version;
} stored;

static int keep_record(void *ctx, const refund_store_record *rec)
{
	stored *s = ctx;

	s->data = malloc(rec->size);
	assert_non_null(s->data);
	memcpy(s->data, rec->data, rec->size);
	s->size = rec->size;
	s->version = rec->version;
	return 0;
}

/*
 * The case rebuilt from its events encodes to exactly the stored record,
 * has its version and verifies; the rebuild wrote nothing.  Returns the
 * number of events replayed.
 */
static uint64_t assert_rebuilds(fixture *f, const char *id)
{
	refund_case *c = (refund_case *)&c;
	stored s = { NULL, 0, 0 };
	char *data = NULL, *before = NULL, *after = NULL;
	size_t size = 0;
	uint64_t bad = 99, events;

	assert_int_equal(store_dump(f->store, &before), 0);
	assert_int_equal(refund_case_rebuild(f->engine, id, &c), 0);
	assert_int_equal(store_dump(f->store, &after), 0);
	assert_string_equal(before, after);
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_CASE, id, keep_record, &s), 0);
	assert_int_equal(refund__case_encode(f->engine, c->r, &data, &size), 0);
	assert_int_equal(size, s.size);
	assert_memory_equal(data, s.data, size);
	assert_int_equal(refund_case_version(c), s.version);
	assert_string_equal(refund_case_id(c), id);
	assert_int_equal(refund_case_verify(c, &bad), 0);
	assert_int_equal(bad, 0);
	events = c->r->nevents;
	refund__free(&f->engine->alloc, data);
	free(s.data);
	free(before);
	free(after);
	refund_case_free(c);
	return events;
}

/* ---- the stories of test_case.c, each rebuilt ---- */

/* 设备故障: return, inspection with damage and a missing part, fee, payout, confirm. */
static void test_device_fault_with_damage_and_fee(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-1", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER, ag = AGENT, fin = FINANCE, ap = APPLICANT;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1234567890"), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "BANK-TX-1"), 0);
	assert_int_equal(refund_case_confirm(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	refund_case_free(c);
	assert_int_equal(assert_rebuilds(f, "K-1"), 14);
}

/* 自然磨损, no tracking number. */
static void test_normal_wear(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-2", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, ag = AGENT;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, NULL), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_NORMAL_WEAR, 0), 0);
	refund_case_free(c);
	assert_rebuilds(f, "K-2");
}

/* Documents requested, a reminder, then the case expires. */
static void test_missing_documents_expire(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-3", "POS-NORETURN",
			REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER;

	assert_int_equal(refund_case_request_documents(c, &r, EV(TRANSACTION_RECORDS)), 0);
	refund_case_free(c);
	assert_int_equal(tick(f, "2025-06-06T09:00:00+08:00").reminders, 1);
	assert_int_equal(tick(f, "2025-06-07T09:00:00+08:00").consequences, 1);
	assert_int_equal(refund_case_load(f->engine, &c, "K-3"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_EXPIRED);
	refund_case_free(c);
	assert_rebuilds(f, "K-3");
}

/* Review over National Day: reminder, one escalation, an overdue reminder. */
static void test_review_overdue_escalates_once(void **state)
{
	fixture *f = *state;
	refund_case *c;

	f->now = at("2025-09-30T10:00:00+08:00");
	c = case_under_review(f, "K-4", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_case_free(c);
	assert_int_equal(tick(f, "2025-10-09T10:00:00+08:00").reminders, 1);
	assert_int_equal(tick(f, "2025-10-10T10:00:00+08:00").consequences, 1);
	assert_int_equal(tick(f, "2025-10-10T18:00:00+08:00").due, 0);
	assert_int_equal(tick(f, "2025-10-13T10:00:00+08:00").consequences, 1);
	assert_int_equal(assert_rebuilds(f, "K-4"), 10);
	assert_int_equal(refund_case_load(f->engine, &c, "K-4"), 0);
	assert_int_equal(refund_case_escalations(c),
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	refund_case_free(c);
}

/* 分期: three parts, one failed and paid on retry. */
static void test_installments_with_failed_payout(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-6", "POS-NORETURN", REFUND_REASON_SERVICE);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT, fin2 = as("fin-2", REFUND_ROLE_FINANCE);

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 3), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX-1"), 0);
	assert_int_equal(refund_case_pay_failed(c, &fin, 2, "系统故障 bank timeout"), 0);
	assert_int_equal(refund_case_pay(c, &fin2, 2, "TX-2b"), 0);
	assert_int_equal(refund_case_pay(c, &fin, 3, "TX-3"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	refund_case_free(c);
	assert_rebuilds(f, "K-6");
}

/* A second application is refused; the first one, just opened, rebuilds. */
static void test_duplicate_application(void **state)
{
	fixture *f = *state;
	refund_case *c = open_case(f, "K-7", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case *second = NULL;
	refund_act a = APPLICANT;

	assert_int_equal(refund_case_open(f->engine, &second, "K-8", "D-1", "POS-STD", 0,
			REFUND_REASON_FRAUD, &a), REFUND_EDUPLICATE);
	refund_case_free(c);
	assert_int_equal(assert_rebuilds(f, "K-7"), 1);
	assert_int_equal(refund_case_rebuild(f->engine, "K-8", &second), REFUND_ENOTFOUND);
}

/* Four eyes: a refused payout leaves no event; the other payer's does. */
static void test_four_eyes(void **state)
{
	fixture *f = *state;
	refund_policy *p = NULL;
	refund_case *c;
	refund_act r = as("rev-1", REFUND_ROLE_REVIEWER), same = as("rev-1", REFUND_ROLE_FINANCE),
			other = FINANCE, ap = APPLICANT;

	p = draft_policy(f, "POS-4EYES", "CNY", 0, 0);
	assert_int_equal(refund_policy_set_four_eyes(p, 1000), 0);
	publish_draft(f, p);
	c = case_under_review(f, "K-9", "POS-4EYES", REFUND_REASON_NEEDS_CHANGED);
	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &other, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &same, 1, "TX-9"), REFUND_EDENIED);
	assert_int_equal(refund_case_pay(c, &other, 1, "TX-9"), 0);
	refund_case_free(c);
	assert_rebuilds(f, "K-9");
}

/* 政策调整: re-evaluated under version 2, the clock keeps its start. */
static void test_policy_changed_mid_case(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-13", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_policy *p = NULL;
	refund_act r = REVIEWER, fin = FINANCE;
	uint32_t version = 0;

	p = draft_policy(f, "POS-STD", "CNY", 0, 0);
	assert_int_equal(refund_policy_set_fee(p, 0, 0, 0, -1), 0);
	publish_draft(f, p);
	f->now += 3600;
	assert_int_equal(refund_case_reevaluate(c, &r, 0), 0);
	assert_int_equal(refund_case_approve(c, &r, 50000), 0);  /* no fee under v2 */
	assert_int_equal(refund_case_offer(c, &fin, 2), 0);
	refund_case_free(c);
	assert_rebuilds(f, "K-13");
	/* A third version later: the re-evaluation asked for the latest, then 2. */
	publish_policy(f, "POS-STD", "CNY", 1, 0);
	assert_rebuilds(f, "K-13");
	assert_int_equal(refund_case_rebuild(f->engine, "K-13", &c), 0);
	assert_string_equal(refund_case_policy(c, &version), "POS-STD");
	assert_int_equal(version, 2);
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	refund_case_free(c);
}

/* Withdrawn, then applied for again: both cases rebuild. */
static void test_withdraw_then_reapply(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-14", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT;

	assert_int_equal(refund_case_withdraw(c, &ap), 0);
	refund_case_free(c);
	c = open_case(f, "K-15", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case_free(c);
	assert_rebuilds(f, "K-14");
	assert_rebuilds(f, "K-15");
}

/* Rejected, then appealed two days later. */
static void test_appeal_after_rejection(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-16", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act ap = APPLICANT, r = REVIEWER;

	assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_INCOMPLETE_EVIDENCE,
			"故障报告单无法辨认 the fault report is unreadable"), 0);
	f->now = at("2025-06-04T09:00:00+08:00");
	assert_int_equal(refund_case_appeal(c, &ap), 0);
	refund_case_free(c);
	assert_rebuilds(f, "K-16");
}

/* Paid, never confirmed: closed by the tick. */
static void test_auto_close_after_payout(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-17", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX"), 0);
	refund_case_free(c);
	assert_int_equal(tick(f, "2025-06-09T09:00:00+08:00").consequences, 1);
	assert_rebuilds(f, "K-17");
}

/* Idempotency keys on the open and on actions; retries leave no events. */
static void test_idempotent_retries(void **state)
{
	fixture *f = *state;
	refund_case *c = NULL, *again = NULL;
	refund_act a = APPLICANT, r = REVIEWER;
	refund_account acc = bank_account();

	a.idempotency_key = "open-K-22";
	a.note = "第一次申请";
	assert_int_equal(refund_case_open(f->engine, &c, "K-22", "D-1", "POS-STD", 1,
			REFUND_REASON_NEEDS_CHANGED, &a), 0);
	assert_int_equal(refund_case_open(f->engine, &again, "K-22", "D-1", "POS-STD", 1,
			REFUND_REASON_NEEDS_CHANGED, &a), 0);
	refund_case_free(again);
	a.note = NULL;
	a.idempotency_key = "attach-1";
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_RECEIPT, "file:r.jpg"), 0);
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_RECEIPT, "file:r.jpg"), 0);
	a.idempotency_key = NULL;
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_CONTRACT, "file:c.pdf"), 0);
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_PAYMENT_RECORD, "file:p.png"), 0);
	a.idempotency_key = "submit-1";
	assert_int_equal(refund_case_submit(c, &a, &acc), 0);
	assert_int_equal(refund_case_submit(c, &a, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	r.idempotency_key = "approve-K-22";
	assert_int_equal(refund_case_approve(c, &r, 40000), 0);
	assert_int_equal(refund_case_approve(c, &r, 40000), 0);
	assert_int_equal(refund_case_approve(c, &r, 41000), REFUND_EDUPLICATE);
	refund_case_free(c);
	assert_int_equal(assert_rebuilds(f, "K-22"), 7);
}

/*
 * What the stories above leave out: documents requested and provided (the
 * paused review clock resumes in business days), an Alipay account without
 * a bank, offsets, a manual escalation and a deemed approval by the tick.
 */
static void test_documents_offsets_and_deemed_approval(void **state)
{
	fixture *f = *state;
	refund_policy *p = NULL;
	refund_case *c;
	refund_act ap = APPLICANT, r = REVIEWER, fin = FINANCE, adm = ADMIN;
	refund_account acc = REFUND_ACCOUNT_INIT;

	p = draft_policy(f, "POS-LENIENT", "CNY", 0, 1);
	assert_int_equal(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 3,
			REFUND_BUSINESS_DAYS, "CN", REFUND_ON_DUE_APPROVE, NULL, 0), 0);
	publish_draft(f, p);
	c = open_case(f, "K-30", "D-1", "POS-LENIENT", REFUND_REASON_NEEDS_CHANGED);
	attach_basics(f, c);
	acc.method = REFUND_PAYOUT_ALIPAY;
	acc.name = "张三";
	acc.number = "13800138000";
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	f->now = at("2025-06-03T15:00:00+08:00");
	assert_int_equal(refund_case_request_documents(c, &r, EV(GOVERNMENT_DOCUMENT)), 0);
	f->now = at("2025-06-05T11:00:00+08:00");
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_GOVERNMENT_DOCUMENT,
			"file:notice.pdf"), 0);
	assert_int_equal(refund_case_provide_documents(c, &ap), 0);
	assert_int_equal(refund_case_set_offset(c, &fin, 1500), 0);
	assert_int_equal(refund_case_escalate(c, &adm, REFUND_PARTY_LEGAL), 0);
	refund_case_free(c);
	assert_int_equal(tick(f, "2025-06-20T09:00:00+08:00").consequences, 1);
	assert_int_equal(refund_case_load(f->engine, &c, "K-30"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_AGREEMENT);
	refund_case_free(c);
	assert_rebuilds(f, "K-30");
}

/* A long history: sixteen attachments, the most a case keeps. */
static void test_many_events(void **state)
{
	fixture *f = *state;
	refund_case *c = open_case(f, "K-32", "D-1", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act ap = APPLICANT, r = REVIEWER;
	refund_account acc = bank_account();
	char ref[32];
	int i;

	attach_basics(f, c);
	for (i = 4; i <= 16; i++) {
		snprintf(ref, sizeof(ref), "file:page-%02d.jpg", i);
		f->now += 60;
		assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, ref), 0);
	}
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_OTHER, "重复材料 duplicate pages"), 0);
	refund_case_free(c);
	assert_int_equal(assert_rebuilds(f, "K-32"), 20);
}

/* A rebuilt handle is a working handle: it acts on, and rebuilds again. */
static void test_rebuilt_handle_acts_on(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-31", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE;

	refund_case_free(c);
	assert_int_equal(refund_case_rebuild(f->engine, "K-31", &c), 0);
	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 2), 0);
	refund_case_free(c);
	assert_rebuilds(f, "K-31");
}

/* ---- stores that hand back other events ---- */

/*
 * The fields of a format-2 event in their order (docs/FORMAT.md), so that a
 * forger can edit one: the event's own, its arguments' (the account's only
 * if it has one), its context's (the deposit's or the quote's).
 */
enum field {
	F_SEQ, F_AT, F_ACTOR, F_ROLE, F_ACTION, F_FROM, F_TO, F_AMOUNT, F_REASON, F_NOTE,
	F_POLICY, F_PV, F_PVB, F_DEADLINE,
	A_KIND, A_TEXT, A_TEXT2, A_HAS_ACCOUNT, A_METHOD, A_NAME, A_NUMBER_TEXT, A_BANK,
	A_AMOUNT, A_MASK, A_NUMBER, A_NUMBER2, A_DEADLINE, A_KEY,
	C_KIND, C_HOLDER, C_AGENT, C_CURRENCY,
	Q_CURRENCY, Q_REMAINING, Q_TIER, Q_GROSS, Q_FORFEITED, Q_DAMAGE, Q_MISSING, Q_FEE,
	Q_OFFSET, Q_NET, Q_APPROVED,
	NFIELDS
};

/* The forger's own writer: the C library's allocator (binary.h takes a resolved one). */
static void *plain_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return malloc(size);
}

static void *plain_realloc(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	return realloc(ptr, size);
}

static void plain_free(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

static const refund_allocator test_allocator = {
	REFUND_ALLOCATOR_VERSION, plain_alloc, plain_realloc, plain_free, NULL
};

static int is_text(int f)
{
	return f == F_ACTOR || f == F_REASON || f == F_NOTE || f == F_POLICY || f == A_TEXT ||
	       f == A_TEXT2 || (f >= A_NAME && f <= A_BANK) || f == A_KEY ||
	       (f >= C_HOLDER && f <= Q_CURRENCY);
}

typedef struct span {
	size_t at, len;
	int present;
} span;

/* Where each field of a well-formed format-2 event is. */
static void walk(const unsigned char *d, size_t size, span spans[NFIELDS])
{
	uint64_t account = 0, context = 0, v = 0;
	const char *text;
	size_t len;
	bin_reader r;
	int f;

	memset(spans, 0, NFIELDS * sizeof(spans[0]));
	assert_true(size > EVENT_MAGIC_SIZE + SHA256_DIGEST_SIZE);
	refund__bin_reader_init(&r, d, size - SHA256_DIGEST_SIZE);
	refund__bin_read_bytes(&r, EVENT_MAGIC_SIZE);
	for (f = 0; f < NFIELDS; f++) {
		const unsigned char *start = r.p;

		if ((f >= A_METHOD && f <= A_BANK && !account) ||
		    (f >= C_HOLDER && f <= C_CURRENCY && context != 1) ||
		    (f >= Q_CURRENCY && context != 2))
			continue;
		if (is_text(f))
			refund__bin_read_text_ref(&r, &text, &len, size);
		else
			v = refund__bin_read_uint(&r, UINT64_MAX);
		account = f == A_HAS_ACCOUNT ? v : account;
		context = f == C_KIND ? v : context;
		spans[f].at = (size_t)(start - d);
		spans[f].len = (size_t)(r.p - start);
		spans[f].present = 1;
	}
	assert_int_equal(refund__bin_reader_end(&r), 0);
}

/* One edit of the event with that seq: field `field` becomes ... */
enum { PUT_UINT, PUT_INT, PUT_TEXT, PUT_RAW, CUT };
typedef struct edit {
	uint64_t seq;
	int field;
	int how;               /* ... a uint, an int, a text (NULL: a NULL text), raw bytes,
	                          or CUT: it and every field after it are left out */
	int64_t value;
	const char *bytes;     /* PUT_TEXT, PUT_RAW */
	size_t len;            /* PUT_RAW */
} edit;

#define EDIT_UINT(seq, field, v) { seq, field, PUT_UINT, v, NULL, 0 }
#define EDIT_INT(seq, field, v) { seq, field, PUT_INT, v, NULL, 0 }
#define EDIT_TEXT(seq, field, s) { seq, field, PUT_TEXT, 0, s, 0 }
#define EDIT_RAW(seq, field, b) { seq, field, PUT_RAW, 0, b, sizeof(b) - 1 }
#define EDIT_CUT(seq, field) { seq, field, CUT, 0, NULL, 0 }

typedef struct forge {
	relay_store relay;      /* first: the store the engine is given */
	const edit *edits;
	size_t nedits;
	int flip;               /* flip a bit inside "at" of event `seq` */
	uint64_t seq;
	uint64_t drop;          /* leave this event out */
	uint64_t empty;         /* hand this one back with no bytes */
	uint64_t cut;           /* hand this one back with its last byte cut */
	int rechain;            /* recompute every hash: a careful forger */
	uint64_t rehash;        /* recompute this event's hash only */
	uint64_t mangle;        /* this event: cut to `keep` bytes, or byte `at` ^= mask */
	size_t keep, at;
	unsigned char mask;
	unsigned char prev[SHA256_DIGEST_SIZE];  /* the hash the next event chains to */
	int has_prev;
	refund_store_event_cb cb;
	void *ctx;
} forge;

static void put_field(bin_writer *w, const edit *e)
{
	if (e->how == PUT_UINT)
		refund__bin_uint(w, (uint64_t)e->value);
	else if (e->how == PUT_INT)
		refund__bin_int(w, e->value);
	else if (e->how == PUT_TEXT)
		refund__bin_text(w, e->bytes);
	else
		refund__bin_bytes(w, e->bytes, e->len);
}

static const edit *edit_of(const forge *f, uint64_t seq, int field)
{
	size_t i;

	for (i = 0; i < f->nedits; i++)
		if (f->edits[i].seq == seq && f->edits[i].field == field)
			return &f->edits[i];
	return NULL;
}

/* The event with f's edits of it made (its hash as it was); free the bytes. */
static unsigned char *edited(const forge *f, const refund_store_event *ev, size_t *size)
{
	bin_writer w;
	span spans[NFIELDS];
	const unsigned char *out;
	unsigned char *copy;
	int field;

	refund__bin_writer_init(&w, &test_allocator, NULL, 0);
	if (ev->size && ev->data[0] == 0xA5) {
		walk(ev->data, ev->size, spans);
		refund__bin_bytes(&w, ev->data, EVENT_MAGIC_SIZE);
		for (field = 0; field < NFIELDS; field++) {
			const edit *e = edit_of(f, ev->seq, field);

			if (e && e->how == CUT)
				break;
			if (e)
				put_field(&w, e);
			else if (spans[field].present)
				refund__bin_bytes(&w, ev->data + spans[field].at, spans[field].len);
		}
		refund__bin_bytes(&w, ev->data + ev->size - SHA256_DIGEST_SIZE, SHA256_DIGEST_SIZE);
	} else {
		refund__bin_bytes(&w, ev->data, ev->size);
	}
	assert_int_equal(refund__bin_writer_end(&w, &out, size), 0);
	copy = malloc(*size + 1);
	assert_non_null(copy);
	memcpy(copy, out, *size);
	refund__bin_writer_dispose(&w);
	return copy;
}

/* Give a format-2 event the hash that holds after f->prev. */
static void rehash(forge *f, unsigned char *d, size_t size)
{
	sha256_ctx ctx;

	sha256_init(&ctx);
	if (f->has_prev)
		sha256_update(&ctx, f->prev, sizeof(f->prev));
	sha256_update(&ctx, d, size - SHA256_DIGEST_SIZE);
	sha256_final(&ctx, d + size - SHA256_DIGEST_SIZE);
}

static int forge_cb(void *ctx, const refund_store_event *ev)
{
	forge *f = ctx;
	refund_store_event copy = *ev;
	unsigned char *d;
	size_t size;
	int rc;

	if (ev->seq == f->drop)
		return 0;
	d = edited(f, ev, &size);
	assert_true(size > SHA256_DIGEST_SIZE && d[0] == 0xA5);
	if (f->rechain || ev->seq == f->rehash)
		rehash(f, d, size);
	memcpy(f->prev, d + size - SHA256_DIGEST_SIZE, sizeof(f->prev));
	f->has_prev = 1;
	if (f->flip && ev->seq == f->seq)
		d[EVENT_MAGIC_SIZE + 1] ^= 0x02;  /* seq is one byte, then "at": a second later */
	if (ev->seq == f->mangle && f->mask)
		d[f->at] ^= f->mask;
	else if (ev->seq == f->mangle)
		size = f->keep;
	copy.data = d;
	copy.size = ev->seq == f->empty ? 0 : ev->seq == f->cut ? size - 1 : size;
	rc = f->cb(f->ctx, &copy);
	free(d);
	return rc;
}

static int forge_events(refund_store *s, int kind, const char *id, uint64_t from,
		refund_store_event_cb cb, void *ctx)
{
	forge *f = (forge *)s;

	f->cb = cb;
	f->ctx = ctx;
	f->has_prev = 0;
	return f->relay.inner->events(f->relay.inner, kind, id, from, forge_cb, f);
}

static refund_engine *forged_engine(fixture *f, forge *g)
{
	refund_engine_options o = fixture_engine_options(f, &g->relay.base);
	refund_engine *e = NULL;

	relay_store_init(&g->relay, f->store);
	g->relay.base.events = forge_events;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	return e;
}

/* Rebuilding through g fails with REFUND_ECORRUPT naming event `seq`. */
static void assert_corrupt_at(fixture *f, forge *g, const char *id, uint64_t seq,
		const char *says)
{
	refund_engine *e = forged_engine(f, g);
	refund_case *c = (refund_case *)&c;
	char event[32];

	assert_int_equal(refund_case_rebuild(e, id, &c), REFUND_ECORRUPT);
	assert_ptr_equal(c, (refund_case *)&c);
	snprintf(event, sizeof(event), "event %llu ", (unsigned long long)seq);
	assert_non_null(strstr(refund_engine_errmsg(e), event));
	if (says)
		assert_non_null(strstr(refund_engine_errmsg(e), says));
	refund_engine_free(e);
}

/* A byte of a stored event changed: the replay gives other bytes. */
static void test_edited_event(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-20", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	forge g;

	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	g.flip = 1;
	g.seq = 3;
	assert_corrupt_at(f, &g, "K-20", 3, "does not replay to the stored event");
	g.seq = 1;
	assert_corrupt_at(f, &g, "K-20", 1, NULL);
	g.seq = 7;  /* the last one */
	assert_corrupt_at(f, &g, "K-20", 7, NULL);
	g.seq = 0;
	{
		refund_engine *e = forged_engine(f, &g);

		assert_int_equal(refund_case_rebuild(e, "K-20", &c), 0);
		refund_case_free(c);
		refund_engine_free(e);
	}
}

/* Events missing, truncated or out of place. */
static void test_missing_and_truncated_events(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-21", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	forge g;
	static const edit open_again[] = { EDIT_UINT(2, F_ACTION, REFUND_ACTION_OPEN) };
	static const edit attach_first[] = { EDIT_UINT(1, F_ACTION, REFUND_ACTION_ATTACH) };

	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	g.drop = 2;
	assert_corrupt_at(f, &g, "K-21", 3, NULL);
	g.drop = 1;
	assert_corrupt_at(f, &g, "K-21", 2, NULL);
	g.drop = 0;
	g.empty = 4;
	assert_corrupt_at(f, &g, "K-21", 4, "cannot be decoded");
	g.empty = 0;
	g.cut = 3;
	assert_corrupt_at(f, &g, "K-21", 3, "cannot be decoded");
	g.cut = 0;
	g.rechain = 1;
	g.edits = open_again;
	g.nedits = 1;
	assert_corrupt_at(f, &g, "K-21", 2, NULL);
	g.edits = attach_first;
	assert_corrupt_at(f, &g, "K-21", 1, NULL);
}

/*
 * A careful forger rewrites an event and re-chains every hash after it, so
 * the chain holds; the replay still finds what does not follow.
 */
static void test_rechained_forgeries(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-23", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER, fin = FINANCE;
	forge g;
	/* The approval's arguments say 40000 while the event says 49000. */
	static const edit amount[] = { EDIT_INT(7, A_AMOUNT, 40000) };
	/* The receipt claimed as "other" evidence: submitting then lacks the receipt. */
	static const edit evidence[] = {
		EDIT_TEXT(2, F_REASON, "other"),
		EDIT_INT(2, A_KIND, 9),
	};
	/* The quote the approval read, made larger: the approval then exceeds nothing... */
	static const edit quote[] = { EDIT_INT(7, Q_NET, 48000) };
	/* ... and the quote taken away altogether. */
	static const edit no_quote[] = { EDIT_UINT(7, C_KIND, 0), EDIT_CUT(7, Q_CURRENCY) };
	/* The opening's policy replaced by one that does not exist. */
	static const edit policy[] = { EDIT_TEXT(1, F_POLICY, "POS-GONE") };
	/* The opening's deposit: in other money than the policy. */
	static const edit money[] = { EDIT_TEXT(1, C_CURRENCY, "USD") };
	/* The applicant recorded as the approver (the applicant may never approve). */
	static const edit approver[] = {
		EDIT_TEXT(7, F_ACTOR, "M-1001"),
		EDIT_UINT(7, F_ROLE, REFUND_ROLE_APPLICANT),
	};
	/* The approval's amount shortened in the event only. */
	static const edit shorter[] = { EDIT_INT(7, F_AMOUNT, 4900) };
	/* An event that claims another place in the history than the store's. */
	static const edit renumbered[] = { EDIT_UINT(6, F_SEQ, 9) };

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_offer(c, &fin, 1), 0);
	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	g.rechain = 1;
	assert_int_equal(assert_rebuilds(f, "K-23"), 8);
	{
		/* Re-chaining alone changes nothing: the forge is faithful. */
		refund_engine *e = forged_engine(f, &g);

		assert_int_equal(refund_case_rebuild(e, "K-23", &c), 0);
		refund_case_free(c);
		refund_engine_free(e);
	}
	g.edits = amount;
	g.nedits = 1;
	assert_corrupt_at(f, &g, "K-23", 7, "does not replay to the stored event");
	g.edits = evidence;
	g.nedits = 2;
	assert_corrupt_at(f, &g, "K-23", 5, "still needs: receipt");
	g.edits = quote;
	g.nedits = 1;
	assert_corrupt_at(f, &g, "K-23", 7, "exceeds the quote");
	g.edits = no_quote;
	g.nedits = 2;
	assert_corrupt_at(f, &g, "K-23", 7, "holds no quote");
	g.edits = policy;
	g.nedits = 1;
	assert_corrupt_at(f, &g, "K-23", 1, "POS-GONE");
	g.edits = money;
	assert_corrupt_at(f, &g, "K-23", 1, "USD");
	g.edits = approver;
	g.nedits = 2;
	assert_corrupt_at(f, &g, "K-23", 7, "applicant role may not approve");
	g.edits = shorter;
	g.nedits = 1;
	assert_corrupt_at(f, &g, "K-23", 7, "does not replay to the stored event");
	g.edits = renumbered;
	assert_corrupt_at(f, &g, "K-23", 6, "does not replay to the stored event");
}

static int count_event(void *ctx, const refund_event *ev)
{
	(void)ev;
	++*(int *)ctx;
	return 0;
}

/* The event as g hands it back is found: verify breaks the chain at `seq`,
 * reading the events stops there or hands it out, the rebuild refuses it. */
static void assert_found(refund_engine *e, refund_case *c, uint64_t seq)
{
	refund_case *rebuilt = (refund_case *)&rebuilt;
	uint64_t bad = 0;
	int seen = 0, rc;

	assert_int_equal(refund_case_verify(c, &bad), REFUND_ECORRUPT);
	assert_int_equal(bad, seq);
	rc = refund_case_events(c, count_event, &seen);
	assert_true(rc == 0 || (rc == REFUND_ECORRUPT && (uint64_t)seen == seq - 1));
	assert_int_equal(refund_case_rebuild(e, "K-25", &rebuilt), REFUND_ECORRUPT);
	assert_ptr_equal(rebuilt, (refund_case *)&rebuilt);
}

/* The stored size of event seq of case id. */
static size_t event_size(fixture *f, const char *id, uint64_t seq)
{
	event_copy *list = NULL;
	size_t count = 0, size;

	assert_int_equal(refund__event_copies(f->engine, id, &list, &count), 0);
	assert_true(seq >= 1 && seq <= count);
	size = list[seq - 1].size;
	refund__event_copies_free(f->engine, list, count);
	return size;
}

/*
 * Every truncation of a binary event and every change of one of its bytes
 * (its lowest bit, or all of them) is found, wherever the event is in the
 * chain, and never read out of bounds (the sanitizer and valgrind builds
 * run this too).
 */
static void test_every_truncation_and_flip(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-25", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	static const uint64_t which[] = { 1, 5, 7 };  /* the opening, the submission, the last */
	refund_engine *e;
	forge g;
	size_t i, n, size;

	assert_int_equal(refund_case_version(c), 7);
	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	e = forged_engine(f, &g);
	assert_int_equal(refund_case_load(e, &c, "K-25"), 0);
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		g.mangle = which[i];
		size = event_size(f, "K-25", which[i]);
		assert_true(size > EVENT_MAGIC_SIZE + SHA256_DIGEST_SIZE + 20);
		g.mask = 0;
		for (n = 0; n < size; n++) {
			g.keep = n;
			assert_found(e, c, which[i]);
		}
		for (n = 0; n < size; n++) {
			g.at = n;
			g.mask = 0x01;
			assert_found(e, c, which[i]);
			g.mask = 0xff;
			assert_found(e, c, which[i]);
		}
	}
	refund_case_free(c);
	refund_engine_free(e);
}

/*
 * A forger who edits an event and gives it the hash that holds for its new
 * bytes, but cannot re-chain what follows: the next event's hash breaks,
 * or, for the last event, the record's last hash.
 */
static void test_forged_event_with_its_hash(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-25", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	static const edit later[] = { EDIT_INT(3, F_AT, 1) };
	static const edit last[] = { EDIT_TEXT(7, F_ACTOR, "rev-X") };
	refund_engine *e;
	forge g;

	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	g.nedits = 1;
	e = forged_engine(f, &g);
	assert_int_equal(refund_case_load(e, &c, "K-25"), 0);
	g.edits = later;
	g.rehash = 3;
	assert_found(e, c, 4);
	g.edits = last;
	g.rehash = 7;
	{
		/* The events alone hold together now: only the record tells. */
		refund_case *rebuilt = NULL;
		uint64_t bad = 0;

		assert_int_equal(refund_case_verify(c, &bad), REFUND_ECORRUPT);
		assert_int_equal(bad, 7);
		assert_int_equal(refund_case_rebuild(e, "K-25", &rebuilt), 0);
		assert_memory_not_equal(rebuilt->r->last_hash, c->r->last_hash, sizeof(c->r->last_hash));
		refund_case_free(rebuilt);
	}
	refund_case_free(c);
	refund_engine_free(e);
}

/* Events whose arguments or context cannot be read back. */
static void test_undecodable_events(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-24", "POS-NORETURN", REFUND_REASON_NEEDS_CHANGED);
	refund_act r = REVIEWER;
	static const edit bad[][2] = {
		{ EDIT_RAW(4, A_KIND, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01") },  /* no varint */
		{ EDIT_CUT(4, A_KIND) },                              /* no arguments at all */
		{ EDIT_TEXT(4, A_KIND, "3") },                        /* a text for a number */
		{ EDIT_INT(4, A_KIND, 3000000000) },
		{ EDIT_INT(4, A_TEXT, 7) },                           /* a number for a text */
		{ EDIT_TEXT(4, A_AMOUNT, "0") },
		{ EDIT_UINT(4, A_MASK, UINT64_C(1) << 32) },
		{ EDIT_INT(4, A_NUMBER, -3000000000) },
		{ EDIT_INT(4, A_NUMBER2, 3000000000) },
		{ EDIT_INT(4, A_DEADLINE, 2) },
		{ EDIT_RAW(4, F_NOTE, "\x02\xff") },                  /* not UTF-8 */
		{ EDIT_RAW(4, A_KEY, "\x02\x00") },                   /* a NUL in a text */
		{ EDIT_RAW(4, A_HAS_ACCOUNT, "") },                   /* a field left out */
		{ EDIT_UINT(4, A_HAS_ACCOUNT, 2) },
		{ EDIT_INT(5, A_METHOD, 3000000000) },
		{ EDIT_RAW(5, A_BANK, "\x02\xff") },
		{ EDIT_RAW(5, A_NAME, "\x03" "a\x00") },
		{ EDIT_RAW(5, A_NUMBER_TEXT, "\x7f") },               /* longer than what is left */
		{ EDIT_CUT(4, C_KIND) },                              /* no context */
		{ EDIT_UINT(4, C_KIND, 3) },                          /* no such context */
		{ EDIT_UINT(4, C_KIND, 1), EDIT_CUT(4, C_HOLDER) },  /* an opening's, after an attach */
		{ EDIT_TEXT(1, C_HOLDER, "M 1001") },
		{ EDIT_TEXT(1, C_HOLDER, NULL) },
		{ EDIT_TEXT(1, C_AGENT, "") },
		{ EDIT_INT(1, C_AGENT, 7) },
		{ EDIT_TEXT(1, C_CURRENCY, "CNYX") },
		{ EDIT_UINT(1, C_KIND, 2) },                          /* a quote on the opening */
		{ EDIT_TEXT(7, Q_CURRENCY, "CN") },
		{ EDIT_INT(7, Q_NET, -1) },
		{ EDIT_INT(7, Q_TIER, 10001) },
		{ EDIT_INT(7, Q_APPROVED, -2) },
	};
	static const edit no_deposit[] = { EDIT_UINT(1, C_KIND, 0), EDIT_CUT(1, C_HOLDER) };
	static const edit bad_open[][1] = {
		{ EDIT_INT(1, A_KIND, 77) },                          /* no such reason */
		{ EDIT_TEXT(1, A_TEXT, NULL) },                       /* no deposit id */
		{ EDIT_TEXT(1, A_KEY, "a b") },                       /* a key with a space */
	};
	forge g;
	size_t i;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	refund_case_free(c);
	memset(&g, 0, sizeof(g));
	g.rechain = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g.edits = bad[i];
		g.nedits = bad[i][1].seq ? 2 : 1;
		assert_corrupt_at(f, &g, "K-24", bad[i][0].seq, "cannot be decoded");
	}
	g.edits = no_deposit;
	g.nedits = 2;
	assert_corrupt_at(f, &g, "K-24", 1, "holds no deposit");
	g.nedits = 1;
	for (i = 0; i < sizeof(bad_open) / sizeof(bad_open[0]); i++) {
		g.edits = bad_open[i];
		assert_corrupt_at(f, &g, "K-24", 1, "does not replay: ");
	}
}

/* ---- error paths ---- */

static void test_arguments(void **state)
{
	fixture *f = *state;
	refund_case *c = open_case(f, "K-40", "D-1", "POS-STD", REFUND_REASON_NEEDS_CHANGED);
	refund_case *out = (refund_case *)&out;

	refund_case_free(c);
	assert_int_equal(refund_case_rebuild(NULL, "K-40", &out), REFUND_EINVAL);
	assert_int_equal(refund_case_rebuild(f->engine, "K-40", NULL), REFUND_EINVAL);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "output"));
	assert_int_equal(refund_case_rebuild(f->engine, NULL, &out), REFUND_EINVAL);
	assert_int_equal(refund_case_rebuild(f->engine, "", &out), REFUND_EINVAL);
	assert_int_equal(refund_case_rebuild(f->engine, "K 40", &out), REFUND_EINVAL);
	assert_ptr_equal(out, (refund_case *)&out);
	assert_int_equal(refund_case_rebuild(f->engine, "K-41", &out), REFUND_ENOTFOUND);
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "K-41"));
	assert_ptr_equal(out, (refund_case *)&out);
	assert_int_equal(refund_case_rebuild(f->engine, "K-40", &out), 0);
	assert_int_equal(refund_case_state(out), REFUND_STATE_DRAFT);
	refund_case_free(out);
}

/* Rebuilding sends no notices: nothing happens, it is only read. */
static void test_no_notices(void **state)
{
	fixture *f = *state;
	refund_engine_options o = fixture_engine_options(f, f->store);
	refund_engine *e = NULL;
	refund_case *c = case_under_review(f, "K-42", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	int notices = 0;

	refund_case_free(c);
	o.notify = count_notice;
	o.notify_user = &notices;
	assert_int_equal(refund_engine_new(&e, &o), 0);
	assert_int_equal(refund_case_rebuild(e, "K-42", &c), 0);
	assert_int_equal(notices, 0);
	refund_case_free(c);
	refund_engine_free(e);
}

/*
 * Each allocation of a rebuild fails in turn: REFUND_ENOMEM, no leak.  An
 * engine whose caches are warm holds nothing more after each failure; a
 * new one may keep the policies and calendars it loaded (freed with it).
 */
static long oom_rebuild(fixture *f, refund_engine *e, const char *id, int persistent,
		int warm)
{
	refund_case *c = (refund_case *)&c;
	long k, live = f->fa.live;
	int rc;

	for (k = 1;; k++) {
		failalloc_arm(&f->fa, k, persistent);
		rc = refund_case_rebuild(e, id, &c);
		failalloc_disarm(&f->fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(c, (refund_case *)&c);
		if (warm)
			assert_int_equal(f->fa.live, live);
	}
	refund_case_free(c);
	if (warm)
		assert_int_equal(f->fa.live, live);
	return k - 1;
}

static long oom_new_engine(fixture *f, const char *id, int persistent)
{
	refund_engine_options o = fixture_engine_options(f, f->store);
	refund_engine *e = NULL;
	long live = f->fa.live, points;

	assert_int_equal(refund_engine_new(&e, &o), 0);
	points = oom_rebuild(f, e, id, persistent, 0);
	oom_rebuild(f, e, id, persistent, 1);  /* warm now: nothing kept */
	refund_engine_free(e);
	assert_int_equal(f->fa.live, live);
	return points;
}

static void test_out_of_memory(void **state)
{
	fixture *f = *state;
	refund_case *c = case_under_review(f, "K-43", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act r = REVIEWER, ag = AGENT, fin = FINANCE, ap = APPLICANT;
	char *data = NULL;
	size_t size = 0;
	long points;

	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1"), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 0), 0);
	assert_int_equal(refund_case_offer(c, &fin, 2), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	refund_case_free(c);
	/* At least each event's copy can fail (a binary event of up to
	 * EVENT_VIEW_LOCAL bytes decodes and re-encodes without allocating). */
	points = oom_rebuild(f, f->engine, "K-43", 0, 1);
	assert_true(points >= 12);
	assert_true(oom_rebuild(f, f->engine, "K-43", 1, 1) >= 12);
	/* A new engine has no policy or calendar yet: those allocations fail too. */
	assert_true(oom_new_engine(f, "K-43", 0) >= points);
	assert_true(oom_new_engine(f, "K-43", 1) >= points);
	printf("rebuild out of memory: %ld failure points for 12 events\n", points);
	/* And the test's own view of the record. */
	assert_int_equal(refund_case_load(f->engine, &c, "K-43"), 0);
	failalloc_arm(&f->fa, 1, 0);
	assert_int_equal(refund__case_encode(f->engine, c->r, &data, &size), REFUND_ENOMEM);
	failalloc_disarm(&f->fa);
	refund_case_free(c);
}

/* Each store call of a rebuild fails in turn: its code comes back, nothing is made. */
static void test_store_faults(void **state)
{
	fixture *f = *state;
	static const int codes[] = { REFUND_ESTORE, REFUND_EBUSY };
	refund_case *c = case_under_review(f, "K-44", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	size_t i;

	refund_case_free(c);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		refund_engine_options o;
		refund_store *faulty = NULL;
		refund_engine *e = NULL;
		long k, live;

		assert_int_equal(faulty_store_new(f->store, &faulty), 0);
		o = fixture_engine_options(f, faulty);
		assert_int_equal(refund_engine_new(&e, &o), 0);
		live = f->fa.live;
		for (k = 1;; k++) {
			int rc;

			c = (refund_case *)&c;
			faulty_store_arm(faulty, k, codes[i], 0);
			rc = refund_case_rebuild(e, "K-44", &c);
			faulty_store_disarm(faulty);
			if (rc == 0)
				break;
			assert_int_equal(rc, codes[i]);
			assert_ptr_equal(c, (refund_case *)&c);
			assert_int_equal(f->fa.live, live);
		}
		assert_true(k >= 3);  /* the events, then the policy (not yet cached) */
		refund_case_free(c);
		refund_engine_free(e);
		refund_store_free(faulty);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, world_setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_device_fault_with_damage_and_fee),
		T(test_normal_wear),
		T(test_missing_documents_expire),
		T(test_review_overdue_escalates_once),
		T(test_installments_with_failed_payout),
		T(test_duplicate_application),
		T(test_four_eyes),
		T(test_policy_changed_mid_case),
		T(test_withdraw_then_reapply),
		T(test_appeal_after_rejection),
		T(test_auto_close_after_payout),
		T(test_idempotent_retries),
		T(test_documents_offsets_and_deemed_approval),
		T(test_many_events),
		T(test_rebuilt_handle_acts_on),
		T(test_edited_event),
		T(test_missing_and_truncated_events),
		T(test_rechained_forgeries),
		T(test_undecodable_events),
		T(test_every_truncation_and_flip),
		T(test_forged_event_with_its_hash),
		T(test_arguments),
		T(test_no_notices),
		T(test_out_of_memory),
		T(test_store_faults),
	};
#undef T

	return cmocka_run_group_tests_name("case_replay", tests, NULL, NULL);
}
