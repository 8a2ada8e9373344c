/*
 * record.c - writing spool records: framing, CRC-32, field encoding
 *
 * SYNOPSIS
 *	record_write(buf, meta, pdu)	append one framed record to buf
 *	record_crc32(crc, data, len)	CRC-32 (IEEE 802.3), crc 0 to start
 *	record_msg_init(msg)	record_msg_free(msg)	record_msg_copy(msg, meta, pdu)
 *
 * DESCRIPTION
 *	A record is "%smppd1 BODYLEN CRC32\n" and a body of "key: value"
 *	lines in a fixed order (smppd-spool(5)); record_parse.c reads it
 *	back.  A value is written in exactly one way, so that parsing and
 *	writing again gives the same octets: strings are %XX-escaped with
 *	upper-case digits (octets outside 0x21-0x7e and '%'), octet
 *	strings are lower-case hex, numbers are decimal without leading
 *	zeros, and an empty value is "key:" with no blank after the colon.
 *
 *	record_write() runs once per accepted submit_sm, so it formats
 *	without printf(3) and without allocating per field: it reserves
 *	an upper bound once, writes the body behind room for the longest
 *	header, and moves the body down when the header came out shorter.
 *	It refuses (EINVAL) what record_parse() would not read back: an
 *	unknown kind or command, strings longer than their SMPP maximum,
 *	times outside 1970-9999; EMSGSIZE past RECORD_BODY_MAX.  On any
 *	failure the buffer is left as it was.
 *
 *	The CRC-32 is the table-driven "slicing by 8" form, which reads
 *	eight octets per step: about 1 ns per octet instead of 3.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "record.h"

#define CRC_POLY	0xedb88320U	/* IEEE 802.3, bit-reversed */

/* The most octets of values that are not strings or octet strings. */
#define FIXED_MAX	1024

static uint32_t	 crctab[8][256];
static int	 crcready;

static const char hexlc[] = "0123456789abcdef";

static void
crc32_init(void)
{
	uint32_t	 c;
	int		 i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC_POLY : c >> 1;
		crctab[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		c = crctab[0][i];
		for (k = 1; k < 8; k++) {
			c = crctab[0][c & 0xff] ^ (c >> 8);
			crctab[k][i] = c;
		}
	}
	crcready = 1;
}

uint32_t
record_crc32(uint32_t crc, const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 a, b;

	if (!crcready)
		crc32_init();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		b = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
		crc = crctab[7][a & 0xff] ^ crctab[6][(a >> 8) & 0xff] ^
		    crctab[5][(a >> 16) & 0xff] ^ crctab[4][a >> 24] ^
		    crctab[3][b & 0xff] ^ crctab[2][(b >> 8) & 0xff] ^
		    crctab[1][(b >> 16) & 0xff] ^ crctab[0][b >> 24];
	}
	while (len-- > 0)
		crc = crctab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* "key:" */
#define PUT_KEY(o, k)	(memcpy((o), k ":", sizeof(k)), (o) + sizeof(k))

static char *
put_str(char *o, const char *s, size_t len)
{
	if (len > 0) {
		*o++ = ' ';
		/* The caller sized the record for 3 octets per octet. */
		o += buf_pct_encode(o, 3 * len, s, len);
	}
	*o++ = '\n';
	return o;
}

static char *
put_digits(char *o, uint64_t v)
{
	char	 tmp[20];
	int	 n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*o++ = tmp[--n];
	return o;
}

static char *
put_uint(char *o, uint64_t v)
{
	*o++ = ' ';
	o = put_digits(o, v);
	*o++ = '\n';
	return o;
}

static char *
put_hex(char *o, const uint8_t *p, size_t len)
{
	size_t	 i;

	if (len > 0)
		*o++ = ' ';
	for (i = 0; i < len; i++) {
		*o++ = hexlc[p[i] >> 4];
		*o++ = hexlc[p[i] & 0x0f];
	}
	*o++ = '\n';
	return o;
}

static char *
put_2(char *o, unsigned v, char sep)
{
	*o++ = (char)('0' + v / 10);
	*o++ = (char)('0' + v % 10);
	*o++ = sep;
	return o;
}

/*
 * " 2026-11-29T06:27:35Z\n", or with usec >= 0 ".123456Z"; sec 0 and
 * usec < 0 is the empty value.  The calendar is computed from the day
 * number (era of 400 years, then year of era, then March-based month)
 * rather than by gmtime(3), which would consult the time zone.
 */
