#include "field.h"

#include <string.h>

#include <refund/common.h>

#include "sha256.h"
#include "validate.h"

/* ---- writing ---- */

void refund__field_int_json(field_out *o, const char *key, int64_t v)
{
	json_kv_int(o->json, key, v);
}

void refund__field_text_json(field_out *o, const char *key, const char *s)
{
	json_kv_string(o->json, key, s);
}

void refund__field_name(field_out *o, const char *key, int value, field_names names)
{
	if (o->bin)
		refund__bin_uint(o->bin, (uint64_t)value);
	else
		json_kv_string(o->json, key, names(value));
}

void refund__field_digest(field_out *o, const char *key, const unsigned char *digest)
{
	char hex[SHA256_HEX_SIZE];

	if (o->bin) {
		refund__bin_bytes(o->bin, digest, SHA256_DIGEST_SIZE);
		return;
	}
	sha256_hex(digest, hex);
	json_kv_string(o->json, key, hex);
}

void refund__field_optional_time(field_out *o, const char *key, int64_t t)
{
	if (o->bin) {
		refund__bin_opt_int(o->bin, t);  /* REFUND_TIME_NONE is its none */
		return;
	}
	json_key(o->json, key);
	if (t == REFUND_TIME_NONE)
		json_null(o->json);
	else
		json_int(o->json, t);
}

void refund__field_object(field_out *o, const char *key)
{
	if (o->json) {
		json_key(o->json, key);
		json_object_begin(o->json);
	}
}

void refund__field_end(field_out *o)
{
	if (o->json)
		json_object_end(o->json);
}

void refund__field_list(field_out *o, const char *key, size_t n)
{
	if (o->bin) {
		refund__bin_uint(o->bin, n);
		return;
	}
	json_key(o->json, key);
	json_array_begin(o->json);
}

void refund__field_item(field_out *o)
{
	if (o->json)
		json_object_begin(o->json);
}

void refund__field_list_end(field_out *o)
{
	if (o->json)
		json_array_end(o->json);
}

/* ---- reading ---- */

void refund__field_in_binary(field_in *in, bin_reader *r)
{
	memset(in, 0, sizeof(*in));
	in->bin = r;
}

void refund__field_in_json(field_in *in, const json_value *object)
{
	memset(in, 0, sizeof(*in));
	in->obj = object;
	if (!object || object->type != JSON_OBJECT)
		in->error = REFUND_ECORRUPT;
}

int refund__field_in_record(field_in *in, bin_reader *br, json_value **root,
		const refund_allocator *alloc, const unsigned char *data, size_t size,
		const unsigned char magic[FIELD_MAGIC_SIZE], int64_t json_schema)
{
	const unsigned char *head;
	int64_t schema = 0;
	int rc;

	*root = NULL;
	if (size >= FIELD_MAGIC_SIZE && data[0] == magic[0]) {
		refund__bin_reader_init(br, data, size);
		refund__field_in_binary(in, br);
		head = refund__bin_read_bytes(br, FIELD_MAGIC_SIZE);
		return head && memcmp(head, magic, FIELD_MAGIC_SIZE) == 0 ? 0 : REFUND_ECORRUPT;
	}
	if ((rc = json_parse(alloc, (const char *)data, size, root)) != 0)
		return rc;
	refund__field_in_json(in, *root);
	if (json_field_int(*root, "schema", 1, &schema) != 0 || schema != json_schema) {
		json_free(alloc, *root);
		*root = NULL;
		return REFUND_ECORRUPT;
	}
	return 0;
}

int refund__field_ok(const field_in *in)
{
	return !in->error && !(in->bin && in->bin->error);
}

#define off(in) (!refund__field_ok(in))

int refund__field_failed(const field_in *in)
{
	if (in->error)
		return in->error;
	return in->bin ? refund__bin_reader_end(in->bin) : 0;
}

static void corrupt(field_in *in)
{
	in->error = REFUND_ECORRUPT;
}

int64_t refund__field_get_int(field_in *in, const char *key, int64_t min, int64_t max)
{
	int64_t v = 0;

	if (in->bin)
		return refund__bin_read_int(in->bin, min, max);
	if (in->error || json_field_int_range(in->obj, key, min, max, &v) != 0) {
		corrupt(in);
		return 0;
	}
	return v;
}

