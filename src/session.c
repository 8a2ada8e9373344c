/*
 * session.c - one client connection, served by one smppd child: the read
 * loop, the protocol timers, dispatch and the ordered answers
 *
 * SYNOPSIS
 *	session_signals()
 *	session_lifeline(fd)
 *	session_run(conf, fd, ofd, peer, sb_slot)
 *	session_send(s, pdu)		session_request(s, cmd, index)
 *	session_hold(s, cmd, seq, status, parts, msgid)
 *
 * DESCRIPTION
 *	The loop blocks in ppoll(2) with SIGALRM, SIGUSR1 and SIGTERM
 *	unblocked only there, so that neither an alarm of the timer table
 *	(timer.c), a wake-up from smppconn nor a shutdown request can slip
 *	in between the checks and the wait; each turn begins by taking
 *	those that came while it was busy (take_pending()), since a ppoll
 *	that finds input waiting returns without them.  Each turn reads what
 *	the socket holds, handles every complete PDU in it, commits the spool
 *	records they produced with one fdatasync (the group commit), and
 *	only then writes the answers, in the order of the requests.
 *
 *	A command_length below 16 or above max_pdu_size loses the framing
 *	of the stream: generic_nack ESME_RINVCMDLEN and close.  Everything
 *	else that is wrong with a PDU gets its own response and the session
 *	goes on.
 *
 *	The five timers of [smpp-server]: sessionInitTimerSecs runs from
 *	connect to a successful bind; enquireLinkTimerSecs of silence from
 *	the client makes us send enquire_link; inactivityTimerSecs of
 *	silence ends the session (unbind first when bound);
 *	responseTimerSecs bounds every request we send (deliver_sm,
 *	enquire_link, unbind): a missing response ends the session and
 *	what was not acknowledged goes back to the queue; pduReadTimerSecs
 *	bounds the time between the first and the last octet of a PDU.
 *
 *	Nothing a client does holds the child for ever: once the session
 *	decides to close it is gone within responseTimerSecs, whether the
 *	client reads what is left for it or not; output the client does
 *	not read for responseTimerSecs (no octet written), or more than
 *	OUT_LIMIT of it, drops the session.  Past OUT_HIGH of unsent
 *	output the session stops reading, so a client that only sends
 *	cannot make it queue more.  TCP keepalive and TCP_USER_TIMEOUT
 *	(responseTimerSecs) notice a peer that vanished.
 *
 *	A child whose master dies (session_lifeline(): the read end of a
 *	pipe whose write end only the master holds; EOF when it is gone)
 *	shuts down as on SIGTERM: it stops delivering, waits for the
 *	answers to what it sent, unbinds and exits.  Orphans that served
 *	on would hold the pid file's lock, and no new master could start
 *	while a client stayed bound; killed instead, they would send again
 *	every deliver_sm their client had already answered.
 *
 *	PROXY headers are read only from the addresses on proxy_from,
 *	where one is required; a header from anywhere else is a framing
 *	error like any other, logged as what it is.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anvil.h"
#include "clock.h"
#include "compat.h"
#include "log.h"
#include "net.h"
#include "netacl.h"
#include "sb.h"
#include "session.h"
#include "timer.h"

#define IN_INITIAL	(64 * 1024)
#define OUT_HIGH	(1024 * 1024)	/* stop reading past this backlog */
#define OUT_LIMIT	(16 * 1024 * 1024) /* drop the session past this */
#define BATCH_MAX	1024		/* PDUs handled per group commit */
#define SEC		1000000LL

static volatile sig_atomic_t session_wakeup;
volatile sig_atomic_t session_term;
static volatile sig_atomic_t session_hup;

static sigset_t	 waitmask;	/* the mask while blocked in ppoll */
static int	 lifeline = -1;	/* EOF when the master is gone */

static void
on_usr1(int sig)
{
	(void)sig;
	session_wakeup = 1;
}

static void
on_term(int sig)
{
	(void)sig;
	session_term++;
}

static void
on_hup(int sig)
{
	(void)sig;
	session_hup = 1;
}

