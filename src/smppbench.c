/*
 * smppbench.c - smppbench(1): an SMPP load generator, N binds with a
 * window of W submit_sm each, in one process
 *
 * SYNOPSIS
 *	smppbench [-qr] [-b bind] [-c binds] [-d dest] [-e coding]
 *	    [-F file] [-h host] [-l length] [-n count] [-P password]
 *	    [-p port] [-s source] [-T seconds] [-t seconds] [-u system_id]
 *	    [-w window] [--dlr-wait s] [--idle | --bind-cycles]
 *
 * DESCRIPTION
 *	One poll(2) loop over every session (esme.c, non-blocking).  Each
 *	turn: poll, read what each ready socket holds, take every whole
 *	PDU, refill each window, and write each session's output with one
 *	write.  A submit_sm is encoded once at the start; sending one is a
 *	copy of that template with its sequence number patched in
 *	(esme_queue_raw()).  The clock is read once per turn, and every
 *	time stamp of the turn is that reading, so that a latency is off
 *	by at most one turn of the loop.
 *
 *	Latencies go into fixed-size histograms (hist.c), all of them, so
 *	the percentiles are of every message.  With -r, the message_id of
 *	each accepted submit_sm waits in a hash table (idtab.c) for its
 *	receipt; a receipt that comes before its submit_sm_resp (another
 *	bind may receive it first) waits there for the response.
 *
 *	--idle binds the sessions and holds them (for measuring the
 *	server's memory per session); --bind-cycles repeats connect,
 *	bind, unbind and close on each session and counts the cycles.
 *
 * DIAGNOSTICS
 *	EX_USAGE, EX_UNAVAILABLE (no session could connect and bind),
 *	EX_NOPERM (the binds were refused), EX_OSERR (out of memory).
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "charset.h"
#include "client.h"
#include "compat.h"
#include "esme.h"
#include "hist.h"
#include "idtab.h"
#include "pdu.h"

#define SEC		1000000LL
#define PROGRESS_AFTER	(3 * SEC)	/* runs shorter stay quiet */
#define STATUS_SLOTS	32

enum mode { M_SUBMIT, M_IDLE, M_CYCLES };

enum cstate {
	C_IDLE,		/* not connected (between bind cycles) */
	C_BINDING,
	C_BOUND,
	C_UNBINDING,
	C_DEAD
};

struct conn {
	struct esme	 e;
	enum cstate	 state;
	uint32_t	 ctl_seq;	/* of the bind or unbind in flight */
	long long	 ctl_at;	/* when it was sent */
	unsigned	 inflight;
	long long	*sent_at;	/* by seq & mask; 0: free */
	uint32_t	 mask;
};

struct status_count {
	uint32_t	 status;	/* 0xFFFFFFFF: no response */
	uint64_t	 n;
};

struct opts {
	const char	*host;
	int		 port;
	const char	*user;
	char		 password[PDU_PASSWORD_MAX];
	const char	*system_type;
	uint32_t	 bind;
	int		 binds;
	unsigned	 window;
	long long	 count;		/* 0: by duration */
	long long	 duration;	/* us; 0: by count */
	int		 length;
	int		 coding;
	const char	*source;
	const char	*dest;
	int		 regdlv;
	int		 quiet;
	long long	 timeout;	/* us: responses */
	long long	 dlr_wait;	/* us without a receipt: give up */
	long long	 rate;		/* submit_sm/s in all; 0: no limit */
	enum mode	 mode;
};

struct stats {
	long long	 t0, tsub_end, tdlr_end;	/* us */
	uint64_t	 sent, ok, err, dlr, dlr_other;
	uint64_t	 cycles, bind_fail;
	struct hist	 lat, e2e, bindlat;
	struct status_count st[STATUS_SLOTS];
	int		 nst;
	struct rusage	 ru0;
	/* progress */
	long long	 next_tick;
	uint64_t	 last_ok, last_dlr;
};

static struct opts	 O;
static struct stats	 S;
static struct conn	*C;
static struct pollfd	*PF;
static struct idtab	 ids;
static uint8_t		*tmpl;		/* the submit_sm, encoded once */
static size_t		 tmpl_len;
static long long	 now;		/* us, read once per turn */
static long long	 budget;	/* submit_sm (or cycles) left */
static void __attribute__((noreturn))
usage_exit(int status)
{
	fprintf(status == 0 ? stdout : stderr,
	    "usage: smppbench [-qr] [-b bind] [-c binds] [-d dest] "
	    "[-e coding] [-F file]\n"
	    "\t[-h host] [-l length] [-n count] [-P password] [-p port] "
	    "[-R rate]\n"
	    "\t[-s source] [-T seconds] [-t seconds] [-u system_id] "
	    "[-w window]\n"
	    "\t[--dlr-wait seconds] [--idle | --bind-cycles]\n");
	exit(status);
}

