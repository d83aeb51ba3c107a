/* Internal: strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF). */
#ifndef REFUND_SRC_UTF8_H
#define REFUND_SRC_UTF8_H

#include <stddef.h>

/* 1 if s[0..n) is valid UTF-8, else 0. */
int refund__utf8_valid(const char *s, size_t n);

/* Bytes of the valid UTF-8 sequence starting at s (at most n bytes
 * available), or 0 if none starts there. */
size_t refund__utf8_sequence(const unsigned char *s, size_t n);

/* Replaces, in place, every control byte and every byte that starts no
 * valid sequence with '?', so that s is one line of valid UTF-8. */
void refund__utf8_printable(char *s);

#endif
