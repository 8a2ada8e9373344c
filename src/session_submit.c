/*
 * session_submit.c - submit_sm, data_sm and submit_multi: checks, billing,
 * the spool record and the group commit that comes before any answer
 *
 * SYNOPSIS
 *	session_submit(s, buf, len, hdr, &answer)
 *	session_submit_charged(s)	session_submit_commit(s)
 *	session_segment_close(s)
 *
 * DESCRIPTION
 *	The checks run in Jasmin's order, with its answers: not bound as
 *	transmitter or transceiver, ESME_RINVBNDSTS; a malformed field, the
 *	field's status; a source_addr or destination_addr longer than
 *	max_address_length (20, the spec's limit), ESME_RINVSRCADR or
 *	ESME_RINVDSTADR; an empty or disallowed destination,
 *	ESME_RINVDSTADR; a disallowed source (after the account's default
 *	replaced an empty one), ESME_RINVSRCADR; no MT route,
 *	ESME_RINVDSTADR; over the account's throughput, ESME_RTHROTTLED;
 *	credit or submit_sm_count exhausted, ESME_RSYSERR.
 *
 *	A part costs one unit; a message costs as many parts as it is sent
 *	as (sms_parts(), which the smpp connector splits by too), whether
 *	its text is in short_message or in message_payload.  The
 *	charge happens before the record is queued and is refunded when
 *	the commit fails (ESME_RSUBMITFAIL).
 *
 *	Records are appended to the child's open MT segment; the answer
 *	goes back to the caller, which holds it (session_hold_answer) and
 *	never sends it before session_submit_commit() has made the records
 *	durable with one write(2) and one fdatasync(2) for all the submit_sm
 *	read in one turn of the loop; session.c sends the answers after
 *	it, in order.  A segment that stays open is announced to smppconn
 *	after each commit (spool_wake_committed()), which reads it from
 *	then on; one that reached its limits is closed into mt/new/.
 *	Nothing here calls back into session.c.
 */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "msgid.h"
#include "route.h"
#include "sb.h"
#include "session.h"
#include "sms.h"
#include "smpptime.h"
#include "timer.h"

static uint32_t	 session_submit_multi(struct session *, struct pdu *,
		    const struct pdu_hdr *, struct held *);

/*
 * How many parts the message costs: as many as it is sent as, which
 * sms_parts() alone decides; -1 when it is too long.
 */
static int
count_parts(const struct pdu *p)
{
	int	 n = sms_parts(p, NULL, 0);

	return (n < 1 || n > SMS_MAX_PARTS) ? -1 : n;
}

/*
 * Count a refused submit: throttled, or an error; errors also by cause,
 * told by the status (ESME_RSYSERR is what charge() answers).
 */
static void
count_error(struct session *s, uint32_t status)
{
	if (status == ESME_RTHROTTLED) {
		sb_count(s->sb_acct, SB_THROTTLED);
		return;
	}
	sb_count(s->sb_acct, SB_SUBMIT_ERR);
	if (status == ESME_RINVDSTADR || status == ESME_RINVSRCADR)
		sb_count(s->sb_acct, SB_SUBMIT_ADDR);
	else if (status == ESME_RSYSERR)
		sb_count(s->sb_acct, SB_SUBMIT_CREDIT);
	else if (status == ESME_RSUBMITFAIL)
		sb_count(s->sb_acct, SB_SUBMIT_SPOOL);
}

/* The answer to h, which session.c holds until the turn's commit. */
static void
answer(struct held *a, const struct pdu_hdr *h, uint32_t status,
    uint32_t parts, const char *msgid)
{
	memset(a, 0, sizeof(*a));
	a->command_id = h->command_id | SMPP_RESP_BIT;
	a->seq = h->sequence_number;
	a->status = status;
	a->parts = parts;
	strlcpy(a->msgid, msgid, sizeof(a->msgid));
}