/* The text as stored, unchecked: 1 if present, 0 if NULL or on failure. */
static int get_text_raw(field_in *in, const char *key, char *dst, size_t cap, int nullable)
{
	const char *s = NULL;
	int present = 0;

	dst[0] = '\0';
	if (in->bin) {
		present = refund__bin_read_text(in->bin, dst, cap, nullable);
	} else if (in->error || json_field_string(in->obj, key, !nullable, &s) != 0 ||
			(s && strlen(s) >= cap)) {
		corrupt(in);
	} else if (s) {
		memcpy(dst, s, strlen(s) + 1);
		present = 1;
	}
	return off(in) ? 0 : present;
}

int refund__field_get_text(field_in *in, const char *key, char *dst, size_t cap,
		int nullable)
{
	int present = get_text_raw(in, key, dst, cap, nullable);

	if (!off(in) && refund__check_text(NULL, key, dst, cap - 1) != 0) {
		corrupt(in);
		return 0;
	}
	return present;
}

/* An id's check is the stricter (printable ASCII is valid text), so it is
 * the only one; an absent nullable id reads as "", which is valid text.
 * Binary reads and checks it in one pass. */
int refund__field_get_id(field_in *in, const char *key, char *dst, size_t cap, int nullable)
{
	int present;

	if (in->bin && !in->error)
		return refund__bin_read_id(in->bin, dst, cap - 1 < REFUND_ID_MAX ? cap - 1 :
				REFUND_ID_MAX, nullable);
	present = get_text_raw(in, key, dst, cap, nullable);

	if (!off(in) && (present || !nullable) && refund__check_id(NULL, key, dst) != 0) {
		corrupt(in);
		return 0;
	}
	return present;
}

int refund__field_get_name(field_in *in, const char *key, field_names names, int count)
{
	char name[64];
	int value = 0, i;

	if (in->bin) {
		value = (int)refund__bin_read_uint(in->bin, (uint64_t)count - 1);
	} else if (refund__field_get_text(in, key, name, sizeof(name), 0)) {
		for (i = 1; i < count && !value; i++)
			if (strcmp(name, names(i)) == 0)
				value = i;
	}
	if (!value)
		corrupt(in);
	return value;
}

void refund__field_get_digest(field_in *in, const char *key, unsigned char *out)
{
	char hex[SHA256_HEX_SIZE];
	const unsigned char *raw;

	if (in->bin) {
		if ((raw = refund__bin_read_bytes(in->bin, SHA256_DIGEST_SIZE)) != NULL)
			memcpy(out, raw, SHA256_DIGEST_SIZE);
		return;
	}
	refund__field_get_text(in, key, hex, sizeof(hex), 0);
	if (!off(in) && sha256_unhex(hex, out) != 0)
		corrupt(in);
}

int64_t refund__field_get_optional_time(field_in *in, const char *key)
{
	int64_t t = REFUND_TIME_NONE;

	if (in->bin)
		return refund__bin_read_opt_int(in->bin, REFUND_TIME_MIN, REFUND_TIME_MAX);
	if (in->error || json_field_int(in->obj, key, 0, &t) != 0 ||
	    (t != REFUND_TIME_NONE && (t < REFUND_TIME_MIN || t > REFUND_TIME_MAX))) {
		corrupt(in);
		return REFUND_TIME_NONE;
	}
	return t;
}

void refund__field_get_object(field_in *in, const char *key)
{
	const json_value *child = NULL;

	if (in->bin || in->error)
		return;
	if (json_field_object(in->obj, key, 1, &child) != 0) {
		corrupt(in);
		return;
	}
	in->outer = in->obj;
	in->obj = child;
}

void refund__field_get_end(field_in *in)
{
	if (!in->bin && in->outer)
		in->obj = in->outer;
}

size_t refund__field_get_list(field_in *in, const char *key, size_t max)
{
	size_t n;

	if (in->bin) {
		/* Each item takes a byte at least: a count past the bytes left is
		 * corrupt, not a size for the caller to allocate. */
		n = (size_t)refund__bin_read_uint(in->bin, max);
		if (n > (size_t)(in->bin->end - in->bin->p)) {
			refund__bin_reader_corrupt(in->bin);
			return 0;
		}
		return n;
	}
	if (in->error || json_field_array(in->obj, key, 1, &in->list) != 0 ||
	    in->list->u.array.count > max) {
		corrupt(in);
		return 0;
	}
	return in->list->u.array.count;
}

void refund__field_get_item(field_in *in, size_t i)
{
	const json_value *item;

	if (in->bin || in->error)
		return;
	item = &in->list->u.array.items[i];
	if (item->type != JSON_OBJECT) {
		corrupt(in);
		return;
	}
	in->outer = in->obj;
	in->obj = item;
}
