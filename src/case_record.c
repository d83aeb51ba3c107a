/*
 * A case's stored record, in its two encodings.
 *
 * Schema 2, written since the binary format, is the record's fields in the
 * order encode() walks them, after 4 magic bytes (case.h, CASE_MAGIC): a
 * transition writes it in about a tenth of the time JSON took, and loading
 * it needs no parse tree.  Schema 1 is compact JSON with named members, as
 * earlier versions wrote it; it is still read, and can still be written, so
 * that its reader stays tested.
 *
 * One walk of the record serves both encodings and one walk serves both
 * readers (field.h): the field order, the keys and every range check are
 * written once, and a record that one reader refuses the other refuses too.
 */
#include "case.h"

#include <stddef.h>
#include <string.h>

#include <refund/money.h>

#include "binary.h"
#include "field.h"

#define CASE_SCHEMA_JSON 1

#define T_MIN REFUND_TIME_MIN
#define T_MAX REFUND_TIME_MAX
#define M_MAX INT64_MAX

const unsigned char refund__case_magic[CASE_MAGIC_SIZE] = { 0xA5, 'R', 'C', 2 };

/* Short names for the walks below. */
#define put_int refund__field_int
#define put_text refund__field_text
#define put_digest refund__field_digest
#define put_object refund__field_object
#define put_end refund__field_end
#define put_list refund__field_list
#define put_item refund__field_item
#define put_list_end refund__field_list_end
#define get_int refund__field_get_int
#define get_object refund__field_get_object
#define get_end refund__field_get_end
#define get_list refund__field_get_list
#define get_item refund__field_get_item
#define get_digest refund__field_get_digest

/* ---- copying and clearing: as far as anything reads ---- */

/*
 * A record is 13 KiB, mostly its lists' room; a transition copies it into
 * the handle's spare room (which becomes the record when it commits), so it
 * copies only what can be read: the fields whole but the rejection text (as
 * far as its NUL), the evidence and parts as far as their counts, and the
 * keys as far as the count or the slot the next key goes to (and the one
 * after: a stored record may have them out of step), `keys` slots in all.  Nothing reads a list
 * past its count, and a list grows by filling its next slot whole (parts
 * all at once, after zeroing them).
 */
size_t refund__case_key_slots(const case_record *r)
{
	int used = (r->nkeys > r->next_key ? r->nkeys : r->next_key) + 1;

	return (size_t)(used < CASE_MAX_KEYS ? used : CASE_MAX_KEYS);
}

/* The fields between the lists, in the order case.h declares them. */
_Static_assert(offsetof(case_record, nevidence) > offsetof(case_record, evidence) &&
		offsetof(case_record, reject_text) > offsetof(case_record, nevidence) &&
		offsetof(case_record, tracking) > offsetof(case_record, reject_text) &&
		offsetof(case_record, parts) > offsetof(case_record, tracking) &&
		offsetof(case_record, nparts) > offsetof(case_record, parts) &&
		offsetof(case_record, keys) > offsetof(case_record, nparts) &&
		offsetof(case_record, nkeys) > offsetof(case_record, keys),
		"refund__case_record_copy copies case_record in this order");

#define SPAN(from, to) (offsetof(case_record, to) - offsetof(case_record, from))

void refund__case_record_copy(case_record *dst, const case_record *src, size_t keys)
{
	memcpy(dst, src, offsetof(case_record, evidence));
	memcpy(dst->evidence, src->evidence, (size_t)src->nevidence * sizeof(src->evidence[0]));
	/* The rejection text's 1 KiB room is mostly empty: as far as its NUL. */
	memcpy(&dst->nevidence, &src->nevidence, SPAN(nevidence, reject_text));
	memcpy(dst->reject_text, src->reject_text, strlen(src->reject_text) + 1);
	memcpy(dst->tracking, src->tracking, SPAN(tracking, parts));
	memcpy(dst->parts, src->parts, (size_t)src->nparts * sizeof(src->parts[0]));
	memcpy(&dst->nparts, &src->nparts, SPAN(nparts, keys));
	memcpy(dst->keys, src->keys, keys * sizeof(src->keys[0]));
	memcpy(&dst->nkeys, &src->nkeys, sizeof(*src) - offsetof(case_record, nkeys));
}

