/*
 * smppconn_mt.c - smppconn's MT side: claiming segments, handing records to
 * connectors, and settling them after the group commit
 *
 * SYNOPSIS
 *	smppconn_mt_scan()	smppconn_mt_feed()	smppconn_mt_commit()
 *	smppconn_mt_done(item, result)	smppconn_mt_again(item)
 *	smppconn_mt_deleted(item)
 *	smppconn_mt_give_back()	smppconn_mt_reread_done()	smppconn_mt_free()
 *
 * DESCRIPTION
 *	smppconn_mt_scan() claims the segments of mt/deferred/ whose time has
 *	come, then those of mt/new/, oldest first, by renaming them into
 *	mt/active/NAME.PID, while fewer than CONN_MAX_JOBS are claimed
 *	and fewer than CONN_INHAND_MAX records are in hand.
 *
 *	smppconn_mt_feed() first hands on again what failed over or was
 *	throttled in this turn (smppconn_mt_again()), then reads the
 *	records of the claimed segments in turn, skips those the .done
 *	sidecar marks settled, and decides: past its expiry
 *	(policy_expiry()) a record expires; before its next try
 *	(schedule_delivery_time, or a retry segment claimed early) it is
 *	deferred again without counting an attempt; otherwise
 *	smppconn_route_pick() names its connector -- without a route it
 *	fails with REJECTD and err 11 (ESME_RINVDSTADR), with no
 *	connector of its route up it waits for the back-off -- and that
 *	connector gets it when it has room; else the segment waits with
 *	that record until it has.  At most [smppconn] batch records (and
 *	never more than CONN_TURN_MAX) are handed on per turn.  What
 *	follows each outcome is smppconn_outcome.c's.
 *
 *	smppconn_mt_done() puts a record whose outcome is written into
 *	the done list.
 *
 *	smppconn_mt_commit() ends each turn: it commits every writer (one
 *	fdatasync each) and syncs the id map, the receipts and MO last:
 *	their write(2), then a provisional mark (segdone_pend()) on each
 *	record whose outcome is all written, then their fdatasync.  A
 *	kill -9 after the write leaves both in the page cache, so that the
 *	turn's receipts are not made again; spool_pend.c voids such marks
 *	after the machine restarted.  Then it marks the records settled
 *	for good -- those whose writes all committed; the others, their
 *	provisional marks taken back, stay unsettled and their segment
 *	goes back to mt/new/ to be handed on again.  The connectors then
 *	answer their upstreams, the written segments are closed into
 *	their folders and the receivers woken, and segments whose every
 *	record is settled are removed.  A segment with a corrupt record
 *	goes to corrupt/ once the records before it are settled.
 *
 *	smppconn_mt_reread_done() rereads the sidecars after smppq(8) deleted a
 *	record of a claimed segment: a record not yet handed on is then
 *	skipped, one in hand is settled without a receipt or a copy when
 *	its connector is done with it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "smppconn.h"
#include "policy.h"
#include "receipt.h"
#include "dlr.h"
#include "idmap.h"
#include "log.h"

static struct itemq	 freeitems = TAILQ_HEAD_INITIALIZER(freeitems);

static struct item *
item_get(struct job *job)
{
	struct item	*it;

	if ((it = TAILQ_FIRST(&freeitems)) != NULL)
		TAILQ_REMOVE(&freeitems, it, link);
	else {
		if ((it = calloc(1, sizeof(*it))) == NULL)
			return NULL;
		record_msg_init(&it->msg);
	}
	it->job = job;
	it->conn = NULL;
	it->result = IR_NONE;
	it->dep[0] = it->dep[1] = NULL;
	it->pended = 0;
	it->priv = NULL;
	it->deadline = 0;
	it->hop = -1;
	it->tried = 0;
	it->pin = NULL;
	return it;
}

static void
item_put(struct item *it)
{
	TAILQ_INSERT_HEAD(&freeitems, it, link);
}

static int
area(char *buf, size_t len, const char *sub)
{
	return spool_path(buf, len, "%s/mt/%s", smppconn_ctx.conf->spool.dir, sub);
}

static void
job_open(const char *path, const char *name)
{
	struct job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL) {
		log_warn("claiming %s", path);
		return;
	}
	strlcpy(job->path, path, sizeof(job->path));
	strlcpy(job->name, name, sizeof(job->name));
	if (segr_open(&job->seg, path) == -1) {
		log_warn("reading %s", path);
		spool_quarantine(smppconn_ctx.conf->spool.dir, path, "unreadable");
		free(job);
		return;
	}
	if (segdone_open(&job->done, path, 0) == -1) {
		char	 dir[SPOOL_PATH_MAX];

		log_warn("%s.done", path);
		segr_close(&job->seg);
		if (area(dir, sizeof(dir), "new") == 0 &&
		    spool_move(path, dir, NULL) == -1)
			log_warn("returning %s", path);
		free(job);
		return;
	}
	TAILQ_INSERT_TAIL(&smppconn_ctx.jobs, job, link);
	smppconn_ctx.njobs++;
}

/*
 * Claim what is due in mt/SUB; deferred: also note the next due time.
 * The segments of one listing are claimed together, with one sync of
 * mt/active/ for all of them (spool_claim_group()).
 */
