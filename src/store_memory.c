/*
 * The built-in in-memory store: the whole storage contract of
 * refund/sys/store.h, kept in a hash table and two intrusive AVL trees.
 *
 * Every (kind, id) that has a record or events is one node.  Nodes sit in
 * a hash table on (kind, id), for load, commit and events; in the tree
 * `by_id`, ordered by (kind, id), for scan; and, when their record has a
 * next deadline, in the tree `by_due`, ordered by (next_deadline, kind, id),
 * so `due` walks only what is due.  An update touches `by_due` only when
 * the deadline changes, and `by_id` never.  Records are never deleted, so a
 * node leaves the table only when a failed commit undoes its creation (it
 * joins `by_id` only when the commit applies).
 *
 * Choices beyond the contract:
 * - Events may belong to any (kind, id), with or without a record: a node
 *   may carry events only (version 0), which load and scan do not show and
 *   which a put expecting version 0 may turn into a record.
 * - Event seqs are contiguous: each record's first event is seq 1 and the
 *   next is always the last + 1 (counting earlier events of the same batch).
 *   An existing seq or a gap fails the batch with REFUND_ECONFLICT.
 * - A record whose next_deadline is REFUND_NO_DEADLINE is never due, not
 *   even for `before` = REFUND_NO_DEADLINE.
 * - Malformed batches (NULL ids, NULL data with a size, seq 0, the same
 *   (kind, id) put twice, expected version UINT64_MAX) fail with
 *   REFUND_EINVAL, as do NULL ids and callbacks elsewhere.
 * - One mutex guards every callback, and library callbacks (`cb`) are called
 *   with it held: they must not call back into the same store.  The mutex
 *   checks errors, so a callback that does gets REFUND_ESTORE instead of a
 *   deadlock.
 * - A commit prepares every node and copy first and links them in only when
 *   nothing can fail any more; any failure undoes what was prepared, so the
 *   store is left exactly as it was (the hash table may keep a larger
 *   capacity).
 * - A new record, and one that outgrows its block, gets a block with room
 *   to spare (grown_block); a put whose bytes and index strings fit the
 *   block is copied into it in place, unless the block is more than twice
 *   that.
 * - Events are immutable and never dropped, and nodes never freed, so each
 *   event (its seq, time and bytes), each node and a new record's first
 *   block are taken from chunks (CHUNK_MIN growing to CHUNK_MAX bytes)
 *   rather than allocated one by one: a malloc per event cost a fifth of a
 *   whole transition's time once the heap held a few hundred thousand of
 *   them, and an array of events per node grown by realloc most of another
 *   tenth.  A node's events are linked oldest first: reading from seq k
 *   walks the k - 1 before it.  A failed commit takes what it took back off
 *   the end (the nodes it created with it).  Where Linux allows, a new
 *   chunk's pages are faulted in at once (prefault), and large chunks and
 *   hash tables ask for huge pages (advise_huge).
 */
/* The feature-test macro POSIX reserves for exactly this use; and glibc's
 * for madvise's Linux advice (prefault). */
#define _POSIX_C_SOURCE 200809L /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#define _DEFAULT_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

#include <refund/store.h>
#include <refund/sys/store.h>

#include "alloc.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* An AVL tree of n nodes is at most 1.44 log2(n + 2) high: < 96 for any n. */
#define AVL_MAX_HEIGHT 96

/* The hash table's first size; it doubles before it is half full. */
#define TABLE_MIN_SLOTS 16

/* Batches up to these sizes are planned on the stack, without allocating. */
#define STACK_PUTS 8
#define STACK_EVENTS 16

/* Bytes a block that grew keeps to spare, beyond a quarter of its size. */
#define BLOCK_SPARE 64

/* The chunks events, nodes and first blocks are taken from: the first is
 * CHUNK_MIN bytes, each next one twice the last up to CHUNK_MAX, so that a
 * small store stays small and a large one takes memory in large steps.
 * Anything longer than CHUNK_MIN has a chunk of its own. */
#define CHUNK_MIN ((size_t)64 * 1024)
#define CHUNK_MAX ((size_t)4 * 1024 * 1024)

/* Linux's transparent huge pages: one TLB entry for this much memory. */
#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

/* Index fields kept beside a record, in refund_store_index's order. */
enum { INDEX_DEPOSIT_ID, INDEX_HOLDER, INDEX_AGENT, INDEX_STATE, INDEX_FIELDS };

typedef struct avl_link {
	struct avl_link *left;
	struct avl_link *right;
	int height;
} avl_link;

typedef int (*avl_cmp)(const avl_link *a, const avl_link *b);

/* An event, its bytes right after it, in the chunks; a node's events are
 * linked oldest first. */
typedef struct mem_event {
	struct mem_event *next;
	uint64_t seq;
	refund_time at;
	size_t size;
	unsigned char data[];
} mem_event;

