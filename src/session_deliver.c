/*
 * session_deliver.c - deliver_sm to receivers and transceivers: receipts
 * and MO that smppconn queued in the account's outbound spool
 *
 * SYNOPSIS
 *	session_deliver_start(s)	session_deliver_pump(s)
 *	session_deliver_resp(s, req, status)	session_deliver_marks(s)
 *	session_deliver_stop(s)
 *
 * DESCRIPTION
 *	A bound receiver claims the oldest due segment of out/USER/new/
 *	where it lies, by an flock(2) it holds until it is done with it
 *	(spool_claim_lock()), and sends its records as deliver_sm, at most
 *	deliver_window unanswered at a time.  Several receivers of one
 *	account each claim their own, which spreads the traffic over them.
 *	The claim changes no name, so it costs no sync between a receipt
 *	and its deliver_sm, and a receiver that dies lets go of it with
 *	its descriptors.  Up to DELIVER_SEGS segments are claimed at once,
 *	so that a window can span many small segments: the next is claimed
 *	while the records of the last are still unanswered.
 *
 *	A record is settled, and marked in the segment's .done sidecar,
 *	only when its deliver_sm_resp says ESME_ROK.  The marks of a loop
 *	turn wait (segdone_mark_later()) and are written together, one
 *	pwrite(2) per run of consecutive records, by
 *	session_deliver_marks() after the turn's reading, before the
 *	window is refilled, or as the segment closes: a crash of the child
 *	sends again at most a window of records, those unanswered and
 *	those whose answer it had read.
 *	Any other status, or a generic_nack, writes the record into a
 *	retry segment whose name carries the time of the next try
 *	(exponential back-off from [spool] retry_min to retry_max) and
 *	settles it here.  A record past its expiry is dropped with a log
 *	line.  When all records are settled the segment and its sidecar
 *	are removed.  When the session ends (unbind, a missing response, a
 *	crash) the lock goes, and with it the claim, so that the next bind
 *	of the account gets what was not acknowledged.
 *
 *	Wake-ups: smppconn sends SIGUSR1 to one receiver of the account
 *	for each segment it queued, taking turns; a session that ends
 *	wakes them all, for what it let go; a rescan every few seconds
 *	backs that up.
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
#include "sb.h"
#include "session.h"
#include "timer.h"

#define RESCAN_US	(5 * 1000000LL)

/* A record in flight: the window's slots. */
struct slot {
	int		 used;
	int		 seg;		/* in d->segs[] */
	unsigned	 index;		/* record in the segment */
	struct msg	 msg;
};

static struct slot	*slots;
static unsigned		 nslots;

void
session_deliver_start(struct session *s)
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
	memset(d->segs, 0, sizeof(d->segs));
	d->reading = -1;
	nslots = (unsigned)s->conf->server.deliver_window;
	if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
		fatal("deliver window");
	for (i = 0; i < nslots; i++)
		record_msg_init(&slots[i].msg);
	s->delivering = 1;
	d->eof = 0;
}

static int
free_seg(const struct deliver *d)
{
	int	 i;

	for (i = 0; i < DELIVER_SEGS; i++)
		if (!d->segs[i].used)
			return i;
	return -1;
}

/* Open what was claimed into segs[k]; 0, or -1 (left for recovery). */
static int
open_claimed(struct session *s, int k)
{
	struct dseg	*g = &s->dl.segs[k];

	if (segr_open(&g->seg, g->path) == -1) {
		log_warn("reading %s", g->path);
		spool_quarantine(s->conf->spool.dir, g->path, "unreadable");
		return -1;
	}
	if (segdone_open(&g->done, g->path, 0) == -1) {
		log_warn("%s.done", g->path);
		segr_close(&g->seg);
		return -1;
	}
	g->nrecords = g->inflight = 0;
	g->segend = g->corrupt = 0;
	g->used = 1;
	return 0;
}

/* Let go of the claim of segs[k], after its name was removed or not. */
static void
release(struct dseg *g)
{
	segr_close(&g->seg);
	segdone_close(&g->done);
	close(g->lock);
	g->lock = -1;
	g->used = 0;
}

