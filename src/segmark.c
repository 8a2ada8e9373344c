/*
 * segmark.c - the commit boundary of a segment on disk
 *
 * SYNOPSIS
 *	segmark_put(buf, nrecords, group, grouplen)
 *	segmark_parse(text, avail, &nrecords, &grouplen, &crc, &used)
 *	segmark_is_header(text, avail)	segmark_line_start(data, len, off)
 *
 * DESCRIPTION
 *	A segment of format 2 opens with the line "%segment 2\n" and ends
 *	every group commit with a commit line
 *
 *		%commit NRECORDS GROUPLEN CRC32\n
 *
 *	GROUPLEN is the number of octets of the group's records, which
 *	are the GROUPLEN octets right before the commit line, and CRC32
 *	their CRC-32 (as record_crc32()), 8 lower-case hex digits.  The
 *	group and its commit line go out in one write(2) and one
 *	fdatasync(2), so a commit line whose group matches it marks a
 *	commit that reached the disk whole; see smppd-spool(5).
 *
 *	A '%' that starts a line (or follows a NUL, where a lost page
 *	ends) starts a record, a commit line or the segment header, and
 *	nothing else: record bodies are lines of "key: value" and escape
 *	'%' inside values.  segmark_line_start() finds the next such
 *	'%' at or after off, which is how a reader finds its way again
 *	after damage.
 *
 * DIAGNOSTICS
 *	segmark_put(): 0, or -1 (ENOMEM).  segmark_parse(): 0 with the
 *	fields set, or -1 when text does not start with a well-formed
 *	commit line.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "spool.h"

#define MARK_MAGIC	"%commit "

int
segmark_put(struct buf *b, unsigned n, const void *group, size_t len)
{
	uint32_t	 crc = record_crc32(0, group, len);

	/* Before buf_printf(), which may move group (when it is in b). */
	return buf_printf(b, "%%commit %u %zu %08x\n", n, len, crc);
}

int
segmark_is_header(const char *text, size_t avail)
{
	size_t	 n = sizeof(SEGMARK_HEADER) - 1;

	return avail >= n && memcmp(text, SEGMARK_HEADER, n) == 0;
}

/* A decimal number without a leading zero, ended by c; -1 if not. */
static int
number(const char *p, const char *end, char c, size_t *v, const char **next)
{
	const char	*s = p;

	for (*v = 0; p < end && *p >= '0' && *p <= '9' && p - s < 10; p++)
		*v = *v * 10 + (size_t)(*p - '0');
	if (p == s || p == end || *p != c || (*s == '0' && p - s > 1))
		return -1;
	*next = p + 1;
	return 0;
}

int
segmark_parse(const char *text, size_t avail, unsigned *n, size_t *len,
    uint32_t *crc, size_t *used)
{
	const char	*p = text, *end = text + avail;
	size_t		 v;
	int		 i, d;

	if (avail < sizeof(MARK_MAGIC) - 1 ||
	    memcmp(p, MARK_MAGIC, sizeof(MARK_MAGIC) - 1) != 0)
		return -1;
	p += sizeof(MARK_MAGIC) - 1;
	if (number(p, end, ' ', &v, &p) == -1)
		return -1;
	*n = (unsigned)v;
	if (number(p, end, ' ', len, &p) == -1 || end - p < 9)
		return -1;
	for (i = 0, *crc = 0; i < 8; i++) {
		d = p[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else
			return -1;
		*crc = *crc << 4 | (uint32_t)d;
	}
	if (p[8] != '\n')
		return -1;
	*used = (size_t)(p + 9 - text);
	return 0;
}

size_t
segmark_line_start(const char *data, size_t len, size_t off)
{
	const char	*p;

	while (off < len) {
		if ((p = memchr(data + off, '%', len - off)) == NULL)
			return len;
		off = (size_t)(p - data);
		if (off == 0 || data[off - 1] == '\n' || data[off - 1] == '\0')
			return off;
		off++;
	}
	return len;
}