typedef struct mem_node {
	uint64_t version;              /* 0: no record, events only */
	unsigned char *block;          /* the bytes, then the index strings */
	size_t size;                   /* of the bytes */
	size_t block_size;             /* of the allocation */
	const char *index[INDEX_FIELDS];
	mem_event *first_event;        /* seq 1, linked to 2, 3, ... */
	mem_event *last_event;
	size_t nevents;
	/* Scratch of the commit in progress; all zero between commits. */
	size_t staged_events;
	unsigned char staged_put;
	unsigned char staged_new;
	unsigned char block_in_chunk;  /* block is in the chunks: never freed alone */
	/* Last, and each link beside its key, so that a step down a tree
	 * touches as few cache lines as possible. */
	avl_link by_due;
	refund_time next_deadline;     /* REFUND_NO_DEADLINE: not in by_due */
	avl_link by_id;
	int kind;
	char id[];
} mem_node;

/* A slot of the hash table: open addressing, linear probing. */
typedef struct mem_slot {
	size_t hash;                   /* of the node's key, to skip most strcmps */
	mem_node *node;                /* NULL: empty */
} mem_slot;

/* Where event bytes go: the newest chunk, linked to the older ones. */
typedef struct byte_chunk {
	struct byte_chunk *older;
	size_t used, cap;
	unsigned char bytes[];
} byte_chunk;

/* What the chunks hold (events, nodes, first blocks) is aligned to this. */
#define CHUNK_ALIGN (_Alignof(mem_node) > _Alignof(mem_event) ? \
		_Alignof(mem_node) : _Alignof(mem_event))

_Static_assert(offsetof(byte_chunk, bytes) % CHUNK_ALIGN == 0,
		"a chunk's first bytes are aligned");

/* How far the chunks were filled, to take back what a failed commit added. */
typedef struct chunk_mark {
	byte_chunk *chunk;
	size_t used;
	size_t next_size;
} chunk_mark;

typedef struct memory_store {
	refund_store base; /* first: the library's pointer is ours */
	byte_chunk *chunks;            /* event bytes, newest chunk first */
	refund_allocator alloc;
	pthread_mutex_t lock;
	mem_slot *slots;               /* a power of two of them, or none */
	size_t nslots;
	size_t nnodes;                 /* <= nslots / 2 */
	avl_link *by_id;
	avl_link *by_due;
	uintptr_t page;                /* the page size (a power of two), or 0 */
	size_t chunk_size;             /* of the next shared chunk */
} memory_store;

/* A (kind, id) with its hash and length, computed once per call. */
typedef struct mem_key {
	int kind;
	const char *id;
	size_t len;
	size_t hash;
} mem_key;

/* What a commit prepared for one put: the node and where its bytes go. */
typedef struct put_plan {
	mem_node *node;
	int in_place;                  /* into node->block; else into block */
	int block_in_chunk;            /* block is in the chunks, not allocated */
	unsigned char *block;          /* new, block_size bytes (NULL if 0) */
	size_t block_size;
	size_t index_len[INDEX_FIELDS];  /* each index string's bytes with its NUL; 0: NULL */
} put_plan;

/* What a commit prepared for one event: the node and the event, bytes and
 * all, in the chunks, to be linked. */
typedef struct event_plan {
	mem_node *node;
	mem_event *event;
} event_plan;

/* Passed for empty byte strings so callbacks never see a NULL pointer. */
static const unsigned char no_bytes[1];

#define NODE_OF(link, member) \
	((mem_node *)(void *)((char *)(link) - offsetof(mem_node, member)))

/* ---- AVL trees ---------------------------------------------------------- */

static int avl_height(const avl_link *l)
{
	return l ? l->height : 0;
}

static void avl_fix_height(avl_link *l)
{
	int left = avl_height(l->left);
	int right = avl_height(l->right);

	l->height = (left > right ? left : right) + 1;
}

static avl_link *avl_rotate_right(avl_link *l)
{
	avl_link *top = l->left;

	l->left = top->right;
	top->right = l;
	avl_fix_height(l);
	avl_fix_height(top);
	return top;
}

static avl_link *avl_rotate_left(avl_link *l)
{
	avl_link *top = l->right;

	l->right = top->left;
	top->left = l;
	avl_fix_height(l);
	avl_fix_height(top);
	return top;
}

static avl_link *avl_balance(avl_link *l)
{
	int tilt;

	avl_fix_height(l);
	tilt = avl_height(l->left) - avl_height(l->right);
	if (tilt > 1) {
		if (avl_height(l->left->left) < avl_height(l->left->right))
			l->left = avl_rotate_left(l->left);
		return avl_rotate_right(l);
	}
	if (tilt < -1) {
		if (avl_height(l->right->right) < avl_height(l->right->left))
			l->right = avl_rotate_right(l->right);
		return avl_rotate_left(l);
	}
	return l;
}

