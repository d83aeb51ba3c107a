/*
 * The audit trail.  Each event is chained to the one before it by SHA-256,
 * so that an event cannot be edited, dropped or moved without breaking the
 * chain, and the case record keeps the last hash so that the newest event
 * cannot be changed unnoticed either.  Two formats, told apart by their
 * first byte (docs/FORMAT.md has them byte by byte):
 *
 * - format 1, compact JSON (written by earlier versions; read, verified and
 *   replayed forever, never written for a new event): its last member is
 *   its hash, SHA-256 over the previous event's hash in hex followed by the
 *   event's bytes without that last member, closed with '}';
 * - format 2, binary (every new event): a magic, the fields in a fixed order
 *   (binary.h), the action's arguments and context as case.c writes them,
 *   then the 32 bytes of SHA-256 over the previous event's digest (nothing
 *   before the first event) followed by every byte before the hash.  It does
 *   not hold the previous hash: the chain gives it.  At a format 1 -> 2
 *   boundary the previous digest is the format-1 event's hex hash decoded.
 *
 * Format 2 hashes about a quarter of the bytes (3 SHA-256 blocks for a
 * typical event instead of 10) and needs no text formatting.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include "binary.h"
#include "case.h"
#include "json.h"
#include "validate.h"

static const unsigned char magic[EVENT_MAGIC_SIZE] = { 0xA5, 'R', 'E', 0x02 };

/* ---- format 1: JSON, written only to replay events stored in it ---- */

#define HASH_SUFFIX_LEN (sizeof(",\"hash\":\"\"}") - 1 + 2 * SHA256_DIGEST_SIZE)
/* The hash of an event whose bytes up to its hash member are body, then '}'. */
static void chain_hash(const char *prev, const char *body, size_t len,
		char hex[SHA256_HEX_SIZE])
{
	unsigned char digest[SHA256_DIGEST_SIZE];
	sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, prev, strlen(prev));
	sha256_update(&ctx, body, len);
	sha256_update(&ctx, "}", 1);
	sha256_final(&ctx, digest);
	sha256_hex(digest, hex);
}

static void optional_state(json_writer *w, const char *key, int state)
{
	json_kv_string(w, key, state ? refund_case_state_name(state) : NULL);
}

/* The event's own members, the object left open for args, context and hash. */
static void encode_fields(json_writer *w, const char *prev, const refund_event *ev)
{
	json_object_begin(w);
	json_kv_int(w, "seq", (int64_t)ev->seq);
	json_kv_int(w, "at", ev->at);
	json_kv_string(w, "actor", ev->actor);
	json_kv_string(w, "role", refund_role_name(ev->role));
	json_kv_string(w, "action", refund_case_action_name(ev->action));
	optional_state(w, "from", ev->from);
	optional_state(w, "to", ev->to);
	json_kv_int(w, "amount", ev->amount);
	json_kv_string(w, "reason", ev->reason);
	json_kv_string(w, "note", ev->note);
	json_kv_string(w, "policy", ev->policy_id);
	json_kv_int(w, "policy_version", ev->policy_version);
	json_kv_int(w, "policy_version_before", ev->policy_version_before);
	json_key(w, "deadline");
	if (ev->deadline == REFUND_TIME_NONE)
		json_null(w);
	else
		json_int(w, ev->deadline);
	json_kv_string(w, "prev", prev);
}

