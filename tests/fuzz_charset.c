/*
 * fuzz_charset.c - libFuzzer target for the character sets and the UDH
 *
 * SYNOPSIS
 *	./fuzz_charset [libFuzzer options] corpus-dir
 *
 * DESCRIPTION
 *	The first octet is a data_coding, the second a small output
 *	capacity, the rest is both the octets of a message and a text.
 *
 *	Decoding (charset_decode): the result is NUL-terminated, within
 *	the capacity, valid UTF-8, and with a small capacity a prefix of
 *	the whole result.  Decoding what charset_encode() makes of it
 *	gives it again (the first decoding settles what has two
 *	spellings).
 *
 *	Encoding (charset_encode, the text): measuring gives the length
 *	that encoding writes; what it writes decodes and encodes again to
 *	the same octets (unless the text holds U+0000, which decodes to
 *	U+FFFD).  sms_split() cuts those octets into parts that
 *	cover them in order, each within the capacity of a part, never
 *	inside a GSM escape or a UTF-16 surrogate pair, as many as
 *	sms_count_parts() says.
 *
 *	sms_udh_parse() reads the octets as a UDH: its length stays
 *	within them, a concatenation it finds is sane, and one that
 *	sms_udh_build() writes reads back the same.  See tests/fuzz/README.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "fuzz_util.h"
#include "pdu.h"
#include "sms.h"

static char *
decoded(int dc, const uint8_t *in, size_t len, size_t cap, size_t *n)
{
	char	*out;

	if ((out = malloc(cap)) == NULL)
		abort();
	*n = charset_decode(dc, in, len, out, cap);
	if (*n >= cap || out[*n] != '\0' || strlen(out) != *n)
		fuzz_fail("dc %d: %zu octets decoded into %zu", dc, *n, cap);
	if (charset_alphabet(dc) != DC_BINARY && !charset_utf8_valid(out, *n))
		fuzz_fail("dc %d: the decoding is not UTF-8", dc);
	return out;
}

static void
decode_side(int dc, const uint8_t *in, size_t len, size_t small)
{
	char	*all, *part, *again;
	uint8_t	*enc;
	size_t	 cap = 4 * len + 1, n, m, k;
	ssize_t	 e;

	all = decoded(dc, in, len, cap, &n);
	part = decoded(dc, in, len, small, &m);
	if (m > n || memcmp(part, all, m) != 0)
		fuzz_fail("dc %d: cut at %zu, not a prefix", dc, small);
	if ((enc = malloc(cap)) == NULL)
		abort();
	if ((e = charset_encode(dc, all, n, enc, cap)) >= 0) {
		again = decoded(dc, enc, (size_t)e, cap, &k);
		if (k != n || memcmp(again, all, n) != 0)
			fuzz_fail("dc %d: decode, encode, decode: '%s' '%s'",
			    dc, all, again);
		free(again);
	}
	free(enc);
	free(part);
	free(all);
}

/* The octets of the piece at d[i] that a part may not cut. */
static size_t
atom(int a, const uint8_t *d, size_t len, size_t i)
{
	if (a == DC_DEFAULT && d[i] == GSM_ESC && len - i >= 2)
		return 2;
	if (a != DC_UCS2)
		return 1;
	if (len - i >= 4 && d[i] >= 0xD8 && d[i] <= 0xDB &&
	    d[i + 2] >= 0xDC && d[i + 2] <= 0xDF)
		return 4;
	return len - i >= 2 ? 2 : 1;
}

/* Parts in order, whole, within capacity, not inside an atom. */
static void
check_parts(int dc, const uint8_t *d, size_t len)
{
	struct sms_part	 parts[SMS_MAX_PARTS];
	size_t		 cap, off = 0, at = 0, units;
	int		 i, n, a = charset_alphabet(dc);

	n = sms_split(dc, d, len, SMS_CONCAT_UDH8, parts, SMS_MAX_PARTS);
	if (n != sms_count_parts(dc, d, len) && n != -1)
		fuzz_fail("dc %d: %d parts, counted %d", dc, n,
		    sms_count_parts(dc, d, len));
	cap = sms_part_capacity(dc, SMS_CONCAT_UDH8, n > 1);
	for (i = 0; i < n; off += parts[i].len, i++) {
		units = a == DC_UCS2 ? (parts[i].len + 1) / 2 : parts[i].len;
		if (parts[i].off != off || (a != DC_IA5 && units > cap))
			fuzz_fail("dc %d: part %d at %zu+%zu", dc, i,
			    parts[i].off, parts[i].len);
		while (at < off)
			at += atom(a, d, len, at);
		if (at != off)
			fuzz_fail("dc %d: part %d cuts an atom at %zu", dc, i,
			    off);
	}
	if (n > 0 && off != len)
		fuzz_fail("dc %d: parts end at %zu of %zu", dc, off, len);
}

static void
encode_side(int dc, const char *s, size_t len)
{
	uint8_t	*enc, *again;
	char	*text;
	size_t	 cap = 4 * len + 1, n;
	ssize_t	 e, m, k;

	if ((enc = malloc(cap)) == NULL || (again = malloc(cap)) == NULL)
		abort();
	e = charset_encode(dc, s, len, enc, cap);
	m = charset_alphabet(dc) == DC_BINARY ? e :
	    charset_encode(dc, s, len, NULL, 0);
	if (m != e)
		fuzz_fail("dc %d: measured %zd, encoded %zd", dc, m, e);
	if (e < 0)
		goto out;
	/* U+0000 decodes to U+FFFD, by design: no round trip then. */
	if (memchr(s, '\0', len) == NULL) {
		text = decoded(dc, enc, (size_t)e, 8 * (size_t)e + 1, &n);
		k = charset_encode(dc, text, n, again, cap);
		if (k != e || memcmp(again, enc, (size_t)e) != 0)
			fuzz_fail("dc %d: encode, decode, encode differs", dc);
		free(text);
	}
	check_parts(dc, enc, (size_t)e);
out:
	free(again);
	free(enc);
}

static void
udh_side(const uint8_t *d, size_t len)
{
	struct sms_concat_info	 ci, back;
	uint8_t			 udh[SMS_UDH_MAX];
	size_t			 hl, n;
	int			 r;

	if ((r = sms_udh_parse(d, len, &ci, &hl)) == -1)
		return;
	if (hl > len || hl != (size_t)d[0] + 1)
		fuzz_fail("UDH of %zu octets in %zu", hl, len);
	if (r == 1 && (ci.total == 0 || ci.seq == 0 || ci.seq > ci.total))
		fuzz_fail("UDH part %u of %u", ci.seq, ci.total);
	if (r != 1)
		return;
	n = sms_udh_build(udh, sizeof(udh), ci.ref, ci.ref16, ci.total,
	    ci.seq);
	if (n == 0 || sms_udh_parse(udh, n, &back, &hl) != 1 || hl != n ||
	    memcmp(&back, &ci, sizeof(ci)) != 0)
		fuzz_fail("a built UDH does not read back");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*rest;

	if (size < 2)
		return 0;
	rest = fuzz_copy(data + 2, size - 2);
	decode_side(data[0], rest, size - 2, data[1] % 16 + 1);
	encode_side(data[0], (const char *)rest, size - 2);
	udh_side(rest, size - 2);
	free(rest);
	return 0;
}