/* An empty record, as far as record_copy would copy it. */
void refund__case_record_clear(case_record *r)
{
	memset(r, 0, offsetof(case_record, evidence));
	memset(&r->nevidence, 0, SPAN(nevidence, reject_text));
	r->reject_text[0] = '\0';
	memset(r->tracking, 0, SPAN(tracking, parts));
	memset(&r->nparts, 0, SPAN(nparts, keys));
	memset(&r->nkeys, 0, sizeof(*r) - offsetof(case_record, nkeys));
	memset(r->keys, 0, refund__case_key_slots(r) * sizeof(r->keys[0]));
}

#undef SPAN

/* ---- writing ---- */

/* Schema 2's segments, in the order they are written and read. */
enum {
	SEGMENT_IDENTITY, SEGMENT_PROGRESS, SEGMENT_ACCOUNT, SEGMENT_REVIEW,
	SEGMENT_DEADLINES, SEGMENT_AUDIT, SEGMENT_EVIDENCE, SEGMENT_PARTS, SEGMENT_KEYS,
	SEGMENT_COUNT
};

_Static_assert(SEGMENT_COUNT == CASE_SEGMENTS, "case.h counts the segments");

void refund__case_quote_put(field_out *o, const refund_quote *q)
{
	put_int(o, "remaining", q->remaining);
	put_int(o, "tier_bp", q->tier_bp);
	put_int(o, "gross", q->gross);
	put_int(o, "forfeited", q->forfeited);
	put_int(o, "damage", q->damage);
	put_int(o, "missing_parts", q->missing_parts);
	put_int(o, "fee", q->fee);
	put_int(o, "offset", q->offset);
	put_int(o, "net", q->net);
	put_int(o, "approved", q->approved);
}

static void encode_quote(field_out *o, const refund_quote *q)
{
	put_object(o, "fixed");
	refund__case_quote_put(o, q);
	put_end(o);
}

static void encode_clock(field_out *o, const case_clock *k)
{
	put_object(o, "clock");
	put_int(o, "state", k->state);
	put_int(o, "started", k->started);
	put_int(o, "due", k->due);
	put_int(o, "consequence", k->consequence);
	put_int(o, "sent", k->reminders_sent);
	put_int(o, "overdue", k->overdue);
	put_int(o, "paused_state", k->paused_state);
	put_int(o, "paused_left", k->paused_left);
	put_int(o, "paused_unit", k->paused_unit);
	put_end(o);
}

static void encode_evidence(field_out *o, const case_record *r)
{
	int i;

	put_list(o, "evidence", r->nevidence);
	for (i = 0; i < r->nevidence; i++) {
		put_item(o);
		put_int(o, "kind", r->evidence[i].kind);
		put_int(o, "at", r->evidence[i].at);
		put_text(o, "ref", r->evidence[i].reference);
		put_end(o);
	}
	put_list_end(o);
}

static void encode_parts(field_out *o, const case_record *r)
{
	int i;

	put_list(o, "parts", r->nparts);
	for (i = 0; i < r->nparts; i++) {
		const case_part *p = &r->parts[i];

		put_item(o);
		put_int(o, "amount", p->amount);
		put_int(o, "due", p->due);
		put_int(o, "status", p->status);
		put_int(o, "attempts", p->attempts);
		put_text(o, "ref", p->reference);
		put_text(o, "failure", p->failure);
		put_end(o);
	}
	put_list_end(o);
}

static void encode_keys(field_out *o, const case_record *r)
{
	int i;

	put_list(o, "keys", r->nkeys);
	for (i = 0; i < r->nkeys; i++) {
		put_item(o);
		put_text(o, "key", r->keys[i].key);
		put_digest(o, "digest", r->keys[i].digest);
		put_end(o);
	}
	put_list_end(o);
}

/* The record's fields after the schema's mark, in segments (below). */
static void encode_identity(field_out *o, const case_record *r)
{
	put_text(o, "id", r->id);
	put_text(o, "deposit", r->deposit_id);
	put_text(o, "holder", r->holder);
	put_text(o, "agent", r->agent);
	put_text(o, "currency", r->currency);
	put_text(o, "policy", r->policy_id);
	put_int(o, "policy_version", r->policy_version);
}

static void encode_progress(field_out *o, const case_record *r)
{
	refund__field_name(o, "state", r->state, refund_case_state_name);
	put_int(o, "reason", r->reason);
	put_int(o, "opened_at", r->opened_at);
}

