/*
 * pdu.h - SMPP v3.4 protocol data units: constants, the decoded form,
 * strict decoding of untrusted bytes and encoding
 *
 * pdu_header() and pdu_decode() read untrusted bytes and never outside
 * [buf, buf + len); they return ESME_ROK or the command_status to
 * answer with.  A decoded struct pdu does not own its strings: they
 * point into the caller's buffer, which must outlive it; only the
 * submit_multi lists are allocated (PDU_F_ALLOC), so call pdu_free()
 * on every decoded PDU, also after an error.  pdu_encode() writes into
 * the caller's buffer and returns the length, or -1 when it does not
 * fit or a field is out of range; pdu_encoded_len() measures first.
 */
#ifndef PDU_H
#define PDU_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PDU_HEADER_LEN		16
#define PDU_MAX_LEN_DEFAULT	70000	/* command_length cap: 64K payload */
#define PDU_MAX_TLV		64	/* optional parameters in one PDU */
#define PDU_MAX_DESTS		254	/* submit_multi number_of_dests */
#define PDU_SM_MAX		254	/* short_message octets we emit and accept */
#define PDU_SM_MAX_IN		255	/* a buffer this big holds any sm_length
					   value; the decoder rejects 255 with
					   ESME_RINVMSGLEN (issue 2) */

/*
 * Field maxima in octets, terminating NUL included.  Addresses: real
 * peers exceed the spec's 21 octets, so the codec accepts and emits
 * source_addr, destination_addr, esme_addr and unsuccess_sme addresses
 * up to PDU_ADDR_MAX_LONG (64 characters) in every PDU; size buffers for
 * decoded addresses with PDU_ADDR_MAX_LONG.
 */
#define PDU_SYSTEM_ID_MAX	31	/* 30 characters, as Jasmin documents */
#define PDU_PASSWORD_MAX	31
#define PDU_SYSTEM_TYPE_MAX	13
#define PDU_ADDRESS_RANGE_MAX	41
#define PDU_SERVICE_TYPE_MAX	6
#define PDU_ADDR_MAX		21	/* spec: source_addr, destination_addr */
#define PDU_ADDR_MAX_LONG	65	/* spec: data_sm, alert_notification;
					   the codec: every address */
#define PDU_TIME_MAX		17	/* schedule_delivery_time ... */
#define PDU_MESSAGE_ID_MAX	65
#define PDU_DL_NAME_MAX		21

/* command_id (section 5.1.2.1) */
#define SMPP_GENERIC_NACK		0x80000000U
#define SMPP_BIND_RECEIVER		0x00000001U
#define SMPP_BIND_RECEIVER_RESP		0x80000001U
#define SMPP_BIND_TRANSMITTER		0x00000002U
#define SMPP_BIND_TRANSMITTER_RESP	0x80000002U
#define SMPP_QUERY_SM			0x00000003U
#define SMPP_QUERY_SM_RESP		0x80000003U
#define SMPP_SUBMIT_SM			0x00000004U
#define SMPP_SUBMIT_SM_RESP		0x80000004U
#define SMPP_DELIVER_SM			0x00000005U
#define SMPP_DELIVER_SM_RESP		0x80000005U
#define SMPP_UNBIND			0x00000006U
#define SMPP_UNBIND_RESP		0x80000006U
#define SMPP_REPLACE_SM			0x00000007U
#define SMPP_REPLACE_SM_RESP		0x80000007U
#define SMPP_CANCEL_SM			0x00000008U
#define SMPP_CANCEL_SM_RESP		0x80000008U
#define SMPP_BIND_TRANSCEIVER		0x00000009U
#define SMPP_BIND_TRANSCEIVER_RESP	0x80000009U
#define SMPP_OUTBIND			0x0000000BU
#define SMPP_ENQUIRE_LINK		0x00000015U
#define SMPP_ENQUIRE_LINK_RESP		0x80000015U
#define SMPP_SUBMIT_MULTI		0x00000021U
#define SMPP_SUBMIT_MULTI_RESP		0x80000021U
#define SMPP_ALERT_NOTIFICATION		0x00000102U
#define SMPP_DATA_SM			0x00000103U
#define SMPP_DATA_SM_RESP		0x80000103U

#define SMPP_RESP_BIT			0x80000000U
#define SMPP_IS_RESP(id)		(((id) & SMPP_RESP_BIT) != 0)

