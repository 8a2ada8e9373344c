/*
 * buf.c - growable byte buffers with explicit lengths
 *
 * SYNOPSIS
 *	buf_append(b, data, len)	buf_printf(b, fmt, ...)
 *	buf_hex(b, data, len)		buf_consume(b, n)
 *	buf_hex_decode(hex, hexlen, out, cap)
 *	buf_pct_encode(dst, cap, src, len)
 *	buf_pct_decode(dst, cap, src, len, flags)
 *
 * DESCRIPTION
 *	A buffer grows by doubling; every append either succeeds whole or
 *	returns -1 (ENOMEM) with the buffer unchanged.  The data is kept
 *	NUL-terminated past len, so that text in it can be used as a string.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Make room for n more octets (and the NUL kept past the end). */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;
	uint8_t	*p;

	if (n > SIZE_MAX / 2 - b->len - 1) {
		errno = ENOMEM;
		return -1;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
buf_append(struct buf *b, const void *data, size_t len)
{
	if (buf_reserve(b, len) == -1)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_putc(struct buf *b, int c)
{
	unsigned char	 ch = (unsigned char)c;

	return buf_append(b, &ch, 1);
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
	return 0;
}

/* Append data as lower-case hex digits. */
int
buf_hex(struct buf *b, const void *data, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	const uint8_t		*p = data;
	size_t			 i;
	char			*o;

	if (len > SIZE_MAX / 4 || buf_reserve(b, len * 2) == -1)
		return -1;
	o = (char *)b->data + b->len;
	for (i = 0; i < len; i++) {
		*o++ = digits[p[i] >> 4];
		*o++ = digits[p[i] & 0x0f];
	}
	b->len += len * 2;
	b->data[b->len] = '\0';
	return 0;
}

/* Drop the first n octets. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/*
 * Decode hexlen hex digits into at most cap octets.  Returns the number
 * of octets, or -1 for an odd length, a non-hex digit or no room.
 */
int
buf_hex_decode(const char *hex, size_t hexlen, uint8_t *out, size_t cap)
{
	size_t	 i;
	int	 hi, lo;

	if (hexlen % 2 != 0 || hexlen / 2 > cap || hexlen / 2 > INT32_MAX)
		return -1;
	for (i = 0; i < hexlen / 2; i++) {
		if ((hi = buf_hexval((unsigned char)hex[2 * i],
		    BUF_HEX_ANY)) == -1 ||
		    (lo = buf_hexval((unsigned char)hex[2 * i + 1],
		    BUF_HEX_ANY)) == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(hexlen / 2);
}

/* An octet that %XX escaping leaves as it is. */
static int
pct_plain(unsigned c)
{
	return c >= 0x21 && c <= 0x7e && c != '%';
}

int
buf_pct_encode(char *dst, size_t cap, const char *src, size_t len)
{
	static const char	 hexuc[] = "0123456789ABCDEF";
	size_t			 i, n = 0;
	unsigned		 c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (pct_plain(c)) {
			if (n + 1 > cap)
				return -1;
			dst[n++] = (char)c;
			continue;
		}
		if (n + 3 > cap)
			return -1;
		dst[n++] = '%';
		dst[n++] = hexuc[c >> 4];
		dst[n++] = hexuc[c & 0x0f];
	}
	return n > INT32_MAX ? -1 : (int)n;
}

int
buf_pct_decode(char *dst, size_t cap, const char *src, size_t len, int flags)
{
	int	 cases = flags & BUF_PCT_STRICT ? BUF_HEX_UPPER : BUF_HEX_ANY;
	size_t	 i, n = 0;
	int	 c, hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (c == '%') {
			if (len - i < 3 ||
			    (hi = buf_hexval((unsigned char)src[i + 1],
			    cases)) == -1 ||
			    (lo = buf_hexval((unsigned char)src[i + 2],
			    cases)) == -1)
				return -1;
			c = hi << 4 | lo;
			if ((c == 0 && (flags & BUF_PCT_NONUL)) ||
			    (pct_plain((unsigned)c) && (flags & BUF_PCT_STRICT)))
				return -1;
			i += 2;
		} else if ((flags & BUF_PCT_STRICT) && !pct_plain((unsigned)c))
			return -1;
		if (n + 1 >= cap)
			return -1;
		dst[n++] = (char)c;
	}
	if (cap == 0 || n > INT32_MAX)
		return -1;
	dst[n] = '\0';
	return (int)n;
}
