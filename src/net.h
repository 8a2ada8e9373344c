/*
 * net.h - listening sockets, peer addresses, PROXY protocol headers
 *
 * Every call returns a descriptor or 0, or -1; those with an err buffer
 * say why in it, the others leave errno set.  Descriptors belong to the
 * caller.  net_addr_str() writes "1.2.3.4:2775" or "[::1]:2775" into
 * the caller's buffer (NET_ADDRSTR_MAX).  proxy_header() reads a PROXY
 * v1 or v2 header (untrusted bytes, every length checked) within the
 * timeout and puts the client address in *peer: 0, or -1 to close.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_ADDRSTR_MAX	64	/* "[v6 address]:port" */

int	 net_listen(const char *, int, int, char *, size_t);
int	 net_nonblock(int, int);
int	 net_addr_str(const struct sockaddr *, char *, size_t);
int	 net_peer(int, struct sockaddr_storage *, char *, size_t);
int	 net_connect(const char *, int, int, char *, size_t);
int	 proxy_header(int, int, struct sockaddr_storage *);

#endif /* NET_H */
