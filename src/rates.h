/*
 * rates.h - the rate card: the price of one part by destination prefix
 * and account, from the file [userdb] rates names
 *
 * A card is a sorted table of rules (prefix, account, rate); a lookup
 * is a binary search per prefix length present in the card, so that a
 * card of 100,000 rules costs a microsecond or two per submit_sm.  The
 * card smppd charges by is loaded in the master, before the children
 * are forked, so that they share it copy-on-write.
 *
 * rates_install() loads a card and, only when the whole file is good,
 * makes it the current one that rates_price() answers from; a broken
 * file keeps the old card and the error says file:line.
 */
#ifndef RATES_H
#define RATES_H

#include <stddef.h>
#include <stdint.h>

#define RATES_PREFIX_MAX	20	/* characters: a destination_addr */
#define RATES_ACCOUNT_MAX	30	/* a system_id */
#define RATES_RULE_MAX		64	/* "PREFIX@ACCOUNT", "default" */
#define RATES_RATE_MAX		(1000000LL * 1000000)	/* micro: 1e6 */

struct rates_rule {
	char		 prefix[RATES_PREFIX_MAX + 1];	/* without '+' */
	char		 account[RATES_ACCOUNT_MAX + 1];	/* "": all */
	int64_t		 rate;		/* micro-units per part */
	unsigned	 line;
};

struct rates {
	struct rates_rule	*rule;		/* sorted: prefix, account */
	size_t			 n;
	uint32_t		 lens;		/* bit L: a prefix of L chars */
	int			 has_default;
	int64_t			 def;
};

/* Where a price came from (rates_find()). */
struct rates_price {
	int64_t		 rate;
	char		 rule[RATES_RULE_MAX];	/* as the card writes it */
};

int	 rates_load(struct rates *, const char *, char *, size_t);
void	 rates_free(struct rates *);
void	 rates_find(const struct rates *, const char *, const char *,
	    int64_t, struct rates_price *);
int	 rates_install(const char *, char *, size_t);
void	 rates_price(const char *, const char *, int64_t,
	    struct rates_price *);
size_t	 rates_count(void);

#endif /* RATES_H */
