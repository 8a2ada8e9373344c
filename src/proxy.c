/*
 * proxy.c - the PROXY protocol header (HAProxy, versions 1 and 2) that a
 * load balancer puts before the client's first byte
 *
 * SYNOPSIS
 *	proxy_header(fd, timeout_ms, &ss, &why)
 *
 * DESCRIPTION
 *	A connection from an address on proxy_from must begin with a
 *	PROXY header; the client address it carries replaces the socket's
 *	peer for logs, limits, counters and the account's networks.  The
 *	header is read to its exact length (a v1 line octet by octet), so
 *	that no SMPP octet after it is lost, within timeout_ms, each wait
 *	one poll(2) that returns when more comes; a v2 length that cannot
 *	fit is refused at once.  A LOCAL (v2) or UNKNOWN (v1) header keeps
 *	the socket's peer (health checks).  Returns 0, or -1 with *why for
 *	a missing, malformed or late header: the caller closes the
 *	connection.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
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
 * Read exactly n octets before the deadline.  Each wait is one poll(2)
 * that returns when new octets came (or at the deadline), so a client
 * that sends half a header costs one wake-up per segment, not a spin.
 */
static int
readn(int fd, uint8_t *buf, size_t n, int64_t deadline)
{
	struct pollfd	 pfd;
	size_t		 got = 0;
	ssize_t		 k;
	int64_t		 left;

	while (got < n) {
		if ((left = deadline - clock_mono_ms()) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		k = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (k == 0)
			return -1;
		if (k == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)k;
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

/* "PROXY TCP4 src dst sport dport" (the CRLF already cut off) */
static int
parse_v1(char *line, struct sockaddr_storage *ss)
{
	char	*f[6], *save = NULL, *p;
	int	 i, family;

	for (i = 0, p = line; i < 6; i++, p = NULL)
		if ((f[i] = strtok_r(p, " ", &save)) == NULL)
			break;
	if (i < 2 || strcmp(f[0], "PROXY") != 0)
		return -1;
	if (strcmp(f[1], "UNKNOWN") == 0)
		return 0;
	if (i != 6)
		return -1;
	if (strcmp(f[1], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(f[1], "TCP6") == 0)
		family = AF_INET6;
	else
		return -1;
	return set_addr(ss, family, f[2], f[4]);
}

static int
parse_v2(const uint8_t *buf, size_t n, struct sockaddr_storage *ss)
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
		return 0;
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
	return 0;
}

/* The rest of a v1 line, one octet at a time: nothing after it is read. */
static int
read_v1(int fd, uint8_t *buf, size_t have, int64_t deadline,
    struct sockaddr_storage *ss, const char **why)
{
	char	 line[V1_MAX + 1];
	size_t	 n = have;

	while (n < 2 || buf[n - 2] != '\r' || buf[n - 1] != '\n') {
		if (n >= V1_MAX) {
			*why = "PROXY v1 line too long";
			return -1;
		}
		if (readn(fd, buf + n, 1, deadline) == -1) {
			*why = "PROXY header incomplete";
			return -1;
		}
		n++;
	}
	memcpy(line, buf, n - 2);
	line[n - 2] = '\0';
	*why = "malformed PROXY v1 header";
	return parse_v1(line, ss);
}

int
proxy_header(int fd, int timeout_ms, struct sockaddr_storage *ss,
    const char **why)
{
	uint8_t	 buf[V2_MAX];
	int64_t	 deadline = clock_mono_ms() + timeout_ms;
	size_t	 len;

	*why = "no PROXY header";
	if (readn(fd, buf, 8, deadline) == -1)
		return -1;
	if (memcmp(buf, "PROXY ", 6) == 0)
		return read_v1(fd, buf, 8, deadline, ss, why);
	if (memcmp(buf, V2_SIG, 8) != 0)
		return -1;
	*why = "PROXY header incomplete";
	if (readn(fd, buf + 8, 8, deadline) == -1)
		return -1;
	len = (size_t)buf[14] << 8 | buf[15];
	if (memcmp(buf, V2_SIG, V2_SIGLEN) != 0 || 16 + len > V2_MAX) {
		/* Refused at once: no point waiting for what cannot fit. */
		*why = "impossible PROXY v2 header";
		return -1;
	}
	if (readn(fd, buf + 16, len, deadline) == -1)
		return -1;
	*why = "malformed PROXY v2 header";
	return parse_v2(buf, 16 + len, ss);
}
