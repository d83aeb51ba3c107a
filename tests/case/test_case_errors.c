/*
 * Refund cases: every way a call can be refused, and what a refusal leaves
 * behind (nothing).  After each refused call the return code, a fresh
 * message on the engine, the handle (byte for byte), the deposit's ledger,
 * the whole store and the live allocations are checked.  Which action is
 * refused in which state, and for which role, comes from the workflow table
 * itself (src/workflow.c).
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
#include "policy.h"
#include "validate.h"
#include "workflow.h"

#include "case_fixture.h"
#include "fault_steps.h"
#include "faulty_store.h"
#include "fixture.h"
#include "store_dump.h"

/* A string of n copies of ch; freed with free(). */
static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* ---- the world: policies, deposits, cases in any state ---- */

/* D-x of holder through agent: as deposit_info(), 200 days in service. */
static void add_deposit_of(fixture *f, const char *id, const char *holder, const char *agent)
{
	refund_deposit_info info = deposit_info(id);

	info.holder = holder;
	info.agent = agent;
	add_deposit_info(f, &info, 200);
}

/* The shared world with offsets allowed by both policies. */
static int setup(void **state)
{
	fixture *f = fixture_new();

	build_world(f, 1);
	*state = f;
	return 0;
}

/* The basics and a fault report: all a device fault needs. */
static void attach_all(fixture *f, refund_case *c)
{
	refund_act a = APPLICANT;

	attach_basics(f, c);
	assert_int_equal(refund_case_attach(c, &a, REFUND_EVIDENCE_FAULT_REPORT, "file:fault.pdf"), 0);
}

/*
 * A case (device fault, POS-STD: the terminal comes back) taken to `state`
 * by the ordinary path.  Agreement has terms offered (3 parts); expired goes
 * through a tick, so it must be the only due case in the store.
 */
static refund_case *case_in_state(fixture *f, const char *id, const char *deposit, int state)
{
	refund_act ap = APPLICANT, r = REVIEWER, ag = AGENT, fin = FINANCE;
	refund_account acc = bank_account();
	refund_case *c = NULL;
	int part;

	assert_int_equal(refund_case_open(f->engine, &c, id, deposit, "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	if (state == REFUND_STATE_WITHDRAWN)
		assert_int_equal(refund_case_withdraw(c, &ap), 0);
	if (state == REFUND_STATE_DRAFT || state == REFUND_STATE_WITHDRAWN)
		goto done;
	attach_all(f, c);
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	if (state == REFUND_STATE_SUBMITTED)
		goto done;
	assert_int_equal(refund_case_start_review(c, &r), 0);
	if (state == REFUND_STATE_UNDER_REVIEW)
		goto done;
	if (state == REFUND_STATE_AWAITING_DOCUMENTS || state == REFUND_STATE_EXPIRED) {
		assert_int_equal(refund_case_request_documents(c, &r, EV(OTHER)), 0);
		if (state == REFUND_STATE_EXPIRED) {
			assert_int_equal(tick_at(f, f->now + 5 * DAY).consequences, 1);
			c = reload(f, c);
		}
		goto done;
	}
	if (state == REFUND_STATE_REJECTED) {
		assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_OTHER, "not eligible"), 0);
		goto done;
	}
	assert_int_equal(refund_case_approve(c, &r, 49000), 0);
	if (state == REFUND_STATE_DEVICE_RETURN)
		goto done;
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1234567890"), 0);
	if (state == REFUND_STATE_INSPECTION)
		goto done;
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_case_offer(c, &fin, 3), 0);
	if (state == REFUND_STATE_AGREEMENT)
		goto done;
	assert_int_equal(refund_case_accept(c, &ap), 0);
	if (state == REFUND_STATE_PAYOUT)
		goto done;
	for (part = 1; part <= 3; part++)
		assert_int_equal(refund_case_pay(c, &fin, part, "TX"), 0);
	if (state == REFUND_STATE_PAID)
		goto done;
	assert_int_equal(refund_case_confirm(c, &ap), 0);
done:
	assert_int_equal(refund_case_state(c), state);
	return c;
}

/* ---- what a refusal must leave behind ---- */

typedef struct snap {
	refund_engine *engine;      /* whose message must be fresh */
	const refund_case *c;       /* the handle that must not change, or NULL */
	char *image;                /* its case_handle_image() */
	size_t image_size;
	char *dump;
	char deposit[REFUND_ID_MAX + 1];
	refund_balance balance;
	size_t entries;
	long live;
} snap;

static void ledger_of(fixture *f, const char *deposit, refund_balance *b, size_t *entries)
{
	refund_deposit *d = NULL;

	memset(b, 0, sizeof(*b));
	b->version = REFUND_BALANCE_VERSION;
	assert_int_equal(refund_deposit_load(f->engine, &d, deposit), 0);
	assert_int_equal(refund_deposit_balance(d, b), 0);
	*entries = refund_deposit_entry_count(d);
	refund_deposit_free(d);
}

/* Records everything a refused call must leave alone, and clears the message. */
static void take(fixture *f, refund_engine *e, const refund_case *c, const char *deposit,
		snap *s)
{
	memset(s, 0, sizeof(*s));
	s->engine = e;
	s->c = c;
	if (c)
		s->image = case_handle_image(c, &s->image_size);
	assert_int_equal(store_dump(f->store, &s->dump), 0);
	if (!deposit && c)
		deposit = refund_case_deposit_id(c);
	if (deposit) {
		snprintf(s->deposit, sizeof(s->deposit), "%s", deposit);
		ledger_of(f, deposit, &s->balance, &s->entries);
	}
	s->live = f->fa.live;
	if (e)
		e->errmsg[0] = '\0';
}

static void drop(snap *s)
{
	free(s->dump);
	free(s->image);
	s->dump = NULL;
	s->image = NULL;
}

/* The handle as it was taken. */
static int same_handle(const snap *s)
{
	size_t size = 0;
	char *now = case_handle_image(s->c, &size);
	int same = size == s->image_size && memcmp(now, s->image, size) == 0;

	free(now);
	return same;
}

/* Asserts report the caller's line. */
#define CHECK_INT(a, b) _assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), file, line)
#define CHECK_TRUE(x) _assert_true((LargestIntegralType)(x), #x, file, line)

static void refused_at(fixture *f, snap *s, int rc, int want, int keep, const char *file,
		int line)
{
	char *after = NULL;

	if (rc != want)
		print_error("got %s (%s), want %s\n", refund_error_name(rc),
				s->engine ? refund_engine_errmsg(s->engine) : "", refund_error_name(want));
	CHECK_INT(rc, want);
	CHECK_INT(f->fa.live, s->live);
	if (s->engine)
		CHECK_TRUE(refund_engine_errmsg(s->engine)[0] != '\0');
	if (s->c)
		CHECK_TRUE(same_handle(s));
	if (s->deposit[0]) {
		refund_balance b;
		size_t entries = 0;

		ledger_of(f, s->deposit, &b, &entries);
		CHECK_TRUE(memcmp(&b, &s->balance, sizeof(b)) == 0);
		CHECK_INT(entries, s->entries);
	}
	CHECK_INT(store_dump(f->store, &after), 0);
	_assert_string_equal(after, s->dump, file, line);
	free(after);
	if (keep && s->engine)
		s->engine->errmsg[0] = '\0';  /* for the next attempt */
	else
		drop(s);
}

#define refused(f, s, rc, want) refused_at((f), (s), (rc), (want), 0, __FILE__, __LINE__)
/* The same, keeping the snapshot for another attempt at the same call. */
#define refused_again(f, s, rc, want) refused_at((f), (s), (rc), (want), 1, __FILE__, __LINE__)

/* Call, expect `want`, and check that nothing changed. */
#define REFUSED(f, c, want, call) do { \
		snap s_; \
		take((f), (c) ? (c)->engine : (f)->engine, (c), NULL, &s_); \
		refused((f), &s_, (call), (want)); \
	} while (0)

/* ---- the public actions, with arguments that are fine ---- */

static const int public_actions[] = {
	REFUND_ACTION_ATTACH, REFUND_ACTION_SUBMIT, REFUND_ACTION_START_REVIEW,
	REFUND_ACTION_REQUEST_DOCUMENTS, REFUND_ACTION_PROVIDE_DOCUMENTS, REFUND_ACTION_APPROVE,
	REFUND_ACTION_REJECT, REFUND_ACTION_APPEAL, REFUND_ACTION_RECEIVE_DEVICE,
	REFUND_ACTION_INSPECT, REFUND_ACTION_SET_OFFSET, REFUND_ACTION_OFFER,
	REFUND_ACTION_ACCEPT, REFUND_ACTION_PAY, REFUND_ACTION_PAY_FAILED, REFUND_ACTION_CONFIRM,
	REFUND_ACTION_WITHDRAW, REFUND_ACTION_ESCALATE, REFUND_ACTION_REEVALUATE,
};
#define NPUBLIC (sizeof(public_actions) / sizeof(public_actions[0]))

static int act_default(refund_case *c, int action, const refund_act *a)
{
	refund_account acc = bank_account();

	switch (action) {
	case REFUND_ACTION_ATTACH: return refund_case_attach(c, a, REFUND_EVIDENCE_OTHER, "file:x");
	case REFUND_ACTION_SUBMIT: return refund_case_submit(c, a, &acc);
	case REFUND_ACTION_START_REVIEW: return refund_case_start_review(c, a);
	case REFUND_ACTION_REQUEST_DOCUMENTS: return refund_case_request_documents(c, a, EV(OTHER));
	case REFUND_ACTION_PROVIDE_DOCUMENTS: return refund_case_provide_documents(c, a);
	case REFUND_ACTION_APPROVE: return refund_case_approve(c, a, 100);
	case REFUND_ACTION_REJECT: return refund_case_reject(c, a, REFUND_REJECT_OTHER, "no");
	case REFUND_ACTION_APPEAL: return refund_case_appeal(c, a);
	case REFUND_ACTION_RECEIVE_DEVICE: return refund_case_receive_device(c, a, "SF1");
	case REFUND_ACTION_INSPECT: return refund_case_inspect(c, a, REFUND_GRADE_FINE, 0);
	case REFUND_ACTION_SET_OFFSET: return refund_case_set_offset(c, a, 100);
	case REFUND_ACTION_OFFER: return refund_case_offer(c, a, 1);
	case REFUND_ACTION_ACCEPT: return refund_case_accept(c, a);
	case REFUND_ACTION_PAY: return refund_case_pay(c, a, 1, "TX-default");
	case REFUND_ACTION_PAY_FAILED: return refund_case_pay_failed(c, a, 1, "timeout");
	case REFUND_ACTION_CONFIRM: return refund_case_confirm(c, a);
	case REFUND_ACTION_WITHDRAW: return refund_case_withdraw(c, a);
	case REFUND_ACTION_ESCALATE: return refund_case_escalate(c, a, REFUND_PARTY_REGULATOR);
	case REFUND_ACTION_REEVALUATE: return refund_case_reevaluate(c, a, 0);
	default: fail_msg("action %d is not public", action); return 0;
	}
}

/* The roles the table allows for action in state (0: no row). */
static unsigned int table_roles(int action, int state, int *has_row)
{
	size_t n = 0, i;
	const workflow_row *rows = refund__workflow_rows(&n);
	unsigned int roles = 0;

	*has_row = 0;
	for (i = 0; i < n; i++) {
		if (rows[i].action == action && rows[i].from == state) {
			*has_row = 1;
			roles |= rows[i].roles;
		}
	}
	return roles;
}

/* The first state in which the table allows action. */
static int first_state(int action)
{
	int state, has = 0;

	for (state = 1; state < REFUND_STATE_COUNT; state++) {
		table_roles(action, state, &has);
		if (has)
			return state;
	}
	fail_msg("action %d is allowed nowhere", action);
	return 0;
}

static int allowed_role(int action, int state)
{
	int has = 0, role;
	unsigned int roles = table_roles(action, state, &has);

	for (role = REFUND_ROLE_APPLICANT; role <= REFUND_ROLE_SYSTEM; role++)
		if (roles & REFUND_ROLE_BIT(role))
			return role;
	return 0;
}

static const char *const role_actor[] = { "", "M-1001", "agent-7", "rev-1", "fin-1",
	"admin-1", "system" };

/* ---- 1. the table: ESTATE where it has no row, EDENIED for roles it does not list ---- */

static void check_state_against_table(int state, long *estate, long *edenied, long *allowed)
{
	fixture *f = fixture_new();
	refund_case *c;
	size_t i;
	int role;

	snap s;

	build_world(f, 1);
	c = case_in_state(f, "K-T", "D-1", state);
	take(f, f->engine, c, NULL, &s);  /* one snapshot: every call below is refused */
	for (i = 0; i < NPUBLIC; i++) {
		int action = public_actions[i], has = 0;
		unsigned int roles = table_roles(action, state, &has);

		for (role = REFUND_ROLE_APPLICANT; role <= REFUND_ROLE_SYSTEM; role++) {
			refund_act a = as(role_actor[role], role);

			if (has && (roles & REFUND_ROLE_BIT(role)))
				continue;
			refused_again(f, &s, act_default(c, action, &a),
					has ? REFUND_EDENIED : REFUND_ESTATE);
			if (has)
				(*edenied)++;
			else
				(*estate)++;
		}
	}
	drop(&s);
	refund_case_free(c);
	fixture_free(f);

	/* Each role the table allows gets past the state and role checks. */
	for (i = 0; i < NPUBLIC; i++) {
		int action = public_actions[i], has = 0;
		unsigned int roles = table_roles(action, state, &has);

		for (role = REFUND_ROLE_APPLICANT; has && role <= REFUND_ROLE_SYSTEM; role++) {
			refund_act a = as(role_actor[role], role);
			int rc;

			if (!(roles & REFUND_ROLE_BIT(role)))
				continue;
			f = fixture_new();
			build_world(f, 1);
			c = case_in_state(f, "K-T", "D-1", state);
			rc = act_default(c, action, &a);
			if (rc == REFUND_ESTATE || rc == REFUND_EDENIED)
				fail_msg("%s by %s in %s: %s (%s)", refund_case_action_name(action),
						refund_role_name(role), refund_case_state_name(state),
						refund_error_name(rc), refund_engine_errmsg(f->engine));
			(*allowed)++;
			refund_case_free(c);
			fixture_free(f);
		}
	}
}

