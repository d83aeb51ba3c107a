/*
 * Stores outlive library versions: a case written by an earlier version of
 * librefund (tests/case/legacy_v1.h, its records and events as that version
 * wrote them) loads, verifies, rebuilds from its events, lists its events,
 * and goes on through its workflow, with every new event chained to the old
 * ones.  Times are China time (UTC+08:00).
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

#include "case_fixture.h"
#include "fixture.h"
#include "legacy_v1.h"
#include "store_contract.h"


/* ---- the stored case, as an earlier version left it ---- */

/*
 * The world of case_fixture.h with the legacy deposit and case written over
 * it; event `edit` (0: none) with one letter of an attachment's reference
 * changed.
 */
static void legacy_inject(void **state, uint64_t edit)
{
	refund_store_put puts[2];
	refund_store_event events[sizeof(legacy_events) / sizeof(legacy_events[0])];
	refund_store_batch batch;
	char edited[2048];
	fixture *f;
	uint64_t deposit_version = 0;
	size_t i;

	world_setup(state);
	f = *state;
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_DEPOSIT, "D-1", sc_keep_version,
			&deposit_version), 0);
	memset(puts, 0, sizeof(puts));
	for (i = 0; i < 2; i++) {
		puts[i].kind = legacy_records[i].kind;
		puts[i].id = legacy_records[i].id;
		puts[i].data = (const unsigned char *)legacy_records[i].data;
		puts[i].size = legacy_records[i].size;
		puts[i].index.deposit_id = "D-1";
		puts[i].index.holder = "M-1001";
		puts[i].index.agent = "AG-7";
		puts[i].index.next_deadline = REFUND_NO_DEADLINE;
	}
	puts[0].expected_version = deposit_version;
	puts[1].index.state = "under_review";
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		events[i].kind = REFUND_RECORD_CASE;
		events[i].id = "L-1";
		events[i].seq = legacy_events[i].seq;
		events[i].at = legacy_events[i].at;
		events[i].data = (const unsigned char *)legacy_events[i].data;
		events[i].size = legacy_events[i].size;
		if (events[i].seq == edit) {
			assert_true(events[i].size <= sizeof(edited));
			memcpy(edited, events[i].data, events[i].size);
			assert_non_null(memchr(edited, 'd', events[i].size));
			*(char *)memchr(edited, 'd', events[i].size) = 'D';
			events[i].data = (const unsigned char *)edited;
		}
	}
	batch.puts = puts;
	batch.nputs = 2;
	batch.events = events;
	batch.nevents = i;
	assert_int_equal(f->store->commit(f->store, &batch), 0);
	/* One store version per event, as the case's own commits left it. */
	batch.puts = &puts[1];
	batch.nputs = 1;
	batch.nevents = 0;
	for (puts[1].expected_version = 1; puts[1].expected_version < i; puts[1].expected_version++)
		assert_int_equal(f->store->commit(f->store, &batch), 0);
	f->now = LEGACY_NOW;
}

static int legacy_setup(void **state)
{
	legacy_inject(state, 0);
	return 0;
}

static int legacy_edited_setup(void **state)
{
	legacy_inject(state, 3);
	return 0;
}

static const refund_act applicant = { REFUND_ACT_VERSION, "M-1001", REFUND_ROLE_APPLICANT, NULL, NULL };
static const refund_act agent = { REFUND_ACT_VERSION, "agent-7", REFUND_ROLE_AGENT, NULL, NULL };
static const refund_act reviewer = { REFUND_ACT_VERSION, "rev-1", REFUND_ROLE_REVIEWER, NULL, NULL };
static const refund_act finance = { REFUND_ACT_VERSION, "fin-1", REFUND_ROLE_FINANCE, NULL, NULL };

static refund_case *load(fixture *f)
{
	refund_case *c = NULL;

	assert_int_equal(refund_case_load(f->engine, &c, "L-1"), 0);
	return c;
}

static void assert_verifies(refund_case *c)
{
	uint64_t bad = 99;

	assert_int_equal(refund_case_verify(c, &bad), 0);
	assert_int_equal(bad, 0);
}

/* The case rebuilt from its events is the case loaded from its record. */
static void assert_rebuilds(fixture *f, refund_case *c)
{
	refund_case *rebuilt = NULL;
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;

	assert_int_equal(refund_case_rebuild(f->engine, "L-1", &rebuilt), 0);
	assert_int_equal(refund__case_encode(f->engine, c->r, &a, &na), 0);
	assert_int_equal(refund__case_encode(f->engine, rebuilt->r, &b, &nb), 0);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	assert_int_equal(refund_case_version(rebuilt), refund_case_version(c));
	refund__free(&f->engine->alloc, a);
	refund__free(&f->engine->alloc, b);
	refund_case_free(rebuilt);
}

typedef struct seen {
	uint64_t count;
	int actions[32];
} seen;

static int see_event(void *ctx, const refund_event *ev)
{
	seen *s = ctx;

	assert_int_equal(ev->seq, s->count + 1);
	assert_int_equal(strlen(ev->hash), 64);
	if (s->count < 32)
		s->actions[s->count] = ev->action;
	s->count++;
	return 0;
}

