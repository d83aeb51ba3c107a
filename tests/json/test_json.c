#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "failalloc.h"
#include "json.h"

/* A literal with its exact length, NUL bytes included. */
#define BYTES(s) { s, sizeof(s) - 1 }

typedef struct bytes {
	const char *data;
	size_t size;
} bytes;

/* ---- helpers ---- */

static int equal(const json_value *a, const json_value *b)
{
	size_t i;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case JSON_NULL:
		return 1;
	case JSON_BOOL:
		return a->u.boolean == b->u.boolean;
	case JSON_INT:
		return a->u.integer == b->u.integer;
	case JSON_STRING:
		return a->u.string.len == b->u.string.len &&
				memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len) == 0;
	case JSON_ARRAY:
		if (a->u.array.count != b->u.array.count)
			return 0;
		for (i = 0; i < a->u.array.count; i++)
			if (!equal(&a->u.array.items[i], &b->u.array.items[i]))
				return 0;
		return 1;
	case JSON_OBJECT:
		if (a->u.object.count != b->u.object.count)
			return 0;
		for (i = 0; i < a->u.object.count; i++)
			if (strcmp(a->u.object.members[i].key, b->u.object.members[i].key) != 0 ||
					!equal(&a->u.object.members[i].value,
						&b->u.object.members[i].value))
				return 0;
		return 1;
	}
	return 0;
}

static void write_value(json_writer *w, const json_value *v)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		json_null(w);
		break;
	case JSON_BOOL:
		json_bool(w, v->u.boolean);
		break;
	case JSON_INT:
		json_int(w, v->u.integer);
		break;
	case JSON_STRING:
		json_string(w, v->u.string.ptr);
		break;
	case JSON_ARRAY:
		json_array_begin(w);
		for (i = 0; i < v->u.array.count; i++)
			write_value(w, &v->u.array.items[i]);
		json_array_end(w);
		break;
	case JSON_OBJECT:
		json_object_begin(w);
		for (i = 0; i < v->u.object.count; i++) {
			json_key(w, v->u.object.members[i].key);
			write_value(w, &v->u.object.members[i].value);
		}
		json_object_end(w);
		break;
	}
}

/* Finishes w, checks the bytes and frees them. */
static void assert_written(failalloc *fa, json_writer *w, const char *expected)
{
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(json_writer_finish(w, &out, &len), 0);
	assert_non_null(out);
	assert_string_equal(out, expected);
	assert_int_equal(len, strlen(expected));
	refund__free(&fa->allocator, out);
	json_writer_dispose(w);
	assert_int_equal(fa->live, 0);
}

static int parse_bytes(failalloc *fa, const char *data, size_t size, json_value **out)
{
	return json_parse(&fa->allocator, data, size, out);
}

static json_value *parse_ok(failalloc *fa, const char *text)
{
	json_value *v = NULL;

	assert_int_equal(parse_bytes(fa, text, strlen(text), &v), 0);
	assert_non_null(v);
	return v;
}

/* A document touching every kind of value, with more than one level. */
static const char nested_doc[] =
	"{\"id\":\"D-2024-0001\",\"amount\":-9223372036854775808,\"max\":9223372036854775807,"
	"\"ok\":true,\"no\":false,\"none\":null,\"esc\":\"q\\\"b\\\\n\\n\\u0001\","
	"\"utf8\":\"\xE4\xB8\xAD\xF0\x9F\x98\x80\",\"list\":[1,[2,[3,{}]],[],\"x\"],"
	"\"obj\":{\"a\":{\"b\":{\"c\":[null]}},\"k\":0}}";

/* ---- writer ---- */

