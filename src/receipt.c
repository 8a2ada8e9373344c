/*
 * receipt.c - the delivery receipts smppconn queues for an account
 *
 * SYNOPSIS
 *	receipt_kind(message_state)
 *	receipt_wanted(registered_delivery, message_state)
 *	receipt_text(pdu, out, cap)
 *	receipt_of_msg(of, msg)
 *	receipt_build(r, of, stat, err, done)
 *
 * DESCRIPTION
 *	A receipt is a deliver_sm for the account that submitted the
 *	original message: esm_class 0x04 (SMSC delivery receipt), source
 *	and destination (with their TON and NPI) swapped from the
 *	original, data_coding 0, and as short_message the SMPP v3.4
 *	Appendix B text
 *
 *	    id:ID sub:001 dlvrd:001 submit date:YYMMDDhhmm
 *	    done date:YYMMDDhhmm stat:DELIVRD err:000 text:...
 *
 *	with our message_id, the time the message was accepted, the time
 *	of the final state, its stat word and err code, and the first 20
 *	characters of the original text in printable ASCII.  The optional
 *	parameters receipted_message_id (our id, with its NUL) and
 *	message_state follow.  dlvrd is 001 for DELIVRD and 000 otherwise.
 *
 *	receipt_wanted() applies registered_delivery: bits 0-1 = 1,
 *	a receipt for every final state; = 2, only for a failure; bit 4
 *	(0x10), intermediate states too (ENROUTE, ACCEPTD).  ACCEPTD is
 *	taken as intermediate, as upstreams send it when they accepted a
 *	message, before the final state.
 *
 *	receipt_text() takes the text of a message (short_message
 *	after its UDH, or message_payload), decodes it by its data_coding
 *	(binary content comes out as hex) and keeps the first 20
 *	characters: printable ASCII as it is, blanks for line breaks and
 *	tabs, '?' for everything else, since the receipt itself is plain
 *	ASCII.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "compat.h"
#include "charset.h"
#include "receipt.h"
#include "dlr.h"
#include "msgid.h"
#include "spool.h"

int
receipt_kind(int state)
{
	switch (state) {
	case MSTATE_DELIVERED:
		return RECEIPT_SUCCESS;
	case MSTATE_ENROUTE:
	case MSTATE_ACCEPTED:
		return RECEIPT_INTERMEDIATE;
	default:
		return RECEIPT_FAILURE;
	}
}

int
receipt_wanted(uint8_t rd, int state)
{
	int	 want = rd & REGDLV_RECEIPT_MASK;

	switch (receipt_kind(state)) {
	case RECEIPT_SUCCESS:
		return want == 1;
	case RECEIPT_FAILURE:
		return want == 1 || want == 2;
	default:
		return (rd & REGDLV_INTERMEDIATE) != 0;
	}
}

/* The octets of a message's text: short_message past its UDH, or payload. */
static const uint8_t *
content(const struct pdu *p, size_t *len)
{
	const uint8_t	*s;
	size_t		 udh;

	s = pdu_content(p, len, &udh);
	*len -= udh;
	return s + udh;
}

/* Length of the UTF-8 sequence that starts with c (1 for a stray octet). */
static size_t
utf8_len(unsigned char c)
{
	if (c >= 0xF0 && c < 0xF8)
		return 4;
	if (c >= 0xE0)
		return c < 0xF0 ? 3 : 1;
	if (c >= 0xC0)
		return 2;
	return 1;
}

static void
receipt_text(const struct pdu *p, char *out, size_t cap)
{
	char		 utf8[RECEIPT_TEXT_MAX * 8 + 8];
	const uint8_t	*s;
	size_t		 n, len, i, o = 0, k;
	unsigned char	 c;

	if (cap == 0)
		return;
	s = content(p, &len);
	/* 8 octets of input are at least 20 characters of any coding. */
	if (len > RECEIPT_TEXT_MAX * 4)
		len = RECEIPT_TEXT_MAX * 4;
	n = len > 0 ? charset_decode(p->data_coding, s, len, utf8,
	    sizeof(utf8)) : 0;
	for (i = 0; i < n && o + 1 < cap && o < RECEIPT_TEXT_MAX; i += k) {
		c = (unsigned char)utf8[i];
		k = utf8_len(c);
		if (c >= 0x20 && c < 0x7F)
			out[o++] = (char)c;
		else if (c == '\n' || c == '\r' || c == '\t')
			out[o++] = ' ';
		else
			out[o++] = '?';
	}
	out[o] = '\0';
}

