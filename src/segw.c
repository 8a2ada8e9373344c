/*
 * segw.c - a segment writer: records appended with group commit
 *
 * SYNOPSIS
 *	segw_init(w, area, sync)	segw_set_dest(w, "deferred")
 *	segw_add(w, meta, pdu)		segw_commit(w)	segw_discard(w)
 *	segw_commit_group(writers, n, ok)	segw_prepare(w)	segw_write(w)
 *	segw_cancel(w)
 *	segw_due(w, max_bytes, max_count, max_age_ms, now_us)
 *	segw_close(w)	segw_close_group(writers, n, ok)	segw_free(w)
 *	segw_publish_group(writers, n, ok)	segw_set_tmp_lazy(w)
 *	segw_set_reserve(w)
 *
 * DESCRIPTION
 *	A writer appends records to AREA/tmp/NAME, which it holds an
 *	flock(2) on while it is open.  The file opens with the segment
 *	header "%segment 2".  segw_add() formats a record into memory;
 *	segw_commit() writes everything added since the last commit and
 *	its commit line (segmark.c: record count, length and CRC-32 of
 *	the group) with one pwrite(2) and, when sync is on, one
 *	fdatasync(2); on the segment's first commit it also fsyncs
 *	AREA/tmp so that the file's name survives a power failure.  Only
 *	after segw_commit() returns 0 may the caller acknowledge the
 *	records.  When it fails, the file is cut back to what earlier
 *	commits wrote, the counters are unchanged, and the caller drops
 *	the group with segw_discard() and answers with an error.
 *	segw_commit_group() commits several writers of one area with one
 *	fsync of AREA/tmp for all their new segments instead of one each.
 *	segw_write() does the write(2) of a commit alone (segw_prepare()
 *	what comes before it: the file created, the commit line), for a caller
 *	that does something between the write and the sync (smppconn's
 *	provisional marks); the next commit syncs what it wrote, or cuts
 *	it back when the sync fails; segw_cancel() cuts it back and drops
 *	the group.
 *
 *	segw_close() moves AREA/tmp/NAME to AREA/DEST/NAME (DEST "new"
 *	unless segw_set_dest() said otherwise) or removes an empty one.
 *	The move is spool_durable_move(): the name in DEST is synced
 *	before the name in tmp/ goes, so after a power failure the
 *	segment is in DEST, or still in tmp/ where recovery finds it, as
 *	it finds the segment of a writer that died (spool_recover.c).
 *	segw_close_group() closes several writers of one area with one
 *	sync of DEST for all.  segw_publish_group() commits and closes
 *	several at once, their names linked into DEST before their data
 *	is synced, so that one journal commit makes both durable.
 *
 *	segw_set_tmp_lazy() is for a writer whose every segment is closed
 *	before anything depends on its records (smppconn's outbound
 *	segments, closed at the end of the turn that wrote them, before
 *	the records they answer are settled): its tmp/ name is not synced
 *	on the first commit, since the close syncs the name in DEST
 *	before the records count, and a crash before that hands them on
 *	again.  The caller must treat a failed close as a failed commit.
 *
 *	segw_set_reserve(w) is for a writer that commits many small groups
 *	to one segment (a child's MT segment): the file is grown
 *	SEGW_RESERVE octets at a time with zeros written ahead of the
 *	records, so that most commits overwrite blocks that are already
 *	allocated and leave the file's size alone, and their fdatasync(2)
 *	writes the data alone, not the inode and the allocation bitmaps as
 *	well.  Only the commit that grows the file pays for that.  The
 *	zeros after the last commit are a torn tail to every reader
 *	(segr.c) and are cut off when the segment closes, by recovery when
 *	its writer died, and by no one when a power failure came between
 *	the close and the writeback of its new size: readers stop at them.
 *
 *	segw_due(w, bytes, count, age_ms, now) tells when an open segment
 *	has reached one of its limits (0: no limit; now 0: the clock).
 *
 * DIAGNOSTICS
 *	-1 with errno.
 */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "compat.h"
