/*
 * libFuzzer target for the stored case record decoder, through the public
 * API.  The world: policy "POS" (versions 1 and 2), deposit "D-1" and case
 * "K" opened on it; then the input replaces the bytes of case record "K"
 * and the case is loaded.  Stored bytes are untrusted: the load returns 0 or
 * a documented code with a message, never crashes or leaks.  What loads is
 * read through every getter, explained, verified, and then takes one action
 * (picked by the input's hash); whatever the action writes must load again
 * in the state the handle shows, and the deposit's ledger must keep its
 * invariant.  A binary record that loads must be its values' one encoding
 * (written again, the input itself).  A load with one of its allocations
 * failed must give REFUND_ENOMEM and leak nothing.
 */
#include "fuzz_support.h"

#include "alloc.h"
#include "case.h"
#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CASE_ID "K"

static refund_act as(const char *actor, int role)
{
	refund_act a = REFUND_ACT_INIT;

	a.actor = actor;
	a.role = role;
	return a;
}

static void publish(refund_engine *e, int version)
{
	static const int64_t day[] = { 86400 };
	refund_policy *p = NULL;

	if (refund_policy_new(e, &p, "POS", "CNY") != 0 ||
	    refund_policy_set_window(p, REFUND_WINDOW_CONTRACT_END, 730) != 0 ||
	    refund_policy_add_tier(p, 0, 0, 5000) != 0 ||
	    refund_policy_add_tier(p, 90, 0, version == 1 ? 10000 : 9000) != 0 ||
	    refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, 2000) != 0 ||
	    refund_policy_set_missing_part_deduction(p, 3000) != 0 ||
	    refund_policy_set_fee(p, 500, 100, 500, 2000) != 0 ||
	    refund_policy_set_offsets(p, 1) != 0 ||
	    refund_policy_set_installments(p, 3, 1) != 0 ||
	    refund_policy_set_four_eyes(p, 100000) != 0 ||
	    refund_policy_set_escalation(p, REFUND_PARTY_REGULATOR) != 0 ||
	    refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2, REFUND_BUSINESS_DAYS,
			"CN", REFUND_ON_DUE_ESCALATE, day, 1) != 0 ||
	    refund_policy_set_deadline(p, REFUND_STATE_AWAITING_DOCUMENTS, 5,
			REFUND_CALENDAR_DAYS, "CN", REFUND_ON_DUE_EXPIRE, day, 1) != 0 ||
	    refund_policy_set_deadline(p, REFUND_STATE_PAID, 7, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_CLOSE, NULL, 0) != 0 ||
	    refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN) != 0)
		abort();
	refund_policy_free(p);
}

/*
 * Policy POS 1 and 2, deposit D-1 with usage, case K opened on it by the
 * merchant (the seed generator builds the same world).
 */
static void build_world(refund_engine *e, refund_case **c)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_deposit *d = NULL;
	refund_act ap = as("M-1001", REFUND_ROLE_APPLICANT);

	publish(e, 1);
	publish(e, 2);
	info.id = "D-1";
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-00042";
	info.contract_id = "C-18";
	info.receipt = "R-0042";
	info.amount = 500000;
	info.currency = "CNY";
	info.paid_at = 1709258400;      /* 2024-03-01T10:00:00+08:00 */
	info.contract_end = 1740758400; /* 2025-03-01T00:00:00+08:00 */
	if (refund_deposit_create(e, &d, &info, "agent-7", REFUND_ROLE_AGENT) != 0 ||
	    refund_deposit_set_usage(d, 200, 0, "agent-7", REFUND_ROLE_AGENT) != 0)
		abort();
	refund_deposit_free(d);
	if (refund_case_open(e, c, CASE_ID, "D-1", "POS", 1, REFUND_REASON_DEVICE_FAULT, &ap) != 0)
		abort();
}

#ifndef FUZZ_CASE_NO_TARGET

typedef struct loaded {
	uint64_t version;
} loaded;

static int copy_version(void *ctx, const refund_store_record *rec)
{
	((loaded *)ctx)->version = rec->version;
	return 0;
}