/* After a change below root on one side: nothing above changes if that
 * side kept its height, and looking at the other side would cost a cache
 * miss per level in a large tree. */
static avl_link *avl_rebalance_if(avl_link *root, const avl_link *side, int before)
{
	return avl_height(side) == before ? root : avl_balance(root);
}

static avl_link *avl_insert(avl_link *root, avl_link *l, avl_cmp cmp)
{
	avl_link **side;
	int before;

	if (!root) {
		l->left = l->right = NULL;
		l->height = 1;
		return l;
	}
	side = cmp(l, root) < 0 ? &root->left : &root->right;
	before = avl_height(*side);
	*side = avl_insert(*side, l, cmp);
	return avl_rebalance_if(root, *side, before);
}

static avl_link *avl_remove_min(avl_link *root, avl_link **min)
{
	int before;

	if (!root->left) {
		*min = root;
		return root->right;
	}
	before = avl_height(root->left);
	root->left = avl_remove_min(root->left, min);
	return avl_rebalance_if(root, root->left, before);
}

/* Remove l, which must be in the tree (keys are unique). */
static avl_link *avl_remove(avl_link *root, avl_link *l, avl_cmp cmp)
{
	avl_link *min, *right, **side;
	int before;

	if (root != l) {
		side = cmp(l, root) < 0 ? &root->left : &root->right;
		before = avl_height(*side);  /* non-NULL: l is below */
		*side = avl_remove(*side, l, cmp);
		return avl_rebalance_if(root, *side, before);
	}
	if (!l->right)
		return l->left;
	right = avl_remove_min(l->right, &min);
	min->left = l->left;
	min->right = right;
	return avl_balance(min);
}

/* In-order walk from a lower bound, with an explicit stack. */
typedef struct avl_iter {
	avl_link *stack[AVL_MAX_HEIGHT];
	int depth;
} avl_iter;

/* Start at the first link for which before_start() is false (NULL: the
 * smallest).  before_start must be true for a prefix of the order. */
static void avl_iter_seek(avl_iter *it, avl_link *root,
		int (*before_start)(const avl_link *l, const void *bound), const void *bound)
{
	it->depth = 0;
	while (root) {
		if (before_start && before_start(root, bound)) {
			root = root->right;
		} else {
			it->stack[it->depth++] = root;
			root = root->left;
		}
	}
}

static avl_link *avl_iter_next(avl_iter *it)
{
	avl_link *l, *down;

	if (it->depth == 0)
		return NULL;
	l = it->stack[--it->depth];
	for (down = l->right; down; down = down->left)
		it->stack[it->depth++] = down;
	return l;
}

/* ---- Keys --------------------------------------------------------------- */

static int key_cmp(int kind, const char *id, const mem_node *n)
{
	if (kind != n->kind)
		return kind < n->kind ? -1 : 1;
	return strcmp(id, n->id);
}

static int by_id_cmp(const avl_link *a, const avl_link *b)
{
	const mem_node *na = NODE_OF(a, by_id);

	return key_cmp(na->kind, na->id, NODE_OF(b, by_id));
}

static int by_due_cmp(const avl_link *a, const avl_link *b)
{
	const mem_node *na = NODE_OF(a, by_due);
	const mem_node *nb = NODE_OF(b, by_due);

	if (na->next_deadline != nb->next_deadline)
		return na->next_deadline < nb->next_deadline ? -1 : 1;
	return key_cmp(na->kind, na->id, nb);
}

/* ---- Hash table ----------------------------------------------------------- */

/* FNV-1a over the kind and the id's bytes, high half folded into the low
 * half that picks the slot (FNV's low bits see only the bytes' low bits). */
static mem_key make_key(int kind, const char *id)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const unsigned char *c;
	mem_key k;

	h = (h ^ (uint32_t)kind) * UINT64_C(1099511628211);
	for (c = (const unsigned char *)id; *c; c++)
		h = (h ^ *c) * UINT64_C(1099511628211);
	k.kind = kind;
	k.id = id;
	k.len = (size_t)(c - (const unsigned char *)id);
	k.hash = (size_t)(h ^ (h >> 32));
	return k;
}

static mem_node *find_node(const memory_store *s, const mem_key *k)
{
	size_t mask = s->nslots - 1, i;

	if (s->nslots == 0)
		return NULL;
	for (i = k->hash & mask; s->slots[i].node; i = (i + 1) & mask) {
		mem_node *n = s->slots[i].node;

		if (s->slots[i].hash == k->hash && n->kind == k->kind &&
				strcmp(n->id, k->id) == 0)
			return n;
	}
	return NULL;
}