static void test_legacy_case_loads_and_verifies(void **state)
{
	fixture *f = *state;
	refund_case *c = load(f);
	refund_act act = REVIEWER;
	seen s;

	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	assert_int_equal(refund_case_version(c), 9);
	assert_true(refund_case_evidence(c) & EV(FAULT_REPORT));
	assert_verifies(c);
	assert_rebuilds(f, c);
	memset(&s, 0, sizeof(s));
	assert_int_equal(refund_case_events(c, see_event, &s), 0);
	assert_int_equal(s.count, sizeof(legacy_events) / sizeof(legacy_events[0]));
	assert_int_equal(s.actions[0], REFUND_ACTION_OPEN);
	assert_int_equal(s.actions[s.count - 1], REFUND_ACTION_PROVIDE_DOCUMENTS);

	/* The key the old version remembered still answers: done already, nothing new. */
	act.idempotency_key = "ask-fault-report";
	act.note = "请补充故障报告";
	assert_int_equal(refund_case_request_documents(c, &act, EV(FAULT_REPORT)), 0);
	assert_int_equal(refund_case_version(c), 9);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	/* ... and with other arguments it is refused. */
	assert_int_equal(refund_case_request_documents(c, &act, EV(RECEIPT)), REFUND_EDUPLICATE);
	refund_case_free(c);
}

static void test_legacy_case_goes_on_to_closed(void **state)
{
	fixture *f = *state;
	refund_case *c = load(f);
	uint64_t before = c->r->nevents;

	f->now += 3600;
	assert_int_equal(refund_case_approve(c, &reviewer, 48500), 0);
	assert_verifies(c);
	assert_int_equal(refund_case_receive_device(c, &agent, "SF-1"), 0);
	assert_int_equal(refund_case_inspect(c, &agent, REFUND_GRADE_FINE, 0), 0);
	assert_int_equal(refund_case_offer(c, &finance, 1), 0);
	assert_int_equal(refund_case_accept(c, &applicant), 0);
	f->now += DAY;
	assert_int_equal(refund_case_pay(c, &finance, 1, "BANK-1"), 0);
	assert_int_equal(refund_case_confirm(c, &applicant), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_int_equal(c->r->nevents, before + 7);
	assert_verifies(c);
	refund_case_free(c);
	c = load(f);
	assert_int_equal(refund_case_state(c), REFUND_STATE_CLOSED);
	assert_verifies(c);
	assert_rebuilds(f, c);
	refund_case_free(c);
}

/* An old event edited in place is found, before and after new events. */
static void test_edited_legacy_event_is_found(void **state)
{
	fixture *f = *state;
	refund_case *c = load(f);
	uint64_t bad = 0;

	assert_int_equal(refund_case_verify(c, &bad), REFUND_ECORRUPT);
	assert_int_equal(bad, 3);
	assert_int_equal(refund_case_approve(c, &reviewer, 48500), 0);
	bad = 0;
	assert_int_equal(refund_case_verify(c, &bad), REFUND_ECORRUPT);
	assert_int_equal(bad, 3);
	refund_case_free(c);
}

/* ---- capture (run once, at the version the fixture names) ---- */

static void print_bytes(const unsigned char *data, size_t size)
{
	size_t i;

	printf("\t\t\"");
	for (i = 0; i < size; i++) {
		if (data[i] == '"' || data[i] == '\\')
			printf("\\%c", data[i]);
		else if (data[i] >= 0x20 && data[i] < 0x7f)
			putchar(data[i]);
		else
			printf("\\x%02x\"\"", data[i]);
	}
	printf("\",\n");
}

static int print_record(void *ctx, const refund_store_record *rec)
{
	(void)ctx;
	printf("\t{ %d, \"%s\", %zu,\n", rec->kind, rec->id, rec->size);
	print_bytes(rec->data, rec->size);
	printf("\t},\n");
	return 0;
}

static int print_event(void *ctx, const refund_store_event *ev)
{
	(void)ctx;
	printf("\t{ %llu, %lld, %zu,\n", (unsigned long long)ev->seq, (long long)ev->at, ev->size);
	print_bytes(ev->data, ev->size);
	printf("\t},\n");
	return 0;
}

/* The story the fixture holds: L-1 under review, documents asked for with
 * an idempotency key and provided. */
static refund_case *legacy_story(fixture *f)
{
	refund_case *c = case_under_review(f, "L-1", "POS-STD", REFUND_REASON_DEVICE_FAULT);
	refund_act act = REVIEWER;

	f->now += 3600;
	act.idempotency_key = "ask-fault-report";
	act.note = "请补充故障报告";
	assert_int_equal(refund_case_request_documents(c, &act, EV(FAULT_REPORT)), 0);
	f->now += DAY;
	act = APPLICANT;
	act.idempotency_key = NULL;
	act.note = NULL;
	assert_int_equal(refund_case_provide_documents(c, &act), 0);
	return c;
}

static void capture(fixture *f)
{
	refund_case *c = legacy_story(f);

	printf("static const legacy_record legacy_records[] = {\n");
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_DEPOSIT, "D-1", print_record, NULL), 0);
	assert_int_equal(f->store->load(f->store, REFUND_RECORD_CASE, "L-1", print_record, NULL), 0);
	printf("};\n\nstatic const legacy_event legacy_events[] = {\n");
	assert_int_equal(f->store->events(f->store, REFUND_RECORD_CASE, "L-1", 1, print_event, NULL), 0);
	printf("};\n\n#define LEGACY_NOW INT64_C(%lld)\n", (long long)f->now);
	refund_case_free(c);
}

static void test_capture(void **state)
{
	if (getenv("REFUND_CAPTURE_LEGACY"))
		capture(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_legacy_case_loads_and_verifies, legacy_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_legacy_case_goes_on_to_closed, legacy_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_edited_legacy_event_is_found, legacy_edited_setup,
				fixture_teardown),
		cmocka_unit_test_setup_teardown(test_capture, world_setup, fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