/* command_status (section 5.1.3) */
#define ESME_ROK		0x00000000U
#define ESME_RINVMSGLEN		0x00000001U
#define ESME_RINVCMDLEN		0x00000002U
#define ESME_RINVCMDID		0x00000003U
#define ESME_RINVBNDSTS		0x00000004U
#define ESME_RALYBND		0x00000005U
#define ESME_RINVPRTFLG		0x00000006U
#define ESME_RINVREGDLVFLG	0x00000007U
#define ESME_RSYSERR		0x00000008U
#define ESME_RINVSRCADR		0x0000000AU
#define ESME_RINVDSTADR		0x0000000BU
#define ESME_RINVMSGID		0x0000000CU
#define ESME_RBINDFAIL		0x0000000DU
#define ESME_RINVPASWD		0x0000000EU
#define ESME_RINVSYSID		0x0000000FU
#define ESME_RCANCELFAIL	0x00000011U
#define ESME_RREPLACEFAIL	0x00000013U
#define ESME_RMSGQFUL		0x00000014U
#define ESME_RINVSERTYP		0x00000015U
#define ESME_RINVNUMDESTS	0x00000033U
#define ESME_RINVDLNAME		0x00000034U
#define ESME_RINVDESTFLAG	0x00000040U
#define ESME_RINVSUBREP		0x00000042U
#define ESME_RINVESMCLASS	0x00000043U
#define ESME_RCNTSUBDL		0x00000044U
#define ESME_RSUBMITFAIL	0x00000045U
#define ESME_RINVSRCTON		0x00000048U
#define ESME_RINVSRCNPI		0x00000049U
#define ESME_RINVDSTTON		0x00000050U
#define ESME_RINVDSTNPI		0x00000051U
#define ESME_RINVSYSTYP		0x00000053U
#define ESME_RINVREPFLAG	0x00000054U
#define ESME_RINVNUMMSGS	0x00000055U
#define ESME_RTHROTTLED		0x00000058U
#define ESME_RINVSCHED		0x00000061U
#define ESME_RINVEXPIRY		0x00000062U
#define ESME_RINVDFTMSGID	0x00000063U
#define ESME_RX_T_APPN		0x00000064U
#define ESME_RX_P_APPN		0x00000065U
#define ESME_RX_R_APPN		0x00000066U
#define ESME_RQUERYFAIL		0x00000067U
#define ESME_RINVOPTPARSTREAM	0x000000C0U
#define ESME_ROPTPARNOTALLWD	0x000000C1U
#define ESME_RINVPARLEN		0x000000C2U
#define ESME_RMISSINGOPTPARAM	0x000000C3U
#define ESME_RINVOPTPARAMVAL	0x000000C4U
#define ESME_RDELIVERYFAILURE	0x000000FEU
#define ESME_RUNKNOWNERR	0x000000FFU

