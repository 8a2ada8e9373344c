/*
 * pdu_encode.c - encoding of SMPP v3.4 PDUs
 *
 * SYNOPSIS
 *	pdu_encode(p, buf, cap)		pdu_encoded_len(p)
 *	pdu_encode_resp(command_id, status, sequence_number, buf, cap)
 *
 * DESCRIPTION
 *	pdu_encode() writes the header (computing command_length itself),
 *	the mandatory body of p->command_id in wire order and every TLV of
 *	p->tlv[] unchanged.  NULL strings are written as empty.  A response
 *	whose command_status is not 0 goes without body when the spec says
 *	so (see pdu_command.c), and so does any response with PDU_F_NOBODY.
 *
 *	Measuring and writing are the same walk: without a buffer the
 *	writer only counts, so pdu_encoded_len() cannot disagree with
 *	pdu_encode().
 *
 *	pdu_encode_resp() encodes a response with every field empty: the
 *	header alone, or an empty message_id (and so on) where the PDU has
 *	a body and the status is 0.  A request command_id stands for its
 *	response.
 *
 * DIAGNOSTICS
 *	-1 when cap is too small, the command is unknown, a string does not
 *	fit its field (maximum minus the NUL), sm_length exceeds 254, a
 *	list exceeds 254 entries, a dest_flag is neither 1 nor 2, or a
 *	length is set while its pointer is NULL.
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include "pdu.h"
#include "pdu_local.h"

/* Counts always; stores only while the octets fit and buf is set. */
struct wr {
	uint8_t	*buf;
	size_t	 len;
	size_t	 cap;
	int	 bad;
};

static void
wr_u8(struct wr *w, uint8_t v)
{
	if (w->len < w->cap)
		w->buf[w->len] = v;
	w->len++;
}

static void
wr_u16(struct wr *w, uint16_t v)
{
	wr_u8(w, v >> 8);
	wr_u8(w, v & 0xff);
}

static void
wr_u32(struct wr *w, uint32_t v)
{
	wr_u16(w, v >> 16);
	wr_u16(w, v & 0xffff);
}

static void
wr_mem(struct wr *w, const void *src, size_t n)
{
	if (n == 0)
		return;
	if (src == NULL) {
		w->bad = 1;
		return;
	}
	if (w->len <= w->cap && n <= w->cap - w->len)
		memcpy(w->buf + w->len, src, n);
	w->len += n;
}

static void
wr_cstr(struct wr *w, const char *s, size_t max)
{
	size_t	 n;

	n = s == NULL ? 0 : strnlen(s, max);
	if (n >= max) {
		w->bad = 1;
		return;
	}
	wr_mem(w, s, n);
	wr_u8(w, 0);
}

static void
wr_addr(struct wr *w, uint8_t ton, uint8_t npi, const char *s, size_t max)
{
	wr_u8(w, ton);
	wr_u8(w, npi);
	wr_cstr(w, s, max);
}

/* The count before a list: at most 254, and the list must exist. */
static int
wr_count(struct wr *w, unsigned n, const void *list)
{
	if (n > PDU_MAX_DESTS || (n > 0 && list == NULL)) {
		w->bad = 1;
		return -1;
	}
	wr_u8(w, (uint8_t)n);
	return 0;
}

static void
wr_dests(struct wr *w, const struct pdu *p)
{
	const struct pdu_dest	*d;
	unsigned		 i;

	if (wr_count(w, p->number_of_dests, p->dests) == -1)
		return;
	for (i = 0; i < p->number_of_dests; i++) {
		d = &p->dests[i];
		wr_u8(w, d->dest_flag);
		if (d->dest_flag == 1)
			wr_addr(w, d->ton, d->npi, d->addr, PDU_ADDR_MAX_LONG);
		else if (d->dest_flag == 2)
			wr_cstr(w, d->addr, PDU_DL_NAME_MAX);
		else
			w->bad = 1;
	}
}