static char *
put_time(char *o, int64_t sec, long usec)
{
	int64_t		 days, doe, yoe, doy, mp, y;
	unsigned	 sod, m, d;
	int		 i;

	if (sec == 0 && usec < 0) {
		*o++ = '\n';
		return o;
	}
	days = sec / 86400 + 719468;	/* days since 0000-03-01 */
	sod = (unsigned)(sec % 86400);
	doe = days % 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = days / 146097 * 400 + yoe + (m <= 2);
	*o++ = ' ';
	for (i = 3; i >= 0; i--) {
		o[i] = (char)('0' + y % 10);
		y /= 10;
	}
	o[4] = '-';
	o = put_2(o + 5, m, '-');
	o = put_2(o, d, 'T');
	o = put_2(o, sod / 3600, ':');
	o = put_2(o, sod / 60 % 60, ':');
	o = put_2(o, sod % 60, '.');
	if (usec >= 0) {
		for (i = 5; i >= 0; i--) {
			o[i] = (char)('0' + usec % 10);
			usec /= 10;
		}
		o += 6;
	} else
		o--;	/* no fraction: drop the '.' */
	*o++ = 'Z';
	*o++ = '\n';
	return o;
}

/* Length of a string of at most max characters, or -1. */
static ssize_t
str_len(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strnlen(s, max + 1);
	return n > max ? -1 : (ssize_t)n;
}

static const char *
kind_name(enum msg_kind k)
{
	switch (k) {
	case MSG_MT:
		return "mt";
	case MSG_DLR:
		return "dlr";
	case MSG_MO:
		return "mo";
	}
	return NULL;
}

static const char *
command_name(uint32_t id)
{
	switch (id) {
	case SMPP_SUBMIT_SM:
		return "submit_sm";
	case SMPP_DATA_SM:
		return "data_sm";
	case SMPP_DELIVER_SM:
		return "deliver_sm";
	}
	return NULL;
}

#define TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

/* The upper bound of the body, or 0 when something cannot be written. */
static size_t
body_bound(const struct msg_meta *m, const struct pdu *p, ssize_t sl[5])
{
	size_t		 n = FIXED_MAX;
	unsigned	 i;

	if (kind_name(m->kind) == NULL || command_name(p->command_id) == NULL ||
	    m->created_us < 0 || m->created_us / 1000000 > TIME_MAX ||
	    m->expires < 0 || m->expires > TIME_MAX ||
	    m->next_try < 0 || m->next_try > TIME_MAX || m->attempts < 0 ||
	    p->ntlv > PDU_MAX_TLV ||
	    (p->short_message == NULL && p->sm_length > 0))
		return 0;
	sl[0] = str_len(p->service_type, PDU_SERVICE_TYPE_MAX - 1);
	sl[1] = str_len(p->source_addr, PDU_ADDR_MAX_LONG - 1);
	sl[2] = str_len(p->destination_addr, PDU_ADDR_MAX_LONG - 1);
	sl[3] = str_len(p->schedule_delivery_time, PDU_TIME_MAX - 1);
	sl[4] = str_len(p->validity_period, PDU_TIME_MAX - 1);
	for (i = 0; i < 5; i++) {
		if (sl[i] < 0)
			return 0;
		n += 3 * (size_t)sl[i];
	}
	n += 3 * (sizeof(m->id) + sizeof(m->account) + sizeof(m->route) +
	    sizeof(m->ref) + sizeof(m->error));
	n += 2 * (size_t)p->sm_length;
	for (i = 0; i < p->ntlv; i++) {
		if (p->tlv[i].val == NULL && p->tlv[i].len > 0)
			return 0;
		n += 16 + 2 * (size_t)p->tlv[i].len;
	}
	return n;
}

/* The meta strings must be terminated within their arrays. */
static int
meta_ok(const struct msg_meta *m)
{
	return memchr(m->id, '\0', sizeof(m->id)) != NULL &&
	    memchr(m->account, '\0', sizeof(m->account)) != NULL &&
	    memchr(m->route, '\0', sizeof(m->route)) != NULL &&
	    memchr(m->ref, '\0', sizeof(m->ref)) != NULL &&
	    memchr(m->error, '\0', sizeof(m->error)) != NULL;
}

