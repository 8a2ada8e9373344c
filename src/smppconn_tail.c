/*
 * smppconn_tail.c - reading MT segments while smppd still writes them
 *
 * SYNOPSIS
 *	smppconn_tail_notice(name, len)	smppconn_tail_find(name)
 *	smppconn_tail_read(job)	smppconn_tail_claimed(job)
 *	smppconn_tail_check()	smppconn_tail_drop(job)
 *
 * DESCRIPTION
 *	A child of smppd keeps its MT segment open in mt/tmp/ for up to
 *	[spool] segment_max_age_ms, and after each group commit -- its
 *	records written and fdatasync(2)ed, before their submit_sm_resp --
 *	writes a notice "TNAME LEN" to the FIFO notice, which only
 *	the spool's owner may write (spool_wake_committed()): LEN octets of
 *	NAME are committed.
 *	smppconn_tail_notice() is how smppconn hears of it.  For a segment
 *	it does not know it opens a job that reads the file where it is
 *	(segr_tail()), so that the records are handed on at once instead of
 *	when the segment is closed, moved to mt/new/ and claimed; later
 *	notices only raise how far the job may read (smppconn_tail_read()
 *	reads on, from smppconn_mt.c, when the job has read what it knew
 *	of).  Nothing past a notice's LEN is read: a commit whose sync is
 *	still running, or failed and is cut back, is never seen.  While
 *	notices stream in, smppconn.c reads them once per NOTICE_GAP_US, so
 *	that one turn, with its syncs, takes several commits.
 *
 *	The job's sidecar is where the claim will put the segment's:
 *	mt/active/NAME.PID.done (PID smppconn's), so that its settled marks
 *	need no move.  When the writer closes the segment (or recovery
 *	moves a dead writer's) into mt/new/, smppconn_mt.c claims it as
 *	any other and calls smppconn_tail_claimed(): the job reads to the
 *	end of the file and is a claimed job from then on.  A claim that
 *	took a sidecar along (smppq(8) delete marked the segment in new/)
 *	has replaced the job's: both are merged (segdone_reopen()).  Were
 *	the file not the one the job followed, it is read again from its
 *	start, and the records the job had read are skipped.
 *
 *	A segment that is gone from mt/tmp/ and mt/new/ without being
 *	claimed (an operator moved it) is dropped by smppconn_tail_check()
 *	once nothing of it is in hand.  smppconn_tail_drop() ends a job
 *	that is still tailing: at shutdown its sidecar stays in mt/active/
 *	without a segment, and spool_recover_active() brings it to the
 *	segment when smppconn starts again.
 *
 *	At most CONN_MAX_TAILS segments are followed at once, and none when
 *	CONN_MAX_JOBS jobs or CONN_INHAND_MAX records are in hand; the
 *	others take the way through mt/new/, as do all segments when the
 *	FIFO is full and a notice is not written.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "smppconn.h"
#include "log.h"

#define TAIL_GONE_MAX	64	/* names remembered as closed already */

/*
 * Segments that had left mt/tmp/ when a notice named them.  Notices lag
 * behind when the FIFO fills faster than a turn reads it, and then each
 * commit's notice of a closed segment would try to open it again; a name
 * is never reused, so one that is gone stays gone.
 */
static char	 gone[TAIL_GONE_MAX][SPOOL_NAME_MAX];
static unsigned	 ngone;

static int
tail_gone(const char *name)
{
	unsigned	 i;

	for (i = 0; i < TAIL_GONE_MAX; i++)
		if (strcmp(gone[i], name) == 0)
			return 1;
	return 0;
}

static int
mt_path(char *buf, size_t len, const char *sub, const char *name)
{
	return spool_path(buf, len, "%s/mt/%s/%s", smppconn_ctx.conf->spool.dir,
	    sub, name);
}

struct job *
smppconn_tail_find(const char *name)
{
	struct job	*job;

	TAILQ_FOREACH(job, &smppconn_ctx.jobs, link)
		if (strcmp(job->name, name) == 0)
			return job;
	return NULL;
}