static void test_writer_nested(void **state)
{
	failalloc fa;
	json_writer w;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_object_begin(&w);
	json_kv_string(&w, "id", "D-1");
	json_kv_int(&w, "amount", -1250);
	json_key(&w, "tags");
	json_array_begin(&w);
	json_string(&w, "a");
	json_string(&w, "b");
	json_array_begin(&w);
	json_array_end(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_end(&w);
	json_key(&w, "meta");
	json_object_begin(&w);
	json_key(&w, "ok");
	json_bool(&w, 1);
	json_key(&w, "bad");
	json_bool(&w, 0);
	json_kv_string(&w, "none", NULL);
	json_key(&w, "n");
	json_uint(&w, 42);
	json_key(&w, "z");
	json_null(&w);
	json_object_end(&w);
	json_key(&w, "empty");
	json_object_begin(&w);
	json_object_end(&w);
	json_object_end(&w);
	assert_written(&fa, &w,
			"{\"id\":\"D-1\",\"amount\":-1250,\"tags\":[\"a\",\"b\",[],{}],"
			"\"meta\":{\"ok\":true,\"bad\":false,\"none\":null,\"n\":42,\"z\":null},"
			"\"empty\":{}}");
}

static void test_writer_escapes(void **state)
{
	failalloc fa;
	json_writer w;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_object_begin(&w);
	json_kv_string(&w, "k\"\n", "\"\\\b\f\n\r\t\x01\x1f\x7f/ \xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
	json_kv_string(&w, "", "");
	json_object_end(&w);
	assert_written(&fa, &w,
			"{\"k\\\"\\n\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/ "
			"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\",\"\":\"\"}");
}

static void test_writer_integers(void **state)
{
	failalloc fa;
	json_writer w;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_array_begin(&w);
	json_int(&w, INT64_MIN);
	json_int(&w, INT64_MAX);
	json_int(&w, 0);
	json_int(&w, -1);
	json_int(&w, 10);
	json_uint(&w, 0);
	json_uint(&w, (uint64_t)INT64_MAX);
	json_array_end(&w);
	assert_written(&fa, &w,
			"[-9223372036854775808,9223372036854775807,0,-1,10,0,9223372036854775807]");
}

static void test_writer_top_level_scalars(void **state)
{
	failalloc fa;
	json_writer w;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_int(&w, -7);
	assert_written(&fa, &w, "-7");
	json_writer_init(&w, &fa.allocator);
	json_string(&w, "x");
	assert_written(&fa, &w, "\"x\"");
	json_writer_init(&w, &fa.allocator);
	json_string(&w, NULL);
	assert_written(&fa, &w, "null");
	json_writer_init(&w, &fa.allocator);
	json_bool(&w, 5);
	assert_written(&fa, &w, "true");
}

static void test_writer_max_depth(void **state)
{
	char expected[2 * JSON_MAX_DEPTH + 1];
	failalloc fa;
	json_writer w;
	int i;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&w);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&w);
	memset(expected, '[', JSON_MAX_DEPTH);
	memset(expected + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	expected[2 * JSON_MAX_DEPTH] = '\0';
	assert_written(&fa, &w, expected);
}

/*
 * A tiny script for the writer: { } [ ] open and close, k a key, K a NULL
 * key, s a string, i an int, n null, u a uint above INT64_MAX, x a string
 * and X a key that are not UTF-8, d opens and D closes JSON_MAX_DEPTH + 1
 * arrays.
 */
static void run_script(json_writer *w, const char *script, const char *bad)
{
	const char *c;
	int i;

	for (c = script; *c; c++) {
		switch (*c) {
		case '{': json_object_begin(w); break;
		case '}': json_object_end(w); break;
		case '[': json_array_begin(w); break;
		case ']': json_array_end(w); break;
		case 'k': json_key(w, "k"); break;
		case 'K': json_key(w, NULL); break;
		case 's': json_string(w, "s"); break;
		case 'i': json_int(w, 1); break;
		case 'n': json_null(w); break;
		case 'u': json_uint(w, (uint64_t)INT64_MAX + 1); break;
		case 'x': json_string(w, bad); break;
		case 'X': json_key(w, bad); break;
		case 'd':
			for (i = 0; i <= JSON_MAX_DEPTH; i++)
				json_array_begin(w);
			break;
		case 'D':
			for (i = 0; i <= JSON_MAX_DEPTH; i++)
				json_array_end(w);
			break;
		default: fail_msg("bad script byte %c", *c);
		}
	}
}

static void test_writer_misuse(void **state)
{
	static const char *const scripts[] = {
		"",        /* nothing written */
		"{",       /* unclosed object */
		"[",       /* unclosed array */
		"[[]",     /* unclosed outer */
		"}",       /* close with nothing open */
		"]",
		"[]]",     /* one close too many */
		"[}",      /* object end closes an array */
		"{]",      /* array end closes an object */
		"[k]",     /* key in an array */
		"k",       /* key at top level */
		"{s}",     /* value without key */
		"{k}",     /* key without value */
		"{kk",     /* two keys in a row */
		"{ki",     /* still unclosed */
		"{K}",     /* NULL key */
		"ii",      /* two top-level values */
		"[]s",
		"{}{}",
		"[u]",     /* beyond int64 */
		"u",
		"[x]",     /* invalid UTF-8 string */
		"{Xi}",    /* invalid UTF-8 key */
		"dD",      /* too deep, though balanced */
	};
	static const char *const bad_utf8[] = {
		"\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "a\xE4\xB8", "\x80",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		for (j = 0; j < sizeof(bad_utf8) / sizeof(bad_utf8[0]); j++) {
			char *out = (char *)&out;
			size_t len = 12345;
			failalloc fa;
			json_writer w;

			failalloc_init(&fa);
			json_writer_init(&w, &fa.allocator);
			run_script(&w, scripts[i], bad_utf8[j]);
			if (json_writer_finish(&w, &out, &len) != REFUND_EINVAL)
				fail_msg("script \"%s\" with bad string %zu", scripts[i], j);
			assert_ptr_equal(out, (char *)&out);
			assert_int_equal(len, 12345);
			assert_int_equal(fa.live, 0);
			json_writer_dispose(&w);
			assert_int_equal(fa.live, 0);
		}
	}
}

static void test_writer_finish_args(void **state)
{
	failalloc fa;
	json_writer w;
	char *out = NULL;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, NULL);
	json_int(&w, 1);
	assert_int_equal(json_writer_finish(&w, &out, NULL), REFUND_EINVAL);
	assert_null(out);

	json_writer_init(&w, &fa.allocator);
	json_int(&w, 1);
	assert_int_equal(json_writer_finish(&w, NULL, NULL), REFUND_EINVAL);
	assert_int_equal(fa.live, 0);

	/* len is optional. */
	json_writer_init(&w, &fa.allocator);
	json_int(&w, 12);
	assert_int_equal(json_writer_finish(&w, &out, NULL), 0);
	assert_string_equal(out, "12");
	refund__free(&fa.allocator, out);
	json_writer_dispose(&w);
	json_writer_dispose(&w);
	assert_int_equal(fa.live, 0);
}

/* The first error wins, and nothing more is allocated after it. */
static void test_writer_sticky(void **state)
{
	failalloc fa;
	json_writer w;
	char *out = NULL;
	long count;
	int i;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_array_begin(&w);
	json_object_end(&w);
	assert_int_equal(w.error, REFUND_EINVAL);
	count = fa.count;
	for (i = 0; i < 100; i++)
		json_string(&w, "a fairly long string to force the buffer to grow");
	json_array_end(&w);
	assert_int_equal(fa.count, count);
	assert_int_equal(json_writer_finish(&w, &out, NULL), REFUND_EINVAL);
	assert_null(out);
	assert_int_equal(fa.live, 0);

	/* An allocation failure then misuse still reports the allocation failure. */
	json_writer_init(&w, &fa.allocator);
	failalloc_arm(&fa, 1, 0);
	json_array_begin(&w);
	failalloc_disarm(&fa);
	json_object_end(&w);
	assert_int_equal(json_writer_finish(&w, &out, NULL), REFUND_ENOMEM);
	assert_int_equal(fa.live, 0);
}