#include "log.h"
#include "spool.h"

#define OPEN_TRIES	8
#define SEGW_RESERVE	(64 * 1024)	/* the file grows by this much */

static const char	 zeros[SEGW_RESERVE];

#ifndef HAVE_FDATASYNC
#define fdatasync	fsync
#endif

void
segw_init(struct segw *w, const char *area, int sync)
{
	memset(w, 0, sizeof(*w));
	if (strlcpy(w->area, area, sizeof(w->area)) >= sizeof(w->area))
		w->area[0] = '\0';	/* segw_commit() fails: ENAMETOOLONG */
	strlcpy(w->dest, "new", sizeof(w->dest));
	w->fd = -1;
	w->sync = sync;
	buf_init(&w->pending);
}

void
segw_set_dest(struct segw *w, const char *dest)
{
	strlcpy(w->dest, dest, sizeof(w->dest));
}

void
segw_set_tmp_lazy(struct segw *w)
{
	w->tmp_lazy = 1;
}

void
segw_set_reserve(struct segw *w)
{
	w->reserve = 1;
}

/* AREA/SUB/NAME */
static int
segw_path(const struct segw *w, const char *sub, char *buf, size_t len)
{
	if (w->area[0] == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	return spool_path(buf, len, "%s/%s/%s", w->area, sub, w->name);
}

int
segw_add(struct segw *w, const struct msg_meta *m, const struct pdu *p)
{
	if (record_write(&w->pending, m, p) == -1)
		return -1;
	w->npending++;
	return 0;
}

/*
 * Create AREA/tmp/NAME under a name nobody used, locked: the lock is
 * how recovery tells a live writer from a dead one whose pid may have
 * been reused.  The file is made as .NAME, locked, then linked to
 * NAME, so that it is never seen unlocked under its real name.
 */
static int
segw_create(struct segw *w, char *path, size_t len)
{
	char	 dot[SPOOL_PATH_MAX];
	int	 fd, save;

	if (spool_name(w->name, sizeof(w->name), w->not_before) == -1 ||
	    segw_path(w, "tmp", path, len) == -1 ||
	    spool_path(dot, sizeof(dot), "%s/tmp/.%s", w->area, w->name) == -1)
		return -1;
	fd = open(dot, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
	    0600);
	if (fd == -1)
		return -1;
	/* link(2), unlike rename(2), never replaces an existing NAME. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || link(dot, path) == -1) {
		/* ENOENT: a recovery took the unlocked .NAME as litter. */
		save = errno;
		close(fd);
		unlink(dot);
		errno = save == EWOULDBLOCK ? EEXIST : save;
		return -1;
	}
	unlink(dot);
	return fd;
}

static int	 write_at(int, const void *, size_t, size_t);
static void	 segw_free_fd(struct segw *);

static int
segw_open(struct segw *w)
{
	char	 path[SPOOL_PATH_MAX];
	int	 i;

	for (i = 0; i < OPEN_TRIES; i++) {
		if ((w->fd = segw_create(w, path, sizeof(path))) != -1)
			break;
		if (errno != EEXIST && errno != ENOENT)
			return -1;
	}
	if (w->fd == -1)
		return -1;
	w->opened_us = clock_wall_us();
	w->bytes = 0;
	w->count = 0;
	w->dir_synced = 0;
	w->broken = 0;
	/* Synced with the first commit, which cuts back to here if it fails. */
	if (write_at(w->fd, SEGMARK_HEADER, sizeof(SEGMARK_HEADER) - 1, 0) ==
	    -1) {
		segw_free_fd(w);
		return -1;
	}
	w->bytes = w->size = sizeof(SEGMARK_HEADER) - 1;
	return 0;
}