/*
 * A signal that comes while the loop is busy stays pending until a
 * ppoll(2) that blocks, and under steady input (a client that keeps
 * sending) none may for many turns: the receiver smppconn woke would
 * leave its receipts waiting, a reload its log file, a shutdown its
 * unbind, a timer its deadline.  Take each one pending now, as its
 * handler would have: pending and blocked, sigwait(2) returns at once.
 */
static void
take_pending(void)
{
	static const int	 sigs[] = { SIGALRM, SIGUSR1, SIGTERM, SIGHUP };
	sigset_t		 pend, one;
	size_t			 i;
	int			 sig;

	if (sigpending(&pend) == -1)
		return;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (!sigismember(&pend, sigs[i]))
			continue;
		sigemptyset(&one);
		sigaddset(&one, sigs[i]);
		if (sigwait(&one, &sig) != 0)
			continue;
		if (sig == SIGALRM)
			timer_alarm = 1;
		else if (sig == SIGUSR1)
			on_usr1(sig);
		else if (sig == SIGTERM)
			on_term(sig);
		else
			on_hup(sig);
	}
}

/*
 * Install the child's handlers.  SIGALRM, SIGUSR1, SIGTERM and SIGHUP
 * (from the master's reload: reopen the log file after logrotate) stay
 * blocked except inside ppoll.  SIGINT is ignored: in the foreground the
 * terminal sends it to the whole process group and the master, which
 * gets it too, decides what the children do.
 */
void
session_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 block;

	timer_init();
	memset(&sa, 0, sizeof(sa));
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGALRM);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGHUP);
}

/* Watch fd for EOF, the master's death; -1 (inetd): nothing to watch. */
void
session_lifeline(int fd)
{
	lifeline = fd;
}

/* The signal mask to wait with: SIGALRM, SIGUSR1, SIGTERM unblocked. */
const sigset_t *
session_waitmask(void)
{
	return &waitmask;
}

/* Encode a PDU at the end of the output buffer. */
int
session_send(struct session *s, struct pdu *p)
{
	size_t	 len = pdu_encoded_len(p);
	int	 n;

	if (buf_reserve(&s->out, len) == -1)
		fatal("output buffer");
	n = pdu_encode(p, s->out.data + s->out.len, len);
	if (n < 0) {
		log_errorx("cannot encode %s seq %u",
		    pdu_command_name(p->command_id), p->sequence_number);
		return -1;
	}
	s->out.len += (size_t)n;
	sb_time(SB_T_TX_PDU);
	return 0;
}

/*
 * Queue an answer behind those already waiting, so that answers leave in
 * the order of their requests even when some wait for the spool commit.
 */
static void
session_hold_answer(struct session *s, const struct held *a)
{
	struct held	*h;
	size_t		 cap;

	if (s->nheld == s->heldcap) {
		cap = s->heldcap ? s->heldcap * 2 : 64;
		if ((h = reallocarray(s->held, cap, sizeof(*h))) == NULL)
			fatal("held answers");
		s->held = h;
		s->heldcap = cap;
	}
	s->held[s->nheld++] = *a;
}

void
session_hold(struct session *s, uint32_t cmd, uint32_t seq, uint32_t status,
    uint32_t parts, const char *msgid)
{
	struct held	 a;

	memset(&a, 0, sizeof(a));
	a.command_id = cmd;
	a.seq = seq;
	a.status = status;
	a.parts = parts;
	strlcpy(a.msgid, msgid ? msgid : "", sizeof(a.msgid));
	session_hold_answer(s, &a);
}

/* Register a request of ours; returns its sequence number. */
uint32_t
session_request(struct session *s, uint32_t cmd, unsigned index)
{
	struct outreq	*r;
	unsigned	 i, cap;
	int64_t		 deadline;

	for (i = 0; i < s->noutreq; i++)
		if (!s->outreq[i].used)
			break;
	if (i == s->noutreq) {
		if (s->noutreq == s->outreqcap) {
			cap = s->outreqcap ? s->outreqcap * 2 : 16;
			r = reallocarray(s->outreq, cap, sizeof(*r));
			if (r == NULL)
				fatal("requests");
			s->outreq = r;
			s->outreqcap = cap;
		}
		s->noutreq++;
	}
	r = &s->outreq[i];
	if (s->next_seq == 0 || s->next_seq > 0x7fffffffU)
		s->next_seq = 1;
	r->seq = s->next_seq++;
	r->command_id = cmd;
	r->index = index;
	r->used = 1;
	deadline = clock_mono_us() + s->conf->server.response_timer * SEC;
	r->deadline = deadline;
	if (!timer_pending(TIMER_RESPONSE) ||
	    timer_deadline(TIMER_RESPONSE) > deadline)
		timer_set(TIMER_RESPONSE, deadline);
	return r->seq;
}

