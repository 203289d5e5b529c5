/* See text.h. */
#include "util/text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/xmalloc.h"

/* Length of the UTF-8 sequence at P (1..4), or 0 when it is not one:
 * overlong forms, surrogates and code points above U+10FFFF included. */
static int utf8_len(const unsigned char *p)
{
	int len;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		len = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		len = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		len = 4;
	else
		return 0;
	for (int i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

static uint32_t utf8_code(const unsigned char *p, int len)
{
	static const unsigned char lead_mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = p[0] & lead_mask[len];

	for (int i = 1; i < len; i++)
		c = c << 6 | (p[i] & 0x3f);
	return c;
}

/* Characters that change how the rest of a line shows rather than show
 * themselves: C0 and C1 controls, DEL, the line and paragraph separators,
 * and the bidirectional embeddings, overrides and isolates, with which a
 * title could read differently in a report than it is stored. */
static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

enum text_problem text_check(const char *s, size_t max, size_t *at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	*at = 0;
	if (n == 0)
		return TEXT_EMPTY;
	while (*p) {
		int len = utf8_len(p);

		*at = (size_t)(p - (const unsigned char *)s);
		if (len == 0)
			return TEXT_NOT_UTF8;
		if (is_control(utf8_code(p, len)))
			return TEXT_CONTROL;
		p += len;
	}
	*at = n;
	return n > max ? TEXT_TOO_LONG : TEXT_OK;
}

char *text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

	while (*p) {
		int len = utf8_len(p);

		if (len == 0 || is_control(utf8_code(p, len))) {
			memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD, the replacement character */
			o += 3;
			p += len ? len : 1;
			continue;
		}
		memcpy(o, p, (size_t)len);
		o += len;
		p += len;
	}
	*o = '\0';
	return out;
}

/* Appends what shows for the bytes S[0..N) to BUF (at *USED of LEN):
 * printable UTF-8 as it is, anything else as \n, \t or \xNN. */
static void quote_part(const unsigned char *s, size_t n, char *buf, size_t len, size_t *used)
{
	for (size_t i = 0; i < n;) {
		int k = utf8_len(s + i);
		char esc[16];
		size_t add;

		if (k == 0 || i + (size_t)k > n || is_control(utf8_code(s + i, k))) {
			if (s[i] == '\n')
				snprintf(esc, sizeof(esc), "\\n");
			else if (s[i] == '\t')
				snprintf(esc, sizeof(esc), "\\t");
			else
				snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
			k = k && i + (size_t)k <= n ? k : 1;
			/* A control character of several bytes is escaped whole. */
			for (int b = 1; b < k && strlen(esc) + 4 < sizeof(esc); b++)
				snprintf(esc + strlen(esc), sizeof(esc) - strlen(esc), "\\x%02x", s[i + (size_t)b]);
			add = strlen(esc);
			if (*used + add < len) {
				memcpy(buf + *used, esc, add);
				*used += add;
			}
			i += (size_t)k;
			continue;
		}
		if (*used + (size_t)k < len) {
			memcpy(buf + *used, s + i, (size_t)k);
			*used += (size_t)k;
		}
		i += (size_t)k;
	}
	buf[*used] = '\0';
}

/* Where to cut S near N bytes without splitting a character. */
static size_t char_boundary(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

const char *text_quote(const char *s, char buf[TEXT_QUOTE_MAX])
{
	enum { HEAD = 40, TAIL = 50 };
	size_t n = strlen(s), used = 0;
	int w;

	buf[0] = '\0';
	if (n <= HEAD + TAIL + 10) {
		quote_part((const unsigned char *)s, n, buf, TEXT_QUOTE_MAX, &used);
		return buf;
	}
	/* The start and the end: of a long path, the end is the file's name. */
	size_t head = char_boundary(s, HEAD), tail = n - char_boundary(s, n - TAIL);

	/* Escapes make a part up to four times its bytes: the start gets a
	 * share of the buffer, so the marker and the end still show. */
	quote_part((const unsigned char *)s, head, buf, TEXT_QUOTE_MAX / 3, &used);
	w = snprintf(buf + used, TEXT_QUOTE_MAX - used, _("…(%zu bytes)…"), n);
	used += w < 0 ? 0 : (size_t)w < TEXT_QUOTE_MAX - used ? (size_t)w : TEXT_QUOTE_MAX - 1 - used;
	quote_part((const unsigned char *)s + n - tail, tail, buf, TEXT_QUOTE_MAX, &used);
	return buf;
}

void text_set(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !msglen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}
