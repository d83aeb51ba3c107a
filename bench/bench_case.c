/*
 * Benchmark: full refund-case lifecycles on the in-memory store, and ticks
 * over many cases of which few are due.  Prints nanoseconds per transition
 * and per tick, wall and CPU time; run on demand (bench/README.md):
 * ninja -C build bench/bench_case && ./build/bench/bench_case.
 *
 *   bench_case [cases]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <refund.h>
#include <refund/sys/alloc.h>

static refund_time now;

/* Allocations by the engine and the store, counted: the library promises a
 * bounded number per transition. */
static long allocations;

static void *counted_alloc(void *opaque, size_t size)
{
	(void)opaque;
	allocations++;
	return malloc(size);
}

static void *counted_realloc(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	allocations++;
	return realloc(ptr, size);
}

static void counted_free(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

/* Page faults of this process so far: the first touch of memory the store
 * grows into costs a fault, which on a virtual machine is dear. */
static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static refund_time bench_clock(void *user)
{
	(void)user;
	return now;
}

static double clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time, and this process's CPU time: on a busy machine the second is
 * the steadier (it leaves out the time spent waiting for a CPU). */
static double seconds(void)
{
	return clock_seconds(CLOCK_MONOTONIC);
}

static double cpu_seconds(void)
{
	return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

static void check(int rc, refund_engine *e, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "bench_case: %s: %s (%s)\n", what, refund_engine_errmsg(e),
				refund_error_name(rc));
		exit(1);
	}
}

static void setup_policy(refund_engine *e)
{
	static const int64_t day[] = { 86400 };
	refund_policy *p = NULL;

	check(refund_policy_new(e, &p, "P", "CNY"), e, "policy");
	check(refund_policy_set_return_required(p, 0), e, "policy");
	check(refund_policy_set_fee(p, 500, 100, 500, 2000), e, "policy");
	check(refund_policy_set_deadline(p, REFUND_STATE_UNDER_REVIEW, 2, REFUND_BUSINESS_DAYS,
			"CN", REFUND_ON_DUE_ESCALATE, day, 1), e, "policy");
	check(refund_policy_set_deadline(p, REFUND_STATE_PAID, 7, REFUND_CALENDAR_DAYS, "CN",
			REFUND_ON_DUE_CLOSE, NULL, 0), e, "policy");
	check(refund_policy_publish(p, "admin", REFUND_ROLE_ADMIN), e, "publish");
	refund_policy_free(p);
}

/* Deposit i, which case i refunds. */
static void create_deposit(refund_engine *e, int i)
{
	refund_deposit_info info = REFUND_DEPOSIT_INFO_INIT;
	char did[32];

	snprintf(did, sizeof(did), "D-%07d", i);
	info.id = did;
	info.holder = "M-1";
	info.agent = "A-1";
	info.terminal_serial = "SN-1";
	info.amount = 50000;
	info.currency = "CNY";
	info.paid_at = now - 400 * 86400;
	check(refund_deposit_create(e, NULL, &info, "agent", REFUND_ROLE_AGENT), e, "deposit");
}

/* Case i over deposit i: 11 transitions, or the first 6 without `finish`.
 * Returns the number of transitions. */
static int lifecycle(refund_engine *e, int i, int finish)
{
	refund_account acc = REFUND_ACCOUNT_INIT;
	refund_act ap = REFUND_ACT_INIT, rv = REFUND_ACT_INIT, fin = REFUND_ACT_INIT;
	refund_case *c = NULL;
	char did[32], cid[32];

	snprintf(did, sizeof(did), "D-%07d", i);
	snprintf(cid, sizeof(cid), "K-%07d", i);
	ap.actor = "M-1";
	ap.role = REFUND_ROLE_APPLICANT;
	rv.actor = "rev";
	rv.role = REFUND_ROLE_REVIEWER;
	fin.actor = "fin";
	fin.role = REFUND_ROLE_FINANCE;
	acc.method = REFUND_PAYOUT_ALIPAY;
	acc.name = "M";
	acc.number = "13800138000";
	check(refund_case_open(e, &c, cid, did, "P", 0, REFUND_REASON_NEEDS_CHANGED, &ap), e, "open");
	check(refund_case_attach(c, &ap, REFUND_EVIDENCE_RECEIPT, "r"), e, "attach");
	check(refund_case_attach(c, &ap, REFUND_EVIDENCE_CONTRACT, "c"), e, "attach");
	check(refund_case_attach(c, &ap, REFUND_EVIDENCE_PAYMENT_RECORD, "p"), e, "attach");
	check(refund_case_submit(c, &ap, &acc), e, "submit");
	check(refund_case_start_review(c, &rv), e, "review");
	if (!finish) {
		refund_case_free(c);
		return 6;
	}
	check(refund_case_approve(c, &rv, 49000), e, "approve");
	check(refund_case_offer(c, &fin, 1), e, "offer");
	check(refund_case_accept(c, &ap), e, "accept");
	check(refund_case_pay(c, &fin, 1, "TX"), e, "pay");
	check(refund_case_confirm(c, &ap), e, "confirm");
	refund_case_free(c);
	return 11;
}