int refund__event_encode_json(refund_engine *e, const case_record *r, const refund_event *ev,
		const char *args, size_t args_len, const char *context, size_t context_len,
		json_writer *w, const char **data, size_t *size,
		unsigned char digest[SHA256_DIGEST_SIZE])
{
	char prev[SHA256_HEX_SIZE] = "", hash[SHA256_HEX_SIZE];
	const char *body;
	size_t len = 0;
	int rc;

	if (r->nevents)
		sha256_hex(r->last_hash, prev);
	/* One buffer: the members, args and context, then the hash of all that. */
	encode_fields(w, prev, ev);
	json_key(w, "args");
	json_raw(w, args, args_len);
	json_key(w, "context");
	json_raw(w, context, context_len);
	body = json_writer_bytes(w, &len);
	if (body)
		chain_hash(prev, body, len, hash);
	else
		hash[0] = '\0';  /* the writer failed: end reports it */
	json_kv_string(w, "hash", hash);
	json_object_end(w);
	if ((rc = json_writer_end(w, data, size)) != 0)
		return rc == REFUND_ENOMEM ? refund__fail_code(e, rc)
				: refund__fail(e, rc, "the event has text that is not valid UTF-8",
						"事件包含无效的 UTF-8 文本");
	sha256_unhex(hash, digest);
	return 0;
}

/* ---- format 2: binary, what every new event is written in ---- */

static size_t text_length(const char *s)
{
	return s ? strlen(s) : 0;
}

/* The event's fields at a cursor: every event writes them (binary.h). */
static void encode_binary_fields(bin_writer *w, const refund_event *ev)
{
	size_t actor = text_length(ev->actor), reason = text_length(ev->reason),
		note = text_length(ev->note), policy = text_length(ev->policy_id);
	unsigned char *p = refund__bin_room(w, sizeof(magic) + 10 * BIN_UINT_ROOM +
			BIN_TEXT_ROOM(actor) + BIN_TEXT_ROOM(reason) + BIN_TEXT_ROOM(note) +
			BIN_TEXT_ROOM(policy));

	if (!p)
		return;  /* the sticky error */
	memcpy(p, magic, sizeof(magic));
	p = refund__bin_put_uint(p + sizeof(magic), ev->seq);
	p = refund__bin_put_uint(p, refund__bin_zigzag(ev->at));
	p = refund__bin_put_text(p, ev->actor, actor);
	p = refund__bin_put_uint(p, (uint64_t)ev->role);
	p = refund__bin_put_uint(p, (uint64_t)ev->action);
	p = refund__bin_put_uint(p, (uint64_t)ev->from);
	p = refund__bin_put_uint(p, (uint64_t)ev->to);
	p = refund__bin_put_uint(p, refund__bin_zigzag(ev->amount));
	p = refund__bin_put_text(p, ev->reason, reason);
	p = refund__bin_put_text(p, ev->note, note);
	p = refund__bin_put_text(p, ev->policy_id, policy);
	p = refund__bin_put_uint(p, ev->policy_version);
	p = refund__bin_put_uint(p, ev->policy_version_before);
	p = refund__bin_put_uint(p, refund__bin_opt_word(ev->deadline));
	refund__bin_advance(w, p);
}

/* The digest of a format-2 event whose bytes before the hash are body,
 * chained to the previous event's digest (NULL before the first). */
static void chain_from(const unsigned char *before, const void *body, size_t len,
		unsigned char digest[SHA256_DIGEST_SIZE])
{
	sha256_ctx ctx;

	sha256_init(&ctx);
	if (before)
		sha256_update(&ctx, before, SHA256_DIGEST_SIZE);
	sha256_update(&ctx, body, len);
	sha256_final(&ctx, digest);
}

/* The same chained to a hex hash prev ("" before the first): 0, or
 * REFUND_ECORRUPT if prev is no hex SHA-256. */
static int chain_digest(const char *prev, const void *body, size_t len,
		unsigned char digest[SHA256_DIGEST_SIZE])
{
	unsigned char before[SHA256_DIGEST_SIZE];

	if (prev[0] && sha256_unhex(prev, before) != 0)
		return REFUND_ECORRUPT;
	chain_from(prev[0] ? before : NULL, body, len, digest);
	return 0;
}

/* What the chain hashes ahead of an event's bytes: the previous digest. */
static size_t chained_prefix(const case_record *r)
{
	return r->nevents ? SHA256_DIGEST_SIZE : 0;
}

