/*
 * record.h - one message in the spool: a framed, checksummed text record
 *
 * A record is a header line and a body of "key: value" lines:
 *
 *	%smppd1 BODYLEN CRC32\n
 *	id: smpps_01-...\n
 *	kind: mt\n
 *	...\n
 *
 * BODYLEN is the decimal length of the body in octets, CRC32 the CRC-32
 * (IEEE) of the body in 8 lower-case hex digits.  Values are printable
 * ASCII: strings from the network are %XX-escaped (bytes outside
 * 0x21-0x7e and '%'), binary content is hex.  See smppd-spool(5).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pdu.h"

#define RECORD_MAGIC		"%smppd1 "
#define RECORD_ERROR_MAX	128

enum msg_kind {
	MSG_MT = 1,	/* submitted by an account, going upstream */
	MSG_DLR,	/* a delivery receipt for an account */
	MSG_MO		/* a mobile-originated message for an account */
};

/* What the spool knows of a message besides its PDU. */
struct msg_meta {
	char		 id[PDU_MESSAGE_ID_MAX];	/* our message_id */
	enum msg_kind	 kind;
	char		 account[PDU_SYSTEM_ID_MAX];	/* system_id */
	int64_t		 created_us;	/* accepted, microseconds */
	int64_t		 expires;	/* seconds; 0: [spool] max_age */
	int64_t		 next_try;	/* seconds; 0: now */
	int		 attempts;
	uint32_t	 parts;		/* parts billed (mt) */
	char		 error[RECORD_ERROR_MAX];	/* last error */
	char		 ref[PDU_MESSAGE_ID_MAX];	/* dlr: original id */
	char		 route[32];	/* mt: connector chosen at submit */
	/* mt billing, when billed: what smppconn charges or refunds */
	int		 billed;	/* the fields below are set */
	int64_t		 price;		/* per part, micro-units */
	int64_t		 paid;		/* charged so far, all parts */
	uint32_t	 slot;		/* the account's ledger slot */
	int		 refund;	/* the account's refund= */
	char		 rule[64];	/* the rate card's rule */
};

/*
 * A message read back from the spool: meta plus the PDU (submit_sm,
 * data_sm or deliver_sm), whose pointers point into the storage below.
 */
struct msg {
	struct msg_meta	 meta;
	struct pdu	 pdu;
	char		 str[256];	/* service_type, addresses, times */
	uint8_t		*bin;		/* short_message and TLV values */
	size_t		 binlen;
	size_t		 bincap;	/* allocated, reused by the next parse */
	int		 bad;		/* RECORD_E_*: why record_parse failed */
	unsigned	 badline;	/* ... on which line of the body (1-) */
	const char	*badkey;	/* ... at which key, or "" */
};

int	 record_write(struct buf *, const struct msg_meta *,
	    const struct pdu *);
int	 record_parse(const char *, size_t, struct msg *, size_t *);
int	 record_frame(const char *, size_t, size_t *, size_t *);
const char *record_bad_name(int);
void	 record_msg_init(struct msg *);
void	 record_msg_free(struct msg *);
int	 record_msg_copy(struct msg *, const struct msg_meta *, const struct pdu *);
int	 record_msg_reserve(struct msg *, size_t);
uint32_t record_crc32(uint32_t, const void *, size_t);

/* record_parse() results besides 0 (OK) */
#define RECORD_SHORT	1	/* incomplete: a torn tail at end of file */
#define RECORD_BAD	(-1)	/* bad header, checksum or field */
#define RECORD_NOMEM	(-2)	/* no memory for the octet strings */

/* Why a record is RECORD_BAD (msg->bad). */
#define RECORD_E_MAGIC		1	/* not "%smppd1 " */
#define RECORD_E_HEADER		2	/* malformed BODYLEN or CRC32 */
#define RECORD_E_LENGTH		3	/* BODYLEN above RECORD_BODY_MAX */
#define RECORD_E_CHECKSUM	4
#define RECORD_E_KEY		5	/* unknown, missing or misplaced key */
#define RECORD_E_VALUE		6	/* a value that does not parse */

#define RECORD_HEADER_MAX	32	/* "%smppd1 4194304 0123abcd\n" fits */
#define RECORD_BODY_MAX		(4 * 1024 * 1024)

#endif /* RECORD_H */
