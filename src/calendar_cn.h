/* Internal: the text of the built-in "CN" calendar, for refund_calendar_parse(). */
#ifndef REFUND_SRC_CALENDAR_CN_H
#define REFUND_SRC_CALENDAR_CN_H

#include <stddef.h>

/* The calendar text (not NUL-terminated for the parser's sake: *size
 * bytes). */
const char *refund__calendar_cn_text(size_t *size);

#endif
