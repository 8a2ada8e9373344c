/*
 * pdu.c - strict decoding of SMPP v3.4 PDUs from untrusted bytes
 *
 * SYNOPSIS
 *	pdu_init(p, command_id, sequence_number)	pdu_free(p)
 *	pdu_header(buf, len, hdr, max_len)
 *	pdu_decode(buf, len, p)
 *
 * DESCRIPTION
 *	pdu_header() reads the 16-octet header so that the caller can check
 *	command_length (16 .. max_len, 0 meaning PDU_MAX_LEN_DEFAULT)
 *	before it reads the body.
 *
 *	pdu_decode() takes one whole PDU and fills *p without copying:
 *	strings point into buf, where each C-Octet String's NUL was found
 *	within the field's maximum.  All reads go through a cursor that
 *	checks the bytes left first, so no input makes it read outside
 *	[buf, buf + len).  The only allocations are the submit_multi
 *	destination and submit_multi_resp unsuccess lists, at most 254
 *	entries each.  Every TLV, known or not, is kept in p->tlv[] in
 *	wire order; a standard one must have a length its type allows.
 *
 *	Only the part of struct pdu before the TLV array is cleared per
 *	PDU: the array is over a kilobyte and ntlv says how much of it is
 *	valid.
 *
 * DIAGNOSTICS
 *	Both return ESME_ROK or the command_status to answer with; pdu.h
 *	lists which status each violation gives.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "pdu_local.h"

/* Read position inside one PDU; end is one past its last octet. */
struct cur {
	const uint8_t	*p;
	const uint8_t	*end;
};

static const char	 empty[] = "";

static void
pdu_clear(struct pdu *p)
{
	memset(p, 0, offsetof(struct pdu, tlv));
	p->flags = 0;
}

void
pdu_init(struct pdu *p, uint32_t command_id, uint32_t sequence_number)
{
	pdu_clear(p);
	p->command_id = command_id;
	p->sequence_number = sequence_number;
}

void
pdu_free(struct pdu *p)
{
	if (p->flags & PDU_F_ALLOC) {
		free(p->dests);
		free(p->unsuccess);
		p->flags &= ~PDU_F_ALLOC;
	}
	p->dests = NULL;
	p->number_of_dests = 0;
	p->unsuccess = NULL;
	p->no_unsuccess = 0;
}

static void
read_header(const uint8_t *buf, uint32_t *len, uint32_t *id,
    uint32_t *status, uint32_t *seq)
{
	*len = pdu_get32(buf);
	*id = pdu_get32(buf + 4);
	*status = pdu_get32(buf + 8);
	*seq = pdu_get32(buf + 12);
}

uint32_t
pdu_header(const uint8_t *buf, size_t len, struct pdu_hdr *h,
    uint32_t max_len)
{
	if (len < PDU_HEADER_LEN)
		return ESME_RINVCMDLEN;
	read_header(buf, &h->command_length, &h->command_id,
	    &h->command_status, &h->sequence_number);
	if (max_len == 0)
		max_len = PDU_MAX_LEN_DEFAULT;
	if (h->command_length < PDU_HEADER_LEN || h->command_length > max_len)
		return ESME_RINVCMDLEN;
	return ESME_ROK;
}

static int
cur_u8(struct cur *c, uint8_t *v)
{
	if (c->p == c->end)
		return -1;
	*v = *c->p++;
	return 0;
}

/* A C-Octet String: its NUL must come within max octets and the body. */
static uint32_t
cur_cstr(struct cur *c, const char **s, size_t max, uint32_t err)
{
	size_t		 n = (size_t)(c->end - c->p);
	const uint8_t	*nul;

	if (n > max)
		n = max;
	if ((nul = memchr(c->p, '\0', n)) == NULL)
		return err;
	*s = (const char *)c->p;
	c->p = nul + 1;
	return ESME_ROK;
}

static uint32_t
cur_addr(struct cur *c, uint8_t *ton, uint8_t *npi, const char **s,
    size_t max, uint32_t err)
{
	if (cur_u8(c, ton) == -1 || cur_u8(c, npi) == -1)
		return ESME_RINVCMDLEN;
	return cur_cstr(c, s, max, err);
}