/* Labels for people: English names, Chinese words, each distinct. */
static void assert_labels(const char *(*label)(int, refund_lang), const char *(*name)(int),
		int count)
{
	const char *zh;
	int i, j;

	for (i = 1; i < count; i++) {
		assert_string_equal(label(i, REFUND_LANG_EN), name(i));
		zh = label(i, REFUND_LANG_ZH_CN);
		assert_non_null(zh);
		assert_true((unsigned char)zh[0] >= 0x80);
		for (j = 1; j < i; j++)
			assert_string_not_equal(zh, label(j, REFUND_LANG_ZH_CN));
	}
	assert_null(label(0, REFUND_LANG_EN));
	assert_null(label(count, REFUND_LANG_ZH_CN));
	assert_null(label(-1, REFUND_LANG_ZH_CN));
	assert_null(label(1, (refund_lang)2));
	assert_null(label(1, (refund_lang)-1));
}

static void test_labels(void **state)
{
	(void)state;
	assert_labels(refund_case_state_label, refund_case_state_name, REFUND_STATE_COUNT);
	assert_labels(refund_case_action_label, refund_case_action_name, REFUND_ACTION_COUNT);
	assert_labels(refund_role_label, refund_role_name, REFUND_ROLE_SYSTEM + 1);
	assert_string_equal(refund_case_state_label(REFUND_STATE_UNDER_REVIEW, REFUND_LANG_ZH_CN),
			"审核中");
	assert_string_equal(refund_case_action_label(REFUND_ACTION_ESCALATE, REFUND_LANG_ZH_CN),
			"升级投诉");
	assert_string_equal(refund_role_label(REFUND_ROLE_REVIEWER, REFUND_LANG_ZH_CN), "审核员");
}

static int has_byte_from_0x80(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/* A refusal names the state, action and role in the engine's language only. */
static void test_messages_speak_one_language(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW), *none = NULL;
	refund_act ap = APPLICANT;
	refund_account acc = bank_account();
	refund_deposit_info info = deposit_info("D-77");
	refund_deposit *d = NULL;
	const char *msg;

	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_ZH_CN), 0);
	REFUSED(f, c, REFUND_ESTATE, refund_case_submit(c, &ap, &acc));
	msg = refund_engine_errmsg(f->engine);
	assert_non_null(strstr(msg, "处于“审核中”状态"));
	assert_non_null(strstr(msg, "不能执行“提交申请”"));
	assert_null(strstr(msg, "under_review"));
	assert_null(strstr(msg, "submit"));
	REFUSED(f, c, REFUND_EDENIED, refund_case_approve(c, &ap, 100));
	msg = refund_engine_errmsg(f->engine);
	assert_non_null(strstr(msg, "角色“申请人”无权对案件执行“批准”"));
	REFUSED(f, none, REFUND_EDENIED, refund_deposit_create(f->engine, &d, &info, "M-1",
			REFUND_ROLE_APPLICANT));
	assert_string_equal(refund_engine_errmsg(f->engine), "角色“申请人”无权登记押金");
	assert_null(d);

	assert_int_equal(refund_engine_set_lang(f->engine, REFUND_LANG_EN), 0);
	REFUSED(f, c, REFUND_ESTATE, refund_case_submit(c, &ap, &acc));
	msg = refund_engine_errmsg(f->engine);
	assert_non_null(strstr(msg, "is under_review: it cannot submit now"));
	assert_false(has_byte_from_0x80(msg));
	REFUSED(f, none, REFUND_EDENIED, refund_deposit_create(f->engine, &d, &info, "M-1",
			REFUND_ROLE_APPLICANT));
	assert_string_equal(refund_engine_errmsg(f->engine),
			"the applicant role may not record a deposit");
	refund_case_free(c);
}

static void test_table_states_and_roles(void **state)
{
	long estate = 0, edenied = 0, allowed = 0;
	int s;

	(void)state;
	for (s = 1; s < REFUND_STATE_COUNT; s++)
		check_state_against_table(s, &estate, &edenied, &allowed);
	printf("table: %ld ESTATE, %ld EDENIED refusals, %ld allowed (action, state, role)\n",
			estate, edenied, allowed);
	assert_true(estate > 100);
	assert_true(edenied > 50);
}

/* ---- 1. who acts: refund_act checked the same way by every action ---- */

typedef struct bad_act {
	refund_act act;
	int want;
} bad_act;

static size_t bad_acts(bad_act *out, char *long_id, char *long_note)
{
	static const struct {
		unsigned int version;
		const char *actor;
		int role;
		const char *key;
		const char *note;
		int want;
	} table[] = {
		{ 0, "rev-1", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EVERSION },
		{ 2, "rev-1", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EVERSION },
		{ 1, NULL, REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev 1", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev\t1", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev\x01", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev\x7f", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "审核员", REFUND_ROLE_REVIEWER, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev-1", 0, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev-1", 7, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev-1", 99, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev-1", -1, NULL, NULL, REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, "", NULL, REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, "a key", NULL, REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, "key\n", NULL, REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, "ключ", NULL, REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "bad \xff byte", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "cut \xe4\xb8", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "overlong \xc0\xaf", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "surrogate \xed\xa0\x80", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "bell \x07", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "escape \x1b[31m", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "del \x7f", REFUND_EINVAL },
		{ 1, "rev-1", REFUND_ROLE_REVIEWER, NULL, "cr \r", REFUND_EINVAL },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++, n++) {
		out[n].act.version = table[i].version;
		out[n].act.actor = table[i].actor;
		out[n].act.role = table[i].role;
		out[n].act.idempotency_key = table[i].key;
		out[n].act.note = table[i].note;
		out[n].want = table[i].want;
	}
	out[n].act = as(long_id, REFUND_ROLE_REVIEWER);             /* actor too long */
	out[n++].want = REFUND_EINVAL;
	out[n].act = as("rev-1", REFUND_ROLE_REVIEWER);
	out[n].act.idempotency_key = long_id;                       /* key too long */
	out[n++].want = REFUND_EINVAL;
	out[n].act = as("rev-1", REFUND_ROLE_REVIEWER);
	out[n].act.note = long_note;                                /* note too long */
	out[n++].want = REFUND_EINVAL;
	return n;
}

static void test_act_checked_by_every_action(void **state)
{
	char *long_id = repeat('a', REFUND_ID_MAX + 1), *long_note = repeat('n', REFUND_TEXT_MAX + 1);
	bad_act acts[40];
	size_t nacts = bad_acts(acts, long_id, long_note), i, j;
	long calls = 0;

	(void)state;
	for (i = 0; i < NPUBLIC; i++) {
		int action = public_actions[i];
		int where = first_state(action);
		fixture *f = fixture_new();
		refund_case *c;

		snap s;

		build_world(f, 1);
		c = case_in_state(f, "K-A", "D-1", where);
		take(f, f->engine, c, NULL, &s);  /* one snapshot: every call below is refused */
		refused_again(f, &s, act_default(c, action, NULL), REFUND_EINVAL);
		for (j = 0; j < nacts; j++, calls++) {
			refund_act a = acts[j].act;

			/* The role is the table's where the entry does not test roles. */
			if (a.role == REFUND_ROLE_REVIEWER) {
				a.role = allowed_role(action, where);
				if (a.actor && strcmp(a.actor, "rev-1") == 0)
					a.actor = role_actor[a.role];
			}
			refused_again(f, &s, act_default(c, action, &a), acts[j].want);
		}
		drop(&s);
		/* No handle: nothing to describe it on, still refused. */
		{
			refund_act a = as(role_actor[allowed_role(action, where)],
					allowed_role(action, where));

			assert_int_equal(act_default(NULL, action, &a), REFUND_EINVAL);
		}
		refund_case_free(c);
		fixture_free(f);
	}
	printf("act: %ld refused calls over %zu actions\n", calls, (size_t)NPUBLIC);
	free(long_id);
	free(long_note);
}

/* ---- 1. opening ---- */

static void test_open_errors(void **state)
{
	fixture *f = *state;
	refund_case *sentinel = (refund_case *)&sentinel, *c = sentinel, *k1 = NULL;
	refund_act ap = APPLICANT, r = REVIEWER, fin = FINANCE, bad = APPLICANT;
	char *long_id = repeat('x', REFUND_ID_MAX + 1);

	publish_policy(f, "POS-USD", "USD", 1, 1);
	bad.version = 9;
	assert_int_equal(refund_case_open(NULL, &c, "K-1", "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), REFUND_EINVAL);
#define OPEN_REFUSED(want, id, dep, pol, ver, reason, act) do { \
		snap s_; \
		take(f, f->engine, NULL, "D-1", &s_); \
		refused(f, &s_, refund_case_open(f->engine, &c, id, dep, pol, ver, reason, act), want); \
		assert_ptr_equal(c, sentinel); \
	} while (0)
	OPEN_REFUSED(REFUND_EINVAL, NULL, "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K 1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, long_id, "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", NULL, "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D\x01", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", long_id, "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", NULL, 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS-STD", 0, 0, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_FRAUD + 1, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS-STD", 0, -1, &ap);
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, NULL);
	OPEN_REFUSED(REFUND_EVERSION, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &bad);
	OPEN_REFUSED(REFUND_ENOTFOUND, "K-1", "D-404", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_ENOTFOUND, "K-1", "D-1", "POS-404", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_ENOTFOUND, "K-1", "D-1", "POS-STD", 2, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EDENIED, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &r);
	OPEN_REFUSED(REFUND_EDENIED, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &fin);
	OPEN_REFUSED(REFUND_ECURRENCY, "K-1", "D-1", "POS-USD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	f->now = at("2027-03-01T00:00:01+08:00");
	OPEN_REFUSED(REFUND_EDEADLINE, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	f->now = at("2025-06-02T09:00:00+08:00");
	f->now = REFUND_TIME_MAX + 1;  /* a clock out of range */
	OPEN_REFUSED(REFUND_EINVAL, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	f->now = at("2025-06-02T09:00:00+08:00");

	/* out may be NULL; then one open case per deposit, and case ids are unique. */
	assert_int_equal(refund_case_open(f->engine, NULL, "K-1", "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	OPEN_REFUSED(REFUND_EDUPLICATE, "K-2", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	OPEN_REFUSED(REFUND_EDUPLICATE, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
	assert_int_equal(refund_case_load(f->engine, &k1, "K-1"), 0);
	assert_int_equal(refund_case_withdraw(k1, &ap), 0);
	OPEN_REFUSED(REFUND_EEXISTS, "K-1", "D-1", "POS-STD", 0, REFUND_REASON_DEVICE_FAULT, &ap);
#undef OPEN_REFUSED
	assert_int_equal(refund_case_open(f->engine, &c, "K-2", "D-1", "POS-STD", 1,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	assert_ptr_not_equal(c, sentinel);
	refund_case_free(c);
	refund_case_free(k1);
	free(long_id);
}

/* An idempotent open: the same key and arguments after success is 0, others are refused. */
static void test_open_idempotent(void **state)
{
	fixture *f = *state;
	refund_act ap = APPLICANT;
	refund_case *c = NULL, *again = NULL;

	ap.idempotency_key = "open-K-1";
	assert_int_equal(refund_case_open(f->engine, &c, "K-1", "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	assert_int_equal(refund_case_open(f->engine, &again, "K-1", "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	assert_non_null(again);
	assert_string_equal(refund_case_id(again), "K-1");
	assert_int_equal(refund_case_version(again), refund_case_version(c));
	refund_case_free(again);
	again = (refund_case *)&again;
	REFUSED(f, (refund_case *)NULL, REFUND_EDUPLICATE, refund_case_open(f->engine, &again,
			"K-1", "D-1", "POS-STD", 0, REFUND_REASON_FRAUD, &ap));
	assert_ptr_equal(again, (refund_case *)&again);
	refund_case_free(c);
}

/* ---- 1. each action's own arguments ---- */

static void test_attach_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_DRAFT);
	refund_act ap = APPLICANT;
	char *long_ref = repeat('r', 129), *max_ref = repeat('r', 128);
	int i;

	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, 0, "file:x"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, -1, "file:x"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER + 1, "file:x"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, NULL));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, ""));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, long_ref));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "a\xff"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "a\x02"));
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, max_ref), 0);
	/* At most CASE_MAX_EVIDENCE attachments. */
	for (i = 1; i < CASE_MAX_EVIDENCE; i++)
		assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:more"), 0);
	REFUSED(f, c, REFUND_EINVAL, refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:17"));
	refund_case_free(c);
	free(long_ref);
	free(max_ref);
}

