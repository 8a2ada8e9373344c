/*
 * ledger.h - live counters of the accounts: balance, submit_sm_count
 * quota and the throughput token bucket, in a file of fixed slots beside
 * users.db, each updated under an fcntl(2) lock of its own byte range
 *
 * A charge is one lock, one pread, one pwrite and one unlock: a few
 * microseconds, exact under concurrency (the lock) and when any process
 * is killed (locks die with their owner; a slot is one pwrite).
 *
 * Crashes: every update of a slot is one pwrite(2) of the whole slot
 * made under an fcntl(2) write lock of the slot's byte range.  A process
 * killed at any point leaves the slot as it was before the update or as
 * it is after it, never half of it, and the kernel drops its lock.  A
 * charge that was written but whose caller died before answering is
 * billed (at most the messages in flight).  Charges are not fsynced
 * (that would cost milliseconds): without a billing log a power loss
 * may lose the last updates.  Administrative updates (credit, set,
 * alloc) are fsynced.
 *
 * Billing (ledger_bill()) with a billing log: the log is the ledger's
 * journal.  Under the slot's lock the slot is written with the log's
 * size (an operation under way), the line is appended, and the slot is
 * written with the change.  Whoever next takes a slot left under way
 * by a killed process reads the line back, when there is one, and makes
 * its change (a line is never written twice).  After the group commit
 * synced the log, ledger_advance() moves the account's base (LEDGER.base,
 * ledger_recover.c) past its lines; after a power cut the first process
 * that bills rebuilds every slot from its base and the lines on disk
 * (ledger_recover()).  The slot also keeps the money charged, refunded
 * and short in total, and a key of smppconn's last operation on it
 * (billing.c).
 *
 * The slots are in host byte order; move accounts between hosts with
 * smppuser export and import.  Slots never move: an account keeps its
 * slot number for its life (struct account's slot).
 *
 * Return values: 0 (LEDGER_OK) or LEDGER_ERR with ledger_error() set,
 * and the refusals of ledger_charge() and ledger_credit() below.
 *
 * now_us of ledger_charge() is any clock in microseconds that all the
 * processes of the host share (gettimeofday(2) will do); a clock that
 * steps back refills the throughput bucket.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "money.h"

#ifndef MICRO
#define MICRO			1000000LL	/* money: micro-units, exact */
#endif

#define LEDGER_UNLIMITED	INT64_MIN	/* balance or count not set */
#define LEDGER_KEEP		(INT64_MIN + 1)	/* ledger_set(): unchanged */
#define LEDGER_SUFFIX		".ledger"	/* default: users.db.ledger */
#define MONEY_MAX		(1000000000000LL * 1000000)	/* micro */
#define LEDGER_COUNT_MAX	999999999999999LL

/* One account's slot, as read by ledger_read(). */
struct ledger_entry {
	char		 system_id[32];		/* "" when the slot is free */
	int64_t		 balance;		/* micro-units or UNLIMITED */
	int64_t		 count;			/* parts left or UNLIMITED */
	int64_t		 tokens;		/* throughput bucket, micro */
	int64_t		 refill_us;		/* last refill */
	uint64_t	 charged;		/* parts billed, less refunds */
	int64_t		 billed;		/* money charged, micro */
	int64_t		 refunded;		/* money refunded, micro */
	int64_t		 shortfall;		/* later charges not covered */
	uint64_t	 conn_key;		/* smppconn's last operation */
	int		 pending;		/* a log line may be missing */
};

struct billlog;

/*
 * One billing operation (ledger_bill()): at submit (LEDGER_CHARGE) the
 * balance must cover need and amount is charged, with the quota and
 * throughput of ledger_charge(); later (LEDGER_LATER) amount is charged
 * if the balance covers it, else it is counted as a shortfall
 * (LEDGER_SHORT); a refund (LEDGER_REFUND) gives amount and parts back.
 * With log, the line is written in the same step (billlog.h); with key,
 * the slot remembers it as smppconn's last operation (conn_key).
 */
enum ledger_kind { LEDGER_CHARGE, LEDGER_LATER, LEDGER_REFUND };

struct ledger_bill {
	enum ledger_kind	 kind;
	uint32_t		 parts;
	int64_t			 need;		/* micro, LEDGER_CHARGE */
	int64_t			 amount;	/* micro, >= 0 */
	int			 throughput;
	int			 flags;		/* LEDGER_NOBILL */
	int64_t			 now_us;
	uint64_t		 key;		/* 0: none */
	struct billlog		*log;		/* NULL: no line */
	const struct billlog_line *line;
};

struct ledger_slot;

/*
 * held: the slot that ledger_hold() keeps locked, read into memory, while
 * holding; dirty when a charge changed the copy since.
 */
struct ledger {
	int			 fd;
	char			 path[1024];
	int			 bfd;		/* LEDGER.base; -1: none */
	int			 holding;
	int			 dirty;
	uint32_t		 held_slot;
	struct ledger_slot	*held;
};

/* Results of ledger_charge(). */
#define LEDGER_OK		0
#define LEDGER_THROTTLED	1	/* -> ESME_RTHROTTLED */
#define LEDGER_NOCREDIT		2	/* balance -> ESME_RSYSERR */
#define LEDGER_NOQUOTA		3	/* submit_sm_count -> ESME_RSYSERR */
#define LEDGER_SHORT		4	/* LEDGER_LATER not covered */
/* ledger_credit() answers LEDGER_NOCREDIT for a debit below zero. */
#define LEDGER_ERR		(-1)	/* I/O, or the slot is not the user's */

/* ledger_recover() flags. */
#define LEDGER_RECOVER_PENDING	0x01	/* also every killed operation */
#define LEDGER_RECOVER_FORCE	0x02	/* replay even on the same boot */

/* What ledger_charge() may skip. */
#define LEDGER_NOBILL		0x01	/* billing_feature = no */

/* The int of ledger_open() is open(2) flags: O_RDONLY, O_RDWR, O_CREAT. */
int	 ledger_open(struct ledger *, const char *, int);
void	 ledger_close(struct ledger *);
int	 ledger_slot_alloc(struct ledger *, const char *, uint32_t *);
int	 ledger_slot_free(struct ledger *, uint32_t, const char *);
int	 ledger_read(struct ledger *, uint32_t, struct ledger_entry *);
int	 ledger_charge(struct ledger *, uint32_t, const char *, uint32_t,
	    int64_t, int, int, int64_t);
int	 ledger_refund(struct ledger *, uint32_t, const char *, uint32_t,
	    int64_t, int);
int	 ledger_bill(struct ledger *, uint32_t, const char *,
	    const struct ledger_bill *);
int	 ledger_flush(struct ledger *);
int	 ledger_hold(struct ledger *, uint32_t, const char *);
int	 ledger_release(struct ledger *);
int	 ledger_advance(struct ledger *, uint32_t, const char *, int64_t,
	    uint32_t, uint64_t);
int	 ledger_recover(struct ledger *, struct billlog *, int);
uint64_t ledger_op_key(const char *, const char *, int, int64_t);
int	 ledger_credit(struct ledger *, uint32_t, const char *, int64_t);
int	 ledger_set(struct ledger *, uint32_t, const char *, int64_t,
	    int64_t);
const char *ledger_error(void);

#endif /* LEDGER_H */
