/*
 * pdu_tlv.c - the optional parameters (TLVs) of SMPP v3.4 section 5.3
 *
 * SYNOPSIS
 *	pdu_tlv_get(p, tag)		pdu_tlv_add(p, tag, len, val)
 *	pdu_tlv_del(p, tag)		pdu_tlv_uint(p, tag, &v)
 *	pdu_tlv_str(p, tag, buf, size)
 *	pdu_tlv_lookup(tag)		pdu_tlv_table(&n)
 *	pdu_tlv_name(tag)		pdu_tlv_parse_name(s, &tag)
 *
 * DESCRIPTION
 *	The table holds every standard TLV of v3.4 with its type and the
 *	value lengths it allows, sorted by tag for a binary search (the
 *	decoder looks up each TLV it reads).  Integers have their fixed
 *	size, octet strings the bounds of section 5.3.2.  Where peers are
 *	known to differ from the text the table is lenient and says so:
 *	source_telematics_id is 1 or 2 octets (sources disagree),
 *	alert_on_message_delivery 0 or 1 octet (v5.0 gives it a value),
 *	and a C-Octet String value may lack its NUL.
 *
 *	The accessors work on p->tlv[] in wire order.  pdu_tlv_add() keeps
 *	the caller's value pointer; pdu_tlv_uint() reads 1, 2 or 4-octet
 *	big-endian integers; pdu_tlv_str() copies a string value, without
 *	its NUL if it has one, into a buffer.
 *
 * DIAGNOSTICS
 *	The int functions return -1 when the TLV is absent, malformed for
 *	the request, does not fit, or (pdu_tlv_add) PDU_MAX_TLV is reached.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pdu.h"
#include "pdu_local.h"

#define I	PDU_TLV_INT
#define B	PDU_TLV_BITS
#define C	PDU_TLV_CSTR
#define O	PDU_TLV_OCT
#define T	PDU_TLV_TEXT
#define Z	PDU_TLV_NONE

/* Sorted by tag. */
static const struct pdu_tlv_info tlvs[] = {
	{ TLV_DEST_ADDR_SUBUNIT, I, 1, 1, "dest_addr_subunit" },
	{ TLV_DEST_NETWORK_TYPE, I, 1, 1, "dest_network_type" },
	{ TLV_DEST_BEARER_TYPE, I, 1, 1, "dest_bearer_type" },
	{ TLV_DEST_TELEMATICS_ID, I, 2, 2, "dest_telematics_id" },
	{ TLV_SOURCE_ADDR_SUBUNIT, I, 1, 1, "source_addr_subunit" },
	{ TLV_SOURCE_NETWORK_TYPE, I, 1, 1, "source_network_type" },
	{ TLV_SOURCE_BEARER_TYPE, I, 1, 1, "source_bearer_type" },
	{ TLV_SOURCE_TELEMATICS_ID, I, 1, 2, "source_telematics_id" },
	{ TLV_QOS_TIME_TO_LIVE, I, 4, 4, "qos_time_to_live" },
	{ TLV_PAYLOAD_TYPE, I, 1, 1, "payload_type" },
	{ TLV_ADDITIONAL_STATUS_INFO_TEXT, C, 0, 256,
	    "additional_status_info_text" },
	{ TLV_RECEIPTED_MESSAGE_ID, C, 0, 65, "receipted_message_id" },
	{ TLV_MS_MSG_WAIT_FACILITIES, B, 1, 1, "ms_msg_wait_facilities" },
	{ TLV_PRIVACY_INDICATOR, I, 1, 1, "privacy_indicator" },
	{ TLV_SOURCE_SUBADDRESS, O, 2, 23, "source_subaddress" },
	{ TLV_DEST_SUBADDRESS, O, 2, 23, "dest_subaddress" },
	{ TLV_USER_MESSAGE_REFERENCE, I, 2, 2, "user_message_reference" },
	{ TLV_USER_RESPONSE_CODE, I, 1, 1, "user_response_code" },
	{ TLV_SOURCE_PORT, I, 2, 2, "source_port" },
	{ TLV_DESTINATION_PORT, I, 2, 2, "destination_port" },
	{ TLV_SAR_MSG_REF_NUM, I, 2, 2, "sar_msg_ref_num" },
	{ TLV_LANGUAGE_INDICATOR, I, 1, 1, "language_indicator" },
	{ TLV_SAR_TOTAL_SEGMENTS, I, 1, 1, "sar_total_segments" },
	{ TLV_SAR_SEGMENT_SEQNUM, I, 1, 1, "sar_segment_seqnum" },
	{ TLV_SC_INTERFACE_VERSION, I, 1, 1, "sc_interface_version" },
	{ TLV_CALLBACK_NUM_PRES_IND, B, 1, 1, "callback_num_pres_ind" },
	{ TLV_CALLBACK_NUM_ATAG, O, 0, 65, "callback_num_atag" },
	{ TLV_NUMBER_OF_MESSAGES, I, 1, 1, "number_of_messages" },
	{ TLV_CALLBACK_NUM, O, 4, 19, "callback_num" },
	{ TLV_DPF_RESULT, I, 1, 1, "dpf_result" },
	{ TLV_SET_DPF, I, 1, 1, "set_dpf" },
	{ TLV_MS_AVAILABILITY_STATUS, I, 1, 1, "ms_availability_status" },
	{ TLV_NETWORK_ERROR_CODE, O, 3, 3, "network_error_code" },
	{ TLV_MESSAGE_PAYLOAD, T, 0, 65535, "message_payload" },
	{ TLV_DELIVERY_FAILURE_REASON, I, 1, 1, "delivery_failure_reason" },
	{ TLV_MORE_MESSAGES_TO_SEND, I, 1, 1, "more_messages_to_send" },
	{ TLV_MESSAGE_STATE, I, 1, 1, "message_state" },
	{ TLV_USSD_SERVICE_OP, O, 1, 1, "ussd_service_op" },
	{ TLV_DISPLAY_TIME, I, 1, 1, "display_time" },
	{ TLV_SMS_SIGNAL, I, 2, 2, "sms_signal" },
	{ TLV_MS_VALIDITY, I, 1, 1, "ms_validity" },
	{ TLV_ALERT_ON_MESSAGE_DELIVERY, Z, 0, 1,
	    "alert_on_message_delivery" },
	{ TLV_ITS_REPLY_TYPE, I, 1, 1, "its_reply_type" },
	{ TLV_ITS_SESSION_INFO, O, 2, 2, "its_session_info" }
};

