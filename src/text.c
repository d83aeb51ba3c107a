#include "text.h"

#include <string.h>

void refund__text_lines(text_lines *lines, const char *text, size_t size)
{
	lines->text = text;
	lines->size = size;
	lines->pos = size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	lines->number = 0;
}

int refund__text_next_line(text_lines *lines, size_t *start, size_t *end)
{
	const char *newline;
	size_t pos = lines->pos, stop;

	if (pos >= lines->size)
		return 0;
	newline = memchr(lines->text + pos, '\n', lines->size - pos);
	if (newline) {
		stop = (size_t)(newline - lines->text);
		lines->pos = stop + 1;
		if (newline > lines->text + pos && newline[-1] == '\r')
			stop--;
	} else {
		stop = lines->pos = lines->size;
	}
	*start = pos;
	*end = stop;
	lines->number++;
	return 1;
}

int refund__text_check(refund_engine *engine, const void *out, const char *text,
		size_t size, const char *what_en, const char *what_zh)
{
	if (!engine)
		return REFUND_EINVAL;
	if (!out || !text)
		return refund__fail(engine, REFUND_EINVAL, "%s is NULL", "%s 为空",
				out ? "text" : "out");
	if (size > TEXT_SIZE_MAX)
		return refund__fail(engine, REFUND_EINVAL,
				"%s text of %lu bytes is over the limit of 1 MiB",
				"%s文本 %lu 字节，超过 1 MiB 上限",
				engine->lang == REFUND_LANG_ZH_CN ? what_zh : what_en,
				(unsigned long)size);
	return 0;
}
