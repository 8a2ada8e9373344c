/*
 * msgid.c - message ids unique across restarts and servers
 *
 * SYNOPSIS
 *	msgid_init(server_id)		in each process, after fork: the
 *					pid is read there, not per id
 *	msgid_next(buf, len)
 *
 * DESCRIPTION
 *	An id is SERVERID-MMMMMMMMMMMPPPPPPCCCCCC: the [smpp-server] id
 *	(cut to 30 characters), the millisecond the process started
 *	numbering, its pid and a counter, all hex.  Two processes of one
 *	host never share a pid at the same moment, a pid is not reused
 *	within the millisecond its previous owner started numbering, and
 *	the server id keeps several hosts apart.  When the counter wraps,
 *	numbering restarts at a later millisecond.  At most 30 + 1 + 23 =
 *	54 characters, within the 64 of submit_sm_resp.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "compat.h"
#include "msgid.h"

#define COUNTER_MAX	0xffffffU

static char		 server[31] = "smppd";
static long long	 epoch;
static unsigned		 pid;
static unsigned		 counter;

static long long
now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void
msgid_init(const char *id)
{
	strlcpy(server, id, sizeof(server));
	epoch = now_ms();
	pid = (unsigned)getpid() & 0xffffffU;
	counter = 0;
}

int
msgid_next(char *buf, size_t len)
{
	long long	 now;
	int		 n;

	/* No getpid() here: it would be a system call per message. */
	if (epoch == 0)
		msgid_init(server);
	if (counter > COUNTER_MAX) {
		now = now_ms();
		epoch = now > epoch ? now : epoch + 1;
		counter = 0;
	}
	n = snprintf(buf, len, "%s-%011llx%06x%06x", server,
	    epoch & 0xfffffffffffLL, pid, counter++);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}