void refund__event_begin(const case_record *r, const refund_event *ev,
		const unsigned char *args, size_t args_len, bin_writer *w)
{
	/* The previous digest first, where one pass of SHA-256 takes it with
	 * the event: the stored bytes start after it. */
	refund__bin_bytes(w, r->last_hash, chained_prefix(r));
	encode_binary_fields(w, ev);
	refund__bin_bytes(w, args, args_len);
}

int refund__event_finish(refund_engine *e, const case_record *r, bin_writer *w,
		const unsigned char **data, size_t *size, unsigned char digest[SHA256_DIGEST_SIZE])
{
	const unsigned char *chained;
	size_t len = 0, prefix = chained_prefix(r);
	int rc;

	if ((rc = refund__bin_writer_end(w, &chained, &len)) != 0)
		return refund__fail_code(e, rc);
	sha256(chained, len, digest);
	refund__bin_bytes(w, digest, SHA256_DIGEST_SIZE);
	if ((rc = refund__bin_writer_end(w, &chained, &len)) != 0)
		return refund__fail_code(e, rc);
	*data = chained + prefix;
	*size = len - prefix;
	return 0;
}

/* ---- reading events back ---- */

static int role_of(const char *name)
{
	int role = 0;

	return name && refund_role_from_name(name, &role) == 0 ? role : 0;
}

static int action_of(const char *name)
{
	int a;

	for (a = 1; name && a < REFUND_ACTION_COUNT; a++)
		if (strcmp(name, refund_case_action_name(a)) == 0)
			return a;
	return 0;
}

static int state_of(const char *name)
{
	int s;

	for (s = 1; name && s < REFUND_STATE_COUNT; s++)
		if (strcmp(name, refund_case_state_name(s)) == 0)
			return s;
	return 0;
}

static int decode_json(const json_value *root, refund_event *ev)
{
	const char *role = NULL, *action = NULL, *from = NULL, *to = NULL;
	int64_t seq = 0, pv = 0, pvb = 0;

	if (root->type != JSON_OBJECT ||
	    json_field_int(root, "seq", 1, &seq) || seq < 1 ||
	    json_field_int(root, "at", 1, &ev->at) ||
	    json_field_string(root, "actor", 1, &ev->actor) ||
	    json_field_string(root, "role", 1, &role) || !(ev->role = role_of(role)) ||
	    json_field_string(root, "action", 1, &action) || !(ev->action = action_of(action)) ||
	    json_field_string(root, "from", 0, &from) ||
	    json_field_string(root, "to", 1, &to) || !(ev->to = state_of(to)) ||
	    json_field_int(root, "amount", 1, &ev->amount) ||
	    json_field_string(root, "reason", 0, &ev->reason) ||
	    json_field_string(root, "note", 0, &ev->note) ||
	    json_field_string(root, "policy", 1, &ev->policy_id) ||
	    json_field_int(root, "policy_version", 1, &pv) || pv < 1 || pv > UINT32_MAX ||
	    json_field_int(root, "policy_version_before", 1, &pvb) || pvb < 1 || pvb > UINT32_MAX ||
	    json_field_int(root, "deadline", 0, &ev->deadline) ||
	    json_field_string(root, "prev", 1, &ev->prev_hash) ||
	    json_field_string(root, "hash", 1, &ev->hash))
		return REFUND_ECORRUPT;
	if (from && !(ev->from = state_of(from)))
		return REFUND_ECORRUPT;
	ev->seq = (uint64_t)seq;
	ev->policy_version = (uint32_t)pv;
	ev->policy_version_before = (uint32_t)pvb;
	return 0;
}