typedef struct bad_account {
	int method;
	const char *name, *number, *bank;
} bad_account;

static void test_submit_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_DRAFT);
	refund_act ap = APPLICANT;
	refund_account acc = bank_account();
	char *long_name = repeat('n', CASE_NAME_MAX + 1), *long_bank = repeat('b', CASE_NAME_MAX + 1);
	char *long_mail = malloc(80);
	static const bad_account bad[] = {
		{ 0, "Li Lei", "6222020200112233445", "ICBC" },
		{ 4, "Li Lei", "6222020200112233445", "ICBC" },
		{ -1, "Li Lei", "6222020200112233445", "ICBC" },
		{ REFUND_PAYOUT_BANK, NULL, "6222020200112233445", "ICBC" },
		{ REFUND_PAYOUT_BANK, "", "6222020200112233445", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li\x01Lei", "6222020200112233445", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li \xff", "6222020200112233445", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", NULL, "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "1234567", "ICBC" },                 /* 7 digits */
		{ REFUND_PAYOUT_BANK, "Li Lei", "123456789012345678901234567890123", "ICBC" }, /* 33 */
		{ REFUND_PAYOUT_BANK, "Li Lei", "6222 0202 0011", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "62220202001A", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "-6222020200112", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "6222020200112233445", NULL },       /* no bank */
		{ REFUND_PAYOUT_BANK, "Li Lei", "6222020200112233445", "" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "6222020200112233445", "IC\x01" },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "23800138000", NULL },             /* not 1... */
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "1380013800", NULL },              /* 10 digits */
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "138001380001", NULL },            /* 12 digits */
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "lilei", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "lilei@example", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "@example.com", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "lilei@.com", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "lilei@example.com.", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "li@lei@example.com", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "li lei@example.com", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "李雷@example.com", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "wx_12", NULL },                   /* 5 */
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "wx_123456789012345678", NULL },   /* 21 */
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "1wx_lilei", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "_wxlilei", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "wx.lilei", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "wx lilei", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "lilei@example.com", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "23800138000", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "", NULL },
	};
	size_t i;

	assert_non_null(long_mail);
	snprintf(long_mail, 80, "%s@example.com", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefgh");
	/* Missing evidence first: the guard refuses before the account is read. */
	REFUSED(f, c, REFUND_EEVIDENCE, refund_case_submit(c, &ap, &acc));
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "receipt"));
	attach_all(f, c);
	REFUSED(f, c, REFUND_EINVAL, refund_case_submit(c, &ap, NULL));
	acc.version = 0;
	REFUSED(f, c, REFUND_EVERSION, refund_case_submit(c, &ap, &acc));
	acc.version = 2;
	REFUSED(f, c, REFUND_EVERSION, refund_case_submit(c, &ap, &acc));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		acc = bank_account();
		acc.method = bad[i].method;
		acc.name = bad[i].name;
		acc.number = bad[i].number;
		acc.bank = bad[i].bank;
		REFUSED(f, c, REFUND_EINVAL, refund_case_submit(c, &ap, &acc));
	}
	acc = bank_account();
	acc.name = long_name;
	REFUSED(f, c, REFUND_EINVAL, refund_case_submit(c, &ap, &acc));
	acc = bank_account();
	acc.bank = long_bank;
	REFUSED(f, c, REFUND_EINVAL, refund_case_submit(c, &ap, &acc));
	acc.method = REFUND_PAYOUT_ALIPAY;
	acc.bank = NULL;
	acc.number = long_mail;  /* longer than an account number may be */
	REFUSED(f, c, REFUND_EINVAL, refund_case_submit(c, &ap, &acc));
	/* The window closed since the case was opened. */
	acc = bank_account();
	f->now = at("2027-03-02T00:00:00+08:00");
	REFUSED(f, c, REFUND_EDEADLINE, refund_case_submit(c, &ap, &acc));
	f->now = at("2025-06-02T09:00:00+08:00");
	/* The good forms of each method pass. */
	acc.method = REFUND_PAYOUT_WECHAT;
	acc.number = "wx_lilei-88";
	acc.bank = NULL;
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	refund_case_free(c);
	free(long_name);
	free(long_bank);
	free(long_mail);
}

static void test_account_good_forms(void **state)
{
	fixture *f = *state;
	static const bad_account good[] = {
		{ REFUND_PAYOUT_BANK, "Li Lei", "12345678", "ICBC" },
		{ REFUND_PAYOUT_BANK, "Li Lei", "12345678901234567890123456789012", "ICBC" },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "13800138000", NULL },
		{ REFUND_PAYOUT_ALIPAY, "Li Lei", "li.lei@example.com", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "13800138000", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "wxabcd", NULL },
		{ REFUND_PAYOUT_WECHAT, "Li Lei", "w2345678901234567890", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char id[16], dep[16];
		refund_case *c;
		refund_act ap = APPLICANT;
		refund_account acc = REFUND_ACCOUNT_INIT;

		snprintf(id, sizeof(id), "K-%zu", i);
		snprintf(dep, sizeof(dep), "D-G%zu", i);
		add_deposit(f, dep, 200);
		c = case_in_state(f, id, dep, REFUND_STATE_DRAFT);
		attach_all(f, c);
		acc.method = good[i].method;
		acc.name = good[i].name;
		acc.number = good[i].number;
		acc.bank = good[i].bank;
		assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
		refund_case_free(c);
	}
}

static void test_review_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	refund_act r = REVIEWER, ap = APPLICANT;
	char *long_text = repeat('t', CASE_TEXT_MAX + 1), *max_text = repeat('t', CASE_TEXT_MAX);
	refund_quote q;

	memset(&q, 0, sizeof(q));
	q.version = REFUND_QUOTE_VERSION;
	assert_int_equal(refund_case_quote(c, &q), 0);
	assert_int_equal(q.net, 49000);
	/* request_documents: a mask of known evidence bits, not 0 */
	REFUSED(f, c, REFUND_EINVAL, refund_case_request_documents(c, &r, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_request_documents(c, &r, 1));  /* bit 0 */
	REFUSED(f, c, REFUND_EINVAL, refund_case_request_documents(c, &r, 1u << 10));
	REFUSED(f, c, REFUND_EINVAL, refund_case_request_documents(c, &r, EV(RECEIPT) | 1u << 31));
	REFUSED(f, c, REFUND_EINVAL, refund_case_request_documents(c, &r, UINT32_MAX));
	/* approve: 0 < amount <= net */
	REFUSED(f, c, REFUND_EINVAL, refund_case_approve(c, &r, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_approve(c, &r, -1));
	REFUSED(f, c, REFUND_EINVAL, refund_case_approve(c, &r, INT64_MIN));
	REFUSED(f, c, REFUND_EBALANCE, refund_case_approve(c, &r, q.net + 1));
	REFUSED(f, c, REFUND_EBALANCE, refund_case_approve(c, &r, INT64_MAX));
	REFUSED(f, c, REFUND_EDENIED, refund_case_approve(c, &ap, q.net));
	/* reject: a known reason and 1 to 1024 bytes of text */
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, 0, "no"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER + 1, "no"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, -1, "no"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER, NULL));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER, ""));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER, long_text));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER, "\xc3("));
	REFUSED(f, c, REFUND_EINVAL, refund_case_reject(c, &r, REFUND_REJECT_OTHER, "a\x1f"));
	/* set_offset: >= 0 */
	{
		refund_act fin = FINANCE;

		REFUSED(f, c, REFUND_EINVAL, refund_case_set_offset(c, &fin, -1));
		REFUSED(f, c, REFUND_EINVAL, refund_case_set_offset(c, &fin, INT64_MIN));
	}
	/* escalate: exactly one known party */
	REFUSED(f, c, REFUND_EINVAL, refund_case_escalate(c, &r, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_escalate(c, &r, 3));
	REFUSED(f, c, REFUND_EINVAL, refund_case_escalate(c, &r, 8));
	REFUSED(f, c, REFUND_EINVAL, refund_case_escalate(c, &r, -1));
	REFUSED(f, c, REFUND_EINVAL, refund_case_escalate(c, &r, 7));
	/* provide_documents out of its state */
	REFUSED(f, c, REFUND_ESTATE, refund_case_provide_documents(c, &ap));
	assert_int_equal(refund_case_reject(c, &r, REFUND_REJECT_OTHER, max_text), 0);
	refund_case_free(c);
	free(long_text);
	free(max_text);
}

static void test_provide_documents_guard(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	refund_act r = REVIEWER, ap = APPLICANT;

	assert_int_equal(refund_case_request_documents(c, &r,
			EV(TRANSACTION_RECORDS) | EV(POLICE_REPORT)), 0);
	REFUSED(f, c, REFUND_EEVIDENCE, refund_case_provide_documents(c, &ap));
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_POLICE_REPORT, "file:p"), 0);
	REFUSED(f, c, REFUND_EEVIDENCE, refund_case_provide_documents(c, &ap));
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "transaction records"));
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_TRANSACTION_RECORDS, "file:t"), 0);
	assert_int_equal(refund_case_provide_documents(c, &ap), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_UNDER_REVIEW);
	refund_case_free(c);
}

static void test_device_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_DEVICE_RETURN);
	refund_act ag = AGENT;
	char *long_tracking = repeat('9', CASE_PAYREF_MAX + 1);

	REFUSED(f, c, REFUND_EINVAL, refund_case_receive_device(c, &ag, long_tracking));
	REFUSED(f, c, REFUND_EINVAL, refund_case_receive_device(c, &ag, ""));
	REFUSED(f, c, REFUND_EINVAL, refund_case_receive_device(c, &ag, "SF\x01"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_receive_device(c, &ag, "SF\xfe"));
	REFUSED(f, c, REFUND_ESTATE, refund_case_inspect(c, &ag, REFUND_GRADE_FINE, 0));
	assert_int_equal(refund_case_receive_device(c, &ag, NULL), 0);
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, 0, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, -1, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, REFUND_GRADE_NOT_RETURNED, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, REFUND_GRADE_NOT_RETURNED + 1, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, REFUND_GRADE_FINE, -1));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, REFUND_GRADE_FINE, 101));
	REFUSED(f, c, REFUND_EINVAL, refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, INT32_MIN));
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 100), 0);
	refund_case_free(c);
	free(long_tracking);
}

static void test_agreement_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_INSPECTION);
	refund_act ag = AGENT, fin = FINANCE, ap = APPLICANT;

	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_FINE, 0), 0);
	/* accept before any terms were offered */
	REFUSED(f, c, REFUND_ESTATE, refund_case_accept(c, &ap));
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "offered"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_offer(c, &fin, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_offer(c, &fin, -1));
	REFUSED(f, c, REFUND_EINVAL, refund_case_offer(c, &fin, 4));   /* the policy allows 3 */
	REFUSED(f, c, REFUND_EINVAL, refund_case_offer(c, &fin, REFUND_POLICY_MAX_PARTS + 1));
	REFUSED(f, c, REFUND_EINVAL, refund_case_set_offset(c, &fin, -5));
	REFUSED(f, c, REFUND_EDENIED, refund_case_offer(c, &ap, 1));
	assert_int_equal(refund_case_offer(c, &fin, 3), 0);
	REFUSED(f, c, REFUND_EDENIED, refund_case_accept(c, &fin));
	refund_case_free(c);
}

/* set_offset under a policy that allows no offsets: EDENIED whatever the role. */
static void test_offsets_not_allowed(void **state)
{
	fixture *f = *state;
	refund_case *c = NULL;
	refund_act ap = APPLICANT, fin = FINANCE, adm = ADMIN, r = REVIEWER;
	refund_account acc = bank_account();

	publish_policy(f, "POS-NOOFF", "CNY", 0, 0);
	assert_int_equal(refund_case_open(f->engine, &c, "K-1", "D-1", "POS-NOOFF", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	attach_all(f, c);
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	REFUSED(f, c, REFUND_EDENIED, refund_case_set_offset(c, &fin, 100));
	assert_non_null(strstr(refund_engine_errmsg(f->engine), "offsets"));
	REFUSED(f, c, REFUND_EDENIED, refund_case_set_offset(c, &adm, 0));
	refund_case_free(c);
}

static void test_payout_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_PAYOUT);
	refund_act fin = FINANCE, r = REVIEWER, ap = APPLICANT;
	char *long_ref = repeat('p', CASE_PAYREF_MAX + 1), *long_reason = repeat('f', CASE_FAILURE_MAX + 1);

	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 0, "TX"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, -1, "TX"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 4, "TX"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 1, NULL));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 1, ""));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 1, long_ref));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 1, "TX\x80"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay(c, &fin, 1, "TX\x05"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 0, "timeout"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 4, "timeout"));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 1, NULL));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 1, ""));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 1, long_reason));
	REFUSED(f, c, REFUND_EINVAL, refund_case_pay_failed(c, &fin, 1, "bad \xff"));
	REFUSED(f, c, REFUND_EDENIED, refund_case_pay(c, &r, 1, "TX"));
	REFUSED(f, c, REFUND_ESTATE, refund_case_reevaluate(c, &r, 0));
	REFUSED(f, c, REFUND_ESTATE, refund_case_withdraw(c, &ap));
	assert_int_equal(refund_case_pay(c, &fin, 2, "TX-2"), 0);
	REFUSED(f, c, REFUND_ESTATE, refund_case_pay(c, &fin, 2, "TX-2 again"));
	REFUSED(f, c, REFUND_ESTATE, refund_case_pay_failed(c, &fin, 2, "late"));
	refund_case_free(c);
	free(long_ref);
	free(long_reason);
}

