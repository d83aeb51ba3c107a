/*
 * Internal: the input side of the library's small text formats (policies,
 * calendars).  Both read UTF-8 lines ended by "\n" or "\r\n", may start
 * with a byte order mark, and refuse input over TEXT_SIZE_MAX.
 */
#ifndef REFUND_SRC_TEXT_H
#define REFUND_SRC_TEXT_H

#include <stddef.h>

#include "engine.h"

/* Texts are documents a person writes; anything larger is refused. */
#define TEXT_SIZE_MAX ((size_t)1 << 20)

typedef struct text_lines {
	const char *text;
	size_t size;
	size_t pos;            /* where the next line starts */
	unsigned long number;  /* the line last returned, from 1 */
} text_lines;

/* Start reading text[0..size), after a byte order mark if there is one. */
void refund__text_lines(text_lines *lines, const char *text, size_t size);

/*
 * The next line as offsets [*start, *end) into the text, without its "\n"
 * or "\r\n": 1, or 0 when there is none left.
 */
int refund__text_next_line(text_lines *lines, size_t *start, size_t *end);

/*
 * The argument checks of a parser's entry point: engine, out and text
 * present, size within TEXT_SIZE_MAX.  what_en / what_zh name the text in
 * the message ("policy" / "政策").  0 or REFUND_EINVAL, described.
 */
int refund__text_check(refund_engine *engine, const void *out, const char *text,
		size_t size, const char *what_en, const char *what_zh);

#endif
