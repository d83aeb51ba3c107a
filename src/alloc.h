/*
 * Internal: every allocation of the library goes through these, with the
 * engine's (or a store's) allocator, so tests can fail any one of them.
 */
#ifndef REFUND_SRC_ALLOC_H
#define REFUND_SRC_ALLOC_H

#include <refund/sys/alloc.h>

/* Copy a host allocator into dst, filling in libc's where src is NULL.
 * Returns 0, REFUND_EINVAL (half set) or REFUND_EVERSION. */
int refund__allocator_copy(refund_allocator *dst, const refund_allocator *src);

/* NULL on failure or when size is 0. */
void *refund__alloc(const refund_allocator *a, size_t size);
/* Zeroed; NULL on failure or overflow of n * size. */
void *refund__calloc(const refund_allocator *a, size_t n, size_t size);
/* NULL on failure (ptr untouched) or overflow of n * size. */
void *refund__realloc_array(const refund_allocator *a, void *ptr, size_t n, size_t size);
void refund__free(const refund_allocator *a, void *ptr);
/* NULL for NULL s, and on failure (check s before blaming memory). */
char *refund__strdup(const refund_allocator *a, const char *s);
char *refund__strndup(const refund_allocator *a, const char *s, size_t n);

#endif