static void
response_timer_update(struct session *s)
{
	int64_t		 first = 0;
	unsigned	 i;

	for (i = 0; i < s->noutreq; i++)
		if (s->outreq[i].used &&
		    (first == 0 || s->outreq[i].deadline < first))
			first = s->outreq[i].deadline;
	if (first)
		timer_set(TIMER_RESPONSE, first);
	else
		timer_clear(TIMER_RESPONSE);
}

void
session_close(struct session *s, const char *why)
{
	if (!s->closing)
		log_info("closing session: %s", why);
	s->closing = 1;
}

/* Send unbind and close once it is written. */
static void
send_unbind(struct session *s)
{
	struct pdu	 p;

	if (s->unbind_sent)
		return;
	pdu_init(&p, SMPP_UNBIND, session_request(s, SMPP_UNBIND, 0));
	session_send(s, &p);
	s->unbind_sent = 1;
	s->state = SS_CLOSING;
}

static void
send_enquire_link(struct session *s)
{
	struct pdu	 p;
	unsigned	 i;

	for (i = 0; i < s->noutreq; i++)
		if (s->outreq[i].used &&
		    s->outreq[i].command_id == SMPP_ENQUIRE_LINK)
			return;		/* one at a time */
	pdu_init(&p, SMPP_ENQUIRE_LINK, session_request(s,
	    SMPP_ENQUIRE_LINK, 0));
	session_send(s, &p);
}

static int
bound(const struct session *s)
{
	return s->state == SS_BOUND_TX || s->state == SS_BOUND_RX ||
	    s->state == SS_BOUND_TRX;
}

/* A response from the client to a request of ours. */
static void
handle_response(struct session *s, const uint8_t *buf, size_t len,
    const struct pdu_hdr *h)
{
	struct outreq	 r;
	unsigned	 i;

	(void)buf;
	(void)len;
	for (i = 0; i < s->noutreq; i++)
		if (s->outreq[i].used && s->outreq[i].seq ==
		    h->sequence_number && (h->command_id == SMPP_GENERIC_NACK ||
		    (s->outreq[i].command_id | SMPP_RESP_BIT) == h->command_id))
			break;
	if (i == s->noutreq) {
		log_info("%s seq %u answers no request of ours: ignored",
		    pdu_command_name(h->command_id), h->sequence_number);
		return;
	}
	r = s->outreq[i];
	s->outreq[i].used = 0;
	while (s->noutreq > 0 && !s->outreq[s->noutreq - 1].used)
		s->noutreq--;
	response_timer_update(s);
	switch (r.command_id) {
	case SMPP_DELIVER_SM:
		session_deliver_resp(s, &r, h->command_status);
		break;
	case SMPP_UNBIND:
		log_info("unbind_resp received");
		session_close(s, "unbound");
		break;
	default:
		break;
	}
}

static void
handle_unbind(struct session *s, const struct pdu_hdr *h)
{
	log_info("unbind received");
	if (bound(s) || s->state == SS_CLOSING)
		sb_count(s->sb_acct, SB_UNBIND);
	session_hold(s, SMPP_UNBIND_RESP, h->sequence_number, ESME_ROK, 0,
	    NULL);
	s->state = SS_CLOSING;
	s->closing = 1;
}

/*
 * Requests the server does not carry out.  query_sm, cancel_sm and
 * replace_sm get their own failure status rather than Jasmin's
 * RSYSERR-and-disconnect; requests that only an SMSC sends get
 * ESME_RINVBNDSTS (deliver_sm) or generic_nack ESME_RINVCMDID (outbind,
 * alert_notification: they have no response PDU).
 */
