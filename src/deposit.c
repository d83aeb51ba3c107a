/*
 * Deposits and their ledger.
 *
 * The stored record is the whole deposit with every ledger entry: a
 * deposit has a handful of entries in its life, and one record means one
 * put per change, so the ledger and the case that moves money commit
 * together.  Balances are derived from the entries, never stored, so they
 * cannot disagree with them.
 */
#include "deposit.h"

#include <string.h>

#include <refund/money.h>

#include "binary.h"
#include "field.h"
#include "json.h"
#include "record.h"
#include "validate.h"

#define DEPOSIT_SCHEMA_JSON 1

struct refund_deposit {
	refund_engine *engine;
	uint64_t version;
	char *id;
	char *holder;
	char *agent;
	char *terminal_serial;
	char *contract_id;
	char *receipt;
	char currency[4];
	refund_time paid_at;
	refund_time contract_end;
	int64_t days_in_service;
	int64_t transaction_volume;
	char open_case[REFUND_ID_MAX + 1];  /* the case under way, "" if none */
	deposit_entry *entries;
	size_t nentries;
	size_t capacity;
	refund_balance balance;
	/* The bytes the handle was read from or its last change stored, while
	 * they are what it holds (0: none): a change copies from them the
	 * fields that never change and the ledger entries it had, and encodes
	 * the rest. */
	uint16_t kept_size;
	uint16_t kept_identity_end;   /* the magic and the fields never changed */
	uint16_t kept_entries_start;  /* the ledger's entries, to the end */
	unsigned char kept[DEPOSIT_KEPT_MAX];  /* last: deposit_alloc leaves it unset */
};

static const char *const entry_kind_names[] = {
	NULL, "hold", "refund", "damage", "missing_parts", "handling_fee",
	"fee_offset", "forfeit"
};

#define NKINDS ((int)(sizeof(entry_kind_names) / sizeof(entry_kind_names[0])))

const char *refund_entry_kind_name(int kind)
{
	return kind > 0 && kind < NKINDS ? entry_kind_names[kind] : NULL;
}

int refund_deposit_info_init(refund_deposit_info *info, unsigned int version)
{
	static const refund_deposit_info defaults = REFUND_DEPOSIT_INFO_INIT;

	if (!info)
		return REFUND_EINVAL;
	if (version != REFUND_DEPOSIT_INFO_VERSION)
		return REFUND_EVERSION;
	*info = defaults;
	return 0;
}

/* ---- the balance: derived from the entries ---- */

/* Add one entry to a balance, refusing what would break the invariant. */
static int balance_add(refund_balance *b, int kind, int64_t amount)
{
	int64_t *column;

	if (amount <= 0)
		return REFUND_EINVAL;
	if (kind == REFUND_ENTRY_HOLD) {
		if (__builtin_add_overflow(b->held, amount, &b->held) ||
		    __builtin_add_overflow(b->remaining, amount, &b->remaining))
			return REFUND_EOVERFLOW;
		return 0;
	}
	if (amount > b->remaining)
		return REFUND_EBALANCE;
	column = kind == REFUND_ENTRY_REFUND ? &b->refunded : &b->deducted;
	*column += amount;  /* cannot overflow: bounded by held */
	b->remaining -= amount;
	return 0;
}

/* ---- freeing ---- */

/*
 * Copies of n texts (at most 8; NULL stays NULL) in one allocation, which
 * the first, never NULL, starts: what frees it frees them all.  A deposit
 * or an entry read or made costs one allocation for its texts, not one each.
 */
static int copy_texts(const refund_allocator *a, const char *const src[], char **const dst[],
		size_t n)
{
	size_t len[8], total = 0, i;
	char *p;

	for (i = 0; i < n; i++) {
		len[i] = src[i] ? strlen(src[i]) + 1 : 0;
		total += len[i];  /* checked texts: a few KiB at most */
	}
	if (!(p = refund__alloc(a, total)))
		return REFUND_ENOMEM;
	for (i = 0; i < n; i++) {
		*dst[i] = src[i] ? memcpy(p, src[i], len[i]) : NULL;
		p += len[i];
	}
	return 0;
}

/* An entry's texts: its actor (never NULL) starts their one allocation. */
static int entry_texts(const refund_allocator *a, deposit_entry *entry, const char *actor,
		const char *reference, const char *case_id)
{
	const char *const src[] = { actor, reference, case_id };
	char **const dst[] = { &entry->actor, &entry->reference, &entry->case_id };

	return copy_texts(a, src, dst, 3);
}

static void entry_dispose(const refund_allocator *a, deposit_entry *entry)
{
	refund__free(a, entry->actor);  /* and its other texts: entry_texts */
	entry->actor = entry->reference = entry->case_id = NULL;
}

void refund_deposit_free(refund_deposit *d)
{
	const refund_allocator *a;
	size_t i;

	if (!d)
		return;
	a = &d->engine->alloc;
	for (i = 0; i < d->nentries; i++)
		entry_dispose(a, &d->entries[i]);
	refund__free(a, d->entries);
	refund__free(a, d->id);  /* and its other texts: set_texts */
	refund__free(a, d);
}

