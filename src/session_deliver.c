/*
 * session_deliver.c - deliver_sm to receivers and transceivers: receipts
 * and MO that smppconn queued in the account's outbound spool
 *
 * SYNOPSIS
 *	deliver_start(s)	deliver_pump(s)
 *	deliver_resp(s, req, status)
 *	deliver_stop(s)
 *
 * DESCRIPTION
 *	A bound receiver claims the oldest due segment of out/USER/new/ by
 *	renaming it into out/USER/cur/NAME.PID (several receivers of one
 *	account each claim their own, which spreads the traffic over them)
 *	and sends its records as deliver_sm, at most deliver_window
 *	unanswered at a time.  A record is settled, and marked in the
 *	segment's .done sidecar, only when its deliver_sm_resp says
 *	ESME_ROK.  Any other status, or a generic_nack, writes the record
 *	into a retry segment whose name carries the time of the next try
 *	(exponential back-off from [spool] retry_min to retry_max) and
 *	settles it here.  A record past its expiry is dropped with a log
 *	line.  When all records are settled the segment and its sidecar
 *	are removed.  When the session ends (unbind, a missing response, a
 *	crash seen by the master) the claimed segment goes back to new/
 *	with its sidecar, so that the next bind of the account gets what
 *	was not acknowledged.
 *
 *	Wake-ups: smppconn sends SIGUSR1 to the receivers of an account
 *	after it queued for it; a rescan every few seconds backs that up.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compat.h"
#include "log.h"
#include "scoreboard.h"
#include "session.h"
#include "timer.h"

#define RESCAN_US	(5 * 1000000LL)

/* A record in flight: the window's slots. */
struct slot {
	int		 used;
	unsigned	 index;
	struct msg	 msg;
};

static struct slot	*slots;
static unsigned		 nslots;

void
deliver_start(struct session *s)
{
	struct deliver	*d = &s->dl;
	unsigned	 i;

	if (spool_user_area(s->conf->spool.dir, s->acct.system_id, 1) == -1) {
		log_warn("outbound spool of %s", s->acct.system_id);
		return;
	}
	if (spool_path(d->area, sizeof(d->area), "%s/out/%s",
	    s->conf->spool.dir, s->acct.system_id) == -1 ||
	    spool_path(d->newdir, sizeof(d->newdir), "%s/new", d->area) == -1) {
		log_warnx("outbound spool path too long");
		return;
	}
	segw_init(&d->retry, d->area, s->conf->spool.sync);
	d->curpath[0] = '\0';
	nslots = (unsigned)s->conf->server.deliver_window;
	if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
		fatal("deliver window");
	for (i = 0; i < nslots; i++)
		msg_init(&slots[i].msg);
	s->delivering = 1;
	d->eof = 0;
}

/* Claim the oldest segment that is due; 0 when there is none. */
static int
claim(struct session *s)
{
	struct deliver	*d = &s->dl;
	char		 from[1100], to[1100];
	char		**names;
	size_t		 n, i;
	int64_t		 now = (int64_t)time(NULL), t;
	int		 rc, got = 0;

	strlcpy(from, d->newdir, sizeof(from));
	if (spool_path(to, sizeof(to), "%s/cur", d->area) == -1)
		return 0;
	if (spool_list(from, &names, &n) == -1) {
		log_warn("%s", from);
		return 0;
	}
	for (i = 0; i < n && !got; i++) {
		if ((t = spool_name_time(names[i])) > now) {
			/* The oldest not yet due: look again then. */
			timer_after(TIMER_RETRY, (t - now) * 1000000);
			break;
		}
		rc = spool_claim(from, to, names[i], d->curpath,
		    sizeof(d->curpath));
		if (rc == 1)
			continue;
		if (rc == -1) {
			log_warn("claiming %s/%s", from, names[i]);
			continue;
		}
		got = 1;
	}
	spool_list_free(names, n);
	if (!got)
		return 0;
	if (segr_open(&d->seg, d->curpath) == -1) {
		log_warn("reading %s", d->curpath);
		spool_quarantine(s->conf->spool.dir, d->curpath, "unreadable");
		d->curpath[0] = '\0';
		return 0;
	}
	if (segdone_open(&d->done, d->curpath, 0) == -1) {
		log_warn("%s.done", d->curpath);
		segr_close(&d->seg);
		d->curpath[0] = '\0';
		return 0;
	}
	d->next = d->settled = d->inflight = d->nrecords = 0;
	d->segend = d->corrupt = 0;
	return 1;
}