static void __attribute__((noreturn))
usage(void)
{
	usage_exit(EX_USAGE);
}

/* ---- counting ---- */

static void
count_status(uint32_t status)
{
	int	 i;

	for (i = 0; i < S.nst; i++)
		if (S.st[i].status == status) {
			S.st[i].n++;
			return;
		}
	if (S.nst < STATUS_SLOTS) {
		S.st[S.nst].status = status;
		S.st[S.nst++].n = 1;
	}
}

static const char *
status_label(uint32_t status)
{
	return status == 0xFFFFFFFFU ? "no_response" : pdu_status_name(status);
}

static void
lat_add(struct hist *h, long long from)
{
	hist_add(h, now > from ? (uint64_t)(now - from) : 0);
}

/* A submit_sm with no answer: an error with its own name. */
static void
count_lost(struct conn *c)
{
	uint32_t	 i;

	if (c->sent_at == NULL)
		return;		/* --idle, --bind-cycles */
	for (i = 0; i <= c->mask; i++)
		if (c->sent_at[i] != 0) {
			c->sent_at[i] = 0;
			S.err++;
			count_status(0xFFFFFFFFU);
		}
	c->inflight = 0;
}

/* ---- the message ---- */

/* Encode the one submit_sm every session sends. */
static void
make_template(void)
{
	static const char pattern[] = "smppbench 0123456789 abcdefghij ";
	struct pdu	 p;
	char		*text;
	uint8_t		*data;
	ssize_t		 n;
	int		 i;

	if ((text = malloc((size_t)O.length * 2 + 1)) == NULL ||
	    (data = malloc((size_t)O.length * 2 + 2)) == NULL)
		err(EX_OSERR, "malloc");
	for (i = 0; i < O.length; i++)
		text[i] = pattern[i % (sizeof(pattern) - 1)];
	text[O.length] = '\0';
	if (charset_alphabet(O.coding) == DC_BINARY) {
		/* hex digits of the same octets */
		for (i = 0; i < O.length; i++)
			snprintf(text + 2 * i, 3, "%02x", (unsigned char)
			    pattern[i % (sizeof(pattern) - 1)]);
	}
	n = charset_encode(O.coding, text, strlen(text), data,
	    (size_t)O.length * 2 + 2);
	if (n < 0)
		errx(EX_SOFTWARE, "cannot encode the message as %s",
		    charset_name(O.coding));
	pdu_init(&p, SMPP_SUBMIT_SM, 1);
	p.source_addr = O.source;
	p.destination_addr = O.dest;
	p.registered_delivery = (uint8_t)O.regdlv;
	p.data_coding = (uint8_t)O.coding;
	if (n <= PDU_SM_MAX) {
		p.short_message = data;
		p.sm_length = (uint8_t)n;
	} else
		pdu_tlv_add(&p, TLV_MESSAGE_PAYLOAD, (uint16_t)n, data);
	if ((tmpl_len = pdu_encoded_len(&p)) == 0 ||
	    (tmpl = malloc(tmpl_len)) == NULL ||
	    pdu_encode(&p, tmpl, tmpl_len) != (int)tmpl_len)
		errx(EX_SOFTWARE, "cannot encode the submit_sm");
	free(text);
	free(data);
}

/* ---- sessions ---- */

static void
conn_dead(struct conn *c, const char *why)
{
	if (c->state == C_DEAD)
		return;
	if (!O.quiet && O.mode != M_CYCLES)
		warnx("session %d: %s", (int)(c - C), why);
	count_lost(c);
	esme_close(&c->e);
	/* A cycle that failed is counted; the next one starts afresh. */
	c->state = O.mode == M_CYCLES ? C_IDLE : C_DEAD;
}

/* Send a bind or an unbind and wait for its answer in state. */
static void
conn_ctl(struct conn *c, struct pdu *p, enum cstate state)
{
	if (esme_queue(&c->e, p) == -1) {
		conn_dead(c, c->e.err);
		return;
	}
	c->ctl_seq = p->sequence_number;
	c->ctl_at = now;
	c->state = state;
}

static void
conn_bind(struct conn *c)
{
	struct pdu	 p;

	if (esme_connect(&c->e, O.host, O.port, (int)(O.timeout / 1000))
	    == -1) {
		S.bind_fail++;
		conn_dead(c, c->e.err);
		return;
	}
	pdu_init(&p, O.bind, 0);
	p.system_id = O.user;
	p.password = O.password;
	p.system_type = O.system_type;
	p.interface_version = 0x34;
	conn_ctl(c, &p, C_BINDING);
}

