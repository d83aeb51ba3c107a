/*
 * Randomized model test.  Random sequences of actions (valid and invalid:
 * random roles, actors, amounts, parts, times and ticks) run against the
 * library and against a small reference model of the documented rules
 * written here, from docs/workflow.md and the public headers, never from
 * src/.  After every step both must agree on the return code, the case
 * (state, version, evidence, escalations, parts, deadline, quote) and the
 * deposit's ledger, which must hold held = refunded + deducted + remaining;
 * every few hundred steps every case is reloaded from the store, compared
 * and its audit chain verified.
 *
 * The run is seeded and reproducible: MODEL_SEED (default 20250101) and
 * MODEL_STEPS (default 100000) choose it, MODEL_TRACE=1 prints each step,
 * and MODEL_STATS=1 prints how often each action was taken and refused.  A
 * mismatch prints the seed, the step and the action.  The steps are cut
 * into worlds of WORLD_STEPS: each starts a fresh engine and store, so time
 * windows open and close again and no store grows without bound.
 *
 * Where the documentation leaves the order of two refusals open (a wrong
 * role in a wrong state), the model follows the order the library has
 * always had: the arguments, the idempotency key, the state, the role, the
 * guards in the table's order, then the action's own arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <refund.h>

#include "fixture.h"

#define WORLD_STEPS 1000
#define MAX_CASES 1024
#define MAX_EVIDENCE 12      /* attachments the generator makes per case, under the library's cap */
#define MAX_KEYS 8
#define CHECK_ALL_EVERY 200  /* steps between reloading every case from the store */
#define VERIFY_EVERY 500     /* steps between audit chain checks */
#define DAY INT64_C(86400)

/* ---- a small deterministic PRNG (xorshift64*) ---- */

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* ---- the model's view of the rules ---- */

#define ROLE(r) (1u << REFUND_ROLE_##r)
#define STATE(s) (1u << REFUND_STATE_##s)
#define EVIDENCE(e) REFUND_EVIDENCE_BIT(REFUND_EVIDENCE_##e)

typedef struct rule {
	unsigned int states;  /* where the action may be taken */
	unsigned int roles;   /* who may take it */
} rule;

/* The roles and states of every action, as docs/workflow.md lists them. */
static const rule rules[REFUND_ACTION_COUNT] = {
	[REFUND_ACTION_ATTACH] = { STATE(DRAFT) | STATE(SUBMITTED) | STATE(UNDER_REVIEW) |
			STATE(AWAITING_DOCUMENTS), ROLE(APPLICANT) | ROLE(AGENT) },
	[REFUND_ACTION_SUBMIT] = { STATE(DRAFT), ROLE(APPLICANT) | ROLE(AGENT) },
	[REFUND_ACTION_START_REVIEW] = { STATE(SUBMITTED), ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_REQUEST_DOCUMENTS] = { STATE(UNDER_REVIEW), ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_PROVIDE_DOCUMENTS] = { STATE(AWAITING_DOCUMENTS), ROLE(APPLICANT) | ROLE(AGENT) },
	[REFUND_ACTION_APPROVE] = { STATE(UNDER_REVIEW), ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_REJECT] = { STATE(UNDER_REVIEW), ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_APPEAL] = { STATE(REJECTED), ROLE(APPLICANT) | ROLE(AGENT) },
	[REFUND_ACTION_RECEIVE_DEVICE] = { STATE(DEVICE_RETURN),
			ROLE(AGENT) | ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_INSPECT] = { STATE(INSPECTION), ROLE(AGENT) | ROLE(REVIEWER) | ROLE(ADMIN) },
	[REFUND_ACTION_SET_OFFSET] = { STATE(UNDER_REVIEW) | STATE(DEVICE_RETURN) |
			STATE(INSPECTION) | STATE(AGREEMENT), ROLE(FINANCE) | ROLE(ADMIN) },
	[REFUND_ACTION_OFFER] = { STATE(AGREEMENT), ROLE(REVIEWER) | ROLE(FINANCE) | ROLE(ADMIN) },
	[REFUND_ACTION_ACCEPT] = { STATE(AGREEMENT), ROLE(APPLICANT) },
	[REFUND_ACTION_PAY] = { STATE(PAYOUT), ROLE(FINANCE) },
	[REFUND_ACTION_PAY_FAILED] = { STATE(PAYOUT), ROLE(FINANCE) },
	[REFUND_ACTION_CONFIRM] = { STATE(PAID), ROLE(APPLICANT) },
	[REFUND_ACTION_WITHDRAW] = { STATE(DRAFT) | STATE(SUBMITTED) | STATE(UNDER_REVIEW) |
			STATE(AWAITING_DOCUMENTS) | STATE(DEVICE_RETURN) | STATE(INSPECTION) |
			STATE(AGREEMENT) | STATE(REJECTED), ROLE(APPLICANT) | ROLE(AGENT) },
	[REFUND_ACTION_ESCALATE] = { STATE(DRAFT) | STATE(SUBMITTED) | STATE(UNDER_REVIEW) |
			STATE(AWAITING_DOCUMENTS) | STATE(DEVICE_RETURN) | STATE(INSPECTION) |
			STATE(AGREEMENT) | STATE(PAYOUT) | STATE(PAID),
			ROLE(APPLICANT) | ROLE(AGENT) | ROLE(REVIEWER) | ROLE(ADMIN) | ROLE(SYSTEM) },
	[REFUND_ACTION_REEVALUATE] = { STATE(DRAFT) | STATE(SUBMITTED) | STATE(UNDER_REVIEW) |
			STATE(AWAITING_DOCUMENTS) | STATE(DEVICE_RETURN) | STATE(INSPECTION) |
			STATE(AGREEMENT), ROLE(REVIEWER) | ROLE(ADMIN) },
};

/* The role each action is meant for, to steer the generator towards progress. */
static const int usual_role[REFUND_ACTION_COUNT] = {
	[REFUND_ACTION_OPEN] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_ATTACH] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_SUBMIT] = REFUND_ROLE_AGENT,
	[REFUND_ACTION_START_REVIEW] = REFUND_ROLE_REVIEWER,
	[REFUND_ACTION_REQUEST_DOCUMENTS] = REFUND_ROLE_REVIEWER,
	[REFUND_ACTION_PROVIDE_DOCUMENTS] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_APPROVE] = REFUND_ROLE_REVIEWER,
	[REFUND_ACTION_REJECT] = REFUND_ROLE_ADMIN,
	[REFUND_ACTION_APPEAL] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_RECEIVE_DEVICE] = REFUND_ROLE_AGENT,
	[REFUND_ACTION_INSPECT] = REFUND_ROLE_REVIEWER,
	[REFUND_ACTION_SET_OFFSET] = REFUND_ROLE_FINANCE,
	[REFUND_ACTION_OFFER] = REFUND_ROLE_FINANCE,
	[REFUND_ACTION_ACCEPT] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_PAY] = REFUND_ROLE_FINANCE,
	[REFUND_ACTION_PAY_FAILED] = REFUND_ROLE_FINANCE,
	[REFUND_ACTION_CONFIRM] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_WITHDRAW] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_ESCALATE] = REFUND_ROLE_APPLICANT,
	[REFUND_ACTION_REEVALUATE] = REFUND_ROLE_ADMIN,
};

static int state_final(int state)
{
	return state == REFUND_STATE_CLOSED || state == REFUND_STATE_WITHDRAWN ||
	       state == REFUND_STATE_EXPIRED;
}

/* ---- policies: the model reads these; the library is told them by setters ---- */

typedef struct m_deadline {
	int32_t amount;   /* 0: no deadline in this state */
	int unit;
	int consequence;
} m_deadline;

typedef struct m_policy {
	const char *id;
	uint32_t version;
	int window_anchor;
	int32_t window_days;
	int ntiers;
	int64_t tier_days[4], tier_volume[4];
	int32_t tier_bp[4];
	int explicit_evidence;  /* 0: the documented defaults, not set on the library */
	uint32_t common_evidence;
	uint32_t reason_evidence[REFUND_REASON_FRAUD + 1];
	int return_required;
	int32_t damage_bp;
	int64_t part_amount;
	int64_t fee_fixed;
	int32_t fee_bp;
	int64_t fee_min, fee_cap;
	int offsets;
	int max_parts, interval_months;
	int64_t four_eyes;
	uint32_t parties;
	m_deadline deadlines[REFUND_STATE_COUNT];
} m_policy;

#define CAL(n, c) { n, REFUND_CALENDAR_DAYS, REFUND_ON_DUE_##c }
#define BIZ(n, c) { n, REFUND_BUSINESS_DAYS, REFUND_ON_DUE_##c }
#define S(name) [REFUND_STATE_##name]

/* The evidence a new draft policy requires (policy.h: the domain's table). */
#define DEFAULT_COMMON (EVIDENCE(RECEIPT) | EVIDENCE(CONTRACT) | EVIDENCE(PAYMENT_RECORD))
#define DEFAULT_REASONS { 0, EVIDENCE(FAULT_REPORT), EVIDENCE(TRANSACTION_RECORDS), \
	EVIDENCE(SERVICE_EVALUATION), EVIDENCE(GOVERNMENT_DOCUMENT), 0, EVIDENCE(POLICE_REPORT) }

enum { POL_A1, POL_A2, POL_B1, NPOLICIES };

