/*
 * pdu_command.c - the SMPP v3.4 commands: names and mandatory body layouts
 *
 * SYNOPSIS
 *	pdu_command_name(id)		pdu_known_command(id)
 *	pdu_command_layout(id)		(pdu_local.h)
 *
 * DESCRIPTION
 *	One table row per command of section 4 gives its name and the
 *	fields of its mandatory body in wire order, with each C-Octet
 *	String's maximum and the status that reports a bad value.  The
 *	decoder, the encoder and the dump walk these rows, so a field is
 *	described once.
 *
 *	Maxima are the spec's, except that system_id and password allow 30
 *	characters (what Jasmin documents) and every address 64 (real
 *	peers exceed the spec's 20; see PDU_ADDR_MAX_LONG in pdu.h).
 *	address_range and final_date have no status of their own in the
 *	spec; an overrun there is reported as ESME_RINVPARLEN.
 *
 *	A response without body on error: the v3.4 text says "The body
 *	portion of the SMPP bind_transmitter_resp PDU is not returned if
 *	the command_status field contains a non-zero value" (4.1.2) and the
 *	same for bind_receiver_resp (4.1.4) and submit_sm_resp (4.4.2), as
 *	quoted by the esmpp34 Erlang codec and the Logica SMPP library's
 *	change log ("v3.4 p. 67").  bind_transceiver_resp follows its
 *	siblings; deliver_sm_resp (whose message_id is unused) and
 *	query_sm_resp are sent the same way, as other codecs do.
 *	data_sm_resp and submit_multi_resp keep their body (it can carry
 *	TLVs and the unsuccess list that explain the error).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "pdu.h"
#include "pdu_local.h"

#define OFF(n)	offsetof(struct pdu, n)
#define U8(n)	{ #n, PF_U8, 0, OFF(n), 0, 0, 0 }
#define X8(n)	{ #n, PF_X8, 0, OFF(n), 0, 0, 0 }
#define STR(n, max, err) \
	{ #n, PF_CSTR, max, OFF(n), 0, 0, err }
#define ADDR(n, ton, npi, max, err) \
	{ #n, PF_ADDR, max, OFF(n), OFF(ton), OFF(npi), err }

#define SERVICE_TYPE \
	STR(service_type, PDU_SERVICE_TYPE_MAX, ESME_RINVSERTYP)
#define SOURCE_ADDR \
	ADDR(source_addr, source_addr_ton, source_addr_npi, \
	    PDU_ADDR_MAX_LONG, ESME_RINVSRCADR)
#define DEST_ADDR \
	ADDR(destination_addr, dest_addr_ton, dest_addr_npi, \
	    PDU_ADDR_MAX_LONG, ESME_RINVDSTADR)
#define MESSAGE_ID \
	STR(message_id, PDU_MESSAGE_ID_MAX, ESME_RINVMSGID)
#define SCHEDULE \
	STR(schedule_delivery_time, PDU_TIME_MAX, ESME_RINVSCHED)
#define VALIDITY \
	STR(validity_period, PDU_TIME_MAX, ESME_RINVEXPIRY)
#define SHORT_MESSAGE \
	{ "short_message", PF_SM, 0, 0, 0, 0, 0 }

static const struct pdu_field bind_f[] = {
	STR(system_id, PDU_SYSTEM_ID_MAX, ESME_RINVSYSID),
	STR(password, PDU_PASSWORD_MAX, ESME_RINVPASWD),
	STR(system_type, PDU_SYSTEM_TYPE_MAX, ESME_RINVSYSTYP),
	X8(interface_version),
	ADDR(address_range, addr_ton, addr_npi, PDU_ADDRESS_RANGE_MAX,
	    ESME_RINVPARLEN)
};

/* bind_*_resp has the first field only, outbind the first two. */
#define bind_resp_f	bind_f
#define outbind_f	bind_f

static const struct pdu_field submit_f[] = {
	SERVICE_TYPE, SOURCE_ADDR, DEST_ADDR,
	X8(esm_class), U8(protocol_id), U8(priority_flag),
	SCHEDULE, VALIDITY,
	X8(registered_delivery), U8(replace_if_present_flag),
	X8(data_coding), U8(sm_default_msg_id),
	SHORT_MESSAGE
};

static const struct pdu_field message_id_f[] = {
	MESSAGE_ID
};

static const struct pdu_field data_f[] = {
	SERVICE_TYPE, SOURCE_ADDR, DEST_ADDR,
	X8(esm_class), X8(registered_delivery), X8(data_coding)
};

static const struct pdu_field query_f[] = {
	MESSAGE_ID, SOURCE_ADDR
};

static const struct pdu_field query_resp_f[] = {
	MESSAGE_ID,
	STR(final_date, PDU_TIME_MAX, ESME_RINVPARLEN),
	{ "message_state", PF_STATE, 0, OFF(message_state), 0, 0, 0 },
	U8(error_code)
};

static const struct pdu_field cancel_f[] = {
	SERVICE_TYPE, MESSAGE_ID, SOURCE_ADDR, DEST_ADDR
};