static void publish_v2(fixture *f, const char *currency)
{
	refund_policy *p = draft_policy(f, "POS-STD", currency, 1, 1);

	assert_int_equal(refund_policy_set_fee(p, 0, 0, 0, -1), 0);
	publish_draft(f, p);
}

static void test_reevaluate_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	refund_act r = REVIEWER;

	REFUSED(f, c, REFUND_EINVAL, refund_case_reevaluate(c, &r, 0));   /* 1 is the latest */
	REFUSED(f, c, REFUND_EINVAL, refund_case_reevaluate(c, &r, 1));   /* the same */
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_reevaluate(c, &r, 2));
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_reevaluate(c, &r, UINT32_MAX));
	publish_v2(f, "CNY");
	publish_v2(f, "USD");  /* version 3, in another currency */
	REFUSED(f, c, REFUND_ECURRENCY, refund_case_reevaluate(c, &r, 3));
	REFUSED(f, c, REFUND_ECURRENCY, refund_case_reevaluate(c, &r, 0));
	assert_int_equal(refund_case_reevaluate(c, &r, 2), 0);
	REFUSED(f, c, REFUND_EINVAL, refund_case_reevaluate(c, &r, 1));   /* older */
	REFUSED(f, c, REFUND_EINVAL, refund_case_reevaluate(c, &r, 2));   /* the same */
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_reevaluate(c, &r, 4));
	refund_case_free(c);
}

/* An idempotency key reused with other arguments, on each kind of action. */
static void test_idempotency_key_reuse(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_DRAFT);
	refund_act ap = APPLICANT;
	uint64_t version;

	ap.idempotency_key = "k-1";
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:a"), 0);
	version = refund_case_version(c);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:a"), 0);
	assert_int_equal(refund_case_version(c), version);
	REFUSED(f, c, REFUND_EDUPLICATE, refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:b"));
	REFUSED(f, c, REFUND_EDUPLICATE, refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "file:a"));
	REFUSED(f, c, REFUND_EDUPLICATE, refund_case_withdraw(c, &ap));
	ap.note = "a note changes the arguments";
	REFUSED(f, c, REFUND_EDUPLICATE, refund_case_attach(c, &ap, REFUND_EVIDENCE_OTHER, "file:a"));
	refund_case_free(c);
}

/* ---- 1. reading: quote, explain, part, deadline, events, verify, load, names ---- */

static void test_reading_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_PAYOUT);
	refund_quote q;
	refund_part part;
	refund_deadline dl;
	char buf[64];

	memset(&q, 0, sizeof(q));
	assert_int_equal(refund_case_quote(NULL, &q), REFUND_EINVAL);
	REFUSED(f, c, REFUND_EINVAL, refund_case_quote(c, NULL));
	q.version = 0;
	REFUSED(f, c, REFUND_EVERSION, refund_case_quote(c, &q));
	q.version = REFUND_QUOTE_VERSION + 1;
	REFUSED(f, c, REFUND_EVERSION, refund_case_quote(c, &q));

	assert_int_equal(refund_case_explain(NULL, REFUND_LANG_EN, buf, sizeof(buf)), REFUND_EINVAL);
	REFUSED(f, c, REFUND_EINVAL, refund_case_explain(c, REFUND_LANG_EN, NULL, sizeof(buf)));
	REFUSED(f, c, REFUND_EINVAL, refund_case_explain(c, REFUND_LANG_EN, buf, 0));
	REFUSED(f, c, REFUND_EINVAL, refund_case_explain(c, (refund_lang)2, buf, sizeof(buf)));
	REFUSED(f, c, REFUND_EINVAL, refund_case_explain(c, (refund_lang)-1, buf, sizeof(buf)));
	REFUSED(f, c, REFUND_ERANGE, refund_case_explain(c, REFUND_LANG_ZH_CN, buf, 1));
	assert_string_equal(buf, "");

	memset(&part, 0, sizeof(part));
	part.version = REFUND_PART_VERSION;
	assert_int_equal(refund_case_part(NULL, 1, &part), REFUND_EINVAL);
	REFUSED(f, c, REFUND_EINVAL, refund_case_part(c, 1, NULL));
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_part(c, 0, &part));
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_part(c, 4, &part));
	REFUSED(f, c, REFUND_ENOTFOUND, refund_case_part(c, -1, &part));
	part.version = 0;
	REFUSED(f, c, REFUND_EVERSION, refund_case_part(c, 1, &part));
	part.version = 2;
	REFUSED(f, c, REFUND_EVERSION, refund_case_part(c, 1, &part));

	memset(&dl, 0, sizeof(dl));
	dl.version = REFUND_DEADLINE_VERSION;
	assert_int_equal(refund_case_next_deadline(NULL, &dl), REFUND_EINVAL);
	REFUSED(f, c, REFUND_EINVAL, refund_case_next_deadline(c, NULL));
	dl.version = 0;
	REFUSED(f, c, REFUND_EVERSION, refund_case_next_deadline(c, &dl));
	dl.version = 2;
	REFUSED(f, c, REFUND_EVERSION, refund_case_next_deadline(c, &dl));
	dl.version = REFUND_DEADLINE_VERSION;
	assert_int_equal(refund_case_next_deadline(c, &dl), REFUND_ENOTFOUND);  /* payout has no clock */

	assert_int_equal(refund_case_events(NULL, NULL, NULL), REFUND_EINVAL);
	REFUSED(f, c, REFUND_EINVAL, refund_case_events(c, NULL, NULL));
	assert_int_equal(refund_case_verify(NULL, NULL), REFUND_EINVAL);
	assert_int_equal(refund_case_verify(c, NULL), 0);

	/* Readers of a NULL handle. */
	assert_null(refund_case_id(NULL));
	assert_null(refund_case_deposit_id(NULL));
	assert_int_equal(refund_case_state(NULL), 0);
	assert_int_equal(refund_case_reason(NULL), 0);
	assert_null(refund_case_policy(NULL, NULL));
	assert_int_equal(refund_case_version(NULL), 0);
	assert_int_equal(refund_case_escalations(NULL), 0);
	assert_int_equal(refund_case_evidence(NULL), 0);
	assert_int_equal(refund_case_missing_evidence(NULL), 0);
	assert_int_equal(refund_case_part_count(NULL), 0);
	refund_case_free(NULL);
	refund_case_free(c);
}

static void test_names(void **state)
{
	int i;

	(void)state;
	assert_null(refund_case_state_name(0));
	assert_null(refund_case_state_name(-1));
	assert_null(refund_case_state_name(REFUND_STATE_COUNT));
	assert_null(refund_case_action_name(0));
	assert_null(refund_case_action_name(-1));
	assert_null(refund_case_action_name(REFUND_ACTION_COUNT));
	for (i = 1; i < REFUND_STATE_COUNT; i++)
		assert_non_null(refund_case_state_name(i));
	/* Every action has a name: events and messages are written with it. */
	for (i = 1; i < REFUND_ACTION_COUNT; i++)
		assert_non_null(refund_case_action_name(i));
	assert_string_equal(refund_case_action_name(REFUND_ACTION_SET_OFFSET), "set_offset");
}

static void test_load_errors(void **state)
{
	fixture *f = *state;
	refund_case *c = (refund_case *)&c;
	char *long_id = repeat('k', REFUND_ID_MAX + 1);

	assert_int_equal(refund_case_load(NULL, &c, "K-1"), REFUND_EINVAL);
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_load(f->engine, NULL, "K-1"));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_load(f->engine, &c, NULL));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_load(f->engine, &c, ""));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_load(f->engine, &c, "K 1"));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_load(f->engine, &c, long_id));
	REFUSED(f, (refund_case *)NULL, REFUND_ENOTFOUND, refund_case_load(f->engine, &c, "K-404"));
	assert_ptr_equal(c, (refund_case *)&c);
	free(long_id);
}

static void test_tick_errors(void **state)
{
	fixture *f = *state;
	refund_tick_result res;

	memset(&res, 0, sizeof(res));
	res.version = REFUND_TICK_RESULT_VERSION;
	assert_int_equal(refund_engine_tick(NULL, f->now, 0, &res), REFUND_EINVAL);
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_engine_tick(f->engine, -1, 0, &res));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_engine_tick(f->engine, INT64_MIN, 0, &res));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL,
			refund_engine_tick(f->engine, REFUND_TIME_MAX + 1, 0, &res));
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL,
			refund_engine_tick(f->engine, REFUND_TIME_NONE, 0, NULL));
	res.version = 0;
	REFUSED(f, (refund_case *)NULL, REFUND_EVERSION, refund_engine_tick(f->engine, f->now, 0, &res));
	res.version = 2;
	REFUSED(f, (refund_case *)NULL, REFUND_EVERSION, refund_engine_tick(f->engine, f->now, 0, &res));
	assert_int_equal(res.version, 2);
	assert_int_equal(refund_engine_tick(f->engine, REFUND_TIME_MIN, 0, NULL), 0);
	assert_int_equal(refund_engine_tick(f->engine, REFUND_TIME_MAX, 0, NULL), 0);
}

/* ---- 4. listing ---- */

typedef struct seen {
	char ids[16][REFUND_ID_MAX + 1];
	int n;
	int stop_at;   /* return `stop` from this call (1-based); 0: never */
	int stop;
} seen;

static int collect(void *ctx, const refund_case *c)
{
	seen *s = ctx;

	assert_true(s->n < 16);
	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", refund_case_id(c));
	s->n++;
	return s->n == s->stop_at ? s->stop : 0;
}

/* The ids listed, joined by spaces. */
static const char *listed(fixture *f, const refund_case_filter *filter, int expect_rc)
{
	static char out[512];
	seen s;
	int i;

	memset(&s, 0, sizeof(s));
	assert_int_equal(refund_case_list(f->engine, filter, collect, &s), expect_rc);
	out[0] = '\0';
	for (i = 0; i < s.n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, s.ids[i]);
	}
	return out;
}

static void list_world(fixture *f)
{
	refund_case *c;
	refund_act ap = APPLICANT;

	add_deposit_of(f, "D-2", "M-1001", "AG-8");
	add_deposit_of(f, "D-3", "M-2002", "AG-7");
	add_deposit_of(f, "D-4", "M-2002", "AG-8");
	c = case_in_state(f, "K-01", "D-1", REFUND_STATE_WITHDRAWN);
	refund_case_free(c);
	c = case_in_state(f, "K-02", "D-1", REFUND_STATE_UNDER_REVIEW);
	refund_case_free(c);
	c = case_in_state(f, "K-03", "D-2", REFUND_STATE_DRAFT);
	refund_case_free(c);
	c = case_in_state(f, "K-04", "D-3", REFUND_STATE_SUBMITTED);
	refund_case_free(c);
	c = case_in_state(f, "K-05", "D-4", REFUND_STATE_DRAFT);
	assert_int_equal(refund_case_withdraw(c, &ap), 0);
	refund_case_free(c);
	c = case_in_state(f, "K-06", "D-4", REFUND_STATE_UNDER_REVIEW);
	refund_case_free(c);
}

static void test_list_filters(void **state)
{
	fixture *f = *state;
	refund_case_filter flt = REFUND_CASE_FILTER_INIT;
	char pages[512] = "";
	seen s;

	list_world(f);
	assert_string_equal(listed(f, NULL, 0), "K-01 K-02 K-03 K-04 K-05 K-06");
	assert_string_equal(listed(f, &flt, 0), "K-01 K-02 K-03 K-04 K-05 K-06");
	flt.deposit_id = "D-1";
	assert_string_equal(listed(f, &flt, 0), "K-01 K-02");
	flt.deposit_id = "D-404";
	assert_string_equal(listed(f, &flt, 0), "");
	flt = (refund_case_filter)REFUND_CASE_FILTER_INIT;
	flt.holder = "M-2002";
	assert_string_equal(listed(f, &flt, 0), "K-04 K-05 K-06");
	flt.holder = NULL;
	flt.agent = "AG-8";
	assert_string_equal(listed(f, &flt, 0), "K-03 K-05 K-06");
	flt.agent = "AG-7";
	flt.state = REFUND_STATE_UNDER_REVIEW;
	assert_string_equal(listed(f, &flt, 0), "K-02");
	flt.agent = NULL;
	assert_string_equal(listed(f, &flt, 0), "K-02 K-06");
	flt.state = REFUND_STATE_WITHDRAWN;
	assert_string_equal(listed(f, &flt, 0), "K-01 K-05");
	flt.state = REFUND_STATE_CLOSED;
	assert_string_equal(listed(f, &flt, 0), "");
	flt = (refund_case_filter)REFUND_CASE_FILTER_INIT;
	flt.holder = "M-2002";
	flt.agent = "AG-8";
	flt.state = REFUND_STATE_DRAFT;
	assert_string_equal(listed(f, &flt, 0), "");
	flt.state = 0;
	assert_string_equal(listed(f, &flt, 0), "K-05 K-06");
	/* Paging: two at a time, after the last id seen. */
	flt = (refund_case_filter)REFUND_CASE_FILTER_INIT;
	flt.limit = 2;
	for (;;) {
		const char *page = listed(f, &flt, 0);
		static char last[REFUND_ID_MAX + 1];

		if (!page[0])
			break;
		assert_true(strlen(page) <= strlen("K-01 K-02"));
		strcat(pages, pages[0] ? "|" : "");
		strcat(pages, page);
		snprintf(last, sizeof(last), "%s", strrchr(page, ' ') ? strrchr(page, ' ') + 1 : page);
		flt.after_id = last;
	}
	assert_string_equal(pages, "K-01 K-02|K-03 K-04|K-05 K-06");
	flt.after_id = "K-04";
	flt.limit = 0;
	assert_string_equal(listed(f, &flt, 0), "K-05 K-06");
	flt.after_id = "K-06";
	assert_string_equal(listed(f, &flt, 0), "");
	flt.after_id = "A";
	flt.limit = 1;
	assert_string_equal(listed(f, &flt, 0), "K-01");
	/* The callback's value stops the listing and comes back unchanged. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	s.stop = 42;
	assert_int_equal(refund_case_list(f->engine, NULL, collect, &s), 42);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	s.stop = REFUND_ENOTFOUND;  /* even a library code */
	assert_int_equal(refund_case_list(f->engine, NULL, collect, &s), REFUND_ENOTFOUND);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	s.stop_at = 6;
	s.stop = -1000;
	assert_int_equal(refund_case_list(f->engine, NULL, collect, &s), -1000);
	assert_int_equal(s.n, 6);
}

