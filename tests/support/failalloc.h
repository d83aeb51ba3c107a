/*
 * A counting allocator for tests: fails the k-th allocation (once, or from
 * k on) and tracks live blocks so a test can assert that nothing leaked.
 */
#ifndef REFUND_TEST_FAILALLOC_H
#define REFUND_TEST_FAILALLOC_H

#include <refund/sys/alloc.h>

typedef struct failalloc {
	refund_allocator allocator; /* give &fa.allocator to the library */
	long fail_at;               /* 1-based allocation to fail; 0: none */
	int persistent;             /* fail every allocation from fail_at on */
	long count;                 /* allocation attempts since armed */
	long live;                  /* blocks allocated and not yet freed */
	long failures;              /* failures injected since armed */
} failalloc;

void failalloc_init(failalloc *fa);
/* Reset the attempt counter and fail the k-th attempt from now (0: never). */
void failalloc_arm(failalloc *fa, long k, int persistent);
void failalloc_disarm(failalloc *fa);

#endif
