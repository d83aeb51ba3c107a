/*
 * A store that forwards to another store and fails the k-th call (load,
 * commit, events, due and scan all count) with a chosen code, once or from k
 * on, without forwarding the failed call.  Freeing it leaves the inner store
 * alone.
 */
#ifndef REFUND_TEST_FAULTY_STORE_H
#define REFUND_TEST_FAULTY_STORE_H

#include <refund/sys/store.h>

/* 0, or REFUND_EINVAL / REFUND_ENOMEM.  scan is offered only if inner's is. */
int faulty_store_new(refund_store *inner, refund_store **out);
/* Reset the call counter and fail the k-th call from now with code (k = 0:
 * never); persistent: also every call after it. */
void faulty_store_arm(refund_store *faulty, long k, int code, int persistent);
void faulty_store_disarm(refund_store *faulty);
/* Calls since creation or the last arm/disarm, failed ones included. */
long faulty_store_calls(const refund_store *faulty);
/* Calls failed on purpose since the last arm/disarm. */
long faulty_store_failures(const refund_store *faulty);

#endif