static const m_policy policies[NPOLICIES] = {
	[POL_A1] = { "P-A", 1, REFUND_WINDOW_CONTRACT_END, 900,
		3, { 0, 90, 365 }, { 0, 0, 1000000 }, { 6000, 9000, 10000 },
		0, DEFAULT_COMMON, DEFAULT_REASONS,
		1, 2500, 1500, 300, 150, 500, 2500, 1, 3, 1, 20000,
		REFUND_PARTY_REGULATOR | REFUND_PARTY_LEGAL,
		{ S(DRAFT) = CAL(10, EXPIRE), S(SUBMITTED) = CAL(2, REMIND),
		  S(UNDER_REVIEW) = CAL(3, APPROVE), S(AWAITING_DOCUMENTS) = CAL(4, EXPIRE),
		  S(DEVICE_RETURN) = CAL(5, ESCALATE), S(INSPECTION) = BIZ(2, ESCALATE),
		  S(AGREEMENT) = CAL(4, EXPIRE), S(PAYOUT) = CAL(6, ESCALATE),
		  S(PAID) = CAL(3, CLOSE), S(REJECTED) = CAL(5, CLOSE) } },
	[POL_A2] = { "P-A", 2, REFUND_WINDOW_NONE, 0,
		0, { 0 }, { 0 }, { 0 },
		1, EVIDENCE(RECEIPT), { 0, 0, 0, 0, 0, 0, EVIDENCE(POLICE_REPORT) },
		0, 0, 700, 0, 0, 0, -1, 0, 2, 2, -1, 0,
		{ S(UNDER_REVIEW) = CAL(5, ESCALATE), S(AGREEMENT) = CAL(3, REMIND),
		  S(REJECTED) = CAL(2, CLOSE) } },
	[POL_B1] = { "P-B", 1, REFUND_WINDOW_PAYMENT, 500,
		0, { 0 }, { 0 }, { 0 },
		1, EVIDENCE(RECEIPT) | EVIDENCE(PAYMENT_RECORD),
		{ 0, EVIDENCE(FAULT_REPORT), 0, 0, 0, EVIDENCE(OTHER), 0 },
		0, 5000, 0, 100, 0, 0, -1, 0, 4, 3, 0, 0,
		{ S(UNDER_REVIEW) = CAL(4, ESCALATE), S(AWAITING_DOCUMENTS) = CAL(3, EXPIRE),
		  S(PAYOUT) = CAL(3, REMIND), S(PAID) = CAL(2, CLOSE) } },
};

/* The policy `id` at `version` (0: the latest), or -1. */
static int policy_lookup(const char *id, uint32_t version)
{
	int i, found = -1;

	for (i = 0; i < NPOLICIES; i++)
		if (strcmp(policies[i].id, id) == 0 &&
		    (version == 0 ? found < 0 || policies[i].version > policies[found].version
				  : policies[i].version == version))
			found = i;
	return found;
}

/* ---- deposits ---- */

typedef struct deposit_def {
	char id[16];
	const char *currency;
	int64_t amount;
	refund_time paid_at, contract_end;
	int64_t days, volume;
} deposit_def;

/*
 * Deposits the world starts with, one per slot.  A case settles its whole
 * deposit, so a slot whose deposit is spent gets a fresh one now and then
 * (X_RENEW); cases keep pointing at the deposit they were opened for.
 */
#define NSLOTS 5
#define USD_SLOT 4
#define MAX_DEPOSITS 256
#define NO_DEPOSIT (-1)  /* an id no deposit has */

static const deposit_def first_deposits[NSLOTS] = {
	{ "D-1", "CNY", 50000, 1709287200, 1740787200, 200, 0 },           /* 2024-03-01, ends 2025-03-01 */
	{ "D-2", "CNY", 1999, 1694340000, REFUND_TIME_NONE, 30, 5000 },    /* 2023-09-10 */
	{ "D-3", "CNY", 123457, 1732100000, 1767225600, 400, 2000000 },   /* 2024-11-20, ends 2026-01-01 */
	{ "D-4", "CNY", 3010, 1718445600, REFUND_TIME_NONE, 0, 0 },        /* 2024-06-15 */
	{ "D-U", "USD", 10000, 1709287200, REFUND_TIME_NONE, 100, 0 },
};

typedef struct m_deposit {
	deposit_def def;
	int64_t held, refunded, deducted, remaining;
	int64_t days, volume;
	int open_case;  /* index of the case under way, or -1 */
} m_deposit;

/* ---- cases ---- */

typedef struct m_quote {
	int64_t remaining;
	int32_t tier_bp;
	int64_t gross, forfeited, damage, missing, fee, offset, net, approved;
} m_quote;

typedef struct m_part {
	int64_t amount;
	refund_time due;
	int status, attempts;
} m_part;

typedef struct m_clock {
	int state;  /* 0: no clock runs */
	refund_time started, due;
	int consequence, overdue;
	int paused_state;
	int64_t paused_left;
} m_clock;

typedef struct m_key {
	int key;
	char args[128];
} m_key;

typedef struct m_case {
	char id[24];
	int dep, pol, reason, state;
	uint64_t version;
	uint32_t evidence, requested, escalated;
	int nevidence;
	int64_t approved;
	int approved_by;  /* actor index */
	int grade, missing;
	int64_t owed;
	int offered, accepted;
	m_quote fixed;
	int nparts;
	m_part parts[REFUND_POLICY_MAX_PARTS];
	m_clock clock;
	m_key keys[MAX_KEYS];
	int nkeys;
	refund_case *h;  /* the library's handle */
} m_case;

/* ---- actions ---- */

enum {
	X_POST = 100,   /* refund_deposit_post */
	X_USAGE,        /* refund_deposit_set_usage */
	X_TICK,         /* refund_engine_tick at the current time */
	X_ADVANCE,      /* move the clock, then maybe tick */
	X_RENEW         /* a fresh deposit in a slot whose deposit is spent */
};

static const char *const actor_names[] = { "u1", "u2", "u3", "system" };
#define NACTORS 4
#define SYSTEM_ACTOR 3

enum { TEXT_NULL, TEXT_EMPTY, TEXT_SET };

typedef struct action {
	int kind;         /* a refund_action or X_* */
	int ci;           /* the case */
	int di;           /* open, post, usage: the deposit (NO_DEPOSIT: unknown id) */
	int pi;           /* open: 0 "P-A", 1 "P-B", 2 unknown */
	int actor;        /* index in actor_names, -1 for NULL */
	int role;
	unsigned int act_version;
	int key;          /* 0 none, else "k<key>" */
	int note;         /* 0 none, else "note <note>" */
	int64_t amount;   /* approve, set_offset, post; usage days; advance seconds */
	int64_t amount2;  /* usage volume; new deposit: when it was paid */
	int64_t amount3;  /* new deposit: transaction volume */
	int n1, n2;       /* kind, mask, reason, grade, parts, part, party, version, account */
	int text;         /* TEXT_* */
	char case_id[24]; /* open */
} action;

typedef struct world {
	fixture *f;
	uint64_t seed, rng;
	long step, steps;
	int trace;
	m_deposit deposits[MAX_DEPOSITS];
	int ndeposits;
	int slots[NSLOTS];
	m_case *cases;
	int ncases, next_case;
	action last_keyed;
	int has_last_keyed;
	long accepted, refused, ticks, fired;
	long outcomes[X_RENEW + 1][23];  /* per action: 0 accepted, -rc refused */
	long reached[REFUND_STATE_COUNT];  /* transitions into each state */
	long consequences[REFUND_ON_DUE_CLOSE + 1];
} world;

static uint32_t rnd(world *w, uint32_t n)
{
	return (uint32_t)(next_random(&w->rng) % n);
}

static int chance(world *w, int percent)
{
	return (int)rnd(w, 100) < percent;
}

static const char *action_name(int kind)
{
	switch (kind) {
	case X_POST: return "deposit_post";
	case X_USAGE: return "deposit_set_usage";
	case X_TICK: return "tick";
	case X_ADVANCE: return "advance";
	case X_RENEW: return "new_deposit";
	default: return refund_case_action_name(kind);
	}
}

static void describe(const world *w, const action *a, char *buf, size_t size)
{
	int case_ok = a->ci >= 0 && a->ci < w->ncases;
	int di = case_ok ? w->cases[a->ci].dep : a->di;

	snprintf(buf, size,
			"%s case=%s deposit=%s policy=%d actor=%s role=%d act_version=%u key=%d "
			"note=%d amount=%lld amount2=%lld n1=%d n2=%d text=%d case_id=%s now=%lld",
			action_name(a->kind), case_ok ? w->cases[a->ci].id : "-",
			di >= 0 && di < w->ndeposits ? w->deposits[di].def.id : "-", a->pi,
			a->actor >= 0 ? actor_names[a->actor] : "NULL", a->role, a->act_version, a->key,
			a->note, (long long)a->amount, (long long)a->amount2, a->n1, a->n2, a->text,
			a->case_id[0] ? a->case_id : "-", (long long)w->f->now);
}

/* On a mismatch: say how to get here again, then fail. */
#define MISMATCH(w, a, ...) mismatch(w, a, __FILE__, __LINE__, __VA_ARGS__)