static void write_nested(json_writer *w)
{
	int i;

	json_object_begin(w);
	json_kv_string(w, "id", "D-2024-0001");
	json_key(w, "items");
	json_array_begin(w);
	for (i = 0; i < 20; i++) {
		json_object_begin(w);
		json_kv_int(w, "n", INT64_MIN + i);
		json_kv_string(w, "s", "\xE4\xB8\xAD\t");
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void test_writer_alloc_failure(void **state)
{
	char *expected = NULL, *out;
	size_t expected_len = 0, len;
	failalloc fa;
	json_writer w;
	long k;
	int rc;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	write_nested(&w);
	assert_int_equal(json_writer_finish(&w, &expected, &expected_len), 0);
	for (k = 1;; k++) {
		out = NULL;
		len = 0;
		json_writer_init(&w, &fa.allocator);
		failalloc_arm(&fa, k, 0);
		write_nested(&w);
		rc = json_writer_finish(&w, &out, &len);
		failalloc_disarm(&fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_null(out);
		assert_int_equal(len, 0);
		assert_int_equal(fa.live, 1); /* only the reference output */
	}
	/* The buffer starts at 1 KiB and doubles: a handful of allocations at most. */
	assert_true(k >= 2 && k < 10);
	assert_int_equal(len, expected_len);
	assert_string_equal(out, expected);
	refund__free(&fa.allocator, out);
	refund__free(&fa.allocator, expected);
	assert_int_equal(fa.live, 0);
}

/*
 * The writer copies plain strings a word at a time: a byte to escape, UTF-8
 * or invalid UTF-8 must be seen wherever it lies in the word, and the
 * copy must stop at the string's end.  Every length from 0 to 40 (five
 * words), with each special piece at each position, against a reference
 * written byte by byte here.
 */
typedef struct special_piece {
	const char *raw;
	const char *escaped;   /* NULL: not UTF-8, the writer fails */
} special_piece;

static const special_piece special_pieces[] = {
	{ "\"", "\\\"" }, { "\\", "\\\\" }, { "\x01", "\\u0001" }, { "\n", "\\n" },
	{ "\x1f", "\\u001f" }, { "\x7f", "\x7f" }, { " ", " " }, { "~", "~" },
	{ "\xC3\xA9", "\xC3\xA9" }, { "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" },
	{ "\x80", NULL }, { "\xFF", NULL }, { "\xC0\xAF", NULL }, { "\xED\xA0\x80", NULL },
};

/* len bytes of varied plain ASCII, the piece (if any) at pos; and the
 * string as JSON text, quotes included (empty if the piece is invalid). */
static void special_string(size_t len, size_t pos, const special_piece *piece,
		char *s, char *quoted)
{
	size_t i = 0, piece_len = piece ? strlen(piece->raw) : 0;
	char *q = quoted;

	*q++ = '"';
	while (i < len) {
		if (piece && i == pos) {
			memcpy(s + i, piece->raw, piece_len);
			i += piece_len;
			if (piece->escaped) {
				strcpy(q, piece->escaped);
				q += strlen(piece->escaped);
			}
			continue;
		}
		s[i] = (char)('#' + (i * 7) % 57);  /* from '#' to '[': never '"' or '\\' */
		*q++ = s[i];
		i++;
	}
	s[len] = '\0';
	*q++ = '"';
	*q = '\0';
}

/* s as a key and as a value of each kind of call, into a heap buffer or a
 * borrowed one big enough for all of it. */
static void write_string_uses(json_writer *w, const char *s)
{
	json_object_begin(w);
	json_key(w, s);
	json_string(w, s);
	json_kv_string(w, "k", s);
	json_kv_string(w, s, "v");
	json_kv_string(w, s, NULL);
	json_kv_int(w, s, -12);
	json_key(w, "a");
	json_array_begin(w);
	json_string(w, s);
	json_string(w, s);
	json_array_end(w);
	json_object_end(w);
}

static void check_string_uses(const char *s, const char *quoted, int valid)
{
	char expected[1024], stack[1024];
	failalloc fa;
	json_writer w;
	const char *out;
	size_t len;
	int borrowed;

	snprintf(expected, sizeof(expected), "{%s:%s,\"k\":%s,%s:\"v\",%s:null,%s:-12,"
			"\"a\":[%s,%s]}", quoted, quoted, quoted, quoted, quoted, quoted,
			quoted, quoted);
	for (borrowed = 0; borrowed < 2; borrowed++) {
		failalloc_init(&fa);
		if (borrowed)
			json_writer_init_buffer(&w, &fa.allocator, stack, sizeof(stack));
		else
			json_writer_init(&w, &fa.allocator);
		write_string_uses(&w, s);
		if (!valid) {
			assert_int_equal(json_writer_end(&w, &out, &len), REFUND_EINVAL);
		} else {
			assert_int_equal(json_writer_end(&w, &out, &len), 0);
			assert_string_equal(out, expected);
			assert_int_equal(len, strlen(expected));
			assert_int_equal(fa.count, borrowed ? 0 : 1);
		}
		json_writer_dispose(&w);
		assert_int_equal(fa.live, 0);
	}
}

static void test_writer_string_words(void **state)
{
	char s[64], quoted[128];
	size_t len, pos, k;

	(void)state;
	for (len = 0; len <= 40; len++) {
		special_string(len, 0, NULL, s, quoted);
		check_string_uses(s, quoted, 1);
		for (k = 0; k < sizeof(special_pieces) / sizeof(special_pieces[0]); k++) {
			const special_piece *piece = &special_pieces[k];

			for (pos = 0; pos + strlen(piece->raw) <= len; pos++) {
				special_string(len, pos, piece, s, quoted);
				check_string_uses(s, quoted, piece->escaped != NULL);
			}
		}
	}
}

/* Integers at each change in their number of digits, both signs, against
 * the C library's formatting. */
static void test_writer_integer_digits(void **state)
{
	int64_t values[80], power = 1;
	char expected[16384], *e = expected;
	failalloc fa;
	json_writer w;
	size_t n = 0, i;
	int digits;

	(void)state;
	values[n++] = 0;
	for (digits = 1; digits <= 18; digits++) {
		power *= 10;
		values[n++] = power - 1;
		values[n++] = power;
		values[n++] = power + 1;
	}
	values[n++] = INT64_MAX - 1;
	values[n++] = INT64_MAX;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_object_begin(&w);
	*e++ = '{';
	for (i = 0; i < n; i++) {
		json_kv_int(&w, "p", values[i]);
		json_kv_int(&w, "n", -values[i]);
		json_key(&w, "a");
		json_array_begin(&w);
		json_int(&w, values[i]);
		json_int(&w, -values[i]);
		json_uint(&w, (uint64_t)values[i]);
		json_array_end(&w);
		e += sprintf(e, "%s\"p\":%" PRId64 ",\"n\":%" PRId64 ",\"a\":[%" PRId64 ",%"
				PRId64 ",%" PRId64 "]", i ? "," : "", values[i], -values[i],
				values[i], -values[i], values[i]);
	}
	json_kv_int(&w, "min", INT64_MIN);
	json_key(&w, "m");
	json_int(&w, INT64_MIN);
	json_object_end(&w);
	e += sprintf(e, ",\"min\":%" PRId64 ",\"m\":%" PRId64 "}", INT64_MIN, INT64_MIN);
	assert_written(&fa, &w, expected);
}

/* A document with every kind of call, escapes and UTF-8. */
static void write_mixed(json_writer *w)
{
	json_object_begin(w);
	json_kv_string(w, "id", "CASE-000123");
	json_kv_int(w, "at", 1740967200);
	json_kv_int(w, "amount", -125000);
	json_kv_string(w, "note", NULL);
	json_kv_string(w, "esc", "a\"b\\c\nd");
	json_kv_string(w, "utf8", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80");
	json_key(w, "list");
	json_array_begin(w);
	json_int(w, 7);
	json_string(w, "a rather longer plain string of some words");
	json_bool(w, 1);
	json_null(w);
	json_raw(w, "{\"r\":[1,2]}", 11);
	json_array_end(w);
	json_key(w, "k\tey");
	json_uint(w, 42);
	json_object_end(w);
}

static const char mixed_doc[] =
	"{\"id\":\"CASE-000123\",\"at\":1740967200,\"amount\":-125000,\"note\":null,"
	"\"esc\":\"a\\\"b\\\\c\\nd\",\"utf8\":\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\","
	"\"list\":[7,\"a rather longer plain string of some words\",true,null,"
	"{\"r\":[1,2]}],\"k\\tey\":42}";

/*
 * A borrowed buffer of every size from 1 byte to more than the document:
 * the document fills it exactly at each write, and moves to one
 * allocation of the writer's only when it does not fit with its NUL.  The
 * buffer is allocated at its exact size, so a write past it is caught by
 * the sanitizers.
 */
static void test_writer_borrowed_fill(void **state)
{
	size_t doc_len = sizeof(mixed_doc) - 1, cap, len;
	const char *out;
	char *copy;
	failalloc fa;
	json_writer w;

	(void)state;
	for (cap = 1; cap <= doc_len + 3; cap++) {
		char *buf = malloc(cap);

		assert_non_null(buf);
		failalloc_init(&fa);
		json_writer_init_buffer(&w, &fa.allocator, buf, cap);
		write_mixed(&w);
		assert_int_equal(json_writer_end(&w, &out, &len), 0);
		assert_int_equal(len, doc_len);
		assert_memory_equal(out, mixed_doc, doc_len + 1);
		if (cap > doc_len) {
			assert_ptr_equal(out, buf);
			assert_int_equal(fa.count, 0);
		} else {
			assert_ptr_not_equal(out, buf);
			assert_int_equal(fa.count, 1);
		}
		json_writer_dispose(&w);
		assert_int_equal(fa.live, 0);

		/* finish always hands over an allocation of its own. */
		json_writer_init_buffer(&w, &fa.allocator, buf, cap);
		write_mixed(&w);
		assert_int_equal(json_writer_finish(&w, &copy, &len), 0);
		assert_ptr_not_equal(copy, buf);
		assert_string_equal(copy, mixed_doc);
		refund__free(&fa.allocator, copy);
		json_writer_dispose(&w);
		assert_int_equal(fa.live, 0);

		/* Outgrowing the buffer without memory fails the writer. */
		failalloc_arm(&fa, 1, 1);
		json_writer_init_buffer(&w, &fa.allocator, buf, cap);
		write_mixed(&w);
		assert_int_equal(json_writer_end(&w, &out, &len),
				cap > doc_len ? 0 : REFUND_ENOMEM);
		json_writer_dispose(&w);
		failalloc_disarm(&fa);
		assert_int_equal(fa.live, 0);
		free(buf);
	}
}

/* json_writer_bytes shows what is written so far, NUL-terminated, open
 * levels and all; json_writer_end checks the document as finish does. */
static void test_writer_bytes_and_end(void **state)
{
	char stack[8];
	failalloc fa;
	json_writer w;
	const char *bytes, *out = NULL;
	size_t len = 0;

	(void)state;
	failalloc_init(&fa);
	json_writer_init_buffer(&w, &fa.allocator, stack, sizeof(stack));
	bytes = json_writer_bytes(&w, &len);
	assert_non_null(bytes);
	assert_string_equal(bytes, "");
	assert_int_equal(len, 0);
	json_object_begin(&w);
	json_kv_int(&w, "a", 1);
	bytes = json_writer_bytes(&w, NULL);
	assert_ptr_equal(bytes, stack);
	assert_string_equal(bytes, "{\"a\":1");
	json_kv_string(&w, "b", "two");
	bytes = json_writer_bytes(&w, &len);
	assert_ptr_not_equal(bytes, stack);  /* moved out of the small buffer */
	assert_string_equal(bytes, "{\"a\":1,\"b\":\"two\"");
	assert_int_equal(len, strlen(bytes));
	/* Unbalanced: end fails and frees, as finish does. */
	assert_int_equal(json_writer_end(&w, &out, &len), REFUND_EINVAL);
	assert_null(out);
	assert_int_equal(fa.live, 0);
	json_writer_dispose(&w);

	/* After an error there are no bytes to show. */
	json_writer_init(&w, &fa.allocator);
	json_array_begin(&w);
	json_object_end(&w);
	assert_null(json_writer_bytes(&w, &len));
	assert_int_equal(json_writer_end(&w, &out, NULL), REFUND_EINVAL);
	json_writer_dispose(&w);

	/* No out pointer, no allocator. */
	json_writer_init(&w, &fa.allocator);
	json_int(&w, 1);
	assert_int_equal(json_writer_end(&w, NULL, NULL), REFUND_EINVAL);
	json_writer_init_buffer(&w, NULL, stack, sizeof(stack));
	json_int(&w, 1);
	assert_int_equal(json_writer_end(&w, &out, NULL), REFUND_EINVAL);
	json_writer_dispose(&w);
	assert_int_equal(fa.live, 0);

	/* A NULL or empty buffer is no buffer: the writer allocates. */
	json_writer_init_buffer(&w, &fa.allocator, NULL, 100);
	json_int(&w, 5);
	assert_written(&fa, &w, "5");
	json_writer_init_buffer(&w, &fa.allocator, stack, 0);
	json_int(&w, 6);
	assert_written(&fa, &w, "6");
}

/* json_raw splices encoded text in as one value. */
static void test_writer_raw(void **state)
{
	failalloc fa;
	json_writer w;

	(void)state;
	failalloc_init(&fa);
	json_writer_init(&w, &fa.allocator);
	json_object_begin(&w);
	json_key(&w, "x");
	json_raw(&w, "[1,{\"y\":2}]ignored", 11);
	json_key(&w, "n");
	json_raw(&w, NULL, 5);
	json_key(&w, "l");
	json_array_begin(&w);
	json_raw(&w, "\"s\"", 3);
	json_raw(&w, "3", 1);
	json_array_end(&w);
	json_object_end(&w);
	assert_written(&fa, &w, "{\"x\":[1,{\"y\":2}],\"n\":null,\"l\":[\"s\",3]}");

	json_writer_init(&w, &fa.allocator);
	json_raw(&w, "{}", 2);
	assert_written(&fa, &w, "{}");

	/* Out of place, it is misuse like any value. */
	json_writer_init(&w, &fa.allocator);
	json_object_begin(&w);
	json_raw(&w, "1", 1);
	json_object_end(&w);
	assert_int_equal(w.error, REFUND_EINVAL);
	json_writer_dispose(&w);
	assert_int_equal(fa.live, 0);
}

/* ---- parser ---- */

static void test_parse_roundtrip(void **state)
{
	json_value *v, *again;
	failalloc fa;
	json_writer w;
	char *out;
	size_t len;
	const json_value *list, *obj;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, nested_doc);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->u.object.count, 10);
	assert_int_equal(json_get(v, "amount")->u.integer, INT64_MIN);
	assert_int_equal(json_get(v, "max")->u.integer, INT64_MAX);
	assert_int_equal(json_get(v, "ok")->type, JSON_BOOL);
	assert_int_equal(json_get(v, "ok")->u.boolean, 1);
	assert_int_equal(json_get(v, "no")->u.boolean, 0);
	assert_int_equal(json_get(v, "none")->type, JSON_NULL);
	assert_int_equal(json_get(v, "esc")->u.string.len, 7);
	assert_memory_equal(json_get(v, "esc")->u.string.ptr, "q\"b\\n\n\x01", 8);
	assert_string_equal(json_get(v, "utf8")->u.string.ptr, "\xE4\xB8\xAD\xF0\x9F\x98\x80");
	list = json_get(v, "list");
	assert_int_equal(list->type, JSON_ARRAY);
	assert_int_equal(list->u.array.count, 4);
	assert_int_equal(list->u.array.items[1].u.array.items[1].u.array.items[1].type,
			JSON_OBJECT);
	assert_int_equal(list->u.array.items[2].u.array.count, 0);
	obj = json_get(json_get(json_get(v, "obj"), "a"), "b");
	assert_non_null(obj);
	assert_int_equal(json_get(obj, "c")->u.array.items[0].type, JSON_NULL);

	/* Writing the DOM back gives the same bytes, and parses to the same DOM. */
	json_writer_init(&w, &fa.allocator);
	write_value(&w, v);
	assert_int_equal(json_writer_finish(&w, &out, &len), 0);
	assert_int_equal(len, strlen(nested_doc));
	assert_string_equal(out, nested_doc);
	assert_int_equal(parse_bytes(&fa, out, len, &again), 0);
	assert_true(equal(v, again));
	refund__free(&fa.allocator, out);
	json_free(&fa.allocator, again);
	json_free(&fa.allocator, v);
	assert_int_equal(fa.live, 0);
}

static void assert_corrupt(failalloc *fa, const char *data, size_t size, const char *what)
{
	json_value *v = (json_value *)&v;
	int rc = parse_bytes(fa, data, size, &v);

	if (rc != REFUND_ECORRUPT)
		fail_msg("%s (%zu bytes): got %d", what, size, rc);
	assert_ptr_equal(v, (json_value *)&v);
	assert_int_equal(fa->live, 0);
}

static void test_parse_malformed(void **state)
{
	static const bytes cases[] = {
		/* empty and white space only */
		BYTES(""), BYTES(" "), BYTES(" \t\r\n"),
		/* structure */
		BYTES("{"), BYTES("}"), BYTES("["), BYTES("]"), BYTES("[1,]"), BYTES("[,1]"),
		BYTES("[1 2]"), BYTES("[1]]"), BYTES("{}}"), BYTES("{\"a\"}"), BYTES("{\"a\":}"),
		BYTES("{\"a\" 1}"), BYTES("{a:1}"), BYTES("{'a':1}"), BYTES("{\"a\":1,}"),
		BYTES("{,}"), BYTES("{\"a\":1 \"b\":2}"), BYTES("{1:2}"), BYTES("[\"a\" \"b\"]"),
		BYTES("{\"a\"::1}"), BYTES("[:]"),
		/* numbers */
		BYTES("01"), BYTES("-01"), BYTES("00"), BYTES("1.0"), BYTES("1e2"), BYTES("1E2"),
		BYTES("-"), BYTES("+1"), BYTES("--1"), BYTES("1."), BYTES(".5"), BYTES("-a"),
		BYTES("0x10"), BYTES("[-]"), BYTES("[1.5]"), BYTES("{\"a\":1e0}"),
		BYTES("9223372036854775808"), BYTES("-9223372036854775809"),
		BYTES("18446744073709551616"), BYTES("99999999999999999999999"),
		BYTES("[92233720368547758070]"), BYTES("NaN"), BYTES("Infinity"), BYTES("-Infinity"),
		/* literals */
		BYTES("tru"), BYTES("truee"), BYTES("True"), BYTES("nul"), BYTES("nulll"),
		BYTES("fals"), BYTES("FALSE"), BYTES("n"),
		/* strings and escapes */
		BYTES("\"abc"), BYTES("\""), BYTES("\"\\\""), BYTES("\"\\"), BYTES("\"\\x\""),
		BYTES("\"\\a\""), BYTES("\"\\'\""), BYTES("\"\\u12\""), BYTES("\"\\u12G4\""),
		BYTES("\"\\U0041\""), BYTES("\"\\u\""), BYTES("'a'"),
		BYTES("\"\\u0000\""), BYTES("{\"\\u0000\":1}"),
		/* lone or misordered surrogates */
		BYTES("\"\\ud800\""), BYTES("\"\\udc00\""), BYTES("\"\\udfff\""),
		BYTES("\"\\ud800\\u0041\""), BYTES("\"\\ud800x\""), BYTES("\"\\ud83d\\ud83d\""),
		BYTES("\"\\ude00\\ud83d\""), BYTES("\"\\ud800\\"), BYTES("\"\\ud800\\u\""),
		BYTES("\"\\ud800\\n\""), BYTES("\"\\udbff\\ue000\""),
		/* raw control bytes */
		BYTES("\"\x01\""), BYTES("\"\x1f\""), BYTES("\"\t\""), BYTES("\"a\nb\""),
		BYTES("{\"\r\":1}"),
		/* invalid UTF-8 */
		BYTES("\"\xC0\x80\""), BYTES("\"\xED\xA0\x80\""), BYTES("\"\xF4\x90\x80\x80\""),
		BYTES("\"\xFF\""), BYTES("\"\x80\""), BYTES("\"\xE4\xB8\""), BYTES("\"\xC3\""),
		BYTES("\"\xF0\x9F\x98\""), BYTES("\"\xC1\xBF\""), BYTES("\"\xE0\x80\xAF\""),
		BYTES("\"\xF8\x88\x80\x80\x80\""), BYTES("\"\xED\xBF\xBF\""), BYTES("{\"\xFE\":1}"),
		BYTES("\xEF\xBB\xBF{}"), BYTES("\xC2\xA0" "1"),
		/* trailing garbage */
		BYTES("1 2"), BYTES("{} {}"), BYTES("[]x"), BYTES("nullx"), BYTES("\"a\"\"b\""),
		BYTES("0 0"), BYTES("{\"a\":1}garbage"), BYTES("1,"), BYTES("/*c*/1"),
		BYTES("1 //"),
		/* white space JSON does not know */
		BYTES("[1,\v2]"), BYTES("\f1"),
		/* NUL inside */
		BYTES("\0"), BYTES("1\0"), BYTES("[1,\0 2]"), BYTES("\"a\0b\""), BYTES("{\"a\0\":1}"),
		BYTES("\0 1"),
		/* duplicate keys, also after decoding escapes */
		BYTES("{\"a\":1,\"a\":2}"), BYTES("{\"a\":1,\"\\u0061\":2}"),
		BYTES("{\"x\":{\"b\":1,\"c\":2,\"b\":1}}"), BYTES("[{\"\":1,\"\":1}]"),
	};
	failalloc fa;
	size_t i;

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 60);
	failalloc_init(&fa);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_corrupt(&fa, cases[i].data, cases[i].size, cases[i].data);
}

static void test_parse_truncations(void **state)
{
	size_t size = strlen(nested_doc), n;
	failalloc fa;
	char *copy;

	(void)state;
	failalloc_init(&fa);
	/* Each prefix in its own exact-size block, so ASan sees any over-read. */
	for (n = 0; n < size; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, nested_doc, n);
		assert_corrupt(&fa, copy, n, "truncated document");
		free(copy);
	}
}

