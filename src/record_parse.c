/*
 * record_parse.c - reading spool records back, strictly
 *
 * SYNOPSIS
 *	record_parse(text, avail, msg, &used)
 *	record_frame(text, avail, &hdrlen, &bodylen)
 *	record_bad_name(why)
 *
 * DESCRIPTION
 *	record_parse() reads the record at the start of text (avail
 *	octets, which may hold more records after it) into msg, which owns
 *	the result: strings in msg->str, octet strings in msg->bin (one
 *	block, reused by the next parse into the same msg), the pdu's
 *	pointers into both.
 *
 *	The format is the one record_write() produces and nothing else:
 *	every key present, in order, each value in its single canonical
 *	spelling (a %XX escape only where one is needed, hex digits in
 *	the case the writer uses, no leading zeros, no blank after an
 *	empty value's colon).  A record that was edited, or damaged in a
 *	way the checksum happened to miss, is refused rather than guessed
 *	at.
 *
 *	record_frame() checks the header line alone; the segment reader
 *	uses it to tell a torn final record from a damaged one.
 *
 * DIAGNOSTICS
 *	0 with *used set; RECORD_SHORT when text ends before the record
 *	does (a prefix of a valid header, or a body cut short); RECORD_BAD
 *	with msg->bad (RECORD_E_*), msg->badline (the body's line, from 1)
 *	and msg->badkey (the key expected there); RECORD_NOMEM when the
 *	storage could not be allocated.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "record.h"
#include "smpptime.h"

/* A reader over the body of one record. */
struct rd {
	const char	*p;		/* the next line */
	const char	*end;		/* of the body */
	const char	*v;		/* the current line's value */
	size_t		 vlen;
	unsigned	 line;
	const char	*key;
	struct msg	*msg;
};

static int
bad(struct rd *r, int why)
{
	r->msg->bad = why;
	r->msg->badline = r->line;
	r->msg->badkey = r->key;
	return -1;
}

/* Value of a lower-case (lc) or upper-case hex digit, or -1. */

/* Take the next line, which must be "key:" or "key: value". */
static int
field(struct rd *r, const char *key)
{
	size_t		 klen = strlen(key);
	const char	*nl;

	r->key = key;
	r->line++;
	if (r->p == r->end)
		return bad(r, RECORD_E_KEY);
	if ((nl = memchr(r->p, '\n', (size_t)(r->end - r->p))) == NULL)
		return bad(r, RECORD_E_VALUE);
	if ((size_t)(nl - r->p) <= klen || memcmp(r->p, key, klen) != 0 ||
	    r->p[klen] != ':')
		return bad(r, RECORD_E_KEY);
	r->v = r->p + klen + 1;
	if (r->v == nl)
		r->vlen = 0;
	else if (*r->v != ' ' || nl - r->v < 2)
		return bad(r, RECORD_E_VALUE);
	else {
		r->v++;
		r->vlen = (size_t)(nl - r->v);
	}
	r->p = nl + 1;
	return 0;
}

/* A %XX-escaped string into dst (cap octets with the NUL). */
static int
get_str(struct rd *r, const char *key, char *dst, size_t cap)
{
	if (field(r, key) == -1)
		return -1;
	if (buf_pct_decode(dst, cap, r->v, r->vlen,
	    BUF_PCT_STRICT | BUF_PCT_NONUL) == -1)
		return bad(r, RECORD_E_VALUE);
	return 0;
}

static int
get_num(struct rd *r, const char *key, uint64_t max, uint64_t *v)
{
	size_t	 i;

	if (field(r, key) == -1)
		return -1;
	if (r->vlen == 0 || r->vlen > 10 || (r->v[0] == '0' && r->vlen > 1))
		return bad(r, RECORD_E_VALUE);
	*v = 0;
	for (i = 0; i < r->vlen; i++) {
		if (r->v[i] < '0' || r->v[i] > '9')
			return bad(r, RECORD_E_VALUE);
		*v = *v * 10 + (uint64_t)(r->v[i] - '0');
	}
	return *v > max ? bad(r, RECORD_E_VALUE) : 0;
}

