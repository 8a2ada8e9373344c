/*
 * sms.c - message parts: counting, splitting, concatenation UDH and SAR
 *
 * SYNOPSIS
 *	sms_unit(dc)
 *	sms_part_capacity(dc, concat, multipart)
 *	sms_count_parts(dc, data, len)
 *	sms_split(dc, data, len, concat, parts, max)
 *	sms_udh_build(buf, cap, ref, ref16, total, seq)
 *	sms_udh_parse(udh, len, info, hdrlen)
 *	sms_sar_parse(pdu, info)
 *	sms_parts(pdu, parts, max)
 *
 * DESCRIPTION
 *	A part carries 140 octets of user data.  What that holds depends
 *	on the alphabet of data_coding (see charset_alphabet()): GSM and
 *	IA5 travel as 7-bit septets (160), UCS-2 as 16-bit units (70),
 *	everything else as octets (140).  A concatenation UDH of 6 octets
 *	(8-bit reference) or 7 octets (16-bit reference) leaves 153 or 152
 *	septets (the UDH is padded to a septet boundary), 134 or 133 octets,
 *	67 or 66 units.  With SAR TLVs the SMSC adds the UDH itself, so a
 *	part holds what it holds after an 8-bit-reference UDH.
 *
 *	Capacities are in units of sms_unit() octets, except that the cost
 *	of a GSM escape (0x1B and its code) is two septets, as is that of
 *	an IA5 character GSM carries only as an escape ([ ] { } ...).
 *	Splitting keeps an escape pair and a UTF-16 surrogate pair whole;
 *	UCS-2 parts start at even offsets.
 *
 *	sms_count_parts() is the count a content (short_message or
 *	message_payload) needs with 8-bit-reference UDHs: what a message
 *	is billed.  An empty content is one part.
 *
 *	sms_split() returns the parts' count, or -1 when more than max
 *	parts (and never more than SMS_MAX_PARTS, what the UDH's total can
 *	say) would be needed.
 *
 *	sms_udh_parse() reads the user data header at the start of a
 *	short_message with the UDHI bit: UDHL, then information elements.
 *	It returns 1 with *info set when a concatenation element (0x00 or
 *	0x08) is present (the last one wins, as in GSM 03.40), 0 when
 *	there is none, and -1 when the UDH is malformed: UDHL or an element
 *	running past the data, a concatenation element of the wrong
 *	length, a total of 0, a sequence number of 0 or above the total.
 *	*hdrlen is set to UDHL + 1 unless the result is -1.
 *
 *	sms_sar_parse() reads the sar_* TLVs of a decoded PDU in the same
 *	way: 1 all three present and sane, 0 none, -1 otherwise.
 *
 *	sms_parts() is the one answer to "how many parts is this message":
 *	smppd charges that many and the smpp connector sends that many, so
 *	that what is billed is what is sent.  A part the client made itself
 *	(a UDH or sar_* TLVs) is one part when it fits one; any other
 *	content, in short_message or in message_payload alike, is cut as
 *	sms_split() cuts it with 8-bit-reference UDHs, and parts (when not
 *	NULL, room for max) gets the pieces of pdu_content().  -1 when it
 *	needs more than SMS_MAX_PARTS (or max) parts.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "charset.h"
#include "pdu.h"
#include "sms.h"

#define SMS_UD_OCTETS	140
#define UDH8_LEN	6
#define UDH16_LEN	7
#define IEI_CONCAT8	0x00
#define IEI_CONCAT16	0x08

enum sms_class {
	SMS_GSM,		/* septets, escapes inside */
	SMS_IA5,		/* septets once the SMSC converts them */
	SMS_OCTETS,
	SMS_UNITS16
};

static enum sms_class
sms_class(int dc)
{
	switch (charset_alphabet(dc)) {
	case DC_DEFAULT:
		return SMS_GSM;
	case DC_IA5:
		return SMS_IA5;
	case DC_UCS2:
		return SMS_UNITS16;
	default:
		return SMS_OCTETS;
	}
}

int
sms_unit(int dc)
{
	return sms_class(dc) == SMS_UNITS16 ? 2 : 1;
}