static char *nest(const char *open, const char *inner, const char *close, int depth)
{
	size_t lo = strlen(open), li = strlen(inner), lc = strlen(close);
	char *s = malloc((size_t)depth * (lo + lc) + li + 1), *p = s;
	int i;

	assert_non_null(s);
	for (i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	for (i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_parse_depth(void **state)
{
	static const char *const shapes[][3] = {
		{ "[", "1", "]" },
		{ "{\"a\":", "1", "}" },
		{ "[{\"k\":", "1", "}]" },
	};
	failalloc fa;
	size_t i;

	(void)state;
	failalloc_init(&fa);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		/* The third shape nests two levels per step. */
		int per = i == 2 ? 2 : 1;
		char *ok = nest(shapes[i][0], shapes[i][1], shapes[i][2], JSON_MAX_DEPTH / per);
		char *deep = nest(shapes[i][0], shapes[i][1], shapes[i][2],
				JSON_MAX_DEPTH / per + 1);
		json_value *v = parse_ok(&fa, ok);

		json_free(&fa.allocator, v);
		assert_corrupt(&fa, deep, strlen(deep), "too deep");
		free(ok);
		free(deep);
	}
	/* Empty containers count too. */
	{
		char *deep = nest("[", "", "]", JSON_MAX_DEPTH + 1);

		assert_corrupt(&fa, deep, strlen(deep), "too deep, empty");
		free(deep);
	}
	{
		char *deep = nest("[", "{}", "]", JSON_MAX_DEPTH);

		assert_corrupt(&fa, deep, strlen(deep), "too deep, object inside");
		free(deep);
	}
}

static void test_parse_integers(void **state)
{
	static const struct {
		const char *text;
		int64_t value;
	} cases[] = {
		{ "0", 0 }, { "-0", 0 }, { "1", 1 }, { "-1", -1 }, { "10", 10 },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
		{ "-9223372036854775807", INT64_MIN + 1 },
		{ "922337203685477580", 922337203685477580 },
		{ " 42 ", 42 },
	};
	failalloc fa;
	size_t i;

	(void)state;
	failalloc_init(&fa);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_value *v = parse_ok(&fa, cases[i].text);

		assert_int_equal(v->type, JSON_INT);
		assert_true(v->u.integer == cases[i].value);
		json_free(&fa.allocator, v);
	}
	assert_int_equal(fa.live, 0);
}

static void test_parse_valid_edges(void **state)
{
	static const struct {
		const char *text;
		json_type type;
		const char *string;  /* decoded, for strings */
		size_t len;
	} cases[] = {
		{ " \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n\t", JSON_OBJECT, NULL, 0 },
		{ "{}", JSON_OBJECT, NULL, 0 },
		{ "[]", JSON_ARRAY, NULL, 0 },
		{ "[ ]", JSON_ARRAY, NULL, 0 },
		{ "null", JSON_NULL, NULL, 0 },
		{ "true", JSON_BOOL, NULL, 0 },
		{ "false", JSON_BOOL, NULL, 0 },
		{ "\"\"", JSON_STRING, "", 0 },
		{ "\"\\ud83d\\ude00\"", JSON_STRING, "\xF0\x9F\x98\x80", 4 },
		{ "\"\\uD83D\\uDE00\"", JSON_STRING, "\xF0\x9F\x98\x80", 4 },
		{ "\"\\udbff\\udfff\"", JSON_STRING, "\xF4\x8F\xBF\xBF", 4 },
		{ "\"\\u00e9\\u4E2D\\u0001\\u007f\\u0080\\uffff\"", JSON_STRING,
			"\xC3\xA9\xE4\xB8\xAD\x01\x7f\xC2\x80\xEF\xBF\xBF", 12 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", JSON_STRING, "\"\\/\b\f\n\r\t", 8 },
		{ "\"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\x7f\"", JSON_STRING,
			"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\x7f", 10 },
		{ "\"\xF4\x8F\xBF\xBF\xEE\x80\x80\"", JSON_STRING, "\xF4\x8F\xBF\xBF\xEE\x80\x80", 7 },
	};
	failalloc fa;
	size_t i;

	(void)state;
	failalloc_init(&fa);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_value *v = parse_ok(&fa, cases[i].text);

		assert_int_equal(v->type, cases[i].type);
		if (cases[i].type == JSON_STRING) {
			assert_int_equal(v->u.string.len, cases[i].len);
			assert_memory_equal(v->u.string.ptr, cases[i].string, cases[i].len + 1);
		}
		json_free(&fa.allocator, v);
	}
	assert_int_equal(fa.live, 0);
}