static const struct pdu_field replace_f[] = {
	MESSAGE_ID, SOURCE_ADDR, SCHEDULE, VALIDITY,
	X8(registered_delivery), U8(sm_default_msg_id),
	SHORT_MESSAGE
};

static const struct pdu_field multi_f[] = {
	SERVICE_TYPE, SOURCE_ADDR,
	{ "dest_address", PF_DESTS, 0, 0, 0, 0, 0 },
	X8(esm_class), U8(protocol_id), U8(priority_flag),
	SCHEDULE, VALIDITY,
	X8(registered_delivery), U8(replace_if_present_flag),
	X8(data_coding), U8(sm_default_msg_id),
	SHORT_MESSAGE
};

static const struct pdu_field multi_resp_f[] = {
	MESSAGE_ID,
	{ "unsuccess_sme", PF_UNSUCC, 0, 0, 0, 0, 0 }
};

static const struct pdu_field alert_f[] = {
	SOURCE_ADDR,
	ADDR(esme_addr, esme_addr_ton, esme_addr_npi, PDU_ADDR_MAX_LONG,
	    ESME_RINVDSTADR)
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))
#define ROW(id, name, f, n, fl)	{ id, name, f, n, fl }

static const struct pdu_layout layouts[] = {
	ROW(SMPP_GENERIC_NACK, "generic_nack", NULL, 0, 0),
	ROW(SMPP_BIND_RECEIVER, "bind_receiver", bind_f, N(bind_f), 0),
	ROW(SMPP_BIND_RECEIVER_RESP, "bind_receiver_resp", bind_resp_f, 1,
	    PL_NOBODY_ERR),
	ROW(SMPP_BIND_TRANSMITTER, "bind_transmitter", bind_f, N(bind_f), 0),
	ROW(SMPP_BIND_TRANSMITTER_RESP, "bind_transmitter_resp",
	    bind_resp_f, 1, PL_NOBODY_ERR),
	ROW(SMPP_QUERY_SM, "query_sm", query_f, N(query_f), 0),
	ROW(SMPP_QUERY_SM_RESP, "query_sm_resp", query_resp_f,
	    N(query_resp_f), PL_NOBODY_ERR),
	ROW(SMPP_SUBMIT_SM, "submit_sm", submit_f, N(submit_f), 0),
	ROW(SMPP_SUBMIT_SM_RESP, "submit_sm_resp", message_id_f, 1,
	    PL_NOBODY_ERR | PL_MSGID_ONLY),
	ROW(SMPP_DELIVER_SM, "deliver_sm", submit_f, N(submit_f), 0),
	ROW(SMPP_DELIVER_SM_RESP, "deliver_sm_resp", message_id_f, 1,
	    PL_NOBODY_ERR | PL_MSGID_ONLY),
	ROW(SMPP_UNBIND, "unbind", NULL, 0, 0),
	ROW(SMPP_UNBIND_RESP, "unbind_resp", NULL, 0, 0),
	ROW(SMPP_REPLACE_SM, "replace_sm", replace_f, N(replace_f), 0),
	ROW(SMPP_REPLACE_SM_RESP, "replace_sm_resp", NULL, 0, 0),
	ROW(SMPP_CANCEL_SM, "cancel_sm", cancel_f, N(cancel_f), 0),
	ROW(SMPP_CANCEL_SM_RESP, "cancel_sm_resp", NULL, 0, 0),
	ROW(SMPP_BIND_TRANSCEIVER, "bind_transceiver", bind_f, N(bind_f), 0),
	ROW(SMPP_BIND_TRANSCEIVER_RESP, "bind_transceiver_resp",
	    bind_resp_f, 1, PL_NOBODY_ERR),
	ROW(SMPP_OUTBIND, "outbind", outbind_f, 2, 0),
	ROW(SMPP_ENQUIRE_LINK, "enquire_link", NULL, 0, 0),
	ROW(SMPP_ENQUIRE_LINK_RESP, "enquire_link_resp", NULL, 0, 0),
	ROW(SMPP_SUBMIT_MULTI, "submit_multi", multi_f, N(multi_f), 0),
	ROW(SMPP_SUBMIT_MULTI_RESP, "submit_multi_resp", multi_resp_f,
	    N(multi_resp_f), 0),
	ROW(SMPP_ALERT_NOTIFICATION, "alert_notification", alert_f,
	    N(alert_f), 0),
	ROW(SMPP_DATA_SM, "data_sm", data_f, N(data_f), 0),
	ROW(SMPP_DATA_SM_RESP, "data_sm_resp", message_id_f, 1,
	    PL_MSGID_ONLY)
};

/* 27 rows: a scan costs a few nanoseconds per PDU. */
const struct pdu_layout *
pdu_command_layout(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < N(layouts); i++)
		if (layouts[i].id == id)
			return &layouts[i];
	return NULL;
}

int
pdu_known_command(uint32_t id)
{
	return pdu_command_layout(id) != NULL;
}

const char *
pdu_command_name(uint32_t id)
{
	const struct pdu_layout	*l;

	if ((l = pdu_command_layout(id)) == NULL)
		return "unknown";
	return l->name;
}