static uint32_t
decode_sm(struct cur *c, struct pdu *p)
{
	if (cur_u8(c, &p->sm_length) == -1)
		return ESME_RINVCMDLEN;
	if (p->sm_length > PDU_SM_MAX ||
	    p->sm_length > (size_t)(c->end - c->p))
		return ESME_RINVMSGLEN;
	p->short_message = c->p;
	c->p += p->sm_length;
	return ESME_ROK;
}

static uint32_t
decode_dest(struct cur *c, struct pdu_dest *d)
{
	if (cur_u8(c, &d->dest_flag) == -1)
		return ESME_RINVCMDLEN;
	switch (d->dest_flag) {
	case 1:
		return cur_addr(c, &d->ton, &d->npi, &d->addr,
		    PDU_ADDR_MAX_LONG, ESME_RINVDSTADR);
	case 2:
		return cur_cstr(c, &d->addr, PDU_DL_NAME_MAX,
		    ESME_RINVDLNAME);
	default:
		return ESME_RINVDESTFLAG;
	}
}

static uint32_t
decode_dests(struct cur *c, struct pdu *p)
{
	uint32_t	 st;
	unsigned	 i;

	if (cur_u8(c, &p->number_of_dests) == -1)
		return ESME_RINVCMDLEN;
	if (p->number_of_dests == 0 || p->number_of_dests > PDU_MAX_DESTS)
		return ESME_RINVNUMDESTS;
	p->dests = calloc(p->number_of_dests, sizeof(*p->dests));
	if (p->dests == NULL)
		return ESME_RSYSERR;
	p->flags |= PDU_F_ALLOC;
	for (i = 0; i < p->number_of_dests; i++)
		if ((st = decode_dest(c, &p->dests[i])) != ESME_ROK)
			return st;
	return ESME_ROK;
}

static uint32_t
decode_unsuccess(struct cur *c, struct pdu *p)
{
	struct pdu_unsuccess	*u;
	uint32_t		 st;
	unsigned		 i;

	if (cur_u8(c, &p->no_unsuccess) == -1)
		return ESME_RINVCMDLEN;
	if (p->no_unsuccess > PDU_MAX_DESTS)
		return ESME_RINVNUMDESTS;
	if (p->no_unsuccess == 0)
		return ESME_ROK;
	p->unsuccess = calloc(p->no_unsuccess, sizeof(*p->unsuccess));
	if (p->unsuccess == NULL)
		return ESME_RSYSERR;
	p->flags |= PDU_F_ALLOC;
	for (i = 0; i < p->no_unsuccess; i++) {
		u = &p->unsuccess[i];
		st = cur_addr(c, &u->ton, &u->npi, &u->addr,
		    PDU_ADDR_MAX_LONG, ESME_RINVDSTADR);
		if (st != ESME_ROK)
			return st;
		if (c->end - c->p < 4)
			return ESME_RINVCMDLEN;
		u->error_status_code = pdu_get32(c->p);
		c->p += 4;
	}
	return ESME_ROK;
}

static uint32_t
decode_field(struct cur *c, const struct pdu_field *f, struct pdu *p)
{
	switch (f->type) {
	case PF_U8:
	case PF_X8:
	case PF_STATE:
		if (cur_u8(c, PDU_MEMBER(p, f->off, uint8_t)) == -1)
			return ESME_RINVCMDLEN;
		return ESME_ROK;
	case PF_CSTR:
		return cur_cstr(c, PDU_MEMBER(p, f->off, const char *),
		    f->max, f->err);
	case PF_ADDR:
		return cur_addr(c, PDU_MEMBER(p, f->ton_off, uint8_t),
		    PDU_MEMBER(p, f->npi_off, uint8_t),
		    PDU_MEMBER(p, f->off, const char *), f->max, f->err);
	case PF_SM:
		return decode_sm(c, p);
	case PF_DESTS:
		return decode_dests(c, p);
	case PF_UNSUCC:
		return decode_unsuccess(c, p);
	}
	return ESME_RSYSERR;
}

