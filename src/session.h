/*
 * session.h - one client connection, served by one smppd child
 *
 * smppd's private header.  session.c reads PDUs and sends every
 * answer; session_bind.c and session_deliver.c handle their commands
 * and queue answers with session_hold(); session_submit.c fills in the
 * answer it is given and session.c holds it.  session.c sends the held
 * answers after the turn's spool commit (session_submit_commit()), in
 * the order of the requests.  struct session is the child's one session; it
 * owns its buffers and held answers.  Handlers return nothing: a
 * protocol error becomes an answer, an environment error a log line
 * and, where the client cannot be served, closing.
 */
#ifndef SESSION_H
#define SESSION_H

#include <sys/socket.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>

#include "buf.h"
#include "conf.h"
#include "billlog.h"
#include "ledger.h"
#include "net.h"
#include "pdu.h"
#include "spool.h"
#include "userdb.h"

enum session_state {
	SS_OPEN,		/* connected, not bound */
	SS_BOUND_TX,
	SS_BOUND_RX,
	SS_BOUND_TRX,
	SS_CLOSING		/* unbind sent or received: no new work */
};

/* An answer waiting for the group commit of the spool. */
struct held {
	uint32_t	 command_id;	/* of the response */
	uint32_t	 seq;
	uint32_t	 status;
	uint32_t	 parts;		/* charged: refund if the commit fails */
	char		 msgid[PDU_MESSAGE_ID_MAX];
	uint8_t		*raw;		/* an answer encoded in advance */
	size_t		 rawlen;
};

/* A charge of this turn, refunded if the group commit fails. */
struct bill_charge {
	char		 msgid[PDU_MESSAGE_ID_MAX];
	char		 dest[PDU_ADDR_MAX_LONG];
	char		 rule[64];
	uint32_t	 parts;
	int64_t		 paid;
};

/* A request of ours (deliver_sm, enquire_link, unbind) not answered yet. */
struct outreq {
	uint32_t	 seq;
	uint32_t	 command_id;
	int64_t		 deadline;	/* monotonic microseconds */
	unsigned	 index;		/* deliver_sm: record in the segment */
	int		 used;
};

/* A claimed segment of the account's outbound spool. */
struct dseg {
	int		 used;
	char		 path[SPOOL_PATH_MAX];	/* SPOOL/out/USER/new/NAME */
	int		 lock;		/* holds its flock(2): the claim */
	struct segr	 seg;
	struct segdone	 done;
	unsigned	 nrecords;	/* read so far */
	unsigned	 inflight;	/* deliver_sm sent, not answered */
	int		 segend;	/* all records of it read */
	int		 corrupt;	/* ... up to a corrupt one */
};

#define DELIVER_SEGS	8	/* segments claimed at once */

/* The outbound (deliver_sm) side of a receiver or transceiver. */
struct deliver {
	char		 area[1024];	/* SPOOL/out/USER */
	char		 newdir[SPOOL_PATH_MAX];	/* SPOOL/out/USER/new */
	struct dseg	 segs[DELIVER_SEGS];
	int		 reading;	/* the segment being read, or -1 */
	struct segw	 retry;		/* records to try again later */
	int		 eof;		/* nothing to claim until woken */
};

struct session {
	const struct conf	*conf;
	int			 fd;		/* the client socket */
	int			 ofd;		/* for output: fd, or 1 (inetd) */
	struct sockaddr_storage	 peer;
	char			 peerstr[NET_ADDRSTR_MAX];
	enum session_state	 state;
	int			 sb_slot;	/* scoreboard child slot */
	int			 sb_acct;	/* scoreboard account slot */
	int			 sb_conn_acct;	/* ... its connect counted on */
	int			 registered;	/* in sessions/USER/ */
	const char		*bindname;	/* "tx", "rx", "trx" */

	struct account		 acct;
	struct ledger		 ledger;
	struct billlog		 billlog;	/* [userdb] billing_log */
	struct bill_charge	*charges;	/* this turn's */
	size_t			 ncharges;
	size_t			 chargecap;
	regex_t			 src_re;
	regex_t			 dst_re;
	int			 have_src_re;
	int			 have_dst_re;

	uint8_t			*in;		/* bytes read, not yet handled */
	size_t			 inlen;
	size_t			 incap;
	struct buf		 out;		/* encoded, not yet written */
	struct held		*held;		/* answers waiting for commit */
	size_t			 nheld;
	size_t			 heldcap;
	unsigned		 uncommitted;	/* records added to mt */
	struct segw		 mt;

	struct outreq		*outreq;	/* requests we sent */
	unsigned		 noutreq;
	unsigned		 outreqcap;
	uint32_t		 next_seq;
	struct deliver		 dl;
	int			 delivering;	/* bound as RX or TRX */
	int			 closing;	/* close once output is written */
	int			 unbind_sent;
	int			 terms;		/* SIGTERMs seen */
	int			 bind_failures;	/* wrong passwords */
	int			 dead;		/* drop now, unsent or not */
};

extern volatile sig_atomic_t session_term;

void	 session_signals(void);
void	 session_lifeline(int);
const sigset_t *session_waitmask(void);
int	 session_run(const struct conf *, int, int,
	    const struct sockaddr_storage *, int);

/* session.c, for the parts below */
int	 session_send(struct session *, struct pdu *);
uint32_t session_request(struct session *, uint32_t, unsigned);
void	 session_hold(struct session *, uint32_t, uint32_t, uint32_t,
	    uint32_t, const char *);
void	 session_close(struct session *, const char *);

/* session_bind.c */
void	 session_bind(struct session *, const uint8_t *, size_t,
	    const struct pdu_hdr *);
void	 session_unbound(struct session *);

/* session_submit.c */
void	 session_submit(struct session *, const uint8_t *, size_t,
	    const struct pdu_hdr *, struct held *);
void	 session_submit_charged(struct session *);
void	 session_submit_commit(struct session *);
void	 session_segment_close(struct session *);

/* session_bill.c */
uint32_t session_bill_charge(struct session *, struct msg_meta *,
	    const char *, const char **);
void	 session_bill_undo(struct session *, const struct msg_meta *,
	    const char *);
void	 session_bill_rollback(struct session *);
int	 session_bill_release(struct session *);
void	 session_bill_commit(struct session *);
void	 session_bill_reopen(struct session *);
void	 session_bill_close(struct session *);

/* session_deliver.c */
void	 session_deliver_start(struct session *);
void	 session_deliver_pump(struct session *);
void	 session_deliver_resp(struct session *, const struct outreq *, uint32_t);
void	 session_deliver_marks(struct session *);
void	 session_deliver_stop(struct session *);

#endif /* SESSION_H */