/* A job on mt/tmp/NAME, its sidecar where the claim will put it. */
static void
tail_open(const char *name, size_t len)
{
	struct job	*job;
	char		 path[SPOOL_PATH_MAX], claimed[SPOOL_NAME_MAX + 24];
	int		 n;

	n = snprintf(claimed, sizeof(claimed), "%s.%ld", name, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(claimed) ||
	    mt_path(path, sizeof(path), "tmp", name) == -1 ||
	    (job = calloc(1, sizeof(*job))) == NULL)
		return;
	if (mt_path(job->path, sizeof(job->path), "active", claimed) == -1 ||
	    strlcpy(job->name, name, sizeof(job->name)) >= sizeof(job->name))
		goto fail;
	if (segr_tail(&job->seg, path) == -1) {
		/* ENOENT: closed already, it comes through mt/new/. */
		if (errno != ENOENT)
			log_warn("reading %s", path);
		else
			strlcpy(gone[ngone++ % TAIL_GONE_MAX], name,
			    SPOOL_NAME_MAX);
		goto fail;
	}
	if (segdone_open(&job->done, job->path, 0) == -1) {
		log_warn("%s.done", job->path);
		segr_close(&job->seg);
		goto fail;
	}
	job->tailing = 1;
	job->tail_len = len;
	TAILQ_INSERT_TAIL(&smppconn_ctx.jobs, job, link);
	smppconn_ctx.njobs++;
	smppconn_ctx.ntails++;
	return;
fail:
	free(job);
}

void
smppconn_tail_notice(const char *name, size_t len)
{
	struct job	*job;

	if ((job = smppconn_tail_find(name)) != NULL) {
		if (job->tailing && len > job->tail_len)
			job->tail_len = len;
		return;
	}
	if (smppconn_ctx.stopping || smppconn_ctx.now < smppconn_ctx.pause_until ||
	    smppconn_ctx.ntails >= CONN_MAX_TAILS ||
	    smppconn_ctx.njobs >= CONN_MAX_JOBS + CONN_MAX_TAILS ||
	    smppconn_ctx.inhand >= CONN_INHAND_MAX || tail_gone(name))
		return;
	tail_open(name, len);
}

/*
 * More to read for a job at the end of what it had: 1 when there is.
 * A segment that cannot be read on is left to its claim.
 */
int
smppconn_tail_read(struct job *job)
{
	if (!job->tailing || job->tail_len <= job->seg.len)
		return 0;
	if (segr_grow(&job->seg, job->tail_len) == -1) {
		log_warn("reading %s while it is written", job->name);
		job->tail_len = 0;
		return 0;
	}
	return 1;
}

/* Whether fd and path are one file. */
static int
same(int fd, const char *path)
{
	struct stat	 a, b;

	return fd != -1 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The sidecar at the job's path is another than the job wrote to. */
static int
sidecar_replaced(const struct job *job)
{
	struct stat	 st;

	if (stat(job->done.path, &st) == -1)
		return 0;
	return job->done.fd == -1 || !same(job->done.fd, job->done.path);
}

void
smppconn_tail_claimed(struct job *job)
{
	job->tailing = 0;
	smppconn_ctx.ntails--;
	if (sidecar_replaced(job) && segdone_reopen(&job->done) == -1) {
		log_warn("%s.done", job->path);
		job->unwell = 1;
	}
	if (job->seg.tail && same(job->seg.fd, job->path) &&
	    segr_grow(&job->seg, SEGR_ALL) == 0)
		return;
	/* Not the file it followed: read again, past what was read. */
	job->skip = job->seg.index;
	segr_close(&job->seg);
	if (segr_open(&job->seg, job->path) == -1) {
		log_warn("reading %s", job->path);
		job->unwell = 1;
		job->eof = 1;
	}
}

/* Nothing of it in hand any more: the job goes, its sidecar stays. */
void
smppconn_tail_drop(struct job *job)
{
	TAILQ_REMOVE(&smppconn_ctx.jobs, job, link);
	smppconn_ctx.njobs--;
	smppconn_ctx.ntails--;
	segr_close(&job->seg);
	segdone_close(&job->done);
	free(job);
}

void
smppconn_tail_check(void)
{
	struct job	*job, *tmp;
	char		 a[SPOOL_PATH_MAX], b[SPOOL_PATH_MAX];

	TAILQ_FOREACH_SAFE(job, &smppconn_ctx.jobs, link, tmp) {
		if (!job->tailing || job->inhand > 0 || job->stalled != NULL)
			continue;
		if (mt_path(a, sizeof(a), "tmp", job->name) == -1 ||
		    mt_path(b, sizeof(b), "new", job->name) == -1 ||
		    same(job->seg.fd, a) || same(job->seg.fd, b))
			continue;
		log_warnx("%s: left mt/tmp/ but not for mt/new/: no longer "
		    "read while written", job->name);
		smppconn_tail_drop(job);
	}
}
