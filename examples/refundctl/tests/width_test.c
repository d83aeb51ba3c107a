/*
 * ctl_width() and ctl_pad(): the display width of UTF-8 text that lines up
 * refundctl's tables in Chinese.  Exit 0 when every check holds.
 */
#include <stdio.h>
#include <string.h>

#include "refundctl.h"

static int failures;

static void check_width(const char *s, size_t want)
{
	size_t got = ctl_width(s);

	if (got != want) {
		fprintf(stderr, "ctl_width(\"%s\") = %zu, want %zu\n", s, got, want);
		failures++;
	}
}

/* Padded with ctl_pad(), @p s takes exactly @p columns (or its own width if wider). */
static void check_pad(const char *s, int columns)
{
	char buf[128];
	size_t want = ctl_width(s) > (size_t)columns ? ctl_width(s) : (size_t)columns;

	snprintf(buf, sizeof(buf), "%-*s|", ctl_pad(s, columns), s);
	if (ctl_width(buf) != want + 1) {
		fprintf(stderr, "padding \"%s\" to %d columns gives \"%s\" (%zu columns)\n", s,
				columns, buf, ctl_width(buf));
		failures++;
	}
}

int main(void)
{
	check_width("", 0);
	check_width("under_review", 12);                 /* ASCII: one column a byte */
	check_width("审核中", 6);                         /* CJK: two columns, three bytes */
	check_width("退款中 -> 已结案", 16);             /* mixed */
	check_width("M-1（申请人）", 13);                /* fullwidth parentheses are wide */
	check_width("押金收据、合同协议", 18);           /* CJK punctuation is wide */
	check_width("\xf0\xa0\x80\x80", 2);              /* U+20000, four bytes, wide */
	check_width("caf\xc3\xa9", 4);                   /* U+00E9: two bytes, one column */
	check_width("\xff\xfe", 2);                      /* invalid bytes: one column each */
	check_width("\xe5\xae", 2);                      /* a cut sequence: its bytes */
	check_pad("draft", 19);
	check_pad("等待签署退款协议", 19);
	check_pad("已提交申请 x", 19);
	check_pad("等待签署退款协议等待签署退款协议", 19);
	if (ctl_pad("draft", 19) != 19 || ctl_pad("审核中", 19) != 22) {
		fprintf(stderr, "ctl_pad: ASCII must keep its width, CJK gain a byte a char\n");
		failures++;
	}
	if (failures)
		fprintf(stderr, "%d width checks failed\n", failures);
	return failures ? 1 : 0;
}
