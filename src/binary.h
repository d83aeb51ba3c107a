/*
 * Internal: the compact binary record encoding.
 *
 * A binary document is a sequence of fields in an order fixed by its
 * encoder and decoder; nothing names them.  Unsigned integers are LEB128
 * varints, signed ones zigzag varints, texts a varint of length + 1 (0 for
 * NULL) followed by the bytes, without a terminating NUL.
 *
 * Writer errors are sticky, like the JSON writer's: encoders write without
 * checking and look once at bin_writer_end.  The reader treats its input as
 * hostile: it never reads past the end, and the first thing out of place
 * (truncation, a varint longer than 10 bytes, than its value needs or above
 * 64 bits, a value out of the range asked for, a text with NUL, invalid
 * UTF-8 or longer than its room) makes it REFUND_ECORRUPT from then on,
 * every read giving zeros.
 */
#ifndef REFUND_SRC_BINARY_H
#define REFUND_SRC_BINARY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <refund/sys/alloc.h>

typedef struct bin_writer {
	const refund_allocator *alloc;
	unsigned char *buf;
	size_t len, cap;
	int borrowed;      /* buf is the caller's, not the writer's to free */
	int error;         /* first error, 0 if none */
} bin_writer;

/* Start in the caller's buf of cap bytes; more moves to one allocation. */
void refund__bin_writer_init(bin_writer *w, const refund_allocator *alloc,
		unsigned char *buf, size_t cap);
/* The slow path of bin_bytes: room first (or the sticky error). */
void refund__bin_bytes_slow(bin_writer *w, const void *data, size_t n);
/* The slow path of bin_uint: room first (or the sticky error). */
void refund__bin_uint_slow(bin_writer *w, uint64_t v);
/* The general path of bin_text. */
void refund__bin_text_slow(bin_writer *w, const char *s);

/*
 * Writing a run of fields at a cursor: bin_room makes room for at most n
 * more bytes (growing the buffer) and gives where they go, or NULL with the
 * sticky error; the put_ functions write there and return what follows;
 * bin_advance ends the run.  The position stays in a register: writing
 * through the writer reloads it after every byte stored (bytes alias it).
 */
unsigned char *refund__bin_room_slow(bin_writer *w, size_t n);

static inline unsigned char *refund__bin_room(bin_writer *w, size_t n)
{
	if (!w->error && n <= w->cap - w->len)
		return w->buf + w->len;
	return refund__bin_room_slow(w, n);
}

static inline unsigned char *refund__bin_put_uint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* An integer's room at a cursor (a varint's most), and a text's: its
 * length's varint and its bytes. */
#define BIN_UINT_ROOM ((size_t)10)
#define BIN_TEXT_ROOM(len) ((len) + BIN_UINT_ROOM)

/* s of n bytes (NULL: absent), as bin_text writes it. */
static inline unsigned char *refund__bin_put_text(unsigned char *p, const char *s, size_t n)
{
	if (!s)
		return refund__bin_put_uint(p, 0);
	p = refund__bin_put_uint(p, (uint64_t)n + 1);
	if (n)
		memcpy(p, s, n);
	return p + n;
}

static inline void refund__bin_advance(bin_writer *w, const unsigned char *p)
{
	w->len = (size_t)(p - w->buf);
}

/* Inline: a record is mostly small integers, and a call each cost more
 * than the writing. */
static inline void refund__bin_uint(bin_writer *w, uint64_t v)
{
	if (w->cap - w->len < BIN_UINT_ROOM) {
		refund__bin_uint_slow(w, v);
		return;
	}
	refund__bin_advance(w, refund__bin_put_uint(w->buf + w->len, v));
}

/* Inline: a transition writes some twenty runs of bytes, most short. */
static inline void refund__bin_bytes(bin_writer *w, const void *data, size_t n)
{
	if (n <= w->cap - w->len) {
		if (n)
			memcpy(w->buf + w->len, data, n);
		w->len += n;
	} else {
		refund__bin_bytes_slow(w, data, n);
	}
}