static void
handle_unsupported(struct session *s, const struct pdu_hdr *h)
{
	uint32_t	 status, resp = h->command_id | SMPP_RESP_BIT;

	switch (h->command_id) {
	case SMPP_QUERY_SM:
		status = ESME_RQUERYFAIL;
		break;
	case SMPP_CANCEL_SM:
		status = ESME_RCANCELFAIL;
		break;
	case SMPP_REPLACE_SM:
		status = ESME_RREPLACEFAIL;
		break;
	case SMPP_DELIVER_SM:
		status = ESME_RINVBNDSTS;
		break;
	default:
		resp = SMPP_GENERIC_NACK;
		status = ESME_RINVCMDID;
		break;
	}
	if (h->command_id != SMPP_DELIVER_SM && resp != SMPP_GENERIC_NACK &&
	    s->state != SS_BOUND_TX && s->state != SS_BOUND_TRX)
		status = ESME_RINVBNDSTS;
	log_info("%s seq %u: %s", pdu_command_name(h->command_id),
	    h->sequence_number, pdu_status_name(status));
	session_hold(s, resp, h->sequence_number, status, 0, NULL);
}

static void
dispatch(struct session *s, const uint8_t *buf, size_t len,
    const struct pdu_hdr *h)
{
	struct held	 a;

	sb_time(SB_T_RX_PDU);
	sb_activity(s->sb_acct);
	if (SMPP_IS_RESP(h->command_id)) {
		handle_response(s, buf, len, h);
		return;
	}
	switch (h->command_id) {
	case SMPP_BIND_TRANSMITTER:
	case SMPP_BIND_RECEIVER:
	case SMPP_BIND_TRANSCEIVER:
		session_bind(s, buf, len, h);
		break;
	case SMPP_UNBIND:
		handle_unbind(s, h);
		break;
	case SMPP_ENQUIRE_LINK:
		sb_count(s->sb_acct, SB_ELINK);
		sb_time(SB_T_ELINK);
		session_hold(s, SMPP_ENQUIRE_LINK_RESP, h->sequence_number,
		    ESME_ROK, 0, NULL);
		break;
	case SMPP_SUBMIT_SM:
	case SMPP_DATA_SM:
	case SMPP_SUBMIT_MULTI:
		session_submit(s, buf, len, h, &a);
		session_hold_answer(s, &a);
		break;
	case SMPP_QUERY_SM:
	case SMPP_CANCEL_SM:
	case SMPP_REPLACE_SM:
	case SMPP_DELIVER_SM:
	case SMPP_OUTBIND:
	case SMPP_ALERT_NOTIFICATION:
		handle_unsupported(s, h);
		break;
	default:
		log_info("unknown command_id 0x%08x seq %u: generic_nack",
		    h->command_id, h->sequence_number);
		session_hold(s, SMPP_GENERIC_NACK, h->sequence_number,
		    ESME_RINVCMDID, 0, NULL);
		break;
	}
}

/* Make room for a PDU of len octets at the start of the input buffer. */
static void
in_reserve(struct session *s, size_t len)
{
	uint8_t	*p;
	size_t	 cap;

	if (len <= s->incap)
		return;
	cap = s->incap;
	while (cap < len)
		cap *= 2;
	if ((p = realloc(s->in, cap)) == NULL)
		fatal("input buffer");
	s->in = p;
	s->incap = cap;
}

/* The stream cannot be trusted past a bad command_length. */
static void
bad_length(struct session *s, const struct pdu_hdr *h)
{
	if (s->inlen >= 6 && (memcmp(s->in, "PROXY ", 6) == 0 ||
	    memcmp(s->in, "\r\n\r\n\0\r", 6) == 0))
		log_warnx("PROXY header from %s, which is not in proxy_from: "
		    "close", s->peerstr);
	else
		log_warnx("command_length %u out of range (16..%u): "
		    "generic_nack and close", h->command_length,
		    s->conf->server.max_pdu_size);
	session_hold(s, SMPP_GENERIC_NACK, h->sequence_number,
	    ESME_RINVCMDLEN, 0, NULL);
	s->inlen = 0;
	session_close(s, "framing lost");
}

/*
 * Handle the complete PDUs in the input buffer and keep a partial one.
 * Returns 1 when it stopped at BATCH_MAX with more PDUs waiting.
 */