static void
claim_from(const char *sub, int deferred)
{
	static struct spool_mv	 mv[CONN_MAX_JOBS];
	char		 from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX], path[SPOOL_PATH_MAX], **names;
	size_t		 n, i, k = 0, room, claimed;
	const char	*name;
	struct job	*job;
	int64_t		 t;

	if (area(from, sizeof(from), sub) == -1 ||
	    area(to, sizeof(to), "active") == -1)
		return;
	if (spool_list(from, &names, &n) == -1) {
		log_warn("listing %s", from);
		return;
	}
	claimed = smppconn_ctx.njobs - smppconn_ctx.ntails;
	room = claimed < CONN_MAX_JOBS ? CONN_MAX_JOBS - claimed : 0;
	for (i = 0; i < n; i++) {
		t = spool_name_time(names[i]);
		if (t > (int64_t)smppconn_ctx.wall) {
			if (deferred)
				smppconn_ctx.next_deferred = t;
			break;
		}
		if (k >= room || smppconn_ctx.inhand >= CONN_INHAND_MAX) {
			/* Full: new/ when a job ends, deferred/ in a second. */
			if (deferred)
				smppconn_ctx.next_deferred = (int64_t)smppconn_ctx.wall + 1;
			break;
		}
		if (t == -1) {
			if (spool_path(path, sizeof(path), "%s/%s", from,
			    names[i]) == 0)
				spool_quarantine(smppconn_ctx.conf->spool.dir, path,
				    "not a segment name");
			free(names[i]);
			names[i] = NULL;
			continue;
		}
		/* The due names, moved to the front of the list. */
		if (k != i) {
			char	*tmp = names[k];

			names[k] = names[i];
			names[i] = tmp;
		}
		k++;
	}
	k = spool_claim_group(from, to, names, k, mv);
	for (i = 0; i < k; i++) {
		name = strrchr(mv[i].src, '/') + 1;
		if (mv[i].rc == -1) {
			errno = mv[i].err;
			log_warn("claiming %s", mv[i].src);
		} else if (mv[i].rc != 0)
			continue;
		else if (!deferred && (job = smppconn_tail_find(name)) != NULL)
			smppconn_tail_claimed(job);
		else
			job_open(mv[i].dst, name);
	}
	spool_list_free(names, n);
}

void
smppconn_mt_scan(void)
{
	int	 due;

	due = smppconn_ctx.next_deferred != 0 && smppconn_ctx.next_deferred <= (int64_t)smppconn_ctx.wall;
	if ((!smppconn_ctx.want_scan && !due) || smppconn_ctx.stopping ||
	    smppconn_ctx.now < smppconn_ctx.pause_until)
		return;
	if (due) {
		smppconn_ctx.next_deferred = 0;
		claim_from("deferred", 1);
	}
	if (smppconn_ctx.want_scan)
		claim_from("new", 0);
	smppconn_ctx.want_scan = 0;
}

static const char *
kind_name(const struct msg *m)
{
	return m->pdu.command_id == SMPP_DATA_SM ? "data_sm" : "submit_sm";
}

/* Hand one record on, or decide about it here; 0: the connector is full. */
static int
hand(struct item *it)
{
	const struct conf_connector	*cf;
	struct connector	*c;
	struct msg		*m = &it->msg;
	const char		*why = NULL;

	if (policy_expiry(&m->meta, smppconn_ctx.conf->spool.max_age) <
	    (int64_t)smppconn_ctx.wall) {
		smppconn_outcome_expired(it);
		return 1;
	}
	if (m->meta.next_try > (int64_t)smppconn_ctx.wall) {
		smppconn_outcome_later(it);
		return 1;
	}
	if (m->meta.kind != MSG_MT) {	/* to or from a peer */
		if ((cf = smppconn_peer_route(it)) == NULL)
			return 1;
		if ((c = smppconn_ctx_find(cf->name)) == NULL) {
			smppconn_outcome_wait(it, "connector not running");
			return 1;
		}
	} else if ((c = smppconn_route_pick(it, &why)) == NULL) {
		if (why == NULL)
			smppconn_outcome_no_route(it);
		else
			smppconn_outcome_wait(it, why);
		return 1;
	}
	if (c->stopping || c->ops->room(c) <= 0)
		return 0;
	it->conn = c;
	it->pin = NULL;
	it->t0 = smppconn_ctx.now;
	c->inhand++;
	c->st.sent++;
	c->st.sec_sent++;
	if (LOG_ENABLED(LOGL_DEBUG))
		log_debug("%s %s of %s to connector %s (attempt %d)",
		    kind_name(m), m->meta.id, m->meta.account, c->name,
		    m->meta.attempts + 1);
	c->ops->submit(c, it);
	return 1;
}