static void test_parse_whitespace_doc(void **state)
{
	const json_value *a;
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, " \t\r\n{ \"a\" : [ 1 , -2 ] , \"b\" : { } } \n\t");
	a = json_get(v, "a");
	assert_int_equal(a->u.array.count, 2);
	assert_int_equal(a->u.array.items[1].u.integer, -2);
	assert_int_equal(json_get(v, "b")->u.object.count, 0);
	json_free(&fa.allocator, v);
	json_free(&fa.allocator, NULL);
	assert_int_equal(fa.live, 0);
}

static void test_parse_args(void **state)
{
	json_value *v = (json_value *)&v;
	failalloc fa;
	char *big;

	(void)state;
	failalloc_init(&fa);
	assert_int_equal(json_parse(NULL, "1", 1, &v), REFUND_EINVAL);
	assert_int_equal(json_parse(&fa.allocator, "1", 1, NULL), REFUND_EINVAL);
	assert_int_equal(json_parse(&fa.allocator, NULL, 1, &v), REFUND_EINVAL);
	assert_int_equal(json_parse(&fa.allocator, NULL, 0, &v), REFUND_ECORRUPT);
	assert_ptr_equal(v, (json_value *)&v);

	/* Exactly JSON_MAX_SIZE is fine, one byte more is not. */
	big = malloc(JSON_MAX_SIZE + 1);
	assert_non_null(big);
	memset(big, ' ', JSON_MAX_SIZE + 1);
	big[0] = '7';
	assert_int_equal(json_parse(&fa.allocator, big, JSON_MAX_SIZE, &v), 0);
	assert_int_equal(v->u.integer, 7);
	json_free(&fa.allocator, v);
	v = (json_value *)&v;
	assert_int_equal(json_parse(&fa.allocator, big, JSON_MAX_SIZE + 1, &v), REFUND_ECORRUPT);
	assert_ptr_equal(v, (json_value *)&v);
	free(big);
	assert_int_equal(fa.live, 0);
}

