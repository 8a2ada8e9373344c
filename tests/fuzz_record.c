/*
 * fuzz_record.c - libFuzzer target for the spool record reader
 *
 * SYNOPSIS
 *	./fuzz_record [libFuzzer options] corpus-dir
 *
 * DESCRIPTION
 *	The first octet of the input chooses how the rest is read.  Odd:
 *	the rest is a record's body, and the target puts a header with
 *	the right length and CRC-32 before it, so that mutations reach
 *	the fields instead of failing the checksum.  Even: the rest is a
 *	segment, records back to back, read as the segment reader does
 *	until one does not parse.  Each copy is a heap block of exactly
 *	its size.  For every record that parses: record_frame() agrees on
 *	its length, record_write() of what was read gives back the very
 *	same octets (the format has one spelling), and every shorter
 *	prefix of it reads as RECORD_SHORT (a torn tail, not damage).  A
 *	record that does not parse must say why.  See tests/fuzz/README.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz_util.h"
#include "record.h"

static void
check_good(const char *text, size_t used, const struct msg *m)
{
	static struct msg	 g;
	struct buf		 b = BUF_INITIALIZER;
	size_t			 hlen, blen, cut[3];
	int			 i;

	if (record_frame(text, used, &hlen, &blen) != 0 || hlen + blen != used)
		fuzz_fail("record_frame disagrees on the length %zu", used);
	if (record_write(&b, &m->meta, &m->pdu) == -1)
		fuzz_fail("a parsed record does not write again");
	if (b.len != used || memcmp(b.data, text, used) != 0)
		fuzz_fail("written again, the record differs:\n%.*s\n----\n"
		    "%.*s", (int)used, text, (int)b.len, (char *)b.data);
	buf_free(&b);
	cut[0] = hlen - 1;
	cut[1] = hlen + blen / 2;
	cut[2] = used - 1;
	for (i = 0; i < 3; i++)
		if (record_parse(text, cut[i], &g, &blen) != RECORD_SHORT)
			fuzz_fail("%zu of %zu octets: not RECORD_SHORT",
			    cut[i], used);
}

/* Records back to back until one does not parse. */
static void
segment(const char *text, size_t len)
{
	static struct msg	 m;
	size_t			 used;
	int			 rc;

	while ((rc = record_parse(text, len, &m, &used)) == 0) {
		if (used == 0 || used > len)
			fuzz_fail("used %zu of %zu", used, len);
		check_good(text, used, &m);
		text += used;
		len -= used;
	}
	if (rc == RECORD_BAD && (m.bad < RECORD_E_MAGIC ||
	    m.bad > RECORD_E_VALUE || m.badkey == NULL))
		fuzz_fail("RECORD_BAD without a reason: %d", m.bad);
	if (rc != RECORD_BAD && rc != RECORD_SHORT)
		fuzz_fail("record_parse returned %d", rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;
	size_t	 len;
	int	 n;

	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		len = size - 1;
		text = (char *)fuzz_copy(data + 1, len);
	} else {
		if ((text = malloc(RECORD_HEADER_MAX + size)) == NULL)
			abort();
		n = snprintf(text, RECORD_HEADER_MAX, "%s%zu %08x\n",
		    RECORD_MAGIC, size - 1, record_crc32(0, data + 1,
		    size - 1));
		memcpy(text + n, data + 1, size - 1);
		len = (size_t)n + size - 1;
	}
	segment(text, len);
	free(text);
	return 0;
}
