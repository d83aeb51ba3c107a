/*
 * Display width of UTF-8 text, so that columns line up when a table holds
 * Chinese: a CJK character takes two terminal columns but three bytes,
 * which printf's "%-20s" counts as three.
 */
#include <stddef.h>

#include "refundctl.h"

/* Wide (two-column) code points: East Asian Wide and Fullwidth, roughly. */
static int wide(unsigned long cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) ||      /* Hangul Jamo */
		(cp >= 0x2e80 && cp <= 0x303e) ||      /* CJK radicals, punctuation */
		(cp >= 0x3041 && cp <= 0x33ff) ||      /* kana, CJK compatibility */
		(cp >= 0x3400 && cp <= 0x4dbf) ||      /* CJK extension A */
		(cp >= 0x4e00 && cp <= 0x9fff) ||      /* CJK unified ideographs */
		(cp >= 0xa000 && cp <= 0xa4cf) ||      /* Yi */
		(cp >= 0xac00 && cp <= 0xd7a3) ||      /* Hangul syllables */
		(cp >= 0xf900 && cp <= 0xfaff) ||      /* CJK compatibility ideographs */
		(cp >= 0xfe30 && cp <= 0xfe4f) ||      /* CJK compatibility forms */
		(cp >= 0xff00 && cp <= 0xff60) ||      /* fullwidth forms: ，（）： */
		(cp >= 0xffe0 && cp <= 0xffe6) ||
		(cp >= 0x20000 && cp <= 0x3fffd);      /* CJK extensions B and beyond */
}

/*
 * Columns @p s takes on a terminal.  A byte that does not start a valid
 * sequence counts as one column, so that any input gives some width.
 */
size_t ctl_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (p && *p) {
		unsigned long cp;
		int n, i;

		if (*p < 0x80) {
			w++;
			p++;
			continue;
		}
		n = *p >= 0xf0 && *p < 0xf5 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc2 && *p < 0xe0 ? 1 : -1;
		if (*p >= 0xf5)
			n = -1;
		cp = *p & (0x3f >> (n > 0 ? n : 0));
		for (i = 1; n > 0 && i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (n < 0 || i <= n) {
			w++;               /* not valid UTF-8: one byte, one column */
			p++;
			continue;
		}
		w += wide(cp) ? 2 : 1;
		p += n + 1;
	}
	return w;
}

/*
 * The printf field width that pads @p s to @p columns on a terminal:
 * printf("%-*s", ctl_pad(s, 20), s).  For ASCII it is @p columns itself.
 */
int ctl_pad(const char *s, int columns)
{
	size_t bytes = 0, w = ctl_width(s);

	while (s && s[bytes])
		bytes++;
	return columns + (int)(bytes - w);
}