/* The fields of a format-2 event, texts copied to room; r is left at its arguments. */
static int decode_binary(bin_reader *r, bin_texts *room, refund_event *ev)
{
	ev->seq = refund__bin_read_uint(r, INT64_MAX);
	ev->at = refund__bin_read_int(r, INT64_MIN, INT64_MAX);
	ev->actor = refund__bin_read_text_copy(r, room, 0);
	ev->role = (int)refund__bin_read_uint(r, INT_MAX);
	ev->action = (int)refund__bin_read_uint(r, REFUND_ACTION_COUNT - 1);
	ev->from = (int)refund__bin_read_uint(r, REFUND_STATE_COUNT - 1);
	ev->to = (int)refund__bin_read_uint(r, REFUND_STATE_COUNT - 1);
	ev->amount = refund__bin_read_int(r, INT64_MIN, INT64_MAX);
	ev->reason = refund__bin_read_text_copy(r, room, 1);
	ev->note = refund__bin_read_text_copy(r, room, 1);
	ev->policy_id = refund__bin_read_text_copy(r, room, 0);
	ev->policy_version = (uint32_t)refund__bin_read_uint(r, UINT32_MAX);
	ev->policy_version_before = (uint32_t)refund__bin_read_uint(r, UINT32_MAX);
	ev->deadline = refund__bin_read_opt_int(r, INT64_MIN, INT64_MAX);
	if (r->error || ev->seq < 1 || !refund_role_name(ev->role) || ev->action < 1 ||
	    ev->to < 1 || ev->policy_version < 1 || ev->policy_version_before < 1)
		return REFUND_ECORRUPT;
	return 0;
}

/* A hex hash kept for the next event; an overlong one (format 1 does not
 * check it when only reading) is cut short, and then chains to nothing. */