/* The deposit's own texts (the last two may be NULL). */
typedef struct deposit_texts {
	const char *id, *holder, *agent, *terminal_serial, *contract_id, *receipt;
} deposit_texts;

/* Their copies, in one allocation that d->id starts (copy_texts). */
static int set_texts(refund_deposit *d, const deposit_texts *t)
{
	const char *const src[] = { t->id, t->holder, t->agent, t->terminal_serial,
		t->contract_id, t->receipt };
	char **const dst[] = { &d->id, &d->holder, &d->agent, &d->terminal_serial,
		&d->contract_id, &d->receipt };

	return copy_texts(&d->engine->alloc, src, dst, 6);
}

/* ---- the stored record: schema 2 binary, schema 1 JSON (field.h) ---- */

const unsigned char refund__deposit_magic[DEPOSIT_MAGIC_SIZE] = { 0xA5, 'R', 'D', 2 };

static void encode_entry(field_out *o, const deposit_entry *entry)
{
	refund__field_item(o);
	refund__field_int(o, "seq", entry->seq);
	refund__field_name(o, "kind", entry->kind, refund_entry_kind_name);
	refund__field_int(o, "amount", entry->amount);
	refund__field_int(o, "at", entry->at);
	refund__field_text(o, "actor", entry->actor);
	refund__field_name(o, "role", entry->role, refund_role_name);
	refund__field_text(o, "reference", entry->reference);
	refund__field_text(o, "case", entry->case_id);
	refund__field_end(o);
}

/* The fields that never change after creation: the deposit's identity. */
static void encode_identity(field_out *o, const refund_deposit *d)
{
	refund__field_text(o, "id", d->id);
	refund__field_text(o, "holder", d->holder);
	refund__field_text(o, "agent", d->agent);
	refund__field_text(o, "terminal", d->terminal_serial);
	refund__field_text(o, "contract", d->contract_id);
	refund__field_text(o, "receipt", d->receipt);
	refund__field_text(o, "currency", d->currency);
	refund__field_int(o, "paid_at", d->paid_at);
	refund__field_optional_time(o, "contract_end", d->contract_end);
}

/* What a change may set, up to the ledger's length. */
static void encode_state(field_out *o, const refund_deposit *d, const deposit_stage *st)
{
	refund__field_int(o, "days_in_service", st->days_in_service);
	refund__field_int(o, "transaction_volume", st->transaction_volume);
	refund__field_text(o, "open_case", st->open_case[0] ? st->open_case : NULL);
	refund__field_list(o, "ledger", d->nentries + st->nentries);
}

/* The deposit as it is with a staged change, after the schema's mark. */
static void encode_fields(field_out *o, const refund_deposit *d, const deposit_stage *st)
{
	size_t i;

	encode_identity(o, d);
	encode_state(o, d, st);
	for (i = 0; i < d->nentries; i++)
		encode_entry(o, &d->entries[i]);
	for (i = 0; i < st->nentries; i++)
		encode_entry(o, &st->entries[i]);
	refund__field_list_end(o);
}

/* Schema 2 in binary, noting where the identity ends and the entries
 * start; with bytes kept, their identity and entries are copied. */
static void encode_binary(bin_writer *w, const refund_deposit *d, deposit_stage *st)
{
	field_out o = { NULL, w };
	size_t i;

	if (d->kept_size) {
		refund__bin_bytes(w, d->kept, d->kept_identity_end);
	} else {
		refund__bin_bytes(w, refund__deposit_magic, DEPOSIT_MAGIC_SIZE);
		encode_identity(&o, d);
	}
	st->identity_end = w->len;
	encode_state(&o, d, st);
	st->entries_start = w->len;
	if (d->kept_size)
		refund__bin_bytes(w, d->kept + d->kept_entries_start,
				(size_t)d->kept_size - d->kept_entries_start);
	else
		for (i = 0; i < d->nentries; i++)
			encode_entry(&o, &d->entries[i]);
	for (i = 0; i < st->nentries; i++)
		encode_entry(&o, &st->entries[i]);
}

/* Schema 2, what a change stores, into st->data: in st->bytes if they
 * hold it, else in an allocation the stage owns. */
static int encode(const refund_deposit *d, deposit_stage *st)
{
	bin_writer w;
	const unsigned char *bytes;
	int rc;

	refund__bin_writer_init(&w, &d->engine->alloc, st->bytes, sizeof(st->bytes));
	encode_binary(&w, d, st);
	if ((rc = refund__bin_writer_end(&w, &bytes, &st->size)) != 0) {
		refund__bin_writer_dispose(&w);
		return rc;
	}
	st->data = (char *)w.buf;  /* st->bytes, or the writer's allocation, handed over */
	return 0;
}