size_t
sms_part_capacity(int dc, enum sms_concat concat, int multipart)
{
	size_t	 udh;

	udh = !multipart ? 0 : concat == SMS_CONCAT_UDH16 ? UDH16_LEN :
	    UDH8_LEN;
	switch (sms_class(dc)) {
	case SMS_GSM:
	case SMS_IA5:
		/* 160 septets less the UDH rounded up to septets */
		return SMS_UD_OCTETS * 8 / 7 - (udh * 8 + 6) / 7;
	case SMS_UNITS16:
		return (SMS_UD_OCTETS - udh) / 2;
	default:
		return SMS_UD_OCTETS - udh;
	}
}

static int
is_high(const uint8_t *p)
{
	return p[0] >= 0xD8 && p[0] <= 0xDB;
}

static int
is_low(const uint8_t *p)
{
	return p[0] >= 0xDC && p[0] <= 0xDF;
}

/*
 * The indivisible piece of content at d[i]: returns its length in
 * octets and sets *cost to what it takes of a part's capacity.  A
 * trailing odd octet of UCS-2 costs a whole unit.
 */
static size_t
sms_atom(enum sms_class cls, const uint8_t *d, size_t len, size_t i,
    size_t *cost)
{
	switch (cls) {
	case SMS_GSM:
		if (d[i] == GSM_ESC && len - i >= 2) {
			*cost = 2;
			return 2;
		}
		break;
	case SMS_IA5:
		*cost = charset_gsm_cost(d[i]) == 2 ? 2 : 1;
		return 1;
	case SMS_UNITS16:
		*cost = 1;
		if (len - i >= 4 && is_high(d + i) && is_low(d + i + 2)) {
			*cost = 2;
			return 4;
		}
		return len - i >= 2 ? 2 : 1;
	default:
		break;
	}
	*cost = 1;
	return 1;
}

/* The total cost of a content, for the question "does it fit in one". */
static size_t
sms_cost(enum sms_class cls, const uint8_t *d, size_t len)
{
	size_t	 i, c, total = 0;

	if (cls == SMS_OCTETS || cls == SMS_GSM)
		return len;	/* an escape is 2 octets and 2 septets */
	for (i = 0; i < len; total += c)
		i += sms_atom(cls, d, len, i, &c);
	return total;
}

/* Record one part; -1 when max parts are taken already. */
static int
sms_emit(struct sms_part *parts, int max, int *n, size_t off, size_t len)
{
	if (*n >= max)
		return -1;
	if (parts != NULL) {
		parts[*n].off = off;
		parts[*n].len = len;
	}
	(*n)++;
	return 0;
}

/* One pass: fill parts (when not NULL) and return their count or -1. */
static int
sms_cut(int dc, const uint8_t *d, size_t len, enum sms_concat concat,
    struct sms_part *parts, int max)
{
	enum sms_class	 cls = sms_class(dc);
	size_t		 cap, i, c, alen, off = 0, used = 0;
	int		 n = 0;

	if (sms_cost(cls, d, len) <= sms_part_capacity(dc, concat, 0))
		return sms_emit(parts, max, &n, 0, len) == -1 ? -1 : n;
	cap = sms_part_capacity(dc, concat, 1);
	for (i = 0; i < len; i += alen) {
		alen = sms_atom(cls, d, len, i, &c);
		if (used + c > cap) {
			if (sms_emit(parts, max, &n, off, i - off) == -1)
				return -1;
			off = i;
			used = 0;
		}
		used += c;
	}
	return sms_emit(parts, max, &n, off, len - off) == -1 ? -1 : n;
}

int
sms_count_parts(int dc, const uint8_t *data, size_t len)
{
	return sms_cut(dc, data, len, SMS_CONCAT_UDH8, NULL, INT_MAX);
}

int
sms_split(int dc, const uint8_t *data, size_t len, enum sms_concat concat,
    struct sms_part *parts, int max)
{
	if (max > SMS_MAX_PARTS)
		max = SMS_MAX_PARTS;
	if (max <= 0 || parts == NULL)
		return -1;
	return sms_cut(dc, data, len, concat, parts, max);
}