static void encode_account(field_out *o, const case_record *r)
{
	put_int(o, "requested", r->requested);
	put_int(o, "method", r->method);
	put_text(o, "account_name", r->account_name);
	put_text(o, "account_number", r->account_number);
	put_text(o, "bank", r->bank);
}

static void encode_review(field_out *o, const case_record *r)
{
	put_int(o, "approved", r->approved);
	put_text(o, "approved_by", r->approved_by);
	put_int(o, "reject_reason", r->reject_reason);
	put_text(o, "reject_text", r->reject_text);
	put_text(o, "tracking", r->tracking);
	put_int(o, "grade", r->grade);
	put_int(o, "missing_parts", r->missing_parts);
	put_int(o, "offset_owed", r->offset_owed);
	put_int(o, "offered", r->offered);
	put_int(o, "accepted", r->accepted);
	encode_quote(o, &r->fixed);
}

/* Escalations and the clock, which most transitions leave as they were. */
static void encode_deadlines(field_out *o, const case_record *r)
{
	put_int(o, "escalated", r->escalated);
	encode_clock(o, &r->clock);
}

/* What every transition changes: the events and the newest one's hash. */
static void encode_audit(field_out *o, const case_record *r)
{
	put_int(o, "events", (int64_t)r->nevents);
	put_digest(o, "last_hash", r->last_hash);
	put_int(o, "next_key", r->next_key);
}

/*
 * Whether two records agree on every field a segment's encoder writes, so
 * that the bytes written for one serve the other.  Spans of fields that are
 * always initialised (refund__case_record_clear and _copy keep them whole)
 * are compared whole; a text whose room is copied only as far as its NUL,
 * and list items (whose texts a decoder writes only as far as their NUL),
 * field by field.  Equal records may look different (padding, a text's
 * room past its NUL): that only costs an encoding.  test_case_record
 * changes every byte of random records in turn to check these against
 * the encoders.
 */
#define SPAN_SIZE(from, to) (offsetof(case_record, to) - offsetof(case_record, from))
#define SAME_SPAN(from, to) (memcmp(&a->from, &b->from, SPAN_SIZE(from, to)) == 0)
#define SAME(field) (x->field == y->field)
#define SAME_TEXT(field) (strcmp(x->field, y->field) == 0)

static int same_identity(const case_record *a, const case_record *b)
{
	return SAME_SPAN(id, state);
}

static int same_account(const case_record *a, const case_record *b)
{
	return SAME_SPAN(requested, approved);
}

static int same_review(const case_record *a, const case_record *b)
{
	return SAME_SPAN(approved, reject_text) && strcmp(a->reject_text, b->reject_text) == 0 &&
		SAME_SPAN(tracking, parts);
}

static int same_deadlines(const case_record *a, const case_record *b)
{
	return SAME_SPAN(escalated, nevents);
}

static int same_evidence(const case_record *a, const case_record *b)
{
	int i;

	if (a->nevidence != b->nevidence)
		return 0;
	for (i = 0; i < a->nevidence; i++) {
		const case_evidence *x = &a->evidence[i], *y = &b->evidence[i];

		if (!(SAME(kind) && SAME(at) && SAME_TEXT(reference)))
			return 0;
	}
	return 1;
}

static int same_parts(const case_record *a, const case_record *b)
{
	int i;

	if (a->nparts != b->nparts)
		return 0;
	for (i = 0; i < a->nparts; i++) {
		const case_part *x = &a->parts[i], *y = &b->parts[i];

		if (!(SAME(amount) && SAME(due) && SAME(status) && SAME(attempts) &&
		      SAME_TEXT(reference) && SAME_TEXT(failure)))
			return 0;
	}
	return 1;
}

static int same_keys(const case_record *a, const case_record *b)
{
	int i;

	if (a->nkeys != b->nkeys)
		return 0;
	for (i = 0; i < a->nkeys; i++) {
		const case_key *x = &a->keys[i], *y = &b->keys[i];

		if (!SAME_TEXT(key) || memcmp(x->digest, y->digest, sizeof(x->digest)) != 0)
			return 0;
	}
	return 1;
}

#undef SAME_TEXT
#undef SAME
#undef SAME_SPAN
#undef SPAN_SIZE