static uint32_t
decode_tlvs(struct cur *c, struct pdu *p)
{
	const struct pdu_tlv_info	*ti;
	struct pdu_tlv			*t;
	uint16_t			 tag, len;

	while (c->p != c->end) {
		if (c->end - c->p < 4 || p->ntlv == PDU_MAX_TLV)
			return ESME_RINVOPTPARSTREAM;
		tag = pdu_get16(c->p);
		len = pdu_get16(c->p + 2);
		c->p += 4;
		if (len > c->end - c->p)
			return ESME_RINVOPTPARSTREAM;
		ti = pdu_tlv_lookup(tag);
		if (ti != NULL && (len < ti->min || len > ti->max))
			return ESME_RINVPARLEN;
		/*
		 * A standard TLV twice: which one counts is anybody's guess
		 * (charging read the first message_payload, the connector
		 * sent both), so neither does.
		 */
		if (ti != NULL && pdu_tlv_get(p, tag) != NULL)
			return ESME_RINVOPTPARSTREAM;
		t = &p->tlv[p->ntlv++];
		t->tag = tag;
		t->len = len;
		t->val = c->p;
		c->p += len;
	}
	return ESME_ROK;
}

/*
 * A response without body: every string of its layout reads as empty,
 * so that callers need not test for NULL.
 */
static void
decode_nobody(const struct pdu_layout *l, struct pdu *p)
{
	unsigned	 i;

	for (i = 0; i < l->nfields; i++)
		if (l->fields[i].type == PF_CSTR ||
		    l->fields[i].type == PF_ADDR)
			*PDU_MEMBER(p, l->fields[i].off, const char *) = empty;
	p->flags |= PDU_F_NOBODY;
}

static int
may_lack_body(const struct pdu_layout *l, const struct pdu *p)
{
	if (l->nfields == 0 || !SMPP_IS_RESP(p->command_id))
		return 0;
	return p->command_status != ESME_ROK || (l->flags & PL_MSGID_ONLY);
}

/*
 * short_message and message_payload both carrying text: the spec says
 * they are mutually exclusive and gives ESME_RINVOPTPARAMVAL as the
 * value error for an optional parameter, the only status that fits.
 */
static uint32_t
check_payload(const struct pdu *p)
{
	const struct pdu_tlv	*t;

	if (p->sm_length == 0)
		return ESME_ROK;
	t = pdu_tlv_get(p, TLV_MESSAGE_PAYLOAD);
	if (t != NULL && t->len > 0)
		return ESME_RINVOPTPARAMVAL;
	return ESME_ROK;
}

static uint32_t
decode_body(struct cur *c, const struct pdu_layout *l, struct pdu *p)
{
	uint32_t	 st;
	unsigned	 i;

	if (c->p == c->end && may_lack_body(l, p)) {
		decode_nobody(l, p);
		return ESME_ROK;
	}
	for (i = 0; i < l->nfields; i++)
		if ((st = decode_field(c, &l->fields[i], p)) != ESME_ROK)
			return st;
	if ((st = decode_tlvs(c, p)) != ESME_ROK)
		return st;
	return check_payload(p);
}

uint32_t
pdu_decode(const uint8_t *buf, size_t len, struct pdu *p)
{
	const struct pdu_layout	*l;
	struct cur		 c;
	uint32_t		 st;

	pdu_clear(p);
	if (len < PDU_HEADER_LEN)
		return ESME_RINVCMDLEN;
	read_header(buf, &p->command_length, &p->command_id,
	    &p->command_status, &p->sequence_number);
	if (p->command_length != len)
		return ESME_RINVCMDLEN;
	if ((l = pdu_command_layout(p->command_id)) == NULL)
		return ESME_RINVCMDID;
	c.p = buf + PDU_HEADER_LEN;
	c.end = buf + len;
	if ((st = decode_body(&c, l, p)) != ESME_ROK)
		pdu_free(p);
	return st;
}
