/*
 * libFuzzer target for the JSON parser and writer: whatever parses must
 * write back to a document that parses to the same DOM, and writing that
 * DOM again must give the same bytes (the encoding is canonical).
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude -Isrc fuzz/fuzz_json.c \
 *       src/json.c src/utf8.c src/alloc.c -o /tmp/fuzz_json
 *   /tmp/fuzz_json -max_total_time=60 fuzz/corpus/json
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
				memcmp(a->u.string.ptr, b->u.string.ptr, a->u.string.len + 1) == 0;
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
		/* The parser refuses \u0000, so strlen sees the whole string. */
		if (strlen(v->u.string.ptr) != v->u.string.len)
			abort();
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

/* Everything the parser accepted, the writer must write. */
static char *serialise(const refund_allocator *a, const json_value *v, size_t *len)
{
	json_writer w;
	char *out = NULL;

	json_writer_init(&w, a);
	write_value(&w, v);
	if (json_writer_finish(&w, &out, len) != 0 || strlen(out) != *len)
		abort();
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_value *first = NULL, *second = NULL;
	char *text, *again;
	size_t len, len_again;
	refund_allocator a;
	int rc;

	if (refund__allocator_copy(&a, NULL) != 0)
		abort();
	rc = json_parse(&a, (const char *)data, size, &first);
	if (rc == REFUND_ECORRUPT)
		return 0;
	if (rc != 0 || !first)
		abort();
	text = serialise(&a, first, &len);
	if (json_parse(&a, text, len, &second) != 0 || !equal(first, second))
		abort();
	again = serialise(&a, second, &len_again);
	if (len_again != len || memcmp(text, again, len) != 0)
		abort();
	refund__free(&a, again);
	refund__free(&a, text);
	json_free(&a, second);
	json_free(&a, first);
	return 0;
}