/* Every record of the claimed segment is settled: remove it. */
static void
finish(struct session *s)
{
	struct deliver	*d = &s->dl;

	if (d->retry.npending > 0 && segw_commit(&d->retry) == -1) {
		/* Keep the segment: its unsettled records are not lost. */
		log_error("retry segment in %s", d->area);
		segw_rollback(&d->retry);
		return;
	}
	if (d->retry.fd != -1 && segw_close(&d->retry) == -1)
		log_warn("closing retry segment");
	segr_close(&d->seg);
	segdone_close(&d->done);
	if (d->corrupt) {
		/* Settled records are marked; an admin sees the rest. */
		spool_quarantine(s->conf->spool.dir, d->curpath,
		    "corrupt record");
	} else if (spool_remove(d->curpath) == -1)
		log_warn("removing %s", d->curpath);
	d->curpath[0] = '\0';
}

static struct slot *
free_slot(void)
{
	unsigned	 i;

	for (i = 0; i < nslots; i++)
		if (!slots[i].used)
			return &slots[i];
	return NULL;
}

static int
expired(const struct session *s, const struct msg *m, int64_t now)
{
	int64_t	 until = m->meta.expires;

	if (until == 0)
		until = m->meta.created_us / 1000000 + s->conf->spool.max_age;
	return now > until;
}

/* Read the next unsettled record into sl; 0 at the end of the segment. */
static int
next_record(struct session *s, struct slot *sl)
{
	struct deliver	*d = &s->dl;
	int64_t		 now = (int64_t)time(NULL);
	int		 rc;

	for (;;) {
		rc = segr_next(&d->seg, &sl->msg);
		if (rc == SEGR_EOF) {
			d->segend = 1;
			return 0;
		}
		if (rc == SEGR_CORRUPT) {
			log_warnx("%s: corrupt record %u: the rest of the "
			    "segment is left for an admin", d->curpath,
			    d->seg.index);
			d->segend = 1;
			d->corrupt = 1;
			return 0;
		}
		sl->index = d->nrecords++;
		if (segdone_test(&d->done, sl->index)) {
			d->settled++;
			continue;
		}
		if (expired(s, &sl->msg, now)) {
			log_info("%s for %s expired undelivered: dropped",
			    sl->msg.meta.kind == MSG_DLR ? "receipt" : "MO",
			    s->acct.system_id);
			segdone_mark(&d->done, sl->index);
			d->settled++;
			continue;
		}
		return 1;
	}
}

static void
send_record(struct session *s, struct slot *sl)
{
	struct pdu	*p = &sl->msg.pdu;

	p->command_id = SMPP_DELIVER_SM;
	p->command_status = 0;
	p->sequence_number = session_request(s, SMPP_DELIVER_SM, sl->index);
	if (session_send(s, p) == -1) {
		/* Cannot be encoded: it never will be. */
		log_warnx("record %s cannot be sent as deliver_sm: dropped",
		    sl->msg.meta.id);
		segdone_mark(&s->dl.done, sl->index);
		s->dl.settled++;
		return;
	}
	sl->used = 1;
	s->dl.inflight++;
	sb_count(s->sb_acct, SB_DELIVER_SENT);
}