static void
wr_unsuccess(struct wr *w, const struct pdu *p)
{
	const struct pdu_unsuccess	*u;
	unsigned			 i;

	if (wr_count(w, p->no_unsuccess, p->unsuccess) == -1)
		return;
	for (i = 0; i < p->no_unsuccess; i++) {
		u = &p->unsuccess[i];
		wr_addr(w, u->ton, u->npi, u->addr, PDU_ADDR_MAX_LONG);
		wr_u32(w, u->error_status_code);
	}
}

static void
wr_field(struct wr *w, const struct pdu_field *f, const struct pdu *p)
{
	switch (f->type) {
	case PF_U8:
	case PF_X8:
	case PF_STATE:
		wr_u8(w, *PDU_CMEMBER(p, f->off, uint8_t));
		break;
	case PF_CSTR:
		wr_cstr(w, *PDU_CMEMBER(p, f->off, char *), f->max);
		break;
	case PF_ADDR:
		wr_addr(w, *PDU_CMEMBER(p, f->ton_off, uint8_t),
		    *PDU_CMEMBER(p, f->npi_off, uint8_t),
		    *PDU_CMEMBER(p, f->off, char *), f->max);
		break;
	case PF_SM:
		if (p->sm_length > PDU_SM_MAX)
			w->bad = 1;
		wr_u8(w, p->sm_length);
		wr_mem(w, p->short_message, p->sm_length);
		break;
	case PF_DESTS:
		wr_dests(w, p);
		break;
	case PF_UNSUCC:
		wr_unsuccess(w, p);
		break;
	default:
		w->bad = 1;
		break;
	}
}

static int
omit_body(const struct pdu_layout *l, const struct pdu *p)
{
	if (!SMPP_IS_RESP(p->command_id))
		return 0;
	if (p->flags & PDU_F_NOBODY)
		return 1;
	return p->command_status != ESME_ROK && (l->flags & PL_NOBODY_ERR);
}

/* The one walk behind pdu_encode() and pdu_encoded_len(). */
static int
encode(const struct pdu *p, uint8_t *buf, size_t cap, size_t *lenp)
{
	const struct pdu_layout	*l;
	struct wr		 w;
	unsigned		 i;

	if ((l = pdu_command_layout(p->command_id)) == NULL ||
	    p->ntlv > PDU_MAX_TLV)
		return -1;
	w.buf = buf;
	w.cap = buf == NULL ? 0 : cap;
	w.len = PDU_HEADER_LEN;
	w.bad = 0;
	if (!omit_body(l, p)) {
		for (i = 0; i < l->nfields; i++)
			wr_field(&w, &l->fields[i], p);
		for (i = 0; i < p->ntlv; i++) {
			wr_u16(&w, p->tlv[i].tag);
			wr_u16(&w, p->tlv[i].len);
			wr_mem(&w, p->tlv[i].val, p->tlv[i].len);
		}
	}
	if (w.bad || w.len > INT_MAX)
		return -1;
	*lenp = w.len;
	if (buf == NULL)
		return 0;
	if (w.len > cap)
		return -1;
	pdu_put32(buf, (uint32_t)w.len);
	pdu_put32(buf + 4, p->command_id);
	pdu_put32(buf + 8, p->command_status);
	pdu_put32(buf + 12, p->sequence_number);
	return 0;
}

size_t
pdu_encoded_len(const struct pdu *p)
{
	size_t	 len;

	if (encode(p, NULL, 0, &len) == -1)
		return 0;
	return len;
}

int
pdu_encode(const struct pdu *p, uint8_t *buf, size_t cap)
{
	size_t	 len;

	if (buf == NULL || encode(p, buf, cap, &len) == -1)
		return -1;
	return (int)len;
}

int
pdu_encode_resp(uint32_t command_id, uint32_t status,
    uint32_t sequence_number, uint8_t *buf, size_t cap)
{
	struct pdu	 p;

	pdu_init(&p, command_id | SMPP_RESP_BIT, sequence_number);
	p.command_status = status;
	return pdu_encode(&p, buf, cap);
}