/* Zigzag: small magnitudes of either sign stay short. */
static inline uint64_t refund__bin_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
}

static inline void refund__bin_int(bin_writer *w, int64_t v)
{
	refund__bin_uint(w, refund__bin_zigzag(v));
}

/* NULL and "" differ: NULL is written as 0, "" as 1.  Inline for those
 * two, which are most of a record's texts. */
static inline void refund__bin_text(bin_writer *w, const char *s)
{
	if (s && s[0])
		refund__bin_text_slow(w, s);
	else
		refund__bin_uint(w, s ? 1 : 0);
}

/*
 * An integer that may be absent, INT64_MIN standing for "none" (as
 * REFUND_TIME_NONE does): none is the one byte 0, any other value one more
 * than bin_int's zigzag (never longer than bin_int's bytes but for the
 * values whose zigzag is a power of 128 less one).
 */
void refund__bin_opt_int(bin_writer *w, int64_t v);

/* The uint bin_opt_int writes for v. */
static inline uint64_t refund__bin_opt_word(int64_t v)
{
	/* INT64_MIN is the one zigzag of UINT64_MAX, so the +1 cannot wrap */
	return v == INT64_MIN ? 0 : refund__bin_zigzag(v) + 1;
}
/* 0 with the bytes (valid until the next write or dispose), or the sticky
 * error (REFUND_ENOMEM). */
int refund__bin_writer_end(bin_writer *w, const unsigned char **data, size_t *size);
void refund__bin_writer_dispose(bin_writer *w);

typedef struct bin_reader {
	const unsigned char *p, *end;
	int error;         /* REFUND_ECORRUPT once anything was out of place */
} bin_reader;

void refund__bin_reader_init(bin_reader *r, const void *data, size_t size);
/* n bytes in place, or NULL (and the reader corrupt) if fewer remain. */
const unsigned char *refund__bin_read_bytes(bin_reader *r, size_t n);
uint64_t refund__bin_read_uint(bin_reader *r, uint64_t max);
int64_t refund__bin_read_int(bin_reader *r, int64_t min, int64_t max);
/*
 * A text into dst (room for cap bytes with its NUL).  NULL texts are
 * corrupt unless `nullable`, and then leave dst "" and return 0; 1 for a
 * text, 0 for NULL or on error.
 */
int refund__bin_read_text(bin_reader *r, char *dst, size_t cap, int nullable);
/*
 * An id into dst (room for max bytes and its NUL): 1 to max printable ASCII
 * bytes without spaces (what refund__check_id allows), read and checked in
 * one pass; otherwise as bin_read_text ("" is no id: corrupt).
 */
int refund__bin_read_id(bin_reader *r, char *dst, size_t max, int nullable);
/* A text in place: *s points into the input (not NUL-terminated), *len its
 * length; NULL for a NULL text.  Checked as bin_read_text checks. */
void refund__bin_read_text_ref(bin_reader *r, const char **s, size_t *len, size_t max);
/* What bin_opt_int wrote: INT64_MIN for none, else a value in [min, max]. */
int64_t refund__bin_read_opt_int(bin_reader *r, int64_t min, int64_t max);

/*
 * Room for NUL-terminated copies of an input's texts.  As many bytes as the
 * input holds always suffice: each text's length prefix (at least one byte)
 * makes room for its NUL.
 */
typedef struct bin_texts {
	char *next;        /* where the next copy goes */
	size_t left;       /* bytes of room left */
} bin_texts;

/*
 * A text (checked as bin_read_text checks) copied NUL-terminated into
 * room: the copy, or NULL for a NULL text (corrupt unless `nullable`) or on
 * error.  Too little room left is corrupt too.
 */
const char *refund__bin_read_text_copy(bin_reader *r, bin_texts *room, int nullable);
/* Make the input corrupt from now on: a decoder's own check of a value failed. */
void refund__bin_reader_corrupt(bin_reader *r);
/* 0 if every byte was read and nothing was out of place, else REFUND_ECORRUPT. */
int refund__bin_reader_end(const bin_reader *r);

#endif