#if defined(__GNUC__) || defined(__clang__)
static void mismatch(const world *w, const action *a, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#endif

static void mismatch(const world *w, const action *a, const char *file, int line,
		const char *fmt, ...)
{
	char what[512], act[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (a)
		describe(w, a, act, sizeof(act));
	else
		snprintf(act, sizeof(act), "(periodic check)");
	print_error("MODEL MISMATCH at %s:%d\n  reproduce: MODEL_SEED=%llu MODEL_STEPS=%ld "
			"(step %ld)\n  action: %s\n  %s\n  engine says: %s\n", file, line,
			(unsigned long long)w->seed, w->steps, w->step, act, what,
			refund_engine_errmsg(w->f->engine));
	fail();
}

/* ---- model arithmetic: written from the headers ---- */

/* amount * bp / 10000, half to even (money.h); amounts here stay far from overflow. */
static int64_t percent(int64_t amount, int64_t bp)
{
	int64_t product = amount * bp, q = product / 10000, r = product % 10000;

	if (2 * r > 10000 || (2 * r == 10000 && (q & 1)))
		q++;
	return q;
}

static int32_t tier_bp(const m_policy *p, const m_deposit *d)
{
	int32_t best = 0;
	int i;

	if (p->ntiers == 0)
		return 10000;
	for (i = 0; i < p->ntiers; i++)
		if (d->days >= p->tier_days[i] && d->volume >= p->tier_volume[i] &&
		    p->tier_bp[i] > best)
			best = p->tier_bp[i];
	return best;
}

static int64_t take(int64_t *left, int64_t want)
{
	int64_t got = want < *left ? want : *left;

	*left -= got;
	return got;
}

/* The live quote (case.h, refund_quote): deductions in order, net never below 0. */
static m_quote live_quote(const m_case *c, const m_deposit *d)
{
	const m_policy *p = &policies[c->pol];
	m_quote q;
	int64_t fee = 0, left;

	memset(&q, 0, sizeof(q));
	q.remaining = d->remaining;
	q.tier_bp = tier_bp(p, d);
	q.gross = percent(d->remaining, q.tier_bp);
	q.forfeited = q.remaining - q.gross;
	if (q.gross > 0) {
		fee = p->fee_fixed + percent(q.gross, p->fee_bp);
		if (fee < p->fee_min)
			fee = p->fee_min;
		if (p->fee_cap >= 0 && fee > p->fee_cap)
			fee = p->fee_cap;
	}
	left = q.gross;
	q.damage = take(&left, c->grade == REFUND_GRADE_DAMAGED ? percent(d->held, p->damage_bp) : 0);
	q.missing = take(&left, p->part_amount * c->missing);
	q.fee = take(&left, fee);
	q.offset = take(&left, p->offsets ? c->owed : 0);
	q.net = left;
	q.approved = c->approved;
	return q;
}

static m_quote quote_now(const m_case *c, const m_deposit *d)
{
	return c->accepted ? c->fixed : live_quote(c, d);
}

/* What the agreement pays: the approved amount, but never more than the quote. */
static int64_t payout_total(const m_quote *q)
{
	return q->approved >= 0 && q->approved < q->net ? q->approved : q->net;
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* `months` later on the same day of month, clamped to the month's end, same UTC time. */
static refund_time add_months(refund_time t, int months)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y;
	int m, d, last;

	civil_from_days(t / DAY, &y, &m, &d);
	m += months;
	y += (m - 1) / 12;
	m = (m - 1) % 12 + 1;
	last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > last)
		d = last;
	return days_from_civil(y, m, d) * DAY + t % DAY;
}

/* WEEKEND calendar: UTC, Saturday and Sunday off; counting starts the day after. */
static refund_time add_business_days(refund_time t, int32_t n)
{
	while (n > 0) {
		int weekday;

		t += DAY;
		weekday = (int)((t / DAY + 4) % 7);  /* 1970-01-01 was a Thursday; 0 = Sunday */
		if (weekday != 0 && weekday != 6)
			n--;
	}
	return t;
}

static refund_time deadline_after(const m_deadline *dl, refund_time from)
{
	return dl->unit == REFUND_BUSINESS_DAYS ? add_business_days(from, dl->amount)
			: from + dl->amount * DAY;
}

/* ---- clocks (deadline.h and the table's clock column) ---- */

/* Entering `state` at `start` starts its deadline, if the policy gives one. */
static void clock_start(m_case *c, int state, refund_time start)
{
	const m_deadline *dl = &policies[c->pol].deadlines[state];

	c->clock.state = 0;
	c->clock.started = start;
	c->clock.due = 0;
	c->clock.consequence = 0;
	c->clock.overdue = 0;
	if (dl->amount > 0) {
		c->clock.state = state;
		c->clock.due = deadline_after(dl, start);
		c->clock.consequence = dl->consequence;
	}
}

/* Waiting on documents pauses the review clock (the policies here count it in calendar days). */
static void clock_pause(m_case *c, refund_time now)
{
	c->clock.paused_state = 0;
	if (!c->clock.state)
		return;
	c->clock.paused_left = c->clock.due > now ? c->clock.due - now : 0;
	c->clock.paused_state = c->clock.state;
}

static void clock_resume(m_case *c, int state, refund_time now)
{
	const m_deadline *dl = &policies[c->pol].deadlines[state];

	if (c->clock.paused_state != state || dl->amount == 0) {
		clock_start(c, state, now);
		return;
	}
	c->clock.state = state;
	c->clock.started = now;
	c->clock.due = now + c->clock.paused_left;
	c->clock.consequence = dl->consequence;
	c->clock.overdue = 0;
	c->clock.paused_state = 0;
	c->clock.paused_left = 0;
}

/* Past due: noticed, and reminded again each further period. */
static void clock_advance(m_case *c)
{
	const m_deadline *dl = &policies[c->pol].deadlines[c->clock.state];

	if (!c->clock.state || dl->amount == 0)
		return;
	c->clock.due = deadline_after(dl, c->clock.due);
	c->clock.consequence = REFUND_ON_DUE_REMIND;
	c->clock.overdue = 1;
}

static void enter(m_case *c, m_deposit *d, int state, refund_time now)
{
	c->state = state;
	clock_start(c, state, now);
	if (state_final(state))
		d->open_case = -1;
}

/* ---- the model's decisions ---- */

static uint32_t required_evidence(const m_case *c)
{
	const m_policy *p = &policies[c->pol];

	return p->common_evidence | p->reason_evidence[c->reason];
}

static uint32_t missing_evidence(const m_case *c)
{
	uint32_t want = c->state == REFUND_STATE_AWAITING_DOCUMENTS ? c->requested
			: required_evidence(c);

	return want & ~c->evidence;
}

static int window_closed(const m_policy *p, const m_deposit *d, refund_time now)
{
	const deposit_def *def = &d->def;
	refund_time base = def->paid_at;

	if (p->window_anchor == REFUND_WINDOW_NONE)
		return 0;
	if (p->window_anchor == REFUND_WINDOW_CONTRACT_END && def->contract_end != REFUND_TIME_NONE)
		base = def->contract_end;
	return now > base + p->window_days * DAY;
}

static int account_rc(int variant)
{
	static const int rcs[] = { 0, 0, 0, REFUND_EINVAL, REFUND_EINVAL, REFUND_EINVAL,
		REFUND_EVERSION, REFUND_EINVAL, REFUND_EINVAL, 0 };

	return rcs[variant];
}

#define NACCOUNTS 10

/* What a refund_act struct alone makes of the call. */
static int act_rc(const action *a)
{
	if (a->act_version != REFUND_ACT_VERSION)
		return REFUND_EVERSION;
	if (a->actor < 0 || a->role < REFUND_ROLE_APPLICANT || a->role > REFUND_ROLE_SYSTEM)
		return REFUND_EINVAL;
	return 0;
}

/*
 * The arguments an idempotency key is bound to: what the call takes, and
 * the note; not who acts.
 */
static void canonical_args(const action *a, char *buf, size_t size)
{
	int64_t amount = 0;
	int di = 0, pi = 0, n1 = 0, n2 = 0, text = 0;

	switch (a->kind) {
	case REFUND_ACTION_OPEN: di = a->di; pi = a->pi; n1 = a->n1; n2 = a->n2; break;
	case REFUND_ACTION_ATTACH: case REFUND_ACTION_REJECT: case REFUND_ACTION_PAY:
	case REFUND_ACTION_PAY_FAILED: n1 = a->n1; text = a->text; break;
	case REFUND_ACTION_SUBMIT: case REFUND_ACTION_REQUEST_DOCUMENTS: case REFUND_ACTION_OFFER:
	case REFUND_ACTION_ESCALATE: case REFUND_ACTION_REEVALUATE: n1 = a->n1; break;
	case REFUND_ACTION_APPROVE: case REFUND_ACTION_SET_OFFSET: amount = a->amount; break;
	case REFUND_ACTION_RECEIVE_DEVICE: text = a->text; break;
	case REFUND_ACTION_INSPECT: n1 = a->n1; n2 = a->n2; break;
	default: break;
	}
	snprintf(buf, size, "%d|%d|%d|%lld|%d|%d|%d|%d", a->kind, di, pi, (long long)amount,
			n1, n2, text, a->note);
}

static int remember_key(m_case *c, const action *a)
{
	if (!a->key)
		return 0;
	assert_true(c->nkeys < MAX_KEYS);
	c->keys[c->nkeys].key = a->key;
	canonical_args(a, c->keys[c->nkeys].args, sizeof(c->keys[0].args));
	c->nkeys++;
	return 0;
}

/* 1: a retry of what the key did (0 to the caller), REFUND_EDUPLICATE, or 0: new. */
static int key_seen(const m_case *c, const action *a)
{
	char args[128];
	int i;

	if (!a->key)
		return 0;
	canonical_args(a, args, sizeof(args));
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].key == a->key)
			return strcmp(c->keys[i].args, args) == 0 ? 1 : REFUND_EDUPLICATE;
	return 0;
}

/*
 * policy.h: "for refunds above threshold, whoever approved may not also
 * record the payout"; the refund is what the accepted terms pay, which is
 * less than the quote's net when a smaller amount was approved.
 */
static int four_eyes_denies(const m_case *c, const action *a)
{
	const m_policy *p = &policies[c->pol];

	if (p->four_eyes < 0 || a->actor != c->approved_by)
		return 0;
	return payout_total(&c->fixed) > p->four_eyes;
}

static int pay_part_rc(const m_case *c, const action *a)
{
	if (a->n1 < 1 || a->n1 > c->nparts)
		return REFUND_EINVAL;
	if (c->parts[a->n1 - 1].status == REFUND_PART_PAID)
		return REFUND_ESTATE;
	return a->text == TEXT_SET ? 0 : REFUND_EINVAL;
}

static void offer_terms(m_case *c, const m_deposit *d, int parts)
{
	int64_t total;
	int i;

	c->fixed = live_quote(c, d);
	total = payout_total(&c->fixed);
	memset(c->parts, 0, sizeof(c->parts));
	/* Equal parts, the first ones a unit larger (money.h, largest remainder). */
	for (i = 0; i < parts; i++) {
		c->parts[i].amount = total / parts + (i < total % parts);
		c->parts[i].status = REFUND_PART_PENDING;
	}
	c->nparts = parts;
	c->offered = 1;
}

