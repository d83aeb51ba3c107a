#include "fault_steps.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"
#include "case.h"
#include "engine.h"
#include "policy.h"

#include "faulty_store.h"
#include "store_dump.h"

/* More attempts than any call makes allocations or store calls: a loop. */
#define FAULT_MAX_K 1000000L
#define TEXT_SIZE 16384

fault_handle fault_case(const refund_case *c)
{
	fault_handle h = { c ? FAULT_HANDLE_CASE : FAULT_HANDLE_NONE, c };

	return h;
}

fault_handle fault_deposit(const refund_deposit *d)
{
	fault_handle h = { d ? FAULT_HANDLE_DEPOSIT : FAULT_HANDLE_NONE, d };

	return h;
}

fault_handle fault_policy(const refund_policy *p)
{
	fault_handle h = { p ? FAULT_HANDLE_POLICY : FAULT_HANDLE_NONE, p };

	return h;
}

fault_handle fault_nothing(const void *p)
{
	fault_handle h = { FAULT_HANDLE_NONE, p };

	return h;
}

long fault_stride(void)
{
	static long stride;
	const char *env;

	if (stride == 0) {
		env = getenv("FAULT_STRIDE");
		stride = env ? strtol(env, NULL, 10) : 1;
		if (stride < 1)
			stride = 1;
	}
	return stride;
}

int fault_code(const fault_mode *m)
{
	switch (m->kind) {
	case FAULT_OOM: return REFUND_ENOMEM;
	case FAULT_STORE: return m->code;
	default: return 0;
	}
}

const char *fault_mode_name(const fault_mode *m, char *buf, size_t size)
{
	const char *how = m->persistent ? "from k on" : "once";

	if (m->kind == FAULT_OOM)
		snprintf(buf, size, "out of memory, %s", how);
	else if (m->kind == FAULT_STORE)
		snprintf(buf, size, "%s, %s", refund_error_name(m->code), how);
	else
		snprintf(buf, size, "none");
	return buf;
}

/* ---- what a failed attempt must leave as it was ---- */

typedef struct text {
	char *buf;
	size_t len;
} text;

static void text_add(text *t, const char *fmt, ...) REFUND_PRINTF(2, 3);

static void text_add(text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, TEXT_SIZE - t->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < TEXT_SIZE - t->len);
	t->len += (size_t)n;
}

static char *text_new(text *t)
{
	t->buf = malloc(TEXT_SIZE);
	assert_non_null(t->buf);
	t->buf[0] = '\0';
	t->len = 0;
	return t->buf;
}

/* What the public accessors say of a deposit, its ledger entry by entry. */
static void describe_deposit(text *t, const refund_deposit *d)
{
	refund_balance b = { REFUND_BALANCE_VERSION, 0, 0, 0, 0 };
	size_t i, n = refund_deposit_entry_count(d);

	assert_int_equal(refund_deposit_balance(d, &b), 0);
	text_add(t, "%s v%llu days %lld volume %lld case %s: held %lld refunded %lld "
			"deducted %lld remaining %lld\n", refund_deposit_id(d),
			(unsigned long long)refund_deposit_version(d),
			(long long)refund_deposit_days_in_service(d),
			(long long)refund_deposit_transaction_volume(d),
			refund_deposit_open_case(d) ? refund_deposit_open_case(d) : "-",
			(long long)b.held, (long long)b.refunded, (long long)b.deducted,
			(long long)b.remaining);
	for (i = 0; i < n; i++) {
		refund_entry e;

		memset(&e, 0, sizeof(e));
		e.version = REFUND_ENTRY_VERSION;
		assert_int_equal(refund_deposit_entry(d, i, &e), 0);
		text_add(t, "  %u %s %lld at %lld by %s\n", (unsigned)e.seq,
				refund_entry_kind_name(e.kind), (long long)e.amount,
				(long long)e.at, e.actor ? e.actor : "-");
	}
}

static int ledger_cb(void *ctx, const refund_deposit *d)
{
	describe_deposit(ctx, d);
	return 0;
}

/* Every deposit's ledger, as the fixture's engine reads it. */
static char *ledgers(fixture *f)
{
	text t;

	text_new(&t);
	assert_int_equal(refund_deposit_list(f->engine, NULL, ledger_cb, &t), 0);
	return t.buf;
}

char *case_handle_image(const refund_case *c, size_t *size)
{
	char *data = NULL, *image;
	size_t n = 0, head = offsetof(refund_case, r);

	assert_int_equal(refund__case_encode(c->engine, c->r, &data, &n), 0);
	image = malloc(head + n);
	assert_non_null(image);
	memcpy(image, c, head);
	memcpy(image + head, data, n);
	refund__free(&c->engine->alloc, data);
	*size = head + n;
	return image;
}

/*
 * The handle as bytes: a case's image, a draft policy's raw bytes (made
 * zeroed, all set), a deposit's description (its layout is private to src/).
 */
static char *handle_bytes(const fault_handle *h, size_t *size)
{
	char *bytes = NULL;
	text d;

	switch (h->kind) {
	case FAULT_HANDLE_CASE:
		return case_handle_image(h->p, size);
	case FAULT_HANDLE_POLICY:
		bytes = malloc(sizeof(refund_policy));
		assert_non_null(bytes);
		memcpy(bytes, h->p, sizeof(refund_policy));
		*size = sizeof(refund_policy);
		return bytes;
	case FAULT_HANDLE_DEPOSIT:
		text_new(&d);
		describe_deposit(&d, h->p);
		*size = d.len;
		return d.buf;
	default:
		*size = 0;
		return NULL;
	}
}

