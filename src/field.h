/*
 * Internal: a stored record's fields, written and read the same way in
 * both of the library's encodings.
 *
 * An encoder walks its record once through the put_* functions and a
 * decoder once through the get_* functions; the field_out or field_in
 * decides whether that walk is compact JSON (members named by `key`, the
 * older schemas) or binary (fields in walk order, nothing named; binary.h).
 * So a record's layout, keys and range checks are written once, and what
 * one reader refuses the other refuses too.
 *
 * Readers are sticky, as bin_reader is: the first field missing, of the
 * wrong type or out of range makes field_failed() REFUND_ECORRUPT, and
 * every later get gives zeros and empty texts.  Texts read are valid UTF-8
 * without NUL (both encodings check) and without control characters
 * (refund__check_text).
 */
#ifndef REFUND_SRC_FIELD_H
#define REFUND_SRC_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "binary.h"
#include "json.h"

/* A name for each value 1 .. count - 1 of an enumeration (NULL elsewhere). */
typedef const char *(*field_names)(int value);

typedef struct field_out {
	json_writer *json;   /* the record in JSON, or */
	bin_writer *bin;     /* in binary */
} field_out;

/* The JSON halves of field_int and field_text. */
void refund__field_int_json(field_out *o, const char *key, int64_t v);
void refund__field_text_json(field_out *o, const char *key, const char *s);

/* Inline: a record is sixty of these, and binary is the path that counts. */
static inline void refund__field_int(field_out *o, const char *key, int64_t v)
{
	if (o->bin)
		refund__bin_int(o->bin, v);
	else
		refund__field_int_json(o, key, v);
}

/* NULL is JSON null, and binary's absent text. */
static inline void refund__field_text(field_out *o, const char *key, const char *s)
{
	if (o->bin)
		refund__bin_text(o->bin, s);
	else
		refund__field_text_json(o, key, s);
}
/* An enumeration: its name in JSON, its number in binary. */
void refund__field_name(field_out *o, const char *key, int value, field_names names);
/* 32 bytes: 64 lowercase hex digits in JSON, raw in binary. */
void refund__field_digest(field_out *o, const char *key, const unsigned char *digest);
/* A time that may be REFUND_TIME_NONE: JSON null, binary's opt (bin_opt_int). */
void refund__field_optional_time(field_out *o, const char *key, int64_t t);
/* A nested object (nothing in binary), ended by field_end. */
void refund__field_object(field_out *o, const char *key);
void refund__field_end(field_out *o);
/* A list of n objects (its length in binary), each begun by field_item and
 * ended by field_end; the list ended by field_list_end. */
void refund__field_list(field_out *o, const char *key, size_t n);
void refund__field_item(field_out *o);
void refund__field_list_end(field_out *o);

typedef struct field_in {
	bin_reader *bin;            /* binary, or */
	const json_value *obj;      /* JSON: the object fields are read from */
	const json_value *outer;    /* the object obj is nested in (one level) */
	const json_value *list;     /* the JSON array being read */
	int error;                  /* REFUND_ECORRUPT once a field was off */
} field_in;

/* A reader of binary bytes already past their magic, or of a JSON object. */
void refund__field_in_binary(field_in *in, bin_reader *r);
void refund__field_in_json(field_in *in, const json_value *object);

/* A binary record's first bytes: 0xA5, two letters for its kind, its schema. */
#define FIELD_MAGIC_SIZE 4

/*
 * A reader of a stored record in either encoding: binary (read with br) if
 * its first byte is the magic's, else JSON whose "schema" member must be
 * json_schema.  0 with *in ready and *root the parse tree (NULL for binary;
 * json_free it after in is done); REFUND_ECORRUPT for a wrong magic, bytes
 * that are no JSON or another schema; REFUND_ENOMEM.
 */
int refund__field_in_record(field_in *in, bin_reader *br, json_value **root,
		const refund_allocator *alloc, const unsigned char *data, size_t size,
		const unsigned char magic[FIELD_MAGIC_SIZE], int64_t json_schema);
/* 1 while everything read so far was in place. */
int refund__field_ok(const field_in *in);
/* At the end: 0, or REFUND_ECORRUPT if anything read was off (or, in
 * binary, bytes are left over). */
int refund__field_failed(const field_in *in);

int64_t refund__field_get_int(field_in *in, const char *key, int64_t min, int64_t max);
/* Into dst (room for cap bytes with the NUL): 1 if there was a text, 0 for
 * an absent or null one (refused unless nullable) and on errors. */
int refund__field_get_text(field_in *in, const char *key, char *dst, size_t cap,
		int nullable);
/* A text that must pass refund__check_id (or be absent, if nullable). */
int refund__field_get_id(field_in *in, const char *key, char *dst, size_t cap,
		int nullable);
/* An enumeration's value, 1 .. count - 1; 0 on errors. */
int refund__field_get_name(field_in *in, const char *key, field_names names, int count);
void refund__field_get_digest(field_in *in, const char *key, unsigned char *out);
int64_t refund__field_get_optional_time(field_in *in, const char *key);
void refund__field_get_object(field_in *in, const char *key);
void refund__field_get_end(field_in *in);
/* How many items the list holds (at most max, and in binary at most the
 * bytes left); field_get_item(i) enters each. */
size_t refund__field_get_list(field_in *in, const char *key, size_t max);
void refund__field_get_item(field_in *in, size_t i);

#endif