/* What failed over or was throttled goes first, in the order it came. */
static int
feed_again(int budget)
{
	struct item	*it;
	int		 n = 0;

	while (n < budget && (it = TAILQ_FIRST(&smppconn_ctx.again)) != NULL) {
		TAILQ_REMOVE(&smppconn_ctx.again, it, link);
		if (!hand(it)) {
			TAILQ_INSERT_HEAD(&smppconn_ctx.again, it, link);
			break;
		}
		n++;
	}
	return n;
}

/* Read the next unsettled record of a job; NULL at its end. */
static struct item *
next_record(struct job *job)
{
	struct item	*it;
	int		 rc;

	while (!job->eof) {
		if ((it = item_get(job)) == NULL) {
			log_warn("record of %s", job->path);
			job->unwell = 1;
			job->eof = 1;
			return NULL;
		}
		rc = segr_next(&job->seg, &it->msg);
		if (rc == SEGR_OK) {
			it->index = job->seg.index - 1;
			if (it->index < job->skip ||
			    segdone_test(&job->done, it->index)) {
				item_put(it);
				continue;
			}
			job->inhand++;
			smppconn_ctx.inhand++;
			return it;
		}
		if (rc == SEGR_BAD) {
			/* Damage alone: the rest of the segment goes on. */
			(void)segr_quarantine(&job->seg,
			    smppconn_ctx.conf->spool.dir, &it->msg);
			segdone_mark(&job->done, job->seg.index - 1);
			item_put(it);
			continue;
		}
		item_put(it);
		/* Still being written: more after the next notice. */
		if (rc == SEGR_EOF && job->tailing) {
			if (smppconn_tail_read(job))
				continue;
			return NULL;
		}
		job->eof = 1;
		if (rc == SEGR_CORRUPT) {
			log_warnx("%s: record %u is corrupt: the rest of the "
			    "segment goes to corrupt/", job->path,
			    job->seg.index + 1);
			job->corrupt = 1;
		} else if (rc == SEGR_ERROR) {
			log_warn("%s", job->path);
			job->unwell = 1;
		}
	}
	return NULL;
}

/* Hand on up to budget records of one job; how many were taken. */
static int
feed_job(struct job *job, int budget)
{
	struct item	*it;
	int		 n = 0;

	while (n < budget) {
		if ((it = job->stalled) != NULL)
			job->stalled = NULL;
		else if ((it = next_record(job)) == NULL)
			break;
		if (!hand(it)) {
			job->stalled = it;
			break;
		}
		n++;
	}
	return n;
}

void
smppconn_mt_feed(void)
{
	struct job	*job;
	struct item	*it;
	int		 budget, n, progress = 1;

	smppconn_ctx.more = 0;
	if (smppconn_ctx.stopping) {
		while ((it = TAILQ_FIRST(&smppconn_ctx.again)) != NULL) {
			TAILQ_REMOVE(&smppconn_ctx.again, it, link);
			smppconn_outcome_abandon(it);
		}
		TAILQ_FOREACH(job, &smppconn_ctx.jobs, link)
			if (job->stalled != NULL) {
				smppconn_outcome_abandon(job->stalled);
				job->stalled = NULL;
			}
		return;
	}
	/*
	 * A turn hands on at most one batch: what a kill -9 between the
	 * write of its receipts and their provisional marks makes again.
	 */
	budget = smppconn_ctx.conf->conn.batch < CONN_TURN_MAX ?
	    smppconn_ctx.conf->conn.batch : CONN_TURN_MAX;
	budget -= feed_again(budget);
	/* Round robin, a few records per job, so that none starves. */
	while (budget > 0 && progress) {
		progress = 0;
		TAILQ_FOREACH(job, &smppconn_ctx.jobs, link) {
			n = feed_job(job, budget < 64 ? budget : 64);
			budget -= n;
			progress |= n > 0;
			if (budget == 0)
				break;
		}
	}
	if (budget == 0)
		smppconn_ctx.more = 1;
}

