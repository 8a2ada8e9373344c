/*
 * conn_smpp.h - the smpp connector's private header: its sessions with
 * the upstream SMSC, shared by conn_smpp.c (submit_sm),
 * conn_smpp_sess.c (connecting and binding) and conn_smpp_in.c
 * (receipts and MO from the upstream)
 */
#ifndef CONN_SMPP_H
#define CONN_SMPP_H

#include <sys/queue.h>

#include <stdint.h>

#include "smppconn.h"
#include "esme.h"

enum sess_state { SS_DOWN, SS_CONNECTING, SS_BINDING, SS_BOUND, SS_UNBINDING };
enum sess_role { SR_TRX, SR_TX, SR_RX };

/* A submit_sm sent and not yet answered. */
struct sent {
	uint32_t	 seq;		/* 0: free */
	struct item	*it;
	int64_t		 at;		/* monotonic us */
};

struct smppc;

struct sess {
	struct smppc	*owner;
	int		 idx;
	unsigned	 gen;		/* counts connections: stale answers */
	enum sess_role	 role;
	enum sess_state	 state;
	struct esme	 e;
	int		 fd;		/* connecting: the socket */
	int64_t		 next_connect;	/* monotonic us */
	int		 backoff;	/* seconds, the next delay */
	int64_t		 since;		/* connect, bind or unbind sent */
	int64_t		 last_io;	/* for enquire_link */
	uint32_t	 bind_seq;
	uint32_t	 unbind_seq;
	uint32_t	 elink_seq;	/* enquire_link outstanding */
	int64_t		 elink_at;
	struct sent	*sent;		/* hash by seq */
	unsigned	 sentcap;	/* a power of 2 */
	unsigned	 nsent;
	int		 retire;	/* not reconnected after it closes */
	int		 redo;		/* settings changed: unbind when idle */
};

/* An answer to an upstream deliver_sm, sent after the group commit. */
struct held {
	TAILQ_ENTRY(held)	 link;
	struct sess		*s;
	unsigned		 gen;
	uint32_t		 cmd;		/* of the response */
	uint32_t		 seq;
	int			*dep;		/* commit flag, or NULL */
	uint32_t		 status;	/* when no dep says otherwise */
	char			 delkey[PDU_MESSAGE_ID_MAX];	/* idmap */
};
TAILQ_HEAD(heldq, held);

/* A receipt whose id is not in the map yet: looked up again. */
struct parked {
	TAILQ_ENTRY(parked)	 link;
	struct sess		*s;
	unsigned		 gen;
	uint32_t		 cmd;
	uint32_t		 seq;
	int64_t			 until;
	char			 id[PDU_MESSAGE_ID_MAX];
	char			 alt[PDU_MESSAGE_ID_MAX];	/* text's id */
	char			 stat[8];
	int			 err;
	time_t			 done;
};
TAILQ_HEAD(parkq, parked);

struct smppc {
	struct connector	*c;
	struct sess		**sess;
	int			 nsess;
	struct itemq		 queue;		/* waiting for a window */
	unsigned		 nqueue;
	double			 tokens;	/* throughput bucket */
	int64_t			 tok_at;
	struct heldq		 held;
	struct parkq		 parked;
	unsigned		 nparked;
	uint8_t			 ref;		/* concatenation reference */
	int			 rr;		/* next session to try */
};

/*
 * The three files share struct smppc (one per connector) and its
 * sessions; an item handed to a session is owned by it until
 * conn_smpp_submit_resp() or conn_smpp_sent_lost() reports its outcome.
 * Incoming PDUs that cannot be answered yet (the id map or out/ commit
 * is pending) are held and answered by conn_smpp_held_flush() after the
 * commit; nothing here fails with a return value: a lost session is
 * logged and reconnected with back-off.
 */

/* conn_smpp.c */
void	 conn_smpp_submit_resp(struct smppc *, struct item *, const struct pdu *,
	    uint32_t);
void	 conn_smpp_sent_lost(struct smppc *, struct item *, const char *);

/* conn_smpp_sess.c */
int	 conn_smpp_sessions(struct smppc *);
void	 conn_smpp_poll(struct connector *);
int64_t	 conn_smpp_sess_timer(struct sess *, int64_t);
struct sess *conn_smpp_pick(struct smppc *);
void	 conn_smpp_sent_add(struct sess *, uint32_t, struct item *);
void	 conn_smpp_sess_lost(struct sess *, const char *);
void	 conn_smpp_sess_unbind(struct sess *);

/* conn_smpp_in.c */
void	 conn_smpp_incoming(struct sess *, const struct pdu *);
void	 conn_smpp_held_flush(struct smppc *);
int64_t	 conn_smpp_parked_timer(struct smppc *, int64_t);
void	 conn_smpp_in_free(struct smppc *);
void	 conn_smpp_answer(struct sess *, uint32_t, uint32_t, uint32_t);
struct idmap_entry;
struct dlr;

#endif /* CONN_SMPP_H */