static int
handle_input(struct session *s)
{
	struct pdu_hdr	 h;
	size_t		 off = 0;
	int		 n = 0;

	while (!s->closing && s->inlen - off >= PDU_HEADER_LEN &&
	    n < BATCH_MAX) {
		if (pdu_header(s->in + off, s->inlen - off, &h,
		    s->conf->server.max_pdu_size) != ESME_ROK) {
			bad_length(s, &h);
			return 0;
		}
		if (s->inlen - off < h.command_length) {
			memmove(s->in, s->in + off, s->inlen - off);
			s->inlen -= off;
			off = 0;
			in_reserve(s, h.command_length);
			break;
		}
		dispatch(s, s->in + off, h.command_length, &h);
		off += h.command_length;
		n++;
	}
	if (n > 0) {
		timer_after(TIMER_INACTIVITY,
		    s->conf->server.inactivity_timer * SEC);
		if (bound(s))
			timer_after(TIMER_ENQUIRE_LINK,
			    s->conf->server.enquire_link_timer * SEC);
	}
	if (off > 0) {
		memmove(s->in, s->in + off, s->inlen - off);
		s->inlen -= off;
	}
	if (s->inlen == 0 || n > 0)
		timer_clear(TIMER_PDU_READ);
	if (s->inlen > 0 && !timer_pending(TIMER_PDU_READ))
		timer_after(TIMER_PDU_READ, s->conf->server.pdu_read_timer *
		    SEC);
	return n == BATCH_MAX && !s->closing;
}

/*
 * Write what the client will take.  The stall timer runs while output
 * waits and none of it leaves; any octet written restarts it.
 */
static int
flush(struct session *s)
{
	ssize_t	 n;

	while (s->out.len > 0) {
		n = write(s->ofd, s->out.data, s->out.len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			log_info("write to client: %s", strerror(errno));
			return -1;
		}
		buf_consume(&s->out, (size_t)n);
		timer_clear(TIMER_STALL);
	}
	if (s->out.len == 0)
		timer_clear(TIMER_STALL);
	else if (!timer_pending(TIMER_STALL))
		timer_after(TIMER_STALL, s->conf->server.response_timer * SEC);
	if (s->out.len > OUT_LIMIT) {
		log_warnx("%zu octets of output unsent: dropping the session",
		    s->out.len);
		return -1;
	}
	return 0;
}

static void
expire_requests(struct session *s, int64_t now)
{
	unsigned	 i;

	for (i = 0; i < s->noutreq; i++)
		if (s->outreq[i].used && s->outreq[i].deadline <= now) {
			log_warnx("responseTimer: no response to %s seq %u "
			    "within %d s", pdu_command_name(
			    s->outreq[i].command_id), s->outreq[i].seq,
			    s->conf->server.response_timer);
			session_close(s, "response timeout");
			return;
		}
	response_timer_update(s);
}

static void
pdu_read_expired(struct session *s)
{
	uint32_t	 seq = 0;

	if (s->inlen >= PDU_HEADER_LEN)
		seq = (uint32_t)s->in[12] << 24 | (uint32_t)s->in[13] << 16 |
		    (uint32_t)s->in[14] << 8 | s->in[15];
	log_warnx("pduReadTimer: PDU incomplete after %d s: generic_nack "
	    "and close", s->conf->server.pdu_read_timer);
	session_hold(s, SMPP_GENERIC_NACK, seq, ESME_RINVCMDLEN, 0, NULL);
	s->inlen = 0;
	session_close(s, "incomplete PDU");
}

