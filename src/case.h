/*
 * Internal: a refund case's record, shared by the case, workflow, event,
 * quote and deadline modules.
 *
 * The record is one flat struct with bounded fields and no pointers but the
 * engine and the (immutable, engine-owned) policy: a transition works on a
 * copy made with one memcpy and swaps it in after its commit succeeded, so a
 * failed transition cannot leave the handle half changed, and a transition
 * costs a bounded number of allocations.
 */
#ifndef REFUND_SRC_CASE_H
#define REFUND_SRC_CASE_H

#include <refund/case.h>
#include <refund/deadline.h>
#include <refund/deposit.h>
#include <refund/event.h>
#include <refund/sys/store.h>

#include "binary.h"
#include "engine.h"
#include "field.h"
#include "json.h"
#include "policy.h"
#include "sha256.h"

#define CASE_MAX_EVIDENCE 16     /* attachments kept per case */
#define CASE_MAX_KEYS 32         /* idempotency keys remembered per case */
#define CASE_REF_MAX 128         /* evidence reference */
#define CASE_NAME_MAX 128        /* account holder's name, bank name */
#define CASE_NUMBER_MAX 64       /* account number, phone, e-mail, WeChat id */
#define CASE_TEXT_MAX 1024       /* rejection text */
#define CASE_PAYREF_MAX 64       /* payment reference */
#define CASE_FAILURE_MAX 128     /* payout failure reason */

typedef struct case_evidence {
	int kind;
	refund_time at;
	char reference[CASE_REF_MAX + 1];
} case_evidence;

typedef struct case_part {
	int64_t amount;
	refund_time due;
	int status;                              /* refund_part_status */
	int attempts;
	char reference[CASE_PAYREF_MAX + 1];
	char failure[CASE_FAILURE_MAX + 1];
} case_part;

/* The clock of the current state. */
typedef struct case_clock {
	int state;                 /* whose clock; 0: none runs */
	refund_time started;
	refund_time due;
	int consequence;
	uint32_t reminders_sent;   /* bit i: policy reminder i went out */
	int overdue;               /* the due consequence fired (escalation, reminders) */
	/* A paused review clock (awaiting documents): what was left of it. */
	int paused_state;
	int64_t paused_left;       /* seconds, or business days for business-day clocks */
	int paused_unit;
} case_clock;

typedef struct case_key {
	char key[REFUND_ID_MAX + 1];
	unsigned char digest[SHA256_DIGEST_SIZE];  /* of the action and its arguments */
} case_key;

typedef struct case_record {
	char id[REFUND_ID_MAX + 1];
	char deposit_id[REFUND_ID_MAX + 1];
	char holder[REFUND_ID_MAX + 1];
	char agent[REFUND_ID_MAX + 1];
	char currency[4];
	char policy_id[REFUND_POLICY_ID_MAX + 1];
	uint32_t policy_version;
	int state;
	int reason;
	refund_time opened_at;
	case_evidence evidence[CASE_MAX_EVIDENCE];
	int nevidence;
	uint32_t requested;                       /* evidence the reviewer asked for */
	/* payout account */
	int method;
	char account_name[CASE_NAME_MAX + 1];
	char account_number[CASE_NUMBER_MAX + 1];
	char bank[CASE_NAME_MAX + 1];
	/* review */
	int64_t approved;                         /* -1 until approved */
	char approved_by[REFUND_ID_MAX + 1];
	int reject_reason;
	char reject_text[CASE_TEXT_MAX + 1];
	/* device */
	char tracking[CASE_PAYREF_MAX + 1];
	int grade;                                /* 0 until inspected */
	int missing_parts;
	int64_t offset_owed;
	/* agreement */
	int offered;
	int accepted;
	refund_quote fixed;                       /* the quote fixed at acceptance */
	case_part parts[REFUND_POLICY_MAX_PARTS];
	int nparts;
	/* escalation, deadlines, audit */
	uint32_t escalated;
	case_clock clock;
	uint64_t nevents;
	unsigned char last_hash[SHA256_DIGEST_SIZE];  /* the newest event's (nevents > 0) */
	case_key keys[CASE_MAX_KEYS];
	int nkeys;                                /* keys kept, oldest replaced first */
	int next_key;
} case_record;

/* Segments of a schema 2 record (case_record.c): a commit copies those whose
 * fields did not change from the bytes the handle's last commit wrote. */
#define CASE_SEGMENTS 9
#define CASE_KEPT_MAX 1024       /* a longer record is not kept */

/* The bytes a commit stored for the handle's record, while the record is
 * what that commit made it: anything else that sets it keeps none. */
