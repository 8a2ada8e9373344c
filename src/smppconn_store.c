/*
 * smppconn_store.c - smppconn's retry and failure segments in mt/deferred/
 * and mt/failed/, and the expiry of mt/failed/ and mo/failed/
 *
 * SYNOPSIS
 *	smppconn_store_defer(meta, pdu, when, &dep)	smppconn_store_fail(meta, pdu, &dep)
 *	smppconn_store_commit()	smppconn_store_close()
 *	smppconn_store_prune()	smppconn_store_free()
 *
 * DESCRIPTION
 *	A record to be tried again is copied, with its attempts, error
 *	and next try updated, into a segment written in mt/tmp/ and
 *	closed into mt/deferred/ at the end of the turn.  The segment's
 *	name carries the time it is due, so records of one turn that are
 *	due at different seconds go to different segments (up to
 *	DEFER_WRITERS; beyond that a record shares the segment due
 *	before it, and is deferred again, without an attempt, when that
 *	one is claimed early).
 *
 *	A record that failed for good is copied, with its error, into a
 *	segment closed into mt/failed/.  Segments of mt/failed/ and
 *	mo/failed/ are removed [spool] failed_keep seconds after they were
 *	written.
 *
 *	*dep points to a flag smppconn_store_commit() sets when the writer's
 *	commit failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "smppconn.h"
#include "log.h"

#define DEFER_WRITERS	16

struct writer {
	struct segw	 w;
	int64_t		 when;		/* due, seconds */
	int		 used;
	int		 failed;
};

static struct writer	 dw[DEFER_WRITERS];
static struct writer	 fw;
static int		 ready;

static void
init(void)
{
	char	 area[SPOOL_PATH_MAX];
	int	 i;

	if (ready)
		return;
	if (spool_path(area, sizeof(area), "%s/mt", smppconn_ctx.conf->spool.dir) == -1)
		fatalx("spool path too long");
	for (i = 0; i < DEFER_WRITERS; i++) {
		segw_init(&dw[i].w, area, smppconn_ctx.conf->spool.sync);
		segw_set_dest(&dw[i].w, "deferred");
	}
	segw_init(&fw.w, area, smppconn_ctx.conf->spool.sync);
	segw_set_dest(&fw.w, "failed");
	ready = 1;
}

/* The writer for records due at `when'. */
static struct writer *
defer_writer(int64_t when)
{
	struct writer	*best = NULL;
	int		 i;

	for (i = 0; i < DEFER_WRITERS; i++) {
		if (dw[i].used && dw[i].when == when)
			return &dw[i];
		if (!dw[i].used) {
			dw[i].used = 1;
			dw[i].when = when;
			dw[i].w.not_before = when;
			return &dw[i];
		}
	}
	/* All taken: the latest one due before, else the earliest. */
	for (i = 0; i < DEFER_WRITERS; i++)
		if ((dw[i].when <= when && (best == NULL ||
		    dw[i].when > best->when)))
			best = &dw[i];
	if (best == NULL)
		for (i = 0; i < DEFER_WRITERS; i++)
			if (best == NULL || dw[i].when < best->when)
				best = &dw[i];
	return best;
}

int
smppconn_store_defer(const struct msg_meta *m, const struct pdu *p, int64_t when,
    int **dep)
{
	struct writer	*w;

	init();
	w = defer_writer(when);
	if (segw_add(&w->w, m, p) == -1)
		return -1;
	*dep = &w->failed;
	return 0;
}

int
smppconn_store_fail(const struct msg_meta *m, const struct pdu *p, int **dep)
{
	init();
	if (segw_add(&fw.w, m, p) == -1)
		return -1;
	fw.used = 1;
	*dep = &fw.failed;
	return 0;
}

static int
commit(struct writer *w)
{
	w->failed = 0;
	if (!w->used || w->w.npending == 0)
		return 0;
	if (segw_commit(&w->w) == 0)
		return 0;
	log_warn("%s/tmp/%s: commit", w->w.area, w->w.name);
	segw_discard(&w->w);
	w->failed = 1;
	return -1;
}

int
smppconn_store_commit(void)
{
	int	 i, rc = 0;

	if (!ready)
		return 0;
	for (i = 0; i < DEFER_WRITERS; i++)
		if (commit(&dw[i]) == -1)
			rc = -1;
	if (commit(&fw) == -1)
		rc = -1;
	return rc;
}

static void
close_writer(struct writer *w)
{
	if (w->used && segw_close(&w->w) == -1)
		log_warn("%s: closing a segment into %s", w->w.area, w->w.dest);
	w->used = 0;
	w->failed = 0;
}

void
smppconn_store_close(void)
{
	int	 i;

	if (!ready)
		return;
	for (i = 0; i < DEFER_WRITERS; i++) {
		if (dw[i].used && dw[i].w.count > 0 &&
		    (smppconn_ctx.next_deferred == 0 || dw[i].when < smppconn_ctx.next_deferred))
			smppconn_ctx.next_deferred = dw[i].when;
		close_writer(&dw[i]);
	}
	close_writer(&fw);
}

/* Remove the segments of a failed/ folder older than failed_keep. */
static void
prune(const char *sub)
{
	char	 dir[SPOOL_PATH_MAX], path[1200], **names;
	size_t	 n, i;
	int64_t	 limit, t;

	limit = (int64_t)smppconn_ctx.wall - smppconn_ctx.conf->spool.failed_keep;
	if (spool_path(dir, sizeof(dir), "%s/%s", smppconn_ctx.conf->spool.dir,
	    sub) == -1 || spool_list(dir, &names, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if ((t = spool_name_time(names[i])) == -1 || t >= limit)
			continue;
		if (spool_path(path, sizeof(path), "%s/%s", dir,
		    names[i]) == 0 && spool_remove(path) == 0)
			log_info("%s: kept for failed_keep, removed", path);
	}
	spool_list_free(names, n);
}

void
smppconn_store_prune(void)
{
	prune("mt/failed");
	prune("mo/failed");
}

void
smppconn_store_free(void)
{
	int	 i;

	if (!ready)
		return;
	for (i = 0; i < DEFER_WRITERS; i++)
		segw_free(&dw[i].w);
	segw_free(&fw.w);
	ready = 0;
}