static void test_list_errors(void **state)
{
	fixture *f = *state;
	refund_case_filter flt = REFUND_CASE_FILTER_INIT;
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_store *noscan = NULL;
	refund_engine *e2 = NULL;
	char *long_id = repeat('d', REFUND_ID_MAX + 1);
	seen s;

	memset(&s, 0, sizeof(s));
	list_world(f);
	assert_int_equal(refund_case_list(NULL, NULL, collect, &s), REFUND_EINVAL);
	REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, refund_case_list(f->engine, NULL, NULL, &s));
	flt.version = 0;
	REFUSED(f, (refund_case *)NULL, REFUND_EVERSION, refund_case_list(f->engine, &flt, collect, &s));
	flt.version = 2;
	REFUSED(f, (refund_case *)NULL, REFUND_EVERSION, refund_case_list(f->engine, &flt, collect, &s));
#define FILTER_REFUSED(field, value) do { \
		flt = (refund_case_filter)REFUND_CASE_FILTER_INIT; \
		flt.field = value; \
		REFUSED(f, (refund_case *)NULL, REFUND_EINVAL, \
				refund_case_list(f->engine, &flt, collect, &s)); \
	} while (0)
	FILTER_REFUSED(deposit_id, "");
	FILTER_REFUSED(deposit_id, "D 1");
	FILTER_REFUSED(deposit_id, long_id);
	FILTER_REFUSED(holder, "");
	FILTER_REFUSED(holder, "M\x01");
	FILTER_REFUSED(agent, "");
	FILTER_REFUSED(agent, "代理");
	FILTER_REFUSED(after_id, "");
	FILTER_REFUSED(after_id, long_id);
	FILTER_REFUSED(state, -1);
	FILTER_REFUSED(state, REFUND_STATE_COUNT);
	FILTER_REFUSED(state, 99);
#undef FILTER_REFUSED
	assert_int_equal(s.n, 0);
	/* A store without scan cannot list. */
	assert_int_equal(faulty_store_new(f->store, &noscan), 0);
	noscan->scan = NULL;
	o.store = noscan;
	o.allocator = &f->fa.allocator;
	assert_int_equal(refund_engine_new(&e2, &o), 0);
	{
		snap sn;

		take(f, e2, NULL, NULL, &sn);
		refused(f, &sn, refund_case_list(e2, NULL, collect, &s), REFUND_ENOTSUP);
	}
	assert_int_equal(s.n, 0);
	refund_engine_free(e2);
	refund_store_free(noscan);
	free(long_id);
}

/* ---- 5. events ---- */

typedef struct expected_event {
	int action, from, to, role;
	const char *actor;
	int64_t amount;
} expected_event;

typedef struct event_walk {
	const expected_event *want;
	size_t n;
	size_t seen;
	char prev[SHA256_HEX_SIZE];
	size_t stop_at;
	int stop;
} event_walk;

static int walk_event(void *ctx, const refund_event *ev)
{
	event_walk *w = ctx;
	const expected_event *x;

	assert_true(w->seen < w->n);
	x = &w->want[w->seen];
	w->seen++;
	assert_int_equal(ev->version, REFUND_EVENT_VERSION);
	assert_int_equal(ev->seq, w->seen);
	assert_int_equal(ev->action, x->action);
	assert_int_equal(ev->from, x->from);
	assert_int_equal(ev->to, x->to);
	assert_int_equal(ev->role, x->role);
	assert_string_equal(ev->actor, x->actor);
	assert_int_equal(ev->amount, x->amount);
	assert_string_equal(ev->policy_id, "POS-STD");
	assert_int_equal(ev->policy_version, 1);
	assert_int_equal(ev->policy_version_before, 1);
	assert_int_equal(ev->at, at("2025-06-02T09:00:00+08:00"));
	assert_string_equal(ev->prev_hash, w->prev);
	assert_int_equal(strlen(ev->hash), 64);
	memcpy(w->prev, ev->hash, SHA256_HEX_SIZE);
	return w->seen == w->stop_at ? w->stop : 0;
}

#define S(x) REFUND_STATE_##x
#define A(x) REFUND_ACTION_##x
#define R(x) REFUND_ROLE_##x
static const expected_event lifecycle_events[] = {
	{ A(OPEN), 0, S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(AGENT), "agent-7", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(SUBMIT), S(DRAFT), S(SUBMITTED), R(APPLICANT), "M-1001", 0 },
	{ A(START_REVIEW), S(SUBMITTED), S(UNDER_REVIEW), R(REVIEWER), "rev-1", 0 },
	{ A(SET_OFFSET), S(UNDER_REVIEW), S(UNDER_REVIEW), R(FINANCE), "fin-1", 500 },
	{ A(APPROVE), S(UNDER_REVIEW), S(DEVICE_RETURN), R(REVIEWER), "rev-1", 48500 },
	{ A(RECEIVE_DEVICE), S(DEVICE_RETURN), S(INSPECTION), R(AGENT), "agent-7", 0 },
	{ A(INSPECT), S(INSPECTION), S(AGREEMENT), R(AGENT), "agent-7", 0 },
	{ A(OFFER), S(AGREEMENT), S(AGREEMENT), R(FINANCE), "fin-1", 35500 },
	{ A(ACCEPT), S(AGREEMENT), S(PAYOUT), R(APPLICANT), "M-1001", 35500 },
	{ A(PAY), S(PAYOUT), S(PAYOUT), R(FINANCE), "fin-1", 11834 },
	{ A(PAY_FAILED), S(PAYOUT), S(PAYOUT), R(FINANCE), "fin-1", 11833 },
	{ A(PAY), S(PAYOUT), S(PAYOUT), R(FINANCE), "fin-1", 11833 },
	{ A(ESCALATE), S(PAYOUT), S(PAYOUT), R(APPLICANT), "M-1001", 0 },
	{ A(PAY), S(PAYOUT), S(PAID), R(FINANCE), "fin-2", 11833 },
	{ A(CONFIRM), S(PAID), S(CLOSED), R(APPLICANT), "M-1001", 0 },
};
/* What case_in_state() leaves under review. */
static const expected_event review_events[] = {
	{ A(OPEN), 0, S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(ATTACH), S(DRAFT), S(DRAFT), R(APPLICANT), "M-1001", 0 },
	{ A(SUBMIT), S(DRAFT), S(SUBMITTED), R(APPLICANT), "M-1001", 0 },
	{ A(START_REVIEW), S(SUBMITTED), S(UNDER_REVIEW), R(REVIEWER), "rev-1", 0 },
};
#undef S
#undef A
#undef R
#define NLIFE_EVENTS (sizeof(lifecycle_events) / sizeof(lifecycle_events[0]))

/* The reasons of a case's payouts, in order. */
typedef struct payout_reasons {
	char reason[REFUND_POLICY_MAX_PARTS][16];
	int n;
} payout_reasons;

static int collect_payout_reason(void *ctx, const refund_event *ev)
{
	payout_reasons *p = ctx;

	if (ev->action == REFUND_ACTION_PAY) {
		assert_true(p->n < REFUND_POLICY_MAX_PARTS);
		assert_non_null(ev->reason);
		assert_true(strlen(ev->reason) < sizeof(p->reason[0]));
		strcpy(p->reason[p->n++], ev->reason);
	}
	return 0;
}

/* Each payout's event names its part, "part 1" to "part 24" (printf's
 * words, written without it), and so does a handle loaded afresh. */
static void test_payout_reasons(void **state)
{
	fixture *f = *state;
	refund_policy *p = draft_policy(f, "POS-MANY", "CNY", 0, 0);
	refund_act r = REVIEWER, fin = FINANCE, ap = APPLICANT;
	payout_reasons got;
	char want[16];
	refund_case *c;
	int i;

	ACT(f, p, refund_policy_set_installments(p, REFUND_POLICY_MAX_PARTS, 1));
	publish_draft(f, p);
	c = case_under_review(f, "K-1", "POS-MANY", REFUND_REASON_NEEDS_CHANGED);
	ACT(f, c, refund_case_approve(c, &r, 48000));
	ACT(f, c, refund_case_offer(c, &fin, REFUND_POLICY_MAX_PARTS));
	ACT(f, c, refund_case_accept(c, &ap));
	for (i = 1; i <= REFUND_POLICY_MAX_PARTS; i++)
		ACT(f, c, refund_case_pay(c, &fin, i, "TX"));
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAID);
	for (int pass = 0; pass < 2; pass++) {
		memset(&got, 0, sizeof(got));
		assert_int_equal(refund_case_events(c, collect_payout_reason, &got), 0);
		assert_int_equal(got.n, REFUND_POLICY_MAX_PARTS);
		for (i = 0; i < got.n; i++) {
			snprintf(want, sizeof(want), "part %d", i + 1);
			assert_string_equal(got.reason[i], want);
		}
		c = reload(f, c);
	}
	assert_int_equal(refund_case_verify(c, NULL), 0);
	refund_case_free(c);
}

/* The reason of a case's newest event. */
static int keep_reason(void *ctx, const refund_event *ev)
{
	char *reason = ctx;

	snprintf(reason, 64, "%s", ev->reason ? ev->reason : "(none)");
	return 0;
}

static void assert_last_reason(refund_case *c, const char *want)
{
	char reason[64] = "";

	assert_int_equal(refund_case_events(c, keep_reason, reason), 0);
	assert_string_equal(reason, want);
}

/* What a deadline's events say: a reminder before due, then the policy's
 * consequence (here an escalation to the parties it names). */
static void test_deadline_reasons(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	refund_tick_result res = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };

	/* Due Wed 2025-06-04 09:00, reminded a day before. */
	ACT(f, NULL, refund_engine_tick(f->engine, at("2025-06-03T09:00:00+08:00"), 0, &res));
	assert_int_equal(res.reminders, 1);
	c = reload(f, c);
	assert_last_reason(c, "due soon");
	ACT(f, NULL, refund_engine_tick(f->engine, at("2025-06-04T09:00:00+08:00"), 0, &res));
	assert_int_equal(res.consequences, 1);
	c = reload(f, c);
	assert_last_reason(c, "overdue: escalated to the policy's parties");
	refund_case_free(c);
}

static void test_events(void **state)
{
	fixture *f = *state;
	refund_act ap = APPLICANT, ag = AGENT, r = REVIEWER, fin = FINANCE,
			fin2 = as("fin-2", REFUND_ROLE_FINANCE);
	refund_account acc = bank_account();
	refund_case *c = NULL;
	event_walk w;
	size_t k;

	assert_int_equal(refund_case_open(f->engine, &c, "K-1", "D-1", "POS-STD", 0,
			REFUND_REASON_DEVICE_FAULT, &ap), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "r"), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_CONTRACT, "c"), 0);
	assert_int_equal(refund_case_attach(c, &ag, REFUND_EVIDENCE_PAYMENT_RECORD, "p"), 0);
	assert_int_equal(refund_case_attach(c, &ap, REFUND_EVIDENCE_FAULT_REPORT, "f"), 0);
	assert_int_equal(refund_case_submit(c, &ap, &acc), 0);
	assert_int_equal(refund_case_start_review(c, &r), 0);
	assert_int_equal(refund_case_set_offset(c, &fin, 500), 0);
	assert_int_equal(refund_case_approve(c, &r, 48500), 0);
	assert_int_equal(refund_case_receive_device(c, &ag, "SF1"), 0);
	assert_int_equal(refund_case_inspect(c, &ag, REFUND_GRADE_DAMAGED, 1), 0);
	assert_int_equal(refund_case_offer(c, &fin, 3), 0);
	assert_int_equal(refund_case_accept(c, &ap), 0);
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX-1"), 0);
	assert_int_equal(refund_case_pay_failed(c, &fin, 2, "bank timeout"), 0);
	assert_int_equal(refund_case_pay(c, &fin, 2, "TX-2"), 0);
	assert_int_equal(refund_case_escalate(c, &ap, REFUND_PARTY_LEGAL), 0);
	assert_int_equal(refund_case_pay(c, &fin2, 3, "TX-3"), 0);
	assert_int_equal(refund_case_confirm(c, &ap), 0);

	memset(&w, 0, sizeof(w));
	w.want = lifecycle_events;
	w.n = NLIFE_EVENTS;
	assert_int_equal(refund_case_events(c, walk_event, &w), 0);
	assert_int_equal(w.seen, NLIFE_EVENTS);
	assert_int_equal(refund_case_verify(c, NULL), 0);
	/* A non-zero return stops at once and comes back unchanged. */
	for (k = 1; k <= NLIFE_EVENTS; k++) {
		memset(&w, 0, sizeof(w));
		w.want = lifecycle_events;
		w.n = NLIFE_EVENTS;
		w.stop_at = k;
		w.stop = k % 2 ? 42 : REFUND_ESTORE;
		assert_int_equal(refund_case_events(c, walk_event, &w), w.stop);
		assert_int_equal(w.seen, k);
	}
	/* The same from a freshly loaded handle. */
	c = reload(f, c);
	memset(&w, 0, sizeof(w));
	w.want = lifecycle_events;
	w.n = NLIFE_EVENTS;
	assert_int_equal(refund_case_events(c, walk_event, &w), 0);
	assert_int_equal(w.seen, NLIFE_EVENTS);
	refund_case_free(c);
}