/* Optional parameter tags (section 5.3.2) */
#define TLV_DEST_ADDR_SUBUNIT		0x0005
#define TLV_DEST_NETWORK_TYPE		0x0006
#define TLV_DEST_BEARER_TYPE		0x0007
#define TLV_DEST_TELEMATICS_ID		0x0008
#define TLV_SOURCE_ADDR_SUBUNIT		0x000D
#define TLV_SOURCE_NETWORK_TYPE		0x000E
#define TLV_SOURCE_BEARER_TYPE		0x000F
#define TLV_SOURCE_TELEMATICS_ID	0x0010
#define TLV_QOS_TIME_TO_LIVE		0x0017
#define TLV_PAYLOAD_TYPE		0x0019
#define TLV_ADDITIONAL_STATUS_INFO_TEXT	0x001D
#define TLV_RECEIPTED_MESSAGE_ID	0x001E
#define TLV_MS_MSG_WAIT_FACILITIES	0x0030
#define TLV_PRIVACY_INDICATOR		0x0201
#define TLV_SOURCE_SUBADDRESS		0x0202
#define TLV_DEST_SUBADDRESS		0x0203
#define TLV_USER_MESSAGE_REFERENCE	0x0204
#define TLV_USER_RESPONSE_CODE		0x0205
#define TLV_SOURCE_PORT			0x020A
#define TLV_DESTINATION_PORT		0x020B
#define TLV_SAR_MSG_REF_NUM		0x020C
#define TLV_LANGUAGE_INDICATOR		0x020D
#define TLV_SAR_TOTAL_SEGMENTS		0x020E
#define TLV_SAR_SEGMENT_SEQNUM		0x020F
#define TLV_SC_INTERFACE_VERSION	0x0210
#define TLV_CALLBACK_NUM_PRES_IND	0x0302
#define TLV_CALLBACK_NUM_ATAG		0x0303
#define TLV_NUMBER_OF_MESSAGES		0x0304
#define TLV_CALLBACK_NUM		0x0381
#define TLV_DPF_RESULT			0x0420
#define TLV_SET_DPF			0x0421
#define TLV_MS_AVAILABILITY_STATUS	0x0422
#define TLV_NETWORK_ERROR_CODE		0x0423
#define TLV_MESSAGE_PAYLOAD		0x0424
#define TLV_DELIVERY_FAILURE_REASON	0x0425
#define TLV_MORE_MESSAGES_TO_SEND	0x0426
#define TLV_MESSAGE_STATE		0x0427
#define TLV_USSD_SERVICE_OP		0x0501
#define TLV_DISPLAY_TIME		0x1201
#define TLV_SMS_SIGNAL			0x1203
#define TLV_MS_VALIDITY			0x1204
#define TLV_ALERT_ON_MESSAGE_DELIVERY	0x130C
#define TLV_ITS_REPLY_TYPE		0x1380
#define TLV_ITS_SESSION_INFO		0x1383

/* esm_class, registered_delivery, message_state, data_coding */
#define ESM_MODE_MASK		0x03
#define ESM_TYPE_MASK		0x3C
#define ESM_TYPE_RECEIPT	0x04	/* SMSC delivery receipt */
#define ESM_TYPE_SME_ACK	0x08
#define ESM_TYPE_USER_ACK	0x10
#define ESM_TYPE_INTERMEDIATE	0x20
#define ESM_UDHI		0x40
#define ESM_REPLY_PATH		0x80
#define REGDLV_RECEIPT_MASK	0x03	/* 0 none, 1 always, 2 on failure */
#define REGDLV_SME_ACK_MASK	0x0C
#define REGDLV_INTERMEDIATE	0x10

#define MSTATE_ENROUTE		1
#define MSTATE_DELIVERED	2
#define MSTATE_EXPIRED		3
#define MSTATE_DELETED		4
#define MSTATE_UNDELIVERABLE	5
#define MSTATE_ACCEPTED		6
#define MSTATE_UNKNOWN		7
#define MSTATE_REJECTED		8

#define DC_DEFAULT	0x00	/* SMSC default alphabet: GSM 03.38 */
#define DC_IA5		0x01
#define DC_BINARY	0x02
#define DC_LATIN1	0x03
#define DC_BINARY4	0x04
#define DC_UCS2		0x08

/* One optional parameter: tag, length and the value's octets. */
struct pdu_tlv {
	uint16_t	 tag;
	uint16_t	 len;
	const uint8_t	*val;
};

/* submit_multi dest_address: dest_flag 1 (SME) or 2 (distribution list) */
struct pdu_dest {
	uint8_t		 dest_flag;
	uint8_t		 ton;		/* SME only */
	uint8_t		 npi;		/* SME only */
	const char	*addr;		/* destination_addr or dl_name */
};

/* submit_multi_resp unsuccess_sme */
struct pdu_unsuccess {
	uint8_t		 ton;
	uint8_t		 npi;
	const char	*addr;
	uint32_t	 error_status_code;
};

/*
 * The decoded form of every PDU: the union of all mandatory fields plus
 * the optional parameters in wire order.  Strings and octet strings are
 * pointers, not copies: after pdu_decode() they point into the caller's
 * buffer (C-Octet Strings are NUL-terminated there), so the buffer must
 * outlive the struct; for pdu_encode() they point wherever the caller
 * likes, NULL meaning empty.  Only submit_multi and submit_multi_resp
 * allocate (their lists); pdu_free() releases that.
 */
struct pdu {
	uint32_t	 command_length;	/* set by decode; encode ignores it */
	uint32_t	 command_id;
	uint32_t	 command_status;
	uint32_t	 sequence_number;

