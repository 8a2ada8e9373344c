/*
 * conn_helper_line.c - the lines of the helper protocol, version 1:
 * messages to a helper program, answers, receipts and MO from it
 *
 * SYNOPSIS
 *	conn_helper_line_hello(buf, connector)
 *	conn_helper_line_msg(buf, msg)
 *	conn_helper_line_parse(line, answer)
 *
 * DESCRIPTION
 *	Every line ends with a newline; its words are separated by one
 *	space.  A value that is text is percent-escaped (buf_pct_encode()):
 *	an octet below 0x21 or above 0x7E, and '%', is written as %XX
 *	(upper case hex), so that a word never holds a space or a line
 *	end; a key ends at the first '='; an empty value is empty.  Octet strings are plain hex (written in lower
 *	case, read in either).
 *
 *	conn_helper_line_hello() writes the first line a helper reads:
 *
 *	    HELLO smppd-helper 1 connector=NAME
 *
 *	conn_helper_line_msg() writes one message:
 *
 *	    MSG id=ID account=A src=S src_ton=N src_npi=N dst=D dst_ton=N
 *	      dst_npi=N service_type=T data_coding=N esm_class=N
 *	      protocol_id=N priority=N registered_delivery=N attempts=N
 *	      sm=HEX text=TEXT [tlv=TAG:HEX,TAG:HEX...]
 *
 *	(one line).  sm is short_message as submitted, UDH included;
 *	text the text without UDH (short_message, or message_payload),
 *	decoded to UTF-8 by its data_coding (binary content: its hex);
 *	tlv the optional parameters, tag in four hex digits.  Words a
 *	helper does not know must be ignored: later versions add some.
 *
 *	conn_helper_line_parse() reads one line from a helper (newline
 *	removed):
 *
 *	    ACCEPTED ID UPSTREAM-ID	the upstream took it: its receipt
 *					comes with a DLR line
 *	    DELIVERED ID		delivered: a DELIVRD receipt now
 *	    RETRY ID [SECONDS [REASON]]	try again, after SECONDS or the
 *					back-off
 *	    FAILED ID STATUS [REASON]	an error status (decimal, or hex
 *					with 0x), classified as an
 *					upstream's (smppconn(8))
 *	    DLR UPSTREAM-ID STAT [ERR]	a receipt: STAT one of DELIVRD
 *					EXPIRED DELETED UNDELIV ACCEPTD
 *					UNKNOWN REJECTD ENROUTE
 *	    MO SRC DST HEX [DCS]	a message from a phone
 *
 *	ID and UPSTREAM-ID, SRC, DST and REASON are percent-escaped.  It
 *	returns 0, or -1 for a line that is none of these (garbage).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "charset.h"
#include "conn_helper.h"
#include "dlr.h"

static int
put_esc(struct buf *b, const char *key, const char *v, size_t len)
{
	int	 n;

	if (buf_printf(b, " %s=", key) == -1 || buf_reserve(b, 3 * len + 1) ==
	    -1 || (n = buf_pct_encode((char *)b->data + b->len, 3 * len + 1, v,
	    len)) == -1)
		return -1;
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return 0;
}

static int
put_str(struct buf *b, const char *key, const char *v)
{
	return put_esc(b, key, v != NULL ? v : "", v != NULL ? strlen(v) : 0);
}

static int
put_num(struct buf *b, const char *key, long long v)
{
	return buf_printf(b, " %s=%lld", key, v);
}

static int
put_hex(struct buf *b, const char *key, const uint8_t *p, size_t len)
{
	if (buf_printf(b, " %s=", key) == -1)
		return -1;
	return len > 0 ? buf_hex(b, p, len) : 0;
}

static int
put_text(struct buf *b, const struct pdu *p)
{
	const uint8_t	*s;
	size_t		 n, udh, len;
	char		*text;
	int		 rc;

	s = pdu_content(p, &n, &udh);
	if ((text = malloc((n - udh) * 4 + 1)) == NULL)
		return -1;
	len = charset_decode(p->data_coding, s + udh, n - udh, text,
	    (n - udh) * 4 + 1);
	rc = put_esc(b, "text", text, len);
	free(text);
	return rc;
}

static int
put_tlvs(struct buf *b, const struct pdu *p)
{
	unsigned	 i;

	for (i = 0; i < p->ntlv; i++)
		if (buf_printf(b, i == 0 ? " tlv=%04X:" : ",%04X:",
		    p->tlv[i].tag) == -1 || (p->tlv[i].len > 0 &&
		    buf_hex(b, p->tlv[i].val, p->tlv[i].len) == -1))
			return -1;
	return 0;
}

int
conn_helper_line_hello(struct buf *b, const char *connector)
{
	return buf_printf(b, "HELLO smppd-helper %d connector=%s\n",
	    HELPER_VERSION, connector);
}

int
conn_helper_line_msg(struct buf *b, const struct msg *m)
{
	const struct pdu	*p = &m->pdu;

	if (buf_puts(b, "MSG") == -1 ||
	    put_str(b, "id", m->meta.id) == -1 ||
	    put_str(b, "account", m->meta.account) == -1 ||
	    put_str(b, "src", p->source_addr) == -1 ||
	    put_num(b, "src_ton", p->source_addr_ton) == -1 ||
	    put_num(b, "src_npi", p->source_addr_npi) == -1 ||
	    put_str(b, "dst", p->destination_addr) == -1 ||
	    put_num(b, "dst_ton", p->dest_addr_ton) == -1 ||
	    put_num(b, "dst_npi", p->dest_addr_npi) == -1 ||
	    put_str(b, "service_type", p->service_type) == -1 ||
	    put_num(b, "data_coding", p->data_coding) == -1 ||
	    put_num(b, "esm_class", p->esm_class) == -1 ||
	    put_num(b, "protocol_id", p->protocol_id) == -1 ||
	    put_num(b, "priority", p->priority_flag) == -1 ||
	    put_num(b, "registered_delivery", p->registered_delivery) == -1 ||
	    put_num(b, "attempts", m->meta.attempts) == -1 ||
	    put_hex(b, "sm", p->short_message, p->sm_length) == -1 ||
	    put_text(b, p) == -1 || put_tlvs(b, p) == -1)
		return -1;
	return buf_putc(b, '\n');
}

/* Percent-unescape word into out (cap octets with its NUL); -1 if bad. */
static int
unesc(const char *w, char *out, size_t cap)
{
	return buf_pct_decode(out, cap, w, strlen(w), BUF_PCT_NONUL) == -1 ?
	    -1 : 0;
}