/* ---- 2 and 3. a full lifecycle, one step at a time, with faults ---- */

typedef struct life {
	fixture *f;
	refund_engine *e;
	refund_case *c;
	refund_store *faulty;   /* or NULL */
} life;

#define LIFE_STEPS 16

static int life_step(life *L, int step)
{
	refund_act ap = APPLICANT, ag = AGENT, r = REVIEWER, fin = FINANCE;
	refund_account acc = bank_account();
	static const int kinds[] = { REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_CONTRACT,
		REFUND_EVIDENCE_PAYMENT_RECORD, REFUND_EVIDENCE_FAULT_REPORT };

	/* Some steps carry idempotency keys: the lookups they cost fail too. */
	ap.idempotency_key = step == 0 ? "life-open" : step == 11 ? "life-accept" : NULL;
	r.idempotency_key = step == 7 ? "life-approve" : NULL;
	fin.idempotency_key = step == 12 ? "life-pay-1" : NULL;
	switch (step) {
	case 0:
		return refund_case_open(L->e, &L->c, "K-L", "D-1", "POS-STD", 0,
				REFUND_REASON_DEVICE_FAULT, &ap);
	case 1: case 2: case 3: case 4:
		return refund_case_attach(L->c, &ap, kinds[step - 1], "file:evidence");
	case 5: return refund_case_submit(L->c, &ap, &acc);
	case 6: return refund_case_start_review(L->c, &r);
	case 7: return refund_case_approve(L->c, &r, 49000);
	case 8: return refund_case_receive_device(L->c, &ag, "SF1234567890");
	case 9: return refund_case_inspect(L->c, &ag, REFUND_GRADE_DAMAGED, 1);
	case 10: return refund_case_offer(L->c, &fin, 3);
	case 11: return refund_case_accept(L->c, &ap);
	case 12: case 13: case 14:
		return refund_case_pay(L->c, &fin, step - 11, "TX");
	case 15: return refund_case_confirm(L->c, &ap);
	default: fail(); return 0;
	}
}

/* Each allocation of the step fails in turn (from k on if persistent). */
static long oom_step(life *L, int step, int persistent)
{
	fixture *f = L->f;
	refund_case *before = L->c;
	snap s;
	long k;

	take(f, f->engine, L->c, "D-1", &s);
	for (k = 1;; k++) {
		long failures;
		int rc;

		failalloc_arm(&f->fa, k, persistent);
		rc = life_step(L, step);
		failures = f->fa.failures;
		failalloc_disarm(&f->fa);
		if (rc == 0) {
			assert_int_equal(failures, 0);
			drop(&s);
			return k - 1;
		}
		assert_true(failures >= 1);
		assert_ptr_equal(L->c, before);
		refused_again(f, &s, rc, REFUND_ENOMEM);
	}
}

static void oom_lifecycle(fixture *f, int persistent)
{
	life L = { f, f->engine, NULL, NULL };
	long points = 0;
	int step;

	for (step = 0; step < LIFE_STEPS; step++)
		points += oom_step(&L, step, persistent);
	assert_int_equal(refund_case_state(L.c), REFUND_STATE_CLOSED);
	assert_int_equal(refund_case_verify(L.c, NULL), 0);
	printf("lifecycle out of memory (%s): %ld failure points\n",
			persistent ? "from k on" : "k-th only", points);
	/* Most transitions allocate nothing; those that open, read or change a
	 * deposit do: the loop must have failed some allocation at each. */
	assert_true(points >= LIFE_STEPS);
	refund_case_free(L.c);
}

static void test_oom_lifecycle(void **state)
{
	oom_lifecycle(*state, 0);
}

static void test_oom_lifecycle_persistent(void **state)
{
	oom_lifecycle(*state, 1);
}

/* Fail each allocation of a tick in turn; nothing changes until it succeeds. */
static long oom_tick(fixture *f, refund_time now, size_t want_reminders, size_t want_consequences)
{
	snap s;
	long k;

	take(f, f->engine, NULL, "D-1", &s);
	for (k = 1;; k++) {
		refund_tick_result res;
		int rc;

		memset(&res, 0, sizeof(res));
		res.version = REFUND_TICK_RESULT_VERSION;
		failalloc_arm(&f->fa, k, 0);
		rc = refund_engine_tick(f->engine, now, 0, &res);
		failalloc_disarm(&f->fa);
		if (rc == 0) {
			assert_int_equal(res.reminders, want_reminders);
			assert_int_equal(res.consequences, want_consequences);
			drop(&s);
			return k - 1;
		}
		assert_int_equal(res.reminders + res.consequences, 0);
		refused_again(f, &s, rc, REFUND_ENOMEM);
	}
}

static void test_oom_tick(void **state)
{
	fixture *f = *state;
	refund_case *c;
	long points;
	int notices = 0;

	c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	f->engine->notify = count_notice;  /* the fixture's engine was made without one */
	f->engine->notify_user = &notices;
	/* Due Wed 2025-06-04 09:00, reminded a day before; escalated when due. */
	points = oom_tick(f, at("2025-06-03T09:00:00+08:00"), 1, 0);
	assert_int_equal(notices, 1);
	points += oom_tick(f, at("2025-06-04T09:00:00+08:00"), 0, 1);
	assert_int_equal(notices, 2);
	c = reload(f, c);
	assert_int_equal(refund_case_escalations(c),
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	assert_int_equal(refund_case_verify(c, NULL), 0);
	printf("tick out of memory: %ld failure points\n", points);
	/* Two ticks, each loading the case into a handle and committing. */
	assert_true(points >= 4);
	refund_case_free(c);
}

/* The reading functions under memory failures: refused, nothing leaks. */
static void test_oom_reading(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_PAYOUT), *loaded = NULL;
	long k, points = 0;
	int op;

	for (op = 0; op < 5; op++) {
		snap sn;

		take(f, f->engine, c, NULL, &sn);
		for (k = 1;; k++) {
			refund_quote q = { REFUND_QUOTE_VERSION, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
			char buf[2048];
			seen s;
			int rc = 0;

			memset(&s, 0, sizeof(s));
			failalloc_arm(&f->fa, k, 0);
			switch (op) {
			case 0: rc = refund_case_load(f->engine, &loaded, "K-1"); break;
			case 1: rc = refund_case_list(f->engine, NULL, collect, &s); break;
			case 2: rc = refund_case_verify(c, NULL); break;
			case 3: rc = refund_case_quote(c, &q); break;
			case 4: rc = refund_case_explain(c, REFUND_LANG_ZH_CN, buf, sizeof(buf)); break;
			default: break;
			}
			failalloc_disarm(&f->fa);
			if (rc == 0) {
				drop(&sn);
				break;
			}
			refused_again(f, &sn, rc, REFUND_ENOMEM);
			points++;
		}
		refund_case_free(loaded);
		loaded = NULL;
	}
	printf("reading out of memory: %ld failure points\n", points);
	assert_true(points >= 5);
	refund_case_free(c);
}

/* The lifecycle through an engine on a faulty store. */
static long store_fault_step(life *L, int step, int code, int persistent)
{
	fixture *f = L->f;
	long k;

	for (k = 1;; k++) {
		refund_case *before = L->c;
		snap s;
		int rc;

		take(f, L->e, L->c, "D-1", &s);
		faulty_store_arm(L->faulty, k, code, persistent);
		rc = life_step(L, step);
		if (rc == 0) {
			assert_int_equal(faulty_store_failures(L->faulty), 0);
			faulty_store_disarm(L->faulty);
			drop(&s);
			return k - 1;
		}
		assert_true(faulty_store_failures(L->faulty) >= 1);
		faulty_store_disarm(L->faulty);
		assert_ptr_equal(L->c, before);
		refused(f, &s, rc, code);
	}
}

static char *reference_dump(void)
{
	fixture *f = fixture_new();
	life L;
	char *dump = NULL;
	int step;

	build_world(f, 1);
	L.f = f;
	L.e = f->engine;
	L.c = NULL;
	L.faulty = NULL;
	for (step = 0; step < LIFE_STEPS; step++)
		assert_int_equal(life_step(&L, step), 0);
	refund_case_free(L.c);
	assert_int_equal(store_dump(f->store, &dump), 0);
	fixture_free(f);
	return dump;
}

static void faulty_lifecycle(int code, int persistent, const char *reference)
{
	fixture *f = fixture_new_faulty();
	life L;
	long points = 0;
	char *dump = NULL;
	int step;

	build_world(f, 1);
	L.f = f;
	L.e = f->engine;
	L.c = NULL;
	L.faulty = f->faulty;
	for (step = 0; step < LIFE_STEPS; step++)
		points += store_fault_step(&L, step, code, persistent);
	assert_int_equal(refund_case_state(L.c), REFUND_STATE_CLOSED);
	assert_int_equal(store_dump(f->store, &dump), 0);
	assert_string_equal(dump, reference);
	printf("lifecycle store faults (%s%s): %ld failure points\n", refund_error_name(code),
			persistent ? ", from k on" : "", points);
	assert_true(points >= LIFE_STEPS);
	free(dump);
	refund_case_free(L.c);
	fixture_free(f);
}

static void test_store_faults_lifecycle(void **state)
{
	char *reference = reference_dump();

	(void)state;
	faulty_lifecycle(REFUND_ESTORE, 0, reference);
	faulty_lifecycle(REFUND_EBUSY, 0, reference);
	faulty_lifecycle(REFUND_ECONFLICT, 0, reference);
	faulty_lifecycle(REFUND_ESTORE, 1, reference);
	free(reference);
}

/*
 * Reading and ticking through a store that fails each call in turn with
 * REFUND_ESTORE: refused, described, nothing changed, nothing leaked.
 */
static void test_store_faults_reading_and_tick(void **state)
{
	fixture *f = *state;
	refund_store *faulty = NULL;
	refund_engine *e2;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW), *loaded = NULL;
	long points = 0, k;
	int op;

	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	e2 = other_engine(f, faulty, "POS-STD");
	refund_case_free(c);
	assert_int_equal(refund_case_load(e2, &c, "K-1"), 0);
	for (op = 0; op < 7; op++) {
		for (k = 1;; k++) {
			refund_quote q = { REFUND_QUOTE_VERSION, "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
			refund_tick_result res = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
			event_walk w;
			seen s;
			snap sn;
			int rc = 0;

			memset(&s, 0, sizeof(s));
			memset(&w, 0, sizeof(w));
			w.want = review_events;
			w.n = sizeof(review_events) / sizeof(review_events[0]);
			take(f, e2, c, NULL, &sn);
			faulty_store_arm(faulty, k, REFUND_ESTORE, 0);
			switch (op) {
			case 0: rc = refund_case_load(e2, &loaded, "K-1"); break;
			case 1: rc = refund_case_list(e2, NULL, collect, &s); break;
			case 2: rc = refund_case_events(c, walk_event, &w); break;
			case 3: rc = refund_case_verify(c, NULL); break;
			case 4: rc = refund_case_quote(c, &q); break;
			case 5:  /* the reminder, a day before due */
				rc = refund_engine_tick(e2, at("2025-06-03T09:00:00+08:00"), 0, &res);
				break;
			case 6:  /* the escalation, when due */
				rc = refund_engine_tick(e2, at("2025-06-04T09:00:00+08:00"), 0, &res);
				break;
			default: break;
			}
			faulty_store_disarm(faulty);
			if (rc == 0) {
				drop(&sn);
				break;
			}
			refused(f, &sn, rc, REFUND_ESTORE);
			points++;
		}
		refund_case_free(loaded);
		loaded = NULL;
	}
	refund_case_free(c);
	assert_int_equal(refund_case_load(f->engine, &c, "K-1"), 0);
	assert_int_equal(refund_case_escalations(c),
			REFUND_PARTY_REGULATOR | REFUND_PARTY_CONSUMER_ASSOCIATION);
	assert_int_equal(refund_case_version(c), 9);  /* 7 actions, a reminder, an escalation */
	printf("reading and tick store faults: %ld failure points\n", points);
	assert_true(points >= 7);
	refund_case_free(c);
	refund_engine_free(e2);
	refund_store_free(faulty);
}

/*
 * A tick whose commit conflicts leaves the case to the engine that won:
 * 0, counted as a conflict, nothing written; the next tick fires it.
 */
static void test_tick_conflict_at_each_call(void **state)
{
	fixture *f = *state;
	refund_store *faulty = NULL;
	refund_engine *e2;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_UNDER_REVIEW);
	long k, conflicts = 0;

	refund_case_free(c);
	assert_int_equal(faulty_store_new(f->store, &faulty), 0);
	e2 = other_engine(f, faulty, "POS-STD");
	for (k = 1;; k++) {
		refund_tick_result res = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
		snap sn;
		int rc;

		/* A conflict from a read is passed back as is, undescribed: no message check. */
		take(f, NULL, NULL, "D-1", &sn);
		faulty_store_arm(faulty, k, REFUND_ECONFLICT, 0);
		rc = refund_engine_tick(e2, at("2025-06-03T09:00:00+08:00"), 0, &res);
		faulty_store_disarm(faulty);
		if (rc == 0 && res.reminders == 1) {
			assert_int_equal(res.conflicts, 0);
			drop(&sn);
			break;
		}
		if (rc == 0) {
			assert_int_equal(res.conflicts, 1);
			assert_int_equal(res.reminders + res.consequences, 0);
			conflicts++;
			refused(f, &sn, rc, 0);
		} else {
			refused(f, &sn, rc, REFUND_ECONFLICT);
		}
	}
	assert_int_equal(conflicts, 1);
	refund_engine_free(e2);
	refund_store_free(faulty);
}