/* Claim the oldest segment that is due into segs[k]; 0 when none is. */
static int
claim(struct session *s, int k)
{
	struct deliver	*d = &s->dl;
	struct dseg	*g = &d->segs[k];
	char		**names;
	size_t		 n, i;
	int64_t		 now = (int64_t)time(NULL), t;
	int		 rc, got = 0;

	if (spool_list(d->newdir, &names, &n) == -1) {
		log_warn("%s", d->newdir);
		return 0;
	}
	for (i = 0; i < n && !got; i++) {
		if ((t = spool_name_time(names[i])) > now) {
			/* The oldest not yet due: look again then. */
			timer_after(TIMER_RETRY, (t - now) * 1000000);
			break;
		}
		rc = spool_claim_lock(d->newdir, names[i], g->path,
		    sizeof(g->path), &g->lock);
		if (rc == 1)
			continue;
		if (rc == -1) {
			log_warn("claiming %s/%s", d->newdir, names[i]);
			continue;
		}
		got = 1;
	}
	spool_list_free(names, n);
	if (got && open_claimed(s, k) == -1) {
		close(g->lock);
		g->lock = -1;
		return 0;
	}
	return got;
}

void
session_deliver_marks(struct session *s)
{
	int	 k;

	for (k = 0; k < DELIVER_SEGS; k++)
		if (s->dl.segs[k].used && segdone_flush(&s->dl.segs[k].done)
		    == -1)
			log_warn("%s.done", s->dl.segs[k].path);
}

/* Every record of segs[k] is settled: remove it. */
static void
finish(struct session *s, int k)
{
	struct deliver	*d = &s->dl;
	struct dseg	*g = &d->segs[k];

	if (d->retry.npending > 0 && segw_commit(&d->retry) == -1) {
		/* Keep the segment: its unsettled records are not lost. */
		log_error("retry segment in %s", d->area);
		segw_discard(&d->retry);
		return;
	}
	if (d->retry.fd != -1 && segw_close(&d->retry) == -1)
		log_warn("closing retry segment");
	if (g->corrupt) {
		/* Settled records are marked; an admin sees the rest. */
		spool_quarantine(s->conf->spool.dir, g->path,
		    "corrupt record");
	} else if (spool_remove(g->path) == -1)
		log_warn("removing %s", g->path);
	/*
	 * Only now, with the marks written (to the sidecar wherever it
	 * went): another claimer finds no name, or a name gone (0).
	 */
	release(g);
	if (d->reading == k)
		d->reading = -1;
}

static int
free_slot(void)
{
	unsigned	 i;

	for (i = 0; i < nslots; i++)
		if (!slots[i].used)
			return (int)i;
	return -1;
}

static int
expired(const struct session *s, const struct msg *m, int64_t now)
{
	int64_t	 until = m->meta.expires;

	if (until == 0)
		until = m->meta.created_us / 1000000 + s->conf->spool.max_age;
	return now > until;
}

/* Read the next unsettled record of segs[k] into sl; 0 at its end. */
static int
next_record(struct session *s, int k, struct slot *sl)
{
	struct dseg	*g = &s->dl.segs[k];
	int64_t		 now = (int64_t)time(NULL);
	int		 rc;

	for (;;) {
		rc = segr_next(&g->seg, &sl->msg);
		if (rc == SEGR_EOF) {
			g->segend = 1;
			return 0;
		}
		if (rc == SEGR_BAD) {
			/* Damage alone: the rest of the segment goes on. */
			(void)segr_quarantine(&g->seg,
			    s->conf->spool.dir, &sl->msg);
			segdone_mark(&g->done, g->nrecords++);
			continue;
		}
		if (rc != SEGR_OK) {
			log_warnx("%s: corrupt record %u: the rest of the "
			    "segment is left for an admin", g->path,
			    g->seg.index);
			g->segend = 1;
			g->corrupt = 1;
			return 0;
		}
		sl->seg = k;
		sl->index = g->nrecords++;
		if (segdone_test(&g->done, sl->index))
			continue;
		if (expired(s, &sl->msg, now)) {
			log_info("%s for %s expired undelivered: dropped",
			    sl->msg.meta.kind == MSG_DLR ? "receipt" : "MO",
			    s->acct.system_id);
			segdone_mark(&g->done, sl->index);
			continue;
		}
		return 1;
	}
}

static void
send_record(struct session *s, int n)
{
	struct slot	*sl = &slots[n];
	struct pdu	*p = &sl->msg.pdu;

	p->command_id = SMPP_DELIVER_SM;
	p->command_status = 0;
	p->sequence_number = session_request(s, SMPP_DELIVER_SM, (unsigned)n);
	if (session_send(s, p) == -1) {
		/* Cannot be encoded: it never will be. */
		log_warnx("record %s cannot be sent as deliver_sm: dropped",
		    sl->msg.meta.id);
		segdone_mark(&s->dl.segs[sl->seg].done, sl->index);
		return;
	}
	sl->used = 1;
	s->dl.segs[sl->seg].inflight++;
	sb_count(s->sb_acct, SB_DELIVER_SENT);
}