static void keep_handle(fault_try *t)
{
	t->handle = handle_bytes(&t->h, &t->handle_size);
}

static int handle_unchanged(const fault_try *t)
{
	size_t size = 0;
	char *now = handle_bytes(&t->h, &size);
	int same = size == t->handle_size && (size == 0 || memcmp(now, t->handle, size) == 0);

	free(now);
	return same;
}

static void forget(fault_try *t)
{
	free(t->handle);
	free(t->dump);
	free(t->ledger);
	t->handle = t->dump = t->ledger = NULL;
}

/* ---- the attempts ---- */

static int faults_on(const fault_try *t)
{
	return t->f->faults.kind != FAULT_NONE;
}

void fault_begin(fault_try *t, fixture *f, fault_handle h, const char *expr,
		const char *file, int line)
{
	memset(t, 0, sizeof(*t));
	t->f = f;
	t->h = h;
	t->expr = expr;
	t->file = file;
	t->line = line;
	if (!faults_on(t))
		return;
	if (f->faults.kind == FAULT_STORE)
		assert_non_null(f->faulty);
	keep_handle(t);
	assert_int_equal(store_dump(f->store, &t->dump), 0);
	t->ledger = ledgers(f);
	t->live = f->fa.live;
}

int fault_next(fault_try *t)
{
	fixture *f = t->f;

	if (t->done) {
		forget(t);
		return 0;
	}
	if (!faults_on(t))
		return 1;
	t->k = t->k ? t->k + fault_stride() : 1;
	if (t->k > FAULT_MAX_K)
		fail_msg("%s:%d: %s still fails at k = %ld", t->file, t->line, t->expr, t->k);
	if (f->faults.kind == FAULT_OOM)
		failalloc_arm(&f->fa, t->k, f->faults.persistent);
	else
		faulty_store_arm(f->faulty, t->k, f->faults.code, f->faults.persistent);
	return 1;
}

/* Disarms the fault; whether it fired during the attempt. */
static int disarm(fixture *f)
{
	long failures;

	if (f->faults.kind == FAULT_OOM) {
		failures = f->fa.failures;
		failalloc_disarm(&f->fa);
	} else {
		failures = faulty_store_failures(f->faulty);
		faulty_store_disarm(f->faulty);
	}
	return failures > 0;
}

/* Asserts report the scenario's line. */
#define CHECK_INT(a, b) \
	_assert_int_equal((LargestIntegralType)(a), (LargestIntegralType)(b), t->file, t->line)
#define CHECK_TRUE(x) _assert_true((LargestIntegralType)(x), #x, t->file, t->line)

/*
 * What a call must return when the fault fired.  A conflict on the commit
 * of a record that does not exist yet means that its id was taken: a
 * creation (a call with no handle) says REFUND_EEXISTS (deposit.h).
 */
static int injected_as(const fault_try *t, int rc)
{
	int code = fault_code(&t->f->faults);

	if (code == REFUND_ECONFLICT && rc == REFUND_EEXISTS && t->h.kind == FAULT_HANDLE_NONE)
		return rc;
	return code;
}

static void check_refused(fault_try *t, int rc)
{
	fixture *f = t->f;
	char mode[64], *now = NULL;
	int want = injected_as(t, rc);

	fault_mode_name(&f->faults, mode, sizeof(mode));
	if (rc != want)
		print_error("%s (%s at k = %ld) returned %s, want %s: %s\n", t->expr, mode, t->k,
				refund_error_name(rc), refund_error_name(want),
				refund_engine_errmsg(f->engine));
	CHECK_INT(rc, want);
	if (f->fa.live != t->live)
		print_error("%s (%s at k = %ld) leaked %ld blocks\n", t->expr, mode, t->k,
				f->fa.live - t->live);
	CHECK_INT(f->fa.live, t->live);
	CHECK_TRUE(handle_unchanged(t));
	CHECK_INT(store_dump(f->store, &now), 0);
	_assert_string_equal(now, t->dump, t->file, t->line);
	free(now);
	now = ledgers(f);
	_assert_string_equal(now, t->ledger, t->file, t->line);
	free(now);
	f->fault_points++;
}

/* Counts the call if it wrote: each write costs an allocation and a store call. */
static void count_write(fault_try *t)
{
	char *now = NULL;

	assert_int_equal(store_dump(t->f->store, &now), 0);
	if (strcmp(now, t->dump) != 0)
		t->f->fault_writes++;
	free(now);
}

void fault_end(fault_try *t, int rc)
{
	if (faults_on(t) && disarm(t->f)) {
		check_refused(t, rc);
		return;
	}
	if (faults_on(t))
		count_write(t);
	t->rc = rc;
	t->done = 1;
}

void fault_expect(const fault_try *t, int want)
{
	if (t->rc != want)
		print_error("%s returned %s, want %s: %s\n", t->expr, refund_error_name(t->rc),
				refund_error_name(want), refund_engine_errmsg(t->f->engine));
	CHECK_INT(t->rc, want);
}
