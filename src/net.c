/*
 * net.c - listening sockets, peer addresses, outbound connections
 *
 * SYNOPSIS
 *	net_listen(host, port, backlog, err, errlen)
 *	net_peer(fd, &ss, str, len)	net_addr_str(sa, str, len)
 *	net_connect(host, port, timeout_ms, err, errlen)
 *
 * DESCRIPTION
 *	Listeners are non-blocking, close-on-exec and SO_REUSEADDR; an
 *	IPv6 listener is IPV6_V6ONLY, so that "0.0.0.0" and "::" can be
 *	listed side by side in bind.  Addresses print as "1.2.3.4:2775" or
 *	"[::1]:2775".
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "net.h"

int
net_nonblock(int fd, int on)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

int
net_listen(const char *host, int port, int backlog, char *err, size_t errlen)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 slen;
	int			 fd, on = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		slen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		slen = sizeof(*sin6);
	} else {
		snprintf(err, errlen, "bad listen address %s", host);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, slen) == -1 ||
	    listen(fd, backlog) == -1) {
		snprintf(err, errlen, "listen on %s port %d: %s", host, port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The address alone, "1.2.3.4" or "::1"; IPv4-mapped IPv6 as IPv4. */
static int
net_addr_ip(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6	*sin6 = (const void *)sa;
	const struct sockaddr_in	*sin = (const void *)sa;

	if (sa->sa_family == AF_INET) {
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, len) == NULL)
			return -1;
	} else if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			if (inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12],
			    buf, len) == NULL)
				return -1;
		} else if (inet_ntop(AF_INET6, &sin6->sin6_addr, buf, len) ==
		    NULL)
			return -1;
	} else {
		strlcpy(buf, sa->sa_family == AF_UNIX ? "local" : "?", len);
	}
	return 0;
}

int
net_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char	 ip[INET6_ADDRSTRLEN];
	int	 port = 0, n;

	if (net_addr_ip(sa, ip, sizeof(ip)) == -1)
		return -1;
	if (sa->sa_family == AF_INET)
		port = ntohs(((const struct sockaddr_in *)(const void *)sa)->
		    sin_port);
	else if (sa->sa_family == AF_INET6)
		port = ntohs(((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_port);
	else
		return strlcpy(buf, ip, len) < len ? 0 : -1;
	if (strchr(ip, ':') != NULL)
		n = snprintf(buf, len, "[%s]:%d", ip, port);
	else
		n = snprintf(buf, len, "%s:%d", ip, port);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/* The peer of a connected socket; "local" for a pipe or unix socket. */
int
net_peer(int fd, struct sockaddr_storage *ss, char *buf, size_t len)
{
	socklen_t	 slen = sizeof(*ss);

	memset(ss, 0, sizeof(*ss));
	if (getpeername(fd, (struct sockaddr *)ss, &slen) == -1) {
		ss->ss_family = AF_UNIX;
		strlcpy(buf, "local", len);
		return -1;
	}
	if (net_addr_str((struct sockaddr *)ss, buf, len) == -1)
		strlcpy(buf, "?", len);
	return 0;
}

/*
 * Connect to host:port within timeout_ms; returns a blocking socket
 * with TCP_NODELAY, or -1 with a message in err.
 */
int
net_connect(const char *host, int port, int timeout_ms, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	struct pollfd	 pfd;
	char		 serv[16];
	socklen_t	 slen;
	int		 fd = -1, rc, soerr, on = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			slen = sizeof(soerr);
			soerr = ETIMEDOUT;
			if (poll(&pfd, 1, timeout_ms) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
			    &slen) == 0 && soerr == 0)
				break;
			errno = soerr;
		}
		snprintf(err, errlen, "connect to %s port %d: %s", host, port,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	net_nonblock(fd, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	return fd;
}
