/*
 * conn_smpp.c - the smpp connector: an SMPP v3.4 client (ESME) of an
 * upstream SMSC, in smppconn's event loop
 *
 * SYNOPSIS
 *	conn_smpp_ops
 *	conn_smpp_submit_resp(sess, pdu, status)
 *	conn_smpp_sent_lost(pc, item, why)
 *
 * DESCRIPTION
 *	The connector keeps [connector] binds sessions open: transceivers,
 *	or with bind = transmitter+receiver a transmitter and a receiver
 *	each.  A session connects without blocking the loop, binds with
 *	system_id, password and system_type, sends enquire_link after
 *	enquire_link seconds of silence, and counts as broken when a
 *	response (to bind, enquire_link or a submit_sm) takes longer than
 *	response_timeout, or the upstream closes or unbinds; it then
 *	reconnects after reconnect_min seconds, doubling up to
 *	reconnect_max while attempts keep failing.
 *
 *	A message is forwarded as it was submitted: every field and
 *	optional parameter of its submit_sm (or data_sm) unchanged, only
 *	the sequence_number is the session's.  With split_payload = yes a
 *	message_payload, or a short_message too long for one part, is sent
 *	instead as short_message parts with a concatenation UDH (8-bit
 *	reference), cut where sms_parts() cuts it for charging; a
 *	message_payload that fits one part goes as a plain short_message.
 *	Each bind has at most window submit_sm unanswered, and all binds
 *	together send at most throughput per second (a token bucket
 *	holding one second's worth).
 *
 *	submit_sm_resp ESME_ROK: the upstream took the message; its
 *	message_id goes into the id map (smppconn_outcome_map()) for its
 *	receipt.  An error status is classified by errclass.c (with the
 *	connector's overrides): throttling, transient or permanent; no
 *	answer within response_timeout and a lost connection are
 *	transient.  Each message has one outcome (smppconn_outcome()),
 *	which decides what follows: of a split message, every part must
 *	be accepted, and the worst failure of its parts is the message's
 *	(parts already accepted stay sent, and a retry sends them again).
 *	The send rate is the connector's current one (conn_stats.rate:
 *	throughput, lowered while the upstream throttles).
 *
 *	Messages wait for a free window while no bind is up, for at most
 *	response_timeout, then they are retried later.  SIGTERM stops
 *	sending, waits for the answers outstanding, and unbinds.
 *
 *	The sessions themselves are conn_smpp_sess.c's, receipts and MO
 *	from the upstream conn_smpp_in.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conn_smpp.h"
#include "errclass.h"
#include "log.h"
#include "sms.h"

/* A message in hand: its parts and their answers. */
struct smsg {
	int			 nparts;
	int			 next;		/* next part to send */
	int			 answered;
	enum outcome_kind	 worst;		/* of the failed parts */
	int			 failed;
	uint32_t		 status;	/* ... its upstream status */
	int			 split;
	int			 queued;	/* in the connector's queue */
	uint8_t			 ref;
	char			 why[RECORD_ERROR_MAX];
	struct sms_part		 part[];
};

static int
smpp_start(struct connector *c)
{
	struct smppc	*pc;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return -1;
	pc->c = c;
	c->priv = pc;
	TAILQ_INIT(&pc->queue);
	TAILQ_INIT(&pc->held);
	TAILQ_INIT(&pc->parked);
	pc->tokens = c->cf->throughput;
	pc->tok_at = smppconn_ctx.now;
	pc->ref = (uint8_t)getpid();
	if (smppconn_ctx_idmap() == NULL)
		return -1;
	return conn_smpp_sessions(pc);
}

/* The parts of a message left to send are not sent any more. */
static void
unqueue(struct smppc *pc, struct item *it)
{
	struct smsg	*m = it->priv;

	if (!m->queued)
		return;
	TAILQ_REMOVE(&pc->queue, it, link);
	pc->nqueue--;
	m->queued = 0;
}

/*
 * When every part sent is answered and no more will be: the one
 * outcome of the message, the worst of its parts'.
 */
static void
settle_msg(struct item *it)
{
	struct smsg	*m = it->priv;
	struct outcome	 o;

	if (m->queued || m->answered < m->next)
		return;
	it->priv = NULL;
	memset(&o, 0, sizeof(o));
	o.kind = m->failed ? m->worst : OC_ACCEPTED;
	o.status = m->status;
	o.why = m->why;
	o.nparts = m->nparts;
	smppconn_outcome(it, &o);
	free(m);
}