/* len octets at offset off, whole. */
static int
write_at(int fd, const void *data, size_t len, size_t off)
{
	const uint8_t	*p = data;
	ssize_t		 n;

	while (len > 0) {
		if ((n = pwrite(fd, p, len, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		off += (size_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The pending group at the end of the records, and for a reserving
 * writer whose file it outgrows, zeros up to the next multiple of
 * SEGW_RESERVE.  The zeros are only a saving: where the disk has no
 * room for them the group goes without.
 */
static int
write_group(struct segw *w)
{
	size_t	 end = w->bytes + w->pending.len, grow;

	if (write_at(w->fd, w->pending.data, w->pending.len, w->bytes) == -1)
		return -1;
	if (end > w->size)
		w->size = end;
	if (!w->reserve || end < w->size)
		return 0;
	grow = SEGW_RESERVE - end % SEGW_RESERVE;
	if (write_at(w->fd, zeros, grow, end) == 0)
		w->size = end + grow;
	else if (ftruncate(w->fd, (off_t)end) == -1)
		return -1;
	return 0;
}

/* Make the name of a new segment durable: fsync AREA/tmp. */
static int
sync_tmpdir(const struct segw *w)
{
	char	 path[SPOOL_PATH_MAX];

	if (spool_path(path, sizeof(path), "%s/tmp", w->area) == -1)
		return -1;
	return spool_durable_dir(path);
}

/* Undo a failed commit: nothing of it may stay in the file. */
static void
segw_undo(struct segw *w)
{
	int	 save = errno;

	if (ftruncate(w->fd, (off_t)w->bytes) == -1 ||
	    (w->sync && fdatasync(w->fd) == -1)) {
		log_warn("spool: %s/tmp/%s: cannot cut back to %zu octets",
		    w->area, w->name, w->bytes);
		w->broken = 1;
	}
	w->size = w->bytes;
	errno = save;
}

/*
 * Everything of a write but the write(2): the file opened (created)
 * and the commit line framed, so that segw_write() is one system call.
 */
int
segw_prepare(struct segw *w)
{
	size_t	 group = w->pending.len;

	if (w->npending == 0 || w->framed > 0 || w->written > 0)
		return 0;
	if (w->broken) {
		errno = EIO;
		return -1;
	}
	if (w->fd == -1 && segw_open(w) == -1)
		return -1;
	if (segmark_put(&w->pending, w->npending, w->pending.data, group) ==
	    -1)
		return -1;
	w->framed = group;
	return 0;
}

/*
 * The pending group and its commit line, with one pwrite(2) and no
 * sync: what a killed process leaves in the page cache.  A written
 * group is synced by the next segw_commit() or segw_commit_group().
 * hint: start the writeback now (a sync of it comes later, or others
 * are written in between).
 */
static int
write_pending(struct segw *w, int hint)
{
	if (w->npending == 0 || w->written > 0)
		return 0;
	if (segw_prepare(w) == -1)
		return -1;
	if (write_group(w) == -1) {
		w->pending.len = w->framed;
		w->framed = 0;
		segw_undo(w);
		return -1;
	}
#ifdef HAVE_SYNC_FILE_RANGE
	/*
	 * Start the writeback now, so that the blocks of all the files a
	 * turn writes are allocated in one journal transaction and their
	 * syncs share one commit instead of paying one each.  Only a
	 * hint: durability is the fdatasync's.
	 */
	if (w->sync && hint)
		(void)sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
	w->written = w->framed;
	w->framed = 0;
	return 0;
}

int
segw_write(struct segw *w)
{
	return write_pending(w, 1);
}

/* A written group cut back: its records pending again, uncommitted. */
static void
unwrite(struct segw *w)
{
	w->pending.len = w->written;
	w->written = 0;
	segw_undo(w);
}

/* Drop the pending group, cutting back what segw_write() wrote of it. */
void
segw_cancel(struct segw *w)
{
	if (w->written > 0)
		unwrite(w);
	segw_discard(w);
}

/* Sync what write_pending() wrote of one writer; not its folder. */
static int
sync_data(struct segw *w)
{
	if (w->sync && fdatasync(w->fd) == -1) {
		unwrite(w);
		return -1;
	}
	return 0;
}

/*
 * segw_commit() for n writers of one area at once: each file's data is
 * synced, then AREA/tmp once for all the segments new in it.  ok[i]
 * says which committed; those that did not are undone, their records
 * still pending for segw_discard().  -1 when any failed.
 */
int
segw_commit_group(struct segw *ws, int n, int *ok)
{
	int	 i, rc = 0, dir = 0;

	/*
	 * Every write first: their syncs then share a journal commit.  A
	 * writer alone syncs at once, and the hint would only cost a
	 * system call (a child's commit).
	 */
	for (i = 0; i < n; i++)
		ok[i] = write_pending(&ws[i], n > 1) == 0;
	for (i = 0; i < n; i++) {
		ok[i] = ok[i] && (ws[i].npending == 0 || sync_data(&ws[i]) == 0);
		if (ok[i] && ws[i].npending > 0 && ws[i].sync &&
		    !ws[i].dir_synced && !ws[i].tmp_lazy)
			dir = 1;
		rc |= ok[i] ? 0 : -1;
	}
	if (dir && sync_tmpdir(&ws[0]) == -1)
		for (i = 0; i < n; i++)
			if (ok[i] && ws[i].npending > 0 && ws[i].sync &&
			    !ws[i].dir_synced && !ws[i].tmp_lazy) {
				unwrite(&ws[i]);
				ok[i] = 0;
				rc = -1;
			}
	for (i = 0; i < n; i++) {
		if (!ok[i] || ws[i].npending == 0)
			continue;
		if (ws[i].sync)
			ws[i].dir_synced = 1;
		ws[i].bytes += ws[i].pending.len;
		ws[i].count += ws[i].npending;
		segw_discard(&ws[i]);
	}
	return rc;
}

int
segw_commit(struct segw *w)
{
	int	 ok;

	return segw_commit_group(w, 1, &ok);
}

void
segw_discard(struct segw *w)
{
	buf_reset(&w->pending);
	w->npending = 0;
	w->framed = 0;
	w->written = 0;
}

int
segw_due(const struct segw *w, size_t max_bytes, unsigned max_count,
    int max_age_ms, int64_t now)
{
	if (w->fd == -1)
		return 0;
	if (now == 0)
		now = clock_wall_us();
	return (max_bytes > 0 && w->bytes >= max_bytes) ||
	    (max_count > 0 && w->count >= max_count) ||
	    (max_age_ms > 0 && now - w->opened_us >= (int64_t)max_age_ms *
	    1000);
}

static void
segw_reset(struct segw *w)
{
	w->fd = -1;
	w->name[0] = '\0';
	w->bytes = 0;
	w->size = 0;
	w->count = 0;
	w->dir_synced = 0;
	w->broken = 0;
	w->framed = 0;
	w->written = 0;
	w->opened_us = 0;
}

/*
 * Where writer w goes when it closes, its pending records written:
 * mv set, 1; removed now or nothing open, 0; -1.
 */
static int
close_prepare(struct segw *w, struct spool_mv *mv)
{
	char	 tmp[SPOOL_PATH_MAX], dst[SPOOL_PATH_MAX];
	size_t	 end;

	if (w->fd == -1)
		return 0;
	/* Still locked while it leaves tmp/: recovery cannot take it. */
	if (segw_path(w, "tmp", tmp, sizeof(tmp)) == -1 ||
	    segw_path(w, w->dest, dst, sizeof(dst)) == -1)
		return -1;
	if (w->count + w->npending == 0)
		return unlink(tmp) == -1 ? -1 : 0;
	/* The reserved zeros go; not synced, as readers stop at them. */
	end = w->bytes + (w->written > 0 ? w->pending.len : 0);
	if (w->size > end && ftruncate(w->fd, (off_t)end) == -1)
		return -1;
	w->size = end;
	return spool_mv_set(mv, tmp, dst) == -1 ? -1 : 1;
}

/* The file is closed, the writer ready for its next segment. */
static void
close_fd(struct segw *w)
{
	if (w->fd != -1 && close(w->fd) == -1)
		log_warn("spool: %s/tmp/%s: close", w->area, w->name);
	segw_reset(w);
}

/* A linked segment whose data did not sync: its new name goes. */
static void
publish_undo(struct segw *w, struct spool_mv *mv)
{
	char	 tmp[SPOOL_PATH_MAX];

	unwrite(w);
	segw_discard(w);
	if (mv->rc == SPOOL_MV_LINKED) {
		if (mv->made)
			(void)unlink(mv->dst);
		mv->rc = -1;
		mv->err = errno;
	}
	if (w->count == 0 && segw_path(w, "tmp", tmp, sizeof(tmp)) == 0)
		(void)unlink(tmp);
}

/*
 * Commit what n writers of one area and dest have pending and close
 * them with one journal commit where the file system allows: each
 * file written (its writeback started), its new name linked into
 * DEST, then each file fdatasync'ed, DEST synced once, and only then
 * the tmp/ names removed.  While both names exist no claimer takes
 * the segment (spool_claim()), so it is read only once synced.  For
 * writers whose records count only once this returned
 * (segw_set_tmp_lazy(): a crash before then hands them on again).
 * ok[i] says which were committed and closed; -1 when any was not
 * (its records are gone).
 */
int
segw_publish_group(struct segw *ws, int n, int *ok)
{
	struct spool_mv	 one, *mv = &one;
	int		 i, j, k = 0, rc = 0, r, who1, *who = &who1;

	if (n > 1 && ((mv = calloc((size_t)n, sizeof(*mv))) == NULL ||
	    (who = calloc((size_t)n, sizeof(*who))) == NULL)) {
		free(mv);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!(ok[i] = segw_write(&ws[i]) == 0))
			segw_discard(&ws[i]);
		if ((r = close_prepare(&ws[i], &mv[k])) == -1)
			ok[i] = 0;
		else if (r == 1)
			who[k++] = i;
	}
	spool_durable_link_group(mv, (size_t)k);
	for (j = 0; j < k; j++)
		if (ws[who[j]].npending > 0 && ws[who[j]].sync &&
		    fdatasync(ws[who[j]].fd) == -1)
			publish_undo(&ws[who[j]], &mv[j]);
	spool_durable_unlink_group(mv, (size_t)k);
	for (j = 0; j < k; j++)
		if (mv[j].rc != 0) {
			ok[who[j]] = 0;
			errno = mv[j].rc == 1 ? ENOENT : mv[j].err;
		}
	for (i = 0; i < n; i++) {
		segw_discard(&ws[i]);
		close_fd(&ws[i]);
		rc |= ok[i] ? 0 : -1;
	}
	if (n > 1) {
		free(mv);
		free(who);
	}
	return rc;
}

/*
 * Close n writers of one area and dest: empty ones are removed, the
 * others moved into AREA/DEST/ with one sync of that folder for all
 * (spool_durable_move_group()).  ok[i] says which closed; -1 when
 * any did not.
 */
int
segw_close_group(struct segw *ws, int n, int *ok)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (ws[i].npending > 0) {
			log_warnx("spool: %s/tmp/%s: %u uncommitted records "
			    "dropped", ws[i].area, ws[i].name, ws[i].npending);
			segw_cancel(&ws[i]);
		}
	return segw_publish_group(ws, n, ok);
}

int
segw_close(struct segw *w)
{
	int	 ok;

	return segw_close_group(w, 1, &ok);
}

/* Close the file; one without records is removed. */
static void
segw_free_fd(struct segw *w)
{
	char	 tmp[SPOOL_PATH_MAX];

	if (w->fd != -1) {
		close(w->fd);
		if (w->count == 0 && segw_path(w, "tmp", tmp, sizeof(tmp)) == 0)
			unlink(tmp);
	}
	segw_reset(w);
}

/* Without closing: an open segment stays in tmp/ for recovery. */
void
segw_free(struct segw *w)
{
	segw_free_fd(w);
	buf_free(&w->pending);
}