void
receipt_of_msg(struct receipt_of *of, const struct msg *m)
{
	const struct pdu	*p = &m->pdu;

	memset(of, 0, sizeof(*of));
	strlcpy(of->id, m->meta.id, sizeof(of->id));
	strlcpy(of->account, m->meta.account, sizeof(of->account));
	strlcpy(of->src, p->source_addr ? p->source_addr : "",
	    sizeof(of->src));
	of->src_ton = p->source_addr_ton;
	of->src_npi = p->source_addr_npi;
	strlcpy(of->dst, p->destination_addr ? p->destination_addr : "",
	    sizeof(of->dst));
	of->dst_ton = p->dest_addr_ton;
	of->dst_npi = p->dest_addr_npi;
	of->submitted = m->meta.created_us / 1000000;
	of->registered_delivery = p->registered_delivery;
	receipt_text(p, of->text, sizeof(of->text));
}

/*
 * Build the receipt of `of' with this stat word and err code, done at
 * `done'.  Returns 0, or -1 when the stat word is unknown or an id
 * cannot be made.
 */
int
receipt_build(struct receipt *r, const struct receipt_of *of,
    const char *stat, int err, time_t done)
{
	struct dlr	 d;
	int		 state;

	if ((state = dlr_stat_state(stat)) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	if (msgid_next(r->meta.id, sizeof(r->meta.id)) == -1)
		return -1;
	r->meta.kind = MSG_DLR;
	strlcpy(r->meta.account, of->account, sizeof(r->meta.account));
	strlcpy(r->meta.ref, of->id, sizeof(r->meta.ref));
	r->meta.created_us = clock_wall_us();

	memset(&d, 0, sizeof(d));
	strlcpy(d.id, of->id, sizeof(d.id));
	d.sub = 1;
	d.dlvrd = state == MSTATE_DELIVERED;
	d.submit_date = (time_t)of->submitted;
	d.done_date = done;
	strlcpy(d.stat, dlr_state_stat(state), sizeof(d.stat));
	d.err = err;
	strlcpy(d.text, of->text, sizeof(d.text));
	if (dlr_format(r->sm, sizeof(r->sm), &d) == -1)
		return -1;

	strlcpy(r->rid, of->id, sizeof(r->rid));
	strlcpy(r->src, of->dst, sizeof(r->src));
	strlcpy(r->dst, of->src, sizeof(r->dst));
	r->state = (uint8_t)state;
	pdu_init(&r->pdu, SMPP_DELIVER_SM, 0);
	r->pdu.source_addr_ton = of->dst_ton;
	r->pdu.source_addr_npi = of->dst_npi;
	r->pdu.source_addr = r->src;
	r->pdu.dest_addr_ton = of->src_ton;
	r->pdu.dest_addr_npi = of->src_npi;
	r->pdu.destination_addr = r->dst;
	r->pdu.esm_class = ESM_TYPE_RECEIPT;
	r->pdu.data_coding = DC_DEFAULT;
	r->pdu.short_message = (const uint8_t *)r->sm;
	r->pdu.sm_length = (uint8_t)strlen(r->sm);
	if (pdu_tlv_add(&r->pdu, TLV_RECEIPTED_MESSAGE_ID,
	    (uint16_t)(strlen(r->rid) + 1), r->rid) == -1 ||
	    pdu_tlv_add(&r->pdu, TLV_MESSAGE_STATE, 1, &r->state) == -1)
		return -1;
	return 0;
}
