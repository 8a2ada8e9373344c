/*
 * pdu_local.h - private to the pdu*.c files: the layouts of the mandatory
 * bodies, which decoding, encoding and dumping all walk, so that the three
 * cannot disagree about a field
 */
#ifndef PDU_LOCAL_H
#define PDU_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "pdu.h"

enum pdu_ftype {
	PF_U8,		/* Int(1), shown in decimal */
	PF_X8,		/* Int(1), a bit field or code shown in hex */
	PF_STATE,	/* Int(1), a message_state shown with its name */
	PF_CSTR,	/* C-Octet String of at most max octets */
	PF_ADDR,	/* ton, npi and an address C-Octet String */
	PF_SM,		/* sm_length and short_message */
	PF_DESTS,	/* number_of_dests and the dest_address list */
	PF_UNSUCC	/* no_unsuccess and the unsuccess_sme list */
};

struct pdu_field {
	const char	*name;
	uint8_t		 type;		/* enum pdu_ftype */
	uint8_t		 max;		/* PF_CSTR, PF_ADDR: octets with NUL */
	uint16_t	 off;		/* offsetof(struct pdu, the field) */
	uint16_t	 ton_off;	/* PF_ADDR */
	uint16_t	 npi_off;	/* PF_ADDR */
	uint32_t	 err;		/* status when the string is bad */
};

struct pdu_layout {
	uint32_t		 id;
	const char		*name;
	const struct pdu_field	*fields;
	uint8_t			 nfields;
	uint8_t			 flags;
#define PL_NOBODY_ERR	0x01	/* encoded without body when status != 0 */
#define PL_MSGID_ONLY	0x02	/* only message_id: may lack body on ROK */
};

/* Access to a field of struct pdu through its offset. */
#define PDU_MEMBER(p, off, type) \
	((type *)(void *)((char *)(p) + (off)))
#define PDU_CMEMBER(p, off, type) \
	((const type *)(const void *)((const char *)(p) + (off)))

/*
 * pdu_command_layout(): the static layout of a command's mandatory
 * body, NULL for a command that has none or is unknown.
 * pdu_parse_uint(s, max, &v): a decimal of at most max, 0 or -1.
 * pdu_get16, pdu_get32 and pdu_put32 read and write network order; the
 * caller has checked that the octets are there.
 */
const struct pdu_layout *pdu_command_layout(uint32_t);
int	 pdu_parse_uint(const char *, unsigned long, unsigned long *);

static inline uint16_t
pdu_get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
pdu_get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static inline void
pdu_put32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

#endif /* PDU_LOCAL_H */
