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

struct esme {
	int		 fd;		/* -1: closed */
	uint32_t	 next_seq;
	uint32_t	 max_pdu;	/* accepted command_length */
	uint8_t		*in;		/* read, not yet taken */
	size_t		 inlen;
	size_t		 incap;
	size_t		 taken;		/* octets of in[] already returned */
	struct buf	 out;		/* encoded, not yet written */
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
 */

#endif /* ESME_H */