/* The concatenation UDH of one part; its length, or 0 if cap is short. */
size_t
sms_udh_build(uint8_t *buf, size_t cap, uint16_t ref, int ref16,
    uint8_t total, uint8_t seq)
{
	size_t	 n = 0;

	if (cap < (ref16 ? UDH16_LEN : UDH8_LEN))
		return 0;
	buf[n++] = ref16 ? UDH16_LEN - 1 : UDH8_LEN - 1;
	buf[n++] = ref16 ? IEI_CONCAT16 : IEI_CONCAT8;
	buf[n++] = ref16 ? 4 : 3;
	if (ref16)
		buf[n++] = (uint8_t)(ref >> 8);
	buf[n++] = (uint8_t)ref;
	buf[n++] = total;
	buf[n++] = seq;
	return n;
}

/* Read one concatenation element's value; -1 for a wrong length. */
static int
sms_udh_concat(uint8_t iei, const uint8_t *v, uint8_t vlen,
    struct sms_concat_info *ci)
{
	if (iei == IEI_CONCAT8 && vlen == 3) {
		ci->ref = v[0];
		ci->ref16 = 0;
	} else if (iei == IEI_CONCAT16 && vlen == 4) {
		ci->ref = (uint16_t)(v[0] << 8 | v[1]);
		ci->ref16 = 1;
		v++;
	} else
		return -1;
	ci->total = v[1];
	ci->seq = v[2];
	return 0;
}

static int
sms_concat_sane(const struct sms_concat_info *ci)
{
	return ci->total != 0 && ci->seq != 0 && ci->seq <= ci->total;
}

int
sms_udh_parse(const uint8_t *udh, size_t len, struct sms_concat_info *info,
    size_t *hdrlen)
{
	struct sms_concat_info	 ci = { 0, 0, 0, 0 };
	size_t			 end, i;
	int			 found = 0;

	if (len < 1 || (size_t)udh[0] + 1 > len)
		return -1;
	end = (size_t)udh[0] + 1;
	for (i = 1; i < end; i += 2 + (size_t)udh[i + 1]) {
		if (end - i < 2 || udh[i + 1] > end - i - 2)
			return -1;
		if (udh[i] != IEI_CONCAT8 && udh[i] != IEI_CONCAT16)
			continue;
		if (sms_udh_concat(udh[i], udh + i + 2, udh[i + 1], &ci) == -1)
			return -1;
		found = 1;
	}
	if (found && !sms_concat_sane(&ci))
		return -1;
	if (hdrlen != NULL)
		*hdrlen = end;
	if (found && info != NULL)
		*info = ci;
	return found;
}

int
sms_sar_parse(const struct pdu *p, struct sms_concat_info *info)
{
	struct sms_concat_info	 ci = { 0, 0, 0, 1 };
	const struct pdu_tlv	*t;
	unsigned		 i, seen = 0;

	for (i = 0; i < p->ntlv && i < PDU_MAX_TLV; i++) {
		t = &p->tlv[i];
		if (t->tag == TLV_SAR_MSG_REF_NUM && t->len == 2) {
			ci.ref = (uint16_t)(t->val[0] << 8 | t->val[1]);
			seen |= 1;
		} else if (t->tag == TLV_SAR_TOTAL_SEGMENTS && t->len == 1) {
			ci.total = t->val[0];
			seen |= 2;
		} else if (t->tag == TLV_SAR_SEGMENT_SEQNUM && t->len == 1) {
			ci.seq = t->val[0];
			seen |= 4;
		} else if (t->tag == TLV_SAR_MSG_REF_NUM ||
		    t->tag == TLV_SAR_TOTAL_SEGMENTS ||
		    t->tag == TLV_SAR_SEGMENT_SEQNUM)
			return -1;
	}
	if (seen == 0)
		return 0;
	if (seen != 7 || !sms_concat_sane(&ci))
		return -1;
	if (info != NULL)
		*info = ci;
	return 1;
}

int
sms_parts(const struct pdu *p, struct sms_part *parts, int max)
{
	const uint8_t	*d;
	size_t		 len;

	d = pdu_content(p, &len, NULL);
	if (((p->esm_class & ESM_UDHI) || sms_sar_parse(p, NULL) != 0) &&
	    len <= SMS_UD_OCTETS) {
		if (parts != NULL && max > 0) {
			parts[0].off = 0;
			parts[0].len = len;
		}
		return 1;
	}
	if (parts == NULL)
		max = SMS_MAX_PARTS;
	else if (max > SMS_MAX_PARTS)
		max = SMS_MAX_PARTS;
	return sms_cut(p->data_coding, d, len, SMS_CONCAT_UDH8, parts, max);
}
