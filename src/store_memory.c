/*
 * The built-in in-memory store: the whole storage contract of
 * refund/sys/store.h, kept in two intrusive AVL trees.
 *
 * Every (kind, id) that has a record or events is one node.  Nodes sit in
 * the tree `by_id`, ordered by (kind, id), for load, scan and events; nodes
 * whose record has a next deadline also sit in `by_due`, ordered by
 * (next_deadline, kind, id), so `due` walks only what is due.  Records are
 * never deleted, so a node leaves `by_id` only when a failed commit undoes
 * its creation.
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
 *   store is left exactly as it was (event arrays may keep a larger
 *   capacity).
 */
/* The feature-test macro POSIX reserves for exactly this use. */
#define _POSIX_C_SOURCE 200809L /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */

#include <refund/store.h>
#include <refund/sys/store.h>

#include "alloc.h"

#include <pthread.h>
#include <string.h>

/* An AVL tree of n nodes is at most 1.44 log2(n + 2) high: < 96 for any n. */
#define AVL_MAX_HEIGHT 96

/* Index fields kept beside a record, in refund_store_index's order. */
enum { INDEX_DEPOSIT_ID, INDEX_HOLDER, INDEX_AGENT, INDEX_STATE, INDEX_FIELDS };

typedef struct avl_link {
	struct avl_link *left;
	struct avl_link *right;
	int height;
} avl_link;

typedef int (*avl_cmp)(const avl_link *a, const avl_link *b);

typedef struct mem_event {
	uint64_t seq;
	refund_time at;
	unsigned char *data;
	size_t size;
} mem_event;

typedef struct mem_node {
	uint64_t version;              /* 0: no record, events only */
	unsigned char *block;          /* the bytes, then the index strings */
	size_t size;
	const char *index[INDEX_FIELDS];
	mem_event *events;             /* events[i].seq == i + 1 */
	size_t nevents;
	size_t capacity;
	/* Scratch of the commit in progress; all zero between commits. */
	size_t staged_events;
	unsigned char staged_put;
	unsigned char staged_new;
	/* Last, and each link beside its key, so that a step down a tree
	 * touches as few cache lines as possible. */
	avl_link by_due;
	refund_time next_deadline;     /* REFUND_NO_DEADLINE: not in by_due */
	avl_link by_id;
	int kind;
	char id[];
} mem_node;

typedef struct memory_store {
	refund_store base; /* first: the library's pointer is ours */
	refund_allocator alloc;
	pthread_mutex_t lock;
	avl_link *by_id;
	avl_link *by_due;
} memory_store;

/* What a commit prepared for one put: the node and its new block. */
typedef struct put_plan {
	mem_node *node;
	unsigned char *block;
	const char *index[INDEX_FIELDS];
} put_plan;

