/*
 * sms.h - message parts: counting, splitting, concatenation UDH and SAR
 *
 * A part holds 140 octets of user data: 160 GSM septets (153 after an
 * 8-bit-reference UDH, 152 after a 16-bit one), 140 octets of binary
 * (134 / 133) or 70 UCS-2 units (67 / 66).  Splitting never cuts an
 * escape sequence (0x1B + code) or a UTF-16 surrogate pair in two.
 *
 * Capacities are in units of sms_unit() octets (GSM: a septet is an
 * octet, unpacked).  SAR parts get the capacity of UDH8 parts, as the
 * SMSC adds that UDH.  sms_split() caps max at SMS_MAX_PARTS.
 * sms_udh_build() returns 0 when cap is too small.
 * sms_sar_parse() reads the sar_* TLVs of a decoded PDU (1 found, 0
 * none, -1 incomplete or insane), like sms_udh_parse() does the UDH.
 */
#ifndef SMS_H
#define SMS_H

#include <stddef.h>
#include <stdint.h>

struct pdu;

#define SMS_MAX_PARTS	255
#define SMS_UDH_MAX	7	/* the largest concatenation UDH we build */

/* How a long message is split, for sms_split(). */
enum sms_concat {
	SMS_CONCAT_UDH8,	/* UDH IEI 0x00, 8-bit reference (default) */
	SMS_CONCAT_UDH16,	/* UDH IEI 0x08, 16-bit reference */
	SMS_CONCAT_SAR		/* sar_* TLVs, no UDH */
};

/* One part of a split message: a range of the encoded content. */
struct sms_part {
	size_t	 off;
	size_t	 len;
};

/* What a UDH or SAR TLVs say of a concatenated part. */
struct sms_concat_info {
	uint16_t ref;
	uint8_t	 total;
	uint8_t	 seq;
	int	 ref16;
};

int	 sms_unit(int);
size_t	 sms_part_capacity(int, enum sms_concat, int);
int	 sms_count_parts(int, const uint8_t *, size_t);
int	 sms_split(int, const uint8_t *, size_t, enum sms_concat,
	    struct sms_part *, int);
size_t	 sms_udh_build(uint8_t *, size_t, uint16_t, int, uint8_t, uint8_t);
int	 sms_udh_parse(const uint8_t *, size_t, struct sms_concat_info *,
	    size_t *);
int	 sms_sar_parse(const struct pdu *, struct sms_concat_info *);

#endif /* SMS_H */
