/**
 * @file refund/sys/alloc.h
 * @brief Plugging a custom allocator into an engine (zstd-style).
 *
 * Every allocation librefund makes goes through the engine's allocator, so a
 * host can account for memory or, in tests, fail the k-th allocation.
 */
#ifndef REFUND_SYS_ALLOC_H
#define REFUND_SYS_ALLOC_H

#include "../common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The current version of ::refund_allocator. */
#define REFUND_ALLOCATOR_VERSION 1

/**
 * A custom allocator.  Either all three functions are set or none is (then
 * the C library's malloc, realloc and free are used).
 *
 * The functions have the C library's meaning: `alloc` returns NULL on
 * failure; `realloc` returns NULL on failure and leaves the old block
 * untouched; `free(opaque, NULL)` must be harmless.  The library never asks
 * for zero bytes.
 */
typedef struct refund_allocator {
	unsigned int version;   /**< Must be ::REFUND_ALLOCATOR_VERSION. */
	void *(*alloc)(void *opaque, size_t size);              /**< malloc. */
	void *(*realloc)(void *opaque, void *ptr, size_t size); /**< realloc. */
	void (*free)(void *opaque, void *ptr);                  /**< free. */
	void *opaque;           /**< Passed to each function as is. */
} refund_allocator;

/** Static initializer: the C library's allocator. */
#define REFUND_ALLOCATOR_INIT { REFUND_ALLOCATOR_VERSION, NULL, NULL, NULL, NULL }

/**
 * Initialize an allocator struct for the given version (all functions NULL).
 *
 * @param allocator the struct to fill.
 * @param version must be ::REFUND_ALLOCATOR_VERSION.
 * @return 0; REFUND_EINVAL if @p allocator is NULL; REFUND_EVERSION for an
 *         unknown version.
 */
REFUND_API int refund_allocator_init(refund_allocator *allocator, unsigned int version);

#ifdef __cplusplus
}
#endif

#endif /* REFUND_SYS_ALLOC_H */