static void
conn_unbind(struct conn *c)
{
	struct pdu	 p;

	pdu_init(&p, SMPP_UNBIND, 0);
	conn_ctl(c, &p, C_UNBINDING);
}

/* With -R, has the pace left room for another submit_sm? */
static int
under_rate(void)
{
	return O.rate == 0 ||
	    (long long)S.sent < (now - S.t0) * O.rate / SEC + 1;
}

/* Fill the window with copies of the template. */
static void
conn_fill(struct conn *c)
{
	uint32_t	 seq;

	while (c->inflight < O.window && budget > 0 && !client_stop &&
	    under_rate()) {
		seq = c->e.next_seq;
		if (seq == 0 || seq > 0x7FFFFFFFU)
			seq = 1;
		if (c->sent_at[seq & c->mask] != 0)
			return;		/* an old one still out there */
		seq = esme_seq(&c->e);
		if (esme_queue_raw(&c->e, tmpl, tmpl_len, seq) == -1) {
			conn_dead(c, c->e.err);
			return;
		}
		c->sent_at[seq & c->mask] = now;
		c->inflight++;
		S.sent++;
		if (O.count > 0)
			budget--;
	}
}

static void
on_submit_resp(struct conn *c, const struct pdu *p)
{
	int64_t		 at, old;
	const char	*id;
	uint32_t	 slot = p->sequence_number & c->mask;

	if (c->sent_at == NULL || (at = c->sent_at[slot]) == 0)
		return;		/* not one of ours (or answered twice) */
	c->sent_at[slot] = 0;
	c->inflight--;
	lat_add(&S.lat, at);
	S.tsub_end = now;
	if (p->command_status != ESME_ROK) {
		S.err++;
		count_status(p->command_status);
		return;
	}
	S.ok++;
	if (!O.regdlv || (id = p->message_id) == NULL)
		return;
	switch (idtab_match(&ids, id, strlen(id), at, &old)) {
	case -1:
		errx(EX_OSERR, "out of memory for message ids");
	case 1:
		/* the receipt came first: old is when, negated */
		hist_add(&S.e2e, (uint64_t)(-old - at > 0 ? -old - at : 0));
		S.dlr++;
		S.dlr_other--;
		break;
	}
}

/* The receipted message_id: the TLV, else the id: of the text. */
static size_t
receipt_id(const struct pdu *p, char *id, size_t cap)
{
	const struct pdu_tlv	*t;
	const uint8_t		*s, *end;
	size_t			 n = 0;

	if ((t = pdu_tlv_get(p, TLV_RECEIPTED_MESSAGE_ID)) != NULL) {
		while (n < t->len && n + 1 < cap && t->val[n] != '\0') {
			id[n] = (char)t->val[n];
			n++;
		}
		return n;
	}
	if (p->short_message == NULL || p->sm_length < 3 ||
	    memcmp(p->short_message, "id:", 3) != 0)
		return 0;
	s = p->short_message + 3;
	end = p->short_message + p->sm_length;
	while (s < end && *s != ' ' && n + 1 < cap)
		id[n++] = (char)*s++;
	return n;
}

static void
on_deliver(struct conn *c, const struct pdu *p)
{
	char		 id[PDU_MESSAGE_ID_MAX];
	int64_t		 old;
	size_t		 n;

	esme_queue_resp(&c->e, SMPP_DELIVER_SM, ESME_ROK, p->sequence_number);
	if ((p->esm_class & ESM_TYPE_MASK) != ESM_TYPE_RECEIPT ||
	    (n = receipt_id(p, id, sizeof(id))) == 0) {
		S.dlr_other++;
		return;
	}
	S.tdlr_end = now;
	switch (idtab_match(&ids, id, n, -now, &old)) {
	case -1:
		errx(EX_OSERR, "out of memory for message ids");
	case 1:
		lat_add(&S.e2e, old);
		S.dlr++;
		break;
	default:
		S.dlr_other++;	/* until its submit_sm_resp, if ever */
	}
}

static void
on_ctl_resp(struct conn *c, const struct pdu *p)
{
	if (p->sequence_number != c->ctl_seq)
		return;
	if (c->state == C_BINDING) {
		if (p->command_status != ESME_ROK) {
			S.bind_fail++;
			count_status(p->command_status);
			conn_dead(c, pdu_status_name(p->command_status));
			return;
		}
		lat_add(&S.bindlat, c->ctl_at);
		c->state = C_BOUND;
		if (O.mode == M_CYCLES)
			conn_unbind(c);
	} else if (c->state == C_UNBINDING) {
		esme_close(&c->e);
		c->state = C_IDLE;
		if (O.mode == M_CYCLES)
			S.cycles++;
	}
}