typedef struct case_kept {
	uint16_t size;                /* 0: none kept */
	uint16_t end[CASE_SEGMENTS];  /* where each segment's bytes end */
	unsigned char bytes[CASE_KEPT_MAX];
} case_kept;

struct refund_case {
	refund_engine *engine;
	uint64_t version;               /* store version */
	const refund_policy *policy;    /* engine-owned, immutable */
	refund_deposit *deposit;        /* the deposit as last read, or NULL: a
	                                   cache, checked against the store's
	                                   version before each use */
	case_record *r;                 /* the record: one of rooms (after the
	                                   fields a test's image of the handle
	                                   compares: see tests/support) */
	case_record rooms[2];           /* r and a transition's spare: a commit
	                                   makes the spare the record */
	case_kept kept;                 /* *r as stored */
};

/* The room a transition writes the record after it to. */
static inline case_record *case_spare(refund_case *c)
{
	return c->r == &c->rooms[0] ? &c->rooms[1] : &c->rooms[0];
}

/* The arguments of any action; each action uses the fields it names. */
typedef struct case_args {
	int kind;                      /* attach: evidence kind */
	const char *text;              /* attach reference, reject text, tracking, pay reference, failure */
	const char *text2;             /* open: the policy id */
	const refund_account *account; /* submit */
	int64_t amount;                /* approve, set_offset */
	uint32_t mask;                 /* request_documents evidence, escalate party */
	int number;                    /* reject reason, inspect grade, offer parts, pay part, policy version */
	int number2;                   /* inspect missing parts */
	int deadline;                  /* system actions: 1 if fired by a deadline */
	refund_time at;                /* with deadline: the tick's time, not the clock's */
} case_args;

/* Take an action on the case: one committed transition (case.c). */
int refund__case_act(refund_case *c, int action, const refund_act *act,
		const case_args *args);

/* The record's stored bytes, as a commit writes them (for tests of rebuilding). */
int refund__case_encode(refund_engine *e, const case_record *r, char **data, size_t *size);
/* The same in schema 1, the JSON that earlier versions wrote (for tests of reading it). */
int refund__case_encode_json(refund_engine *e, const case_record *r, char **data,
		size_t *size);

/* ---- case_record.c: the stored record ---- */

#define CASE_MAGIC_SIZE FIELD_MAGIC_SIZE
/* The first bytes of a schema 2 (binary) record; JSON starts with '{'. */
extern const unsigned char refund__case_magic[CASE_MAGIC_SIZE];

/* Key slots a copy takes: as far as the count or the next slot (and one more). */
size_t refund__case_key_slots(const case_record *r);
/* Copy src to dst as far as anything reads it (keys: that many slots). */
void refund__case_record_copy(case_record *dst, const case_record *src, size_t keys);
/* An empty record, as far as a copy would read it. */
void refund__case_record_clear(case_record *r);

/* Schema 2, what a commit stores. */
void refund__case_record_write(bin_writer *w, const case_record *r);
/*
 * The same bytes, copying each segment whose fields r shares with `before`
 * from `kept` (the bytes stored for `before`, if any are kept); end[] gets
 * where each segment ends, for case_kept_set.
 */
void refund__case_record_write_since(bin_writer *w, const case_record *r,
		const case_record *before, const case_kept *kept, uint16_t end[CASE_SEGMENTS]);
/* Keep a commit's bytes of the record (none if they are too long). */
void refund__case_kept_set(case_kept *kept, const unsigned char *data, size_t size,
		const uint16_t end[CASE_SEGMENTS]);
/* Schema 1: compact JSON, as earlier versions stored it. */
void refund__case_record_write_json(json_writer *w, const case_record *r);
/*
 * Either schema into r (cleared first): 0, REFUND_ECORRUPT (anything out of
 * place or out of range), or REFUND_ENOMEM; nothing described.  The caller
 * checks that the id is the one it asked for.
 */
int refund__case_record_read(const refund_allocator *alloc, const unsigned char *data,
		size_t size, case_record *r);
/* The same, and a binary record's bytes kept for the next commit (case_kept;
 * none for JSON or a record longer than CASE_KEPT_MAX). */
int refund__case_record_read_kept(const refund_allocator *alloc, const unsigned char *data,
		size_t size, case_record *r, case_kept *kept);
/* A quote's members (not its currency), in either encoding, checked as a
 * record's: also what an event's context holds. */
void refund__case_quote_put(field_out *o, const refund_quote *q);
void refund__case_quote_get(field_in *in, refund_quote *q);

/* ---- quote.c ---- */

