/*
 * smppq_forward.c - smppq forward: take receipts and MO that another
 * node of a cluster passes on, into this node's spool
 *
 * SYNOPSIS
 *	smppq_forward()
 *
 * DESCRIPTION
 *	Standard input holds spool records (smppd-spool(5)) of kind dlr or
 *	mo, as a peer's pipe connector writes them (smppconn_peer.c).  They
 *	are written, their route cleared, into one segment of this node's
 *	mt/new/, made durable, and smppconn is woken: it delivers an MO to
 *	its account's receivers, looks a receipt up in its id map, and
 *	passes a receipt it does not know on round the ring.  Exit 0 only
 *	once everything is on disk; the sender deletes its copy then.
 *
 *	A record whose id this node gave out came back to where it
 *	started, which only happens when two nodes share an [smpp-server]
 *	id: refused as temporary, so that nothing is lost while the
 *	configuration is mended.
 *
 * DIAGNOSTICS
 *	Exit codes in the pipe connector's convention: 0 taken; 75
 *	(EX_TEMPFAIL) try again later -- the spool could not be written,
 *	or the id is this node's own; 65 (EX_DATAERR) not a record of kind
 *	dlr or mo, which trying again will not mend.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "compat.h"
#include "cluster.h"
#include "smppq.h"

#define FORWARD_MAX	(RECORD_HEADER_MAX + RECORD_BODY_MAX)

/* One record: checked, unrouted, added to w. */
static int
take(struct segw *w, struct msg *m)
{
	char	 origin[CONF_NAME_MAX];

	if (m->meta.kind == MSG_MT) {
		warnx("%s: an MT is not forwarded between nodes", m->meta.id);
		return EX_DATAERR;
	}
	if (cluster_origin(m->meta.id, origin, sizeof(origin)) == 0 &&
	    strcmp(origin, smppq_conf->server.id) == 0) {
		warnx("%s came back to the node that gave it its id: do two "
		    "nodes share the [smpp-server] id %s?", m->meta.id, origin);
		return EX_TEMPFAIL;
	}
	m->meta.route[0] = '\0';
	m->meta.next_try = 0;
	m->meta.attempts = 0;
	if (segw_add(w, &m->meta, &m->pdu) == -1) {
		warn("%s", m->meta.id);
		return EX_TEMPFAIL;
	}
	return 0;
}

static int
take_all(struct segw *w, const char *buf, size_t len)
{
	struct msg	 m;
	size_t		 off = 0, used;
	int		 rc = 0, n = 0;

	record_msg_init(&m);
	while (rc == 0 && off < len) {
		if (record_parse(buf + off, len - off, &m, &used) != 0) {
			warnx("record %d: not a whole spool record", n + 1);
			rc = EX_DATAERR;
			break;
		}
		rc = take(w, &m);
		off += used;
		n++;
	}
	record_msg_free(&m);
	if (rc == 0 && n == 0) {
		warnx("no record on standard input");
		rc = EX_DATAERR;
	}
	return rc;
}

int
smppq_forward(void)
{
	struct segw	 w;
	char		 area[SPOOL_PATH_MAX], *buf;
	size_t		 len;
	int		 rc;

	if ((buf = malloc(FORWARD_MAX + 1)) == NULL)
		err(EX_TEMPFAIL, "malloc");
	if (spool_read_all(STDIN_FILENO, buf, FORWARD_MAX + 1, &len) == -1)
		err(EX_TEMPFAIL, "standard input");
	if (len > FORWARD_MAX)
		errx(EX_DATAERR, "more than %d octets on standard input",
		    FORWARD_MAX);
	if (spool_path(area, sizeof(area), "%s/mt",
	    smppq_conf->spool.dir) == -1)
		errx(EX_TEMPFAIL, "spool path too long");
	segw_init(&w, area, smppq_conf->spool.sync);
	if ((rc = take_all(&w, buf, len)) == 0 &&
	    (segw_commit(&w) == -1 || segw_close(&w) == -1)) {
		warn("%s", area);
		rc = EX_TEMPFAIL;
	}
	segw_free(&w);
	free(buf);
	if (rc == 0)
		(void)spool_wake_conn(smppq_conf->spool.dir);
	return rc;
}