/* The input as the new bytes of case record K. */
static void store_case(fuzz_engine *fe, const uint8_t *data, size_t size)
{
	refund_store_put put;
	refund_store_batch batch = { &put, 1, NULL, 0 };
	loaded cur = { 0 };

	if (fe->store->load(fe->store, REFUND_RECORD_CASE, CASE_ID, copy_version, &cur) != 0)
		abort();
	memset(&put, 0, sizeof(put));
	put.kind = REFUND_RECORD_CASE;
	put.id = CASE_ID;
	put.expected_version = cur.version;
	put.data = size ? data : NULL;
	put.size = size;
	put.index.deposit_id = "D-1";
	put.index.next_deadline = REFUND_NO_DEADLINE;
	if (fe->store->commit(fe->store, &batch) != 0)
		abort();
}

static int load(fuzz_engine *fe, refund_case **c)
{
	int rc;

	*c = NULL;
	rc = refund_case_load(fe->engine, c, CASE_ID);
	if (rc != 0) {
		fuzz_check_failure(fe->engine, rc);
		if (*c)
			abort();
	} else if (!*c) {
		abort();
	}
	return rc;
}

/* 0, or a documented failure described on the engine. */
static void check_rc(refund_engine *e, int rc)
{
	if (rc != 0)
		fuzz_check_failure(e, rc);
}

static void check_getters(fuzz_engine *fe, refund_case *c)
{
	refund_quote q;
	refund_deadline dl;
	char text[2048];
	uint32_t version = 0;
	uint64_t first_bad = 0;
	int i, n;

	if (strcmp(refund_case_id(c), CASE_ID) != 0 || !refund_case_deposit_id(c) ||
	    !refund_case_state_name(refund_case_state(c)) || !refund_case_policy(c, &version) ||
	    refund_case_version(c) < 1)
		abort();
	(void)refund_case_escalations(c);
	(void)refund_case_evidence(c);
	(void)refund_case_missing_evidence(c);
	n = refund_case_part_count(c);
	if (n < 0 || n > REFUND_POLICY_MAX_PARTS)
		abort();
	for (i = 1; i <= n; i++) {
		refund_part part;

		memset(&part, 0, sizeof(part));
		part.version = REFUND_PART_VERSION;
		if (refund_case_part(c, i, &part) != 0 || part.amount < 0 ||
		    part.status < REFUND_PART_PENDING || part.status > REFUND_PART_PAID)
			abort();
	}
	memset(&dl, 0, sizeof(dl));
	dl.version = REFUND_DEADLINE_VERSION;
	n = refund_case_next_deadline(c, &dl);
	if (n != 0 && n != REFUND_ENOTFOUND)
		abort();
	memset(&q, 0, sizeof(q));
	q.version = REFUND_QUOTE_VERSION;
	check_rc(fe->engine, refund_case_quote(c, &q));
	n = refund_case_explain(c, REFUND_LANG_ZH_CN, text, sizeof(text));
	check_rc(fe->engine, n);
	if (n == 0 && strlen(text) >= sizeof(text))
		abort();
	check_rc(fe->engine, refund_case_verify(c, &first_bad));
}

/* One action, with ordinary arguments, by a role the action allows. */
static int act(refund_case *c, uint32_t pick)
{
	refund_act ap = as("M-1001", REFUND_ROLE_APPLICANT), rev = as("rev-1", REFUND_ROLE_REVIEWER);
	refund_act ag = as("agent-7", REFUND_ROLE_AGENT), fin = as("fin-1", REFUND_ROLE_FINANCE);
	refund_account acc = REFUND_ACCOUNT_INIT;

	acc.method = REFUND_PAYOUT_ALIPAY;
	acc.name = "张三";
	acc.number = "13800138000";
	switch (pick % 19) {
	case 0: return refund_case_attach(c, &ap, REFUND_EVIDENCE_FAULT_REPORT, "file:f.pdf");
	case 1: return refund_case_submit(c, &ap, &acc);
	case 2: return refund_case_start_review(c, &rev);
	case 3: return refund_case_request_documents(c, &rev, REFUND_EVIDENCE_BIT(9));
	case 4: return refund_case_provide_documents(c, &ap);
	case 5: return refund_case_approve(c, &rev, 1000);
	case 6: return refund_case_reject(c, &rev, REFUND_REJECT_OTHER, "no");
	case 7: return refund_case_appeal(c, &ap);
	case 8: return refund_case_receive_device(c, &ag, "SF1");
	case 9: return refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1);
	case 10: return refund_case_set_offset(c, &fin, 700);
	case 11: return refund_case_offer(c, &fin, 2);
	case 12: return refund_case_accept(c, &ap);
	case 13: return refund_case_pay(c, &fin, 1, "TX-1");
	case 14: return refund_case_pay_failed(c, &fin, 1, "timeout");
	case 15: return refund_case_confirm(c, &ap);
	case 16: return refund_case_withdraw(c, &ap);
	case 17: return refund_case_escalate(c, &ap, REFUND_PARTY_REGULATOR);
	default: return refund_case_reevaluate(c, &rev, 0);
	}
}