static void
conn_pdu(struct conn *c, const struct pdu *p, uint32_t st)
{
	switch (p->command_id) {
	case SMPP_SUBMIT_SM_RESP:
		on_submit_resp(c, p);
		return;
	case SMPP_GENERIC_NACK:
		if (p->sequence_number == c->ctl_seq &&
		    c->state != C_BOUND) {
			on_ctl_resp(c, p);
			return;
		}
		on_submit_resp(c, p);
		return;
	case SMPP_DELIVER_SM:
		if (st == ESME_ROK) {
			on_deliver(c, p);
			return;
		}
		break;
	case SMPP_BIND_TRANSMITTER_RESP:
	case SMPP_BIND_RECEIVER_RESP:
	case SMPP_BIND_TRANSCEIVER_RESP:
	case SMPP_UNBIND_RESP:
		on_ctl_resp(c, p);
		return;
	}
	if (esme_default(&c->e, p, st) == -1)
		conn_dead(c, c->e.err);
}

/* Read and take everything a ready session has. */
static void
conn_input(struct conn *c, short revents)
{
	struct pdu	 p;
	uint32_t	 st;
	int		 rc, eof = 0;

	if (revents & (POLLIN | POLLHUP | POLLERR))
		eof = esme_read(&c->e) == -1;
	while (c->state != C_DEAD && c->state != C_IDLE &&
	    (rc = esme_next(&c->e, &p, &st)) != 0) {
		if (rc == -1) {
			conn_dead(c, c->e.err);
			return;
		}
		conn_pdu(c, &p, st);
		pdu_free(&p);
	}
	if (eof && c->state != C_IDLE)
		conn_dead(c, c->e.err);
}

/* ---- the loop ---- */

static int
count_state(enum cstate s)
{
	int	 i, n = 0;

	for (i = 0; i < O.binds; i++)
		n += C[i].state == s;
	return n;
}

static void
progress(void)
{
	double	 secs = (double)(now - S.t0) / SEC;

	if (O.quiet || now < S.next_tick)
		return;
	if (S.next_tick == 0) {
		S.next_tick = now + SEC;
		return;
	}
	if (O.duration < PROGRESS_AFTER && now - S.t0 < PROGRESS_AFTER)
		;	/* a short run stays quiet */
	else if (O.mode == M_CYCLES)
		fprintf(stderr, "[%5.0fs] cycles %llu\n", secs,
		    (unsigned long long)S.cycles);
	else if (O.mode == M_SUBMIT)
		fprintf(stderr, "[%5.0fs] sent %llu ok %llu err %llu "
		    "%llu/s dlr %llu %llu/s\n", secs,
		    (unsigned long long)S.sent, (unsigned long long)S.ok,
		    (unsigned long long)S.err,
		    (unsigned long long)(S.ok - S.last_ok),
		    (unsigned long long)S.dlr,
		    (unsigned long long)(S.dlr - S.last_dlr));
	S.last_ok = S.ok;
	S.last_dlr = S.dlr;
	S.next_tick += SEC;
	if (S.next_tick < now)
		S.next_tick = now + SEC;
}

/*
 * A bind, unbind or submit_sm without answer in time ends its session.
 * Once a second: it walks every window.
 */
static void
check_timeouts(void)
{
	static long long next;
	uint32_t	 i;
	int		 k;

	if (now < next)
		return;
	next = now + SEC;
	for (k = 0; k < O.binds; k++) {
		struct conn	*c = &C[k];

		if ((c->state == C_BINDING || c->state == C_UNBINDING) &&
		    now - c->ctl_at > O.timeout) {
			if (c->state == C_BINDING)
				S.bind_fail++;
			conn_dead(c, "no answer to bind or unbind");
			continue;
		}
		if (c->state != C_BOUND || c->inflight == 0)
			continue;
		for (i = 0; i <= c->mask; i++)
			if (c->sent_at[i] != 0 &&
			    now - c->sent_at[i] > O.timeout) {
				conn_dead(c, "no submit_sm_resp in time");
				break;
			}
	}
}

