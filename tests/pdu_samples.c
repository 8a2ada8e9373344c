/*
 * pdu_samples.c - valid PDUs of every SMPP v3.4 command with every field
 * set, and a field-by-field comparison of two decoded PDUs
 *
 * SYNOPSIS
 *	sample_make(i, p)	sample_name(i)
 *	sample_equal(a, b, why, size)
 *
 * DESCRIPTION
 *	sample_make() fills p with sample i (0, 1, ...) and returns 0, or
 *	-1 past the last one.  The samples point into static data.
 *	sample_equal() compares every field of struct pdu except
 *	command_length and flags, strings by content with NULL equal to "",
 *	and returns 1, or 0 with the first difference in why.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pdu.h"
#include "pdu_samples.h"

static const uint8_t	 v_ref[] = { 0x12, 0x34 };
static const uint8_t	 v_total[] = { 3 };
static const uint8_t	 v_seq[] = { 2 };
static const uint8_t	 v_port[] = { 0x0b, 0x84 };
static const uint8_t	 v_vendor[] = { 0xde, 0xad, 0xbe, 0xef, 0x00 };
static const uint8_t	 v_state[] = { MSTATE_DELIVERED };
static const uint8_t	 v_neterr[] = { 0x03, 0x00, 0x0b };
static const uint8_t	 v_one[] = { 1 };
static const uint8_t	 v_34[] = { 0x34 };
static const char	 v_rmid[] = "0123456789abcdef";
static const char	 v_text[] = "status text";
static const char	 v_payload[] = "a message_payload longer than one "
    "short message would be, with \"quotes\", a tab\t and \xc3\xa9";

/* Every standard TLV once, with a length its type allows. */
static const uint8_t	 v_any[256] = { 0x30, 0x31, 0x32, 0x33, 0x34, 0x35,
    0x36, 0x37, 0x38, 0x39, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46 };

static const struct pdu_dest dests[] = {
	{ 1, 1, 1, "447700900001" },
	{ 2, 0, 0, "friends" },
	{ 1, 2, 8, "07700900002" }
};

static const struct pdu_unsuccess unsuccess[] = {
	{ 1, 1, "447700900001", ESME_RINVDSTADR },
	{ 0, 0, "bad", ESME_RSUBMITFAIL }
};

static const char *const names[] = {
	"bind_transmitter", "bind_receiver", "bind_transceiver",
	"bind_transmitter_resp", "bind_receiver_resp",
	"bind_transceiver_resp", "outbind", "unbind", "unbind_resp",
	"generic_nack", "enquire_link", "enquire_link_resp",
	"submit_sm", "submit_sm_payload", "submit_sm_resp",
	"submit_sm_resp_error", "submit_multi", "submit_multi_resp",
	"deliver_sm_receipt", "deliver_sm_resp", "data_sm", "data_sm_resp",
	"query_sm", "query_sm_resp", "cancel_sm", "cancel_sm_resp",
	"replace_sm", "replace_sm_resp", "alert_notification",
	"data_sm_all_tlvs", "bind_transmitter_resp_error"
};

#define NSAMPLES	(int)(sizeof(names) / sizeof(names[0]))

const char *
sample_name(int i)
{
	return i >= 0 && i < NSAMPLES ? names[i] : NULL;
}

static void
set_bind(struct pdu *p, uint32_t id)
{
	p->command_id = id;
	p->system_id = "smppclient1";
	p->password = "secret08";
	p->system_type = "VMA";
	p->interface_version = 0x34;
	p->addr_ton = 1;
	p->addr_npi = 1;
	p->address_range = "^447700";
}