/* What a commit prepared for one event: the node and a copy of its bytes. */
typedef struct event_plan {
	mem_node *node;
	unsigned char *data;
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

static avl_link *avl_insert(avl_link *root, avl_link *l, avl_cmp cmp)
{
	if (!root) {
		l->left = l->right = NULL;
		l->height = 1;
		return l;
	}
	if (cmp(l, root) < 0)
		root->left = avl_insert(root->left, l, cmp);
	else
		root->right = avl_insert(root->right, l, cmp);
	return avl_balance(root);
}

static avl_link *avl_remove_min(avl_link *root, avl_link **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = avl_remove_min(root->left, min);
	return avl_balance(root);
}

/* Remove l, which must be in the tree (keys are unique). */
static avl_link *avl_remove(avl_link *root, avl_link *l, avl_cmp cmp)
{
	avl_link *min, *right;

	if (root != l) {
		if (cmp(l, root) < 0)
			root->left = avl_remove(root->left, l, cmp);
		else
			root->right = avl_remove(root->right, l, cmp);
		return avl_balance(root);
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

static mem_node *find_node(const memory_store *s, int kind, const char *id)
{
	avl_link *l = s->by_id;

	while (l) {
		mem_node *n = NODE_OF(l, by_id);
		int c = key_cmp(kind, id, n);

		if (c == 0)
			return n;
		l = c < 0 ? l->left : l->right;
	}
	return NULL;
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
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	if ((rc = lock_store(s)) != 0)
		return rc;
	n = find_node(s, kind, id);
	if (n && n->version) {
		node_record(n, &record);
		rc = cb(ctx, &record);
	} else {
		rc = REFUND_ENOTFOUND;
	}
	unlock_store(s);
	return rc;
}

/* ---- commit: preparing --------------------------------------------------- */

/* The node for (kind, id), creating it (events only, staged_new) if absent. */
static int stage_node(memory_store *s, int kind, const char *id, mem_node **out)
{
	size_t len = strlen(id);
	mem_node *n = find_node(s, kind, id);

	if (!n) {
		if (len > SIZE_MAX - sizeof(*n) - 1)
			return REFUND_ENOMEM;
		n = refund__calloc(&s->alloc, 1, sizeof(*n) + len + 1);
		if (!n)
			return REFUND_ENOMEM;
		n->kind = kind;
		n->next_deadline = REFUND_NO_DEADLINE;
		memcpy(n->id, id, len + 1);
		n->staged_new = 1;
		s->by_id = avl_insert(s->by_id, &n->by_id, by_id_cmp);
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

/* One allocation for a put's bytes and index strings (NULL if all empty). */
static int stage_block(memory_store *s, const refund_store_put *p, put_plan *plan)
{
	size_t total = p->size, at;
	int f;

	for (f = 0; f < INDEX_FIELDS; f++) {
		const char *v = index_field(&p->index, f);
		size_t len = v ? strlen(v) + 1 : 0;

		if (len > SIZE_MAX - total)
			return REFUND_ENOMEM;
		total += len;
	}
	if (total == 0)
		return 0;
	plan->block = refund__alloc(&s->alloc, total);
	if (!plan->block)
		return REFUND_ENOMEM;
	if (p->size)
		memcpy(plan->block, p->data, p->size);
	at = p->size;
	for (f = 0; f < INDEX_FIELDS; f++) {
		const char *v = index_field(&p->index, f);

		if (v) {
			size_t len = strlen(v) + 1;

			memcpy(plan->block + at, v, len);
			plan->index[f] = (const char *)plan->block + at;
			at += len;
		}
	}
	return 0;
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

/* Room for the node's events and those staged for it, so appending cannot fail. */
static int reserve_events(memory_store *s, mem_node *n)
{
	size_t need = n->nevents + n->staged_events, capacity;
	mem_event *grown;

	if (need <= n->capacity)
		return 0;
	capacity = n->capacity ? n->capacity : 4;
	while (capacity < need)
		capacity = capacity > SIZE_MAX / 2 ? need : capacity * 2;
	grown = refund__realloc_array(&s->alloc, n->events, capacity, sizeof(*grown));
	if (!grown)
		return REFUND_ENOMEM;
	n->events = grown;
	n->capacity = capacity;
	return 0;
}

static int stage_event(memory_store *s, const refund_store_event *ev, event_plan *plan)
{
	mem_node *n;
	int rc;

	if ((rc = stage_node(s, ev->kind, ev->id, &n)) != 0)
		return rc;
	plan->node = n;
	if (ev->seq != n->nevents + n->staged_events + 1)
		return REFUND_ECONFLICT;
	n->staged_events++;
	if ((rc = reserve_events(s, n)) != 0)
		return rc;
	if (ev->size) {
		plan->data = refund__alloc(&s->alloc, ev->size);
		if (!plan->data)
			return REFUND_ENOMEM;
		memcpy(plan->data, ev->data, ev->size);
	}
	return 0;
}

/* ---- commit: undoing and applying ---------------------------------------- */

static void free_node(memory_store *s, mem_node *n)
{
	size_t i;

	for (i = 0; i < n->nevents; i++)
		refund__free(&s->alloc, n->events[i].data);
	refund__free(&s->alloc, n->events);
	refund__free(&s->alloc, n->block);
	refund__free(&s->alloc, n);
}

/* Clear a node's scratch; unlink it if the batch created it, chaining it on
 * *doomed (through by_due, unused while staged) to be freed afterwards. */
static void unstage_node(memory_store *s, mem_node *n, mem_node **doomed)
{
	n->staged_put = 0;
	n->staged_events = 0;
	if (n->staged_new) {
		n->staged_new = 0;
		s->by_id = avl_remove(s->by_id, &n->by_id, by_id_cmp);
		n->by_due.left = *doomed ? &(*doomed)->by_due : NULL;
		*doomed = n;
	} else if (n->nevents == 0 && n->events) {
		refund__free(&s->alloc, n->events);
		n->events = NULL;
		n->capacity = 0;
	}
}

static void undo_commit(memory_store *s, put_plan *puts, size_t nputs,
		event_plan *events, size_t nevents)
{
	mem_node *doomed = NULL;
	size_t i;

	for (i = 0; i < nputs; i++) {
		refund__free(&s->alloc, puts[i].block);
		if (puts[i].node)
			unstage_node(s, puts[i].node, &doomed);
	}
	for (i = 0; i < nevents; i++) {
		refund__free(&s->alloc, events[i].data);
		if (events[i].node)
			unstage_node(s, events[i].node, &doomed);
	}
	while (doomed) {
		mem_node *next = doomed->by_due.left ? NODE_OF(doomed->by_due.left, by_due) : NULL;

		free_node(s, doomed);
		doomed = next;
	}
}

static void apply_put(memory_store *s, const refund_store_put *p, put_plan *plan)
{
	mem_node *n = plan->node;
	int f;

	if (n->next_deadline != REFUND_NO_DEADLINE)
		s->by_due = avl_remove(s->by_due, &n->by_due, by_due_cmp);
	refund__free(&s->alloc, n->block);
	n->block = plan->block;
	n->size = p->size;
	for (f = 0; f < INDEX_FIELDS; f++)
		n->index[f] = plan->index[f];
	n->version = p->expected_version + 1;
	n->next_deadline = p->index.next_deadline;
	if (n->next_deadline != REFUND_NO_DEADLINE)
		s->by_due = avl_insert(s->by_due, &n->by_due, by_due_cmp);
	n->staged_put = 0;
	n->staged_new = 0;
}

static void apply_event(const refund_store_event *ev, event_plan *plan)
{
	mem_node *n = plan->node;
	mem_event *e = &n->events[n->nevents++];

	e->seq = ev->seq;
	e->at = ev->at;
	e->data = plan->data;
	e->size = ev->size;
	n->staged_events = 0;
	n->staged_new = 0;
}

static int stage_batch(memory_store *s, const refund_store_batch *b,
		put_plan *puts, event_plan *events)
{
	size_t i;
	int rc;

	for (i = 0; i < b->nputs; i++)
		if ((rc = stage_put(s, &b->puts[i], &puts[i])) != 0)
			return rc;
	for (i = 0; i < b->nevents; i++)
		if ((rc = stage_event(s, &b->events[i], &events[i])) != 0)
			return rc;
	return 0;
}

static int commit_locked(memory_store *s, const refund_store_batch *b)
{
	put_plan *puts = NULL;
	event_plan *events = NULL;
	size_t i;
	int rc;

	if ((b->nputs && !(puts = refund__calloc(&s->alloc, b->nputs, sizeof(*puts)))) ||
			(b->nevents && !(events = refund__calloc(&s->alloc, b->nevents,
					sizeof(*events))))) {
		refund__free(&s->alloc, puts);
		return REFUND_ENOMEM;
	}
	rc = stage_batch(s, b, puts, events);
	if (rc != 0) {
		undo_commit(s, puts, b->nputs, events, b->nevents);
	} else {
		for (i = 0; i < b->nputs; i++)
			apply_put(s, &b->puts[i], &puts[i]);
		for (i = 0; i < b->nevents; i++)
			apply_event(&b->events[i], &events[i]);
	}
	refund__free(&s->alloc, puts);
	refund__free(&s->alloc, events);
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
	size_t i;
	int rc;

	if (!id || !cb)
		return REFUND_EINVAL;
	if ((rc = lock_store(s)) != 0)
		return rc;
	n = find_node(s, kind, id);
	/* Seqs are contiguous from 1: seq k is at index k - 1. */
	i = 0;
	if (n && from_seq > 1)
		i = from_seq - 1 < n->nevents ? (size_t)(from_seq - 1) : n->nevents;
	for (; n && i < n->nevents && rc == 0; i++) {
		const mem_event *e = &n->events[i];
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

static void free_tree(memory_store *s, avl_link *l)
{
	if (!l)
		return;
	free_tree(s, l->left);
	free_tree(s, l->right);
	free_node(s, NODE_OF(l, by_id));
}

static void memory_free(refund_store *store)
{
	memory_store *s = (memory_store *)store;
	refund_allocator alloc = s->alloc;

	free_tree(s, s->by_id);
	pthread_mutex_destroy(&s->lock);
	refund__free(&alloc, s);
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
	s->base.load = memory_load;
	s->base.commit = memory_commit;
	s->base.events = memory_events;
	s->base.due = memory_due;
	s->base.scan = memory_scan;
	s->base.free = memory_free;
	*out = &s->base;
	return 0;
}
