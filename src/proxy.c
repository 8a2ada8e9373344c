/*
 * proxy.c - the PROXY protocol header (HAProxy, versions 1 and 2) that a
 * load balancer puts before the client's first byte
 *
 * SYNOPSIS
 *	proxy_header(fd, timeout_ms, &ss)
 *
 * DESCRIPTION
 *	With proxy_protocol = yes, the first bytes of every connection
 *	must be a PROXY header; the client address it carries replaces the
 *	socket's peer for logs, counters and the account's networks.  The
 *	header is peeked at first and then consumed to its exact length,
 *	so that no SMPP octet after it is lost.  A LOCAL (v2) or UNKNOWN
 *	(v1) header keeps the socket's peer (health checks).  Returns 0,
 *	or -1 for a missing, malformed or late header: the caller closes
 *	the connection.  timeout_ms bounds the wait for the whole header.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "net.h"

#define V1_MAX		107
#define V2_SIG		"\r\n\r\n\0\r\nQUIT\n"
#define V2_SIGLEN	12
#define V2_MAX		(16 + 216)

/*
 * Peek until at least want octets are there, the peer closes, or the
 * deadline passes.  While part of the header is there poll(2) would
 * return at once, so the wait for the rest is in steps of a millisecond;
 * a load balancer sends the header in one segment, so this is rare.
 * One deadline for the whole header: a client that sends it an octet
 * at a time must not get the timeout again for each octet.
 */
static ssize_t
peek(int fd, uint8_t *buf, size_t want, size_t cap, int64_t deadline)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int64_t		 left;

	for (;;) {
		n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n == 0 || (n > 0 && (size_t)n >= want))
			return n;
		if ((left = deadline - clock_mono_ms()) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (n == -1) {
			if (poll(&pfd, 1, (int)left) <= 0)
				return -1;
		} else
			(void)poll(NULL, 0, 1);
	}
}

static int
consume(int fd, size_t len)
{
	uint8_t	 junk[V2_MAX];
	ssize_t	 n;

	while (len > 0) {
		n = recv(fd, junk, len < sizeof(junk) ? len : sizeof(junk), 0);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return -1;
		}
		len -= n;
	}
	return 0;
}

static int
set_addr(struct sockaddr_storage *ss, int family, const char *ip,
    const char *port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*errstr;
	long long		 p;

	p = strtonum(port, 0, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)p);
	return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/* "PROXY TCP4 src dst sport dport\r\n" */
static int
parse_v1(int fd, const uint8_t *buf, size_t n, struct sockaddr_storage *ss)
{
	char	 line[V1_MAX + 1], *f[6], *save = NULL, *p;
	size_t	 len;
	int	 i, family;

	for (len = 0; len + 1 < n && len < V1_MAX; len++)
		if (buf[len] == '\r' && buf[len + 1] == '\n')
			break;
	if (len + 1 >= n || len >= V1_MAX)
		return -1;
	memcpy(line, buf, len);
	line[len] = '\0';
	for (i = 0, p = line; i < 6; i++, p = NULL)
		if ((f[i] = strtok_r(p, " ", &save)) == NULL)
			break;
	if (i < 2 || strcmp(f[0], "PROXY") != 0)
		return -1;
	if (strcmp(f[1], "UNKNOWN") == 0)
		return consume(fd, len + 2);
	if (i != 6)
		return -1;
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return -1;
	if (set_addr(ss, family, f[2], f[4]) == -1)
		return -1;
	return consume(fd, len + 2);
}

static int
parse_v2(int fd, const uint8_t *buf, size_t n, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	size_t			 len;
	uint8_t			 ver_cmd, fam;

	if (n < 16)
		return -1;
	ver_cmd = buf[12];
	fam = buf[13];
	len = (size_t)buf[14] << 8 | buf[15];
	if ((ver_cmd & 0xf0) != 0x20 || 16 + len > V2_MAX || n < 16 + len)
		return -1;
	if ((ver_cmd & 0x0f) == 0x00)		/* LOCAL */
		return consume(fd, 16 + len);
	if ((ver_cmd & 0x0f) != 0x01)
		return -1;
	if (fam == 0x11 && len >= 12) {		/* TCP over IPv4 */
		memset(ss, 0, sizeof(*ss));
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, buf + 16, 4);
		memcpy(&sin->sin_port, buf + 24, 2);
	} else if (fam == 0x21 && len >= 36) {	/* TCP over IPv6 */
		memset(ss, 0, sizeof(*ss));
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, buf + 16, 16);
		memcpy(&sin6->sin6_port, buf + 48, 2);
	} else if (fam != 0x00)
		return -1;
	return consume(fd, 16 + len);
}

int
proxy_header(int fd, int timeout_ms, struct sockaddr_storage *ss)
{
	uint8_t	 buf[V2_MAX];
	ssize_t	 n;
	size_t	 len;
	int64_t	 deadline = clock_mono_ms() + timeout_ms;

	if ((n = peek(fd, buf, 16, sizeof(buf), deadline)) < 8)
		return -1;
	if ((size_t)n >= V2_SIGLEN && memcmp(buf, V2_SIG, V2_SIGLEN) == 0) {
		if (n < 16)
			return -1;
		/* Longer than we take: refuse now, not at the deadline. */
		if ((len = 16 + ((size_t)buf[14] << 8 | buf[15])) > V2_MAX)
			return -1;
		n = peek(fd, buf, len, sizeof(buf), deadline);
		return n < 0 ? -1 : parse_v2(fd, buf, (size_t)n, ss);
	}
	if (memcmp(buf, "PROXY ", 6) != 0)
		return -1;
	/* v1: peek until the CRLF shows up (at most 107 octets). */
	for (;;) {
		if (memmem(buf, (size_t)n, "\r\n", 2) != NULL || n >= V1_MAX)
			break;
		if ((n = peek(fd, buf, (size_t)n + 1, V1_MAX, deadline)) < 0)
			return -1;
	}
	return parse_v1(fd, buf, (size_t)n, ss);
}