int refund__deposit_encode_json(const refund_deposit *d, char **data, size_t *size)
{
	deposit_stage none;
	json_writer w;
	field_out o = { &w, NULL };

	memset(&none, 0, sizeof(none));
	none.days_in_service = d->days_in_service;
	none.transaction_volume = d->transaction_volume;
	memcpy(none.open_case, d->open_case, sizeof(none.open_case));
	json_writer_init(&w, &d->engine->alloc);
	json_object_begin(&w);
	json_kv_int(&w, "schema", DEPOSIT_SCHEMA_JSON);
	encode_fields(&o, d, &none);
	json_object_end(&w);
	return json_writer_finish(&w, data, size);
}

/* ---- decoding: stored bytes are untrusted ---- */

/* An id into buf: buf if present, NULL if absent (or on failure: see in). */
static const char *get_id(field_in *in, const char *key, char *buf, size_t cap, int required)
{
	return refund__field_get_id(in, key, buf, cap, !required) ? buf : NULL;
}

/* A text that may be absent, into buf: buf if present, else NULL. */
static const char *get_text(field_in *in, const char *key, char *buf, size_t cap)
{
	return refund__field_get_text(in, key, buf, cap, 1) ? buf : NULL;
}

static int decode_entry(refund_deposit *d, field_in *in, deposit_entry *entry)
{
	char actor[REFUND_ID_MAX + 1], reference[REFUND_TEXT_MAX + 1];
	char case_id[REFUND_ID_MAX + 1];
	const char *ref, *cid;
	int64_t seq;
	int rc;

	seq = refund__field_get_int(in, "seq", 1, UINT32_MAX);
	entry->kind = refund__field_get_name(in, "kind", refund_entry_kind_name, NKINDS);
	entry->amount = refund__field_get_int(in, "amount", INT64_MIN, INT64_MAX);
	entry->at = refund__field_get_int(in, "at", REFUND_TIME_MIN, REFUND_TIME_MAX);
	get_id(in, "actor", actor, sizeof(actor), 1);
	entry->role = refund__field_get_name(in, "role", refund_role_name, REFUND_ROLE_SYSTEM + 1);
	ref = get_text(in, "reference", reference, sizeof(reference));
	cid = get_id(in, "case", case_id, sizeof(case_id), 0);
	if (!refund__field_ok(in) || seq != (int64_t)d->nentries + 1)
		return REFUND_ECORRUPT;
	if ((rc = entry_texts(&d->engine->alloc, entry, actor, ref, cid)) != 0)
		return rc;
	entry->seq = (uint32_t)seq;
	/* The first entry is the hold and the only one. */
	if ((entry->kind == REFUND_ENTRY_HOLD) != (d->nentries == 0))
		return REFUND_ECORRUPT;
	return balance_add(&d->balance, entry->kind, entry->amount) ? REFUND_ECORRUPT : 0;
}

/* Ledger entries a loaded deposit has room for beyond its own. */
#define LEDGER_SPARE 4

/* Where a binary record's identity ends and its entries start: as a change
 * writes them (encode_binary), for the handle to keep the bytes it read. */
static uint16_t reader_at(const field_in *in, const refund_store_record *rec)
{
	return in->bin && rec->size <= DEPOSIT_KEPT_MAX ?
			(uint16_t)(in->bin->p - (const unsigned char *)rec->data) : 0;
}

static int decode_ledger(refund_deposit *d, field_in *in, const refund_store_record *rec)
{
	size_t i, n = refund__field_get_list(in, "ledger", UINT32_MAX), room;
	int rc;

	d->kept_entries_start = reader_at(in, rec);
	if (n == 0)
		return REFUND_ECORRUPT;
	/* Room for the entries a case's agreement and payout add next, so
	 * that these need not grow the ledger. */
	room = n <= SIZE_MAX - LEDGER_SPARE ? n + LEDGER_SPARE : n;
	d->entries = refund__calloc(&d->engine->alloc, room, sizeof(*d->entries));
	if (!d->entries)
		return REFUND_ENOMEM;
	d->capacity = room;
	for (i = 0; i < n; i++) {
		refund__field_get_item(in, i);
		rc = decode_entry(d, in, &d->entries[i]);
		refund__field_get_end(in);
		d->nentries++;  /* counted even on failure so free releases its strings */
		if (rc)
			return rc;
	}
	return 0;
}

static int decode_texts(refund_deposit *d, field_in *in, const char *want_id)
{
	char id[REFUND_ID_MAX + 1], holder[REFUND_ID_MAX + 1], agent[REFUND_ID_MAX + 1];
	char terminal[REFUND_ID_MAX + 1], contract[REFUND_ID_MAX + 1];
	char receipt[REFUND_TEXT_MAX + 1];
	deposit_texts t;

	t.id = get_id(in, "id", id, sizeof(id), 1);
	t.holder = get_id(in, "holder", holder, sizeof(holder), 1);
	t.agent = get_id(in, "agent", agent, sizeof(agent), 1);
	t.terminal_serial = get_id(in, "terminal", terminal, sizeof(terminal), 1);
	t.contract_id = get_id(in, "contract", contract, sizeof(contract), 0);
	t.receipt = get_text(in, "receipt", receipt, sizeof(receipt));
	if (!refund__field_ok(in) || strcmp(id, want_id) != 0)
		return REFUND_ECORRUPT;
	return set_texts(d, &t);
}

