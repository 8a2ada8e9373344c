/*
 * userdb.h - the accounts that bind to smppd, in a GDBM database
 *
 * One record per system_id (the key): a versioned text value holding
 * the crypt(3) password hash and the account's rights and limits
 * (account.h encodes and decodes it).  The live counters (balance,
 * submit_sm_count quota, throughput bucket) are not here but in the
 * ledger (ledger.h), at the record's slot.
 *
 * Every call opens the database, does its one thing and closes it: a
 * reader for userdb_get() and userdb_foreach(), a writer for the others.
 * A database held by a writer is retried for about a second, then the
 * answer is USERDB_LOCKED.  The caller owns every struct account passed
 * in or out; nothing returned needs freeing.
 *
 * userdb_valid_system_id() returns 1 for yes and 0 for no.  The other
 * calls return USERDB_OK, USERDB_NOTFOUND (no such account, or an
 * invalid system_id), USERDB_EXISTS, or a negative USERDB_* with
 * userdb_error() set (a static buffer, overwritten by the next failure).
 */
#ifndef USERDB_H
#define USERDB_H

#include "account.h"
#include "conf.h"

#define USERDB_PATH_DEFAULT	LOCALSTATEDIR "/lib/smppd/users.db"
#define USERDB_VERSION		ACCOUNT_VERSION
#define USERDB_PASSWORD_MAX	ACCOUNT_PASSWORD_MAX
#define USERDB_ERR_MAX		512

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

#endif /* USERDB_H */