/* The spans above hold their segment's fields and no other segment's. */
_Static_assert(offsetof(case_record, id) == 0 &&
		offsetof(case_record, policy_version) < offsetof(case_record, state) &&
		offsetof(case_record, nevidence) < offsetof(case_record, requested) &&
		offsetof(case_record, bank) < offsetof(case_record, approved) &&
		offsetof(case_record, reject_text) < offsetof(case_record, tracking) &&
		offsetof(case_record, fixed) < offsetof(case_record, parts) &&
		offsetof(case_record, clock) < offsetof(case_record, nevents),
		"the fields of case.h in the order the segments take them");

/*
 * Schema 2 in segments, in the order they are written.  A segment with a
 * `same` may be copied from the bytes kept of the record before (case.h,
 * case_kept); the others change with nearly every transition and are
 * always written.
 */
static const struct segment {
	void (*write)(field_out *o, const case_record *r);
	int (*same)(const case_record *a, const case_record *b);
} segments[CASE_SEGMENTS] = {
	[SEGMENT_IDENTITY] = { encode_identity, same_identity },
	[SEGMENT_PROGRESS] = { encode_progress, NULL },
	[SEGMENT_ACCOUNT] = { encode_account, same_account },
	[SEGMENT_REVIEW] = { encode_review, same_review },
	[SEGMENT_DEADLINES] = { encode_deadlines, same_deadlines },
	[SEGMENT_AUDIT] = { encode_audit, NULL },
	[SEGMENT_EVIDENCE] = { encode_evidence, same_evidence },
	[SEGMENT_PARTS] = { encode_parts, same_parts },
	[SEGMENT_KEYS] = { encode_keys, same_keys },
};

static void encode(field_out *o, const case_record *r)
{
	size_t i;

	for (i = 0; i < CASE_SEGMENTS; i++)
		segments[i].write(o, r);
}

void refund__case_record_write(bin_writer *w, const case_record *r)
{
	field_out o = { NULL, w };

	refund__bin_bytes(w, refund__case_magic, CASE_MAGIC_SIZE);
	encode(&o, r);
}

void refund__case_record_write_since(bin_writer *w, const case_record *r,
		const case_record *before, const case_kept *kept, uint16_t end[CASE_SEGMENTS])
{
	field_out o = { NULL, w };
	size_t i, start = w->len, from = 0, run = 0;  /* kept bytes not yet copied */

	refund__bin_bytes(w, refund__case_magic, CASE_MAGIC_SIZE);
	for (i = 0; i < CASE_SEGMENTS; i++) {
		size_t begins = i ? kept->end[i - 1] : CASE_MAGIC_SIZE;

		if (kept->size && segments[i].same && segments[i].same(r, before)) {
			/* Runs of segments kept alike are copied in one go. */
			if (!run)
				from = begins;
			run = kept->end[i] - from;
		} else {
			if (run)
				refund__bin_bytes(w, kept->bytes + from, run);
			run = 0;
			segments[i].write(&o, r);
		}
		/* A record too long to keep has ends that wrap: case_kept_set keeps none. */
		end[i] = (uint16_t)(w->len - start + run);
	}
	if (run)
		refund__bin_bytes(w, kept->bytes + from, run);
}

void refund__case_kept_set(case_kept *kept, const unsigned char *data, size_t size,
		const uint16_t end[CASE_SEGMENTS])
{
	kept->size = 0;
	if (size > CASE_KEPT_MAX)
		return;
	memcpy(kept->bytes, data, size);
	memcpy(kept->end, end, sizeof(kept->end));
	kept->size = (uint16_t)size;
}

void refund__case_record_write_json(json_writer *w, const case_record *r)
{
	field_out o = { w, NULL };

	json_object_begin(w);
	json_kv_int(w, "schema", CASE_SCHEMA_JSON);
	encode(&o, r);
	json_object_end(w);
}

/* ---- reading ---- */

static int get_small(field_in *in, const char *key, int min, int max)
{
	return (int)get_int(in, key, min, max);
}

static uint32_t get_mask(field_in *in, const char *key)
{
	return (uint32_t)get_int(in, key, 0, UINT32_MAX);
}

static void get_text(field_in *in, const char *key, char *dst, size_t cap)
{
	refund__field_get_text(in, key, dst, cap, 0);
}

static void get_id(field_in *in, const char *key, char *dst, size_t cap)
{
	refund__field_get_id(in, key, dst, cap, 0);
}

