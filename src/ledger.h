/*
 * ledger.h - live counters of the accounts: balance, submit_sm_count
 * quota and the throughput token bucket, in a file of fixed slots beside
 * users.db, each updated under an fcntl(2) lock of its own byte range
 *
 * A charge is one lock, one pread, one pwrite and one unlock: a few
 * microseconds, exact under concurrency (the lock) and when any process
 * is killed (locks die with their owner; a slot is one pwrite).
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stdint.h>

#define LEDGER_UNLIMITED	INT64_MIN	/* balance or count not set */
#define LEDGER_KEEP		(INT64_MIN + 1)	/* ledger_set(): unchanged */

/* One account's slot, as read by ledger_read(). */
struct ledger_entry {
	char		 system_id[32];		/* "" when the slot is free */
	int64_t		 balance;		/* micro-units or UNLIMITED */
	int64_t		 count;			/* parts left or UNLIMITED */
	int64_t		 tokens;		/* throughput bucket, micro */
	int64_t		 refill_us;		/* last refill */
	uint64_t	 charged;		/* parts charged, ever */
};

struct ledger {
	int	 fd;
	char	 path[1024];
};

/* Results of ledger_charge(). */
#define LEDGER_OK		0
#define LEDGER_THROTTLED	1	/* -> ESME_RTHROTTLED */
#define LEDGER_NOCREDIT		2	/* balance -> ESME_RSYSERR */
#define LEDGER_NOQUOTA		3	/* submit_sm_count -> ESME_RSYSERR */
#define LEDGER_ERR		(-1)	/* I/O, or the slot is not the user's */

/* What ledger_charge() may skip. */
#define LEDGER_NOBILL		0x01	/* billing_feature = no */

int	 ledger_open(struct ledger *, const char *, int);
void	 ledger_close(struct ledger *);
int	 ledger_slot_alloc(struct ledger *, const char *, uint32_t *);
int	 ledger_slot_free(struct ledger *, uint32_t, const char *);
int	 ledger_read(struct ledger *, uint32_t, struct ledger_entry *);
int	 ledger_charge(struct ledger *, uint32_t, const char *, uint32_t,
	    int64_t, int, int, int64_t);
int	 ledger_refund(struct ledger *, uint32_t, const char *, uint32_t,
	    int64_t, int);
int	 ledger_credit(struct ledger *, uint32_t, const char *, int64_t);
int	 ledger_set(struct ledger *, uint32_t, const char *, int64_t,
	    int64_t);
int	 money_parse(const char *, int64_t *);
int	 money_format(char *, size_t, int64_t);

#endif /* LEDGER_H */
