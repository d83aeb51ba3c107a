#include "binary.h"

#include <string.h>

#include <refund/common.h>

#include "alloc.h"
#include "utf8.h"

/* ---- writer ---- */

void refund__bin_writer_init(bin_writer *w, const refund_allocator *alloc,
		unsigned char *buf, size_t cap)
{
	w->alloc = alloc;
	w->buf = buf;
	w->len = 0;
	w->cap = buf ? cap : 0;
	w->borrowed = buf != NULL;
	w->error = 0;
}

/* Room for n more bytes, moving out of the caller's buffer if need be. */
static int reserve(bin_writer *w, size_t n)
{
	size_t cap;
	unsigned char *buf;

	if (w->error)
		return 0;
	if (n <= w->cap - w->len)
		return 1;
	if (n > SIZE_MAX / 2 - w->len) {
		w->error = REFUND_ENOMEM;
		return 0;
	}
	for (cap = w->cap > 256 ? w->cap : 256; cap < w->len + n; cap *= 2)
		;
	if (w->borrowed) {
		buf = refund__alloc(w->alloc, cap);
		if (buf && w->len)
			memcpy(buf, w->buf, w->len);
	} else {
		buf = refund__realloc_array(w->alloc, w->buf, cap, 1);
	}
	if (!buf) {
		w->error = REFUND_ENOMEM;
		return 0;
	}
	w->buf = buf;
	w->cap = cap;
	w->borrowed = 0;
	return 1;
}

unsigned char *refund__bin_room_slow(bin_writer *w, size_t n)
{
	return reserve(w, n) ? w->buf + w->len : NULL;
}

void refund__bin_bytes_slow(bin_writer *w, const void *data, size_t n)
{
	if (n && reserve(w, n)) {
		memcpy(w->buf + w->len, data, n);
		w->len += n;
	}
}

void refund__bin_uint_slow(bin_writer *w, uint64_t v)
{
	if (reserve(w, BIN_UINT_ROOM))
		refund__bin_uint(w, v);  /* now with room: the inline path */
}

static int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void refund__bin_text_slow(bin_writer *w, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char *p = refund__bin_room(w, BIN_TEXT_ROOM(n));

	if (p)
		refund__bin_advance(w, refund__bin_put_text(p, s, n));
}

void refund__bin_opt_int(bin_writer *w, int64_t v)
{
	refund__bin_uint(w, refund__bin_opt_word(v));
}

int refund__bin_writer_end(bin_writer *w, const unsigned char **data, size_t *size)
{
	if (w->error)
		return w->error;
	*data = w->buf;
	*size = w->len;
	return 0;
}

void refund__bin_writer_dispose(bin_writer *w)
{
	if (!w->borrowed)
		refund__free(w->alloc, w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
	w->borrowed = 0;
}

/* ---- reader ---- */

void refund__bin_reader_init(bin_reader *r, const void *data, size_t size)
{
	r->p = data;
	r->end = r->p + (data ? size : 0);
	r->error = 0;
}

static void corrupt(bin_reader *r)
{
	r->error = REFUND_ECORRUPT;
	r->p = r->end;
}

const unsigned char *refund__bin_read_bytes(bin_reader *r, size_t n)
{
	const unsigned char *at = r->p;

	if (r->error || n > (size_t)(r->end - r->p)) {
		corrupt(r);
		return NULL;
	}
	r->p += n;
	return at;
}

uint64_t refund__bin_read_uint(bin_reader *r, uint64_t max)
{
	uint64_t v = 0;
	unsigned shift;

	for (shift = 0; !r->error && r->p < r->end && shift < 64; shift += 7) {
		unsigned char b = *r->p++;

		/* the tenth byte holds bit 63 only; a last byte of 0 after the
		 * first would make the varint longer than it need be, and every
		 * value has one way to be written */
		if ((shift == 63 && b > 1) || (shift && b == 0))
			break;
		v |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			if (v <= max)
				return v;
			break;
		}
	}
	corrupt(r);
	return 0;
}

int64_t refund__bin_read_int(bin_reader *r, int64_t min, int64_t max)
{
	uint64_t u = refund__bin_read_uint(r, UINT64_MAX);
	int64_t v = unzigzag(u);

	if (r->error || v < min || v > max) {
		corrupt(r);
		return 0;
	}
	return v;
}

int64_t refund__bin_read_opt_int(bin_reader *r, int64_t min, int64_t max)
{
	uint64_t u = refund__bin_read_uint(r, UINT64_MAX);
	int64_t v;

	if (r->error)
		return 0;
	if (u == 0)
		return INT64_MIN;
	v = unzigzag(u - 1);
	if (v < min || v > max) {
		corrupt(r);
		return 0;
	}
	return v;
}

void refund__bin_read_text_ref(bin_reader *r, const char **s, size_t *len, size_t max)
{
	uint64_t n = refund__bin_read_uint(r, (uint64_t)max + 1);
	const unsigned char *at;

	*s = NULL;
	*len = 0;
	if (r->error || n == 0)
		return;
	if (!(at = refund__bin_read_bytes(r, (size_t)n - 1)))
		return;
	if (memchr(at, '\0', (size_t)n - 1) || !refund__utf8_valid((const char *)at, (size_t)n - 1)) {
		corrupt(r);
		return;
	}
	*s = (const char *)at;
	*len = (size_t)n - 1;
}

const char *refund__bin_read_text_copy(bin_reader *r, bin_texts *room, int nullable)
{
	const char *s;
	char *copy = room->next;
	size_t len;

	if (room->left == 0) {
		corrupt(r);
		return NULL;
	}
	refund__bin_read_text_ref(r, &s, &len, room->left - 1);
	if (r->error)
		return NULL;
	if (!s) {
		if (!nullable)
			corrupt(r);
		return NULL;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	room->next += len + 1;
	room->left -= len + 1;
	return copy;
}

int refund__bin_read_id(bin_reader *r, char *dst, size_t max, int nullable)
{
	uint64_t n = refund__bin_read_uint(r, (uint64_t)max + 1);
	const unsigned char *at;
	size_t i;

	dst[0] = '\0';
	if (r->error)
		return 0;
	if (n <= 1) {  /* NULL, or "": no id */
		if (n == 1 || !nullable)
			corrupt(r);
		return 0;
	}
	if (!(at = refund__bin_read_bytes(r, (size_t)n - 1)))
		return 0;
	/* Printable ASCII without spaces: no NUL, valid UTF-8 and no control
	 * character, as every text is, by the one test. */
	for (i = 0; i < (size_t)n - 1; i++) {
		if (at[i] <= ' ' || at[i] >= 0x7F) {
			dst[0] = '\0';
			corrupt(r);
			return 0;
		}
		dst[i] = (char)at[i];
	}
	dst[i] = '\0';
	return 1;
}

int refund__bin_read_text(bin_reader *r, char *dst, size_t cap, int nullable)
{
	bin_texts room = { dst, cap };

	dst[0] = '\0';
	return refund__bin_read_text_copy(r, &room, nullable) != NULL;
}

void refund__bin_reader_corrupt(bin_reader *r)
{
	corrupt(r);
}

int refund__bin_reader_end(const bin_reader *r)
{
	return r->error || r->p != r->end ? REFUND_ECORRUPT : 0;
}