static uint32_t
reject(struct session *s, const struct pdu_hdr *h, uint32_t status,
    const char *why, struct held *a)
{
	log_info("%s seq %u rejected: %s (%s)", pdu_command_name(
	    h->command_id), h->sequence_number, why, pdu_status_name(status));
	count_error(s, status);
	answer(a, h, status, 0, "");
	return status;
}

/* Addresses and route, in Jasmin's order. */
static uint32_t
check_addresses(struct session *s, struct pdu *p, const char *dest,
    const char **route, const char **why)
{
	const struct conf_route	*r;
	size_t			 max = (size_t)s->conf->server.max_address_length;

	/* The spec's 21 octets with the NUL, unless max_address_length. */
	if (p->source_addr != NULL && strlen(p->source_addr) > max) {
		*why = "source_addr too long";
		return ESME_RINVSRCADR;
	}
	if (dest != NULL && strlen(dest) > max) {
		*why = "destination_addr too long";
		return ESME_RINVDSTADR;
	}
	if (dest == NULL || dest[0] == '\0') {
		*why = "empty destination";
		return ESME_RINVDSTADR;
	}
	if (s->have_dst_re && !account_pattern_match(&s->dst_re, dest)) {
		*why = "destination not allowed for the account";
		return ESME_RINVDSTADR;
	}
	if ((p->source_addr == NULL || p->source_addr[0] == '\0') &&
	    s->acct.default_src[0] != '\0')
		p->source_addr = s->acct.default_src;
	if (s->have_src_re && !account_pattern_match(&s->src_re,
	    p->source_addr ? p->source_addr : "")) {
		*why = "source not allowed for the account";
		return ESME_RINVSRCADR;
	}
	if ((r = route_mt(s->conf, s->acct.system_id, p->source_addr,
	    dest)) == NULL) {
		*why = "no MT route";
		return ESME_RINVDSTADR;
	}
	*route = r->target;
	return ESME_ROK;
}

/*
 * Fill what the spool keeps besides the PDU.  The message_id is msgid
 * when it is set (the destinations of one submit_multi share it), else
 * a new one.
 */
static int
fill_meta(struct session *s, const struct pdu *p, struct msg_meta *m,
    const char *msgid, const char *route, uint32_t parts)
{
	time_t	 now = time(NULL), t;

	memset(m, 0, sizeof(*m));
	if (msgid[0] != '\0')
		strlcpy(m->id, msgid, sizeof(m->id));
	else if (msgid_next(m->id, sizeof(m->id)) == -1)
		return -1;
	m->kind = MSG_MT;
	strlcpy(m->account, s->acct.system_id, sizeof(m->account));
	m->created_us = clock_wall_us();
	m->parts = parts;
	strlcpy(m->route, route, sizeof(m->route));
	if (p->validity_period && p->validity_period[0] != '\0' &&
	    smpptime_parse(p->validity_period, now, &t) == 0)
		m->expires = (int64_t)t;
	if (p->schedule_delivery_time && p->schedule_delivery_time[0] !=
	    '\0' && smpptime_parse(p->schedule_delivery_time, now, &t) == 0 &&
	    t > now)
		m->next_try = (int64_t)t;
	return 0;
}

static void
log_accepted(struct session *s, const struct pdu *p, const char *id,
    uint32_t parts)
{
	char	 src[4 * PDU_ADDR_MAX_LONG], dst[4 * PDU_ADDR_MAX_LONG];

	(void)s;
	if (!LOG_ENABLED(LOGL_DEBUG))
		return;
	log_debug("%s %s -> %s, %u part(s), dc %u, %u octets", id,
	    log_addr(src, sizeof(src), p->source_addr),
	    log_addr(dst, sizeof(dst), p->destination_addr), parts,
	    p->data_coding, p->sm_length);
}