static void
service_timers(struct session *s)
{
	int64_t	 now = clock_mono_us();

	timer_alarm = 0;
	if (timer_due(TIMER_SESSION_INIT, now) && s->state == SS_OPEN) {
		log_info("sessionInitTimer: not bound within %d s",
		    s->conf->server.session_init_timer);
		session_close(s, "no bind");
	}
	if (timer_due(TIMER_INACTIVITY, now)) {
		log_info("inactivityTimer: nothing from the client in %d s",
		    s->conf->server.inactivity_timer);
		if (bound(s))
			send_unbind(s);
		session_close(s, "inactivity");
	}
	if (timer_due(TIMER_ENQUIRE_LINK, now) && bound(s)) {
		send_enquire_link(s);
		timer_after(TIMER_ENQUIRE_LINK,
		    s->conf->server.enquire_link_timer * SEC);
	}
	if (timer_due(TIMER_RESPONSE, now))
		expire_requests(s, now);
	if (timer_due(TIMER_PDU_READ, now))
		pdu_read_expired(s);
	if (timer_due(TIMER_SEGMENT, now))
		session_segment_close(s);
	if (timer_due(TIMER_SHUTDOWN, now))
		session_close(s, "no unbind_resp at shutdown");
	if (timer_due(TIMER_CLOSE, now)) {
		log_warnx("closing deadline: %zu octets unsent after %d s: "
		    "dropping the session", s->out.len,
		    s->conf->server.response_timer);
		s->dead = 1;
	}
	if (timer_due(TIMER_STALL, now)) {
		log_warnx("the client read nothing in %d s, %zu octets "
		    "unsent: dropping the session",
		    s->conf->server.response_timer, s->out.len);
		s->dead = 1;
	}
	if (timer_due(TIMER_RESCAN, now) || timer_due(TIMER_RETRY, now))
		session_wakeup = 1;
}

/*
 * SIGTERM: unbind and wait for the answer; a second one: go now.  Only
 * a signal not yet seen counts: the flag stays set while the unbind
 * waits, and must not end the session on the next turn of the loop.
 */
static int
service_term(struct session *s)
{
	if (session_term <= s->terms)
		return 0;
	if (session_term > 1 || s->terms > 0)
		return -1;
	s->terms = 1;
	if (bound(s)) {
		/*
		 * Unbinding sends no more deliver_sm, but the claimed segments
		 * stay until the session ends: the answers to those in flight
		 * still settle them, and are not delivered again.
		 */
		log_info("shutting down: unbind");
		send_unbind(s);
		timer_after(TIMER_SHUTDOWN, s->conf->server.response_timer *
		    SEC);
		return 0;
	}
	session_close(s, "shutdown");
	return 0;
}

/* The master died: shut down as one SIGTERM asks (service_term()). */
static void
master_gone(void)
{
	log_info("the master is gone");
	close(lifeline);
	lifeline = -1;
	if (session_term == 0)
		session_term = 1;
}

