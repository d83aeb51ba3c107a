/*
 * Internal: the canonical record encoding, compact JSON.
 *
 * The writer produces compact JSON with keys in the order written (callers
 * write them in a fixed order, so equal records give equal bytes).  Numbers
 * are int64 only: money and times are integers, and there is no floating
 * point anywhere in the library.
 *
 * The parser treats its input as hostile: it accepts only strict RFC 8259
 * JSON without fractions or exponents, integers that fit int64, valid UTF-8
 * strings without NUL (\u0000 is refused), no duplicate keys, nesting at
 * most JSON_MAX_DEPTH, input at most JSON_MAX_SIZE bytes, and nothing after
 * the value but white space.  Anything else is REFUND_ECORRUPT; an
 * allocation failure is REFUND_ENOMEM.  It never reads past `size`.
 */
#ifndef REFUND_SRC_JSON_H
#define REFUND_SRC_JSON_H

#include <refund/sys/alloc.h>

/* The static library must not clash with a host's own json_* symbols. */
#define json_writer_init refund__json_writer_init
#define json_writer_init_buffer refund__json_writer_init_buffer
#define json_object_begin refund__json_object_begin
#define json_object_end refund__json_object_end
#define json_array_begin refund__json_array_begin
#define json_array_end refund__json_array_end
#define json_key refund__json_key
#define json_string refund__json_string
#define json_int refund__json_int
#define json_uint refund__json_uint
#define json_bool refund__json_bool
#define json_null refund__json_null
#define json_kv_string refund__json_kv_string
#define json_kv_int refund__json_kv_int
#define json_raw refund__json_raw
#define json_writer_bytes refund__json_writer_bytes
#define json_writer_end refund__json_writer_end
#define json_writer_finish refund__json_writer_finish
#define json_writer_dispose refund__json_writer_dispose
#define json_parse refund__json_parse
#define json_free refund__json_free
#define json_get refund__json_get
#define json_field_string refund__json_field_string
#define json_field_int refund__json_field_int
#define json_field_int_range refund__json_field_int_range
#define json_field_array refund__json_field_array
#define json_field_object refund__json_field_object


#define JSON_MAX_DEPTH 32
#define JSON_MAX_SIZE ((size_t)16 * 1024 * 1024)

/* ---- writer: errors are sticky, checked once by json_writer_finish ---- */

typedef struct json_writer {
	const refund_allocator *alloc;
	char *buf;
	size_t len, cap;
	int borrowed;                    /* buf is the caller's, not the writer's to free */
	int error;                       /* first error, 0 if none */
	int depth;
	unsigned char first[JSON_MAX_DEPTH + 1]; /* no member written yet at depth */
	unsigned char object[JSON_MAX_DEPTH + 1]; /* depth is an object, not an array */
	unsigned char after_key;         /* a key was just written */
} json_writer;

void json_writer_init(json_writer *w, const refund_allocator *alloc);
/* Start in the caller's buf of cap bytes (a stack buffer: no allocation for
 * what fits); more than fits moves to one allocation of the writer's. */
void json_writer_init_buffer(json_writer *w, const refund_allocator *alloc, char *buf,
		size_t cap);
void json_object_begin(json_writer *w);
void json_object_end(json_writer *w);
void json_array_begin(json_writer *w);
void json_array_end(json_writer *w);
void json_key(json_writer *w, const char *key);
/* NULL writes null. Escapes ", \, control bytes; UTF-8 passes through. */
void json_string(json_writer *w, const char *s);
void json_int(json_writer *w, int64_t v);
/* Above INT64_MAX is REFUND_EINVAL: the parser reads int64 only. */
void json_uint(json_writer *w, uint64_t v);
void json_bool(json_writer *w, int v);
void json_null(json_writer *w);
/* Shorthands: key then value. */
void json_kv_string(json_writer *w, const char *key, const char *s);
void json_kv_int(json_writer *w, const char *key, int64_t v);
/* A value encoded already (by this writer: it is not checked), as the next
 * value; NULL writes null. */
void json_raw(json_writer *w, const char *json, size_t len);
/* The bytes written so far, NUL-terminated, whatever is still open; NULL
 * after an error.  Valid until the next write. */
const char *json_writer_bytes(json_writer *w, size_t *len);
/* As json_writer_finish, but the bytes stay where they are (the caller's
 * buffer or the writer's allocation) until json_writer_dispose. */
int json_writer_end(json_writer *w, const char **out, size_t *len);
/* On success hands over the NUL-terminated buffer (free with refund__free)
 * and its length without the NUL (len may be NULL); returns the sticky
 * error otherwise (and frees the buffer).  REFUND_EINVAL for unbalanced
 * nesting, a key or value out of place, no value or two top-level values,
 * nesting deeper than JSON_MAX_DEPTH, a NULL key or invalid UTF-8. */
int json_writer_finish(json_writer *w, char **out, size_t *len);
/* Frees whatever the writer holds; safe after finish. */
void json_writer_dispose(json_writer *w);

/* ---- parser: a small DOM ---- */

typedef enum json_type {
	JSON_NULL, JSON_BOOL, JSON_INT, JSON_STRING, JSON_ARRAY, JSON_OBJECT
} json_type;

typedef struct json_value json_value;
typedef struct json_member json_member;

struct json_value {
	json_type type;
	union {
		int boolean;
		int64_t integer;
		struct { char *ptr; size_t len; } string;     /* NUL-terminated too */
		struct { json_value *items; size_t count; } array;
		struct { json_member *members; size_t count; } object;
	} u;
};

struct json_member {
	char *key;
	json_value value;
};

/* Parse; *out is set only on success; free with json_free. */
int json_parse(const refund_allocator *alloc, const char *data, size_t size,
		json_value **out);
void json_free(const refund_allocator *alloc, json_value *value);

/* The member named key of an object, or NULL (also for a non-object). */
const json_value *json_get(const json_value *object, const char *key);

/*
 * Typed field readers for decoders: each returns 0 and sets *out, or
 * REFUND_ECORRUPT if the field is missing (when required) or of the wrong
 * type.  An absent optional field (or null) leaves *out as the caller set it.
 * A NULL object has no fields (so an absent optional object can be read
 * through); a non-object is REFUND_ECORRUPT; a NULL key or out REFUND_EINVAL.
 */
int json_field_string(const json_value *object, const char *key, int required,
		const char **out);
int json_field_int(const json_value *object, const char *key, int required,
		int64_t *out);
/* A required integer within [min, max]: out of it is REFUND_ECORRUPT too. */
int json_field_int_range(const json_value *object, const char *key, int64_t min,
		int64_t max, int64_t *out);
int json_field_array(const json_value *object, const char *key, int required,
		const json_value **out);
int json_field_object(const json_value *object, const char *key, int required,
		const json_value **out);

#endif