/* held = refunded + deducted + remaining, remaining >= 0. */
static void check_ledger(refund_engine *e)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	refund_deposit *d = NULL;

	if (refund_deposit_load(e, &d, "D-1") != 0 || refund_deposit_balance(d, &b) != 0 ||
	    b.remaining < 0 || b.refunded < 0 || b.deducted < 0 ||
	    b.held != b.refunded + b.deducted + b.remaining)
		abort();
	refund_deposit_free(d);
}

/* An action on what loaded: what it writes, the library reads back. */
static void check_action(fuzz_engine *fe, refund_case *c, uint32_t hash)
{
	refund_case *again = NULL;
	int rc = act(c, hash >> 1);

	check_rc(fe->engine, rc);
	if (rc == 0) {
		if (load(fe, &again) != 0 || refund_case_state(again) != refund_case_state(c) ||
		    refund_case_version(again) != refund_case_version(c))
			abort();
		refund_case_free(again);
	}
	check_ledger(fe->engine);
}

/* Fail one of the allocations a load made: REFUND_ENOMEM, no leak. */
static void check_enomem(fuzz_engine *fe, long allocations, uint32_t hash)
{
	refund_case *c;
	long live = fe->fa.live;

	if (allocations == 0)
		return;
	fuzz_alloc_arm(&fe->fa, 1 + (long)(hash % (uint32_t)allocations));
	if (load(fe, &c) != REFUND_ENOMEM)
		abort();
	fuzz_alloc_arm(&fe->fa, 0);
	if (fe->fa.live != live)
		abort();
}

/*
 * A binary record that reads is its values' one encoding: written again it
 * is the input itself (so a handle may copy from the bytes it read).
 */
static void check_one_encoding(refund_engine *e, const uint8_t *data, size_t size)
{
	static case_record r;
	char *again = NULL;
	size_t n = 0;

	if (size < CASE_MAGIC_SIZE || memcmp(data, refund__case_magic, CASE_MAGIC_SIZE) != 0 ||
	    refund__case_record_read(&e->alloc, data, size, &r) != 0)
		return;
	if (refund__case_encode(e, &r, &again, &n) != 0 || n != size ||
	    memcmp(again, data, size) != 0)
		abort();
	refund__free(&e->alloc, again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t hash = fuzz_hash(data, size);
	refund_case *c = NULL;
	fuzz_engine fe;
	long live, allocations;
	int rc;

	fuzz_engine_open(&fe, hash & 1 ? REFUND_LANG_ZH_CN : REFUND_LANG_EN);
	build_world(fe.engine, &c);
	refund_case_free(c);
	store_case(&fe, data, size);
	/* Fill the engine's caches first, so that a load's allocations are its own. */
	if (load(&fe, &c) == 0)
		refund_case_free(c);
	live = fe.fa.live;
	fuzz_alloc_arm(&fe.fa, 0);
	rc = load(&fe, &c);
	allocations = fe.fa.count;
	if (rc == 0)
		refund_case_free(c);
	if (fe.fa.live != live)
		abort();
	check_enomem(&fe, allocations, hash);
	if (rc == 0) {
		check_one_encoding(fe.engine, data, size);
		if (load(&fe, &c) != 0)
			abort();
		check_getters(&fe, c);
		check_action(&fe, c, hash);
		refund_case_free(c);
	}
	fuzz_engine_close(&fe);
	return 0;
}

#endif /* FUZZ_CASE_NO_TARGET */
