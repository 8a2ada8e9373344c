/*
 * netacl.c - lists of client networks, IPv4 and IPv6
 *
 * SYNOPSIS
 *	netacl_check(list, err, errlen)		0, or -1 and why in err
 *	netacl_match(list, peer)		1: the peer is in the list
 *
 * DESCRIPTION
 *	A list is entries separated by commas, with optional blanks around
 *	them: "10.0.0.0/8, 192.0.2.7, 2001:db8::/32".  An entry is an
 *	address in inet_pton(3) form with an optional /BITS (0..32 for
 *	IPv4, 0..128 for IPv6); host bits below the prefix are ignored.
 *
 *	A peer on an IPv6 socket that is really an IPv4 client shows as
 *	::ffff:a.b.c.d; it is compared as a.b.c.d, so that the IPv4 rules
 *	an admin writes also hold on a dual-stack listener.  For the same
 *	reason an entry ::ffff:a.b.c.d/N with N >= 96 is the IPv4 entry
 *	a.b.c.d/(N-96).
 *
 *	netacl_match() returns 0 for a peer that is neither IPv4 nor IPv6
 *	(a Unix socket) and for a list that does not parse: a bad list
 *	denies, it never allows.
 */
#include "config.h"

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "netacl.h"

struct netacl_net {
	int	 af;		/* AF_INET or AF_INET6 */
	uint8_t	 addr[16];	/* 4 or 16 octets used */
	int	 bits;
};

static const uint8_t	 v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* An IPv4-mapped IPv6 address with at least the mapped prefix -> IPv4. */
static void
netacl_unmap(struct netacl_net *n)
{
	if (n->af != AF_INET6 || n->bits < 96 ||
	    memcmp(n->addr, v4mapped, sizeof(v4mapped)) != 0)
		return;
	memmove(n->addr, n->addr + 12, 4);
	n->af = AF_INET;
	n->bits -= 96;
}

static int
netacl_bits(const char *s, int max, int *bits)
{
	const char	*errstr;

	if (*s < '0' || *s > '9')
		return -1;
	*bits = (int)strtonum(s, 0, max, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* Parse one entry of len characters. */
static int
netacl_parse(const char *s, size_t len, struct netacl_net *n, char *err,
    size_t errlen)
{
	char	 entry[NETACL_ENTRY_MAX + 1], *slash;
	int	 max;

	if (len == 0) {
		snprintf(err, errlen, "empty entry in the network list");
		return -1;
	}
	if (len > NETACL_ENTRY_MAX) {
		snprintf(err, errlen, "network entry longer than %d characters",
		    NETACL_ENTRY_MAX);
		return -1;
	}
	memcpy(entry, s, len);
	entry[len] = '\0';
	if ((slash = strchr(entry, '/')) != NULL)
		*slash = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, entry, n->addr) == 1) {
		n->af = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, entry, n->addr) == 1) {
		n->af = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 address",
		    entry);
		return -1;
	}
	n->bits = max;
	if (slash != NULL && netacl_bits(slash + 1, max, &n->bits) == -1) {
		snprintf(err, errlen, "\"%s\": prefix length \"%s\" is not "
		    "0..%d", entry, slash + 1, max);
		return -1;
	}
	netacl_unmap(n);
	return 0;
}

static int
netacl_contains(const struct netacl_net *net, const struct netacl_net *peer)
{
	int	 full = net->bits / 8, rest = net->bits % 8;
	uint8_t	 mask;

	if (net->af != peer->af)
		return 0;
	if (memcmp(net->addr, peer->addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((net->addr[full] ^ peer->addr[full]) & mask) == 0;
}

/*
 * Walk the list, calling fn on each parsed entry; stop at the first
 * nonzero result and return it.  -1 when an entry does not parse.
 */
static int
netacl_walk(const char *list, char *err, size_t errlen,
    int (*fn)(const struct netacl_net *, const void *), const void *arg)
{
	struct netacl_net	 n;
	const char		*p = list, *end;
	size_t			 len;
	int			 r;

	for (;;) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (netacl_parse(p, len, &n, err, errlen) == -1)
			return -1;
		if (fn != NULL && (r = fn(&n, arg)) != 0)
			return r;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

int
netacl_check(const char *list, char *err, size_t errlen)
{
	return netacl_walk(list, err, errlen, NULL, NULL);
}

static int
netacl_match_one(const struct netacl_net *net, const void *peer)
{
	return netacl_contains(net, peer);
}

int
netacl_match(const char *list, const struct sockaddr *sa)
{
	struct netacl_net	 peer;
	char			 err[128];

	memset(&peer, 0, sizeof(peer));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		peer.af = AF_INET;
		peer.bits = 32;
		memcpy(peer.addr, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		peer.af = AF_INET6;
		peer.bits = 128;
		memcpy(peer.addr, &sin6->sin6_addr, 16);
		netacl_unmap(&peer);
	} else
		return 0;
	if (netacl_check(list, err, sizeof(err)) == -1)
		return 0;
	return netacl_walk(list, err, sizeof(err), netacl_match_one,
	    &peer) == 1;
}