void refund__case_quote_get(field_in *in, refund_quote *q)
{
	q->remaining = get_int(in, "remaining", 0, M_MAX);
	q->tier_bp = (int32_t)get_int(in, "tier_bp", 0, REFUND_BP_WHOLE);
	q->gross = get_int(in, "gross", 0, M_MAX);
	q->forfeited = get_int(in, "forfeited", 0, M_MAX);
	q->damage = get_int(in, "damage", 0, M_MAX);
	q->missing_parts = get_int(in, "missing_parts", 0, M_MAX);
	q->fee = get_int(in, "fee", 0, M_MAX);
	q->offset = get_int(in, "offset", 0, M_MAX);
	q->net = get_int(in, "net", 0, M_MAX);
	q->approved = get_int(in, "approved", -1, M_MAX);
	q->version = REFUND_QUOTE_VERSION;
}

static void decode_quote(field_in *in, refund_quote *q)
{
	get_object(in, "fixed");
	refund__case_quote_get(in, q);
	get_end(in);
}


static void decode_clock(field_in *in, case_clock *k)
{
	get_object(in, "clock");
	k->state = get_small(in, "state", 0, REFUND_STATE_COUNT - 1);
	k->started = get_int(in, "started", T_MIN, T_MAX);
	k->due = get_int(in, "due", T_MIN, T_MAX);
	k->consequence = get_small(in, "consequence", 0, REFUND_ON_DUE_CLOSE);
	k->reminders_sent = (uint32_t)get_int(in, "sent", 0,
			(1 << REFUND_POLICY_MAX_REMINDERS) - 1);
	k->overdue = get_small(in, "overdue", 0, 1);
	k->paused_state = get_small(in, "paused_state", 0, REFUND_STATE_COUNT - 1);
	k->paused_left = get_int(in, "paused_left", 0, T_MAX);
	k->paused_unit = get_small(in, "paused_unit", 0, REFUND_BUSINESS_DAYS);
	get_end(in);
}

/* Where a binary record's segments end (case.h, case_kept): noted while
 * reading, for a handle to keep the bytes it read. */
typedef struct segment_marks {
	const unsigned char *start;
	uint16_t *end;                /* NULL: not noted */
} segment_marks;

static void mark(const field_in *in, const segment_marks *m, int segment)
{
	if (m->end && in->bin)
		m->end[segment] = (uint16_t)(in->bin->p - m->start);
}

static void decode_lists(field_in *in, case_record *r, const segment_marks *m)
{
	int i;

	r->nevidence = get_list(in, "evidence", CASE_MAX_EVIDENCE);
	for (i = 0; i < r->nevidence && refund__field_ok(in); i++) {
		case_evidence *ev = &r->evidence[i];

		get_item(in, i);
		ev->kind = get_small(in, "kind", REFUND_EVIDENCE_RECEIPT, REFUND_EVIDENCE_OTHER);
		ev->at = get_int(in, "at", T_MIN, T_MAX);
		get_text(in, "ref", ev->reference, sizeof(ev->reference));
		get_end(in);
	}
	mark(in, m, SEGMENT_EVIDENCE);
	r->nparts = get_list(in, "parts", REFUND_POLICY_MAX_PARTS);
	for (i = 0; i < r->nparts && refund__field_ok(in); i++) {
		case_part *p = &r->parts[i];

		get_item(in, i);
		p->amount = get_int(in, "amount", 0, M_MAX);
		p->due = get_int(in, "due", T_MIN, T_MAX);
		p->status = get_small(in, "status", REFUND_PART_PENDING, REFUND_PART_PAID);
		p->attempts = get_small(in, "attempts", 0, 1000000);
		get_text(in, "ref", p->reference, sizeof(p->reference));
		get_text(in, "failure", p->failure, sizeof(p->failure));
		get_end(in);
	}
	mark(in, m, SEGMENT_PARTS);
	r->nkeys = get_list(in, "keys", CASE_MAX_KEYS);
	for (i = 0; i < r->nkeys && refund__field_ok(in); i++) {
		get_item(in, i);
		get_id(in, "key", r->keys[i].key, sizeof(r->keys[i].key));
		get_digest(in, "digest", r->keys[i].digest);
		get_end(in);
	}
	mark(in, m, SEGMENT_KEYS);
}

