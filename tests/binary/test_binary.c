#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <refund/common.h>

#include "binary.h"
#include "failalloc.h"
#include "validate.h"

/* The library's allocators are never NULL: tests use a counting one. */
static failalloc heap;

static const int64_t ints[] = {
	0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 1740967200, -1740967200,
	INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1,
};

/* Writes every test integer and text into w. */
static void write_all(bin_writer *w)
{
	size_t i;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		refund__bin_int(w, ints[i]);
	refund__bin_uint(w, UINT64_MAX);
	refund__bin_text(w, NULL);
	refund__bin_text(w, "");
	refund__bin_text(w, "押金 refund");
	refund__bin_bytes(w, "\x00\xff", 2);
}

/* Reads back what write_all wrote: 0 if all of it matched and nothing is left. */
static int read_all(const unsigned char *data, size_t size)
{
	bin_reader r;
	char text[32];
	size_t i;
	int same = 1;
	const unsigned char *raw;

	refund__bin_reader_init(&r, data, size);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		same &= refund__bin_read_int(&r, INT64_MIN, INT64_MAX) == ints[i];
	same &= refund__bin_read_uint(&r, UINT64_MAX) == UINT64_MAX;
	same &= refund__bin_read_text(&r, text, sizeof(text), 1) == 0 && text[0] == '\0';
	same &= refund__bin_read_text(&r, text, sizeof(text), 0) == 1 && text[0] == '\0';
	same &= refund__bin_read_text(&r, text, sizeof(text), 0) == 1 &&
			strcmp(text, "押金 refund") == 0;
	raw = refund__bin_read_bytes(&r, 2);
	same &= raw && raw[0] == 0 && raw[1] == 0xff;
	return same && refund__bin_reader_end(&r) == 0 ? 0 : -1;
}

static void test_round_trip_every_kind(void **state)
{
	unsigned char small[8];
	bin_writer w;
	const unsigned char *data;
	size_t size;

	(void)state;
	/* a caller's buffer too small: the writer moves to its own */
	refund__bin_writer_init(&w, &heap.allocator, small, sizeof(small));
	write_all(&w);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
	assert_ptr_not_equal(data, small);
	assert_int_equal(read_all(data, size), 0);
	refund__bin_writer_dispose(&w);
	assert_int_equal(heap.live, 0);
}

static void test_varint_sizes(void **state)
{
	static const struct { uint64_t v; size_t size; } cases[] = {
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { 16383, 2 }, { 16384, 3 },
		{ UINT64_MAX >> 1, 9 }, { UINT64_MAX, 10 },
	};
	unsigned char buf[16];
	bin_writer w;
	const unsigned char *data;
	size_t i, size;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		refund__bin_writer_init(&w, &heap.allocator, buf, sizeof(buf));
		refund__bin_uint(&w, cases[i].v);
		assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
		assert_ptr_equal(data, buf);
		assert_int_equal(size, cases[i].size);
		refund__bin_writer_dispose(&w);
	}
	/* zigzag: -1 is one byte, INT64_MIN ten */
	refund__bin_writer_init(&w, &heap.allocator, buf, sizeof(buf));
	refund__bin_int(&w, -1);
	refund__bin_int(&w, INT64_MIN);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
	assert_int_equal(size, 11);
	assert_int_equal(buf[0], 1);
	refund__bin_writer_dispose(&w);
}

static void test_every_truncation_is_corrupt(void **state)
{
	bin_writer w;
	const unsigned char *data;
	size_t size, n;

	(void)state;
	refund__bin_writer_init(&w, &heap.allocator, NULL, 0);
	write_all(&w);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
	for (n = 0; n < size; n++)
		assert_int_equal(read_all(data, n), -1);
	refund__bin_writer_dispose(&w);
	assert_int_equal(heap.live, 0);
}