static int decode_fields(refund_deposit *d, field_in *in, const refund_store_record *rec)
{
	char currency[8], open_case[REFUND_ID_MAX + 1];
	int rc;

	if ((rc = decode_texts(d, in, rec->id)) != 0)
		return rc;
	refund__field_get_text(in, "currency", currency, sizeof(currency), 0);
	if (!refund__field_ok(in) || refund__check_currency(NULL, currency) != 0)
		return REFUND_ECORRUPT;
	memcpy(d->currency, currency, 4);
	d->paid_at = refund__field_get_int(in, "paid_at", REFUND_TIME_MIN, REFUND_TIME_MAX);
	d->contract_end = refund__field_get_optional_time(in, "contract_end");
	d->kept_identity_end = reader_at(in, rec);
	d->days_in_service = refund__field_get_int(in, "days_in_service", 0, INT64_MAX);
	d->transaction_volume = refund__field_get_int(in, "transaction_volume", 0, INT64_MAX);
	refund__field_get_id(in, "open_case", open_case, sizeof(open_case), 1);
	memcpy(d->open_case, open_case, sizeof(d->open_case));
	if (!refund__field_ok(in))
		return REFUND_ECORRUPT;
	if ((rc = decode_ledger(d, in, rec)) != 0)
		return rc;
	return refund__field_failed(in);
}

static refund_deposit *deposit_alloc(refund_engine *e)
{
	refund_deposit *d = refund__alloc(&e->alloc, sizeof(*d));

	if (d) {
		memset(d, 0, offsetof(refund_deposit, kept));
		d->engine = e;
		d->balance.version = REFUND_BALANCE_VERSION;
		d->contract_end = REFUND_TIME_NONE;
	}
	return d;
}

/* Fields of either schema into d: 0, REFUND_ECORRUPT or REFUND_ENOMEM. */
static int decode_bytes(refund_deposit *d, const refund_store_record *rec)
{
	const refund_allocator *alloc = &d->engine->alloc;
	json_value *root;
	bin_reader br;
	field_in in;
	int rc = refund__field_in_record(&in, &br, &root, alloc, rec->data, rec->size,
			refund__deposit_magic, DEPOSIT_SCHEMA_JSON);

	if (rc == 0)
		rc = decode_fields(d, &in, rec);
	json_free(alloc, root);
	/* Binary bytes that decode are the bytes the values encode to (one
	 * encoding each: binary.h), so the next change may copy from them. */
	if (rc == 0 && in.bin && rec->size <= DEPOSIT_KEPT_MAX) {
		memcpy(d->kept, rec->data, rec->size);
		d->kept_size = (uint16_t)rec->size;
	}
	return rc;
}

/* Decode a stored record; *out only on success. */
static int decode(refund_engine *e, const refund_store_record *rec, refund_deposit **out)
{
	refund_deposit *d;
	int rc;

	if (rec->version == 0)
		return refund__record_corrupt(e, rec, RECORD_VERSION_ZERO);
	if (!(d = deposit_alloc(e)))
		return refund__fail_code(e, REFUND_ENOMEM);
	rc = decode_bytes(d, rec);
	if (rc) {
		refund_deposit_free(d);
		return rc == REFUND_ENOMEM ? refund__fail_code(e, rc)
				: refund__record_corrupt(e, rec, RECORD_BAD_FIELDS);
	}
	d->version = rec->version;
	*out = d;
	return 0;
}

/* ---- staging a change ---- */

static int entry_copy(const refund_allocator *a, const deposit_entry_spec *spec,
		uint32_t seq, refund_time at, deposit_entry *out)
{
	out->seq = seq;
	out->kind = spec->kind;
	out->amount = spec->amount;
	out->at = at;
	out->role = spec->role;
	return entry_texts(a, out, spec->actor, spec->reference, spec->case_id);
}

static int stage_entries(refund_deposit *d, const deposit_entry_spec *specs,
		size_t nspecs, refund_time at, deposit_stage *st)
{
	refund_engine *e = d->engine;
	size_t i;
	int rc;

	for (i = 0; i < nspecs; i++) {
		rc = balance_add(&st->balance, specs[i].kind, specs[i].amount);
		if (rc == REFUND_EBALANCE)
			return refund__fail(e, rc,
					"deposit %s: %s of %lld exceeds the remaining %lld (minor units)",
					"押金 %s：%s %lld 超出剩余金额 %lld（最小货币单位）",
					d->id, refund_entry_kind_name(specs[i].kind),
					(long long)specs[i].amount, (long long)st->balance.remaining);
		if (rc)
			return refund__fail(e, rc, "deposit %s: amount out of range",
					"押金 %s：金额超出范围", d->id);
	}
	memset(st->entries, 0, nspecs * sizeof(st->entries[0]));  /* nspecs fits: see stage */
	for (i = 0; i < nspecs; i++) {
		if (entry_copy(&e->alloc, &specs[i], (uint32_t)(d->nentries + i + 1), at,
				&st->entries[i]) != 0)
			return refund__fail_code(e, REFUND_ENOMEM);
		st->nentries++;
	}
	return 0;
}