static void copy_hash(char dst[SHA256_HEX_SIZE], const char *src)
{
	size_t n = strlen(src);

	n = n < SHA256_HEX_SIZE - 1 ? n : SHA256_HEX_SIZE - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int view_json(refund_engine *e, const void *data, size_t size, event_view *v)
{
	int rc = json_parse(&e->alloc, data, size, &v->root);

	return rc ? rc : decode_json(v->root, &v->ev);
}

static int view_binary(refund_engine *e, const unsigned char *data, size_t size,
		const char *prev, event_view *v)
{
	if (size < sizeof(magic) + SHA256_DIGEST_SIZE || memcmp(data, magic, sizeof(magic)) != 0)
		return REFUND_ECORRUPT;
	/* The texts' copies take no more bytes than the event (bin_texts). */
	if (size > sizeof(v->local) && !(v->heap = refund__alloc(&e->alloc, size)))
		return REFUND_ENOMEM;
	v->room.next = v->heap ? v->heap : v->local;
	v->room.left = size;
	refund__bin_reader_init(&v->rest, data + sizeof(magic),
			size - sizeof(magic) - SHA256_DIGEST_SIZE);
	if (decode_binary(&v->rest, &v->room, &v->ev) != 0)
		return REFUND_ECORRUPT;
	v->digest = data + size - SHA256_DIGEST_SIZE;
	sha256_hex(v->digest, v->hash);
	copy_hash(v->prev, prev);
	v->ev.prev_hash = v->prev;
	v->ev.hash = v->hash;
	return 0;
}

int refund__event_view(refund_engine *e, const void *data, size_t size, const char *prev,
		event_view *v)
{
	const unsigned char *bytes = data;

	memset(v, 0, offsetof(event_view, local));
	v->ev.version = REFUND_EVENT_VERSION;
	v->ev.deadline = REFUND_TIME_NONE;
	v->ev.prev_hash = "";
	v->format = size && bytes[0] == '{' ? 1 : 2;
	return v->format == 1 ? view_json(e, data, size, v) : view_binary(e, bytes, size, prev, v);
}

void refund__event_view_dispose(refund_engine *e, event_view *v)
{
	json_free(&e->alloc, v->root);
	refund__free(&e->alloc, v->heap);
	v->root = NULL;
	v->heap = NULL;
}

typedef struct events_ctx {
	refund_engine *engine;
	const char *case_id;
	refund_event_cb cb;
	void *ctx;
	int stopped;  /* the host's own value, which must reach it unchanged */
	char prev[SHA256_HEX_SIZE];  /* the previous event's hash: format 2 does not hold it */
	/* verification */
	int verify;
	uint64_t last_seq;      /* the handle's newest event: later ones are not its */
	int done;               /* stopped after last_seq, all well */
	uint64_t expect_seq;
	uint64_t first_bad;
} events_ctx;

/* Whether a format-1 event's bytes hash to what they claim, chained to prev. */
static int chain_ok_json(const refund_store_event *se, const refund_event *ev, const char *prev)
{
	char hex[SHA256_HEX_SIZE];
	const char *body = (const char *)se->data;
	size_t len = se->size;

	if (strcmp(ev->prev_hash, prev) != 0 || len < HASH_SUFFIX_LEN + 2 ||
	    strlen(ev->hash) != 2 * SHA256_DIGEST_SIZE)
		return 0;
	/* The bytes the hash covers: everything before ,"hash":"..." and a '}'. */
	if (memcmp(body + len - HASH_SUFFIX_LEN, ",\"hash\":\"", 9) != 0)
		return 0;
	chain_hash(prev, body, len - HASH_SUFFIX_LEN, hex);
	return strcmp(hex, ev->hash) == 0 &&
	       memcmp(body + len - HASH_SUFFIX_LEN + 9, hex, 2 * SHA256_DIGEST_SIZE) == 0;
}

/* Whether a format-2 event's bytes hash to its last 32, chained to prev. */
static int chain_ok_binary(const refund_store_event *se, const event_view *v, const char *prev)
{
	unsigned char digest[SHA256_DIGEST_SIZE];

	return chain_digest(prev, se->data, se->size - SHA256_DIGEST_SIZE, digest) == 0 &&
	       memcmp(digest, v->digest, sizeof(digest)) == 0;
}

/* One event of a verification: decoded (rc 0), in its place, chained. */
static int verify_one(events_ctx *ec, const refund_store_event *se, const event_view *v, int rc)
{
	if (rc != 0 || se->seq != ec->expect_seq || v->ev.seq != se->seq ||
	    !(v->format == 1 ? chain_ok_json(se, &v->ev, ec->prev) : chain_ok_binary(se, v, ec->prev))) {
		ec->first_bad = se->seq ? se->seq : ec->expect_seq;
		return REFUND_ECORRUPT;
	}
	ec->expect_seq++;
	return 0;
}

#define STOP_VERIFIED 1  /* private: the handle's events are all checked */

static int event_cb(void *ctx, const refund_store_event *se)
{
	events_ctx *ec = ctx;
	event_view v;
	int rc;

	if (ec->verify && se->seq > ec->last_seq) {
		ec->done = 1;
		return STOP_VERIFIED;
	}
	rc = refund__event_view(ec->engine, se->data, se->size, ec->prev, &v);
	if (rc == REFUND_ENOMEM)
		rc = refund__fail_code(ec->engine, rc);
	else if (ec->verify)
		rc = verify_one(ec, se, &v, rc);
	else if (rc == 0)
		rc = ec->stopped = ec->cb(ec->ctx, &v.ev);
	else
		rc = refund__fail(ec->engine, REFUND_ECORRUPT,
				"case %s: event %llu cannot be decoded",
				"案件 %s：事件 %llu 无法解析", ec->case_id, (unsigned long long)se->seq);
	if (rc == 0)
		copy_hash(ec->prev, v.ev.hash);
	refund__event_view_dispose(ec->engine, &v);
	return rc;
}

int refund_case_events(refund_case *c, refund_event_cb cb, void *ctx)
{
	events_ctx ec;
	int rc;

	if (!c)
		return REFUND_EINVAL;
	if (!cb)
		return refund__fail(c->engine, REFUND_EINVAL, "callback is NULL", "回调为空");
	memset(&ec, 0, sizeof(ec));
	ec.engine = c->engine;
	ec.case_id = c->r->id;
	ec.cb = cb;
	ec.ctx = ctx;
	rc = refund__store_events(c->engine, REFUND_RECORD_CASE, c->r->id, 1, event_cb, &ec);
	return ec.stopped ? ec.stopped : rc;
}

static int same_hash(const char *hex, const unsigned char digest[SHA256_DIGEST_SIZE])
{
	unsigned char other[SHA256_DIGEST_SIZE];

	return sha256_unhex(hex, other) == 0 && memcmp(other, digest, sizeof(other)) == 0;
}

int refund_case_verify(refund_case *c, uint64_t *first_bad)
{
	events_ctx ec;
	int rc;

	if (!c)
		return REFUND_EINVAL;
	memset(&ec, 0, sizeof(ec));
	ec.engine = c->engine;
	ec.case_id = c->r->id;
	ec.verify = 1;
	ec.expect_seq = 1;
	ec.last_seq = c->r->nevents;
	rc = refund__store_events(c->engine, REFUND_RECORD_CASE, c->r->id, 1, event_cb, &ec);
	if (ec.done)
		rc = 0;
	if (rc == 0 && (ec.expect_seq != c->r->nevents + 1 || !same_hash(ec.prev, c->r->last_hash))) {
		/* Events missing at the end, or the last one rewritten with a new hash. */
		ec.first_bad = ec.expect_seq <= c->r->nevents ? ec.expect_seq : c->r->nevents;
		rc = REFUND_ECORRUPT;
	}
	if (first_bad)
		*first_bad = rc == REFUND_ECORRUPT ? ec.first_bad : 0;
	if (rc == REFUND_ECORRUPT)
		return refund__fail(c->engine, rc,
				"case %s: the audit trail is broken at event %llu",
				"案件 %s：审计记录在第 %llu 条事件处被破坏", c->r->id,
				(unsigned long long)ec.first_bad);
	return rc;
}

/* ---- copies, for replaying: the store may not be called from its callback ---- */

typedef struct copies_ctx {
	refund_engine *engine;
	event_copy *list;
	size_t count, cap;
} copies_ctx;

static int copy_event(void *ctx, const refund_store_event *se)
{
	copies_ctx *cc = ctx;
	event_copy *copy;

	if (cc->count == cc->cap) {
		size_t cap = cc->cap ? 2 * cc->cap : 16;
		void *grown = refund__realloc_array(&cc->engine->alloc, cc->list, cap,
				sizeof(*cc->list));

		if (!grown)
			return refund__fail_code(cc->engine, REFUND_ENOMEM);
		cc->list = grown;
		cc->cap = cap;
	}
	copy = &cc->list[cc->count];
	copy->data = refund__alloc(&cc->engine->alloc, se->size + 1);
	if (!copy->data)
		return refund__fail_code(cc->engine, REFUND_ENOMEM);
	if (se->size)
		memcpy(copy->data, se->data, se->size);
	copy->seq = se->seq;
	copy->size = se->size;
	cc->count++;
	return 0;
}

int refund__event_copies(refund_engine *e, const char *case_id, event_copy **out,
		size_t *count)
{
	copies_ctx cc;
	int rc;

	memset(&cc, 0, sizeof(cc));
	cc.engine = e;
	rc = refund__store_events(e, REFUND_RECORD_CASE, case_id, 1, copy_event, &cc);
	if (rc) {
		refund__event_copies_free(e, cc.list, cc.count);
		return rc;
	}
	*out = cc.list;
	*count = cc.count;
	return 0;
}

void refund__event_copies_free(refund_engine *e, event_copy *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		refund__free(&e->alloc, list[i].data);
	refund__free(&e->alloc, list);
}