static void
set_message(struct pdu *p, uint32_t id)
{
	static const char sm[] = "Hello \x00world\x1b\x65";

	p->command_id = id;
	p->service_type = "WAP";
	p->source_addr_ton = 5;
	p->source_addr_npi = 0;
	p->source_addr = "Sender";
	p->dest_addr_ton = 1;
	p->dest_addr_npi = 1;
	p->destination_addr = "447700900123";
	p->esm_class = ESM_UDHI | 0x03;
	p->protocol_id = 0x7f;
	p->priority_flag = 2;
	p->schedule_delivery_time = "260102030405000+";
	p->validity_period = "000001000000000R";
	p->registered_delivery = 0x11;
	p->replace_if_present_flag = 1;
	p->data_coding = DC_LATIN1;
	p->sm_default_msg_id = 9;
	p->sm_length = sizeof(sm) - 1;
	p->short_message = (const uint8_t *)sm;
	pdu_tlv_add(p, TLV_SAR_MSG_REF_NUM, sizeof(v_ref), v_ref);
	pdu_tlv_add(p, TLV_SAR_TOTAL_SEGMENTS, sizeof(v_total), v_total);
	pdu_tlv_add(p, TLV_SAR_SEGMENT_SEQNUM, sizeof(v_seq), v_seq);
	pdu_tlv_add(p, 0x1501, sizeof(v_vendor), v_vendor);
}

static void
set_receipt(struct pdu *p)
{
	static const char sm[] = "id:0123456789abcdef sub:001 dlvrd:001 "
	    "submit date:2601020304 done date:2601020305 stat:DELIVRD "
	    "err:000 Text:Hello";

	p->command_id = SMPP_DELIVER_SM;
	p->service_type = "";
	p->source_addr_ton = 1;
	p->source_addr_npi = 1;
	p->source_addr = "447700900123";
	p->dest_addr_ton = 5;
	p->dest_addr_npi = 0;
	p->destination_addr = "Sender";
	p->esm_class = ESM_TYPE_RECEIPT;
	p->registered_delivery = 0;
	p->sm_length = sizeof(sm) - 1;
	p->short_message = (const uint8_t *)sm;
	pdu_tlv_add(p, TLV_RECEIPTED_MESSAGE_ID, sizeof(v_rmid), v_rmid);
	pdu_tlv_add(p, TLV_MESSAGE_STATE, sizeof(v_state), v_state);
	pdu_tlv_add(p, TLV_NETWORK_ERROR_CODE, sizeof(v_neterr), v_neterr);
}

static void
set_all_tlvs(struct pdu *p)
{
	const struct pdu_tlv_info	*ti;
	size_t				 i, n;

	p->command_id = SMPP_DATA_SM;
	p->source_addr = "1234";
	p->destination_addr = "5678";
	ti = pdu_tlv_table(&n);
	for (i = 0; i < n; i++)
		pdu_tlv_add(p, ti[i].tag, ti[i].max > 16 ? 16 : ti[i].max,
		    v_any);
	pdu_tlv_add(p, 0x3fff, 3, v_any);
	pdu_tlv_add(p, 0x8081, 0, NULL);
}

static void
set_data(struct pdu *p)
{
	p->command_id = SMPP_DATA_SM;
	p->service_type = "USSD";
	p->source_addr_ton = 2;
	p->source_addr_npi = 8;
	p->source_addr = "a source address of sixty-four characters, "
	    "the codec's maximum!!";
	p->dest_addr_ton = 4;
	p->dest_addr_npi = 18;
	p->destination_addr = "+447700900123";
	p->esm_class = 0x02;
	p->registered_delivery = 0x01;
	p->data_coding = DC_UCS2;
	pdu_tlv_add(p, TLV_MESSAGE_PAYLOAD, sizeof(v_payload) - 1, v_payload);
	pdu_tlv_add(p, TLV_SOURCE_PORT, sizeof(v_port), v_port);
	pdu_tlv_add(p, TLV_MORE_MESSAGES_TO_SEND, sizeof(v_one), v_one);
	pdu_tlv_add(p, 0x1400, sizeof(v_vendor), v_vendor);
}