static void accept_terms(m_case *c, m_deposit *d, refund_time now)
{
	const m_policy *p = &policies[c->pol];
	int64_t settled = c->fixed.remaining - payout_total(&c->fixed);
	int i;

	/* Deductions, fee, offset and whatever is not paid out leave the deposit now. */
	d->deducted += settled;
	d->remaining -= settled;
	for (i = 0; i < c->nparts; i++)
		c->parts[i].due = add_months(now, i * p->interval_months);
	c->accepted = 1;
}

static int approve_to(m_case *c, m_deposit *d, int64_t amount, int actor,
		refund_time now)
{
	c->approved = amount;
	c->approved_by = actor;
	enter(c, d, policies[c->pol].return_required ? REFUND_STATE_DEVICE_RETURN
			: REFUND_STATE_AGREEMENT, now);
	return 0;
}

static int pay(m_case *c, m_deposit *d, const action *a, refund_time now)
{
	m_part *part = &c->parts[a->n1 - 1];
	int i, unpaid = 0;

	part->status = REFUND_PART_PAID;
	part->attempts++;
	d->refunded += part->amount;
	d->remaining -= part->amount;
	for (i = 0; i < c->nparts; i++)
		unpaid += c->parts[i].status != REFUND_PART_PAID;
	if (unpaid)
		clock_start(c, REFUND_STATE_PAYOUT, now);
	else
		enter(c, d, REFUND_STATE_PAID, now);
	return 0;
}

static int reevaluate(m_case *c, const action *a, refund_time now)
{
	int to = policy_lookup(policies[c->pol].id, (uint32_t)a->n1);

	if (to < 0)
		return REFUND_ENOTFOUND;
	if (policies[to].version <= policies[c->pol].version)
		return REFUND_EINVAL;
	c->pol = to;
	/* The current state's deadline follows the new rules, from when it started. */
	clock_start(c, c->state, c->clock.state ? c->clock.started : now);
	return 0;
}

/* Guards and effects of a case action allowed in this state to this role, on copies. */
static int model_effect(world *w, m_case *c, m_deposit *d, const action *a, refund_time now)
{
	const m_policy *p = &policies[c->pol];
	m_quote q;

	switch (a->kind) {
	case REFUND_ACTION_ATTACH:
		if (a->n1 < REFUND_EVIDENCE_RECEIPT || a->n1 > REFUND_EVIDENCE_OTHER ||
		    a->text != TEXT_SET)
			return REFUND_EINVAL;
		c->evidence |= REFUND_EVIDENCE_BIT(a->n1);
		c->nevidence++;
		return 0;
	case REFUND_ACTION_SUBMIT:
		if (window_closed(p, &w->deposits[c->dep], now))
			return REFUND_EDEADLINE;
		if (required_evidence(c) & ~c->evidence)
			return REFUND_EEVIDENCE;
		if (account_rc(a->n1))
			return account_rc(a->n1);
		enter(c, d, REFUND_STATE_SUBMITTED, now);
		return 0;
	case REFUND_ACTION_START_REVIEW:
		enter(c, d, REFUND_STATE_UNDER_REVIEW, now);
		return 0;
	case REFUND_ACTION_REQUEST_DOCUMENTS:
		if (a->n1 == 0 || ((uint32_t)a->n1 & ~(uint32_t)0x3FE))
			return REFUND_EINVAL;
		c->requested = (uint32_t)a->n1;
		clock_pause(c, now);
		enter(c, d, REFUND_STATE_AWAITING_DOCUMENTS, now);
		return 0;
	case REFUND_ACTION_PROVIDE_DOCUMENTS:
		if (c->requested & ~c->evidence)
			return REFUND_EEVIDENCE;
		c->requested = 0;
		c->state = REFUND_STATE_UNDER_REVIEW;
		clock_resume(c, REFUND_STATE_UNDER_REVIEW, now);
		return 0;
	case REFUND_ACTION_APPROVE:
		q = live_quote(c, d);
		if (a->amount <= 0)
			return REFUND_EINVAL;
		if (a->amount > q.net)
			return REFUND_EBALANCE;
		return approve_to(c, d, a->amount, a->actor, now);
	case REFUND_ACTION_REJECT:
		if (a->n1 < REFUND_REJECT_INCOMPLETE_EVIDENCE || a->n1 > REFUND_REJECT_OTHER ||
		    a->text != TEXT_SET)
			return REFUND_EINVAL;
		enter(c, d, REFUND_STATE_REJECTED, now);
		return 0;
	case REFUND_ACTION_APPEAL:
		enter(c, d, REFUND_STATE_UNDER_REVIEW, now);
		return 0;
	case REFUND_ACTION_RECEIVE_DEVICE:
		if (a->text == TEXT_EMPTY)
			return REFUND_EINVAL;
		enter(c, d, REFUND_STATE_INSPECTION, now);
		return 0;
	case REFUND_ACTION_INSPECT:
		if (a->n1 < REFUND_GRADE_FINE || a->n1 > REFUND_GRADE_DAMAGED || a->n2 < 0 || a->n2 > 100)
			return REFUND_EINVAL;
		c->grade = a->n1;
		c->missing = a->n2;
		enter(c, d, REFUND_STATE_AGREEMENT, now);
		return 0;
	case REFUND_ACTION_SET_OFFSET:
		if (!p->offsets)
			return REFUND_EDENIED;
		if (a->amount < 0)
			return REFUND_EINVAL;
		c->owed = a->amount;
		return 0;
	case REFUND_ACTION_OFFER:
		if (a->n1 < 1 || a->n1 > p->max_parts)
			return REFUND_EINVAL;
		offer_terms(c, d, a->n1);
		return 0;
	case REFUND_ACTION_ACCEPT:
		if (!c->offered)
			return REFUND_ESTATE;
		accept_terms(c, d, now);
		enter(c, d, REFUND_STATE_PAYOUT, now);
		return 0;
	case REFUND_ACTION_PAY:
		if (four_eyes_denies(c, a))
			return REFUND_EDENIED;
		if (pay_part_rc(c, a))
			return pay_part_rc(c, a);
		return pay(c, d, a, now);
	case REFUND_ACTION_PAY_FAILED:
		if (pay_part_rc(c, a))
			return pay_part_rc(c, a);
		c->parts[a->n1 - 1].status = REFUND_PART_FAILED;
		c->parts[a->n1 - 1].attempts++;
		return 0;
	case REFUND_ACTION_CONFIRM:
		enter(c, d, REFUND_STATE_CLOSED, now);
		return 0;
	case REFUND_ACTION_WITHDRAW:
		enter(c, d, REFUND_STATE_WITHDRAWN, now);
		return 0;
	case REFUND_ACTION_ESCALATE:
		if (a->n1 != REFUND_PARTY_REGULATOR && a->n1 != REFUND_PARTY_CONSUMER_ASSOCIATION &&
		    a->n1 != REFUND_PARTY_LEGAL)
			return REFUND_EINVAL;
		c->escalated |= (uint32_t)a->n1;
		return 0;
	case REFUND_ACTION_REEVALUATE:
		return reevaluate(c, a, now);
	default:
		fail_msg("model: no effect for action %d", a->kind);
		return REFUND_EINVAL;
	}
}

static int model_case_action(world *w, const action *a)
{
	m_case *c = &w->cases[a->ci], next;
	m_deposit dep;
	int rc;

	if ((rc = act_rc(a)) != 0)
		return rc;
	if ((rc = key_seen(c, a)) != 0)
		return rc == 1 ? 0 : rc;
	if (!(rules[a->kind].states & (1u << c->state)))
		return REFUND_ESTATE;
	if (!(rules[a->kind].roles & (1u << a->role)))
		return REFUND_EDENIED;
	next = *c;
	dep = w->deposits[c->dep];
	if ((rc = model_effect(w, &next, &dep, a, w->f->now)) != 0)
		return rc;
	remember_key(&next, a);
	next.version++;
	*c = next;
	w->deposits[c->dep] = dep;
	return 0;
}

static int find_case(const world *w, const char *id)
{
	int i;

	for (i = 0; i < w->ncases; i++)
		if (strcmp(w->cases[i].id, id) == 0)
			return i;
	return -1;
}

static const char *const policy_names[] = { "P-A", "P-B", "P-X" };

/* refund_case_open: a retry, or the refusals in the order the library checks them. */
static int model_open(world *w, const action *a)
{
	int existing = find_case(w, a->case_id), pol, rc;
	m_case *c;
	m_deposit *d;

	if ((rc = act_rc(a)) != 0)
		return rc;
	if (a->n1 < REFUND_REASON_DEVICE_FAULT || a->n1 > REFUND_REASON_FRAUD)
		return REFUND_EINVAL;
	if (existing >= 0 && (rc = key_seen(&w->cases[existing], a)) != 0)
		return rc == 1 ? 0 : rc;
	if ((pol = policy_lookup(policy_names[a->pi], (uint32_t)a->n2)) < 0 || a->di == NO_DEPOSIT)
		return REFUND_ENOTFOUND;
	d = &w->deposits[a->di];
	if (strcmp(d->def.currency, "CNY") != 0)
		return REFUND_ECURRENCY;
	if (d->open_case >= 0)
		return REFUND_EDUPLICATE;
	if (!(ROLE(APPLICANT) & (1u << a->role)) && !(ROLE(AGENT) & (1u << a->role)) &&
	    !(ROLE(ADMIN) & (1u << a->role)))
		return REFUND_EDENIED;
	if (existing >= 0)
		return REFUND_EEXISTS;
	if (window_closed(&policies[pol], d, w->f->now))
		return REFUND_EDEADLINE;
	c = &w->cases[w->ncases];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", a->case_id);
	c->dep = a->di;
	c->pol = pol;
	c->reason = a->n1;
	c->version = 1;
	c->approved = -1;
	c->approved_by = -1;
	c->fixed.approved = -1;
	enter(c, d, REFUND_STATE_DRAFT, w->f->now);
	remember_key(c, a);
	d->open_case = w->ncases++;
	return 0;
}

