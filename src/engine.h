/*
 * Internal: the engine's layout and the helpers every module uses to
 * allocate, read the clock, talk to the store and report failures.
 */
#ifndef REFUND_SRC_ENGINE_H
#define REFUND_SRC_ENGINE_H

#include <refund/engine.h>
#include <refund/sys/store.h>

#include "alloc.h"

#define REFUND_ERRMSG_SIZE 512

typedef struct refund_currency_override {
	char code[4];
	int exponent;
} refund_currency_override;

/*
 * A policy's head record as last read and found sound (policy.c): a case
 * opened under the latest version reads the head each time, and the same
 * bytes at the same store version for the same id need no parse.
 */
#define REFUND_HEAD_SEEN_MAX 128
typedef struct refund_head_seen {
	uint64_t version;                  /* 0: none seen */
	size_t size;
	char id[64];                       /* the policy id asked for */
	unsigned char bytes[REFUND_HEAD_SEEN_MAX];
} refund_head_seen;

struct refund_engine {
	refund_allocator alloc;
	refund_clock_fn clock;
	void *clock_user;
	refund_store *store;
	refund_notify_fn notify;
	void *notify_user;
	refund_lang lang;
	refund_currency_override *currencies;
	size_t ncurrencies;
	struct refund_calendar **calendars;  /* owned; looked up by name */
	size_t ncalendars;
	struct refund_policy **policies;     /* owned cache of published versions */
	size_t npolicies;
	refund_head_seen head_seen;
	char errmsg[REFUND_ERRMSG_SIZE];
	unsigned long failures;  /* counts refund__fail calls: was a failure described? */
};

#if defined(__GNUC__)
#  define REFUND_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#  define REFUND_PRINTF(fmt, args)
#endif

/*
 * Record a failure on the engine (which may be NULL) and return code.  The
 * message is written in the engine's language: en and zh take the same
 * arguments.  "%s: " with the error's short text is not added; say what
 * was wrong and, where it helps, what to do.
 */
int refund__fail(refund_engine *e, int code, const char *en, const char *zh, ...)
	REFUND_PRINTF(3, 5) REFUND_PRINTF(4, 5);

/* Fail with the code's own short text (for REFUND_ENOMEM and the like). */
int refund__fail_code(refund_engine *e, int code);

/* 1 if lang is a ::refund_lang this library speaks. */
int refund__lang_valid(int lang);

#ifdef __clang_analyzer__
/*
 * Both return their code, which the analyzer cannot see across files: it
 * would follow "failed, yet returned 0" paths into outputs that were never
 * set.  Said here for the analyzer only (clang-tidy's clang-analyzer-*).
 */
#define refund__fail(e, code, ...) ((void)refund__fail((e), (code), __VA_ARGS__), (code))
#define refund__fail_code(e, code) ((void)refund__fail_code((e), (code)), (code))
#endif

/* The engine clock, or REFUND_EINVAL if the clock is out of range. */
int refund__now(refund_engine *e, refund_time *out);

/*
 * Store calls, mapping unknown codes to REFUND_ESTORE and describing the
 * failure on the engine.  `what` names the record for messages ("deposit
 * D-1").
 */
int refund__store_load(refund_engine *e, int kind, const char *id,
		refund_store_record_cb cb, void *ctx);
int refund__store_commit(refund_engine *e, const refund_store_batch *batch);
int refund__store_scan(refund_engine *e, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx);
int refund__store_events(refund_engine *e, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx);
int refund__store_due(refund_engine *e, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx);

/*
 * The calendar of that name: one the host added, else a built-in (made on
 * first use and kept).  REFUND_ENOTFOUND (described) for an unknown name,
 * REFUND_ENOMEM.  The calendar lives as long as the engine.
 */
int refund__engine_calendar(refund_engine *e, const char *name,
		const struct refund_calendar **out);

/* The engine a calendar was made with (calendar.c). */
refund_engine *refund__calendar_engine(const struct refund_calendar *calendar);

/* Pass a notice to the host, if it asked for them. */
void refund__notify(refund_engine *e, const refund_notice *notice);

#endif
