/*
 * pdu_dump.c - a field-by-field human trace of a PDU
 *
 * SYNOPSIS
 *	pdu_dump(fp, p, flags)		pdu_dump_hex(fp, buf, len)
 *
 * DESCRIPTION
 *	pdu_dump() prints the command name, the header and then one line
 *	per field of the mandatory body in wire order, walking the same
 *	layout table as the codec.  An address is shown with its TON and
 *	NPI ("  source_addr: 1/1 \"447700900123\""), bit fields in hex,
 *	strings quoted with C escapes for anything but printable ASCII, so
 *	the output is plain ASCII and stable for golden tests.  TLVs follow
 *	in wire order by tag and name with their value: integers decoded,
 *	strings and message text quoted, other octets in hex.  With
 *	PDU_DUMP_HEX the PDU is encoded and hex-dumped after the fields.
 *
 *	pdu_dump_hex() prints octets 16 to a line with their offset and
 *	the printable ones on the right, for smppsend -v.
 *
 * DIAGNOSTICS
 *	0, or -1 when writing failed (or PDU_DUMP_HEX could not encode).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "pdu_local.h"

static void
put_escaped(FILE *fp, const uint8_t *s, size_t n)
{
	size_t	 i;

	fputc('"', fp);
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '"':
		case '\\':
			fprintf(fp, "\\%c", s[i]);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (s[i] >= 0x20 && s[i] < 0x7f)
				fputc(s[i], fp);
			else
				fprintf(fp, "\\x%02x", s[i]);
			break;
		}
	}
	fputc('"', fp);
}

static void
put_str(FILE *fp, const char *s)
{
	if (s == NULL)
		s = "";
	put_escaped(fp, (const uint8_t *)s, strlen(s));
}

static void
put_hex(FILE *fp, const uint8_t *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		fprintf(fp, "%02x", s[i]);
}

static void
dump_dests(FILE *fp, const struct pdu *p)
{
	const struct pdu_dest	*d;
	unsigned		 i;

	fprintf(fp, "  number_of_dests: %u\n", p->number_of_dests);
	for (i = 0; i < p->number_of_dests && p->dests != NULL; i++) {
		d = &p->dests[i];
		fprintf(fp, "  dest_address[%u]: ", i);
		if (d->dest_flag == 1)
			fprintf(fp, "sme %u/%u ", d->ton, d->npi);
		else if (d->dest_flag == 2)
			fputs("dl ", fp);
		else
			fprintf(fp, "flag %u ", d->dest_flag);
		put_str(fp, d->addr);
		fputc('\n', fp);
	}
}

static void
dump_unsuccess(FILE *fp, const struct pdu *p)
{
	const struct pdu_unsuccess	*u;
	unsigned			 i;

	fprintf(fp, "  no_unsuccess: %u\n", p->no_unsuccess);
	for (i = 0; i < p->no_unsuccess && p->unsuccess != NULL; i++) {
		u = &p->unsuccess[i];
		fprintf(fp, "  unsuccess_sme[%u]: %u/%u ", i, u->ton, u->npi);
		put_str(fp, u->addr);
		fprintf(fp, " 0x%08x %s\n", u->error_status_code,
		    pdu_status_name(u->error_status_code));
	}
}

static void
dump_field(FILE *fp, const struct pdu_field *f, const struct pdu *p)
{
	switch (f->type) {
	case PF_U8:
		fprintf(fp, "  %s: %u\n", f->name,
		    *PDU_CMEMBER(p, f->off, uint8_t));
		break;
	case PF_X8:
		fprintf(fp, "  %s: 0x%02x\n", f->name,
		    *PDU_CMEMBER(p, f->off, uint8_t));
		break;
	case PF_STATE:
		fprintf(fp, "  %s: %u %s\n", f->name,
		    *PDU_CMEMBER(p, f->off, uint8_t),
		    pdu_message_state_name(*PDU_CMEMBER(p, f->off, uint8_t)));
		break;
	case PF_CSTR:
		fprintf(fp, "  %s: ", f->name);
		put_str(fp, *PDU_CMEMBER(p, f->off, char *));
		fputc('\n', fp);
		break;
	case PF_ADDR:
		fprintf(fp, "  %s: %u/%u ", f->name,
		    *PDU_CMEMBER(p, f->ton_off, uint8_t),
		    *PDU_CMEMBER(p, f->npi_off, uint8_t));
		put_str(fp, *PDU_CMEMBER(p, f->off, char *));
		fputc('\n', fp);
		break;
	case PF_SM:
		fprintf(fp, "  sm_length: %u\n  short_message: ",
		    p->sm_length);
		put_escaped(fp, p->short_message,
		    p->short_message == NULL ? 0 : p->sm_length);
		fputc('\n', fp);
		break;
	case PF_DESTS:
		dump_dests(fp, p);
		break;
	case PF_UNSUCC:
		dump_unsuccess(fp, p);
		break;
	}
}

/* An integer TLV of the length its type has; else the caller shows hex. */
static int
dump_tlv_int(FILE *fp, const struct pdu_tlv *t, int type)
{
	uint32_t	 v;

	switch (t->len) {
	case 1:
		v = t->val[0];
		break;
	case 2:
		v = pdu_get16(t->val);
		break;
	case 4:
		v = pdu_get32(t->val);
		break;
	default:
		return -1;
	}
	if (type == PDU_TLV_BITS)
		fprintf(fp, "0x%02x", v);
	else
		fprintf(fp, "%u", v);
	if (t->tag == TLV_MESSAGE_STATE)
		fprintf(fp, " %s", pdu_message_state_name((uint8_t)v));
	return 0;
}