/* Room for the new entries, so that applying after the commit cannot fail. */
static int reserve_entries(refund_deposit *d, size_t more)
{
	deposit_entry *grown;
	size_t want = d->nentries + more;

	if (want <= d->capacity)
		return 0;
	/* Twice the room: a ledger grows an entry or two at a time. */
	if (want < d->capacity * 2)
		want = d->capacity * 2;
	grown = refund__realloc_array(&d->engine->alloc, d->entries, want, sizeof(*grown));
	if (!grown)
		return refund__fail_code(d->engine, REFUND_ENOMEM);
	d->entries = grown;
	d->capacity = want;
	return 0;
}

int refund__deposit_stage(refund_deposit *d, const deposit_entry_spec *specs,
		size_t nspecs, int64_t days_in_service, int64_t transaction_volume,
		const char *open_case, refund_time at, deposit_stage *st)
{
	int rc;

	memset(st, 0, offsetof(deposit_stage, entries));  /* the rooms are filled as used */
	if (nspecs > DEPOSIT_STAGE_ENTRIES)
		return refund__fail(d->engine, REFUND_EINVAL, "deposit %s: %zu ledger entries at once, "
				"more than %d", "押金 %s：一次登记 %zu 笔流水，超过 %d 笔", d->id, nspecs,
				DEPOSIT_STAGE_ENTRIES);
	st->balance = d->balance;
	st->days_in_service = days_in_service;
	st->transaction_volume = transaction_volume;
	if (!open_case)
		open_case = d->open_case;
	memcpy(st->open_case, open_case, strlen(open_case) + 1);
	if ((rc = stage_entries(d, specs, nspecs, at, st)) != 0 ||
	    (rc = reserve_entries(d, nspecs)) != 0)
		goto fail;
	rc = encode(d, st);
	if (rc) {
		rc = refund__fail_code(d->engine, rc);
		goto fail;
	}
	st->put.kind = REFUND_RECORD_DEPOSIT;
	st->put.id = d->id;
	st->put.expected_version = d->version;
	st->put.data = (const unsigned char *)st->data;
	st->put.size = st->size;
	st->put.index.deposit_id = d->id;
	st->put.index.holder = d->holder;
	st->put.index.agent = d->agent;
	st->put.index.next_deadline = REFUND_NO_DEADLINE;
	return 0;
fail:
	refund__deposit_stage_dispose(d, st);
	return rc;
}

void refund__deposit_keep_none(refund_deposit *d)
{
	d->kept_size = 0;
}

/* The bytes a change stored become the handle's kept bytes, if they fit. */
static void keep_bytes(refund_deposit *d, const deposit_stage *st)
{
	d->kept_size = 0;
	if (st->size > DEPOSIT_KEPT_MAX)
		return;
	memcpy(d->kept, st->data, st->size);
	d->kept_identity_end = (uint16_t)st->identity_end;
	d->kept_entries_start = (uint16_t)st->entries_start;
	d->kept_size = (uint16_t)st->size;
}

void refund__deposit_apply(refund_deposit *d, deposit_stage *st)
{
	if (st->nentries)
		memcpy(d->entries + d->nentries, st->entries, st->nentries * sizeof(*st->entries));
	d->nentries += st->nentries;
	st->nentries = 0;  /* the strings now belong to the handle */
	d->balance = st->balance;
	d->days_in_service = st->days_in_service;
	d->transaction_volume = st->transaction_volume;
	memcpy(d->open_case, st->open_case, sizeof(d->open_case));
	d->version++;
	keep_bytes(d, st);
	refund__deposit_stage_dispose(d, st);
}

void refund__deposit_stage_dispose(refund_deposit *d, deposit_stage *st)
{
	const refund_allocator *a = &d->engine->alloc;
	size_t i;

	for (i = 0; i < st->nentries; i++)
		entry_dispose(a, &st->entries[i]);
	if (st->data != (char *)st->bytes)
		refund__free(a, st->data);
	memset(st, 0, offsetof(deposit_stage, entries));
}

refund_engine *refund__deposit_engine(const refund_deposit *d)
{
	return d->engine;
}

/* Commit a staged change of the deposit alone, then apply it. */
static int commit_alone(refund_deposit *d, deposit_stage *st)
{
	refund_store_batch batch = { &st->put, 1, NULL, 0 };
	int rc = refund__store_commit(d->engine, &batch);

	if (rc == REFUND_ECONFLICT)
		rc = refund__fail(d->engine, rc,
				"deposit %s was changed by someone else; load it again and retry",
				"押金 %s 已被他人修改，请重新加载后重试", d->id);
	if (rc) {
		refund__deposit_stage_dispose(d, st);
		return rc;
	}
	refund__deposit_apply(d, st);
	return 0;
}

