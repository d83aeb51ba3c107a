/*
 * Every library call of a scenario, run under the fixture's fault mode
 * (fixture.h).  With FAULT_NONE a call runs once and its code is checked.
 * Otherwise the call is run again and again with the k-th allocation (or
 * store call) failing, k = 1, 2, ... (every FAULT_STRIDE-th k if that is set
 * in the environment), once or from k on.  Each time a fault fired, the call
 * must return the injected code (REFUND_ENOMEM, or the store's code) and
 * leave everything as it was: the handle byte for byte, every deposit's
 * ledger, the whole store (store_dump) and the live allocations.  The first
 * run no fault reached is the call's real one: its code is checked.
 *
 * The expression is evaluated once per attempt, so whatever it fills must be
 * reset inside it: ACT(f, c, (n = 0, refund_case_events(c, count, &n))).
 */
#ifndef REFUND_TEST_FAULT_STEPS_H
#define REFUND_TEST_FAULT_STEPS_H

#include <refund.h>

#include "fixture.h"

/* The handle a call must leave alone when it fails. */
typedef struct fault_handle {
	int kind;          /* FAULT_HANDLE_* below */
	const void *p;
} fault_handle;

enum { FAULT_HANDLE_NONE, FAULT_HANDLE_CASE, FAULT_HANDLE_DEPOSIT, FAULT_HANDLE_POLICY };

fault_handle fault_case(const refund_case *c);
fault_handle fault_deposit(const refund_deposit *d);
fault_handle fault_policy(const refund_policy *p);
fault_handle fault_nothing(const void *p);

/* A case, deposit or policy handle, or NULL (nothing to compare). */
#define FAULT_HANDLE(h) _Generic((h), \
		refund_case *: fault_case, const refund_case *: fault_case, \
		refund_deposit *: fault_deposit, const refund_deposit *: fault_deposit, \
		refund_policy *: fault_policy, const refund_policy *: fault_policy, \
		default: fault_nothing)(h)

/* One call's attempts; used through the macros below. */
typedef struct fault_try {
	fixture *f;
	fault_handle h;
	const char *expr;
	const char *file;
	int line;
	long k;             /* the allocation or store call failing now; 0: none */
	int rc;             /* the result of the attempt no fault reached */
	int done;
	long live;          /* what a failed attempt must leave as it was */
	char *handle;
	size_t handle_size;
	char *dump;
	char *ledger;
} fault_try;

void fault_begin(fault_try *t, fixture *f, fault_handle h, const char *expr,
		const char *file, int line);
/* Arms the next fault; 0 once an attempt ran with no fault firing. */
int fault_next(fault_try *t);
/* Disarms; checks a failed attempt, or keeps the code of one no fault reached. */
void fault_end(fault_try *t, int rc);
/* The real attempt returned want. */
void fault_expect(const fault_try *t, int want);

/* rc = what expr returns when no fault reaches it. */
#define ATTEMPT(f, h, rc, expr) do { \
		fault_try ft_; \
		for (fault_begin(&ft_, (f), FAULT_HANDLE(h), #expr, __FILE__, __LINE__); \
				fault_next(&ft_);) \
			fault_end(&ft_, (expr)); \
		(rc) = ft_.rc; \
	} while (0)

/* expr must return code (and leave everything as it was, as any refusal). */
#define REFUSE(f, h, expr, code) do { \
		fault_try ft_; \
		for (fault_begin(&ft_, (f), FAULT_HANDLE(h), #expr, __FILE__, __LINE__); \
				fault_next(&ft_);) \
			fault_end(&ft_, (expr)); \
		fault_expect(&ft_, (code)); \
	} while (0)

/* expr must return 0. */
#define ACT(f, h, expr) REFUSE(f, h, expr, 0)

/*
 * A case handle as bytes that say whether it changed: the engine, version
 * and policy it holds, then its record as the library encodes it.  (The
 * library leaves unused slots of a record uninitialised, so its raw bytes
 * cannot be compared.)  *size set; free() it.
 */
char *case_handle_image(const refund_case *c, size_t *size);

/* What fault_steps injects in mode m: REFUND_ENOMEM, the store's code, or 0. */
int fault_code(const fault_mode *m);
/* "out of memory, from k on", "REFUND_EBUSY once", "none". */
const char *fault_mode_name(const fault_mode *m, char *buf, size_t size);
/* FAULT_STRIDE from the environment (1 if unset): every n-th k is tried. */
long fault_stride(void);

#endif