static void
dump_tlv(FILE *fp, const struct pdu_tlv *t)
{
	const struct pdu_tlv_info	*ti;
	const uint8_t			*val;
	size_t				 n;
	int				 type;

	ti = pdu_tlv_lookup(t->tag);
	fprintf(fp, "  tlv 0x%04x %s [%u]:", t->tag, pdu_tlv_name(t->tag),
	    t->len);
	val = t->val;
	n = val == NULL ? 0 : t->len;
	type = ti == NULL ? PDU_TLV_OCT : ti->type;
	if (n > 0 || type == PDU_TLV_CSTR || type == PDU_TLV_TEXT)
		fputc(' ', fp);
	switch (type) {
	case PDU_TLV_INT:
	case PDU_TLV_BITS:
		if (dump_tlv_int(fp, t, type) == 0)
			break;
		put_hex(fp, val, n);
		break;
	case PDU_TLV_CSTR:
		if (n > 0 && val[n - 1] == '\0')
			n--;
		put_escaped(fp, val, n);
		break;
	case PDU_TLV_TEXT:
		put_escaped(fp, val, n);
		break;
	default:
		put_hex(fp, val, n);
		break;
	}
	fputc('\n', fp);
}

static int
dump_encoded(FILE *fp, const struct pdu *p)
{
	uint8_t	*buf;
	size_t	 len;
	int	 n;

	if ((len = pdu_encoded_len(p)) == 0 || (buf = malloc(len)) == NULL)
		return -1;
	n = pdu_encode(p, buf, len);
	if (n > 0)
		pdu_dump_hex(fp, buf, (size_t)n);
	free(buf);
	return n > 0 ? 0 : -1;
}

int
pdu_dump(FILE *fp, const struct pdu *p, int flags)
{
	const struct pdu_layout	*l;
	unsigned		 i;
	int			 rv = 0;

	l = pdu_command_layout(p->command_id);
	fprintf(fp, "%s\n", pdu_command_name(p->command_id));
	fprintf(fp, "  command_length: %zu\n", p->command_length != 0 ?
	    (size_t)p->command_length : pdu_encoded_len(p));
	fprintf(fp, "  command_id: 0x%08x\n", p->command_id);
	fprintf(fp, "  command_status: 0x%08x %s\n", p->command_status,
	    pdu_status_name(p->command_status));
	fprintf(fp, "  sequence_number: %u\n", p->sequence_number);
	if (p->flags & PDU_F_NOBODY)
		fputs("  (no body)\n", fp);
	else if (l != NULL)
		for (i = 0; i < l->nfields; i++)
			dump_field(fp, &l->fields[i], p);
	for (i = 0; i < p->ntlv && i < PDU_MAX_TLV; i++)
		dump_tlv(fp, &p->tlv[i]);
	if (flags & PDU_DUMP_HEX)
		rv = dump_encoded(fp, p);
	if (ferror(fp))
		rv = -1;
	return rv;
}

int
pdu_dump_hex(FILE *fp, const uint8_t *buf, size_t len)
{
	size_t	 off, i;

	for (off = 0; off < len; off += 16) {
		fprintf(fp, "  %04zx:", off);
		for (i = off; i < off + 16; i++) {
			if (i < len)
				fprintf(fp, " %02x", buf[i]);
			else
				fputs("   ", fp);
		}
		fputs("  ", fp);
		for (i = off; i < off + 16 && i < len; i++)
			fputc(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.',
			    fp);
		fputc('\n', fp);
	}
	return ferror(fp) ? -1 : 0;
}