/* ---- the public API ---- */

#define CREATE_ROLES (REFUND_ROLE_BIT(REFUND_ROLE_AGENT) | \
		REFUND_ROLE_BIT(REFUND_ROLE_FINANCE) | REFUND_ROLE_BIT(REFUND_ROLE_ADMIN))
#define POST_ROLES (REFUND_ROLE_BIT(REFUND_ROLE_FINANCE) | REFUND_ROLE_BIT(REFUND_ROLE_ADMIN))
#define USAGE_ROLES (REFUND_ROLE_BIT(REFUND_ROLE_AGENT) | \
		REFUND_ROLE_BIT(REFUND_ROLE_ADMIN) | REFUND_ROLE_BIT(REFUND_ROLE_SYSTEM))

static int check_info(refund_engine *e, const refund_deposit_info *info)
{
	int rc;

	if (info->version != REFUND_DEPOSIT_INFO_VERSION)
		return refund__fail(e, REFUND_EVERSION, "unknown refund_deposit_info version %u",
				"refund_deposit_info 版本 %u 未知", info->version);
	if ((rc = refund__check_id(e, "deposit id", info->id)) != 0 ||
	    (rc = refund__check_id(e, "holder", info->holder)) != 0 ||
	    (rc = refund__check_id(e, "agent", info->agent)) != 0 ||
	    (rc = refund__check_id(e, "terminal serial", info->terminal_serial)) != 0 ||
	    (rc = refund__check_optional_id(e, "contract id", info->contract_id)) != 0 ||
	    (rc = refund__check_text(e, "receipt", info->receipt, REFUND_TEXT_MAX)) != 0 ||
	    (rc = refund__check_currency(e, info->currency)) != 0 ||
	    (rc = refund__check_time(e, "paid_at", info->paid_at)) != 0)
		return rc;
	if (info->contract_end != REFUND_TIME_NONE &&
	    (rc = refund__check_time(e, "contract_end", info->contract_end)) != 0)
		return rc;
	if (info->amount <= 0)
		return refund__fail(e, REFUND_EINVAL, "deposit amount must be positive, not %lld",
				"押金金额须为正数，而非 %lld", (long long)info->amount);
	return 0;
}

static int copy_info_texts(refund_deposit *d, const refund_deposit_info *info)
{
	deposit_texts t = { info->id, info->holder, info->agent, info->terminal_serial,
		info->contract_id, info->receipt };

	return set_texts(d, &t);
}

static void notify(refund_deposit *d, int kind, const char *actor, refund_time at,
		int64_t amount, int entry_kind)
{
	refund_notice n;

	memset(&n, 0, sizeof(n));
	n.version = REFUND_NOTICE_VERSION;
	n.kind = kind;
	n.record_kind = REFUND_RECORD_DEPOSIT;
	n.id = d->id;
	n.actor = actor;
	n.at = at;
	n.amount = amount;
	n.currency = d->currency;
	n.entry_kind = entry_kind;
	refund__notify(d->engine, &n);
}

int refund_deposit_create(refund_engine *e, refund_deposit **out,
		const refund_deposit_info *info, const char *actor, int role)
{
	deposit_entry_spec hold;
	deposit_stage st;
	refund_deposit *d;
	refund_time now;
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!info)
		return refund__fail(e, REFUND_EINVAL, "deposit info is NULL", "押金信息为空");
	if ((rc = check_info(e, info)) != 0 ||
	    (rc = refund__check_id(e, "actor", actor)) != 0 ||
	    (rc = refund__check_allowed(e, "record a deposit", "登记押金", role,
			CREATE_ROLES)) != 0 ||
	    (rc = refund__now(e, &now)) != 0)
		return rc;
	if (!(d = deposit_alloc(e)))
		return refund__fail_code(e, REFUND_ENOMEM);
	memcpy(d->currency, info->currency, 4);
	d->paid_at = info->paid_at;
	d->contract_end = info->contract_end;
	if (copy_info_texts(d, info) != 0) {
		refund_deposit_free(d);
		return refund__fail_code(e, REFUND_ENOMEM);
	}
	hold.kind = REFUND_ENTRY_HOLD;
	hold.amount = info->amount;
	hold.actor = actor;
	hold.role = role;
	hold.reference = info->receipt;
	hold.case_id = NULL;
	if ((rc = refund__deposit_stage(d, &hold, 1, 0, 0, "", now, &st)) != 0) {
		refund_deposit_free(d);
		return rc;
	}
	rc = commit_alone(d, &st);
	if (rc == REFUND_ECONFLICT)
		rc = refund__fail(e, REFUND_EEXISTS, "deposit %s exists already",
				"押金 %s 已存在", info->id);
	if (rc) {
		refund_deposit_free(d);
		return rc;
	}
	notify(d, REFUND_NOTICE_DEPOSIT_CREATED, actor, now, info->amount, REFUND_ENTRY_HOLD);
	if (out)
		*out = d;
	else
		refund_deposit_free(d);
	return 0;
}

