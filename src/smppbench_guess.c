/*
 * smppbench_guess.c - smppbench --guess: one client address guessing
 * passwords as fast as it can, for the bind flood benchmark
 *
 * SYNOPSIS
 *	smppbench_guess(opts, &result)
 *
 * DESCRIPTION
 *	A guesser that does not care for answers: connect (from the local
 *	address --from, so that the flood has an address of its own on
 *	loopback), write GUESS_PIPELINE bind_transmitter PDUs at once with
 *	a wrong password, read whatever comes until the server closes or
 *	every bind was answered, close, again, until the time is up.  A
 *	connection closed before any answer was refused at accept (the
 *	per-address limits); an answered bind was a guess the server
 *	looked at.  Blocking, one connection at a time: on loopback that
 *	is as fast as one address can go.
 */
#include "config.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "clock.h"
#include "pdu.h"
#include "smppbench_guess.h"

#define GUESS_PIPELINE	10
#define GUESS_WAIT_MS	2000

static int
guess_connect(const struct smppbench_guess_opts *o)
{
	struct sockaddr_in	 sin;
	int			 fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(EX_OSERR, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (o->from != NULL) {
		if (inet_pton(AF_INET, o->from, &sin.sin_addr) != 1)
			errx(EX_USAGE, "--from %s: not an IPv4 address",
			    o->from);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			err(EX_OSERR, "bind %s", o->from);
	}
	sin.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->host, &sin.sin_addr) != 1)
		errx(EX_USAGE, "-h %s: --guess needs an IPv4 address", o->host);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The binds, encoded once. */
static size_t
guess_binds(const struct smppbench_guess_opts *o, uint8_t *buf, size_t cap)
{
	struct pdu	 p;
	size_t		 len = 0;
	int		 i, n;

	for (i = 0; i < GUESS_PIPELINE; i++) {
		pdu_init(&p, SMPP_BIND_TRANSMITTER, (uint32_t)i + 1);
		p.system_id = o->user;
		p.password = o->password;
		p.interface_version = 0x34;
		if ((n = pdu_encode(&p, buf + len, cap - len)) < 0)
			errx(EX_SOFTWARE, "cannot encode a bind");
		len += (size_t)n;
	}
	return len;
}

/* Read until EOF or every bind answered; the answers counted. */
static int
guess_answers(int fd)
{
	uint8_t		 buf[4096];
	struct pollfd	 pfd;
	size_t		 have = 0, len;
	ssize_t		 n;
	int		 answers = 0;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (answers < GUESS_PIPELINE) {
		if (poll(&pfd, 1, GUESS_WAIT_MS) <= 0)
			break;
		if ((n = read(fd, buf + have, sizeof(buf) - have)) <= 0)
			break;
		have += (size_t)n;
		for (;;) {
			if (have < 16)
				break;
			len = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 |
			    (size_t)buf[2] << 8 | buf[3];
			if (len < 16 || len > have)
				break;
			answers++;
			memmove(buf, buf + len, have - len);
			have -= len;
		}
		if (have == sizeof(buf))
			break;
	}
	return answers;
}

void
smppbench_guess(const struct smppbench_guess_opts *o,
    struct smppbench_guess_result *r)
{
	uint8_t		 binds[GUESS_PIPELINE * 128];
	size_t		 len = guess_binds(o, binds, sizeof(binds));
	long long	 end;
	int		 fd, a;

	memset(r, 0, sizeof(*r));
	r->t0 = clock_mono_us();
	end = r->t0 + o->duration;
	while (clock_mono_us() < end) {
		if ((fd = guess_connect(o)) == -1) {
			r->failed++;
			continue;
		}
		r->connections++;
		if (write(fd, binds, len) == (ssize_t)len)
			r->sent += GUESS_PIPELINE;
		a = guess_answers(fd);
		r->answered += (unsigned long long)a;
		if (a == 0)
			r->refused++;
		close(fd);
	}
	r->t1 = clock_mono_us();
}
