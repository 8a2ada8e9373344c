/*
 * smppconn.h - smppconn's private header: the state its modules share
 *
 * smppconn_ctx (smppconn_ctx.c) is the one loop state of the process;
 * smppconn_mt.c hands claimed records to the connectors (conn_*.c,
 * through struct conn_ops) and settles them; smppconn_out.c,
 * smppconn_store.c and smppconn_mo.c append to their spools and make
 * them durable in the turn's group commit.  Items and jobs belong to
 * smppconn_mt.c, except the jobs of segments still being written, which
 * smppconn_tail.c opens and follows until they are claimed.  A connector
 * holds an item until it reports its outcome (smppconn_outcome());
 * smppconn_outcome.c decides what follows and smppconn_route.c which
 * connector of a route takes a message.  Calls that can fail return -1
 * and log.
 */
#ifndef SMPPCONN_H
#define SMPPCONN_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "conf.h"
#include "record.h"
#include "spool.h"

#ifndef TAILQ_FOREACH_SAFE	/* glibc's sys/queue.h lacks it */
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#define CONN_MAX_JOBS		32	/* MT segments claimed at once */
#define CONN_MAX_TAILS		32	/* open MT segments read at once */
#define CONN_TURN_MAX		2000	/* records handed on per loop turn */
#define CONN_INHAND_MAX		50000	/* records read and not yet settled */
#define CONN_STOP_US		(4 * 1000000LL)	/* SIGTERM: finish within */
#define CONN_NEVER		INT64_MAX

/* What became of a record a connector was given. */
enum item_result {
	IR_NONE,
	IR_DELIVERED,	/* final: a DELIVRD receipt when asked for */
	IR_ACCEPTED,	/* taken by the upstream: its receipt comes later */
	IR_TEMPFAIL,	/* tried again after the back-off */
	IR_PERMFAIL,	/* failed for good: receipt and a failed/ copy */
	IR_EXPIRED,	/* too old: EXPIRED receipt and a failed/ copy */
	IR_LATER,	/* not due yet: deferred, not counted as an attempt */
	IR_ABANDON	/* left unsettled: it is handed on again later */
};

/*
 * What a connector reports, once per message, through smppconn_outcome():
 * smppconn_outcome.c decides what follows (receipt, retry, failover,
 * rate, failed/ copy).  Connectors know nothing of routes or receipts.
 */
enum outcome_kind {
	OC_DELIVERED,	/* final: a DELIVRD receipt when asked for */
	OC_ACCEPTED,	/* taken by the upstream: its receipt comes later */
	OC_THROTTLED,	/* the upstream asks to slow down: same connector */
	OC_TRANSIENT,	/* later, or on the route's next connector */
	OC_PERMANENT,	/* failed for good: a failure receipt */
	OC_ABANDON	/* not tried: handed on again later (shutdown) */
};

struct outcome {
	enum outcome_kind	 kind;
	uint32_t		 status;	/* upstream status, exit code */
	const char		*stat;		/* permanent: NULL = REJECTD */
	const char		*why;		/* for the log and failed/ */
	const char		*id;		/* accepted: upstream's id */
	int			 nparts;	/* accepted: parts sent, 0 = 1 */
	int			 delay;		/* transient: seconds, 0 = policy */
};

struct job;
struct connector;
struct idmap;
struct idmap_entry;
struct dlr;

/* One MT record in hand: read from a claimed segment, not yet settled. */
struct item {
	TAILQ_ENTRY(item)	 link;	/* a connector's queue, or done */
	struct job		*job;
	unsigned		 index;	/* of the record in its segment */
	struct msg		 msg;
	struct connector	*conn;
	int64_t			 t0;		/* handed on (monotonic us) */
	int64_t			 deadline;	/* the connector's */
	enum item_result	 result;
	int			*dep[2];	/* commits it waits for */
	int			 pended;	/* marked provisionally */
	void			*priv;		/* the connector's */
	int			 hop;		/* of its route, or -1 */
	unsigned		 tried;		/* hops that failed it, bits */
	struct connector	*pin;		/* throttled: this one again */
};
TAILQ_HEAD(itemq, item);