/* Enough keys that duplicates are found by sorting rather than pairwise. */
static char *many_keys(int count, int duplicate_last)
{
	json_writer w;
	refund_allocator a;
	char key[16], *out = NULL;
	int i;

	assert_int_equal(refund__allocator_copy(&a, NULL), 0);
	json_writer_init(&w, &a);
	json_object_begin(&w);
	for (i = 0; i < count; i++) {
		int n = duplicate_last && i == count - 1 ? count / 2 : i;

		key[0] = (char)('a' + n % 26);
		key[1] = (char)('a' + n / 26 % 26);
		key[2] = (char)('a' + n / 676);
		key[3] = '\0';
		json_kv_int(&w, key, i);
	}
	json_object_end(&w);
	assert_int_equal(json_writer_finish(&w, &out, NULL), 0);
	return out;
}

static void test_parse_duplicates_large(void **state)
{
	failalloc fa;
	json_value *v;
	char *doc;

	(void)state;
	failalloc_init(&fa);
	doc = many_keys(1000, 0);
	v = parse_ok(&fa, doc);
	assert_int_equal(v->u.object.count, 1000);
	/* Sorting for the check must not reorder the members. */
	assert_string_equal(v->u.object.members[0].key, "aaa");
	assert_string_equal(v->u.object.members[999].key, "lmb");
	assert_int_equal(json_get(v, "lmb")->u.integer, 999);
	json_free(&fa.allocator, v);
	free(doc);

	doc = many_keys(1000, 1);
	assert_corrupt(&fa, doc, strlen(doc), "duplicate among 1000 keys");
	free(doc);
}