	/* bind_*, bind_*_resp, outbind */
	const char	*system_id;
	const char	*password;
	const char	*system_type;
	uint8_t		 interface_version;
	uint8_t		 addr_ton;
	uint8_t		 addr_npi;
	const char	*address_range;

	/* submit_sm, deliver_sm, data_sm, submit_multi, replace_sm,
	 * query_sm, cancel_sm, alert_notification */
	const char	*service_type;
	uint8_t		 source_addr_ton;
	uint8_t		 source_addr_npi;
	const char	*source_addr;
	uint8_t		 dest_addr_ton;
	uint8_t		 dest_addr_npi;
	const char	*destination_addr;
	uint8_t		 esm_class;
	uint8_t		 protocol_id;
	uint8_t		 priority_flag;
	const char	*schedule_delivery_time;
	const char	*validity_period;
	uint8_t		 registered_delivery;
	uint8_t		 replace_if_present_flag;
	uint8_t		 data_coding;
	uint8_t		 sm_default_msg_id;
	uint8_t		 sm_length;
	const uint8_t	*short_message;

	/* submit_multi */
	uint8_t		 number_of_dests;
	struct pdu_dest	*dests;

	/* *_resp, query_sm, cancel_sm, replace_sm */
	const char	*message_id;

	/* submit_multi_resp */
	uint8_t		 no_unsuccess;
	struct pdu_unsuccess *unsuccess;

	/* query_sm_resp */
	const char	*final_date;
	uint8_t		 message_state;
	uint8_t		 error_code;

	/* alert_notification */
	uint8_t		 esme_addr_ton;
	uint8_t		 esme_addr_npi;
	const char	*esme_addr;

	/* optional parameters, in wire order */
	unsigned	 ntlv;
	struct pdu_tlv	 tlv[PDU_MAX_TLV];

	int		 flags;
#define PDU_F_ALLOC	0x01	/* dests or unsuccess were allocated */
#define PDU_F_NOBODY	0x02	/* a response without body (error resp);
				   set by the caller, pdu_encode omits the
				   body of a response too */
};

/* Header of a PDU, read before its body. */
struct pdu_hdr {
	uint32_t	 command_length;
	uint32_t	 command_id;
	uint32_t	 command_status;
	uint32_t	 sequence_number;
};

/* What the table knows of one command_status / command_id / TLV. */
struct pdu_status_info {
	uint32_t	 status;
	const char	*name;		/* "ESME_RINVPASWD" */
	const char	*text;		/* "invalid password" */
};

/* What the table knows of one standard TLV (section 5.3.2). */
struct pdu_tlv_info {
	uint16_t	 tag;
	uint8_t		 type;
#define PDU_TLV_INT	1	/* unsigned integer, big-endian */
#define PDU_TLV_BITS	2	/* 1-octet bit mask */
#define PDU_TLV_CSTR	3	/* C-Octet String (a missing NUL is tolerated) */
#define PDU_TLV_OCT	4	/* Octet String */
#define PDU_TLV_TEXT	5	/* Octet String holding message text */
#define PDU_TLV_NONE	6	/* no value */
	uint16_t	 min;		/* allowed value length in octets */
	uint16_t	 max;
	const char	*name;		/* "message_payload" */
};

