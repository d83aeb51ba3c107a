/*
 * A canonical text dump of a whole store, so tests can assert that a store
 * did not change (or did) with one strcmp.  Lists, for kinds 1 to 4 in id
 * order (through scan), every record's kind, id, version and bytes, then
 * every record's events.  Index fields are not visible through scan and so
 * are not dumped; events of ids without a record are not either.
 */
#ifndef REFUND_TEST_STORE_DUMP_H
#define REFUND_TEST_STORE_DUMP_H

#include <refund/sys/store.h>

/* 0 and *out (free() it), a store error, or REFUND_ENOMEM; *out is set only
 * on success. */
int store_dump(refund_store *store, char **out);

#endif