static int model_post(world *w, const action *a)
{
	m_deposit *d = &w->deposits[a->di];

	if (a->n1 <= REFUND_ENTRY_HOLD || a->n1 > REFUND_ENTRY_FORFEIT || a->amount <= 0 ||
	    a->actor < 0 || a->role < REFUND_ROLE_APPLICANT || a->role > REFUND_ROLE_SYSTEM)
		return REFUND_EINVAL;
	if (a->role != REFUND_ROLE_FINANCE && a->role != REFUND_ROLE_ADMIN)
		return REFUND_EDENIED;
	if (d->open_case >= 0)
		return REFUND_ESTATE;
	if (a->amount > d->remaining)
		return REFUND_EBALANCE;
	if (a->n1 == REFUND_ENTRY_REFUND)
		d->refunded += a->amount;
	else
		d->deducted += a->amount;
	d->remaining -= a->amount;
	return 0;
}

static int model_usage(world *w, const action *a)
{
	m_deposit *d = &w->deposits[a->di];

	if (a->amount < 0 || a->amount2 < 0 || a->actor < 0 ||
	    a->role < REFUND_ROLE_APPLICANT || a->role > REFUND_ROLE_SYSTEM)
		return REFUND_EINVAL;
	if (a->role != REFUND_ROLE_AGENT && a->role != REFUND_ROLE_ADMIN &&
	    a->role != REFUND_ROLE_SYSTEM)
		return REFUND_EDENIED;
	d->days = a->amount;
	d->volume = a->amount2;
	return 0;
}

/* What one case's passed deadline does (policy.h, refund_consequence). */
static void model_fire(world *w, m_case *c, refund_time now)
{
	const m_policy *p = &policies[c->pol];
	m_deposit *d = &w->deposits[c->dep];
	m_quote q;

	w->consequences[c->clock.consequence]++;
	switch (c->clock.consequence) {
	case REFUND_ON_DUE_ESCALATE:
		c->escalated |= p->parties;
		clock_advance(c);
		break;
	case REFUND_ON_DUE_EXPIRE:
		enter(c, d, REFUND_STATE_EXPIRED, now);
		break;
	case REFUND_ON_DUE_APPROVE:
		q = live_quote(c, d);
		approve_to(c, d, q.net, SYSTEM_ACTOR, now);
		break;
	case REFUND_ON_DUE_CLOSE:
		enter(c, d, REFUND_STATE_CLOSED, now);
		break;
	default:
		clock_advance(c);
		break;
	}
	c->version++;
}

/* A tick at `now`: every case whose deadline passed fires until it is no longer due. */
static void model_tick(world *w, refund_time now, size_t *due, size_t *fired)
{
	int i, rounds;

	*due = *fired = 0;
	for (i = 0; i < w->ncases; i++) {
		m_case *c = &w->cases[i];

		if (!c->clock.state || c->clock.due > now)
			continue;
		(*due)++;
		for (rounds = 0; c->clock.state && c->clock.due <= now; rounds++) {
			/* The generator ticks often enough that no case needs the library's 16 rounds. */
			assert_true(rounds < 16);
			int from = c->state;

			model_fire(w, c, now);
			if (c->state != from)
				w->reached[c->state]++;
			(*fired)++;
		}
	}
}

/* ---- the library side ---- */

static refund_act make_act(const action *a, char *key, char *note)
{
	refund_act act = REFUND_ACT_INIT;

	act.version = a->act_version;
	act.actor = a->actor >= 0 ? actor_names[a->actor] : NULL;
	act.role = a->role;
	if (a->key) {
		sprintf(key, "k%d", a->key);
		act.idempotency_key = key;
	}
	if (a->note) {
		sprintf(note, "note %d", a->note);
		act.note = note;
	}
	return act;
}

static refund_account make_account(int variant)
{
	refund_account acc = REFUND_ACCOUNT_INIT;

	acc.method = REFUND_PAYOUT_BANK;
	acc.name = "深圳市某某商贸有限公司";
	acc.number = "6222020200112233445";
	acc.bank = "中国工商银行深圳分行";
	switch (variant) {
	case 1: acc.method = REFUND_PAYOUT_ALIPAY; acc.number = "pay@example.com"; break;
	case 2: acc.method = REFUND_PAYOUT_WECHAT; acc.number = "wx_shop-01"; break;
	case 4: acc.number = "1234567"; break;
	case 5: acc.bank = NULL; break;
	case 6: acc.version = 2; break;
	case 7: acc.method = REFUND_PAYOUT_WECHAT; acc.number = "1abcdef"; break;
	case 8: acc.method = 9; break;
	case 9: acc.method = REFUND_PAYOUT_ALIPAY; acc.number = "13800138000"; break;
	default: break;
	}
	return acc;
}

static const char *text_of(int variant, const char *set)
{
	return variant == TEXT_NULL ? NULL : variant == TEXT_EMPTY ? "" : set;
}

static int lib_case_action(world *w, const action *a)
{
	refund_case *h = w->cases[a->ci].h;
	char key[8], note[16];
	refund_act act = make_act(a, key, note);
	refund_account acc = make_account(a->n1);

	switch (a->kind) {
	case REFUND_ACTION_ATTACH:
		return refund_case_attach(h, &act, a->n1, text_of(a->text, "file:doc.pdf"));
	case REFUND_ACTION_SUBMIT: return refund_case_submit(h, &act, a->n1 == 3 ? NULL : &acc);
	case REFUND_ACTION_START_REVIEW: return refund_case_start_review(h, &act);
	case REFUND_ACTION_REQUEST_DOCUMENTS:
		return refund_case_request_documents(h, &act, (uint32_t)a->n1);
	case REFUND_ACTION_PROVIDE_DOCUMENTS: return refund_case_provide_documents(h, &act);
	case REFUND_ACTION_APPROVE: return refund_case_approve(h, &act, a->amount);
	case REFUND_ACTION_REJECT: return refund_case_reject(h, &act, a->n1, text_of(a->text, "资料不全"));
	case REFUND_ACTION_APPEAL: return refund_case_appeal(h, &act);
	case REFUND_ACTION_RECEIVE_DEVICE:
		return refund_case_receive_device(h, &act, text_of(a->text, "SF1234567890"));
	case REFUND_ACTION_INSPECT: return refund_case_inspect(h, &act, a->n1, a->n2);
	case REFUND_ACTION_SET_OFFSET: return refund_case_set_offset(h, &act, a->amount);
	case REFUND_ACTION_OFFER: return refund_case_offer(h, &act, a->n1);
	case REFUND_ACTION_ACCEPT: return refund_case_accept(h, &act);
	case REFUND_ACTION_PAY: return refund_case_pay(h, &act, a->n1, text_of(a->text, "PAY-0001"));
	case REFUND_ACTION_PAY_FAILED:
		return refund_case_pay_failed(h, &act, a->n1, text_of(a->text, "bank timeout"));
	case REFUND_ACTION_CONFIRM: return refund_case_confirm(h, &act);
	case REFUND_ACTION_WITHDRAW: return refund_case_withdraw(h, &act);
	case REFUND_ACTION_ESCALATE: return refund_case_escalate(h, &act, a->n1);
	case REFUND_ACTION_REEVALUATE: return refund_case_reevaluate(h, &act, (uint32_t)a->n1);
	default: fail_msg("no library call for action %d", a->kind); return 0;
	}
}

static int lib_open(world *w, const action *a, refund_case **out)
{
	char key[8], note[16];
	refund_act act = make_act(a, key, note);

	return refund_case_open(w->f->engine, out, a->case_id,
			a->di == NO_DEPOSIT ? "D-NONE" : w->deposits[a->di].def.id,
			policy_names[a->pi], (uint32_t)a->n2, a->n1, &act);
}

static refund_deposit *load_deposit(world *w, int di)
{
	refund_deposit *d = NULL;

	assert_int_equal(refund_deposit_load(w->f->engine, &d, w->deposits[di].def.id), 0);
	return d;
}

static int lib_deposit_action(world *w, const action *a)
{
	refund_deposit *d = load_deposit(w, a->di);
	const char *actor = a->actor >= 0 ? actor_names[a->actor] : NULL;
	int rc;

	if (a->kind == X_POST)
		rc = refund_deposit_post(d, a->n1, a->amount, actor, a->role, "model");
	else
		rc = refund_deposit_set_usage(d, a->amount, a->amount2, actor, a->role);
	refund_deposit_free(d);
	return rc;
}

/* ---- comparing the two ---- */

static void compare_deposit(world *w, const action *a, int di)
{
	const m_deposit *m = &w->deposits[di];
	refund_deposit *d = load_deposit(w, di);
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	const char *open = refund_deposit_open_case(d);
	const char *want = m->open_case >= 0 ? w->cases[m->open_case].id : NULL;

	assert_int_equal(refund_deposit_balance(d, &b), 0);
	if (b.held != b.refunded + b.deducted + b.remaining || b.remaining < 0)
		MISMATCH(w, a, "deposit %s breaks the ledger invariant: held %lld refunded %lld "
				"deducted %lld remaining %lld", m->def.id, (long long)b.held,
				(long long)b.refunded, (long long)b.deducted, (long long)b.remaining);
	if (b.held != m->held || b.refunded != m->refunded || b.deducted != m->deducted ||
	    b.remaining != m->remaining)
		MISMATCH(w, a, "deposit %s: library held/refunded/deducted/remaining %lld/%lld/%lld/%lld, "
				"model %lld/%lld/%lld/%lld", m->def.id, (long long)b.held,
				(long long)b.refunded, (long long)b.deducted, (long long)b.remaining,
				(long long)m->held, (long long)m->refunded, (long long)m->deducted,
				(long long)m->remaining);
	if ((open == NULL) != (want == NULL) || (open && strcmp(open, want) != 0))
		MISMATCH(w, a, "deposit %s: open case %s, model %s", m->def.id,
				open ? open : "none", want ? want : "none");
	if (refund_deposit_days_in_service(d) != m->days ||
	    refund_deposit_transaction_volume(d) != m->volume)
		MISMATCH(w, a, "deposit %s: usage differs", m->def.id);
	refund_deposit_free(d);
}