/* One destination: check, charge, queue.  Returns the status. */
static uint32_t
queue_one(struct session *s, struct pdu *p, char *msgid, uint32_t *partsp,
    const char **why)
{
	struct msg_meta	 meta;
	const char	*route = NULL;
	uint32_t	 status;
	int		 parts;

	status = check_addresses(s, p, p->destination_addr, &route, why);
	if (status != ESME_ROK)
		return status;
	if ((parts = count_parts(p)) < 0) {
		*why = "message_payload needs too many parts";
		return ESME_RINVMSGLEN;
	}
	if (fill_meta(s, p, &meta, msgid, route, (uint32_t)parts) == -1) {
		*why = "cannot queue";
		return ESME_RSUBMITFAIL;
	}
	status = session_bill_charge(s, &meta, p->destination_addr, why);
	if (status != ESME_ROK)
		return status;
	if (segw_add(&s->mt, &meta, p) == -1) {
		session_bill_undo(s, &meta, p->destination_addr);
		*why = "cannot queue";
		return ESME_RSUBMITFAIL;
	}
	s->uncommitted++;
	strlcpy(msgid, meta.id, PDU_MESSAGE_ID_MAX);
	*partsp = (uint32_t)parts;
	log_accepted(s, p, meta.id, (uint32_t)parts);
	return ESME_ROK;
}

void
session_submit(struct session *s, const uint8_t *buf, size_t len,
    const struct pdu_hdr *h, struct held *a)
{
	struct pdu	 p;
	char		 msgid[PDU_MESSAGE_ID_MAX] = "";
	const char	*why = "malformed PDU";
	uint32_t	 status, parts = 0;

	if (s->state != SS_BOUND_TX && s->state != SS_BOUND_TRX) {
		reject(s, h, ESME_RINVBNDSTS, s->state == SS_BOUND_RX ?
		    "bound as receiver" : "not bound", a);
		return;
	}
	sb_count(s->sb_acct, SB_SUBMIT_REQ);
	if (h->command_id == SMPP_DATA_SM)
		sb_count(s->sb_acct, SB_DATA_SM);
	if ((status = pdu_decode(buf, len, &p)) != ESME_ROK ||
	    (status = pdu_check(&p)) != ESME_ROK) {
		pdu_free(&p);
		reject(s, h, status, why, a);
		return;
	}
	if (h->command_id == SMPP_SUBMIT_MULTI)
		session_submit_multi(s, &p, h, a);
	else if ((status = queue_one(s, &p, msgid, &parts, &why)) ==
	    ESME_ROK)
		answer(a, h, ESME_ROK, parts, msgid);
	else
		reject(s, h, status, why, a);
	pdu_free(&p);
}

/*
 * submit_multi: one message_id for all destinations (the receipts of
 * every destination carry it), one record, charge and throughput token
 * per SME destination.  Distribution lists are not supported: each is
 * listed as unsuccessful with ESME_RCNTSUBDL.  The answer is encoded now
 * and held like the others; when nothing could be queued it is the
 * first destination's error.
 */
static uint32_t
session_submit_multi(struct session *s, struct pdu *p,
    const struct pdu_hdr *h, struct held *a)
{
	struct pdu_unsuccess	 uns[PDU_MAX_DESTS];
	struct pdu		 q, r;
	char			 msgid[PDU_MESSAGE_ID_MAX] = "";
	const char		*why = "";
	uint32_t		 status, first = ESME_RSUBMITFAIL, parts,
				 total = 0;
	unsigned		 i, nok = 0, nun = 0;
	int			 n;

	for (i = 0; i < p->number_of_dests; i++) {
		const struct pdu_dest *d = &p->dests[i];

		if (d->dest_flag != 1) {
			status = ESME_RCNTSUBDL;
		} else {
			q = *p;
			q.command_id = SMPP_SUBMIT_SM;
			q.number_of_dests = 0;
			q.dests = NULL;
			q.flags &= ~PDU_F_ALLOC;
			q.dest_addr_ton = d->ton;
			q.dest_addr_npi = d->npi;
			q.destination_addr = d->addr;
			status = queue_one(s, &q, msgid, &parts, &why);
			p->source_addr = q.source_addr;
		}
		if (status == ESME_ROK) {
			nok++;
			total += parts;
			continue;
		}
		if (nun == 0)
			first = status;
		uns[nun].ton = d->ton;
		uns[nun].npi = d->npi;
		uns[nun].addr = d->addr;
		uns[nun++].error_status_code = status;
	}
	if (nok == 0)
		return reject(s, h, first, "no destination accepted", a);
	pdu_init(&r, SMPP_SUBMIT_MULTI_RESP, h->sequence_number);
	r.message_id = msgid;
	r.no_unsuccess = (uint8_t)nun;
	r.unsuccess = uns;
	answer(a, h, ESME_ROK, total, msgid);
	n = (int)pdu_encoded_len(&r);
	if ((a->raw = malloc(n)) == NULL)
		fatal("submit_multi_resp");
	n = pdu_encode(&r, a->raw, (size_t)n);
	a->rawlen = n > 0 ? (size_t)n : 0;
	return ESME_ROK;
}

