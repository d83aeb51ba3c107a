/*
 * Shared by the fuzz targets: a counting allocator that can fail one chosen
 * allocation, an engine on a fresh in-memory store, and a few helpers.
 * Header-only so that each target stays one file to build.
 *
 * Every target treats abort() as "the library broke a promise": libFuzzer
 * reports it as a crash and saves the input.
 */
#ifndef REFUND_FUZZ_SUPPORT_H
#define REFUND_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <refund.h>
#include <refund/sys/store.h>

typedef struct fuzz_alloc {
	refund_allocator allocator;
	long fail_at;   /* 1-based allocation to fail once; 0: none */
	long count;     /* allocation attempts since armed */
	long live;      /* blocks allocated and not yet freed */
} fuzz_alloc;

static inline int fuzz_alloc_should_fail(fuzz_alloc *fa)
{
	fa->count++;
	return fa->fail_at > 0 && fa->count == fa->fail_at;
}

static inline void *fuzz_alloc_alloc(void *opaque, size_t size)
{
	fuzz_alloc *fa = opaque;
	void *p;

	if (fuzz_alloc_should_fail(fa))
		return NULL;
	p = malloc(size);
	if (p)
		fa->live++;
	return p;
}

static inline void *fuzz_alloc_realloc(void *opaque, void *ptr, size_t size)
{
	fuzz_alloc *fa = opaque;
	void *p;

	if (fuzz_alloc_should_fail(fa))
		return NULL;
	p = realloc(ptr, size);
	if (p && !ptr)
		fa->live++;
	return p;
}

static inline void fuzz_alloc_free(void *opaque, void *ptr)
{
	fuzz_alloc *fa = opaque;

	if (ptr) {
		fa->live--;
		free(ptr);
	}
}

static inline void fuzz_alloc_init(fuzz_alloc *fa)
{
	memset(fa, 0, sizeof(*fa));
	fa->allocator.version = REFUND_ALLOCATOR_VERSION;
	fa->allocator.alloc = fuzz_alloc_alloc;
	fa->allocator.realloc = fuzz_alloc_realloc;
	fa->allocator.free = fuzz_alloc_free;
	fa->allocator.opaque = fa;
}

/* Count from now; fail the k-th allocation from now (0: none). */
static inline void fuzz_alloc_arm(fuzz_alloc *fa, long k)
{
	fa->fail_at = k;
	fa->count = 0;
}

/* FNV-1a: picks the allocation to fail and similar choices, per input. */
static inline uint32_t fuzz_hash(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	return h;
}

/* The input as a C string, or NULL if it holds a NUL (already tried shorter). */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
	char *s;

	if (memchr(data, '\0', size))
		return NULL;
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static inline refund_time fuzz_clock(void *user)
{
	(void)user;
	return 1759305600; /* 2025-10-01T08:00:00Z */
}

typedef struct fuzz_engine {
	fuzz_alloc fa;          /* the engine's allocator, counted */
	refund_store *store;    /* on the C library's allocator: never failed */
	refund_engine *engine;
} fuzz_engine;

/* An engine on a fresh memory store; abort() if that cannot be made. */
static inline void fuzz_engine_open(fuzz_engine *fe, refund_lang lang)
{
	refund_engine_options opts = REFUND_ENGINE_OPTIONS_INIT;

	fuzz_alloc_init(&fe->fa);
	if (refund_store_memory_new(&fe->store, NULL) != 0)
		abort();
	opts.allocator = &fe->fa.allocator;
	opts.clock = fuzz_clock;
	opts.store = fe->store;
	opts.lang = lang;
	if (refund_engine_new(&fe->engine, &opts) != 0)
		abort();
}

/* Free everything; abort() if the engine's allocator still has live blocks. */
static inline void fuzz_engine_close(fuzz_engine *fe)
{
	refund_engine_free(fe->engine);
	refund_store_free(fe->store);
	if (fe->fa.live != 0)
		abort();
}

/* A failure must be a documented negative code with a message on the engine. */
static inline void fuzz_check_failure(refund_engine *e, int rc)
{
	if (rc >= 0 || strcmp(refund_error_name(rc), "REFUND_E?") == 0)
		abort();
	if (e && refund_engine_errmsg(e)[0] == '\0')
		abort();
}

#endif