static void test_parse_alloc_failure(void **state)
{
	json_value *reference, *v;
	failalloc fa;
	char *doc, *big;
	size_t size, big_size;
	long k, live;
	int rc;

	(void)state;
	failalloc_init(&fa);
	/* The nested document and a big object, so key sorting allocates too. */
	big = many_keys(40, 0);
	big_size = strlen(big);
	size = strlen(nested_doc) + big_size + 16;
	doc = malloc(size);
	assert_non_null(doc);
	size = (size_t)snprintf(doc, size, "[%s,%s]", nested_doc, big);
	free(big);
	assert_int_equal(parse_bytes(&fa, doc, size, &reference), 0);
	live = fa.live;
	for (k = 1;; k++) {
		v = (json_value *)&v;
		failalloc_arm(&fa, k, 0);
		rc = parse_bytes(&fa, doc, size, &v);
		failalloc_disarm(&fa);
		if (rc == 0)
			break;
		assert_int_equal(rc, REFUND_ENOMEM);
		assert_ptr_equal(v, (json_value *)&v);
		assert_int_equal(fa.live, live);
	}
	assert_true(k > 10);
	assert_true(equal(reference, v));
	json_free(&fa.allocator, v);
	json_free(&fa.allocator, reference);
	assert_int_equal(fa.live, 0);
	free(doc);
}

/* ---- lookups and typed fields ---- */

static const char fields_doc[] =
	"{\"s\":\"text\",\"i\":-5,\"a\":[1,2],\"o\":{\"k\":1},\"n\":null,\"b\":true}";

static void test_json_get(void **state)
{
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_get(v, "s")->type, JSON_STRING);
	assert_int_equal(json_get(v, "n")->type, JSON_NULL);
	assert_null(json_get(v, "missing"));
	assert_null(json_get(v, ""));
	assert_null(json_get(v, "S"));
	assert_null(json_get(v, NULL));
	assert_null(json_get(NULL, "s"));
	/* Not an object. */
	assert_null(json_get(json_get(v, "a"), "s"));
	assert_null(json_get(json_get(v, "s"), "s"));
	assert_int_equal(json_get(json_get(v, "o"), "k")->u.integer, 1);
	json_free(&fa.allocator, v);
	assert_int_equal(fa.live, 0);
}

