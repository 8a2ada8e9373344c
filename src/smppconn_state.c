/*
 * smppconn_state.c - the connectors' state for the operator, in the
 * file smppq(8) reads: SPOOL/smppconn.state (format: connstate.c)
 *
 * SYNOPSIS
 *	smppconn_state_write()
 *
 * DESCRIPTION
 *	Once a second (smppconn_outcome_tick()) the state of every
 *	connector -- up or down, sessions, window in use, rates, counts
 *	per class, last error -- is written into SPOOL/smppconn.state.tmp,
 *	which is renamed over SPOOL/smppconn.state: readers never see a
 *	torn file.  It is not synced: it describes the running process
 *	and is rewritten a second later; after a crash it is stale, and
 *	its time says so.  A file rather than the scoreboard: smppconn
 *	is one process, and the file needs no shared memory layout.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smppconn.h"
#include "connstate.h"
#include "log.h"
#include "spool.h"

static const char *
type_name(enum conf_conn_type t)
{
	switch (t) {
	case CONN_SINK:
		return "sink";
	case CONN_PIPE:
		return "pipe";
	case CONN_HELPER:
		return "helper";
	default:
		return "smpp";
	}
}

static void
fill(struct connstate *s, struct connector *c)
{
	struct conn_report	 r;

	memset(&r, 0, sizeof(r));
	if (c->ops->report != NULL)
		c->ops->report(c, &r);
	memset(s, 0, sizeof(*s));
	strlcpy(s->name, c->name, sizeof(s->name));
	strlcpy(s->type, type_name(c->type), sizeof(s->type));
	s->up = smppconn_route_up(c);
	s->sessions = r.sessions;
	s->configured = r.configured;
	s->inflight = r.inflight;
	s->queued = r.queued;
	s->inhand = c->inhand;
	s->rate = c->st.rate;
	s->throughput = c->cf->throughput;
	s->sent = c->st.sent;
	s->ok = c->st.ok;
	s->throttled = c->st.throttled;
	s->transient = c->st.transient;
	s->permanent = c->st.permanent;
	s->expired = c->st.expired;
	s->last_error_at = c->st.last_error_at;
	strlcpy(s->last_error, c->st.last_error, sizeof(s->last_error));
}

void
smppconn_state_write(void)
{
	struct connstate	 s;
	char			 tmp[SPOOL_PATH_MAX], path[SPOOL_PATH_MAX];
	FILE			*fp;
	int			 i, rc;

	if (spool_path(tmp, sizeof(tmp), "%s/%s.tmp", smppconn_ctx.conf->spool.dir,
	    CONNSTATE_FILE) == -1 || spool_path(path, sizeof(path), "%s/%s",
	    smppconn_ctx.conf->spool.dir, CONNSTATE_FILE) == -1)
		return;
	if ((fp = fopen(tmp, "w")) == NULL) {
		log_warn("%s", tmp);
		return;
	}
	rc = connstate_header(fp, (int64_t)smppconn_ctx.wall, (long)getpid());
	for (i = 0; i < smppconn_ctx.nconns && rc == 0; i++)
		if (!smppconn_ctx.conns[i]->gone) {
			fill(&s, smppconn_ctx.conns[i]);
			rc = connstate_format(fp, &s);
		}
	if (fclose(fp) == EOF || rc == -1 || rename(tmp, path) == -1) {
		log_warn("%s", path);
		(void)unlink(tmp);
	}
}