#define SAME(field, lib, model) \
	do { \
		if ((int64_t)(lib) != (int64_t)(model)) \
			MISMATCH(w, a, "case %s: %s is %lld, model %lld", c->id, field, \
					(long long)(lib), (long long)(model)); \
	} while (0)

static void compare_quote(world *w, const action *a, const m_case *c, refund_case *h)
{
	refund_quote q;
	m_quote m = quote_now(c, &w->deposits[c->dep]);

	memset(&q, 0, sizeof(q));
	q.version = REFUND_QUOTE_VERSION;
	if (refund_case_quote(h, &q) != 0)
		MISMATCH(w, a, "case %s: refund_case_quote failed", c->id);
	SAME("quote.remaining", q.remaining, m.remaining);
	SAME("quote.tier_bp", q.tier_bp, m.tier_bp);
	SAME("quote.gross", q.gross, m.gross);
	SAME("quote.forfeited", q.forfeited, m.forfeited);
	SAME("quote.damage", q.damage, m.damage);
	SAME("quote.missing_parts", q.missing_parts, m.missing);
	SAME("quote.fee", q.fee, m.fee);
	SAME("quote.offset", q.offset, m.offset);
	SAME("quote.net", q.net, m.net);
	SAME("quote.approved", q.approved, m.approved);
}

static void compare_parts(world *w, const action *a, const m_case *c, refund_case *h)
{
	int i;

	SAME("part count", refund_case_part_count(h), c->nparts);
	for (i = 0; i < c->nparts; i++) {
		refund_part p = { REFUND_PART_VERSION, 0, 0, 0, 0, NULL, NULL };

		assert_int_equal(refund_case_part(h, i + 1, &p), 0);
		SAME("part amount", p.amount, c->parts[i].amount);
		SAME("part status", p.status, c->parts[i].status);
		SAME("part attempts", p.attempts, c->parts[i].attempts);
		if (c->accepted)
			SAME("part due", p.due, c->parts[i].due);
	}
}

static void compare_deadline(world *w, const action *a, const m_case *c, refund_case *h)
{
	refund_deadline dl = { REFUND_DEADLINE_VERSION, 0, 0, 0, 0, 0, 0 };
	int rc = refund_case_next_deadline(h, &dl);

	SAME("next_deadline rc", rc, c->clock.state ? 0 : REFUND_ENOTFOUND);
	if (rc != 0)
		return;
	SAME("deadline state", dl.state, c->clock.state);
	SAME("deadline started", dl.started, c->clock.started);
	SAME("deadline due", dl.due, c->clock.due);
	SAME("deadline consequence", dl.consequence, c->clock.consequence);
	SAME("deadline overdue", dl.overdue, c->clock.overdue);
}

static void compare_case(world *w, const action *a, const m_case *c, refund_case *h)
{
	uint32_t version = 0;

	SAME("state", refund_case_state(h), c->state);
	SAME("version", refund_case_version(h), c->version);
	SAME("evidence", refund_case_evidence(h), c->evidence);
	SAME("missing evidence", refund_case_missing_evidence(h), missing_evidence(c));
	SAME("escalations", refund_case_escalations(h), c->escalated);
	refund_case_policy(h, &version);
	SAME("policy version", version, policies[c->pol].version);
	compare_parts(w, a, c, h);
	compare_deadline(w, a, c, h);
	compare_quote(w, a, c, h);
}

/* Reload a case from the store into its handle, and compare. */
static void reload_case(world *w, const action *a, m_case *c)
{
	refund_case *fresh = NULL;

	assert_int_equal(refund_case_load(w->f->engine, &fresh, c->id), 0);
	refund_case_free(c->h);
	c->h = fresh;
	compare_case(w, a, c, fresh);
}

static void verify_all(world *w)
{
	int i;

	for (i = 0; i < w->ncases; i++) {
		uint64_t bad = 99;

		if (refund_case_verify(w->cases[i].h, &bad) != 0 || bad != 0)
			MISMATCH(w, NULL, "case %s: audit chain broken at event %llu", w->cases[i].id,
					(unsigned long long)bad);
	}
}

static void check_everything(world *w)
{
	int i;

	for (i = 0; i < w->ncases; i++)
		reload_case(w, NULL, &w->cases[i]);
	for (i = 0; i < w->ndeposits; i++)
		compare_deposit(w, NULL, i);
}

/* The library's deposit, as the model describes it. */
static void create_deposit(world *w, const m_deposit *m)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	refund_deposit *d = NULL;

	info.id = m->def.id;
	info.holder = "M-1001";
	info.agent = "AG-7";
	info.terminal_serial = "SN-42";
	info.amount = m->def.amount;
	info.currency = m->def.currency;
	info.paid_at = m->def.paid_at;
	info.contract_end = m->def.contract_end;
	assert_int_equal(refund_deposit_create(w->f->engine, &d, &info, "agent-7",
			REFUND_ROLE_AGENT), 0);
	assert_int_equal(refund_deposit_set_usage(d, m->def.days, m->def.volume, "agent-7",
			REFUND_ROLE_AGENT), 0);
	refund_deposit_free(d);
}

static int add_deposit(world *w, const deposit_def *def)
{
	m_deposit *m = &w->deposits[w->ndeposits];

	assert_true(w->ndeposits < MAX_DEPOSITS);
	memset(m, 0, sizeof(*m));
	m->def = *def;
	m->held = m->remaining = def->amount;
	m->days = def->days;
	m->volume = def->volume;
	m->open_case = -1;
	return w->ndeposits++;
}

/* ---- running one action on both ---- */

static void count(world *w, const action *a, int rc)
{
	if (rc <= 0 && rc > -23)
		w->outcomes[a->kind][-rc]++;
}

static void print_stats(const world *w)
{
	int k, e;

	for (k = 1; k <= X_RENEW; k++) {
		char line[512];
		size_t used = 0;

		if (k >= REFUND_ACTION_COUNT && k < X_POST)
			continue;
		used += (size_t)snprintf(line, sizeof(line), "%-18s", action_name(k));
		for (e = 0; e < 23 && used < sizeof(line); e++)
			if (w->outcomes[k][e])
				used += (size_t)snprintf(line + used, sizeof(line) - used, " %s:%ld",
						e ? refund_error_name(-e) + 7 : "ok", w->outcomes[k][e]);
		print_message("%s\n", line);
	}
	for (k = 1; k < REFUND_STATE_COUNT; k++)
		print_message("cases entering %-18s %ld\n", refund_case_state_name(k), w->reached[k]);
	print_message("deadlines fired: remind %ld, escalate %ld, expire %ld, approve %ld, close %ld\n",
			w->consequences[REFUND_ON_DUE_REMIND], w->consequences[REFUND_ON_DUE_ESCALATE],
			w->consequences[REFUND_ON_DUE_EXPIRE], w->consequences[REFUND_ON_DUE_APPROVE],
			w->consequences[REFUND_ON_DUE_CLOSE]);
}

static void run_open(world *w, const action *a)
{
	refund_case *h = NULL;
	int before = w->ncases, existing = find_case(w, a->case_id);
	int want = model_open(w, a), got = lib_open(w, a, &h);

	if (got != want)
		MISMATCH(w, a, "refund_case_open returned %d (%s), model %d (%s)", got,
				refund_error_name(got), want, refund_error_name(want));
	count(w, a, got);
	if (got != 0) {
		w->refused++;
		return;
	}
	w->accepted++;
	if (a->key) {
		w->last_keyed = *a;
		w->has_last_keyed = 1;
	}
	if (w->ncases > before) {
		w->reached[REFUND_STATE_DRAFT]++;
		w->cases[before].h = h;
		compare_case(w, a, &w->cases[before], h);
	} else {
		/* A retry hands back the case the key opened. */
		assert_true(existing >= 0);
		compare_case(w, a, &w->cases[existing], h);
		refund_case_free(h);
	}
	if (a->di != NO_DEPOSIT)
		compare_deposit(w, a, a->di);
}

static void run_case_action(world *w, const action *a)
{
	m_case *c = &w->cases[a->ci];
	int from = c->state, want = model_case_action(w, a), got = lib_case_action(w, a);

	if (got != want)
		MISMATCH(w, a, "returned %d (%s), model %d (%s)", got, refund_error_name(got), want,
				refund_error_name(want));
	count(w, a, got);
	if (c->state != from)
		w->reached[c->state]++;
	compare_case(w, a, c, c->h);
	compare_deposit(w, a, c->dep);
	if (got != 0)
		w->refused++;
	else
		w->accepted++;
	if (got == 0 && a->key) {
		w->last_keyed = *a;
		w->has_last_keyed = 1;
	}
}

static void run_tick(world *w, const action *a)
{
	refund_tick_result res = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
	uint64_t *before = calloc((size_t)w->ncases + 1, sizeof(*before));
	size_t due = 0, fired = 0;
	int i, rc;

	assert_non_null(before);
	for (i = 0; i < w->ncases; i++)
		before[i] = w->cases[i].version;
	model_tick(w, w->f->now, &due, &fired);
	rc = refund_engine_tick(w->f->engine, w->f->now, 0, &res);
	if (rc != 0)
		MISMATCH(w, a, "tick returned %d (%s)", rc, refund_error_name(rc));
	if (res.due != due || res.consequences + res.reminders != fired || res.conflicts != 0)
		MISMATCH(w, a, "tick: due %zu, fired %zu, conflicts %zu; model due %zu, fired %zu",
				res.due, res.consequences + res.reminders, res.conflicts, due, fired);
	for (i = 0; i < w->ncases; i++)
		if (w->cases[i].version != before[i]) {
			reload_case(w, a, &w->cases[i]);
			compare_deposit(w, a, w->cases[i].dep);
		}
	w->ticks++;
	w->fired += (long)fired;
	count(w, a, 0);
	free(before);
}

