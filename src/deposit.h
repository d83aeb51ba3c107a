/*
 * Internal: deposits as other modules (refund cases) change them.
 *
 * A change is staged first (every allocation and the encoding done, the
 * handle untouched), committed by the caller together with its own puts
 * and events, and applied to the handle only after the commit succeeded;
 * applying cannot fail.  A staged change that is not applied is disposed.
 */
#ifndef REFUND_SRC_DEPOSIT_H
#define REFUND_SRC_DEPOSIT_H

#include <refund/deposit.h>
#include <refund/sys/store.h>

#include "engine.h"
#include "field.h"

typedef struct deposit_entry {
	uint32_t seq;
	int kind;
	int64_t amount;
	refund_time at;
	char *actor;
	int role;
	char *reference;
	char *case_id;
} deposit_entry;

/* One entry to add: strings are copied when staged. */
typedef struct deposit_entry_spec {
	int kind;
	int64_t amount;
	const char *actor;
	int role;
	const char *reference;
	const char *case_id;
} deposit_entry_spec;

/* A stage holds its entries in its own room (no change adds more: a case's
 * acceptance adds the most, case.c), and the encoded record too if it is
 * short, as most are (a longer one is allocated). */
#define DEPOSIT_STAGE_ENTRIES 6
#define DEPOSIT_STAGE_BYTES 512
/* A handle keeps the bytes of its last change up to this long (deposit.c). */
#define DEPOSIT_KEPT_MAX 512

typedef struct deposit_stage {
	size_t nentries;
	int64_t days_in_service;
	int64_t transaction_volume;
	refund_balance balance;     /* the balance after the change */
	char open_case[REFUND_ID_MAX + 1]; /* the open case after the change ("" none) */
	char *data;                 /* the encoded deposit after the change (in bytes, or allocated) */
	size_t size;
	size_t identity_end;        /* in data: where the fields never changed end */
	size_t entries_start;       /* in data: where the ledger's entries start */
	refund_store_put put;       /* points into data and the handle */
	deposit_entry entries[DEPOSIT_STAGE_ENTRIES];  /* new ones, owned until applied;
	                                                 from here on not cleared: see stage */
	unsigned char bytes[DEPOSIT_STAGE_BYTES];
} deposit_stage;

/*
 * Stage entries (nspecs may be 0, at most DEPOSIT_STAGE_ENTRIES), usage
 * figures and the open case (NULL keeps it, "" clears it, an id sets it) at
 * time `at`.  REFUND_EBALANCE if the entries would overdraw the deposit,
 * REFUND_EOVERFLOW, REFUND_ENOMEM, REFUND_EINVAL for too many entries; the
 * handle is untouched either way.
 */
int refund__deposit_stage(refund_deposit *d, const deposit_entry_spec *specs,
		size_t nspecs, int64_t days_in_service, int64_t transaction_volume,
		const char *open_case, refund_time at, deposit_stage *out);
/* After a successful commit of stage->put: the handle takes the change. */
void refund__deposit_apply(refund_deposit *d, deposit_stage *stage);
/* Drop the bytes the handle keeps (read or last stored), so that its next
 * change encodes every field: for tests that compare the two ways. */
void refund__deposit_keep_none(refund_deposit *d);
/* Release a stage that was not applied (harmless after apply). */
void refund__deposit_stage_dispose(refund_deposit *d, deposit_stage *stage);

refund_engine *refund__deposit_engine(const refund_deposit *d);

#define DEPOSIT_MAGIC_SIZE FIELD_MAGIC_SIZE
/* The first bytes of a schema 2 (binary) deposit record; JSON starts with '{'. */
extern const unsigned char refund__deposit_magic[DEPOSIT_MAGIC_SIZE];
/* The handle in schema 1, the JSON earlier versions stored (for tests of
 * reading it): *data is freed with refund__free. */
int refund__deposit_encode_json(const refund_deposit *d, char **data, size_t *size);

/*
 * Deposit `id` as stored now: *fresh NULL if that is `cached` still (the
 * store holds its version, and versions only grow), else the stored deposit
 * decoded (the caller's).  This spares a case the decoding of a ledger it
 * read a moment ago, and still never acts on a deposit someone else has
 * changed since.  The store's errors, REFUND_ENOTFOUND, REFUND_ECORRUPT,
 * REFUND_ENOMEM.
 */
int refund__deposit_refresh(refund_engine *e, const refund_deposit *cached, const char *id,
		refund_deposit **fresh);

#endif