/* One turn: write, poll, read; wait at most ms. */
static void
turn(int ms)
{
	int	 i, n;

	for (i = 0; i < O.binds; i++) {
		PF[i].fd = -1;
		PF[i].events = 0;
		PF[i].revents = 0;
		if (C[i].state == C_DEAD || C[i].state == C_IDLE)
			continue;
		if (esme_pending(&C[i].e) > 0 && esme_flush(&C[i].e) == -1) {
			conn_dead(&C[i], C[i].e.err);
			continue;
		}
		PF[i].fd = C[i].e.fd;
		PF[i].events = (short)esme_want(&C[i].e);
	}
	n = poll(PF, (nfds_t)O.binds, ms);
	now = clock_mono_us();
	if (n == -1 && errno != EINTR)
		err(EX_OSERR, "poll");
	for (i = 0; i < O.binds && n > 0; i++) {
		if (PF[i].revents == 0)
			continue;
		n--;
		if ((PF[i].revents & POLLOUT) && esme_flush(&C[i].e) == -1)
			conn_dead(&C[i], C[i].e.err);
		else
			conn_input(&C[i], PF[i].revents);
	}
}

static void
bind_all(void)
{
	int	 i;

	now = clock_mono_us();
	for (i = 0; i < O.binds; i++)
		conn_bind(&C[i]);
	while (count_state(C_BINDING) > 0 && !client_stop) {
		turn(100);
		check_timeouts();
	}
	if (count_state(C_BOUND) == 0)
		errx(S.bind_fail > 0 && S.nst > 0 ? EX_NOPERM :
		    EX_UNAVAILABLE, "no session could bind (%llu failed%s%s)",
		    (unsigned long long)S.bind_fail, S.nst > 0 ? ": " : "",
		    S.nst > 0 ? status_label(S.st[0].status) : "");
}

static void
unbind_all(void)
{
	long long	 end;
	int		 i;

	for (i = 0; i < O.binds; i++)
		if (C[i].state == C_BOUND)
			conn_unbind(&C[i]);
	end = clock_mono_us() + 5 * SEC;
	while (count_state(C_UNBINDING) > 0 && now < end) {
		turn(100);
		check_timeouts();
	}
	for (i = 0; i < O.binds; i++)
		esme_close(&C[i].e);
}

static int
inflight(void)
{
	int	 i, n = 0;

	for (i = 0; i < O.binds; i++)
		n += C[i].state == C_BOUND ? (int)C[i].inflight : 0;
	return n;
}

static void
run_submit(void)
{
	long long	 last_dlr;
	int		 i, ms;

	bind_all();
	now = clock_mono_us();
	S.t0 = S.tsub_end = now;
	getrusage(RUSAGE_SELF, &S.ru0);
	budget = O.count > 0 ? O.count : LLONG_MAX;
	while (!client_stop) {
		if (O.duration > 0 && now - S.t0 >= O.duration)
			budget = 0;
		for (i = 0; i < O.binds; i++)
			if (C[i].state == C_BOUND)
				conn_fill(&C[i]);
		if (budget == 0 && inflight() == 0)
			break;
		if (count_state(C_BOUND) == 0)
			break;
		ms = O.duration > 0 ? (int)((S.t0 + O.duration - now) / 1000)
		    + 1 : 1000;
		if (O.rate > 0)
			ms = 1;		/* the pace: a turn per millisecond */
		turn(ms < 1000 ? ms : 1000);
		check_timeouts();
		progress();
	}
	if (!O.regdlv)
		return;
	/* Receipts: until all came, or none came for dlr_wait. */
	last_dlr = now;
	while (!client_stop && S.dlr < S.ok && count_state(C_BOUND) > 0 &&
	    now - (S.tdlr_end > last_dlr ? S.tdlr_end : last_dlr) <
	    O.dlr_wait) {
		turn(100);
		progress();
	}
}

static void
run_idle(void)
{
	bind_all();
	S.t0 = now;
	printf("READY bound=%d\n", count_state(C_BOUND));
	fflush(stdout);
	while (!client_stop && (O.duration == 0 || now - S.t0 < O.duration)) {
		turn(1000);
		now = clock_mono_us();
	}
}

static void
run_cycles(void)
{
	int	 i;

	now = clock_mono_us();
	S.t0 = now;
	getrusage(RUSAGE_SELF, &S.ru0);
	budget = O.count > 0 ? O.count : LLONG_MAX;
	while (!client_stop) {
		if (O.duration > 0 && now - S.t0 >= O.duration)
			budget = 0;
		for (i = 0; i < O.binds; i++)
			if (C[i].state == C_IDLE && budget > 0) {
				budget--;
				conn_bind(&C[i]);
			}
		if (count_state(C_BINDING) + count_state(C_UNBINDING) == 0)
			break;
		turn(100);
		check_timeouts();
		progress();
	}
	S.tsub_end = now;
}