/* Out of its connector: what the connector held is one less. */
static void
unhold(struct item *it)
{
	if (it->conn != NULL) {
		it->conn->inhand--;
		it->conn = NULL;
	}
}

/* The outcome is written: the record waits for the group commit. */
void
smppconn_mt_done(struct item *it, enum item_result r)
{
	unhold(it);
	it->result = r;
	TAILQ_INSERT_TAIL(&smppconn_ctx.done, it, link);
}

/* Handed on again in this turn: failover, or a throttled retry. */
void
smppconn_mt_again(struct item *it)
{
	unhold(it);
	TAILQ_INSERT_TAIL(&smppconn_ctx.again, it, link);
	smppconn_ctx.more = 1;
}

int
smppconn_mt_deleted(const struct item *it)
{
	return segdone_test(&it->job->done, it->index);
}

static void
job_finish(struct job *job)
{
	char	 dir[SPOOL_PATH_MAX];

	TAILQ_REMOVE(&smppconn_ctx.jobs, job, link);
	smppconn_ctx.njobs--;
	segr_close(&job->seg);
	segdone_close(&job->done);
	if (job->corrupt)
		spool_quarantine(smppconn_ctx.conf->spool.dir, job->path,
		    "corrupt record");
	else if (job->unwell) {
		if (area(dir, sizeof(dir), "new") == -1 ||
		    spool_move(job->path, dir, NULL) == -1)
			log_warn("returning %s", job->path);
		/* Whatever went wrong, it is not tried again at once. */
		smppconn_ctx.pause_until = smppconn_ctx.now + 1000000;
	} else if (smppconn_trash_put(job->path) == -1)
		log_warn("removing %s", job->path);
	free(job);
	smppconn_ctx.want_scan = 1;
}

static int
failed_dep(const struct item *it)
{
	return (it->dep[0] != NULL && *it->dep[0]) ||
	    (it->dep[1] != NULL && *it->dep[1]) ||
	    (it->result == IR_ACCEPTED && smppconn_ctx.idmap_failed);
}

/*
 * Whether the job's last records are in the done list, all settled:
 * then it is removed in this turn, and its records need no marks.
 */
static int
ends_now(const struct job *job)
{
	return job->eof && job->stalled == NULL && !job->unwell &&
	    !job->corrupt && job->ndone == job->inhand;
}

static int
pendable(const struct item *it)
{
	return it->result != IR_ABANDON && it->result != IR_NONE &&
	    !failed_dep(it);
}

/*
 * A run of the done list: consecutive records of one job, whose
 * provisional marks go out in one pwrite(2), and the run's first item,
 * whose items are then known to be pended.
 */
struct run {
	struct item	*first;
	struct job	*job;
	unsigned	 index, n;
};

/* A run marked provisionally, and its items known to be. */
static void
pend_run(struct run *r)
{
	struct item	*it;
	unsigned	 k;

	if (segdone_pend(&r->job->done, r->index, r->n) == -1) {
		log_warn("%s.done", r->job->path);
		return;
	}
	for (it = r->first, k = 0; k < r->n; it = TAILQ_NEXT(it, link))
		if (pendable(it)) {
			it->pended = 1;
			k++;
		}
}

static void
run_end(struct run *r)
{
	if (r->n > 0)
		pend_run(r);
	r->n = 0;
}

/* Item it joins the run, or ends it and starts the next. */
static void
run_add(struct run *r, struct item *it)
{
	if (r->n > 0 && (it->job != r->job || it->index != r->index + r->n ||
	    r->n == SEGDONE_RUN_MAX))
		run_end(r);
	if (r->n == 0) {
		r->first = it;
		r->job = it->job;
		r->index = it->index;
	}
	r->n++;
}

/* The sidecars the marks go to exist before the receipts are written. */
static void
pend_ready(void)
{
	struct item	*it;

	TAILQ_FOREACH(it, &smppconn_ctx.done, link)
		if (pendable(it) && segdone_ready(&it->job->done) == -1)
			log_warn("%s.done", it->job->path);
}

/*
 * Between the write(2) of the turn's receipts and their sync: mark
 * settled, provisionally, each record whose outcome is all written, so
 * that a kill -9 during the sync does not make its receipt again (the
 * page cache keeps both); spool_pend.c says when such a mark is void.
 */
static void
pend(void)
{
	struct item	*it;
	struct run	 run = { NULL, NULL, 0, 0 };

	TAILQ_FOREACH(it, &smppconn_ctx.done, link)
		if (pendable(it))
			run_add(&run, it);
	run_end(&run);
}