/* ---- 6. corrupt stored records ---- */

typedef struct raw {
	char *data;
	size_t size;
	uint64_t version;
} raw;

static int raw_cb(void *ctx, const refund_store_record *rec)
{
	raw *r = ctx;

	r->data = malloc(rec->size + 1);
	assert_non_null(r->data);
	memcpy(r->data, rec->data, rec->size);
	r->data[rec->size] = '\0';
	r->size = rec->size;
	r->version = rec->version;
	return 0;
}

static raw raw_load(fixture *f, const char *id)
{
	raw r = { NULL, 0, 0 };

	assert_int_equal(f->store->load(f->store, REFUND_RECORD_CASE, id, raw_cb, &r), 0);
	return r;
}

/* Replace the stored bytes of a case (the index says it is due now, for tick). */
static void raw_put(fixture *f, const char *id, const char *data, size_t size)
{
	raw cur = raw_load(f, id);
	refund_store_put put;
	refund_store_batch batch;

	memset(&put, 0, sizeof(put));
	put.kind = REFUND_RECORD_CASE;
	put.id = id;
	put.expected_version = cur.version;
	put.data = (const unsigned char *)data;
	put.size = size;
	put.index.deposit_id = "D-1";
	put.index.holder = "M-1001";
	put.index.agent = "AG-7";
	put.index.state = "payout";
	put.index.next_deadline = 0;
	memset(&batch, 0, sizeof(batch));
	batch.puts = &put;
	batch.nputs = 1;
	assert_int_equal(f->store->commit(f->store, &batch), 0);
	free(cur.data);
}

/* Where the JSON value starting at p ends. */
static const char *value_end(const char *p)
{
	int depth = 0, in_string = 0;

	for (; *p; p++) {
		if (in_string) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = 0;
			if (!in_string && depth == 0)
				return p + 1;
			continue;
		}
		if (*p == '"')
			in_string = 1;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (*p == ',' && depth == 0)
			return p;
	}
	return p;
}

/*
 * A copy of json with the value of "key" (its first occurrence after
 * `after`, or from the start) replaced by `value`; NULL value removes the
 * member.  Free with free().
 */
static char *with_field(const char *json, const char *after, const char *key, const char *value)
{
	char pattern[64];
	const char *from = json, *k, *v, *end;
	char *out;
	size_t len;

	if (after) {
		from = strstr(json, after);
		assert_non_null(from);
	}
	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	k = strstr(from, pattern);
	assert_non_null(k);
	v = k + strlen(pattern);
	end = value_end(v);
	len = strlen(json) + (value ? strlen(value) : 0) + 2;
	out = malloc(len);
	assert_non_null(out);
	if (value) {
		snprintf(out, len, "%.*s%s%s", (int)(v - json), json, value, end);
	} else {
		/* drop "key":value and the comma after it */
		snprintf(out, len, "%.*s%s", (int)(k - json), json, *end == ',' ? end + 1 : end);
	}
	return out;
}

/* The first element of the array value of key, repeated n times, as an array. */
static char *repeated_array(const char *json, const char *key, int n)
{
	char pattern[64], *out;
	const char *start, *end;
	size_t elen, i, pos = 0;

	snprintf(pattern, sizeof(pattern), "\"%s\":[", key);
	start = strstr(json, pattern);
	assert_non_null(start);
	start += strlen(pattern);
	end = value_end(start);
	elen = (size_t)(end - start);
	assert_true(elen > 0);
	out = malloc((elen + 1) * (size_t)n + 3);
	assert_non_null(out);
	out[pos++] = '[';
	for (i = 0; i < (size_t)n; i++) {
		if (i)
			out[pos++] = ',';
		memcpy(out + pos, start, elen);
		pos += elen;
	}
	out[pos++] = ']';
	out[pos] = '\0';
	return out;
}

typedef struct mutation {
	const char *after;   /* search from here; NULL: the start */
	const char *key;
	const char *value;   /* NULL: remove the member */
} mutation;

static void expect_corrupt(fixture *f, const char *data, size_t size, const char *what)
{
	refund_case *c = (refund_case *)&c;
	long live;
	int rc;

	raw_put(f, "K-1", data, size);
	live = f->fa.live;
	f->engine->errmsg[0] = '\0';
	rc = refund_case_load(f->engine, &c, "K-1");
	if (rc != REFUND_ECORRUPT)
		fail_msg("%s: load gave %s, not REFUND_ECORRUPT", what, refund_error_name(rc));
	assert_ptr_equal(c, (refund_case *)&c);
	assert_int_equal(f->fa.live, live);
	assert_true(refund_engine_errmsg(f->engine)[0] != '\0');
}

/* The case's record as the JSON (schema 1) that earlier versions stored. */
static raw legacy_json(fixture *f, const char *id)
{
	refund_case *c = NULL;
	raw r = { NULL, 0, 0 };
	char *data = NULL;

	assert_int_equal(refund_case_load(f->engine, &c, id), 0);
	assert_int_equal(refund__case_encode_json(f->engine, c->r, &data, &r.size), 0);
	r.data = malloc(r.size + 1);
	assert_non_null(r.data);
	memcpy(r.data, data, r.size + 1);
	r.version = refund_case_version(c);
	refund__free(&f->engine->alloc, data);
	refund_case_free(c);
	return r;
}