static void
set_resp(struct pdu *p, int i)
{
	switch (i) {
	case 3:
	case 4:
	case 5:
		p->command_id = i == 3 ? SMPP_BIND_TRANSMITTER_RESP : i == 4 ?
		    SMPP_BIND_RECEIVER_RESP : SMPP_BIND_TRANSCEIVER_RESP;
		p->system_id = "smppd";
		pdu_tlv_add(p, TLV_SC_INTERFACE_VERSION, 1, v_34);
		break;
	case 14:
		p->command_id = SMPP_SUBMIT_SM_RESP;
		p->message_id = "0123456789abcdef";
		break;
	case 15:
		p->command_id = SMPP_SUBMIT_SM_RESP;
		p->command_status = ESME_RTHROTTLED;
		p->flags = PDU_F_NOBODY;
		break;
	case 17:
		p->command_id = SMPP_SUBMIT_MULTI_RESP;
		p->message_id = "multi-1";
		p->no_unsuccess = 2;
		p->unsuccess = (struct pdu_unsuccess *)unsuccess;
		break;
	case 19:
		p->command_id = SMPP_DELIVER_SM_RESP;
		break;
	case 21:
		p->command_id = SMPP_DATA_SM_RESP;
		p->command_status = ESME_RDELIVERYFAILURE;
		p->message_id = "d1";
		pdu_tlv_add(p, TLV_DELIVERY_FAILURE_REASON, 1, v_one);
		pdu_tlv_add(p, TLV_NETWORK_ERROR_CODE, 3, v_neterr);
		pdu_tlv_add(p, TLV_ADDITIONAL_STATUS_INFO_TEXT,
		    sizeof(v_text), v_text);
		pdu_tlv_add(p, TLV_DPF_RESULT, 1, v_one);
		break;
	case 23:
		p->command_id = SMPP_QUERY_SM_RESP;
		p->message_id = "q-42";
		p->final_date = "260102030405123-";
		p->message_state = MSTATE_UNDELIVERABLE;
		p->error_code = 0x11;
		break;
	case 30:
		p->command_id = SMPP_BIND_TRANSMITTER_RESP;
		p->command_status = ESME_RINVPASWD;
		p->flags = PDU_F_NOBODY;
		break;
	}
}

static void
set_other(struct pdu *p, int i)
{
	switch (i) {
	case 16:
		set_message(p, SMPP_SUBMIT_MULTI);
		p->destination_addr = NULL;
		p->dest_addr_ton = p->dest_addr_npi = 0;
		p->number_of_dests = 3;
		p->dests = (struct pdu_dest *)dests;
		break;
	case 22:
		p->command_id = SMPP_QUERY_SM;
		p->message_id = "q-42";
		p->source_addr_ton = 1;
		p->source_addr_npi = 1;
		p->source_addr = "447700900123";
		break;
	case 24:
		p->command_id = SMPP_CANCEL_SM;
		p->service_type = "CMT";
		p->message_id = "c-7";
		p->source_addr_ton = 1;
		p->source_addr_npi = 1;
		p->source_addr = "447700900123";
		p->dest_addr_ton = 2;
		p->dest_addr_npi = 9;
		p->destination_addr = "0987";
		break;
	case 26:
		p->command_id = SMPP_REPLACE_SM;
		p->message_id = "r-9";
		p->source_addr_ton = 1;
		p->source_addr_npi = 1;
		p->source_addr = "447700900123";
		p->schedule_delivery_time = "";
		p->validity_period = "261231235959948+";
		p->registered_delivery = 0x02;
		p->sm_default_msg_id = 3;
		p->sm_length = 3;
		p->short_message = (const uint8_t *)"new";
		break;
	case 28:
		p->command_id = SMPP_ALERT_NOTIFICATION;
		p->source_addr_ton = 1;
		p->source_addr_npi = 1;
		p->source_addr = "447700900123";
		p->esme_addr_ton = 6;
		p->esme_addr_npi = 14;
		p->esme_addr = "192.0.2.1";
		pdu_tlv_add(p, TLV_MS_AVAILABILITY_STATUS, 1, v_one);
		break;
	}
}

