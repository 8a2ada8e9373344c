/*
 * userdb.h - the accounts that bind to smppd, in a GDBM database
 *
 * One record per system_id (the key): a versioned text value holding
 * the crypt(3) password hash and the account's rights and limits.  The
 * live counters (balance, submit_sm_count quota, throughput bucket) are
 * not here but in the ledger (ledger.h), at the record's slot.
 */
#ifndef USERDB_H
#define USERDB_H

#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"

#define USERDB_PATH_DEFAULT	LOCALSTATEDIR "/lib/smppd/users.db"
#define USERDB_VERSION		1
#define SYSTEM_ID_LEN		30	/* characters, without the NUL */
#define ACCOUNT_HASH_MAX	128
#define ACCOUNT_PATTERN_MAX	128
#define ACCOUNT_NETWORKS_MAX	512
#define ACCOUNT_ADDR_MAX	21

/* Bind types, as a mask of what an account may do. */
#define BIND_TX		0x01
#define BIND_RX		0x02
#define BIND_TRX	0x04
#define BIND_ALL	(BIND_TX | BIND_RX | BIND_TRX)

#define MICRO		1000000LL	/* money: micro-units, exact */

struct account {
	int		 version;
	char		 system_id[SYSTEM_ID_LEN + 1];
	char		 hash[ACCOUNT_HASH_MAX];	/* crypt(3) */
	int		 enabled;
	int		 binds;				/* BIND_* mask */
	int		 max_bindings;			/* -1: unlimited */
	int		 throughput;			/* /s, 0: unlimited */
	int64_t		 rate;				/* per part, micro */
	char		 default_src[ACCOUNT_ADDR_MAX];
	char		 src_pattern[ACCOUNT_PATTERN_MAX];	/* ERE */
	char		 dst_pattern[ACCOUNT_PATTERN_MAX];
	char		 networks[ACCOUNT_NETWORKS_MAX];	/* CIDRs */
	uint32_t	 slot;				/* in the ledger */
};

/* Results of userdb_get() and friends. */
#define USERDB_OK	0
#define USERDB_NOTFOUND	1
#define USERDB_ERROR	(-1)	/* errno, or see userdb_error() */
#define USERDB_LOCKED	(-2)	/* a writer holds the database */
#define USERDB_VERSION_ERR (-3)	/* record of an unknown format version */

void	 account_defaults(struct account *, const char *);
int	 userdb_valid_system_id(const char *);
int	 userdb_get(const char *, const char *, struct account *);
int	 userdb_put(const char *, const struct account *, int);
int	 userdb_del(const char *, const char *);
int	 userdb_foreach(const char *, int (*)(const struct account *, void *),
	    void *);
const char *userdb_error(void);
int	 account_encode(const struct account *, char *, size_t);
int	 account_decode(const char *, size_t, struct account *);
int	 account_set_password(struct account *, const char *);
int	 account_check_password(const struct account *, const char *);
int	 account_network_allowed(const struct account *,
	    const struct sockaddr *);

#endif /* USERDB_H */
