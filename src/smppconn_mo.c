/*
 * smppconn_mo.c - smppconn's MO: a message from a phone, routed by
 * [mo-routes] to the account whose receivers get it
 *
 * SYNOPSIS
 *	smppconn_mo_queue(pdu, from, &dep)
 *	smppconn_mo_commit()	smppconn_mo_close()	smppconn_mo_free()
 *
 * DESCRIPTION
 *	smppconn_mo_queue() takes a deliver_sm or data_sm that an upstream sent
 *	(from names the connector, for the log), finds the account with
 *	route_mo() -- destination prefix, then source prefix, then the
 *	default -- and queues the message, as a deliver_sm with all its
 *	fields and optional parameters, in the account's outbound spool.
 *	An MO without a route is logged and written to mo/failed/ (through
 *	a segment in mo/tmp/) for an administrator; smppq(8) shows it.
 *
 *	*dep points to the flag that is set when the commit of what
 *	smppconn_mo_queue() wrote failed; the caller answers its upstream only
 *	after the commit, with an error then.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "compat.h"
#include "smppconn.h"
#include "log.h"
#include "msgid.h"
#include "route.h"

static struct segw	 fw;
static int		 fw_ready, fw_used, fw_failed;

static void
log_mo(const char *what, const struct msg_meta *m, const struct pdu *p,
    const char *from)
{
	char	 src[2 * PDU_ADDR_MAX_LONG], dst[2 * PDU_ADDR_MAX_LONG];

	log_sanitize(src, sizeof(src), p->source_addr ? p->source_addr : "",
	    PDU_ADDR_MAX_LONG);
	log_sanitize(dst, sizeof(dst), p->destination_addr ?
	    p->destination_addr : "", PDU_ADDR_MAX_LONG);
	log_info("MO %s from %s to %s via %s: %s%s", m->id, src, dst, from,
	    what, m->account);
}

static int
queue_failed(const struct msg_meta *m, const struct pdu *p, int **dep)
{
	char	 area[SPOOL_PATH_MAX];

	if (!fw_ready) {
		if (spool_path(area, sizeof(area), "%s/mo",
		    smppconn_ctx.conf->spool.dir) == -1)
			return -1;
		segw_init(&fw, area, smppconn_ctx.conf->spool.sync);
		segw_set_dest(&fw, "failed");
		fw_ready = 1;
	}
	if (segw_add(&fw, m, p) == -1)
		return -1;
	fw_used = 1;
	*dep = &fw_failed;
	return 0;
}

int
smppconn_mo_queue(const struct pdu *in, const char *from, int **dep)
{
	struct msg_meta	 m;
	struct pdu	 p = *in;
	const char	*acct;

	memset(&m, 0, sizeof(m));
	if (msgid_next(m.id, sizeof(m.id)) == -1)
		return -1;
	m.kind = MSG_MO;
	m.created_us = clock_wall_us();
	p.command_id = SMPP_DELIVER_SM;
	p.command_status = 0;
	p.sequence_number = 0;
	/* A deliver_sm has no place for these; data_sm fields stay TLVs. */
	p.schedule_delivery_time = p.validity_period = NULL;
	acct = route_mo(smppconn_ctx.conf, p.source_addr, p.destination_addr);
	if (acct == NULL) {
		strlcpy(m.error, "no MO route", sizeof(m.error));
		log_mo("no route, kept in mo/failed/", &m, &p, from);
		return queue_failed(&m, &p, dep);
	}
	strlcpy(m.account, acct, sizeof(m.account));
	if (smppconn_out_add(acct, &m, &p, dep) == -1) {
		log_warn("MO %s for %s", m.id, acct);
		return -1;
	}
	log_mo("for ", &m, &p, from);
	return 0;
}

int
smppconn_mo_commit(void)
{
	fw_failed = 0;
	if (!fw_used || fw.npending == 0)
		return 0;
	if (segw_commit(&fw) == 0)
		return 0;
	log_warn("%s/tmp/%s: commit", fw.area, fw.name);
	segw_discard(&fw);
	fw_failed = 1;
	return -1;
}

void
smppconn_mo_close(void)
{
	if (fw_used && segw_close(&fw) == -1)
		log_warn("%s: closing a segment into failed/", fw.area);
	fw_used = 0;
	fw_failed = 0;
}

void
smppconn_mo_free(void)
{
	if (fw_ready)
		segw_free(&fw);
	fw_ready = 0;
}