int
sample_make(int i, struct pdu *p)
{
	static const uint32_t	 bare[] = { SMPP_UNBIND, SMPP_UNBIND_RESP,
	    SMPP_GENERIC_NACK, SMPP_ENQUIRE_LINK, SMPP_ENQUIRE_LINK_RESP };

	if (i < 0 || i >= NSAMPLES)
		return -1;
	pdu_init(p, 0, 1000 + (uint32_t)i);
	if (i <= 2)
		set_bind(p, i == 0 ? SMPP_BIND_TRANSMITTER : i == 1 ?
		    SMPP_BIND_RECEIVER : SMPP_BIND_TRANSCEIVER);
	else if (i == 6) {
		p->command_id = SMPP_OUTBIND;
		p->system_id = "smsc";
		p->password = "pw";
	} else if (i >= 7 && i <= 11) {
		p->command_id = bare[i - 7];
		if (p->command_id == SMPP_GENERIC_NACK)
			p->command_status = ESME_RINVCMDID;
	} else if (i == 12)
		set_message(p, SMPP_SUBMIT_SM);
	else if (i == 13) {
		set_message(p, SMPP_SUBMIT_SM);
		p->sm_length = 0;
		p->short_message = NULL;
		pdu_tlv_add(p, TLV_MESSAGE_PAYLOAD, sizeof(v_payload) - 1,
		    v_payload);
	} else if (i == 18)
		set_receipt(p);
	else if (i == 20)
		set_data(p);
	else if (i == 29)
		set_all_tlvs(p);
	else {
		set_resp(p, i);
		set_other(p, i);
		if (p->command_id == 0) {
			p->command_id = i == 25 ? SMPP_CANCEL_SM_RESP :
			    SMPP_REPLACE_SM_RESP;
		}
	}
	return 0;
}

static int
str_eq(const char *a, const char *b)
{
	return strcmp(a == NULL ? "" : a, b == NULL ? "" : b) == 0;
}

static int
mem_eq(const void *a, const void *b, size_t n)
{
	return n == 0 || (a != NULL && b != NULL && memcmp(a, b, n) == 0);
}

#define DIFF(what) do {					\
	snprintf(why, size, "%s differs", what);		\
	return 0;						\
} while (0)
#define SCALAR(f)	if (a->f != b->f) DIFF(#f)
#define STRING(f)	if (!str_eq(a->f, b->f)) DIFF(#f)

static int
lists_equal(const struct pdu *a, const struct pdu *b, char *why,
    size_t size)
{
	unsigned	 i;

	SCALAR(number_of_dests);
	for (i = 0; i < a->number_of_dests; i++)
		if (a->dests[i].dest_flag != b->dests[i].dest_flag ||
		    (a->dests[i].dest_flag == 1 &&
		    (a->dests[i].ton != b->dests[i].ton ||
		    a->dests[i].npi != b->dests[i].npi)) ||
		    !str_eq(a->dests[i].addr, b->dests[i].addr))
			DIFF("dest_address");
	SCALAR(no_unsuccess);
	for (i = 0; i < a->no_unsuccess; i++)
		if (a->unsuccess[i].ton != b->unsuccess[i].ton ||
		    a->unsuccess[i].npi != b->unsuccess[i].npi ||
		    a->unsuccess[i].error_status_code !=
		    b->unsuccess[i].error_status_code ||
		    !str_eq(a->unsuccess[i].addr, b->unsuccess[i].addr))
			DIFF("unsuccess_sme");
	SCALAR(ntlv);
	for (i = 0; i < a->ntlv; i++)
		if (a->tlv[i].tag != b->tlv[i].tag ||
		    a->tlv[i].len != b->tlv[i].len ||
		    !mem_eq(a->tlv[i].val, b->tlv[i].val, a->tlv[i].len))
			DIFF("tlv");
	return 1;
}

int
sample_equal(const struct pdu *a, const struct pdu *b, char *why,
    size_t size)
{
	SCALAR(command_id); SCALAR(command_status); SCALAR(sequence_number);
	STRING(system_id); STRING(password); STRING(system_type);
	SCALAR(interface_version); SCALAR(addr_ton); SCALAR(addr_npi);
	STRING(address_range); STRING(service_type);
	SCALAR(source_addr_ton); SCALAR(source_addr_npi);
	STRING(source_addr); SCALAR(dest_addr_ton); SCALAR(dest_addr_npi);
	STRING(destination_addr); SCALAR(esm_class); SCALAR(protocol_id);
	SCALAR(priority_flag); STRING(schedule_delivery_time);
	STRING(validity_period); SCALAR(registered_delivery);
	SCALAR(replace_if_present_flag); SCALAR(data_coding);
	SCALAR(sm_default_msg_id); SCALAR(sm_length);
	if (!mem_eq(a->short_message, b->short_message, a->sm_length))
		DIFF("short_message");
	STRING(message_id); STRING(final_date); SCALAR(message_state);
	SCALAR(error_code); SCALAR(esme_addr_ton); SCALAR(esme_addr_npi);
	STRING(esme_addr);
	return lists_equal(a, b, why, size);
}