typedef struct load_ctx {
	refund_engine *engine;
	const refund_deposit *cached;  /* kept if the store holds its version */
	refund_deposit *deposit;       /* decoded otherwise */
} load_ctx;

static int load_cb(void *ctx, const refund_store_record *rec)
{
	load_ctx *lc = ctx;

	if (lc->cached && lc->cached->version == rec->version)
		return 0;
	return decode(lc->engine, rec, &lc->deposit);
}

/* The stored deposit, decoded unless lc->cached is that version already. */
static int load_stored(load_ctx *lc, const char *id)
{
	int rc = refund__store_load(lc->engine, REFUND_RECORD_DEPOSIT, id, load_cb, lc);

	if (rc == REFUND_ENOTFOUND)
		return refund__fail(lc->engine, rc, "no deposit %s", "押金 %s 不存在", id);
	if (rc) {
		refund_deposit_free(lc->deposit);
		lc->deposit = NULL;
	}
	return rc;
}

int refund_deposit_load(refund_engine *e, refund_deposit **out, const char *id)
{
	load_ctx lc = { e, NULL, NULL };
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!out)
		return refund__fail(e, REFUND_EINVAL, "output pointer is NULL", "输出指针为空");
	if ((rc = refund__check_id(e, "deposit id", id)) != 0 || (rc = load_stored(&lc, id)) != 0)
		return rc;
	*out = lc.deposit;
	return 0;
}

int refund__deposit_refresh(refund_engine *e, const refund_deposit *cached, const char *id,
		refund_deposit **fresh)
{
	load_ctx lc = { e, cached, NULL };
	int rc;

	if ((rc = load_stored(&lc, id)) != 0)
		return rc;
	*fresh = lc.deposit;
	return 0;
}

typedef struct list_ctx {
	refund_engine *engine;
	refund_deposit_cb cb;
	void *ctx;
	int stopped;  /* the host's own value, which must reach it unchanged */
} list_ctx;

static int list_cb(void *ctx, const refund_store_record *rec)
{
	list_ctx *lc = ctx;
	refund_deposit *d = NULL;
	int rc = decode(lc->engine, rec, &d);

	if (rc)
		return rc;
	rc = lc->cb(lc->ctx, d);
	refund_deposit_free(d);
	lc->stopped = rc;
	return rc;
}

int refund_deposit_list(refund_engine *e, const refund_deposit_filter *filter,
		refund_deposit_cb cb, void *ctx)
{
	refund_store_filter sf;
	list_ctx lc = { e, cb, ctx, 0 };
	int rc;

	if (!e)
		return REFUND_EINVAL;
	if (!cb)
		return refund__fail(e, REFUND_EINVAL, "callback is NULL", "回调为空");
	memset(&sf, 0, sizeof(sf));
	if (filter) {
		if (filter->version != REFUND_DEPOSIT_FILTER_VERSION)
			return refund__fail(e, REFUND_EVERSION,
					"unknown refund_deposit_filter version %u",
					"refund_deposit_filter 版本 %u 未知", filter->version);
		if ((rc = refund__check_optional_id(e, "holder", filter->holder)) != 0 ||
		    (rc = refund__check_optional_id(e, "agent", filter->agent)) != 0 ||
		    (rc = refund__check_optional_id(e, "after_id", filter->after_id)) != 0)
			return rc;
		sf.holder = filter->holder;
		sf.agent = filter->agent;
		sf.after_id = filter->after_id;
		sf.limit = filter->limit;
	}
	rc = refund__store_scan(e, REFUND_RECORD_DEPOSIT, &sf, list_cb, &lc);
	return lc.stopped ? lc.stopped : rc;
}

/* ---- fields ---- */

const char *refund_deposit_id(const refund_deposit *d) { return d ? d->id : NULL; }
const char *refund_deposit_holder(const refund_deposit *d) { return d ? d->holder : NULL; }
const char *refund_deposit_agent(const refund_deposit *d) { return d ? d->agent : NULL; }
const char *refund_deposit_terminal_serial(const refund_deposit *d)
{
	return d ? d->terminal_serial : NULL;
}
const char *refund_deposit_contract_id(const refund_deposit *d)
{
	return d ? d->contract_id : NULL;
}
const char *refund_deposit_receipt(const refund_deposit *d) { return d ? d->receipt : NULL; }
const char *refund_deposit_currency(const refund_deposit *d) { return d ? d->currency : NULL; }
refund_time refund_deposit_paid_at(const refund_deposit *d)
{
	return d ? d->paid_at : REFUND_TIME_NONE;
}
refund_time refund_deposit_contract_end(const refund_deposit *d)
{
	return d ? d->contract_end : REFUND_TIME_NONE;
}
int64_t refund_deposit_days_in_service(const refund_deposit *d)
{
	return d ? d->days_in_service : 0;
}
int64_t refund_deposit_transaction_volume(const refund_deposit *d)
{
	return d ? d->transaction_volume : 0;
}
uint64_t refund_deposit_version(const refund_deposit *d) { return d ? d->version : 0; }
const char *refund_deposit_open_case(const refund_deposit *d)
{
	return d && d->open_case[0] ? d->open_case : NULL;
}