/* Put a node in the first free slot from its hash's (there is one). */
static void table_link(memory_store *s, size_t hash, mem_node *n)
{
	size_t mask = s->nslots - 1, i = hash & mask;

	while (s->slots[i].node)
		i = (i + 1) & mask;
	s->slots[i].hash = hash;
	s->slots[i].node = n;
}

/* Take back a node that a failed commit added.  Nodes only ever join the
 * table (records are never deleted), and linear probing puts a new node in
 * an empty slot without moving any other: emptying the slots of the nodes
 * a batch added, in any order, gives back the table as it was. */
static void table_unlink(memory_store *s, size_t hash, const mem_node *n)
{
	size_t mask = s->nslots - 1, i = hash & mask;

	while (s->slots[i].node != n)
		i = (i + 1) & mask;
	s->slots[i].node = NULL;
}

/*
 * Ask for huge pages under the whole huge pages of n bytes at p (at least
 * one when n is twice a huge page): a large store is walked at random, and
 * with 4 KiB pages nearly every step missed the TLB (a tenth of the time
 * at 20,000 cases).  Only a hint (MADV_HUGEPAGE, where transparent huge
 * pages are on or "madvise"): refused, nothing changes.
 */
static void advise_huge(unsigned char *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	size_t head = (size_t)((HUGE_PAGE - (uintptr_t)p % HUGE_PAGE) % HUGE_PAGE);

	if (n >= 2 * HUGE_PAGE)
		(void)madvise(p + head, (n - head) / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#else
	(void)p;
	(void)n;
#endif
}

/* Room for @p extra more nodes at a load factor of at most 1/2.  A larger
 * table is a new array; the old one stays allocated for the caller to free,
 * or to put back if the commit fails, so that a failed commit leaves even
 * the allocations as they were. */
static int table_reserve(memory_store *s, size_t extra)
{
	mem_slot *old = s->slots;
	size_t nold = s->nslots, nslots = nold ? nold : TABLE_MIN_SLOTS, i;

	if (extra > SIZE_MAX / 4 - s->nnodes)
		return REFUND_ENOMEM;
	if (s->nnodes + extra <= nold / 2)
		return 0;
	while (s->nnodes + extra > nslots / 2)
		nslots *= 2;
	s->slots = refund__calloc(&s->alloc, nslots, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return REFUND_ENOMEM;
	}
	s->nslots = nslots;
	advise_huge((unsigned char *)s->slots, nslots * sizeof(*s->slots));
	for (i = 0; i < nold; i++)
		if (old[i].node)
			table_link(s, old[i].hash, old[i].node);
	return 0;
}

/* ---- Locking ------------------------------------------------------------ */

/* Fails (REFUND_ESTORE) only when a callback calls back into the store. */
static int lock_store(memory_store *s)
{
	return pthread_mutex_lock(&s->lock) == 0 ? 0 : REFUND_ESTORE;
}

static void unlock_store(memory_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* ---- load --------------------------------------------------------------- */

static const unsigned char *bytes_or_empty(const unsigned char *data, size_t size)
{
	return size ? data : no_bytes;
}

static void node_record(const mem_node *n, refund_store_record *r)
{
	r->kind = n->kind;
	r->id = n->id;
	r->version = n->version;
	r->data = bytes_or_empty(n->block, n->size);
	r->size = n->size;
}

static int memory_load(refund_store *store, int kind, const char *id,
		refund_store_record_cb cb, void *ctx)
{
	memory_store *s = (memory_store *)store;
	refund_store_record record;
	const mem_node *n;
	mem_key key;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	key = make_key(kind, id);
	if ((rc = lock_store(s)) != 0)
		return rc;
	n = find_node(s, &key);
	if (n && n->version) {
		node_record(n, &record);
		rc = cb(ctx, &record);
	} else {
		rc = REFUND_ENOTFOUND;
	}
	unlock_store(s);
	return rc;
}

/* ---- chunks: events, nodes and first blocks ------------------------------ */

/*
 * Fault in the whole pages of a new chunk in one call, not one page fault
 * each as events fill it: on a virtual machine a fault costs microseconds,
 * and writing events into fresh pages was a sixth of a transition's time.
 * Only a hint (MADV_POPULATE_WRITE, Linux 5.14): a kernel that refuses it
 * leaves the pages to fault in as they are written, and changes nothing.
 */
static void prefault(const memory_store *s, unsigned char *p, size_t n)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
	size_t head;

	if (!s->page)
		return;
	head = (size_t)((s->page - (uintptr_t)p % s->page) % s->page);  /* to a page's start */
	if (n > head && (n - head) / s->page > 0)
		(void)madvise(p + head, (n - head) / s->page * s->page, MADV_POPULATE_WRITE);
#else
	(void)s;
	(void)p;
	(void)n;
#endif
}

/* size bytes at the end of the chunks, aligned for whatever comes next. */
static void *chunk_take(memory_store *s, size_t size)
{
	byte_chunk *c = s->chunks;
	size_t cap, room;

	if (size > SIZE_MAX - CHUNK_ALIGN)
		return NULL;
	room = (size + CHUNK_ALIGN - 1) / CHUNK_ALIGN * CHUNK_ALIGN;
	if (!c || c->cap - c->used < room) {
		cap = room > CHUNK_MIN ? room : s->chunk_size;
		if (cap > SIZE_MAX - sizeof(*c) ||
		    !(c = refund__alloc(&s->alloc, sizeof(*c) + cap)))
			return NULL;
		c->older = s->chunks;
		c->used = 0;
		c->cap = cap;
		s->chunks = c;
		if (room <= CHUNK_MIN && s->chunk_size < CHUNK_MAX)
			s->chunk_size *= 2;
		advise_huge(c->bytes, cap);
		prefault(s, c->bytes, cap);
	}
	c->used += room;
	return c->bytes + c->used - room;
}

static chunk_mark chunk_mark_now(const memory_store *s)
{
	chunk_mark m = { s->chunks, s->chunks ? s->chunks->used : 0, s->chunk_size };

	return m;
}

/* Free what was appended since m: chunks added after it, bytes after its end. */
static void chunk_rewind(memory_store *s, chunk_mark m)
{
	while (s->chunks != m.chunk) {
		byte_chunk *c = s->chunks;

		s->chunks = c->older;
		refund__free(&s->alloc, c);
	}
	if (m.chunk)
		m.chunk->used = m.used;
	s->chunk_size = m.next_size;
}

/* ---- commit: preparing --------------------------------------------------- */

/* The node for (kind, id), creating it (events only, staged_new) if absent.
 * A new node joins the table now (the commit reserved room), for the rest
 * of the batch to find, and `by_id` only when the commit applies. */
static int stage_node(memory_store *s, int kind, const char *id, mem_node **out)
{
	mem_key key = make_key(kind, id);
	mem_node *n = find_node(s, &key);

	if (!n) {
		if (key.len > SIZE_MAX - sizeof(*n) - 1)
			return REFUND_ENOMEM;
		n = chunk_take(s, sizeof(*n) + key.len + 1);
		if (!n)
			return REFUND_ENOMEM;
		memset(n, 0, sizeof(*n));
		n->kind = kind;
		n->next_deadline = REFUND_NO_DEADLINE;
		memcpy(n->id, id, key.len + 1);
		n->staged_new = 1;
		table_link(s, key.hash, n);
		s->nnodes++;
	}
	*out = n;
	return 0;
}

static const char *index_field(const refund_store_index *index, int field)
{
	switch (field) {
	case INDEX_DEPOSIT_ID:
		return index->deposit_id;
	case INDEX_HOLDER:
		return index->holder;
	case INDEX_AGENT:
		return index->agent;
	default:
		return index->state;
	}
}

/* total bytes and the room a block that grew keeps to spare. */
static size_t with_spare(size_t total)
{
	size_t spare = total / 4 + BLOCK_SPARE;

	return total <= SIZE_MAX - spare ? total + spare : total;
}

/*
 * The size of a new block for total bytes: exact for one that shrank, with
 * room to spare for a new record and one that grew out of its block, since
 * records mostly grow (a case's with most transitions, a deposit's with
 * its ledger), and a new block each time costs a malloc and fresh memory.
 */
static size_t grown_block(size_t total, size_t have)
{
	return total > have ? with_spare(total) : total;
}

/* Where a put's bytes and index strings will go (one block, NULL if all are
 * empty): the node's block if they fit it and it is at most twice what they
 * would get with room to spare (so a record that shrank does not keep a
 * large block), else a new one. */
static int stage_block(memory_store *s, const refund_store_put *p, put_plan *plan)
{
	size_t total = p->size, have = plan->node->block_size;
	int f;

	for (f = 0; f < INDEX_FIELDS; f++) {
		const char *v = index_field(&p->index, f);
		size_t len = v ? strlen(v) + 1 : 0;

		if (len > SIZE_MAX - total)
			return REFUND_ENOMEM;
		total += len;
		plan->index_len[f] = len;
	}
	if (total <= have && have / 2 <= with_spare(total)) {
		plan->in_place = 1;
		return 0;
	}
	plan->block_size = grown_block(total, have);
	if (total == 0)
		return 0;
	/* A new record's first block goes in the chunks with its node; any
	 * later one is allocated, as the block it replaces is then freed. */
	plan->block_in_chunk = plan->node->staged_new;
	plan->block = plan->block_in_chunk ? chunk_take(s, plan->block_size)
			: refund__alloc(&s->alloc, plan->block_size);
	return plan->block ? 0 : REFUND_ENOMEM;
}

static int stage_put(memory_store *s, const refund_store_put *p, put_plan *plan)
{
	mem_node *n;
	int rc;

	if ((rc = stage_node(s, p->kind, p->id, &n)) != 0)
		return rc;
	plan->node = n;
	if (n->staged_put)
		return REFUND_EINVAL;
	n->staged_put = 1;
	if (n->version != p->expected_version)
		return REFUND_ECONFLICT;
	return stage_block(s, p, plan);
}

/* The node a put of the batch staged for (kind, id), or NULL.  A transition
 * puts its record and appends its event: one lookup serves both.  Only a
 * few puts are scanned (a transition has one or two); past that a lookup
 * costs less than the scan, and a batch of many puts and events would
 * scan quadratically. */
#define PUT_SCAN_MAX 4

static mem_node *put_node(const refund_store_batch *b, const put_plan *puts, int kind,
		const char *id)
{
	size_t i;

	if (b->nputs > PUT_SCAN_MAX)
		return NULL;
	for (i = 0; i < b->nputs; i++)
		if (b->puts[i].kind == kind && strcmp(b->puts[i].id, id) == 0)
			return puts[i].node;
	return NULL;
}

static int stage_event(memory_store *s, const refund_store_event *ev, mem_node *n,
		event_plan *plan)
{
	int rc;

	if (!n && (rc = stage_node(s, ev->kind, ev->id, &n)) != 0)
		return rc;
	plan->node = n;
	if (ev->seq != n->nevents + n->staged_events + 1)
		return REFUND_ECONFLICT;
	n->staged_events++;
	if (ev->size > SIZE_MAX - sizeof(mem_event) ||
	    !(plan->event = chunk_take(s, sizeof(mem_event) + ev->size)))
		return REFUND_ENOMEM;
	plan->event->next = NULL;
	plan->event->seq = ev->seq;
	plan->event->at = ev->at;
	plan->event->size = ev->size;
	if (ev->size)
		memcpy(plan->event->data, ev->data, ev->size);
	return 0;
}

/* ---- commit: undoing and applying ---------------------------------------- */

/* A node's block, unless the chunks hold it (the node is always there). */
static void free_block(memory_store *s, mem_node *n)
{
	if (!n->block_in_chunk)
		refund__free(&s->alloc, n->block);
}

/* Clear a node's scratch; unlink it if the batch created it (its memory,
 * in the chunks, goes back with the rewind). */
static void unstage_node(memory_store *s, mem_node *n)
{
	n->staged_put = 0;
	n->staged_events = 0;
	if (n->staged_new) {
		n->staged_new = 0;
		table_unlink(s, make_key(n->kind, n->id).hash, n);
		s->nnodes--;
	}
}

static void undo_commit(memory_store *s, put_plan *puts, size_t nputs,
		event_plan *events, size_t nevents, chunk_mark mark)
{
	size_t i;

	for (i = 0; i < nputs; i++) {
		if (!puts[i].block_in_chunk)
			refund__free(&s->alloc, puts[i].block);
		if (puts[i].node)
			unstage_node(s, puts[i].node);
	}
	for (i = 0; i < nevents; i++)
		if (events[i].node)
			unstage_node(s, events[i].node);
	chunk_rewind(s, mark);
}

/* A node the batch created joins the ordered tree (once). */
static void link_new(memory_store *s, mem_node *n)
{
	if (n->staged_new) {
		n->staged_new = 0;
		s->by_id = avl_insert(s->by_id, &n->by_id, by_id_cmp);
	}
}

/* Copy a put's bytes, then its index strings, into a block big enough.
 * memmove: bytes that point into the store break the contract, but a host
 * that put back what it loaded would pass the very block being written. */
static void fill_block(mem_node *n, unsigned char *block, const refund_store_put *p,
		const put_plan *plan)
{
	size_t at = p->size;
	int f;

	if (p->size)
		memmove(block, p->data, p->size);
	for (f = 0; f < INDEX_FIELDS; f++) {
		size_t len = plan->index_len[f];

		n->index[f] = len ? memcpy(block + at, index_field(&p->index, f), len) : NULL;
		at += len;
	}
}

static void set_deadline(memory_store *s, mem_node *n, refund_time deadline)
{
	if (deadline == n->next_deadline)
		return;
	if (n->next_deadline != REFUND_NO_DEADLINE)
		s->by_due = avl_remove(s->by_due, &n->by_due, by_due_cmp);
	n->next_deadline = deadline;
	if (deadline != REFUND_NO_DEADLINE)
		s->by_due = avl_insert(s->by_due, &n->by_due, by_due_cmp);
}

static void apply_put(memory_store *s, const refund_store_put *p, put_plan *plan)
{
	mem_node *n = plan->node;

	if (plan->in_place) {
		fill_block(n, n->block, p, plan);
	} else {
		/* Filled before the old block goes, as in place. */
		fill_block(n, plan->block, p, plan);
		free_block(s, n);
		n->block = plan->block;
		n->block_size = plan->block_size;
		n->block_in_chunk = (unsigned char)plan->block_in_chunk;
	}
	n->size = p->size;
	n->version = p->expected_version + 1;
	set_deadline(s, n, p->index.next_deadline);
	n->staged_put = 0;
	link_new(s, n);
}

static void apply_event(memory_store *s, event_plan *plan)
{
	mem_node *n = plan->node;

	if (n->last_event)
		n->last_event->next = plan->event;
	else
		n->first_event = plan->event;
	n->last_event = plan->event;
	n->nevents++;
	n->staged_events = 0;
	link_new(s, n);
}

static int stage_batch(memory_store *s, const refund_store_batch *b,
		put_plan *puts, event_plan *events)
{
	size_t i;
	int rc;

	for (i = 0; i < b->nputs; i++)
		if ((rc = stage_put(s, &b->puts[i], &puts[i])) != 0)
			return rc;
	for (i = 0; i < b->nevents; i++) {
		const refund_store_event *ev = &b->events[i];

		if ((rc = stage_event(s, ev, put_node(b, puts, ev->kind, ev->id), &events[i])) != 0)
			return rc;
	}
	return 0;
}

/* Zeroed plans: on the stack for a small batch, else allocated. */
static void *plans(memory_store *s, void *stack, size_t nstack, size_t n, size_t size)
{
	if (n <= nstack) {
		memset(stack, 0, n * size);
		return stack;
	}
	return refund__calloc(&s->alloc, n, size);
}

static void free_plans(memory_store *s, void *planned, const void *stack)
{
	if (planned != stack)
		refund__free(&s->alloc, planned);
}

static int commit_locked(memory_store *s, const refund_store_batch *b)
{
	put_plan stack_puts[STACK_PUTS];
	event_plan stack_events[STACK_EVENTS];
	put_plan *puts;
	event_plan *events;
	mem_slot *slots = s->slots;
	size_t nslots = s->nslots, i;
	chunk_mark mark = chunk_mark_now(s);
	int rc = REFUND_ENOMEM;

	puts = plans(s, stack_puts, STACK_PUTS, b->nputs, sizeof(*puts));
	events = plans(s, stack_events, STACK_EVENTS, b->nevents, sizeof(*events));
	/* Room for every put and event to be a new node, however few are. */
	if (puts && events && (rc = table_reserve(s, b->nputs + b->nevents)) == 0)
		rc = stage_batch(s, b, puts, events);
	if (rc != 0) {
		if (puts && events)
			undo_commit(s, puts, b->nputs, events, b->nevents, mark);
		if (s->slots != slots) {
			refund__free(&s->alloc, s->slots);
			s->slots = slots;
			s->nslots = nslots;
		}
	} else {
		for (i = 0; i < b->nputs; i++)
			apply_put(s, &b->puts[i], &puts[i]);
		for (i = 0; i < b->nevents; i++)
			apply_event(s, &events[i]);
		if (s->slots != slots)
			refund__free(&s->alloc, slots);
	}
	free_plans(s, puts, stack_puts);
	free_plans(s, events, stack_events);
	return rc;
}

static int memory_commit(refund_store *store, const refund_store_batch *batch)
{
	memory_store *s = (memory_store *)store;
	int rc;

	if (refund_store_batch_check(batch) != 0)
		return REFUND_EINVAL;
	if ((rc = lock_store(s)) != 0)
		return rc;
	rc = commit_locked(s, batch);
	unlock_store(s);
	return rc;
}

/* ---- events, due, scan --------------------------------------------------- */

static int memory_events(refund_store *store, int kind, const char *id,
		uint64_t from_seq, refund_store_event_cb cb, void *ctx)
{
	memory_store *s = (memory_store *)store;
	const mem_node *n;
	const mem_event *e;
	mem_key key;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	key = make_key(kind, id);
	if ((rc = lock_store(s)) != 0)
		return rc;
	n = find_node(s, &key);
	/* Seqs are contiguous from 1; a reader usually wants them all. */
	for (e = n ? n->first_event : NULL; e && e->seq < from_seq; e = e->next)
		;
	for (; e && rc == 0; e = e->next) {
		refund_store_event ev = { n->kind, n->id, e->seq, e->at,
				bytes_or_empty(e->data, e->size), e->size };

		rc = cb(ctx, &ev);
	}
	unlock_store(s);
	return rc;
}

static int memory_due(refund_store *store, refund_time before, size_t limit,
		refund_store_due_cb cb, void *ctx)
{
	memory_store *s = (memory_store *)store;
	avl_iter it;
	avl_link *l;
	size_t count = 0;
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	if ((rc = lock_store(s)) != 0)
		return rc;
	avl_iter_seek(&it, s->by_due, NULL, NULL);
	while (rc == 0 && (limit == 0 || count < limit) && (l = avl_iter_next(&it))) {
		const mem_node *n = NODE_OF(l, by_due);

		if (n->next_deadline > before)
			break;
		rc = cb(ctx, n->kind, n->id, n->next_deadline);
		count++;
	}
	unlock_store(s);
	return rc;
}

/* Where a scan starts: (kind, after_id) exclusive, or the kind's first id. */
typedef struct scan_bound {
	int kind;
	const char *after_id;
} scan_bound;

static int before_scan_start(const avl_link *l, const void *bound)
{
	const scan_bound *b = bound;
	const mem_node *n = NODE_OF(l, by_id);

	if (n->kind != b->kind)
		return n->kind < b->kind;
	return b->after_id && strcmp(n->id, b->after_id) <= 0;
}

static int field_matches(const char *want, const char *have)
{
	return !want || (have && strcmp(want, have) == 0);
}

static int filter_matches(const refund_store_filter *f, const mem_node *n)
{
	return n->version &&
		field_matches(f->deposit_id, n->index[INDEX_DEPOSIT_ID]) &&
		field_matches(f->holder, n->index[INDEX_HOLDER]) &&
		field_matches(f->agent, n->index[INDEX_AGENT]) &&
		field_matches(f->state, n->index[INDEX_STATE]);
}

static int memory_scan(refund_store *store, int kind, const refund_store_filter *filter,
		refund_store_record_cb cb, void *ctx)
{
	static const refund_store_filter any = { NULL, NULL, NULL, NULL, NULL, 0 };
	memory_store *s = (memory_store *)store;
	scan_bound bound;
	avl_iter it;
	avl_link *l;
	size_t count = 0;
	int rc;

	if (!cb)
		return REFUND_EINVAL;
	if (!filter)
		filter = &any;
	bound.kind = kind;
	bound.after_id = filter->after_id;
	if ((rc = lock_store(s)) != 0)
		return rc;
	avl_iter_seek(&it, s->by_id, before_scan_start, &bound);
	while (rc == 0 && (filter->limit == 0 || count < filter->limit) &&
			(l = avl_iter_next(&it))) {
		const mem_node *n = NODE_OF(l, by_id);
		refund_store_record record;

		if (n->kind != kind)
			break;
		if (!filter_matches(filter, n))
			continue;
		node_record(n, &record);
		rc = cb(ctx, &record);
		count++;
	}
	unlock_store(s);
	return rc;
}

/* ---- lifetime ------------------------------------------------------------ */

static void memory_free(refund_store *store)
{
	memory_store *s = (memory_store *)store;
	refund_allocator alloc = s->alloc;
	size_t i;

	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].node)
			free_block(s, s->slots[i].node);
	chunk_rewind(s, (chunk_mark){ NULL, 0, CHUNK_MIN });  /* every chunk */
	refund__free(&alloc, s->slots);
	pthread_mutex_destroy(&s->lock);
	refund__free(&alloc, s);
}

