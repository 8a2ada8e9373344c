/*
 * esme.h - the client (ESME) side of an SMPP session: framing, sequence
 * numbers and buffers over a non-blocking socket, plus blocking helpers
 *
 * Used by smppsend(1) and smppbench(1) (blocking helpers, or their own
 * poll loop over several sessions) and by smppconn's smpp connector
 * (non-blocking calls inside its event loop).  The caller owns the
 * poll(2): esme_want() says which events a session waits for.
 */
#ifndef ESME_H
#define ESME_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pdu.h"

/* Called with each PDU's octets as queued (ESME_TRACE_OUT) or taken. */
typedef void (*esme_trace_fn)(void *, int, const uint8_t *, size_t);
#define ESME_TRACE_IN	0
#define ESME_TRACE_OUT	1

/* What the last error was, in e->fail (added). */
#define ESME_FAIL_NONE		0
#define ESME_FAIL_IO		1	/* connect, read or write failed */
#define ESME_FAIL_CLOSED	2	/* the peer closed or unbound */
#define ESME_FAIL_TIMEOUT	3
#define ESME_FAIL_PROTO		4	/* framing lost, a malformed answer */
#define ESME_FAIL_NOMEM		5	/* or a PDU that cannot be encoded */

struct esme {
	int		 fd;		/* -1: closed */
	uint32_t	 next_seq;
	uint32_t	 max_pdu;	/* accepted command_length */
	uint8_t		*in;		/* read, not yet taken */
	size_t		 inlen;
	size_t		 incap;
	size_t		 taken;		/* octets of in[] already returned */
	struct buf	 out;		/* encoded, not yet written */
	size_t		 outoff;	/* octets of out already written */
	int		 fail;		/* ESME_FAIL_* of the last error */
	esme_trace_fn	 trace;		/* NULL, or called for every PDU */
	void		*trace_arg;
	char		 err[256];	/* the last error, for messages */
};

/* What the caller of esme_transact() does with other PDUs meanwhile. */
typedef void (*esme_other_fn)(struct esme *, const struct pdu *, void *);

void	 esme_init(struct esme *);
int	 esme_connect(struct esme *, const char *, int, int);
int	 esme_attach(struct esme *, int);
void	 esme_close(struct esme *);
uint32_t esme_seq(struct esme *);
int	 esme_queue(struct esme *, struct pdu *);
int	 esme_queue_resp(struct esme *, uint32_t, uint32_t, uint32_t);
int	 esme_queue_raw(struct esme *, const uint8_t *, size_t, uint32_t);
size_t	 esme_pending(const struct esme *);
int	 esme_default(struct esme *, const struct pdu *, uint32_t);
int	 esme_flush(struct esme *);
int	 esme_read(struct esme *);
int	 esme_next(struct esme *, struct pdu *, uint32_t *);
int	 esme_want(const struct esme *);
int	 esme_wait(struct esme *, int);

int	 esme_bind(struct esme *, uint32_t, const char *, const char *,
	    const char *, int, uint32_t *);
int	 esme_transact(struct esme *, struct pdu *, struct pdu *, int,
	    esme_other_fn, void *);
int	 esme_unbind(struct esme *, int);

/*
 * esme_connect(e, host, port, timeout_ms): 0, or -1 with e->err.
 * esme_attach(e, fd): use an already connected socket.
 * esme_queue(e, p): sets p->sequence_number when 0, encodes at the end of
 *	the output; 0 or -1 (too big, no memory).
 * esme_flush(e): writes what the socket takes: 0 all written, 1 some left,
 *	-1 error.
 * esme_read(e): reads what is there: > 0 octets, 0 nothing yet, -1 the
 *	peer closed or an error.
 * esme_next(e, p, &status): 1 a whole PDU was taken and decoded into p
 *	(valid until the next call; status is pdu_decode()'s result, so
 *	a malformed PDU still comes with its header), 0 no whole PDU yet,
 *	-1 a command_length out of range: the stream is lost.
 * esme_want(e): POLLIN, plus POLLOUT while output is pending.
 * esme_wait(e, timeout_ms): poll for esme_want() and do the read/flush;
 *	1 something happened, 0 timeout, -1 error.
 * esme_bind(e, cmd, system_id, password, system_type, timeout_ms,
 *	&status): 0 with the bind_resp status, -1 no answer or an error.
 * esme_transact(e, req, resp, timeout_ms, other, arg): queue req, wait
 *	for its response (or a generic_nack with its sequence number) and
 *	decode it into resp; enquire_link from the peer is answered on the
 *	way, any other PDU goes to other() (or is answered generically
 *	when other is NULL: deliver_sm_resp OK).  0 or -1.
 * esme_unbind(e, timeout_ms): unbind, wait for unbind_resp; 0 or -1.
 *
 * esme_queue_resp(e, command_id, status, seq) queues a response
 *	with empty fields (pdu_encode_resp()).  esme_queue_raw(e, octets,
 *	len, seq) queues a PDU encoded beforehand, with seq written into
 *	its sequence_number unless seq is 0: a load generator encodes a
 *	message once and sends it many times.  esme_pending(e) is the
 *	count of octets queued but not yet written.  esme_default(e, p,
 *	status) does what esme_transact() does with a PDU nobody takes
 *	(status is esme_next()'s): it answers enquire_link, a request with
 *	status 0 (a malformed one with its status, an unknown command
 *	with generic_nack), drops a response, and returns -1 after
 *	answering an unbind; else 0.  Every -1 sets e->err
 *	and e->fail (ESME_FAIL_*), which tells a timeout from a closed
 *	connection.  With e->trace set, each PDU queued and each PDU taken
 *	by esme_next() is handed to it first (smppsend -v).  After
 *	esme_read() returned -1, the PDUs read before can still be taken
 *	with esme_next().  A PDU from esme_next() stays valid until the
 *	next esme_next(), esme_read(), esme_wait() or blocking helper;
 *	call pdu_free() on it (it only matters for submit_multi).
 *	esme_wait() returns 0 when a signal interrupted poll(2), so that
 *	the caller can look at its flags.
 */

#endif /* ESME_H */
