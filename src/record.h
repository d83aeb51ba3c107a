/*
 * Internal: what every decoder of a stored record does before it reads its
 * own fields.  Stored bytes are untrusted (a host's database, a backup, an
 * attacker's edit): each failure is REFUND_ECORRUPT, described on the
 * engine with the record's kind and id in both languages.
 */
#ifndef REFUND_SRC_RECORD_H
#define REFUND_SRC_RECORD_H

#include <refund/sys/store.h>

#include "engine.h"
#include "json.h"

/* Why a stored record was refused; each has its words in en and zh-CN. */
typedef enum record_fault {
	RECORD_VERSION_ZERO,  /* stored records start at version 1 */
	RECORD_NOT_JSON,
	RECORD_BAD_FIELDS,    /* a field is missing, invalid or another record's */
	RECORD_NOT_HEAD       /* a policy head that disagrees with its version */
} record_fault;

/* REFUND_ECORRUPT, with "<kind> <id>: the stored record is corrupt (why)". */
int refund__record_corrupt(refund_engine *e, const refund_store_record *rec,
		record_fault why);

/*
 * Parse rec's bytes: 0 and *root (json_free it), REFUND_ENOMEM, or
 * REFUND_ECORRUPT for version 0 or bytes that are not JSON; both described.
 */
int refund__record_parse(refund_engine *e, const refund_store_record *rec,
		json_value **root);

#endif
