/*
 * conn_smpp_sess.c - the smpp connector's sessions with the upstream:
 * connecting, binding, keeping alive, reading, breaking and unbinding
 *
 * SYNOPSIS
 *	conn_smpp_sessions(pc)	conn_smpp_poll(c)
 *	conn_smpp_sess_timer(sess, now)
 *	conn_smpp_pick(pc)		conn_smpp_sent_add(sess, seq, item)
 *	conn_smpp_sess_lost(sess, why)	conn_smpp_sess_unbind(sess)
 *
 * DESCRIPTION
 *	conn_smpp_sessions() makes the sessions the settings ask for: binds
 *	transceivers, or binds transmitters and binds receivers; sessions
 *	beyond a lowered count are retired (unbound once idle, never
 *	reconnected).  A session connects with a non-blocking connect(2)
 *	to the first address of host, binds, and once bound takes
 *	submit_sm (conn_smpp_pick() chooses the bound session with the most
 *	room).  Every request it sends is in a table by sequence number,
 *	so that its response finds it; the oldest unanswered one bounds
 *	response_timeout.
 *
 *	conn_smpp_sess_lost() closes a broken session: what it had sent becomes
 *	a temporary failure (conn_smpp_sent_lost()), and it connects again after
 *	its back-off, doubled after each failure from reconnect_min up to
 *	reconnect_max and reset by a successful bind.  A session that
 *	unbinds on request (SIGTERM, new settings) reconnects at once
 *	unless the connector stops.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "conn_smpp.h"
#include "log.h"

static const char *
cname(const struct sess *s)
{
	return s->owner->c->name;
}

/* The sent-request table: open addressing on seq, backward-shift delete. */
static struct sent *
sent_find(struct sess *s, uint32_t seq)
{
	unsigned	 i = seq & (s->sentcap - 1);

	while (s->sent[i].seq != 0) {
		if (s->sent[i].seq == seq)
			return &s->sent[i];
		i = (i + 1) & (s->sentcap - 1);
	}
	return NULL;
}