static char *
put_meta(char *o, const struct msg_meta *m)
{
	const char	*k = kind_name(m->kind);

	o = put_str(PUT_KEY(o, "id"), m->id, strlen(m->id));
	o = put_str(PUT_KEY(o, "kind"), k, strlen(k));
	o = put_str(PUT_KEY(o, "account"), m->account, strlen(m->account));
	o = put_time(PUT_KEY(o, "created"), m->created_us / 1000000,
	    (long)(m->created_us % 1000000));
	o = put_time(PUT_KEY(o, "expires"), m->expires, -1);
	o = put_time(PUT_KEY(o, "next"), m->next_try, -1);
	o = put_uint(PUT_KEY(o, "attempts"), (uint64_t)m->attempts);
	o = put_uint(PUT_KEY(o, "parts"), m->parts);
	o = put_str(PUT_KEY(o, "route"), m->route, strlen(m->route));
	o = put_str(PUT_KEY(o, "ref"), m->ref, strlen(m->ref));
	o = put_str(PUT_KEY(o, "error"), m->error, strlen(m->error));
	return o;
}

static char *
put_pdu(char *o, const struct pdu *p, const ssize_t sl[5])
{
	const char	*c = command_name(p->command_id);
	unsigned	 i;

	o = put_str(PUT_KEY(o, "command"), c, strlen(c));
	o = put_str(PUT_KEY(o, "service_type"), p->service_type, sl[0]);
	o = put_uint(PUT_KEY(o, "source_addr_ton"), p->source_addr_ton);
	o = put_uint(PUT_KEY(o, "source_addr_npi"), p->source_addr_npi);
	o = put_str(PUT_KEY(o, "source_addr"), p->source_addr, sl[1]);
	o = put_uint(PUT_KEY(o, "dest_addr_ton"), p->dest_addr_ton);
	o = put_uint(PUT_KEY(o, "dest_addr_npi"), p->dest_addr_npi);
	o = put_str(PUT_KEY(o, "destination_addr"), p->destination_addr,
	    sl[2]);
	o = put_uint(PUT_KEY(o, "esm_class"), p->esm_class);
	o = put_uint(PUT_KEY(o, "protocol_id"), p->protocol_id);
	o = put_uint(PUT_KEY(o, "priority_flag"), p->priority_flag);
	o = put_str(PUT_KEY(o, "schedule_delivery_time"),
	    p->schedule_delivery_time, sl[3]);
	o = put_str(PUT_KEY(o, "validity_period"), p->validity_period, sl[4]);
	o = put_uint(PUT_KEY(o, "registered_delivery"),
	    p->registered_delivery);
	o = put_uint(PUT_KEY(o, "replace_if_present_flag"),
	    p->replace_if_present_flag);
	o = put_uint(PUT_KEY(o, "data_coding"), p->data_coding);
	o = put_uint(PUT_KEY(o, "sm_default_msg_id"), p->sm_default_msg_id);
	o = put_hex(PUT_KEY(o, "short_message"), p->short_message,
	    p->sm_length);
	for (i = 0; i < p->ntlv; i++) {
		o = PUT_KEY(o, "tlv");
		*o++ = ' ';
		*o++ = hexlc[p->tlv[i].tag >> 12];
		*o++ = hexlc[(p->tlv[i].tag >> 8) & 0x0f];
		*o++ = hexlc[(p->tlv[i].tag >> 4) & 0x0f];
		*o++ = hexlc[p->tlv[i].tag & 0x0f];
		o = put_hex(o, p->tlv[i].val, p->tlv[i].len);
	}
	return o;
}

/*
 * Append one record.  Returns 0, or -1 with errno (EINVAL, EMSGSIZE,
 * ENOMEM) and the buffer unchanged.
 */
int
record_write(struct buf *b, const struct msg_meta *m, const struct pdu *p)
{
	char		 hdr[RECORD_HEADER_MAX], *body, *o;
	ssize_t		 sl[5];
	size_t		 bound, blen, hlen;
	uint32_t	 crc;
	int		 i;

	if ((bound = body_bound(m, p, sl)) == 0 || !meta_ok(m)) {
		errno = EINVAL;
		return -1;
	}
	if (buf_reserve(b, RECORD_HEADER_MAX + bound) == -1)
		return -1;
	body = (char *)b->data + b->len + RECORD_HEADER_MAX;
	o = put_pdu(put_meta(body, m), p, sl);
	if ((blen = (size_t)(o - body)) > RECORD_BODY_MAX) {
		b->data[b->len] = '\0';
		errno = EMSGSIZE;
		return -1;
	}
	crc = record_crc32(0, body, blen);
	memcpy(hdr, RECORD_MAGIC, sizeof(RECORD_MAGIC) - 1);
	o = put_digits(hdr + sizeof(RECORD_MAGIC) - 1, blen);
	*o++ = ' ';
	for (i = 7; i >= 0; i--)
		*o++ = hexlc[(crc >> (4 * i)) & 0x0f];
	*o++ = '\n';
	hlen = (size_t)(o - hdr);
	if (hlen < RECORD_HEADER_MAX)
		memmove(b->data + b->len + hlen, body, blen);
	memcpy(b->data + b->len, hdr, hlen);
	b->len += hlen + blen;
	b->data[b->len] = '\0';
	return 0;
}

