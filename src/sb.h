/*
 * sb.h - counters shared by all processes of a server: a file
 * in run_dir mapped by the master (inherited by its children), by each
 * inetd-mode process, and read-only by smppq stats and smppd -s
 *
 * Counters only grow and are updated with atomic adds.  Gauges (how
 * many are connected or bound, and how) are not counters but are
 * counted at read time from the children's slots, which the master
 * frees when it reaps a child: a crash cannot leave them wrong.
 */
#ifndef SB_H
#define SB_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "anvil.h"

#define SB_FILE		"smppd.scoreboard"
#define SB_ACCOUNTS	1024
#define SB_CHILDREN	8192

/* Names follow Jasmin's stats --smppsapi / --user where they agree. */
enum sb_counter {
	SB_CONNECT,		/* connect_count */
	SB_DISCONNECT,		/* disconnect_count */
	SB_REFUSED,		/* refused_count: over max_connections */
	SB_BIND_TX,		/* bind_tx_count: attempts */
	SB_BIND_RX,		/* bind_rx_count */
	SB_BIND_TRX,		/* bind_trx_count */
	SB_BIND_FAIL,		/* bind_fail_count */
	SB_UNBIND,		/* unbind_count */
	SB_SUBMIT_REQ,		/* submit_sm_request_count */
	SB_SUBMIT_OK,		/* submit_sm_count */
	SB_THROTTLED,		/* throttling_error_count */
	SB_SUBMIT_ERR,		/* other_submit_error_count */
	SB_DATA_SM,		/* data_sm_count */
	SB_DELIVER_SENT,	/* deliver_sm_count */
	SB_DELIVER_ACK,		/* deliver_sm_ack_count */
	SB_DELIVER_ERR,		/* deliver_sm_error_count */
	SB_ELINK,		/* elink_count: enquire_link received */
	SB_ADDR_REFUSED,	/* address_refused_count: per-address limits */
	SB_PASSWORD_HASH,	/* password_hash_count: crypt(3) calls */
	/* Bind failures by reason; for an account only when it exists. */
	SB_BIND_FAIL_UNKNOWN,	/* no such account: server only */
	SB_BIND_FAIL_PASSWORD,	/* wrong password */
	SB_BIND_FAIL_DISABLED,	/* account disabled */
	SB_BIND_FAIL_NETWORK,	/* peer outside the account's networks */
	SB_BIND_FAIL_TYPE,	/* bind type not allowed */
	SB_BIND_FAIL_MAX,	/* max_bindings reached */
	SB_BIND_FAIL_OTHER,	/* database, ledger, registry trouble */
	/* Submit errors by cause, parts of the two above. */
	SB_SUBMIT_ADDR,		/* bad source or destination, no route */
	SB_SUBMIT_CREDIT,	/* no credit or quota left */
	SB_SUBMIT_SPOOL,	/* could not be made durable */
	/* Early-percent rests the balance did not cover (smppconn). */
	SB_SHORTFALL,		/* messages */
	SB_SHORTFALL_MICRO,	/* money not charged, micro-units */
	SB_NCOUNTERS
};

enum sb_time {
	SB_T_CREATED,		/* created_at */
	SB_T_RX_PDU,		/* last_received_pdu_at */
	SB_T_TX_PDU,		/* last_sent_pdu_at */
	SB_T_ELINK,		/* last_received_elink_at */
	SB_NTIMES
};

/* What a child is doing, in its slot. */
enum sb_state {
	SB_FREE, SB_IDLE, SB_CONNECTED, SB_BOUND_TX, SB_BOUND_RX,
	SB_BOUND_TRX, SB_UNBINDING
};

/*
 * Group-commit latency (write + fdatasync of one turn's records), in
 * buckets whose upper bounds are sb_commit_bound_us; the last is +Inf.
 * Each bucket counts only its own values: readers add them up.
 */
#define SB_COMMIT_BUCKETS	14
extern const uint64_t sb_commit_bound_us[SB_COMMIT_BUCKETS - 1];

struct sb_account {
	uint32_t	 used;		/* 0 free, 1 being claimed, 2 ready */
	char		 system_id[32];
	uint64_t	 counter[SB_NCOUNTERS];
	int64_t		 last_activity;	/* seconds */
	int64_t		 last_submit;
};

struct sb_child {
	int32_t		 pid;
	int32_t		 state;		/* enum sb_state */
	int32_t		 account;	/* -1 or an index */
	int32_t		 spare;
	int64_t		 since;		/* seconds: connected or bound */
	char		 peer[64];
};

struct sb_board {
	uint32_t	 magic;
	uint32_t	 version;
	uint32_t	 naccounts;
	uint32_t	 nchildren;
	char		 id[32];	/* [smpp-server] id */
	uint64_t	 counter[SB_NCOUNTERS];
	int64_t		 time[SB_NTIMES];
	uint64_t	 commit_bucket[SB_COMMIT_BUCKETS];
	uint64_t	 commit_sum_us;
	struct sb_account account[SB_ACCOUNTS];
	struct sb_child	 child[SB_CHILDREN];
	struct anvil_board anvil;
};

/* Sessions now, counted from the child slots. */
struct sb_gauges {
	unsigned	 connected;
	unsigned	 bound[3];	/* tx, rx, trx */
};

int	 sb_open(const char *, const char *, int);
int	 sb_attach(const char *);
struct sb_board *sb_board(void);
void	 sb_count(int, enum sb_counter);
void	 sb_count_account(int, enum sb_counter);
void	 sb_add(int, enum sb_counter, uint64_t);
void	 sb_commit_latency(uint64_t);
void	 sb_time(enum sb_time);
int	 sb_account_slot(const char *);
void	 sb_activity(int);
int	 sb_child_claim(pid_t);
void	 sb_child_set(int, enum sb_state, int, const char *);
void	 sb_child_release_pid(pid_t);
struct anvil_board *sb_anvil(void);
int	 sb_child_find(pid_t);
const char *sb_counter_name(enum sb_counter);
const char *sb_time_name(enum sb_time);
void	 sb_gauges(const struct sb_board *, struct sb_gauges *,
	    struct sb_gauges *);
int	 sb_print(FILE *, const struct sb_board *, int);

#endif /* SB_H */