static int
number(const char *w, unsigned long max, unsigned long *v)
{
	char	*end;

	if (w == NULL || *w == '\0' || *w == '-' || *w == '+')
		return -1;
	*v = strtoul(w, &end, 0);
	return *end == '\0' && *v <= max ? 0 : -1;
}

/* Split at single spaces: at most max words, the last keeps the rest. */
static int
words(char *line, char **w, int max)
{
	int	 n = 0;
	char	*p = line;

	while (n < max && p != NULL && *p != '\0') {
		w[n++] = p;
		if (n == max)
			break;
		if ((p = strchr(p, ' ')) != NULL)
			*p++ = '\0';
	}
	return n;
}

static int
parse_mo(char **w, int n, struct helper_answer *a)
{
	unsigned long	 dcs = 0;
	int		 len;

	if (n < 4 || unesc(w[1], a->src, sizeof(a->src)) == -1 ||
	    unesc(w[2], a->dst, sizeof(a->dst)) == -1 ||
	    (len = buf_hex_decode(w[3], strlen(w[3]), a->sm,
	    sizeof(a->sm) - 1)) == -1 ||
	    (n > 4 && number(w[4], 255, &dcs) == -1))
		return -1;
	a->smlen = (size_t)len;
	a->data_coding = (uint8_t)dcs;
	return 0;
}

int
conn_helper_line_parse(char *line, struct helper_answer *a)
{
	char		*w[5];
	unsigned long	 v;
	int		 n;

	memset(a, 0, sizeof(*a));
	line[strcspn(line, "\r")] = '\0';
	n = words(line, w, 5);
	if (n < 2)
		return -1;
	if (strcmp(w[0], "MO") == 0) {
		a->verb = HV_MO;
		return parse_mo(w, n, a);
	}
	if (n > 4)	/* a reason may hold spaces: the rest of the line */
		w[3][strlen(w[3])] = ' ';
	if (strcmp(w[0], "DLR") == 0) {
		a->verb = HV_DLR;
		if (n < 3 || unesc(w[1], a->upstream, sizeof(a->upstream)) ==
		    -1 || dlr_stat_state(w[2]) == -1 || (n > 3 &&
		    number(w[3], 999, &v) == -1))
			return -1;
		strlcpy(a->stat, w[2], sizeof(a->stat));
		a->status = n > 3 ? (uint32_t)v : 0;
		return 0;
	}
	if (unesc(w[1], a->id, sizeof(a->id)) == -1 || a->id[0] == '\0')
		return -1;
	if (strcmp(w[0], "ACCEPTED") == 0) {
		a->verb = HV_ACCEPTED;
		return n >= 3 && unesc(w[2], a->upstream,
		    sizeof(a->upstream)) == 0 && a->upstream[0] != '\0' ? 0 :
		    -1;
	}
	if (strcmp(w[0], "DELIVERED") == 0) {
		a->verb = HV_DELIVERED;
		return n == 2 ? 0 : -1;
	}
	if (strcmp(w[0], "RETRY") == 0) {
		a->verb = HV_RETRY;
		if (n > 2 && number(w[2], 86400, &v) == -1)
			return -1;
		a->delay = n > 2 ? (int)v : 0;
		return n > 3 ? unesc(w[3], a->reason, sizeof(a->reason)) : 0;
	}
	if (strcmp(w[0], "FAILED") == 0) {
		a->verb = HV_FAILED;
		if (n < 3 || number(w[2], 0xFFFFFFFFUL, &v) == -1 || v == 0)
			return -1;
		a->status = (uint32_t)v;
		return n > 3 ? unesc(w[3], a->reason, sizeof(a->reason)) : 0;
	}
	return -1;
}
