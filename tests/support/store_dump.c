#include "store_dump.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text {
	char *buf;
	size_t len;
	size_t cap;
	int failed;    /* an allocation failed: the text is incomplete */
} text;

typedef struct record_id {
	int kind;
	char *id;
} record_id;

typedef struct dump {
	text out;
	record_id *ids;    /* every record seen, for the events pass */
	size_t nids;
	size_t capids;
} dump;

static void text_reserve(text *t, size_t more)
{
	char *grown;
	size_t cap;

	if (t->failed || t->len + more + 1 <= t->cap)
		return;
	cap = t->cap ? t->cap : 256;
	while (cap < t->len + more + 1)
		cap *= 2;
	grown = realloc(t->buf, cap);
	if (!grown) {
		t->failed = 1;
		return;
	}
	t->buf = grown;
	t->cap = cap;
}

static void text_printf(text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->failed = 1;
		return;
	}
	text_reserve(t, (size_t)n);
	if (t->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* An id between quotes, with quotes, backslashes and non-printable bytes as \xHH. */
static void text_id(text *t, const char *id)
{
	const unsigned char *p;

	text_printf(t, "\"");
	for (p = (const unsigned char *)id; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			text_printf(t, "\\x%02x", *p);
		else
			text_printf(t, "%c", *p);
	}
	text_printf(t, "\"");
}

static void text_hex(text *t, const unsigned char *data, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	text_printf(t, " %zu ", size);
	/* A lookup, not printf per byte: dumps run after every step of long tests. */
	text_reserve(t, 2 * size);
	if (t->failed)
		return;
	for (i = 0; i < size; i++) {
		t->buf[t->len++] = digits[data[i] >> 4];
		t->buf[t->len++] = digits[data[i] & 0x0f];
	}
	t->buf[t->len] = '\0';
	text_printf(t, "\n");
}

static int remember_id(dump *d, int kind, const char *id)
{
	size_t len = strlen(id);
	char *copy;

	if (d->nids == d->capids) {
		size_t cap = d->capids ? d->capids * 2 : 16;
		record_id *grown = realloc(d->ids, cap * sizeof(*grown));

		if (!grown)
			return REFUND_ENOMEM;
		d->ids = grown;
		d->capids = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return REFUND_ENOMEM;
	memcpy(copy, id, len + 1);
	d->ids[d->nids].kind = kind;
	d->ids[d->nids].id = copy;
	d->nids++;
	return 0;
}

static int on_record(void *ctx, const refund_store_record *r)
{
	dump *d = ctx;

	text_printf(&d->out, "record %d ", r->kind);
	text_id(&d->out, r->id);
	text_printf(&d->out, " v%llu", (unsigned long long)r->version);
	text_hex(&d->out, r->data, r->size);
	return d->out.failed ? REFUND_ENOMEM : remember_id(d, r->kind, r->id);
}

static int on_event(void *ctx, const refund_store_event *ev)
{
	dump *d = ctx;

	text_printf(&d->out, "event %d ", ev->kind);
	text_id(&d->out, ev->id);
	text_printf(&d->out, " #%llu at %lld", (unsigned long long)ev->seq,
			(long long)ev->at);
	text_hex(&d->out, ev->data, ev->size);
	return d->out.failed ? REFUND_ENOMEM : 0;
}

static int dump_all(refund_store *store, dump *d)
{
	refund_store_filter all = { NULL, NULL, NULL, NULL, NULL, 0 };
	size_t i;
	int kind, rc;

	if (!store->scan)
		return REFUND_ENOTSUP;
	for (kind = REFUND_RECORD_DEPOSIT; kind <= REFUND_RECORD_META; kind++)
		if ((rc = store->scan(store, kind, &all, on_record, d)) != 0)
			return rc;
	/* Events after the scans: callbacks may not call back into the store. */
	for (i = 0; i < d->nids; i++)
		if ((rc = store->events(store, d->ids[i].kind, d->ids[i].id, 0,
						on_event, d)) != 0)
			return rc;
	text_printf(&d->out, "end\n");
	return d->out.failed ? REFUND_ENOMEM : 0;
}

int store_dump(refund_store *store, char **out)
{
	dump d = { { NULL, 0, 0, 0 }, NULL, 0, 0 };
	size_t i;
	int rc;

	if (!store || !out)
		return REFUND_EINVAL;
	rc = dump_all(store, &d);
	for (i = 0; i < d.nids; i++)
		free(d.ids[i].id);
	free(d.ids);
	if (rc != 0) {
		free(d.out.buf);
		return rc;
	}
	*out = d.out.buf;
	return 0;
}