/* Every check of the stored record, on the JSON (schema 1) that older versions wrote. */
static void test_corrupt_records(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_PAYOUT);
	refund_act fin = FINANCE;
	char *long_id = malloc(REFUND_ID_MAX + 4), *long_text = malloc(CASE_TEXT_MAX + 4);
	char *long_name = malloc(CASE_NAME_MAX + 4), *long_policy = malloc(64);
	char *bad_hex = malloc(80), *short_hex = malloc(80), *upper_hex = malloc(80);
	const mutation muts[] = {
		{ NULL, "schema", "2" }, { NULL, "schema", "0" }, { NULL, "schema", "\"1\"" },
		{ NULL, "schema", NULL }, { NULL, "schema", "null" },
		{ NULL, "id", "\"K-2\"" }, { NULL, "id", "\"K 1\"" }, { NULL, "id", long_id },
		{ NULL, "id", "1" },
		{ NULL, "deposit", "\"D 1\"" }, { NULL, "deposit", long_id }, { NULL, "deposit", NULL },
		{ NULL, "holder", "\"\"" }, { NULL, "agent", long_id },
		{ NULL, "currency", "\"CNYX\"" }, { NULL, "currency", "7" },
		{ NULL, "policy", long_policy }, { NULL, "policy", "\"POS STD\"" },
		{ NULL, "policy_version", "0" }, { NULL, "policy_version", "4294967296" },
		{ NULL, "policy_version", "-1" }, { NULL, "policy_version", "1.5" },
		{ NULL, "state", "\"nope\"" }, { NULL, "state", "\"\"" }, { NULL, "state", "8" },
		{ NULL, "state", "\"PAYOUT\"" }, { NULL, "state", NULL },
		{ NULL, "reason", "0" }, { NULL, "reason", "7" }, { NULL, "reason", "\"1\"" },
		{ NULL, "opened_at", "-1" }, { NULL, "opened_at", "253402300800" },
		{ NULL, "requested", "-1" }, { NULL, "requested", "4294967296" },
		{ NULL, "method", "4" }, { NULL, "method", "-1" },
		{ NULL, "account_name", long_name }, { NULL, "account_name", "\"a\\u0001b\"" },
		{ NULL, "account_number", long_name }, { NULL, "bank", long_name },
		{ NULL, "approved", "-2" }, { NULL, "approved", "9223372036854775808" },
		{ NULL, "approved_by", long_id },
		{ NULL, "reject_reason", "6" }, { NULL, "reject_reason", "-1" },
		{ NULL, "reject_text", long_text }, { NULL, "tracking", long_name },
		{ NULL, "grade", "5" }, { NULL, "grade", "-1" },
		{ NULL, "missing_parts", "101" }, { NULL, "missing_parts", "-1" },
		{ NULL, "offset_owed", "-1" }, { NULL, "offered", "2" }, { NULL, "accepted", "-1" },
		{ NULL, "fixed", "null" }, { NULL, "fixed", "[]" }, { NULL, "fixed", NULL },
		{ "\"fixed\":", "tier_bp", "10001" }, { "\"fixed\":", "net", "-1" },
		{ "\"fixed\":", "remaining", "-5" }, { "\"fixed\":", "approved", "-2" },
		{ "\"fixed\":", "fee", NULL },
		{ NULL, "escalated", "-1" }, { NULL, "escalated", "4294967296" },
		{ NULL, "clock", "7" }, { NULL, "clock", NULL },
		{ "\"clock\":", "state", "14" }, { "\"clock\":", "state", "-1" },
		{ "\"clock\":", "started", "-1" }, { "\"clock\":", "due", "253402300800" },
		{ "\"clock\":", "consequence", "6" }, { "\"clock\":", "sent", "16" },
		{ "\"clock\":", "overdue", "2" }, { "\"clock\":", "paused_state", "14" },
		{ "\"clock\":", "paused_left", "-1" }, { "\"clock\":", "paused_unit", "3" },
		{ NULL, "events", "0" }, { NULL, "events", "-1" },
		{ NULL, "last_hash", "\"abc\"" }, { NULL, "last_hash", bad_hex },
		{ NULL, "last_hash", short_hex }, { NULL, "last_hash", "null" },
		{ NULL, "next_key", "32" }, { NULL, "next_key", "-1" },
		{ NULL, "evidence", "{}" }, { NULL, "evidence", "[1]" }, { NULL, "evidence", NULL },
		{ "\"evidence\":", "kind", "0" }, { "\"evidence\":", "kind", "10" },
		{ "\"evidence\":", "at", "-1" }, { "\"evidence\":", "ref", long_name },
		{ "\"evidence\":", "ref", "\"\\u001f\"" },
		{ NULL, "parts", "null" }, { NULL, "parts", "[[]]" },
		{ "\"parts\":", "amount", "-1" }, { "\"parts\":", "status", "0" },
		{ "\"parts\":", "status", "4" }, { "\"parts\":", "attempts", "-1" },
		{ "\"parts\":", "due", "-1" }, { "\"parts\":", "ref", long_name },
		{ "\"parts\":", "failure", long_name },
		{ NULL, "keys", "\"keys\"" },
		{ "\"keys\":", "key", "\"a key\"" }, { "\"keys\":", "key", "\"\"" },
		{ "\"keys\":", "key", long_id }, { "\"keys\":", "digest", bad_hex },
		{ "\"keys\":", "digest", short_hex }, { "\"keys\":", "digest", upper_hex },
	};
	raw good;
	size_t i;
	long points = 0;

	/* A record with every list filled: evidence, parts and idempotency keys. */
	fin.idempotency_key = "pay-1";
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX-1"), 0);
	fin.idempotency_key = "fail-2";
	assert_int_equal(refund_case_pay_failed(c, &fin, 2, "timeout"), 0);
	refund_case_free(c);
	good = legacy_json(f, "K-1");

	snprintf(long_id, REFUND_ID_MAX + 4, "\"%0*d\"", REFUND_ID_MAX + 1, 7);
	snprintf(long_policy, 64, "\"%0*d\"", REFUND_POLICY_ID_MAX + 1, 7);
	memset(long_text, 't', CASE_TEXT_MAX + 3);
	long_text[0] = '"';
	long_text[CASE_TEXT_MAX + 2] = '"';
	long_text[CASE_TEXT_MAX + 3] = '\0';
	memset(long_name, 'n', CASE_NAME_MAX + 3);
	long_name[0] = '"';
	long_name[CASE_NAME_MAX + 2] = '"';
	long_name[CASE_NAME_MAX + 3] = '\0';
	snprintf(bad_hex, 80, "\"%s\"", "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	snprintf(short_hex, 80, "\"%s\"", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
	snprintf(upper_hex, 80, "\"%s\"", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
	assert_non_null(strstr(good.data, "\"keys\":[{"));
	assert_non_null(strstr(good.data, "\"parts\":[{"));

	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++, points++) {
		char *bad = with_field(good.data, muts[i].after, muts[i].key, muts[i].value);
		char what[128];

		snprintf(what, sizeof(what), "%s%s = %s", muts[i].after ? muts[i].after : "",
				muts[i].key, muts[i].value ? muts[i].value : "(removed)");
		expect_corrupt(f, bad, strlen(bad), what);
		free(bad);
	}
	/* Lists longer than a record holds. */
	{
		static const struct { const char *key; int n; } lists[] = {
			{ "evidence", CASE_MAX_EVIDENCE + 1 }, { "parts", REFUND_POLICY_MAX_PARTS + 1 },
			{ "keys", CASE_MAX_KEYS + 1 },
		};

		for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++, points++) {
			char *array = repeated_array(good.data, lists[i].key, lists[i].n);
			char *bad = with_field(good.data, NULL, lists[i].key, array);

			expect_corrupt(f, bad, strlen(bad), lists[i].key);
			free(bad);
			free(array);
		}
	}
	/* Bytes that are no record at all. */
	{
		static const char *const junk[] = { "", "null", "[]", "{}", "{\"schema\":1}",
			"{\"schema\":1", "\xff\xfe", "{\"schema\":1,\"id\":\"K-1\"}}" };
		char *truncated = malloc(good.size);

		for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++, points++)
			expect_corrupt(f, junk[i], strlen(junk[i]), junk[i]);
		assert_non_null(truncated);
		memcpy(truncated, good.data, good.size - 1);
		expect_corrupt(f, truncated, good.size - 1, "truncated");
		expect_corrupt(f, good.data, good.size / 2, "half");
		points += 2;
		memcpy(truncated, good.data, good.size - 1);
		truncated[good.size / 3] = '\x80';  /* invalid UTF-8 somewhere inside */
		expect_corrupt(f, truncated, good.size - 1, "utf-8");
		points++;
		free(truncated);
	}
	/* A corrupt case stops a listing and a tick with REFUND_ECORRUPT. */
	{
		seen s;
		refund_tick_result res;

		memset(&s, 0, sizeof(s));
		memset(&res, 0, sizeof(res));
		res.version = REFUND_TICK_RESULT_VERSION;
		assert_int_equal(refund_case_list(f->engine, NULL, collect, &s), REFUND_ECORRUPT);
		assert_int_equal(refund_engine_tick(f->engine, f->now, 0, &res), REFUND_ECORRUPT);
	}
	/* The original bytes load again, and the case goes on in schema 2. */
	raw_put(f, "K-1", good.data, good.size);
	assert_int_equal(refund_case_load(f->engine, &c, "K-1"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	fin.idempotency_key = NULL;
	assert_int_equal(refund_case_pay(c, &fin, 2, "TX-2"), 0);
	refund_case_free(c);
	free(good.data);
	good = raw_load(f, "K-1");
	assert_memory_equal(good.data, refund__case_magic, CASE_MAGIC_SIZE);
	assert_int_equal(refund_case_load(f->engine, &c, "K-1"), 0);
	assert_int_equal(c->r->parts[1].status, REFUND_PART_PAID);
	refund_case_free(c);
	printf("corrupt records: %ld refused\n", points);
	free(good.data);
	free(long_id);
	free(long_text);
	free(long_name);
	free(long_policy);
	free(bad_hex);
	free(short_hex);
	free(upper_hex);
}

/* One way to spoil a record: a field set out of its range. */
typedef struct spoiler {
	const char *what;
	void (*apply)(case_record *r);
} spoiler;

#define SPOIL(name, stmt) \
	static void spoil_##name(case_record *r) { stmt; }
SPOIL(id_other, strcpy(r->id, "K-2"))
SPOIL(id_space, strcpy(r->id, "K 1"))
SPOIL(deposit_space, strcpy(r->deposit_id, "D 1"))
SPOIL(holder_empty, r->holder[0] = '\0')
SPOIL(agent_control, strcpy(r->agent, "AG\x01"))
SPOIL(policy_space, strcpy(r->policy_id, "POS STD"))
SPOIL(policy_version_0, r->policy_version = 0)
SPOIL(state_0, r->state = 0)
SPOIL(state_past, r->state = REFUND_STATE_COUNT)
SPOIL(reason_0, r->reason = 0)
SPOIL(reason_7, r->reason = 7)
SPOIL(opened_before_1970, r->opened_at = -1)
SPOIL(opened_after_9999, r->opened_at = REFUND_TIME_MAX + 1)
SPOIL(method_4, r->method = 4)
SPOIL(method_negative, r->method = -1)
SPOIL(account_name_control, strcpy(r->account_name, "a\x01" "b"))
SPOIL(bank_invalid_utf8, strcpy(r->bank, "\xe4\xb8"))
SPOIL(approved_below, r->approved = -2)
SPOIL(reject_reason_6, r->reject_reason = 6)
SPOIL(grade_5, r->grade = 5)
SPOIL(missing_parts_101, r->missing_parts = 101)
SPOIL(offset_negative, r->offset_owed = -1)
SPOIL(offered_2, r->offered = 2)
SPOIL(accepted_negative, r->accepted = -1)
SPOIL(tier_above_whole, r->fixed.tier_bp = 10001)
SPOIL(net_negative, r->fixed.net = -1)
SPOIL(fixed_approved_below, r->fixed.approved = -2)
SPOIL(clock_state_past, r->clock.state = REFUND_STATE_COUNT)
SPOIL(clock_due_after_9999, r->clock.due = REFUND_TIME_MAX + 1)
SPOIL(clock_consequence_6, r->clock.consequence = 6)
SPOIL(clock_sent_16, r->clock.reminders_sent = 16)
SPOIL(clock_overdue_2, r->clock.overdue = 2)
SPOIL(clock_paused_left_negative, r->clock.paused_left = -1)
SPOIL(clock_paused_unit_3, r->clock.paused_unit = 3)
SPOIL(events_0, r->nevents = 0)
SPOIL(next_key_negative, r->next_key = -1)
SPOIL(evidence_kind_0, r->evidence[0].kind = 0)
SPOIL(evidence_at_negative, r->evidence[0].at = -1)
SPOIL(evidence_ref_control, strcpy(r->evidence[0].reference, "\x1f"))
SPOIL(part_amount_negative, r->parts[0].amount = -1)
SPOIL(part_status_4, r->parts[0].status = 4)
SPOIL(part_attempts_negative, r->parts[0].attempts = -1)
SPOIL(key_space, strcpy(r->keys[0].key, "a key"))
SPOIL(key_empty, r->keys[0].key[0] = '\0')
#undef SPOIL

/* Every check of the stored record, on schema 2: a field out of range,
 * every truncation, every byte changed, bytes that are no record. */
static void test_corrupt_binary_records(void **state)
{
#define S(name) { #name, spoil_##name }
	static const spoiler spoilers[] = {
		S(id_other), S(id_space), S(deposit_space), S(holder_empty), S(agent_control),
		S(policy_space), S(policy_version_0), S(state_0), S(state_past), S(reason_0),
		S(reason_7), S(opened_before_1970), S(opened_after_9999), S(method_4),
		S(method_negative), S(account_name_control), S(bank_invalid_utf8),
		S(approved_below), S(reject_reason_6), S(grade_5), S(missing_parts_101),
		S(offset_negative), S(offered_2), S(accepted_negative), S(tier_above_whole),
		S(net_negative), S(fixed_approved_below), S(clock_state_past),
		S(clock_due_after_9999), S(clock_consequence_6), S(clock_sent_16),
		S(clock_overdue_2), S(clock_paused_left_negative), S(clock_paused_unit_3),
		S(events_0), S(next_key_negative),
		S(evidence_kind_0), S(evidence_at_negative), S(evidence_ref_control),
		S(part_amount_negative), S(part_status_4), S(part_attempts_negative),
		S(key_space), S(key_empty),
	};
#undef S
	static case_record spoilt;
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_PAYOUT);
	refund_act fin = FINANCE;
	raw good;
	char *data = NULL, *bad;
	size_t i, size = 0, loaded = 0;
	long points = 0;
	int rc;

	fin.idempotency_key = "pay-1";
	assert_int_equal(refund_case_pay(c, &fin, 1, "TX-1"), 0);
	assert_true(c->r->nevidence > 0 && c->r->nparts > 0 && c->r->nkeys > 0);
	good = raw_load(f, "K-1");
	assert_memory_equal(good.data, refund__case_magic, CASE_MAGIC_SIZE);
	for (i = 0; i < sizeof(spoilers) / sizeof(spoilers[0]); i++, points++) {
		spoilt = *c->r;
		spoilers[i].apply(&spoilt);
		assert_int_equal(refund__case_encode(f->engine, &spoilt, &data, &size), 0);
		expect_corrupt(f, data, size, spoilers[i].what);
		refund__free(&f->engine->alloc, data);
		/* the same field in schema 1 is refused too (JSON cannot even
		 * hold invalid UTF-8: its writer refuses it) */
		rc = refund__case_encode_json(f->engine, &spoilt, &data, &size);
		if (rc == REFUND_EINVAL)
			continue;
		assert_int_equal(rc, 0);
		expect_corrupt(f, data, size, spoilers[i].what);
		refund__free(&f->engine->alloc, data);
	}
	for (size = 0; size < good.size; size++, points++)
		expect_corrupt(f, good.data, size, "truncated");
	/* A changed byte is refused or decodes to some record; never read past, never leaks. */
	bad = malloc(good.size);
	assert_non_null(bad);
	for (i = 0; i < good.size; i++) {
		refund_case *other = NULL;

		memcpy(bad, good.data, good.size);
		bad[i] ^= (char)0x5a;
		raw_put(f, "K-1", bad, good.size);
		rc = refund_case_load(f->engine, &other, "K-1");
		assert_true(rc == 0 || rc == REFUND_ECORRUPT || rc == REFUND_ENOTFOUND);
		loaded += rc == 0;
		refund_case_free(other);
	}
	printf("binary records: %ld refused, %zu of %zu changed bytes still decode\n", points,
			loaded, good.size);
	{
		static const char junk[] = "\xa5RC";
		static const char wrong[] = "\xa5RC\x03";

		expect_corrupt(f, junk, sizeof(junk) - 1, "magic alone, short");
		expect_corrupt(f, wrong, sizeof(wrong) - 1, "another schema");
		memcpy(bad, good.data, good.size);
		bad[3] = 3;
		expect_corrupt(f, bad, good.size, "schema 3");
		memcpy(bad, good.data, good.size);
		expect_corrupt(f, bad, good.size - 1, "one byte short");
	}
	free(bad);
	raw_put(f, "K-1", good.data, good.size);
	refund_case_free(c);
	assert_int_equal(refund_case_load(f->engine, &c, "K-1"), 0);
	assert_int_equal(refund_case_state(c), REFUND_STATE_PAYOUT);
	refund_case_free(c);
	free(good.data);
}

/* A stored event that cannot be decoded: events and verify say ECORRUPT. */
static void test_corrupt_event(void **state)
{
	fixture *f = *state;
	refund_case *c = case_in_state(f, "K-1", "D-1", REFUND_STATE_DRAFT);
	refund_store_event ev;
	refund_store_batch batch;
	event_walk w;
	uint64_t bad = 0;

	memset(&ev, 0, sizeof(ev));
	memset(&batch, 0, sizeof(batch));
	batch.events = &ev;
	batch.nevents = 1;
	/* The opening is event 1: append a broken event 2 behind the case's back. */
	ev.kind = REFUND_RECORD_CASE;
	ev.id = "K-1";
	ev.seq = 2;
	ev.at = f->now;
	ev.data = (const unsigned char *)"{\"seq\":2}";
	ev.size = strlen("{\"seq\":2}");
	assert_int_equal(f->store->commit(f->store, &batch), 0);
	memset(&w, 0, sizeof(w));
	w.want = lifecycle_events;
	w.n = 1;
	f->engine->errmsg[0] = '\0';
	assert_int_equal(refund_case_events(c, walk_event, &w), REFUND_ECORRUPT);
	assert_int_equal(w.seen, 1);
	assert_true(refund_engine_errmsg(f->engine)[0] != '\0');
	/* The handle knows one event: the chain up to it is intact. */
	assert_int_equal(refund_case_verify(c, &bad), 0);
	assert_int_equal(bad, 0);
	refund_case_free(c);
}

int main(int argc, char **argv)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_labels),
		T(test_messages_speak_one_language),
		cmocka_unit_test(test_table_states_and_roles),
		cmocka_unit_test(test_act_checked_by_every_action),
		T(test_open_errors),
		T(test_open_idempotent),
		T(test_attach_errors),
		T(test_submit_errors),
		T(test_account_good_forms),
		T(test_review_errors),
		T(test_provide_documents_guard),
		T(test_device_errors),
		T(test_agreement_errors),
		T(test_offsets_not_allowed),
		T(test_payout_errors),
		T(test_reevaluate_errors),
		T(test_idempotency_key_reuse),
		T(test_reading_errors),
		T(test_load_errors),
		T(test_tick_errors),
		T(test_list_filters),
		T(test_list_errors),
		T(test_events),
		T(test_payout_reasons),
		T(test_deadline_reasons),
		T(test_oom_lifecycle),
		T(test_oom_lifecycle_persistent),
		T(test_oom_tick),
		T(test_oom_reading),
		cmocka_unit_test(test_store_faults_lifecycle),
		T(test_store_faults_reading_and_tick),
		T(test_tick_conflict_at_each_call),
		T(test_corrupt_records),
		T(test_corrupt_binary_records),
		T(test_corrupt_event),
	};
#undef T

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);  /* one test, for debugging */
	return cmocka_run_group_tests_name("case_errors", tests, NULL, NULL);
}
