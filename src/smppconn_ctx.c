/*
 * smppconn_ctx.c - smppconn's loop state: the one smppconn_ctx, the
 * poll table of the turn, the connectors by name and the id map
 *
 * SYNOPSIS
 *	smppconn_ctx			the state every part of smppconn shares
 *	smppconn_ctx_poll_reset()	smppconn_ctx_poll_add(fd, events, fn, arg)
 *	smppconn_ctx_poll(timeout)	smppconn_ctx_find(name)
 *	smppconn_ctx_idmap()
 *
 * DESCRIPTION
 *	smppconn is one process with one loop (smppconn.c); its parts
 *	(smppconn_mt.c, the connectors...) share the state of the turn:
 *	the configuration, the clocks read once per turn, the queues of
 *	jobs and finished items, the connectors and the upstream id map.
 *	It lives here, apart from start-up and option parsing, as
 *	OpenSMTPD keeps its env apart from main.
 *
 *	Each turn the loop empties the poll table, every part adds the
 *	descriptors it waits on with a callback, and smppconn_ctx_poll()
 *	waits, stamps the turn's clocks and calls back the ready ones.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "idmap.h"
#include "log.h"
#include "smppconn.h"

#define POLL_MAX	4096

struct smppconn_ctx	 smppconn_ctx;

static struct pollfd	 pfd[POLL_MAX];
static struct {
	smppconn_io_fn	 fn;
	void		*arg;
}			 pcb[POLL_MAX];
static int		 npfd;

void
smppconn_ctx_poll_reset(void)
{
	npfd = 0;
}

void
smppconn_ctx_poll_add(int fd, short events, smppconn_io_fn fn, void *arg)
{
	if (npfd == POLL_MAX) {
		log_warnx("more than %d descriptors to watch", POLL_MAX);
		return;
	}
	pfd[npfd].fd = fd;
	pfd[npfd].events = events;
	pfd[npfd].revents = 0;
	pcb[npfd].fn = fn;
	pcb[npfd].arg = arg;
	npfd++;
}

/* Wait at most timeout ms, stamp the turn's clocks, run the callbacks. */
void
smppconn_ctx_poll(int timeout)
{
	int	 i, n;

	n = poll(pfd, (nfds_t)npfd, timeout);
	if (n == -1 && errno != EINTR)
		fatal("poll");
	smppconn_ctx.now = clock_mono_us();
	smppconn_ctx.wall = time(NULL);
	for (i = 0; n > 0 && i < npfd; i++)
		if (pfd[i].revents != 0)
			pcb[i].fn(pcb[i].arg, pfd[i].revents);
}

struct connector *
smppconn_ctx_find(const char *name)
{
	int	 i;

	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (!smppconn_ctx.conns[i]->gone &&
		    strcmp(smppconn_ctx.conns[i]->name, name) == 0)
			return smppconn_ctx.conns[i];
	return NULL;
}

/* The id map, opened when first needed (an smpp connector). */
struct idmap *
smppconn_ctx_idmap(void)
{
	char	 err[512];

	if (smppconn_ctx.idmap == NULL &&
	    (smppconn_ctx.idmap = idmap_open(smppconn_ctx.conf->conn.idmap, err,
	    sizeof(err))) == NULL)
		log_errorx("idmap: %s", err);
	return smppconn_ctx.idmap;
}