/* ---- the report ---- */

static double
ms(uint64_t us)
{
	return (double)us / 1000.0;
}

/* Percent of one core used since S.ru0: user + system, user, system. */
static void
cpu_pct(long long wall, double pct[3])
{
	struct rusage	 ru;
	double		 u, s;

	getrusage(RUSAGE_SELF, &ru);
	u = (double)(ru.ru_utime.tv_sec - S.ru0.ru_utime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec - S.ru0.ru_utime.tv_usec) / 1e6;
	s = (double)(ru.ru_stime.tv_sec - S.ru0.ru_stime.tv_sec) +
	    (double)(ru.ru_stime.tv_usec - S.ru0.ru_stime.tv_usec) / 1e6;
	pct[1] = wall > 0 ? u * 100.0 * SEC / (double)wall : 0.0;
	pct[2] = wall > 0 ? s * 100.0 * SEC / (double)wall : 0.0;
	pct[0] = pct[1] + pct[2];
}

static void
report_cycles(void)
{
	double	 secs = (double)(S.tsub_end - S.t0) / SEC, cpu[3];

	printf("%d sessions: %llu connect+bind+unbind cycles in %.3f s: "
	    "%.0f /s, %llu binds failed\n", O.binds,
	    (unsigned long long)S.cycles, secs,
	    secs > 0 ? (double)S.cycles / secs : 0.0,
	    (unsigned long long)S.bind_fail);
	printf("bind latency ms: p50 %.3f p90 %.3f p99 %.3f max %.3f\n",
	    ms(hist_pct(&S.bindlat, 50)), ms(hist_pct(&S.bindlat, 90)),
	    ms(hist_pct(&S.bindlat, 99)), ms(S.bindlat.max));
	cpu_pct(S.tsub_end - S.t0, cpu);
	printf("RESULT mode=bind_cycles binds=%d cycles=%llu err=%llu "
	    "secs=%.3f rate=%.0f bind_p50_ms=%.3f bind_p99_ms=%.3f "
	    "cpu_pct=%.1f\n", O.binds, (unsigned long long)S.cycles,
	    (unsigned long long)S.bind_fail, secs,
	    secs > 0 ? (double)S.cycles / secs : 0.0,
	    ms(hist_pct(&S.bindlat, 50)), ms(hist_pct(&S.bindlat, 99)),
	    cpu[0]);
}

static void
report_submit(void)
{
	double	 secs = (double)(S.tsub_end - S.t0) / SEC;
	double	 dsecs = S.dlr > 0 ? (double)(S.tdlr_end - S.t0) / SEC : 0.0;
	double	 rate = secs > 0 ? (double)S.ok / secs : 0.0;
	double	 drate = dsecs > 0 ? (double)S.dlr / dsecs : 0.0;
	long long end = S.tdlr_end > S.tsub_end ? S.tdlr_end : S.tsub_end;
	double	 cpu[3];
	int	 i;

	cpu_pct(end - S.t0, cpu);
	printf("%d binds (%s), window %u, %d characters of %s%s\n", O.binds,
	    client_bind_name(O.bind), O.window, O.length,
	    charset_name(O.coding), O.regdlv ? ", receipts" : "");
	printf("submit_sm: %llu sent, %llu accepted, %llu failed in %.3f s: "
	    "%.0f /s\n", (unsigned long long)S.sent,
	    (unsigned long long)S.ok, (unsigned long long)S.err, secs, rate);
	printf("submit_sm_resp latency ms: p50 %.3f p90 %.3f p99 %.3f "
	    "max %.3f\n", ms(hist_pct(&S.lat, 50)), ms(hist_pct(&S.lat, 90)),
	    ms(hist_pct(&S.lat, 99)), ms(S.lat.max));
	for (i = 0; i < S.nst; i++)
		printf("errors: %s %llu\n", status_label(S.st[i].status),
		    (unsigned long long)S.st[i].n);
	if (O.regdlv) {
		printf("receipts: %llu of %llu in %.3f s: %.0f /s (%llu "
		    "other deliver_sm)\n", (unsigned long long)S.dlr,
		    (unsigned long long)S.ok, dsecs, drate,
		    (unsigned long long)S.dlr_other);
		printf("end-to-end latency ms: p50 %.3f p90 %.3f p99 %.3f "
		    "max %.3f\n", ms(hist_pct(&S.e2e, 50)),
		    ms(hist_pct(&S.e2e, 90)), ms(hist_pct(&S.e2e, 99)),
		    ms(S.e2e.max));
	}
	printf("smppbench itself: %.1f %% of one core (user %.1f %%, "
	    "system %.1f %%)\n", cpu[0], cpu[1], cpu[2]);
	printf("RESULT binds=%d window=%u sent=%llu ok=%llu err=%llu "
	    "secs=%.3f rate=%.0f p50_ms=%.3f p99_ms=%.3f dlr=%llu "
	    "p90_ms=%.3f max_ms=%.3f dlr_rate=%.0f dlr_p50_ms=%.3f "
	    "dlr_p99_ms=%.3f cpu_pct=%.1f cpu_user_pct=%.1f "
	    "cpu_sys_pct=%.1f\n", O.binds, O.window,
	    (unsigned long long)S.sent, (unsigned long long)S.ok,
	    (unsigned long long)S.err, secs, rate, ms(hist_pct(&S.lat, 50)),
	    ms(hist_pct(&S.lat, 99)), (unsigned long long)S.dlr,
	    ms(hist_pct(&S.lat, 90)), ms(S.lat.max), drate,
	    ms(hist_pct(&S.e2e, 50)), ms(hist_pct(&S.e2e, 99)), cpu[0],
	    cpu[1], cpu[2]);
}