#define NTLVS	(sizeof(tlvs) / sizeof(tlvs[0]))

/* Tags reserved for SMSC vendor-specific TLVs (section 5.3.2). */
#define TLV_VENDOR_MIN	0x1400
#define TLV_VENDOR_MAX	0x3FFF

static int
tlv_cmp(const void *key, const void *elem)
{
	uint16_t	 tag = *(const uint16_t *)key;

	return (int)tag - (int)((const struct pdu_tlv_info *)elem)->tag;
}

const struct pdu_tlv_info *
pdu_tlv_lookup(uint16_t tag)
{
	return bsearch(&tag, tlvs, NTLVS, sizeof(tlvs[0]), tlv_cmp);
}

const struct pdu_tlv_info *
pdu_tlv_table(size_t *n)
{
	*n = NTLVS;
	return tlvs;
}

const char *
pdu_tlv_name(uint16_t tag)
{
	const struct pdu_tlv_info	*ti;

	if ((ti = pdu_tlv_lookup(tag)) != NULL)
		return ti->name;
	if (tag >= TLV_VENDOR_MIN && tag <= TLV_VENDOR_MAX)
		return "vendor";
	return "reserved";
}

/* A name of the table, or a number such as "0x0424" or "1060". */
int
pdu_tlv_parse_name(const char *s, uint16_t *tag)
{
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < NTLVS; i++)
		if (strcasecmp(s, tlvs[i].name) == 0) {
			*tag = tlvs[i].tag;
			return 0;
		}
	if (pdu_parse_uint(s, 0xFFFF, &v) == -1)
		return -1;
	*tag = (uint16_t)v;
	return 0;
}

const struct pdu_tlv *
pdu_tlv_get(const struct pdu *p, uint16_t tag)
{
	unsigned	 i;

	for (i = 0; i < p->ntlv; i++)
		if (p->tlv[i].tag == tag)
			return &p->tlv[i];
	return NULL;
}

int
pdu_tlv_add(struct pdu *p, uint16_t tag, uint16_t len, const void *val)
{
	struct pdu_tlv	*t;

	if (p->ntlv >= PDU_MAX_TLV || (len > 0 && val == NULL))
		return -1;
	t = &p->tlv[p->ntlv++];
	t->tag = tag;
	t->len = len;
	t->val = val;
	return 0;
}

void
pdu_tlv_del(struct pdu *p, uint16_t tag)
{
	unsigned	 i, j;

	for (i = j = 0; i < p->ntlv; i++)
		if (p->tlv[i].tag != tag)
			p->tlv[j++] = p->tlv[i];
	p->ntlv = j;
}

/*
 * The user data of a message: short_message, or message_payload when
 * sm_length is 0.  *udh (when not NULL) gets the length of a leading
 * UDH when esm_class says there is one, cut to the data's length, else
 * 0.  Never NULL: no data is an empty string.
 */
const uint8_t *
pdu_content(const struct pdu *p, size_t *len, size_t *udh)
{
	static const uint8_t	 empty[1];
	const struct pdu_tlv	*t;
	const uint8_t		*s = p->short_message;
	size_t			 n = p->sm_length;

	if (n == 0 && (t = pdu_tlv_get(p, TLV_MESSAGE_PAYLOAD)) != NULL) {
		s = t->val;
		n = t->len;
	}
	if (s == NULL || n == 0) {
		s = empty;
		n = 0;
	}
	if (udh != NULL) {
		*udh = 0;
		if (n > 0 && (p->esm_class & ESM_UDHI))
			*udh = (size_t)s[0] + 1 > n ? n : (size_t)s[0] + 1;
	}
	*len = n;
	return s;
}

int
pdu_tlv_uint(const struct pdu *p, uint16_t tag, uint32_t *v)
{
	const struct pdu_tlv	*t;

	if ((t = pdu_tlv_get(p, tag)) == NULL)
		return -1;
	switch (t->len) {
	case 1:
		*v = t->val[0];
		return 0;
	case 2:
		*v = pdu_get16(t->val);
		return 0;
	case 4:
		*v = pdu_get32(t->val);
		return 0;
	default:
		return -1;
	}
}

int
pdu_tlv_str(const struct pdu *p, uint16_t tag, char *buf, size_t size)
{
	const struct pdu_tlv	*t;
	const uint8_t		*nul;
	size_t			 n;

	if ((t = pdu_tlv_get(p, tag)) == NULL || size == 0)
		return -1;
	n = t->len;
	if (n > 0 && (nul = memchr(t->val, '\0', n)) != NULL)
		n = (size_t)(nul - t->val);
	if (n >= size)
		return -1;
	if (n > 0)
		memcpy(buf, t->val, n);
	buf[n] = '\0';
	return (int)n;
}
