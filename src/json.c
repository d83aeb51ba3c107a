#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"

/* For the few small functions of the writer's fast path that the compiler
 * would otherwise keep as calls. */
#if defined(__GNUC__)
#define JSON_INLINE inline __attribute__((always_inline))
#else
#define JSON_INLINE inline
#endif

/* Objects up to this size are checked for duplicate keys pairwise. */
#define JSON_SMALL_OBJECT 32

/* ---- writer ---- */

static void fail(json_writer *w, int code)
{
	if (w->error == 0)
		w->error = code;
}

/* Move to a bigger allocation, out of the caller's buffer if need be. */
static int grow_buffer(json_writer *w, size_t need)
{
	size_t cap = w->cap > 1024 ? w->cap : 1024;  /* most records fit: one allocation */
	char *buf;

	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (w->borrowed) {
		buf = refund__alloc(w->alloc, cap);
		if (buf && w->len > 0)
			memcpy(buf, w->buf, w->len);
	} else {
		buf = refund__realloc_array(w->alloc, w->buf, cap, 1);
	}
	if (!buf) {
		fail(w, REFUND_ENOMEM);
		return 0;
	}
	w->buf = buf;
	w->cap = cap;
	w->borrowed = 0;
	return 1;
}

/* Room for n more bytes and the final NUL; doubling keeps reallocations few. */
static int reserve(json_writer *w, size_t n)
{
	if (w->error)
		return 0;
	if (n > SIZE_MAX - 1 - w->len) {
		fail(w, REFUND_ENOMEM);
		return 0;
	}
	return w->len + n + 1 <= w->cap || grow_buffer(w, w->len + n + 1);
}

static void put(json_writer *w, const char *s, size_t n)
{
	if (n > 0 && reserve(w, n)) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
	}
}

static void put_char(json_writer *w, char c)
{
	if (w->len + 1 < w->cap && !w->error)
		w->buf[w->len++] = c;  /* the common case, without a call */
	else
		put(w, &c, 1);
}

/* The escape sequence for a byte that may not appear raw in a string. */
static size_t escape(unsigned char c, char out[6])
{
	static const char hex[] = "0123456789abcdef";
	char short_form = 0;

	switch (c) {
	case '"': short_form = '"'; break;
	case '\\': short_form = '\\'; break;
	case '\b': short_form = 'b'; break;
	case '\f': short_form = 'f'; break;
	case '\n': short_form = 'n'; break;
	case '\r': short_form = 'r'; break;
	case '\t': short_form = 't'; break;
	default: break;
	}
	out[0] = '\\';
	if (short_form) {
		out[1] = short_form;
		return 2;
	}
	out[1] = 'u';
	out[2] = '0';
	out[3] = '0';
	out[4] = hex[c >> 4];
	out[5] = hex[c & 0x0f];
	return 6;
}

/* 1 for the bytes a string holds as they are and that need no more
 * checking: ASCII but the controls (0x00-0x1f, so NUL too), '"' and '\\'.
 * Bytes from 0x80 up are 0: they are checked as UTF-8 on the slow path. */