/* ---- options ---- */

enum {
	OPT_DLR_WAIT = 256, OPT_IDLE, OPT_CYCLES, OPT_HELP
};

static const struct option longopts[] = {
	{ "bind", required_argument, NULL, 'b' },
	{ "binds", required_argument, NULL, 'c' },
	{ "dest", required_argument, NULL, 'd' },
	{ "coding", required_argument, NULL, 'e' },
	{ "password-file", required_argument, NULL, 'F' },
	{ "host", required_argument, NULL, 'h' },
	{ "length", required_argument, NULL, 'l' },
	{ "count", required_argument, NULL, 'n' },
	{ "password", required_argument, NULL, 'P' },
	{ "port", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "rate", required_argument, NULL, 'R' },
	{ "receipts", no_argument, NULL, 'r' },
	{ "source", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "time", required_argument, NULL, 't' },
	{ "user", required_argument, NULL, 'u' },
	{ "window", required_argument, NULL, 'w' },
	{ "dlr-wait", required_argument, NULL, OPT_DLR_WAIT },
	{ "idle", no_argument, NULL, OPT_IDLE },
	{ "bind-cycles", no_argument, NULL, OPT_CYCLES },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static void
opt_one(int ch, const char **pwarg, const char **pwfile)
{
	switch (ch) {
	case 'b':
		if ((O.bind = client_bind_cmd(optarg)) == 0)
			errx(EX_USAGE, "-b %s: want tx, rx or trx", optarg);
		break;
	case 'c':
		O.binds = (int)client_arg(optarg, 1, 100000, "-c");
		break;
	case 'd':
		O.dest = optarg;
		break;
	case 'e':
		O.coding = charset_parse_name(optarg);
		if (O.coding < 0)
			errx(EX_USAGE, "-e %s: want gsm, ascii, latin1, ucs2, "
			    "binary or a number", optarg);
		break;
	case 'F':
		*pwfile = optarg;
		break;
	case 'h':
		O.host = optarg;
		break;
	case 'l':
		O.length = (int)client_arg(optarg, 0, 30000, "-l");
		break;
	case 'n':
		O.count = client_arg(optarg, 1, LLONG_MAX / 2, "-n");
		break;
	case 'P':
		*pwarg = optarg;
		break;
	case 'p':
		O.port = (int)client_arg(optarg, 1, 65535, "-p");
		break;
	case 'q':
		O.quiet = 1;
		break;
	case 'r':
		O.regdlv = 1;
		break;
	case 'R':
		O.rate = client_arg(optarg, 1, 10000000, "-R");
		break;
	case 's':
		O.source = optarg;
		break;
	case 'T':
		O.timeout = client_arg(optarg, 1, 3600, "-T") * SEC;
		break;
	case 't':
		O.duration = client_arg(optarg, 1, 86400 * 365, "-t") * SEC;
		break;
	case 'u':
		O.user = optarg;
		break;
	case 'w':
		O.window = (unsigned)client_arg(optarg, 1, 100000, "-w");
		break;
	case OPT_DLR_WAIT:
		O.dlr_wait = client_arg(optarg, 1, 86400, "--dlr-wait") * SEC;
		break;
	case OPT_IDLE:
		O.mode = M_IDLE;
		break;
	case OPT_CYCLES:
		O.mode = M_CYCLES;
		break;
	case OPT_HELP:
		usage_exit(0);
	default:
		usage();
	}
}

static void
opts_parse(int argc, char **argv)
{
	const char	*pwarg = NULL, *pwfile = NULL;
	int		 ch;

	O.host = "127.0.0.1";
	O.port = CLIENT_PORT_DEFAULT;
	O.user = "";
	O.system_type = "";
	O.binds = 1;
	O.window = 1;
	O.length = 20;
	O.coding = DC_DEFAULT;
	O.source = "smppbench";
	O.dest = "33612345678";
	O.timeout = 30 * SEC;
	O.dlr_wait = 10 * SEC;
	while ((ch = getopt_long(argc, argv, "b:c:d:e:F:h:l:n:P:p:qR:rs:T:t:u:w:",
	    longopts, NULL)) != -1)
		opt_one(ch, &pwarg, &pwfile);
	if (optind != argc)
		usage();
	if (client_password(pwarg, pwfile, O.password,
	    sizeof(O.password)) == -1) {
		if (errno == ENAMETOOLONG)
			errx(EX_USAGE, "password too long");
		err(EX_NOINPUT, "%s", pwfile);
	}
	if (strlen(O.user) >= PDU_SYSTEM_ID_MAX ||
	    strlen(O.source) >= PDU_ADDR_MAX_LONG ||
	    strlen(O.dest) >= PDU_ADDR_MAX_LONG)
		errx(EX_USAGE, "system_id or address too long");
	if (O.bind == 0)
		O.bind = SMPP_BIND_TRANSCEIVER;
	if (O.mode == M_SUBMIT && O.bind == SMPP_BIND_RECEIVER)
		errx(EX_USAGE, "a receiver cannot submit: use -b trx or tx");
	if (O.regdlv && O.bind != SMPP_BIND_TRANSCEIVER)
		errx(EX_USAGE, "-r needs -b trx: receipts come on the binds");
	if (O.count == 0 && O.duration == 0 && O.mode != M_IDLE)
		O.count = O.mode == M_CYCLES ? 1000 : 10000;
}

/* One descriptor per session, and some to spare. */
static void
raise_nofile(void)
{
	struct rlimit	 rl;
	rlim_t		 want = (rlim_t)O.binds + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want)
		errx(EX_OSERR, "%d sessions need %lu descriptors", O.binds,
		    (unsigned long)want);
}