static int
severity(enum outcome_kind k)
{
	return k == OC_PERMANENT ? 3 : k == OC_TRANSIENT ? 2 : 1;
}

static void
part_failed(struct smppc *pc, struct item *it, enum outcome_kind kind,
    uint32_t status, const char *why)
{
	struct smsg	*m = it->priv;

	if (!m->failed || severity(kind) > severity(m->worst)) {
		m->worst = kind;
		m->status = status;
		strlcpy(m->why, why, sizeof(m->why));
	}
	m->failed = 1;
	unqueue(pc, it);
}

/* A part sent on a session that broke, or unanswered: transient. */
void
conn_smpp_sent_lost(struct smppc *pc, struct item *it, const char *why)
{
	((struct smsg *)it->priv)->answered++;
	part_failed(pc, it, OC_TRANSIENT, 0, why);
	settle_msg(it);
}

static enum outcome_kind
kind_of(const struct connector *c, uint32_t status)
{
	switch (errclass_of(c->cf, status)) {
	case EC_THROTTLING:
		return OC_THROTTLED;
	case EC_TRANSIENT:
		return OC_TRANSIENT;
	default:
		return OC_PERMANENT;
	}
}

void
conn_smpp_submit_resp(struct smppc *pc, struct item *it, const struct pdu *p,
    uint32_t status)
{
	char	 why[RECORD_ERROR_MAX], id[2 * PDU_MESSAGE_ID_MAX];

	((struct smsg *)it->priv)->answered++;
	if (status == ESME_ROK && p->command_id != SMPP_GENERIC_NACK) {
		if (LOG_ENABLED(LOGL_DEBUG)) {
			log_sanitize(id, sizeof(id), p->message_id ?
			    p->message_id : "", PDU_MESSAGE_ID_MAX);
			log_debug("connector %s: %s accepted as %s",
			    pc->c->name, it->msg.meta.id, id);
		}
		if (smppconn_outcome_map(it, p->message_id,
		    ((struct smsg *)it->priv)->nparts) == -1)
			part_failed(pc, it, OC_TRANSIENT, 0,
			    "id map: cannot store");
		settle_msg(it);
		return;
	}
	if (status == ESME_ROK)		/* generic_nack with status 0 */
		status = ESME_RSYSERR;
	snprintf(why, sizeof(why), "upstream: %s", pdu_status_name(status));
	part_failed(pc, it, kind_of(pc->c, status), status, why);
	settle_msg(it);
}

/* Whether the bucket holds a token for one more submit_sm. */
static int
token(struct smppc *pc)
{
	double	 tp = pc->c->st.rate;	/* throughput, or lower: AIMD */

	if (tp <= 0)
		return 1;
	pc->tokens += (double)(smppconn_ctx.now - pc->tok_at) * tp / 1e6;
	pc->tok_at = smppconn_ctx.now;
	if (pc->tokens > tp)
		pc->tokens = tp;
	if (pc->tokens < 1)
		return 0;
	pc->tokens -= 1;
	return 1;
}

/* The parts of a message, when it is to be split; 0 or -1. */
static int
plan(struct connector *c, struct item *it)
{
	const struct pdu	*p = &it->msg.pdu;
	const struct pdu_tlv	*t = pdu_tlv_get(p, TLV_MESSAGE_PAYLOAD);
	struct sms_part		 parts[SMS_MAX_PARTS];
	struct smsg		*m;
	int			 n, split;

	/* The parts smppd charged: sms_parts() decides both. */
	if ((n = sms_parts(p, parts, SMS_MAX_PARTS)) < 1)
		return -1;
	split = c->cf->split_payload && !(p->esm_class & ESM_UDHI) &&
	    (n > 1 || (t != NULL && t->len > 0));
	if (!split)
		n = 1;
	if ((m = calloc(1, sizeof(*m) + (size_t)n * sizeof(m->part[0]))) ==
	    NULL)
		return -1;
	m->nparts = n;
	m->split = split;
	if (split)
		memcpy(m->part, parts, (size_t)n * sizeof(parts[0]));
	m->ref = ++((struct smppc *)c->priv)->ref;
	it->priv = m;
	return 0;
}

