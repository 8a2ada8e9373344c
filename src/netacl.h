/*
 * netacl.h - lists of client networks: "10.0.0.0/8, 192.0.2.7, 2001:db8::/32"
 *
 * A list is comma-separated; an entry is an IPv4 or IPv6 address with
 * an optional prefix length (without one: the host alone).  An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d), as a peer or in an entry
 * with a prefix of 96 bits or more, counts as the IPv4 address.
 */
#ifndef NETACL_H
#define NETACL_H

#include <stddef.h>
#include <sys/socket.h>

#define NETACL_ENTRY_MAX	64	/* characters of one entry */

int	 netacl_check(const char *, char *, size_t);
int	 netacl_match(const char *, const struct sockaddr *);

#endif /* NETACL_H */