/* The quote for a record against its deposit's current balance and usage. */
int refund__case_quote(refund_engine *e, const refund_policy *p, const case_record *r,
		const refund_deposit *d, refund_quote *out);

/* ---- deadline.c ---- */

/* Start the clock of `state` at `start` (none if the policy sets none). */
int refund__clock_start(refund_engine *e, const refund_policy *p, case_record *r,
		int state, refund_time start);
/* Keep what is left of the running clock, to resume it later. */
int refund__clock_pause(refund_engine *e, const refund_policy *p, case_record *r,
		refund_time now);
/* Resume the paused clock of `state` from `now` (or start it afresh). */
int refund__clock_resume(refund_engine *e, const refund_policy *p, case_record *r,
		int state, refund_time now);
/* After an overdue consequence that keeps the state: due moves one period on. */
int refund__clock_advance(refund_engine *e, const refund_policy *p, case_record *r);
/* When the next reminder or consequence fires, or REFUND_NO_DEADLINE. */
refund_time refund__case_next_fire(const case_record *r, const refund_policy *p);

/* ---- event.c ---- */

/* A format-2 (binary) event begins with A5 'R' 'E' 02; a format-1 one with '{'. */
#define EVENT_MAGIC_SIZE 4

/*
 * Encode the event of a transition of r (seq r->nevents + 1, chained to
 * r->last_hash) in format 2, in two steps around its context.  Begin writes
 * with w (a fresh writer of the caller's) the previous event's hash, which
 * the digest chains to but the event does not store, then the event's
 * fields and `args`, the action's arguments as case.c encodes them in
 * binary.  The caller then writes the context, the outside inputs the
 * action read (the deposit's identity when opening, the quote when
 * approving or offering), and finish hashes it all in one pass, appends
 * the digest and gives the event's bytes, valid until
 * refund__bin_writer_dispose(w), and its digest.  Replaying args with
 * context must give the same event again (refund_case_rebuild).
 */
void refund__event_begin(const case_record *r, const refund_event *ev,
		const unsigned char *args, size_t args_len, bin_writer *w);
int refund__event_finish(refund_engine *e, const case_record *r, bin_writer *w,
		const unsigned char **data, size_t *size, unsigned char digest[SHA256_DIGEST_SIZE]);

/*
 * The same event in format 1, JSON, as earlier versions wrote it: only to
 * replay an event stored in that format.  `args` and `context` are JSON
 * (context NULL for none); w is a json_writer.
 */
int refund__event_encode_json(refund_engine *e, const case_record *r, const refund_event *ev,
		const char *args, size_t args_len, const char *context, size_t context_len,
		json_writer *w, const char **data, size_t *size,
		unsigned char digest[SHA256_DIGEST_SIZE]);

/* One stored event's bytes, copied out of the store's callback. */
typedef struct event_copy {
	uint64_t seq;
	char *data;
	size_t size;
} event_copy;

/* Copies of all of a case's stored events, in order (none: *count 0). */
int refund__event_copies(refund_engine *e, const char *case_id, event_copy **out,
		size_t *count);
void refund__event_copies_free(refund_engine *e, event_copy *list, size_t count);

/* Events up to this size decode without an allocation. */
#define EVENT_VIEW_LOCAL 512

/*
 * One stored event, decoded: ev's strings point into the view (format 2:
 * copies in local or heap; format 1: the DOM root).  For format 2, `rest`
 * is left at the action's arguments and context, whose texts go to `room`
 * too (case.c reads them for replaying), and ends before the hash.
 */
typedef struct event_view {
	refund_event ev;
	int format;                      /* 1: JSON, 2: binary */
	struct json_value *root;         /* format 1 */
	bin_reader rest;                 /* format 2: arguments and context */
	bin_texts room;                  /* format 2: room for their texts */
	const unsigned char *digest;     /* format 2: the hash, in the stored bytes */
	char *heap;                      /* the room when local is too small */
	char prev[SHA256_HEX_SIZE];      /* format 2: ev.prev_hash */
	char hash[SHA256_HEX_SIZE];      /* format 2: ev.hash */
	char local[EVENT_VIEW_LOCAL];    /* last: not cleared */
} event_view;

/*
 * Decode the stored bytes of one event, prev the previous event's hex hash
 * (format 2 does not hold it; "" before the first).  0; REFUND_ECORRUPT or
 * REFUND_ENOMEM (undescribed).  The bytes must outlive the view (the hash
 * stays in them).  Dispose of the view after, whatever this returned.
 */
int refund__event_view(refund_engine *e, const void *data, size_t size, const char *prev,
		event_view *v);
void refund__event_view_dispose(refund_engine *e, event_view *v);

#endif