static const unsigned char plain_ascii[256] = {
	[' '] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,      /* " */
	['0'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['@'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['P'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,      /* \ */
	['`'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['p'] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/*
 * Nonzero if any of the 8 bytes in x is not plain_ascii.  Exact as a yes or
 * no: for bytes below 0x80 a subtraction borrows only out of a byte that is
 * below 0x20 (first term) or equal to '"' or '\\' (the others), which sets
 * that byte's high bit; bytes from 0x80 up have it set already.  The byte
 * order does not matter: the caller looks for the byte itself.
 */
static JSON_INLINE uint64_t special_bytes(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101u;

	return ((x - ones * 0x20) | ((x ^ (ones * '"')) - ones) |
			((x ^ (ones * '\\')) - ones) | x) & (ones * 0x80);
}

/*
 * Copies s[0..n) to d if every byte is plain ASCII: 1 if it did, 0 (and d
 * partly written) if not.  Words of 8 bytes, the last one overlapping the
 * one before it; below 8 two overlapping halves, below 4 the first, middle
 * and last byte: every load and store lies inside s[0..n) and d[0..n).
 */
static JSON_INLINE int copy_plain(char *d, const unsigned char *s, size_t n)
{
	const uint64_t spaces = 0x2020202020202020u;  /* padding that never flags */
	size_t i;
	uint64_t x;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&x, s + i, 8);
			if (special_bytes(x))
				return 0;
			memcpy(d + i, &x, 8);
		}
		memcpy(&x, s + n - 8, 8);
		if (special_bytes(x))
			return 0;
		memcpy(d + n - 8, &x, 8);
	} else if (n >= 4) {
		uint32_t head, tail;

		memcpy(&head, s, 4);
		memcpy(&tail, s + n - 4, 4);
		if (special_bytes((uint64_t)head << 32 | tail))
			return 0;
		memcpy(d, &head, 4);
		memcpy(d + n - 4, &tail, 4);
	} else if (n > 0) {
		x = spaces << 24 | (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1];
		if (special_bytes(x))
			return 0;
		d[0] = (char)s[0];
		d[n / 2] = (char)s[n / 2];
		d[n - 1] = (char)s[n - 1];
	}
	return 1;
}

/*
 * [before]"s"[after] (a 0 byte for none) written after the buffer's bytes,
 * if s (n bytes) is plain ASCII and this and `extra` bytes more fit: the
 * end of what it wrote, or NULL (and nothing counted as written) to take
 * the general way.
 */
static JSON_INLINE char *put_plain_between(json_writer *w, char before, const char *s,
		size_t n, char after, size_t extra)
{
	char *d;

	/* Both quotes, before, after and the NUL that reserve() keeps room for
	 * (and no buffer yet has no room). */
	if (w->error || n + extra + 5 > w->cap - w->len)
		return NULL;
	d = w->buf + w->len;
	*d = before;
	d += before != 0;
	*d++ = '"';
	if (!copy_plain(d, (const unsigned char *)s, n))
		return NULL;
	d += n;
	*d++ = '"';
	*d = after;
	return d + (after != 0);
}

/* How many bytes from s go out as they are: plain ASCII and valid UTF-8
 * sequences, up to a byte to escape or one that is not valid UTF-8. */
static size_t raw_run(const unsigned char *s, size_t n)
{
	size_t i = 0, len;

	while (i < n) {
		if (plain_ascii[s[i]]) {
			i++;
			continue;
		}
		if (s[i] < 0x80 || (len = refund__utf8_sequence(s + i, n - i)) == 0)
			break;
		i += len;
	}
	return i;
}

/* The rest of a string (n bytes) after its opening quote, and the closing
 * quote: runs copied whole, escapes between them.  Invalid UTF-8 would make
 * a document our own parser refuses: it fails the writer. */
static void put_string_rest(json_writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;
	char esc[6];

	for (;;) {
		run = raw_run(p + i, n - i);
		put(w, s + i, run);
		i += run;
		if (i == n)
			break;
		if (p[i] >= 0x80) {
			fail(w, REFUND_EINVAL);
			return;
		}
		put(w, esc, escape(p[i], esc));
		i++;
	}
	put_char(w, '"');
}

/* put_string_between the general way, for a string (n bytes) that needs
 * escapes or UTF-8 checks, or more room: the plain bytes that fit first,
 * then the rest, the buffer growing as it needs. */
static void put_string_general(json_writer *w, char before, const char *s, size_t n,
		char after)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, room;
	char *d;

	if (!reserve(w, 2))
		return;
	d = w->buf + w->len;
	if (before)
		*d++ = before;
	*d++ = '"';
	room = w->cap - 1 - (size_t)(d - w->buf);  /* reserve() keeps a byte for the NUL */
	while (i < room && i < n && plain_ascii[p[i]]) {
		d[i] = (char)p[i];
		i++;
	}
	w->len = (size_t)(d + i - w->buf);
	if (i == n)
		put_char(w, '"');
	else
		put_string_rest(w, s + i, n - i);
	if (after)
		put_char(w, after);
}

/* s as a JSON string, after the byte `before` and before `after` (0: none),
 * for a key's comma and colon. */
static void put_string_between(json_writer *w, char before, const char *s, char after)
{
	size_t n = strlen(s);
	char *end = put_plain_between(w, before, s, n, after, 0);

	if (end)
		w->len = (size_t)(end - w->buf);
	else
		put_string_general(w, before, s, n, after);
}

static void put_string(json_writer *w, const char *s)
{
	put_string_between(w, 0, s, 0);
}

/* "00".."99": integers go out two digits at a time. */
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* How many decimal digits v has (1 for 0). */
static JSON_INLINE size_t decimal_digits(uint64_t v)
{
	static const uint64_t at_least[20] = {
		0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
		1000000000, 10000000000u, 100000000000u, 1000000000000u,
		10000000000000u, 100000000000000u, 1000000000000000u,
		10000000000000000u, 100000000000000000u, 1000000000000000000u,
		10000000000000000000u,
	};
#if defined(__GNUC__)
	/* floor(log10(2) * bits) digits at least, one more from the next power. */
	size_t guess = (size_t)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return guess + (v >= at_least[guess]);
#else
	size_t n = 1;

	while (n < 20 && v >= at_least[n])
		n++;
	return n;
#endif
}

/* The digits of v, written backwards to end at `end`: where they start. */
static char *put_digits_before(char *end, uint64_t v)
{
	const char *pair;

	while (v >= 100) {
		pair = digit_pairs + v % 100 * 2;
		v /= 100;
		end -= 2;
		memcpy(end, pair, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + v * 2, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/* The integer's text, with its sign, at d (room checked): where it ends. */
static JSON_INLINE char *put_integer_at(char *d, int negative, uint64_t magnitude,
		size_t digits)
{
	*d = '-';
	d += negative != 0;
	put_digits_before(d + digits, magnitude);
	return d + digits;
}

static void put_integer(json_writer *w, int negative, uint64_t magnitude)
{
	size_t digits = decimal_digits(magnitude);
	char *end;

	if (reserve(w, digits + (negative != 0))) {
		end = put_integer_at(w->buf + w->len, negative, magnitude, digits);
		w->len = (size_t)(end - w->buf);
	}
}

/* Checks that a value may come next and writes the comma before it. */
static int begin_value(json_writer *w)
{
	if (w->error)
		return 0;
	if (w->depth == 0) {
		if (!w->first[0]) {
			fail(w, REFUND_EINVAL);
			return 0;
		}
		w->first[0] = 0;
		return 1;
	}
	if (w->object[w->depth]) {
		if (!w->after_key) {
			fail(w, REFUND_EINVAL);
			return 0;
		}
		w->after_key = 0;
		return 1;
	}
	if (!w->first[w->depth])
		put_char(w, ',');
	w->first[w->depth] = 0;
	return !w->error;
}

static void open_level(json_writer *w, char bracket, int object)
{
	if (w->error)
		return;
	if (w->depth == JSON_MAX_DEPTH) {
		fail(w, REFUND_EINVAL);
		return;
	}
	if (!begin_value(w))
		return;
	put_char(w, bracket);
	w->depth++;
	w->first[w->depth] = 1;
	w->object[w->depth] = (unsigned char)object;
}

static void close_level(json_writer *w, char bracket, int object)
{
	if (w->error)
		return;
	if (w->depth == 0 || w->object[w->depth] != object || w->after_key) {
		fail(w, REFUND_EINVAL);
		return;
	}
	put_char(w, bracket);
	w->depth--;
}

void json_writer_init(json_writer *w, const refund_allocator *alloc)
{
	memset(w, 0, sizeof(*w));
	w->alloc = alloc;
	w->first[0] = 1;
	if (!alloc)
		w->error = REFUND_EINVAL;
}

void json_writer_init_buffer(json_writer *w, const refund_allocator *alloc, char *buf,
		size_t cap)
{
	json_writer_init(w, alloc);
	if (buf && cap > 0) {
		w->buf = buf;
		w->cap = cap;
		w->borrowed = 1;
	}
}

void json_object_begin(json_writer *w)
{
	open_level(w, '{', 1);
}

void json_object_end(json_writer *w)
{
	close_level(w, '}', 1);
}

void json_array_begin(json_writer *w)
{
	open_level(w, '[', 0);
}

void json_array_end(json_writer *w)
{
	close_level(w, ']', 0);
}

/* A key may come next at this point: the comma before it, or 0 for none;
 * -1 if not (the writer failed). */
static int key_comma(json_writer *w, const char *key)
{
	if (!key || w->depth == 0 || !w->object[w->depth] || w->after_key) {
		fail(w, REFUND_EINVAL);
		return -1;
	}
	return w->first[w->depth] ? 0 : ',';
}

/* A member written whole by a shorthand, ending at `end`. */
static void end_member(json_writer *w, const char *end)
{
	w->len = (size_t)(end - w->buf);
	w->first[w->depth] = 0;
}

/* The key of the next member, with its comma: 1 if its value may follow. */
static int put_key(json_writer *w, const char *key)
{
	int comma;

	if (w->error || (comma = key_comma(w, key)) < 0)
		return 0;
	put_string_between(w, (char)comma, key, ':');
	w->first[w->depth] = 0;
	return !w->error;
}

void json_key(json_writer *w, const char *key)
{
	if (put_key(w, key))
		w->after_key = 1;
}

void json_string(json_writer *w, const char *s)
{
	if (!s)
		json_null(w);
	else if (begin_value(w))
		put_string(w, s);
}

void json_int(json_writer *w, int64_t v)
{
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (begin_value(w))
		put_integer(w, v < 0, magnitude);
}

void json_uint(json_writer *w, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		fail(w, REFUND_EINVAL);
	else if (begin_value(w))
		put_integer(w, 0, v);
}

void json_bool(json_writer *w, int v)
{
	if (begin_value(w))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

void json_null(json_writer *w)
{
	if (begin_value(w))
		put(w, "null", 4);
}

/*
 * The shorthands write the value straight after the key.  Plain keys and
 * values that fit go out in one piece; anything else takes put_key and the
 * general way, from the same state (nothing written counts until then).
 */
void json_kv_string(json_writer *w, const char *key, const char *s)
{
	size_t len = s ? strlen(s) : 0;
	char *end;
	int comma;

	if (w->error || (comma = key_comma(w, key)) < 0)
		return;
	/* Room for a string's quotes, or for null. */
	end = put_plain_between(w, (char)comma, key, strlen(key), ':', len + 4);
	if (end && !s) {
		static const char null_text[4] = { 'n', 'u', 'l', 'l' };  /* no NUL: mid-buffer */

		memcpy(end, null_text, sizeof(null_text));
		end_member(w, end + sizeof(null_text));
		return;
	}
	if (end && copy_plain(end + 1, (const unsigned char *)s, len)) {
		end[0] = '"';
		end[len + 1] = '"';
		end_member(w, end + len + 2);
		return;
	}
	if (!put_key(w, key))
		return;
	if (s)
		put_string(w, s);
	else
		put(w, "null", 4);
}

void json_kv_int(json_writer *w, const char *key, int64_t v)
{
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t digits = decimal_digits(magnitude);
	char *end;
	int comma;

	if (w->error || (comma = key_comma(w, key)) < 0)
		return;
	end = put_plain_between(w, (char)comma, key, strlen(key), ':', digits + (v < 0));
	if (end)
		end_member(w, put_integer_at(end, v < 0, magnitude, digits));
	else if (put_key(w, key))
		put_integer(w, v < 0, magnitude);
}

void json_raw(json_writer *w, const char *json, size_t len)
{
	if (!json)
		json_null(w);
	else if (begin_value(w))
		put(w, json, len);
}

const char *json_writer_bytes(json_writer *w, size_t *len)
{
	if (w->error || !reserve(w, 0))
		return NULL;
	w->buf[w->len] = '\0';
	if (len)
		*len = w->len;
	return w->buf;
}

/* The sticky error, or what makes the document incomplete. */
static int writer_status(const json_writer *w, const void *out)
{
	if (w->error)
		return w->error;
	return w->depth != 0 || w->first[0] || !out ? REFUND_EINVAL : 0;
}

int json_writer_end(json_writer *w, const char **out, size_t *len)
{
	int rc = writer_status(w, out);

	if (rc != 0) {
		json_writer_dispose(w);
		w->error = rc;
		return rc;
	}
	/* reserve() always kept room for this NUL. */
	w->buf[w->len] = '\0';
	*out = w->buf;
	if (len)
		*len = w->len;
	return 0;
}

int json_writer_finish(json_writer *w, char **out, size_t *len)
{
	int rc = writer_status(w, out);

	/* Bytes in the caller's buffer move to an allocation of their own. */
	if (rc == 0 && w->borrowed && !grow_buffer(w, w->len + 1))
		rc = w->error;
	if (rc != 0) {
		json_writer_dispose(w);
		w->error = rc;
		return rc;
	}
	/* reserve() always kept room for this NUL. */
	w->buf[w->len] = '\0';
	*out = w->buf;
	if (len)
		*len = w->len;
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	return 0;
}

void json_writer_dispose(json_writer *w)
{
	if (!w->borrowed)
		refund__free(w->alloc, w->buf);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
	w->borrowed = 0;
}

/* ---- parser ---- */

typedef struct parser {
	const refund_allocator *alloc;
	const unsigned char *p;   /* next byte; never dereferenced at end */
	const unsigned char *end;
	/* Every string and key, decoded, in the root's allocation (after the
	 * root value): a string's bytes and NUL take no more room than its
	 * quoted text, so what follows the first quote bounds them all. */
	char *strings;
	char *strings_end;
} parser;

static int parse_value(parser *ps, json_value *v, int depth);

static void free_contents(const refund_allocator *alloc, json_value *v);

static void free_items(const refund_allocator *alloc, json_value *items, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free_contents(alloc, &items[i]);
	refund__free(alloc, items);
}

static void free_members(const refund_allocator *alloc, json_member *members, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free_contents(alloc, &members[i].value);
	refund__free(alloc, members);
}

static void free_contents(const refund_allocator *alloc, json_value *v)
{
	/* Strings live in the root's allocation. */
	switch (v->type) {
	case JSON_ARRAY:
		free_items(alloc, v->u.array.items, v->u.array.count);
		break;
	case JSON_OBJECT:
		free_members(alloc, v->u.object.members, v->u.object.count);
		break;
	default:
		break;
	}
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static void skip_space(parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				*ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Consumes the next byte if it is c. */
static int accept(parser *ps, unsigned char c)
{
	skip_space(ps);
	if (ps->p == ps->end || *ps->p != c)
		return 0;
	ps->p++;
	return 1;
}

static int parse_literal(parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return REFUND_ECORRUPT;
	ps->p += n;
	return 0;
}

static int parse_integer(parser *ps, int64_t *out)
{
	uint64_t magnitude = 0, limit = (uint64_t)INT64_MAX;
	int negative = 0;

	if (*ps->p == '-') {
		negative = 1;
		limit++;
		ps->p++;
	}
	if (ps->p == ps->end || !is_digit(*ps->p))
		return REFUND_ECORRUPT;
	if (*ps->p == '0') {
		ps->p++;
	} else {
		while (ps->p < ps->end && is_digit(*ps->p)) {
			unsigned digit = (unsigned)(*ps->p - '0');

			if (magnitude > (limit - digit) / 10)
				return REFUND_ECORRUPT;
			magnitude = magnitude * 10 + digit;
			ps->p++;
		}
	}
	/* A digit here is a leading zero; '.', 'e' and 'E' a fraction or exponent. */
	if (ps->p < ps->end && (is_digit(*ps->p) || *ps->p == '.' ||
				*ps->p == 'e' || *ps->p == 'E'))
		return REFUND_ECORRUPT;
	/* magnitude - 1 fits int64 even for INT64_MIN's magnitude. */
	*out = negative && magnitude ? -(int64_t)(magnitude - 1) - 1 : (int64_t)magnitude;
	return 0;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (end - p < 4)
		return REFUND_ECORRUPT;
	for (i = 0; i < 4; i++) {
		unsigned char c = p[i];

		if (is_digit(c))
			v = v << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (unsigned)(c - 'A' + 10);
		else
			return REFUND_ECORRUPT;
	}
	*out = v;
	return 0;
}

static size_t encode_utf8(unsigned cp, char *d)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* \uXXXX after the backslash at *pp, with a second one for a surrogate pair. */
static int decode_unicode(const unsigned char **pp, const unsigned char *end, char **dd)
{
	const unsigned char *p = *pp;
	unsigned cp, low;

	if (hex4(p + 2, end, &cp) != 0)
		return REFUND_ECORRUPT;
	p += 6;
	if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
		return REFUND_ECORRUPT;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				hex4(p + 2, end, &low) != 0 || low < 0xDC00 || low > 0xDFFF)
			return REFUND_ECORRUPT;
		p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
	}
	*dd += encode_utf8(cp, *dd);
	*pp = p;
	return 0;
}

/* The escape at *pp (a backslash before end), decoded into *dd. */
static int decode_escape(const unsigned char **pp, const unsigned char *end, char **dd)
{
	const unsigned char *p = *pp;
	char c;

	if (end - p < 2)
		return REFUND_ECORRUPT;
	switch (p[1]) {
	case '"': c = '"'; break;
	case '\\': c = '\\'; break;
	case '/': c = '/'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;
	case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'u': return decode_unicode(pp, end, dd);
	default: return REFUND_ECORRUPT;
	}
	*(*dd)++ = c;
	*pp = p + 2;
	return 0;
}

/*
 * The string at ps->p (an opening quote), decoded into the strings area up
 * to its closing quote, in one pass; plain ASCII is copied as it is.
 */
static int parse_string(parser *ps, char **out, size_t *len)
{
	const unsigned char *p = ps->p + 1, *end = ps->end;
	char *buf = ps->strings, *d = buf;
	size_t n;
	int rc;

	/* What the bound promises (see parser), checked: the decoded string
	 * and its NUL are no longer than the text from the opening quote on. */
	if ((size_t)(ps->strings_end - buf) < (size_t)(end - ps->p))
		return REFUND_ECORRUPT;
	for (;;) {
		if (p == end)
			return REFUND_ECORRUPT;
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			*d++ = (char)*p++;
			continue;
		}
		if (*p == '"')
			break;
		if (*p == '\\') {
			if ((rc = decode_escape(&p, end, &d)) != 0)
				return rc;
			continue;
		}
		if (*p < 0x20 || (n = refund__utf8_sequence(p, (size_t)(end - p))) == 0)
			return REFUND_ECORRUPT;
		memcpy(d, p, n);
		d += n;
		p += n;
	}
	*d = '\0';
	ps->strings = d + 1;
	ps->p = p + 1;
	*out = buf;
	*len = (size_t)(d - buf);
	return 0;
}

/* Keys differ in their first byte most of the time: a cheap test first. */
static int same_key(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Pairwise for small objects; sorted copies for big ones, so hostile
 * input cannot make this quadratic. */
static int keys_unique(const refund_allocator *alloc, const json_member *members,
		size_t count)
{
	const char **keys;
	size_t i, j;
	int rc = 0;

	if (count <= JSON_SMALL_OBJECT) {
		for (i = 1; i < count; i++)
			for (j = 0; j < i; j++)
				if (same_key(members[i].key, members[j].key))
					return REFUND_ECORRUPT;
		return 0;
	}
	keys = refund__calloc(alloc, count, sizeof(*keys));
	if (!keys)
		return REFUND_ENOMEM;
	for (i = 0; i < count; i++)
		keys[i] = members[i].key;
	qsort(keys, count, sizeof(*keys), compare_keys);
	for (i = 1; i < count && rc == 0; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			rc = REFUND_ECORRUPT;
	refund__free(alloc, keys);
	return rc;
}

/* Room for one more element; capacities double. */
static int grow(const refund_allocator *alloc, void **items, size_t count,
		size_t *cap, size_t size)
{
	void *grown;

	if (count < *cap)
		return 0;
	grown = refund__realloc_array(alloc, *items, *cap ? *cap * 2 : 4, size);
	if (!grown)
		return REFUND_ENOMEM;
	*items = grown;
	*cap = *cap ? *cap * 2 : 4;
	return 0;
}

static int parse_array(parser *ps, json_value *v, int depth)
{
	void *items = NULL;
	size_t count = 0, cap = 0;
	int rc;

	ps->p++;
	if (!accept(ps, ']')) {
		do {
			if ((rc = grow(ps->alloc, &items, count, &cap, sizeof(json_value))) != 0 ||
					(rc = parse_value(ps, (json_value *)items + count, depth + 1)) != 0)
				goto fail;
			count++;
		} while (accept(ps, ','));
		if (!accept(ps, ']')) {
			rc = REFUND_ECORRUPT;
			goto fail;
		}
	}
	v->type = JSON_ARRAY;
	v->u.array.items = items;
	v->u.array.count = count;
	return 0;
fail:
	free_items(ps->alloc, items, count);
	return rc;
}

static int parse_member(parser *ps, json_member *m, int depth)
{
	size_t len;
	int rc;

	skip_space(ps);
	if (ps->p == ps->end || *ps->p != '"')
		return REFUND_ECORRUPT;
	if ((rc = parse_string(ps, &m->key, &len)) != 0)
		return rc;
	if (!accept(ps, ':'))
		return REFUND_ECORRUPT;
	return parse_value(ps, &m->value, depth);
}

static int parse_object(parser *ps, json_value *v, int depth)
{
	void *members = NULL;
	size_t count = 0, cap = 0;
	int rc;

	ps->p++;
	if (!accept(ps, '}')) {
		do {
			if ((rc = grow(ps->alloc, &members, count, &cap, sizeof(json_member))) != 0 ||
					(rc = parse_member(ps, (json_member *)members + count, depth + 1)) != 0)
				goto fail;
			count++;
		} while (accept(ps, ','));
		if (!accept(ps, '}')) {
			rc = REFUND_ECORRUPT;
			goto fail;
		}
		if ((rc = keys_unique(ps->alloc, members, count)) != 0)
			goto fail;
	}
	v->type = JSON_OBJECT;
	v->u.object.members = members;
	v->u.object.count = count;
	return 0;
fail:
	free_members(ps->alloc, members, count);
	return rc;
}

/* Fills *v on success; on failure *v holds nothing to free. */
static int parse_value(parser *ps, json_value *v, int depth)
{
	skip_space(ps);
	if (ps->p == ps->end)
		return REFUND_ECORRUPT;
	memset(v, 0, sizeof(*v));
	switch (*ps->p) {
	case '{':
		return depth < JSON_MAX_DEPTH ? parse_object(ps, v, depth) : REFUND_ECORRUPT;
	case '[':
		return depth < JSON_MAX_DEPTH ? parse_array(ps, v, depth) : REFUND_ECORRUPT;
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->u.string.ptr, &v->u.string.len);
	case 't':
		v->type = JSON_BOOL;
		v->u.boolean = 1;
		return parse_literal(ps, "true");
	case 'f':
		v->type = JSON_BOOL;
		return parse_literal(ps, "false");
	case 'n':
		return parse_literal(ps, "null");
	default:
		v->type = JSON_INT;
		return parse_integer(ps, &v->u.integer);
	}
}

int json_parse(const refund_allocator *alloc, const char *data, size_t size,
		json_value **out)
{
	const char *quote;
	size_t strings;
	json_value *root;
	parser ps;
	int rc;

	if (!alloc || !out || (!data && size > 0))
		return REFUND_EINVAL;
	if (size == 0 || size > JSON_MAX_SIZE)
		return REFUND_ECORRUPT;
	/* The root value, then room for the strings (see parser). */
	quote = memchr(data, '"', size);
	strings = quote ? size - (size_t)(quote - data) : 0;
	root = refund__alloc(alloc, sizeof(*root) + strings);
	if (!root)
		return REFUND_ENOMEM;
	ps.alloc = alloc;
	ps.p = (const unsigned char *)data;
	ps.end = ps.p + size;
	ps.strings = (char *)(root + 1);
	ps.strings_end = ps.strings + strings;
	if ((rc = parse_value(&ps, root, 0)) != 0) {
		refund__free(alloc, root);
		return rc;
	}
	skip_space(&ps);
	if (ps.p != ps.end) {
		json_free(alloc, root);
		return REFUND_ECORRUPT;
	}
	*out = root;
	return 0;
}

void json_free(const refund_allocator *alloc, json_value *value)
{
	if (!value)
		return;
	free_contents(alloc, value);
	refund__free(alloc, value);
}

const json_value *json_get(const json_value *object, const char *key)
{
	size_t i;

	if (!object || !key || object->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < object->u.object.count; i++)
		if (same_key(object->u.object.members[i].key, key))
			return &object->u.object.members[i].value;
	return NULL;
}

/* The field if present with the type; NULL in *found if absent (or null)
 * and optional. */
static int field(const json_value *object, const char *key, int required,
		json_type type, const json_value **found)
{
	const json_value *v;

	*found = NULL;
	if (object && object->type != JSON_OBJECT)
		return REFUND_ECORRUPT;
	v = json_get(object, key);
	if (!v || v->type == JSON_NULL)
		return required ? REFUND_ECORRUPT : 0;
	if (v->type != type)
		return REFUND_ECORRUPT;
	*found = v;
	return 0;
}

int json_field_string(const json_value *object, const char *key, int required,
		const char **out)
{
	const json_value *v;
	int rc;

	if (!key || !out)
		return REFUND_EINVAL;
	if ((rc = field(object, key, required, JSON_STRING, &v)) == 0 && v)
		*out = v->u.string.ptr;
	return rc;
}

int json_field_int(const json_value *object, const char *key, int required,
		int64_t *out)
{
	const json_value *v;
	int rc;

	if (!key || !out)
		return REFUND_EINVAL;
	if ((rc = field(object, key, required, JSON_INT, &v)) == 0 && v)
		*out = v->u.integer;
	return rc;
}

int json_field_int_range(const json_value *object, const char *key, int64_t min,
		int64_t max, int64_t *out)
{
	int64_t v = 0;
	int rc = json_field_int(object, key, 1, &v);

	if (rc == 0 && (v < min || v > max))
		rc = REFUND_ECORRUPT;
	if (rc == 0)
		*out = v;
	return rc;
}

int json_field_array(const json_value *object, const char *key, int required,
		const json_value **out)
{
	const json_value *v;
	int rc;

	if (!key || !out)
		return REFUND_EINVAL;
	if ((rc = field(object, key, required, JSON_ARRAY, &v)) == 0 && v)
		*out = v;
	return rc;
}

int json_field_object(const json_value *object, const char *key, int required,
		const json_value **out)
{
	const json_value *v;
	int rc;

	if (!key || !out)
		return REFUND_EINVAL;
	if ((rc = field(object, key, required, JSON_OBJECT, &v)) == 0 && v)
		*out = v;
	return rc;
}
