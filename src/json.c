#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"

/* Objects up to this size are checked for duplicate keys pairwise. */
#define JSON_SMALL_OBJECT 32

/* ---- writer ---- */

static void fail(json_writer *w, int code)
{
	if (w->error == 0)
		w->error = code;
}

/* Room for n more bytes and the final NUL; doubling keeps reallocations few. */
static int reserve(json_writer *w, size_t n)
{
	size_t need, cap;
	char *buf;

	if (w->error)
		return 0;
	if (n > SIZE_MAX - 1 - w->len) {
		fail(w, REFUND_ENOMEM);
		return 0;
	}
	need = w->len + n + 1;
	if (need <= w->cap)
		return 1;
	cap = w->cap ? w->cap : 1024;  /* most records fit: one allocation */
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	buf = refund__realloc_array(w->alloc, w->buf, cap, 1);
	if (!buf) {
		fail(w, REFUND_ENOMEM);
		return 0;
	}
	w->buf = buf;
	w->cap = cap;
	return 1;
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

static void put_string(json_writer *w, const char *s)
{
	size_t n = strlen(s), start = 0, i;

	/* Invalid UTF-8 would make a document our own parser refuses. */
	if (!refund__utf8_valid(s, n)) {
		fail(w, REFUND_EINVAL);
		return;
	}
	put_char(w, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + start, i - start);
		put(w, esc, escape(c, esc));
		start = i + 1;
	}
	put(w, s + start, n - start);
	put_char(w, '"');
}

static void put_integer(json_writer *w, int negative, uint64_t magnitude)
{
	char digits[21];
	size_t i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (negative)
		digits[--i] = '-';
	put(w, digits + i, sizeof(digits) - i);
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

void json_key(json_writer *w, const char *key)
{
	if (w->error)
		return;
	if (!key || w->depth == 0 || !w->object[w->depth] || w->after_key) {
		fail(w, REFUND_EINVAL);
		return;
	}
	if (!w->first[w->depth])
		put_char(w, ',');
	w->first[w->depth] = 0;
	put_string(w, key);
	put_char(w, ':');
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

void json_kv_string(json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_int(json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

int json_writer_finish(json_writer *w, char **out, size_t *len)
{
	int rc = w->error;

	if (rc == 0 && (w->depth != 0 || w->first[0] || !out))
		rc = REFUND_EINVAL;
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
	refund__free(w->alloc, w->buf);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
}

/* ---- parser ---- */

typedef struct parser {
	const refund_allocator *alloc;
	const unsigned char *p;   /* next byte; never dereferenced at end */
	const unsigned char *end;
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

	for (i = 0; i < count; i++) {
		refund__free(alloc, members[i].key);
		free_contents(alloc, &members[i].value);
	}
	refund__free(alloc, members);
}

static void free_contents(const refund_allocator *alloc, json_value *v)
{
	switch (v->type) {
	case JSON_STRING:
		refund__free(alloc, v->u.string.ptr);
		break;
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

/* Bytes up to the closing quote; the decoded string is never longer. */
static int string_extent(const unsigned char *p, const unsigned char *end, size_t *raw)
{
	const unsigned char *q;

	for (q = p; q < end; q++) {
		if (*q == '"') {
			*raw = (size_t)(q - p);
			return 0;
		}
		if (*q == '\\' && ++q == end)
			break;
	}
	return REFUND_ECORRUPT;
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

/* Decodes the string body p..end (without quotes) into buf. */
static int decode_string(const unsigned char *p, const unsigned char *end,
		char *buf, size_t *len)
{
	char *d = buf;
	int rc;

	while (p < end) {
		size_t n;

		if (*p == '\\') {
			if ((rc = decode_escape(&p, end, &d)) != 0)
				return rc;
			continue;
		}
		if (*p < 0x20)
			return REFUND_ECORRUPT;
		n = refund__utf8_sequence(p, (size_t)(end - p));
		if (n == 0)
			return REFUND_ECORRUPT;
		memcpy(d, p, n);
		d += n;
		p += n;
	}
	*d = '\0';
	*len = (size_t)(d - buf);
	return 0;
}

/* The string at ps->p (an opening quote), in one allocation. */
static int parse_string(parser *ps, char **out, size_t *len)
{
	const unsigned char *body = ps->p + 1;
	size_t raw;
	char *buf;
	int rc;

	if ((rc = string_extent(body, ps->end, &raw)) != 0)
		return rc;
	buf = refund__alloc(ps->alloc, raw + 1);
	if (!buf)
		return REFUND_ENOMEM;
	if ((rc = decode_string(body, body + raw, buf, len)) != 0) {
		refund__free(ps->alloc, buf);
		return rc;
	}
	ps->p = body + raw + 1;
	*out = buf;
	return 0;
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
				if (strcmp(members[i].key, members[j].key) == 0)
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
		rc = REFUND_ECORRUPT;
	else
		rc = parse_value(ps, &m->value, depth);
	if (rc != 0)
		refund__free(ps->alloc, m->key);
	return rc;
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
	json_value value, *root;
	parser ps;
	int rc;

	if (!alloc || !out || (!data && size > 0))
		return REFUND_EINVAL;
	if (size == 0 || size > JSON_MAX_SIZE)
		return REFUND_ECORRUPT;
	ps.alloc = alloc;
	ps.p = (const unsigned char *)data;
	ps.end = ps.p + size;
	if ((rc = parse_value(&ps, &value, 0)) != 0)
		return rc;
	skip_space(&ps);
	if (ps.p != ps.end) {
		free_contents(alloc, &value);
		return REFUND_ECORRUPT;
	}
	root = refund__alloc(alloc, sizeof(*root));
	if (!root) {
		free_contents(alloc, &value);
		return REFUND_ENOMEM;
	}
	*root = value;
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
		if (strcmp(object->u.object.members[i].key, key) == 0)
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
