/*
 * smppuser.h - smppuser(8)'s private header: what its files share
 *
 * smppuser.c holds the commands, smppuser_pass.c the password input,
 * smppuser_io.c the export/import format and the figures as text.
 * Lists (struct items) are malloc'd and the caller frees list.v.
 * Functions here print their own message and exit on failure (err(3)
 * with a sysexits(3) code), as a command line tool may.
 */
#ifndef SMPPUSER_H
#define SMPPUSER_H

#include <stddef.h>
#include <stdint.h>

#include "userdb.h"

#define EXPORT_HEADER	"# smppuser export format"
#define EXPORT_VERSION	1
#define LINE_MAX_LEN	4096
#define MONEY_LEN	32

/* An account with the figures of its ledger slot. */
struct item {
	struct account	 a;
	int64_t		 balance;
	int64_t		 count;
	uint64_t	 charged;
	int		 known;		/* the ledger figures were read */
	int		 fresh;		/* import: slot claimed by this run */
};

struct items {
	struct item	*v;
	size_t		 n;
	size_t		 cap;
};

/* What set, add and import change in the ledger. */
struct figures {
	int64_t		 balance;	/* LEDGER_KEEP: unchanged */
	int64_t		 count;
};

#define PASSWORD_BUF	256	/* a line of input, longer than any password */

/* smppuser_io.c */
const char *smppuser_io_money(char *, size_t, int64_t);
const char *smppuser_io_count(char *, size_t, int64_t);
int	 smppuser_io_figure(const char *, const char *, struct figures *,
	    char *, size_t);
int	 smppuser_io_field_flags(const char *);
int	 smppuser_io_is_figure(const char *);
int	 smppuser_io_item_cmp(const void *, const void *);
int	 smppuser_io_add(const struct account *, void *);
void	 smppuser_io_export(const struct item *);
void	 smppuser_io_import(const char *, struct items *);
struct item *smppuser_io_find(struct items *, const char *);

/* smppuser_pass.c */
void	 smppuser_pass_read(const char *, int, char *, size_t);

#endif /* SMPPUSER_H */