static void
sent_del(struct sess *s, struct sent *e)
{
	unsigned	 i = (unsigned)(e - s->sent), j = i, k;
	unsigned	 m = s->sentcap - 1;

	s->sent[i].seq = 0;
	s->nsent--;
	for (;;) {
		j = (j + 1) & m;
		if (s->sent[j].seq == 0)
			return;
		k = s->sent[j].seq & m;
		/* Move j to i unless its home k is cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s->sent[i] = s->sent[j];
		s->sent[j].seq = 0;
		i = j;
	}
}

static int
sent_resize(struct sess *s, unsigned window)
{
	struct sent	*old = s->sent, *n;
	unsigned	 cap = 16, oldcap = s->sentcap, i, j;

	while (cap < window * 2)
		cap <<= 1;
	if (cap <= oldcap)
		return 0;
	if ((n = calloc(cap, sizeof(*n))) == NULL)
		return -1;
	for (i = 0; i < oldcap; i++) {
		if (old[i].seq == 0)
			continue;
		for (j = old[i].seq & (cap - 1); n[j].seq != 0;
		    j = (j + 1) & (cap - 1))
			;
		n[j] = old[i];
	}
	free(old);
	s->sent = n;
	s->sentcap = cap;
	return 0;
}

void
conn_smpp_sent_add(struct sess *s, uint32_t seq, struct item *it)
{
	unsigned	 i = seq & (s->sentcap - 1);

	while (s->sent[i].seq != 0)
		i = (i + 1) & (s->sentcap - 1);
	s->sent[i].seq = seq;
	s->sent[i].it = it;
	s->sent[i].at = smppconn_ctx.now;
	s->nsent++;
}

static struct sess *
sess_new(struct smppc *pc, int idx, enum sess_role role)
{
	struct sess	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->owner = pc;
	s->idx = idx;
	s->role = role;
	s->state = SS_DOWN;
	s->fd = -1;
	s->backoff = pc->c->cf->reconnect_min;
	esme_init(&s->e);
	if (sent_resize(s, (unsigned)pc->c->cf->window) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

/* Sessions for the settings: binds of them, twice with tx+rx. */
int
conn_smpp_sessions(struct smppc *pc)
{
	const struct conf_connector	*cf = pc->c->cf;
	struct sess			**v, *s;
	int				 want, i;

	want = cf->bind_mode == BIND_MODE_TX_RX ? cf->binds * 2 : cf->binds;
	for (i = 0; i < pc->nsess; i++) {
		s = pc->sess[i];
		s->retire = i >= want;
		if (i < want)
			s->role = cf->bind_mode != BIND_MODE_TX_RX ? SR_TRX :
			    i < cf->binds ? SR_TX : SR_RX;
		if (sent_resize(s, (unsigned)cf->window) == -1)
			return -1;
	}
	if (want <= pc->nsess)
		return 0;
	if ((v = reallocarray(pc->sess, (size_t)want, sizeof(*v))) == NULL)
		return -1;
	pc->sess = v;
	for (i = pc->nsess; i < want; i++) {
		v[i] = sess_new(pc, i, cf->bind_mode != BIND_MODE_TX_RX ?
		    SR_TRX : i < cf->binds ? SR_TX : SR_RX);
		if (v[i] == NULL)
			return -1;
		pc->nsess++;
	}
	return 0;
}

static void
sess_connected(struct sess *s)
{
	const struct conf_connector	*cf = s->owner->c->cf;
	struct pdu			 p;
	static const uint32_t		 cmd[] = { SMPP_BIND_TRANSCEIVER,
					    SMPP_BIND_TRANSMITTER,
					    SMPP_BIND_RECEIVER };
	int				 on = 1;

	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (esme_attach(&s->e, s->fd) == -1) {
		close(s->fd);
		s->fd = -1;
		conn_smpp_sess_lost(s, s->e.err);
		return;
	}
	s->fd = -1;
	s->gen++;
	pdu_init(&p, cmd[s->role], 0);
	p.system_id = cf->system_id;
	p.password = cf->password;
	p.system_type = cf->system_type;
	p.interface_version = 0x34;
	if (esme_queue(&s->e, &p) == -1) {
		conn_smpp_sess_lost(s, "bind cannot be encoded");
		return;
	}
	s->bind_seq = p.sequence_number;
	s->state = SS_BINDING;
	s->since = s->last_io = smppconn_ctx.now;
}

static void
sess_connect(struct sess *s)
{
	const struct conf_connector	*cf = s->owner->c->cf;
	struct addrinfo			 hints, *res;
	char				 port[16];
	int				 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", cf->port);
	if ((rc = getaddrinfo(cf->host, port, &hints, &res)) != 0) {
		conn_smpp_sess_lost(s, gai_strerror(rc));
		return;
	}
	s->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (s->fd == -1 || (connect(s->fd, res->ai_addr, res->ai_addrlen) ==
	    -1 && errno != EINPROGRESS)) {
		freeaddrinfo(res);
		conn_smpp_sess_lost(s, strerror(errno));
		return;
	}
	freeaddrinfo(res);
	s->state = SS_CONNECTING;
	s->since = smppconn_ctx.now;
}

/* Everything the session had sent is lost: temporary failures. */
static void
sess_fail_sent(struct sess *s, const char *why)
{
	unsigned	 i;
	struct item	*it;

	for (i = 0; i < s->sentcap && s->nsent > 0; i++) {
		if (s->sent[i].seq == 0)
			continue;
		it = s->sent[i].it;
		s->sent[i].seq = 0;
		s->nsent--;
		conn_smpp_sent_lost(s->owner, it, why);
	}
	memset(s->sent, 0, s->sentcap * sizeof(*s->sent));
	s->nsent = 0;
}

void
conn_smpp_sess_lost(struct sess *s, const char *why)
{
	const struct conf_connector	*cf = s->owner->c->cf;
	char				 msg[RECORD_ERROR_MAX];

	/* why may be s->e.err, which closing clears. */
	snprintf(msg, sizeof(msg), "upstream: %s", why);
	log_warnx("connector %s: bind %d to %s port %d: %s", cname(s), s->idx,
	    cf->host, cf->port, msg + 10);
	smppconn_outcome_error(s->owner->c, msg);
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	esme_close(&s->e);
	esme_init(&s->e);
	sess_fail_sent(s, msg);
	s->state = SS_DOWN;
	s->elink_seq = 0;
	s->redo = 0;
	if (s->retire || s->owner->c->stopping) {
		s->next_connect = CONN_NEVER;
		return;
	}
	s->next_connect = smppconn_ctx.now + (int64_t)s->backoff * 1000000;
	s->backoff = s->backoff * 2 > cf->reconnect_max ? cf->reconnect_max :
	    s->backoff * 2;
}

/* The closing of a session that unbound as it should. */
static void
sess_closed(struct sess *s)
{
	log_info("connector %s: bind %d unbound", cname(s), s->idx);
	esme_close(&s->e);
	esme_init(&s->e);
	s->state = SS_DOWN;
	s->elink_seq = 0;
	s->redo = 0;
	s->next_connect = s->retire || s->owner->c->stopping ? CONN_NEVER :
	    smppconn_ctx.now;
}

void
conn_smpp_sess_unbind(struct sess *s)
{
	struct pdu	 p;

	pdu_init(&p, SMPP_UNBIND, 0);
	if (esme_queue(&s->e, &p) == -1) {
		sess_closed(s);
		return;
	}
	s->unbind_seq = p.sequence_number;
	s->state = SS_UNBINDING;
	s->since = smppconn_ctx.now;
}

static void
on_bind_resp(struct sess *s, const struct pdu *p, uint32_t status)
{
	const struct conf_connector	*cf = s->owner->c->cf;
	char				 why[128];

	if (s->state != SS_BINDING || p->sequence_number != s->bind_seq)
		return;
	if (status != ESME_ROK) {
		snprintf(why, sizeof(why), "bind refused: %s",
		    pdu_status_name(status));
		conn_smpp_sess_lost(s, why);
		return;
	}
	s->state = SS_BOUND;
	s->backoff = cf->reconnect_min;
	log_info("connector %s: bind %d bound to %s port %d as %s",
	    cname(s), s->idx, cf->host, cf->port, pdu_command_name(
	    p->command_id & ~SMPP_RESP_BIT));
}

/* The response to a submit_sm: to the message it answers. */
static void
on_resp(struct sess *s, const struct pdu *p, uint32_t status)
{
	struct sent	*e;
	struct item	*it;

	if ((e = sent_find(s, p->sequence_number)) == NULL) {
		log_info("connector %s: answer to unknown seq %u ignored",
		    cname(s), p->sequence_number);
		return;
	}
	it = e->it;
	sent_del(s, e);
	conn_smpp_submit_resp(s->owner, it, p, status);
}

static void
on_pdu(struct sess *s, const struct pdu *p, uint32_t status)
{
	s->last_io = smppconn_ctx.now;
	switch (p->command_id) {
	case SMPP_BIND_TRANSCEIVER_RESP:
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
		on_bind_resp(s, p, status == ESME_ROK ? p->command_status :
		    status);
		break;
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DATA_SM_RESP:
		on_resp(s, p, status == ESME_ROK ? p->command_status :
		    status);
		break;
	case SMPP_GENERIC_NACK:
		if (s->state == SS_BINDING && p->sequence_number == s->bind_seq)
			on_bind_resp(s, p, p->command_status);
		else
			on_resp(s, p, p->command_status ?
			    p->command_status : ESME_RUNKNOWNERR);
		break;
	case SMPP_ENQUIRE_LINK:
		conn_smpp_answer(s, SMPP_ENQUIRE_LINK_RESP, ESME_ROK,
		    p->sequence_number);
		break;
	case SMPP_ENQUIRE_LINK_RESP:
		if (p->sequence_number == s->elink_seq)
			s->elink_seq = 0;
		break;
	case SMPP_UNBIND:
		conn_smpp_answer(s, SMPP_UNBIND_RESP, ESME_ROK, p->sequence_number);
		(void)esme_flush(&s->e);
		conn_smpp_sess_lost(s, "the upstream unbound");
		break;
	case SMPP_UNBIND_RESP:
		if (s->state == SS_UNBINDING)
			sess_closed(s);
		break;
	case SMPP_DELIVER_SM:
	case SMPP_DATA_SM:
		if (status != ESME_ROK)
			conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT, status,
			    p->sequence_number);
		else if (s->state == SS_BOUND || s->state == SS_UNBINDING)
			conn_smpp_incoming(s, p);
		else
			conn_smpp_answer(s, p->command_id | SMPP_RESP_BIT,
			    ESME_RINVBNDSTS, p->sequence_number);
		break;
	default:
		if (!SMPP_IS_RESP(p->command_id))
			conn_smpp_answer(s, SMPP_GENERIC_NACK, status != ESME_ROK ?
			    status : ESME_RINVCMDID, p->sequence_number);
		break;
	}
}

static void
sess_read(struct sess *s)
{
	struct pdu	 p;
	uint32_t	 status;
	int		 rc, n;

	n = esme_read(&s->e);
	while (s->e.fd != -1 && (rc = esme_next(&s->e, &p, &status)) != 0) {
		if (rc == -1) {
			conn_smpp_sess_lost(s, s->e.err);
			return;
		}
		on_pdu(s, &p, status);
		pdu_free(&p);
	}
	if (n == -1 && s->e.fd != -1)
		conn_smpp_sess_lost(s, s->e.err);
}

static void
sess_io(void *arg, int revents)
{
	struct sess	*s = arg;
	socklen_t	 len = sizeof(int);
	int		 err = 0;

	if (s->state == SS_CONNECTING) {
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0)
			conn_smpp_sess_lost(s, strerror(err));
		else
			sess_connected(s);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		sess_read(s);
	if (s->e.fd != -1 && esme_flush(&s->e) == -1)
		conn_smpp_sess_lost(s, s->e.err);
}

void
conn_smpp_poll(struct connector *c)
{
	struct smppc	*pc = c->priv;
	struct sess	*s;
	int		 i;

	for (i = 0; i < pc->nsess; i++) {
		s = pc->sess[i];
		if (s->state == SS_CONNECTING)
			smppconn_ctx_poll_add(s->fd, POLLOUT, sess_io, s);
		else if (s->e.fd != -1)
			smppconn_ctx_poll_add(s->e.fd, (short)esme_want(&s->e), sess_io,
			    s);
	}
}

static int
can_submit(const struct sess *s)
{
	return s->state == SS_BOUND && s->role != SR_RX && !s->redo &&
	    s->nsent < (unsigned)s->owner->c->cf->window;
}

/* The bound session with the most room, round robin among equals. */
struct sess *
conn_smpp_pick(struct smppc *pc)
{
	struct sess	*best = NULL, *s;
	int		 i;

	for (i = 0; i < pc->nsess; i++) {
		s = pc->sess[(pc->rr + i) % pc->nsess];
		if (can_submit(s) && (best == NULL || s->nsent < best->nsent))
			best = s;
	}
	if (best != NULL)
		pc->rr = (best->idx + 1) % pc->nsess;
	return best;
}

int64_t
conn_smpp_sess_timer(struct sess *s, int64_t now)
{
	const struct conf_connector	*cf = s->owner->c->cf;
	int64_t				 rt, el;
	struct pdu			 p;
	unsigned			 i;
	int64_t				 oldest = CONN_NEVER;

	rt = (int64_t)cf->response_timeout * 1000000;
	el = (int64_t)cf->enquire_link * 1000000;
	switch (s->state) {
	case SS_DOWN:
		if (s->next_connect <= now && !s->owner->c->stopping)
			sess_connect(s);
		return s->state == SS_DOWN ? s->next_connect : now + rt;
	case SS_CONNECTING:
	case SS_BINDING:
		if (now - s->since >= rt)
			conn_smpp_sess_lost(s, s->state == SS_CONNECTING ?
			    "connect timed out" : "no bind_resp");
		return s->since + rt;
	case SS_UNBINDING:
		if (now - s->since >= rt || (s->owner->c->stopping &&
		    now >= smppconn_ctx.stop_deadline))
			sess_closed(s);
		return s->since + rt;
	default:
		break;
	}
	for (i = 0; i < s->sentcap && s->nsent > 0; i++)
		if (s->sent[i].seq != 0 && s->sent[i].at < oldest)
			oldest = s->sent[i].at;
	if (oldest != CONN_NEVER && now - oldest >= rt) {
		conn_smpp_sess_lost(s, "no answer within response_timeout");
		return now;
	}
	if (s->elink_seq != 0 && now - s->elink_at >= rt) {
		conn_smpp_sess_lost(s, "no enquire_link_resp");
		return now;
	}
	if ((s->owner->c->stopping || s->redo || s->retire) && s->nsent == 0) {
		conn_smpp_sess_unbind(s);
		return now + rt;
	}
	if (s->elink_seq == 0 && now - s->last_io >= el) {
		pdu_init(&p, SMPP_ENQUIRE_LINK, 0);
		if (esme_queue(&s->e, &p) == 0) {
			s->elink_seq = p.sequence_number;
			s->elink_at = s->last_io = now;
		}
	}
	if (oldest != CONN_NEVER && oldest + rt < s->last_io + el)
		return oldest + rt;
	return s->elink_seq != 0 ? s->elink_at + rt : s->last_io + el;
}