/*
 * pdu_header() needs len >= 16 and checks 16 <= command_length <= max_len
 * (0: PDU_MAX_LEN_DEFAULT); pdu_decode() takes one whole PDU, len being
 * its command_length.  Both return ESME_ROK or the status to answer with:
 *   ESME_RINVCMDLEN	command_length < 16, > max_len, != the buffer's
 *			length, or the body ends where a 1- or 4-octet
 *			integer field should be
 *   ESME_RINVCMDID	unknown command_id
 *   (the field's)	a C-Octet String without its NUL within its maximum
 *			or before the body ends: system_id ESME_RINVSYSID,
 *			password ESME_RINVPASWD, system_type ESME_RINVSYSTYP,
 *			service_type ESME_RINVSERTYP, source_addr
 *			ESME_RINVSRCADR, destination_addr and esme_addr and
 *			unsuccess_sme addresses ESME_RINVDSTADR, message_id
 *			ESME_RINVMSGID, schedule_delivery_time ESME_RINVSCHED,
 *			validity_period ESME_RINVEXPIRY, dl_name
 *			ESME_RINVDLNAME; address_range and final_date, for
 *			which the spec has no status, ESME_RINVPARLEN
 *   ESME_RINVMSGLEN	sm_length > 254 or past the body
 *   ESME_RINVNUMDESTS	number_of_dests 0 or > 254, no_unsuccess > 254
 *   ESME_RINVDESTFLAG	dest_flag neither 1 nor 2
 *   ESME_RINVOPTPARSTREAM  fewer than 4 octets for a TLV header, a TLV
 *			value past the body, more than PDU_MAX_TLV TLVs
 *   ESME_RINVPARLEN	a standard TLV whose length its type forbids
 *   ESME_RINVOPTPARAMVAL  short_message and message_payload both
 *			non-empty (the one status for that case)
 *   ESME_RSYSERR	no memory for the submit_multi(_resp) lists
 * Any TLV is accepted in any PDU; unknown and vendor tags are kept.  A
 * response (and generic_nack) may come without body when its
 * command_status is not 0, and so may submit_sm_resp, deliver_sm_resp
 * and data_sm_resp with status 0: the fields are then empty and
 * PDU_F_NOBODY is set.  On error the header fields of *p are still set
 * and nothing stays allocated.
 *
 * pdu_check() applies the semantic checks of a decoded request, in wire
 * order: ESME_RINVSRCTON/NPI, ESME_RINVDSTTON/NPI (TON > 6, NPI not one
 * of 0 1 3 4 6 8 9 10 14 18), ESME_RINVPRTFLG (priority_flag > 3),
 * ESME_RINVSCHED / ESME_RINVEXPIRY (a time neither empty nor valid),
 * ESME_RINVREGDLVFLG (bits 0xE0 or receipt value 3), ESME_RINVREPFLAG
 * (replace_if_present_flag > 1).
 *
 * pdu_encode() returns the octets written or -1; pdu_encoded_len() the
 * octets pdu_encode() would write, 0 when it would fail.  pdu_tlv_add()
 * keeps the value pointer, it does not copy the value.
 * pdu_encode_resp() takes the response's command_id or its request's.
 * The name functions never return NULL: unknown values get "unknown"
 * (commands, statuses, message states), "vendor" or "reserved" (TLVs).
 */
void		 pdu_init(struct pdu *, uint32_t, uint32_t);
void		 pdu_free(struct pdu *);
uint32_t	 pdu_header(const uint8_t *, size_t, struct pdu_hdr *, uint32_t);
uint32_t	 pdu_decode(const uint8_t *, size_t, struct pdu *);
uint32_t	 pdu_check(const struct pdu *);
int		 pdu_known_command(uint32_t);
size_t		 pdu_encoded_len(const struct pdu *);
int		 pdu_encode(const struct pdu *, uint8_t *, size_t);
int		 pdu_encode_resp(uint32_t, uint32_t, uint32_t, uint8_t *,
		    size_t);

const struct pdu_tlv *pdu_tlv_get(const struct pdu *, uint16_t);
int		 pdu_tlv_add(struct pdu *, uint16_t, uint16_t, const void *);
int		 pdu_tlv_uint(const struct pdu *, uint16_t, uint32_t *);
const uint8_t	*pdu_content(const struct pdu *, size_t *, size_t *);
int		 pdu_tlv_str(const struct pdu *, uint16_t, char *, size_t);
void		 pdu_tlv_del(struct pdu *, uint16_t);
const struct pdu_tlv_info *pdu_tlv_lookup(uint16_t);
const struct pdu_tlv_info *pdu_tlv_table(size_t *);

const char	*pdu_command_name(uint32_t);
const char	*pdu_status_name(uint32_t);
const char	*pdu_status_text(uint32_t);
int		 pdu_status_parse(const char *, uint32_t *);
const struct pdu_status_info *pdu_status_table(size_t *);
const char	*pdu_tlv_name(uint16_t);
int		 pdu_tlv_parse_name(const char *, uint16_t *);
const char	*pdu_message_state_name(uint8_t);
const char	*pdu_message_state_stat(uint8_t);

#define PDU_DUMP_HEX	0x01	/* pdu_dump: also a hex dump of the encoding */
int		 pdu_dump(FILE *, const struct pdu *, int);
int		 pdu_dump_hex(FILE *, const uint8_t *, size_t);

#endif /* PDU_H */
