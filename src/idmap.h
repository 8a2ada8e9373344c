/*
 * idmap.h - the map from an upstream SMSC's message ids to ours, so that
 * its receipts reach the account that submitted the message (GDBM)
 *
 * idmap_open() returns a handle the caller closes with idmap_close(), or
 * NULL with a message in err.  The others return 0, or -1 on a database
 * error (logged); idmap_get() returns 1 when nothing matches.  Entries
 * are copied in and out: nothing returned points into the database.
 * idmap_encode() writes the value's text into the caller's buffer and
 * returns its length, idmap_decode() parses it and returns 0; both -1
 * when it does not fit or does not parse.
 */
#ifndef IDMAP_H
#define IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "receipt.h"

struct idmap;

/* One upstream message_id: the message it stands for. */
struct idmap_entry {
	struct receipt_of of;		/* our id, account, addresses, ... */
	int64_t		 expires;	/* seconds: forgotten after this */
	uint8_t		 parts;		/* > 1: a part of a split message */
};

/* idmap_group_done() results */
#define IDMAP_GROUP_WAIT	0	/* other parts outstanding */
#define IDMAP_GROUP_DONE	1	/* this was the last part */
#define IDMAP_GROUP_GONE	2	/* no group: reported already */

struct idmap *idmap_open(const char *, char *, size_t);
void	 idmap_close(struct idmap *);
int	 idmap_put(struct idmap *, const char *, const struct idmap_entry *);
int	 idmap_get(struct idmap *, const char *, struct idmap_entry *, char *,
	    size_t);
int	 idmap_del(struct idmap *, const char *);
int	 idmap_group_put(struct idmap *, const char *, const char *, int,
	    int64_t);
int	 idmap_group_done(struct idmap *, const char *, const char *, int);
int	 idmap_sync(struct idmap *);
int	 idmap_expire(struct idmap *, int64_t, int);
int	 idmap_count(struct idmap *);
int	 idmap_encode(char *, size_t, const struct idmap_entry *);
int	 idmap_decode(const char *, size_t, struct idmap_entry *);

#endif /* IDMAP_H */