/* A claimed MT segment (mt/active/NAME.PID). */
struct job {
	TAILQ_ENTRY(job)	 link;
	char			 path[SPOOL_PATH_MAX];
	struct segr		 seg;
	struct segdone		 done;
	struct item		*stalled;	/* waits for its connector */
	unsigned		 inhand;	/* items out, not settled */
	unsigned		 ndone;		/* ... of them in the done list */
	int			 eof;		/* every record read */
	int			 corrupt;	/* ... up to a corrupt one */
	int			 unwell;	/* not all settled: give back */
	char			 name[SPOOL_NAME_MAX];	/* NAME, no claimer */
	int			 tailing;	/* still in mt/tmp/: no eof */
	size_t			 tail_len;	/* committed, says its writer */
	unsigned		 skip;		/* records read before a reopen */
};
TAILQ_HEAD(jobq, job);

/* What a connector shows the routes and the operator (report()). */
struct conn_report {
	int	 up;		/* sessions bound, helpers running */
	int	 sessions;	/* bound sessions, or helpers */
	int	 configured;	/* binds, or concurrency */
	int	 inflight;	/* window in use: sent, not answered */
	int	 queued;	/* in the connector, not sent yet */
};

/*
 * Per connector, kept by smppconn_outcome.c: the counters per class,
 * the run of transient failures that takes it down, and its current
 * send rate (AIMD after throttling).
 */
struct conn_stats {
	uint64_t	 sent;		/* handed to the connector */
	uint64_t	 ok;		/* delivered or accepted */
	uint64_t	 throttled;
	uint64_t	 transient;
	uint64_t	 permanent;
	uint64_t	 expired;
	int		 fail_run;	/* transient failures in a row */
	int64_t		 down_until;	/* monotonic us: held down */
	double		 rate;		/* per second now; 0: unlimited */
	double		 base;		/* what rate climbs back to */
	int64_t		 rate_at;	/* last change */
	uint64_t	 sec_sent;	/* sent in the current second */
	uint64_t	 last_sec_sent;	/* ... in the second before */
	int64_t		 sec_at;
	char		 last_error[RECORD_ERROR_MAX];
	time_t		 last_error_at;
};

/*
 * What a type of connector does.  room() says how many more records
 * it takes now; submit() takes one and reports its outcome with
 * smppconn_outcome(), now or later; report() fills a conn_report.  poll() registers descriptors with smppconn_ctx_poll_add();
 * timer(now) does what is due and returns its next deadline; idle()
 * is true when it holds nothing; stop() begins closing (SIGTERM, or
 * the connector left the configuration); reload() sees its new
 * settings, old ones passed for comparison; committed() runs after
 * each group commit; release() gives back all it holds (IR_ABANDON or
 * IR_TEMPFAIL) and frees it.
 */
struct conn_ops {
	int	 (*start)(struct connector *);
	int	 (*room)(struct connector *);
	void	 (*submit)(struct connector *, struct item *);
	void	 (*poll)(struct connector *);
	int64_t	 (*timer)(struct connector *, int64_t);
	int	 (*idle)(struct connector *);
	void	 (*stop)(struct connector *);
	void	 (*reload)(struct connector *, const struct conf_connector *);
	void	 (*committed)(struct connector *);
	void	 (*release)(struct connector *);
	void	 (*report)(struct connector *, struct conn_report *);
};

struct connector {
	char			 name[CONF_NAME_MAX];
	enum conf_conn_type	 type;
	struct conf_connector	*cf;		/* &settings */
	struct conf_connector	 settings;	/* outlives a reload */
	const struct conn_ops	*ops;
	void			*priv;
	unsigned		 inhand;	/* items it holds */
	int			 gone;		/* left the configuration */
	int			 stopping;
	struct conn_stats	 st;
};

struct smppconn_ctx {
	struct conf		*conf;
	const char		*confpath;
	int			 foreground;
	int			 stopping;
	int64_t			 stop_deadline;	/* monotonic us */
	int64_t			 now;		/* this turn, monotonic us */
	time_t			 wall;		/* this turn, seconds */
	struct jobq		 jobs;
	unsigned		 njobs;		/* of them, tails too */
	unsigned		 ntails;
	struct itemq		 done;		/* completed this turn */
	struct itemq		 again;		/* to hand on again now */
	unsigned		 inhand;
	struct connector	**conns;
	int			 nconns;
	struct idmap		*idmap;
	int			 idmap_failed;	/* its sync, this turn */
	int			 want_scan;
	int			 more;		/* work left: poll without wait */
	int64_t			 next_rescan;	/* monotonic us */
	int64_t			 next_deferred;	/* seconds */
	int64_t			 pause_until;	/* no claims: a commit failed */
	int			 reload_done;	/* smppq marked records */
};

extern struct smppconn_ctx smppconn_ctx;

