/*
 * userdb.h - the accounts that bind to smppd, in a GDBM database
 *
 * One record per system_id (the key): a versioned text value holding
 * the crypt(3) password hash and the account's rights and limits.  The
 * live counters (balance, submit_sm_count quota, throughput bucket) are
 * not here but in the ledger (ledger.h), at the record's slot.
 *
 * Every call opens the database, does its one thing and closes it: a
 * reader for userdb_get() and userdb_foreach(), a writer for the others.
 * A database held by a writer is retried for about a second, then the
 * answer is USERDB_LOCKED.
 *
 * Predicates (userdb_valid_system_id, account_check_password,
 * account_network_allowed, account_pattern_match) return 1 for yes and
 * 0 for no.  The userdb_* calls return USERDB_OK, USERDB_NOTFOUND (no
 * such account, or an invalid system_id), USERDB_EXISTS, or a negative
 * USERDB_* with userdb_error() set; account_* calls 0 or -1.
 *
 * account_decode() keeps a->system_id (the key): set it first.  Empty
 * src_pattern, dst_pattern and networks mean any; a server compiles the
 * patterns once per session with account_pattern_compile().
 */
#ifndef USERDB_H
#define USERDB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define USERDB_PATH_DEFAULT	LOCALSTATEDIR "/lib/smppd/users.db"
#define USERDB_VERSION		1
#define SYSTEM_ID_LEN		30	/* characters, without the NUL */
#define ACCOUNT_HASH_MAX	128
#define ACCOUNT_PATTERN_MAX	128
#define ACCOUNT_NETWORKS_MAX	512
#define ACCOUNT_ADDR_MAX	21
#define ACCOUNT_RECORD_MAX	2048	/* an encoded record fits */
#define ACCOUNT_NO_SLOT		UINT32_MAX
#define USERDB_PASSWORD_MAX	30	/* octets, as a bind can carry */
#define USERDB_ERR_MAX		512

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
	int		 early_percent;	/* 1-100 at submit; 0: all */
	int		 refund;			/* ACCOUNT_REFUND_* */
	char		 default_src[ACCOUNT_ADDR_MAX];
	char		 src_pattern[ACCOUNT_PATTERN_MAX];	/* ERE */
	char		 dst_pattern[ACCOUNT_PATTERN_MAX];
	char		 networks[ACCOUNT_NETWORKS_MAX];	/* CIDRs */
	uint32_t	 slot;				/* in the ledger */
};

/* When a charge comes back (refund=). */
#define ACCOUNT_REFUND_NEVER		0
#define ACCOUNT_REFUND_REJECTED		1	/* not handed upstream */
#define ACCOUNT_REFUND_UNDELIVERED	2	/* also a failed receipt */

/* Results of userdb_get() and friends. */
#define USERDB_OK	0
#define USERDB_NOTFOUND	1
#define USERDB_ERROR	(-1)	/* errno, or see userdb_error() */
#define USERDB_LOCKED	(-2)	/* a writer holds the database */
#define USERDB_VERSION_ERR (-3)	/* record of an unknown format version */
#define USERDB_EXISTS	2	/* userdb_put(USERDB_INSERT) of a known id */

/* userdb_put() modes. */
#define USERDB_INSERT	0	/* a new account; creates the database */
#define USERDB_REPLACE	1	/* an existing or a new account */

/* Flags of account_field(). */
#define ACCOUNT_F_ADMIN	0x01	/* smppuser set and unset it */
#define ACCOUNT_F_EXPORT 0x02	/* in smppuser export lines */

void	 account_defaults(struct account *, const char *);
int	 userdb_valid_system_id(const char *);
int	 userdb_get(const char *, const char *, struct account *);
int	 userdb_put(const char *, const struct account *, int);
int	 userdb_del(const char *, const char *);
int	 userdb_foreach(const char *, int (*)(const struct account *, void *),
	    void *);
int	 userdb_update(const char *, const char *,
	    int (*)(struct account *, void *), void *);
int	 userdb_replace_all(const char *, const struct account *, size_t);
const char *userdb_error(void);
void	 userdb_seterr(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	 account_encode(const struct account *, char *, size_t);
int	 account_decode(const char *, size_t, struct account *);
int	 account_set_password(struct account *, const char *);
int	 account_check_password(const struct account *, const char *);
int	 account_network_allowed(const struct account *,
	    const struct sockaddr *);
const char *account_field(int, int *);
int	 account_field_set(struct account *, const char *, const char *,
	    char *, size_t);
int	 account_field_unset(struct account *, const char *);
int	 account_field_get(const struct account *, const char *, char *,
	    size_t);
int	 account_binds_parse(const char *, int *);
const char *account_binds_name(int, char *, size_t);
int	 account_pattern_compile(regex_t *, const char *, char *, size_t);
int	 account_pattern_match(const regex_t *, const char *);
const char *account_refund_name(int);
int	 account_refund_parse(const char *);

#endif /* USERDB_H */