static void run_renew(world *w, const action *a)
{
	deposit_def def;
	int di;

	memset(&def, 0, sizeof(def));
	snprintf(def.id, sizeof(def.id), "D-%d.%d", a->n1 + 1, w->ndeposits);
	def.currency = "CNY";
	def.amount = a->amount;
	def.paid_at = a->amount2;
	def.contract_end = a->text == TEXT_SET ? a->amount2 + 365 * DAY : REFUND_TIME_NONE;
	def.days = a->n2;
	def.volume = a->amount3;
	di = add_deposit(w, &def);
	w->slots[a->n1] = di;
	create_deposit(w, &w->deposits[di]);
	compare_deposit(w, a, di);
	count(w, a, 0);
}

static void run_action(world *w, const action *a)
{
	int want, got;

	if (w->trace) {
		char buf[512];

		describe(w, a, buf, sizeof(buf));
		print_message("step %ld: %s\n", w->step, buf);
	}
	switch (a->kind) {
	case REFUND_ACTION_OPEN:
		run_open(w, a);
		return;
	case X_ADVANCE:
		w->f->now += a->amount;
		if (a->n1)
			run_tick(w, a);
		return;
	case X_TICK:
		run_tick(w, a);
		return;
	case X_RENEW:
		run_renew(w, a);
		return;
	case X_POST:
	case X_USAGE:
		want = a->kind == X_POST ? model_post(w, a) : model_usage(w, a);
		got = lib_deposit_action(w, a);
		if (got != want)
			MISMATCH(w, a, "returned %d (%s), model %d (%s)", got, refund_error_name(got),
					want, refund_error_name(want));
		if (got != 0)
			w->refused++;
		else
			w->accepted++;
		count(w, a, got);
		compare_deposit(w, a, a->di);
		return;
	default:
		run_case_action(w, a);
		return;
	}
}

/* ---- the generator ---- */

static int random_role(world *w, int usual)
{
	int r = (int)rnd(w, 100);

	if (r < 2)
		return r == 0 ? 0 : 7;  /* not a role at all */
	if (r < 65 && usual)
		return usual;
	return 1 + (int)rnd(w, 6);
}

static void base_action(world *w, action *a, int kind)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->ci = -1;
	a->act_version = chance(w, 1) ? 2 : REFUND_ACT_VERSION;
	a->actor = chance(w, 1) ? -1 : (int)rnd(w, NACTORS);
	a->role = random_role(w, kind < REFUND_ACTION_COUNT ? usual_role[kind] : 0);
	a->note = chance(w, 20) ? 1 + (int)rnd(w, 2) : 0;
	a->key = chance(w, 8) ? 1 + (int)rnd(w, 4) : 0;
	a->text = chance(w, 90) ? TEXT_SET : (int)rnd(w, 2);
}

/* An amount around what matters: the quote, zero, negatives, too much. */
static int64_t random_amount(world *w, int64_t around)
{
	switch (rnd(w, 8)) {
	case 0: return -(int64_t)rnd(w, 1000) - 1;
	case 1: return 0;
	case 2: return around + 1 + (int64_t)rnd(w, 1000);
	case 3: return 1 + (int64_t)rnd(w, 200000);
	case 4: return around > 1 ? 1 + (int64_t)rnd(w, (uint32_t)(around - 1)) : 1;
	default: return around;
	}
}

static int plausible_action(world *w, const m_case *c)
{
	switch (c->state) {
	case REFUND_STATE_DRAFT:
		return chance(w, missing_evidence(c) ? 80 : 20) ? REFUND_ACTION_ATTACH
				: REFUND_ACTION_SUBMIT;
	case REFUND_STATE_SUBMITTED:
		return chance(w, 85) ? REFUND_ACTION_START_REVIEW : REFUND_ACTION_ATTACH;
	case REFUND_STATE_UNDER_REVIEW: {
		static const int pick[] = { REFUND_ACTION_APPROVE, REFUND_ACTION_APPROVE,
			REFUND_ACTION_APPROVE, REFUND_ACTION_REJECT, REFUND_ACTION_REQUEST_DOCUMENTS,
			REFUND_ACTION_SET_OFFSET, REFUND_ACTION_REEVALUATE, REFUND_ACTION_ATTACH };
		return pick[rnd(w, 8)];
	}
	case REFUND_STATE_AWAITING_DOCUMENTS:
		return chance(w, 60) ? REFUND_ACTION_ATTACH : REFUND_ACTION_PROVIDE_DOCUMENTS;
	case REFUND_STATE_REJECTED:
		return chance(w, 70) ? REFUND_ACTION_APPEAL : REFUND_ACTION_WITHDRAW;
	case REFUND_STATE_DEVICE_RETURN:
		return chance(w, 80) ? REFUND_ACTION_RECEIVE_DEVICE : REFUND_ACTION_SET_OFFSET;
	case REFUND_STATE_INSPECTION:
		return REFUND_ACTION_INSPECT;
	case REFUND_STATE_AGREEMENT:
		return c->offered && chance(w, 50) ? REFUND_ACTION_ACCEPT
				: chance(w, 80) ? REFUND_ACTION_OFFER : REFUND_ACTION_SET_OFFSET;
	case REFUND_STATE_PAYOUT:
		return chance(w, 75) ? REFUND_ACTION_PAY : REFUND_ACTION_PAY_FAILED;
	case REFUND_STATE_PAID:
		return REFUND_ACTION_CONFIRM;
	default:
		return REFUND_ACTION_ATTACH + (int)rnd(w, REFUND_ACTION_SET_OFFSET - 1);
	}
}

/* An evidence kind: mostly one the case still lacks. */
static int random_evidence(world *w, const m_case *c)
{
	uint32_t lacking = missing_evidence(c);
	int k;

	if (c->nevidence >= MAX_EVIDENCE)
		return chance(w, 50) ? 0 : 10;  /* only refused kinds once the case has plenty */
	if (lacking && chance(w, 80))
		for (k = 1; k <= REFUND_EVIDENCE_OTHER; k++)
			if (lacking & REFUND_EVIDENCE_BIT(k))
				return k;
	return (int)rnd(w, 11);  /* 0 and 10 are not kinds */
}

static void fill_case_args(world *w, action *a, const m_case *c)
{
	m_quote q = quote_now(c, &w->deposits[c->dep]);
	int parts = policies[c->pol].max_parts;

	switch (a->kind) {
	case REFUND_ACTION_ATTACH:
		a->n1 = random_evidence(w, c);
		break;
	case REFUND_ACTION_SUBMIT:
		a->n1 = chance(w, 75) ? (int)rnd(w, 3) : (int)rnd(w, NACCOUNTS);
		break;
	case REFUND_ACTION_REQUEST_DOCUMENTS: {
		static const int masks[] = { 0, 1, 0x400, 0x3FE, EVIDENCE(OTHER),
			EVIDENCE(FAULT_REPORT) | EVIDENCE(RECEIPT), EVIDENCE(POLICE_REPORT) };
		a->n1 = masks[rnd(w, 7)];
		break;
	}
	case REFUND_ACTION_APPROVE:
	case REFUND_ACTION_SET_OFFSET:
		a->amount = a->kind == REFUND_ACTION_APPROVE ? random_amount(w, q.net)
				: random_amount(w, q.gross / 4);
		break;
	case REFUND_ACTION_REJECT:
		a->n1 = (int)rnd(w, 7);
		break;
	case REFUND_ACTION_INSPECT:
		a->n1 = chance(w, 85) ? 1 + (int)rnd(w, 3) : (int)rnd(w, 6);
		a->n2 = chance(w, 85) ? (int)rnd(w, 4) : (chance(w, 50) ? -1 : 101);
		break;
	case REFUND_ACTION_OFFER:
		a->n1 = chance(w, 85) ? 1 + (int)rnd(w, (uint32_t)parts) : (int)rnd(w, (uint32_t)parts + 3);
		break;
	case REFUND_ACTION_PAY:
	case REFUND_ACTION_PAY_FAILED:
		a->n1 = chance(w, 90) ? 1 + (int)rnd(w, (uint32_t)(c->nparts ? c->nparts : 1))
				: (int)rnd(w, 30);
		break;
	case REFUND_ACTION_ESCALATE:
		a->n1 = (int)rnd(w, 9);
		break;
	case REFUND_ACTION_REEVALUATE:
		a->n1 = (int)rnd(w, 4);
		break;
	case REFUND_ACTION_RECEIVE_DEVICE:
		a->text = (int)rnd(w, 3);
		break;
	default:
		break;
	}
}

/* The case to act on: mostly the one under way for a deposit, sometimes any. */
static int pick_case(world *w)
{
	int di = w->slots[rnd(w, USD_SLOT)];

	if (w->ncases == 0)
		return -1;
	if (w->deposits[di].open_case < 0 && chance(w, 70))
		di = w->slots[rnd(w, USD_SLOT)];
	if (w->deposits[di].open_case >= 0 && chance(w, 95))
		return w->deposits[di].open_case;
	return (int)rnd(w, (uint32_t)w->ncases);
}

/* A spent deposit (no case under way) is replaced by a fresh one, if any. */
static int gen_renew(world *w, action *a, int slot)
{
	const m_deposit *d = &w->deposits[w->slots[slot]];

	if (d->remaining >= 1000 || d->open_case >= 0 || w->ndeposits >= MAX_DEPOSITS)
		return 0;
	base_action(w, a, X_RENEW);
	a->n1 = slot;
	a->amount = 1 + (int64_t)rnd(w, 200000);
	a->amount2 = 1690000000 + (int64_t)rnd(w, 500) * DAY + (int64_t)rnd(w, 86400);  /* 2023-07 on */
	a->amount3 = chance(w, 50) ? 0 : (int64_t)rnd(w, 3000000);
	a->n2 = (int)rnd(w, 500);
	return 1;
}