int refund_deposit_balance(const refund_deposit *d, refund_balance *out)
{
	if (!d || !out)
		return REFUND_EINVAL;
	if (out->version != REFUND_BALANCE_VERSION)
		return refund__fail(d->engine, REFUND_EVERSION,
				"unknown refund_balance version %u", "refund_balance 版本 %u 未知",
				out->version);
	*out = d->balance;
	return 0;
}

size_t refund_deposit_entry_count(const refund_deposit *d)
{
	return d ? d->nentries : 0;
}

int refund_deposit_entry(const refund_deposit *d, size_t index, refund_entry *out)
{
	const deposit_entry *entry;

	if (!d || !out)
		return REFUND_EINVAL;
	if (out->version != REFUND_ENTRY_VERSION)
		return refund__fail(d->engine, REFUND_EVERSION, "unknown refund_entry version %u",
				"refund_entry 版本 %u 未知", out->version);
	if (index >= d->nentries)
		return refund__fail(d->engine, REFUND_ENOTFOUND,
				"deposit %s has %zu ledger entries; there is no entry %zu",
				"押金 %s 只有 %zu 条台账记录，不存在第 %zu 条", d->id, d->nentries, index);
	entry = &d->entries[index];
	out->seq = entry->seq;
	out->kind = entry->kind;
	out->amount = entry->amount;
	out->at = entry->at;
	out->actor = entry->actor;
	out->role = entry->role;
	out->reference = entry->reference;
	out->case_id = entry->case_id;
	return 0;
}

/* ---- changes ---- */

int refund_deposit_post(refund_deposit *d, int kind, int64_t amount, const char *actor,
		int role, const char *reference)
{
	deposit_entry_spec spec;
	deposit_stage st;
	refund_engine *e;
	refund_time now;
	int rc;

	if (!d)
		return REFUND_EINVAL;
	e = d->engine;
	if (kind == REFUND_ENTRY_HOLD || !refund_entry_kind_name(kind))
		return refund__fail(e, REFUND_EINVAL,
				"entry kind %d cannot be posted (refund, deductions or forfeit only)",
				"台账类型 %d 不可记账（仅限退还、扣款或没收）", kind);
	if (amount <= 0)
		return refund__fail(e, REFUND_EINVAL, "amount must be positive, not %lld",
				"金额须为正数，而非 %lld", (long long)amount);
	if ((rc = refund__check_id(e, "actor", actor)) != 0 ||
	    (rc = refund__check_allowed(e, "post to a deposit's ledger", "记入押金台账", role,
			POST_ROLES)) != 0 ||
	    (rc = refund__check_text(e, "reference", reference, REFUND_TEXT_MAX)) != 0 ||
	    (rc = refund__now(e, &now)) != 0)
		return rc;
	spec.kind = kind;
	spec.amount = amount;
	spec.actor = actor;
	spec.role = role;
	spec.reference = reference;
	spec.case_id = NULL;
	if (d->open_case[0])
		return refund__fail(e, REFUND_ESTATE,
				"deposit %s has refund case %s under way; money moves through the case",
				"押金 %s 有进行中的退款案件 %s，资金须通过该案件变动", d->id, d->open_case);
	rc = refund__deposit_stage(d, &spec, 1, d->days_in_service, d->transaction_volume,
			NULL, now, &st);
	if (rc == 0)
		rc = commit_alone(d, &st);
	if (rc == 0)
		notify(d, REFUND_NOTICE_LEDGER_ENTRY, actor, now, amount, kind);
	return rc;
}

int refund_deposit_set_usage(refund_deposit *d, int64_t days_in_service,
		int64_t transaction_volume, const char *actor, int role)
{
	deposit_stage st;
	refund_engine *e;
	refund_time now;
	int rc;

	if (!d)
		return REFUND_EINVAL;
	e = d->engine;
	if (days_in_service < 0 || transaction_volume < 0)
		return refund__fail(e, REFUND_EINVAL, "usage figures must not be negative",
				"使用数据不能为负数");
	if ((rc = refund__check_id(e, "actor", actor)) != 0 ||
	    (rc = refund__check_allowed(e, "update usage figures", "更新使用情况", role,
			USAGE_ROLES)) != 0 ||
	    (rc = refund__now(e, &now)) != 0)
		return rc;
	rc = refund__deposit_stage(d, NULL, 0, days_in_service, transaction_volume, NULL,
			now, &st);
	if (rc == 0)
		rc = commit_alone(d, &st);
	if (rc == 0)
		notify(d, REFUND_NOTICE_USAGE_UPDATED, actor, now, 0, 0);
	return rc;
}
