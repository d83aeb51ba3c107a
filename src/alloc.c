#include "alloc.h"

#include <stdlib.h>
#include <string.h>

static void *libc_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return malloc(size);
}

static void *libc_realloc(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	return realloc(ptr, size);
}

static void libc_free(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

int refund_allocator_init(refund_allocator *allocator, unsigned int version)
{
	if (!allocator)
		return REFUND_EINVAL;
	if (version != REFUND_ALLOCATOR_VERSION)
		return REFUND_EVERSION;
	memset(allocator, 0, sizeof(*allocator));
	allocator->version = version;
	return 0;
}

int refund__allocator_copy(refund_allocator *dst, const refund_allocator *src)
{
	refund_allocator a = { REFUND_ALLOCATOR_VERSION, libc_alloc, libc_realloc,
			libc_free, NULL };

	if (src) {
		int set = (src->alloc != NULL) + (src->realloc != NULL) + (src->free != NULL);

		if (src->version != REFUND_ALLOCATOR_VERSION)
			return REFUND_EVERSION;
		if (set != 0 && set != 3)
			return REFUND_EINVAL;
		if (set == 3)
			a = *src;
	}
	*dst = a;
	return 0;
}

void *refund__alloc(const refund_allocator *a, size_t size)
{
	return size ? a->alloc(a->opaque, size) : NULL;
}

void *refund__calloc(const refund_allocator *a, size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	p = a->alloc(a->opaque, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *refund__realloc_array(const refund_allocator *a, void *ptr, size_t n, size_t size)
{
	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	return a->realloc(a->opaque, ptr, n * size);
}

void refund__free(const refund_allocator *a, void *ptr)
{
	if (ptr)
		a->free(a->opaque, ptr);
}

char *refund__strndup(const refund_allocator *a, const char *s, size_t n)
{
	char *copy;

	if (!s)
		return NULL;
	copy = refund__alloc(a, n + 1);
	if (copy) {
		memcpy(copy, s, n);
		copy[n] = '\0';
	}
	return copy;
}

char *refund__strdup(const refund_allocator *a, const char *s)
{
	return s ? refund__strndup(a, s, strlen(s)) : NULL;
}