/* Settle what the commit made safe to settle. */
static void
settle(void)
{
	struct item	*it;
	struct job	*job;

	TAILQ_FOREACH(it, &smppconn_ctx.done, link) {
		if (it->result == IR_ABANDON || failed_dep(it))
			it->job->unwell = 1;
		it->job->ndone++;
	}
	while ((it = TAILQ_FIRST(&smppconn_ctx.done)) != NULL) {
		TAILQ_REMOVE(&smppconn_ctx.done, it, link);
		job = it->job;
		if (it->result == IR_ABANDON || failed_dep(it)) {
			job->unwell = 1;
			/* Its sync failed: not settled, handed on again. */
			if (it->pended &&
			    segdone_unpend(&job->done, it->index) == -1)
				log_warn("%s.done", job->path);
		} else if (it->result != IR_NONE && !ends_now(job) &&
		    segdone_mark_later(&job->done, it->index) == -1) {
			log_warn("%s.done", job->path);
			job->unwell = 1;
		}
		job->inhand--;
		job->ndone--;
		smppconn_ctx.inhand--;
		item_put(it);
	}
	/* The marks, one pwrite(2) per run, before any job finishes. */
	TAILQ_FOREACH(job, &smppconn_ctx.jobs, link)
		if (segdone_flush(&job->done) == -1) {
			log_warn("%s.done", job->path);
			job->unwell = 1;
		}
}

void
smppconn_mt_commit(void)
{
	struct job	*job, *tmp;
	int		 i, ok;

	ok = billing_commit() == 0;
	ok &= smppconn_store_commit() == 0;
	ok &= smppconn_mo_commit() == 0;
	if (smppconn_ctx.idmap != NULL && idmap_sync(smppconn_ctx.idmap) == -1) {
		smppconn_ctx.idmap_failed = 1;
		ok = 0;
	}
	/* The receipts last: everything else of the turn is durable. */
	pend_ready();
	ok &= smppconn_out_write() == 0;
	pend();
	ok &= smppconn_out_commit() == 0;
	if (!ok) {
		log_errorx("a spool commit failed: claims paused for a second");
		smppconn_ctx.pause_until = smppconn_ctx.now + 1000000;
	}
	/* The receivers get this turn's receipts first. */
	smppconn_out_close();
	settle();
	for (i = 0; i < smppconn_ctx.nconns; i++)
		if (smppconn_ctx.conns[i]->ops->committed != NULL)
			smppconn_ctx.conns[i]->ops->committed(smppconn_ctx.conns[i]);
	smppconn_ctx.idmap_failed = 0;
	smppconn_store_close();
	smppconn_mo_close();
	TAILQ_FOREACH_SAFE(job, &smppconn_ctx.jobs, link, tmp)
		if (job->eof && job->inhand == 0 && job->stalled == NULL)
			job_finish(job);
}

/* Shutdown: what was not handed on goes back to mt/new/. */
void
smppconn_mt_give_back(void)
{
	struct job	*job;
	char		 dir[SPOOL_PATH_MAX];

	while ((job = TAILQ_FIRST(&smppconn_ctx.jobs)) != NULL) {
		if (job->stalled != NULL) {
			job->inhand--;
			smppconn_ctx.inhand--;
			item_put(job->stalled);
			job->stalled = NULL;
		}
		if (job->inhand > 0)
			log_warnx("%s: %u record(s) still in hand are handed "
			    "on again later", job->path, job->inhand);
		if (job->tailing) {
			smppconn_tail_drop(job);
			continue;
		}
		job->eof = 1;
		job->unwell = 1;
		if (area(dir, sizeof(dir), "new") == 0) {
			TAILQ_REMOVE(&smppconn_ctx.jobs, job, link);
			smppconn_ctx.njobs--;
			segr_close(&job->seg);
			segdone_close(&job->done);
			if (spool_move(job->path, dir, NULL) == -1)
				log_warn("returning %s", job->path);
			free(job);
		}
	}
}

void
smppconn_mt_reread_done(void)
{
	struct job	*job;

	TAILQ_FOREACH(job, &smppconn_ctx.jobs, link) {
		segdone_close(&job->done);
		if (segdone_open(&job->done, job->path, 0) == -1) {
			log_warn("%s.done", job->path);
			job->unwell = 1;
		}
	}
}

void
smppconn_mt_free(void)
{
	struct item	*it;

	while ((it = TAILQ_FIRST(&freeitems)) != NULL) {
		TAILQ_REMOVE(&freeitems, it, link);
		record_msg_free(&it->msg);
		free(it);
	}
}