/* Wait for the socket, a timer, a wake-up, a signal or the master's death. */
static int
wait_io(struct session *s)
{
	struct pollfd	 pfd[3];
	ssize_t		 n;
	int		 nfd = 1, life = -1;

	timer_arm();
	pfd[0].fd = s->fd;
	pfd[0].events = 0;
	pfd[0].revents = 0;
	if (!s->closing && s->out.len < OUT_HIGH)
		pfd[0].events |= POLLIN;
	if (s->out.len > 0) {
		if (s->ofd == s->fd)
			pfd[0].events |= POLLOUT;
		else {
			pfd[1].fd = s->ofd;
			pfd[1].events = POLLOUT;
			pfd[1].revents = 0;
			nfd = 2;
		}
	}
	if (lifeline != -1) {
		life = nfd++;
		pfd[life].fd = lifeline;
		pfd[life].events = POLLIN;
		pfd[life].revents = 0;
	}
	if (ppoll(pfd, nfd, NULL, &waitmask) == -1) {
		if (errno == EINTR)
			return 0;
		log_warn("ppoll");
		return -1;
	}
	if (life != -1 && pfd[life].revents != 0)
		master_gone();
	if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
		if (s->incap - s->inlen < 4096)
			in_reserve(s, s->incap * 2);
		n = read(s->fd, s->in + s->inlen, s->incap - s->inlen);
		if (n == 0) {
			log_info("connection closed by the client");
			return -1;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			log_info("read from client: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			s->inlen += (size_t)n;
	}
	return 0;
}

/* One held answer: the header, and the body its command carries. */
static void
send_held(struct session *s, const struct held *h)
{
	struct pdu	 p;
	uint8_t		 ver = 0x34;

	if (h->raw != NULL) {
		buf_append(&s->out, h->raw, h->rawlen);
		return;
	}
	pdu_init(&p, h->command_id, h->seq);
	p.command_status = h->status;
	switch (h->command_id) {
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
	case SMPP_BIND_TRANSCEIVER_RESP:
		if (h->status != ESME_ROK)
			break;
		p.system_id = s->conf->server.id;
		pdu_tlv_add(&p, TLV_SC_INTERFACE_VERSION, 1, &ver);
		break;
	case SMPP_SUBMIT_SM_RESP:
	case SMPP_DATA_SM_RESP:
		p.message_id = h->msgid;
		break;
	default:
		break;
	}
	session_send(s, &p);
}

/*
 * Make the records of this turn durable (session_submit.c), then answer
 * every request held behind them, in order.  Nothing leaves before the
 * fdatasync returned.
 */
static void
session_answer(struct session *s)
{
	struct held	*h;
	size_t		 i;

	if (s->nheld == 0)
		return;
	session_submit_commit(s);
	for (i = 0; i < s->nheld; i++) {
		h = &s->held[i];
		send_held(s, h);
		free(h->raw);
		h->raw = NULL;
	}
	s->nheld = 0;
}

static void
session_init(struct session *s, const struct conf *conf, int fd, int ofd,
    const struct sockaddr_storage *peer, int sb_slot)
{
	char	 area[CONF_PATH_MAX + 8];

	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->fd = fd;
	s->ofd = ofd;
	s->peer = *peer;
	s->state = SS_OPEN;
	s->sb_slot = sb_slot;
	s->sb_acct = -1;
	s->sb_conn_acct = -1;
	s->ledger.fd = -1;
	s->next_seq = 1;
	s->incap = IN_INITIAL;
	if ((s->in = malloc(s->incap)) == NULL)
		fatal("input buffer");
	buf_init(&s->out);
	if (spool_path(area, sizeof(area), "%s/mt", conf->spool.dir) == -1)
		fatalx("spool path too long");
	segw_init(&s->mt, area, conf->spool.sync);
	if (conf->spool.sync)	/* many small commits: data-only syncs */
		segw_set_reserve(&s->mt);
	if (net_addr_str((struct sockaddr *)&s->peer, s->peerstr,
	    sizeof(s->peerstr)) == -1)
		strlcpy(s->peerstr, "local", sizeof(s->peerstr));
}

/* Give back what the session held: queue, registry, counters. */
static void
session_end(struct session *s)
{
	session_answer(s);
	flush(s);
	if (s->mt.fd != -1 || s->mt.npending > 0)
		session_segment_close(s);
	if (s->delivering)
		session_deliver_stop(s);
	session_unbound(s);
	sb_count(s->sb_conn_acct, SB_DISCONNECT);
	sb_child_set(s->sb_slot, SB_IDLE, -1, NULL);
	anvil_release_slot(sb_anvil(), s->sb_slot);
	segw_free(&s->mt);
	buf_free(&s->out);
	free(s->in);
	free(s->held);
	free(s->outreq);
	if (s->fd != -1)
		close(s->fd);
	if (s->ofd != s->fd && s->ofd != -1)
		close(s->ofd);
	log_info("session ended");
}

static void
session_start_timers(struct session *s)
{
	const struct conf_server	*c = &s->conf->server;

	if (c->session_init_timer > 0)
		timer_after(TIMER_SESSION_INIT, c->session_init_timer * SEC);
	if (c->inactivity_timer > 0)
		timer_after(TIMER_INACTIVITY, c->inactivity_timer * SEC);
}

/*
 * A connection from a trusted proxy: the client's address from its
 * PROXY header, then the per-address limits on that address (anvil.c;
 * a direct connection met them right after accept).  proxy_protocol =
 * yes: only proxies may connect.  -1: close the connection.
 */
static int
session_proxy(struct session *s)
{
	const struct conf_server	*c = &s->conf->server;
	const char			*why;

	if (c->proxy_from[0] == '\0' ||
	    !netacl_match(c->proxy_from, (struct sockaddr *)&s->peer)) {
		if (!c->proxy_protocol)
			return 0;
		log_warnx("connection from %s refused: not from a proxy on "
		    "proxy_from", s->peerstr);
		return -1;
	}
	if (proxy_header(s->fd, c->pdu_read_timer * 1000, &s->peer, &why)
	    == -1) {
		log_warnx("connection from proxy %s refused: %s", s->peerstr,
		    why);
		return -1;
	}
	if (net_addr_str((struct sockaddr *)&s->peer, s->peerstr,
	    sizeof(s->peerstr)) == -1)
		strlcpy(s->peerstr, "local", sizeof(s->peerstr));
	if (anvil_admit(sb_anvil(), s->conf, (struct sockaddr *)&s->peer,
	    s->sb_slot))
		return 0;
	sb_count(-1, SB_ADDR_REFUSED);
	return -1;
}

/*
 * Keepalive probes after enquireLinkTimerSecs of silence, and written
 * data unacknowledged for responseTimerSecs, end a connection whose
 * peer vanished without a word.  Not on a socket of inetd's we cannot
 * know (errors ignored: a pipe in the tests).
 */
static void
session_socket(struct session *s)
{
	const struct conf_server	*c = &s->conf->server;
	int				 on = 1, idle, intvl = 10, cnt = 3;
	unsigned			 user = (unsigned)c->response_timer *
					    1000;

	idle = c->enquire_link_timer;
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	(void)setsockopt(s->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
#ifdef TCP_KEEPIDLE
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle));
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl));
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
#endif
#ifdef TCP_USER_TIMEOUT
	(void)setsockopt(s->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user,
	    sizeof(user));