static void gen_open(world *w, action *a)
{
	int slot = (int)rnd(w, USD_SLOT);

	if (w->deposits[w->slots[slot]].open_case >= 0 && chance(w, 80))
		slot = (slot + 1) % USD_SLOT;  /* mostly where no case is under way */
	if (chance(w, 80) && gen_renew(w, a, slot))
		return;  /* and mostly where there is money */
	base_action(w, a, REFUND_ACTION_OPEN);
	a->di = chance(w, 95) ? w->slots[slot] : chance(w, 50) ? w->slots[USD_SLOT] : NO_DEPOSIT;
	a->pi = chance(w, 97) ? (int)rnd(w, 2) : 2;
	a->n1 = chance(w, 95) ? 1 + (int)rnd(w, 6) : (chance(w, 50) ? 0 : 7);
	a->n2 = chance(w, 50) ? 1 : chance(w, 60) ? 0 : (int)rnd(w, 4);  /* 0: the latest */
	if (w->ncases > 0 && chance(w, 5))
		snprintf(a->case_id, sizeof(a->case_id), "%s", w->cases[rnd(w, (uint32_t)w->ncases)].id);
	else
		snprintf(a->case_id, sizeof(a->case_id), "C-%d", w->next_case++);
}

/* A retry of the last keyed action, the same or with one argument changed. */
static void gen_retry(world *w, action *a)
{
	*a = w->last_keyed;
	if (chance(w, 30))
		a->actor = (int)rnd(w, NACTORS);
	if (chance(w, 40)) {
		switch (rnd(w, 6)) {
		case 0: a->note = (a->note + 1) % 3; break;
		case 1: a->n1++; break;
		case 2: a->amount++; break;
		case 3: a->n2++; break;
		case 4: a->pi = (a->pi + 1) % 3; break;
		default: a->text = TEXT_EMPTY; break;
		}
	}
}

static void gen_deposit_op(world *w, action *a)
{
	base_action(w, a, chance(w, 50) ? X_POST : X_USAGE);
	a->key = 0;
	a->di = w->slots[rnd(w, NSLOTS)];
	if (a->kind == X_POST) {
		a->role = random_role(w, REFUND_ROLE_FINANCE);
		a->n1 = chance(w, 90) ? 2 + (int)rnd(w, 6) : (int)rnd(w, 2) * 8;
		a->amount = random_amount(w, w->deposits[a->di].remaining / 10);
	} else {
		a->role = random_role(w, REFUND_ROLE_AGENT);
		a->amount = chance(w, 95) ? (int64_t)rnd(w, 500) : -1;
		a->amount2 = chance(w, 95) ? (int64_t)rnd(w, 3000000) : -5;
	}
}

static void gen_time(world *w, action *a, refund_time *last_tick)
{
	int r = (int)rnd(w, 100);

	base_action(w, a, X_ADVANCE);
	a->amount = r < 50 ? (int64_t)rnd(w, 6 * 3600) : r < 85 ? (int64_t)rnd(w, 2 * 86400)
			: 2 * DAY + (int64_t)rnd(w, 6 * 86400);
	/* Tick often enough that a remind-again policy never owes many rounds. */
	a->n1 = chance(w, 75) || w->f->now + a->amount - *last_tick > 12 * DAY;
	if (a->n1)
		*last_tick = w->f->now + a->amount;
}

static void generate(world *w, action *a, refund_time *last_tick)
{
	int r = (int)rnd(w, 1000), ci = -1;

	if (r < 60) {
		gen_time(w, a, last_tick);
	} else if (r < 80) {
		base_action(w, a, X_TICK);
		*last_tick = w->f->now;
	} else if (r < 100) {
		gen_deposit_op(w, a);
	} else if (r < 110 && gen_renew(w, a, (int)rnd(w, USD_SLOT))) {
		return;
	} else if (r < 150 && w->has_last_keyed) {
		gen_retry(w, a);
	} else if (r < 250 || (ci = pick_case(w)) < 0 || w->ncases >= MAX_CASES - 1) {
		if (w->ncases >= MAX_CASES - 1)
			gen_time(w, a, last_tick);
		else
			gen_open(w, a);
	} else {
		const m_case *c = &w->cases[ci];
		int kind = chance(w, 75) ? plausible_action(w, c)
				: REFUND_ACTION_ATTACH + (int)rnd(w, REFUND_ACTION_SET_OFFSET - 1);

		if (kind == REFUND_ACTION_WITHDRAW && chance(w, 70))
			kind = plausible_action(w, c);  /* withdrawals end cases early: fewer */
		if (kind >= REFUND_ACTION_REMIND && kind <= REFUND_ACTION_DEEMED_APPROVAL)
			kind = REFUND_ACTION_ESCALATE;  /* the system's own: only ticks take them */
		base_action(w, a, kind);
		a->ci = ci;
		/* Keys are bound per case; a case never uses more than four. */
		fill_case_args(w, a, c);
	}
}

/* ---- worlds ---- */

static void publish(world *w, const m_policy *m)
{
	refund_policy *p = NULL;
	int s, i;

	assert_int_equal(refund_policy_new(w->f->engine, &p, m->id, "CNY"), 0);
	assert_int_equal(refund_policy_set_window(p, m->window_anchor,
			m->window_days ? m->window_days : 1), 0);
	for (i = 0; i < m->ntiers; i++)
		assert_int_equal(refund_policy_add_tier(p, m->tier_days[i], m->tier_volume[i],
				m->tier_bp[i]), 0);
	if (m->explicit_evidence) {
		assert_int_equal(refund_policy_set_common_evidence(p, m->common_evidence), 0);
		for (i = REFUND_REASON_DEVICE_FAULT; i <= REFUND_REASON_FRAUD; i++)
			assert_int_equal(refund_policy_set_reason_evidence(p, i, m->reason_evidence[i]), 0);
	}
	assert_int_equal(refund_policy_set_return_required(p, m->return_required), 0);
	assert_int_equal(refund_policy_set_grade_deduction(p, REFUND_GRADE_DAMAGED, m->damage_bp), 0);
	assert_int_equal(refund_policy_set_missing_part_deduction(p, m->part_amount), 0);
	assert_int_equal(refund_policy_set_fee(p, m->fee_fixed, m->fee_bp, m->fee_min, m->fee_cap), 0);
	assert_int_equal(refund_policy_set_offsets(p, m->offsets), 0);
	assert_int_equal(refund_policy_set_installments(p, m->max_parts, m->interval_months), 0);
	assert_int_equal(refund_policy_set_four_eyes(p, m->four_eyes), 0);
	assert_int_equal(refund_policy_set_escalation(p, m->parties), 0);
	for (s = 1; s < REFUND_STATE_COUNT; s++)
		if (m->deadlines[s].amount > 0)
			assert_int_equal(refund_policy_set_deadline(p, s, m->deadlines[s].amount,
					m->deadlines[s].unit, "WEEKEND", m->deadlines[s].consequence,
					NULL, 0), 0);
	assert_int_equal(refund_policy_publish(p, "admin-1", REFUND_ROLE_ADMIN), 0);
	assert_int_equal(refund_policy_version(p), m->version);
	refund_policy_free(p);
}

static void world_begin(world *w, int index)
{
	int i;

	w->f = fixture_new();
	w->rng = (w->seed + 1) * UINT64_C(0x9E3779B97F4A7C15) ^ ((uint64_t)index * 7919 + 1);
	if (!w->rng)
		w->rng = 1;
	/* Some day from 2025-01-01 on: the application windows close at different steps. */
	w->f->now = 1735689600 + (refund_time)rnd(w, 400) * DAY + (refund_time)rnd(w, 86400);
	w->ncases = 0;
	w->next_case = 1;
	w->has_last_keyed = 0;
	memset(w->cases, 0, sizeof(*w->cases) * MAX_CASES);
	for (i = 0; i < NPOLICIES; i++)
		publish(w, &policies[i]);
	w->ndeposits = 0;
	for (i = 0; i < NSLOTS; i++) {
		w->slots[i] = add_deposit(w, &first_deposits[i]);
		create_deposit(w, &w->deposits[w->slots[i]]);
	}
}

static void world_end(world *w)
{
	int i;

	verify_all(w);
	check_everything(w);
	for (i = 0; i < w->ncases; i++)
		refund_case_free(w->cases[i].h);
	fixture_free(w->f);
	w->f = NULL;
}

/* A keyed action may not bind a fifth key on its case: keys stay within the library's memory. */
static void limit_keys(world *w, action *a)
{
	const m_case *c;
	int i;

	if (!a->key || a->ci < 0)
		return;
	c = &w->cases[a->ci];
	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].key == a->key)
			return;
	if (c->nkeys >= 4)
		a->key = 0;
}

static long env_long(const char *name, long fallback)
{
	const char *s = getenv(name);
	char *end = NULL;
	long v;

	if (!s || !*s)
		return fallback;
	v = strtol(s, &end, 10);
	return end && *end == '\0' && v >= 0 ? v : fallback;
}

static void test_model_agrees(void **state)
{
	world w;
	action a;
	refund_time last_tick = 0;
	clock_t started = clock();

	(void)state;
	memset(&w, 0, sizeof(w));
	w.seed = (uint64_t)env_long("MODEL_SEED", 20250101);
	w.steps = env_long("MODEL_STEPS", 100000);
	w.trace = env_long("MODEL_TRACE", 0) != 0;
	w.cases = calloc(MAX_CASES, sizeof(*w.cases));
	assert_non_null(w.cases);
	for (w.step = 0; w.step < w.steps; w.step++) {
		if (w.step % WORLD_STEPS == 0) {
			if (w.f)
				world_end(&w);
			world_begin(&w, (int)(w.step / WORLD_STEPS));
			last_tick = w.f->now;
		}
		generate(&w, &a, &last_tick);
		limit_keys(&w, &a);
		run_action(&w, &a);
		if ((w.step + 1) % CHECK_ALL_EVERY == 0)
			check_everything(&w);
		if ((w.step + 1) % VERIFY_EVERY == 0)
			verify_all(&w);
	}
	if (w.f)
		world_end(&w);
	if (env_long("MODEL_STATS", 0))
		print_stats(&w);
	print_message("model: seed %llu, %ld steps: %ld accepted, %ld refused, %ld ticks firing "
			"%ld deadlines; %ld ms\n",
			(unsigned long long)w.seed, w.steps, w.accepted, w.refused, w.ticks, w.fired,
			(long)((clock() - started) * 1000 / CLOCKS_PER_SEC));
	free(w.cases);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