/* The page size if it is a power of two (as it always is), else 0: none
 * is prefaulted. */
static uintptr_t page_size(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && (page & (page - 1)) == 0 ? (uintptr_t)page : 0;
}

/* A mutex that reports relocking by its owner instead of deadlocking. */
static int init_lock(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;
	int rc;

	if (pthread_mutexattr_init(&attr) != 0)
		return REFUND_ENOMEM;
	rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) == 0 &&
		pthread_mutex_init(lock, &attr) == 0 ? 0 : REFUND_ENOMEM;
	pthread_mutexattr_destroy(&attr);
	return rc;
}

int refund_store_memory_new(refund_store **out, const struct refund_allocator *allocator)
{
	refund_allocator alloc;
	memory_store *s;
	int rc;

	if (!out)
		return REFUND_EINVAL;
	if ((rc = refund__allocator_copy(&alloc, allocator)) != 0)
		return rc;
	s = refund__calloc(&alloc, 1, sizeof(*s));
	if (!s)
		return REFUND_ENOMEM;
	if ((rc = init_lock(&s->lock)) != 0) {
		refund__free(&alloc, s);
		return rc;
	}
	refund_store_init(&s->base, REFUND_STORE_VERSION);
	s->alloc = alloc;
	s->page = page_size();
	s->chunk_size = CHUNK_MIN;
	s->base.load = memory_load;
	s->base.commit = memory_commit;
	s->base.events = memory_events;
	s->base.due = memory_due;
	s->base.scan = memory_scan;
	s->base.free = memory_free;
	*out = &s->base;
	return 0;
}