static void test_malformed_input(void **state)
{
	static const unsigned char eleven[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0x01 };
	static const unsigned char above_64_bits[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0x02 };
	static const unsigned char text_with_nul[] = { 4, 'a', 0, 'b' };
	static const unsigned char text_bad_utf8[] = { 3, 0xe6, 0x8a };
	static const unsigned char text_too_long[] = { 5, 'a', 'b', 'c', 'd' };
	static const unsigned char null_text[] = { 0 };
	bin_reader r;
	char text[4];
	const char *ref;
	size_t len, i;

	(void)state;
	refund__bin_reader_init(&r, eleven, sizeof(eleven));
	assert_int_equal(refund__bin_read_uint(&r, UINT64_MAX), 0);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, above_64_bits, sizeof(above_64_bits));
	assert_int_equal(refund__bin_read_uint(&r, UINT64_MAX), 0);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, above_64_bits, sizeof(above_64_bits) - 1);
	refund__bin_read_uint(&r, UINT64_MAX);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);  /* truncated */
	/* Longer than need be: every value has one encoding, so a record that
	 * decodes is the bytes its values encode to (a handle may keep them). */
	for (i = 0; i < 10; i++) {
		unsigned char overlong[10];

		memset(overlong, 0x80, i + 1);
		overlong[0] = (unsigned char)(0x80 | i);
		overlong[i + 1 < 10 ? i + 1 : 9] = 0;
		refund__bin_reader_init(&r, overlong, i + 1 < 10 ? i + 2 : 10);
		assert_int_equal(refund__bin_read_uint(&r, UINT64_MAX), 0);
		assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	}

	refund__bin_reader_init(&r, text_with_nul, sizeof(text_with_nul));
	assert_int_equal(refund__bin_read_text(&r, text, sizeof(text), 1), 0);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, text_bad_utf8, sizeof(text_bad_utf8));
	refund__bin_read_text_ref(&r, &ref, &len, 16);
	assert_null(ref);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, text_too_long, sizeof(text_too_long));
	assert_int_equal(refund__bin_read_text(&r, text, sizeof(text), 0), 0);
	assert_string_equal(text, "");
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	/* exactly the room: fine */
	refund__bin_reader_init(&r, text_too_long, sizeof(text_too_long) - 1);
	refund__bin_read_text_ref(&r, &ref, &len, 3);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);  /* 4 bytes said, 3 there */

	refund__bin_reader_init(&r, null_text, sizeof(null_text));
	assert_int_equal(refund__bin_read_text(&r, text, sizeof(text), 0), 0);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, null_text, sizeof(null_text));
	assert_int_equal(refund__bin_read_text(&r, text, sizeof(text), 1), 0);
	assert_int_equal(refund__bin_reader_end(&r), 0);
}

/* The two-pass way to read an id: as a text, then refund__check_id.  1 and
 * the id, 0 for none (nullable), -1 for corrupt. */
static int id_as_text(const unsigned char *data, size_t size, int nullable, char *out)
{
	bin_reader r;
	int present;

	refund__bin_reader_init(&r, data, size);
	present = refund__bin_read_text(&r, out, REFUND_ID_MAX + 1, nullable);
	if (refund__bin_reader_end(&r) != 0)
		return -1;
	if ((present || !nullable) && refund__check_id(NULL, "id", out) != 0)
		return -1;
	return present;
}

static int id_in_one_pass(const unsigned char *data, size_t size, int nullable, char *out)
{
	bin_reader r;
	int present;

	refund__bin_reader_init(&r, data, size);
	present = refund__bin_read_id(&r, out, REFUND_ID_MAX, nullable);
	return refund__bin_reader_end(&r) != 0 ? -1 : present;
}

/*
 * bin_read_id accepts what reading a text and checking it as an id accepts,
 * and nothing else: every length up to past the limit, every byte value at
 * the front, middle and end, NULL and "" either nullable or not, every
 * truncation.
 */