/* The fields in the segments' order (segments[] below the encoders). */
static void decode(field_in *in, case_record *r, const segment_marks *m)
{
	get_id(in, "id", r->id, sizeof(r->id));
	get_id(in, "deposit", r->deposit_id, sizeof(r->deposit_id));
	get_id(in, "holder", r->holder, sizeof(r->holder));
	get_id(in, "agent", r->agent, sizeof(r->agent));
	get_text(in, "currency", r->currency, sizeof(r->currency));
	get_id(in, "policy", r->policy_id, sizeof(r->policy_id));
	r->policy_version = (uint32_t)get_int(in, "policy_version", 1, UINT32_MAX);
	mark(in, m, SEGMENT_IDENTITY);
	r->state = refund__field_get_name(in, "state", refund_case_state_name, REFUND_STATE_COUNT);
	r->reason = get_small(in, "reason", REFUND_REASON_DEVICE_FAULT, REFUND_REASON_FRAUD);
	r->opened_at = get_int(in, "opened_at", T_MIN, T_MAX);
	mark(in, m, SEGMENT_PROGRESS);
	r->requested = get_mask(in, "requested");
	r->method = get_small(in, "method", 0, REFUND_PAYOUT_WECHAT);
	get_text(in, "account_name", r->account_name, sizeof(r->account_name));
	get_text(in, "account_number", r->account_number, sizeof(r->account_number));
	get_text(in, "bank", r->bank, sizeof(r->bank));
	mark(in, m, SEGMENT_ACCOUNT);
	r->approved = get_int(in, "approved", -1, M_MAX);
	get_text(in, "approved_by", r->approved_by, sizeof(r->approved_by));
	r->reject_reason = get_small(in, "reject_reason", 0, REFUND_REJECT_OTHER);
	get_text(in, "reject_text", r->reject_text, sizeof(r->reject_text));
	get_text(in, "tracking", r->tracking, sizeof(r->tracking));
	r->grade = get_small(in, "grade", 0, REFUND_GRADE_NOT_RETURNED);
	r->missing_parts = get_small(in, "missing_parts", 0, 100);
	r->offset_owed = get_int(in, "offset_owed", 0, M_MAX);
	r->offered = get_small(in, "offered", 0, 1);
	r->accepted = get_small(in, "accepted", 0, 1);
	decode_quote(in, &r->fixed);
	mark(in, m, SEGMENT_REVIEW);
	r->escalated = get_mask(in, "escalated");
	decode_clock(in, &r->clock);
	mark(in, m, SEGMENT_DEADLINES);
	r->nevents = (uint64_t)get_int(in, "events", 1, INT64_MAX);
	get_digest(in, "last_hash", r->last_hash);
	r->next_key = get_small(in, "next_key", 0, CASE_MAX_KEYS - 1);
	mark(in, m, SEGMENT_AUDIT);
	decode_lists(in, r, m);
	memcpy(r->fixed.currency, r->currency, sizeof(r->currency));
}

static int read_record(const refund_allocator *alloc, const unsigned char *data,
		size_t size, case_record *r, uint16_t end[CASE_SEGMENTS])
{
	segment_marks m = { data, end };
	json_value *root;
	bin_reader br;
	field_in in;
	int rc;

	refund__case_record_clear(r);
	rc = refund__field_in_record(&in, &br, &root, alloc, data, size, refund__case_magic,
			CASE_SCHEMA_JSON);
	if (rc == 0) {
		decode(&in, r, &m);
		rc = refund__field_failed(&in);
	}
	json_free(alloc, root);
	/* Key slots up to the next key's are copied: empty, not stale. */
	if (rc == 0 && (size_t)r->nkeys < refund__case_key_slots(r))
		memset(&r->keys[r->nkeys], 0,
				(refund__case_key_slots(r) - (size_t)r->nkeys) * sizeof(r->keys[0]));
	return rc;
}

int refund__case_record_read(const refund_allocator *alloc, const unsigned char *data,
		size_t size, case_record *r)
{
	return read_record(alloc, data, size, r, NULL);
}

int refund__case_record_read_kept(const refund_allocator *alloc, const unsigned char *data,
		size_t size, case_record *r, case_kept *kept)
{
	uint16_t end[CASE_SEGMENTS] = { 0 };
	int rc = read_record(alloc, data, size, r, end);

	/* Bytes that decode are the bytes the record encodes to (each value has
	 * one encoding: binary.h), so the next commit may copy from them. */
	kept->size = 0;
	if (rc == 0 && end[CASE_SEGMENTS - 1])
		refund__case_kept_set(kept, data, size, end);
	return rc;
}