void
record_msg_init(struct msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	msg->bin = NULL;
	msg->badkey = "";
}

void
record_msg_free(struct msg *msg)
{
	free(msg->bin);
	record_msg_init(msg);
}

/*
 * Give msg a storage block of at least n octets for short_message and
 * TLV values, reusing the one it has.  Internal to record*.c.
 */
int
record_msg_reserve(struct msg *msg, size_t n)
{
	uint8_t	*p;

	if (n == 0)
		n = 1;
	if (msg->bin != NULL && msg->bincap >= n)
		return 0;
	if ((p = malloc(n)) == NULL)
		return -1;
	free(msg->bin);
	msg->bin = p;
	msg->bincap = n;
	return 0;
}

/* Copy string s into msg->str at *off; the result points there. */
static const char *
copy_str(struct msg *msg, size_t *off, const char *s, size_t max)
{
	size_t	 n = s == NULL ? 0 : strnlen(s, max + 1);
	char	*d;

	if (n > max || *off + n + 1 > sizeof(msg->str))
		return NULL;
	d = msg->str + *off;
	if (n > 0)
		memcpy(d, s, n);
	d[n] = '\0';
	*off += n + 1;
	return d;
}

/* Copy the octet strings of p into msg->bin; q gets the pointers. */
static int
copy_bin(struct msg *msg, struct pdu *q, const struct pdu *p)
{
	size_t		 n = p->sm_length;
	unsigned	 i;

	for (i = 0; i < p->ntlv; i++)
		n += p->tlv[i].len;
	if (record_msg_reserve(msg, n) == -1)
		return -1;
	n = 0;
	if (p->sm_length > 0)
		memcpy(msg->bin, p->short_message, p->sm_length);
	q->short_message = msg->bin;
	n = p->sm_length;
	for (i = 0; i < p->ntlv; i++) {
		q->tlv[i] = p->tlv[i];
		q->tlv[i].val = msg->bin + n;
		if (p->tlv[i].len > 0)
			memcpy(msg->bin + n, p->tlv[i].val, p->tlv[i].len);
		n += p->tlv[i].len;
	}
	msg->binlen = n;
	return 0;
}

/*
 * Deep-copy meta and the fields of p that a record holds into msg, so
 * that it no longer refers to p's buffer.  Returns 0, or -1 with errno
 * EINVAL (a string longer than a record holds) or ENOMEM.
 */
int
record_msg_copy(struct msg *msg, const struct msg_meta *m, const struct pdu *p)
{
	struct pdu	*q = &msg->pdu;
	size_t		 off = 0;

	if (p->ntlv > PDU_MAX_TLV ||
	    (p->short_message == NULL && p->sm_length > 0)) {
		errno = EINVAL;
		return -1;
	}
	msg->meta = *m;
	memset(q, 0, sizeof(*q));
	q->command_id = p->command_id;
	q->command_status = p->command_status;
	q->sequence_number = p->sequence_number;
	if ((q->service_type = copy_str(msg, &off, p->service_type,
	    PDU_SERVICE_TYPE_MAX - 1)) == NULL ||
	    (q->source_addr = copy_str(msg, &off, p->source_addr,
	    PDU_ADDR_MAX_LONG - 1)) == NULL ||
	    (q->destination_addr = copy_str(msg, &off, p->destination_addr,
	    PDU_ADDR_MAX_LONG - 1)) == NULL ||
	    (q->schedule_delivery_time = copy_str(msg, &off,
	    p->schedule_delivery_time, PDU_TIME_MAX - 1)) == NULL ||
	    (q->validity_period = copy_str(msg, &off, p->validity_period,
	    PDU_TIME_MAX - 1)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	q->source_addr_ton = p->source_addr_ton;
	q->source_addr_npi = p->source_addr_npi;
	q->dest_addr_ton = p->dest_addr_ton;
	q->dest_addr_npi = p->dest_addr_npi;
	q->esm_class = p->esm_class;
	q->protocol_id = p->protocol_id;
	q->priority_flag = p->priority_flag;
	q->registered_delivery = p->registered_delivery;
	q->replace_if_present_flag = p->replace_if_present_flag;
	q->data_coding = p->data_coding;
	q->sm_default_msg_id = p->sm_default_msg_id;
	q->sm_length = p->sm_length;
	q->ntlv = p->ntlv;
	return copy_bin(msg, q, p);
}