#endif
}

/*
 * Serve one client on fd (input) and ofd (output; the same socket but
 * under inetd, where they may differ).  Returns when the session ends.
 */
int
session_run(const struct conf *conf, int fd, int ofd,
    const struct sockaddr_storage *peer, int sb_slot)
{
	struct session	 s;
	int		 more, was_delivering;

	session_init(&s, conf, fd, ofd, peer, sb_slot);
	if (session_proxy(&s) == -1) {
		session_end(&s);
		return 0;
	}
	log_prefix("%s", s.peerstr);
	log_info("connection from %s", s.peerstr);
	sb_count(-1, SB_CONNECT);
	sb_child_set(sb_slot, SB_CONNECTED, -1, s.peerstr);
	session_socket(&s);
	net_nonblock(fd, 1);
	if (ofd != fd)
		net_nonblock(ofd, 1);
	session_start_timers(&s);
	for (;;) {
		take_pending();
		if (timer_alarm)
			service_timers(&s);
		if (session_term && service_term(&s) == -1)
			break;
		if (session_hup) {
			session_hup = 0;
			if (log_reopen() == -1)
				log_warn("reopening the log file");
			session_bill_reopen(&s);
		}
		was_delivering = s.delivering;
		more = handle_input(&s);
		/* The account's ledger slot is not held past the reading. */
		session_submit_charged(&s);
		/*
		 * The deliver_sm answered in this reading, marked in one go
		 * before their slots take new ones: a crash sends again at
		 * most a window, answered or not.
		 */
		if (s.delivering)
			session_deliver_marks(&s);
		if (session_wakeup) {
			session_wakeup = 0;
			s.dl.eof = 0;
		}
		/*
		 * deliver_sm leave before the group commit's sync, so that
		 * the client answers them while it runs: with a window of
		 * deliver_window per turn, a receiver that refilled it only
		 * after the sync would deliver no faster than one window
		 * per sync.  Not in the turn of the bind: its answer
		 * comes first.
		 */
		if (was_delivering && s.delivering && !s.closing &&
		    s.uncommitted > 0) {
			session_deliver_pump(&s);
			if (flush(&s) == -1 || s.dead)
				break;
		}
		session_answer(&s);
		if (s.delivering && !s.closing)
			session_deliver_pump(&s);
		if (flush(&s) == -1 || s.dead)
			break;
		if (s.closing && s.out.len == 0)
			break;
		if (s.closing && !timer_pending(TIMER_CLOSE))
			timer_after(TIMER_CLOSE, conf->server.response_timer *
			    SEC);
		if (more && s.out.len < OUT_HIGH)
			continue;	/* more PDUs already here */
		if (wait_io(&s) == -1)
			break;
	}
	session_end(&s);
	return 0;
}
