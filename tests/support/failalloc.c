#include "failalloc.h"

#include <stdlib.h>

static int should_fail(failalloc *fa)
{
	fa->count++;
	if (fa->fail_at > 0 && (fa->count == fa->fail_at ||
				(fa->persistent && fa->count > fa->fail_at))) {
		fa->failures++;
		return 1;
	}
	return 0;
}

static void *fa_alloc(void *opaque, size_t size)
{
	failalloc *fa = opaque;
	void *p;

	if (should_fail(fa))
		return NULL;
	p = malloc(size);
	if (p)
		fa->live++;
	return p;
}

static void *fa_realloc(void *opaque, void *ptr, size_t size)
{
	failalloc *fa = opaque;
	void *p;

	if (should_fail(fa))
		return NULL;
	p = realloc(ptr, size);
	if (p && !ptr)
		fa->live++;
	return p;
}

static void fa_free(void *opaque, void *ptr)
{
	failalloc *fa = opaque;

	if (ptr) {
		fa->live--;
		free(ptr);
	}
}

void failalloc_init(failalloc *fa)
{
	fa->allocator.version = REFUND_ALLOCATOR_VERSION;
	fa->allocator.alloc = fa_alloc;
	fa->allocator.realloc = fa_realloc;
	fa->allocator.free = fa_free;
	fa->allocator.opaque = fa;
	fa->fail_at = 0;
	fa->persistent = 0;
	fa->count = 0;
	fa->live = 0;
	fa->failures = 0;
}

void failalloc_arm(failalloc *fa, long k, int persistent)
{
	fa->fail_at = k;
	fa->persistent = persistent;
	fa->count = 0;
	fa->failures = 0;
}

void failalloc_disarm(failalloc *fa)
{
	failalloc_arm(fa, 0, 0);
}
