/*
 * libFuzzer target for the stored policy record decoder, through the
 * public API: the input is committed as the bytes of record "P@1" beside a
 * well-formed head "P" saying the latest version is 1, then loaded by
 * version and as the latest.  Stored bytes are untrusted: the load returns 0
 * or a documented code with a message, never crashes or leaks.  What loads
 * must be immutable (a setter says REFUND_ESTATE), must write out as text
 * that parses back to a draft with the same text, and must fail with
 * REFUND_ENOMEM, leaking nothing, when one of its allocations fails.
 */
#include "fuzz_support.h"

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "{\"schema\":1,\"id\":\"P\",\"latest\":1}";

static void store_records(fuzz_engine *fe, const uint8_t *data, size_t size)
{
	refund_store_put puts[2];
	refund_store_batch batch = { puts, 2, NULL, 0 };

	memset(puts, 0, sizeof(puts));
	puts[0].kind = REFUND_RECORD_POLICY;
	puts[0].id = "P";
	puts[0].data = (const unsigned char *)head;
	puts[0].size = sizeof(head) - 1;
	puts[0].index.next_deadline = REFUND_NO_DEADLINE;
	puts[1].kind = REFUND_RECORD_POLICY;
	puts[1].id = "P@1";
	puts[1].data = size ? data : NULL;
	puts[1].size = size;
	puts[1].index.next_deadline = REFUND_NO_DEADLINE;
	if (fe->store->commit(fe->store, &batch) != 0)
		abort();
}

static int load(fuzz_engine *fe, uint32_t version, refund_policy **p)
{
	int rc;

	*p = NULL;
	rc = refund_policy_load(fe->engine, p, "P", version);
	if (rc != 0) {
		fuzz_check_failure(fe->engine, rc);
		if (*p)
			abort();
	} else if (!*p) {
		abort();
	}
	return rc;
}

/* Make the built-in calendars now, so that what they keep is not a leak. */
static void warm_calendars(refund_engine *e)
{
	const refund_calendar *cal;

	if (refund__engine_calendar(e, "CN", &cal) != 0 ||
	    refund__engine_calendar(e, "WEEKEND", &cal) != 0)
		abort();
}

/* The policy's text, allocated with malloc(); abort() if it cannot be written. */
static char *format(refund_engine *e, const refund_policy *p)
{
	size_t needed = 0;
	char *text;
	int rc = refund_policy_format(p, NULL, 0, &needed);

	if (rc != REFUND_ERANGE || needed == 0)
		abort();
	text = malloc(needed);
	if (!text)
		abort();
	if (refund_policy_format(p, text, needed, NULL) != 0 || strlen(text) + 1 != needed) {
		fuzz_check_failure(e, REFUND_ERANGE);
		abort();
	}
	return text;
}

/* Whatever the decoder accepted, the text form says and gives back. */
static void check_text_round_trip(fuzz_engine *fe, const refund_policy *p)
{
	refund_policy *draft = NULL;
	char *text = format(fe->engine, p), *again;
	int rc = refund_policy_parse(fe->engine, &draft, text, strlen(text));

	/*
	 * A stored policy may name a calendar this engine has not been given
	 * (the host adds its own before using them); the parser refuses names
	 * it does not know.  Everything else must parse.
	 */
	if (rc == REFUND_ENOTFOUND && !draft) {
		free(text);
		return;
	}
	if (rc != 0)
		abort();
	again = format(fe->engine, draft);
	if (strcmp(text, again) != 0 || refund_policy_version(draft) != 0 ||
	    strcmp(refund_policy_id(draft), "P") != 0)
		abort();
	free(again);
	free(text);
	refund_policy_free(draft);
}

static void check_loaded(fuzz_engine *fe, refund_policy *p)
{
	int exponent;

	if (strcmp(refund_policy_id(p), "P") != 0 || refund_policy_version(p) != 1 ||
	    refund_currency_exponent(fe->engine, refund_policy_currency(p), &exponent) != 0)
		abort();
	if (refund_policy_set_four_eyes(p, 100) != REFUND_ESTATE)
		abort();
	check_text_round_trip(fe, p);
}

/* Fail one of the allocations a load made: REFUND_ENOMEM, no leak. */
static void check_enomem(fuzz_engine *fe, long allocations, uint32_t hash)
{
	refund_policy *p;
	long live = fe->fa.live;

	if (allocations == 0)
		return;
	fuzz_alloc_arm(&fe->fa, 1 + (long)(hash % (uint32_t)allocations));
	if (load(fe, 1, &p) != REFUND_ENOMEM)
		abort();
	fuzz_alloc_arm(&fe->fa, 0);
	if (fe->fa.live != live)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t hash = fuzz_hash(data, size);
	refund_policy *p, *latest;
	fuzz_engine fe;
	long live, allocations;
	int rc;

	fuzz_engine_open(&fe, hash & 1 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN);
	store_records(&fe, data, size);
	warm_calendars(fe.engine);
	live = fe.fa.live;
	fuzz_alloc_arm(&fe.fa, 0);
	rc = load(&fe, 1, &p);
	allocations = fe.fa.count;
	if (rc == 0) {
		check_loaded(&fe, p);
		/* The latest, through the head, is the same policy. */
		if (load(&fe, 0, &latest) != 0 || refund_policy_version(latest) != 1)
			abort();
		refund_policy_free(latest);
		refund_policy_free(p);
	} else if (load(&fe, 0, &latest) != rc) {
		abort();
	}
	if (fe.fa.live != live)
		abort();
	check_enomem(&fe, allocations, hash);
	fuzz_engine_close(&fe);
	return 0;
}