typedef void (*smppconn_io_fn)(void *, int);

/* smppconn_ctx.c */
void	 smppconn_ctx_poll_reset(void);
void	 smppconn_ctx_poll_add(int, short, smppconn_io_fn, void *);
void	 smppconn_ctx_poll(int);
struct connector *smppconn_ctx_find(const char *);
struct idmap *smppconn_ctx_idmap(void);

/* smppconn_mt.c */
void	 smppconn_mt_scan(void);
void	 smppconn_mt_feed(void);
void	 smppconn_mt_done(struct item *, enum item_result);
void	 smppconn_mt_again(struct item *);
int	 smppconn_mt_deleted(const struct item *);
void	 smppconn_mt_commit(void);
void	 smppconn_mt_give_back(void);
void	 smppconn_mt_reread_done(void);
void	 smppconn_mt_free(void);

/* smppconn_outcome.c */
void	 smppconn_outcome(struct item *, const struct outcome *);
void	 smppconn_outcome_status(struct item *, uint32_t, const char *);
int	 smppconn_outcome_map(struct item *, const char *, int);
void	 smppconn_outcome_expired(struct item *);
void	 smppconn_outcome_no_route(struct item *);
void	 smppconn_outcome_wait(struct item *, const char *);
void	 smppconn_outcome_later(struct item *);
void	 smppconn_outcome_abandon(struct item *);
int64_t	 smppconn_outcome_tick(int64_t);
void	 smppconn_outcome_error(struct connector *, const char *);
int	*smppconn_outcome_receipt(const char *, struct idmap_entry *,
	    const char *, const struct dlr *, int *, int *);

/* smppconn_route.c */
struct connector *smppconn_route_pick(struct item *, const char **);
int	 smppconn_route_up(struct connector *);

/* smppconn_tail.c */
void	 smppconn_tail_notice(const char *, size_t);
struct job *smppconn_tail_find(const char *);
void	 smppconn_tail_claimed(struct job *);
int	 smppconn_tail_read(struct job *);
void	 smppconn_tail_check(void);
void	 smppconn_tail_drop(struct job *);

/* smppconn_trash.c */
void	 smppconn_trash_start(void);
int	 smppconn_trash_put(const char *);
void	 smppconn_trash_check(void);
void	 smppconn_trash_stop(void);

/* smppconn_state.c */
void	 smppconn_state_write(void);

/* smppconn_out.c */
int	 smppconn_out_add(const char *, const struct msg_meta *, const struct pdu *,
	    int **);
int	 smppconn_out_write(void);
int	 smppconn_out_commit(void);
void	 smppconn_out_close(void);
void	 smppconn_out_free(void);

/* smppconn_store.c */
int	 smppconn_store_defer(const struct msg_meta *, const struct pdu *, int64_t,
	    int **);
int	 smppconn_store_fail(const struct msg_meta *, const struct pdu *, int **);
int	 smppconn_store_commit(void);
void	 smppconn_store_close(void);
void	 smppconn_store_prune(void);
void	 smppconn_store_free(void);

/* smppconn_mo.c */
int	 smppconn_mo_queue(const struct pdu *, const char *, int **);
int	 smppconn_mo_commit(void);
void	 smppconn_mo_close(void);
void	 smppconn_mo_free(void);

/* smppconn_peer.c */
struct dlr;
int	 smppconn_peer_receipt(const struct dlr *, const char *, int **);
int	 smppconn_peer_out(const char *, struct msg_meta *, const struct pdu *,
	    int **);
const struct conf_connector *smppconn_peer_route(struct item *);
/* billing.c */
struct idmap_entry;
void	 billing_start(void);
void	 billing_reload(void);
void	 billing_stop(void);
void	 billing_accepted(struct item *);
void	 billing_failed(struct item *);
int	 billing_remember(struct idmap_entry *, const struct msg *);
int	 billing_receipt(struct idmap_entry *, const char *);
int	 billing_commit(void);

/* conn_sink.c, conn_pipe.c, conn_smpp.c */
extern const struct conn_ops conn_sink_ops;
extern const struct conn_ops conn_pipe_ops;
extern const struct conn_ops conn_smpp_ops;
extern const struct conn_ops conn_helper_ops;
int	 conn_pipe_reaped(pid_t, int);
int	 conn_pipe_spawn(const struct conf_connector *, char **, int, int, int,
	    pid_t *);
int	 conn_helper_reaped(pid_t, int);

#endif /* SMPPCONN_H */