static int
get_u8(struct rd *r, const char *key, uint8_t *u)
{
	uint64_t	 v;

	if (get_num(r, key, 255, &v) == -1)
		return -1;
	*u = (uint8_t)v;
	return 0;
}

static int
get_enum(struct rd *r, const char *key, const char *const *names, int n,
    int *idx)
{
	int	 i;

	if (field(r, key) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (strlen(names[i]) == r->vlen &&
		    memcmp(names[i], r->v, r->vlen) == 0) {
			*idx = i;
			return 0;
		}
	return bad(r, RECORD_E_VALUE);
}

/* n decimal digits at s, or -1. */
static int
digits(const char *s, int n)
{
	int	 v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}


static int
month_days(int y, int m)
{
	static const int	 mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/* "YYYY-MM-DDTHH:MM:SS" at s into seconds, or -1. */
static int64_t
parse_date(const char *s)
{
	int	 y, mo, d, h, mi, se;

	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 59)
		return -1;
	return smpptime_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

/*
 * A time: with usec, "...SS.ffffffZ" and mandatory; without, "...SSZ"
 * or empty for 0 (and then never the epoch itself spelled out).
 */
static int
get_time(struct rd *r, const char *key, int64_t *sec, long *usec)
{
	size_t	 want = usec != NULL ? 27 : 20;
	int	 f;

	if (field(r, key) == -1)
		return -1;
	if (r->vlen == 0 && usec == NULL) {
		*sec = 0;
		return 0;
	}
	if (r->vlen != want || r->v[want - 1] != 'Z' ||
	    (*sec = parse_date(r->v)) == -1 || (*sec == 0 && usec == NULL))
		return bad(r, RECORD_E_VALUE);
	if (usec != NULL) {
		if (r->v[19] != '.' || (f = digits(r->v + 20, 6)) == -1)
			return bad(r, RECORD_E_VALUE);
		*usec = f;
	}
	return 0;
}

/* Lower-case hex of len octets at s into dst. */
static int
unhex(const char *s, size_t len, uint8_t *dst)
{
	size_t	 i;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if ((hi = buf_hexval(s[2 * i], BUF_HEX_LOWER)) == -1 ||
		    (lo = buf_hexval(s[2 * i + 1], BUF_HEX_LOWER)) == -1)
			return -1;
		dst[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The octets of a hex value into msg->bin at *off, at most max. */
static int
get_hex(struct rd *r, const char *s, size_t len, size_t max, size_t *off)
{
	struct msg	*msg = r->msg;

	if (len % 2 != 0 || len / 2 > max ||
	    *off + len / 2 > msg->bincap ||
	    unhex(s, len / 2, msg->bin + *off) == -1)
		return bad(r, RECORD_E_VALUE);
	*off += len / 2;
	return 0;
}

static int
parse_meta(struct rd *r, struct msg_meta *m)
{
	static const char *const kinds[] = { "mt", "dlr", "mo" };
	uint64_t	 attempts, parts;
	int64_t		 sec;
	long		 usec;
	int		 k;

	memset(m, 0, sizeof(*m));
	if (get_str(r, "id", m->id, sizeof(m->id)) == -1 ||
	    get_enum(r, "kind", kinds, 3, &k) == -1 ||
	    get_str(r, "account", m->account, sizeof(m->account)) == -1 ||
	    get_time(r, "created", &sec, &usec) == -1 ||
	    get_time(r, "expires", &m->expires, NULL) == -1 ||
	    get_time(r, "next", &m->next_try, NULL) == -1 ||
	    get_num(r, "attempts", INT_MAX, &attempts) == -1 ||
	    get_num(r, "parts", UINT32_MAX, &parts) == -1 ||
	    get_str(r, "route", m->route, sizeof(m->route)) == -1 ||
	    get_str(r, "ref", m->ref, sizeof(m->ref)) == -1 ||
	    get_str(r, "error", m->error, sizeof(m->error)) == -1)
		return -1;
	m->kind = (enum msg_kind)(MSG_MT + k);
	m->created_us = sec * 1000000 + usec;
	m->attempts = (int)attempts;
	m->parts = (uint32_t)parts;
	return 0;
}

/* A string field of the pdu, stored in msg->str at *off. */
static int
get_pstr(struct rd *r, const char *key, size_t cap, size_t *off,
    const char **dst)
{
	char	*s = r->msg->str + *off;

	if (*off + cap > sizeof(r->msg->str))
		return bad(r, RECORD_E_VALUE);
	if (get_str(r, key, s, cap) == -1)
		return -1;
	*dst = s;
	*off += strlen(s) + 1;
	return 0;
}

static int
parse_addrs(struct rd *r, struct pdu *p, size_t *off)
{
	if (get_pstr(r, "service_type", PDU_SERVICE_TYPE_MAX, off,
	    &p->service_type) == -1 ||
	    get_u8(r, "source_addr_ton", &p->source_addr_ton) == -1 ||
	    get_u8(r, "source_addr_npi", &p->source_addr_npi) == -1 ||
	    get_pstr(r, "source_addr", PDU_ADDR_MAX_LONG, off,
	    &p->source_addr) == -1 ||
	    get_u8(r, "dest_addr_ton", &p->dest_addr_ton) == -1 ||
	    get_u8(r, "dest_addr_npi", &p->dest_addr_npi) == -1 ||
	    get_pstr(r, "destination_addr", PDU_ADDR_MAX_LONG, off,
	    &p->destination_addr) == -1)
		return -1;
	return 0;
}

static int
parse_flags(struct rd *r, struct pdu *p, size_t *off)
{
	if (get_u8(r, "esm_class", &p->esm_class) == -1 ||
	    get_u8(r, "protocol_id", &p->protocol_id) == -1 ||
	    get_u8(r, "priority_flag", &p->priority_flag) == -1 ||
	    get_pstr(r, "schedule_delivery_time", PDU_TIME_MAX, off,
	    &p->schedule_delivery_time) == -1 ||
	    get_pstr(r, "validity_period", PDU_TIME_MAX, off,
	    &p->validity_period) == -1 ||
	    get_u8(r, "registered_delivery", &p->registered_delivery) == -1 ||
	    get_u8(r, "replace_if_present_flag",
	    &p->replace_if_present_flag) == -1 ||
	    get_u8(r, "data_coding", &p->data_coding) == -1 ||
	    get_u8(r, "sm_default_msg_id", &p->sm_default_msg_id) == -1)
		return -1;
	return 0;
}

/* "tlv: TTTT" or "tlv: TTTT HEX" lines up to the end of the body. */
static int
parse_tlvs(struct rd *r, struct pdu *p, size_t *boff)
{
	struct pdu_tlv	*t;
	size_t		 start;
	uint8_t		 tag[2];

	while (r->p < r->end) {
		if (field(r, "tlv") == -1)
			return -1;
		if (p->ntlv == PDU_MAX_TLV || r->vlen < 4 ||
		    (r->vlen > 4 && (r->vlen < 6 || r->v[4] != ' ')) ||
		    unhex(r->v, 2, tag) == -1)
			return bad(r, RECORD_E_VALUE);
		start = *boff;
		if (r->vlen > 4 && get_hex(r, r->v + 5, r->vlen - 5,
		    UINT16_MAX, boff) == -1)
			return -1;
		t = &p->tlv[p->ntlv++];
		t->tag = (uint16_t)(tag[0] << 8 | tag[1]);
		t->len = (uint16_t)(*boff - start);
		t->val = r->msg->bin + start;
	}
	return 0;
}

static int
parse_pdu(struct rd *r, struct pdu *p)
{
	static const char *const cmds[] = { "submit_sm", "data_sm",
				    "deliver_sm" };
	static const uint32_t	 ids[] = { SMPP_SUBMIT_SM, SMPP_DATA_SM,
				    SMPP_DELIVER_SM };
	size_t			 soff = 0, boff = 0;
	int			 c;

	memset(p, 0, sizeof(*p));
	if (get_enum(r, "command", cmds, 3, &c) == -1 ||
	    parse_addrs(r, p, &soff) == -1 ||
	    parse_flags(r, p, &soff) == -1 ||
	    field(r, "short_message") == -1 ||
	    get_hex(r, r->v, r->vlen, PDU_SM_MAX_IN, &boff) == -1)
		return -1;
	p->command_id = ids[c];
	p->short_message = r->msg->bin;
	p->sm_length = (uint8_t)boff;
	if (parse_tlvs(r, p, &boff) == -1)
		return -1;
	r->msg->binlen = boff;
	return 0;
}

/* The header: "%smppd1 BODYLEN CRC32\n". */
static int
frame(const char *text, size_t avail, size_t *hlen, size_t *blen,
    uint32_t *crc, int *why)
{
	size_t	 m = sizeof(RECORD_MAGIC) - 1, i, c0, n;
	int	 d;

	*why = RECORD_E_MAGIC;
	if (memcmp(text, RECORD_MAGIC, avail < m ? avail : m) != 0)
		return RECORD_BAD;
	if (avail <= m)
		return RECORD_SHORT;
	*why = RECORD_E_HEADER;
	for (i = m, n = 0; i < avail && text[i] >= '0' && text[i] <= '9';
	    i++) {
		if (i - m == 8 || (i > m && text[m] == '0'))
			return RECORD_BAD;
		n = n * 10 + (size_t)(text[i] - '0');
	}
	if (i == avail)
		return RECORD_SHORT;
	if (i == m || text[i] != ' ')
		return RECORD_BAD;
	if (n > RECORD_BODY_MAX) {
		*why = RECORD_E_LENGTH;
		return RECORD_BAD;
	}
	for (c0 = ++i, *crc = 0; i < avail && i - c0 < 8; i++) {
		if ((d = buf_hexval(text[i], BUF_HEX_LOWER)) == -1)
			return RECORD_BAD;
		*crc = *crc << 4 | (uint32_t)d;
	}
	if (i == avail)
		return RECORD_SHORT;
	if (text[i] != '\n')
		return RECORD_BAD;
	*hlen = i + 1;
	*blen = n;
	return 0;
}

int
record_frame(const char *text, size_t avail, size_t *hlen, size_t *blen)
{
	uint32_t	 crc;
	int		 why;

	return frame(text, avail, hlen, blen, &crc, &why);
}

int
record_parse(const char *text, size_t avail, struct msg *msg, size_t *used)
{
	struct rd	 r;
	size_t		 hlen, blen;
	uint32_t	 crc;
	int		 rc, why;

	msg->bad = 0;
	msg->badline = 0;
	msg->badkey = "";
	if ((rc = frame(text, avail, &hlen, &blen, &crc, &why)) != 0) {
		if (rc == RECORD_BAD)
			msg->bad = why;
		return rc;
	}
	if (avail - hlen < blen)
		return RECORD_SHORT;
	if (record_crc32(0, text + hlen, blen) != crc) {
		msg->bad = RECORD_E_CHECKSUM;
		return RECORD_BAD;
	}
	if (record_msg_reserve(msg, blen / 2 + 1) == -1)
		return RECORD_NOMEM;
	memset(&r, 0, sizeof(r));
	r.p = text + hlen;
	r.end = r.p + blen;
	r.key = "";
	r.msg = msg;
	if (parse_meta(&r, &msg->meta) == -1 ||
	    parse_pdu(&r, &msg->pdu) == -1)
		return RECORD_BAD;
	*used = hlen + blen;
	return 0;
}

const char *
record_bad_name(int why)
{
	switch (why) {
	case RECORD_E_MAGIC:
		return "not a record (bad magic or version)";
	case RECORD_E_HEADER:
		return "malformed header";
	case RECORD_E_LENGTH:
		return "body too long";
	case RECORD_E_CHECKSUM:
		return "checksum mismatch";
	case RECORD_E_KEY:
		return "unknown, missing or misplaced key";
	case RECORD_E_VALUE:
		return "bad value";
	}
	return "no error";
}