/* Send deliver_sm while the window has room and records are due. */
void
deliver_pump(struct session *s)
{
	struct deliver	*d = &s->dl;
	struct slot	*sl;

	while (!s->closing && s->state != SS_CLOSING) {
		if (d->curpath[0] == '\0') {
			if (d->eof || !claim(s)) {
				d->eof = 1;
				if (!timer_pending(TIMER_RESCAN))
					timer_after(TIMER_RESCAN, RESCAN_US);
				return;
			}
			d->seg.torn = 0;
			d->retry.not_before = 0;
		}
		if ((sl = free_slot()) == NULL)
			return;
		if (!next_record(s, sl)) {
			if (d->inflight == 0)
				finish(s);
			else
				return;
			continue;
		}
		send_record(s, sl);
	}
}

static int64_t
backoff(const struct session *s, int attempts)
{
	int64_t	 delay = s->conf->spool.retry_min;

	while (--attempts > 0 && delay < s->conf->spool.retry_max)
		delay *= 2;
	return delay < s->conf->spool.retry_max ? delay :
	    s->conf->spool.retry_max;
}

/* Not accepted by the client: keep it for a later try. */
static void
requeue(struct session *s, struct slot *sl, uint32_t status)
{
	struct deliver	*d = &s->dl;
	struct msg	*m = &sl->msg;
	int64_t		 now = (int64_t)time(NULL);

	m->meta.attempts++;
	m->meta.next_try = now + backoff(s, m->meta.attempts);
	snprintf(m->meta.error, sizeof(m->meta.error), "deliver_sm_resp %s",
	    pdu_status_name(status));
	if (expired(s, m, m->meta.next_try)) {
		log_info("%s %s expires before its next try: dropped",
		    m->meta.kind == MSG_DLR ? "receipt" : "MO", m->meta.id);
		segdone_mark(&d->done, sl->index);
		return;
	}
	if (d->retry.fd == -1 && d->retry.npending == 0)
		d->retry.not_before = m->meta.next_try;
	if (segw_add(&d->retry, &m->meta, &m->pdu) == -1 ||
	    segw_commit(&d->retry) == -1) {
		/* Leave it unsettled: it goes back with the segment. */
		log_error("retry segment in %s", d->area);
		segw_rollback(&d->retry);
		return;
	}
	segdone_mark(&d->done, sl->index);
}

void
deliver_resp(struct session *s, const struct outreq *r, uint32_t status)
{
	struct deliver	*d = &s->dl;
	unsigned	 i;

	for (i = 0; i < nslots; i++)
		if (slots[i].used && slots[i].index == r->index)
			break;
	if (i == nslots || d->curpath[0] == '\0')
		return;
	if (status == ESME_ROK) {
		segdone_mark(&d->done, r->index);
		sb_count(s->sb_acct, SB_DELIVER_ACK);
	} else {
		log_info("deliver_sm seq %u refused: %s", r->seq,
		    pdu_status_name(status));
		sb_count(s->sb_acct, SB_DELIVER_ERR);
		requeue(s, &slots[i], status);
	}
	slots[i].used = 0;
	d->inflight--;
	d->settled++;
}

/* The session ends: give back what was claimed and not settled. */
void
deliver_stop(struct session *s)
{
	struct deliver	*d = &s->dl;
	unsigned	 i;

	if (!s->delivering)
		return;
	s->delivering = 0;
	if (d->retry.npending > 0 && segw_commit(&d->retry) == -1)
		segw_rollback(&d->retry);
	if (d->retry.fd != -1 && segw_close(&d->retry) == -1)
		log_warn("closing retry segment");
	segw_free(&d->retry);
	if (d->curpath[0] != '\0') {
		if (d->segend && d->inflight == 0)
			finish(s);
		else {
			segr_close(&d->seg);
			segdone_close(&d->done);
			if (spool_move(d->curpath, d->newdir, NULL) == -1)
				log_warn("returning %s", d->curpath);
			d->curpath[0] = '\0';
		}
	}
	for (i = 0; i < nslots; i++)
		msg_free(&slots[i].msg);
	free(slots);
	slots = NULL;
	nslots = 0;
	if (s->conf != NULL)
		spool_wake_user(s->conf->spool.dir, s->acct.system_id,
		    SIGUSR1);
}