/* A segment to read from: the current one, or a newly claimed one. */
static int
reading(struct session *s)
{
	struct deliver	*d = &s->dl;
	int		 k;

	if (d->reading >= 0)
		return d->reading;
	if (d->eof || (k = free_seg(d)) == -1)
		return -1;
	if (!claim(s, k)) {
		d->eof = 1;
		if (!timer_pending(TIMER_RESCAN))
			timer_after(TIMER_RESCAN, RESCAN_US);
		return -1;
	}
	return d->reading = k;
}

/* Send deliver_sm while the window has room and records are due. */
void
session_deliver_pump(struct session *s)
{
	struct deliver	*d = &s->dl;
	int		 k, n;

	while (!s->closing && s->state != SS_CLOSING) {
		if ((n = free_slot()) == -1 || (k = reading(s)) == -1)
			return;
		if (next_record(s, k, &slots[n])) {
			send_record(s, n);
			continue;
		}
		/* Read to its end: the next one, while its answers come. */
		d->reading = -1;
		if (d->segs[k].inflight == 0)
			finish(s, k);
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
	struct segdone	*done = &d->segs[sl->seg].done;
	struct msg	*m = &sl->msg;
	int64_t		 now = (int64_t)time(NULL);

	m->meta.attempts++;
	m->meta.next_try = now + backoff(s, m->meta.attempts);
	snprintf(m->meta.error, sizeof(m->meta.error), "deliver_sm_resp %s",
	    pdu_status_name(status));
	if (expired(s, m, m->meta.next_try)) {
		log_info("%s %s expires before its next try: dropped",
		    m->meta.kind == MSG_DLR ? "receipt" : "MO", m->meta.id);
		segdone_mark(done, sl->index);
		return;
	}
	if (d->retry.fd == -1 && d->retry.npending == 0)
		d->retry.not_before = m->meta.next_try;
	if (segw_add(&d->retry, &m->meta, &m->pdu) == -1 ||
	    segw_commit(&d->retry) == -1) {
		/* Leave it unsettled: it goes back with the segment. */
		log_error("retry segment in %s", d->area);
		segw_discard(&d->retry);
		return;
	}
	segdone_mark(done, sl->index);
}

void
session_deliver_resp(struct session *s, const struct outreq *r, uint32_t status)
{
	struct deliver	*d = &s->dl;
	struct slot	*sl;
	struct dseg	*g;

	if (r->index >= nslots || !(sl = &slots[r->index])->used)
		return;
	g = &d->segs[sl->seg];
	if (status == ESME_ROK) {
		if (segdone_mark_later(&g->done, sl->index) == -1)
			log_warn("%s.done", g->path);
		sb_count(s->sb_acct, SB_DELIVER_ACK);
	} else {
		log_info("deliver_sm seq %u refused: %s", r->seq,
		    pdu_status_name(status));
		sb_count(s->sb_acct, SB_DELIVER_ERR);
		requeue(s, sl, status);
	}
	sl->used = 0;
	if (--g->inflight == 0 && g->segend && d->reading != sl->seg)
		finish(s, sl->seg);
}

/* The session ends: give back what was claimed and not settled. */
void
session_deliver_stop(struct session *s)
{
	struct deliver	*d = &s->dl;
	struct dseg	*g;
	unsigned	 i;
	int		 k;

	if (!s->delivering)
		return;
	s->delivering = 0;
	if (d->retry.npending > 0 && segw_commit(&d->retry) == -1)
		segw_discard(&d->retry);
	if (d->retry.fd != -1 && segw_close(&d->retry) == -1)
		log_warn("closing retry segment");
	segw_free(&d->retry);
	for (k = 0; k < DELIVER_SEGS; k++) {
		g = &d->segs[k];
		if (!g->used)
			continue;
		if (g->segend && g->inflight == 0) {
			finish(s, k);
			continue;
		}
		/* Its marks are written: the next claimer reads them. */
		release(g);
	}
	for (i = 0; i < nslots; i++)
		record_msg_free(&slots[i].msg);
	free(slots);
	slots = NULL;
	nslots = 0;
	spool_wake_user(s->conf->spool.dir, s->acct.system_id, SIGUSR1);
}