static void
setup(void)
{
	uint32_t	 slots = 16;
	int		 i;

	while (slots < O.window * 2)
		slots *= 2;
	if ((C = calloc((size_t)O.binds, sizeof(*C))) == NULL ||
	    (PF = calloc((size_t)O.binds, sizeof(*PF))) == NULL ||
	    hist_init(&S.lat) == -1 || hist_init(&S.e2e) == -1 ||
	    hist_init(&S.bindlat) == -1 ||
	    idtab_init(&ids, O.count > 0 && O.regdlv ?
	    (size_t)(O.count < 1000000 ? O.count * 2 : 2000000) : 1024) == -1)
		err(EX_OSERR, "calloc");
	for (i = 0; i < O.binds; i++) {
		esme_init(&C[i].e);
		C[i].state = C_IDLE;
		C[i].mask = slots - 1;
		if (O.mode == M_SUBMIT && (C[i].sent_at = calloc(slots,
		    sizeof(*C[i].sent_at))) == NULL)
			err(EX_OSERR, "calloc");
	}
	client_signals();
}

static void
teardown(void)
{
	int	 i;

	for (i = 0; i < O.binds; i++) {
		esme_close(&C[i].e);
		free(C[i].sent_at);
	}
	free(C);
	free(PF);
	free(tmpl);
	hist_free(&S.lat);
	hist_free(&S.e2e);
	hist_free(&S.bindlat);
	idtab_free(&ids);
}

int
main(int argc, char **argv)
{
	opts_parse(argc, argv);
	raise_nofile();
	setup();
	switch (O.mode) {
	case M_SUBMIT:
		make_template();
		run_submit();
		unbind_all();
		report_submit();
		break;
	case M_IDLE:
		run_idle();
		unbind_all();
		printf("RESULT mode=idle binds=%d bound=%d bind_fail=%llu "
		    "bind_p50_ms=%.3f bind_p99_ms=%.3f\n", O.binds,
		    (int)S.bindlat.n, (unsigned long long)S.bind_fail,
		    ms(hist_pct(&S.bindlat, 50)), ms(hist_pct(&S.bindlat, 99)));
		break;
	case M_CYCLES:
		run_cycles();
		report_cycles();
		break;
	}
	teardown();
	return 0;
}