static void test_field_string(void **state)
{
	const char *s = "unset";
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_field_string(v, "s", 1, &s), 0);
	assert_string_equal(s, "text");
	s = "unset";
	assert_int_equal(json_field_string(v, "s", 0, &s), 0);
	assert_string_equal(s, "text");
	s = "unset";
	assert_int_equal(json_field_string(v, "missing", 1, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(v, "missing", 0, &s), 0);
	assert_int_equal(json_field_string(v, "n", 1, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(v, "n", 0, &s), 0);
	assert_int_equal(json_field_string(v, "i", 1, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(v, "i", 0, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(v, "b", 0, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(json_get(v, "a"), "s", 0, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(NULL, "s", 0, &s), 0);
	assert_int_equal(json_field_string(NULL, "s", 1, &s), REFUND_ECORRUPT);
	assert_int_equal(json_field_string(v, NULL, 0, &s), REFUND_EINVAL);
	assert_int_equal(json_field_string(v, "s", 0, NULL), REFUND_EINVAL);
	assert_string_equal(s, "unset");
	json_free(&fa.allocator, v);
}

static void test_field_int(void **state)
{
	int64_t i = 77;
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_field_int(v, "i", 1, &i), 0);
	assert_int_equal(i, -5);
	i = 77;
	assert_int_equal(json_field_int(v, "i", 0, &i), 0);
	assert_int_equal(i, -5);
	i = 77;
	assert_int_equal(json_field_int(v, "missing", 1, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(v, "missing", 0, &i), 0);
	assert_int_equal(json_field_int(v, "n", 1, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(v, "n", 0, &i), 0);
	assert_int_equal(json_field_int(v, "s", 1, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(v, "s", 0, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(v, "b", 1, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(json_get(v, "s"), "i", 0, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(NULL, "i", 0, &i), 0);
	assert_int_equal(json_field_int(NULL, "i", 1, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int(v, NULL, 1, &i), REFUND_EINVAL);
	assert_int_equal(json_field_int(v, "i", 1, NULL), REFUND_EINVAL);
	assert_int_equal(i, 77);
	json_free(&fa.allocator, v);
}

static void test_field_int_range(void **state)
{
	int64_t i = 77;
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_field_int_range(v, "i", -5, -5, &i), 0);   /* both ends */
	assert_int_equal(i, -5);
	i = 77;
	assert_int_equal(json_field_int_range(v, "i", -4, 10, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int_range(v, "i", -10, -6, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int_range(v, "missing", INT64_MIN, INT64_MAX, &i),
			REFUND_ECORRUPT);                                      /* required */
	assert_int_equal(json_field_int_range(v, "n", INT64_MIN, INT64_MAX, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int_range(v, "s", INT64_MIN, INT64_MAX, &i), REFUND_ECORRUPT);
	assert_int_equal(json_field_int_range(v, NULL, 0, 1, &i), REFUND_EINVAL);
	assert_int_equal(i, 77);  /* untouched by every refusal */
	json_free(&fa.allocator, v);
}

static void test_field_array(void **state)
{
	const json_value *sentinel = (const json_value *)&sentinel, *a = sentinel;
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_field_array(v, "a", 1, &a), 0);
	assert_ptr_equal(a, json_get(v, "a"));
	assert_int_equal(a->u.array.count, 2);
	a = sentinel;
	assert_int_equal(json_field_array(v, "missing", 1, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(v, "missing", 0, &a), 0);
	assert_int_equal(json_field_array(v, "n", 1, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(v, "n", 0, &a), 0);
	assert_int_equal(json_field_array(v, "o", 1, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(v, "o", 0, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(json_get(v, "a"), "a", 0, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(NULL, "a", 0, &a), 0);
	assert_int_equal(json_field_array(NULL, "a", 1, &a), REFUND_ECORRUPT);
	assert_int_equal(json_field_array(v, NULL, 0, &a), REFUND_EINVAL);
	assert_int_equal(json_field_array(v, "a", 0, NULL), REFUND_EINVAL);
	assert_ptr_equal(a, sentinel);
	json_free(&fa.allocator, v);
}

static void test_field_object(void **state)
{
	const json_value *sentinel = (const json_value *)&sentinel, *o = sentinel, *absent;
	int64_t k = 3;
	json_value *v;
	failalloc fa;

	(void)state;
	failalloc_init(&fa);
	v = parse_ok(&fa, fields_doc);
	assert_int_equal(json_field_object(v, "o", 1, &o), 0);
	assert_ptr_equal(o, json_get(v, "o"));
	assert_int_equal(json_field_int(o, "k", 1, &k), 0);
	assert_int_equal(k, 1);
	o = sentinel;
	assert_int_equal(json_field_object(v, "missing", 1, &o), REFUND_ECORRUPT);
	assert_int_equal(json_field_object(v, "missing", 0, &o), 0);
	assert_int_equal(json_field_object(v, "n", 1, &o), REFUND_ECORRUPT);
	assert_int_equal(json_field_object(v, "n", 0, &o), 0);
	assert_int_equal(json_field_object(v, "a", 1, &o), REFUND_ECORRUPT);
	assert_int_equal(json_field_object(v, "s", 0, &o), REFUND_ECORRUPT);
	assert_int_equal(json_field_object(json_get(v, "i"), "o", 0, &o), REFUND_ECORRUPT);
	assert_int_equal(json_field_object(v, NULL, 0, &o), REFUND_EINVAL);
	assert_int_equal(json_field_object(v, "o", 0, NULL), REFUND_EINVAL);
	assert_ptr_equal(o, sentinel);
	/* An absent optional object reads as one without fields. */
	absent = NULL;
	assert_int_equal(json_field_object(v, "missing", 0, &absent), 0);
	assert_null(absent);
	k = 3;
	assert_int_equal(json_field_int(absent, "k", 0, &k), 0);
	assert_int_equal(k, 3);
	json_free(&fa.allocator, v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_nested),
		cmocka_unit_test(test_writer_escapes),
		cmocka_unit_test(test_writer_integers),
		cmocka_unit_test(test_writer_top_level_scalars),
		cmocka_unit_test(test_writer_max_depth),
		cmocka_unit_test(test_writer_misuse),
		cmocka_unit_test(test_writer_finish_args),
		cmocka_unit_test(test_writer_sticky),
		cmocka_unit_test(test_writer_alloc_failure),
		cmocka_unit_test(test_writer_string_words),
		cmocka_unit_test(test_writer_integer_digits),
		cmocka_unit_test(test_writer_borrowed_fill),
		cmocka_unit_test(test_writer_bytes_and_end),
		cmocka_unit_test(test_writer_raw),
		cmocka_unit_test(test_parse_roundtrip),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_truncations),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_integers),
		cmocka_unit_test(test_parse_valid_edges),
		cmocka_unit_test(test_parse_whitespace_doc),
		cmocka_unit_test(test_parse_args),
		cmocka_unit_test(test_parse_duplicates_large),
		cmocka_unit_test(test_parse_alloc_failure),
		cmocka_unit_test(test_json_get),
		cmocka_unit_test(test_field_string),
		cmocka_unit_test(test_field_int),
		cmocka_unit_test(test_field_int_range),
		cmocka_unit_test(test_field_array),
		cmocka_unit_test(test_field_object),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