/* The commit failed: nothing was queued; refund and say so. */
static void
commit_failed(struct session *s)
{
	struct held	*h;
	size_t		 i;

	log_error("spool commit in %s", s->mt.area);
	segw_discard(&s->mt);
	session_bill_rollback(s);
	for (i = 0; i < s->nheld; i++) {
		h = &s->held[i];
		if (h->status != ESME_ROK || h->parts == 0)
			continue;
		h->status = ESME_RSUBMITFAIL;
		free(h->raw);
		h->raw = NULL;
		count_error(s, ESME_RSUBMITFAIL);
	}
	session_segment_close(s);
}

/*
 * The turn's charges to the ledger, and its slot unlocked, as soon as
 * the turn's requests are read (session_bill_release()); when they
 * cannot be written, nothing of the turn is queued.
 */
void
session_submit_charged(struct session *s)
{
	if (session_bill_release(s) == -1 && s->uncommitted > 0) {
		commit_failed(s);
		s->uncommitted = 0;
	}
}

/*
 * Write the turn's charges to the ledger (session_submit_charged()), then
 * make the records of this turn durable with one write and one
 * fdatasync; when either fails, refund them and turn their held answers
 * into ESME_RSUBMITFAIL.  The caller (session.c) sends the answers
 * after this returns, so nothing leaves before the records are durable.
 */
void
session_submit_commit(struct session *s)
{
	const struct conf_spool	*c = &s->conf->spool;
	int64_t			 t0;
	size_t			 i;
	int			 fresh, rc;

	session_submit_charged(s);
	if (s->uncommitted == 0)
		return;
	fresh = s->mt.fd == -1;
	t0 = clock_mono_us();
	rc = segw_commit(&s->mt);
	sb_commit_latency((uint64_t)(clock_mono_us() - t0));
	if (rc == -1)
		commit_failed(s);
	else {
		session_bill_commit(s);
		for (i = 0; i < s->nheld; i++)
			if (s->held[i].status == ESME_ROK &&
			    s->held[i].parts > 0)
				sb_count(s->sb_acct, SB_SUBMIT_OK);
		if (fresh)
			timer_after(TIMER_SEGMENT,
			    (int64_t)c->segment_max_age_ms * 1000);
		if (segw_due(&s->mt, c->segment_max_bytes,
		    c->segment_max_messages, c->segment_max_age_ms,
		    clock_wall_us()))
			session_segment_close(s);
		else if (c->read_open_segments)	/* smppconn_tail.c */
			(void)spool_wake_committed(c->dir, s->mt.name,
			    s->mt.bytes);
	}
	s->uncommitted = 0;
}

/* Hand the open segment to smppconn: rename it into new/ and wake it. */
void
session_segment_close(struct session *s)
{
	timer_clear(TIMER_SEGMENT);
	if (s->mt.fd == -1 && s->mt.npending == 0)
		return;
	if (segw_close(&s->mt) == -1)
		log_warn("closing spool segment %s", s->mt.name);
	spool_wake_conn(s->conf->spool.dir);
}
