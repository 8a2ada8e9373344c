/*
 * account.h - one account of the user database: its fields, its record
 * text, its password, and its network and address rules
 *
 * An account is a plain struct the caller owns; nothing here allocates
 * except account_pattern_compile(), whose regex_t the caller frees with
 * regfree(3).  account_decode() keeps a->system_id (the key): set it
 * first (account_defaults() does).  Empty src_pattern, dst_pattern and
 * networks mean any; a server compiles the patterns once per session
 * with account_pattern_compile().
 *
 * Errors: account_decode() returns ACCOUNT_OK, ACCOUNT_ERROR or
 * ACCOUNT_VERSION_ERR (a record of another format version);
 * account_encode() the length or -1 (too small); the other calls 0 or
 * -1.  After a failure account_error() says why in one line (the
 * buffer is static and overwritten by the next failure).  Predicates
 * (account_check_password, account_network_allowed,
 * account_pattern_match) return 1 for yes and 0 for no.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <sys/types.h>
#include <sys/socket.h>

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#define ACCOUNT_VERSION		1	/* format of the record text */
#define SYSTEM_ID_LEN		30	/* characters, without the NUL */
#define ACCOUNT_HASH_MAX	128
#define ACCOUNT_PATTERN_MAX	128
#define ACCOUNT_NETWORKS_MAX	512
#define ACCOUNT_ADDR_MAX	21
#define ACCOUNT_RECORD_MAX	2048	/* an encoded record fits */
#define ACCOUNT_NO_SLOT		UINT32_MAX
#define ACCOUNT_PASSWORD_MAX	30	/* octets, as a bind can carry */
#define ACCOUNT_ERR_MAX		512

/* Results of account_decode(). */
#define ACCOUNT_OK		0
#define ACCOUNT_ERROR		(-1)
#define ACCOUNT_VERSION_ERR	(-3)

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

/* Flags of account_field(). */
#define ACCOUNT_F_ADMIN	0x01	/* smppuser set and unset it */
#define ACCOUNT_F_EXPORT 0x02	/* in smppuser export lines */

void	 account_defaults(struct account *, const char *);
const char *account_error(void);
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

#endif /* ACCOUNT_H */