static void test_ids_read_in_one_pass(void **state)
{
	unsigned char data[REFUND_ID_MAX + 8];
	char a[REFUND_ID_MAX + 1], b[REFUND_ID_MAX + 1];
	size_t len, cut, at, compared = 0;
	int byte, nullable, ra, rb, accepted = 0;

	(void)state;
	for (len = 0; len <= REFUND_ID_MAX + 2; len++) {
		for (byte = -1; byte < 256; byte++) {
			for (at = 0; at < 3; at++) {
				data[0] = (unsigned char)(len + 1);
				memset(data + 1, 'k', len);
				if (byte >= 0 && len > 0)
					data[1 + (at == 0 ? 0 : at == 1 ? len / 2 : len - 1)] =
							(unsigned char)byte;
				for (cut = 0; cut <= len + 1; cut++) {
					for (nullable = 0; nullable < 2; nullable++) {
						ra = id_as_text(data, cut, nullable, a);
						rb = id_in_one_pass(data, cut, nullable, b);
						assert_int_equal(rb, ra);
						if (ra == 1)
							assert_string_equal(b, a);
						accepted += ra == 1;
						compared++;
					}
				}
			}
		}
	}
	/* NULL */
	data[0] = 0;
	for (nullable = 0; nullable < 2; nullable++) {
		assert_int_equal(id_in_one_pass(data, 1, nullable, b),
				id_as_text(data, 1, nullable, a));
		assert_string_equal(b, "");
	}
	printf("%zu ids compared, %d accepted\n", compared, accepted);
	assert_true(accepted > 0 && (size_t)accepted < compared);
}

static void test_ranges_and_sticky_errors(void **state)
{
	unsigned char buf[32];
	bin_writer w;
	bin_reader r;
	const unsigned char *data;
	size_t size;

	(void)state;
	refund__bin_writer_init(&w, &heap.allocator, buf, sizeof(buf));
	refund__bin_int(&w, 5);
	refund__bin_uint(&w, 300);
	refund__bin_int(&w, 7);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);

	refund__bin_reader_init(&r, data, size);
	assert_int_equal(refund__bin_read_int(&r, 0, 5), 5);
	assert_int_equal(refund__bin_read_uint(&r, 300), 300);
	assert_int_equal(refund__bin_read_int(&r, 7, 7), 7);
	assert_int_equal(refund__bin_reader_end(&r), 0);

	refund__bin_reader_init(&r, data, size);
	assert_int_equal(refund__bin_read_int(&r, 6, 9), 0);     /* below min */
	assert_int_equal(refund__bin_read_uint(&r, 300), 0);     /* sticky: zeros from now on */
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, data, size);
	refund__bin_read_int(&r, 0, 5);
	assert_int_equal(refund__bin_read_uint(&r, 299), 0);     /* above max */
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	/* bytes left over */
	refund__bin_reader_init(&r, data, size);
	refund__bin_read_int(&r, 0, 5);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	assert_null(refund__bin_read_bytes(&r, (size_t)-1));
	/* a decoder's own check: corrupt, and sticky */
	refund__bin_reader_init(&r, data, size);
	refund__bin_reader_corrupt(&r);
	assert_int_equal(refund__bin_read_int(&r, 0, 5), 0);
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_writer_dispose(&w);
}

static void test_writer_out_of_memory(void **state)
{
	failalloc fa;
	bin_writer w;
	const unsigned char *data;
	size_t size;
	long k;

	(void)state;
	failalloc_init(&fa);
	for (k = 1; k <= 8; k++) {
		failalloc_arm(&fa, k, 0);
		refund__bin_writer_init(&w, &fa.allocator, NULL, 0);
		write_all(&w);
		refund__bin_text(&w, "after the failure");
		if (fa.failures) {
			assert_int_equal(refund__bin_writer_end(&w, &data, &size), REFUND_ENOMEM);
		} else {
			assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
			assert_int_equal(read_all(data, size - 18), 0);
		}
		refund__bin_writer_dispose(&w);
		assert_int_equal(fa.live, 0);
		assert_true(k > 1 || fa.failures == 1);  /* the first allocation did fail */
	}
	failalloc_disarm(&fa);
}