/* The PDU of the next part: the record's, or one part of its payload. */
static void
part_pdu(struct item *it, struct pdu *q, uint8_t *sm, size_t cap)
{
	struct smsg		*m = it->priv;
	const uint8_t		*d;
	size_t			 udh, len;

	*q = it->msg.pdu;
	q->sequence_number = 0;
	q->command_status = 0;
	if (!m->split)
		return;
	d = pdu_content(&it->msg.pdu, &len, NULL);
	pdu_tlv_del(q, TLV_MESSAGE_PAYLOAD);
	q->command_id = SMPP_SUBMIT_SM;
	udh = m->nparts > 1 ? sms_udh_build(sm, cap, m->ref, 0,
	    (uint8_t)m->nparts, (uint8_t)(m->next + 1)) : 0;
	memcpy(sm + udh, d + m->part[m->next].off, m->part[m->next].len);
	q->short_message = sm;
	q->sm_length = (uint8_t)(udh + m->part[m->next].len);
	if (udh > 0)
		q->esm_class |= ESM_UDHI;
}

/* Send the next part of the message at the head of the queue. */
static int
send_part(struct smppc *pc, struct sess *s, struct item *it)
{
	struct smsg	*m = it->priv;
	struct pdu	 q;
	uint8_t		 sm[PDU_SM_MAX_IN];

	part_pdu(it, &q, sm, sizeof(sm));
	if (esme_queue(&s->e, &q) == -1) {
		part_failed(pc, it, OC_PERMANENT, ESME_RSUBMITFAIL,
		    "cannot be encoded for the upstream");
		settle_msg(it);
		return -1;
	}
	conn_smpp_sent_add(s, q.sequence_number, it);
	s->last_io = smppconn_ctx.now;
	m->next++;
	return 0;
}

static void
pump(struct smppc *pc)
{
	struct item	*it;
	struct sess	*s;
	struct smsg	*m;

	if (pc->c->stopping)
		return;
	while ((it = TAILQ_FIRST(&pc->queue)) != NULL &&
	    (s = conn_smpp_pick(pc)) != NULL && token(pc)) {
		m = it->priv;
		if (send_part(pc, s, it) == 0 && m->next == m->nparts)
			unqueue(pc, it);
	}
}

static int
smpp_room(struct connector *c)
{
	struct smppc	*pc = c->priv;
	int		 limit = c->cf->binds * c->cf->window;

	return limit - (int)pc->nqueue;
}

static void
smpp_submit(struct connector *c, struct item *it)
{
	struct smppc	*pc = c->priv;

	if (plan(c, it) == -1) {
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .why = "out of memory" });
		return;
	}
	it->deadline = smppconn_ctx.now + (int64_t)c->cf->response_timeout * 1000000;
	TAILQ_INSERT_TAIL(&pc->queue, it, link);
	pc->nqueue++;
	((struct smsg *)it->priv)->queued = 1;
	pump(pc);
}

/* Messages that waited too long for a bind go back for a later try. */
static int64_t
queue_timer(struct smppc *pc, int64_t now)
{
	struct item	*it;
	struct smsg	*m;

	while ((it = TAILQ_FIRST(&pc->queue)) != NULL && it->deadline <= now &&
	    ((struct smsg *)it->priv)->next == 0) {
		unqueue(pc, it);
		m = it->priv;
		it->priv = NULL;
		free(m);
		smppconn_outcome(it, &(struct outcome){ .kind = OC_TRANSIENT,
		    .why = "upstream: no bind with room in response_timeout" });
	}
	return it != NULL ? it->deadline : CONN_NEVER;
}

static int64_t
smpp_timer(struct connector *c, int64_t now)
{
	struct smppc	*pc = c->priv;
	int64_t		 next, t;
	int		 i;

	next = queue_timer(pc, now);
	for (i = 0; i < pc->nsess; i++)
		if ((t = conn_smpp_sess_timer(pc->sess[i], now)) < next)
			next = t;
	if ((t = conn_smpp_parked_timer(pc, now)) < next)
		next = t;
	pump(pc);
	if (!TAILQ_EMPTY(&pc->queue) && !c->stopping) {
		/* Out of tokens: look again soon. */
		t = now + 10000;
		if (t < next)
			next = t;
	}
	for (i = 0; i < pc->nsess; i++)
		if (pc->sess[i]->e.fd != -1 &&
		    esme_flush(&pc->sess[i]->e) == -1)
			conn_smpp_sess_lost(pc->sess[i], pc->sess[i]->e.err);
	return next;
}

