/*
 * rates.c - the rate card: prices of a part by destination and account
 *
 * SYNOPSIS
 *	rates_load(card, path, err, errlen)	rates_free(card)
 *	rates_find(card, account, dest, fallback, &price)
 *	rates_install(path, err, errlen)	rates_count()
 *	rates_price(account, dest, fallback, &price)
 *
 * DESCRIPTION
 *	One rule a line, blank-separated:
 *
 *	    PREFIX RATE			the price to destinations with PREFIX
 *	    PREFIX@ACCOUNT RATE		... for that account only
 *	    default RATE		when no prefix matches
 *
 *	and '#' begins a comment.  Prefixes and destinations are compared
 *	without a leading '+', as [mt-routes] does.  The longest matching
 *	prefix wins; of two rules with that prefix the account's own wins;
 *	with no match the default applies, and without a default the
 *	caller's fallback (the account's rate), named "account".  RATE is
 *	an exact decimal with up to six decimals, as balances are.
 *
 *	The rules are kept sorted by prefix then account, and a lookup
 *	binary-searches the destination's first L characters for each
 *	length L a prefix of the card has, longest first: a few dozen
 *	comparisons whatever the size of the card.
 *
 *	rates_install() replaces the current card only with a file that
 *	loads whole; an empty path installs an empty card (every price is
 *	then the account's rate).
 *
 * DIAGNOSTICS
 *	rates_load() and rates_install() return -1 with "file:line: why"
 *	(or "file: why") in err.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "ledger.h"
#include "rates.h"

static struct rates	 current;

static const char *
strip_plus(const char *s)
{
	return *s == '+' ? s + 1 : s;
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct rates_rule	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->prefix, y->prefix)) != 0)
		return c;
	return strcmp(x->account, y->account);
}

static int
prefix_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > RATES_PREFIX_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '@' || *s == '+')
			return 0;
	return 1;
}

static int
account_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > RATES_ACCOUNT_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

static int
add_rule(struct rates *c, size_t *cap, const struct rates_rule *r)
{
	struct rates_rule	*p;
	size_t			 ncap;

	if (c->n == *cap) {
		ncap = *cap ? *cap * 2 : 1024;
		if ((p = reallocarray(c->rule, ncap, sizeof(*p))) == NULL)
			return -1;
		c->rule = p;
		*cap = ncap;
	}
	c->rule[c->n++] = *r;
	c->lens |= 1U << strlen(r->prefix);
	return 0;
}

/* One line without its newline; 0, or -1 with the reason in why. */
static int
parse_line(struct rates *c, size_t *cap, char *s, unsigned line,
    const char **why)
{
	struct rates_rule	 r;
	char			*key, *val, *extra, *at;

	if ((key = strchr(s, '#')) != NULL)
		*key = '\0';
	key = strtok(s, " \t\r");
	if (key == NULL)
		return 0;
	val = strtok(NULL, " \t\r");
	extra = strtok(NULL, " \t\r");
	if (val == NULL || extra != NULL) {
		*why = "expected PREFIX[@ACCOUNT] RATE";
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.line = line;
	if (money_parse(val, &r.rate) == -1 || r.rate < 0 ||
	    r.rate > RATES_RATE_MAX) {
		*why = "rate is not an amount 0..1000000 with up to 6 "
		    "decimals";
		return -1;
	}
	if (strcmp(key, "default") == 0) {
		if (c->has_default) {
			*why = "a second default";
			return -1;
		}
		c->has_default = 1;
		c->def = r.rate;
		return 0;
	}
	if ((at = strchr(key, '@')) != NULL) {
		*at++ = '\0';
		if (!account_ok(at)) {
			*why = "bad account after '@'";
			return -1;
		}
		strlcpy(r.account, at, sizeof(r.account));
	}
	key = (char *)strip_plus(key);
	if (!prefix_ok(key)) {
		*why = "bad prefix (1 to 20 printable characters, no '@')";
		return -1;
	}
	strlcpy(r.prefix, key, sizeof(r.prefix));
	if (add_rule(c, cap, &r) == -1) {
		*why = strerror(errno);
		return -1;
	}
	return 0;
}

/* After sorting: two rules for one prefix and account are an error. */
static int
find_duplicate(const struct rates *c, const char *path, char *err,
    size_t errlen)
{
	size_t	 i;

	for (i = 1; i < c->n; i++)
		if (rule_cmp(&c->rule[i - 1], &c->rule[i]) == 0) {
			snprintf(err, errlen, "%s:%u: rule repeats line %u",
			    path, c->rule[i - 1].line > c->rule[i].line ?
			    c->rule[i - 1].line : c->rule[i].line,
			    c->rule[i - 1].line < c->rule[i].line ?
			    c->rule[i - 1].line : c->rule[i].line);
			return -1;
		}
	return 0;
}

int
rates_load(struct rates *c, const char *path, char *err, size_t errlen)
{
	FILE		*fp;
	char		 buf[256];
	const char	*why = NULL;
	size_t		 cap = 0, len;
	unsigned	 line = 0;
	int		 r = 0;

	memset(c, 0, sizeof(*c));
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (r == 0 && fgets(buf, sizeof(buf), fp) != NULL) {
		line++;
		len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		else if (!feof(fp)) {
			why = "line too long";
			r = -1;
			break;
		}
		r = parse_line(c, &cap, buf, line, &why);
	}
	if (r == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		r = -2;
	}
	fclose(fp);
	if (r == -1)
		snprintf(err, errlen, "%s:%u: %s", path, line, why);
	if (r == 0) {
		qsort(c->rule, c->n, sizeof(c->rule[0]), rule_cmp);
		r = find_duplicate(c, path, err, errlen);
	}
	if (r != 0) {
		rates_free(c);
		return -1;
	}
	return 0;
}

void
rates_free(struct rates *c)
{
	free(c->rule);
	memset(c, 0, sizeof(*c));
}

static const struct rates_rule *
search(const struct rates *c, const char *prefix, const char *account)
{
	struct rates_rule	 key;

	memcpy(key.prefix, prefix, sizeof(key.prefix));
	strlcpy(key.account, account, sizeof(key.account));
	return bsearch(&key, c->rule, c->n, sizeof(c->rule[0]), rule_cmp);
}

static void
found(struct rates_price *p, const struct rates_rule *r)
{
	p->rate = r->rate;
	if (r->account[0] != '\0')
		snprintf(p->rule, sizeof(p->rule), "%s@%s", r->prefix,
		    r->account);
	else
		strlcpy(p->rule, r->prefix, sizeof(p->rule));
}

void
rates_find(const struct rates *c, const char *account, const char *dest,
    int64_t fallback, struct rates_price *p)
{
	const struct rates_rule	*r;
	char			 prefix[RATES_PREFIX_MAX + 1];
	size_t			 len;

	dest = strip_plus(dest != NULL ? dest : "");
	len = strnlen(dest, RATES_PREFIX_MAX);
	memset(prefix, 0, sizeof(prefix));
	memcpy(prefix, dest, len);
	for (; len > 0 && c->n > 0; len--) {
		if (!(c->lens & (1U << len)))
			continue;
		prefix[len] = '\0';
		if ((r = search(c, prefix, account)) != NULL ||
		    (r = search(c, prefix, "")) != NULL) {
			found(p, r);
			return;
		}
	}
	if (c->has_default) {
		p->rate = c->def;
		strlcpy(p->rule, "default", sizeof(p->rule));
		return;
	}
	p->rate = fallback;
	strlcpy(p->rule, "account", sizeof(p->rule));
}

int
rates_install(const char *path, char *err, size_t errlen)
{
	struct rates	 c;

	if (path == NULL || path[0] == '\0')
		memset(&c, 0, sizeof(c));
	else if (rates_load(&c, path, err, errlen) == -1)
		return -1;
	rates_free(&current);
	current = c;
	return 0;
}

void
rates_price(const char *account, const char *dest, int64_t fallback,
    struct rates_price *p)
{
	rates_find(&current, account, dest, fallback, p);
}

size_t
rates_count(void)
{
	return current.n + (current.has_default ? 1 : 0);
}