/*
 * Fields written at a cursor are the bytes the writer's own calls write:
 * varints of every length, texts (NULL, empty, long), optional ints; room
 * past a caller's buffer moves to an allocation, and room that cannot be
 * had is NULL with the writer's sticky error.
 */
static void test_cursor_writes(void **state)
{
	static const char *const texts[] = { NULL, "", "a", "收据 No. 88",
		"a text longer than the caller's small buffer, to move it" };
	unsigned char small[16];
	failalloc fa;
	bin_writer a, b;
	const unsigned char *x, *y;
	size_t nx, ny, i, len;
	unsigned char *p;

	(void)state;
	refund__bin_writer_init(&a, &heap.allocator, NULL, 0);
	refund__bin_writer_init(&b, &heap.allocator, small, sizeof(small));
	for (i = 0; i < 64; i++) {
		uint64_t v = (UINT64_C(1) << i) - 1;

		refund__bin_uint(&a, v);
		refund__bin_uint(&a, v + 1);
		refund__bin_opt_int(&a, (int64_t)v - 3);
		p = refund__bin_room(&b, 30);
		assert_non_null(p);
		p = refund__bin_put_uint(p, v);
		p = refund__bin_put_uint(p, v + 1);
		refund__bin_advance(&b, refund__bin_put_uint(p, refund__bin_opt_word((int64_t)v - 3)));
	}
	refund__bin_opt_int(&a, INT64_MIN);
	refund__bin_advance(&b, refund__bin_put_uint(refund__bin_room(&b, 10),
			refund__bin_opt_word(INT64_MIN)));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		len = texts[i] ? strlen(texts[i]) : 0;
		refund__bin_text(&a, texts[i]);
		p = refund__bin_room(&b, BIN_TEXT_ROOM(len));
		assert_non_null(p);
		refund__bin_advance(&b, refund__bin_put_text(p, texts[i], len));
	}
	assert_int_equal(refund__bin_writer_end(&a, &x, &nx), 0);
	assert_int_equal(refund__bin_writer_end(&b, &y, &ny), 0);
	assert_ptr_not_equal(y, small);
	assert_int_equal(nx, ny);
	assert_memory_equal(x, y, nx);
	refund__bin_writer_dispose(&a);
	refund__bin_writer_dispose(&b);
	assert_int_equal(heap.live, 0);

	/* No room to be had: NULL, the sticky error, nothing leaked. */
	failalloc_init(&fa);
	failalloc_arm(&fa, 1, 0);
	refund__bin_writer_init(&b, &fa.allocator, small, sizeof(small));
	assert_null(refund__bin_room(&b, sizeof(small) + 1));
	assert_null(refund__bin_room(&b, 1));  /* sticky, though it would fit */
	assert_int_equal(refund__bin_writer_end(&b, &y, &ny), REFUND_ENOMEM);
	refund__bin_writer_dispose(&b);
	failalloc_disarm(&fa);
	assert_int_equal(fa.live, 0);
}