static int
smpp_idle(struct connector *c)
{
	struct smppc	*pc = c->priv;
	int		 i;

	if (pc->nqueue > 0 || !TAILQ_EMPTY(&pc->held))
		return 0;
	for (i = 0; i < pc->nsess; i++)
		if (pc->sess[i]->state != SS_DOWN)
			return 0;
	return 1;
}

/* SIGTERM, or the connector left the configuration. */
static void
smpp_stop(struct connector *c)
{
	struct smppc	*pc = c->priv;
	struct item	*it;
	struct smsg	*m;

	c->stopping = 1;
	while ((it = TAILQ_FIRST(&pc->queue)) != NULL) {
		m = it->priv;
		unqueue(pc, it);
		if (m->next == 0) {
			it->priv = NULL;
			free(m);
			smppconn_outcome(it, &(struct outcome){
			    .kind = OC_ABANDON });
			continue;
		}
		/* Parts went out: the rest does not. */
		part_failed(pc, it, OC_TRANSIENT, 0,
		    "stopped before all parts were sent");
		settle_msg(it);
	}
}

static void
smpp_reload(struct connector *c, const struct conf_connector *old)
{
	struct smppc			*pc = c->priv;
	const struct conf_connector	*cf = c->cf;
	int				 i;

	if (conn_smpp_sessions(pc) == -1)
		log_warnx("connector %s: cannot apply the new settings",
		    c->name);
	if (strcmp(cf->host, old->host) == 0 && cf->port == old->port &&
	    strcmp(cf->system_id, old->system_id) == 0 &&
	    strcmp(cf->password, old->password) == 0 &&
	    strcmp(cf->system_type, old->system_type) == 0 &&
	    cf->bind_mode == old->bind_mode)
		return;
	log_info("connector %s: new upstream settings: binding again",
	    c->name);
	for (i = 0; i < pc->nsess; i++) {
		pc->sess[i]->redo = pc->sess[i]->state != SS_DOWN;
		pc->sess[i]->backoff = cf->reconnect_min;
		if (pc->sess[i]->state == SS_DOWN && !pc->sess[i]->retire)
			pc->sess[i]->next_connect = smppconn_ctx.now;
	}
}

/* Answer the upstream now, before the turn removes finished segments. */
static void
smpp_committed(struct connector *c)
{
	struct smppc	*pc = c->priv;
	int		 i;

	conn_smpp_held_flush(pc);
	for (i = 0; i < pc->nsess; i++)
		if (pc->sess[i]->e.fd != -1 && esme_flush(&pc->sess[i]->e) ==
		    -1)
			conn_smpp_sess_lost(pc->sess[i], pc->sess[i]->e.err);
}

static void
smpp_release(struct connector *c)
{
	struct smppc	*pc = c->priv;
	struct sess	*s;
	int		 i;

	c->stopping = 1;
	smpp_stop(c);
	for (i = 0; i < pc->nsess; i++) {
		s = pc->sess[i];
		if (s->state == SS_BOUND)
			conn_smpp_sess_unbind(s);
		if (s->e.fd != -1)
			(void)esme_flush(&s->e);
		s->retire = 1;
		if (s->state != SS_DOWN || s->nsent > 0)
			conn_smpp_sess_lost(s, "stopped without waiting for the "
			    "upstream");
	}
	conn_smpp_in_free(pc);
	for (i = 0; i < pc->nsess; i++) {
		free(pc->sess[i]->sent);
		free(pc->sess[i]);
	}
	free(pc->sess);
	free(pc);
	c->priv = NULL;
}

/* Up: a bound session that can send. */
static void
smpp_report(struct connector *c, struct conn_report *r)
{
	struct smppc	*pc = c->priv;
	int		 i;

	r->configured = pc->nsess;
	r->queued = (int)pc->nqueue;
	for (i = 0; i < pc->nsess; i++) {
		r->inflight += (int)pc->sess[i]->nsent;
		if (pc->sess[i]->state != SS_BOUND)
			continue;
		r->sessions++;
		if (pc->sess[i]->role != SR_RX)
			r->up = 1;
	}
}

const struct conn_ops conn_smpp_ops = {
	.start = smpp_start,
	.room = smpp_room,
	.submit = smpp_submit,
	.poll = conn_smpp_poll,
	.timer = smpp_timer,
	.idle = smpp_idle,
	.stop = smpp_stop,
	.reload = smpp_reload,
	.committed = smpp_committed,
	.release = smpp_release,
	.report = smpp_report,
};
