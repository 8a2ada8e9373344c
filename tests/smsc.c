/*
 * smsc.c - a scripted upstream SMSC for integration tests
 *
 * SYNOPSIS
 *	smsc_listen(port)		smsc_accept(u, lfd, system_id)
 *	smsc_next(u, command_id)
 *	smsc_answer_submit(u, status, message_id)
 *	smsc_deliver(u, src, dst, esm_class, text, receipted_id, state)
 *
 * DESCRIPTION
 *	The test plays the SMSC that smppconn's smpp connector binds to:
 *	smsc_listen() opens a loopback listener, smsc_accept() takes one
 *	bind (any password) and answers it.  smsc_next() waits for the
 *	next PDU other than enquire_link (answered on the way) and checks
 *	its command.  smsc_deliver() sends a deliver_sm -- a receipt with
 *	receipted_message_id and message_state when given, an MO
 *	otherwise -- and waits for its deliver_sm_resp with status 0.
 *	Every wait is bounded; a failure aborts the test.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smsc.h"

int
smsc_listen(int port)
{
	struct sockaddr_in	 sin;
	int			 fd, on = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

void
smsc_accept(struct tc *u, int lfd, const char *system_id)
{
	struct pdu	 r;

	memset(u, 0, sizeof(*u));
	u->fd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(u->fd, 0);
	u->seq = 1;
	ck_assert_int_eq(tc_recv(u, 10000), 1);
	ck_assert_uint_eq(u->p.command_id, SMPP_BIND_TRANSCEIVER);
	ck_assert_str_eq(u->p.system_id, system_id);
	ck_assert_str_eq(u->p.password, "pw");
	pdu_init(&r, SMPP_BIND_TRANSCEIVER_RESP, u->p.sequence_number);
	r.system_id = "smsc";
	tc_send(u, &r);
}

void
smsc_next(struct tc *u, uint32_t cmd)
{
	uint8_t	 out[64];
	int	 n;

	for (;;) {
		ck_assert_msg(tc_recv(u, 15000) == 1, "smsc: no %s",
		    pdu_command_name(cmd));
		if (u->p.command_id != SMPP_ENQUIRE_LINK)
			break;
		n = pdu_encode_resp(SMPP_ENQUIRE_LINK_RESP, 0,
		    u->p.sequence_number, out, sizeof(out));
		tc_send_raw(u, out, (size_t)n);
	}
	ck_assert_msg(u->p.command_id == cmd, "smsc got %s, not %s",
	    pdu_command_name(u->p.command_id), pdu_command_name(cmd));
}

void
smsc_answer_submit(struct tc *u, uint32_t status, const char *id)
{
	struct pdu	 r;

	pdu_init(&r, SMPP_SUBMIT_SM_RESP, u->p.sequence_number);
	r.command_status = status;
	r.message_id = id;
	if (status != 0)
		r.flags |= PDU_F_NOBODY;
	tc_send(u, &r);
}

void
smsc_deliver(struct tc *u, const char *src, const char *dst, uint8_t esm,
    const char *text, const char *rid, int state)
{
	struct pdu	 p;
	uint8_t		 st = (uint8_t)state;

	pdu_init(&p, SMPP_DELIVER_SM, 0);
	p.source_addr = src;
	p.destination_addr = dst;
	p.esm_class = esm;
	p.short_message = (const uint8_t *)text;
	p.sm_length = (uint8_t)strlen(text);
	if (rid != NULL)
		pdu_tlv_add(&p, TLV_RECEIPTED_MESSAGE_ID,
		    (uint16_t)strlen(rid) + 1, rid);
	if (state > 0)
		pdu_tlv_add(&p, TLV_MESSAGE_STATE, 1, &st);
	tc_send(u, &p);
	smsc_next(u, SMPP_DELIVER_SM_RESP);
	ck_assert_uint_eq(u->p.command_status, ESME_ROK);
}