/* Phases in functions of their own, kept out of line, so that callgrind can
 * count one alone (bench/count.sh: --toggle-collect=full_lifecycles). */
#if defined(__clang__)
#define PHASE __attribute__((noinline))
#elif defined(__GNUC__)
#define PHASE __attribute__((noinline, noclone))
#else
#define PHASE
#endif

PHASE static void create_deposits(refund_engine *e, int n)
{
	int i;

	for (i = 0; i < n; i++)
		create_deposit(e, i);
}

PHASE static int full_lifecycles(refund_engine *e, int first, int n)
{
	int i, transitions = 0;

	for (i = 0; i < n; i++)
		transitions += lifecycle(e, first + i, 1);
	return transitions;
}

PHASE static void open_cases(refund_engine *e, int first, int n)
{
	int i;

	for (i = 0; i < n; i++)
		lifecycle(e, first + i, 0);
}

PHASE static void tick(refund_engine *e, refund_time at, refund_tick_result *res, const char *what)
{
	check(refund_engine_tick(e, at, 0, res), e, what);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000, transitions;
	refund_allocator counting = { REFUND_ALLOCATOR_VERSION, counted_alloc, counted_realloc,
			counted_free, NULL };
	refund_engine_options o = REFUND_ENGINE_OPTIONS_INIT;
	refund_tick_result res = { REFUND_TICK_RESULT_VERSION, 0, 0, 0, 0 };
	refund_store *s = NULL;
	refund_engine *e = NULL;
	double t0, t1, c0, c1;
	long a0, f0;

	if (n < 1) {
		fprintf(stderr, "usage: bench_case [cases]\n");
		return 2;
	}
	refund_time_parse("2025-06-02T09:00:00+08:00", &now);
	check(refund_store_memory_new(&s, &counting), NULL, "store");
	o.allocator = &counting;
	o.store = s;
	o.clock = bench_clock;
	check(refund_engine_new(&e, &o), e, "engine");
	setup_policy(e);
	/* The deposits of both phases below, first: creating one is no case's
	 * transition (each case still reads its deposit when it opens). */
	t0 = seconds();
	create_deposits(e, 2 * n);
	t1 = seconds();
	printf("deposits: %d created in %.3f s: %.0f ns each\n", 2 * n, t1 - t0,
			(t1 - t0) * 1e9 / (2 * n));
	a0 = allocations;
	f0 = minor_faults();
	t0 = seconds();
	c0 = cpu_seconds();
	transitions = full_lifecycles(e, 0, n);
	c1 = cpu_seconds();
	t1 = seconds();
	printf("lifecycles: %d cases, %d transitions in %.3f s: %.0f ns per transition (%.0f ns CPU)\n",
			n, transitions, t1 - t0, (t1 - t0) * 1e9 / transitions,
			(c1 - c0) * 1e9 / transitions);
	printf("  per transition: %.2f allocations, %.3f page faults\n",
			(double)(allocations - a0) / transitions,
			(double)(minor_faults() - f0) / transitions);
	/* Now n more cases left under review, none due yet. */
	open_cases(e, n, n);
	t0 = seconds();
	tick(e, now + 3600, &res, "tick (nothing due)");
	t1 = seconds();
	printf("tick with %d open cases, none due: %.0f ns (%zu due)\n", n, (t1 - t0) * 1e9, res.due);
	t0 = seconds();
	c0 = cpu_seconds();
	tick(e, now + 10 * 86400, &res, "tick (all due)");
	c1 = cpu_seconds();
	t1 = seconds();
	printf("tick firing %zu cases: %.0f ns per case (%.0f ns CPU)\n", res.due,
			res.due ? (t1 - t0) * 1e9 / (double)res.due : 0.0,
			res.due ? (c1 - c0) * 1e9 / (double)res.due : 0.0);
	refund_engine_free(e);
	refund_store_free(s);
	return 0;
}
