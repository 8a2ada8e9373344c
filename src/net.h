/*
 * net.h - listening sockets, peer addresses, PROXY protocol headers
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>
#include <sys/socket.h>

#define NET_ADDRSTR_MAX	64	/* "[v6 address]:port" */

int	 net_listen(const char *, int, int, char *, size_t);
int	 net_nonblock(int, int);
int	 net_addr_str(const struct sockaddr *, char *, size_t);
int	 net_addr_ip(const struct sockaddr *, char *, size_t);
int	 net_peer(int, struct sockaddr_storage *, char *, size_t);
int	 net_connect(const char *, int, int, char *, size_t);
int	 proxy_header(int, int, struct sockaddr_storage *, const char **);

#endif /* NET_H */