/* None is one byte; a value round-trips and is no longer than bin_int's. */
static void test_optional_ints(void **state)
{
	unsigned char buf[16], plain[16];
	bin_writer w, pw;
	bin_reader r;
	const unsigned char *data, *pdata;
	size_t i, size, psize;

	(void)state;
	refund__bin_writer_init(&w, &heap.allocator, buf, sizeof(buf));
	refund__bin_opt_int(&w, INT64_MIN);
	assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
	assert_int_equal(size, 1);
	assert_int_equal(buf[0], 0);
	refund__bin_reader_init(&r, data, size);
	assert_true(refund__bin_read_opt_int(&r, 0, 0) == INT64_MIN);  /* none is not range-checked */
	assert_int_equal(refund__bin_reader_end(&r), 0);
	refund__bin_writer_dispose(&w);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if (ints[i] == INT64_MIN)
			continue;
		refund__bin_writer_init(&w, &heap.allocator, buf, sizeof(buf));
		refund__bin_writer_init(&pw, &heap.allocator, plain, sizeof(plain));
		refund__bin_opt_int(&w, ints[i]);
		refund__bin_int(&pw, ints[i]);
		assert_int_equal(refund__bin_writer_end(&w, &data, &size), 0);
		assert_int_equal(refund__bin_writer_end(&pw, &pdata, &psize), 0);
		assert_true(size <= psize + 1);
		refund__bin_reader_init(&r, data, size);
		assert_true(refund__bin_read_opt_int(&r, INT64_MIN, INT64_MAX) == ints[i]);
		assert_int_equal(refund__bin_reader_end(&r), 0);
		refund__bin_reader_init(&r, data, size);
		if (ints[i] > INT64_MIN + 1) {
			assert_int_equal(refund__bin_read_opt_int(&r, INT64_MIN, ints[i] - 1), 0);
			assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
		}
		refund__bin_reader_init(&r, data, size - 1);  /* truncated */
		refund__bin_read_opt_int(&r, INT64_MIN, INT64_MAX);
		assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
		refund__bin_writer_dispose(&w);
		refund__bin_writer_dispose(&pw);
	}
}

/* Copies are NUL-terminated in the caller's room; as many bytes as the input suffice. */
static void test_text_copies(void **state)
{
	static const unsigned char input[] = { 4, 'a', 'b', 'c', 0, 1, 3, 'x', 'y' };
	static const unsigned char bad[] = { 3, 'a', 0 };
	char room[sizeof(input)], tight[3];
	bin_texts t = { room, sizeof(room) };
	bin_reader r;
	const char *abc, *none, *empty, *xy;

	(void)state;
	refund__bin_reader_init(&r, input, sizeof(input));
	abc = refund__bin_read_text_copy(&r, &t, 0);
	none = refund__bin_read_text_copy(&r, &t, 1);
	empty = refund__bin_read_text_copy(&r, &t, 0);
	xy = refund__bin_read_text_copy(&r, &t, 0);
	assert_int_equal(refund__bin_reader_end(&r), 0);
	assert_string_equal(abc, "abc");
	assert_null(none);
	assert_string_equal(empty, "");
	assert_string_equal(xy, "xy");
	assert_ptr_equal(abc, room);
	assert_int_equal(t.left, sizeof(room) - 4 - 1 - 3);
	/* NULL where it may not be */
	refund__bin_reader_init(&r, input + 4, 1);
	t.next = room;
	t.left = sizeof(room);
	assert_null(refund__bin_read_text_copy(&r, &t, 0));
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	/* too little room, none at all, a text with NUL */
	refund__bin_reader_init(&r, input, sizeof(input));
	t.next = tight;
	t.left = sizeof(tight);
	assert_null(refund__bin_read_text_copy(&r, &t, 0));
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, input, sizeof(input));
	t.left = 0;
	assert_null(refund__bin_read_text_copy(&r, &t, 1));
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
	refund__bin_reader_init(&r, bad, sizeof(bad));
	t.next = room;
	t.left = sizeof(room);
	assert_null(refund__bin_read_text_copy(&r, &t, 0));
	assert_int_equal(refund__bin_reader_end(&r), REFUND_ECORRUPT);
}

int main(void)
{
	failalloc_init(&heap);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_varint_sizes),
		cmocka_unit_test(test_every_truncation_is_corrupt),
		cmocka_unit_test(test_malformed_input),
		cmocka_unit_test(test_ranges_and_sticky_errors),
		cmocka_unit_test(test_writer_out_of_memory),
		cmocka_unit_test(test_cursor_writes),
		cmocka_unit_test(test_optional_ints),
		cmocka_unit_test(test_text_copies),
		cmocka_unit_test(test_ids_read_in_one_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
